//! `OpenZeppelin` v5 `IERC5267`, as the `FeeToken` (through `EIP712Upgradeable`) exposes it: the
//! same selector as the XMTP [`crate::erc5267::IERC5267`], with unsuffixed return names.

solidity! {
    interface IERC5267 {
        function eip712Domain()
            external
            view
            returns (
                bytes1 fields,
                string memory name,
                string memory version,
                uint256 chainId,
                address verifyingContract,
                bytes32 salt,
                uint256[] memory extensions
            );
    }
}

pub use crate::erc5267::EIP712DomainChanged;
