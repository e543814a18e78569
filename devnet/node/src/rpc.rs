//! JSON-RPC 2.0 over one chain of a [`Devnet`]: the `eth_*` methods clients need and anvil's dev
//! methods.

use alloy_eips::BlockNumberOrTag;
use alloy_primitives::{hex, Address, Bytes, B256, U256};
use alloy_rpc_types_eth::{Filter, TransactionRequest};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use crate::devnet::{Devnet, RelayReport, Side, TxRequest};
use crate::node::{failure, CallRequest, Node, NodeError, BLOCK_GAS_LIMIT};

/// The most filters installed at once (they are kept until uninstalled).
pub const MAX_FILTERS: usize = 1_000;

fn logs_json(logs: Vec<crate::node::LogEntry>) -> Value {
    json!(logs
        .into_iter()
        .map(|l| alloy_rpc_types_eth::Log {
            inner: l.log,
            block_hash: Some(l.block_hash),
            block_number: Some(l.block_number),
            block_timestamp: Some(l.block_timestamp),
            transaction_hash: Some(l.tx_hash),
            transaction_index: Some(l.tx_index),
            log_index: Some(l.log_index),
            removed: false,
        })
        .collect::<Vec<_>>())
}

/// The most requests one batch may hold.
pub const MAX_BATCH: usize = 100;

/// The JSON-RPC handler of one chain.
#[derive(Debug, Clone, Copy)]
pub struct Rpc {
    side: Side,
    auto_relay: bool,
}

fn error_object(e: &NodeError) -> Value {
    let mut o = json!({ "code": e.code, "message": e.message });
    if let Some(d) = &e.data {
        o["data"] = json!(d);
    }
    o
}

fn response(id: &Value, result: Result<Value, NodeError>) -> Value {
    match result {
        Ok(v) => json!({ "jsonrpc": "2.0", "id": id, "result": v }),
        Err(e) => json!({ "jsonrpc": "2.0", "id": id, "error": error_object(&e) }),
    }
}

fn invalid_request(message: &str) -> Value {
    response(
        &Value::Null,
        Err(NodeError {
            code: -32600,
            message: message.into(),
            data: None,
        }),
    )
}

fn param<T: DeserializeOwned>(params: &[Value], i: usize, name: &str) -> Result<T, NodeError> {
    let v = params
        .get(i)
        .ok_or_else(|| NodeError::invalid_params(format!("missing parameter {i} ({name})")))?;
    serde_json::from_value(v.clone())
        .map_err(|e| NodeError::invalid_params(format!("invalid parameter {i} ({name}): {e}")))
}

fn opt_param<T: DeserializeOwned>(
    params: &[Value],
    i: usize,
    name: &str,
) -> Result<Option<T>, NodeError> {
    match params.get(i) {
        None | Some(Value::Null) => Ok(None),
        Some(_) => param(params, i, name).map(Some),
    }
}

fn quantity(n: u64) -> Value {
    json!(format!("{n:#x}"))
}

/// Resolves a block tag to a number (`None`: no such block).
fn block_number(node: &Node, tag: BlockNumberOrTag) -> Option<u64> {
    match tag {
        BlockNumberOrTag::Earliest => Some(0),
        BlockNumberOrTag::Number(n) => (n <= node.head()).then_some(n),
        _ => Some(node.head()),
    }
}

/// Only the latest state is kept: a query for an older block is refused rather than answered
/// with the wrong state.
fn latest_only(node: &Node, params: &[Value], i: usize) -> Result<(), NodeError> {
    let tag: Option<Value> = opt_param(params, i, "block")?;
    let Some(tag) = tag else { return Ok(()) };
    let tag: alloy_eips::BlockId = serde_json::from_value(tag)
        .map_err(|e| NodeError::invalid_params(format!("invalid block: {e}")))?;
    let ok = match tag {
        alloy_eips::BlockId::Number(BlockNumberOrTag::Number(n)) => n == node.head(),
        alloy_eips::BlockId::Number(BlockNumberOrTag::Earliest) => node.head() == 0,
        alloy_eips::BlockId::Number(_) => true,
        alloy_eips::BlockId::Hash(h) => node
            .block(node.head())
            .is_some_and(|b| b.hash == h.block_hash),
    };
    if ok {
        Ok(())
    } else {
        Err(NodeError::rejected(
            "historical state is not kept: only the latest block can be queried",
        ))
    }
}

