use alloy_primitives::{address, b256, keccak256, Address, FixedBytes, B256, U256};
use alloy_sol_types::{PanicKind, SolCall, SolEvent, SolValue};
use xmtp_abi::{
    oz_erc20::{Approval, Transfer},
    oz_initializable::Initialized,
    parameter_registry::IParameterRegistryLike,
};
use xmtp_core::{
    ecdsa::{ecrecover_input, ECRECOVER},
    slots::{ERC1967_IMPLEMENTATION, OZ_EIP712, OZ_ERC20, OZ_INITIALIZABLE, OZ_NONCES},
    testing::{
        assert_migrate_through_registry, mock_ecrecover, real_ecrecover, sign, CallKind, MockHost,
        Signed, ANVIL_KEY_0 as KEY_0, ANVIL_KEY_1 as KEY_1, ANVIL_SIGNER_0 as SIGNER_0,
        ANVIL_SIGNER_1 as SIGNER_1, SECP256K1_ORDER as ORDER,
    },
    wiring::set_address_for_tests,
};

use super::*;

mod properties;

/// A mocked call's answer: output, or revert data.
type Outcome = Result<Vec<u8>, Vec<u8>>;

/// The proxy of the reference's Foundry tests (§12.1), so the spec's digest vectors apply.
const PROXY: Address = address!("0x2e234DAe75C793f67A35089C9d99245E1C58470b");
const CHAIN_ID: u64 = 31_337;
const IMPLEMENTATION: Address = address!("0x0000000000000000000000000000000000000f01");
const REGISTRY: Address = address!("0x0000000000000000000000000000000000000e01");
const UNDERLYING: Address = address!("0x0000000000000000000000000000000000000c01");
const MIGRATOR: Address = address!("0x0000000000000000000000000000000000000b01");
const ALICE: Address = address!("0x00000000000000000000000000000000000a11ce");
const BOB: Address = address!("0x0000000000000000000000000000000000000b0b");
const NOW: u64 = 1_700_000_000;

fn token() -> (MockHost, FeeToken) {
    let host = MockHost::new();
    host.vm.set_contract_address(PROXY);
    host.vm.set_chain_id(CHAIN_ID);
    host.vm.set_block_timestamp(NOW);
    host.vm.set_sender(ALICE);
    host.vm
        .set_storage(ERC1967_IMPLEMENTATION, IMPLEMENTATION.into_word());
    host.vm.set_code(UNDERLYING, vec![0xef, 0xf0, 0x00]);
    set_address_for_tests("parameterRegistry", REGISTRY);
    set_address_for_tests("underlying", UNDERLYING);
    let token = FeeToken::from(&host);
    (host, token)
}

fn initialized_token() -> (MockHost, FeeToken) {
    let (host, mut token) = token();
    token.initialize().unwrap();
    host.vm.clear_mocks();
    drain_logs(&host);
    (host, token)
}

/// `TestVM` keeps logs forever; tests compare the logs emitted after this point.
fn drain_logs(host: &MockHost) -> usize {
    host.vm.get_emitted_logs().len()
}

fn logs_since(host: &MockHost, start: usize) -> Vec<(Vec<B256>, Vec<u8>)> {
    host.vm.get_emitted_logs()[start..].to_vec()
}

fn log(event: &impl SolEvent) -> (Vec<B256>, Vec<u8>) {
    let data = event.encode_log_data();
    (data.topics().to_vec(), data.data.to_vec())
}

fn word(value: u64) -> Vec<u8> {
    U256::from(value).to_be_bytes::<32>().to_vec()
}

fn u256(value: u64) -> U256 {
    U256::from(value)
}

fn mapping_slot(key: Address, slot: U256) -> U256 {
    U256::from_be_bytes(keccak256((key, slot).abi_encode()).0)
}

fn balance_slot(account: Address) -> U256 {
    mapping_slot(account, OZ_ERC20)
}

fn allowance_slot(owner: Address, spender: Address) -> U256 {
    let inner = mapping_slot(owner, OZ_ERC20 + U256::from(1));
    U256::from_be_bytes(keccak256((spender, inner).abi_encode()).0)
}

fn raw(host: &MockHost, slot: U256) -> U256 {
    U256::from_be_bytes(host.vm.get_storage(slot).0)
}

fn set_raw(host: &MockHost, slot: U256, value: U256) {
    host.vm.set_storage(slot, B256::from(value));
}

/// A Solidity short string's slot: the bytes left-aligned, twice the length in the last byte.
fn short_string_word(text: &str) -> B256 {
    let mut word = [0u8; 32];
    word[..text.len()].copy_from_slice(text.as_bytes());
    word[31] = u8::try_from(text.len() * 2).unwrap();
    B256::from(word)
}

fn transfer_from_call(from: Address, amount: U256) -> Vec<u8> {
    IERC20Like::transferFromCall {
        sender_: from,
        recipient_: PROXY,
        amount_: amount,
    }
    .abi_encode()
}

fn transfer_call(to: Address, amount: U256) -> Vec<u8> {
    IERC20Like::transferCall {
        recipient_: to,
        amount_: amount,
    }
    .abi_encode()
}

fn mock_pull(host: &MockHost, from: Address, amount: U256, outcome: Outcome) {
    host.mock(
        CallKind::Call(U256::ZERO),
        UNDERLYING,
        transfer_from_call(from, amount),
        outcome,
    );
}

fn mock_push(host: &MockHost, to: Address, amount: U256, outcome: Outcome) {
    host.mock(
        CallKind::Call(U256::ZERO),
        UNDERLYING,
        transfer_call(to, amount),
        outcome,
    );
}

