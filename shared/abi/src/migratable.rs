//! `IMigratable`: migration through a migrator read from the parameter registry.

solidity! {
    event Migrated(address indexed migrator);

    error ZeroMigrator();
    error MigrationFailed(address migrator_, bytes revertData_);
    error EmptyCode(address migrator_);

    /// The migration entry point plus the inherited `IERC1967` getter.
    interface IMigratable {
        function migrate() external;
        function implementation() external view returns (address implementation_);
    }
}
