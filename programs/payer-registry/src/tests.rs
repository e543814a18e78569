use alloy_primitives::{address, b256, keccak256, Address, B256, U256};
use alloy_sol_types::{SolCall, SolError, SolEvent};
use stylus_sdk::abi::Router;
use xmtp_abi::{
    oz_initializable::Initialized, parameter_registry::IParameterRegistryLike,
    payer_registry::IPayerRegistry,
};
use xmtp_core::{
    slots::{ERC1967_IMPLEMENTATION, OZ_INITIALIZABLE},
    testing::{assert_migrate_through_registry, CallKind, MockHost},
    wiring::set_address_for_tests,
    Bubbled,
};

use super::*;

pub(crate) const PROXY: Address = address!("0x0000000000000000000000000000000000000f00");
const IMPLEMENTATION: Address = address!("0x0000000000000000000000000000000000000f01");
pub(crate) const REGISTRY: Address = address!("0x0000000000000000000000000000000000000e01");
pub(crate) const FEE_TOKEN: Address = address!("0x0000000000000000000000000000000000000fee");
pub(crate) const UNDERLYING: Address = address!("0x0000000000000000000000000000000000000d5c");
pub(crate) const SETTLER: Address = address!("0x0000000000000000000000000000000000005e77");
pub(crate) const DISTRIBUTOR: Address = address!("0x000000000000000000000000000000000000d157");
const MIGRATOR: Address = address!("0x0000000000000000000000000000000000000c01");
pub(crate) const ALICE: Address = address!("0x0000000000000000000000000000000000000a11");
pub(crate) const BOB: Address = address!("0x0000000000000000000000000000000000000b0b");
const CAROL: Address = address!("0x0000000000000000000000000000000000000ca7");
const REPORT: B256 = b256!("0x1111111111111111111111111111111111111111111111111111111111111111");
pub(crate) const START: u64 = 1_750_000_000;

pub(crate) fn host() -> (MockHost, PayerRegistry) {
    let host = MockHost::new();
    host.vm.set_contract_address(PROXY);
    host.vm.set_sender(ALICE);
    host.vm.set_block_timestamp(START);
    host.vm
        .set_storage(ERC1967_IMPLEMENTATION, IMPLEMENTATION.into_word());
    set_address_for_tests("parameterRegistry", REGISTRY);
    set_address_for_tests("feeToken", FEE_TOKEN);
    set_address_for_tests("underlyingFeeToken", UNDERLYING);
    host.vm.set_code(FEE_TOKEN, vec![0x00]);
    host.vm.set_code(UNDERLYING, vec![0x00]);
    let registry = PayerRegistry::from(&host);
    (host, registry)
}

/// An initialized registry whose settler and fee distributor are set.
pub(crate) fn registry() -> (MockHost, PayerRegistry) {
    let (host, mut registry) = host();
    registry.initialize().unwrap();
    set_word(&host, slot(1), address_word(SETTLER) << 96);
    set_word(&host, slot(2), address_word(DISTRIBUTOR));
    (host, registry)
}

pub(crate) fn slot(offset: u64) -> U256 {
    PAYER_REGISTRY + U256::from(offset)
}

pub(crate) fn word(host: &MockHost, key: U256) -> U256 {
    U256::from_be_bytes(host.vm.get_storage(key).0)
}

pub(crate) fn set_word(host: &MockHost, key: U256, value: U256) {
    host.vm.set_storage(key, B256::from(value));
}

fn address_word(address: Address) -> U256 {
    U256::from_be_bytes(address.into_word().0)
}

/// `value` as the low `bits` bits of a word (two's complement for negatives).
fn field(value: i128, bits: usize) -> U256 {
    let mask = (U256::from(1) << bits) - U256::from(1);
    let raw = if value < 0 {
        U256::ZERO.wrapping_sub(U256::from(value.unsigned_abs()))
    } else {
        U256::from(value.unsigned_abs())
    };
    raw & mask
}

pub(crate) fn payer_slot(payer: Address) -> U256 {
    U256::from_be_bytes(keccak256([payer.into_word().0, slot(3).to_be_bytes::<32>()].concat()).0)
}

/// Writes a payer's slot as Solidity packs it.
pub(crate) fn set_payer(
    host: &MockHost,
    payer: Address,
    balance: i128,
    pending: u128,
    timestamp: u32,
    nonce: u32,
) {
    let value = field(balance, 104)
        | (U256::from(pending) << 104)
        | (U256::from(timestamp) << 200)
        | (U256::from(nonce) << 232);
    set_word(host, payer_slot(payer), value);
}

/// Writes slot S: paused, totalDeposits, totalDebt, withdrawLockPeriod.
pub(crate) fn set_totals(
    host: &MockHost,
    paused: bool,
    total_deposits: i128,
    total_debt: u128,
    lock: u32,
) {
    let value = U256::from(u8::from(paused))
        | (field(total_deposits, 104) << 8)
        | (U256::from(total_debt) << 112)
        | (U256::from(lock) << 208);
    set_word(host, slot(0), value);
}

fn set_minimum_deposit(host: &MockHost, minimum: u128) {
    let low: U256 = (U256::from(1) << 96usize) - U256::from(1);
    let settler = word(host, slot(1)) & !low;
    set_word(host, slot(1), settler | U256::from(minimum));
}

fn pause(host: &MockHost) {
    let current = word(host, slot(0));
    set_word(host, slot(0), current | U256::from(1));
}

fn log(event: &impl SolEvent) -> (Vec<B256>, Vec<u8>) {
    let data = event.encode_log_data();
    (data.topics().to_vec(), data.data.to_vec())
}

fn logs_after(host: &MockHost, seen: usize) -> Vec<(Vec<B256>, Vec<u8>)> {
    host.vm.get_emitted_logs()[seen..].to_vec()
}

pub(crate) fn bool_word(value: u8) -> Vec<u8> {
    B256::with_last_byte(value).to_vec()
}

pub(crate) fn u96(value: u128) -> U96 {
    U96::from(value)
}

pub(crate) fn i104(value: i128) -> Signed<104, 2> {
    Signed::<104, 2>::try_from(value).unwrap()
}

pub(crate) fn transfer_from_call(from: Address, amount: u128) -> Vec<u8> {
    IERC20Like::transferFromCall {
        sender_: from,
        recipient_: PROXY,
        amount_: U256::from(amount),
    }
    .abi_encode()
}

pub(crate) fn transfer_call(to: Address, amount: u128) -> Vec<u8> {
    IERC20Like::transferCall {
        recipient_: to,
        amount_: U256::from(amount),
    }
    .abi_encode()
}

fn withdraw_to_call(to: Address, amount: u128) -> Vec<u8> {
    IFeeTokenLike::withdrawToCall {
        recipient_: to,
        amount_: U256::from(amount),
    }
    .abi_encode()
}

pub(crate) fn balance_of_call() -> Vec<u8> {
    IERC20Like::balanceOfCall { account_: PROXY }.abi_encode()
}

