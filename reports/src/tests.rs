use alloy_primitives::{address, b256, hex};
use proptest::prelude::*;

use super::*;

fn foundry_domain() -> Domain {
    Domain {
        chain_id: 31_337,
        verifying_contract: address!("0x2e234DAe75C793f67A35089C9d99245E1C58470b"),
    }
}

fn report(
    originator: u32,
    start: u64,
    end: u64,
    minute: u32,
    root: B256,
    node_ids: Vec<u32>,
) -> PayerReport {
    PayerReport {
        originator_node_id: originator,
        start_sequence_id: start,
        end_sequence_id: end,
        end_minute_since_epoch: minute,
        payers_merkle_root: root,
        node_ids,
    }
}

fn row3() -> PayerReport {
    report(
        1,
        2,
        3,
        4,
        b256!("0x1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef"),
        vec![100, 200, 300, 400, 500],
    )
}

fn key(hex_key: &str) -> SigningKey {
    SigningKey::from_slice(&hex::decode(hex_key).unwrap()).unwrap()
}

// ---- §12.2 and §10: digests ----

#[test]
fn domain_separator_matches_the_foundry_vector() {
    assert_eq!(
        foundry_domain().separator(),
        b256!("0xdbc3c9c77bfb8c8656e87b666d2b06300835634ecfb091e1925d30614ceb1e43")
    );
    assert_eq!(
        keccak256(DOMAIN_NAME),
        b256!("0x8840ebeebea3f85faeee65382329430aceb498da7cd7ae41ab4a9f53730a7444")
    );
    assert_eq!(
        keccak256(DOMAIN_VERSION),
        b256!("0xc89efdaa54c0f20c7adf612882df0950f5a951637e0307cdcb4c672f298b8bc6")
    );
}

#[test]
fn typehash_is_the_hash_of_the_type_string() {
    assert_eq!(
        keccak256(
            "PayerReport(uint32 originatorNodeId,uint64 startSequenceId,uint64 endSequenceId,\
             uint32 endMinuteSinceEpoch,bytes32 payersMerkleRoot,uint32[] nodeIds)"
        ),
        PAYER_REPORT_TYPEHASH
    );
}

#[test]
fn node_ids_are_hashed_with_their_full_abi_encoding() {
    assert_eq!(
        node_ids_hash(&[]),
        b256!("0x569e75fc77c1a856f6daaf9e69d8a9566ca34aa47f9133711ce065a571af0cfd")
    );
    assert_eq!(
        node_ids_hash(&[100, 200, 300, 400, 500]),
        b256!("0x3021ef73545516cca78d00bbb8bd87c967dc56126a685e285ac5ff4b1a063a6b")
    );
    assert_eq!(
        node_ids_hash(&[0; 6]),
        b256!("0x86ca35d0c0386614fddd7b1314926879bd5ab271b82ee9b1ac2824f6e6f86f6a")
    );
    // Standard EIP-712 array hashing gives another value, which must not be used.
    let standard: Vec<u8> = [100u32, 200, 300, 400, 500]
        .iter()
        .flat_map(|id| U256::from(*id).to_be_bytes::<32>())
        .collect();
    assert_eq!(
        keccak256(standard),
        b256!("0xea13edf2a1dffdeb6f76acdbc46a352bd5b9071e7a3a5e6a63a498a9caa547fa")
    );
}

