use alloy_primitives::{address, b256, hex, keccak256, Address, Bytes, B256, U256};
use alloy_sol_types::{SolCall, SolError, SolEvent, SolValue};
use k256::ecdsa::SigningKey;
use proptest::prelude::*;
use xmtp_abi::{
    migratable::ZeroMigrator,
    oz_erc721::ERC721NonexistentToken,
    oz_initializable::{Initialized, InvalidInitialization},
    parameter_registry::IParameterRegistryLike,
    payer_registry::{IPayerRegistryLike, NotSettler, PayerFee},
    payer_report_manager::{IPayerReportManager, PayerReport, PayerReportSignature},
};
use xmtp_core::{
    slots::{ERC1967_IMPLEMENTATION, ERC712, OZ_INITIALIZABLE, PAYER_REPORT_MANAGER},
    testing::{assert_migrate_through_registry, CallKind, MockHost},
    wiring::set_address_for_tests,
};
use xmtp_reports::{sign, sign_compact, signer_address, PayerFee as Fee, PayerTree};

use super::*;

/// The Foundry proxy address and chain of the reference tests (spec §12.1).
const PROXY: Address = address!("0x2e234DAe75C793f67A35089C9d99245E1C58470b");
const IMPLEMENTATION: Address = address!("0x5615dEB798BB3E4dFa0139dFa1b3D433Cc23b72f");
const REGISTRY: Address = address!("0x0000000000000000000000000000000000000e01");
const NODES: Address = address!("0x0000000000000000000000000000000000000e02");
const PAYERS: Address = address!("0x0000000000000000000000000000000000000e03");
const CALLER: Address = address!("0x0000000000000000000000000000000000000d01");
const MIGRATOR: Address = address!("0x0000000000000000000000000000000000000c01");

const KEYS: [&str; 4] = [
    "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    "7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
];

fn key(i: usize) -> SigningKey {
    SigningKey::from_slice(&hex::decode(KEYS[i]).unwrap()).unwrap()
}

fn manager() -> (MockHost, PayerReportManager) {
    let host = MockHost::new();
    host.vm.set_contract_address(PROXY);
    host.vm.set_chain_id(31_337);
    host.vm.set_sender(CALLER);
    host.vm
        .set_storage(ERC1967_IMPLEMENTATION, IMPLEMENTATION.into_word());
    set_address_for_tests("parameterRegistry", REGISTRY);
    set_address_for_tests("nodeRegistry", NODES);
    set_address_for_tests("payerRegistry", PAYERS);
    let manager = PayerReportManager::from(&host);
    (host, manager)
}

fn log(event: &impl SolEvent) -> (Vec<B256>, Vec<u8>) {
    let data = event.encode_log_data();
    (data.topics().to_vec(), data.data.to_vec())
}

fn err(error: impl Into<PayerReportManagerError>) -> PayerReportManagerError {
    error.into()
}

fn word(n: u64) -> B256 {
    B256::from(U256::from(n))
}

fn mock_param(host: &MockHost, key: &str, value: Result<Vec<u8>, Vec<u8>>) {
    let calldata = IParameterRegistryLike::get_0Call { key_: key.into() }.abi_encode();
    host.mock(CallKind::Static, REGISTRY, calldata, value);
}

fn mock_canonical(host: &MockHost, ids: &[u32]) {
    host.mock(
        CallKind::Static,
        NODES,
        INodeRegistryLike::getCanonicalNodesCall {}.abi_encode(),
        Ok(ids.to_vec().abi_encode()),
    );
}

fn mock_is_canonical(host: &MockHost, id: u32, outcome: Result<bool, Vec<u8>>) {
    host.mock(
        CallKind::Static,
        NODES,
        INodeRegistryLike::getIsCanonicalNodeCall { nodeId_: id }.abi_encode(),
        outcome.map(|b| b.abi_encode()),
    );
}

fn mock_signer(host: &MockHost, id: u32, signer: Address) {
    host.mock(
        CallKind::Static,
        NODES,
        INodeRegistryLike::getSignerCall { nodeId_: id }.abi_encode(),
        Ok(signer.abi_encode()),
    );
}

/// Answers the ecrecover precompile for `signature` over `digest` with what k256 recovers
/// (nothing for a `v` the precompile refuses), as the chain would.
fn mock_ecrecover(host: &MockHost, digest: B256, signature: &[u8]) {
    let (r, s, v) = if signature.len() == 64 {
        let mut s = B256::from_slice(&signature[32..]);
        let v = 27 + (s[0] >> 7);
        s[0] &= 0x7f;
        (B256::from_slice(&signature[..32]), s, v)
    } else {
        (
            B256::from_slice(&signature[..32]),
            B256::from_slice(&signature[32..64]),
            signature[64],
        )
    };
    let recovered = recover(digest, r, s, v);
    host.mock(
        CallKind::Static,
        ecdsa::ECRECOVER,
        ecdsa::ecrecover_input(digest, v, r, s).to_vec(),
        Ok(recovered.map_or(vec![], |a| a.into_word().to_vec())),
    );
}

/// What the precompile recovers (k256 refuses high `s`, the precompile does not: fold it).
fn recover(digest: B256, r: B256, s: B256, v: u8) -> Option<Address> {
    let order = U256::from_be_bytes(hex!(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141"
    ));
    let mut v = v.checked_sub(27)?;
    let mut s = s;
    if U256::from_be_bytes(s.0) > ecdsa::MAX_S && v < 2 {
        s = B256::from(order - U256::from_be_bytes(s.0));
        v ^= 1;
    }
    let id = k256::ecdsa::RecoveryId::from_byte(v)?;
    let mut bytes = [0u8; 64];
    bytes[..32].copy_from_slice(r.as_slice());
    bytes[32..].copy_from_slice(s.as_slice());
    let signature = k256::ecdsa::Signature::from_slice(&bytes).ok()?;
    let key =
        k256::ecdsa::VerifyingKey::recover_from_prehash(digest.as_slice(), &signature, id).ok()?;
    let point = key.to_encoded_point(false);
    Some(Address::from_raw_public_key(&point.as_bytes()[1..]))
}

const ROOT: B256 = b256!("0x1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef");

/// Canonical nodes 100, 200, 300 (registry order 300, 100, 200), signers = keys 0, 1, 2.
fn canonical_three(host: &MockHost) {
    mock_canonical(host, &[300, 100, 200]);
    for (i, id) in [100u32, 200, 300].into_iter().enumerate() {
        mock_is_canonical(host, id, Ok(true));
        mock_signer(host, id, signer_address(&key(i)));
    }
}

/// Signatures of keys `signers` (by node 100 · (i + 1)) over `digest`, mocked at the precompile.
fn signatures(host: &MockHost, digest: B256, signers: &[usize]) -> Vec<(u32, Bytes)> {
    signers
        .iter()
        .map(|i| {
            let signature = sign(&key(*i), digest).unwrap().to_vec();
            mock_ecrecover(host, digest, &signature);
            (
                100 * (u32::try_from(*i).unwrap() + 1),
                Bytes::from(signature),
            )
        })
        .collect()
}

fn digest_of(
    manager: &PayerReportManager,
    o: u32,
    s: u64,
    e: u64,
    m: u32,
    root: B256,
    ids: &[u32],
) -> B256 {
    manager.get_payer_report_digest(o, s, e, m, root, ids.to_vec())
}

fn submit(
    manager: &mut PayerReportManager,
    originator: u32,
    start: u64,
    end: u64,
    root: B256,
    signatures: Vec<(u32, Bytes)>,
) -> Result<U256, PayerReportManagerError> {
    manager.submit(
        originator,
        start,
        end,
        40,
        root,
        vec![100, 200, 300],
        signatures,
    )
}

fn submit_signed(
    host: &MockHost,
    manager: &mut PayerReportManager,
    start: u64,
    end: u64,
    root: B256,
) {
    let digest = digest_of(manager, 7, start, end, 40, root, &[100, 200, 300]);
    let sigs = signatures(host, digest, &[0, 1]);
    submit(manager, 7, start, end, root, sigs).unwrap();
}

