//! The proxy's constructor: EVM init code that plays the reference's `constructor(address)`.
//!
//! `creation_code(runtime) ++ abi.encode(implementation)` is what a deployer CREATEs (or the
//! Factory CREATE2s). The prelude reads that trailing word, refuses value and malformed or zero
//! arguments exactly as the Solidity constructor does (`ZeroImplementation()` for zero, empty
//! revert data for an ABI-invalid word or value), stores it in the ERC-1967 slot, and returns
//! the Stylus runtime.

use alloc::vec::Vec;

use xmtp_bare::{ERC1967_IMPLEMENTATION_SLOT, ZERO_IMPLEMENTATION};

/// Length of the prelude [`creation_code`] puts before the runtime.
pub const PRELUDE_LEN: usize = 0x5f;

mod op {
    pub const PUSH1: u8 = 0x60;
    pub const PUSH2: u8 = 0x61;
    pub const PUSH4: u8 = 0x63;
    pub const PUSH32: u8 = 0x7f;
    pub const DUP1: u8 = 0x80;
    pub const CALLVALUE: u8 = 0x34;
    pub const CODECOPY: u8 = 0x39;
    pub const MLOAD: u8 = 0x51;
    pub const MSTORE: u8 = 0x52;
    pub const SSTORE: u8 = 0x55;
    pub const JUMPI: u8 = 0x57;
    pub const JUMPDEST: u8 = 0x5b;
    pub const ISZERO: u8 = 0x15;
    pub const SHL: u8 = 0x1b;
    pub const SHR: u8 = 0x1c;
    pub const RETURN: u8 = 0xf3;
    pub const REVERT: u8 = 0xfd;
}

/// The proxy's creation code for `runtime` (the on-chain Stylus code, `EFF00000` + brotli).
///
/// # Panics
/// When `runtime` is longer than 65,535 bytes minus the prelude (the EVM caps code at 24,576).
#[must_use]
pub fn creation_code(runtime: &[u8]) -> Vec<u8> {
    use op::{
        CALLVALUE, CODECOPY, DUP1, ISZERO, JUMPDEST, JUMPI, MLOAD, MSTORE, PUSH1, PUSH2, PUSH32,
        PUSH4, RETURN, REVERT, SHL, SHR, SSTORE,
    };

    let runtime_len = u16::try_from(runtime.len()).expect("runtime fits the EVM code-size limit");
    let argument_offset =
        u16::try_from(PRELUDE_LEN + runtime.len()).expect("runtime fits the EVM code-size limit");
    let (zero_implementation, malformed) = (0x49u8, 0x5au8);

    let mut code = Vec::with_capacity(PRELUDE_LEN + runtime.len());
    // Non-payable constructor.
    code.extend_from_slice(&[CALLVALUE, PUSH1, malformed, JUMPI]);
    // mem[0..32] = the trailing constructor argument.
    code.extend_from_slice(&[PUSH1, 0x20, PUSH2]);
    code.extend_from_slice(&argument_offset.to_be_bytes());
    code.extend_from_slice(&[PUSH1, 0x00, CODECOPY, PUSH1, 0x00, MLOAD]);
    // An address must fit 160 bits (Solidity's ABI decoder); it must not be zero.
    code.extend_from_slice(&[DUP1, PUSH1, 0xa0, SHR, PUSH1, malformed, JUMPI]);
    code.extend_from_slice(&[DUP1, ISZERO, PUSH1, zero_implementation, JUMPI]);
    code.push(PUSH32);
    code.extend_from_slice(&ERC1967_IMPLEMENTATION_SLOT);
    code.push(SSTORE);
    // Return the runtime.
    code.push(PUSH2);
    code.extend_from_slice(&runtime_len.to_be_bytes());
    #[allow(clippy::cast_possible_truncation)]
    code.extend_from_slice(&[
        DUP1,
        PUSH1,
        PRELUDE_LEN as u8,
        PUSH1,
        0x00,
        CODECOPY,
        PUSH1,
        0x00,
        RETURN,
    ]);
    debug_assert_eq!(code.len(), usize::from(zero_implementation));
    code.push(JUMPDEST);
    code.push(PUSH4);
    code.extend_from_slice(&ZERO_IMPLEMENTATION);
    code.extend_from_slice(&[
        PUSH1, 0xe0, SHL, PUSH1, 0x00, MSTORE, PUSH1, 0x04, PUSH1, 0x00, REVERT,
    ]);
    debug_assert_eq!(code.len(), usize::from(malformed));
    code.extend_from_slice(&[JUMPDEST, PUSH1, 0x00, DUP1, REVERT]);
    debug_assert_eq!(code.len(), PRELUDE_LEN);
    code.extend_from_slice(runtime);
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creation_code_is_prelude_then_runtime() {
        let runtime = [0xef, 0xf0, 0x00, 0x00, 0x1b, 0x2c];
        let code = creation_code(&runtime);
        assert_eq!(code.len(), PRELUDE_LEN + runtime.len());
        assert_eq!(code[PRELUDE_LEN..], runtime);
        // The argument is read from just past the runtime: PUSH1 0x20, PUSH2 <offset>.
        let offset = u16::try_from(PRELUDE_LEN + runtime.len()).unwrap();
        assert_eq!(code[4..7], [op::PUSH1, 0x20, op::PUSH2]);
        assert_eq!(code[7..9], offset.to_be_bytes());
        // The slot written is ERC-1967's, and the runtime is returned from the prelude's end.
        assert_eq!(code[28..60], ERC1967_IMPLEMENTATION_SLOT);
        assert_eq!(code[61..64], [op::PUSH2, 0x00, 0x06]);
        // The zero-argument path reverts with `ZeroImplementation()`.
        assert_eq!(
            code[0x49..0x4f],
            [op::JUMPDEST, op::PUSH4, 0x42, 0x08, 0xd2, 0xeb]
        );
    }
}
