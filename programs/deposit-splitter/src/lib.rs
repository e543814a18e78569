//! `DepositSplitter`: in one transaction, pulls a payer's total (fee tokens, or their underlying
//! which it wraps) and splits it between a `PayerRegistry` deposit and a
//! `SettlementChainGateway` deposit to the app chain this splitter is wired to. Not upgradeable;
//! it holds nothing between calls.
//!
//! Differences from the reference (see `DEVIATIONS.md`):
//! - `feeToken`, `payerRegistry`, `settlementChainGateway` and `appChainId` are wiring, not
//!   constructor immutables (the pipeline refuses zero, which is where `ZeroFeeToken()`,
//!   `ZeroPayerRegistry()`, `ZeroSettlementChainGateway()` and `ZeroAppChainId()` are reported).
//! - The reference's constructor grants the payer registry and the gateway an unlimited
//!   fee-token allowance and the fee token an unlimited allowance of the underlying. No code runs
//!   when a Stylus program is deployed, so the first deposit grants them instead (before its
//!   pull), once; a flag at `erc7201("xmtp.storage.DepositSplitter")` records it.
//! - The underlying token is read from `feeToken.underlying()` when needed, not kept in an
//!   immutable.
#![cfg_attr(target_arch = "wasm32", no_std, no_main)]

extern crate alloc;

use alloc::{string::String, vec, vec::Vec};

use alloy_primitives::{aliases::U96, uint, Address, B256, U256};
use alloy_sol_types::{Panic, PanicKind, SolCall};
use stylus_sdk::{prelude::*, storage::StorageBool};
use xmtp_abi::{
    deposit_splitter::{TransferFromFailed, ZeroTotalAmount},
    settlement_chain_external::{
        IERC20Like, IFeeTokenLike, IPayerRegistryLike, IPermitErc20Like,
        ISettlementChainGatewayLike,
    },
};
use xmtp_core::{calls, storage::rooted, Bubbled};

/// `erc7201("xmtp.storage.DepositSplitter")`: where the approvals flag lives.
pub const DEPOSIT_SPLITTER_SLOT: U256 =
    uint!(0x9ab1babccd419fa077648a6cad86efbfc77d0353223e2dd49d9474764c4df300_U256);

xmtp_core::wiring! {
    /// The fee token pulled and deposited (reference immutable).
    pub fn fee_token: Address = "feeToken";
    /// The payer registry receiving the payer's share (reference immutable).
    pub fn payer_registry: Address = "payerRegistry";
    /// The gateway bridging the app chain's share (reference immutable).
    pub fn settlement_chain_gateway: Address = "settlementChainGateway";
    /// The app chain deposits go to (reference immutable).
    pub fn app_chain_id: U256 = "appChainId";
}

/// The errors the deposit splitter reverts with.
#[derive(SolidityError, Debug, PartialEq)]
pub enum DepositSplitterError {
    /// Both amounts are zero.
    ZeroTotalAmount(ZeroTotalAmount),
    /// The underlying token refused the pull.
    TransferFromFailed(TransferFromFailed),
    /// The two amounts overflow `uint96` (`Panic(0x11)`, as Solidity's checked addition).
    Panic(Panic),
    /// A callee's revert (token, registry, gateway), passed through.
    Bubbled(Bubbled),
}

/// Whether the unlimited allowances the reference grants at construction were granted.
#[storage]
pub struct DepositSplitterStorage {
    approvals_granted: StorageBool,
}

pub use entry::DepositSplitter;

// The SDK's `#[entrypoint]` generates an undocumented public function; a private module keeps it
// out of the crate's public (documented) surface.
mod entry {
    use alloc::{vec, vec::Vec};

    use stylus_sdk::prelude::*;

    /// The program; its only state is [`DepositSplitterStorage`].
    #[storage]
    #[entrypoint]
    pub struct DepositSplitter {}
}

type Result<T, E = DepositSplitterError> = core::result::Result<T, E>;

/// Where a deposit's tokens go: `(payer, payerRegistryAmount, appChainRecipient,
/// appChainAmount, appChainGasLimit, appChainMaxFeePerGas)`.
struct Split {
    payer: Address,
    payer_registry_amount: U96,
    app_chain_recipient: Address,
    app_chain_amount: U96,
    gas_limit: U256,
    max_fee_per_gas: U256,
}

