//! The chain a test or a tool drives: accounts, transactions, receipts, time and snapshots.

use std::convert::Infallible;

use revm::context::result::{EVMError, ExecutionResult, Output};
use revm::context::{BlockEnv, CfgEnv, Context, Evm, FrameStack, Journal, TxEnv};
use revm::context_interface::transaction::{AccessList, TransactionType};
use revm::context_interface::JournalTr;
use revm::database::{CacheDB, DatabaseRef};
use revm::handler::instructions::EthInstructions;
use revm::handler::{EthFrame, EthPrecompiles, Handler, MainnetHandler};
use revm::inspector::{Inspector, InspectorHandler};
use revm::interpreter::interpreter::EthInterpreter;
use revm::primitives::{
    hardfork::SpecId, keccak256, Address, Bytes, Log, TxKind, B256, KECCAK_EMPTY, U256,
};
use revm::state::AccountInfo;
use revm::DatabaseCommit;

use xmtp_stylus::activation::StylusParams;

use crate::arb::{self, ArbConfig, ArbPrecompiles, ARB_SYS, ARB_WASM};
use crate::evm::{Ctx, Db, StylusEvm, StylusHalt};
use crate::fork::{ForkPoint, Remote, Source};

/// A transaction.
#[derive(Debug, Clone)]
pub struct Tx {
    /// Sender (no signature is checked).
    pub from: Address,
    /// Callee, or `None` to deploy `data` as init code.
    pub to: Option<Address>,
    /// Value.
    pub value: U256,
    /// Calldata or init code.
    pub data: Bytes,
    /// Gas limit.
    pub gas_limit: u64,
    /// EIP-2930 access list: charged in the intrinsic gas and warmed before execution.
    pub access_list: AccessList,
}

impl Tx {
    /// A call with 30 M gas and no value.
    pub fn call(from: Address, to: Address, data: impl Into<Bytes>) -> Self {
        Self {
            from,
            to: Some(to),
            value: U256::ZERO,
            data: data.into(),
            gas_limit: 30_000_000,
            access_list: AccessList::default(),
        }
    }

    /// A deployment of init code with 30 M gas.
    pub fn deploy(from: Address, init_code: impl Into<Bytes>) -> Self {
        Self {
            from,
            to: None,
            value: U256::ZERO,
            data: init_code.into(),
            gas_limit: 30_000_000,
            access_list: AccessList::default(),
        }
    }

    /// Sets the value.
    #[must_use]
    pub fn value(mut self, value: U256) -> Self {
        self.value = value;
        self
    }

    /// Sets the gas limit.
    #[must_use]
    pub fn gas(mut self, gas_limit: u64) -> Self {
        self.gas_limit = gas_limit;
        self
    }

    /// Sets the access list (as an EIP-2930 or EIP-1559 transaction carries it).
    #[must_use]
    pub fn access_list(mut self, access_list: AccessList) -> Self {
        self.access_list = access_list;
        self
    }
}

/// The outcome of a transaction or an `eth_call`.
#[derive(Debug, Clone)]
pub struct Receipt {
    /// Success.
    pub status: bool,
    /// Gas used, refunds applied.
    pub gas_used: u64,
    /// Refund applied.
    pub gas_refunded: u64,
    /// Logs (empty when the transaction failed).
    pub logs: Vec<Log>,
    /// Return data, or revert data.
    pub output: Bytes,
    /// Deployed address.
    pub created: Option<Address>,
    /// revm's halt reason, if the transaction halted.
    pub halt: Option<String>,
    /// Halts of Stylus frames, innermost first.
    pub stylus_halts: Vec<StylusHalt>,
    /// Why the last activation in this transaction failed.
    pub activation_error: Option<String>,
}

/// A message sent to L1 through `ArbSys.sendTxToL1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMessage {
    /// Sender on L2.
    pub caller: Address,
    /// Destination on L1.
    pub destination: Address,
    /// Value burnt on L2.
    pub value: U256,
    /// Calldata for L1.
    pub data: Bytes,
    /// Position in the outbox.
    pub position: U256,
}

