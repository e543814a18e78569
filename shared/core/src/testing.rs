//! A host for native unit tests: the SDK's `TestVM` for state, with calls and creations that
//! behave like the chain's.
//!
//! `TestVM` keeps one "last return data" set when a mock is *registered*, so a program that
//! makes two calls reads the wrong output, and it answers an unmocked call with success. This
//! host sets the return data when a call or creation *happens*, refuses (panics on) calls and
//! creations nobody mocked, so a test cannot pass by accident, and records every call made,
//! so a test can assert the value transfers and initializations a program performs.

extern crate std;

use alloc::{boxed::Box, rc::Rc, vec::Vec};
use core::cell::RefCell;
use std::collections::HashMap;

use alloy_primitives::{Address, B256, U256};
use stylus_sdk::{
    host::VM,
    stylus_core::host::{
        AccountAccess, BlockAccess, CalldataAccess, ChainAccess, CryptographyAccess, Host,
        MemoryAccess, MessageAccess, MeteringAccess, RawLogAccess, StorageAccess, UnsafeCallAccess,
        UnsafeDeploymentAccess,
    },
    testing::TestVM,
};

/// How a call was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CallKind {
    /// `CALL` (with the value).
    Call(U256),
    /// `DELEGATECALL`.
    Delegate,
    /// `STATICCALL`.
    Static,
}

/// One call a program made: kind, target and calldata.
pub type RecordedCall = (CallKind, Address, Vec<u8>);

type Outcome = Result<Vec<u8>, Vec<u8>>;
type CreationOutcome = Result<Address, Vec<u8>>;

#[derive(Default)]
struct Mocks {
    calls: HashMap<(CallKind, Address, Vec<u8>), Outcome>,
    creations: HashMap<(Vec<u8>, Option<B256>), CreationOutcome>,
    made: Vec<RecordedCall>,
    return_data: Vec<u8>,
    calldata: Vec<u8>,
}

/// The test host; clones share state, as programs clone their host freely.
#[derive(Clone)]
pub struct MockHost {
    /// State, environment and logs.
    pub vm: TestVM,
    mocks: Rc<RefCell<Mocks>>,
}

impl Default for MockHost {
    fn default() -> Self {
        Self::new()
    }
}

impl MockHost {
    /// An empty chain: no storage, no code, no mocks.
    #[must_use]
    pub fn new() -> Self {
        Self {
            vm: TestVM::new(),
            mocks: Rc::default(),
        }
    }

    /// The SDK host handle for code that takes a `&VM` directly.
    #[must_use]
    pub fn sdk_vm(&self) -> VM {
        VM {
            host: Box::new(self.clone()),
        }
    }

    /// Answers `kind` calls to `to` with exactly `data` by `outcome` (`Ok` output, `Err` revert data).
    pub fn mock(&self, kind: CallKind, to: Address, data: impl Into<Vec<u8>>, outcome: Outcome) {
        self.mocks
            .borrow_mut()
            .calls
            .insert((kind, to, data.into()), outcome);
    }

    /// Answers a CREATE (`salt` `None`) or CREATE2 of `code` with `outcome` (`Err` revert data).
    pub fn mock_creation(
        &self,
        code: impl Into<Vec<u8>>,
        salt: Option<B256>,
        outcome: CreationOutcome,
    ) {
        self.mocks
            .borrow_mut()
            .creations
            .insert((code.into(), salt), outcome);
    }

    /// The calldata `read_args` returns.
    pub fn set_calldata(&self, calldata: impl Into<Vec<u8>>) {
        self.mocks.borrow_mut().calldata = calldata.into();
    }

    /// Every call made so far, in order.
    #[must_use]
    pub fn calls(&self) -> Vec<RecordedCall> {
        self.mocks.borrow().made.clone()
    }

    fn answer(&self, kind: CallKind, to: Address, data: &[u8], outs_len: &mut usize) -> u8 {
        let mut mocks = self.mocks.borrow_mut();
        mocks.made.push((kind, to, data.to_vec()));
        let Some(outcome) = mocks.calls.get(&(kind, to, data.to_vec())).cloned() else {
            panic!(
                "unmocked {kind:?} to {to} with calldata 0x{}",
                alloy_primitives::hex::encode(data)
            );
        };
        let (status, output) = match outcome {
            Ok(output) => (0, output),
            Err(output) => (1, output),
        };
        *outs_len = output.len();
        mocks.return_data = output;
        status
    }

