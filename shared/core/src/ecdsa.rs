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

#[cfg(all(test, feature = "testing"))]
mod tests {
    use alloc::{vec, vec::Vec};

    use alloy_primitives::{address, b256};

    use super::*;
    use crate::testing::{CallKind, MockHost};

    /// The spec's row-3 digest and the signature of Anvil key 0 over it (§12.2).
    const DIGEST: B256 =
        b256!("0x68e2a926d1e4309c70d546f976fc17eacc87d245862ad8a5d9c80b86e1dd4d61");
    const R: B256 = b256!("0x2f9804b9707b10f95478745da52c06507f3acce3f72268b9385cdf4e6e072528");
    const S: B256 = b256!("0x7bf07d5787c10100ad7cd1e5bf9ace1fe51b0b647b5f1ee2abf60a2cf8571f26");
    const HIGH_S: B256 =
        b256!("0x840f82a8783efeff52832e1a406531ded593d18233e9815913dc545fd7df221b");
    const SIGNER: Address = address!("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");

    /// The precompile answering `signer` for exactly `(v, r, s)` over the digest.
    fn precompile(host: &MockHost, v: u8, r: B256, s: B256, signer: Option<Address>) {
        host.mock(
            CallKind::Static,
            ECRECOVER,
            ecrecover_input(DIGEST, v, r, s).to_vec(),
            Ok(signer.map_or(vec![], |a| a.into_word().to_vec())),
        );
    }

    fn recovered_by(host: &MockHost) -> Vec<(u8, B256, B256)> {
        host.calls()
            .iter()
            .filter(|(_, to, _)| *to == ECRECOVER)
            .map(|(_, _, input)| {
                (
                    input[63],
                    B256::from_slice(&input[64..96]),
                    B256::from_slice(&input[96..]),
                )
            })
            .collect()
    }

    #[test]
    fn solady_reads_65_and_64_byte_signatures_and_nothing_else() {
        let host = MockHost::new();
        let vm = host.sdk_vm();
        precompile(&host, 27, R, S, Some(SIGNER));
        precompile(&host, 28, R, HIGH_S, Some(SIGNER));
        let full = [R.as_slice(), S.as_slice(), &[27]].concat();
        assert_eq!(try_recover_calldata(&vm, DIGEST, &full), SIGNER);
        // v = 27: the compact form is `r ‖ s` with the top bit clear.
        assert_eq!(try_recover_calldata(&vm, DIGEST, &full[..64]), SIGNER);
        // The high-s twin with v = 28, no low-s rule.
        let twin = [R.as_slice(), HIGH_S.as_slice(), &[28]].concat();
        assert_eq!(try_recover_calldata(&vm, DIGEST, &twin), SIGNER);
        // A compact `vs` with the top bit set means v = 28 and `s` without that bit.
        let mut vs = S;
        vs[0] |= 0x80;
        precompile(&host, 28, R, S, None);
        let compact = [R.as_slice(), vs.as_slice()].concat();
        assert_eq!(try_recover_calldata(&vm, DIGEST, &compact), Address::ZERO);
        // v = 0 goes to the precompile as is, which recovers nothing.
        precompile(&host, 0, R, S, None);
        let v_zero = [R.as_slice(), S.as_slice(), &[0]].concat();
        assert_eq!(try_recover_calldata(&vm, DIGEST, &v_zero), Address::ZERO);
        assert_eq!(
            recovered_by(&host),
            vec![
                (27, R, S),
                (27, R, S),
                (28, R, HIGH_S),
                (28, R, S),
                (0, R, S)
            ]
        );
        // Any other length is the zero address without asking the precompile.
        for length in [0usize, 63, 66, 130] {
            assert_eq!(
                try_recover_calldata(&vm, DIGEST, &vec![1u8; length]),
                Address::ZERO
            );
        }
        assert_eq!(recovered_by(&host).len(), 5);
    }

    #[test]
    fn openzeppelin_refuses_high_s_before_recovering_and_a_zero_signer() {
        #[derive(Debug, PartialEq)]
        enum Refused {
            Signature,
            S(B256),
            Bubbled,
        }
        impl From<ECDSAInvalidSignature> for Refused {
            fn from(_: ECDSAInvalidSignature) -> Self {
                Self::Signature
            }
        }
        impl From<ECDSAInvalidSignatureS> for Refused {
            fn from(error: ECDSAInvalidSignatureS) -> Self {
                Self::S(error.s)
            }
        }
        impl From<Bubbled> for Refused {
            fn from(_: Bubbled) -> Self {
                Self::Bubbled
            }
        }
        let host = MockHost::new();
        let vm = host.sdk_vm();
        precompile(&host, 27, R, S, Some(SIGNER));
        precompile(&host, 0, R, S, None);
        assert_eq!(recover::<Refused>(&vm, DIGEST, 27, R, S), Ok(SIGNER));
        assert_eq!(
            recover::<Refused>(&vm, DIGEST, 28, R, HIGH_S),
            Err(Refused::S(HIGH_S))
        );
        assert_eq!(
            recover::<Refused>(&vm, DIGEST, 0, R, S),
            Err(Refused::Signature)
        );
        assert_eq!(recovered_by(&host), vec![(27, R, S), (0, R, S)]);
    }
}
