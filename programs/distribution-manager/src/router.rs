//! The interface's functions, routed from the fallback and decoded from raw calldata.
//!
//! The SDK's router instantiates alloy's generic decoder for each distinct argument list and its
//! encoder for each return type, and the derived error encoder costs 4 KB more; with them (and
//! alloy's `PayerReport[]` decoder) the program was 27.6 KB on chain, over the 24 KiB limit.
//! Here [`xmtp_core::args`] decodes every argument list with Solidity's rules (a short head, a
//! value out of its type, an offset or length leaving the calldata, or a value attached to these
//! nonpayable functions revert with empty data; bytes after the arguments are ignored), results
//! are single words or strings encoded by hand, and errors by [`xmtp_core::lean_errors!`]. The
//! unit tests compare each encoding with alloy's.

use alloc::vec::Vec;

use alloy_primitives::{B256, U256};
use alloy_sol_types::SolCall;
use stylus_sdk::{prelude::*, ArbResult};
use xmtp_abi::distribution_manager::IDistributionManager as I;
use xmtp_core::{
    abi_lean::{self, Arg},
    args::{word_of, Args},
};

use crate::{u96_word, DistributionManager, Payout, Result};

/// Runs the function `calldata` selects; `None` for calldata without a known selector.
pub(crate) fn dispatch(manager: &mut DistributionManager, calldata: &[u8]) -> Option<ArbResult> {
    let selector: [u8; 4] = calldata.get(..4)?.try_into().ok()?;
    let args = calldata.get(4..)?;
    let string = dispatch_string(selector);
    let run = route(selector);
    if string.is_none() && run.is_none() {
        return None;
    }
    if !manager.vm().msg_value().is_zero() {
        return Some(Err(Vec::new()));
    }
    if let Some(string) = string {
        return Some(Ok(abi_lean::encode(None, &[Arg::String(string)])));
    }
    Some(match run?(manager, args) {
        None => Err(Vec::new()),
        Some(Ok(output)) => Ok(output.map_or_else(Vec::new, |word| word.to_vec())),
        Some(Err(error)) => Err(error.into()),
    })
}

/// A routed function, returning one word or nothing: `None` when its arguments do not decode.
type Entry = fn(&mut DistributionManager, &[u8]) -> Option<Result<Option<B256>>>;

