//! OpenZeppelin v5 `ERC20PermitUpgradeable` (EIP-2612): approvals by signature, over
//! [`crate::erc20`], [`crate::eip712`], [`crate::nonces`] and [`crate::ecdsa`].

use alloy_primitives::{b256, Address, B256, U256};
use stylus_sdk::{host::VM, prelude::*};
use xmtp_abi::oz_erc20_permit::{ERC2612ExpiredSignature, ERC2612InvalidSigner};

use crate::{
    ecdsa::{self, RecoverError},
    eip712,
    erc20::{self, Erc20Error},
    nonces,
};

/// `keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)")`.
pub const PERMIT_TYPEHASH: B256 =
    b256!("0x6e71edae12b1b97f4d1f60370fef10105fa2faae0126114a169c64845d6126c9");

/// Errors [`permit`] can end in.
pub trait PermitError:
    Erc20Error + RecoverError + From<ERC2612ExpiredSignature> + From<ERC2612InvalidSigner>
{
}
impl<E> PermitError for E where
    E: Erc20Error + RecoverError + From<ERC2612ExpiredSignature> + From<ERC2612InvalidSigner>
{
}

/// `__ERC20Permit_init(name)`: the EIP-712 domain is (`name`, `"1"`).
pub fn init(vm: &VM, name: &str) {
    eip712::init(vm, name, "1");
}

/// The EIP-712 digest of `Permit(owner, spender, value, nonce, deadline)` in this token's domain.
#[must_use]
pub fn permit_digest(
    vm: &VM,
    owner: Address,
    spender: Address,
    value: U256,
    nonce: U256,
    deadline: U256,
) -> B256 {
    let mut preimage = [0u8; 192];
    preimage[..32].copy_from_slice(PERMIT_TYPEHASH.as_slice());
    preimage[44..64].copy_from_slice(owner.as_slice());
    preimage[76..96].copy_from_slice(spender.as_slice());
    preimage[96..128].copy_from_slice(&value.to_be_bytes::<32>());
    preimage[128..160].copy_from_slice(&nonce.to_be_bytes::<32>());
    preimage[160..].copy_from_slice(&deadline.to_be_bytes::<32>());
    let struct_hash = vm.native_keccak256(&preimage);
    eip712::hash_typed_data_v4(vm, struct_hash)
}

/// `permit(owner, spender, value, deadline, v, r, s)`, checks in OpenZeppelin's order: a
/// deadline in the past (`ERC2612ExpiredSignature`), the signature over the owner's current
/// nonce (`ECDSAInvalidSignatureS`, `ECDSAInvalidSignature`, `ERC2612InvalidSigner`), then the
/// approval (`ERC20InvalidSpender`), which emits `Approval`.
///
/// OpenZeppelin consumes the nonce before recovering; here it is consumed after every check has
/// passed. Any failure reverts the transaction, so the two orders leave the same state.
#[allow(clippy::too_many_arguments)]
pub fn permit<E: PermitError>(
    vm: &VM,
    owner: Address,
    spender: Address,
    value: U256,
    deadline: U256,
    v: u8,
    r: B256,
    s: B256,
) -> Result<(), E> {
    if U256::from(vm.block_timestamp()) > deadline {
        return Err(ERC2612ExpiredSignature { deadline }.into());
    }
    let nonce = nonces::nonces(vm, owner);
    let digest = permit_digest(vm, owner, spender, value, nonce, deadline);
    let signer = ecdsa::recover::<E>(vm, digest, v, r, s)?;
    if signer != owner {
        return Err(ERC2612InvalidSigner { signer, owner }.into());
    }
    erc20::approve::<E>(vm, owner, spender, value)?;
    nonces::use_nonce(vm, owner);
    Ok(())
}