// ---- initialize ----

#[test]
fn initialize_stores_the_domain_separator_and_emits_initialized() {
    let (host, mut manager) = manager();
    assert_eq!(manager.initialize(), Ok(()));
    assert_eq!(
        host.vm.get_storage(ERC712),
        b256!("0xdbc3c9c77bfb8c8656e87b666d2b06300835634ecfb091e1925d30614ceb1e43")
    );
    assert_eq!(
        host.vm.get_storage(OZ_INITIALIZABLE),
        B256::with_last_byte(1)
    );
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![log(&Initialized { version: 1 })]
    );
    assert_eq!(manager.protocol_fee_rate(), 0);
    assert_eq!(manager.initialize(), Err(err(InvalidInitialization {})));
}

#[test]
fn initialize_on_the_bare_implementation_reverts() {
    let (host, mut manager) = manager();
    host.vm.set_storage(ERC1967_IMPLEMENTATION, B256::ZERO);
    assert_eq!(manager.initialize(), Err(err(InvalidInitialization {})));
    assert_eq!(host.vm.get_storage(ERC712), B256::ZERO);
}

// ---- views ----

#[test]
fn constant_views() {
    let (_host, manager) = manager();
    assert_eq!(PayerReportManager::version(), "1.0.1");
    assert_eq!(PayerReportManager::contract_name(), "PayerReportManager");
    assert_eq!(
        PayerReportManager::protocol_fee_rate_parameter_key(),
        "xmtp.payerReportManager.protocolFeeRate"
    );
    assert_eq!(
        PayerReportManager::migrator_parameter_key(),
        "xmtp.payerReportManager.migrator"
    );
    assert_eq!(
        PayerReportManager::payer_report_typehash(),
        keccak256(
            "PayerReport(uint32 originatorNodeId,uint64 startSequenceId,uint64 endSequenceId,\
         uint32 endMinuteSinceEpoch,bytes32 payersMerkleRoot,uint32[] nodeIds)"
        )
    );
    assert_eq!(PayerReportManager::one_hundred_percent(), 10_000);
    assert_eq!(manager.parameter_registry_getter(), REGISTRY);
    assert_eq!(manager.node_registry_getter(), NODES);
    assert_eq!(manager.payer_registry_getter(), PAYERS);
    assert_eq!(manager.implementation(), IMPLEMENTATION);
    assert_eq!(keccak256(DOMAIN_NAME), DOMAIN_NAME_HASH);
    assert_eq!(keccak256(DOMAIN_VERSION), DOMAIN_VERSION_HASH);
}

#[test]
fn domain_separator_and_eip712_domain() {
    let (host, manager) = manager();
    assert_eq!(
        manager.domain_separator(),
        b256!("0xdbc3c9c77bfb8c8656e87b666d2b06300835634ecfb091e1925d30614ceb1e43")
    );
    assert_eq!(
        manager.eip712_domain(),
        (
            FixedBytes([0x0f]),
            "PayerReportManager".into(),
            "1".into(),
            U256::from(31_337),
            PROXY,
            B256::ZERO,
            vec![]
        )
    );
    // On another chain the separator follows the chain id, as the reference recomputes it.
    host.vm.set_chain_id(1);
    assert_ne!(
        manager.domain_separator(),
        b256!("0xdbc3c9c77bfb8c8656e87b666d2b06300835634ecfb091e1925d30614ceb1e43")
    );
    assert_eq!(manager.eip712_domain().3, U256::from(1));
}

#[test]
fn digests_match_the_reference_vectors() {
    let (_host, manager) = manager();
    assert_eq!(
        digest_of(&manager, 1, 2, 3, 4, word(5), &[0; 6]),
        b256!("0xdde54243da83f4b7c3fa535080f6cd0441fda0649edb15d95551f895a3529dfc")
    );
    assert_eq!(
        digest_of(&manager, 10, 20, 30, 40, word(50), &[0; 60]),
        b256!("0xb70f0c64254571c8cc5f6a84339bae9a135744d1f8059a3908121c95b40529f7")
    );
    assert_eq!(
        digest_of(&manager, 1, 2, 3, 4, ROOT, &[100, 200, 300, 400, 500]),
        b256!("0x68e2a926d1e4309c70d546f976fc17eacc87d245862ad8a5d9c80b86e1dd4d61")
    );
}

// ---- submit ----

#[test]
fn submit_stores_the_report_and_emits_with_the_valid_signers() {
    let (host, mut manager) = manager();
    canonical_three(&host);
    let digest = digest_of(&manager, 100, 0, 10, 40, ROOT, &[100, 200, 300]);
    let sigs = signatures(&host, digest, &[0, 2]);
    assert_eq!(
        manager.submit(100, 0, 10, 40, ROOT, vec![100, 200, 300], sigs),
        Ok(U256::ZERO)
    );
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![log(&PayerReportSubmitted {
            originatorNodeId: 100,
            payerReportIndex: U256::ZERO,
            startSequenceId: 0,
            endSequenceId: 10,
            endMinuteSinceEpoch: 40,
            payersMerkleRoot: ROOT,
            nodeIds: vec![100, 200, 300],
            signingNodeIds: vec![100, 300],
        })]
    );
    // The array of originator 100 and its element 0 sit where the spec (and Solidity) put them.
    let length_slot = U256::from_be_bytes(
        b256!("0x09707453f53b19b83c95f0fe6514da25ef14d979ed87bea68758119b423126e1").0,
    );
    let element = U256::from_be_bytes(
        b256!("0x1010337d22ca9ea08a1c16278d8886320d7cda447fba5bcfba487d6defbfe18a").0,
    );
    assert_eq!(host.vm.get_storage(length_slot), word(1));
    // start 0 (bytes 0-7), end 10 (8-15), endMinute 40 (16-19), feesSettled 0.
    let slot0 = (U256::from(10) << 64) | (U256::from(40) << 128);
    assert_eq!(host.vm.get_storage(element), B256::from(slot0));
    assert_eq!(host.vm.get_storage(element + U256::from(1)), B256::ZERO);
    assert_eq!(host.vm.get_storage(element + U256::from(2)), ROOT);
    assert_eq!(host.vm.get_storage(element + U256::from(3)), word(3));
    let ids_data = U256::from_be_bytes(keccak256((element + U256::from(3)).to_be_bytes::<32>()).0);
    let packed = U256::from(100) | (U256::from(200) << 32) | (U256::from(300) << 64);
    assert_eq!(host.vm.get_storage(ids_data), B256::from(packed));
    assert_eq!(
        manager.get_payer_report(100, U256::ZERO),
        Ok(((0, 10, 40, U96::ZERO, 0, false, 0, ROOT, vec![100, 200, 300]),))
    );
}

#[test]
fn submit_records_the_rate_and_chains_reports() {
    let (host, mut manager) = manager();
    canonical_three(&host);
    host.vm
        .set_storage(PAYER_REPORT_MANAGER + U256::from(1), word(250));
    submit_signed(&host, &mut manager, 0, 10, ROOT);
    submit_signed(&host, &mut manager, 10, 10, ROOT);
    assert_eq!(
        manager.get_payer_report(7, U256::from(1)).unwrap().0 .6,
        250
    );
    assert_eq!(manager.get_payer_report(7, U256::from(1)).unwrap().0 .0, 10);
    let digest = digest_of(&manager, 7, 11, 12, 40, ROOT, &[100, 200, 300]);
    let sigs = signatures(&host, digest, &[0, 1]);
    assert_eq!(
        submit(&mut manager, 7, 11, 12, ROOT, sigs),
        Err(err(InvalidStartSequenceId {
            startSequenceId: 11,
            lastSequenceId: 10
        }))
    );
}

