//! `Proxy`: forwards every call, by `DELEGATECALL`, to the implementation in its ERC-1967 slot,
//! and returns or reverts with exactly what the implementation returned.
//!
//! As in the reference, the proxy has no functions, no admin and no upgrade path of its own:
//! upgrades happen only through the implementation's `migrate()` rewriting the slot.
//!
//! Difference from the reference: the runtime is a Stylus program whose code is the same for
//! every proxy (so its codehash is activated once per chain), and the constructor is a short
//! EVM init-code prelude ([`creation_code`]) that stores the constructor argument in the slot and
//! returns the Stylus code. The creation code therefore keeps the reference's shape,
//! `creationCode ++ abi.encode(implementation)`.
//!
//! Every call through every proxy runs this program, and Nitro's entry cost grows with a
//! module's size, so it bypasses the SDK (see `xmtp-bare`): one slot load, one delegatecall,
//! no reentrancy guard (the implementation applies its own policy), no storage writes.
#![cfg_attr(target_arch = "wasm32", no_std)]

// The constructor is assembled by tools on the host; the wasm build carries only the runtime.
#[cfg(not(target_arch = "wasm32"))]
extern crate alloc;

#[cfg(not(target_arch = "wasm32"))]
pub mod constructor;

#[cfg(not(target_arch = "wasm32"))]
pub use constructor::creation_code;

#[cfg(not(target_arch = "wasm32"))]
pub mod evm;

#[cfg(target_arch = "wasm32")]
#[no_mangle]
extern "C" fn user_entrypoint(calldata_len: usize) -> usize {
    use xmtp_bare::{heap, hostio, ERC1967_IMPLEMENTATION_SLOT};

    // SAFETY: each hostio reads/writes exactly the buffers and lengths passed to it; the heap
    // region is reserved before it is written.
    unsafe {
        hostio::pay_for_memory_grow(0);
        let mut slot = [0u8; 32];
        hostio::storage_load_bytes32(ERC1967_IMPLEMENTATION_SLOT.as_ptr(), slot.as_mut_ptr());
        heap::reserve(calldata_len);
        let calldata = heap::base();
        hostio::read_args(calldata);
        let mut output_len = 0;
        let status = hostio::delegate_call_contract(
            slot[12..].as_ptr(),
            calldata,
            calldata_len,
            u64::MAX,
            core::ptr::addr_of_mut!(output_len),
        );
        heap::reserve(output_len);
        let output = heap::base();
        hostio::read_return_data(output, 0, output_len);
        hostio::write_result(output, output_len);
        usize::from(status != 0)
    }
}
