//! `xmtp report`: from a JSON file of payer fees and node keys, build the payer report with the
//! toolkit ([`xmtp_reports`]: fee tree, digest, node signatures, calldata), check it against the
//! chain, submit it to the `PayerReportManager` and settle it in batches until it is settled.
//! The demo runs the same [`run`].
//!
//! # Input
//!
//! ```json
//! {
//!   "originatorNodeId": 100,
//!   "startSequenceId": 0,
//!   "endSequenceId": 500,
//!   "endMinuteSinceEpoch": 29000000,
//!   "nodeIds": [100, 200, 300],
//!   "payers": [
//!     { "address": "0x1111111111111111111111111111111111111111", "feePicoDollars": "12345678901234" },
//!     { "address": "0x2222222222222222222222222222222222222222", "feePicoDollars": 999999 }
//!   ],
//!   "signers": [
//!     { "nodeId": 100, "keyEnv": "NODE_100_SIGNING_KEY" },
//!     { "nodeId": 200, "keyFile": "keys/node-200.hex" },
//!     { "nodeId": 300, "privateKey": "0x…" }
//!   ]
//! }
//! ```
//!
//! - `payers`: each payer once, in the order of the tree's leaves, with its fee for the period
//!   in pico-dollars (a decimal string or a number; at most `2^96 − 1`). The registry debits
//!   each fee rounded up to micro-dollars.
//! - `nodeIds` (optional): the canonical set the report is signed for. Without it, the node
//!   registry's canonical set is used; with it, it must be that set (the contract accepts no
//!   other).
//! - `signers`: the node signing keys that sign the digest, each from exactly one of `keyEnv`
//!   (an environment variable holding the hex key), `keyFile` (a file holding it, relative to
//!   the input file) or `privateKey` (inline; keep such a file private). Keys never go on the
//!   command line. Each must be the registry's signer of a canonical node, and together they
//!   must be a majority of the canonical set.
//!
//! Before sending anything, [`run`] refuses with one line: a signer that is not canonical or
//! whose key is not its node's registered signer, too few signers, node ids that are not the
//! canonical set, a report that does not continue the originator's last one, payers the
//! `PayerRegistry` has never seen (unless allowed: they go into debt), a registry whose settler
//! is not the `PayerReportManager`, or a digest the contract computes differently. A report the
//! chain already has (the originator's last, with the same fields) is not submitted again: its
//! settlement resumes at its offset, so an interrupted run can be repeated. Without
//! `--broadcast`, [`command`] runs the same on forks of both chains (every step with its gas,
//! nothing sent).

use std::path::{Path, PathBuf};

use alloy::signers::k256::ecdsa::SigningKey;
use alloy::signers::local::PrivateKeySigner;
use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::SolCall;
use serde::Deserialize;
use serde_json::{json, Value};
use xmtp_abi::node_registry::INodeRegistry;
use xmtp_abi::payer_registry::IPayerRegistry;
use xmtp_abi::payer_report_manager::IPayerReportManager;
use xmtp_devnet_node::Side;
use xmtp_reports::{Batch, Domain, PayerFee, PayerReport, PayerTree};

use crate::cli::{Network, Session};
use crate::deployer::{Backend, Deployer, Sent};
use crate::{Error, Workspace};

/// A node's signing key, from the input.
#[derive(Clone)]
pub struct NodeKey {
    /// The node.
    pub node_id: u32,
    /// Its signing key.
    pub key: SigningKey,
}

impl std::fmt::Debug for NodeKey {
    // The key itself stays out of logs and panics.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeKey")
            .field("node_id", &self.node_id)
            .field("signer", &xmtp_reports::signer_address(&self.key))
            .finish_non_exhaustive()
    }
}

