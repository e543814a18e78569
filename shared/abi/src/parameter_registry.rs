//! `IParameterRegistry` (the settlement- and app-chain registries) and `IParameterRegistryLike`
//! (the subset other contracts call).

solidity! {
    /// `keyHash` is the indexed `string` key, so topic 1 is the keccak-256 of the key.
    event ParameterSet(string indexed keyHash, string key, bytes32 value);

    error NotAdmin();
    error NoKeys();
    error ArrayLengthMismatch();
    error EmptyAdmins();
    error ZeroAdmin();

    /// Everything a parameter registry exposes, inherited functions included.
    ///
    /// The overloads are listed single-key first, as in `IParameterRegistryLike`, so in both
    /// interfaces `set_0`/`get_0` take one key and `set_1`/`get_1` take arrays.
    interface IParameterRegistry {
        function initialize(address[] calldata admins_) external;
        function set(string calldata key_, bytes32 value_) external;
        function set(string[] calldata keys_, bytes32[] calldata values_) external;
        function isAdmin(address account_) external view returns (bool isAdmin_);
        function get(string calldata key_) external view returns (bytes32 value_);
        function get(string[] calldata keys_) external view returns (bytes32[] memory values_);
        function migratorParameterKey() external pure returns (string memory key_);
        function adminParameterKey() external pure returns (string memory key_);
        function migrate() external;
        function implementation() external view returns (address implementation_);
        function version() external pure returns (string memory version_);
        function contractName() external pure returns (string memory contractName_);
    }

    interface IParameterRegistryLike {
        function set(string calldata key_, bytes32 value_) external;
        function get(string calldata key_) external view returns (bytes32 value_);
        function get(string[] calldata keys_) external view returns (bytes32[] memory values_);
    }
}

/// `ISettlementChainParameterRegistry` adds nothing to [`IParameterRegistry`].
pub use IParameterRegistry as ISettlementChainParameterRegistry;

/// `IAppChainParameterRegistry` adds nothing to [`IParameterRegistry`].
pub use IParameterRegistry as IAppChainParameterRegistry;