#[test]
fn digests_match_the_reference_test_vectors() {
    let domain = foundry_domain();
    let row1 = report(1, 2, 3, 4, B256::from(U256::from(5)), vec![0; 6]);
    assert_eq!(
        row1.struct_hash(),
        b256!("0x73ac744b3a5f9d1aee7ecdd7bfea7e190ef1354c5f41c86b2a3decca1370b127")
    );
    assert_eq!(
        row1.digest(&domain),
        b256!("0xdde54243da83f4b7c3fa535080f6cd0441fda0649edb15d95551f895a3529dfc")
    );
    let row2 = report(10, 20, 30, 40, B256::from(U256::from(50)), vec![0; 60]);
    assert_eq!(
        row2.digest(&domain),
        b256!("0xb70f0c64254571c8cc5f6a84339bae9a135744d1f8059a3908121c95b40529f7")
    );
    assert_eq!(
        row3().struct_hash(),
        b256!("0xa25c0c2382a1dbc107435190b47ee8768f1ba2c98f69c071547986f380e3a203")
    );
    assert_eq!(
        row3().digest(&domain),
        b256!("0x68e2a926d1e4309c70d546f976fc17eacc87d245862ad8a5d9c80b86e1dd4d61")
    );
    assert_ne!(
        row3().digest(&domain),
        b256!("0x79f316f2836745161f3020e431db382ce57aab339df1429de068a62bf940295b")
    );
}

// ---- §12.2 signatures and §12.4 addresses ----

const ANVIL_0: &str = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const ANVIL_1: &str = "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

#[test]
fn signatures_over_the_row3_digest_match_the_vectors() {
    let digest = row3().digest(&foundry_domain());
    let signature = sign(&key(ANVIL_0), digest).unwrap();
    assert_eq!(
        hex::encode(signature),
        "2f9804b9707b10f95478745da52c06507f3acce3f72268b9385cdf4e6e072528\
         7bf07d5787c10100ad7cd1e5bf9ace1fe51b0b647b5f1ee2abf60a2cf8571f26\
         1b"
    );
    let signature = sign(&key(ANVIL_1), digest).unwrap();
    assert_eq!(
        hex::encode(signature),
        "4348f9d4aaa10e48b62713daa0542bf0c8550deb71d90281b82fb3282c97b1d7\
         5ddea3de1a588abb72407632d4d5e284bae3ec2feaea12fd08603d86d352d008\
         1b"
    );
    // v = 27: the top bit of `vs` stays clear.
    let compact = sign_compact(&key(ANVIL_0), digest).unwrap();
    assert_eq!(compact[..], sign(&key(ANVIL_0), digest).unwrap()[..64]);
}

#[test]
fn compact_signatures_carry_v_in_the_top_bit() {
    // Find a digest whose signature has v = 28 and check the bit is set and s restored.
    for i in 0u64..64 {
        let digest = keccak256(i.to_be_bytes());
        let full = sign(&key(ANVIL_0), digest).unwrap();
        let compact = sign_compact(&key(ANVIL_0), digest).unwrap();
        assert_eq!(compact[..32], full[..32]);
        assert_eq!(compact[32] >> 7, full[64] - 27);
        assert_eq!(compact[32] & 0x7f, full[32]);
        assert_eq!(compact[33..], full[33..64]);
    }
}