/// A report to build: its fields, its payers' fees and the keys that sign it.
#[derive(Debug, Clone)]
pub struct ReportInput {
    /// The node whose messages are billed.
    pub originator_node_id: u32,
    /// First sequence id covered (the originator's previous report's end, 0 for its first).
    pub start_sequence_id: u64,
    /// Last sequence id covered.
    pub end_sequence_id: u64,
    /// The period's last minute since the Unix epoch.
    pub end_minute_since_epoch: u32,
    /// The canonical set to sign for; `None` takes the node registry's.
    pub node_ids: Option<Vec<u32>>,
    /// Each payer's fee, in leaf order.
    pub payers: Vec<PayerFee>,
    /// The signing keys.
    pub signers: Vec<NodeKey>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawInput {
    originator_node_id: u32,
    start_sequence_id: u64,
    end_sequence_id: u64,
    end_minute_since_epoch: u32,
    #[serde(default)]
    node_ids: Option<Vec<u32>>,
    payers: Vec<RawPayer>,
    signers: Vec<RawSigner>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawPayer {
    address: Address,
    fee_pico_dollars: Value,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawSigner {
    node_id: u32,
    key_env: Option<String>,
    key_file: Option<PathBuf>,
    private_key: Option<String>,
}

/// Largest fee a leaf holds (`uint96`).
const MAX_FEE: u128 = (1 << 96) - 1;

fn parse_fee(value: &Value) -> Option<u128> {
    let fee = match value {
        Value::String(text) => text.parse::<u128>().ok()?,
        Value::Number(number) => u128::from(number.as_u64()?),
        _ => return None,
    };
    (fee <= MAX_FEE).then_some(fee)
}

fn parse_signing_key(text: &str, source: &str) -> Result<SigningKey, Error> {
    let signer: PrivateKeySigner = text
        .trim()
        .parse()
        .map_err(|_| Error::Config(format!("{source} is not a 32-byte hex private key")))?;
    Ok(signer.credential().clone())
}

impl ReportInput {
    /// Reads an input file; `keyEnv` names are looked up in the process environment, `keyFile`
    /// paths are relative to the file's directory.
    pub fn load(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, &e))?;
        let base = path.parent().unwrap_or_else(|| Path::new("."));
        Self::parse(&text, base, &|name| std::env::var(name).ok())
            .map_err(|e| Error::Config(format!("{}: {e}", path.display())))
    }

    /// Parses an input document (see the module documentation), resolving keys with `env` and
    /// relative to `base`.
    pub fn parse(
        text: &str,
        base: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, Error> {
        let raw: RawInput = serde_json::from_str(text)
            .map_err(|e| Error::Config(format!("invalid report: {e}")))?;
        if raw.end_sequence_id < raw.start_sequence_id {
            return Err(Error::Config(format!(
                "endSequenceId {} is before startSequenceId {}",
                raw.end_sequence_id, raw.start_sequence_id
            )));
        }
        let mut payers: Vec<PayerFee> = Vec::with_capacity(raw.payers.len());
        for payer in &raw.payers {
            if payer.address.is_zero() {
                return Err(Error::Config("a payer's address is zero".into()));
            }
            if payers.iter().any(|p| p.payer == payer.address) {
                return Err(Error::Config(format!(
                    "payer {} is listed twice",
                    payer.address
                )));
            }
            let fee = parse_fee(&payer.fee_pico_dollars).ok_or_else(|| {
                Error::Config(format!(
                    "payer {}: feePicoDollars {} is not an integer from 0 to 2^96 - 1",
                    payer.address, payer.fee_pico_dollars
                ))
            })?;
            payers.push(PayerFee {
                payer: payer.address,
                fee,
            });
        }
        let mut signers: Vec<NodeKey> = Vec::with_capacity(raw.signers.len());
        for signer in &raw.signers {
            let node = signer.node_id;
            if signers.iter().any(|s| s.node_id == node) {
                return Err(Error::Config(format!("node {node} signs twice")));
            }
            let key = match (&signer.key_env, &signer.key_file, &signer.private_key) {
                (Some(name), None, None) => {
                    let value = env(name).ok_or_else(|| {
                        Error::Config(format!(
                            "node {node}: the environment variable {name} is not set"
                        ))
                    })?;
                    parse_signing_key(&value, &format!("node {node}'s key in {name}"))?
                }
                (None, Some(file), None) => {
                    let path = base.join(file);
                    let value = std::fs::read_to_string(&path).map_err(|e| {
                        Error::Config(format!("node {node}'s key file {}: {e}", path.display()))
                    })?;
                    parse_signing_key(
                        &value,
                        &format!("node {node}'s key file {}", path.display()),
                    )?
                }
                (None, None, Some(value)) => {
                    parse_signing_key(value, &format!("node {node}'s privateKey"))?
                }
                _ => {
                    return Err(Error::Config(format!(
                        "node {node}: give exactly one of keyEnv, keyFile, privateKey"
                    )))
                }
            };
            signers.push(NodeKey { node_id: node, key });
        }
        Ok(Self {
            originator_node_id: raw.originator_node_id,
            start_sequence_id: raw.start_sequence_id,
            end_sequence_id: raw.end_sequence_id,
            end_minute_since_epoch: raw.end_minute_since_epoch,
            node_ids: raw.node_ids,
            payers,
            signers,
        })
    }
}

/// How [`run`] goes about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Who sends `submit` and `settle` (both are permissionless).
    pub sender: Address,
    /// Leaves per `settle` call.
    pub batch_size: u32,
    /// Settle payers the registry has never seen (their balances go negative).
    pub allow_unknown_payers: bool,
}

/// One payer's part in the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayerOutcome {
    /// The payer.
    pub payer: Address,
    /// Its fee in pico-dollars (the leaf).
    pub fee: u128,
    /// What the registry debits: the fee in micro-dollars, rounded up.
    pub debit: u128,
    /// Its registry balance before this run.
    pub balance_before: i128,
    /// Its registry balance after this run.
    pub balance_after: i128,
    /// Whether this run settled its leaf (not an earlier run).
    pub settled_now: bool,
}

