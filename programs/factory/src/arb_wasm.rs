//! Activation of Stylus programs through the ArbWasm precompile.

use alloy_primitives::{address, Address, U256};
use alloy_sol_types::{sol, SolCall, SolError};
use stylus_sdk::{call::RawCall, host::VM};
use xmtp_core::Bubbled;

/// The ArbWasm precompile.
pub const ARB_WASM: Address = address!("0x0000000000000000000000000000000000000071");

sol! {
    function activateProgram(address program) external payable returns (uint16 version, uint256 dataFee);
    error ProgramUpToDate();
}

/// Whether deployed `code` is a Stylus program (the `EF F0 00` prefix; the fourth byte is the
/// dictionary, which Nitro checks at activation).
pub fn is_stylus(code: &[u8]) -> bool {
    code.starts_with(&[0xef, 0xf0, 0x00])
}

/// Activates `program` paying up to `value`; returns what the data fee left of it. A program
/// whose code is already active (activation is per codehash) needs nothing: all of `value`
/// is left. Any other ArbWasm refusal (value below the fee, invalid code) is re-raised.
pub fn activate(vm: &VM, program: Address, value: U256) -> Result<U256, Bubbled> {
    let calldata = activateProgramCall { program }.abi_encode();
    // SAFETY: ArbWasm touches no storage of ours; we hold no pending writes.
    match unsafe { RawCall::new_with_value(vm, value).call(ARB_WASM, &calldata) } {
        Ok(output) => {
            let returned =
                activateProgramCall::abi_decode_returns(&output).map_err(|_| Bubbled::default())?;
            Ok(value.saturating_sub(returned.dataFee))
        }
        Err(revert_data) if revert_data == ProgramUpToDate::SELECTOR => Ok(value),
        Err(revert_data) => Err(Bubbled(revert_data)),
    }
}
