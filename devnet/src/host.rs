//! The engine-independent half of the hostios: prices, the per-invocation state, and the
//! hostios that need no EVM state.
//!
//! A hostio that needs the EVM (storage misses, flushes, calls, creates, logs, account reads,
//! memory growth) charges its fixed part here and then yields a [`Request`]; the runtime serves
//! it from revm's journal and resumes the program (`notes/revm-stylus-integration.md`, pattern
//! B). Prices follow `spec/stylus-platform.md` §1.

use revm::primitives::{keccak256, Address, B256, U256};

/// Ink prices of `spec/stylus-platform.md` §1.2.
pub mod ink {
    /// Base of most hostios.
    pub const HOSTIO: u64 = 8400;
    /// Extra for hostios that take or write a pointer.
    pub const PTR: u64 = 5040;
    /// Extra for hostios that ask the EVM.
    pub const EVM_API: u64 = 59_673;
    /// 256-bit division.
    pub const DIV: u64 = 20_000;
    /// 256-bit add-mod.
    pub const ADD_MOD: u64 = 21_000;
    /// 256-bit mul-mod.
    pub const MUL_MOD: u64 = 24_100;

    /// Copy of `n` bytes from the host into the guest.
    pub fn write_price(n: u32) -> u64 {
        PTR + 30 * u64::from(n.saturating_sub(32))
    }

    /// Copy of `n` bytes from the guest into the host.
    pub fn read_price(n: u32) -> u64 {
        16_381 + 55 * u64::from(n.saturating_sub(32))
    }

    /// Keccak of `n` bytes.
    pub fn keccak_price(n: u32) -> u64 {
        let words = u64::from(n).div_ceil(32).saturating_sub(2);
        121_800 + 21_000 * words
    }

    /// Exponentiation with a 32-byte big-endian exponent.
    pub fn pow_price(exponent: &[u8; 32]) -> u64 {
        let zeros = exponent.iter().take_while(|b| **b == 0).count() as u64;
        3000 + 17_500 * (33 - zeros)
    }
}

/// Why a program stops before returning normally, or pauses for the EVM.
#[derive(Debug)]
pub enum Escape {
    /// The program needs the EVM; it resumes with the reply.
    Request(Request),
    /// `exit_early(status)`.
    Exit(u32),
    /// The ink ran out inside a hostio.
    OutOfInk,
    /// A hostio failed (bad arguments, out-of-bounds memory, write protection).
    Failure(&'static str),
}

impl std::fmt::Display for Escape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Request(r) => write!(f, "request {r:?}"),
            Self::Exit(status) => write!(f, "exit {status}"),
            Self::OutOfInk => f.write_str("out of ink"),
            Self::Failure(why) => write!(f, "failure: {why}"),
        }
    }
}

/// The kinds of call a program can make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallKind {
    /// `call_contract`.
    Call,
    /// `delegate_call_contract`.
    Delegate,
    /// `static_call_contract`.
    Static,
}

/// Work a hostio hands to the EVM side.
#[derive(Debug, Clone)]
pub enum Request {
    /// Storage cache miss: load `key`, write the value at `dest`, charge `counter_gas` too.
    Load {
        /// Slot.
        key: B256,
        /// Guest pointer of the 32-byte result.
        dest: u32,
        /// Cache-counter gas already due.
        counter_gas: u64,
    },
    /// Write dirty slots in order.
    Flush(Vec<(B256, B256)>),
    /// `TLOAD`.
    TransientLoad {
        /// Slot.
        key: B256,
        /// Guest pointer of the result.
        dest: u32,
    },
    /// `TSTORE`.
    TransientStore {
        /// Slot.
        key: B256,
        /// Value.
        value: B256,
    },
    /// A call of any kind.
    Call {
        /// Kind.
        kind: CallKind,
        /// Callee (code address for delegate calls).
        to: Address,
        /// Calldata.
        input: Vec<u8>,
        /// Value (zero unless `Call`).
        value: U256,
        /// Requested gas (`u64::MAX` = all).
        gas: u64,
        /// Guest pointer of the u32 return-data length.
        ret_len_ptr: u32,
    },
    /// `create1` / `create2`.
    Create {
        /// Init code.
        code: Vec<u8>,
        /// Endowment.
        endowment: U256,
        /// Salt for `create2`.
        salt: Option<B256>,
        /// Guest pointer of the 20-byte address result.
        addr_ptr: u32,
        /// Guest pointer of the u32 revert-data length.
        ret_len_ptr: u32,
    },
    /// A log with its topics.
    Log {
        /// Topics (at most four).
        topics: Vec<B256>,
        /// Data.
        data: Vec<u8>,
    },
    /// `BALANCE`.
    Balance {
        /// Account.
        addr: Address,
        /// Guest pointer of the 32-byte result.
        dest: u32,
    },
    /// `EXTCODECOPY` without padding.
    Code {
        /// Account.
        addr: Address,
        /// Offset into the code.
        offset: u32,
        /// Bytes wanted.
        size: u32,
        /// Guest pointer of the result.
        dest: u32,
    },
    /// `EXTCODESIZE`.
    CodeSize {
        /// Account.
        addr: Address,
    },
    /// `EXTCODEHASH`.
    CodeHash {
        /// Account.
        addr: Address,
        /// Guest pointer of the 32-byte result.
        dest: u32,
    },
    /// `pay_for_memory_grow(pages)` with `pages > 0`.
    MemoryGrow {
        /// Pages about to be added.
        pages: u16,
    },
}

