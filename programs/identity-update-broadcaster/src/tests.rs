//! The broadcaster core's behaviour is pinned in depth by the group-message broadcaster's tests;
//! these pin this program's keys, event, identity and error mapping, every function through its
//! own interface.

use alloy_primitives::{address, b256, Address, Bytes, B256, U256};
use alloy_sol_types::{SolCall, SolEvent, SolValue};
use stylus_sdk::abi::Router;
use xmtp_abi::{
    identity_update_broadcaster::{
        ArrayLengthMismatch, EmptyArray, IIdentityUpdateBroadcaster, InvalidMaxPayloadSize,
        InvalidMinPayloadSize, InvalidPayloadSize, MaxPayloadSizeUpdated, MinPayloadSizeUpdated,
        NoChange, NotPaused, NotPayloadBootstrapper, PauseStatusUpdated, Paused,
        PayloadBootstrapperUpdated, ZeroPayloadBootstrapper,
    },
    oz_initializable::{Initialized, InvalidInitialization},
    parameter_registry::IParameterRegistryLike,
    registry_parameters::ParameterOutOfTypeBounds,
};
use xmtp_core::{
    slots::{ERC1967_IMPLEMENTATION, PAYLOAD_BROADCASTER},
    testing::{assert_migrate_through_registry, CallKind, MockHost},
    wiring::set_address_for_tests,
    Bubbled,
};

use super::*;

const PROXY: Address = address!("0x00000000000000000000000000000000000b0b01");
const IMPLEMENTATION: Address = address!("0x0000000000000000000000000000000000000f04");
const REGISTRY: Address = address!("0x0000000000000000000000000000000000000e04");
const SENDER: Address = address!("0x0000000000000000000000000000000000000d04");
const BOOTSTRAPPER: Address = address!("0x96d2bdc2A14c1075F86918E2E6385CB85917c569");
const MIGRATOR: Address = address!("0x0000000000000000000000000000000000000c04");
const INBOX: B256 = b256!("0x00000000000000000000000000000000000000000000000000000000000001b0");

fn broadcaster() -> (MockHost, IdentityUpdateBroadcaster) {
    let host = MockHost::new();
    host.vm.set_contract_address(PROXY);
    host.vm.set_sender(SENDER);
    host.vm
        .set_storage(ERC1967_IMPLEMENTATION, IMPLEMENTATION.into_word());
    set_address_for_tests("parameterRegistry", REGISTRY);
    let broadcaster = IdentityUpdateBroadcaster::from(&host);
    (host, broadcaster)
}

fn root_word(min: u32, max: u32, sequence_id: u64, paused: bool) -> B256 {
    B256::from(
        U256::from(min)
            | U256::from(max) << 32
            | U256::from(sequence_id) << 64
            | U256::from(u8::from(paused)) << 128,
    )
}

fn with_state(
    min: u32,
    max: u32,
    sequence_id: u64,
    paused: bool,
    bootstrapper: Address,
) -> (MockHost, IdentityUpdateBroadcaster) {
    let (host, broadcaster) = broadcaster();
    host.vm.set_storage(
        PAYLOAD_BROADCASTER,
        root_word(min, max, sequence_id, paused),
    );
    host.vm.set_storage(
        PAYLOAD_BROADCASTER + U256::from(1),
        bootstrapper.into_word(),
    );
    (host, broadcaster)
}

fn registry_returns(host: &MockHost, key: &str, word: B256) {
    registry_answers(host, key, Ok(word.to_vec()));
}

/// Mocks the registry's `get(key)`: `Ok` output, `Err` revert data.
fn registry_answers(host: &MockHost, key: &str, answer: Result<Vec<u8>, Vec<u8>>) {
    let calldata = IParameterRegistryLike::get_0Call { key_: key.into() }.abi_encode();
    host.mock(CallKind::Static, REGISTRY, calldata, answer);
}

fn log(event: &impl SolEvent) -> (Vec<B256>, Vec<u8>) {
    let data = event.encode_log_data();
    (data.topics().to_vec(), data.data.to_vec())
}

fn created(inbox: B256, update: &[u8], sequence_id: u64) -> (Vec<B256>, Vec<u8>) {
    log(&IdentityUpdateCreated {
        inboxId: inbox,
        update: Bytes::copy_from_slice(update),
        sequenceId: sequence_id,
    })
}

#[test]
fn keys_wiring_and_identity() {
    let (_host, broadcaster) = broadcaster();
    assert_eq!(
        IdentityUpdateBroadcaster::min_payload_size_parameter_key(),
        "xmtp.identityUpdateBroadcaster.minPayloadSize"
    );
    assert_eq!(
        IdentityUpdateBroadcaster::max_payload_size_parameter_key(),
        "xmtp.identityUpdateBroadcaster.maxPayloadSize"
    );
    assert_eq!(
        IdentityUpdateBroadcaster::migrator_parameter_key(),
        "xmtp.identityUpdateBroadcaster.migrator"
    );
    assert_eq!(
        IdentityUpdateBroadcaster::paused_parameter_key(),
        "xmtp.identityUpdateBroadcaster.paused"
    );
    assert_eq!(
        IdentityUpdateBroadcaster::payload_bootstrapper_parameter_key(),
        "xmtp.identityUpdateBroadcaster.payloadBootstrapper"
    );
    assert_eq!(broadcaster.parameter_registry_getter(), REGISTRY);
    assert_eq!(broadcaster.implementation(), IMPLEMENTATION);
    assert_eq!(IdentityUpdateBroadcaster::version(), "1.0.0");
    assert_eq!(
        IdentityUpdateBroadcaster::contract_name(),
        "IdentityUpdateBroadcaster"
    );
}

