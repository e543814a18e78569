//! A tiny EVM assembler with labels, for the bridge's system contracts and for tests.
//!
//! The devnet's system contracts are small enough to write by hand, and writing them as opcodes
//! keeps the project free of a Solidity toolchain.

use std::collections::HashMap;

/// One assembly item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A raw opcode.
    Op(u8),
    /// `PUSHn` of the given big-endian bytes (1 to 32 of them; zero length pushes `PUSH0`).
    Push(Vec<u8>),
    /// A jump destination (emits `JUMPDEST`).
    Label(&'static str),
    /// `PUSH2` of a label's offset.
    PushLabel(&'static str),
}

/// Opcodes used by the devnet's contracts.
#[allow(missing_docs)]
pub mod op {
    pub const STOP: u8 = 0x00;
    pub const ADD: u8 = 0x01;
    pub const MUL: u8 = 0x02;
    pub const LT: u8 = 0x10;
    pub const GT: u8 = 0x11;
    pub const EQ: u8 = 0x14;
    pub const ISZERO: u8 = 0x15;
    pub const NOT: u8 = 0x19;
    pub const SHL: u8 = 0x1b;
    pub const SHR: u8 = 0x1c;
    pub const SHA3: u8 = 0x20;
    pub const ADDRESS: u8 = 0x30;
    pub const CALLER: u8 = 0x33;
    pub const CALLVALUE: u8 = 0x34;
    pub const CALLDATALOAD: u8 = 0x35;
    pub const CALLDATASIZE: u8 = 0x36;
    pub const CALLDATACOPY: u8 = 0x37;
    pub const CODECOPY: u8 = 0x39;
    pub const RETURNDATASIZE: u8 = 0x3d;
    pub const RETURNDATACOPY: u8 = 0x3e;
    pub const TIMESTAMP: u8 = 0x42;
    pub const POP: u8 = 0x50;
    pub const MLOAD: u8 = 0x51;
    pub const MSTORE: u8 = 0x52;
    pub const SLOAD: u8 = 0x54;
    pub const SSTORE: u8 = 0x55;
    pub const JUMP: u8 = 0x56;
    pub const JUMPI: u8 = 0x57;
    pub const GAS: u8 = 0x5a;
    pub const DUP1: u8 = 0x80;
    pub const DUP2: u8 = 0x81;
    pub const DUP3: u8 = 0x82;
    pub const DUP4: u8 = 0x83;
    pub const SWAP1: u8 = 0x90;
    pub const LOG1: u8 = 0xa1;
    pub const LOG2: u8 = 0xa2;
    pub const LOG3: u8 = 0xa3;
    pub const LOG4: u8 = 0xa4;
    pub const SUB: u8 = 0x03;
    pub const CALL: u8 = 0xf1;
    pub const RETURN: u8 = 0xf3;
    pub const REVERT: u8 = 0xfd;
}

/// `PUSH` of a small number.
pub fn push(v: u64) -> Item {
    let b = v.to_be_bytes();
    let first = b.iter().position(|&x| x != 0).unwrap_or(8);
    Item::Push(b[first..].to_vec())
}

/// `PUSH` of bytes as given (an address, a selector, a word).
pub fn push_bytes(b: &[u8]) -> Item {
    Item::Push(b.to_vec())
}

/// Assembles items into bytecode.
///
/// # Panics
/// On a label used but not defined, a duplicate label or a push wider than 32 bytes: these are
/// mistakes in the devnet's own fixed programs, found by its tests.
pub fn assemble(items: &[Item]) -> Vec<u8> {
    let mut labels = HashMap::new();
    let mut pc = 0usize;
    for item in items {
        match item {
            Item::Op(_) | Item::Label(_) => {
                if let Item::Label(l) = item {
                    assert!(labels.insert(*l, pc).is_none(), "duplicate label {l}");
                }
                pc += 1;
            }
            Item::Push(b) => pc += 1 + b.len(),
            Item::PushLabel(_) => pc += 3,
        }
    }
    let mut out = Vec::with_capacity(pc);
    for item in items {
        match item {
            Item::Op(o) => out.push(*o),
            Item::Label(_) => out.push(0x5b),
            Item::Push(b) => {
                assert!(b.len() <= 32, "push wider than 32 bytes");
                out.push(0x5f + u8::try_from(b.len()).expect("at most 32"));
                out.extend_from_slice(b);
            }
            Item::PushLabel(l) => {
                let at = labels
                    .get(l)
                    .unwrap_or_else(|| panic!("undefined label {l}"));
                out.push(0x61);
                out.extend_from_slice(&u16::try_from(*at).expect("code fits 64 KiB").to_be_bytes());
            }
        }
    }
    out
}

/// Init code that deploys `runtime` unchanged.
pub fn init_code(runtime: &[u8]) -> Vec<u8> {
    use op::{CODECOPY, DUP1, RETURN};
    let len = u16::try_from(runtime.len()).expect("runtime fits 64 KiB");
    // PUSH2 len, DUP1, PUSH1 offset, PUSH0, CODECOPY, PUSH0, RETURN: 10 bytes.
    let prefix_len = 10u8;
    let mut out = vec![0x61];
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&[DUP1, 0x60, prefix_len, 0x5f, CODECOPY, 0x5f, RETURN]);
    debug_assert_eq!(out.len(), usize::from(prefix_len));
    out.extend_from_slice(runtime);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_pushes_assemble() {
        let code = assemble(&[
            Item::PushLabel("end"),
            Item::Op(op::JUMP),
            push(0),
            push(0x1234),
            Item::Label("end"),
            Item::Op(op::STOP),
        ]);
        assert_eq!(
            code,
            vec![0x61, 0, 8, 0x56, 0x5f, 0x61, 0x12, 0x34, 0x5b, 0x00]
        );
    }

    #[test]
    fn init_code_prefix_is_ten_bytes() {
        let code = init_code(&[0xaa, 0xbb]);
        assert_eq!(
            code,
            vec![0x61, 0, 2, 0x80, 0x60, 10, 0x5f, 0x39, 0x5f, 0xf3, 0xaa, 0xbb]
        );
    }
}
