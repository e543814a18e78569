use alloy_primitives::{address, b256, keccak256, uint, Address, Bytes, B256, U256};
use alloy_sol_types::{SolCall, SolError, SolEvent, SolValue};
use stylus_sdk::abi::Router;
use xmtp_abi::{
    node_registry::{INodeRegistry, Node, NodeWithId},
    oz_erc721::{Approval, ApprovalForAll, IERC721Receiver, Transfer},
    oz_initializable::Initialized,
    parameter_registry::IParameterRegistryLike,
};
use xmtp_core::{
    slots::{ERC1967_IMPLEMENTATION, NODE_REGISTRY, OZ_ERC721, OZ_INITIALIZABLE},
    testing::{assert_migrate_through_registry, CallKind, MockHost},
    wiring::set_address_for_tests,
    Bubbled,
};

use super::*;

mod properties;

const PROXY: Address = address!("0x0000000000000000000000000000000000000f00");
const IMPLEMENTATION: Address = address!("0x0000000000000000000000000000000000000f01");
const REGISTRY: Address = address!("0x0000000000000000000000000000000000000e01");
const ADMIN: Address = address!("0x0000000000000000000000000000000000000a01");
const ALICE: Address = address!("0x0000000000000000000000000000000000000a11");
const BOB: Address = address!("0x0000000000000000000000000000000000000b0b");
const CAROL: Address = address!("0x0000000000000000000000000000000000000ca7");
const MIGRATOR: Address = address!("0x0000000000000000000000000000000000000c01");
const RECEIVER: Address = address!("0x0000000000000000000000000000000000000d01");
const HTTP: &str = "http://node.example";

fn host() -> (MockHost, NodeRegistry) {
    let host = MockHost::new();
    host.vm.set_contract_address(PROXY);
    host.vm.set_sender(ADMIN);
    host.vm
        .set_storage(ERC1967_IMPLEMENTATION, IMPLEMENTATION.into_word());
    set_address_for_tests("parameterRegistry", REGISTRY);
    let registry = NodeRegistry::from(&host);
    (host, registry)
}

fn slot(offset: u64) -> U256 {
    NODE_REGISTRY + U256::from(offset)
}

fn word(host: &MockHost, key: U256) -> U256 {
    U256::from_be_bytes(host.vm.get_storage(key).0)
}

fn set_word(host: &MockHost, key: U256, value: U256) {
    host.vm.set_storage(key, B256::from(value));
}

/// An initialized registry whose admin is `ADMIN`, with no logs recorded yet.
fn registry() -> (MockHost, NodeRegistry) {
    let (host, mut registry) = host();
    registry.initialize().unwrap();
    set_word(&host, slot(0), U256::from_be_bytes(ADMIN.into_word().0));
    clear_logs(&host);
    (host, registry)
}

fn clear_logs(host: &MockHost) {
    // `TestVM` keeps logs for its lifetime; tests compare only what follows.
    let _ = host.vm.get_emitted_logs();
    LOGS_SEEN.with(|seen| seen.set(host.vm.get_emitted_logs().len()));
}

std::thread_local! {
    static LOGS_SEEN: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

fn new_logs(host: &MockHost) -> Vec<(Vec<B256>, Vec<u8>)> {
    let seen = LOGS_SEEN.with(std::cell::Cell::get);
    host.vm.get_emitted_logs()[seen..].to_vec()
}

fn log(event: &impl SolEvent) -> (Vec<B256>, Vec<u8>) {
    let data = event.encode_log_data();
    (data.topics().to_vec(), data.data.to_vec())
}

fn key(seed: u8) -> Bytes {
    let mut key = vec![0x04];
    key.extend((0..64).map(|i| seed.wrapping_add(i)));
    key.into()
}

fn signer_of(key: &[u8]) -> Address {
    Address::from_word(keccak256(&key[1..]))
}

fn add(registry: &mut NodeRegistry, owner: Address, seed: u8) -> u32 {
    registry.add_node(owner, key(seed), HTTP.into()).unwrap().0
}

fn mock_get(host: &MockHost, key: &str, value: Result<Vec<u8>, Vec<u8>>) {
    let calldata = IParameterRegistryLike::get_0Call { key_: key.into() }.abi_encode();
    host.mock(CallKind::Static, REGISTRY, calldata, value);
}

fn mapping_slot(key: B256, root: U256) -> U256 {
    U256::from_be_bytes(keccak256([key.0, root.to_be_bytes::<32>()].concat()).0)
}

fn node_base(node_id: u32) -> U256 {
    mapping_slot(B256::from(U256::from(node_id)), slot(1))
}

fn as_sender<T>(host: &MockHost, sender: Address, body: impl FnOnce() -> T) -> T {
    host.vm.set_sender(sender);
    let result = body();
    host.vm.set_sender(ADMIN);
    result
}

// ---- initialize ----

#[test]
fn initialize_sets_name_and_symbol_and_nothing_else() {
    let (host, mut registry) = host();
    assert_eq!(registry.initialize(), Ok(()));
    assert_eq!(registry.name(), "XMTP Nodes");
    assert_eq!(registry.symbol(), "nXMTP");
    // Short strings: left-aligned data, twice the length in the lowest byte.
    let mut name = [0u8; 32];
    name[..10].copy_from_slice(b"XMTP Nodes");
    name[31] = 20;
    assert_eq!(host.vm.get_storage(OZ_ERC721), B256::from(name));
    let mut symbol = [0u8; 32];
    symbol[..5].copy_from_slice(b"nXMTP");
    symbol[31] = 10;
    assert_eq!(
        host.vm.get_storage(OZ_ERC721 + U256::from(1)),
        B256::from(symbol)
    );
    assert_eq!(registry.admin(), Address::ZERO);
    assert_eq!(registry.max_canonical_nodes(), 0);
    assert_eq!(registry.get_all_nodes_count(), 0);
    assert_eq!(word(&host, slot(2)), U256::ZERO);
    assert_eq!(word(&host, OZ_INITIALIZABLE), U256::from(1));
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![log(&Initialized { version: 1 })]
    );
}

