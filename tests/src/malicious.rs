//! Hand-assembled EVM contracts that call back into the system while it is calling them: a
//! token whose `transfer`, `transferFrom` or `permit` re-enters its caller, an ERC-721 receiver
//! that re-enters the registry that is transferring to it, an attacker contract that acts when
//! poked. One shape covers them all ([`Hook`]):
//!
//! 1. a call whose selector is the trigger (any call without one) counts one entry;
//! 2. every [`Action`] of that entry number is called in order, and its outcome (success and
//!    `keccak256` of the return or revert data) is recorded, so a test can assert the exact
//!    error a re-entrant call was refused with ([`outcome`]);
//! 3. the call then ends as [`Tail`] says: delegated to a real token's code (so balances and
//!    allowances behave), returning a fixed word, or stopping.
//!
//! The counter and results live at the top of the contract's storage, far from what a delegated
//! token writes (balances at the holder's address, allowances at a hash).

use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use xmtp_devnet::Chain;
use xmtp_devnet_node::asm::{assemble, op, push, push_bytes, Item, Item::Op};

/// `DELEGATECALL` (not among the devnet assembler's opcodes).
const DELEGATECALL: u8 = 0xf4;
/// `JUMPDEST`.
const JUMPDEST: u8 = 0x5b;

/// Where the entry counter lives.
const COUNTER: U256 = U256::MAX;

/// Slot of action `index`'s success flag; its data hash is in the slot below.
fn result_slot(index: usize) -> U256 {
    U256::MAX - U256::from(1 + 2 * index)
}

/// A call a [`Hook`] makes on one of its entries.
#[derive(Debug, Clone)]
pub struct Action {
    /// The entry (1-based, counting triggering calls since the contract was first entered)
    /// on which the call is made.
    pub on_entry: u64,
    /// Callee.
    pub target: Address,
    /// Value sent (from the hook's own balance).
    pub value: U256,
    /// Calldata.
    pub data: Vec<u8>,
}

impl Action {
    /// A call of `target` with `data` and no value on entry `on_entry`.
    #[must_use]
    pub fn on(on_entry: u64, target: Address, data: Vec<u8>) -> Self {
        Self {
            on_entry,
            target,
            value: U256::ZERO,
            data,
        }
    }
}

/// How a [`Hook`]'s call ends once its actions ran.
#[derive(Debug, Clone, Copy)]
pub enum Tail {
    /// `DELEGATECALL` of this code with the original calldata; its return or revert data is
    /// the hook's (a real token's behaviour on the hook's own storage).
    Delegate(Address),
    /// Returns this word (an ERC-721 receiver's `onERC721Received` selector).
    Return(B256),
    /// Stops: success with no return data.
    Stop,
}

/// A re-entering contract (see the module documentation).
#[derive(Debug, Clone)]
pub struct Hook {
    /// Only calls with this selector count as entries and run actions; `None`: every call.
    pub trigger: Option<[u8; 4]>,
    /// What to call, on which entry.
    pub actions: Vec<Action>,
    /// How every call ends.
    pub tail: Tail,
}

impl Hook {
    /// The runtime code.
    ///
    /// # Panics
    /// When the code or an action's calldata exceeds 64 KiB.
    #[must_use]
    pub fn code(&self) -> Bytes {
        // Every push of a code offset is two bytes wide, so the layout does not depend on the
        // offsets: a first pass with zeros measures it, the second writes the real ones.
        let (_, layout) = self.items(&Layout::default());
        let (items, check) = self.items(&layout);
        assert_eq!(check, layout, "the layout does not depend on the offsets");
        let mut code = assemble(&items);
        for action in &self.actions {
            code.extend_from_slice(&action.data);
        }
        code.into()
    }

