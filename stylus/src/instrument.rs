//! Nitro's instrumentation of a user program, reproduced as a module rewrite.
//!
//! Gas in Stylus is defined by code that Nitro injects into the program, not by the engine that
//! runs it: the same instrumented module runs on Nitro's native compiler and on its proving
//! interpreter. Reproducing the injected code exactly is therefore what makes a local engine
//! charge what Nitro charges (`spec/stylus-platform.md` §2.3).
//!
//! The passes run per function in Nitro's order, each over the output of the previous one:
//!
//! 1. **start mover**: a `start` function is refused (production chains), exports other than
//!    `user_entrypoint` and `memory` are dropped;
//! 2. **ink meter**: every basic block is prefixed with a header that checks and deducts the
//!    block's static price plus the header's own price;
//! 3. **dynamic meter**: `memory.copy` / `memory.fill` pay per byte before running;
//! 4. **depth checker**: every function reserves its worst-case frame from a stack budget;
//! 5. **heap bound**: `memory.grow` is preceded by a call to `pay_for_memory_grow`.
//!
//! The depth checker measures the output of the two meters, and the heap bound's injected call
//! is neither priced nor counted in a frame: both quirks change gas and depth failures, so both
//! are kept.
//!
//! The input should already have passed [`crate::validate`]; the rewrite still refuses any
//! malformed input with an error instead of panicking, since fuzzers feed it arbitrary bytes.

use std::fmt;

use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
use wasm_encoder::{
    CodeSection, ConstExpr, ExportKind, ExportSection, Function, GlobalSection, GlobalType, Module,
    RawSection, ValType as EncValType,
};
use wasmparser::{
    BlockType, CompositeInnerType, ExternalKind, FunctionBody, Operator, Parser, Payload, TypeRef,
    ValType,
};

/// Export name of the ink counter (`i64`).
pub const STYLUS_INK_LEFT: &str = "stylus_ink_left";
/// Export name of the ink status (`i32`: 0 ready, 1 exhausted).
pub const STYLUS_INK_STATUS: &str = "stylus_ink_status";
/// Export name of the scratch global shared by the dynamic meter and the heap bound (`i32`).
pub const STYLUS_SCRATCH_GLOBAL: &str = "stylus_scratch_global";
/// Export name of the stack budget (`i32`, in depth-checker words).
pub const STYLUS_STACK_LEFT: &str = "stylus_stack_left";
/// Export name a `start` function is moved to (only on debug chains).
pub const STYLUS_START: &str = "stylus_start";
/// The program's entry point.
pub const USER_ENTRYPOINT: &str = "user_entrypoint";
/// Import module of the host functions.
pub const HOSTIO_MODULE: &str = "vm_hooks";
/// The hostio the heap bound calls before `memory.grow`.
pub const PAY_FOR_MEMORY_GROW: &str = "pay_for_memory_grow";

/// Compile-time parameters of the passes (Nitro's `CompileConfig`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompileConfig {
    /// Ink price of a basic block's header (`ink_header_cost`).
    pub ink_header_cost: u64,
    /// Ink per byte of `memory.fill`.
    pub memory_fill_ink: u64,
    /// Ink per byte of `memory.copy`.
    pub memory_copy_ink: u64,
    /// Largest frame in depth-checker words (`max_frame_size`).
    pub max_frame_size: u32,
    /// Largest worst-case operand-stack height (`max_frame_contention`).
    pub max_frame_contention: u32,
    /// Largest initial memory in pages (`heap_bound`).
    pub heap_bound: u32,
    /// Debug chains keep `start` functions (moved to `stylus_start`) and all exports.
    pub debug: bool,
}

impl CompileConfig {
    /// The configuration Nitro uses for a Stylus version; versions 1 and 2 share one table.
    pub const fn version(_stylus_version: u16, debug: bool) -> Self {
        Self {
            ink_header_cost: 2450,
            memory_fill_ink: 800 / 8,
            memory_copy_ink: 800 / 8,
            max_frame_size: 10 * 1024,
            max_frame_contention: 4096,
            heap_bound: 128,
            debug,
        }
    }
}

impl Default for CompileConfig {
    fn default() -> Self {
        Self::version(2, false)
    }
}

/// Why a module cannot be instrumented (and so cannot be activated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstrumentError {
    /// The bytes are not a well-formed module.
    Parse(String),
    /// The module has a `start` function.
    StartFunction,
    /// The module already exports a name the instrumentation needs.
    NameTaken(&'static str),
    /// No memory, several memories, or no memory exported as `memory`.
    Memory(&'static str),
    /// The initial memory exceeds the heap bound.
    MemoryTooLarge {
        /// Initial pages.
        pages: u64,
        /// Bound in pages.
        bound: u32,
    },
    /// The memory can grow but `vm_hooks.pay_for_memory_grow` is not imported.
    MissingPayForMemoryGrow,
    /// `vm_hooks.pay_for_memory_grow` is imported with another type than `(i32) -> ()`.
    WrongPayForMemoryGrowType,
    /// An operator no pass supports (tables, `memory.init`, reference types, ...).
    UnsupportedOperator {
        /// Defined-function index (imports excluded).
        func: u32,
        /// The operator, as wasmparser names it.
        op: String,
    },
    /// Float arithmetic or conversions: user programs get no soft-float implementation.
    FloatOperation {
        /// Defined-function index (imports excluded).
        func: u32,
    },
    /// A frame larger than `max_frame_size` words.
    FrameTooLarge {
        /// Defined-function index (imports excluded).
        func: u32,
        /// Frame size in words.
        size: u64,
        /// The limit.
        limit: u32,
    },
    /// More values on the operand stack at once than `max_frame_contention`.
    StackContention {
        /// Defined-function index (imports excluded).
        func: u32,
        /// Worst-case height.
        height: u32,
        /// The limit.
        limit: u32,
    },
    /// Block nesting that does not close properly.
    MalformedScopes {
        /// Defined-function index (imports excluded).
        func: u32,
    },
    /// A reference to a type or function that does not exist.
    MissingType(u32),
    /// The rewritten module could not be encoded.
    Encode(String),
}

impl fmt::Display for InstrumentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Parse(e) => write!(f, "malformed wasm: {e}"),
            Self::StartFunction => f.write_str("start functions not allowed"),
            Self::NameTaken(name) => write!(f, "wasm already contains {name}"),
            Self::Memory(why) => f.write_str(why),
            Self::MemoryTooLarge { pages, bound } => {
                write!(f, "memory size {pages} exceeds bound {bound}")
            }
            Self::MissingPayForMemoryGrow => write!(f, "missing import {PAY_FOR_MEMORY_GROW}"),
            Self::WrongPayForMemoryGrowType => write!(f, "wrong type for {PAY_FOR_MEMORY_GROW}"),
            Self::UnsupportedOperator { func, op } => {
                write!(f, "opcode not supported in func {func}: {op}")
            }
            Self::FloatOperation { func } => {
                write!(
                    f,
                    "no implementation for floating point operation in func {func}"
                )
            }
            Self::FrameTooLarge { func, size, limit } => {
                write!(
                    f,
                    "frame too large in func {func}: {size} > {limit}-word limit"
                )
            }
            Self::StackContention {
                func,
                height,
                limit,
            } => write!(
                f,
                "too many values on the stack at once in func {func}: {height} > {limit}"
            ),
            Self::MalformedScopes { func } => write!(f, "malformed scoping in func {func}"),
            Self::MissingType(index) => write!(f, "missing type {index}"),
            Self::Encode(e) => write!(f, "failed to encode instrumented wasm: {e}"),
        }
    }
}

