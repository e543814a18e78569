//! `ISequentialMerkleProofsErrors`: the payer-report proof verifier's errors.

solidity! {
    error NoLeaves();
    error InvalidBitCount32Input();
    error InvalidProof();
    error NoProofElements();
    error InvalidLeafCount();
}
