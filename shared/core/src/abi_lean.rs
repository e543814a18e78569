//! ABI encoding of the few argument shapes programs send (words, `bytes`, `bytes32[]`,
//! `string[]`), a `bytes32[]` return decoder, and division by a 64-bit divisor, written without
//! alloy's generic codec or ruint's general division: each alloy call or event type and each
//! use of the general division costs kilobytes of wasm, which a program with many calls cannot
//! afford under the 24 KiB limit. The output is byte-identical to `abi.encode` (the tests
//! compare it with alloy's).

use alloc::{string::String, vec::Vec};

use alloy_primitives::{Address, B256, U256};

/// One top-level argument.
#[derive(Clone, Copy, Debug)]
pub enum Arg<'a> {
    /// A value type, already a word.
    Word(B256),
    /// `bytes`.
    Bytes(&'a [u8]),
    /// `string`.
    String(&'a str),
    /// `bytes32[]` (or any array of value types given as words).
    Words(&'a [B256]),
    /// `string[]`.
    Strings(&'a [String]),
}

/// An address as an ABI word.
#[must_use]
pub fn address(value: Address) -> Arg<'static> {
    Arg::Word(value.into_word())
}

/// An unsigned integer as an ABI word.
#[must_use]
pub fn uint(value: U256) -> Arg<'static> {
    Arg::Word(B256::from(value))
}

/// `selector ++ abi.encode(args...)`, or just `abi.encode(args...)` without a selector.
#[must_use]
pub fn encode(selector: Option<[u8; 4]>, args: &[Arg<'_>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(4 + 32 * args.len() * 2);
    if let Some(selector) = selector {
        out.extend_from_slice(&selector);
    }
    let start = out.len();
    out.resize(start + 32 * args.len(), 0);
    for (index, arg) in args.iter().enumerate() {
        let head = start + 32 * index;
        if let Arg::Word(word) = arg {
            out[head..head + 32].copy_from_slice(word.as_slice());
            continue;
        }
        let offset = out.len() - start;
        out[head..head + 32].copy_from_slice(&usize_word(offset));
        append_tail(&mut out, arg);
    }
    out
}

fn append_tail(out: &mut Vec<u8>, arg: &Arg<'_>) {
    match arg {
        Arg::Word(word) => out.extend_from_slice(word.as_slice()),
        Arg::Bytes(bytes) => append_bytes(out, bytes),
        Arg::String(string) => append_bytes(out, string.as_bytes()),
        Arg::Words(words) => {
            out.extend_from_slice(&usize_word(words.len()));
            for word in *words {
                out.extend_from_slice(word.as_slice());
            }
        }
        Arg::Strings(strings) => {
            out.extend_from_slice(&usize_word(strings.len()));
            let heads = out.len();
            out.resize(heads + 32 * strings.len(), 0);
            for (index, string) in strings.iter().enumerate() {
                let offset = out.len() - heads;
                out[heads + 32 * index..heads + 32 * index + 32]
                    .copy_from_slice(&usize_word(offset));
                append_bytes(out, string.as_bytes());
            }
        }
    }
}

fn append_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&usize_word(bytes.len()));
    out.extend_from_slice(bytes);
    out.resize(out.len() + (32 - bytes.len() % 32) % 32, 0);
}

fn usize_word(value: usize) -> [u8; 32] {
    let mut word = [0u8; 32];
    word[24..].copy_from_slice(&(value as u64).to_be_bytes());
    word
}

/// Decodes return data holding one `bytes32[]` as Solidity's decoder does: the offset and the
/// length must be 64-bit values and the array must lie inside the data (extra bytes are
/// ignored). `None` is Solidity's empty revert.
#[must_use]
pub fn decode_words(data: &[u8]) -> Option<Vec<B256>> {
    let offset = word_as_usize(data.get(..32)?)?;
    let length_end = offset.checked_add(32)?;
    let length = word_as_usize(data.get(offset..length_end)?)?;
    let end = length.checked_mul(32)?.checked_add(length_end)?;
    let words = data.get(length_end..end)?;
    Some(words.chunks_exact(32).map(B256::from_slice).collect())
}

fn word_as_usize(word: &[u8]) -> Option<usize> {
    if word[..24].iter().any(|byte| *byte != 0) {
        return None;
    }
    let mut low = [0u8; 8];
    low.copy_from_slice(&word[24..]);
    usize::try_from(u64::from_be_bytes(low)).ok()
}

