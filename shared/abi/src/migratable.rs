//! `IMigratable`: migration through a migrator read from the parameter registry.

solidity! {
    event Migrated(address indexed migrator);

    error ZeroMigrator();
    error MigrationFailed(address migrator_, bytes revertData_);
    error EmptyCode(address migrator_);
}