impl std::error::Error for InstrumentError {}

impl From<wasmparser::BinaryReaderError> for InstrumentError {
    fn from(e: wasmparser::BinaryReaderError) -> Self {
        Self::Parse(e.to_string())
    }
}

/// Indices of the four injected globals in the instrumented module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InjectedGlobals {
    /// `stylus_ink_left` (`i64`).
    pub ink_left: u32,
    /// `stylus_ink_status` (`i32`).
    pub ink_status: u32,
    /// `stylus_scratch_global` (`i32`).
    pub scratch: u32,
    /// `stylus_stack_left` (`i32`).
    pub stack_left: u32,
}

/// The module figures activation prices are computed from (Nitro's `StylusData` inputs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ModuleStats {
    /// Defined functions.
    pub funcs: u64,
    /// Sum over defined functions of parameter + result counts.
    pub type_len: u64,
    /// Length of the WASM as stored on chain, decompressed (custom sections included).
    pub wasm_len: u64,
    /// Globals after instrumentation (the four injected ones included).
    pub globals: u64,
    /// Encoded bytes of all data segments.
    pub data_segment_bytes: u64,
    /// Payload bytes of all data segments.
    pub data_payload_bytes: u64,
    /// Encoded bytes of all element segments.
    pub elem_segment_bytes: u64,
    /// Initial memory pages.
    pub footprint: u16,
    /// Operators of all function bodies after instrumentation (final `end`s included).
    pub instrumented_ops: u64,
    /// Largest operator count of one function body after instrumentation.
    pub max_function_ops: u64,
    /// Declared locals (parameters excluded) of the function with the most.
    pub max_locals: u64,
}

/// An instrumented module, ready for an engine, and its figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instrumented {
    /// The rewritten module.
    pub wasm: Vec<u8>,
    /// Where the injected globals are.
    pub globals: InjectedGlobals,
    /// Figures for activation prices.
    pub stats: ModuleStats,
}

/// A function signature, reduced to what the passes need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Sig {
    params: u32,
    results: u32,
    is_pay_type: bool,
}

/// Instruments `wasm` with Nitro's passes.
pub fn instrument(wasm: &[u8], config: &CompileConfig) -> Result<Instrumented, InstrumentError> {
    let parsed = ParsedModule::parse(wasm)?;
    parsed.rewrite(wasm, config)
}

type Range = std::ops::Range<usize>;

/// What the rewrite needs to know about the input, gathered in one parsing pass.
struct ParsedModule<'a> {
    types: Vec<Option<Sig>>,
    /// Type index of every function, imports first.
    func_types: Vec<u32>,
    imported_globals: u32,
    defined_globals: u32,
    pay_import: Option<(u32, u32)>,
    memories: Vec<wasmparser::MemoryType>,
    memory_imported: bool,
    exports: Vec<(&'a str, ExternalKind, u32)>,
    has_start: bool,
    bodies: Vec<FunctionBody<'a>>,
    /// Raw sections kept as they are (id, byte range), in input order.
    sections: Vec<(u8, Range)>,
    global_range: Option<Range>,
    stats: ModuleStats,
}

