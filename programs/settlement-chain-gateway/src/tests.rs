use alloy_primitives::{address, b256, keccak256, Address, B256, U256};
use alloy_sol_types::{Panic, PanicKind, SolCall, SolError, SolEvent, SolValue};
use xmtp_abi::{
    fee_token::ZeroAmount as FeeTokenZeroAmount,
    oz_initializable::{Initialized, InvalidInitialization},
    settlement_chain_gateway::{
        Deposit, InboxUpdated, InsufficientAmount, InvalidFeeTokenDecimals, NoChainIds, NoChange,
        NoKeys, ParametersSent, PauseStatusUpdated, Paused, TransferFromFailed, UnsupportedChainId,
        WithdrawalReceived, ZeroAmount, ZeroRecipient,
    },
};
use xmtp_core::{
    slots::{ERC1967_IMPLEMENTATION, OZ_INITIALIZABLE, SETTLEMENT_CHAIN_GATEWAY},
    testing::{assert_migrate_through_registry, CallKind, MockHost, RecordedCall},
    wiring::{set_address_for_tests, set_for_tests},
};

use super::*;

/// The testnets' gateway proxy, whose alias is a published vector (spec §13.2).
const GATEWAY_PROXY: Address = address!("0xB64D5bF62F30512Bd130C0D7c80DB7ac1e6801a3");
const GATEWAY_ALIAS: Address = address!("0xc75e5bf62f30512bd130c0d7c80db7ac1e6812b4");
const GATEWAY_IMPLEMENTATION: Address = address!("0x0000000000000000000000000000000000000f01");
const REGISTRY: Address = address!("0x0000000000000000000000000000000000000e01");
const APP_GATEWAY: Address = address!("0x0000000000000000000000000000000000000a01");
const FEE_TOKEN: Address = address!("0x0000000000000000000000000000000000000b01");
const UNDERLYING: Address = address!("0x0000000000000000000000000000000000000b02");
const INBOX: Address = address!("0x0000000000000000000000000000000000000c01");
const OTHER_INBOX: Address = address!("0x0000000000000000000000000000000000000c02");
const CALLER: Address = address!("0x0000000000000000000000000000000000000d01");
const RECIPIENT: Address = address!("0x0000000000000000000000000000000000000d02");
const MIGRATOR: Address = address!("0x0000000000000000000000000000000000000c99");

const CHAIN: u64 = 241_320_162;
const OTHER_CHAIN: u64 = 351_243_127;
const UNSET_CHAIN: u64 = 8453;
/// `TestVM`'s fixed `block.basefee`.
const BASE_FEE: u64 = 1_000_000;
const SCALE: u64 = 1_000_000_000_000;

const NO_CALL: CallKind = CallKind::Call(U256::ZERO);

fn u(value: u128) -> U256 {
    U256::from(value)
}

fn word(value: U256) -> Vec<u8> {
    value.to_be_bytes::<32>().to_vec()
}

fn yes() -> Vec<u8> {
    word(u(1))
}

fn log(event: &impl SolEvent) -> (Vec<B256>, Vec<u8>) {
    let data = event.encode_log_data();
    (data.topics().to_vec(), data.data.to_vec())
}

fn strings(keys: &[&str]) -> Vec<String> {
    keys.iter().map(|key| (*key).to_owned()).collect()
}

/// Solidity's `mapping(uint256 => address)` entry at root + 2: `keccak256(abi.encode(key, slot))`.
fn inbox_slot(chain_id: u64) -> U256 {
    let slot = SETTLEMENT_CHAIN_GATEWAY + u(2);
    U256::from_be_bytes(keccak256((U256::from(chain_id), slot).abi_encode()).0)
}

fn nonce(host: &MockHost) -> U256 {
    U256::from_be_bytes(host.vm.get_storage(SETTLEMENT_CHAIN_GATEWAY + u(1)).0)
}

fn pause(host: &MockHost) {
    host.vm
        .set_storage(SETTLEMENT_CHAIN_GATEWAY, B256::with_last_byte(1));
}

/// A gateway proxy called by `CALLER`, with inboxes for `CHAIN` and `OTHER_CHAIN`.
fn gateway() -> (MockHost, SettlementChainGateway) {
    let host = MockHost::new();
    host.vm.set_contract_address(GATEWAY_PROXY);
    host.vm.set_sender(CALLER);
    host.vm
        .set_storage(ERC1967_IMPLEMENTATION, GATEWAY_IMPLEMENTATION.into_word());
    for account in [REGISTRY, FEE_TOKEN, UNDERLYING, INBOX, OTHER_INBOX] {
        host.vm.set_code(account, vec![0xef, 0xf0, 0x00]);
    }
    host.vm.set_storage(inbox_slot(CHAIN), INBOX.into_word());
    host.vm
        .set_storage(inbox_slot(OTHER_CHAIN), OTHER_INBOX.into_word());
    set_address_for_tests("parameterRegistry", REGISTRY);
    set_address_for_tests("appChainGateway", APP_GATEWAY);
    set_address_for_tests("feeToken", FEE_TOKEN);
    set_address_for_tests("underlyingFeeToken", UNDERLYING);
    set_for_tests("scale", U256::from(SCALE));
    let gateway = SettlementChainGateway::from(&host);
    (host, gateway)
}

// ---- calldata of the calls the gateway makes ----

fn transfer_from(token_from: Address, amount: U256) -> Vec<u8> {
    IERC20Like::transferFromCall {
        sender_: token_from,
        recipient_: GATEWAY_PROXY,
        amount_: amount,
    }
    .abi_encode()
}

fn approve(spender: Address, amount: U256) -> Vec<u8> {
    IERC20Like::approveCall {
        spender_: spender,
        amount_: amount,
    }
    .abi_encode()
}

fn permit(amount: U256) -> Vec<u8> {
    IPermitErc20Like::permitCall {
        owner_: CALLER,
        spender_: GATEWAY_PROXY,
        value_: amount,
        deadline_: u(1_700_000_000),
        v_: 27,
        r_: B256::repeat_byte(0x11),
        s_: B256::repeat_byte(0x22),
    }
    .abi_encode()
}

fn fee_token_deposit(amount: U256) -> Vec<u8> {
    IFeeTokenLike::depositCall { amount_: amount }.abi_encode()
}

fn quote(data_length: usize, base_fee: U256) -> Vec<u8> {
    IERC20InboxLike::calculateRetryableSubmissionFeeCall {
        dataLength_: U256::from(data_length),
        baseFee_: base_fee,
    }
    .abi_encode()
}

fn receive_deposit_data() -> Vec<u8> {
    IAppChainGatewayLike::receiveDepositCall {
        recipient_: RECIPIENT,
    }
    .abi_encode()
}

struct Ticket {
    call_value: U256,
    submission: U256,
    gas_limit: U256,
    max_fee_per_gas: U256,
    amount: U256,
    data: Vec<u8>,
}

fn ticket(ticket: &Ticket) -> Vec<u8> {
    IERC20InboxLike::createRetryableTicketCall {
        to_: APP_GATEWAY,
        l2CallValue_: ticket.call_value,
        maxSubmissionCost_: ticket.submission,
        excessFeeRefundAddress_: GATEWAY_ALIAS,
        callValueRefundAddress_: GATEWAY_ALIAS,
        gasLimit_: ticket.gas_limit,
        maxFeePerGas_: ticket.max_fee_per_gas,
        tokenTotalFeeAmount_: ticket.amount,
        data_: ticket.data.clone().into(),
    }
    .abi_encode()
}

fn panic_0x11() -> SettlementChainGatewayError {
    Panic::from(PanicKind::UnderOverflow).into()
}

// ---- the spec's worked deposit (§18.7) ----

const AMOUNT: u128 = 3_000_000;
const GAS_LIMIT: u128 = 100_000;
const MAX_FEE_PER_GAS: u128 = 1_000_000_000;
const SUBMISSION: u128 = 100_000_000_000_000_000;

fn worked_ticket() -> Ticket {
    Ticket {
        call_value: u(2_899_900_000_000_000_000),
        submission: u(SUBMISSION),
        gas_limit: u(GAS_LIMIT),
        max_fee_per_gas: u(MAX_FEE_PER_GAS),
        amount: u(AMOUNT),
        data: receive_deposit_data(),
    }
}

/// Mocks the inbox quote, the inbox approval and the ticket of the worked deposit.
fn mock_worked_ticket(host: &MockHost, message_number: u64) {
    host.mock(
        CallKind::Static,
        INBOX,
        quote(36, U256::from(BASE_FEE)),
        Ok(word(u(SUBMISSION))),
    );
    host.mock(NO_CALL, FEE_TOKEN, approve(INBOX, u(AMOUNT)), Ok(yes()));
    host.mock(
        NO_CALL,
        INBOX,
        ticket(&worked_ticket()),
        Ok(word(U256::from(message_number))),
    );
}

fn worked_ticket_calls() -> Vec<(CallKind, Address, Vec<u8>)> {
    vec![
        (CallKind::Static, INBOX, quote(36, U256::from(BASE_FEE))),
        (NO_CALL, FEE_TOKEN, approve(INBOX, u(AMOUNT))),
        (NO_CALL, INBOX, ticket(&worked_ticket())),
    ]
}

