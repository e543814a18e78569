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
//! - Every function is dispatched from a payable fallback and its arguments decoded in full
//!   before it runs (the `router` module; same selectors, results and revert data): malformed
//!   calldata reverts with empty data before any check, where Solidity validates the elements
//!   of calldata arrays only as they are read.
#![cfg_attr(target_arch = "wasm32", no_std, no_main)]

extern crate alloc;

use alloc::{string::String, vec, vec::Vec};

use alloy_primitives::{aliases::U96, Address, Bytes, FixedBytes, B256, U256};
use alloy_sol_types::{Panic, PanicKind, SolCall, SolEvent};
use report::Report;
use stylus_sdk::{
    prelude::*,
    storage::{StorageB256, StorageU16},
    ArbResult,
};
use xmtp_abi::{
    migratable::{EmptyCode, MigrationFailed, ZeroMigrator},
    oz_initializable::InvalidInitialization,
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
    abi_lean::{self, Arg},
    args::{word_of, Args},
    arith, calls, ecdsa, eip712, events,
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
pub const LEAF_FEE_SCALE: u32 = 1_000_000;

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

xmtp_core::lean_errors! {
    /// The errors the payer report manager reverts with.
    pub enum PayerReportManagerError {
        /// `initialize()` ran before on this proxy, or this is the bare implementation.
        InvalidInitialization(InvalidInitialization),
        /// The report does not start where the originator's previous one ended.
        InvalidStartSequenceId(InvalidStartSequenceId) => |error| [
            Arg::Word(word_of(error.startSequenceId)),
            Arg::Word(word_of(error.lastSequenceId)),
        ],
        /// The report ends before it starts.
        InvalidSequenceIds(InvalidSequenceIds),
        /// Node ids (of the report or of the signatures) are not strictly increasing.
        UnorderedNodeIds(UnorderedNodeIds),
        /// Fewer valid signatures than a majority of the canonical nodes.
        InsufficientSignatures(InsufficientSignatures) => |error| [
            Arg::Word(word_of(error.validSignatureCount.into())),
            Arg::Word(word_of(error.requiredSignatureCount.into())),
        ],
        /// The same report as the originator's previous one.
        PayerReportAlreadySubmitted(PayerReportAlreadySubmitted) => |error| [
            Arg::Word(word_of(error.originatorNodeId.into())),
            Arg::Word(word_of(error.startSequenceId)),
            Arg::Word(word_of(error.endSequenceId)),
        ],
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
        NoReportsForOriginator(NoReportsForOriginator) => |error| [
            Arg::Word(word_of(error.originatorNodeId.into())),
        ],
        /// The report's node ids are not as many as the canonical nodes.
        NodeIdsLengthMismatch(NodeIdsLengthMismatch) => |error| [
            Arg::Word(word_of(error.expectedCount.into())),
            Arg::Word(word_of(error.providedCount.into())),
        ],
        /// The report's node ids differ from the canonical set.
        NodeIdAtIndexMismatch(NodeIdAtIndexMismatch) => |error| [
            Arg::Word(word_of(error.expectedId.into())),
            Arg::Word(word_of(error.actualId.into())),
            Arg::Word(word_of(error.index.into())),
        ],
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
        MigrationFailed(MigrationFailed) => |error| [
            abi_lean::address(error.migrator_),
            Arg::Bytes(&error.revertData_),
        ],
        /// The migrator has no code.
        EmptyCode(EmptyCode) => |error| [abi_lean::address(error.migrator_)],
        /// `feesSettled` would pass `uint96` (`Panic(0x11)`, as Solidity's checked addition).
        Panic(Panic) => |error| [abi_lean::uint(error.code)],
    }
}

/// `PayerReportManagerStorage` at `xmtp.storage.PayerReportManager`.
#[storage]
pub struct PayerReportManagerStorage {
    /// The slot of `mapping(uint32 => PayerReport[]) payerReportsByOriginator`, whose entries
    /// the `report` module reads and writes (this field only keeps the layout).
    #[allow(dead_code)]
    payer_reports_by_originator: StorageB256,
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

    /// The program; its state lives in [`crate::PayerReportManagerStorage`] and
    /// [`crate::Erc712Storage`].
    #[storage]
    #[entrypoint]
    pub struct PayerReportManager {}
}

type Result<T, E = PayerReportManagerError> = core::result::Result<T, E>;

#[public]
impl PayerReportManager {
    /// Every function of the interface, routed and decoded by the `router` module (which
    /// says why the SDK's router is not used).
    #[fallback]
    #[payable]
    pub fn fallback(&mut self, calldata: &[u8]) -> ArbResult {
        router::dispatch(self, calldata).unwrap_or_else(|| Err(Vec::new()))
    }
}

// The interface's functions, called by the `router` with the decoded arguments, by value as
// the SDK's router would pass them.
#[allow(clippy::needless_pass_by_value)]
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
        let vm = self.vm();
        let index = report::count(vm, originator_node_id_);
        let previous = index
            .checked_sub(1)
            .and_then(|last| report::get(vm, originator_node_id_, last));
        let last_end = match previous {
            Some(previous) => {
                if self.stored_digest(originator_node_id_, &previous) == digest {
                    return Err(PayerReportAlreadySubmitted {
                        originatorNodeId: originator_node_id_,
                        startSequenceId: start_sequence_id_,
                        endSequenceId: end_sequence_id_,
                    }
                    .into());
                }
                previous.end
            }
            None => 0,
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

        let is_settled = payers_merkle_root_.is_zero();
        report::push(
            vm,
            originator_node_id_,
            &Report {
                start: start_sequence_id_,
                end: end_sequence_id_,
                end_minute: end_minute_since_epoch_,
                is_settled,
                rate: self.protocol_fee_rate(),
                root: payers_merkle_root_,
                node_ids: node_ids_.clone(),
                ..Report::default()
            },
        );
        let vm = self.vm();
        let index_word = B256::from(U256::from(index));
        let originator_word = word_of(originator_node_id_.into());
        events::emit(
            vm,
            &[
                PayerReportSubmitted::SIGNATURE_HASH,
                originator_word,
                index_word,
                word_of(end_sequence_id_),
            ],
            &abi_lean::encode(
                None,
                &[
                    Arg::Word(word_of(start_sequence_id_)),
                    Arg::Word(word_of(end_minute_since_epoch_.into())),
                    Arg::Word(payers_merkle_root_),
                    Arg::Words(&id_words(&node_ids_)),
                    Arg::Words(&id_words(&signing_node_ids)),
                ],
            ),
        );
        if is_settled {
            events::emit(
                vm,
                &[
                    PayerReportSubsetSettled::SIGNATURE_HASH,
                    originator_word,
                    index_word,
                ],
                &[0u8; 96],
            );
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
        let mut report =
            report::get(&vm, originator_node_id_, index).ok_or(PayerReportIndexOutOfBounds {})?;
        if report.is_settled {
            return Err(PayerReportEntirelySettled {}.into());
        }
        merkle::verify::<PayerReportManagerError, _>(
            |data| vm.native_keccak256(data),
            report.root,
            u64::from(report.offset),
            &payer_fees_,
            &proof_elements_,
        )?;
        // Verification bounds `offset + len` by the leaf count, itself below 2^32.
        #[allow(clippy::cast_possible_truncation)]
        let count = payer_fees_.len() as u32;
        let new_offset = report.offset + count;
        let leaf_count = merkle::get_leaf_count::<PayerReportManagerError>(&proof_elements_)?;
        report.offset = new_offset;
        report.is_settled = leaf_count == new_offset;
        report::set_progress(&vm, originator_node_id_, index, &report);
        let digest = self.stored_digest(originator_node_id_, &report);
        let calldata = settle_usage_calldata(digest, &payer_fees_)?;
        let output = calls::call(&vm, payer_registry(), U256::ZERO, &calldata)?;
        let fees_settled = returned_fee(&output)?;
        events::emit(
            &vm,
            &[
                PayerReportSubsetSettled::SIGNATURE_HASH,
                word_of(originator_node_id_.into()),
                payer_report_index_.into(),
            ],
            &events::words(&[
                word_of(count.into()),
                word_of((leaf_count - new_offset).into()),
                B256::from(U256::from(fees_settled)),
            ]),
        );
        report::add_fees_settled(&vm, originator_node_id_, index, fees_settled)
            .ok_or(Panic::from(PanicKind::UnderOverflow))?;
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
        .saturating_to::<u16>();
        if rate > ONE_HUNDRED_PERCENT {
            return Err(InvalidProtocolFeeRate {}.into());
        }
        let mut layout = self.layout();
        if layout.protocol_fee_rate.get().saturating_to::<u16>() == rate {
            return Err(NoChange {}.into());
        }
        layout
            .protocol_fee_rate
            .set(alloy_primitives::U16::from(rate));
        events::emit(
            &vm,
            &[ProtocolFeeRateUpdated::SIGNATURE_HASH],
            &word_of(rate.into()).0,
        );
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
        let report = self.stored_report(originator_node_id_, payer_report_index_)?;
        Ok((report.into_tuple(),))
    }

    /// Reports by `(originator, index)` pairs, in input order.
    pub fn get_payer_reports(
        &self,
        originator_node_ids_: Vec<u32>,
        payer_report_indices_: Vec<U256>,
    ) -> Result<Vec<PayerReportTuple>> {
        let reports = self.stored_reports(&originator_node_ids_, &payer_report_indices_)?;
        Ok(reports.into_iter().map(Report::into_tuple).collect())
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
        self.layout().protocol_fee_rate.get().saturating_to::<u16>()
    }

    /// The `PayerReport` EIP-712 type hash.
    pub fn payer_report_typehash() -> B256 {
        PAYER_REPORT_TYPEHASH
    }

    /// `10000`.
    pub fn one_hundred_percent() -> u16 {
        ONE_HUNDRED_PERCENT
    }

    /// `"xmtp.payerReportManager.protocolFeeRate"`.
    pub fn protocol_fee_rate_parameter_key() -> &'static str {
        PROTOCOL_FEE_RATE_PARAMETER_KEY
    }

    /// `"xmtp.payerReportManager.migrator"`.
    pub fn migrator_parameter_key() -> &'static str {
        MIGRATOR_PARAMETER_KEY
    }

    /// The parameter registry this implementation was built with.
    pub fn parameter_registry_getter(&self) -> Address {
        parameter_registry()
    }

    /// The node registry this implementation was built with.
    pub fn node_registry_getter(&self) -> Address {
        node_registry()
    }

    /// The payer registry this implementation was built with.
    pub fn payer_registry_getter(&self) -> Address {
        payer_registry()
    }

    /// The EIP-712 domain separator for the current chain and this proxy.
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
    pub fn version() -> &'static str {
        "1.0.1"
    }

    /// `"PayerReportManager"`.
    pub fn contract_name() -> &'static str {
        DOMAIN_NAME
    }
}

