//! On-chain size of every program, next to the reference's EVM runtime size.

use xmtp_deploy::network::Programs;
use xmtp_deploy::pipeline::CODE_SIZE_LIMIT;
use xmtp_deploy::{Error, PipelineError, Workspace};

/// One program's size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Size {
    /// Reference contract name.
    pub contract: String,
    /// Compressed on-chain code, prefix included (template build: wiring slots zero, as
    /// `xmtp build` measures). Programs over the limit still have a size.
    pub code: u64,
}

impl Size {
    /// Percentage of the 24,576-byte limit.
    pub fn percent_of_limit(&self) -> f64 {
        // Sizes are far below 2^52: the conversions are exact.
        #[allow(clippy::cast_precision_loss)]
        let ratio = self.code as f64 / CODE_SIZE_LIMIT as f64;
        ratio * 100.0
    }
}

/// The size of every program of `workspace` (already built into `programs`).
pub fn measure(workspace: &Workspace, programs: &Programs) -> Result<Vec<Size>, String> {
    workspace
        .programs
        .iter()
        .map(|program| {
            let code = match programs.artifact(&program.crate_name, &[]) {
                Ok(artifact) => artifact.code.len(),
                Err(Error::Program { error, .. }) => match *error {
                    PipelineError::CodeTooLarge(size) => size,
                    other => return Err(format!("{}: {other}", program.crate_name)),
                },
                Err(other) => return Err(other.to_string()),
            };
            Ok(Size {
                contract: program.contract.to_owned(),
                code: code as u64,
            })
        })
        .collect()
}