fn worked_deposit_event(message_number: u64) -> (Vec<B256>, Vec<u8>) {
    log(&Deposit {
        chainId: U256::from(CHAIN),
        messageNumber: U256::from(message_number),
        recipient: RECIPIENT,
        amount: u(AMOUNT),
        maxFees: u(100_100),
    })
}

fn deposit(
    gateway: &mut SettlementChainGateway,
    chain: u64,
    recipient: Address,
    amount: U256,
) -> Result<()> {
    gateway.deposit(
        U256::from(chain),
        recipient,
        amount,
        u(GAS_LIMIT),
        u(MAX_FEE_PER_GAS),
    )
}

// ---- layout and wiring ----

#[test]
fn inbox_slots_match_the_reference_vector() {
    assert_eq!(
        inbox_slot(CHAIN),
        U256::from_be_bytes(
            b256!("0xc0d6ebc6142f9548ea4a03772e44e5e00469dca2f0cf0a9fc068798e7d5c50b3").0
        )
    );
}

#[test]
fn scale_for_decimals_is_the_reference_constructor_rule() {
    assert_eq!(scale_for_decimals(6), Ok(U256::from(SCALE)));
    assert_eq!(scale_for_decimals(18), Ok(u(1)));
    assert_eq!(scale_for_decimals(0), Ok(u(1_000_000_000_000_000_000)));
    assert_eq!(scale_for_decimals(19), Err(InvalidFeeTokenDecimals {}));
}

#[test]
fn from_wei_rounds_up_to_fee_token_units() {
    let (_host, _gateway) = gateway();
    assert_eq!(from_wei(U256::ZERO), U256::ZERO);
    assert_eq!(from_wei(u(1)), u(1));
    assert_eq!(from_wei(U256::from(SCALE)), u(1));
    assert_eq!(from_wei(U256::from(SCALE + 1)), u(2));
    set_for_tests("scale", u(1));
    assert_eq!(from_wei(u(12_345)), u(12_345));
}

// ---- initialize ----

#[test]
fn initialize_marks_the_proxy_initialized_once() {
    let (host, mut gateway) = gateway();
    assert_eq!(gateway.initialize(), Ok(()));
    assert_eq!(
        host.vm.get_storage(OZ_INITIALIZABLE),
        B256::with_last_byte(1)
    );
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![log(&Initialized { version: 1 })]
    );
    assert_eq!(gateway.initialize(), Err(InvalidInitialization {}.into()));
}

#[test]
fn initialize_on_the_bare_implementation_reverts() {
    let (host, mut gateway) = gateway();
    host.vm.set_storage(ERC1967_IMPLEMENTATION, B256::ZERO);
    assert_eq!(gateway.initialize(), Err(InvalidInitialization {}.into()));
}

// ---- deposit ----

#[test]
fn deposit_pulls_then_creates_the_worked_ticket_then_emits() {
    let (host, mut gateway) = gateway();
    host.mock(
        NO_CALL,
        FEE_TOKEN,
        transfer_from(CALLER, u(AMOUNT)),
        Ok(yes()),
    );
    mock_worked_ticket(&host, 7);
    assert_eq!(deposit(&mut gateway, CHAIN, RECIPIENT, u(AMOUNT)), Ok(()));
    let mut expected = vec![(NO_CALL, FEE_TOKEN, transfer_from(CALLER, u(AMOUNT)))];
    expected.extend(worked_ticket_calls());
    assert_eq!(host.calls(), expected);
    assert_eq!(host.vm.get_emitted_logs(), vec![worked_deposit_event(7)]);
    // The whole deposit is accounted: call value + submission + gas budget = amount × scale.
    let worked = worked_ticket();
    assert_eq!(
        worked.call_value + worked.submission + worked.gas_limit * worked.max_fee_per_gas,
        u(AMOUNT) * U256::from(SCALE)
    );
}

#[test]
fn deposit_reverts_when_paused_before_anything_else() {
    let (host, mut gateway) = gateway();
    pause(&host);
    assert_eq!(
        deposit(&mut gateway, UNSET_CHAIN, Address::ZERO, U256::ZERO),
        Err(Paused {}.into())
    );
    assert!(host.calls().is_empty());
}

#[test]
fn deposit_passes_a_pull_revert_through() {
    let (host, mut gateway) = gateway();
    let refusal = vec![0xfb, 0x8f, 0x41, 0xb2];
    host.mock(
        NO_CALL,
        FEE_TOKEN,
        transfer_from(CALLER, u(AMOUNT)),
        Err(refusal.clone()),
    );
    assert_eq!(
        deposit(&mut gateway, CHAIN, RECIPIENT, u(AMOUNT)),
        Err(Bubbled(refusal).into())
    );
    assert_eq!(host.calls().len(), 1);
}

#[test]
fn deposit_ignores_a_false_pull_result_but_not_a_malformed_one() {
    let (host, mut gateway) = gateway();
    host.mock(
        NO_CALL,
        FEE_TOKEN,
        transfer_from(CALLER, u(AMOUNT)),
        Ok(word(U256::ZERO)),
    );
    mock_worked_ticket(&host, 7);
    assert_eq!(deposit(&mut gateway, CHAIN, RECIPIENT, u(AMOUNT)), Ok(()));
    host.mock(
        NO_CALL,
        FEE_TOKEN,
        transfer_from(CALLER, u(AMOUNT)),
        Ok(word(u(2))),
    );
    assert_eq!(
        deposit(&mut gateway, CHAIN, RECIPIENT, u(AMOUNT)),
        Err(Bubbled(vec![]).into())
    );
}

#[test]
fn deposit_checks_chain_then_recipient_then_amount_after_the_pull() {
    let (host, mut gateway) = gateway();
    host.mock(
        NO_CALL,
        FEE_TOKEN,
        transfer_from(CALLER, U256::ZERO),
        Ok(yes()),
    );
    assert_eq!(
        deposit(&mut gateway, UNSET_CHAIN, Address::ZERO, U256::ZERO),
        Err(UnsupportedChainId {
            chainId: U256::from(UNSET_CHAIN)
        }
        .into())
    );
    assert_eq!(
        deposit(&mut gateway, CHAIN, Address::ZERO, U256::ZERO),
        Err(ZeroRecipient {}.into())
    );
    assert_eq!(
        deposit(&mut gateway, CHAIN, RECIPIENT, U256::ZERO),
        Err(ZeroAmount {}.into())
    );
    assert_eq!(
        host.calls(),
        vec![(NO_CALL, FEE_TOKEN, transfer_from(CALLER, U256::ZERO)); 3]
    );
}

#[test]
fn deposit_reverts_insufficient_amount_as_the_reference_tests() {
    let (host, mut gateway) = gateway();
    host.mock(NO_CALL, FEE_TOKEN, transfer_from(CALLER, u(100)), Ok(yes()));
    host.mock(
        CallKind::Static,
        INBOX,
        quote(36, U256::from(BASE_FEE)),
        Ok(word(u(100_000_000_000_001))),
    );
    assert_eq!(
        gateway.deposit(U256::from(CHAIN), RECIPIENT, u(100), U256::ZERO, U256::ZERO),
        Err(InsufficientAmount {
            appChainAmount: u(100_000_000_000_000),
            maxTotalCosts: u(100_000_000_000_001)
        }
        .into())
    );
}

#[test]
fn deposit_covering_exactly_the_costs_sends_no_call_value() {
    let (host, mut gateway) = gateway();
    host.mock(NO_CALL, FEE_TOKEN, transfer_from(CALLER, u(100)), Ok(yes()));
    host.mock(
        CallKind::Static,
        INBOX,
        quote(36, U256::from(BASE_FEE)),
        Ok(word(u(100_000_000_000_000))),
    );
    host.mock(NO_CALL, FEE_TOKEN, approve(INBOX, u(100)), Ok(yes()));
    let exact = Ticket {
        call_value: U256::ZERO,
        submission: u(100_000_000_000_000),
        gas_limit: U256::ZERO,
        max_fee_per_gas: U256::ZERO,
        amount: u(100),
        data: receive_deposit_data(),
    };
    host.mock(NO_CALL, INBOX, ticket(&exact), Ok(word(u(1))));
    assert_eq!(
        gateway.deposit(U256::from(CHAIN), RECIPIENT, u(100), U256::ZERO, U256::ZERO),
        Ok(())
    );
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![log(&Deposit {
            chainId: U256::from(CHAIN),
            messageNumber: u(1),
            recipient: RECIPIENT,
            amount: u(100),
            maxFees: u(100)
        })]
    );
}

#[test]
fn deposit_panics_0x11_when_the_gas_budget_overflows_after_the_quote() {
    let (host, mut gateway) = gateway();
    host.mock(
        NO_CALL,
        FEE_TOKEN,
        transfer_from(CALLER, u(AMOUNT)),
        Ok(yes()),
    );
    host.mock(
        CallKind::Static,
        INBOX,
        quote(36, U256::from(BASE_FEE)),
        Ok(word(U256::ZERO)),
    );
    let result = gateway.deposit(U256::from(CHAIN), RECIPIENT, u(AMOUNT), U256::MAX, u(2));
    assert_eq!(result, Err(panic_0x11()));
    assert_eq!(host.calls().len(), 2, "the quote precedes the product");
    let encoded: Vec<u8> = result.unwrap_err().into();
    assert_eq!(
        encoded,
        [&[0x4e, 0x48, 0x7b, 0x71][..], &word(u(0x11))].concat()
    );
}