pub(crate) fn permit_call(owner: Address, amount: u128) -> Vec<u8> {
    IPermitErc20Like::permitCall {
        owner_: owner,
        spender_: PROXY,
        value_: U256::from(amount),
        deadline_: U256::from(START + 60),
        v_: 27,
        r_: B256::repeat_byte(0xaa),
        s_: B256::repeat_byte(0xbb),
    }
    .abi_encode()
}

const CALL: CallKind = CallKind::Call(U256::ZERO);

/// `ALICE` deposits `amount` for `payer`, the fee token accepting the pull.
pub(crate) fn deposit(
    host: &MockHost,
    registry: &mut PayerRegistry,
    payer: Address,
    amount: u128,
) -> Result<(), PayerRegistryError> {
    host.mock(
        CALL,
        FEE_TOKEN,
        transfer_from_call(ALICE, amount),
        Ok(bool_word(1)),
    );
    registry.deposit(payer, u96(amount))
}

pub(crate) fn mock_get(host: &MockHost, key: &str, value: Result<Vec<u8>, Vec<u8>>) {
    let calldata = IParameterRegistryLike::get_0Call { key_: key.into() }.abi_encode();
    host.mock(CallKind::Static, REGISTRY, calldata, value);
}

pub(crate) fn uint_word(value: u128) -> Vec<u8> {
    B256::from(U256::from(value)).to_vec()
}

fn as_sender<T>(host: &MockHost, sender: Address, body: impl FnOnce() -> T) -> T {
    host.vm.set_sender(sender);
    let result = body();
    host.vm.set_sender(ALICE);
    result
}

fn panic_overflow() -> PayerRegistryError {
    Panic::from(PanicKind::UnderOverflow).into()
}

// ---- initialize ----

#[test]
fn initialize_leaves_an_empty_registry() {
    let (host, mut registry) = host();
    assert_eq!(registry.initialize(), Ok(()));
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![log(&Initialized { version: 1 })]
    );
    assert_eq!(word(&host, OZ_INITIALIZABLE), U256::from(1));
    for offset in 0..3 {
        assert_eq!(word(&host, slot(offset)), U256::ZERO);
    }
    assert!(!registry.paused());
    assert_eq!(registry.minimum_deposit(), U96::ZERO);
    assert_eq!(registry.withdraw_lock_period(), 0);
    assert_eq!(registry.settler(), Address::ZERO);
    assert_eq!(registry.fee_distributor(), Address::ZERO);
}

#[test]
fn initialize_twice_reverts_invalid_initialization() {
    let (_host, mut registry) = registry();
    assert_eq!(registry.initialize(), Err(InvalidInitialization {}.into()));
}

#[test]
fn initialize_on_the_bare_implementation_reverts_invalid_initialization() {
    let (host, mut registry) = host();
    host.vm.set_storage(ERC1967_IMPLEMENTATION, B256::ZERO);
    assert_eq!(registry.initialize(), Err(InvalidInitialization {}.into()));
}

// ---- deposit ----

#[test]
fn deposit_pulls_the_fee_token_then_credits_and_emits() {
    let (host, mut registry) = registry();
    let seen = host.vm.get_emitted_logs().len();
    assert_eq!(deposit(&host, &mut registry, BOB, 1_000), Ok(()));
    assert_eq!(
        host.calls(),
        vec![(CALL, FEE_TOKEN, transfer_from_call(ALICE, 1_000))]
    );
    assert_eq!(
        logs_after(&host, seen),
        vec![log(&Deposit {
            payer: BOB,
            amount: u96(1_000)
        })]
    );
    assert_eq!(registry.get_balance(BOB), i104(1_000));
    assert_eq!(registry.get_balance(ALICE), i104(0));
    assert_eq!(registry.total_deposits(), i104(1_000));
    assert_eq!(registry.total_debt(), U96::ZERO);
    assert_eq!(word(&host, payer_slot(BOB)), U256::from(1_000));
    assert_eq!(word(&host, slot(0)), U256::from(1_000) << 8);
}

#[test]
fn the_spec_example_payer_slot_is_recomputed() {
    assert_eq!(
        payer_slot(address!("0x0000000000000000000000000000000000000001")),
        U256::from_be_bytes(
            b256!("0x244adaf2f936d68b8a6f3b042059387c7adfd08204df360fd167636f65a71617").0
        )
    );
}

#[test]
fn deposit_passes_a_token_revert_through() {
    let (host, mut registry) = registry();
    let refusal = vec![0xfb, 0x8f, 0x41, 0xb2, 0x01];
    host.mock(
        CALL,
        FEE_TOKEN,
        transfer_from_call(ALICE, 5),
        Err(refusal.clone()),
    );
    assert_eq!(registry.deposit(BOB, u96(5)), Err(Bubbled(refusal).into()));
}

#[test]
fn deposit_decodes_but_does_not_check_the_returned_bool() {
    let (host, mut registry) = registry();
    host.mock(
        CALL,
        FEE_TOKEN,
        transfer_from_call(ALICE, 5),
        Ok(bool_word(0)),
    );
    assert_eq!(registry.deposit(BOB, u96(5)), Ok(()));
    assert_eq!(registry.get_balance(BOB), i104(5));
    for undecodable in [bool_word(2), vec![], vec![1]] {
        host.mock(
            CALL,
            FEE_TOKEN,
            transfer_from_call(ALICE, 6),
            Ok(undecodable),
        );
        assert_eq!(
            registry.deposit(BOB, u96(6)),
            Err(Bubbled::default().into())
        );
    }
}

#[test]
fn deposit_checks_pause_payer_and_minimum_after_the_pull() {
    let (host, mut registry) = registry();
    set_minimum_deposit(&host, 10);
    assert_eq!(
        deposit(&host, &mut registry, BOB, 9),
        Err(InsufficientDeposit {
            amount: u96(9),
            minimumDeposit: u96(10)
        }
        .into())
    );
    assert_eq!(
        deposit(&host, &mut registry, Address::ZERO, 10),
        Err(ZeroPayer {}.into())
    );
    pause(&host);
    assert_eq!(
        deposit(&host, &mut registry, Address::ZERO, 9),
        Err(Paused {}.into())
    );
    // Every attempt pulled first.
    assert_eq!(host.calls().len(), 3);
    assert_eq!(registry.total_deposits(), i104(0));
}

#[test]
fn deposit_of_zero_is_accepted_until_a_minimum_is_set() {
    let (host, mut registry) = registry();
    let seen = host.vm.get_emitted_logs().len();
    assert_eq!(deposit(&host, &mut registry, BOB, 0), Ok(()));
    assert_eq!(
        logs_after(&host, seen),
        vec![log(&Deposit {
            payer: BOB,
            amount: u96(0)
        })]
    );
    set_minimum_deposit(&host, 10);
    assert_eq!(deposit(&host, &mut registry, BOB, 10), Ok(()));
}

