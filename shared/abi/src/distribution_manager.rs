//! `IDistributionManager`: the split of settled fees between nodes and the protocol.

solidity! {
    event ProtocolFeesClaim(uint32 indexed originatorNodeId, uint256 indexed payerReportIndex, uint96 amount);
    event Claim(
        uint32 indexed nodeId,
        uint32 indexed originatorNodeId,
        uint256 indexed payerReportIndex,
        uint96 amount
    );
    event ProtocolFeesWithdrawal(uint96 amount);
    /// Not the `AppChainGateway`'s `Withdrawal` (see [`crate::app_chain_gateway::Withdrawal`]).
    event Withdrawal(uint32 indexed nodeId, uint96 amount);
    event ProtocolFeesRecipientUpdated(address protocolFeesRecipient);

    error ZeroPayerReportManager();
    error AlreadyClaimed(uint32 originatorNodeId, uint256 payerReportIndex);
    error PayerReportNotSettled(uint32 originatorNodeId, uint256 payerReportIndex);
    error NotInPayerReport(uint32 originatorNodeId, uint256 payerReportIndex);
    error NoFeesOwed();
    error ZeroAvailableBalance();
    error ZeroProtocolFeeRecipient();

    /// Everything the `DistributionManager` exposes, inherited functions included.
    interface IDistributionManager {
        function initialize() external;
        function claimProtocolFees(
            uint32[] calldata originatorNodeIds_,
            uint256[] calldata payerReportIndices_
        ) external returns (uint96 claimed_);
        function claim(
            uint32 nodeId_,
            uint32[] calldata originatorNodeIds_,
            uint256[] calldata payerReportIndices_
        ) external returns (uint96 claimed_);
        function withdrawProtocolFees() external returns (uint96 withdrawn_);
        function withdrawProtocolFeesIntoUnderlying() external returns (uint96 withdrawn_);
        function withdraw(uint32 nodeId_, address recipient_) external returns (uint96 withdrawn_);
        function withdrawIntoUnderlying(uint32 nodeId_, address recipient_)
            external
            returns (uint96 withdrawn_);
        function updatePauseStatus() external;
        function updateProtocolFeesRecipient() external;
        function migratorParameterKey() external pure returns (string memory key_);
        function pausedParameterKey() external pure returns (string memory key_);
        function protocolFeesRecipientParameterKey() external pure returns (string memory key_);
        function parameterRegistry() external view returns (address parameterRegistry_);
        function nodeRegistry() external view returns (address nodeRegistry_);
        function payerReportManager() external view returns (address payerReportManager_);
        function payerRegistry() external view returns (address payerRegistry_);
        function feeToken() external view returns (address feeToken_);
        function protocolFeesRecipient() external view returns (address protocolFeesRecipient_);
        function owedProtocolFees() external view returns (uint96 owedProtocolFees_);
        function totalOwedFees() external view returns (uint96 totalOwedFees_);
        function paused() external view returns (bool paused_);
        function getOwedFees(uint32 nodeId_) external view returns (uint96 owedFees_);
        function areProtocolFeesClaimed(uint32 originatorNodeId_, uint256 payerReportIndex_)
            external view
            returns (bool areClaimed_);
        function areFeesClaimed(uint32 nodeId_, uint32 originatorNodeId_, uint256 payerReportIndex_)
            external view
            returns (bool hasClaimed_);
        function migrate() external;
        function implementation() external view returns (address implementation_);
        function version() external pure returns (string memory version_);
        function contractName() external pure returns (string memory contractName_);
    }
}

pub use crate::factory::{Paused, ZeroParameterRegistry};
pub use crate::node_registry::NotNodeOwner;
pub use crate::parameter_registry::ArrayLengthMismatch;
pub use crate::payer_report_manager::{ZeroNodeRegistry, ZeroPayerRegistry};
pub use crate::settlement_chain_gateway::{
    NoChange, PauseStatusUpdated, ZeroFeeToken, ZeroRecipient,
};