/// `account` holds `amount` tokens, fully backed.
fn fund(host: &MockHost, account: Address, amount: U256) {
    set_raw(
        host,
        balance_slot(account),
        raw(host, balance_slot(account)) + amount,
    );
    set_raw(
        host,
        OZ_ERC20 + U256::from(2),
        raw(host, OZ_ERC20 + U256::from(2)) + amount,
    );
}

fn total_supply_raw(host: &MockHost) -> U256 {
    raw(host, OZ_ERC20 + U256::from(2))
}

// ---- signatures ----

/// `owner_key` signs a permit of `value` for `spender` at the owner's current nonce.
fn signed_permit(
    host: &MockHost,
    token: &FeeToken,
    owner_key: B256,
    owner: Address,
    spender: Address,
    value: U256,
    deadline: U256,
) -> (B256, Signed) {
    let digest = token.get_permit_digest(owner, spender, value, token.nonces(owner), deadline);
    let signed = sign(owner_key, digest);
    mock_ecrecover(host, digest, &signed);
    (digest, signed)
}

fn mock_registry_get(host: &MockHost, key: &str, value: Outcome) {
    let calldata = IParameterRegistryLike::get_0Call { key_: key.into() }.abi_encode();
    host.mock(CallKind::Static, REGISTRY, calldata, value);
}

// ---- initialize ----

#[test]
fn initialize_sets_the_names_and_the_domain_in_openzeppelin_slots() {
    let (host, mut token) = token();
    assert_eq!(token.initialize(), Ok(()));
    assert_eq!(
        host.vm.get_storage(OZ_ERC20 + U256::from(3)),
        short_string_word("XMTP USD Fee Token")
    );
    assert_eq!(
        host.vm.get_storage(OZ_ERC20 + U256::from(4)),
        short_string_word("xUSD")
    );
    assert_eq!(host.vm.get_storage(OZ_EIP712), B256::ZERO);
    assert_eq!(host.vm.get_storage(OZ_EIP712 + U256::from(1)), B256::ZERO);
    assert_eq!(
        host.vm.get_storage(OZ_EIP712 + U256::from(2)),
        short_string_word("XMTP USD Fee Token")
    );
    assert_eq!(
        host.vm.get_storage(OZ_EIP712 + U256::from(3)),
        short_string_word("1")
    );
    assert_eq!(
        host.vm.get_storage(OZ_INITIALIZABLE),
        B256::with_last_byte(1)
    );
    assert_eq!(token.name(), "XMTP USD Fee Token");
    assert_eq!(token.symbol(), "xUSD");
    assert_eq!(token.total_supply(), U256::ZERO);
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![log(&Initialized { version: 1 })]
    );
    assert!(host.calls().is_empty());
}

#[test]
fn initialize_clears_legacy_domain_hashes() {
    let (host, mut token) = token();
    host.vm.set_storage(OZ_EIP712, B256::repeat_byte(1));
    host.vm
        .set_storage(OZ_EIP712 + U256::from(1), B256::repeat_byte(2));
    token.initialize().unwrap();
    assert_eq!(host.vm.get_storage(OZ_EIP712), B256::ZERO);
    assert_eq!(host.vm.get_storage(OZ_EIP712 + U256::from(1)), B256::ZERO);
}

#[test]
fn initialize_twice_reverts_invalid_initialization() {
    let (_host, mut token) = initialized_token();
    assert_eq!(token.initialize(), Err(InvalidInitialization {}.into()));
}

#[test]
fn initialize_on_the_bare_implementation_reverts_invalid_initialization() {
    let (host, mut token) = token();
    host.vm.set_storage(ERC1967_IMPLEMENTATION, B256::ZERO);
    assert_eq!(token.initialize(), Err(InvalidInitialization {}.into()));
    assert_eq!(token.name(), "");
    assert!(host.vm.get_emitted_logs().is_empty());
}

// ---- views ----

#[test]
fn views_report_constants_wiring_and_identity() {
    let (_host, token) = initialized_token();
    assert_eq!(FeeToken::decimals(), 6);
    assert_eq!(
        FeeToken::permit_typehash(),
        keccak256(
            "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"
        )
    );
    assert_eq!(token.underlying_getter(), UNDERLYING);
    assert_eq!(token.parameter_registry_getter(), REGISTRY);
    assert_eq!(FeeToken::migrator_parameter_key(), "xmtp.feeToken.migrator");
    assert_eq!(token.implementation(), IMPLEMENTATION);
    assert_eq!(FeeToken::version(), "1.0.0");
    assert_eq!(FeeToken::contract_name(), "FeeToken");
    assert_eq!(token.nonces(ALICE), U256::ZERO);
    assert_eq!(token.balance_of(ALICE), U256::ZERO);
    assert_eq!(token.allowance(ALICE, BOB), U256::ZERO);
}

#[test]
fn domain_separator_matches_the_reference_vector_and_follows_the_chain() {
    let (host, token) = initialized_token();
    assert_eq!(
        token.domain_separator(),
        b256!("0x1fc7a0fbf4cf9060bcc68fc12dcf6cf9adb789631188260218b86fc2ed43d312")
    );
    host.vm.set_chain_id(1);
    let expected = keccak256(
        (
            xmtp_core::eip712::DOMAIN_TYPEHASH,
            keccak256("XMTP USD Fee Token"),
            keccak256("1"),
            U256::from(1),
            PROXY,
        )
            .abi_encode(),
    );
    assert_eq!(token.domain_separator(), expected);
}

