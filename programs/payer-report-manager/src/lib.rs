//! `PayerReportManager`: payer reports (per originator node, a contiguous range of sequence ids
//! whose fees are committed as a sequential Merkle tree of `(payer, fee)` leaves) accepted once a
//! majority of the canonical nodes signed them, then settled in consecutive proven batches that
//! debit the payers through `PayerRegistry.settleUsage`.
//!
//! Signatures follow solady's `tryRecoverCalldata`, as the reference does: 65-byte and 64-byte
//! (EIP-2098) encodings, high `s` accepted, `v` 27 or 28; a signature that does not recover the
//! node's signer is skipped, not refused. The digest hashes `nodeIds` with their full ABI
//! encoding (offset and length words included), as the reference does.
//!
//! Differences from the reference (see `DEVIATIONS.md`):
//! - `parameterRegistry`, `nodeRegistry` and `payerRegistry` are wiring, not constructor
//!   immutables (the pipeline refuses zero, which is where `ZeroParameterRegistry()`,
//!   `ZeroNodeRegistry()` and `ZeroPayerRegistry()` are reported); the bare implementation
//!   refuses `initialize()` instead of having its initializers disabled by a constructor.
//! - `DOMAIN_SEPARATOR()` is computed from the current chain id and proxy address on every use.
//!   The reference returns the separator stored at `initialize()` while the chain id equals the
//!   one its implementation was constructed on (an immutable Stylus cannot have); the values
//!   are equal on an initialized proxy, and an uninitialized proxy answers the real separator
//!   instead of zero. `initialize()` still stores it, so the storage is the reference's.
//! - A settlement proof with too few elements is `InvalidProof()`, not `Panic(0x32)`.
#![cfg_attr(target_arch = "wasm32", no_std, no_main)]

extern crate alloc;

use alloc::{string::String, vec, vec::Vec};

use alloy_primitives::{aliases::U96, Address, Bytes, FixedBytes, B256, U256};
use alloy_sol_types::{Panic, PanicKind, SolCall};
use stylus_sdk::{
    prelude::*,
    storage::{
        StorageB256, StorageBool, StorageMap, StorageU16, StorageU32, StorageU64, StorageU96,
        StorageVec,
    },
};
use xmtp_abi::{
    migratable::{EmptyCode, MigrationFailed, ZeroMigrator},
    oz_initializable::InvalidInitialization,
    payer_registry::PayerFee,
    payer_report_manager::{
        ArrayLengthMismatch, InsufficientSignatures, InvalidProtocolFeeRate, InvalidSequenceIds,
        InvalidStartSequenceId, NoChange, NoReportsForOriginator, NodeIdAtIndexMismatch,
        NodeIdsLengthMismatch, PayerReportAlreadySubmitted, PayerReportEntirelySettled,
        PayerReportIndexOutOfBounds, PayerReportSubmitted, PayerReportSubsetSettled,
        ProtocolFeeRateUpdated, UnorderedNodeIds,
    },
    registry_parameters::ParameterOutOfTypeBounds,
    sequential_merkle_proofs::{
        InvalidBitCount32Input, InvalidLeafCount, InvalidProof, NoLeaves, NoProofElements,
    },
    settlement_chain_external::{INodeRegistryLike, IPayerRegistryLike},
};
use xmtp_core::{
    calls, ecdsa, eip712,
    initializable::initializer,
    merkle, migratable, params,
    slots::{ERC712, PAYER_REPORT_MANAGER},
    storage::rooted,
    Bubbled,
};

/// `keccak256("PayerReport(uint32 originatorNodeId,uint64 startSequenceId,uint64 endSequenceId,uint32 endMinuteSinceEpoch,bytes32 payersMerkleRoot,uint32[] nodeIds)")`.
pub const PAYER_REPORT_TYPEHASH: B256 =
    alloy_primitives::b256!("0x3737a2cced99bb28fc5aede45aa81d3ce0aa9137c5f417641835d0d71d303346");