#[test]
fn initialize_twice_reverts_invalid_initialization() {
    let (_host, mut registry) = registry();
    assert_eq!(registry.initialize(), Err(InvalidInitialization {}.into()));
}

#[test]
fn initialize_on_the_bare_implementation_reverts_invalid_initialization() {
    let (host, mut registry) = host();
    host.vm.set_storage(ERC1967_IMPLEMENTATION, B256::ZERO);
    assert_eq!(registry.initialize(), Err(InvalidInitialization {}.into()));
    assert_eq!(registry.name(), "");
}

// ---- addNode ----

#[test]
fn add_node_reverts_for_a_non_admin() {
    let (host, mut registry) = registry();
    let result = as_sender(&host, ALICE, || {
        registry.add_node(ALICE, key(1), HTTP.into())
    });
    assert_eq!(result, Err(NotAdmin {}.into()));
}

#[test]
fn add_node_before_an_admin_is_set_admits_only_the_zero_sender() {
    let (host, mut registry) = host();
    registry.initialize().unwrap();
    let result = as_sender(&host, Address::ZERO, || {
        registry.add_node(ALICE, key(1), HTTP.into())
    });
    // The zero admin matches a zero sender only; any real caller is refused.
    assert_eq!(result.map(|(id, _)| id), Ok(100));
    assert_eq!(
        registry.add_node(ALICE, key(1), HTTP.into()),
        Err(NotAdmin {}.into())
    );
}

#[test]
fn add_node_reverts_for_a_zero_owner() {
    let (_host, mut registry) = registry();
    assert_eq!(
        registry.add_node(Address::ZERO, key(1), HTTP.into()),
        Err(InvalidOwner {}.into())
    );
}

#[test]
fn add_node_reverts_for_an_empty_http_address() {
    let (_host, mut registry) = registry();
    assert_eq!(
        registry.add_node(ALICE, key(1), String::new()),
        Err(InvalidHttpAddress {}.into())
    );
}

#[test]
fn add_node_reverts_for_a_malformed_signing_key() {
    let (_host, mut registry) = registry();
    let short = Bytes::from(key(1)[..64].to_vec());
    let long = Bytes::from([&key(1)[..], &[0u8]].concat());
    let mut compressed = key(1).to_vec();
    compressed[0] = 0x03;
    for bad in [Bytes::new(), short, long, compressed.into()] {
        assert_eq!(
            registry.add_node(ALICE, bad, HTTP.into()),
            Err(InvalidSigningPublicKey {}.into())
        );
    }
    assert_eq!(registry.get_all_nodes_count(), 0);
}

/// The spec's §12.4 vectors (NodeRegistry.t.sol): anvil's first three keys and the keys refused.
#[test]
fn add_node_derives_the_reference_vectors_signers() {
    let (_host, mut registry) = registry();
    let vectors = [
        (
            "048318535b54105d4a7aae60c08fc45f9687181b4fdfc625bd1a753fa7397fed753547f11ca8696646f2f3acb08e31016afac23e630c5d11f59f61fef57b0d2aa5",
            address!("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"),
        ),
        (
            "04ba5734d8f7091719471e7f7ed6b9df170dc70cc661ca05e688601ad984f068b0d67351e5f06073092499336ab0839ef8a521afd334e53807205fa2f08eec74f4",
            address!("0x70997970C51812dc3A010C7d01b50e0d17dc79C8"),
        ),
        (
            "04df49de6469b04e713787791a2718c4588bd2548253a632a2a84055136af9d6629e2ef630eae2536cd03ed18ad337a02f6bd86e4ab5a1a1b748e06c0b267de82a",
            address!("0x9449B62ab3F941E260DD8E3eCb9CD706C0B4b0bE"),
        ),
    ];
    for (id, (hex_key, signer)) in (1u32..).zip(vectors) {
        let public_key = Bytes::from(alloy_primitives::hex::decode(hex_key).unwrap());
        assert_eq!(
            registry.add_node(ALICE, public_key, HTTP.into()),
            Ok((id * 100, signer))
        );
    }
    let valid = alloy_primitives::hex::decode(vectors[0].0).unwrap();
    let refused = [
        Vec::new(),
        vec![0x04],
        valid[1..].to_vec(),
        [&[0x05], &valid[1..]].concat(),
        valid[..64].to_vec(),
        [&valid[..], &[0x05]].concat(),
    ];
    for bad in refused {
        assert_eq!(
            registry.add_node(ALICE, bad.into(), HTTP.into()),
            Err(InvalidSigningPublicKey {}.into())
        );
    }
    assert_eq!(registry.get_all_nodes_count(), 3);
}

#[test]
fn add_node_checks_the_node_limit_before_the_key() {
    let (host, mut registry) = registry();
    let admin_word = word(&host, slot(0));
    set_word(
        &host,
        slot(0),
        admin_word | (U256::from(42_949_672u32) << 176),
    );
    assert_eq!(
        registry.add_node(ALICE, Bytes::new(), HTTP.into()),
        Err(MaxNodesReached {}.into())
    );
}

#[test]
fn add_node_accepts_the_last_id_below_the_uint32_limit() {
    let (host, mut registry) = registry();
    let admin_word = word(&host, slot(0));
    set_word(
        &host,
        slot(0),
        admin_word | (U256::from(42_949_671u32) << 176),
    );
    assert_eq!(
        registry.add_node(ALICE, key(1), HTTP.into()),
        Ok((4_294_967_200, signer_of(&key(1))))
    );
    assert_eq!(registry.get_all_nodes_count(), 42_949_672);
    assert_eq!(
        registry.add_node(ALICE, key(1), HTTP.into()),
        Err(MaxNodesReached {}.into())
    );
}

