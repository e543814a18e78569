//! Events emitted from their topics and ABI-encoded data, without alloy's generic codec: each
//! `SolEvent` type instantiates its own encoder, a kilobyte or more of wasm per event, which a
//! program with a dozen events cannot afford under the size limit. Topic 0 still comes from the
//! `xmtp-abi` declaration (`Event::SIGNATURE_HASH`), and the unit tests compare every emitted
//! log with that declaration's `encode_log_data`, so the bytes are checked, not assumed.

use alloc::vec::Vec;

use alloy_primitives::{Address, B256, U256};
use stylus_sdk::{host::VM, prelude::*};

/// Emits a log with `topics` (topic 0 first) and `data`.
pub fn emit(vm: &VM, topics: &[B256], data: &[u8]) {
    // The host refuses only more than four topics, which no declared event has.
    let _ = vm.raw_log(topics, data);
}

/// `abi.encode` of value types, each already a word.
#[must_use]
pub fn words(words: &[B256]) -> Vec<u8> {
    words.iter().flat_map(|word| word.0).collect()
}

/// `abi.encode` of `bytes`/`string` values only (heads of offsets, then each length and its
/// data padded to a whole word).
#[must_use]
pub fn byte_strings(items: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut offset = 32 * items.len();
    for item in items {
        out.extend_from_slice(&uint(U256::from(offset)).0);
        offset += 32 + padded_len(item.len());
    }
    for item in items {
        out.extend_from_slice(&uint(U256::from(item.len())).0);
        out.extend_from_slice(item);
        out.resize(out.len() + padded_len(item.len()) - item.len(), 0);
    }
    out
}

/// An unsigned integer as a word.
#[must_use]
pub fn uint(value: U256) -> B256 {
    B256::from(value)
}

/// An address as a word.
#[must_use]
pub fn address(value: Address) -> B256 {
    value.into_word()
}

/// A bool as a word.
#[must_use]
pub fn boolean(value: bool) -> B256 {
    B256::with_last_byte(u8::from(value))
}

fn padded_len(len: usize) -> usize {
    len.div_ceil(32) * 32
}

#[cfg(test)]
mod tests {
    use alloc::{string::String, vec};

    use alloy_primitives::Bytes;
    use alloy_sol_types::SolValue;

    use super::*;

    #[test]
    fn byte_strings_match_abi_encode() {
        let key = Bytes::from(vec![4u8; 65]);
        let http = String::from("http://node.example");
        assert_eq!(
            byte_strings(&[&key, http.as_bytes()]),
            (key.clone(), http.clone()).abi_encode_params()
        );
        assert_eq!(
            byte_strings(&[http.as_bytes()]),
            (http,).abi_encode_params()
        );
        assert_eq!(byte_strings(&[b""]), (Bytes::new(),).abi_encode_params());
        let exact = Bytes::from(vec![7u8; 32]);
        assert_eq!(
            byte_strings(&[&exact]),
            (exact.clone(),).abi_encode_params()
        );
    }

    #[test]
    fn words_are_concatenated() {
        let encoded = words(&[
            uint(U256::from(5)),
            address(Address::with_last_byte(1)),
            boolean(true),
        ]);
        assert_eq!(
            encoded,
            (U256::from(5), Address::with_last_byte(1), true).abi_encode_params()
        );
    }
}
