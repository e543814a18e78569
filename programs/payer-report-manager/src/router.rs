//! The interface's functions, routed from the fallback and decoded from raw calldata.
//!
//! The SDK's router instantiates alloy's generic decoder for each distinct argument list and its
//! encoder for each distinct return type (`submit`'s `(uint32, bytes)[]`, `settle`'s `bytes[]`,
//! the `PayerReport[]` return: about 35 KB of wasm in all), and its derived error encoder costs
//! 5 KB more; with them the program was 35.4 KB on chain, over the 24 KiB limit. Here one
//! reader ([`xmtp_core::args`]) decodes every argument list with Solidity's rules (a short head,
//! a value out of its type, an offset or length leaving the calldata, or a value attached to
//! these nonpayable functions revert with empty data, as the reference's decoder does; bytes
//! after the arguments are ignored), results are encoded by hand, and errors by
//! [`xmtp_core::lean_errors!`]. The unit tests compare each encoding with alloy's.

use alloc::vec::Vec;

use alloy_primitives::{Bytes, B256, U256};
use alloy_sol_types::SolCall;
use stylus_sdk::{prelude::*, ArbResult};
use xmtp_abi::payer_report_manager::IPayerReportManager as I;
use xmtp_core::{
    abi_lean::{self, Arg},
    args::{word_of, Args},
};

use crate::{report::Report, PayerReportManager, Result};

/// Runs the function `calldata` selects; `None` for calldata without a known selector.
pub(crate) fn dispatch(manager: &mut PayerReportManager, calldata: &[u8]) -> Option<ArbResult> {
    let selector: [u8; 4] = calldata.get(..4)?.try_into().ok()?;
    let args = calldata.get(4..)?;
    let run = route(selector)?;
    if !manager.vm().msg_value().is_zero() {
        return Some(Err(Vec::new()));
    }
    Some(match run(manager, args) {
        None => Err(Vec::new()),
        Some(Ok(output)) => Ok(output),
        Some(Err(error)) => Err(error.into()),
    })
}

/// A routed function: `None` when its arguments do not decode.
type Entry = fn(&mut PayerReportManager, &[u8]) -> Option<Result<Vec<u8>>>;

