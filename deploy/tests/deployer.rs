//! The deployer in process on a two-chain devnet: the whole network from a devnet
//! configuration, every prediction checked, the app chain's parameters bridged, and a second
//! run that sends nothing; the same behind EVM proxies (`"proxy": "evm"`).

use std::path::Path;
use std::sync::OnceLock;

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::SolCall;
use xmtp_abi::{
    factory::IFactory, fee_token::IFeeToken, group_message_broadcaster::IGroupMessageBroadcaster,
    mock_underlying_fee_token::IMockUnderlyingFeeToken, parameter_registry::IParameterRegistry,
    payer_registry::IPayerRegistry,
};
use xmtp_deploy::deployer::{self, Deployer, InProcess, Plan, ProxyKind};
use xmtp_deploy::network::{Programs, ACTIVATION_BUDGET};
use xmtp_deploy::wiring::wiring_values;
use xmtp_devnet::{Receipt, Tx};
use xmtp_devnet_node::{CallRequest, Devnet, DevnetConfig, Side};

const SETTLEMENT: u64 = 84_532;
const APP: u64 = 351_243_127;

fn programs() -> &'static Programs {
    static PROGRAMS: OnceLock<Programs> = OnceLock::new();
    PROGRAMS.get_or_init(|| {
        let workspace = xmtp_deploy::discover(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap();
        Programs::build(&workspace, &[]).unwrap()
    })
}

fn view<C: SolCall>(devnet: &mut Devnet, side: Side, to: Address, call: &C) -> C::Return {
    let receipt = devnet
        .node_mut(side)
        .call(&CallRequest {
            from: None,
            to: Some(to),
            value: U256::ZERO,
            data: call.abi_encode().into(),
            gas: None,
            ..CallRequest::default()
        })
        .unwrap();
    assert!(receipt.status, "{} reverted", C::SIGNATURE);
    C::abi_decode_returns(&receipt.output).unwrap()
}

#[test]
fn deploys_both_chains_bridges_and_a_second_run_sends_nothing() {
    let config = deployer::devnet_config(programs(), SETTLEMENT, APP).unwrap();
    let plan = Plan::new(&config, programs()).unwrap();
    let mut devnet = deployer::devnet_for(&plan, DevnetConfig::default()).unwrap();

    let mut backend = InProcess::new(&mut devnet);
    let outcome = Deployer::new(&mut backend, plan.clone())
        .unwrap()
        .deploy()
        .unwrap();
    assert!(!outcome.steps.is_empty());
    let deployed: Vec<&str> = plan
        .units
        .iter()
        .filter(|u| u.init_code.is_ok())
        .map(|u| u.contract)
        .collect();
    assert_eq!(
        outcome.skipped.len(),
        plan.units.len() - deployed.len(),
        "{:?}",
        outcome.skipped
    );

    // Every deployed contract is at its predicted address, behind its proxy.
    for unit in plan.units.iter().filter(|u| u.init_code.is_ok()) {
        let chain = devnet.node(unit.side).chain();
        assert_eq!(
            alloy_primitives::keccak256(chain.code(unit.implementation)),
            unit.code_hash,
            "{}",
            unit.contract
        );
        if let Some(proxy) = &unit.proxy {
            let implementation = view(
                &mut devnet,
                unit.side,
                proxy.address,
                &IFactory::implementationCall {},
            );
            assert_eq!(implementation, unit.implementation, "{}", unit.contract);
            assert_eq!(
                outcome
                    .environment
                    .get_address(unit.environment_key)
                    .unwrap(),
                proxy.address
            );
        }
    }
    // The same Factory, registry and gateway addresses on both chains.
    for side in [Side::Settlement, Side::App] {
        assert_eq!(
            view(
                &mut devnet,
                side,
                plan.factory,
                &IFactory::implementationCall {}
            ),
            plan.factory_implementation
        );
    }
    assert_eq!(
        outcome.environment.get_address("settlementChainGateway"),
        outcome.environment.get_address("appChainGateway")
    );

    // The starting parameters on the settlement chain, the broadcasters' on the app chain.
    let parameters = config.starting_parameters().unwrap();
    let keys: Vec<String> = parameters.iter().map(|(k, _)| k.clone()).collect();
    let values: Vec<B256> = parameters.iter().map(|(_, v)| *v).collect();
    let on_settlement = view(
        &mut devnet,
        Side::Settlement,
        plan.parameter_registry,
        &IParameterRegistry::get_1Call { keys_: keys },
    );
    assert_eq!(on_settlement, values);
    let (app_keys, app_values): (Vec<String>, Vec<B256>) = parameters
        .iter()
        .filter(|(k, _)| deployer::is_app_chain_parameter(k))
        .cloned()
        .unzip();
    assert_eq!(app_keys.len(), 8);
    let on_app = view(
        &mut devnet,
        Side::App,
        plan.parameter_registry,
        &IParameterRegistry::get_1Call { keys_: app_keys },
    );
    assert_eq!(on_app, app_values);

    // Re-running finds everything in place.
    let mut backend = InProcess::new(&mut devnet);
    let again = Deployer::new(&mut backend, plan.clone())
        .unwrap()
        .deploy()
        .unwrap();
    assert_eq!(again.steps, vec![]);
    let mut without_blocks = again.environment.clone();
    let mut first = outcome.environment.clone();
    for env in [&mut without_blocks, &mut first] {
        env.entries.retain(|k, _| !k.ends_with("DeploymentBlock"));
    }
    assert_eq!(without_blocks, first);
}

