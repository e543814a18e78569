use alloy_primitives::{address, keccak256, Address, B256, U256};
use alloy_sol_types::{SolCall, SolError, SolValue};
use xmtp_abi::{deposit_splitter::IDepositSplitter, factory::Paused, fee_token::ZeroAmount};
use xmtp_core::{
    testing::{CallKind, MockHost, RecordedCall},
    wiring::{set_address_for_tests, set_for_tests},
};

use super::*;

const SPLITTER: Address = address!("0x00000000000000000000000000000000000d5117");
const TOKEN: Address = address!("0x0000000000000000000000000000000000000e01");
const PAYERS: Address = address!("0x0000000000000000000000000000000000000e02");
const GATEWAY: Address = address!("0x0000000000000000000000000000000000000e03");
const USDC: Address = address!("0x0000000000000000000000000000000000000e04");
const CALLER: Address = address!("0x0000000000000000000000000000000000000d01");
const PAYER: Address = address!("0x0000000000000000000000000000000000000d02");
const RECIPIENT: Address = address!("0x0000000000000000000000000000000000000d03");
const APP_CHAIN: u64 = 351_243_127;

fn splitter() -> (MockHost, DepositSplitter) {
    let host = MockHost::new();
    host.vm.set_contract_address(SPLITTER);
    host.vm.set_sender(CALLER);
    for code in [TOKEN, PAYERS, GATEWAY, USDC] {
        host.vm.set_code(code, vec![0x00]);
    }
    set_address_for_tests("feeToken", TOKEN);
    set_address_for_tests("payerRegistry", PAYERS);
    set_address_for_tests("settlementChainGateway", GATEWAY);
    set_for_tests("appChainId", U256::from(APP_CHAIN));
    host.mock(
        CallKind::Static,
        TOKEN,
        IFeeTokenLike::underlyingCall {}.abi_encode(),
        Ok(USDC.abi_encode()),
    );
    let splitter = DepositSplitter::from(&host);
    (host, splitter)
}

fn err(error: impl Into<DepositSplitterError>) -> DepositSplitterError {
    error.into()
}

fn call(to: Address, data: Vec<u8>) -> RecordedCall {
    (CallKind::Call(U256::ZERO), to, data)
}

fn ok(host: &MockHost, to: Address, data: &[u8], output: Vec<u8>) {
    host.mock(CallKind::Call(U256::ZERO), to, data.to_vec(), Ok(output));
}

fn approve(spender: Address) -> Vec<u8> {
    IERC20Like::approveCall {
        spender_: spender,
        amount_: U256::MAX,
    }
    .abi_encode()
}

fn mock_approvals(host: &MockHost) -> Vec<RecordedCall> {
    let calls = vec![
        call(TOKEN, approve(PAYERS)),
        call(TOKEN, approve(GATEWAY)),
        call(USDC, approve(TOKEN)),
    ];
    for (_, to, data) in &calls {
        ok(host, *to, data, true.abi_encode());
    }
    calls
}

fn transfer_from(total: u64) -> Vec<u8> {
    IERC20Like::transferFromCall {
        sender_: CALLER,
        recipient_: SPLITTER,
        amount_: U256::from(total),
    }
    .abi_encode()
}

fn payer_deposit(amount: u64) -> Vec<u8> {
    IPayerRegistryLike::depositCall {
        payer_: PAYER,
        amount_: U96::from(amount),
    }
    .abi_encode()
}

fn gateway_deposit(amount: u64) -> Vec<u8> {
    ISettlementChainGatewayLike::depositCall {
        chainId_: U256::from(APP_CHAIN),
        recipient_: RECIPIENT,
        amount_: U256::from(amount),
        gasLimit_: U256::from(7),
        maxFeePerGas_: U256::from(9),
    }
    .abi_encode()
}

fn deposit(
    splitter: &mut DepositSplitter,
    payers: u64,
    app: u64,
) -> Result<(), DepositSplitterError> {
    splitter.deposit(
        PAYER,
        U96::from(payers),
        RECIPIENT,
        U96::from(app),
        U256::from(7),
        U256::from(9),
    )
}

