//! `SettlementChainGateway`: the settlement-chain end of the gateway pair, one per environment.
//!
//! It bridges parameter values from the settlement registry to the `AppChainGateway` of each
//! app chain, and deposits fee tokens (or the underlying stablecoin, wrapped on the way) to app
//! chains where they become a recipient's 18-decimal native gas token; both travel as Arbitrum
//! retryable tickets through the app chain's ERC-20 inbox, paid in fee tokens. Withdrawals that
//! come back through the outbox are forwarded (optionally unwrapped) to their recipient.
//!
//! Differences from the reference (see `DEVIATIONS.md`):
//! - `parameterRegistry`, `appChainGateway` and `feeToken` are wiring, not constructor
//!   immutables, and so are the values the reference's constructor derives from the fee token:
//!   `underlyingFeeToken` (its `underlying()`) and `scale` (`10 ** (18 - decimals())`, see
//!   [`scale_for_decimals`]). The pipeline refuses zero, which is where `ZeroParameterRegistry()`,
//!   `ZeroAppChainGateway()` and `ZeroFeeToken()` are reported; `InvalidFeeTokenDecimals()` is
//!   reported by [`scale_for_decimals`] when the deployer derives the scale. The decimals
//!   themselves are not wired: only the scale is ever used, and a zero-decimals token (scale
//!   10^18) stays expressible although the pipeline refuses zero values.
//! - The `...FromUnderlying` paths approve the fee token for exactly the pulled amount before
//!   `FeeToken.deposit`, which pulls it; the reference never approves, so on a real deployment
//!   those paths always revert.
//! - The four `deposit*` and four `sendParameters*` functions are dispatched from the fallback
//!   and decoded by the `calldata` module with Solidity's rules, not by the SDK's router (whose
//!   decoders for these argument lists would put the program over the size limit). Same
//!   selectors, same behaviour and revert data, except that a key that is not UTF-8 reverts
//!   with empty data.
#![cfg_attr(target_arch = "wasm32", no_std, no_main)]

extern crate alloc;

use alloc::{string::String, vec, vec::Vec};

mod calldata;

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::{Panic, PanicKind, SolCall, SolEvent};
use stylus_sdk::{
    prelude::*,
    storage::{StorageAddress, StorageBool, StorageMap, StorageU256},
    ArbResult,
};
use xmtp_abi::{
    migratable::{EmptyCode, MigrationFailed, ZeroMigrator},
    oz_initializable::InvalidInitialization,
    parameter_registry::IParameterRegistryLike,
    registry_parameters::ParameterOutOfTypeBounds,
    settlement_chain_external::{
        IAppChainGatewayLike, IERC20InboxLike, IERC20Like, IFeeTokenLike, IPermitErc20Like,
    },
    settlement_chain_gateway::{
        Deposit, InboxUpdated, InsufficientAmount, InvalidFeeTokenDecimals, NoChainIds, NoChange,
        NoKeys, ParametersSent, PauseStatusUpdated, Paused, TransferFromFailed, UnsupportedChainId,
        WithdrawalReceived, ZeroAmount, ZeroRecipient,
    },
};
use xmtp_core::{
    abi_lean::{self, address, div_rem_u64, uint, Arg},
    alias, calls,
    initializable::initializer,
    keys, migratable, params,
    slots::SETTLEMENT_CHAIN_GATEWAY,
    storage::rooted,
    Bubbled,
};

const INBOX_PARAMETER_KEY: &str = "xmtp.settlementChainGateway.inbox";
const MIGRATOR_PARAMETER_KEY: &str = "xmtp.settlementChainGateway.migrator";
const PAUSED_PARAMETER_KEY: &str = "xmtp.settlementChainGateway.paused";

/// Length of `abi.encodeCall(IAppChainGatewayLike.receiveDeposit, (recipient))`: selector and
/// one word (the reference's `_receiveDepositDataLength`).
const RECEIVE_DEPOSIT_DATA_LENGTH: u64 = 36;

