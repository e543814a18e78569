//! ArbWasm activation, keepalive and queries, refusals with their reasons, ArbSys and
//! ArbGasInfo, and the chain API's time, blocks, snapshots and module cache.

mod common;

use common::*;
use xmtp_devnet::arb::{selector, ARB_GAS_INFO, ARB_SYS, ARB_WASM, NETWORK_FEE_ACCOUNT};
use xmtp_devnet::{Address, Receipt, Tx, B256, U256};
use xmtp_stylus::activation::{DataPricer, ARBITRUM_START_TIME};

const SMALL: &str = r#"(module (memory (export "memory") 1 1)
  (func (export "user_entrypoint") (param $len i32) (result i32) i32.const 0))"#;

fn call_data(sig: &str, args: &[[u8; 32]]) -> Vec<u8> {
    let mut d = selector(sig).to_vec();
    for a in args {
        d.extend_from_slice(a);
    }
    d
}

/// `r` reverted with exactly the error `sig` and its argument words.
fn assert_reverted_with(r: &Receipt, sig: &str, args: &[[u8; 32]]) {
    assert!(!r.status, "{r:?}");
    assert_eq!(r.output.to_vec(), call_data(sig, args), "{sig}");
}

fn addr_arg(a: Address) -> [u8; 32] {
    let mut w = [0u8; 32];
    w[12..].copy_from_slice(a.as_slice());
    w
}

fn u256_at(out: &[u8], i: usize) -> U256 {
    U256::from_be_slice(&out[32 * i..32 * (i + 1)])
}

#[test]
fn activation_charges_fee_refunds_excess_and_records_figures() {
    let mut chain = chain();
    let addr = deploy(&mut chain, init_code(SMALL));
    let before = chain.balance(OWNER);
    let max_fee = U256::from(10u128.pow(20));
    let r = chain.activate(OWNER, addr, max_fee).unwrap();
    assert!(r.status, "{r:?}");
    let wasm_len = wat::parse_str(SMALL).unwrap().len() as u64;
    let (init, cached) = entry_costs(1, 2, wasm_len, 4, 0, 1);
    // asm estimate and the data fee at the first activation (demand = that estimate).
    let asm = 512_000 + 996_829 / 1000 + 2 * 11_416 / 1000 + wasm_len * 62_628 / 10_000;
    let fee = DataPricer::default().update(u32::try_from(asm).unwrap(), chain.timestamp());
    assert_eq!(u256_at(&r.output, 0), U256::from(2));
    assert_eq!(u256_at(&r.output, 1), U256::from(fee));
    // The gas price is zero: the caller paid exactly the fee, the rest came back.
    assert_eq!(before - chain.balance(OWNER), U256::from(fee));
    assert_eq!(chain.balance(NETWORK_FEE_ACCOUNT), U256::from(fee));
    // ProgramActivated(codehash indexed, moduleHash, program, dataFee, version).
    assert_eq!(r.logs.len(), 1);
    assert_eq!(r.logs[0].address, ARB_WASM);
    assert_eq!(r.logs[0].topics()[1], chain.code_hash(addr));
    // The fixed burn; the compile work (spec §3.3: 28 gas per µs of each component, the
    // instrumented operator count taken from the instrumenter); ArbOS storage: the program's
    // read, the module hash's write, the pricer's five reads and two writes, the record's
    // write, the network fee account's read; the event (signature and one indexed topic,
    // four data words); two result words.
    let wasm = wat::parse_str(SMALL).unwrap();
    let ops = xmtp_stylus::activation::activate(
        &wasm,
        &xmtp_stylus::activation::StylusParams::default(),
        60,
        128,
        false,
    )
    .unwrap()
    .instrumented
    .stats
    .instrumented_ops;
    // One function (0.17 µs) rounds to nothing; one page is 2 217 µs.
    let funcs = 1;
    let compile =
        28 * (wasm_len * 31_733 / 100_000 + funcs * 17_263 / 100_000 + 2217 + ops * 535 / 1000);
    let storage = 800 + 20_000 + (5 * 800 + 2 * 20_000) + 20_000 + 800;
    let event = 375 + 2 * 375 + 8 * 4 * 32;
    let data = call_data("activateProgram(address)", &[addr_arg(addr)]);
    assert_eq!(
        r.gas_used,
        tx_gas(
            &data,
            3 + 800 + 800 + 1_659_168 + compile + storage + event + 2 * 3
        )
    );

    let view = |chain: &mut xmtp_devnet::Chain, sig: &str, arg: [u8; 32]| {
        let r = chain
            .call(&Tx::call(OWNER, ARB_WASM, call_data(sig, &[arg])))
            .unwrap();
        assert!(r.status, "{sig}: {r:?}");
        r.output.to_vec()
    };
    let hash = chain.code_hash(addr).0;
    assert_eq!(
        u256_at(&view(&mut chain, "codehashVersion(bytes32)", hash), 0),
        U256::from(2)
    );
    assert_eq!(
        u256_at(
            &view(&mut chain, "programVersion(address)", addr_arg(addr)),
            0
        ),
        U256::from(2)
    );
    let gas = view(&mut chain, "programInitGas(address)", addr_arg(addr));
    assert_eq!(u256_at(&gas, 0), U256::from(entry_gas(init, cached, false)));
    assert_eq!(u256_at(&gas, 1), U256::from(entry_gas(init, cached, true)));
    assert_eq!(
        u256_at(
            &view(
                &mut chain,
                "programMemoryFootprint(address)",
                addr_arg(addr)
            ),
            0
        ),
        U256::from(1)
    );
    let r = chain
        .call(&Tx::call(
            OWNER,
            ARB_WASM,
            call_data("stylusVersion()", &[]),
        ))
        .unwrap();
    assert_eq!(u256_at(&r.output, 0), U256::from(2));
    let r = chain
        .call(&Tx::call(OWNER, ARB_WASM, call_data("inkPrice()", &[])))
        .unwrap();
    assert_eq!(u256_at(&r.output, 0), U256::from(10_000));

    // Again: ProgramUpToDate().
    let r = chain.activate(OWNER, addr, max_fee).unwrap();
    assert_reverted_with(&r, "ProgramUpToDate()", &[]);
}

