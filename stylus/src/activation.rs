//! Activation: what Nitro computes once per code hash, and the prices derived from it.
//!
//! Activation validates and instruments a program, then stores four figures per code hash that
//! price every later call (`spec/stylus-platform.md` §2.5, §3.3): `init_cost` (paid when the
//! program is not cached), `cached_init_cost` (paid on every call), `footprint` (initial pages,
//! charged through the memory model, §1.7) and `asm_estimate` (the size of the compiled program,
//! which drives the data fee). This module computes those figures and every price that follows
//! from them, so the runtime and the deploy tooling quote the same numbers.

use std::fmt;

use crate::instrument::{self, CompileConfig, InstrumentError, Instrumented, ModuleStats};
use crate::validate::{self, Rules, ValidationError};

/// Gas burnt by `activateProgram` before any work (`ArbWasm.go`).
pub const ACTIVATION_FIXED_GAS: u64 = 1_659_168;

/// Seconds of the Arbitrum epoch used for activation hours (`ArbitrumStartTime`).
pub const ARBITRUM_START_TIME: u64 = 1_421_388_000;

/// ArbOS version from which activation charges the WASM length (`StylusChargingFixes`).
pub const ARBOS_STYLUS_CHARGING_FIXES: u64 = 32;

/// The Stylus parameters ArbOS stores (`arbos/programs/params.go`), with their initial values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StylusParams {
    /// Stylus version (2 since ArbOS 40).
    pub version: u16,
    /// Ink per gas.
    pub ink_price: u32,
    /// Stack budget per call, in depth-checker words.
    pub max_stack_depth: u32,
    /// Pages every transaction gets without charge.
    pub free_pages: u16,
    /// Gas per page of the linear part of the memory model.
    pub page_gas: u16,
    /// Reported only; the exponential table already encodes it.
    pub page_ramp: u64,
    /// Largest number of pages open at once in a transaction.
    pub page_limit: u16,
    /// Uncached entry floor, in units of 128 gas.
    pub min_init_gas: u8,
    /// Cached entry floor, in units of 32 gas.
    pub min_cached_init_gas: u8,
    /// Scalar of `init_cost`, in units of 2 %.
    pub init_cost_scalar: u8,
    /// Scalar of `cached_init_cost`, in units of 2 %.
    pub cached_cost_scalar: u8,
    /// Days before a program expires.
    pub expiry_days: u16,
    /// Days before a keepalive is allowed.
    pub keepalive_days: u16,
    /// Size of the recent-programs cache (ArbOS >= 60).
    pub block_cache_size: u16,
    /// Largest decompressed WASM.
    pub max_wasm_size: u32,
    /// Extra flat gas burnt by `activateProgram` (owner-configurable).
    pub activation_gas: u64,
}

impl Default for StylusParams {
    fn default() -> Self {
        Self {
            version: 2,
            ink_price: 10_000,
            max_stack_depth: 4 * 65_536,
            free_pages: 2,
            page_gas: 1000,
            page_ramp: 620_674_314,
            page_limit: 128,
            min_init_gas: 69,
            min_cached_init_gas: 11,
            init_cost_scalar: 50,
            cached_cost_scalar: 50,
            expiry_days: 365,
            keepalive_days: 31,
            block_cache_size: 32,
            max_wasm_size: 128 * 1024,
            activation_gas: 0,
        }
    }
}

impl StylusParams {
    /// Gas paid on entry when the program is not cached (`initGas`).
    pub fn init_gas(&self, init_cost: u16) -> u64 {
        let base = u64::from(self.min_init_gas) * 128;
        let dyno = u64::from(init_cost) * u64::from(self.init_cost_scalar) * 2;
        base + dyno.div_ceil(100)
    }

    /// Gas paid on every entry (`cachedGas`).
    pub fn cached_gas(&self, cached_init_cost: u16) -> u64 {
        let base = u64::from(self.min_cached_init_gas) * 32;
        let dyno = u64::from(cached_init_cost) * u64::from(self.cached_cost_scalar) * 2;
        base + dyno.div_ceil(100)
    }

