//! Simulation, as Foundry users expect it without `--broadcast`: the deployer's transactions run
//! against local forks of both live chains (`xmtp_devnet::Chain::fork`, state read over
//! JSON-RPC at the fork block and cached) and nothing is sent.
//!
//! Cross-chain steps: a settlement transaction's `createRetryableTicket` calls into the inbox are
//! recorded, and [`Backend::relay`] executes each ticket's call on the app-chain fork from the
//! aliased sender with the ticket's gas limit, as Arbitrum's auto-redeem would. The devnet's own
//! relay is not reused: it delivers from the devnet's inbox queue and keeps ArbRetryableTx state,
//! neither of which a fork of an arbitrary chain (a real Arbitrum inbox) has; recording the
//! inbox call works for both.

use alloy::eips::{BlockId, BlockNumberOrTag};
use alloy::network::TransactionBuilder;
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use alloy::rpc::types::TransactionRequest;
use alloy_primitives::{Address, Bytes, B256, U256};
use alloy_sol_types::SolCall;
use xmtp_devnet::fork::{CallRecorder, ForkPoint, RecordedCall, Remote};
use xmtp_devnet::{AccessList, Chain, Tx};
use xmtp_devnet_node::devnet::{createRetryableTicketCall, to_alias};
use xmtp_devnet_node::node::BLOCK_GAS_LIMIT;
use xmtp_devnet_node::Side;

use super::backend::{describe_revert, Backend, Request, Sent};
use super::{chain_name, index};
use crate::Error;

/// One chain's JSON-RPC endpoint read at a fixed block.
struct RemoteChain {
    runtime: tokio::runtime::Runtime,
    provider: DynProvider,
    name: &'static str,
    url: String,
    block: u64,
}

impl RemoteChain {
    fn fail(&self, error: &impl std::fmt::Display) -> String {
        format!("{} chain RPC {}: {error}", self.name, self.url)
    }

    fn at(&self) -> BlockId {
        BlockId::number(self.block)
    }
}

impl Remote for RemoteChain {
    fn balance(&self, account: Address) -> Result<U256, String> {
        self.runtime
            .block_on(async { self.provider.get_balance(account).block_id(self.at()).await })
            .map_err(|e| self.fail(&e))
    }

    fn nonce(&self, account: Address) -> Result<u64, String> {
        self.runtime
            .block_on(async {
                self.provider
                    .get_transaction_count(account)
                    .block_id(self.at())
                    .await
            })
            .map_err(|e| self.fail(&e))
    }

    fn code(&self, account: Address) -> Result<Bytes, String> {
        self.runtime
            .block_on(async { self.provider.get_code_at(account).block_id(self.at()).await })
            .map_err(|e| self.fail(&e))
    }

    fn storage(&self, account: Address, slot: U256) -> Result<U256, String> {
        self.runtime
            .block_on(async {
                self.provider
                    .get_storage_at(account, slot)
                    .block_id(self.at())
                    .await
            })
            .map_err(|e| self.fail(&e))
    }

    fn block_hash(&self, number: u64) -> Result<B256, String> {
        let block = self
            .runtime
            .block_on(async {
                self.provider
                    .get_block_by_number(BlockNumberOrTag::Number(number))
                    .await
            })
            .map_err(|e| self.fail(&e))?;
        block
            .map(|b| b.header.hash)
            .ok_or_else(|| self.fail(&format!("no block {number}")))
    }

    fn call(&self, to: Address, data: Bytes) -> Result<Option<Bytes>, String> {
        let tx = TransactionRequest::default().with_to(to).with_input(data);
        match self
            .runtime
            .block_on(async { self.provider.call(tx).block(self.at()).await })
        {
            Ok(output) => Ok(Some(output)),
            // A revert is an error response with data; anything else is the transport's.
            Err(error) if error.as_error_resp().is_some() => Ok(None),
            Err(error) => Err(self.fail(&error)),
        }
    }
}

/// A ticket the simulation delivered to the app chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    /// The app-chain sender: the alias of the settlement contract that created the ticket.
    pub from: Address,
    /// The callee.
    pub to: Address,
    /// Gas the ticket's call used.
    pub gas_used: u64,
}