impl Receipt {
    /// Messages this transaction sent to L1.
    pub fn outgoing_messages(&self) -> Vec<OutgoingMessage> {
        self.logs
            .iter()
            .filter(|l| l.address == ARB_SYS && l.topics().len() == 4)
            .filter_map(|l| {
                let d = &l.data.data;
                let len = U256::from_be_slice(d.get(6 * 32..7 * 32)?).saturating_to::<usize>();
                Some(OutgoingMessage {
                    caller: Address::from_slice(d.get(12..32)?),
                    destination: Address::from_slice(&l.topics()[1][12..]),
                    value: U256::from_be_slice(d.get(4 * 32..5 * 32)?),
                    data: Bytes::copy_from_slice(d.get(7 * 32..len.checked_add(7 * 32)?)?),
                    position: U256::from_be_bytes(l.topics()[3].0),
                })
            })
            .collect()
    }
}

/// A transaction the chain refused before executing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainError(pub String);

impl std::fmt::Display for ChainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ChainError {}

/// A saved chain state.
#[derive(Debug, Clone)]
pub struct Snapshot {
    db: Db,
    number: u64,
    l2_block: u64,
    timestamp: u64,
}

/// A local Arbitrum-like chain executing EVM bytecode and Stylus programs.
pub struct Chain {
    evm: StylusEvm,
    number: u64,
    l2_block: u64,
    timestamp: u64,
    basefee: u64,
}

impl std::fmt::Debug for Chain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chain")
            .field("chain_id", &self.chain_id())
            .field("l2_block", &self.l2_block)
            .finish_non_exhaustive()
    }
}

type Err = EVMError<Infallible>;

impl Chain {
    /// A fresh chain with Stylus v2 parameters and ArbOS 60 rules.
    pub fn new(chain_id: u64) -> Self {
        Self::with_params(chain_id, StylusParams::default(), 60)
    }

    /// A fresh chain with given Stylus parameters and ArbOS version.
    pub fn with_params(chain_id: u64, params: StylusParams, arbos_version: u64) -> Self {
        Self::with_source(chain_id, params, arbos_version, Source::default())
    }

    /// A chain forked from `remote` at `at`: its chain id, the next block number and its clock
    /// continue the remote's, and its state is the remote's until written (see [`crate::fork`]).
    /// Stylus v2 parameters and ArbOS 60 rules, as [`Chain::new`].
    pub fn fork(remote: Box<dyn Remote>, at: ForkPoint) -> Self {
        let params = StylusParams::default();
        let arbos_version = 60;
        let source = Source::fork(remote, at, params, arbos_version);
        let mut chain = Self::with_source(at.chain_id, params, arbos_version, source);
        chain.number = at.block + 1;
        chain.l2_block = at.block + 1;
        chain.timestamp = at.timestamp;
        chain
    }

    /// The first failure reading a fork's remote chain (see [`Source::error`]); `None` for a
    /// chain that is not a fork.
    pub fn fork_error(&self) -> Option<String> {
        self.db_ref().db.error()
    }

    fn with_source(
        chain_id: u64,
        params: StylusParams,
        arbos_version: u64,
        source: Source,
    ) -> Self {
        let mut cfg = CfgEnv::new_with_spec(SpecId::PRAGUE);
        cfg.chain_id = chain_id;
        cfg.disable_eip3541 = true;
        cfg.limit_contract_code_size = Some(24_576);
        let ctx: crate::evm::Ctx = Context {
            block: BlockEnv::default(),
            tx: TxEnv::default(),
            cfg,
            journaled_state: Journal::new(CacheDB::new(source)),
            chain: (),
            local: revm::context::LocalContext::default(),
            error: Ok(()),
        };
        let eth = EthPrecompiles::new(SpecId::PRAGUE);
        let precompiles = ArbPrecompiles::new(
            eth,
            ArbConfig {
                params,
                arbos_version,
                l2_block: 1,
            },
        );
        let inner = Evm {
            ctx,
            inspector: (),
            instruction: EthInstructions::new_mainnet_with_spec(SpecId::PRAGUE),
            precompiles,
            frame_stack: FrameStack::new_prealloc(8),
        };
        let mut chain = Self {
            evm: StylusEvm::new(inner, params, arbos_version),
            number: 1,
            l2_block: 1,
            timestamp: 1_700_000_000,
            basefee: 0,
        };
        // Precompiles have code so EXTCODESIZE checks in Solidity callers pass.
        for a in [ARB_SYS, arb::ARB_GAS_INFO, ARB_WASM] {
            chain.set_code(a, Bytes::from_static(&[0xFE]));
        }
        chain
    }

    fn db(&mut self) -> &mut Db {
        &mut self.evm.inner.ctx.journaled_state.database
    }

    fn db_ref(&self) -> &Db {
        &self.evm.inner.ctx.journaled_state.database
    }

