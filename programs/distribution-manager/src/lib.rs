//! `DistributionManager`: the fees of each fully settled payer report split between the
//! protocol (its snapshotted rate, plus the rounding dust) and an equal share for every node the
//! report lists. Claims only record what is owed; withdrawals pay it out in fee tokens (or their
//! underlying), pulling the `PayerRegistry`'s excess when this contract's balance is short.
//!
//! Accumulators are unchecked (they wrap modulo 2^96), as in the reference.
//!
//! Differences from the reference (see `DEVIATIONS.md`): the five constructor immutables are
//! wiring (the pipeline refuses zero, which is where the `Zero...()` constructor errors are
//! reported); the bare implementation refuses `initialize()` instead of having its
//! initializers disabled by a constructor; every function is dispatched from a payable
//! fallback and its arguments decoded in full before it runs (the `router` module; same
//! selectors, results and revert data), so malformed calldata reverts with empty data before
//! any check.
#![cfg_attr(target_arch = "wasm32", no_std, no_main)]

extern crate alloc;

use alloc::{vec, vec::Vec};

use alloy_primitives::{aliases::U96, Address, B256, U256};
use alloy_sol_types::{Panic, PanicKind, SolCall, SolError, SolEvent};
use stylus_sdk::{
    prelude::*,
    storage::{StorageAddress, StorageBool, StorageMap, StorageU96},
    ArbResult,
};
use xmtp_abi::{
    distribution_manager::{
        AlreadyClaimed, ArrayLengthMismatch, Claim, NoChange, NoFeesOwed, NotInPayerReport,
        NotNodeOwner, PauseStatusUpdated, Paused, PayerReportNotSettled, ProtocolFeesClaim,
        ProtocolFeesRecipientUpdated, ProtocolFeesWithdrawal, Withdrawal, ZeroAvailableBalance,
        ZeroProtocolFeeRecipient, ZeroRecipient,
    },
    migratable::{EmptyCode, MigrationFailed, ZeroMigrator},
    oz_initializable::InvalidInitialization,
    payer_registry::NoExcess,
    payer_report_manager::PayerReport,
    registry_parameters::ParameterOutOfTypeBounds,
    settlement_chain_external::{
        IERC20Like, IFeeTokenLike, INodeRegistryLike, IPayerRegistryLike, IPayerReportManagerLike,
    },
};
use xmtp_core::{
    abi_lean::{self, Arg},
    args::{word_of, Args},
    arith, calls, events,
    initializable::initializer,
    migratable, params,
    slots::DISTRIBUTION_MANAGER,
    storage::rooted,
    Bubbled,
};

/// 100 % in basis points.
pub const ONE_HUNDRED_PERCENT: u16 = 10_000;

const PAUSED_PARAMETER_KEY: &str = "xmtp.distributionManager.paused";
const PROTOCOL_FEES_RECIPIENT_PARAMETER_KEY: &str =
    "xmtp.distributionManager.protocolFeesRecipient";
const MIGRATOR_PARAMETER_KEY: &str = "xmtp.distributionManager.migrator";

xmtp_core::wiring! {
    /// The parameter registry (reference immutable).
    pub fn parameter_registry: Address = "parameterRegistry";
    /// The node registry: node owners (reference immutable).
    pub fn node_registry: Address = "nodeRegistry";
    /// The payer report manager: settled reports (reference immutable).
    pub fn payer_report_manager: Address = "payerReportManager";
    /// The payer registry: excess fee tokens (reference immutable).
    pub fn payer_registry: Address = "payerRegistry";
    /// The fee token paid out (reference immutable).
    pub fn fee_token: Address = "feeToken";
}