xmtp_core::wiring! {
    /// The settlement parameter registry this gateway reads (reference immutable).
    pub fn parameter_registry: Address = "parameterRegistry";
    /// The `AppChainGateway` proxy every ticket calls, the same address on every app chain
    /// (reference immutable).
    pub fn app_chain_gateway: Address = "appChainGateway";
    /// The fee token (xUSD) that pays for tickets and becomes app-chain gas (reference immutable).
    pub fn fee_token: Address = "feeToken";
    /// The fee token's `underlying()` (the reference reads it in its constructor).
    pub fn underlying_fee_token: Address = "underlyingFeeToken";
    /// `10 ** (18 - feeToken.decimals())`, from fee-token units to 18-decimal app-chain wei
    /// (the reference computes it in its constructor).
    pub fn scale: U256 = "scale";
}

/// The `scale` wiring value for a fee token of `decimals` decimals, refused as the reference's
/// constructor refuses it: more than 18 decimals is `InvalidFeeTokenDecimals()`.
pub fn scale_for_decimals(decimals: u8) -> Result<U256, InvalidFeeTokenDecimals> {
    let exponent = 18u8
        .checked_sub(decimals)
        .ok_or(InvalidFeeTokenDecimals {})?;
    Ok(U256::from(10).pow(U256::from(exponent)))
}

/// The errors the gateway reverts with.
#[derive(SolidityError, Debug, PartialEq)]
pub enum SettlementChainGatewayError {
    /// `initialize()` ran before on this proxy, or this is the bare implementation.
    InvalidInitialization(InvalidInitialization),
    /// The underlying token could not be pulled from the caller.
    TransferFromFailed(TransferFromFailed),
    /// `sendParameters*` with no chain ids.
    NoChainIds(NoChainIds),
    /// `sendParameters*` with no keys.
    NoKeys(NoKeys),
    /// No inbox is set for the chain id.
    UnsupportedChainId(UnsupportedChainId),
    /// Deposits and parameter transmissions are paused.
    Paused(Paused),
    /// `updatePauseStatus` when the registry agrees with the stored status.
    NoChange(NoChange),
    /// A deposit of nothing.
    ZeroAmount(ZeroAmount),
    /// A deposit to the zero address.
    ZeroRecipient(ZeroRecipient),
    /// A deposit that does not cover the ticket's maximum costs.
    InsufficientAmount(InsufficientAmount),
    /// A parameter read from the registry is out of its type's range.
    ParameterOutOfTypeBounds(ParameterOutOfTypeBounds),
    /// No migrator is set.
    ZeroMigrator(ZeroMigrator),
    /// The migrator reverted; carries its revert data.
    MigrationFailed(MigrationFailed),
    /// The migrator has no code.
    EmptyCode(EmptyCode),
    /// Solidity's `Panic(0x11)`: a checked multiplication or addition overflowed.
    Panic(Panic),
    /// A callee's revert (fee token, inbox, registry), passed through.
    Bubbled(Bubbled),
}

type Result<T, E = SettlementChainGatewayError> = core::result::Result<T, E>;

/// `SettlementChainGatewayStorage` at `xmtp.storage.SettlementChainGateway`: `paused` in byte 0
/// of the root, the transmission `nonce` at root + 1, `mapping(uint256 => address) inboxes` at
/// root + 2.
#[storage]
pub struct SettlementChainGatewayStorage {
    paused: StorageBool,
    nonce: StorageU256,
    inboxes: StorageMap<U256, StorageAddress>,
}

pub use entry::SettlementChainGateway;

// The SDK's `#[entrypoint]` generates an undocumented public function; a private module keeps it
// out of the crate's public (documented) surface.
mod entry {
    use alloc::{vec, vec::Vec};

    use stylus_sdk::prelude::*;

    /// The program; its state lives in
    /// [`SettlementChainGatewayStorage`](super::SettlementChainGatewayStorage) at the
    /// `xmtp.storage.SettlementChainGateway` root.
    #[storage]
    #[entrypoint]
    pub struct SettlementChainGateway {}
}

