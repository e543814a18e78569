//! The main job: deploy the whole network with the [`deployer`](crate::deployer) on a fresh
//! two-chain devnet (settlement chain 84532, app chain 351243127, the reference testnets' ids,
//! linked by the devnet's Arbitrum bridge) and run its lifecycle end to end:
//!
//! 1. seven nodes onboarded (minted to their operators, dev accounts 3 to 9, and made
//!    canonical), each with its own signing key;
//! 2. the protocol's fee recipient set and pulled;
//! 3. payers funded: mock USDC minted, wrapped into fee tokens and deposited in the
//!    `PayerRegistry` for nine payers, and a tenth funded through the `DepositSplitter`, whose
//!    app-chain half arrives through the bridge as native currency;
//! 4. a group message and an identity update broadcast on the app chain by that payer;
//! 5. a broadcaster parameter changed on the settlement chain, bridged and pulled on the app
//!    chain;
//! 6. a payer report over the ten payers, signed by four of the seven canonical nodes,
//!    submitted and settled by [`crate::report::run`] (the code of `xmtp report`);
//! 7. every node operator paid (claim, withdraw) and the protocol's fees claimed and withdrawn;
//! 8. the group message broadcaster upgraded through a migrator whose parameter is bridged.
//!
//! Each scenario checks its outcome (balances before and after, events, stored state) and the
//! run stops at the first check that does not hold. [`run`] returns the addresses, every
//! transaction with its gas, the checks that held, the report, the payouts and the program
//! sizes, for the CLI to print next to the Solidity reference's gas ([`solidity_gas`], from
//! `data/gas-solidity.md`).

use alloy::signers::k256::ecdsa::SigningKey;
use alloy_primitives::{keccak256, Address, Bytes, FixedBytes, Log, B256, U256};
use alloy_sol_types::{SolCall, SolEvent};
use xmtp_abi::{
    deposit_splitter::IDepositSplitter,
    distribution_manager::{Claim, IDistributionManager, ProtocolFeesWithdrawal},
    fee_token::IFeeToken,
    group_message_broadcaster::{IGroupMessageBroadcaster, MessageSent},
    identity_update_broadcaster::{IIdentityUpdateBroadcaster, IdentityUpdateCreated},
    mock_underlying_fee_token::IMockUnderlyingFeeToken,
    node_registry::INodeRegistry,
    payer_registry::{ExcessTransferred, IPayerRegistry, UsageSettled},
    payer_report_manager::{PayerReportSubmitted, PayerReportSubsetSettled},
};
use xmtp_devnet_node::{DevnetConfig, Side};
use xmtp_reports::PayerFee;

use crate::deployer::{self, Deployer, InProcess, Plan, Sent};
use crate::network::{Programs, Step};
use crate::report::{self as payer_report, NodeKey, ReportInput};
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

/// Nodes onboarded; their operators are dev accounts 3 to 9.
pub const NODES: usize = 7;
/// Nodes whose signatures the report carries (a majority of [`NODES`]).
pub const SIGNING_NODES: usize = 4;
/// Payers in the report.
pub const PAYERS: usize = 10;
/// Fee tokens (6 decimals) each payer has in the `PayerRegistry` before the report: 20 USD.
pub const PAYER_DEPOSIT: u64 = 20_000_000;
/// Fee tokens the `DepositSplitter` sends to the app chain for the funded payer: 5 USD.
pub const APP_CHAIN_DEPOSIT: u64 = 5_000_000;
/// Gas limit of the app-chain deposit's ticket.
const DEPOSIT_GAS_LIMIT: u64 = 100_000;
/// Fee-token units (6 decimals) to app-chain wei (18 decimals).
const NATIVE_SCALE: u64 = 1_000_000_000_000;
/// Where the protocol's share of the fees goes.
pub const PROTOCOL_FEES_RECIPIENT: Address = Address::new([
    0x70, 0x12, 0x07, 0x0c, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfe, 0xe5,
]);
/// The broadcasters' new maximum payload, set and bridged by the demo.
const NEW_MAX_PAYLOAD: u32 = 131_072;
/// The payer report's originator and period.
const ORIGINATOR: u32 = 100;
const END_SEQUENCE_ID: u64 = 500;
const END_MINUTE_SINCE_EPOCH: u32 = 29_000_000;

/// Dev accounts by role (account 0 deploys).
const ADMIN_ACCOUNT: usize = 1;
const PAYER_ACCOUNT: usize = 2;
const FIRST_OPERATOR_ACCOUNT: usize = 3;

/// The Solidity reference's gas figures, measured by the specification's authors.
const SOLIDITY_GAS: &str = include_str!("../data/gas-solidity.md");

