//! The single Solidity ABI definition of every XMTP network contract.
//!
//! Events and custom errors are declared once, in the module named after the reference
//! interface that declares them, so every program, test and tool shares one Rust type per
//! Solidity declaration (and so one selector or topic). Each contract's functions live in an
//! interface (`IFactory`, ...) that lists everything the contract exposes, inherited functions
//! included, exactly as in `reference/abi-manifest.json`.
//!
//! With the `json` feature, [`contracts`] assembles each contract's JSON ABI from these items.
#![no_std]

/// Expands a `sol!` block, adding JSON ABI generation when the `json` feature is on.
macro_rules! solidity {
    ($($body:tt)*) => {
        #[cfg(feature = "json")]
        alloy_sol_types::sol! { #![sol(abi, all_derives)] $($body)* }
        #[cfg(not(feature = "json"))]
        alloy_sol_types::sol! { #![sol(all_derives)] $($body)* }
    };
}

pub mod erc1967;
pub mod factory;
pub mod initializable;
pub mod migratable;
pub mod migrator;
pub mod oz_initializable;
pub mod parameter_registry;
pub mod proxy;
pub mod registry_parameters;

#[cfg(feature = "json")]
pub mod contracts;
