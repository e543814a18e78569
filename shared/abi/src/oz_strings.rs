//! `OpenZeppelin` v5 `Strings` (used by `ParameterKeys` to format key components).

solidity! {
    error StringsInsufficientHexLength(uint256 value, uint256 length);
}
