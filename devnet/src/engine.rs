//! The WASM engine behind a small trait, and its wasmi implementation.
//!
//! The gas model lives in the instrumented module and in [`crate::host`], so an engine only has
//! to run integer WASM, expose the injected globals and linear memory, and suspend a run when a
//! hostio needs the EVM. wasmi does the last with resumable calls; an engine without them could
//! implement [`Instance`] on a fiber or a thread.

use std::sync::Arc;

use wasmi::{
    Caller, Engine as WasmiCore, Global, Linker, Memory, Module, Store, TypedFunc,
    TypedResumableCall, TypedResumableCallHostTrap, Val,
};

use xmtp_stylus::instrument::{
    STYLUS_INK_LEFT, STYLUS_INK_STATUS, STYLUS_STACK_LEFT, USER_ENTRYPOINT,
};

use crate::host::{hostio, CallKind, Escape, HostCtx, HostState, Request};

/// What a run did when it stopped.
#[derive(Debug)]
pub enum Event {
    /// A hostio needs the EVM; resume with [`Instance::resume`].
    Request(Request),
    /// `user_entrypoint` returned this status.
    Finished(i32),
    /// `exit_early(status)`.
    Exit(u32),
    /// The ink ran out.
    OutOfInk,
    /// The stack budget ran out.
    OutOfStack,
    /// A trap or a failed hostio: the call reverts with empty data and keeps its gas.
    Failure(String),
}

/// The value a suspended hostio returns when resumed.
#[derive(Debug, Clone, Copy)]
pub enum Reply {
    /// The hostio returns nothing.
    Unit,
    /// The hostio returns an `i32`.
    I32(i32),
}

/// A compiled-program factory.
pub trait Engine {
    /// A compiled, instrumented module; cheap to clone.
    type Module: Clone;
    /// One fresh instance per call.
    type Instance: Instance;

    /// Compiles an instrumented module.
    fn compile(&self, wasm: &[u8]) -> Result<Self::Module, String>;

    /// Instantiates a module with fresh memory, `ink` and a stack budget.
    fn instantiate(
        &self,
        module: &Self::Module,
        host: HostState,
        ink: u64,
        stack: u32,
    ) -> Result<Self::Instance, String>;
}

/// A running program.
pub trait Instance {
    /// Calls `user_entrypoint(args_len)`.
    fn start(&mut self, args_len: u32) -> Event;
    /// Resumes after a [`Event::Request`] was served.
    fn resume(&mut self, reply: Reply) -> Event;
    /// The host state.
    fn host(&mut self) -> &mut HostState;
    /// Ink left.
    fn ink(&mut self) -> u64;
    /// Sets the ink left.
    fn set_ink(&mut self, ink: u64);
    /// Marks the meter exhausted.
    fn exhaust(&mut self);
    /// Writes guest memory.
    fn write(&mut self, ptr: u32, bytes: &[u8]) -> Result<(), Escape>;
}

/// Store data of a wasmi instance.
#[derive(Debug, Default)]
pub struct Data {
    host: HostState,
    memory: Option<Memory>,
    ink: Option<Global>,
    status: Option<Global>,
}

/// wasmi 2.x.
#[derive(Clone)]
pub struct WasmiEngine {
    engine: WasmiCore,
    linker: Arc<Linker<Data>>,
}

impl std::fmt::Debug for WasmiEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WasmiEngine")
    }
}

impl Default for WasmiEngine {
    fn default() -> Self {
        // Nitro's stack budget (262 144 words, at least 5 per frame) allows about 52 000 nested
        // calls; the engine's own limits must not trap first, or a depth failure would look
        // like an ordinary trap that keeps gas.
        let mut config = wasmi::Config::default();
        config.set_max_recursion_depth(70_000);
        config.set_max_stack_height(16 * 1024 * 1024);
        let engine = WasmiCore::new(&config);
        let mut linker = Linker::new(&engine);
        link_hostios(&mut linker);
        Self {
            engine,
            linker: Arc::new(linker),
        }
    }
}

fn to_u64(v: &Val) -> u64 {
    match v {
        Val::I64(x) => u64::from_ne_bytes(x.to_ne_bytes()),
        Val::I32(x) => u64::from(u32::from_ne_bytes(x.to_ne_bytes())),
        _ => 0,
    }
}

