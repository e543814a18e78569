//! The bridge through the Rust API: retryable tickets (success, failure then manual redeem,
//! expiry), fee-token deposits with decimal scaling, the inbox's cost check, and the outbox delay.

use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use alloy_sol_types::{sol, SolCall, SolError};
use xmtp_devnet_node::asm::{assemble, init_code, op, push, Item::Op};
use xmtp_devnet_node::contracts::{recorder_code, ARB_RETRYABLE_TX, DEV_FEE_TOKEN, INBOX};
use xmtp_devnet_node::devnet::to_alias;
use xmtp_devnet_node::{CallRequest, Devnet, DevnetConfig, Side, TxRequest};

sol! {
    function createRetryableTicket(
        address to,
        uint256 l2CallValue,
        uint256 maxSubmissionCost,
        address excessFeeRefundAddress,
        address callValueRefundAddress,
        uint256 gasLimit,
        uint256 maxFeePerGas,
        uint256 tokenTotalFeeAmount,
        bytes data
    ) returns (uint256);
    function depositERC20(uint256 amount) returns (uint256);
    function calculateRetryableSubmissionFee(uint256 dataLength, uint256 baseFee) returns (uint256);
    function approve(address spender, uint256 amount) returns (bool);
    function balanceOf(address owner) returns (uint256);
    function redeem(bytes32 ticketId) returns (bytes32);
    function getTimeout(bytes32 ticketId) returns (uint256);
    function getLifetime() returns (uint256);
    function sendTxToL1(address destination, bytes data) payable returns (uint256);
    error NoTicketWithID();
    error InsufficientValue(uint256 expected, uint256 actual);
}

const E18: u64 = 1_000_000_000_000_000_000;
const BASEFEE: u64 = 100_000_000;

fn e18(n: u64) -> U256 {
    U256::from(n) * U256::from(E18)
}

struct Fixture {
    d: Devnet,
    user: Address,
    target: Address,
    refund: Address,
    beneficiary: Address,
}

fn send(d: &mut Devnet, side: Side, from: Address, to: Address, data: Vec<u8>) -> B256 {
    d.send_tx(
        side,
        &TxRequest {
            from,
            to: Some(to),
            data: data.into(),
            gas: Some(2_000_000),
            ..TxRequest::default()
        },
    )
    .unwrap()
}

fn status(d: &Devnet, side: Side, h: B256) -> bool {
    d.node(side).tx(h).unwrap().receipt.status
}

fn view<C: SolCall>(d: &mut Devnet, side: Side, to: Address, call: &C) -> Result<C::Return, Bytes> {
    let r = d
        .node_mut(side)
        .call(&CallRequest {
            to: Some(to),
            data: call.abi_encode().into(),
            ..CallRequest::default()
        })
        .unwrap();
    if r.status {
        Ok(C::abi_decode_returns(&r.output).unwrap())
    } else {
        Err(r.output)
    }
}

fn tokens(d: &mut Devnet, who: Address) -> U256 {
    view(
        d,
        Side::Settlement,
        DEV_FEE_TOKEN,
        &balanceOfCall { owner: who },
    )
    .unwrap()
}

fn fixture() -> Fixture {
    let mut d = Devnet::new(DevnetConfig::default()).unwrap();
    let user = d.accounts()[0].address;
    let h = d
        .send_tx(
            Side::App,
            &TxRequest {
                from: user,
                data: recorder_code().into(),
                ..TxRequest::default()
            },
        )
        .unwrap();
    let target = d.app.tx(h).unwrap().receipt.created.unwrap();
    let approve = approveCall {
        spender: INBOX,
        amount: U256::MAX,
    };
    let h = send(
        &mut d,
        Side::Settlement,
        user,
        DEV_FEE_TOKEN,
        approve.abi_encode(),
    );
    assert!(status(&d, Side::Settlement, h));
    Fixture {
        d,
        user,
        target,
        refund: Address::repeat_byte(0xaa),
        beneficiary: Address::repeat_byte(0xbb),
    }
}

