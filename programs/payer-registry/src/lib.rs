//! `PayerRegistry`: custody and accounting of payers' fee tokens. Payers (or anyone for them)
//! deposit; payers withdraw through a time-locked request and finalization; the settler (the
//! `PayerReportManager`) debits usage fees, which may push a balance below zero (debt); fee
//! tokens no payer can claim (the excess) go to the fee distributor.
//!
//! Arithmetic is the reference's: `int104` balances and deposits, `uint96` amounts and debt,
//! checked (an overflow is `Panic(0x11)`, as Solidity 0.8 reverts) except the explicit narrowing
//! casts (`uint96(...)` keeps the low bits). Calls are Solidity's: token reverts bubble, a return
//! that does not decode reverts with empty data, permits are attempted and their outcome ignored.
//!
//! Differences from the reference (see `DEVIATIONS.md`):
//! - `depositFromUnderlying` and `depositFromUnderlyingWithPermit` approve the fee token for
//!   exactly the amount before `feeToken.deposit(amount)`: the reference never grants the fee
//!   token the allowance its `deposit` pulls the underlying with, so both always revert there.
//! - `parameterRegistry`, `feeToken` and the fee token's underlying (`underlyingFeeToken`, which
//!   the reference's constructor reads from `feeToken.underlying()`) are wiring, not immutables;
//!   the pipeline refuses zero, which is where `ZeroParameterRegistry()` and `ZeroFeeToken()`
//!   are reported. The bare implementation refuses `initialize()` instead of having its
//!   initializers disabled by a constructor.
#![cfg_attr(target_arch = "wasm32", no_std, no_main)]

extern crate alloc;

use alloc::{string::String, vec, vec::Vec};

use alloy_primitives::{
    aliases::{U24, U96},
    Address, Signed, B256, U256, U32,
};
use alloy_sol_types::{Panic, PanicKind, SolCall, SolEvent};
use stylus_sdk::{
    prelude::*,
    storage::{
        StorageAddress, StorageBool, StorageMap, StorageSigned, StorageU32, StorageU96, StorageUint,
    },
    ArbResult,
};
use xmtp_abi::{
    migratable::{EmptyCode, MigrationFailed, ZeroMigrator},
    oz_initializable::InvalidInitialization,
    payer_registry::{
        Deposit, ExcessTransferred, FeeDistributorUpdated, IPayerRegistry as I,
        InsufficientBalance, InsufficientDeposit, MinimumDepositUpdated, NoChange, NoExcess,
        NoPendingWithdrawal, NotSettler, PauseStatusUpdated, Paused, PayerInDebt,
        PendingWithdrawalExists, SettlerUpdated, TransferFromFailed, UsageSettled,
        WithdrawLockPeriodTooHigh, WithdrawLockPeriodUpdated, WithdrawalCancelled,
        WithdrawalFinalized, WithdrawalNotReady, WithdrawalRequested, ZeroFeeDistributor,
        ZeroMinimumDeposit, ZeroPayer, ZeroRecipient, ZeroSettler, ZeroWithdrawalAmount,
    },
    registry_parameters::ParameterOutOfTypeBounds,
    settlement_chain_external::{IERC20Like, IFeeTokenLike, IPermitErc20Like},
};
use xmtp_core::{
    abi_lean::{self, address, uint, Arg},
    args::Args,
    calls, events,
    initializable::initializer,
    migratable, params,
    slots::PAYER_REGISTRY,
    storage::rooted,
};

/// The longest withdraw lock period a parameter may set: 7 days.
pub const MAX_WITHDRAW_LOCK_PERIOD: u32 = 604_800;

const VERSION: &str = "1.0.0";
const CONTRACT_NAME: &str = "PayerRegistry";

const SETTLER_PARAMETER_KEY: &str = "xmtp.payerRegistry.settler";
const FEE_DISTRIBUTOR_PARAMETER_KEY: &str = "xmtp.payerRegistry.feeDistributor";
const MINIMUM_DEPOSIT_PARAMETER_KEY: &str = "xmtp.payerRegistry.minimumDeposit";
const WITHDRAW_LOCK_PERIOD_PARAMETER_KEY: &str = "xmtp.payerRegistry.withdrawLockPeriod";
const PAUSED_PARAMETER_KEY: &str = "xmtp.payerRegistry.paused";
const MIGRATOR_PARAMETER_KEY: &str = "xmtp.payerRegistry.migrator";

/// `type(int104).min`.
const INT104_MIN: i128 = -(1 << 103);
/// `type(int104).max`.
const INT104_MAX: i128 = (1 << 103) - 1;
/// `type(uint96).max`.
const UINT96_MAX: u128 = (1 << 96) - 1;
/// `type(uint24).max`.
const UINT24_MAX: u32 = (1 << 24) - 1;

xmtp_core::wiring! {
    /// The parameter registry every setting is read from (reference immutable).
    pub fn parameter_registry: Address = "parameterRegistry";
    /// The fee token payers deposit (reference immutable).
    pub fn fee_token: Address = "feeToken";
    /// The fee token's underlying stablecoin (the reference's constructor reads it from
    /// `feeToken.underlying()` into an immutable).
    pub fn underlying_fee_token: Address = "underlyingFeeToken";
}