#[test]
fn activation_without_enough_value_reverts_with_have_and_want() {
    let mut chain = chain();
    let addr = deploy(&mut chain, init_code(SMALL));
    let r = chain.activate(OWNER, addr, U256::from(1)).unwrap();
    assert!(!r.status);
    assert_eq!(
        &r.output[..4],
        selector("ProgramInsufficientValue(uint256,uint256)").as_slice()
    );
    assert_eq!(u256_at(&r.output[4..], 0), U256::from(1));
    assert!(u256_at(&r.output[4..], 1) > U256::from(1));
    // Nothing was activated.
    let r = chain
        .call(&Tx::call(
            OWNER,
            ARB_WASM,
            call_data("programVersion(address)", &[addr_arg(addr)]),
        ))
        .unwrap();
    assert_reverted_with(&r, "ProgramNotActivated()", &[]);
}

#[test]
fn activating_evm_code_burns_the_gas_and_an_empty_account_is_program_not_wasm() {
    let mut chain = chain();
    let r = chain
        .deploy(OWNER, vec![0x60, 0x01, 0x60, 0x00, 0xf3])
        .unwrap();
    let evm = r.created.unwrap();
    let data = call_data("activateProgram(address)", &[addr_arg(evm)]);
    let r = chain
        .send(
            &Tx::call(OWNER, ARB_WASM, data)
                .gas(3_000_000)
                .value(U256::from(10u128.pow(18))),
        )
        .unwrap();
    assert!(!r.status);
    assert!(r.output.is_empty());
    assert_eq!(r.gas_used, 3_000_000);
    assert_eq!(
        r.activation_error.as_deref(),
        Some("specified bytecode is not a Stylus program")
    );

    let nobody = xmtp_devnet::address!("00000000000000000000000000000000000000e7");
    let r = chain
        .activate(OWNER, nobody, U256::from(10u128.pow(18)))
        .unwrap();
    assert_reverted_with(&r, "ProgramNotWasm()", &[]);
}

fn refused(wat: &str) -> String {
    let mut chain = chain();
    let addr = deploy(&mut chain, init_code(wat));
    let r = chain
        .send(
            &Tx::call(
                OWNER,
                ARB_WASM,
                call_data("activateProgram(address)", &[addr_arg(addr)]),
            )
            .gas(5_000_000)
            .value(U256::from(10u128.pow(18))),
        )
        .unwrap();
    assert!(!r.status, "activation of an invalid module succeeded");
    assert_eq!(r.gas_used, 5_000_000, "a refused activation burns all gas");
    r.activation_error.expect("a reason")
}

