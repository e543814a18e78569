//! Nitro's activation checks: the WASM feature set, the anti-DoS limits and the structural
//! rules a Stylus program must satisfy (`spec/stylus-platform.md` §2.4, §3.1).
//!
//! The build pipeline refuses a program here rather than at activation, where a refusal burns
//! all gas; the local runtime uses the same checks so it accepts exactly what Nitro accepts.
//! Engines' own validators are not enough: wasmi and wasmtime both accept reference-types and
//! multi-value modules that Nitro rejects.
//!
//! Nitro validates with wasmparser 0.245; we use 0.249 (the parser paired with the encoder
//! `wat` pins), whose verdicts for this feature set are the same.

use std::collections::HashMap;
use std::fmt;

use wasmparser::{
    CompositeInnerType, DataSectionReader, ElementSectionReader, ExportSectionReader, ExternalKind,
    FuncValidatorAllocations, FunctionBody, KnownCustom, Name, Operator, Parser, Payload, TypeRef,
    TypeSectionReader, ValType, Validator, WasmFeatures,
};

/// First `ArbOS` version that refuses multi-value function types.
pub const ARBOS_NO_MULTI_VALUE: u64 = 60;

/// Anti-DoS limits Nitro applies at activation (`parse_user`).
pub mod limits {
    /// Memories per module.
    pub const MEMORIES: u64 = 1;
    /// Data segments per module.
    pub const DATA_SEGMENTS: u64 = 128;
    /// Element segments per module.
    pub const ELEMENT_SEGMENTS: u64 = 128;
    /// Exports per module.
    pub const EXPORTS: u64 = 1024;
    /// Defined functions per module.
    pub const FUNCTIONS: u64 = 4096;
    /// Globals per module.
    pub const GLOBALS: u64 = 32_768;
    /// Declared locals per function (parameters excluded).
    pub const LOCALS: u64 = 348;
    /// Operators per function body. Nitro counts after instrumentation, which only adds
    /// operators, so a body over this count before instrumentation is certainly refused.
    pub const OPERATORS: u64 = 65_536;
    /// Imports per module (`ArbOS` >= 32).
    pub const IMPORTS: u64 = 513;
    /// Initial table entries, summed over all tables.
    pub const TABLE_ENTRIES: u64 = 4096;
    /// Encoded bytes of all element segments (Nitro labels this "element entries").
    pub const ELEMENT_BYTES: u64 = 4096;
    /// Bytes of an export name or of the module name.
    pub const NAME_BYTES: u64 = 512;
    /// Initial memory pages on a fresh transaction (`PageLimit`).
    pub const MEMORY_PAGES: u64 = 128;
}

/// A WASM value type as hostio signatures use them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WasmType {
    /// `i32` (pointers, lengths, statuses).
    I32,
    /// `i64` (gas, ink, block values).
    I64,
}

impl fmt::Display for WasmType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::I32 => "i32",
            Self::I64 => "i64",
        })
    }
}

/// One `vm_hooks` import Nitro provides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hostio {
    /// Import name inside module `vm_hooks`.
    pub name: &'static str,
    /// Parameter types, in order.
    pub params: &'static [WasmType],
    /// Result types.
    pub results: &'static [WasmType],
}

/// Module every hostio is imported from.
pub const HOSTIO_MODULE: &str = "vm_hooks";

const fn hostio(
    name: &'static str,
    params: &'static [WasmType],
    results: &'static [WasmType],
) -> Hostio {
    Hostio {
        name,
        params,
        results,
    }
}

use WasmType::{I32, I64};

/// The 42 hostios of production chains, in Nitro's canonical order, with their exact types.
pub const HOSTIOS: [Hostio; 42] = [
    hostio("read_args", &[I32], &[]),
    hostio("write_result", &[I32, I32], &[]),
    hostio("exit_early", &[I32], &[]),
    hostio("storage_load_bytes32", &[I32, I32], &[]),
    hostio("storage_cache_bytes32", &[I32, I32], &[]),
    hostio("storage_flush_cache", &[I32], &[]),
    hostio("transient_load_bytes32", &[I32, I32], &[]),
    hostio("transient_store_bytes32", &[I32, I32], &[]),
    hostio("call_contract", &[I32, I32, I32, I32, I64, I32], &[I32]),
    hostio("delegate_call_contract", &[I32, I32, I32, I64, I32], &[I32]),
    hostio("static_call_contract", &[I32, I32, I32, I64, I32], &[I32]),
    hostio("create1", &[I32, I32, I32, I32, I32], &[]),
    hostio("create2", &[I32, I32, I32, I32, I32, I32], &[]),
    hostio("read_return_data", &[I32, I32, I32], &[I32]),
    hostio("return_data_size", &[], &[I32]),
    hostio("emit_log", &[I32, I32, I32], &[]),
    hostio("account_balance", &[I32, I32], &[]),
    hostio("account_code", &[I32, I32, I32, I32], &[I32]),
    hostio("account_code_size", &[I32], &[I32]),
    hostio("account_codehash", &[I32, I32], &[]),
    hostio("evm_gas_left", &[], &[I64]),
    hostio("evm_ink_left", &[], &[I64]),
    hostio("block_basefee", &[I32], &[]),
    hostio("chainid", &[], &[I64]),
    hostio("block_coinbase", &[I32], &[]),
    hostio("block_gas_limit", &[], &[I64]),
    hostio("block_number", &[], &[I64]),
    hostio("block_timestamp", &[], &[I64]),
    hostio("contract_address", &[I32], &[]),
    hostio("math_div", &[I32, I32], &[]),
    hostio("math_mod", &[I32, I32], &[]),
    hostio("math_pow", &[I32, I32], &[]),
    hostio("math_add_mod", &[I32, I32, I32], &[]),
    hostio("math_mul_mod", &[I32, I32, I32], &[]),
    hostio("msg_reentrant", &[], &[I32]),
    hostio("msg_sender", &[I32], &[]),
    hostio("msg_value", &[I32], &[]),
    hostio("native_keccak256", &[I32, I32, I32], &[]),
    hostio("tx_gas_price", &[I32], &[]),
    hostio("tx_ink_price", &[], &[I32]),
    hostio("tx_origin", &[I32], &[]),
    hostio("pay_for_memory_grow", &[I32], &[]),
];