xmtp_core::lean_errors! {
    /// The errors the payer registry reverts with.
    pub enum PayerRegistryError {
        /// `initialize()` ran before on this proxy, or this is the bare implementation.
        InvalidInitialization(InvalidInitialization),
        /// The registry is paused.
        Paused(Paused),
        /// A deposit for the zero address.
        ZeroPayer(ZeroPayer),
        /// A deposit below the minimum (amount, minimum).
        InsufficientDeposit(InsufficientDeposit) => |error| [
            uint(U256::from(error.amount)),
            uint(U256::from(error.minimumDeposit)),
        ],
        /// The underlying could not be pulled from the caller.
        TransferFromFailed(TransferFromFailed),
        /// A withdrawal request of zero.
        ZeroWithdrawalAmount(ZeroWithdrawalAmount),
        /// A second withdrawal request while one is pending.
        PendingWithdrawalExists(PendingWithdrawalExists),
        /// A withdrawal request above the balance.
        InsufficientBalance(InsufficientBalance),
        /// No withdrawal request to cancel or finalize.
        NoPendingWithdrawal(NoPendingWithdrawal),
        /// A finalization to the zero address.
        ZeroRecipient(ZeroRecipient),
        /// A finalization while the payer is in debt.
        PayerInDebt(PayerInDebt),
        /// A finalization before the withdrawable timestamp.
        WithdrawalNotReady(WithdrawalNotReady) => |error| [
            uint(U256::from(error.timestamp)),
            uint(U256::from(error.withdrawableTimestamp)),
            uint(U256::from(error.nonce)),
        ],
        /// `settleUsage` by anyone but the settler.
        NotSettler(NotSettler),
        /// Nothing to send to the fee distributor.
        NoExcess(NoExcess),
        /// No fee distributor to send to, or a zero fee distributor parameter.
        ZeroFeeDistributor(ZeroFeeDistributor),
        /// A zero settler parameter.
        ZeroSettler(ZeroSettler),
        /// A zero minimum deposit parameter.
        ZeroMinimumDeposit(ZeroMinimumDeposit),
        /// A withdraw lock period parameter above 7 days.
        WithdrawLockPeriodTooHigh(WithdrawLockPeriodTooHigh) => |error| [
            uint(U256::from(error.withdrawLockPeriod)),
            uint(U256::from(error.maxWithdrawLockPeriod)),
        ],
        /// The parameter equals the stored value.
        NoChange(NoChange),
        /// A parameter does not fit its type.
        ParameterOutOfTypeBounds(ParameterOutOfTypeBounds),
        /// No migrator is set.
        ZeroMigrator(ZeroMigrator),
        /// The migrator reverted; carries its revert data.
        MigrationFailed(MigrationFailed) => |error| [
            address(error.migrator_),
            Arg::Bytes(&error.revertData_),
        ],
        /// The migrator has no code.
        EmptyCode(EmptyCode) => |error| [address(error.migrator_)],
        /// Checked arithmetic overflowed (`Panic(0x11)`, as Solidity 0.8).
        Panic(Panic) => |error| [uint(error.code)],
    }
}

/// One payer, in one slot: `balance` (bytes 0-12), `pendingWithdrawal` (13-24),
/// `withdrawableTimestamp` (25-28), `withdrawalNonce` (29-31).
#[storage]
pub struct PayerStorage {
    balance: StorageSigned<104, 2>,
    pending_withdrawal: StorageU96,
    withdrawable_timestamp: StorageU32,
    withdrawal_nonce: StorageUint<24, 1>,
}

/// `PayerRegistryStorage` at `xmtp.storage.PayerRegistry`.
#[storage]
pub struct PayerRegistryStorage {
    paused: StorageBool,
    total_deposits: StorageSigned<104, 2>,
    total_debt: StorageU96,
    withdraw_lock_period: StorageU32,
    minimum_deposit: StorageU96,
    settler: StorageAddress,
    fee_distributor: StorageAddress,
    payers: StorageMap<Address, PayerStorage>,
}

pub use entry::PayerRegistry;

// The SDK's `#[entrypoint]` generates an undocumented public function; a private module keeps it
// out of the crate's public (documented) surface.
mod entry {
    use alloc::{vec, vec::Vec};

    use stylus_sdk::prelude::*;

    /// The program; its state lives in [`PayerRegistryStorage`].
    #[storage]
    #[entrypoint]
    pub struct PayerRegistry {}
}

#[public]
impl PayerRegistry {
    /// Every function: the selector picks it, [`Args`] decodes its arguments with Solidity's
    /// rules (a malformed call, value sent to these nonpayable functions or an unknown selector
    /// revert with empty data, as the reference's dispatcher does).
    #[fallback]
    #[payable]
    pub fn fallback(&mut self, calldata: &[u8]) -> ArbResult {
        if !self.vm().msg_value().is_zero() {
            return Err(Vec::new());
        }
        let (Some(selector), Some(args)) = (calldata.get(..4), calldata.get(4..)) else {
            return Err(Vec::new());
        };
        let selector = [selector[0], selector[1], selector[2], selector[3]];
        self.dispatch(selector, args)
            .unwrap_or_else(|| Err(Vec::new()))
    }
}