    /// Entry gas of a call: the cached part always, the init part unless cached (version >= 2).
    pub fn entry_gas(&self, costs: &ProgramCosts, cached: bool) -> u64 {
        let cached_gas = self.cached_gas(costs.cached_init_cost);
        if cached {
            cached_gas
        } else {
            cached_gas + self.init_gas(costs.init_cost)
        }
    }

    /// Gas of opening `new` pages when `open` are held by live frames and `ever` were held at
    /// once so far in the transaction (Nitro's `MemoryModel::GasCost`).
    pub fn memory_gas(&self, new: u16, open: u16, ever: u16) -> u64 {
        let new_open = open.saturating_add(new);
        let new_ever = ever.max(new_open);
        if new_ever <= self.free_pages {
            return 0;
        }
        let adding = new_open
            .saturating_sub(self.free_pages)
            .saturating_sub(open.saturating_sub(self.free_pages));
        let linear = u64::from(adding).saturating_mul(u64::from(self.page_gas));
        let expand = exp_pages(new_ever).saturating_sub(exp_pages(ever));
        linear.saturating_add(expand)
    }

    /// The ink a call with `gas` starts with.
    pub fn gas_to_ink(&self, gas: u64) -> u64 {
        gas.saturating_mul(u64::from(self.ink_price))
    }

    /// The gas left for `ink` (rounded down).
    pub fn ink_to_gas(&self, ink: u64) -> u64 {
        ink / u64::from(self.ink_price.max(1))
    }
}

/// `exp[p]` of the memory model: the exponential part of holding `p` pages (`u64::MAX` above the
/// table, i.e. unaffordable).
pub fn exp_pages(pages: u16) -> u64 {
    MEMORY_EXPONENTS
        .get(usize::from(pages))
        .copied()
        .unwrap_or(u64::MAX)
}

/// The memory model's exponential table for 0..=128 pages (`memory.go`).
pub const MEMORY_EXPONENTS: [u64; 129] = [
    1, 1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 5, 5, 6, 7, 8, 9, 11, 12, 14, 17, 19, 22, 25, 29, 33, 38,
    43, 50, 57, 65, 75, 85, 98, 112, 128, 147, 168, 193, 221, 253, 289, 331, 379, 434, 497, 569,
    651, 745, 853, 976, 1117, 1279, 1463, 1675, 1917, 2194, 2511, 2874, 3290, 3765, 4309, 4932,
    5645, 6461, 7395, 8464, 9687, 11087, 12689, 14523, 16621, 19024, 21773, 24919, 28521, 32642,
    37359, 42758, 48938, 56010, 64104, 73368, 83971, 96106, 109_994, 125_890, 144_082, 164_904,
    188_735, 216_010, 247_226, 282_953, 323_844, 370_643, 424_206, 485_509, 555_672, 635_973,
    727_880, 833_067, 953_456, 1_091_243, 1_248_941, 1_429_429, 1_636_000, 1_872_423, 2_143_012,
    2_452_704, 2_807_151, 3_212_820, 3_677_113, 4_208_502, 4_816_684, 5_512_756, 6_309_419,
    7_221_210, 8_264_766, 9_459_129, 10_826_093, 12_390_601, 14_181_199, 16_230_562, 18_576_084,
    21_260_563, 24_332_984, 27_849_408, 31_873_999,
];

/// The per-code-hash figures activation stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProgramCosts {
    /// Entry cost when not cached (before scaling).
    pub init_cost: u16,
    /// Entry cost paid on every call (before scaling).
    pub cached_init_cost: u16,
    /// Estimated size of the compiled program in bytes.
    pub asm_estimate: u32,
    /// Initial memory pages.
    pub footprint: u16,
}