/// Both chains forked from their RPC endpoints: a [`Backend`] that sends nothing.
pub struct Simulation {
    chains: [Chain; 2],
    basefees: [u64; 2],
    forked_at: [u64; 2],
    signers: Vec<Address>,
    pending: Vec<RecordedCall>,
    /// Tickets delivered so far, in order.
    pub delivered: Vec<Delivered>,
}

impl std::fmt::Debug for Simulation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulation")
            .field("forked_at", &self.forked_at)
            .field("signers", &self.signers)
            .finish_non_exhaustive()
    }
}

/// Forks one chain at its latest block; returns the chain and its base fee.
fn fork(side: Side, url: &str) -> Result<(Chain, u64), Error> {
    let name = chain_name(side);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Chain(format!("cannot start the async runtime: {e}")))?;
    let parsed = url
        .parse()
        .map_err(|e| Error::Config(format!("RPC URL {url}: {e}")))?;
    let provider = ProviderBuilder::new().connect_http(parsed).erased();
    let unreachable =
        |e: &dyn std::fmt::Display| Error::Chain(format!("{name} chain RPC {url}: {e}"));
    let (chain_id, block) = runtime
        .block_on(async {
            let chain_id = provider.get_chain_id().await?;
            let number = provider.get_block_number().await?;
            let block = provider
                .get_block_by_number(BlockNumberOrTag::Number(number))
                .await?;
            Ok::<_, alloy::transports::TransportError>((chain_id, block))
        })
        .map_err(|e| unreachable(&e))?;
    let block = block.ok_or_else(|| unreachable(&"the latest block is missing"))?;
    let at = ForkPoint {
        chain_id,
        block: block.header.number,
        timestamp: block.header.timestamp,
    };
    let basefee = block.header.base_fee_per_gas.unwrap_or_default();
    let remote = RemoteChain {
        runtime,
        provider,
        name,
        url: url.to_owned(),
        block: at.block,
    };
    let mut chain = Chain::fork(Box::new(remote), at);
    chain.set_basefee(basefee);
    Ok((chain, basefee))
}

impl Simulation {
    /// Forks both chains at their latest blocks; `signers` are the accounts the simulation
    /// sends from (no signature is made: it checks what the keys would be used for).
    pub fn fork(settlement_url: &str, app_url: &str, signers: Vec<Address>) -> Result<Self, Error> {
        let (settlement, settlement_basefee) = fork(Side::Settlement, settlement_url)?;
        let (app, app_basefee) = fork(Side::App, app_url)?;
        let forked_at = [settlement.block_number() - 1, app.block_number() - 1];
        Ok(Self {
            chains: [settlement, app],
            basefees: [settlement_basefee, app_basefee],
            forked_at,
            signers,
            pending: Vec::new(),
            delivered: Vec::new(),
        })
    }

    /// The block each chain was forked at (settlement, app).
    pub fn forked_at(&self) -> [u64; 2] {
        self.forked_at
    }

    fn chain(&mut self, side: Side) -> &mut Chain {
        &mut self.chains[index(side)]
    }

    /// Fails when the fork could not read its remote during the last operation (its answers
    /// were then empty and cannot be trusted).
    fn checked<T>(&self, side: Side, value: T) -> Result<T, Error> {
        match self.chains[index(side)].fork_error() {
            Some(error) => Err(Error::Chain(format!(
                "simulation: the {} chain fork could not read its remote: {error}",
                chain_name(side)
            ))),
            None => Ok(value),
        }
    }
}

impl Backend for Simulation {
    fn chain_id(&mut self, side: Side) -> Result<u64, Error> {
        Ok(self.chain(side).chain_id())
    }

    fn block_number(&mut self, side: Side) -> Result<u64, Error> {
        // The chain reports the block of its next transaction.
        Ok(self.chain(side).block_number() - 1)
    }

    fn nonce(&mut self, side: Side, account: Address) -> Result<u64, Error> {
        let nonce = self.chain(side).nonce(account);
        self.checked(side, nonce)
    }

    fn code(&mut self, side: Side, at: Address) -> Result<Bytes, Error> {
        let code = self.chain(side).code(at);
        self.checked(side, code)
    }

