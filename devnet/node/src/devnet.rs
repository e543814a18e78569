//! Two linked chains: the settlement chain and the app chain, and Arbitrum's bridge between them.
//!
//! Settlement → app: the ERC-20 inbox on the settlement chain escrows the fee token and logs each
//! message; [`Devnet::relay`] turns each `createRetryableTicket` into a retryable ticket on the
//! app chain (created from the aliased sender, auto-redeemed when its gas terms allow it, kept
//! redeemable through ArbRetryableTx until it expires) and each `depositERC20` into native
//! currency, 18-decimal units for the token's own.
//!
//! App → settlement: `ArbSys.sendTxToL1` messages become outbox entries that the devnet executes
//! on the settlement chain once the configured delay has passed: the inbox releases the value,
//! scaled back to the token's decimals and rounded down, to the destination and calls it with the
//! message's data.

use std::collections::{BTreeMap, HashMap};

use alloy_consensus::{SignableTransaction as _, TxEip1559, TxEnvelope};
use alloy_eips::eip2718::Decodable2718 as _;
use alloy_primitives::{address, keccak256, Address, Bytes, TxKind, B256, U256};
use alloy_signer::SignerSync as _;
use alloy_signer_local::PrivateKeySigner;
use alloy_sol_types::{sol, SolCall as _};
use xmtp_devnet::chain::OutgoingMessage;
use xmtp_devnet::{AccessList, Chain, Receipt};

use crate::contracts::{self, selector, topic, ARB_RETRYABLE_TX, DEV_FEE_TOKEN, INBOX, OPERATOR};
use crate::node::{failure, CallRequest, Node, NodeError, NodeSnapshot, SystemTx, BLOCK_GAS_LIMIT};

sol! {
    function createRetryableTicket(
        address to,
        uint256 l2CallValue,
        uint256 maxSubmissionCost,
        address excessFeeRefundAddress,
        address callValueRefundAddress,
        uint256 gasLimit,
        uint256 maxFeePerGas,
        uint256 tokenTotalFeeAmount,
        bytes data
    ) returns (uint256);
    function depositERC20(uint256 amount) returns (uint256);
    function devnetExecute(address to, uint256 amount, bytes data);
    function devnetCreate(
        bytes32 id,
        uint256 timeout,
        address beneficiary,
        uint256 gas,
        address donor,
        uint256 maxRefund
    );
    function devnetRemove(bytes32 id);
    function devnetEnter(bytes32 id, address redeemer);
    function redeem(bytes32 ticketId) returns (bytes32);
    function mint(address to, uint256 amount) returns (bool);
}

/// Arbitrum's L1→L2 address alias offset (also used between L2 and L3).
pub const ALIAS_OFFSET: Address = address!("1111000000000000000000000000000000001111");

/// `toAlias(a) = a + OFFSET mod 2^160`.
pub fn to_alias(a: Address) -> Address {
    let sum = U256::from_be_slice(a.as_slice()) + U256::from_be_slice(ALIAS_OFFSET.as_slice());
    let bytes = sum.to_be_bytes::<32>();
    Address::from_slice(&bytes[12..])
}

/// `fromAlias(a) = a - OFFSET mod 2^160`.
pub fn from_alias(a: Address) -> Address {
    let modulus: U256 = U256::from(1) << 160;
    let diff: U256 =
        U256::from_be_slice(a.as_slice()) + modulus - U256::from_be_slice(ALIAS_OFFSET.as_slice());
    let bytes = diff.to_be_bytes::<32>();
    Address::from_slice(&bytes[12..])
}

/// The well-known development keys (those of the standard test mnemonic), so that tools
/// configured for a local node work unchanged.
pub const DEV_KEYS: [&str; 10] = [
    "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    "7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
    "47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
    "8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
    "92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
    "4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
    "dbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
    "2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6",
];

/// Which chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// The settlement chain (Arbitrum's "parent chain").
    Settlement,
    /// The app chain (the "child chain"), whose native currency is the fee token.
    App,
}

