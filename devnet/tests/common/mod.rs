//! Shared test helpers: a chain with a funded account, program deployment, and the spec's price
//! tables restated independently of the runtime (`spec/stylus-platform.md` §1.2, §2.2, §2.5).

#![allow(dead_code)]

use xmtp_devnet::{address, Address, Chain, Receipt, Tx, U256};
use xmtp_stylus::codec;

/// Ink per gas.
pub const INK_PRICE: u64 = 10_000;
/// Ink of a basic block's header.
pub const HEADER: u64 = 2450;

/// Every `vm_hooks` import with Nitro's types.
pub const IMPORTS: &str = r#"
  (import "vm_hooks" "read_args" (func $read_args (param i32)))
  (import "vm_hooks" "write_result" (func $write_result (param i32 i32)))
  (import "vm_hooks" "exit_early" (func $exit_early (param i32)))
  (import "vm_hooks" "storage_load_bytes32" (func $sload (param i32 i32)))
  (import "vm_hooks" "storage_cache_bytes32" (func $scache (param i32 i32)))
  (import "vm_hooks" "storage_flush_cache" (func $flush (param i32)))
  (import "vm_hooks" "transient_load_bytes32" (func $tload (param i32 i32)))
  (import "vm_hooks" "transient_store_bytes32" (func $tstore (param i32 i32)))
  (import "vm_hooks" "call_contract" (func $call (param i32 i32 i32 i32 i64 i32) (result i32)))
  (import "vm_hooks" "delegate_call_contract" (func $delegate (param i32 i32 i32 i64 i32) (result i32)))
  (import "vm_hooks" "static_call_contract" (func $static (param i32 i32 i32 i64 i32) (result i32)))
  (import "vm_hooks" "create1" (func $create1 (param i32 i32 i32 i32 i32)))
  (import "vm_hooks" "create2" (func $create2 (param i32 i32 i32 i32 i32 i32)))
  (import "vm_hooks" "read_return_data" (func $read_return_data (param i32 i32 i32) (result i32)))
  (import "vm_hooks" "return_data_size" (func $return_data_size (result i32)))
  (import "vm_hooks" "emit_log" (func $emit_log (param i32 i32 i32)))
  (import "vm_hooks" "account_balance" (func $balance (param i32 i32)))
  (import "vm_hooks" "account_code" (func $code (param i32 i32 i32 i32) (result i32)))
  (import "vm_hooks" "account_code_size" (func $code_size (param i32) (result i32)))
  (import "vm_hooks" "account_codehash" (func $codehash (param i32 i32)))
  (import "vm_hooks" "evm_gas_left" (func $gas_left (result i64)))
  (import "vm_hooks" "evm_ink_left" (func $ink (result i64)))
  (import "vm_hooks" "block_basefee" (func $basefee (param i32)))
  (import "vm_hooks" "chainid" (func $chainid (result i64)))
  (import "vm_hooks" "block_coinbase" (func $coinbase (param i32)))
  (import "vm_hooks" "block_gas_limit" (func $block_gas_limit (result i64)))
  (import "vm_hooks" "block_number" (func $block_number (result i64)))
  (import "vm_hooks" "block_timestamp" (func $timestamp (result i64)))
  (import "vm_hooks" "contract_address" (func $address (param i32)))
  (import "vm_hooks" "math_div" (func $div (param i32 i32)))
  (import "vm_hooks" "math_mod" (func $mod (param i32 i32)))
  (import "vm_hooks" "math_pow" (func $pow (param i32 i32)))
  (import "vm_hooks" "math_add_mod" (func $add_mod (param i32 i32 i32)))
  (import "vm_hooks" "math_mul_mod" (func $mul_mod (param i32 i32 i32)))
  (import "vm_hooks" "msg_reentrant" (func $reentrant (result i32)))
  (import "vm_hooks" "msg_sender" (func $sender (param i32)))
  (import "vm_hooks" "msg_value" (func $value (param i32)))
  (import "vm_hooks" "native_keccak256" (func $keccak (param i32 i32 i32)))
  (import "vm_hooks" "tx_gas_price" (func $gas_price (param i32)))
  (import "vm_hooks" "tx_ink_price" (func $ink_price (result i32)))
  (import "vm_hooks" "tx_origin" (func $origin (param i32)))
  (import "vm_hooks" "pay_for_memory_grow" (func $pay (param i32)))
"#;

