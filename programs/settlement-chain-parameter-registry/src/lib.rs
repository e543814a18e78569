//! `SettlementChainParameterRegistry`: the settlement chain's source of truth for every protocol
//! parameter, a string-keyed store of `bytes32` values written by its admins (admin membership
//! being itself a key), read by every settlement contract and bridged to the app chains.
//!
//! The behaviour is the shared registry core's ([`xmtp_core::registry`]); this program fixes its
//! keys and identity. Differences from the reference (see `DEVIATIONS.md`):
//! - The bare implementation refuses `initialize` because it has no ERC-1967 implementation,
//!   where the reference disables initializers in its constructor (same outcome).
#![cfg_attr(target_arch = "wasm32", no_std, no_main)]

extern crate alloc;

use stylus_sdk::prelude::*;

xmtp_core::registry_program! {
    program: SettlementChainParameterRegistry,
    error: SettlementChainParameterRegistryError,
    namespace: "settlementChainParameterRegistry",
}

#[cfg(test)]
mod tests;
