//! Build pipeline and deployment tooling of the XMTP Stylus programs.
//!
//! `xmtp build` compiles every program under `programs/` in one cargo invocation, turns each
//! raw WASM into Nitro-valid, cargo-stylus-identical init code ([`pipeline`]), writes the
//! artifacts under `target/stylus/`, refreshes the committed ABI files ([`abi`]) and prints a
//! size table. [`wiring`] writes per-implementation configuration into a program before it is
//! compressed.

use std::fmt;
use std::path::{Path, PathBuf};

pub mod abi;
pub mod cli;
pub mod demo;
pub mod deployer;
pub mod embedded;
pub mod local;
pub mod network;
pub mod pipeline;
pub mod programs;
pub mod report;
pub mod wiring;

pub use pipeline::{process, Artifact, Options, PipelineError};
pub use programs::{discover, Program, Workspace};

/// A failure of the tooling, with a one-line message.
#[derive(Debug)]
pub enum Error {
    /// Reading or writing a file failed.
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        message: String,
    },
    /// Cargo could not be run or failed.
    Cargo(String),
    /// A crate under `programs/` that [`programs::CONTRACTS`] does not map to a contract.
    UnknownProgram(String),
    /// A program did not make it through the pipeline.
    Program {
        /// Short program name.
        program: String,
        /// What went wrong.
        error: Box<PipelineError>,
    },
    /// The ABI artifacts could not be produced or are stale.
    Abi(String),
    /// The init code the Factory embeds is stale.
    Embedded(String),
    /// A transaction on a chain failed or did something other than predicted.
    Chain(String),
    /// A configuration or environment file is invalid or conflicts with what exists.
    Config(String),
}

impl Error {
    /// An I/O failure on `path`.
    pub fn io(path: &Path, error: &std::io::Error) -> Self {
        Self::Io {
            path: path.to_owned(),
            message: error.to_string(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io { path, message } => write!(f, "{}: {message}", path.display()),
            Self::Cargo(message)
            | Self::Abi(message)
            | Self::Embedded(message)
            | Self::Chain(message)
            | Self::Config(message) => write!(f, "{message}"),
            Self::UnknownProgram(name) => write!(
                f,
                "crate {name} under programs/ implements no known contract (add it to deploy/src/programs.rs)"
            ),
            Self::Program { program, error } => write!(f, "program {program}: {error}"),
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_program_failure_is_one_line_naming_the_program() {
        let error = Error::Program {
            program: "factory".into(),
            error: Box::new(PipelineError::CodeTooLarge(25_000)),
        };
        assert_eq!(
            error.to_string(),
            "program factory: on-chain code is 25,000 bytes, over the 24,576-byte limit"
        );
        let unknown = Error::UnknownProgram("xmtp-widget".into());
        assert_eq!(
            unknown.to_string(),
            "crate xmtp-widget under programs/ implements no known contract (add it to deploy/src/programs.rs)"
        );
    }
}