    /// The chain id.
    pub fn chain_id(&self) -> u64 {
        self.evm.inner.ctx.cfg.chain_id
    }

    /// Adds `amount` wei to `addr`.
    pub fn fund(&mut self, addr: Address, amount: U256) {
        let mut info = self.account(addr).unwrap_or_default();
        info.balance += amount;
        self.db().insert_account_info(addr, info);
    }

    /// Replaces the code of `addr` (a test shortcut; no activation implied).
    pub fn set_code(&mut self, addr: Address, code: Bytes) {
        let mut info = self.account(addr).unwrap_or_default();
        let bytecode = revm::bytecode::Bytecode::new_raw(code);
        info.code_hash = bytecode.hash_slow();
        info.code = Some(bytecode);
        self.db().insert_account_info(addr, info);
    }

    /// An account as the chain sees it: its cached state, or a fork's remote one.
    fn account(&self, addr: Address) -> Option<AccountInfo> {
        let Ok(info) = self.db_ref().basic_ref(addr);
        info
    }

    /// Balance of `addr`.
    pub fn balance(&self, addr: Address) -> U256 {
        self.account(addr).map_or(U256::ZERO, |a| a.balance)
    }

    /// Nonce of `addr`.
    pub fn nonce(&self, addr: Address) -> u64 {
        self.account(addr).map_or(0, |a| a.nonce)
    }

    /// Code of `addr`.
    pub fn code(&self, addr: Address) -> Bytes {
        self.account(addr)
            .and_then(|a| a.code)
            .map(|code| code.original_bytes())
            .unwrap_or_default()
    }

    /// Code hash of `addr` (zero for a missing account).
    pub fn code_hash(&self, addr: Address) -> B256 {
        self.account(addr).map_or(B256::ZERO, |a| a.code_hash)
    }

    /// Storage slot of `addr`.
    pub fn storage(&self, addr: Address, slot: U256) -> U256 {
        let Ok(value) = self.db_ref().storage_ref(addr, slot);
        value
    }

    /// A digest of the state: every account's balance, code hash and non-zero storage, and the
    /// nonces of accounts with code (an externally owned account's nonce counts its
    /// transactions). Equal before and after a transaction that changed no contract state and
    /// moved no value: how the fuzz targets check that a revert left nothing behind.
    pub fn state_digest(&self) -> B256 {
        let accounts = &self.db_ref().cache.accounts;
        let mut addresses: Vec<&Address> = accounts.keys().collect();
        addresses.sort_unstable();
        let mut preimage = Vec::new();
        for address in addresses {
            let account = &accounts[address];
            let info = &account.info;
            let mut storage: Vec<(&U256, &U256)> = account
                .storage
                .iter()
                .filter(|(_, v)| !v.is_zero())
                .collect();
            storage.sort_unstable();
            let has_code = info.code_hash != KECCAK_EMPTY && !info.code_hash.is_zero();
            if info.balance.is_zero() && storage.is_empty() && !has_code {
                continue;
            }
            preimage.extend_from_slice(address.as_slice());
            preimage.extend_from_slice(&info.balance.to_be_bytes::<32>());
            preimage.extend_from_slice(info.code_hash.as_slice());
            if has_code {
                preimage.extend_from_slice(&info.nonce.to_be_bytes());
            }
            for (slot, value) in storage {
                preimage.extend_from_slice(&slot.to_be_bytes::<32>());
                preimage.extend_from_slice(&value.to_be_bytes::<32>());
            }
        }
        keccak256(preimage)
    }

    /// The L2 block number of the next transaction.
    pub fn block_number(&self) -> u64 {
        self.l2_block
    }

    /// The timestamp of the next transaction.
    pub fn timestamp(&self) -> u64 {
        self.timestamp
    }

    /// Moves time forward by `seconds` and the L2 block number by `blocks`.
    pub fn advance(&mut self, seconds: u64, blocks: u64) {
        self.timestamp += seconds;
        self.l2_block += blocks;
        self.number += blocks;
        if blocks > 0 {
            self.evm.rt.recent.clear();
        }
    }

    /// Sets the base fee (and so the gas price) of later transactions.
    pub fn set_basefee(&mut self, basefee: u64) {
        self.basefee = basefee;
    }