xmtp_core::lean_errors! {
    /// The errors the distribution manager reverts with.
    pub enum DistributionManagerError {
        /// `initialize()` ran before on this proxy, or this is the bare implementation.
        InvalidInitialization(InvalidInitialization),
        /// The caller does not own the node's token.
        NotNodeOwner(NotNodeOwner),
        /// Originator and index arrays of different lengths.
        ArrayLengthMismatch(ArrayLengthMismatch),
        /// The report's share was claimed before.
        AlreadyClaimed(AlreadyClaimed) => |error| [
            Arg::Word(word_of(error.originatorNodeId.into())),
            abi_lean::uint(error.payerReportIndex),
        ],
        /// The report is not entirely settled.
        PayerReportNotSettled(PayerReportNotSettled) => |error| [
            Arg::Word(word_of(error.originatorNodeId.into())),
            abi_lean::uint(error.payerReportIndex),
        ],
        /// The node is not one of the report's nodes.
        NotInPayerReport(NotInPayerReport) => |error| [
            Arg::Word(word_of(error.originatorNodeId.into())),
            abi_lean::uint(error.payerReportIndex),
        ],
        /// A withdrawal to the zero address.
        ZeroRecipient(ZeroRecipient),
        /// Nothing is owed.
        NoFeesOwed(NoFeesOwed),
        /// No fee tokens to pay with, even after pulling the registry's excess.
        ZeroAvailableBalance(ZeroAvailableBalance),
        /// The contract is paused.
        Paused(Paused),
        /// The parameter equals the stored value.
        NoChange(NoChange),
        /// No protocol fees recipient is set.
        ZeroProtocolFeeRecipient(ZeroProtocolFeeRecipient),
        /// A parameter does not fit its type.
        ParameterOutOfTypeBounds(ParameterOutOfTypeBounds),
        /// No migrator is set.
        ZeroMigrator(ZeroMigrator),
        /// The migrator reverted; carries its revert data.
        MigrationFailed(MigrationFailed) => |error| [
            abi_lean::address(error.migrator_),
            Arg::Bytes(&error.revertData_),
        ],
        /// The migrator has no code.
        EmptyCode(EmptyCode) => |error| [abi_lean::address(error.migrator_)],
        /// A report's rate above 100 % (`Panic(0x11)`; reports the manager stores never have one).
        Panic(Panic) => |error| [abi_lean::uint(error.code)],
    }
}

/// `DistributionManagerStorage` at `xmtp.storage.DistributionManager`.
#[storage]
pub struct DistributionManagerStorage {
    protocol_fees_recipient: StorageAddress,
    owed_protocol_fees: StorageU96,
    are_protocol_fees_claimed: StorageMap<u32, StorageMap<U256, StorageBool>>,
    owed_fees: StorageMap<u32, StorageU96>,
    are_fees_claimed: StorageMap<u32, StorageMap<u32, StorageMap<U256, StorageBool>>>,
    total_owed_fees: StorageU96,
    paused: StorageBool,
}

pub use entry::DistributionManager;

// The SDK's `#[entrypoint]` generates an undocumented public function; a private module keeps it
// out of the crate's public (documented) surface.
mod entry {
    use alloc::{vec, vec::Vec};

    use stylus_sdk::prelude::*;

    /// The program; its state lives in [`crate::DistributionManagerStorage`].
    #[storage]
    #[entrypoint]
    pub struct DistributionManager {}
}

type Result<T, E = DistributionManagerError> = core::result::Result<T, E>;

/// How a withdrawal pays: fee tokens, or their underlying.
#[derive(Clone, Copy)]
enum Payout {
    FeeToken,
    Underlying,
}

#[public]
impl DistributionManager {
    /// Every function of the interface, routed and decoded by the `router` module (which
    /// says why the SDK's router is not used).
    #[fallback]
    #[payable]
    pub fn fallback(&mut self, calldata: &[u8]) -> ArbResult {
        router::dispatch(self, calldata).unwrap_or_else(|| Err(Vec::new()))
    }
}

