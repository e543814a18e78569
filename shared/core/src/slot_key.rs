//! Storage words addressed by their 32-byte keys, as the hostios and `keccak256` see them.
//!
//! The SDK addresses storage by `U256`, so every mapping entry (a hash, bytes) becomes a
//! number and back, and on wasm32, which has no 64-bit byte swap, each conversion is dozens of
//! instructions inlined at every access. Keys stay bytes here; the one conversion the `VM` API
//! needs happens inside [`load`] and [`store`], compiled once.

use alloy_primitives::{B256, U256};
use stylus_sdk::{host::VM, prelude::*};

/// The word stored at `key` (through the SDK's storage cache, as every typed accessor reads).
#[must_use]
#[inline(never)]
pub fn load(vm: &VM, key: B256) -> B256 {
    vm.storage_load_bytes32(U256::from_be_bytes(key.0))
}

/// Writes the word at `key` (through the SDK's storage cache, flushed when the call ends or
/// before an external call, as the SDK's accessors are).
#[inline(never)]
pub fn store(vm: &VM, key: B256, value: B256) {
    // SAFETY: no SDK accessor of the same slot is alive across this write; every program
    // addressing a slot this way addresses it only this way or re-reads it after.
    unsafe { vm.storage_cache_bytes32(U256::from_be_bytes(key.0), value) }
}

/// A number as a key (or an ABI word): its 32 big-endian bytes. Never inlined, so the byte
/// swaps are compiled once.
#[must_use]
#[inline(never)]
pub fn key(value: U256) -> B256 {
    B256::from(value)
}

/// `keccak256(key ‖ slot)`: the entry `key` of the mapping at `slot`, as Solidity places it.
#[must_use]
#[inline(never)]
pub fn mapping(vm: &VM, key: B256, slot: B256) -> B256 {
    let mut preimage = [0u8; 64];
    preimage[..32].copy_from_slice(key.as_slice());
    preimage[32..].copy_from_slice(slot.as_slice());
    vm.native_keccak256(&preimage)
}

/// `keccak256(slot)`: where the elements of the dynamic array (or long `bytes`) at `slot`
/// start.
#[must_use]
pub fn array(vm: &VM, slot: B256) -> B256 {
    vm.native_keccak256(slot.as_slice())
}

/// `key + offset` as a 256-bit big-endian number (wrapping, as slot arithmetic does).
#[must_use]
#[inline(never)]
pub fn offset(key: B256, offset: usize) -> B256 {
    let mut out = key.0;
    let mut carry = offset as u128;
    for byte in out.iter_mut().rev() {
        if carry == 0 {
            break;
        }
        let sum = u128::from(*byte) + (carry & 0xff);
        // The low byte of the sum; the rest carries on.
        #[allow(clippy::cast_possible_truncation)]
        {
            *byte = sum as u8;
        }
        carry = (carry >> 8) + (sum >> 8);
    }
    B256::from(out)
}

/// A word holding a length or an index, as `usize`, saturating (a value past the address
/// space cannot index anything stored).
#[must_use]
pub fn word_usize(word: B256) -> usize {
    if word[..24].iter().any(|byte| *byte != 0) {
        return usize::MAX;
    }
    let mut low = [0u8; 8];
    low.copy_from_slice(&word[24..]);
    usize::try_from(u64::from_be_bytes(low)).unwrap_or(usize::MAX)
}

/// A `usize` as a word.
#[must_use]
pub fn usize_word(value: usize) -> B256 {
    let mut word = [0u8; 32];
    word[24..].copy_from_slice(&(value as u64).to_be_bytes());
    B256::from(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_add_as_256_bit_numbers() {
        let base = B256::from(U256::from(0x1ff_u64));
        assert_eq!(offset(base, 1), B256::from(U256::from(0x200_u64)));
        assert_eq!(offset(base, 0), base);
        let high = B256::from(U256::MAX - U256::from(1));
        assert_eq!(offset(high, 3), B256::from(U256::from(1)));
        let near = B256::from(U256::from(u64::MAX));
        assert_eq!(
            offset(near, usize::MAX),
            B256::from(U256::from(u64::MAX) + U256::from(usize::MAX))
        );
    }

    #[test]
    fn lengths_round_trip_and_saturate() {
        assert_eq!(word_usize(usize_word(12_345)), 12_345);
        assert_eq!(word_usize(B256::repeat_byte(1)), usize::MAX);
    }
}
