//! `IAppChainGateway`: the app-chain end of the gateway pair (deposits and parameters in,
//! withdrawals out through `ArbSys`).

solidity! {
    event ParametersReceived(uint256 indexed nonce, string[] keys);
    event DepositReceived(address indexed recipient, uint256 amount);
    /// Not the `DistributionManager`'s `Withdrawal` (see [`crate::distribution_manager::Withdrawal`]).
    event Withdrawal(uint256 indexed messageId, address indexed recipient, uint256 amount);

    error ZeroSettlementChainGateway();
    error NotSettlementChainGateway();
    error ZeroWithdrawalAmount();
    error TransferFailed();

    /// Everything the `AppChainGateway` exposes, inherited functions included.
    interface IAppChainGateway {
        function initialize() external;
        function withdraw(address recipient_) external payable;
        function withdrawIntoUnderlying(address recipient_) external payable;
        function receiveDeposit(address recipient_) external payable;
        function receiveParameters(
            uint256 nonce_,
            string[] calldata keys_,
            bytes32[] calldata values_
        ) external;
        function updatePauseStatus() external;
        function parameterRegistry() external view returns (address parameterRegistry_);
        function settlementChainGateway() external view returns (address settlementChainGateway_);
        function settlementChainGatewayAlias()
            external view
            returns (address settlementChainGatewayAlias_);
        function migratorParameterKey() external pure returns (string memory key_);
        function pausedParameterKey() external pure returns (string memory key_);
        function paused() external view returns (bool paused_);
        function migrate() external;
        function implementation() external view returns (address implementation_);
        function version() external pure returns (string memory version_);
        function contractName() external pure returns (string memory contractName_);
    }
}

pub use crate::factory::{Paused, ZeroParameterRegistry};
pub use crate::settlement_chain_gateway::{NoChange, PauseStatusUpdated, ZeroRecipient};
