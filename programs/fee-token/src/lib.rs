//! `FeeToken` (xUSD): the ERC-20 with EIP-2612 permit that the protocol's fees are paid in, backed
//! 1:1 by an underlying 6-decimal stablecoin (USDC) that only this contract holds. Deposits pull
//! the underlying and mint; withdrawals burn and send the underlying.
//!
//! The token itself is OpenZeppelin v5 `ERC20PermitUpgradeable` ([`xmtp_core::erc20`],
//! [`xmtp_core::erc20_permit`]), in OpenZeppelin's storage namespaces, so a proxy that ran the
//! Solidity implementation keeps its balances, allowances and nonces.
//!
//! Differences from the reference (see `DEVIATIONS.md`):
//! - `parameterRegistry` and `underlying` are wiring, not constructor immutables (the pipeline
//!   refuses zero, which is where `ZeroParameterRegistry()` / `ZeroUnderlying()` are reported).
//! - `FeeTokenStorage.__placeholder` (`xmtp.storage.FeeToken`), which no logic reads or writes,
//!   is not declared.
#![cfg_attr(target_arch = "wasm32", no_std, no_main)]

extern crate alloc;

use alloc::{string::String, vec::Vec};

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::{Panic, Revert, SolCall};
use stylus_sdk::{call::RawCall, prelude::*};
use xmtp_abi::{
    fee_token::{TransferFailed, TransferFromFailed, ZeroAmount, ZeroRecipient},
    migratable::{EmptyCode, MigrationFailed, ZeroMigrator},
    oz_ecdsa::{ECDSAInvalidSignature, ECDSAInvalidSignatureS},
    oz_erc20::{
        ERC20InsufficientAllowance, ERC20InsufficientBalance, ERC20InvalidApprover,
        ERC20InvalidReceiver, ERC20InvalidSender, ERC20InvalidSpender,
    },
    oz_erc20_permit::{ERC2612ExpiredSignature, ERC2612InvalidSigner},
    oz_initializable::InvalidInitialization,
    registry_parameters::ParameterOutOfTypeBounds,
    settlement_chain_external::{IERC20Like, IPermitErc20Like},
};
use xmtp_core::{
    eip712, erc20, erc20_permit, initializable::initializer, migratable, nonces, params, Bubbled,
};

/// The token's EIP-712 domain name and ERC-20 name.
pub const NAME: &str = "XMTP USD Fee Token";
/// The ERC-20 symbol.
pub const SYMBOL: &str = "xUSD";
/// The ERC-20 decimals, the underlying's.
pub const DECIMALS: u8 = 6;

const MIGRATOR_PARAMETER_KEY: &str = "xmtp.feeToken.migrator";

xmtp_core::wiring! {
    /// The parameter registry the migrator is read from (reference immutable).
    pub fn parameter_registry: Address = "parameterRegistry";
    /// The wrapped stablecoin (reference immutable).
    pub fn underlying: Address = "underlying";
}

/// The errors the fee token reverts with.
#[derive(SolidityError, Debug, PartialEq)]
pub enum FeeTokenError {
    /// `initialize()` ran before on this proxy, or this is the bare implementation.
    InvalidInitialization(InvalidInitialization),
    /// A deposit or withdrawal of zero.
    ZeroAmount(ZeroAmount),
    /// A deposit or withdrawal for the zero address.
    ZeroRecipient(ZeroRecipient),
    /// Pulling the underlying from the caller failed.
    TransferFromFailed(TransferFromFailed),
    /// Sending the underlying to the recipient failed.
    TransferFailed(TransferFailed),
    /// A balance below the amount transferred or burned.
    ERC20InsufficientBalance(ERC20InsufficientBalance),
    /// A transfer from the zero address.
    ERC20InvalidSender(ERC20InvalidSender),
    /// A transfer or mint to the zero address.
    ERC20InvalidReceiver(ERC20InvalidReceiver),
    /// An allowance below the amount `transferFrom` moves.
    ERC20InsufficientAllowance(ERC20InsufficientAllowance),
    /// An approval by the zero address.
    ERC20InvalidApprover(ERC20InvalidApprover),
    /// An approval of the zero address.
    ERC20InvalidSpender(ERC20InvalidSpender),
    /// A permit past its deadline.
    ERC2612ExpiredSignature(ERC2612ExpiredSignature),
    /// A permit signed by someone other than the owner.
    ERC2612InvalidSigner(ERC2612InvalidSigner),
    /// A permit signature nothing can be recovered from.
    ECDSAInvalidSignature(ECDSAInvalidSignature),
    /// A permit signature with `s` in the upper half of the curve order.
    ECDSAInvalidSignatureS(ECDSAInvalidSignatureS),
    /// No migrator is set.
    ZeroMigrator(ZeroMigrator),
    /// The migrator reverted; carries its revert data.
    MigrationFailed(MigrationFailed),
    /// The migrator has no code.
    EmptyCode(EmptyCode),
    /// The migrator parameter is not an address.
    ParameterOutOfTypeBounds(ParameterOutOfTypeBounds),
    /// `Panic(0x11)`: the total supply would pass 2^256 - 1.
    Panic(Panic),
    /// `Error("EIP712: Uninitialized")` from `eip712Domain()` while legacy domain hashes are stored.
    Revert(Revert),
    /// A callee's revert (the parameter registry, the `ecrecover` precompile), passed through.
    Bubbled(Bubbled),
}