fn count(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

impl<'a> ParsedModule<'a> {
    #[allow(clippy::too_many_lines)]
    fn parse(wasm: &'a [u8]) -> Result<Self, InstrumentError> {
        let mut m = ParsedModule {
            types: Vec::new(),
            func_types: Vec::new(),
            imported_globals: 0,
            defined_globals: 0,
            pay_import: None,
            memories: Vec::new(),
            memory_imported: false,
            exports: Vec::new(),
            has_start: false,
            bodies: Vec::new(),
            sections: Vec::new(),
            global_range: None,
            stats: ModuleStats {
                wasm_len: wasm.len() as u64,
                ..ModuleStats::default()
            },
        };
        for payload in Parser::new(0).parse_all(wasm) {
            match payload? {
                Payload::Version { .. }
                | Payload::CustomSection(_)
                | Payload::CodeSectionStart { .. }
                | Payload::End(_) => {}
                Payload::TypeSection(reader) => {
                    m.sections.push((1, reader.range()));
                    for rec in reader {
                        for sub in rec?.into_types() {
                            let sig = match &sub.composite_type.inner {
                                CompositeInnerType::Func(ty) => Some(Sig {
                                    params: count(ty.params().len()),
                                    results: count(ty.results().len()),
                                    is_pay_type: ty.params() == [ValType::I32]
                                        && ty.results().is_empty(),
                                }),
                                _ => None,
                            };
                            m.types.push(sig);
                        }
                    }
                }
                Payload::ImportSection(reader) => {
                    m.sections.push((2, reader.range()));
                    for import in reader.into_imports() {
                        let import = import?;
                        match import.ty {
                            TypeRef::Func(ty) | TypeRef::FuncExact(ty) => {
                                if import.module == HOSTIO_MODULE
                                    && import.name == PAY_FOR_MEMORY_GROW
                                    && m.pay_import.is_none()
                                {
                                    m.pay_import = Some((count(m.func_types.len()), ty));
                                }
                                m.func_types.push(ty);
                            }
                            TypeRef::Global(_) => m.imported_globals += 1,
                            TypeRef::Memory(mem) => {
                                m.memory_imported = true;
                                m.memories.push(mem);
                            }
                            TypeRef::Table(_) | TypeRef::Tag(_) => {}
                        }
                    }
                }
                Payload::FunctionSection(reader) => {
                    m.sections.push((3, reader.range()));
                    for ty in reader {
                        let ty = ty?;
                        let sig = m.sig(ty)?;
                        m.stats.type_len += u64::from(sig.params) + u64::from(sig.results);
                        m.stats.funcs += 1;
                        m.func_types.push(ty);
                    }
                }
                Payload::TableSection(reader) => m.sections.push((4, reader.range())),
                Payload::MemorySection(reader) => {
                    m.sections.push((5, reader.range()));
                    for mem in reader {
                        m.memories.push(mem?);
                    }
                }
                Payload::TagSection(reader) => m.sections.push((13, reader.range())),
                Payload::GlobalSection(reader) => {
                    m.defined_globals = reader.count();
                    m.global_range = Some(reader.range());
                }
                Payload::ExportSection(reader) => {
                    for export in reader {
                        let export = export?;
                        m.exports.push((export.name, export.kind, export.index));
                    }
                }
                Payload::StartSection { .. } => m.has_start = true,
                Payload::ElementSection(reader) => {
                    m.sections.push((9, reader.range()));
                    for elem in reader {
                        m.stats.elem_segment_bytes += elem?.range.len() as u64;
                    }
                }
                Payload::DataCountSection { range, .. } => m.sections.push((12, range)),
                Payload::DataSection(reader) => {
                    m.sections.push((11, reader.range()));
                    for data in reader {
                        let data = data?;
                        m.stats.data_segment_bytes += data.range.len() as u64;
                        m.stats.data_payload_bytes += data.data.len() as u64;
                    }
                }
                Payload::CodeSectionEntry(body) => m.bodies.push(body),
                other => {
                    let id = other.as_section().map(|(id, _)| id);
                    return Err(InstrumentError::Parse(format!(
                        "unsupported section {id:?}"
                    )));
                }
            }
        }
        if m.bodies.len() as u64 != m.stats.funcs {
            return Err(InstrumentError::Parse(
                "function and code section counts differ".into(),
            ));
        }
        Ok(m)
    }

    fn sig(&self, type_index: u32) -> Result<Sig, InstrumentError> {
        self.types
            .get(type_index as usize)
            .copied()
            .flatten()
            .ok_or(InstrumentError::MissingType(type_index))
    }

    fn func_sig(&self, func_index: u32) -> Result<Sig, InstrumentError> {
        let ty = self
            .func_types
            .get(func_index as usize)
            .copied()
            .ok_or(InstrumentError::MissingType(func_index))?;
        self.sig(ty)
    }

    // One pass over the module in Nitro's order reads better than helpers split by size.
    #[allow(clippy::too_many_lines)]
    fn rewrite(
        &self,
        wasm: &[u8],
        config: &CompileConfig,
    ) -> Result<Instrumented, InstrumentError> {
        // Start mover.
        if self.has_start && !config.debug {
            return Err(InstrumentError::StartFunction);
        }
        let kept_exports: Vec<(&str, ExternalKind, u32)> = self
            .exports
            .iter()
            .copied()
            .filter(|(name, kind, _)| {
                config.debug
                    || matches!(
                        (*name, kind),
                        (USER_ENTRYPOINT | STYLUS_START, ExternalKind::Func)
                            | ("memory", ExternalKind::Memory)
                    )
            })
            .collect();
        for name in [
            STYLUS_INK_LEFT,
            STYLUS_INK_STATUS,
            STYLUS_SCRATCH_GLOBAL,
            STYLUS_STACK_LEFT,
        ] {
            if kept_exports.iter().any(|(n, _, _)| *n == name) {
                return Err(InstrumentError::NameTaken(name));
            }
        }

        // The meter, dynamic meter and depth checker each add one global, in this order.
        let first = self.imported_globals.saturating_add(self.defined_globals);
        let globals = InjectedGlobals {
            ink_left: first,
            ink_status: first.saturating_add(1),
            scratch: first.saturating_add(2),
            stack_left: first.saturating_add(3),
        };

        // Heap bound (module part).
        if self.memories.is_empty() {
            return Err(InstrumentError::Memory(
                "missing memory export with name memory",
            ));
        }
        if self.memories.len() > 1 {
            return Err(InstrumentError::Memory("only one memory is allowed"));
        }
        if self.memory_imported
            || !kept_exports
                .iter()
                .any(|(n, k, i)| *n == "memory" && *k == ExternalKind::Memory && *i == 0)
        {
            return Err(InstrumentError::Memory(
                "missing memory with export name memory",
            ));
        }
        let memory = self.memories[0];
        if memory.initial > u64::from(config.heap_bound) {
            return Err(InstrumentError::MemoryTooLarge {
                pages: memory.initial,
                bound: config.heap_bound,
            });
        }
        let pay_func = if memory.maximum == Some(memory.initial) {
            None
        } else {
            let (index, ty) = self
                .pay_import
                .ok_or(InstrumentError::MissingPayForMemoryGrow)?;
            if !self.sig(ty).is_ok_and(|s| s.is_pay_type) {
                return Err(InstrumentError::WrongPayForMemoryGrowType);
            }
            Some(index)
        };

        let mut stats = self.stats;
        stats.globals = u64::from(self.defined_globals) + u64::from(self.imported_globals) + 4;
        stats.footprint = u16::try_from(memory.initial).unwrap_or(u16::MAX);

        let mut code = CodeSection::new();
        let mut reencoder = RoundtripReencoder;
        for (local_index, body) in self.bodies.iter().enumerate() {
            let func = count(local_index);
            let mut locals = Vec::new();
            let mut local_count: u64 = 0;
            for local in body.get_locals_reader()? {
                let (n, ty) = local?;
                local_count += u64::from(n);
                locals.push((n, reencoder.val_type(ty).map_err(encode_err)?));
            }
            stats.max_locals = stats.max_locals.max(local_count);

            let mut ops = Vec::new();
            let mut reader = body.get_operators_reader()?;
            while !reader.eof() {
                ops.push(reader.read()?);
            }
            reader.finish()?;
            check_floats(&ops, func)?;

            let ops = self.meter(ops, config, globals);
            let ops = dynamic_meter(ops, config, globals, func)?;
            let ops = self.depth_check(ops, local_count, config, globals, func)?;
            let ops = heap_bound(ops, pay_func, globals);

            stats.instrumented_ops += ops.len() as u64;
            stats.max_function_ops = stats.max_function_ops.max(ops.len() as u64);

            let mut function = Function::new(locals);
            for op in ops {
                let instruction = reencoder.instruction(op).map_err(encode_err)?;
                function.instruction(&instruction);
            }
            code.function(&function);
        }

        let module = self.encode(wasm, &kept_exports, globals, &code)?;
        Ok(Instrumented {
            wasm: module,
            globals,
            stats,
        })
    }

    fn encode(
        &self,
        wasm: &[u8],
        exports: &[(&str, ExternalKind, u32)],
        globals: InjectedGlobals,
        code: &CodeSection,
    ) -> Result<Vec<u8>, InstrumentError> {
        let mut global_section = GlobalSection::new();
        if let Some(range) = &self.global_range {
            let bytes = wasm.get(range.clone()).unwrap_or_default();
            let reader = wasmparser::GlobalSectionReader::new(wasmparser::BinaryReader::new(
                bytes,
                range.start,
            ))?;
            RoundtripReencoder
                .parse_global_section(&mut global_section, reader)
                .map_err(encode_err)?;
        }
        let mutable = |val_type| GlobalType {
            val_type,
            mutable: true,
            shared: false,
        };
        global_section.global(mutable(EncValType::I64), &ConstExpr::i64_const(0));
        global_section.global(mutable(EncValType::I32), &ConstExpr::i32_const(0));
        global_section.global(mutable(EncValType::I32), &ConstExpr::i32_const(0));
        global_section.global(mutable(EncValType::I32), &ConstExpr::i32_const(0));

        let mut export_section = ExportSection::new();
        for (name, kind, index) in exports {
            let kind = match kind {
                ExternalKind::Func | ExternalKind::FuncExact => ExportKind::Func,
                ExternalKind::Table => ExportKind::Table,
                ExternalKind::Memory => ExportKind::Memory,
                ExternalKind::Global => ExportKind::Global,
                ExternalKind::Tag => ExportKind::Tag,
            };
            export_section.export(name, kind, *index);
        }
        export_section.export(STYLUS_INK_LEFT, ExportKind::Global, globals.ink_left);
        export_section.export(STYLUS_INK_STATUS, ExportKind::Global, globals.ink_status);
        export_section.export(STYLUS_SCRATCH_GLOBAL, ExportKind::Global, globals.scratch);
        export_section.export(STYLUS_STACK_LEFT, ExportKind::Global, globals.stack_left);

        // Sections must appear in the binary format's order: the rebuilt global, export and
        // code sections go before the first kept section that must follow them. Custom
        // sections (names included) are dropped: the instrumented module is only executed.
        let mut out = Module::new();
        let mut placed_globals = false;
        let mut placed_code = false;
        for (id, range) in &self.sections {
            let rank = section_rank(*id);
            if !placed_globals && rank > section_rank(6) {
                out.section(&global_section);
                out.section(&export_section);
                placed_globals = true;
            }
            if !placed_code && rank > section_rank(10) {
                out.section(code);
                placed_code = true;
            }
            out.section(&RawSection {
                id: *id,
                data: wasm.get(range.clone()).unwrap_or_default(),
            });
        }
        if !placed_globals {
            out.section(&global_section);
            out.section(&export_section);
        }
        if !placed_code {
            out.section(code);
        }
        Ok(out.finish())
    }

    /// The ink meter: buffers a basic block and emits its header before it.
    fn meter<'o>(
        &self,
        ops: Vec<Operator<'o>>,
        config: &CompileConfig,
        globals: InjectedGlobals,
    ) -> Vec<Operator<'o>> {
        let mut out = Vec::with_capacity(ops.len() * 2);
        let mut block = Vec::new();
        let mut block_cost: u64 = 0;
        let ink = globals.ink_left;
        let status = globals.ink_status;
        for op in ops {
            let ends = ends_basic_block(&op);
            block_cost = block_cost.saturating_add(self.op_ink(&op));
            block.push(op);
            if ends {
                let cost = block_cost.saturating_add(config.ink_header_cost);
                // The header compares unsigned, so a saturated u64::MAX stays maximal.
                #[allow(clippy::cast_possible_wrap)]
                let cost = cost as i64;
                out.extend([
                    Operator::GlobalGet { global_index: ink },
                    Operator::I64Const { value: cost },
                    Operator::I64LtU,
                    Operator::If {
                        blockty: BlockType::Empty,
                    },
                    Operator::I32Const { value: 1 },
                    Operator::GlobalSet {
                        global_index: status,
                    },
                    Operator::Unreachable,
                    Operator::End,
                    Operator::GlobalGet { global_index: ink },
                    Operator::I64Const { value: cost },
                    Operator::I64Sub,
                    Operator::GlobalSet { global_index: ink },
                ]);
                out.append(&mut block);
                block_cost = 0;
            }
        }
        // A valid body ends with `end`, which closes the last block; like Nitro, anything
        // after it would never be emitted.
        out
    }

    /// Price of one operator in ink (`pricing_v1`).
    fn op_ink(&self, op: &Operator) -> u64 {
        if let Operator::CallIndirect { type_index, .. } = op {
            return self
                .sig(*type_index)
                .map_or(u64::MAX, |sig| 13_610 + 650 * u64::from(sig.params));
        }
        op_ink(op)
    }

    /// The depth checker: reserves the function's worst-case frame on entry and gives it back
    /// before every `return` (one is added before the final `end`).
    fn depth_check<'o>(
        &self,
        code: Vec<Operator<'o>>,
        locals: u64,
        config: &CompileConfig,
        globals: InjectedGlobals,
        func: u32,
    ) -> Result<Vec<Operator<'o>>, InstrumentError> {
        let worst = self.worst_case_depth(&code, func)?;
        if worst > config.max_frame_contention {
            return Err(InstrumentError::StackContention {
                func,
                height: worst,
                limit: config.max_frame_contention,
            });
        }
        let size = u64::from(worst) + locals + 4;
        if size > u64::from(config.max_frame_size) {
            return Err(InstrumentError::FrameTooLarge {
                func,
                size,
                limit: config.max_frame_size,
            });
        }
        // At most max_frame_size, far below i32::MAX.
        let size = i32::try_from(size).unwrap_or(i32::MAX);
        let global_index = globals.stack_left;
        let mut out = Vec::with_capacity(code.len() + 24);
        out.extend([
            Operator::GlobalGet { global_index },
            Operator::I32Const { value: size },
            Operator::I32LeU,
            Operator::If {
                blockty: BlockType::Empty,
            },
            Operator::I32Const { value: 0 },
            Operator::GlobalSet { global_index },
            Operator::Unreachable,
            Operator::End,
            Operator::GlobalGet { global_index },
            Operator::I32Const { value: size },
            Operator::I32Sub,
            Operator::GlobalSet { global_index },
        ]);
        let mut code = code;
        let last = code
            .pop()
            .ok_or(InstrumentError::MalformedScopes { func })?;
        code.push(Operator::Return);
        code.push(last);
        for op in code {
            if matches!(op, Operator::Return) {
                out.extend([
                    Operator::GlobalGet { global_index },
                    Operator::I32Const { value: size },
                    Operator::I32Add,
                    Operator::GlobalSet { global_index },
                ]);
            }
            out.push(op);
        }
        Ok(out)
    }

    // The operator table is one match, as in the spec.
    #[allow(clippy::too_many_lines)]
    fn worst_case_depth(&self, code: &[Operator], func: u32) -> Result<u32, InstrumentError> {
        #[allow(clippy::enum_glob_use)]
        use Operator::*;
        let mut worst: u32 = 0;
        let mut stack: u32 = 0;
        let mut scopes = vec![0u32];
        let push = |stack: &mut u32, worst: &mut u32, n: u32| {
            *stack = stack.saturating_add(n);
            *worst = (*worst).max(*stack);
        };
        let pop = |stack: &mut u32, n: u32| *stack = stack.saturating_sub(n);
        let block_type = |stack: &mut u32, worst: &mut u32, ty: &BlockType| match ty {
            BlockType::Empty => Ok::<(), InstrumentError>(()),
            BlockType::Type(_) => {
                push(stack, worst, 1);
                Ok(())
            }
            BlockType::FuncType(id) => {
                let sig = self.sig(*id)?;
                push(stack, worst, sig.results);
                pop(stack, sig.params);
                Ok(())
            }
        };
        for op in code {
            match op {
                Block { blockty } | Loop { blockty } => {
                    block_type(&mut stack, &mut worst, blockty)?;
                    scopes.push(stack);
                }
                If { blockty } => {
                    pop(&mut stack, 1);
                    block_type(&mut stack, &mut worst, blockty)?;
                    scopes.push(stack);
                }
                Else => {
                    stack = *scopes
                        .last()
                        .ok_or(InstrumentError::MalformedScopes { func })?;
                }
                End => {
                    stack = scopes
                        .pop()
                        .ok_or(InstrumentError::MalformedScopes { func })?;
                }
                Call { function_index } => {
                    let sig = self.func_sig(*function_index)?;
                    push(&mut stack, &mut worst, sig.results);
                    pop(&mut stack, sig.params);
                }
                CallIndirect { type_index, .. } => {
                    let sig = self.sig(*type_index)?;
                    push(&mut stack, &mut worst, sig.results);
                    pop(&mut stack, sig.params);
                    pop(&mut stack, 1);
                }
                MemoryFill { .. } | MemoryCopy { .. } => pop(&mut stack, 3),
                Nop
                | Unreachable
                | I32Eqz
                | I64Eqz
                | I32Clz
                | I32Ctz
                | I32Popcnt
                | I64Clz
                | I64Ctz
                | I64Popcnt
                | Br { .. }
                | Return
                | LocalTee { .. }
                | MemoryGrow { .. }
                | I32Load { .. }
                | I64Load { .. }
                | F32Load { .. }
                | F64Load { .. }
                | I32Load8S { .. }
                | I32Load8U { .. }
                | I32Load16S { .. }
                | I32Load16U { .. }
                | I64Load8S { .. }
                | I64Load8U { .. }
                | I64Load16S { .. }
                | I64Load16U { .. }
                | I64Load32S { .. }
                | I64Load32U { .. }
                | I32WrapI64
                | I64ExtendI32S
                | I64ExtendI32U
                | I32Extend8S
                | I32Extend16S
                | I64Extend8S
                | I64Extend16S
                | I64Extend32S
                | I32ReinterpretF32
                | I64ReinterpretF64
                | F32ReinterpretI32
                | F64ReinterpretI64 => {}
                LocalGet { .. }
                | GlobalGet { .. }
                | MemorySize { .. }
                | I32Const { .. }
                | I64Const { .. }
                | F32Const { .. }
                | F64Const { .. } => {
                    push(&mut stack, &mut worst, 1);
                }
                Drop
                | I32Eq
                | I32Ne
                | I32LtS
                | I32LtU
                | I32GtS
                | I32GtU
                | I32LeS
                | I32LeU
                | I32GeS
                | I32GeU
                | I64Eq
                | I64Ne
                | I64LtS
                | I64LtU
                | I64GtS
                | I64GtU
                | I64LeS
                | I64LeU
                | I64GeS
                | I64GeU
                | I32Add
                | I32Sub
                | I32Mul
                | I32DivS
                | I32DivU
                | I32RemS
                | I32RemU
                | I64Add
                | I64Sub
                | I64Mul
                | I64DivS
                | I64DivU
                | I64RemS
                | I64RemU
                | I32And
                | I32Or
                | I32Xor
                | I32Shl
                | I32ShrS
                | I32ShrU
                | I32Rotl
                | I32Rotr
                | I64And
                | I64Or
                | I64Xor
                | I64Shl
                | I64ShrS
                | I64ShrU
                | I64Rotl
                | I64Rotr
                | BrIf { .. }
                | BrTable { .. }
                | LocalSet { .. }
                | GlobalSet { .. } => pop(&mut stack, 1),
                Select
                | I32Store { .. }
                | I64Store { .. }
                | F32Store { .. }
                | F64Store { .. }
                | I32Store8 { .. }
                | I32Store16 { .. }
                | I64Store8 { .. }
                | I64Store16 { .. }
                | I64Store32 { .. } => pop(&mut stack, 2),
                other => {
                    return Err(InstrumentError::UnsupportedOperator {
                        func,
                        op: format!("{other:?}"),
                    })
                }
            }
        }
        Ok(worst)
    }
}

