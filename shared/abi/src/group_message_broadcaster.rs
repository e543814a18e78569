//! `IGroupMessageBroadcaster`: group messages published on the app chain.

solidity! {
    event MessageSent(bytes16 indexed groupId, bytes message, uint64 indexed sequenceId);

    error EmptyArray();

    /// Everything the `GroupMessageBroadcaster` exposes, inherited functions included.
    interface IGroupMessageBroadcaster {
        function addMessage(bytes16 groupId_, bytes calldata message_) external;
        function bootstrapMessages(
            bytes16[] calldata groupIds_,
            bytes[] calldata messages_,
            uint64[] calldata sequenceIds_
        ) external;
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

pub use crate::parameter_registry::ArrayLengthMismatch;
pub use crate::payload_broadcaster::{
    InvalidMaxPayloadSize, InvalidMinPayloadSize, InvalidPayloadSize, MaxPayloadSizeUpdated,
    MinPayloadSizeUpdated, NoChange, NotPaused, NotPayloadBootstrapper, PauseStatusUpdated, Paused,
    PayloadBootstrapperUpdated, ZeroParameterRegistry, ZeroPayloadBootstrapper,
};
