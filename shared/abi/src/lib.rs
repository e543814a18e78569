//! The single Solidity ABI definition of every XMTP network contract.
//!
//! Events and custom errors are declared once, in the module named after the reference
//! interface that declares them, so every program, test and tool shares one Rust type per
//! Solidity declaration (and so one selector or topic). Each contract's functions live in an
//! interface (`IFactory`, ...) that lists everything the contract exposes, inherited functions
//! included, exactly as in `reference/abi-manifest.json`.
//!
//! When several reference interfaces declare the same event or error (same name, same
//! fields), the first module in the manifest's contract order declares it and the others
//! re-export it, so `payload_broadcaster::Paused` and `factory::Paused` are one type. Same
//! name with different fields stays two types, each in its own module:
//! `initializable::EmptyCode` / `migratable::EmptyCode`, `settlement_chain_gateway::Deposit` /
//! `payer_registry::Deposit`, `app_chain_gateway::Withdrawal` /
//! `distribution_manager::Withdrawal`, `oz_erc20::{Transfer, Approval}` /
//! `oz_erc721::{Transfer, Approval}`.
//!
//! Return names are the implementation's (as in the manifest); where the implementation leaves
//! them unnamed (public immutables and constants) the XMTP interface's names are used.
//! `OpenZeppelin` items live in `oz_*` modules; the subset interfaces the contracts call live in
//! `settlement_chain_external` and `app_chain_external`.
//!
//! With the `json` feature, the `contracts` module assembles each contract's JSON ABI from these items.
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

pub mod app_chain_external;
pub mod app_chain_gateway;
pub mod deposit_splitter;
pub mod distribution_manager;
pub mod erc1967;
pub mod erc5267;
pub mod erc712;
pub mod factory;
pub mod fee_token;
pub mod group_message_broadcaster;
pub mod identified;
pub mod identity_update_broadcaster;
pub mod initializable;
pub mod migratable;
pub mod migrator;
pub mod mock_underlying_fee_token;
pub mod node_registry;
pub mod oz_ecdsa;
pub mod oz_erc20;
pub mod oz_erc20_permit;
pub mod oz_erc5267;
pub mod oz_erc721;
pub mod oz_initializable;
pub mod oz_nonces;
pub mod oz_strings;
pub mod parameter_registry;
pub mod payer_registry;
pub mod payer_report_manager;
pub mod payload_broadcaster;
pub mod proxy;
pub mod rate_registry;
pub mod registry_parameters;
pub mod sequential_merkle_proofs;
pub mod settlement_chain_external;
pub mod settlement_chain_gateway;

#[cfg(feature = "json")]
pub mod contracts;