#[test]
fn add_node_stores_mints_and_emits() {
    let (host, mut registry) = registry();
    let signing_key = key(7);
    let signer = signer_of(&signing_key);
    assert_eq!(
        registry.add_node(ALICE, signing_key.clone(), HTTP.into()),
        Ok((100, signer))
    );
    assert_eq!(
        new_logs(&host),
        vec![
            log(&Transfer {
                from: Address::ZERO,
                to: ALICE,
                tokenId: U256::from(100)
            }),
            log(&NodeAdded {
                nodeId: 100,
                owner: ALICE,
                signer,
                signingPublicKey: signing_key.clone(),
                httpAddress: HTTP.into()
            }),
        ]
    );
    // Slot S: admin in bytes 0-19, nodeCount (1) in bytes 22-25.
    assert_eq!(
        word(&host, slot(0)),
        U256::from_be_bytes(ADMIN.into_word().0) | (U256::from(1) << 176)
    );
    // The spec's example base for node 100.
    let base = node_base(100);
    assert_eq!(
        base,
        uint!(0xea54d839f7079b1953af99ae7a15134ac949c99c2f00cc70fae228270770255b_U256)
    );
    assert_eq!(word(&host, base), U256::from_be_bytes(signer.into_word().0));
    // 65 bytes: a long `bytes`, 2·65 + 1 in the slot, data at keccak256(slot).
    assert_eq!(word(&host, base + U256::from(1)), U256::from(131));
    let data = U256::from_be_bytes(keccak256((base + U256::from(1)).to_be_bytes::<32>()).0);
    assert_eq!(host.vm.get_storage(data).0, signing_key[..32]);
    let mut http = [0u8; 32];
    http[..HTTP.len()].copy_from_slice(HTTP.as_bytes());
    http[31] = u8::try_from(2 * HTTP.len()).unwrap();
    assert_eq!(host.vm.get_storage(base + U256::from(2)), B256::from(http));
    // OpenZeppelin's `_owners` (+2) and `_balances` (+3).
    let owner_slot = mapping_slot(B256::from(U256::from(100)), OZ_ERC721 + U256::from(2));
    assert_eq!(
        word(&host, owner_slot),
        U256::from_be_bytes(ALICE.into_word().0)
    );
    let balance_slot = mapping_slot(ALICE.into_word(), OZ_ERC721 + U256::from(3));
    assert_eq!(word(&host, balance_slot), U256::from(1));
    assert_eq!(registry.owner_of(U256::from(100)), Ok(ALICE));
    assert_eq!(registry.balance_of(ALICE), Ok(U256::from(1)));
    assert_eq!(
        registry.get_node(100),
        Ok(((signer, false, signing_key, HTTP.into()),))
    );
}

#[test]
fn add_node_numbers_nodes_by_hundreds() {
    let (_host, mut registry) = registry();
    assert_eq!(add(&mut registry, ALICE, 1), 100);
    assert_eq!(add(&mut registry, BOB, 2), 200);
    assert_eq!(add(&mut registry, ALICE, 3), 300);
    assert_eq!(registry.get_all_nodes_count(), 3);
    assert_eq!(registry.balance_of(ALICE), Ok(U256::from(2)));
}

// ---- addToNetwork ----

fn with_max(host: &MockHost, max: u8) {
    let mask: U256 = U256::from(0xff_u64) << 160usize;
    let current = word(host, slot(0)) & !mask;
    set_word(host, slot(0), current | (U256::from(max) << 160usize));
}

#[test]
fn add_to_network_reverts_for_a_non_admin() {
    let (host, mut registry) = registry();
    add(&mut registry, ALICE, 1);
    let result = as_sender(&host, ALICE, || registry.add_to_network(100));
    assert_eq!(result, Err(NotAdmin {}.into()));
}

#[test]
fn add_to_network_reverts_for_a_missing_node() {
    let (_host, mut registry) = registry();
    assert_eq!(
        registry.add_to_network(100),
        Err(ERC721NonexistentToken {
            tokenId: U256::from(100)
        }
        .into())
    );
}

#[test]
fn add_to_network_reverts_when_the_set_is_full() {
    let (host, mut registry) = registry();
    add(&mut registry, ALICE, 1);
    add(&mut registry, ALICE, 2);
    assert_eq!(
        registry.add_to_network(100),
        Err(MaxCanonicalNodesReached {}.into())
    );
    with_max(&host, 1);
    registry.add_to_network(100).unwrap();
    assert_eq!(
        registry.add_to_network(200),
        Err(MaxCanonicalNodesReached {}.into())
    );
}

#[test]
fn add_to_network_adds_flags_and_emits() {
    let (host, mut registry) = registry();
    add(&mut registry, ALICE, 1);
    add(&mut registry, ALICE, 2);
    with_max(&host, 2);
    clear_logs(&host);
    assert_eq!(registry.add_to_network(200), Ok(()));
    assert_eq!(
        new_logs(&host),
        vec![log(&NodeAddedToCanonicalNetwork { nodeId: 200 })]
    );
    assert_eq!(registry.get_is_canonical_node(200), Ok(true));
    assert_eq!(registry.get_is_canonical_node(100), Ok(false));
    // `isCanonical` is byte 20 of the node's first slot.
    assert_eq!(word(&host, node_base(200)) >> 160, U256::from(1));
    // OpenZeppelin's set: `_values` at S+3, `_positions` at S+4.
    assert_eq!(word(&host, slot(3)), U256::from(1));
    let values = U256::from_be_bytes(keccak256(slot(3).to_be_bytes::<32>()).0);
    assert_eq!(word(&host, values), U256::from(200));
    assert_eq!(
        word(&host, mapping_slot(B256::from(U256::from(200)), slot(4))),
        U256::from(1)
    );
    assert_eq!(registry.canonical_nodes_count(), 1);
    assert_eq!(registry.get_canonical_nodes(), vec![200]);
}

#[test]
fn add_to_network_of_a_member_does_nothing() {
    let (host, mut registry) = registry();
    add(&mut registry, ALICE, 1);
    with_max(&host, 1);
    registry.add_to_network(100).unwrap();
    clear_logs(&host);
    // Full, but a member returns before the size check.
    assert_eq!(registry.add_to_network(100), Ok(()));
    assert!(new_logs(&host).is_empty());
    assert_eq!(registry.get_canonical_nodes(), vec![100]);
}

// ---- removeFromNetwork ----

#[test]
fn remove_from_network_reverts_for_a_non_admin() {
    let (host, mut registry) = registry();
    add(&mut registry, ALICE, 1);
    let result = as_sender(&host, ALICE, || registry.remove_from_network(100));
    assert_eq!(result, Err(NotAdmin {}.into()));
}

