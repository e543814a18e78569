use alloy_primitives::{address, keccak256, Address, Bytes, B256, U256};
use alloy_sol_types::{Panic, PanicKind, SolCall, SolError, SolEvent, SolValue};
use stylus_sdk::abi::Router;
use xmtp_abi::{
    app_chain_external::{IArbSysLike, ISettlementChainGatewayLike, ARB_SYS},
    app_chain_gateway::{
        DepositReceived, IAppChainGateway, NoChange, NotSettlementChainGateway, ParametersReceived,
        PauseStatusUpdated, Paused, TransferFailed, Withdrawal, ZeroRecipient,
        ZeroWithdrawalAmount,
    },
    oz_initializable::{Initialized, InvalidInitialization},
    parameter_registry::IParameterRegistryLike,
    registry_parameters::ParameterOutOfTypeBounds,
};
use xmtp_core::{
    slots::{APP_CHAIN_GATEWAY, ERC1967_IMPLEMENTATION, OZ_INITIALIZABLE},
    testing::{assert_migrate_through_registry, CallKind, MockHost},
    wiring::set_address_for_tests,
};

use super::*;

const GATEWAY_PROXY: Address = address!("0x00000000000000000000000000000000000ac600");
const GATEWAY_IMPLEMENTATION: Address = address!("0x0000000000000000000000000000000000000f01");
const REGISTRY: Address = address!("0x0000000000000000000000000000000000000e01");
/// The settlement gateway of the testnets, whose alias is a published vector (spec §13.2).
const SETTLEMENT_GATEWAY: Address = address!("0xB64D5bF62F30512Bd130C0D7c80DB7ac1e6801a3");
const SETTLEMENT_GATEWAY_ALIAS: Address = address!("0xc75e5bf62f30512bd130c0d7c80db7ac1e6812b4");
const CALLER: Address = address!("0x0000000000000000000000000000000000000d01");
const RECIPIENT: Address = address!("0x0000000000000000000000000000000000000d02");
const MIGRATOR: Address = address!("0x0000000000000000000000000000000000000c01");

/// An initialized gateway proxy, called by `CALLER`.
fn gateway() -> (MockHost, AppChainGateway) {
    let host = MockHost::new();
    host.vm.set_contract_address(GATEWAY_PROXY);
    host.vm.set_sender(CALLER);
    host.vm
        .set_storage(ERC1967_IMPLEMENTATION, GATEWAY_IMPLEMENTATION.into_word());
    host.vm.set_code(REGISTRY, vec![0xef, 0xf0, 0x00]);
    set_address_for_tests("parameterRegistry", REGISTRY);
    set_address_for_tests("settlementChainGateway", SETTLEMENT_GATEWAY);
    let gateway = AppChainGateway::from(&host);
    (host, gateway)
}

fn log(event: &impl SolEvent) -> (Vec<B256>, Vec<u8>) {
    let data = event.encode_log_data();
    (data.topics().to_vec(), data.data.to_vec())
}

fn word(value: u64) -> Vec<u8> {
    U256::from(value).to_be_bytes::<32>().to_vec()
}

fn pause(host: &MockHost) {
    host.vm
        .set_storage(APP_CHAIN_GATEWAY, B256::with_last_byte(1));
}

fn mock_registry_get(host: &MockHost, key: &str, value: Result<Vec<u8>, Vec<u8>>) {
    let calldata = IParameterRegistryLike::get_0Call { key_: key.into() }.abi_encode();
    host.mock(CallKind::Static, REGISTRY, calldata, value);
}

fn registry_set(key: &str, value: B256) -> Vec<u8> {
    IParameterRegistryLike::setCall {
        key_: key.into(),
        value_: value,
    }
    .abi_encode()
}

/// Solidity's `mapping(string => uint256)` entry at root + 1: `keccak256(bytes(key) ++ slot)`.
fn key_nonce_slot(key: impl AsRef<[u8]>) -> U256 {
    let slot = APP_CHAIN_GATEWAY + U256::from(1);
    U256::from_be_bytes(keccak256([key.as_ref(), &slot.to_be_bytes::<32>()].concat()).0)
}

