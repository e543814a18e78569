//! The payload-broadcaster core (`PayloadBroadcaster` in the reference): payloads published as
//! events stamped with a 64-bit sequence id, bounded in size, pausable, and re-emitted by a
//! bootstrapper while paused; the bounds, the pause flag and the bootstrapper are copied from the
//! parameter registry by permissionless `update*` functions.
//!
//! A broadcaster program routes its interface to these functions, passing its wired
//! `parameterRegistry`, its own parameter keys and a builder for its payload event; errors are
//! the program's enum.

use alloc::{vec, vec::Vec};

use alloy_primitives::{Address, Bytes, U256, U32, U64};
use alloy_sol_types::SolEvent;
use stylus_sdk::{
    host::VM,
    prelude::*,
    storage::{StorageAddress, StorageBool, StorageU32, StorageU64},
};
use xmtp_abi::{
    group_message_broadcaster::EmptyArray,
    oz_initializable::InvalidInitialization,
    parameter_registry::ArrayLengthMismatch,
    payload_broadcaster::{
        InvalidMaxPayloadSize, InvalidMinPayloadSize, InvalidPayloadSize, MaxPayloadSizeUpdated,
        MinPayloadSizeUpdated, NoChange, NotPaused, NotPayloadBootstrapper, PauseStatusUpdated,
        Paused, PayloadBootstrapperUpdated, ZeroPayloadBootstrapper,
    },
};

use crate::{
    initializable::initializer,
    migratable::{self, MigrateError},
    params::{self, ParameterError},
    slots::PAYLOAD_BROADCASTER,
    storage::rooted,
};

/// Errors a payload broadcaster can end in.
pub trait BroadcasterError:
    ParameterError
    + MigrateError
    + From<InvalidInitialization>
    + From<InvalidMinPayloadSize>
    + From<InvalidMaxPayloadSize>
    + From<NoChange>
    + From<ZeroPayloadBootstrapper>
    + From<Paused>
    + From<NotPaused>
    + From<InvalidPayloadSize>
    + From<NotPayloadBootstrapper>
    + From<ArrayLengthMismatch>
    + From<EmptyArray>
{
}

impl<E> BroadcasterError for E where
    E: ParameterError
        + MigrateError
        + From<InvalidInitialization>
        + From<InvalidMinPayloadSize>
        + From<InvalidMaxPayloadSize>
        + From<NoChange>
        + From<ZeroPayloadBootstrapper>
        + From<Paused>
        + From<NotPaused>
        + From<InvalidPayloadSize>
        + From<NotPayloadBootstrapper>
        + From<ArrayLengthMismatch>
        + From<EmptyArray>
{
}

/// The smallest minimum payload size `updateMinPayloadSize` accepts.
pub const MIN_PAYLOAD_SIZE: u32 = 1;

/// The largest maximum payload size `updateMaxPayloadSize` accepts (256 KiB).
pub const MAX_PAYLOAD_SIZE: u32 = 256 * 1024;

/// `PayloadBroadcasterStorage` at `xmtp.storage.PayloadBroadcaster`: the two sizes, the sequence
/// id and the pause flag packed into the root word (bytes 0-3, 4-7, 8-15, 16 from the low end),
/// the bootstrapper alone in the next word, as Solidity packs them.
#[storage]
pub struct PayloadBroadcasterStorage {
    min_payload_size: StorageU32,
    max_payload_size: StorageU32,
    sequence_id: StorageU64,
    paused: StorageBool,
    payload_bootstrapper: StorageAddress,
}

// Conversions from storage words use `saturating_to`: every value fits its Rust type (the fields
// are that wide, registry values are bounded first), and ruint's panicking `to` would compile
// `core::fmt` into the program.
fn layout(vm: &VM) -> PayloadBroadcasterStorage {
    rooted(vm, PAYLOAD_BROADCASTER)
}

/// OpenZeppelin `initializer` with an empty body: sizes 0/0, sequence id 0, not paused, no
/// bootstrapper, so only empty payloads fit until the sizes have been updated.
pub fn initialize<E: From<InvalidInitialization>>(vm: &VM) -> Result<(), E> {
    initializer(vm, || Ok(()))
}