#[test]
fn remove_from_network_reverts_for_a_missing_node() {
    let (_host, mut registry) = registry();
    assert_eq!(
        registry.remove_from_network(300),
        Err(ERC721NonexistentToken {
            tokenId: U256::from(300)
        }
        .into())
    );
}

#[test]
fn remove_from_network_of_a_non_member_does_nothing() {
    let (host, mut registry) = registry();
    add(&mut registry, ALICE, 1);
    clear_logs(&host);
    assert_eq!(registry.remove_from_network(100), Ok(()));
    assert!(new_logs(&host).is_empty());
}

#[test]
fn remove_from_network_swaps_the_last_member_in_and_emits() {
    let (host, mut registry) = registry();
    for seed in 1..=3 {
        add(&mut registry, ALICE, seed);
    }
    with_max(&host, 3);
    for id in [100, 200, 300] {
        registry.add_to_network(id).unwrap();
    }
    clear_logs(&host);
    assert_eq!(registry.remove_from_network(100), Ok(()));
    assert_eq!(
        new_logs(&host),
        vec![log(&NodeRemovedFromCanonicalNetwork { nodeId: 100 })]
    );
    assert_eq!(registry.get_canonical_nodes(), vec![300, 200]);
    assert_eq!(registry.get_is_canonical_node(100), Ok(false));
    assert_eq!(word(&host, node_base(100)) >> 160, U256::ZERO);
    let values = U256::from_be_bytes(keccak256(slot(3).to_be_bytes::<32>()).0);
    assert_eq!(word(&host, slot(3)), U256::from(2));
    assert_eq!(word(&host, values), U256::from(300));
    assert_eq!(word(&host, values + U256::from(2)), U256::ZERO);
    let position = |id: u32| word(&host, mapping_slot(B256::from(U256::from(id)), slot(4)));
    assert_eq!(position(100), U256::ZERO);
    assert_eq!(position(300), U256::from(1));
    assert_eq!(position(200), U256::from(2));
    // Removing the last member pops it without a swap.
    registry.remove_from_network(200).unwrap();
    assert_eq!(registry.get_canonical_nodes(), vec![300]);
    assert_eq!(registry.canonical_nodes_count(), 1);
}

// ---- setBaseURI / tokenURI ----

#[test]
fn set_base_uri_reverts_for_a_non_admin() {
    let (host, mut registry) = registry();
    let result = as_sender(&host, ALICE, || registry.set_base_uri("https://x/".into()));
    assert_eq!(result, Err(NotAdmin {}.into()));
}

#[test]
fn set_base_uri_requires_a_trailing_slash() {
    let (_host, mut registry) = registry();
    for bad in ["", "https://x", "/x"] {
        assert_eq!(registry.set_base_uri(bad.into()), Err(InvalidURI {}.into()));
    }
}

#[test]
fn set_base_uri_stores_and_emits_even_when_unchanged() {
    let (host, mut registry) = registry();
    add(&mut registry, ALICE, 1);
    assert_eq!(registry.token_uri(U256::from(100)), Ok(String::new()));
    clear_logs(&host);
    for _ in 0..2 {
        assert_eq!(registry.set_base_uri("https://x/".into()), Ok(()));
    }
    let event = log(&BaseURIUpdated {
        baseURI: "https://x/".into(),
    });
    assert_eq!(new_logs(&host), vec![event.clone(), event]);
    assert_eq!(
        registry.token_uri(U256::from(100)),
        Ok("https://x/100".into())
    );
    assert_eq!(
        registry.token_uri(U256::from(200)),
        Err(ERC721NonexistentToken {
            tokenId: U256::from(200)
        }
        .into())
    );
}

// ---- setHttpAddress ----

#[test]
fn set_http_address_reverts_for_a_missing_node() {
    let (_host, mut registry) = registry();
    assert_eq!(
        registry.set_http_address(100, "http://new".into()),
        Err(ERC721NonexistentToken {
            tokenId: U256::from(100)
        }
        .into())
    );
}

#[test]
fn set_http_address_is_for_the_owner_only() {
    let (host, mut registry) = registry();
    add(&mut registry, ALICE, 1);
    // Neither the admin, nor an approved address, nor an operator qualifies.
    assert_eq!(
        registry.set_http_address(100, "http://new".into()),
        Err(NotNodeOwner {}.into())
    );
    as_sender(&host, ALICE, || {
        registry.approve(BOB, U256::from(100)).unwrap();
        registry.set_approval_for_all(CAROL, true).unwrap();
    });
    for caller in [BOB, CAROL] {
        let result = as_sender(&host, caller, || {
            registry.set_http_address(100, "http://new".into())
        });
        assert_eq!(result, Err(NotNodeOwner {}.into()));
    }
}

#[test]
fn set_http_address_refuses_empty_and_unchanged() {
    let (host, mut registry) = registry();
    add(&mut registry, ALICE, 1);
    as_sender(&host, ALICE, || {
        assert_eq!(
            registry.set_http_address(100, String::new()),
            Err(InvalidHttpAddress {}.into())
        );
        assert_eq!(
            registry.set_http_address(100, HTTP.into()),
            Err(NoChange {}.into())
        );
    });
}

#[test]
fn set_http_address_stores_and_emits() {
    let (host, mut registry) = registry();
    add(&mut registry, ALICE, 1);
    clear_logs(&host);
    let long = "https://a-rather-long-host-name.example.org:5050/api";
    let result = as_sender(&host, ALICE, || registry.set_http_address(100, long.into()));
    assert_eq!(result, Ok(()));
    assert_eq!(
        new_logs(&host),
        vec![log(&HttpAddressUpdated {
            nodeId: 100,
            httpAddress: long.into()
        })]
    );
    assert_eq!(registry.get_node(100).unwrap().0 .3, long);
    assert_eq!(
        word(&host, node_base(100) + U256::from(2)),
        U256::from(2 * long.len() + 1)
    );
}

// ---- updateAdmin ----