/// Devnet settings.
#[derive(Debug, Clone)]
pub struct DevnetConfig {
    /// Settlement chain id.
    pub settlement_chain_id: u64,
    /// App chain id.
    pub app_chain_id: u64,
    /// Base fee of both chains, in wei (the app chain's 18-decimal native units).
    pub basefee: u64,
    /// Fee token on the settlement chain; `None` installs the devnet's own at [`DEV_FEE_TOKEN`].
    pub fee_token: Option<Address>,
    /// Decimals of the fee token (at most 18).
    pub fee_token_decimals: u8,
    /// Seconds before an outbox entry can be executed.
    pub outbox_delay: u64,
    /// Seconds a retryable ticket stays redeemable.
    pub ticket_lifetime: u64,
    /// Native balance of each dev account on both chains, in wei.
    pub dev_balance: U256,
    /// Dev fee tokens minted to each dev account (only with the devnet's own fee token), in the
    /// token's units.
    pub dev_tokens: U256,
}

impl Default for DevnetConfig {
    fn default() -> Self {
        Self {
            settlement_chain_id: 31_337,
            app_chain_id: 31_338,
            basefee: 100_000_000,
            fee_token: None,
            fee_token_decimals: 6,
            outbox_delay: 3_600,
            ticket_lifetime: 7 * 24 * 3_600,
            dev_balance: U256::from(10_000u64) * U256::from(10u64).pow(U256::from(18)),
            dev_tokens: U256::from(1_000_000u64) * U256::from(1_000_000u64),
        }
    }
}

/// A retryable ticket alive on the app chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    /// Ticket id (the hash of its submission).
    pub id: B256,
    /// Inbox message number.
    pub message_number: U256,
    /// Sender on the app chain: the alias of the settlement-chain sender.
    pub from: Address,
    /// Callee.
    pub to: Address,
    /// Call value held in escrow.
    pub call_value: U256,
    /// Calldata.
    pub data: Bytes,
    /// Where unused fees go.
    pub fee_refund: Address,
    /// Where the call value goes if the ticket expires.
    pub beneficiary: Address,
    /// Timestamp from which it can no longer be redeemed.
    pub timeout: u64,
    /// The escrow account holding the call value.
    pub escrow: Address,
}

/// A message from the app chain waiting in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    /// The message.
    pub message: OutgoingMessage,
    /// Settlement-chain timestamp from which it can be executed.
    pub ready_at: u64,
    /// Executed already.
    pub executed: bool,
}

/// What a relay did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RelayReport {
    /// Tickets created on the app chain.
    pub tickets_created: Vec<B256>,
    /// Retry transactions that succeeded (auto-redeems and manual redeems).
    pub redeemed: Vec<B256>,
    /// Tickets whose redeem attempt failed (they stay redeemable).
    pub failed: Vec<B256>,
    /// Tickets that expired (call value sent to their beneficiary).
    pub expired: Vec<B256>,
    /// Tickets their beneficiary cancelled (call value sent to the beneficiary).
    pub canceled: Vec<B256>,
    /// Deposits credited on the app chain: (recipient, amount in wei).
    pub deposits: Vec<(Address, U256)>,
    /// Outbox positions executed on the settlement chain.
    pub outbox_executed: Vec<U256>,
    /// Outbox positions whose execution reverted (they stay executable).
    pub outbox_failed: Vec<U256>,
}

