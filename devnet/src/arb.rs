//! Arbitrum precompiles: ArbSys (0x64), ArbGasInfo (0x6c), ArbWasm (0x71) and `ArbWasmCache`'s
//! views (0x72).
//!
//! Their state (activated programs, the data pricer, the outgoing-message counter) lives in the
//! storage of the ArbOS state account through revm's journal, so a reverted activation is undone
//! and snapshots include it. Gas follows Nitro's precompile wrapper: 3 per argument and result
//! word, 800 per ArbOS storage read and 20 000 per write, 2 600 per code hash read, an event's
//! log gas with its signature counted as a topic, plus each method's own burns.

use revm::context::ContextTr as _;
use revm::context_interface::{Block, Cfg, JournalTr};
use revm::handler::{EthPrecompiles, PrecompileProvider};
use revm::interpreter::{CallInputs, Gas, InstructionResult, InterpreterResult};
use revm::primitives::{address, keccak256, Address, AddressSet, Bytes, Log, LogData, B256, U256};

use xmtp_stylus::activation::{self, DataPricer, ProgramCosts, StylusParams};
use xmtp_stylus::codec;

use crate::evm::Ctx;

/// ArbSys.
pub const ARB_SYS: Address = address!("0000000000000000000000000000000000000064");
/// ArbGasInfo.
pub const ARB_GAS_INFO: Address = address!("000000000000000000000000000000000000006c");
/// ArbWasm.
pub const ARB_WASM: Address = address!("0000000000000000000000000000000000000071");
/// `ArbWasmCache`: the chain's program cache. Only its views are served: this chain has no cache
/// managers, and [`crate::Chain::set_program_cached`] stands in for them.
pub const ARB_WASM_CACHE: Address = address!("0000000000000000000000000000000000000072");
/// The account whose storage holds ArbOS state.
pub const ARBOS_STATE: Address = address!("A4B05FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF");
/// Where activation data fees go.
pub const NETWORK_FEE_ACCOUNT: Address = address!("00000000000000000000000000000000000A4B05");

/// Chain-level settings the precompiles read.
#[derive(Debug, Clone, Copy)]
pub struct ArbConfig {
    /// Stylus parameters.
    pub params: StylusParams,
    /// Emulated ArbOS version.
    pub arbos_version: u64,
    /// The L2 block number (`arbBlockNumber`).
    pub l2_block: u64,
}

/// The precompile set: Ethereum's plus Arbitrum's.
#[derive(Debug, Clone)]
pub struct ArbPrecompiles {
    eth: EthPrecompiles,
    warm: AddressSet,
    /// Chain settings.
    pub config: ArbConfig,
    /// Why the last failed activation failed.
    pub last_error: Option<String>,
}

impl ArbPrecompiles {
    /// Ethereum precompiles of `eth` plus the Arbitrum ones.
    pub fn new(eth: EthPrecompiles, config: ArbConfig) -> Self {
        let mut warm = eth.warm_addresses().clone();
        warm.insert(ARB_SYS);
        warm.insert(ARB_GAS_INFO);
        warm.insert(ARB_WASM);
        warm.insert(ARB_WASM_CACHE);
        Self {
            eth,
            warm,
            config,
            last_error: None,
        }
    }
}

/// What ArbOS stores per activated code hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProgramInfo {
    /// Stylus version at activation.
    pub version: u16,
    /// The activation figures.
    pub costs: ProgramCosts,
    /// Activation time, hours since the Arbitrum epoch.
    pub activated_at: u32,
    /// Flagged as cached (the chain's program cache).
    pub cached: bool,
}

impl ProgramInfo {
    /// Whether the program expired at `time`.
    pub fn expired(&self, time: u64, params: &StylusParams) -> bool {
        let age_hours = activation::hours_since_arbitrum(time).saturating_sub(self.activated_at);
        u64::from(age_hours) > u64::from(params.expiry_days) * 24
    }