fn key_nonce(host: &MockHost, key: impl AsRef<[u8]>) -> U256 {
    U256::from_be_bytes(host.vm.get_storage(key_nonce_slot(key)).0)
}

fn strings(keys: &[&str]) -> Vec<String> {
    keys.iter().map(|key| (*key).to_owned()).collect()
}

// ---- layout ----

#[test]
fn key_nonce_slots_match_the_reference_vector() {
    assert_eq!(
        key_nonce_slot("xmtp.groupMessageBroadcaster.paused"),
        U256::from_be_bytes(
            alloy_primitives::b256!(
                "0x6476429202e52929ced45a13b88c774855f22b78a450874e460968ef492ed1d4"
            )
            .0
        )
    );
}

// ---- initialize ----

#[test]
fn initialize_marks_the_proxy_initialized() {
    let (host, mut gateway) = gateway();
    assert_eq!(gateway.initialize(), Ok(()));
    assert_eq!(
        host.vm.get_storage(OZ_INITIALIZABLE),
        B256::with_last_byte(1)
    );
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![log(&Initialized { version: 1 })]
    );
    assert_eq!(gateway.initialize(), Err(InvalidInitialization {}.into()));
}

#[test]
fn initialize_on_the_bare_implementation_reverts() {
    let (host, mut gateway) = gateway();
    host.vm.set_storage(ERC1967_IMPLEMENTATION, B256::ZERO);
    assert_eq!(gateway.initialize(), Err(InvalidInitialization {}.into()));
    assert!(host.vm.get_emitted_logs().is_empty());
}

// ---- withdraw / withdrawIntoUnderlying ----

fn send_tx_to_l1(data: Vec<u8>) -> Vec<u8> {
    IArbSysLike::sendTxToL1Call {
        destination_: SETTLEMENT_GATEWAY,
        data_: data.into(),
    }
    .abi_encode()
}

fn receive_withdrawal() -> Vec<u8> {
    ISettlementChainGatewayLike::receiveWithdrawalCall {
        recipient_: RECIPIENT,
    }
    .abi_encode()
}

fn receive_withdrawal_into_underlying() -> Vec<u8> {
    ISettlementChainGatewayLike::receiveWithdrawalIntoUnderlyingCall {
        recipient_: RECIPIENT,
    }
    .abi_encode()
}

#[test]
fn withdraw_sends_the_value_to_the_settlement_gateway_through_arb_sys() {
    let (host, mut gateway) = gateway();
    let value = U256::from(5_000_000_000_000_000_000u128);
    host.vm.set_value(value);
    let data = receive_withdrawal();
    assert_eq!(data.len(), 36);
    assert_eq!(data[..4], [0x57, 0x3b, 0x82, 0x99]);
    host.mock(
        CallKind::Call(value),
        ARB_SYS,
        send_tx_to_l1(data.clone()),
        Ok(word(42)),
    );
    assert_eq!(gateway.withdraw(RECIPIENT), Ok(()));
    assert_eq!(
        host.calls(),
        vec![(CallKind::Call(value), ARB_SYS, send_tx_to_l1(data))]
    );
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![log(&Withdrawal {
            messageId: U256::from(42),
            recipient: RECIPIENT,
            amount: value
        })]
    );
}

#[test]
fn withdraw_into_underlying_targets_receive_withdrawal_into_underlying() {
    let (host, mut gateway) = gateway();
    let value = U256::from(7);
    host.vm.set_value(value);
    let data = receive_withdrawal_into_underlying();
    assert_eq!(data[..4], [0xa0, 0xf9, 0x4c, 0x84]);
    host.mock(
        CallKind::Call(value),
        ARB_SYS,
        send_tx_to_l1(data.clone()),
        Ok(word(43)),
    );
    assert_eq!(gateway.withdraw_into_underlying(RECIPIENT), Ok(()));
    assert_eq!(
        host.calls(),
        vec![(CallKind::Call(value), ARB_SYS, send_tx_to_l1(data))]
    );
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![log(&Withdrawal {
            messageId: U256::from(43),
            recipient: RECIPIENT,
            amount: value
        })]
    );
}