/// The entry of `selector`, if it is one of the interface's; the three functions returning a
/// string are answered by [`dispatch_string`].
pub(crate) fn route(selector: [u8; 4]) -> Option<Entry> {
    const INITIALIZE: u32 = u32::from_be_bytes(I::initializeCall::SELECTOR);
    const CLAIM_PROTOCOL_FEES: u32 = u32::from_be_bytes(I::claimProtocolFeesCall::SELECTOR);
    const CLAIM: u32 = u32::from_be_bytes(I::claimCall::SELECTOR);
    const WITHDRAW_PROTOCOL_FEES: u32 = u32::from_be_bytes(I::withdrawProtocolFeesCall::SELECTOR);
    const WITHDRAW_PROTOCOL_FEES_INTO_UNDERLYING: u32 =
        u32::from_be_bytes(I::withdrawProtocolFeesIntoUnderlyingCall::SELECTOR);
    const WITHDRAW: u32 = u32::from_be_bytes(I::withdrawCall::SELECTOR);
    const WITHDRAW_INTO_UNDERLYING: u32 =
        u32::from_be_bytes(I::withdrawIntoUnderlyingCall::SELECTOR);
    const UPDATE_PAUSE_STATUS: u32 = u32::from_be_bytes(I::updatePauseStatusCall::SELECTOR);
    const UPDATE_PROTOCOL_FEES_RECIPIENT: u32 =
        u32::from_be_bytes(I::updateProtocolFeesRecipientCall::SELECTOR);
    const PARAMETER_REGISTRY: u32 = u32::from_be_bytes(I::parameterRegistryCall::SELECTOR);
    const NODE_REGISTRY: u32 = u32::from_be_bytes(I::nodeRegistryCall::SELECTOR);
    const PAYER_REPORT_MANAGER: u32 = u32::from_be_bytes(I::payerReportManagerCall::SELECTOR);
    const PAYER_REGISTRY: u32 = u32::from_be_bytes(I::payerRegistryCall::SELECTOR);
    const FEE_TOKEN: u32 = u32::from_be_bytes(I::feeTokenCall::SELECTOR);
    const PROTOCOL_FEES_RECIPIENT: u32 = u32::from_be_bytes(I::protocolFeesRecipientCall::SELECTOR);
    const OWED_PROTOCOL_FEES: u32 = u32::from_be_bytes(I::owedProtocolFeesCall::SELECTOR);
    const TOTAL_OWED_FEES: u32 = u32::from_be_bytes(I::totalOwedFeesCall::SELECTOR);
    const PAUSED: u32 = u32::from_be_bytes(I::pausedCall::SELECTOR);
    const GET_OWED_FEES: u32 = u32::from_be_bytes(I::getOwedFeesCall::SELECTOR);
    const ARE_PROTOCOL_FEES_CLAIMED: u32 =
        u32::from_be_bytes(I::areProtocolFeesClaimedCall::SELECTOR);
    const ARE_FEES_CLAIMED: u32 = u32::from_be_bytes(I::areFeesClaimedCall::SELECTOR);
    const MIGRATE: u32 = u32::from_be_bytes(I::migrateCall::SELECTOR);
    const IMPLEMENTATION: u32 = u32::from_be_bytes(I::implementationCall::SELECTOR);
    Some(match u32::from_be_bytes(selector) {
        INITIALIZE => |m, _| Some(m.initialize().map(|()| None)),
        CLAIM_PROTOCOL_FEES => |m, calldata| {
            let args = Args::new(calldata, 2)?;
            let claimed = m.claim_protocol_fees(args.u32s(0)?, uints(&args, 1)?);
            Some(claimed.map(|amount| Some(u96_word(amount))))
        },
        CLAIM => |m, calldata| {
            let args = Args::new(calldata, 3)?;
            let claimed = m.claim(args.u32(0)?, args.u32s(1)?, uints(&args, 2)?);
            Some(claimed.map(|amount| Some(u96_word(amount))))
        },
        WITHDRAW_PROTOCOL_FEES => |m, _| {
            Some(
                m.withdraw_protocol(Payout::FeeToken)
                    .map(|amount| Some(u96_word(amount))),
            )
        },
        WITHDRAW_PROTOCOL_FEES_INTO_UNDERLYING => |m, _| {
            Some(
                m.withdraw_protocol(Payout::Underlying)
                    .map(|amount| Some(u96_word(amount))),
            )
        },
        WITHDRAW => |m, calldata| withdraw(m, calldata, Payout::FeeToken),
        WITHDRAW_INTO_UNDERLYING => |m, calldata| withdraw(m, calldata, Payout::Underlying),
        UPDATE_PAUSE_STATUS => |m, _| Some(m.update_pause_status().map(|()| None)),
        UPDATE_PROTOCOL_FEES_RECIPIENT => {
            |m, _| Some(m.update_protocol_fees_recipient().map(|()| None))
        }
        PARAMETER_REGISTRY => |_, _| Some(Ok(Some(crate::parameter_registry().into_word()))),
        NODE_REGISTRY => |_, _| Some(Ok(Some(crate::node_registry().into_word()))),
        PAYER_REPORT_MANAGER => |_, _| Some(Ok(Some(crate::payer_report_manager().into_word()))),
        PAYER_REGISTRY => |_, _| Some(Ok(Some(crate::payer_registry().into_word()))),
        FEE_TOKEN => |_, _| Some(Ok(Some(crate::fee_token().into_word()))),
        PROTOCOL_FEES_RECIPIENT => |m, _| Some(Ok(Some(m.protocol_fees_recipient().into_word()))),
        OWED_PROTOCOL_FEES => |m, _| Some(Ok(Some(u96_word(m.owed_protocol_fees())))),
        TOTAL_OWED_FEES => |m, _| Some(Ok(Some(u96_word(m.total_owed_fees())))),
        PAUSED => |m, _| Some(Ok(Some(word_of(m.paused().into())))),
        GET_OWED_FEES => |m, calldata| {
            let args = Args::new(calldata, 1)?;
            Some(Ok(Some(u96_word(m.get_owed_fees(args.u32(0)?)))))
        },
        ARE_PROTOCOL_FEES_CLAIMED => |m, calldata| {
            let args = Args::new(calldata, 2)?;
            let claimed = m.are_protocol_fees_claimed(args.u32(0)?, args.uint(1)?);
            Some(Ok(Some(word_of(claimed.into()))))
        },
        ARE_FEES_CLAIMED => |m, calldata| {
            let args = Args::new(calldata, 3)?;
            let claimed = m.are_fees_claimed(args.u32(0)?, args.u32(1)?, args.uint(2)?);
            Some(Ok(Some(word_of(claimed.into()))))
        },
        MIGRATE => |m, _| Some(m.migrate().map(|()| None)),
        IMPLEMENTATION => |m, _| Some(Ok(Some(m.implementation().into_word()))),
        _ => return None,
    })
}

/// The string `selector`'s function returns, if it is one of the three pure string getters.
pub(crate) fn dispatch_string(selector: [u8; 4]) -> Option<&'static str> {
    const MIGRATOR_PARAMETER_KEY: u32 = u32::from_be_bytes(I::migratorParameterKeyCall::SELECTOR);
    const PAUSED_PARAMETER_KEY: u32 = u32::from_be_bytes(I::pausedParameterKeyCall::SELECTOR);
    const PROTOCOL_FEES_RECIPIENT_PARAMETER_KEY: u32 =
        u32::from_be_bytes(I::protocolFeesRecipientParameterKeyCall::SELECTOR);
    const VERSION: u32 = u32::from_be_bytes(I::versionCall::SELECTOR);
    const CONTRACT_NAME: u32 = u32::from_be_bytes(I::contractNameCall::SELECTOR);
    Some(match u32::from_be_bytes(selector) {
        MIGRATOR_PARAMETER_KEY => DistributionManager::migrator_parameter_key(),
        PAUSED_PARAMETER_KEY => DistributionManager::paused_parameter_key(),
        PROTOCOL_FEES_RECIPIENT_PARAMETER_KEY => {
            DistributionManager::protocol_fees_recipient_parameter_key()
        }
        VERSION => DistributionManager::version(),
        CONTRACT_NAME => DistributionManager::contract_name(),
        _ => return None,
    })
}

fn uints(args: &Args<'_>, index: usize) -> Option<Vec<U256>> {
    let words = args.words(index)?;
    Some(
        words
            .into_iter()
            .map(|word| U256::from_be_bytes(word.0))
            .collect(),
    )
}

fn withdraw(
    manager: &mut DistributionManager,
    calldata: &[u8],
    payout: Payout,
) -> Option<Result<Option<B256>>> {
    let args = Args::new(calldata, 2)?;
    let withdrawn = manager.withdraw_node(args.u32(0)?, args.address(1)?, payout);
    Some(withdrawn.map(|amount| Some(u96_word(amount))))
}