/// Step labels whose Solidity row has another name: (label prefix, row). Adding a node costs
/// the same for every node there; the first canonical node is the reference's case for node
/// 100; every withdrawal after the first finds the manager funded.
const SOLIDITY_ROWS: &[(&str, &str)] = &[
    ("NodeRegistry.addNode ", "addNode — 1st node"),
    (
        "NodeRegistry.addToNetwork(100)",
        "addToNetwork — 1st canonical node",
    ),
    (
        "DistributionManager.withdraw — node ",
        "withdraw — second node (manager already funded)",
    ),
];

/// A node operator's payout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payout {
    /// The node.
    pub node_id: u32,
    /// Its operator (NFT owner), who claimed and received the fees.
    pub operator: Address,
    /// Fee tokens the operator received.
    pub paid: u128,
}

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
    /// The payer report, as `xmtp report` would print it.
    pub payer_report: Option<payer_report::Outcome>,
    /// What each node operator received.
    pub payouts: Vec<Payout>,
    /// What the protocol's fee recipient received.
    pub protocol_fees: u128,
    /// App-chain wei the deposit through the bridge credited to the payer.
    pub app_chain_deposit: U256,
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
    // `PayerReportManager.submit — …` is `submit — …` in its contract's section.
    let unqualified = label.split_once('.').map(|(_, rest)| rest);
    let alias = SOLIDITY_ROWS
        .iter()
        .find(|(prefix, _)| label.starts_with(prefix))
        .map(|(_, row)| *row);
    SOLIDITY_GAS.lines().find_map(|line| {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let [_, name, _, total, notes, ..] = cells.as_slice() else {
            return None;
        };
        let name = name.strip_suffix(" (CREATE)").unwrap_or(name);
        let chain_matches = !notes.contains("chain=") || notes.contains(&format!("chain={chain}"));
        let named =
            name == label || name == operation || Some(name) == unqualified || Some(name) == alias;
        (named && chain_matches)
            .then(|| total.replace(',', "").parse().ok())
            .flatten()
    })
}