/// Position of a section id in the binary format's order (custom sections excluded).
fn section_rank(id: u8) -> u8 {
    match id {
        13 => 6,
        6 => 7,
        7 => 8,
        8 => 9,
        9 => 10,
        12 => 11,
        10 => 12,
        11 => 13,
        other => other,
    }
}

fn encode_err(e: impl fmt::Display) -> InstrumentError {
    InstrumentError::Encode(e.to_string())
}

/// Whether the meter closes a basic block after this operator.
fn ends_basic_block(op: &Operator) -> bool {
    matches!(
        op,
        Operator::End
            | Operator::Else
            | Operator::Return
            | Operator::Loop { .. }
            | Operator::Br { .. }
            | Operator::BrTable { .. }
            | Operator::BrIf { .. }
            | Operator::If { .. }
            | Operator::Call { .. }
            | Operator::CallIndirect { .. }
    )
}

/// Ink of an operator whose price does not depend on the module (`pricing_v1`); everything not
/// priced is unpayable (`u64::MAX`). `call_indirect` depends on its type and is priced by the
/// meter itself.
// Arms follow the spec's table rows, so equal prices stay in separate rows.
#[allow(clippy::match_same_arms)]
pub fn op_ink(op: &Operator) -> u64 {
    #[allow(clippy::enum_glob_use)]
    use Operator::*;
    match op {
        Unreachable
        | Return
        | Nop
        | I32Const { .. }
        | I64Const { .. }
        | Block { .. }
        | Loop { .. }
        | Else
        | End => 1,
        Drop => 9,
        Br { .. } | BrIf { .. } | If { .. } => 765,
        Select => 1250,
        Call { .. } => 3800,
        LocalGet { .. } | LocalTee { .. } => 75,
        LocalSet { .. } => 210,
        GlobalGet { .. } => 225,
        GlobalSet { .. } => 575,
        I32Load { .. }
        | I32Load8S { .. }
        | I32Load8U { .. }
        | I32Load16S { .. }
        | I32Load16U { .. } => 670,
        I64Load { .. }
        | I64Load8S { .. }
        | I64Load8U { .. }
        | I64Load16S { .. }
        | I64Load16U { .. }
        | I64Load32S { .. }
        | I64Load32U { .. } => 680,
        I32Store { .. } | I32Store8 { .. } | I32Store16 { .. } => 825,
        I64Store { .. } | I64Store8 { .. } | I64Store16 { .. } | I64Store32 { .. } => 950,
        MemorySize { .. } => 3000,
        MemoryGrow { .. } => 8050,
        I32Eqz | I32Eq | I32Ne | I32LtS | I32LtU | I32GtS | I32GtU | I32LeS | I32LeU | I32GeS
        | I32GeU => 170,
        I64Eqz | I64Eq | I64Ne | I64LtS | I64LtU | I64GtS | I64GtU | I64LeS | I64LeU | I64GeS
        | I64GeU => 225,
        I32Clz | I32Ctz | I64Clz | I64Ctz => 210,
        I32Add | I32Sub | I32And | I32Or | I32Xor | I32Shl | I32ShrS | I32ShrU | I32Rotl
        | I32Rotr => 70,
        I32Mul | I64Mul => 160,
        I32DivS | I32DivU | I32RemS | I32RemU => 1120,
        I64Add | I64Sub | I64And | I64Or | I64Xor | I64Shl | I64ShrS | I64ShrU | I64Rotl
        | I64Rotr => 100,
        I64DivS | I64DivU | I64RemS | I64RemU => 1270,
        I32Popcnt => 2650,
        I64Popcnt => 6000,
        I32WrapI64 | I64ExtendI32S | I64ExtendI32U | I32Extend8S | I32Extend16S | I64Extend8S
        | I64Extend16S | I64Extend32S => 100,
        MemoryCopy { .. } | MemoryFill { .. } => 950,
        BrTable { targets } => 2400 + 325 * u64::from(targets.len()),
        _ => u64::MAX,
    }
}

