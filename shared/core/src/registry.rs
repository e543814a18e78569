//! The parameter-registry core (`ParameterRegistry` in the reference): string keys to `bytes32`
//! values, written by admins whose membership is itself a key (`<adminParameterKey>.<0x…addr>`,
//! any non-zero value counting), migrated through a key it stores itself.
//!
//! Storage: `mapping(string key => bytes32 value) parameters` at the root of
//! `xmtp.storage.ParameterRegistry`, so the entry for `key` is at
//! `keccak256(bytes(key) ++ root)` ([`parameter_slot`]), exactly where the Solidity registry keeps
//! it. The slot is hashed with the host's keccak: the SDK's `StorageMap` would compile a software
//! Keccak into the program.
//!
//! Keys are [`Key`]s: a Solidity `string` argument taken as its raw bytes, so a key that is not
//! UTF-8 reaches the same slot as in the reference (the SDK's `String` would refuse it, and
//! would compile UTF-8 validation into the program).
//!
//! A registry program routes its interface to these functions, passing its own
//! `adminParameterKey()` / `migratorParameterKey()`; errors are the program's enum.

use alloc::{string::String, vec::Vec};

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::{
    abi::token::PackedSeqToken, private::SolTypeValue, sol_data, SolEvent, SolType, Word,
};
use stylus_sdk::{
    abi::{AbiType, ConstString},
    host::VM,
    prelude::*,
    storage::StorageB256,
};
use xmtp_abi::{
    oz_initializable::InvalidInitialization,
    parameter_registry::{
        ArrayLengthMismatch, EmptyAdmins, NoKeys, NotAdmin, ParameterSet, ZeroAdmin,
    },
    registry_parameters::ParameterOutOfTypeBounds,
};

use crate::{
    initializable::initializer,
    keys,
    migratable::{self, MigrateError},
    params,
    slots::PARAMETER_REGISTRY,
    storage::rooted,
};

/// Errors a parameter registry can end in.
pub trait RegistryError:
    MigrateError
    + From<InvalidInitialization>
    + From<ParameterOutOfTypeBounds>
    + From<NotAdmin>
    + From<NoKeys>
    + From<ArrayLengthMismatch>
    + From<EmptyAdmins>
    + From<ZeroAdmin>
{
}

impl<E> RegistryError for E where
    E: MigrateError
        + From<InvalidInitialization>
        + From<ParameterOutOfTypeBounds>
        + From<NotAdmin>
        + From<NoKeys>
        + From<ArrayLengthMismatch>
        + From<EmptyAdmins>
        + From<ZeroAdmin>
{
}

/// A parameter key: a Solidity `string` as its raw bytes, unvalidated, as Solidity keeps it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Key(pub Vec<u8>);

impl From<&str> for Key {
    fn from(key: &str) -> Self {
        Self(key.as_bytes().to_vec())
    }
}

impl From<String> for Key {
    fn from(key: String) -> Self {
        Self(key.into_bytes())
    }
}

/// The ABI type of [`Key`]: encoded and decoded exactly as `string`, without the UTF-8 check.
///
/// alloy calls `SolTypeValue` an implementation detail to implement only for a custom `SolType`,
/// which this is; its `string` type cannot be used because it refuses (and lossily converts)
/// bytes that are not UTF-8.
pub struct RawString;

impl SolType for RawString {
    type RustType = Key;
    type Token<'a> = PackedSeqToken<'a>;

    const SOL_NAME: &'static str = "string";
    const ENCODED_SIZE: Option<usize> = None;
    const PACKED_ENCODED_SIZE: Option<usize> = None;

    fn valid_token(_token: &Self::Token<'_>) -> bool {
        true
    }

    fn detokenize(token: Self::Token<'_>) -> Key {
        Key(token.0.to_vec())
    }
}

impl SolTypeValue<RawString> for Key {
    fn stv_to_tokens(&self) -> PackedSeqToken<'_> {
        PackedSeqToken(&self.0)
    }

    fn stv_abi_encoded_size(&self) -> usize {
        <sol_data::Bytes as SolType>::abi_encoded_size(&self.0)
    }

    fn stv_abi_packed_encoded_size(&self) -> usize {
        self.0.len()
    }

    fn stv_abi_encode_packed_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.0);
    }

    fn stv_eip712_data_word(&self) -> Word {
        <sol_data::Bytes as SolType>::eip712_data_word(&self.0)
    }
}

impl AbiType for Key {
    type SolType = RawString;

    const ABI: ConstString = ConstString::new("string");
}

/// The value `initialize` gives each admin key (`bytes32(uint256(1))`).
pub const ADMIN_FLAG: B256 = B256::with_last_byte(1);