#[test]
fn update_admin_reads_checks_stores_and_emits() {
    let (host, mut registry) = host();
    mock_get(&host, ADMIN_PARAMETER_KEY, Ok(ALICE.into_word().to_vec()));
    assert_eq!(registry.update_admin(), Ok(()));
    assert_eq!(registry.admin(), ALICE);
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![log(&AdminUpdated { admin: ALICE })]
    );
    assert_eq!(registry.update_admin(), Err(NoChange {}.into()));
}

#[test]
fn update_admin_refuses_zero_and_out_of_range_values() {
    let (host, mut registry) = host();
    mock_get(&host, ADMIN_PARAMETER_KEY, Ok(B256::ZERO.to_vec()));
    assert_eq!(registry.update_admin(), Err(ZeroAdmin {}.into()));
    mock_get(
        &host,
        ADMIN_PARAMETER_KEY,
        Ok(B256::repeat_byte(0x11).to_vec()),
    );
    assert_eq!(
        registry.update_admin(),
        Err(ParameterOutOfTypeBounds {}.into())
    );
    mock_get(&host, ADMIN_PARAMETER_KEY, Err(vec![0xde, 0xad]));
    assert_eq!(
        registry.update_admin(),
        Err(Bubbled(vec![0xde, 0xad]).into())
    );
}

// ---- updateMaxCanonicalNodes ----

#[test]
fn update_max_canonical_nodes_reads_checks_stores_and_emits() {
    let (host, mut registry) = registry();
    let key = MAX_CANONICAL_NODES_PARAMETER_KEY;
    mock_get(&host, key, Ok(B256::ZERO.to_vec()));
    assert_eq!(
        registry.update_max_canonical_nodes(),
        Err(NoChange {}.into())
    );
    mock_get(&host, key, Ok(B256::from(U256::from(256)).to_vec()));
    assert_eq!(
        registry.update_max_canonical_nodes(),
        Err(ParameterOutOfTypeBounds {}.into())
    );
    mock_get(&host, key, Ok(B256::from(U256::from(255)).to_vec()));
    assert_eq!(registry.update_max_canonical_nodes(), Ok(()));
    assert_eq!(registry.max_canonical_nodes(), 255);
    assert_eq!(word(&host, slot(0)) >> 160, U256::from(255));
    assert_eq!(
        new_logs(&host),
        vec![log(&MaxCanonicalNodesUpdated {
            maxCanonicalNodes: 255
        })]
    );
}

#[test]
fn update_max_canonical_nodes_cannot_go_below_the_current_count() {
    let (host, mut registry) = registry();
    add(&mut registry, ALICE, 1);
    add(&mut registry, ALICE, 2);
    with_max(&host, 3);
    registry.add_to_network(100).unwrap();
    registry.add_to_network(200).unwrap();
    let key = MAX_CANONICAL_NODES_PARAMETER_KEY;
    mock_get(&host, key, Ok(B256::from(U256::from(1)).to_vec()));
    assert_eq!(
        registry.update_max_canonical_nodes(),
        Err(MaxCanonicalNodesBelowCurrentCount {}.into())
    );
    mock_get(&host, key, Ok(B256::from(U256::from(2)).to_vec()));
    assert_eq!(registry.update_max_canonical_nodes(), Ok(()));
    assert_eq!(registry.max_canonical_nodes(), 2);
}

// ---- migrate ----

/// The registry's answer, then every `Migratable` outcome (zero, out of bounds, failing,
/// codeless, migrating), with exact revert data.
#[test]
fn migrate_follows_the_migratable_sequence() {
    let (host, mut registry) = registry();
    assert_migrate_through_registry(
        &host,
        &mut registry,
        MIGRATOR,
        |answer| mock_get(&host, MIGRATOR_PARAMETER_KEY, answer),
        NodeRegistry::migrate,
    );
}

// ---- views ----

#[test]
fn views_report_keys_wiring_and_identity() {
    let (_host, registry) = registry();
    assert_eq!(
        NodeRegistry::admin_parameter_key(),
        "xmtp.nodeRegistry.admin"
    );
    assert_eq!(
        NodeRegistry::max_canonical_nodes_parameter_key(),
        "xmtp.nodeRegistry.maxCanonicalNodes"
    );
    assert_eq!(
        NodeRegistry::migrator_parameter_key(),
        "xmtp.nodeRegistry.migrator"
    );
    assert_eq!(NodeRegistry::node_increment(), 100);
    assert_eq!(registry.parameter_registry_getter(), REGISTRY);
    assert_eq!(registry.implementation(), IMPLEMENTATION);
    assert_eq!(NodeRegistry::version(), "1.0.1");
    assert_eq!(NodeRegistry::contract_name(), "NodeRegistry");
    assert_eq!(registry.admin(), ADMIN);
}

#[test]
fn node_views_require_the_token() {
    let (_host, registry) = registry();
    let missing = || {
        NodeRegistryError::from(ERC721NonexistentToken {
            tokenId: U256::from(100),
        })
    };
    assert_eq!(registry.get_node(100), Err(missing()));
    assert_eq!(registry.get_is_canonical_node(100), Err(missing()));
    assert_eq!(registry.get_signer(100), Err(missing()));
}

#[test]
fn canonical_nodes_count_keeps_the_low_byte() {
    assert_eq!(truncate_to_u8(255), 255);
    assert_eq!(truncate_to_u8(256), 0);
    assert_eq!(truncate_to_u8(300), 44);
}

/// Calls the program with `calldata` as its entrypoint does: the SDK's router knows no
/// selector, so everything reaches the fallback's dispatcher.
fn route(registry: &mut NodeRegistry, calldata: &[u8]) -> Result<Vec<u8>, Vec<u8>> {
    if let Some(selector) = calldata.get(..4) {
        let selector = u32::from_be_bytes(selector.try_into().unwrap());
        let routed =
            <NodeRegistry as Router<NodeRegistry>>::route(registry, selector, &calldata[4..]);
        assert!(routed.is_none());
    }
    <NodeRegistry as Router<NodeRegistry>>::fallback(registry, calldata).expect("a fallback")
}