#[test]
fn submit_of_an_empty_tree_is_settled_at_once() {
    let (host, mut manager) = manager();
    canonical_three(&host);
    submit_signed(&host, &mut manager, 0, 5, B256::ZERO);
    let logs = host.vm.get_emitted_logs();
    assert_eq!(
        logs[1],
        log(&PayerReportSubsetSettled {
            originatorNodeId: 7,
            payerReportIndex: U256::ZERO,
            count: 0,
            remaining: 0,
            feesSettled: U96::ZERO,
        })
    );
    assert!(manager.get_payer_report(7, U256::ZERO).unwrap().0 .5);
    assert_eq!(
        manager.settle(7, U256::ZERO, vec![], vec![word(0)]),
        Err(err(PayerReportEntirelySettled {}))
    );
}

#[test]
fn submit_refuses_a_repeat_of_the_previous_report_before_the_sequence_check() {
    let (host, mut manager) = manager();
    canonical_three(&host);
    submit_signed(&host, &mut manager, 0, 10, ROOT);
    assert_eq!(
        submit(&mut manager, 7, 0, 10, ROOT, vec![]),
        Err(err(PayerReportAlreadySubmitted {
            originatorNodeId: 7,
            startSequenceId: 0,
            endSequenceId: 10
        }))
    );
}

#[test]
fn submit_sequence_checks() {
    let (_host, mut manager) = manager();
    assert_eq!(
        submit(&mut manager, 7, 1, 10, ROOT, vec![]),
        Err(err(InvalidStartSequenceId {
            startSequenceId: 1,
            lastSequenceId: 0
        }))
    );
    let (host, mut manager) = self::manager();
    canonical_three(&host);
    submit_signed(&host, &mut manager, 0, 10, ROOT);
    assert_eq!(
        submit(&mut manager, 7, 10, 9, ROOT, vec![]),
        Err(err(InvalidSequenceIds {}))
    );
}

#[test]
fn submit_node_set_checks() {
    let (host, mut manager) = manager();
    mock_canonical(&host, &[300, 100, 200]);
    assert_eq!(
        manager.submit(7, 0, 1, 0, ROOT, vec![100, 200], vec![]),
        Err(err(NodeIdsLengthMismatch {
            expectedCount: 3,
            providedCount: 2
        }))
    );
    assert_eq!(
        manager.submit(7, 0, 1, 0, ROOT, vec![100, 100, 300], vec![]),
        Err(err(UnorderedNodeIds {}))
    );
    assert_eq!(
        manager.submit(7, 0, 1, 0, ROOT, vec![100, 250, 300], vec![]),
        Err(err(NodeIdAtIndexMismatch {
            expectedId: 200,
            actualId: 250,
            index: 1
        }))
    );
    // Ordering is checked before equality at each index.
    assert_eq!(
        manager.submit(7, 0, 1, 0, ROOT, vec![300, 200, 100], vec![]),
        Err(err(NodeIdAtIndexMismatch {
            expectedId: 100,
            actualId: 300,
            index: 0
        }))
    );
    host.mock(
        CallKind::Static,
        NODES,
        INodeRegistryLike::getCanonicalNodesCall {}.abi_encode(),
        Err(b"down".to_vec()),
    );
    assert_eq!(
        manager.submit(7, 0, 1, 0, ROOT, vec![], vec![]),
        Err(err(Bubbled(b"down".to_vec())))
    );
}

#[test]
fn submit_with_no_canonical_nodes_needs_one_signature_and_fails() {
    let (host, mut manager) = manager();
    mock_canonical(&host, &[]);
    assert_eq!(
        manager.submit(7, 0, 1, 0, ROOT, vec![], vec![]),
        Err(err(InsufficientSignatures {
            validSignatureCount: 0,
            requiredSignatureCount: 1
        }))
    );
}

#[test]
fn submit_needs_a_majority_of_valid_signatures() {
    let (host, mut manager) = manager();
    canonical_three(&host);
    let digest = digest_of(&manager, 7, 0, 1, 40, ROOT, &[100, 200, 300]);
    let sigs = signatures(&host, digest, &[0]);
    assert_eq!(
        submit(&mut manager, 7, 0, 1, ROOT, sigs),
        Err(err(InsufficientSignatures {
            validSignatureCount: 1,
            requiredSignatureCount: 2
        }))
    );
}

#[test]
fn submit_refuses_unordered_signature_node_ids_before_reading_them() {
    let (host, mut manager) = manager();
    canonical_three(&host);
    let digest = digest_of(&manager, 7, 0, 1, 40, ROOT, &[100, 200, 300]);
    let mut sigs = signatures(&host, digest, &[1, 0]);
    assert_eq!(
        submit(&mut manager, 7, 0, 1, ROOT, sigs.clone()),
        Err(err(UnorderedNodeIds {}))
    );
    sigs[1].0 = 200;
    assert_eq!(
        submit(&mut manager, 7, 0, 1, ROOT, sigs),
        Err(err(UnorderedNodeIds {}))
    );
}

#[test]
fn submit_bubbles_the_registry_refusal_of_an_unknown_node() {
    let (host, mut manager) = manager();
    canonical_three(&host);
    let missing = ERC721NonexistentToken {
        tokenId: U256::from(900),
    }
    .abi_encode();
    mock_is_canonical(&host, 900, Err(missing.clone()));
    let digest = digest_of(&manager, 7, 0, 1, 40, ROOT, &[100, 200, 300]);
    let mut sigs = signatures(&host, digest, &[0, 1]);
    sigs.push((900, sigs[0].1.clone()));
    assert_eq!(
        submit(&mut manager, 7, 0, 1, ROOT, sigs),
        Err(err(Bubbled(missing)))
    );
}

#[test]
fn signature_acceptance_follows_solady() {
    let (host, mut manager) = manager();
    mock_canonical(&host, &[100, 200, 300, 400, 500, 600, 700]);
    for (i, id) in [100u32, 200, 300, 400].into_iter().enumerate() {
        mock_is_canonical(&host, id, Ok(true));
        mock_signer(&host, id, signer_address(&key(i)));
    }
    // 500 is not canonical (any more): skipped without asking for its signer.
    mock_is_canonical(&host, 500, Ok(false));
    // 600 is canonical but its registered signer is another key.
    mock_is_canonical(&host, 600, Ok(true));
    mock_signer(&host, 600, signer_address(&key(3)));
    // 700 is canonical; its signature has the wrong length (no recovery attempted).
    mock_is_canonical(&host, 700, Ok(true));
    let ids = vec![100, 200, 300, 400, 500, 600, 700];
    let digest = digest_of(&manager, 7, 0, 1, 40, ROOT, &ids);

    // 100: 65 bytes, low s. 200: EIP-2098 compact. 300: the high-s twin with flipped v.
    // 400: v = 0 (the precompile recovers nothing).
    let s100 = sign(&key(0), digest).unwrap().to_vec();
    let s200 = sign_compact(&key(1), digest).unwrap().to_vec();
    let mut s300 = sign(&key(2), digest).unwrap().to_vec();
    let n = U256::from_be_bytes(hex!(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141"
    ));
    let high_s = n - U256::from_be_slice(&s300[32..64]);
    s300[32..64].copy_from_slice(&high_s.to_be_bytes::<32>());
    s300[64] = 55 - s300[64];
    let mut s400 = sign(&key(3), digest).unwrap().to_vec();
    s400[64] -= 27;
    let s500 = sign(&key(0), digest).unwrap().to_vec();
    let s600 = sign(&key(1), digest).unwrap().to_vec();
    let s700 = vec![1u8; 66];
    for signature in [&s100, &s200, &s300, &s400, &s600] {
        mock_ecrecover(&host, digest, signature);
    }
    let sigs: Vec<(u32, Bytes)> = ids
        .iter()
        .zip([s100, s200, s300, s400, s500, s600, s700])
        .map(|(id, s)| (*id, Bytes::from(s)))
        .collect();
    // 3 valid of 7 < 4 required.
    assert_eq!(
        manager.submit(7, 0, 1, 40, ROOT, ids.clone(), sigs.clone()),
        Err(err(InsufficientSignatures {
            validSignatureCount: 3,
            requiredSignatureCount: 4
        }))
    );
    let asked_signer_of: Vec<u32> = host
        .calls()
        .iter()
        .filter(|(_, to, data)| {
            *to == NODES && data[..4] == INodeRegistryLike::getSignerCall::SELECTOR
        })
        .map(|(_, _, data)| u32::try_from(U256::from_be_slice(&data[4..36])).unwrap())
        .collect();
    // 400 recovered nothing and 500 is not canonical: neither signer is read.
    assert_eq!(asked_signer_of, vec![100, 200, 300, 600]);
    assert!(!host
        .calls()
        .iter()
        .any(|(_, to, data)| *to == ecdsa::ECRECOVER && data.len() != 128));

    // With a fourth valid signature (400 signing properly) the report is accepted.
    let mut sigs = sigs;
    let good400 = sign(&key(3), digest).unwrap().to_vec();
    mock_ecrecover(&host, digest, &good400);
    sigs[3].1 = Bytes::from(good400);
    assert_eq!(
        manager.submit(7, 0, 1, 40, ROOT, ids.clone(), sigs),
        Ok(U256::ZERO)
    );
    let logs = host.vm.get_emitted_logs();
    let (_, data) = logs.last().unwrap();
    let event = PayerReportSubmitted::decode_raw_log(logs.last().unwrap().0.clone(), data).unwrap();
    assert_eq!(event.signingNodeIds, vec![100, 200, 300, 400]);
}

