use alloy_primitives::{address, fixed_bytes, Address, Bytes, FixedBytes, B256, U256};
use alloy_sol_types::{SolCall, SolEvent, SolValue};
use stylus_sdk::abi::Router;
use xmtp_abi::{
    group_message_broadcaster::{
        ArrayLengthMismatch, EmptyArray, IGroupMessageBroadcaster, InvalidMaxPayloadSize,
        InvalidMinPayloadSize, InvalidPayloadSize, MaxPayloadSizeUpdated, MinPayloadSizeUpdated,
        NoChange, NotPaused, NotPayloadBootstrapper, PauseStatusUpdated, Paused,
        PayloadBootstrapperUpdated, ZeroPayloadBootstrapper,
    },
    migratable::Migrated,
    oz_initializable::{Initialized, InvalidInitialization},
    parameter_registry::IParameterRegistryLike,
    registry_parameters::ParameterOutOfTypeBounds,
};
use xmtp_core::{
    slots::{ERC1967_IMPLEMENTATION, OZ_INITIALIZABLE, PAYLOAD_BROADCASTER},
    testing::{assert_migrate_through_registry, CallKind, MockHost},
    wiring::set_address_for_tests,
    Bubbled,
};

use super::*;

const PROXY: Address = address!("0x00000000000000000000000000000000000b0b00");
const IMPLEMENTATION: Address = address!("0x0000000000000000000000000000000000000f03");
const REGISTRY: Address = address!("0x0000000000000000000000000000000000000e03");
const SENDER: Address = address!("0x0000000000000000000000000000000000000d03");
/// The production bootstrapper.
const BOOTSTRAPPER: Address = address!("0x96d2bdc2A14c1075F86918E2E6385CB85917c569");
const MIGRATOR: Address = address!("0x0000000000000000000000000000000000000c03");
const GROUP: FixedBytes<16> = fixed_bytes!("0x0102030405060708090a0b0c0d0e0f10");

fn broadcaster() -> (MockHost, GroupMessageBroadcaster) {
    let host = MockHost::new();
    host.vm.set_contract_address(PROXY);
    host.vm.set_sender(SENDER);
    host.vm
        .set_storage(ERC1967_IMPLEMENTATION, IMPLEMENTATION.into_word());
    set_address_for_tests("parameterRegistry", REGISTRY);
    let broadcaster = GroupMessageBroadcaster::from(&host);
    (host, broadcaster)
}

/// The root word of `PayloadBroadcasterStorage` as Solidity packs it.
fn root_word(min: u32, max: u32, sequence_id: u64, paused: bool) -> B256 {
    B256::from(
        U256::from(min)
            | U256::from(max) << 32
            | U256::from(sequence_id) << 64
            | U256::from(u8::from(paused)) << 128,
    )
}

fn bootstrapper_slot() -> U256 {
    PAYLOAD_BROADCASTER + U256::from(1)
}

/// A broadcaster whose storage holds the given state, as if set through the update functions.
fn with_state(
    min: u32,
    max: u32,
    sequence_id: u64,
    paused: bool,
    bootstrapper: Address,
) -> (MockHost, GroupMessageBroadcaster) {
    let (host, broadcaster) = broadcaster();
    host.vm.set_storage(
        PAYLOAD_BROADCASTER,
        root_word(min, max, sequence_id, paused),
    );
    host.vm
        .set_storage(bootstrapper_slot(), bootstrapper.into_word());
    (host, broadcaster)
}

fn sequence_id(host: &MockHost) -> u64 {
    xmtp_core::broadcaster::sequence_id(&host.sdk_vm())
}

fn registry_returns(host: &MockHost, key: &str, word: B256) {
    registry_answers(host, key, Ok(word.to_vec()));
}

/// Mocks the registry's `get(key)`: `Ok` output, `Err` revert data.
fn registry_answers(host: &MockHost, key: &str, answer: Result<Vec<u8>, Vec<u8>>) {
    let calldata = IParameterRegistryLike::get_0Call { key_: key.into() }.abi_encode();
    host.mock(CallKind::Static, REGISTRY, calldata, answer);
}

fn uint_word(value: u64) -> B256 {
    B256::from(U256::from(value))
}

