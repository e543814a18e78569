//! `Proxy`: forwards every call, by `DELEGATECALL`, to the implementation in its ERC-1967 slot.
//!
//! As in the reference, the proxy has no functions, no admin and no upgrade path of its own:
//! upgrades happen only through the implementation's `migrate()` rewriting the slot.
//!
//! Difference from the reference: the runtime is a Stylus program whose code is the same for
//! every proxy (so its codehash is activated once per chain), and the constructor is a short
//! EVM init-code prelude ([`creation_code`]) that stores the constructor argument in the slot
//! and returns the Stylus code. The creation code therefore has the reference's shape,
//! `creationCode ++ abi.encode(implementation)`, and a proxy's CREATE2 address depends only on
//! the factory, the caller's salt and that argument.
//!
//! The runtime deliberately bypasses the SDK's router: no selector dispatch, no reentrancy
//! guard (the implementation applies its own), no storage writes, so each call through the
//! proxy pays only a slot load and the delegatecall on top of Stylus's entry cost.
#![cfg_attr(target_arch = "wasm32", no_std, no_main)]

extern crate alloc;

pub mod constructor;

use alloc::vec::Vec;

pub use constructor::creation_code;
use stylus_sdk::{call::RawCall, host::VM};

/// Delegates `calldata` to the implementation; returns whether it succeeded and its output,
/// which the proxy returns or reverts with unchanged.
pub fn forward(vm: &VM, calldata: &[u8]) -> (bool, Vec<u8>) {
    let implementation = xmtp_core::storage::implementation(vm);
    // SAFETY: the implementation runs in our storage by design; the proxy holds no cached
    // storage of its own across the call (it only read the slot, and writes nothing).
    match unsafe { RawCall::new_delegate(vm).call(implementation, calldata) } {
        Ok(output) => (true, output),
        Err(output) => (false, output),
    }
}

#[cfg(target_arch = "wasm32")]
#[no_mangle]
extern "C" fn user_entrypoint(len: usize) -> usize {
    use stylus_sdk::{
        host::WasmVM,
        stylus_core::host::{CalldataAccess, MemoryAccess},
    };

    let vm = VM { host: WasmVM {} };
    // Keeps the `pay_for_memory_grow` import Nitro requires of a module whose memory can grow.
    vm.pay_for_memory_grow(0);
    let calldata = vm.read_args(len);
    let (success, output) = forward(&vm, &calldata);
    vm.write_result(&output);
    usize::from(!success)
}

#[cfg(test)]
mod tests;