/// What a program sees of its call and block, fixed at entry.
#[derive(Debug, Clone, Default)]
pub struct FrameEnv {
    /// `contract_address` (the proxy's address under delegate call).
    pub address: Address,
    /// `msg_sender`.
    pub caller: Address,
    /// `msg_value`.
    pub value: U256,
    /// `tx_origin`.
    pub origin: Address,
    /// `tx_gas_price`.
    pub gas_price: U256,
    /// `block_basefee`.
    pub basefee: U256,
    /// `block_coinbase`.
    pub coinbase: Address,
    /// `block_gas_limit`.
    pub gas_limit: u64,
    /// `block_number` (the L1 estimate on Arbitrum).
    pub number: u64,
    /// `block_timestamp`.
    pub timestamp: u64,
    /// `chainid`.
    pub chain_id: u64,
    /// `msg_reentrant`, frozen at entry.
    pub reentrant: bool,
    /// Inside a static call.
    pub is_static: bool,
    /// Ink per gas.
    pub ink_price: u32,
}

#[derive(Debug, Clone, Copy)]
struct Word {
    value: B256,
    known: Option<B256>,
}

/// Nitro's per-invocation storage cache with its bookkeeping counters.
#[derive(Debug, Default, Clone)]
pub struct StorageCache {
    keys: Vec<B256>,
    words: std::collections::HashMap<B256, Word>,
    reads: u32,
    writes: u32,
}

impl StorageCache {
    /// Gas the cache charges before any access (`REQUIRED_ACCESS_GAS`).
    pub const REQUIRED_ACCESS_GAS: u64 = 10;

    fn read_gas(&mut self) -> u64 {
        self.reads = self.reads.saturating_add(1);
        match self.reads {
            0..=32 => 0,
            33..=128 => 2,
            _ => 10,
        }
    }

    fn write_gas(&mut self) -> u64 {
        self.writes = self.writes.saturating_add(1);
        match self.writes {
            0..=8 => 0,
            9..=64 => 7,
            _ => 10,
        }
    }

    /// Records a value read from state.
    pub fn insert_known(&mut self, key: B256, value: B256) {
        if !self.words.contains_key(&key) {
            self.keys.push(key);
        }
        self.words.insert(
            key,
            Word {
                value,
                known: Some(value),
            },
        );
    }

    fn take_dirty(&mut self, clear: bool) -> Vec<(B256, B256)> {
        let mut dirty = Vec::new();
        for key in &self.keys {
            if let Some(word) = self.words.get_mut(key) {
                if word.known != Some(word.value) {
                    dirty.push((*key, word.value));
                    word.known = Some(word.value);
                }
            }
        }
        if clear {
            self.keys.clear();
            self.words.clear();
        }
        dirty
    }
}

/// Everything a running program's hostios need besides the EVM.
#[derive(Debug, Default)]
pub struct HostState {
    /// Calldata.
    pub args: Vec<u8>,
    /// Output set by `write_result`.
    pub outs: Vec<u8>,
    /// Return data of the last call or create.
    pub return_data: Vec<u8>,
    /// Call and block facts.
    pub env: FrameEnv,
    /// The storage cache.
    pub cache: StorageCache,
    /// Ink by hostio, when the chain profiles (see [`crate::chain::Chain::set_profiling`]).
    pub profile: Option<HostioInk>,
}

