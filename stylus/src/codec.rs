//! The on-chain code format of a Stylus program and the init code that deploys it.
//!
//! On chain a program is `EF F0 00 <dictionary>` followed by the brotli-compressed WASM. We
//! always write dictionary `00` (none) and compress with the brotli C library at quality 11,
//! window 22, exactly as cargo-stylus 0.10.10 does through `brotli2` 0.3.2: the code hash (and
//! so every CREATE2 address) depends on those bytes, and the pure-Rust brotli port produces a
//! different stream for the same settings.
//!
//! The init code is cargo-stylus's 43-byte EVM prelude (`PUSH32 len; DUP1; PUSH1 43; PUSH1 0;
//! CODECOPY; PUSH1 0; RETURN` and a version byte) followed by the code; a runtime executing a
//! CREATE can recognise it with [`parse_init_code`] instead of interpreting EVM bytecode.

use std::fmt;
use std::io::Read;

use brotli2::read::{BrotliDecoder, BrotliEncoder};

/// Prefix of a classic (non-fragmented) Stylus program without a compression dictionary.
pub const PREFIX: [u8; 4] = [0xEF, 0xF0, 0x00, 0x00];

/// Largest decompressed WASM Nitro accepts (`MaxWasmSize`, 128 KiB).
pub const MAX_WASM_SIZE: usize = 128 * 1024;

/// Largest deployed code (EIP-170 `MaxCodeSize`), prefix included.
pub const MAX_CODE_SIZE: usize = 24_576;

/// Length of the init-code prelude, version byte included: the code starts at this offset.
pub const PRELUDE_LEN: usize = PRELUDE_LEN_BYTE as usize;

const PRELUDE_LEN_BYTE: u8 = 43;

/// The brotli quality cargo-stylus uses (the maximum).
const BROTLI_QUALITY: u32 = 11;

/// The prelude bytes after `PUSH32 <len>`: `DUP1 PUSH1 43 PUSH1 0 CODECOPY PUSH1 0 RETURN`, then
/// the version byte 0.
const PRELUDE_TAIL: [u8; 10] = [
    0x80,
    0x60,
    PRELUDE_LEN_BYTE,
    0x60,
    0x00,
    0x39,
    0x60,
    0x00,
    0xF3,
    0x00,
];

const PUSH32: u8 = 0x7F;

/// Why bytes are not valid Stylus code or init code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodecError {
    /// The code does not start with `EF F0 00`.
    NotStylus,
    /// The dictionary byte is not `00`; we only produce and read dictionary-less code.
    UnsupportedDictionary(u8),
    /// The brotli stream is malformed or truncated.
    Corrupt(String),
    /// Decompression would exceed [`MAX_WASM_SIZE`].
    TooLarge,
    /// The bytes do not start with the 43-byte cargo-stylus prelude.
    NotStylusInitCode,
    /// The prelude's length does not match the bytes that follow it.
    InitCodeLength {
        /// Length the prelude declares.
        declared: u64,
        /// Bytes actually following the prelude.
        actual: usize,
    },
    /// The compressor failed (only an I/O failure of the in-memory reader could cause it).
    Compress(String),
}

impl fmt::Display for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotStylus => write!(f, "code does not start with the Stylus prefix EF F0 00"),
            Self::UnsupportedDictionary(d) => {
                write!(
                    f,
                    "unsupported brotli dictionary {d:#04x} (only 00 is supported)"
                )
            }
            Self::Corrupt(e) => write!(f, "corrupt brotli stream: {e}"),
            Self::TooLarge => {
                write!(
                    f,
                    "decompressed wasm exceeds {MAX_WASM_SIZE} bytes (MaxWasmSize)"
                )
            }
            Self::NotStylusInitCode => {
                write!(
                    f,
                    "init code does not start with the 43-byte Stylus prelude"
                )
            }
            Self::InitCodeLength { declared, actual } => write!(
                f,
                "init code prelude declares {declared} bytes of code but {actual} follow it"
            ),
            Self::Compress(e) => write!(f, "brotli compression failed: {e}"),
        }
    }
}

impl std::error::Error for CodecError {}

/// Compresses `wasm` with brotli quality 11, window 22 (cargo-stylus's exact stream).
pub fn compress(wasm: &[u8]) -> Result<Vec<u8>, CodecError> {
    let mut out = Vec::new();
    BrotliEncoder::new(wasm, BROTLI_QUALITY)
        .read_to_end(&mut out)
        .map_err(|e| CodecError::Compress(e.to_string()))?;
    Ok(out)
}

/// Decompresses a brotli stream, refusing output larger than [`MAX_WASM_SIZE`].
pub fn decompress(compressed: &[u8]) -> Result<Vec<u8>, CodecError> {
    let mut out = Vec::new();
    // One byte past the limit is enough to tell "exactly at the limit" from "over it" without
    // inflating an arbitrarily large bomb.
    let limit = MAX_WASM_SIZE as u64 + 1;
    BrotliDecoder::new(compressed)
        .take(limit)
        .read_to_end(&mut out)
        .map_err(|e| CodecError::Corrupt(e.to_string()))?;
    if out.len() > MAX_WASM_SIZE {
        return Err(CodecError::TooLarge);
    }
    Ok(out)
}

