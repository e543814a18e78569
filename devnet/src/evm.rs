//! Stylus programs inside revm's own frame loop (`notes/revm-stylus-integration.md`, pattern B).
//!
//! revm builds every frame (depth check, checkpoint, value transfer, precompiles). A call frame
//! whose code carries the Stylus prefix runs on the WASM engine instead of revm's interpreter;
//! when the program calls or creates, its run is suspended, the call becomes an ordinary revm
//! frame, and the run resumes with the child's result. No recursion: every frame a program opens
//! is revm's, so journal checkpoints roll back everything below a revert.

use std::collections::HashMap;

use revm::context::{BlockEnv, CfgEnv, Context, Evm, Journal, TxEnv};
use revm::context_interface::context::take_error;
use revm::context_interface::CreateScheme;
use revm::context_interface::{Block, Cfg, ContextTr, JournalTr, Transaction};
use revm::database::CacheDB;
use revm::handler::instructions::{EthInstructions, InstructionProvider};
use revm::handler::{
    evm::{ContextDbError, FrameInitResult, FrameTr},
    EthFrame, EvmTr, FrameResult, ItemOrResult,
};
use revm::handler::{FrameData, FrameInitOrResult};
use revm::inspector::handler::frame_end;
use revm::inspector::{inspect_instructions, Inspector, InspectorEvmTr};
use revm::interpreter::interpreter::EthInterpreter;
use revm::interpreter::interpreter_action::FrameInit;
use revm::interpreter::{
    CallInput, CallInputs, CallScheme, CallValue, CreateInputs, FrameInput, Gas, InstructionResult,
    InterpreterAction, InterpreterResult,
};
use revm::primitives::{Address, Bytes, Log, LogData, B256, U256};

use xmtp_stylus::activation::StylusParams;
use xmtp_stylus::codec;
use xmtp_stylus::instrument::{self, CompileConfig};

use crate::arb::{self, ArbPrecompiles};
use crate::engine::{Engine, Event, Instance, Reply, WasmiEngine};
use crate::host::{CallKind, FrameEnv, HostState, HostioInk, Request};

/// The database under the chain.
pub type Db = CacheDB<crate::fork::Source>;
/// revm's context with our database.
pub type Ctx = Context<BlockEnv, TxEnv, CfgEnv, Db, Journal<Db>, ()>;
/// revm's EVM with the Arbitrum precompiles.
pub type InnerEvm<INSP = ()> =
    Evm<Ctx, INSP, EthInstructions<EthInterpreter, Ctx>, ArbPrecompiles, EthFrame<EthInterpreter>>;

/// Whether code is a (classic) Stylus program.
pub fn is_stylus(code: &[u8]) -> bool {
    code.len() >= 4 && code[..3] == [0xEF, 0xF0, 0x00]
}

/// Why the last Stylus frame halted, for tests and tools (revm's halt reasons are a closed set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StylusHalt {
    /// The code hash is not activated (or outdated, or expired).
    NotActivated,
    /// Out of ink.
    OutOfInk,
    /// Out of stack budget.
    OutOfStack,
    /// A trap or failed hostio (the frame reverted with empty data).
    Failure(String),
    /// Not enough gas for the entry costs.
    EntryCost,
    /// The code could not be decoded or instrumented.
    BadProgram(String),
}

enum Pending {
    Call {
        ret_len_ptr: u32,
        base: u64,
        gas_total: u64,
    },
    Create {
        addr_ptr: u32,
        ret_len_ptr: u32,
        start_gas: u64,
        one64th: u64,
    },
}

struct Run<I> {
    instance: I,
    gas_limit: u64,
    /// Entry cost charged before the instance started (for profiles).
    entry_gas: u64,
    /// Gas of the frames this one called (for profiles).
    callee_gas: u64,
    cached: bool,
    refund: i64,
    address: Address,
    is_static: bool,
    pending: Option<Pending>,
    child: Option<FrameResult>,
    open_before: u16,
}

/// Per-transaction and cross-transaction state of the Stylus side.
pub struct Runtime<E: Engine> {
    engine: E,
    modules: HashMap<B256, E::Module>,
    runs: Vec<Option<Run<E::Instance>>>,
    counted: Vec<Option<Address>>,
    open_calls: HashMap<Address, u32>,
    pages_open: u16,
    pages_ever: u16,
    /// Code hashes run in the current block (ArbOS >= 60 block cache).
    pub recent: Vec<B256>,
    /// Stylus parameters.
    pub params: StylusParams,
    /// Emulated ArbOS version.
    pub arbos_version: u64,
    /// Halts of Stylus frames in the current transaction, in order.
    pub halts: Vec<StylusHalt>,
    /// Count of instances created (for benchmarks).
    pub instances: u64,
    /// Whether Stylus frames record a [`FrameProfile`].
    pub profiling: bool,
    /// Profiles of the Stylus frames of the current transaction, in the order they ended.
    pub profiles: Vec<FrameProfile>,
}

