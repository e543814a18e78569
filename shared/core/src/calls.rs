//! External calls made the way the reference makes them: Solidity high-level calls (revert data
//! bubbles, return data decoded with Solidity's checks), low-level calls whose outcome is
//! ignored, and solady's `SafeTransferLib.safeTransferFrom`.
//!
//! Programs permit reentrancy, so every state-changing call here flushes and clears the storage
//! cache: the callee may call back and write this contract's storage, and a value cached before
//! the call would then be stale. Static calls only flush (a static callee cannot write).

use alloc::vec::Vec;

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::SolCall;
use stylus_sdk::{call::RawCall, host::VM, prelude::*};
use xmtp_abi::{
    settlement_chain_external::IERC20Like, settlement_chain_gateway::TransferFromFailed,
};

use crate::{abi_lean, revert::Bubbled};

/// A `CALL` of `target` with `value`: the output, or the callee's revert data to re-raise.
pub fn call(vm: &VM, target: Address, value: U256, calldata: &[u8]) -> Result<Vec<u8>, Bubbled> {
    // SAFETY: the cache is flushed before and cleared for after, so a callee that reenters and
    // writes our storage is neither missed nor overwritten.
    unsafe {
        RawCall::new_with_value(vm, value)
            .clear_storage_cache()
            .call(target, calldata)
    }
    .map_err(Bubbled)
}

/// A `STATICCALL` of `target`: the output, or the callee's revert data to re-raise.
pub fn static_call(vm: &VM, target: Address, calldata: &[u8]) -> Result<Vec<u8>, Bubbled> {
    // SAFETY: a static callee cannot write our storage; flushing lets it read our pending writes.
    unsafe {
        RawCall::new_static(vm)
            .flush_storage_cache()
            .call(target, calldata)
    }
    .map_err(Bubbled)
}

/// A high-level call of a function that returns nothing: Solidity first requires `target` to
/// have code (reverting with empty data otherwise), then calls it; a revert bubbles.
pub fn call_returning_nothing(vm: &VM, target: Address, calldata: &[u8]) -> Result<(), Bubbled> {
    if vm.code_size(target) == 0 {
        return Err(Bubbled::default());
    }
    call(vm, target, U256::ZERO, calldata).map(drop)
}

/// A low-level call whose success, failure and output are all ignored, as the reference's
/// `address(token).call(permit...)` is.
pub fn call_ignoring_outcome(vm: &VM, target: Address, calldata: &[u8]) {
    // The outcome is deliberately dropped: a permit already used must not stop the flow.
    let _ = call(vm, target, U256::ZERO, calldata);
}

/// The first return word, as Solidity's decoder takes a value type: shorter output reverts
/// with empty data; bytes after the word are ignored.
pub fn returned_word(output: &[u8]) -> Result<B256, Bubbled> {
    output
        .get(..32)
        .map(B256::from_slice)
        .ok_or_else(Bubbled::default)
}

/// A returned `uint256`.
pub fn returned_uint(output: &[u8]) -> Result<U256, Bubbled> {
    returned_word(output).map(|word| U256::from_be_bytes(word.0))
}

/// A returned `bool`: Solidity's decoder refuses a word other than 0 or 1 (empty revert).
pub fn returned_bool(output: &[u8]) -> Result<bool, Bubbled> {
    match returned_uint(output)? {
        value if value == U256::ZERO => Ok(false),
        value if value == U256::from(1) => Ok(true),
        _ => Err(Bubbled::default()),
    }
}

/// Solady's `SafeTransferLib.safeTransferFrom(token, from, to, amount)`: succeeds when the call
/// succeeds and either returns a first word equal to 1, or returns nothing from an account that
/// has code; anything else (a revert, `false`, no code) is `TransferFromFailed()`.
pub fn safe_transfer_from(
    vm: &VM,
    token: Address,
    from: Address,
    to: Address,
    amount: U256,
) -> Result<(), TransferFromFailed> {
    let calldata = abi_lean::encode(
        Some(IERC20Like::transferFromCall::SELECTOR),
        &[
            abi_lean::address(from),
            abi_lean::address(to),
            abi_lean::uint(amount),
        ],
    );
    let output = call(vm, token, U256::ZERO, &calldata).map_err(|_| TransferFromFailed {})?;
    let returned_true = output.len() >= 32 && U256::from_be_slice(&output[..32]) == U256::from(1);
    if returned_true || (output.is_empty() && vm.code_size(token) != 0) {
        return Ok(());
    }
    Err(TransferFromFailed {})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_need_32_bytes_and_ignore_the_rest() {
        assert_eq!(returned_word(&[0u8; 31]), Err(Bubbled::default()));
        let mut output = [0u8; 40];
        output[31] = 7;
        assert_eq!(returned_uint(&output), Ok(U256::from(7)));
    }

    #[test]
    fn bools_are_zero_or_one() {
        let mut word = [0u8; 32];
        assert_eq!(returned_bool(&word), Ok(false));
        word[31] = 1;
        assert_eq!(returned_bool(&word), Ok(true));
        word[31] = 2;
        assert_eq!(returned_bool(&word), Err(Bubbled::default()));
        assert_eq!(returned_bool(&[]), Err(Bubbled::default()));
    }
}