impl Fixture {
    /// Creates a ticket for 2 tokens (2e18 wei) carrying 1e18 of call value and a submission
    /// cost of 1e12; returns the settlement transaction's hash.
    fn ticket(&mut self, gas_limit: u64, max_fee: u64) -> B256 {
        let call = createRetryableTicketCall {
            to: self.target,
            l2CallValue: e18(1),
            maxSubmissionCost: U256::from(1_000_000_000_000u64),
            excessFeeRefundAddress: self.refund,
            callValueRefundAddress: self.beneficiary,
            gasLimit: U256::from(gas_limit),
            maxFeePerGas: U256::from(max_fee),
            tokenTotalFeeAmount: U256::from(2_000_000u64),
            data: Bytes::new(),
        };
        send(
            &mut self.d,
            Side::Settlement,
            self.user,
            INBOX,
            call.abi_encode(),
        )
    }

    fn slot(&self, n: u64) -> U256 {
        self.d.app.chain().storage(self.target, U256::from(n))
    }

    fn app_balance(&self, a: Address) -> U256 {
        self.d.app.chain().balance(a)
    }
}

fn retry_hash(id: B256, seq: u64) -> B256 {
    keccak256([id.as_slice(), &U256::from(seq).to_be_bytes::<32>()].concat())
}

#[test]
fn a_ticket_is_escrowed_then_auto_redeemed_from_the_alias() {
    let mut f = fixture();
    let user_tokens = tokens(&mut f.d, f.user);
    let h = f.ticket(200_000, 2 * BASEFEE);
    assert!(status(&f.d, Side::Settlement, h));
    assert_eq!(f.d.pending_messages(), 1);
    assert_eq!(tokens(&mut f.d, INBOX), U256::from(2_000_000u64));
    assert_eq!(
        tokens(&mut f.d, f.user),
        user_tokens - U256::from(2_000_000u64)
    );
    // The message number is the inbox's count of messages.
    assert_eq!(
        f.d.settlement.tx(h).unwrap().receipt.logs.len(),
        1,
        "one inbox message log"
    );

    let report = f.d.relay();
    assert_eq!(report.tickets_created.len(), 1);
    let id = report.tickets_created[0];
    assert_eq!(report.redeemed, vec![retry_hash(id, 0)]);
    assert!(report.failed.is_empty());
    assert!(f.d.ticket(id).is_none());
    assert_eq!(f.d.pending_messages(), 0);

    assert_eq!(
        Address::from_word(f.slot(0).into()),
        to_alias(f.user),
        "executed from the aliased sender"
    );
    assert_eq!(f.slot(1), e18(1));
    assert_eq!(f.slot(2), U256::from(1));
    let retry = f.d.app.tx(retry_hash(id, 0)).unwrap();
    assert!(retry.receipt.status);
    assert_eq!(retry.from, to_alias(f.user));
    let used = U256::from(retry.receipt.gas_used);
    // Everything but the call value and the gas burnt at the base fee is refunded.
    assert_eq!(
        f.app_balance(f.refund),
        e18(2) - e18(1) - used * U256::from(BASEFEE)
    );
    assert_eq!(f.app_balance(to_alias(f.user)), U256::ZERO);
    assert_eq!(f.app_balance(f.beneficiary), U256::ZERO);
    // The submission is recorded under the ticket id with ArbRetryableTx's TicketCreated.
    let created = f.d.app.tx(id).unwrap();
    assert_eq!(created.receipt.logs[0].address, ARB_RETRYABLE_TX);
    assert_eq!(created.receipt.logs[0].topics()[1], id);
    assert_eq!(
        created.block, retry.block,
        "submission and auto-redeem share a block"
    );
    // Once redeemed the ticket is gone.
    let err = view(
        &mut f.d,
        Side::App,
        ARB_RETRYABLE_TX,
        &getTimeoutCall { ticketId: id },
    )
    .unwrap_err();
    assert_eq!(err, Bytes::from(NoTicketWithID {}.abi_encode()));
}