fn static_underlying() -> RecordedCall {
    (
        CallKind::Static,
        TOKEN,
        IFeeTokenLike::underlyingCall {}.abi_encode(),
    )
}

#[test]
fn views() {
    let (_host, splitter) = splitter();
    assert_eq!(splitter.fee_token_getter(), TOKEN);
    assert_eq!(splitter.payer_registry_getter(), PAYERS);
    assert_eq!(splitter.settlement_chain_gateway_getter(), GATEWAY);
    assert_eq!(splitter.app_chain_id_getter(), U256::from(APP_CHAIN));
    assert_eq!(DepositSplitter::version(), "1.0.0");
    assert_eq!(DepositSplitter::contract_name(), "DepositSplitter");
}

#[test]
fn approvals_flag_slot_is_the_namespace_root() {
    let inner = U256::from_be_bytes(keccak256("xmtp.storage.DepositSplitter").0) - U256::from(1);
    let outer = U256::from_be_bytes(keccak256(inner.to_be_bytes::<32>()).0) & !U256::from(0xff);
    assert_eq!(DEPOSIT_SPLITTER_SLOT, outer);
}

#[test]
fn deposit_approves_once_then_pulls_and_splits_in_order() {
    let (host, mut splitter) = splitter();
    let approvals = mock_approvals(&host);
    ok(&host, TOKEN, &transfer_from(30), true.abi_encode());
    ok(&host, PAYERS, &payer_deposit(10), vec![]);
    ok(&host, GATEWAY, &gateway_deposit(20), vec![]);
    assert_eq!(deposit(&mut splitter, 10, 20), Ok(()));
    let mut expected = vec![static_underlying()];
    expected.extend(approvals);
    expected.extend([
        call(TOKEN, transfer_from(30)),
        call(PAYERS, payer_deposit(10)),
        call(GATEWAY, gateway_deposit(20)),
    ]);
    assert_eq!(host.calls(), expected);
    assert_eq!(
        host.vm.get_storage(DEPOSIT_SPLITTER_SLOT),
        B256::with_last_byte(1)
    );
    // Second deposit: no approvals, only the shares that are non-zero.
    ok(&host, TOKEN, &transfer_from(10), true.abi_encode());
    assert_eq!(deposit(&mut splitter, 10, 0), Ok(()));
    assert_eq!(
        host.calls()[expected.len()..],
        [
            call(TOKEN, transfer_from(10)),
            call(PAYERS, payer_deposit(10))
        ]
    );
    ok(&host, TOKEN, &transfer_from(20), true.abi_encode());
    assert_eq!(deposit(&mut splitter, 0, 20), Ok(()));
    assert_eq!(
        host.calls()[expected.len() + 2..],
        [
            call(TOKEN, transfer_from(20)),
            call(GATEWAY, gateway_deposit(20))
        ]
    );
}

#[test]
fn deposit_of_zero_pulls_then_refuses() {
    let (host, mut splitter) = splitter();
    mock_approvals(&host);
    ok(&host, TOKEN, &transfer_from(0), true.abi_encode());
    assert_eq!(deposit(&mut splitter, 0, 0), Err(err(ZeroTotalAmount {})));
    assert_eq!(host.calls().last().unwrap(), &call(TOKEN, transfer_from(0)));
}

