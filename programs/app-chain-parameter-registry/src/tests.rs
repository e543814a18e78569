//! The registry core's behaviour is pinned in depth by the settlement registry's tests; these
//! pin this program's keys, identity and error mapping, every function once through its own
//! interface, and the app-chain deployment shape (the gateway as the only admin).

use alloy_primitives::{address, keccak256, Address, B256, U256};
use alloy_sol_types::{SolCall, SolEvent};
use stylus_sdk::abi::Router;
use xmtp_abi::{
    migratable::ZeroMigrator,
    oz_initializable::{Initialized, InvalidInitialization},
    parameter_registry::{
        ArrayLengthMismatch, EmptyAdmins, IParameterRegistry, NoKeys, NotAdmin, ParameterSet,
        ZeroAdmin,
    },
};
use xmtp_core::{
    slots::{ERC1967_IMPLEMENTATION, OZ_INITIALIZABLE, PARAMETER_REGISTRY},
    testing::{assert_migrate, CallKind, MockHost},
};

use xmtp_core::registry::Key;

use super::*;

const PROXY: Address = address!("0x00000000000000000000000000000000000a11ce");
const IMPLEMENTATION: Address = address!("0x0000000000000000000000000000000000000f02");
/// The mainnet `AppChainGateway` proxy, the registry's only admin in a deployment.
const GATEWAY: Address = address!("0x18f4aA7E0Af2A102549986b2F53e727C0CC24EB7");
const STRANGER: Address = address!("0x0000000000000000000000000000000000000bad");
const MIGRATOR: Address = address!("0x0000000000000000000000000000000000000c02");
const ONE: B256 = B256::with_last_byte(1);
const MIGRATOR_KEY: &str = "xmtp.appChainParameterRegistry.migrator";

/// `initialize([GATEWAY])` emits `ParameterSet` and `Initialized`.
const INITIALIZATION_LOGS: usize = 2;

fn registry() -> (MockHost, AppChainParameterRegistry) {
    let host = MockHost::new();
    host.vm.set_contract_address(PROXY);
    host.vm.set_sender(GATEWAY);
    host.vm
        .set_storage(ERC1967_IMPLEMENTATION, IMPLEMENTATION.into_word());
    let registry = AppChainParameterRegistry::from(&host);
    (host, registry)
}

fn initialized() -> (MockHost, AppChainParameterRegistry) {
    let (host, mut registry) = registry();
    registry.initialize(vec![GATEWAY]).unwrap();
    (host, registry)
}

fn logs_after(host: &MockHost, skip: usize) -> Vec<(Vec<B256>, Vec<u8>)> {
    host.vm.get_emitted_logs()[skip..].to_vec()
}

fn log(event: &impl SolEvent) -> (Vec<B256>, Vec<u8>) {
    let data = event.encode_log_data();
    (data.topics().to_vec(), data.data.to_vec())
}

fn parameter_set(key: &str, value: B256) -> (Vec<B256>, Vec<u8>) {
    log(&ParameterSet {
        keyHash: keccak256(key),
        key: key.into(),
        value,
    })
}

fn slot(key: &str) -> U256 {
    let preimage = [key.as_bytes(), &PARAMETER_REGISTRY.to_be_bytes::<32>()].concat();
    U256::from_be_bytes(keccak256(preimage).0)
}

/// The gateway's admin key, spelled out once to pin the format.
const GATEWAY_ADMIN_KEY: &str =
    "xmtp.appChainParameterRegistry.isAdmin.0x18f4aa7e0af2a102549986b2f53e727c0cc24eb7";

#[test]
fn keys_and_identity() {
    assert_eq!(
        AppChainParameterRegistry::migrator_parameter_key(),
        MIGRATOR_KEY
    );
    assert_eq!(
        AppChainParameterRegistry::admin_parameter_key(),
        "xmtp.appChainParameterRegistry.isAdmin"
    );
    assert_eq!(AppChainParameterRegistry::version(), "1.0.0");
    assert_eq!(
        AppChainParameterRegistry::contract_name(),
        "AppChainParameterRegistry"
    );
    let (_host, registry) = initialized();
    assert_eq!(registry.implementation(), IMPLEMENTATION);
}

#[test]
fn initialize_makes_the_gateway_the_admin() {
    let (host, mut registry) = registry();
    assert_eq!(registry.initialize(vec![GATEWAY]), Ok(()));
    assert_eq!(host.vm.get_storage(slot(GATEWAY_ADMIN_KEY)), ONE);
    assert_eq!(host.vm.get_storage(OZ_INITIALIZABLE), ONE);
    assert!(registry.is_admin(GATEWAY));
    assert!(!registry.is_admin(STRANGER));
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![
            parameter_set(GATEWAY_ADMIN_KEY, ONE),
            log(&Initialized { version: 1 })
        ]
    );
}