/// Storage slot of `parameters[key]`: `keccak256(bytes(key) ++ root)`, the raw key bytes unpadded.
#[must_use]
pub fn parameter_slot(vm: &VM, key: &[u8]) -> U256 {
    let mut preimage = Vec::with_capacity(key.len() + 32);
    preimage.extend_from_slice(key);
    preimage.extend_from_slice(&PARAMETER_REGISTRY.to_be_bytes::<32>());
    U256::from_be_bytes(vm.native_keccak256(&preimage).0)
}

/// `<admin_parameter_key>.<0x + 40 lowercase hex digits>`: the key that makes `account` an admin.
#[must_use]
pub fn admin_key(admin_parameter_key: &str, account: Address) -> String {
    keys::combine(admin_parameter_key, &keys::address_component(account))
}

/// OpenZeppelin `initializer` around: at least one admin, none zero, each admin key set to 1
/// (with its `ParameterSet`), in order; duplicates are simply set twice.
pub fn initialize<E: RegistryError>(
    vm: &VM,
    admin_parameter_key: &str,
    admins: &[Address],
) -> Result<(), E> {
    initializer(vm, || {
        if admins.is_empty() {
            return Err(EmptyAdmins {}.into());
        }
        for admin in admins {
            if admin.is_zero() {
                return Err(ZeroAdmin {}.into());
            }
            set_parameter(
                vm,
                admin_key(admin_parameter_key, *admin).as_bytes(),
                ADMIN_FLAG,
            );
        }
        Ok(())
    })
}

/// `set(string[],bytes32[])`: the admin check once, up front (an admin revoking itself mid-batch
/// still completes the batch), then every pair in order, duplicates included (last one wins).
pub fn set_many<E: RegistryError>(
    vm: &VM,
    admin_parameter_key: &str,
    keys: &[Key],
    values: &[B256],
) -> Result<(), E> {
    revert_if_not_admin::<E>(vm, admin_parameter_key)?;
    if keys.is_empty() {
        return Err(NoKeys {}.into());
    }
    if keys.len() != values.len() {
        return Err(ArrayLengthMismatch {}.into());
    }
    for (key, value) in keys.iter().zip(values) {
        set_parameter(vm, &key.0, *value);
    }
    Ok(())
}

/// `set(string,bytes32)`: admins only; no "no change" check, so the event is emitted every time.
pub fn set_one<E: RegistryError>(
    vm: &VM,
    admin_parameter_key: &str,
    key: &Key,
    value: B256,
) -> Result<(), E> {
    revert_if_not_admin::<E>(vm, admin_parameter_key)?;
    set_parameter(vm, &key.0, value);
    Ok(())
}

/// `get(string[])`: the values in order, zero for unset keys; `NoKeys()` for an empty list.
pub fn get_many<E: From<NoKeys>>(vm: &VM, keys: &[Key]) -> Result<Vec<B256>, E> {
    if keys.is_empty() {
        return Err(NoKeys {}.into());
    }
    Ok(keys.iter().map(|key| get(vm, &key.0)).collect())
}

/// `get(string)`: the stored value, zero when unset.
#[must_use]
pub fn get(vm: &VM, key: &[u8]) -> B256 {
    rooted::<StorageB256>(vm, parameter_slot(vm, key)).get()
}

/// Whether `account`'s admin key holds any non-zero value.
#[must_use]
pub fn is_admin(vm: &VM, admin_parameter_key: &str, account: Address) -> bool {
    !get(vm, admin_key(admin_parameter_key, account).as_bytes()).is_zero()
}

/// `migrate()`: the migrator comes from this registry's own storage, so no call is made to read
/// it; a value above 160 bits is `ParameterOutOfTypeBounds()`.
pub fn migrate<E: RegistryError>(vm: &VM, migrator_parameter_key: &str) -> Result<(), E> {
    let migrator = params::address_from_word(get(vm, migrator_parameter_key.as_bytes()))?;
    migratable::migrate(vm, migrator)
}

/// `NotAdmin()` unless the caller is an admin.
pub fn revert_if_not_admin<E: From<NotAdmin>>(vm: &VM, admin_parameter_key: &str) -> Result<(), E> {
    if is_admin(vm, admin_parameter_key, vm.msg_sender()) {
        return Ok(());
    }
    Err(NotAdmin {}.into())
}