pub use entry::FeeToken;

// The SDK's `#[entrypoint]` generates an undocumented public function; a private module keeps it
// out of the crate's public (documented) surface.
mod entry {
    use alloc::{vec, vec::Vec};

    use stylus_sdk::prelude::*;

    /// The program; its state lives in OpenZeppelin's ERC-20, EIP-712 and Nonces namespaces.
    #[storage]
    #[entrypoint]
    pub struct FeeToken {}
}

// The SDK's router hands decoded arguments over by value.
#[allow(clippy::needless_pass_by_value)]
#[public]
impl FeeToken {
    /// Sets the EIP-712 domain (`"XMTP USD Fee Token"`, `"1"`) and the ERC-20 name and symbol; once.
    pub fn initialize(&mut self) -> Result<(), FeeTokenError> {
        let vm = self.vm().clone();
        initializer(&vm, || {
            erc20_permit::init(&vm, NAME);
            erc20::init(&vm, NAME, SYMBOL);
            Ok(())
        })
    }

    /// EIP-2612: approves `spender_` for `value_` of `owner_`'s tokens with `owner_`'s signature.
    #[allow(clippy::too_many_arguments)]
    pub fn permit(
        &mut self,
        owner_: Address,
        spender_: Address,
        value_: U256,
        deadline_: U256,
        v_: u8,
        r_: B256,
        s_: B256,
    ) -> Result<(), FeeTokenError> {
        erc20_permit::permit(self.vm(), owner_, spender_, value_, deadline_, v_, r_, s_)
    }

    /// Pulls `amount_` underlying from the caller and mints as much to the caller.
    pub fn deposit(&mut self, amount_: U256) -> Result<(), FeeTokenError> {
        let caller = self.vm().msg_sender();
        self.deposit_to(caller, amount_)
    }

    /// [`Self::deposit`] after trying the caller's `permit` of the underlying (its outcome is
    /// ignored: the permit may have been used already, or the allowance given another way).
    pub fn deposit_with_permit(
        &mut self,
        amount_: U256,
        deadline_: U256,
        v_: u8,
        r_: B256,
        s_: B256,
    ) -> Result<(), FeeTokenError> {
        self.try_underlying_permit(amount_, deadline_, v_, r_, s_);
        let caller = self.vm().msg_sender();
        self.deposit_to(caller, amount_)
    }

    /// Pulls `amount_` underlying from the caller and mints as much to `recipient_`.
    pub fn deposit_for(
        &mut self,
        recipient_: Address,
        amount_: U256,
    ) -> Result<bool, FeeTokenError> {
        self.deposit_to(recipient_, amount_)?;
        Ok(true)
    }

    /// [`Self::deposit_for`] after trying the caller's `permit` of the underlying (outcome ignored).
    pub fn deposit_for_with_permit(
        &mut self,
        recipient_: Address,
        amount_: U256,
        deadline_: U256,
        v_: u8,
        r_: B256,
        s_: B256,
    ) -> Result<bool, FeeTokenError> {
        self.try_underlying_permit(amount_, deadline_, v_, r_, s_);
        self.deposit_to(recipient_, amount_)?;
        Ok(true)
    }

