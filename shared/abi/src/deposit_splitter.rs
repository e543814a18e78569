//! `IDepositSplitter`: one deposit split between the `PayerRegistry` and an app chain.

solidity! {
    error ZeroAppChainId();
    error ZeroTotalAmount();

    /// Everything the `DepositSplitter` exposes, inherited functions included.
    interface IDepositSplitter {
        function deposit(
            address payer_,
            uint96 payerRegistryAmount_,
            address appChainRecipient_,
            uint96 appChainAmount_,
            uint256 appChainGasLimit_,
            uint256 appChainMaxFeePerGas_
        ) external;
        function depositWithPermit(
            address payer_,
            uint96 payerRegistryAmount_,
            address appChainRecipient_,
            uint96 appChainAmount_,
            uint256 appChainGasLimit_,
            uint256 appChainMaxFeePerGas_,
            uint256 deadline_,
            uint8 v_,
            bytes32 r_,
            bytes32 s_
        ) external;
        function depositFromUnderlying(
            address payer_,
            uint96 payerRegistryAmount_,
            address appChainRecipient_,
            uint96 appChainAmount_,
            uint256 appChainGasLimit_,
            uint256 appChainMaxFeePerGas_
        ) external;
        function depositFromUnderlyingWithPermit(
            address payer_,
            uint96 payerRegistryAmount_,
            address appChainRecipient_,
            uint96 appChainAmount_,
            uint256 appChainGasLimit_,
            uint256 appChainMaxFeePerGas_,
            uint256 deadline_,
            uint8 v_,
            bytes32 r_,
            bytes32 s_
        ) external;
        function appChainId() external view returns (uint256 appChainId_);
        function feeToken() external view returns (address feeToken_);
        function payerRegistry() external view returns (address payerRegistry_);
        function settlementChainGateway() external view returns (address settlementChainGateway_);
        function version() external pure returns (string memory version_);
        function contractName() external pure returns (string memory contractName_);
    }
}

pub use crate::app_chain_gateway::ZeroSettlementChainGateway;
pub use crate::payer_report_manager::ZeroPayerRegistry;
pub use crate::settlement_chain_gateway::{TransferFromFailed, ZeroFeeToken};
