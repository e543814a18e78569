//! A local Arbitrum-like chain that executes Stylus WASM programs with Nitro's rules next to EVM
//! bytecode, on revm (DESIGN §5).
//!
//! - [`chain::Chain`]: the API a test or a tool drives (accounts, transactions, receipts,
//!   `eth_call`, activation, time, snapshots).
//! - [`evm`]: revm's frame loop with Stylus frames dispatched to the WASM engine.
//! - [`engine`]: the engine trait and its wasmi implementation.
//! - [`host`]: hostio prices and the hostios that need no EVM state.
//! - [`arb`]: ArbSys, ArbGasInfo and ArbWasm.
//!
//! Real programs built by the pipeline are deployed with [`chain::Chain::deploy`] from their
//! init code (`xmtp_stylus::codec::init_code`) and activated with [`chain::Chain::activate`].

pub mod arb;
pub mod chain;
pub mod engine;
pub mod evm;
pub mod host;

pub use chain::{Chain, Receipt, Tx};
pub use revm::primitives::{address, Address, Bytes, B256, U256};