impl RelayReport {
    /// Whether the relay did nothing.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

#[derive(Debug, Clone)]
struct InboxMessage {
    sender: Address,
    number: U256,
    calldata: Bytes,
}

#[derive(Debug, Clone)]
struct DevnetSnapshot {
    settlement: NodeSnapshot,
    app: NodeSnapshot,
    queue: Vec<InboxMessage>,
    tickets: BTreeMap<B256, Ticket>,
    outbox: Vec<OutboxEntry>,
}

/// A development account.
#[derive(Debug, Clone)]
pub struct DevAccount {
    /// Address.
    pub address: Address,
    /// Private key (hex, no prefix).
    pub key: String,
}

/// A transaction from an unlocked dev account (`eth_sendTransaction`); absent fields are filled
/// in as a wallet would.
#[derive(Debug, Clone, Default)]
pub struct TxRequest {
    /// Sender: a dev account.
    pub from: Address,
    /// Callee, or `None` to deploy.
    pub to: Option<Address>,
    /// Value.
    pub value: U256,
    /// Calldata or init code.
    pub data: Bytes,
    /// Gas limit (estimated when absent).
    pub gas: Option<u64>,
    /// Fee cap (twice the base fee when absent).
    pub max_fee_per_gas: Option<u128>,
    /// Nonce (the account's next when absent).
    pub nonce: Option<u64>,
    /// Access list of the EIP-1559 transaction signed for it.
    pub access_list: AccessList,
}

/// The two chains, the bridge between them and the dev accounts.
#[derive(Debug)]
pub struct Devnet {
    /// The settlement chain.
    pub settlement: Node,
    /// The app chain.
    pub app: Node,
    config: DevnetConfig,
    scale: U256,
    fee_token: Address,
    signers: Vec<PrivateKeySigner>,
    queue: Vec<InboxMessage>,
    tickets: BTreeMap<B256, Ticket>,
    outbox: Vec<OutboxEntry>,
    snapshots: HashMap<u64, DevnetSnapshot>,
    next_snapshot: u64,
    /// Filters installed over JSON-RPC (`eth_newFilter`, `eth_newBlockFilter`).
    pub(crate) filters: BTreeMap<u64, InstalledFilter>,
    pub(crate) next_filter: u64,
}

/// A filter installed over JSON-RPC, polled with `eth_getFilterChanges`.
#[derive(Debug, Clone)]
pub(crate) struct InstalledFilter {
    pub(crate) side: Side,
    /// `None`: a block filter.
    pub(crate) logs: Option<alloy_rpc_types_eth::Filter>,
    /// The first block not yet reported.
    pub(crate) next_block: u64,
}

fn sys(from: Address, to: Address, value: U256, data: Vec<u8>) -> SystemTx {
    SystemTx {
        from,
        to,
        value,
        data: data.into(),
        gas: 1_000_000,
        basefee: 0,
        hash: None,
    }
}

/// A redeem ArbRetryableTx scheduled (its `RedeemScheduled` log).
struct Scheduled {
    id: B256,
    seq: u64,
    gas: u64,
    donor: Address,
}

/// The `i`-th 32-byte word of a log's data, if it has one.
fn data_word(log: &alloy_primitives::Log, i: usize) -> Option<&[u8]> {
    log.data.data.get(32 * i..32 * (i + 1))
}

fn scheduled_redeems(receipt: &Receipt) -> Vec<Scheduled> {
    let scheduled = topic(contracts::REDEEM_SCHEDULED_EVENT);
    receipt
        .logs
        .iter()
        .filter(|l| l.address == ARB_RETRYABLE_TX && l.topics().first() == Some(&scheduled))
        .filter_map(|l| {
            let word = |i: usize| data_word(l, i);
            let gas = U256::from_be_slice(word(0)?).saturating_to::<u64>();
            Some(Scheduled {
                id: *l.topics().get(1)?,
                seq: U256::from_be_bytes(l.topics().get(3)?.0).saturating_to::<u64>(),
                gas: gas.min(BLOCK_GAS_LIMIT),
                donor: Address::from_slice(&word(1)?[12..]),
            })
        })
        .collect()
}

fn hash_of(parts: &[&[u8]]) -> B256 {
    keccak256(parts.concat())
}

impl Devnet {
    /// Both chains with their system contracts and funded dev accounts.
    pub fn new(config: DevnetConfig) -> Result<Self, NodeError> {
        if config.fee_token_decimals > 18 {
            return Err(NodeError::invalid_params("fee token decimals above 18"));
        }
        let scale = U256::from(10u64).pow(U256::from(18 - config.fee_token_decimals));
        let fee_token = config.fee_token.unwrap_or(DEV_FEE_TOKEN);
        let signers: Vec<PrivateKeySigner> = DEV_KEYS
            .iter()
            .map(|k| k.parse().expect("the dev keys are valid secp256k1 keys"))
            .collect();
        let mut settlement = Chain::new(config.settlement_chain_id);
        let mut app = Chain::new(config.app_chain_id);
        settlement.set_code(
            INBOX,
            contracts::inbox_code(fee_token, OPERATOR, scale).into(),
        );
        app.set_code(
            ARB_RETRYABLE_TX,
            contracts::retryable_code(OPERATOR, config.ticket_lifetime).into(),
        );
        if config.fee_token.is_none() {
            settlement.set_code(
                DEV_FEE_TOKEN,
                contracts::dev_token_code(config.fee_token_decimals).into(),
            );
        }
        for s in &signers {
            settlement.fund(s.address(), config.dev_balance);
            app.fund(s.address(), config.dev_balance);
        }
        let mut settlement = Node::new(settlement, config.basefee);
        let app = Node::new(app, config.basefee);
        if config.fee_token.is_none() {
            for s in &signers {
                let call = mintCall {
                    to: s.address(),
                    amount: config.dev_tokens,
                };
                let r = settlement.system(&sys(
                    OPERATOR,
                    DEV_FEE_TOKEN,
                    U256::ZERO,
                    call.abi_encode(),
                ))?;
                debug_assert!(r.status);
            }
        }
        Ok(Self {
            settlement,
            app,
            config,
            scale,
            fee_token,
            signers,
            queue: Vec::new(),
            tickets: BTreeMap::new(),
            outbox: Vec::new(),
            snapshots: HashMap::new(),
            next_snapshot: 0,
            filters: BTreeMap::new(),
            next_filter: 1,
        })
    }