#[test]
fn deposit_repays_debt_first() {
    let (host, mut registry) = registry();
    set_payer(&host, BOB, -50, 0, 0, 0);
    set_totals(&host, false, -50, 50, 0);
    assert_eq!(deposit(&host, &mut registry, BOB, 30), Ok(()));
    assert_eq!(registry.get_balance(BOB), i104(-20));
    assert_eq!(registry.total_debt(), u96(20));
    assert_eq!(deposit(&host, &mut registry, BOB, 80), Ok(()));
    assert_eq!(registry.get_balance(BOB), i104(60));
    assert_eq!(registry.total_debt(), U96::ZERO);
    assert_eq!(registry.total_deposits(), i104(60));
    // Two's complement in the low 13 bytes of the payer slot.
    set_payer(&host, CAROL, -1, 0, 0, 0);
    assert_eq!(registry.get_balance(CAROL), i104(-1));
    assert_eq!(
        word(&host, payer_slot(CAROL)),
        (U256::from(1) << 104) - U256::from(1)
    );
}

#[test]
fn deposit_overflowing_the_int104_total_panics() {
    let (host, mut registry) = registry();
    set_totals(&host, false, INT104_MAX - 5, 0, 0);
    assert_eq!(deposit(&host, &mut registry, BOB, 6), Err(panic_overflow()));
    assert_eq!(deposit(&host, &mut registry, BOB, 5), Ok(()));
    assert_eq!(registry.total_deposits(), i104(INT104_MAX));
}

#[test]
fn deposit_with_permit_tries_the_fee_token_permit_first() {
    let (host, mut registry) = registry();
    host.mock(CALL, FEE_TOKEN, permit_call(ALICE, 7), Ok(vec![]));
    host.mock(
        CALL,
        FEE_TOKEN,
        transfer_from_call(ALICE, 7),
        Ok(bool_word(1)),
    );
    let permit = |registry: &mut PayerRegistry| {
        registry.deposit_with_permit(
            BOB,
            u96(7),
            U256::from(START + 60),
            27,
            B256::repeat_byte(0xaa),
            B256::repeat_byte(0xbb),
        )
    };
    assert_eq!(permit(&mut registry), Ok(()));
    assert_eq!(
        host.calls(),
        vec![
            (CALL, FEE_TOKEN, permit_call(ALICE, 7)),
            (CALL, FEE_TOKEN, transfer_from_call(ALICE, 7))
        ]
    );
    // A failing permit (already used, expired, ...) is ignored.
    host.mock(CALL, FEE_TOKEN, permit_call(ALICE, 7), Err(vec![0x12]));
    assert_eq!(permit(&mut registry), Ok(()));
    assert_eq!(registry.get_balance(BOB), i104(14));
}

// ---- depositFromUnderlying ----

pub(crate) fn underlying_transfer_from(amount: u128) -> Vec<u8> {
    transfer_from_call(ALICE, amount)
}

pub(crate) fn approve_call(amount: u128) -> Vec<u8> {
    IERC20Like::approveCall {
        spender_: FEE_TOKEN,
        amount_: U256::from(amount),
    }
    .abi_encode()
}

pub(crate) fn wrap_call(amount: u128) -> Vec<u8> {
    IFeeTokenLike::depositCall {
        amount_: U256::from(amount),
    }
    .abi_encode()
}

pub(crate) fn mock_underlying_path(host: &MockHost, amount: u128) {
    host.mock(
        CALL,
        UNDERLYING,
        underlying_transfer_from(amount),
        Ok(bool_word(1)),
    );
    host.mock(CALL, UNDERLYING, approve_call(amount), Ok(bool_word(1)));
    host.mock(CALL, FEE_TOKEN, wrap_call(amount), Ok(vec![]));
}

#[test]
fn deposit_from_underlying_pulls_approves_exactly_wraps_and_credits() {
    let (host, mut registry) = registry();
    mock_underlying_path(&host, 500);
    let seen = host.vm.get_emitted_logs().len();
    assert_eq!(registry.deposit_from_underlying(BOB, u96(500)), Ok(()));
    assert_eq!(
        host.calls(),
        vec![
            (CALL, UNDERLYING, underlying_transfer_from(500)),
            (CALL, UNDERLYING, approve_call(500)),
            (CALL, FEE_TOKEN, wrap_call(500)),
        ]
    );
    assert_eq!(
        logs_after(&host, seen),
        vec![log(&Deposit {
            payer: BOB,
            amount: u96(500)
        })]
    );
    assert_eq!(registry.get_balance(BOB), i104(500));
    assert_eq!(registry.total_deposits(), i104(500));
}

#[test]
fn deposit_from_underlying_accepts_a_token_that_returns_nothing() {
    let (host, mut registry) = registry();
    mock_underlying_path(&host, 5);
    host.mock(CALL, UNDERLYING, underlying_transfer_from(5), Ok(vec![]));
    assert_eq!(registry.deposit_from_underlying(BOB, u96(5)), Ok(()));
}

#[test]
fn deposit_from_underlying_reports_any_failed_pull_as_transfer_from_failed() {
    let (host, mut registry) = registry();
    for answer in [
        Err(vec![0x01, 0x02]),
        Err(vec![]),
        Ok(bool_word(0)),
        Ok(vec![0x01]),
    ] {
        host.mock(CALL, UNDERLYING, underlying_transfer_from(5), answer);
        assert_eq!(
            registry.deposit_from_underlying(BOB, u96(5)),
            Err(TransferFromFailed {}.into())
        );
    }
    // Success without return data needs code at the token.
    host.vm.set_code(UNDERLYING, vec![]);
    host.mock(CALL, UNDERLYING, underlying_transfer_from(5), Ok(vec![]));
    assert_eq!(
        registry.deposit_from_underlying(BOB, u96(5)),
        Err(TransferFromFailed {}.into())
    );
}

#[test]
fn deposit_from_underlying_passes_the_fee_token_refusal_through() {
    let (host, mut registry) = registry();
    mock_underlying_path(&host, 0);
    let zero_amount = vec![0x1f, 0x2a, 0x20, 0x05];
    host.mock(CALL, FEE_TOKEN, wrap_call(0), Err(zero_amount.clone()));
    assert_eq!(
        registry.deposit_from_underlying(BOB, u96(0)),
        Err(Bubbled(zero_amount).into())
    );
    // An approval refused by the underlying bubbles too.
    host.mock(CALL, UNDERLYING, approve_call(0), Err(vec![0x77]));
    assert_eq!(
        registry.deposit_from_underlying(BOB, u96(0)),
        Err(Bubbled(vec![0x77]).into())
    );
}

#[test]
fn deposit_from_underlying_checks_the_credit_after_wrapping() {
    let (host, mut registry) = registry();
    mock_underlying_path(&host, 5);
    pause(&host);
    assert_eq!(
        registry.deposit_from_underlying(BOB, u96(5)),
        Err(Paused {}.into())
    );
    assert_eq!(host.calls().len(), 3);
}