// The functions take their ABI arguments by value, as callers decode them.
#[allow(clippy::needless_pass_by_value)]
impl PayerRegistry {
    /// Runs the function `selector` names; `None` for an unknown selector or arguments that do
    /// not decode.
    #[allow(clippy::too_many_lines)]
    fn dispatch(&mut self, selector: [u8; 4], data: &[u8]) -> Option<ArbResult> {
        let args = |words| Args::new(data, words);
        Some(match selector {
            I::initializeCall::SELECTOR => done(self.initialize()),
            I::depositCall::SELECTOR => {
                let args = args(2)?;
                done(self.deposit(args.address(0)?, uint96(&args, 1)?))
            }
            I::depositFromUnderlyingCall::SELECTOR => {
                let args = args(2)?;
                done(self.deposit_from_underlying(args.address(0)?, uint96(&args, 1)?))
            }
            I::depositWithPermitCall::SELECTOR
            | I::depositFromUnderlyingWithPermitCall::SELECTOR => {
                let args = args(6)?;
                let (payer, amount) = (args.address(0)?, uint96(&args, 1)?);
                let (deadline, r, s) = (args.uint(2)?, args.word(4)?, args.word(5)?);
                let v = u8::try_from(args.small(3, 8)?).ok()?;
                done(if selector == I::depositWithPermitCall::SELECTOR {
                    self.deposit_with_permit(payer, amount, deadline, v, r, s)
                } else {
                    self.deposit_from_underlying_with_permit(payer, amount, deadline, v, r, s)
                })
            }
            I::requestWithdrawalCall::SELECTOR => {
                done(self.request_withdrawal(uint96(&args(1)?, 0)?))
            }
            I::cancelWithdrawalCall::SELECTOR => done(self.cancel_withdrawal()),
            I::finalizeWithdrawalCall::SELECTOR => {
                done(self.finalize_withdrawal(args(1)?.address(0)?))
            }
            I::finalizeWithdrawalIntoUnderlyingCall::SELECTOR => {
                done(self.finalize_withdrawal_into_underlying(args(1)?.address(0)?))
            }
            I::settleUsageCall::SELECTOR => {
                let args = args(2)?;
                let report_id = args.word(0)?;
                let (length, elements) = args.array(1, 2)?;
                let fees = (0..length)
                    .map(|index| {
                        Some((
                            elements.address(2 * index)?,
                            uint96(&elements, 2 * index + 1)?,
                        ))
                    })
                    .collect::<Option<Vec<_>>>()?;
                uint_result(self.settle_usage(report_id, fees))
            }
            I::sendExcessToFeeDistributorCall::SELECTOR => {
                uint_result(self.send_excess_to_fee_distributor())
            }
            I::updateSettlerCall::SELECTOR => done(self.update_settler()),
            I::updateFeeDistributorCall::SELECTOR => done(self.update_fee_distributor()),
            I::updateMinimumDepositCall::SELECTOR => done(self.update_minimum_deposit()),
            I::updateWithdrawLockPeriodCall::SELECTOR => done(self.update_withdraw_lock_period()),
            I::updatePauseStatusCall::SELECTOR => done(self.update_pause_status()),
            I::migrateCall::SELECTOR => done(self.migrate()),
            I::settlerParameterKeyCall::SELECTOR => Ok(string(SETTLER_PARAMETER_KEY)),
            I::feeDistributorParameterKeyCall::SELECTOR => {
                Ok(string(FEE_DISTRIBUTOR_PARAMETER_KEY))
            }
            I::minimumDepositParameterKeyCall::SELECTOR => {
                Ok(string(MINIMUM_DEPOSIT_PARAMETER_KEY))
            }
            I::withdrawLockPeriodParameterKeyCall::SELECTOR => {
                Ok(string(WITHDRAW_LOCK_PERIOD_PARAMETER_KEY))
            }
            I::pausedParameterKeyCall::SELECTOR => Ok(string(PAUSED_PARAMETER_KEY)),
            I::migratorParameterKeyCall::SELECTOR => Ok(string(MIGRATOR_PARAMETER_KEY)),
            I::parameterRegistryCall::SELECTOR => Ok(words(&[address_word(parameter_registry())])),
            I::feeTokenCall::SELECTOR => Ok(words(&[address_word(fee_token())])),
            I::settlerCall::SELECTOR => Ok(words(&[address_word(self.settler())])),
            I::feeDistributorCall::SELECTOR => Ok(words(&[address_word(self.fee_distributor())])),
            I::totalDepositsCall::SELECTOR => Ok(words(&[int_word(self.total_deposits())])),
            I::pausedCall::SELECTOR => Ok(words(&[events::boolean(self.paused())])),
            I::totalDebtCall::SELECTOR => Ok(words(&[uint96_word(self.total_debt())])),
            I::totalWithdrawableCall::SELECTOR => uint_result(self.total_withdrawable()),
            I::minimumDepositCall::SELECTOR => Ok(words(&[uint96_word(self.minimum_deposit())])),
            I::withdrawLockPeriodCall::SELECTOR => Ok(words(&[events::uint(U256::from(
                self.withdraw_lock_period(),
            ))])),
            I::excessCall::SELECTOR => uint_result(self.excess()),
            I::getBalanceCall::SELECTOR => {
                Ok(words(&[int_word(self.get_balance(args(1)?.address(0)?))]))
            }
            I::getBalancesCall::SELECTOR => {
                let (length, elements) = args(1)?.array(0, 1)?;
                let payers = (0..length)
                    .map(|index| elements.address(index))
                    .collect::<Option<Vec<_>>>()?;
                let balances: Vec<B256> = self
                    .get_balances(payers)
                    .into_iter()
                    .map(int_word)
                    .collect();
                Ok(abi_lean::encode(None, &[Arg::Words(&balances)]))
            }
            I::getPendingWithdrawalCall::SELECTOR => {
                let (amount, timestamp, nonce) = self.get_pending_withdrawal(args(1)?.address(0)?);
                Ok(words(&[
                    uint96_word(amount),
                    events::uint(U256::from(timestamp)),
                    events::uint(U256::from(nonce)),
                ]))
            }
            I::implementationCall::SELECTOR => Ok(words(&[address_word(self.implementation())])),
            I::versionCall::SELECTOR => Ok(string(VERSION)),
            I::contractNameCall::SELECTOR => Ok(string(CONTRACT_NAME)),
            _ => return None,
        })
    }

    /// Marks the proxy initialized; the state starts empty (minimum deposit and lock period 0).
    pub fn initialize(&mut self) -> Result<(), PayerRegistryError> {
        let vm = self.vm().clone();
        initializer(&vm, || Ok(()))
    }

    /// Pulls `amount_` fee tokens from the caller and credits them to `payer_`.
    pub fn deposit(&mut self, payer_: Address, amount_: U96) -> Result<(), PayerRegistryError> {
        self.deposit_fee_token(payer_, amount_.saturating_to::<u128>())
    }

