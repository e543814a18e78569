//! Solidity `string`/`bytes` storage, read and written word by word.
//!
//! Layout (Solidity's): a value shorter than 32 bytes sits left-aligned in its slot with twice
//! its length in the lowest byte; a longer one stores `2 * length + 1` in the slot and its bytes
//! from `keccak256(slot)` on. The SDK's `StorageString` does the same but computes word indices
//! with 256-bit division, which links a software divider (about 9 KB of wasm) into every program
//! that uses it; these functions use machine integers instead.

use alloc::{string::String, vec::Vec};

use alloy_primitives::{B256, U256};
use stylus_sdk::host::VM;

use crate::slot_key::{self, load as word, store as set_word, usize_word, word_usize};

/// The length stored in a root word, and whether the bytes live in the long form.
fn length(root: B256) -> (usize, bool) {
    if root[31] & 1 == 0 {
        return (usize::from(root[31] >> 1), false);
    }
    // `2 * length + 1`: a length past the address space cannot have been written by Solidity.
    (word_usize(root) >> 1, true)
}

/// The bytes stored at `slot`.
#[must_use]
pub fn load_bytes(vm: &VM, slot: U256) -> Vec<u8> {
    load_bytes_at(vm, slot_key::key(slot))
}

/// The bytes stored at the slot whose key is `key`.
#[must_use]
pub fn load_bytes_at(vm: &VM, key: B256) -> Vec<u8> {
    let root = word(vm, key);
    let (len, long) = length(root);
    if !long {
        return root[..len].to_vec();
    }
    let base = slot_key::array(vm, key);
    let mut bytes = Vec::with_capacity(len);
    let mut index = 0;
    while bytes.len() < len {
        let data = word(vm, slot_key::offset(base, index));
        let take = (len - bytes.len()).min(32);
        bytes.extend_from_slice(&data[..take]);
        index += 1;
    }
    bytes
}

/// The string stored at `slot` (empty if its bytes are not UTF-8, which only a foreign writer
/// could have stored).
#[must_use]
pub fn load(vm: &VM, slot: U256) -> String {
    load_at(vm, slot_key::key(slot))
}

/// [`load`] at the slot whose key is `key`.
#[must_use]
pub fn load_at(vm: &VM, key: B256) -> String {
    String::from_utf8(load_bytes_at(vm, key)).unwrap_or_default()
}

/// Stores `value` at `slot`, clearing the words of a longer previous value, as Solidity does.
pub fn store(vm: &VM, slot: U256, value: &[u8]) {
    store_at(vm, slot_key::key(slot), value);
}

/// [`store`] at the slot whose key is `key`.
pub fn store_at(vm: &VM, key: B256, value: &[u8]) {
    let (old_len, old_long) = length(word(vm, key));
    let old_words = if old_long { old_len.div_ceil(32) } else { 0 };
    let mut new_words = 0;
    if value.len() < 32 {
        let mut root = [0u8; 32];
        root[..value.len()].copy_from_slice(value);
        // A length below 32 doubles into one byte.
        #[allow(clippy::cast_possible_truncation)]
        let encoded = (value.len() * 2) as u8;
        root[31] = encoded;
        set_word(vm, key, B256::from(root));
    } else {
        set_word(vm, key, usize_word(value.len() * 2 + 1));
        let base = slot_key::array(vm, key);
        for chunk in value.chunks(32) {
            let mut data = [0u8; 32];
            data[..chunk.len()].copy_from_slice(chunk);
            set_word(vm, slot_key::offset(base, new_words), B256::from(data));
            new_words += 1;
        }
    }
    if old_words > new_words {
        let base = slot_key::array(vm, key);
        for index in new_words..old_words {
            set_word(vm, slot_key::offset(base, index), B256::ZERO);
        }
    }
}

#[cfg(all(test, feature = "testing"))]
mod tests {
    extern crate std;

    use alloc::vec;

    use alloy_primitives::{keccak256, U256};

    use super::*;
    use crate::testing::MockHost;

    const SLOT: U256 = U256::from_limbs([7, 0, 0, 0]);

    fn data(index: u64) -> U256 {
        U256::from_be_bytes(keccak256(SLOT.to_be_bytes::<32>()).0) + U256::from(index)
    }

    #[test]
    fn short_values_sit_left_aligned_with_twice_their_length() {
        let host = MockHost::new();
        let vm = host.sdk_vm();
        store(&vm, SLOT, b"xUSD");
        let mut expected = [0u8; 32];
        expected[..4].copy_from_slice(b"xUSD");
        expected[31] = 8;
        assert_eq!(host.vm.get_storage(SLOT), B256::from(expected));
        assert_eq!(load(&vm, SLOT), "xUSD");
        store(&vm, SLOT, &[b'a'; 31]);
        assert_eq!(host.vm.get_storage(SLOT)[31], 62);
        assert_eq!(load_bytes(&vm, SLOT), vec![b'a'; 31]);
    }

    #[test]
    fn long_values_store_their_length_and_words_from_the_slot_hash() {
        let host = MockHost::new();
        let vm = host.sdk_vm();
        let value: Vec<u8> = (0..70u8).collect();
        store(&vm, SLOT, &value);
        assert_eq!(host.vm.get_storage(SLOT), B256::from(U256::from(141)));
        assert_eq!(host.vm.get_storage(data(0)).as_slice(), &value[..32]);
        assert_eq!(host.vm.get_storage(data(1)).as_slice(), &value[32..64]);
        let mut last = [0u8; 32];
        last[..6].copy_from_slice(&value[64..]);
        assert_eq!(host.vm.get_storage(data(2)), B256::from(last));
        assert_eq!(load_bytes(&vm, SLOT), value);
    }

    #[test]
    fn a_shorter_value_clears_the_words_it_no_longer_uses() {
        let host = MockHost::new();
        let vm = host.sdk_vm();
        store(&vm, SLOT, &[1u8; 70]);
        store(&vm, SLOT, &[2u8; 33]);
        assert_eq!(host.vm.get_storage(data(1))[0], 2);
        assert_eq!(host.vm.get_storage(data(2)), B256::ZERO);
        store(&vm, SLOT, b"1");
        assert_eq!(host.vm.get_storage(data(0)), B256::ZERO);
        assert_eq!(host.vm.get_storage(data(1)), B256::ZERO);
        assert_eq!(load(&vm, SLOT), "1");
        store(&vm, SLOT, b"");
        assert_eq!(host.vm.get_storage(SLOT), B256::ZERO);
        assert_eq!(load(&vm, SLOT), "");
    }

    #[test]
    fn bytes_that_are_not_utf8_load_as_an_empty_string() {
        let host = MockHost::new();
        let vm = host.sdk_vm();
        store(&vm, SLOT, &[0xff, 0xfe]);
        assert_eq!(load(&vm, SLOT), "");
        assert_eq!(load_bytes(&vm, SLOT), vec![0xff, 0xfe]);
    }
}
