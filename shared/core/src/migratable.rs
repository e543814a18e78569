//! `Migratable`: upgrades through a migrator delegatecalled with empty calldata.

use alloy_primitives::Address;
use stylus_sdk::{call::RawCall, host::VM, prelude::*};
use xmtp_abi::migratable::{EmptyCode, Migrated, MigrationFailed, ZeroMigrator};

/// Errors [`migrate`] can end in.
pub trait MigrateError: From<ZeroMigrator> + From<MigrationFailed> + From<EmptyCode> {}
impl<E: From<ZeroMigrator> + From<MigrationFailed> + From<EmptyCode>> MigrateError for E {}

/// Emits `Migrated(migrator)`, then delegatecalls `migrator` with empty calldata; the migrator
/// rewrites the ERC-1967 slot (and emits `Upgraded`) in this context's storage.
pub fn migrate<E: MigrateError>(vm: &VM, migrator: Address) -> Result<(), E> {
    if migrator.is_zero() {
        return Err(ZeroMigrator {}.into());
    }
    vm.log(Migrated { migrator });
    // SAFETY: the migrator is the one the parameter registry's administrators chose; it may
    // rewrite any of our storage, so the cache is flushed before and cleared for after.
    let result = unsafe {
        RawCall::new_delegate(vm)
            .clear_storage_cache()
            .call(migrator, &[])
    };
    match result {
        Err(revert_data) => Err(MigrationFailed {
            migrator_: migrator,
            revertData_: revert_data.into(),
        }
        .into()),
        Ok(output) if output.is_empty() && vm.code_size(migrator) == 0 => Err(EmptyCode {
            migrator_: migrator,
        }
        .into()),
        Ok(_) => Ok(()),
    }
}