/// Refuses float arithmetic and conversions; float constants, loads, stores and bit
/// reinterpretations survive (and the meter makes them unpayable).
fn check_floats(ops: &[Operator], func: u32) -> Result<(), InstrumentError> {
    #[allow(clippy::enum_glob_use)]
    use Operator::*;
    let float = ops.iter().any(|op| {
        matches!(
            op,
            F32Eq
                | F32Ne
                | F32Lt
                | F32Gt
                | F32Le
                | F32Ge
                | F64Eq
                | F64Ne
                | F64Lt
                | F64Gt
                | F64Le
                | F64Ge
                | F32Abs
                | F32Neg
                | F32Ceil
                | F32Floor
                | F32Trunc
                | F32Nearest
                | F32Sqrt
                | F32Add
                | F32Sub
                | F32Mul
                | F32Div
                | F32Min
                | F32Max
                | F32Copysign
                | F64Abs
                | F64Neg
                | F64Ceil
                | F64Floor
                | F64Trunc
                | F64Nearest
                | F64Sqrt
                | F64Add
                | F64Sub
                | F64Mul
                | F64Div
                | F64Min
                | F64Max
                | F64Copysign
                | I32TruncF32S
                | I32TruncF32U
                | I32TruncF64S
                | I32TruncF64U
                | I64TruncF32S
                | I64TruncF32U
                | I64TruncF64S
                | I64TruncF64U
                | F32ConvertI32S
                | F32ConvertI32U
                | F32ConvertI64S
                | F32ConvertI64U
                | F32DemoteF64
                | F64ConvertI32S
                | F64ConvertI32U
                | F64ConvertI64S
                | F64ConvertI64U
                | F64PromoteF32
                | I32TruncSatF32S
                | I32TruncSatF32U
                | I32TruncSatF64S
                | I32TruncSatF64U
                | I64TruncSatF32S
                | I64TruncSatF32U
                | I64TruncSatF64S
                | I64TruncSatF64U
        )
    });
    if float {
        return Err(InstrumentError::FloatOperation { func });
    }
    Ok(())
}

