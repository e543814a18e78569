//! The stored reports, `mapping(uint32 => PayerReport[])` in Solidity's layout, read and
//! written as whole words.
//!
//! Element `i` of an originator's array takes four slots from `keccak256(array slot) + 4i`:
//! `startSequenceId` (bits 0-63), `endSequenceId` (64-127), `endMinuteSinceEpoch` (128-159)
//! and `feesSettled` (160-255) share the first; `offset` (0-31), `isSettled` (32-39) and
//! `protocolFeeRate` (40-55) the second; then `payersMerkleRoot`, then the `nodeIds` array
//! (length here, eight ids a word from `keccak256` of this slot). The SDK's typed storage
//! accessors, one inlined read-modify-write per field, cost several kilobytes of wasm here.

use alloc::vec::Vec;

use alloy_primitives::{aliases::U96, B256, U256};
use stylus_sdk::{host::VM, prelude::*};
use xmtp_core::slots::PAYER_REPORT_MANAGER;

use crate::PayerReportTuple;

// The helpers below are `#[inline(never)]`: each is used several times, and inlined copies of
// the storage hostio glue and of the byte shuffling cost more wasm than the calls.

/// One report's fields.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// First sequence id covered.
    pub start: u64,
    /// Last sequence id covered.
    pub end: u64,
    /// The report's end, in minutes since the epoch.
    pub end_minute: u32,
    /// Fees the payer registry settled so far (micro-dollars, below 2^96).
    pub fees_settled: u128,
    /// Leaves settled so far.
    pub offset: u32,
    /// Every leaf is settled.
    pub is_settled: bool,
    /// The protocol fee rate when the report was submitted (basis points).
    pub rate: u16,
    /// The payers' sequential Merkle root.
    pub root: B256,
    /// The canonical nodes that were to sign it.
    pub node_ids: Vec<u32>,
}

impl Report {
    // `feesSettled` is below 2^96: its two 64-bit halves are exact.
    #[allow(clippy::cast_possible_truncation)]
    /// The ABI tuple `getPayerReport` returns.
    #[must_use]
    pub fn into_tuple(self) -> PayerReportTuple {
        (
            self.start,
            self.end,
            self.end_minute,
            U96::from_limbs([self.fees_settled as u64, (self.fees_settled >> 64) as u64]),
            self.offset,
            self.is_settled,
            self.rate,
            self.root,
            self.node_ids,
        )
    }
}

/// The length slot of `originator`'s array: `keccak256(pad32(originator) ‖ pad32(root))`, as
/// Solidity places a mapping value (the mapping is the namespace's first slot).
#[inline(never)]
fn array_slot(vm: &VM, originator: u32) -> B256 {
    let mut preimage = [0u8; 64];
    preimage[28..32].copy_from_slice(&originator.to_be_bytes());
    preimage[32..].copy_from_slice(&PAYER_REPORT_MANAGER.to_be_bytes::<32>());
    vm.native_keccak256(&preimage)
}

/// Where the data of the array whose length is at `slot` starts.
#[inline(never)]
fn data_slot(vm: &VM, slot: B256) -> B256 {
    vm.native_keccak256(slot.as_slice())
}

/// `slot + n`, on the big-endian bytes (slots are kept as words: converting them to `U256`
/// and back at every step costs more wasm than this loop).
#[inline(never)]
fn plus(mut slot: B256, n: u64) -> B256 {
    let mut carry = 0u16;
    let addend = n.to_be_bytes();
    for i in (0..32).rev() {
        let add = if i >= 24 { addend[i - 24] } else { 0 };
        let sum = u16::from(slot[i]) + u16::from(add) + carry;
        slot[i] = sum.to_be_bytes()[1];
        carry = sum >> 8;
    }
    slot
}

#[inline(never)]
fn load(vm: &VM, slot: B256) -> B256 {
    vm.storage_load_bytes32(U256::from_be_bytes(slot.0))
}

#[inline(never)]
fn store(vm: &VM, slot: B256, value: B256) {
    // SAFETY: the slot belongs to this contract's report array, where only this module writes.
    unsafe { vm.storage_cache_bytes32(U256::from_be_bytes(slot.0), value) };
}

/// A stored length (saturated: no array here reaches 2^32 elements).
#[inline(never)]
fn length_at(vm: &VM, slot: B256) -> usize {
    U256::from_be_bytes(load(vm, slot).0).saturating_to()
}

/// The number of reports of `originator`.
pub fn count(vm: &VM, originator: u32) -> usize {
    length_at(vm, array_slot(vm, originator))
}

