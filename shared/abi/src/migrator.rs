//! `Migrator` and `GenericEIP1967Migrator`.

solidity! {
    error ZeroFromImplementation();
    error ZeroToImplementation();
    error UnexpectedImplementation();
    error InvalidImplementation();

    interface IMigrator {
        function fromImplementation() external view returns (address);
        function toImplementation() external view returns (address);
    }

    interface IGenericEIP1967Migrator {
        function newImpl() external view returns (address);
    }
}