fn ink_val(ink: u64) -> Val {
    Val::I64(i64::from_ne_bytes(ink.to_ne_bytes()))
}

/// Runs a hostio with the guest's memory, host state and ink.
fn with_host<T>(
    caller: &mut Caller<'_, Data>,
    name: &'static str,
    f: impl FnOnce(&mut HostCtx) -> Result<T, Escape>,
) -> Result<T, wasmi::Error> {
    let (Some(memory), Some(ink_g), Some(status_g)) = (
        caller.data().memory,
        caller.data().ink,
        caller.data().status,
    ) else {
        return Err(wasmi::Error::host(Escape::Failure("not instrumented")));
    };
    let ink = to_u64(&ink_g.get(&*caller));
    let (mem, data) = memory.data_and_store_mut(&mut *caller);
    let mut ctx = HostCtx {
        mem,
        state: &mut data.host,
        ink,
    };
    let result = f(&mut ctx);
    if let Some(profile) = &mut ctx.state.profile {
        profile.add(name, ink.saturating_sub(ctx.ink));
        profile.last = name;
    }
    let ink = ctx.ink;
    let _ = ink_g.set(&mut *caller, ink_val(ink));
    result.map_err(|e| {
        if matches!(e, Escape::OutOfInk) {
            let _ = status_g.set(&mut *caller, Val::I32(1));
            let _ = ink_g.set(&mut *caller, ink_val(0));
        }
        wasmi::Error::host(e)
    })
}

impl wasmi::errors::HostError for Escape {}