/// The entry of `selector`, if it is one of the interface's.
pub(crate) fn route(selector: [u8; 4]) -> Option<Entry> {
    const INITIALIZE: u32 = u32::from_be_bytes(I::initializeCall::SELECTOR);
    const SUBMIT: u32 = u32::from_be_bytes(I::submitCall::SELECTOR);
    const SETTLE: u32 = u32::from_be_bytes(I::settleCall::SELECTOR);
    const UPDATE_PROTOCOL_FEE_RATE: u32 =
        u32::from_be_bytes(I::updateProtocolFeeRateCall::SELECTOR);
    const MIGRATE: u32 = u32::from_be_bytes(I::migrateCall::SELECTOR);
    const GET_PAYER_REPORT: u32 = u32::from_be_bytes(I::getPayerReportCall::SELECTOR);
    const GET_PAYER_REPORTS: u32 = u32::from_be_bytes(I::getPayerReportsCall::SELECTOR);
    const GET_PAYER_REPORT_DIGEST: u32 = u32::from_be_bytes(I::getPayerReportDigestCall::SELECTOR);
    const PROTOCOL_FEE_RATE: u32 = u32::from_be_bytes(I::protocolFeeRateCall::SELECTOR);
    const PAYER_REPORT_TYPEHASH: u32 = u32::from_be_bytes(I::PAYER_REPORT_TYPEHASHCall::SELECTOR);
    const ONE_HUNDRED_PERCENT: u32 = u32::from_be_bytes(I::ONE_HUNDRED_PERCENTCall::SELECTOR);
    const PROTOCOL_FEE_RATE_PARAMETER_KEY: u32 =
        u32::from_be_bytes(I::protocolFeeRateParameterKeyCall::SELECTOR);
    const MIGRATOR_PARAMETER_KEY: u32 = u32::from_be_bytes(I::migratorParameterKeyCall::SELECTOR);
    const PARAMETER_REGISTRY: u32 = u32::from_be_bytes(I::parameterRegistryCall::SELECTOR);
    const NODE_REGISTRY: u32 = u32::from_be_bytes(I::nodeRegistryCall::SELECTOR);
    const PAYER_REGISTRY: u32 = u32::from_be_bytes(I::payerRegistryCall::SELECTOR);
    const DOMAIN_SEPARATOR: u32 = u32::from_be_bytes(I::DOMAIN_SEPARATORCall::SELECTOR);
    const EIP712_DOMAIN: u32 = u32::from_be_bytes(I::eip712DomainCall::SELECTOR);
    const IMPLEMENTATION: u32 = u32::from_be_bytes(I::implementationCall::SELECTOR);
    const VERSION: u32 = u32::from_be_bytes(I::versionCall::SELECTOR);
    const CONTRACT_NAME: u32 = u32::from_be_bytes(I::contractNameCall::SELECTOR);
    Some(match u32::from_be_bytes(selector) {
        INITIALIZE => |m, _| Some(m.initialize().map(|()| Vec::new())),
        SUBMIT => submit,
        SETTLE => settle,
        UPDATE_PROTOCOL_FEE_RATE => |m, _| Some(m.update_protocol_fee_rate().map(|()| Vec::new())),
        MIGRATE => |m, _| Some(m.migrate().map(|()| Vec::new())),
        GET_PAYER_REPORT => get_payer_report,
        GET_PAYER_REPORTS => get_payer_reports,
        GET_PAYER_REPORT_DIGEST => get_payer_report_digest,
        PROTOCOL_FEE_RATE => |m, _| word(word_of(m.protocol_fee_rate().into())),
        PAYER_REPORT_TYPEHASH => |_, _| word(PayerReportManager::payer_report_typehash()),
        ONE_HUNDRED_PERCENT => {
            |_, _| word(word_of(PayerReportManager::one_hundred_percent().into()))
        }
        PROTOCOL_FEE_RATE_PARAMETER_KEY => {
            |_, _| string(PayerReportManager::protocol_fee_rate_parameter_key())
        }
        MIGRATOR_PARAMETER_KEY => |_, _| string(PayerReportManager::migrator_parameter_key()),
        PARAMETER_REGISTRY => |m, _| word(m.parameter_registry_getter().into_word()),
        NODE_REGISTRY => |m, _| word(m.node_registry_getter().into_word()),
        PAYER_REGISTRY => |m, _| word(m.payer_registry_getter().into_word()),
        DOMAIN_SEPARATOR => |m, _| word(m.domain_separator()),
        EIP712_DOMAIN => eip712_domain,
        IMPLEMENTATION => |m, _| word(m.implementation().into_word()),
        VERSION => |_, _| string(PayerReportManager::version()),
        CONTRACT_NAME => |_, _| string(PayerReportManager::contract_name()),
        _ => return None,
    })
}

// These answer for `Entry`s, whose signature every routed function shares.
#[allow(clippy::unnecessary_wraps)]
#[inline(never)]
fn word(value: B256) -> Option<Result<Vec<u8>>> {
    Some(Ok(value.to_vec()))
}

#[allow(clippy::unnecessary_wraps)]
#[inline(never)]
fn string(value: &str) -> Option<Result<Vec<u8>>> {
    Some(Ok(abi_lean::encode(None, &[Arg::String(value)])))
}

fn submit(manager: &mut PayerReportManager, calldata: &[u8]) -> Option<Result<Vec<u8>>> {
    let args = Args::new(calldata, 7)?;
    let (count, elements) = args.array(6, 1)?;
    let signatures = (0..count)
        .map(|i| {
            let signature = elements.tuple(i, 2)?;
            Some((
                signature.u32(0)?,
                Bytes::copy_from_slice(signature.bytes(1)?),
            ))
        })
        .collect::<Option<Vec<_>>>()?;
    let index = manager.submit(
        args.u32(0)?,
        args.small(1, 64)?,
        args.small(2, 64)?,
        args.u32(3)?,
        args.word(4)?,
        args.u32s(5)?,
        signatures,
    );
    Some(index.map(|index| index.to_be_bytes::<32>().to_vec()))
}