/// A module whose entry point runs `body` before returning 0, with `extra` fields.
fn module(extra: &str, body: &str) -> String {
    format!(
        r#"(module {extra} (memory (export "memory") 1 1)
          (func (export "user_entrypoint") (param i32) (result i32) {body} i32.const 0))"#
    )
}

#[test]
fn float_arithmetic_is_refused_at_activation() {
    assert_eq!(
        refused(&module("", "f32.const 1 f32.const 2 f32.add drop")),
        "failed to parse wasm: function 0: opcode f32.add is refused: Nitro has no implementation for floating-point operations"
    );
}

#[test]
fn simd_is_refused_at_activation() {
    assert_eq!(
        refused(&module("", "v128.const i64x2 0 0 drop")),
        "failed to parse wasm: function 0: SIMD support is not enabled (at offset 0x3d)"
    );
}

#[test]
fn reference_types_are_refused_at_activation() {
    assert_eq!(
        refused(&module("(table 1 funcref)", "i32.const 0 table.get 0 drop")),
        "failed to parse wasm: function 0: reference types support is not enabled (at offset 0x45)"
    );
}

#[test]
fn a_start_function_is_refused_at_activation() {
    assert_eq!(
        refused(&module("(func $s) (start $s)", "")),
        "failed to parse wasm: start functions are not allowed"
    );
}

#[test]
fn a_forbidden_import_is_refused_at_activation() {
    assert_eq!(
        refused(&module(r#"(import "env" "evil" (func))"#, "")),
        "failed to parse wasm: import env.evil is not one of Nitro's vm_hooks hostios"
    );
    assert_eq!(
        refused(&module(
            r#"(import "console" "log_i32" (func (param i32)))"#,
            ""
        )),
        "failed to parse wasm: import console.log_i32 is not one of Nitro's vm_hooks hostios"
    );
}

#[test]
fn too_much_memory_is_refused_at_activation() {
    let wat = r#"(module (import "vm_hooks" "pay_for_memory_grow" (func (param i32)))
      (memory (export "memory") 129)
      (func (export "user_entrypoint") (param i32) (result i32) i32.const 0))"#;
    assert_eq!(
        refused(wat),
        "failed to parse wasm: too many initial memory pages: 129 > 128"
    );
}

#[test]
fn a_missing_entry_point_is_refused_at_activation() {
    let wat = r#"(module (memory (export "memory") 1 1)
      (func (export "main") (param i32) (result i32) i32.const 0))"#;
    assert_eq!(
        refused(wat),
        "failed to parse wasm: missing export user_entrypoint"
    );
}

#[test]
fn a_module_over_the_wasm_size_limit_is_refused_at_activation() {
    // 140 KiB of zeros compresses to a few hundred bytes: the code fits in an account, the
    // decompressed module does not fit in MaxWasmSize (128 KiB).
    let data = "\\00".repeat(140 * 1024);
    let wat = module(&format!(r#"(data (i32.const 0) "{data}")"#), "");
    assert!(wat::parse_str(&wat).unwrap().len() > 128 * 1024);
    assert_eq!(
        refused(&wat),
        "decompressed wasm exceeds 131072 bytes (MaxWasmSize)"
    );
}

#[test]
fn arbsys_chain_id_block_number_and_messages_to_l1() {
    let mut chain = chain();
    let r = chain
        .call(&Tx::call(OWNER, ARB_SYS, call_data("arbChainID()", &[])))
        .unwrap();
    assert_eq!(u256_at(&r.output, 0), U256::from(412_346));
    chain.advance(12, 5);
    let r = chain
        .call(&Tx::call(
            OWNER,
            ARB_SYS,
            call_data("arbBlockNumber()", &[]),
        ))
        .unwrap();
    assert_eq!(u256_at(&r.output, 0), U256::from(chain.block_number()));

    // sendTxToL1(address, bytes) with value: recorded as an outgoing message, value burnt.
    let dest = xmtp_devnet::address!("00000000000000000000000000000000000000d1");
    let mut data = call_data("sendTxToL1(address,bytes)", &[addr_arg(dest)]);
    data.extend_from_slice(&U256::from(64).to_be_bytes::<32>());
    data.extend_from_slice(&U256::from(3).to_be_bytes::<32>());
    let mut body = [0u8; 32];
    body[..3].copy_from_slice(&[0xca, 0xfe, 0x01]);
    data.extend_from_slice(&body);
    let r = chain
        .send(&Tx::call(OWNER, ARB_SYS, data.clone()).value(U256::from(7)))
        .unwrap();
    assert!(r.status, "{r:?}");
    let msgs = r.outgoing_messages();
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].caller, OWNER);
    assert_eq!(msgs[0].destination, dest);
    assert_eq!(msgs[0].value, U256::from(7));
    assert_eq!(msgs[0].data.to_vec(), vec![0xca, 0xfe, 0x01]);
    assert_eq!(msgs[0].position, U256::ZERO);
    let r = chain.send(&Tx::call(OWNER, ARB_SYS, data)).unwrap();
    assert_eq!(r.outgoing_messages()[0].position, U256::from(1));
}