    /// Burns `amount_` of the caller's tokens and sends as much underlying to the caller.
    pub fn withdraw(&mut self, amount_: U256) -> Result<(), FeeTokenError> {
        let caller = self.vm().msg_sender();
        self.withdraw_to_recipient(caller, amount_)
    }

    /// Burns `amount_` of the caller's tokens and sends as much underlying to `recipient_`.
    pub fn withdraw_to(
        &mut self,
        recipient_: Address,
        amount_: U256,
    ) -> Result<bool, FeeTokenError> {
        self.withdraw_to_recipient(recipient_, amount_)?;
        Ok(true)
    }

    /// Migrates this proxy through the migrator set in the parameter registry.
    pub fn migrate(&mut self) -> Result<(), FeeTokenError> {
        let vm = self.vm().clone();
        let migrator = params::get_address::<FeeTokenError>(
            &vm,
            parameter_registry(),
            MIGRATOR_PARAMETER_KEY,
        )?;
        migratable::migrate(&vm, migrator)
    }

    /// ERC-20 `transfer`.
    pub fn transfer(&mut self, to: Address, value: U256) -> Result<bool, FeeTokenError> {
        let vm = self.vm();
        erc20::transfer::<FeeTokenError>(vm, vm.msg_sender(), to, value)?;
        Ok(true)
    }

    /// ERC-20 `transferFrom`, spending the caller's allowance.
    pub fn transfer_from(
        &mut self,
        from: Address,
        to: Address,
        value: U256,
    ) -> Result<bool, FeeTokenError> {
        let vm = self.vm();
        erc20::transfer_from::<FeeTokenError>(vm, vm.msg_sender(), from, to, value)?;
        Ok(true)
    }

    /// ERC-20 `approve`.
    pub fn approve(&mut self, spender: Address, value: U256) -> Result<bool, FeeTokenError> {
        let vm = self.vm();
        erc20::approve::<FeeTokenError>(vm, vm.msg_sender(), spender, value)?;
        Ok(true)
    }

    /// The EIP-712 domain separator, recomputed for the current chain and this proxy.
    #[selector(name = "DOMAIN_SEPARATOR")]
    pub fn domain_separator(&self) -> B256 {
        eip712::domain_separator(self.vm())
    }

    /// `keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)")`.
    #[selector(name = "PERMIT_TYPEHASH")]
    pub fn permit_typehash() -> B256 {
        erc20_permit::PERMIT_TYPEHASH
    }

    /// The wrapped stablecoin this implementation was built with.
    #[selector(name = "underlying")]
    pub fn underlying_getter(&self) -> Address {
        underlying()
    }

    /// `"xmtp.feeToken.migrator"`.
    pub fn migrator_parameter_key() -> String {
        MIGRATOR_PARAMETER_KEY.into()
    }

    /// The parameter registry this implementation was built with.
    #[selector(name = "parameterRegistry")]
    pub fn parameter_registry_getter(&self) -> Address {
        parameter_registry()
    }

    /// The EIP-712 digest a permit of these values must sign.
    pub fn get_permit_digest(
        &self,
        owner_: Address,
        spender_: Address,
        value_: U256,
        nonce_: U256,
        deadline_: U256,
    ) -> B256 {
        erc20_permit::permit_digest(self.vm(), owner_, spender_, value_, nonce_, deadline_)
    }

    /// The nonce `owner_`'s next permit must sign.
    pub fn nonces(&self, owner_: Address) -> U256 {
        nonces::nonces(self.vm(), owner_)
    }

    /// The executing proxy's implementation.
    pub fn implementation(&self) -> Address {
        xmtp_core::storage::implementation(self.vm())
    }

    /// `"1.0.0"`.
    pub fn version() -> String {
        "1.0.0".into()
    }

    /// `"FeeToken"`.
    pub fn contract_name() -> String {
        "FeeToken".into()
    }

    /// ERC-20 `allowance`.
    pub fn allowance(&self, owner: Address, spender: Address) -> U256 {
        erc20::allowance(self.vm(), owner, spender)
    }

    /// ERC-20 `balanceOf`.
    pub fn balance_of(&self, account: Address) -> U256 {
        erc20::balance_of(self.vm(), account)
    }

    /// 6, the underlying's decimals.
    pub fn decimals() -> u8 {
        DECIMALS
    }

