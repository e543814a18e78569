use alloy_primitives::{address, Address, Bytes, B256};
use alloy_sol_types::SolCall;
use xmtp_abi::initializable::IInitializable;
use xmtp_core::{
    slots::ERC1967_IMPLEMENTATION,
    testing::{CallKind, MockHost},
};

use super::*;

const PROXY: Address = address!("0x00000000000000000000000000000000000000b0");
const IMPLEMENTATION: Address = address!("0x0000000000000000000000000000000000000b01");
const INITIALIZE: [u8; 4] = [0x81, 0x29, 0xfc, 0x1c];

/// The Initializable running in a fresh proxy's context (delegatecalled from it).
fn through_proxy() -> (MockHost, Initializable) {
    let host = MockHost::new();
    host.vm.set_contract_address(PROXY);
    let program = Initializable::from(&host);
    (host, program)
}

fn slot(host: &MockHost) -> B256 {
    host.vm.get_storage(ERC1967_IMPLEMENTATION)
}

#[test]
fn zero_implementation_reverts_before_anything_changes() {
    let (host, mut program) = through_proxy();
    assert_eq!(
        program.initialize(Address::ZERO, Bytes::new()),
        Err(ZeroImplementation {}.into())
    );
    assert_eq!(slot(&host), B256::ZERO);
    assert!(host.calls().is_empty());
}

#[test]
fn empty_initialize_data_only_sets_the_slot() {
    let (host, mut program) = through_proxy();
    assert_eq!(program.initialize(IMPLEMENTATION, Bytes::new()), Ok(()));
    assert_eq!(slot(&host), IMPLEMENTATION.into_word());
    assert!(host.calls().is_empty(), "no initializer runs");
    assert!(host.vm.get_emitted_logs().is_empty());
}

#[test]
fn initialize_data_is_delegatecalled_after_the_slot_is_set() {
    let (host, mut program) = through_proxy();
    host.vm.set_code(IMPLEMENTATION, vec![0xef, 0xf0, 0x00]);
    host.mock(CallKind::Delegate, IMPLEMENTATION, INITIALIZE, Ok(vec![]));
    assert_eq!(
        program.initialize(IMPLEMENTATION, INITIALIZE.into()),
        Ok(())
    );
    assert_eq!(slot(&host), IMPLEMENTATION.into_word());
    assert_eq!(
        host.calls(),
        vec![(CallKind::Delegate, IMPLEMENTATION, INITIALIZE.to_vec())]
    );
}

#[test]
fn an_initializer_revert_is_wrapped_in_initialization_failed() {
    let (host, mut program) = through_proxy();
    host.mock(
        CallKind::Delegate,
        IMPLEMENTATION,
        INITIALIZE,
        Err(vec![0xf9, 0x2e, 0xe8, 0xa9]),
    );
    assert_eq!(
        program.initialize(IMPLEMENTATION, INITIALIZE.into()),
        Err(InitializationFailed {
            errorData: vec![0xf9, 0x2e, 0xe8, 0xa9].into()
        }
        .into())
    );
}

#[test]
fn success_without_output_at_a_codeless_address_is_empty_code() {
    let (host, mut program) = through_proxy();
    host.mock(CallKind::Delegate, IMPLEMENTATION, INITIALIZE, Ok(vec![]));
    assert_eq!(
        program.initialize(IMPLEMENTATION, INITIALIZE.into()),
        Err(EmptyCode {
            implementation: IMPLEMENTATION
        }
        .into())
    );
}

#[test]
fn output_from_a_codeless_address_is_accepted() {
    let (host, mut program) = through_proxy();
    host.mock(CallKind::Delegate, IMPLEMENTATION, INITIALIZE, Ok(vec![1]));
    assert_eq!(
        program.initialize(IMPLEMENTATION, INITIALIZE.into()),
        Ok(())
    );
}

#[test]
fn initialize_is_routed_under_its_reference_selector() {
    use stylus_sdk::abi::Router;
    let (host, mut program) = through_proxy();
    let calldata = IInitializable::initializeCall {
        implementation_: IMPLEMENTATION,
        initializeCallData_: Bytes::new(),
    }
    .abi_encode();
    let routed =
        <Initializable as Router<Initializable>>::route(&mut program, 0xd1f5_7894, &calldata[4..]);
    assert_eq!(routed, Some(Ok(vec![])));
    assert_eq!(slot(&host), IMPLEMENTATION.into_word());
}