#[test]
fn a_failed_ticket_stays_redeemable_and_a_manual_redeem_runs_it() {
    let mut f = fixture();
    f.ticket(30_000, 2 * BASEFEE);
    let report = f.d.relay();
    let id = report.tickets_created[0];
    assert_eq!(report.failed, vec![id]);
    assert!(report.redeemed.is_empty());
    let ticket = f.d.ticket(id).unwrap().clone();
    assert_eq!(ticket.from, to_alias(f.user));
    assert_eq!(
        f.app_balance(ticket.escrow),
        e18(1),
        "call value back in escrow"
    );
    assert_eq!(f.slot(2), U256::ZERO);
    let failed = f.d.app.tx(retry_hash(id, 0)).unwrap();
    assert!(!failed.receipt.status);
    assert_eq!(
        failed.receipt.gas_used, 30_000,
        "out of gas burns the whole limit"
    );
    assert_eq!(
        f.app_balance(f.refund),
        e18(2) - e18(1) - U256::from(30_000u64 * BASEFEE)
    );
    let timeout: U256 = view(
        &mut f.d,
        Side::App,
        ARB_RETRYABLE_TX,
        &getTimeoutCall { ticketId: id },
    )
    .unwrap();
    assert_eq!(timeout, U256::from(ticket.timeout));
    assert_eq!(ticket.timeout, f.d.app.chain().timestamp() + 7 * 24 * 3600);

    let redeemer = f.d.accounts()[1].address;
    let h = send(
        &mut f.d,
        Side::App,
        redeemer,
        ARB_RETRYABLE_TX,
        redeemCall { ticketId: id }.abi_encode(),
    );
    assert!(status(&f.d, Side::App, h));
    assert!(f.d.ticket(id).is_none());
    let retry = f.d.app.tx(retry_hash(id, 1)).unwrap();
    assert!(retry.receipt.status);
    assert_eq!(
        retry.block,
        f.d.app.tx(h).unwrap().block,
        "the redeem runs in the same block"
    );
    assert_eq!(Address::from_word(f.slot(0).into()), to_alias(f.user));
    assert_eq!(f.slot(1), e18(1));
    assert_eq!(f.slot(2), U256::from(1));
    assert_eq!(f.app_balance(ticket.escrow), U256::ZERO);
    assert_eq!(f.app_balance(f.target), e18(1));

    // A second redeem finds no ticket: the redeemer's transaction reverts.
    let h = send(
        &mut f.d,
        Side::App,
        redeemer,
        ARB_RETRYABLE_TX,
        redeemCall { ticketId: id }.abi_encode(),
    );
    let r = &f.d.app.tx(h).unwrap().receipt;
    assert!(!r.status);
    assert_eq!(r.output, Bytes::from(NoTicketWithID {}.abi_encode()));
    assert_eq!(f.slot(2), U256::from(1));
}

