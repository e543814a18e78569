//! The settlement chain's economic core on the devnet, with the real programs behind proxies the
//! Factory made, configured through the settlement parameter registry.
//!
//! Here: the `NodeRegistry` (issue 6): an administrator adds nodes, mints their NFTs to
//! operators, moves them in and out of the canonical set under the maximum, with exact events,
//! errors and state.

use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use alloy_sol_types::{SolCall, SolError};
use xmtp_abi::{
    factory::IFactory,
    node_registry::{
        INodeRegistry, MaxCanonicalNodesBelowCurrentCount, MaxCanonicalNodesReached,
        MaxCanonicalNodesUpdated, NodeAdded, NodeAddedToCanonicalNetwork,
        NodeRemovedFromCanonicalNetwork, NotAdmin,
    },
    oz_erc721::{ERC721NonexistentToken, Transfer},
    parameter_registry::IParameterRegistry,
};
use xmtp_deploy::network::{self, Operator};
use xmtp_system_tests::{chain, log_of, programs, revert_data, transact, view, DEPLOYER};

const CHAIN_ID: u64 = 8_453;
const ADMIN: Address = Address::new([0xad; 20]);
const ALICE: Address = Address::new([0xa1; 20]);
const BOB: Address = Address::new([0xb0; 20]);

/// A valid uncompressed signing key derived from `seed`.
fn key(seed: u8) -> Bytes {
    let mut key = vec![0x04];
    key.extend((0..64).map(|i| seed.wrapping_add(i)));
    key.into()
}

fn signer_of(key: &[u8]) -> Address {
    Address::from_word(keccak256(&key[1..]))
}

fn word(value: u64) -> B256 {
    B256::from(U256::from(value))
}

/// The base network, then the `NodeRegistry` behind its proxy, initialized, with its admin and
/// maximum canonical set size (2) read from the parameter registry.
fn node_registry() -> (xmtp_devnet::Chain, Address, Address) {
    let programs = programs();
    let mut chain = chain(CHAIN_ID);
    let mut op = Operator::new(&mut chain, DEPLOYER);
    let base = network::deploy_base(
        &mut op,
        programs,
        "xmtp-settlement-chain-parameter-registry",
        &[DEPLOYER],
    )
    .expect("the base deploys");
    let artifact = programs
        .artifact(
            "xmtp-node-registry",
            &[("parameterRegistry", base.parameter_registry)],
        )
        .expect("NodeRegistry passes the pipeline (size limit included)");
    let implementation = network::deploy_implementation(
        &mut op,
        base.factory,
        "deploy impl NodeRegistry",
        &artifact.init_code,
    )
    .expect("the implementation deploys");
    let proxy = op
        .transact(
            "deploy proxy NodeRegistry",
            base.factory,
            &IFactory::deployProxyCall {
                implementation_: implementation,
                salt_: network::salt("NodeRegistry_0"),
                initializeCallData_: INodeRegistry::initializeCall {}.abi_encode().into(),
            },
            U256::ZERO,
        )
        .expect("the proxy deploys and initializes");
    for (key, value) in [
        ("xmtp.nodeRegistry.admin", ADMIN.into_word()),
        ("xmtp.nodeRegistry.maxCanonicalNodes", word(2)),
    ] {
        transact(
            &mut chain,
            DEPLOYER,
            base.parameter_registry,
            &IParameterRegistry::set_0Call {
                key_: key.into(),
                value_: value,
            },
        );
    }
    transact(
        &mut chain,
        DEPLOYER,
        proxy,
        &INodeRegistry::updateAdminCall {},
    );
    let (_, receipt) = transact(
        &mut chain,
        DEPLOYER,
        proxy,
        &INodeRegistry::updateMaxCanonicalNodesCall {},
    );
    assert_eq!(
        receipt.logs,
        vec![log_of(
            proxy,
            &MaxCanonicalNodesUpdated {
                maxCanonicalNodes: 2
            }
        )]
    );
    (chain, proxy, base.parameter_registry)
}