/// Turns processed WASM into on-chain code: [`PREFIX`] followed by [`compress`]`(wasm)`.
pub fn encode_code(wasm: &[u8]) -> Result<Vec<u8>, CodecError> {
    let compressed = compress(wasm)?;
    let mut code = Vec::with_capacity(PREFIX.len() + compressed.len());
    code.extend_from_slice(&PREFIX);
    code.extend_from_slice(&compressed);
    Ok(code)
}

/// Whether `code` carries the Stylus prefix `EF F0 00` (any dictionary), i.e. is meant to run
/// as WASM rather than EVM bytecode.
pub fn is_stylus_code(code: &[u8]) -> bool {
    code.starts_with(&PREFIX[..3])
}

/// Recovers the WASM from on-chain code, enforcing the prefix, dictionary 0 and
/// [`MAX_WASM_SIZE`].
pub fn decode_code(code: &[u8]) -> Result<Vec<u8>, CodecError> {
    if !is_stylus_code(code) || code.len() < PREFIX.len() {
        return Err(CodecError::NotStylus);
    }
    match code[3] {
        0 => decompress(&code[PREFIX.len()..]),
        other => Err(CodecError::UnsupportedDictionary(other)),
    }
}

/// Wraps deployed code in the 43-byte prelude that returns it from a contract creation.
pub fn init_code(code: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(PRELUDE_LEN + code.len());
    out.push(PUSH32);
    let mut len = [0u8; 32];
    len[24..].copy_from_slice(&(code.len() as u64).to_be_bytes());
    out.extend_from_slice(&len);
    out.extend_from_slice(&PRELUDE_TAIL);
    out.extend_from_slice(code);
    out
}

/// Returns the code a prelude-wrapped init code deploys, or an error when `init_code` is not
/// exactly a prelude followed by the number of bytes it declares.
pub fn parse_init_code(init_code: &[u8]) -> Result<&[u8], CodecError> {
    if init_code.len() < PRELUDE_LEN
        || init_code[0] != PUSH32
        || init_code[33..PRELUDE_LEN] != PRELUDE_TAIL
    {
        return Err(CodecError::NotStylusInitCode);
    }
    let code = &init_code[PRELUDE_LEN..];
    let declared = &init_code[1..33];
    let (high, low) = declared.split_at(24);
    let low = u64::from_be_bytes(low.try_into().expect("8 bytes"));
    let declared_fits = high.iter().all(|b| *b == 0);
    if !declared_fits || usize::try_from(low).ok() != Some(code.len()) {
        let declared = if declared_fits { low } else { u64::MAX };
        return Err(CodecError::InitCodeLength {
            declared,
            actual: code.len(),
        });
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_round_trips() {
        let wasm = wat::parse_str("(module (memory 1) (export \"memory\" (memory 0)))").unwrap();
        let code = encode_code(&wasm).unwrap();
        assert_eq!(&code[..4], &PREFIX);
        assert_eq!(decode_code(&code).unwrap(), wasm);
    }

    #[test]
    fn decode_refuses_other_prefixes_and_dictionaries() {
        assert_eq!(decode_code(&[0x60, 0x00]), Err(CodecError::NotStylus));
        assert_eq!(decode_code(&[0xEF, 0xF0, 0x00]), Err(CodecError::NotStylus));
        assert_eq!(
            decode_code(&[0xEF, 0xF0, 0x00, 0x01, 0x00]),
            Err(CodecError::UnsupportedDictionary(1))
        );
    }

    #[test]
    fn decompress_refuses_corrupt_streams() {
        assert!(matches!(
            decompress(&[0xFF, 0xFF, 0xFF]),
            Err(CodecError::Corrupt(_))
        ));
    }

    #[test]
    fn decompress_accepts_the_limit_and_refuses_one_byte_more() {
        let at_limit = vec![0u8; MAX_WASM_SIZE];
        assert_eq!(
            decompress(&compress(&at_limit).unwrap()).unwrap().len(),
            MAX_WASM_SIZE
        );
        let over = vec![0u8; MAX_WASM_SIZE + 1];
        assert_eq!(
            decompress(&compress(&over).unwrap()),
            Err(CodecError::TooLarge)
        );
    }

    #[test]
    fn init_code_has_the_cargo_stylus_prelude() {
        let code = [0xEF, 0xF0, 0x00, 0x00, 0xAA];
        let init = init_code(&code);
        let mut expected = vec![0x7F];
        expected.extend_from_slice(&[0; 31]);
        expected.extend_from_slice(&[
            5, 0x80, 0x60, 0x2B, 0x60, 0x00, 0x39, 0x60, 0x00, 0xF3, 0x00,
        ]);
        expected.extend_from_slice(&code);
        assert_eq!(init, expected);
        assert_eq!(parse_init_code(&init).unwrap(), code);
    }

    #[test]
    fn parse_init_code_refuses_other_bytecode_and_bad_lengths() {
        assert_eq!(
            parse_init_code(&[0x60, 0x00, 0xF3]),
            Err(CodecError::NotStylusInitCode)
        );
        let mut init = init_code(&[1, 2, 3]);
        init.push(4);
        assert_eq!(
            parse_init_code(&init),
            Err(CodecError::InitCodeLength {
                declared: 3,
                actual: 4
            })
        );
        let mut huge = init_code(&[1]);
        huge[1] = 1;
        assert_eq!(
            parse_init_code(&huge),
            Err(CodecError::InitCodeLength {
                declared: u64::MAX,
                actual: 1
            })
        );
    }
}
