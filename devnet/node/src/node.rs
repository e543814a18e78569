//! One chain as a node: blocks, signed transactions, receipts and logs on top of a [`Chain`].
//!
//! The runtime executes one transaction at a time and keeps only the latest state; this layer adds
//! what a client sees of a node: transactions checked like a mempool would (signature, chain id,
//! nonce, fee cap, balance), blocks with hashes and timestamps, receipts and log queries.

use std::collections::HashMap;

use alloy_consensus::transaction::SignerRecoverable;
use alloy_consensus::{
    Eip658Value, Header, ReceiptEnvelope, ReceiptWithBloom, Signed, Transaction as _, TxEnvelope,
    TxLegacy,
};
use alloy_primitives::{keccak256, logs_bloom, Address, Bytes, Signature, TxKind, B256, U256};
use alloy_rpc_types_eth::{Filter, FilterBlockOption};
use xmtp_devnet::chain::{ChainError, Snapshot};
use xmtp_devnet::{AccessList, Chain, Receipt, Tx};

/// The gas limit of a block, and the most a transaction or an `eth_call` may use.
pub const BLOCK_GAS_LIMIT: u64 = 32_000_000;

/// An error a client sees as a JSON-RPC error object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeError {
    /// JSON-RPC error code.
    pub code: i64,
    /// Human-readable reason.
    pub message: String,
    /// Revert data, for `execution reverted`.
    pub data: Option<Bytes>,
}

impl NodeError {
    /// A transaction or request the node refuses (code -32000, as geth and anvil use).
    pub fn rejected(message: impl Into<String>) -> Self {
        Self {
            code: -32000,
            message: message.into(),
            data: None,
        }
    }

    /// Bad parameters (code -32602).
    pub fn invalid_params(message: impl Into<String>) -> Self {
        Self {
            code: -32602,
            message: message.into(),
            data: None,
        }
    }

    /// A call that reverted (code 3 with the revert data, as geth reports it).
    pub fn reverted(output: &Bytes) -> Self {
        Self {
            code: 3,
            message: "execution reverted".into(),
            data: Some(output.clone()),
        }
    }
}

impl std::fmt::Display for NodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (code {})", self.message, self.code)
    }
}

impl std::error::Error for NodeError {}

impl From<ChainError> for NodeError {
    fn from(e: ChainError) -> Self {
        Self::rejected(e.0)
    }
}

/// A transaction included in a block.
#[derive(Debug, Clone)]
pub struct TxRecord {
    /// Its hash (for system transactions, the hash Arbitrum gives them, not the envelope's).
    pub hash: B256,
    /// The transaction; system transactions carry a placeholder signature.
    pub envelope: TxEnvelope,
    /// Sender.
    pub from: Address,
    /// Block number.
    pub block: u64,
    /// Position in the block.
    pub index: u64,
    /// Price paid per gas.
    pub gas_price: u128,
    /// The runtime's outcome.
    pub receipt: Receipt,
}

/// A sealed block.
#[derive(Debug, Clone)]
pub struct BlockRecord {
    /// Number.
    pub number: u64,
    /// Hash.
    pub hash: B256,
    /// Parent hash.
    pub parent_hash: B256,
    /// Timestamp.
    pub timestamp: u64,
    /// Base fee.
    pub base_fee: u64,
    /// Transactions, in order.
    pub txs: Vec<B256>,
}

/// A transaction the node executes on the chain's behalf, outside the mempool rules.
#[derive(Debug, Clone)]
pub struct SystemTx {
    /// Sender (no signature, no fee unless `basefee` is set).
    pub from: Address,
    /// Callee.
    pub to: Address,
    /// Value.
    pub value: U256,
    /// Calldata.
    pub data: Bytes,
    /// Gas limit.
    pub gas: u64,
    /// Base fee charged to the sender (0: free).
    pub basefee: u64,
    /// Hash to record the transaction under; `None` runs it without recording it in the block.
    pub hash: Option<B256>,
}

/// A call for `eth_call` and `eth_estimateGas`.
#[derive(Debug, Clone, Default)]
pub struct CallRequest {
    /// Sender (zero address when absent).
    pub from: Option<Address>,
    /// Callee; `None` runs `data` as init code.
    pub to: Option<Address>,
    /// Value.
    pub value: U256,
    /// Calldata.
    pub data: Bytes,
    /// Gas limit (the block gas limit when absent).
    pub gas: Option<u64>,
    /// Access list, charged and warmed as the transaction would be.
    pub access_list: AccessList,
}