/// Looks a hostio up by its import name.
pub fn hostio_by_name(name: &str) -> Option<&'static Hostio> {
    HOSTIOS.iter().find(|h| h.name == name)
}

/// Which rule set to check against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// Accept multi-value function types (`ArbOS` < 60).
    pub multi_value: bool,
    /// Accept `f32`/`f64` consts, loads and stores. Nitro activates them but prices them at
    /// `u64::MAX` ink, so any block containing one always runs out of ink.
    pub unpayable_float_ops: bool,
}

impl Rules {
    /// Exactly what activation accepts on a chain running `arbos_version`.
    pub const fn activation(arbos_version: u64) -> Self {
        Self {
            multi_value: arbos_version < ARBOS_NO_MULTI_VALUE,
            unpayable_float_ops: true,
        }
    }

    /// What the build pipeline accepts: `ArbOS` 60 activation, and no float opcode at all.
    pub const fn build() -> Self {
        Self {
            multi_value: false,
            unpayable_float_ops: false,
        }
    }

    /// The wasmparser feature flags Nitro validates with (`parse_with_version`).
    pub fn features(&self) -> WasmFeatures {
        let mut features = WasmFeatures::MUTABLE_GLOBAL
            | WasmFeatures::SATURATING_FLOAT_TO_INT
            | WasmFeatures::SIGN_EXTENSION
            | WasmFeatures::BULK_MEMORY
            | WasmFeatures::FLOATS
            | WasmFeatures::GC_TYPES;
        if self.multi_value {
            features |= WasmFeatures::MULTI_VALUE;
        }
        features
    }
}

/// Facts about a valid module that activation costs and the size table need.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ModuleInfo {
    /// Length of the module in bytes (custom sections included, as Nitro's `wasm_len`).
    pub wasm_len: usize,
    /// Defined (non-imported) functions.
    pub functions: u32,
    /// Sum over defined functions of parameter plus result counts.
    pub type_len: u32,
    /// Globals defined by the module.
    pub globals: u32,
    /// Encoded bytes of all data segments (flags, offset expression, length and payload).
    pub data_segment_bytes: u64,
    /// Payload bytes of all data segments.
    pub data_payload_bytes: u64,
    /// Encoded bytes of all element segments.
    pub element_segment_bytes: u64,
    /// Initial memory pages (the footprint).
    pub memory_pages: u32,
    /// Maximum memory pages, if declared.
    pub memory_max_pages: Option<u64>,
    /// Imported hostios, in import order.
    pub imports: Vec<String>,
}

/// A function a refusal is about: its index in the function index space (imports first) and
/// its name when the module carries a `name` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionRef {
    /// Index in the function index space.
    pub index: u32,
    /// Name from the `name` custom section, if any.
    pub name: Option<String>,
}

impl fmt::Display for FunctionRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "function {}", self.index)?;
        if let Some(name) = &self.name {
            write!(f, " `{name}`")?;
        }
        Ok(())
    }
}

