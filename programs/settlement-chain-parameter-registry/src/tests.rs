use alloy_primitives::{address, b256, keccak256, uint, Address, Bytes, B256, U256};
use alloy_sol_types::{SolCall, SolEvent, SolValue};
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
const IMPLEMENTATION: Address = address!("0x0000000000000000000000000000000000000f01");
/// The mainnet admin whose key is the spec's slot vector.
const ADMIN: Address = address!("0x0bb1dE335cf9c23723ca22c1fdFa64e51C1BEd67");
const ADMIN_2: Address = address!("0xd66a39a62a2938776022e0ca55c1b838b5604080");
const STRANGER: Address = address!("0x0000000000000000000000000000000000000bad");
const MIGRATOR: Address = address!("0x0000000000000000000000000000000000000c01");
/// `keccak256(bytes("xmtp.settlementChainParameterRegistry.isAdmin.0x0bb1…ed67") ++ root)`.
const ADMIN_SLOT: U256 =
    uint!(0xb590a782c02cc7fb9f9be76ceb061ed5177a9f264a0eb57eb1aa1d68c36de621_U256);
const ONE: B256 = B256::with_last_byte(1);

/// A registry proxy (its ERC-1967 slot set), not initialized, called by `ADMIN`.
fn registry() -> (MockHost, SettlementChainParameterRegistry) {
    let host = MockHost::new();
    host.vm.set_contract_address(PROXY);
    host.vm.set_sender(ADMIN);
    host.vm
        .set_storage(ERC1967_IMPLEMENTATION, IMPLEMENTATION.into_word());
    let registry = SettlementChainParameterRegistry::from(&host);
    (host, registry)
}

/// A registry initialized with `ADMIN`.
fn initialized() -> (MockHost, SettlementChainParameterRegistry) {
    let (host, mut registry) = registry();
    registry.initialize(vec![ADMIN]).unwrap();
    (host, registry)
}

/// The logs emitted after the first `skip`.
fn logs_after(host: &MockHost, skip: usize) -> Vec<(Vec<B256>, Vec<u8>)> {
    host.vm.get_emitted_logs()[skip..].to_vec()
}

/// `initialize([ADMIN])` emits `ParameterSet` and `Initialized`.
const INITIALIZATION_LOGS: usize = 2;

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

fn admin_key(account: Address) -> String {
    format!("xmtp.settlementChainParameterRegistry.isAdmin.{account:#x}")
}

// ---- initialize ----

#[test]
fn initialize_reverts_on_empty_admins() {
    let (host, mut registry) = registry();
    assert_eq!(registry.initialize(vec![]), Err(EmptyAdmins {}.into()));
    assert!(host.vm.get_emitted_logs().is_empty());
}

#[test]
fn initialize_reverts_on_a_zero_admin() {
    let (_host, mut registry) = registry();
    assert_eq!(
        registry.initialize(vec![ADMIN, Address::ZERO]),
        Err(ZeroAdmin {}.into())
    );
}

#[test]
fn initialize_sets_each_admin_key_then_emits_initialized() {
    let (host, mut registry) = registry();
    assert_eq!(registry.initialize(vec![ADMIN, ADMIN_2, ADMIN]), Ok(()));
    // Raw words: the spec's slot vector for ADMIN, and the OZ initializer word.
    assert_eq!(host.vm.get_storage(ADMIN_SLOT), ONE);
    assert_eq!(host.vm.get_storage(slot(&admin_key(ADMIN_2))), ONE);
    assert_eq!(host.vm.get_storage(OZ_INITIALIZABLE), ONE);
    assert!(registry.is_admin(ADMIN));
    assert!(registry.is_admin(ADMIN_2));
    assert!(!registry.is_admin(STRANGER));
    // Duplicates are set (and announced) twice; `Initialized(1)` comes last.
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![
            parameter_set(&admin_key(ADMIN), ONE),
            parameter_set(&admin_key(ADMIN_2), ONE),
            parameter_set(&admin_key(ADMIN), ONE),
            log(&Initialized { version: 1 }),
        ]
    );
}

