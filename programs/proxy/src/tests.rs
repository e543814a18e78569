use alloy_primitives::{address, Address, B256};
use alloy_sol_types::SolError;
use stylus_sdk::host::VM;
use xmtp_abi::proxy::ZeroImplementation;
use xmtp_core::{
    slots::ERC1967_IMPLEMENTATION,
    testing::{CallKind, MockHost},
};

use super::*;

const IMPLEMENTATION: Address = address!("0x00000000000000000000000000000000000000a1");

fn proxy_with_implementation() -> (MockHost, VM) {
    let host = MockHost::new();
    host.vm
        .set_storage(ERC1967_IMPLEMENTATION, IMPLEMENTATION.into_word());
    let vm = host.sdk_vm();
    (host, vm)
}

#[test]
fn forward_delegates_calldata_and_returns_the_output() {
    let (host, vm) = proxy_with_implementation();
    host.mock(
        CallKind::Delegate,
        IMPLEMENTATION,
        vec![1, 2, 3, 4],
        Ok(vec![9; 40]),
    );
    assert_eq!(forward(&vm, &[1, 2, 3, 4]), (true, vec![9; 40]));
}

#[test]
fn forward_passes_revert_data_through_unchanged() {
    let (host, vm) = proxy_with_implementation();
    let revert_data = ZeroImplementation {}.abi_encode();
    host.mock(
        CallKind::Delegate,
        IMPLEMENTATION,
        vec![0xde, 0xad],
        Err(revert_data.clone()),
    );
    assert_eq!(forward(&vm, &[0xde, 0xad]), (false, revert_data));
}

#[test]
fn forward_sends_empty_calldata_too() {
    let (host, vm) = proxy_with_implementation();
    host.mock(CallKind::Delegate, IMPLEMENTATION, vec![], Ok(vec![]));
    assert_eq!(forward(&vm, &[]), (true, vec![]));
}

#[test]
fn creation_code_is_prelude_then_runtime() {
    let runtime = [0xef, 0xf0, 0x00, 0x00, 0x1b, 0x2c];
    let code = creation_code(&runtime);
    assert_eq!(code.len(), constructor::PRELUDE_LEN + runtime.len());
    assert_eq!(code[constructor::PRELUDE_LEN..], runtime);
    // The argument is read from just past the runtime: PUSH1 0x20, PUSH2 <offset>.
    let offset = u16::try_from(constructor::PRELUDE_LEN + runtime.len()).unwrap();
    assert_eq!(code[4..7], [0x60, 0x20, 0x61]);
    assert_eq!(code[7..9], offset.to_be_bytes());
    // The slot written is ERC-1967's.
    let slot_at = code.iter().position(|op| *op == 0x7f).unwrap();
    assert_eq!(
        B256::from_slice(&code[slot_at + 1..slot_at + 33]),
        B256::from(ERC1967_IMPLEMENTATION)
    );
    // The zero-argument path reverts with `ZeroImplementation()`.
    let selector = code
        .windows(4)
        .position(|window| window == ZeroImplementation::SELECTOR)
        .unwrap();
    assert_eq!(
        code[selector - 2],
        0x5b,
        "JUMPDEST, PUSH4 before the selector"
    );
}