/// Ink of one instruction by its text mnemonic (spec §2.2); `None` for unpayable ones.
// One arm per row of the spec's table, even where two rows share a price.
#[allow(clippy::match_same_arms)]
pub fn op_ink(op: &str) -> u64 {
    match op {
        "unreachable" | "return" | "nop" | "i32.const" | "i64.const" | "block" | "loop"
        | "else" | "end" => 1,
        "drop" => 9,
        "br" | "br_if" | "if" => 765,
        "select" => 1250,
        "call" => 3800,
        "local.get" | "local.tee" => 75,
        "local.set" => 210,
        "global.get" => 225,
        "global.set" => 575,
        "i32.load" | "i32.load8_s" | "i32.load8_u" | "i32.load16_s" | "i32.load16_u" => 670,
        "i64.load" | "i64.load8_s" | "i64.load8_u" | "i64.load16_s" | "i64.load16_u"
        | "i64.load32_s" | "i64.load32_u" => 680,
        "i32.store" | "i32.store8" | "i32.store16" => 825,
        "i64.store" | "i64.store8" | "i64.store16" | "i64.store32" => 950,
        "memory.size" => 3000,
        "memory.grow" => 8050,
        "memory.copy" | "memory.fill" => 950,
        "i32.eqz" | "i32.eq" | "i32.ne" | "i32.lt_s" | "i32.lt_u" | "i32.gt_s" | "i32.gt_u"
        | "i32.le_s" | "i32.le_u" | "i32.ge_s" | "i32.ge_u" => 170,
        "i64.eqz" | "i64.eq" | "i64.ne" | "i64.lt_s" | "i64.lt_u" | "i64.gt_s" | "i64.gt_u"
        | "i64.le_s" | "i64.le_u" | "i64.ge_s" | "i64.ge_u" => 225,
        "i32.clz" | "i32.ctz" | "i64.clz" | "i64.ctz" => 210,
        "i32.add" | "i32.sub" | "i32.and" | "i32.or" | "i32.xor" | "i32.shl" | "i32.shr_s"
        | "i32.shr_u" | "i32.rotl" | "i32.rotr" => 70,
        "i32.mul" | "i64.mul" => 160,
        "i32.div_s" | "i32.div_u" | "i32.rem_s" | "i32.rem_u" => 1120,
        "i64.add" | "i64.sub" | "i64.and" | "i64.or" | "i64.xor" | "i64.shl" | "i64.shr_s"
        | "i64.shr_u" | "i64.rotl" | "i64.rotr" => 100,
        "i64.div_s" | "i64.div_u" | "i64.rem_s" | "i64.rem_u" => 1270,
        "i32.popcnt" => 2650,
        "i64.popcnt" => 6000,
        "i32.wrap_i64" | "i64.extend_i32_s" | "i64.extend_i32_u" | "i32.extend8_s"
        | "i32.extend16_s" | "i64.extend8_s" | "i64.extend16_s" | "i64.extend32_s" => 100,
        other => panic!("no price for {other}"),
    }
}

/// Whether an instruction ends a basic block (spec §2.3).
pub fn ends_block(op: &str) -> bool {
    matches!(
        op,
        "end"
            | "else"
            | "return"
            | "loop"
            | "br"
            | "br_if"
            | "br_table"
            | "if"
            | "call"
            | "call_indirect"
    )
}

/// Ink of a straight-line snippet written one instruction per line, headers included for the
/// blocks it ends.
pub fn snippet_ink(snippet: &str) -> u64 {
    snippet
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with(";;"))
        .map(|l| {
            let op = l.split_whitespace().next().unwrap_or_default();
            op_ink(op) + if ends_block(op) { HEADER } else { 0 }
        })
        .sum()
}

/// Host-to-guest copy.
pub fn write_price(n: u64) -> u64 {
    5040 + 30 * n.saturating_sub(32)
}

/// Guest-to-host copy.
pub fn read_price(n: u64) -> u64 {
    16_381 + 55 * n.saturating_sub(32)
}

/// Keccak.
pub fn keccak_price(n: u64) -> u64 {
    121_800 + 21_000 * n.div_ceil(32).saturating_sub(2)
}

/// Ink the measuring template adds around a snippet: `local.set $a` before it, then
/// `i32.const 0; local.get $a; call $ink` (one header) and the second `evm_ink_left` (8 400).
pub const TEMPLATE_INK: u64 = 210 + 1 + 75 + 3800 + HEADER + 8400;

/// A module whose entry point measures the ink of `snippet` and returns
/// `ink (8 bytes LE) ‖ memory[8..out_len]`.
pub fn measuring_module(snippet: &str, out_len: u32, extra: &str) -> String {
    format!(
        r#"(module {IMPORTS}
  (memory (export "memory") 1 1)
  {extra}
  (func (export "user_entrypoint") (param $len i32) (result i32) (local $a i64)
    call $ink
    local.set $a
    {snippet}
    i32.const 0
    local.get $a
    call $ink
    i64.sub
    i64.store
    i32.const 0
    i32.const {out_len}
    call $write_result
    i32.const 0))"#
    )
}

