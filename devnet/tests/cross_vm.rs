//! EVM bytecode and Stylus programs calling each other: calls, delegate calls, static calls,
//! proxies, creates, reentrancy, value, and rollback of every frame below a revert.

mod common;

use common::*;
use std::fmt::Write as _;
use xmtp_devnet::evm::StylusHalt;
use xmtp_devnet::{address, Address, Chain, Tx, B256, U256};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn evm(chain: &mut Chain, runtime: &str) -> Address {
    deploy(chain, evm_init(&unhex(runtime)))
}

/// Forwards calldata to `target` with CALL (or DELEGATECALL) and all gas; returns or reverts
/// with the callee's data.
fn forwarder(target: Address, delegate: bool) -> String {
    if delegate {
        format!(
            "366000600037600060003660006073{}5af43d600060003e3d60008215603357f35bfd",
            hex(target.as_slice())
        )
    } else {
        format!(
            "36600060003760006000366000600073{}5af13d600060003e3d60008215603557f35bfd",
            hex(target.as_slice())
        )
    }
}

/// Stores CALLER at slot 7 and returns the word 0x42.
const EVM_STORE_CALLER: &str = "33600755604260005260206000f3";
/// Reverts with empty data.
const EVM_REVERT: &str = "60006000fd";

/// EIP-1167 minimal proxy init code.
fn minimal_proxy_init(implementation: Address) -> Vec<u8> {
    unhex(&format!(
        "3d602d80600a3d3981f3363d3d373d3d3d363d73{}5af43d82803e903d91602b57fd5bf3",
        hex(implementation.as_slice())
    ))
}

/// Stores `msg_sender` at slot 7 and `contract_address` at slot 8, returns the word 0x42.
fn store_sender_program() -> String {
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

fn word_str(n: u8) -> String {
    let mut s = "\\00".repeat(31);
    let _ = write!(s, "\\{n:02x}");
    s
}

/// args: [kind][target 20][calldata]; kind 0 call, 1 delegate call, 2 static call, 3 call with
/// value 5. Writes slot 1 = 1 first when `write` is set; returns the callee's data, reverting
/// with it when the call failed, or reverting after a successful call when kind has bit 7 set.
fn caller_program() -> String {
    format!(
        r#"(module {IMPORTS}
  (memory (export "memory") 1 1)
  (data (i32.const 1024) "{k1}{w1}")
  (data (i32.const 4032) "{w5}")
  (func (export "user_entrypoint") (param $len i32) (result i32) (local $status i32) (local $rlen i32) (local $kind i32)
    (call $read_args (i32.const 0))
    (call $scache (i32.const 1024) (i32.const 1056))
    (call $flush (i32.const 0))
    (local.set $kind (i32.and (i32.load8_u (i32.const 0)) (i32.const 127)))
    (block $done
      (block $value
        (block $static
          (block $delegate
            (block $call
              (br_table $call $delegate $static $value (local.get $kind)))
            (local.set $status (call $call (i32.const 1) (i32.const 21)
              (i32.sub (local.get $len) (i32.const 21)) (i32.const 4000) (i64.const -1) (i32.const 4096)))
            (br $done))
          (local.set $status (call $delegate (i32.const 1) (i32.const 21)
            (i32.sub (local.get $len) (i32.const 21)) (i64.const -1) (i32.const 4096)))
          (br $done))
        (local.set $status (call $static (i32.const 1) (i32.const 21)
          (i32.sub (local.get $len) (i32.const 21)) (i64.const -1) (i32.const 4096)))
        (br $done))
      (local.set $status (call $call (i32.const 1) (i32.const 21)
        (i32.sub (local.get $len) (i32.const 21)) (i32.const 4032) (i64.const -1) (i32.const 4096))))
    (local.set $rlen (call $read_return_data (i32.const 8192) (i32.const 0) (call $return_data_size)))
    (call $write_result (i32.const 8192) (local.get $rlen))
    (if (i32.and (i32.load8_u (i32.const 0)) (i32.const 128)) (then (call $exit_early (i32.const 1))))
    (local.get $status)))"#,
        k1 = word_str(1),
        w1 = word_str(1),
        w5 = word_str(5)
    )
}

fn args(kind: u8, target: Address, data: &[u8]) -> Vec<u8> {
    let mut v = vec![kind];
    v.extend_from_slice(target.as_slice());
    v.extend_from_slice(data);
    v
}

fn word(n: u64) -> Vec<u8> {
    U256::from(n).to_be_bytes::<32>().to_vec()
}

