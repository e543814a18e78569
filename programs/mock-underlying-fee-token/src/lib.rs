//! `MockUnderlyingFeeToken`: the stand-in for the fee token's underlying stablecoin on devnets
//! and testnets, as the reference's `test/utils/Mocks.sol` has it: an OpenZeppelin v5 ERC-20 with
//! EIP-2612 permit ("Mock USD", "mUSD"), 6 decimals, and a `mint` anyone may call.
//!
//! The token is [`xmtp_core::erc20`] and [`xmtp_core::erc20_permit`], as the `FeeToken`'s, so the
//! fee token's permit path (`depositWithPermit`) can be exercised end to end against it.
//!
//! Differences from the reference (see `DEVIATIONS.md`):
//! - `parameterRegistry` is wiring, not a constructor immutable.
//! - The reference mock's constructor does not disable initializers, so its bare implementation
//!   could be initialized; here, as for every program, `initialize()` refuses to run outside a
//!   proxy (`InvalidInitialization()`).
#![cfg_attr(target_arch = "wasm32", no_std, no_main)]

extern crate alloc;

use alloc::{string::String, vec::Vec};

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::{Panic, Revert};
use stylus_sdk::prelude::*;
use xmtp_abi::{
    migratable::{EmptyCode, MigrationFailed, ZeroMigrator},
    oz_ecdsa::{ECDSAInvalidSignature, ECDSAInvalidSignatureS},
    oz_erc20::{
        ERC20InsufficientAllowance, ERC20InsufficientBalance, ERC20InvalidApprover,
        ERC20InvalidReceiver, ERC20InvalidSender, ERC20InvalidSpender,
    },
    oz_erc20_permit::{ERC2612ExpiredSignature, ERC2612InvalidSigner},
    oz_initializable::InvalidInitialization,
    registry_parameters::ParameterOutOfTypeBounds,
};
use xmtp_core::{
    eip712, erc20, erc20_permit, initializable::initializer, migratable, nonces, params, Bubbled,
};

/// The token's EIP-712 domain name and ERC-20 name.
pub const NAME: &str = "Mock USD";
/// The ERC-20 symbol.
pub const SYMBOL: &str = "mUSD";
/// The ERC-20 decimals, USDC's.
pub const DECIMALS: u8 = 6;

const MIGRATOR_PARAMETER_KEY: &str = "xmtp.mockUnderlyingFeeToken.migrator";

xmtp_core::wiring! {
    /// The parameter registry the migrator is read from (reference immutable).
    pub fn parameter_registry: Address = "parameterRegistry";
}

/// The errors the mock token reverts with.
#[derive(SolidityError, Debug, PartialEq)]
pub enum MockUnderlyingFeeTokenError {
    /// `initialize()` ran before on this proxy, or this is the bare implementation.
    InvalidInitialization(InvalidInitialization),
    /// A balance below the amount transferred.
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
    /// `Panic(0x11)`: a mint would push the total supply past 2^256 - 1.
    Panic(Panic),
    /// `Error("EIP712: Uninitialized")` from `eip712Domain()` while legacy domain hashes are stored.
    Revert(Revert),
    /// A callee's revert (the parameter registry, the `ecrecover` precompile), passed through.
    Bubbled(Bubbled),
}

pub use entry::MockUnderlyingFeeToken;

// The SDK's `#[entrypoint]` generates an undocumented public function; a private module keeps it
// out of the crate's public (documented) surface.
mod entry {
    use alloc::{vec, vec::Vec};

    use stylus_sdk::prelude::*;

    /// The program; its state lives in OpenZeppelin's ERC-20, EIP-712 and Nonces namespaces.
    #[storage]
    #[entrypoint]
    pub struct MockUnderlyingFeeToken {}
}

// The SDK's router hands decoded arguments over by value.
#[allow(clippy::needless_pass_by_value)]
#[public]
impl MockUnderlyingFeeToken {
    /// Sets the EIP-712 domain (`"Mock USD"`, `"1"`) and the ERC-20 name and symbol; once.
    pub fn initialize(&mut self) -> Result<(), MockUnderlyingFeeTokenError> {
        let vm = self.vm().clone();
        initializer(&vm, || {
            erc20_permit::init(&vm, NAME);
            erc20::init(&vm, NAME, SYMBOL);
            Ok(())
        })
    }

