//! Execution gas as the reference defines it, and each operation run twice: programs cached
//! and uncached, from the same state.
//!
//! The reference's "exec gas" is the gas the transaction's call frame consumed, sub-calls
//! included, before refunds and without intrinsic gas. The receipt cannot give it back in every
//! case (the chain follows Prague, whose EIP-7623 calldata floor can replace the receipt's
//! figure), so the outermost frame's own gas is read through an inspector.

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::SolCall;
use revm::interpreter::{CallInputs, CallOutcome, CreateInputs, CreateOutcome};
use xmtp_devnet::evm::FrameProfile;
use xmtp_devnet::{Chain, Receipt, Tx};

/// Gas of the outermost frame of one transaction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FrameGas {
    /// Gas the frame consumed, sub-calls included, before refunds.
    pub spent: u64,
    /// Refund the frame earned (EIP-3529 cap not applied).
    pub refunded: i64,
}

/// Records the gas of the outermost call or create frame.
#[derive(Debug, Default)]
struct Outermost {
    depth: usize,
    gas: Option<FrameGas>,
}

impl Outermost {
    fn end(&mut self, gas: &revm::interpreter::Gas) {
        self.depth = self.depth.saturating_sub(1);
        if self.depth == 0 {
            self.gas = Some(FrameGas {
                spent: gas.total_gas_spent(),
                refunded: gas.refunded(),
            });
        }
    }
}

impl<CTX> revm::inspector::Inspector<CTX> for Outermost {
    fn call(&mut self, _: &mut CTX, _: &mut CallInputs) -> Option<CallOutcome> {
        self.depth += 1;
        None
    }

    fn call_end(&mut self, _: &mut CTX, _: &CallInputs, outcome: &mut CallOutcome) {
        self.end(&outcome.result.gas);
    }

    fn create(&mut self, _: &mut CTX, _: &mut CreateInputs) -> Option<CreateOutcome> {
        self.depth += 1;
        None
    }

    fn create_end(&mut self, _: &mut CTX, _: &CreateInputs, outcome: &mut CreateOutcome) {
        self.end(&outcome.result.gas);
    }
}

/// A transaction that ran, with its execution gas.
#[derive(Debug, Clone)]
pub struct Run {
    /// The receipt.
    pub receipt: Receipt,
    /// Execution gas (reference definition).
    pub exec_gas: u64,
}

/// Sends `tx` (committed) and returns its receipt with the outermost frame's gas; a reverted
/// transaction is an error naming `label`.
pub fn send(chain: &mut Chain, label: &str, tx: &Tx) -> Result<Run, String> {
    let (receipt, outermost) = chain
        .inspect(tx, Outermost::default(), true)
        .map_err(|e| format!("{label}: {e}"))?;
    if !receipt.status {
        return Err(format!(
            "{label} reverted with 0x{}{}",
            alloy_primitives::hex::encode(&receipt.output),
            receipt
                .stylus_halts
                .first()
                .map(|halt| format!(" ({halt:?})"))
                .unwrap_or_default()
        ));
    }
    let gas = outermost
        .gas
        .ok_or_else(|| format!("{label}: no frame ran"))?;
    Ok(Run {
        receipt,
        exec_gas: gas.spent,
    })
}

/// An operation measured both ways.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Measured {
    /// Execution gas with every program of the system in the chain's program cache.
    pub cached: u64,
    /// Execution gas with no program cached (a transaction is its own block, so ArbOS's
    /// per-block cache starts empty too).
    pub uncached: u64,
}

/// Runs `tx` with `programs` cached (profiling its Stylus frames when `profile` is set; the
/// profile is empty otherwise), rolls back, runs it again uncached and keeps that state. Both
/// runs must succeed with the same output.
pub fn measure(
    chain: &mut Chain,
    programs: &[B256],
    label: &str,
    tx: &Tx,
    profile: bool,
) -> Result<(Measured, Receipt, Vec<FrameProfile>), String> {
    let before = chain.snapshot();
    set_cached(chain, programs, true)?;
    chain.set_profiling(profile);
    let cached = send(chain, label, tx);
    chain.set_profiling(false);
    let cached = cached?;
    let frames = if profile {
        chain.profile().to_vec()
    } else {
        Vec::new()
    };
    chain.restore(before);
    let uncached = send(chain, label, tx)?;
    if cached.receipt.output != uncached.receipt.output {
        return Err(format!(
            "{label}: cached and uncached runs returned different data"
        ));
    }
    Ok((
        Measured {
            cached: cached.exec_gas,
            uncached: uncached.exec_gas,
        },
        uncached.receipt,
        frames,
    ))
}

/// Marks every code hash of `programs` cached or not.
pub fn set_cached(chain: &mut Chain, programs: &[B256], cached: bool) -> Result<(), String> {
    for codehash in programs {
        if !chain.set_program_cached(*codehash, cached) {
            return Err(format!("code hash {codehash} is not an active program"));
        }
    }
    Ok(())
}

/// A call transaction from `from` to `to` with ABI-encoded `call`.
pub fn call_tx<C: SolCall>(from: Address, to: Address, call: &C) -> Tx {
    Tx::call(from, to, call.abi_encode())
}

/// A call transaction with value.
pub fn call_tx_value<C: SolCall>(from: Address, to: Address, call: &C, value: U256) -> Tx {
    call_tx(from, to, call).value(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `SSTORE(0, CALLDATALOAD(0))`, then returns.
    const STORE: [u8; 6] = [0x60, 0x00, 0x35, 0x60, 0x00, 0x55];

    #[test]
    fn exec_gas_is_the_frame_before_refunds_and_without_intrinsic_gas() {
        let mut chain = Chain::new(1);
        let from = Address::repeat_byte(0xaa);
        let to = Address::repeat_byte(0xbb);
        chain.fund(from, U256::from(10u64).pow(U256::from(20u64)));
        chain.set_code(to, STORE.to_vec().into());
        let one = [[0u8; 31].as_slice(), &[1]].concat();
        // PUSH1, CALLDATALOAD, PUSH1 (3 + 3 + 3) and a cold 0 -> non-zero SSTORE (22,100).
        let set = send(&mut chain, "set", &Tx::call(from, to, one)).unwrap();
        assert_eq!(set.exec_gas, 9 + 22_100);
        // 31 zero bytes and one non-zero byte of calldata.
        assert_eq!(set.receipt.gas_used, 21_000 + 31 * 4 + 16 + 9 + 22_100);
        // Non-zero -> zero: 2,900 + cold 2,100, refund 4,800 (under the 1/5 cap of the receipt;
        // the result is above the EIP-7623 floor of 21,000 + 10 per calldata token).
        let clear = send(&mut chain, "clear", &Tx::call(from, to, vec![0u8; 32])).unwrap();
        assert_eq!(clear.exec_gas, 9 + 5_000);
        assert_eq!(clear.receipt.gas_refunded, 4_800);
        assert_eq!(clear.receipt.gas_used, 21_000 + 32 * 4 + 9 + 5_000 - 4_800);
    }

    #[test]
    fn a_revert_is_an_error_naming_the_operation() {
        let mut chain = Chain::new(1);
        let from = Address::repeat_byte(0xaa);
        let to = Address::repeat_byte(0xcc);
        chain.fund(from, U256::from(10u64).pow(U256::from(20u64)));
        // PUSH1 0 PUSH1 0 REVERT
        chain.set_code(to, vec![0x60, 0x00, 0x60, 0x00, 0xfd].into());
        let error = send(&mut chain, "op", &Tx::call(from, to, vec![])).unwrap_err();
        assert_eq!(error, "op reverted with 0x");
    }
}