#[inline(never)]
fn element_slot(vm: &VM, originator: u32, index: usize) -> B256 {
    plus(data_slot(vm, array_slot(vm, originator)), index as u64 * 4)
}

/// The field of `width` bytes whose lowest byte is `low` bytes from the word's right end.
#[inline(never)]
fn field(word: &B256, low: usize, width: usize) -> u128 {
    let mut bytes = [0u8; 16];
    bytes[16 - width..].copy_from_slice(&word[32 - low - width..32 - low]);
    u128::from_be_bytes(bytes)
}

#[inline(never)]
fn put(word: &mut B256, low: usize, width: usize, value: u128) {
    word[32 - low - width..32 - low].copy_from_slice(&value.to_be_bytes()[16 - width..]);
}

// Each field is read at its own width, so the narrowing conversions below are exact.
#[allow(clippy::cast_possible_truncation)]
/// Report `index` of `originator`, if there is one.
pub fn get(vm: &VM, originator: u32, index: usize) -> Option<Report> {
    if index >= count(vm, originator) {
        return None;
    }
    let slot = element_slot(vm, originator, index);
    let first = load(vm, slot);
    let second = load(vm, plus(slot, 1));
    let ids_slot = plus(slot, 3);
    let length = length_at(vm, ids_slot);
    let data = data_slot(vm, ids_slot);
    let mut node_ids = Vec::with_capacity(length);
    let mut word = B256::ZERO;
    for i in 0..length {
        if i % 8 == 0 {
            word = load(vm, plus(data, (i / 8) as u64));
        }
        node_ids.push(field(&word, 4 * (i % 8), 4) as u32);
    }
    Some(Report {
        start: field(&first, 0, 8) as u64,
        end: field(&first, 8, 8) as u64,
        end_minute: field(&first, 16, 4) as u32,
        fees_settled: field(&first, 20, 12),
        offset: field(&second, 0, 4) as u32,
        is_settled: field(&second, 4, 1) != 0,
        rate: field(&second, 5, 2) as u16,
        root: load(vm, plus(slot, 2)),
        node_ids,
    })
}

/// Appends `report` to `originator`'s array.
pub fn push(vm: &VM, originator: u32, report: &Report) {
    let array = array_slot(vm, originator);
    let index = length_at(vm, array);
    store(vm, array, B256::from(U256::from(index + 1)));
    let slot = plus(data_slot(vm, array), index as u64 * 4);
    let mut first = B256::ZERO;
    put(&mut first, 0, 8, report.start.into());
    put(&mut first, 8, 8, report.end.into());
    put(&mut first, 16, 4, report.end_minute.into());
    put(&mut first, 20, 12, report.fees_settled);
    store(vm, slot, first);
    write_progress(vm, slot, report);
    store(vm, plus(slot, 2), report.root);
    let ids_slot = plus(slot, 3);
    store(vm, ids_slot, B256::from(U256::from(report.node_ids.len())));
    let data = data_slot(vm, ids_slot);
    for (i, ids) in report.node_ids.chunks(8).enumerate() {
        let mut word = B256::ZERO;
        for (j, id) in ids.iter().enumerate() {
            put(&mut word, 4 * j, 4, (*id).into());
        }
        store(vm, plus(data, i as u64), word);
    }
}

fn write_progress(vm: &VM, slot: B256, report: &Report) {
    let mut second = B256::ZERO;
    put(&mut second, 0, 4, report.offset.into());
    put(&mut second, 4, 1, report.is_settled.into());
    put(&mut second, 5, 2, report.rate.into());
    store(vm, plus(slot, 1), second);
}

/// Rewrites report `index`'s `offset` and `isSettled` (the rest of `report` is as stored).
pub fn set_progress(vm: &VM, originator: u32, index: usize, report: &Report) {
    write_progress(vm, element_slot(vm, originator, index), report);
}

/// Adds `amount` to report `index`'s `feesSettled`, read afresh (a callee may have reentered);
/// `None`, writing nothing, when the total would pass `uint96`.
pub fn add_fees_settled(vm: &VM, originator: u32, index: usize, amount: u128) -> Option<()> {
    let slot = element_slot(vm, originator, index);
    let mut first = load(vm, slot);
    let total = field(&first, 20, 12)
        .checked_add(amount)
        .filter(|total| *total >> 96 == 0)?;
    put(&mut first, 20, 12, total);
    store(vm, slot, first);
    Some(())
}
