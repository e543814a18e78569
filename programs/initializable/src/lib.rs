//! `Initializable` (the XMTP one): the first implementation of every Factory-made proxy.
//!
//! The Factory CREATE2s a proxy whose constructor argument is this program, then calls
//! `initialize(implementation, data)` on it in the same call: through the proxy, this program
//! points the proxy's ERC-1967 slot at the real implementation and runs that implementation's
//! initializer in the proxy's storage. It has no guard of its own: after a successful call the
//! proxy no longer points here. Behaviour is the reference's, check for check.
#![cfg_attr(target_arch = "wasm32", no_std, no_main)]

extern crate alloc;

use alloc::vec::Vec;

use alloy_primitives::{Address, Bytes};
use stylus_sdk::{call::RawCall, prelude::*};
use xmtp_abi::initializable::{EmptyCode, InitializationFailed, ZeroImplementation};
use xmtp_core::storage::set_implementation;

/// The errors `initialize` reverts with.
#[derive(SolidityError, Debug, PartialEq)]
pub enum InitializableError {
    /// The implementation is the zero address.
    ZeroImplementation(ZeroImplementation),
    /// The implementation's initializer reverted; carries its revert data.
    InitializationFailed(InitializationFailed),
    /// The initializer "succeeded" with no output at an address without code.
    EmptyCode(EmptyCode),
}

pub use entry::Initializable;

// The SDK's `#[entrypoint]` generates an undocumented public function; a private module keeps it
// out of the crate's public (documented) surface.
mod entry {
    use alloc::{vec, vec::Vec};

    use stylus_sdk::prelude::*;

    /// The program; it has no storage of its own (it writes only the proxy's ERC-1967 slot).
    #[storage]
    #[entrypoint]
    pub struct Initializable {}
}

// The SDK's router hands decoded arguments over by value.
#[allow(clippy::needless_pass_by_value)]
#[public]
impl Initializable {
    /// Points the executing proxy at `implementation_` and, unless `initialize_call_data_` is
    /// empty, delegatecalls it with that data.
    pub fn initialize(
        &mut self,
        implementation_: Address,
        initialize_call_data_: Bytes,
    ) -> Result<(), InitializableError> {
        if implementation_.is_zero() {
            return Err(ZeroImplementation {}.into());
        }
        set_implementation(self.vm(), implementation_);
        if initialize_call_data_.is_empty() {
            return Ok(());
        }
        // SAFETY: the initializer runs in the proxy's storage by design; the cache is flushed
        // (the slot write) and cleared (the initializer writes storage) around the call.
        let result = unsafe {
            RawCall::new_delegate(self.vm())
                .clear_storage_cache()
                .call(implementation_, &initialize_call_data_)
        };
        match result {
            Err(error_data) => Err(InitializationFailed {
                errorData: error_data.into(),
            }
            .into()),
            Ok(output) if output.is_empty() && self.vm().code_size(implementation_) == 0 => {
                Err(EmptyCode {
                    implementation: implementation_,
                }
                .into())
            }
            Ok(_) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests;
