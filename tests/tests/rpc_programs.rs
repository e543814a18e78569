//! Our Stylus programs deployed, activated and driven over the devnet's JSON-RPC by alloy, a
//! client we did not write: signed EIP-1559 transactions with estimated gas, receipts, logs by
//! filter, `eth_call` revert data decoded as the program's custom error.

use alloy::consensus::TxType;
use alloy::network::{EthereumWallet, TransactionBuilder as _};
use alloy::primitives::{keccak256, Address, Bytes, B256};
use alloy::providers::{Provider, ProviderBuilder};
use alloy::rpc::json_rpc::ErrorPayload;
use alloy::rpc::types::{Filter, TransactionReceipt, TransactionRequest};
use alloy::signers::local::PrivateKeySigner;
use alloy::sol;
use alloy::sol_types::{SolCall, SolError as _, SolEvent as _};
use alloy::transports::{RpcError, TransportErrorKind};
use xmtp_abi::parameter_registry::{IParameterRegistry, NotAdmin, ParameterSet};
use xmtp_devnet::arb::ARB_WASM;
use xmtp_devnet_node::devnet::DEV_KEYS;
use xmtp_devnet_node::{DevnetConfig, DevnetServer, ServerOptions};
use xmtp_system_tests::{artifact, ACTIVATION_BUDGET};

sol! {
    interface ArbWasm {
        function activateProgram(address program) external payable returns (uint16 version, uint256 dataFee);
        function codehashVersion(bytes32 codehash) external view returns (uint16 version);
        event ProgramActivated(bytes32 indexed codehash, bytes32 moduleHash, address program, uint256 dataFee, uint16 version);
        error ProgramNotActivated();
    }
}

const KEY: &str = "xmtp.example.key";

fn signer(i: usize) -> PrivateKeySigner {
    DEV_KEYS[i].parse().expect("dev key")
}

fn call_request(from: Address, to: Address, call: &impl SolCall) -> TransactionRequest {
    TransactionRequest::default()
        .with_from(from)
        .with_to(to)
        .with_input(call.abi_encode())
}

/// Sends `tx` and waits for its receipt.
async fn mined(provider: &impl Provider, tx: TransactionRequest) -> TransactionReceipt {
    provider
        .send_transaction(tx)
        .await
        .expect("sent")
        .get_receipt()
        .await
        .expect("mined")
}

/// The revert data a JSON-RPC error carries, if it is a revert.
fn revert_data(error: &RpcError<TransportErrorKind>) -> Option<Bytes> {
    error.as_error_resp().and_then(ErrorPayload::as_revert_data)
}

/// The parameter registry's implementation, deployed by CREATE and activated through ArbWasm,
/// with the activation's event and ArbWasm's view of the code hash before and after.
async fn activated_implementation(provider: &impl Provider, admin: Address) -> Address {
    let registry = artifact("xmtp-settlement-chain-parameter-registry", &[]);
    let deploy = TransactionRequest::default()
        .with_from(admin)
        .with_deploy_code(registry.init_code.clone());
    let receipt = mined(provider, deploy).await;
    assert!(receipt.status());
    let implementation = receipt.contract_address.expect("created");
    assert_eq!(
        provider.get_code_at(implementation).await.expect("code"),
        Bytes::from(registry.code.clone())
    );
    let codehash = keccak256(&registry.code);
    let version_query = call_request(admin, ARB_WASM, &ArbWasm::codehashVersionCall { codehash });
    let inactive = provider
        .call(version_query.clone())
        .await
        .expect_err("not active yet");
    assert_eq!(
        revert_data(&inactive),
        Some(Bytes::from(ArbWasm::ProgramNotActivated {}.abi_encode()))
    );

    let activate = ArbWasm::activateProgramCall {
        program: implementation,
    };
    let activation = mined(
        provider,
        call_request(admin, ARB_WASM, &activate).with_value(ACTIVATION_BUDGET),
    )
    .await;
    assert!(activation.status());
    let activated = activation
        .inner
        .logs()
        .iter()
        .find_map(|log| ArbWasm::ProgramActivated::decode_log_data(log.data()).ok())
        .expect("ProgramActivated");
    assert_eq!(activated.codehash, codehash);
    assert_eq!(activated.program, implementation);
    let version = provider.call(version_query).await.expect("active");
    assert_eq!(
        ArbWasm::codehashVersionCall::abi_decode_returns(&version).expect("u16"),
        activated.version
    );
    implementation
}

