//! The main job: deploy the whole network with the [`deployer`](crate::deployer) on a fresh
//! two-chain devnet (settlement chain 84532, app chain 351243127, the reference testnets' ids,
//! linked by the devnet's Arbitrum bridge) and exercise it end to end.
//!
//! Each scenario checks its outcome; [`run`] returns the addresses, every transaction with its
//! gas, the checks that held and the program sizes, for the CLI to print next to the Solidity
//! reference's gas ([`solidity_gas`], from `data/gas-solidity.md`).

use alloy_primitives::{Address, Bytes, FixedBytes, U256};
use alloy_sol_types::SolCall;
use xmtp_abi::group_message_broadcaster::IGroupMessageBroadcaster;
use xmtp_devnet_node::{DevnetConfig, Side};

use crate::deployer::{self, Deployer, InProcess, Plan};
use crate::network::{Programs, Step};
use crate::Error;

/// Settlement chain id (Base Sepolia in the reference's testnets).
pub const SETTLEMENT_CHAIN_ID: u64 = 84_532;
/// App chain id (the reference's testnet XMTP L3).
pub const APP_CHAIN_ID: u64 = 351_243_127;
/// Salt of the gateway proxies (reference config `Gateway_0_0`).
pub const GATEWAY_SALT: &str = "Gateway_0_0";

/// The program crates the demo deploys.
pub const PROGRAMS: &[&str] = &[
    "xmtp-proxy",
    "xmtp-initializable",
    "xmtp-factory",
    "xmtp-generic-eip1967-migrator",
    "xmtp-settlement-chain-parameter-registry",
    "xmtp-app-chain-parameter-registry",
    "xmtp-settlement-chain-gateway",
    "xmtp-app-chain-gateway",
    "xmtp-fee-token",
    "xmtp-payer-registry",
    "xmtp-rate-registry",
    "xmtp-node-registry",
    "xmtp-payer-report-manager",
    "xmtp-distribution-manager",
    "xmtp-deposit-splitter",
    "xmtp-group-message-broadcaster",
    "xmtp-identity-update-broadcaster",
];

/// The Solidity reference's gas figures, measured by the specification's authors.
const SOLIDITY_GAS: &str = include_str!("../data/gas-solidity.md");

/// What the run did.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// (chain, contract, address) of everything deployed.
    pub addresses: Vec<(String, String, Address)>,
    /// Every transaction, in order, with its receipt gas.
    pub steps: Vec<Step>,
    /// The outcomes checked along the way.
    pub checks: Vec<String>,
    /// Contracts not deployed, with the reason.
    pub skipped: Vec<String>,
    /// (contract, on-chain code size in bytes) of every deployed program.
    pub sizes: Vec<(String, usize)>,
}

impl Report {
    fn check(&mut self, holds: bool, what: String) -> Result<(), Error> {
        if !holds {
            return Err(Error::Chain(format!("check failed: {what}")));
        }
        self.checks.push(what);
        Ok(())
    }
}

/// The reference's receipt gas for the operation a step label names, on the chain of
/// `chain_id`, when `data/gas-solidity.md` has it.
pub fn solidity_gas(label: &str, chain_id: u64) -> Option<u64> {
    let chain = if chain_id == APP_CHAIN_ID {
        "app"
    } else {
        "settlement"
    };
    // `X.updateY()` and `X.updateInbox(uint256)` are `X.updateY` there.
    let operation = label.split('(').next().unwrap_or(label).trim_end();
    SOLIDITY_GAS.lines().find_map(|line| {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let [_, name, _, total, notes, ..] = cells.as_slice() else {
            return None;
        };
        let name = name.strip_suffix(" (CREATE)").unwrap_or(name);
        let chain_matches = !notes.contains("chain=") || notes.contains(&format!("chain={chain}"));
        (name == label || name == operation)
            .then_some(())
            .filter(|()| chain_matches)
            .and_then(|()| total.replace(',', "").parse().ok())
    })
}

