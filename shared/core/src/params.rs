//! Typed reads of parameter-registry values (`RegistryParameters` in the reference).
//!
//! Values are ABI words: an address right-aligned, a bool 0 or 1, an unsigned integer as is.
//! A word outside the requested type's range is `ParameterOutOfTypeBounds()`.

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::SolCall;
use stylus_sdk::{call::RawCall, host::VM};
use xmtp_abi::{
    parameter_registry::IParameterRegistryLike, registry_parameters::ParameterOutOfTypeBounds,
};

use alloc::vec::Vec;

use crate::{revert::Bubbled, slot_key::usize_word};

/// Errors a typed parameter read can end in: the registry's own revert, or a value out of range.
pub trait ParameterError: From<Bubbled> + From<ParameterOutOfTypeBounds> {}
impl<E: From<Bubbled> + From<ParameterOutOfTypeBounds>> ParameterError for E {}

/// `registry.get(key)`, as a Solidity view call: the registry's revert data is re-raised, and
/// a registry that returns no word (no code) reverts with empty data.
pub fn get(vm: &VM, registry: Address, key: &str) -> Result<B256, Bubbled> {
    // `get(string)` encoded by hand (selector, offset, length, the key padded to whole words,
    // byte-equal to alloy's): neither alloy's per-call encoder nor the generic `abi_lean`
    // encoder, since every program reads parameters and some have no other use for either.
    let mut calldata = Vec::with_capacity(4 + 64 + key.len() + 32);
    calldata.extend_from_slice(&IParameterRegistryLike::get_0Call::SELECTOR);
    calldata.extend_from_slice(usize_word(32).as_slice());
    calldata.extend_from_slice(usize_word(key.len()).as_slice());
    calldata.extend_from_slice(key.as_bytes());
    calldata.resize(calldata.len() + (32 - key.len() % 32) % 32, 0);
    // SAFETY: a static call cannot write our storage; the cache is flushed so the registry
    // (which may be this very proxy) sees our pending writes.
    let output = unsafe {
        RawCall::new_static(vm)
            .flush_storage_cache()
            .call(registry, &calldata)
    }
    .map_err(Bubbled)?;
    // A `bytes32` return: its first word (shorter output reverts with empty data, as
    // Solidity's decoder does; extra bytes are ignored).
    crate::calls::returned_word(&output)
}

/// The word as an address.
pub fn address_from_word(word: B256) -> Result<Address, ParameterOutOfTypeBounds> {
    bounded(word, 160).map(|_| Address::from_word(word))
}

/// The word as a bool (only 0 and 1 are valid).
pub fn bool_from_word(word: B256) -> Result<bool, ParameterOutOfTypeBounds> {
    bounded(word, 1).map(|value| !value.is_zero())
}

/// The word as an unsigned integer of `bits` bits (8, 16, 32, 64 or 96 in the reference).
pub fn uint_from_word(word: B256, bits: usize) -> Result<U256, ParameterOutOfTypeBounds> {
    bounded(word, bits)
}

fn bounded(word: B256, bits: usize) -> Result<U256, ParameterOutOfTypeBounds> {
    let value = U256::from_be_bytes(word.0);
    if value.bit_len() > bits {
        return Err(ParameterOutOfTypeBounds {});
    }
    Ok(value)
}

/// `registry.get(key)` as an address.
pub fn get_address<E: ParameterError>(vm: &VM, registry: Address, key: &str) -> Result<Address, E> {
    Ok(address_from_word(get(vm, registry, key)?)?)
}

/// `registry.get(key)` as a bool.
pub fn get_bool<E: ParameterError>(vm: &VM, registry: Address, key: &str) -> Result<bool, E> {
    Ok(bool_from_word(get(vm, registry, key)?)?)
}

/// `registry.get(key)` as an unsigned integer of `bits` bits.
pub fn get_uint<E: ParameterError>(
    vm: &VM,
    registry: Address,
    key: &str,
    bits: usize,
) -> Result<U256, E> {
    Ok(uint_from_word(get(vm, registry, key)?, bits)?)
}

#[cfg(test)]
mod tests {
    use alloy_primitives::{address, b256};

    use super::*;

    #[test]
    fn addresses_must_fit_160_bits() {
        let word = b256!("0x000000000000000000000000ffffffffffffffffffffffffffffffffffffffff");
        assert_eq!(
            address_from_word(word),
            Ok(address!("0xffffffffffffffffffffffffffffffffffffffff"))
        );
        let word = b256!("0x000000000000000000000001ffffffffffffffffffffffffffffffffffffffff");
        assert_eq!(address_from_word(word), Err(ParameterOutOfTypeBounds {}));
    }

    #[test]
    fn bools_are_zero_or_one() {
        assert_eq!(bool_from_word(B256::ZERO), Ok(false));
        assert_eq!(bool_from_word(B256::with_last_byte(1)), Ok(true));
        assert_eq!(
            bool_from_word(B256::with_last_byte(2)),
            Err(ParameterOutOfTypeBounds {})
        );
    }

    #[test]
    fn uints_are_bounded_by_their_width() {
        for bits in [8usize, 16, 32, 64, 96] {
            let max = (U256::from(1) << bits) - U256::from(1);
            assert_eq!(uint_from_word(max.into(), bits), Ok(max));
            assert_eq!(
                uint_from_word((max + U256::from(1)).into(), bits),
                Err(ParameterOutOfTypeBounds {})
            );
        }
    }
}
