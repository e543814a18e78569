//! Sequential Merkle proofs (the reference's `SequentialMerkleProofs` library): proof that a run
//! of consecutive leaves starts at a given position of a tree committed by its root.
//!
//! Hashes (keccak-256): leaf `"leaf|" ‖ leaf`, pair `"node|" ‖ left ‖ right`, pairless
//! `"node|" ‖ child` (an unpaired node is re-hashed alone), root `"root|" ‖ uint256(n) ‖ top`.
//! The tree of `n` leaves is heap-indexed with the leaves at `B .. B + n`, where `B` is the
//! balanced width (`2` for one leaf, else `n` rounded up to a power of two). A proof is
//! `[n, decommitments...]`, the decommitments in the order [`walk`] consumes them.
//!
//! The hash function is a parameter so programs pass the `native_keccak256` hostio and host
//! tools a software Keccak; [`walk`] takes the source of decommitments as a parameter too, so
//! the off-chain prover produces exactly the elements the verifier reads, by construction.
//!
//! Difference from the reference (see `DEVIATIONS.md`): a proof with too few decommitments is
//! `InvalidProof()`, where the reference reads past the end of its calldata array and panics
//! (`Panic(0x32)`). Trailing extra elements are still ignored, as in the reference.

use alloc::{vec, vec::Vec};

use alloy_primitives::{B256, U256};
use xmtp_abi::sequential_merkle_proofs::{
    InvalidBitCount32Input, InvalidLeafCount, InvalidProof, NoLeaves, NoProofElements,
};

/// The root of a tree with no leaves (not a hash).
pub const EMPTY_TREE_ROOT: B256 = B256::ZERO;

const LEAF_PREFIX: &[u8; 5] = b"leaf|";
const NODE_PREFIX: &[u8; 5] = b"node|";
const ROOT_PREFIX: &[u8; 5] = b"root|";

/// Errors the verifier can end in (the program's error enum implements all of them).
pub trait MerkleError:
    From<NoLeaves>
    + From<InvalidBitCount32Input>
    + From<InvalidProof>
    + From<NoProofElements>
    + From<InvalidLeafCount>
{
}
impl<E> MerkleError for E where
    E: From<NoLeaves>
        + From<InvalidBitCount32Input>
        + From<InvalidProof>
        + From<NoProofElements>
        + From<InvalidLeafCount>
{
}

/// `keccak256("leaf|" ‖ leaf)`.
pub fn leaf_hash(keccak: impl Fn(&[u8]) -> B256, leaf: &[u8]) -> B256 {
    let mut preimage = Vec::with_capacity(5 + leaf.len());
    preimage.extend_from_slice(LEAF_PREFIX);
    preimage.extend_from_slice(leaf);
    keccak(&preimage)
}

/// `keccak256("node|" ‖ left ‖ right)`.
pub fn pair_hash(keccak: impl Fn(&[u8]) -> B256, left: B256, right: B256) -> B256 {
    let mut preimage = [0u8; 69];
    preimage[..5].copy_from_slice(NODE_PREFIX);
    preimage[5..37].copy_from_slice(left.as_slice());
    preimage[37..].copy_from_slice(right.as_slice());
    keccak(&preimage)
}

/// `keccak256("node|" ‖ child)`: the parent of a node without a right sibling.
pub fn pairless_hash(keccak: impl Fn(&[u8]) -> B256, child: B256) -> B256 {
    let mut preimage = [0u8; 37];
    preimage[..5].copy_from_slice(NODE_PREFIX);
    preimage[5..].copy_from_slice(child.as_slice());
    keccak(&preimage)
}

/// `keccak256("root|" ‖ uint256(leaf_count) ‖ top)`.
pub fn root_hash(keccak: impl Fn(&[u8]) -> B256, leaf_count: U256, top: B256) -> B256 {
    let mut preimage = [0u8; 69];
    preimage[..5].copy_from_slice(ROOT_PREFIX);
    preimage[5..37].copy_from_slice(&leaf_count.to_be_bytes::<32>());
    preimage[37..].copy_from_slice(top.as_slice());
    keccak(&preimage)
}

/// The leaf hashes of `leaves`, last leaf first (the order the verifier works in).
pub fn reversed_leaf_hashes<L: AsRef<[u8]>>(
    keccak: impl Fn(&[u8]) -> B256,
    leaves: &[L],
) -> Vec<B256> {
    leaves
        .iter()
        .rev()
        .map(|leaf| leaf_hash(&keccak, leaf.as_ref()))
        .collect()
}