/// Ink a frame spent in each hostio: the hostio's own price and what the EVM charged to serve
/// it (storage access, a call's base cost), without the gas of the frames it called.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct HostioInk {
    /// Ink by hostio name, in order of first use.
    pub by_hostio: Vec<(&'static str, u64)>,
    /// The hostio that ran last (EVM charges made after it returns are its own).
    pub last: &'static str,
}

impl HostioInk {
    /// Adds `ink` to `hostio`.
    pub fn add(&mut self, hostio: &'static str, ink: u64) {
        match self.by_hostio.iter_mut().find(|(name, _)| *name == hostio) {
            Some((_, total)) => *total += ink,
            None => self.by_hostio.push((hostio, ink)),
        }
    }
}

/// A hostio's view of the guest: its memory, the host state and the ink counter.
pub struct HostCtx<'a> {
    /// Linear memory.
    pub mem: &'a mut [u8],
    /// Host state.
    pub state: &'a mut HostState,
    /// Ink left (written back to the guest afterwards).
    pub ink: u64,
}

type R<T> = Result<T, Escape>;

impl HostCtx<'_> {
    /// Deducts ink.
    pub fn buy_ink(&mut self, ink: u64) -> R<()> {
        if self.ink < ink {
            self.ink = 0;
            return Err(Escape::OutOfInk);
        }
        self.ink -= ink;
        Ok(())
    }

    /// Checks that `ink` is left without deducting it.
    pub fn require_ink(&mut self, ink: u64) -> R<()> {
        if self.ink < ink {
            self.ink = 0;
            return Err(Escape::OutOfInk);
        }
        Ok(())
    }

    fn price(&self) -> u64 {
        u64::from(self.state.env.ink_price.max(1))
    }

    /// Deducts gas.
    pub fn buy_gas(&mut self, gas: u64) -> R<()> {
        self.buy_ink(gas.saturating_mul(self.price()))
    }

    /// Checks that `gas` is left.
    pub fn require_gas(&mut self, gas: u64) -> R<()> {
        self.require_ink(gas.saturating_mul(self.price()))
    }

    /// Gas left.
    pub fn gas_left(&self) -> u64 {
        self.ink / self.price()
    }

    /// Reads guest memory.
    pub fn read(&self, ptr: u32, len: u32) -> R<Vec<u8>> {
        let start = ptr as usize;
        let end = start
            .checked_add(len as usize)
            .ok_or(Escape::Failure("out of bounds"))?;
        self.mem
            .get(start..end)
            .map(<[u8]>::to_vec)
            .ok_or(Escape::Failure("out of bounds"))
    }

    /// Writes guest memory.
    pub fn write(&mut self, ptr: u32, bytes: &[u8]) -> R<()> {
        write_mem(self.mem, ptr, bytes)
    }

    fn read32(&self, ptr: u32) -> R<B256> {
        Ok(B256::from_slice(&self.read(ptr, 32)?))
    }

    fn read20(&self, ptr: u32) -> R<Address> {
        Ok(Address::from_slice(&self.read(ptr, 20)?))
    }

    fn read_u256(&self, ptr: u32) -> R<U256> {
        Ok(U256::from_be_bytes(self.read32(ptr)?.0))
    }

    fn write_u256(&mut self, ptr: u32, value: U256) -> R<()> {
        self.write(ptr, &value.to_be_bytes::<32>())
    }
}

/// Writes `bytes` at `ptr` in `mem`, refusing out-of-bounds writes.
pub fn write_mem(mem: &mut [u8], ptr: u32, bytes: &[u8]) -> Result<(), Escape> {
    let start = ptr as usize;
    let end = start
        .checked_add(bytes.len())
        .ok_or(Escape::Failure("out of bounds"))?;
    mem.get_mut(start..end)
        .ok_or(Escape::Failure("out of bounds"))?
        .copy_from_slice(bytes);
    Ok(())
}

/// The 42 hostios, as host-side functions over a [`HostCtx`]. Arguments are the raw wasm values.
pub mod hostio {
    use super::{ink, CallKind, Escape, HostCtx, Request, StorageCache, R};
    use revm::primitives::{keccak256, B256, U256};

    const COLD_SLOAD_GAS: u64 = 2100;
    const SSTORE_SENTRY_GAS: u64 = 2300;
    const COLD_ACCOUNT_GAS: u64 = 2600;
    const TLOAD_GAS: u64 = 100;
    const TSTORE_GAS: u64 = 100;
    const LOG_TOPIC_GAS: u64 = 375;
    const LOG_DATA_GAS: u64 = 8;