// ---- settle ----

fn test_fees() -> Vec<Fee> {
    (1u8..=6)
        .map(|i| Fee {
            payer: Address::with_last_byte(i),
            fee: u128::from(i) * 100_000_000,
        })
        .collect()
}

/// Stores report 0 of originator 0 with `root` and no node ids, as the reference tests do.
fn store_report(manager: &PayerReportManager, originator: u32, root: B256) {
    report::push(
        manager.vm(),
        originator,
        &Report {
            root,
            ..Report::default()
        },
    );
}

fn settle_usage(digest: B256, fees: &[(u8, u64)]) -> Vec<u8> {
    IPayerRegistryLike::settleUsageCall {
        payerReportId_: digest,
        payerFees_: fees
            .iter()
            .map(|(payer, fee)| PayerFee {
                payer: Address::with_last_byte(*payer),
                fee: U96::from(*fee),
            })
            .collect(),
    }
    .abi_encode()
}

/// Answers the `PayerRegistry`'s `settleUsage(digest, fees)` with the fees it `settled`.
fn mock_settle_usage(host: &MockHost, digest: B256, fees: &[(u8, u64)], settled: u128) {
    host.mock(
        CallKind::Call(U256::ZERO),
        PAYERS,
        settle_usage(digest, fees),
        Ok(U256::from(settled).abi_encode()),
    );
}

/// `PayerReportSubsetSettled` of originator 0's first report.
fn subset_settled(count: u32, remaining: u32, fees_settled: u64) -> (Vec<B256>, Vec<u8>) {
    log(&PayerReportSubsetSettled {
        originatorNodeId: 0,
        payerReportIndex: U256::ZERO,
        count,
        remaining,
        feesSettled: U96::from(fees_settled),
    })
}

fn leaves(tree: &PayerTree, start: usize, count: usize) -> Vec<Bytes> {
    tree.leaves()[start..start + count]
        .iter()
        .cloned()
        .map(Bytes::from)
        .collect()
}

#[test]
fn settle_in_two_batches_debits_scaled_fees_and_settles_the_report() {
    let (host, mut manager) = manager();
    let tree = PayerTree::from_fees(&test_fees()).unwrap();
    assert_eq!(
        tree.root(),
        b256!("0x5807d8ca94a88902828131e142324977223e0021944d54e5c63881a0421a4e8d")
    );
    store_report(&manager, 0, tree.root());
    let digest = digest_of(&manager, 0, 0, 0, 0, tree.root(), &[]);
    mock_settle_usage(&host, digest, &[(1, 100), (2, 200), (3, 300)], 550);
    let proof = vec![
        word(6),
        b256!("0xc7a83e45e11b69800b058f902598615625ff3d69c180fd2d59a2ca3cb88f6dec"),
        b256!("0x4683c80d7765d87de0a6c38b3ceb3861b1c9f8cdd4e5b7b4229148216af2748b"),
    ];
    assert_eq!(
        manager.settle(0, U256::ZERO, leaves(&tree, 0, 3), proof),
        Ok(())
    );
    assert_eq!(host.vm.get_emitted_logs(), vec![subset_settled(3, 3, 550)]);
    assert_eq!(
        manager.get_payer_report(0, U256::ZERO),
        Ok(((0, 0, 0, U96::from(550), 3, false, 0, tree.root(), vec![]),))
    );
    mock_settle_usage(&host, digest, &[(4, 400), (5, 500), (6, 600)], 1500);
    let proof = vec![
        word(6),
        b256!("0xf3572cea2c37a3dfba968d85469e4c7c51a1ad4d0b924f78516200c1a8615322"),
        b256!("0x8b593c47db921044f53d1b66ebbfddfa4704c453932831d94d593e33dacb1665"),
    ];
    // Replaying the first batch's proof at the new offset fails.
    assert_eq!(
        manager.settle(0, U256::ZERO, leaves(&tree, 0, 3), proof.clone()),
        Err(err(InvalidProof {}))
    );
    assert_eq!(
        manager.settle(0, U256::ZERO, leaves(&tree, 3, 3), proof),
        Ok(())
    );
    assert_eq!(host.vm.get_emitted_logs()[1], subset_settled(3, 0, 1500));
    assert_eq!(
        manager.get_payer_report(0, U256::ZERO),
        Ok(((0, 0, 0, U96::from(2050), 6, true, 0, tree.root(), vec![]),))
    );
    assert_eq!(
        manager.settle(0, U256::ZERO, leaves(&tree, 0, 6), vec![word(6)]),
        Err(err(PayerReportEntirelySettled {}))
    );
}

/// The reference tree's six leaves in one batch: proof `[6]`, event `(0, 0, 6, 0, fees)`.
#[test]
fn settle_the_reference_tree_in_one_batch() {
    let (host, mut manager) = manager();
    let tree = PayerTree::from_fees(&test_fees()).unwrap();
    store_report(&manager, 0, tree.root());
    let digest = digest_of(&manager, 0, 0, 0, 0, tree.root(), &[]);
    let all: Vec<(u8, u64)> = (1..=6).map(|i| (i, u64::from(i) * 100)).collect();
    mock_settle_usage(&host, digest, &all, 2100);
    assert_eq!(
        manager.settle(0, U256::ZERO, leaves(&tree, 0, 6), vec![word(6)]),
        Ok(())
    );
    assert_eq!(host.vm.get_emitted_logs(), vec![subset_settled(6, 0, 2100)]);
    assert_eq!(
        manager.get_payer_report(0, U256::ZERO),
        Ok(((0, 0, 0, U96::from(2100), 6, true, 0, tree.root(), vec![]),))
    );
}

#[test]
fn settle_all_at_once_and_rounds_fees_up() {
    let (host, mut manager) = manager();
    let fees =
        [(1u8, 100_000_001u128), (2, 200_000_000), (3, 300_500_000)].map(|(payer, fee)| Fee {
            payer: Address::with_last_byte(payer),
            fee,
        });
    let tree = PayerTree::from_fees(&fees).unwrap();
    assert_eq!(
        tree.root(),
        b256!("0xd4ec0dad298eb8f566d0f79b3beb905e08fa6d9cc1411034ca8ef719cca84ff3")
    );
    store_report(&manager, 0, tree.root());
    let digest = digest_of(&manager, 0, 0, 0, 0, tree.root(), &[]);
    mock_settle_usage(&host, digest, &[(1, 101), (2, 200), (3, 301)], 602);
    assert_eq!(
        manager.settle(0, U256::ZERO, leaves(&tree, 0, 3), vec![word(3)]),
        Ok(())
    );
    assert_eq!(host.vm.get_emitted_logs(), vec![subset_settled(3, 0, 602)]);
}