/// Every deposit function adds the two amounts (checked `uint96`) before calling anything:
/// `U96::MAX + 1` is panic 0x11.
#[test]
fn every_deposit_total_overflow_is_panic_0x11() {
    type Outcome = Result<(), DepositSplitterError>;
    type Plain = fn(&mut DepositSplitter, Address, U96, Address, U96, U256, U256) -> Outcome;
    type WithPermit = fn(
        &mut DepositSplitter,
        Address,
        U96,
        Address,
        U96,
        U256,
        U256,
        U256,
        u8,
        B256,
        B256,
    ) -> Outcome;
    let overflows = |deposit: &dyn Fn(&mut DepositSplitter) -> Outcome| {
        let (host, mut splitter) = splitter();
        assert_eq!(
            deposit(&mut splitter),
            Err(err(Panic::from(PanicKind::UnderOverflow)))
        );
        assert_eq!(host.calls(), vec![]);
    };
    let (max, one, zero) = (U96::MAX, U96::from(1), U256::ZERO);
    let plain: [Plain; 2] = [
        DepositSplitter::deposit,
        DepositSplitter::deposit_from_underlying,
    ];
    for deposit in plain {
        overflows(&|splitter| deposit(splitter, PAYER, max, RECIPIENT, one, zero, zero));
    }
    let with_permit: [WithPermit; 2] = [
        DepositSplitter::deposit_with_permit,
        DepositSplitter::deposit_from_underlying_with_permit,
    ];
    for deposit in with_permit {
        overflows(&|splitter| {
            let no_permit = B256::ZERO;
            deposit(
                splitter, PAYER, max, RECIPIENT, one, zero, zero, zero, 27, no_permit, no_permit,
            )
        });
    }
}

#[test]
fn callee_reverts_bubble() {
    let (host, mut splitter) = splitter();
    mock_approvals(&host);
    host.mock(
        CallKind::Call(U256::ZERO),
        TOKEN,
        transfer_from(30),
        Err(b"allowance".to_vec()),
    );
    assert_eq!(
        deposit(&mut splitter, 10, 20),
        Err(err(Bubbled(b"allowance".to_vec())))
    );
    ok(&host, TOKEN, &transfer_from(30), true.abi_encode());
    host.mock(
        CallKind::Call(U256::ZERO),
        PAYERS,
        payer_deposit(10),
        Err(Paused {}.abi_encode()),
    );
    assert_eq!(
        deposit(&mut splitter, 10, 20),
        Err(err(Bubbled(Paused {}.abi_encode())))
    );
    ok(&host, PAYERS, &payer_deposit(10), vec![]);
    host.mock(
        CallKind::Call(U256::ZERO),
        GATEWAY,
        gateway_deposit(20),
        Err(b"gw".to_vec()),
    );
    assert_eq!(
        deposit(&mut splitter, 10, 20),
        Err(err(Bubbled(b"gw".to_vec())))
    );
    // A gateway without code: Solidity's call refuses before calling (empty revert data).
    host.vm.set_code(GATEWAY, vec![]);
    assert_eq!(deposit(&mut splitter, 10, 20), Err(err(Bubbled::default())));
}

#[test]
fn deposit_with_permit_tries_the_permit_and_ignores_its_failure() {
    let (host, mut splitter) = splitter();
    mock_approvals(&host);
    let permit = IPermitErc20Like::permitCall {
        owner_: CALLER,
        spender_: SPLITTER,
        value_: U256::from(30),
        deadline_: U256::from(99),
        v_: 27,
        r_: B256::repeat_byte(1),
        s_: B256::repeat_byte(2),
    }
    .abi_encode();
    host.mock(
        CallKind::Call(U256::ZERO),
        TOKEN,
        permit.clone(),
        Err(b"used".to_vec()),
    );
    ok(&host, TOKEN, &transfer_from(30), true.abi_encode());
    ok(&host, PAYERS, &payer_deposit(10), vec![]);
    ok(&host, GATEWAY, &gateway_deposit(20), vec![]);
    assert_eq!(
        splitter.deposit_with_permit(
            PAYER,
            U96::from(10),
            RECIPIENT,
            U96::from(20),
            U256::from(7),
            U256::from(9),
            U256::from(99),
            27,
            B256::repeat_byte(1),
            B256::repeat_byte(2)
        ),
        Ok(())
    );
    assert_eq!(host.calls()[0], call(TOKEN, permit));
}

fn underlying_pull(total: u64) -> Vec<u8> {
    IERC20Like::transferFromCall {
        sender_: CALLER,
        recipient_: SPLITTER,
        amount_: U256::from(total),
    }
    .abi_encode()
}