#[test]
fn domain_separator_of_an_uninitialized_proxy_hashes_empty_strings() {
    let (host, token) = token();
    let expected = keccak256(
        (
            xmtp_core::eip712::DOMAIN_TYPEHASH,
            keccak256(""),
            keccak256(""),
            U256::from(CHAIN_ID),
            PROXY,
        )
            .abi_encode(),
    );
    assert_eq!(token.domain_separator(), expected);
    // A legacy hash stands in for an empty string.
    host.vm.set_storage(OZ_EIP712, B256::repeat_byte(7));
    let expected = keccak256(
        (
            xmtp_core::eip712::DOMAIN_TYPEHASH,
            B256::repeat_byte(7),
            keccak256(""),
            U256::from(CHAIN_ID),
            PROXY,
        )
            .abi_encode(),
    );
    assert_eq!(token.domain_separator(), expected);
}

#[test]
fn get_permit_digest_matches_the_reference_vectors() {
    let (_host, token) = initialized_token();
    let address = |n: u8| Address::with_last_byte(n);
    assert_eq!(
        token.get_permit_digest(address(1), address(2), u256(3), u256(4), u256(5)),
        b256!("0x60be5dd30cb9f4c0048cae1064b95b8204b1d722dda6907df648860af00c1d2e")
    );
    assert_eq!(
        token.get_permit_digest(address(10), address(20), u256(30), u256(40), u256(50)),
        b256!("0x3b25af714b2dd39785f124b7ce931a634595f6147f951af018aba03dace1c684")
    );
}

#[test]
fn eip712_domain_reports_the_domain() {
    let (_host, token) = initialized_token();
    assert_eq!(
        token.eip712_domain(),
        Ok((
            FixedBytes([0x0f]),
            "XMTP USD Fee Token".into(),
            "1".into(),
            U256::from(CHAIN_ID),
            PROXY,
            B256::ZERO,
            vec![]
        ))
    );
}

#[test]
fn eip712_domain_reverts_while_a_legacy_hash_is_stored() {
    for slot in [OZ_EIP712, OZ_EIP712 + U256::from(1)] {
        let (host, token) = initialized_token();
        host.vm.set_storage(slot, B256::repeat_byte(1));
        assert_eq!(
            token.eip712_domain(),
            Err(Revert::from("EIP712: Uninitialized").into())
        );
    }
}

// ---- deposit ----

#[test]
fn deposit_reverts_zero_amount() {
    let (host, mut token) = initialized_token();
    assert_eq!(token.deposit(U256::ZERO), Err(ZeroAmount {}.into()));
    assert!(host.calls().is_empty());
}

#[test]
fn deposit_pulls_the_underlying_then_mints_to_the_caller() {
    let (host, mut token) = initialized_token();
    mock_pull(&host, ALICE, u256(100), Ok(word(1)));
    let start = drain_logs(&host);
    assert_eq!(token.deposit(u256(100)), Ok(()));
    assert_eq!(
        host.calls(),
        vec![(
            CallKind::Call(U256::ZERO),
            UNDERLYING,
            transfer_from_call(ALICE, u256(100))
        )]
    );
    assert_eq!(raw(&host, balance_slot(ALICE)), u256(100));
    assert_eq!(total_supply_raw(&host), u256(100));
    assert_eq!(token.balance_of(ALICE), u256(100));
    assert_eq!(token.total_supply(), u256(100));
    assert_eq!(
        logs_since(&host, start),
        vec![log(&Transfer {
            from: Address::ZERO,
            to: ALICE,
            value: u256(100)
        })]
    );
}

#[test]
fn deposit_accepts_a_token_that_returns_nothing() {
    let (host, mut token) = initialized_token();
    mock_pull(&host, ALICE, u256(5), Ok(vec![]));
    assert_eq!(token.deposit(u256(5)), Ok(()));
    assert_eq!(token.balance_of(ALICE), u256(5));
}

#[test]
fn deposit_accepts_a_longer_return_whose_first_word_is_one() {
    let (host, mut token) = initialized_token();
    mock_pull(&host, ALICE, u256(5), Ok([word(1), word(9)].concat()));
    assert_eq!(token.deposit(u256(5)), Ok(()));
    assert_eq!(token.balance_of(ALICE), u256(5));
}

#[test]
fn deposit_reverts_transfer_from_failed_when_the_pull_fails() {
    let failures: Vec<(Outcome, bool)> = vec![
        (Err(vec![0x12, 0x34]), true), // the token reverts
        (Ok(word(0)), true),           // returns false
        (Ok(word(2)), true),           // returns a word other than 1
        (Ok(vec![1]), true),           // returns less than a word
        (Ok(vec![]), false),           // returns nothing, and has no code
    ];
    for (outcome, has_code) in failures {
        let (host, mut token) = initialized_token();
        if !has_code {
            host.vm.set_code(UNDERLYING, vec![]);
        }
        mock_pull(&host, ALICE, u256(5), outcome);
        let start = drain_logs(&host);
        assert_eq!(token.deposit(u256(5)), Err(TransferFromFailed {}.into()));
        assert_eq!(token.total_supply(), U256::ZERO);
        assert!(logs_since(&host, start).is_empty());
    }
}

#[test]
fn deposit_past_the_maximum_supply_panics_with_overflow() {
    let (host, mut token) = initialized_token();
    fund(&host, BOB, U256::MAX);
    mock_pull(&host, ALICE, u256(1), Ok(word(1)));
    assert_eq!(
        token.deposit(u256(1)),
        Err(Panic::from(PanicKind::UnderOverflow).into())
    );
}

