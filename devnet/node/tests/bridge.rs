//! The bridge through the Rust API: retryable tickets (success, failure then manual redeem,
//! expiry), fee-token deposits with decimal scaling, the inbox's cost check, and the outbox delay.

use alloy_consensus::Transaction as _;
use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use alloy_sol_types::{sol, SolCall, SolError, SolEvent};
use xmtp_devnet_node::asm::{assemble, init_code, op, push, push_bytes, Item::Op};
use xmtp_devnet_node::contracts::{
    recorder_code, selector, ARB_RETRYABLE_TX, DEV_FEE_TOKEN, INBOX,
};
use xmtp_devnet_node::devnet::to_alias;
use xmtp_devnet_node::devnet::{createRetryableTicketCall, depositERC20Call, redeemCall};
use xmtp_devnet_node::{CallRequest, Devnet, DevnetConfig, Side, TxRequest};

sol! {
    function calculateRetryableSubmissionFee(uint256 dataLength, uint256 baseFee) returns (uint256);
    function approve(address spender, uint256 amount) returns (bool);
    function balanceOf(address owner) returns (uint256);
    function getTimeout(bytes32 ticketId) returns (uint256);
    function getLifetime() returns (uint256);
    function keepalive(bytes32 ticketId) returns (uint256);
    function cancel(bytes32 ticketId);
    function getBeneficiary(bytes32 ticketId) returns (address);
    function getCurrentRedeemer() returns (address);
    function submitRetryable(
        bytes32 requestId,
        uint256 l1BaseFee,
        uint256 deposit,
        uint256 callvalue,
        uint256 gasFeeCap,
        uint64 gasLimit,
        uint256 maxSubmissionFee,
        address feeRefundAddress,
        address beneficiary,
        address retryTo,
        bytes retryData
    );
    event TicketCreated(bytes32 indexed ticketId);
    event RedeemScheduled(
        bytes32 indexed ticketId,
        bytes32 indexed retryTxHash,
        uint64 indexed sequenceNum,
        uint64 donatedGas,
        address gasDonor,
        uint256 maxRefund,
        uint256 submissionFeeRefund
    );
    event LifetimeExtended(bytes32 indexed ticketId, uint256 newTimeout);
    event Canceled(bytes32 indexed ticketId);
    error NotCallable();
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

/// Sends `call` to ArbRetryableTx on the app chain from `from`.
fn on_arb_retryable_tx(d: &mut Devnet, from: Address, call: &impl SolCall) -> B256 {
    send(d, Side::App, from, ARB_RETRYABLE_TX, call.abi_encode())
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
        self.ticket_to(self.target, Bytes::new(), gas_limit, max_fee)
    }

    /// As [`Fixture::ticket`], to any callee with any calldata.
    fn ticket_to(&mut self, to: Address, data: Bytes, gas_limit: u64, max_fee: u64) -> B256 {
        let call = createRetryableTicketCall {
            to,
            l2CallValue: e18(1),
            maxSubmissionCost: U256::from(1_000_000_000_000u64),
            excessFeeRefundAddress: self.refund,
            callValueRefundAddress: self.beneficiary,
            gasLimit: U256::from(gas_limit),
            maxFeePerGas: U256::from(max_fee),
            tokenTotalFeeAmount: U256::from(2_000_000u64),
            data,
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
    let h = on_arb_retryable_tx(&mut f.d, redeemer, &redeemCall { ticketId: id });
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
    let h = on_arb_retryable_tx(&mut f.d, redeemer, &redeemCall { ticketId: id });
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

/// ArbRetryableTx's logs of an app-chain transaction, decoded as `E`.
fn events<E: SolEvent>(d: &Devnet, h: B256) -> Vec<E> {
    d.app
        .tx(h)
        .unwrap()
        .receipt
        .logs
        .iter()
        .filter(|l| l.address == ARB_RETRYABLE_TX)
        .filter_map(|l| E::decode_log(l).ok().map(|l| l.data))
        .collect()
}

fn app_view<C: SolCall>(f: &mut Fixture, call: &C) -> Result<C::Return, Bytes> {
    view(&mut f.d, Side::App, ARB_RETRYABLE_TX, call)
}

fn no_ticket() -> Bytes {
    Bytes::from(NoTicketWithID {}.abi_encode())
}

#[test]
fn the_submission_logs_ticket_created_and_the_auto_redeem_as_arbos_does() {
    let mut f = fixture();
    f.ticket(200_000, 2 * BASEFEE);
    let id = f.d.relay().tickets_created[0];
    let created: Vec<TicketCreated> = events(&f.d, id);
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].ticketId, id);
    let scheduled: Vec<RedeemScheduled> = events(&f.d, id);
    assert_eq!(scheduled.len(), 1);
    let s = &scheduled[0];
    assert_eq!(
        (s.ticketId, s.retryTxHash, s.sequenceNum),
        (id, retry_hash(id, 0), 0)
    );
    assert_eq!(s.donatedGas, 200_000, "the ticket's whole gas limit");
    assert_eq!(s.gasDonor, f.refund, "ArbOS names the fee refund address");
    assert_eq!(s.maxRefund, U256::from(200_000 * BASEFEE), "the gas bought");
    assert_eq!(s.submissionFeeRefund, U256::ZERO, "no submission fee here");

    // Without an auto-redeem only TicketCreated is logged, and no retry has run.
    f.ticket(100_000, 0);
    let id = f.d.relay().tickets_created[0];
    assert_eq!(events::<TicketCreated>(&f.d, id).len(), 1);
    assert!(events::<RedeemScheduled>(&f.d, id).is_empty());
    assert_eq!(
        f.d.app
            .chain()
            .storage(ARB_RETRYABLE_TX, U256::from_be_bytes(id.0) + U256::from(1)),
        U256::ZERO,
        "no try counted"
    );
}

#[test]
fn a_manual_redeem_donates_its_gas_and_logs_the_next_try() {
    let mut f = fixture();
    f.ticket(30_000, 2 * BASEFEE);
    let id = f.d.relay().tickets_created[0];
    let redeemer = f.d.accounts()[1].address;
    // The call returns the retry's hash.
    let hash = view(
        &mut f.d,
        Side::App,
        ARB_RETRYABLE_TX,
        &redeemCall { ticketId: id },
    )
    .unwrap();
    assert_eq!(hash, retry_hash(id, 1));
    let before = f.app_balance(redeemer);
    let h = on_arb_retryable_tx(&mut f.d, redeemer, &redeemCall { ticketId: id });
    let redeem = f.d.app.tx(h).unwrap().receipt.clone();
    assert!(redeem.status);
    // The redeemer pays its own transaction's gas only; Nitro would also charge it the gas the
    // retry used (DEVIATIONS: devnet rows).
    assert_eq!(
        f.app_balance(redeemer),
        before - U256::from(redeem.gas_used) * U256::from(BASEFEE)
    );
    assert_eq!(redeem.output, Bytes::from(retry_hash(id, 1).to_vec()));
    let scheduled: Vec<RedeemScheduled> = events(&f.d, h);
    assert_eq!(scheduled.len(), 1);
    let s = &scheduled[0];
    assert_eq!(
        (s.ticketId, s.retryTxHash, s.sequenceNum),
        (id, retry_hash(id, 1), 1)
    );
    assert_eq!(s.gasDonor, redeemer);
    assert_eq!(
        s.maxRefund,
        U256::MAX,
        "a manual redeem's refund is unbounded"
    );
    assert_eq!(s.submissionFeeRefund, U256::ZERO);
    // The retry ran with the donated gas: most of the 2,000,000 the redeemer gave.
    let retry = f.d.app.tx(retry_hash(id, 1)).unwrap();
    assert!(retry.receipt.status);
    assert_eq!(retry.envelope.gas_limit(), s.donatedGas);
    assert!(s.donatedGas > 1_900_000 && s.donatedGas < 2_000_000);
}

#[test]
fn keepalive_adds_one_lifetime_for_anyone_but_not_beyond_one_lifetime_ahead() {
    const LIFETIME: u64 = 7 * 24 * 3600;
    let mut f = fixture();
    f.ticket(100_000, 0);
    let id = f.d.relay().tickets_created[0];
    let timeout = f.d.ticket(id).unwrap().timeout;
    let stranger = f.d.accounts()[5].address;

    let h = on_arb_retryable_tx(&mut f.d, stranger, &keepaliveCall { ticketId: id });
    let r = f.d.app.tx(h).unwrap().receipt.clone();
    assert!(r.status);
    // What the devnet's EVM implementation of ArbRetryableTx costs, not Nitro's precompile
    // pricing (DEVIATIONS: devnet rows).
    assert_eq!(r.gas_used, 28_267);
    let extended = timeout + LIFETIME;
    assert_eq!(
        r.output,
        Bytes::from(U256::from(extended).to_be_bytes::<32>().to_vec())
    );
    let logged: Vec<LifetimeExtended> = events(&f.d, h);
    assert_eq!(logged.len(), 1);
    assert_eq!(
        (logged[0].ticketId, logged[0].newTimeout),
        (id, U256::from(extended))
    );
    assert_eq!(f.d.ticket(id).unwrap().timeout, extended);
    assert_eq!(
        app_view(&mut f, &getTimeoutCall { ticketId: id }).unwrap(),
        U256::from(extended)
    );

    // Its timeout is now more than one lifetime away: a second keepalive is refused with
    // Nitro's plain error (no revert data) and changes nothing.
    let h = on_arb_retryable_tx(&mut f.d, stranger, &keepaliveCall { ticketId: id });
    let r = &f.d.app.tx(h).unwrap().receipt;
    assert!(!r.status);
    assert_eq!(r.output, Bytes::new());
    assert_eq!(f.d.ticket(id).unwrap().timeout, extended);

    // It outlives its first timeout and expires at the extended one.
    f.d.advance(LIFETIME);
    assert!(f.d.relay().expired.is_empty());
    assert!(app_view(&mut f, &getTimeoutCall { ticketId: id }).is_ok());
    f.d.advance(LIFETIME);
    assert_eq!(f.d.relay().expired, vec![id]);
    assert_eq!(f.app_balance(f.beneficiary), e18(1));
    assert_eq!(
        app_view(&mut f, &keepaliveCall { ticketId: id }).unwrap_err(),
        no_ticket()
    );
}

#[test]
fn only_the_beneficiary_cancels_and_gets_the_call_value() {
    let mut f = fixture();
    f.beneficiary = f.d.accounts()[2].address;
    f.ticket(100_000, 0);
    let id = f.d.relay().tickets_created[0];
    let escrow = f.d.ticket(id).unwrap().escrow;
    assert_eq!(
        app_view(&mut f, &getBeneficiaryCall { ticketId: id }).unwrap(),
        f.beneficiary
    );

    // Anyone else is refused with Nitro's plain error and changes nothing.
    let stranger = f.d.accounts()[5].address;
    let h = on_arb_retryable_tx(&mut f.d, stranger, &cancelCall { ticketId: id });
    let r = &f.d.app.tx(h).unwrap().receipt;
    assert!(!r.status);
    assert_eq!(r.output, Bytes::new());
    assert!(f.d.ticket(id).is_some());
    assert_eq!(f.app_balance(escrow), e18(1));

    let before = f.app_balance(f.beneficiary);
    let beneficiary = f.beneficiary;
    let h = on_arb_retryable_tx(&mut f.d, beneficiary, &cancelCall { ticketId: id });
    let record = f.d.app.tx(h).unwrap().clone();
    assert!(record.receipt.status);
    let canceled: Vec<Canceled> = events(&f.d, h);
    assert_eq!(canceled.len(), 1);
    assert_eq!(canceled[0].ticketId, id);
    assert!(f.d.ticket(id).is_none());
    assert_eq!(f.app_balance(escrow), U256::ZERO);
    let fee = U256::from(record.receipt.gas_used) * U256::from(BASEFEE);
    assert_eq!(f.app_balance(f.beneficiary), before + e18(1) - fee);
    for refused in [
        app_view(&mut f, &getTimeoutCall { ticketId: id }).map(|_| ()),
        app_view(&mut f, &getBeneficiaryCall { ticketId: id }).map(|_| ()),
        app_view(&mut f, &redeemCall { ticketId: id }).map(|_| ()),
        app_view(&mut f, &cancelCall { ticketId: id }).map(|_| ()),
    ] {
        assert_eq!(refused.unwrap_err(), no_ticket());
    }
    // It does not expire a second time.
    f.d.advance(8 * 24 * 3600);
    assert!(f.d.relay().is_empty());
    assert_eq!(f.app_balance(f.beneficiary), before + e18(1) - fee);
}

/// Stores what ArbRetryableTx's `getCurrentRedeemer` answers in slot 0.
fn redeemer_recorder() -> Vec<u8> {
    let sel = selector("getCurrentRedeemer()");
    init_code(&assemble(&[
        push_bytes(&sel),
        push(0xe0),
        Op(op::SHL),
        push(0),
        Op(op::MSTORE),
        push(32),
        push(0),
        push(4),
        push(0),
        push(0),
        push_bytes(ARB_RETRYABLE_TX.as_slice()),
        Op(op::GAS),
        Op(op::CALL),
        Op(op::POP),
        push(0),
        Op(op::MLOAD),
        push(0),
        Op(op::SSTORE),
        Op(op::STOP),
    ]))
}

#[test]
fn the_current_redeemer_is_the_fee_refund_address_or_the_caller_of_redeem() {
    let mut f = fixture();
    let user = f.user;
    let h =
        f.d.send_tx(
            Side::App,
            &TxRequest {
                from: user,
                data: redeemer_recorder().into(),
                ..TxRequest::default()
            },
        )
        .unwrap();
    let recorder = f.d.app.tx(h).unwrap().receipt.created.unwrap();
    let seen_redeemer =
        |f: &Fixture| Address::from_word(f.d.app.chain().storage(recorder, U256::ZERO).into());
    assert_eq!(
        app_view(&mut f, &getCurrentRedeemerCall {}).unwrap(),
        Address::ZERO,
        "no retry runs"
    );

    f.ticket_to(recorder, Bytes::new(), 200_000, 2 * BASEFEE);
    assert_eq!(f.d.relay().redeemed.len(), 1);
    assert_eq!(seen_redeemer(&f), f.refund);

    f.ticket_to(recorder, Bytes::new(), 100_000, 0);
    let id = f.d.relay().tickets_created[0];
    let redeemer = f.d.accounts()[4].address;
    on_arb_retryable_tx(&mut f.d, redeemer, &redeemCall { ticketId: id });
    assert!(f.d.ticket(id).is_none());
    assert_eq!(seen_redeemer(&f), redeemer);
    assert_eq!(
        app_view(&mut f, &getCurrentRedeemerCall {}).unwrap(),
        Address::ZERO,
        "cleared after the retry"
    );
}

#[test]
fn a_ticket_cannot_cancel_or_redeem_itself_from_its_own_retry() {
    let mut f = fixture();
    // The sender's alias is the beneficiary, so only ArbOS's self-modification rule refuses.
    f.beneficiary = to_alias(f.user);
    for call in [
        |id| cancelCall { ticketId: id }.abi_encode(),
        |id| redeemCall { ticketId: id }.abi_encode(),
    ] {
        let number = f.d.settlement.chain().storage(INBOX, U256::ZERO);
        let id = keccak256(
            [
                b"retryable".as_slice(),
                &U256::from(31_338u64).to_be_bytes::<32>(),
                &number.to_be_bytes::<32>(),
            ]
            .concat(),
        );
        f.ticket_to(ARB_RETRYABLE_TX, call(id).into(), 200_000, 2 * BASEFEE);
        let report = f.d.relay();
        assert_eq!(report.tickets_created, vec![id]);
        assert_eq!(report.failed, vec![id]);
        assert!(report.canceled.is_empty() && report.redeemed.is_empty());
        let retry = &f.d.app.tx(retry_hash(id, 0)).unwrap().receipt;
        assert!(!retry.status);
        assert_eq!(retry.output, Bytes::new());
        assert!(f.d.ticket(id).is_some());
    }
}

#[test]
fn submit_retryable_is_not_callable() {
    let mut f = fixture();
    let call = submitRetryableCall {
        requestId: B256::repeat_byte(1),
        l1BaseFee: U256::ZERO,
        deposit: U256::ZERO,
        callvalue: U256::ZERO,
        gasFeeCap: U256::ZERO,
        gasLimit: 0,
        maxSubmissionFee: U256::ZERO,
        feeRefundAddress: f.user,
        beneficiary: f.user,
        retryTo: f.user,
        retryData: Bytes::new(),
    };
    assert_eq!(
        app_view(&mut f, &call).map(|_| ()).unwrap_err(),
        Bytes::from(NotCallable {}.abi_encode())
    );
}

#[test]
fn a_redeem_is_estimated_with_its_retry_and_refused_below_a_transactions_cost() {
    let mut f = fixture();
    f.ticket(30_000, 2 * BASEFEE);
    let id = f.d.relay().tickets_created[0];
    let redeemer = f.d.accounts()[1].address;
    let request = CallRequest {
        from: Some(redeemer),
        to: Some(ARB_RETRYABLE_TX),
        data: redeemCall { ticketId: id }.abi_encode().into(),
        ..CallRequest::default()
    };
    let alone = f.d.app.estimate_gas(&request).unwrap();
    let estimate = f.d.estimate_gas(Side::App, &request).unwrap();
    // The retry's three cold stores need far more than the redeem itself.
    assert!(estimate > alone + 60_000, "{estimate} vs {alone}");
    let redeem_with = |f: &mut Fixture, gas: u64| {
        f.d.send_tx(
            Side::App,
            &TxRequest {
                from: redeemer,
                to: Some(ARB_RETRYABLE_TX),
                data: redeemCall { ticketId: id }.abi_encode().into(),
                gas: Some(gas),
                ..TxRequest::default()
            },
        )
        .unwrap()
    };

    // Below a transaction's base cost left to donate, Nitro refuses the redeem outright.
    let h = redeem_with(&mut f, 30_000);
    let r = &f.d.app.tx(h).unwrap().receipt;
    assert!(!r.status);
    assert_eq!(r.output, Bytes::new());
    assert!(f.d.app.tx(retry_hash(id, 1)).is_none(), "no try counted");

    // One gas short of the estimate, the retry runs out of gas; with the estimate it succeeds.
    let snap = f.d.snapshot();
    redeem_with(&mut f, estimate - 1);
    assert!(!f.d.app.tx(retry_hash(id, 1)).unwrap().receipt.status);
    assert!(f.d.ticket(id).is_some());
    assert!(f.d.revert(snap));
    redeem_with(&mut f, estimate);
    assert!(f.d.app.tx(retry_hash(id, 1)).unwrap().receipt.status);
    assert!(f.d.ticket(id).is_none());
    // The ticket gone, a redeem is estimated as the call it is, which reverts.
    let gone = f.d.estimate_gas(Side::App, &request).unwrap_err();
    assert_eq!(gone.data, Some(no_ticket()));
}

#[test]
fn a_redeem_whose_retry_always_fails_has_no_estimate() {
    let mut f = fixture();
    // ArbRetryableTx refuses an unknown selector: this retry can never succeed.
    f.ticket_to(ARB_RETRYABLE_TX, Bytes::from(vec![1, 2, 3, 4]), 100_000, 0);
    let id = f.d.relay().tickets_created[0];
    let request = CallRequest {
        from: Some(f.user),
        to: Some(ARB_RETRYABLE_TX),
        data: redeemCall { ticketId: id }.abi_encode().into(),
        ..CallRequest::default()
    };
    let err = f.d.estimate_gas(Side::App, &request).unwrap_err();
    assert_eq!((err.code, err.message.as_str()), (3, "execution reverted"));
    assert_eq!(err.data, Some(Bytes::new()));
    // Estimating changed nothing: the ticket and its sender's balance are as they were.
    let ticket = f.d.ticket(id).unwrap().clone();
    assert_eq!(f.app_balance(ticket.from), U256::ZERO);
    assert_eq!(f.app_balance(ticket.escrow), e18(1));
}

#[test]
fn a_withdrawal_made_by_a_retry_reaches_the_outbox() {
    let mut f = fixture();
    let call = sendTxToL1Call {
        destination: f.user,
        data: Bytes::new(),
    };
    f.ticket_to(
        xmtp_devnet::arb::ARB_SYS,
        call.abi_encode().into(),
        200_000,
        2 * BASEFEE,
    );
    let report = f.d.relay();
    assert_eq!(report.redeemed.len(), 1, "{report:?}");
    assert_eq!(f.d.outbox().len(), 1);
    let entry = &f.d.outbox()[0];
    assert_eq!(entry.message.caller, to_alias(f.user));
    assert_eq!(entry.message.destination, f.user);
    assert_eq!(entry.message.value, e18(1), "the ticket's call value");
    assert_eq!(entry.ready_at, f.d.app.chain().timestamp() + 3600);
}