/// Where one Stylus frame's gas went (recorded when [`Runtime::profiling`] is set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameProfile {
    /// The program's address (the proxy's under a delegate call).
    pub address: Address,
    /// Whether the entry was priced as cached.
    pub cached: bool,
    /// Gas the frame consumed, callees included.
    pub gas: u64,
    /// Entry cost: program init (cached or not) and memory.
    pub entry_gas: u64,
    /// Gas of the frames it called.
    pub callee_gas: u64,
    /// Ink per hostio (see [`crate::host::HostioInk`]).
    pub hostio_ink: Vec<(&'static str, u64)>,
    /// Ink per gas.
    pub ink_price: u32,
}

impl FrameProfile {
    /// Gas spent in hostios.
    pub fn hostio_gas(&self) -> u64 {
        let ink: u64 = self.hostio_ink.iter().map(|(_, ink)| ink).sum();
        ink / u64::from(self.ink_price.max(1))
    }

    /// Gas of the program's own WASM execution: what is left after entry, hostios and callees.
    pub fn wasm_gas(&self) -> u64 {
        self.gas
            .saturating_sub(self.entry_gas + self.callee_gas + self.hostio_gas())
    }
}

impl<E: Engine> Runtime<E> {
    fn new(engine: E, params: StylusParams, arbos_version: u64) -> Self {
        Self {
            engine,
            modules: HashMap::new(),
            runs: Vec::new(),
            counted: Vec::new(),
            open_calls: HashMap::new(),
            pages_open: 0,
            pages_ever: 0,
            recent: Vec::new(),
            params,
            arbos_version,
            halts: Vec::new(),
            instances: 0,
            profiling: false,
            profiles: Vec::new(),
        }
    }

    fn reset_tx(&mut self) {
        self.runs.clear();
        self.counted.clear();
        self.open_calls.clear();
        self.pages_open = 0;
        self.pages_ever = 0;
        self.halts.clear();
        self.profiles.clear();
    }

    fn slot<T>(v: &mut Vec<Option<T>>, idx: usize) -> &mut Option<T> {
        if v.len() <= idx {
            v.resize_with(idx + 1, || None);
        }
        &mut v[idx]
    }

    /// Compiled module of a code hash, compiling (decode, instrument, compile) on first use.
    fn module(&mut self, codehash: B256, code: &[u8]) -> Result<E::Module, String> {
        if let Some(m) = self.modules.get(&codehash) {
            return Ok(m.clone());
        }
        let wasm = codec::decode_code(code).map_err(|e| e.to_string())?;
        let config = CompileConfig::version(self.params.version, false);
        let instrumented = instrument::instrument(&wasm, &config).map_err(|e| e.to_string())?;
        let module = self.engine.compile(&instrumented.wasm)?;
        self.modules.insert(codehash, module.clone());
        Ok(module)
    }

    /// Number of compiled modules cached.
    pub fn cached_modules(&self) -> usize {
        self.modules.len()
    }
}

/// revm's EVM plus the Stylus runtime.
pub struct StylusEvm<INSP = (), E: Engine = WasmiEngine> {
    /// revm's EVM.
    pub inner: InnerEvm<INSP>,
    /// The Stylus side.
    pub rt: Runtime<E>,
}

impl StylusEvm<(), WasmiEngine> {
    /// Wraps an EVM with a wasmi runtime.
    pub fn new(inner: InnerEvm, params: StylusParams, arbos_version: u64) -> Self {
        Self {
            inner,
            rt: Runtime::new(WasmiEngine::default(), params, arbos_version),
        }
    }
}

impl<E: Engine + Clone> StylusEvm<(), E> {
    /// Moves the chain state and the runtime into an EVM driven by `inspector`, leaving an
    /// empty context here until [`StylusEvm::restore`] puts them back.
    pub fn with_inspector<I>(&mut self, inspector: I) -> StylusEvm<I, E> {
        let spec = self.inner.ctx.cfg.spec;
        let placeholder = Context::new(CacheDB::new(crate::fork::Source::default()), spec);
        let ctx = std::mem::replace(&mut self.inner.ctx, placeholder);
        let rt = Runtime::new(
            self.rt.engine.clone(),
            self.rt.params,
            self.rt.arbos_version,
        );
        let rt = std::mem::replace(&mut self.rt, rt);
        StylusEvm {
            inner: Evm {
                ctx,
                inspector,
                instruction: EthInstructions::new_mainnet_with_spec(spec),
                precompiles: self.inner.precompiles.clone(),
                frame_stack: revm::context::FrameStack::new_prealloc(8),
            },
            rt,
        }
    }

    /// Takes back what [`StylusEvm::with_inspector`] lent and returns the inspector.
    pub fn restore<I>(&mut self, traced: StylusEvm<I, E>) -> I {
        let StylusEvm { inner, rt } = traced;
        self.inner.ctx = inner.ctx;
        self.inner.precompiles = inner.precompiles;
        self.rt = rt;
        inner.inspector
    }
}

