//! Every program's entry point on the devnet: the system of `xmtp_system_tests::system` (each
//! program the pipeline accepts, behind its proxy, initialized and wired) receives a series
//! of calls with fuzzed calldata, value and caller. Calldata is a function of the contract's
//! ABI with ABI-valid arguments built from the input, the same with raw bytes after the
//! selector, or raw bytes. Calls go to proxies and to bare implementations.
//!
//! Every call must end in success or a clean revert: no top-level halt and no trapped Stylus
//! frame (a nested frame may run out of the gas its caller gave it). A reverted call must leave the state digest (balances, storage, contract nonces)
//! exactly as it was. Successful calls change the state the next calls see.

use std::cell::RefCell;

use alloy_dyn_abi::{DynSolType, DynSolValue, JsonAbiExt, Specifier};
use alloy_json_abi::Function;
use alloy_primitives::{Address, FixedBytes, B256, I256, U256};
use xmtp_devnet::{chain::Snapshot, evm::StylusHalt, Chain, Tx};
use xmtp_system_tests::{
    system::{deploy_system, System},
    DEPLOYER,
};

use crate::input::Input;

/// Most calls of one input.
const MAX_CALLS: usize = 8;
/// Arbitrum's L1-to-L2 address alias offset.
const ALIAS_OFFSET: Address =
    alloy_primitives::address!("0x1111000000000000000000000000000000001111");
/// Deepest nesting of generated arrays and tuples.
const MAX_DEPTH: u32 = 3;

/// A callee: a contract's proxy (or the contract, when it has none) or its bare implementation.
struct Target {
    address: Address,
    functions: Vec<Function>,
}

struct Fixture {
    chain: Chain,
    snapshot: Snapshot,
    targets: Vec<Target>,
    /// Accounts that send the calls (externally owned).
    callers: Vec<Address>,
    /// Accounts used as address arguments.
    accounts: Vec<Address>,
}

thread_local! {
    static FIXTURE: RefCell<Option<Fixture>> = const { RefCell::new(None) };
}

fn setup() -> Fixture {
    let System {
        mut chain,
        proxies,
        implementations,
        ..
    } = deploy_system();
    chain.set_basefee(0);
    let abis: std::collections::BTreeMap<&str, alloy_json_abi::JsonAbi> =
        xmtp_abi::contracts::all().into_iter().collect();
    let mut targets = Vec::new();
    for (contract, implementation) in &implementations {
        let functions: Vec<Function> = abis[contract].functions().cloned().collect();
        let proxy = proxies.get(contract).copied().unwrap_or(*implementation);
        for address in [proxy, *implementation] {
            targets.push(Target {
                address,
                functions: functions.clone(),
            });
        }
    }
    // Callers: the admin, a stranger, and the settlement gateway's alias (the only caller the
    // app-chain gateway takes parameters from). Address arguments also name every contract.
    let gateway = U256::from_be_slice(proxies["SettlementChainGateway"].as_slice());
    let offset = U256::from_be_slice(ALIAS_OFFSET.as_slice());
    let alias = Address::from_word(B256::from((gateway + offset) % (U256::from(1u8) << 160)));
    let callers = vec![DEPLOYER, Address::repeat_byte(0x5a), alias];
    for caller in &callers {
        chain.fund(*caller, U256::from(10u64).pow(U256::from(24u8)));
    }
    let mut accounts = callers.clone();
    accounts.extend(proxies.values().copied());
    Fixture {
        callers,
        snapshot: chain.snapshot(),
        chain,
        targets,
        accounts,
    }
}