#[test]
fn a_wrong_chain_id_is_refused_before_anything_is_sent() {
    let config = deployer::devnet_config(programs(), SETTLEMENT, APP).unwrap();
    let plan = Plan::new(&config, programs()).unwrap();
    let mut devnet = Devnet::new(DevnetConfig {
        settlement_chain_id: SETTLEMENT,
        app_chain_id: 7,
        ..DevnetConfig::default()
    })
    .unwrap();
    let mut backend = InProcess::new(&mut devnet);
    let error = Deployer::new(&mut backend, plan).unwrap_err();
    assert_eq!(
        error.to_string(),
        "wrong chain id: the app chain RPC answers 7, the configuration says 351243127"
    );
    assert_eq!(devnet.settlement.head(), 0);
    assert_eq!(devnet.app.head(), 0);
}

#[test]
fn a_pinned_address_that_the_code_does_not_give_is_refused() {
    let mut config = deployer::devnet_config(programs(), SETTLEMENT, APP).unwrap();
    config.gateway_proxy = Some(Address::repeat_byte(0x11));
    let error = Plan::new(&config, programs()).unwrap_err().to_string();
    let predicted = Plan::new(
        &deployer::devnet_config(programs(), SETTLEMENT, APP).unwrap(),
        programs(),
    )
    .unwrap()
    .gateway;
    assert_eq!(
        error,
        format!(
            "config gatewayProxy is 0x1111111111111111111111111111111111111111 but the code and salts predict {predicted}"
        )
    );
}

/// One Factory build serves both proxy kinds: a plan wires its `proxyKind` word, zero (the
/// same as leaving it out) for Stylus proxies, one for EVM proxies.
#[test]
fn both_proxy_kinds_wire_the_one_factory_build() {
    let stylus = Plan::new(
        &deployer::devnet_config(programs(), SETTLEMENT, APP).unwrap(),
        programs(),
    )
    .unwrap();
    let evm = Plan::new(
        &deployer::devnet_config_with(programs(), SETTLEMENT, APP, ProxyKind::Evm).unwrap(),
        programs(),
    )
    .unwrap();
    let factory = |plan: &Plan, kind: Option<B256>| {
        let registry = ("parameterRegistry", plan.parameter_registry.into_word().0);
        let wiring: Vec<(&str, [u8; 32])> = std::iter::once(registry)
            .chain(kind.map(|kind| ("proxyKind", kind.0)))
            .collect();
        programs().wired("xmtp-factory", &wiring, None).unwrap()
    };
    assert_eq!(factory(&stylus, None).init_code, stylus.factory_init_code);
    assert_eq!(
        factory(&stylus, Some(B256::ZERO)).init_code,
        stylus.factory_init_code
    );
    let evm_factory = factory(&evm, Some(B256::with_last_byte(1)));
    assert_eq!(evm_factory.init_code, evm.factory_init_code);
    assert_eq!(
        wiring_values(&evm_factory.processed).unwrap(),
        [
            (
                "parameterRegistry".to_owned(),
                evm.parameter_registry.into_word().0
            ),
            ("proxyKind".to_owned(), B256::with_last_byte(1).0)
        ]
    );
    assert_ne!(
        factory(&evm, None).code_hash(),
        evm_factory.code_hash(),
        "the word is part of the Factory's code"
    );
}

/// `"proxy": "evm"` deployed on the devnet, every check held.
fn deploy_behind_evm_proxies() -> (Plan, Devnet) {
    let config = deployer::devnet_config_with(programs(), SETTLEMENT, APP, ProxyKind::Evm).unwrap();
    let plan = Plan::new(&config, programs()).unwrap();
    let mut devnet = deployer::devnet_for(&plan, DevnetConfig::default()).unwrap();
    let mut backend = InProcess::new(&mut devnet);
    Deployer::new(&mut backend, plan.clone())
        .unwrap()
        .deploy()
        .unwrap();
    let mut backend = InProcess::new(&mut devnet);
    let checks = Deployer::new(&mut backend, plan.clone())
        .unwrap()
        .check()
        .unwrap();
    let failed: Vec<_> = checks.iter().filter(|c| c.failure.is_some()).collect();
    assert!(failed.is_empty(), "{failed:#?}");
    (plan, devnet)
}

fn send(devnet: &mut Devnet, side: Side, from: Address, to: Address, data: Vec<u8>) -> Receipt {
    let receipt = devnet
        .node_mut(side)
        .chain_mut()
        .send(&Tx::call(from, to, data))
        .unwrap();
    assert!(
        receipt.status,
        "0x{}",
        alloy_primitives::hex::encode(&receipt.output)
    );
    receipt
}