/// One `settle` call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    /// Position of its first leaf.
    pub start: u64,
    /// Leaves settled.
    pub count: u64,
    /// Leaves left after it.
    pub remaining: u64,
    /// Micro-dollars it debited.
    pub fees: u128,
    /// The transaction.
    pub sent: Sent,
}

/// What [`run`] did (on a simulation backend: would do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The originator.
    pub originator_node_id: u32,
    /// The report's index among the originator's.
    pub index: u64,
    /// The EIP-712 digest the nodes signed (the `payerReportId` of its settlements).
    pub digest: B256,
    /// The fee tree's root.
    pub payers_merkle_root: B256,
    /// The canonical set it was signed for.
    pub node_ids: Vec<u32>,
    /// The nodes whose signatures it carries.
    pub signing_node_ids: Vec<u32>,
    /// The chain already had it (not submitted again).
    pub resumed: bool,
    /// The `submit` transaction.
    pub submitted: Option<Sent>,
    /// The `settle` transactions, in order.
    pub settlements: Vec<Settlement>,
    /// Every payer's fee and balances.
    pub payers: Vec<PayerOutcome>,
    /// The report's `feesSettled` after the run.
    pub fees_settled: u128,
    /// Whether it is settled after the run.
    pub settled: bool,
}

impl Outcome {
    /// The document `xmtp report --json` prints.
    pub fn to_json(&self) -> Value {
        let sent = |s: &Sent| json!({ "hash": s.hash, "gasUsed": s.gas_used, "block": s.block });
        json!({
            "originatorNodeId": self.originator_node_id,
            "payerReportIndex": self.index,
            "digest": self.digest,
            "payersMerkleRoot": self.payers_merkle_root,
            "nodeIds": self.node_ids,
            "signingNodeIds": self.signing_node_ids,
            "resumed": self.resumed,
            "submitted": self.submitted.as_ref().map(sent),
            "settlements": self.settlements.iter().map(|s| json!({
                "start": s.start, "count": s.count, "remaining": s.remaining,
                "feesSettled": s.fees.to_string(), "transaction": sent(&s.sent),
            })).collect::<Vec<_>>(),
            "payers": self.payers.iter().map(|p| json!({
                "address": p.payer.to_checksum(None),
                "feePicoDollars": p.fee.to_string(),
                "debit": p.debit.to_string(),
                "balanceBefore": p.balance_before.to_string(),
                "balanceAfter": p.balance_after.to_string(),
                "settledNow": p.settled_now,
            })).collect::<Vec<_>>(),
            "feesSettled": self.fees_settled.to_string(),
            "settled": self.settled,
        })
    }
}

/// The three contracts a report touches.
struct Contracts {
    manager: Address,
    nodes: Address,
    payers: Address,
}

impl Contracts {
    fn find(deployer: &mut Deployer<'_>) -> Result<Self, Error> {
        let mut address = |contract: &str| -> Result<Address, Error> {
            let unit = deployer
                .plan
                .unit(contract, Side::Settlement)
                .filter(|unit| unit.init_code.is_ok())
                .ok_or_else(|| Error::Config(format!("this deployment has no {contract}")))?;
            let at = unit.address();
            if deployer.backend().code(Side::Settlement, at)?.is_empty() {
                return Err(Error::Chain(format!(
                    "the {contract} proxy {at} has no code: deploy the network first"
                )));
            }
            Ok(at)
        };
        Ok(Self {
            manager: address("PayerReportManager")?,
            nodes: address("NodeRegistry")?,
            payers: address("PayerRegistry")?,
        })
    }
}