fn call_request(req: &TransactionRequest) -> CallRequest {
    let data = req.input.input().cloned().unwrap_or_default();
    CallRequest {
        from: req.from,
        to: match req.to {
            Some(alloy_primitives::TxKind::Call(a)) => Some(a),
            _ => None,
        },
        value: req.value.unwrap_or_default(),
        data,
        gas: req.gas,
        access_list: req.access_list.clone().unwrap_or_default(),
    }
}

fn relay_json(r: &RelayReport) -> Value {
    json!({
        "ticketsCreated": r.tickets_created,
        "redeemed": r.redeemed,
        "failed": r.failed,
        "expired": r.expired,
        "canceled": r.canceled,
        "deposits": r.deposits.iter().map(|(a, v)| json!({ "recipient": a, "amount": v })).collect::<Vec<_>>(),
        "outboxExecuted": r.outbox_executed,
        "outboxFailed": r.outbox_failed,
    })
}

impl Rpc {
    /// A handler for `side`; with `auto_relay`, every state change is followed by a relay.
    pub fn new(side: Side, auto_relay: bool) -> Self {
        Self { side, auto_relay }
    }

    /// Handles a request body (one request or a batch) and returns the response.
    pub fn handle_body(self, d: &mut Devnet, body: &[u8]) -> Value {
        let parsed: Value = match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(e) => {
                return response(
                    &Value::Null,
                    Err(NodeError {
                        code: -32700,
                        message: format!("parse error: {e}"),
                        data: None,
                    }),
                )
            }
        };
        match parsed {
            Value::Array(items) if items.is_empty() => invalid_request("empty batch"),
            Value::Array(items) if items.len() > MAX_BATCH => {
                invalid_request(&format!("batch larger than {MAX_BATCH} requests"))
            }
            Value::Array(items) => {
                Value::Array(items.iter().map(|r| self.handle_one(d, r)).collect())
            }
            other => self.handle_one(d, &other),
        }
    }

    fn handle_one(self, d: &mut Devnet, req: &Value) -> Value {
        let Some(obj) = req.as_object() else {
            return invalid_request("a request must be an object");
        };
        let id = obj.get("id").cloned().unwrap_or(Value::Null);
        let Some(method) = obj.get("method").and_then(Value::as_str) else {
            return response(
                &id,
                Err(NodeError {
                    code: -32600,
                    message: "invalid request: missing method".into(),
                    data: None,
                }),
            );
        };
        let params = match obj.get("params") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(a)) => a.clone(),
            Some(_) => {
                return response(
                    &id,
                    Err(NodeError::invalid_params("params must be an array")),
                )
            }
        };
        let result = self.dispatch(d, method, &params);
        response(&id, result)
    }

    #[allow(clippy::too_many_lines)]
    fn dispatch(self, d: &mut Devnet, method: &str, p: &[Value]) -> Result<Value, NodeError> {
        let side = self.side;
        let mutated;
        let result = match method {
            "web3_clientVersion" => {
                return Ok(json!(concat!("xmtp-devnet/v", env!("CARGO_PKG_VERSION"))))
            }
            "eth_chainId" => return Ok(quantity(d.node(side).chain_id())),
            "net_version" => return Ok(json!(d.node(side).chain_id().to_string())),
            "net_listening" => return Ok(json!(true)),
            "eth_syncing" => return Ok(json!(false)),
            "eth_blockNumber" => return Ok(quantity(d.node(side).head())),
            "eth_accounts" => {
                return Ok(json!(d
                    .accounts()
                    .iter()
                    .map(|a| a.address)
                    .collect::<Vec<_>>()))
            }
            "eth_gasPrice" => return Ok(quantity(d.node(side).basefee())),
            "eth_maxPriorityFeePerGas" => return Ok(quantity(0)),
            "eth_getBalance" => {
                let a: Address = param(p, 0, "address")?;
                latest_only(d.node(side), p, 1)?;
                return Ok(json!(d.node(side).chain().balance(a)));
            }
            "eth_getCode" => {
                let a: Address = param(p, 0, "address")?;
                latest_only(d.node(side), p, 1)?;
                return Ok(json!(d.node(side).chain().code(a)));
            }
            "eth_getStorageAt" => {
                let a: Address = param(p, 0, "address")?;
                let slot: U256 = param(p, 1, "slot")?;
                latest_only(d.node(side), p, 2)?;
                let v = d.node(side).chain().storage(a, slot);
                return Ok(json!(B256::from(v)));
            }
            "eth_getTransactionCount" => {
                let a: Address = param(p, 0, "address")?;
                latest_only(d.node(side), p, 1)?;
                return Ok(quantity(d.node(side).chain().nonce(a)));
            }
            "eth_getBlockByNumber" => {
                let tag: BlockNumberOrTag = param(p, 0, "block")?;
                let full: bool = opt_param(p, 1, "full")?.unwrap_or(false);
                let node = d.node(side);
                return Ok(block_number(node, tag)
                    .and_then(|n| node.rpc_block(n, full))
                    .unwrap_or(Value::Null));
            }
            "eth_getBlockByHash" => {
                let h: B256 = param(p, 0, "hash")?;
                let full: bool = opt_param(p, 1, "full")?.unwrap_or(false);
                let node = d.node(side);
                return Ok(node
                    .block_by_hash(h)
                    .and_then(|b| node.rpc_block(b.number, full))
                    .unwrap_or(Value::Null));
            }
            "eth_getTransactionByHash" => {
                let h: B256 = param(p, 0, "hash")?;
                return Ok(d.node(side).rpc_tx(h).unwrap_or(Value::Null));
            }
            "eth_getTransactionReceipt" => {
                let h: B256 = param(p, 0, "hash")?;
                return Ok(d
                    .node(side)
                    .rpc_receipt(h)
                    .map_or(Value::Null, |r| json!(r)));
            }
            "eth_getLogs" => {
                let f: Filter = param(p, 0, "filter")?;
                return Ok(logs_json(d.node(side).logs(&f)?));
            }
            "eth_feeHistory" => {
                let count: U256 = param(p, 0, "blockCount")?;
                let newest: BlockNumberOrTag = param(p, 1, "newestBlock")?;
                let percentiles: Option<Vec<f64>> = opt_param(p, 2, "rewardPercentiles")?;
                let node = d.node(side);
                let newest = block_number(node, newest)
                    .ok_or_else(|| NodeError::invalid_params("unknown block"))?;
                let count = count.saturating_to::<u64>().clamp(1, 1024).min(newest + 1);
                let oldest = newest + 1 - count;
                let mut fees: Vec<Value> = (oldest..=newest)
                    .map(|n| quantity(node.block(n).map_or(node.basefee(), |b| b.base_fee)))
                    .collect();
                fees.push(quantity(node.basefee()));
                let ratios: Vec<Value> = (oldest..=newest)
                    .map(|n| {
                        let used: u64 = node.block(n).map_or(0, |b| {
                            b.txs
                                .iter()
                                .filter_map(|h| node.tx(*h))
                                .map(|t| t.receipt.gas_used)
                                .sum()
                        });
                        json!(ratio(used))
                    })
                    .collect();
                let mut out = json!({
                    "oldestBlock": quantity(oldest),
                    "baseFeePerGas": fees,
                    "gasUsedRatio": ratios,
                });
                if let Some(ps) = percentiles {
                    // Arbitrum ignores priority fees: every reward is zero.
                    out["reward"] = json!((oldest..=newest)
                        .map(|_| ps.iter().map(|_| quantity(0)).collect::<Vec<_>>())
                        .collect::<Vec<_>>());
                }
                return Ok(out);
            }
            "eth_call" => {
                let req: TransactionRequest = param(p, 0, "transaction")?;
                latest_only(d.node(side), p, 1)?;
                let r = d.node_mut(side).call(&call_request(&req))?;
                return if r.status {
                    Ok(json!(r.output))
                } else {
                    Err(failure(&r))
                };
            }
            "eth_estimateGas" => {
                let req: TransactionRequest = param(p, 0, "transaction")?;
                latest_only(d.node(side), p, 1)?;
                let g = d.estimate_gas(side, &call_request(&req))?;
                return Ok(quantity(g));
            }
            "eth_sendRawTransaction" => {
                let raw: Bytes = param(p, 0, "data")?;
                mutated = true;
                d.send_raw(side, &raw).map(|h| json!(h))
            }
            "eth_sendTransaction" => {
                let req: TransactionRequest = param(p, 0, "transaction")?;
                let from = req
                    .from
                    .ok_or_else(|| NodeError::invalid_params("missing from"))?;
                let c = call_request(&req);
                let tx = TxRequest {
                    from,
                    to: c.to,
                    value: c.value,
                    data: c.data,
                    gas: req.gas,
                    max_fee_per_gas: req.max_fee_per_gas.or(req.gas_price),
                    nonce: req.nonce,
                    access_list: c.access_list,
                };
                mutated = true;
                d.send_tx(side, &tx).map(|h| json!(h))
            }
            "evm_increaseTime" => {
                let secs: U256 = param(p, 0, "seconds")?;
                let secs = u64::try_from(secs)
                    .map_err(|_| NodeError::invalid_params("seconds out of range"))?;
                d.settlement.increase_time(secs);
                d.app.increase_time(secs);
                mutated = true;
                Ok(json!(secs))
            }
            "evm_setNextBlockTimestamp" => {
                let ts: U256 = param(p, 0, "timestamp")?;
                let ts = u64::try_from(ts)
                    .map_err(|_| NodeError::invalid_params("timestamp out of range"))?;
                let now = d.node(side).chain().timestamp();
                if ts < now {
                    return Err(NodeError::invalid_params(format!(
                        "timestamp {ts} is before the current time {now}"
                    )));
                }
                d.settlement.increase_time(ts - now);
                d.app.increase_time(ts - now);
                mutated = true;
                Ok(Value::Null)
            }
            "evm_mine" => {
                let ts: Option<U256> = opt_param(p, 0, "timestamp")?;
                if let Some(ts) = ts {
                    let ts = ts.saturating_to::<u64>();
                    let now = d.node(side).chain().timestamp();
                    if ts < now {
                        return Err(NodeError::invalid_params(format!(
                            "timestamp {ts} is before the current time {now}"
                        )));
                    }
                    d.settlement.increase_time(ts - now);
                    d.app.increase_time(ts - now);
                }
                d.node_mut(side).seal();
                mutated = true;
                Ok(json!("0x0"))
            }
            "anvil_mine" => {
                let n: Option<U256> = opt_param(p, 0, "blocks")?;
                let interval: Option<U256> = opt_param(p, 1, "interval")?;
                let n = n.map_or(1, |n| n.saturating_to::<u64>());
                if n > 10_000 {
                    return Err(NodeError::invalid_params("at most 10000 blocks at once"));
                }
                let interval = interval.map_or(0, |i| i.saturating_to::<u64>());
                for _ in 0..n {
                    d.settlement.increase_time(interval);
                    d.app.increase_time(interval);
                    d.node_mut(side).seal();
                }
                mutated = true;
                Ok(Value::Null)
            }
            "anvil_setBalance" | "hardhat_setBalance" => {
                let a: Address = param(p, 0, "address")?;
                let v: U256 = param(p, 1, "balance")?;
                set_balance(d.node_mut(side), a, v)?;
                return Ok(Value::Null);
            }
            "anvil_setCode" | "hardhat_setCode" => {
                let a: Address = param(p, 0, "address")?;
                let code: Bytes = param(p, 1, "code")?;
                d.node_mut(side).chain_mut().set_code(a, code);
                return Ok(Value::Null);
            }
            "evm_snapshot" | "anvil_snapshot" => return Ok(quantity(d.snapshot())),
            "evm_revert" | "anvil_revert" => {
                let id: U256 = param(p, 0, "id")?;
                let ok = u64::try_from(id).is_ok_and(|id| d.revert(id));
                return Ok(json!(ok));
            }
            "eth_newFilter" | "eth_newBlockFilter" => {
                let logs: Option<Filter> = if method == "eth_newFilter" {
                    Some(param(p, 0, "filter")?)
                } else {
                    None
                };
                if d.filters.len() >= MAX_FILTERS {
                    return Err(NodeError::rejected(format!(
                        "too many filters installed (at most {MAX_FILTERS})"
                    )));
                }
                let id = d.next_filter;
                d.next_filter += 1;
                let next_block = d.node(side).head() + 1;
                d.filters.insert(
                    id,
                    crate::devnet::InstalledFilter {
                        side,
                        logs,
                        next_block,
                    },
                );
                return Ok(quantity(id));
            }
            "eth_uninstallFilter" => {
                let id: U256 = param(p, 0, "id")?;
                let id = u64::try_from(id).unwrap_or(u64::MAX);
                let mine = d.filters.get(&id).is_some_and(|f| f.side == side);
                if mine {
                    d.filters.remove(&id);
                }
                return Ok(json!(mine));
            }
            "eth_getFilterChanges" | "eth_getFilterLogs" => {
                let id: U256 = param(p, 0, "id")?;
                let id = u64::try_from(id).unwrap_or(u64::MAX);
                let head = d.node(side).head();
                let f = d
                    .filters
                    .get_mut(&id)
                    .filter(|f| f.side == side)
                    .ok_or_else(|| NodeError::rejected("filter not found"))?;
                let changes = method == "eth_getFilterChanges";
                let from = f.next_block;
                if changes {
                    f.next_block = head + 1;
                }
                let f = f.clone();
                let node = d.node(side);
                return match f.logs {
                    None if changes => Ok(json!((from..=head)
                        .filter_map(|n| node.block(n).map(|b| b.hash))
                        .collect::<Vec<_>>())),
                    None => Err(NodeError::rejected("not a log filter")),
                    Some(filter) => {
                        let filter = if changes {
                            let lo = filter.get_from_block().unwrap_or(0).max(from);
                            let hi = filter.get_to_block().unwrap_or(head).min(head);
                            if lo > hi {
                                return Ok(json!([]));
                            }
                            filter.from_block(lo).to_block(hi)
                        } else {
                            filter
                        };
                        Ok(logs_json(node.logs(&filter)?))
                    }
                };
            }
            "devnet_relay" => {
                let r = d.relay_all();
                return Ok(relay_json(&r));
            }
            "devnet_info" => return Ok(info(d)),
            _ => {
                return Err(NodeError {
                    code: -32601,
                    message: format!("the method {method} does not exist/is not available"),
                    data: None,
                })
            }
        };
        if mutated && self.auto_relay {
            d.relay();
        }
        result
    }
}