/// Deploys both chains and runs every scenario.
pub fn run(programs: &Programs) -> Result<Report, Error> {
    let mut report = Report::default();
    let config = deployer::devnet_config(programs, SETTLEMENT_CHAIN_ID, APP_CHAIN_ID)?;
    let plan = Plan::new(&config, programs)?;
    let mut devnet = deployer::devnet_for(&plan, DevnetConfig::default())?;
    let mut backend = InProcess::new(&mut devnet);

    let outcome = Deployer::new(&mut backend, plan.clone())?.deploy()?;
    report.steps = outcome.steps;
    report.skipped = outcome.skipped;
    for (chain, side) in [("settlement", Side::Settlement), ("app", Side::App)] {
        report
            .addresses
            .push((chain.into(), "Factory".into(), plan.factory));
        for unit in plan.units.iter().filter(|u| u.side == side) {
            if unit.init_code.is_ok() {
                report
                    .addresses
                    .push((chain.into(), unit.contract.into(), unit.address()));
            }
        }
    }
    for unit in plan.units.iter().filter(|u| u.init_code.is_ok()) {
        let words: Vec<(&str, [u8; 32])> = unit.wiring.iter().map(|(n, w)| (*n, w.0)).collect();
        let code = programs.wired(unit.crate_name, &words, None)?.code;
        report.sizes.push((unit.contract.into(), code.len()));
    }

    let mut deployer = Deployer::new(&mut backend, plan.clone())?;
    let checks = deployer.check()?;
    let failed: Vec<String> = checks
        .iter()
        .filter_map(|c| c.failure.as_ref().map(|f| format!("{}: {f}", c.what)))
        .collect();
    report.check(
        failed.is_empty(),
        format!(
            "{} deployment checks hold (code hashes, activation, proxies, versions, wiring, parameters on both chains){}",
            checks.len(),
            if failed.is_empty() { String::new() } else { format!(": {}", failed.join("; ")) }
        ),
    )?;
    let gateway = plan
        .unit("AppChainGateway", Side::App)
        .map(deployer::Unit::address);
    report.check(
        gateway == Some(plan.gateway),
        format!(
            "Factory {}, parameter registry {} and gateway {} have the same address on both chains",
            plan.factory, plan.parameter_registry, plan.gateway
        ),
    )?;

    broadcast(&mut deployer, &plan, &mut report)?;
    let upgrade = deployer.upgrade(programs, "GroupMessageBroadcaster", "demo-v2")?;
    report.check(
        upgrade.to != upgrade.from && upgrade.changed.is_empty(),
        format!(
            "GroupMessageBroadcaster upgraded from {} to {} through migrator {} (key {} bridged to the app chain); its public state is unchanged",
            upgrade.from, upgrade.to, upgrade.migrator, upgrade.migrator_key
        ),
    )?;
    report.steps.append(&mut deployer.steps);
    Ok(report)
}

/// A payer's node sends a 100-byte group message on the app chain.
fn broadcast(deployer: &mut Deployer<'_>, plan: &Plan, report: &mut Report) -> Result<(), Error> {
    let broadcaster = plan
        .unit("GroupMessageBroadcaster", Side::App)
        .map(deployer::Unit::address)
        .ok_or_else(|| Error::Config("no GroupMessageBroadcaster in the plan".into()))?;
    let sender = plan.admins[0];
    let message: Vec<u8> = (0..100u8).collect();
    let sent = deployer.send(
        Side::App,
        "GroupMessageBroadcaster.addMessage — 100 B payload",
        sender,
        Some(broadcaster),
        Bytes::from(
            IGroupMessageBroadcaster::addMessageCall {
                groupId_: FixedBytes([0x42; 16]),
                message_: message.into(),
            }
            .abi_encode(),
        ),
        U256::ZERO,
    )?;
    report.check(
        sent.gas_used > 21_000,
        format!(
            "a 100-byte group message was broadcast on the app chain ({} gas)",
            sent.gas_used
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_labels_find_their_solidity_figures() {
        assert_eq!(
            solidity_gas("deploy Factory proxy", SETTLEMENT_CHAIN_ID),
            Some(105_099)
        );
        assert_eq!(
            solidity_gas("deploy impl GroupMessageBroadcaster", APP_CHAIN_ID),
            Some(1_418_049)
        );
        assert_eq!(
            solidity_gas(
                "SettlementChainGateway.updateInbox(uint256)",
                SETTLEMENT_CHAIN_ID
            ),
            Some(62_529)
        );
        assert_eq!(
            solidity_gas(
                "GroupMessageBroadcaster.addMessage — 100 B payload",
                APP_CHAIN_ID
            ),
            Some(37_533)
        );
        assert_eq!(
            solidity_gas("activate Proxy code", SETTLEMENT_CHAIN_ID),
            None
        );
    }
}