fn log(event: &impl SolEvent) -> (Vec<B256>, Vec<u8>) {
    let data = event.encode_log_data();
    (data.topics().to_vec(), data.data.to_vec())
}

fn message_sent(group: FixedBytes<16>, message: &[u8], sequence_id: u64) -> (Vec<B256>, Vec<u8>) {
    log(&MessageSent {
        groupId: group,
        message: Bytes::copy_from_slice(message),
        sequenceId: sequence_id,
    })
}

// ---- initialize, initial state, identity ----

#[test]
fn initialize_sets_only_the_initializer_and_emits_initialized() {
    let (host, mut broadcaster) = broadcaster();
    assert_eq!(broadcaster.initialize(), Ok(()));
    assert_eq!(
        host.vm.get_storage(OZ_INITIALIZABLE),
        B256::with_last_byte(1)
    );
    assert_eq!(host.vm.get_storage(PAYLOAD_BROADCASTER), B256::ZERO);
    assert_eq!(host.vm.get_storage(bootstrapper_slot()), B256::ZERO);
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![log(&Initialized { version: 1 })]
    );
}

#[test]
fn initialize_twice_reverts_invalid_initialization() {
    let (_host, mut broadcaster) = broadcaster();
    broadcaster.initialize().unwrap();
    assert_eq!(
        broadcaster.initialize(),
        Err(InvalidInitialization {}.into())
    );
}

#[test]
fn initialize_on_the_bare_implementation_reverts_invalid_initialization() {
    let (host, mut broadcaster) = broadcaster();
    host.vm.set_storage(ERC1967_IMPLEMENTATION, B256::ZERO);
    assert_eq!(
        broadcaster.initialize(),
        Err(InvalidInitialization {}.into())
    );
    assert!(host.vm.get_emitted_logs().is_empty());
}

#[test]
fn initial_state_admits_only_empty_payloads() {
    let (host, mut broadcaster) = broadcaster();
    broadcaster.initialize().unwrap();
    assert_eq!(broadcaster.min_payload_size(), 0);
    assert_eq!(broadcaster.max_payload_size(), 0);
    assert!(!broadcaster.paused());
    assert_eq!(broadcaster.payload_bootstrapper(), Address::ZERO);
    assert_eq!(sequence_id(&host), 0);
    assert_eq!(
        broadcaster.add_message(GROUP, Bytes::from_static(&[1])),
        Err(InvalidPayloadSize {
            actualSize_: U256::from(1),
            minSize_: U256::ZERO,
            maxSize_: U256::ZERO
        }
        .into())
    );
    assert_eq!(broadcaster.add_message(GROUP, Bytes::new()), Ok(()));
    assert_eq!(sequence_id(&host), 1);
}

#[test]
fn keys_wiring_and_identity() {
    let (_host, broadcaster) = broadcaster();
    assert_eq!(
        GroupMessageBroadcaster::min_payload_size_parameter_key(),
        "xmtp.groupMessageBroadcaster.minPayloadSize"
    );
    assert_eq!(
        GroupMessageBroadcaster::max_payload_size_parameter_key(),
        "xmtp.groupMessageBroadcaster.maxPayloadSize"
    );
    assert_eq!(
        GroupMessageBroadcaster::migrator_parameter_key(),
        "xmtp.groupMessageBroadcaster.migrator"
    );
    assert_eq!(
        GroupMessageBroadcaster::paused_parameter_key(),
        "xmtp.groupMessageBroadcaster.paused"
    );
    assert_eq!(
        GroupMessageBroadcaster::payload_bootstrapper_parameter_key(),
        "xmtp.groupMessageBroadcaster.payloadBootstrapper"
    );
    assert_eq!(broadcaster.parameter_registry_getter(), REGISTRY);
    assert_eq!(broadcaster.implementation(), IMPLEMENTATION);
    assert_eq!(GroupMessageBroadcaster::version(), "1.0.0");
    assert_eq!(
        GroupMessageBroadcaster::contract_name(),
        "GroupMessageBroadcaster"
    );
}

// ---- updateMinPayloadSize ----