fn slot(chain: &Chain, a: Address, s: u64) -> U256 {
    chain.storage(a, U256::from(s))
}

fn as_word(a: Address) -> U256 {
    U256::from_be_slice(a.as_slice())
}

#[test]
fn evm_calls_stylus() {
    let mut chain = chain();
    let s = program(&mut chain, &store_sender_program());
    let f = evm(&mut chain, &forwarder(s, false));
    let r = send(&mut chain, f, &[1, 2]);
    assert!(r.status, "{r:?}");
    assert_eq!(r.output.to_vec(), word(0x42));
    assert_eq!(slot(&chain, s, 7), as_word(f));
    assert_eq!(slot(&chain, s, 8), as_word(s));
}

#[test]
fn evm_minimal_proxy_delegates_into_stylus() {
    let mut chain = chain();
    let s = program(&mut chain, &store_sender_program());
    let p = deploy(&mut chain, minimal_proxy_init(s));
    let r = send(&mut chain, p, &[]);
    assert!(r.status, "{r:?}");
    assert_eq!(r.output.to_vec(), word(0x42));
    // The program ran on the proxy's address and storage, with the original sender.
    assert_eq!(slot(&chain, p, 7), as_word(OWNER));
    assert_eq!(slot(&chain, p, 8), as_word(p));
    assert_eq!(slot(&chain, s, 7), U256::ZERO);
}

#[test]
fn stylus_calls_and_delegates_into_evm() {
    let mut chain = chain();
    let c = program(&mut chain, &caller_program());
    let e = evm(&mut chain, EVM_STORE_CALLER);
    let r = send(&mut chain, c, &args(0, e, &[]));
    assert!(r.status, "{r:?}");
    assert_eq!(r.output.to_vec(), word(0x42));
    assert_eq!(slot(&chain, e, 7), as_word(c));

    // Delegate call: the EVM code writes the program's storage with the program's caller.
    let r = send(&mut chain, c, &args(1, e, &[]));
    assert!(r.status, "{r:?}");
    assert_eq!(slot(&chain, c, 7), as_word(OWNER));

    // Static call into a writer fails; the program reverts with the (empty) callee data.
    let r = send(&mut chain, c, &args(2, e, &[]));
    assert!(!r.status);
    assert!(r.output.is_empty());
}

#[test]
fn stylus_proxy_delegates_into_stylus() {
    let mut chain = chain();
    let c = program(&mut chain, &caller_program());
    let s = program(&mut chain, &store_sender_program());
    let r = send(&mut chain, c, &args(1, s, &[]));
    assert!(r.status, "{r:?}");
    assert_eq!(r.output.to_vec(), word(0x42));
    assert_eq!(slot(&chain, c, 7), as_word(OWNER));
    assert_eq!(slot(&chain, c, 8), as_word(c));
    assert_eq!(slot(&chain, s, 7), U256::ZERO);
}

#[test]
fn revert_deep_in_a_mixed_chain_rolls_back_every_frame() {
    let mut chain = chain();
    let s = program(&mut chain, &store_sender_program());
    let f = evm(&mut chain, &forwarder(s, false));
    let c = program(&mut chain, &caller_program());
    // C writes slot 1, calls F (EVM) which calls S (Stylus, writes 7 and 8), then C reverts.
    let r = send(&mut chain, c, &args(0x80, f, &[]));
    assert!(!r.status);
    assert_eq!(r.output.to_vec(), word(0x42));
    assert_eq!(slot(&chain, c, 1), U256::ZERO);
    assert_eq!(slot(&chain, s, 7), U256::ZERO);
    assert_eq!(slot(&chain, s, 8), U256::ZERO);

    // Without the final revert everything persists.
    let r = send(&mut chain, c, &args(0, f, &[]));
    assert!(r.status);
    assert_eq!(slot(&chain, c, 1), U256::from(1));
    assert_eq!(slot(&chain, s, 7), as_word(f));

    // A reverting callee only undoes its own frame: C keeps its write and reports failure.
    let mut fresh = common::chain();
    let c = program(&mut fresh, &caller_program());
    let bad = evm(&mut fresh, EVM_REVERT);
    let r = send(&mut fresh, c, &args(0, bad, &[]));
    assert!(
        !r.status,
        "the status returned by the call is non-zero, so C reverts"
    );
    assert_eq!(slot(&fresh, c, 1), U256::ZERO);
}