    /// Mints `amount_` to `to_`; anyone may call it.
    pub fn mint(&mut self, to_: Address, amount_: U256) -> Result<(), MockUnderlyingFeeTokenError> {
        erc20::mint(self.vm(), to_, amount_)
    }

    /// Migrates this proxy through the migrator set in the parameter registry.
    pub fn migrate(&mut self) -> Result<(), MockUnderlyingFeeTokenError> {
        let vm = self.vm().clone();
        let migrator = params::get_address::<MockUnderlyingFeeTokenError>(
            &vm,
            parameter_registry(),
            MIGRATOR_PARAMETER_KEY,
        )?;
        migratable::migrate(&vm, migrator)
    }

    /// 6, as USDC.
    pub fn decimals() -> u8 {
        DECIMALS
    }

    /// `"xmtp.mockUnderlyingFeeToken.migrator"`.
    pub fn migrator_parameter_key() -> String {
        MIGRATOR_PARAMETER_KEY.into()
    }

    /// The parameter registry this implementation was built with.
    #[selector(name = "parameterRegistry")]
    pub fn parameter_registry_getter(&self) -> Address {
        parameter_registry()
    }

    /// The executing proxy's implementation.
    pub fn implementation(&self) -> Address {
        xmtp_core::storage::implementation(self.vm())
    }

    /// EIP-2612: approves `spender` for `value` of `owner`'s tokens with `owner`'s signature.
    #[allow(clippy::too_many_arguments)]
    pub fn permit(
        &mut self,
        owner: Address,
        spender: Address,
        value: U256,
        deadline: U256,
        v: u8,
        r: B256,
        s: B256,
    ) -> Result<(), MockUnderlyingFeeTokenError> {
        erc20_permit::permit(self.vm(), owner, spender, value, deadline, v, r, s)
    }

    /// The nonce `owner`'s next permit must sign.
    pub fn nonces(&self, owner: Address) -> U256 {
        nonces::nonces(self.vm(), owner)
    }

    /// The EIP-712 domain separator, recomputed for the current chain and this proxy.
    #[selector(name = "DOMAIN_SEPARATOR")]
    pub fn domain_separator(&self) -> B256 {
        eip712::domain_separator(self.vm())
    }

    /// ERC-5267: the EIP-712 domain (name, version `"1"`, chain id, this proxy).
    pub fn eip712_domain(&self) -> Result<eip712::Domain, MockUnderlyingFeeTokenError> {
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

    /// ERC-20 `totalSupply`.
    pub fn total_supply(&self) -> U256 {
        erc20::total_supply(self.vm())
    }

    /// ERC-20 `balanceOf`.
    pub fn balance_of(&self, account: Address) -> U256 {
        erc20::balance_of(self.vm(), account)
    }

    /// ERC-20 `transfer`.
    pub fn transfer(
        &mut self,
        to: Address,
        value: U256,
    ) -> Result<bool, MockUnderlyingFeeTokenError> {
        let vm = self.vm();
        erc20::transfer::<MockUnderlyingFeeTokenError>(vm, vm.msg_sender(), to, value)?;
        Ok(true)
    }

    /// ERC-20 `allowance`.
    pub fn allowance(&self, owner: Address, spender: Address) -> U256 {
        erc20::allowance(self.vm(), owner, spender)
    }

    /// ERC-20 `approve`.
    pub fn approve(
        &mut self,
        spender: Address,
        value: U256,
    ) -> Result<bool, MockUnderlyingFeeTokenError> {
        let vm = self.vm();
        erc20::approve::<MockUnderlyingFeeTokenError>(vm, vm.msg_sender(), spender, value)?;
        Ok(true)
    }

    /// ERC-20 `transferFrom`, spending the caller's allowance.
    pub fn transfer_from(
        &mut self,
        from: Address,
        to: Address,
        value: U256,
    ) -> Result<bool, MockUnderlyingFeeTokenError> {
        let vm = self.vm();
        erc20::transfer_from::<MockUnderlyingFeeTokenError>(vm, vm.msg_sender(), from, to, value)?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests;