impl<INSP, E: Engine> InspectorEvmTr for StylusEvm<INSP, E>
where
    INSP: Inspector<Ctx, EthInterpreter>,
{
    type Inspector = INSP;

    fn all_inspector(
        &self,
    ) -> (
        &Self::Context,
        &Self::Instructions,
        &Self::Precompiles,
        &revm::context::FrameStack<Self::Frame>,
        &Self::Inspector,
    ) {
        self.inner.all_inspector()
    }

    fn all_mut_inspector(
        &mut self,
    ) -> (
        &mut Self::Context,
        &mut Self::Instructions,
        &mut Self::Precompiles,
        &mut revm::context::FrameStack<Self::Frame>,
        &mut Self::Inspector,
    ) {
        self.inner.all_mut_inspector()
    }

    fn inspect_frame_run(&mut self) -> Result<FrameInitOrResult<Self::Frame>, DbErr> {
        let frame = self.inner.frame_stack.get();
        let stylus = matches!(frame.input, FrameInput::Call(_))
            && is_stylus(frame.interpreter.bytecode.original_byte_slice());
        if stylus {
            // A program has no EVM steps to show; its call and its children's are reported.
            let mut result = self.run_stylus();
            if let Ok(ItemOrResult::Result(frame_result)) = &mut result {
                let (ctx, inspector, frame) = self.inner.ctx_inspector_frame();
                frame_end(ctx, inspector, &frame.input, frame_result);
            }
            return result;
        }
        let (ctx, inspector, frame, instructions) = self.inner.ctx_inspector_frame_instructions();
        let mut action = inspect_instructions(
            ctx,
            &mut frame.interpreter,
            &mut *inspector,
            instructions.instruction_table(),
            instructions.gas_table(),
        );
        refuse_ef_code(&frame.data, &mut action);
        let mut result = frame.process_next_action::<_, DbErr>(ctx, action);
        if let Ok(ItemOrResult::Result(frame_result)) = &mut result {
            frame_end(ctx, inspector, &frame.input, frame_result);
            frame.set_finished(true);
        }
        result
    }
}

/// EIP-3541 is off so Stylus code can deploy; every other `0xEF` code stays refused.
fn refuse_ef_code(data: &FrameData, action: &mut InterpreterAction) {
    if let (FrameData::Create(_), InterpreterAction::Return(r)) = (data, action) {
        if r.result.is_ok() && r.output.first() == Some(&0xEF) && !is_stylus(&r.output) {
            r.result = InstructionResult::CreateContractStartingWithEF;
        }
    }
}

/// Errors of the frame methods (database errors; ours is infallible).
pub type DbErr = ContextDbError<Ctx>;

impl<INSP, E: Engine> EvmTr for StylusEvm<INSP, E> {
    type Context = Ctx;
    type Instructions = EthInstructions<EthInterpreter, Ctx>;
    type Precompiles = ArbPrecompiles;
    type Frame = EthFrame<EthInterpreter>;

    fn all(
        &self,
    ) -> (
        &Self::Context,
        &Self::Instructions,
        &Self::Precompiles,
        &revm::context::FrameStack<Self::Frame>,
    ) {
        self.inner.all()
    }

    fn all_mut(
        &mut self,
    ) -> (
        &mut Self::Context,
        &mut Self::Instructions,
        &mut Self::Precompiles,
        &mut revm::context::FrameStack<Self::Frame>,
    ) {
        self.inner.all_mut()
    }