/// Copies the minimum payload size from the registry: `1 <= size <= maxPayloadSize`, and
/// different from the current one.
pub fn update_min_payload_size<E: BroadcasterError>(
    vm: &VM,
    registry: Address,
    key: &str,
) -> Result<(), E> {
    let size = get_uint32::<E>(vm, registry, key)?;
    let mut state = layout(vm);
    if size < MIN_PAYLOAD_SIZE || size > state.max_payload_size.get().saturating_to::<u32>() {
        return Err(InvalidMinPayloadSize {}.into());
    }
    if size == state.min_payload_size.get().saturating_to::<u32>() {
        return Err(NoChange {}.into());
    }
    state.min_payload_size.set(U32::from(size));
    vm.log(MinPayloadSizeUpdated {
        size: U256::from(size),
    });
    Ok(())
}

/// Copies the maximum payload size from the registry: `minPayloadSize <= size <= 262144`, and
/// different from the current one.
pub fn update_max_payload_size<E: BroadcasterError>(
    vm: &VM,
    registry: Address,
    key: &str,
) -> Result<(), E> {
    let size = get_uint32::<E>(vm, registry, key)?;
    let mut state = layout(vm);
    if size > MAX_PAYLOAD_SIZE || size < state.min_payload_size.get().saturating_to::<u32>() {
        return Err(InvalidMaxPayloadSize {}.into());
    }
    if size == state.max_payload_size.get().saturating_to::<u32>() {
        return Err(NoChange {}.into());
    }
    state.max_payload_size.set(U32::from(size));
    vm.log(MaxPayloadSizeUpdated {
        size: U256::from(size),
    });
    Ok(())
}

/// Copies the pause flag from the registry, if it differs.
pub fn update_pause_status<E: BroadcasterError>(
    vm: &VM,
    registry: Address,
    key: &str,
) -> Result<(), E> {
    let paused = params::get_bool::<E>(vm, registry, key)?;
    let mut state = layout(vm);
    if paused == state.paused.get() {
        return Err(NoChange {}.into());
    }
    state.paused.set(paused);
    vm.log(PauseStatusUpdated { paused });
    Ok(())
}

/// Copies the bootstrapper from the registry: non-zero, and different from the current one.
pub fn update_payload_bootstrapper<E: BroadcasterError>(
    vm: &VM,
    registry: Address,
    key: &str,
) -> Result<(), E> {
    let bootstrapper = params::get_address::<E>(vm, registry, key)?;
    let mut state = layout(vm);
    if bootstrapper.is_zero() {
        return Err(ZeroPayloadBootstrapper {}.into());
    }
    if bootstrapper == state.payload_bootstrapper.get() {
        return Err(NoChange {}.into());
    }
    state.payload_bootstrapper.set(bootstrapper);
    vm.log(PayloadBootstrapperUpdated {
        payloadBootstrapper: bootstrapper,
    });
    Ok(())
}

/// Migrates through the migrator set in the registry under `key`.
pub fn migrate<E: BroadcasterError>(vm: &VM, registry: Address, key: &str) -> Result<(), E> {
    let migrator = params::get_address::<E>(vm, registry, key)?;
    migratable::migrate(vm, migrator)
}

/// Publishes `payload` under the next sequence id (wrapping after `2^64 - 1`, as the
/// reference's unchecked increment does) through the event `event(payload, id)` builds; refused
/// while paused or outside the size bounds.
pub fn add<E: BroadcasterError, T: SolEvent>(
    vm: &VM,
    payload: Bytes,
    event: impl FnOnce(Bytes, u64) -> T,
) -> Result<(), E> {
    let mut state = layout(vm);
    if state.paused.get() {
        return Err(Paused {}.into());
    }
    let (min, max) = (state.min_payload_size.get(), state.max_payload_size.get());
    let size = U256::from(payload.len());
    if size < U256::from(min) || size > U256::from(max) {
        return Err(InvalidPayloadSize {
            actualSize_: size,
            minSize_: U256::from(min),
            maxSize_: U256::from(max),
        }
        .into());
    }
    let sequence_id = state
        .sequence_id
        .get()
        .saturating_to::<u64>()
        .wrapping_add(1);
    state.sequence_id.set(U64::from(sequence_id));
    vm.log(event(payload, sequence_id));
    Ok(())
}

