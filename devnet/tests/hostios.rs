//! One hand-written program per hostio and per cost rule. Expected ink and gas are computed here
//! from the spec's tables (`common`), not from the runtime's constants.

mod common;

use common::*;
use std::fmt::Write as _;
use xmtp_devnet::evm::StylusHalt;
use xmtp_devnet::{Address, Tx, U256};

fn hex32(n: u8) -> String {
    // A 32-byte word with `n` in its last byte, as a WAT data string.
    let mut s = String::new();
    for _ in 0..31 {
        s.push_str("\\00");
    }
    let _ = write!(s, "\\{n:02x}");
    s
}

const ECHO: &str = r#"(module
  (import "vm_hooks" "read_args" (func $read_args (param i32)))
  (import "vm_hooks" "write_result" (func $write_result (param i32 i32)))
  (memory (export "memory") 1 1)
  (func (export "user_entrypoint") (param $len i32) (result i32)
    i32.const 0
    call $read_args
    i32.const 0
    local.get $len
    call $write_result
    i32.const 0))"#;

#[test]
fn whole_transaction_gas_of_an_echo() {
    let mut chain = chain();
    let addr = program(&mut chain, ECHO);
    let data = [1u8, 2, 3, 0];
    let r = send(&mut chain, addr, &data);
    assert!(r.status);
    assert_eq!(r.output.to_vec(), data);
    let body = "i32.const 0\ncall\ni32.const 0\nlocal.get\ncall\ni32.const 0\nend";
    let ink = snippet_ink(body) + 8400 + write_price(4) + 8400 + 2 * read_price(4);
    let wasm_len = wat::parse_str(ECHO).unwrap().len() as u64;
    let (init, cached) = entry_costs(1, 2, wasm_len, 4, 0, 1);
    let expected = tx_gas(
        &data,
        entry_gas(init, cached, false) + ink.div_ceil(INK_PRICE),
    );
    assert_eq!(r.gas_used, expected);
    // The return-data floor (3 gas per word) is below what the frame used: no effect here.
}

#[test]
fn read_args_and_write_result() {
    let mut chain = chain();
    let data: Vec<u8> = (1..=40).collect();
    let snippet = "i32.const 8\ncall $read_args";
    let (ink, out) = measure(&mut chain, snippet, 48, "", &data);
    assert_eq!(
        ink,
        TEMPLATE_INK + snippet_ink(snippet) + 8400 + write_price(40)
    );
    assert_eq!(out, data);

    let snippet = "i32.const 8\ni32.const 100\ncall $write_result";
    let (ink, _) = measure(&mut chain, snippet, 8, "", &[]);
    assert_eq!(
        ink,
        TEMPLATE_INK + snippet_ink(snippet) + 8400 + 2 * read_price(100)
    );
}

fn key_data() -> String {
    format!(r#"(data (i32.const 1024) "{}{}")"#, hex32(1), hex32(0x77))
}

#[test]
fn storage_load_miss_and_hit() {
    let mut chain = chain();
    let load = "i32.const 1024\ni32.const 8\ncall $sload\n";
    // Cold miss: 2 100 + 5 (EVM API) gas; then a hit costs only the (free) read counter.
    let (ink, out) = measure(&mut chain, &load.repeat(2), 40, &key_data(), &[]);
    let base = 8400 + 2 * 5040;
    assert_eq!(
        ink,
        TEMPLATE_INK + 2 * snippet_ink(load) + 2 * base + (2100 + 5) * INK_PRICE
    );
    assert_eq!(out, vec![0u8; 32]);
}

#[test]
fn storage_read_counter_tiers() {
    let mut chain = chain();
    let load = "i32.const 1024\ni32.const 8\ncall $sload\n";
    // Reads 1..=32 are free, 33..=128 cost 2 gas each; the first read misses (cold).
    let (ink, _) = measure(&mut chain, &load.repeat(34), 8, &key_data(), &[]);
    let base = 8400 + 2 * 5040;
    let expected =
        TEMPLATE_INK + 34 * (snippet_ink(load) + base) + (2100 + 5) * INK_PRICE + 2 * 2 * INK_PRICE;
    assert_eq!(ink, expected);
}

#[test]
fn storage_cache_write_counter_and_flush() {
    let mut chain = chain();
    let cache = "i32.const 1024\ni32.const 1056\ncall $scache\n";
    let flush = "i32.const 0\ncall $flush\n";
    // Writes 1..=8 are free, the 9th costs 7; one dirty slot 0 -> 0x77, cold: 2 100 + 20 000.
    let snippet = format!("{}{flush}", cache.repeat(9));
    let (ink, _) = measure(&mut chain, &snippet, 8, &key_data(), &[]);
    let expected = TEMPLATE_INK
        + 9 * (snippet_ink(cache) + 18_480)
        + 7 * INK_PRICE
        + snippet_ink(flush)
        + 68_073
        + 22_100 * INK_PRICE;
    assert_eq!(ink, expected);
}

const STORE: &str = r#"(module
  (import "vm_hooks" "read_args" (func $read_args (param i32)))
  (import "vm_hooks" "storage_cache_bytes32" (func $scache (param i32 i32)))
  (import "vm_hooks" "storage_flush_cache" (func $flush (param i32)))
  (memory (export "memory") 1 1)
  (func (export "user_entrypoint") (param $len i32) (result i32)
    i32.const 0
    call $read_args
    i32.const 0
    i32.const 32
    call $scache
    i32.const 0
    call $flush
    i32.const 0))"#;

fn slot_call(key: u8, value: u8) -> Vec<u8> {
    let mut data = vec![0u8; 64];
    data[31] = key;
    data[63] = value;
    data
}