    fn frame_init(
        &mut self,
        frame_input: <Self::Frame as FrameTr>::FrameInit,
    ) -> Result<FrameInitResult<'_, Self::Frame>, DbErr> {
        if self.inner.frame_stack.index().is_none() {
            self.rt.reset_tx();
        }
        let counted = match &frame_input.frame_input {
            FrameInput::Call(c)
                if matches!(c.scheme, CallScheme::Call | CallScheme::StaticCall) =>
            {
                Some(c.target_address)
            }
            _ => None,
        };
        let result = match self.inner.frame_init(frame_input)? {
            ItemOrResult::Item(_) => None,
            ItemOrResult::Result(r) => Some(r),
        };
        if let Some(r) = result {
            return Ok(ItemOrResult::Result(r));
        }
        let idx = self.inner.frame_stack.index().unwrap_or_default();
        *Runtime::<E>::slot(&mut self.rt.runs, idx) = None;
        *Runtime::<E>::slot(&mut self.rt.counted, idx) = counted;
        if let Some(addr) = counted {
            *self.rt.open_calls.entry(addr).or_default() += 1;
        }
        Ok(ItemOrResult::Item(self.inner.frame_stack.get()))
    }

    fn frame_run(&mut self) -> Result<FrameInitOrResult<Self::Frame>, DbErr> {
        let frame = self.inner.frame_stack.get();
        let stylus = matches!(frame.input, FrameInput::Call(_))
            && is_stylus(frame.interpreter.bytecode.original_byte_slice());
        if stylus {
            return self.run_stylus();
        }
        let frame = self.inner.frame_stack.get();
        let ctx = &mut self.inner.ctx;
        let instructions = &mut self.inner.instruction;
        let mut action = frame.interpreter.run_plain(
            instructions.instruction_table(),
            instructions.gas_table(),
            ctx,
        );
        refuse_ef_code(&frame.data, &mut action);
        frame
            .process_next_action::<_, DbErr>(ctx, action)
            .inspect(|i| {
                if i.is_result() {
                    frame.set_finished(true);
                }
            })
    }

    fn frame_return_result(
        &mut self,
        result: <Self::Frame as FrameTr>::FrameResult,
    ) -> Result<Option<<Self::Frame as FrameTr>::FrameResult>, DbErr> {
        if self.inner.frame_stack.get().is_finished() {
            let idx = self.inner.frame_stack.index().unwrap_or_default();
            if let Some(addr) = self.rt.counted.get_mut(idx).and_then(Option::take) {
                if let Some(n) = self.rt.open_calls.get_mut(&addr) {
                    *n = n.saturating_sub(1);
                }
            }
            if let Some(run) = self.rt.runs.get_mut(idx) {
                *run = None;
            }
            self.inner.frame_stack.pop();
        }
        let Some(idx) = self.inner.frame_stack.index() else {
            return Ok(Some(result));
        };
        if let Some(Some(run)) = self.rt.runs.get_mut(idx) {
            take_error::<DbErr, _>(&mut self.inner.ctx.error)?;
            self.inner
                .frame_stack
                .get()
                .interpreter
                .memory
                .free_child_context();
            run.child = Some(result);
            return Ok(None);
        }
        self.inner
            .frame_stack
            .get()
            .return_result::<_, DbErr>(&mut self.inner.ctx, result)?;
        Ok(None)
    }
}

/// What serving a request led to.
enum Served {
    Resume(Reply),
    Frame(FrameInput),
    Stop(Event),
}

fn gas_result(limit: u64, left: u64, refund: i64, ok: bool) -> Gas {
    let mut gas = Gas::new(limit);
    gas.spend_all();
    gas.erase_cost(left.min(limit));
    if ok {
        gas.record_refund(refund);
    }
    gas
}

impl<INSP, E: Engine> StylusEvm<INSP, E> {
    fn halt(
        &mut self,
        reason: StylusHalt,
        limit: u64,
    ) -> Result<FrameInitOrResult<EthFrame>, DbErr> {
        self.rt.halts.push(reason);
        let result = InterpreterResult {
            result: InstructionResult::OutOfGas,
            output: Bytes::new(),
            gas: gas_result(limit, 0, 0, false),
        };
        self.finish_frame(result)
    }

    fn finish_frame(
        &mut self,
        result: InterpreterResult,
    ) -> Result<FrameInitOrResult<EthFrame>, DbErr> {
        let frame = self.inner.frame_stack.get();
        let ctx = &mut self.inner.ctx;
        frame
            .process_next_action::<_, DbErr>(ctx, InterpreterAction::Return(result))
            .inspect(|i| {
                if i.is_result() {
                    frame.set_finished(true);
                }
            })
    }

    fn run_stylus(&mut self) -> Result<FrameInitOrResult<EthFrame>, DbErr> {
        let idx = self.inner.frame_stack.index().unwrap_or_default();
        let has_run = matches!(self.rt.runs.get(idx), Some(Some(_)));
        let mut event = if has_run {
            let child = self
                .rt
                .runs
                .get_mut(idx)
                .and_then(Option::as_mut)
                .and_then(|r| r.child.take());
            match child {
                Some(child) => self.settle_child(idx, child),
                None => Event::Failure("resumed without a result".into()),
            }
        } else {
            match self.start(idx)? {
                Ok(event) => event,
                Err(done) => return Ok(done),
            }
        };
        loop {
            match event {
                Event::Request(req) => match self.serve_profiled(idx, req)? {
                    Served::Resume(reply) => {
                        event = match self.rt.runs.get_mut(idx).and_then(Option::as_mut) {
                            Some(run) => run.instance.resume(reply),
                            None => Event::Failure("lost run".into()),
                        };
                    }
                    Served::Stop(e) => event = e,
                    Served::Frame(frame_input) => {
                        let frame = self.inner.frame_stack.get();
                        return Ok(ItemOrResult::Item(FrameInit {
                            depth: frame.depth + 1,
                            memory: frame.interpreter.memory.new_child_context(),
                            frame_input,
                        }));
                    }
                },
                terminal => return self.finish(idx, terminal),
            }
        }
    }