fn settle(manager: &mut PayerReportManager, calldata: &[u8]) -> Option<Result<Vec<u8>>> {
    let args = Args::new(calldata, 4)?;
    let leaves = args
        .byte_strings(2)?
        .into_iter()
        .map(Bytes::copy_from_slice)
        .collect();
    let settled = manager.settle(args.u32(0)?, args.uint(1)?, leaves, args.words(3)?);
    Some(settled.map(|()| Vec::new()))
}

fn get_payer_report(manager: &mut PayerReportManager, calldata: &[u8]) -> Option<Result<Vec<u8>>> {
    let args = Args::new(calldata, 2)?;
    let report = manager.stored_report(args.u32(0)?, args.uint(1)?);
    Some(report.map(|report| {
        let mut out = word_of(32).to_vec();
        encode_report(&mut out, &report);
        out
    }))
}

fn get_payer_reports(manager: &mut PayerReportManager, calldata: &[u8]) -> Option<Result<Vec<u8>>> {
    let args = Args::new(calldata, 2)?;
    let indices: Vec<U256> = args
        .words(1)?
        .into_iter()
        .map(|index| U256::from_be_bytes(index.0))
        .collect();
    let reports = manager.stored_reports(&args.u32s(0)?, &indices);
    Some(reports.map(|reports| encode_reports(&reports)))
}

fn get_payer_report_digest(
    manager: &mut PayerReportManager,
    calldata: &[u8],
) -> Option<Result<Vec<u8>>> {
    let args = Args::new(calldata, 6)?;
    word(manager.get_payer_report_digest(
        args.u32(0)?,
        args.small(1, 64)?,
        args.small(2, 64)?,
        args.u32(3)?,
        args.word(4)?,
        args.u32s(5)?,
    ))
}

// An `Entry`, whose signature every routed function shares.
#[allow(clippy::unnecessary_wraps)]
fn eip712_domain(manager: &mut PayerReportManager, _: &[u8]) -> Option<Result<Vec<u8>>> {
    let (fields, name, version, chain_id, verifying_contract, salt, _) = manager.eip712_domain();
    // `bytes1` is left-aligned in its word.
    let mut fields_word = B256::ZERO;
    fields_word[0] = fields[0];
    Some(Ok(abi_lean::encode(
        None,
        &[
            Arg::Word(fields_word),
            Arg::String(&name),
            Arg::String(&version),
            abi_lean::uint(chain_id),
            abi_lean::address(verifying_contract),
            Arg::Word(salt),
            Arg::Words(&[]),
        ],
    )))
}

/// `abi.encode(PayerReport[])` of `reports`.
fn encode_reports(reports: &[Report]) -> Vec<u8> {
    let mut out = word_of(32).to_vec();
    out.extend_from_slice(&word_of(reports.len() as u64).0);
    let heads = out.len();
    out.resize(heads + 32 * reports.len(), 0);
    for (i, report) in reports.iter().enumerate() {
        let offset = word_of((out.len() - heads) as u64);
        out[heads + 32 * i..heads + 32 * i + 32].copy_from_slice(offset.as_slice());
        encode_report(&mut out, report);
    }
    out
}

/// Appends the tuple encoding of one `PayerReport` (its node ids after its nine head words).
fn encode_report(out: &mut Vec<u8>, report: &Report) {
    let mut fees_settled = B256::ZERO;
    fees_settled[16..].copy_from_slice(&report.fees_settled.to_be_bytes());
    for head in [
        word_of(report.start),
        word_of(report.end),
        word_of(report.end_minute.into()),
        fees_settled,
        word_of(report.offset.into()),
        word_of(report.is_settled.into()),
        word_of(report.rate.into()),
        report.root,
        word_of(9 * 32),
        word_of(report.node_ids.len() as u64),
    ] {
        out.extend_from_slice(head.as_slice());
    }
    for id in &report.node_ids {
        out.extend_from_slice(&word_of((*id).into()).0);
    }
}