    /// The settings.
    pub fn config(&self) -> &DevnetConfig {
        &self.config
    }

    /// The fee token on the settlement chain.
    pub fn fee_token(&self) -> Address {
        self.fee_token
    }

    /// 10^(18 - fee token decimals): app-chain wei per fee-token unit.
    pub fn scale(&self) -> U256 {
        self.scale
    }

    /// The dev accounts (funded on both chains).
    pub fn accounts(&self) -> Vec<DevAccount> {
        self.signers
            .iter()
            .zip(DEV_KEYS)
            .map(|(s, k)| DevAccount {
                address: s.address(),
                key: k.to_string(),
            })
            .collect()
    }

    /// A chain.
    pub fn node(&self, side: Side) -> &Node {
        match side {
            Side::Settlement => &self.settlement,
            Side::App => &self.app,
        }
    }

    /// A chain, mutably.
    pub fn node_mut(&mut self, side: Side) -> &mut Node {
        match side {
            Side::Settlement => &mut self.settlement,
            Side::App => &mut self.app,
        }
    }

    /// Live tickets.
    pub fn tickets(&self) -> impl Iterator<Item = &Ticket> {
        self.tickets.values()
    }

    /// A live ticket.
    pub fn ticket(&self, id: B256) -> Option<&Ticket> {
        self.tickets.get(&id)
    }

    /// Outbox entries, executed or not.
    pub fn outbox(&self) -> &[OutboxEntry] {
        &self.outbox
    }

    /// Inbox messages not yet delivered to the app chain.
    pub fn pending_messages(&self) -> usize {
        self.queue.len()
    }

    /// Decodes, checks and executes a signed transaction in a new block.
    pub fn send_raw(&mut self, side: Side, raw: &[u8]) -> Result<B256, NodeError> {
        let mut buf = raw;
        let envelope = TxEnvelope::decode_2718(&mut buf)
            .map_err(|e| NodeError::invalid_params(format!("invalid transaction: {e}")))?;
        if !buf.is_empty() {
            return Err(NodeError::invalid_params(
                "invalid transaction: trailing bytes",
            ));
        }
        self.send_envelope(side, envelope)
    }

    /// Signs a transaction with a dev account's key and executes it in a new block.
    pub fn send_tx(&mut self, side: Side, req: &TxRequest) -> Result<B256, NodeError> {
        let signer = self
            .signers
            .iter()
            .find(|s| s.address() == req.from)
            .ok_or_else(|| {
                NodeError::rejected(format!(
                    "no key for account {}: not a dev account",
                    req.from
                ))
            })?
            .clone();
        let gas = match req.gas {
            Some(g) => g,
            None => self.estimate_gas(
                side,
                &CallRequest {
                    from: Some(req.from),
                    to: req.to,
                    value: req.value,
                    data: req.data.clone(),
                    gas: None,
                    access_list: req.access_list.clone(),
                },
            )?,
        };
        let node = self.node_mut(side);
        let tx = TxEip1559 {
            chain_id: node.chain_id(),
            nonce: req.nonce.unwrap_or_else(|| node.chain().nonce(req.from)),
            gas_limit: gas,
            max_fee_per_gas: req
                .max_fee_per_gas
                .unwrap_or(2 * u128::from(node.basefee())),
            max_priority_fee_per_gas: 0,
            to: req.to.map_or(TxKind::Create, TxKind::Call),
            value: req.value,
            access_list: req.access_list.clone(),
            input: req.data.clone(),
        };
        let sig = signer
            .sign_hash_sync(&tx.signature_hash())
            .map_err(|e| NodeError::rejected(format!("signing failed: {e}")))?;
        self.send_envelope(side, tx.into_signed(sig).into())
    }