#[test]
fn flush_prices_and_refunds_like_sstore() {
    let mut chain = chain();
    let addr = program(&mut chain, STORE);
    let body = snippet_ink(
        "i32.const 0\ncall\ni32.const 0\ni32.const 32\ncall\ni32.const 0\ncall\ni32.const 0\nend",
    );
    let hostios = 8400 + write_price(64) + 18_480 + 68_073;
    let wasm_len = wat::parse_str(STORE).unwrap().len() as u64;
    let (init, cached) = entry_costs(1, 2, wasm_len, 4, 0, 1);
    let entry = entry_gas(init, cached, false);
    let gas = |flush_gas: u64, data: &[u8]| {
        tx_gas(
            data,
            entry + (body + hostios + flush_gas * INK_PRICE).div_ceil(INK_PRICE),
        )
    };

    // 0 -> 5, cold: 22 100.
    let data = slot_call(1, 5);
    let r = send(&mut chain, addr, &data);
    assert!(r.status);
    assert_eq!(r.gas_used, gas(22_100, &data));
    assert_eq!(chain.storage(addr, U256::from(1)), U256::from(5));

    // 5 -> 5, cold: 2 100 + 100.
    let r = send(&mut chain, addr, &data);
    assert_eq!(r.gas_used, gas(2200, &data));

    // 5 -> 0, cold: 2 100 + 2 900, refund 4 800 capped at a fifth of the gas used.
    let data = slot_call(1, 0);
    let r = send(&mut chain, addr, &data);
    let before_refund = gas(5000, &data);
    let refund = 4800u64.min(before_refund / 5);
    assert_eq!(r.gas_refunded, refund);
    assert_eq!(r.gas_used, before_refund - refund);
    assert_eq!(chain.storage(addr, U256::from(1)), U256::ZERO);
}

#[test]
fn transient_storage_round_trip() {
    let mut chain = chain();
    let snippet =
        "i32.const 1024\ni32.const 1056\ncall $tstore\ni32.const 1024\ni32.const 8\ncall $tload";
    let (ink, out) = measure(&mut chain, snippet, 40, &key_data(), &[]);
    assert_eq!(
        ink,
        TEMPLATE_INK + snippet_ink(snippet) + 2 * (78_153 + 100 * INK_PRICE)
    );
    assert_eq!(out[31], 0x77);
}

#[test]
fn emit_log_prices_and_content() {
    let mut chain = chain();
    // Two topics (the key words) and 10 data bytes.
    let extra = format!(
        r#"(data (i32.const 1024) "{}{}\01\02\03\04\05\06\07\08\09\0a")"#,
        hex32(1),
        hex32(0x77)
    );
    let snippet = "i32.const 1024\ni32.const 74\ni32.const 2\ncall $emit_log";
    let wat = measuring_module(snippet, 8, &extra);
    let addr = program(&mut chain, &wat);
    let r = send(&mut chain, addr, &[]);
    assert!(r.status);
    let ink = u64::from_le_bytes(r.output[..8].try_into().unwrap());
    let log_gas = 3 * 375 + 8 * 10;
    assert_eq!(
        ink,
        TEMPLATE_INK + snippet_ink(snippet) + 68_073 + read_price(74) + log_gas * INK_PRICE
    );
    assert_eq!(r.logs.len(), 1);
    let log = &r.logs[0];
    assert_eq!(log.address, addr);
    assert_eq!(log.topics()[0], xmtp_devnet::B256::with_last_byte(1));
    assert_eq!(log.topics()[1], xmtp_devnet::B256::with_last_byte(0x77));
    assert_eq!(log.data.data.to_vec(), (1..=10).collect::<Vec<u8>>());
}

#[test]
fn bad_log_is_a_failure_that_keeps_gas() {
    let mut chain = chain();
    let snippet = "i32.const 1024\ni32.const 64\ni32.const 5\ncall $emit_log";
    let wat = measuring_module(snippet, 8, &key_data());
    let addr = program(&mut chain, &wat);
    let r = chain
        .send(&Tx::call(OWNER, addr, Vec::new()).gas(1_000_000))
        .unwrap();
    assert!(!r.status);
    assert!(r.output.is_empty());
    assert!(r.gas_used < 100_000, "gas kept: {}", r.gas_used);
    assert!(matches!(
        r.stylus_halts.as_slice(),
        [StylusHalt::Failure(_)]
    ));
}