#[test]
fn struct_returns_are_abi_encoded_as_the_interface_declares() {
    let (host, mut registry) = registry();
    add(&mut registry, ALICE, 1);
    add(&mut registry, BOB, 2);
    with_max(&host, 1);
    registry.add_to_network(200).unwrap();
    let node = |seed: u8, canonical: bool| Node {
        signer: signer_of(&key(seed)),
        isCanonical: canonical,
        signingPublicKey: key(seed),
        httpAddress: HTTP.into(),
    };
    let output = route(
        &mut registry,
        &INodeRegistry::getNodeCall { nodeId_: 200 }.abi_encode(),
    )
    .unwrap();
    assert_eq!(
        INodeRegistry::getNodeCall::abi_decode_returns_validate(&output).unwrap(),
        node(2, true)
    );
    let output = route(
        &mut registry,
        &INodeRegistry::getAllNodesCall {}.abi_encode(),
    )
    .unwrap();
    assert_eq!(
        output,
        vec![
            NodeWithId {
                nodeId: 100,
                node: node(1, false)
            },
            NodeWithId {
                nodeId: 200,
                node: node(2, true)
            },
        ]
        .abi_encode()
    );
    let output = route(
        &mut registry,
        &INodeRegistry::getCanonicalNodesCall {}.abi_encode(),
    )
    .unwrap();
    assert_eq!(output, vec![200u32].abi_encode());
    let output = route(
        &mut registry,
        &INodeRegistry::addNodeCall {
            owner_: CAROL,
            signingPublicKey_: key(3),
            httpAddress_: HTTP.into(),
        }
        .abi_encode(),
    )
    .unwrap();
    let returned = INodeRegistry::addNodeCall::abi_decode_returns_validate(&output).unwrap();
    assert_eq!(
        (returned.nodeId_, returned.signer_),
        (300, signer_of(&key(3)))
    );
    let missing = route(
        &mut registry,
        &INodeRegistry::getNodeCall { nodeId_: 400 }.abi_encode(),
    );
    assert_eq!(
        missing,
        Err(ERC721NonexistentToken {
            tokenId: U256::from(400)
        }
        .abi_encode())
    );
}

#[test]
fn every_interface_function_is_routed() {
    for function in INodeRegistry::abi::functions().values().flatten() {
        let (_host, mut registry) = registry();
        // Zero words decode as every argument list here (a zero offset points at a zero length).
        let calldata = [&function.selector()[..], &[0u8; 32 * 4]].concat();
        // A routed function answers or reverts with an error; one that reaches an unmocked call
        // panics, which is routed too. Only an unknown selector reverts with empty data.
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            route(&mut registry, &calldata)
        }));
        assert!(
            outcome.map_or(true, |output| output != Err(Vec::new())),
            "{} is not routed",
            function.signature()
        );
    }
    let (_host, mut registry) = registry();
    assert_eq!(
        route(&mut registry, &[0xde, 0xad, 0xbe, 0xef]),
        Err(Vec::new())
    );
}

#[test]
fn malformed_calls_revert_with_empty_data() {
    let (host, mut registry) = registry();
    add(&mut registry, ALICE, 1);
    let get_signer = INodeRegistry::getSignerCall { nodeId_: 100 }.abi_encode();
    assert_eq!(
        route(&mut registry, &get_signer),
        Ok(signer_of(&key(1)).into_word().to_vec())
    );
    // Short head, a uint32 with high bits, short calldata, an unknown selector.
    assert_eq!(route(&mut registry, &get_signer[..35]), Err(Vec::new()));
    let mut dirty = get_signer.clone();
    dirty[31] = 1;
    assert_eq!(route(&mut registry, &dirty), Err(Vec::new()));
    assert_eq!(route(&mut registry, &get_signer[..3]), Err(Vec::new()));
    // A dirty address, a bool that is not 0 or 1, a `bytes4` with low bits.
    let mut approve = INodeRegistry::setApprovalForAllCall {
        operator: BOB,
        approved: true,
    }
    .abi_encode();
    approve[67] = 2;
    assert_eq!(route(&mut registry, &approve), Err(Vec::new()));
    approve[67] = 1;
    approve[4] = 1;
    assert_eq!(route(&mut registry, &approve), Err(Vec::new()));
    let mut supports = INodeRegistry::supportsInterfaceCall {
        interfaceId: erc721::IERC721_INTERFACE_ID.into(),
    }
    .abi_encode();
    assert_eq!(
        route(&mut registry, &supports),
        Ok(B256::with_last_byte(1).to_vec())
    );
    supports[35] = 1;
    assert_eq!(route(&mut registry, &supports), Err(Vec::new()));
    // A string offset or length outside the calldata, a key that is not UTF-8.
    let set_base_uri = INodeRegistry::setBaseURICall {
        baseURI_: "https://x/".into(),
    }
    .abi_encode();
    let mut far = set_base_uri.clone();
    far[35] = 0xff;
    assert_eq!(route(&mut registry, &far), Err(Vec::new()));
    assert_eq!(
        route(&mut registry, &set_base_uri[..set_base_uri.len() - 32]),
        Err(Vec::new())
    );
    let mut not_utf8 = set_base_uri.clone();
    not_utf8[68] = 0xff;
    assert_eq!(route(&mut registry, &not_utf8), Err(Vec::new()));
    // Value sent to a nonpayable function.
    host.vm.set_value(U256::from(1));
    assert_eq!(route(&mut registry, &get_signer), Err(Vec::new()));
    host.vm.set_value(U256::ZERO);
    assert_eq!(route(&mut registry, &set_base_uri), Ok(Vec::new()));
}

