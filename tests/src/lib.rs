//! Harness for system tests: builds the programs once per test binary through the real
//! pipeline, wires them, and deploys them on a devnet chain the way the deploy tooling does.

use std::sync::OnceLock;

pub mod malicious;
pub mod system;
pub mod two_chains;

use alloy_primitives::{Address, Bytes, Log, LogData, U256};
use alloy_sol_types::{SolCall, SolEvent};
use xmtp_deploy::{network::Programs, Artifact};
use xmtp_devnet::{Chain, Receipt, Tx};

/// The programs the system tests use, by crate name.
pub const PROGRAMS: &[&str] = &[
    "xmtp-proxy",
    "xmtp-initializable",
    "xmtp-factory",
    "xmtp-migrator",
    "xmtp-generic-eip1967-migrator",
    "xmtp-settlement-chain-parameter-registry",
    "xmtp-app-chain-parameter-registry",
    "xmtp-settlement-chain-gateway",
    "xmtp-app-chain-gateway",
    "xmtp-group-message-broadcaster",
    "xmtp-identity-update-broadcaster",
    "xmtp-fee-token",
    "xmtp-payer-registry",
    "xmtp-rate-registry",
    "xmtp-node-registry",
    "xmtp-payer-report-manager",
    "xmtp-distribution-manager",
    "xmtp-deposit-splitter",
];

/// The programs, built once per test binary through the real pipeline.
pub fn programs() -> &'static Programs {
    static BUILT: OnceLock<Programs> = OnceLock::new();
    BUILT.get_or_init(|| {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let workspace = xmtp_deploy::discover(&root).expect("cargo metadata");
        Programs::build(&workspace, PROGRAMS).expect("programs build")
    })
}

/// A program through the pipeline, with `wiring` (slot name, address) written into it.
pub fn artifact(crate_name: &str, wiring: &[(&str, Address)]) -> Artifact {
    programs()
        .artifact(crate_name, wiring)
        .unwrap_or_else(|error| panic!("{error}"))
}

/// The funded account every test deploys and administers from.
pub const DEPLOYER: Address = Address::new([0xde; 20]);

pub use xmtp_deploy::network::ACTIVATION_BUDGET;

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

/// `selector(signature) ‖ abi.encode(args)`: calldata from a function's signature, for tests
/// that go down the ABI rather than through typed calls.
// By value: the argument tuples are built inline at each call.
#[allow(clippy::needless_pass_by_value)]
pub fn encode<T>(signature: &str, args: T) -> Vec<u8>
where
    T: alloy_sol_types::SolValue,
    for<'a> <T::SolType as alloy_sol_types::SolType>::Token<'a>: alloy_sol_types::abi::TokenSeq<'a>,
{
    [
        &alloy_primitives::keccak256(signature)[..4],
        &args.abi_encode_params(),
    ]
    .concat()
}
