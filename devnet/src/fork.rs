//! A chain forked from a live one: state is read lazily from the remote chain at the fork block
//! (through a [`Remote`], the caller's JSON-RPC client) and cached; everything written stays
//! local. [`crate::Chain::fork`] builds such a chain.
//!
//! Activation is the one piece of remote state not read as storage: ArbOS keeps its program
//! records in its own storage layout, which Nitro does not share with this runtime. So when the
//! fork first loads an account whose code is a Stylus program, it asks the remote's ArbWasm
//! (`codehashVersion`) whether that code is active there, and `ArbWasmCache` (`codehashIsCached`)
//! whether it is cached. An active program gets a local record with the remote's version,
//! cached flag and the activation figures this runtime computes for the code (what an activation
//! here would store), activated at the fork's time. A program the remote reports inactive
//! (never activated, outdated, expired) has no record: calls to it fail as they would there.

use std::cell::RefCell;
use std::collections::HashMap;
use std::convert::Infallible;
use std::rc::Rc;

use revm::bytecode::Bytecode;
use revm::database::DatabaseRef;
use revm::primitives::{keccak256, Address, Bytes, B256, U256};
use revm::state::AccountInfo;
use xmtp_stylus::activation::{self, StylusParams};
use xmtp_stylus::codec;

use crate::arb::{self, ProgramInfo, ARBOS_STATE, ARB_WASM};

pub use crate::arb::ARB_WASM_CACHE;

/// The remote chain's state at the fork block. Errors are one-line messages (the transport's).
pub trait Remote {
    /// An account's balance.
    fn balance(&self, account: Address) -> Result<U256, String>;
    /// An account's nonce.
    fn nonce(&self, account: Address) -> Result<u64, String>;
    /// An account's code (empty for none).
    fn code(&self, account: Address) -> Result<Bytes, String>;
    /// A storage slot.
    fn storage(&self, account: Address, slot: U256) -> Result<U256, String>;
    /// The hash of a block.
    fn block_hash(&self, number: u64) -> Result<B256, String>;
    /// `eth_call` of `data` to `to`: `Ok(None)` when it reverted.
    fn call(&self, to: Address, data: Bytes) -> Result<Option<Bytes>, String>;
}

/// Where a fork starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForkPoint {
    /// The remote's chain id.
    pub chain_id: u64,
    /// The block forked from (the fork's first transaction goes in the next one).
    pub block: u64,
    /// That block's timestamp (the fork's clock starts there).
    pub timestamp: u64,
}

/// The database under a chain's cache: nothing for a fresh chain, the remote for a fork.
/// Clones share the remote and what was read from it (the remote block never changes).
#[derive(Clone, Default)]
pub struct Source {
    fork: Option<Rc<Fork>>,
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Source")
            .field("forked", &self.fork.is_some())
            .finish_non_exhaustive()
    }
}

struct Fork {
    remote: Box<dyn Remote>,
    params: StylusParams,
    arbos_version: u64,
    block: u64,
    activated_at: u32,
    accounts: RefCell<HashMap<Address, Option<AccountInfo>>>,
    storage: RefCell<HashMap<(Address, U256), U256>>,
    block_hashes: RefCell<HashMap<u64, B256>>,
    /// ArbOS storage slots of programs active on the remote, and their records.
    programs: RefCell<HashMap<U256, U256>>,
    error: RefCell<Option<String>>,
}

impl Source {
    /// A source reading `remote` at `at`, for a runtime with `params` and `arbos_version`.
    pub fn fork(
        remote: Box<dyn Remote>,
        at: ForkPoint,
        params: StylusParams,
        arbos_version: u64,
    ) -> Self {
        Self {
            fork: Some(Rc::new(Fork {
                remote,
                params,
                arbos_version,
                block: at.block,
                activated_at: activation::hours_since_arbitrum(at.timestamp),
                accounts: RefCell::default(),
                storage: RefCell::default(),
                block_hashes: RefCell::default(),
                programs: RefCell::default(),
                error: RefCell::default(),
            })),
        }
    }