    pub(crate) fn pack(&self) -> U256 {
        let mut b = [0u8; 32];
        b[0..2].copy_from_slice(&self.version.to_be_bytes());
        b[2..4].copy_from_slice(&self.costs.init_cost.to_be_bytes());
        b[4..6].copy_from_slice(&self.costs.cached_init_cost.to_be_bytes());
        b[6..8].copy_from_slice(&self.costs.footprint.to_be_bytes());
        b[8..12].copy_from_slice(&self.costs.asm_estimate.to_be_bytes());
        b[12..16].copy_from_slice(&self.activated_at.to_be_bytes());
        b[16] = u8::from(self.cached);
        b[31] = 1;
        U256::from_be_bytes(b)
    }

    fn unpack(v: U256) -> Option<Self> {
        let b = v.to_be_bytes::<32>();
        if b[31] != 1 {
            return None;
        }
        let u16_at = |i: usize| u16::from_be_bytes([b[i], b[i + 1]]);
        let u32_at = |i: usize| u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        Some(Self {
            version: u16_at(0),
            costs: ProgramCosts {
                init_cost: u16_at(2),
                cached_init_cost: u16_at(4),
                footprint: u16_at(6),
                asm_estimate: u32_at(8),
            },
            activated_at: u32_at(12),
            cached: b[16] != 0,
        })
    }
}

pub(crate) fn program_slot(codehash: B256) -> U256 {
    let mut pre = b"stylus.program".to_vec();
    pre.extend_from_slice(codehash.as_slice());
    U256::from_be_bytes(keccak256(pre).0)
}

/// Nitro's `StorageReadCost`: one ArbOS storage read.
const READ_GAS: u64 = 800;
/// Nitro's `StorageWriteCost`: one ArbOS storage write.
const WRITE_GAS: u64 = 20_000;
/// Nitro's `StorageCodeHashCost`: a precompile reading an account's code hash.
const CODE_HASH_GAS: u64 = 2600;

/// Gas of a precompile's event: Nitro counts the signature as a topic besides the indexed
/// arguments, and charges the ABI-encoded data of the others.
fn event_gas(indexed: u64, data_len: usize) -> u64 {
    375 + 375 * (1 + indexed) + 8 * data_len as u64
}

const DEMAND_SLOT: U256 = U256::from_limbs([1, 0, 0, 0]);
const LAST_UPDATE_SLOT: U256 = U256::from_limbs([2, 0, 0, 0]);
const SEND_COUNT_SLOT: U256 = U256::from_limbs([3, 0, 0, 0]);

fn arbos_load(ctx: &mut Ctx, slot: U256) -> Result<U256, crate::evm::DbErr> {
    let journal = ctx.journal_mut();
    journal.load_account(ARBOS_STATE)?;
    Ok(journal.sload(ARBOS_STATE, slot)?.data)
}

fn arbos_store(ctx: &mut Ctx, slot: U256, value: U256) -> Result<(), crate::evm::DbErr> {
    let journal = ctx.journal_mut();
    journal.load_account(ARBOS_STATE)?;
    journal.sstore(ARBOS_STATE, slot, value)?;
    journal.touch_account(ARBOS_STATE);
    Ok(())
}

/// The activation record of a code hash, if any.
pub fn program_info(
    ctx: &mut Ctx,
    codehash: B256,
) -> Result<Option<ProgramInfo>, crate::evm::DbErr> {
    Ok(ProgramInfo::unpack(arbos_load(
        ctx,
        program_slot(codehash),
    )?))
}

/// Writes an activation record (the chain API uses it to flip the cached flag).
pub fn set_program_info(
    ctx: &mut Ctx,
    codehash: B256,
    info: &ProgramInfo,
) -> Result<(), crate::evm::DbErr> {
    arbos_store(ctx, program_slot(codehash), info.pack())
}

/// First four bytes of the keccak of a signature.
pub fn selector(sig: &str) -> [u8; 4] {
    let h = keccak256(sig.as_bytes());
    [h[0], h[1], h[2], h[3]]
}

fn word(v: U256) -> [u8; 32] {
    v.to_be_bytes::<32>()
}

fn addr_word(a: Address) -> [u8; 32] {
    let mut w = [0u8; 32];
    w[12..].copy_from_slice(a.as_slice());
    w
}