    /// `deposit`, after trying the caller's fee-token permit for `amount_` (its failure is ignored).
    pub fn deposit_with_permit(
        &mut self,
        payer_: Address,
        amount_: U96,
        deadline_: U256,
        v_: u8,
        r_: B256,
        s_: B256,
    ) -> Result<(), PayerRegistryError> {
        self.use_permit(fee_token(), amount_, deadline_, v_, r_, s_);
        self.deposit_fee_token(payer_, amount_.saturating_to::<u128>())
    }

    /// Pulls `amount_` of the underlying from the caller, wraps it into fee tokens and credits
    /// them to `payer_`.
    pub fn deposit_from_underlying(
        &mut self,
        payer_: Address,
        amount_: U96,
    ) -> Result<(), PayerRegistryError> {
        self.deposit_underlying(payer_, amount_.saturating_to::<u128>())
    }

    /// `depositFromUnderlying`, after trying the caller's underlying permit for `amount_` (its
    /// failure is ignored).
    pub fn deposit_from_underlying_with_permit(
        &mut self,
        payer_: Address,
        amount_: U96,
        deadline_: U256,
        v_: u8,
        r_: B256,
        s_: B256,
    ) -> Result<(), PayerRegistryError> {
        self.use_permit(underlying_fee_token(), amount_, deadline_, v_, r_, s_);
        self.deposit_underlying(payer_, amount_.saturating_to::<u128>())
    }

    /// Moves `amount_` of the caller's balance into a withdrawal that can be finalized after the
    /// lock period.
    pub fn request_withdrawal(&mut self, amount_: U96) -> Result<(), PayerRegistryError> {
        self.revert_if_paused()?;
        let amount = amount_.saturating_to::<u128>();
        if amount == 0 {
            return Err(ZeroWithdrawalAmount {}.into());
        }
        let caller = self.vm().msg_sender();
        let mut layout = self.layout();
        let mut payer = layout.payers.setter(caller);
        if !payer.pending_withdrawal.get().is_zero() {
            return Err(PendingWithdrawalExists {}.into());
        }
        let withdrawable_timestamp = truncate_to_u32(self.vm().block_timestamp())
            .checked_add(layout.withdraw_lock_period.get().saturating_to::<u32>())
            .ok_or_else(overflow)?;
        let nonce = payer.withdrawal_nonce.get().saturating_to::<u32>() + 1;
        if nonce > UINT24_MAX {
            return Err(overflow().into());
        }
        let balance = get_i104(&payer.balance);
        let (new_balance, debt_incurred) = decreased(balance, amount)?;
        // A request must be covered by the balance; debt would mean it is not.
        if debt_incurred != 0 {
            return Err(InsufficientBalance {}.into());
        }
        payer.pending_withdrawal.set(to_u96(amount));
        payer
            .withdrawable_timestamp
            .set(U32::from_limbs([u64::from(withdrawable_timestamp)]));
        // Checked above: the nonce is at most `type(uint24).max`.
        payer
            .withdrawal_nonce
            .set(U24::from_limbs([u64::from(nonce)]));
        set_i104(&mut payer.balance, new_balance);
        events::emit(
            self.vm(),
            &[WithdrawalRequested::SIGNATURE_HASH, events::address(caller)],
            &events::words(&[
                events::uint(U256::from(amount)),
                events::uint(U256::from(withdrawable_timestamp)),
                events::uint(U256::from(nonce)),
            ]),
        );
        Ok(())
    }

    /// Returns the caller's pending withdrawal to its balance.
    pub fn cancel_withdrawal(&mut self) -> Result<(), PayerRegistryError> {
        self.revert_if_paused()?;
        let caller = self.vm().msg_sender();
        let mut layout = self.layout();
        let total_debt = layout.total_debt.get().saturating_to::<u128>();
        let mut payer = layout.payers.setter(caller);
        let pending_withdrawal = payer.pending_withdrawal.get().saturating_to::<u128>();
        if pending_withdrawal == 0 {
            return Err(NoPendingWithdrawal {}.into());
        }
        let nonce = payer.withdrawal_nonce.get();
        let (new_balance, debt_repaid) = increased(get_i104(&payer.balance), pending_withdrawal)?;
        let total_debt = total_debt.checked_sub(debt_repaid).ok_or_else(overflow)?;
        set_i104(&mut payer.balance, new_balance);
        payer.pending_withdrawal.set(U96::ZERO);
        payer.withdrawable_timestamp.set(U32::ZERO);
        layout.total_debt.set(to_u96(total_debt));
        events::emit(
            self.vm(),
            &[WithdrawalCancelled::SIGNATURE_HASH, events::address(caller)],
            &events::uint(U256::from(nonce)).0,
        );
        Ok(())
    }

    /// Finalizes the caller's withdrawal, sending the fee tokens to `recipient_`.
    pub fn finalize_withdrawal(&mut self, recipient_: Address) -> Result<(), PayerRegistryError> {
        let amount = self.finalize(recipient_)?;
        let calldata = abi_lean::encode(
            Some(IERC20Like::transferCall::SELECTOR),
            &[address(recipient_), uint(U256::from(amount))],
        );
        self.call_returning_bool(fee_token(), &calldata)
    }

    /// Finalizes the caller's withdrawal, unwrapping the fee tokens into the underlying sent to
    /// `recipient_`.
    pub fn finalize_withdrawal_into_underlying(
        &mut self,
        recipient_: Address,
    ) -> Result<(), PayerRegistryError> {
        let amount = self.finalize(recipient_)?;
        let calldata = abi_lean::encode(
            Some(IFeeTokenLike::withdrawToCall::SELECTOR),
            &[address(recipient_), uint(U256::from(amount))],
        );
        self.call_returning_bool(fee_token(), &calldata)
    }