    /// # Safety
    /// `code`, `salt` and `contract` must be valid as the hostio requires.
    unsafe fn create(
        &self,
        code: *const u8,
        code_len: usize,
        salt: Option<B256>,
        contract: *mut u8,
        revert_len: *mut usize,
    ) {
        // SAFETY: the caller passes the pointers a hostio receives.
        let code = unsafe { core::slice::from_raw_parts(code, code_len) }.to_vec();
        let mut mocks = self.mocks.borrow_mut();
        let Some(outcome) = mocks.creations.get(&(code.clone(), salt)).cloned() else {
            panic!(
                "unmocked creation (salt {salt:?}) of 0x{}",
                alloy_primitives::hex::encode(&code)
            );
        };
        let (address, revert_data) = match outcome {
            Ok(address) => (address, Vec::new()),
            Err(revert_data) => (Address::ZERO, revert_data),
        };
        // SAFETY: as above.
        unsafe {
            core::ptr::copy_nonoverlapping(address.as_ptr(), contract, 20);
            *revert_len = revert_data.len();
        }
        mocks.return_data = revert_data;
    }
}

impl Host for MockHost {}

impl CryptographyAccess for MockHost {
    fn native_keccak256(&self, input: &[u8]) -> B256 {
        self.vm.native_keccak256(input)
    }
}

impl CalldataAccess for MockHost {
    fn read_args(&self, len: usize) -> Vec<u8> {
        let calldata = &self.mocks.borrow().calldata;
        calldata[..len.min(calldata.len())].to_vec()
    }
    fn read_return_data(&self, offset: usize, size: Option<usize>) -> Vec<u8> {
        let data = &self.mocks.borrow().return_data;
        let start = offset.min(data.len());
        let end = size.map_or(data.len(), |size| (start + size).min(data.len()));
        data[start..end].to_vec()
    }
    fn return_data_size(&self) -> usize {
        self.mocks.borrow().return_data.len()
    }
    fn write_result(&self, data: &[u8]) {
        self.vm.write_result(data);
    }
}

// SAFETY: forwards the hostio contract unchanged.
unsafe impl UnsafeDeploymentAccess for MockHost {
    unsafe fn create1(
        &self,
        code: *const u8,
        code_len: usize,
        _endowment: *const u8,
        contract: *mut u8,
        revert_len: *mut usize,
    ) {
        // SAFETY: the pointers are the hostio's.
        unsafe { self.create(code, code_len, None, contract, revert_len) }
    }
    unsafe fn create2(
        &self,
        code: *const u8,
        code_len: usize,
        _endowment: *const u8,
        salt: *const u8,
        contract: *mut u8,
        revert_len: *mut usize,
    ) {
        // SAFETY: the pointers are the hostio's.
        let salt = B256::from_slice(unsafe { core::slice::from_raw_parts(salt, 32) });
        // SAFETY: as above.
        unsafe { self.create(code, code_len, Some(salt), contract, revert_len) }
    }
}

impl StorageAccess for MockHost {
    fn storage_load_bytes32(&self, key: U256) -> B256 {
        self.vm.storage_load_bytes32(key)
    }
    unsafe fn storage_cache_bytes32(&self, key: U256, value: B256) {
        // SAFETY: forwarded as is.
        unsafe { self.vm.storage_cache_bytes32(key, value) }
    }
    fn flush_cache(&self, clear: bool) {
        self.vm.flush_cache(clear);
    }
}

// SAFETY: reads exactly the pointers and lengths the hostios do.
unsafe impl UnsafeCallAccess for MockHost {
    unsafe fn call_contract(
        &self,
        to: *const u8,
        data: *const u8,
        data_len: usize,
        value: *const u8,
        _gas: u64,
        outs_len: &mut usize,
    ) -> u8 {
        // SAFETY: the pointers are the hostio's.
        let (to, data, value) = unsafe {
            (
                Address::from_slice(core::slice::from_raw_parts(to, 20)),
                core::slice::from_raw_parts(data, data_len),
                U256::from_be_slice(core::slice::from_raw_parts(value, 32)),
            )
        };
        self.answer(CallKind::Call(value), to, data, outs_len)
    }
    unsafe fn static_call_contract(
        &self,
        to: *const u8,
        data: *const u8,
        data_len: usize,
        _gas: u64,
        outs_len: &mut usize,
    ) -> u8 {
        // SAFETY: the pointers are the hostio's.
        let (to, data) = unsafe {
            (
                Address::from_slice(core::slice::from_raw_parts(to, 20)),
                core::slice::from_raw_parts(data, data_len),
            )
        };
        self.answer(CallKind::Static, to, data, outs_len)
    }
    unsafe fn delegate_call_contract(
        &self,
        to: *const u8,
        data: *const u8,
        data_len: usize,
        _gas: u64,
        outs_len: &mut usize,
    ) -> u8 {
        // SAFETY: the pointers are the hostio's.
        let (to, data) = unsafe {
            (
                Address::from_slice(core::slice::from_raw_parts(to, 20)),
                core::slice::from_raw_parts(data, data_len),
            )
        };
        self.answer(CallKind::Delegate, to, data, outs_len)
    }
}