#[allow(clippy::cast_precision_loss)]
fn ratio(used: u64) -> f64 {
    used as f64 / BLOCK_GAS_LIMIT as f64
}

/// Endpoint-independent facts: chain ids, bridge addresses, dev accounts.
pub fn info(d: &Devnet) -> Value {
    json!({
        "settlementChainId": d.settlement.chain_id(),
        "appChainId": d.app.chain_id(),
        "feeToken": d.fee_token(),
        "inbox": crate::contracts::INBOX,
        "arbRetryableTx": crate::contracts::ARB_RETRYABLE_TX,
        "outboxDelay": d.config().outbox_delay,
        "ticketLifetime": d.config().ticket_lifetime,
        "accounts": d.accounts().iter().map(|a| json!({
            "address": a.address,
            "privateKey": format!("0x{}", a.key),
        })).collect::<Vec<_>>(),
    })
}

/// Sets a balance. Raising it mints; lowering it moves the difference to the zero address,
/// since the runtime can only add to a balance directly.
fn set_balance(node: &mut Node, a: Address, v: U256) -> Result<(), NodeError> {
    let current = node.chain().balance(a);
    if v >= current {
        node.chain_mut().fund(a, v - current);
        return Ok(());
    }
    if !node.chain().code(a).is_empty() {
        return Err(NodeError::rejected(
            "lowering the balance of a contract is not supported",
        ));
    }
    let r = node.system(&crate::node::SystemTx {
        from: a,
        to: Address::ZERO,
        value: current - v,
        data: Bytes::new(),
        gas: 21_000,
        basefee: 0,
        hash: None,
    })?;
    if r.status {
        Ok(())
    } else {
        Err(NodeError::rejected(format!(
            "could not lower the balance: {}",
            hex::encode(&r.output)
        )))
    }
}
