//! ABI arguments read straight from calldata (or return data) with Solidity's decoding rules,
//! for programs that route their functions themselves instead of through the SDK's router.
//!
//! The router decodes each distinct argument list with its own instance of alloy's generic
//! decoder (one to five kilobytes of wasm each) and encodes each distinct return type with its
//! own encoder; a program with a dozen signatures cannot afford that under the 24 KiB limit.
//! Here one small reader serves every signature. Every refusal is `None`, which callers turn
//! into Solidity's empty revert: a head shorter than the parameters, a value type with bits
//! outside its type (an address, `uintN` or `bool` word with high bits set), an offset or
//! length of 2^64 or more, or an offset or length that leaves the data. Bytes after the
//! arguments are ignored, as Solidity ignores them.

use alloc::vec::Vec;

use alloy_primitives::{Address, B256, U256};

/// The ABI-encoded arguments (after the selector), checked to hold at least their head.
#[derive(Clone, Copy, Debug)]
pub struct Args<'a>(&'a [u8]);

impl<'a> Args<'a> {
    /// The arguments in `data`, whose head has `head_words` words; `None` when it is shorter.
    #[must_use]
    pub fn new(data: &'a [u8], head_words: usize) -> Option<Self> {
        (data.len() >= head_words.checked_mul(32)?).then_some(Self(data))
    }

    /// Head word `index`.
    #[must_use]
    pub fn word(&self, index: usize) -> Option<B256> {
        word_at(self.0, index.checked_mul(32)?)
    }

    /// Head word `index` as a `uint256`.
    #[must_use]
    pub fn uint(&self, index: usize) -> Option<U256> {
        self.word(index).map(|word| U256::from_be_bytes(word.0))
    }

    /// Head word `index` as a `uintN` of at most 64 bits (`bits` ≤ 64).
    #[must_use]
    pub fn small(&self, index: usize, bits: u32) -> Option<u64> {
        small_word(self.word(index)?, bits)
    }

    /// Head word `index` as a `uint32`.
    #[must_use]
    pub fn u32(&self, index: usize) -> Option<u32> {
        self.small(index, 32)
            .and_then(|value| u32::try_from(value).ok())
    }

    /// Head word `index` as an `address`.
    #[must_use]
    pub fn address(&self, index: usize) -> Option<Address> {
        let word = self.word(index)?;
        word[..12]
            .iter()
            .all(|byte| *byte == 0)
            .then(|| Address::from_word(word))
    }

    /// Head word `index` as a `bool` (only 0 and 1).
    #[must_use]
    pub fn boolean(&self, index: usize) -> Option<bool> {
        self.small(index, 1).map(|value| value == 1)
    }

    /// The dynamic value whose offset is head word `index`: the data from that offset on.
    #[must_use]
    pub fn tail(&self, index: usize) -> Option<Args<'a>> {
        let offset = small_at(self.0, index.checked_mul(32)?)?;
        self.0.get(offset..).map(Args)
    }

    /// The array whose offset is head word `index`, of elements with `element_words`-word
    /// heads: its length and its elements (the data after the length word, checked to hold
    /// every element's head).
    #[must_use]
    pub fn array(&self, index: usize, element_words: usize) -> Option<(usize, Args<'a>)> {
        let tail = self.tail(index)?;
        let length = small_at(tail.0, 0)?;
        let elements = Args::new(tail.0.get(32..)?, length.checked_mul(element_words)?)?;
        Some((length, elements))
    }

    /// The array of value words (`bytes32[]`, `uint256[]`) whose offset is head word `index`.
    #[must_use]
    pub fn words(&self, index: usize) -> Option<Vec<B256>> {
        let (length, elements) = self.array(index, 1)?;
        (0..length).map(|i| elements.word(i)).collect()
    }

    /// The `uint32[]` whose offset is head word `index`.
    #[must_use]
    pub fn u32s(&self, index: usize) -> Option<Vec<u32>> {
        let (length, elements) = self.array(index, 1)?;
        (0..length).map(|i| elements.u32(i)).collect()
    }

    /// The `bytes` whose offset is head word `index`.
    #[must_use]
    pub fn bytes(&self, index: usize) -> Option<&'a [u8]> {
        let tail = self.tail(index)?;
        let length = small_at(tail.0, 0)?;
        tail.0.get(32..32usize.checked_add(length)?)
    }

    /// The `bytes[]` whose offset is head word `index`.
    #[must_use]
    pub fn byte_strings(&self, index: usize) -> Option<Vec<&'a [u8]>> {
        let (length, elements) = self.array(index, 1)?;
        (0..length).map(|i| elements.bytes(i)).collect()
    }

    /// Element `index` of an array of dynamic tuples (the array's elements are offsets to
    /// them): the tuple's own arguments, checked to hold `head_words` words.
    #[must_use]
    pub fn tuple(&self, index: usize, head_words: usize) -> Option<Args<'a>> {
        Args::new(self.tail(index)?.0, head_words)
    }
}