#[test]
fn deposit_from_underlying_with_permit_tries_the_underlying_permit_first() {
    let (host, mut registry) = registry();
    mock_underlying_path(&host, 9);
    host.mock(CALL, UNDERLYING, permit_call(ALICE, 9), Err(vec![]));
    assert_eq!(
        registry.deposit_from_underlying_with_permit(
            CAROL,
            u96(9),
            U256::from(START + 60),
            27,
            B256::repeat_byte(0xaa),
            B256::repeat_byte(0xbb),
        ),
        Ok(())
    );
    assert_eq!(host.calls()[0], (CALL, UNDERLYING, permit_call(ALICE, 9)));
    assert_eq!(host.calls().len(), 4);
    assert_eq!(registry.get_balance(CAROL), i104(9));
}

// ---- requestWithdrawal ----

#[test]
fn request_withdrawal_checks_pause_amount_and_pending() {
    let (host, mut registry) = registry();
    set_payer(&host, ALICE, 100, 0, 0, 0);
    assert_eq!(
        registry.request_withdrawal(U96::ZERO),
        Err(ZeroWithdrawalAmount {}.into())
    );
    registry.request_withdrawal(u96(10)).unwrap();
    assert_eq!(
        registry.request_withdrawal(u96(10)),
        Err(PendingWithdrawalExists {}.into())
    );
    pause(&host);
    assert_eq!(
        registry.request_withdrawal(U96::ZERO),
        Err(Paused {}.into())
    );
}

#[test]
fn request_withdrawal_requires_the_balance() {
    let (host, mut registry) = registry();
    set_payer(&host, ALICE, 10, 0, 0, 0);
    assert_eq!(
        registry.request_withdrawal(u96(11)),
        Err(InsufficientBalance {}.into())
    );
    set_payer(&host, ALICE, -1, 0, 0, 0);
    assert_eq!(
        registry.request_withdrawal(u96(1)),
        Err(InsufficientBalance {}.into())
    );
    assert_eq!(
        registry.get_pending_withdrawal(ALICE),
        (U96::ZERO, 0, U24::ZERO)
    );
}

#[test]
fn request_withdrawal_moves_the_amount_and_emits() {
    let (host, mut registry) = registry();
    set_payer(&host, ALICE, 100, 0, 0, 0);
    set_totals(&host, false, 100, 0, 3_600);
    let seen = host.vm.get_emitted_logs().len();
    assert_eq!(registry.request_withdrawal(u96(100)), Ok(()));
    let withdrawable = u32::try_from(START).unwrap() + 3_600;
    assert_eq!(
        logs_after(&host, seen),
        vec![log(&WithdrawalRequested {
            payer: ALICE,
            amount: u96(100),
            withdrawableTimestamp: withdrawable,
            nonce: U24::from(1)
        })]
    );
    assert_eq!(registry.get_balance(ALICE), i104(0));
    assert_eq!(
        registry.get_pending_withdrawal(ALICE),
        (u96(100), withdrawable, U24::from(1))
    );
    assert_eq!(
        word(&host, payer_slot(ALICE)),
        (U256::from(100) << 104) | (U256::from(withdrawable) << 200) | (U256::from(1) << 232)
    );
    // The amount stays in the totals: it is still owed to the payer.
    assert_eq!(registry.total_deposits(), i104(100));
    assert_eq!(registry.total_withdrawable(), Ok(u96(100)));
}

#[test]
fn request_withdrawal_truncates_the_timestamp_and_panics_past_uint32() {
    let (host, mut registry) = registry();
    set_payer(&host, ALICE, 100, 0, 0, 0);
    host.vm.set_block_timestamp((1 << 32) + 5);
    set_totals(&host, false, 100, 0, 10);
    registry.request_withdrawal(u96(1)).unwrap();
    assert_eq!(registry.get_pending_withdrawal(ALICE).1, 15);
    set_payer(&host, BOB, 100, 0, 0, 0);
    host.vm.set_block_timestamp(u64::from(u32::MAX) - 9);
    let result = as_sender(&host, BOB, || registry.request_withdrawal(u96(1)));
    assert_eq!(result, Err(panic_overflow()));
}

#[test]
fn request_withdrawal_panics_when_the_nonce_overflows() {
    let (host, mut registry) = registry();
    set_payer(&host, ALICE, 100, 0, 0, UINT24_MAX - 1);
    registry.request_withdrawal(u96(1)).unwrap();
    assert_eq!(
        registry.get_pending_withdrawal(ALICE).2,
        U24::from(UINT24_MAX)
    );
    registry.cancel_withdrawal().unwrap();
    assert_eq!(registry.request_withdrawal(u96(1)), Err(panic_overflow()));
}

// ---- cancelWithdrawal ----

#[test]
fn cancel_withdrawal_checks_pause_and_pending() {
    let (host, mut registry) = registry();
    assert_eq!(
        registry.cancel_withdrawal(),
        Err(NoPendingWithdrawal {}.into())
    );
    pause(&host);
    assert_eq!(registry.cancel_withdrawal(), Err(Paused {}.into()));
}

#[test]
fn cancel_withdrawal_returns_the_amount_keeps_the_nonce_and_emits() {
    let (host, mut registry) = registry();
    set_payer(&host, ALICE, 40, 60, 1_000, 3);
    set_totals(&host, false, 100, 0, 0);
    let seen = host.vm.get_emitted_logs().len();
    assert_eq!(registry.cancel_withdrawal(), Ok(()));
    assert_eq!(
        logs_after(&host, seen),
        vec![log(&WithdrawalCancelled {
            payer: ALICE,
            nonce: U24::from(3)
        })]
    );
    assert_eq!(
        word(&host, payer_slot(ALICE)),
        U256::from(100) | (U256::from(3) << 232)
    );
    assert_eq!(registry.total_deposits(), i104(100));
}

#[test]
fn cancel_withdrawal_repays_debt_incurred_since_the_request() {
    let (host, mut registry) = registry();
    set_payer(&host, ALICE, -30, 50, 1_000, 1);
    set_totals(&host, false, 20, 30, 0);
    assert_eq!(registry.cancel_withdrawal(), Ok(()));
    assert_eq!(registry.get_balance(ALICE), i104(20));
    assert_eq!(registry.total_debt(), U96::ZERO);
    assert_eq!(registry.total_deposits(), i104(20));
}

// ---- finalizeWithdrawal / finalizeWithdrawalIntoUnderlying ----