// The SDK's router hands decoded arguments over by value; the reference's signatures set the
// argument counts.
#[allow(clippy::needless_pass_by_value, clippy::too_many_arguments)]
#[public]
impl SettlementChainGateway {
    /// Marks the proxy initialized (the reference's body is empty).
    pub fn initialize(&mut self) -> Result<()> {
        initializer(&self.vm().clone(), || Ok(()))
    }

    /// The four `deposit*` and four `sendParameters*` functions (the `calldata` module says
    /// why they are decoded there); any other calldata reverts with empty data, as the
    /// reference (which has no fallback) does.
    #[fallback]
    #[payable]
    pub fn fallback(&mut self, calldata: &[u8]) -> ArbResult {
        calldata::dispatch(self, calldata)
    }

    /// Copies `xmtp.settlementChainGateway.inbox.<chainId_>` from the registry (zero disables
    /// the chain).
    pub fn update_inbox(&mut self, chain_id_: U256) -> Result<()> {
        let key = keys::combine(INBOX_PARAMETER_KEY, &abi_lean::decimal(chain_id_));
        let inbox = params::get_address::<SettlementChainGatewayError>(
            self.vm(),
            parameter_registry(),
            &key,
        )?;
        self.layout().inboxes.setter(chain_id_).set(inbox);
        self.emit(
            &[
                InboxUpdated::SIGNATURE_HASH,
                chain_id_.into(),
                inbox.into_word(),
            ],
            &[],
        );
        Ok(())
    }

    /// Copies `xmtp.settlementChainGateway.paused` from the registry.
    pub fn update_pause_status(&mut self) -> Result<()> {
        let paused = params::get_bool::<SettlementChainGatewayError>(
            self.vm(),
            parameter_registry(),
            PAUSED_PARAMETER_KEY,
        )?;
        let mut layout = self.layout();
        if paused == layout.paused.get() {
            return Err(NoChange {}.into());
        }
        layout.paused.set(paused);
        self.emit(
            &[
                PauseStatusUpdated::SIGNATURE_HASH,
                U256::from(u8::from(paused)).into(),
            ],
            &[],
        );
        Ok(())
    }

    /// Migrates this gateway's proxy through the migrator set in the parameter registry.
    pub fn migrate(&mut self) -> Result<()> {
        let vm = self.vm().clone();
        let migrator = params::get_address::<SettlementChainGatewayError>(
            &vm,
            parameter_registry(),
            MIGRATOR_PARAMETER_KEY,
        )?;
        migratable::migrate(&vm, migrator)
    }

    /// Sends this gateway's whole fee-token balance to `recipient_` (the outbox delivers a
    /// withdrawal's tokens and calls this in the same transaction).
    pub fn receive_withdrawal(&mut self, recipient_: Address) -> Result<U256> {
        let amount = self.prepare_withdrawal(recipient_)?;
        let calldata = abi_lean::encode(
            Some(IERC20Like::transferCall::SELECTOR),
            &[address(recipient_), uint(amount)],
        );
        self.call_returning_bool(fee_token(), &calldata)?;
        Ok(amount)
    }

    /// As `receiveWithdrawal`, but unwraps the balance into the underlying token.
    pub fn receive_withdrawal_into_underlying(&mut self, recipient_: Address) -> Result<U256> {
        let amount = self.prepare_withdrawal(recipient_)?;
        let calldata = abi_lean::encode(
            Some(IFeeTokenLike::withdrawToCall::SELECTOR),
            &[address(recipient_), uint(amount)],
        );
        self.call_returning_bool(fee_token(), &calldata)?;
        Ok(amount)
    }

    /// `"xmtp.settlementChainGateway.inbox"`.
    pub fn inbox_parameter_key() -> String {
        INBOX_PARAMETER_KEY.into()
    }

