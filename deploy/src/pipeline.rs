//! From a raw `cargo build` WASM to deployable init code, with Nitro's checks on the way.
//!
//! Order matters: re-encode first (the raw module is invalid for Nitro), patch the wiring
//! before compression (the values are part of the code hash), validate exactly the bytes that
//! get compressed, and gate on the compressed size that EIP-170 limits.

use std::borrow::Cow;
use std::fmt::{self, Write as _};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use alloy_primitives::{hex, keccak256};
use serde_json::json;
use xmtp_stylus::codec::{self, CodecError};
use xmtp_stylus::reencode::{self, ReencodeError};
use xmtp_stylus::validate::{self, ModuleInfo, ValidationError};

use crate::programs::{self, Program, Workspace};
use crate::wiring::{self, WiringError};
use crate::Error;

/// Largest deployed code, prefix included (EIP-170, Arbitrum's default).
pub const CODE_SIZE_LIMIT: usize = codec::MAX_CODE_SIZE;

/// What to add to a program on its way to init code.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options<'a> {
    /// Wiring values by slot name, naming every slot of the program's wiring block exactly
    /// once. `None` builds a template: the block keeps its zero slots (sizes are the same, the
    /// code is not deployable as such).
    pub wiring: Option<&'a [(&'a str, [u8; 32])]>,
    /// A `project_hash` custom section to append, as cargo-stylus does (only needed to
    /// reproduce cargo-stylus's bytes; it costs 47 bytes of uncompressed code).
    pub project_hash: Option<[u8; 32]>,
}

/// Why a program cannot be deployed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PipelineError {
    /// The module could not be re-encoded.
    Reencode(ReencodeError),
    /// Nitro would refuse the module.
    Invalid(ValidationError),
    /// The wiring could not be written.
    Wiring(WiringError),
    /// Compression failed.
    Codec(CodecError),
    /// The processed module is over Nitro's 128 KiB `MaxWasmSize`.
    WasmTooLarge(usize),
    /// The on-chain code is over [`CODE_SIZE_LIMIT`].
    CodeTooLarge(usize),
}

impl fmt::Display for PipelineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Reencode(e) => write!(f, "{e}"),
            Self::Invalid(e) => write!(f, "invalid for Nitro: {e}"),
            Self::Wiring(e) => write!(f, "wiring: {e}"),
            Self::Codec(e) => write!(f, "{e}"),
            Self::WasmTooLarge(size) => write!(
                f,
                "processed wasm is {} bytes, over the {}-byte MaxWasmSize",
                thousands(*size),
                thousands(codec::MAX_WASM_SIZE)
            ),
            Self::CodeTooLarge(size) => write!(
                f,
                "on-chain code is {} bytes, over the {}-byte limit",
                thousands(*size),
                thousands(CODE_SIZE_LIMIT)
            ),
        }
    }
}

impl std::error::Error for PipelineError {}

/// A program ready to deploy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    /// Size of the WASM cargo produced.
    pub raw_size: usize,
    /// The module Nitro sees: re-encoded, stripped, wired.
    pub processed: Vec<u8>,
    /// On-chain code: `EF F0 00 00` + brotli(processed).
    pub code: Vec<u8>,
    /// Init code: the 43-byte prelude + code.
    pub init_code: Vec<u8>,
    /// Facts from validation (memory pages, hostios, ...).
    pub info: ModuleInfo,
    /// Names of the program's wiring slots, in slot order.
    pub wiring: Vec<String>,
    /// Whether the wiring slots were written (false for a template build).
    pub wired: bool,
}

impl Artifact {
    /// keccak256 of the on-chain code (what activation is keyed by).
    pub fn code_hash(&self) -> [u8; 32] {
        keccak256(&self.code).0
    }

    /// keccak256 of the init code (what CREATE2 addresses and the Factory's salt use).
    pub fn init_code_hash(&self) -> [u8; 32] {
        keccak256(&self.init_code).0
    }

    /// On-chain size as a percentage of [`CODE_SIZE_LIMIT`].
    pub fn percent_of_limit(&self) -> f64 {
        // Sizes are far below 2^52, so the conversion is exact.
        #[allow(clippy::cast_precision_loss)]
        let ratio = self.code.len() as f64 / CODE_SIZE_LIMIT as f64;
        ratio * 100.0
    }
}