#[test]
fn update_min_payload_size_reads_the_registry_first() {
    // Every other check would fail too (max 0); the type bound is reported first.
    let (host, mut broadcaster) = broadcaster();
    registry_returns(&host, MIN_PAYLOAD_SIZE_PARAMETER_KEY, uint_word(1 << 32));
    assert_eq!(
        broadcaster.update_min_payload_size(),
        Err(ParameterOutOfTypeBounds {}.into())
    );
}

#[test]
fn update_min_payload_size_type_bound_is_exactly_uint32() {
    // 2^32 - 1 is a uint32, so it passes the type check and fails the range check instead.
    let (host, mut broadcaster) = with_state(10, 100, 0, false, Address::ZERO);
    registry_returns(
        &host,
        MIN_PAYLOAD_SIZE_PARAMETER_KEY,
        uint_word(u64::from(u32::MAX)),
    );
    assert_eq!(
        broadcaster.update_min_payload_size(),
        Err(InvalidMinPayloadSize {}.into())
    );
    registry_returns(
        &host,
        MAX_PAYLOAD_SIZE_PARAMETER_KEY,
        uint_word(u64::from(u32::MAX) + 1),
    );
    assert_eq!(
        broadcaster.update_max_payload_size(),
        Err(ParameterOutOfTypeBounds {}.into())
    );
}

#[test]
fn update_min_payload_size_passes_a_registry_revert_through() {
    let (host, mut broadcaster) = broadcaster();
    registry_answers(&host, MIN_PAYLOAD_SIZE_PARAMETER_KEY, Err(vec![0xab, 0xcd]));
    assert_eq!(
        broadcaster.update_min_payload_size(),
        Err(Bubbled(vec![0xab, 0xcd]).into())
    );
}

#[test]
fn update_min_payload_size_refuses_zero_and_above_max() {
    let (host, mut broadcaster) = with_state(10, 100, 0, false, Address::ZERO);
    registry_returns(&host, MIN_PAYLOAD_SIZE_PARAMETER_KEY, uint_word(0));
    assert_eq!(
        broadcaster.update_min_payload_size(),
        Err(InvalidMinPayloadSize {}.into())
    );
    registry_returns(&host, MIN_PAYLOAD_SIZE_PARAMETER_KEY, uint_word(101));
    assert_eq!(
        broadcaster.update_min_payload_size(),
        Err(InvalidMinPayloadSize {}.into())
    );
}

/// From the initial 0/0 state a minimum of 0 is both out of range and unchanged: the range is
/// reported.
#[test]
fn update_min_payload_size_checks_the_range_before_no_change() {
    let (host, mut broadcaster) = broadcaster();
    registry_returns(&host, MIN_PAYLOAD_SIZE_PARAMETER_KEY, uint_word(0));
    assert_eq!(
        broadcaster.update_min_payload_size(),
        Err(InvalidMinPayloadSize {}.into())
    );
    // A maximum below a (forced) larger minimum that also equals the stored maximum: the
    // range again.
    let (host, mut broadcaster) = with_state(10, 5, 0, false, Address::ZERO);
    registry_returns(&host, MAX_PAYLOAD_SIZE_PARAMETER_KEY, uint_word(5));
    assert_eq!(
        broadcaster.update_max_payload_size(),
        Err(InvalidMaxPayloadSize {}.into())
    );
    assert!(host.vm.get_emitted_logs().is_empty());
}

#[test]
fn update_min_payload_size_refuses_no_change() {
    let (host, mut broadcaster) = with_state(10, 100, 0, false, Address::ZERO);
    registry_returns(&host, MIN_PAYLOAD_SIZE_PARAMETER_KEY, uint_word(10));
    assert_eq!(
        broadcaster.update_min_payload_size(),
        Err(NoChange {}.into())
    );
}

#[test]
fn update_min_payload_size_stores_packed_and_emits() {
    let (host, mut broadcaster) = with_state(10, 100, 7, true, BOOTSTRAPPER);
    registry_returns(&host, MIN_PAYLOAD_SIZE_PARAMETER_KEY, uint_word(100));
    assert_eq!(broadcaster.update_min_payload_size(), Ok(()));
    assert_eq!(broadcaster.min_payload_size(), 100);
    assert_eq!(
        host.vm.get_storage(PAYLOAD_BROADCASTER),
        root_word(100, 100, 7, true)
    );
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![log(&MinPayloadSizeUpdated {
            size: U256::from(100)
        })]
    );
}

