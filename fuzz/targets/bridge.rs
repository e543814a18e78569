//! Bridging on the two-chain devnet (`xmtp_devnet_node::Devnet`): random interleavings of
//! retryable tickets (auto-redeemed, failing, left for later), fee-token deposits, manual
//! redeems (of live, redeemed, expired and unknown tickets), withdrawals through the outbox,
//! relays and clock moves. After every step, against a model kept here:
//!
//! * settlement chain: the fee tokens of the user, the inbox and the withdrawal destination
//!   add up to what they started with; the inbox holds exactly what was escrowed minus what
//!   the outbox paid out;
//! * app chain: a live ticket's escrow holds exactly its call value, a finished one's nothing;
//!   the callee ran once per redeemed ticket and holds their call values; the beneficiary holds
//!   the call values of the expired tickets; deposits arrive scaled to 18 decimals;
//! * no ticket is redeemed twice, or both redeemed and expired.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

use alloy_primitives::{address, Address, Bytes, B256, U256};
use alloy_sol_types::{sol, SolCall};
use xmtp_devnet_node::contracts::{recorder_code, ARB_RETRYABLE_TX, DEV_FEE_TOKEN, INBOX};
use xmtp_devnet_node::devnet::{createRetryableTicketCall, depositERC20Call, redeemCall};
use xmtp_devnet_node::{CallRequest, Devnet, DevnetConfig, RelayReport, Side, TxRequest};

use crate::input::Input;

sol! {
    function approve(address spender, uint256 amount) returns (bool);
    function balanceOf(address owner) returns (uint256);
    function sendTxToL1(address destination, bytes data) payable returns (uint256);
}

/// Most steps of one input.
const MAX_STEPS: usize = 16;
/// Where expired tickets' call values go.
const BENEFICIARY: Address = address!("0x000000000000000000000000000000000000bebe");
/// Where unused ticket fees go.
const REFUND: Address = address!("0x000000000000000000000000000000000000fefe");
/// Where withdrawals are paid on the settlement chain.
const WITHDRAWN_TO: Address = address!("0x000000000000000000000000000000000000d0d0");

struct Fixture {
    devnet: Devnet,
    snapshot: u64,
    user: Address,
    redeemer: Address,
    withdrawer: Address,
    target: Address,
}

thread_local! {
    static FIXTURE: RefCell<Option<Fixture>> = const { RefCell::new(None) };
}

fn send(
    d: &mut Devnet,
    side: Side,
    from: Address,
    to: Address,
    value: U256,
    data: Vec<u8>,
) -> bool {
    let request = TxRequest {
        from,
        to: Some(to),
        value,
        data: data.into(),
        gas: Some(2_000_000),
        ..TxRequest::default()
    };
    match d.send_tx(side, &request) {
        Ok(hash) => d.node(side).tx(hash).expect("recorded").receipt.status,
        Err(_) => false,
    }
}

fn tokens(d: &mut Devnet, who: Address) -> U256 {
    let r = d
        .node_mut(Side::Settlement)
        .call(&CallRequest {
            to: Some(DEV_FEE_TOKEN),
            data: balanceOfCall { owner: who }.abi_encode().into(),
            ..CallRequest::default()
        })
        .expect("accepted");
    balanceOfCall::abi_decode_returns(&r.output).expect("a balance")
}

fn setup() -> Fixture {
    let mut devnet = Devnet::new(DevnetConfig::default()).expect("a devnet");
    let accounts = devnet.accounts();
    let (user, redeemer, withdrawer) = (
        accounts[0].address,
        accounts[1].address,
        accounts[2].address,
    );
    let request = TxRequest {
        from: user,
        data: recorder_code().into(),
        ..TxRequest::default()
    };
    let hash = devnet.send_tx(Side::App, &request).expect("deploys");
    let target = devnet
        .app
        .tx(hash)
        .expect("recorded")
        .receipt
        .created
        .expect("created");
    let approve = approveCall {
        spender: INBOX,
        amount: U256::MAX,
    };
    assert!(send(
        &mut devnet,
        Side::Settlement,
        user,
        DEV_FEE_TOKEN,
        U256::ZERO,
        approve.abi_encode()
    ));
    let snapshot = devnet.snapshot();
    Fixture {
        devnet,
        snapshot,
        user,
        redeemer,
        withdrawer,
        target,
    }
}

