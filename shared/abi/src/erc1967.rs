//! `IERC1967`: the implementation slot's event and getter.

solidity! {
    /// Emitted by migrators (through the proxy) when the implementation changes.
    event Upgraded(address indexed implementation);

    interface IERC1967 {
        function implementation() external view returns (address implementation_);
    }
}