impl Split {
    fn total(&self) -> Result<U256> {
        let total = self
            .payer_registry_amount
            .checked_add(self.app_chain_amount)
            .ok_or(Panic::from(PanicKind::UnderOverflow))?;
        Ok(U256::from(total))
    }
}

// The SDK's router hands decoded arguments over by value.
#[allow(clippy::needless_pass_by_value, clippy::too_many_arguments)]
#[public]
impl DepositSplitter {
    /// Pulls `payerRegistryAmount_ + appChainAmount_` fee tokens from the caller and splits them.
    pub fn deposit(
        &mut self,
        payer_: Address,
        payer_registry_amount_: U96,
        app_chain_recipient_: Address,
        app_chain_amount_: U96,
        app_chain_gas_limit_: U256,
        app_chain_max_fee_per_gas_: U256,
    ) -> Result<()> {
        self.deposit_fee_token(&Split {
            payer: payer_,
            payer_registry_amount: payer_registry_amount_,
            app_chain_recipient: app_chain_recipient_,
            app_chain_amount: app_chain_amount_,
            gas_limit: app_chain_gas_limit_,
            max_fee_per_gas: app_chain_max_fee_per_gas_,
        })
    }

    /// As `deposit`, after trying the caller's permit for the total (its outcome is ignored).
    pub fn deposit_with_permit(
        &mut self,
        payer_: Address,
        payer_registry_amount_: U96,
        app_chain_recipient_: Address,
        app_chain_amount_: U96,
        app_chain_gas_limit_: U256,
        app_chain_max_fee_per_gas_: U256,
        deadline_: U256,
        v_: u8,
        r_: B256,
        s_: B256,
    ) -> Result<()> {
        let split = Split {
            payer: payer_,
            payer_registry_amount: payer_registry_amount_,
            app_chain_recipient: app_chain_recipient_,
            app_chain_amount: app_chain_amount_,
            gas_limit: app_chain_gas_limit_,
            max_fee_per_gas: app_chain_max_fee_per_gas_,
        };
        self.use_permit(fee_token(), split.total()?, deadline_, v_, r_, s_);
        self.deposit_fee_token(&split)
    }

    /// Pulls the total in the underlying token from the caller, wraps it and splits it.
    pub fn deposit_from_underlying(
        &mut self,
        payer_: Address,
        payer_registry_amount_: U96,
        app_chain_recipient_: Address,
        app_chain_amount_: U96,
        app_chain_gas_limit_: U256,
        app_chain_max_fee_per_gas_: U256,
    ) -> Result<()> {
        self.deposit_underlying(&Split {
            payer: payer_,
            payer_registry_amount: payer_registry_amount_,
            app_chain_recipient: app_chain_recipient_,
            app_chain_amount: app_chain_amount_,
            gas_limit: app_chain_gas_limit_,
            max_fee_per_gas: app_chain_max_fee_per_gas_,
        })
    }

    /// As `depositFromUnderlying`, after trying the caller's underlying-token permit.
    pub fn deposit_from_underlying_with_permit(
        &mut self,
        payer_: Address,
        payer_registry_amount_: U96,
        app_chain_recipient_: Address,
        app_chain_amount_: U96,
        app_chain_gas_limit_: U256,
        app_chain_max_fee_per_gas_: U256,
        deadline_: U256,
        v_: u8,
        r_: B256,
        s_: B256,
    ) -> Result<()> {
        let split = Split {
            payer: payer_,
            payer_registry_amount: payer_registry_amount_,
            app_chain_recipient: app_chain_recipient_,
            app_chain_amount: app_chain_amount_,
            gas_limit: app_chain_gas_limit_,
            max_fee_per_gas: app_chain_max_fee_per_gas_,
        };
        let total = split.total()?;
        let underlying = self.underlying()?;
        self.use_permit(underlying, total, deadline_, v_, r_, s_);
        self.deposit_underlying(&split)
    }

    /// The app chain this splitter deposits to.
    #[selector(name = "appChainId")]
    pub fn app_chain_id_getter(&self) -> U256 {
        app_chain_id()
    }

    /// The fee token.
    #[selector(name = "feeToken")]
    pub fn fee_token_getter(&self) -> Address {
        fee_token()
    }

    /// The payer registry.
    #[selector(name = "payerRegistry")]
    pub fn payer_registry_getter(&self) -> Address {
        payer_registry()
    }

    /// The settlement-chain gateway.
    #[selector(name = "settlementChainGateway")]
    pub fn settlement_chain_gateway_getter(&self) -> Address {
        settlement_chain_gateway()
    }