/// Runs the whole pipeline on a raw WASM: re-encode, patch wiring, strip, validate, compress,
/// prefix, wrap in init code, and gate on the limits.
pub fn process(raw: &[u8], options: &Options<'_>) -> Result<Artifact, PipelineError> {
    let round_tripped = reencode::round_trip(raw).map_err(PipelineError::Reencode)?;
    // Validating before stripping keeps the `name` section, so a refusal can name the function.
    validate::validate(&round_tripped).map_err(PipelineError::Invalid)?;
    let wired = match options.wiring {
        Some(values) => {
            Cow::Owned(wiring::patch_wiring(&round_tripped, values).map_err(PipelineError::Wiring)?)
        }
        None => Cow::Borrowed(&round_tripped),
    };
    let wiring_names = wiring::wiring_names(&wired).map_err(PipelineError::Wiring)?;
    let mut processed = reencode::strip_custom_sections(&wired).map_err(PipelineError::Reencode)?;
    if let Some(hash) = &options.project_hash {
        reencode::append_custom_section(&mut processed, reencode::PROJECT_HASH_SECTION, hash);
    }
    let info = validate::validate(&processed).map_err(PipelineError::Invalid)?;
    if processed.len() > codec::MAX_WASM_SIZE {
        return Err(PipelineError::WasmTooLarge(processed.len()));
    }
    let code = codec::encode_code(&processed).map_err(PipelineError::Codec)?;
    if code.len() > CODE_SIZE_LIMIT {
        return Err(PipelineError::CodeTooLarge(code.len()));
    }
    let init_code = codec::init_code(&code);
    Ok(Artifact {
        raw_size: raw.len(),
        processed,
        code,
        init_code,
        info,
        wiring: wiring_names,
        wired: options.wiring.is_some(),
    })
}

/// Builds every program in one cargo invocation and returns the raw WASM path of each, in the
/// order of `workspace.programs`. Cargo's own output goes to our stderr.
pub fn build_programs(workspace: &Workspace) -> Result<Vec<PathBuf>, Error> {
    if workspace.programs.is_empty() {
        return Ok(Vec::new());
    }
    let mut command = Command::new(programs::cargo());
    command
        .args([
            "build",
            "--locked",
            "--profile",
            "program",
            "--target",
            "wasm32-unknown-unknown",
        ])
        .arg("--lib")
        .args(["--config", &remap_paths_config(workspace)])
        .current_dir(&workspace.root);
    for program in &workspace.programs {
        command.args(["-p", &program.crate_name]);
    }
    let status = command
        .status()
        .map_err(|e| Error::Cargo(format!("cannot run cargo: {e}")))?;
    if !status.success() {
        return Err(Error::Cargo(format!(
            "cargo build of the programs failed ({status})"
        )));
    }
    let out_dir = workspace
        .target_dir
        .join("wasm32-unknown-unknown")
        .join("program");
    Ok(workspace
        .programs
        .iter()
        .map(|p| out_dir.join(p.wasm_file_name()))
        .collect())
}

/// Panic locations embed source paths in the WASM, so without remapping the code hash (and
/// every CREATE2 address) would depend on where the builder's cargo home and checkout live.
/// Cargo joins this array with the `.cargo/config.toml` rustflags instead of replacing them.
fn remap_paths_config(workspace: &Workspace) -> String {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")));
    let mut remaps = vec![(workspace.root.clone(), "/xmtp")];
    if let Some(cargo_home) = cargo_home {
        remaps.push((cargo_home, "/cargo"));
    }
    let flags: Vec<String> = remaps
        .iter()
        .map(|(from, to)| {
            let flag = format!("--remap-path-prefix={}={to}", from.display());
            serde_json::to_string(&flag).expect("a string serialises")
        })
        .collect();
    format!(
        "target.wasm32-unknown-unknown.rustflags=[{}]",
        flags.join(",")
    )
}

/// Writes a program's artifacts under `dir/<program>/`: `<program>.wasm` (processed),
/// `<program>.code` (on-chain bytes), `<program>.initcode` (binary) and `summary.json`.
pub fn write_artifacts(dir: &Path, program: &Program, artifact: &Artifact) -> Result<(), Error> {
    let dir = dir.join(&program.name);
    let write = |file: String, bytes: &[u8]| {
        let path = dir.join(file);
        fs::write(&path, bytes).map_err(|e| Error::io(&path, &e))
    };
    fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, &e))?;
    write(format!("{}.wasm", program.name), &artifact.processed)?;
    write(format!("{}.code", program.name), &artifact.code)?;
    write(format!("{}.initcode", program.name), &artifact.init_code)?;
    let summary = json!({
        "program": program.name,
        "crate": program.crate_name,
        "contract": program.contract,
        "rawSize": artifact.raw_size,
        "processedSize": artifact.processed.len(),
        "codeSize": artifact.code.len(),
        "initCodeSize": artifact.init_code.len(),
        "codeSizeLimit": CODE_SIZE_LIMIT,
        "codeHash": hex::encode_prefixed(artifact.code_hash()),
        "initCodeHash": hex::encode_prefixed(artifact.init_code_hash()),
        "memoryPages": artifact.info.memory_pages,
        "functions": artifact.info.functions,
        "hostios": artifact.info.imports,
        "wiring": artifact.wiring,
        "wired": artifact.wired,
    });
    let mut text = serde_json::to_string_pretty(&summary).expect("a JSON value serialises");
    text.push('\n');
    write("summary.json".to_owned(), text.as_bytes())
}

