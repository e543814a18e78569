//! `ISettlementChainGateway`: deposits and parameters sent to app chains through their
//! Arbitrum inboxes, and withdrawals received back.

solidity! {
    /// Not the `PayerRegistry`'s `Deposit` (see [`crate::payer_registry::Deposit`]).
    event Deposit(
        uint256 indexed chainId,
        uint256 indexed messageNumber,
        address indexed recipient,
        uint256 amount,
        uint256 maxFees
    );
    event ParametersSent(uint256 indexed chainId, uint256 indexed messageNumber, uint256 nonce, string[] keys);
    event InboxUpdated(uint256 indexed chainId, address indexed inbox);
    event WithdrawalReceived(address indexed recipient, uint256 amount);
    /// Declared identically by the gateways, the broadcasters, `PayerRegistry` and `DistributionManager`.
    event PauseStatusUpdated(bool indexed paused);

    error ZeroAppChainGateway();
    error ZeroFeeToken();
    /// Solady `SafeTransferLib`'s error, also declared by the contracts that use the library.
    error TransferFromFailed();
    error NoChainIds();
    error UnsupportedChainId(uint256 chainId);
    error NoChange();
    /// Declared, never raised.
    error ZeroBalance();
    error ZeroAmount();
    error ZeroRecipient();
    error InvalidFeeTokenDecimals();
    error InsufficientAmount(uint256 appChainAmount, uint256 maxTotalCosts);

    /// Everything the `SettlementChainGateway` exposes, inherited functions included.
    interface ISettlementChainGateway {
        function initialize() external;
        function deposit(
            uint256 chainId_,
            address recipient_,
            uint256 amount_,
            uint256 gasLimit_,
            uint256 maxFeePerGas_
        ) external;
        function depositWithPermit(
            uint256 chainId_,
            address recipient_,
            uint256 amount_,
            uint256 gasLimit_,
            uint256 maxFeePerGas_,
            uint256 deadline_,
            uint8 v_,
            bytes32 r_,
            bytes32 s_
        ) external;
        function depositFromUnderlying(
            uint256 chainId_,
            address recipient_,
            uint256 amount_,
            uint256 gasLimit_,
            uint256 maxFeePerGas_
        ) external;
        function depositFromUnderlyingWithPermit(
            uint256 chainId_,
            address recipient_,
            uint256 amount_,
            uint256 gasLimit_,
            uint256 maxFeePerGas_,
            uint256 deadline_,
            uint8 v_,
            bytes32 r_,
            bytes32 s_
        ) external;
        function sendParameters(
            uint256[] calldata chainIds_,
            string[] calldata keys_,
            uint256 gasLimit_,
            uint256 maxFeePerGas_,
            uint256 amountToSend_
        ) external returns (uint256 totalSent_);
        function sendParametersWithPermit(
            uint256[] calldata chainIds_,
            string[] calldata keys_,
            uint256 gasLimit_,
            uint256 maxFeePerGas_,
            uint256 amountToSend_,
            uint256 deadline_,
            uint8 v_,
            bytes32 r_,
            bytes32 s_
        ) external returns (uint256 totalSent_);
        function sendParametersFromUnderlying(
            uint256[] calldata chainIds_,
            string[] calldata keys_,
            uint256 gasLimit_,
            uint256 maxFeePerGas_,
            uint256 amountToSend_
        ) external returns (uint256 totalSent_);
        function sendParametersFromUnderlyingWithPermit(
            uint256[] calldata chainIds_,
            string[] calldata keys_,
            uint256 gasLimit_,
            uint256 maxFeePerGas_,
            uint256 amountToSend_,
            uint256 deadline_,
            uint8 v_,
            bytes32 r_,
            bytes32 s_
        ) external returns (uint256 totalSent_);
        function updateInbox(uint256 chainId_) external;
        function receiveWithdrawal(address recipient_) external returns (uint256 amount_);
        function receiveWithdrawalIntoUnderlying(address recipient_)
            external
            returns (uint256 amount_);
        function updatePauseStatus() external;
        function inboxParameterKey() external pure returns (string memory key_);
        function migratorParameterKey() external pure returns (string memory key_);
        function pausedParameterKey() external pure returns (string memory key_);
        function parameterRegistry() external view returns (address parameterRegistry_);
        function appChainGateway() external view returns (address appChainGateway_);
        function appChainAlias() external view returns (address alias_);
        function feeToken() external view returns (address feeToken_);
        function paused() external view returns (bool paused_);
        function calculateMaxDepositFee(
            uint256 chainId_,
            uint256 gasLimit_,
            uint256 maxFeePerGas_,
            uint256 maxBaseFee_
        ) external view returns (uint256 fees_);
        function getInbox(uint256 chainId_) external view returns (address inbox_);
        function migrate() external;
        function implementation() external view returns (address implementation_);
        function version() external pure returns (string memory version_);
        function contractName() external pure returns (string memory contractName_);
    }
}

pub use crate::factory::{Paused, ZeroParameterRegistry};
pub use crate::parameter_registry::NoKeys;