    /// Settler: debits each payer's fee (into debt if need be); returns the sum of the fees.
    pub fn settle_usage(
        &mut self,
        payer_report_id_: B256,
        payer_fees_: Vec<(Address, U96)>,
    ) -> Result<U96, PayerRegistryError> {
        let mut layout = self.layout();
        if self.vm().msg_sender() != layout.settler.get() {
            return Err(NotSettler {}.into());
        }
        self.revert_if_paused()?;
        let mut total_deposits = get_i104(&layout.total_deposits);
        let mut total_debt = layout.total_debt.get().saturating_to::<u128>();
        let mut fees_settled: u128 = 0;
        for (payer_address, fee_) in payer_fees_ {
            let fee = fee_.saturating_to::<u128>();
            events::emit(
                self.vm(),
                &[
                    UsageSettled::SIGNATURE_HASH,
                    payer_report_id_,
                    events::address(payer_address),
                ],
                &events::uint(U256::from(fee)).0,
            );
            fees_settled = add_u96(fees_settled, fee)?;
            total_deposits = to_i104(total_deposits - i128_from(fee))?;
            let mut payer = layout.payers.setter(payer_address);
            let (new_balance, debt_incurred) = decreased(get_i104(&payer.balance), fee)?;
            set_i104(&mut payer.balance, new_balance);
            total_debt = add_u96(total_debt, debt_incurred)?;
        }
        set_i104(&mut layout.total_deposits, total_deposits);
        layout.total_debt.set(to_u96(total_debt));
        Ok(to_u96(fees_settled))
    }

    /// Sends the fee tokens no payer can claim to the fee distributor; returns the amount.
    pub fn send_excess_to_fee_distributor(&mut self) -> Result<U96, PayerRegistryError> {
        self.revert_if_paused()?;
        let excess = self.excess()?;
        if excess.is_zero() {
            return Err(NoExcess {}.into());
        }
        let fee_distributor = self.layout().fee_distributor.get();
        if fee_distributor.is_zero() {
            return Err(ZeroFeeDistributor {}.into());
        }
        events::emit(
            self.vm(),
            &[ExcessTransferred::SIGNATURE_HASH],
            &events::uint(U256::from(excess)).0,
        );
        let calldata = abi_lean::encode(
            Some(IERC20Like::transferCall::SELECTOR),
            &[address(fee_distributor), uint(U256::from(excess))],
        );
        self.call_returning_bool(fee_token(), &calldata)?;
        Ok(excess)
    }

    /// Reads the settler from the parameter registry.
    pub fn update_settler(&mut self) -> Result<(), PayerRegistryError> {
        let settler = self.address_parameter(SETTLER_PARAMETER_KEY)?;
        if settler.is_zero() {
            return Err(ZeroSettler {}.into());
        }
        let mut layout = self.layout();
        if layout.settler.get() == settler {
            return Err(NoChange {}.into());
        }
        layout.settler.set(settler);
        events::emit(
            self.vm(),
            &[SettlerUpdated::SIGNATURE_HASH, events::address(settler)],
            &[],
        );
        Ok(())
    }

    /// Reads the fee distributor from the parameter registry.
    pub fn update_fee_distributor(&mut self) -> Result<(), PayerRegistryError> {
        let fee_distributor = self.address_parameter(FEE_DISTRIBUTOR_PARAMETER_KEY)?;
        if fee_distributor.is_zero() {
            return Err(ZeroFeeDistributor {}.into());
        }
        let mut layout = self.layout();
        if layout.fee_distributor.get() == fee_distributor {
            return Err(NoChange {}.into());
        }
        layout.fee_distributor.set(fee_distributor);
        events::emit(
            self.vm(),
            &[
                FeeDistributorUpdated::SIGNATURE_HASH,
                events::address(fee_distributor),
            ],
            &[],
        );
        Ok(())
    }

    /// Reads the minimum deposit from the parameter registry (never zero).
    pub fn update_minimum_deposit(&mut self) -> Result<(), PayerRegistryError> {
        let minimum_deposit = params::get_uint::<PayerRegistryError>(
            self.vm(),
            parameter_registry(),
            MINIMUM_DEPOSIT_PARAMETER_KEY,
            96,
        )?
        .saturating_to::<U96>();
        if minimum_deposit.is_zero() {
            return Err(ZeroMinimumDeposit {}.into());
        }
        let mut layout = self.layout();
        if layout.minimum_deposit.get() == minimum_deposit {
            return Err(NoChange {}.into());
        }
        layout.minimum_deposit.set(minimum_deposit);
        events::emit(
            self.vm(),
            &[MinimumDepositUpdated::SIGNATURE_HASH],
            &events::uint(U256::from(minimum_deposit)).0,
        );
        Ok(())
    }

    /// Reads the withdraw lock period from the parameter registry (at most 7 days).
    pub fn update_withdraw_lock_period(&mut self) -> Result<(), PayerRegistryError> {
        let withdraw_lock_period = params::get_uint::<PayerRegistryError>(
            self.vm(),
            parameter_registry(),
            WITHDRAW_LOCK_PERIOD_PARAMETER_KEY,
            32,
        )?
        .saturating_to::<u32>();
        if withdraw_lock_period > MAX_WITHDRAW_LOCK_PERIOD {
            return Err(WithdrawLockPeriodTooHigh {
                withdrawLockPeriod: withdraw_lock_period,
                maxWithdrawLockPeriod: MAX_WITHDRAW_LOCK_PERIOD,
            }
            .into());
        }
        let mut layout = self.layout();
        if layout.withdraw_lock_period.get().saturating_to::<u32>() == withdraw_lock_period {
            return Err(NoChange {}.into());
        }
        layout
            .withdraw_lock_period
            .set(U32::from_limbs([u64::from(withdraw_lock_period)]));
        events::emit(
            self.vm(),
            &[WithdrawLockPeriodUpdated::SIGNATURE_HASH],
            &events::uint(U256::from(withdraw_lock_period)).0,
        );
        Ok(())
    }

