//! Storage rooted at fixed slots (ERC-1967, ERC-7201 namespaces) instead of slot 0.

use alloy_primitives::{Address, U256};
use stylus_sdk::{
    host::VM,
    storage::{StorageAddress, StorageType},
};

use crate::slots::ERC1967_IMPLEMENTATION;

/// The storage struct `T` laid out from `root`, as Solidity lays out a namespaced struct; a
/// single value type sits in the low-order bytes of the root slot, as Solidity places it.
#[must_use]
pub fn rooted<T: StorageType>(vm: &VM, root: U256) -> T {
    // The SDK counts a value's offset from the word's high-order end.
    #[allow(clippy::cast_possible_truncation)]
    let offset = (32 - T::SLOT_BYTES) as u8;
    // SAFETY: every root passed here is an ERC-1967 or ERC-7201 slot (see `slots`), chosen by
    // those standards so that no other layout in the same account overlaps it.
    unsafe { T::new(root, offset, vm.clone()) }
}

/// The implementation in the executing context's ERC-1967 slot (the proxy's, under delegatecall).
#[must_use]
pub fn implementation(vm: &VM) -> Address {
    rooted::<StorageAddress>(vm, ERC1967_IMPLEMENTATION).get()
}

/// Writes the executing context's ERC-1967 implementation slot.
pub fn set_implementation(vm: &VM, implementation: Address) {
    rooted::<StorageAddress>(vm, ERC1967_IMPLEMENTATION).set(implementation);
}
