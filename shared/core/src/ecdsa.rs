//! ECDSA public-key recovery through the `ecrecover` precompile (address `0x01`).
//!
//! [`recover`] applies OpenZeppelin v5 `ECDSA.recover(hash, v, r, s)`'s rules, which the
//! `FeeToken`'s `permit` uses: an `s` in the upper half of the curve order is refused with
//! `ECDSAInvalidSignatureS(s)` before the precompile is asked, and a signature the precompile
//! cannot recover (any `v` other than 27 or 28 included) is `ECDSAInvalidSignature()`.
//! Contracts with other acceptance rules (solady's, used by `PayerReportManager`, accepts high `s`)
//! build them on [`ecrecover`].

use alloy_primitives::{address, uint, Address, B256, U256};
use stylus_sdk::{call::RawCall, host::VM};
use xmtp_abi::oz_ecdsa::{ECDSAInvalidSignature, ECDSAInvalidSignatureS};

use crate::revert::Bubbled;

/// The `ecrecover` precompile.
pub const ECRECOVER: Address = address!("0x0000000000000000000000000000000000000001");

/// Half the secp256k1 group order: the largest `s` OpenZeppelin accepts (EIP-2 malleability rule).
pub const MAX_S: U256 =
    uint!(0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0_U256);

/// Errors [`recover`] can end in.
pub trait RecoverError:
    From<ECDSAInvalidSignature> + From<ECDSAInvalidSignatureS> + From<Bubbled>
{
}
impl<E: From<ECDSAInvalidSignature> + From<ECDSAInvalidSignatureS> + From<Bubbled>> RecoverError
    for E
{
}

/// The precompile's input: `hash ‖ uint256(v) ‖ r ‖ s`.
#[must_use]
pub fn ecrecover_input(hash: B256, v: u8, r: B256, s: B256) -> [u8; 128] {
    let mut input = [0u8; 128];
    input[..32].copy_from_slice(hash.as_slice());
    input[63] = v;
    input[64..96].copy_from_slice(r.as_slice());
    input[96..].copy_from_slice(s.as_slice());
    input
}

/// Solidity's `ecrecover(hash, v, r, s)`: the signer, or the zero address when the precompile
/// recovers nothing (it then returns no data, and Solidity reads its zeroed output buffer).
pub fn ecrecover(vm: &VM, hash: B256, v: u8, r: B256, s: B256) -> Result<Address, Bubbled> {
    // SAFETY: a static call to a precompile, which cannot read or write our storage.
    let output =
        unsafe { RawCall::new_static(vm).call(ECRECOVER, &ecrecover_input(hash, v, r, s)) }
            .map_err(Bubbled)?;
    Ok(output.get(..32).map_or(Address::ZERO, |word| {
        Address::from_word(B256::from_slice(word))
    }))
}

/// OpenZeppelin v5 `ECDSA.recover(hash, v, r, s)`: the signer of `hash`, never the zero address.
pub fn recover<E: RecoverError>(
    vm: &VM,
    hash: B256,
    v: u8,
    r: B256,
    s: B256,
) -> Result<Address, E> {
    if U256::from_be_bytes(s.0) > MAX_S {
        return Err(ECDSAInvalidSignatureS { s }.into());
    }
    let signer = ecrecover(vm, hash, v, r, s)?;
    if signer.is_zero() {
        return Err(ECDSAInvalidSignature {}.into());
    }
    Ok(signer)
}

/// Solady's `ECDSA.tryRecoverCalldata(hash, signature)`, the rules `PayerReportManager` applies:
/// a 65-byte `r ‖ s ‖ v` (v used as is, so only 27 and 28 can recover) or a 64-byte EIP-2098
/// `r ‖ vs`; any other length, or anything the precompile does not recover, is the zero
/// address. No low-`s` rule: both `s` and `n − s` (with the other `v`) recover the signer.
pub fn try_recover_calldata(vm: &VM, hash: B256, signature: &[u8]) -> Address {
    let (r, s, v) = match signature.len() {
        65 => (
            B256::from_slice(&signature[..32]),
            B256::from_slice(&signature[32..64]),
            signature[64],
        ),
        64 => {
            let mut s = B256::from_slice(&signature[32..64]);
            let v = 27 + (s[0] >> 7);
            s[0] &= 0x7f;
            (B256::from_slice(&signature[..32]), s, v)
        }
        _ => return Address::ZERO,
    };
    // Solady reads a zero word whenever the precompile returns nothing, failure included.
    ecrecover(vm, hash, v, r, s).unwrap_or(Address::ZERO)
}
