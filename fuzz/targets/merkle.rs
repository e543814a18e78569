//! Differential target for the sequential Merkle proofs (spec §9): `xmtp_core::merkle` (the
//! verifier programs run) and `xmtp_reports::PayerTree` (the off-chain prover) against a naive
//! tree and a naive set-based verifier written here from the specification's own description.
//!
//! From the input: a tree of up to 600 leaves of any bytes, a batch inside it, then a series of
//! mutations of the proof, the batch, its position and the root. After the honest proof and
//! after every mutation both sides must agree exactly: the same root or the same error.

use std::collections::{BTreeMap, BTreeSet};

use alloy_primitives::{keccak256, B256, U256};
use xmtp_abi::sequential_merkle_proofs::{
    InvalidBitCount32Input, InvalidLeafCount, InvalidProof, NoLeaves, NoProofElements,
};
use xmtp_core::merkle;
use xmtp_reports::PayerTree;

use crate::input::Input;

/// Most mutations applied to one input.
const MAX_MUTATIONS: usize = 24;

/// What a root computation ends in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Root(B256),
    NoLeaves,
    BitCount,
    InvalidProof,
    NoProofElements,
    LeafCount,
}

impl From<NoLeaves> for Outcome {
    fn from(_: NoLeaves) -> Self {
        Self::NoLeaves
    }
}
impl From<InvalidBitCount32Input> for Outcome {
    fn from(_: InvalidBitCount32Input) -> Self {
        Self::BitCount
    }
}
impl From<InvalidProof> for Outcome {
    fn from(_: InvalidProof) -> Self {
        Self::InvalidProof
    }
}
impl From<NoProofElements> for Outcome {
    fn from(_: NoProofElements) -> Self {
        Self::NoProofElements
    }
}
impl From<InvalidLeafCount> for Outcome {
    fn from(_: InvalidLeafCount) -> Self {
        Self::LeafCount
    }
}

fn hash(data: &[u8]) -> B256 {
    keccak256(data)
}

fn leaf_hash(leaf: &[u8]) -> B256 {
    hash(&[b"leaf|".as_slice(), leaf].concat())
}

fn pair(left: B256, right: B256) -> B256 {
    hash(&[b"node|".as_slice(), left.as_slice(), right.as_slice()].concat())
}

fn pairless(child: B256) -> B256 {
    hash(&[b"node|".as_slice(), child.as_slice()].concat())
}

fn root_of(n: U256, top: B256) -> B256 {
    hash(&[b"root|".as_slice(), &n.to_be_bytes::<32>(), top.as_slice()].concat())
}

/// §9.2's balanced width `B`.
fn width(n: u64) -> u64 {
    if n == 1 {
        2
    } else {
        n.next_power_of_two()
    }
}

/// The whole tree as levels (leaves first), each level from its leftmost node: leaves in pairs
/// from the left, an unpaired last node hashed alone, `log2(B)` times.
fn naive_levels(leaves: &[Vec<u8>]) -> Vec<Vec<B256>> {
    let mut levels = vec![leaves.iter().map(|l| leaf_hash(l)).collect::<Vec<_>>()];
    for _ in 0..width(leaves.len() as u64).trailing_zeros() {
        let below = levels.last().expect("one level at least");
        let above = below
            .chunks(2)
            .map(|c| {
                if c.len() == 2 {
                    pair(c[0], c[1])
                } else {
                    pairless(c[0])
                }
            })
            .collect();
        levels.push(above);
    }
    levels
}

fn naive_root(leaves: &[Vec<u8>]) -> B256 {
    if leaves.is_empty() {
        return B256::ZERO;
    }
    let levels = naive_levels(leaves);
    root_of(U256::from(leaves.len()), levels.last().expect("top")[0])
}

