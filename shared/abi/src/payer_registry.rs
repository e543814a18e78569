//! `IPayerRegistry`: payer balances in fee tokens, withdrawals and usage settlement; and
//! `IPayerRegistryLike`, the subset other contracts call.

solidity! {
    /// A payer's storage record (not part of the ABI).
    struct Payer {
        int104 balance;
        uint96 pendingWithdrawal;
        uint32 withdrawableTimestamp;
        uint24 withdrawalNonce;
    }

    struct PayerFee {
        address payer;
        uint96 fee;
    }

    event SettlerUpdated(address indexed settler);
    event FeeDistributorUpdated(address indexed feeDistributor);
    event MinimumDepositUpdated(uint96 minimumDeposit);
    event WithdrawLockPeriodUpdated(uint32 withdrawLockPeriod);
    /// Not the `SettlementChainGateway`'s `Deposit` (see [`crate::settlement_chain_gateway::Deposit`]).
    event Deposit(address indexed payer, uint96 amount);
    event WithdrawalRequested(address indexed payer, uint96 amount, uint32 withdrawableTimestamp, uint24 nonce);
    event WithdrawalCancelled(address indexed payer, uint24 nonce);
    event WithdrawalFinalized(address indexed payer, uint24 nonce);
    event UsageSettled(bytes32 indexed payerReportId, address indexed payer, uint96 amount);
    event ExcessTransferred(uint96 amount);

    error NotSettler();
    error ZeroSettler();
    error ZeroFeeDistributor();
    error ZeroMinimumDeposit();
    error InsufficientDeposit(uint96 amount, uint96 minimumDeposit);
    error InsufficientBalance();
    error PendingWithdrawalExists();
    error NoPendingWithdrawal();
    error WithdrawalNotReady(uint32 timestamp, uint32 withdrawableTimestamp, uint24 nonce);
    error WithdrawLockPeriodTooHigh(uint32 withdrawLockPeriod, uint32 maxWithdrawLockPeriod);
    error PayerInDebt();
    error NoExcess();
    error ZeroPayer();

    /// Everything the `PayerRegistry` exposes, inherited functions included.
    interface IPayerRegistry {
        function initialize() external;
        function deposit(address payer_, uint96 amount_) external;
        function depositWithPermit(
            address payer_,
            uint96 amount_,
            uint256 deadline_,
            uint8 v_,
            bytes32 r_,
            bytes32 s_
        ) external;
        function depositFromUnderlying(address payer_, uint96 amount_) external;
        function depositFromUnderlyingWithPermit(
            address payer_,
            uint96 amount_,
            uint256 deadline_,
            uint8 v_,
            bytes32 r_,
            bytes32 s_
        ) external;
        function requestWithdrawal(uint96 amount_) external;
        function cancelWithdrawal() external;
        function finalizeWithdrawal(address recipient_) external;
        function finalizeWithdrawalIntoUnderlying(address recipient_) external;
        function settleUsage(bytes32 payerReportId_, PayerFee[] calldata payerFees_)
            external
            returns (uint96 feesSettled_);
        function sendExcessToFeeDistributor() external returns (uint96 excess_);
        function updateSettler() external;
        function updateFeeDistributor() external;
        function updateMinimumDeposit() external;
        function updateWithdrawLockPeriod() external;
        function updatePauseStatus() external;
        function settlerParameterKey() external pure returns (string memory key_);
        function feeDistributorParameterKey() external pure returns (string memory key_);
        function minimumDepositParameterKey() external pure returns (string memory key_);
        function withdrawLockPeriodParameterKey() external pure returns (string memory key_);
        function pausedParameterKey() external pure returns (string memory key_);
        function migratorParameterKey() external pure returns (string memory key_);
        function parameterRegistry() external view returns (address parameterRegistry_);
        function feeToken() external view returns (address feeToken_);
        function settler() external view returns (address settler_);
        function feeDistributor() external view returns (address feeDistributor_);
        function totalDeposits() external view returns (int104 totalDeposits_);
        function paused() external view returns (bool paused_);
        function totalDebt() external view returns (uint96 totalDebt_);
        function totalWithdrawable() external view returns (uint96 totalWithdrawable_);
        function minimumDeposit() external view returns (uint96 minimumDeposit_);
        function withdrawLockPeriod() external view returns (uint32 withdrawLockPeriod_);
        function excess() external view returns (uint96 excess_);
        function getBalance(address payer_) external view returns (int104 balance_);
        function getBalances(address[] calldata payers_)
            external view
            returns (int104[] memory balances_);
        function getPendingWithdrawal(address payer_)
            external view
            returns (uint96 pendingWithdrawal_, uint32 withdrawableTimestamp_, uint24 nonce_);
        function migrate() external;
        function implementation() external view returns (address implementation_);
        function version() external pure returns (string memory version_);
        function contractName() external pure returns (string memory contractName_);
    }

    /// `IPayerRegistryLike` (settlement-chain `External.sol`); declared here, next to `PayerFee`.
    interface IPayerRegistryLike {
        function deposit(address payer_, uint96 amount_) external;
        function settleUsage(bytes32 payerReportId_, PayerFee[] calldata payerFees_)
            external
            returns (uint96 feesSettled_);
        function sendExcessToFeeDistributor() external returns (uint96 excess_);
    }
}

pub use crate::app_chain_gateway::ZeroWithdrawalAmount;
pub use crate::factory::{Paused, ZeroParameterRegistry};
pub use crate::settlement_chain_gateway::{
    NoChange, PauseStatusUpdated, TransferFromFailed, ZeroFeeToken, ZeroRecipient,
};
