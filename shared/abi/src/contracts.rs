//! Each contract's complete JSON ABI, assembled from the shared declarations.
//!
//! The committed `abi/<Contract>.json` files and the parity test against the reference
//! manifest are both derived from [`all`], so a declaration changed here shows up in both.

extern crate alloc;

use alloc::vec::Vec;

use alloy_json_abi::{Fallback, JsonAbi, StateMutability};
use alloy_sol_types::JsonAbiExt;

use crate::{erc1967, factory, initializable, migratable, migrator, oz_initializable, proxy, registry_parameters};

/// Builds a [`JsonAbi`] from an interface's functions plus listed events and errors.
macro_rules! contract {
    (
        functions: $functions:expr,
        events: [$($event:ty),* $(,)?],
        errors: [$($error:ty),* $(,)?],
        fallback: $fallback:expr $(,)?
    ) => {{
        let mut abi: JsonAbi = $functions;
        $(
            let event = <$event as JsonAbiExt>::abi();
            abi.events.entry(event.name.clone()).or_default().push(event);
        )*
        $(
            let error = <$error as JsonAbiExt>::abi();
            abi.errors.entry(error.name.clone()).or_default().push(error);
        )*
        abi.fallback = $fallback;
        abi
    }};
}

fn nonpayable_fallback() -> Option<Fallback> {
    Some(Fallback { state_mutability: StateMutability::NonPayable })
}

/// Every contract that has a program in this workspace, by its reference name.
#[must_use]
pub fn all() -> Vec<(&'static str, JsonAbi)> {
    alloc::vec![
        ("Factory", contract! {
            functions: factory::IFactory::abi::contract(),
            events: [
                factory::ImplementationDeployed,
                factory::InitializableImplementationDeployed,
                oz_initializable::Initialized,
                migratable::Migrated,
                factory::ProxyDeployed,
                erc1967::Upgraded,
            ],
            errors: [
                factory::DeployFailed,
                factory::EmptyBytecode,
                migratable::EmptyCode,
                factory::InvalidImplementation,
                oz_initializable::InvalidInitialization,
                migratable::MigrationFailed,
                oz_initializable::NotInitializing,
                registry_parameters::ParameterOutOfTypeBounds,
                factory::Paused,
                migratable::ZeroMigrator,
                factory::ZeroParameterRegistry,
            ],
            fallback: None,
        }),
        ("Initializable", contract! {
            functions: initializable::IInitializable::abi::contract(),
            events: [],
            errors: [
                initializable::EmptyCode,
                initializable::InitializationFailed,
                initializable::ZeroImplementation,
            ],
            fallback: None,
        }),
        ("Migrator", contract! {
            functions: migrator::IMigrator::abi::contract(),
            events: [erc1967::Upgraded],
            errors: [
                migrator::UnexpectedImplementation,
                migrator::ZeroFromImplementation,
                migrator::ZeroToImplementation,
            ],
            fallback: nonpayable_fallback(),
        }),
        ("Proxy", contract! {
            functions: JsonAbi::new(),
            events: [],
            errors: [proxy::ZeroImplementation],
            fallback: Some(Fallback { state_mutability: StateMutability::Payable }),
        }),
    ]
}
