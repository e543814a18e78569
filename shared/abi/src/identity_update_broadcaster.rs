//! `IIdentityUpdateBroadcaster`: identity updates published on the app chain.

solidity! {
    event IdentityUpdateCreated(bytes32 indexed inboxId, bytes update, uint64 indexed sequenceId);

    /// Everything the `IdentityUpdateBroadcaster` exposes, inherited functions included.
    interface IIdentityUpdateBroadcaster {
        function addIdentityUpdate(bytes32 inboxId_, bytes calldata identityUpdate_) external;
        function bootstrapIdentityUpdates(
            bytes32[] calldata inboxIds_,
            bytes[] calldata identityUpdates_,
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

pub use crate::group_message_broadcaster::EmptyArray;
pub use crate::parameter_registry::ArrayLengthMismatch;
pub use crate::payload_broadcaster::{
    InvalidMaxPayloadSize, InvalidMinPayloadSize, InvalidPayloadSize, MaxPayloadSizeUpdated,
    MinPayloadSizeUpdated, NoChange, NotPaused, NotPayloadBootstrapper, PauseStatusUpdated, Paused,
    PayloadBootstrapperUpdated, ZeroParameterRegistry, ZeroPayloadBootstrapper,
};