#[test]
fn deposit_for_checks_the_amount_before_the_recipient() {
    let (_host, mut token) = initialized_token();
    assert_eq!(
        token.deposit_for(Address::ZERO, U256::ZERO),
        Err(ZeroAmount {}.into())
    );
    assert_eq!(
        token.deposit_for(Address::ZERO, u256(1)),
        Err(ZeroRecipient {}.into())
    );
}

#[test]
fn deposit_for_pulls_from_the_caller_and_mints_to_the_recipient() {
    let (host, mut token) = initialized_token();
    mock_pull(&host, ALICE, u256(70), Ok(word(1)));
    let start = drain_logs(&host);
    assert_eq!(token.deposit_for(BOB, u256(70)), Ok(true));
    assert_eq!(token.balance_of(BOB), u256(70));
    assert_eq!(token.balance_of(ALICE), U256::ZERO);
    assert_eq!(
        logs_since(&host, start),
        vec![log(&Transfer {
            from: Address::ZERO,
            to: BOB,
            value: u256(70)
        })]
    );
}

#[test]
fn deposit_for_reverts_transfer_from_failed() {
    let (host, mut token) = initialized_token();
    mock_pull(&host, ALICE, u256(70), Ok(word(0)));
    assert_eq!(
        token.deposit_for(BOB, u256(70)),
        Err(TransferFromFailed {}.into())
    );
}

fn underlying_permit_call(amount: U256, deadline: U256, v: u8, r: B256, s: B256) -> Vec<u8> {
    IPermitErc20Like::permitCall {
        owner_: ALICE,
        spender_: PROXY,
        value_: amount,
        deadline_: deadline,
        v_: v,
        r_: r,
        s_: s,
    }
    .abi_encode()
}

#[test]
fn deposit_with_permit_tries_the_permit_then_deposits() {
    let (r, s) = (B256::repeat_byte(0xaa), B256::repeat_byte(0xbb));
    for permit_outcome in [Ok(vec![]), Err(vec![0xde, 0xad])] {
        let (host, mut token) = initialized_token();
        let permit = underlying_permit_call(u256(40), u256(99), 27, r, s);
        host.mock(
            CallKind::Call(U256::ZERO),
            UNDERLYING,
            permit.clone(),
            permit_outcome,
        );
        mock_pull(&host, ALICE, u256(40), Ok(word(1)));
        let start = drain_logs(&host);
        assert_eq!(
            token.deposit_with_permit(u256(40), u256(99), 27, r, s),
            Ok(())
        );
        assert_eq!(
            host.calls(),
            vec![
                (CallKind::Call(U256::ZERO), UNDERLYING, permit),
                (
                    CallKind::Call(U256::ZERO),
                    UNDERLYING,
                    transfer_from_call(ALICE, u256(40))
                ),
            ]
        );
        assert_eq!(token.balance_of(ALICE), u256(40));
        assert_eq!(
            logs_since(&host, start),
            vec![log(&Transfer {
                from: Address::ZERO,
                to: ALICE,
                value: u256(40)
            })]
        );
    }
}

#[test]
fn deposit_with_permit_of_zero_tries_the_permit_then_reverts_zero_amount() {
    let (host, mut token) = initialized_token();
    let permit = underlying_permit_call(U256::ZERO, u256(1), 28, B256::ZERO, B256::ZERO);
    host.mock(
        CallKind::Call(U256::ZERO),
        UNDERLYING,
        permit.clone(),
        Ok(vec![]),
    );
    assert_eq!(
        token.deposit_with_permit(U256::ZERO, u256(1), 28, B256::ZERO, B256::ZERO),
        Err(ZeroAmount {}.into())
    );
    assert_eq!(
        host.calls(),
        vec![(CallKind::Call(U256::ZERO), UNDERLYING, permit)]
    );
}

#[test]
fn deposit_with_permit_reverts_transfer_from_failed_when_the_pull_fails() {
    let (host, mut token) = initialized_token();
    let permit = underlying_permit_call(u256(3), u256(9), 27, B256::ZERO, B256::ZERO);
    host.mock(CallKind::Call(U256::ZERO), UNDERLYING, permit, Err(vec![]));
    mock_pull(&host, ALICE, u256(3), Err(vec![]));
    assert_eq!(
        token.deposit_with_permit(u256(3), u256(9), 27, B256::ZERO, B256::ZERO),
        Err(TransferFromFailed {}.into())
    );
}

#[test]
fn deposit_for_with_permit_tries_the_permit_then_mints_to_the_recipient() {
    let (r, s) = (B256::repeat_byte(1), B256::repeat_byte(2));
    let (host, mut token) = initialized_token();
    let permit = underlying_permit_call(u256(8), u256(77), 28, r, s);
    host.mock(
        CallKind::Call(U256::ZERO),
        UNDERLYING,
        permit.clone(),
        Err(vec![]),
    );
    mock_pull(&host, ALICE, u256(8), Ok(word(1)));
    assert_eq!(
        token.deposit_for_with_permit(BOB, u256(8), u256(77), 28, r, s),
        Ok(true)
    );
    assert_eq!(
        host.calls()[0],
        (CallKind::Call(U256::ZERO), UNDERLYING, permit)
    );
    assert_eq!(token.balance_of(BOB), u256(8));
}