/// What is wrong with a module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// wasmparser refused the module with Nitro's feature flags (a disabled feature such as
    /// reference types or multi-value, or a malformed module).
    Wasm {
        /// wasmparser's message, which names the feature.
        message: String,
        /// Byte offset in the module.
        offset: usize,
    },
    /// An opcode Nitro cannot activate or can never pay for.
    Opcode {
        /// The opcode, in text-format spelling.
        opcode: String,
        /// Why it is refused.
        reason: &'static str,
    },
    /// An anti-DoS limit is exceeded.
    Limit {
        /// What is counted.
        what: &'static str,
        /// The count found.
        actual: u64,
        /// The largest count allowed.
        max: u64,
    },
    /// An import that is not a `vm_hooks` function.
    NotAHostio {
        /// Import module.
        module: String,
        /// Import name.
        name: String,
    },
    /// A memory, table or global import (only functions can be imported).
    NonFunctionImport {
        /// Import module.
        module: String,
        /// Import name.
        name: String,
    },
    /// A hostio imported with a type other than Nitro's.
    HostioSignature {
        /// Hostio name.
        name: String,
        /// Type found in the module.
        found: String,
        /// Nitro's type.
        expected: String,
    },
    /// The module has a start function.
    StartFunction,
    /// An import or export whose name starts with `stylus` (reserved for instrumentation).
    ReservedName(String),
    /// An export named like an import.
    ExportShadowsImport(String),
    /// No function exported as `user_entrypoint`.
    MissingEntrypoint,
    /// `user_entrypoint` is not a function of type `(i32) -> i32`.
    EntrypointSignature(String),
    /// No memory exported as `memory`.
    MissingMemoryExport,
    /// The memory can grow but `vm_hooks.pay_for_memory_grow` is not imported.
    MissingPayForMemoryGrow,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Wasm { message, offset } => write!(f, "{message} (at offset {offset:#x})"),
            Self::Opcode { opcode, reason } => write!(f, "opcode {opcode} is refused: {reason}"),
            Self::Limit { what, actual, max } => write!(f, "too many {what}: {actual} > {max}"),
            Self::NotAHostio { module, name } => {
                write!(
                    f,
                    "import {module}.{name} is not one of Nitro's vm_hooks hostios"
                )
            }
            Self::NonFunctionImport { module, name } => {
                write!(
                    f,
                    "import {module}.{name} is not a function (only functions can be imported)"
                )
            }
            Self::HostioSignature {
                name,
                found,
                expected,
            } => {
                write!(
                    f,
                    "hostio {name} imported as {found}, Nitro's type is {expected}"
                )
            }
            Self::StartFunction => write!(f, "start functions are not allowed"),
            Self::ReservedName(name) => {
                write!(
                    f,
                    "name {name:?} is reserved (names starting with `stylus`)"
                )
            }
            Self::ExportShadowsImport(name) => write!(f, "export {name:?} reuses an import's name"),
            Self::MissingEntrypoint => write!(f, "missing export user_entrypoint"),
            Self::EntrypointSignature(found) => {
                write!(
                    f,
                    "user_entrypoint must be a function (i32) -> i32, found {found}"
                )
            }
            Self::MissingMemoryExport => write!(f, "missing memory export named `memory`"),
            Self::MissingPayForMemoryGrow => write!(
                f,
                "memory can grow but vm_hooks.pay_for_memory_grow is not imported"
            ),
        }
    }
}

/// A refusal, with the function it is about when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// The offending function, for refusals inside a function body.
    pub function: Option<FunctionRef>,
    /// What is wrong.
    pub refusal: Refusal,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.function {
            Some(function) => write!(f, "{function}: {}", self.refusal),
            None => write!(f, "{}", self.refusal),
        }
    }
}

impl std::error::Error for ValidationError {}

impl From<Refusal> for ValidationError {
    fn from(refusal: Refusal) -> Self {
        Self {
            function: None,
            refusal,
        }
    }
}

fn wasm_error(e: &wasmparser::BinaryReaderError) -> Refusal {
    Refusal::Wasm {
        message: e.message().to_owned(),
        offset: e.offset(),
    }
}

fn check_limit(what: &'static str, actual: u64, max: u64) -> Result<(), Refusal> {
    if actual > max {
        return Err(Refusal::Limit { what, actual, max });
    }
    Ok(())
}

/// Validates with the build pipeline's rules ([`Rules::build`]).
pub fn validate(wasm: &[u8]) -> Result<ModuleInfo, ValidationError> {
    validate_with(wasm, Rules::build())
}

/// Validates `wasm` against `rules`; on success returns the facts activation needs.
pub fn validate_with(wasm: &[u8], rules: Rules) -> Result<ModuleInfo, ValidationError> {
    let names = function_names(wasm);
    let mut checker = Checker {
        rules,
        names,
        info: ModuleInfo::default(),
        ..Checker::default()
    };
    checker.info.wasm_len = wasm.len();
    let mut validator = Validator::new_with_features(rules.features());
    let mut allocations = FuncValidatorAllocations::default();
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(|e| wasm_error(&e))?;
        let valid = validator.payload(&payload).map_err(|e| wasm_error(&e))?;
        if let wasmparser::ValidPayload::Func(func, body) = valid {
            let function = checker.next_function();
            let mut func = func.into_validator(std::mem::take(&mut allocations));
            func.validate(&body).map_err(|e| ValidationError {
                function: Some(function.clone()),
                refusal: wasm_error(&e),
            })?;
            checker
                .check_body(&body)
                .map_err(|refusal| ValidationError {
                    function: Some(function),
                    refusal,
                })?;
            allocations = func.into_allocations();
        }
        checker.section(&payload)?;
    }
    checker.finish()?;
    Ok(checker.info)
}

