//! The settlement-chain subset interfaces (`External.sol`): what the settlement-chain contracts
//! call on tokens, on the app chains' Arbitrum ERC-20 inboxes and on each other.
//!
//! `IPayerRegistryLike` and `IPayerReportManagerLike` take structs, so they are declared next to
//! those structs and re-exported here.

solidity! {
    interface IERC20Like {
        function approve(address spender_, uint256 amount_) external returns (bool success_);
        function transfer(address recipient_, uint256 amount_) external returns (bool success_);
        function transferFrom(address sender_, address recipient_, uint256 amount_)
            external
            returns (bool success_);
        function balanceOf(address account_) external view returns (uint256 balance_);
        function decimals() external view returns (uint8 decimals_);
    }

    /// The Arbitrum inbox of an app chain whose native token is an ERC-20 (here the fee token).
    interface IERC20InboxLike {
        function sendContractTransaction(
            uint256 gasLimit_,
            uint256 maxFeePerGas_,
            address to_,
            uint256 value_,
            bytes calldata data_
        ) external returns (uint256 messageNumber_);
        function createRetryableTicket(
            address to_,
            uint256 l2CallValue_,
            uint256 maxSubmissionCost_,
            address excessFeeRefundAddress_,
            address callValueRefundAddress_,
            uint256 gasLimit_,
            uint256 maxFeePerGas_,
            uint256 tokenTotalFeeAmount_,
            bytes calldata data_
        ) external returns (uint256 messageNumber_);
        function depositERC20(uint256 amount_) external returns (uint256 messageNumber_);
        function calculateRetryableSubmissionFee(uint256 dataLength_, uint256 baseFee_)
            external
            view
            returns (uint256 submissionFee_);
    }

    /// The retryable tickets' calldata on the app chain.
    interface IAppChainGatewayLike {
        function receiveDeposit(address recipient_) external payable;
        function receiveParameters(uint256 nonce_, string[] calldata keys_, bytes32[] calldata values_)
            external;
    }

    interface INodeRegistryLike {
        function canonicalNodesCount() external view returns (uint8 canonicalNodesCount_);
        function getCanonicalNodes() external view returns (uint32[] memory canonicalNodes_);
        function getIsCanonicalNode(uint32 nodeId_) external view returns (bool isCanonicalNode_);
        function getSigner(uint32 nodeId_) external view returns (address signer_);
        function ownerOf(uint256 nodeId_) external view returns (address owner_);
    }

    interface IPermitErc20Like {
        function permit(
            address owner_,
            address spender_,
            uint256 value_,
            uint256 deadline_,
            uint8 v_,
            bytes32 r_,
            bytes32 s_
        ) external;
    }

    interface IFeeTokenLike {
        function deposit(uint256 amount_) external;
        function withdrawTo(address recipient_, uint256 amount_) external returns (bool success_);
        function underlying() external view returns (address underlying_);
    }

    /// What the `DepositSplitter` calls (not the app chain's `ISettlementChainGatewayLike`).
    interface ISettlementChainGatewayLike {
        function deposit(
            uint256 chainId_,
            address recipient_,
            uint256 amount_,
            uint256 gasLimit_,
            uint256 maxFeePerGas_
        ) external;
    }
}

pub use crate::payer_registry::IPayerRegistryLike;
pub use crate::payer_report_manager::IPayerReportManagerLike;