    /// `"xmtp.settlementChainGateway.migrator"`.
    pub fn migrator_parameter_key() -> String {
        MIGRATOR_PARAMETER_KEY.into()
    }

    /// `"xmtp.settlementChainGateway.paused"`.
    pub fn paused_parameter_key() -> String {
        PAUSED_PARAMETER_KEY.into()
    }

    /// The parameter registry this implementation was built with.
    #[selector(name = "parameterRegistry")]
    pub fn parameter_registry_getter(&self) -> Address {
        parameter_registry()
    }

    /// The app-chain gateway this implementation was built with.
    #[selector(name = "appChainGateway")]
    pub fn app_chain_gateway_getter(&self) -> Address {
        app_chain_gateway()
    }

    /// This gateway's address as app chains see it (the refund address of every ticket).
    pub fn app_chain_alias(&self) -> Address {
        alias::to_alias(self.vm().contract_address())
    }

    /// The fee token this implementation was built with.
    #[selector(name = "feeToken")]
    pub fn fee_token_getter(&self) -> Address {
        fee_token()
    }

    /// Whether deposits and parameter transmissions are paused.
    pub fn paused(&self) -> bool {
        self.layout().paused.get()
    }

    /// The most a deposit's ticket to `chainId_` can cost, in 18-decimal app-chain wei, at a
    /// settlement base fee of at most `maxBaseFee_`.
    pub fn calculate_max_deposit_fee(
        &self,
        chain_id_: U256,
        gas_limit_: U256,
        max_fee_per_gas_: U256,
        max_base_fee_: U256,
    ) -> Result<U256> {
        let (max_submission_cost, max_transaction_cost) = self.max_costs(
            self.inbox(chain_id_)?,
            U256::from(RECEIVE_DEPOSIT_DATA_LENGTH),
            gas_limit_,
            max_fee_per_gas_,
            max_base_fee_,
        )?;
        checked_add(max_submission_cost, max_transaction_cost)
    }

    /// The inbox of `chainId_`; `UnsupportedChainId` when none is set.
    pub fn get_inbox(&self, chain_id_: U256) -> Result<Address> {
        self.inbox(chain_id_)
    }

    /// The executing proxy's implementation.
    pub fn implementation(&self) -> Address {
        xmtp_core::storage::implementation(self.vm())
    }

    /// `"1.0.0"`.
    pub fn version() -> String {
        "1.0.0".into()
    }

    /// `"SettlementChainGateway"`.
    pub fn contract_name() -> String {
        "SettlementChainGateway".into()
    }
}

// The entry points routed by [`calldata::dispatch`]; their arguments are the reference's.
#[allow(clippy::needless_pass_by_value, clippy::too_many_arguments)]
impl SettlementChainGateway {
    /// Pulls `amount_` fee tokens from the caller and deposits them to `recipient_` on
    /// `chainId_`, less the ticket's maximum costs.
    pub fn deposit(
        &mut self,
        chain_id_: U256,
        recipient_: Address,
        amount_: U256,
        gas_limit_: U256,
        max_fee_per_gas_: U256,
    ) -> Result<()> {
        self.revert_if_paused()?;
        self.pull_fee_token(amount_)?;
        self.deposit_pulled(chain_id_, recipient_, amount_, gas_limit_, max_fee_per_gas_)
    }

    /// `deposit`, after trying a fee-token permit for `amount_` (a failing permit is ignored).
    pub fn deposit_with_permit(
        &mut self,
        chain_id_: U256,
        recipient_: Address,
        amount_: U256,
        gas_limit_: U256,
        max_fee_per_gas_: U256,
        deadline_: U256,
        v_: u8,
        r_: B256,
        s_: B256,
    ) -> Result<()> {
        self.revert_if_paused()?;
        self.use_permit(fee_token(), amount_, deadline_, v_, r_, s_);
        self.pull_fee_token(amount_)?;
        self.deposit_pulled(chain_id_, recipient_, amount_, gas_limit_, max_fee_per_gas_)
    }

