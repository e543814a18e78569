//! A chain forked from another (served here by a local chain behind the `Remote` trait): state
//! read lazily, writes kept local, programs active on the remote active on the fork with the
//! same gas, inactive ones refused, a failed read recorded.

mod common;

use std::sync::Mutex;

use common::{deploy, init_code, program, OWNER};
use xmtp_devnet::evm::StylusHalt;
use xmtp_devnet::fork::{ForkPoint, Remote};
use xmtp_devnet::{Address, Bytes, Chain, Tx, B256, U256};

/// Stores a 32-byte argument in slot 0 when given one; always returns slot 0.
const STORE: &str = r#"(module
  (import "vm_hooks" "read_args" (func $read_args (param i32)))
  (import "vm_hooks" "write_result" (func $write_result (param i32 i32)))
  (import "vm_hooks" "storage_load_bytes32" (func $sload (param i32 i32)))
  (import "vm_hooks" "storage_cache_bytes32" (func $scache (param i32 i32)))
  (import "vm_hooks" "storage_flush_cache" (func $flush (param i32)))
  (memory (export "memory") 1 1)
  (func (export "user_entrypoint") (param $len i32) (result i32)
    (if (i32.eq (local.get $len) (i32.const 32))
      (then
        (call $read_args (i32.const 32))
        (call $scache (i32.const 0) (i32.const 32))
        (call $flush (i32.const 0))))
    (call $sload (i32.const 0) (i32.const 64))
    (call $write_result (i32.const 64) (i32.const 32))
    (i32.const 0)))"#;

/// A local chain answering as a remote one would.
struct Local(Mutex<Chain>);

impl Remote for Local {
    fn balance(&self, account: Address) -> Result<U256, String> {
        Ok(self.0.lock().unwrap().balance(account))
    }

    fn nonce(&self, account: Address) -> Result<u64, String> {
        Ok(self.0.lock().unwrap().nonce(account))
    }

    fn code(&self, account: Address) -> Result<Bytes, String> {
        Ok(self.0.lock().unwrap().code(account))
    }

    fn storage(&self, account: Address, slot: U256) -> Result<U256, String> {
        Ok(self.0.lock().unwrap().storage(account, slot))
    }

    fn block_hash(&self, number: u64) -> Result<B256, String> {
        Ok(B256::with_last_byte(u8::try_from(number % 256).unwrap()))
    }

    fn call(&self, to: Address, data: Bytes) -> Result<Option<Bytes>, String> {
        let receipt = self
            .0
            .lock()
            .unwrap()
            .call(&Tx::call(Address::ZERO, to, data))
            .map_err(|e| e.to_string())?;
        Ok(receipt.status.then_some(receipt.output))
    }
}

fn word(v: u64) -> Vec<u8> {
    U256::from(v).to_be_bytes::<32>().to_vec()
}

fn fork_of(remote: Chain) -> Chain {
    let at = ForkPoint {
        chain_id: remote.chain_id(),
        block: remote.block_number() - 1,
        timestamp: remote.timestamp(),
    };
    Chain::fork(Box::new(Local(Mutex::new(remote))), at)
}

#[test]
fn a_fork_reads_lazily_keeps_its_writes_and_runs_active_programs_at_the_same_gas() {
    let mut remote = common::chain();
    let store = program(&mut remote, STORE);
    assert!(common::send(&mut remote, store, &word(7)).status);
    let head = remote.block_number();
    let twin = remote.snapshot();
    let mut fork = fork_of(remote);

    assert_eq!(fork.chain_id(), 412_346);
    assert_eq!(fork.block_number(), head);
    assert_eq!(fork.nonce(OWNER), 3);
    assert_eq!(fork.storage(store, U256::ZERO), U256::from(7));
    let read = fork.call(&Tx::call(OWNER, store, vec![])).unwrap();
    assert!(read.status, "{read:?}");
    assert_eq!(read.output.to_vec(), word(7));

    let written = fork.send(&Tx::call(OWNER, store, word(9))).unwrap();
    assert!(written.status, "{written:?}");
    assert_eq!(fork.storage(store, U256::ZERO), U256::from(9));
    assert_eq!(fork.nonce(OWNER), 4);
    assert_eq!(fork.block_number(), head + 1);
    assert_eq!(fork.fork_error(), None);

    // The remote as it was, sent the same transaction: the same gas.
    let mut original = common::chain();
    original.restore(twin);
    let sent = original.send(&Tx::call(OWNER, store, word(9))).unwrap();
    assert!(sent.status);
    assert_eq!(sent.gas_used, written.gas_used);
}

#[test]
fn a_program_the_remote_never_activated_does_not_run_on_the_fork() {
    let mut remote = common::chain();
    let store = deploy(&mut remote, init_code(STORE));
    let mut fork = fork_of(remote);
    let refused = fork.call(&Tx::call(OWNER, store, vec![])).unwrap();
    assert!(!refused.status);
    assert_eq!(refused.stylus_halts, vec![StylusHalt::NotActivated]);
    assert_eq!(fork.fork_error(), None);
}

/// A remote whose every read fails.
struct Unreachable;

impl Remote for Unreachable {
    fn balance(&self, _: Address) -> Result<U256, String> {
        Err("connection refused".into())
    }

    fn nonce(&self, _: Address) -> Result<u64, String> {
        Err("connection refused".into())
    }

    fn code(&self, _: Address) -> Result<Bytes, String> {
        Err("connection refused".into())
    }

    fn storage(&self, _: Address, _: U256) -> Result<U256, String> {
        Err("connection refused".into())
    }

    fn block_hash(&self, _: u64) -> Result<B256, String> {
        Err("connection refused".into())
    }

    fn call(&self, _: Address, _: Bytes) -> Result<Option<Bytes>, String> {
        Err("connection refused".into())
    }
}

#[test]
fn a_failed_read_answers_empty_and_is_recorded() {
    let at = ForkPoint {
        chain_id: 1,
        block: 10,
        timestamp: 1_700_000_000,
    };
    let fork = Chain::fork(Box::new(Unreachable), at);
    assert_eq!(fork.balance(OWNER), U256::ZERO);
    assert_eq!(fork.fork_error().as_deref(), Some("connection refused"));
}

#[test]
fn a_program_cached_on_the_remote_runs_cached_on_the_fork() {
    let mut remote = common::chain();
    let store = program(&mut remote, STORE);
    assert!(remote.set_program_cached(remote.code_hash(store), true));
    let twin = remote.snapshot();
    let mut fork = fork_of(remote);
    let on_fork = fork.send(&Tx::call(OWNER, store, word(9))).unwrap();
    assert!(on_fork.status, "{on_fork:?}");

    let mut original = common::chain();
    original.restore(twin.clone());
    let on_remote = original.send(&Tx::call(OWNER, store, word(9))).unwrap();
    assert_eq!(on_fork.gas_used, on_remote.gas_used);
    // Uncached, the same call pays the program's init gas as well.
    let mut uncached = common::chain();
    uncached.restore(twin);
    assert!(uncached.set_program_cached(uncached.code_hash(store), false));
    let paying = uncached.send(&Tx::call(OWNER, store, word(9))).unwrap();
    let wasm_len = wat::parse_str(STORE).unwrap().len() as u64;
    let (init, _) = common::entry_costs(1, 2, wasm_len, 4, 0, 1);
    assert_eq!(paying.gas_used - on_fork.gas_used, 69 * 128 + init);
}