#[test]
fn deposit_panics_0x11_when_the_amount_overflows_in_wei() {
    let (host, mut gateway) = gateway();
    let amount = U256::MAX / U256::from(SCALE) + u(1);
    host.mock(NO_CALL, FEE_TOKEN, transfer_from(CALLER, amount), Ok(yes()));
    host.mock(
        CallKind::Static,
        INBOX,
        quote(36, U256::from(BASE_FEE)),
        Ok(word(U256::ZERO)),
    );
    assert_eq!(
        gateway.deposit(U256::from(CHAIN), RECIPIENT, amount, U256::ZERO, U256::ZERO),
        Err(panic_0x11())
    );
    // The spec's bound: (2^256 - 1) / 10^18 + 1 still converts.
    let amount = U256::MAX / u(1_000_000_000_000_000_000) + u(1);
    assert!(amount.checked_mul(U256::from(SCALE)).is_some());
}

#[test]
fn deposit_panics_0x11_when_the_costs_overflow() {
    let (host, mut gateway) = gateway();
    host.mock(
        NO_CALL,
        FEE_TOKEN,
        transfer_from(CALLER, u(AMOUNT)),
        Ok(yes()),
    );
    host.mock(
        CallKind::Static,
        INBOX,
        quote(36, U256::from(BASE_FEE)),
        Ok(word(U256::MAX)),
    );
    assert_eq!(
        gateway.deposit(U256::from(CHAIN), RECIPIENT, u(AMOUNT), u(1), u(1)),
        Err(panic_0x11())
    );
}

#[test]
fn deposit_emits_only_after_the_ticket_and_passes_inbox_refusals_through() {
    let (host, mut gateway) = gateway();
    host.mock(
        NO_CALL,
        FEE_TOKEN,
        transfer_from(CALLER, u(AMOUNT)),
        Ok(yes()),
    );
    mock_worked_ticket(&host, 7);
    host.mock(
        NO_CALL,
        INBOX,
        ticket(&worked_ticket()),
        Err(vec![0xde, 0xad]),
    );
    assert_eq!(
        deposit(&mut gateway, CHAIN, RECIPIENT, u(AMOUNT)),
        Err(Bubbled(vec![0xde, 0xad]).into())
    );
    assert!(host.vm.get_emitted_logs().is_empty());
}

#[test]
fn deposit_passes_quote_and_approval_refusals_through() {
    let (host, mut gateway) = gateway();
    host.mock(
        NO_CALL,
        FEE_TOKEN,
        transfer_from(CALLER, u(AMOUNT)),
        Ok(yes()),
    );
    host.mock(
        CallKind::Static,
        INBOX,
        quote(36, U256::from(BASE_FEE)),
        Err(vec![0x01]),
    );
    assert_eq!(
        deposit(&mut gateway, CHAIN, RECIPIENT, u(AMOUNT)),
        Err(Bubbled(vec![0x01]).into())
    );
    mock_worked_ticket(&host, 7);
    host.mock(
        NO_CALL,
        FEE_TOKEN,
        approve(INBOX, u(AMOUNT)),
        Err(vec![0x02]),
    );
    assert_eq!(
        deposit(&mut gateway, CHAIN, RECIPIENT, u(AMOUNT)),
        Err(Bubbled(vec![0x02]).into())
    );
}

// ---- depositWithPermit ----

#[test]
fn deposit_with_permit_tries_the_permit_first_and_ignores_its_failure() {
    let (host, mut gateway) = gateway();
    host.mock(NO_CALL, FEE_TOKEN, permit(u(AMOUNT)), Err(vec![0x0b]));
    host.mock(
        NO_CALL,
        FEE_TOKEN,
        transfer_from(CALLER, u(AMOUNT)),
        Ok(yes()),
    );
    mock_worked_ticket(&host, 8);
    assert_eq!(
        gateway.deposit_with_permit(
            U256::from(CHAIN),
            RECIPIENT,
            u(AMOUNT),
            u(GAS_LIMIT),
            u(MAX_FEE_PER_GAS),
            u(1_700_000_000),
            27,
            B256::repeat_byte(0x11),
            B256::repeat_byte(0x22)
        ),
        Ok(())
    );
    let mut expected = vec![
        (NO_CALL, FEE_TOKEN, permit(u(AMOUNT))),
        (NO_CALL, FEE_TOKEN, transfer_from(CALLER, u(AMOUNT))),
    ];
    expected.extend(worked_ticket_calls());
    assert_eq!(host.calls(), expected);
    assert_eq!(host.vm.get_emitted_logs(), vec![worked_deposit_event(8)]);
}

#[test]
fn deposit_with_permit_reverts_when_paused() {
    let (host, mut gateway) = gateway();
    pause(&host);
    assert_eq!(
        gateway.deposit_with_permit(
            U256::ZERO,
            Address::ZERO,
            U256::ZERO,
            U256::ZERO,
            U256::ZERO,
            U256::ZERO,
            0,
            B256::ZERO,
            B256::ZERO
        ),
        Err(Paused {}.into())
    );
    assert!(host.calls().is_empty());
}

// ---- depositFromUnderlying ----

fn mock_underlying_pull(host: &MockHost, amount: U256) {
    host.mock(
        NO_CALL,
        UNDERLYING,
        transfer_from(CALLER, amount),
        Ok(yes()),
    );
    host.mock(NO_CALL, UNDERLYING, approve(FEE_TOKEN, amount), Ok(yes()));
    host.mock(NO_CALL, FEE_TOKEN, fee_token_deposit(amount), Ok(vec![]));
}

fn underlying_pull_calls(amount: U256) -> Vec<(CallKind, Address, Vec<u8>)> {
    vec![
        (NO_CALL, UNDERLYING, transfer_from(CALLER, amount)),
        (NO_CALL, UNDERLYING, approve(FEE_TOKEN, amount)),
        (NO_CALL, FEE_TOKEN, fee_token_deposit(amount)),
    ]
}

#[test]
fn deposit_from_underlying_approves_the_fee_token_for_exactly_the_amount_before_wrapping() {
    let (host, mut gateway) = gateway();
    mock_underlying_pull(&host, u(AMOUNT));
    mock_worked_ticket(&host, 9);
    assert_eq!(
        gateway.deposit_from_underlying(
            U256::from(CHAIN),
            RECIPIENT,
            u(AMOUNT),
            u(GAS_LIMIT),
            u(MAX_FEE_PER_GAS)
        ),
        Ok(())
    );
    let mut expected = underlying_pull_calls(u(AMOUNT));
    expected.extend(worked_ticket_calls());
    assert_eq!(host.calls(), expected);
    assert_eq!(host.vm.get_emitted_logs(), vec![worked_deposit_event(9)]);
}

#[test]
fn deposit_from_underlying_refuses_failed_pulls_with_transfer_from_failed() {
    let failures = [
        Err(vec![0x01]),      // the token reverts
        Ok(word(U256::ZERO)), // returns false
        Ok(word(u(2))),       // returns something other than true
        Ok(vec![0x01]),       // returns a short word
    ];
    for failure in failures {
        let (host, mut gateway) = gateway();
        host.mock(
            NO_CALL,
            UNDERLYING,
            transfer_from(CALLER, u(AMOUNT)),
            failure,
        );
        assert_eq!(
            gateway.deposit_from_underlying(
                U256::from(CHAIN),
                RECIPIENT,
                u(AMOUNT),
                u(GAS_LIMIT),
                u(MAX_FEE_PER_GAS)
            ),
            Err(TransferFromFailed {}.into())
        );
        assert_eq!(host.calls().len(), 1);
    }
}

#[test]
fn deposit_from_underlying_accepts_an_empty_return_only_from_a_token_with_code() {
    let (host, mut gateway) = gateway();
    mock_underlying_pull(&host, u(AMOUNT));
    host.mock(
        NO_CALL,
        UNDERLYING,
        transfer_from(CALLER, u(AMOUNT)),
        Ok(vec![]),
    );
    mock_worked_ticket(&host, 9);
    let deposit_from_underlying = |gateway: &mut SettlementChainGateway| {
        gateway.deposit_from_underlying(
            U256::from(CHAIN),
            RECIPIENT,
            u(AMOUNT),
            u(GAS_LIMIT),
            u(MAX_FEE_PER_GAS),
        )
    };
    assert_eq!(deposit_from_underlying(&mut gateway), Ok(()));
    host.vm.set_code(UNDERLYING, vec![]);
    assert_eq!(
        deposit_from_underlying(&mut gateway),
        Err(TransferFromFailed {}.into())
    );
}

#[test]
fn deposit_from_underlying_of_zero_is_refused_by_the_fee_token_first() {
    let (host, mut gateway) = gateway();
    mock_underlying_pull(&host, U256::ZERO);
    let zero_amount = FeeTokenZeroAmount {}.abi_encode();
    host.mock(
        NO_CALL,
        FEE_TOKEN,
        fee_token_deposit(U256::ZERO),
        Err(zero_amount.clone()),
    );
    assert_eq!(
        gateway.deposit_from_underlying(
            U256::from(UNSET_CHAIN),
            Address::ZERO,
            U256::ZERO,
            U256::ZERO,
            U256::ZERO
        ),
        Err(Bubbled(zero_amount).into())
    );
}