#[test]
fn revert_data_is_alloys_encoding_of_each_error() {
    let cases: Vec<(NodeRegistryError, Vec<u8>)> = vec![
        (NotAdmin {}.into(), NotAdmin {}.abi_encode()),
        (
            ERC721IncorrectOwner {
                sender: ALICE,
                tokenId: U256::from(7),
                owner: BOB,
            }
            .into(),
            ERC721IncorrectOwner {
                sender: ALICE,
                tokenId: U256::from(7),
                owner: BOB,
            }
            .abi_encode(),
        ),
        (
            ERC721InsufficientApproval {
                operator: CAROL,
                tokenId: U256::MAX,
            }
            .into(),
            ERC721InsufficientApproval {
                operator: CAROL,
                tokenId: U256::MAX,
            }
            .abi_encode(),
        ),
        (
            MigrationFailed {
                migrator_: MIGRATOR,
                revertData_: vec![1, 2, 3].into(),
            }
            .into(),
            MigrationFailed {
                migrator_: MIGRATOR,
                revertData_: vec![1, 2, 3].into(),
            }
            .abi_encode(),
        ),
        (
            EmptyCode {
                migrator_: MIGRATOR,
            }
            .into(),
            EmptyCode {
                migrator_: MIGRATOR,
            }
            .abi_encode(),
        ),
        (
            ERC721InvalidReceiver { receiver: BOB }.into(),
            ERC721InvalidReceiver { receiver: BOB }.abi_encode(),
        ),
        (Bubbled(vec![9, 9]).into(), vec![9, 9]),
    ];
    for (error, expected) in cases {
        assert_eq!(Vec::<u8>::from(error), expected);
    }
}

// ---- ERC-721 ----

#[test]
fn balance_of_the_zero_address_reverts() {
    let (_host, registry) = registry();
    assert_eq!(
        registry.balance_of(Address::ZERO),
        Err(ERC721InvalidOwner {
            owner: Address::ZERO
        }
        .into())
    );
    assert_eq!(registry.balance_of(ALICE), Ok(U256::ZERO));
}

#[test]
fn owner_of_and_get_approved_require_the_token() {
    let (_host, registry) = registry();
    let missing = || {
        NodeRegistryError::from(ERC721NonexistentToken {
            tokenId: U256::from(7),
        })
    };
    assert_eq!(registry.owner_of(U256::from(7)), Err(missing()));
    assert_eq!(registry.get_approved(U256::from(7)), Err(missing()));
}

#[test]
fn approve_by_the_owner_or_an_operator_emits_approval() {
    let (host, mut registry) = registry();
    add(&mut registry, ALICE, 1);
    let id = U256::from(100);
    assert_eq!(
        registry.approve(BOB, id),
        Err(ERC721InvalidApprover { approver: ADMIN }.into())
    );
    assert_eq!(
        registry.approve(BOB, U256::from(200)),
        Err(ERC721NonexistentToken {
            tokenId: U256::from(200)
        }
        .into())
    );
    clear_logs(&host);
    as_sender(&host, ALICE, || {
        registry.approve(BOB, id).unwrap();
        registry.set_approval_for_all(CAROL, true).unwrap();
    });
    assert_eq!(registry.get_approved(id), Ok(BOB));
    assert!(registry.is_approved_for_all(ALICE, CAROL));
    // An operator may approve; an approved address may not.
    let by_bob = as_sender(&host, BOB, || registry.approve(CAROL, id));
    assert_eq!(by_bob, Err(ERC721InvalidApprover { approver: BOB }.into()));
    as_sender(&host, CAROL, || registry.approve(Address::ZERO, id)).unwrap();
    assert_eq!(registry.get_approved(id), Ok(Address::ZERO));
    assert_eq!(
        new_logs(&host),
        vec![
            log(&Approval {
                owner: ALICE,
                approved: BOB,
                tokenId: id
            }),
            log(&ApprovalForAll {
                owner: ALICE,
                operator: CAROL,
                approved: true
            }),
            log(&Approval {
                owner: ALICE,
                approved: Address::ZERO,
                tokenId: id
            }),
        ]
    );
    let approval_slot = mapping_slot(B256::from(id), OZ_ERC721 + U256::from(4));
    assert_eq!(word(&host, approval_slot), U256::ZERO);
    let operator_slot = mapping_slot(
        CAROL.into_word(),
        mapping_slot(ALICE.into_word(), OZ_ERC721 + U256::from(5)),
    );
    assert_eq!(word(&host, operator_slot), U256::from(1));
}

#[test]
fn set_approval_for_all_refuses_the_zero_operator() {
    let (_host, mut registry) = registry();
    assert_eq!(
        registry.set_approval_for_all(Address::ZERO, true),
        Err(ERC721InvalidOperator {
            operator: Address::ZERO
        }
        .into())
    );
}

#[test]
fn transfer_from_checks_receiver_existence_authorization_and_owner() {
    let (host, mut registry) = registry();
    add(&mut registry, ALICE, 1);
    let id = U256::from(100);
    assert_eq!(
        registry.transfer_from(ALICE, Address::ZERO, id),
        Err(ERC721InvalidReceiver {
            receiver: Address::ZERO
        }
        .into())
    );
    assert_eq!(
        registry.transfer_from(ALICE, BOB, U256::from(200)),
        Err(ERC721NonexistentToken {
            tokenId: U256::from(200)
        }
        .into())
    );
    assert_eq!(
        registry.transfer_from(ALICE, BOB, id),
        Err(ERC721InsufficientApproval {
            operator: ADMIN,
            tokenId: id
        }
        .into())
    );
    let wrong_from = as_sender(&host, ALICE, || registry.transfer_from(BOB, CAROL, id));
    assert_eq!(
        wrong_from,
        Err(ERC721IncorrectOwner {
            sender: BOB,
            tokenId: id,
            owner: ALICE
        }
        .into())
    );
}

#[test]
fn transfer_from_by_an_approved_address_moves_the_token_and_clears_the_approval() {
    let (host, mut registry) = registry();
    add(&mut registry, ALICE, 1);
    let id = U256::from(100);
    as_sender(&host, ALICE, || registry.approve(BOB, id)).unwrap();
    clear_logs(&host);
    let result = as_sender(&host, BOB, || registry.transfer_from(ALICE, CAROL, id));
    assert_eq!(result, Ok(()));
    assert_eq!(
        new_logs(&host),
        vec![log(&Transfer {
            from: ALICE,
            to: CAROL,
            tokenId: id
        })]
    );
    assert_eq!(registry.owner_of(id), Ok(CAROL));
    assert_eq!(registry.get_approved(id), Ok(Address::ZERO));
    assert_eq!(registry.balance_of(ALICE), Ok(U256::ZERO));
    assert_eq!(registry.balance_of(CAROL), Ok(U256::from(1)));
    // The new owner now controls the HTTP address.
    let result = as_sender(&host, CAROL, || {
        registry.set_http_address(100, "http://c".into())
    });
    assert_eq!(result, Ok(()));
}