/// 100 % in basis points.
pub const ONE_HUNDRED_PERCENT: u16 = 10_000;

/// Leaf fees are pico-dollars; the fee token counts micro-dollars.
pub const LEAF_FEE_SCALE: u128 = 1_000_000;

/// The EIP-712 domain name.
pub const DOMAIN_NAME: &str = "PayerReportManager";

/// The EIP-712 domain version.
pub const DOMAIN_VERSION: &str = "1";

/// `keccak256("PayerReportManager")`.
const DOMAIN_NAME_HASH: B256 =
    alloy_primitives::b256!("0x8840ebeebea3f85faeee65382329430aceb498da7cd7ae41ab4a9f53730a7444");

/// `keccak256("1")`.
const DOMAIN_VERSION_HASH: B256 =
    alloy_primitives::b256!("0xc89efdaa54c0f20c7adf612882df0950f5a951637e0307cdcb4c672f298b8bc6");

const PROTOCOL_FEE_RATE_PARAMETER_KEY: &str = "xmtp.payerReportManager.protocolFeeRate";
const MIGRATOR_PARAMETER_KEY: &str = "xmtp.payerReportManager.migrator";

xmtp_core::wiring! {
    /// The parameter registry the fee rate and migrator are read from (reference immutable).
    pub fn parameter_registry: Address = "parameterRegistry";
    /// The node registry: canonical set and signers (reference immutable).
    pub fn node_registry: Address = "nodeRegistry";
    /// The payer registry settlements debit (reference immutable).
    pub fn payer_registry: Address = "payerRegistry";
}

/// The ABI tuple of `PayerReport`: `(startSequenceId, endSequenceId, endMinuteSinceEpoch,
/// feesSettled, offset, isSettled, protocolFeeRate, payersMerkleRoot, nodeIds)`.
pub type PayerReportTuple = (u64, u64, u32, U96, u32, bool, u16, B256, Vec<u32>);

/// `(bytes1 fields, name, version, chainId, verifyingContract, salt, extensions)`.
pub type Eip712DomainTuple = (
    FixedBytes<1>,
    String,
    String,
    U256,
    Address,
    B256,
    Vec<U256>,
);

/// The errors the payer report manager reverts with.
#[derive(SolidityError, Debug, PartialEq)]
pub enum PayerReportManagerError {
    /// `initialize()` ran before on this proxy, or this is the bare implementation.
    InvalidInitialization(InvalidInitialization),
    /// The report does not start where the originator's previous one ended.
    InvalidStartSequenceId(InvalidStartSequenceId),
    /// The report ends before it starts.
    InvalidSequenceIds(InvalidSequenceIds),
    /// Node ids (of the report or of the signatures) are not strictly increasing.
    UnorderedNodeIds(UnorderedNodeIds),
    /// Fewer valid signatures than a majority of the canonical nodes.
    InsufficientSignatures(InsufficientSignatures),
    /// The same report as the originator's previous one.
    PayerReportAlreadySubmitted(PayerReportAlreadySubmitted),
    /// No report at that index.
    PayerReportIndexOutOfBounds(PayerReportIndexOutOfBounds),
    /// Every leaf of the report is settled.
    PayerReportEntirelySettled(PayerReportEntirelySettled),
    /// `getPayerReports` with arrays of different lengths.
    ArrayLengthMismatch(ArrayLengthMismatch),
    /// The fee-rate parameter is above 100 %.
    InvalidProtocolFeeRate(InvalidProtocolFeeRate),
    /// The fee-rate parameter equals the stored rate.
    NoChange(NoChange),
    /// The originator has no reports.
    NoReportsForOriginator(NoReportsForOriginator),
    /// The report's node ids are not as many as the canonical nodes.
    NodeIdsLengthMismatch(NodeIdsLengthMismatch),
    /// The report's node ids differ from the canonical set.
    NodeIdAtIndexMismatch(NodeIdAtIndexMismatch),
    /// A batch without leaves.
    NoLeaves(NoLeaves),
    /// A proof's leaf count above `2^32 − 1`.
    InvalidBitCount32Input(InvalidBitCount32Input),
    /// The batch is not in the report's tree at its offset (or the proof is short).
    InvalidProof(InvalidProof),
    /// An empty proof.
    NoProofElements(NoProofElements),
    /// A leaf count above `2^32 − 1` (unreachable after verification, as in the reference).
    InvalidLeafCount(InvalidLeafCount),
    /// A parameter does not fit its type.
    ParameterOutOfTypeBounds(ParameterOutOfTypeBounds),
    /// No migrator is set.
    ZeroMigrator(ZeroMigrator),
    /// The migrator reverted; carries its revert data.
    MigrationFailed(MigrationFailed),
    /// The migrator has no code.
    EmptyCode(EmptyCode),
    /// `feesSettled` would pass `uint96` (`Panic(0x11)`, as Solidity's checked addition).
    Panic(Panic),
    /// A callee's revert (the registries), passed through; empty for undecodable data.
    Bubbled(Bubbled),
}