/// The init code of a WAT program.
pub fn init_code(wat: &str) -> Vec<u8> {
    let wasm = wat::parse_str(wat).expect("valid wat");
    codec::init_code(&codec::encode_code(&wasm).expect("compress"))
}

/// The bytes of a hex string (no prefix, an even length).
pub fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// EVM init code that deploys `runtime` (at most 255 bytes) as is: `PUSH1 len DUP1 PUSH1 11
/// PUSH1 0 CODECOPY PUSH1 0 RETURN`, then the runtime.
pub fn evm_init(runtime: &[u8]) -> Vec<u8> {
    let len = u8::try_from(runtime.len()).expect("a runtime of at most 255 bytes");
    let mut init = vec![
        0x60, len, 0x80, 0x60, 0x0b, 0x60, 0x00, 0x39, 0x60, 0x00, 0xf3,
    ];
    init.extend_from_slice(runtime);
    init
}

/// The funded account used by the tests.
pub const OWNER: Address = address!("00000000000000000000000000000000000000aa");

/// A chain with `OWNER` funded.
pub fn chain() -> Chain {
    let mut chain = Chain::new(412_346);
    chain.fund(OWNER, U256::from(10u128.pow(24)));
    chain
}

/// Deploys init code, asserting success.
pub fn deploy(chain: &mut Chain, init: Vec<u8>) -> Address {
    let r = chain.deploy(OWNER, init).expect("tx");
    assert!(r.status, "deploy failed: {r:?}");
    r.created.expect("address")
}

/// Deploys and activates a WAT program.
pub fn program(chain: &mut Chain, wat: &str) -> Address {
    let addr = deploy(chain, init_code(wat));
    let r = chain
        .activate(OWNER, addr, U256::from(10u128.pow(20)))
        .expect("tx");
    assert!(r.status, "activation failed: {r:?}");
    addr
}

/// Sends a call from `OWNER`.
pub fn send(chain: &mut Chain, to: Address, data: &[u8]) -> Receipt {
    chain.send(&Tx::call(OWNER, to, data.to_vec())).expect("tx")
}

/// Runs a measuring snippet and returns (ink measured, the rest of the output).
pub fn measure(
    chain: &mut Chain,
    snippet: &str,
    out_len: u32,
    extra: &str,
    data: &[u8],
) -> (u64, Vec<u8>) {
    let wat = measuring_module(snippet, out_len, extra);
    let addr = program(chain, &wat);
    let r = send(chain, addr, data);
    assert!(r.status, "call failed: {r:?}");
    let ink = u64::from_le_bytes(r.output[..8].try_into().unwrap());
    (ink, r.output[8..].to_vec())
}

/// Gas used by a call transaction whose frame used `execution` gas (Prague: intrinsic gas plus
/// execution, but at least the EIP-7623 calldata floor).
pub fn tx_gas(data: &[u8], execution: u64) -> u64 {
    let zeros: u64 = data.iter().map(|b| u64::from(*b == 0)).sum();
    let nonzeros = u64::try_from(data.len()).unwrap() - zeros;
    let standard = 21_000 + 4 * zeros + 16 * nonzeros;
    let floor = 21_000 + 10 * (zeros + 4 * nonzeros);
    (standard + execution).max(floor)
}

/// Entry figures of a module from the spec's formulas (§2.5): `(init_cost, cached_init_cost)`.
pub fn entry_costs(
    funcs: u64,
    type_len: u64,
    wasm_len: u64,
    globals: u64,
    seg_bytes: u64,
    footprint: u64,
) -> (u64, u64) {
    let init = funcs * 8252 / 1000 + type_len * 1059 / 1000 + wasm_len * 1286 / 10_000;
    let cached = funcs * 13_420 / 100_000
        + type_len * 89 / 100_000
        + wasm_len * 122 / 100_000
        + globals * 1628 / 1000
        + seg_bytes * 75_244 / 100_000
        + footprint * 5;
    (init, cached)
}

/// Entry gas (§2.5) for v2: cached part always, init part when not cached.
pub fn entry_gas(init: u64, cached: u64, is_cached: bool) -> u64 {
    let cached_gas = 11 * 32 + (cached * 100).div_ceil(100);
    if is_cached {
        cached_gas
    } else {
        cached_gas + 69 * 128 + (init * 100).div_ceil(100)
    }
}