/// A saved node state (chain state, blocks and transactions).
#[derive(Debug, Clone)]
pub struct NodeSnapshot {
    chain: Snapshot,
    blocks: Vec<BlockRecord>,
    txs: HashMap<B256, TxRecord>,
    basefee: u64,
}

/// One chain with blocks, transactions, receipts and logs.
#[derive(Debug)]
pub struct Node {
    chain: Chain,
    basefee: u64,
    blocks: Vec<BlockRecord>,
    txs: HashMap<B256, TxRecord>,
    pending: Vec<B256>,
}

/// A log as a client sees it, with its position.
#[derive(Debug, Clone)]
pub struct LogEntry {
    /// The log.
    pub log: alloy_primitives::Log,
    /// Block number.
    pub block_number: u64,
    /// Block hash.
    pub block_hash: B256,
    /// Block timestamp.
    pub block_timestamp: u64,
    /// Transaction hash.
    pub tx_hash: B256,
    /// Transaction position in the block.
    pub tx_index: u64,
    /// Log position in the block.
    pub log_index: u64,
}

fn placeholder_signature() -> Signature {
    Signature::new(U256::from(1), U256::from(1), false)
}

impl Node {
    /// A node over `chain` with a genesis block at the chain's current time.
    pub fn new(mut chain: Chain, basefee: u64) -> Self {
        chain.set_basefee(basefee);
        let timestamp = chain.timestamp();
        let mut node = Self {
            chain,
            basefee,
            blocks: Vec::new(),
            txs: HashMap::new(),
            pending: Vec::new(),
        };
        node.push_block(timestamp);
        node
    }

    /// The chain.
    pub fn chain(&self) -> &Chain {
        &self.chain
    }

    /// The chain, mutably (state changes made here are not recorded as transactions).
    pub fn chain_mut(&mut self) -> &mut Chain {
        &mut self.chain
    }

    /// The chain id.
    pub fn chain_id(&self) -> u64 {
        self.chain.chain_id()
    }

    /// The base fee of the next block.
    pub fn basefee(&self) -> u64 {
        self.basefee
    }

    /// Sets the base fee of later blocks.
    pub fn set_basefee(&mut self, basefee: u64) {
        self.basefee = basefee;
        self.chain.set_basefee(basefee);
    }

    /// The latest block number.
    pub fn head(&self) -> u64 {
        self.blocks.last().map_or(0, |b| b.number)
    }

    /// A block by number.
    pub fn block(&self, number: u64) -> Option<&BlockRecord> {
        usize::try_from(number)
            .ok()
            .and_then(|n| self.blocks.get(n))
    }

    /// A block by hash.
    pub fn block_by_hash(&self, hash: B256) -> Option<&BlockRecord> {
        self.blocks.iter().find(|b| b.hash == hash)
    }

    /// A transaction by hash.
    pub fn tx(&self, hash: B256) -> Option<&TxRecord> {
        self.txs.get(&hash)
    }

    fn push_block(&mut self, timestamp: u64) -> u64 {
        let number = self.blocks.len() as u64;
        let parent_hash = self.blocks.last().map_or(B256::ZERO, |b| b.hash);
        let txs = std::mem::take(&mut self.pending);
        let mut pre = Vec::with_capacity(72 + 32 * txs.len());
        pre.extend_from_slice(&self.chain_id().to_be_bytes());
        pre.extend_from_slice(&number.to_be_bytes());
        pre.extend_from_slice(parent_hash.as_slice());
        pre.extend_from_slice(&timestamp.to_be_bytes());
        for t in &txs {
            pre.extend_from_slice(t.as_slice());
        }
        self.blocks.push(BlockRecord {
            number,
            hash: keccak256(pre),
            parent_hash,
            timestamp,
            base_fee: self.basefee,
            txs,
        });
        number
    }

    /// Seals the pending transactions into a block (an empty one when none are pending) and
    /// returns its number.
    pub fn seal(&mut self) -> u64 {
        let timestamp = self.chain.timestamp();
        self.push_block(timestamp)
    }

    /// Whether transactions wait to be sealed.
    pub fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    fn record(
        &mut self,
        hash: B256,
        envelope: TxEnvelope,
        from: Address,
        gas_price: u128,
        receipt: Receipt,
    ) {
        let index = self.pending.len() as u64;
        self.pending.push(hash);
        self.txs.insert(
            hash,
            TxRecord {
                hash,
                envelope,
                from,
                block: self.head() + 1,
                index,
                gas_price,
                receipt,
            },
        );
    }

