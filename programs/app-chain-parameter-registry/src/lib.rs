//! `AppChainParameterRegistry`: an app chain's string-keyed store of `bytes32` parameters, read
//! by the app-chain contracts. Its only admin in a deployment is the `AppChainGateway` proxy,
//! so it is written by parameters bridged from the settlement chain (which may also bridge
//! `xmtp.appChainParameterRegistry.isAdmin.<addr>` keys to add or remove admins).
//!
//! The behaviour is the shared registry core's ([`xmtp_core::registry`]); this program fixes its
//! keys and identity. Differences from the reference (see `DEVIATIONS.md`):
//! - The bare implementation refuses `initialize` because it has no ERC-1967 implementation,
//!   where the reference disables initializers in its constructor (same outcome).
#![cfg_attr(target_arch = "wasm32", no_std, no_main)]

extern crate alloc;

use stylus_sdk::prelude::*;

xmtp_core::registry_program! {
    program: AppChainParameterRegistry,
    error: AppChainParameterRegistryError,
    namespace: "appChainParameterRegistry",
}

#[cfg(test)]
mod tests;