/// Both finalize functions refuse in the same order (zero recipient, nothing pending, a payer
/// in debt, too early, anything while paused), leaving the payer's slot as it was and calling
/// nothing.
#[test]
fn finalize_functions_check_in_order() {
    type Finalize = fn(&mut PayerRegistry, Address) -> Result<(), PayerRegistryError>;
    let finalizers: [Finalize; 2] = [
        PayerRegistry::finalize_withdrawal,
        PayerRegistry::finalize_withdrawal_into_underlying,
    ];
    for finalize in finalizers {
        let (host, mut registry) = registry();
        assert_eq!(
            finalize(&mut registry, Address::ZERO),
            Err(ZeroRecipient {}.into())
        );
        assert_eq!(
            finalize(&mut registry, BOB),
            Err(NoPendingWithdrawal {}.into())
        );
        set_payer(&host, ALICE, -1, 10, 0, 1);
        assert_eq!(finalize(&mut registry, BOB), Err(PayerInDebt {}.into()));
        assert_eq!(
            word(&host, payer_slot(ALICE)),
            field(-1, 104) | (U256::from(10) << 104) | (U256::from(1) << 232)
        );
        let withdrawable = u32::try_from(START).unwrap() + 1;
        set_payer(&host, ALICE, 0, 10, withdrawable, 4);
        assert_eq!(
            finalize(&mut registry, BOB),
            Err(WithdrawalNotReady {
                timestamp: u32::try_from(START).unwrap(),
                withdrawableTimestamp: withdrawable,
                nonce: U24::from(4)
            }
            .into())
        );
        pause(&host);
        assert_eq!(
            finalize(&mut registry, Address::ZERO),
            Err(Paused {}.into())
        );
        assert!(host.calls().is_empty());
    }
}

#[test]
fn finalize_withdrawal_at_the_timestamp_clears_emits_and_transfers() {
    let (host, mut registry) = registry();
    let withdrawable = u32::try_from(START).unwrap();
    set_payer(&host, ALICE, 5, 10, withdrawable, 2);
    set_totals(&host, false, 15, 0, 0);
    host.mock(CALL, FEE_TOKEN, transfer_call(BOB, 10), Ok(bool_word(1)));
    let seen = host.vm.get_emitted_logs().len();
    assert_eq!(registry.finalize_withdrawal(BOB), Ok(()));
    assert_eq!(
        logs_after(&host, seen),
        vec![log(&WithdrawalFinalized {
            payer: ALICE,
            nonce: U24::from(2)
        })]
    );
    assert_eq!(
        host.calls(),
        vec![(CALL, FEE_TOKEN, transfer_call(BOB, 10))]
    );
    assert_eq!(
        word(&host, payer_slot(ALICE)),
        U256::from(5) | (U256::from(2) << 232)
    );
    assert_eq!(registry.total_deposits(), i104(5));
}

#[test]
fn finalize_withdrawal_into_underlying_unwraps_to_the_recipient() {
    let (host, mut registry) = registry();
    set_payer(&host, ALICE, 3, 10, 1, 1);
    set_totals(&host, false, 13, 0, 0);
    host.mock(CALL, FEE_TOKEN, withdraw_to_call(BOB, 10), Ok(bool_word(1)));
    let seen = host.vm.get_emitted_logs().len();
    assert_eq!(registry.finalize_withdrawal_into_underlying(BOB), Ok(()));
    assert_eq!(
        logs_after(&host, seen),
        vec![log(&WithdrawalFinalized {
            payer: ALICE,
            nonce: U24::from(1)
        })]
    );
    assert_eq!(
        host.calls(),
        vec![(CALL, FEE_TOKEN, withdraw_to_call(BOB, 10))]
    );
    // Balance kept, pending amount and timestamp cleared, nonce kept.
    assert_eq!(
        word(&host, payer_slot(ALICE)),
        U256::from(3) | (U256::from(1) << 232)
    );
    assert_eq!(registry.total_deposits(), i104(3));
}

#[test]
fn finalize_withdrawal_passes_a_token_revert_through() {
    let (host, mut registry) = registry();
    set_payer(&host, ALICE, 0, 10, 1, 1);
    set_totals(&host, false, 10, 0, 0);
    host.mock(
        CALL,
        FEE_TOKEN,
        transfer_call(BOB, 10),
        Err(vec![0xe4, 0x50]),
    );
    assert_eq!(
        registry.finalize_withdrawal(BOB),
        Err(Bubbled(vec![0xe4, 0x50]).into())
    );
}

// ---- settleUsage ----

#[test]
fn settle_usage_is_for_the_settler_before_the_pause_check() {
    let (host, mut registry) = registry();
    pause(&host);
    assert_eq!(
        registry.settle_usage(REPORT, vec![]),
        Err(NotSettler {}.into())
    );
    let result = as_sender(&host, SETTLER, || registry.settle_usage(REPORT, vec![]));
    assert_eq!(result, Err(Paused {}.into()));
}

#[test]
fn settle_usage_debits_into_debt_emits_and_returns_the_sum() {
    let (host, mut registry) = registry();
    set_payer(&host, ALICE, 100, 0, 0, 0);
    set_payer(&host, BOB, 10, 0, 0, 0);
    set_totals(&host, false, 110, 0, 0);
    let fees = vec![
        (ALICE, u96(30)),
        (BOB, u96(25)),
        (Address::ZERO, U96::ZERO),
        (BOB, u96(5)),
    ];
    let seen = host.vm.get_emitted_logs().len();
    let result = as_sender(&host, SETTLER, || {
        registry.settle_usage(REPORT, fees.clone())
    });
    assert_eq!(result, Ok(u96(60)));
    let expected: Vec<_> = fees
        .iter()
        .map(|(payer, fee)| {
            log(&UsageSettled {
                payerReportId: REPORT,
                payer: *payer,
                amount: *fee,
            })
        })
        .collect();
    assert_eq!(logs_after(&host, seen), expected);
    assert_eq!(
        registry.get_balances(vec![ALICE, BOB, Address::ZERO]),
        vec![i104(70), i104(-20), i104(0)]
    );
    assert_eq!(registry.total_deposits(), i104(50));
    assert_eq!(registry.total_debt(), u96(20));
    assert_eq!(registry.total_withdrawable(), Ok(u96(70)));
    assert_eq!(
        word(&host, slot(0)),
        (U256::from(50) << 8) | (U256::from(20) << 112)
    );
}

#[test]
fn settle_usage_panics_when_the_fees_overflow_uint96() {
    let (host, mut registry) = registry();
    let half = u96(1 << 95);
    let result = as_sender(&host, SETTLER, || {
        registry.settle_usage(REPORT, vec![(ALICE, half), (BOB, half)])
    });
    assert_eq!(result, Err(panic_overflow()));
}

// ---- sendExcessToFeeDistributor / excess ----

fn mock_token_balance(host: &MockHost, balance: U256) {
    host.mock(
        CallKind::Static,
        FEE_TOKEN,
        balance_of_call(),
        Ok(B256::from(balance).to_vec()),
    );
}

