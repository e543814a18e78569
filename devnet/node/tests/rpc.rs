//! The JSON-RPC endpoints driven by alloy (a client we did not write) and by raw HTTP for
//! malformed input.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use alloy::eips::eip2930::{AccessList, AccessListItem};
use alloy::network::{EthereumWallet, TransactionBuilder as _};
use alloy::primitives::{Address, Bytes, U256};
use alloy::providers::{Provider, ProviderBuilder};
use alloy::rpc::types::{Filter, TransactionRequest};
use alloy::signers::local::PrivateKeySigner;
use alloy::sol;
use alloy::sol_types::{SolCall as _, SolEvent as _};
use alloy_consensus::{SignableTransaction, TxEip1559, TxEip2930, TxEnvelope, TxLegacy};
use alloy_eips::eip2718::Encodable2718 as _;
use alloy_signer::SignerSync as _;
use serde_json::{json, Value};
use xmtp_devnet_node::asm::{assemble, init_code, op, push, push_bytes, Item, Item::Op};
use xmtp_devnet_node::contracts::{selector, topic, DEV_FEE_TOKEN, INBOX};
use xmtp_devnet_node::devnet::createRetryableTicketCall;
use xmtp_devnet_node::devnet::DEV_KEYS;
use xmtp_devnet_node::{DevnetConfig, DevnetServer, ServerOptions};

sol! {
    #[sol(rpc)]
    #[derive(Debug)]
    contract Store {
        function set(uint256 v);
        function get() returns (uint256);
        function fail();
        event Set(uint256 indexed v);
        error Bad(uint256 code);
    }
}

sol! {
    function approve(address spender, uint256 amount) returns (bool);
    function depositERC20(uint256 amount) returns (uint256);
}

const BASEFEE: u64 = 100_000_000;

/// `set` stores its argument and emits `Set`; `get` returns it; `fail` reverts `Bad(stored)`.
fn store_code() -> Vec<u8> {
    let dispatch = |sig: &str, label: &'static str| {
        [
            Op(op::DUP1),
            push_bytes(&selector(sig)),
            Op(op::EQ),
            Item::PushLabel(label),
            Op(op::JUMPI),
        ]
    };
    let mut v = vec![push(0), Op(op::CALLDATALOAD), push(0xe0), Op(op::SHR)];
    v.extend(dispatch("set(uint256)", "set"));
    v.extend(dispatch("get()", "get"));
    v.extend(dispatch("fail()", "fail"));
    v.extend([push(0), push(0), Op(op::REVERT)]);
    v.extend([
        Item::Label("set"),
        push(4),
        Op(op::CALLDATALOAD),
        push(0),
        Op(op::SSTORE),
    ]);
    v.extend([push(4), Op(op::CALLDATALOAD)]);
    v.push(push_bytes(topic("Set(uint256)").as_slice()));
    v.extend([push(0), push(0), Op(op::LOG2), Op(op::STOP)]);
    v.extend([
        Item::Label("get"),
        push(0),
        Op(op::SLOAD),
        push(0),
        Op(op::MSTORE),
    ]);
    v.extend([push(32), push(0), Op(op::RETURN)]);
    v.extend([
        Item::Label("fail"),
        push_bytes(&selector("Bad(uint256)")),
        push(0xe0),
    ]);
    v.extend([
        Op(op::SHL),
        push(0),
        Op(op::MSTORE),
        push(0),
        Op(op::SLOAD),
        push(4),
    ]);
    v.extend([Op(op::MSTORE), push(36), push(0), Op(op::REVERT)]);
    init_code(&assemble(&v))
}

fn start() -> DevnetServer {
    DevnetServer::start(DevnetConfig::default(), &ServerOptions::default()).unwrap()
}

fn signer(i: usize) -> PrivateKeySigner {
    DEV_KEYS[i].parse().unwrap()
}