/// One stored report: 4 slots, packed as Solidity packs `PayerReport`.
#[storage]
pub struct PayerReportStorage {
    start_sequence_id: StorageU64,
    end_sequence_id: StorageU64,
    end_minute_since_epoch: StorageU32,
    fees_settled: StorageU96,
    offset: StorageU32,
    is_settled: StorageBool,
    protocol_fee_rate: StorageU16,
    payers_merkle_root: StorageB256,
    node_ids: StorageVec<StorageU32>,
}

/// `PayerReportManagerStorage` at `xmtp.storage.PayerReportManager`.
#[storage]
pub struct PayerReportManagerStorage {
    /// Read and written through `PayerReportManager::reports`, which computes the same slots.
    #[allow(dead_code)]
    payer_reports_by_originator: StorageMap<u32, StorageVec<PayerReportStorage>>,
    protocol_fee_rate: StorageU16,
}

/// XMTP's `ERC712Storage` at `xmtp.storage.ERC712`.
#[storage]
pub struct Erc712Storage {
    initial_domain_separator: StorageB256,
}

pub use entry::PayerReportManager;

// The SDK's `#[entrypoint]` generates an undocumented public function; a private module keeps it
// out of the crate's public (documented) surface.
mod entry {
    use alloc::{vec, vec::Vec};

    use stylus_sdk::prelude::*;

    /// The program; its state lives in [`PayerReportManagerStorage`] and [`Erc712Storage`].
    #[storage]
    #[entrypoint]
    pub struct PayerReportManager {}
}

type Result<T, E = PayerReportManagerError> = core::result::Result<T, E>;

// The SDK's router hands decoded arguments over by value.
#[allow(clippy::needless_pass_by_value)]
#[public]
impl PayerReportManager {
    /// Stores the EIP-712 domain separator of this proxy; once per proxy.
    pub fn initialize(&mut self) -> Result<()> {
        let vm = self.vm().clone();
        initializer(&vm, || {
            let separator = self.domain_separator_now();
            rooted::<Erc712Storage>(&vm, ERC712)
                .initial_domain_separator
                .set(separator);
            Ok(())
        })
    }