// ---- updateMaxPayloadSize ----

#[test]
fn update_max_payload_size_refuses_out_of_type_values() {
    let (host, mut broadcaster) = broadcaster();
    registry_returns(
        &host,
        MAX_PAYLOAD_SIZE_PARAMETER_KEY,
        B256::repeat_byte(0xff),
    );
    assert_eq!(
        broadcaster.update_max_payload_size(),
        Err(ParameterOutOfTypeBounds {}.into())
    );
}

#[test]
fn update_max_payload_size_refuses_above_the_limit_and_below_min() {
    let (host, mut broadcaster) = with_state(10, 100, 0, false, Address::ZERO);
    registry_returns(&host, MAX_PAYLOAD_SIZE_PARAMETER_KEY, uint_word(262_145));
    assert_eq!(
        broadcaster.update_max_payload_size(),
        Err(InvalidMaxPayloadSize {}.into())
    );
    registry_returns(&host, MAX_PAYLOAD_SIZE_PARAMETER_KEY, uint_word(9));
    assert_eq!(
        broadcaster.update_max_payload_size(),
        Err(InvalidMaxPayloadSize {}.into())
    );
}

#[test]
fn update_max_payload_size_refuses_no_change() {
    let (host, mut broadcaster) = with_state(10, 100, 0, false, Address::ZERO);
    registry_returns(&host, MAX_PAYLOAD_SIZE_PARAMETER_KEY, uint_word(100));
    assert_eq!(
        broadcaster.update_max_payload_size(),
        Err(NoChange {}.into())
    );
}

#[test]
fn update_max_payload_size_accepts_the_limit_stores_packed_and_emits() {
    let (host, mut broadcaster) = with_state(10, 100, u64::MAX, false, Address::ZERO);
    registry_returns(&host, MAX_PAYLOAD_SIZE_PARAMETER_KEY, uint_word(262_144));
    assert_eq!(broadcaster.update_max_payload_size(), Ok(()));
    assert_eq!(broadcaster.max_payload_size(), 262_144);
    assert_eq!(
        host.vm.get_storage(PAYLOAD_BROADCASTER),
        root_word(10, 262_144, u64::MAX, false)
    );
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![log(&MaxPayloadSizeUpdated {
            size: U256::from(262_144)
        })]
    );
}

#[test]
fn sizes_are_set_max_first_from_the_initial_state() {
    let (host, mut broadcaster) = broadcaster();
    broadcaster.initialize().unwrap();
    registry_returns(&host, MIN_PAYLOAD_SIZE_PARAMETER_KEY, uint_word(78));
    registry_returns(&host, MAX_PAYLOAD_SIZE_PARAMETER_KEY, uint_word(262_144));
    assert_eq!(
        broadcaster.update_min_payload_size(),
        Err(InvalidMinPayloadSize {}.into())
    );
    assert_eq!(broadcaster.update_max_payload_size(), Ok(()));
    assert_eq!(broadcaster.update_min_payload_size(), Ok(()));
    assert_eq!(
        host.vm.get_storage(PAYLOAD_BROADCASTER),
        root_word(78, 262_144, 0, false)
    );
}

// ---- updatePauseStatus ----

#[test]
fn update_pause_status_refuses_non_bool_values() {
    let (host, mut broadcaster) = broadcaster();
    registry_returns(&host, PAUSED_PARAMETER_KEY, uint_word(2));
    assert_eq!(
        broadcaster.update_pause_status(),
        Err(ParameterOutOfTypeBounds {}.into())
    );
}

#[test]
fn update_pause_status_refuses_no_change() {
    let (host, mut broadcaster) = broadcaster();
    registry_returns(&host, PAUSED_PARAMETER_KEY, B256::ZERO);
    assert_eq!(broadcaster.update_pause_status(), Err(NoChange {}.into()));
}