/// Population count of a 32-bit value; larger inputs are `InvalidBitCount32Input()`.
pub fn bit_count_32(n: U256) -> Result<u32, InvalidBitCount32Input> {
    Ok(as_u32(n)?.count_ones())
}

/// `n` if it is a power of two, else the next power of two (`0 → 1`, `2^32 − 1 → 2^32`).
pub fn round_up_to_power_of_2(n: U256) -> Result<u64, InvalidBitCount32Input> {
    let n = as_u32(n)?;
    Ok(u64::from(n).next_power_of_two().max(1))
}

/// The balanced width of a tree of `n` leaves: `0 → 0`, `1 → 2`, else [`round_up_to_power_of_2`].
pub fn balanced_leaf_count(n: U256) -> Result<u64, InvalidBitCount32Input> {
    let small = as_u32(n)?;
    if small <= 1 {
        return Ok(u64::from(small) * 2);
    }
    round_up_to_power_of_2(n)
}

fn as_u32(n: U256) -> Result<u32, InvalidBitCount32Input> {
    u32::try_from(n).map_err(|_| InvalidBitCount32Input {})
}

/// The tree's leaf count, `proof[0]`, without verifying anything else.
pub fn get_leaf_count<E: MerkleError>(proof: &[B256]) -> Result<u32, E> {
    let count = proof.first().ok_or(NoProofElements {})?;
    u32::try_from(U256::from_be_bytes(count.0)).map_err(|_| InvalidLeafCount {}.into())
}

/// The root implied by `leaves` at positions `starting_index ..` and `proof`.
pub fn get_root<E: MerkleError, L: AsRef<[u8]>>(
    keccak: impl Fn(&[u8]) -> B256,
    starting_index: u64,
    leaves: &[L],
    proof: &[B256],
) -> Result<B256, E> {
    let hashes = reversed_leaf_hashes(&keccak, leaves);
    let mut next = 1;
    walk(keccak, starting_index, hashes, proof, |_| {
        let element = proof.get(next).copied();
        next += 1;
        element
    })
}

/// Checks that `leaves` sit at positions `starting_index ..` of the tree with `root`.
pub fn verify<E: MerkleError, L: AsRef<[u8]>>(
    keccak: impl Fn(&[u8]) -> B256,
    root: B256,
    starting_index: u64,
    leaves: &[L],
    proof: &[B256],
) -> Result<(), E> {
    if get_root::<E, L>(keccak, starting_index, leaves, proof)? != root {
        return Err(InvalidProof {}.into());
    }
    Ok(())
}

/// The reference's root reconstruction (`_getRoot`), step for step: the leaf count is
/// `proof[0]`, `reversed_hashes` are the batch's leaf hashes last first, and every node the
/// batch cannot derive is asked of `decommit` with its heap index, in consumption order (`None`
/// ends in `InvalidProof()`). The verifier answers from the proof; a prover answers from the
/// whole tree and records the answers.
pub fn walk<E: MerkleError>(
    keccak: impl Fn(&[u8]) -> B256,
    starting_index: u64,
    mut reversed_hashes: Vec<B256>,
    proof: &[B256],
    mut decommit: impl FnMut(u64) -> Option<B256>,
) -> Result<B256, E> {
    let leaf_count_word = *proof.first().ok_or(NoProofElements {})?;
    let leaf_count = U256::from_be_bytes(leaf_count_word.0);
    let count = reversed_hashes.len();
    if starting_index == 0 && count == 0 && leaf_count.is_zero() {
        return Ok(EMPTY_TREE_ROOT);
    }
    if count == 0 {
        return Err(NoLeaves {}.into());
    }
    if U256::from(starting_index) + U256::from(count) > leaf_count {
        return Err(InvalidProof {}.into());
    }
    let balanced = balanced_leaf_count(leaf_count)?;
    // Both fit: the leaf count is below 2^32 here, so every index is below 2^33.
    let leaf_count_small = leaf_count.saturating_to::<u64>();
    let count_small = count as u64;
    let mut upper_bound = balanced + leaf_count_small - 1;
    let mut lowest = balanced + starting_index;
    let highest_leaf = lowest + count_small - 1;

    let mut tree_indices = vec![0u64; count];
    let (mut read, mut write) = (0usize, 0usize);
    let index_at = |position: usize, tree_indices: &[u64]| -> u64 {
        if position < count {
            highest_leaf - position as u64
        } else {
            tree_indices[position % count]
        }
    };
    loop {
        let node = index_at(read, &tree_indices);
        if node == 1 {
            return Ok(root_hash(
                &keccak,
                leaf_count,
                reversed_hashes[(write + count - 1) % count],
            ));
        }
        if node == upper_bound && node & 1 == 0 {
            reversed_hashes[write % count] = pairless_hash(&keccak, reversed_hashes[read % count]);
            tree_indices[write % count] = node >> 1;
            read += 1;
            write += 1;
            if node == lowest {
                lowest >>= 1;
                upper_bound >>= 1;
            }
            continue;
        }
        let next = index_at(read + 1, &tree_indices);
        let right = if node & 1 == 0 {
            decommit(node + 1).ok_or(InvalidProof {})?
        } else {
            read += 1;
            reversed_hashes[(read - 1) % count]
        };
        let left = if node & 1 == 0 || next == node - 1 {
            read += 1;
            reversed_hashes[(read - 1) % count]
        } else {
            decommit(node - 1).ok_or(InvalidProof {})?
        };
        reversed_hashes[write % count] = pair_hash(&keccak, left, right);
        tree_indices[write % count] = node >> 1;
        write += 1;
        if node == lowest || next == lowest {
            lowest >>= 1;
            upper_bound >>= 1;
        }
    }
}

