//! Harness for system tests: builds the programs once per test binary through the real
//! pipeline, wires them, and deploys them on a devnet chain the way the deploy tooling does.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use alloy_primitives::{Address, Bytes, Log, LogData, U256};
use alloy_sol_types::{SolCall, SolEvent};
use xmtp_deploy::{pipeline, Options, Workspace};
use xmtp_devnet::{Chain, Receipt, Tx};

/// The programs the system tests use, by crate name.
const PROGRAMS: &[&str] = &[
    "xmtp-proxy",
    "xmtp-initializable",
    "xmtp-factory",
    "xmtp-migrator",
];

/// Raw wasm of every program in [`PROGRAMS`], built once per test binary.
fn raw_programs() -> &'static BTreeMap<String, Vec<u8>> {
    static BUILT: OnceLock<BTreeMap<String, Vec<u8>>> = OnceLock::new();
    BUILT.get_or_init(|| {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let workspace = xmtp_deploy::discover(&root).expect("cargo metadata");
        let programs = workspace
            .programs
            .iter()
            .filter(|program| PROGRAMS.contains(&program.crate_name.as_str()))
            .cloned()
            .collect();
        let subset = Workspace {
            programs,
            ..workspace
        };
        let paths = pipeline::build_programs(&subset).expect("programs build");
        subset
            .programs
            .iter()
            .zip(paths)
            .map(|(program, path)| {
                (
                    program.crate_name.clone(),
                    std::fs::read(path).expect("built wasm"),
                )
            })
            .collect()
    })
}

/// A program through the pipeline, with `wiring` (slot name, address) written into it.
pub fn artifact(crate_name: &str, wiring: &[(&str, Address)]) -> pipeline::Artifact {
    let raw = raw_programs()
        .get(crate_name)
        .unwrap_or_else(|| panic!("{crate_name} is not built for system tests"));
    let words: Vec<(&str, [u8; 32])> = wiring
        .iter()
        .map(|(name, address)| (*name, address.into_word().0))
        .collect();
    let options = Options {
        wiring: (!wiring.is_empty()).then_some(words.as_slice()),
        ..Options::default()
    };
    pipeline::process(raw, &options).unwrap_or_else(|error| panic!("{crate_name}: {error}"))
}

/// The funded account every test deploys and administers from.
pub const DEPLOYER: Address = Address::new([0xde; 20]);

/// Plenty for any activation data fee (the excess is refunded).
pub const ACTIVATION_BUDGET: U256 = U256::from_limbs([1_000_000_000_000_000_000, 0, 0, 0]);

/// A chain with a funded deployer.
#[must_use]
pub fn chain(chain_id: u64) -> Chain {
    let mut chain = Chain::new(chain_id);
    chain.fund(DEPLOYER, U256::from(1_000u64) * ACTIVATION_BUDGET);
    chain
}

/// Sends `tx` and requires success.
pub fn send_ok(chain: &mut Chain, tx: &Tx) -> Receipt {
    let receipt = chain.send(tx).expect("accepted");
    assert!(
        receipt.status,
        "transaction failed: output 0x{} halt {:?} stylus {:?}",
        alloy_primitives::hex::encode(&receipt.output),
        receipt.halt,
        receipt.stylus_halts
    );
    receipt
}

/// Calls `call` on `to` from `from` and requires success; returns the decoded return value.
pub fn transact<C: SolCall>(
    chain: &mut Chain,
    from: Address,
    to: Address,
    call: &C,
) -> (C::Return, Receipt) {
    let receipt = send_ok(chain, &Tx::call(from, to, call.abi_encode()));
    let decoded = C::abi_decode_returns(&receipt.output).expect("return value decodes");
    (decoded, receipt)
}

/// `eth_call` of a view.
pub fn view<C: SolCall>(chain: &mut Chain, to: Address, call: &C) -> C::Return {
    let receipt = chain
        .call(&Tx::call(DEPLOYER, to, call.abi_encode()))
        .expect("accepted");
    assert!(
        receipt.status,
        "view reverted: 0x{}",
        alloy_primitives::hex::encode(&receipt.output)
    );
    C::abi_decode_returns(&receipt.output).expect("return value decodes")
}

/// Sends `call` expecting a revert; returns the revert data.
pub fn revert_data<C: SolCall>(chain: &mut Chain, from: Address, to: Address, call: &C) -> Bytes {
    let receipt = chain
        .send(&Tx::call(from, to, call.abi_encode()))
        .expect("accepted");
    assert!(!receipt.status, "expected a revert");
    receipt.output
}

/// The log `event` emitted by `emitter`.
pub fn log_of(emitter: Address, event: &impl SolEvent) -> Log {
    let data: LogData = event.encode_log_data();
    Log {
        address: emitter,
        data,
    }
}

/// Deploys init code from the deployer (CREATE) and returns the new address.
pub fn create(chain: &mut Chain, init_code: &[u8]) -> Address {
    let receipt = send_ok(chain, &Tx::deploy(DEPLOYER, init_code.to_vec()));
    receipt.created.expect("created an account")
}

/// Activates the Stylus code at `program` (no-op if its codehash is already active).
pub fn activate(chain: &mut Chain, program: Address) -> Receipt {
    chain
        .activate(DEPLOYER, program, ACTIVATION_BUDGET)
        .expect("accepted")
}