    /// Checks and executes a signed transaction into the pending block.
    ///
    /// A refused transaction changes nothing; an executed one that fails still costs its sender
    /// the nonce and the fee, as on a real chain.
    pub fn submit(&mut self, envelope: TxEnvelope) -> Result<(B256, Receipt), NodeError> {
        let hash = *envelope.tx_hash();
        if self.txs.contains_key(&hash) {
            return Err(NodeError::rejected("already known"));
        }
        if matches!(envelope, TxEnvelope::Eip4844(_) | TxEnvelope::Eip7702(_)) {
            return Err(NodeError::rejected(format!(
                "transaction type {} not supported",
                u8::from(envelope.tx_type())
            )));
        }
        let from = envelope
            .recover_signer()
            .map_err(|e| NodeError::rejected(format!("invalid signature: {e}")))?;
        match envelope.chain_id() {
            Some(id) if id == self.chain_id() => {}
            Some(id) => {
                return Err(NodeError::rejected(format!(
                    "invalid chain id: expected {}, got {id}",
                    self.chain_id()
                )))
            }
            None => {
                return Err(NodeError::rejected(
                    "only replay-protected (EIP-155) transactions allowed",
                ))
            }
        }
        let expected = self.chain.nonce(from);
        let nonce = envelope.nonce();
        if nonce < expected {
            return Err(NodeError::rejected(format!(
                "nonce too low: next nonce {expected}, tx nonce {nonce}"
            )));
        }
        if nonce > expected {
            return Err(NodeError::rejected(format!(
                "nonce too high: next nonce {expected}, tx nonce {nonce}"
            )));
        }
        let gas_limit = envelope.gas_limit();
        if gas_limit > BLOCK_GAS_LIMIT {
            return Err(NodeError::rejected(format!(
                "exceeds block gas limit: {gas_limit} > {BLOCK_GAS_LIMIT}"
            )));
        }
        let max_fee = envelope.max_fee_per_gas();
        if max_fee < u128::from(self.basefee) {
            return Err(NodeError::rejected(format!(
                "max fee per gas less than block base fee: maxFeePerGas: {max_fee}, baseFee: {}",
                self.basefee
            )));
        }
        let cost = U256::from(gas_limit) * U256::from(max_fee) + envelope.value();
        let balance = self.chain.balance(from);
        if balance < cost {
            return Err(NodeError::rejected(format!(
                "insufficient funds for gas * price + value: balance {balance}, tx cost {cost}"
            )));
        }
        let tx = Tx {
            from,
            to: envelope.to(),
            value: envelope.value(),
            data: envelope.input().clone(),
            gas_limit,
            access_list: envelope.access_list().cloned().unwrap_or_default(),
        };
        let receipt = self.chain.send(&tx)?;
        let price = u128::from(self.basefee);
        self.record(hash, envelope, from, price, receipt.clone());
        Ok((hash, receipt))
    }

    /// Executes a system transaction into the pending block (recorded when it has a hash).
    pub fn system(&mut self, stx: &SystemTx) -> Result<Receipt, NodeError> {
        let nonce = self.chain.nonce(stx.from);
        self.chain.set_basefee(stx.basefee);
        let result = self.chain.send(
            &Tx::call(stx.from, stx.to, stx.data.clone())
                .value(stx.value)
                .gas(stx.gas),
        );
        self.chain.set_basefee(self.basefee);
        let receipt = result?;
        if let Some(hash) = stx.hash {
            let legacy = TxLegacy {
                chain_id: Some(self.chain_id()),
                nonce,
                gas_price: u128::from(stx.basefee),
                gas_limit: stx.gas,
                to: TxKind::Call(stx.to),
                value: stx.value,
                input: stx.data.clone(),
            };
            let signed = Signed::new_unchecked(legacy, placeholder_signature(), hash);
            self.record(
                hash,
                TxEnvelope::Legacy(signed),
                stx.from,
                u128::from(stx.basefee),
                receipt.clone(),
            );
        }
        Ok(receipt)
    }

    /// Records an event that moved value without running code (a deposit), as a successful
    /// transaction with no logs.
    pub fn record_deposit(&mut self, hash: B256, from: Address, to: Address, value: U256) {
        let legacy = TxLegacy {
            chain_id: Some(self.chain_id()),
            nonce: 0,
            gas_price: 0,
            gas_limit: 0,
            to: TxKind::Call(to),
            value,
            input: Bytes::new(),
        };
        let signed = Signed::new_unchecked(legacy, placeholder_signature(), hash);
        let receipt = Receipt {
            status: true,
            gas_used: 0,
            gas_refunded: 0,
            logs: Vec::new(),
            output: Bytes::new(),
            created: None,
            halt: None,
            stylus_halts: Vec::new(),
            activation_error: None,
        };
        self.record(hash, TxEnvelope::Legacy(signed), from, 0, receipt);
    }

