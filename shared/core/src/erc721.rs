//! OpenZeppelin v5 (`ERC721Upgradeable` 5.3.0) ERC-721 core: ownership, balances, approvals,
//! transfers with the `onERC721Received` check, minting, metadata and ERC-165.
//!
//! Storage is OpenZeppelin's `ERC721Storage` at `openzeppelin.storage.ERC721`, so a proxy that
//! ran the Solidity implementation keeps its tokens. Checks, their order, errors (ERC-6093, with
//! their fields) and events are OpenZeppelin's. A program exposes the `#[public]` functions and
//! calls these; `_baseURI()` is the program's, passed to [`Erc721Storage::token_uri`].

use alloc::{string::String, vec, vec::Vec};

use alloy_primitives::{Address, FixedBytes, B256, U256};
use alloy_sol_types::{SolCall, SolEvent};
use stylus_sdk::{
    call::RawCall,
    host::VM,
    prelude::*,
    storage::{StorageAddress, StorageBool, StorageMap, StorageString, StorageU256},
};
use xmtp_abi::oz_erc721::{
    Approval, ApprovalForAll, ERC721IncorrectOwner, ERC721InsufficientApproval,
    ERC721InvalidApprover, ERC721InvalidOperator, ERC721InvalidOwner, ERC721InvalidReceiver,
    ERC721InvalidSender, ERC721NonexistentToken, IERC721Receiver, Transfer,
};

use crate::{
    abi_lean, events, revert::Bubbled, slot_key, slots::OZ_ERC721, storage::rooted, string_storage,
};

/// ERC-165 id of `IERC165`.
pub const IERC165_INTERFACE_ID: [u8; 4] = [0x01, 0xff, 0xc9, 0xa7];
/// ERC-165 id of `IERC721`.
pub const IERC721_INTERFACE_ID: [u8; 4] = [0x80, 0xac, 0x58, 0xcd];
/// ERC-165 id of `IERC721Metadata`.
pub const IERC721_METADATA_INTERFACE_ID: [u8; 4] = [0x5b, 0x5e, 0x13, 0x9f];

/// Every error the ERC-721 core can end in: OpenZeppelin's `IERC721Errors`, and a receiver's
/// revert data passed through (or empty, for an undecodable answer).
pub trait Erc721Error:
    From<ERC721InvalidOwner>
    + From<ERC721NonexistentToken>
    + From<ERC721IncorrectOwner>
    + From<ERC721InvalidSender>
    + From<ERC721InvalidReceiver>
    + From<ERC721InsufficientApproval>
    + From<ERC721InvalidApprover>
    + From<ERC721InvalidOperator>
    + From<Bubbled>
{
}

impl<E> Erc721Error for E where
    E: From<ERC721InvalidOwner>
        + From<ERC721NonexistentToken>
        + From<ERC721IncorrectOwner>
        + From<ERC721InvalidSender>
        + From<ERC721InvalidReceiver>
        + From<ERC721InsufficientApproval>
        + From<ERC721InvalidApprover>
        + From<ERC721InvalidOperator>
        + From<Bubbled>
{
}

/// OpenZeppelin's `ERC721Storage`, field for field. The fields keep the layout; every access
/// goes word by word through [`string_storage`] and [`entry`] (the SDK's typed accessors inline
/// 256-bit slot conversions at each use, several kilobytes of wasm for `_update` alone).
#[storage]
#[allow(dead_code)]
pub struct Erc721Storage {
    /// Read and written with [`string_storage`] at [`NAME_SLOT`] (the SDK's `StorageString`
    /// would link a 256-bit divider); the field keeps the layout.
    #[allow(dead_code)]
    name: StorageString,
    /// Likewise, at [`SYMBOL_SLOT`].
    #[allow(dead_code)]
    symbol: StorageString,
    owners: StorageMap<U256, StorageAddress>,
    balances: StorageMap<Address, StorageU256>,
    token_approvals: StorageMap<U256, StorageAddress>,
    operator_approvals: StorageMap<Address, StorageMap<Address, StorageBool>>,
}