#[test]
fn arbgasinfo_basics() {
    let mut chain = chain();
    chain.set_basefee(100_000_000);
    let r = chain
        .call(&Tx::call(
            OWNER,
            ARB_GAS_INFO,
            call_data("getMinimumGasPrice()", &[]),
        ))
        .unwrap();
    assert_eq!(u256_at(&r.output, 0), U256::from(100_000_000));
    let r = chain
        .call(&Tx::call(
            OWNER,
            ARB_GAS_INFO,
            call_data("getPricesInWei()", &[]),
        ))
        .unwrap();
    assert_eq!(r.output.len(), 6 * 32);
    assert_eq!(u256_at(&r.output, 5), U256::from(100_000_000));
}

#[test]
fn snapshot_restore_and_expiry() {
    let mut chain = chain();
    let snap = chain.snapshot();
    let addr = program(&mut chain, SMALL);
    assert!(send(&mut chain, addr, &[]).status);
    chain.restore(snap);
    assert!(chain.code(addr).is_empty());
    assert_eq!(chain.code_hash(addr), B256::ZERO);

    // A program expires after 365 days.
    let addr = program(&mut chain, SMALL);
    chain.advance(366 * 86_400, 1);
    let r = chain
        .send(&Tx::call(OWNER, addr, Vec::new()).gas(100_000))
        .unwrap();
    assert!(!r.status);
    assert!(chain.timestamp() > ARBITRUM_START_TIME);
}

#[test]
fn precompile_gas_follows_nitros_wrapper() {
    let mut chain = chain();
    // A view: opening ArbOS state and reading the Stylus parameters (800 each), 3 per result
    // word.
    let data = call_data("stylusVersion()", &[]);
    let r = chain
        .call(&Tx::call(OWNER, ARB_WASM, data.clone()))
        .unwrap();
    assert_eq!(r.gas_used, tx_gas(&data, 800 + 800 + 3));
    let data = call_data("arbChainID()", &[]);
    let r = chain.call(&Tx::call(OWNER, ARB_SYS, data.clone())).unwrap();
    assert_eq!(r.gas_used, tx_gas(&data, 800 + 3));
    // An unknown method, or value sent to a view, reverts and burns everything.
    let r = chain
        .call(&Tx::call(OWNER, ARB_WASM, vec![1, 2, 3, 4]).gas(100_000))
        .unwrap();
    assert!(!r.status);
    assert_eq!(r.gas_used, 100_000);
    let r = chain
        .call(
            &Tx::call(OWNER, ARB_SYS, call_data("arbChainID()", &[]))
                .gas(100_000)
                .value(U256::from(1)),
        )
        .unwrap();
    assert!(!r.status);
    assert_eq!(r.gas_used, 100_000);
}