#[test]
fn deposit_for_with_permit_checks_amount_then_recipient_after_the_permit() {
    let (host, mut token) = initialized_token();
    let permit = underlying_permit_call(u256(8), u256(77), 28, B256::ZERO, B256::ZERO);
    host.mock(CallKind::Call(U256::ZERO), UNDERLYING, permit, Ok(vec![]));
    assert_eq!(
        token.deposit_for_with_permit(Address::ZERO, u256(8), u256(77), 28, B256::ZERO, B256::ZERO),
        Err(ZeroRecipient {}.into())
    );
    let permit = underlying_permit_call(U256::ZERO, u256(77), 28, B256::ZERO, B256::ZERO);
    host.mock(CallKind::Call(U256::ZERO), UNDERLYING, permit, Ok(vec![]));
    assert_eq!(
        token.deposit_for_with_permit(
            Address::ZERO,
            U256::ZERO,
            u256(77),
            28,
            B256::ZERO,
            B256::ZERO
        ),
        Err(ZeroAmount {}.into())
    );
}

// ---- withdraw ----

#[test]
fn withdraw_reverts_zero_amount() {
    let (host, mut token) = initialized_token();
    assert_eq!(token.withdraw(U256::ZERO), Err(ZeroAmount {}.into()));
    assert!(host.calls().is_empty());
}

#[test]
fn withdraw_reverts_insufficient_balance_with_its_fields() {
    let (host, mut token) = initialized_token();
    fund(&host, ALICE, u256(10));
    assert_eq!(
        token.withdraw(u256(11)),
        Err(ERC20InsufficientBalance {
            sender: ALICE,
            balance: u256(10),
            needed: u256(11)
        }
        .into())
    );
    assert!(host.calls().is_empty());
}

#[test]
fn withdraw_burns_then_sends_the_underlying_to_the_caller() {
    let (host, mut token) = initialized_token();
    fund(&host, ALICE, u256(10));
    mock_push(&host, ALICE, u256(4), Ok(word(1)));
    let start = drain_logs(&host);
    assert_eq!(token.withdraw(u256(4)), Ok(()));
    assert_eq!(raw(&host, balance_slot(ALICE)), u256(6));
    assert_eq!(total_supply_raw(&host), u256(6));
    assert_eq!(
        host.calls(),
        vec![(
            CallKind::Call(U256::ZERO),
            UNDERLYING,
            transfer_call(ALICE, u256(4))
        )]
    );
    assert_eq!(
        logs_since(&host, start),
        vec![log(&Transfer {
            from: ALICE,
            to: Address::ZERO,
            value: u256(4)
        })]
    );
}

#[test]
fn withdraw_accepts_a_token_that_returns_nothing() {
    let (host, mut token) = initialized_token();
    fund(&host, ALICE, u256(10));
    mock_push(&host, ALICE, u256(10), Ok(vec![]));
    assert_eq!(token.withdraw(u256(10)), Ok(()));
    assert_eq!(token.total_supply(), U256::ZERO);
}

#[test]
fn withdraw_reverts_transfer_failed_when_the_push_fails() {
    let failures: Vec<(Outcome, bool)> = vec![
        (Err(vec![0x12]), true),
        (Ok(word(0)), true),
        (Ok(vec![0, 0, 1]), true),
        (Ok(vec![]), false),
    ];
    for (outcome, has_code) in failures {
        let (host, mut token) = initialized_token();
        if !has_code {
            host.vm.set_code(UNDERLYING, vec![]);
        }
        fund(&host, ALICE, u256(10));
        mock_push(&host, ALICE, u256(10), outcome);
        assert_eq!(token.withdraw(u256(10)), Err(TransferFailed {}.into()));
    }
}

#[test]
fn withdraw_to_checks_the_amount_before_the_recipient() {
    let (_host, mut token) = initialized_token();
    assert_eq!(
        token.withdraw_to(Address::ZERO, U256::ZERO),
        Err(ZeroAmount {}.into())
    );
    assert_eq!(
        token.withdraw_to(Address::ZERO, u256(1)),
        Err(ZeroRecipient {}.into())
    );
}

#[test]
fn withdraw_to_burns_the_callers_tokens_and_sends_to_the_recipient() {
    let (host, mut token) = initialized_token();
    fund(&host, ALICE, u256(10));
    mock_push(&host, BOB, u256(10), Ok(word(1)));
    let start = drain_logs(&host);
    assert_eq!(token.withdraw_to(BOB, u256(10)), Ok(true));
    assert_eq!(token.balance_of(ALICE), U256::ZERO);
    assert_eq!(token.balance_of(BOB), U256::ZERO);
    assert_eq!(
        logs_since(&host, start),
        vec![log(&Transfer {
            from: ALICE,
            to: Address::ZERO,
            value: u256(10)
        })]
    );
}

#[test]
fn withdraw_to_reverts_insufficient_balance_and_transfer_failed() {
    let (host, mut token) = initialized_token();
    assert_eq!(
        token.withdraw_to(BOB, u256(1)),
        Err(ERC20InsufficientBalance {
            sender: ALICE,
            balance: U256::ZERO,
            needed: u256(1)
        }
        .into())
    );
    fund(&host, ALICE, u256(1));
    mock_push(&host, BOB, u256(1), Ok(word(0)));
    assert_eq!(
        token.withdraw_to(BOB, u256(1)),
        Err(TransferFailed {}.into())
    );
}

// ---- ERC-20 ----