#[test]
fn withdrawals_revert_when_paused_before_any_other_check() {
    let (host, mut gateway) = gateway();
    pause(&host);
    assert_eq!(gateway.withdraw(Address::ZERO), Err(Paused {}.into()));
    assert_eq!(
        gateway.withdraw_into_underlying(Address::ZERO),
        Err(Paused {}.into())
    );
    assert!(host.calls().is_empty());
}

#[test]
fn withdrawals_revert_on_zero_recipient_before_zero_value() {
    let (host, mut gateway) = gateway();
    assert_eq!(
        gateway.withdraw(Address::ZERO),
        Err(ZeroRecipient {}.into())
    );
    assert_eq!(
        gateway.withdraw_into_underlying(Address::ZERO),
        Err(ZeroRecipient {}.into())
    );
    assert!(host.calls().is_empty());
}

#[test]
fn withdrawals_revert_on_zero_value() {
    let (host, mut gateway) = gateway();
    assert_eq!(
        gateway.withdraw(RECIPIENT),
        Err(ZeroWithdrawalAmount {}.into())
    );
    assert_eq!(
        gateway.withdraw_into_underlying(RECIPIENT),
        Err(ZeroWithdrawalAmount {}.into())
    );
    assert!(host.calls().is_empty());
}

#[test]
fn withdraw_passes_an_arb_sys_revert_through_without_an_event() {
    let (host, mut gateway) = gateway();
    host.vm.set_value(U256::from(1));
    host.mock(
        CallKind::Call(U256::from(1)),
        ARB_SYS,
        send_tx_to_l1(receive_withdrawal()),
        Err(vec![0xab, 0xcd]),
    );
    assert_eq!(
        gateway.withdraw(RECIPIENT),
        Err(Bubbled(vec![0xab, 0xcd]).into())
    );
    assert!(host.vm.get_emitted_logs().is_empty());
}

#[test]
fn withdraw_reverts_empty_when_arb_sys_returns_no_message_id() {
    let (host, mut gateway) = gateway();
    host.vm.set_value(U256::from(1));
    host.mock(
        CallKind::Call(U256::from(1)),
        ARB_SYS,
        send_tx_to_l1(receive_withdrawal()),
        Ok(vec![]),
    );
    assert_eq!(gateway.withdraw(RECIPIENT), Err(Bubbled(vec![]).into()));
}

// ---- receiveDeposit ----

#[test]
fn receive_deposit_emits_then_forwards_the_value() {
    let (host, mut gateway) = gateway();
    let value = U256::from(2_899_900_000_000_000_000u128);
    host.vm.set_value(value);
    host.mock(CallKind::Call(value), RECIPIENT, vec![], Ok(vec![]));
    assert_eq!(gateway.receive_deposit(RECIPIENT), Ok(()));
    assert_eq!(
        host.calls(),
        vec![(CallKind::Call(value), RECIPIENT, vec![])]
    );
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![log(&DepositReceived {
            recipient: RECIPIENT,
            amount: value
        })]
    );
}

#[test]
fn receive_deposit_is_open_and_not_pause_gated_and_takes_zero_value_and_recipient() {
    let (host, mut gateway) = gateway();
    pause(&host);
    host.mock(
        CallKind::Call(U256::ZERO),
        Address::ZERO,
        vec![],
        Ok(vec![]),
    );
    assert_eq!(gateway.receive_deposit(Address::ZERO), Ok(()));
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![log(&DepositReceived {
            recipient: Address::ZERO,
            amount: U256::ZERO
        })]
    );
}

#[test]
fn receive_deposit_reverts_transfer_failed_when_the_recipient_refuses() {
    let (host, mut gateway) = gateway();
    host.vm.set_value(U256::from(9));
    host.mock(
        CallKind::Call(U256::from(9)),
        RECIPIENT,
        vec![],
        Err(vec![0x01]),
    );
    assert_eq!(
        gateway.receive_deposit(RECIPIENT),
        Err(TransferFailed {}.into())
    );
}

// ---- receiveParameters ----