    /// Reads the pause status from the parameter registry.
    pub fn update_pause_status(&mut self) -> Result<(), PayerRegistryError> {
        let paused = params::get_bool::<PayerRegistryError>(
            self.vm(),
            parameter_registry(),
            PAUSED_PARAMETER_KEY,
        )?;
        let mut layout = self.layout();
        if layout.paused.get() == paused {
            return Err(NoChange {}.into());
        }
        layout.paused.set(paused);
        events::emit(
            self.vm(),
            &[PauseStatusUpdated::SIGNATURE_HASH, events::boolean(paused)],
            &[],
        );
        Ok(())
    }

    /// Migrates this proxy through the migrator set in the parameter registry.
    pub fn migrate(&mut self) -> Result<(), PayerRegistryError> {
        let vm = self.vm().clone();
        let migrator = self.address_parameter(MIGRATOR_PARAMETER_KEY)?;
        migratable::migrate(&vm, migrator)
    }

    /// `"xmtp.payerRegistry.settler"`.
    pub fn settler_parameter_key() -> String {
        SETTLER_PARAMETER_KEY.into()
    }

    /// `"xmtp.payerRegistry.feeDistributor"`.
    pub fn fee_distributor_parameter_key() -> String {
        FEE_DISTRIBUTOR_PARAMETER_KEY.into()
    }

    /// `"xmtp.payerRegistry.minimumDeposit"`.
    pub fn minimum_deposit_parameter_key() -> String {
        MINIMUM_DEPOSIT_PARAMETER_KEY.into()
    }

    /// `"xmtp.payerRegistry.withdrawLockPeriod"`.
    pub fn withdraw_lock_period_parameter_key() -> String {
        WITHDRAW_LOCK_PERIOD_PARAMETER_KEY.into()
    }

    /// `"xmtp.payerRegistry.paused"`.
    pub fn paused_parameter_key() -> String {
        PAUSED_PARAMETER_KEY.into()
    }

    /// `"xmtp.payerRegistry.migrator"`.
    pub fn migrator_parameter_key() -> String {
        MIGRATOR_PARAMETER_KEY.into()
    }

    /// The parameter registry this implementation was built with.
    pub fn parameter_registry_getter(&self) -> Address {
        parameter_registry()
    }

    /// The fee token this implementation was built with.
    pub fn fee_token_getter(&self) -> Address {
        fee_token()
    }

    /// The settler (zero until `updateSettler()`).
    pub fn settler(&self) -> Address {
        self.layout().settler.get()
    }

    /// The fee distributor (zero until `updateFeeDistributor()`).
    pub fn fee_distributor(&self) -> Address {
        self.layout().fee_distributor.get()
    }

    /// The sum of all balances and pending withdrawals.
    pub fn total_deposits(&self) -> Signed<104, 2> {
        self.layout().total_deposits.get()
    }

    /// Whether deposits, withdrawals, settlement and excess transfers are paused.
    pub fn paused(&self) -> bool {
        self.layout().paused.get()
    }

    /// The sum of all debts.
    pub fn total_debt(&self) -> U96 {
        self.layout().total_debt.get()
    }

    /// The sum of all positive balances and pending withdrawals.
    pub fn total_withdrawable(&self) -> Result<U96, PayerRegistryError> {
        let layout = self.layout();
        Ok(total_withdrawable(
            get_i104(&layout.total_deposits),
            layout.total_debt.get().saturating_to::<u128>(),
        )?)
    }

    /// The smallest deposit accepted.
    pub fn minimum_deposit(&self) -> U96 {
        self.layout().minimum_deposit.get()
    }

    /// How long a withdrawal request waits before it can be finalized.
    pub fn withdraw_lock_period(&self) -> u32 {
        self.layout()
            .withdraw_lock_period
            .get()
            .saturating_to::<u32>()
    }

    /// The fee tokens held beyond what payers can withdraw (the balance's low 96 bits).
    pub fn excess(&self) -> Result<U96, PayerRegistryError> {
        let layout = self.layout();
        let total_withdrawable = total_withdrawable(
            get_i104(&layout.total_deposits),
            layout.total_debt.get().saturating_to::<u128>(),
        )?;
        let calldata = abi_lean::encode(
            Some(IERC20Like::balanceOfCall::SELECTOR),
            &[address(self.vm().contract_address())],
        );
        let output = calls::static_call(self.vm(), fee_token(), &calldata)?;
        let balance = calls::returned_uint(&output)?;
        // `uint96(balance)`: Solidity's narrowing keeps the low 96 bits.
        let token_balance = (balance & U256::from(UINT96_MAX)).saturating_to::<u128>();
        Ok(to_u96(token_balance.saturating_sub(
            total_withdrawable.saturating_to::<u128>(),
        )))
    }

    /// A payer's balance (negative when in debt).
    pub fn get_balance(&self, payer_: Address) -> Signed<104, 2> {
        self.layout().payers.getter(payer_).balance.get()
    }

    /// The payers' balances, in the order asked.
    pub fn get_balances(&self, payers_: Vec<Address>) -> Vec<Signed<104, 2>> {
        let layout = self.layout();
        payers_
            .into_iter()
            .map(|payer| layout.payers.getter(payer).balance.get())
            .collect()
    }

    /// A payer's pending withdrawal: amount, withdrawable timestamp and request nonce.
    pub fn get_pending_withdrawal(&self, payer_: Address) -> (U96, u32, U24) {
        let layout = self.layout();
        let payer = layout.payers.getter(payer_);
        (
            payer.pending_withdrawal.get(),
            payer.withdrawable_timestamp.get().saturating_to::<u32>(),
            payer.withdrawal_nonce.get(),
        )
    }

    /// The executing proxy's implementation.
    pub fn implementation(&self) -> Address {
        xmtp_core::storage::implementation(self.vm())
    }

    /// `"1.0.0"`.
    pub fn version() -> String {
        VERSION.into()
    }

    /// `"PayerRegistry"`.
    pub fn contract_name() -> String {
        CONTRACT_NAME.into()
    }
}