// The interface's functions, called by the `router` with the decoded arguments, by value as
// the SDK's router would pass them.
#[allow(clippy::needless_pass_by_value)]
impl DistributionManager {
    /// Marks the proxy initialized (nothing else to set); once per proxy.
    pub fn initialize(&mut self) -> Result<()> {
        initializer(&self.vm().clone(), || Ok(()))
    }

    /// Records the protocol's share of each listed settled report as owed; returns the total.
    pub fn claim_protocol_fees(
        &mut self,
        originator_node_ids_: Vec<u32>,
        payer_report_indices_: Vec<U256>,
    ) -> Result<U96> {
        self.revert_if_paused()?;
        let reports = self.fetch_reports(&originator_node_ids_, &payer_report_indices_)?;
        let vm = self.vm().clone();
        let mut claimed = U96::ZERO;
        let mut layout = self.layout();
        for ((originator, index), report) in originator_node_ids_
            .iter()
            .zip(&payer_report_indices_)
            .zip(&reports)
        {
            let mut flags = layout.are_protocol_fees_claimed.setter(*originator);
            let mut flag = flags.setter(*index);
            if flag.get() {
                return Err(AlreadyClaimed {
                    originatorNodeId: *originator,
                    payerReportIndex: *index,
                }
                .into());
            }
            if !report.isSettled {
                return Err(PayerReportNotSettled {
                    originatorNodeId: *originator,
                    payerReportIndex: *index,
                }
                .into());
            }
            flag.set(true);
            let amount = protocol_fees(report)?;
            claimed = claimed.wrapping_add(amount);
            events::emit(
                &vm,
                &[
                    ProtocolFeesClaim::SIGNATURE_HASH,
                    word_of((*originator).into()),
                    (*index).into(),
                ],
                &u96_word(amount).0,
            );
        }
        let owed = layout.owed_protocol_fees.get();
        layout.owed_protocol_fees.set(owed.wrapping_add(claimed));
        Ok(claimed)
    }

    /// The node owner records the node's share of each listed settled report; returns the total.
    pub fn claim(
        &mut self,
        node_id_: u32,
        originator_node_ids_: Vec<u32>,
        payer_report_indices_: Vec<U256>,
    ) -> Result<U96> {
        self.revert_if_paused()?;
        self.revert_if_not_node_owner(node_id_)?;
        let reports = self.fetch_reports(&originator_node_ids_, &payer_report_indices_)?;
        let vm = self.vm().clone();
        let mut claimed = U96::ZERO;
        let mut layout = self.layout();
        for ((originator, index), report) in originator_node_ids_
            .iter()
            .zip(&payer_report_indices_)
            .zip(&reports)
        {
            let mut by_node = layout.are_fees_claimed.setter(node_id_);
            let mut by_originator = by_node.setter(*originator);
            let mut flag = by_originator.setter(*index);
            if flag.get() {
                return Err(AlreadyClaimed {
                    originatorNodeId: *originator,
                    payerReportIndex: *index,
                }
                .into());
            }
            if !report.isSettled {
                return Err(PayerReportNotSettled {
                    originatorNodeId: *originator,
                    payerReportIndex: *index,
                }
                .into());
            }
            if !report.nodeIds.contains(&node_id_) {
                return Err(NotInPayerReport {
                    originatorNodeId: *originator,
                    payerReportIndex: *index,
                }
                .into());
            }
            flag.set(true);
            let protocol = protocol_fees(report)?;
            // The node ids are listed, so `n ≥ 1`, and the protocol's part never exceeds `F`.
            let portion = U96::from_limbs(u96_limbs(
                arith::div_rem_u32(
                    u96_value(report.feesSettled.wrapping_sub(protocol)),
                    node_count(report),
                )
                .0,
            ));
            claimed = claimed.wrapping_add(portion);
            events::emit(
                &vm,
                &[
                    Claim::SIGNATURE_HASH,
                    word_of(node_id_.into()),
                    word_of((*originator).into()),
                    (*index).into(),
                ],
                &u96_word(portion).0,
            );
        }
        let mut owed = layout.owed_fees.setter(node_id_);
        let new_owed = owed.get().wrapping_add(claimed);
        owed.set(new_owed);
        let total = layout.total_owed_fees.get();
        layout.total_owed_fees.set(total.wrapping_add(claimed));
        Ok(claimed)
    }

