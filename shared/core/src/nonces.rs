//! OpenZeppelin v5 `NoncesUpgradeable`: one counter per owner, at OpenZeppelin's slot.
//!
//! Storage (`openzeppelin.storage.Nonces`): `mapping(address => uint256) _nonces` at the root.

use alloc::{vec, vec::Vec};

use alloy_primitives::{Address, U256};
use stylus_sdk::{
    host::VM,
    prelude::*,
    storage::{StorageMap, StorageU256},
};

use crate::{slots::OZ_NONCES, storage::rooted};

/// OpenZeppelin's `NoncesStorage`.
#[storage]
pub struct NoncesStorage {
    nonces: StorageMap<Address, StorageU256>,
}

/// The next unused nonce of `owner`.
#[must_use]
pub fn nonces(vm: &VM, owner: Address) -> U256 {
    rooted::<NoncesStorage>(vm, OZ_NONCES).nonces.get(owner)
}

/// OpenZeppelin's `_useNonce`: returns the current nonce of `owner` and advances it (wrapping, as
/// OpenZeppelin's `unchecked` increment does; 2^256 uses are out of reach).
pub fn use_nonce(vm: &VM, owner: Address) -> U256 {
    let mut state: NoncesStorage = rooted(vm, OZ_NONCES);
    let mut slot = state.nonces.setter(owner);
    let current = slot.get();
    slot.set(current.wrapping_add(U256::from(1)));
    current
}
