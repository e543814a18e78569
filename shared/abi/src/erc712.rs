//! XMTP `IERC712`: the EIP-712 domain separator getter.

solidity! {
    interface IERC712 {
        function DOMAIN_SEPARATOR() external view returns (bytes32 domainSeparator_);
    }
}