    /// The first failure reading the remote, if any. The EVM cannot stop on a database error
    /// here (the runtime's database is infallible), so a failed read answers empty and is
    /// recorded: a caller checks this after each transaction and discards the result.
    pub fn error(&self) -> Option<String> {
        self.fork.as_ref().and_then(|f| f.error.borrow().clone())
    }
}

impl Fork {
    fn fail<T: Default>(&self, error: String) -> T {
        self.error.borrow_mut().get_or_insert(error);
        T::default()
    }

    fn load(&self, account: Address) -> Result<Option<AccountInfo>, String> {
        let balance = self.remote.balance(account)?;
        let nonce = self.remote.nonce(account)?;
        let code = self.remote.code(account)?;
        // ArbOS's account must exist for its storage to be looked up (here: the records below).
        if balance.is_zero() && nonce == 0 && code.is_empty() && account != ARBOS_STATE {
            return Ok(None);
        }
        let bytecode = Bytecode::new_raw(code.clone());
        let code_hash = bytecode.hash_slow();
        if crate::evm::is_stylus(&code) {
            self.record_program(account, code_hash, &code)?;
        }
        Ok(Some(AccountInfo {
            balance,
            nonce,
            code_hash,
            code: Some(bytecode),
            ..AccountInfo::default()
        }))
    }

    fn query(&self, to: Address, signature: &str, word: B256) -> Result<Option<U256>, String> {
        let mut data = arb::selector(signature).to_vec();
        data.extend_from_slice(word.as_slice());
        Ok(self
            .remote
            .call(to, data.into())?
            .filter(|output| output.len() >= 32)
            .map(|output| U256::from_be_slice(&output[..32])))
    }

    fn record_program(&self, account: Address, code_hash: B256, code: &[u8]) -> Result<(), String> {
        let Some(version) = self.query(ARB_WASM, "codehashVersion(bytes32)", code_hash)? else {
            return Ok(());
        };
        // A chain without ArbWasmCache answers an empty success: not cached.
        let cached = self
            .query(ARB_WASM_CACHE, "codehashIsCached(bytes32)", code_hash)?
            .is_some_and(|word| !word.is_zero());
        let wasm = codec::decode_code(code).map_err(|e| {
            format!("the program at {account} is active on the remote chain but undecodable: {e}")
        })?;
        let activated = activation::activate(
            &wasm,
            &self.params,
            self.arbos_version,
            self.params.page_limit,
            false,
        )
        .map_err(|e| {
            format!("the program at {account} is active on the remote chain but not here: {e}")
        })?;
        let info = ProgramInfo {
            version: version.saturating_to(),
            costs: activated.costs,
            activated_at: self.activated_at,
            cached,
        };
        self.programs
            .borrow_mut()
            .insert(arb::program_slot(code_hash), info.pack());
        Ok(())
    }
}

impl DatabaseRef for Source {
    type Error = Infallible;

    fn basic_ref(&self, address: Address) -> Result<Option<AccountInfo>, Infallible> {
        let Some(fork) = &self.fork else {
            return Ok(None);
        };
        if let Some(info) = fork.accounts.borrow().get(&address) {
            return Ok(info.clone());
        }
        let info = fork.load(address).unwrap_or_else(|e| fork.fail(e));
        fork.accounts.borrow_mut().insert(address, info.clone());
        Ok(info)
    }

    fn code_by_hash_ref(&self, _code_hash: B256) -> Result<Bytecode, Infallible> {
        // Accounts carry their code, so the cache above never asks for code by hash.
        Ok(Bytecode::default())
    }