#[test]
fn initialize_refusals() {
    // A fresh host each time: a native test does not roll back a failed call's writes.
    let (_host, mut fresh) = registry();
    assert_eq!(fresh.initialize(vec![]), Err(EmptyAdmins {}.into()));
    let (_host, mut fresh) = registry();
    assert_eq!(
        fresh.initialize(vec![Address::ZERO]),
        Err(ZeroAdmin {}.into())
    );
    let (host, mut fresh) = registry();
    host.vm.set_storage(ERC1967_IMPLEMENTATION, B256::ZERO);
    assert_eq!(
        fresh.initialize(vec![GATEWAY]),
        Err(InvalidInitialization {}.into())
    );
    let (_host, mut fresh) = initialized();
    assert_eq!(
        fresh.initialize(vec![]),
        Err(InvalidInitialization {}.into())
    );
}

#[test]
fn only_admins_set() {
    let (host, mut registry) = initialized();
    host.vm.set_sender(STRANGER);
    assert_eq!(registry.set_one("k".into(), ONE), Err(NotAdmin {}.into()));
    assert_eq!(
        registry.set_many(vec!["k".into()], vec![ONE]),
        Err(NotAdmin {}.into())
    );
    assert!(logs_after(&host, INITIALIZATION_LOGS).is_empty());
}

#[test]
fn set_many_refusals() {
    let (_host, mut registry) = initialized();
    assert_eq!(registry.set_many(vec![], vec![]), Err(NoKeys {}.into()));
    assert_eq!(
        registry.set_many(vec!["k".into()], vec![]),
        Err(ArrayLengthMismatch {}.into())
    );
}

#[test]
fn bridged_parameters_are_stored_and_announced() {
    let (host, mut registry) = initialized();
    let names = [
        "xmtp.groupMessageBroadcaster.maxPayloadSize",
        "xmtp.groupMessageBroadcaster.paused",
    ];
    let keys: Vec<Key> = names.iter().map(|name| (*name).into()).collect();
    let values = vec![B256::from(U256::from(262_144)), ONE];
    assert_eq!(registry.set_many(keys.clone(), values.clone()), Ok(()));
    assert_eq!(registry.set_one(keys[1].clone(), B256::ZERO), Ok(()));
    assert_eq!(host.vm.get_storage(slot(names[0])), values[0]);
    assert_eq!(
        registry.get_many(keys.clone()),
        Ok(vec![values[0], B256::ZERO])
    );
    assert_eq!(registry.get_one(keys[0].clone()), values[0]);
    assert_eq!(registry.get_many(vec![]), Err(NoKeys {}.into()));
    assert_eq!(
        logs_after(&host, INITIALIZATION_LOGS),
        vec![
            parameter_set(names[0], values[0]),
            parameter_set(names[1], ONE),
            parameter_set(names[1], B256::ZERO),
        ]
    );
}

#[test]
fn a_bridged_admin_key_adds_an_admin() {
    let (host, mut registry) = initialized();
    let key = format!("xmtp.appChainParameterRegistry.isAdmin.{STRANGER:#x}");
    assert_eq!(registry.set_one(key.into(), ONE), Ok(()));
    assert!(registry.is_admin(STRANGER));
    host.vm.set_sender(STRANGER);
    assert_eq!(
        registry.set_one(GATEWAY_ADMIN_KEY.into(), B256::ZERO),
        Ok(())
    );
    assert!(!registry.is_admin(GATEWAY));
}

/// Every `Migratable` outcome (zero when unset or set, out of bounds, failing, codeless,
/// migrating) with exact revert data, for anyone calling; the migrator is read from the
/// registry's own storage, so no other call is made.
#[test]
fn migrate_follows_the_migratable_sequence() {
    let (host, mut registry) = initialized();
    host.vm.set_sender(STRANGER);
    assert_eq!(registry.migrate(), Err(ZeroMigrator {}.into()));
    assert_migrate(
        &host,
        &mut registry,
        MIGRATOR,
        |registry, word| {
            host.vm.set_sender(GATEWAY);
            registry.set_one(MIGRATOR_KEY.into(), word).unwrap();
            host.vm.set_sender(STRANGER);
        },
        AppChainParameterRegistry::migrate,
    );
    assert!(host
        .calls()
        .iter()
        .all(|(kind, ..)| *kind == CallKind::Delegate));
}

#[test]
fn every_interface_function_is_routed() {
    for function in IParameterRegistry::abi::functions().values().flatten() {
        let (_host, mut registry) = initialized();
        let selector = u32::from_be_bytes(function.selector().0);
        let routed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            <AppChainParameterRegistry as Router<AppChainParameterRegistry>>::route(
                &mut registry,
                selector,
                &[],
            )
            .is_some()
        }));
        assert!(
            routed.unwrap_or(true),
            "{} is not routed",
            function.signature()
        );
    }
    let (_host, mut registry) = initialized();
    let set = IParameterRegistry::set_0Call {
        key_: "k".into(),
        value_: ONE,
    }
    .abi_encode();
    assert_eq!(
        <AppChainParameterRegistry as Router<AppChainParameterRegistry>>::route(
            &mut registry,
            u32::from_be_bytes(set[..4].try_into().unwrap()),
            &set[4..],
        ),
        Some(Ok(vec![]))
    );
    assert_eq!(registry.get_one("k".into()), ONE);
    assert!(
        <AppChainParameterRegistry as Router<AppChainParameterRegistry>>::route(
            &mut registry,
            0xdead_beef,
            &[]
        )
        .is_none()
    );
}