#[test]
fn settle_index_and_proof_checks() {
    let (_host, mut manager) = manager();
    assert_eq!(
        manager.settle(0, U256::ZERO, vec![], vec![]),
        Err(err(PayerReportIndexOutOfBounds {}))
    );
    let tree = PayerTree::from_fees(&test_fees()).unwrap();
    store_report(&manager, 0, tree.root());
    assert_eq!(
        manager.settle(0, U256::from(1), vec![], vec![]),
        Err(err(PayerReportIndexOutOfBounds {}))
    );
    assert_eq!(
        manager.settle(0, U256::MAX, vec![], vec![]),
        Err(err(PayerReportIndexOutOfBounds {}))
    );
    assert_eq!(
        manager.settle(0, U256::ZERO, vec![], vec![]),
        Err(err(NoProofElements {}))
    );
    assert_eq!(
        manager.settle(0, U256::ZERO, vec![], vec![word(6)]),
        Err(err(NoLeaves {}))
    );
    let mut proof = tree.proof(0, 3).unwrap();
    proof[0] = word(5);
    assert_eq!(
        manager.settle(0, U256::ZERO, leaves(&tree, 0, 3), proof),
        Err(err(InvalidProof {}))
    );
    assert_eq!(
        manager.settle(0, U256::ZERO, leaves(&tree, 0, 3), vec![word(1 << 32)]),
        Err(err(InvalidBitCount32Input {}))
    );
    // Too few elements: the reference panics (0x32); here it is a typed error.
    assert_eq!(
        manager.settle(0, U256::ZERO, leaves(&tree, 0, 3), vec![word(6)]),
        Err(err(InvalidProof {}))
    );
    assert_eq!(manager.get_payer_report(0, U256::ZERO).unwrap().0 .4, 0);
}

#[test]
fn settle_refuses_leaves_that_do_not_decode_with_empty_data() {
    for leaf in [
        vec![0u8; 63],
        [[1u8; 32].as_slice(), &[0u8; 32]].concat(),
        [
            [0u8; 32].as_slice(),
            &U256::from(1u128 << 96).to_be_bytes::<32>(),
        ]
        .concat(),
    ] {
        let (_host, mut manager) = manager();
        let tree = PayerTree::from_leaves(vec![leaf.clone()]).unwrap();
        store_report(&manager, 0, tree.root());
        assert_eq!(
            manager.settle(0, U256::ZERO, vec![Bytes::from(leaf)], vec![word(1)]),
            Err(err(Bubbled::default()))
        );
    }
}

#[test]
fn settle_ignores_leaf_bytes_past_the_two_words_but_hashes_them() {
    let (host, mut manager) = manager();
    let mut leaf = (Address::with_last_byte(9), U256::from(5_000_000)).abi_encode();
    leaf.extend_from_slice(b"extra");
    let tree = PayerTree::from_leaves(vec![leaf.clone()]).unwrap();
    store_report(&manager, 0, tree.root());
    let digest = digest_of(&manager, 0, 0, 0, 0, tree.root(), &[]);
    mock_settle_usage(&host, digest, &[(9, 5)], 5);
    assert_eq!(
        manager.settle(0, U256::ZERO, vec![Bytes::from(leaf)], vec![word(1)]),
        Ok(())
    );
}

#[test]
fn settle_bubbles_the_payer_registry_and_checks_its_return() {
    let (_host, manager) = manager();
    let tree = PayerTree::from_fees(&test_fees()).unwrap();
    store_report(&manager, 0, tree.root());
    let digest = digest_of(&manager, 0, 0, 0, 0, tree.root(), &[]);
    let all: Vec<(u8, u64)> = (1..=6).map(|i| (i, u64::from(i) * 100)).collect();
    let calldata = settle_usage(digest, &all);
    // A failed call reverts the whole transaction on chain; here each case starts afresh.
    for (outcome, expected) in [
        (
            Err(NotSettler {}.abi_encode()),
            Bubbled(NotSettler {}.abi_encode()),
        ),
        (Ok(U256::from(1u128 << 96).abi_encode()), Bubbled::default()),
        (Ok(vec![]), Bubbled::default()),
    ] {
        let (host, mut manager) = self::manager();
        store_report(&manager, 0, tree.root());
        host.mock(
            CallKind::Call(U256::ZERO),
            PAYERS,
            calldata.clone(),
            outcome,
        );
        assert_eq!(
            manager.settle(0, U256::ZERO, leaves(&tree, 0, 6), vec![word(6)]),
            Err(err(expected))
        );
    }
}

#[test]
fn fees_settled_overflow_is_panic_0x11() {
    let (host, mut manager) = manager();
    let tree = PayerTree::from_fees(&test_fees()).unwrap();
    store_report(&manager, 0, tree.root());
    let digest = digest_of(&manager, 0, 0, 0, 0, tree.root(), &[]);
    mock_settle_usage(
        &host,
        digest,
        &[(1, 100), (2, 200), (3, 300)],
        (1u128 << 96) - 1,
    );
    manager
        .settle(
            0,
            U256::ZERO,
            leaves(&tree, 0, 3),
            tree.proof(0, 3).unwrap(),
        )
        .unwrap();
    mock_settle_usage(&host, digest, &[(4, 400), (5, 500), (6, 600)], 1);
    assert_eq!(
        manager.settle(
            0,
            U256::ZERO,
            leaves(&tree, 3, 3),
            tree.proof(3, 3).unwrap()
        ),
        Err(err(Panic::from(PanicKind::UnderOverflow)))
    );
}

// ---- updateProtocolFeeRate ----

const RATE_KEY: &str = "xmtp.payerReportManager.protocolFeeRate";

#[test]
fn update_protocol_fee_rate() {
    let (host, mut manager) = manager();
    mock_param(&host, RATE_KEY, Ok(word(65_536).to_vec()));
    assert_eq!(
        manager.update_protocol_fee_rate(),
        Err(err(ParameterOutOfTypeBounds {}))
    );
    mock_param(&host, RATE_KEY, Ok(word(10_001).to_vec()));
    assert_eq!(
        manager.update_protocol_fee_rate(),
        Err(err(InvalidProtocolFeeRate {}))
    );
    mock_param(&host, RATE_KEY, Ok(word(0).to_vec()));
    assert_eq!(manager.update_protocol_fee_rate(), Err(err(NoChange {})));
    mock_param(&host, RATE_KEY, Ok(word(10_000).to_vec()));
    assert_eq!(manager.update_protocol_fee_rate(), Ok(()));
    assert_eq!(manager.protocol_fee_rate(), 10_000);
    assert_eq!(
        host.vm.get_storage(PAYER_REPORT_MANAGER + U256::from(1)),
        word(10_000)
    );
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![log(&ProtocolFeeRateUpdated {
            protocolFeeRate: 10_000
        })]
    );
    mock_param(&host, RATE_KEY, Err(b"no".to_vec()));
    assert_eq!(
        manager.update_protocol_fee_rate(),
        Err(err(Bubbled(b"no".to_vec())))
    );
}

// ---- getPayerReports ----