/// An ABI value of type `ty`, from the input.
fn value(ty: &DynSolType, input: &mut Input<'_>, accounts: &[Address], depth: u32) -> DynSolValue {
    let pick_len = |input: &mut Input<'_>| {
        if depth >= MAX_DEPTH {
            0
        } else {
            input.upto(3) as usize
        }
    };
    match ty {
        DynSolType::Bool => DynSolValue::Bool(input.u8() & 1 == 1),
        DynSolType::Address => DynSolValue::Address(match input.u8() % 4 {
            0 => Address::ZERO,
            1 => Address::from(input.bytes::<20>()),
            _ => accounts[input.upto(u32::try_from(accounts.len() - 1).expect("few")) as usize],
        }),
        DynSolType::Uint(bits) => {
            let raw = match input.u8() % 4 {
                0 => U256::from(input.u8()),
                1 => U256::from(input.u64()),
                2 => U256::MAX,
                _ => U256::from_be_bytes(input.bytes::<32>()),
            };
            let mask = if *bits == 256 {
                U256::MAX
            } else {
                (U256::from(1u8) << *bits) - U256::from(1u8)
            };
            DynSolValue::Uint(raw & mask, *bits)
        }
        DynSolType::Int(bits) => {
            let raw = I256::from_raw(U256::from(input.u64()));
            DynSolValue::Int(raw, *bits)
        }
        DynSolType::FixedBytes(size) => {
            let mut word = FixedBytes::<32>::from(input.bytes::<32>());
            word.0[*size..].fill(0);
            DynSolValue::FixedBytes(word, *size)
        }
        DynSolType::Bytes => DynSolValue::Bytes(input.vec(96)),
        DynSolType::String => {
            DynSolValue::String(String::from_utf8_lossy(&input.vec(48)).into_owned())
        }
        DynSolType::Array(inner) => {
            let len = pick_len(input);
            DynSolValue::Array(
                (0..len)
                    .map(|_| value(inner, input, accounts, depth + 1))
                    .collect(),
            )
        }
        DynSolType::FixedArray(inner, len) => DynSolValue::FixedArray(
            (0..*len)
                .map(|_| value(inner, input, accounts, depth + 1))
                .collect(),
        ),
        DynSolType::Tuple(types) => DynSolValue::Tuple(
            types
                .iter()
                .map(|t| value(t, input, accounts, depth + 1))
                .collect(),
        ),
        DynSolType::Function => DynSolValue::Function(input.bytes::<24>().into()),
    }
}

/// Calldata for one call: a function of the target with generated arguments, or with raw
/// bytes after its selector, or raw bytes.
fn calldata(target: &Target, input: &mut Input<'_>, accounts: &[Address]) -> Vec<u8> {
    let mode = input.u8() % 8;
    if target.functions.is_empty() || mode == 7 {
        return input.vec(200);
    }
    let last = u32::try_from(target.functions.len() - 1).expect("few");
    let function = &target.functions[input.upto(last) as usize];
    if mode == 6 {
        return [function.selector().as_slice(), &input.vec(200)].concat();
    }
    let args: Vec<DynSolValue> = function
        .inputs
        .iter()
        .map(|param| {
            let ty = param.resolve().expect("the ABI's types resolve");
            value(&ty, input, accounts, 0)
        })
        .collect();
    let mut data = function
        .abi_encode_input(&args)
        .expect("values of the declared types");
    if mode == 5 && data.len() > 4 {
        // One corrupted byte or a cut: decoders must refuse, not trap.
        let at = 4 + input.upto(u32::try_from(data.len() - 5).expect("short")) as usize;
        if input.u8() & 1 == 0 {
            data[at] ^= input.u8().max(1);
        } else {
            data.truncate(at);
        }
    }
    data
}

/// Runs one fuzz input.
pub fn run(data: &[u8]) {
    FIXTURE.with(|cell| {
        let mut cell = cell.borrow_mut();
        let f = cell.get_or_insert_with(setup);
        f.chain.restore(f.snapshot.clone());
        let mut input = Input::new(data);
        for _ in 0..MAX_CALLS {
            if input.is_empty() {
                break;
            }
            let last = u32::try_from(f.targets.len() - 1).expect("few");
            let target = &f.targets[input.upto(last) as usize];
            let caller = f.callers[input.upto(2) as usize];
            let value = if input.u8().is_multiple_of(4) {
                U256::from(input.u32())
            } else {
                U256::ZERO
            };
            let data = calldata(target, &mut input, &f.accounts);
            let before = f.chain.state_digest();
            let tx = Tx::call(caller, target.address, data.clone()).value(value);
            let receipt = f.chain.send(&tx).expect("accepted");
            let described = || {
                format!(
                    "call to {} from {caller} with value {value}: 0x{}",
                    target.address,
                    alloy_primitives::hex::encode(&data)
                )
            };
            // Running out of gas or ink is what a callee given too little gas does (the
            // caller sees a failed call); a trap, a stack overflow or undecodable code is not.
            let trapped = receipt
                .stylus_halts
                .iter()
                .any(|halt| !matches!(halt, StylusHalt::OutOfInk | StylusHalt::EntryCost));
            assert!(
                receipt.halt.is_none() && !trapped,
                "{}: halt {:?}, Stylus halts {:?}",
                described(),
                receipt.halt,
                receipt.stylus_halts
            );
            if !receipt.status {
                assert_eq!(
                    f.chain.state_digest(),
                    before,
                    "{}: reverted with 0x{} but changed the state",
                    described(),
                    alloy_primitives::hex::encode(&receipt.output)
                );
            }
        }
    });
}
