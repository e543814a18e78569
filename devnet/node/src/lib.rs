//! Two linked devnet chains and the bridge between them, served over JSON-RPC.
//!
//! A [`Devnet`] owns a settlement chain and an app chain (each a [`Node`]: blocks, signed
//! transactions, receipts and logs over the runtime's [`xmtp_devnet::Chain`]) and reproduces
//! Arbitrum's bridge as the XMTP gateways use it: the ERC-20 inbox and its escrow on the
//! settlement chain, retryable tickets on the app chain with ArbRetryableTx at `0x6e`, and the
//! outbox for `ArbSys.sendTxToL1` messages. [`DevnetServer`] serves each chain on its own loopback
//! port.

pub mod asm;
pub mod contracts;
pub mod devnet;
pub mod node;
pub mod rpc;
pub mod server;

pub use devnet::{Devnet, DevnetConfig, RelayReport, Side, Ticket, TxRequest};
pub use node::{CallRequest, Node, NodeError};
pub use server::{DevnetServer, ServerOptions};