    /// Pays what the protocol is owed (as far as funds allow) to the protocol fees recipient.
    pub fn withdraw_protocol_fees(&mut self) -> Result<U96> {
        self.withdraw_protocol(Payout::FeeToken)
    }

    /// As `withdrawProtocolFees`, paid in the fee token's underlying.
    pub fn withdraw_protocol_fees_into_underlying(&mut self) -> Result<U96> {
        self.withdraw_protocol(Payout::Underlying)
    }

    /// The node owner withdraws what the node is owed (as far as funds allow) to `recipient_`.
    pub fn withdraw(&mut self, node_id_: u32, recipient_: Address) -> Result<U96> {
        self.withdraw_node(node_id_, recipient_, Payout::FeeToken)
    }

    /// As `withdraw`, paid in the fee token's underlying.
    pub fn withdraw_into_underlying(&mut self, node_id_: u32, recipient_: Address) -> Result<U96> {
        self.withdraw_node(node_id_, recipient_, Payout::Underlying)
    }

    /// Pulls the pause flag from the parameter registry.
    pub fn update_pause_status(&mut self) -> Result<()> {
        let vm = self.vm().clone();
        let paused = params::get_bool::<DistributionManagerError>(
            &vm,
            parameter_registry(),
            PAUSED_PARAMETER_KEY,
        )?;
        let mut layout = self.layout();
        if layout.paused.get() == paused {
            return Err(NoChange {}.into());
        }
        layout.paused.set(paused);
        events::emit(
            &vm,
            &[PauseStatusUpdated::SIGNATURE_HASH, events::boolean(paused)],
            &[],
        );
        Ok(())
    }

    /// Pulls the protocol fees recipient (zero allowed) from the parameter registry.
    pub fn update_protocol_fees_recipient(&mut self) -> Result<()> {
        let vm = self.vm().clone();
        let recipient = params::get_address::<DistributionManagerError>(
            &vm,
            parameter_registry(),
            PROTOCOL_FEES_RECIPIENT_PARAMETER_KEY,
        )?;
        let mut layout = self.layout();
        if layout.protocol_fees_recipient.get() == recipient {
            return Err(NoChange {}.into());
        }
        layout.protocol_fees_recipient.set(recipient);
        events::emit(
            &vm,
            &[ProtocolFeesRecipientUpdated::SIGNATURE_HASH],
            &recipient.into_word().0,
        );
        Ok(())
    }

    /// Migrates this proxy through the migrator set in the parameter registry.
    pub fn migrate(&mut self) -> Result<()> {
        let vm = self.vm().clone();
        let migrator = params::get_address::<DistributionManagerError>(
            &vm,
            parameter_registry(),
            MIGRATOR_PARAMETER_KEY,
        )?;
        migratable::migrate(&vm, migrator)
    }