    /// Records a report signed by a majority of the canonical nodes; returns its index.
    #[allow(clippy::too_many_arguments)]
    pub fn submit(
        &mut self,
        originator_node_id_: u32,
        start_sequence_id_: u64,
        end_sequence_id_: u64,
        end_minute_since_epoch_: u32,
        payers_merkle_root_: B256,
        node_ids_: Vec<u32>,
        signatures_: Vec<(u32, Bytes)>,
    ) -> Result<U256> {
        let digest = self.digest(
            originator_node_id_,
            start_sequence_id_,
            end_sequence_id_,
            end_minute_since_epoch_,
            payers_merkle_root_,
            &node_ids_,
        );
        let index = self.reports(originator_node_id_).len();
        let last_end = if index > 0 {
            let previous = self.stored_digest(originator_node_id_, index - 1);
            if previous == digest {
                return Err(PayerReportAlreadySubmitted {
                    originatorNodeId: originator_node_id_,
                    startSequenceId: start_sequence_id_,
                    endSequenceId: end_sequence_id_,
                }
                .into());
            }
            self.reports(originator_node_id_)
                .getter(index - 1)
                .map_or(0, |report| report.end_sequence_id.get().to::<u64>())
        } else {
            0
        };
        if start_sequence_id_ != last_end {
            return Err(InvalidStartSequenceId {
                startSequenceId: start_sequence_id_,
                lastSequenceId: last_end,
            }
            .into());
        }
        if end_sequence_id_ < start_sequence_id_ {
            return Err(InvalidSequenceIds {}.into());
        }
        self.revert_if_not_canonical_set(&node_ids_)?;
        let signing_node_ids = self.valid_signers(digest, &node_ids_, &signatures_)?;

        let rate = self.layout().protocol_fee_rate.get();
        let is_settled = payers_merkle_root_.is_zero();
        {
            let mut reports = self.reports(originator_node_id_);
            let mut report = reports.grow();
            report
                .start_sequence_id
                .set(alloy_primitives::U64::from(start_sequence_id_));
            report
                .end_sequence_id
                .set(alloy_primitives::U64::from(end_sequence_id_));
            report
                .end_minute_since_epoch
                .set(alloy_primitives::U32::from(end_minute_since_epoch_));
            report.is_settled.set(is_settled);
            report.protocol_fee_rate.set(rate);
            report.payers_merkle_root.set(payers_merkle_root_);
            for id in &node_ids_ {
                report.node_ids.push(alloy_primitives::U32::from(*id));
            }
        }
        let vm = self.vm();
        vm.log(PayerReportSubmitted {
            originatorNodeId: originator_node_id_,
            payerReportIndex: U256::from(index),
            startSequenceId: start_sequence_id_,
            endSequenceId: end_sequence_id_,
            endMinuteSinceEpoch: end_minute_since_epoch_,
            payersMerkleRoot: payers_merkle_root_,
            nodeIds: node_ids_,
            signingNodeIds: signing_node_ids,
        });
        if is_settled {
            vm.log(PayerReportSubsetSettled {
                originatorNodeId: originator_node_id_,
                payerReportIndex: U256::from(index),
                count: 0,
                remaining: 0,
                feesSettled: U96::ZERO,
            });
        }
        Ok(U256::from(index))
    }

