//! `Migrator`: moves a proxy from one implementation to another, once.
//!
//! A proxy's `migrate()` delegatecalls this program with empty calldata (reaching the
//! fallback): if the proxy's ERC-1967 slot holds `fromImplementation`, it is rewritten to
//! `toImplementation` and `Upgraded` is emitted from the proxy. Re-running it fails, since the
//! slot no longer matches: that is the replay protection.
//!
//! Difference from the reference: the two addresses are constructor immutables there and
//! wiring here (the build pipeline writes them into the program and refuses zero values, which
//! is where `ZeroFromImplementation()` and `ZeroToImplementation()` are reported).
#![cfg_attr(target_arch = "wasm32", no_std, no_main)]

extern crate alloc;

use alloc::vec::Vec;

use alloy_primitives::Address;
use stylus_sdk::{prelude::*, ArbResult};
use xmtp_abi::{erc1967::Upgraded, migrator::UnexpectedImplementation};
use xmtp_core::storage::{implementation, set_implementation};

xmtp_core::wiring! {
    /// The implementation a proxy must have for this migrator to move it.
    pub fn from_implementation: Address = "fromImplementation";
    /// The implementation the proxy is moved to.
    pub fn to_implementation: Address = "toImplementation";
}

pub use entry::Migrator;

// The SDK's `#[entrypoint]` generates an undocumented public function; a private module keeps it
// out of the crate's public (documented) surface.
mod entry {
    use alloc::{vec, vec::Vec};

    use stylus_sdk::prelude::*;

    /// The program; it has no storage of its own (it works on the proxy's ERC-1967 slot).
    #[storage]
    #[entrypoint]
    pub struct Migrator {}
}

// The SDK's router hands decoded arguments over by value.
#[allow(clippy::needless_pass_by_value)]
#[public]
impl Migrator {
    /// The implementation a proxy must have for this migrator to move it.
    #[selector(name = "fromImplementation")]
    pub fn from_implementation_getter(&self) -> Address {
        from_implementation()
    }

    /// The implementation the proxy is moved to.
    #[selector(name = "toImplementation")]
    pub fn to_implementation_getter(&self) -> Address {
        to_implementation()
    }

    /// Rewrites the executing proxy's implementation slot from `fromImplementation` to
    /// `toImplementation`; reached with empty calldata or any unknown selector.
    #[fallback]
    pub fn migrate(&mut self, _calldata: &[u8]) -> ArbResult {
        if implementation(self.vm()) != from_implementation() {
            return Err(UnexpectedImplementation {}.abi_encode());
        }
        let to = to_implementation();
        set_implementation(self.vm(), to);
        self.vm().log(Upgraded { implementation: to });
        Ok(Vec::new())
    }
}

use alloy_sol_types::SolError as _;

#[cfg(test)]
mod tests;