#[test]
fn excess_is_the_balance_above_what_payers_can_withdraw() {
    let (host, registry) = registry();
    set_totals(&host, false, 70, 30, 0);
    mock_token_balance(&host, U256::from(120));
    assert_eq!(registry.excess(), Ok(u96(20)));
    mock_token_balance(&host, U256::from(99));
    assert_eq!(registry.excess(), Ok(U96::ZERO));
    // `uint96(balance)` keeps the low bits.
    mock_token_balance(&host, (U256::from(1) << 96) + U256::from(105));
    assert_eq!(registry.excess(), Ok(u96(5)));
    host.mock(
        CallKind::Static,
        FEE_TOKEN,
        balance_of_call(),
        Ok(vec![0; 31]),
    );
    assert_eq!(registry.excess(), Err(Bubbled::default().into()));
}

#[test]
fn send_excess_checks_pause_excess_and_distributor() {
    let (host, mut registry) = registry();
    set_totals(&host, false, 100, 0, 0);
    mock_token_balance(&host, U256::from(100));
    assert_eq!(
        registry.send_excess_to_fee_distributor(),
        Err(NoExcess {}.into())
    );
    mock_token_balance(&host, U256::from(101));
    set_word(&host, slot(2), U256::ZERO);
    assert_eq!(
        registry.send_excess_to_fee_distributor(),
        Err(ZeroFeeDistributor {}.into())
    );
    pause(&host);
    assert_eq!(
        registry.send_excess_to_fee_distributor(),
        Err(Paused {}.into())
    );
}

#[test]
fn send_excess_emits_and_transfers_the_excess() {
    let (host, mut registry) = registry();
    set_totals(&host, false, 100, 0, 0);
    mock_token_balance(&host, U256::from(130));
    host.mock(
        CALL,
        FEE_TOKEN,
        transfer_call(DISTRIBUTOR, 30),
        Ok(bool_word(1)),
    );
    let seen = host.vm.get_emitted_logs().len();
    assert_eq!(registry.send_excess_to_fee_distributor(), Ok(u96(30)));
    assert_eq!(
        logs_after(&host, seen),
        vec![log(&ExcessTransferred { amount: u96(30) })]
    );
    assert_eq!(
        host.calls(),
        vec![
            (CallKind::Static, FEE_TOKEN, balance_of_call()),
            (CALL, FEE_TOKEN, transfer_call(DISTRIBUTOR, 30))
        ]
    );
}

// ---- parameter updates ----

#[test]
fn update_settler_reads_checks_stores_and_emits() {
    let (host, mut registry) = host();
    let key = SETTLER_PARAMETER_KEY;
    mock_get(&host, key, Ok(B256::ZERO.to_vec()));
    assert_eq!(registry.update_settler(), Err(ZeroSettler {}.into()));
    mock_get(&host, key, Ok(B256::repeat_byte(1).to_vec()));
    assert_eq!(
        registry.update_settler(),
        Err(ParameterOutOfTypeBounds {}.into())
    );
    mock_get(&host, key, Ok(SETTLER.into_word().to_vec()));
    assert_eq!(registry.update_settler(), Ok(()));
    assert_eq!(registry.settler(), SETTLER);
    assert_eq!(word(&host, slot(1)), address_word(SETTLER) << 96);
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![log(&SettlerUpdated { settler: SETTLER })]
    );
    assert_eq!(registry.update_settler(), Err(NoChange {}.into()));
}

#[test]
fn update_fee_distributor_reads_checks_stores_and_emits() {
    let (host, mut registry) = host();
    let key = FEE_DISTRIBUTOR_PARAMETER_KEY;
    mock_get(&host, key, Ok(B256::ZERO.to_vec()));
    assert_eq!(
        registry.update_fee_distributor(),
        Err(ZeroFeeDistributor {}.into())
    );
    mock_get(&host, key, Ok(B256::repeat_byte(1).to_vec()));
    assert_eq!(
        registry.update_fee_distributor(),
        Err(ParameterOutOfTypeBounds {}.into())
    );
    mock_get(&host, key, Ok(DISTRIBUTOR.into_word().to_vec()));
    assert_eq!(registry.update_fee_distributor(), Ok(()));
    assert_eq!(registry.fee_distributor(), DISTRIBUTOR);
    assert_eq!(word(&host, slot(2)), address_word(DISTRIBUTOR));
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![log(&FeeDistributorUpdated {
            feeDistributor: DISTRIBUTOR
        })]
    );
    assert_eq!(registry.update_fee_distributor(), Err(NoChange {}.into()));
}

#[test]
fn update_minimum_deposit_reads_checks_stores_and_emits() {
    let (host, mut registry) = registry();
    let key = MINIMUM_DEPOSIT_PARAMETER_KEY;
    mock_get(&host, key, Ok(B256::ZERO.to_vec()));
    assert_eq!(
        registry.update_minimum_deposit(),
        Err(ZeroMinimumDeposit {}.into())
    );
    mock_get(&host, key, Ok(uint_word(1 << 96)));
    assert_eq!(
        registry.update_minimum_deposit(),
        Err(ParameterOutOfTypeBounds {}.into())
    );
    mock_get(&host, key, Ok(uint_word(UINT96_MAX)));
    let seen = host.vm.get_emitted_logs().len();
    assert_eq!(registry.update_minimum_deposit(), Ok(()));
    assert_eq!(registry.minimum_deposit(), u96(UINT96_MAX));
    assert_eq!(
        word(&host, slot(1)),
        (address_word(SETTLER) << 96) | U256::from(UINT96_MAX)
    );
    assert_eq!(
        logs_after(&host, seen),
        vec![log(&MinimumDepositUpdated {
            minimumDeposit: u96(UINT96_MAX)
        })]
    );
    assert_eq!(registry.update_minimum_deposit(), Err(NoChange {}.into()));
}

#[test]
fn update_withdraw_lock_period_is_bounded_by_seven_days() {
    let (host, mut registry) = registry();
    let key = WITHDRAW_LOCK_PERIOD_PARAMETER_KEY;
    mock_get(&host, key, Ok(B256::ZERO.to_vec()));
    assert_eq!(
        registry.update_withdraw_lock_period(),
        Err(NoChange {}.into())
    );
    mock_get(&host, key, Ok(uint_word(1 << 32)));
    assert_eq!(
        registry.update_withdraw_lock_period(),
        Err(ParameterOutOfTypeBounds {}.into())
    );
    mock_get(&host, key, Ok(uint_word(604_801)));
    assert_eq!(
        registry.update_withdraw_lock_period(),
        Err(WithdrawLockPeriodTooHigh {
            withdrawLockPeriod: 604_801,
            maxWithdrawLockPeriod: 604_800
        }
        .into())
    );
    mock_get(&host, key, Ok(uint_word(604_800)));
    let seen = host.vm.get_emitted_logs().len();
    assert_eq!(registry.update_withdraw_lock_period(), Ok(()));
    assert_eq!(registry.withdraw_lock_period(), 604_800);
    assert_eq!(word(&host, slot(0)), U256::from(604_800) << 208);
    assert_eq!(
        logs_after(&host, seen),
        vec![log(&WithdrawLockPeriodUpdated {
            withdrawLockPeriod: 604_800
        })]
    );
}

