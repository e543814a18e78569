//! Per-frame gas profiles: entry cost, ink per hostio (with what the EVM charged to serve it),
//! callees, and the WASM's own execution as the rest.

mod common;

use common::{chain, program, HEADER, INK_PRICE, OWNER};
use xmtp_devnet::Tx;

/// Reads a 32-byte key from calldata, loads that slot, returns its value.
const LOAD: &str = r#"(module
  (import "vm_hooks" "read_args" (func $read_args (param i32)))
  (import "vm_hooks" "write_result" (func $write_result (param i32 i32)))
  (import "vm_hooks" "storage_load_bytes32" (func $sload (param i32 i32)))
  (memory (export "memory") 1 1)
  (func (export "user_entrypoint") (param $len i32) (result i32)
    (call $read_args (i32.const 0))
    (call $sload (i32.const 0) (i32.const 32))
    (call $write_result (i32.const 32) (i32.const 32))
    (i32.const 0)))"#;

#[test]
fn a_frame_profile_splits_entry_hostios_and_wasm() {
    let mut chain = chain();
    let load = program(&mut chain, LOAD);
    chain.set_profiling(true);
    let receipt = chain.send(&Tx::call(OWNER, load, vec![0x11; 32])).unwrap();
    assert!(receipt.status, "{receipt:?}");
    let profile = chain.profile().to_vec();
    assert_eq!(profile.len(), 1);
    let frame = &profile[0];
    assert_eq!((frame.address, frame.cached), (load, false));
    assert_eq!(frame.ink_price, 10_000);
    assert_eq!(
        frame.hostio_ink,
        vec![
            // HOSTIO + write_price(32).
            ("read_args", 8_400 + 5_040),
            // HOSTIO + 2 PTR in the hostio, then what serving it cost: the EVM API call
            // (59,673 ink, charged in whole gas) and the cold SLOAD.
            (
                "storage_load_bytes32",
                8_400 + 2 * 5_040 + (5 + 2_100) * INK_PRICE
            ),
            // HOSTIO + read_price(32) twice.
            ("write_result", 8_400 + 2 * 16_381),
        ]
    );
    assert_eq!(frame.callee_gas, 0);
    // The frame is the whole execution: receipt gas less intrinsic gas and 32 non-zero bytes.
    assert_eq!(frame.gas, receipt.gas_used - 21_000 - 32 * 16);
    assert!(frame.entry_gas > 0);
    assert_eq!(
        frame.entry_gas + frame.hostio_gas() + frame.wasm_gas(),
        frame.gas
    );
    // The WASM itself: a few blocks and calls, far less than a cold SLOAD.
    assert!(frame.wasm_gas() > 0 && frame.wasm_gas() * INK_PRICE < 20 * HEADER + 4 * 3_800 * 10);

    // Profiling changes no gas, and off means no profile.
    chain.set_profiling(false);
    let again = chain.send(&Tx::call(OWNER, load, vec![0x11; 32])).unwrap();
    assert!(chain.profile().is_empty());
    chain.set_profiling(true);
    let profiled = chain.send(&Tx::call(OWNER, load, vec![0x11; 32])).unwrap();
    assert_eq!(profiled.gas_used, again.gas_used);
    assert_eq!(chain.profile().len(), 1);
}
