//! OpenZeppelin v5 `EnumerableSet.UintSet` in storage: the same two slots (`bytes32[] _values`,
//! `mapping(bytes32 => uint256) _positions`, position = index + 1), the same swap-and-pop
//! removal, so the member order (what a set's enumeration returns) is OpenZeppelin's.

use alloc::{vec, vec::Vec};

use alloy_primitives::U256;
use stylus_sdk::{
    prelude::*,
    storage::{StorageMap, StorageU256, StorageVec},
};

/// `EnumerableSet.UintSet` (two slots when nested in a storage struct).
#[storage]
pub struct UintSet {
    values: StorageVec<StorageU256>,
    positions: StorageMap<U256, StorageU256>,
}

impl UintSet {
    /// Whether `value` is a member.
    #[must_use]
    pub fn contains(&self, value: U256) -> bool {
        !self.positions.get(value).is_zero()
    }

    /// The number of members.
    #[must_use]
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether the set has no members.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The member at `index` in storage order.
    #[must_use]
    pub fn at(&self, index: usize) -> Option<U256> {
        self.values.get(index)
    }

    /// Every member, in storage order.
    #[must_use]
    pub fn values(&self) -> Vec<U256> {
        (0..self.values.len())
            .filter_map(|index| self.values.get(index))
            .collect()
    }

    /// Appends `value`; false when it is already a member.
    pub fn add(&mut self, value: U256) -> bool {
        if self.contains(value) {
            return false;
        }
        self.values.push(value);
        let position = U256::from(self.values.len());
        self.positions.setter(value).set(position);
        true
    }

    /// Removes `value` by moving the last member into its place; false when it is not a member.
    pub fn remove(&mut self, value: U256) -> bool {
        let position = self.positions.get(value);
        if position.is_zero() {
            return false;
        }
        // A member's position is its index + 1, so the set is not empty here.
        let last_index = self.values.len().saturating_sub(1);
        let value_index = position.saturating_to::<usize>() - 1;
        if value_index != last_index {
            if let Some(last_value) = self.values.get(last_index) {
                if let Some(mut slot) = self.values.setter(value_index) {
                    slot.set(last_value);
                }
                self.positions.setter(last_value).set(position);
            }
        }
        self.values.erase_last();
        self.positions.delete(value);
        true
    }
}
