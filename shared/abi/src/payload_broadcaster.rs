//! `IPayloadBroadcaster`: what the two app-chain broadcasters share.

solidity! {
    event MinPayloadSizeUpdated(uint256 indexed size);
    event MaxPayloadSizeUpdated(uint256 indexed size);
    event PayloadBootstrapperUpdated(address indexed payloadBootstrapper);

    error ZeroPayloadBootstrapper();
    error InvalidPayloadSize(uint256 actualSize_, uint256 minSize_, uint256 maxSize_);
    error InvalidMaxPayloadSize();
    error InvalidMinPayloadSize();
    error NotPaused();
    error NotPayloadBootstrapper();

    /// The shared surface, inherited functions included (each broadcaster adds two functions).
    interface IPayloadBroadcaster {
        function initialize() external;
        function updateMinPayloadSize() external;
        function updateMaxPayloadSize() external;
        function updatePauseStatus() external;
        function updatePayloadBootstrapper() external;
        function minPayloadSizeParameterKey() external pure returns (string memory key_);
        function maxPayloadSizeParameterKey() external pure returns (string memory key_);
        function migratorParameterKey() external pure returns (string memory key_);
        function pausedParameterKey() external pure returns (string memory key_);
        function payloadBootstrapperParameterKey() external pure returns (string memory key_);
        function parameterRegistry() external view returns (address parameterRegistry_);
        function minPayloadSize() external view returns (uint32 size_);
        function maxPayloadSize() external view returns (uint32 size_);
        function paused() external view returns (bool paused_);
        function payloadBootstrapper() external view returns (address payloadBootstrapper_);
        function migrate() external;
        function implementation() external view returns (address implementation_);
        function version() external pure returns (string memory version_);
        function contractName() external pure returns (string memory contractName_);
    }
}

pub use crate::factory::{Paused, ZeroParameterRegistry};
pub use crate::settlement_chain_gateway::{NoChange, PauseStatusUpdated};