#[test]
fn deposit_from_underlying_reverts_empty_when_the_fee_token_has_no_code() {
    let (host, mut gateway) = gateway();
    mock_underlying_pull(&host, u(AMOUNT));
    host.vm.set_code(FEE_TOKEN, vec![]);
    assert_eq!(
        gateway.deposit_from_underlying(
            U256::from(CHAIN),
            RECIPIENT,
            u(AMOUNT),
            u(GAS_LIMIT),
            u(MAX_FEE_PER_GAS)
        ),
        Err(Bubbled(vec![]).into())
    );
    assert_eq!(host.calls(), underlying_pull_calls(u(AMOUNT))[..2].to_vec());
}

#[test]
fn deposit_from_underlying_passes_an_approval_revert_through() {
    let (host, mut gateway) = gateway();
    mock_underlying_pull(&host, u(AMOUNT));
    host.mock(
        NO_CALL,
        UNDERLYING,
        approve(FEE_TOKEN, u(AMOUNT)),
        Err(vec![0x07]),
    );
    assert_eq!(
        gateway.deposit_from_underlying(
            U256::from(CHAIN),
            RECIPIENT,
            u(AMOUNT),
            u(GAS_LIMIT),
            u(MAX_FEE_PER_GAS)
        ),
        Err(Bubbled(vec![0x07]).into())
    );
}

#[test]
fn deposit_from_underlying_reverts_when_paused() {
    let (host, mut gateway) = gateway();
    pause(&host);
    assert_eq!(
        gateway.deposit_from_underlying(
            U256::ZERO,
            Address::ZERO,
            U256::ZERO,
            U256::ZERO,
            U256::ZERO
        ),
        Err(Paused {}.into())
    );
    assert!(host.calls().is_empty());
}

// ---- depositFromUnderlyingWithPermit ----

#[test]
fn deposit_from_underlying_with_permit_permits_the_underlying_then_wraps() {
    let (host, mut gateway) = gateway();
    host.mock(NO_CALL, UNDERLYING, permit(u(AMOUNT)), Ok(vec![]));
    mock_underlying_pull(&host, u(AMOUNT));
    mock_worked_ticket(&host, 10);
    assert_eq!(
        gateway.deposit_from_underlying_with_permit(
            U256::from(CHAIN),
            RECIPIENT,
            u(AMOUNT),
            u(GAS_LIMIT),
            u(MAX_FEE_PER_GAS),
            u(1_700_000_000),
            27,
            B256::repeat_byte(0x11),
            B256::repeat_byte(0x22)
        ),
        Ok(())
    );
    let mut expected = vec![(NO_CALL, UNDERLYING, permit(u(AMOUNT)))];
    expected.extend(underlying_pull_calls(u(AMOUNT)));
    expected.extend(worked_ticket_calls());
    assert_eq!(host.calls(), expected);
    assert_eq!(host.vm.get_emitted_logs(), vec![worked_deposit_event(10)]);
}

#[test]
fn deposit_from_underlying_with_permit_reverts_when_paused() {
    let (host, mut gateway) = gateway();
    pause(&host);
    assert_eq!(
        gateway.deposit_from_underlying_with_permit(
            U256::ZERO,
            Address::ZERO,
            U256::ZERO,
            U256::ZERO,
            U256::ZERO,
            U256::ZERO,
            0,
            B256::ZERO,
            B256::ZERO
        ),
        Err(Paused {}.into())
    );
    assert!(host.calls().is_empty());
}

// ---- sendParameters ----

/// Two keys of 19 and 25 characters: the spec's 420-byte `receiveParameters` vector.
const KEY_A: &str = "xmtp.some.key.is.19";
const KEY_B: &str = "xmtp.another.key.is.25.ch";
const PARAM_GAS_LIMIT: u128 = 200_000;
const PARAM_MAX_FEE_PER_GAS: u128 = 2_000_000_000;
const PARAM_SUBMISSION: u128 = 5_000;
const AMOUNT_TO_SEND: u128 = 500_000;

fn values() -> Vec<B256> {
    vec![B256::with_last_byte(1), B256::repeat_byte(0x42)]
}

fn registry_get() -> Vec<u8> {
    IParameterRegistryLike::get_1Call {
        keys_: strings(&[KEY_A, KEY_B]),
    }
    .abi_encode()
}

fn receive_parameters_data(nonce: u64) -> Vec<u8> {
    IAppChainGatewayLike::receiveParametersCall {
        nonce_: U256::from(nonce),
        keys_: strings(&[KEY_A, KEY_B]),
        values_: values(),
    }
    .abi_encode()
}

fn parameters_ticket(nonce: u64, amount: U256) -> Ticket {
    Ticket {
        call_value: U256::ZERO,
        submission: u(PARAM_SUBMISSION),
        gas_limit: u(PARAM_GAS_LIMIT),
        max_fee_per_gas: u(PARAM_MAX_FEE_PER_GAS),
        amount,
        data: receive_parameters_data(nonce),
    }
}

/// Mocks the registry read and, for each inbox, the quote, the approval and a ticket numbered
/// `first_message_number`, `first_message_number + 1`, ...
fn mock_parameter_tickets(host: &MockHost, nonce: u64, amount: U256, first_message_number: u64) {
    host.mock(
        CallKind::Static,
        REGISTRY,
        registry_get(),
        Ok(values().abi_encode()),
    );
    for (offset, inbox) in [INBOX, OTHER_INBOX].into_iter().enumerate() {
        host.mock(
            CallKind::Static,
            inbox,
            quote(420, U256::from(BASE_FEE)),
            Ok(word(u(PARAM_SUBMISSION))),
        );
        host.mock(NO_CALL, FEE_TOKEN, approve(inbox, amount), Ok(yes()));
        host.mock(
            NO_CALL,
            inbox,
            ticket(&parameters_ticket(nonce, amount)),
            Ok(word(U256::from(first_message_number + offset as u64))),
        );
    }
}

fn parameter_ticket_calls(
    inbox: Address,
    nonce: u64,
    amount: U256,
) -> Vec<(CallKind, Address, Vec<u8>)> {
    vec![
        (CallKind::Static, inbox, quote(420, U256::from(BASE_FEE))),
        (NO_CALL, FEE_TOKEN, approve(inbox, amount)),
        (NO_CALL, inbox, ticket(&parameters_ticket(nonce, amount))),
    ]
}

fn parameters_sent(chain: u64, message_number: u64, nonce: u64) -> (Vec<B256>, Vec<u8>) {
    log(&ParametersSent {
        chainId: U256::from(chain),
        messageNumber: U256::from(message_number),
        nonce: U256::from(nonce),
        keys: strings(&[KEY_A, KEY_B]),
    })
}

fn send_parameters(
    gateway: &mut SettlementChainGateway,
    chains: &[u64],
    keys: &[&str],
    amount: U256,
) -> Result<U256> {
    gateway.send_parameters(
        chains.iter().map(|chain| U256::from(*chain)).collect(),
        strings(keys),
        u(PARAM_GAS_LIMIT),
        u(PARAM_MAX_FEE_PER_GAS),
        amount,
    )
}

#[test]
fn receive_parameters_data_is_the_spec_vector_length() {
    assert_eq!(KEY_A.len(), 19);
    assert_eq!(KEY_B.len(), 25);
    assert_eq!(receive_parameters_data(1).len(), 420);
    assert_eq!(receive_parameters_data(1)[..4], [0x33, 0x3b, 0x1e, 0x2f]);
}

#[test]
fn send_parameters_pulls_the_total_and_sends_one_ticket_per_chain_with_one_nonce() {
    let (host, mut gateway) = gateway();
    let total = u(2 * AMOUNT_TO_SEND);
    host.mock(NO_CALL, FEE_TOKEN, transfer_from(CALLER, total), Ok(yes()));
    mock_parameter_tickets(&host, 1, u(AMOUNT_TO_SEND), 20);
    assert_eq!(
        send_parameters(
            &mut gateway,
            &[CHAIN, OTHER_CHAIN],
            &[KEY_A, KEY_B],
            u(AMOUNT_TO_SEND)
        ),
        Ok(total)
    );
    let mut expected = vec![
        (NO_CALL, FEE_TOKEN, transfer_from(CALLER, total)),
        (CallKind::Static, REGISTRY, registry_get()),
    ];
    expected.extend(parameter_ticket_calls(INBOX, 1, u(AMOUNT_TO_SEND)));
    expected.extend(parameter_ticket_calls(OTHER_INBOX, 1, u(AMOUNT_TO_SEND)));
    assert_eq!(host.calls(), expected);
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![
            parameters_sent(CHAIN, 20, 1),
            parameters_sent(OTHER_CHAIN, 21, 1)
        ]
    );
    assert_eq!(nonce(&host), u(1));
}

#[test]
fn send_parameters_increments_the_nonce_per_call() {
    let (host, mut gateway) = gateway();
    let amount = u(AMOUNT_TO_SEND);
    host.mock(NO_CALL, FEE_TOKEN, transfer_from(CALLER, amount), Ok(yes()));
    mock_parameter_tickets(&host, 1, amount, 1);
    send_parameters(&mut gateway, &[CHAIN], &[KEY_A, KEY_B], amount).unwrap();
    mock_parameter_tickets(&host, 2, amount, 2);
    send_parameters(&mut gateway, &[CHAIN], &[KEY_A, KEY_B], amount).unwrap();
    assert_eq!(nonce(&host), u(2));
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![parameters_sent(CHAIN, 1, 1), parameters_sent(CHAIN, 2, 2)]
    );
}

