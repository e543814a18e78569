//! Revert data passed through unchanged, as a Solidity high-level call re-raises a callee's error.

use alloc::vec::Vec;

use stylus_sdk::stylus_core::errors::MethodError;

/// A callee's raw revert data, re-raised as is (a program error enum carries it as a variant).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bubbled(pub Vec<u8>);

impl MethodError for Bubbled {
    fn encode(self) -> Vec<u8> {
        self.0
    }
}
