//! `IFactory`: deterministic deployment of implementations and proxies.

solidity! {
    event InitializableImplementationDeployed(address indexed implementation);
    event ImplementationDeployed(address indexed implementation, bytes32 indexed bytecodeHash);
    event ProxyDeployed(
        address indexed proxy,
        address indexed implementation,
        address indexed sender,
        bytes32 salt,
        bytes initializeCallData
    );

    error ZeroParameterRegistry();
    error EmptyBytecode();
    error DeployFailed();
    error Paused();

    interface IFactory {
        function initialize() external;
        function deployImplementation(bytes memory bytecode_) external returns (address implementation_);
        function deployProxy(address implementation_, bytes32 salt_, bytes calldata initializeCallData_)
            external
            returns (address proxy_);
        function migrate() external;
        function pausedParameterKey() external pure returns (string memory key_);
        function migratorParameterKey() external pure returns (string memory key_);
        function paused() external view returns (bool paused_);
        function parameterRegistry() external view returns (address parameterRegistry_);
        function initializableImplementation() external view returns (address initializableImplementation_);
        function computeImplementationAddress(bytes calldata bytecode_) external view returns (address implementation_);
        function computeProxyAddress(address caller_, bytes32 salt_) external view returns (address proxy_);
        function implementation() external view returns (address implementation_);
        function version() external pure returns (string memory version_);
        function contractName() external pure returns (string memory contractName_);
    }
}

pub use crate::migrator::InvalidImplementation;