impl PayerRegistry {
    fn layout(&self) -> PayerRegistryStorage {
        rooted(self.vm(), PAYER_REGISTRY)
    }

    fn revert_if_paused(&self) -> Result<(), PayerRegistryError> {
        if self.layout().paused.get() {
            return Err(Paused {}.into());
        }
        Ok(())
    }

    fn address_parameter(&self, key: &str) -> Result<Address, PayerRegistryError> {
        params::get_address(self.vm(), parameter_registry(), key)
    }

    /// `feeToken.transferFrom(caller, this, amount)`, then the credit.
    fn deposit_fee_token(
        &mut self,
        payer: Address,
        amount: u128,
    ) -> Result<(), PayerRegistryError> {
        let calldata = abi_lean::encode(
            Some(IERC20Like::transferFromCall::SELECTOR),
            &[
                address(self.vm().msg_sender()),
                address(self.vm().contract_address()),
                uint(U256::from(amount)),
            ],
        );
        self.call_returning_bool(fee_token(), &calldata)?;
        self.credit(payer, amount)
    }

    /// Pulls the underlying (solady's `safeTransferFrom`), wraps it, then the credit.
    fn deposit_underlying(
        &mut self,
        payer: Address,
        amount: u128,
    ) -> Result<(), PayerRegistryError> {
        let vm = self.vm().clone();
        let this = vm.contract_address();
        let underlying = underlying_fee_token();
        calls::safe_transfer_from(&vm, underlying, vm.msg_sender(), this, U256::from(amount))?;
        // The fix: the fee token's `deposit` pulls the underlying from us, which needs this
        // allowance; the reference never grants it. Exactly the amount, so none is left over.
        let approve = abi_lean::encode(
            Some(IERC20Like::approveCall::SELECTOR),
            &[address(fee_token()), uint(U256::from(amount))],
        );
        self.call_returning_bool(underlying, &approve)?;
        let wrap = abi_lean::encode(
            Some(IFeeTokenLike::depositCall::SELECTOR),
            &[uint(U256::from(amount))],
        );
        calls::call_returning_nothing(&vm, fee_token(), &wrap)?;
        self.credit(payer, amount)
    }

    /// The common tail of every deposit: checks, then the balance and totals, then `Deposit`.
    fn credit(&mut self, payer_address: Address, amount: u128) -> Result<(), PayerRegistryError> {
        self.revert_if_paused()?;
        if payer_address.is_zero() {
            return Err(ZeroPayer {}.into());
        }
        let mut layout = self.layout();
        let minimum_deposit = layout.minimum_deposit.get();
        if to_u96(amount) < minimum_deposit {
            return Err(InsufficientDeposit {
                amount: to_u96(amount),
                minimumDeposit: minimum_deposit,
            }
            .into());
        }
        let total_debt = layout.total_debt.get().saturating_to::<u128>();
        let total_deposits = get_i104(&layout.total_deposits);
        let mut payer = layout.payers.setter(payer_address);
        let (new_balance, debt_repaid) = increased(get_i104(&payer.balance), amount)?;
        let total_debt = total_debt.checked_sub(debt_repaid).ok_or_else(overflow)?;
        let total_deposits = to_i104(total_deposits + i128_from(amount))?;
        set_i104(&mut payer.balance, new_balance);
        layout.total_debt.set(to_u96(total_debt));
        set_i104(&mut layout.total_deposits, total_deposits);
        events::emit(
            self.vm(),
            &[Deposit::SIGNATURE_HASH, events::address(payer_address)],
            &events::uint(U256::from(amount)).0,
        );
        Ok(())
    }

    /// The checks and effects both finalizations share; returns the amount to pay out.
    fn finalize(&mut self, recipient: Address) -> Result<u128, PayerRegistryError> {
        self.revert_if_paused()?;
        if recipient.is_zero() {
            return Err(ZeroRecipient {}.into());
        }
        let caller = self.vm().msg_sender();
        let timestamp = self.vm().block_timestamp();
        let mut layout = self.layout();
        let total_deposits = get_i104(&layout.total_deposits);
        let mut payer = layout.payers.setter(caller);
        let pending_withdrawal = payer.pending_withdrawal.get().saturating_to::<u128>();
        if pending_withdrawal == 0 {
            return Err(NoPendingWithdrawal {}.into());
        }
        if get_i104(&payer.balance) < 0 {
            return Err(PayerInDebt {}.into());
        }
        let withdrawable_timestamp = payer.withdrawable_timestamp.get().saturating_to::<u32>();
        let nonce = payer.withdrawal_nonce.get();
        if timestamp < u64::from(withdrawable_timestamp) {
            return Err(WithdrawalNotReady {
                timestamp: truncate_to_u32(timestamp),
                withdrawableTimestamp: withdrawable_timestamp,
                nonce,
            }
            .into());
        }
        let total_deposits = to_i104(total_deposits - i128_from(pending_withdrawal))?;
        payer.pending_withdrawal.set(U96::ZERO);
        payer.withdrawable_timestamp.set(U32::ZERO);
        set_i104(&mut layout.total_deposits, total_deposits);
        events::emit(
            self.vm(),
            &[WithdrawalFinalized::SIGNATURE_HASH, events::address(caller)],
            &events::uint(U256::from(nonce)).0,
        );
        Ok(pending_withdrawal)
    }

    /// `token.permit(caller, this, amount, deadline, v, r, s)` as a low-level call whose outcome
    /// is ignored: a permit already used (or front-run) must not stop a deposit an allowance
    /// already covers.
    fn use_permit(&self, token: Address, amount: U96, deadline: U256, v: u8, r: B256, s: B256) {
        let calldata = abi_lean::encode(
            Some(IPermitErc20Like::permitCall::SELECTOR),
            &[
                address(self.vm().msg_sender()),
                address(self.vm().contract_address()),
                uint(U256::from(amount)),
                uint(deadline),
                uint(U256::from(v)),
                Arg::Word(r),
                Arg::Word(s),
            ],
        );
        calls::call_ignoring_outcome(self.vm(), token, &calldata);
    }

