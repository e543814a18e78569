//! The contract library every XMTP Stylus program is built from: storage roots, the wiring
//! block, OpenZeppelin's initializer guard, migration, typed parameter reads, key composition
//! and address aliasing, each behaving as the reference Solidity does.
#![no_std]

extern crate alloc;

pub mod abi_lean;
pub mod alias;
pub mod args;
pub mod arith;
pub mod broadcaster;
pub mod calls;
pub mod ecdsa;
pub mod eip712;
pub mod enumerable_set;
pub mod erc20;
pub mod erc20_permit;
pub mod erc721;
pub mod events;
pub mod initializable;
pub mod keys;
pub mod lean_errors;
pub mod merkle;
pub mod migratable;
pub mod nonces;
pub mod params;
pub mod registry;
pub mod revert;
pub mod slot_key;
pub mod slots;
pub mod storage;
pub mod string_storage;
#[cfg(all(feature = "testing", not(target_arch = "wasm32")))]
pub mod testing;
pub mod wiring;

pub use revert::Bubbled;