#[test]
fn signer_addresses_of_the_anvil_keys() {
    assert_eq!(
        signer_address(&key(ANVIL_0)),
        address!("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
    );
    assert_eq!(
        signer_address(&key(ANVIL_1)),
        address!("0x70997970C51812dc3A010C7d01b50e0d17dc79C8")
    );
    assert_eq!(
        signer_address(&key(
            "5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"
        )),
        address!("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC")
    );
    assert_eq!(
        signer_address(&key(
            "7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6"
        )),
        address!("0x90F79bf6EB2c4f870365E785982E1f101E93b906")
    );
}

// ---- §12.7: the PayerReportManager test tree ----

fn test_fees() -> Vec<PayerFee> {
    (1u8..=6)
        .map(|i| PayerFee {
            payer: Address::with_last_byte(i),
            fee: u128::from(i) * 100_000_000,
        })
        .collect()
}

#[test]
fn payer_fee_tree_matches_the_reference_tree() {
    let tree = PayerTree::from_fees(&test_fees()).unwrap();
    assert_eq!(
        hex::encode(&tree.leaves()[0]),
        "0000000000000000000000000000000000000000000000000000000000000001\
         0000000000000000000000000000000000000000000000000000000005f5e100"
    );
    assert_eq!(
        merkle::leaf_hash(keccak, &tree.leaves()[0]),
        b256!("0xc08a865a4e5c7a82c2c76e338b24a34bf697e3f5fa7efc2e220a2fcc66a10f43")
    );
    assert_eq!(
        tree.root(),
        b256!("0x5807d8ca94a88902828131e142324977223e0021944d54e5c63881a0421a4e8d")
    );
    let six = B256::from(U256::from(6));
    assert_eq!(
        tree.proof(0, 3).unwrap(),
        vec![
            six,
            b256!("0xc7a83e45e11b69800b058f902598615625ff3d69c180fd2d59a2ca3cb88f6dec"),
            b256!("0x4683c80d7765d87de0a6c38b3ceb3861b1c9f8cdd4e5b7b4229148216af2748b"),
        ]
    );
    assert_eq!(
        tree.proof(3, 3).unwrap(),
        vec![
            six,
            b256!("0xf3572cea2c37a3dfba968d85469e4c7c51a1ad4d0b924f78516200c1a8615322"),
            b256!("0x8b593c47db921044f53d1b66ebbfddfa4704c453932831d94d593e33dacb1665"),
        ]
    );
    assert_eq!(tree.proof(0, 6).unwrap(), vec![six]);
    let micro: Vec<u128> = test_fees()[..3]
        .iter()
        .map(PayerFee::micro_dollars)
        .collect();
    assert_eq!(micro, [100, 200, 300]);
}

#[test]
fn ceiling_tree_matches_the_reference_tree() {
    let fees =
        [(1u8, 100_000_001u128), (2, 200_000_000), (3, 300_500_000)].map(|(payer, fee)| PayerFee {
            payer: Address::with_last_byte(payer),
            fee,
        });
    let tree = PayerTree::from_fees(&fees).unwrap();
    assert_eq!(
        tree.root(),
        b256!("0xd4ec0dad298eb8f566d0f79b3beb905e08fa6d9cc1411034ca8ef719cca84ff3")
    );
    assert_eq!(tree.proof(0, 3).unwrap(), vec![B256::from(U256::from(3))]);
    assert_eq!(fees.map(|fee| fee.micro_dollars()), [101, 200, 301]);
}

#[test]
fn settle_digest_of_the_reference_tests_is_the_empty_node_set_report() {
    let tree = PayerTree::from_fees(&test_fees()).unwrap();
    let report = report(0, 0, 0, 0, tree.root(), vec![]);
    // The id `settleUsage` receives: the digest of the stored report (originator 0, no nodes).
    assert_eq!(
        report.digest(&foundry_domain()),
        digest_of(foundry_domain().separator(), report.struct_hash())
    );
}

// ---- §12.8: small ASCII trees ----

fn ascii_tree(leaves: &str) -> PayerTree {
    PayerTree::from_leaves(leaves.bytes().map(|b| vec![b]).collect()).unwrap()
}

fn proof_words(count: u64, hashes: &[&str]) -> Vec<B256> {
    let mut proof = vec![B256::from(U256::from(count))];
    proof.extend(
        hashes
            .iter()
            .map(|h| B256::from_slice(&hex::decode(h).unwrap())),
    );
    proof
}

const HASH_A: &str = "659b12d308379ab616eeb7366696d9f3add24c2668b583dceb695ffec3ff116d";
const HASH_B: &str = "1dae3777261013e2bfde47494f08ca6eb43c87c66b2fdbd5a3f0d27745a48c7c";
const PAIR_C: &str = "7f67816d75950770291a8f8450750b0f3fd2f13a9af26fa68245d7bcea21b295";
const PAIR_AB: &str = "32a3281ffb494a0b09ba9113f00b81c1469b43d9f679b26aab4103aed58df738";
const NODE_CDE: &str = "27a953edaee26bc81956c08e6bde02662ae701ec09e49da8ad1e80555bef6ced";

#[test]
fn small_trees_match_the_derived_vectors() {
    let a = ascii_tree("a");
    assert_eq!(
        a.root(),
        b256!("0x7da247765073a3cf80f117149d59c3abfc993bed236e712cdfa1406062a9e427")
    );
    assert_eq!(a.proof(0, 1).unwrap(), proof_words(1, &[]));

    let ab = ascii_tree("ab");
    assert_eq!(
        ab.root(),
        b256!("0x9db062d1bc046090d7809d29053a6b9f661e11d80815d52346bca00a6f2333ac")
    );
    assert_eq!(ab.proof(0, 1).unwrap(), proof_words(2, &[HASH_B]));
    assert_eq!(ab.proof(1, 1).unwrap(), proof_words(2, &[HASH_A]));
    assert_eq!(ab.proof(0, 2).unwrap(), proof_words(2, &[]));

    let abc = ascii_tree("abc");
    assert_eq!(
        abc.root(),
        b256!("0x78c0f47169f07d803061e0aaf08619fc8d314ad893c6bb801ee1364606ae5d86")
    );
    assert_eq!(abc.proof(0, 1).unwrap(), proof_words(3, &[HASH_B, PAIR_C]));
    assert_eq!(abc.proof(1, 1).unwrap(), proof_words(3, &[HASH_A, PAIR_C]));
    assert_eq!(abc.proof(2, 1).unwrap(), proof_words(3, &[PAIR_AB]));
    assert_eq!(abc.proof(1, 2).unwrap(), proof_words(3, &[HASH_A]));

    let abcde = ascii_tree("abcde");
    assert_eq!(
        abcde.root(),
        b256!("0x9b209b13ab90fbe44944d0c7d7a960145f3b64540ddadc092938f9f59929d663")
    );
    assert_eq!(
        abcde.proof(0, 2).unwrap(),
        proof_words(
            5,
            &[
                "efa3561e21250d6d3359b786b5c5f80b2680e28d1452f243d0cf79358fd3072a",
                NODE_CDE
            ]
        )
    );
    assert_eq!(abcde.proof(2, 3).unwrap(), proof_words(5, &[PAIR_AB]));
    assert_eq!(
        abcde.proof(4, 1).unwrap(),
        proof_words(
            5,
            &["bd874d93733f84f26f9497dc5b06393f0d0bb90db4034a112ddb98f6449b8833"]
        )
    );
    assert_eq!(
        abcde.proof(1, 3).unwrap(),
        proof_words(5, &[HASH_A, NODE_CDE])
    );
}

#[test]
fn empty_tree_has_the_zero_root_and_no_batches() {
    let tree = PayerTree::from_leaves(vec![]).unwrap();
    assert_eq!(tree.root(), B256::ZERO);
    assert_eq!(tree.batches(&[]).unwrap(), vec![]);
    assert_eq!(
        tree.proof(0, 1),
        Err(ReportError::BatchOutOfRange {
            start: 0,
            count: 1,
            leaf_count: 0
        })
    );
}

#[test]
fn bad_batches_and_fees_are_typed_errors() {
    let tree = ascii_tree("abc");
    assert_eq!(tree.proof(0, 0), Err(ReportError::EmptyBatch));
    assert_eq!(
        tree.proof(2, 2),
        Err(ReportError::BatchOutOfRange {
            start: 2,
            count: 2,
            leaf_count: 3
        })
    );
    assert_eq!(
        tree.proof(u64::MAX, 2),
        Err(ReportError::BatchOutOfRange {
            start: u64::MAX,
            count: 2,
            leaf_count: 3
        })
    );
    let fee = PayerFee {
        payer: Address::ZERO,
        fee: 1 << 96,
    };
    assert_eq!(fee.leaf(), Err(ReportError::FeeTooLarge(1 << 96)));
    assert!(PayerTree::from_fees(&[fee]).is_err());
}

// ---- §12.9: fee split ----

#[test]
fn fee_split_matches_the_reference_examples() {
    assert_eq!(fee_split(100, 1000, 3), (10, 30));
    assert_eq!(fee_split(200, 750, 3), (17, 61));
    assert_eq!(fee_split(200, 750, 0), (200, 0));
    assert_eq!(fee_split(7, 10_000, 2), (7, 0));
}

// ---- calldata ----

#[test]
fn calldata_round_trips_through_the_interface() {
    let tree = PayerTree::from_fees(&test_fees()).unwrap();
    let batches = tree.batches(&[3]).unwrap();
    let calldata = settle_calldata(7, 2, &batches[1]);
    assert_eq!(calldata[..4], IPayerReportManager::settleCall::SELECTOR);
    let call = IPayerReportManager::settleCall::abi_decode(&calldata).unwrap();
    assert_eq!(call.originatorNodeId_, 7);
    assert_eq!(call.payerReportIndex_, U256::from(2));
    assert_eq!(call.payerFees_.len(), 3);
    assert_eq!(call.payerFees_[0].to_vec(), tree.leaves()[3]);
    assert_eq!(call.proofElements_, tree.proof(3, 3).unwrap());

    let report = row3();
    let signature = sign(&key(ANVIL_0), report.digest(&foundry_domain())).unwrap();
    let calldata = submit_calldata(&report, &[(100, signature.to_vec())]);
    assert_eq!(calldata[..4], hex::decode("844446cd").unwrap()[..]);
    let call = IPayerReportManager::submitCall::abi_decode(&calldata).unwrap();
    assert_eq!(call.nodeIds_, report.node_ids);
    assert_eq!(call.payersMerkleRoot_, report.payers_merkle_root);
    assert_eq!(call.signatures_[0].nodeId, 100);
    assert_eq!(call.signatures_[0].signature.to_vec(), signature.to_vec());
}

// ---- §12.6: the reference's proof samples ----

fn plus_one(word: B256) -> B256 {
    B256::from(U256::from_be_bytes(word.0).wrapping_add(U256::from(1)))
}

/// Only a batch of each sample's tree is known, so its proof cannot be rebuilt; the root a
/// batch and its proof commit to can, and every variant the reference tests is refused.
#[test]
fn reference_proof_samples_give_their_roots() {
    for (name, start, leaves, proof, root) in merkle::vectors::samples() {
        assert_eq!(batch_root(start, &leaves, &proof), Ok(root), "{name}");
        assert_eq!(
            verify(plus_one(root), start, &leaves, &proof),
            Err(ProofError::InvalidProof)
        );
        let mut tampered = leaves.clone();
        tampered[0] = B256::repeat_byte(0x0f);
        assert_eq!(
            verify(root, start, &tampered, &proof),
            Err(ProofError::InvalidProof)
        );
        if proof.len() > 1 {
            let mut tampered = proof.clone();
            tampered[1] = plus_one(tampered[1]);
            assert_eq!(
                verify(root, start, &leaves, &tampered),
                Err(ProofError::InvalidProof)
            );
        }
        let n = U256::from_be_bytes(proof[0].0).to::<u64>();
        let mut bigger = proof.clone();
        bigger[0] = plus_one(proof[0]);
        for (start, proof) in [(start + 1, &proof), (n + 1, &proof), (start, &bigger)] {
            assert_eq!(
                verify(root, start, &leaves, proof),
                Err(ProofError::InvalidProof),
                "{name} variant"
            );
        }
    }
}

/// B1 and U1 are whole trees once B1's second leaf is known: B1's decommitment is the leaf
/// hash of B2's first leaf. The toolkit rebuilds both roots and proofs bit for bit.
#[test]
fn the_whole_tree_samples_are_rebuilt_with_their_proofs() {
    use merkle::vectors::{samples, B2_LEAVES, LEAF_6330};
    let samples = samples();
    let (_, _, _, b1_proof, b1_root) = &samples[0];
    assert_eq!(
        b1_proof[1],
        merkle::leaf_hash(keccak, B2_LEAVES[0].as_slice())
    );
    let b1 = PayerTree::from_leaves(vec![LEAF_6330.to_vec(), B2_LEAVES[0].to_vec()]).unwrap();
    assert_eq!(b1.root(), *b1_root);
    assert_eq!(&b1.proof(0, 1).unwrap(), b1_proof);
    let (_, _, _, u1_proof, u1_root) = &samples[3];
    let u1 = PayerTree::from_leaves(vec![LEAF_6330.to_vec()]).unwrap();
    assert_eq!(u1.root(), *u1_root);
    assert_eq!(&u1.proof(0, 1).unwrap(), u1_proof);
}

#[test]
fn batch_root_edge_cases_are_the_verifiers() {
    let none: [&[u8]; 0] = [];
    let word = |n: u64| B256::from(U256::from(n));
    assert_eq!(batch_root(0, &none, &[word(0)]), Ok(B256::ZERO));
    assert_eq!(
        batch_root(0, &[b""], &[word(0)]),
        Err(ProofError::InvalidProof)
    );
    assert_eq!(batch_root(1, &none, &[word(0)]), Err(ProofError::NoLeaves));
    assert_eq!(batch_root(0, &none, &[word(1)]), Err(ProofError::NoLeaves));
    assert_eq!(
        batch_root(0, &[[0u8]], &[word(1 << 32)]),
        Err(ProofError::InvalidBitCount32Input)
    );
    assert_eq!(batch_root(0, &none, &[]), Err(ProofError::NoProofElements));
    assert_eq!(
        ProofError::InvalidProof.to_string(),
        "InvalidProof(): the batch is not at its position in the tree"
    );
}

// ---- §12.2: the vectors that must not match, and the high-s twin ----

/// Row 3 hashed the standard EIP-712 way (element words only): the spec's two values, which
/// the toolkit's digest must differ from.
#[test]
fn standard_array_hashing_gives_the_spec_s_other_digest() {
    let report = row3();
    let standard_ids: Vec<u8> = report
        .node_ids
        .iter()
        .flat_map(|id| U256::from(*id).to_be_bytes::<32>())
        .collect();
    let mut preimage = PAYER_REPORT_TYPEHASH.to_vec();
    for value in [1u64, 2, 3, 4] {
        preimage.extend_from_slice(&U256::from(value).to_be_bytes::<32>());
    }
    preimage.extend_from_slice(report.payers_merkle_root.as_slice());
    preimage.extend_from_slice(keccak256(standard_ids).as_slice());
    let standard = keccak256(preimage);
    assert_eq!(
        standard,
        b256!("0xd0f843926bf2c20c37b9673705d77648dadfb14a63ac659f06929347d6ad7dd2")
    );
    let standard_digest = digest_of(foundry_domain().separator(), standard);
    assert_eq!(
        standard_digest,
        b256!("0x79f316f2836745161f3020e431db382ce57aab339df1429de068a62bf940295b")
    );
    assert_ne!(report.struct_hash(), standard);
    assert_ne!(report.digest(&foundry_domain()), standard_digest);
}

/// The toolkit signs with low `s`; its high-`s` twin (which the program accepts) is the spec's.
#[test]
fn the_row3_signature_s_high_s_twin_is_the_spec_s() {
    let signature = sign(&key(ANVIL_0), row3().digest(&foundry_domain())).unwrap();
    let order = U256::from_be_bytes(hex!(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141"
    ));
    let twin = order - U256::from_be_slice(&signature[32..64]);
    assert_eq!(
        B256::from(twin),
        b256!("0x840f82a8783efeff52832e1a406531ded593d18233e9815913dc545fd7df221b")
    );
    assert_eq!(55 - signature[64], 28);
}

// ---- properties ----

fn leaves_of(seed: u64, n: usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| {
            PayerFee {
                payer: Address::from_word(keccak256((seed, i as u64).abi_encode())),
                fee: u128::from(keccak256((i as u64, seed).abi_encode())[0]) * 999_999,
            }
            .leaf()
            .unwrap()
        })
        .collect()
}

