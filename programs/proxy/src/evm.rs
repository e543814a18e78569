//! The EVM flavour of the proxy: 59 bytes of EVM runtime doing what the Stylus runtime does.
//!
//! Deployers may put it in front of the Stylus implementations instead of the Stylus runtime
//! (issue 10: measured cheaper for most operations, since an EVM frame pays no Stylus entry
//! cost and holds no WASM memory page). It is created with the same constructor prelude
//! ([`crate::creation_code`]), so the argument checks, the ERC-1967 slot and the initialization
//! through the Factory's `Initializable` are the same for both flavours.
//!
//! The bytes are written out by hand (programs do not depend on the devnet's assembler); the
//! tests walk them as a disassembler would, and `xmtp-bench` and `xmtp-deploy` run them.

use alloc::vec::Vec;

/// The slot the runtime reads its implementation from (ERC-1967's).
pub use xmtp_bare::ERC1967_IMPLEMENTATION_SLOT;

/// Length of [`runtime`].
pub const RUNTIME_LEN: usize = 59;

mod op {
    pub const CALLDATASIZE: u8 = 0x36;
    pub const CALLDATACOPY: u8 = 0x37;
    pub const RETURNDATASIZE: u8 = 0x3d;
    pub const RETURNDATACOPY: u8 = 0x3e;
    pub const SLOAD: u8 = 0x54;
    pub const JUMPI: u8 = 0x57;
    pub const GAS: u8 = 0x5a;
    pub const JUMPDEST: u8 = 0x5b;
    pub const PUSH0: u8 = 0x5f;
    pub const PUSH2: u8 = 0x61;
    pub const PUSH32: u8 = 0x7f;
    pub const DELEGATECALL: u8 = 0xf4;
    pub const RETURN: u8 = 0xf3;
    pub const REVERT: u8 = 0xfd;
}

/// Where the success path starts (the `JUMPDEST` the `JUMPI` takes).
const SUCCESS: u16 = 0x37;

/// The runtime: copy the calldata to memory 0, `DELEGATECALL` the implementation in the ERC-1967
/// slot with all gas, copy the return data to memory 0, and return it, or revert with it when
/// the call failed.
#[must_use]
pub fn runtime() -> Vec<u8> {
    use op::{
        CALLDATACOPY, CALLDATASIZE, DELEGATECALL, GAS, JUMPDEST, JUMPI, PUSH0, PUSH2, PUSH32,
        RETURN, RETURNDATACOPY, RETURNDATASIZE, REVERT, SLOAD,
    };
    let mut code = Vec::with_capacity(RUNTIME_LEN);
    // calldatacopy(0, 0, calldatasize())
    code.extend_from_slice(&[CALLDATASIZE, PUSH0, PUSH0, CALLDATACOPY]);
    // delegatecall(gas(), sload(slot), 0, calldatasize(), 0, 0)
    code.extend_from_slice(&[PUSH0, PUSH0, CALLDATASIZE, PUSH0, PUSH32]);
    code.extend_from_slice(&ERC1967_IMPLEMENTATION_SLOT);
    code.extend_from_slice(&[SLOAD, GAS, DELEGATECALL]);
    // returndatacopy(0, 0, returndatasize()); the call's status stays on the stack.
    code.extend_from_slice(&[RETURNDATASIZE, PUSH0, PUSH0, RETURNDATACOPY]);
    code.push(PUSH2);
    code.extend_from_slice(&SUCCESS.to_be_bytes());
    code.extend_from_slice(&[JUMPI, RETURNDATASIZE, PUSH0, REVERT]);
    debug_assert_eq!(code.len(), usize::from(SUCCESS));
    code.extend_from_slice(&[JUMPDEST, RETURNDATASIZE, PUSH0, RETURN]);
    debug_assert_eq!(code.len(), RUNTIME_LEN);
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (offset, opcode, immediate) of every instruction.
    fn disassemble(code: &[u8]) -> Vec<(usize, u8, &[u8])> {
        let mut out = Vec::new();
        let mut pc = 0;
        while pc < code.len() {
            let opcode = code[pc];
            let immediate = if (0x60..=0x7f).contains(&opcode) {
                usize::from(opcode - 0x5f)
            } else {
                0
            };
            out.push((pc, opcode, &code[pc + 1..pc + 1 + immediate]));
            pc += 1 + immediate;
        }
        out
    }

    #[test]
    fn the_runtime_disassembles_to_the_erc1967_forwarder() {
        let code = runtime();
        assert_eq!(code.len(), RUNTIME_LEN);
        let instructions = disassemble(&code);
        let opcodes: Vec<u8> = instructions.iter().map(|(_, opcode, _)| *opcode).collect();
        assert_eq!(
            opcodes,
            [
                0x36, 0x5f, 0x5f, 0x37, // calldatacopy
                0x5f, 0x5f, 0x36, 0x5f, 0x7f, 0x54, 0x5a, 0xf4, // delegatecall
                0x3d, 0x5f, 0x5f, 0x3e, // returndatacopy
                0x61, 0x57, 0x3d, 0x5f, 0xfd, // revert on failure
                0x5b, 0x3d, 0x5f, 0xf3, // return
            ]
        );
        assert_eq!(instructions[8].2, ERC1967_IMPLEMENTATION_SLOT);
        // The jump lands on the only JUMPDEST, which is an instruction, not push data.
        let target = usize::from(u16::from_be_bytes(instructions[16].2.try_into().unwrap()));
        assert_eq!(
            instructions
                .iter()
                .filter(|(_, opcode, _)| *opcode == op::JUMPDEST)
                .map(|(pc, _, _)| *pc)
                .collect::<Vec<_>>(),
            [target]
        );
        assert_eq!(
            hex(&code),
            "365f5f375f5f365f7f360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc\
             545af43d5f5f3e610037573d5ffd5b3d5ff3"
        );
    }

    #[test]
    fn the_creation_code_is_the_shared_prelude_then_this_runtime() {
        let code = crate::creation_code(&runtime());
        assert_eq!(code.len(), crate::constructor::PRELUDE_LEN + RUNTIME_LEN);
        assert_eq!(code[crate::constructor::PRELUDE_LEN..], runtime());
    }

    fn hex(bytes: &[u8]) -> alloc::string::String {
        use core::fmt::Write as _;
        bytes
            .iter()
            .fold(alloc::string::String::new(), |mut out, b| {
                let _ = write!(out, "{b:02x}");
                out
            })
    }
}