    /// `"xmtp.distributionManager.migrator"`.
    pub fn migrator_parameter_key() -> &'static str {
        MIGRATOR_PARAMETER_KEY
    }

    /// `"xmtp.distributionManager.paused"`.
    pub fn paused_parameter_key() -> &'static str {
        PAUSED_PARAMETER_KEY
    }

    /// `"xmtp.distributionManager.protocolFeesRecipient"`.
    pub fn protocol_fees_recipient_parameter_key() -> &'static str {
        PROTOCOL_FEES_RECIPIENT_PARAMETER_KEY
    }

    /// The parameter registry this implementation was built with.
    pub fn parameter_registry_getter(&self) -> Address {
        parameter_registry()
    }

    /// The node registry this implementation was built with.
    pub fn node_registry_getter(&self) -> Address {
        node_registry()
    }

    /// The payer report manager this implementation was built with.
    pub fn payer_report_manager_getter(&self) -> Address {
        payer_report_manager()
    }

    /// The payer registry this implementation was built with.
    pub fn payer_registry_getter(&self) -> Address {
        payer_registry()
    }

    /// The fee token this implementation was built with.
    pub fn fee_token_getter(&self) -> Address {
        fee_token()
    }

    /// Where protocol fees are paid.
    pub fn protocol_fees_recipient(&self) -> Address {
        self.layout().protocol_fees_recipient.get()
    }

    /// Protocol fees claimed and not yet withdrawn.
    pub fn owed_protocol_fees(&self) -> U96 {
        self.layout().owed_protocol_fees.get()
    }

    /// Node fees claimed and not yet withdrawn, all nodes together.
    pub fn total_owed_fees(&self) -> U96 {
        self.layout().total_owed_fees.get()
    }

    /// Whether claims and withdrawals are paused.
    pub fn paused(&self) -> bool {
        self.layout().paused.get()
    }

    /// What the node is owed.
    pub fn get_owed_fees(&self, node_id_: u32) -> U96 {
        self.layout().owed_fees.get(node_id_)
    }

    /// Whether the protocol's share of the report was claimed.
    pub fn are_protocol_fees_claimed(
        &self,
        originator_node_id_: u32,
        payer_report_index_: U256,
    ) -> bool {
        self.layout()
            .are_protocol_fees_claimed
            .getter(originator_node_id_)
            .get(payer_report_index_)
    }

    /// Whether the node's share of the report was claimed.
    pub fn are_fees_claimed(
        &self,
        node_id_: u32,
        originator_node_id_: u32,
        payer_report_index_: U256,
    ) -> bool {
        self.layout()
            .are_fees_claimed
            .getter(node_id_)
            .getter(originator_node_id_)
            .get(payer_report_index_)
    }

    /// The executing proxy's implementation.
    pub fn implementation(&self) -> Address {
        xmtp_core::storage::implementation(self.vm())
    }

    /// `"1.0.2"`.
    pub fn version() -> &'static str {
        "1.0.2"
    }

    /// `"DistributionManager"`.
    pub fn contract_name() -> &'static str {
        "DistributionManager"
    }
}

impl DistributionManager {
    fn layout(&self) -> DistributionManagerStorage {
        rooted(self.vm(), DISTRIBUTION_MANAGER)
    }

    fn revert_if_paused(&self) -> Result<()> {
        if self.layout().paused.get() {
            return Err(Paused {}.into());
        }
        Ok(())
    }

    /// `nodeRegistry.ownerOf(nodeId)` must be the caller (its errors bubble).
    fn revert_if_not_node_owner(&self, node_id: u32) -> Result<()> {
        let vm = self.vm();
        let calldata = abi_lean::encode(
            Some(INodeRegistryLike::ownerOfCall::SELECTOR),
            &[Arg::Word(word_of(node_id.into()))],
        );
        let output = calls::static_call(vm, node_registry(), &calldata)?;
        if returned_address(&output)? != vm.msg_sender() {
            return Err(NotNodeOwner {}.into());
        }
        Ok(())
    }

    fn fetch_reports(&self, originators: &[u32], indices: &[U256]) -> Result<Vec<PayerReport>> {
        if originators.len() != indices.len() {
            return Err(ArrayLengthMismatch {}.into());
        }
        let originator_words: Vec<B256> = originators
            .iter()
            .map(|originator| word_of((*originator).into()))
            .collect();
        let index_words: Vec<B256> = indices.iter().map(|index| (*index).into()).collect();
        let calldata = abi_lean::encode(
            Some(IPayerReportManagerLike::getPayerReportsCall::SELECTOR),
            &[Arg::Words(&originator_words), Arg::Words(&index_words)],
        );
        let output = calls::static_call(self.vm(), payer_report_manager(), &calldata)?;
        let reports = decode_reports(&output).ok_or_else(Bubbled::default)?;
        // Solidity reads the returned array by index: a shorter one is an out-of-bounds panic.
        if reports.len() < originators.len() {
            return Err(Panic::from(PanicKind::ArrayOutOfBounds).into());
        }
        Ok(reports)
    }

