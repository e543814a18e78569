//! `RateRegistry`: the append-only on-chain history of the fee rates nodes price messages with.
//! Anyone may call `updateRates()` to copy the current rate parameters from the parameter
//! registry into a new entry; entries never change once written.
//!
//! Differences from the reference (see `DEVIATIONS.md`):
//! - `parameterRegistry` is wiring, not a constructor immutable (the pipeline refuses zero, which
//!   is where `ZeroParameterRegistry()` is reported).
#![cfg_attr(target_arch = "wasm32", no_std, no_main)]

extern crate alloc;

use alloc::{string::String, vec, vec::Vec};

use alloy_primitives::{Address, U256, U64};
use alloy_sol_types::{Panic, PanicKind};
use stylus_sdk::{
    prelude::*,
    storage::{StorageU64, StorageVec},
};
use xmtp_abi::{
    migratable::{EmptyCode, MigrationFailed, ZeroMigrator},
    oz_initializable::InvalidInitialization,
    rate_registry::{
        EndIndexOutOfRange, FromIndexOutOfRange, InvalidStartTime, NoChange, RatesUpdated,
        ZeroCount,
    },
    registry_parameters::ParameterOutOfTypeBounds,
};
use xmtp_core::{
    initializable::initializer, migratable, params, slots::RATE_REGISTRY, storage::rooted, Bubbled,
};

const MESSAGE_FEE_PARAMETER_KEY: &str = "xmtp.rateRegistry.messageFee";
const STORAGE_FEE_PARAMETER_KEY: &str = "xmtp.rateRegistry.storageFee";
const CONGESTION_FEE_PARAMETER_KEY: &str = "xmtp.rateRegistry.congestionFee";
const TARGET_RATE_PER_MINUTE_PARAMETER_KEY: &str = "xmtp.rateRegistry.targetRatePerMinute";
const RATES_IN_EFFECT_AFTER_PARAMETER_KEY: &str = "xmtp.rateRegistry.ratesInEffectAfter";
const MIGRATOR_PARAMETER_KEY: &str = "xmtp.rateRegistry.migrator";

xmtp_core::wiring! {
    /// The parameter registry rates and the migrator are read from (reference immutable).
    pub fn parameter_registry: Address = "parameterRegistry";
}

/// `Rates` as returned by `getRates`: message fee, storage fee, congestion fee, target rate per
/// minute and start time (the ABI encoding of the reference's `Rates` struct).
pub type Rates = (u64, u64, u64, u64, u64);

/// The errors the rate registry reverts with.
#[derive(SolidityError, Debug, PartialEq)]
pub enum RateRegistryError {
    /// `initialize()` ran before on this proxy, or this is the bare implementation.
    InvalidInitialization(InvalidInitialization),
    /// `getRates` with a count of zero.
    ZeroCount(ZeroCount),
    /// `getRates` starting at or past the end of the history.
    FromIndexOutOfRange(FromIndexOutOfRange),
    /// `getRates` ending past the end of the history.
    EndIndexOutOfRange(EndIndexOutOfRange),
    /// `updateRates` with the same four fees as the last entry.
    NoChange(NoChange),
    /// `updateRates` with a start time not after the last entry's.
    InvalidStartTime(InvalidStartTime),
    /// A rate parameter above 2^64 - 1, or a migrator parameter that is not an address.
    ParameterOutOfTypeBounds(ParameterOutOfTypeBounds),
    /// No migrator is set.
    ZeroMigrator(ZeroMigrator),
    /// The migrator reverted; carries its revert data.
    MigrationFailed(MigrationFailed),
    /// The migrator has no code.
    EmptyCode(EmptyCode),
    /// `Panic(0x11)`: `getRates`' `fromIndex_ + count_` passed 2^256 - 1.
    Panic(Panic),
    /// The parameter registry's revert, passed through.
    Bubbled(Bubbled),
}

