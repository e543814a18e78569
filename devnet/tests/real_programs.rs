//! Programs compiled from `programs/` by the build pipeline, run as they are: the committed
//! init code of Initializable and the Proxy's creation code (the Factory embeds both).
//!
//! The full flows on this runtime (the Factory deploying and activating implementations and
//! proxies, calls through the Stylus proxy, a Migrator's upgrade and its `Upgraded`) are the
//! system tests in `tests/tests/foundation.rs`, which build every program first.

mod common;

use common::*;
use xmtp_devnet::{Address, B256, U256};

const INITIALIZABLE: &[u8] =
    include_bytes!("../../programs/factory/embedded/initializable-init-code.bin");
const PROXY_CREATION: &[u8] =
    include_bytes!("../../programs/factory/embedded/proxy-creation-code.bin");

/// `bytes32(uint256(keccak256("eip1967.proxy.implementation")) - 1)`.
fn implementation_slot() -> U256 {
    U256::from_be_bytes(revm::primitives::keccak256("eip1967.proxy.implementation").0)
        - U256::from(1)
}

fn word_str(n: u8) -> String {
    format!("{}\\{n:02x}", "\\00".repeat(31))
}

/// Stores `msg_sender` at slot 7 and `contract_address` at slot 8, returns the word 0x42.
fn implementation_wat() -> String {
    format!(
        r#"(module {IMPORTS}
  (memory (export "memory") 1 1)
  (data (i32.const 1024) "{k7}{k8}{w42}")
  (func (export "user_entrypoint") (param $len i32) (result i32)
    (call $sender (i32.const 2060))
    (call $scache (i32.const 1024) (i32.const 2048))
    (call $address (i32.const 2124))
    (call $scache (i32.const 1056) (i32.const 2112))
    (call $flush (i32.const 0))
    (call $write_result (i32.const 1088) (i32.const 32))
    (i32.const 0)))"#,
        k7 = word_str(7),
        k8 = word_str(8),
        w42 = word_str(0x42)
    )
}

fn activate(chain: &mut xmtp_devnet::Chain, addr: Address) {
    let r = chain
        .activate(OWNER, addr, U256::from(10u128.pow(20)))
        .unwrap();
    assert!(
        r.status,
        "activation of a pipeline-built program failed: {r:?}"
    );
}

#[test]
fn proxy_and_initializable_as_built() {
    let mut chain = chain();
    let initializable = deploy(&mut chain, INITIALIZABLE.to_vec());
    activate(&mut chain, initializable);
    let implementation = program(&mut chain, &implementation_wat());

    // The Proxy's creation code takes abi.encode(implementation) and stores it in the slot.
    let mut creation = PROXY_CREATION.to_vec();
    creation.extend_from_slice(B256::left_padding_from(initializable.as_slice()).as_slice());
    let proxy = deploy(&mut chain, creation);
    activate(&mut chain, proxy);
    assert_eq!(
        chain.storage(proxy, implementation_slot()),
        U256::from_be_slice(initializable.as_slice())
    );

    // initialize(implementation, 0xaabbccdd) through the proxy: Initializable (in the proxy's
    // storage) points the slot at the implementation and runs it by delegate call.
    let mut data = xmtp_devnet::arb::selector("initialize(address,bytes)").to_vec();
    data.extend_from_slice(B256::left_padding_from(implementation.as_slice()).as_slice());
    data.extend_from_slice(&U256::from(64).to_be_bytes::<32>());
    data.extend_from_slice(&U256::from(4).to_be_bytes::<32>());
    let mut payload = [0u8; 32];
    payload[..4].copy_from_slice(&[0xaa, 0xbb, 0xcc, 0xdd]);
    data.extend_from_slice(&payload);
    let r = send(&mut chain, proxy, &data);
    assert!(r.status, "{r:?}");
    assert_eq!(
        chain.storage(proxy, implementation_slot()),
        U256::from_be_slice(implementation.as_slice())
    );
    assert_eq!(
        chain.storage(proxy, U256::from(7)),
        U256::from_be_slice(OWNER.as_slice())
    );
    assert_eq!(
        chain.storage(proxy, U256::from(8)),
        U256::from_be_slice(proxy.as_slice())
    );
    // Nothing was written in the implementations' own storage.
    assert_eq!(chain.storage(implementation, U256::from(7)), U256::ZERO);
    assert_eq!(
        chain.storage(initializable, implementation_slot()),
        U256::ZERO
    );

    // Later calls go straight through the proxy to the implementation.
    let r = send(&mut chain, proxy, &[1, 2, 3]);
    assert!(r.status, "{r:?}");
    assert_eq!(U256::from_be_slice(&r.output), U256::from(0x42));

    // Calling Initializable with an unknown selector reverts with empty data, as Solidity does.
    let r = send(&mut chain, initializable, &[0xde, 0xad, 0xbe, 0xef]);
    assert!(!r.status);
    assert!(r.output.is_empty());
}