    fn withdraw_node(&mut self, node_id: u32, recipient: Address, payout: Payout) -> Result<U96> {
        self.revert_if_paused()?;
        if recipient.is_zero() {
            return Err(ZeroRecipient {}.into());
        }
        self.revert_if_not_node_owner(node_id)?;
        let owed = self.layout().owed_fees.get(node_id);
        let amount = self.withdrawable(owed)?;
        let mut layout = self.layout();
        layout
            .owed_fees
            .setter(node_id)
            .set(owed.wrapping_sub(amount));
        let total = layout.total_owed_fees.get();
        layout.total_owed_fees.set(total.wrapping_sub(amount));
        events::emit(
            self.vm(),
            &[Withdrawal::SIGNATURE_HASH, word_of(node_id.into())],
            &u96_word(amount).0,
        );
        self.pay(recipient, amount, payout)?;
        Ok(amount)
    }

    fn withdraw_protocol(&mut self, payout: Payout) -> Result<U96> {
        self.revert_if_paused()?;
        let recipient = self.layout().protocol_fees_recipient.get();
        if recipient.is_zero() {
            return Err(ZeroProtocolFeeRecipient {}.into());
        }
        let owed = self.layout().owed_protocol_fees.get();
        let amount = self.withdrawable(owed)?;
        let mut layout = self.layout();
        let current = layout.owed_protocol_fees.get();
        layout.owed_protocol_fees.set(current.wrapping_sub(amount));
        events::emit(
            self.vm(),
            &[ProtocolFeesWithdrawal::SIGNATURE_HASH],
            &u96_word(amount).0,
        );
        self.pay(recipient, amount, payout)?;
        Ok(amount)
    }

    /// `min(owed, available)`, where available is this contract's fee-token balance (truncated
    /// to 96 bits) plus, when that is short, the excess the payer registry sends over.
    fn withdrawable(&self, owed: U96) -> Result<U96> {
        if owed.is_zero() {
            return Err(NoFeesOwed {}.into());
        }
        let vm = self.vm();
        let calldata = abi_lean::encode(
            Some(IERC20Like::balanceOfCall::SELECTOR),
            &[abi_lean::address(vm.contract_address())],
        );
        let output = calls::static_call(vm, fee_token(), &calldata)?;
        let balance = calls::returned_uint(&output)?;
        let mut available =
            U96::from_limbs([balance.as_limbs()[0], balance.as_limbs()[1] & 0xffff_ffff]);
        if owed > available {
            let registry = payer_registry();
            // `try` requires code at the target before calling; its absence is not caught.
            if vm.code_size(registry) == 0 {
                return Err(Bubbled::default().into());
            }
            let calldata = IPayerRegistryLike::sendExcessToFeeDistributorCall::SELECTOR;
            match calls::call(vm, registry, U256::ZERO, &calldata) {
                Ok(output) => available = available.wrapping_add(returned_u96(&output)?),
                Err(Bubbled(data)) if data.get(..4) == Some(&NoExcess::SELECTOR[..]) => {}
                Err(revert) => return Err(revert.into()),
            }
        }
        if available.is_zero() {
            return Err(ZeroAvailableBalance {}.into());
        }
        Ok(owed.min(available))
    }

    fn pay(&self, recipient: Address, amount: U96, payout: Payout) -> Result<()> {
        let selector = match payout {
            Payout::FeeToken => IERC20Like::transferCall::SELECTOR,
            Payout::Underlying => IFeeTokenLike::withdrawToCall::SELECTOR,
        };
        let calldata = abi_lean::encode(
            Some(selector),
            &[abi_lean::address(recipient), Arg::Word(u96_word(amount))],
        );
        let output = calls::call(self.vm(), fee_token(), U256::ZERO, &calldata)?;
        // The returned bool is decoded (so must be 0 or 1) but its value is not checked.
        calls::returned_bool(&output)?;
        Ok(())
    }
}