    fn send_envelope(&mut self, side: Side, envelope: TxEnvelope) -> Result<B256, NodeError> {
        let (hash, receipt) = self.node_mut(side).submit(envelope)?;
        match side {
            Side::Settlement => self.collect_inbox(&receipt),
            Side::App => {
                let mut report = RelayReport::default();
                self.after_app_tx(&receipt, &mut report);
            }
        }
        self.node_mut(side).seal();
        Ok(hash)
    }

    fn collect_inbox(&mut self, receipt: &Receipt) {
        let t = topic(contracts::INBOX_MESSAGE_EVENT);
        for log in &receipt.logs {
            if log.address != INBOX || log.topics().first() != Some(&t) {
                continue;
            }
            let d = &log.data.data;
            if d.len() < 64 {
                continue;
            }
            self.queue.push(InboxMessage {
                sender: Address::from_slice(&d[12..32]),
                number: U256::from_be_slice(&d[32..64]),
                calldata: Bytes::copy_from_slice(&d[64..]),
            });
        }
    }

    /// Outbox entries and ArbRetryableTx's events of an app-chain transaction (or of a retry):
    /// a keepalive moves the ticket's timeout, a cancel pays its call value to the beneficiary,
    /// and the redeems it scheduled run right after it, in the same block, as ArbOS schedules
    /// them (after the whole transaction, so a ticket cancelled later in it is not run).
    fn after_app_tx(&mut self, receipt: &Receipt, report: &mut RelayReport) {
        let now = self.app.chain().timestamp();
        for message in receipt.outgoing_messages() {
            self.outbox.push(OutboxEntry {
                message,
                ready_at: now + self.config.outbox_delay,
                executed: false,
            });
        }
        let extended = topic(contracts::LIFETIME_EXTENDED_EVENT);
        let canceled = topic(contracts::CANCELED_EVENT);
        for log in receipt
            .logs
            .iter()
            .filter(|l| l.address == ARB_RETRYABLE_TX)
        {
            let (Some(event), Some(&id)) = (log.topics().first(), log.topics().get(1)) else {
                continue;
            };
            let word = |i: usize| data_word(log, i);
            if *event == extended {
                if let (Some(ticket), Some(timeout)) = (self.tickets.get_mut(&id), word(0)) {
                    ticket.timeout = U256::from_be_slice(timeout).saturating_to::<u64>();
                }
            } else if *event == canceled {
                if let Some(t) = self.tickets.remove(&id) {
                    let _ =
                        self.app
                            .system(&sys(t.escrow, t.beneficiary, t.call_value, Vec::new()));
                    report.canceled.push(id);
                }
            }
        }
        for s in scheduled_redeems(receipt) {
            // The redeemer's transaction donated its remaining gas; the retry runs without
            // charging it again.
            self.retry(s.id, s.seq, s.gas, 0, s.donor, report);
        }
    }

    /// `eth_estimateGas`: the chain's own estimate, except for a redeem of a live ticket on the
    /// app chain, which is estimated with its retry, as Nitro's estimator runs the retries a
    /// transaction schedules: the least gas for which the redeem succeeds and donates enough for
    /// the retry to succeed. A retry that fails even with all the gas fails the estimate with
    /// the retry's revert.
    pub fn estimate_gas(&mut self, side: Side, req: &CallRequest) -> Result<u64, NodeError> {
        let own = self.node_mut(side).estimate_gas(req)?;
        if side != Side::App || req.to != Some(ARB_RETRYABLE_TX) {
            return Ok(own);
        }
        let Some(ticket) = redeemCall::abi_decode(&req.data)
            .ok()
            .and_then(|c| self.tickets.get(&c.ticketId).cloned())
        else {
            return Ok(own);
        };
        // The retry is probed from the ticket's sender holding the call value, as it would
        // once the escrow paid it; the state is put back afterwards.
        let saved = self.app.chain().snapshot();
        self.app.chain_mut().fund(ticket.from, ticket.call_value);
        let result = self.estimate_redeem(own, req, &ticket);
        self.app.chain_mut().restore(saved);
        result
    }