    /// `deposit`, pulling `amount_` of the underlying token and wrapping it into fee tokens.
    pub fn deposit_from_underlying(
        &mut self,
        chain_id_: U256,
        recipient_: Address,
        amount_: U256,
        gas_limit_: U256,
        max_fee_per_gas_: U256,
    ) -> Result<()> {
        self.revert_if_paused()?;
        self.pull_and_convert_underlying(amount_)?;
        self.deposit_pulled(chain_id_, recipient_, amount_, gas_limit_, max_fee_per_gas_)
    }

    /// `depositFromUnderlying`, after trying an underlying-token permit for `amount_`.
    pub fn deposit_from_underlying_with_permit(
        &mut self,
        chain_id_: U256,
        recipient_: Address,
        amount_: U256,
        gas_limit_: U256,
        max_fee_per_gas_: U256,
        deadline_: U256,
        v_: u8,
        r_: B256,
        s_: B256,
    ) -> Result<()> {
        self.revert_if_paused()?;
        self.use_permit(underlying_fee_token(), amount_, deadline_, v_, r_, s_);
        self.pull_and_convert_underlying(amount_)?;
        self.deposit_pulled(chain_id_, recipient_, amount_, gas_limit_, max_fee_per_gas_)
    }

    /// Pulls `amountToSend_` fee tokens per chain from the caller and sends the registry's
    /// current values of `keys_` to each of `chainIds_`; returns what was pulled.
    pub fn send_parameters(
        &mut self,
        chain_ids_: Vec<U256>,
        keys_: Vec<String>,
        gas_limit_: U256,
        max_fee_per_gas_: U256,
        amount_to_send_: U256,
    ) -> Result<U256> {
        self.revert_if_paused()?;
        let total_sent = total_to_send(amount_to_send_, &chain_ids_)?;
        self.pull_fee_token(total_sent)?;
        self.send_parameters_pulled(
            &chain_ids_,
            &keys_,
            gas_limit_,
            max_fee_per_gas_,
            amount_to_send_,
        )?;
        Ok(total_sent)
    }

    /// `sendParameters`, after trying a fee-token permit for the total.
    pub fn send_parameters_with_permit(
        &mut self,
        chain_ids_: Vec<U256>,
        keys_: Vec<String>,
        gas_limit_: U256,
        max_fee_per_gas_: U256,
        amount_to_send_: U256,
        deadline_: U256,
        v_: u8,
        r_: B256,
        s_: B256,
    ) -> Result<U256> {
        self.revert_if_paused()?;
        let total_sent = total_to_send(amount_to_send_, &chain_ids_)?;
        self.use_permit(fee_token(), total_sent, deadline_, v_, r_, s_);
        self.pull_fee_token(total_sent)?;
        self.send_parameters_pulled(
            &chain_ids_,
            &keys_,
            gas_limit_,
            max_fee_per_gas_,
            amount_to_send_,
        )?;
        Ok(total_sent)
    }

    /// `sendParameters`, pulling the underlying token and wrapping it into fee tokens.
    pub fn send_parameters_from_underlying(
        &mut self,
        chain_ids_: Vec<U256>,
        keys_: Vec<String>,
        gas_limit_: U256,
        max_fee_per_gas_: U256,
        amount_to_send_: U256,
    ) -> Result<U256> {
        self.revert_if_paused()?;
        let total_sent = total_to_send(amount_to_send_, &chain_ids_)?;
        self.pull_and_convert_underlying(total_sent)?;
        self.send_parameters_pulled(
            &chain_ids_,
            &keys_,
            gas_limit_,
            max_fee_per_gas_,
            amount_to_send_,
        )?;
        Ok(total_sent)
    }