#[test]
fn transfer_moves_tokens_and_emits() {
    let (host, mut token) = initialized_token();
    fund(&host, ALICE, u256(10));
    let start = drain_logs(&host);
    assert_eq!(token.transfer(BOB, u256(3)), Ok(true));
    assert_eq!(raw(&host, balance_slot(ALICE)), u256(7));
    assert_eq!(raw(&host, balance_slot(BOB)), u256(3));
    assert_eq!(total_supply_raw(&host), u256(10));
    assert_eq!(
        logs_since(&host, start),
        vec![log(&Transfer {
            from: ALICE,
            to: BOB,
            value: u256(3)
        })]
    );
}

#[test]
fn transfer_to_oneself_keeps_the_balance() {
    let (host, mut token) = initialized_token();
    fund(&host, ALICE, u256(10));
    assert_eq!(token.transfer(ALICE, u256(10)), Ok(true));
    assert_eq!(token.balance_of(ALICE), u256(10));
}

#[test]
fn transfer_reverts_invalid_receiver_then_insufficient_balance() {
    let (host, mut token) = initialized_token();
    assert_eq!(
        token.transfer(Address::ZERO, u256(1)),
        Err(ERC20InvalidReceiver {
            receiver: Address::ZERO
        }
        .into())
    );
    fund(&host, ALICE, u256(1));
    assert_eq!(
        token.transfer(BOB, u256(2)),
        Err(ERC20InsufficientBalance {
            sender: ALICE,
            balance: u256(1),
            needed: u256(2)
        }
        .into())
    );
}

#[test]
fn approve_sets_the_allowance_and_emits() {
    let (host, mut token) = initialized_token();
    let start = drain_logs(&host);
    assert_eq!(token.approve(BOB, u256(9)), Ok(true));
    assert_eq!(raw(&host, allowance_slot(ALICE, BOB)), u256(9));
    assert_eq!(token.allowance(ALICE, BOB), u256(9));
    assert_eq!(
        logs_since(&host, start),
        vec![log(&Approval {
            owner: ALICE,
            spender: BOB,
            value: u256(9)
        })]
    );
}

#[test]
fn approve_reverts_invalid_spender() {
    let (_host, mut token) = initialized_token();
    assert_eq!(
        token.approve(Address::ZERO, u256(1)),
        Err(ERC20InvalidSpender {
            spender: Address::ZERO
        }
        .into())
    );
}

#[test]
fn transfer_from_spends_the_allowance_without_an_approval_event() {
    let (host, mut token) = initialized_token();
    fund(&host, BOB, u256(10));
    set_raw(&host, allowance_slot(BOB, ALICE), u256(6));
    let start = drain_logs(&host);
    assert_eq!(token.transfer_from(BOB, ALICE, u256(4)), Ok(true));
    assert_eq!(raw(&host, allowance_slot(BOB, ALICE)), u256(2));
    assert_eq!(token.balance_of(BOB), u256(6));
    assert_eq!(token.balance_of(ALICE), u256(4));
    assert_eq!(
        logs_since(&host, start),
        vec![log(&Transfer {
            from: BOB,
            to: ALICE,
            value: u256(4)
        })]
    );
}

#[test]
fn transfer_from_never_lowers_an_infinite_allowance() {
    let (host, mut token) = initialized_token();
    fund(&host, BOB, u256(10));
    set_raw(&host, allowance_slot(BOB, ALICE), U256::MAX);
    assert_eq!(token.transfer_from(BOB, ALICE, u256(10)), Ok(true));
    assert_eq!(token.allowance(BOB, ALICE), U256::MAX);
}

#[test]
fn transfer_from_checks_the_allowance_first() {
    let (host, mut token) = initialized_token();
    set_raw(&host, allowance_slot(BOB, ALICE), u256(1));
    // Insufficient allowance is reported even when the receiver is zero.
    assert_eq!(
        token.transfer_from(BOB, Address::ZERO, u256(2)),
        Err(ERC20InsufficientAllowance {
            spender: ALICE,
            allowance: u256(1),
            needed: u256(2)
        }
        .into())
    );
    assert_eq!(
        token.transfer_from(BOB, Address::ZERO, u256(1)),
        Err(ERC20InvalidReceiver {
            receiver: Address::ZERO
        }
        .into())
    );
}

#[test]
fn transfer_from_the_zero_address_reports_allowance_or_approver() {
    let (_host, mut token) = initialized_token();
    assert_eq!(
        token.transfer_from(Address::ZERO, BOB, u256(5)),
        Err(ERC20InsufficientAllowance {
            spender: ALICE,
            allowance: U256::ZERO,
            needed: u256(5)
        }
        .into())
    );
    assert_eq!(
        token.transfer_from(Address::ZERO, BOB, U256::ZERO),
        Err(ERC20InvalidApprover {
            approver: Address::ZERO
        }
        .into())
    );
}

#[test]
fn transfer_from_reverts_insufficient_balance_after_the_allowance() {
    let (host, mut token) = initialized_token();
    set_raw(&host, allowance_slot(BOB, ALICE), u256(5));
    assert_eq!(
        token.transfer_from(BOB, ALICE, u256(5)),
        Err(ERC20InsufficientBalance {
            sender: BOB,
            balance: U256::ZERO,
            needed: u256(5)
        }
        .into())
    );
}

// ---- permit ----