#[test]
fn an_unredeemed_ticket_expires_and_its_value_goes_to_the_beneficiary() {
    let mut f = fixture();
    // A fee cap below the base fee: no auto-redeem.
    f.ticket(100_000, 0);
    let report = f.d.relay();
    let id = report.tickets_created[0];
    assert!(report.redeemed.is_empty() && report.failed.is_empty());
    assert!(f.d.app.tx(retry_hash(id, 0)).is_none());
    let escrow = f.d.ticket(id).unwrap().escrow;
    assert_eq!(f.app_balance(escrow), e18(1));
    assert_eq!(
        f.app_balance(f.refund),
        e18(1),
        "all but the call value refunded"
    );

    let lifetime: U256 = view(&mut f.d, Side::App, ARB_RETRYABLE_TX, &getLifetimeCall {}).unwrap();
    assert_eq!(lifetime, U256::from(7 * 24 * 3600));
    f.d.advance(7 * 24 * 3600 - 1);
    assert!(f.d.relay().expired.is_empty());
    assert!(view(
        &mut f.d,
        Side::App,
        ARB_RETRYABLE_TX,
        &getTimeoutCall { ticketId: id }
    )
    .is_ok());

    f.d.advance(1);
    // At its timeout the ticket can no longer be redeemed, even before the devnet reaps it.
    let err = view(
        &mut f.d,
        Side::App,
        ARB_RETRYABLE_TX,
        &redeemCall { ticketId: id },
    )
    .unwrap_err();
    assert_eq!(err, Bytes::from(NoTicketWithID {}.abi_encode()));
    let report = f.d.relay();
    assert_eq!(report.expired, vec![id]);
    assert!(f.d.ticket(id).is_none());
    assert_eq!(f.app_balance(escrow), U256::ZERO);
    assert_eq!(f.app_balance(f.beneficiary), e18(1));
    assert_eq!(f.slot(2), U256::ZERO, "never executed");
}

#[test]
fn deposits_arrive_in_eighteen_decimal_native_units() {
    let mut f = fixture();
    let before = f.app_balance(f.user);
    let h = send(
        &mut f.d,
        Side::Settlement,
        f.user,
        INBOX,
        depositERC20Call {
            amount: U256::from(5_000_001u64),
        }
        .abi_encode(),
    );
    assert!(status(&f.d, Side::Settlement, h));
    assert_eq!(tokens(&mut f.d, INBOX), U256::from(5_000_001u64));
    let report = f.d.relay();
    let amount = U256::from(5_000_001u64) * U256::from(1_000_000_000_000u64);
    assert_eq!(report.deposits, vec![(f.user, amount)]);
    assert_eq!(f.app_balance(f.user), before + amount);
    // The submission fee is not charged on a chain whose native currency is a token.
    let fee: U256 = view(
        &mut f.d,
        Side::Settlement,
        INBOX,
        &calculateRetryableSubmissionFeeCall {
            dataLength: U256::from(36),
            baseFee: U256::from(1_000_000_000u64),
        },
    )
    .unwrap();
    assert_eq!(fee, U256::ZERO);
}

#[test]
fn the_inbox_refuses_a_ticket_its_tokens_do_not_cover() {
    let mut f = fixture();
    let call = createRetryableTicketCall {
        to: f.target,
        l2CallValue: e18(1),
        maxSubmissionCost: U256::ZERO,
        excessFeeRefundAddress: f.refund,
        callValueRefundAddress: f.beneficiary,
        gasLimit: U256::from(100_000),
        maxFeePerGas: U256::from(BASEFEE),
        tokenTotalFeeAmount: U256::from(1_000_000u64),
        data: Bytes::new(),
    };
    let user_tokens = tokens(&mut f.d, f.user);
    let h = send(&mut f.d, Side::Settlement, f.user, INBOX, call.abi_encode());
    let r = &f.d.settlement.tx(h).unwrap().receipt;
    assert!(!r.status);
    let expected = e18(1) + U256::from(100_000u64 * BASEFEE);
    assert_eq!(
        r.output,
        Bytes::from(
            InsufficientValue {
                expected,
                actual: e18(1)
            }
            .abi_encode()
        )
    );
    assert_eq!(f.d.pending_messages(), 0);
    assert_eq!(tokens(&mut f.d, f.user), user_tokens);
    assert!(f.d.relay().is_empty());
}

