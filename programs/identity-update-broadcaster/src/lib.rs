//! `IdentityUpdateBroadcaster`: publishes identity updates (per inbox) on the app chain as
//! `IdentityUpdateCreated` events, each stamped with the next sequence id, in a sequence-id
//! space of its own. Payload bounds, the pause flag and the bootstrapper (who re-emits
//! historical updates while paused) are pulled from the app-chain parameter registry by anyone.
//!
//! The behaviour is the shared broadcaster core's ([`xmtp_core::broadcaster`]); this program
//! fixes its keys, its event and its identity. Differences from the reference (see
//! `DEVIATIONS.md`):
//! - `parameterRegistry` is wiring, not a constructor immutable (the build pipeline refuses
//!   zero, which is where `ZeroParameterRegistry()` is reported).
//! - The bare implementation refuses `initialize` because it has no ERC-1967 implementation,
//!   where the reference disables initializers in its constructor (same outcome).
#![cfg_attr(target_arch = "wasm32", no_std, no_main)]

extern crate alloc;

use alloc::{string::String, vec::Vec};

use alloy_primitives::{Address, Bytes, B256};
use stylus_sdk::prelude::*;
use xmtp_abi::{
    identity_update_broadcaster::{
        ArrayLengthMismatch, EmptyArray, IdentityUpdateCreated, InvalidMaxPayloadSize,
        InvalidMinPayloadSize, InvalidPayloadSize, NoChange, NotPaused, NotPayloadBootstrapper,
        Paused, ZeroPayloadBootstrapper,
    },
    migratable::{EmptyCode, MigrationFailed, ZeroMigrator},
    oz_initializable::InvalidInitialization,
    registry_parameters::ParameterOutOfTypeBounds,
};
use xmtp_core::{broadcaster, Bubbled};

/// Registry key of the minimum payload size (uint32).
pub const MIN_PAYLOAD_SIZE_PARAMETER_KEY: &str = "xmtp.identityUpdateBroadcaster.minPayloadSize";
/// Registry key of the maximum payload size (uint32).
pub const MAX_PAYLOAD_SIZE_PARAMETER_KEY: &str = "xmtp.identityUpdateBroadcaster.maxPayloadSize";
/// Registry key of the migrator (address).
pub const MIGRATOR_PARAMETER_KEY: &str = "xmtp.identityUpdateBroadcaster.migrator";
/// Registry key of the pause flag (bool).
pub const PAUSED_PARAMETER_KEY: &str = "xmtp.identityUpdateBroadcaster.paused";
/// Registry key of the payload bootstrapper (address).
pub const PAYLOAD_BOOTSTRAPPER_PARAMETER_KEY: &str =
    "xmtp.identityUpdateBroadcaster.payloadBootstrapper";

xmtp_core::wiring! {
    /// The app-chain parameter registry this implementation reads (reference immutable).
    pub fn parameter_registry: Address = "parameterRegistry";
}

/// The errors the broadcaster reverts with.
#[derive(SolidityError, Debug, PartialEq)]
pub enum IdentityUpdateBroadcasterError {
    /// `initialize` ran before on this proxy, or this is the bare implementation.
    InvalidInitialization(InvalidInitialization),
    /// A registry value does not fit its type (uint32 sizes, bool, address).
    ParameterOutOfTypeBounds(ParameterOutOfTypeBounds),
    /// The registry's minimum is 0 or above the current maximum.
    InvalidMinPayloadSize(InvalidMinPayloadSize),
    /// The registry's maximum is above 262,144 or below the current minimum.
    InvalidMaxPayloadSize(InvalidMaxPayloadSize),
    /// The registry's value equals the current one.
    NoChange(NoChange),
    /// The registry's bootstrapper is zero.
    ZeroPayloadBootstrapper(ZeroPayloadBootstrapper),
    /// `addIdentityUpdate` while paused.
    Paused(Paused),
    /// `bootstrapIdentityUpdates` while not paused.
    NotPaused(NotPaused),
    /// The update is outside the current size bounds.
    InvalidPayloadSize(InvalidPayloadSize),
    /// `bootstrapIdentityUpdates` by someone other than the bootstrapper.
    NotPayloadBootstrapper(NotPayloadBootstrapper),
    /// `bootstrapIdentityUpdates` with arrays of different lengths.
    ArrayLengthMismatch(ArrayLengthMismatch),
    /// `bootstrapIdentityUpdates` with empty arrays.
    EmptyArray(EmptyArray),
    /// No migrator is set.
    ZeroMigrator(ZeroMigrator),
    /// The migrator reverted; carries its revert data.
    MigrationFailed(MigrationFailed),
    /// The migrator has no code.
    EmptyCode(EmptyCode),
    /// The registry's revert, passed through.
    Bubbled(Bubbled),
}

pub use entry::IdentityUpdateBroadcaster;

// The SDK's `#[entrypoint]` generates an undocumented public function; a private module keeps it
// out of the crate's public (documented) surface.
mod entry {
    use alloc::{vec, vec::Vec};

    use stylus_sdk::prelude::*;

    /// The program; its state is the broadcaster core's `PayloadBroadcasterStorage` at the
    /// `xmtp.storage.PayloadBroadcaster` root.
    #[storage]
    #[entrypoint]
    pub struct IdentityUpdateBroadcaster {}
}