impl ProgramCosts {
    /// Computes the figures from an instrumented module's statistics (Nitro's `instrument`).
    pub fn from_stats(stats: &ModuleStats, stylus_version: u16) -> Result<Self, ActivationError> {
        let funcs = stats.funcs;
        let type_len = stats.type_len;
        let wasm_len = stats.wasm_len;
        let data_len = stats
            .data_segment_bytes
            .saturating_add(stats.elem_segment_bytes);

        let asm_estimate = 512_000u64
            .saturating_add(funcs.saturating_mul(996_829) / 1000)
            .saturating_add(type_len.saturating_mul(11_416) / 1000)
            .saturating_add(wasm_len.saturating_mul(62_628) / 10_000);

        let cached_init = (funcs.saturating_mul(13_420) / 100_000)
            .saturating_add(type_len.saturating_mul(89) / 100_000)
            .saturating_add(wasm_len.saturating_mul(122) / 100_000)
            .saturating_add(stats.globals.saturating_mul(1628) / 1000)
            .saturating_add(data_len.saturating_mul(75_244) / 100_000)
            .saturating_add(u64::from(stats.footprint) * 5);

        let mut init = if stylus_version == 1 { cached_init } else { 0 };
        init = init
            .saturating_add(funcs.saturating_mul(8252) / 1000)
            .saturating_add(type_len.saturating_mul(1059) / 1000)
            .saturating_add(wasm_len.saturating_mul(1286) / 10_000);

        Ok(Self {
            init_cost: u16::try_from(init).map_err(|_| ActivationError::TooCostly("init cost"))?,
            cached_init_cost: u16::try_from(cached_init)
                .map_err(|_| ActivationError::TooCostly("cached cost"))?,
            asm_estimate: u32::try_from(asm_estimate)
                .map_err(|_| ActivationError::TooCostly("asm estimate"))?,
            footprint: stats.footprint,
        })
    }

    /// The asm estimate as ArbOS stores it: KiB, rounded up.
    pub fn asm_estimate_kib(&self) -> u32 {
        self.asm_estimate.div_ceil(1024)
    }
}

/// Gas the compile work of activation costs (Nitro's `Module::activate`), excluding the fixed
/// and configurable burns.
pub fn compile_gas(stats: &ModuleStats, arbos_version: u64) -> u64 {
    // Microseconds of measured compile work, converted at Nitro's rate.
    let us_to_gas = |us: u64| us.saturating_mul(2 * 7_000_000) / (1_000_000 / 2);
    let mut gas = 0u64;
    if arbos_version >= ARBOS_STYLUS_CHARGING_FIXES {
        gas = gas.saturating_add(us_to_gas(stats.wasm_len.saturating_mul(31_733) / 100_000));
    }
    gas = gas.saturating_add(us_to_gas(stats.funcs.saturating_mul(17_263) / 100_000));
    gas = gas.saturating_add(us_to_gas(
        stats.data_payload_bytes.saturating_mul(17_376) / 100_000,
    ));
    gas = gas.saturating_add(us_to_gas(
        stats.elem_segment_bytes.saturating_mul(17_376) / 100_000,
    ));
    gas = gas.saturating_add(us_to_gas(u64::from(stats.footprint).saturating_mul(2217)));
    gas.saturating_add(us_to_gas(stats.instrumented_ops.saturating_mul(535) / 1000))
}

/// Why a program cannot be activated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActivationError {
    /// Nitro's feature set, structure or limits refuse the module.
    Invalid(ValidationError),
    /// An instrumentation pass refuses the module.
    Instrument(InstrumentError),
    /// A limit checked after instrumentation.
    Limit {
        /// What is counted.
        what: &'static str,
        /// The count found.
        actual: u64,
        /// The largest count allowed.
        max: u64,
    },
    /// A stored figure does not fit its field.
    TooCostly(&'static str),
}

impl fmt::Display for ActivationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Invalid(e) => write!(f, "failed to parse wasm: {e}"),
            Self::Instrument(e) => write!(f, "failed to parse wasm: {e}"),
            Self::Limit { what, actual, max } => {
                write!(
                    f,
                    "failed to parse wasm: too many wasm {what}: {actual} > {max}"
                )
            }
            Self::TooCostly(what) => write!(f, "failed to parse wasm: {what} too high"),
        }
    }
}

impl std::error::Error for ActivationError {}

impl From<ValidationError> for ActivationError {
    fn from(e: ValidationError) -> Self {
        Self::Invalid(e)
    }
}

impl From<InstrumentError> for ActivationError {
    fn from(e: InstrumentError) -> Self {
        Self::Instrument(e)
    }
}

/// A program that passed activation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activated {
    /// The instrumented module an engine runs.
    pub instrumented: Instrumented,
    /// The stored figures.
    pub costs: ProgramCosts,
    /// Gas of the compile work (see [`compile_gas`]).
    pub compile_gas: u64,
}

