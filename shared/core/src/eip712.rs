//! EIP-712 typed-data hashing and ERC-5267 domain introspection, as OpenZeppelin v5
//! `EIP712Upgradeable` does it, at OpenZeppelin's slot.
//!
//! Storage (`openzeppelin.storage.EIP712`): `bytes32 _hashedName`, `bytes32 _hashedVersion` (the
//! legacy hashes, zero after [`init`]), `string _name`, `string _version`. The domain separator
//! is recomputed on every use from the stored strings, the chain id and the executing address
//! (the proxy under delegatecall); nothing is cached.
//!
//! [`domain_separator_of`] and [`hash_typed_data`] are the bare algorithms, for contracts that
//! keep their domain elsewhere (XMTP's own `ERC712`).

use alloc::{string::String, vec, vec::Vec};

use alloy_primitives::{b256, Address, FixedBytes, B256, U256};
use alloy_sol_types::Revert;
use stylus_sdk::{host::VM, prelude::*, storage::StorageB256};

use crate::{slots::OZ_EIP712, storage::rooted, string_storage};

/// `keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")`.
pub const DOMAIN_TYPEHASH: B256 =
    b256!("0x8b73c3c69bb8fe3d512ecc4cf759cc79239f7b179b0ffacaa9a75d522b39400f");

/// `keccak256("")`, OpenZeppelin's name/version hash when neither a string nor a legacy hash is stored.
pub const EMPTY_STRING_HASH: B256 =
    b256!("0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");

/// ERC-5267 `fields`: name, version, chain id and verifying contract are set (`0x0f`).
pub const DOMAIN_FIELDS: FixedBytes<1> = FixedBytes([0x0f]);

/// The reason `eip712Domain()` reverts with while a legacy hashed name or version is stored.
pub const UNINITIALIZED: &str = "EIP712: Uninitialized";

/// ERC-5267 `eip712Domain()`'s return: fields, name, version, chain id, verifying contract,
/// salt and extensions.
pub type Domain = (
    FixedBytes<1>,
    String,
    String,
    U256,
    Address,
    B256,
    Vec<U256>,
);

/// OpenZeppelin's `EIP712Storage` up to `_hashedVersion`; `string _name` and `string _version`
/// follow at root + 2 and root + 3, kept through [`string_storage`].
#[storage]
pub struct Eip712Storage {
    hashed_name: StorageB256,
    hashed_version: StorageB256,
}

const NAME_SLOT: U256 = OZ_EIP712.wrapping_add(U256::from_limbs([2, 0, 0, 0]));
const VERSION_SLOT: U256 = OZ_EIP712.wrapping_add(U256::from_limbs([3, 0, 0, 0]));

fn layout(vm: &VM) -> Eip712Storage {
    rooted(vm, OZ_EIP712)
}

/// `__EIP712_init(name, version)`: stores the strings and clears the legacy hashes.
pub fn init(vm: &VM, name: &str, version: &str) {
    string_storage::store(vm, NAME_SLOT, name.as_bytes());
    string_storage::store(vm, VERSION_SLOT, version.as_bytes());
    let mut state = layout(vm);
    state.hashed_name.set(B256::ZERO);
    state.hashed_version.set(B256::ZERO);
}

/// `keccak256(DOMAIN_TYPEHASH ‖ name_hash ‖ version_hash ‖ chain_id ‖ verifying_contract)`.
#[must_use]
pub fn domain_separator_of(
    vm: &VM,
    name_hash: B256,
    version_hash: B256,
    chain_id: U256,
    verifying_contract: Address,
) -> B256 {
    let mut preimage = [0u8; 160];
    preimage[..32].copy_from_slice(DOMAIN_TYPEHASH.as_slice());
    preimage[32..64].copy_from_slice(name_hash.as_slice());
    preimage[64..96].copy_from_slice(version_hash.as_slice());
    preimage[96..128].copy_from_slice(&chain_id.to_be_bytes::<32>());
    preimage[140..].copy_from_slice(verifying_contract.as_slice());
    vm.native_keccak256(&preimage)
}

/// `keccak256(0x1901 ‖ domain_separator ‖ struct_hash)`.
#[must_use]
pub fn hash_typed_data(vm: &VM, domain_separator: B256, struct_hash: B256) -> B256 {
    let mut preimage = [0u8; 66];
    preimage[..2].copy_from_slice(&[0x19, 0x01]);
    preimage[2..34].copy_from_slice(domain_separator.as_slice());
    preimage[34..].copy_from_slice(struct_hash.as_slice());
    vm.native_keccak256(&preimage)
}