/// The dynamic meter: `memory.fill` / `memory.copy` pay `count × price` before running.
fn dynamic_meter<'o>(
    ops: Vec<Operator<'o>>,
    config: &CompileConfig,
    globals: InjectedGlobals,
    func: u32,
) -> Result<Vec<Operator<'o>>, InstrumentError> {
    let mut out = Vec::with_capacity(ops.len());
    let InjectedGlobals {
        ink_left: ink,
        ink_status: status,
        scratch,
        ..
    } = globals;
    for op in ops {
        let coefficient = match op {
            Operator::MemoryFill { .. } => Some(config.memory_fill_ink),
            Operator::MemoryCopy { .. } => Some(config.memory_copy_ink),
            Operator::MemoryInit { .. }
            | Operator::DataDrop { .. }
            | Operator::ElemDrop { .. }
            | Operator::TableInit { .. }
            | Operator::TableCopy { .. }
            | Operator::TableFill { .. }
            | Operator::TableGet { .. }
            | Operator::TableSet { .. }
            | Operator::TableGrow { .. }
            | Operator::TableSize { .. } => {
                return Err(InstrumentError::UnsupportedOperator {
                    func,
                    op: format!("{op:?}"),
                })
            }
            _ => None,
        };
        if let Some(coefficient) = coefficient {
            let value = i64::try_from(coefficient).unwrap_or(i64::MAX);
            out.extend([
                Operator::GlobalSet {
                    global_index: scratch,
                },
                Operator::GlobalGet { global_index: ink },
                Operator::GlobalGet { global_index: ink },
                Operator::GlobalGet {
                    global_index: scratch,
                },
                Operator::I64ExtendI32U,
                Operator::I64Const { value },
                Operator::I64Mul,
                Operator::I64Sub,
                Operator::GlobalSet { global_index: ink },
                Operator::GlobalGet { global_index: ink },
                Operator::I64LtU,
                Operator::If {
                    blockty: BlockType::Empty,
                },
                Operator::I32Const { value: 1 },
                Operator::GlobalSet {
                    global_index: status,
                },
                Operator::Unreachable,
                Operator::End,
                Operator::GlobalGet {
                    global_index: scratch,
                },
            ]);
        }
        out.push(op);
    }
    Ok(out)
}