#[test]
fn initialize_once_then_invalid_initialization() {
    let (host, mut broadcaster) = broadcaster();
    assert_eq!(broadcaster.initialize(), Ok(()));
    assert_eq!(
        broadcaster.initialize(),
        Err(InvalidInitialization {}.into())
    );
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![log(&Initialized { version: 1 })]
    );
    let (host, mut bare) = self::broadcaster();
    host.vm.set_storage(ERC1967_IMPLEMENTATION, B256::ZERO);
    assert_eq!(bare.initialize(), Err(InvalidInitialization {}.into()));
}

#[test]
fn updates_pull_this_broadcasters_keys() {
    let (host, mut broadcaster) = broadcaster();
    registry_returns(
        &host,
        MAX_PAYLOAD_SIZE_PARAMETER_KEY,
        B256::from(U256::from(262_144)),
    );
    registry_returns(
        &host,
        MIN_PAYLOAD_SIZE_PARAMETER_KEY,
        B256::from(U256::from(78)),
    );
    registry_returns(&host, PAUSED_PARAMETER_KEY, B256::with_last_byte(1));
    registry_returns(
        &host,
        PAYLOAD_BOOTSTRAPPER_PARAMETER_KEY,
        BOOTSTRAPPER.into_word(),
    );
    assert_eq!(broadcaster.update_max_payload_size(), Ok(()));
    assert_eq!(broadcaster.update_min_payload_size(), Ok(()));
    assert_eq!(broadcaster.update_pause_status(), Ok(()));
    assert_eq!(broadcaster.update_payload_bootstrapper(), Ok(()));
    assert_eq!(
        (
            broadcaster.min_payload_size(),
            broadcaster.max_payload_size(),
            broadcaster.paused(),
            broadcaster.payload_bootstrapper()
        ),
        (78, 262_144, true, BOOTSTRAPPER)
    );
    assert_eq!(
        host.vm.get_storage(PAYLOAD_BROADCASTER),
        root_word(78, 262_144, 0, true)
    );
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![
            log(&MaxPayloadSizeUpdated {
                size: U256::from(262_144)
            }),
            log(&MinPayloadSizeUpdated {
                size: U256::from(78)
            }),
            log(&PauseStatusUpdated { paused: true }),
            log(&PayloadBootstrapperUpdated {
                payloadBootstrapper: BOOTSTRAPPER
            }),
        ]
    );
    // Each again: no change.
    assert_eq!(
        broadcaster.update_max_payload_size(),
        Err(NoChange {}.into())
    );
    assert_eq!(
        broadcaster.update_min_payload_size(),
        Err(NoChange {}.into())
    );
    assert_eq!(broadcaster.update_pause_status(), Err(NoChange {}.into()));
    assert_eq!(
        broadcaster.update_payload_bootstrapper(),
        Err(NoChange {}.into())
    );
}

#[test]
fn update_refusals_map_to_this_programs_errors() {
    let (host, mut broadcaster) = with_state(10, 100, 0, false, Address::ZERO);
    registry_returns(&host, MIN_PAYLOAD_SIZE_PARAMETER_KEY, B256::ZERO);
    assert_eq!(
        broadcaster.update_min_payload_size(),
        Err(InvalidMinPayloadSize {}.into())
    );
    registry_returns(
        &host,
        MAX_PAYLOAD_SIZE_PARAMETER_KEY,
        B256::from(U256::from(262_145)),
    );
    assert_eq!(
        broadcaster.update_max_payload_size(),
        Err(InvalidMaxPayloadSize {}.into())
    );
    registry_returns(&host, PAUSED_PARAMETER_KEY, B256::with_last_byte(2));
    assert_eq!(
        broadcaster.update_pause_status(),
        Err(ParameterOutOfTypeBounds {}.into())
    );
    registry_returns(&host, PAYLOAD_BOOTSTRAPPER_PARAMETER_KEY, B256::ZERO);
    assert_eq!(
        broadcaster.update_payload_bootstrapper(),
        Err(ZeroPayloadBootstrapper {}.into())
    );
    registry_answers(&host, PAUSED_PARAMETER_KEY, Err(vec![0x42]));
    assert_eq!(
        broadcaster.update_pause_status(),
        Err(Bubbled(vec![0x42]).into())
    );
}