/// The Stylus proxy in front of `implementation`, activated, then initialized through it with
/// `admin` as the registry's only admin.
async fn initialized_proxy(
    provider: &impl Provider,
    admin: Address,
    implementation: Address,
) -> Address {
    let proxy_code = artifact("xmtp-proxy", &[]).code;
    let creation = [
        xmtp_proxy::creation_code(&proxy_code),
        implementation.into_word().to_vec(),
    ]
    .concat();
    let deploy = TransactionRequest::default()
        .with_from(admin)
        .with_deploy_code(creation);
    let proxy = mined(provider, deploy)
        .await
        .contract_address
        .expect("created");
    let activate = ArbWasm::activateProgramCall { program: proxy };
    let receipt = mined(
        provider,
        call_request(admin, ARB_WASM, &activate).with_value(ACTIVATION_BUDGET),
    )
    .await;
    assert!(receipt.status());
    let initialize = IParameterRegistry::initializeCall {
        admins_: vec![admin],
    };
    assert!(mined(provider, call_request(admin, proxy, &initialize))
        .await
        .status());
    proxy
}

#[tokio::test]
async fn alloy_deploys_activates_and_administers_a_parameter_registry_behind_its_proxy() {
    let server =
        DevnetServer::start(DevnetConfig::default(), &ServerOptions::default()).expect("server");
    let admin = signer(0);
    let stranger = signer(1).address();
    let provider = ProviderBuilder::new()
        .wallet(EthereumWallet::from(admin.clone()))
        .connect_http(server.settlement_url().parse().expect("url"));
    let admin = admin.address();
    let implementation = activated_implementation(&provider, admin).await;
    let proxy = initialized_proxy(&provider, admin, implementation).await;

    // An administrator sets a parameter with the gas alloy estimated; the event is found by filter.
    let set = IParameterRegistry::set_0Call {
        key_: KEY.into(),
        value_: B256::with_last_byte(7),
    };
    let estimate = provider
        .estimate_gas(call_request(admin, proxy, &set))
        .await
        .expect("estimate");
    let receipt = mined(
        &provider,
        call_request(admin, proxy, &set).with_gas_limit(estimate),
    )
    .await;
    assert!(receipt.status(), "the estimate suffices");
    // alloy's wallet signed it as an EIP-1559 transaction, mined as one.
    assert_eq!(receipt.inner.tx_type(), TxType::Eip1559);
    let mined_tx = provider
        .get_transaction_by_hash(receipt.transaction_hash)
        .await
        .expect("transaction")
        .expect("known");
    assert_eq!(mined_tx.inner.tx_type(), TxType::Eip1559);
    assert!(receipt.gas_used <= estimate);
    let filter = Filter::new()
        .address(proxy)
        .event_signature(ParameterSet::SIGNATURE_HASH)
        .topic1(keccak256(KEY))
        .from_block(0);
    let logs = provider.get_logs(&filter).await.expect("logs");
    assert_eq!(logs.len(), 1);
    let event = ParameterSet::decode_log_data(logs[0].data()).expect("ParameterSet");
    assert_eq!(event.keyHash, keccak256(KEY));
    assert_eq!(event.key, KEY);
    assert_eq!(event.value, B256::with_last_byte(7));
    assert_eq!(logs[0].transaction_hash, Some(receipt.transaction_hash));

    let get = IParameterRegistry::get_0Call { key_: KEY.into() };
    let value = provider
        .call(call_request(stranger, proxy, &get))
        .await
        .expect("view");
    assert_eq!(
        IParameterRegistry::get_0Call::abi_decode_returns(&value).expect("bytes32"),
        B256::with_last_byte(7)
    );

    // A stranger's `set` reverts with the program's custom error, decoded from eth_call, and
    // the call changes nothing.
    let refused = provider
        .call(call_request(stranger, proxy, &set))
        .await
        .expect_err("not an admin");
    assert_eq!(
        revert_data(&refused),
        Some(Bytes::from(NotAdmin {}.abi_encode()))
    );
    let decoded = refused
        .as_error_resp()
        .and_then(ErrorPayload::as_decoded_error::<NotAdmin>);
    assert_eq!(decoded, Some(NotAdmin {}), "alloy decodes the custom error");
    assert_eq!(
        provider.get_balance(stranger).await.expect("balance"),
        DevnetConfig::default().dev_balance
    );
}
