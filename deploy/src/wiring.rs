//! Writes per-implementation wiring values into a built program (DESIGN §3.2).
//!
//! A program that needs configuration the reference keeps in immutables reserves one block in
//! a data segment (`xmtp_core::wiring`): a 16-byte magic, `count: u32` and `names_len: u32`
//! (little-endian), `count` 32-byte slots holding ABI words, then the slot names joined by
//! `\n`. The pipeline patches the slots before compression, so the wiring is part of the code
//! hash and of the implementation's CREATE2 address, exactly as immutables are in Solidity.
//!
//! A name ending in `?` (e.g. the Factory's `proxyKind?`) marks an optional slot: it is named
//! without the `?`, may be left out and may be zero, because zero is a setting there (the
//! default) rather than a forgotten address. Every other slot must be given, non-zero.

use std::collections::BTreeSet;
use std::fmt;

use wasmparser::{Parser, Payload};

/// Marks the one wiring block of a program (`xmtp_core::wiring::MAGIC`).
pub const MAGIC: [u8; 16] = *b"XMTP_WIRING_V1\0\0";

const HEADER_LEN: usize = MAGIC.len() + 8;
const SLOT_LEN: usize = 32;

/// Why wiring could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WiringError {
    /// The module could not be parsed.
    Wasm(String),
    /// Values were given but the program has no wiring block.
    NoMarker,
    /// More than one wiring block: which one to patch would be a guess.
    MultipleMarkers(usize),
    /// The block's header declares more bytes than its data segment holds.
    Truncated,
    /// The name list is not `count` distinct, non-empty UTF-8 names.
    BadNames(String),
    /// Names of the block's required slots no value was given for.
    Missing(Vec<String>),
    /// Values given for names the block does not have.
    Unknown(Vec<String>),
    /// A name given more than once.
    Duplicate(String),
    /// A zero value for a required slot: no real address or setting there is zero, so it is a
    /// forgotten value.
    Zero(String),
}

impl fmt::Display for WiringError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Wasm(e) => write!(f, "cannot parse wasm: {e}"),
            Self::NoMarker => write!(f, "wiring values given but the program has no wiring block"),
            Self::MultipleMarkers(n) => write!(f, "{n} wiring blocks found, expected exactly one"),
            Self::Truncated => write!(f, "wiring block runs past the end of its data segment"),
            Self::BadNames(e) => write!(f, "malformed wiring names: {e}"),
            Self::Missing(names) => write!(f, "no wiring value for {}", names.join(", ")),
            Self::Unknown(names) => write!(f, "unknown wiring names {}", names.join(", ")),
            Self::Duplicate(name) => write!(f, "wiring value for {name} given twice"),
            Self::Zero(name) => write!(f, "wiring value for {name} is zero"),
        }
    }
}

impl std::error::Error for WiringError {}

/// A located wiring block: file offset of the first slot, the slot names (without the `?`)
/// and, per slot, whether it is optional.
struct Block {
    slots_at: usize,
    names: Vec<String>,
    optional: Vec<bool>,
}

/// Lists the wiring names of a program, in slot order (empty when it has no wiring block).
pub fn wiring_names(wasm: &[u8]) -> Result<Vec<String>, WiringError> {
    Ok(find_block(wasm)?.map(|b| b.names).unwrap_or_default())
}

/// Reads the current wiring values of a program, in slot order.
pub fn wiring_values(wasm: &[u8]) -> Result<Vec<(String, [u8; 32])>, WiringError> {
    let Some(block) = find_block(wasm)? else {
        return Ok(Vec::new());
    };
    Ok(block
        .names
        .into_iter()
        .enumerate()
        .map(|(i, name)| {
            let at = block.slots_at + i * SLOT_LEN;
            let mut word = [0u8; SLOT_LEN];
            word.copy_from_slice(&wasm[at..at + SLOT_LEN]);
            (name, word)
        })
        .collect())
}

/// Returns `wasm` with every wiring slot set: each required slot of the block must be given
/// exactly once, with a non-zero value; an optional slot at most once, any value, zero when
/// left out. A program without a wiring block accepts only an empty list.
pub fn patch_wiring(wasm: &[u8], values: &[(&str, [u8; 32])]) -> Result<Vec<u8>, WiringError> {
    let Some(block) = find_block(wasm)? else {
        if values.is_empty() {
            return Ok(wasm.to_vec());
        }
        return Err(WiringError::NoMarker);
    };
    let mut seen = BTreeSet::new();
    for (name, _) in values {
        if !seen.insert(*name) {
            return Err(WiringError::Duplicate((*name).to_owned()));
        }
    }
    let unknown: Vec<String> = values
        .iter()
        .filter(|(name, _)| !block.names.iter().any(|n| n == name))
        .map(|(name, _)| (*name).to_owned())
        .collect();
    if !unknown.is_empty() {
        return Err(WiringError::Unknown(unknown));
    }
    let required = |name: &str| {
        block
            .names
            .iter()
            .zip(&block.optional)
            .any(|(n, optional)| n == name && !optional)
    };
    let missing: Vec<String> = block
        .names
        .iter()
        .filter(|n| required(n) && !seen.contains(n.as_str()))
        .cloned()
        .collect();
    if !missing.is_empty() {
        return Err(WiringError::Missing(missing));
    }
    if let Some((name, _)) = values
        .iter()
        .find(|(name, word)| required(name) && *word == [0u8; SLOT_LEN])
    {
        return Err(WiringError::Zero((*name).to_owned()));
    }
    let mut out = wasm.to_vec();
    for (i, name) in block.names.iter().enumerate() {
        let word = values
            .iter()
            .find(|(n, _)| n == name)
            .map_or([0u8; SLOT_LEN], |(_, w)| *w);
        let at = block.slots_at + i * SLOT_LEN;
        out[at..at + SLOT_LEN].copy_from_slice(&word);
    }
    Ok(out)
}

