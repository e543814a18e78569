//! OpenZeppelin v5 `ERC20Upgradeable`: balances, allowances, supply and metadata, at
//! OpenZeppelin's slot, with OpenZeppelin's checks, their order, errors (ERC-6093) and events.
//!
//! Storage (`openzeppelin.storage.ERC20`): `mapping(address => uint256) _balances`,
//! `mapping(address => mapping(address => uint256)) _allowances`, `uint256 _totalSupply`,
//! `string _name`, `string _symbol`, so a proxy that ran the Solidity token keeps its state.
//!
//! The functions take the account acting (`msg.sender` in Solidity) explicitly; a program's
//! `#[public]` methods pass it in. Errors are the program's own enum through [`Erc20Error`].

use alloc::{string::String, vec, vec::Vec};

use alloy_primitives::{Address, U256};
use alloy_sol_types::{Panic, PanicKind};
use stylus_sdk::{
    host::VM,
    prelude::*,
    storage::{StorageMap, StorageU256},
};
use xmtp_abi::oz_erc20::{
    Approval, ERC20InsufficientAllowance, ERC20InsufficientBalance, ERC20InvalidApprover,
    ERC20InvalidReceiver, ERC20InvalidSender, ERC20InvalidSpender, Transfer,
};

use crate::{slots::OZ_ERC20, storage::rooted, string_storage};

/// Errors the token functions can end in: OpenZeppelin's ERC-6093 errors, and `Panic(0x11)`
/// when minting would push the total supply past 2^256 - 1 (Solidity's checked addition).
pub trait Erc20Error:
    From<ERC20InsufficientBalance>
    + From<ERC20InvalidSender>
    + From<ERC20InvalidReceiver>
    + From<ERC20InsufficientAllowance>
    + From<ERC20InvalidApprover>
    + From<ERC20InvalidSpender>
    + From<Panic>
{
}
impl<E> Erc20Error for E where
    E: From<ERC20InsufficientBalance>
        + From<ERC20InvalidSender>
        + From<ERC20InvalidReceiver>
        + From<ERC20InsufficientAllowance>
        + From<ERC20InvalidApprover>
        + From<ERC20InvalidSpender>
        + From<Panic>
{
}

/// OpenZeppelin's `ERC20Storage` up to `_totalSupply`; `string _name` and `string _symbol`
/// follow at root + 3 and root + 4, kept through [`string_storage`].
#[storage]
pub struct Erc20Storage {
    balances: StorageMap<Address, StorageU256>,
    allowances: StorageMap<Address, StorageMap<Address, StorageU256>>,
    total_supply: StorageU256,
}

const NAME_SLOT: U256 = OZ_ERC20.wrapping_add(U256::from_limbs([3, 0, 0, 0]));
const SYMBOL_SLOT: U256 = OZ_ERC20.wrapping_add(U256::from_limbs([4, 0, 0, 0]));

fn layout(vm: &VM) -> Erc20Storage {
    rooted(vm, OZ_ERC20)
}

/// `__ERC20_init(name, symbol)`.
pub fn init(vm: &VM, name: &str, symbol: &str) {
    string_storage::store(vm, NAME_SLOT, name.as_bytes());
    string_storage::store(vm, SYMBOL_SLOT, symbol.as_bytes());
}

/// `name()`.
#[must_use]
pub fn name(vm: &VM) -> String {
    string_storage::load(vm, NAME_SLOT)
}

/// `symbol()`.
#[must_use]
pub fn symbol(vm: &VM) -> String {
    string_storage::load(vm, SYMBOL_SLOT)
}

/// `totalSupply()`.
#[must_use]
pub fn total_supply(vm: &VM) -> U256 {
    layout(vm).total_supply.get()
}

/// `balanceOf(account)`.
#[must_use]
pub fn balance_of(vm: &VM, account: Address) -> U256 {
    layout(vm).balances.get(account)
}

/// `allowance(owner, spender)`.
#[must_use]
pub fn allowance(vm: &VM, owner: Address, spender: Address) -> U256 {
    layout(vm).allowances.getter(owner).get(spender)
}

/// `_transfer(from, to, value)`: zero `from` is `ERC20InvalidSender(0)`, zero `to` is
/// `ERC20InvalidReceiver(0)`, then [`update`].
pub fn transfer<E: Erc20Error>(vm: &VM, from: Address, to: Address, value: U256) -> Result<(), E> {
    if from.is_zero() {
        return Err(ERC20InvalidSender { sender: from }.into());
    }
    if to.is_zero() {
        return Err(ERC20InvalidReceiver { receiver: to }.into());
    }
    update(vm, from, to, value)
}

