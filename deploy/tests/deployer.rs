//! The deployer in process on a two-chain devnet: the whole network from a devnet
//! configuration, every prediction checked, the app chain's parameters bridged, and a second
//! run that sends nothing.

use std::path::Path;
use std::sync::OnceLock;

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::SolCall;
use xmtp_abi::{factory::IFactory, parameter_registry::IParameterRegistry};
use xmtp_deploy::deployer::{self, Deployer, InProcess, Plan};
use xmtp_deploy::network::Programs;
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
