//! Where the deployer's transactions go: a [`Backend`] reaches both chains. [`InProcess`] drives
//! a [`Devnet`] directly (tests, benchmarks, the demo); `rpc::Rpc` talks JSON-RPC to real or
//! devnet nodes.

use alloy_primitives::{hex, Address, Bytes, B256, U256};
use alloy_sol_types::SolCall;
use xmtp_devnet_node::{CallRequest, Devnet, Side, TxRequest};

use crate::Error;

/// A transaction to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Signer.
    pub from: Address,
    /// Callee, `None` to CREATE.
    pub to: Option<Address>,
    /// Calldata or init code.
    pub data: Bytes,
    /// Value.
    pub value: U256,
}

/// What a sent transaction did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// Transaction hash.
    pub hash: B256,
    /// Receipt gas.
    pub gas_used: u64,
    /// Block it landed in.
    pub block: u64,
}

/// Both chains of a deployment, as the deployer needs them.
pub trait Backend {
    /// The chain id a side answers with.
    fn chain_id(&mut self, side: Side) -> Result<u64, Error>;
    /// The latest block number.
    fn block_number(&mut self, side: Side) -> Result<u64, Error>;
    /// An account's next nonce.
    fn nonce(&mut self, side: Side, account: Address) -> Result<u64, Error>;
    /// The code at an address (empty for none).
    fn code(&mut self, side: Side, at: Address) -> Result<Bytes, Error>;
    /// `eth_call` from `from`; a revert is `Err(Reverted)` carrying its data.
    fn call(
        &mut self,
        side: Side,
        from: Address,
        to: Address,
        data: Bytes,
    ) -> Result<Result<Bytes, Bytes>, Error>;
    /// Sends a transaction and waits for its receipt; a revert is an error naming `label`.
    fn send(&mut self, side: Side, label: &str, request: &Request) -> Result<Sent, Error>;
    /// Delivers pending bridge messages where the backend can (a devnet); elsewhere a no-op
    /// (real tickets arrive on their own).
    fn relay(&mut self) -> Result<(), Error>;
    /// The accounts this backend can sign for.
    fn signers(&self) -> Vec<Address>;
}

/// Decodes a view's return, naming the call on failure.
pub fn decode<C: SolCall>(output: &[u8]) -> Result<C::Return, Error> {
    C::abi_decode_returns(output)
        .map_err(|e| Error::Chain(format!("{}: undecodable return: {e}", C::SIGNATURE)))
}

/// Revert data as the one-line message the CLI prints: the error's name when it is one of the
/// contracts' errors, the hex otherwise.
pub fn describe_revert(data: &[u8]) -> String {
    if data.len() >= 4 {
        let selector: [u8; 4] = data[..4].try_into().expect("four bytes");
        if let Some(name) = xmtp_abi::contracts::all()
            .iter()
            .flat_map(|(_, abi)| abi.errors())
            .find(|error| error.selector() == selector)
            .map(alloy_json_abi::Error::signature)
        {
            return format!("{name} (0x{})", hex::encode(data));
        }
    }
    format!("0x{}", hex::encode(data))
}

/// A [`Devnet`] driven in process: its dev accounts sign.
#[derive(Debug)]
pub struct InProcess<'a> {
    /// The devnet.
    pub devnet: &'a mut Devnet,
}

impl<'a> InProcess<'a> {
    /// A backend over `devnet`.
    pub fn new(devnet: &'a mut Devnet) -> Self {
        Self { devnet }
    }
}

fn node_error(side: Side, error: &xmtp_devnet_node::NodeError) -> Error {
    let data = error
        .data
        .as_ref()
        .map(|d| format!(": {}", describe_revert(d)))
        .unwrap_or_default();
    Error::Chain(format!("{side:?} chain: {}{data}", error.message))
}

impl Backend for InProcess<'_> {
    fn chain_id(&mut self, side: Side) -> Result<u64, Error> {
        Ok(self.devnet.node(side).chain_id())
    }

    fn block_number(&mut self, side: Side) -> Result<u64, Error> {
        Ok(self.devnet.node(side).head())
    }

    fn nonce(&mut self, side: Side, account: Address) -> Result<u64, Error> {
        Ok(self.devnet.node(side).chain().nonce(account))
    }

    fn code(&mut self, side: Side, at: Address) -> Result<Bytes, Error> {
        Ok(self.devnet.node(side).chain().code(at))
    }

    fn call(
        &mut self,
        side: Side,
        from: Address,
        to: Address,
        data: Bytes,
    ) -> Result<Result<Bytes, Bytes>, Error> {
        let receipt = self
            .devnet
            .node_mut(side)
            .call(&CallRequest {
                from: Some(from),
                to: Some(to),
                data,
                ..CallRequest::default()
            })
            .map_err(|e| node_error(side, &e))?;
        Ok(if receipt.status {
            Ok(receipt.output)
        } else {
            Err(receipt.output)
        })
    }

    fn send(&mut self, side: Side, label: &str, request: &Request) -> Result<Sent, Error> {
        let hash = self
            .devnet
            .send_tx(
                side,
                &TxRequest {
                    from: request.from,
                    to: request.to,
                    value: request.value,
                    data: request.data.clone(),
                    ..TxRequest::default()
                },
            )
            .map_err(|e| Error::Chain(format!("{label}: {}", node_error(side, &e))))?;
        let record = self
            .devnet
            .node(side)
            .tx(hash)
            .ok_or_else(|| Error::Chain(format!("{label}: no receipt for {hash}")))?;
        if !record.receipt.status {
            return Err(Error::Chain(format!(
                "{label} reverted: {}",
                describe_revert(&record.receipt.output)
            )));
        }
        Ok(Sent {
            hash,
            gas_used: record.receipt.gas_used,
            block: record.block,
        })
    }

    fn relay(&mut self) -> Result<(), Error> {
        self.devnet.relay();
        Ok(())
    }

    fn signers(&self) -> Vec<Address> {
        self.devnet.accounts().iter().map(|a| a.address).collect()
    }
}