fn arg(input: &[u8], i: usize) -> Option<[u8; 32]> {
    let start = 4 + 32 * i;
    input.get(start..start + 32).map(|s| {
        let mut w = [0u8; 32];
        w.copy_from_slice(s);
        w
    })
}

fn arg_addr(input: &[u8], i: usize) -> Option<Address> {
    arg(input, i).map(|w| Address::from_slice(&w[12..]))
}

struct Call<'a> {
    gas: Gas,
    input: &'a [u8],
}

enum Outcome {
    Ok(Vec<u8>),
    Revert(Vec<u8>),
    BurnAll,
}

impl Call<'_> {
    fn charge(&mut self, gas: u64) -> bool {
        self.gas.record_regular_cost(gas)
    }

    /// The method's selector (zero for input shorter than four bytes, which `run` refuses).
    fn selector(&self) -> [u8; 4] {
        self.input
            .get(..4)
            .and_then(|s| s.try_into().ok())
            .unwrap_or_default()
    }

    /// Charges a precompile event's gas and, when it can be paid, logs it from `address`.
    fn emit(&mut self, ctx: &mut Ctx, address: Address, topics: Vec<B256>, data: Vec<u8>) -> bool {
        let indexed = topics.len() as u64 - 1;
        if !self.charge(event_gas(indexed, data.len())) {
            return false;
        }
        ctx.journal_mut().log(Log {
            address,
            data: LogData::new_unchecked(topics, data.into()),
        });
        true
    }
}

impl PrecompileProvider<Ctx> for ArbPrecompiles {
    type Output = InterpreterResult;

    fn set_spec(&mut self, spec: <<Ctx as revm::context::ContextTr>::Cfg as Cfg>::Spec) -> bool {
        <EthPrecompiles as PrecompileProvider<Ctx>>::set_spec(&mut self.eth, spec)
    }

    fn run(&mut self, ctx: &mut Ctx, inputs: &CallInputs) -> Result<Option<Self::Output>, String> {
        let target = inputs.bytecode_address;
        if ![ARB_SYS, ARB_GAS_INFO, ARB_WASM, ARB_WASM_CACHE].contains(&target) {
            return self.eth.run(ctx, inputs);
        }
        let input = inputs.input.bytes(ctx).to_vec();
        let mut call = Call {
            gas: Gas::new(inputs.gas_limit),
            input: &input,
        };
        let args_words = (input.len().saturating_sub(4) as u64).div_ceil(32);
        let payable = [
            "activateProgram(address)",
            "codehashKeepalive(bytes32)",
            "sendTxToL1(address,bytes)",
            "withdrawEth(address)",
        ]
        .iter()
        .any(|sig| input.get(..4) == Some(selector(sig).as_slice()));
        // Nitro's wrapper: no selector, or value sent to a non-payable method, reverts with all
        // gas burnt; otherwise arguments cost 3 per word, opening ArbOS state one storage read,
        // and ArbWasm reads its parameters (one more).
        let opening = if target == ARB_WASM {
            2 * READ_GAS
        } else {
            READ_GAS
        };
        let outcome = if input.len() >= 4
            && (payable || inputs.value.get().is_zero())
            && call.charge(3 * args_words)
            && call.charge(opening)
        {
            let r = match target {
                ARB_WASM => self.arb_wasm(ctx, inputs, &mut call),
                ARB_SYS => self.arb_sys(ctx, inputs, &mut call),
                ARB_WASM_CACHE => Self::arb_wasm_cache(ctx, &mut call),
                _ => Ok(Self::arb_gas_info(ctx, &call)),
            };
            r.map_err(|e| format!("{e:?}"))?
        } else {
            Outcome::BurnAll
        };
        let (result, output) = match outcome {
            Outcome::Ok(out) => {
                let words = (out.len() as u64).div_ceil(32);
                if call.charge(3 * words) {
                    (InstructionResult::Return, out)
                } else {
                    call.gas.spend_all();
                    (InstructionResult::PrecompileOOG, Vec::new())
                }
            }
            Outcome::Revert(data) => (InstructionResult::Revert, data),
            Outcome::BurnAll => {
                call.gas.spend_all();
                (InstructionResult::Revert, Vec::new())
            }
        };
        Ok(Some(InterpreterResult {
            result,
            gas: call.gas,
            output: Bytes::from(output),
        }))
    }