/// Stores `value` under `key` and emits `ParameterSet(key, key, value)`: topic 1 the key's hash,
/// data `abi.encode(key, value)` with the key's raw bytes (the encoding of `string` and `bytes`
/// is the same), built by hand because the generated event holds a UTF-8 `String`.
fn set_parameter(vm: &VM, key: &[u8], value: B256) {
    rooted::<StorageB256>(vm, parameter_slot(vm, key)).set(value);
    let data = <(sol_data::Bytes, sol_data::FixedBytes<32>)>::abi_encode_params(&(key, value));
    let mut log = Vec::with_capacity(64 + data.len());
    log.extend_from_slice(ParameterSet::SIGNATURE_HASH.as_slice());
    log.extend_from_slice(vm.native_keccak256(key).as_slice());
    log.extend_from_slice(&data);
    vm.emit_log(&log, 2);
}

#[cfg(all(test, feature = "testing"))]
mod tests {
    use alloy_primitives::{address, b256, uint};

    use super::*;
    use crate::testing::MockHost;

    #[test]
    fn parameter_slots_match_the_spec_vectors() {
        let host = MockHost::new();
        let vm = host.sdk_vm();
        assert_eq!(
            parameter_slot(&vm, b"xmtp.settlementChainGateway.paused"),
            uint!(0x7728d4feb960de88769972537447b19eb55db1b6580ffa10d258bf69d918c7d4_U256)
        );
        assert_eq!(
            parameter_slot(
                &vm,
                b"xmtp.settlementChainParameterRegistry.isAdmin.0x0bb1de335cf9c23723ca22c1fdfa64e51c1bed67"
            ),
            uint!(0xb590a782c02cc7fb9f9be76ceb061ed5177a9f264a0eb57eb1aa1d68c36de621_U256)
        );
    }

    #[test]
    fn keys_are_abi_strings_of_any_bytes() {
        assert_eq!(
            RawString::abi_decode(&sol_data::String::abi_encode("abc")),
            Ok(Key::from("abc"))
        );
        let raw = Key([0xff, 0x00, 0xc3].to_vec());
        let encoded = RawString::abi_encode(&raw);
        assert_eq!(encoded, sol_data::Bytes::abi_encode(&raw.0));
        assert_eq!(RawString::abi_decode_validate(&encoded), Ok(raw));
        assert_eq!(<Key as AbiType>::ABI.as_str(), "string");
        assert_eq!(<Vec<Key> as AbiType>::SELECTOR_ABI.as_str(), "string[]");
    }

    #[test]
    fn admin_keys_use_lowercase_hex() {
        assert_eq!(
            admin_key(
                "xmtp.settlementChainParameterRegistry.isAdmin",
                address!("0x0bb1dE335cf9c23723ca22c1fdFa64e51C1BEd67")
            ),
            "xmtp.settlementChainParameterRegistry.isAdmin.0x0bb1de335cf9c23723ca22c1fdfa64e51c1bed67"
        );
    }

    #[test]
    fn parameter_set_topic_is_the_key_hash() {
        let host = MockHost::new();
        let vm = host.sdk_vm();
        set_parameter(&vm, b"xmtp.settlementChainGateway.paused", ADMIN_FLAG);
        let logs = host.vm.get_emitted_logs();
        assert_eq!(
            logs[0].0[1],
            b256!("0x91de067d6ba45c497567f1730cebdf7c97c763d8d0cba8fd45527e4b257e0407")
        );
        assert_eq!(
            host.vm.get_storage(uint!(
                0x7728d4feb960de88769972537447b19eb55db1b6580ffa10d258bf69d918c7d4_U256
            )),
            ADMIN_FLAG
        );
    }
}

