//! The init code the Factory embeds: the Proxy's creation code and the Initializable's init
//! code, regenerated from those programs before the Factory is compiled, and the EVM proxy's
//! creation code (what the Factory deploys instead of the Proxy when its `proxyKind` wiring
//! says so).
//!
//! The Factory `include_bytes!`s `programs/factory/embedded/*.bin`, so these files are build
//! inputs under review like any source: `xmtp build` rewrites them when the Proxy or the
//! Initializable changed, and `--check` (and the test suite) fails when they are stale.

use std::path::PathBuf;

use crate::{pipeline, Error, Options, Program, Workspace};

/// How an embedded file is made from a program's on-chain code.
#[derive(Debug, Clone, Copy)]
enum Shape {
    /// The Proxy's EVM constructor prelude + runtime (the constructor argument is appended per
    /// deployment by the Factory).
    ProxyCreation,
    /// cargo-stylus's 43-byte init-code prelude + code.
    InitCode,
}

/// (program crate, file under `programs/factory/embedded/`, shape).
const EMBEDDED: &[(&str, &str, Shape)] = &[
    (
        "xmtp-proxy",
        "proxy-creation-code.bin",
        Shape::ProxyCreation,
    ),
    (
        "xmtp-initializable",
        "initializable-init-code.bin",
        Shape::InitCode,
    ),
];

/// The EVM proxy's creation code the Factory embeds: the shared constructor prelude and the
/// EVM runtime of [`xmtp_proxy::evm`] (no program to build).
pub const EVM_PROXY_CREATION_CODE: &str = "evm-proxy-creation-code.bin";

/// An embedded file and the bytes it must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbeddedFile {
    /// Where it lives.
    pub path: PathBuf,
    /// What it must contain.
    pub bytes: Vec<u8>,
}

/// Builds the embedded programs and returns the files the Factory must embed.
pub fn expected(workspace: &Workspace) -> Result<Vec<EmbeddedFile>, Error> {
    let programs: Vec<Program> = EMBEDDED
        .iter()
        .map(|(crate_name, _, _)| {
            workspace
                .programs
                .iter()
                .find(|program| program.crate_name == *crate_name)
                .cloned()
                .ok_or_else(|| {
                    Error::UnknownProgram(format!(
                        "{crate_name} (embedded by the Factory) is missing"
                    ))
                })
        })
        .collect::<Result<_, _>>()?;
    let subset = Workspace {
        programs,
        ..workspace.clone()
    };
    let raw_paths = pipeline::build_programs(&subset)?;
    let dir = workspace.root.join("programs/factory/embedded");
    let evm_proxy = EmbeddedFile {
        path: dir.join(EVM_PROXY_CREATION_CODE),
        bytes: xmtp_proxy::creation_code(&xmtp_proxy::evm::runtime()),
    };
    EMBEDDED
        .iter()
        .zip(subset.programs.iter().zip(raw_paths))
        .map(|((_, file, shape), (program, raw_path))| {
            let raw = std::fs::read(&raw_path).map_err(|e| Error::io(&raw_path, &e))?;
            let artifact =
                pipeline::process(&raw, &Options::default()).map_err(|error| Error::Program {
                    program: program.name.clone(),
                    error: Box::new(error),
                })?;
            let bytes = match shape {
                Shape::ProxyCreation => xmtp_proxy::creation_code(&artifact.code),
                Shape::InitCode => artifact.init_code,
            };
            Ok(EmbeddedFile {
                path: dir.join(file),
                bytes,
            })
        })
        .chain([Ok(evm_proxy)])
        .collect()
}

/// The embedded files whose committed bytes differ from `expected`.
pub fn stale(expected: &[EmbeddedFile]) -> Vec<PathBuf> {
    expected
        .iter()
        .filter(|file| std::fs::read(&file.path).ok().as_deref() != Some(file.bytes.as_slice()))
        .map(|file| file.path.clone())
        .collect()
}

/// Rewrites the stale files; returns which were rewritten.
pub fn refresh(expected: &[EmbeddedFile]) -> Result<Vec<PathBuf>, Error> {
    let stale = stale(expected);
    for file in expected.iter().filter(|file| stale.contains(&file.path)) {
        std::fs::write(&file.path, &file.bytes).map_err(|e| Error::io(&file.path, &e))?;
    }
    Ok(stale)
}