/// `(value / divisor, value % divisor)` by schoolbook division on 64-bit limbs.
///
/// # Panics
/// When `divisor` is zero (as any division by zero does).
#[must_use]
pub fn div_rem_u64(value: U256, divisor: u64) -> (U256, u64) {
    let divisor = u128::from(divisor);
    let mut limbs = *value.as_limbs();
    let mut remainder: u128 = 0;
    for limb in limbs.iter_mut().rev() {
        let current = (remainder << 64) | u128::from(*limb);
        // The quotient of a 128-bit value whose high half is below the divisor fits 64 bits.
        #[allow(clippy::cast_possible_truncation)]
        {
            *limb = (current / divisor) as u64;
        }
        remainder = current % divisor;
    }
    // The remainder is below the 64-bit divisor.
    #[allow(clippy::cast_possible_truncation)]
    (U256::from_limbs(limbs), remainder as u64)
}

/// An unsigned integer in decimal, no leading zeros (`Strings.toString`, as
/// [`crate::keys::uint_component`] writes it, without ruint's general division).
#[must_use]
pub fn decimal(value: U256) -> String {
    let mut digits = Vec::with_capacity(78);
    let mut rest = value;
    loop {
        let (quotient, digit) = div_rem_u64(rest, 10);
        // A remainder of division by 10 is a single digit.
        #[allow(clippy::cast_possible_truncation)]
        digits.push(b'0' + digit as u8);
        rest = quotient;
        if rest.is_zero() {
            break;
        }
    }
    digits
        .iter()
        .rev()
        .map(|digit| char::from(*digit))
        .collect()
}

#[cfg(test)]
mod tests {
    extern crate std;

    use alloc::{borrow::ToOwned, vec};

    use alloy_primitives::address;
    use alloy_sol_types::SolValue;

    use super::*;
    use crate::keys::uint_component;

    fn strings(values: &[&str]) -> Vec<String> {
        values.iter().map(|value| (*value).to_owned()).collect()
    }

    #[test]
    fn encodes_as_alloy_does() {
        let keys = strings(&["xmtp.some.key.is.19", "", "x".repeat(64).as_str()]);
        let values = vec![B256::repeat_byte(1), B256::repeat_byte(2)];
        let nonce = U256::from(7);
        assert_eq!(
            encode(
                None,
                &[uint(nonce), Arg::Strings(&keys), Arg::Words(&values)]
            ),
            (nonce, keys.clone(), values.clone()).abi_encode_params()
        );
        let who = address!("0x00000000000000000000000000000000000000aa");
        let data = vec![0xab; 36];
        assert_eq!(
            encode(Some([1, 2, 3, 4]), &[address(who), Arg::Bytes(&data)]),
            [
                &[1u8, 2, 3, 4][..],
                &(who, alloy_primitives::Bytes::from(data.clone())).abi_encode_params()
            ]
            .concat()
        );
        assert_eq!(
            encode(None, &[Arg::String("key"), Arg::Word(B256::repeat_byte(9))]),
            ("key".to_owned(), B256::repeat_byte(9)).abi_encode_params()
        );
        assert_eq!(
            encode(None, &[Arg::Strings(&[])]),
            (Vec::<String>::new(),).abi_encode_params()
        );
        assert_eq!(encode(Some([9; 4]), &[]), vec![9; 4]);
    }

    #[test]
    fn decodes_word_arrays_as_solidity_does() {
        let values = vec![B256::repeat_byte(1), B256::repeat_byte(2)];
        let mut encoded = (values.clone(),).abi_encode_params();
        assert_eq!(decode_words(&encoded), Some(values.clone()));
        encoded.extend_from_slice(&[0xff; 5]);
        assert_eq!(decode_words(&encoded), Some(values));
        assert_eq!(decode_words(&encoded[..95]), None);
        assert_eq!(decode_words(&[]), None);
        let mut huge_length = (vec![B256::ZERO],).abi_encode_params();
        huge_length[32] = 1;
        assert_eq!(decode_words(&huge_length), None);
        let mut bad_offset = (vec![B256::ZERO],).abi_encode_params();
        bad_offset[31] = 0xff;
        assert_eq!(decode_words(&bad_offset), None);
    }

    #[test]
    fn divides_and_prints_like_ruint() {
        for value in [
            U256::ZERO,
            U256::from(9),
            U256::from(241_320_162u64),
            U256::from(u64::MAX),
            U256::MAX,
            U256::MAX - U256::from(12_345),
        ] {
            for divisor in [1u64, 10, 1_000_000_000_000, u64::MAX] {
                let (quotient, remainder) = div_rem_u64(value, divisor);
                assert_eq!(quotient, value / U256::from(divisor));
                assert_eq!(U256::from(remainder), value % U256::from(divisor));
            }
            assert_eq!(decimal(value), uint_component(value));
        }
    }
}