    /// `sendParametersFromUnderlying`, after trying an underlying-token permit for the total.
    pub fn send_parameters_from_underlying_with_permit(
        &mut self,
        chain_ids_: Vec<U256>,
        keys_: Vec<String>,
        gas_limit_: U256,
        max_fee_per_gas_: U256,
        amount_to_send_: U256,
        deadline_: U256,
        v_: u8,
        r_: B256,
        s_: B256,
    ) -> Result<U256> {
        self.revert_if_paused()?;
        let total_sent = total_to_send(amount_to_send_, &chain_ids_)?;
        self.use_permit(underlying_fee_token(), total_sent, deadline_, v_, r_, s_);
        self.pull_and_convert_underlying(total_sent)?;
        self.send_parameters_pulled(
            &chain_ids_,
            &keys_,
            gas_limit_,
            max_fee_per_gas_,
            amount_to_send_,
        )?;
        Ok(total_sent)
    }
}

impl SettlementChainGateway {
    fn layout(&self) -> SettlementChainGatewayStorage {
        rooted(self.vm(), SETTLEMENT_CHAIN_GATEWAY)
    }

    fn revert_if_paused(&self) -> Result<()> {
        if self.layout().paused.get() {
            return Err(Paused {}.into());
        }
        Ok(())
    }

    fn inbox(&self, chain_id: U256) -> Result<Address> {
        let inbox = self.layout().inboxes.get(chain_id);
        if inbox.is_zero() {
            return Err(UnsupportedChainId { chainId: chain_id }.into());
        }
        Ok(inbox)
    }

    /// A high-level call whose `bool` result is decoded (as Solidity does) and ignored.
    fn call_returning_bool(&self, target: Address, calldata: &[u8]) -> Result<()> {
        let output = calls::call(self.vm(), target, U256::ZERO, calldata)?;
        calls::returned_bool(&output)?;
        Ok(())
    }

    /// The caller's permit for this gateway; its outcome is ignored (it may have been used
    /// already, and the pull that follows fails on its own without an allowance).
    fn use_permit(&self, token: Address, amount: U256, deadline: U256, v: u8, r: B256, s: B256) {
        let vm = self.vm();
        let calldata = abi_lean::encode(
            Some(IPermitErc20Like::permitCall::SELECTOR),
            &[
                address(vm.msg_sender()),
                address(vm.contract_address()),
                uint(amount),
                uint(deadline),
                uint(U256::from(v)),
                Arg::Word(r),
                Arg::Word(s),
            ],
        );
        calls::call_ignoring_outcome(vm, token, &calldata);
    }

    fn pull_fee_token(&self, amount: U256) -> Result<()> {
        let vm = self.vm();
        let calldata = abi_lean::encode(
            Some(IERC20Like::transferFromCall::SELECTOR),
            &[
                address(vm.msg_sender()),
                address(vm.contract_address()),
                uint(amount),
            ],
        );
        self.call_returning_bool(fee_token(), &calldata)
    }

    /// Pulls `amount` of the underlying from the caller and wraps it: the fee token pulls it
    /// from this gateway, so the gateway approves exactly `amount` first (the reference does
    /// not, which makes these paths always fail). The approval's return value is ignored: a
    /// token that refused it makes the fee token's own pull fail.
    fn pull_and_convert_underlying(&self, amount: U256) -> Result<()> {
        let vm = self.vm();
        let underlying = underlying_fee_token();
        calls::safe_transfer_from(
            vm,
            underlying,
            vm.msg_sender(),
            vm.contract_address(),
            amount,
        )?;
        let approve = abi_lean::encode(
            Some(IERC20Like::approveCall::SELECTOR),
            &[address(fee_token()), uint(amount)],
        );
        calls::call(vm, underlying, U256::ZERO, &approve)?;
        let deposit = abi_lean::encode(Some(IFeeTokenLike::depositCall::SELECTOR), &[uint(amount)]);
        calls::call_returning_nothing(vm, fee_token(), &deposit)?;
        Ok(())
    }