#[test]
fn receive_parameters_refuses_anyone_but_the_alias() {
    for sender in [CALLER, SETTLEMENT_GATEWAY] {
        let (host, mut gateway) = gateway();
        host.vm.set_sender(sender);
        assert_eq!(
            gateway.receive_parameters(U256::from(1), strings(&["a"]), vec![B256::ZERO]),
            Err(NotSettlementChainGateway {}.into())
        );
        assert!(host.vm.get_emitted_logs().is_empty());
        assert!(host.calls().is_empty());
    }
}

#[test]
fn receive_parameters_emits_then_writes_every_newer_key_in_order() {
    let (host, mut gateway) = gateway();
    host.vm.set_sender(SETTLEMENT_GATEWAY_ALIAS);
    let keys = ["xmtp.groupMessageBroadcaster.paused", "xmtp.k2"];
    let values = vec![B256::with_last_byte(1), B256::repeat_byte(0x22)];
    let set_a = registry_set(keys[0], values[0]);
    let set_b = registry_set(keys[1], values[1]);
    host.mock(
        CallKind::Call(U256::ZERO),
        REGISTRY,
        set_a.clone(),
        Ok(vec![]),
    );
    host.mock(
        CallKind::Call(U256::ZERO),
        REGISTRY,
        set_b.clone(),
        Ok(vec![]),
    );
    assert_eq!(
        gateway.receive_parameters(U256::from(3), strings(&keys), values),
        Ok(())
    );
    assert_eq!(
        host.calls(),
        vec![
            (CallKind::Call(U256::ZERO), REGISTRY, set_a),
            (CallKind::Call(U256::ZERO), REGISTRY, set_b),
        ]
    );
    assert_eq!(key_nonce(&host, keys[0]), U256::from(3));
    assert_eq!(key_nonce(&host, keys[1]), U256::from(3));
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![log(&ParametersReceived {
            nonce: U256::from(3),
            keys: strings(&keys)
        })]
    );
}

#[test]
fn receive_parameters_skips_keys_with_equal_or_newer_nonces_but_lists_them() {
    let (host, mut gateway) = gateway();
    host.vm.set_sender(SETTLEMENT_GATEWAY_ALIAS);
    host.vm
        .set_storage(key_nonce_slot("equal"), B256::from(U256::from(5)));
    host.vm
        .set_storage(key_nonce_slot("newer"), B256::from(U256::from(6)));
    host.vm
        .set_storage(key_nonce_slot("older"), B256::from(U256::from(4)));
    let set_older = registry_set("older", B256::repeat_byte(3));
    host.mock(
        CallKind::Call(U256::ZERO),
        REGISTRY,
        set_older.clone(),
        Ok(vec![]),
    );
    let keys = strings(&["equal", "newer", "older"]);
    let values = vec![
        B256::repeat_byte(1),
        B256::repeat_byte(2),
        B256::repeat_byte(3),
    ];
    assert_eq!(
        gateway.receive_parameters(U256::from(5), keys.clone(), values),
        Ok(())
    );
    assert_eq!(
        host.calls(),
        vec![(CallKind::Call(U256::ZERO), REGISTRY, set_older)]
    );
    assert_eq!(key_nonce(&host, "equal"), U256::from(5));
    assert_eq!(key_nonce(&host, "newer"), U256::from(6));
    assert_eq!(key_nonce(&host, "older"), U256::from(5));
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![log(&ParametersReceived {
            nonce: U256::from(5),
            keys
        })]
    );
}

#[test]
fn receive_parameters_with_nonce_zero_applies_nothing() {
    let (host, mut gateway) = gateway();
    host.vm.set_sender(SETTLEMENT_GATEWAY_ALIAS);
    assert_eq!(
        gateway.receive_parameters(U256::ZERO, strings(&["a"]), vec![]),
        Ok(())
    );
    assert!(host.calls().is_empty());
    assert_eq!(host.vm.get_emitted_logs().len(), 1);
}