/// §9.3 and §9.4 as written: the known set `K`, visited highest first, level by level;
/// `next` answers each decommitment asked for (by heap index) or runs out.
fn naive_get_root(
    start: u64,
    leaves: &[Vec<u8>],
    proof: &[B256],
    mut next: impl FnMut(u64) -> Option<B256>,
) -> Outcome {
    let Some(count_word) = proof.first() else {
        return Outcome::NoProofElements;
    };
    let n = U256::from_be_bytes(count_word.0);
    if start == 0 && leaves.is_empty() && n.is_zero() {
        return Outcome::Root(B256::ZERO);
    }
    if leaves.is_empty() {
        return Outcome::NoLeaves;
    }
    if U256::from(start) + U256::from(leaves.len()) > n {
        return Outcome::InvalidProof;
    }
    let Ok(n_small) = u32::try_from(n) else {
        return Outcome::BitCount;
    };
    let b = width(u64::from(n_small));
    let mut known: BTreeMap<u64, B256> = leaves
        .iter()
        .enumerate()
        .map(|(i, leaf)| (b + start + i as u64, leaf_hash(leaf)))
        .collect();
    let mut hi = b + u64::from(n_small) - 1;
    while known.keys().ne([1u64].iter()) {
        let mut parents = BTreeMap::new();
        let mut used = BTreeSet::new();
        for (&i, &node) in known.iter().rev() {
            if used.contains(&i) {
                continue;
            }
            let parent = if i & 1 == 1 {
                let left = if let Some(&left) = known.get(&(i - 1)) {
                    used.insert(i - 1);
                    left
                } else {
                    match next(i - 1) {
                        Some(left) => left,
                        None => return Outcome::InvalidProof,
                    }
                };
                pair(left, node)
            } else if i < hi {
                match next(i + 1) {
                    Some(right) => pair(node, right),
                    None => return Outcome::InvalidProof,
                }
            } else {
                pairless(node)
            };
            parents.insert(i >> 1, parent);
        }
        known = parents;
        hi >>= 1;
    }
    Outcome::Root(root_of(n, known[&1]))
}

/// The naive verifier reading decommitments from the proof, in order.
fn naive_verify_root(start: u64, leaves: &[Vec<u8>], proof: &[B256]) -> Outcome {
    let mut elements = proof.iter().skip(1).copied();
    naive_get_root(start, leaves, proof, |_| elements.next())
}

/// The naive prover: the elements the naive verifier asks for, read from the whole tree.
fn naive_proof(levels: &[Vec<B256>], start: u64, batch: &[Vec<u8>]) -> Vec<B256> {
    let n = levels[0].len() as u64;
    let header = [B256::from(U256::from(n))];
    let b = width(n);
    let mut proof = header.to_vec();
    naive_get_root(start, batch, &header, |index| {
        // Heap index `index` sits on the level whose nodes start at `b >> level`.
        let level = (b.trailing_zeros() - index.ilog2()) as usize;
        let first = b >> level;
        let node = levels[level][usize::try_from(index - first).expect("small")];
        proof.push(node);
        Some(node)
    });
    proof
}

fn library_root(start: u64, leaves: &[Vec<u8>], proof: &[B256]) -> Outcome {
    match merkle::get_root::<Outcome, _>(hash, start, leaves, proof) {
        Ok(root) => Outcome::Root(root),
        Err(e) => e,
    }
}

fn naive_leaf_count(proof: &[B256]) -> Outcome {
    match proof.first() {
        None => Outcome::NoProofElements,
        Some(word) => match u32::try_from(U256::from_be_bytes(word.0)) {
            Ok(n) => Outcome::Root(B256::from(U256::from(n))),
            Err(_) => Outcome::LeafCount,
        },
    }
}