#[test]
fn update_pause_status_toggles_byte_16_and_emits() {
    let (host, mut broadcaster) = with_state(1, 2, 3, false, Address::ZERO);
    registry_returns(&host, PAUSED_PARAMETER_KEY, uint_word(1));
    assert_eq!(broadcaster.update_pause_status(), Ok(()));
    assert!(broadcaster.paused());
    assert_eq!(
        host.vm.get_storage(PAYLOAD_BROADCASTER),
        root_word(1, 2, 3, true)
    );
    registry_returns(&host, PAUSED_PARAMETER_KEY, B256::ZERO);
    assert_eq!(broadcaster.update_pause_status(), Ok(()));
    assert!(!broadcaster.paused());
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![
            log(&PauseStatusUpdated { paused: true }),
            log(&PauseStatusUpdated { paused: false })
        ]
    );
}

// ---- updatePayloadBootstrapper ----

#[test]
fn update_payload_bootstrapper_refuses_non_addresses() {
    let (host, mut broadcaster) = broadcaster();
    let mut word = BOOTSTRAPPER.into_word();
    word.0[11] = 1;
    registry_returns(&host, PAYLOAD_BOOTSTRAPPER_PARAMETER_KEY, word);
    assert_eq!(
        broadcaster.update_payload_bootstrapper(),
        Err(ParameterOutOfTypeBounds {}.into())
    );
}

#[test]
fn update_payload_bootstrapper_refuses_zero_then_no_change() {
    let (host, mut broadcaster) = with_state(0, 0, 0, false, BOOTSTRAPPER);
    registry_returns(&host, PAYLOAD_BOOTSTRAPPER_PARAMETER_KEY, B256::ZERO);
    assert_eq!(
        broadcaster.update_payload_bootstrapper(),
        Err(ZeroPayloadBootstrapper {}.into())
    );
    registry_returns(
        &host,
        PAYLOAD_BOOTSTRAPPER_PARAMETER_KEY,
        BOOTSTRAPPER.into_word(),
    );
    assert_eq!(
        broadcaster.update_payload_bootstrapper(),
        Err(NoChange {}.into())
    );
}

/// Unset and read as zero: both zero and unchanged, and zero is reported.
#[test]
fn update_payload_bootstrapper_reports_zero_before_no_change() {
    let (host, mut broadcaster) = broadcaster();
    registry_returns(&host, PAYLOAD_BOOTSTRAPPER_PARAMETER_KEY, B256::ZERO);
    assert_eq!(
        broadcaster.update_payload_bootstrapper(),
        Err(ZeroPayloadBootstrapper {}.into())
    );
    assert!(host.vm.get_emitted_logs().is_empty());
}

#[test]
fn update_payload_bootstrapper_stores_in_the_second_word_and_emits() {
    let (host, mut broadcaster) = with_state(1, 2, 3, true, Address::ZERO);
    registry_returns(
        &host,
        PAYLOAD_BOOTSTRAPPER_PARAMETER_KEY,
        BOOTSTRAPPER.into_word(),
    );
    assert_eq!(broadcaster.update_payload_bootstrapper(), Ok(()));
    assert_eq!(broadcaster.payload_bootstrapper(), BOOTSTRAPPER);
    assert_eq!(
        host.vm.get_storage(bootstrapper_slot()),
        BOOTSTRAPPER.into_word()
    );
    assert_eq!(
        host.vm.get_storage(PAYLOAD_BROADCASTER),
        root_word(1, 2, 3, true)
    );
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![log(&PayloadBootstrapperUpdated {
            payloadBootstrapper: BOOTSTRAPPER
        })]
    );
}

#[test]
fn update_functions_are_open_to_anyone() {
    let (host, mut broadcaster) = broadcaster();
    host.vm
        .set_sender(address!("0x0000000000000000000000000000000000000bad"));
    registry_returns(&host, PAUSED_PARAMETER_KEY, uint_word(1));
    assert_eq!(broadcaster.update_pause_status(), Ok(()));
}

// ---- migrate ----

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
        GroupMessageBroadcaster::migrate,
    );
}

#[test]
fn migrate_reads_the_registry_then_delegatecalls_the_migrator() {
    let (host, mut broadcaster) = broadcaster();
    registry_returns(&host, MIGRATOR_PARAMETER_KEY, MIGRATOR.into_word());
    host.mock(CallKind::Delegate, MIGRATOR, vec![], Ok(vec![]));
    host.vm.set_code(MIGRATOR, vec![0x00]);
    assert_eq!(broadcaster.migrate(), Ok(()));
    let get = IParameterRegistryLike::get_0Call {
        key_: MIGRATOR_PARAMETER_KEY.into(),
    }
    .abi_encode();
    assert_eq!(
        host.calls(),
        vec![
            (CallKind::Static, REGISTRY, get),
            (CallKind::Delegate, MIGRATOR, vec![])
        ]
    );
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![log(&Migrated { migrator: MIGRATOR })]
    );
}