impl PayerReportManager {
    fn layout(&self) -> PayerReportManagerStorage {
        rooted(self.vm(), PAYER_REPORT_MANAGER)
    }

    fn index_in_bounds(&self, originator: u32, index: U256) -> Result<usize> {
        let length = report::count(self.vm(), originator);
        match usize::try_from(index) {
            Ok(index) if index < length => Ok(index),
            _ => Err(PayerReportIndexOutOfBounds {}.into()),
        }
    }

    /// Report `index` of `originator`, refused as `getPayerReport` refuses.
    fn stored_report(&self, originator: u32, index: U256) -> Result<Report> {
        if report::count(self.vm(), originator) == 0 {
            return Err(NoReportsForOriginator {
                originatorNodeId: originator,
            }
            .into());
        }
        let index = self.index_in_bounds(originator, index)?;
        report::get(self.vm(), originator, index)
            .ok_or_else(|| PayerReportIndexOutOfBounds {}.into())
    }

    /// The reports of `(originator, index)` pairs, refused as `getPayerReports` refuses.
    fn stored_reports(&self, originators: &[u32], indices: &[U256]) -> Result<Vec<Report>> {
        if originators.len() != indices.len() {
            return Err(ArrayLengthMismatch {}.into());
        }
        originators
            .iter()
            .zip(indices)
            .map(|(originator, index)| self.stored_report(*originator, *index))
            .collect()
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
        let node_ids_hash =
            vm.native_keccak256(&abi_lean::encode(None, &[Arg::Words(&id_words(node_ids))]));
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

    /// The digest of a stored report of `originator`.
    fn stored_digest(&self, originator: u32, report: &Report) -> B256 {
        self.digest(
            originator,
            report.start,
            report.end,
            report.end_minute,
            report.root,
            &report.node_ids,
        )
    }

    /// Refuses `node_ids` unless they are exactly the canonical set, ascending.
    fn revert_if_not_canonical_set(&self, node_ids: &[u32]) -> Result<()> {
        let calldata = INodeRegistryLike::getCanonicalNodesCall::SELECTOR;
        let output = calls::static_call(self.vm(), node_registry(), &calldata)?;
        let mut canonical = Args::new(&output, 1)
            .and_then(|returned| returned.u32s(0))
            .ok_or_else(Bubbled::default)?;
        // Solidity's casts: lengths are truncated to 32 bits in the error.
        #[allow(clippy::cast_possible_truncation)]
        if canonical.len() != node_ids.len() {
            return Err(NodeIdsLengthMismatch {
                expectedCount: canonical.len() as u32,
                providedCount: node_ids.len() as u32,
            }
            .into());
        }
        insertion_sort(&mut canonical);
        let mut previous = None;
        for (i, (actual, expected)) in node_ids.iter().zip(&canonical).enumerate() {
            if previous.is_some_and(|previous| *actual <= previous) {
                return Err(UnorderedNodeIds {}.into());
            }
            previous = Some(*actual);
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
        let mut previous = None;
        for (node_id, signature) in signatures {
            if previous.is_some_and(|previous| *node_id <= previous) {
                return Err(UnorderedNodeIds {}.into());
            }
            previous = Some(*node_id);
            let calldata = node_call(
                INodeRegistryLike::getIsCanonicalNodeCall::SELECTOR,
                *node_id,
            );
            let output = calls::static_call(vm, node_registry(), &calldata)?;
            if !calls::returned_bool(&output)? {
                continue;
            }
            let signer = ecdsa::try_recover_calldata(vm, digest, signature);
            if signer.is_zero() {
                continue;
            }
            let calldata = node_call(INodeRegistryLike::getSignerCall::SELECTOR, *node_id);
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

/// `settleUsage(payerReportId, payerFees)` calldata, each leaf decoded as Solidity's
/// `abi.decode(leaf, (address, uint96))` (at least 64 bytes, the rest ignored; an address word
/// with high bits or a fee of 2^96 or more reverts with empty data) and its fee rounded up from
/// pico-dollars to micro-dollars.
fn settle_usage_calldata(digest: B256, leaves: &[Bytes]) -> Result<Vec<u8>, Bubbled> {
    let mut calldata = Vec::with_capacity(4 + 96 + 64 * leaves.len());
    calldata.extend_from_slice(&IPayerRegistryLike::settleUsageCall::SELECTOR);
    calldata.extend_from_slice(digest.as_slice());
    calldata.extend_from_slice(&word_of(64).0);
    calldata.extend_from_slice(&word_of(leaves.len() as u64).0);
    for leaf in leaves {
        let leaf = Args::new(leaf, 2).ok_or_else(Bubbled::default)?;
        let payer = leaf.address(0).ok_or_else(Bubbled::default)?;
        let fee = leaf.word(1).ok_or_else(Bubbled::default)?;
        if fee[..20].iter().any(|byte| *byte != 0) {
            return Err(Bubbled::default());
        }
        calldata.extend_from_slice(payer.into_word().as_slice());
        calldata.extend_from_slice(&[0u8; 20]);
        calldata.extend_from_slice(&micro_dollars(&fee[20..]));
    }
    Ok(calldata)
}

/// The 96-bit big-endian pico-dollar amount `pico` in micro-dollars, rounded up, as 12
/// big-endian bytes (rounding up cannot carry out of 96 bits: the quotient is below 2^76).
fn micro_dollars(pico: &[u8]) -> [u8; 12] {
    let mut bytes = [0u8; 16];
    bytes[4..].copy_from_slice(pico);
    let (quotient, remainder) = arith::div_rem_u32(u128::from_be_bytes(bytes), LEAF_FEE_SCALE);
    let rounded = quotient + u128::from(remainder != 0);
    let mut out = [0u8; 12];
    out.copy_from_slice(&rounded.to_be_bytes()[4..]);
    out
}

/// A node registry call taking one node id.
fn node_call(selector: [u8; 4], node_id: u32) -> [u8; 36] {
    let mut calldata = [0u8; 36];
    calldata[..4].copy_from_slice(&selector);
    calldata[32..].copy_from_slice(&node_id.to_be_bytes());
    calldata
}

/// Node ids as ABI words.
fn id_words(ids: &[u32]) -> Vec<B256> {
    ids.iter().map(|id| word_of((*id).into())).collect()
}

/// The reference's `_sortUint32Array` (an insertion sort: the canonical set is at most 255
/// ids, and a general sort costs kilobytes of wasm).
fn insertion_sort(ids: &mut [u32]) {
    for i in 1..ids.len() {
        let mut j = i;
        while j > 0 && ids[j - 1] > ids[j] {
            ids.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// A returned `uint96`: a word of 2^96 or more (or no word) reverts with empty data.
fn returned_fee(output: &[u8]) -> Result<u128, Bubbled> {
    let word = calls::returned_word(output)?;
    if word[..20].iter().any(|byte| *byte != 0) {
        return Err(Bubbled::default());
    }
    let mut low = [0u8; 16];
    low.copy_from_slice(&word[16..]);
    Ok(u128::from_be_bytes(low))
}

/// A returned `address`: a word with high bits (or no word) reverts with empty data.
fn returned_address(output: &[u8]) -> Result<Address, Bubbled> {
    let word = calls::returned_word(output)?;
    if word[..12].iter().any(|byte| *byte != 0) {
        return Err(Bubbled::default());
    }
    Ok(Address::from_word(word))
}

mod report;
mod router;
#[cfg(test)]
mod tests;