    /// Marks a code hash as cached or not (what the chain's program cache would decide).
    pub fn set_program_cached(&mut self, codehash: B256, cached: bool) -> bool {
        let ctx = &mut self.evm.inner.ctx;
        let updated = match arb::program_info(ctx, codehash) {
            Ok(Some(mut info)) => {
                info.cached = cached;
                arb::set_program_info(ctx, codehash, &info).is_ok()
            }
            _ => false,
        };
        // The journal is used outside a transaction here: always empty it, keep only a success.
        let state = self.evm.inner.ctx.journaled_state.finalize();
        if updated {
            self.db().commit(state);
        }
        updated
    }

    /// Saves the state.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            db: self.db_ref().clone(),
            number: self.number,
            l2_block: self.l2_block,
            timestamp: self.timestamp,
        }
    }

    /// Restores a saved state.
    pub fn restore(&mut self, snapshot: Snapshot) {
        *self.db() = snapshot.db;
        self.number = snapshot.number;
        self.l2_block = snapshot.l2_block;
        self.timestamp = snapshot.timestamp;
        self.evm.rt.recent.clear();
    }

    /// Number of compiled programs kept (by code hash).
    pub fn compiled_programs(&self) -> usize {
        self.evm.rt.cached_modules()
    }

    /// Stylus instances created so far (one per Stylus call frame).
    pub fn instances_created(&self) -> u64 {
        self.evm.rt.instances
    }

    /// Turns per-frame gas profiles of Stylus frames on or off (off by default: profiling
    /// costs time, never gas).
    pub fn set_profiling(&mut self, on: bool) {
        self.evm.rt.profiling = on;
    }

    /// The profiles of the last transaction's Stylus frames, innermost first (empty unless
    /// profiling is on).
    pub fn profile(&self) -> &[crate::evm::FrameProfile] {
        &self.evm.rt.profiles
    }

    fn prepare(&mut self, tx: &Tx) {
        let nonce = self.nonce(tx.from);
        let block = BlockEnv {
            number: U256::from(self.number),
            timestamp: U256::from(self.timestamp),
            gas_limit: 1_125_899_906_842_624,
            basefee: self.basefee,
            prevrandao: Some(B256::ZERO),
            ..BlockEnv::default()
        };
        let txenv = TxEnv {
            caller: tx.from,
            gas_limit: tx.gas_limit,
            gas_price: u128::from(self.basefee),
            kind: tx.to.map_or(TxKind::Create, TxKind::Call),
            value: tx.value,
            data: tx.data.clone(),
            nonce,
            chain_id: Some(self.chain_id()),
            // revm counts an access list only in a typed transaction; fees do not depend on the
            // type here (the price is the base fee), so EIP-2930 stands for both typed kinds.
            tx_type: if tx.access_list.is_empty() {
                TransactionType::Legacy as u8
            } else {
                TransactionType::Eip2930 as u8
            },
            access_list: tx.access_list.clone(),
            ..TxEnv::default()
        };
        self.evm.inner.ctx.block = block;
        self.evm.inner.ctx.tx = txenv;
        self.evm.inner.precompiles.config.l2_block = self.l2_block;
        self.evm.inner.precompiles.last_error = None;
    }

    fn execute(&mut self, tx: &Tx, commit: bool) -> Result<Receipt, ChainError> {
        self.prepare(tx);
        // An eth_call runs on a copy of the block's state: it must not warm the block's cache
        // of recent programs for later transactions.
        let recent = (!commit).then(|| self.evm.rt.recent.clone());
        let result = MainnetHandler::<StylusEvm, Err, EthFrame>::default().run(&mut self.evm);
        self.conclude(result, recent, commit)
    }

    /// Executes a transaction under a revm [`Inspector`] (a tracer or a test mock): every frame
    /// is reported, Stylus ones included (calls, creates and their ends; a program has no EVM
    /// steps). Commits when `commit` is set; returns the receipt and the inspector.
    pub fn inspect<I: Inspector<Ctx, EthInterpreter>>(
        &mut self,
        tx: &Tx,
        inspector: I,
        commit: bool,
    ) -> Result<(Receipt, I), ChainError> {
        self.prepare(tx);
        let recent = (!commit).then(|| self.evm.rt.recent.clone());
        let mut traced = self.evm.with_inspector(inspector);
        let result =
            MainnetHandler::<StylusEvm<I>, Err, EthFrame>::default().inspect_run(&mut traced);
        let inspector = self.evm.restore(traced);
        Ok((self.conclude(result, recent, commit)?, inspector))
    }

    fn conclude(
        &mut self,
        result: Result<ExecutionResult, Err>,
        recent: Option<Vec<B256>>,
        commit: bool,
    ) -> Result<Receipt, ChainError> {
        let state = self.evm.inner.ctx.journaled_state.finalize();
        let result = result.map_err(|e| ChainError(e.to_string()))?;
        if let Some(recent) = recent {
            self.evm.rt.recent = recent;
        }
        if commit {
            self.db().commit(state);
            self.l2_block += 1;
            self.evm.rt.recent.clear();
        }
        let stylus_halts = std::mem::take(&mut self.evm.rt.halts);
        let activation_error = self.evm.inner.precompiles.last_error.take();
        Ok(match result {
            ExecutionResult::Success {
                gas, logs, output, ..
            } => {
                let (output, created) = match output {
                    Output::Call(b) => (b, None),
                    Output::Create(b, a) => (b, a),
                };
                Receipt {
                    status: true,
                    gas_used: gas.tx_gas_used(),
                    gas_refunded: gas.inner_refunded(),
                    logs,
                    output,
                    created,
                    halt: None,
                    stylus_halts,
                    activation_error,
                }
            }
            ExecutionResult::Revert { gas, output, .. } => Receipt {
                status: false,
                gas_used: gas.tx_gas_used(),
                gas_refunded: 0,
                logs: Vec::new(),
                output,
                created: None,
                halt: None,
                stylus_halts,
                activation_error,
            },
            ExecutionResult::Halt { reason, gas, .. } => Receipt {
                status: false,
                gas_used: gas.tx_gas_used(),
                gas_refunded: 0,
                logs: Vec::new(),
                output: Bytes::new(),
                created: None,
                halt: Some(format!("{reason:?}")),
                stylus_halts,
                activation_error,
            },
        })
    }

    /// Executes and commits a transaction (one transaction per block).
    pub fn send(&mut self, tx: &Tx) -> Result<Receipt, ChainError> {
        self.execute(tx, true)
    }

    /// Executes without committing (`eth_call`).
    pub fn call(&mut self, tx: &Tx) -> Result<Receipt, ChainError> {
        self.execute(tx, false)
    }

    /// Deploys init code (EVM init code, or a Stylus program's cargo-stylus init code).
    pub fn deploy(
        &mut self,
        from: Address,
        init_code: impl Into<Bytes>,
    ) -> Result<Receipt, ChainError> {
        self.send(&Tx::deploy(from, init_code))
    }

    /// Deploys a Stylus program's init code and activates its code hash unless that is already
    /// active (what `cargo stylus deploy` does); returns the program's address.
    pub fn deploy_program(
        &mut self,
        from: Address,
        init_code: impl Into<Bytes>,
        max_fee: U256,
    ) -> Result<Address, ChainError> {
        let r = self.deploy(from, init_code)?;
        let Some(program) = r.created.filter(|_| r.status) else {
            return Err(ChainError(format!("deployment failed: {r:?}")));
        };
        let mut query = arb::selector("codehashVersion(bytes32)").to_vec();
        query.extend_from_slice(self.code_hash(program).as_slice());
        if self.call(&Tx::call(from, ARB_WASM, query))?.status {
            return Ok(program);
        }
        let r = self.activate(from, program, max_fee)?;
        if !r.status {
            let why = r
                .activation_error
                .unwrap_or_else(|| format!("{:?}", r.output));
            return Err(ChainError(format!("activation failed: {why}")));
        }
        Ok(program)
    }

    /// Activates the program at `program` through ArbWasm, paying up to `max_fee` (the excess
    /// is refunded).
    pub fn activate(
        &mut self,
        from: Address,
        program: Address,
        max_fee: U256,
    ) -> Result<Receipt, ChainError> {
        let mut data = arb::selector("activateProgram(address)").to_vec();
        data.extend_from_slice(&[0u8; 12]);
        data.extend_from_slice(program.as_slice());
        self.send(&Tx::call(from, ARB_WASM, data).value(max_fee))
    }

    /// Extends the life of an active code hash through ArbWasm's `codehashKeepalive`, paying up
    /// to `max_fee` for its data fee (the excess is refunded).
    pub fn keepalive(
        &mut self,
        from: Address,
        codehash: B256,
        max_fee: U256,
    ) -> Result<Receipt, ChainError> {
        let mut data = arb::selector("codehashKeepalive(bytes32)").to_vec();
        data.extend_from_slice(codehash.as_slice());
        self.send(&Tx::call(from, ARB_WASM, data).value(max_fee))
    }
}