#[test]
fn malformed_precompile_calldata_is_a_revert_not_a_panic() {
    let mut chain = chain();
    let dest = xmtp_devnet::address!("00000000000000000000000000000000000000d1");
    for tail in [
        vec![[0xff; 32]],
        vec![U256::from(64).to_be_bytes::<32>(), [0xff; 32]],
        vec![U256::from(64).to_be_bytes::<32>()],
    ] {
        let mut args = vec![addr_arg(dest)];
        args.extend(tail);
        let data = call_data("sendTxToL1(address,bytes)", &args);
        let r = chain
            .send(&Tx::call(OWNER, ARB_SYS, data).gas(100_000))
            .unwrap();
        assert!(!r.status);
        assert_eq!(r.gas_used, 100_000);
    }
    for data in [
        vec![],
        vec![0xd1],
        call_data("activateProgram(address)", &[]),
    ] {
        let r = chain
            .send(&Tx::call(OWNER, ARB_WASM, data).gas(100_000))
            .unwrap();
        assert!(!r.status);
    }
}

#[test]
fn arbitrary_stylus_code_is_refused_cleanly() {
    let mut chain = chain();
    let mut state = 0x2545_F491_4F6C_DD1D_u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..40 {
        let len = usize::try_from(next() % 300).unwrap();
        let mut code = vec![0xEF, 0xF0, 0x00, 0x00];
        code.extend((0..len).map(|_| u8::try_from(next() % 256).unwrap()));
        let addr = deploy(&mut chain, xmtp_stylus::codec::init_code(&code));
        let r = chain
            .send(
                &Tx::call(
                    OWNER,
                    ARB_WASM,
                    call_data("activateProgram(address)", &[addr_arg(addr)]),
                )
                .gas(3_000_000)
                .value(U256::from(10u128.pow(18))),
            )
            .unwrap();
        assert!(!r.status);
        assert_eq!(r.gas_used, 3_000_000);
        assert!(r.activation_error.is_some());
        let r = chain
            .send(&Tx::call(OWNER, addr, vec![1]).gas(100_000))
            .unwrap();
        assert!(!r.status);
    }
}

/// `(status, output, gas used)` of an `eth_call` to ArbWasm.
fn arb_wasm_call(
    chain: &mut xmtp_devnet::Chain,
    sig: &str,
    args: &[[u8; 32]],
) -> (bool, Vec<u8>, u64) {
    let r = chain
        .call(&Tx::call(OWNER, ARB_WASM, call_data(sig, args)))
        .unwrap();
    (r.status, r.output.to_vec(), r.gas_used)
}

/// Nitro's precompile wrapper (3 gas per argument and result word, opening ArbOS state and
/// reading the Stylus parameters at 800 each) around a method's own `work`.
fn wrapper_gas(args: u64, results: u64, work: u64) -> u64 {
    3 * args + 800 + 800 + work + 3 * results
}

/// The asm estimate of the one-function `SMALL` (spec §2.5) and its KiB-rounded size.
fn small_asm() -> (u64, u64) {
    let wasm_len = wat::parse_str(SMALL).unwrap().len() as u64;
    let asm = 512_000 + 996_829 / 1000 + 2 * 11_416 / 1000 + wasm_len * 62_628 / 10_000;
    (asm, asm.div_ceil(1024) * 1024)
}

/// Seconds since the hour (counted from the Arbitrum epoch) in which `time` falls.
fn into_hour(time: u64) -> u64 {
    (time - ARBITRUM_START_TIME) % 3600
}

#[test]
fn parameter_views_answer_the_initial_parameters() {
    let mut chain = chain();
    for (sig, expected) in [
        ("stylusVersion()", vec![2u64]),
        ("inkPrice()", vec![10_000]),
        ("maxStackDepth()", vec![262_144]),
        ("freePages()", vec![2]),
        ("pageGas()", vec![1000]),
        ("pageRamp()", vec![620_674_314]),
        ("pageLimit()", vec![128]),
        ("minInitGas()", vec![69 * 128, 11 * 32]),
        ("initCostScalar()", vec![100]),
        ("expiryDays()", vec![365]),
        ("keepaliveDays()", vec![31]),
        ("blockCacheSize()", vec![32]),
    ] {
        let (ok, out, gas) = arb_wasm_call(&mut chain, sig, &[]);
        assert!(ok, "{sig}");
        let words: Vec<U256> = (0..out.len() / 32).map(|i| u256_at(&out, i)).collect();
        let expected: Vec<U256> = expected.into_iter().map(U256::from).collect();
        assert_eq!(words, expected, "{sig}");
        let n = expected.len() as u64;
        assert_eq!(
            gas,
            tx_gas(&call_data(sig, &[]), wrapper_gas(0, n, 0)),
            "{sig}"
        );
    }
}