/// Re-emits historical payloads with their own sequence ids, only while paused and only by the
/// bootstrapper; no size, order or uniqueness checks. The stored sequence id becomes the largest
/// of itself and every supplied id, so it never decreases.
pub fn bootstrap<E: BroadcasterError, K, T: SolEvent>(
    vm: &VM,
    ids: Vec<K>,
    payloads: Vec<Bytes>,
    sequence_ids: Vec<u64>,
    event: impl Fn(K, Bytes, u64) -> T,
) -> Result<(), E> {
    let mut state = layout(vm);
    if !state.paused.get() {
        return Err(NotPaused {}.into());
    }
    if state.payload_bootstrapper.get() != vm.msg_sender() {
        return Err(NotPayloadBootstrapper {}.into());
    }
    if ids.len() != payloads.len() || ids.len() != sequence_ids.len() {
        return Err(ArrayLengthMismatch {}.into());
    }
    if ids.is_empty() {
        return Err(EmptyArray {}.into());
    }
    let mut max_sequence_id = state.sequence_id.get().saturating_to::<u64>();
    for ((id, payload), sequence_id) in ids.into_iter().zip(payloads).zip(sequence_ids) {
        vm.log(event(id, payload, sequence_id));
        max_sequence_id = max_sequence_id.max(sequence_id);
    }
    state.sequence_id.set(U64::from(max_sequence_id));
    Ok(())
}

/// The current minimum payload size.
#[must_use]
pub fn min_payload_size(vm: &VM) -> u32 {
    layout(vm).min_payload_size.get().saturating_to()
}

/// The current maximum payload size.
#[must_use]
pub fn max_payload_size(vm: &VM) -> u32 {
    layout(vm).max_payload_size.get().saturating_to()
}

/// Whether `add*` is paused (and `bootstrap*` allowed).
#[must_use]
pub fn paused(vm: &VM) -> bool {
    layout(vm).paused.get()
}

/// The account allowed to bootstrap while paused (zero until set).
#[must_use]
pub fn payload_bootstrapper(vm: &VM) -> Address {
    layout(vm).payload_bootstrapper.get()
}

/// The last sequence id used (the reference has no getter; tests and tools read it here).
#[must_use]
pub fn sequence_id(vm: &VM) -> u64 {
    layout(vm).sequence_id.get().saturating_to()
}

fn get_uint32<E: ParameterError>(vm: &VM, registry: Address, key: &str) -> Result<u32, E> {
    Ok(params::get_uint::<E>(vm, registry, key, 32)?.saturating_to::<u32>())
}