impl BlockAccess for MockHost {
    fn block_basefee(&self) -> U256 {
        self.vm.block_basefee()
    }
    fn block_coinbase(&self) -> Address {
        self.vm.block_coinbase()
    }
    fn block_number(&self) -> u64 {
        self.vm.block_number()
    }
    fn block_timestamp(&self) -> u64 {
        self.vm.block_timestamp()
    }
    fn block_gas_limit(&self) -> u64 {
        self.vm.block_gas_limit()
    }
}

impl ChainAccess for MockHost {
    fn chain_id(&self) -> u64 {
        self.vm.chain_id()
    }
}

impl AccountAccess for MockHost {
    fn balance(&self, account: Address) -> U256 {
        self.vm.balance(account)
    }
    fn contract_address(&self) -> Address {
        self.vm.contract_address()
    }
    fn code(&self, account: Address) -> Vec<u8> {
        self.vm.code(account)
    }
    fn code_size(&self, account: Address) -> usize {
        self.vm.code_size(account)
    }
    fn code_hash(&self, account: Address) -> B256 {
        self.vm.code_hash(account)
    }
}

impl MemoryAccess for MockHost {
    fn pay_for_memory_grow(&self, pages: u16) {
        self.vm.pay_for_memory_grow(pages);
    }
}

impl MessageAccess for MockHost {
    fn msg_sender(&self) -> Address {
        self.vm.msg_sender()
    }
    fn msg_reentrant(&self) -> bool {
        self.vm.msg_reentrant()
    }
    fn msg_value(&self) -> U256 {
        self.vm.msg_value()
    }
    fn tx_origin(&self) -> Address {
        self.vm.tx_origin()
    }
}

impl MeteringAccess for MockHost {
    fn evm_gas_left(&self) -> u64 {
        self.vm.evm_gas_left()
    }
    fn evm_ink_left(&self) -> u64 {
        self.vm.evm_ink_left()
    }
    fn tx_gas_price(&self) -> U256 {
        self.vm.tx_gas_price()
    }
    fn tx_ink_price(&self) -> u32 {
        self.vm.tx_ink_price()
    }
}

impl RawLogAccess for MockHost {
    fn emit_log(&self, input: &[u8], num_topics: usize) {
        self.vm.emit_log(input, num_topics);
    }
    fn raw_log(&self, topics: &[B256], data: &[u8]) -> Result<(), &'static str> {
        self.vm.raw_log(topics, data)
    }
}