/// Validates, instruments and prices decompressed program WASM as `activateProgram` does.
///
/// `page_limit` is the page budget left in the transaction (`PageLimit − open pages`).
pub fn activate(
    wasm: &[u8],
    params: &StylusParams,
    arbos_version: u64,
    page_limit: u16,
    debug: bool,
) -> Result<Activated, ActivationError> {
    validate::validate_with(wasm, Rules::activation(arbos_version))?;
    let config = CompileConfig::version(params.version, debug);
    let instrumented = instrument::instrument(wasm, &config)?;
    let stats = &instrumented.stats;
    if u64::from(stats.footprint) > u64::from(page_limit) {
        return Err(ActivationError::Limit {
            what: "memory pages",
            actual: u64::from(stats.footprint),
            max: u64::from(page_limit),
        });
    }
    if stats.max_function_ops > 65_536 {
        return Err(ActivationError::Limit {
            what: "opcodes in func body",
            actual: stats.max_function_ops,
            max: 65_536,
        });
    }
    let costs = ProgramCosts::from_stats(stats, params.version)?;
    let compile_gas = compile_gas(stats, arbos_version);
    Ok(Activated {
        instrumented,
        costs,
        compile_gas,
    })
}

/// ArbOS's pricer of activation data (`data_pricer.go`): a demand that decays with time and an
/// exponential price per byte of compiled code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataPricer {
    /// Bytes of outstanding demand.
    pub demand: u32,
    /// Bytes of demand forgiven per second.
    pub bytes_per_second: u32,
    /// Time of the last update (seconds).
    pub last_update_time: u64,
    /// Price floor in wei per byte.
    pub min_price: u32,
    /// Demand at which the price grows by a factor e.
    pub inertia: u32,
}

impl Default for DataPricer {
    fn default() -> Self {
        let hourly: u64 = (1u64 << 40) / (365 * 24);
        Self {
            demand: 0,
            bytes_per_second: u32::try_from(hourly / 3600).unwrap_or(u32::MAX),
            last_update_time: ARBITRUM_START_TIME,
            min_price: 82_928_201,
            inertia: 21_360_419,
        }
    }
}

impl DataPricer {
    /// Records `bytes` of new demand at `time` and returns the fee in wei (`UpdateModel`).
    pub fn update(&mut self, bytes: u32, time: u64) -> u128 {
        let passed = u32::try_from(time.saturating_sub(self.last_update_time)).unwrap_or(u32::MAX);
        let credit = self.bytes_per_second.saturating_mul(passed);
        self.demand = self.demand.saturating_sub(credit).saturating_add(bytes);
        self.last_update_time = time;
        self.price(bytes)
    }

    /// The fee for `bytes` at the current demand, without updating the model.
    pub fn price(&self, bytes: u32) -> u128 {
        let exponent = 10_000 * i64::from(self.demand) / i64::from(self.inertia.max(1));
        let multiplier = approx_exp_bips(exponent, 12);
        let per_byte = u64::from(self.min_price).saturating_mul(multiplier) / 10_000;
        u128::from(per_byte.saturating_mul(u64::from(bytes)))
    }
}

/// `10 000 · e^(x / 10 000)` by Horner's scheme over `accuracy` terms (`ApproxExpBasisPoints`).
pub fn approx_exp_bips(value: i64, accuracy: u64) -> u64 {
    let x = value.unsigned_abs();
    let b: u64 = 10_000;
    let accuracy = accuracy.max(1);
    let mut res = b + x / accuracy;
    let mut i = accuracy - 1;
    while i > 0 {
        res = b + res.saturating_mul(x) / (i * b);
        i -= 1;
    }
    if value < 0 {
        b * b / res
    } else {
        res
    }
}

