//! `IParameterRegistryLike`: the registry calls other contracts make.

solidity! {
    interface IParameterRegistryLike {
        function set(string calldata key_, bytes32 value_) external;
        function get(string calldata key_) external view returns (bytes32 value_);
        function get(string[] calldata keys_) external view returns (bytes32[] memory values_);
    }
}