    /// Settles the next batch of a report's leaves (from its offset), proven by `proof_elements_`.
    pub fn settle(
        &mut self,
        originator_node_id_: u32,
        payer_report_index_: U256,
        payer_fees_: Vec<Bytes>,
        proof_elements_: Vec<B256>,
    ) -> Result<()> {
        let index = self.index_in_bounds(originator_node_id_, payer_report_index_)?;
        let vm = self.vm().clone();
        let (root, offset) = {
            let reports = self.reports(originator_node_id_);
            let report = reports
                .getter(index)
                .ok_or(PayerReportIndexOutOfBounds {})?;
            if report.is_settled.get() {
                return Err(PayerReportEntirelySettled {}.into());
            }
            (
                report.payers_merkle_root.get(),
                report.offset.get().to::<u32>(),
            )
        };
        merkle::verify::<PayerReportManagerError, _>(
            |data| vm.native_keccak256(data),
            root,
            u64::from(offset),
            &payer_fees_,
            &proof_elements_,
        )?;
        // Verification bounds `offset + len` by the leaf count, itself below 2^32.
        #[allow(clippy::cast_possible_truncation)]
        let count = payer_fees_.len() as u32;
        let new_offset = offset + count;
        let leaf_count = merkle::get_leaf_count::<PayerReportManagerError>(&proof_elements_)?;
        {
            let mut reports = self.reports(originator_node_id_);
            let mut report = reports
                .setter(index)
                .ok_or(PayerReportIndexOutOfBounds {})?;
            report.offset.set(alloy_primitives::U32::from(new_offset));
            report.is_settled.set(leaf_count == new_offset);
        }
        let digest = self.stored_digest(originator_node_id_, index);
        let fees = decode_payer_fees(&payer_fees_)?;
        let calldata = IPayerRegistryLike::settleUsageCall {
            payerReportId_: digest,
            payerFees_: fees,
        }
        .abi_encode();
        let output = calls::call(&vm, payer_registry(), U256::ZERO, &calldata)?;
        let fees_settled = returned_u96(&output)?;
        vm.log(PayerReportSubsetSettled {
            originatorNodeId: originator_node_id_,
            payerReportIndex: payer_report_index_,
            count,
            remaining: leaf_count - new_offset,
            feesSettled: fees_settled,
        });
        let mut reports = self.reports(originator_node_id_);
        let mut report = reports
            .setter(index)
            .ok_or(PayerReportIndexOutOfBounds {})?;
        let total = report
            .fees_settled
            .get()
            .checked_add(fees_settled)
            .ok_or(Panic::from(PanicKind::UnderOverflow))?;
        report.fees_settled.set(total);
        Ok(())
    }

    /// Pulls the protocol fee rate (basis points, at most 100 %) from the parameter registry.
    pub fn update_protocol_fee_rate(&mut self) -> Result<()> {
        let vm = self.vm().clone();
        let rate = params::get_uint::<PayerReportManagerError>(
            &vm,
            parameter_registry(),
            PROTOCOL_FEE_RATE_PARAMETER_KEY,
            16,
        )?
        .to::<u16>();
        if rate > ONE_HUNDRED_PERCENT {
            return Err(InvalidProtocolFeeRate {}.into());
        }
        let mut layout = self.layout();
        if layout.protocol_fee_rate.get().to::<u16>() == rate {
            return Err(NoChange {}.into());
        }
        layout
            .protocol_fee_rate
            .set(alloy_primitives::U16::from(rate));
        vm.log(ProtocolFeeRateUpdated {
            protocolFeeRate: rate,
        });
        Ok(())
    }

    /// Migrates this proxy through the migrator set in the parameter registry.
    pub fn migrate(&mut self) -> Result<()> {
        let vm = self.vm().clone();
        let migrator = params::get_address::<PayerReportManagerError>(
            &vm,
            parameter_registry(),
            MIGRATOR_PARAMETER_KEY,
        )?;
        migratable::migrate(&vm, migrator)
    }

    /// One report.
    pub fn get_payer_report(
        &self,
        originator_node_id_: u32,
        payer_report_index_: U256,
    ) -> Result<(PayerReportTuple,)> {
        Ok((self.report_tuple(originator_node_id_, payer_report_index_)?,))
    }

    /// Reports by `(originator, index)` pairs, in input order.
    pub fn get_payer_reports(
        &self,
        originator_node_ids_: Vec<u32>,
        payer_report_indices_: Vec<U256>,
    ) -> Result<Vec<PayerReportTuple>> {
        if originator_node_ids_.len() != payer_report_indices_.len() {
            return Err(ArrayLengthMismatch {}.into());
        }
        originator_node_ids_
            .iter()
            .zip(&payer_report_indices_)
            .map(|(originator, index)| self.report_tuple(*originator, *index))
            .collect()
    }

