//! OpenZeppelin v5 `EnumerableSet.UintSet` in storage: the same two slots (`bytes32[] _values`,
//! `mapping(bytes32 => uint256) _positions`, position = index + 1), the same swap-and-pop
//! removal, so the member order (what a set's enumeration returns) is OpenZeppelin's.
//!
//! Read and written word by word with machine-integer indices: the SDK's `StorageVec` and
//! `StorageMap` inline 256-bit index arithmetic and per-type accessors at every use (about
//! 11 KB of wasm for `NodeRegistry`'s four set operations).

use alloc::vec::Vec;

use alloy_primitives::{B256, U256};
use stylus_sdk::{
    host::VM,
    prelude::*,
    storage::{StorageGuard, StorageGuardMut, StorageType},
};

use crate::string_storage::{set_word, word};

/// `EnumerableSet.UintSet` (two slots when nested in a storage struct).
pub struct UintSet {
    /// The `_values` array's slot; `_positions` is the next one.
    slot: U256,
    vm: VM,
}

impl StorageType for UintSet {
    type Wraps<'a>
        = StorageGuard<'a, Self>
    where
        Self: 'a;
    type WrapsMut<'a>
        = StorageGuardMut<'a, Self>
    where
        Self: 'a;

    const REQUIRED_SLOTS: usize = 2;

    unsafe fn new(slot: U256, offset: u8, vm: VM) -> Self {
        debug_assert!(offset == 0);
        Self { slot, vm }
    }

    fn load<'s>(self) -> Self::Wraps<'s> {
        StorageGuard::new(self)
    }

    fn load_mut<'s>(self) -> Self::WrapsMut<'s> {
        StorageGuardMut::new(self)
    }
}

impl UintSet {
    /// Whether `value` is a member.
    #[must_use]
    pub fn contains(&self, value: U256) -> bool {
        !self.position(value).is_zero()
    }

    /// The number of members.
    #[must_use]
    pub fn len(&self) -> usize {
        // A length past the address space cannot have been written (each member is a slot).
        U256::from_be_bytes(word(&self.vm, self.slot).0).saturating_to()
    }

    /// Whether the set has no members.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The member at `index` in storage order.
    #[must_use]
    pub fn at(&self, index: usize) -> Option<U256> {
        (index < self.len()).then(|| self.value(self.values_base(), index))
    }

    /// Every member, in storage order.
    #[must_use]
    pub fn values(&self) -> Vec<U256> {
        let base = self.values_base();
        (0..self.len())
            .map(|index| self.value(base, index))
            .collect()
    }

    /// Appends `value`; false when it is already a member.
    pub fn add(&mut self, value: U256) -> bool {
        if self.contains(value) {
            return false;
        }
        let length = self.len();
        let base = self.values_base();
        set_word(&self.vm, element(base, length), B256::from(value));
        let position = U256::from(length) + U256::from(1);
        set_word(&self.vm, self.slot, B256::from(position));
        set_word(&self.vm, self.position_slot(value), B256::from(position));
        true
    }

    /// Removes `value` by moving the last member into its place; false when it is not a member.
    pub fn remove(&mut self, value: U256) -> bool {
        let position = self.position(value);
        if position.is_zero() {
            return false;
        }
        // A member's position is its index + 1, so the set is not empty here.
        let last_index = self.len().saturating_sub(1);
        let value_index = position.saturating_to::<usize>() - 1;
        let base = self.values_base();
        if value_index != last_index {
            let last_value = self.value(base, last_index);
            set_word(&self.vm, element(base, value_index), B256::from(last_value));
            set_word(
                &self.vm,
                self.position_slot(last_value),
                B256::from(position),
            );
        }
        set_word(&self.vm, element(base, last_index), B256::ZERO);
        set_word(&self.vm, self.slot, B256::from(U256::from(last_index)));
        set_word(&self.vm, self.position_slot(value), B256::ZERO);
        true
    }

    /// `_positions[value]`: the member's index + 1, or 0.
    fn position(&self, value: U256) -> U256 {
        U256::from_be_bytes(word(&self.vm, self.position_slot(value)).0)
    }

    /// `keccak256(value ‖ slot + 1)`, as Solidity places a mapping entry.
    #[inline(never)]
    fn position_slot(&self, value: U256) -> U256 {
        let mut preimage = [0u8; 64];
        preimage[..32].copy_from_slice(&value.to_be_bytes::<32>());
        preimage[32..].copy_from_slice(&(self.slot + U256::from(1)).to_be_bytes::<32>());
        U256::from_be_bytes(self.vm.native_keccak256(&preimage).0)
    }

    /// `keccak256(slot)`: where the array's elements start.
    #[inline(never)]
    fn values_base(&self) -> U256 {
        U256::from_be_bytes(self.vm.native_keccak256(&self.slot.to_be_bytes::<32>()).0)
    }

    #[inline(never)]
    fn value(&self, base: U256, index: usize) -> U256 {
        U256::from_be_bytes(word(&self.vm, element(base, index)).0)
    }
}

#[inline(never)]
fn element(base: U256, index: usize) -> U256 {
    base + U256::from(index)
}