fn addr_data(a: Address) -> String {
    let mut s = String::new();
    for b in a.as_slice() {
        let _ = write!(s, "\\{b:02x}");
    }
    format!(r#"(data (i32.const 2048) "{s}")"#)
}

#[test]
fn account_balance_warm_and_cold() {
    let mut chain = chain();
    let cold = xmtp_devnet::address!("00000000000000000000000000000000000000c0");
    chain.fund(cold, U256::from(1234));
    let snippet = "i32.const 2048\ni32.const 8\ncall $balance";
    // The transaction's sender is warm: 100 gas.
    let (ink, out) = measure(&mut chain, snippet, 40, &addr_data(OWNER), &[]);
    assert_eq!(
        ink,
        TEMPLATE_INK + snippet_ink(snippet) + 78_153 + 100 * INK_PRICE
    );
    assert_eq!(U256::from_be_slice(&out), chain.balance(OWNER));
    // Another account is cold: 2 600.
    let (ink, out) = measure(&mut chain, snippet, 40, &addr_data(cold), &[]);
    assert_eq!(
        ink,
        TEMPLATE_INK + snippet_ink(snippet) + 78_153 + 2600 * INK_PRICE
    );
    assert_eq!(U256::from_be_slice(&out), U256::from(1234));
}

#[test]
fn account_code_size_hash_and_code_of_self() {
    let mut chain = chain();
    let snippet = "i32.const 8\ncall $address\ni32.const 8\ncall $code_size\ndrop\ni32.const 8\ni32.const 40\ncall $codehash\ni32.const 8\ni32.const 0\ni32.const 4\ni32.const 72\ncall $code\ndrop";
    let wat = measuring_module(snippet, 76, "");
    let addr = program(&mut chain, &wat);
    let code_len = chain.code(addr).len() as u64;
    let r = send(&mut chain, addr, &[]);
    assert!(r.status, "{r:?}");
    let ink = u64::from_le_bytes(r.output[..8].try_into().unwrap());
    // The program's own account is warm: size 700 + 100, hash 100, code 700 + 100.
    let expected = TEMPLATE_INK
        + snippet_ink(snippet)
        + 13_440
        + 68_073
        + 800 * INK_PRICE
        + 78_153
        + 100 * INK_PRICE
        + 68_073
        + 800 * INK_PRICE
        + write_price(code_len);
    assert_eq!(ink, expected);
    assert_eq!(&r.output[40..72], chain.code_hash(addr).as_slice());
    assert_eq!(&r.output[72..76], &[0xEF, 0xF0, 0x00, 0x00]);
}

#[test]
fn environment_getters() {
    let mut chain = chain();
    let snippet = "\
i32.const 8\ncall $address\n\
i32.const 28\ncall $sender\n\
i32.const 48\ncall $origin\n\
i32.const 68\ncall $coinbase\n\
i32.const 100\ncall $value\n\
i32.const 132\ncall $basefee\n\
i32.const 164\ncall $gas_price\n\
i32.const 196\ncall $chainid\ni64.store\n\
i32.const 204\ncall $block_number\ni64.store\n\
i32.const 212\ncall $timestamp\ni64.store\n\
i32.const 220\ncall $block_gas_limit\ni64.store\n\
i32.const 228\ncall $ink_price\ni32.store\n\
i32.const 232\ncall $reentrant\ni32.store\n\
call $gas_left\ndrop";
    let wat = measuring_module(snippet, 236, "");
    let addr = program(&mut chain, &wat);
    let r = send(&mut chain, addr, &[]);
    assert!(r.status, "{r:?}");
    let o = &r.output;
    let ink = u64::from_le_bytes(o[..8].try_into().unwrap());
    // 7 pointer getters (13 440) and 7 value getters (8 400).
    assert_eq!(
        ink,
        TEMPLATE_INK + snippet_ink(snippet) + 7 * 13_440 + 7 * 8400
    );
    assert_eq!(&o[8..28], addr.as_slice());
    assert_eq!(&o[28..48], OWNER.as_slice());
    assert_eq!(&o[48..68], OWNER.as_slice());
    assert_eq!(
        &o[68..100],
        &[0u8; 32][..20]
            .iter()
            .chain([0u8; 12].iter())
            .copied()
            .collect::<Vec<_>>()[..]
    );
    assert_eq!(U256::from_be_slice(&o[100..132]), U256::ZERO);
    let u64_at = |i: usize| u64::from_le_bytes(o[i..i + 8].try_into().unwrap());
    assert_eq!(u64_at(196), 412_346);
    assert_eq!(u64_at(204), 1);
    assert_eq!(u64_at(212), chain.timestamp());
    assert_eq!(u32::from_le_bytes(o[228..232].try_into().unwrap()), 10_000);
    assert_eq!(u32::from_le_bytes(o[232..236].try_into().unwrap()), 0);
}

#[test]
fn math_hostios() {
    let mut chain = chain();
    // Words at 8 (a = 100), 40 (b = 7), 72 (m = 9), 104 (a again), 136 (exp = 3).
    let extra = format!(
        r#"(data (i32.const 8) "{}{}{}{}{}{}")"#,
        hex32(100),
        hex32(7),
        hex32(9),
        hex32(100),
        hex32(3),
        hex32(100)
    );
    let snippet = "\
i32.const 8\ni32.const 40\ncall $div\n\
i32.const 104\ni32.const 40\ncall $mod\n\
i32.const 40\ni32.const 136\ncall $pow\n\
i32.const 168\ni32.const 40\ni32.const 72\ncall $add_mod\n\
i32.const 72\ni32.const 72\ni32.const 136\ncall $mul_mod";
    let (ink, out) = measure(&mut chain, snippet, 200, &extra, &[]);
    let pow = 3000 + 17_500 * (33 - 31);
    assert_eq!(
        ink,
        TEMPLATE_INK + snippet_ink(snippet) + 43_520 + 43_520 + 23_520 + pow + 49_560 + 52_660
    );
    let word = |i: usize| U256::from_be_slice(&out[i - 8..i + 24]);
    assert_eq!(word(8), U256::from(14)); // 100 / 7
    assert_eq!(word(104), U256::from(2)); // 100 % 7
    assert_eq!(word(40), U256::from(343)); // 7 ^ 3
    assert_eq!(word(168), U256::from((100 + 343) % 9)); // (100 + 343) % 9, b already 343
    assert_eq!(word(72), U256::from(0)); // 9 * 9 % 3
}

#[test]
fn keccak_prices_by_words() {
    let mut chain = chain();
    let snippet = "i32.const 1024\ni32.const 100\ni32.const 8\ncall $keccak";
    let (ink, out) = measure(&mut chain, snippet, 40, "", &[]);
    assert_eq!(ink, TEMPLATE_INK + snippet_ink(snippet) + keccak_price(100));
    assert_eq!(
        out,
        xmtp_devnet::B256::from(revm::primitives::keccak256([0u8; 100])).to_vec()
    );
}

#[test]
fn call_to_identity_and_return_data() {
    let mut chain = chain();
    // Call the identity precompile (0x04) with 40 bytes and all gas; read 100 bytes from 8.
    let extra = addr_data(xmtp_devnet::address!(
        "0000000000000000000000000000000000000004"
    ));
    let snippet = "\
i32.const 8\ni32.const 2048\ni32.const 1024\ni32.const 40\ni32.const 3000\ni64.const -1\ni32.const 8\ncall $call\ni32.store\n\
call $return_data_size\ndrop\n\
i32.const 12\ni32.const 8\ni32.const 100\ncall $read_return_data\ndrop";
    let (ink, out) = measure(&mut chain, snippet, 44, &extra, &[]);
    // identity: 15 + 3 per word; the call pays warm access (100) plus what the callee used.
    let call_gas = 100 + 15 + 3 * 2;
    let expected = TEMPLATE_INK
        + snippet_ink(snippet)
        + 83_193
        + 2 * read_price(40)
        + call_gas * INK_PRICE
        + 8400
        + 68_073
        + write_price(32);
    assert_eq!(ink, expected);
    // Status word then (over it, from offset 12) the 32 bytes after offset 8.
    assert_eq!(&out[..4], &[0, 0, 0, 0]);
}

#[test]
fn memory_grow_pays_the_page_model() {
    let mut chain = chain();
    let wat = format!(
        r#"(module {IMPORTS}
  (memory (export "memory") 1)
  (func (export "user_entrypoint") (param $len i32) (result i32) (local $a i64)
    call $ink
    local.set $a
    i32.const 2
    memory.grow
    drop
    i32.const 1
    memory.grow
    drop
    i32.const 0
    local.get $a
    call $ink
    i64.sub
    i64.store
    i32.const 0
    i32.const 8
    call $write_result
    i32.const 0))"#
    );
    let addr = program(&mut chain, &wat);
    let r = send(&mut chain, addr, &[]);
    assert!(r.status, "{r:?}");
    let ink = u64::from_le_bytes(r.output[..8].try_into().unwrap());
    // 1 -> 3 pages: one page past the two free ones, exp[3] - exp[1] = 0; 3 -> 4: one more.
    let snippet = "i32.const\nmemory.grow\ndrop\ni32.const\nmemory.grow\ndrop";
    assert_eq!(
        ink,
        TEMPLATE_INK + snippet_ink(snippet) + 2 * 1000 * INK_PRICE
    );
}