/// Whether `eth_call`ing `call` on `to` succeeds.
fn answers<C: SolCall>(deployer: &mut Deployer<'_>, to: Address, call: &C) -> Result<bool, Error> {
    let from = deployer.plan.config.deployer;
    Ok(deployer
        .backend()
        .call(Side::Settlement, from, to, call.abi_encode().into())?
        .is_ok())
}

/// How many reports `originator` has (there is no such view: the last index that answers).
fn report_count(
    deployer: &mut Deployer<'_>,
    manager: Address,
    originator: u32,
) -> Result<u64, Error> {
    let mut exists = |index: u64| {
        answers(
            deployer,
            manager,
            &IPayerReportManager::getPayerReportCall {
                originatorNodeId_: originator,
                payerReportIndex_: U256::from(index),
            },
        )
    };
    if !exists(0)? {
        return Ok(0);
    }
    // Doubling, then bisection between the last index that exists and the first that does not.
    let mut missing = 1;
    while exists(missing)? {
        missing *= 2;
    }
    let mut present = missing / 2;
    while missing - present > 1 {
        let middle = present + (missing - present) / 2;
        if exists(middle)? {
            present = middle;
        } else {
            missing = middle;
        }
    }
    Ok(missing)
}

fn stored_report(
    deployer: &mut Deployer<'_>,
    manager: Address,
    originator: u32,
    index: u64,
) -> Result<xmtp_abi::payer_report_manager::PayerReport, Error> {
    deployer.view(
        Side::Settlement,
        manager,
        &IPayerReportManager::getPayerReportCall {
            originatorNodeId_: originator,
            payerReportIndex_: U256::from(index),
        },
    )
}

fn balances(
    deployer: &mut Deployer<'_>,
    registry: Address,
    payers: &[PayerFee],
) -> Result<Vec<i128>, Error> {
    let answer = deployer.view(
        Side::Settlement,
        registry,
        &IPayerRegistry::getBalancesCall {
            payers_: payers.iter().map(|p| p.payer).collect(),
        },
    )?;
    answer
        .into_iter()
        .map(|balance| {
            i128::try_from(balance)
                .map_err(|_| Error::Chain(format!("balance {balance} does not fit i128")))
        })
        .collect()
}

fn ids(list: &[u32]) -> String {
    let shown: Vec<String> = list.iter().map(ToString::to_string).collect();
    format!("[{}]", shown.join(", "))
}

/// The canonical set, checked against the input's `nodeIds`, and the signatures of the input's
/// keys, each checked against its node's registration; refuses too few.
fn signatures(
    deployer: &mut Deployer<'_>,
    nodes: Address,
    input: &ReportInput,
) -> Result<(Vec<u32>, Vec<NodeKey>), Error> {
    let mut canonical = deployer.view(
        Side::Settlement,
        nodes,
        &INodeRegistry::getCanonicalNodesCall {},
    )?;
    canonical.sort_unstable();
    if let Some(given) = &input.node_ids {
        if *given != canonical {
            return Err(Error::Config(format!(
                "the report's nodeIds {} are not the canonical set {}",
                ids(given),
                ids(&canonical)
            )));
        }
    }
    let mut keys = input.signers.clone();
    keys.sort_by_key(|k| k.node_id);
    for NodeKey { node_id, key } in &keys {
        let node = *node_id;
        if !answers(
            deployer,
            nodes,
            &INodeRegistry::getSignerCall { nodeId_: node },
        )? {
            return Err(Error::Config(format!(
                "node {node} does not exist in the NodeRegistry"
            )));
        }
        if !canonical.contains(&node) {
            return Err(Error::Config(format!(
                "node {node} is not canonical (the canonical nodes are {}): its signature would not count",
                ids(&canonical)
            )));
        }
        let registered = deployer.view(
            Side::Settlement,
            nodes,
            &INodeRegistry::getSignerCall { nodeId_: node },
        )?;
        let given = xmtp_reports::signer_address(key);
        if given != registered {
            return Err(Error::Config(format!(
                "the key given for node {node} signs as {given}, but node {node}'s signer is {registered}"
            )));
        }
    }
    let required = canonical.len() / 2 + 1;
    if keys.len() < required {
        return Err(Error::Config(format!(
            "{} of the {} canonical nodes sign; a report needs {required}",
            keys.len(),
            canonical.len()
        )));
    }
    Ok((canonical, keys))
}