    /// The items with jump targets and data offsets from `at`, and the layout they produce.
    fn items(&self, at: &Layout) -> (Vec<Item>, Layout) {
        let mut items = Vec::new();
        let mut found = Layout::default();
        let offset = |v: usize| push_bytes(&u16::try_from(v).expect("fits 64 KiB").to_be_bytes());
        if let Some(selector) = self.trigger {
            items.extend([
                push(0),
                Op(op::CALLDATALOAD),
                push(224),
                Op(op::SHR),
                push_bytes(&selector),
                Op(op::EQ),
                Op(op::ISZERO),
                offset(at.tail),
                Op(op::JUMPI),
            ]);
        }
        items.extend([
            push_bytes(&COUNTER.to_be_bytes::<32>()),
            Op(op::SLOAD),
            push(1),
            Op(op::ADD),
            push_bytes(&COUNTER.to_be_bytes::<32>()),
            Op(op::SSTORE),
        ]);
        let mut data_at = at.code_len;
        for (index, action) in self.actions.iter().enumerate() {
            let len = action.data.len();
            items.extend([
                push_bytes(&COUNTER.to_be_bytes::<32>()),
                Op(op::SLOAD),
                push(action.on_entry),
                Op(op::EQ),
                Op(op::ISZERO),
                offset(at.skips.get(index).copied().unwrap_or(0)),
                Op(op::JUMPI),
                offset(len),
                offset(data_at),
                push(0),
                Op(op::CODECOPY),
                push(0),
                push(0),
                offset(len),
                push(0),
                push_bytes(&action.value.to_be_bytes::<32>()),
                push_bytes(action.target.as_slice()),
                Op(op::GAS),
                Op(op::CALL),
                push_bytes(&result_slot(index).to_be_bytes::<32>()),
                Op(op::SSTORE),
                Op(op::RETURNDATASIZE),
                push(0),
                push(0),
                Op(op::RETURNDATACOPY),
                Op(op::RETURNDATASIZE),
                push(0),
                Op(op::SHA3),
                push_bytes(&(result_slot(index) - U256::from(1)).to_be_bytes::<32>()),
                Op(op::SSTORE),
            ]);
            found.skips.push(assemble(&items).len());
            items.push(Op(JUMPDEST));
            data_at += len;
        }
        found.tail = assemble(&items).len();
        items.push(Op(JUMPDEST));
        found.returns = self.tail_items(&mut items, at.returns);
        found.code_len = assemble(&items).len();
        found.data = self.actions.iter().map(|a| a.data.len()).collect();
        (items, found)
    }

    /// Appends how a call ends; returns the code offset of the delegated call's success path
    /// (0 when there is none), whose jump pushes `returns_at`.
    fn tail_items(&self, items: &mut Vec<Item>, returns_at: usize) -> usize {
        let offset = |v: usize| push_bytes(&u16::try_from(v).expect("fits 64 KiB").to_be_bytes());
        match self.tail {
            Tail::Delegate(code) => {
                items.extend([
                    Op(op::CALLDATASIZE),
                    push(0),
                    push(0),
                    Op(op::CALLDATACOPY),
                    push(0),
                    push(0),
                    Op(op::CALLDATASIZE),
                    push(0),
                    push_bytes(code.as_slice()),
                    Op(op::GAS),
                    Op(DELEGATECALL),
                    Op(op::RETURNDATASIZE),
                    push(0),
                    push(0),
                    Op(op::RETURNDATACOPY),
                    offset(returns_at),
                    Op(op::JUMPI),
                    Op(op::RETURNDATASIZE),
                    push(0),
                    Op(op::REVERT),
                ]);
                let returns = assemble(items).len();
                items.extend([
                    Op(JUMPDEST),
                    Op(op::RETURNDATASIZE),
                    push(0),
                    Op(op::RETURN),
                ]);
                returns
            }
            Tail::Return(word) => {
                items.extend([
                    push_bytes(word.as_slice()),
                    push(0),
                    Op(op::MSTORE),
                    push(32),
                    push(0),
                    Op(op::RETURN),
                ]);
                0
            }
            Tail::Stop => {
                items.push(Op(op::STOP));
                0
            }
        }
    }
}

/// Code offsets of a hook's jump targets and data.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Layout {
    skips: Vec<usize>,
    tail: usize,
    returns: usize,
    code_len: usize,
    data: Vec<usize>,
}

/// Triggering calls the hook at `at` has counted (kept across `set_code`, so a re-armed hook
/// counts on from there).
#[must_use]
pub fn entries(chain: &Chain, at: Address) -> u64 {
    chain.storage(at, COUNTER).to::<u64>()
}

/// Whether action `index` of the hook at `at` ran: `None` if not, else its success and the
/// `keccak256` of what it returned or reverted with.
#[must_use]
pub fn outcome(chain: &Chain, at: Address, index: usize) -> Option<(bool, B256)> {
    let hash = chain.storage(at, result_slot(index) - U256::from(1));
    if hash.is_zero() {
        return None;
    }
    let success = chain.storage(at, result_slot(index));
    Some((success == U256::from(1), B256::from(hash)))
}

/// What [`outcome`] reports for a call that succeeded returning `data`.
#[must_use]
pub fn succeeded(data: &[u8]) -> Option<(bool, B256)> {
    Some((true, keccak256(data)))
}

/// What [`outcome`] reports for a call that reverted with `data`.
#[must_use]
pub fn reverted(data: &[u8]) -> Option<(bool, B256)> {
    Some((false, keccak256(data)))
}