/// OpenZeppelin's `_EIP712NameHash` / `_EIP712VersionHash`: the stored string's hash, else the
/// legacy hash, else `keccak256("")`.
fn string_hash(vm: &VM, slot: U256, legacy: &StorageB256) -> B256 {
    let value = string_storage::load_bytes(vm, slot);
    if !value.is_empty() {
        return vm.native_keccak256(&value);
    }
    let legacy = legacy.get();
    if legacy.is_zero() {
        EMPTY_STRING_HASH
    } else {
        legacy
    }
}

/// `_domainSeparatorV4()`: the separator for the current chain and executing address.
#[must_use]
pub fn domain_separator(vm: &VM) -> B256 {
    let state = layout(vm);
    domain_separator_of(
        vm,
        string_hash(vm, NAME_SLOT, &state.hashed_name),
        string_hash(vm, VERSION_SLOT, &state.hashed_version),
        U256::from(vm.chain_id()),
        vm.contract_address(),
    )
}

/// `_hashTypedDataV4(struct_hash)`.
#[must_use]
pub fn hash_typed_data_v4(vm: &VM, struct_hash: B256) -> B256 {
    hash_typed_data(vm, domain_separator(vm), struct_hash)
}

/// ERC-5267 `eip712Domain()`; `Error("EIP712: Uninitialized")` while a legacy hash is stored
/// (a proxy migrated from a pre-v5 layout and never re-initialized).
pub fn eip712_domain<E: From<Revert>>(vm: &VM) -> Result<Domain, E> {
    let state = layout(vm);
    if !state.hashed_name.get().is_zero() || !state.hashed_version.get().is_zero() {
        return Err(Revert::from(UNINITIALIZED).into());
    }
    Ok((
        DOMAIN_FIELDS,
        string_storage::load(vm, NAME_SLOT),
        string_storage::load(vm, VERSION_SLOT),
        U256::from(vm.chain_id()),
        vm.contract_address(),
        B256::ZERO,
        Vec::new(),
    ))
}

#[cfg(all(test, feature = "testing"))]
mod tests {
    use alloy_primitives::{address, keccak256};

    use super::*;
    use crate::testing::MockHost;

    /// The Foundry proxy of the reference's tests, on chain 31337 (spec §12.1).
    const PROXY: Address = address!("0x2e234DAe75C793f67A35089C9d99245E1C58470b");

    #[test]
    fn the_bare_algorithms_give_the_spec_vectors() {
        let host = MockHost::new();
        let vm = host.sdk_vm();
        assert_eq!(
            keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
            DOMAIN_TYPEHASH
        );
        assert_eq!(keccak256(""), EMPTY_STRING_HASH);
        let separator = domain_separator_of(
            &vm,
            keccak256("PayerReportManager"),
            keccak256("1"),
            U256::from(31_337),
            PROXY,
        );
        assert_eq!(
            separator,
            b256!("0xdbc3c9c77bfb8c8656e87b666d2b06300835634ecfb091e1925d30614ceb1e43")
        );
        // Row 3 of §12.2: its struct hash under that domain.
        let struct_hash =
            b256!("0xa25c0c2382a1dbc107435190b47ee8768f1ba2c98f69c071547986f380e3a203");
        assert_eq!(
            hash_typed_data(&vm, separator, struct_hash),
            b256!("0x68e2a926d1e4309c70d546f976fc17eacc87d245862ad8a5d9c80b86e1dd4d61")
        );
    }

    #[test]
    fn the_stored_domain_is_the_fee_tokens_vector_and_legacy_hashes_refuse_the_domain() {
        let host = MockHost::new();
        host.vm.set_contract_address(PROXY);
        host.vm.set_chain_id(31_337);
        let vm = host.sdk_vm();
        // Nothing stored: OpenZeppelin hashes empty strings.
        assert_eq!(
            domain_separator(&vm),
            domain_separator_of(
                &vm,
                EMPTY_STRING_HASH,
                EMPTY_STRING_HASH,
                U256::from(31_337),
                PROXY
            )
        );
        init(&vm, "XMTP USD Fee Token", "1");
        assert_eq!(
            domain_separator(&vm),
            b256!("0x1fc7a0fbf4cf9060bcc68fc12dcf6cf9adb789631188260218b86fc2ed43d312")
        );
        assert_eq!(
            eip712_domain::<Revert>(&vm),
            Ok((
                DOMAIN_FIELDS,
                "XMTP USD Fee Token".into(),
                "1".into(),
                U256::from(31_337),
                PROXY,
                B256::ZERO,
                vec![]
            ))
        );
        layout(&vm).hashed_name.set(B256::repeat_byte(1));
        assert_eq!(
            eip712_domain::<Revert>(&vm),
            Err(Revert::from(UNINITIALIZED))
        );
    }
}