    fn bits(v: i32) -> u32 {
        u32::from_ne_bytes(v.to_ne_bytes())
    }

    fn req<T>(r: Request) -> R<T> {
        Err(Escape::Request(r))
    }

    /// `read_args`.
    pub fn read_args(h: &mut HostCtx, dest: i32) -> R<()> {
        h.buy_ink(ink::HOSTIO)?;
        let len = u32::try_from(h.state.args.len()).unwrap_or(u32::MAX);
        h.buy_ink(ink::write_price(len))?;
        let args = std::mem::take(&mut h.state.args);
        let res = h.write(bits(dest), &args);
        h.state.args = args;
        res
    }

    /// `write_result`.
    pub fn write_result(h: &mut HostCtx, ptr: i32, len: i32) -> R<()> {
        h.buy_ink(ink::HOSTIO)?;
        h.buy_ink(ink::read_price(bits(len)))?;
        h.buy_ink(ink::read_price(bits(len)))?;
        h.state.outs = h.read(bits(ptr), bits(len))?;
        Ok(())
    }

    /// `exit_early`.
    pub fn exit_early(_h: &mut HostCtx, status: i32) -> R<()> {
        Err(Escape::Exit(bits(status)))
    }

    /// `storage_load_bytes32`: a hit is served from the cache, a miss goes to the EVM.
    pub fn storage_load_bytes32(h: &mut HostCtx, key: i32, dest: i32) -> R<()> {
        h.buy_ink(ink::HOSTIO + 2 * ink::PTR)?;
        let evm_api_gas = ink::EVM_API / u64::from(h.state.env.ink_price.max(1));
        h.require_gas(COLD_SLOAD_GAS + StorageCache::REQUIRED_ACCESS_GAS + evm_api_gas)?;
        let key = h.read32(bits(key))?;
        let counter_gas = h.state.cache.read_gas();
        if let Some(word) = h.state.cache.words.get(&key) {
            let value = word.value;
            h.buy_gas(counter_gas)?;
            return h.write(bits(dest), value.as_slice());
        }
        req(Request::Load {
            key,
            dest: bits(dest),
            counter_gas: counter_gas + evm_api_gas,
        })
    }

    /// `storage_cache_bytes32`.
    pub fn storage_cache_bytes32(h: &mut HostCtx, key: i32, value: i32) -> R<()> {
        h.buy_ink(18_480)?;
        h.require_gas(SSTORE_SENTRY_GAS + StorageCache::REQUIRED_ACCESS_GAS)?;
        let key = h.read32(bits(key))?;
        let value = h.read32(bits(value))?;
        let gas = h.state.cache.write_gas();
        let cache = &mut h.state.cache;
        if let Some(word) = cache.words.get_mut(&key) {
            word.value = value;
        } else {
            cache.keys.push(key);
            cache.words.insert(key, super::Word { value, known: None });
        }
        h.buy_gas(gas)
    }

    /// `storage_flush_cache`.
    pub fn storage_flush_cache(h: &mut HostCtx, clear: i32) -> R<()> {
        h.buy_ink(ink::HOSTIO + ink::EVM_API)?;
        h.require_gas(SSTORE_SENTRY_GAS)?;
        let dirty = h.state.cache.take_dirty(clear != 0);
        if h.state.env.is_static && !dirty.is_empty() {
            return Err(Escape::Failure("write protection"));
        }
        req(Request::Flush(dirty))
    }

    /// `transient_load_bytes32`.
    pub fn transient_load_bytes32(h: &mut HostCtx, key: i32, dest: i32) -> R<()> {
        h.buy_ink(ink::HOSTIO + ink::PTR + ink::EVM_API + ink::PTR)?;
        h.buy_gas(TLOAD_GAS)?;
        let key = h.read32(bits(key))?;
        req(Request::TransientLoad {
            key,
            dest: bits(dest),
        })
    }

    /// `transient_store_bytes32`.
    pub fn transient_store_bytes32(h: &mut HostCtx, key: i32, value: i32) -> R<()> {
        h.buy_ink(ink::HOSTIO + ink::PTR + ink::EVM_API + ink::PTR)?;
        h.buy_gas(TSTORE_GAS)?;
        let key = h.read32(bits(key))?;
        let value = h.read32(bits(value))?;
        if h.state.env.is_static {
            return Err(Escape::Failure("write protection"));
        }
        req(Request::TransientStore { key, value })
    }