#[allow(clippy::too_many_lines)]
fn link_hostios(l: &mut Linker<Data>) {
    macro_rules! link {
        ($name:literal, |$($a:ident : $t:ty),*| -> $r:ty, $body:expr) => {
            l.func_wrap("vm_hooks", $name, |mut c: Caller<'_, Data>, $($a: $t),*| -> Result<$r, wasmi::Error> {
                with_host(&mut c, $name, |h| $body(h))
            })
            .map(|_| ())
            .unwrap_or_default();
        };
    }
    link!("read_args", |p: i32| -> (), |h| hostio::read_args(h, p));
    link!("write_result", |p: i32, n: i32| -> (), |h| hostio::write_result(h, p, n));
    link!("exit_early", |s: i32| -> (), |h| hostio::exit_early(h, s));
    link!("storage_load_bytes32", |k: i32, d: i32| -> (), |h| {
        hostio::storage_load_bytes32(h, k, d)
    });
    link!("storage_cache_bytes32", |k: i32, v: i32| -> (), |h| {
        hostio::storage_cache_bytes32(h, k, v)
    });
    link!("storage_flush_cache", |c: i32| -> (), |h| hostio::storage_flush_cache(h, c));
    link!("transient_load_bytes32", |k: i32, d: i32| -> (), |h| {
        hostio::transient_load_bytes32(h, k, d)
    });
    link!("transient_store_bytes32", |k: i32, v: i32| -> (), |h| {
        hostio::transient_store_bytes32(h, k, v)
    });
    link!(
        "call_contract",
        |a: i32, d: i32, n: i32, v: i32, g: i64, r: i32| -> i32,
        |h| hostio::call(h, CallKind::Call, a, d, n, Some(v), g, r)
    );
    link!(
        "delegate_call_contract",
        |a: i32, d: i32, n: i32, g: i64, r: i32| -> i32,
        |h| hostio::call(h, CallKind::Delegate, a, d, n, None, g, r)
    );
    link!(
        "static_call_contract",
        |a: i32, d: i32, n: i32, g: i64, r: i32| -> i32,
        |h| hostio::call(h, CallKind::Static, a, d, n, None, g, r)
    );
    link!(
        "create1",
        |c: i32, n: i32, e: i32, a: i32, r: i32| -> (),
        |h| hostio::create(h, c, n, e, None, a, r)
    );
    link!(
        "create2",
        |c: i32, n: i32, e: i32, s: i32, a: i32, r: i32| -> (),
        |h| hostio::create(h, c, n, e, Some(s), a, r)
    );
    link!("read_return_data", |d: i32, o: i32, s: i32| -> i32, |h| {
        hostio::read_return_data(h, d, o, s)
    });
    link!("return_data_size", | | -> i32, hostio::return_data_size);
    link!("emit_log", |d: i32, n: i32, t: i32| -> (), |h| hostio::emit_log(h, d, n, t));
    link!("account_balance", |a: i32, d: i32| -> (), |h| hostio::account_balance(h, a, d));
    link!(
        "account_code",
        |a: i32, o: i32, s: i32, d: i32| -> i32,
        |h| hostio::account_code(h, a, o, s, d)
    );
    link!("account_code_size", |a: i32| -> i32, |h| hostio::account_code_size(h, a));
    link!("account_codehash", |a: i32, d: i32| -> (), |h| hostio::account_codehash(h, a, d));
    link!("evm_gas_left", | | -> i64, hostio::evm_gas_left);
    link!("evm_ink_left", | | -> i64, hostio::evm_ink_left);
    link!("block_basefee", |d: i32| -> (), |h| hostio::block_basefee(h, d));
    link!("chainid", | | -> i64, hostio::chainid);
    link!("block_coinbase", |d: i32| -> (), |h| hostio::block_coinbase(h, d));
    link!("block_gas_limit", | | -> i64, hostio::block_gas_limit);
    link!("block_number", | | -> i64, hostio::block_number);
    link!("block_timestamp", | | -> i64, hostio::block_timestamp);
    link!("contract_address", |d: i32| -> (), |h| hostio::contract_address(h, d));
    link!("math_div", |v: i32, d: i32| -> (), |h| hostio::math_div(h, v, d));
    link!("math_mod", |v: i32, d: i32| -> (), |h| hostio::math_mod(h, v, d));
    link!("math_pow", |v: i32, d: i32| -> (), |h| hostio::math_pow(h, v, d));
    link!("math_add_mod", |v: i32, a: i32, m: i32| -> (), |h| {
        hostio::math_add_mod(h, v, a, m)
    });
    link!("math_mul_mod", |v: i32, a: i32, m: i32| -> (), |h| {
        hostio::math_mul_mod(h, v, a, m)
    });
    link!("msg_reentrant", | | -> i32, hostio::msg_reentrant);
    link!("msg_sender", |d: i32| -> (), |h| hostio::msg_sender(h, d));
    link!("msg_value", |d: i32| -> (), |h| hostio::msg_value(h, d));
    link!("native_keccak256", |p: i32, n: i32, o: i32| -> (), |h| {
        hostio::native_keccak256(h, p, n, o)
    });
    link!("tx_gas_price", |d: i32| -> (), |h| hostio::tx_gas_price(h, d));
    link!("tx_ink_price", | | -> i32, hostio::tx_ink_price);
    link!("tx_origin", |d: i32| -> (), |h| hostio::tx_origin(h, d));
    link!("pay_for_memory_grow", |p: i32| -> (), |h| hostio::pay_for_memory_grow(h, p));
}

impl Engine for WasmiEngine {
    type Module = Module;
    type Instance = WasmiInstance;

    fn compile(&self, wasm: &[u8]) -> Result<Module, String> {
        Module::new(&self.engine, wasm).map_err(|e| e.to_string())
    }

    fn instantiate(
        &self,
        module: &Module,
        host: HostState,
        ink: u64,
        stack: u32,
    ) -> Result<WasmiInstance, String> {
        let mut store = Store::new(
            &self.engine,
            Data {
                host,
                ..Data::default()
            },
        );
        let instance = self
            .linker
            .instantiate_and_start(&mut store, module)
            .map_err(|e| e.to_string())?;
        let memory = instance.get_memory(&store, "memory");
        let ink_g = instance.get_global(&store, STYLUS_INK_LEFT);
        let status = instance.get_global(&store, STYLUS_INK_STATUS);
        let stack_g = instance.get_global(&store, STYLUS_STACK_LEFT);
        let entry = instance
            .get_typed_func::<i32, i32>(&store, USER_ENTRYPOINT)
            .map_err(|e| e.to_string())?;
        let (Some(ink_g), Some(status), Some(stack_g)) = (ink_g, status, stack_g) else {
            return Err("module is not instrumented".into());
        };
        ink_g
            .set(&mut store, ink_val(ink))
            .map_err(|e| e.to_string())?;
        stack_g
            .set(
                &mut store,
                Val::I32(i32::from_ne_bytes(stack.to_ne_bytes())),
            )
            .map_err(|e| e.to_string())?;
        let data = store.data_mut();
        data.memory = memory;
        data.ink = Some(ink_g);
        data.status = Some(status);
        Ok(WasmiInstance {
            store,
            entry,
            stack: stack_g,
            pending: None,
        })
    }
}

