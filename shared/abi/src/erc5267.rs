//! XMTP `IERC5267`: EIP-712 domain introspection (ERC-5267), as the `PayerReportManager` exposes it.

solidity! {
    /// Also declared, identically, by `OpenZeppelin`'s `IERC5267` (see [`crate::oz_erc5267`]).
    event EIP712DomainChanged();

    /// ERC-5267 with the XMTP return names, plus the inherited `IERC712` getter.
    interface IERC5267 {
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
    }
}