    /// `"1.0.0"`.
    pub fn version() -> String {
        "1.0.0".into()
    }

    /// `"DepositSplitter"`.
    pub fn contract_name() -> String {
        "DepositSplitter".into()
    }
}

impl DepositSplitter {
    fn layout(&self) -> DepositSplitterStorage {
        rooted(self.vm(), DEPOSIT_SPLITTER_SLOT)
    }

    /// `feeToken.underlying()`, as a Solidity view call.
    fn underlying(&self) -> Result<Address> {
        let calldata = IFeeTokenLike::underlyingCall {}.abi_encode();
        let output = calls::static_call(self.vm(), fee_token(), &calldata)?;
        let word = calls::returned_word(&output)?;
        if word[..12].iter().any(|byte| *byte != 0) {
            return Err(Bubbled::default().into());
        }
        Ok(Address::from_word(word))
    }

    /// The reference constructor's three unlimited approvals, on first use.
    fn grant_approvals_once(&mut self) -> Result<()> {
        if self.layout().approvals_granted.get() {
            return Ok(());
        }
        let underlying = self.underlying()?;
        let token = fee_token();
        for (asset, spender) in [
            (token, payer_registry()),
            (token, settlement_chain_gateway()),
            (underlying, token),
        ] {
            let calldata = IERC20Like::approveCall {
                spender_: spender,
                amount_: U256::MAX,
            }
            .abi_encode();
            let output = calls::call(self.vm(), asset, U256::ZERO, &calldata)?;
            // A high-level call: the bool is decoded (0 or 1) but its value is not checked.
            calls::returned_bool(&output)?;
        }
        self.layout().approvals_granted.set(true);
        Ok(())
    }

    /// A low-level `permit(caller, this, total, ...)` on `token`, outcome ignored.
    fn use_permit(&self, token: Address, total: U256, deadline: U256, v: u8, r: B256, s: B256) {
        let vm = self.vm();
        let calldata = IPermitErc20Like::permitCall {
            owner_: vm.msg_sender(),
            spender_: vm.contract_address(),
            value_: total,
            deadline_: deadline,
            v_: v,
            r_: r,
            s_: s,
        }
        .abi_encode();
        calls::call_ignoring_outcome(vm, token, &calldata);
    }

    fn deposit_fee_token(&mut self, split: &Split) -> Result<()> {
        let total = split.total()?;
        self.grant_approvals_once()?;
        let vm = self.vm().clone();
        let calldata = IERC20Like::transferFromCall {
            sender_: vm.msg_sender(),
            recipient_: vm.contract_address(),
            amount_: total,
        }
        .abi_encode();
        let output = calls::call(&vm, fee_token(), U256::ZERO, &calldata)?;
        calls::returned_bool(&output)?;
        self.split(split)
    }

    fn deposit_underlying(&mut self, split: &Split) -> Result<()> {
        let total = split.total()?;
        self.grant_approvals_once()?;
        let vm = self.vm().clone();
        let underlying = self.underlying()?;
        calls::safe_transfer_from(
            &vm,
            underlying,
            vm.msg_sender(),
            vm.contract_address(),
            total,
        )?;
        let calldata = IFeeTokenLike::depositCall { amount_: total }.abi_encode();
        calls::call_returning_nothing(&vm, fee_token(), &calldata)?;
        self.split(split)
    }

    /// The common tail: refuse a zero total, then deposit each non-zero share.
    fn split(&self, split: &Split) -> Result<()> {
        if split.payer_registry_amount.is_zero() && split.app_chain_amount.is_zero() {
            return Err(ZeroTotalAmount {}.into());
        }
        let vm = self.vm();
        if !split.payer_registry_amount.is_zero() {
            let calldata = IPayerRegistryLike::depositCall {
                payer_: split.payer,
                amount_: split.payer_registry_amount,
            }
            .abi_encode();
            calls::call_returning_nothing(vm, payer_registry(), &calldata)?;
        }
        if !split.app_chain_amount.is_zero() {
            let calldata = ISettlementChainGatewayLike::depositCall {
                chainId_: app_chain_id(),
                recipient_: split.app_chain_recipient,
                amount_: U256::from(split.app_chain_amount),
                gasLimit_: split.gas_limit,
                maxFeePerGas_: split.max_fee_per_gas,
            }
            .abi_encode();
            calls::call_returning_nothing(vm, settlement_chain_gateway(), &calldata)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