/// The slot of `ERC721Storage._owners`.
const OWNERS_SLOT: U256 = OZ_ERC721.wrapping_add(U256::from_limbs([2, 0, 0, 0]));
/// The slot of `ERC721Storage._balances`.
const BALANCES_SLOT: U256 = OZ_ERC721.wrapping_add(U256::from_limbs([3, 0, 0, 0]));
/// The slot of `ERC721Storage._tokenApprovals`.
const TOKEN_APPROVALS_SLOT: U256 = OZ_ERC721.wrapping_add(U256::from_limbs([4, 0, 0, 0]));
/// The slot of `ERC721Storage._operatorApprovals`.
const OPERATOR_APPROVALS_SLOT: U256 = OZ_ERC721.wrapping_add(U256::from_limbs([5, 0, 0, 0]));

/// The slot of `mapping[key]` for the mapping at `slot`.
fn entry(vm: &VM, key: B256, slot: U256) -> B256 {
    slot_key::mapping(vm, key, slot_key::key(slot))
}

#[inline(never)]
fn address_at(vm: &VM, slot: B256) -> Address {
    Address::from_word(slot_key::load(vm, slot))
}

#[inline(never)]
fn set_address(vm: &VM, slot: B256, value: Address) {
    slot_key::store(vm, slot, value.into_word());
}

/// `balances[owner] += 1` or `-= 1` (unchecked, as OpenZeppelin: a holder's balance is at
/// least 1, and no balance reaches 2^256 - 1).
#[inline(never)]
fn add_to_balance(vm: &VM, owner: Address, increase: bool) {
    let slot = entry(vm, owner.into_word(), BALANCES_SLOT);
    let balance = U256::from_be_bytes(slot_key::load(vm, slot).0);
    let balance = if increase {
        balance.wrapping_add(U256::from(1))
    } else {
        balance.wrapping_sub(U256::from(1))
    };
    slot_key::store(vm, slot, B256::from(balance));
}

/// The slot of `ERC721Storage._name`.
const NAME_SLOT: U256 = OZ_ERC721;
/// The slot of `ERC721Storage._symbol`.
const SYMBOL_SLOT: U256 = OZ_ERC721.wrapping_add(U256::from_limbs([1, 0, 0, 0]));

/// The executing context's ERC-721 state, at `openzeppelin.storage.ERC721`.
#[must_use]
pub fn erc721(vm: &VM) -> Erc721Storage {
    rooted(vm, OZ_ERC721)
}

/// `supportsInterface`: `IERC165`, `IERC721` and `IERC721Metadata`.
#[must_use]
pub fn supports_interface(interface_id: FixedBytes<4>) -> bool {
    [
        IERC165_INTERFACE_ID,
        IERC721_INTERFACE_ID,
        IERC721_METADATA_INTERFACE_ID,
    ]
    .contains(&interface_id.0)
}

impl Erc721Storage {
    /// `__ERC721_init(name, symbol)`.
    pub fn init(&mut self, name: &str, symbol: &str) {
        string_storage::store(self.vm(), NAME_SLOT, name.as_bytes());
        string_storage::store(self.vm(), SYMBOL_SLOT, symbol.as_bytes());
    }

    /// `name()`.
    #[must_use]
    pub fn name(&self) -> String {
        string_storage::load(self.vm(), NAME_SLOT)
    }

    /// `symbol()`.
    #[must_use]
    pub fn symbol(&self) -> String {
        string_storage::load(self.vm(), SYMBOL_SLOT)
    }

    /// `balanceOf(owner)`; the zero address is `ERC721InvalidOwner(0)`.
    pub fn balance_of<E: From<ERC721InvalidOwner>>(&self, owner: Address) -> Result<U256, E> {
        if owner.is_zero() {
            return Err(ERC721InvalidOwner {
                owner: Address::ZERO,
            }
            .into());
        }
        let slot = entry(self.vm(), owner.into_word(), BALANCES_SLOT);
        Ok(U256::from_be_bytes(slot_key::load(self.vm(), slot).0))
    }

