//! `OpenZeppelin` v5 `Nonces` (used by `ERC20Permit`).

solidity! {
    error InvalidAccountNonce(address account, uint256 currentNonce);
}