#[test]
fn exit_early_and_revert_data() {
    let mut chain = chain();
    let wat = format!(
        r#"(module {IMPORTS}
  (memory (export "memory") 1 1)
  (data (i32.const 0) "boom")
  (func (export "user_entrypoint") (param $len i32) (result i32)
    i32.const 0
    i32.const 4
    call $write_result
    local.get $len
    call $exit_early
    unreachable))"#
    );
    let addr = program(&mut chain, &wat);
    let r = send(&mut chain, addr, &[9]);
    assert!(!r.status);
    assert_eq!(r.output.to_vec(), b"boom");
    let r = send(&mut chain, addr, &[]);
    assert!(r.status);
    assert_eq!(r.output.to_vec(), b"boom");
}

#[test]
fn trap_reverts_empty_and_keeps_gas() {
    let mut chain = chain();
    let wat = r#"(module (memory (export "memory") 1 1)
      (func (export "user_entrypoint") (param $len i32) (result i32) unreachable))"#;
    let addr = program(&mut chain, wat);
    let r = chain
        .send(&Tx::call(OWNER, addr, Vec::new()).gas(1_000_000))
        .unwrap();
    assert!(!r.status);
    assert!(r.output.is_empty());
    let wasm_len = wat::parse_str(wat).unwrap().len() as u64;
    let (init, cached) = entry_costs(1, 2, wasm_len, 4, 0, 1);
    let ink = snippet_ink("unreachable\nend");
    assert_eq!(
        r.gas_used,
        21_000 + entry_gas(init, cached, false) + ink.div_ceil(INK_PRICE)
    );
}

#[test]
fn out_of_ink_burns_all_gas() {
    let mut chain = chain();
    let wat = r#"(module (memory (export "memory") 1 1)
      (func (export "user_entrypoint") (param $len i32) (result i32) (loop br 0) i32.const 0))"#;
    let addr = program(&mut chain, wat);
    let r = chain
        .send(&Tx::call(OWNER, addr, Vec::new()).gas(200_000))
        .unwrap();
    assert!(!r.status);
    assert_eq!(r.gas_used, 200_000);
    assert_eq!(r.stylus_halts, vec![StylusHalt::OutOfInk]);
}

#[test]
fn out_of_stack_burns_all_gas() {
    let mut chain = chain();
    let wat = r#"(module (memory (export "memory") 1 1)
      (func $f (call $f))
      (func (export "user_entrypoint") (param $len i32) (result i32) (call $f) i32.const 0))"#;
    let addr = program(&mut chain, wat);
    let r = chain
        .send(&Tx::call(OWNER, addr, Vec::new()).gas(20_000_000))
        .unwrap();
    assert!(!r.status);
    assert_eq!(r.gas_used, 20_000_000);
    assert_eq!(r.stylus_halts, vec![StylusHalt::OutOfStack]);
}

#[test]
fn entry_cost_cached_uncached_and_footprint() {
    let mut chain = chain();
    let small = r#"(module (memory (export "memory") 1 1)
      (func (export "user_entrypoint") (param $len i32) (result i32) i32.const 0))"#;
    let big = small.replace("1 1", "17 17");
    let a = program(&mut chain, small);
    let b = program(&mut chain, &big);
    let ra = send(&mut chain, a, &[]);
    let rb = send(&mut chain, b, &[]);
    let wasm_len = wat::parse_str(small).unwrap().len() as u64;
    let ink = snippet_ink("i32.const 0\nend").div_ceil(INK_PRICE);
    let (init, cached) = entry_costs(1, 2, wasm_len, 4, 0, 1);
    assert_eq!(ra.gas_used, 21_000 + entry_gas(init, cached, false) + ink);
    // 17 pages: 15 linear pages at 1 000 plus exp[17] - exp[0], and 5 per page of footprint.
    let (init17, cached17) = entry_costs(1, 2, wasm_len, 4, 0, 17);
    let pages = 15 * 1000 + (9 - 1);
    assert_eq!(
        rb.gas_used,
        21_000 + entry_gas(init17, cached17, false) + pages + ink
    );

    // Cached: the init part disappears.
    assert!(chain.set_program_cached(chain.code_hash(a), true));
    let rc = send(&mut chain, a, &[]);
    assert_eq!(rc.gas_used, 21_000 + entry_gas(init, cached, true) + ink);
}

#[test]
fn calling_an_unactivated_program_burns_the_gas() {
    let mut chain = chain();
    let wat = r#"(module (memory (export "memory") 1 1)
      (func (export "user_entrypoint") (param $len i32) (result i32) i32.const 0))"#;
    let addr = deploy(&mut chain, init_code(wat));
    let r = chain
        .send(&Tx::call(OWNER, addr, Vec::new()).gas(500_000))
        .unwrap();
    assert!(!r.status);
    assert_eq!(r.gas_used, 500_000);
    assert_eq!(r.stylus_halts, vec![StylusHalt::NotActivated]);
}

#[test]
fn recent_programs_are_cached_from_arbos_60() {
    let small = r#"(module (memory (export "memory") 1 1)
      (func (export "user_entrypoint") (param $len i32) (result i32) i32.const 0))"#;
    let wasm_len = wat::parse_str(small).unwrap().len() as u64;
    let (init, _) = entry_costs(1, 2, wasm_len, 4, 0, 1);
    let run = |arbos: u64| {
        let mut chain = xmtp_devnet::Chain::with_params(
            412_346,
            xmtp_stylus::activation::StylusParams::default(),
            arbos,
        );
        chain.fund(OWNER, U256::from(10u128.pow(24)));
        let s = program(&mut chain, small);
        // CALL(gas, s, 0, 0, 0, 0, 0); POP; twice; STOP.
        let one: String = format!("60006000600060006000{}5af150", {
            let mut h = String::from("73");
            for b in s.as_slice() {
                let _ = write!(h, "{b:02x}");
            }
            h
        });
        let caller = deploy(&mut chain, evm_init(&unhex(&format!("{one}{one}00"))));
        let r = send(&mut chain, caller, &[]);
        assert!(r.status);
        r.gas_used
    };
    // The second entry in the same block hits the 32-entry cache only from ArbOS 60.
    assert_eq!(run(50) - run(60), 69 * 128 + init);
}