#[test]
fn get_payer_reports_checks_in_order() {
    let (_host, manager) = manager();
    assert_eq!(
        manager.get_payer_reports(vec![1], vec![]),
        Err(err(ArrayLengthMismatch {}))
    );
    assert_eq!(manager.get_payer_reports(vec![], vec![]), Ok(vec![]));
    assert_eq!(
        manager.get_payer_report(1, U256::ZERO),
        Err(err(NoReportsForOriginator {
            originatorNodeId: 1
        }))
    );
    store_report(&manager, 1, ROOT);
    store_report(&manager, 2, B256::ZERO);
    assert_eq!(
        manager.get_payer_report(1, U256::from(1)),
        Err(err(PayerReportIndexOutOfBounds {}))
    );
    let one = (0, 0, 0, U96::ZERO, 0, false, 0, ROOT, vec![]);
    let two = (0, 0, 0, U96::ZERO, 0, false, 0, B256::ZERO, vec![]);
    assert_eq!(
        manager.get_payer_reports(vec![2, 1, 1], vec![U256::ZERO; 3]),
        Ok(vec![two, one.clone(), one])
    );
    assert_eq!(
        manager.get_payer_reports(vec![1, 3, 1], vec![U256::from(1), U256::ZERO, U256::ZERO]),
        Err(err(PayerReportIndexOutOfBounds {}))
    );
    assert_eq!(
        manager.get_payer_reports(vec![3, 1], vec![U256::ZERO, U256::from(1)]),
        Err(err(NoReportsForOriginator {
            originatorNodeId: 3
        }))
    );
}

#[test]
fn get_payer_reports_output_is_the_interface_encoding() {
    let (_host, manager) = manager();
    store_report(&manager, 1, ROOT);
    let reports = manager
        .get_payer_reports(vec![1], vec![U256::ZERO])
        .unwrap();
    let encoded = (reports,).abi_encode_params();
    let decoded = IPayerReportManager::getPayerReportsCall::abi_decode_returns(&encoded).unwrap();
    assert_eq!(decoded[0].payersMerkleRoot, ROOT);
}

// ---- migrate ----

/// The registry's answer, then every `Migratable` outcome (zero, out of bounds, failing,
/// codeless, migrating), with exact revert data.
#[test]
fn migrate_follows_the_migratable_sequence() {
    let (host, mut manager) = manager();
    assert_migrate_through_registry(
        &host,
        &mut manager,
        MIGRATOR,
        |answer| mock_param(&host, "xmtp.payerReportManager.migrator", answer),
        PayerReportManager::migrate,
    );
}

// ---- pico-dollars to micro-dollars ----

#[test]
fn micro_dollars_round_up_as_128_bit_division_does() {
    for pico in [
        0u128,
        1,
        999_999,
        1_000_000,
        1_000_001,
        (1 << 64) - 1,
        1 << 64,
        (1 << 96) - 1_000_000,
        (1 << 96) - 1,
        123_456_789_012_345_678_901,
    ] {
        let expected = pico.div_ceil(1_000_000);
        assert_eq!(
            micro_dollars(&pico.to_be_bytes()[4..]),
            expected.to_be_bytes()[4..],
            "{pico}"
        );
    }
}

// ---- routing ----

#[test]
fn every_interface_function_is_routed() {
    for function in IPayerReportManager::abi::functions().values().flatten() {
        assert!(
            router::route(function.selector().0).is_some(),
            "{} is not routed",
            function.signature()
        );
    }
    assert!(router::route([0xde, 0xad, 0xbe, 0xef]).is_none());
    let (_host, mut manager) = manager();
    assert_eq!(manager.fallback(&[0xde, 0xad, 0xbe, 0xef]), Err(vec![]));
    assert_eq!(manager.fallback(&[0x81]), Err(vec![]));
    assert_eq!(manager.fallback(&[]), Err(vec![]));
}

fn call(manager: &mut PayerReportManager, call: &impl SolCall) -> ArbResult {
    manager.fallback(&call.abi_encode())
}

#[test]
fn views_answer_through_the_fallback_as_the_interface_encodes() {
    use IPayerReportManager as I;
    let (_host, mut manager) = manager();
    let m = &mut manager;
    let string = |value: &str| I::versionCall::abi_encode_returns(&value.to_owned());
    assert_eq!(call(m, &I::versionCall {}), Ok(string("1.0.1")));
    assert_eq!(
        call(m, &I::contractNameCall {}),
        Ok(string("PayerReportManager"))
    );
    assert_eq!(
        call(m, &I::protocolFeeRateParameterKeyCall {}),
        Ok(string("xmtp.payerReportManager.protocolFeeRate"))
    );
    assert_eq!(
        call(m, &I::migratorParameterKeyCall {}),
        Ok(string("xmtp.payerReportManager.migrator"))
    );
    assert_eq!(
        call(m, &I::PAYER_REPORT_TYPEHASHCall {}),
        Ok(PAYER_REPORT_TYPEHASH.to_vec())
    );
    assert_eq!(
        call(m, &I::ONE_HUNDRED_PERCENTCall {}),
        Ok(word(10_000).to_vec())
    );
    assert_eq!(call(m, &I::protocolFeeRateCall {}), Ok(word(0).to_vec()));
    for (function, expected) in [
        (I::parameterRegistryCall::SELECTOR, REGISTRY),
        (I::nodeRegistryCall::SELECTOR, NODES),
        (I::payerRegistryCall::SELECTOR, PAYERS),
        (I::implementationCall::SELECTOR, IMPLEMENTATION),
    ] {
        assert_eq!(m.fallback(&function), Ok(expected.into_word().to_vec()));
    }
    assert_eq!(
        call(m, &I::DOMAIN_SEPARATORCall {}),
        Ok(m.domain_separator().to_vec())
    );
    assert_eq!(
        call(m, &I::eip712DomainCall {}),
        Ok(I::eip712DomainCall::abi_encode_returns(
            &I::eip712DomainReturn {
                fields_: FixedBytes([0x0f]),
                name_: "PayerReportManager".into(),
                version_: "1".into(),
                chainId_: U256::from(31_337),
                verifyingContract_: PROXY,
                salt_: B256::ZERO,
                extensions_: vec![],
            }
        ))
    );
    let digest = I::getPayerReportDigestCall {
        originatorNodeId_: 1,
        startSequenceId_: 2,
        endSequenceId_: 3,
        endMinuteSinceEpoch_: 4,
        payersMerkleRoot_: ROOT,
        nodeIds_: vec![100, 200, 300, 400, 500],
    };
    assert_eq!(
        call(m, &digest),
        Ok(b256!("0x68e2a926d1e4309c70d546f976fc17eacc87d245862ad8a5d9c80b86e1dd4d61").to_vec())
    );
}

#[test]
fn submit_settle_and_report_views_through_the_fallback() {
    use IPayerReportManager as I;
    let (host, mut manager) = manager();
    canonical_three(&host);
    let tree = PayerTree::from_fees(&test_fees()).unwrap();
    let digest = digest_of(&manager, 100, 0, 10, 40, tree.root(), &[100, 200, 300]);
    let signatures = signatures(&host, digest, &[0, 2])
        .into_iter()
        .map(|(node_id, signature)| PayerReportSignature {
            nodeId: node_id,
            signature,
        })
        .collect();
    let submit = I::submitCall {
        originatorNodeId_: 100,
        startSequenceId_: 0,
        endSequenceId_: 10,
        endMinuteSinceEpoch_: 40,
        payersMerkleRoot_: tree.root(),
        nodeIds_: vec![100, 200, 300],
        signatures_: signatures,
    };
    assert_eq!(call(&mut manager, &submit), Ok(word(0).to_vec()));
    assert_eq!(host.vm.get_emitted_logs().len(), 1);
    // The same report again: the manager's error, encoded as the interface declares it.
    assert_eq!(
        call(&mut manager, &submit),
        Err(PayerReportAlreadySubmitted {
            originatorNodeId: 100,
            startSequenceId: 0,
            endSequenceId: 10,
        }
        .abi_encode())
    );
    mock_settle_usage(&host, digest, &[(1, 100), (2, 200), (3, 300)], 550);
    let settle = I::settleCall {
        originatorNodeId_: 100,
        payerReportIndex_: U256::ZERO,
        payerFees_: leaves(&tree, 0, 3),
        proofElements_: vec![
            word(6),
            b256!("0xc7a83e45e11b69800b058f902598615625ff3d69c180fd2d59a2ca3cb88f6dec"),
            b256!("0x4683c80d7765d87de0a6c38b3ceb3861b1c9f8cdd4e5b7b4229148216af2748b"),
        ],
    };
    assert_eq!(call(&mut manager, &settle), Ok(vec![]));
    assert_eq!(
        call(&mut manager, &settle),
        Err(InvalidProof {}.abi_encode())
    );
    let expected = PayerReport {
        startSequenceId: 0,
        endSequenceId: 10,
        endMinuteSinceEpoch: 40,
        feesSettled: U96::from(550),
        offset: 3,
        isSettled: false,
        protocolFeeRate: 0,
        payersMerkleRoot: tree.root(),
        nodeIds: vec![100, 200, 300],
    };
    assert_eq!(
        call(
            &mut manager,
            &I::getPayerReportCall {
                originatorNodeId_: 100,
                payerReportIndex_: U256::ZERO,
            }
        ),
        Ok(I::getPayerReportCall::abi_encode_returns(&expected))
    );
}