#[test]
fn send_parameters_nonce_wraps_unchecked() {
    let (host, mut gateway) = gateway();
    host.vm
        .set_storage(SETTLEMENT_CHAIN_GATEWAY + u(1), B256::from(U256::MAX));
    let amount = u(AMOUNT_TO_SEND);
    host.mock(NO_CALL, FEE_TOKEN, transfer_from(CALLER, amount), Ok(yes()));
    mock_parameter_tickets(&host, 0, amount, 1);
    assert_eq!(
        send_parameters(&mut gateway, &[CHAIN], &[KEY_A, KEY_B], amount),
        Ok(amount)
    );
    assert_eq!(nonce(&host), U256::ZERO);
}

#[test]
fn send_parameters_with_duplicate_chains_sends_duplicate_tickets() {
    let (host, mut gateway) = gateway();
    let amount = u(AMOUNT_TO_SEND);
    host.mock(
        NO_CALL,
        FEE_TOKEN,
        transfer_from(CALLER, amount * u(2)),
        Ok(yes()),
    );
    mock_parameter_tickets(&host, 1, amount, 5);
    assert_eq!(
        send_parameters(&mut gateway, &[CHAIN, CHAIN], &[KEY_A, KEY_B], amount),
        Ok(amount * u(2))
    );
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![parameters_sent(CHAIN, 5, 1), parameters_sent(CHAIN, 5, 1)]
    );
}

#[test]
fn send_parameters_of_zero_amount_still_creates_tickets() {
    let (host, mut gateway) = gateway();
    host.mock(
        NO_CALL,
        FEE_TOKEN,
        transfer_from(CALLER, U256::ZERO),
        Ok(yes()),
    );
    mock_parameter_tickets(&host, 1, U256::ZERO, 3);
    assert_eq!(
        send_parameters(&mut gateway, &[CHAIN], &[KEY_A, KEY_B], U256::ZERO),
        Ok(U256::ZERO)
    );
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![parameters_sent(CHAIN, 3, 1)]
    );
}

#[test]
fn send_parameters_reverts_when_paused() {
    let (host, mut gateway) = gateway();
    pause(&host);
    assert_eq!(
        send_parameters(&mut gateway, &[], &[], U256::ZERO),
        Err(Paused {}.into())
    );
    assert!(host.calls().is_empty());
}

#[test]
fn send_parameters_without_chains_pulls_zero_then_reverts_no_chain_ids() {
    let (host, mut gateway) = gateway();
    host.mock(
        NO_CALL,
        FEE_TOKEN,
        transfer_from(CALLER, U256::ZERO),
        Ok(yes()),
    );
    assert_eq!(
        send_parameters(&mut gateway, &[], &[], u(AMOUNT_TO_SEND)),
        Err(NoChainIds {}.into())
    );
    assert_eq!(
        host.calls(),
        vec![(NO_CALL, FEE_TOKEN, transfer_from(CALLER, U256::ZERO))]
    );
    assert_eq!(nonce(&host), U256::ZERO);
}

#[test]
fn send_parameters_without_keys_reverts_no_keys() {
    let (host, mut gateway) = gateway();
    host.mock(
        NO_CALL,
        FEE_TOKEN,
        transfer_from(CALLER, u(AMOUNT_TO_SEND)),
        Ok(yes()),
    );
    assert_eq!(
        send_parameters(&mut gateway, &[CHAIN], &[], u(AMOUNT_TO_SEND)),
        Err(NoKeys {}.into())
    );
    assert_eq!(host.calls().len(), 1);
}

#[test]
fn send_parameters_panics_0x11_when_the_total_overflows_before_any_call() {
    let (host, mut gateway) = gateway();
    assert_eq!(
        send_parameters(&mut gateway, &[CHAIN, CHAIN], &[KEY_A], U256::MAX),
        Err(panic_0x11())
    );
    assert!(host.calls().is_empty());
}

#[test]
fn send_parameters_panics_0x11_when_the_gas_budget_overflows() {
    let (host, mut gateway) = gateway();
    let amount = u(AMOUNT_TO_SEND);
    host.mock(NO_CALL, FEE_TOKEN, transfer_from(CALLER, amount), Ok(yes()));
    mock_parameter_tickets(&host, 1, amount, 1);
    assert_eq!(
        gateway.send_parameters(
            vec![U256::from(CHAIN)],
            strings(&[KEY_A, KEY_B]),
            U256::MAX,
            u(2),
            amount
        ),
        Err(panic_0x11())
    );
}

#[test]
fn send_parameters_to_an_unsupported_chain_reverts_after_earlier_tickets() {
    let (host, mut gateway) = gateway();
    let amount = u(AMOUNT_TO_SEND);
    host.mock(
        NO_CALL,
        FEE_TOKEN,
        transfer_from(CALLER, amount * u(2)),
        Ok(yes()),
    );
    mock_parameter_tickets(&host, 1, amount, 1);
    assert_eq!(
        send_parameters(&mut gateway, &[CHAIN, UNSET_CHAIN], &[KEY_A, KEY_B], amount),
        Err(UnsupportedChainId {
            chainId: U256::from(UNSET_CHAIN)
        }
        .into())
    );
}

#[test]
fn send_parameters_passes_a_registry_revert_through() {
    let (host, mut gateway) = gateway();
    let amount = u(AMOUNT_TO_SEND);
    host.mock(NO_CALL, FEE_TOKEN, transfer_from(CALLER, amount), Ok(yes()));
    host.mock(CallKind::Static, REGISTRY, registry_get(), Err(vec![0x03]));
    assert_eq!(
        send_parameters(&mut gateway, &[CHAIN], &[KEY_A, KEY_B], amount),
        Err(Bubbled(vec![0x03]).into())
    );
    host.mock(
        CallKind::Static,
        REGISTRY,
        registry_get(),
        Ok(vec![0x00; 31]),
    );
    assert_eq!(
        send_parameters(&mut gateway, &[CHAIN], &[KEY_A, KEY_B], amount),
        Err(Bubbled(vec![]).into())
    );
}

#[test]
fn send_parameters_with_permit_permits_the_total_first() {
    let (host, mut gateway) = gateway();
    let total = u(2 * AMOUNT_TO_SEND);
    host.mock(NO_CALL, FEE_TOKEN, permit(total), Err(vec![]));
    host.mock(NO_CALL, FEE_TOKEN, transfer_from(CALLER, total), Ok(yes()));
    mock_parameter_tickets(&host, 1, u(AMOUNT_TO_SEND), 30);
    assert_eq!(
        gateway.send_parameters_with_permit(
            vec![U256::from(CHAIN), U256::from(OTHER_CHAIN)],
            strings(&[KEY_A, KEY_B]),
            u(PARAM_GAS_LIMIT),
            u(PARAM_MAX_FEE_PER_GAS),
            u(AMOUNT_TO_SEND),
            u(1_700_000_000),
            27,
            B256::repeat_byte(0x11),
            B256::repeat_byte(0x22)
        ),
        Ok(total)
    );
    let calls = host.calls();
    assert_eq!(calls[0], (NO_CALL, FEE_TOKEN, permit(total)));
    assert_eq!(calls[1], (NO_CALL, FEE_TOKEN, transfer_from(CALLER, total)));
    assert_eq!(calls.len(), 9);
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![
            parameters_sent(CHAIN, 30, 1),
            parameters_sent(OTHER_CHAIN, 31, 1)
        ]
    );
}

#[test]
fn send_parameters_with_permit_checks_pause_then_the_total() {
    let (host, mut gateway) = gateway();
    let call = |gateway: &mut SettlementChainGateway| {
        gateway.send_parameters_with_permit(
            vec![U256::from(CHAIN); 2],
            vec![],
            U256::ZERO,
            U256::ZERO,
            U256::MAX,
            U256::ZERO,
            0,
            B256::ZERO,
            B256::ZERO,
        )
    };
    assert_eq!(call(&mut gateway), Err(panic_0x11()));
    pause(&host);
    assert_eq!(call(&mut gateway), Err(Paused {}.into()));
    assert!(host.calls().is_empty());
}

#[test]
fn send_parameters_from_underlying_wraps_the_total_with_an_approval() {
    let (host, mut gateway) = gateway();
    let total = u(2 * AMOUNT_TO_SEND);
    mock_underlying_pull(&host, total);
    mock_parameter_tickets(&host, 1, u(AMOUNT_TO_SEND), 40);
    assert_eq!(
        gateway.send_parameters_from_underlying(
            vec![U256::from(CHAIN), U256::from(OTHER_CHAIN)],
            strings(&[KEY_A, KEY_B]),
            u(PARAM_GAS_LIMIT),
            u(PARAM_MAX_FEE_PER_GAS),
            u(AMOUNT_TO_SEND)
        ),
        Ok(total)
    );
    let mut expected = underlying_pull_calls(total);
    expected.push((CallKind::Static, REGISTRY, registry_get()));
    expected.extend(parameter_ticket_calls(INBOX, 1, u(AMOUNT_TO_SEND)));
    expected.extend(parameter_ticket_calls(OTHER_INBOX, 1, u(AMOUNT_TO_SEND)));
    assert_eq!(host.calls(), expected);
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![
            parameters_sent(CHAIN, 40, 1),
            parameters_sent(OTHER_CHAIN, 41, 1)
        ]
    );
}

