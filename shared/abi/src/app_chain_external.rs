//! The app-chain subset interfaces (`External.sol`): the `ArbSys` precompile and the
//! settlement-chain gateway's withdrawal entry points (the L2-to-L1 message's calldata).

solidity! {
    /// The `ArbSys` precompile, at `0x0000000000000000000000000000000000000064`.
    interface IArbSysLike {
        function sendTxToL1(address destination_, bytes calldata data_)
            external
            payable
            returns (uint256 messageId_);
    }

    /// Declared without return values; selectors do not depend on them.
    interface ISettlementChainGatewayLike {
        function receiveWithdrawal(address recipient_) external;
        function receiveWithdrawalIntoUnderlying(address recipient_) external;
    }
}

/// The `ArbSys` precompile's address.
pub const ARB_SYS: alloy_primitives::Address =
    alloy_primitives::address!("0000000000000000000000000000000000000064");