#[test]
fn returning_data_costs_at_least_its_evm_memory() {
    let mut chain = chain();
    let wat = format!(
        r#"(module {IMPORTS}
  (memory (export "memory") 1 1)
  (func (export "user_entrypoint") (param $len i32) (result i32)
    i32.const 0
    i32.const 65536
    call $write_result
    i32.const 0))"#
    );
    let addr = program(&mut chain, &wat);
    let r = send(&mut chain, addr, &[]);
    assert!(r.status);
    assert_eq!(r.output.len(), 65_536);
    // 2 048 words: 3 per word plus words² / 512, above what the frame itself used.
    let words = 2048u64;
    assert_eq!(r.gas_used, 21_000 + 3 * words + words * words / 512);
}

#[test]
fn value_in_a_static_context_fails_without_charging_gas() {
    let mut chain = chain();
    let extra = addr_data(OWNER);
    let snippet = "i32.const 8\ni32.const 2048\ni32.const 0\ni32.const 0\ni32.const 3000\ni64.const -1\ni32.const 12\ncall $call\ni32.store";
    let wat = measuring_module(
        snippet,
        12,
        &format!(r#"{extra} (data (i32.const 3000) "\01")"#),
    );
    let m = program(&mut chain, &wat);
    // An EVM contract STATICCALLs the program and returns its output.
    let mut runtime = vec![
        0x36, 0x60, 0x00, 0x60, 0x00, 0x37, 0x60, 0x00, 0x60, 0x00, 0x36, 0x60, 0x00, 0x73,
    ];
    runtime.extend_from_slice(m.as_slice());
    runtime.extend_from_slice(&[
        0x5a, 0xfa, 0x3d, 0x60, 0x00, 0x60, 0x00, 0x3e, 0x3d, 0x60, 0x00, 0x82, 0x15, 0x60, 0x33,
        0x57, 0xf3, 0x5b, 0xfd,
    ]);
    let s = deploy(&mut chain, evm_init(&runtime));
    let r = send(&mut chain, s, &[]);
    assert!(r.status, "{r:?}");
    let ink = u64::from_le_bytes(r.output[..8].try_into().unwrap());
    // Only the hostio's own ink: no access, transfer or forwarded gas.
    assert_eq!(
        ink,
        TEMPLATE_INK + snippet_ink(snippet) + 83_193 + 2 * read_price(0)
    );
    assert_eq!(u32::from_le_bytes(r.output[8..12].try_into().unwrap()), 2);
}

#[test]
fn create_charges_base_and_child_gas_but_not_the_withheld_64th() {
    let mut chain = chain();
    // Init code RETURN(0, 0): two PUSH1 (3 gas each), empty code, no deposit.
    let extra = r#"(data (i32.const 1024) "\60\00\60\00\f3")"#;
    let c1 =
        "i32.const 1024\ni32.const 5\ni32.const 2000\ni32.const 8\ni32.const 28\ncall $create1";
    let (ink, out) = measure(&mut chain, c1, 32, extra, &[]);
    assert_eq!(
        ink,
        TEMPLATE_INK + snippet_ink(c1) + 83_193 + 2 * read_price(5) + (32_000 + 6) * INK_PRICE
    );
    assert_ne!(&out[..20], &[0u8; 20]);
    assert_eq!(&out[20..24], &[0, 0, 0, 0]);
    // create2 adds 6 gas per word of init code hashed.
    let c2 = "i32.const 1024\ni32.const 5\ni32.const 2000\ni32.const 3000\ni32.const 8\ni32.const 28\ncall $create2";
    let (ink, _) = measure(&mut chain, c2, 32, extra, &[]);
    assert_eq!(
        ink,
        TEMPLATE_INK + snippet_ink(c2) + 88_233 + 2 * read_price(5) + (32_000 + 6 + 6) * INK_PRICE
    );
}

#[test]
fn value_calls_pay_transfer_and_new_account_and_keep_no_stipend() {
    let mut chain = chain();
    let fresh = xmtp_devnet::address!("00000000000000000000000000000000000000f2");
    let snippet = "i32.const 2048\ni32.const 0\ni32.const 0\ni32.const 3000\ni64.const -1\ni32.const 8\ncall $call\ndrop";
    let value = r#"(data (i32.const 3000) "\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\05")"#;
    let run = |chain: &mut xmtp_devnet::Chain, to: Address| {
        let wat = measuring_module(snippet, 8, &format!("{} {value}", addr_data(to)));
        let m = program(chain, &wat);
        chain.fund(m, U256::from(100));
        let r = send(chain, m, &[]);
        assert!(r.status, "{r:?}");
        u64::from_le_bytes(r.output[..8].try_into().unwrap())
    };
    let hostio = TEMPLATE_INK + snippet_ink(snippet) + 83_193 + 2 * read_price(0);
    // A cold, empty account: 100 + 2 500 cold + 25 000 new account + 9 000 transfer; the
    // callee has no code and returns all its gas, stipend included, which is not credited.
    assert_eq!(
        run(&mut chain, fresh),
        hostio + (100 + 2500 + 25_000 + 9000) * INK_PRICE
    );
    assert_eq!(chain.balance(fresh), U256::from(5));
    // The sender (warm, existing): 100 + 9 000.
    assert_eq!(run(&mut chain, OWNER), hostio + (100 + 9000) * INK_PRICE);
}

#[test]
fn nested_stylus_frames_stop_at_the_page_limit() {
    let mut chain = chain();
    // Calls itself with all gas; returns 1 + the depth the child reported, or 0 when the call
    // failed.
    let wat = format!(
        r#"(module {IMPORTS}
  (memory (export "memory") 1 1)
  (func (export "user_entrypoint") (param $len i32) (result i32)
    (call $address (i32.const 0))
    (if (i32.eqz (call $call (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 100) (i64.const -1) (i32.const 40)))
      (then
        (drop (call $read_return_data (i32.const 44) (i32.const 0) (i32.const 4)))
        (i32.store (i32.const 48) (i32.add (i32.load (i32.const 44)) (i32.const 1))))
      (else (i32.store (i32.const 48) (i32.const 0))))
    (call $write_result (i32.const 48) (i32.const 4))
    (i32.const 0)))"#
    );
    let r_addr = program(&mut chain, &wat);
    let r = chain
        .send(&Tx::call(OWNER, r_addr, Vec::new()).gas(10_000_000_000))
        .unwrap();
    assert!(r.status, "{r:?}");
    // Every open frame holds its page: the 129th would need more than the 128-entry table.
    assert_eq!(u32::from_le_bytes(r.output[..4].try_into().unwrap()), 127);
    assert_eq!(r.stylus_halts, vec![StylusHalt::EntryCost]);
}

