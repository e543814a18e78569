//! The off-chain side of payer reports: what an originator node builds every period, what the
//! canonical nodes sign, and what anyone submits and settles on the `PayerReportManager`.
//!
//! - [`PayerTree`]: the sequential Merkle tree of `abi.encode(payer, feeInPicoDollars)` leaves
//!   (or any raw leaves) and proofs for consecutive batches of them. Proofs come from the
//!   verifier's own walk ([`xmtp_core::merkle::walk`]), so they hold exactly the elements the
//!   program consumes, in its order.
//! - [`PayerReport`]: the report's fields, its EIP-712 struct hash (with the reference's
//!   non-standard hashing of `nodeIds`: the full ABI encoding of the dynamic array) and digest.
//! - [`batch_root`]: the root a batch and its proof commit to, as the program recomputes it.
//! - [`sign`] / [`sign_compact`]: a node's signature over a digest (65-byte `r ‖ s ‖ v` or
//!   EIP-2098 64-byte `r ‖ vs`).
//! - [`submit_calldata`] / [`settle_calldata`]: the transactions' calldata.

use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use alloy_sol_types::{SolCall, SolValue};
use k256::ecdsa::SigningKey;
use xmtp_abi::{
    payer_report_manager::{IPayerReportManager, PayerReportSignature},
    sequential_merkle_proofs::{
        InvalidBitCount32Input, InvalidLeafCount, InvalidProof, NoLeaves, NoProofElements,
    },
};
use xmtp_core::merkle;

/// `keccak256("PayerReport(uint32 originatorNodeId,uint64 startSequenceId,uint64 endSequenceId,uint32 endMinuteSinceEpoch,bytes32 payersMerkleRoot,uint32[] nodeIds)")`.
pub const PAYER_REPORT_TYPEHASH: B256 =
    alloy_primitives::b256!("0x3737a2cced99bb28fc5aede45aa81d3ce0aa9137c5f417641835d0d71d303346");

/// The EIP-712 domain name of the `PayerReportManager`.
pub const DOMAIN_NAME: &str = "PayerReportManager";

/// The EIP-712 domain version of the `PayerReportManager`.
pub const DOMAIN_VERSION: &str = "1";

/// Pico-dollars (leaf fees) per micro-dollar (fee-token unit).
pub const LEAF_FEE_SCALE: u128 = 1_000_000;

/// Why a tree or a proof cannot be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportError {
    /// A batch must hold at least one leaf.
    EmptyBatch,
    /// The batch runs past the last leaf.
    BatchOutOfRange {
        /// First leaf of the batch.
        start: u64,
        /// Leaves in the batch.
        count: u64,
        /// Leaves in the tree.
        leaf_count: u64,
    },
    /// More leaves than a tree can commit (`2^32 − 1`).
    TooManyLeaves(usize),
    /// A fee above `uint96`.
    FeeTooLarge(u128),
}

impl core::fmt::Display for ReportError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::EmptyBatch => write!(f, "a batch needs at least one leaf"),
            Self::BatchOutOfRange {
                start,
                count,
                leaf_count,
            } => write!(
                f,
                "batch of {count} leaves from {start} runs past the tree's {leaf_count} leaves"
            ),
            Self::TooManyLeaves(n) => write!(f, "{n} leaves; a tree holds at most 2^32 - 1"),
            Self::FeeTooLarge(fee) => write!(f, "fee {fee} does not fit uint96"),
        }
    }
}

impl std::error::Error for ReportError {}

/// Why the verifier refuses a batch (the `PayerReportManager`'s errors of the same names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProofError {
    /// A batch without leaves (other than the empty tree's).
    NoLeaves,
    /// A leaf count above `2^32 − 1`.
    InvalidBitCount32Input,
    /// The batch does not sit at its position in the tree of the root, or the proof has too
    /// few elements.
    InvalidProof,
    /// An empty proof (no leaf count).
    NoProofElements,
    /// A leaf count above `2^32 − 1` read on its own.
    InvalidLeafCount,
}

impl core::fmt::Display for ProofError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::NoLeaves => "NoLeaves(): a batch needs leaves",
            Self::InvalidBitCount32Input => "InvalidBitCount32Input(): leaf count above 2^32 - 1",
            Self::InvalidProof => "InvalidProof(): the batch is not at its position in the tree",
            Self::NoProofElements => "NoProofElements(): the proof is empty",
            Self::InvalidLeafCount => "InvalidLeafCount(): leaf count above 2^32 - 1",
        })
    }
}

impl std::error::Error for ProofError {}

