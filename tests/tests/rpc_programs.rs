//! Our Stylus programs deployed, activated and driven over the devnet's JSON-RPC by alloy, a
//! client we did not write: signed EIP-1559 transactions with estimated gas, receipts, logs by
//! filter, `eth_call` revert data decoded as the program's custom error.

use alloy::network::{EthereumWallet, TransactionBuilder as _};
use alloy::primitives::{keccak256, Address, Bytes, B256};
use alloy::providers::{Provider, ProviderBuilder};
use alloy::rpc::types::{Filter, TransactionRequest};
use alloy::signers::local::PrivateKeySigner;
use alloy::sol;
use alloy::sol_types::{SolCall, SolError as _, SolEvent as _};
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

fn signer(i: usize) -> PrivateKeySigner {
    DEV_KEYS[i].parse().expect("dev key")
}

fn call_request(from: Address, to: Address, call: &impl SolCall) -> TransactionRequest {
    TransactionRequest::default()
        .with_from(from)
        .with_to(to)
        .with_input(call.abi_encode())
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

    // The implementation: deployed by CREATE, then activated through ArbWasm.
    let registry = artifact("xmtp-settlement-chain-parameter-registry", &[]);
    let deploy = TransactionRequest::default()
        .with_from(admin)
        .with_deploy_code(registry.init_code.clone());
    let receipt = provider
        .send_transaction(deploy)
        .await
        .expect("sent")
        .get_receipt()
        .await
        .expect("mined");
    assert!(receipt.status());
    let implementation = receipt.contract_address.expect("created");
    assert_eq!(
        provider.get_code_at(implementation).await.expect("code"),
        Bytes::from(registry.code.clone())
    );
    let codehash = keccak256(&registry.code);
    let inactive = provider
        .call(call_request(
            admin,
            ARB_WASM,
            &ArbWasm::codehashVersionCall { codehash },
        ))
        .await
        .expect_err("not active yet");
    assert_eq!(
        inactive.as_error_resp().and_then(|e| e.as_revert_data()),
        Some(Bytes::from(ArbWasm::ProgramNotActivated {}.abi_encode()))
    );

    let activation = provider
        .send_transaction(
            call_request(
                admin,
                ARB_WASM,
                &ArbWasm::activateProgramCall {
                    program: implementation,
                },
            )
            .with_value(ACTIVATION_BUDGET),
        )
        .await
        .expect("sent")
        .get_receipt()
        .await
        .expect("mined");
    assert!(activation.status());
    let activated = activation
        .inner
        .logs()
        .iter()
        .find_map(|log| ArbWasm::ProgramActivated::decode_log_data(log.data()).ok())
        .expect("ProgramActivated");
    assert_eq!(activated.codehash, codehash);
    assert_eq!(activated.program, implementation);
    let version = provider
        .call(call_request(
            admin,
            ARB_WASM,
            &ArbWasm::codehashVersionCall { codehash },
        ))
        .await
        .expect("active");
    assert_eq!(
        ArbWasm::codehashVersionCall::abi_decode_returns(&version).expect("u16"),
        activated.version
    );

    // The Stylus proxy in front of it, activated, then initialized through it.
    let proxy_code = artifact("xmtp-proxy", &[]).code;
    let creation = [
        xmtp_proxy::creation_code(&proxy_code),
        implementation.into_word().to_vec(),
    ]
    .concat();
    let receipt = provider
        .send_transaction(
            TransactionRequest::default()
                .with_from(admin)
                .with_deploy_code(creation),
        )
        .await
        .expect("sent")
        .get_receipt()
        .await
        .expect("mined");
    let proxy = receipt.contract_address.expect("created");
    let receipt = provider
        .send_transaction(
            call_request(
                admin,
                ARB_WASM,
                &ArbWasm::activateProgramCall { program: proxy },
            )
            .with_value(ACTIVATION_BUDGET),
        )
        .await
        .expect("sent")
        .get_receipt()
        .await
        .expect("mined");
    assert!(receipt.status());
    let initialize = IParameterRegistry::initializeCall {
        admins_: vec![admin],
    };
    let receipt = provider
        .send_transaction(call_request(admin, proxy, &initialize))
        .await
        .expect("sent")
        .get_receipt()
        .await
        .expect("mined");
    assert!(receipt.status());

    // An administrator sets a parameter with the gas alloy estimated; the event is found by filter.
    let set = IParameterRegistry::set_0Call {
        key_: "xmtp.example.key".into(),
        value_: B256::with_last_byte(7),
    };
    let estimate = provider
        .estimate_gas(call_request(admin, proxy, &set))
        .await
        .expect("estimate");
    let receipt = provider
        .send_transaction(call_request(admin, proxy, &set).with_gas_limit(estimate))
        .await
        .expect("sent")
        .get_receipt()
        .await
        .expect("mined");
    assert!(receipt.status(), "the estimate suffices");
    assert!(receipt.gas_used <= estimate);
    let logs = provider
        .get_logs(
            &Filter::new()
                .address(proxy)
                .event_signature(ParameterSet::SIGNATURE_HASH)
                .topic1(keccak256("xmtp.example.key"))
                .from_block(0),
        )
        .await
        .expect("logs");
    assert_eq!(logs.len(), 1);
    let event = ParameterSet::decode_log_data(logs[0].data()).expect("ParameterSet");
    assert_eq!(event.keyHash, keccak256("xmtp.example.key"));
    assert_eq!(event.key, "xmtp.example.key");
    assert_eq!(event.value, B256::with_last_byte(7));
    assert_eq!(logs[0].transaction_hash, Some(receipt.transaction_hash));

    let value = provider
        .call(call_request(
            stranger,
            proxy,
            &IParameterRegistry::get_0Call {
                key_: "xmtp.example.key".into(),
            },
        ))
        .await
        .expect("view");
    assert_eq!(
        IParameterRegistry::get_0Call::abi_decode_returns(&value).expect("bytes32"),
        B256::with_last_byte(7)
    );

    // A stranger's `set` reverts with the program's custom error, decoded from eth_call.
    let refused = provider
        .call(call_request(stranger, proxy, &set))
        .await
        .expect_err("not an admin");
    let data = refused
        .as_error_resp()
        .and_then(|e| e.as_revert_data())
        .expect("revert data");
    assert_eq!(data, Bytes::from(NotAdmin {}.abi_encode()));
    let balance = provider.get_balance(stranger).await.expect("balance");
    assert_eq!(
        balance,
        DevnetConfig::default().dev_balance,
        "eth_call changes nothing"
    );
}