#[test]
fn report_lists_through_the_fallback() {
    use IPayerReportManager as I;
    let (_host, mut manager) = manager();
    let stored = Report {
        start: 1,
        end: u64::MAX,
        end_minute: u32::MAX,
        fees_settled: (1 << 96) - 1,
        offset: 3,
        is_settled: true,
        rate: 10_000,
        root: ROOT,
        node_ids: (1..=9).collect(),
    };
    report::push(manager.vm(), 100, &stored);
    let expected = PayerReport {
        startSequenceId: 1,
        endSequenceId: u64::MAX,
        endMinuteSinceEpoch: u32::MAX,
        feesSettled: U96::MAX,
        offset: 3,
        isSettled: true,
        protocolFeeRate: 10_000,
        payersMerkleRoot: ROOT,
        nodeIds: (1..=9).collect(),
    };
    store_report(&manager, 7, ROOT);
    let other = PayerReport {
        startSequenceId: 0,
        feesSettled: U96::ZERO,
        offset: 0,
        isSettled: false,
        protocolFeeRate: 0,
        endSequenceId: 0,
        endMinuteSinceEpoch: 0,
        payersMerkleRoot: ROOT,
        nodeIds: vec![],
    };
    assert_eq!(
        call(
            &mut manager,
            &I::getPayerReportsCall {
                originatorNodeIds_: vec![7, 100, 7],
                payerReportIndices_: vec![U256::ZERO; 3],
            }
        ),
        Ok(I::getPayerReportsCall::abi_encode_returns(&vec![
            other.clone(),
            expected,
            other
        ]))
    );
    assert_eq!(
        call(
            &mut manager,
            &I::getPayerReportsCall {
                originatorNodeIds_: vec![],
                payerReportIndices_: vec![],
            }
        ),
        Ok(I::getPayerReportsCall::abi_encode_returns(&vec![]))
    );
    assert_eq!(
        call(
            &mut manager,
            &I::getPayerReportCall {
                originatorNodeId_: 9,
                payerReportIndex_: U256::ZERO,
            }
        ),
        Err(NoReportsForOriginator {
            originatorNodeId: 9
        }
        .abi_encode())
    );
}

#[test]
fn the_fallback_refuses_malformed_calldata_and_value_with_empty_data() {
    use IPayerReportManager as I;
    let (host, mut manager) = manager();
    let get = I::getPayerReportCall {
        originatorNodeId_: 1,
        payerReportIndex_: U256::ZERO,
    }
    .abi_encode();
    // A short head, and an originator id with bits above 32.
    assert_eq!(manager.fallback(&get[..67]), Err(vec![]));
    let mut dirty = get.clone();
    dirty[4 + 27] = 1;
    assert_eq!(manager.fallback(&dirty), Err(vec![]));
    // Bytes after the arguments are ignored, as Solidity ignores them.
    let mut longer = get.clone();
    longer.extend_from_slice(&[0xff; 7]);
    assert_eq!(
        manager.fallback(&longer),
        Err(NoReportsForOriginator {
            originatorNodeId: 1
        }
        .abi_encode())
    );
    let settle = I::settleCall {
        originatorNodeId_: 1,
        payerReportIndex_: U256::ZERO,
        payerFees_: vec![Bytes::from(vec![1u8; 64])],
        proofElements_: vec![word(1)],
    }
    .abi_encode();
    // `payerFees_`'s offset past the end, its element's length past the end.
    let mut bad = settle.clone();
    bad[4 + 64 + 31] = 0xf0;
    assert_eq!(manager.fallback(&bad), Err(vec![]));
    let element_length = 4 + 128 + 32 + 32 + 31;
    assert_eq!(settle[element_length], 64);
    let mut bad = settle.clone();
    bad[element_length] = 0xff;
    assert_eq!(manager.fallback(&bad), Err(vec![]));
    // Every function is nonpayable.
    host.vm.set_value(U256::from(1));
    assert_eq!(manager.fallback(&I::versionCall::SELECTOR), Err(vec![]));
}

/// The error as the program's variant, and alloy's encoding of it.
fn case<E: SolError + Into<PayerReportManagerError>>(
    error: E,
) -> (PayerReportManagerError, Vec<u8>) {
    let encoded = error.abi_encode();
    (error.into(), encoded)
}

#[test]
fn revert_data_is_the_interface_encoding_of_every_error() {
    let cases = vec![
        case(InvalidInitialization {}),
        case(InvalidStartSequenceId {
            startSequenceId: u64::MAX,
            lastSequenceId: 3,
        }),
        case(InvalidSequenceIds {}),
        case(UnorderedNodeIds {}),
        case(InsufficientSignatures {
            validSignatureCount: 1,
            requiredSignatureCount: 255,
        }),
        case(PayerReportAlreadySubmitted {
            originatorNodeId: u32::MAX,
            startSequenceId: 2,
            endSequenceId: u64::MAX,
        }),
        case(PayerReportIndexOutOfBounds {}),
        case(PayerReportEntirelySettled {}),
        case(ArrayLengthMismatch {}),
        case(InvalidProtocolFeeRate {}),
        case(NoChange {}),
        case(NoReportsForOriginator {
            originatorNodeId: 9,
        }),
        case(NodeIdsLengthMismatch {
            expectedCount: 3,
            providedCount: u32::MAX,
        }),
        case(NodeIdAtIndexMismatch {
            expectedId: 1,
            actualId: 2,
            index: 3,
        }),
        case(NoLeaves {}),
        case(InvalidBitCount32Input {}),
        case(InvalidProof {}),
        case(NoProofElements {}),
        case(InvalidLeafCount {}),
        case(ParameterOutOfTypeBounds {}),
        case(ZeroMigrator {}),
        case(MigrationFailed {
            migrator_: MIGRATOR,
            revertData_: Bytes::from(vec![7u8; 37]),
        }),
        case(EmptyCode {
            migrator_: MIGRATOR,
        }),
        case(Panic::from(PanicKind::UnderOverflow)),
    ];
    for (error, expected) in cases {
        assert_eq!(Vec::<u8>::from(error), expected);
    }
    assert_eq!(Vec::<u8>::from(err(Bubbled(vec![1, 2, 3]))), vec![1, 2, 3]);
}

// ---- properties ----

/// `n` payers' fees: payers drawn from a pool of `pool` addresses (so a payer may owe in
/// several leaves), fees of up to 44 bits of pico-dollars.
fn random_fees(n: usize, pool: usize, seed: u64) -> Vec<Fee> {
    (0..n)
        .map(|i| {
            let draw = keccak256((seed, i as u64).abi_encode());
            let which = u64::from_be_bytes(draw[..8].try_into().unwrap()) % pool as u64;
            Fee {
                payer: Address::from_word(keccak256((seed, which).abi_encode())),
                fee: u128::from(u64::from_be_bytes(draw[8..16].try_into().unwrap()) >> 20),
            }
        })
        .collect()
}

/// The report's `(offset, isSettled, feesSettled)`.
fn progress(manager: &PayerReportManager) -> (u32, bool, U96) {
    let report = manager.get_payer_report(3, U256::ZERO).unwrap().0;
    (report.4, report.5, report.3)
}