    /// The EIP-712 digest of a report with these fields.
    pub fn get_payer_report_digest(
        &self,
        originator_node_id_: u32,
        start_sequence_id_: u64,
        end_sequence_id_: u64,
        end_minute_since_epoch_: u32,
        payers_merkle_root_: B256,
        node_ids_: Vec<u32>,
    ) -> B256 {
        self.digest(
            originator_node_id_,
            start_sequence_id_,
            end_sequence_id_,
            end_minute_since_epoch_,
            payers_merkle_root_,
            &node_ids_,
        )
    }

    /// The protocol's share of each report submitted from now on, in basis points.
    pub fn protocol_fee_rate(&self) -> u16 {
        self.layout().protocol_fee_rate.get().to::<u16>()
    }

    /// The `PayerReport` EIP-712 type hash.
    #[selector(name = "PAYER_REPORT_TYPEHASH")]
    pub fn payer_report_typehash() -> B256 {
        PAYER_REPORT_TYPEHASH
    }

    /// `10000`.
    #[selector(name = "ONE_HUNDRED_PERCENT")]
    pub fn one_hundred_percent() -> u16 {
        ONE_HUNDRED_PERCENT
    }

    /// `"xmtp.payerReportManager.protocolFeeRate"`.
    pub fn protocol_fee_rate_parameter_key() -> String {
        PROTOCOL_FEE_RATE_PARAMETER_KEY.into()
    }

    /// `"xmtp.payerReportManager.migrator"`.
    pub fn migrator_parameter_key() -> String {
        MIGRATOR_PARAMETER_KEY.into()
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

    /// The payer registry this implementation was built with.
    #[selector(name = "payerRegistry")]
    pub fn payer_registry_getter(&self) -> Address {
        payer_registry()
    }

    /// The EIP-712 domain separator for the current chain and this proxy.
    #[selector(name = "DOMAIN_SEPARATOR")]
    pub fn domain_separator(&self) -> B256 {
        self.domain_separator_now()
    }

    /// ERC-5267: name `"PayerReportManager"`, version `"1"`, chain id and this proxy.
    pub fn eip712_domain(&self) -> Eip712DomainTuple {
        let vm = self.vm();
        (
            eip712::DOMAIN_FIELDS,
            DOMAIN_NAME.into(),
            DOMAIN_VERSION.into(),
            U256::from(vm.chain_id()),
            vm.contract_address(),
            B256::ZERO,
            Vec::new(),
        )
    }

    /// The executing proxy's implementation.
    pub fn implementation(&self) -> Address {
        xmtp_core::storage::implementation(self.vm())
    }

    /// `"1.0.1"`.
    pub fn version() -> String {
        "1.0.1".into()
    }

    /// `"PayerReportManager"`.
    pub fn contract_name() -> String {
        DOMAIN_NAME.into()
    }
}

impl PayerReportManager {
    fn layout(&self) -> PayerReportManagerStorage {
        rooted(self.vm(), PAYER_REPORT_MANAGER)
    }

    /// The originator's report array, at `keccak256(pad32(originator) ‖ pad32(S))` as Solidity
    /// places a mapping value (an owned view, so callers need not hold the whole layout).
    fn reports(&self, originator: u32) -> StorageVec<PayerReportStorage> {
        let vm = self.vm().clone();
        let mut preimage = [0u8; 64];
        preimage[28..32].copy_from_slice(&originator.to_be_bytes());
        preimage[32..].copy_from_slice(&PAYER_REPORT_MANAGER.to_be_bytes::<32>());
        let slot = U256::from_be_bytes(vm.native_keccak256(&preimage).0);
        // SAFETY: the slot is this originator's entry of our namespaced mapping, where the
        // layout's own accessor would place the same array.
        unsafe { <StorageVec<PayerReportStorage> as StorageType>::new(slot, 0, vm) }
    }

    fn index_in_bounds(&self, originator: u32, index: U256) -> Result<usize> {
        let length = self.reports(originator).len();
        match usize::try_from(index) {
            Ok(index) if index < length => Ok(index),
            _ => Err(PayerReportIndexOutOfBounds {}.into()),
        }
    }

