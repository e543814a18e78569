//! What a raw `cargo build` WASM goes through before compression, byte for byte as
//! cargo-stylus 0.10.10 does it (so our code hashes equal the ones `cargo stylus` deploys).
//!
//! rustc >= 1.82 links `call_indirect` with a 5-byte padded table index, an encoding only legal
//! with reference-types, which Nitro rejects ("zero byte expected"). Printing the module to text
//! and parsing it back re-encodes every instruction canonically. The printer and parser are
//! pinned to the versions cargo-stylus locks, because their output is what gets hashed.
//! Custom sections (names, producers, target features) are then dropped: Nitro ignores them
//! but they would cost code size and leak build metadata.

use std::fmt;

use wasmparser::{Parser, Payload};

/// Name of the custom section cargo-stylus appends with a hash of the project sources.
pub const PROJECT_HASH_SECTION: &str = "project_hash";

/// Why a module could not be re-encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReencodeError {
    /// The input is not a WASM module the printer understands.
    Print(String),
    /// The printed text did not parse back (a printer/parser disagreement).
    Parse(String),
    /// The module's section structure is malformed.
    Sections(String),
}

impl fmt::Display for ReencodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Print(e) => write!(f, "cannot print wasm as text: {e}"),
            Self::Parse(e) => write!(f, "cannot parse printed wasm text back: {e}"),
            Self::Sections(e) => write!(f, "malformed wasm sections: {e}"),
        }
    }
}

impl std::error::Error for ReencodeError {}

/// Re-encodes a module through its text form, which canonicalises every instruction encoding.
pub fn round_trip(wasm: &[u8]) -> Result<Vec<u8>, ReencodeError> {
    let text =
        wasmprinter::print_bytes(wasm).map_err(|e| ReencodeError::Print(format!("{e:#}")))?;
    wat::parse_str(&text).map_err(|e| ReencodeError::Parse(e.to_string()))
}

/// Drops every custom (and unknown) section, keeping the other sections' bytes untouched.
pub fn strip_custom_sections(wasm: &[u8]) -> Result<Vec<u8>, ReencodeError> {
    let mut out = Vec::with_capacity(wasm.len());
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(|e| ReencodeError::Sections(e.to_string()))?;
        match payload {
            Payload::Version { range, .. } => out.extend_from_slice(&wasm[range]),
            Payload::CustomSection(_) | Payload::UnknownSection { .. } => {}
            other => {
                if let Some((id, range)) = other.as_section() {
                    out.push(id);
                    write_leb128(&mut out, range.len());
                    out.extend_from_slice(&wasm[range]);
                }
            }
        }
    }
    Ok(out)
}

/// Appends a custom section `name` holding `data` at the end of the module.
pub fn append_custom_section(wasm: &mut Vec<u8>, name: &str, data: &[u8]) {
    let mut body = Vec::with_capacity(name.len() + data.len() + 5);
    write_leb128(&mut body, name.len());
    body.extend_from_slice(name.as_bytes());
    body.extend_from_slice(data);
    wasm.push(0);
    write_leb128(wasm, body.len());
    wasm.extend_from_slice(&body);
}

/// The whole pre-compression processing: [`round_trip`], [`strip_custom_sections`], then, when
/// `project_hash` is given, a `project_hash` custom section as cargo-stylus appends it.
pub fn process(wasm: &[u8], project_hash: Option<&[u8; 32]>) -> Result<Vec<u8>, ReencodeError> {
    let mut out = strip_custom_sections(&round_trip(wasm)?)?;
    if let Some(hash) = project_hash {
        append_custom_section(&mut out, PROJECT_HASH_SECTION, hash);
    }
    Ok(out)
}

fn write_leb128(out: &mut Vec<u8>, mut value: usize) {
    loop {
        // The mask keeps seven bits, so the cast cannot truncate.
        #[allow(clippy::cast_possible_truncation)]
        let byte = (value & 0x7F) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module whose `call_indirect` carries the padded table index rustc >= 1.82 emits.
    fn padded_call_indirect() -> Vec<u8> {
        let canonical = wat::parse_str(
            r#"(module
                (type $t (func (result i32)))
                (table 1 funcref)
                (func $f (type $t) (call_indirect (type $t) (i32.const 0)))
                (@custom "producers" "rustc"))"#,
        )
        .unwrap();
        // call_indirect is `11 <type> <table>`; rewrite the 1-byte table index 00 as 80 80 80 80 00.
        let at = canonical
            .windows(3)
            .position(|w| w == [0x41, 0x00, 0x11])
            .unwrap()
            + 4;
        assert_eq!(canonical[at], 0x00);
        let mut padded = canonical[..at].to_vec();
        padded.extend_from_slice(&[0x80, 0x80, 0x80, 0x80, 0x00]);
        padded.extend_from_slice(&canonical[at + 1..]);
        fix_code_section_sizes(&mut padded, 4);
        padded
    }

    /// Grows the code section and its single function body by `extra` bytes (both sizes are
    /// one-byte LEBs in this tiny module).
    fn fix_code_section_sizes(wasm: &mut [u8], extra: u8) {
        let code = Parser::new(0)
            .parse_all(wasm)
            .find_map(|p| match p {
                Ok(Payload::CodeSectionStart { range, .. }) => Some(range.start),
                _ => None,
            })
            .unwrap();
        wasm[code - 1] += extra;
        wasm[code + 1] += extra;
    }

    #[test]
    fn round_trip_removes_the_padded_table_index() {
        let padded = padded_call_indirect();
        let strict = wasmparser::WasmFeatures::MVP;
        let Err(error) = wasmparser::Validator::new_with_features(strict).validate_all(&padded)
        else {
            panic!("the padded encoding must be refused without reference types");
        };
        assert!(
            error.message().contains("zero byte expected"),
            "{}",
            error.message()
        );
        let processed = process(&padded, None).unwrap();
        assert!(wasmparser::Validator::new_with_features(strict)
            .validate_all(&processed)
            .is_ok());
        assert!(processed.len() + 4 < padded.len());
    }

    #[test]
    fn strip_drops_custom_sections_only() {
        let with_custom = wat::parse_str(
            r#"(module (memory 1) (@custom "name-ish" "x") (@custom "producers" "y"))"#,
        )
        .unwrap();
        let without = wat::parse_str("(module (memory 1))").unwrap();
        assert_ne!(with_custom, without);
        assert_eq!(strip_custom_sections(&with_custom).unwrap(), without);
    }

    #[test]
    fn project_hash_section_is_appended_last() {
        let wasm = wat::parse_str("(module (memory 1))").unwrap();
        let hash = [7u8; 32];
        let processed = process(&wasm, Some(&hash)).unwrap();
        let mut expected = wasm.clone();
        expected.extend_from_slice(&[0x00, 45, 12]);
        expected.extend_from_slice(b"project_hash");
        expected.extend_from_slice(&hash);
        assert_eq!(processed, expected);
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(matches!(
            round_trip(b"not wasm"),
            Err(ReencodeError::Print(_))
        ));
        assert!(matches!(
            strip_custom_sections(b"\0asm\x01\0\0\0\x01\xff"),
            Err(ReencodeError::Sections(_))
        ));
    }
}