/// Declares a parameter-registry program: its `migrator` and `isAdmin` keys
/// (`xmtp.<namespace>.<name>`), its error enum, its `#[entrypoint]` struct and its `#[public]`
/// interface, every function routed to this module. The app-chain and settlement-chain
/// registries differ only in their names.
///
/// The caller declares `extern crate alloc;`.
#[macro_export]
macro_rules! registry_program {
    (program: $program:ident, error: $error:ident, namespace: $namespace:literal $(,)?) => {
        // The SDK's router names `Vec` unqualified, and `no_std` has no prelude one.
        use alloc::vec::Vec;

        /// Where this registry's own migrator is set.
        pub const MIGRATOR_PARAMETER_KEY: &str = concat!("xmtp.", $namespace, ".migrator");

        /// The prefix of admin keys (`<prefix>.<0x…lowercase address>`).
        pub const ADMIN_PARAMETER_KEY: &str = concat!("xmtp.", $namespace, ".isAdmin");

        /// The errors the registry reverts with.
        #[derive(::stylus_sdk::prelude::SolidityError, Debug, PartialEq)]
        pub enum $error {
            /// `initialize` ran before on this proxy, or this is the bare implementation.
            InvalidInitialization(::xmtp_abi::oz_initializable::InvalidInitialization),
            /// `initialize` with no admins.
            EmptyAdmins(::xmtp_abi::parameter_registry::EmptyAdmins),
            /// `initialize` with a zero admin.
            ZeroAdmin(::xmtp_abi::parameter_registry::ZeroAdmin),
            /// `set` by an account whose admin key is zero.
            NotAdmin(::xmtp_abi::parameter_registry::NotAdmin),
            /// `set` or `get` with an empty key list.
            NoKeys(::xmtp_abi::parameter_registry::NoKeys),
            /// `set` with different numbers of keys and values.
            ArrayLengthMismatch(::xmtp_abi::parameter_registry::ArrayLengthMismatch),
            /// The migrator parameter is not an address.
            ParameterOutOfTypeBounds(::xmtp_abi::registry_parameters::ParameterOutOfTypeBounds),
            /// No migrator is set.
            ZeroMigrator(::xmtp_abi::migratable::ZeroMigrator),
            /// The migrator reverted; carries its revert data.
            MigrationFailed(::xmtp_abi::migratable::MigrationFailed),
            /// The migrator has no code.
            EmptyCode(::xmtp_abi::migratable::EmptyCode),
        }

        pub use entry::$program;

        // The SDK's `#[entrypoint]` generates an undocumented public function; a private module
        // keeps it out of the crate's public (documented) surface.
        mod entry {
            use alloc::{vec, vec::Vec};

            use stylus_sdk::prelude::*;

            /// The program; its state is the registry core's mapping at the
            /// `xmtp.storage.ParameterRegistry` root.
            #[storage]
            #[entrypoint]
            pub struct $program {}
        }

        // The SDK's router hands decoded arguments over by value.
        #[allow(clippy::needless_pass_by_value)]
        #[::stylus_sdk::prelude::public]
        impl $program {
            /// Makes each of `admins_` an admin (their keys set to 1); once per proxy.
            pub fn initialize(
                &mut self,
                admins_: Vec<::alloy_primitives::Address>,
            ) -> Result<(), $error> {
                $crate::registry::initialize(self.vm(), ADMIN_PARAMETER_KEY, &admins_)
            }

            /// Sets each key to its value, in order (admins only).
            #[selector(name = "set")]
            pub fn set_many(
                &mut self,
                keys_: Vec<$crate::registry::Key>,
                values_: Vec<::alloy_primitives::B256>,
            ) -> Result<(), $error> {
                $crate::registry::set_many(self.vm(), ADMIN_PARAMETER_KEY, &keys_, &values_)
            }

            /// Sets one key (admins only).
            #[selector(name = "set")]
            pub fn set_one(
                &mut self,
                key_: $crate::registry::Key,
                value_: ::alloy_primitives::B256,
            ) -> Result<(), $error> {
                $crate::registry::set_one(self.vm(), ADMIN_PARAMETER_KEY, &key_, value_)
            }

            /// Migrates this registry's proxy through the migrator set under its own migrator
            /// key.
            pub fn migrate(&mut self) -> Result<(), $error> {
                $crate::registry::migrate(self.vm(), MIGRATOR_PARAMETER_KEY)
            }

            #[doc = concat!("`\"xmtp.", $namespace, ".migrator\"`.")]
            pub fn migrator_parameter_key() -> alloc::string::String {
                MIGRATOR_PARAMETER_KEY.into()
            }

            #[doc = concat!("`\"xmtp.", $namespace, ".isAdmin\"`.")]
            pub fn admin_parameter_key() -> alloc::string::String {
                ADMIN_PARAMETER_KEY.into()
            }

            /// Whether `account_`'s admin key holds a non-zero value.
            pub fn is_admin(&self, account_: ::alloy_primitives::Address) -> bool {
                $crate::registry::is_admin(self.vm(), ADMIN_PARAMETER_KEY, account_)
            }

            /// The values of `keys_`, in order (zero where unset).
            #[selector(name = "get")]
            pub fn get_many(
                &self,
                keys_: Vec<$crate::registry::Key>,
            ) -> Result<Vec<::alloy_primitives::B256>, $error> {
                $crate::registry::get_many(self.vm(), &keys_)
            }

            /// The value of `key_` (zero when unset).
            #[selector(name = "get")]
            pub fn get_one(&self, key_: $crate::registry::Key) -> ::alloy_primitives::B256 {
                $crate::registry::get(self.vm(), &key_.0)
            }

            /// The executing proxy's implementation.
            pub fn implementation(&self) -> ::alloy_primitives::Address {
                $crate::storage::implementation(self.vm())
            }

            /// `"1.0.0"`.
            pub fn version() -> alloc::string::String {
                "1.0.0".into()
            }

            #[doc = concat!("`\"", stringify!($program), "\"`.")]
            pub fn contract_name() -> alloc::string::String {
                stringify!($program).into()
            }
        }
    };
}