#[test]
fn send_parameters_from_underlying_refuses_a_failed_pull_and_pause() {
    let (host, mut gateway) = gateway();
    host.mock(
        NO_CALL,
        UNDERLYING,
        transfer_from(CALLER, u(AMOUNT_TO_SEND)),
        Ok(word(U256::ZERO)),
    );
    let call = |gateway: &mut SettlementChainGateway| {
        gateway.send_parameters_from_underlying(
            vec![U256::from(CHAIN)],
            strings(&[KEY_A]),
            U256::ZERO,
            U256::ZERO,
            u(AMOUNT_TO_SEND),
        )
    };
    assert_eq!(call(&mut gateway), Err(TransferFromFailed {}.into()));
    assert_eq!(nonce(&host), U256::ZERO);
    pause(&host);
    assert_eq!(call(&mut gateway), Err(Paused {}.into()));
}

#[test]
fn send_parameters_from_underlying_with_permit_permits_the_underlying_total() {
    let (host, mut gateway) = gateway();
    let total = u(2 * AMOUNT_TO_SEND);
    host.mock(NO_CALL, UNDERLYING, permit(total), Ok(vec![]));
    mock_underlying_pull(&host, total);
    mock_parameter_tickets(&host, 1, u(AMOUNT_TO_SEND), 50);
    assert_eq!(
        gateway.send_parameters_from_underlying_with_permit(
            vec![U256::from(CHAIN), U256::from(OTHER_CHAIN)],
            strings(&[KEY_A, KEY_B]),
            u(PARAM_GAS_LIMIT),
            u(PARAM_MAX_FEE_PER_GAS),
            u(AMOUNT_TO_SEND),
            u(1_700_000_000),
            27,
            B256::repeat_byte(0x11),
            B256::repeat_byte(0x22)
        ),
        Ok(total)
    );
    let mut expected = vec![(NO_CALL, UNDERLYING, permit(total))];
    expected.extend(underlying_pull_calls(total));
    assert_eq!(host.calls()[..4], expected[..]);
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![
            parameters_sent(CHAIN, 50, 1),
            parameters_sent(OTHER_CHAIN, 51, 1)
        ]
    );
}

#[test]
fn send_parameters_from_underlying_with_permit_reverts_when_paused() {
    let (host, mut gateway) = gateway();
    pause(&host);
    assert_eq!(
        gateway.send_parameters_from_underlying_with_permit(
            vec![],
            vec![],
            U256::ZERO,
            U256::ZERO,
            U256::ZERO,
            U256::ZERO,
            0,
            B256::ZERO,
            B256::ZERO
        ),
        Err(Paused {}.into())
    );
    assert!(host.calls().is_empty());
}

// ---- updateInbox ----

fn mock_registry_get(host: &MockHost, key: &str, value: Result<Vec<u8>, Vec<u8>>) {
    let calldata = IParameterRegistryLike::get_0Call { key_: key.into() }.abi_encode();
    host.mock(CallKind::Static, REGISTRY, calldata, value);
}

#[test]
fn update_inbox_stores_the_registry_value_and_emits() {
    let (host, mut gateway) = gateway();
    pause(&host);
    let inbox = address!("0x249D5D37502f26c5286De3096e0120FeAFa6772a");
    mock_registry_get(
        &host,
        "xmtp.settlementChainGateway.inbox.8453",
        Ok(inbox.into_word().to_vec()),
    );
    assert_eq!(gateway.update_inbox(U256::from(UNSET_CHAIN)), Ok(()));
    assert_eq!(gateway.get_inbox(U256::from(UNSET_CHAIN)), Ok(inbox));
    assert_eq!(
        host.vm.get_storage(inbox_slot(UNSET_CHAIN)),
        inbox.into_word()
    );
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![log(&InboxUpdated {
            chainId: U256::from(UNSET_CHAIN),
            inbox
        })]
    );
}

#[test]
fn update_inbox_to_zero_disables_the_chain_and_repeats_freely() {
    let (host, mut gateway) = gateway();
    mock_registry_get(
        &host,
        "xmtp.settlementChainGateway.inbox.241320162",
        Ok(vec![0; 32]),
    );
    assert_eq!(gateway.update_inbox(U256::from(CHAIN)), Ok(()));
    assert_eq!(gateway.update_inbox(U256::from(CHAIN)), Ok(()));
    assert_eq!(
        gateway.get_inbox(U256::from(CHAIN)),
        Err(UnsupportedChainId {
            chainId: U256::from(CHAIN)
        }
        .into())
    );
    let updated = log(&InboxUpdated {
        chainId: U256::from(CHAIN),
        inbox: Address::ZERO,
    });
    assert_eq!(host.vm.get_emitted_logs(), vec![updated.clone(), updated]);
}

#[test]
fn update_inbox_reverts_out_of_type_bounds() {
    let (host, mut gateway) = gateway();
    mock_registry_get(
        &host,
        "xmtp.settlementChainGateway.inbox.0",
        Ok(B256::repeat_byte(0xff).to_vec()),
    );
    assert_eq!(
        gateway.update_inbox(U256::ZERO),
        Err(ParameterOutOfTypeBounds {}.into())
    );
}

// ---- updatePauseStatus ----

#[test]
fn update_pause_status_copies_the_registry_value() {
    let (host, mut gateway) = gateway();
    mock_registry_get(&host, "xmtp.settlementChainGateway.paused", Ok(yes()));
    assert_eq!(gateway.update_pause_status(), Ok(()));
    assert!(gateway.paused());
    assert_eq!(
        host.vm.get_storage(SETTLEMENT_CHAIN_GATEWAY),
        B256::with_last_byte(1)
    );
    mock_registry_get(
        &host,
        "xmtp.settlementChainGateway.paused",
        Ok(word(U256::ZERO)),
    );
    assert_eq!(gateway.update_pause_status(), Ok(()));
    assert!(!gateway.paused());
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![
            log(&PauseStatusUpdated { paused: true }),
            log(&PauseStatusUpdated { paused: false })
        ]
    );
}

#[test]
fn update_pause_status_reverts_no_change_and_out_of_bounds() {
    let (host, mut gateway) = gateway();
    mock_registry_get(
        &host,
        "xmtp.settlementChainGateway.paused",
        Ok(word(U256::ZERO)),
    );
    assert_eq!(gateway.update_pause_status(), Err(NoChange {}.into()));
    mock_registry_get(&host, "xmtp.settlementChainGateway.paused", Ok(word(u(2))));
    assert_eq!(
        gateway.update_pause_status(),
        Err(ParameterOutOfTypeBounds {}.into())
    );
}

// ---- migrate ----

/// The registry's answer, then every `Migratable` outcome (zero, out of bounds, failing,
/// codeless, migrating) with exact revert data, and none of it pause-gated.
#[test]
fn migrate_follows_the_migratable_sequence_paused_or_not() {
    for paused in [false, true] {
        let (host, mut gateway) = gateway();
        if paused {
            pause(&host);
        }
        assert_migrate_through_registry(
            &host,
            &mut gateway,
            MIGRATOR,
            |answer| mock_registry_get(&host, "xmtp.settlementChainGateway.migrator", answer),
            SettlementChainGateway::migrate,
        );
        assert_eq!(gateway.paused(), paused);
    }
}

/// Every registry read of the three `update`/`migrate` paths passes the registry's revert
/// through unchanged, and a registry that returns no word reverts with empty data; nothing is
/// stored or emitted.
#[test]
fn registry_refusals_pass_through_update_inbox_update_pause_status_and_migrate() {
    let (host, mut gateway) = gateway();
    let inbox_key = "xmtp.settlementChainGateway.inbox.241320162";
    for (answer, expected) in [
        (Err(vec![0xab, 0xcd]), vec![0xab, 0xcd]),
        (Ok(vec![]), vec![]),
    ] {
        for key in [
            inbox_key,
            "xmtp.settlementChainGateway.paused",
            "xmtp.settlementChainGateway.migrator",
        ] {
            mock_registry_get(&host, key, answer.clone());
        }
        let refused = Err(Bubbled(expected).into());
        assert_eq!(gateway.update_inbox(U256::from(CHAIN)), refused);
        assert_eq!(gateway.update_pause_status(), refused);
        assert_eq!(gateway.migrate(), refused);
    }
    assert_eq!(gateway.get_inbox(U256::from(CHAIN)), Ok(INBOX));
    assert!(!gateway.paused());
    assert!(host.vm.get_emitted_logs().is_empty());
}

// ---- receiveWithdrawal / receiveWithdrawalIntoUnderlying ----

fn balance_of() -> Vec<u8> {
    IERC20Like::balanceOfCall {
        account_: GATEWAY_PROXY,
    }
    .abi_encode()
}

fn transfer(amount: U256) -> Vec<u8> {
    IERC20Like::transferCall {
        recipient_: RECIPIENT,
        amount_: amount,
    }
    .abi_encode()
}

fn withdraw_to(amount: U256) -> Vec<u8> {
    IFeeTokenLike::withdrawToCall {
        recipient_: RECIPIENT,
        amount_: amount,
    }
    .abi_encode()
}

fn withdrawal_received(amount: U256) -> (Vec<B256>, Vec<u8>) {
    log(&WithdrawalReceived {
        recipient: RECIPIENT,
        amount,
    })
}

