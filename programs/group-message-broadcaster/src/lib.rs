//! `GroupMessageBroadcaster`: publishes MLS group messages on the app chain as `MessageSent`
//! events (forced inclusion, censorship resistance), each stamped with the next sequence id.
//! Payload bounds, the pause flag and the bootstrapper (who re-emits historical messages while
//! paused) are pulled from the app-chain parameter registry by anyone.
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

use alloy_primitives::{Bytes, FixedBytes};
use stylus_sdk::prelude::*;
use xmtp_abi::group_message_broadcaster::MessageSent;
use xmtp_core::broadcaster;

xmtp_core::broadcaster_program! {
    program: GroupMessageBroadcaster,
    error: GroupMessageBroadcasterError,
    abi: group_message_broadcaster,
    namespace: "groupMessageBroadcaster",
    add: "addMessage",
    bootstrap: "bootstrapMessages",
    payload: "message",

    /// Publishes `message_` for `groupId_` under the next sequence id.
    pub fn add_message(&mut self, group_id_: FixedBytes<16>, message_: Bytes) -> Result<(), Error> {
        broadcaster::add(self.vm(), message_, |message, sequence_id| MessageSent {
            groupId: group_id_,
            message,
            sequenceId: sequence_id,
        })
    }

    /// Re-emits historical messages with their own sequence ids (bootstrapper, while paused).
    pub fn bootstrap_messages(
        &mut self,
        group_ids_: Vec<FixedBytes<16>>,
        messages_: Vec<Bytes>,
        sequence_ids_: Vec<u64>,
    ) -> Result<(), Error> {
        broadcaster::bootstrap(
            self.vm(),
            group_ids_,
            messages_,
            sequence_ids_,
            |group_id, message, sequence_id| MessageSent {
                groupId: group_id,
                message,
                sequenceId: sequence_id,
            },
        )
    }
}

#[cfg(test)]
mod tests;