#[test]
fn caching_an_unknown_program_changes_nothing() {
    let mut chain = chain();
    assert!(!chain.set_program_cached(xmtp_devnet::B256::with_last_byte(1), true));
    let addr = program(&mut chain, ECHO);
    assert!(send(&mut chain, addr, &[1]).status);
}

/// A data segment at 2048 holding the given addresses one after another (20 bytes each).
fn addresses_data(addrs: &[Address]) -> String {
    let mut s = String::new();
    for b in addrs.iter().flat_map(|a| a.as_slice()) {
        let _ = write!(s, "\\{b:02x}");
    }
    format!(r#"(data (i32.const 2048) "{s}")"#)
}

/// 40 bytes 1..=40 at 1024 (call data) and the identity precompile's address at 2048.
fn identity_data() -> String {
    let mut s = String::new();
    for b in 1..=40u8 {
        let _ = write!(s, "\\{b:02x}");
    }
    format!(
        r#"(data (i32.const 1024) "{s}") {}"#,
        addr_data(xmtp_devnet::address!(
            "0000000000000000000000000000000000000004"
        ))
    )
}

/// Gas the identity precompile uses for 40 bytes (15 + 3 per word), plus the warm access.
const IDENTITY_40: u64 = 100 + 15 + 3 * 2;

#[test]
fn delegate_and_static_calls_price_like_call() {
    let mut chain = chain();
    for hostio in ["$delegate", "$static"] {
        // Status at 8, return length at 12.
        let snippet = format!(
            "i32.const 8\ni32.const 2048\ni32.const 1024\ni32.const 40\ni64.const -1\ni32.const 12\ncall {hostio}\ni32.store"
        );
        let (ink, out) = measure(&mut chain, &snippet, 16, &identity_data(), &[]);
        assert_eq!(
            ink,
            TEMPLATE_INK
                + snippet_ink(&snippet)
                + 83_193
                + 2 * read_price(40)
                + IDENTITY_40 * INK_PRICE,
            "{hostio}"
        );
        assert_eq!(&out[..4], &[0, 0, 0, 0], "{hostio}: status");
        assert_eq!(&out[4..8], &40u32.to_le_bytes(), "{hostio}: return length");
    }
}

#[test]
fn read_return_data_copies_only_the_overlap() {
    let mut chain = chain();
    let snippet = "\
i32.const 8\ni32.const 2048\ni32.const 1024\ni32.const 40\ni32.const 3000\ni64.const -1\ni32.const 12\ncall $call\ni32.store\n\
i32.const 16\ni32.const 100\ni32.const 30\ni32.const 100\ncall $read_return_data\ni32.store\n\
i32.const 20\ni32.const 200\ni32.const 50\ni32.const 8\ncall $read_return_data\ni32.store";
    let (ink, out) = measure(&mut chain, snippet, 110, &identity_data(), &[]);
    // Offset 30 of 40 bytes: 10 written, priced as 10; offset 50: none, priced as 0.
    let expected = TEMPLATE_INK
        + snippet_ink(snippet)
        + 83_193
        + 2 * read_price(40)
        + IDENTITY_40 * INK_PRICE
        + 68_073
        + write_price(10)
        + 68_073
        + write_price(0);
    assert_eq!(ink, expected);
    assert_eq!(&out[8..12], &10u32.to_le_bytes());
    assert_eq!(&out[12..16], &0u32.to_le_bytes());
    assert_eq!(&out[92..102], (31..=40).collect::<Vec<u8>>().as_slice());
}

#[test]
fn exit_early_is_not_charged() {
    let mut chain = chain();
    let wat = r#"(module
  (import "vm_hooks" "exit_early" (func $exit_early (param i32)))
  (memory (export "memory") 1 1)
  (func (export "user_entrypoint") (param $len i32) (result i32)
    i32.const 0
    call $exit_early
    unreachable))"#;
    let addr = program(&mut chain, wat);
    let r = send(&mut chain, addr, &[]);
    assert!(r.status, "{r:?}");
    assert!(r.output.is_empty());
    // One block paid (6 251 ink: one gas); the hostio's 8 400 would make it two.
    let ink = snippet_ink("i32.const 0\ncall");
    let wasm_len = wat::parse_str(wat).unwrap().len() as u64;
    let (init, cached) = entry_costs(1, 2, wasm_len, 4, 0, 1);
    assert_eq!(
        r.gas_used,
        tx_gas(
            &[],
            entry_gas(init, cached, false) + ink.div_ceil(INK_PRICE)
        )
    );
}

#[test]
fn pay_for_memory_grow_charges_its_base_only_for_zero_pages() {
    let mut chain = chain();
    // Zero pages: the hostio's 8 400. One page (1 open -> 2, free): nothing, not even the
    // base. Another (2 -> 3): 1 000 linear, exp[3] - exp[2] = 0.
    let snippet = "i32.const 0\ncall $pay\ni32.const 1\ncall $pay\ni32.const 1\ncall $pay";
    let (ink, _) = measure(&mut chain, snippet, 8, "", &[]);
    assert_eq!(
        ink,
        TEMPLATE_INK + snippet_ink(snippet) + 8400 + 1000 * INK_PRICE
    );
}