    /// A Solidity high-level call of a function returning `bool`: reverts bubble, the bool must
    /// decode, its value is not checked (as the reference does for its own tokens).
    fn call_returning_bool(
        &self,
        token: Address,
        calldata: &[u8],
    ) -> Result<(), PayerRegistryError> {
        let output = calls::call(self.vm(), token, U256::ZERO, calldata)?;
        calls::returned_bool(&output)?;
        Ok(())
    }
}

/// `Ok` with no return data, or the error's revert data.
fn done(result: Result<(), PayerRegistryError>) -> ArbResult {
    result.map(|()| Vec::new()).map_err(Vec::from)
}

/// A `uint96`, or the error's revert data.
fn uint_result(result: Result<U96, PayerRegistryError>) -> ArbResult {
    result
        .map(|value| words(&[uint96_word(value)]))
        .map_err(Vec::from)
}

/// Return data of value types.
fn words(values: &[B256]) -> Vec<u8> {
    events::words(values)
}

/// Return data of one `string`.
fn string(value: &str) -> Vec<u8> {
    abi_lean::encode(None, &[Arg::String(value)])
}

fn address_word(value: Address) -> B256 {
    value.into_word()
}

fn uint96_word(value: U96) -> B256 {
    events::uint(U256::from(value))
}

/// An `int104` as its sign-extended word.
fn int_word(value: Signed<104, 2>) -> B256 {
    let value = i128::try_from(value).unwrap_or_default();
    let mut word = if value < 0 { [0xff; 32] } else { [0; 32] };
    word[16..].copy_from_slice(&value.to_be_bytes());
    B256::from(word)
}

/// A `uint96` from a value already known to fit (a checked sum, a masked amount): ruint's
/// `From` would link its panicking conversion (and its message formatting) instead.
// Both halves are masked to their limb.
#[allow(clippy::cast_possible_truncation)]
fn to_u96(value: u128) -> U96 {
    U96::from_limbs([value as u64, ((value >> 64) as u64) & 0xffff_ffff])
}

/// Head word `index` as a `uint96` (Solidity refuses a word with higher bits set).
fn uint96(args: &Args<'_>, index: usize) -> Option<U96> {
    let word = args.word(index)?;
    if word[..20].iter().any(|byte| *byte != 0) {
        return None;
    }
    let mut high = [0u8; 8];
    high[4..].copy_from_slice(&word[20..24]);
    let mut low = [0u8; 8];
    low.copy_from_slice(&word[24..]);
    Some(U96::from_limbs([
        u64::from_be_bytes(low),
        u64::from_be_bytes(high),
    ]))
}

fn overflow() -> Panic {
    PanicKind::UnderOverflow.into()
}

/// `int104(x)` for a value that must already be in range (checked arithmetic's result).
fn to_i104(value: i128) -> Result<i128, Panic> {
    if (INT104_MIN..=INT104_MAX).contains(&value) {
        Ok(value)
    } else {
        Err(overflow())
    }
}

/// A `uint96` widened to `int104` (always fits; the reference reinterprets it in assembly).
fn i128_from(value: u128) -> i128 {
    i128::try_from(value & UINT96_MAX).unwrap_or_default()
}

/// Checked `uint96` addition.
fn add_u96(left: u128, right: u128) -> Result<u128, Panic> {
    let sum = left + right;
    if sum > UINT96_MAX {
        return Err(overflow());
    }
    Ok(sum)
}

/// `_getDebt`: `uint96(uint104(-balance))` for a negative balance (the negation is checked),
/// else 0.
fn debt(balance: i128) -> Result<u128, Panic> {
    if balance >= 0 {
        return Ok(0);
    }
    if balance == INT104_MIN {
        return Err(overflow());
    }
    Ok(balance.unsigned_abs() & UINT96_MAX)
}

/// `_increaseBalance` without the write: the new balance and the debt repaid.
fn increased(balance: i128, amount: u128) -> Result<(i128, u128), Panic> {
    let new_balance = to_i104(balance + i128_from(amount))?;
    let repaid = debt(balance)?
        .checked_sub(debt(new_balance)?)
        .ok_or_else(overflow)?;
    Ok((new_balance, repaid))
}

/// `_decreaseBalance` without the write: the new balance and the debt incurred.
fn decreased(balance: i128, amount: u128) -> Result<(i128, u128), Panic> {
    let new_balance = to_i104(balance - i128_from(amount))?;
    let incurred = debt(new_balance)?
        .checked_sub(debt(balance)?)
        .ok_or_else(overflow)?;
    Ok((new_balance, incurred))
}

/// `uint96(uint104(totalDeposits + int104(totalDebt)))`: a checked `int104` sum, then its low
/// 96 bits.
fn total_withdrawable(total_deposits: i128, total_debt: u128) -> Result<U96, Panic> {
    let sum = to_i104(total_deposits + i128_from(total_debt))?;
    // Two's complement: the low 96 bits of the sum, whatever its sign.
    #[allow(clippy::cast_sign_loss)]
    let low = (sum as u128) & UINT96_MAX;
    Ok(to_u96(low))
}

/// `uint32(x)`: the low 32 bits, as Solidity's explicit narrowing keeps them.
fn truncate_to_u32(value: u64) -> u32 {
    (value & 0xffff_ffff) as u32
}

fn get_i104(slot: &StorageSigned<104, 2>) -> i128 {
    // Every `int104` fits an `i128`.
    i128::try_from(slot.get()).unwrap_or_default()
}

fn set_i104(slot: &mut StorageSigned<104, 2>, value: i128) {
    // Callers pass values checked by `to_i104`, so the conversion always succeeds.
    if let Ok(value) = Signed::<104, 2>::try_from(value) {
        slot.set(value);
    }
}

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;