#[test]
fn receive_parameters_replayed_is_a_no_op_that_still_emits() {
    let (host, mut gateway) = gateway();
    host.vm.set_sender(SETTLEMENT_GATEWAY_ALIAS);
    let set = registry_set("a", B256::repeat_byte(1));
    host.mock(CallKind::Call(U256::ZERO), REGISTRY, set, Ok(vec![]));
    let keys = strings(&["a"]);
    let values = vec![B256::repeat_byte(1)];
    gateway
        .receive_parameters(U256::from(2), keys.clone(), values.clone())
        .unwrap();
    gateway
        .receive_parameters(U256::from(2), keys.clone(), values)
        .unwrap();
    assert_eq!(host.calls().len(), 1);
    let received = log(&ParametersReceived {
        nonce: U256::from(2),
        keys,
    });
    assert_eq!(host.vm.get_emitted_logs(), vec![received.clone(), received]);
}

#[test]
fn receive_parameters_applies_the_same_key_twice_in_one_call_only_once() {
    let (host, mut gateway) = gateway();
    host.vm.set_sender(SETTLEMENT_GATEWAY_ALIAS);
    let first = registry_set("a", B256::repeat_byte(1));
    host.mock(
        CallKind::Call(U256::ZERO),
        REGISTRY,
        first.clone(),
        Ok(vec![]),
    );
    assert_eq!(
        gateway.receive_parameters(
            U256::from(1),
            strings(&["a", "a"]),
            vec![B256::repeat_byte(1), B256::repeat_byte(2)]
        ),
        Ok(())
    );
    assert_eq!(
        host.calls(),
        vec![(CallKind::Call(U256::ZERO), REGISTRY, first)]
    );
}

#[test]
fn receive_parameters_panics_0x32_when_an_applied_key_has_no_value() {
    let (host, mut gateway) = gateway();
    host.vm.set_sender(SETTLEMENT_GATEWAY_ALIAS);
    let set = registry_set("a", B256::repeat_byte(1));
    host.mock(CallKind::Call(U256::ZERO), REGISTRY, set, Ok(vec![]));
    let result = gateway.receive_parameters(
        U256::from(1),
        strings(&["a", "b"]),
        vec![B256::repeat_byte(1)],
    );
    assert_eq!(result, Err(Panic::from(PanicKind::ArrayOutOfBounds).into()));
    let encoded: Vec<u8> = result.unwrap_err().into();
    assert_eq!(
        encoded,
        [&[0x4e, 0x48, 0x7b, 0x71][..], &word(0x32)].concat()
    );
}

#[test]
fn receive_parameters_ignores_extra_values_and_missing_values_of_skipped_keys() {
    let (host, mut gateway) = gateway();
    host.vm.set_sender(SETTLEMENT_GATEWAY_ALIAS);
    host.vm
        .set_storage(key_nonce_slot("b"), B256::from(U256::from(9)));
    let set = registry_set("a", B256::repeat_byte(1));
    host.mock(CallKind::Call(U256::ZERO), REGISTRY, set, Ok(vec![]));
    assert_eq!(
        gateway.receive_parameters(
            U256::from(1),
            strings(&["a", "b"]),
            vec![B256::repeat_byte(1)]
        ),
        Ok(())
    );
    let set = registry_set("c", B256::repeat_byte(7));
    host.mock(CallKind::Call(U256::ZERO), REGISTRY, set, Ok(vec![]));
    assert_eq!(
        gateway.receive_parameters(
            U256::from(2),
            strings(&["c"]),
            vec![B256::repeat_byte(7), B256::repeat_byte(8)]
        ),
        Ok(())
    );
}

#[test]
fn receive_parameters_passes_a_registry_revert_through() {
    let (host, mut gateway) = gateway();
    host.vm.set_sender(SETTLEMENT_GATEWAY_ALIAS);
    let set = registry_set("a", B256::repeat_byte(1));
    let not_admin = xmtp_abi::parameter_registry::NotAdmin {}.abi_encode();
    host.mock(
        CallKind::Call(U256::ZERO),
        REGISTRY,
        set,
        Err(not_admin.clone()),
    );
    assert_eq!(
        gateway.receive_parameters(U256::from(1), strings(&["a"]), vec![B256::repeat_byte(1)]),
        Err(Bubbled(not_admin).into())
    );
}