    fn warm_addresses(&self) -> &AddressSet {
        &self.warm
    }

    fn contains(&self, address: &Address) -> bool {
        self.warm.contains(address)
    }
}

/// Nitro's `UpdateModel`: reads the pricer's five fields and writes two, then returns the fee
/// for `bytes`; `None` when the gas ran out.
fn update_data_pricer(
    ctx: &mut Ctx,
    call: &mut Call,
    bytes: u32,
    time: u64,
) -> Result<Option<U256>, crate::evm::DbErr> {
    if !call.charge(5 * READ_GAS + 2 * WRITE_GAS) {
        return Ok(None);
    }
    let mut pricer = DataPricer {
        demand: u32::try_from(arbos_load(ctx, DEMAND_SLOT)?).unwrap_or(u32::MAX),
        last_update_time: match arbos_load(ctx, LAST_UPDATE_SLOT)? {
            v if v.is_zero() => activation::ARBITRUM_START_TIME,
            v => v.saturating_to::<u64>(),
        },
        ..DataPricer::default()
    };
    let fee = pricer.update(bytes, time);
    arbos_store(ctx, DEMAND_SLOT, U256::from(pricer.demand))?;
    arbos_store(ctx, LAST_UPDATE_SLOT, U256::from(pricer.last_update_time))?;
    Ok(Some(U256::from(fee)))
}

/// Nitro's `payActivationDataFee`: reads the network fee account, refuses less value than the
/// fee, sends the fee there and the rest back to the caller. `Some` is the call's outcome
/// when it cannot pay.
fn pay_data_fee(
    ctx: &mut Ctx,
    inputs: &CallInputs,
    call: &mut Call,
    fee: U256,
) -> Result<Option<Outcome>, crate::evm::DbErr> {
    if !call.charge(READ_GAS) {
        return Ok(Some(Outcome::BurnAll));
    }
    let value = inputs.value.get();
    if value < fee {
        return Ok(Some(err(
            "ProgramInsufficientValue(uint256,uint256)",
            &[word(value), word(fee)],
        )));
    }
    let journal = ctx.journal_mut();
    journal.load_account(NETWORK_FEE_ACCOUNT)?;
    journal.load_account(inputs.caller)?;
    if journal
        .transfer_loaded(ARB_WASM, NETWORK_FEE_ACCOUNT, fee)
        .is_some()
        || journal
            .transfer_loaded(ARB_WASM, inputs.caller, value - fee)
            .is_some()
    {
        return Ok(Some(Outcome::BurnAll));
    }
    Ok(None)
}

fn err(sig: &str, args: &[[u8; 32]]) -> Outcome {
    let mut out = selector(sig).to_vec();
    for a in args {
        out.extend_from_slice(a);
    }
    Outcome::Revert(out)
}

fn u(v: u64) -> [u8; 32] {
    word(U256::from(v))
}

type PResult = Result<Outcome, crate::evm::DbErr>;

impl ArbPrecompiles {
    fn view_info(
        &self,
        ctx: &mut Ctx,
        call: &mut Call,
        codehash: B256,
    ) -> Result<Result<ProgramInfo, Outcome>, crate::evm::DbErr> {
        if !call.charge(READ_GAS) {
            return Ok(Err(Outcome::BurnAll));
        }
        let params = self.config.params;
        let Some(info) = program_info(ctx, codehash)? else {
            return Ok(Err(err("ProgramNotActivated()", &[])));
        };
        if info.version != params.version {
            return Ok(Err(err(
                "ProgramNeedsUpgrade(uint16,uint16)",
                &[u(u64::from(info.version)), u(u64::from(params.version))],
            )));
        }
        let time = ctx.block.timestamp().saturating_to::<u64>();
        if info.expired(time, &params) {
            let age = time.saturating_sub(
                activation::ARBITRUM_START_TIME + u64::from(info.activated_at) * 3600,
            );
            return Ok(Err(err("ProgramExpired(uint64)", &[u(age)])));
        }
        Ok(Ok(info))
    }

