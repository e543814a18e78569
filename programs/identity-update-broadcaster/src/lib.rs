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

use alloc::vec::Vec;

use alloy_primitives::{Bytes, B256};
use stylus_sdk::prelude::*;
use xmtp_abi::identity_update_broadcaster::IdentityUpdateCreated;
use xmtp_core::broadcaster;

xmtp_core::broadcaster_program! {
    program: IdentityUpdateBroadcaster,
    error: IdentityUpdateBroadcasterError,
    abi: identity_update_broadcaster,
    namespace: "identityUpdateBroadcaster",
    add: "addIdentityUpdate",
    bootstrap: "bootstrapIdentityUpdates",
    payload: "update",

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
}

#[cfg(test)]
mod tests;