#[test]
fn value_transfer_to_a_new_account_pays_evm_call_costs() {
    let mut chain = chain();
    let c = program(&mut chain, &caller_program());
    chain.fund(c, U256::from(100));
    let fresh = address!("00000000000000000000000000000000000000f1");
    let r = send(&mut chain, c, &args(3, fresh, &[]));
    assert!(r.status, "{r:?}");
    assert_eq!(chain.balance(fresh), U256::from(5));
    assert_eq!(chain.balance(c), U256::from(95));
}

/// No args: returns `msg_reentrant` as one byte. Otherwise calls the address in the first 20
/// bytes with the rest as calldata and returns the callee's data.
fn relay_program() -> String {
    format!(
        r#"(module {IMPORTS}
  (memory (export "memory") 1 1)
  (func (export "user_entrypoint") (param $len i32) (result i32) (local $rlen i32)
    (if (i32.eqz (local.get $len))
      (then
        (i32.store8 (i32.const 100) (call $reentrant))
        (call $write_result (i32.const 100) (i32.const 1))
        (return (i32.const 0))))
    (call $read_args (i32.const 0))
    (drop (call $call (i32.const 0) (i32.const 20) (i32.sub (local.get $len) (i32.const 20))
      (i32.const 4000) (i64.const -1) (i32.const 4096)))
    (local.set $rlen (call $read_return_data (i32.const 8192) (i32.const 0) (call $return_data_size)))
    (call $write_result (i32.const 8192) (local.get $rlen))
    (i32.const 0)))"#
    )
}

#[test]
fn reentrancy_flag_counts_non_delegate_frames() {
    let mut chain = chain();
    let a = program(&mut chain, &relay_program());
    // A alone: not reentrant.
    assert_eq!(send(&mut chain, a, &[]).output.to_vec(), vec![0]);
    // A -> F (EVM) -> A: reentrant.
    let f = evm(&mut chain, &forwarder(a, false));
    assert_eq!(send(&mut chain, a, f.as_slice()).output.to_vec(), vec![1]);
    // A proxy delegating into A is not reentrant by that alone.
    let p = deploy(&mut chain, minimal_proxy_init(a));
    assert_eq!(send(&mut chain, p, &[]).output.to_vec(), vec![0]);
    // P -> F2 -> P: the proxy's address is open twice.
    let f2 = evm(&mut chain, &forwarder(p, false));
    assert_eq!(send(&mut chain, p, f2.as_slice()).output.to_vec(), vec![1]);
}

fn creator_program() -> String {
    // args: [salted][init code]; writes address (20) and revert-data length (4).
    format!(
        r#"(module {IMPORTS}
  (memory (export "memory") 2 2)
  (data (i32.const 1024) "{salt}")
  (func (export "user_entrypoint") (param $len i32) (result i32)
    (call $read_args (i32.const 4096))
    (if (i32.load8_u (i32.const 4096))
      (then (call $create2 (i32.const 4097) (i32.sub (local.get $len) (i32.const 1)) (i32.const 2000) (i32.const 1024) (i32.const 0) (i32.const 20)))
      (else (call $create1 (i32.const 4097) (i32.sub (local.get $len) (i32.const 1)) (i32.const 2000) (i32.const 0) (i32.const 20))))
    (call $write_result (i32.const 0) (i32.const 24))
    (i32.const 0)))"#,
        salt = word_str(9)
    )
}