#[test]
fn initialize_twice_reverts_invalid_initialization_before_validation() {
    let (_host, mut registry) = initialized();
    assert_eq!(
        registry.initialize(vec![]),
        Err(InvalidInitialization {}.into())
    );
    assert_eq!(
        registry.initialize(vec![ADMIN_2]),
        Err(InvalidInitialization {}.into())
    );
    assert!(!registry.is_admin(ADMIN_2));
}

#[test]
fn initialize_on_the_bare_implementation_reverts_invalid_initialization() {
    let (host, mut registry) = registry();
    host.vm.set_storage(ERC1967_IMPLEMENTATION, B256::ZERO);
    assert_eq!(
        registry.initialize(vec![ADMIN]),
        Err(InvalidInitialization {}.into())
    );
    assert!(!registry.is_admin(ADMIN));
    assert!(host.vm.get_emitted_logs().is_empty());
}

#[test]
fn initial_state_identity_and_keys() {
    let (_host, registry) = initialized();
    assert_eq!(registry.implementation(), IMPLEMENTATION);
    assert_eq!(SettlementChainParameterRegistry::version(), "1.0.0");
    assert_eq!(
        SettlementChainParameterRegistry::contract_name(),
        "SettlementChainParameterRegistry"
    );
    assert_eq!(
        SettlementChainParameterRegistry::migrator_parameter_key(),
        "xmtp.settlementChainParameterRegistry.migrator"
    );
    assert_eq!(
        SettlementChainParameterRegistry::admin_parameter_key(),
        "xmtp.settlementChainParameterRegistry.isAdmin"
    );
    assert_eq!(
        registry.get_one(admin_key(ADMIN).into()),
        ONE,
        "admin keys are readable like any other"
    );
}

// ---- set(string[],bytes32[]) ----

#[test]
fn set_many_reverts_not_admin_before_any_other_check() {
    let (host, mut registry) = initialized();
    host.vm.set_sender(STRANGER);
    assert_eq!(
        registry.set_many(vec![], vec![B256::ZERO]),
        Err(NotAdmin {}.into())
    );
}

#[test]
fn set_many_reverts_on_no_keys() {
    let (_host, mut registry) = initialized();
    assert_eq!(registry.set_many(vec![], vec![]), Err(NoKeys {}.into()));
}

#[test]
fn set_many_reports_no_keys_before_a_length_mismatch() {
    let (host, mut registry) = initialized();
    assert_eq!(registry.set_many(vec![], vec![ONE]), Err(NoKeys {}.into()));
    assert!(logs_after(&host, INITIALIZATION_LOGS).is_empty());
}

#[test]
fn set_many_reverts_on_array_length_mismatch() {
    let (_host, mut registry) = initialized();
    assert_eq!(
        registry.set_many(vec!["a".into(), "b".into()], vec![ONE]),
        Err(ArrayLengthMismatch {}.into())
    );
    assert_eq!(registry.get_one("a".into()), B256::ZERO);
}

#[test]
fn set_many_stores_and_emits_in_order_last_duplicate_wins() {
    let (host, mut registry) = initialized();
    let keys: Vec<Key> = vec!["k1".into(), "".into(), "k1".into()];
    let values = vec![
        B256::repeat_byte(1),
        B256::repeat_byte(2),
        B256::repeat_byte(3),
    ];
    assert_eq!(registry.set_many(keys, values), Ok(()));
    assert_eq!(host.vm.get_storage(slot("k1")), B256::repeat_byte(3));
    assert_eq!(host.vm.get_storage(slot("")), B256::repeat_byte(2));
    assert_eq!(
        logs_after(&host, INITIALIZATION_LOGS),
        vec![
            parameter_set("k1", B256::repeat_byte(1)),
            parameter_set("", B256::repeat_byte(2)),
            parameter_set("k1", B256::repeat_byte(3)),
        ]
    );
}

#[test]
fn set_many_completes_after_the_admin_revokes_itself_mid_batch() {
    let (_host, mut registry) = initialized();
    assert_eq!(
        registry.set_many(
            vec![admin_key(ADMIN).into(), "after".into()],
            vec![B256::ZERO, ONE]
        ),
        Ok(())
    );
    assert!(!registry.is_admin(ADMIN));
    assert_eq!(registry.get_one("after".into()), ONE);
    assert_eq!(registry.set_one("x".into(), ONE), Err(NotAdmin {}.into()));
}