/// One history entry, laid out as the reference's `Rates` struct: the four fees packed in the
/// first slot (message fee in the low-order bytes), the start time alone in the second.
#[storage]
pub struct RatesStorage {
    message_fee: StorageU64,
    storage_fee: StorageU64,
    congestion_fee: StorageU64,
    target_rate_per_minute: StorageU64,
    start_time: StorageU64,
}

/// `RateRegistryStorage` at `xmtp.storage.RateRegistry`: the history, oldest first.
#[storage]
pub struct RateRegistryStorage {
    all_rates: StorageVec<RatesStorage>,
}

pub use entry::RateRegistry;

// The SDK's `#[entrypoint]` generates an undocumented public function; a private module keeps it
// out of the crate's public (documented) surface.
mod entry {
    use alloc::{vec, vec::Vec};

    use stylus_sdk::prelude::*;

    /// The program; its state lives in [`super::RateRegistryStorage`] at the
    /// `xmtp.storage.RateRegistry` root.
    #[storage]
    #[entrypoint]
    pub struct RateRegistry {}
}

// The SDK's router hands decoded arguments over by value.
#[allow(clippy::needless_pass_by_value)]
#[public]
impl RateRegistry {
    /// Marks this proxy initialized (the history starts empty); once.
    pub fn initialize(&mut self) -> Result<(), RateRegistryError> {
        initializer(self.vm(), || Ok(()))
    }

    /// Appends the parameter registry's current rates to the history.
    pub fn update_rates(&mut self) -> Result<(), RateRegistryError> {
        let message_fee = self.rate_parameter(MESSAGE_FEE_PARAMETER_KEY)?;
        let storage_fee = self.rate_parameter(STORAGE_FEE_PARAMETER_KEY)?;
        let congestion_fee = self.rate_parameter(CONGESTION_FEE_PARAMETER_KEY)?;
        let target_rate_per_minute = self.rate_parameter(TARGET_RATE_PER_MINUTE_PARAMETER_KEY)?;
        let start_time = self.rate_parameter(RATES_IN_EFFECT_AFTER_PARAMETER_KEY)?;
        let fees = [
            message_fee,
            storage_fee,
            congestion_fee,
            target_rate_per_minute,
        ];
        let mut state = self.layout();
        let count = state.all_rates.len();
        if let Some(last) = count
            .checked_sub(1)
            .and_then(|index| state.all_rates.get(index))
        {
            revert_if_no_change(&last, fees)?;
            revert_if_invalid_start_time(&last, start_time)?;
        }
        let mut entry = state.all_rates.grow();
        entry.message_fee.set(U64::from(message_fee));
        entry.storage_fee.set(U64::from(storage_fee));
        entry.congestion_fee.set(U64::from(congestion_fee));
        entry
            .target_rate_per_minute
            .set(U64::from(target_rate_per_minute));
        entry.start_time.set(U64::from(start_time));
        self.vm().log(RatesUpdated {
            messageFee: message_fee,
            storageFee: storage_fee,
            congestionFee: congestion_fee,
            targetRatePerMinute: target_rate_per_minute,
            startTime: start_time,
        });
        Ok(())
    }

    /// Migrates this proxy through the migrator set in the parameter registry.
    pub fn migrate(&mut self) -> Result<(), RateRegistryError> {
        let vm = self.vm().clone();
        let migrator = params::get_address::<RateRegistryError>(
            &vm,
            parameter_registry(),
            MIGRATOR_PARAMETER_KEY,
        )?;
        migratable::migrate(&vm, migrator)
    }