    fn report_tuple(&self, originator: u32, index: U256) -> Result<PayerReportTuple> {
        if self.reports(originator).is_empty() {
            return Err(NoReportsForOriginator {
                originatorNodeId: originator,
            }
            .into());
        }
        let index = self.index_in_bounds(originator, index)?;
        let reports = self.reports(originator);
        let report = reports
            .getter(index)
            .ok_or(PayerReportIndexOutOfBounds {})?;
        Ok((
            report.start_sequence_id.get().to::<u64>(),
            report.end_sequence_id.get().to::<u64>(),
            report.end_minute_since_epoch.get().to::<u32>(),
            report.fees_settled.get(),
            report.offset.get().to::<u32>(),
            report.is_settled.get(),
            report.protocol_fee_rate.get().to::<u16>(),
            report.payers_merkle_root.get(),
            stored_node_ids(&report),
        ))
    }

    fn domain_separator_now(&self) -> B256 {
        let vm = self.vm();
        eip712::domain_separator_of(
            vm,
            DOMAIN_NAME_HASH,
            DOMAIN_VERSION_HASH,
            U256::from(vm.chain_id()),
            vm.contract_address(),
        )
    }

    /// The §10 digest: the struct hash (with `keccak256(abi.encode(nodeIds))`) under the domain.
    fn digest(
        &self,
        originator: u32,
        start: u64,
        end: u64,
        end_minute: u32,
        root: B256,
        node_ids: &[u32],
    ) -> B256 {
        let vm = self.vm();
        let mut encoding = vec![0u8; 64 + 32 * node_ids.len()];
        encoding[31] = 0x20;
        encoding[56..64].copy_from_slice(&(node_ids.len() as u64).to_be_bytes());
        for (word, id) in encoding[64..].chunks_exact_mut(32).zip(node_ids) {
            word[28..].copy_from_slice(&id.to_be_bytes());
        }
        let node_ids_hash = vm.native_keccak256(&encoding);
        let mut preimage = [0u8; 224];
        preimage[..32].copy_from_slice(PAYER_REPORT_TYPEHASH.as_slice());
        preimage[60..64].copy_from_slice(&originator.to_be_bytes());
        preimage[88..96].copy_from_slice(&start.to_be_bytes());
        preimage[120..128].copy_from_slice(&end.to_be_bytes());
        preimage[156..160].copy_from_slice(&end_minute.to_be_bytes());
        preimage[160..192].copy_from_slice(root.as_slice());
        preimage[192..].copy_from_slice(node_ids_hash.as_slice());
        let struct_hash = vm.native_keccak256(&preimage);
        eip712::hash_typed_data(vm, self.domain_separator_now(), struct_hash)
    }

    /// The digest of the stored report `index` of `originator`.
    fn stored_digest(&self, originator: u32, index: usize) -> B256 {
        let reports = self.reports(originator);
        let Some(report) = reports.getter(index) else {
            return B256::ZERO;
        };
        let fields = (
            report.start_sequence_id.get().to::<u64>(),
            report.end_sequence_id.get().to::<u64>(),
            report.end_minute_since_epoch.get().to::<u32>(),
            report.payers_merkle_root.get(),
            stored_node_ids(&report),
        );
        drop(report);
        self.digest(
            originator, fields.0, fields.1, fields.2, fields.3, &fields.4,
        )
    }

