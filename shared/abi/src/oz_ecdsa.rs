//! `OpenZeppelin` v5 `ECDSA` recovery errors (surfaced by the `FeeToken`'s `permit`).

solidity! {
    error ECDSAInvalidSignature();
    error ECDSAInvalidSignatureLength(uint256 length);
    error ECDSAInvalidSignatureS(bytes32 s);
}