    fn call(
        &mut self,
        side: Side,
        from: Address,
        to: Address,
        data: Bytes,
    ) -> Result<Result<Bytes, Bytes>, Error> {
        let basefee = self.basefees[index(side)];
        let chain = self.chain(side);
        // As a node's eth_call: no fee, so a caller without funds can still read.
        chain.set_basefee(0);
        let result = chain.call(&Tx::call(from, to, data).gas(BLOCK_GAS_LIMIT));
        chain.set_basefee(basefee);
        let receipt =
            result.map_err(|e| Error::Chain(format!("{} chain: {e}", chain_name(side))))?;
        let outcome = if receipt.status {
            Ok(receipt.output)
        } else {
            Err(receipt.output)
        };
        self.checked(side, outcome)
    }

    fn send(&mut self, side: Side, label: &str, request: &Request) -> Result<Sent, Error> {
        let basefee = self.basefees[index(side)];
        let chain = self.chain(side);
        // The most gas the sender can pay for at the base fee, up to a block: a transaction
        // that needs more fails here as it would on the chain.
        let affordable = chain
            .balance(request.from)
            .saturating_sub(request.value)
            .checked_div(U256::from(basefee))
            .map_or(BLOCK_GAS_LIMIT, |gas| gas.saturating_to::<u64>());
        let tx = Tx {
            from: request.from,
            to: request.to,
            value: request.value,
            data: request.data.clone(),
            gas_limit: affordable.min(BLOCK_GAS_LIMIT),
            access_list: AccessList::default(),
        };
        let block = chain.block_number();
        let recorder = CallRecorder::new(createRetryableTicketCall::SELECTOR);
        let result = chain.inspect(&tx, recorder, true);
        let (receipt, recorder) = self.checked(side, result)?.map_err(|e| {
            Error::Chain(format!(
                "simulation: {label} cannot be sent on the {} chain: {e}",
                chain_name(side)
            ))
        })?;
        if !receipt.status {
            let why = receipt.halt.clone().map_or_else(
                || format!("reverted: {}", describe_revert(&receipt.output)),
                |halt| format!("halted: {halt}"),
            );
            return Err(Error::Chain(format!(
                "simulation: {label} fails on the {} chain ({why}, gas {})",
                chain_name(side),
                receipt.gas_used
            )));
        }
        if side == Side::Settlement {
            self.pending.extend(recorder.calls);
        }
        Ok(Sent {
            // Nothing was signed or sent, so there is no transaction hash.
            hash: B256::ZERO,
            gas_used: receipt.gas_used,
            block,
        })
    }

    fn relay(&mut self) -> Result<(), Error> {
        for call in std::mem::take(&mut self.pending) {
            let ticket = createRetryableTicketCall::abi_decode(&call.input).map_err(|e| {
                Error::Chain(format!(
                    "simulation: undecodable createRetryableTicket from {}: {e}",
                    call.caller
                ))
            })?;
            // The inbox aliases a contract sender: the app chain sees the ticket come from
            // the alias, and the call value comes out of the ticket's deposit.
            let from = to_alias(call.caller);
            let gas = u64::try_from(ticket.gasLimit)
                .unwrap_or(u64::MAX)
                .min(BLOCK_GAS_LIMIT);
            let chain = self.chain(Side::App);
            chain.fund(from, ticket.l2CallValue);
            chain.set_basefee(0);
            let result = chain.send(
                &Tx::call(from, ticket.to, ticket.data.clone())
                    .value(ticket.l2CallValue)
                    .gas(gas),
            );
            let basefee = self.basefees[1];
            self.chain(Side::App).set_basefee(basefee);
            let receipt = self.checked(Side::App, result)?.map_err(|e| {
                Error::Chain(format!(
                    "simulation: the retryable ticket to {} cannot run on the app chain: {e}",
                    ticket.to
                ))
            })?;
            if !receipt.status {
                return Err(Error::Chain(format!(
                    "simulation: the retryable ticket from {from} to {} fails on the app chain ({}): it would stay unredeemed",
                    ticket.to,
                    describe_revert(&receipt.output)
                )));
            }
            self.delivered.push(Delivered {
                from,
                to: ticket.to,
                gas_used: receipt.gas_used,
            });
        }
        Ok(())
    }

    fn signers(&self) -> Vec<Address> {
        self.signers.clone()
    }
}