/// A word as a `uintN` of at most 64 bits: `None` when it has bits at or above `bits`.
#[must_use]
pub fn small_word(word: B256, bits: u32) -> Option<u64> {
    if word[..24].iter().any(|byte| *byte != 0) {
        return None;
    }
    let mut low = [0u8; 8];
    low.copy_from_slice(&word[24..]);
    let value = u64::from_be_bytes(low);
    (bits >= 64 || value >> bits == 0).then_some(value)
}

fn word_at(data: &[u8], at: usize) -> Option<B256> {
    data.get(at..at.checked_add(32)?).map(B256::from_slice)
}

/// The word at `at` as an offset or length: below 2^64, as Solidity requires, and small enough
/// that adding a word to it cannot overflow.
fn small_at(data: &[u8], at: usize) -> Option<usize> {
    let value = small_word(word_at(data, at)?, 64)?;
    usize::try_from(value)
        .ok()
        .filter(|value| value.checked_add(64).is_some())
}

/// A `uintN` value as an ABI word (written as bytes: a `U256` round trip costs more wasm).
#[must_use]
pub fn word_of(value: u64) -> B256 {
    let mut word = B256::ZERO;
    word[24..].copy_from_slice(&value.to_be_bytes());
    word
}

#[cfg(test)]
mod tests {
    use alloc::vec;

    use alloy_primitives::Bytes;
    use alloy_sol_types::SolValue;

    use super::*;

    #[test]
    fn reads_what_alloy_encodes() {
        let who = Address::repeat_byte(0xaa);
        let ids = vec![1u32, u32::MAX, 7];
        let blobs = vec![
            Bytes::from(vec![1u8; 65]),
            Bytes::new(),
            Bytes::from(vec![2u8; 32]),
        ];
        let pairs = vec![
            (5u32, Bytes::from(vec![3u8; 64])),
            (6, Bytes::from(vec![9u8])),
        ];
        let encoded = (
            who,
            7u32,
            true,
            ids.clone(),
            blobs.clone(),
            pairs.clone(),
            vec![B256::repeat_byte(4)],
        )
            .abi_encode_params();
        let args = Args::new(&encoded, 7).unwrap();
        assert_eq!(args.address(0), Some(who));
        assert_eq!(args.u32(1), Some(7));
        assert_eq!(args.small(1, 3), Some(7));
        assert_eq!(args.small(1, 2), None);
        assert_eq!(args.boolean(2), Some(true));
        assert_eq!(args.u32s(3), Some(ids));
        let read: Vec<&[u8]> = blobs.iter().map(|blob| &blob[..]).collect();
        assert_eq!(args.byte_strings(4), Some(read));
        let (length, elements) = args.array(5, 1).unwrap();
        assert_eq!(length, 2);
        for (i, (id, signature)) in pairs.iter().enumerate() {
            let tuple = elements.tuple(i, 2).unwrap();
            assert_eq!(tuple.u32(0), Some(*id));
            assert_eq!(tuple.bytes(1), Some(&signature[..]));
        }
        assert_eq!(args.words(6), Some(vec![B256::repeat_byte(4)]));
        assert_eq!(args.uint(1), Some(U256::from(7)));
        assert_eq!(args.word(7), encoded.get(224..256).map(B256::from_slice));
        assert_eq!(word_of(u64::MAX), B256::from(U256::from(u64::MAX)));
    }

    #[test]
    fn refuses_what_solidity_refuses() {
        assert!(Args::new(&[0u8; 63], 2).is_none());
        let mut word = [0u8; 32];
        word[11] = 1;
        let args = Args::new(&word, 1).unwrap();
        assert_eq!(args.address(0), None);
        assert_eq!(args.u32(0), None);
        assert_eq!(args.boolean(0), None);
        assert_eq!(args.word(1), None);
        // An offset past the end, a length past the end, an offset of 2^64.
        let encoded = (vec![1u32, 2],).abi_encode_params();
        let mut bad = encoded.clone();
        bad[31] = 0x80;
        assert_eq!(Args::new(&bad, 1).unwrap().u32s(0), None);
        let mut bad = encoded.clone();
        bad[63] = 3;
        assert_eq!(Args::new(&bad, 1).unwrap().u32s(0), None);
        let mut bad = encoded.clone();
        bad[23] = 1;
        assert_eq!(Args::new(&bad, 1).unwrap().u32s(0), None);
        // An element out of its type.
        let mut bad = encoded.clone();
        bad[64 + 27] = 1;
        assert_eq!(Args::new(&bad, 1).unwrap().u32s(0), None);
        // `bytes` whose data leaves the input.
        let encoded = (Bytes::from(vec![1u8; 40]),).abi_encode_params();
        assert_eq!(Args::new(&encoded[..100], 1).unwrap().bytes(0), None);
        assert_eq!(
            Args::new(&encoded[..104], 1).unwrap().bytes(0),
            Some(&[1u8; 40][..])
        );
    }
}
