//! The four `deposit*` and four `sendParameters*` entry points, decoded from raw calldata.
//!
//! The SDK's router decodes each distinct argument list with its own instance of alloy's
//! validating decoder; for these eight functions (nine words, `uint256[]` and `string[]`
//! arguments) that is about 35 KB of wasm, which kept the program over the 24 KiB limit. They
//! are routed through the fallback instead and decoded here with Solidity's rules: a head
//! shorter than the parameters, an address or `uint8` out of range, an offset or length that
//! leaves the calldata, or a value attached (all eight are nonpayable) revert with empty data,
//! as the reference's decoder does. One difference: a key that is not UTF-8 reverts here
//! (Solidity accepts any bytes in a `string`), since keys are Rust strings.

use alloc::{string::String, vec, vec::Vec};

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::SolCall;
use stylus_sdk::{prelude::*, ArbResult};
use xmtp_abi::settlement_chain_gateway::ISettlementChainGateway as I;

use crate::SettlementChainGateway;

/// Runs the entry point `calldata` selects, or reverts with empty data for any other selector.
pub(crate) fn dispatch(gateway: &mut SettlementChainGateway, calldata: &[u8]) -> ArbResult {
    let (Some(selector), Some(args)) = (calldata.get(..4), calldata.get(4..)) else {
        return Err(Vec::new());
    };
    let selector: [u8; 4] = [selector[0], selector[1], selector[2], selector[3]];
    if !gateway.vm().msg_value().is_zero() || !is_routed_here(selector) {
        return Err(Vec::new());
    }
    let args = Args(args);
    let has_permit = selector == I::depositWithPermitCall::SELECTOR
        || selector == I::depositFromUnderlyingWithPermitCall::SELECTOR
        || selector == I::sendParametersWithPermitCall::SELECTOR
        || selector == I::sendParametersFromUnderlyingWithPermitCall::SELECTOR;
    let head_words = if has_permit { 9 } else { 5 };
    if args.0.len() < 32 * head_words {
        return Err(Vec::new());
    }
    let permit = if has_permit {
        (args.uint(5), args.uint8(6)?, args.word(7), args.word(8))
    } else {
        (U256::ZERO, 0, B256::ZERO, B256::ZERO)
    };
    if selector == I::depositCall::SELECTOR
        || selector == I::depositWithPermitCall::SELECTOR
        || selector == I::depositFromUnderlyingCall::SELECTOR
        || selector == I::depositFromUnderlyingWithPermitCall::SELECTOR
    {
        deposit(gateway, selector, &args, permit)
    } else {
        send_parameters(gateway, selector, &args, permit)
    }
}

/// The permit arguments `(deadline_, v_, r_, s_)` (zero for the variants without a permit).
type Permit = (U256, u8, B256, B256);

fn deposit(
    gateway: &mut SettlementChainGateway,
    selector: [u8; 4],
    args: &Args<'_>,
    (deadline, v, r, s): Permit,
) -> ArbResult {
    let chain_id = args.uint(0);
    let recipient = args.address(1)?;
    let amount = args.uint(2);
    let gas_limit = args.uint(3);
    let max_fee_per_gas = args.uint(4);
    let result = if selector == I::depositCall::SELECTOR {
        gateway.deposit(chain_id, recipient, amount, gas_limit, max_fee_per_gas)
    } else if selector == I::depositWithPermitCall::SELECTOR {
        gateway.deposit_with_permit(
            chain_id,
            recipient,
            amount,
            gas_limit,
            max_fee_per_gas,
            deadline,
            v,
            r,
            s,
        )
    } else if selector == I::depositFromUnderlyingCall::SELECTOR {
        gateway.deposit_from_underlying(chain_id, recipient, amount, gas_limit, max_fee_per_gas)
    } else {
        gateway.deposit_from_underlying_with_permit(
            chain_id,
            recipient,
            amount,
            gas_limit,
            max_fee_per_gas,
            deadline,
            v,
            r,
            s,
        )
    };
    result.map(|()| Vec::new()).map_err(Vec::<u8>::from)
}