fn wrap(total: u64) -> Vec<u8> {
    IFeeTokenLike::depositCall {
        amount_: U256::from(total),
    }
    .abi_encode()
}

#[test]
fn deposit_from_underlying_pulls_wraps_and_splits() {
    let (host, mut splitter) = splitter();
    let approvals = mock_approvals(&host);
    ok(&host, USDC, &underlying_pull(30), true.abi_encode());
    ok(&host, TOKEN, &wrap(30), vec![]);
    ok(&host, PAYERS, &payer_deposit(10), vec![]);
    ok(&host, GATEWAY, &gateway_deposit(20), vec![]);
    assert_eq!(
        splitter.deposit_from_underlying(
            PAYER,
            U96::from(10),
            RECIPIENT,
            U96::from(20),
            U256::from(7),
            U256::from(9)
        ),
        Ok(())
    );
    let mut expected = vec![static_underlying()];
    expected.extend(approvals);
    expected.extend([
        static_underlying(),
        call(USDC, underlying_pull(30)),
        call(TOKEN, wrap(30)),
        call(PAYERS, payer_deposit(10)),
        call(GATEWAY, gateway_deposit(20)),
    ]);
    assert_eq!(host.calls(), expected);
}

#[test]
fn deposit_from_underlying_refusals() {
    let (host, mut splitter) = splitter();
    mock_approvals(&host);
    // solady's pull: a revert, a `false`, or an odd return are all TransferFromFailed.
    for outcome in [Err(b"no".to_vec()), Ok(false.abi_encode())] {
        host.mock(
            CallKind::Call(U256::ZERO),
            USDC,
            underlying_pull(30),
            outcome,
        );
        assert_eq!(
            splitter.deposit_from_underlying(
                PAYER,
                U96::from(10),
                RECIPIENT,
                U96::from(20),
                U256::ZERO,
                U256::ZERO
            ),
            Err(err(TransferFromFailed {}))
        );
    }
    // Zero total: the real FeeToken refuses the wrap first (ZeroAmount), as in the reference.
    ok(&host, USDC, &underlying_pull(0), vec![]);
    host.mock(
        CallKind::Call(U256::ZERO),
        TOKEN,
        wrap(0),
        Err(ZeroAmount {}.abi_encode()),
    );
    assert_eq!(
        splitter.deposit_from_underlying(
            PAYER,
            U96::ZERO,
            RECIPIENT,
            U96::ZERO,
            U256::ZERO,
            U256::ZERO
        ),
        Err(err(Bubbled(ZeroAmount {}.abi_encode())))
    );
    // With a wrap that accepts zero (the reference's unit-test mock), ZeroTotalAmount.
    ok(&host, TOKEN, &wrap(0), vec![]);
    assert_eq!(
        splitter.deposit_from_underlying(
            PAYER,
            U96::ZERO,
            RECIPIENT,
            U96::ZERO,
            U256::ZERO,
            U256::ZERO
        ),
        Err(err(ZeroTotalAmount {}))
    );
}

#[test]
fn deposit_from_underlying_with_permit_permits_the_underlying() {
    let (host, mut splitter) = splitter();
    mock_approvals(&host);
    let permit = IPermitErc20Like::permitCall {
        owner_: CALLER,
        spender_: SPLITTER,
        value_: U256::from(10),
        deadline_: U256::from(5),
        v_: 28,
        r_: B256::repeat_byte(3),
        s_: B256::repeat_byte(4),
    }
    .abi_encode();
    ok(&host, USDC, &permit, vec![]);
    ok(&host, USDC, &underlying_pull(10), true.abi_encode());
    ok(&host, TOKEN, &wrap(10), vec![]);
    ok(&host, PAYERS, &payer_deposit(10), vec![]);
    assert_eq!(
        splitter.deposit_from_underlying_with_permit(
            PAYER,
            U96::from(10),
            RECIPIENT,
            U96::ZERO,
            U256::from(7),
            U256::from(9),
            U256::from(5),
            28,
            B256::repeat_byte(3),
            B256::repeat_byte(4)
        ),
        Ok(())
    );
    assert_eq!(host.calls()[1], call(USDC, permit));
}