// ---- addMessage ----

#[test]
fn add_message_reverts_when_paused_before_the_size_check() {
    let (_host, mut broadcaster) = with_state(10, 20, 0, true, Address::ZERO);
    assert_eq!(
        broadcaster.add_message(GROUP, Bytes::new()),
        Err(Paused {}.into())
    );
}

#[test]
fn add_message_reverts_outside_the_size_bounds() {
    let (host, mut broadcaster) = with_state(10, 20, 5, false, Address::ZERO);
    for size in [9usize, 21] {
        assert_eq!(
            broadcaster.add_message(GROUP, vec![0; size].into()),
            Err(InvalidPayloadSize {
                actualSize_: U256::from(size),
                minSize_: U256::from(10),
                maxSize_: U256::from(20)
            }
            .into())
        );
    }
    assert_eq!(sequence_id(&host), 5);
    assert!(host.vm.get_emitted_logs().is_empty());
}

#[test]
fn add_message_accepts_min_and_max_and_counts_up() {
    let (host, mut broadcaster) = with_state(10, 20, 5, false, Address::ZERO);
    let (small, large) = (vec![0xaa; 10], vec![0xbb; 20]);
    assert_eq!(broadcaster.add_message(GROUP, small.clone().into()), Ok(()));
    assert_eq!(broadcaster.add_message(GROUP, large.clone().into()), Ok(()));
    assert_eq!(sequence_id(&host), 7);
    assert_eq!(
        host.vm.get_storage(PAYLOAD_BROADCASTER),
        root_word(10, 20, 7, false)
    );
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![
            message_sent(GROUP, &small, 6),
            message_sent(GROUP, &large, 7)
        ]
    );
}

#[test]
fn message_sent_topics_are_the_left_aligned_group_and_the_sequence_id() {
    let (host, mut broadcaster) = with_state(1, 10, 0x0102, false, Address::ZERO);
    broadcaster
        .add_message(GROUP, Bytes::from_static(b"hi"))
        .unwrap();
    let (topics, data) = host.vm.get_emitted_logs().remove(0);
    assert_eq!(
        topics[0],
        alloy_primitives::b256!(
            "0xe69329a8fa6c24860e47ba6211a332cf49c3e692bdbcc4bf5500d724bf9ccd05"
        )
    );
    assert_eq!(topics[1], B256::right_padding_from(GROUP.as_slice()));
    assert_eq!(topics[2], B256::from(U256::from(0x0103)));
    assert_eq!(data, (Bytes::from_static(b"hi"),).abi_encode_params());
}

#[test]
fn add_message_wraps_the_sequence_id() {
    let (host, mut broadcaster) = with_state(1, 10, u64::MAX, false, Address::ZERO);
    assert_eq!(broadcaster.add_message(GROUP, vec![1].into()), Ok(()));
    assert_eq!(sequence_id(&host), 0);
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![message_sent(GROUP, &[1], 0)]
    );
}

#[test]
fn add_message_succeeds_iff_the_size_is_within_bounds() {
    for (min, max) in [(1u32, 1u32), (3, 7), (78, 80)] {
        for size in 0..=(max as usize + 2) {
            let (_host, mut broadcaster) = with_state(min, max, 0, false, Address::ZERO);
            let accepted = broadcaster.add_message(GROUP, vec![0; size].into()).is_ok();
            assert_eq!(
                accepted,
                (min as usize..=max as usize).contains(&size),
                "{min} {max} {size}"
            );
        }
    }
}

// ---- bootstrapMessages ----

fn groups(n: u8) -> Vec<FixedBytes<16>> {
    (0..n).map(|i| FixedBytes::repeat_byte(i + 1)).collect()
}