    #[allow(clippy::too_many_lines)]
    fn arb_wasm(&mut self, ctx: &mut Ctx, inputs: &CallInputs, call: &mut Call) -> PResult {
        let params = self.config.params;
        let sel = call.selector();
        let codehash_of = |ctx: &mut Ctx, a: Address| -> Result<B256, crate::evm::DbErr> {
            Ok(ctx.journal_mut().code_hash(a)?.data)
        };
        let simple = |v: u64| Ok(Outcome::Ok(u(v).to_vec()));
        if sel == selector("stylusVersion()") {
            return simple(u64::from(params.version));
        }
        if sel == selector("inkPrice()") {
            return simple(u64::from(params.ink_price));
        }
        if sel == selector("maxStackDepth()") {
            return simple(u64::from(params.max_stack_depth));
        }
        if sel == selector("freePages()") {
            return simple(u64::from(params.free_pages));
        }
        if sel == selector("pageGas()") {
            return simple(u64::from(params.page_gas));
        }
        if sel == selector("pageRamp()") {
            return simple(params.page_ramp);
        }
        if sel == selector("pageLimit()") {
            return simple(u64::from(params.page_limit));
        }
        if sel == selector("initCostScalar()") {
            return simple(u64::from(params.init_cost_scalar) * 2);
        }
        if sel == selector("expiryDays()") {
            return simple(u64::from(params.expiry_days));
        }
        if sel == selector("keepaliveDays()") {
            return simple(u64::from(params.keepalive_days));
        }
        if sel == selector("blockCacheSize()") {
            return simple(u64::from(params.block_cache_size));
        }
        if sel == selector("minInitGas()") {
            // Stored in units of 128 and 32 gas; the method answers gas.
            let mut out = u(u64::from(params.min_init_gas) * 128).to_vec();
            out.extend_from_slice(&u(u64::from(params.min_cached_init_gas) * 32));
            return Ok(Outcome::Ok(out));
        }
        if sel == selector("codehashVersion(bytes32)")
            || sel == selector("codehashAsmSize(bytes32)")
        {
            let Some(h) = arg(call.input, 0) else {
                return Ok(Outcome::BurnAll);
            };
            return Ok(match self.view_info(ctx, call, B256::from(h))? {
                Ok(info) if sel == selector("codehashVersion(bytes32)") => {
                    Outcome::Ok(u(u64::from(info.version)).to_vec())
                }
                Ok(info) => {
                    Outcome::Ok(u(u64::from(info.costs.asm_estimate_kib()) * 1024).to_vec())
                }
                Err(o) => o,
            });
        }
        for name in [
            "programVersion(address)",
            "programInitGas(address)",
            "programMemoryFootprint(address)",
            "programTimeLeft(address)",
        ] {
            if sel != selector(name) {
                continue;
            }
            let Some(a) = arg_addr(call.input, 0) else {
                return Ok(Outcome::BurnAll);
            };
            if !call.charge(CODE_HASH_GAS) {
                return Ok(Outcome::BurnAll);
            }
            let hash = codehash_of(ctx, a)?;
            let info = match self.view_info(ctx, call, hash)? {
                Ok(info) => info,
                Err(o) => return Ok(o),
            };
            return Ok(Outcome::Ok(match name {
                "programVersion(address)" => u(u64::from(info.version)).to_vec(),
                "programInitGas(address)" => {
                    let cached = params.cached_gas(info.costs.cached_init_cost);
                    let mut out = u(params.init_gas(info.costs.init_cost) + cached).to_vec();
                    out.extend_from_slice(&u(cached));
                    out
                }
                "programMemoryFootprint(address)" => u(u64::from(info.costs.footprint)).to_vec(),
                _ => {
                    let time = ctx.block.timestamp().saturating_to::<u64>();
                    let age = time.saturating_sub(
                        activation::ARBITRUM_START_TIME + u64::from(info.activated_at) * 3600,
                    );
                    u((u64::from(params.expiry_days) * 86_400).saturating_sub(age)).to_vec()
                }
            }));
        }
        if sel == selector("activateProgram(address)") {
            return self.activate(ctx, inputs, call);
        }
        if sel == selector("codehashKeepalive(bytes32)") {
            return self.keepalive(ctx, inputs, call);
        }
        Ok(Outcome::BurnAll)
    }