#[test]
fn an_outbox_withdrawal_completes_after_the_delay_and_not_before() {
    let mut f = fixture();
    // Escrow some tokens first, as deposits would have.
    send(
        &mut f.d,
        Side::Settlement,
        f.user,
        INBOX,
        depositERC20Call {
            amount: U256::from(5_000_000u64),
        }
        .abi_encode(),
    );
    f.d.relay();
    let h =
        f.d.send_tx(
            Side::Settlement,
            &TxRequest {
                from: f.user,
                data: recorder_code().into(),
                ..TxRequest::default()
            },
        )
        .unwrap();
    let dest = f.d.settlement.tx(h).unwrap().receipt.created.unwrap();

    let value = e18(3) + U256::from(5);
    let h =
        f.d.send_tx(
            Side::App,
            &TxRequest {
                from: f.user,
                to: Some(xmtp_devnet::arb::ARB_SYS),
                value,
                data: sendTxToL1Call {
                    destination: dest,
                    data: Bytes::new(),
                }
                .abi_encode()
                .into(),
                gas: Some(1_000_000),
                ..TxRequest::default()
            },
        )
        .unwrap();
    assert!(status(&f.d, Side::App, h));
    assert_eq!(f.d.outbox().len(), 1);
    let entry = f.d.outbox()[0].clone();
    assert_eq!(entry.message.destination, dest);
    assert_eq!(entry.message.caller, f.user);
    assert_eq!(entry.message.value, value);
    assert_eq!(entry.ready_at, f.d.app.chain().timestamp() + 3600);

    assert!(f.d.relay().outbox_executed.is_empty());
    f.d.advance(3599);
    assert!(f.d.relay().outbox_executed.is_empty());
    let slot0 = |d: &Devnet| d.settlement.chain().storage(dest, U256::ZERO);
    assert_eq!(slot0(&f.d), U256::ZERO);
    assert!(!f.d.outbox()[0].executed);

    f.d.advance(1);
    let report = f.d.relay();
    assert_eq!(report.outbox_executed, vec![entry.message.position]);
    assert!(f.d.outbox()[0].executed);
    assert_eq!(
        Address::from_word(slot0(&f.d).into()),
        INBOX,
        "called by the bridge"
    );
    // 3e18 + 5 wei are 3 whole tokens: the 5 wei are not paid out.
    assert_eq!(tokens(&mut f.d, dest), U256::from(3_000_000u64));
    assert_eq!(tokens(&mut f.d, INBOX), U256::from(2_000_000u64));
    assert!(f.d.relay().is_empty(), "executed once");
}

#[test]
fn relay_all_skips_the_outbox_delay_and_snapshots_cover_both_chains() {
    let mut f = fixture();
    send(
        &mut f.d,
        Side::Settlement,
        f.user,
        INBOX,
        depositERC20Call {
            amount: U256::from(1_000_000u64),
        }
        .abi_encode(),
    );
    let snap = f.d.snapshot();
    let app_head = f.d.app.head();
    assert_eq!(f.d.relay().deposits.len(), 1);
    assert!(f.d.app.head() > app_head);
    assert!(f.d.revert(snap));
    assert_eq!(f.d.app.head(), app_head);
    assert_eq!(f.d.pending_messages(), 1, "the undelivered message is back");
    assert!(!f.d.revert(snap), "a snapshot is used once");

    let h =
        f.d.send_tx(
            Side::App,
            &TxRequest {
                from: f.user,
                to: Some(xmtp_devnet::arb::ARB_SYS),
                value: e18(1),
                data: sendTxToL1Call {
                    destination: f.user,
                    data: Bytes::new(),
                }
                .abi_encode()
                .into(),
                gas: Some(1_000_000),
                ..TxRequest::default()
            },
        )
        .unwrap();
    assert!(status(&f.d, Side::App, h));
    let before = tokens(&mut f.d, f.user);
    let report = f.d.relay_all();
    assert_eq!(report.deposits.len(), 1);
    assert_eq!(report.outbox_executed.len(), 1);
    assert_eq!(tokens(&mut f.d, f.user), before + U256::from(1_000_000u64));
}

