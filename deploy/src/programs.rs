//! Which crates are programs, and which reference contract each one implements.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::Error;

/// Program crate ↔ reference contract name: the one place that maps them. A crate under
/// `programs/` that is not listed here is refused, so a new program cannot silently ship
/// without its ABI.
pub const CONTRACTS: &[(&str, &str)] = &[
    ("xmtp-factory", "Factory"),
    ("xmtp-proxy", "Proxy"),
    ("xmtp-initializable", "Initializable"),
    ("xmtp-migrator", "Migrator"),
    ("xmtp-generic-eip1967-migrator", "GenericEIP1967Migrator"),
    (
        "xmtp-settlement-chain-parameter-registry",
        "SettlementChainParameterRegistry",
    ),
    (
        "xmtp-app-chain-parameter-registry",
        "AppChainParameterRegistry",
    ),
    ("xmtp-settlement-chain-gateway", "SettlementChainGateway"),
    ("xmtp-app-chain-gateway", "AppChainGateway"),
    ("xmtp-group-message-broadcaster", "GroupMessageBroadcaster"),
    (
        "xmtp-identity-update-broadcaster",
        "IdentityUpdateBroadcaster",
    ),
    ("xmtp-node-registry", "NodeRegistry"),
    ("xmtp-payer-registry", "PayerRegistry"),
    ("xmtp-rate-registry", "RateRegistry"),
    ("xmtp-payer-report-manager", "PayerReportManager"),
    ("xmtp-distribution-manager", "DistributionManager"),
    ("xmtp-fee-token", "FeeToken"),
    ("xmtp-deposit-splitter", "DepositSplitter"),
    // The reference's test-network stablecoin (`test/utils/Mocks.sol`): deployable, not in the
    // ABI manifest (see [`OUTSIDE_MANIFEST`]).
    ("xmtp-mock-underlying-fee-token", "MockUnderlyingFeeToken"),
];

/// Contracts of [`CONTRACTS`] the reference's ABI manifest does not have (its test mocks):
/// built and deployable like the others, without ABI artifacts under `abi/`.
pub const OUTSIDE_MANIFEST: &[&str] = &["MockUnderlyingFeeToken"];

/// The contract a program crate implements.
pub fn contract_of(crate_name: &str) -> Option<&'static str> {
    CONTRACTS
        .iter()
        .find(|(c, _)| *c == crate_name)
        .map(|(_, contract)| *contract)
}

/// A program crate of the workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Program {
    /// Cargo package name, e.g. `xmtp-factory`.
    pub crate_name: String,
    /// Reference contract name, e.g. `Factory`.
    pub contract: &'static str,
    /// Short name used for artifact folders, e.g. `factory`.
    pub name: String,
}

impl Program {
    /// File name of the library artifact cargo writes for this crate.
    pub fn wasm_file_name(&self) -> String {
        format!("{}.wasm", self.crate_name.replace('-', "_"))
    }
}

/// The workspace as the pipeline sees it.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// Workspace root (holds the root `Cargo.toml`).
    pub root: PathBuf,
    /// Cargo's target directory.
    pub target_dir: PathBuf,
    /// Every program crate under `programs/`, sorted by name.
    pub programs: Vec<Program>,
}

/// Finds the workspace containing `dir` and its program crates: packages under `programs/`
/// with a `cdylib` target.
pub fn discover(dir: &Path) -> Result<Workspace, Error> {
    let output = Command::new(cargo())
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .current_dir(dir)
        .output()
        .map_err(|e| Error::Cargo(format!("cannot run cargo metadata: {e}")))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first = stderr
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no output");
        return Err(Error::Cargo(format!("cargo metadata failed: {first}")));
    }
    let metadata: Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| Error::Cargo(format!("cargo metadata printed invalid JSON: {e}")))?;
    let path = |key: &str| {
        metadata[key]
            .as_str()
            .map(PathBuf::from)
            .ok_or_else(|| Error::Cargo(format!("cargo metadata has no {key}")))
    };
    let root = path("workspace_root")?;
    let target_dir = path("target_directory")?;
    let programs_dir = root.join("programs");
    let mut programs = Vec::new();
    for package in metadata["packages"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let manifest = package["manifest_path"].as_str().map(Path::new);
        if !manifest.is_some_and(|m| m.starts_with(&programs_dir)) || !is_cdylib(package) {
            continue;
        }
        let crate_name = package["name"].as_str().unwrap_or_default().to_owned();
        let contract =
            contract_of(&crate_name).ok_or_else(|| Error::UnknownProgram(crate_name.clone()))?;
        let name = crate_name
            .strip_prefix("xmtp-")
            .unwrap_or(&crate_name)
            .to_owned();
        programs.push(Program {
            crate_name,
            contract,
            name,
        });
    }
    programs.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Workspace {
        root,
        target_dir,
        programs,
    })
}

fn is_cdylib(package: &Value) -> bool {
    package["targets"].as_array().is_some_and(|targets| {
        targets.iter().any(|t| {
            t["crate_types"]
                .as_array()
                .is_some_and(|kinds| kinds.iter().any(|k| k == "cdylib"))
        })
    })
}

/// The cargo that runs us when started through cargo, so the pinned toolchain is used.
pub(crate) fn cargo() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_crate_and_contract_is_mapped_once() {
        let mut crates: Vec<_> = CONTRACTS.iter().map(|(c, _)| *c).collect();
        let mut contracts: Vec<_> = CONTRACTS.iter().map(|(_, c)| *c).collect();
        crates.sort_unstable();
        crates.dedup();
        contracts.sort_unstable();
        contracts.dedup();
        assert_eq!(
            (crates.len(), contracts.len()),
            (CONTRACTS.len(), CONTRACTS.len())
        );
        assert_eq!(contract_of("xmtp-migrator"), Some("Migrator"));
        assert_eq!(contract_of("xmtp-unknown"), None);
    }

    #[test]
    fn discovers_the_program_crates_of_this_workspace() {
        let workspace = discover(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap();
        assert!(workspace.root.join("programs").is_dir());
        let found: Vec<_> = workspace
            .programs
            .iter()
            .filter(|p| {
                ["factory", "initializable", "migrator", "proxy"].contains(&p.name.as_str())
            })
            .map(|p| (p.crate_name.as_str(), p.contract))
            .collect();
        assert_eq!(
            found,
            [
                ("xmtp-factory", "Factory"),
                ("xmtp-initializable", "Initializable"),
                ("xmtp-migrator", "Migrator"),
                ("xmtp-proxy", "Proxy"),
            ]
        );
        let factory = workspace
            .programs
            .iter()
            .find(|p| p.name == "factory")
            .unwrap();
        assert_eq!(factory.wasm_file_name(), "xmtp_factory.wasm");
    }
}