/// A wasmi instance and its suspended call, if any.
pub struct WasmiInstance {
    store: Store<Data>,
    entry: TypedFunc<i32, i32>,
    stack: Global,
    pending: Option<TypedResumableCallHostTrap<i32>>,
}

impl WasmiInstance {
    fn classify(&mut self, outcome: Result<TypedResumableCall<i32>, wasmi::Error>) -> Event {
        match outcome {
            Ok(TypedResumableCall::Finished(status)) => Event::Finished(status),
            Ok(TypedResumableCall::HostTrap(trap)) => {
                let escape = trap.host_error().downcast_ref::<Escape>().map(|e| match e {
                    Escape::Request(_) => None,
                    Escape::Exit(s) => Some(Event::Exit(*s)),
                    Escape::OutOfInk => Some(Event::OutOfInk),
                    Escape::Failure(why) => Some(Event::Failure((*why).to_string())),
                });
                match escape {
                    Some(Some(event)) => event,
                    Some(None) => {
                        // Take the request out by value; the trap keeps a placeholder.
                        let request = take_request(&trap);
                        self.pending = Some(trap);
                        match request {
                            Some(r) => Event::Request(r),
                            None => Event::Failure("lost request".into()),
                        }
                    }
                    None => Event::Failure(trap.host_error().to_string()),
                }
            }
            Ok(TypedResumableCall::OutOfFuel(_)) => Event::OutOfInk,
            Err(e) => {
                if let Some(Escape::OutOfInk) = e.downcast_ref::<Escape>() {
                    return Event::OutOfInk;
                }
                if to_u64(&self.stack.get(&self.store)) == 0 {
                    return Event::OutOfStack;
                }
                let status = self
                    .store
                    .data()
                    .status
                    .map(|g| to_u64(&g.get(&self.store)));
                if status.unwrap_or(0) != 0 {
                    return Event::OutOfInk;
                }
                Event::Failure(e.to_string())
            }
        }
    }
}

/// Reconstructs the request a host trap carries (requests are plain data, so a copy is exact).
fn take_request(trap: &TypedResumableCallHostTrap<i32>) -> Option<Request> {
    match trap.host_error().downcast_ref::<Escape>()? {
        Escape::Request(r) => Some(r.clone()),
        _ => None,
    }
}

impl Instance for WasmiInstance {
    fn start(&mut self, args_len: u32) -> Event {
        let arg = i32::from_ne_bytes(args_len.to_ne_bytes());
        let outcome = self.entry.call_resumable(&mut self.store, arg);
        self.classify(outcome)
    }

    fn resume(&mut self, reply: Reply) -> Event {
        let Some(trap) = self.pending.take() else {
            return Event::Failure("nothing to resume".into());
        };
        let outcome = match reply {
            Reply::Unit => trap.resume(&mut self.store, &[]),
            Reply::I32(v) => trap.resume(&mut self.store, &[Val::I32(v)]),
        };
        self.classify(outcome)
    }

    fn host(&mut self) -> &mut HostState {
        &mut self.store.data_mut().host
    }

    fn ink(&mut self) -> u64 {
        self.store
            .data()
            .ink
            .map_or(0, |g| to_u64(&g.get(&self.store)))
    }

    fn set_ink(&mut self, ink: u64) {
        if let Some(g) = self.store.data().ink {
            let _ = g.set(&mut self.store, ink_val(ink));
        }
    }

    fn exhaust(&mut self) {
        self.set_ink(0);
        if let Some(g) = self.store.data().status {
            let _ = g.set(&mut self.store, Val::I32(1));
        }
    }

    fn write(&mut self, ptr: u32, bytes: &[u8]) -> Result<(), Escape> {
        let Some(memory) = self.store.data().memory else {
            return Err(Escape::Failure("no memory"));
        };
        crate::host::write_mem(memory.data_mut(&mut self.store), ptr, bytes)
    }
}