    /// ERC-5267: the EIP-712 domain (name, version `"1"`, chain id, this proxy).
    pub fn eip712_domain(&self) -> Result<eip712::Domain, FeeTokenError> {
        eip712::eip712_domain(self.vm())
    }

    /// ERC-20 `name`.
    pub fn name(&self) -> String {
        erc20::name(self.vm())
    }

    /// ERC-20 `symbol`.
    pub fn symbol(&self) -> String {
        erc20::symbol(self.vm())
    }

    /// ERC-20 `totalSupply`: always the underlying this contract received for it.
    pub fn total_supply(&self) -> U256 {
        erc20::total_supply(self.vm())
    }
}

impl FeeToken {
    /// `_deposit`: checks, pulls the underlying from the caller, then mints (pull before mint,
    /// as the reference, so a reentering underlying sees the supply before the deposit).
    fn deposit_to(&mut self, recipient: Address, amount: U256) -> Result<(), FeeTokenError> {
        revert_if_zero_amount(amount)?;
        revert_if_zero_recipient(recipient)?;
        let vm = self.vm().clone();
        let calldata = IERC20Like::transferFromCall {
            sender_: vm.msg_sender(),
            recipient_: vm.contract_address(),
            amount_: amount,
        }
        .abi_encode();
        if !self.safe_underlying_call(&calldata) {
            return Err(TransferFromFailed {}.into());
        }
        erc20::mint::<FeeTokenError>(&vm, recipient, amount)
    }

    /// `_withdraw`: checks, burns the caller's tokens, then sends the underlying.
    fn withdraw_to_recipient(
        &mut self,
        recipient: Address,
        amount: U256,
    ) -> Result<(), FeeTokenError> {
        revert_if_zero_amount(amount)?;
        revert_if_zero_recipient(recipient)?;
        let vm = self.vm().clone();
        erc20::burn::<FeeTokenError>(&vm, vm.msg_sender(), amount)?;
        let calldata = IERC20Like::transferCall {
            recipient_: recipient,
            amount_: amount,
        }
        .abi_encode();
        if !self.safe_underlying_call(&calldata) {
            return Err(TransferFailed {}.into());
        }
        Ok(())
    }

    /// `underlying.permit(caller, this, amount, deadline, v, r, s)` as a low-level call whose
    /// outcome is ignored, as the reference's.
    fn try_underlying_permit(&mut self, amount: U256, deadline: U256, v: u8, r: B256, s: B256) {
        let vm = self.vm().clone();
        let calldata = IPermitErc20Like::permitCall {
            owner_: vm.msg_sender(),
            spender_: vm.contract_address(),
            value_: amount,
            deadline_: deadline,
            v_: v,
            r_: r,
            s_: s,
        }
        .abi_encode();
        // SAFETY: the underlying may reenter and write our storage: the cache is flushed before
        // and cleared for after.
        let outcome = unsafe {
            RawCall::new(&vm)
                .clear_storage_cache()
                .call(underlying(), &calldata)
        };
        // Ignored on purpose: a permit already used, or not supported, must not stop the deposit.
        drop(outcome);
    }

    /// Solady's `safeTransfer`/`safeTransferFrom` success rule for a call to the underlying: the
    /// call succeeded and returned a first word equal to 1, or returned nothing from an account
    /// with code.
    fn safe_underlying_call(&mut self, calldata: &[u8]) -> bool {
        let vm = self.vm().clone();
        let token = underlying();
        // SAFETY: the underlying may reenter and write our storage: the cache is flushed before
        // and cleared for after.
        let Ok(output) = (unsafe {
            RawCall::new(&vm)
                .clear_storage_cache()
                .call(token, calldata)
        }) else {
            return false;
        };
        let returned_true =
            output.len() >= 32 && U256::from_be_slice(&output[..32]) == U256::from(1);
        returned_true || (output.is_empty() && vm.code_size(token) != 0)
    }
}

fn revert_if_zero_amount(amount: U256) -> Result<(), ZeroAmount> {
    if amount.is_zero() {
        return Err(ZeroAmount {});
    }
    Ok(())
}

fn revert_if_zero_recipient(recipient: Address) -> Result<(), ZeroRecipient> {
    if recipient.is_zero() {
        return Err(ZeroRecipient {});
    }
    Ok(())
}

#[cfg(test)]
mod tests;