#[test]
fn update_pause_status_toggles_and_emits() {
    let (host, mut registry) = registry();
    let key = PAUSED_PARAMETER_KEY;
    mock_get(&host, key, Ok(B256::ZERO.to_vec()));
    assert_eq!(registry.update_pause_status(), Err(NoChange {}.into()));
    mock_get(&host, key, Ok(uint_word(2)));
    assert_eq!(
        registry.update_pause_status(),
        Err(ParameterOutOfTypeBounds {}.into())
    );
    mock_get(&host, key, Ok(uint_word(1)));
    let seen = host.vm.get_emitted_logs().len();
    assert_eq!(registry.update_pause_status(), Ok(()));
    assert!(registry.paused());
    assert_eq!(word(&host, slot(0)), U256::from(1));
    mock_get(&host, key, Ok(uint_word(0)));
    assert_eq!(registry.update_pause_status(), Ok(()));
    assert!(!registry.paused());
    assert_eq!(
        logs_after(&host, seen),
        vec![
            log(&PauseStatusUpdated { paused: true }),
            log(&PauseStatusUpdated { paused: false })
        ]
    );
}

#[test]
fn parameter_reads_pass_registry_reverts_through() {
    let (host, mut registry) = registry();
    mock_get(&host, SETTLER_PARAMETER_KEY, Err(vec![0x0b, 0xad]));
    assert_eq!(
        registry.update_settler(),
        Err(Bubbled(vec![0x0b, 0xad]).into())
    );
}

// ---- migrate ----

/// The registry's answer, then every `Migratable` outcome (zero, out of bounds, failing,
/// codeless, migrating), with exact revert data.
#[test]
fn migrate_follows_the_migratable_sequence() {
    let (host, mut registry) = registry();
    assert_migrate_through_registry(
        &host,
        &mut registry,
        MIGRATOR,
        |answer| mock_get(&host, MIGRATOR_PARAMETER_KEY, answer),
        PayerRegistry::migrate,
    );
}

// ---- views ----

#[test]
fn views_report_keys_wiring_and_identity() {
    let (_host, registry) = registry();
    assert_eq!(
        PayerRegistry::settler_parameter_key(),
        "xmtp.payerRegistry.settler"
    );
    assert_eq!(
        PayerRegistry::fee_distributor_parameter_key(),
        "xmtp.payerRegistry.feeDistributor"
    );
    assert_eq!(
        PayerRegistry::minimum_deposit_parameter_key(),
        "xmtp.payerRegistry.minimumDeposit"
    );
    assert_eq!(
        PayerRegistry::withdraw_lock_period_parameter_key(),
        "xmtp.payerRegistry.withdrawLockPeriod"
    );
    assert_eq!(
        PayerRegistry::paused_parameter_key(),
        "xmtp.payerRegistry.paused"
    );
    assert_eq!(
        PayerRegistry::migrator_parameter_key(),
        "xmtp.payerRegistry.migrator"
    );
    assert_eq!(registry.parameter_registry_getter(), REGISTRY);
    assert_eq!(registry.fee_token_getter(), FEE_TOKEN);
    assert_eq!(registry.implementation(), IMPLEMENTATION);
    assert_eq!(PayerRegistry::version(), "1.0.0");
    assert_eq!(PayerRegistry::contract_name(), "PayerRegistry");
    assert_eq!(registry.settler(), SETTLER);
    assert_eq!(registry.fee_distributor(), DISTRIBUTOR);
}

#[test]
fn total_withdrawable_is_deposits_plus_debt_truncated_to_uint96() {
    let (host, registry) = registry();
    set_totals(&host, false, -20, 50, 0);
    assert_eq!(registry.total_withdrawable(), Ok(u96(30)));
    set_totals(&host, false, (1 << 96) + 7, 0, 0);
    assert_eq!(registry.total_withdrawable(), Ok(u96(7)));
    set_totals(&host, false, INT104_MAX, 1, 0);
    assert_eq!(registry.total_withdrawable(), Err(panic_overflow()));
}

// ---- arithmetic helpers ----

#[test]
fn debt_is_the_negated_balance_truncated_to_uint96() {
    assert_eq!(debt(5), Ok(0));
    assert_eq!(debt(0), Ok(0));
    assert_eq!(debt(-5), Ok(5));
    assert_eq!(debt(-(1 << 96)), Ok(0));
    assert_eq!(debt(-(1 << 96) - 3), Ok(3));
    assert_eq!(debt(INT104_MIN), Err(overflow()));
}

#[test]
fn decreasing_across_the_uint96_debt_boundary_panics() {
    // debt(start) = 2^96 - 1, debt(end) truncates to 0: the checked subtraction underflows.
    let start = -((1 << 96) - 1);
    assert_eq!(decreased(start, 1), Err(overflow()));
    assert_eq!(decreased(5, 8), Ok((-3, 3)));
    assert_eq!(decreased(INT104_MIN + 1, 1), Err(overflow()));
    assert_eq!(decreased(INT104_MIN, 1), Err(overflow()));
    assert_eq!(increased(-3, 8), Ok((5, 3)));
    assert_eq!(increased(INT104_MAX, 1), Err(overflow()));
}

/// Calls the program with `calldata` as its entrypoint does: the SDK's router knows no
/// selector, so everything reaches the fallback's dispatcher.
fn route(registry: &mut PayerRegistry, calldata: &[u8]) -> Result<Vec<u8>, Vec<u8>> {
    if let Some(selector) = calldata.get(..4) {
        let selector = u32::from_be_bytes(selector.try_into().unwrap());
        let routed =
            <PayerRegistry as Router<PayerRegistry>>::route(registry, selector, &calldata[4..]);
        assert!(routed.is_none());
    }
    <PayerRegistry as Router<PayerRegistry>>::fallback(registry, calldata).expect("a fallback")
}