/// Function names from the `name` section, if the module has one (best effort: a malformed
/// name section only loses names, as in Nitro, which ignores it for validity).
fn function_names(wasm: &[u8]) -> HashMap<u32, String> {
    let mut names = HashMap::new();
    for payload in Parser::new(0).parse_all(wasm) {
        let Ok(Payload::CustomSection(section)) = payload else {
            continue;
        };
        let KnownCustom::Name(reader) = section.as_known() else {
            continue;
        };
        for name in reader.into_iter().flatten() {
            if let Name::Function(map) = name {
                for naming in map.into_iter().flatten() {
                    names.insert(naming.index, naming.name.to_owned());
                }
            }
        }
    }
    names
}

#[derive(Default)]
struct Checker {
    rules: Rules,
    names: HashMap<u32, String>,
    info: ModuleInfo,
    /// Type of every function (imports first), as `(params, results)`.
    function_types: Vec<u32>,
    func_types: Vec<Option<(Vec<ValType>, Vec<ValType>)>>,
    imported_functions: u32,
    next_body: u32,
    import_names: Vec<String>,
    exports: Vec<(String, ExternalKind, u32)>,
    table_entries: u64,
}

impl Default for Rules {
    fn default() -> Self {
        Self::build()
    }
}

impl Checker {
    fn next_function(&mut self) -> FunctionRef {
        let index = self.imported_functions + self.next_body;
        self.next_body += 1;
        FunctionRef {
            index,
            name: self.names.get(&index).cloned(),
        }
    }