/// The protocol's part of a settled report (§6.4): everything without nodes, else
/// `F − floor(floor(F · (10000 − rate) / 10000) / n) · n`.
fn protocol_fees(report: &PayerReport) -> Result<U96, Panic> {
    let fees = u96_value(report.feesSettled);
    let nodes = node_count(report);
    if nodes == 0 {
        return Ok(report.feesSettled);
    }
    let node_rate = ONE_HUNDRED_PERCENT
        .checked_sub(report.protocolFeeRate)
        .ok_or(Panic::from(PanicKind::UnderOverflow))?;
    // `F < 2^96` and the rate ≤ 10^4 < 2^14: the product fits 128 bits.
    let nodes_share =
        arith::div_rem_u32(fees * u128::from(node_rate), ONE_HUNDRED_PERCENT.into()).0;
    let nodes_total = arith::div_rem_u32(nodes_share, nodes).0 * u128::from(nodes);
    Ok(U96::from_limbs(u96_limbs(fees - nodes_total)))
}

/// The number of node ids of a report (the manager stores at most 255; a longer list from
/// elsewhere saturates, which only a report no manager can store would reach).
fn node_count(report: &PayerReport) -> u32 {
    u32::try_from(report.nodeIds.len()).unwrap_or(u32::MAX)
}

fn u96_value(value: U96) -> u128 {
    let [low, high] = *value.as_limbs();
    u128::from(low) | (u128::from(high) << 64)
}

/// The limbs of a value below 2^96.
// Both halves are taken at 64 bits on purpose.
#[allow(clippy::cast_possible_truncation)]
fn u96_limbs(value: u128) -> [u64; 2] {
    [value as u64, (value >> 64) as u64 & 0xffff_ffff]
}

fn u96_word(value: U96) -> B256 {
    B256::from(U256::from(u96_value(value)))
}

/// `abi.decode(output, (PayerReport[]))` with Solidity's checks (`None` is its empty revert).
fn decode_reports(output: &[u8]) -> Option<Vec<PayerReport>> {
    let (count, elements) = Args::new(output, 1)?.array(0, 1)?;
    (0..count)
        .map(|i| {
            let report = elements.tuple(i, 9)?;
            let fees = report.word(3)?;
            if fees[..20].iter().any(|byte| *byte != 0) {
                return None;
            }
            Some(PayerReport {
                startSequenceId: report.small(0, 64)?,
                endSequenceId: report.small(1, 64)?,
                endMinuteSinceEpoch: report.u32(2)?,
                feesSettled: U96::from_be_slice(&fees[20..]),
                offset: report.u32(4)?,
                isSettled: report.boolean(5)?,
                protocolFeeRate: u16::try_from(report.small(6, 16)?).ok()?,
                payersMerkleRoot: report.word(7)?,
                nodeIds: report.u32s(8)?,
            })
        })
        .collect()
}

/// A returned `uint96`: a word of 2^96 or more (or no word) reverts with empty data.
fn returned_u96(output: &[u8]) -> Result<U96, Bubbled> {
    let word = calls::returned_uint(output)?;
    alloy_primitives::ruint::UintTryTo::uint_try_to(&word).map_err(|_| Bubbled::default())
}

/// A returned `address`: a word with high bits (or no word) reverts with empty data.
fn returned_address(output: &[u8]) -> Result<Address, Bubbled> {
    let word = calls::returned_word(output)?;
    if word[..12].iter().any(|byte| *byte != 0) {
        return Err(Bubbled::default());
    }
    Ok(Address::from_word(word))
}

mod router;
#[cfg(test)]
mod tests;