/// The size table: one row per program, like `forge build --sizes`, then each program's hostios.
pub fn size_table(rows: &[(&Program, &Artifact)]) -> String {
    let name_width = rows
        .iter()
        .map(|(p, _)| p.name.len())
        .fold("program".len(), usize::max);
    let contract_width = rows
        .iter()
        .map(|(p, _)| p.contract.len())
        .fold("contract".len(), usize::max);
    let mut out = format!(
        "{:<name_width$}  {:<contract_width$} {:>8} {:>10} {:>9} {:>12} {:>6} {:>8}\n",
        "program",
        "contract",
        "raw",
        "processed",
        "on-chain",
        format!("% of {}", thousands(CODE_SIZE_LIMIT)),
        "pages",
        "hostios"
    );
    for (program, artifact) in rows {
        let _ = writeln!(
            out,
            "{:<name_width$}  {:<contract_width$} {:>8} {:>10} {:>9} {:>11.1}% {:>6} {:>8}",
            program.name,
            program.contract,
            thousands(artifact.raw_size),
            thousands(artifact.processed.len()),
            thousands(artifact.code.len()),
            artifact.percent_of_limit(),
            artifact.info.memory_pages,
            artifact.info.imports.len()
        );
    }
    for (program, artifact) in rows {
        let _ = writeln!(
            out,
            "{} hostios: {}",
            program.name,
            artifact.info.imports.join(", ")
        );
    }
    out
}

/// `24576` -> `24,576`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROGRAM: &str = r#"
        (import "vm_hooks" "pay_for_memory_grow" (func (param i32)))
        (import "vm_hooks" "read_args" (func (param i32)))
        (memory (export "memory") 1)
        (func (export "user_entrypoint") (param i32) (result i32) i32.const 0)"#;

    fn module(extra: &str) -> Vec<u8> {
        wat::parse_str(format!("(module {PROGRAM} {extra})")).unwrap()
    }

    #[test]
    fn produces_prefixed_code_and_init_code() {
        let artifact = process(&module(""), &Options::default()).unwrap();
        assert_eq!(artifact.code[..4], codec::PREFIX);
        assert_eq!(
            codec::decode_code(&artifact.code).unwrap(),
            artifact.processed
        );
        assert_eq!(
            codec::parse_init_code(&artifact.init_code).unwrap(),
            artifact.code
        );
        assert_eq!(artifact.info.imports, ["pay_for_memory_grow", "read_args"]);
        assert_eq!(artifact.info.memory_pages, 1);
        assert!(artifact.wiring.is_empty());
    }

    #[test]
    fn strips_custom_sections_and_appends_the_project_hash_on_request() {
        let raw = module(r#"(@custom "producers" "rustc")"#);
        let plain = process(&raw, &Options::default()).unwrap();
        assert!(plain.processed.len() < raw.len());
        let hashed = process(
            &raw,
            &Options {
                project_hash: Some([9; 32]),
                ..Options::default()
            },
        )
        .unwrap();
        assert_eq!(hashed.processed.len(), plain.processed.len() + 47);
        assert!(hashed.processed.ends_with(&[9; 32]));
    }

    #[test]
    fn refuses_an_invalid_program_naming_the_function() {
        let raw = module("(func $halve (param f64) (result f64) local.get 0 f64.const 2 f64.div)");
        let error = process(&raw, &Options::default()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid for Nitro: function 3 `halve`: opcode f64.const is refused: floats are priced at u64::MAX ink, so this code can never run"
        );
    }

    #[test]
    fn refuses_code_over_the_limit() {
        // 30,000 pseudo-random bytes do not compress.
        let mut state = 0x2545_F491_4F6C_DD1D_u64;
        let mut noise = String::new();
        for _ in 0..30_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let _ = write!(noise, "\\{:02x}", state.to_le_bytes()[3]);
        }
        let error = process(
            &module(&format!(r#"(data (i32.const 0) "{noise}")"#)),
            &Options::default(),
        )
        .unwrap_err();
        let PipelineError::CodeTooLarge(size) = error else {
            panic!("unexpected {error}")
        };
        assert!(size > 30_000, "{size}");
        assert_eq!(
            error.to_string(),
            format!(
                "on-chain code is {} bytes, over the 24,576-byte limit",
                thousands(size)
            )
        );
    }

    #[test]
    fn the_size_table_has_a_row_per_program_and_lists_hostios() {
        let artifact = process(&module(""), &Options::default()).unwrap();
        let program = Program {
            crate_name: "xmtp-settlement-chain-gateway".into(),
            contract: "SettlementChainGateway",
            name: "settlement-chain-gateway".into(),
        };
        let table = size_table(&[(&program, &artifact)]);
        let expected = format!(
            "program                   contract                    raw  processed  on-chain  % of 24,576  pages  hostios\n\
             settlement-chain-gateway  SettlementChainGateway {:>8} {:>10} {:>9} {:>11.1}%      1        2\n\
             settlement-chain-gateway hostios: pay_for_memory_grow, read_args\n",
            artifact.raw_size,
            artifact.processed.len(),
            artifact.code.len(),
            artifact.percent_of_limit()
        );
        assert_eq!(table, expected);
    }

    #[test]
    fn formats_thousands() {
        assert_eq!(
            [0, 999, 1000, 24_576, 1_234_567].map(thousands),
            ["0", "999", "1,000", "24,576", "1,234,567"]
        );
    }
}