    fn estimate_redeem(
        &mut self,
        own: u64,
        req: &CallRequest,
        ticket: &Ticket,
    ) -> Result<u64, NodeError> {
        let cap = req.gas.unwrap_or(BLOCK_GAS_LIMIT).min(BLOCK_GAS_LIMIT);
        let (mut lo, mut hi) = (own.saturating_sub(1), cap);
        self.redeem_with_retry(req, ticket, cap)?;
        // Bisection over at most 2^25 gas: at most 25 probes of two calls each.
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if self.redeem_with_retry(req, ticket, mid).is_ok() {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        Ok(hi)
    }

    /// Whether a redeem with `gas` succeeds and its retry with the donated gas too.
    fn redeem_with_retry(
        &mut self,
        req: &CallRequest,
        ticket: &Ticket,
        gas: u64,
    ) -> Result<(), NodeError> {
        let redeem = self.app.call(&CallRequest {
            gas: Some(gas),
            ..req.clone()
        })?;
        if !redeem.status {
            return Err(failure(&redeem));
        }
        let donated = scheduled_redeems(&redeem).first().map_or(0, |s| s.gas);
        let retry = self.app.call(&CallRequest {
            from: Some(ticket.from),
            to: Some(ticket.to),
            value: ticket.call_value,
            data: ticket.data.clone(),
            gas: Some(donated),
            ..CallRequest::default()
        })?;
        if retry.status {
            Ok(())
        } else {
            Err(failure(&retry))
        }
    }

    /// Runs a ticket's retry transaction; returns whether it succeeded. `redeemer` is what
    /// `getCurrentRedeemer` answers during it: the fee refund address for the auto-redeem, the
    /// caller of `redeem` otherwise.
    fn retry(
        &mut self,
        id: B256,
        seq: u64,
        gas: u64,
        basefee: u64,
        redeemer: Address,
        report: &mut RelayReport,
    ) -> bool {
        let Some(ticket) = self.tickets.get(&id).cloned() else {
            return false;
        };
        let from = ticket.from;
        if self
            .app
            .system(&sys(ticket.escrow, from, ticket.call_value, Vec::new()))
            .is_err()
        {
            report.failed.push(id);
            return false;
        }
        self.enter_retry(id, redeemer);
        let hash = hash_of(&[id.as_slice(), &U256::from(seq).to_be_bytes::<32>()]);
        let result = self.app.system(&SystemTx {
            from,
            to: ticket.to,
            value: ticket.call_value,
            data: ticket.data.clone(),
            gas,
            basefee,
            hash: Some(hash),
        });
        self.enter_retry(B256::ZERO, Address::ZERO);
        let used = result.as_ref().map_or(0, |r| r.gas_used);
        let succeeded = result.ok().filter(|r| r.status);
        let ok = succeeded.is_some();
        if let Some(receipt) = succeeded {
            self.tickets.remove(&id);
            let remove = devnetRemoveCall { id }.abi_encode();
            // The operator's own call to its own contract cannot fail.
            let _ = self
                .app
                .system(&sys(OPERATOR, ARB_RETRYABLE_TX, U256::ZERO, remove));
            report.redeemed.push(hash);
            // What the retry itself sent to the outbox or asked of ArbRetryableTx.
            self.after_app_tx(&receipt, report);
        } else {
            let _ = self
                .app
                .system(&sys(from, ticket.escrow, ticket.call_value, Vec::new()));
            report.failed.push(id);
        }
        // Gas bought for the auto-redeem but not used goes to the fee refund address.
        let unused = U256::from(gas.saturating_sub(used)) * U256::from(basefee);
        if !unused.is_zero() && from != ticket.fee_refund {
            let _ = self
                .app
                .system(&sys(from, ticket.fee_refund, unused, Vec::new()));
        }
        ok
    }

    /// Tells ArbRetryableTx which retry runs (zeros: none), for `getCurrentRedeemer` and for
    /// refusing a ticket's redeem or cancel from its own retry.
    fn enter_retry(&mut self, id: B256, redeemer: Address) {
        let enter = devnetEnterCall { id, redeemer }.abi_encode();
        // The operator's own call to its own contract cannot fail.
        let _ = self
            .app
            .system(&sys(OPERATOR, ARB_RETRYABLE_TX, U256::ZERO, enter));
    }

    fn alias_if_contract(&self, a: Address) -> Address {
        if self.settlement.chain().code(a).is_empty() {
            a
        } else {
            to_alias(a)
        }
    }

    fn deliver(&mut self, msg: &InboxMessage, report: &mut RelayReport) {
        let chain_id = U256::from(self.app.chain_id()).to_be_bytes::<32>();
        let number = msg.number.to_be_bytes::<32>();
        let sel = msg.calldata.get(..4).unwrap_or_default();
        if sel == selector("depositERC20(uint256)") {
            let Ok(call) = depositERC20Call::abi_decode(&msg.calldata) else {
                return;
            };
            // An EOA receives its deposit at its own address; a contract at its alias.
            let dest = self.alias_if_contract(msg.sender);
            let amount = call.amount.saturating_mul(self.scale);
            self.app.chain_mut().fund(dest, amount);
            let hash = hash_of(&[b"deposit", &chain_id, &number]);
            self.app
                .record_deposit(hash, to_alias(msg.sender), dest, amount);
            report.deposits.push((dest, amount));
            return;
        }
        let Ok(call) = createRetryableTicketCall::abi_decode(&msg.calldata) else {
            return;
        };
        let id = hash_of(&[b"retryable", &chain_id, &number]);
        let from = to_alias(msg.sender);
        let escrow = Address::from_slice(
            &keccak256([b"retryable escrow".as_slice(), id.as_slice()].concat())[12..],
        );
        let fee_refund = self.alias_if_contract(call.excessFeeRefundAddress);
        let beneficiary = self.alias_if_contract(call.callValueRefundAddress);
        let deposit = call.tokenTotalFeeAmount.saturating_mul(self.scale);
        let basefee = self.app.basefee();
        let gas = u64::try_from(call.gasLimit).unwrap_or(u64::MAX);
        // As ArbOS: no auto-redeem below a transaction's base cost or under the base fee.
        let auto =
            (21_000..=BLOCK_GAS_LIMIT).contains(&gas) && call.maxFeePerGas >= U256::from(basefee);
        // Gas for the auto-redeem is bought at the base fee; the rest of the deposit beyond the
        // call value (submission cost, which this chain does not charge, the fee cap's excess
        // and any surplus) goes straight to the fee refund address.
        let prepaid = if auto {
            U256::from(gas) * U256::from(basefee)
        } else {
            U256::ZERO
        };
        let refund = deposit
            .saturating_sub(call.l2CallValue)
            .saturating_sub(prepaid);
        let timeout = self.app.chain().timestamp() + self.config.ticket_lifetime;
        let chain = self.app.chain_mut();
        chain.fund(escrow, call.l2CallValue);
        chain.fund(from, prepaid);
        chain.fund(fee_refund, refund);
        // The auto-redeem is scheduled in the submission itself, with the fee refund address as
        // its gas donor and the gas bought as the most it can refund, as ArbOS logs it.
        let create = devnetCreateCall {
            id,
            timeout: U256::from(timeout),
            beneficiary,
            gas: U256::from(if auto { gas } else { 0 }),
            donor: fee_refund,
            maxRefund: prepaid,
        }
        .abi_encode();
        let mut stx = sys(OPERATOR, ARB_RETRYABLE_TX, U256::ZERO, create);
        stx.hash = Some(id);
        let _ = self.app.system(&stx);
        self.tickets.insert(
            id,
            Ticket {
                id,
                message_number: msg.number,
                from,
                to: call.to,
                call_value: call.l2CallValue,
                data: call.data.clone(),
                fee_refund,
                beneficiary,
                timeout,
                escrow,
            },
        );
        report.tickets_created.push(id);
        if auto {
            self.retry(id, 0, gas, basefee, fee_refund, report);
        }
    }

    fn expire(&mut self, report: &mut RelayReport) {
        let now = self.app.chain().timestamp();
        let expired: Vec<Ticket> = self
            .tickets
            .values()
            .filter(|t| t.timeout <= now)
            .cloned()
            .collect();
        for t in expired {
            self.tickets.remove(&t.id);
            let _ = self
                .app
                .system(&sys(t.escrow, t.beneficiary, t.call_value, Vec::new()));
            let remove = devnetRemoveCall { id: t.id }.abi_encode();
            let _ = self
                .app
                .system(&sys(OPERATOR, ARB_RETRYABLE_TX, U256::ZERO, remove));
            report.expired.push(t.id);
        }
    }

    fn execute_outbox(&mut self, ignore_delay: bool, report: &mut RelayReport) {
        let now = self.settlement.chain().timestamp();
        for i in 0..self.outbox.len() {
            let entry = self.outbox[i].clone();
            if entry.executed || (!ignore_delay && entry.ready_at > now) {
                continue;
            }
            let m = &entry.message;
            // The bridge releases whole token units only: the rest of the value stays burnt.
            let amount = m.value / self.scale;
            let call = devnetExecuteCall {
                to: m.destination,
                amount,
                data: m.data.clone(),
            };
            let mut stx = sys(OPERATOR, INBOX, U256::ZERO, call.abi_encode());
            stx.gas = BLOCK_GAS_LIMIT;
            stx.hash = Some(hash_of(&[b"outbox", &m.position.to_be_bytes::<32>()]));
            match self.settlement.system(&stx) {
                Ok(r) if r.status => {
                    self.outbox[i].executed = true;
                    report.outbox_executed.push(m.position);
                }
                _ => report.outbox_failed.push(m.position),
            }
        }
    }

    fn relay_inner(&mut self, ignore_delay: bool) -> RelayReport {
        let mut report = RelayReport::default();
        self.expire(&mut report);
        for msg in std::mem::take(&mut self.queue) {
            self.deliver(&msg, &mut report);
        }
        if self.app.has_pending() {
            self.app.seal();
        }
        self.execute_outbox(ignore_delay, &mut report);
        if self.settlement.has_pending() {
            self.settlement.seal();
        }
        report
    }

    /// Expires tickets past their timeout, delivers every inbox message to the app chain (in
    /// one block) and executes the outbox entries whose delay has passed (in one block).
    pub fn relay(&mut self) -> RelayReport {
        self.relay_inner(false)
    }

    /// As [`Devnet::relay`], but executes every outbox entry regardless of its delay.
    pub fn relay_all(&mut self) -> RelayReport {
        self.relay_inner(true)
    }

    /// Moves both chains' clocks forward (they share one wall clock) and mines an empty block
    /// on each.
    pub fn advance(&mut self, seconds: u64) {
        self.settlement.increase_time(seconds);
        self.app.increase_time(seconds);
        self.settlement.seal();
        self.app.seal();
    }

    /// Saves the whole devnet; returns the snapshot's id.
    pub fn snapshot(&mut self) -> u64 {
        let id = self.next_snapshot;
        self.next_snapshot += 1;
        self.snapshots.insert(
            id,
            DevnetSnapshot {
                settlement: self.settlement.snapshot(),
                app: self.app.snapshot(),
                queue: self.queue.clone(),
                tickets: self.tickets.clone(),
                outbox: self.outbox.clone(),
            },
        );
        id
    }

    /// Restores a snapshot; it and every later one are dropped. False for an unknown id.
    pub fn revert(&mut self, id: u64) -> bool {
        let Some(s) = self.snapshots.remove(&id) else {
            return false;
        };
        self.snapshots.retain(|k, _| *k < id);
        self.settlement.restore(s.settlement);
        self.app.restore(s.app);
        self.queue = s.queue;
        self.tickets = s.tickets;
        self.outbox = s.outbox;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliasing_matches_the_spec_examples() {
        let gw = address!("18f4aA7E0Af2A102549986b2F53e727C0CC24EB7");
        assert_eq!(
            to_alias(gw),
            address!("2a05aa7e0af2a102549986b2f53e727c0cc25fc8")
        );
        assert_eq!(from_alias(to_alias(gw)), gw);
        assert_eq!(
            to_alias(Address::repeat_byte(0xff)),
            address!("1111000000000000000000000000000000001110")
        );
        assert_eq!(
            from_alias(Address::ZERO),
            address!("eeeeffffffffffffffffffffffffffffffffeeef")
        );
    }

    #[test]
    fn dev_accounts_are_the_well_known_ones() {
        let d = Devnet::new(DevnetConfig::default()).unwrap();
        let a = d.accounts();
        assert_eq!(a.len(), 10);
        assert_eq!(
            a[0].address,
            address!("f39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
        );
        assert_eq!(
            a[1].address,
            address!("70997970C51812dc3A010C7d01b50e0d17dc79C8")
        );
        assert_eq!(
            d.settlement.chain().balance(a[0].address),
            d.config().dev_balance
        );
        assert_eq!(d.app.chain().balance(a[9].address), d.config().dev_balance);
    }
}
