//! A local Arbitrum-like chain that executes Stylus WASM programs with Nitro's rules next to EVM
//! bytecode, on revm (DESIGN §5).
//!
//! - [`chain::Chain`]: the API a test or a tool drives (accounts, transactions, receipts,
//!   `eth_call`, activation, time, snapshots).
//! - [`evm`]: revm's frame loop with Stylus frames dispatched to the WASM engine.
//! - [`engine`]: the engine trait and its wasmi implementation.
//! - [`host`]: hostio prices and the hostios that need no EVM state.
//! - [`arb`]: ArbSys, ArbGasInfo and ArbWasm.
//! - [`fork`]: a chain's state read lazily from a live chain ([`chain::Chain::fork`]).
//!
//! Programs built by the pipeline (`xmtp build` writes `target/stylus/<name>/<name>.initcode`)
//! are deployed from their init code with [`chain::Chain::deploy_program`], which also activates
//! them, or step by step with [`chain::Chain::deploy`] and [`chain::Chain::activate`]; the tests
//! in `tests/real_programs.rs` run the committed Proxy and Initializable this way.
//!
//! ```
//! use xmtp_devnet::{address, Chain, Tx, U256};
//! use xmtp_stylus::codec;
//!
//! let mut chain = Chain::new(412_346);
//! let owner = address!("00000000000000000000000000000000000000aa");
//! chain.fund(owner, U256::from(10u128.pow(20)));
//! let wasm = wat::parse_str(
//!     r#"(module
//!          (import "vm_hooks" "read_args" (func $read_args (param i32)))
//!          (import "vm_hooks" "write_result" (func $write_result (param i32 i32)))
//!          (memory (export "memory") 1 1)
//!          (func (export "user_entrypoint") (param $len i32) (result i32)
//!            (call $read_args (i32.const 0))
//!            (call $write_result (i32.const 0) (local.get $len))
//!            (i32.const 0)))"#,
//! )
//! .unwrap();
//! let init = codec::init_code(&codec::encode_code(&wasm).unwrap());
//! let echo = chain.deploy_program(owner, init, U256::from(10u128.pow(18))).unwrap();
//! let receipt = chain.send(&Tx::call(owner, echo, vec![1, 2, 3])).unwrap();
//! assert!(receipt.status);
//! assert_eq!(receipt.output.to_vec(), vec![1, 2, 3]);
//! ```

pub mod arb;
pub mod chain;
pub mod engine;
pub mod evm;
pub mod fork;
pub mod host;

pub use chain::{Chain, Receipt, Tx};
pub use revm::context_interface::transaction::AccessList;
pub use revm::primitives::{address, Address, Bytes, B256, U256};