/// Finds the single wiring block in the module's data segments.
fn find_block(wasm: &[u8]) -> Result<Option<Block>, WiringError> {
    let mut found = Vec::new();
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(|e| WiringError::Wasm(e.to_string()))?;
        let Payload::DataSection(reader) = payload else {
            continue;
        };
        for data in reader {
            let data = data.map_err(|e| WiringError::Wasm(e.to_string()))?;
            // The payload is the tail of the segment's encoding.
            let start = data.range.end - data.data.len();
            let mut from = 0;
            while let Some(at) = find(&data.data[from..], &MAGIC) {
                found.push((start + from + at, &data.data[from + at..]));
                from += at + 1;
            }
        }
    }
    match found.as_slice() {
        [] => Ok(None),
        [(offset, block)] => parse_block(*offset, block).map(Some),
        more => Err(WiringError::MultipleMarkers(more.len())),
    }
}

fn parse_block(offset: usize, block: &[u8]) -> Result<Block, WiringError> {
    if block.len() < HEADER_LEN {
        return Err(WiringError::Truncated);
    }
    let read_u32 = |at: usize| {
        let bytes: [u8; 4] = block[at..at + 4].try_into().expect("4 bytes");
        u32::from_le_bytes(bytes) as usize
    };
    let count = read_u32(MAGIC.len());
    let names_len = read_u32(MAGIC.len() + 4);
    let names_at = count
        .checked_mul(SLOT_LEN)
        .and_then(|slots| slots.checked_add(HEADER_LEN))
        .ok_or(WiringError::Truncated)?;
    let names = names_at
        .checked_add(names_len)
        .and_then(|end| block.get(names_at..end))
        .ok_or(WiringError::Truncated)?;
    let names =
        std::str::from_utf8(names).map_err(|_| WiringError::BadNames("not UTF-8".into()))?;
    let listed: Vec<&str> = if names.is_empty() {
        Vec::new()
    } else {
        names.split('\n').collect()
    };
    let optional: Vec<bool> = listed.iter().map(|name| name.ends_with('?')).collect();
    let names: Vec<String> = listed
        .iter()
        .map(|name| name.strip_suffix('?').unwrap_or(name).to_owned())
        .collect();
    if names.len() != count {
        return Err(WiringError::BadNames(format!(
            "the header declares {count} slots but lists {} names",
            names.len()
        )));
    }
    if names.iter().any(String::is_empty) {
        return Err(WiringError::BadNames("empty name".into()));
    }
    let distinct: BTreeSet<&String> = names.iter().collect();
    if distinct.len() != names.len() {
        return Err(WiringError::BadNames("a name appears twice".into()));
    }
    Ok(Block {
        slots_at: offset + HEADER_LEN,
        names,
        optional,
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;

    /// A wat data string for a wiring block with `names`, all slots zero.
    pub(crate) fn block(names: &[&str]) -> String {
        let joined = names.join("\n");
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&u32::try_from(names.len()).unwrap().to_le_bytes());
        bytes.extend_from_slice(&u32::try_from(joined.len()).unwrap().to_le_bytes());
        bytes.extend(std::iter::repeat_n(0u8, names.len() * SLOT_LEN));
        bytes.extend_from_slice(joined.as_bytes());
        bytes.iter().fold(String::new(), |mut out, b| {
            let _ = write!(out, "\\{b:02x}");
            out
        })
    }

    fn module(data: &str) -> Vec<u8> {
        wat::parse_str(format!(
            r#"(module (memory 1) (data (i32.const 16) "prefix") (data (i32.const 1024) "{data}"))"#
        ))
        .unwrap()
    }

    fn word(last: u8) -> [u8; 32] {
        let mut w = [0u8; 32];
        w[31] = last;
        w[12] = 0xAB;
        w
    }

    #[test]
    fn lists_names_and_patches_values() {
        let wasm = module(&block(&["parameterRegistry", "fromImplementation"]));
        assert_eq!(
            wiring_names(&wasm).unwrap(),
            ["parameterRegistry", "fromImplementation"]
        );
        let patched = patch_wiring(
            &wasm,
            &[
                ("fromImplementation", word(2)),
                ("parameterRegistry", word(1)),
            ],
        )
        .unwrap();
        assert_eq!(patched.len(), wasm.len());
        assert_eq!(
            wiring_values(&patched).unwrap(),
            [
                ("parameterRegistry".to_owned(), word(1)),
                ("fromImplementation".to_owned(), word(2))
            ]
        );
        let changed = wasm.iter().zip(&patched).filter(|(a, b)| a != b).count();
        assert_eq!(changed, 4);
    }

    #[test]
    fn refuses_zero_missing_unknown_and_duplicate_values() {
        let wasm = module(&block(&["a", "b"]));
        assert_eq!(
            patch_wiring(&wasm, &[("a", word(1)), ("b", [0; 32])]),
            Err(WiringError::Zero("b".into()))
        );
        assert_eq!(
            patch_wiring(&wasm, &[("a", word(1))]),
            Err(WiringError::Missing(vec!["b".into()]))
        );
        assert_eq!(
            patch_wiring(&wasm, &[("a", word(1)), ("b", word(2)), ("c", word(3))]),
            Err(WiringError::Unknown(vec!["c".into()]))
        );
        assert_eq!(
            patch_wiring(&wasm, &[("a", word(1)), ("a", word(2))]),
            Err(WiringError::Duplicate("a".into()))
        );
    }

    /// The Factory's `proxyKind?`: named without the `?`, zero or left out (then written zero,
    /// whatever the slot held), still refused twice or unknown; the required slot beside it is
    /// still required and non-zero.
    #[test]
    fn an_optional_slot_may_be_zero_or_left_out() {
        let wasm = module(&block(&["parameterRegistry", "proxyKind?"]));
        assert_eq!(
            wiring_names(&wasm).unwrap(),
            ["parameterRegistry", "proxyKind"]
        );
        let evm = patch_wiring(
            &wasm,
            &[("parameterRegistry", word(1)), ("proxyKind", word(2))],
        )
        .unwrap();
        assert_eq!(
            wiring_values(&evm).unwrap(),
            [
                ("parameterRegistry".to_owned(), word(1)),
                ("proxyKind".to_owned(), word(2))
            ]
        );
        let zero = patch_wiring(
            &wasm,
            &[("parameterRegistry", word(1)), ("proxyKind", [0; 32])],
        )
        .unwrap();
        let left_out = patch_wiring(&evm, &[("parameterRegistry", word(1))]).unwrap();
        assert_eq!(left_out, zero);
        assert_eq!(
            wiring_values(&zero).unwrap()[1],
            ("proxyKind".to_owned(), [0; 32])
        );
        assert_eq!(
            patch_wiring(&wasm, &[("proxyKind", word(2))]),
            Err(WiringError::Missing(vec!["parameterRegistry".into()]))
        );
        assert_eq!(
            patch_wiring(
                &wasm,
                &[("parameterRegistry", [0; 32]), ("proxyKind", word(2))]
            ),
            Err(WiringError::Zero("parameterRegistry".into()))
        );
        assert_eq!(
            patch_wiring(
                &wasm,
                &[
                    ("parameterRegistry", word(1)),
                    ("proxyKind", word(2)),
                    ("proxyKind", word(2))
                ]
            ),
            Err(WiringError::Duplicate("proxyKind".into()))
        );
        assert_eq!(
            patch_wiring(
                &wasm,
                &[("parameterRegistry", word(1)), ("proxyKind?", word(2))]
            ),
            Err(WiringError::Unknown(vec!["proxyKind?".into()]))
        );
    }

    #[test]
    fn a_program_without_a_marker_takes_only_an_empty_list() {
        let wasm = module("no wiring here");
        assert_eq!(wiring_names(&wasm).unwrap(), Vec::<String>::new());
        assert_eq!(patch_wiring(&wasm, &[]).unwrap(), wasm);
        let error = patch_wiring(&wasm, &[("a", word(1))]).unwrap_err();
        assert_eq!(error, WiringError::NoMarker);
        assert_eq!(
            error.to_string(),
            "wiring values given but the program has no wiring block"
        );
    }

    #[test]
    fn refuses_two_markers() {
        let twice = format!("{}{}", block(&["a"]), block(&["b"]));
        assert_eq!(
            wiring_names(&module(&twice)),
            Err(WiringError::MultipleMarkers(2))
        );
    }

    #[test]
    fn refuses_malformed_blocks() {
        let mut short = block(&["abc"]);
        short.truncate(short.len() - 3);
        assert_eq!(wiring_names(&module(&short)), Err(WiringError::Truncated));
        assert_eq!(
            wiring_names(&module(&block(&["a\nb"]))),
            Err(WiringError::BadNames(
                "the header declares 1 slots but lists 2 names".into()
            ))
        );
        assert_eq!(
            wiring_names(&module(&block(&["a", "?"]))),
            Err(WiringError::BadNames("empty name".into()))
        );
        assert_eq!(
            wiring_names(&module(&block(&["a", "a?"]))),
            Err(WiringError::BadNames("a name appears twice".into()))
        );
    }
}