    /// The reference's `_deposit`, once the fee tokens are in the gateway.
    fn deposit_pulled(
        &self,
        chain_id: U256,
        recipient: Address,
        amount: U256,
        gas_limit: U256,
        max_fee_per_gas: U256,
    ) -> Result<()> {
        let inbox = self.inbox(chain_id)?;
        if recipient.is_zero() {
            return Err(ZeroRecipient {}.into());
        }
        if amount.is_zero() {
            return Err(ZeroAmount {}.into());
        }
        let data = abi_lean::encode(
            Some(IAppChainGatewayLike::receiveDepositCall::SELECTOR),
            &[address(recipient)],
        );
        let (max_submission_cost, max_transaction_cost) = self.max_costs(
            inbox,
            U256::from(data.len()),
            gas_limit,
            max_fee_per_gas,
            self.vm().block_basefee(),
        )?;
        let app_chain_amount = checked_mul(amount, scale())?;
        let max_total_costs = checked_add(max_submission_cost, max_transaction_cost)?;
        if app_chain_amount < max_total_costs {
            return Err(InsufficientAmount {
                appChainAmount: app_chain_amount,
                maxTotalCosts: max_total_costs,
            }
            .into());
        }
        let message_number = self.create_retryable_ticket(
            inbox,
            app_chain_amount - max_total_costs,
            max_submission_cost,
            gas_limit,
            max_fee_per_gas,
            amount,
            &data,
        )?;
        self.emit(
            &[
                Deposit::SIGNATURE_HASH,
                chain_id.into(),
                message_number.into(),
                recipient.into_word(),
            ],
            &abi_lean::encode(None, &[uint(amount), uint(from_wei(max_total_costs))]),
        );
        Ok(())
    }

    /// The reference's `_sendParameters`, once the fee tokens are in the gateway.
    fn send_parameters_pulled(
        &mut self,
        chain_ids: &[U256],
        keys: &[String],
        gas_limit: U256,
        max_fee_per_gas: U256,
        amount_to_send: U256,
    ) -> Result<()> {
        if chain_ids.is_empty() {
            return Err(NoChainIds {}.into());
        }
        let mut layout = self.layout();
        // Unchecked in the reference: wraps at 2^256.
        let nonce = layout.nonce.get().wrapping_add(U256::from(1));
        layout.nonce.set(nonce);
        if keys.is_empty() {
            return Err(NoKeys {}.into());
        }
        let vm = self.vm().clone();
        let get = abi_lean::encode(
            Some(IParameterRegistryLike::get_1Call::SELECTOR),
            &[Arg::Strings(keys)],
        );
        let output = calls::static_call(&vm, parameter_registry(), &get)?;
        let values = abi_lean::decode_words(&output).ok_or_else(Bubbled::default)?;
        let data = abi_lean::encode(
            Some(IAppChainGatewayLike::receiveParametersCall::SELECTOR),
            &[uint(nonce), Arg::Strings(keys), Arg::Words(&values)],
        );
        // Every chain's event carries the same data: the nonce and the keys.
        let event_data = abi_lean::encode(None, &[uint(nonce), Arg::Strings(keys)]);
        for chain_id in chain_ids {
            let inbox = self.inbox(*chain_id)?;
            let (max_submission_cost, _) = self.max_costs(
                inbox,
                U256::from(data.len()),
                gas_limit,
                max_fee_per_gas,
                vm.block_basefee(),
            )?;
            let message_number = self.create_retryable_ticket(
                inbox,
                U256::ZERO,
                max_submission_cost,
                gas_limit,
                max_fee_per_gas,
                amount_to_send,
                &data,
            )?;
            self.emit(
                &[
                    ParametersSent::SIGNATURE_HASH,
                    (*chain_id).into(),
                    message_number.into(),
                ],
                &event_data,
            );
        }
        Ok(())
    }