#[test]
fn receive_parameters_reverts_empty_when_the_registry_has_no_code() {
    let (host, mut gateway) = gateway();
    host.vm.set_sender(SETTLEMENT_GATEWAY_ALIAS);
    host.vm.set_code(REGISTRY, vec![]);
    assert_eq!(
        gateway.receive_parameters(U256::from(1), strings(&["a"]), vec![B256::repeat_byte(1)]),
        Err(Bubbled(vec![]).into())
    );
    assert!(host.calls().is_empty());
}

#[test]
fn receive_parameters_is_not_pause_gated() {
    let (host, mut gateway) = gateway();
    pause(&host);
    host.vm.set_sender(SETTLEMENT_GATEWAY_ALIAS);
    assert_eq!(
        gateway.receive_parameters(U256::from(1), vec![], vec![]),
        Ok(())
    );
}

// ---- updatePauseStatus ----

#[test]
fn update_pause_status_copies_the_registry_value() {
    let (host, mut gateway) = gateway();
    mock_registry_get(&host, "xmtp.appChainGateway.paused", Ok(word(1)));
    assert_eq!(gateway.update_pause_status(), Ok(()));
    assert!(gateway.paused());
    assert_eq!(
        host.vm.get_storage(APP_CHAIN_GATEWAY),
        B256::with_last_byte(1)
    );
    mock_registry_get(&host, "xmtp.appChainGateway.paused", Ok(word(0)));
    assert_eq!(gateway.update_pause_status(), Ok(()));
    assert!(!gateway.paused());
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![
            log(&PauseStatusUpdated { paused: true }),
            log(&PauseStatusUpdated { paused: false })
        ]
    );
}

#[test]
fn update_pause_status_reverts_no_change() {
    let (host, mut gateway) = gateway();
    mock_registry_get(&host, "xmtp.appChainGateway.paused", Ok(word(0)));
    assert_eq!(gateway.update_pause_status(), Err(NoChange {}.into()));
}

#[test]
fn update_pause_status_reverts_out_of_type_bounds() {
    let (host, mut gateway) = gateway();
    mock_registry_get(&host, "xmtp.appChainGateway.paused", Ok(word(2)));
    assert_eq!(
        gateway.update_pause_status(),
        Err(ParameterOutOfTypeBounds {}.into())
    );
}

// ---- migrate ----

/// The registry's answer, then every `Migratable` outcome (zero, out of bounds, failing,
/// codeless, migrating) with exact revert data, and none of it pause-gated.
#[test]
fn migrate_follows_the_migratable_sequence_paused_or_not() {
    for paused in [false, true] {
        let (host, mut gateway) = gateway();
        if paused {
            pause(&host);
        }
        assert_migrate_through_registry(
            &host,
            &mut gateway,
            MIGRATOR,
            |answer| mock_registry_get(&host, "xmtp.appChainGateway.migrator", answer),
            AppChainGateway::migrate,
        );
        assert_eq!(gateway.paused(), paused);
    }
}

/// `updatePauseStatus` and `migrate` pass the registry's revert through unchanged, and a
/// registry that returns no word reverts with empty data; nothing is stored or emitted.
#[test]
fn registry_refusals_pass_through_update_pause_status_and_migrate() {
    let (host, mut gateway) = gateway();
    for (answer, expected) in [
        (Err(vec![0xab, 0xcd]), vec![0xab, 0xcd]),
        (Ok(vec![]), vec![]),
    ] {
        for key in [
            "xmtp.appChainGateway.paused",
            "xmtp.appChainGateway.migrator",
        ] {
            mock_registry_get(&host, key, answer.clone());
        }
        let refused = Err(Bubbled(expected).into());
        assert_eq!(gateway.update_pause_status(), refused);
        assert_eq!(gateway.migrate(), refused);
    }
    assert!(!gateway.paused());
    assert!(host.vm.get_emitted_logs().is_empty());
}

// ---- views ----