impl From<NoLeaves> for ProofError {
    fn from(_: NoLeaves) -> Self {
        Self::NoLeaves
    }
}
impl From<InvalidBitCount32Input> for ProofError {
    fn from(_: InvalidBitCount32Input) -> Self {
        Self::InvalidBitCount32Input
    }
}
impl From<InvalidProof> for ProofError {
    fn from(_: InvalidProof) -> Self {
        Self::InvalidProof
    }
}
impl From<NoProofElements> for ProofError {
    fn from(_: NoProofElements) -> Self {
        Self::NoProofElements
    }
}
impl From<InvalidLeafCount> for ProofError {
    fn from(_: InvalidLeafCount) -> Self {
        Self::InvalidLeafCount
    }
}

/// The root that `leaves` at positions `start ..` and `proof` commit to, computed as the
/// `PayerReportManager` does when it settles them: a settler can check a batch against the
/// report's stored root before sending it.
pub fn batch_root<L: AsRef<[u8]>>(
    start: u64,
    leaves: &[L],
    proof: &[B256],
) -> Result<B256, ProofError> {
    merkle::get_root(keccak, start, leaves, proof)
}

fn keccak(data: &[u8]) -> B256 {
    keccak256(data)
}

/// One payer's fee for the period, in pico-dollars (the unit xmtpd reports in).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PayerFee {
    /// The payer.
    pub payer: Address,
    /// The fee in pico-dollars (must fit `uint96`).
    pub fee: u128,
}

impl PayerFee {
    /// The leaf: `abi.encode(payer, uint96(fee))`, 64 bytes.
    pub fn leaf(&self) -> Result<Vec<u8>, ReportError> {
        if self.fee >> 96 != 0 {
            return Err(ReportError::FeeTooLarge(self.fee));
        }
        Ok((self.payer, U256::from(self.fee)).abi_encode())
    }

    /// The fee the `PayerReportManager` debits: pico-dollars rounded up to micro-dollars.
    #[must_use]
    pub fn micro_dollars(&self) -> u128 {
        self.fee.div_ceil(LEAF_FEE_SCALE)
    }
}

/// A sequential Merkle tree: every node, heap-indexed (node 1 on top, leaf `j` at `B + j`).
#[derive(Debug, Clone)]
pub struct PayerTree {
    leaves: Vec<Vec<u8>>,
    nodes: Vec<B256>,
    root: B256,
}

impl PayerTree {
    /// The tree of the payers' fee leaves, in the given order.
    pub fn from_fees(fees: &[PayerFee]) -> Result<Self, ReportError> {
        let leaves = fees
            .iter()
            .map(PayerFee::leaf)
            .collect::<Result<Vec<_>, _>>()?;
        Self::from_leaves(leaves)
    }

    /// The tree of raw leaves (hashed in full, any length).
    pub fn from_leaves(leaves: Vec<Vec<u8>>) -> Result<Self, ReportError> {
        let n = leaves.len();
        if u32::try_from(n).is_err() {
            return Err(ReportError::TooManyLeaves(n));
        }
        if n == 0 {
            return Ok(Self {
                leaves,
                nodes: Vec::new(),
                root: merkle::EMPTY_TREE_ROOT,
            });
        }
        let balanced = width(n);
        let mut nodes = vec![B256::ZERO; 2 * balanced];
        for (j, leaf) in leaves.iter().enumerate() {
            nodes[balanced + j] = merkle::leaf_hash(keccak, leaf);
        }
        let (mut lo, mut hi) = (balanced, balanced + n - 1);
        while lo > 1 {
            for parent in lo / 2..=hi / 2 {
                let left = nodes[2 * parent];
                nodes[parent] = if 2 * parent < hi {
                    merkle::pair_hash(keccak, left, nodes[2 * parent + 1])
                } else {
                    merkle::pairless_hash(keccak, left)
                };
            }
            (lo, hi) = (lo / 2, hi / 2);
        }
        let root = merkle::root_hash(keccak, U256::from(n), nodes[1]);
        Ok(Self {
            leaves,
            nodes,
            root,
        })
    }

    /// The root (`0x00…00` for no leaves).
    #[must_use]
    pub fn root(&self) -> B256 {
        self.root
    }

    /// Number of leaves.
    #[must_use]
    pub fn leaf_count(&self) -> u64 {
        self.leaves.len() as u64
    }

    /// The leaves, in order.
    #[must_use]
    pub fn leaves(&self) -> &[Vec<u8>] {
        &self.leaves
    }

    /// The leaves `start .. start + count`.
    pub fn batch(&self, start: u64, count: u64) -> Result<&[Vec<u8>], ReportError> {
        self.check_batch(start, count)?;
        // Both fit: checked against the leaf count above.
        let (start, count) = (to_usize(start), to_usize(count));
        Ok(&self.leaves[start..start + count])
    }

