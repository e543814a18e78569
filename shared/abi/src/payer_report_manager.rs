//! `IPayerReportManager`: payer reports signed by the canonical nodes, and their settlement;
//! and `IPayerReportManagerLike`, the subset the `DistributionManager` calls.

solidity! {
    struct PayerReport {
        uint64 startSequenceId;
        uint64 endSequenceId;
        uint32 endMinuteSinceEpoch;
        uint96 feesSettled;
        uint32 offset;
        bool isSettled;
        uint16 protocolFeeRate;
        bytes32 payersMerkleRoot;
        uint32[] nodeIds;
    }

    struct PayerReportSignature {
        uint32 nodeId;
        bytes signature;
    }

    event PayerReportSubmitted(
        uint32 indexed originatorNodeId,
        uint256 indexed payerReportIndex,
        uint64 startSequenceId,
        uint64 indexed endSequenceId,
        uint32 endMinuteSinceEpoch,
        bytes32 payersMerkleRoot,
        uint32[] nodeIds,
        uint32[] signingNodeIds
    );
    event PayerReportSubsetSettled(
        uint32 indexed originatorNodeId,
        uint256 indexed payerReportIndex,
        uint32 count,
        uint32 remaining,
        uint96 feesSettled
    );
    event ProtocolFeeRateUpdated(uint16 protocolFeeRate);

    error ZeroNodeRegistry();
    error ZeroPayerRegistry();
    error InvalidStartSequenceId(uint64 startSequenceId, uint64 lastSequenceId);
    error InvalidSequenceIds();
    error UnorderedNodeIds();
    error InsufficientSignatures(uint8 validSignatureCount, uint8 requiredSignatureCount);
    error PayerReportAlreadySubmitted(uint32 originatorNodeId, uint64 startSequenceId, uint64 endSequenceId);
    error PayerReportIndexOutOfBounds();
    error PayerReportEntirelySettled();
    error PayerFeesLengthTooLong();
    error InvalidProtocolFeeRate();
    error NoReportsForOriginator(uint32 originatorNodeId);
    error NodeIdsLengthMismatch(uint32 expectedCount, uint32 providedCount);
    error NodeIdAtIndexMismatch(uint32 expectedId, uint32 actualId, uint32 index);

    /// Everything the `PayerReportManager` exposes, inherited functions (ERC-5267) included.
    interface IPayerReportManager {
        function initialize() external;
        function submit(
            uint32 originatorNodeId_,
            uint64 startSequenceId_,
            uint64 endSequenceId_,
            uint32 endMinuteSinceEpoch_,
            bytes32 payersMerkleRoot_,
            uint32[] calldata nodeIds_,
            PayerReportSignature[] calldata signatures_
        ) external returns (uint256 payerReportIndex_);
        function settle(
            uint32 originatorNodeId_,
            uint256 payerReportIndex_,
            bytes[] calldata payerFees_,
            bytes32[] calldata proofElements_
        ) external;
        function updateProtocolFeeRate() external;
        function PAYER_REPORT_TYPEHASH() external view returns (bytes32 payerReportTypehash_);
        function ONE_HUNDRED_PERCENT() external view returns (uint16 oneHundredPercent_);
        function migratorParameterKey() external pure returns (string memory key_);
        function protocolFeeRateParameterKey() external pure returns (string memory key_);
        function parameterRegistry() external view returns (address parameterRegistry_);
        function nodeRegistry() external view returns (address nodeRegistry_);
        function payerRegistry() external view returns (address payerRegistry_);
        function protocolFeeRate() external view returns (uint16 protocolFeeRate_);
        function getPayerReports(
            uint32[] calldata originatorNodeIds_,
            uint256[] calldata payerReportIndices_
        ) external view returns (PayerReport[] memory payerReports_);
        function getPayerReport(uint32 originatorNodeId_, uint256 payerReportIndex_)
            external view
            returns (PayerReport memory payerReport_);
        function getPayerReportDigest(
            uint32 originatorNodeId_,
            uint64 startSequenceId_,
            uint64 endSequenceId_,
            uint32 endMinuteSinceEpoch_,
            bytes32 payersMerkleRoot_,
            uint32[] calldata nodeIds_
        ) external view returns (bytes32 digest_);
        function eip712Domain()
            external
            view
            returns (
                bytes1 fields_,
                string memory name_,
                string memory version_,
                uint256 chainId_,
                address verifyingContract_,
                bytes32 salt_,
                uint256[] memory extensions_
            );
        function DOMAIN_SEPARATOR() external view returns (bytes32 domainSeparator_);
        function migrate() external;
        function implementation() external view returns (address implementation_);
        function version() external pure returns (string memory version_);
        function contractName() external pure returns (string memory contractName_);
    }

    /// `IPayerReportManagerLike` (settlement-chain `External.sol`); declared here, next to
    /// `PayerReport`.
    interface IPayerReportManagerLike {
        function getPayerReports(uint32[] calldata originatorNodeIds_, uint256[] calldata payerReportIndices_)
            external
            view
            returns (PayerReport[] memory payerReports_);
    }
}

pub use crate::factory::ZeroParameterRegistry;
pub use crate::parameter_registry::ArrayLengthMismatch;
pub use crate::settlement_chain_gateway::NoChange;