    // Activation follows Nitro's steps in order; splitting it would hide that order.
    #[allow(clippy::too_many_lines)]
    fn activate(&mut self, ctx: &mut Ctx, inputs: &CallInputs, call: &mut Call) -> PResult {
        let params = self.config.params;
        if inputs.is_static {
            return Ok(Outcome::BurnAll);
        }
        let Some(program) = arg_addr(call.input, 0) else {
            return Ok(Outcome::BurnAll);
        };
        if !call.charge(params.activation_gas) || !call.charge(activation::ACTIVATION_FIXED_GAS) {
            return Ok(Outcome::BurnAll);
        }
        let code = ctx.journal_mut().code(program)?.data;
        let codehash = ctx.journal_mut().code_hash(program)?.data;
        let time = ctx.block.timestamp().saturating_to::<u64>();
        if !call.charge(READ_GAS) {
            return Ok(Outcome::BurnAll);
        }
        if let Some(info) = program_info(ctx, codehash)? {
            if info.version == params.version && !info.expired(time, &params) {
                return Ok(err("ProgramUpToDate()", &[]));
            }
        }
        // Nitro answers `ProgramNotWasm()` only for an account without code; other code fails
        // to strip the Stylus prefix, an error that is not Solidity's and so burns all gas.
        if code.is_empty() {
            return Ok(err("ProgramNotWasm()", &[]));
        }
        if !crate::evm::is_stylus(&code) {
            self.last_error = Some("specified bytecode is not a Stylus program".into());
            return Ok(Outcome::BurnAll);
        }
        let wasm = match codec::decode_code(&code) {
            Ok(w) => w,
            Err(e) => {
                self.last_error = Some(e.to_string());
                return Ok(Outcome::BurnAll);
            }
        };
        let activated = match activation::activate(
            &wasm,
            &params,
            self.config.arbos_version,
            params.page_limit,
            false,
        ) {
            Ok(a) => a,
            Err(e) => {
                self.last_error = Some(e.to_string());
                return Ok(Outcome::BurnAll);
            }
        };
        if !call.charge(activated.compile_gas) {
            self.last_error = Some("out of gas".into());
            return Ok(Outcome::BurnAll);
        }
        // The module hash is stored first, then the data pricer's model moves.
        if !call.charge(WRITE_GAS) {
            return Ok(Outcome::BurnAll);
        }
        let Some(fee) = update_data_pricer(ctx, call, activated.costs.asm_estimate, time)? else {
            return Ok(Outcome::BurnAll);
        };
        if !call.charge(WRITE_GAS) {
            return Ok(Outcome::BurnAll);
        }
        let info = ProgramInfo {
            version: params.version,
            costs: activated.costs,
            activated_at: activation::hours_since_arbitrum(time),
            cached: false,
        };
        set_program_info(ctx, codehash, &info)?;
        if let Some(refused) = pay_data_fee(ctx, inputs, call, fee)? {
            return Ok(refused);
        }
        // ProgramActivated(bytes32 indexed codehash, bytes32 moduleHash, address program, uint256 dataFee, uint16 version)
        let topic0 = keccak256("ProgramActivated(bytes32,bytes32,address,uint256,uint16)");
        let module_hash = keccak256(&activated.instrumented.wasm);
        let mut data = module_hash.to_vec();
        data.extend_from_slice(&addr_word(program));
        data.extend_from_slice(&word(fee));
        data.extend_from_slice(&u(u64::from(params.version)));
        if !call.emit(ctx, ARB_WASM, vec![topic0, codehash], data) {
            return Ok(Outcome::BurnAll);
        }
        let mut out = u(u64::from(params.version)).to_vec();
        out.extend_from_slice(&word(fee));
        Ok(Outcome::Ok(out))
    }