    /// Entry: activation check, entry costs, instance. `Err` carries an immediate frame result.
    // Entry follows Nitro's `CallProgram` step by step.
    #[allow(clippy::type_complexity, clippy::too_many_lines)]
    fn start(&mut self, idx: usize) -> Result<Result<Event, FrameInitOrResult<EthFrame>>, DbErr> {
        let frame = self.inner.frame_stack.get();
        let FrameInput::Call(inputs) = &frame.input else {
            return Ok(Ok(Event::Failure("not a call".into())));
        };
        let inputs: CallInputs = (**inputs).clone();
        let code = frame.interpreter.bytecode.original_bytes();
        let codehash = inputs.known_bytecode.0;
        let limit = inputs.gas_limit;
        let params = self.rt.params;

        let time = self.inner.ctx.block.timestamp().saturating_to::<u64>();
        let Some(info) = arb::program_info(&mut self.inner.ctx, codehash)? else {
            return self.halt(StylusHalt::NotActivated, limit).map(Err);
        };
        if info.version != params.version || info.expired(time, &params) {
            return self.halt(StylusHalt::NotActivated, limit).map(Err);
        }

        let cached =
            info.cached || (self.rt.arbos_version >= 60 && self.rt.recent.contains(&codehash));
        let memory_gas =
            params.memory_gas(info.costs.footprint, self.rt.pages_open, self.rt.pages_ever);
        let entry = memory_gas.saturating_add(params.entry_gas(&info.costs, cached));
        if entry > limit {
            return self.halt(StylusHalt::EntryCost, limit).map(Err);
        }
        if !self.rt.recent.contains(&codehash) {
            self.rt.recent.push(codehash);
            if self.rt.recent.len() > usize::from(params.block_cache_size) {
                self.rt.recent.remove(0);
            }
        }
        let open_before = self.rt.pages_open;
        self.rt.pages_open = self.rt.pages_open.saturating_add(info.costs.footprint);
        self.rt.pages_ever = self.rt.pages_ever.max(self.rt.pages_open);

        let module = match self.rt.module(codehash, &code) {
            Ok(m) => m,
            Err(e) => {
                self.rt.pages_open = open_before;
                return self.halt(StylusHalt::BadProgram(e), limit).map(Err);
            }
        };
        let ctx = &mut self.inner.ctx;
        let args = inputs.input.bytes(ctx).to_vec();
        let env = FrameEnv {
            address: inputs.target_address,
            caller: inputs.caller,
            value: inputs.value.get(),
            origin: ctx.tx.caller(),
            gas_price: U256::from(ctx.tx.effective_gas_price(u128::from(ctx.block.basefee()))),
            basefee: U256::from(ctx.block.basefee()),
            coinbase: ctx.block.beneficiary(),
            gas_limit: ctx.block.gas_limit(),
            number: ctx.block.number().saturating_to::<u64>(),
            timestamp: time,
            chain_id: ctx.cfg.chain_id(),
            reentrant: self
                .rt
                .open_calls
                .get(&inputs.target_address)
                .copied()
                .unwrap_or(0)
                > 1,
            is_static: inputs.is_static,
            ink_price: params.ink_price,
        };
        let args_len = u32::try_from(args.len()).unwrap_or(u32::MAX);
        let host = HostState {
            args,
            env,
            profile: self.rt.profiling.then(HostioInk::default),
            ..HostState::default()
        };
        let ink = params.gas_to_ink(limit - entry);
        let instance = match self
            .rt
            .engine
            .instantiate(&module, host, ink, params.max_stack_depth)
        {
            Ok(i) => i,
            Err(e) => {
                self.rt.pages_open = open_before;
                return self.halt(StylusHalt::BadProgram(e), limit).map(Err);
            }
        };
        self.rt.instances += 1;
        let run = Run {
            instance,
            gas_limit: limit,
            entry_gas: entry,
            callee_gas: 0,
            cached,
            refund: 0,
            address: inputs.target_address,
            is_static: inputs.is_static,
            pending: None,
            child: None,
            open_before,
        };
        let slot = Runtime::<E>::slot(&mut self.rt.runs, idx);
        *slot = Some(run);
        let event = slot
            .as_mut()
            .map_or(Event::Failure("lost run".into()), |r| {
                r.instance.start(args_len)
            });
        Ok(Ok(event))
    }