/// The registry's answer, then every `Migratable` outcome (zero, out of bounds, failing,
/// codeless, migrating), with exact revert data.
#[test]
fn migrate_follows_the_migratable_sequence() {
    let (host, mut broadcaster) = broadcaster();
    assert_migrate_through_registry(
        &host,
        &mut broadcaster,
        MIGRATOR,
        |answer| registry_answers(&host, MIGRATOR_PARAMETER_KEY, answer),
        IdentityUpdateBroadcaster::migrate,
    );
}

#[test]
fn add_identity_update_checks_pause_then_size() {
    let (_host, mut broadcaster) = with_state(2, 3, 0, true, Address::ZERO);
    assert_eq!(
        broadcaster.add_identity_update(INBOX, Bytes::new()),
        Err(Paused {}.into())
    );
    let (_host, mut broadcaster) = with_state(2, 3, 0, false, Address::ZERO);
    assert_eq!(
        broadcaster.add_identity_update(INBOX, vec![0; 4].into()),
        Err(InvalidPayloadSize {
            actualSize_: U256::from(4),
            minSize_: U256::from(2),
            maxSize_: U256::from(3)
        }
        .into())
    );
}

#[test]
fn add_identity_update_emits_with_the_next_sequence_id() {
    let (host, mut broadcaster) = with_state(2, 3, 41, false, Address::ZERO);
    assert_eq!(
        broadcaster.add_identity_update(INBOX, Bytes::from_static(b"id")),
        Ok(())
    );
    assert_eq!(
        host.vm.get_storage(PAYLOAD_BROADCASTER),
        root_word(2, 3, 42, false)
    );
    let logs = host.vm.get_emitted_logs();
    assert_eq!(logs, vec![created(INBOX, b"id", 42)]);
    assert_eq!(
        logs[0].0[0],
        b256!("0xc1a40f292090ec0435e939cdfe248e0322a88566679a90a50c4e9e5ef762dbd5")
    );
    assert_eq!(logs[0].0[1], INBOX);
    assert_eq!(logs[0].1, (Bytes::from_static(b"id"),).abi_encode_params());
}

#[test]
fn bootstrap_identity_updates_checks_in_order() {
    let (host, mut broadcaster) = with_state(1, 1, 0, false, BOOTSTRAPPER);
    host.vm.set_sender(BOOTSTRAPPER);
    assert_eq!(
        broadcaster.bootstrap_identity_updates(vec![], vec![], vec![]),
        Err(NotPaused {}.into())
    );
    let (host, mut broadcaster) = with_state(1, 1, 0, true, BOOTSTRAPPER);
    assert_eq!(
        broadcaster.bootstrap_identity_updates(vec![], vec![], vec![]),
        Err(NotPayloadBootstrapper {}.into())
    );
    host.vm.set_sender(BOOTSTRAPPER);
    assert_eq!(
        broadcaster.bootstrap_identity_updates(vec![INBOX], vec![], vec![1]),
        Err(ArrayLengthMismatch {}.into())
    );
    assert_eq!(
        broadcaster.bootstrap_identity_updates(vec![], vec![], vec![]),
        Err(EmptyArray {}.into())
    );
}

#[test]
fn bootstrap_identity_updates_emits_given_ids_and_keeps_the_maximum() {
    let (host, mut broadcaster) = with_state(1, 1, 5, true, BOOTSTRAPPER);
    host.vm.set_sender(BOOTSTRAPPER);
    let other = B256::repeat_byte(7);
    assert_eq!(
        broadcaster.bootstrap_identity_updates(
            vec![INBOX, other],
            vec![vec![1; 9].into(), Bytes::new()],
            vec![9, 2]
        ),
        Ok(())
    );
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![created(INBOX, &[1; 9], 9), created(other, &[], 2)]
    );
    assert_eq!(
        host.vm.get_storage(PAYLOAD_BROADCASTER),
        root_word(1, 1, 9, true)
    );
}

#[test]
fn every_interface_function_is_routed() {
    for function in IIdentityUpdateBroadcaster::abi::functions()
        .values()
        .flatten()
    {
        let (_host, mut broadcaster) = broadcaster();
        let selector = u32::from_be_bytes(function.selector().0);
        let routed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            <IdentityUpdateBroadcaster as Router<IdentityUpdateBroadcaster>>::route(
                &mut broadcaster,
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
    let (host, mut broadcaster) = with_state(1, 10, 0, false, Address::ZERO);
    let add = IIdentityUpdateBroadcaster::addIdentityUpdateCall {
        inboxId_: INBOX,
        identityUpdate_: Bytes::from_static(b"u"),
    }
    .abi_encode();
    assert_eq!(
        <IdentityUpdateBroadcaster as Router<IdentityUpdateBroadcaster>>::route(
            &mut broadcaster,
            u32::from_be_bytes(add[..4].try_into().unwrap()),
            &add[4..],
        ),
        Some(Ok(vec![]))
    );
    assert_eq!(host.vm.get_emitted_logs(), vec![created(INBOX, b"u", 1)]);
    assert!(
        <IdentityUpdateBroadcaster as Router<IdentityUpdateBroadcaster>>::route(
            &mut broadcaster,
            0xdead_beef,
            &[]
        )
        .is_none()
    );
}