#[test]
fn evm_gas_left_is_the_ink_left_in_whole_gas() {
    let mut chain = chain();
    let snippet = "i32.const 8\ncall $ink\ni64.store\ni32.const 16\ncall $gas_left\ni64.store";
    let (ink, out) = measure(&mut chain, snippet, 24, "", &[]);
    assert_eq!(ink, TEMPLATE_INK + snippet_ink(snippet) + 2 * 8400);
    let ink_then = u64::from_le_bytes(out[..8].try_into().unwrap());
    let gas_left = u64::from_le_bytes(out[8..16].try_into().unwrap());
    // Between the two: the next block (i64.store, i32.const, call, header) and the hostio.
    let between = snippet_ink("i64.store\ni32.const\ncall") + 8400;
    assert_eq!(gas_left, (ink_then - between) / INK_PRICE);
}

#[test]
fn basefee_gas_price_and_block_gas_limit() {
    let mut chain = chain();
    chain.set_basefee(7);
    let snippet = "\
i32.const 8\ncall $basefee\n\
i32.const 40\ncall $gas_price\n\
i32.const 72\ncall $block_gas_limit\ni64.store";
    let (ink, out) = measure(&mut chain, snippet, 80, "", &[]);
    assert_eq!(ink, TEMPLATE_INK + snippet_ink(snippet) + 2 * 13_440 + 8400);
    assert_eq!(U256::from_be_slice(&out[..32]), U256::from(7));
    // Arbitrum's gas price is the base fee.
    assert_eq!(U256::from_be_slice(&out[32..64]), U256::from(7));
    // Arbitrum's block gas limit, 2^50.
    assert_eq!(u64::from_le_bytes(out[64..72].try_into().unwrap()), 1 << 50);
}

#[test]
fn codehash_of_missing_and_codeless_accounts_and_code_of_a_cold_contract() {
    let mut chain = chain();
    let missing = xmtp_devnet::address!("00000000000000000000000000000000000000e1");
    let codeless = xmtp_devnet::address!("00000000000000000000000000000000000000e2");
    let contract = xmtp_devnet::address!("00000000000000000000000000000000000000e3");
    chain.fund(codeless, U256::from(1));
    let code = [0x60u8, 0x2a, 0x60, 0x00, 0xf3];
    chain.set_code(contract, code.to_vec().into());
    // Hashes at 8 and 40; 3 bytes of code from offset 1 at 72, their count at 76.
    let snippet = "\
i32.const 2048\ni32.const 8\ncall $codehash\n\
i32.const 2068\ni32.const 40\ncall $codehash\n\
i32.const 76\ni32.const 2088\ni32.const 1\ni32.const 3\ni32.const 72\ncall $code\ni32.store";
    let extra = addresses_data(&[missing, codeless, contract]);
    let (ink, out) = measure(&mut chain, snippet, 80, &extra, &[]);
    // All three accounts are cold: 2 600 each, 700 more for code, whose whole length is
    // priced as written.
    let expected = TEMPLATE_INK
        + snippet_ink(snippet)
        + 2 * (78_153 + 2600 * INK_PRICE)
        + 68_073
        + (700 + 2600) * INK_PRICE
        + write_price(code.len() as u64);
    assert_eq!(ink, expected);
    assert_eq!(&out[..32], &[0u8; 32]);
    assert_eq!(&out[32..64], revm::primitives::KECCAK_EMPTY.as_slice());
    assert_eq!(&out[64..67], &code[1..4]);
    assert_eq!(&out[68..72], &3u32.to_le_bytes());
}

#[test]
fn opcode_prices_follow_the_table() {
    let mut chain = chain();
    // Straight-line code (no branch taken): every instruction and every block header is paid.
    let snippet = "\
nop
i32.const 7
i32.const 3
i32.add
i32.const 2
i32.sub
i32.const 6
i32.mul
i32.const 5
i32.div_s
i32.const 3
i32.rem_u
i32.const 1
i32.shl
i32.const 1
i32.rotl
i32.popcnt
i32.clz
i32.ctz
i32.eqz
i32.const 4
i32.lt_u
i32.extend8_s
i64.extend_i32_u
i64.const 9
i64.add
i64.const 3
i64.mul
i64.const 2
i64.div_u
i64.const 7
i64.rem_s
i64.popcnt
i64.clz
i64.ctz
i64.extend32_s
i64.const 1
i64.xor
i64.eqz
drop
global.get $g
local.tee $len
global.set $g
local.get $len
local.set $len
i32.const 100
i32.load
i32.const 104
i64.load
i32.wrap_i64
i32.add
i32.const 1
i32.const 2
select
drop
i32.const 200
i32.const 9
i32.store8
i32.const 208
i64.const 9
i64.store32
memory.size
drop
loop
i32.const 0
br_if 0
end
block
end";
    let (ink, _) = measure(
        &mut chain,
        snippet,
        8,
        "(global $g (mut i32) (i32.const 5))",
        &[],
    );
    assert_eq!(ink, TEMPLATE_INK + snippet_ink(snippet));
}

#[test]
fn taken_branches_skip_the_blocks_they_jump_over() {
    let mut chain = chain();
    let extra = r"(type $t (func (param i32) (result i32)))
  (table 1 funcref) (elem (i32.const 0) $f)
  (func $f (type $t) local.get 0)";
    let snippet = "\
block
block
i32.const 0
br_table 0 1
end
i32.const 1
if
nop
else
nop
end
end
i32.const 7
i32.const 0
call_indirect (type $t)
drop";
    let (ink, _) = measure(&mut chain, snippet, 8, extra, &[]);
    // Blocks end after br_table, end, if, else, end, end, call_indirect. br_table jumps past
    // the inner `end`'s block (its header sits before that `end`); the taken `then` arm jumps
    // over the `else` arm's block.
    let br_table = 2400 + 325;
    let call_indirect = 13_610 + 650;
    let paid = [
        1 + 1 + 1 + br_table,  // block block i32.const br_table
        1 + 765,               // i32.const if
        1 + 1,                 // nop else
        1,                     // end (outer)
        1 + 1 + call_indirect, // i32.const i32.const call_indirect
        75 + 1,                // $f: local.get end
    ];
    let expected = TEMPLATE_INK + paid.iter().map(|c| c + HEADER).sum::<u64>() + op_ink("drop");
    assert_eq!(ink, expected);
}