/// The reference's test vectors for proofs (spec §12.6), shared by this module's tests and the
/// off-chain toolkit's.
#[cfg(any(test, feature = "testing"))]
pub mod vectors {
    use alloc::{vec, vec::Vec};

    use alloy_primitives::{b256, hex, B256, U256};

    fn word(n: u64) -> B256 {
        B256::from(U256::from(n))
    }

    /// The B2 sample's leaves (leaves 1 to 4 of an 8-leaf tree).
    pub const B2_LEAVES: [B256; 4] = [
        b256!("0xa8152e7c56b62d9fcb8af361257a260b2b9481c8683e8df1651a31508cc6ee31"),
        b256!("0x007f47e1c51d53cab18977050347e8e8dc488bdd9590babe3e104fcb9a1ef599"),
        b256!("0x7cbe68a29af312d42c40e6d083bb64fe2ba0ac6bf1cac8e4b10f5356142e3828"),
        b256!("0x4a864e860c0d0247c6aa5ebcb2bc3f15fc4ddf86213258f4bf0b72e51c9d9c69"),
    ];
    /// The B3 and U3 samples' leaves (from position 9).
    pub const B3_LEAVES: [B256; 4] = [
        b256!("0xa1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2"),
        b256!("0x112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00"),
        b256!("0xf0e1d2c3b4a5968778695a4b3c2d1e0f1f2e3d4c5b6a79887766554433221100"),
        b256!("0xabcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"),
    ];
    /// The B1 and U1 samples' leaf.
    pub const LEAF_6330: B256 =
        b256!("0x6330b989705733cc5c1f7285b8a5b892e08be86ed6fbe9d254713a4277bc5bd2");