    /// The inbox's submission-fee quote and `maxFeePerGas × gasLimit` (checked).
    fn max_costs(
        &self,
        inbox: Address,
        data_length: U256,
        gas_limit: U256,
        max_fee_per_gas: U256,
        max_base_fee: U256,
    ) -> Result<(U256, U256)> {
        let quote = abi_lean::encode(
            Some(IERC20InboxLike::calculateRetryableSubmissionFeeCall::SELECTOR),
            &[uint(data_length), uint(max_base_fee)],
        );
        let max_submission_cost =
            calls::returned_uint(&calls::static_call(self.vm(), inbox, &quote)?)?;
        Ok((
            max_submission_cost,
            checked_mul(max_fee_per_gas, gas_limit)?,
        ))
    }

    /// Approves the inbox for `fee_token_amount` and creates a ticket calling the app-chain
    /// gateway, with this gateway's alias receiving every refund; returns its message number.
    #[allow(clippy::too_many_arguments)]
    fn create_retryable_ticket(
        &self,
        inbox: Address,
        call_value: U256,
        max_submission_cost: U256,
        gas_limit: U256,
        max_fee_per_gas: U256,
        fee_token_amount: U256,
        data: &[u8],
    ) -> Result<U256> {
        let approve = abi_lean::encode(
            Some(IERC20Like::approveCall::SELECTOR),
            &[address(inbox), uint(fee_token_amount)],
        );
        self.call_returning_bool(fee_token(), &approve)?;
        let refund_address = self.app_chain_alias();
        let ticket = abi_lean::encode(
            Some(IERC20InboxLike::createRetryableTicketCall::SELECTOR),
            &[
                address(app_chain_gateway()),
                uint(call_value),
                uint(max_submission_cost),
                address(refund_address),
                address(refund_address),
                uint(gas_limit),
                uint(max_fee_per_gas),
                uint(fee_token_amount),
                Arg::Bytes(data),
            ],
        );
        let output = calls::call(self.vm(), inbox, U256::ZERO, &ticket)?;
        Ok(calls::returned_uint(&output)?)
    }

    /// The gateway's fee-token balance, announced as the withdrawal's amount.
    fn prepare_withdrawal(&self, recipient: Address) -> Result<U256> {
        let vm = self.vm();
        let balance_of = abi_lean::encode(
            Some(IERC20Like::balanceOfCall::SELECTOR),
            &[address(vm.contract_address())],
        );
        let amount = calls::returned_uint(&calls::static_call(vm, fee_token(), &balance_of)?)?;
        self.emit(
            &[WithdrawalReceived::SIGNATURE_HASH, recipient.into_word()],
            &abi_lean::encode(None, &[uint(amount)]),
        );
        Ok(amount)
    }

    /// Emits a log with the event's topics and ABI-encoded data (see `abi_lean` for why the
    /// events are not encoded through alloy).
    fn emit(&self, topics: &[B256], data: &[u8]) {
        // Only more than four topics can fail, and every event here has at most four.
        let _ = self.vm().raw_log(topics, data);
    }
}

/// `amountToSend × chainIds.length`, checked.
fn total_to_send(amount_to_send: U256, chain_ids: &[U256]) -> Result<U256> {
    checked_mul(amount_to_send, U256::from(chain_ids.len()))
}

fn checked_mul(left: U256, right: U256) -> Result<U256> {
    left.checked_mul(right)
        .ok_or_else(|| Panic::from(PanicKind::UnderOverflow).into())
}

fn checked_add(left: U256, right: U256) -> Result<U256> {
    left.checked_add(right)
        .ok_or_else(|| Panic::from(PanicKind::UnderOverflow).into())
}

/// 18-decimal wei to fee-token units, rounded up.
fn from_wei(value: U256) -> U256 {
    // The scale is 10^(18 - decimals), at most 10^18, so it fits 64 bits (the pipeline wires
    // what `scale_for_decimals` returns); dividing by a 64-bit value keeps ruint's general
    // division out of the program.
    let scale = u64::try_from(scale()).unwrap_or(u64::MAX);
    if scale == 1 || value.is_zero() {
        return value;
    }
    div_rem_u64(value - U256::from(1), scale).0 + U256::from(1)
}

#[cfg(test)]
mod tests;