    fn call_base(h: &mut HostCtx, len: i32) -> R<()> {
        h.buy_ink(ink::HOSTIO + ink::PTR + ink::EVM_API + 2 * ink::PTR)?;
        h.buy_ink(ink::read_price(bits(len)))?;
        h.buy_ink(ink::read_price(bits(len)))
    }

    /// `call_contract`, `delegate_call_contract`, `static_call_contract`.
    #[allow(clippy::too_many_arguments)]
    pub fn call(
        h: &mut HostCtx,
        kind: CallKind,
        to: i32,
        data: i32,
        len: i32,
        value: Option<i32>,
        gas: i64,
        ret_len: i32,
    ) -> R<i32> {
        call_base(h, len)?;
        let to = h.read20(bits(to))?;
        let input = h.read(bits(data), bits(len))?;
        let value = match value {
            Some(ptr) => h.read_u256(bits(ptr))?,
            None => U256::ZERO,
        };
        req(Request::Call {
            kind,
            to,
            input,
            value,
            gas: u64::from_ne_bytes(gas.to_ne_bytes()),
            ret_len_ptr: bits(ret_len),
        })
    }

    /// `create1` / `create2`.
    pub fn create(
        h: &mut HostCtx,
        code: i32,
        len: i32,
        endowment: i32,
        salt: Option<i32>,
        addr: i32,
        ret_len: i32,
    ) -> R<()> {
        let base = if salt.is_some() { 88_233 } else { 83_193 };
        h.buy_ink(base)?;
        h.buy_ink(ink::read_price(bits(len)))?;
        h.buy_ink(ink::read_price(bits(len)))?;
        let code = h.read(bits(code), bits(len))?;
        let endowment = h.read_u256(bits(endowment))?;
        let salt = match salt {
            Some(ptr) => Some(h.read32(bits(ptr))?),
            None => None,
        };
        if h.state.env.is_static {
            return Err(Escape::Failure("write protection"));
        }
        req(Request::Create {
            code,
            endowment,
            salt,
            addr_ptr: bits(addr),
            ret_len_ptr: bits(ret_len),
        })
    }

    /// `read_return_data`.
    pub fn read_return_data(h: &mut HostCtx, dest: i32, offset: i32, size: i32) -> R<i32> {
        h.buy_ink(ink::HOSTIO + ink::EVM_API)?;
        let len = u32::try_from(h.state.return_data.len()).unwrap_or(u32::MAX);
        let offset = bits(offset);
        let max = len.saturating_sub(offset);
        h.buy_ink(ink::write_price(bits(size).min(max)))?;
        if max == 0 {
            return Ok(0);
        }
        let start = offset as usize;
        let end = (offset.saturating_add(bits(size)) as usize).min(len as usize);
        let slice = h.state.return_data[start..end].to_vec();
        if !slice.is_empty() {
            h.write(bits(dest), &slice)?;
        }
        Ok(i32::try_from(slice.len()).unwrap_or(i32::MAX))
    }

    /// `return_data_size`.
    pub fn return_data_size(h: &mut HostCtx) -> R<i32> {
        h.buy_ink(ink::HOSTIO)?;
        Ok(i32::try_from(h.state.return_data.len()).unwrap_or(i32::MAX))
    }

    /// `emit_log`.
    pub fn emit_log(h: &mut HostCtx, data: i32, len: i32, topics: i32) -> R<()> {
        h.buy_ink(ink::HOSTIO + ink::EVM_API)?;
        let (len, topics) = (bits(len), bits(topics));
        if topics > 4 || len < topics * 32 {
            return Err(Escape::Failure("bad topic data"));
        }
        h.buy_ink(ink::read_price(len))?;
        let cost =
            (1 + u64::from(topics)) * LOG_TOPIC_GAS + u64::from(len - topics * 32) * LOG_DATA_GAS;
        h.buy_gas(cost)?;
        let bytes = h.read(bits(data), len)?;
        if h.state.env.is_static {
            return Err(Escape::Failure("write protection"));
        }
        let split = (topics * 32) as usize;
        let topics = bytes[..split].chunks(32).map(B256::from_slice).collect();
        req(Request::Log {
            topics,
            data: bytes[split..].to_vec(),
        })
    }