    fn finish(&mut self, idx: usize, event: Event) -> Result<FrameInitOrResult<EthFrame>, DbErr> {
        let Some(mut run) = self.rt.runs.get_mut(idx).and_then(Option::take) else {
            return self.halt(StylusHalt::Failure("lost run".into()), 0);
        };
        self.rt.pages_open = run.open_before;
        let limit = run.gas_limit;
        let gas_left = self.rt.params.ink_to_gas(run.instance.ink());
        let outs = std::mem::take(&mut run.instance.host().outs);
        let (result, output, left) = match event {
            Event::Finished(0) | Event::Exit(0) => (InstructionResult::Return, outs, gas_left),
            Event::Finished(_) | Event::Exit(_) => (InstructionResult::Revert, outs, gas_left),
            Event::Failure(why) => {
                self.rt.halts.push(StylusHalt::Failure(why));
                (InstructionResult::Revert, Vec::new(), gas_left)
            }
            Event::OutOfInk => {
                self.rt.halts.push(StylusHalt::OutOfInk);
                (InstructionResult::OutOfGas, Vec::new(), 0)
            }
            Event::OutOfStack => {
                self.rt.halts.push(StylusHalt::OutOfStack);
                (InstructionResult::StackOverflow, Vec::new(), 0)
            }
            Event::Request(_) => (InstructionResult::Revert, Vec::new(), gas_left),
        };
        // ArbOS >= 31: returning data costs at least its EVM memory expansion.
        let left = if output.is_empty() {
            left
        } else {
            let words = (output.len() as u64).div_ceil(32);
            let floor = 3 * words + words * words / 512;
            left.min(limit.saturating_sub(floor))
        };
        let ok = result == InstructionResult::Return;
        if let Some(profile) = run.instance.host().profile.take() {
            self.rt.profiles.push(FrameProfile {
                address: run.address,
                cached: run.cached,
                gas: limit.saturating_sub(left),
                entry_gas: run.entry_gas,
                callee_gas: run.callee_gas,
                hostio_ink: profile.by_hostio,
                ink_price: self.rt.params.ink_price,
            });
        }
        let result = InterpreterResult {
            result,
            output: Bytes::from(output),
            gas: gas_result(limit, left, run.refund, ok),
        };
        self.finish_frame(result)
    }

    /// [`Self::serve`], with the ink it charged added to the requesting hostio's profile.
    fn serve_profiled(&mut self, idx: usize, req: Request) -> Result<Served, DbErr> {
        let before = self.ink_of(idx);
        let served = self.serve(idx, req)?;
        let after = self.ink_of(idx);
        if let Some(run) = self.rt.runs.get_mut(idx).and_then(Option::as_mut) {
            if let Some(profile) = &mut run.instance.host().profile {
                profile.add(profile.last, before.saturating_sub(after));
            }
        }
        Ok(served)
    }

    fn ink_of(&mut self, idx: usize) -> u64 {
        self.rt
            .runs
            .get_mut(idx)
            .and_then(Option::as_mut)
            .map_or(0, |run| run.instance.ink())
    }