#[test]
fn bulk_copy_and_fill_pay_per_byte() {
    let mut chain = chain();
    let snippet = "\
i32.const 100\ni32.const 200\ni32.const 64\nmemory.copy\n\
i32.const 8\ni32.const 7\ni32.const 10\nmemory.fill";
    let (ink, out) = measure(&mut chain, snippet, 18, "", &[]);
    // 100 ink per byte on top of the static price.
    assert_eq!(ink, TEMPLATE_INK + snippet_ink(snippet) + (64 + 10) * 100);
    assert_eq!(out, vec![7u8; 10]);
}

#[test]
fn calls_forward_63_64ths_of_the_gas_left_or_the_request() {
    // The callee returns what GAS reads (the gas it was given, less GAS's own 2).
    let callee = xmtp_devnet::address!("00000000000000000000000000000000000000c4");
    let block = "i64.store\ni32.const\ni32.const\ni32.const\ni32.const\ni32.const\ni64.const\ni32.const\ncall";
    for (request, requested) in [("-1", None), ("5000", Some(5000u64))] {
        let mut chain = chain();
        chain.set_code(
            callee,
            vec![0x5a, 0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xf3].into(),
        );
        // Ink left at 8, then the call: status at 16, return length at 20, returned word at 24.
        let snippet = format!(
            "i32.const 8\ncall $ink\n\
i64.store\ni32.const 16\ni32.const 2048\ni32.const 0\ni32.const 0\ni32.const 3000\ni64.const {request}\ni32.const 20\ncall $call\n\
i32.store\ni32.const 24\ni32.const 0\ni32.const 32\ncall $read_return_data\ndrop"
        );
        let (ink, out) = measure(&mut chain, &snippet, 56, &addr_data(callee), &[]);
        let ink_then = u64::from_le_bytes(out[..8].try_into().unwrap());
        let hostio = 83_193 + 2 * read_price(0);
        let gas_left = (ink_then - snippet_ink(block) - hostio) / INK_PRICE;
        // A cold callee: 2 600 before the rule applies.
        let all_but_a_64th = (gas_left - 2600) * 63 / 64;
        let forwarded = requested.map_or(all_but_a_64th, |r| r.min(all_but_a_64th));
        assert_eq!(&out[8..12], &[0, 0, 0, 0]);
        assert_eq!(U256::from_be_slice(&out[16..48]), U256::from(forwarded - 2));
        // The caller pays the access and what the callee used: GAS, two PUSH1, MSTORE with
        // one word of memory, two PUSH1 and RETURN.
        let callee_used = 2 + 3 + 3 + 3 + 3 + 3;
        assert_eq!(
            ink,
            TEMPLATE_INK
                + snippet_ink(&snippet)
                + 8400
                + hostio
                + (2600 + callee_used) * INK_PRICE
                + 68_073
                + write_price(32)
        );
    }
}

/// EVM code that STATICCALLs `target` with no data and all gas and returns the success flag
/// as a word.
fn static_caller(target: Address) -> Vec<u8> {
    let mut runtime = vec![0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x73];
    runtime.extend_from_slice(target.as_slice());
    runtime.extend_from_slice(&[0x5a, 0xfa, 0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xf3]);
    evm_init(&runtime)
}

#[test]
fn writes_in_a_static_context_are_failures() {
    let mut chain = chain();
    for (name, body) in [
        (
            "transient store",
            "(call $tstore (i32.const 1024) (i32.const 1056))",
        ),
        (
            "log",
            "(call $emit_log (i32.const 1024) (i32.const 32) (i32.const 0))",
        ),
        (
            "flush of a dirty slot",
            "(call $scache (i32.const 1024) (i32.const 1056)) (call $flush (i32.const 0))",
        ),
    ] {
        let wat = format!(
            r#"(module {IMPORTS}
  (memory (export "memory") 1 1)
  {}
  (func (export "user_entrypoint") (param $len i32) (result i32) {body} i32.const 0))"#,
            key_data()
        );
        let writer = program(&mut chain, &wat);
        // Called directly it succeeds.
        assert!(send(&mut chain, writer, &[]).status, "{name}");
        let caller = deploy(&mut chain, static_caller(writer));
        let r = send(&mut chain, caller, &[]);
        assert!(r.status, "{name}: {r:?}");
        assert_eq!(U256::from_be_slice(&r.output), U256::ZERO, "{name}");
        assert!(
            matches!(r.stylus_halts.as_slice(), [StylusHalt::Failure(_)]),
            "{name}: {:?}",
            r.stylus_halts
        );
    }
}

#[test]
fn ecrecover_answers_a_program() {
    let mut chain = chain();
    // go-ethereum's ecrecover test vector: hash, v = 27, r, s.
    let input = "38d18acb67d25c8bb9942764b62f18e17054f66a817bd4295423adf9ed98873e\
000000000000000000000000000000000000000000000000000000000000001b\
38d18acb67d25c8bb9942764b62f18e17054f66a817bd4295423adf9ed98873e\
789d1dd423d25f0772d2748d60f7e4b81bb14d086eba8e8e8efb6dcff8a4ae02";
    let mut bytes = String::new();
    for i in (0..input.len()).step_by(2) {
        let _ = write!(bytes, "\\{}", &input[i..i + 2]);
    }
    let extra = format!(
        r#"(data (i32.const 1024) "{bytes}") {}"#,
        addr_data(xmtp_devnet::address!(
            "0000000000000000000000000000000000000001"
        ))
    );
    let snippet = "\
i32.const 2048\ni32.const 1024\ni32.const 128\ni64.const -1\ni32.const 200\ncall $static\ndrop\n\
i32.const 8\ni32.const 0\ni32.const 32\ncall $read_return_data\ndrop";
    let (ink, out) = measure(&mut chain, snippet, 40, &extra, &[]);
    // ecrecover's 3 000 gas plus the warm access.
    assert_eq!(
        ink,
        TEMPLATE_INK
            + snippet_ink(snippet)
            + 83_193
            + 2 * read_price(128)
            + (100 + 3000) * INK_PRICE
            + 68_073
            + write_price(32)
    );
    assert_eq!(&out[..12], &[0u8; 12]);
    assert_eq!(
        &out[12..32],
        xmtp_devnet::address!("ceaccac640adf55b2028469bd36ba501f28b699d").as_slice()
    );
}