#[test]
fn receive_withdrawal_sends_the_whole_balance_even_when_paused() {
    let (host, mut gateway) = gateway();
    pause(&host);
    host.mock(
        CallKind::Static,
        FEE_TOKEN,
        balance_of(),
        Ok(word(u(AMOUNT))),
    );
    host.mock(
        NO_CALL,
        FEE_TOKEN,
        transfer(u(AMOUNT)),
        Ok(word(U256::ZERO)),
    );
    assert_eq!(gateway.receive_withdrawal(RECIPIENT), Ok(u(AMOUNT)));
    assert_eq!(
        host.calls(),
        vec![
            (CallKind::Static, FEE_TOKEN, balance_of()),
            (NO_CALL, FEE_TOKEN, transfer(u(AMOUNT)))
        ]
    );
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![withdrawal_received(u(AMOUNT))]
    );
}

#[test]
fn receive_withdrawal_emits_before_the_transfer() {
    let (host, mut gateway) = gateway();
    host.mock(
        CallKind::Static,
        FEE_TOKEN,
        balance_of(),
        Ok(word(U256::ZERO)),
    );
    host.mock(NO_CALL, FEE_TOKEN, transfer(U256::ZERO), Err(vec![0xec]));
    assert_eq!(
        gateway.receive_withdrawal(RECIPIENT),
        Err(Bubbled(vec![0xec]).into())
    );
    // The event was logged before the transfer was attempted (the host keeps it; the chain
    // would roll it back with the revert).
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![withdrawal_received(U256::ZERO)]
    );
}

#[test]
fn receive_withdrawal_into_underlying_unwraps_the_whole_balance() {
    let (host, mut gateway) = gateway();
    host.mock(
        CallKind::Static,
        FEE_TOKEN,
        balance_of(),
        Ok(word(u(AMOUNT))),
    );
    host.mock(NO_CALL, FEE_TOKEN, withdraw_to(u(AMOUNT)), Ok(yes()));
    assert_eq!(
        gateway.receive_withdrawal_into_underlying(RECIPIENT),
        Ok(u(AMOUNT))
    );
    assert_eq!(
        host.calls(),
        vec![
            (CallKind::Static, FEE_TOKEN, balance_of()),
            (NO_CALL, FEE_TOKEN, withdraw_to(u(AMOUNT)))
        ]
    );
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![withdrawal_received(u(AMOUNT))]
    );
}

#[test]
fn receive_withdrawal_into_underlying_passes_fee_token_refusals_through_after_the_event() {
    let (host, mut gateway) = gateway();
    host.mock(
        CallKind::Static,
        FEE_TOKEN,
        balance_of(),
        Ok(word(U256::ZERO)),
    );
    let zero_amount = FeeTokenZeroAmount {}.abi_encode();
    host.mock(
        NO_CALL,
        FEE_TOKEN,
        withdraw_to(U256::ZERO),
        Err(zero_amount.clone()),
    );
    assert_eq!(
        gateway.receive_withdrawal_into_underlying(RECIPIENT),
        Err(Bubbled(zero_amount).into())
    );
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![withdrawal_received(U256::ZERO)]
    );
}

#[test]
fn receive_withdrawal_passes_a_balance_refusal_through_without_an_event() {
    let (host, mut gateway) = gateway();
    host.mock(CallKind::Static, FEE_TOKEN, balance_of(), Err(vec![0x05]));
    assert_eq!(
        gateway.receive_withdrawal(RECIPIENT),
        Err(Bubbled(vec![0x05]).into())
    );
    assert!(host.vm.get_emitted_logs().is_empty());
}

// ---- views ----

#[test]
fn calculate_max_deposit_fee_quotes_36_bytes_at_the_given_base_fee_in_wei() {
    let (host, gateway) = gateway();
    host.mock(
        CallKind::Static,
        INBOX,
        quote(36, u(7_000_000)),
        Ok(word(u(SUBMISSION))),
    );
    assert_eq!(
        gateway.calculate_max_deposit_fee(
            U256::from(CHAIN),
            u(GAS_LIMIT),
            u(MAX_FEE_PER_GAS),
            u(7_000_000)
        ),
        Ok(u(100_100_000_000_000_000))
    );
    assert_eq!(
        gateway.calculate_max_deposit_fee(
            U256::from(UNSET_CHAIN),
            U256::ZERO,
            U256::ZERO,
            U256::ZERO
        ),
        Err(UnsupportedChainId {
            chainId: U256::from(UNSET_CHAIN)
        }
        .into())
    );
    assert_eq!(
        gateway.calculate_max_deposit_fee(U256::from(CHAIN), U256::MAX, u(2), u(7_000_000)),
        Err(panic_0x11())
    );
    host.mock(
        CallKind::Static,
        INBOX,
        quote(36, u(1)),
        Ok(word(U256::MAX)),
    );
    assert_eq!(
        gateway.calculate_max_deposit_fee(U256::from(CHAIN), u(1), u(1), u(1)),
        Err(panic_0x11())
    );
}

#[test]
fn get_inbox_reads_the_mapping_and_refuses_unset_chains() {
    let (_host, gateway) = gateway();
    assert_eq!(gateway.get_inbox(U256::from(CHAIN)), Ok(INBOX));
    assert_eq!(gateway.get_inbox(U256::from(OTHER_CHAIN)), Ok(OTHER_INBOX));
    assert_eq!(
        gateway.get_inbox(U256::from(UNSET_CHAIN)),
        Err(UnsupportedChainId {
            chainId: U256::from(UNSET_CHAIN)
        }
        .into())
    );
}

#[test]
fn views_report_keys_state_wiring_and_identity() {
    let (host, gateway) = gateway();
    assert_eq!(
        SettlementChainGateway::inbox_parameter_key(),
        "xmtp.settlementChainGateway.inbox"
    );
    assert_eq!(
        SettlementChainGateway::migrator_parameter_key(),
        "xmtp.settlementChainGateway.migrator"
    );
    assert_eq!(
        SettlementChainGateway::paused_parameter_key(),
        "xmtp.settlementChainGateway.paused"
    );
    assert!(!gateway.paused());
    pause(&host);
    assert!(gateway.paused());
    assert_eq!(gateway.parameter_registry_getter(), REGISTRY);
    assert_eq!(gateway.app_chain_gateway_getter(), APP_GATEWAY);
    assert_eq!(gateway.fee_token_getter(), FEE_TOKEN);
    assert_eq!(gateway.app_chain_alias(), GATEWAY_ALIAS);
    assert_eq!(gateway.implementation(), GATEWAY_IMPLEMENTATION);
    assert_eq!(SettlementChainGateway::version(), "1.0.0");
    assert_eq!(
        SettlementChainGateway::contract_name(),
        "SettlementChainGateway"
    );
}

#[test]
fn every_interface_function_is_routed() {
    use stylus_sdk::abi::Router;
    for function in xmtp_abi::settlement_chain_gateway::ISettlementChainGateway::abi::functions()
        .values()
        .flatten()
    {
        let (_host, mut gateway) = gateway();
        let selector = function.selector().0;
        // A routed function runs; one that reaches an unmocked call panics, which is routed too.
        let routed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            if calldata::is_routed_here(selector) {
                // Decoded by the fallback: short calldata reverts there, not as unknown.
                return gateway.fallback(&selector) == Err(vec![]);
            }
            <SettlementChainGateway as Router<SettlementChainGateway>>::route(
                &mut gateway,
                u32::from_be_bytes(selector),
                &[],
            )
            .is_some()
        }));
        assert!(
            routed.unwrap_or(true),
            "{} is not routed",
            function.signature()
        );
    }
    let (_host, mut gateway) = gateway();
    assert!(
        <SettlementChainGateway as Router<SettlementChainGateway>>::route(
            &mut gateway,
            0xdead_beef,
            &[]
        )
        .is_none()
    );
    assert_eq!(gateway.fallback(&[0xde, 0xad, 0xbe, 0xef]), Err(vec![]));
    assert_eq!(gateway.fallback(&[]), Err(vec![]));
}

// ---- the fallback's decoding of the deposit* and sendParameters* entry points ----

use xmtp_abi::settlement_chain_gateway::ISettlementChainGateway as I;

fn deposit_call() -> Vec<u8> {
    I::depositCall {
        chainId_: U256::from(CHAIN),
        recipient_: RECIPIENT,
        amount_: u(AMOUNT),
        gasLimit_: u(GAS_LIMIT),
        maxFeePerGas_: u(MAX_FEE_PER_GAS),
    }
    .abi_encode()
}

#[test]
fn fallback_decodes_deposit_as_the_direct_call() {
    let (host, mut gateway) = gateway();
    host.mock(
        NO_CALL,
        FEE_TOKEN,
        transfer_from(CALLER, u(AMOUNT)),
        Ok(yes()),
    );
    mock_worked_ticket(&host, 7);
    assert_eq!(gateway.fallback(&deposit_call()), Ok(vec![]));
    let mut expected = vec![(NO_CALL, FEE_TOKEN, transfer_from(CALLER, u(AMOUNT)))];
    expected.extend(worked_ticket_calls());
    assert_eq!(host.calls(), expected);
    assert_eq!(host.vm.get_emitted_logs(), vec![worked_deposit_event(7)]);
}