// ---- set(string,bytes32) ----

#[test]
fn set_one_reverts_not_admin() {
    let (host, mut registry) = initialized();
    host.vm.set_sender(STRANGER);
    assert_eq!(
        registry.set_one("xmtp.settlementChainGateway.paused".into(), ONE),
        Err(NotAdmin {}.into())
    );
    assert!(logs_after(&host, INITIALIZATION_LOGS).is_empty());
}

#[test]
fn set_one_stores_at_the_string_keyed_slot_and_emits_every_time() {
    let (host, mut registry) = initialized();
    let key = "xmtp.settlementChainGateway.paused";
    assert_eq!(registry.set_one(key.into(), ONE), Ok(()));
    assert_eq!(registry.set_one(key.into(), ONE), Ok(()));
    assert_eq!(
        host.vm.get_storage(uint!(
            0x7728d4feb960de88769972537447b19eb55db1b6580ffa10d258bf69d918c7d4_U256
        )),
        ONE
    );
    let logs = logs_after(&host, INITIALIZATION_LOGS);
    assert_eq!(logs, vec![parameter_set(key, ONE), parameter_set(key, ONE)]);
    // The spec's topic for this key, and the data `abi.encode(key, value)`.
    assert_eq!(
        logs[0].0[1],
        b256!("0x91de067d6ba45c497567f1730cebdf7c97c763d8d0cba8fd45527e4b257e0407")
    );
    assert_eq!(logs[0].1, (key.to_string(), ONE).abi_encode_params());
}

#[test]
fn admins_can_add_and_remove_admins_by_key() {
    let (host, mut registry) = initialized();
    assert_eq!(registry.set_one(admin_key(STRANGER).into(), ONE), Ok(()));
    host.vm.set_sender(STRANGER);
    assert_eq!(
        registry.set_one(admin_key(ADMIN).into(), B256::ZERO),
        Ok(())
    );
    assert!(!registry.is_admin(ADMIN));
    host.vm.set_sender(ADMIN);
    assert_eq!(registry.set_one("x".into(), ONE), Err(NotAdmin {}.into()));
}

// ---- isAdmin ----

#[test]
fn is_admin_counts_any_non_zero_value_under_the_lowercase_key_only() {
    let (_host, mut registry) = initialized();
    registry
        .set_one(admin_key(STRANGER).into(), B256::repeat_byte(0x80))
        .unwrap();
    assert!(registry.is_admin(STRANGER));
    // A checksummed (mixed-case) address makes a different, ineffective key.
    let checksummed = format!(
        "xmtp.settlementChainParameterRegistry.isAdmin.{}",
        ADMIN_2.to_checksum(None)
    );
    registry.set_one(checksummed.into(), ONE).unwrap();
    assert!(!registry.is_admin(ADMIN_2));
}

// ---- get ----

#[test]
fn get_many_reverts_on_no_keys() {
    let (_host, registry) = initialized();
    assert_eq!(registry.get_many(vec![]), Err(NoKeys {}.into()));
}

#[test]
fn get_many_returns_values_in_order_zero_when_unset() {
    let (_host, mut registry) = initialized();
    registry
        .set_many(
            vec!["a".into(), "b".into()],
            vec![B256::repeat_byte(0xa), B256::repeat_byte(0xb)],
        )
        .unwrap();
    assert_eq!(
        registry.get_many(vec!["b".into(), "unset".into(), "a".into()]),
        Ok(vec![
            B256::repeat_byte(0xb),
            B256::ZERO,
            B256::repeat_byte(0xa)
        ])
    );
}

#[test]
fn get_one_keys_are_raw_bytes() {
    let (_host, mut registry) = initialized();
    registry.set_one("k".into(), ONE).unwrap();
    assert_eq!(registry.get_one("k".into()), ONE);
    // `string(abi.encode("k"))` is another key.
    let encoded = String::from_utf8("k".abi_encode()).unwrap();
    assert_eq!(registry.get_one(encoded.into()), B256::ZERO);
    assert_eq!(registry.get_one("K".into()), B256::ZERO);
}