    #[allow(clippy::too_many_lines)]
    fn serve(&mut self, idx: usize, req: Request) -> Result<Served, DbErr> {
        if let Request::MemoryGrow { pages } = req {
            let cost = self
                .rt
                .params
                .memory_gas(pages, self.rt.pages_open, self.rt.pages_ever);
            self.rt.pages_open = self.rt.pages_open.saturating_add(pages);
            self.rt.pages_ever = self.rt.pages_ever.max(self.rt.pages_open);
            let price = u64::from(self.rt.params.ink_price.max(1));
            let Some(run) = self.rt.runs.get_mut(idx).and_then(Option::as_mut) else {
                return Ok(Served::Stop(Event::Failure("lost run".into())));
            };
            let ink = run.instance.ink();
            let cost = cost.saturating_mul(price);
            if ink < cost {
                run.instance.exhaust();
                return Ok(Served::Stop(Event::OutOfInk));
            }
            run.instance.set_ink(ink - cost);
            return Ok(Served::Resume(Reply::Unit));
        }
        let Some(run) = self.rt.runs.get_mut(idx).and_then(Option::as_mut) else {
            return Ok(Served::Stop(Event::Failure("lost run".into())));
        };
        let ctx = &mut self.inner.ctx;
        let price = u64::from(self.rt.params.ink_price.max(1));
        let gp = ctx.cfg.gas_params().clone();
        let addr = run.address;
        macro_rules! buy {
            ($gas:expr) => {{
                let ink = run.instance.ink();
                let cost = ($gas as u64).saturating_mul(price);
                if ink < cost {
                    run.instance.exhaust();
                    return Ok(Served::Stop(Event::OutOfInk));
                }
                run.instance.set_ink(ink - cost);
            }};
        }
        macro_rules! write {
            ($ptr:expr, $bytes:expr) => {
                if let Err(e) = run.instance.write($ptr, $bytes) {
                    return Ok(Served::Stop(Event::Failure(e.to_string())));
                }
            };
        }
        let access = |cold: bool| {
            if cold {
                gp.warm_storage_read_cost() + gp.cold_account_additional_cost()
            } else {
                gp.warm_storage_read_cost()
            }
        };
        match req {
            Request::Load {
                key,
                dest,
                counter_gas,
            } => {
                let load = ctx
                    .journal_mut()
                    .sload(addr, U256::from_be_bytes(key.0))
                    .map_err(DbErr::from)?;
                let state = if load.is_cold {
                    gp.cold_storage_cost()
                } else {
                    gp.warm_storage_read_cost()
                };
                buy!(counter_gas + state);
                let value = B256::from(load.data.to_be_bytes::<32>());
                write!(dest, value.as_slice());
                run.instance.host().cache.insert_known(key, value);
                Ok(Served::Resume(Reply::Unit))
            }
            Request::Flush(entries) => {
                for (key, value) in entries {
                    let r = ctx
                        .journal_mut()
                        .sstore(
                            addr,
                            U256::from_be_bytes(key.0),
                            U256::from_be_bytes(value.0),
                        )
                        .map_err(DbErr::from)?;
                    let cost =
                        gp.sstore_static_gas() + gp.sstore_dynamic_gas(true, &r.data, r.is_cold);
                    run.refund += gp.sstore_refund(true, &r.data);
                    buy!(cost);
                }
                Ok(Served::Resume(Reply::Unit))
            }
            Request::TransientLoad { key, dest } => {
                let v = ctx.journal_mut().tload(addr, U256::from_be_bytes(key.0));
                write!(dest, &v.to_be_bytes::<32>());
                Ok(Served::Resume(Reply::Unit))
            }
            Request::TransientStore { key, value } => {
                ctx.journal_mut().tstore(
                    addr,
                    U256::from_be_bytes(key.0),
                    U256::from_be_bytes(value.0),
                );
                Ok(Served::Resume(Reply::Unit))
            }
            Request::Log { topics, data } => {
                ctx.journal_mut().log(Log {
                    address: addr,
                    data: LogData::new_unchecked(topics, data.into()),
                });
                Ok(Served::Resume(Reply::Unit))
            }
            Request::Balance { addr: a, dest } => {
                let acc = ctx.journal_mut().load_account(a).map_err(DbErr::from)?;
                let (cold, balance) = (acc.is_cold, acc.data.info.balance);
                buy!(access(cold));
                write!(dest, &balance.to_be_bytes::<32>());
                Ok(Served::Resume(Reply::Unit))
            }
            Request::CodeSize { addr: a } => {
                let code = ctx.journal_mut().code(a).map_err(DbErr::from)?;
                buy!(700 + access(code.is_cold));
                Ok(Served::Resume(Reply::I32(
                    i32::try_from(code.data.len()).unwrap_or(i32::MAX),
                )))
            }
            Request::Code {
                addr: a,
                offset,
                size,
                dest,
            } => {
                let code = ctx.journal_mut().code(a).map_err(DbErr::from)?;
                buy!(700 + access(code.is_cold));
                let len = u32::try_from(code.data.len()).unwrap_or(u32::MAX);
                let ink = run.instance.ink();
                let cost = crate::host::ink::write_price(len);
                if ink < cost {
                    run.instance.exhaust();
                    return Ok(Served::Stop(Event::OutOfInk));
                }
                run.instance.set_ink(ink - cost);
                let start = (offset as usize).min(code.data.len());
                let end = (offset.saturating_add(size) as usize).min(code.data.len());
                let slice = code.data[start..end].to_vec();
                write!(dest, &slice);
                Ok(Served::Resume(Reply::I32(
                    i32::try_from(slice.len()).unwrap_or(i32::MAX),
                )))
            }
            Request::CodeHash { addr: a, dest } => {
                let hash = ctx.journal_mut().code_hash(a).map_err(DbErr::from)?;
                buy!(access(hash.is_cold));
                write!(dest, hash.data.as_slice());
                Ok(Served::Resume(Reply::Unit))
            }
            Request::MemoryGrow { .. } => Ok(Served::Resume(Reply::Unit)),
            Request::Call {
                kind,
                to,
                input,
                value,
                gas,
                ret_len_ptr,
            } => {
                if run.is_static && !value.is_zero() {
                    run.instance.host().return_data.clear();
                    write!(ret_len_ptr, &0u32.to_le_bytes());
                    return Ok(Served::Resume(Reply::I32(2)));
                }
                let gas_left = run.instance.ink() / price;
                let transfers = !value.is_zero();
                let spec = ctx.cfg.spec;
                let loaded = revm::interpreter::instructions::contract::load_account_delegated(
                    ctx,
                    spec,
                    gas_left,
                    to,
                    transfers,
                    kind == CallKind::Call,
                );
                let Ok((cost, _, bytecode, hash)) = loaded else {
                    take_error::<DbErr, _>(&mut ctx.error)?;
                    run.instance.exhaust();
                    return Ok(Served::Stop(Event::OutOfInk));
                };
                let mut base = gp.warm_storage_read_cost() + cost;
                if transfers {
                    base += gp.transfer_value_cost();
                }
                if base > gas_left {
                    run.instance.exhaust();
                    return Ok(Served::Stop(Event::OutOfInk));
                }
                let start_gas =
                    u64::try_from(u128::from(gas_left - base) * 63 / 64).unwrap_or(u64::MAX);
                let mut gas_total = start_gas.min(gas);
                if transfers {
                    gas_total = gas_total.saturating_add(gp.call_stipend());
                }
                let env = &run.instance.host().env;
                let (target, caller, call_value, scheme, is_static) = match kind {
                    CallKind::Call => (
                        to,
                        addr,
                        CallValue::Transfer(value),
                        CallScheme::Call,
                        env.is_static,
                    ),
                    CallKind::Delegate => (
                        addr,
                        env.caller,
                        CallValue::Apparent(env.value),
                        CallScheme::DelegateCall,
                        env.is_static,
                    ),
                    CallKind::Static => (
                        to,
                        addr,
                        CallValue::Transfer(U256::ZERO),
                        CallScheme::StaticCall,
                        true,
                    ),
                };
                run.pending = Some(Pending::Call {
                    ret_len_ptr,
                    base,
                    gas_total,
                });
                Ok(Served::Frame(FrameInput::Call(Box::new(CallInputs {
                    input: CallInput::Bytes(input.into()),
                    return_memory_offset: 0..0,
                    gas_limit: gas_total,
                    reservoir: 0,
                    bytecode_address: to,
                    known_bytecode: (hash, bytecode),
                    target_address: target,
                    caller,
                    value: call_value,
                    scheme,
                    is_static,
                    charged_new_account_state_gas: false,
                }))))
            }
            Request::Create {
                code,
                endowment,
                salt,
                addr_ptr,
                ret_len_ptr,
            } => {
                let gas_left = run.instance.ink() / price;
                let mut base = 32_000u64;
                if salt.is_some() {
                    base += 6 * (code.len() as u64).div_ceil(32);
                }
                if gas_left < base {
                    run.instance.exhaust();
                    return Ok(Served::Stop(Event::OutOfInk));
                }
                let gas = gas_left - base;
                let one64th = gas / 64;
                let given = gas - one64th;
                let scheme = match salt {
                    Some(s) => CreateScheme::Create2 {
                        salt: U256::from_be_bytes(s.0),
                    },
                    None => CreateScheme::Create,
                };
                run.pending = Some(Pending::Create {
                    addr_ptr,
                    ret_len_ptr,
                    start_gas: gas_left,
                    one64th,
                });
                Ok(Served::Frame(FrameInput::Create(Box::new(
                    CreateInputs::new(addr, scheme, endowment, code.into(), given, 0),
                ))))
            }
        }
    }