    /// The proof `[n, decommitments…]` that leaves `start .. start + count` are in the tree.
    pub fn proof(&self, start: u64, count: u64) -> Result<Vec<B256>, ReportError> {
        let leaves = self.batch(start, count)?;
        let mut proof = vec![B256::from(U256::from(self.leaf_count()))];
        let hashes = merkle::reversed_leaf_hashes(keccak, leaves);
        let header = proof.clone();
        let root = merkle::walk::<ProofError>(keccak, start, hashes, &header, |index| {
            let node = self.nodes[to_usize(index)];
            proof.push(node);
            Some(node)
        });
        debug_assert_eq!(root.ok(), Some(self.root));
        Ok(proof)
    }

    /// Splits the whole tree into consecutive batches ending before each boundary (sorted,
    /// inside `1 .. n`; duplicates and out-of-range values ignored): `(start, leaves, proof)`.
    pub fn batches(&self, boundaries: &[u64]) -> Result<Vec<Batch>, ReportError> {
        let n = self.leaf_count();
        let mut cuts: Vec<u64> = boundaries
            .iter()
            .copied()
            .filter(|b| *b > 0 && *b < n)
            .collect();
        cuts.sort_unstable();
        cuts.dedup();
        cuts.push(n);
        let mut start = 0;
        let mut batches = Vec::with_capacity(cuts.len());
        for end in cuts {
            if end == 0 {
                break;
            }
            batches.push(Batch {
                start,
                leaves: self.batch(start, end - start)?.to_vec(),
                proof: self.proof(start, end - start)?,
            });
            start = end;
        }
        Ok(batches)
    }

    fn check_batch(&self, start: u64, count: u64) -> Result<(), ReportError> {
        if count == 0 {
            return Err(ReportError::EmptyBatch);
        }
        let leaf_count = self.leaf_count();
        if start.checked_add(count).is_none_or(|end| end > leaf_count) {
            return Err(ReportError::BatchOutOfRange {
                start,
                count,
                leaf_count,
            });
        }
        Ok(())
    }
}

/// One settlement batch: where it starts, its leaves and their proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    /// Position of the first leaf (the report's `offset` when it is settled).
    pub start: u64,
    /// The leaves.
    pub leaves: Vec<Vec<u8>>,
    /// `[n, decommitments…]`.
    pub proof: Vec<B256>,
}

fn width(n: usize) -> usize {
    if n == 1 {
        2
    } else {
        n.next_power_of_two()
    }
}

fn to_usize(value: u64) -> usize {
    usize::try_from(value).expect("indices of an in-memory tree fit usize")
}

/// A payer report's signed fields (the originator is the storage key, not a stored field).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayerReport {
    /// The node whose messages are billed.
    pub originator_node_id: u32,
    /// First sequence id covered (the previous report's end).
    pub start_sequence_id: u64,
    /// Last sequence id covered.
    pub end_sequence_id: u64,
    /// The period's last minute since the Unix epoch.
    pub end_minute_since_epoch: u32,
    /// Root of the payer-fee tree.
    pub payers_merkle_root: B256,
    /// The canonical node set, ascending.
    pub node_ids: Vec<u32>,
}

/// The EIP-712 domain of one `PayerReportManager` deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Domain {
    /// The chain id.
    pub chain_id: u64,
    /// The `PayerReportManager` proxy.
    pub verifying_contract: Address,
}

impl Domain {
    /// `keccak256(typehash ‖ keccak(name) ‖ keccak(version) ‖ chainId ‖ verifyingContract)`.
    #[must_use]
    pub fn separator(&self) -> B256 {
        let mut preimage = [0u8; 160];
        preimage[..32].copy_from_slice(xmtp_core::eip712::DOMAIN_TYPEHASH.as_slice());
        preimage[32..64].copy_from_slice(keccak256(DOMAIN_NAME).as_slice());
        preimage[64..96].copy_from_slice(keccak256(DOMAIN_VERSION).as_slice());
        preimage[96..128].copy_from_slice(&U256::from(self.chain_id).to_be_bytes::<32>());
        preimage[140..].copy_from_slice(self.verifying_contract.as_slice());
        keccak256(preimage)
    }
}

/// `keccak256(abi.encode(nodeIds))`: offset word, length word, one word per id (the
/// reference's hashing; standard EIP-712 would hash only the element words).
#[must_use]
pub fn node_ids_hash(node_ids: &[u32]) -> B256 {
    let mut encoding = Vec::with_capacity(64 + 32 * node_ids.len());
    encoding.extend_from_slice(&U256::from(32).to_be_bytes::<32>());
    encoding.extend_from_slice(&U256::from(node_ids.len()).to_be_bytes::<32>());
    for id in node_ids {
        encoding.extend_from_slice(&U256::from(*id).to_be_bytes::<32>());
    }
    keccak256(encoding)
}