fn verify<L: AsRef<[u8]>>(
    root: B256,
    start: u64,
    leaves: &[L],
    proof: &[B256],
) -> Result<(), ProofError> {
    if batch_root(start, leaves, proof)? == root {
        Ok(())
    } else {
        Err(ProofError::InvalidProof)
    }
}

/// Batches from any boundaries verify, in order, and cover each leaf exactly once; any
/// altered leaf, offset, count or element is refused.
fn batches_verify_and_tampering_fails(n: usize, seed: u64, cuts: &[u64], pick: u64) {
    let tree = PayerTree::from_leaves(leaves_of(seed, n)).unwrap();
    let batches = tree.batches(cuts).unwrap();
    let mut next = 0u64;
    for batch in &batches {
        assert_eq!(batch.start, next);
        assert_eq!(
            verify(tree.root(), batch.start, &batch.leaves, &batch.proof),
            Ok(())
        );
        next += batch.leaves.len() as u64;
    }
    assert_eq!(next, n as u64);

    let batch = &batches[usize::try_from(pick).unwrap() % batches.len()];
    let refused = |start: u64, leaves: &[Vec<u8>], proof: &[B256], what: &str| {
        assert_eq!(
            verify(tree.root(), start, leaves, proof),
            Err(ProofError::InvalidProof),
            "{what}"
        );
    };
    let leaf = usize::try_from(pick >> 8).unwrap() % batch.leaves.len();
    for (byte, what) in [(63, "amount"), (31, "payer")] {
        let mut leaves = batch.leaves.clone();
        leaves[leaf][byte] ^= 1;
        refused(batch.start, &leaves, &batch.proof, what);
    }
    refused(batch.start + 1, &batch.leaves, &batch.proof, "offset + 1");
    if batch.start > 0 {
        refused(batch.start - 1, &batch.leaves, &batch.proof, "offset - 1");
    }
    if batch.proof.len() > 1 {
        let element = 1 + usize::try_from(pick >> 16).unwrap() % (batch.proof.len() - 1);
        let mut proof = batch.proof.clone();
        proof[element].0[31] ^= 1;
        refused(batch.start, &batch.leaves, &proof, "element");
        let short = &batch.proof[..batch.proof.len() - 1];
        refused(batch.start, &batch.leaves, short, "element missing");
    }
    let mut proof = batch.proof.clone();
    proof[0] = B256::from(U256::from(n + 1));
    refused(batch.start, &batch.leaves, &proof, "leaf count");
    if batch.leaves.len() > 1 {
        refused(
            batch.start,
            &batch.leaves[1..],
            &batch.proof,
            "leaf left out",
        );
    }
}

