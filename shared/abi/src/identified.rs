//! `IIdentified`: the version and name every XMTP contract reports.

solidity! {
    interface IIdentified {
        function version() external pure returns (string memory version_);
        function contractName() external pure returns (string memory contractName_);
    }
}
