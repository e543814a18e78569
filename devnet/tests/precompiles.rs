//! ArbWasm activation and queries, refusals with their reasons, ArbSys and ArbGasInfo.

mod common;

use common::*;
use xmtp_devnet::arb::{selector, ARB_GAS_INFO, ARB_SYS, ARB_WASM, NETWORK_FEE_ACCOUNT};
use xmtp_devnet::{Address, Tx, B256, U256};
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
    assert!(r.gas_used > 1_659_168);

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
    assert!(!r.status);
    assert_eq!(r.output.to_vec(), selector("ProgramUpToDate()").to_vec());
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
    assert!(!r.status);
    assert_eq!(
        r.output.to_vec(),
        selector("ProgramNotActivated()").to_vec()
    );
}

#[test]
fn activating_evm_code_is_program_not_wasm() {
    let mut chain = chain();
    let r = chain
        .deploy(OWNER, vec![0x60, 0x01, 0x60, 0x00, 0xf3])
        .unwrap();
    let addr = r.created.unwrap();
    let r = chain
        .activate(OWNER, addr, U256::from(10u128.pow(18)))
        .unwrap();
    assert!(!r.status);
    assert_eq!(r.output.to_vec(), selector("ProgramNotWasm()").to_vec());
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

#[test]
fn invalid_modules_are_refused_with_the_reason() {
    let float = refused(
        r#"(module (memory (export "memory") 1 1)
          (func (export "user_entrypoint") (param i32) (result i32) f32.const 1 f32.const 2 f32.add drop i32.const 0))"#,
    );
    assert!(
        float.to_lowercase().contains("float") || float.contains("f32"),
        "{float}"
    );

    let simd = refused(
        r#"(module (memory (export "memory") 1 1)
          (func (export "user_entrypoint") (param i32) (result i32) v128.const i64x2 0 0 drop i32.const 0))"#,
    );
    assert!(simd.to_lowercase().contains("simd"), "{simd}");

    let reference = refused(
        r#"(module (memory (export "memory") 1 1) (table 1 funcref)
          (func (export "user_entrypoint") (param i32) (result i32) i32.const 0 table.get 0 drop i32.const 0))"#,
    );
    assert!(
        reference.to_lowercase().contains("reference"),
        "{reference}"
    );

    let start = refused(
        r#"(module (memory (export "memory") 1 1) (func $s) (start $s)
          (func (export "user_entrypoint") (param i32) (result i32) i32.const 0))"#,
    );
    assert!(start.to_lowercase().contains("start"), "{start}");

    let import = refused(
        r#"(module (import "env" "evil" (func)) (memory (export "memory") 1 1)
          (func (export "user_entrypoint") (param i32) (result i32) i32.const 0))"#,
    );
    assert!(import.contains("evil"), "{import}");

    let memory = refused(
        r#"(module (import "vm_hooks" "pay_for_memory_grow" (func (param i32))) (memory (export "memory") 129)
          (func (export "user_entrypoint") (param i32) (result i32) i32.const 0))"#,
    );
    assert!(memory.contains("129"), "{memory}");

    let entry = refused(
        r#"(module (memory (export "memory") 1 1) (func (export "main") (param i32) (result i32) i32.const 0))"#,
    );
    assert!(entry.contains("user_entrypoint"), "{entry}");

    let big = format!(
        r#"(module (memory (export "memory") 1 1) (data (i32.const 0) "{}")
          (func (export "user_entrypoint") (param i32) (result i32) i32.const 0))"#,
        "\\00".repeat(140 * 1024)
    );
    let wasm = wat::parse_str(&big).unwrap();
    assert!(xmtp_stylus::codec::encode_code(&wasm).is_err() || !refused(&big).is_empty());
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