/// Every way of altering a batch the issue names, tried before the batch is settled: each is
/// refused with `InvalidProof()` and leaves the report as it was.
fn tampered_batches_are_refused(
    manager: &mut PayerReportManager,
    tree: &PayerTree,
    batch: &xmtp_reports::Batch,
    pick: u64,
) {
    let before = progress(manager);
    let n = tree.leaf_count();
    let start = usize::try_from(batch.start).unwrap();
    let leaves: Vec<Bytes> = batch.leaves.iter().cloned().map(Bytes::from).collect();
    let leaf = usize::try_from(pick).unwrap() % leaves.len();
    let flip = |byte: usize| {
        let mut altered = leaves.clone();
        let mut bytes = altered[leaf].to_vec();
        bytes[byte] ^= 1;
        altered[leaf] = Bytes::from(bytes);
        altered
    };
    let mut attempts: Vec<(&str, Vec<Bytes>, Vec<B256>)> = vec![
        ("amount", flip(63), batch.proof.clone()),
        ("payer", flip(31), batch.proof.clone()),
    ];
    let mut count = batch.proof.clone();
    count[0] = word(n + 1);
    attempts.push(("leaf count + 1", leaves.clone(), count));
    if n > 1 {
        let mut count = batch.proof.clone();
        count[0] = word(n - 1);
        attempts.push(("leaf count - 1", leaves.clone(), count));
    }
    if batch.proof.len() > 1 {
        let element = 1 + usize::try_from(pick >> 8).unwrap() % (batch.proof.len() - 1);
        let mut proof = batch.proof.clone();
        proof[element].0[usize::try_from(pick >> 16).unwrap() % 32] ^= 1;
        attempts.push(("proof element", leaves.clone(), proof));
        let short = batch.proof[..batch.proof.len() - 1].to_vec();
        attempts.push(("proof element missing", leaves.clone(), short));
    }
    if leaves.len() > 1 {
        // A batch that starts past the report's offset, with the proof of where it really is.
        let skipped = leaves[1..].to_vec();
        let proof = tree.proof(batch.start + 1, skipped.len() as u64).unwrap();
        attempts.push(("offset + 1", skipped, proof));
    }
    if start > 0 {
        // One leaf before the offset: already settled.
        let mut earlier = leaves.clone();
        earlier.insert(0, Bytes::from(tree.leaves()[start - 1].clone()));
        let proof = tree.proof(batch.start - 1, earlier.len() as u64).unwrap();
        attempts.push(("offset - 1", earlier, proof));
    }
    for (what, leaves, proof) in attempts {
        assert_eq!(
            manager.settle(3, U256::ZERO, leaves, proof),
            Err(err(InvalidProof {})),
            "{what}"
        );
        assert_eq!(progress(manager), before, "{what}");
    }
}

/// Settles report 0 of originator 3 (root of `fees`) in the toolkit's batches for `cuts` with
/// a payer registry that keeps a ledger of `balances`; tampered variants of each batch are
/// refused first when `tamper`. Returns the final balances and the report's progress.
fn settle_with_ledger(
    fees: &[Fee],
    cuts: &[u64],
    balances: &std::collections::BTreeMap<Address, i128>,
    tamper: Option<u64>,
) -> (std::collections::BTreeMap<Address, i128>, (u32, bool, U96)) {
    let (host, mut manager) = manager();
    let tree = PayerTree::from_fees(fees).unwrap();
    store_report(&manager, 3, tree.root());
    let digest = digest_of(&manager, 3, 0, 0, 0, tree.root(), &[]);
    let mut ledger = balances.clone();
    for batch in tree.batches(cuts).unwrap() {
        if let Some(pick) = tamper {
            tampered_batches_are_refused(&mut manager, &tree, &batch, pick);
        }
        let start = usize::try_from(batch.start).unwrap();
        let scaled: Vec<PayerFee> = fees[start..start + batch.leaves.len()]
            .iter()
            .map(|fee| PayerFee {
                payer: fee.payer,
                fee: U96::from(fee.micro_dollars()),
            })
            .collect();
        // The registry's side: debit each payer (into debt if need be), return the sum.
        let mut sum = 0u128;
        for fee in &scaled {
            *ledger.get_mut(&fee.payer).unwrap() -= i128::try_from(fee.fee.to::<u128>()).unwrap();
            sum += fee.fee.to::<u128>();
        }
        let calldata = IPayerRegistryLike::settleUsageCall {
            payerReportId_: digest,
            payerFees_: scaled,
        }
        .abi_encode();
        host.mock(
            CallKind::Call(U256::ZERO),
            PAYERS,
            calldata,
            Ok(U256::from(sum).abi_encode()),
        );
        let leaves: Vec<Bytes> = batch.leaves.iter().cloned().map(Bytes::from).collect();
        assert_eq!(manager.settle(3, U256::ZERO, leaves, batch.proof), Ok(()));
    }
    // Each batch is exactly one settleUsage call: nothing settled twice or left out.
    let settle_calls = host
        .calls()
        .iter()
        .filter(|(_, to, _)| *to == PAYERS)
        .count();
    assert_eq!(settle_calls, tree.batches(cuts).unwrap().len());
    (ledger, progress(&manager))
}

/// Two batchings of the same random payer set end in the same balances and report, which are
/// what settling every leaf once gives; every tampered batch along the way is refused.
fn any_batching_gives_the_same_balances(
    n: usize,
    pool: usize,
    seed: u64,
    cuts: (&[u64], &[u64]),
    pick: u64,
) {
    let fees = random_fees(n, pool, seed);
    // Half the payers are funded, the others start at zero and end in debt.
    let balances: std::collections::BTreeMap<Address, i128> = fees
        .iter()
        .enumerate()
        .map(|(i, fee)| (fee.payer, if i % 2 == 0 { 1 << 50 } else { 0 }))
        .collect();
    let mut expected = balances.clone();
    let mut total = 0u128;
    for fee in &fees {
        *expected.get_mut(&fee.payer).unwrap() -= i128::try_from(fee.micro_dollars()).unwrap();
        total += fee.micro_dollars();
    }
    let n32 = u32::try_from(n).unwrap();
    let expected_report = (n32, true, U96::from(total));
    let first = settle_with_ledger(&fees, cuts.0, &balances, Some(pick));
    assert_eq!(first, (expected.clone(), expected_report));
    let second = settle_with_ledger(&fees, cuts.1, &balances, None);
    assert_eq!(second, (expected, expected_report));
}

/// The property at both ends of its range, so the 3,000-leaf bound is always exercised.
#[test]
fn any_batching_at_one_and_three_thousand_leaves() {
    any_batching_gives_the_same_balances(1, 1, 7, (&[], &[0, 1]), 5);
    any_batching_gives_the_same_balances(3000, 3000, 11, (&[1, 1500, 2047, 2999], &[1024]), 77);
    any_batching_gives_the_same_balances(3000, 40, 12, (&[], &[3, 4, 5, 1000]), 1234);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// For any payer set (1 to 3,000 leaves, payers possibly repeated) and any two batchings,
    /// the toolkit's batches settle through the program, each leaf debited once at its
    /// rounded-up fee, both ending in the same balances and settled report; an altered leaf,
    /// amount, leaf count, offset or proof element is refused.
    #[test]
    fn any_batching_settles_every_leaf_once_to_the_same_balances(
        n in 1usize..=3000,
        pool in any::<u64>(),
        seed in any::<u64>(),
        raw_cuts in proptest::collection::vec(any::<u64>(), 0..6),
        other_cuts in proptest::collection::vec(any::<u64>(), 0..6),
        pick in any::<u64>(),
    ) {
        let pool = usize::try_from(pool % n as u64).unwrap() + 1;
        let cuts: Vec<u64> = raw_cuts.iter().map(|c| c % n as u64).collect();
        let other: Vec<u64> = other_cuts.iter().map(|c| c % n as u64).collect();
        any_batching_gives_the_same_balances(n, pool, seed, (&cuts, &other), pick);
    }
}