// ---- migrate ----

const MIGRATOR_KEY: &str = "xmtp.settlementChainParameterRegistry.migrator";

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
            host.vm.set_sender(ADMIN);
            registry.set_one(MIGRATOR_KEY.into(), word).unwrap();
            host.vm.set_sender(STRANGER);
        },
        SettlementChainParameterRegistry::migrate,
    );
    assert!(host
        .calls()
        .iter()
        .all(|(kind, ..)| *kind == CallKind::Delegate));
}

// ---- routing ----

#[test]
fn every_interface_function_is_routed() {
    for function in IParameterRegistry::abi::functions().values().flatten() {
        let (_host, mut registry) = initialized();
        let selector = u32::from_be_bytes(function.selector().0);
        let routed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            <SettlementChainParameterRegistry as Router<SettlementChainParameterRegistry>>::route(
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
    assert!(
        <SettlementChainParameterRegistry as Router<SettlementChainParameterRegistry>>::route(
            &mut registry,
            0xdead_beef,
            &[]
        )
        .is_none()
    );
}

#[test]
fn overloads_route_by_their_solidity_signatures() {
    let (host, mut registry) = initialized();
    let route = |registry: &mut SettlementChainParameterRegistry, calldata: Vec<u8>| {
        let selector = u32::from_be_bytes(calldata[..4].try_into().unwrap());
        <SettlementChainParameterRegistry as Router<SettlementChainParameterRegistry>>::route(
            registry,
            selector,
            &calldata[4..],
        )
        .unwrap()
    };
    let set_one = IParameterRegistry::set_0Call {
        key_: "a".into(),
        value_: ONE,
    };
    assert_eq!(route(&mut registry, set_one.abi_encode()), Ok(vec![]));
    let set_many = IParameterRegistry::set_1Call {
        keys_: vec!["b".into()],
        values_: vec![B256::repeat_byte(2)],
    };
    assert_eq!(route(&mut registry, set_many.abi_encode()), Ok(vec![]));
    let get_one = IParameterRegistry::get_0Call { key_: "a".into() };
    assert_eq!(route(&mut registry, get_one.abi_encode()), Ok(ONE.to_vec()));
    let get_many = IParameterRegistry::get_1Call {
        keys_: vec!["a".into(), "b".into()],
    };
    assert_eq!(
        route(&mut registry, get_many.abi_encode()),
        Ok(vec![ONE, B256::repeat_byte(2)].abi_encode())
    );
    assert_eq!(logs_after(&host, INITIALIZATION_LOGS).len(), 2);
}

/// Keys are raw bytes, as in Solidity: a key that is not UTF-8 is stored under
/// `keccak256(key ++ root)` and announced with its raw bytes.
#[test]
fn a_key_that_is_not_utf8_is_accepted_as_raw_bytes() {
    let (host, mut registry) = initialized();
    let key = vec![0xff, 0xfe, b'k'];
    let calldata = [
        IParameterRegistry::set_0Call::SELECTOR.as_slice(),
        &(Bytes::from(key.clone()), ONE).abi_encode_params(),
    ]
    .concat();
    let selector = u32::from_be_bytes(calldata[..4].try_into().unwrap());
    let result =
        <SettlementChainParameterRegistry as Router<SettlementChainParameterRegistry>>::route(
            &mut registry,
            selector,
            &calldata[4..],
        );
    assert_eq!(result, Some(Ok(vec![])));
    let preimage = [key.as_slice(), &PARAMETER_REGISTRY.to_be_bytes::<32>()].concat();
    assert_eq!(
        host.vm
            .get_storage(U256::from_be_bytes(keccak256(preimage).0)),
        ONE
    );
    assert_eq!(registry.get_one(Key(key.clone())), ONE);
    assert_eq!(
        logs_after(&host, INITIALIZATION_LOGS),
        vec![(
            vec![ParameterSet::SIGNATURE_HASH, keccak256(&key)],
            (Bytes::from(key), ONE).abi_encode_params()
        )]
    );
}