/// `transferFrom(from, to, value)` called by `spender`: spends the allowance first (so its
/// errors come before the sender/receiver checks), then [`transfer`].
pub fn transfer_from<E: Erc20Error>(
    vm: &VM,
    spender: Address,
    from: Address,
    to: Address,
    value: U256,
) -> Result<(), E> {
    spend_allowance::<E>(vm, from, spender, value)?;
    transfer(vm, from, to, value)
}

/// `_mint(account, value)`: zero `account` is `ERC20InvalidReceiver(0)`.
pub fn mint<E: Erc20Error>(vm: &VM, account: Address, value: U256) -> Result<(), E> {
    if account.is_zero() {
        return Err(ERC20InvalidReceiver { receiver: account }.into());
    }
    update(vm, Address::ZERO, account, value)
}

/// `_burn(account, value)`: zero `account` is `ERC20InvalidSender(0)`.
pub fn burn<E: Erc20Error>(vm: &VM, account: Address, value: U256) -> Result<(), E> {
    if account.is_zero() {
        return Err(ERC20InvalidSender { sender: account }.into());
    }
    update(vm, account, Address::ZERO, value)
}

/// `_update(from, to, value)`: moves `value` (minting from zero, burning to zero) and emits
/// `Transfer`. The total supply addition is checked (`Panic(0x11)`); the rest cannot overflow
/// while the supply bounds every balance, so OpenZeppelin leaves it unchecked, as here.
pub fn update<E: Erc20Error>(vm: &VM, from: Address, to: Address, value: U256) -> Result<(), E> {
    let mut state = layout(vm);
    if from.is_zero() {
        let supply = state
            .total_supply
            .get()
            .checked_add(value)
            .ok_or(Panic::from(PanicKind::UnderOverflow))?;
        state.total_supply.set(supply);
    } else {
        let mut balance = state.balances.setter(from);
        let from_balance = balance.get();
        if from_balance < value {
            return Err(ERC20InsufficientBalance {
                sender: from,
                balance: from_balance,
                needed: value,
            }
            .into());
        }
        balance.set(from_balance - value);
    }
    if to.is_zero() {
        let supply = state.total_supply.get();
        state.total_supply.set(supply.wrapping_sub(value));
    } else {
        let mut balance = state.balances.setter(to);
        let to_balance = balance.get();
        balance.set(to_balance.wrapping_add(value));
    }
    vm.log(Transfer { from, to, value });
    Ok(())
}

/// `_approve(owner, spender, value)`, emitting `Approval`.
pub fn approve<E: Erc20Error>(
    vm: &VM,
    owner: Address,
    spender: Address,
    value: U256,
) -> Result<(), E> {
    set_allowance::<E>(vm, owner, spender, value)?;
    vm.log(Approval {
        owner,
        spender,
        value,
    });
    Ok(())
}

/// `_approve(owner, spender, value, false)`: zero `owner` is `ERC20InvalidApprover(0)`, zero
/// `spender` is `ERC20InvalidSpender(0)`; no event.
fn set_allowance<E: Erc20Error>(
    vm: &VM,
    owner: Address,
    spender: Address,
    value: U256,
) -> Result<(), E> {
    if owner.is_zero() {
        return Err(ERC20InvalidApprover { approver: owner }.into());
    }
    if spender.is_zero() {
        return Err(ERC20InvalidSpender { spender }.into());
    }
    layout(vm)
        .allowances
        .setter(owner)
        .setter(spender)
        .set(value);
    Ok(())
}

/// `_spendAllowance(owner, spender, value)`: an infinite (`2^256 - 1`) allowance is never
/// lowered; a smaller one below `value` is `ERC20InsufficientAllowance`; otherwise it is lowered
/// without an `Approval` event.
pub fn spend_allowance<E: Erc20Error>(
    vm: &VM,
    owner: Address,
    spender: Address,
    value: U256,
) -> Result<(), E> {
    let current = allowance(vm, owner, spender);
    if current == U256::MAX {
        return Ok(());
    }
    if current < value {
        return Err(ERC20InsufficientAllowance {
            spender,
            allowance: current,
            needed: value,
        }
        .into());
    }
    set_allowance(vm, owner, spender, current - value)
}