#[test]
fn transfer_from_by_an_operator_succeeds() {
    let (host, mut registry) = registry();
    add(&mut registry, ALICE, 1);
    as_sender(&host, ALICE, || registry.set_approval_for_all(BOB, true)).unwrap();
    let result = as_sender(&host, BOB, || {
        registry.transfer_from(ALICE, BOB, U256::from(100))
    });
    assert_eq!(result, Ok(()));
    assert_eq!(registry.owner_of(U256::from(100)), Ok(BOB));
}

fn receiver_call(data: &[u8]) -> Vec<u8> {
    IERC721Receiver::onERC721ReceivedCall {
        operator: ALICE,
        from: ALICE,
        tokenId: U256::from(100),
        data: data.to_vec().into(),
    }
    .abi_encode()
}

fn safe_transfer_to_receiver(
    answer: Result<Vec<u8>, Vec<u8>>,
    data: &[u8],
) -> Result<(), NodeRegistryError> {
    let (host, mut registry) = registry();
    add(&mut registry, ALICE, 1);
    host.vm.set_code(RECEIVER, vec![0x00]);
    host.mock(
        CallKind::Call(U256::ZERO),
        RECEIVER,
        receiver_call(data),
        answer,
    );
    let result = as_sender(&host, ALICE, || {
        if data.is_empty() {
            registry.safe_transfer_from(ALICE, RECEIVER, U256::from(100))
        } else {
            registry.safe_transfer_from_with_data(
                ALICE,
                RECEIVER,
                U256::from(100),
                data.to_vec().into(),
            )
        }
    });
    if result.is_ok() {
        assert_eq!(registry.owner_of(U256::from(100)), Ok(RECEIVER));
        assert_eq!(
            host.calls(),
            vec![(CallKind::Call(U256::ZERO), RECEIVER, receiver_call(data))]
        );
    }
    result
}

fn selector_word(selector: [u8; 4]) -> Vec<u8> {
    let mut word = vec![0u8; 32];
    word[..4].copy_from_slice(&selector);
    word
}

#[test]
fn safe_transfer_from_to_a_contract_requires_its_acceptance() {
    let accepted = selector_word(IERC721Receiver::onERC721ReceivedCall::SELECTOR);
    assert_eq!(safe_transfer_to_receiver(Ok(accepted.clone()), &[]), Ok(()));
    assert_eq!(safe_transfer_to_receiver(Ok(accepted), &[1, 2, 3]), Ok(()));
    let refused = || NodeRegistryError::from(ERC721InvalidReceiver { receiver: RECEIVER });
    assert_eq!(
        safe_transfer_to_receiver(Ok(selector_word([0x12, 0x34, 0x56, 0x78])), &[]),
        Err(refused())
    );
    assert_eq!(safe_transfer_to_receiver(Err(vec![]), &[]), Err(refused()));
    assert_eq!(
        safe_transfer_to_receiver(Err(vec![0xab, 0xcd]), &[]),
        Err(Bubbled(vec![0xab, 0xcd]).into())
    );
    // Not decodable as `bytes4`: Solidity's decoder reverts with empty data.
    assert_eq!(
        safe_transfer_to_receiver(Ok(vec![0x15, 0x0b, 0x7a, 0x02]), &[]),
        Err(Bubbled::default().into())
    );
    let mut dirty = selector_word(IERC721Receiver::onERC721ReceivedCall::SELECTOR);
    dirty[31] = 1;
    assert_eq!(
        safe_transfer_to_receiver(Ok(dirty), &[]),
        Err(Bubbled::default().into())
    );
}

#[test]
fn safe_transfer_from_to_an_account_without_code_makes_no_call() {
    let (host, mut registry) = registry();
    add(&mut registry, ALICE, 1);
    let result = as_sender(&host, ALICE, || {
        registry.safe_transfer_from(ALICE, BOB, U256::from(100))
    });
    assert_eq!(result, Ok(()));
    assert!(host.calls().is_empty());
    assert_eq!(registry.owner_of(U256::from(100)), Ok(BOB));
}

#[test]
fn supports_interface_answers_erc165_erc721_and_metadata() {
    let (_host, registry) = registry();
    for id in [
        [0x01, 0xff, 0xc9, 0xa7],
        [0x80, 0xac, 0x58, 0xcd],
        [0x5b, 0x5e, 0x13, 0x9f],
    ] {
        assert!(registry.supports_interface(id.into()));
    }
    for id in [
        [0xff, 0xff, 0xff, 0xff],
        [0x78, 0x0e, 0x9d, 0x63],
        [0, 0, 0, 0],
    ] {
        assert!(!registry.supports_interface(id.into()));
    }
}

#[test]
fn interface_ids_are_the_xor_of_their_selectors() {
    use xmtp_abi::oz_erc721::{IERC721Metadata, IERC165, IERC721};
    let xor = |selectors: &[[u8; 4]]| {
        selectors
            .iter()
            .fold(0u32, |acc, s| acc ^ u32::from_be_bytes(*s))
            .to_be_bytes()
    };
    assert_eq!(
        xor(&[IERC165::supportsInterfaceCall::SELECTOR]),
        erc721::IERC165_INTERFACE_ID
    );
    let erc721_selectors: Vec<[u8; 4]> = IERC721::abi::functions()
        .values()
        .flatten()
        .map(|function| function.selector().0)
        .collect();
    assert_eq!(xor(&erc721_selectors), erc721::IERC721_INTERFACE_ID);
    assert_eq!(
        xor(&[
            IERC721Metadata::nameCall::SELECTOR,
            IERC721Metadata::symbolCall::SELECTOR,
            IERC721Metadata::tokenURICall::SELECTOR
        ]),
        erc721::IERC721_METADATA_INTERFACE_ID
    );
}

#[test]
fn the_spec_example_slot_is_recomputed() {
    assert_eq!(
        NODE_REGISTRY,
        U256::from_be_bytes(
            b256!("0xd48713bc7b5e2644bcb4e26ace7d67dc9027725a9a1ee11596536cc6096a2000").0
        )
    );
}