/// Both sides on one case: roots, verification against `root`, leaf count.
fn compare(root: B256, start: u64, leaves: &[Vec<u8>], proof: &[B256]) {
    let expected = naive_verify_root(start, leaves, proof);
    assert_eq!(
        library_root(start, leaves, proof),
        expected,
        "get_root: start {start}, {} leaves, proof {proof:?}",
        leaves.len()
    );
    let verified = match merkle::verify::<Outcome, _>(hash, root, start, leaves, proof) {
        Ok(()) => Outcome::Root(root),
        Err(e) => e,
    };
    let expected_verify = match expected {
        Outcome::Root(r) if r != root => Outcome::InvalidProof,
        other => other,
    };
    assert_eq!(
        verified, expected_verify,
        "verify: start {start}, proof {proof:?}"
    );
    let count = match merkle::get_leaf_count::<Outcome>(proof) {
        Ok(n) => Outcome::Root(B256::from(U256::from(n))),
        Err(e) => e,
    };
    assert_eq!(count, naive_leaf_count(proof));
}

/// Runs one fuzz input.
pub fn run(data: &[u8]) {
    let mut input = Input::new(data);
    let max = if input.u8() & 1 == 0 { 16 } else { 600 };
    let n = input.upto(max);
    let leaves: Vec<Vec<u8>> = (0..n).map(|_| input.vec(8)).collect();
    let start = u64::from(input.upto(n));
    let count = u64::from(input.upto(n - u32::try_from(start).expect("below n")));
    let range =
        usize::try_from(start).expect("small")..usize::try_from(start + count).expect("small");
    let mut batch = leaves[range].to_vec();

    let root = naive_root(&leaves);
    let tree = PayerTree::from_leaves(leaves.clone()).expect("under 2^32 leaves");
    assert_eq!(tree.root(), root, "the toolkit's root for {n} leaves");
    let mut proof = if leaves.is_empty() {
        vec![B256::ZERO]
    } else {
        let levels = naive_levels(&leaves);
        naive_proof(&levels, start, &batch)
    };
    if count > 0 {
        assert_eq!(
            tree.proof(start, count).expect("a batch inside the tree"),
            proof,
            "the toolkit's proof of {start}+{count} of {n}"
        );
        assert_eq!(
            naive_verify_root(start, &batch, &proof),
            Outcome::Root(root)
        );
    }
    let mut root = root;
    let mut start = start;
    compare(root, start, &batch, &proof);

    for _ in 0..MAX_MUTATIONS {
        if input.is_empty() {
            break;
        }
        match input.u8() % 10 {
            0 if !proof.is_empty() => {
                let at = input.upto(u32::try_from(proof.len() - 1).expect("small")) as usize;
                let byte = usize::from(input.u8() % 32);
                proof[at].0[byte] ^= input.u8().max(1);
            }
            1 => {
                proof.pop();
            }
            2 if !proof.is_empty() => {
                let at = input.upto(u32::try_from(proof.len() - 1).expect("small")) as usize;
                proof.remove(at);
            }
            3 => proof.push(B256::from(input.bytes::<32>())),
            4 if !proof.is_empty() => {
                proof[0] = match input.u8() % 4 {
                    0 => B256::from(input.bytes::<32>()),
                    1 => B256::from(U256::from(input.u64())),
                    2 => B256::from(U256::from(n).wrapping_add(U256::from(1u8))),
                    _ => B256::from(U256::from(n).wrapping_sub(U256::from(1u8))),
                };
            }
            5 => {
                start = match input.u8() % 4 {
                    0 => input.u64(),
                    1 => start.wrapping_add(1),
                    2 => start.wrapping_sub(1),
                    _ => u64::from(input.u32()),
                };
            }
            6 if !batch.is_empty() => {
                let at = input.upto(u32::try_from(batch.len() - 1).expect("small")) as usize;
                batch[at] = input.vec(8);
            }
            7 => {
                if input.u8() & 1 == 0 {
                    batch.pop();
                } else {
                    batch.push(input.vec(8));
                }
            }
            8 => root = B256::from(input.bytes::<32>()),
            _ => proof.truncate(usize::from(input.u8() % 3)),
        }
        compare(root, start, &batch, &proof);
    }
}
