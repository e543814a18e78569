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

use alloc::{string::String, vec::Vec};

use alloy_primitives::{Address, B256};
use stylus_sdk::prelude::*;
use xmtp_abi::{
    migratable::{EmptyCode, MigrationFailed, ZeroMigrator},
    oz_initializable::InvalidInitialization,
    parameter_registry::{ArrayLengthMismatch, EmptyAdmins, NoKeys, NotAdmin, ZeroAdmin},
    registry_parameters::ParameterOutOfTypeBounds,
};
use xmtp_core::registry::{self, Key};

/// Where this registry's own migrator is set.
pub const MIGRATOR_PARAMETER_KEY: &str = "xmtp.settlementChainParameterRegistry.migrator";

/// The prefix of admin keys (`<prefix>.<0x…lowercase address>`).
pub const ADMIN_PARAMETER_KEY: &str = "xmtp.settlementChainParameterRegistry.isAdmin";

/// The errors the registry reverts with.
#[derive(SolidityError, Debug, PartialEq)]
pub enum SettlementChainParameterRegistryError {
    /// `initialize` ran before on this proxy, or this is the bare implementation.
    InvalidInitialization(InvalidInitialization),
    /// `initialize` with no admins.
    EmptyAdmins(EmptyAdmins),
    /// `initialize` with a zero admin.
    ZeroAdmin(ZeroAdmin),
    /// `set` by an account whose admin key is zero.
    NotAdmin(NotAdmin),
    /// `set` or `get` with an empty key list.
    NoKeys(NoKeys),
    /// `set` with different numbers of keys and values.
    ArrayLengthMismatch(ArrayLengthMismatch),
    /// The migrator parameter is not an address.
    ParameterOutOfTypeBounds(ParameterOutOfTypeBounds),
    /// No migrator is set.
    ZeroMigrator(ZeroMigrator),
    /// The migrator reverted; carries its revert data.
    MigrationFailed(MigrationFailed),
    /// The migrator has no code.
    EmptyCode(EmptyCode),
}

pub use entry::SettlementChainParameterRegistry;

// The SDK's `#[entrypoint]` generates an undocumented public function; a private module keeps it
// out of the crate's public (documented) surface.
mod entry {
    use alloc::{vec, vec::Vec};

    use stylus_sdk::prelude::*;

    /// The program; its state is the registry core's mapping at the
    /// `xmtp.storage.ParameterRegistry` root.
    #[storage]
    #[entrypoint]
    pub struct SettlementChainParameterRegistry {}
}

type Error = SettlementChainParameterRegistryError;

// The SDK's router hands decoded arguments over by value.
#[allow(clippy::needless_pass_by_value)]
#[public]
impl SettlementChainParameterRegistry {
    /// Makes each of `admins_` an admin (their keys set to 1); once per proxy.
    pub fn initialize(&mut self, admins_: Vec<Address>) -> Result<(), Error> {
        registry::initialize(self.vm(), ADMIN_PARAMETER_KEY, &admins_)
    }

    /// Sets each key to its value, in order (admins only).
    #[selector(name = "set")]
    pub fn set_many(&mut self, keys_: Vec<Key>, values_: Vec<B256>) -> Result<(), Error> {
        registry::set_many(self.vm(), ADMIN_PARAMETER_KEY, &keys_, &values_)
    }

    /// Sets one key (admins only).
    #[selector(name = "set")]
    pub fn set_one(&mut self, key_: Key, value_: B256) -> Result<(), Error> {
        registry::set_one(self.vm(), ADMIN_PARAMETER_KEY, &key_, value_)
    }

    /// Migrates this registry's proxy through the migrator set under its own migrator key.
    pub fn migrate(&mut self) -> Result<(), Error> {
        registry::migrate(self.vm(), MIGRATOR_PARAMETER_KEY)
    }

    /// `"xmtp.settlementChainParameterRegistry.migrator"`.
    pub fn migrator_parameter_key() -> String {
        MIGRATOR_PARAMETER_KEY.into()
    }

    /// `"xmtp.settlementChainParameterRegistry.isAdmin"`.
    pub fn admin_parameter_key() -> String {
        ADMIN_PARAMETER_KEY.into()
    }

    /// Whether `account_`'s admin key holds a non-zero value.
    pub fn is_admin(&self, account_: Address) -> bool {
        registry::is_admin(self.vm(), ADMIN_PARAMETER_KEY, account_)
    }

    /// The values of `keys_`, in order (zero where unset).
    #[selector(name = "get")]
    pub fn get_many(&self, keys_: Vec<Key>) -> Result<Vec<B256>, Error> {
        registry::get_many(self.vm(), &keys_)
    }

    /// The value of `key_` (zero when unset).
    #[selector(name = "get")]
    pub fn get_one(&self, key_: Key) -> B256 {
        registry::get(self.vm(), &key_.0)
    }

    /// The executing proxy's implementation.
    pub fn implementation(&self) -> Address {
        xmtp_core::storage::implementation(self.vm())
    }

    /// `"1.0.0"`.
    pub fn version() -> String {
        "1.0.0".into()
    }

    /// `"SettlementChainParameterRegistry"`.
    pub fn contract_name() -> String {
        "SettlementChainParameterRegistry".into()
    }
}

#[cfg(test)]
mod tests;
