//! Throughput and gas figures of the devnet (a benchmark that prints, not a timed test).
//!
//! `cargo run --release -p xmtp-devnet --example bench`
//!
//! Prints the time to instantiate a program (fresh instance per call, as Nitro does), the
//! number of Stylus calls per second through a Stylus proxy that delegate-calls a Stylus
//! implementation, and the gas of a reference set of calls, uncached and cached.

use std::fmt::Write as _;
use std::time::Instant;

use xmtp_devnet::engine::{Engine, WasmiEngine};
use xmtp_devnet::host::HostState;
use xmtp_devnet::{address, Address, Chain, Tx, U256};
use xmtp_stylus::codec;
use xmtp_stylus::instrument::{instrument, CompileConfig};

const PROXY_CREATION: &[u8] =
    include_bytes!("../../programs/factory/embedded/proxy-creation-code.bin");

const OWNER: Address = address!("00000000000000000000000000000000000000aa");

fn word(n: u8) -> String {
    let mut s = "\\00".repeat(31);
    let _ = write!(s, "\\{n:02x}");
    s
}

/// Writes slot 1 = calldata word, returns it.
fn implementation() -> String {
    r#"(module
  (import "vm_hooks" "read_args" (func $read_args (param i32)))
  (import "vm_hooks" "write_result" (func $write_result (param i32 i32)))
  (import "vm_hooks" "storage_cache_bytes32" (func $scache (param i32 i32)))
  (import "vm_hooks" "storage_flush_cache" (func $flush (param i32)))
  (memory (export "memory") 1 1)
  (data (i32.const 1024) "KEY")
  (func (export "user_entrypoint") (param $len i32) (result i32)
    (call $read_args (i32.const 0))
    (call $scache (i32.const 1024) (i32.const 0))
    (call $flush (i32.const 0))
    (call $write_result (i32.const 0) (i32.const 32))
    (i32.const 0)))"#
        .replace("KEY", &word(1))
}