    /// Runs a call on the latest state without committing it. No fee is charged, so a caller
    /// without funds can still read (the `BASEFEE` opcode reads zero in such a call).
    pub fn call(&mut self, req: &CallRequest) -> Result<Receipt, NodeError> {
        let gas = req.gas.unwrap_or(BLOCK_GAS_LIMIT).min(BLOCK_GAS_LIMIT);
        let from = req.from.unwrap_or_default();
        let tx = Tx {
            from,
            to: req.to,
            value: req.value,
            data: req.data.clone(),
            gas_limit: gas,
            access_list: req.access_list.clone(),
        };
        self.chain.set_basefee(0);
        let result = self.chain.call(&tx);
        self.chain.set_basefee(self.basefee);
        Ok(result?)
    }

    /// The least gas limit with which the call succeeds, found by bisection (the gas used is not
    /// enough when a callee keeps back 1/64 of the gas or a refund applies).
    pub fn estimate_gas(&mut self, req: &CallRequest) -> Result<u64, NodeError> {
        let cap = req.gas.unwrap_or(BLOCK_GAS_LIMIT).min(BLOCK_GAS_LIMIT);
        let mut probe = req.clone();
        probe.gas = Some(cap);
        let first = self.call(&probe)?;
        if !first.status {
            return Err(failure(&first));
        }
        let mut lo = first.gas_used.saturating_sub(1);
        let mut hi = cap;
        probe.gas = Some(first.gas_used + first.gas_refunded);
        if self.call(&probe).is_ok_and(|r| r.status) {
            hi = first.gas_used + first.gas_refunded;
        }
        // Bisection over at most 2^25 gas: at most 25 probes.
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            probe.gas = Some(mid);
            if self.call(&probe).is_ok_and(|r| r.status) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        Ok(hi)
    }

    /// Logs matching `filter`, in chain order.
    pub fn logs(&self, filter: &Filter) -> Result<Vec<LogEntry>, NodeError> {
        let (from, to) = match filter.block_option {
            FilterBlockOption::AtBlockHash(h) => {
                let b = self
                    .block_by_hash(h)
                    .ok_or_else(|| NodeError::invalid_params("unknown block hash"))?;
                (b.number, b.number)
            }
            FilterBlockOption::Range { .. } => {
                let head = self.head();
                let from = filter.get_from_block().unwrap_or(head).min(head + 1);
                let to = filter.get_to_block().unwrap_or(head).min(head);
                (from, to)
            }
        };
        let mut out = Vec::new();
        for number in from..=to {
            let Some(block) = self.block(number) else {
                continue;
            };
            let mut log_index = 0u64;
            for (tx_index, h) in block.txs.iter().enumerate() {
                let Some(rec) = self.txs.get(h) else { continue };
                for log in &rec.receipt.logs {
                    if filter.matches_address(log.address) && filter.matches_topics(log.topics()) {
                        out.push(LogEntry {
                            log: log.clone(),
                            block_number: number,
                            block_hash: block.hash,
                            block_timestamp: block.timestamp,
                            tx_hash: *h,
                            tx_index: tx_index as u64,
                            log_index,
                        });
                    }
                    log_index += 1;
                }
            }
        }
        Ok(out)
    }

    /// The receipt of a mined transaction.
    pub fn rpc_receipt(&self, hash: B256) -> Option<alloy_rpc_types_eth::TransactionReceipt> {
        let rec = self.txs.get(&hash)?;
        let block = self.block(rec.block)?;
        let mut cumulative = 0u64;
        let mut first_log = 0u64;
        for h in &block.txs {
            let r = &self.txs.get(h)?.receipt;
            cumulative += r.gas_used;
            if *h == hash {
                break;
            }
            first_log += r.logs.len() as u64;
        }
        let logs: Vec<alloy_rpc_types_eth::Log> = rec
            .receipt
            .logs
            .iter()
            .enumerate()
            .map(|(i, l)| alloy_rpc_types_eth::Log {
                inner: l.clone(),
                block_hash: Some(block.hash),
                block_number: Some(block.number),
                block_timestamp: Some(block.timestamp),
                transaction_hash: Some(hash),
                transaction_index: Some(rec.index),
                log_index: Some(first_log + i as u64),
                removed: false,
            })
            .collect();
        let bloom = logs_bloom(rec.receipt.logs.iter());
        let inner = ReceiptEnvelope::from_typed(
            rec.envelope.tx_type(),
            ReceiptWithBloom {
                receipt: alloy_consensus::Receipt {
                    status: Eip658Value::Eip658(rec.receipt.status),
                    cumulative_gas_used: cumulative,
                    logs,
                },
                logs_bloom: bloom,
            },
        );
        Some(alloy_rpc_types_eth::TransactionReceipt {
            inner,
            transaction_hash: hash,
            transaction_index: Some(rec.index),
            block_hash: Some(block.hash),
            block_number: Some(block.number),
            gas_used: rec.receipt.gas_used,
            effective_gas_price: rec.gas_price,
            blob_gas_used: None,
            blob_gas_price: None,
            from: rec.from,
            to: rec.envelope.to(),
            contract_address: rec.receipt.created,
        })
    }