/// Declares a broadcaster program: its parameter keys (`xmtp.<namespace>.<name>`), its
/// `parameterRegistry` wiring, its error enum, its `#[entrypoint]` struct and its `#[public]`
/// interface, where the two program-specific functions (publishing and bootstrapping with its own
/// event) come first and the rest (`initialize`, the `update*` functions, `migrate`, the key,
/// wiring, state and identity views) routes to this module. The two broadcasters differ only in
/// those functions, so everything a reviewer must compare with the reference is in one place.
///
/// The caller declares `extern crate alloc;` and imports its event; the functions it passes are
/// written against `Error` (the enum's alias) and this module as `broadcaster`. Their return type
/// is written again by this macro, not taken from the caller, because the SDK's router names its
/// result with the return type's span: the spans of every function must come from one macro.
#[macro_export]
macro_rules! broadcaster_program {
    (
        program: $program:ident,
        error: $error:ident,
        abi: $abi:ident,
        namespace: $namespace:literal,
        add: $add:literal,
        bootstrap: $bootstrap:literal,
        payload: $payload:literal,
        $(
            $(#[$attr:meta])*
            pub fn $name:ident(&mut $self:ident, $($arg:ident: $ty:ty),* $(,)?)
                -> Result<(), Error> $body:block
        )*
    ) => {
        /// Registry key of the minimum payload size (uint32).
        pub const MIN_PAYLOAD_SIZE_PARAMETER_KEY: &str =
            concat!("xmtp.", $namespace, ".minPayloadSize");
        /// Registry key of the maximum payload size (uint32).
        pub const MAX_PAYLOAD_SIZE_PARAMETER_KEY: &str =
            concat!("xmtp.", $namespace, ".maxPayloadSize");
        /// Registry key of the migrator (address).
        pub const MIGRATOR_PARAMETER_KEY: &str = concat!("xmtp.", $namespace, ".migrator");
        /// Registry key of the pause flag (bool).
        pub const PAUSED_PARAMETER_KEY: &str = concat!("xmtp.", $namespace, ".paused");
        /// Registry key of the payload bootstrapper (address).
        pub const PAYLOAD_BOOTSTRAPPER_PARAMETER_KEY: &str =
            concat!("xmtp.", $namespace, ".payloadBootstrapper");

        $crate::wiring! {
            /// The app-chain parameter registry this implementation reads (reference immutable).
            pub fn parameter_registry: ::alloy_primitives::Address = "parameterRegistry";
        }

        /// The errors the broadcaster reverts with.
        #[derive(::stylus_sdk::prelude::SolidityError, Debug, PartialEq)]
        pub enum $error {
            /// `initialize` ran before on this proxy, or this is the bare implementation.
            InvalidInitialization(::xmtp_abi::oz_initializable::InvalidInitialization),
            /// A registry value does not fit its type (uint32 sizes, bool, address).
            ParameterOutOfTypeBounds(::xmtp_abi::registry_parameters::ParameterOutOfTypeBounds),
            /// The registry's minimum is 0 or above the current maximum.
            InvalidMinPayloadSize(::xmtp_abi::$abi::InvalidMinPayloadSize),
            /// The registry's maximum is above 262,144 or below the current minimum.
            InvalidMaxPayloadSize(::xmtp_abi::$abi::InvalidMaxPayloadSize),
            /// The registry's value equals the current one.
            NoChange(::xmtp_abi::$abi::NoChange),
            /// The registry's bootstrapper is zero.
            ZeroPayloadBootstrapper(::xmtp_abi::$abi::ZeroPayloadBootstrapper),
            #[doc = concat!("`", $add, "` while paused.")]
            Paused(::xmtp_abi::$abi::Paused),
            #[doc = concat!("`", $bootstrap, "` while not paused.")]
            NotPaused(::xmtp_abi::$abi::NotPaused),
            #[doc = concat!("The ", $payload, " is outside the current size bounds.")]
            InvalidPayloadSize(::xmtp_abi::$abi::InvalidPayloadSize),
            #[doc = concat!("`", $bootstrap, "` by someone other than the bootstrapper.")]
            NotPayloadBootstrapper(::xmtp_abi::$abi::NotPayloadBootstrapper),
            #[doc = concat!("`", $bootstrap, "` with arrays of different lengths.")]
            ArrayLengthMismatch(::xmtp_abi::$abi::ArrayLengthMismatch),
            #[doc = concat!("`", $bootstrap, "` with empty arrays.")]
            EmptyArray(::xmtp_abi::$abi::EmptyArray),
            /// No migrator is set.
            ZeroMigrator(::xmtp_abi::migratable::ZeroMigrator),
            /// The migrator reverted; carries its revert data.
            MigrationFailed(::xmtp_abi::migratable::MigrationFailed),
            /// The migrator has no code.
            EmptyCode(::xmtp_abi::migratable::EmptyCode),
            /// The registry's revert, passed through.
            Bubbled($crate::Bubbled),
        }

        pub use entry::$program;

        // The SDK's `#[entrypoint]` generates an undocumented public function; a private module
        // keeps it out of the crate's public (documented) surface.
        mod entry {
            use alloc::{vec, vec::Vec};

            use stylus_sdk::prelude::*;

            /// The program; its state is the broadcaster core's `PayloadBroadcasterStorage` at
            /// the `xmtp.storage.PayloadBroadcaster` root.
            #[storage]
            #[entrypoint]
            pub struct $program {}
        }

        type Error = $error;

        // The SDK's router hands decoded arguments over by value.
        #[allow(clippy::needless_pass_by_value)]
        #[::stylus_sdk::prelude::public]
        impl $program {
            $(
                $(#[$attr])*
                pub fn $name(&mut $self, $($arg: $ty),*) -> Result<(), Error> $body
            )*

            /// Marks this proxy initialized (nothing else to set up); once.
            pub fn initialize(&mut self) -> Result<(), Error> {
                $crate::broadcaster::initialize(self.vm())
            }

            /// Pulls the minimum payload size from the registry.
            pub fn update_min_payload_size(&mut self) -> Result<(), Error> {
                $crate::broadcaster::update_min_payload_size(
                    self.vm(),
                    parameter_registry(),
                    MIN_PAYLOAD_SIZE_PARAMETER_KEY,
                )
            }

            /// Pulls the maximum payload size from the registry.
            pub fn update_max_payload_size(&mut self) -> Result<(), Error> {
                $crate::broadcaster::update_max_payload_size(
                    self.vm(),
                    parameter_registry(),
                    MAX_PAYLOAD_SIZE_PARAMETER_KEY,
                )
            }

            /// Pulls the pause flag from the registry.
            pub fn update_pause_status(&mut self) -> Result<(), Error> {
                $crate::broadcaster::update_pause_status(
                    self.vm(),
                    parameter_registry(),
                    PAUSED_PARAMETER_KEY,
                )
            }

            /// Pulls the payload bootstrapper from the registry.
            pub fn update_payload_bootstrapper(&mut self) -> Result<(), Error> {
                $crate::broadcaster::update_payload_bootstrapper(
                    self.vm(),
                    parameter_registry(),
                    PAYLOAD_BOOTSTRAPPER_PARAMETER_KEY,
                )
            }

            /// Migrates this broadcaster's proxy through the migrator set in the registry.
            pub fn migrate(&mut self) -> Result<(), Error> {
                $crate::broadcaster::migrate(self.vm(), parameter_registry(), MIGRATOR_PARAMETER_KEY)
            }

            #[doc = concat!("`\"xmtp.", $namespace, ".minPayloadSize\"`.")]
            pub fn min_payload_size_parameter_key() -> alloc::string::String {
                MIN_PAYLOAD_SIZE_PARAMETER_KEY.into()
            }

            #[doc = concat!("`\"xmtp.", $namespace, ".maxPayloadSize\"`.")]
            pub fn max_payload_size_parameter_key() -> alloc::string::String {
                MAX_PAYLOAD_SIZE_PARAMETER_KEY.into()
            }

            #[doc = concat!("`\"xmtp.", $namespace, ".migrator\"`.")]
            pub fn migrator_parameter_key() -> alloc::string::String {
                MIGRATOR_PARAMETER_KEY.into()
            }

            #[doc = concat!("`\"xmtp.", $namespace, ".paused\"`.")]
            pub fn paused_parameter_key() -> alloc::string::String {
                PAUSED_PARAMETER_KEY.into()
            }

            #[doc = concat!("`\"xmtp.", $namespace, ".payloadBootstrapper\"`.")]
            pub fn payload_bootstrapper_parameter_key() -> alloc::string::String {
                PAYLOAD_BOOTSTRAPPER_PARAMETER_KEY.into()
            }

            /// The parameter registry this implementation was built with.
            #[selector(name = "parameterRegistry")]
            pub fn parameter_registry_getter(&self) -> ::alloy_primitives::Address {
                parameter_registry()
            }

            /// The current minimum payload size.
            pub fn min_payload_size(&self) -> u32 {
                $crate::broadcaster::min_payload_size(self.vm())
            }

            /// The current maximum payload size.
            pub fn max_payload_size(&self) -> u32 {
                $crate::broadcaster::max_payload_size(self.vm())
            }

            #[doc = concat!("Whether `", $add, "` is paused (and bootstrapping allowed).")]
            pub fn paused(&self) -> bool {
                $crate::broadcaster::paused(self.vm())
            }

            /// The account allowed to bootstrap while paused.
            pub fn payload_bootstrapper(&self) -> ::alloy_primitives::Address {
                $crate::broadcaster::payload_bootstrapper(self.vm())
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