/// What the bridge must have done so far.
#[derive(Default)]
struct Model {
    /// Ticket messages sent, not yet relayed: their call values, in order.
    pending: VecDeque<U256>,
    /// Deposits sent, not yet relayed (token units).
    pending_deposits: VecDeque<U256>,
    /// Every ticket the relay created, with its call value.
    tickets: BTreeMap<B256, U256>,
    redeemed: BTreeSet<B256>,
    expired: BTreeSet<B256>,
    inbox: U256,
    withdrawn: U256,
    deposited_native: U256,
}

impl Model {
    fn live(&self, id: &B256) -> bool {
        !self.redeemed.contains(id) && !self.expired.contains(id)
    }

    fn redeem(&mut self, id: B256) {
        assert!(self.live(&id), "ticket {id} redeemed after it was finished");
        self.redeemed.insert(id);
    }

    /// Accounts for what a relay did: expiries, created tickets (auto-redeemed ones are gone
    /// from the devnet), deposits, executed outbox entries.
    fn relayed(&mut self, d: &Devnet, report: &RelayReport, user: Address, scale: U256) {
        for id in &report.expired {
            assert!(self.live(id), "ticket {id} expired after it was finished");
            self.expired.insert(*id);
        }
        for id in &report.tickets_created {
            let value = self.pending.pop_front().expect("a ticket was sent");
            assert!(
                self.tickets.insert(*id, value).is_none(),
                "ticket id {id} reused"
            );
        }
        assert!(self.pending.is_empty(), "every ticket message relayed");
        for (to, amount) in &report.deposits {
            let sent = self
                .pending_deposits
                .pop_front()
                .expect("a deposit was sent");
            assert_eq!((*to, *amount), (user, sent * scale));
            self.deposited_native += *amount;
        }
        assert!(self.pending_deposits.is_empty(), "every deposit relayed");
        for id in &report.tickets_created {
            if d.ticket(*id).is_none() {
                self.redeem(*id);
            }
        }
        for position in &report.outbox_executed {
            let entry = d
                .outbox()
                .iter()
                .find(|e| e.message.position == *position)
                .expect("an outbox entry");
            let paid = entry.message.value / scale;
            self.inbox = self
                .inbox
                .checked_sub(paid)
                .expect("the inbox paid out more than it held");
            self.withdrawn += paid;
        }
    }
}

/// Runs one fuzz input.
pub fn run(data: &[u8]) {
    FIXTURE.with(|cell| {
        let mut cell = cell.borrow_mut();
        let f = cell.get_or_insert_with(setup);
        assert!(f.devnet.revert(f.snapshot), "the snapshot exists");
        f.snapshot = f.devnet.snapshot();
        steps(f, &mut Input::new(data));
    });
}

fn steps(f: &mut Fixture, input: &mut Input<'_>) {
    let (user, redeemer, withdrawer, target) = (f.user, f.redeemer, f.withdrawer, f.target);
    let d = &mut f.devnet;
    let scale = d.scale();
    let tokens_before = tokens(d, user) + tokens(d, INBOX) + tokens(d, WITHDRAWN_TO);
    let user_native = d.app.chain().balance(user);
    let mut model = Model::default();
    for _ in 0..MAX_STEPS {
        if input.is_empty() {
            break;
        }
        match input.u8() % 8 {
            0 | 1 => send_ticket(d, input, user, target, &mut model),
            2 => {
                let amount = U256::from(input.upto(5_000_000));
                let call = depositERC20Call { amount };
                if send(
                    d,
                    Side::Settlement,
                    user,
                    INBOX,
                    U256::ZERO,
                    call.abi_encode(),
                ) {
                    model.inbox += amount;
                    model.pending_deposits.push_back(amount);
                }
            }
            3 | 4 => {
                let report = if input.u8() & 1 == 0 {
                    d.relay()
                } else {
                    d.relay_all()
                };
                model.relayed(d, &report, user, scale);
            }
            5 => {
                let ids: Vec<B256> = model.tickets.keys().copied().collect();
                let id = if ids.is_empty() || input.u8().is_multiple_of(8) {
                    B256::from(input.bytes::<32>())
                } else {
                    ids[input.upto(u32::try_from(ids.len() - 1).expect("few")) as usize]
                };
                let was_live = d.ticket(id).is_some();
                let ok = send(
                    d,
                    Side::App,
                    redeemer,
                    ARB_RETRYABLE_TX,
                    U256::ZERO,
                    redeemCall { ticketId: id }.abi_encode(),
                );
                if ok && d.ticket(id).is_none() {
                    assert!(was_live, "redeemed {id}, which was not live");
                    model.redeem(id);
                } else {
                    assert_eq!(
                        d.ticket(id).is_some(),
                        was_live,
                        "a failed redeem changed {id}"
                    );
                }
            }
            6 => {
                let value = U256::from(input.u64());
                let call = sendTxToL1Call {
                    destination: WITHDRAWN_TO,
                    data: Bytes::new(),
                };
                send(
                    d,
                    Side::App,
                    withdrawer,
                    xmtp_devnet::arb::ARB_SYS,
                    value,
                    call.abi_encode(),
                );
            }
            _ => {
                let seconds = match input.u8() % 3 {
                    0 => 3_600,
                    1 => 7 * 24 * 3_600,
                    _ => u64::from(input.u32() % (8 * 24 * 3_600)),
                };
                d.advance(seconds);
            }
        }
        check(d, target, user, &model, tokens_before, user_native);
    }
}