/// The payers the registry has never seen: no balance, no withdrawal ever requested.
fn unknown_payers(
    deployer: &mut Deployer<'_>,
    registry: Address,
    payers: &[PayerFee],
    balances: &[i128],
) -> Result<Vec<Address>, Error> {
    let mut unknown = Vec::new();
    for (payer, balance) in payers.iter().zip(balances) {
        if *balance != 0 {
            continue;
        }
        let pending = deployer.view(
            Side::Settlement,
            registry,
            &IPayerRegistry::getPendingWithdrawalCall {
                payer_: payer.payer,
            },
        )?;
        if pending.pendingWithdrawal_.is_zero() && pending.nonce_.is_zero() {
            unknown.push(payer.payer);
        }
    }
    Ok(unknown)
}

/// The label of a `settle` call; the one-call form is the Solidity reference's row name.
fn settle_label(leaves: u64, start: u64, count: u64) -> String {
    if start == 0 && count == leaves {
        format!("PayerReportManager.settle — {leaves} payers, one call (all leaves)")
    } else {
        format!(
            "PayerReportManager.settle — {leaves} payers, leaves {start}..{}",
            start + count
        )
    }
}

/// Builds, checks, signs, submits and settles a report (see the module documentation), over
/// whatever backend `deployer` has. `progress` hears about each step.
// One pass in the order an operator follows; the checks before sending are the point.
#[allow(clippy::too_many_lines)]
pub fn run(
    deployer: &mut Deployer<'_>,
    input: &ReportInput,
    options: &Options,
    progress: &mut dyn FnMut(&str),
) -> Result<Outcome, Error> {
    if options.batch_size == 0 {
        return Err(Error::Config("the batch size must be at least 1".into()));
    }
    let contracts = Contracts::find(deployer)?;
    let settler = deployer.view(
        Side::Settlement,
        contracts.payers,
        &IPayerRegistry::settlerCall {},
    )?;
    if settler != contracts.manager {
        return Err(Error::Chain(format!(
            "the PayerRegistry's settler is {settler}, not the PayerReportManager {}: set xmtp.payerRegistry.settler and call updateSettler()",
            contracts.manager
        )));
    }
    let (node_ids, keys) = signatures(deployer, contracts.nodes, input)?;
    let tree = PayerTree::from_fees(&input.payers)
        .map_err(|e| Error::Config(format!("payer fees: {e}")))?;
    let originator = input.originator_node_id;
    let report = PayerReport {
        originator_node_id: originator,
        start_sequence_id: input.start_sequence_id,
        end_sequence_id: input.end_sequence_id,
        end_minute_since_epoch: input.end_minute_since_epoch,
        payers_merkle_root: tree.root(),
        node_ids: node_ids.clone(),
    };
    let digest = report.digest(&Domain {
        chain_id: deployer.plan.config.settlement_chain_id,
        verifying_contract: contracts.manager,
    });
    let on_chain = deployer.view(
        Side::Settlement,
        contracts.manager,
        &IPayerReportManager::getPayerReportDigestCall {
            originatorNodeId_: originator,
            startSequenceId_: report.start_sequence_id,
            endSequenceId_: report.end_sequence_id,
            endMinuteSinceEpoch_: report.end_minute_since_epoch,
            payersMerkleRoot_: report.payers_merkle_root,
            nodeIds_: node_ids.clone(),
        },
    )?;
    if on_chain != digest {
        return Err(Error::Chain(format!(
            "the PayerReportManager computes digest {on_chain}, the toolkit {digest}: not signing"
        )));
    }
    progress(&format!(
        "report of originator {originator}, sequence ids {}..{}: {} payers, root {}, digest {digest}",
        report.start_sequence_id,
        report.end_sequence_id,
        input.payers.len(),
        report.payers_merkle_root
    ));

    // Where the originator's reports stand: this one already there (resume), or the next one.
    let count = report_count(deployer, contracts.manager, originator)?;
    let mut existing = None;
    if count > 0 {
        let last = stored_report(deployer, contracts.manager, originator, count - 1)?;
        let same = last.startSequenceId == report.start_sequence_id
            && last.endSequenceId == report.end_sequence_id
            && last.endMinuteSinceEpoch == report.end_minute_since_epoch
            && last.payersMerkleRoot == report.payers_merkle_root
            && last.nodeIds == node_ids;
        if same {
            existing = Some(last);
        } else if report.start_sequence_id != last.endSequenceId {
            return Err(Error::Config(format!(
                "the report starts at sequence id {} but originator {originator}'s last report (index {}) ends at {}",
                report.start_sequence_id,
                count - 1,
                last.endSequenceId
            )));
        }
    } else if report.start_sequence_id != 0 {
        return Err(Error::Config(format!(
            "originator {originator} has no report yet: its first starts at sequence id 0, not {}",
            report.start_sequence_id
        )));
    }
    let index = if existing.is_some() { count - 1 } else { count };

    let before = balances(deployer, contracts.payers, &input.payers)?;
    let unknown = unknown_payers(deployer, contracts.payers, &input.payers, &before)?;
    if !unknown.is_empty() && !options.allow_unknown_payers && existing.is_none() {
        let shown: Vec<String> = unknown.iter().map(|a| a.to_checksum(None)).collect();
        return Err(Error::Config(format!(
            "payers unknown to the PayerRegistry (never deposited): {}; settling would put them in debt (--allow-unknown-payers to do so)",
            shown.join(", ")
        )));
    }

    let signatures: Vec<(u32, Vec<u8>)> = keys
        .iter()
        .map(|k| {
            xmtp_reports::sign(&k.key, digest)
                .map(|s| (k.node_id, s.to_vec()))
                .map_err(|e| Error::Config(format!("node {} cannot sign: {e}", k.node_id)))
        })
        .collect::<Result<_, _>>()?;
    let signing_node_ids: Vec<u32> = keys.iter().map(|k| k.node_id).collect();
    let leaves = tree.leaf_count();
    let mut outcome = Outcome {
        originator_node_id: originator,
        index,
        digest,
        payers_merkle_root: report.payers_merkle_root,
        node_ids: node_ids.clone(),
        signing_node_ids: signing_node_ids.clone(),
        resumed: existing.is_some(),
        submitted: None,
        settlements: Vec::new(),
        payers: input
            .payers
            .iter()
            .zip(&before)
            .map(|(p, b)| PayerOutcome {
                payer: p.payer,
                fee: p.fee,
                debit: p.micro_dollars(),
                balance_before: *b,
                balance_after: *b,
                settled_now: false,
            })
            .collect(),
        fees_settled: existing.as_ref().map_or(0, |r| r.feesSettled.to::<u128>()),
        settled: existing.as_ref().is_some_and(|r| r.isSettled),
    };
    let submit = xmtp_reports::submit_calldata(&report, &signatures);
    let mut offset = if let Some(stored) = &existing {
        progress(&format!(
                "report {index} of originator {originator} is already on chain ({} of {leaves} leaves settled): not submitting it again",
                stored.offset
            ));
        u64::from(stored.offset)
    } else {
        let label = format!(
            "PayerReportManager.submit — {} canonical nodes, {} signatures ({})",
            node_ids.len(),
            signatures.len(),
            if signatures.len() == node_ids.len() {
                "all"
            } else {
                "majority"
            }
        );
        let sent = deployer.send(
            Side::Settlement,
            &label,
            options.sender,
            Some(contracts.manager),
            submit.into(),
            U256::ZERO,
        )?;
        progress(&format!(
            "submitted as report {index} of originator {originator}, signed by nodes {} (gas {})",
            ids(&signing_node_ids),
            sent.gas_used
        ));
        outcome.submitted = Some(sent);
        0
    };
    let batch_size = u64::from(options.batch_size);
    while offset < leaves {
        let count = batch_size.min(leaves - offset);
        let batch = Batch {
            start: offset,
            leaves: tree
                .batch(offset, count)
                .map_err(|e| Error::Config(e.to_string()))?
                .to_vec(),
            proof: tree
                .proof(offset, count)
                .map_err(|e| Error::Config(e.to_string()))?,
        };
        let sent = deployer.send(
            Side::Settlement,
            &settle_label(leaves, offset, count),
            options.sender,
            Some(contracts.manager),
            xmtp_reports::settle_calldata(originator, index, &batch).into(),
            U256::ZERO,
        )?;
        let range = usize::try_from(offset).unwrap_or(usize::MAX)
            ..usize::try_from(offset + count).unwrap_or(usize::MAX);
        let fees: u128 = outcome.payers[range.clone()].iter().map(|p| p.debit).sum();
        for payer in &mut outcome.payers[range] {
            payer.settled_now = true;
        }
        offset += count;
        progress(&format!(
            "settled leaves {}..{offset} of {leaves} ({fees} micro-dollars, gas {})",
            batch.start, sent.gas_used
        ));
        outcome.settlements.push(Settlement {
            start: batch.start,
            count,
            remaining: leaves - offset,
            fees,
            sent,
        });
    }

    // What the chain says now must be what was sent.
    let stored = stored_report(deployer, contracts.manager, originator, index)?;
    let settled_now: u128 = outcome.settlements.iter().map(|s| s.fees).sum();
    let expected_fees = outcome.fees_settled + settled_now;
    outcome.fees_settled = stored.feesSettled.to::<u128>();
    outcome.settled = stored.isSettled;
    if !stored.isSettled
        || u64::from(stored.offset) != leaves
        || outcome.fees_settled != expected_fees
    {
        return Err(Error::Chain(format!(
            "report {index} of originator {originator} after settlement: settled {}, offset {} of {leaves}, feesSettled {} (expected {expected_fees})",
            stored.isSettled, stored.offset, outcome.fees_settled
        )));
    }
    let after = balances(deployer, contracts.payers, &input.payers)?;
    for (payer, balance) in outcome.payers.iter_mut().zip(after) {
        payer.balance_after = balance;
        let debit = if payer.settled_now {
            i128::try_from(payer.debit).unwrap_or(i128::MAX)
        } else {
            0
        };
        if balance != payer.balance_before - debit {
            return Err(Error::Chain(format!(
                "payer {}'s registry balance went from {} to {balance}, expected a debit of {debit}",
                payer.payer, payer.balance_before
            )));
        }
    }
    progress(&format!(
        "report {index} of originator {originator} settled: {} micro-dollars from {leaves} payers",
        outcome.fees_settled
    ));
    Ok(outcome)
}