/// Anvil's first dev key (account `0xf39F…2266`, [`ANVIL_SIGNER_0`]).
pub const ANVIL_KEY_0: B256 =
    alloy_primitives::b256!("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
/// Anvil's second dev key (account `0x7099…79C8`, [`ANVIL_SIGNER_1`]).
pub const ANVIL_KEY_1: B256 =
    alloy_primitives::b256!("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
/// The account of [`ANVIL_KEY_0`].
pub const ANVIL_SIGNER_0: Address =
    alloy_primitives::address!("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
/// The account of [`ANVIL_KEY_1`].
pub const ANVIL_SIGNER_1: Address =
    alloy_primitives::address!("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");

/// secp256k1's group order `n`.
pub const SECP256K1_ORDER: U256 = alloy_primitives::uint!(
    0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141_U256
);

/// A signature as `ecrecover` takes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Signed {
    /// 27 or 28.
    pub v: u8,
    /// The `r` scalar.
    pub r: B256,
    /// The `s` scalar (k256 signs with the low one).
    pub s: B256,
}

/// `key` signs `digest` (a prehash, as EIP-712 and EIP-2612 sign).
///
/// # Panics
/// When `key` is not a valid secp256k1 secret key.
#[must_use]
pub fn sign(key: B256, digest: B256) -> Signed {
    let key = k256::ecdsa::SigningKey::from_slice(key.as_slice()).expect("a secp256k1 key");
    let (signature, recovery_id) = key
        .sign_prehash_recoverable(digest.as_slice())
        .expect("a prehash signs");
    let (r, s) = signature.split_bytes();
    Signed {
        v: 27 + recovery_id.to_byte(),
        r: B256::from_slice(&r),
        s: B256::from_slice(&s),
    }
}

/// What the real `ecrecover` precompile returns for these inputs: the recovered address as a
/// word, or nothing when `v` is not 27/28 or the values recover no key.
#[must_use]
pub fn real_ecrecover(digest: B256, v: u8, r: B256, s: B256) -> Vec<u8> {
    use k256::ecdsa::{RecoveryId, Signature, VerifyingKey};

    let Some(mut recovery_id) = v.checked_sub(27).and_then(RecoveryId::from_byte) else {
        return Vec::new();
    };
    // The precompile accepts either `s`; k256 recovers only the low one, and `(n - s)` with the
    // other parity recovers the same key.
    let mut s = U256::from_be_bytes(s.0);
    if s > crate::ecdsa::MAX_S && s < SECP256K1_ORDER {
        s = SECP256K1_ORDER - s;
        recovery_id = RecoveryId::new(!recovery_id.is_y_odd(), recovery_id.is_x_reduced());
    }
    let Ok(signature) = Signature::from_scalars(r.0, s.to_be_bytes::<32>()) else {
        return Vec::new();
    };
    let Ok(key) = VerifyingKey::recover_from_prehash(digest.as_slice(), &signature, recovery_id)
    else {
        return Vec::new();
    };
    let point = key.to_encoded_point(false);
    let hash = alloy_primitives::keccak256(&point.as_bytes()[1..]);
    Address::from_slice(&hash[12..]).into_word().to_vec()
}

/// Mocks the `ecrecover` precompile for `signed` over `digest` with what the real one returns.
pub fn mock_ecrecover(host: &MockHost, digest: B256, signed: &Signed) {
    host.mock(
        CallKind::Static,
        crate::ecdsa::ECRECOVER,
        crate::ecdsa::ecrecover_input(digest, signed.v, signed.r, signed.s).to_vec(),
        Ok(real_ecrecover(digest, signed.v, signed.r, signed.s)),
    );
}

/// Checks a program's `migrate()` whose migrator comes from the parameter registry's
/// `get(migratorParameterKey)`: the registry's revert data passes through unchanged and a
/// registry returning no word reverts with empty data (no delegatecall either way), then the
/// whole [`assert_migrate`] sequence runs on words the registry answers.
///
/// `answer_get` mocks the registry's answer to that `get` (`Ok` output, `Err` revert data);
/// `migrate` calls the program's `migrate()`.
pub fn assert_migrate_through_registry<P, E>(
    host: &MockHost,
    program: &mut P,
    migrator: Address,
    mut answer_get: impl FnMut(Result<Vec<u8>, Vec<u8>>),
    mut migrate: impl FnMut(&mut P) -> Result<(), E>,
) where
    Vec<u8>: From<E>,
{
    for (answer, reverted) in [
        (Err(alloc::vec![0xab, 0xcd]), alloc::vec![0xab, 0xcd]),
        (Ok(Vec::new()), Vec::new()),
        (Ok(alloc::vec![0x01; 31]), Vec::new()),
    ] {
        answer_get(answer.clone());
        assert_refused_before_delegatecall(host, program, &mut migrate, &reverted, &answer);
    }
    assert_migrate(
        host,
        program,
        migrator,
        |_, word| answer_get(Ok(word.to_vec())),
        migrate,
    );
}

/// Checks a program's `migrate()` against the `Migratable` sequence, with exact revert data,
/// for the migrator word `set_word` makes the program read:
///
/// - zero: `ZeroMigrator()`, with no delegatecall;
/// - a word above 160 bits (the lowest and the highest such bit, `migrator` below them):
///   `ParameterOutOfTypeBounds()`, with no delegatecall;
/// - `migrator`, whose delegatecall reverts: `MigrationFailed(migrator, data)`;
/// - `migrator` without code, whose delegatecall succeeds empty: `EmptyCode(migrator)`;
/// - `migrator` with code: success after exactly one delegatecall, to `migrator` with empty
///   calldata, emitting exactly `Migrated(migrator)`.
///
/// # Panics
/// When any step differs, or when `migrator` already has code (the helper gives it some for
/// the last step, and leaves it there).
pub fn assert_migrate<P, E>(
    host: &MockHost,
    program: &mut P,
    migrator: Address,
    mut set_word: impl FnMut(&mut P, B256),
    mut migrate: impl FnMut(&mut P) -> Result<(), E>,
) where
    Vec<u8>: From<E>,
{
    use alloy_sol_types::{SolError, SolEvent};
    use xmtp_abi::{
        migratable::{EmptyCode, Migrated, MigrationFailed, ZeroMigrator},
        registry_parameters::ParameterOutOfTypeBounds,
    };

    assert_eq!(
        host.code_size(migrator),
        0,
        "the migrator must start without code"
    );
    set_word(program, B256::ZERO);
    let zero = ZeroMigrator {}.abi_encode();
    assert_refused_before_delegatecall(host, program, &mut migrate, &zero, &"a zero word");
    for byte in [11, 0] {
        let mut word = migrator.into_word();
        word.0[byte] |= if byte == 0 { 0x80 } else { 0x01 };
        set_word(program, word);
        let out_of_bounds = ParameterOutOfTypeBounds {}.abi_encode();
        assert_refused_before_delegatecall(host, program, &mut migrate, &out_of_bounds, &word);
    }

    set_word(program, migrator.into_word());
    let delegatecall = (CallKind::Delegate, migrator, Vec::new());
    let refusal = alloc::vec![0x4e, 0x48, 0x7b, 0x71, 0x01];
    host.mock(
        CallKind::Delegate,
        migrator,
        Vec::new(),
        Err(refusal.clone()),
    );
    let failed = MigrationFailed {
        migrator_: migrator,
        revertData_: refusal.into(),
    };
    let made = host.calls().len();
    assert_eq!(
        migrate(program).map_err(Vec::from),
        Err(failed.abi_encode()),
        "a reverting migrator"
    );
    assert_eq!(
        delegatecalls_since(host, made),
        core::slice::from_ref(&delegatecall)
    );

    host.mock(CallKind::Delegate, migrator, Vec::new(), Ok(Vec::new()));
    let made = host.calls().len();
    assert_eq!(
        migrate(program).map_err(Vec::from),
        Err(EmptyCode {
            migrator_: migrator
        }
        .abi_encode()),
        "a migrator without code"
    );
    assert_eq!(
        delegatecalls_since(host, made),
        core::slice::from_ref(&delegatecall)
    );

    host.vm.set_code(migrator, alloc::vec![0xef, 0xf0, 0x00]);
    let made = host.calls().len();
    let logged = host.vm.get_emitted_logs().len();
    assert_eq!(
        migrate(program).map_err(Vec::from),
        Ok(()),
        "a migrator with code"
    );
    assert_eq!(delegatecalls_since(host, made), [delegatecall]);
    let migrated = Migrated { migrator }.encode_log_data();
    assert_eq!(
        host.vm.get_emitted_logs()[logged..],
        [(migrated.topics().to_vec(), migrated.data.to_vec())]
    );
}

/// `migrate` reverts with exactly `reverted`, delegatecalling nothing and emitting nothing.
fn assert_refused_before_delegatecall<P, E>(
    host: &MockHost,
    program: &mut P,
    migrate: &mut impl FnMut(&mut P) -> Result<(), E>,
    reverted: &[u8],
    case: &dyn core::fmt::Debug,
) where
    Vec<u8>: From<E>,
{
    let made = host.calls().len();
    let logged = host.vm.get_emitted_logs().len();
    assert_eq!(
        migrate(program).map_err(Vec::from),
        Err(reverted.to_vec()),
        "{case:?}"
    );
    assert_eq!(delegatecalls_since(host, made), [], "{case:?}");
    assert_eq!(host.vm.get_emitted_logs().len(), logged, "{case:?}");
}

fn delegatecalls_since(host: &MockHost, made: usize) -> Vec<RecordedCall> {
    host.calls()[made..]
        .iter()
        .filter(|(kind, ..)| *kind == CallKind::Delegate)
        .cloned()
        .collect()
}