#[test]
fn views_report_keys_state_wiring_and_identity() {
    let (host, gateway) = gateway();
    assert_eq!(
        AppChainGateway::migrator_parameter_key(),
        "xmtp.appChainGateway.migrator"
    );
    assert_eq!(
        AppChainGateway::paused_parameter_key(),
        "xmtp.appChainGateway.paused"
    );
    assert!(!gateway.paused());
    pause(&host);
    assert!(gateway.paused());
    assert_eq!(gateway.parameter_registry_getter(), REGISTRY);
    assert_eq!(
        gateway.settlement_chain_gateway_getter(),
        SETTLEMENT_GATEWAY
    );
    assert_eq!(
        gateway.settlement_chain_gateway_alias(),
        SETTLEMENT_GATEWAY_ALIAS
    );
    assert_eq!(gateway.implementation(), GATEWAY_IMPLEMENTATION);
    assert_eq!(AppChainGateway::version(), "1.0.0");
    assert_eq!(AppChainGateway::contract_name(), "AppChainGateway");
}

#[test]
fn every_interface_function_is_routed() {
    use stylus_sdk::abi::Router;
    for function in xmtp_abi::app_chain_gateway::IAppChainGateway::abi::functions()
        .values()
        .flatten()
    {
        let (_host, mut gateway) = gateway();
        let selector = u32::from_be_bytes(function.selector().0);
        // A routed function runs; one that reaches an unmocked call panics, which is routed too.
        let routed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            <AppChainGateway as Router<AppChainGateway>>::route(&mut gateway, selector, &[])
                .is_some()
        }));
        assert!(
            routed.unwrap_or(true),
            "{} is not routed",
            function.signature()
        );
    }
    let (_host, mut gateway) = gateway();
    assert!(
        <AppChainGateway as Router<AppChainGateway>>::route(&mut gateway, 0xdead_beef, &[])
            .is_none()
    );
}

/// `receiveParameters` calldata with raw `keys_` (a `string[]` encodes as a `bytes[]` does).
fn receive_parameters_calldata(nonce: u64, keys: &[&'static [u8]], values: &[B256]) -> Vec<u8> {
    let keys: Vec<Bytes> = keys.iter().map(|key| Bytes::from_static(key)).collect();
    let mut calldata = IAppChainGateway::receiveParametersCall::SELECTOR.to_vec();
    calldata.extend((U256::from(nonce), keys, values.to_vec()).abi_encode_params());
    calldata
}

fn route(gateway: &mut AppChainGateway, calldata: &[u8]) -> Option<Result<Vec<u8>, Vec<u8>>> {
    let selector = u32::from_be_bytes(calldata[..4].try_into().unwrap());
    <AppChainGateway as Router<AppChainGateway>>::route(gateway, selector, &calldata[4..])
}

/// DEVIATIONS row 12: the SDK router decodes `keys_` as Rust `String`s, so a key that is not
/// valid UTF-8 is refused with empty revert data before the function runs (no event, no registry
/// call, no nonce written), where Solidity would accept the bytes. The same calldata with a valid
/// key goes through the router.
#[test]
fn receive_parameters_refuses_a_key_that_is_not_utf8_with_empty_revert_data() {
    let (host, mut gateway) = gateway();
    host.vm.set_sender(SETTLEMENT_GATEWAY_ALIAS);
    let value = B256::repeat_byte(0x22);
    assert_eq!(
        route(
            &mut gateway,
            &receive_parameters_calldata(3, &[b"xmtp.k\xff"], &[value])
        ),
        Some(Err(vec![]))
    );
    assert_eq!(host.calls(), vec![]);
    assert_eq!(host.vm.get_emitted_logs(), vec![]);
    assert_eq!(key_nonce(&host, b"xmtp.k\xff"), U256::ZERO);
    assert_eq!(key_nonce(&host, "xmtp.k\u{fffd}"), U256::ZERO);

    let set = registry_set("xmtp.k", value);
    host.mock(
        CallKind::Call(U256::ZERO),
        REGISTRY,
        set.clone(),
        Ok(vec![]),
    );
    assert_eq!(
        route(
            &mut gateway,
            &receive_parameters_calldata(3, &[b"xmtp.k"], &[value])
        ),
        Some(Ok(vec![]))
    );
    assert_eq!(
        host.calls(),
        vec![(CallKind::Call(U256::ZERO), REGISTRY, set)]
    );
    assert_eq!(key_nonce(&host, "xmtp.k"), U256::from(3));
}