#[test]
fn an_evm_proxy_deployment_predicts_checks_and_operates_cheaper_than_stylus_proxies() {
    let (plan, mut devnet) = deploy_behind_evm_proxies();
    let evm_proxy = alloy_primitives::Bytes::from(xmtp_proxy::evm::runtime());
    assert_eq!(plan.proxy_code, evm_proxy);
    for side in [Side::Settlement, Side::App] {
        assert_eq!(devnet.node(side).chain().code(plan.factory), evm_proxy);
    }
    let proxies: Vec<_> = plan.units.iter().filter(|u| u.proxy.is_some()).collect();
    assert_eq!(proxies.len(), 12);
    for unit in proxies {
        let proxy = unit.proxy.as_ref().unwrap().address;
        assert_eq!(
            devnet.node(unit.side).chain().code(proxy),
            evm_proxy,
            "{}",
            unit.contract
        );
    }

    // A parameter set on the settlement chain, bridged, pulled and used on the app chain.
    let key = "xmtp.groupMessageBroadcaster.maxPayloadSize".to_owned();
    {
        let mut backend = InProcess::new(&mut devnet);
        let mut deployer = Deployer::new(&mut backend, plan.clone()).unwrap();
        let value = B256::from(U256::from(4_096u64));
        deployer
            .set_parameters("maxPayloadSize", &[(key.clone(), value)])
            .unwrap();
        deployer.bridge(&[key]).unwrap();
    }
    let broadcaster = plan
        .unit("GroupMessageBroadcaster", Side::App)
        .unwrap()
        .address();
    let user = plan.config.deployer;
    let update = IGroupMessageBroadcaster::updateMaxPayloadSizeCall {}.abi_encode();
    send(&mut devnet, Side::App, user, broadcaster, update);
    let size = IGroupMessageBroadcaster::maxPayloadSizeCall {};
    assert_eq!(view(&mut devnet, Side::App, broadcaster, &size), 4_096);
    let message = IGroupMessageBroadcaster::addMessageCall {
        groupId_: [7; 16].into(),
        message_: vec![0x5a; 100].into(),
    };
    let added = send(
        &mut devnet,
        Side::App,
        user,
        broadcaster,
        message.abi_encode(),
    );
    assert_eq!(added.logs.len(), 1);
    assert_eq!(added.logs[0].address, broadcaster);

    payer_deposits_through_both_proxies(&plan, &mut devnet);
}

/// A `PayerRegistry` deposit from the underlying through the EVM proxies, then the same deposit
/// with the `PayerRegistry` and `FeeToken` proxies given the Stylus proxy's code instead.
fn payer_deposits_through_both_proxies(plan: &Plan, devnet: &mut Devnet) {
    let side = Side::Settlement;
    let user = plan.config.deployer;
    let underlying = plan.config.underlying_fee_token;
    let payer_registry = plan.unit("PayerRegistry", side).unwrap().address();
    let amount = 10_000_000u64;
    let mint = IMockUnderlyingFeeToken::mintCall {
        to_: user,
        amount_: U256::from(3 * amount),
    };
    send(devnet, side, user, underlying, mint.abi_encode());
    let approve = IFeeToken::approveCall {
        spender: payer_registry,
        value: U256::from(3 * amount),
    };
    send(devnet, side, user, underlying, approve.abi_encode());
    let deposit = IPayerRegistry::depositFromUnderlyingCall {
        payer_: user,
        amount_: alloy_primitives::aliases::U96::from(amount),
    }
    .abi_encode();
    send(devnet, side, user, payer_registry, deposit.clone());
    let balance = IPayerRegistry::getBalanceCall { payer_: user };
    assert_eq!(
        view(devnet, side, payer_registry, &balance),
        alloy_primitives::aliases::I104::try_from(amount).unwrap()
    );

    let chain = devnet.node_mut(side).chain_mut();
    let before = chain.snapshot();
    let through_evm = send(devnet, side, user, payer_registry, deposit.clone()).gas_used;
    let chain = devnet.node_mut(side).chain_mut();
    chain.restore(before);
    let stylus_proxy = programs().artifact("xmtp-proxy", &[]).unwrap().code;
    // Activation is by code hash: a copy at a scratch address activates the proxies' code.
    let scratch = Address::repeat_byte(0x5c);
    chain.set_code(scratch, stylus_proxy.clone().into());
    let activated = chain.activate(user, scratch, ACTIVATION_BUDGET).unwrap();
    assert!(activated.status);
    for contract in ["PayerRegistry", "FeeToken"] {
        let proxy = plan.unit(contract, side).unwrap().address();
        chain.set_code(proxy, stylus_proxy.clone().into());
    }
    let through_stylus = send(devnet, side, user, payer_registry, deposit).gas_used;
    // Receipt gas of the same second deposit (programs not cached on this devnet): two proxy
    // frames, the PayerRegistry's and the FeeToken's, each cheaper as EVM code.
    assert_eq!((through_evm, through_stylus), (138_929, 148_264));
}