#[test]
fn permit_with_the_owners_signature_approves_and_consumes_the_nonce() {
    let (host, mut token) = initialized_token();
    let deadline = u256(NOW + 60);
    let (digest, signed) = signed_permit(&host, &token, KEY_0, SIGNER_0, BOB, u256(500), deadline);
    let start = drain_logs(&host);
    assert_eq!(
        token.permit(
            SIGNER_0,
            BOB,
            u256(500),
            deadline,
            signed.v,
            signed.r,
            signed.s
        ),
        Ok(())
    );
    assert_eq!(raw(&host, allowance_slot(SIGNER_0, BOB)), u256(500));
    assert_eq!(raw(&host, mapping_slot(SIGNER_0, OZ_NONCES)), u256(1));
    assert_eq!(token.nonces(SIGNER_0), u256(1));
    assert_eq!(
        logs_since(&host, start),
        vec![log(&Approval {
            owner: SIGNER_0,
            spender: BOB,
            value: u256(500)
        })]
    );
    assert_eq!(
        host.calls(),
        vec![(
            CallKind::Static,
            ECRECOVER,
            ecrecover_input(digest, signed.v, signed.r, signed.s).to_vec()
        )]
    );
}

#[test]
fn permit_is_accepted_at_the_deadline() {
    let (host, mut token) = initialized_token();
    let (_, signed) = signed_permit(&host, &token, KEY_1, SIGNER_1, BOB, u256(1), u256(NOW));
    assert_eq!(
        token.permit(
            SIGNER_1,
            BOB,
            u256(1),
            u256(NOW),
            signed.v,
            signed.r,
            signed.s
        ),
        Ok(())
    );
    assert_eq!(token.allowance(SIGNER_1, BOB), u256(1));
}

#[test]
fn permit_reverts_expired_signature_after_the_deadline() {
    let (host, mut token) = initialized_token();
    let deadline = u256(NOW - 1);
    let signed = sign(
        KEY_0,
        token.get_permit_digest(SIGNER_0, BOB, u256(1), U256::ZERO, deadline),
    );
    assert_eq!(
        token.permit(
            SIGNER_0,
            BOB,
            u256(1),
            deadline,
            signed.v,
            signed.r,
            signed.s
        ),
        Err(ERC2612ExpiredSignature { deadline }.into())
    );
    assert!(host.calls().is_empty());
    assert_eq!(token.nonces(SIGNER_0), U256::ZERO);
}

#[test]
fn permit_signed_by_another_key_reverts_invalid_signer() {
    let (host, mut token) = initialized_token();
    let deadline = u256(NOW + 1);
    let digest = token.get_permit_digest(SIGNER_0, BOB, u256(1), U256::ZERO, deadline);
    let signed = sign(KEY_1, digest);
    mock_ecrecover(&host, digest, &signed);
    assert_eq!(
        token.permit(
            SIGNER_0,
            BOB,
            u256(1),
            deadline,
            signed.v,
            signed.r,
            signed.s
        ),
        Err(ERC2612InvalidSigner {
            signer: SIGNER_1,
            owner: SIGNER_0
        }
        .into())
    );
    assert_eq!(token.nonces(SIGNER_0), U256::ZERO);
    assert_eq!(token.allowance(SIGNER_0, BOB), U256::ZERO);
}

#[test]
fn permit_replayed_reverts_invalid_signer_as_the_nonce_moved_on() {
    let (host, mut token) = initialized_token();
    let deadline = u256(NOW + 1);
    let (_, signed) = signed_permit(&host, &token, KEY_0, SIGNER_0, BOB, u256(3), deadline);
    token
        .permit(
            SIGNER_0,
            BOB,
            u256(3),
            deadline,
            signed.v,
            signed.r,
            signed.s,
        )
        .unwrap();
    // The same signature now stands for nonce 0 while the digest uses nonce 1: it recovers
    // some unrelated key.
    let replay_digest = token.get_permit_digest(SIGNER_0, BOB, u256(3), u256(1), deadline);
    mock_ecrecover(&host, replay_digest, &signed);
    let recovered =
        Address::from_slice(&real_ecrecover(replay_digest, signed.v, signed.r, signed.s)[12..]);
    assert_ne!(recovered, SIGNER_0);
    assert_eq!(
        token.permit(
            SIGNER_0,
            BOB,
            u256(3),
            deadline,
            signed.v,
            signed.r,
            signed.s
        ),
        Err(ERC2612InvalidSigner {
            signer: recovered,
            owner: SIGNER_0
        }
        .into())
    );
    assert_eq!(token.nonces(SIGNER_0), u256(1));
}

#[test]
fn permit_with_a_high_s_twin_reverts_invalid_signature_s_without_recovering() {
    let (host, mut token) = initialized_token();
    let deadline = u256(NOW + 1);
    let digest = token.get_permit_digest(SIGNER_0, BOB, u256(1), U256::ZERO, deadline);
    let signed = sign(KEY_0, digest);
    let high_s = B256::from(ORDER - U256::from_be_bytes(signed.s.0));
    let twin = Signed {
        v: if signed.v == 27 { 28 } else { 27 },
        r: signed.r,
        s: high_s,
    };
    // The twin is a valid signature of the owner (the precompile would recover them).
    assert_eq!(
        real_ecrecover(digest, twin.v, twin.r, twin.s),
        SIGNER_0.into_word().to_vec()
    );
    assert_eq!(
        token.permit(SIGNER_0, BOB, u256(1), deadline, twin.v, twin.r, twin.s),
        Err(ECDSAInvalidSignatureS { s: high_s }.into())
    );
    assert!(host.calls().is_empty());
}