    /// A mined transaction as a client sees it.
    pub fn rpc_tx(&self, hash: B256) -> Option<serde_json::Value> {
        let rec = self.txs.get(&hash)?;
        let block = self.block(rec.block)?;
        let tx = alloy_rpc_types_eth::Transaction {
            inner: alloy_consensus::transaction::Recovered::new_unchecked(
                rec.envelope.clone(),
                rec.from,
            ),
            block_hash: Some(block.hash),
            block_number: Some(block.number),
            transaction_index: Some(rec.index),
            effective_gas_price: Some(rec.gas_price),
        };
        let mut v = serde_json::to_value(tx).ok()?;
        // System transactions are known by Arbitrum's hash for them, not their envelope's.
        if let Some(obj) = v.as_object_mut() {
            obj.insert("hash".into(), serde_json::to_value(hash).ok()?);
        }
        Some(v)
    }

    /// A block as a client sees it, with transaction hashes or full transactions.
    pub fn rpc_block(&self, number: u64, full: bool) -> Option<serde_json::Value> {
        let b = self.block(number)?;
        let mut gas_used = 0u64;
        let mut all_logs = Vec::new();
        for h in &b.txs {
            let r = &self.txs.get(h)?.receipt;
            gas_used += r.gas_used;
            all_logs.extend(r.logs.iter().cloned());
        }
        let mut tx_root = Vec::new();
        for h in &b.txs {
            tx_root.extend_from_slice(h.as_slice());
        }
        let header = Header {
            parent_hash: b.parent_hash,
            ommers_hash: alloy_consensus::EMPTY_OMMER_ROOT_HASH,
            transactions_root: if b.txs.is_empty() {
                alloy_consensus::EMPTY_ROOT_HASH
            } else {
                keccak256(&tx_root)
            },
            receipts_root: alloy_consensus::EMPTY_ROOT_HASH,
            state_root: keccak256(b.hash),
            logs_bloom: logs_bloom(all_logs.iter()),
            number: b.number,
            gas_limit: BLOCK_GAS_LIMIT,
            gas_used,
            timestamp: b.timestamp,
            base_fee_per_gas: Some(b.base_fee),
            ..Header::default()
        };
        let rpc_header = alloy_rpc_types_eth::Header {
            hash: b.hash,
            inner: header,
            total_difficulty: Some(U256::ZERO),
            size: Some(U256::from(512 + 32 * b.txs.len())),
        };
        let mut v = serde_json::to_value(alloy_rpc_types_eth::Block::<
            alloy_rpc_types_eth::Transaction,
        > {
            header: rpc_header,
            uncles: Vec::new(),
            transactions: alloy_rpc_types_eth::BlockTransactions::Hashes(b.txs.clone()),
            withdrawals: None,
        })
        .ok()?;
        if full {
            let txs: Option<Vec<_>> = b.txs.iter().map(|h| self.rpc_tx(*h)).collect();
            v.as_object_mut()?
                .insert("transactions".into(), serde_json::Value::Array(txs?));
        }
        Some(v)
    }

    /// Saves the node's state.
    pub fn snapshot(&self) -> NodeSnapshot {
        NodeSnapshot {
            chain: self.chain.snapshot(),
            blocks: self.blocks.clone(),
            txs: self.txs.clone(),
            basefee: self.basefee,
        }
    }

    /// Restores a saved state.
    pub fn restore(&mut self, snap: NodeSnapshot) {
        self.chain.restore(snap.chain);
        self.blocks = snap.blocks;
        self.txs = snap.txs;
        self.pending.clear();
        self.set_basefee(snap.basefee);
    }

    /// Moves the clock forward.
    pub fn increase_time(&mut self, seconds: u64) {
        self.chain.advance(seconds, 0);
    }
}

/// The error for a call that did not succeed: revert data when it reverted, the halt otherwise.
pub fn failure(r: &Receipt) -> NodeError {
    match &r.halt {
        Some(h) => NodeError::rejected(format!("execution halted: {h}")),
        None => NodeError::reverted(&r.output),
    }
}