    /// `(name, start, leaves, proof, root)`.
    pub type Sample = (&'static str, u64, Vec<B256>, Vec<B256>, B256);

    /// The reference's proof samples (spec §12.6) B1–B3 and U1–U4, verbatim: a table, long
    /// by nature.
    #[allow(clippy::too_many_lines)]
    pub fn samples() -> Vec<Sample> {
        let u4_leaves = [
            "fe0403dd500c862ddbbb4736c071a575d9fd43fbdeea602833234e9cd198bb3f",
            "5129d77889ad52ef899ba3d85e01a6df5c230804ccc586faa7e8376b89aa0600",
            "f1d6a296210c112eda6ca002273abc7d21b933cf99ca0c8292e344ba2d62f750",
            "907f141e1702157a9ca13881b0ecb0cb10be9b588bd6499479496965ce933225",
            "c77ccc18e17ec5d50bbbf775f564debfa1f9da8031be2fc7ce618cea8a625226",
            "aad8eb018edb0690bbdcebe48db820a6a13e3f8102bb0e5535fdfed79eaa5c39",
            "374346003edf10ea2da568e8e973857ec4291bf10a8bf81612b36efaf6e93c23",
            "45a3c2e32a3c8ea5e34562806f8279e85cfad69f6015588b599dc2e774d50cee",
            "9322c7cbfb342280d72d4eba15c0d9711e3f730072375bc4b0cf538970014e7a",
            "b3017e1b1874f68c4508c0b147a4f2b96dd166274c81bb4a86082d391efad6fa",
            "76d7f81c6813544dc594db8b5f3d6cef292e91d02a50ad556e6bcddc1eb59f8c",
            "320cfee2fb238c49255d102213b395963c2a3ebd7a8ee424e8df02b01361e484",
            "697fa39a1e23106c54eeecf38d213bfe2fcf896f55b790815085241b7e7e7361",
            "510fde4a04ecbe4bf94a514ab836074270959d2b96492a56909706de0b0248be",
            "5fa7828c8c661f4243c97527d637bf318e5e801dcf3b488f0f302622abdf61e9",
            "6f7fafb63e26bafeb5fd21a76615d0f2b45e6684324e294f10078661c00b4026",
            "e80b189bd7a1e5d0a04d9ba778d11f1bbffec4e276f502780a97fc7006715ac5",
            "25e66cd82e8fa7b6072d7759d2b49d0979bad20b018c730f4d1fcac7a6959bd4",
            "0695e86d43e2c5097acd182042d09cda438fc1f773335ce0f190dbed668ff508",
            "783eb995b1a99bb4181dad1c386dff06c5c02469a4893ca8c0a5b5fd82f7747a",
            "44fb0e55a04f4d5accd7a9e00fd5bbbf8926083ef169c0711f503ae16b589c20",
            "2815ef424dd0613d69f70546821ebddf2fe1b7452510cd21d25f3e438863e8a3",
        ]
        .map(|h| B256::from_slice(&hex::decode(h).unwrap()))
        .to_vec();
        vec![
            (
                "B1",
                0,
                vec![LEAF_6330],
                vec![
                    word(2),
                    b256!("0xb8283b9a33ca222061b7d8d5f85170289c5c4a7f96997ce2ae5bafc94fc8a59b"),
                ],
                b256!("0xeeef536868dc2c030bec2d3602cc13fbe660bd5d63deca6a0a4dfd201eb941c0"),
            ),
            (
                "B2",
                1,
                B2_LEAVES.to_vec(),
                vec![
                    word(8),
                    b256!("0xb7f40118daf8bbb92b1759e810c6eb4b0b92e04d1b7e4be48a147721ea457d87"),
                    b256!("0x06331c9b61be683c1819b2cd20c83f315499477f6253ae8d8bb02cbc6bd93c9f"),
                    b256!("0xc3d064e0f1ace0f92e6c822d5346de5330fb23a6c31a0c84a80d9d5c8543cc0e"),
                ],
                b256!("0x00f8c0ad3c60c727ededce5717c8baa64047b5c3f29e409085df14dc3bfda1a7"),
            ),
            (
                "B3",
                9,
                B3_LEAVES.to_vec(),
                vec![
                    word(16),
                    b256!("0x194f8cb59bc03a6e9dfcc3566bed0a85a069f50de609f51af6c74dee673450d4"),
                    b256!("0x2642cf6153e4ddfd7ea9c1c99d86efe99c03d29bce0ce4adbf7c0162865aa93a"),
                    b256!("0x9d8799ecccbca75f60304876c8426007565302fdb72449fe980917d7847d43e7"),
                    b256!("0x1f70e7dd11a042e3868e8b0992118a3d7bd301b029a3b967a5b2042466c5110c"),
                ],
                b256!("0x31338b156e26447f0a3a965981b0be87957bf5606b44e0dcdc99eb4646048942"),
            ),
            (
                "U1",
                0,
                vec![LEAF_6330],
                vec![word(1)],
                b256!("0x5b833bdf4f55e39d1838653841d4a2c651a71b5626b7936e1bedb5212cae96e3"),
            ),
            (
                "U2",
                4,
                vec![
                    B2_LEAVES[3],
                    b256!("0x51b7ae2bab96bd3fbb3b26e1efefb0b9b6a60054ed7ffcfa700374d58f315a31"),
                ],
                vec![
                    word(7),
                    b256!("0x6b379ab3dd3b0b8df76cbe09e2a04f21ebf601f2932d3505ecfb89417f3de836"),
                    b256!("0x52bd35868bccc1b1f4c3ac67dd7e3b3db4a24f60436411162d633e6d1118de89"),
                ],
                b256!("0x38631dd8b5081555ec3c51cc8db7918ee90158fa33a70674c1399234d23908b2"),
            ),
            (
                "U3",
                9,
                B3_LEAVES.to_vec(),
                vec![
                    word(13),
                    b256!("0x2642cf6153e4ddfd7ea9c1c99d86efe99c03d29bce0ce4adbf7c0162865aa93a"),
                    b256!("0x1f70e7dd11a042e3868e8b0992118a3d7bd301b029a3b967a5b2042466c5110c"),
                ],
                b256!("0xf92d4ca528834b0350cecd9307bec2dd97d0a6bbb58b077ab51cdad36fc5c087"),
            ),
            (
                "U4",
                200,
                u4_leaves,
                vec![
                    word(324),
                    b256!("0x55f9b393403d39fdf3b35fe8f394e13a272509df05d5562e5da6937c11bb1214"),
                    b256!("0xa4c0ad363d17cb84be9e3f757278de2b26843e918e48e33e1b00438764fefa2b"),
                    b256!("0xafee522c5ba27318361dd426e355fa02e5821fbc8b2ba52dea3b36885d76ec94"),
                    b256!("0x25171fda9d5059c4cc4b8a86af5e0634dd8217cd2167c8d868733eef3f23054f"),
                    b256!("0x1e3106cd69a1fec956fa702eae218bdba94f7150d87c05210b282e334218d265"),
                    b256!("0xd2b4a539a1349d2d145fe307c30ce5bd43fa10887ce20a8a71da53300c0a6150"),
                ],
                b256!("0x8f28d0f19d1805a3b539bcc2bb0e627ded4bf5b873bebc9199ed179a30ca312c"),
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use alloy_primitives::{b256, keccak256};
    use std::string::String;

    use super::{vectors::*, *};

    /// The errors as one value, to compare outcomes.
    #[derive(Debug, PartialEq)]
    enum Failure {
        NoLeaves,
        BitCount,
        InvalidProof,
        NoProofElements,
        LeafCount,
    }
    impl From<NoLeaves> for Failure {
        fn from(_: NoLeaves) -> Self {
            Self::NoLeaves
        }
    }
    impl From<InvalidBitCount32Input> for Failure {
        fn from(_: InvalidBitCount32Input) -> Self {
            Self::BitCount
        }
    }
    impl From<InvalidProof> for Failure {
        fn from(_: InvalidProof) -> Self {
            Self::InvalidProof
        }
    }
    impl From<NoProofElements> for Failure {
        fn from(_: NoProofElements) -> Self {
            Self::NoProofElements
        }
    }
    impl From<InvalidLeafCount> for Failure {
        fn from(_: InvalidLeafCount) -> Self {
            Self::LeafCount
        }
    }

    fn k(data: &[u8]) -> B256 {
        keccak256(data)
    }

    fn word(n: u64) -> B256 {
        B256::from(U256::from(n))
    }

    fn root(start: u64, leaves: &[B256], proof: &[B256]) -> Result<B256, Failure> {
        get_root(k, start, leaves, proof)
    }

    const A: B256 = b256!("0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    const R: B256 = b256!("0x1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100");
    const F: B256 = B256::repeat_byte(0xff);

    #[test]
    fn hash_primitives_match_the_reference_vectors() {
        assert_eq!(
            leaf_hash(k, b"Hello"),
            b256!("0x0b8faa8dd08a172ebf9582ef1c73d06a82e28d18c61a8b47b13d01f1740e9a11")
        );
        assert_eq!(
            leaf_hash(k, b"World"),
            b256!("0x817d5a47d8f38274199af57907aa20a633a5f767439cfc22e11a5dd5a4493f2a")
        );
        assert_eq!(
            leaf_hash(k, b"Lorem ipsum dolor sit amet"),
            b256!("0xa5dc43044db877acef8181b04b78a81c39a01d8ba78e29a5fe06a99732e626d3")
        );
        assert_eq!(
            leaf_hash(k, b"Lorem ipsum dolor sit amet consectetur adipiscing elit"),
            b256!("0xa5fe16054246ec55b4c4f376e432cce9f5d7e9c6859bf2801c1d05e0a187341c")
        );
        assert_eq!(
            pair_hash(k, A, A),
            b256!("0x30c08f17fca6d5b183fd798df2c94be55f9191aa17b64e14af24dea51d56a200")
        );
        assert_eq!(
            pair_hash(k, A, R),
            b256!("0xaf45a9d3cd256488928e96458a0fe6bde6182c416dad6228c15900570ad4ce86")
        );
        assert_eq!(
            pair_hash(k, B256::ZERO, F),
            b256!("0xcf86af75a8a3ad149001943d69c6f6baf87e648e765e365f9aea84c06a306fea")
        );
        assert_eq!(
            pairless_hash(k, A),
            b256!("0x4bde7d5c3f4483ac1642c0f72078ce38639cca66529ce401be6200d03194f0a5")
        );
        assert_eq!(
            pairless_hash(k, R),
            b256!("0x26960017dbb60afc80dfcc5a6ccbfa17711de9e934a46ae4532a79ac33344a02")
        );
        assert_eq!(
            pairless_hash(k, B256::ZERO),
            b256!("0xeb14eebf6aaf45d22d20a202b833f1d484603044dea188a8eb1585c22d01a41f")
        );
        assert_eq!(
            pairless_hash(k, F),
            b256!("0x2f8f0f26e7f767c7dea71e75bf4f70510db5b05f50e842eeb6dc09d678b87640")
        );
        assert_eq!(
            root_hash(k, U256::from(1), A),
            b256!("0x42bdfcbf85f7e8aafa85a4c4ce995c0f8413225503d8b5aeaadaa7a044083acb")
        );
        assert_eq!(
            root_hash(k, U256::from(78), R),
            b256!("0xda04fbfbac2808039eaf34829fbb30df8855c1589785cb5764e23b1b32fd2537")
        );
        assert_eq!(
            root_hash(k, U256::from(46984), F),
            b256!("0x6bd1491b7fd13801bace4086092489a8e34ac0c15920d1ad7921e0f402eae63e")
        );
    }

    #[test]
    fn reversed_leaf_hashes_match_the_reference_vector() {
        assert_eq!(
            reversed_leaf_hashes(k, &B2_LEAVES),
            [
                b256!("0x8613e086c6c42ab3b7027723e29bf61497f3629e0fb0c1b0453c93f053e22a18"),
                b256!("0x09a458689dbd19291ce83007725819f0c69504e282d7669b7d08576162bd7f52"),
                b256!("0x569dab69f958322840fb959938fee8dbc2bde84f55584935a8230303db6aaebd"),
                b256!("0xb8283b9a33ca222061b7d8d5f85170289c5c4a7f96997ce2ae5bafc94fc8a59b"),
            ]
        );
    }

    #[test]
    fn helpers_match_the_reference() {
        let max = U256::from(u32::MAX);
        let too_big = U256::from(1u64 << 32);
        assert_eq!(bit_count_32(U256::ZERO), Ok(0));
        assert_eq!(bit_count_32(max), Ok(32));
        for i in 0..32 {
            assert_eq!(bit_count_32(U256::from(1u64 << i)), Ok(1));
            assert_eq!(bit_count_32(U256::from((1u64 << i) - 1)), Ok(i));
        }
        for (input, rounded, balanced) in [
            (0u64, 1u64, 0u64),
            (1, 1, 2),
            (2, 2, 2),
            (3, 4, 4),
            (4, 4, 4),
            (5, 8, 8),
            (6, 8, 8),
            (7, 8, 8),
            (8, 8, 8),
            (u64::from(u32::MAX), 1 << 32, 1 << 32),
        ] {
            assert_eq!(round_up_to_power_of_2(U256::from(input)), Ok(rounded));
            assert_eq!(balanced_leaf_count(U256::from(input)), Ok(balanced));
        }
        assert_eq!(bit_count_32(too_big), Err(InvalidBitCount32Input {}));
        assert_eq!(
            round_up_to_power_of_2(too_big),
            Err(InvalidBitCount32Input {})
        );
        assert_eq!(balanced_leaf_count(too_big), Err(InvalidBitCount32Input {}));
    }

    #[test]
    fn leaf_count_is_the_first_element() {
        assert_eq!(get_leaf_count::<Failure>(&[word(0)]), Ok(0));
        assert_eq!(get_leaf_count::<Failure>(&[word(1)]), Ok(1));
        assert_eq!(get_leaf_count::<Failure>(&[word(1111)]), Ok(1111));
        assert_eq!(
            get_leaf_count::<Failure>(&[word(1 << 32)]),
            Err(Failure::LeafCount)
        );
        assert_eq!(
            get_leaf_count::<Failure>(&[]),
            Err(Failure::NoProofElements)
        );
    }

    #[test]
    fn get_root_edge_cases_match_the_reference() {
        let none: [&[u8]; 0] = [];
        assert_eq!(
            get_root::<Failure, _>(k, 0, &none, &[word(0)]),
            Ok(B256::ZERO)
        );
        assert_eq!(
            get_root::<Failure, _>(k, 0, &[b""], &[word(0)]),
            Err(Failure::InvalidProof)
        );
        assert_eq!(
            get_root::<Failure, _>(k, 1, &none, &[word(0)]),
            Err(Failure::NoLeaves)
        );
        assert_eq!(
            get_root::<Failure, _>(k, 0, &none, &[word(1)]),
            Err(Failure::NoLeaves)
        );
        assert_eq!(
            get_root::<Failure, _>(k, 0, &[[0u8]], &[word(1 << 32)]),
            Err(Failure::BitCount)
        );
        assert_eq!(
            get_root::<Failure, _>(k, 0, &none, &[]),
            Err(Failure::NoProofElements)
        );
    }

    fn plus_one(word: B256) -> B256 {
        B256::from(U256::from_be_bytes(word.0).wrapping_add(U256::from(1)))
    }

    #[test]
    fn proof_samples_verify_and_their_variants_fail() {
        for (name, start, leaves, proof, expected) in samples() {
            let name = String::from(name);
            assert_eq!(root(start, &leaves, &proof), Ok(expected), "{name}");
            assert_eq!(
                verify::<Failure, _>(k, expected, start, &leaves, &proof),
                Ok(())
            );
            // Trailing elements are ignored, as in the reference.
            let mut longer = proof.clone();
            longer.push(word(7));
            assert_eq!(
                verify::<Failure, _>(k, expected, start, &leaves, &longer),
                Ok(())
            );
            assert_eq!(
                verify::<Failure, _>(k, plus_one(expected), start, &leaves, &proof),
                Err(Failure::InvalidProof),
                "{name} root + 1"
            );
            let mut tampered = leaves.clone();
            tampered[0] = B256::repeat_byte(0x0f);
            assert_eq!(
                verify::<Failure, _>(k, expected, start, &tampered, &proof),
                Err(Failure::InvalidProof),
                "{name} leaf 0"
            );
            if proof.len() > 1 {
                let mut tampered = proof.clone();
                tampered[1] = plus_one(tampered[1]);
                assert_eq!(
                    verify::<Failure, _>(k, expected, start, &leaves, &tampered),
                    Err(Failure::InvalidProof),
                    "{name} proof[1] + 1"
                );
            }
            let n = U256::from_be_bytes(proof[0].0).to::<u64>();
            let mut bigger = proof.clone();
            bigger[0] = word(n + 1);
            for (start, proof) in [(start + 1, &proof), (n + 1, &proof), (start, &bigger)] {
                assert_eq!(
                    verify::<Failure, _>(k, expected, start, &leaves, proof),
                    Err(Failure::InvalidProof),
                    "{name} variant"
                );
            }
        }
    }

    /// The reference panics (`Panic(0x32)`) on these two; here they are `InvalidProof()`.
    #[test]
    fn too_few_proof_elements_are_invalid_proof_not_a_panic() {
        let samples = samples();
        let (_, _, u4_leaves, u4_proof, u4_root) = &samples[6];
        assert_eq!(
            verify::<Failure, _>(k, *u4_root, 201, u4_leaves, u4_proof),
            Err(Failure::InvalidProof)
        );
        let (_, _, b1_leaves, b1_proof, b1_root) = &samples[0];
        let mut three = b1_proof.clone();
        three[0] = word(3);
        assert_eq!(
            verify::<Failure, _>(k, *b1_root, 0, b1_leaves, &three),
            Err(Failure::InvalidProof)
        );
        assert_eq!(
            verify::<Failure, _>(k, *u4_root, 200, u4_leaves, &u4_proof[..3]),
            Err(Failure::InvalidProof)
        );
    }
}