impl PayerReport {
    /// The EIP-712 struct hash.
    #[must_use]
    pub fn struct_hash(&self) -> B256 {
        let mut preimage = Vec::with_capacity(224);
        preimage.extend_from_slice(PAYER_REPORT_TYPEHASH.as_slice());
        for value in [
            U256::from(self.originator_node_id),
            U256::from(self.start_sequence_id),
            U256::from(self.end_sequence_id),
            U256::from(self.end_minute_since_epoch),
        ] {
            preimage.extend_from_slice(&value.to_be_bytes::<32>());
        }
        preimage.extend_from_slice(self.payers_merkle_root.as_slice());
        preimage.extend_from_slice(node_ids_hash(&self.node_ids).as_slice());
        keccak256(preimage)
    }

    /// The digest nodes sign and the `payerReportId` of its settlements.
    #[must_use]
    pub fn digest(&self, domain: &Domain) -> B256 {
        digest_of(domain.separator(), self.struct_hash())
    }
}

/// `keccak256(0x1901 ‖ separator ‖ structHash)`.
#[must_use]
pub fn digest_of(separator: B256, struct_hash: B256) -> B256 {
    let mut preimage = [0u8; 66];
    preimage[..2].copy_from_slice(&[0x19, 0x01]);
    preimage[2..34].copy_from_slice(separator.as_slice());
    preimage[34..].copy_from_slice(struct_hash.as_slice());
    keccak256(preimage)
}

/// The address of a node's signing key.
#[must_use]
pub fn signer_address(key: &SigningKey) -> Address {
    let point = key.verifying_key().to_encoded_point(false);
    Address::from_raw_public_key(&point.as_bytes()[1..])
}

/// `r ‖ s ‖ v` (65 bytes, low `s`, `v` 27 or 28) over `digest`, no message prefix.
pub fn sign(key: &SigningKey, digest: B256) -> Result<[u8; 65], k256::ecdsa::Error> {
    let (signature, recovery) = key.sign_prehash_recoverable(digest.as_slice())?;
    let mut out = [0u8; 65];
    out[..64].copy_from_slice(&signature.to_bytes());
    out[64] = 27 + recovery.to_byte();
    Ok(out)
}

/// EIP-2098 `r ‖ vs` (64 bytes) over `digest`.
pub fn sign_compact(key: &SigningKey, digest: B256) -> Result<[u8; 64], k256::ecdsa::Error> {
    let full = sign(key, digest)?;
    let mut out = [0u8; 64];
    out.copy_from_slice(&full[..64]);
    out[32] |= (full[64] - 27) << 7;
    Ok(out)
}

/// `submit(...)` calldata for `report` with `(nodeId, signature)` pairs (ascending node ids).
#[must_use]
pub fn submit_calldata(report: &PayerReport, signatures: &[(u32, Vec<u8>)]) -> Vec<u8> {
    IPayerReportManager::submitCall {
        originatorNodeId_: report.originator_node_id,
        startSequenceId_: report.start_sequence_id,
        endSequenceId_: report.end_sequence_id,
        endMinuteSinceEpoch_: report.end_minute_since_epoch,
        payersMerkleRoot_: report.payers_merkle_root,
        nodeIds_: report.node_ids.clone(),
        signatures_: signatures
            .iter()
            .map(|(node_id, signature)| PayerReportSignature {
                nodeId: *node_id,
                signature: Bytes::from(signature.clone()),
            })
            .collect(),
    }
    .abi_encode()
}

/// `settle(...)` calldata for one batch of report `payer_report_index` of `originator_node_id`.
#[must_use]
pub fn settle_calldata(originator_node_id: u32, payer_report_index: u64, batch: &Batch) -> Vec<u8> {
    IPayerReportManager::settleCall {
        originatorNodeId_: originator_node_id,
        payerReportIndex_: U256::from(payer_report_index),
        payerFees_: batch.leaves.iter().cloned().map(Bytes::from).collect(),
        proofElements_: batch.proof.clone(),
    }
    .abi_encode()
}

#[cfg(test)]
mod tests;

/// A settled report's split (§6.4 of the spec): `(protocol fees, each node's portion)` for
/// `fees_settled` micro-dollars, a protocol rate in basis points and `node_count` nodes. The
/// protocol absorbs the rounding dust, so `protocol + node_count · portion == fees_settled`.
#[must_use]
pub fn fee_split(fees_settled: u128, protocol_fee_rate: u16, node_count: u32) -> (u128, u128) {
    if node_count == 0 {
        return (fees_settled, 0);
    }
    let nodes_share = U256::from(fees_settled)
        * U256::from(10_000 - u32::from(protocol_fee_rate.min(10_000)))
        / U256::from(10_000);
    let portion = (nodes_share / U256::from(node_count)).to::<u128>();
    (fees_settled - portion * u128::from(node_count), portion)
}