#[test]
fn a_failed_approval_bubbles() {
    let (host, mut splitter) = splitter();
    host.mock(
        CallKind::Call(U256::ZERO),
        TOKEN,
        approve(PAYERS),
        Err(b"x".to_vec()),
    );
    assert_eq!(
        deposit(&mut splitter, 1, 0),
        Err(err(Bubbled(b"x".to_vec())))
    );
    assert_eq!(host.vm.get_storage(DEPOSIT_SPLITTER_SLOT), B256::ZERO);
}

fn deposit_from_underlying(
    splitter: &mut DepositSplitter,
    payers: U96,
    app: U96,
) -> Result<(), DepositSplitterError> {
    splitter.deposit_from_underlying(PAYER, payers, RECIPIENT, app, U256::from(7), U256::from(9))
}

/// The fee token's `transferFrom` is an ordinary call: its bool must decode, but `false` is
/// not checked.
#[test]
fn deposit_decodes_the_pulls_bool_without_checking_it() {
    let (host, mut splitter) = splitter();
    mock_approvals(&host);
    ok(&host, TOKEN, &transfer_from(10), false.abi_encode());
    ok(&host, PAYERS, &payer_deposit(10), vec![]);
    assert_eq!(deposit(&mut splitter, 10, 0), Ok(()));
    assert_eq!(
        host.calls().last().unwrap(),
        &call(PAYERS, payer_deposit(10))
    );
    for output in [vec![], U256::from(2).abi_encode()] {
        ok(&host, TOKEN, &transfer_from(10), output);
        assert_eq!(deposit(&mut splitter, 10, 0), Err(err(Bubbled::default())));
    }
}

/// Solady's pull of the underlying: a returned 1 or, from a token with code, nothing at all
/// succeeds; any other word, or an account without code, is `TransferFromFailed()`.
#[test]
fn deposit_from_underlying_follows_soladys_pull() {
    let (host, mut splitter) = splitter();
    mock_approvals(&host);
    ok(&host, TOKEN, &wrap(10), vec![]);
    ok(&host, PAYERS, &payer_deposit(10), vec![]);
    let ten = U96::from(10);
    ok(&host, USDC, &underlying_pull(10), vec![]);
    assert_eq!(
        deposit_from_underlying(&mut splitter, ten, U96::ZERO),
        Ok(())
    );
    assert_eq!(
        host.calls().last().unwrap(),
        &call(PAYERS, payer_deposit(10))
    );
    ok(
        &host,
        USDC,
        &underlying_pull(10),
        U256::from(2).abi_encode(),
    );
    assert_eq!(
        deposit_from_underlying(&mut splitter, ten, U96::ZERO),
        Err(err(TransferFromFailed {}))
    );
    ok(&host, USDC, &underlying_pull(10), vec![]);
    host.vm.set_code(USDC, vec![]);
    assert_eq!(
        deposit_from_underlying(&mut splitter, ten, U96::ZERO),
        Err(err(TransferFromFailed {}))
    );
}

#[test]
fn every_interface_function_is_routed() {
    use stylus_sdk::abi::Router;
    for function in IDepositSplitter::abi::functions().values().flatten() {
        let (_host, mut splitter) = splitter();
        let selector = u32::from_be_bytes(function.selector().0);
        let routed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            <DepositSplitter as Router<DepositSplitter>>::route(&mut splitter, selector, &[])
                .is_some()
        }));
        assert!(
            routed.unwrap_or(true),
            "{} is not routed",
            function.signature()
        );
    }
    let (_host, mut splitter) = splitter();
    assert!(
        <DepositSplitter as Router<DepositSplitter>>::route(&mut splitter, 0xdead_beef, &[])
            .is_none()
    );
}