/// One HTTP POST with a raw body; the parsed JSON response.
fn post(addr: SocketAddr, body: &str) -> Value {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(
        s,
        "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let (head, body) = out.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    serde_json::from_str(body).unwrap()
}

fn rpc(addr: SocketAddr, method: &str, params: Value) -> Value {
    let mut req = json!({"jsonrpc": "2.0", "id": 1, "method": method});
    req["params"] = params;
    post(addr, &req.to_string())
}

fn sign<T>(key: &PrivateKeySigner, tx: T) -> Bytes
where
    T: SignableTransaction<alloy::primitives::Signature>,
    alloy_consensus::Signed<T>: Into<TxEnvelope>,
{
    let sig = key.sign_hash_sync(&tx.signature_hash()).unwrap();
    let env: TxEnvelope = tx.into_signed(sig).into();
    env.encoded_2718().into()
}

/// Sends a signed transaction and waits for its receipt.
async fn mined(provider: &impl Provider, raw: Bytes) -> alloy::rpc::types::TransactionReceipt {
    provider
        .send_raw_transaction(&raw)
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap()
}

#[tokio::test]
async fn alloy_deploys_calls_reads_logs_and_decodes_custom_errors() {
    let server = start();
    let provider = ProviderBuilder::new()
        .wallet(EthereumWallet::from(signer(0)))
        .connect_http(server.settlement_url().parse().unwrap());
    assert_eq!(provider.get_chain_id().await.unwrap(), 31_337);
    let me = signer(0).address();

    let deploy = TransactionRequest::default().with_deploy_code(store_code());
    let receipt = provider
        .send_transaction(deploy)
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(receipt.status());
    let addr = receipt.contract_address.unwrap();
    assert_eq!(receipt.from, me);
    assert_eq!(receipt.effective_gas_price, u128::from(BASEFEE));
    let store = Store::new(addr, &provider);

    let r = store
        .set(U256::from(7))
        .send()
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(r.status());
    assert_eq!(r.inner.logs().len(), 1);
    assert_eq!(store.get().call().await.unwrap(), U256::from(7));

    // The transaction and its block are what the receipt says.
    let tx = provider
        .get_transaction_by_hash(r.transaction_hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(tx.block_number, r.block_number);
    let block = provider
        .get_block_by_number(r.block_number.unwrap().into())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(block.header.hash, r.block_hash.unwrap());
    assert_eq!(
        block.transactions.hashes().collect::<Vec<_>>(),
        vec![r.transaction_hash]
    );

    // Gas estimation gives a limit that works.
    let req = store.set(U256::from(9)).into_transaction_request();
    let gas = provider.estimate_gas(req.clone()).await.unwrap();
    let r2 = provider
        .send_transaction(req.with_gas_limit(gas))
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(r2.status());
    assert!(r2.gas_used <= gas);

    // Logs by filter: address and topic, over a block range.
    let filter = Filter::new()
        .address(addr)
        .event_signature(Store::Set::SIGNATURE_HASH)
        .from_block(0);
    let logs = provider.get_logs(&filter).await.unwrap();
    let values: Vec<U256> = logs
        .iter()
        .map(|l| l.log_decode::<Store::Set>().unwrap().inner.data.v)
        .collect();
    assert_eq!(values, vec![U256::from(7), U256::from(9)]);
    assert_eq!(logs[0].transaction_hash, Some(r.transaction_hash));
    let only_nine = Filter::new()
        .address(addr)
        .event_signature(Store::Set::SIGNATURE_HASH)
        .topic1(U256::from(9))
        .from_block(0);
    assert_eq!(provider.get_logs(&only_nine).await.unwrap().len(), 1);
    let elsewhere = Filter::new().address(Address::repeat_byte(1)).from_block(0);
    assert!(provider.get_logs(&elsewhere).await.unwrap().is_empty());

    // eth_call revert data decodes as the contract's custom error.
    let err = store.fail().call().await.unwrap_err();
    let bad = err.as_decoded_error::<Store::Bad>().unwrap();
    assert_eq!(bad.code, U256::from(9));

    // A reverting transaction is mined: it costs its sender the nonce and the fee, nothing else.
    let nonce = provider.get_transaction_count(me).await.unwrap();
    let balance = provider.get_balance(me).await.unwrap();
    let req = store
        .fail()
        .into_transaction_request()
        .with_gas_limit(100_000);
    let r3 = provider
        .send_transaction(req)
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(!r3.status());
    assert_eq!(provider.get_transaction_count(me).await.unwrap(), nonce + 1);
    assert_eq!(
        provider.get_balance(me).await.unwrap(),
        balance - U256::from(r3.gas_used) * U256::from(BASEFEE)
    );
    assert_eq!(store.get().call().await.unwrap(), U256::from(9));
    server.shutdown();
}

#[tokio::test]
async fn bad_transactions_are_refused_with_clear_errors_and_change_nothing() {
    let server = start();
    let url = server.settlement_url();
    let provider = ProviderBuilder::new().connect_http(url.parse().unwrap());
    let key = signer(3);
    let me = key.address();
    let nonce = provider.get_transaction_count(me).await.unwrap();
    let balance = provider.get_balance(me).await.unwrap();
    let head = provider.get_block_number().await.unwrap();
    let tx = |chain_id: u64, nonce: u64| TxEip1559 {
        chain_id,
        nonce,
        gas_limit: 21_000,
        max_fee_per_gas: u128::from(2 * BASEFEE),
        max_priority_fee_per_gas: 0,
        to: Address::repeat_byte(7).into(),
        value: U256::from(1),
        ..TxEip1559::default()
    };
    let refused = |raw: Bytes| {
        let addr = server.settlement_addr();
        let resp = rpc(addr, "eth_sendRawTransaction", json!([raw]));
        assert_eq!(resp["error"]["code"], -32000, "{resp}");
        resp["error"]["message"].as_str().unwrap().to_string()
    };

    assert_eq!(
        refused(sign(&key, tx(999, nonce))),
        "invalid chain id: expected 31337, got 999"
    );
    assert_eq!(
        refused(sign(&key, tx(31_337, nonce + 1))),
        format!("nonce too high: next nonce {nonce}, tx nonce {}", nonce + 1)
    );
    let mut cheap = tx(31_337, nonce);
    cheap.max_fee_per_gas = 1;
    assert_eq!(
        refused(sign(&key, cheap)),
        format!("max fee per gas less than block base fee: maxFeePerGas: 1, baseFee: {BASEFEE}")
    );
    let poor: PrivateKeySigner = "0101010101010101010101010101010101010101010101010101010101010101"
        .parse()
        .unwrap();
    let cost = 21_000 * 2 * BASEFEE + 1;
    assert_eq!(
        refused(sign(&poor, tx(31_337, 0))),
        format!("insufficient funds for gas * price + value: balance 0, tx cost {cost}")
    );
    assert_eq!(provider.get_transaction_count(me).await.unwrap(), nonce);
    assert_eq!(provider.get_balance(me).await.unwrap(), balance);
    assert_eq!(provider.get_block_number().await.unwrap(), head);

    // A good one goes through; replaying its nonce is then too low.
    let good = sign(&key, tx(31_337, nonce));
    let pending = provider.send_raw_transaction(&good).await.unwrap();
    let receipt = pending.get_receipt().await.unwrap();
    assert!(receipt.status());
    assert_eq!(provider.get_block_number().await.unwrap(), head + 1);
    let mut again = tx(31_337, nonce);
    again.value = U256::from(2);
    assert_eq!(
        refused(sign(&key, again)),
        format!("nonce too low: next nonce {}, tx nonce {nonce}", nonce + 1)
    );
    assert_eq!(refused(good), "already known");
    assert_eq!(provider.get_block_number().await.unwrap(), head + 1);
    server.shutdown();
}

#[test]
fn malformed_requests_get_json_rpc_errors() {
    let server = start();
    let addr = server.app_addr();
    let garbage = post(addr, "{not json");
    assert_eq!(garbage["error"]["code"], -32700);
    assert_eq!(garbage["id"], Value::Null);
    let unknown = rpc(addr, "eth_mineAllTheCoins", json!([]));
    assert_eq!(unknown["error"]["code"], -32601);
    assert_eq!(
        unknown["error"]["message"],
        "the method eth_mineAllTheCoins does not exist/is not available"
    );
    assert_eq!(post(addr, "[]")["error"]["code"], -32600);
    assert_eq!(post(addr, "42")["error"]["code"], -32600);
    let no_method = post(addr, r#"{"jsonrpc":"2.0","id":5}"#);
    assert_eq!(no_method["error"]["code"], -32600);
    assert_eq!(no_method["id"], 5);
    let bad_param = rpc(addr, "eth_getBalance", json!(["0x12"]));
    assert_eq!(bad_param["error"]["code"], -32602);
    let bad_tx = rpc(addr, "eth_sendRawTransaction", json!(["0x02c0ffee"]));
    assert_eq!(bad_tx["error"]["code"], -32602);
    assert!(bad_tx["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("invalid transaction"));
    let old = rpc(addr, "eth_getBalance", json!([Address::ZERO, "0x0"]));
    assert_eq!(old["result"], "0x0", "block 0 is the head of a fresh chain");
    let future = rpc(addr, "eth_getBalance", json!([Address::ZERO, "0x5"]));
    assert_eq!(future["error"]["code"], -32000);
    // A batch answers each request in order.
    let batch = post(
        addr,
        r#"[{"jsonrpc":"2.0","id":1,"method":"eth_chainId"},{"jsonrpc":"2.0","id":2,"method":"nope"}]"#,
    );
    assert_eq!(batch[0]["result"], "0x7a6a");
    assert_eq!(batch[1]["error"]["code"], -32601);
    assert_eq!(rpc(addr, "net_version", json!([]))["result"], "31338");
    assert_eq!(rpc(addr, "eth_blockNumber", json!([]))["result"], "0x0");
    server.shutdown();
}

#[tokio::test]
async fn deposits_relay_by_themselves_and_dev_methods_move_time_and_state() {
    let server = start();
    let settlement = ProviderBuilder::new().connect_http(server.settlement_url().parse().unwrap());
    let app = ProviderBuilder::new().connect_http(server.app_url().parse().unwrap());
    let me = signer(2).address();
    assert_eq!(settlement.get_accounts().await.unwrap()[2], me);

    // Unlocked dev account: eth_sendTransaction.
    let send = |to: Address, data: Vec<u8>| {
        TransactionRequest::default()
            .from(me)
            .to(to)
            .input(Bytes::from(data).into())
    };
    let approve = approveCall {
        spender: INBOX,
        amount: U256::MAX,
    }
    .abi_encode();
    let r = settlement
        .send_transaction(send(DEV_FEE_TOKEN, approve))
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(r.status());
    let before = app.get_balance(me).await.unwrap();
    let deposit = depositERC20Call {
        amount: U256::from(2_500_000u64),
    }
    .abi_encode();
    let r = settlement
        .send_transaction(send(INBOX, deposit))
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(r.status());
    // Relayed by the server without being asked: 2.5 tokens are 2.5e18 wei on the app chain.
    assert_eq!(
        app.get_balance(me).await.unwrap(),
        before + U256::from(2_500_000_000_000_000_000u64)
    );
    let relay = rpc(server.app_addr(), "devnet_relay", json!([]));
    assert_eq!(relay["result"]["deposits"], json!([]));

    // Time moves on both chains together.
    let t0 = app
        .get_block_by_number(alloy::eips::BlockNumberOrTag::Latest)
        .await
        .unwrap()
        .unwrap()
        .header
        .timestamp;
    assert_eq!(
        rpc(server.settlement_addr(), "evm_increaseTime", json!([100]))["result"],
        100
    );
    assert_eq!(
        rpc(server.app_addr(), "evm_mine", json!([]))["result"],
        "0x0"
    );
    let b = app
        .get_block_by_number(alloy::eips::BlockNumberOrTag::Latest)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(b.header.timestamp, t0 + 100);

    // Balances, snapshots and reverts.
    let who = Address::repeat_byte(0x42);
    let snap = rpc(server.app_addr(), "evm_snapshot", json!([]))["result"].clone();
    rpc(
        server.app_addr(),
        "anvil_setBalance",
        json!([who, "0x1000"]),
    );
    assert_eq!(app.get_balance(who).await.unwrap(), U256::from(0x1000));
    rpc(server.app_addr(), "anvil_setBalance", json!([who, "0x10"]));
    assert_eq!(app.get_balance(who).await.unwrap(), U256::from(0x10));
    assert_eq!(
        rpc(server.app_addr(), "evm_revert", json!([snap]))["result"],
        true
    );
    assert_eq!(app.get_balance(who).await.unwrap(), U256::ZERO);
    let head = app.get_block_number().await.unwrap();
    rpc(server.app_addr(), "anvil_mine", json!(["0x3"]));
    assert_eq!(app.get_block_number().await.unwrap(), head + 3);
    server.shutdown();
}

#[test]
fn installed_filters_report_new_logs_and_blocks_once() {
    let server = start();
    let addr = server.settlement_addr();
    let send = |to: Option<Address>, data: Vec<u8>| send_ok(addr, to, data, U256::ZERO);
    let receipt = send(None, store_code());
    assert_eq!(receipt["status"], "0x1");
    let store: Address = serde_json::from_value(receipt["contractAddress"].clone()).unwrap();
    let logs = rpc(addr, "eth_newFilter", json!([{"address": store}]))["result"].clone();
    let blocks = rpc(addr, "eth_newBlockFilter", json!([]))["result"].clone();
    assert_ne!(logs, blocks);

    let receipt = send(
        Some(store),
        Store::setCall { v: U256::from(5) }.abi_encode(),
    );
    let changes = rpc(addr, "eth_getFilterChanges", json!([logs]))["result"].clone();
    assert_eq!(changes.as_array().unwrap().len(), 1);
    assert_eq!(
        changes[0]["topics"][1],
        json!(alloy::primitives::B256::from(U256::from(5)))
    );
    assert_eq!(changes[0]["transactionHash"], receipt["transactionHash"]);
    assert_eq!(
        rpc(addr, "eth_getFilterChanges", json!([logs]))["result"],
        json!([])
    );
    assert_eq!(
        rpc(addr, "eth_getFilterChanges", json!([blocks]))["result"],
        json!([receipt["blockHash"]])
    );
    assert_eq!(
        rpc(addr, "eth_getFilterLogs", json!([logs]))["result"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Filters belong to their chain's endpoint.
    let other = rpc(server.app_addr(), "eth_getFilterChanges", json!([logs]));
    assert_eq!(other["error"]["message"], "filter not found");
    assert_eq!(
        rpc(addr, "eth_uninstallFilter", json!([logs]))["result"],
        true
    );
    assert_eq!(
        rpc(addr, "eth_uninstallFilter", json!([logs]))["result"],
        false
    );
    assert_eq!(
        rpc(addr, "eth_getFilterChanges", json!([logs]))["error"]["message"],
        "filter not found"
    );
    server.shutdown();
}

#[test]
fn interval_mining_moves_both_chains_by_itself() {
    let options = ServerOptions {
        block_time: Some(Duration::from_millis(200)),
        ..ServerOptions::default()
    };
    let server = DevnetServer::start(DevnetConfig::default(), &options).unwrap();
    let number = |a: SocketAddr| {
        let v = rpc(a, "eth_blockNumber", json!([]))["result"].clone();
        u64::from_str_radix(v.as_str().unwrap().trim_start_matches("0x"), 16).unwrap()
    };
    // At most 50 polls of 100 ms: the first interval block comes after 200 ms.
    let mut polls = 0;
    while number(server.app_addr()) < 2 && polls < 50 {
        std::thread::sleep(Duration::from_millis(100));
        polls += 1;
    }
    assert!(number(server.app_addr()) >= 2);
    assert!(number(server.settlement_addr()) >= 2);
    let t = server
        .with(|d| (d.settlement.chain().timestamp(), d.app.chain().timestamp()))
        .unwrap();
    assert_eq!(t.0, t.1, "one clock for both chains");
    server.shutdown();
}

#[test]
fn the_cli_prints_endpoints_and_accounts_and_serves() {
    use std::io::BufRead as _;
    /// Ends the child even when an assertion fails first.
    struct Child(std::process::Child);
    impl Drop for Child {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut child = Child(
        std::process::Command::new(env!("CARGO_BIN_EXE_xmtp-devnet-node"))
            .args([
                "--settlement-port",
                "0",
                "--app-port",
                "0",
                "--outbox-delay",
                "60",
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let stdout = child.0.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    // At most 40 lines or 60 s: the banner is about 15 lines.
    while lines.len() < 40 {
        let Ok(line) = rx.recv_timeout(Duration::from_mins(1)) else {
            break;
        };
        let done = line.starts_with("serving");
        lines.push(line);
        if done {
            break;
        }
    }
    let url_of = |prefix: &str| {
        let line = lines.iter().find(|l| l.starts_with(prefix)).unwrap();
        line.rsplit(' ').next().unwrap().to_string()
    };
    let settlement: SocketAddr = url_of("settlement chain 31337 at http://")
        .trim_start_matches("http://")
        .parse()
        .unwrap();
    let app: SocketAddr = url_of("app chain        31338 at http://")
        .trim_start_matches("http://")
        .parse()
        .unwrap();
    assert!(lines.iter().any(|l| l.contains(&format!(
        "(0) {} key 0x{}",
        signer(0).address(),
        DEV_KEYS[0]
    ))));
    assert_eq!(
        rpc(settlement, "eth_chainId", json!([]))["result"],
        "0x7a69"
    );
    assert_eq!(
        rpc(app, "devnet_info", json!([]))["result"]["outboxDelay"],
        60
    );
    drop(child);

    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_xmtp-devnet-node"))
        .args(["--bogus"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).starts_with("unknown option --bogus"));
}

fn hex_u64(v: &Value) -> u64 {
    u64::from_str_radix(v.as_str().unwrap().trim_start_matches("0x"), 16).unwrap()
}

#[tokio::test]
async fn legacy_and_eip2930_transactions_are_mined_with_their_types() {
    use alloy::consensus::Transaction as _;
    use alloy::network::ReceiptResponse as _;
    let server = start();
    let provider = ProviderBuilder::new().connect_http(server.settlement_url().parse().unwrap());
    let key = signer(4);
    let me = key.address();
    let to = Address::repeat_byte(9);
    let balance = provider.get_balance(me).await.unwrap();

    // Legacy, replay-protected: the base fee is charged, not the offered price (no tips).
    let legacy = TxLegacy {
        chain_id: Some(31_337),
        nonce: 0,
        gas_price: u128::from(3 * BASEFEE),
        gas_limit: 21_000,
        to: to.into(),
        value: U256::from(5),
        input: Bytes::new(),
    };
    let r = mined(&provider, sign(&key, legacy.clone())).await;
    assert!(r.status());
    assert_eq!(r.inner.tx_type(), alloy::consensus::TxType::Legacy);
    assert_eq!(r.effective_gas_price, u128::from(BASEFEE));
    assert_eq!(
        provider.get_balance(me).await.unwrap(),
        balance - U256::from(21_000 * BASEFEE + 5)
    );
    let tx = provider
        .get_transaction_by_hash(r.transaction_hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(tx.inner.tx_type(), alloy::consensus::TxType::Legacy);
    assert_eq!(tx.inner.gas_price(), Some(u128::from(3 * BASEFEE)));

    // Legacy without a chain id is refused, as geth refuses it by default.
    let mut unprotected = legacy;
    unprotected.chain_id = None;
    unprotected.nonce = 1;
    let resp = rpc(
        server.settlement_addr(),
        "eth_sendRawTransaction",
        json!([sign(&key, unprotected)]),
    );
    assert_eq!(resp["error"]["code"], -32000);
    assert_eq!(
        resp["error"]["message"],
        "only replay-protected (EIP-155) transactions allowed"
    );

    // EIP-2930 with an access list: mined as type 1, the list kept.
    let list = AccessList(vec![AccessListItem {
        address: to,
        storage_keys: vec![alloy::primitives::B256::ZERO],
    }]);
    let typed = TxEip2930 {
        chain_id: 31_337,
        nonce: 1,
        gas_price: u128::from(BASEFEE),
        gas_limit: 30_000,
        to: to.into(),
        value: U256::from(6),
        access_list: list.clone(),
        input: Bytes::new(),
    };
    let r = mined(&provider, sign(&key, typed)).await;
    assert!(r.status());
    assert_eq!(r.inner.tx_type(), alloy::consensus::TxType::Eip2930);
    assert_eq!(r.from(), me);
    let tx = provider
        .get_transaction_by_hash(r.transaction_hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(tx.inner.access_list(), Some(&list));
    // The list is charged as EIP-2930 prices it: 2,400 per address and 1,900 per key.
    assert_eq!(r.gas_used, 21_000 + 2_400 + 1_900);
    assert_eq!(provider.get_balance(to).await.unwrap(), U256::from(11));
    assert_eq!(provider.get_transaction_count(me).await.unwrap(), 2);
    server.shutdown();
}

/// An access list warms what it lists: a listed slot's first write skips the cold surcharge
/// (2,100) the list itself pays for (2,400 for the address, 1,900 for the key), in a signed
/// EIP-1559 transaction and in `eth_estimateGas` alike.
#[tokio::test]
async fn access_lists_are_charged_and_warm_what_they_list() {
    let server = start();
    let provider = ProviderBuilder::new().connect_http(server.settlement_url().parse().unwrap());
    let key = signer(5);
    let deploy = TxEip1559 {
        chain_id: 31_337,
        nonce: 0,
        gas_limit: 1_000_000,
        max_fee_per_gas: u128::from(2 * BASEFEE),
        max_priority_fee_per_gas: 0,
        to: alloy::primitives::TxKind::Create,
        value: U256::ZERO,
        access_list: AccessList::default(),
        input: store_code().into(),
    };
    let store = mined(&provider, sign(&key, deploy))
        .await
        .contract_address
        .unwrap();
    let list = AccessList(vec![AccessListItem {
        address: store,
        storage_keys: vec![alloy::primitives::B256::ZERO],
    }]);
    let set = |nonce: u64, v: u64, access_list: AccessList| TxEip1559 {
        chain_id: 31_337,
        nonce,
        gas_limit: 100_000,
        max_fee_per_gas: u128::from(2 * BASEFEE),
        max_priority_fee_per_gas: 0,
        to: store.into(),
        value: U256::ZERO,
        access_list,
        input: Store::setCall { v: U256::from(v) }.abi_encode().into(),
    };
    let mut gas = Vec::new();
    for tx in [
        set(1, 1, list.clone()),
        set(2, 2, AccessList::default()),
        set(3, 3, list.clone()),
    ] {
        let r = mined(&provider, sign(&key, tx)).await;
        assert!(r.status());
        gas.push(r.gas_used);
    }
    // The first write sets a zero slot, the next two change a non-zero one.
    let list_net_cost = 2_400 + 1_900 - 2_100;
    assert_eq!(gas[2], gas[1] + list_net_cost);
    let estimate = |access_list: Option<AccessList>| {
        let mut request = TransactionRequest::default()
            .from(key.address())
            .to(store)
            .input(Store::setCall { v: U256::from(4) }.abi_encode().into());
        request.access_list = access_list;
        let provider = provider.clone();
        async move { provider.estimate_gas(request).await.unwrap() }
    };
    assert_eq!(
        estimate(Some(list)).await,
        estimate(None).await + list_net_cost
    );
    server.shutdown();
}

#[tokio::test]
async fn blocks_fees_code_storage_and_the_client_version_are_served() {
    let server = start();
    let provider = ProviderBuilder::new().connect_http(server.settlement_url().parse().unwrap());
    let addr = server.settlement_addr();
    let send = |to: Option<Address>, data: Vec<u8>| send_ok(addr, to, data, U256::ZERO);
    let deployed = send(None, store_code());
    let store: Address = serde_json::from_value(deployed["contractAddress"].clone()).unwrap();
    let set = send(
        Some(store),
        Store::setCall {
            v: U256::from(0x2a),
        }
        .abi_encode(),
    );
    assert_eq!(set["status"], "0x1");

    assert_eq!(
        provider.get_storage_at(store, U256::ZERO).await.unwrap(),
        U256::from(0x2a)
    );
    let runtime = &store_code()[10..];
    assert_eq!(provider.get_code_at(store).await.unwrap().as_ref(), runtime);
    assert_eq!(provider.get_gas_price().await.unwrap(), u128::from(BASEFEE));
    assert_eq!(
        provider.get_max_priority_fee_per_gas().await.unwrap(),
        0,
        "Arbitrum pays no tips"
    );
    assert!(provider
        .get_client_version()
        .await
        .unwrap()
        .starts_with("xmtp-devnet/v"));

    // A block by hash is the block by number.
    let by_number = provider
        .get_block_by_number(2.into())
        .await
        .unwrap()
        .unwrap();
    let by_hash = provider
        .get_block_by_hash(by_number.header.hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(by_hash.header, by_number.header);
    assert_eq!(
        by_hash.transactions.hashes().collect::<Vec<_>>(),
        vec![
            serde_json::from_value::<alloy::primitives::B256>(set["transactionHash"].clone())
                .unwrap()
        ]
    );
    assert!(provider
        .get_block_by_hash(alloy::primitives::B256::repeat_byte(3))
        .await
        .unwrap()
        .is_none());

    // Fee history over the two mined blocks: constant base fee, each block's gas share, and
    // zero rewards.
    let history = provider
        .get_fee_history(2, alloy::eips::BlockNumberOrTag::Latest, &[25.0, 75.0])
        .await
        .unwrap();
    assert_eq!(history.oldest_block, 1);
    assert_eq!(history.base_fee_per_gas, vec![u128::from(BASEFEE); 3]);
    let used = |r: &Value| f64::from(u32::try_from(hex_u64(&r["gasUsed"])).unwrap()) / 32_000_000.0;
    assert_eq!(history.gas_used_ratio, vec![used(&deployed), used(&set)]);
    assert_eq!(history.reward, Some(vec![vec![0, 0], vec![0, 0]]));
    server.shutdown();
}

#[test]
fn dev_methods_set_code_and_the_next_timestamp() {
    let server = start();
    let addr = server.app_addr();
    let code = Bytes::from(vec![0x60, 0x01, 0x5f, 0x52, 0x60, 0x20, 0x5f, 0xf3]);
    let at = Address::repeat_byte(0x77);
    assert_eq!(
        rpc(addr, "anvil_setCode", json!([at, code]))["result"],
        Value::Null
    );
    assert_eq!(
        rpc(addr, "eth_getCode", json!([at, "latest"]))["result"],
        json!(code)
    );
    // The code runs: it returns the word 1.
    assert_eq!(
        rpc(addr, "eth_call", json!([{"to": at}, "latest"]))["result"],
        json!(alloy::primitives::B256::from(U256::from(1)))
    );

    let now = server.with(|d| d.app.chain().timestamp()).unwrap();
    rpc(addr, "evm_setNextBlockTimestamp", json!([now + 1_000]));
    rpc(addr, "evm_mine", json!([]));
    let block = rpc(addr, "eth_getBlockByNumber", json!(["latest", false]))["result"].clone();
    assert_eq!(hex_u64(&block["timestamp"]), now + 1_000);
    let earlier = rpc(addr, "evm_setNextBlockTimestamp", json!([now]));
    assert_eq!(earlier["error"]["code"], -32602);
    assert_eq!(
        earlier["error"]["message"],
        format!("timestamp {now} is before the current time {}", now + 1_000)
    );
    // Both chains share the clock.
    assert_eq!(
        server.with(|d| d.settlement.chain().timestamp()).unwrap(),
        now + 1_000
    );
    server.shutdown();
}

sol! {
    function balanceOf(address owner) returns (uint256);
    function sendTxToL1(address destination, bytes data) payable returns (uint256);
    #[sol(rpc)]
    contract ArbRetryableTx {
        function redeem(bytes32 ticketId) returns (bytes32);
        event TicketCreated(bytes32 indexed ticketId);
    }
}

const E18: u64 = 1_000_000_000_000_000_000;

/// `eth_sendTransaction` from dev account 0; the receipt, which must show success.
fn send_ok(at: SocketAddr, to: Option<Address>, data: Vec<u8>, value: U256) -> Value {
    let mut tx = json!({"from": signer(0).address(), "data": Bytes::from(data), "value": value});
    if let Some(to) = to {
        tx["to"] = json!(to);
    }
    let hash = rpc(at, "eth_sendTransaction", json!([tx]))["result"].clone();
    let receipt = rpc(at, "eth_getTransactionReceipt", json!([hash]))["result"].clone();
    assert_eq!(receipt["status"], "0x1", "{receipt}");
    receipt
}

fn balance_of(at: SocketAddr, who: Address) -> U256 {
    serde_json::from_value(rpc(at, "eth_getBalance", json!([who]))["result"].clone()).unwrap()
}

/// Queues, from dev account 0, a ticket whose 30,000 gas cannot run the recorder, and a deposit
/// of one token.
fn queue_a_failing_ticket_and_a_deposit(server: &DevnetServer) {
    use xmtp_devnet_node::contracts::recorder_code;
    let (settlement, app) = (server.settlement_addr(), server.app_addr());
    let me = signer(0).address();
    let receipt = send_ok(app, None, recorder_code(), U256::ZERO);
    let target: Address = serde_json::from_value(receipt["contractAddress"].clone()).unwrap();
    let approve = approveCall {
        spender: INBOX,
        amount: U256::MAX,
    };
    send_ok(
        settlement,
        Some(DEV_FEE_TOKEN),
        approve.abi_encode(),
        U256::ZERO,
    );
    let ticket = createRetryableTicketCall {
        to: target,
        l2CallValue: U256::ZERO,
        maxSubmissionCost: U256::ZERO,
        excessFeeRefundAddress: me,
        callValueRefundAddress: me,
        gasLimit: U256::from(30_000),
        maxFeePerGas: U256::from(BASEFEE),
        tokenTotalFeeAmount: U256::from(1_000_000u64),
        data: Bytes::new(),
    };
    send_ok(settlement, Some(INBOX), ticket.abi_encode(), U256::ZERO);
    let deposit = depositERC20Call {
        amount: U256::from(1_000_000u64),
    };
    send_ok(settlement, Some(INBOX), deposit.abi_encode(), U256::ZERO);
}

/// Without auto-relay nothing crosses until `devnet_relay`, which delivers every pending message
/// and executes every outbox entry at once, delay or not.
#[tokio::test]
async fn devnet_relay_delivers_tickets_deposits_and_withdrawals_at_once() {
    use xmtp_devnet_node::contracts::ARB_RETRYABLE_TX;
    let options = ServerOptions {
        auto_relay: false,
        ..ServerOptions::default()
    };
    let server = DevnetServer::start(DevnetConfig::default(), &options).unwrap();
    let app = server.app_addr();
    let me = signer(0).address();
    queue_a_failing_ticket_and_a_deposit(&server);
    // Both messages wait in the inbox; no ticket exists on the app chain yet.
    assert_eq!(server.with(|d| d.pending_messages()).unwrap(), 2);
    assert_eq!(server.with(|d| d.tickets().count()).unwrap(), 0);
    let before = balance_of(app, me);

    let relayed = rpc(app, "devnet_relay", json!([]))["result"].clone();
    let id: alloy::primitives::B256 =
        serde_json::from_value(relayed["ticketsCreated"][0].clone()).unwrap();
    assert_eq!(relayed["failed"], json!([id]));
    assert_eq!(relayed["redeemed"], json!([]));
    let e18 = U256::from(E18);
    assert_eq!(
        relayed["deposits"],
        json!([{"recipient": me, "amount": e18}])
    );
    // The failed auto-redeem's 30,000 gas was bought from the ticket's tokens; the rest and the
    // deposit reached the account.
    assert_eq!(
        balance_of(app, me),
        before + e18 + e18 - U256::from(30_000 * BASEFEE)
    );
    let created = alloy::rpc::types::Filter::new()
        .address(ARB_RETRYABLE_TX)
        .event_signature(ArbRetryableTx::TicketCreated::SIGNATURE_HASH)
        .from_block(0);
    let app_provider = ProviderBuilder::new()
        .wallet(EthereumWallet::from(signer(1)))
        .connect_http(server.app_url().parse().unwrap());
    let logs = app_provider.get_logs(&created).await.unwrap();
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].transaction_hash, Some(id));

    // A signed redeem with alloy's estimate runs the retry in its block, relay or not: the
    // estimate covers the retry, as Nitro's does.
    let retryable = ArbRetryableTx::new(ARB_RETRYABLE_TX, &app_provider);
    let redeem = retryable
        .redeem(id)
        .send()
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(redeem.status());
    let retry_hash = alloy::primitives::keccak256([id.as_slice(), &[0u8; 31], &[1u8]].concat());
    let retry = app_provider
        .get_transaction_receipt(retry_hash)
        .await
        .unwrap()
        .unwrap();
    assert!(retry.status());
    assert_eq!(retry.block_number, redeem.block_number);

    a_withdrawal_waits_for_no_delay_under_devnet_relay(&server);
    server.shutdown();
}

fn a_withdrawal_waits_for_no_delay_under_devnet_relay(server: &DevnetServer) {
    let me = signer(0).address();
    let settlement = server.settlement_addr();
    let withdraw = sendTxToL1Call {
        destination: me,
        data: Bytes::new(),
    };
    send_ok(
        server.app_addr(),
        Some(xmtp_devnet::arb::ARB_SYS),
        withdraw.abi_encode(),
        U256::from(E18),
    );
    let tokens = move |d: &mut xmtp_devnet_node::Devnet| {
        let call = balanceOfCall { owner: me }.abi_encode();
        let r = d
            .settlement
            .call(&xmtp_devnet_node::CallRequest {
                to: Some(DEV_FEE_TOKEN),
                data: call.into(),
                ..xmtp_devnet_node::CallRequest::default()
            })
            .unwrap();
        U256::from_be_slice(&r.output)
    };
    let before = server.with(tokens).unwrap();
    let relayed = rpc(settlement, "devnet_relay", json!([]))["result"].clone();
    assert_eq!(relayed["outboxExecuted"], json!([U256::ZERO]));
    assert_eq!(
        server.with(tokens).unwrap(),
        before + U256::from(1_000_000u64)
    );
    let nothing = rpc(settlement, "devnet_relay", json!([]))["result"].clone();
    assert_eq!(nothing["outboxExecuted"], json!([]));
    assert_eq!(nothing["ticketsCreated"], json!([]));
}
