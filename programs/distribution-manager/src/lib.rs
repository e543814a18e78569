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
//! initializers disabled by a constructor.
#![cfg_attr(target_arch = "wasm32", no_std, no_main)]

extern crate alloc;

use alloc::{string::String, vec, vec::Vec};

use alloy_primitives::{aliases::U96, Address, U256};
use alloy_sol_types::{Panic, PanicKind, SolCall, SolError};
use stylus_sdk::{
    prelude::*,
    storage::{StorageAddress, StorageBool, StorageMap, StorageU96},
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
    calls, initializable::initializer, migratable, params, slots::DISTRIBUTION_MANAGER,
    storage::rooted, Bubbled,
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

/// The errors the distribution manager reverts with.
#[derive(SolidityError, Debug, PartialEq)]
pub enum DistributionManagerError {
    /// `initialize()` ran before on this proxy, or this is the bare implementation.
    InvalidInitialization(InvalidInitialization),
    /// The caller does not own the node's token.
    NotNodeOwner(NotNodeOwner),
    /// Originator and index arrays of different lengths.
    ArrayLengthMismatch(ArrayLengthMismatch),
    /// The report's share was claimed before.
    AlreadyClaimed(AlreadyClaimed),
    /// The report is not entirely settled.
    PayerReportNotSettled(PayerReportNotSettled),
    /// The node is not one of the report's nodes.
    NotInPayerReport(NotInPayerReport),
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
    MigrationFailed(MigrationFailed),
    /// The migrator has no code.
    EmptyCode(EmptyCode),
    /// A report's rate above 100 % (`Panic(0x11)`; reports the manager stores never have one).
    Panic(Panic),
    /// A callee's revert, passed through; empty for undecodable data.
    Bubbled(Bubbled),
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

    /// The program; its state lives in [`DistributionManagerStorage`].
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

// The SDK's router hands decoded arguments over by value.
#[allow(clippy::needless_pass_by_value)]
#[public]
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
            vm.log(ProtocolFeesClaim {
                originatorNodeId: *originator,
                payerReportIndex: *index,
                amount,
            });
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
            let portion =
                report.feesSettled.wrapping_sub(protocol) / U96::from(report.nodeIds.len());
            claimed = claimed.wrapping_add(portion);
            vm.log(Claim {
                nodeId: node_id_,
                originatorNodeId: *originator,
                payerReportIndex: *index,
                amount: portion,
            });
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
        vm.log(PauseStatusUpdated { paused });
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
        vm.log(ProtocolFeesRecipientUpdated {
            protocolFeesRecipient: recipient,
        });
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
    pub fn migrator_parameter_key() -> String {
        MIGRATOR_PARAMETER_KEY.into()
    }

    /// `"xmtp.distributionManager.paused"`.
    pub fn paused_parameter_key() -> String {
        PAUSED_PARAMETER_KEY.into()
    }

    /// `"xmtp.distributionManager.protocolFeesRecipient"`.
    pub fn protocol_fees_recipient_parameter_key() -> String {
        PROTOCOL_FEES_RECIPIENT_PARAMETER_KEY.into()
    }

    /// The parameter registry this implementation was built with.
    #[selector(name = "parameterRegistry")]
    pub fn parameter_registry_getter(&self) -> Address {
        parameter_registry()
    }

    /// The node registry this implementation was built with.
    #[selector(name = "nodeRegistry")]
    pub fn node_registry_getter(&self) -> Address {
        node_registry()
    }

    /// The payer report manager this implementation was built with.
    #[selector(name = "payerReportManager")]
    pub fn payer_report_manager_getter(&self) -> Address {
        payer_report_manager()
    }

    /// The payer registry this implementation was built with.
    #[selector(name = "payerRegistry")]
    pub fn payer_registry_getter(&self) -> Address {
        payer_registry()
    }

    /// The fee token this implementation was built with.
    #[selector(name = "feeToken")]
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
    pub fn version() -> String {
        "1.0.2".into()
    }

    /// `"DistributionManager"`.
    pub fn contract_name() -> String {
        "DistributionManager".into()
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
        let calldata = INodeRegistryLike::ownerOfCall {
            nodeId_: U256::from(node_id),
        }
        .abi_encode();
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
        let calldata = IPayerReportManagerLike::getPayerReportsCall {
            originatorNodeIds_: originators.to_vec(),
            payerReportIndices_: indices.to_vec(),
        }
        .abi_encode();
        let output = calls::static_call(self.vm(), payer_report_manager(), &calldata)?;
        let reports =
            IPayerReportManagerLike::getPayerReportsCall::abi_decode_returns_validate(&output)
                .map_err(|_| Bubbled::default())?;
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
        self.vm().log(Withdrawal {
            nodeId: node_id,
            amount,
        });
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
        self.vm().log(ProtocolFeesWithdrawal { amount });
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
        let calldata = IERC20Like::balanceOfCall {
            account_: vm.contract_address(),
        }
        .abi_encode();
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
            let calldata = IPayerRegistryLike::sendExcessToFeeDistributorCall {}.abi_encode();
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
        let amount = U256::from(amount);
        let calldata = match payout {
            Payout::FeeToken => IERC20Like::transferCall {
                recipient_: recipient,
                amount_: amount,
            }
            .abi_encode(),
            Payout::Underlying => IFeeTokenLike::withdrawToCall {
                recipient_: recipient,
                amount_: amount,
            }
            .abi_encode(),
        };
        let output = calls::call(self.vm(), fee_token(), U256::ZERO, &calldata)?;
        // The returned bool is decoded (so must be 0 or 1) but its value is not checked.
        calls::returned_bool(&output)?;
        Ok(())
    }
}

/// The protocol's part of a settled report (§6.4): everything without nodes, else
/// `F − floor(floor(F · (10000 − rate) / 10000) / n) · n`.
fn protocol_fees(report: &PayerReport) -> Result<U96, Panic> {
    let fees = report.feesSettled.to::<u128>();
    let nodes = report.nodeIds.len() as u128;
    if nodes == 0 {
        return Ok(report.feesSettled);
    }
    let node_rate = ONE_HUNDRED_PERCENT
        .checked_sub(report.protocolFeeRate)
        .ok_or(Panic::from(PanicKind::UnderOverflow))?;
    // `F < 2^96` and the rate ≤ 10^4 < 2^14: the product fits 128 bits.
    let nodes_share = fees * u128::from(node_rate) / u128::from(ONE_HUNDRED_PERCENT);
    let nodes_total = nodes_share / nodes * nodes;
    Ok(U96::from(fees - nodes_total))
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

#[cfg(test)]
mod tests;