    /// `codehashKeepalive(bytes32)`: an active program at least `keepaliveDays` old is made
    /// young again for the data fee of its (KiB-rounded) asm size, as Nitro's
    /// `ProgramKeepalive` does.
    fn keepalive(&mut self, ctx: &mut Ctx, inputs: &CallInputs, call: &mut Call) -> PResult {
        let params = self.config.params;
        if inputs.is_static {
            return Ok(Outcome::BurnAll);
        }
        let Some(hash) = arg(call.input, 0).map(B256::from) else {
            return Ok(Outcome::BurnAll);
        };
        let mut info = match self.view_info(ctx, call, hash)? {
            Ok(info) => info,
            Err(o) => return Ok(o),
        };
        let time = ctx.block.timestamp().saturating_to::<u64>();
        let age = time
            .saturating_sub(activation::ARBITRUM_START_TIME + u64::from(info.activated_at) * 3600);
        if age < u64::from(params.keepalive_days) * 86_400 {
            return Ok(err("ProgramKeepaliveTooSoon(uint64)", &[u(age)]));
        }
        let bytes = info.costs.asm_estimate_kib().saturating_mul(1024);
        let Some(fee) = update_data_pricer(ctx, call, bytes, time)? else {
            return Ok(Outcome::BurnAll);
        };
        if !call.charge(WRITE_GAS) {
            return Ok(Outcome::BurnAll);
        }
        info.activated_at = activation::hours_since_arbitrum(time);
        set_program_info(ctx, hash, &info)?;
        if let Some(refused) = pay_data_fee(ctx, inputs, call, fee)? {
            return Ok(refused);
        }
        // ProgramLifetimeExtended(bytes32 indexed codehash, uint256 dataFee)
        let topic0 = keccak256("ProgramLifetimeExtended(bytes32,uint256)");
        if !call.emit(ctx, ARB_WASM, vec![topic0, hash], word(fee).to_vec()) {
            return Ok(Outcome::BurnAll);
        }
        Ok(Outcome::Ok(Vec::new()))
    }

    fn arb_sys(&mut self, ctx: &mut Ctx, inputs: &CallInputs, call: &mut Call) -> PResult {
        let sel = call.selector();
        if sel == selector("arbChainID()") {
            return Ok(Outcome::Ok(u(ctx.cfg.chain_id()).to_vec()));
        }
        if sel == selector("arbBlockNumber()") {
            return Ok(Outcome::Ok(u(self.config.l2_block).to_vec()));
        }
        if sel == selector("arbOSVersion()") {
            return Ok(Outcome::Ok(u(55 + self.config.arbos_version).to_vec()));
        }
        if sel == selector("sendTxToL1(address,bytes)") || sel == selector("withdrawEth(address)") {
            if inputs.is_static {
                return Ok(Outcome::BurnAll);
            }
            let Some(dest) = arg_addr(call.input, 0) else {
                return Ok(Outcome::BurnAll);
            };
            let data = if sel == selector("withdrawEth(address)") {
                Vec::new()
            } else {
                let offset =
                    arg(call.input, 1).map(|w| U256::from_be_bytes(w).saturating_to::<usize>());
                let body = offset.and_then(|o| call.input.get(o.checked_add(4)?..));
                let len = body
                    .and_then(|b| b.get(..32))
                    .map(|l| U256::from_be_slice(l).saturating_to::<usize>());
                match (body, len) {
                    (Some(b), Some(l)) => match l.checked_add(32).and_then(|end| b.get(32..end)) {
                        Some(d) => d.to_vec(),
                        None => return Ok(Outcome::BurnAll),
                    },
                    _ => return Ok(Outcome::BurnAll),
                }
            };
            if !call.charge(READ_GAS + WRITE_GAS) {
                return Ok(Outcome::BurnAll);
            }
            let position = arbos_load(ctx, SEND_COUNT_SLOT)?;
            arbos_store(ctx, SEND_COUNT_SLOT, position + U256::from(1))?;
            let value = inputs.value.get();
            let caller = inputs.caller;
            let l2_block = self.config.l2_block;
            let l1_block = ctx.block.number();
            let timestamp = ctx.block.timestamp();
            let mut preimage = addr_word(caller).to_vec();
            preimage.extend_from_slice(&addr_word(dest));
            preimage.extend_from_slice(&word(value));
            preimage.extend_from_slice(&data);
            let hash = keccak256(&preimage);
            // L2ToL1Tx(address caller, address indexed destination, uint256 indexed hash,
            //          uint256 indexed position, uint256 arbBlockNum, uint256 ethBlockNum,
            //          uint256 timestamp, uint256 callvalue, bytes data)
            let topic0 = keccak256(
                "L2ToL1Tx(address,address,uint256,uint256,uint256,uint256,uint256,uint256,bytes)",
            );
            let mut body = addr_word(caller).to_vec();
            body.extend_from_slice(&u(l2_block));
            body.extend_from_slice(&word(l1_block));
            body.extend_from_slice(&word(timestamp));
            body.extend_from_slice(&word(value));
            body.extend_from_slice(&u(6 * 32));
            body.extend_from_slice(&u(data.len() as u64));
            body.extend_from_slice(&data);
            body.resize(body.len().div_ceil(32) * 32, 0);
            let log_topics = vec![
                topic0,
                B256::from(addr_word(dest)),
                hash,
                B256::from(word(position)),
            ];
            if !call.emit(ctx, ARB_SYS, log_topics, body) {
                return Ok(Outcome::BurnAll);
            }
            return Ok(Outcome::Ok(word(position).to_vec()));
        }
        Ok(Outcome::BurnAll)
    }