    /// `_ownerOf(tokenId)`: zero for a token that does not exist.
    #[must_use]
    pub fn raw_owner_of(&self, token_id: U256) -> Address {
        self.owner(token_id)
    }

    /// `_requireOwned(tokenId)` (and `ownerOf`): the owner, or `ERC721NonexistentToken(tokenId)`.
    pub fn require_owned<E: From<ERC721NonexistentToken>>(
        &self,
        token_id: U256,
    ) -> Result<Address, E> {
        let owner = self.owner(token_id);
        if owner.is_zero() {
            return Err(ERC721NonexistentToken { tokenId: token_id }.into());
        }
        Ok(owner)
    }

    /// `tokenURI(tokenId)`: `base_uri ‖ decimal(tokenId)`, or `""` when `base_uri` is empty.
    pub fn token_uri<E: From<ERC721NonexistentToken>>(
        &self,
        token_id: U256,
        base_uri: &str,
    ) -> Result<String, E> {
        self.require_owned::<E>(token_id)?;
        if base_uri.is_empty() {
            return Ok(String::new());
        }
        let mut uri = String::from(base_uri);
        push_decimal(&mut uri, token_id);
        Ok(uri)
    }

    /// `getApproved(tokenId)` (the token must exist).
    pub fn get_approved<E: From<ERC721NonexistentToken>>(
        &self,
        token_id: U256,
    ) -> Result<Address, E> {
        self.require_owned::<E>(token_id)?;
        Ok(self.token_approval(token_id))
    }

    /// `isApprovedForAll(owner, operator)`.
    #[must_use]
    pub fn is_approved_for_all(&self, owner: Address, operator: Address) -> bool {
        let slot = entry(self.vm(), owner.into_word(), OPERATOR_APPROVALS_SLOT);
        slot_key::load(
            self.vm(),
            slot_key::mapping(self.vm(), operator.into_word(), slot),
        )[31]
            != 0
    }

    /// `approve(to, tokenId)` by `auth` (the caller): the owner or one of its operators may
    /// approve; emits `Approval(owner, to, tokenId)`.
    pub fn approve<E: Erc721Error>(
        &mut self,
        to: Address,
        token_id: U256,
        auth: Address,
    ) -> Result<(), E> {
        let owner = self.require_owned::<E>(token_id)?;
        if !auth.is_zero() && owner != auth && !self.is_approved_for_all(owner, auth) {
            return Err(ERC721InvalidApprover { approver: auth }.into());
        }
        events::emit(
            self.vm(),
            &[
                Approval::SIGNATURE_HASH,
                events::address(owner),
                events::address(to),
                events::uint(token_id),
            ],
            &[],
        );
        set_address(self.vm(), self.token_approval_slot(token_id), to);
        Ok(())
    }

    /// `setApprovalForAll(operator, approved)` for `owner` (the caller).
    pub fn set_approval_for_all<E: From<ERC721InvalidOperator>>(
        &mut self,
        owner: Address,
        operator: Address,
        approved: bool,
    ) -> Result<(), E> {
        if operator.is_zero() {
            return Err(ERC721InvalidOperator { operator }.into());
        }
        let slot = entry(self.vm(), owner.into_word(), OPERATOR_APPROVALS_SLOT);
        let slot = slot_key::mapping(self.vm(), operator.into_word(), slot);
        slot_key::store(self.vm(), slot, B256::with_last_byte(u8::from(approved)));
        events::emit(
            self.vm(),
            &[
                ApprovalForAll::SIGNATURE_HASH,
                events::address(owner),
                events::address(operator),
            ],
            &events::boolean(approved).0,
        );
        Ok(())
    }

    /// `transferFrom(from, to, tokenId)` by the caller.
    pub fn transfer_from<E: Erc721Error>(
        &mut self,
        from: Address,
        to: Address,
        token_id: U256,
    ) -> Result<(), E> {
        if to.is_zero() {
            return Err(ERC721InvalidReceiver {
                receiver: Address::ZERO,
            }
            .into());
        }
        let spender = self.vm().msg_sender();
        let previous_owner = self.update::<E>(to, token_id, spender)?;
        if previous_owner != from {
            return Err(ERC721IncorrectOwner {
                sender: from,
                tokenId: token_id,
                owner: previous_owner,
            }
            .into());
        }
        Ok(())
    }