    /// `account_balance`.
    pub fn account_balance(h: &mut HostCtx, addr: i32, dest: i32) -> R<()> {
        h.buy_ink(ink::HOSTIO + ink::PTR + ink::EVM_API + ink::PTR)?;
        h.require_gas(COLD_ACCOUNT_GAS)?;
        let addr = h.read20(bits(addr))?;
        req(Request::Balance {
            addr,
            dest: bits(dest),
        })
    }

    /// `account_code`.
    pub fn account_code(h: &mut HostCtx, addr: i32, offset: i32, size: i32, dest: i32) -> R<i32> {
        h.buy_ink(ink::HOSTIO + ink::EVM_API)?;
        h.require_gas(COLD_ACCOUNT_GAS)?;
        let addr = h.read20(bits(addr))?;
        req(Request::Code {
            addr,
            offset: bits(offset),
            size: bits(size),
            dest: bits(dest),
        })
    }

    /// `account_code_size`.
    pub fn account_code_size(h: &mut HostCtx, addr: i32) -> R<i32> {
        h.buy_ink(ink::HOSTIO + ink::EVM_API)?;
        h.require_gas(COLD_ACCOUNT_GAS)?;
        let addr = h.read20(bits(addr))?;
        req(Request::CodeSize { addr })
    }

    /// `account_codehash`.
    pub fn account_codehash(h: &mut HostCtx, addr: i32, dest: i32) -> R<()> {
        h.buy_ink(ink::HOSTIO + ink::PTR + ink::EVM_API + ink::PTR)?;
        h.require_gas(COLD_ACCOUNT_GAS)?;
        let addr = h.read20(bits(addr))?;
        req(Request::CodeHash {
            addr,
            dest: bits(dest),
        })
    }

    /// `evm_gas_left`.
    pub fn evm_gas_left(h: &mut HostCtx) -> R<i64> {
        h.buy_ink(ink::HOSTIO)?;
        Ok(i64::from_ne_bytes(h.gas_left().to_ne_bytes()))
    }

    /// `evm_ink_left`.
    pub fn evm_ink_left(h: &mut HostCtx) -> R<i64> {
        h.buy_ink(ink::HOSTIO)?;
        Ok(i64::from_ne_bytes(h.ink.to_ne_bytes()))
    }

    fn put_word(h: &mut HostCtx, dest: i32, word: &[u8]) -> R<()> {
        h.buy_ink(ink::HOSTIO + ink::PTR)?;
        h.write(bits(dest), word)
    }

    fn get_u64(h: &mut HostCtx, value: u64) -> R<i64> {
        h.buy_ink(ink::HOSTIO)?;
        Ok(i64::from_ne_bytes(value.to_ne_bytes()))
    }

    /// `block_basefee`.
    pub fn block_basefee(h: &mut HostCtx, dest: i32) -> R<()> {
        let v = h.state.env.basefee.to_be_bytes::<32>();
        put_word(h, dest, &v)
    }

    /// `chainid`.
    pub fn chainid(h: &mut HostCtx) -> R<i64> {
        get_u64(h, h.state.env.chain_id)
    }

    /// `block_coinbase`.
    pub fn block_coinbase(h: &mut HostCtx, dest: i32) -> R<()> {
        let v = h.state.env.coinbase;
        put_word(h, dest, v.as_slice())
    }

    /// `block_gas_limit`.
    pub fn block_gas_limit(h: &mut HostCtx) -> R<i64> {
        get_u64(h, h.state.env.gas_limit)
    }

    /// `block_number`.
    pub fn block_number(h: &mut HostCtx) -> R<i64> {
        get_u64(h, h.state.env.number)
    }

    /// `block_timestamp`.
    pub fn block_timestamp(h: &mut HostCtx) -> R<i64> {
        get_u64(h, h.state.env.timestamp)
    }

    /// `contract_address`.
    pub fn contract_address(h: &mut HostCtx, dest: i32) -> R<()> {
        let v = h.state.env.address;
        put_word(h, dest, v.as_slice())
    }

    /// `msg_sender`.
    pub fn msg_sender(h: &mut HostCtx, dest: i32) -> R<()> {
        let v = h.state.env.caller;
        put_word(h, dest, v.as_slice())
    }

    /// `msg_value`.
    pub fn msg_value(h: &mut HostCtx, dest: i32) -> R<()> {
        let v = h.state.env.value.to_be_bytes::<32>();
        put_word(h, dest, &v)
    }

