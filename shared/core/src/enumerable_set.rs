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
    storage::{StorageGuard, StorageGuardMut, StorageType},
};

use crate::slot_key::{self, load, store, usize_word, word_usize};

/// `EnumerableSet.UintSet` (two slots when nested in a storage struct).
pub struct UintSet {
    /// The `_values` array's slot.
    values: B256,
    /// The `_positions` mapping's slot (the next one).
    positions: B256,
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
        let values = slot_key::key(slot);
        Self {
            values,
            positions: slot_key::offset(values, 1),
            vm,
        }
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
        !self.position(slot_key::key(value)).is_zero()
    }

    /// The number of members.
    #[must_use]
    pub fn len(&self) -> usize {
        word_usize(load(&self.vm, self.values))
    }

    /// Whether the set has no members.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The member at `index` in storage order.
    #[must_use]
    pub fn at(&self, index: usize) -> Option<U256> {
        (index < self.len()).then(|| self.value(self.base(), index))
    }

    /// Every member, in storage order.
    #[must_use]
    pub fn values(&self) -> Vec<U256> {
        let base = self.base();
        (0..self.len())
            .map(|index| self.value(base, index))
            .collect()
    }

    /// Appends `value`; false when it is already a member.
    pub fn add(&mut self, value: U256) -> bool {
        let value = slot_key::key(value);
        if !self.position(value).is_zero() {
            return false;
        }
        let length = self.len();
        store(&self.vm, slot_key::offset(self.base(), length), value);
        let position = usize_word(length + 1);
        store(&self.vm, self.values, position);
        store(&self.vm, self.position_slot(value), position);
        true
    }

    /// Removes `value` by moving the last member into its place; false when it is not a member.
    pub fn remove(&mut self, value: U256) -> bool {
        let value = slot_key::key(value);
        let position = self.position(value);
        if position.is_zero() {
            return false;
        }
        // A member's position is its index + 1, so the set is not empty here.
        let last_index = self.len().saturating_sub(1);
        let value_index = word_usize(position) - 1;
        let base = self.base();
        let last_slot = slot_key::offset(base, last_index);
        if value_index != last_index {
            let last_value = load(&self.vm, last_slot);
            store(&self.vm, slot_key::offset(base, value_index), last_value);
            store(&self.vm, self.position_slot(last_value), position);
        }
        store(&self.vm, last_slot, B256::ZERO);
        store(&self.vm, self.values, usize_word(last_index));
        store(&self.vm, self.position_slot(value), B256::ZERO);
        true
    }

    /// `_positions[value]`: the member's index + 1, or 0.
    fn position(&self, value: B256) -> B256 {
        load(&self.vm, self.position_slot(value))
    }

    fn position_slot(&self, value: B256) -> B256 {
        slot_key::mapping(&self.vm, value, self.positions)
    }

    /// Where the array's elements start.
    fn base(&self) -> B256 {
        slot_key::array(&self.vm, self.values)
    }

    fn value(&self, base: B256, index: usize) -> U256 {
        U256::from_be_bytes(load(&self.vm, slot_key::offset(base, index)).0)
    }
}