/// Sends a ticket for the recorder with fuzzed call value, gas terms and fee tokens; the
/// inbox must refuse exactly the ones its tokens do not cover.
fn send_ticket(
    d: &mut Devnet,
    input: &mut Input<'_>,
    user: Address,
    target: Address,
    model: &mut Model,
) {
    let scale = d.scale();
    let basefee = d.config().basefee;
    let call_value = U256::from(input.upto(3)) * U256::from(10u64).pow(U256::from(18u8));
    let gas_limit = match input.u8() % 4 {
        0 => 30_000,
        1 => 200_000,
        2 => 0,
        _ => u64::from(input.upto(3_000_000)),
    };
    let max_fee = match input.u8() % 3 {
        0 => 0,
        1 => basefee,
        _ => 2 * basefee,
    };
    let needed = call_value + U256::from(gas_limit) * U256::from(max_fee);
    let covering = needed.div_ceil(scale);
    let total = match input.u8() % 3 {
        0 => covering,
        1 => covering + U256::from(input.upto(1_000_000)),
        _ => U256::from(input.upto(4_000_000)),
    };
    let call = createRetryableTicketCall {
        to: target,
        l2CallValue: call_value,
        maxSubmissionCost: U256::ZERO,
        excessFeeRefundAddress: REFUND,
        callValueRefundAddress: BENEFICIARY,
        gasLimit: U256::from(gas_limit),
        maxFeePerGas: U256::from(max_fee),
        tokenTotalFeeAmount: total,
        data: Bytes::new(),
    };
    if send(
        d,
        Side::Settlement,
        user,
        INBOX,
        U256::ZERO,
        call.abi_encode(),
    ) {
        assert!(
            total * scale >= needed,
            "the inbox took a ticket its tokens do not cover"
        );
        model.inbox += total;
        model.pending.push_back(call_value);
    }
}

fn check(
    d: &mut Devnet,
    target: Address,
    user: Address,
    model: &Model,
    tokens_before: U256,
    user_native: U256,
) {
    let (user_tokens, inbox, withdrawn) =
        (tokens(d, user), tokens(d, INBOX), tokens(d, WITHDRAWN_TO));
    assert_eq!(
        user_tokens + inbox + withdrawn,
        tokens_before,
        "fee tokens conserved"
    );
    assert_eq!(inbox, model.inbox, "the inbox holds what was escrowed");
    assert_eq!(withdrawn, model.withdrawn, "withdrawals paid once");
    let app = d.app.chain();
    let mut executed_value = U256::ZERO;
    let mut expired_value = U256::ZERO;
    for (id, value) in &model.tickets {
        let ticket = d.ticket(*id);
        assert_eq!(ticket.is_some(), model.live(id), "ticket {id} liveness");
        if let Some(ticket) = ticket {
            assert_eq!(
                app.balance(ticket.escrow),
                *value,
                "escrow of live ticket {id}"
            );
        }
        if model.redeemed.contains(id) {
            executed_value += *value;
        }
        if model.expired.contains(id) {
            expired_value += *value;
        }
    }
    let runs = app.storage(target, U256::from(2u8));
    assert_eq!(
        runs,
        U256::from(model.redeemed.len()),
        "the callee ran once per redeemed ticket"
    );
    assert_eq!(
        app.balance(target),
        executed_value,
        "the callee holds the redeemed call values"
    );
    assert_eq!(
        app.balance(BENEFICIARY),
        expired_value,
        "the beneficiary holds the expired call values"
    );
    assert_eq!(
        app.balance(user),
        user_native + model.deposited_native,
        "deposits arrive scaled"
    );
}