    /// `tx_gas_price`.
    pub fn tx_gas_price(h: &mut HostCtx, dest: i32) -> R<()> {
        let v = h.state.env.gas_price.to_be_bytes::<32>();
        put_word(h, dest, &v)
    }

    /// `tx_origin`.
    pub fn tx_origin(h: &mut HostCtx, dest: i32) -> R<()> {
        let v = h.state.env.origin;
        put_word(h, dest, v.as_slice())
    }

    /// `tx_ink_price`.
    pub fn tx_ink_price(h: &mut HostCtx) -> R<i32> {
        h.buy_ink(ink::HOSTIO)?;
        Ok(i32::try_from(h.state.env.ink_price).unwrap_or(i32::MAX))
    }

    /// `msg_reentrant`.
    pub fn msg_reentrant(h: &mut HostCtx) -> R<i32> {
        h.buy_ink(ink::HOSTIO)?;
        Ok(i32::from(h.state.env.reentrant))
    }

    /// `native_keccak256`.
    pub fn native_keccak256(h: &mut HostCtx, data: i32, len: i32, out: i32) -> R<()> {
        h.buy_ink(ink::keccak_price(bits(len)))?;
        let bytes = h.read(bits(data), bits(len))?;
        h.write(bits(out), keccak256(bytes).as_slice())
    }

    /// `math_div`.
    pub fn math_div(h: &mut HostCtx, value: i32, divisor: i32) -> R<()> {
        h.buy_ink(ink::HOSTIO + 3 * ink::PTR + ink::DIV)?;
        let a = h.read_u256(bits(value))?;
        let b = h.read_u256(bits(divisor))?;
        let r = a.checked_div(b).unwrap_or(U256::ZERO);
        h.write_u256(bits(value), r)
    }

    /// `math_mod`.
    pub fn math_mod(h: &mut HostCtx, value: i32, modulus: i32) -> R<()> {
        h.buy_ink(ink::HOSTIO + 3 * ink::PTR + ink::DIV)?;
        let a = h.read_u256(bits(value))?;
        let b = h.read_u256(bits(modulus))?;
        let r = a.checked_rem(b).unwrap_or(U256::ZERO);
        h.write_u256(bits(value), r)
    }

    /// `math_pow`.
    pub fn math_pow(h: &mut HostCtx, value: i32, exponent: i32) -> R<()> {
        h.buy_ink(ink::HOSTIO + 3 * ink::PTR)?;
        let a = h.read_u256(bits(value))?;
        let e = h.read32(bits(exponent))?;
        h.buy_ink(ink::pow_price(&e.0))?;
        let r = a.wrapping_pow(U256::from_be_bytes(e.0));
        h.write_u256(bits(value), r)
    }

    /// `math_add_mod`.
    pub fn math_add_mod(h: &mut HostCtx, value: i32, addend: i32, modulus: i32) -> R<()> {
        h.buy_ink(ink::HOSTIO + 4 * ink::PTR + ink::ADD_MOD)?;
        let a = h.read_u256(bits(value))?;
        let b = h.read_u256(bits(addend))?;
        let m = h.read_u256(bits(modulus))?;
        h.write_u256(bits(value), a.add_mod(b, m))
    }

    /// `math_mul_mod`.
    pub fn math_mul_mod(h: &mut HostCtx, value: i32, multiplier: i32, modulus: i32) -> R<()> {
        h.buy_ink(ink::HOSTIO + 4 * ink::PTR + ink::MUL_MOD)?;
        let a = h.read_u256(bits(value))?;
        let b = h.read_u256(bits(multiplier))?;
        let m = h.read_u256(bits(modulus))?;
        h.write_u256(bits(value), a.mul_mod(b, m))
    }

    /// `pay_for_memory_grow`.
    pub fn pay_for_memory_grow(h: &mut HostCtx, pages: i32) -> R<()> {
        if pages == 0 {
            return h.buy_ink(ink::HOSTIO);
        }
        // The Rust ABI types it u16: larger values wrap, as in Nitro.
        let pages = u16::try_from(bits(pages) & 0xFFFF).unwrap_or(u16::MAX);
        req(Request::MemoryGrow { pages })
    }
}

/// Address of a CREATE2 child.
pub fn create2_address(sender: Address, salt: B256, init_code: &[u8]) -> Address {
    sender.create2(salt, keccak256(init_code))
}