#[test]
fn calls_and_returns_are_abi_encoded_as_the_interface_declares() {
    let (host, mut registry) = registry();
    set_payer(&host, ALICE, 100, 0, 0, 0);
    set_payer(&host, BOB, 10, 0, 0, 0);
    set_totals(&host, false, 110, 0, 0);
    host.vm.set_sender(SETTLER);
    let settle = IPayerRegistry::settleUsageCall {
        payerReportId_: REPORT,
        payerFees_: vec![
            xmtp_abi::payer_registry::PayerFee {
                payer: ALICE,
                fee: u96(1),
            },
            xmtp_abi::payer_registry::PayerFee {
                payer: BOB,
                fee: u96(20),
            },
        ],
    };
    let output = route(&mut registry, &settle.abi_encode()).unwrap();
    assert_eq!(
        IPayerRegistry::settleUsageCall::abi_decode_returns_validate(&output),
        Ok(u96(21))
    );
    let output = route(
        &mut registry,
        &IPayerRegistry::getBalancesCall {
            payers_: vec![ALICE, BOB],
        }
        .abi_encode(),
    )
    .unwrap();
    assert_eq!(
        IPayerRegistry::getBalancesCall::abi_decode_returns_validate(&output),
        Ok(vec![i104(99), i104(-10)])
    );
    set_payer(&host, CAROL, 0, 7, 9, 3);
    let output = route(
        &mut registry,
        &IPayerRegistry::getPendingWithdrawalCall { payer_: CAROL }.abi_encode(),
    )
    .unwrap();
    let pending =
        IPayerRegistry::getPendingWithdrawalCall::abi_decode_returns_validate(&output).unwrap();
    assert_eq!(
        (
            pending.pendingWithdrawal_,
            pending.withdrawableTimestamp_,
            pending.nonce_
        ),
        (u96(7), 9, U24::from(3))
    );
    let output = route(
        &mut registry,
        &IPayerRegistry::totalDepositsCall {}.abi_encode(),
    )
    .unwrap();
    assert_eq!(
        IPayerRegistry::totalDepositsCall::abi_decode_returns_validate(&output),
        Ok(i104(89))
    );
    let revert = route(
        &mut registry,
        &IPayerRegistry::requestWithdrawalCall { amount_: U96::ZERO }.abi_encode(),
    );
    assert_eq!(revert, Err(ZeroWithdrawalAmount {}.abi_encode()));
    let overflow = route(
        &mut registry,
        &IPayerRegistry::settleUsageCall {
            payerReportId_: REPORT,
            payerFees_: vec![
                xmtp_abi::payer_registry::PayerFee {
                    payer: ALICE,
                    fee: u96(UINT96_MAX),
                },
                xmtp_abi::payer_registry::PayerFee {
                    payer: ALICE,
                    fee: u96(1),
                },
            ],
        }
        .abi_encode(),
    );
    assert_eq!(
        overflow,
        Err(Panic::from(PanicKind::UnderOverflow).abi_encode())
    );
    assert_eq!(
        Panic::from(PanicKind::UnderOverflow).abi_encode()[..4],
        [0x4e, 0x48, 0x7b, 0x71]
    );
}

#[test]
fn every_interface_function_is_routed() {
    for function in IPayerRegistry::abi::functions().values().flatten() {
        let (_host, mut registry) = registry();
        // Zero words decode as every argument list here (a zero offset points at a zero length).
        let calldata = [&function.selector()[..], &[0u8; 32 * 6]].concat();
        // A routed function answers or reverts with an error; one that reaches an unmocked call
        // panics, which is routed too. Only an unknown selector reverts with empty data.
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            route(&mut registry, &calldata)
        }));
        assert!(
            outcome.map_or(true, |output| output != Err(Vec::new())),
            "{} is not routed",
            function.signature()
        );
    }
    let (_host, mut registry) = registry();
    assert_eq!(
        route(&mut registry, &[0xde, 0xad, 0xbe, 0xef]),
        Err(Vec::new())
    );
}

#[test]
fn malformed_calls_revert_with_empty_data() {
    let (host, mut registry) = registry();
    set_payer(&host, ALICE, 100, 0, 0, 0);
    let get_balance = IPayerRegistry::getBalanceCall { payer_: ALICE }.abi_encode();
    let output = route(&mut registry, &get_balance).unwrap();
    assert_eq!(
        IPayerRegistry::getBalanceCall::abi_decode_returns_validate(&output),
        Ok(i104(100))
    );
    // Short head, a dirty address, short calldata.
    assert_eq!(route(&mut registry, &get_balance[..35]), Err(Vec::new()));
    let mut dirty = get_balance.clone();
    dirty[4] = 1;
    assert_eq!(route(&mut registry, &dirty), Err(Vec::new()));
    assert_eq!(route(&mut registry, &get_balance[..2]), Err(Vec::new()));
    // A uint96 with bit 96 set; a uint8 `v` above 255.
    let mut request = IPayerRegistry::requestWithdrawalCall { amount_: u96(1) }.abi_encode();
    request[4 + 19] = 1;
    assert_eq!(route(&mut registry, &request), Err(Vec::new()));
    let mut permit = IPayerRegistry::depositWithPermitCall {
        payer_: ALICE,
        amount_: u96(1),
        deadline_: U256::ZERO,
        v_: 27,
        r_: B256::ZERO,
        s_: B256::ZERO,
    }
    .abi_encode();
    permit[4 + 3 * 32 + 30] = 1;
    assert_eq!(route(&mut registry, &permit), Err(Vec::new()));
    // An array whose length leaves the calldata; an element with a dirty fee.
    let balances = IPayerRegistry::getBalancesCall {
        payers_: vec![ALICE, BOB],
    }
    .abi_encode();
    assert_eq!(
        route(&mut registry, &balances[..balances.len() - 1]),
        Err(Vec::new())
    );
    host.vm.set_sender(SETTLER);
    let mut settle = IPayerRegistry::settleUsageCall {
        payerReportId_: REPORT,
        payerFees_: vec![xmtp_abi::payer_registry::PayerFee {
            payer: ALICE,
            fee: u96(1),
        }],
    }
    .abi_encode();
    settle[4 + 4 * 32] = 1;
    assert_eq!(route(&mut registry, &settle), Err(Vec::new()));
    // Value sent to a nonpayable function.
    host.vm.set_value(U256::from(1));
    assert_eq!(route(&mut registry, &get_balance), Err(Vec::new()));
}

#[test]
fn revert_data_is_alloys_encoding_of_each_error_with_fields() {
    let not_ready = WithdrawalNotReady {
        timestamp: 5,
        withdrawableTimestamp: u32::MAX,
        nonce: U24::from(3),
    };
    let insufficient = InsufficientDeposit {
        amount: u96(1),
        minimumDeposit: u96(UINT96_MAX),
    };
    let too_high = WithdrawLockPeriodTooHigh {
        withdrawLockPeriod: 604_801,
        maxWithdrawLockPeriod: MAX_WITHDRAW_LOCK_PERIOD,
    };
    let failed = MigrationFailed {
        migrator_: ALICE,
        revertData_: vec![7; 40].into(),
    };
    let cases: Vec<(PayerRegistryError, Vec<u8>)> = vec![
        (not_ready.clone().into(), not_ready.abi_encode()),
        (insufficient.clone().into(), insufficient.abi_encode()),
        (too_high.clone().into(), too_high.abi_encode()),
        (failed.clone().into(), failed.abi_encode()),
        (
            EmptyCode { migrator_: BOB }.into(),
            EmptyCode { migrator_: BOB }.abi_encode(),
        ),
        (overflow().into(), overflow().abi_encode()),
        (Paused {}.into(), Paused {}.abi_encode()),
        (Bubbled(vec![1]).into(), vec![1]),
    ];
    for (error, expected) in cases {
        assert_eq!(Vec::<u8>::from(error), expected);
    }
}