fn send_parameters(
    gateway: &mut SettlementChainGateway,
    selector: [u8; 4],
    args: &Args<'_>,
    (deadline, v, r, s): Permit,
) -> ArbResult {
    let chain_ids = args.uints(0)?;
    let keys = args.strings(1)?;
    let gas_limit = args.uint(2);
    let max_fee_per_gas = args.uint(3);
    let amount_to_send = args.uint(4);
    let result = if selector == I::sendParametersCall::SELECTOR {
        gateway.send_parameters(chain_ids, keys, gas_limit, max_fee_per_gas, amount_to_send)
    } else if selector == I::sendParametersWithPermitCall::SELECTOR {
        gateway.send_parameters_with_permit(
            chain_ids,
            keys,
            gas_limit,
            max_fee_per_gas,
            amount_to_send,
            deadline,
            v,
            r,
            s,
        )
    } else if selector == I::sendParametersFromUnderlyingCall::SELECTOR {
        gateway.send_parameters_from_underlying(
            chain_ids,
            keys,
            gas_limit,
            max_fee_per_gas,
            amount_to_send,
        )
    } else {
        gateway.send_parameters_from_underlying_with_permit(
            chain_ids,
            keys,
            gas_limit,
            max_fee_per_gas,
            amount_to_send,
            deadline,
            v,
            r,
            s,
        )
    };
    result
        .map(|total_sent| total_sent.to_be_bytes::<32>().to_vec())
        .map_err(Vec::<u8>::from)
}

/// Whether `selector` is one of the eight entry points decoded here.
pub(crate) fn is_routed_here(selector: [u8; 4]) -> bool {
    [
        I::depositCall::SELECTOR,
        I::depositWithPermitCall::SELECTOR,
        I::depositFromUnderlyingCall::SELECTOR,
        I::depositFromUnderlyingWithPermitCall::SELECTOR,
        I::sendParametersCall::SELECTOR,
        I::sendParametersWithPermitCall::SELECTOR,
        I::sendParametersFromUnderlyingCall::SELECTOR,
        I::sendParametersFromUnderlyingWithPermitCall::SELECTOR,
    ]
    .contains(&selector)
}

/// The arguments after the selector; the caller has checked the head's length.
struct Args<'a>(&'a [u8]);

impl Args<'_> {
    fn word(&self, index: usize) -> B256 {
        B256::from_slice(&self.0[32 * index..32 * index + 32])
    }

    fn uint(&self, index: usize) -> U256 {
        U256::from_be_bytes(self.word(index).0)
    }

    fn address(&self, index: usize) -> Result<Address, Vec<u8>> {
        let word = self.word(index);
        if word[..12].iter().any(|byte| *byte != 0) {
            return Err(Vec::new());
        }
        Ok(Address::from_word(word))
    }

    fn uint8(&self, index: usize) -> Result<u8, Vec<u8>> {
        let word = self.word(index);
        if word[..31].iter().any(|byte| *byte != 0) {
            return Err(Vec::new());
        }
        Ok(word[31])
    }

    /// The dynamic array whose offset is head word `index`: its element count and the bytes
    /// after its length word, bounds-checked as Solidity checks calldata arrays.
    fn array(&self, index: usize, element_size: usize) -> Result<(usize, &[u8]), Vec<u8>> {
        let offset = small(self.0, 32 * index).ok_or_else(Vec::new)?;
        let length = small(self.0, offset).ok_or_else(Vec::new)?;
        let start = offset + 32;
        length
            .checked_mul(element_size)
            .and_then(|size| start.checked_add(size))
            .filter(|end| *end <= self.0.len())
            .ok_or_else(Vec::new)?;
        Ok((length, &self.0[start..]))
    }

    fn uints(&self, index: usize) -> Result<Vec<U256>, Vec<u8>> {
        let (length, data) = self.array(index, 32)?;
        Ok(data[..32 * length]
            .chunks_exact(32)
            .map(U256::from_be_slice)
            .collect())
    }

    fn strings(&self, index: usize) -> Result<Vec<String>, Vec<u8>> {
        let (length, data) = self.array(index, 32)?;
        let mut strings = Vec::with_capacity(length);
        for element in 0..length {
            let offset = small(data, 32 * element).ok_or_else(Vec::new)?;
            let size = small(data, offset).ok_or_else(Vec::new)?;
            let start = offset + 32;
            let bytes = start
                .checked_add(size)
                .and_then(|end| data.get(start..end))
                .ok_or_else(Vec::new)?;
            strings.push(String::from_utf8(bytes.to_vec()).map_err(|_| vec![])?);
        }
        Ok(strings)
    }
}

/// The word at `at` as an offset or length: `None` when it is missing, at least 2^64 (which
/// Solidity refuses), or would overflow when 32 is added.
fn small(data: &[u8], at: usize) -> Option<usize> {
    let word = data.get(at..at.checked_add(32)?)?;
    if word[..24].iter().any(|byte| *byte != 0) {
        return None;
    }
    let mut low = [0u8; 8];
    low.copy_from_slice(&word[24..]);
    usize::try_from(u64::from_be_bytes(low))
        .ok()
        .filter(|value| value.checked_add(32).is_some())
}