    fn section(&mut self, payload: &Payload<'_>) -> Result<(), ValidationError> {
        match payload {
            Payload::TypeSection(reader) => self.types(reader)?,
            Payload::ImportSection(reader) => {
                for import in reader.clone().into_imports() {
                    let import = import.map_err(|e| wasm_error(&e))?;
                    self.import(import.module, import.name, import.ty)?;
                }
                check_limit("imports", self.import_names.len() as u64, limits::IMPORTS)?;
            }
            Payload::FunctionSection(reader) => {
                for ty in reader.clone() {
                    let ty = ty.map_err(|e| wasm_error(&e))?;
                    self.function_types.push(ty);
                    self.info.functions += 1;
                    self.info.type_len += self.type_arity(ty);
                }
                check_limit(
                    "functions",
                    u64::from(self.info.functions),
                    limits::FUNCTIONS,
                )?;
            }
            Payload::TableSection(reader) => {
                for table in reader.clone() {
                    let table = table.map_err(|e| wasm_error(&e))?;
                    self.table_entries += table.ty.initial;
                }
                check_limit("table entries", self.table_entries, limits::TABLE_ENTRIES)?;
            }
            Payload::MemorySection(reader) => {
                check_limit("memories", u64::from(reader.count()), limits::MEMORIES)?;
                for memory in reader.clone() {
                    let memory = memory.map_err(|e| wasm_error(&e))?;
                    check_limit("initial memory pages", memory.initial, limits::MEMORY_PAGES)?;
                    // SAFETY of the cast: just checked against 128 pages.
                    self.info.memory_pages = u32::try_from(memory.initial).unwrap_or(u32::MAX);
                    self.info.memory_max_pages = memory.maximum;
                }
            }
            Payload::GlobalSection(reader) => {
                self.info.globals = reader.count();
                check_limit("globals", u64::from(reader.count()), limits::GLOBALS)?;
            }
            Payload::ExportSection(reader) => self.exports(reader)?,
            Payload::StartSection { .. } => return Err(Refusal::StartFunction.into()),
            Payload::ElementSection(reader) => self.elements(reader)?,
            Payload::DataSection(reader) => self.data(reader)?,
            Payload::CustomSection(section) => {
                if let KnownCustom::Name(reader) = section.as_known() {
                    for name in reader.into_iter().flatten() {
                        if let Name::Module { name, .. } = name {
                            check_limit(
                                "bytes in the module name",
                                name.len() as u64,
                                limits::NAME_BYTES,
                            )?;
                        }
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn types(&mut self, reader: &TypeSectionReader<'_>) -> Result<(), Refusal> {
        for group in reader.clone() {
            let group = group.map_err(|e| wasm_error(&e))?;
            for sub in group.into_types() {
                self.func_types.push(match &sub.composite_type.inner {
                    CompositeInnerType::Func(f) => {
                        Some((f.params().to_vec(), f.results().to_vec()))
                    }
                    _ => None,
                });
            }
        }
        Ok(())
    }

    fn exports(&mut self, reader: &ExportSectionReader<'_>) -> Result<(), Refusal> {
        check_limit("exports", u64::from(reader.count()), limits::EXPORTS)?;
        for export in reader.clone() {
            let export = export.map_err(|e| wasm_error(&e))?;
            check_limit(
                "bytes in an export name",
                export.name.len() as u64,
                limits::NAME_BYTES,
            )?;
            if export.name.starts_with("stylus") {
                return Err(Refusal::ReservedName(export.name.to_owned()));
            }
            if self.import_names.iter().any(|n| n == export.name) {
                return Err(Refusal::ExportShadowsImport(export.name.to_owned()));
            }
            self.exports
                .push((export.name.to_owned(), export.kind, export.index));
        }
        Ok(())
    }

    fn elements(&mut self, reader: &ElementSectionReader<'_>) -> Result<(), Refusal> {
        check_limit(
            "element segments",
            u64::from(reader.count()),
            limits::ELEMENT_SEGMENTS,
        )?;
        for element in reader.clone() {
            let element = element.map_err(|e| wasm_error(&e))?;
            self.info.element_segment_bytes += element.range.len() as u64;
        }
        check_limit(
            "element segment bytes",
            self.info.element_segment_bytes,
            limits::ELEMENT_BYTES,
        )
    }

    fn data(&mut self, reader: &DataSectionReader<'_>) -> Result<(), Refusal> {
        check_limit(
            "data segments",
            u64::from(reader.count()),
            limits::DATA_SEGMENTS,
        )?;
        for data in reader.clone() {
            let data = data.map_err(|e| wasm_error(&e))?;
            self.info.data_segment_bytes += data.range.len() as u64;
            self.info.data_payload_bytes += data.data.len() as u64;
        }
        Ok(())
    }

    fn type_arity(&self, ty: u32) -> u32 {
        match self.func_types.get(ty as usize) {
            Some(Some((params, results))) => {
                u32::try_from(params.len() + results.len()).unwrap_or(u32::MAX)
            }
            _ => 0,
        }
    }

    fn import(&mut self, module: &str, name: &str, ty: TypeRef) -> Result<(), Refusal> {
        if name.starts_with("stylus") {
            return Err(Refusal::ReservedName(name.to_owned()));
        }
        let TypeRef::Func(ty) = ty else {
            return Err(Refusal::NonFunctionImport {
                module: module.to_owned(),
                name: name.to_owned(),
            });
        };
        let hostio = hostio_by_name(name)
            .filter(|_| module == HOSTIO_MODULE)
            .ok_or_else(|| Refusal::NotAHostio {
                module: module.to_owned(),
                name: name.to_owned(),
            })?;
        let found = match self.func_types.get(ty as usize) {
            Some(Some((params, results))) => (params.clone(), results.clone()),
            _ => (Vec::new(), Vec::new()),
        };
        let expected = (to_val_types(hostio.params), to_val_types(hostio.results));
        if found != expected {
            return Err(Refusal::HostioSignature {
                name: name.to_owned(),
                found: signature(&found.0, &found.1),
                expected: signature(&expected.0, &expected.1),
            });
        }
        self.function_types.push(ty);
        self.imported_functions += 1;
        self.import_names.push(name.to_owned());
        self.info.imports.push(name.to_owned());
        Ok(())
    }

    fn check_body(&self, body: &FunctionBody<'_>) -> Result<(), Refusal> {
        let mut locals = 0u64;
        for group in body.get_locals_reader().map_err(|e| wasm_error(&e))? {
            let (count, _) = group.map_err(|e| wasm_error(&e))?;
            locals += u64::from(count);
        }
        check_limit("locals in a function", locals, limits::LOCALS)?;
        let mut operators = 0u64;
        let mut reader = body.get_operators_reader().map_err(|e| wasm_error(&e))?;
        while !reader.eof() {
            let op = reader.read().map_err(|e| wasm_error(&e))?;
            operators += 1;
            self.check_operator(&op)?;
        }
        check_limit("operators in a function", operators, limits::OPERATORS)
    }

    fn check_operator(&self, op: &Operator<'_>) -> Result<(), Refusal> {
        let variant = format!("{op:?}");
        let variant = variant.split([' ', '{', '(']).next().unwrap_or_default();
        let refused = |reason| {
            Err(Refusal::Opcode {
                opcode: text_name(variant),
                reason,
            })
        };
        match op {
            Operator::MemoryInit { .. }
            | Operator::DataDrop { .. }
            | Operator::ElemDrop { .. }
            | Operator::TableInit { .. }
            | Operator::TableCopy { .. } => {
                refused("of bulk memory only memory.copy and memory.fill are supported")
            }
            Operator::F32Const { .. }
            | Operator::F64Const { .. }
            | Operator::F32Load { .. }
            | Operator::F64Load { .. }
            | Operator::F32Store { .. }
            | Operator::F64Store { .. } => {
                if self.rules.unpayable_float_ops {
                    Ok(())
                } else {
                    refused("floats are priced at u64::MAX ink, so this code can never run")
                }
            }
            _ if variant.contains("F32") || variant.contains("F64") => {
                refused("Nitro has no implementation for floating-point operations")
            }
            _ => Ok(()),
        }
    }

    fn finish(&self) -> Result<(), ValidationError> {
        let entry = self
            .exports
            .iter()
            .find(|(name, ..)| name == "user_entrypoint");
        let Some((_, kind, index)) = entry else {
            return Err(Refusal::MissingEntrypoint.into());
        };
        let i32_to_i32 = (vec![ValType::I32], vec![ValType::I32]);
        let found = match kind {
            ExternalKind::Func => {
                let ty = self
                    .function_types
                    .get(*index as usize)
                    .copied()
                    .unwrap_or(u32::MAX);
                match self.func_types.get(ty as usize) {
                    Some(Some(sig)) if *sig == i32_to_i32 => return self.finish_memory(),
                    Some(Some((params, results))) => signature(params, results),
                    _ => "an unknown type".to_owned(),
                }
            }
            other => format!("a {other:?} export").to_lowercase(),
        };
        Err(Refusal::EntrypointSignature(found).into())
    }

    fn finish_memory(&self) -> Result<(), ValidationError> {
        let exported = self
            .exports
            .iter()
            .any(|(name, kind, _)| name == "memory" && *kind == ExternalKind::Memory);
        if !exported {
            return Err(Refusal::MissingMemoryExport.into());
        }
        let fixed = self.info.memory_max_pages == Some(u64::from(self.info.memory_pages));
        if !fixed && !self.info.imports.iter().any(|i| i == "pay_for_memory_grow") {
            return Err(Refusal::MissingPayForMemoryGrow.into());
        }
        Ok(())
    }
}

fn to_val_types(types: &[WasmType]) -> Vec<ValType> {
    types
        .iter()
        .map(|t| match t {
            WasmType::I32 => ValType::I32,
            WasmType::I64 => ValType::I64,
        })
        .collect()
}

fn signature(params: &[ValType], results: &[ValType]) -> String {
    let list = |types: &[ValType]| {
        types
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!("({}) -> ({})", list(params), list(results))
}

/// `F32Add` -> `f32.add`, `I32TruncSatF32S` -> `i32.trunc_sat_f32_s`, `MemoryInit` -> `memory.init`.
fn text_name(variant: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    for c in variant.chars() {
        if c.is_ascii_uppercase() || words.is_empty() {
            words.push(String::new());
        }
        let word = words.last_mut().expect("pushed above");
        word.push(c.to_ascii_lowercase());
    }
    match words.split_first() {
        Some((first, rest)) if !rest.is_empty() => format!("{first}.{}", rest.join("_")),
        _ => words.concat(),
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write;

    use super::*;

    const HEAD: &str = r#"(import "vm_hooks" "pay_for_memory_grow" (func $pay (param i32)))
        (memory (export "memory") 1)"#;
    const ENTRY: &str =
        r#"(func $entry (export "user_entrypoint") (param i32) (result i32) i32.const 0)"#;

    /// A minimal valid program with `body` added to the module.
    fn program(body: &str) -> Vec<u8> {
        wat::parse_str(format!("(module {HEAD} {ENTRY} {body})")).unwrap()
    }

    fn refusal(wasm: &[u8]) -> String {
        validate(wasm).unwrap_err().to_string()
    }

    #[test]
    fn accepts_a_minimal_program_and_reports_its_facts() {
        let wasm = program(r#"(global (mut i32) (i32.const 0)) (data (i32.const 8) "abc")"#);
        let info = validate(&wasm).unwrap();
        assert_eq!(
            info,
            ModuleInfo {
                wasm_len: wasm.len(),
                functions: 1,
                type_len: 2,
                globals: 1,
                data_segment_bytes: 8,
                data_payload_bytes: 3,
                element_segment_bytes: 0,
                memory_pages: 1,
                memory_max_pages: None,
                imports: vec!["pay_for_memory_grow".to_owned()],
            }
        );
    }

    #[test]
    fn refuses_reference_types_naming_the_function() {
        let wasm = program("(func $uses_refs ref.null func drop)");
        assert_eq!(
            refusal(&wasm),
            "function 2 `uses_refs`: reference types support is not enabled (at offset 0x6b)"
        );
    }

    #[test]
    fn refuses_multi_value_from_arbos_60_only() {
        let wasm = program("(func $pair (result i32 i32) i32.const 1 i32.const 2)");
        assert_eq!(
            refusal(&wasm),
            "func type returns multiple values but the multi-value feature is not enabled (at offset 0x14)"
        );
        assert!(validate_with(&wasm, Rules::activation(59)).is_ok());
        assert!(validate_with(&wasm, Rules::activation(60)).is_err());
    }

    #[test]
    fn refuses_float_arithmetic_everywhere() {
        let wasm =
            program("(func $average (param f32 f32) (result f32) local.get 0 local.get 1 f32.add)");
        let expected = "function 2 `average`: opcode f32.add is refused: Nitro has no implementation for floating-point operations";
        assert_eq!(refusal(&wasm), expected);
        assert_eq!(
            validate_with(&wasm, Rules::activation(60))
                .unwrap_err()
                .to_string(),
            expected
        );
    }

    #[test]
    fn refuses_float_conversions() {
        let wasm = program("(func (param f64) (result i32) local.get 0 i32.trunc_sat_f64_s)");
        assert_eq!(
            refusal(&wasm),
            "function 2: opcode i32.trunc_sat_f64_s is refused: Nitro has no implementation for floating-point operations"
        );
    }

    #[test]
    fn refuses_unpayable_float_constants_only_in_builds() {
        let wasm = program("(func $constant f64.const 1 drop)");
        assert_eq!(
            refusal(&wasm),
            "function 2 `constant`: opcode f64.const is refused: floats are priced at u64::MAX ink, so this code can never run"
        );
        assert!(validate_with(&wasm, Rules::activation(60)).is_ok());
    }

    #[test]
    fn refuses_bulk_memory_beyond_copy_and_fill() {
        let wasm = program(
            r#"(data $d "x") (func $init (memory.init $d (i32.const 0) (i32.const 0) (i32.const 1)))
               (func $copy (memory.copy (i32.const 0) (i32.const 1) (i32.const 1))
                 (memory.fill (i32.const 0) (i32.const 1) (i32.const 1)))"#,
        );
        assert_eq!(
            refusal(&wasm),
            "function 2 `init`: opcode memory.init is refused: of bulk memory only memory.copy and memory.fill are supported"
        );
        let ok = program(
            "(func $copy (memory.copy (i32.const 0) (i32.const 1) (i32.const 1)) (memory.fill (i32.const 0) (i32.const 1) (i32.const 1)))",
        );
        assert!(validate(&ok).is_ok());
    }

    #[test]
    fn refuses_simd_and_tail_calls() {
        let simd = program("(func $vector v128.const i64x2 0 0 drop)");
        assert_eq!(
            refusal(&simd),
            "function 2 `vector`: SIMD support is not enabled (at offset 0x6b)"
        );
        let tail = program("(func $tail return_call $tail)");
        assert_eq!(
            refusal(&tail),
            "function 2 `tail`: tail calls support is not enabled (at offset 0x6b)"
        );
    }

    #[test]
    fn refuses_a_start_function() {
        let wasm = program("(func $init) (start $init)");
        assert_eq!(refusal(&wasm), "start functions are not allowed");
    }

    #[test]
    fn refuses_imports_that_are_not_hostios() {
        let other_module = wat::parse_str(format!(
            r#"(module (import "env" "read_args" (func (param i32))) {HEAD} {ENTRY})"#
        ))
        .unwrap();
        assert_eq!(
            refusal(&other_module),
            "import env.read_args is not one of Nitro's vm_hooks hostios"
        );
        let debug_only = wat::parse_str(format!(
            r#"(module (import "console" "log_i32" (func (param i32))) {HEAD} {ENTRY})"#
        ))
        .unwrap();
        assert_eq!(
            refusal(&debug_only),
            "import console.log_i32 is not one of Nitro's vm_hooks hostios"
        );
        let made_up = wat::parse_str(format!(
            r#"(module (import "vm_hooks" "magic" (func)) {HEAD} {ENTRY})"#
        ))
        .unwrap();
        assert_eq!(
            refusal(&made_up),
            "import vm_hooks.magic is not one of Nitro's vm_hooks hostios"
        );
    }

    #[test]
    fn refuses_hostios_with_another_signature() {
        let wasm = wat::parse_str(format!(
            r#"(module (import "vm_hooks" "call_contract" (func (param i32 i32 i32 i32 i32 i32) (result i32))) {HEAD} {ENTRY})"#
        ))
        .unwrap();
        assert_eq!(
            refusal(&wasm),
            "hostio call_contract imported as (i32, i32, i32, i32, i32, i32) -> (i32), Nitro's type is (i32, i32, i32, i32, i64, i32) -> (i32)"
        );
    }

    #[test]
    fn refuses_non_function_imports() {
        let wasm = wat::parse_str(format!(
            r#"(module (import "vm_hooks" "g" (global i32)) {HEAD} {ENTRY})"#
        ))
        .unwrap();
        assert_eq!(
            refusal(&wasm),
            "import vm_hooks.g is not a function (only functions can be imported)"
        );
    }

    #[test]
    fn refuses_reserved_and_shadowing_names() {
        let reserved = program(r#"(export "stylus_start" (func $entry))"#);
        assert_eq!(
            refusal(&reserved),
            r#"name "stylus_start" is reserved (names starting with `stylus`)"#
        );
        let shadowing = program(r#"(export "pay_for_memory_grow" (func $entry))"#);
        assert_eq!(
            refusal(&shadowing),
            r#"export "pay_for_memory_grow" reuses an import's name"#
        );
    }

    #[test]
    fn requires_the_entrypoint_with_its_exact_type() {
        let missing = wat::parse_str(format!("(module {HEAD})")).unwrap();
        assert_eq!(refusal(&missing), "missing export user_entrypoint");
        let wrong = wat::parse_str(format!(
            r#"(module {HEAD} (func (export "user_entrypoint") (param i64) (result i32) i32.const 0))"#
        ))
        .unwrap();
        assert_eq!(
            refusal(&wrong),
            "user_entrypoint must be a function (i32) -> i32, found (i64) -> (i32)"
        );
        let global = wat::parse_str(format!(
            r#"(module {HEAD} (global (export "user_entrypoint") i32 (i32.const 0)))"#
        ))
        .unwrap();
        assert_eq!(
            refusal(&global),
            "user_entrypoint must be a function (i32) -> i32, found a global export"
        );
    }

    #[test]
    fn requires_the_memory_export() {
        let wasm = wat::parse_str(format!(
            r#"(module (import "vm_hooks" "pay_for_memory_grow" (func (param i32))) (memory 1) {ENTRY})"#
        ))
        .unwrap();
        assert_eq!(refusal(&wasm), "missing memory export named `memory`");
    }

    #[test]
    fn requires_pay_for_memory_grow_unless_memory_is_fixed() {
        let growable =
            wat::parse_str(format!(r#"(module (memory (export "memory") 1) {ENTRY})"#)).unwrap();
        assert_eq!(
            refusal(&growable),
            "memory can grow but vm_hooks.pay_for_memory_grow is not imported"
        );
        let fixed = wat::parse_str(format!(
            r#"(module (memory (export "memory") 1 1) {ENTRY})"#
        ))
        .unwrap();
        assert!(validate(&fixed).is_ok());
    }

    #[test]
    fn refuses_memory_over_128_pages() {
        let wasm = wat::parse_str(format!(
            r#"(module (import "vm_hooks" "pay_for_memory_grow" (func (param i32))) (memory (export "memory") 129) {ENTRY})"#
        ))
        .unwrap();
        assert_eq!(refusal(&wasm), "too many initial memory pages: 129 > 128");
    }

    #[test]
    fn refuses_too_many_locals() {
        let locals = " i32".repeat(348);
        assert!(validate(&program(&format!("(func $big (local{locals}))"))).is_ok());
        let wasm = program(&format!("(func $big (local i64{locals}))"));
        assert_eq!(
            refusal(&wasm),
            "function 2 `big`: too many locals in a function: 349 > 348"
        );
    }

    #[test]
    fn refuses_too_many_data_segments_and_table_entries() {
        let data: String = (0..129).fold(String::new(), |mut out, i| {
            let _ = write!(out, r#"(data (i32.const {i}) "x")"#);
            out
        });
        assert_eq!(
            refusal(&program(&data)),
            "too many data segments: 129 > 128"
        );
        assert_eq!(
            refusal(&program("(table 4097 funcref)")),
            "too many table entries: 4097 > 4096"
        );
    }

    #[test]
    fn refuses_too_many_functions_and_exports() {
        let functions: String = (0..4096).map(|_| "(func)").collect();
        assert_eq!(
            refusal(&program(&functions)),
            "too many functions: 4097 > 4096"
        );
        let exports: String = (0..1024).fold(String::new(), |mut out, i| {
            let _ = write!(out, r#"(export "e{i}" (func $entry))"#);
            out
        });
        assert_eq!(refusal(&program(&exports)), "too many exports: 1026 > 1024");
    }

    #[test]
    fn accepts_canonical_call_indirect_through_a_funcref_table() {
        let wasm = program(
            "(type $t (func (result i32))) (table 2 funcref) (elem (i32.const 1) $one)
             (func $one (result i32) i32.const 1)
             (func $dispatch (result i32) (call_indirect (type $t) (i32.const 1)))",
        );
        let info = validate(&wasm).unwrap();
        assert_eq!(info.element_segment_bytes, 6);
        assert_eq!(info.functions, 3);
    }

    #[test]
    fn refuses_other_disabled_proposals() {
        let cases = [
            (
                "(func $pick (result i32) (select (result i32) (i32.const 1) (i32.const 2) (i32.const 0)))",
                "function 2 `pick`: reference types support is not enabled (at offset 0x72)",
            ),
            (
                "(func $atomic (drop (i32.atomic.load (i32.const 0))))",
                "function 2 `atomic`: threads support is not enabled (at offset 0x6d)",
            ),
            ("(memory 1)", "multiple memories (at offset 0x3c)"),
            ("(table 1 externref)", "reference types support is not enabled (at offset 0x3d)"),
        ];
        for (body, expected) in cases {
            assert_eq!(refusal(&program(body)), expected, "{body}");
        }
    }

    #[test]
    fn refuses_the_remaining_limits() {
        let long_name = format!(r#"(export "{}" (func $entry))"#, "n".repeat(513));
        assert_eq!(
            refusal(&program(&long_name)),
            "too many bytes in an export name: 513 > 512"
        );
        let globals = "(global i32 (i32.const 0))".repeat(32_769);
        assert_eq!(
            refusal(&program(&globals)),
            "too many globals: 32769 > 32768"
        );
        let operators = format!("(func $long {})", "nop ".repeat(65_536));
        assert_eq!(
            refusal(&program(&operators)),
            "function 2 `long`: too many operators in a function: 65537 > 65536"
        );
        let imports = r#"(import "vm_hooks" "read_args" (func (param i32)))"#.repeat(513);
        let wasm = wat::parse_str(format!("(module {imports} {HEAD} {ENTRY})")).unwrap();
        assert_eq!(refusal(&wasm), "too many imports: 514 > 513");
    }

    #[test]
    fn refuses_reserved_import_names() {
        let wasm = wat::parse_str(format!(
            r#"(module (import "vm_hooks" "stylus_ink_left" (func)) {HEAD} {ENTRY})"#
        ))
        .unwrap();
        assert_eq!(
            refusal(&wasm),
            r#"name "stylus_ink_left" is reserved (names starting with `stylus`)"#
        );
    }

    #[test]
    fn every_hostio_is_listed_once() {
        let mut names: Vec<_> = HOSTIOS.iter().map(|h| h.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 42);
        assert_eq!(
            hostio_by_name("pay_for_memory_grow").unwrap().params,
            &[WasmType::I32]
        );
    }
}