#[test]
fn program_views_answer_exact_figures_and_gas() {
    let mut chain = chain();
    let addr = program(&mut chain, SMALL);
    let hash = chain.code_hash(addr).0;
    let activated = chain.timestamp();
    chain.advance(7200, 1);
    let wasm_len = wat::parse_str(SMALL).unwrap().len() as u64;
    let (init, cached) = entry_costs(1, 2, wasm_len, 4, 0, 1);
    let (_, asm_size) = small_asm();
    // Activation is recorded to the hour: the program is older than the time passed by the
    // seconds its activation came into that hour.
    let age = chain.timestamp() - activated + into_hour(activated);
    let by_hash: [(&str, Vec<u64>); 2] = [
        ("codehashVersion(bytes32)", vec![2]),
        ("codehashAsmSize(bytes32)", vec![asm_size]),
    ];
    for (sig, expected) in by_hash {
        let (ok, out, gas) = arb_wasm_call(&mut chain, sig, &[hash]);
        assert!(ok, "{sig}");
        assert_eq!(u256_at(&out, 0), U256::from(expected[0]), "{sig}");
        // One read of the program's record.
        assert_eq!(
            gas,
            tx_gas(&call_data(sig, &[hash]), wrapper_gas(1, 1, 800)),
            "{sig}"
        );
    }
    let by_address: [(&str, Vec<u64>); 4] = [
        ("programVersion(address)", vec![2]),
        (
            "programInitGas(address)",
            vec![
                entry_gas(init, cached, false),
                entry_gas(init, cached, true),
            ],
        ),
        ("programMemoryFootprint(address)", vec![1]),
        ("programTimeLeft(address)", vec![365 * 86_400 - age]),
    ];
    for (sig, expected) in by_address {
        let (ok, out, gas) = arb_wasm_call(&mut chain, sig, &[addr_arg(addr)]);
        assert!(ok, "{sig}");
        let words: Vec<U256> = (0..out.len() / 32).map(|i| u256_at(&out, i)).collect();
        let n = expected.len() as u64;
        assert_eq!(
            words,
            expected.into_iter().map(U256::from).collect::<Vec<_>>(),
            "{sig}"
        );
        // The code hash read (2 600) and the record's read.
        assert_eq!(
            gas,
            tx_gas(
                &call_data(sig, &[addr_arg(addr)]),
                wrapper_gas(1, n, 2600 + 800)
            ),
            "{sig}"
        );
    }
}

#[test]
fn program_views_refuse_unknown_and_expired_programs() {
    let mut chain = chain();
    let unknown = B256::with_last_byte(9).0;
    let (ok, out, gas) = arb_wasm_call(&mut chain, "codehashVersion(bytes32)", &[unknown]);
    assert!(!ok);
    assert_eq!(out, call_data("ProgramNotActivated()", &[]));
    // A Solidity error keeps the remaining gas: the wrapper and the record's read.
    assert_eq!(
        gas,
        tx_gas(
            &call_data("codehashVersion(bytes32)", &[unknown]),
            wrapper_gas(1, 0, 800)
        )
    );

    let addr = program(&mut chain, SMALL);
    let activated = chain.timestamp();
    chain.advance(366 * 86_400, 1);
    let age = chain.timestamp() - activated + into_hour(activated);
    for (sig, arg) in [
        ("codehashVersion(bytes32)", chain.code_hash(addr).0),
        ("programTimeLeft(address)", addr_arg(addr)),
    ] {
        let (ok, out, _) = arb_wasm_call(&mut chain, sig, &[arg]);
        assert!(!ok, "{sig}");
        let expired = call_data("ProgramExpired(uint64)", &[U256::from(age).to_be_bytes()]);
        assert_eq!(out, expired, "{sig}");
    }
}

