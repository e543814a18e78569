//! OpenZeppelin v5 `Initializable`: the once-only initializer guard, at OpenZeppelin's slot.
//!
//! Storage (`openzeppelin.storage.Initializable`): `uint64 _initialized` in the low 8 bytes and
//! `bool _initializing` in byte 8 of the root slot, so proxies already initialized by the
//! Solidity implementation stay initialized for ours.
//!
//! Difference from the reference: Solidity implementations call `_disableInitializers()` in
//! their constructor. A Stylus implementation is deployed without running any code, so instead
//! the guard refuses to run where the executing context has no ERC-1967 implementation: that is
//! a bare implementation, called directly; every proxy has one before its initializer runs.

use alloc::{vec, vec::Vec};

use stylus_sdk::{
    host::VM,
    prelude::*,
    storage::{StorageBool, StorageU64},
};
use xmtp_abi::oz_initializable::{Initialized, InvalidInitialization};

use crate::{
    slots::OZ_INITIALIZABLE,
    storage::{implementation, rooted},
};

/// OpenZeppelin's `InitializableStorage`.
#[storage]
pub struct InitializableStorage {
    initialized: StorageU64,
    initializing: StorageBool,
}

/// Runs `body` as OpenZeppelin's `initializer` modifier does: once per proxy, then emits
/// `Initialized(1)` after the body's own events.
pub fn initializer<E: From<InvalidInitialization>>(
    vm: &VM,
    body: impl FnOnce() -> Result<(), E>,
) -> Result<(), E> {
    let mut state: InitializableStorage = rooted(vm, OZ_INITIALIZABLE);
    let top_level = !state.initializing.get();
    if implementation(vm).is_zero() || !top_level || !state.initialized.get().is_zero() {
        return Err(InvalidInitialization {}.into());
    }
    state.initialized.set(alloy_primitives::U64::from(1));
    state.initializing.set(true);
    body()?;
    state.initializing.set(false);
    vm.log(Initialized { version: 1 });
    Ok(())
}