    /// Refuses `node_ids` unless they are exactly the canonical set, ascending.
    fn revert_if_not_canonical_set(&self, node_ids: &[u32]) -> Result<()> {
        let calldata = INodeRegistryLike::getCanonicalNodesCall {}.abi_encode();
        let output = calls::static_call(self.vm(), node_registry(), &calldata)?;
        let mut canonical =
            INodeRegistryLike::getCanonicalNodesCall::abi_decode_returns_validate(&output)
                .map_err(|_| Bubbled::default())?;
        // Solidity's casts: lengths are truncated to 32 bits in the error.
        #[allow(clippy::cast_possible_truncation)]
        if canonical.len() != node_ids.len() {
            return Err(NodeIdsLengthMismatch {
                expectedCount: canonical.len() as u32,
                providedCount: node_ids.len() as u32,
            }
            .into());
        }
        canonical.sort_unstable();
        for (i, (actual, expected)) in node_ids.iter().zip(&canonical).enumerate() {
            if i > 0 && *actual <= node_ids[i - 1] {
                return Err(UnorderedNodeIds {}.into());
            }
            if actual != expected {
                #[allow(clippy::cast_possible_truncation)]
                return Err(NodeIdAtIndexMismatch {
                    expectedId: *expected,
                    actualId: *actual,
                    index: i as u32,
                }
                .into());
            }
        }
        Ok(())
    }

    /// The node ids of the valid signatures, in order; `InsufficientSignatures` below a majority.
    fn valid_signers(
        &self,
        digest: B256,
        node_ids: &[u32],
        signatures: &[(u32, Bytes)],
    ) -> Result<Vec<u32>> {
        let vm = self.vm();
        let mut valid = Vec::new();
        for (i, (node_id, signature)) in signatures.iter().enumerate() {
            if i > 0 && *node_id <= signatures[i - 1].0 {
                return Err(UnorderedNodeIds {}.into());
            }
            let calldata =
                INodeRegistryLike::getIsCanonicalNodeCall { nodeId_: *node_id }.abi_encode();
            let output = calls::static_call(vm, node_registry(), &calldata)?;
            if !calls::returned_bool(&output)? {
                continue;
            }
            let signer = ecdsa::try_recover_calldata(vm, digest, signature);
            if signer.is_zero() {
                continue;
            }
            let calldata = INodeRegistryLike::getSignerCall { nodeId_: *node_id }.abi_encode();
            let output = calls::static_call(vm, node_registry(), &calldata)?;
            if returned_address(&output)? == signer {
                valid.push(*node_id);
            }
        }
        // Canonical nodes are at most 255 (the registry's maximum is a uint8), so the counts fit
        // the reference's uint8 without its checked increment ever failing.
        #[allow(clippy::cast_possible_truncation)]
        let (count, required) = (valid.len() as u8, (node_ids.len() / 2 + 1) as u8);
        if count < required {
            return Err(InsufficientSignatures {
                validSignatureCount: count,
                requiredSignatureCount: required,
            }
            .into());
        }
        Ok(valid)
    }
}

fn stored_node_ids(report: &PayerReportStorage) -> Vec<u32> {
    (0..report.node_ids.len())
        .filter_map(|i| report.node_ids.get(i))
        .map(|id| id.to::<u32>())
        .collect()
}

/// Each leaf as Solidity's `abi.decode(leaf, (address, uint96))` (at least 64 bytes, the rest
/// ignored; an address word with high bits or a fee of 2^96 or more reverts with empty data),
/// with the fee rounded up from pico-dollars to micro-dollars.
fn decode_payer_fees(leaves: &[Bytes]) -> Result<Vec<PayerFee>, Bubbled> {
    leaves
        .iter()
        .map(|leaf| {
            let (Some(payer), Some(fee)) = (leaf.get(..32), leaf.get(32..64)) else {
                return Err(Bubbled::default());
            };
            if payer[..12].iter().any(|byte| *byte != 0) || fee[..20].iter().any(|byte| *byte != 0)
            {
                return Err(Bubbled::default());
            }
            let mut fee_bytes = [0u8; 16];
            fee_bytes[4..].copy_from_slice(&fee[20..]);
            let fee = u128::from_be_bytes(fee_bytes).div_ceil(LEAF_FEE_SCALE);
            Ok(PayerFee {
                payer: Address::from_slice(&payer[12..]),
                fee: U96::from(fee),
            })
        })
        .collect()
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