#[test]
fn keepalive_is_refused_before_keepalive_days_and_for_unknown_code() {
    let mut chain = chain();
    let addr = program(&mut chain, SMALL);
    let hash = chain.code_hash(addr);
    let activated = chain.timestamp();
    chain.advance(30 * 86_400, 1);
    let age = chain.timestamp() - activated + into_hour(activated);
    let r = chain
        .keepalive(OWNER, hash, U256::from(10u128.pow(18)))
        .unwrap();
    assert_reverted_with(
        &r,
        "ProgramKeepaliveTooSoon(uint64)",
        &[U256::from(age).to_be_bytes()],
    );
    assert!(r.logs.is_empty());

    let r = chain
        .keepalive(OWNER, B256::with_last_byte(9), U256::from(10u128.pow(18)))
        .unwrap();
    assert_reverted_with(&r, "ProgramNotActivated()", &[]);
}

#[test]
fn keepalive_renews_the_program_for_the_data_fee_of_its_asm_size() {
    let mut chain = chain();
    let addr = program(&mut chain, SMALL);
    let hash = chain.code_hash(addr);
    let activated = chain.timestamp();
    let (asm, asm_size) = small_asm();
    chain.advance(40 * 86_400, 1);
    let now = chain.timestamp();
    // The pricer saw the activation's demand, then forgives part of it over the 40 days.
    let mut pricer = DataPricer::default();
    pricer.update(u32::try_from(asm).unwrap(), activated);
    let fee = pricer.update(u32::try_from(asm_size).unwrap(), now);
    assert!(fee > 0);

    // Too little value: have and want, nothing renewed.
    let r = chain.keepalive(OWNER, hash, U256::from(fee - 1)).unwrap();
    assert_reverted_with(
        &r,
        "ProgramInsufficientValue(uint256,uint256)",
        &[
            U256::from(fee - 1).to_be_bytes(),
            U256::from(fee).to_be_bytes(),
        ],
    );

    let before = chain.balance(OWNER);
    let network_before = chain.balance(NETWORK_FEE_ACCOUNT);
    let r = chain
        .keepalive(OWNER, hash, U256::from(10u128.pow(18)))
        .unwrap();
    assert!(r.status, "{r:?}");
    assert!(r.output.is_empty());
    assert_eq!(before - chain.balance(OWNER), U256::from(fee));
    assert_eq!(
        chain.balance(NETWORK_FEE_ACCOUNT) - network_before,
        U256::from(fee)
    );
    // ProgramLifetimeExtended(bytes32 indexed codehash, uint256 dataFee).
    assert_eq!(r.logs.len(), 1);
    assert_eq!(r.logs[0].address, ARB_WASM);
    assert_eq!(
        r.logs[0].topics(),
        &[
            revm::primitives::keccak256("ProgramLifetimeExtended(bytes32,uint256)"),
            hash
        ]
    );
    assert_eq!(
        r.logs[0].data.data.to_vec(),
        U256::from(fee).to_be_bytes::<32>().to_vec()
    );
    // The record's read; the pricer's five reads and two writes; the record's write; the
    // network fee account's read; the event (signature and one indexed topic, one data word).
    let work = 800 + (5 * 800 + 2 * 20_000) + 20_000 + 800 + (375 + 2 * 375 + 8 * 32);
    let data = call_data("codehashKeepalive(bytes32)", &[hash.0]);
    assert_eq!(r.gas_used, tx_gas(&data, wrapper_gas(1, 0, work)));

    // Renewed: a year from now, to the hour.
    let (ok, out, _) = arb_wasm_call(&mut chain, "programTimeLeft(address)", &[addr_arg(addr)]);
    assert!(ok);
    assert_eq!(u256_at(&out, 0), U256::from(365 * 86_400 - into_hour(now)));
    // 370 days after its activation the program still runs.
    chain.advance(330 * 86_400, 1);
    assert!(send(&mut chain, addr, &[]).status);
}

/// Increments a byte of its memory and returns it with the block number and timestamp
/// (8 bytes each, little-endian).
const COUNTER: &str = r#"(module
  (import "vm_hooks" "write_result" (func $write_result (param i32 i32)))
  (import "vm_hooks" "block_number" (func $block_number (result i64)))
  (import "vm_hooks" "block_timestamp" (func $timestamp (result i64)))
  (memory (export "memory") 1 1)
  (func (export "user_entrypoint") (param $len i32) (result i32)
    (i32.store8 (i32.const 0) (i32.add (i32.load8_u (i32.const 0)) (i32.const 1)))
    (i64.store (i32.const 1) (call $block_number))
    (i64.store (i32.const 9) (call $timestamp))
    (call $write_result (i32.const 0) (i32.const 17))
    (i32.const 0)))"#;