/// `xmtp report`'s arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The report: originator, sequence ids, payers' fees, signing keys (JSON; see the docs
    /// of `xmtp_deploy::report`).
    #[arg(value_name = "FILE")]
    pub input: PathBuf,
    /// Leaves per settle transaction.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..))]
    pub batch_size: u32,
    /// Settle payers the payer registry has never seen (they go into debt).
    #[arg(long)]
    pub allow_unknown_payers: bool,
    /// Where the network is and who signs (the deployer's or an admin's key sends; both
    /// transactions are permissionless).
    #[command(flatten)]
    pub network: Network,
}

/// `xmtp report FILE`: without `--broadcast`, the same run on forks of both chains (every
/// check, `submit` and each `settle` with its gas; nothing sent).
pub fn command(workspace: &Workspace, args: &Args) -> Result<Value, Error> {
    let input = ReportInput::load(&args.input)?;
    let mut session = Session::open(workspace, &args.network)?;
    let json = args.network.json;
    let mut progress = |line: &str| {
        if !json {
            eprintln!("  {line}");
        }
    };
    let options = |sender| Options {
        sender,
        batch_size: args.batch_size,
        allow_unknown_payers: args.allow_unknown_payers,
    };
    if !args.network.broadcast {
        // A simulation signs nothing: without a key, the deployer's address sends.
        let sender = session
            .rpc
            .signers()
            .first()
            .copied()
            .unwrap_or(session.config.deployer);
        let (outcome, simulation) = session.simulate(|mut deployer| {
            let outcome = run(&mut deployer, &input, &options(sender), &mut progress)?;
            Ok((outcome, deployer.steps))
        })?;
        let mut value = outcome.to_json();
        value["dryRun"] = Value::Bool(true);
        value["simulation"] = simulation;
        return Ok(value);
    }
    let sender = session.rpc.signers().first().copied().ok_or_else(|| {
        Error::Config(
            "no key to send the report from: give --private-key (DEPLOYER_PRIVATE_KEY) or --admin-private-key (ADMIN_PRIVATE_KEY)"
                .into(),
        )
    })?;
    let mut deployer = session.deployer()?;
    let outcome = run(&mut deployer, &input, &options(sender), &mut progress)?;
    let mut value = outcome.to_json();
    value["dryRun"] = Value::Bool(false);
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6";

    fn parse(text: &str) -> Result<ReportInput, String> {
        let env = |name: &str| (name == "NODE_KEY").then(|| KEY.to_owned());
        ReportInput::parse(text, Path::new("."), &env).map_err(|e| e.to_string())
    }

    fn document(payers: &str, signers: &str) -> String {
        format!(
            r#"{{"originatorNodeId": 100, "startSequenceId": 0, "endSequenceId": 5,
                "endMinuteSinceEpoch": 29000000, "payers": [{payers}], "signers": [{signers}]}}"#
        )
    }

    #[test]
    fn reads_fees_as_strings_or_numbers_and_keys_from_the_environment() {
        let input = parse(&document(
            r#"{"address": "0x1111111111111111111111111111111111111111", "feePicoDollars": "79228162514264337593543950335"},
               {"address": "0x2222222222222222222222222222222222222222", "feePicoDollars": 999999}"#,
            r#"{"nodeId": 100, "keyEnv": "NODE_KEY"}, {"nodeId": 200, "privateKey": "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"}"#,
        ))
        .unwrap();
        assert_eq!(input.payers[0].fee, MAX_FEE);
        assert_eq!(input.payers[1].fee, 999_999);
        assert_eq!(input.payers[1].micro_dollars(), 1);
        let from_env: PrivateKeySigner = KEY.parse().unwrap();
        assert_eq!(
            xmtp_reports::signer_address(&input.signers[0].key),
            from_env.address()
        );
        assert_eq!(input.signers[1].node_id, 200);
        assert_eq!(input.node_ids, None);
    }

    #[test]
    fn refuses_bad_input_with_one_line_naming_it() {
        let payer =
            r#"{"address": "0x1111111111111111111111111111111111111111", "feePicoDollars": 5}"#;
        let signer = r#"{"nodeId": 100, "keyEnv": "NODE_KEY"}"#;
        for (payers, signers, message) in [
            (
                r#"{"address": "0x1111111111111111111111111111111111111111", "feePicoDollars": "79228162514264337593543950336"}"#,
                signer,
                "payer 0x1111111111111111111111111111111111111111: feePicoDollars \"79228162514264337593543950336\" is not an integer from 0 to 2^96 - 1",
            ),
            (
                &format!("{payer}, {payer}")[..],
                signer,
                "payer 0x1111111111111111111111111111111111111111 is listed twice",
            ),
            (payer, r#"{"nodeId": 100, "keyEnv": "MISSING"}"#, "node 100: the environment variable MISSING is not set"),
            (
                payer,
                r#"{"nodeId": 100, "keyEnv": "NODE_KEY", "privateKey": "0x01"}"#,
                "node 100: give exactly one of keyEnv, keyFile, privateKey",
            ),
            (payer, r#"{"nodeId": 100, "privateKey": "0x1234"}"#, "node 100's privateKey is not a 32-byte hex private key"),
            (payer, &format!("{signer}, {signer}")[..], "node 100 signs twice"),
            (
                payer,
                r#"{"nodeId": 100, "keyFile": "no-such-key.hex"}"#,
                "node 100's key file ./no-such-key.hex: No such file or directory (os error 2)",
            ),
        ] {
            assert_eq!(parse(&document(payers, signers)).unwrap_err(), message);
        }
        let backwards = document(payer, signer)
            .replace("\"endSequenceId\": 5", "\"endSequenceId\": 0")
            .replace("\"startSequenceId\": 0", "\"startSequenceId\": 3");
        assert_eq!(
            parse(&backwards).unwrap_err(),
            "endSequenceId 0 is before startSequenceId 3"
        );
        assert!(
            parse(&document(payer, signer).replace("\"payers\"", "\"payer\""))
                .unwrap_err()
                .starts_with("invalid report: unknown field `payer`")
        );
    }

    #[test]
    fn one_call_settlements_carry_the_reference_row_name() {
        assert_eq!(
            settle_label(10, 0, 10),
            "PayerReportManager.settle — 10 payers, one call (all leaves)"
        );
        assert_eq!(
            settle_label(3, 2, 1),
            "PayerReportManager.settle — 3 payers, leaves 2..3"
        );
    }
}