    /// The `count_` entries from `fromIndex_` on.
    pub fn get_rates(
        &self,
        from_index_: U256,
        count_: U256,
    ) -> Result<Vec<Rates>, RateRegistryError> {
        if count_.is_zero() {
            return Err(ZeroCount {}.into());
        }
        let state = self.layout();
        let length = U256::from(state.all_rates.len());
        if from_index_ >= length {
            return Err(FromIndexOutOfRange {}.into());
        }
        let end = from_index_
            .checked_add(count_)
            .ok_or(Panic::from(PanicKind::UnderOverflow))?;
        if end > length {
            return Err(EndIndexOutOfRange {}.into());
        }
        // Both bounds are at most the history's length, itself a `usize`.
        let (from, end): (usize, usize) = (from_index_.saturating_to(), end.saturating_to());
        Ok((from..end)
            .filter_map(|index| state.all_rates.get(index))
            .map(|entry| {
                (
                    entry.message_fee.get().to(),
                    entry.storage_fee.get().to(),
                    entry.congestion_fee.get().to(),
                    entry.target_rate_per_minute.get().to(),
                    entry.start_time.get().to(),
                )
            })
            .collect())
    }

    /// The number of entries in the history.
    pub fn get_rates_count(&self) -> U256 {
        U256::from(self.layout().all_rates.len())
    }

    /// `"xmtp.rateRegistry.messageFee"`.
    pub fn message_fee_parameter_key() -> String {
        MESSAGE_FEE_PARAMETER_KEY.into()
    }

    /// `"xmtp.rateRegistry.storageFee"`.
    pub fn storage_fee_parameter_key() -> String {
        STORAGE_FEE_PARAMETER_KEY.into()
    }

    /// `"xmtp.rateRegistry.congestionFee"`.
    pub fn congestion_fee_parameter_key() -> String {
        CONGESTION_FEE_PARAMETER_KEY.into()
    }

    /// `"xmtp.rateRegistry.targetRatePerMinute"`.
    pub fn target_rate_per_minute_parameter_key() -> String {
        TARGET_RATE_PER_MINUTE_PARAMETER_KEY.into()
    }

    /// `"xmtp.rateRegistry.ratesInEffectAfter"`.
    pub fn rates_in_effect_after_parameter_key() -> String {
        RATES_IN_EFFECT_AFTER_PARAMETER_KEY.into()
    }

    /// `"xmtp.rateRegistry.migrator"`.
    pub fn migrator_parameter_key() -> String {
        MIGRATOR_PARAMETER_KEY.into()
    }

    /// The parameter registry this implementation was built with.
    #[selector(name = "parameterRegistry")]
    pub fn parameter_registry_getter(&self) -> Address {
        parameter_registry()
    }

    /// The executing proxy's implementation.
    pub fn implementation(&self) -> Address {
        xmtp_core::storage::implementation(self.vm())
    }

    /// `"1.0.1"`.
    pub fn version() -> String {
        "1.0.1".into()
    }

    /// `"RateRegistry"`.
    pub fn contract_name() -> String {
        "RateRegistry".into()
    }
}

impl RateRegistry {
    fn layout(&self) -> RateRegistryStorage {
        rooted(self.vm(), RATE_REGISTRY)
    }

    /// A `uint64` rate parameter.
    fn rate_parameter(&self, key: &str) -> Result<u64, RateRegistryError> {
        let value =
            params::get_uint::<RateRegistryError>(self.vm(), parameter_registry(), key, 64)?;
        Ok(value.to())
    }
}

/// `NoChange()` when the four fees equal the last entry's (its start time is not compared).
fn revert_if_no_change(last: &RatesStorage, fees: [u64; 4]) -> Result<(), NoChange> {
    let last_fees = [
        last.message_fee.get().to::<u64>(),
        last.storage_fee.get().to(),
        last.congestion_fee.get().to(),
        last.target_rate_per_minute.get().to(),
    ];
    if last_fees == fees {
        return Err(NoChange {});
    }
    Ok(())
}

/// `InvalidStartTime(startTime, lastStartTime)` when the start time is not after the last one.
fn revert_if_invalid_start_time(
    last: &RatesStorage,
    start_time: u64,
) -> Result<(), InvalidStartTime> {
    let last_start_time = last.start_time.get().to::<u64>();
    if start_time <= last_start_time {
        return Err(InvalidStartTime {
            startTime: start_time,
            lastStartTime: last_start_time,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests;