type Error = IdentityUpdateBroadcasterError;

// The SDK's router hands decoded arguments over by value.
#[allow(clippy::needless_pass_by_value)]
#[public]
impl IdentityUpdateBroadcaster {
    /// Publishes `identity_update_` for `inbox_id_` under the next sequence id.
    pub fn add_identity_update(
        &mut self,
        inbox_id_: B256,
        identity_update_: Bytes,
    ) -> Result<(), Error> {
        broadcaster::add(self.vm(), identity_update_, |update, sequence_id| {
            IdentityUpdateCreated {
                inboxId: inbox_id_,
                update,
                sequenceId: sequence_id,
            }
        })
    }

    /// Re-emits historical identity updates with their own sequence ids (bootstrapper, while
    /// paused).
    pub fn bootstrap_identity_updates(
        &mut self,
        inbox_ids_: Vec<B256>,
        identity_updates_: Vec<Bytes>,
        sequence_ids_: Vec<u64>,
    ) -> Result<(), Error> {
        broadcaster::bootstrap(
            self.vm(),
            inbox_ids_,
            identity_updates_,
            sequence_ids_,
            |inbox_id, update, sequence_id| IdentityUpdateCreated {
                inboxId: inbox_id,
                update,
                sequenceId: sequence_id,
            },
        )
    }

    /// Marks this proxy initialized (nothing else to set up); once.
    pub fn initialize(&mut self) -> Result<(), Error> {
        broadcaster::initialize(self.vm())
    }

    /// Pulls the minimum payload size from the registry.
    pub fn update_min_payload_size(&mut self) -> Result<(), Error> {
        broadcaster::update_min_payload_size(
            self.vm(),
            parameter_registry(),
            MIN_PAYLOAD_SIZE_PARAMETER_KEY,
        )
    }

    /// Pulls the maximum payload size from the registry.
    pub fn update_max_payload_size(&mut self) -> Result<(), Error> {
        broadcaster::update_max_payload_size(
            self.vm(),
            parameter_registry(),
            MAX_PAYLOAD_SIZE_PARAMETER_KEY,
        )
    }

    /// Pulls the pause flag from the registry.
    pub fn update_pause_status(&mut self) -> Result<(), Error> {
        broadcaster::update_pause_status(self.vm(), parameter_registry(), PAUSED_PARAMETER_KEY)
    }

    /// Pulls the payload bootstrapper from the registry.
    pub fn update_payload_bootstrapper(&mut self) -> Result<(), Error> {
        broadcaster::update_payload_bootstrapper(
            self.vm(),
            parameter_registry(),
            PAYLOAD_BOOTSTRAPPER_PARAMETER_KEY,
        )
    }

    /// Migrates this broadcaster's proxy through the migrator set in the registry.
    pub fn migrate(&mut self) -> Result<(), Error> {
        broadcaster::migrate(self.vm(), parameter_registry(), MIGRATOR_PARAMETER_KEY)
    }

    /// `"xmtp.identityUpdateBroadcaster.minPayloadSize"`.
    pub fn min_payload_size_parameter_key() -> String {
        MIN_PAYLOAD_SIZE_PARAMETER_KEY.into()
    }

    /// `"xmtp.identityUpdateBroadcaster.maxPayloadSize"`.
    pub fn max_payload_size_parameter_key() -> String {
        MAX_PAYLOAD_SIZE_PARAMETER_KEY.into()
    }

    /// `"xmtp.identityUpdateBroadcaster.migrator"`.
    pub fn migrator_parameter_key() -> String {
        MIGRATOR_PARAMETER_KEY.into()
    }

    /// `"xmtp.identityUpdateBroadcaster.paused"`.
    pub fn paused_parameter_key() -> String {
        PAUSED_PARAMETER_KEY.into()
    }

    /// `"xmtp.identityUpdateBroadcaster.payloadBootstrapper"`.
    pub fn payload_bootstrapper_parameter_key() -> String {
        PAYLOAD_BOOTSTRAPPER_PARAMETER_KEY.into()
    }

    /// The parameter registry this implementation was built with.
    #[selector(name = "parameterRegistry")]
    pub fn parameter_registry_getter(&self) -> Address {
        parameter_registry()
    }

    /// The current minimum payload size.
    pub fn min_payload_size(&self) -> u32 {
        broadcaster::min_payload_size(self.vm())
    }

    /// The current maximum payload size.
    pub fn max_payload_size(&self) -> u32 {
        broadcaster::max_payload_size(self.vm())
    }

    /// Whether `addIdentityUpdate` is paused (and bootstrapping allowed).
    pub fn paused(&self) -> bool {
        broadcaster::paused(self.vm())
    }

    /// The account allowed to bootstrap while paused.
    pub fn payload_bootstrapper(&self) -> Address {
        broadcaster::payload_bootstrapper(self.vm())
    }

    /// The executing proxy's implementation.
    pub fn implementation(&self) -> Address {
        xmtp_core::storage::implementation(self.vm())
    }

    /// `"1.0.0"`.
    pub fn version() -> String {
        "1.0.0".into()
    }

    /// `"IdentityUpdateBroadcaster"`.
    pub fn contract_name() -> String {
        "IdentityUpdateBroadcaster".into()
    }
}

#[cfg(test)]
mod tests;