/// Calls the address in its first calldata word with the rest of its calldata; bubbles reverts.
fn forwarder() -> Vec<u8> {
    use xmtp_devnet_node::asm::Item;
    init_code(&assemble(&[
        push(32),
        Op(op::CALLDATASIZE),
        Op(op::SUB),
        push(32),
        push(0),
        Op(op::CALLDATACOPY),
        push(0),
        push(0),
        push(32),
        Op(op::CALLDATASIZE),
        Op(op::SUB),
        push(0),
        push(0),
        push(0),
        Op(op::CALLDATALOAD),
        Op(op::GAS),
        Op(op::CALL),
        Item::PushLabel("ok"),
        Op(op::JUMPI),
        Op(op::RETURNDATASIZE),
        push(0),
        push(0),
        Op(op::RETURNDATACOPY),
        Op(op::RETURNDATASIZE),
        push(0),
        Op(op::REVERT),
        Item::Label("ok"),
        Op(op::STOP),
    ]))
}

fn forward(target: Address, data: Vec<u8>) -> Vec<u8> {
    let mut out = target.into_word().to_vec();
    out.extend(data);
    out
}

sol! {
    function mint(address to, uint256 amount) returns (bool);
}

#[test]
fn a_contract_sender_is_aliased_and_so_are_refund_addresses_with_code() {
    let mut f = fixture();
    let h =
        f.d.send_tx(
            Side::Settlement,
            &TxRequest {
                from: f.user,
                data: forwarder().into(),
                ..TxRequest::default()
            },
        )
        .unwrap();
    let fwd = f.d.settlement.tx(h).unwrap().receipt.created.unwrap();
    let user = f.user;
    let mint = mintCall {
        to: fwd,
        amount: U256::from(10_000_000u64),
    };
    let h = send(
        &mut f.d,
        Side::Settlement,
        user,
        DEV_FEE_TOKEN,
        mint.abi_encode(),
    );
    assert!(status(&f.d, Side::Settlement, h));
    let approve = approveCall {
        spender: INBOX,
        amount: U256::MAX,
    };
    let h = send(
        &mut f.d,
        Side::Settlement,
        user,
        fwd,
        forward(DEV_FEE_TOKEN, approve.abi_encode()),
    );
    assert!(status(&f.d, Side::Settlement, h));
    let ticket = createRetryableTicketCall {
        to: f.target,
        l2CallValue: e18(1),
        maxSubmissionCost: U256::ZERO,
        excessFeeRefundAddress: fwd,
        callValueRefundAddress: f.beneficiary,
        gasLimit: U256::from(200_000),
        maxFeePerGas: U256::from(BASEFEE),
        tokenTotalFeeAmount: U256::from(2_000_000u64),
        data: Bytes::new(),
    };
    let h = send(
        &mut f.d,
        Side::Settlement,
        user,
        fwd,
        forward(INBOX, ticket.abi_encode()),
    );
    assert!(status(&f.d, Side::Settlement, h));
    let deposit = depositERC20Call {
        amount: U256::from(3_000_000u64),
    };
    let h = send(
        &mut f.d,
        Side::Settlement,
        user,
        fwd,
        forward(INBOX, deposit.abi_encode()),
    );
    assert!(status(&f.d, Side::Settlement, h));
    assert_eq!(tokens(&mut f.d, fwd), U256::from(5_000_000u64));

    let report = f.d.relay();
    assert_eq!(report.redeemed.len(), 1);
    assert_eq!(Address::from_word(f.slot(0).into()), to_alias(fwd));
    let gas_used = U256::from(f.d.app.tx(report.redeemed[0]).unwrap().receipt.gas_used);
    // The refund address has code on the settlement chain: its alias is refunded, and it is
    // also the sender's alias, where the deposit's 3 tokens arrived too.
    assert_eq!(
        f.app_balance(to_alias(fwd)),
        e18(1) - gas_used * U256::from(BASEFEE) + e18(3)
    );
    assert_eq!(report.deposits, vec![(to_alias(fwd), e18(3))]);
    assert_eq!(f.app_balance(fwd), U256::ZERO);
}