    fn storage_ref(&self, address: Address, index: U256) -> Result<U256, Infallible> {
        let Some(fork) = &self.fork else {
            return Ok(U256::ZERO);
        };
        if address == ARBOS_STATE {
            return Ok(fork
                .programs
                .borrow_mut()
                .get(&index)
                .copied()
                .unwrap_or_default());
        }
        if let Some(value) = fork.storage.borrow().get(&(address, index)) {
            return Ok(*value);
        }
        let value = fork
            .remote
            .storage(address, index)
            .unwrap_or_else(|e| fork.fail(e));
        fork.storage.borrow_mut().insert((address, index), value);
        Ok(value)
    }

    fn block_hash_ref(&self, number: u64) -> Result<B256, Infallible> {
        let Some(fork) = self.fork.as_ref().filter(|f| number <= f.block) else {
            // A fresh chain's blocks, and the fork's own: the hash revm's empty database gives.
            return Ok(keccak256(number.to_string().as_bytes()));
        };
        if let Some(hash) = fork.block_hashes.borrow().get(&number) {
            return Ok(*hash);
        }
        let hash = fork
            .remote
            .block_hash(number)
            .unwrap_or_else(|e| fork.fail(e));
        fork.block_hashes.borrow_mut().insert(number, hash);
        Ok(hash)
    }
}

/// A call a [`CallRecorder`] saw complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedCall {
    /// The calling contract or account.
    pub caller: Address,
    /// The callee.
    pub target: Address,
    /// Value sent with the call.
    pub value: U256,
    /// Calldata.
    pub input: Bytes,
}

/// An inspector keeping the calls made with one selector whose frame and every enclosing
/// frame succeeded: what a transaction asked of a bridge (a retryable ticket), for a fork
/// that has to deliver it itself. Use it with [`crate::Chain::inspect`].
#[derive(Debug, Clone)]
pub struct CallRecorder {
    selector: [u8; 4],
    /// Per open frame, the matching calls made inside it so far.
    open: Vec<Vec<RecordedCall>>,
    /// The matching calls of completed, successful outermost frames.
    pub calls: Vec<RecordedCall>,
}

impl CallRecorder {
    /// Records calls whose calldata starts with `selector`.
    pub fn new(selector: [u8; 4]) -> Self {
        Self {
            selector,
            open: Vec::new(),
            calls: Vec::new(),
        }
    }
}

impl revm::inspector::Inspector<crate::evm::Ctx, revm::interpreter::interpreter::EthInterpreter>
    for CallRecorder
{
    fn call(
        &mut self,
        context: &mut crate::evm::Ctx,
        inputs: &mut revm::interpreter::CallInputs,
    ) -> Option<revm::interpreter::CallOutcome> {
        let input = inputs.input.bytes(context);
        let mut frame = Vec::new();
        if input.get(..4) == Some(self.selector.as_slice()) {
            frame.push(RecordedCall {
                caller: inputs.caller,
                target: inputs.target_address,
                value: inputs.value.get(),
                input,
            });
        }
        self.open.push(frame);
        None
    }

    fn call_end(
        &mut self,
        _context: &mut crate::evm::Ctx,
        _inputs: &revm::interpreter::CallInputs,
        outcome: &mut revm::interpreter::CallOutcome,
    ) {
        self.close(outcome.result.result.is_ok());
    }

    fn create(
        &mut self,
        _context: &mut crate::evm::Ctx,
        _inputs: &mut revm::interpreter::CreateInputs,
    ) -> Option<revm::interpreter::CreateOutcome> {
        self.open.push(Vec::new());
        None
    }

    fn create_end(
        &mut self,
        _context: &mut crate::evm::Ctx,
        _inputs: &revm::interpreter::CreateInputs,
        outcome: &mut revm::interpreter::CreateOutcome,
    ) {
        self.close(outcome.result.result.is_ok());
    }
}

impl CallRecorder {
    /// Ends the innermost frame: its calls join the enclosing frame's if it succeeded.
    fn close(&mut self, succeeded: bool) {
        let frame = self.open.pop().unwrap_or_default();
        if !succeeded {
            return;
        }
        match self.open.last_mut() {
            Some(parent) => parent.extend(frame),
            None => self.calls.extend(frame),
        }
    }
}