/// The reference's deployed EVM bytecode size of `contract`, when `data/gas-solidity.md` has it.
pub fn solidity_size(contract: &str) -> Option<usize> {
    let table = SOLIDITY_GAS.split("## Runtime bytecode size").nth(1)?;
    table.lines().find_map(|line| {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let [_, name, bytes, _] = cells.as_slice() else {
            return None;
        };
        (*name == contract)
            .then(|| bytes.replace(',', "").parse().ok())
            .flatten()
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

    let mut demo = Lifecycle::new(backend, plan, report)?;
    demo.deployment_checks()?;
    demo.onboard_nodes()?;
    demo.protocol_fees_recipient()?;
    demo.fund_payers()?;
    demo.broadcast()?;
    demo.bridge_a_parameter()?;
    demo.payer_report()?;
    demo.pay_node_operators()?;
    demo.upgrade(programs)?;
    Ok(demo.report)
}

/// The devnet, the plan and what happened so far. Each scenario sends through a fresh
/// [`Deployer`] (so its steps are recorded and its chain ids checked) and then reads receipts
/// and native balances from the devnet itself, which the deployer's backend does not expose.
struct Lifecycle<'d> {
    backend: InProcess<'d>,
    plan: Plan,
    report: Report,
    accounts: Vec<Address>,
    contracts: Contracts,
    node_keys: Vec<SigningKey>,
    node_ids: Vec<u32>,
    payers: Vec<PayerFee>,
}

/// The deployed proxies (or, for the splitter, implementation) the lifecycle calls.
#[derive(Clone, Copy)]
struct Contracts {
    fee_token: Address,
    payer_registry: Address,
    node_registry: Address,
    payer_report_manager: Address,
    distribution_manager: Address,
    deposit_splitter: Address,
    group_messages: Address,
    identity_updates: Address,
}

impl Contracts {
    fn find(plan: &Plan) -> Result<Self, Error> {
        let address = |contract: &str, side: Side| {
            plan.unit(contract, side)
                .filter(|unit| unit.init_code.is_ok())
                .map(deployer::Unit::address)
                .ok_or_else(|| Error::Config(format!("{contract} is not deployed")))
        };
        Ok(Self {
            fee_token: address("FeeToken", Side::Settlement)?,
            payer_registry: address("PayerRegistry", Side::Settlement)?,
            node_registry: address("NodeRegistry", Side::Settlement)?,
            payer_report_manager: address("PayerReportManager", Side::Settlement)?,
            distribution_manager: address("DistributionManager", Side::Settlement)?,
            deposit_splitter: address("DepositSplitter", Side::Settlement)?,
            group_messages: address("GroupMessageBroadcaster", Side::App)?,
            identity_updates: address("IdentityUpdateBroadcaster", Side::App)?,
        })
    }
}

/// Node `index`'s signing key: fixed, so every run signs the same digests.
fn node_key(index: usize) -> SigningKey {
    let secret = keccak256(format!("xmtp demo node {index}"));
    SigningKey::from_slice(secret.as_slice()).expect("a keccak digest is a valid secp256k1 key")
}

/// The payers and their fees for the period (pico-dollars: 1.2 to 12.3 USD, none round).
fn payer_fees(funded_payer: Address) -> Vec<PayerFee> {
    (0..PAYERS)
        .map(|i| {
            let payer = if i == 0 {
                funded_payer
            } else {
                let mut bytes = [0u8; 20];
                bytes[0] = 0xa0;
                bytes[19] = u8::try_from(i).expect("ten payers");
                Address::new(bytes)
            };
            let n = i as u128;
            PayerFee {
                payer,
                fee: (n + 1) * 1_234_567_890_123 + 7 * n,
            }
        })
        .collect()
}

/// A log as the chain records it.
fn emitted<E: SolEvent>(address: Address, event: &E) -> Log {
    Log {
        address,
        data: event.encode_log_data(),
    }
}

impl<'d> Lifecycle<'d> {
    fn new(backend: InProcess<'d>, plan: Plan, report: Report) -> Result<Self, Error> {
        let accounts: Vec<Address> = backend
            .devnet
            .accounts()
            .iter()
            .map(|a| a.address)
            .collect();
        if accounts.len() < FIRST_OPERATOR_ACCOUNT + NODES {
            return Err(Error::Chain(format!(
                "the devnet has {} dev accounts; the demo needs {}",
                accounts.len(),
                FIRST_OPERATOR_ACCOUNT + NODES
            )));
        }
        let contracts = Contracts::find(&plan)?;
        let payers = payer_fees(accounts[PAYER_ACCOUNT]);
        Ok(Self {
            backend,
            plan,
            report,
            accounts,
            contracts,
            node_keys: (0..NODES).map(node_key).collect(),
            node_ids: Vec::new(),
            payers,
        })
    }

    /// Runs `scenario` with a deployer over the devnet, recording its transactions.
    fn with<T>(
        &mut self,
        scenario: impl FnOnce(&mut Deployer<'_>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mut deployer = Deployer::new(&mut self.backend, self.plan.clone())?;
        let result = scenario(&mut deployer);
        self.report.steps.append(&mut deployer.steps);
        result
    }

    fn view<C: SolCall>(&mut self, side: Side, to: Address, call: &C) -> Result<C::Return, Error> {
        self.with(|d| d.view(side, to, call))
    }

    fn check(&mut self, holds: bool, what: String) -> Result<(), Error> {
        self.report.check(holds, what)
    }

    /// The logs of a transaction this run sent.
    fn logs(&self, side: Side, sent: &Sent) -> Vec<Log> {
        self.backend
            .devnet
            .node(side)
            .tx(sent.hash)
            .map(|record| record.receipt.logs.clone())
            .unwrap_or_default()
    }

    fn native_balance(&self, side: Side, who: Address) -> U256 {
        self.backend.devnet.node(side).chain().balance(who)
    }

    fn fee_tokens(&mut self, who: Address) -> Result<u128, Error> {
        let balance = self.view(
            Side::Settlement,
            self.contracts.fee_token,
            &IFeeToken::balanceOfCall { account: who },
        )?;
        u128::try_from(balance).map_err(|_| Error::Chain(format!("{who} holds {balance}")))
    }

    fn registry_balance(&mut self, payer: Address) -> Result<i128, Error> {
        let balance = self.view(
            Side::Settlement,
            self.contracts.payer_registry,
            &IPayerRegistry::getBalanceCall { payer_: payer },
        )?;
        i128::try_from(balance).map_err(|_| Error::Chain(format!("{payer}'s balance {balance}")))
    }

    fn deployment_checks(&mut self) -> Result<(), Error> {
        let plan = self.plan.clone();
        // The method path names one deployer lifetime; `with` needs the closure for any.
        #[allow(clippy::redundant_closure_for_method_calls)]
        let checks = self.with(|d| d.check())?;
        let failed: Vec<String> = checks
            .iter()
            .filter_map(|c| c.failure.as_ref().map(|f| format!("{}: {f}", c.what)))
            .collect();
        self.check(
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
        self.check(
            gateway == Some(plan.gateway),
            format!(
                "Factory {}, parameter registry {} and gateway {} have the same address on both chains",
                plan.factory, plan.parameter_registry, plan.gateway
            ),
        )
    }

    /// Seven nodes minted to their operators and made canonical.
    fn onboard_nodes(&mut self) -> Result<(), Error> {
        let operators: Vec<Address> =
            self.accounts[FIRST_OPERATOR_ACCOUNT..FIRST_OPERATOR_ACCOUNT + NODES].to_vec();
        let keys = self.node_keys.clone();
        let added = self.with(|d| {
            let mut added = Vec::new();
            for (index, (operator, key)) in operators.iter().zip(&keys).enumerate() {
                let point = key.verifying_key().to_encoded_point(false);
                let (id, signer) = d.add_node(
                    *operator,
                    Bytes::copy_from_slice(point.as_bytes()),
                    format!("https://node{index}.demo.xmtp.example"),
                    true,
                )?;
                d.set_canonical(id, true)?;
                added.push((id, signer));
            }
            Ok(added)
        })?;
        let ids: Vec<u32> = added.iter().map(|(id, _)| *id).collect();
        let signers_match = added
            .iter()
            .zip(&keys)
            .all(|((_, signer), key)| *signer == xmtp_reports::signer_address(key));
        let mut canonical = self.view(
            Side::Settlement,
            self.contracts.node_registry,
            &INodeRegistry::getCanonicalNodesCall {},
        )?;
        canonical.sort_unstable();
        let mut owners = Vec::new();
        for id in &ids {
            owners.push(self.view(
                Side::Settlement,
                self.contracts.node_registry,
                &INodeRegistry::ownerOfCall {
                    tokenId: U256::from(*id),
                },
            )?);
        }
        self.check(
            ids == [100, 200, 300, 400, 500, 600, 700]
                && canonical == ids
                && signers_match
                && owners == operators,
            format!(
                "{NODES} nodes onboarded: ids {ids:?} minted to dev accounts {FIRST_OPERATOR_ACCOUNT}–{}, all canonical, each node's signer the address of its own key",
                FIRST_OPERATOR_ACCOUNT + NODES - 1
            ),
        )?;
        self.node_ids = ids;
        Ok(())
    }

    /// The distribution manager learns where the protocol's share goes.
    fn protocol_fees_recipient(&mut self) -> Result<(), Error> {
        let manager = self.contracts.distribution_manager;
        let deployer = self.plan.config.deployer;
        self.with(|d| {
            d.set_parameters(
                "set the protocol fees recipient",
                &[(
                    "xmtp.distributionManager.protocolFeesRecipient".into(),
                    PROTOCOL_FEES_RECIPIENT.into_word(),
                )],
            )?;
            d.transact(
                Side::Settlement,
                "DistributionManager.updateProtocolFeesRecipient()",
                deployer,
                manager,
                &IDistributionManager::updateProtocolFeesRecipientCall {},
            )
        })?;
        let recipient = self.view(
            Side::Settlement,
            manager,
            &IDistributionManager::protocolFeesRecipientCall {},
        )?;
        self.check(
            recipient == PROTOCOL_FEES_RECIPIENT,
            format!("the DistributionManager pays the protocol's fees to {recipient}"),
        )
    }

    /// Mock USDC minted, wrapped and deposited for nine payers; the tenth funded through the
    /// `DepositSplitter`, half in the registry, half on the app chain as native currency.
    // The funding path in the order a payer's wallet takes it, with every balance it moves.
    #[allow(clippy::too_many_lines)]
    fn fund_payers(&mut self) -> Result<(), Error> {
        let wallet = self.accounts[PAYER_ACCOUNT];
        let c = self.contracts;
        let underlying = self.plan.config.underlying_fee_token;
        let wrapped = PAYER_DEPOSIT * (PAYERS as u64 - 1);
        let split = PAYER_DEPOSIT + APP_CHAIN_DEPOSIT;
        let max_fee = 2 * self.backend.devnet.node(Side::App).basefee();
        let registry_before = self.fee_tokens(c.payer_registry)?;
        let native_before = self.native_balance(Side::App, wallet);
        let others: Vec<Address> = self.payers[1..].iter().map(|p| p.payer).collect();
        let underlying_before = self.view(
            Side::Settlement,
            underlying,
            &IFeeToken::balanceOfCall { account: wallet },
        )?;
        let deposits = self.with(|d| {
            d.transact(
                Side::Settlement,
                "mint mock USDC for the payers",
                wallet,
                underlying,
                &IMockUnderlyingFeeToken::mintCall {
                    to_: wallet,
                    amount_: U256::from(wrapped + split),
                },
            )?;
            d.transact(
                Side::Settlement,
                "approve the FeeToken for mock USDC",
                wallet,
                underlying,
                &IFeeToken::approveCall {
                    spender: c.fee_token,
                    value: U256::from(wrapped),
                },
            )?;
            d.transact(
                Side::Settlement,
                "FeeToken.deposit (wrap mock USDC) — first (0 → non-zero balance)",
                wallet,
                c.fee_token,
                &IFeeToken::depositCall {
                    amount_: U256::from(wrapped),
                },
            )?;
            d.transact(
                Side::Settlement,
                "approve the PayerRegistry for fee tokens",
                wallet,
                c.fee_token,
                &IFeeToken::approveCall {
                    spender: c.payer_registry,
                    value: U256::from(wrapped),
                },
            )?;
            let mut deposits = Vec::new();
            for payer in &others {
                deposits.push(d.transact(
                    Side::Settlement,
                    "PayerRegistry.deposit — new payer",
                    wallet,
                    c.payer_registry,
                    &IPayerRegistry::depositCall {
                        payer_: *payer,
                        amount_: alloy_primitives::aliases::U96::from(PAYER_DEPOSIT),
                    },
                )?);
            }
            d.transact(
                Side::Settlement,
                "approve the DepositSplitter for mock USDC",
                wallet,
                underlying,
                &IFeeToken::approveCall {
                    spender: c.deposit_splitter,
                    value: U256::from(split),
                },
            )?;
            d.transact(
                Side::Settlement,
                "DepositSplitter.depositFromUnderlying — payer registry + app-chain deposit",
                wallet,
                c.deposit_splitter,
                &IDepositSplitter::depositFromUnderlyingCall {
                    payer_: wallet,
                    payerRegistryAmount_: alloy_primitives::aliases::U96::from(PAYER_DEPOSIT),
                    appChainRecipient_: wallet,
                    appChainAmount_: alloy_primitives::aliases::U96::from(APP_CHAIN_DEPOSIT),
                    appChainGasLimit_: U256::from(DEPOSIT_GAS_LIMIT),
                    appChainMaxFeePerGas_: U256::from(max_fee),
                },
            )?;
            d.backend().relay()?;
            Ok(deposits)
        })?;
        let deposit_events = deposits.iter().zip(&others).all(|(sent, payer)| {
            self.logs(Side::Settlement, sent).contains(&emitted(
                c.payer_registry,
                &xmtp_abi::payer_registry::Deposit {
                    payer: *payer,
                    amount: alloy_primitives::aliases::U96::from(PAYER_DEPOSIT),
                },
            ))
        });
        let mut balances = Vec::new();
        for payer in self.payers.clone() {
            balances.push(self.registry_balance(payer.payer)?);
        }
        let registry_after = self.fee_tokens(c.payer_registry)?;
        let underlying_after = self.view(
            Side::Settlement,
            underlying,
            &IFeeToken::balanceOfCall { account: wallet },
        )?;
        self.check(
            deposit_events
                && balances.iter().all(|b| *b == i128::from(PAYER_DEPOSIT))
                && registry_after - registry_before == u128::from(PAYER_DEPOSIT) * PAYERS as u128
                && underlying_after == underlying_before,
            format!(
                "{PAYERS} payers funded with {PAYER_DEPOSIT} fee-token units each (mock USDC minted, wrapped, deposited; the DepositSplitter for {wallet}): the PayerRegistry holds {} more, every Deposit event emitted, the wallet's mock USDC all spent",
                registry_after - registry_before
            ),
        )?;
        // The ticket's gas is bought out of the deposit; the rest is the payer's native
        // currency on the app chain.
        let arrived = self.native_balance(Side::App, wallet) - native_before;
        let expected = U256::from(APP_CHAIN_DEPOSIT) * U256::from(NATIVE_SCALE)
            - U256::from(DEPOSIT_GAS_LIMIT) * U256::from(max_fee);
        self.report.app_chain_deposit = arrived;
        self.check(
            arrived == expected,
            format!(
                "{APP_CHAIN_DEPOSIT} fee-token units deposited to the app chain arrived through the bridge as {arrived} wei of {wallet}'s native currency (the deposit less the ticket's {DEPOSIT_GAS_LIMIT} gas at {max_fee} wei)"
            ),
        )
    }

    /// The funded payer sends a group message and an identity update on the app chain, paying
    /// gas with what it deposited.
    fn broadcast(&mut self) -> Result<(), Error> {
        let wallet = self.accounts[PAYER_ACCOUNT];
        let (groups, identities) = (
            self.contracts.group_messages,
            self.contracts.identity_updates,
        );
        let message: Vec<u8> = (0..100u8).collect();
        let group = FixedBytes([0x42; 16]);
        let inbox = B256::repeat_byte(0x1d);
        let native_before = self.native_balance(Side::App, wallet);
        let (sent_message, sent_update) = self.with(|d| {
            let m = d.transact(
                Side::App,
                "GroupMessageBroadcaster.addMessage — 100 B payload",
                wallet,
                groups,
                &IGroupMessageBroadcaster::addMessageCall {
                    groupId_: group,
                    message_: message.clone().into(),
                },
            )?;
            let u = d.transact(
                Side::App,
                "IdentityUpdateBroadcaster.addIdentityUpdate — 100 B payload",
                wallet,
                identities,
                &IIdentityUpdateBroadcaster::addIdentityUpdateCall {
                    inboxId_: inbox,
                    identityUpdate_: message.clone().into(),
                },
            )?;
            Ok((m, u))
        })?;
        let events = self.logs(Side::App, &sent_message)
            == vec![emitted(
                groups,
                &MessageSent {
                    groupId: group,
                    message: message.clone().into(),
                    sequenceId: 1,
                },
            )]
            && self.logs(Side::App, &sent_update)
                == vec![emitted(
                    identities,
                    &IdentityUpdateCreated {
                        inboxId: inbox,
                        update: message.clone().into(),
                        sequenceId: 1,
                    },
                )];
        let spent = native_before - self.native_balance(Side::App, wallet);
        self.check(
            events && !spent.is_zero(),
            format!(
                "a 100-byte group message and a 100-byte identity update broadcast on the app chain by {wallet} (MessageSent and IdentityUpdateCreated, sequence id 1 each; {spent} wei of gas paid from its deposit)"
            ),
        )
    }

    /// A broadcaster parameter changed on the settlement chain, bridged, and pulled on the app
    /// chain.
    fn bridge_a_parameter(&mut self) -> Result<(), Error> {
        let key = "xmtp.groupMessageBroadcaster.maxPayloadSize".to_owned();
        let broadcaster = self.contracts.group_messages;
        let deployer = self.plan.config.deployer;
        self.with(|d| {
            d.set_parameters(
                &format!("set {key}"),
                &[(key.clone(), B256::from(U256::from(NEW_MAX_PAYLOAD)))],
            )?;
            d.bridge(std::slice::from_ref(&key))?;
            d.transact(
                Side::App,
                "GroupMessageBroadcaster.updateMaxPayloadSize",
                deployer,
                broadcaster,
                &IGroupMessageBroadcaster::updateMaxPayloadSizeCall {},
            )
        })?;
        let now = self.view(
            Side::App,
            broadcaster,
            &IGroupMessageBroadcaster::maxPayloadSizeCall {},
        )?;
        self.check(
            now == NEW_MAX_PAYLOAD,
            format!("{key} set to {NEW_MAX_PAYLOAD} on the settlement chain, bridged, and pulled by the app chain's GroupMessageBroadcaster"),
        )
    }

    /// Originator 100's report over the payers, with the first four nodes' keys.
    fn report_input(&self) -> ReportInput {
        ReportInput {
            originator_node_id: ORIGINATOR,
            start_sequence_id: 0,
            end_sequence_id: END_SEQUENCE_ID,
            end_minute_since_epoch: END_MINUTE_SINCE_EPOCH,
            node_ids: Some(self.node_ids.clone()),
            payers: self.payers.clone(),
            signers: self
                .node_ids
                .iter()
                .zip(&self.node_keys)
                .take(SIGNING_NODES)
                .map(|(node_id, key)| NodeKey {
                    node_id: *node_id,
                    key: key.clone(),
                })
                .collect(),
        }
    }

    /// The report over the ten payers, signed by four of the seven nodes, submitted and
    /// settled by the code of `xmtp report`.
    fn payer_report(&mut self) -> Result<(), Error> {
        let manager = self.contracts.payer_report_manager;
        let registry = self.contracts.payer_registry;
        let input = self.report_input();
        // The originator's operator sends both; anyone may.
        let options = payer_report::Options {
            sender: self.accounts[FIRST_OPERATOR_ACCOUNT],
            batch_size: u32::try_from(PAYERS).expect("ten payers"),
            allow_unknown_payers: false,
        };
        let outcome = self.with(|d| payer_report::run(d, &input, &options, &mut |_| {}))?;
        let submitted = outcome
            .submitted
            .clone()
            .ok_or_else(|| Error::Chain("the report was not submitted".into()))?;
        let signing: Vec<u32> = self.node_ids[..SIGNING_NODES].to_vec();
        let submit_event = self.logs(Side::Settlement, &submitted)
            == vec![emitted(
                manager,
                &PayerReportSubmitted {
                    originatorNodeId: ORIGINATOR,
                    payerReportIndex: U256::ZERO,
                    startSequenceId: 0,
                    endSequenceId: END_SEQUENCE_ID,
                    endMinuteSinceEpoch: END_MINUTE_SINCE_EPOCH,
                    payersMerkleRoot: outcome.payers_merkle_root,
                    nodeIds: self.node_ids.clone(),
                    signingNodeIds: signing.clone(),
                },
            )];
        let total: u128 = self.payers.iter().map(PayerFee::micro_dollars).sum();
        let mut expected_settle: Vec<Log> = self
            .payers
            .iter()
            .map(|p| {
                emitted(
                    registry,
                    &UsageSettled {
                        payerReportId: outcome.digest,
                        payer: p.payer,
                        amount: alloy_primitives::aliases::U96::from(p.micro_dollars()),
                    },
                )
            })
            .collect();
        expected_settle.push(emitted(
            manager,
            &PayerReportSubsetSettled {
                originatorNodeId: ORIGINATOR,
                payerReportIndex: U256::ZERO,
                count: u32::try_from(PAYERS).expect("ten payers"),
                remaining: 0,
                feesSettled: alloy_primitives::aliases::U96::from(total),
            },
        ));
        let settle_events = outcome.settlements.len() == 1
            && self.logs(Side::Settlement, &outcome.settlements[0].sent) == expected_settle;
        let mut balances_hold = true;
        for payer in self.payers.clone() {
            let balance = self.registry_balance(payer.payer)?;
            let debit = i128::try_from(payer.micro_dollars()).unwrap_or(i128::MAX);
            balances_hold &= balance == i128::from(PAYER_DEPOSIT) - debit;
        }
        self.check(
            submit_event
                && settle_events
                && outcome.index == 0
                && outcome.settled
                && outcome.fees_settled == total
                && outcome.signing_node_ids == signing
                && balances_hold,
            format!(
                "payer report 0 of node {ORIGINATOR} (digest {}) signed by nodes {signing:?} of {:?}, submitted (PayerReportSubmitted) and settled in one call ({PAYERS} UsageSettled, PayerReportSubsetSettled): isSettled, feesSettled {total}, each payer's registry balance down by exactly its fee",
                outcome.digest, self.node_ids
            ),
        )?;
        self.report.payer_report = Some(outcome);
        // As `deploy`, running the same report again sends nothing: it is found settled.
        let again = self.with(|d| payer_report::run(d, &input, &options, &mut |_| {}))?;
        self.check(
            again.resumed
                && again.settled
                && again.submitted.is_none()
                && again.settlements.is_empty(),
            "the same report run again is found on chain, settled: nothing sent".into(),
        )
    }

    /// Every operator claims its share and withdraws it; the protocol's share is claimed and
    /// withdrawn to its recipient.
    // Claims, withdrawals and the protocol's share, each checked against the fee split.
    #[allow(clippy::too_many_lines)]
    fn pay_node_operators(&mut self) -> Result<(), Error> {
        let c = self.contracts;
        let outcome = self
            .report
            .payer_report
            .clone()
            .ok_or_else(|| Error::Chain("no settled report to pay out".into()))?;
        let stored = self.view(
            Side::Settlement,
            c.payer_report_manager,
            &xmtp_abi::payer_report_manager::IPayerReportManager::getPayerReportCall {
                originatorNodeId_: ORIGINATOR,
                payerReportIndex_: U256::ZERO,
            },
        )?;
        let total = outcome.fees_settled;
        let nodes = u32::try_from(self.node_ids.len()).expect("seven nodes");
        let (protocol_share, node_share) =
            xmtp_reports::fee_split(total, stored.protocolFeeRate, nodes);
        let operators: Vec<Address> =
            self.accounts[FIRST_OPERATOR_ACCOUNT..FIRST_OPERATOR_ACCOUNT + NODES].to_vec();
        let mut before = Vec::new();
        for operator in &operators {
            before.push(self.fee_tokens(*operator)?);
        }
        let recipient_before = self.fee_tokens(PROTOCOL_FEES_RECIPIENT)?;
        let admin = self.accounts[ADMIN_ACCOUNT];
        let node_ids = self.node_ids.clone();
        let (claims, withdrawals, protocol_withdrawal) = self.with(|d| {
            let mut claims = Vec::new();
            let mut withdrawals = Vec::new();
            for (i, (node_id, operator)) in node_ids.iter().zip(&operators).enumerate() {
                claims.push(d.transact(
                    Side::Settlement,
                    "DistributionManager.claim — 1 node, 1 settled report",
                    *operator,
                    c.distribution_manager,
                    &IDistributionManager::claimCall {
                        nodeId_: *node_id,
                        originatorNodeIds_: vec![ORIGINATOR],
                        payerReportIndices_: vec![U256::ZERO],
                    },
                )?);
                let label = if i == 0 {
                    "DistributionManager.withdraw — first (pulls excess from PayerRegistry)"
                        .to_owned()
                } else {
                    format!("DistributionManager.withdraw — node {node_id}")
                };
                withdrawals.push(d.transact(
                    Side::Settlement,
                    &label,
                    *operator,
                    c.distribution_manager,
                    &IDistributionManager::withdrawCall {
                        nodeId_: *node_id,
                        recipient_: *operator,
                    },
                )?);
            }
            d.transact(
                Side::Settlement,
                "DistributionManager.claimProtocolFees — 1 report",
                admin,
                c.distribution_manager,
                &IDistributionManager::claimProtocolFeesCall {
                    originatorNodeIds_: vec![ORIGINATOR],
                    payerReportIndices_: vec![U256::ZERO],
                },
            )?;
            let protocol = d.transact(
                Side::Settlement,
                "DistributionManager.withdrawProtocolFees",
                admin,
                c.distribution_manager,
                &IDistributionManager::withdrawProtocolFeesCall {},
            )?;
            Ok((claims, withdrawals, protocol))
        })?;

        let share = alloy_primitives::aliases::U96::from(node_share);
        let claim_events = claims.iter().zip(&node_ids).all(|(sent, node_id)| {
            self.logs(Side::Settlement, sent)
                == vec![emitted(
                    c.distribution_manager,
                    &Claim {
                        nodeId: *node_id,
                        originatorNodeId: ORIGINATOR,
                        payerReportIndex: U256::ZERO,
                        amount: share,
                    },
                )]
        });
        let excess_pulled = self
            .logs(Side::Settlement, &withdrawals[0])
            .contains(&emitted(
                c.payer_registry,
                &ExcessTransferred {
                    amount: alloy_primitives::aliases::U96::from(total),
                },
            ));
        let protocol_event = self
            .logs(Side::Settlement, &protocol_withdrawal)
            .contains(&emitted(
                c.distribution_manager,
                &ProtocolFeesWithdrawal {
                    amount: alloy_primitives::aliases::U96::from(protocol_share),
                },
            ));
        let mut payouts = Vec::new();
        let mut claimed_flags = true;
        for ((node_id, operator), was) in node_ids.iter().zip(&operators).zip(&before) {
            let paid = self.fee_tokens(*operator)? - was;
            payouts.push(Payout {
                node_id: *node_id,
                operator: *operator,
                paid,
            });
            claimed_flags &= self.view(
                Side::Settlement,
                c.distribution_manager,
                &IDistributionManager::areFeesClaimedCall {
                    nodeId_: *node_id,
                    originatorNodeId_: ORIGINATOR,
                    payerReportIndex_: U256::ZERO,
                },
            )?;
        }
        let protocol_paid = self.fee_tokens(PROTOCOL_FEES_RECIPIENT)? - recipient_before;
        let left = self.fee_tokens(c.distribution_manager)?;
        let owed = self.view(
            Side::Settlement,
            c.distribution_manager,
            &IDistributionManager::totalOwedFeesCall {},
        )?;
        let owed_protocol = self.view(
            Side::Settlement,
            c.distribution_manager,
            &IDistributionManager::owedProtocolFeesCall {},
        )?;
        self.check(
            claim_events
                && excess_pulled
                && protocol_event
                && claimed_flags
                && payouts.iter().all(|p| p.paid == node_share)
                && protocol_paid == protocol_share
                && protocol_share + u128::from(nodes) * node_share == total
                && left == 0
                && owed.is_zero()
                && owed_protocol.is_zero(),
            format!(
                "the {total} settled are paid out to the unit: each of the {nodes} operators claimed (Claim) and received exactly {node_share}, the first withdrawal pulled the registry's excess (ExcessTransferred {total}), the protocol's {protocol_share} ({} bp) went to {PROTOCOL_FEES_RECIPIENT}; nothing owed or left in the DistributionManager",
                stored.protocolFeeRate
            ),
        )?;
        self.report.payouts = payouts;
        self.report.protocol_fees = protocol_paid;
        Ok(())
    }

    fn upgrade(&mut self, programs: &Programs) -> Result<(), Error> {
        let upgrade = self.with(|d| d.upgrade(programs, "GroupMessageBroadcaster", "demo-v2"))?;
        self.check(
            upgrade.to != upgrade.from && upgrade.changed.is_empty(),
            format!(
                "GroupMessageBroadcaster upgraded from {} to {} through migrator {} (key {} bridged to the app chain); its public state is unchanged",
                upgrade.from, upgrade.to, upgrade.migrator, upgrade.migrator_key
            ),
        )
    }
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
        // Qualified by their contract here, bare in the contract's section there.
        assert_eq!(
            solidity_gas(
                "PayerReportManager.submit — 7 canonical nodes, 4 signatures (majority)",
                SETTLEMENT_CHAIN_ID
            ),
            Some(275_154)
        );
        assert_eq!(
            solidity_gas(
                "PayerReportManager.settle — 10 payers, one call (all leaves)",
                SETTLEMENT_CHAIN_ID
            ),
            Some(198_033)
        );
        assert_eq!(
            solidity_gas(
                "DistributionManager.withdrawProtocolFees",
                SETTLEMENT_CHAIN_ID
            ),
            Some(73_853)
        );
        assert_eq!(solidity_size("PayerReportManager"), Some(15_820));
        assert_eq!(solidity_size("Contract"), None);
        // Named differently there.
        assert_eq!(
            solidity_gas("NodeRegistry.addNode (node 300)", SETTLEMENT_CHAIN_ID),
            Some(265_887)
        );
        assert_eq!(
            solidity_gas("NodeRegistry.addToNetwork(100)", SETTLEMENT_CHAIN_ID),
            Some(104_359)
        );
        assert_eq!(
            solidity_gas("NodeRegistry.addToNetwork(1000)", SETTLEMENT_CHAIN_ID),
            None
        );
        assert_eq!(
            solidity_gas(
                "DistributionManager.withdraw — node 700",
                SETTLEMENT_CHAIN_ID
            ),
            Some(78_774)
        );
    }
}