    /// `ArbWasmCache`'s views: whether a code hash is cached (its record's flag, expired or
    /// not, as Nitro's `ProgramCached` reads it), and the cache managers, of which there are
    /// none.
    fn arb_wasm_cache(ctx: &mut Ctx, call: &mut Call) -> PResult {
        let sel = call.selector();
        if sel == selector("codehashIsCached(bytes32)") {
            let Some(hash) = arg(call.input, 0).map(B256::from) else {
                return Ok(Outcome::BurnAll);
            };
            if !call.charge(READ_GAS) {
                return Ok(Outcome::BurnAll);
            }
            let cached = program_info(ctx, hash)?.is_some_and(|info| info.cached);
            return Ok(Outcome::Ok(u(u64::from(cached)).to_vec()));
        }
        if sel == selector("isCacheManager(address)") {
            if arg_addr(call.input, 0).is_none() || !call.charge(READ_GAS) {
                return Ok(Outcome::BurnAll);
            }
            return Ok(Outcome::Ok(u(0).to_vec()));
        }
        if sel == selector("allCacheManagers()") {
            if !call.charge(READ_GAS) {
                return Ok(Outcome::BurnAll);
            }
            // An empty address[]: its offset, then its length.
            let mut out = u(32).to_vec();
            out.extend_from_slice(&u(0));
            return Ok(Outcome::Ok(out));
        }
        Ok(Outcome::BurnAll)
    }

    fn arb_gas_info(ctx: &Ctx, call: &Call) -> Outcome {
        let sel = call.selector();
        let basefee = ctx.block.basefee();
        if sel == selector("getMinimumGasPrice()") {
            return Outcome::Ok(u(basefee).to_vec());
        }
        if sel == selector("getL1BaseFeeEstimate()") || sel == selector("getCurrentTxL1GasFees()") {
            return Outcome::Ok(u(0).to_vec());
        }
        if sel == selector("getPricesInWei()") {
            // (per L2 tx, per L1 calldata byte, per storage allocation, per ArbGas base,
            //  per ArbGas congestion, per ArbGas total)
            let mut out = Vec::new();
            for v in [0, 0, basefee.saturating_mul(20_000), basefee, 0, basefee] {
                out.extend_from_slice(&u(v));
            }
            return Outcome::Ok(out);
        }
        Outcome::BurnAll
    }
}