/// Hours since the Arbitrum epoch, as activation times are stored.
pub fn hours_since_arbitrum(time: u64) -> u32 {
    u32::try_from(time.saturating_sub(ARBITRUM_START_TIME) / 3600).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The spec's table (§1.7), as printed there.
    const SPEC_TABLE: &str = "1 1 1 1 1 1 2 2 2 3 3 4 5 5 6 7 8 9 11 12 14 17 19 22 25 29 33 38 43 50 57 65 75 85 98 112 128 147 168 193 221 253 289 331 379 434 497 569 651 745 853 976 1117 1279 1463 1675 1917 2194 2511 2874 3290 3765 4309 4932 5645 6461 7395 8464 9687 11087 12689 14523 16621 19024 21773 24919 28521 32642 37359 42758 48938 56010 64104 73368 83971 96106 109994 125890 144082 164904 188735 216010 247226 282953 323844 370643 424206 485509 555672 635973 727880 833067 953456 1091243 1248941 1429429 1636000 1872423 2143012 2452704 2807151 3212820 3677113 4208502 4816684 5512756 6309419 7221210 8264766 9459129 10826093 12390601 14181199 16230562 18576084 21260563 24332984 27849408 31873999";

    fn spec_exp(p: u16) -> u64 {
        SPEC_TABLE
            .split_whitespace()
            .nth(usize::from(p))
            .map_or(u64::MAX, |v| v.parse().unwrap())
    }

    #[test]
    fn memory_table_matches_spec() {
        assert_eq!(SPEC_TABLE.split_whitespace().count(), 129);
        for p in 0..=130u16 {
            assert_eq!(exp_pages(p), spec_exp(p), "page {p}");
        }
    }

    #[test]
    fn memory_gas_follows_the_model() {
        let params = StylusParams::default();
        // Within the two free pages nothing is charged.
        assert_eq!(params.memory_gas(2, 0, 0), 0);
        assert_eq!(params.memory_gas(1, 1, 2), 0);
        // A 17-page footprint on a fresh transaction: 15 linear pages and the jump 0 -> 17.
        assert_eq!(
            params.memory_gas(17, 0, 0),
            15 * 1000 + spec_exp(17) - spec_exp(0)
        );
        // The same program again after the first call closed: linear again, no expansion.
        assert_eq!(params.memory_gas(17, 0, 17), 15 * 1000);
        // Nested: 17 open, 17 more.
        assert_eq!(
            params.memory_gas(17, 17, 17),
            17 * 1000 + spec_exp(34) - spec_exp(17)
        );
        // Growing by one page inside a 1-page program.
        assert_eq!(params.memory_gas(1, 1, 1), 0);
        assert_eq!(params.memory_gas(1, 2, 2), 1000 + spec_exp(3) - spec_exp(2));
        // Past the table is unaffordable.
        assert_eq!(params.memory_gas(129, 0, 0), u64::MAX);
    }

    #[test]
    fn probe_figures_of_the_spec() {
        // Spec §2.5: funcs 141, type_len 389, wasm_len 27 215, segment bytes 1 932, footprint 1;
        // 3 module globals + 4 injected.
        let stats = ModuleStats {
            funcs: 141,
            type_len: 389,
            wasm_len: 27_215,
            globals: 7,
            data_segment_bytes: 1_900,
            elem_segment_bytes: 32,
            footprint: 1,
            ..ModuleStats::default()
        };
        let costs = ProgramCosts::from_stats(&stats, 2).unwrap();
        // init = ⌊141·8252/1000⌋ + ⌊389·1059/1000⌋ + ⌊27215·1286/10000⌋ = 1163 + 411 + 3499.
        assert_eq!(costs.init_cost, 1163 + 411 + 3499);
        assert_eq!(costs.init_cost, 5073);
        // cached = 18 + 0 + 33 + 11 + 1453 + 5.
        assert_eq!(costs.cached_init_cost, 18 + 33 + 11 + 1453 + 5);
        assert_eq!(costs.cached_init_cost, 1520);
        // asm = 512000 + 140552 + 4440 + 170442.
        assert_eq!(costs.asm_estimate, 827_434);
        assert_eq!(costs.asm_estimate_kib(), 809);
        let params = StylusParams::default();
        assert_eq!(params.entry_gas(&costs, false), 15_777);
        assert_eq!(params.entry_gas(&costs, true), 1_872);
        // Version 1 folds the cached cost into the init cost.
        let v1 = ProgramCosts::from_stats(&stats, 1).unwrap();
        assert_eq!(v1.init_cost, 5073 + 1520);
    }

    #[test]
    fn init_gas_rounds_up() {
        // Scalars in units of 2 %: 1 is 2 %, 3 is 6 %.
        let params = StylusParams {
            init_cost_scalar: 1,
            cached_cost_scalar: 3,
            ..StylusParams::default()
        };
        assert_eq!(params.init_gas(101), 69 * 128 + 3); // 2.02 -> 3
        assert_eq!(params.cached_gas(50), 11 * 32 + 3); // 3.0 -> 3
        assert_eq!(params.cached_gas(51), 11 * 32 + 4); // 3.06 -> 4
    }

    #[test]
    fn compile_gas_per_component() {
        let stats = ModuleStats {
            funcs: 1000,
            wasm_len: 100_000,
            data_payload_bytes: 10_000,
            elem_segment_bytes: 2000,
            footprint: 2,
            instrumented_ops: 50_000,
            ..ModuleStats::default()
        };
        // µs: wasm 31, funcs 172, data 1737, elems 347, memory 4434, code 26750; 28 gas per µs.
        let us = 31_733 + 172 + 1737 + 347 + 4434 + 26_750;
        assert_eq!(compile_gas(&stats, 32), us * 28);
        assert_eq!(compile_gas(&stats, 31), (us - 31_733) * 28);
    }

    #[test]
    fn data_fee_is_exponential_in_demand() {
        let mut pricer = DataPricer::default();
        assert_eq!(pricer.bytes_per_second, 34_865);
        let bytes = 827_434u32;
        let fee = pricer.update(bytes, ARBITRUM_START_TIME + 10 * 365 * 86_400);
        assert_eq!(pricer.demand, bytes);
        // Independent: 10 000 · e^(387 / 10 000) in bips, truncated.
        let exponent = 10_000 * u64::from(bytes) / 21_360_419;
        assert_eq!(exponent, 387);
        #[allow(
            clippy::cast_precision_loss,
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss
        )]
        let bips = (10_000.0 * (exponent as f64 / 10_000.0).exp()) as u64;
        assert!(approx_exp_bips(387, 12).abs_diff(bips) <= 1);
        let per_byte = 82_928_201u64 * approx_exp_bips(387, 12) / 10_000;
        assert_eq!(fee, u128::from(per_byte) * u128::from(bytes));
        // A second activation right after pays more per byte.
        let second = pricer.update(bytes, ARBITRUM_START_TIME + 10 * 365 * 86_400);
        assert!(second > fee);
        assert_eq!(approx_exp_bips(0, 12), 10_000);
        assert_eq!(
            approx_exp_bips(-10_000, 12),
            10_000 * 10_000 / approx_exp_bips(10_000, 12)
        );
    }

    #[test]
    fn activation_refuses_with_reasons() {
        let params = StylusParams::default();
        let float = wat::parse_str(
            r#"(module (memory (export "memory") 1 1)
                (func (export "user_entrypoint") (param i32) (result i32)
                  f32.const 1 f32.const 2 f32.add drop i32.const 0))"#,
        )
        .unwrap();
        let err = activate(&float, &params, 60, 128, false).unwrap_err();
        assert!(err.to_string().starts_with("failed to parse wasm"), "{err}");

        let too_big = wat::parse_str(
            r#"(module (import "vm_hooks" "pay_for_memory_grow" (func (param i32)))
                (memory (export "memory") 129)
                (func (export "user_entrypoint") (param i32) (result i32) i32.const 0))"#,
        )
        .unwrap();
        assert!(activate(&too_big, &params, 60, 128, false).is_err());

        let ok = wat::parse_str(
            r#"(module (memory (export "memory") 3 3)
                (func (export "user_entrypoint") (param i32) (result i32) i32.const 0))"#,
        )
        .unwrap();
        let err = activate(&ok, &params, 60, 2, false).unwrap_err();
        assert_eq!(
            err,
            ActivationError::Limit {
                what: "memory pages",
                actual: 3,
                max: 2
            }
        );
        let activated = activate(&ok, &params, 60, 128, false).unwrap();
        assert_eq!(activated.costs.footprint, 3);
        assert_eq!(activated.instrumented.stats.globals, 4);
    }
}