#[test]
fn permit_accepts_the_largest_low_s() {
    let (host, mut token) = initialized_token();
    let digest = token.get_permit_digest(SIGNER_0, BOB, u256(1), U256::ZERO, u256(NOW));
    // A real signature's `r` (a valid x coordinate) with `s` at the limit recovers some key.
    let signed = Signed {
        v: 27,
        r: sign(KEY_0, digest).r,
        s: B256::from(xmtp_core::ecdsa::MAX_S),
    };
    mock_ecrecover(&host, digest, &signed);
    let recovered = real_ecrecover(digest, signed.v, signed.r, signed.s);
    assert_eq!(recovered.len(), 32);
    assert_eq!(
        token.permit(
            SIGNER_0,
            BOB,
            u256(1),
            u256(NOW),
            signed.v,
            signed.r,
            signed.s
        ),
        Err(ERC2612InvalidSigner {
            signer: Address::from_slice(&recovered[12..]),
            owner: SIGNER_0
        }
        .into())
    );
    assert_eq!(host.calls().len(), 1);
}

#[test]
fn permit_with_a_bad_v_reverts_invalid_signature() {
    let (host, mut token) = initialized_token();
    let deadline = u256(NOW + 1);
    let digest = token.get_permit_digest(SIGNER_0, BOB, u256(1), U256::ZERO, deadline);
    let mut signed = sign(KEY_0, digest);
    signed.v -= 27;
    mock_ecrecover(&host, digest, &signed);
    assert_eq!(
        token.permit(
            SIGNER_0,
            BOB,
            u256(1),
            deadline,
            signed.v,
            signed.r,
            signed.s
        ),
        Err(ECDSAInvalidSignature {}.into())
    );
}

#[test]
fn permit_for_the_zero_spender_reverts_invalid_spender_after_the_signature() {
    let (host, mut token) = initialized_token();
    let deadline = u256(NOW + 1);
    let (_, signed) = signed_permit(
        &host,
        &token,
        KEY_0,
        SIGNER_0,
        Address::ZERO,
        u256(1),
        deadline,
    );
    assert_eq!(
        token.permit(
            SIGNER_0,
            Address::ZERO,
            u256(1),
            deadline,
            signed.v,
            signed.r,
            signed.s
        ),
        Err(ERC20InvalidSpender {
            spender: Address::ZERO
        }
        .into())
    );
    assert_eq!(token.nonces(SIGNER_0), U256::ZERO);
}

#[test]
fn permit_passes_a_precompile_failure_through() {
    let (host, mut token) = initialized_token();
    let digest = token.get_permit_digest(SIGNER_0, BOB, u256(1), U256::ZERO, u256(NOW));
    let signed = sign(KEY_0, digest);
    host.mock(
        CallKind::Static,
        ECRECOVER,
        ecrecover_input(digest, signed.v, signed.r, signed.s).to_vec(),
        Err(vec![]),
    );
    assert_eq!(
        token.permit(
            SIGNER_0,
            BOB,
            u256(1),
            u256(NOW),
            signed.v,
            signed.r,
            signed.s
        ),
        Err(Bubbled(vec![]).into())
    );
}

#[test]
fn permit_then_transfer_from_spends_the_permitted_allowance() {
    let (host, mut token) = initialized_token();
    fund(&host, SIGNER_0, u256(50));
    let (_, signed) = signed_permit(&host, &token, KEY_0, SIGNER_0, ALICE, u256(20), u256(NOW));
    token
        .permit(
            SIGNER_0,
            ALICE,
            u256(20),
            u256(NOW),
            signed.v,
            signed.r,
            signed.s,
        )
        .unwrap();
    assert_eq!(token.transfer_from(SIGNER_0, BOB, u256(20)), Ok(true));
    assert_eq!(token.balance_of(BOB), u256(20));
    assert_eq!(token.allowance(SIGNER_0, ALICE), U256::ZERO);
}

// ---- migrate ----

/// The registry's answer, then every `Migratable` outcome (zero, out of bounds, failing,
/// codeless, migrating), with exact revert data.
#[test]
fn migrate_follows_the_migratable_sequence() {
    let (host, mut token) = initialized_token();
    assert_migrate_through_registry(
        &host,
        &mut token,
        MIGRATOR,
        |answer| mock_registry_get(&host, "xmtp.feeToken.migrator", answer),
        FeeToken::migrate,
    );
}

// ---- routing ----

#[test]
fn every_interface_function_is_routed() {
    use stylus_sdk::abi::Router;
    for function in xmtp_abi::fee_token::IFeeToken::abi::functions()
        .values()
        .flatten()
    {
        let (_host, mut token) = initialized_token();
        let selector = u32::from_be_bytes(function.selector().0);
        let routed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            <FeeToken as Router<FeeToken>>::route(&mut token, selector, &[]).is_some()
        }));
        assert!(
            routed.unwrap_or(true),
            "{} is not routed",
            function.signature()
        );
    }
    let (_host, mut token) = initialized_token();
    assert!(<FeeToken as Router<FeeToken>>::route(&mut token, 0xdead_beef, &[]).is_none());
}

#[test]
fn errors_encode_with_the_reference_selectors() {
    let encoded: Vec<u8> = FeeTokenError::from(ZeroAmount {}).into();
    assert_eq!(encoded, vec![0x1f, 0x2a, 0x20, 0x05]);
    let encoded: Vec<u8> = FeeTokenError::from(Panic::from(PanicKind::UnderOverflow)).into();
    assert_eq!(encoded[..4], [0x4e, 0x48, 0x7b, 0x71]);
    assert_eq!(U256::from_be_slice(&encoded[4..]), u256(0x11));
    let encoded: Vec<u8> = FeeTokenError::from(ECDSAInvalidSignatureS { s: B256::ZERO }).into();
    assert_eq!(encoded[..4], [0xd7, 0x8b, 0xce, 0x0c]);
}