#[test]
fn creates_of_evm_and_stylus_init_code() {
    let mut chain = chain();
    let k = program(&mut chain, &creator_program());
    let evm_init_code = evm_init(&unhex(EVM_STORE_CALLER));

    // create1 of EVM code: nonce 1 of the program.
    let mut data = vec![0];
    data.extend_from_slice(&evm_init_code);
    let r = send(&mut chain, k, &data);
    assert!(r.status, "{r:?}");
    let created = Address::from_slice(&r.output[..20]);
    assert_eq!(created, k.create(1));
    assert_eq!(chain.code(created).to_vec(), unhex(EVM_STORE_CALLER));

    // create2 of EVM code.
    let mut data = vec![1];
    data.extend_from_slice(&evm_init_code);
    let r = send(&mut chain, k, &data);
    let created = Address::from_slice(&r.output[..20]);
    assert_eq!(
        created,
        k.create2(
            B256::with_last_byte(9),
            revm::primitives::keccak256(&evm_init_code)
        )
    );

    // create2 of Stylus init code already active elsewhere: callable at once.
    let store = store_sender_program();
    let active = program(&mut chain, &store);
    let stylus_init = init_code(&store);
    let mut data = vec![1];
    data.extend_from_slice(&stylus_init);
    let r = send(&mut chain, k, &data);
    assert!(r.status, "{r:?}");
    let child = Address::from_slice(&r.output[..20]);
    assert_eq!(chain.code(child), chain.code(active));
    let r = send(&mut chain, child, &[]);
    assert!(r.status);
    assert_eq!(slot(&chain, child, 8), as_word(child));

    // A program never activated deploys but cannot be called until activated.
    let other = init_code(
        &store
            .replace("0x42", "0x43")
            .replace(&word_str(0x42), &word_str(0x43)),
    );
    let mut data = vec![0];
    data.extend_from_slice(&other);
    let r = send(&mut chain, k, &data);
    let child = Address::from_slice(&r.output[..20]);
    assert_ne!(child, Address::ZERO);
    let r = chain
        .send(&Tx::call(OWNER, child, Vec::new()).gas(300_000))
        .unwrap();
    assert!(!r.status);
    assert_eq!(r.gas_used, 300_000);
    assert_eq!(r.stylus_halts, vec![StylusHalt::NotActivated]);
    assert!(
        chain
            .activate(OWNER, child, U256::from(10u128.pow(20)))
            .unwrap()
            .status
    );
    assert!(send(&mut chain, child, &[]).status);

    // Init code that reverts: zero address, revert data length reported.
    let mut data = vec![0];
    data.extend_from_slice(&unhex("60aa6000526001601ffd"));
    let r = send(&mut chain, k, &data);
    assert_eq!(&r.output[..20], Address::ZERO.as_slice());
    assert_eq!(u32::from_le_bytes(r.output[20..24].try_into().unwrap()), 1);
}

#[test]
fn evm_code_starting_with_ef_is_refused_but_stylus_code_deploys() {
    let mut chain = chain();
    // Returns a single 0xEF byte as runtime code.
    let r = chain.deploy(OWNER, unhex("60ef60005360016000f3")).unwrap();
    assert!(!r.status);
    let r = chain
        .deploy(OWNER, init_code(&store_sender_program()))
        .unwrap();
    assert!(r.status);
}

/// Records every finished call: scheme, caller, target, success.
#[derive(Default)]
struct Calls(Vec<(revm::interpreter::CallScheme, Address, Address, bool)>);

impl<CTX> revm::inspector::Inspector<CTX> for Calls {
    fn call_end(
        &mut self,
        _context: &mut CTX,
        inputs: &revm::interpreter::CallInputs,
        outcome: &mut revm::interpreter::CallOutcome,
    ) {
        self.0.push((
            inputs.scheme,
            inputs.caller,
            inputs.target_address,
            outcome.result.is_ok(),
        ));
    }
}

#[test]
fn an_inspector_sees_every_frame_of_a_mixed_tree() {
    use revm::interpreter::CallScheme::{Call, DelegateCall};
    let mut chain = chain();
    let store = program(&mut chain, &store_sender_program());
    let fwd = evm(&mut chain, &forwarder(store, false));
    let caller = program(&mut chain, &caller_program());
    let writer = evm(&mut chain, EVM_STORE_CALLER);
    // EOA -> C (Stylus) -> F (EVM) -> S (Stylus); then EOA -> C -> delegate E (EVM).
    let (r, calls) = chain
        .inspect(
            &Tx::call(OWNER, caller, args(0, fwd, &[])),
            Calls::default(),
            true,
        )
        .unwrap();
    assert!(r.status, "{r:?}");
    assert_eq!(
        calls.0,
        vec![
            (Call, fwd, store, true),
            (Call, caller, fwd, true),
            (Call, OWNER, caller, true)
        ]
    );
    let (r, calls) = chain
        .inspect(
            &Tx::call(OWNER, caller, args(1, writer, &[])),
            Calls::default(),
            false,
        )
        .unwrap();
    assert!(r.status, "{r:?}");
    assert_eq!(
        calls.0,
        vec![
            (DelegateCall, OWNER, caller, true),
            (Call, OWNER, caller, true)
        ]
    );
    // The inspected run committed exactly as a plain one would.
    assert_eq!(slot(&chain, store, 7), as_word(fwd));
    // And the chain keeps working after lending its state to the inspector.
    assert!(send(&mut chain, caller, &args(0, fwd, &[])).status);
}