#[test]
fn bootstrap_messages_reverts_when_not_paused() {
    let (host, mut broadcaster) = with_state(1, 1, 0, false, BOOTSTRAPPER);
    host.vm.set_sender(BOOTSTRAPPER);
    assert_eq!(
        broadcaster.bootstrap_messages(groups(1), vec![Bytes::new()], vec![1]),
        Err(NotPaused {}.into())
    );
}

#[test]
fn bootstrap_messages_reverts_for_anyone_but_the_bootstrapper() {
    let (_host, mut broadcaster) = with_state(1, 1, 0, true, BOOTSTRAPPER);
    assert_eq!(
        broadcaster.bootstrap_messages(vec![], vec![], vec![]),
        Err(NotPayloadBootstrapper {}.into())
    );
    // Unset, nobody is the bootstrapper.
    let (_host, mut broadcaster) = with_state(1, 1, 0, true, Address::ZERO);
    assert_eq!(
        broadcaster.bootstrap_messages(groups(1), vec![Bytes::new()], vec![1]),
        Err(NotPayloadBootstrapper {}.into())
    );
}

#[test]
fn bootstrap_messages_reverts_on_length_mismatches_then_empty_arrays() {
    let (host, mut broadcaster) = with_state(1, 1, 0, true, BOOTSTRAPPER);
    host.vm.set_sender(BOOTSTRAPPER);
    assert_eq!(
        broadcaster.bootstrap_messages(groups(2), vec![Bytes::new()], vec![1, 2]),
        Err(ArrayLengthMismatch {}.into())
    );
    assert_eq!(
        broadcaster.bootstrap_messages(groups(1), vec![Bytes::new()], vec![]),
        Err(ArrayLengthMismatch {}.into())
    );
    assert_eq!(
        broadcaster.bootstrap_messages(vec![], vec![], vec![]),
        Err(EmptyArray {}.into())
    );
}

#[test]
fn bootstrap_messages_emits_the_given_ids_unchecked_and_keeps_the_maximum() {
    let (host, mut broadcaster) = with_state(1, 1, 10, true, BOOTSTRAPPER);
    host.vm.set_sender(BOOTSTRAPPER);
    // Sizes outside the bounds, ids out of order and repeated: all accepted.
    let messages: Vec<Bytes> = vec![vec![].into(), vec![1, 2, 3].into(), vec![4; 300].into()];
    assert_eq!(
        broadcaster.bootstrap_messages(groups(3), messages.clone(), vec![42, 7, 42]),
        Ok(())
    );
    assert_eq!(sequence_id(&host), 42);
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![
            message_sent(groups(3)[0], &messages[0], 42),
            message_sent(groups(3)[1], &messages[1], 7),
            message_sent(groups(3)[2], &messages[2], 42),
        ]
    );
    // Lower ids never move the sequence id back.
    assert_eq!(
        broadcaster.bootstrap_messages(groups(1), vec![Bytes::new()], vec![3]),
        Ok(())
    );
    assert_eq!(sequence_id(&host), 42);
    assert_eq!(
        host.vm.get_storage(PAYLOAD_BROADCASTER),
        root_word(1, 1, 42, true)
    );
}

// ---- routing ----

#[test]
fn every_interface_function_is_routed() {
    for function in IGroupMessageBroadcaster::abi::functions()
        .values()
        .flatten()
    {
        let (_host, mut broadcaster) = broadcaster();
        let selector = u32::from_be_bytes(function.selector().0);
        // A routed function runs; one that reaches an unmocked call panics, which is routed too.
        let routed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            <GroupMessageBroadcaster as Router<GroupMessageBroadcaster>>::route(
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
    let add = IGroupMessageBroadcaster::addMessageCall {
        groupId_: GROUP,
        message_: Bytes::from_static(b"m"),
    }
    .abi_encode();
    assert_eq!(
        <GroupMessageBroadcaster as Router<GroupMessageBroadcaster>>::route(
            &mut broadcaster,
            u32::from_be_bytes(add[..4].try_into().unwrap()),
            &add[4..],
        ),
        Some(Ok(vec![]))
    );
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![message_sent(GROUP, b"m", 1)]
    );
    assert!(
        <GroupMessageBroadcaster as Router<GroupMessageBroadcaster>>::route(
            &mut broadcaster,
            0xdead_beef,
            &[]
        )
        .is_none()
    );
}