/// The heap bound: calls `pay_for_memory_grow(pages)` before every `memory.grow`.
fn heap_bound(
    ops: Vec<Operator<'_>>,
    pay_func: Option<u32>,
    globals: InjectedGlobals,
) -> Vec<Operator<'_>> {
    let Some(function_index) = pay_func else {
        return ops;
    };
    let global_index = globals.scratch;
    let mut out = Vec::with_capacity(ops.len());
    for op in ops {
        if matches!(op, Operator::MemoryGrow { .. }) {
            out.extend([
                Operator::GlobalSet { global_index },
                Operator::GlobalGet { global_index },
                Operator::GlobalGet { global_index },
                Operator::Call { function_index },
            ]);
        }
        out.push(op);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmparser::{Operator as Op, Validator};

    fn body_ops(wasm: &[u8], index: usize) -> Vec<Op<'static>> {
        let wasm: &'static [u8] = Box::leak(wasm.to_vec().into_boxed_slice());
        let mut bodies = Vec::new();
        for payload in Parser::new(0).parse_all(wasm) {
            if let Payload::CodeSectionEntry(body) = payload.unwrap() {
                bodies.push(body);
            }
        }
        let mut reader = bodies[index].get_operators_reader().unwrap();
        let mut ops = Vec::new();
        while !reader.eof() {
            ops.push(reader.read().unwrap());
        }
        ops
    }

    fn run(wat: &str) -> Result<Instrumented, InstrumentError> {
        instrument(&wat::parse_str(wat).unwrap(), &CompileConfig::default())
    }

    fn meter_header(cost: i64, ink: u32, status: u32) -> Vec<Op<'static>> {
        vec![
            Op::GlobalGet { global_index: ink },
            Op::I64Const { value: cost },
            Op::I64LtU,
            Op::If {
                blockty: BlockType::Empty,
            },
            Op::I32Const { value: 1 },
            Op::GlobalSet {
                global_index: status,
            },
            Op::Unreachable,
            Op::End,
            Op::GlobalGet { global_index: ink },
            Op::I64Const { value: cost },
            Op::I64Sub,
            Op::GlobalSet { global_index: ink },
        ]
    }

    fn stack(op: Op<'static>, size: i32, global_index: u32) -> Vec<Op<'static>> {
        vec![
            Op::GlobalGet { global_index },
            Op::I32Const { value: size },
            op,
            Op::GlobalSet { global_index },
        ]
    }

    #[test]
    fn tiny_function_gets_meter_and_depth_code_in_nitro_order() {
        let out = run(r#"(module (memory (export "memory") 1 1)
            (func (export "user_entrypoint") (param i32) (result i32) i32.const 0))"#)
        .unwrap();
        Validator::new().validate_all(&out.wasm).unwrap();
        // No module globals: ink 0, status 1, scratch 2, stack 3.
        assert_eq!(
            out.globals,
            InjectedGlobals {
                ink_left: 0,
                ink_status: 1,
                scratch: 2,
                stack_left: 3
            }
        );
        // One block: i32.const (1) + end (1) + header 2 450. The meter's code needs two stack
        // slots at most, no locals, plus 4: a 6-word frame.
        let mut expected = vec![
            Op::GlobalGet { global_index: 3 },
            Op::I32Const { value: 6 },
            Op::I32LeU,
            Op::If {
                blockty: BlockType::Empty,
            },
            Op::I32Const { value: 0 },
            Op::GlobalSet { global_index: 3 },
            Op::Unreachable,
            Op::End,
        ];
        expected.extend(stack(Op::I32Sub, 6, 3));
        expected.extend(meter_header(2452, 0, 1));
        expected.push(Op::I32Const { value: 0 });
        expected.extend(stack(Op::I32Add, 6, 3));
        expected.push(Op::Return);
        expected.push(Op::End);
        assert_eq!(body_ops(&out.wasm, 0), expected);
        assert_eq!(out.stats.instrumented_ops, expected.len() as u64);
        assert_eq!(
            (out.stats.funcs, out.stats.type_len, out.stats.globals),
            (1, 2, 4)
        );
    }

    #[test]
    fn blocks_end_after_calls_and_branches() {
        let out = run(r#"(module (memory (export "memory") 1 1)
            (func $f)
            (func (export "user_entrypoint") (param i32) (result i32)
              local.get 0 drop call $f i32.const 7))"#)
        .unwrap();
        let ops = body_ops(&out.wasm, 1);
        let costs: Vec<i64> = ops
            .windows(2)
            .filter_map(|w| match w {
                [Op::GlobalGet { global_index: 0 }, Op::I64Const { value }] => Some(*value),
                _ => None,
            })
            .step_by(2)
            .collect();
        // [local.get 75, drop 9, call 3 800] and [i32.const 1, end 1], each + 2 450.
        assert_eq!(costs, vec![75 + 9 + 3800 + 2450, 1 + 1 + 2450]);
    }

    #[test]
    fn memory_grow_pays_first_and_the_call_is_not_metered() {
        let out = run(
            r#"(module (import "vm_hooks" "pay_for_memory_grow" (func (param i32)))
            (memory (export "memory") 1)
            (func (export "user_entrypoint") (param i32) (result i32)
              i32.const 1 memory.grow drop i32.const 0))"#,
        )
        .unwrap();
        let ops = body_ops(&out.wasm, 0);
        let grow = ops
            .iter()
            .position(|op| matches!(op, Op::MemoryGrow { .. }))
            .unwrap();
        assert_eq!(
            ops[grow - 4..grow].to_vec(),
            vec![
                Op::GlobalSet { global_index: 2 },
                Op::GlobalGet { global_index: 2 },
                Op::GlobalGet { global_index: 2 },
                Op::Call { function_index: 0 },
            ]
        );
        // One block: const 1 + grow 8 050 + drop 9 + const 1 + end 1 + header.
        assert!(ops.contains(&Op::I64Const {
            value: 1 + 8050 + 9 + 1 + 1 + 2450
        }));
    }

    #[test]
    fn bulk_copies_pay_per_byte() {
        let out = run(r#"(module (memory (export "memory") 1 1)
            (func (export "user_entrypoint") (param i32) (result i32)
              i32.const 0 i32.const 8 i32.const 16 memory.copy i32.const 0))"#)
        .unwrap();
        let ops = body_ops(&out.wasm, 0);
        let copy = ops
            .iter()
            .position(|op| matches!(op, Op::MemoryCopy { .. }))
            .unwrap();
        // ... scratch back on the stack right before the copy, the 100-ink coefficient before.
        assert_eq!(ops[copy - 1], Op::GlobalGet { global_index: 2 });
        assert!(ops[..copy].contains(&Op::I64Const { value: 100 }));
    }

    #[test]
    fn refusals() {
        assert_eq!(
            run(
                r#"(module (memory (export "memory") 1 1) (func $s) (start $s)
                (func (export "user_entrypoint") (param i32) (result i32) i32.const 0))"#
            ),
            Err(InstrumentError::StartFunction)
        );
        assert_eq!(
            run(r#"(module (memory (export "memory") 1)
                (func (export "user_entrypoint") (param i32) (result i32) i32.const 0))"#),
            Err(InstrumentError::MissingPayForMemoryGrow)
        );
        assert_eq!(
            run(
                r#"(module (import "vm_hooks" "pay_for_memory_grow" (func)) (memory (export "memory") 1)
                (func (export "user_entrypoint") (param i32) (result i32) i32.const 0))"#
            ),
            Err(InstrumentError::WrongPayForMemoryGrowType)
        );
        assert_eq!(
            run(r#"(module (memory (export "memory") 129 129)
                (func (export "user_entrypoint") (param i32) (result i32) i32.const 0))"#),
            Err(InstrumentError::MemoryTooLarge {
                pages: 129,
                bound: 128
            })
        );
        assert!(matches!(
            run(r#"(module (memory 1 1)
                (func (export "user_entrypoint") (param i32) (result i32) i32.const 0))"#),
            Err(InstrumentError::Memory(_))
        ));
        let many = "i32.const 0\n".repeat(4097) + &"drop\n".repeat(4097);
        assert!(matches!(
            run(&format!(
                r#"(module (memory (export "memory") 1 1)
                (func (export "user_entrypoint") (param i32) (result i32) {many} i32.const 0))"#
            )),
            Err(InstrumentError::StackContention {
                height: 4097,
                limit: 4096,
                ..
            })
        ));
        assert!(matches!(
            run(r#"(module (memory (export "memory") 1 1)
                (func (export "user_entrypoint") (param i32) (result i32) (local i32) i32.const 0))"#
                .replace("(local i32)", &"(local i32)".repeat(10_235))
                .as_str()),
            Err(InstrumentError::FrameTooLarge { size: 10_241, limit: 10_240, .. })
        ));
        assert!(matches!(
            run(r#"(module (memory (export "memory") 1 1) (table 1 funcref)
                (func (export "user_entrypoint") (param i32) (result i32) i32.const 0 table.get 0 drop i32.const 0))"#),
            Err(InstrumentError::UnsupportedOperator { .. })
        ));
        assert!(matches!(
            run(r#"(module (memory (export "memory") 1 1)
                (func (export "user_entrypoint") (param i32) (result i32) f32.const 1 f32.const 1 f32.add drop i32.const 0))"#),
            Err(InstrumentError::FloatOperation { func: 0 })
        ));
    }

    #[test]
    fn arbitrary_and_mutated_bytes_never_panic() {
        let valid = wat::parse_str(
            r#"(module (import "vm_hooks" "pay_for_memory_grow" (func (param i32)))
              (memory (export "memory") 1) (global (mut i32) (i32.const 5))
              (data (i32.const 0) "abc") (table 1 funcref) (elem (i32.const 0) 1)
              (func (export "user_entrypoint") (param i32) (result i32)
                (block (loop (br_if 1 (local.get 0)) (br 0)))
                (drop (memory.grow (i32.const 1)))
                (call_indirect (param) (result) (i32.const 0)) i32.const 0))"#,
        )
        .unwrap();
        instrument(&valid, &CompileConfig::default()).unwrap();
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for round in 0..3000 {
            let mut bytes = valid.clone();
            if round % 3 == 0 {
                let len = usize::try_from(next() % 200).unwrap();
                bytes = (0..len)
                    .map(|_| u8::try_from(next() % 256).unwrap())
                    .collect();
                bytes.splice(0..0, *b"\0asm\x01\0\0\0");
            } else {
                for _ in 0..=next() % 4 {
                    let at = usize::try_from(next()).unwrap() % bytes.len();
                    bytes[at] = u8::try_from(next() % 256).unwrap();
                }
            }
            let _ = instrument(&bytes, &CompileConfig::default());
            let _ = crate::activation::activate(
                &bytes,
                &crate::activation::StylusParams::default(),
                60,
                128,
                false,
            );
        }
    }
}