#[test]
fn stylus_to_stylus_reentrancy_sets_the_flag() {
    let mut chain = chain();
    let a = program(&mut chain, &relay_program());
    // The same code at another address: active already, activation being per code hash.
    let b = deploy(&mut chain, init_code(&relay_program()));
    // A -> B: B is entered once.
    assert_eq!(send(&mut chain, a, b.as_slice()).output.to_vec(), vec![0]);
    // A -> B -> A: A is open twice.
    let mut data = b.to_vec();
    data.extend_from_slice(a.as_slice());
    assert_eq!(send(&mut chain, a, &data).output.to_vec(), vec![1]);
}

#[test]
fn an_evm_call_into_an_inactive_program_consumes_the_forwarded_gas() {
    let mut chain = chain();
    let wat = r#"(module (memory (export "memory") 1 1)
      (func (export "user_entrypoint") (param $len i32) (result i32) i32.const 0))"#;
    let inactive = deploy(&mut chain, init_code(wat));
    let expired = program(
        &mut chain,
        wat.replace("i32.const 0", "i32.const 0 nop").as_str(),
    );
    // CALL(100 000 gas, target, 0, 0, 0, 0, 0); returns (success, RETURNDATASIZE).
    let caller_of = |target: Address| {
        format!(
            "6000600060006000600073{}620186a0f16000523d60205260406000f3",
            hex(target.as_slice())
        )
    };
    let c1 = evm(&mut chain, &caller_of(inactive));
    let c2 = evm(&mut chain, &caller_of(expired));
    chain.advance(366 * 86_400, 1);
    for c in [c1, c2] {
        let r = send(&mut chain, c, &[]);
        assert!(r.status, "{r:?}");
        // Failure, no return data.
        assert_eq!(r.output.to_vec(), [word(0), word(0)].concat());
        // Pushes (7 x 3), a cold CALL (2 600) whose 100 000 are all consumed, two MSTOREs
        // (3 + 3 memory each), RETURNDATASIZE (2), the return's pushes (2 x 3).
        let execution = 7 * 3 + 2600 + 100_000 + 3 + 2 * (3 + 3) + 2 + 3 + 2 * 3;
        assert_eq!(r.gas_used, tx_gas(&[], execution));
    }
}

#[test]
fn a_revert_five_frames_deep_rolls_back_every_frame() {
    let mut chain = chain();
    let s = program(&mut chain, &store_sender_program());
    let f2 = evm(&mut chain, &forwarder(s, false));
    let c2 = program(&mut chain, &caller_program());
    let f1 = evm(&mut chain, &forwarder(c2, false));
    let c1 = deploy(&mut chain, init_code(&caller_program()));
    // C1 (Stylus) -> F1 (EVM) -> C2 (Stylus) -> F2 (EVM) -> S (Stylus). C1 and C2 write slot 1,
    // S slots 7 and 8; C2 reverts after its call succeeded, and every frame above fails with it.
    let r = send(&mut chain, c1, &args(0, f1, &args(0x80, f2, &[])));
    assert!(!r.status);
    assert_eq!(r.output.to_vec(), word(0x42));
    for (account, key) in [(c1, 1), (c2, 1), (s, 7), (s, 8)] {
        assert_eq!(slot(&chain, account, key), U256::ZERO);
    }
    // Without the revert every frame's writes persist.
    let r = send(&mut chain, c1, &args(0, f1, &args(0, f2, &[])));
    assert!(r.status, "{r:?}");
    assert_eq!(slot(&chain, c1, 1), U256::from(1));
    assert_eq!(slot(&chain, c2, 1), U256::from(1));
    assert_eq!(slot(&chain, s, 7), as_word(f2));
    assert_eq!(slot(&chain, s, 8), as_word(s));
}

#[test]
fn fragmented_program_code_is_refused_at_deployment() {
    let mut chain = chain();
    // A fragment (EF F0 01) and a fragmented program's root (EF F0 02, dictionary, length,
    // one fragment's address): Nitro accepts them from ArbOS 60, this runtime does not.
    let mut root = vec![0xEF, 0xF0, 0x02, 0x00, 0x00, 0x00, 0x10, 0x00];
    root.extend_from_slice(OWNER.as_slice());
    for code in [vec![0xEF, 0xF0, 0x01, 0x1b, 0x00], root] {
        let r = chain
            .deploy(OWNER, xmtp_stylus::codec::init_code(&code))
            .unwrap();
        assert!(!r.status, "{code:02x?}");
        assert_eq!(r.created, None);
    }
}