/// The property at both ends of its range, so the 3,000-leaf bound is always exercised.
#[test]
fn batches_at_one_and_three_thousand_leaves() {
    batches_verify_and_tampering_fails(1, 3, &[], 0);
    batches_verify_and_tampering_fails(3000, 4, &[1, 1024, 2048, 2999], 0x0102_0304);
    batches_verify_and_tampering_fails(3000, 5, &[], 9);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Random payer sets of 1 to 3,000 leaves and random batch boundaries.
    #[test]
    fn batch_proofs_verify_and_tampering_fails(
        n in 1usize..=3000,
        seed in any::<u64>(),
        raw_cuts in proptest::collection::vec(any::<u64>(), 0..8),
        pick in any::<u64>(),
    ) {
        let cuts: Vec<u64> = raw_cuts.iter().map(|c| c % n as u64).collect();
        batches_verify_and_tampering_fails(n, seed, &cuts, pick);
    }

    /// The split never pays out more than was settled, and pays all of it.
    #[test]
    fn fee_split_is_exact(fees in 0u128..(1 << 96), rate in 0u16..=10_000, nodes in 0u32..300) {
        let (protocol, portion) = fee_split(fees, rate, nodes);
        prop_assert_eq!(protocol + portion * u128::from(nodes), fees);
        if nodes > 0 {
            prop_assert!(protocol * 10_000 >= fees * u128::from(rate));
        }
    }
}