#[test]
fn an_admin_adds_nodes_and_moves_them_in_and_out_of_the_canonical_set() {
    let (mut chain, registry, parameter_registry) = node_registry();
    assert_eq!(
        view(&mut chain, registry, &INodeRegistry::adminCall {}),
        ADMIN
    );

    // Only the admin adds nodes.
    let add = |owner: Address, seed: u8| INodeRegistry::addNodeCall {
        owner_: owner,
        signingPublicKey_: key(seed),
        httpAddress_: format!("https://node{seed}.example"),
    };
    assert_eq!(
        revert_data(&mut chain, ALICE, registry, &add(ALICE, 1)),
        Bytes::from(NotAdmin {}.abi_encode())
    );

    // Ids 100, 200, 300; each NFT is minted to its operator.
    for (index, (owner, seed)) in [(ALICE, 1u8), (BOB, 2), (ALICE, 3)].into_iter().enumerate() {
        let node_id = 100 * (u32::try_from(index).unwrap() + 1);
        let (returned, receipt) = transact(&mut chain, ADMIN, registry, &add(owner, seed));
        assert_eq!(
            (returned.nodeId_, returned.signer_),
            (node_id, signer_of(&key(seed)))
        );
        assert_eq!(
            receipt.logs,
            vec![
                log_of(
                    registry,
                    &Transfer {
                        from: Address::ZERO,
                        to: owner,
                        tokenId: U256::from(node_id),
                    }
                ),
                log_of(
                    registry,
                    &NodeAdded {
                        nodeId: node_id,
                        owner,
                        signer: signer_of(&key(seed)),
                        signingPublicKey: key(seed),
                        httpAddress: format!("https://node{seed}.example"),
                    }
                ),
            ]
        );
        assert_eq!(
            view(
                &mut chain,
                registry,
                &INodeRegistry::ownerOfCall {
                    tokenId: U256::from(node_id)
                }
            ),
            owner
        );
    }
    assert_eq!(
        view(
            &mut chain,
            registry,
            &INodeRegistry::balanceOfCall { owner: ALICE }
        ),
        U256::from(2)
    );
    assert_eq!(
        view(
            &mut chain,
            registry,
            &INodeRegistry::getAllNodesCountCall {}
        ),
        3
    );

    // Into the canonical set, up to the maximum of 2.
    for node_id in [100u32, 300] {
        let (_, receipt) = transact(
            &mut chain,
            ADMIN,
            registry,
            &INodeRegistry::addToNetworkCall { nodeId_: node_id },
        );
        assert_eq!(
            receipt.logs,
            vec![log_of(
                registry,
                &NodeAddedToCanonicalNetwork { nodeId: node_id }
            )]
        );
    }
    assert_eq!(
        revert_data(
            &mut chain,
            ADMIN,
            registry,
            &INodeRegistry::addToNetworkCall { nodeId_: 200 }
        ),
        Bytes::from(MaxCanonicalNodesReached {}.abi_encode())
    );
    assert_eq!(
        revert_data(
            &mut chain,
            ADMIN,
            registry,
            &INodeRegistry::addToNetworkCall { nodeId_: 400 }
        ),
        Bytes::from(
            ERC721NonexistentToken {
                tokenId: U256::from(400)
            }
            .abi_encode()
        )
    );
    assert_eq!(
        view(
            &mut chain,
            registry,
            &INodeRegistry::getCanonicalNodesCall {}
        ),
        vec![100, 300]
    );
    let node = view(
        &mut chain,
        registry,
        &INodeRegistry::getNodeCall { nodeId_: 300 },
    );
    assert_eq!(
        (
            node.signer,
            node.isCanonical,
            node.signingPublicKey,
            node.httpAddress
        ),
        (
            signer_of(&key(3)),
            true,
            key(3),
            "https://node3.example".to_owned()
        )
    );

    // The maximum cannot go below the set's size.
    transact(
        &mut chain,
        DEPLOYER,
        parameter_registry,
        &IParameterRegistry::set_0Call {
            key_: "xmtp.nodeRegistry.maxCanonicalNodes".into(),
            value_: word(1),
        },
    );
    assert_eq!(
        revert_data(
            &mut chain,
            DEPLOYER,
            registry,
            &INodeRegistry::updateMaxCanonicalNodesCall {}
        ),
        Bytes::from(MaxCanonicalNodesBelowCurrentCount {}.abi_encode())
    );

    // Out of the set: the last member moves into the removed one's place.
    let (_, receipt) = transact(
        &mut chain,
        ADMIN,
        registry,
        &INodeRegistry::removeFromNetworkCall { nodeId_: 100 },
    );
    assert_eq!(
        receipt.logs,
        vec![log_of(
            registry,
            &NodeRemovedFromCanonicalNetwork { nodeId: 100 }
        )]
    );
    assert_eq!(
        view(
            &mut chain,
            registry,
            &INodeRegistry::getCanonicalNodesCall {}
        ),
        vec![300]
    );
    assert!(!view(
        &mut chain,
        registry,
        &INodeRegistry::getIsCanonicalNodeCall { nodeId_: 100 }
    ));
    transact(
        &mut chain,
        DEPLOYER,
        registry,
        &INodeRegistry::updateMaxCanonicalNodesCall {},
    );
    assert_eq!(
        view(
            &mut chain,
            registry,
            &INodeRegistry::maxCanonicalNodesCall {}
        ),
        1
    );
    assert_eq!(
        revert_data(
            &mut chain,
            ADMIN,
            registry,
            &INodeRegistry::addToNetworkCall { nodeId_: 200 }
        ),
        Bytes::from(MaxCanonicalNodesReached {}.abi_encode())
    );
    assert_eq!(
        view(
            &mut chain,
            registry,
            &INodeRegistry::canonicalNodesCountCall {}
        ),
        1
    );
}