#[test]
fn fallback_decodes_every_permit_and_underlying_variant() {
    let permit_args = (
        u(1_700_000_000),
        27u8,
        B256::repeat_byte(0x11),
        B256::repeat_byte(0x22),
    );
    let cases: Vec<(Vec<u8>, Vec<RecordedCall>)> = vec![
        (
            I::depositWithPermitCall {
                chainId_: U256::from(CHAIN),
                recipient_: RECIPIENT,
                amount_: u(AMOUNT),
                gasLimit_: u(GAS_LIMIT),
                maxFeePerGas_: u(MAX_FEE_PER_GAS),
                deadline_: permit_args.0,
                v_: permit_args.1,
                r_: permit_args.2,
                s_: permit_args.3,
            }
            .abi_encode(),
            vec![
                (NO_CALL, FEE_TOKEN, permit(u(AMOUNT))),
                (NO_CALL, FEE_TOKEN, transfer_from(CALLER, u(AMOUNT))),
            ],
        ),
        (
            I::depositFromUnderlyingCall {
                chainId_: U256::from(CHAIN),
                recipient_: RECIPIENT,
                amount_: u(AMOUNT),
                gasLimit_: u(GAS_LIMIT),
                maxFeePerGas_: u(MAX_FEE_PER_GAS),
            }
            .abi_encode(),
            underlying_pull_calls(u(AMOUNT)),
        ),
        (
            I::depositFromUnderlyingWithPermitCall {
                chainId_: U256::from(CHAIN),
                recipient_: RECIPIENT,
                amount_: u(AMOUNT),
                gasLimit_: u(GAS_LIMIT),
                maxFeePerGas_: u(MAX_FEE_PER_GAS),
                deadline_: permit_args.0,
                v_: permit_args.1,
                r_: permit_args.2,
                s_: permit_args.3,
            }
            .abi_encode(),
            [
                vec![(NO_CALL, UNDERLYING, permit(u(AMOUNT)))],
                underlying_pull_calls(u(AMOUNT)),
            ]
            .concat(),
        ),
    ];
    for (calldata, pull_calls) in cases {
        let (host, mut gateway) = gateway();
        host.mock(NO_CALL, FEE_TOKEN, permit(u(AMOUNT)), Ok(vec![]));
        host.mock(NO_CALL, UNDERLYING, permit(u(AMOUNT)), Ok(vec![]));
        host.mock(
            NO_CALL,
            FEE_TOKEN,
            transfer_from(CALLER, u(AMOUNT)),
            Ok(yes()),
        );
        mock_underlying_pull(&host, u(AMOUNT));
        mock_worked_ticket(&host, 7);
        assert_eq!(gateway.fallback(&calldata), Ok(vec![]));
        assert_eq!(host.calls(), [pull_calls, worked_ticket_calls()].concat());
    }
}

fn send_parameters_call(chain_ids: Vec<U256>, keys: Vec<String>) -> Vec<u8> {
    I::sendParametersCall {
        chainIds_: chain_ids,
        keys_: keys,
        gasLimit_: u(PARAM_GAS_LIMIT),
        maxFeePerGas_: u(PARAM_MAX_FEE_PER_GAS),
        amountToSend_: u(AMOUNT_TO_SEND),
    }
    .abi_encode()
}

#[test]
fn fallback_decodes_send_parameters_and_returns_the_total() {
    let (host, mut gateway) = gateway();
    let total = u(2 * AMOUNT_TO_SEND);
    host.mock(NO_CALL, FEE_TOKEN, transfer_from(CALLER, total), Ok(yes()));
    mock_parameter_tickets(&host, 1, u(AMOUNT_TO_SEND), 20);
    let calldata = send_parameters_call(
        vec![U256::from(CHAIN), U256::from(OTHER_CHAIN)],
        strings(&[KEY_A, KEY_B]),
    );
    assert_eq!(gateway.fallback(&calldata), Ok(word(total)));
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![
            parameters_sent(CHAIN, 20, 1),
            parameters_sent(OTHER_CHAIN, 21, 1)
        ]
    );
}

#[test]
fn fallback_decodes_the_other_send_parameters_variants() {
    let total = u(AMOUNT_TO_SEND);
    let chain_ids = vec![U256::from(CHAIN)];
    let keys = strings(&[KEY_A, KEY_B]);
    let cases = [
        I::sendParametersWithPermitCall {
            chainIds_: chain_ids.clone(),
            keys_: keys.clone(),
            gasLimit_: u(PARAM_GAS_LIMIT),
            maxFeePerGas_: u(PARAM_MAX_FEE_PER_GAS),
            amountToSend_: u(AMOUNT_TO_SEND),
            deadline_: u(1_700_000_000),
            v_: 27,
            r_: B256::repeat_byte(0x11),
            s_: B256::repeat_byte(0x22),
        }
        .abi_encode(),
        I::sendParametersFromUnderlyingCall {
            chainIds_: chain_ids.clone(),
            keys_: keys.clone(),
            gasLimit_: u(PARAM_GAS_LIMIT),
            maxFeePerGas_: u(PARAM_MAX_FEE_PER_GAS),
            amountToSend_: u(AMOUNT_TO_SEND),
        }
        .abi_encode(),
        I::sendParametersFromUnderlyingWithPermitCall {
            chainIds_: chain_ids,
            keys_: keys,
            gasLimit_: u(PARAM_GAS_LIMIT),
            maxFeePerGas_: u(PARAM_MAX_FEE_PER_GAS),
            amountToSend_: u(AMOUNT_TO_SEND),
            deadline_: u(1_700_000_000),
            v_: 27,
            r_: B256::repeat_byte(0x11),
            s_: B256::repeat_byte(0x22),
        }
        .abi_encode(),
    ];
    let first_calls = [
        (NO_CALL, FEE_TOKEN, permit(total)),
        (NO_CALL, UNDERLYING, transfer_from(CALLER, total)),
        (NO_CALL, UNDERLYING, permit(total)),
    ];
    for (calldata, first_call) in cases.iter().zip(first_calls) {
        let (host, mut gateway) = gateway();
        host.mock(NO_CALL, FEE_TOKEN, permit(total), Ok(vec![]));
        host.mock(NO_CALL, UNDERLYING, permit(total), Ok(vec![]));
        host.mock(NO_CALL, FEE_TOKEN, transfer_from(CALLER, total), Ok(yes()));
        mock_underlying_pull(&host, total);
        mock_parameter_tickets(&host, 1, total, 20);
        assert_eq!(gateway.fallback(calldata), Ok(word(total)));
        assert_eq!(host.calls()[0], first_call);
        assert_eq!(
            host.vm.get_emitted_logs(),
            vec![parameters_sent(CHAIN, 20, 1)]
        );
    }
}

#[test]
fn fallback_returns_the_entry_points_errors_encoded() {
    let (host, mut gateway) = gateway();
    pause(&host);
    assert_eq!(
        gateway.fallback(&deposit_call()),
        Err(Paused {}.abi_encode())
    );
}

#[test]
fn fallback_refuses_malformed_calldata_with_empty_revert_data() {
    let deposit = deposit_call();
    let mut dirty_address = deposit.clone();
    dirty_address[4 + 32 + 11] = 1;
    let mut permit_call = I::depositWithPermitCall {
        chainId_: U256::from(CHAIN),
        recipient_: RECIPIENT,
        amount_: u(AMOUNT),
        gasLimit_: u(GAS_LIMIT),
        maxFeePerGas_: u(MAX_FEE_PER_GAS),
        deadline_: U256::ZERO,
        v_: 27,
        r_: B256::ZERO,
        s_: B256::ZERO,
    }
    .abi_encode();
    permit_call[4 + 6 * 32 + 30] = 1; // v = 256 + 27
    let send = send_parameters_call(vec![U256::from(CHAIN)], strings(&[KEY_A]));
    let mut far_offset = send.clone();
    far_offset[4 + 31] = 0xff;
    let mut huge_offset = send.clone();
    huge_offset[4 + 32 + 23] = 1;
    let mut long_array = send.clone();
    long_array[4 + 5 * 32 + 31] = 9; // chainIds claims nine elements
    let mut long_key = send.clone();
    let key_length_at = send.len() - 64;
    long_key[key_length_at + 31] = 0x40;
    let mut not_utf8 = send.clone();
    not_utf8[send.len() - 32] = 0xff;
    let malformed = [
        deposit[..deposit.len() - 1].to_vec(),
        dirty_address,
        permit_call,
        send[..4 + 5 * 32].to_vec(),
        far_offset,
        huge_offset,
        long_array,
        long_key,
        not_utf8,
    ];
    for calldata in malformed {
        let (host, mut gateway) = gateway();
        assert_eq!(gateway.fallback(&calldata), Err(vec![]), "{calldata:02x?}");
        assert!(host.calls().is_empty());
    }
}

#[test]
fn fallback_refuses_value_as_the_nonpayable_reference_does() {
    let (host, mut gateway) = gateway();
    host.vm.set_value(u(1));
    assert_eq!(gateway.fallback(&deposit_call()), Err(vec![]));
    assert!(host.calls().is_empty());
}

#[test]
fn fallback_ignores_calldata_after_the_arguments() {
    let (host, mut gateway) = gateway();
    host.mock(
        NO_CALL,
        FEE_TOKEN,
        transfer_from(CALLER, u(AMOUNT)),
        Ok(yes()),
    );
    mock_worked_ticket(&host, 7);
    let calldata = [deposit_call(), vec![0xff; 7]].concat();
    assert_eq!(gateway.fallback(&calldata), Ok(vec![]));
}