    /// `safeTransferFrom(from, to, tokenId, data)` by the caller: the transfer, then the
    /// receiver check when `to` has code.
    pub fn safe_transfer_from<E: Erc721Error>(
        &mut self,
        from: Address,
        to: Address,
        token_id: U256,
        data: &[u8],
    ) -> Result<(), E> {
        self.transfer_from::<E>(from, to, token_id)?;
        let operator = self.vm().msg_sender();
        check_on_erc721_received(self.vm(), operator, from, to, token_id, data)
    }

    /// `_mint(to, tokenId)`: no receiver check, as OpenZeppelin's `_mint`.
    pub fn mint<E: Erc721Error>(&mut self, to: Address, token_id: U256) -> Result<(), E> {
        if to.is_zero() {
            return Err(ERC721InvalidReceiver {
                receiver: Address::ZERO,
            }
            .into());
        }
        let previous_owner = self.update::<E>(to, token_id, Address::ZERO)?;
        if !previous_owner.is_zero() {
            return Err(ERC721InvalidSender {
                sender: Address::ZERO,
            }
            .into());
        }
        Ok(())
    }

    /// `_update(to, tokenId, auth)`: moves the token (minting from, burning to zero), checking
    /// `auth` unless it is zero; returns the previous owner.
    fn update<E: Erc721Error>(
        &mut self,
        to: Address,
        token_id: U256,
        auth: Address,
    ) -> Result<Address, E> {
        let from = self.owner(token_id);
        if !auth.is_zero() {
            self.check_authorized::<E>(from, auth, token_id)?;
        }
        if !from.is_zero() {
            // `_approve(0, tokenId, 0, false)`: cleared without an event.
            set_address(self.vm(), self.token_approval_slot(token_id), Address::ZERO);
            add_to_balance(self.vm(), from, false);
        }
        if !to.is_zero() {
            add_to_balance(self.vm(), to, true);
        }
        set_address(
            self.vm(),
            entry(self.vm(), slot_key::key(token_id), OWNERS_SLOT),
            to,
        );
        events::emit(
            self.vm(),
            &[
                Transfer::SIGNATURE_HASH,
                events::address(from),
                events::address(to),
                events::uint(token_id),
            ],
            &[],
        );
        Ok(from)
    }

    /// `_owners[tokenId]`.
    fn owner(&self, token_id: U256) -> Address {
        address_at(
            self.vm(),
            entry(self.vm(), slot_key::key(token_id), OWNERS_SLOT),
        )
    }

    fn token_approval_slot(&self, token_id: U256) -> B256 {
        entry(self.vm(), slot_key::key(token_id), TOKEN_APPROVALS_SLOT)
    }

    /// `_tokenApprovals[tokenId]`.
    fn token_approval(&self, token_id: U256) -> Address {
        address_at(self.vm(), self.token_approval_slot(token_id))
    }

    /// `_checkAuthorized`: `spender` is the owner, an operator of the owner, or the token's
    /// approved address.
    fn check_authorized<E: Erc721Error>(
        &self,
        owner: Address,
        spender: Address,
        token_id: U256,
    ) -> Result<(), E> {
        let authorized = !spender.is_zero()
            && (owner == spender
                || self.is_approved_for_all(owner, spender)
                || self.token_approval(token_id) == spender);
        if authorized {
            return Ok(());
        }
        if owner.is_zero() {
            return Err(ERC721NonexistentToken { tokenId: token_id }.into());
        }
        Err(ERC721InsufficientApproval {
            operator: spender,
            tokenId: token_id,
        }
        .into())
    }
}