/// Delegate-calls the implementation whose address is in its data, returns its data.
fn proxy(implementation: Address) -> String {
    let hex = implementation
        .as_slice()
        .iter()
        .fold(String::new(), |mut s, b| {
            let _ = write!(s, "\\{b:02x}");
            s
        });
    format!(
        r#"(module
  (import "vm_hooks" "read_args" (func $read_args (param i32)))
  (import "vm_hooks" "write_result" (func $write_result (param i32 i32)))
  (import "vm_hooks" "delegate_call_contract" (func $delegate (param i32 i32 i32 i64 i32) (result i32)))
  (import "vm_hooks" "read_return_data" (func $read_return_data (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1 1)
  (data (i32.const 2048) "{hex}")
  (func (export "user_entrypoint") (param $len i32) (result i32) (local $status i32)
    (call $read_args (i32.const 0))
    (local.set $status (call $delegate (i32.const 2048) (i32.const 0) (local.get $len) (i64.const -1) (i32.const 4096)))
    (call $write_result (i32.const 8192)
      (call $read_return_data (i32.const 8192) (i32.const 0) (i32.load (i32.const 4096))))
    (local.get $status)))"#
    )
}

fn deploy_program(chain: &mut Chain, wat: &str) -> Address {
    let wasm = wat::parse_str(wat).expect("wat");
    let init = codec::init_code(&codec::encode_code(&wasm).expect("compress"));
    let r = chain.deploy(OWNER, init).expect("deploy");
    let addr = r.created.expect("created");
    let r = chain
        .activate(OWNER, addr, U256::from(10u128.pow(20)))
        .expect("activate");
    assert!(r.status, "activation failed: {r:?}");
    addr
}

fn main() {
    let mut chain = Chain::new(412_346);
    chain.fund(OWNER, U256::from(10u128.pow(24)));
    let imp = deploy_program(&mut chain, &implementation());
    let prx = deploy_program(&mut chain, &proxy(imp));
    // The pipeline-built Proxy (`programs/proxy`), constructed with the implementation.
    let mut creation = PROXY_CREATION.to_vec();
    let mut arg = [0u8; 32];
    arg[12..].copy_from_slice(imp.as_slice());
    creation.extend_from_slice(&arg);
    let real = chain
        .deploy(OWNER, creation)
        .expect("deploy")
        .created
        .expect("created");
    let r = chain
        .activate(OWNER, real, U256::from(10u128.pow(20)))
        .expect("activate");
    assert!(r.status, "activation failed: {r:?}");

    // Instantiate time: a fresh instance of the instrumented proxy.
    let engine = WasmiEngine::default();
    let wasm = wat::parse_str(proxy(imp)).expect("wat");
    let instrumented = instrument(&wasm, &CompileConfig::default()).expect("instrument");
    let module = engine.compile(&instrumented.wasm).expect("compile");
    let n = 20_000u32;
    let t = Instant::now();
    for _ in 0..n {
        let instance = engine
            .instantiate(&module, HostState::default(), 1_000_000, 262_144)
            .expect("instantiate");
        std::hint::black_box(instance);
    }
    let per = t.elapsed() / n;
    println!("instantiate per call: {per:?}");

    // Calls through a Stylus proxy (each a committed transaction: proxy + implementation).
    let data = U256::from(7).to_be_bytes::<32>().to_vec();
    let calls = 5_000u32;
    for (name, target) in [("pipeline-built Proxy", real), ("WAT proxy", prx)] {
        let t = Instant::now();
        for i in 0..calls {
            let mut d = data.clone();
            d[31] = u8::try_from(i % 200).unwrap_or(0) + 1;
            let r = chain.send(&Tx::call(OWNER, target, d)).expect("tx");
            assert!(r.status);
        }
        let secs = t.elapsed().as_secs_f64();
        println!(
            "{name}: {:.0} transactions/s ({:.0} Stylus calls/s, 2 per transaction)",
            f64::from(calls) / secs,
            2.0 * f64::from(calls) / secs
        );
        let t = Instant::now();
        for _ in 0..calls {
            let r = chain
                .call(&Tx::call(OWNER, target, data.clone()))
                .expect("call");
            assert!(r.status);
        }
        let secs = t.elapsed().as_secs_f64();
        println!("{name}: {:.0} eth_calls/s", f64::from(calls) / secs);
    }

    // Reference gas, uncached then cached (receipt gas, 21 000 and calldata included).
    println!("| call | uncached gas | cached gas |");
    println!("| --- | --- | --- |");
    let mut row = |name: &str, to: Address, d: Vec<u8>, cache: &[Address]| {
        let snap = chain.snapshot();
        let uncached = chain
            .send(&Tx::call(OWNER, to, d.clone()))
            .expect("tx")
            .gas_used;
        chain.restore(snap.clone());
        for a in cache {
            chain.set_program_cached(chain.code_hash(*a), true);
        }
        let cached = chain.send(&Tx::call(OWNER, to, d)).expect("tx").gas_used;
        chain.restore(snap);
        println!("| {name} | {uncached} | {cached} |");
    };
    // Each row starts from the same state: the implementation's own slot 1 is 0, each proxy's
    // slot 1 holds 200 (the last value the loops above wrote).
    row(
        "implementation called directly (slot 1: 0 -> 7)",
        imp,
        data.clone(),
        &[imp],
    );
    row(
        "WAT proxy -> implementation (slot 1: 200 -> 7)",
        prx,
        data.clone(),
        &[prx, imp],
    );
    row(
        "built Proxy -> implementation (slot 1: 200 -> 7)",
        real,
        data.clone(),
        &[real, imp],
    );
    let mut same = data.clone();
    same[31] = 200;
    row(
        "built Proxy -> implementation (slot 1: 200 -> 200)",
        real,
        same,
        &[real, imp],
    );
    println!("compiled programs cached: {}", chain.compiled_programs());
}