#[test]
fn programs_see_time_and_blocks_move_and_snapshots_restore_them() {
    let mut chain = chain();
    let addr = program(&mut chain, COUNTER);
    let read = |chain: &mut xmtp_devnet::Chain| {
        let out = send(chain, addr, &[]).output.to_vec();
        let at = |i: usize| u64::from_le_bytes(out[i..i + 8].try_into().unwrap());
        (out[0], at(1), at(9))
    };
    let (count, number, time) = read(&mut chain);
    // A fresh instance, so fresh memory, for every call.
    assert_eq!(count, 1);
    // `block_number` is the L1 block number, which moves only when the chain is advanced.
    assert_eq!((number, time), (1, chain.timestamp()));
    let l2_block = chain.block_number();
    let snap = chain.snapshot();
    let nonce = chain.nonce(OWNER);
    chain.advance(3600, 10);
    assert_eq!(read(&mut chain), (1, number + 10, time + 3600));
    // Ten blocks advanced, one more for the transaction.
    assert_eq!(chain.block_number(), l2_block + 11);
    assert_eq!(chain.nonce(OWNER), nonce + 1);
    chain.restore(snap);
    assert_eq!(chain.block_number(), l2_block);
    assert_eq!(chain.nonce(OWNER), nonce);
    assert_eq!(read(&mut chain), (1, number, time));
}

#[test]
fn compiled_modules_are_cached_by_code_hash() {
    let mut chain = chain();
    let a = program(&mut chain, COUNTER);
    let b = deploy(&mut chain, init_code(COUNTER));
    let instances = chain.instances_created();
    assert!(send(&mut chain, a, &[]).status);
    let compiled = chain.compiled_programs();
    assert!(compiled >= 1);
    // Same code hash at another address: no second compilation, but a fresh instance per call.
    assert!(send(&mut chain, b, &[]).status);
    assert!(send(&mut chain, a, &[]).status);
    assert_eq!(chain.compiled_programs(), compiled);
    assert_eq!(chain.instances_created(), instances + 3);
}

#[test]
fn arb_wasm_cache_views_follow_the_cached_flag() {
    let mut chain = chain();
    let addr = program(&mut chain, SMALL);
    let hash = chain.code_hash(addr);
    let cache = xmtp_devnet::arb::ARB_WASM_CACHE;
    let ask = |chain: &mut xmtp_devnet::Chain, sig: &str, args: &[[u8; 32]]| {
        let data = call_data(sig, args);
        let r = chain.call(&Tx::call(OWNER, cache, data.clone())).unwrap();
        assert!(r.status, "{sig}: {r:?}");
        (r.output.to_vec(), r.gas_used, data)
    };
    // Opening ArbOS state and one read (800 each), 3 per argument and result word.
    let (out, gas, data) = ask(&mut chain, "codehashIsCached(bytes32)", &[hash.0]);
    assert_eq!(out, U256::ZERO.to_be_bytes::<32>().to_vec());
    assert_eq!(gas, tx_gas(&data, 3 + 800 + 800 + 3));
    assert!(chain.set_program_cached(hash, true));
    let (out, _, _) = ask(&mut chain, "codehashIsCached(bytes32)", &[hash.0]);
    assert_eq!(out, U256::from(1).to_be_bytes::<32>().to_vec());
    let (out, _, _) = ask(
        &mut chain,
        "codehashIsCached(bytes32)",
        &[B256::with_last_byte(9).0],
    );
    assert_eq!(out, U256::ZERO.to_be_bytes::<32>().to_vec());

    let (out, gas, data) = ask(&mut chain, "isCacheManager(address)", &[addr_arg(OWNER)]);
    assert_eq!(out, U256::ZERO.to_be_bytes::<32>().to_vec());
    assert_eq!(gas, tx_gas(&data, 3 + 800 + 800 + 3));
    let (out, gas, data) = ask(&mut chain, "allCacheManagers()", &[]);
    assert_eq!(u256_at(&out, 0), U256::from(32));
    assert_eq!(u256_at(&out, 1), U256::ZERO);
    assert_eq!(out.len(), 64);
    assert_eq!(gas, tx_gas(&data, 800 + 800 + 2 * 3));
}