/// Appends `value` in decimal, as OpenZeppelin's `Strings.toString(uint256)` writes it.
///
/// Long division by 10 over 32-bit chunks keeps to native 64-bit operations: a `U256` division
/// would link ruint's general division (about 9 KB of wasm) for this one use.
// Each narrowing below keeps a value already known to fit (a masked or shifted half of a
// 64-bit limb, a quotient below 2^32, a remainder below 10).
#[allow(clippy::cast_possible_truncation)]
fn push_decimal(out: &mut String, value: U256) {
    let mut chunks = [0u32; 8];
    for (index, limb) in value.as_limbs().iter().enumerate() {
        chunks[2 * index] = (limb & 0xffff_ffff) as u32;
        chunks[2 * index + 1] = (limb >> 32) as u32;
    }
    let mut digits = [0u8; 78];
    let mut count = 0;
    loop {
        let mut remainder = 0u64;
        for chunk in chunks.iter_mut().rev() {
            let current = (remainder << 32) | u64::from(*chunk);
            // `current / 10 < 2^32` because `remainder < 10`.
            *chunk = (current / 10) as u32;
            remainder = current % 10;
        }
        digits[count] = b'0' + remainder as u8;
        count += 1;
        if chunks.iter().all(|chunk| *chunk == 0) {
            break;
        }
    }
    out.extend(digits[..count].iter().rev().map(|digit| char::from(*digit)));
}

/// `ERC721Utils.checkOnERC721Received`: a recipient with code must answer
/// `onERC721Received(operator, from, tokenId, data)` with its selector.
///
/// A wrong selector or an empty revert is `ERC721InvalidReceiver(to)`; a revert with data is
/// passed through; an answer that does not decode as `bytes4` (shorter than a word, or dirty low
/// bytes) reverts with empty data, as Solidity's `try` does outside its `catch`.
fn check_on_erc721_received<E: Erc721Error>(
    vm: &VM,
    operator: Address,
    from: Address,
    to: Address,
    token_id: U256,
    data: &[u8],
) -> Result<(), E> {
    if vm.code_size(to) == 0 {
        return Ok(());
    }
    let calldata = abi_lean::encode(
        Some(IERC721Receiver::onERC721ReceivedCall::SELECTOR),
        &[
            abi_lean::address(operator),
            abi_lean::address(from),
            abi_lean::uint(token_id),
            abi_lean::Arg::Bytes(data),
        ],
    );
    // SAFETY: the receiver may call back into this contract: the cache is written out before
    // and cleared for after.
    let result = unsafe { RawCall::new(vm).clear_storage_cache().call(to, &calldata) };
    match result {
        Ok(output) => {
            if output.len() < 32 || output[4..32].iter().any(|byte| *byte != 0) {
                return Err(Bubbled::default().into());
            }
            if output[..4] != IERC721Receiver::onERC721ReceivedCall::SELECTOR {
                return Err(ERC721InvalidReceiver { receiver: to }.into());
            }
            Ok(())
        }
        Err(reason) if reason.is_empty() => Err(ERC721InvalidReceiver { receiver: to }.into()),
        Err(reason) => Err(Bubbled(reason).into()),
    }
}

#[cfg(test)]
mod tests {
    use alloy_primitives::U256;

    use super::*;

    #[test]
    fn decimals_match_openzeppelin_strings() {
        let values = [
            U256::ZERO,
            U256::from(9),
            U256::from(100),
            U256::from(4_294_967_200u64),
            U256::from(u64::MAX),
            U256::from(u128::MAX) + U256::from(1),
            U256::MAX,
        ];
        for value in values {
            let mut out = String::from("x/");
            push_decimal(&mut out, value);
            assert_eq!(
                out,
                alloc::format!("x/{}", crate::keys::uint_component(value))
            );
        }
    }

    #[test]
    fn interface_ids_are_distinct_and_known() {
        assert!(supports_interface(IERC165_INTERFACE_ID.into()));
        assert!(supports_interface(IERC721_INTERFACE_ID.into()));
        assert!(supports_interface(IERC721_METADATA_INTERFACE_ID.into()));
        assert!(!supports_interface([0xff; 4].into()));
    }
}