    fn settle_child(&mut self, idx: usize, child: FrameResult) -> Event {
        let Some(run) = self.rt.runs.get_mut(idx).and_then(Option::as_mut) else {
            return Event::Failure("lost run".into());
        };
        let price = u64::from(self.rt.params.ink_price.max(1));
        let pending = run.pending.take();
        let result = child.instruction_result();
        let remaining = if result.is_ok_or_revert() {
            child.gas().remaining()
        } else {
            0
        };
        if result.is_ok() {
            run.refund += child.gas().refunded();
        }
        let child_gas = child.gas().limit().saturating_sub(remaining);
        let (cost, reply) = match (pending, child) {
            (
                Some(Pending::Call {
                    ret_len_ptr,
                    base,
                    gas_total,
                }),
                FrameResult::Call(outcome),
            ) => {
                let output = outcome.result.output.to_vec();
                let len = u32::try_from(output.len()).unwrap_or(u32::MAX);
                run.instance.host().return_data = output;
                if let Err(e) = run.instance.write(ret_len_ptr, &len.to_le_bytes()) {
                    return Event::Failure(e.to_string());
                }
                let cost = base.saturating_add(gas_total.saturating_sub(remaining));
                (cost, Reply::I32(if result.is_ok() { 0 } else { 2 }))
            }
            (
                Some(Pending::Create {
                    addr_ptr,
                    ret_len_ptr,
                    start_gas,
                    one64th,
                }),
                FrameResult::Create(outcome),
            ) => {
                let address = if result.is_ok() {
                    outcome.address.unwrap_or_default()
                } else {
                    Address::ZERO
                };
                let data = if result == InstructionResult::Revert {
                    outcome.result.output.to_vec()
                } else {
                    Vec::new()
                };
                let len = u32::try_from(data.len()).unwrap_or(u32::MAX);
                run.instance.host().return_data = data;
                if let Err(e) = run.instance.write(addr_ptr, address.as_slice()) {
                    return Event::Failure(e.to_string());
                }
                if let Err(e) = run.instance.write(ret_len_ptr, &len.to_le_bytes()) {
                    return Event::Failure(e.to_string());
                }
                (start_gas.saturating_sub(remaining + one64th), Reply::Unit)
            }
            _ => return Event::Failure("mismatched child result".into()),
        };
        let callee = child_gas.min(cost);
        run.callee_gas = run.callee_gas.saturating_add(callee);
        if let Some(profile) = &mut run.instance.host().profile {
            profile.add(profile.last, (cost - callee).saturating_mul(price));
        }
        let ink = run.instance.ink();
        let cost = cost.saturating_mul(price);
        if ink < cost {
            run.instance.exhaust();
            return Event::OutOfInk;
        }
        run.instance.set_ink(ink - cost);
        run.instance.resume(reply)
    }
}
