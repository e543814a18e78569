//! Property tests: random sequences of deposits (directly, with a permit, from the underlying
//! with and without a permit), withdrawal requests, cancellations and finalizations,
//! settlements, excess transfers, pause, minimum-deposit and lock-period updates, donations and
//! time steps, run against the program (the tokens and the parameter registry modelled by
//! mocks) and against a plain model of the spec. After every step the outcome (success or the
//! exact error), the settings and every payer's record must match the model, every change of a
//! payer's balance or pending withdrawal must be what the step's events say, and the invariants
//! of spec §3.8 must hold. A failed call's state changes are rolled back, as the chain reverts
//! them.

use std::collections::HashMap;

use alloy_primitives::{Address, Log, LogData, B256, U256};
use alloy_sol_types::SolError;
use alloy_sol_types::SolEvent;
use proptest::prelude::*;
use xmtp_abi::fee_token::ZeroAmount;
use xmtp_core::{
    testing::{CallKind, MockHost},
    Bubbled,
};

use super::tests::{
    balance_of_call, bool_word, deposit, host, mock_get, mock_underlying_path, permit_call,
    set_totals, set_word, slot, transfer_call, transfer_from_call, u96, uint_word, wrap_call,
    DISTRIBUTOR, FEE_TOKEN, SETTLER, START, UNDERLYING,
};
use super::*;

const PAYERS: [Address; 3] = [
    Address::with_last_byte(0xa1),
    Address::with_last_byte(0xa2),
    Address::with_last_byte(0xa3),
];
const REPORT: B256 = B256::repeat_byte(0x42);

/// Which of the four deposit functions a deposit goes through.
#[derive(Clone, Copy, Debug)]
enum Via {
    Direct,
    /// `depositWithPermit`: the fee token's permit is tried (and refused here) first.
    Permit,
    Underlying,
    /// `depositFromUnderlyingWithPermit`: the underlying's permit is tried (and refused) first.
    UnderlyingPermit,
}

impl Via {
    fn wraps_underlying(self) -> bool {
        matches!(self, Via::Underlying | Via::UnderlyingPermit)
    }
}

#[derive(Clone, Debug)]
enum Op {
    Deposit {
        payer: usize,
        amount: u128,
        via: Via,
    },
    Request {
        payer: usize,
        amount: u128,
    },
    Cancel {
        payer: usize,
    },
    Finalize {
        payer: usize,
        into_underlying: bool,
    },
    Settle {
        fees: Vec<(usize, u128)>,
    },
    SendExcess,
    Donate {
        amount: u128,
    },
    Warp {
        seconds: u64,
    },
    /// `updatePauseStatus()` reading this value.
    Pause {
        paused: bool,
    },
    /// `updateMinimumDeposit()` reading this value.
    MinimumDeposit {
        amount: u128,
    },
    /// `updateWithdrawLockPeriod()` reading this value.
    LockPeriod {
        seconds: u32,
    },
}

fn via() -> impl Strategy<Value = Via> {
    prop_oneof![
        Just(Via::Direct),
        Just(Via::Permit),
        Just(Via::Underlying),
        Just(Via::UnderlyingPermit),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let payer = 0..PAYERS.len();
    prop_oneof![
        3 => (payer.clone(), 0..1_000u128, via())
            .prop_map(|(payer, amount, via)| Op::Deposit { payer, amount, via }),
        2 => (payer.clone(), 0..1_200u128).prop_map(|(payer, amount)| Op::Request { payer, amount }),
        1 => payer.clone().prop_map(|payer| Op::Cancel { payer }),
        2 => (payer.clone(), any::<bool>())
            .prop_map(|(payer, into_underlying)| Op::Finalize { payer, into_underlying }),
        2 => prop::collection::vec((payer, 0..800u128), 0..4).prop_map(|fees| Op::Settle { fees }),
        1 => Just(Op::SendExcess),
        1 => (0..300u128).prop_map(|amount| Op::Donate { amount }),
        2 => (0..120u64).prop_map(|seconds| Op::Warp { seconds }),
        1 => any::<bool>().prop_map(|paused| Op::Pause { paused }),
        1 => prop_oneof![Just(0u128), 1..50u128].prop_map(|amount| Op::MinimumDeposit { amount }),
        1 => prop_oneof![
            8 => 0..200u32,
            1 => Just(MAX_WITHDRAW_LOCK_PERIOD),
            1 => Just(MAX_WITHDRAW_LOCK_PERIOD + 1),
        ]
        .prop_map(|seconds| Op::LockPeriod { seconds }),
    ]
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct PayerModel {
    balance: i128,
    pending: u128,
    timestamp: u32,
    nonce: u32,
}

/// The spec, with unbounded integers (amounts here never approach the type limits).
#[derive(Clone, Debug)]
struct Model {
    payers: [PayerModel; 3],
    token_balance: u128,
    minimum_deposit: u128,
    lock_period: u32,
    paused: bool,
    now: u64,
}

impl Model {
    fn withdrawable(&self) -> u128 {
        self.payers
            .iter()
            .map(|payer| payer.balance.max(0).unsigned_abs() + payer.pending)
            .sum()
    }

    /// `Paused()` for the operations the pause stops (every one here but the parameter
    /// updates, donations and time).
    fn pause_check(&self, op: &Op) -> Result<(), PayerRegistryError> {
        let stopped = matches!(
            op,
            Op::Request { .. }
                | Op::Cancel { .. }
                | Op::Finalize { .. }
                | Op::Settle { .. }
                | Op::SendExcess
        );
        if stopped && self.paused {
            return Err(Paused {}.into());
        }
        Ok(())
    }

    fn apply(&mut self, op: &Op) -> Result<Option<u128>, PayerRegistryError> {
        self.pause_check(op)?;
        match *op {
            Op::Deposit { payer, amount, via } => self.deposit(payer, amount, via).map(|()| None),
            Op::Request { .. } | Op::Cancel { .. } | Op::Finalize { .. } => self.withdrawal(op),
            Op::Settle { ref fees } => {
                for (payer, fee) in fees {
                    self.payers[*payer].balance -= i128::try_from(*fee).unwrap();
                }
                Ok(Some(fees.iter().map(|(_, fee)| fee).sum()))
            }
            Op::SendExcess => {
                let excess = self.token_balance.saturating_sub(self.withdrawable());
                if excess == 0 {
                    return Err(NoExcess {}.into());
                }
                self.token_balance -= excess;
                Ok(Some(excess))
            }
            Op::Donate { amount } => {
                self.token_balance += amount;
                Ok(None)
            }
            Op::Warp { seconds } => {
                self.now += seconds;
                Ok(None)
            }
            Op::Pause { .. } | Op::MinimumDeposit { .. } | Op::LockPeriod { .. } => {
                self.setting(op).map(|()| None)
            }
        }
    }

    fn deposit(&mut self, payer: usize, amount: u128, via: Via) -> Result<(), PayerRegistryError> {
        // The real fee token refuses to wrap zero, before the registry checks anything.
        if via.wraps_underlying() && amount == 0 {
            return Err(Bubbled(ZeroAmount {}.abi_encode()).into());
        }
        // The pull comes first; the checks follow it.
        if self.paused {
            return Err(Paused {}.into());
        }
        if amount < self.minimum_deposit {
            return Err(InsufficientDeposit {
                amount: u96(amount),
                minimumDeposit: u96(self.minimum_deposit),
            }
            .into());
        }
        self.payers[payer].balance += i128::try_from(amount).unwrap();
        self.token_balance += amount;
        Ok(())
    }

    /// A withdrawal request, cancellation or finalization.
    fn withdrawal(&mut self, op: &Op) -> Result<Option<u128>, PayerRegistryError> {
        match *op {
            Op::Request { payer, amount } => {
                let record = &mut self.payers[payer];
                if amount == 0 {
                    return Err(ZeroWithdrawalAmount {}.into());
                }
                if record.pending != 0 {
                    return Err(PendingWithdrawalExists {}.into());
                }
                if record.balance < i128::try_from(amount).unwrap() {
                    return Err(InsufficientBalance {}.into());
                }
                record.balance -= i128::try_from(amount).unwrap();
                record.pending = amount;
                record.timestamp = u32::try_from(self.now).unwrap() + self.lock_period;
                record.nonce += 1;
                Ok(None)
            }
            Op::Cancel { payer } => {
                let record = &mut self.payers[payer];
                if record.pending == 0 {
                    return Err(NoPendingWithdrawal {}.into());
                }
                record.balance += i128::try_from(record.pending).unwrap();
                record.pending = 0;
                record.timestamp = 0;
                Ok(None)
            }
            Op::Finalize { payer, .. } => {
                let record = &mut self.payers[payer];
                if record.pending == 0 {
                    return Err(NoPendingWithdrawal {}.into());
                }
                if record.balance < 0 {
                    return Err(PayerInDebt {}.into());
                }
                if self.now < u64::from(record.timestamp) {
                    return Err(WithdrawalNotReady {
                        timestamp: u32::try_from(self.now).unwrap(),
                        withdrawableTimestamp: record.timestamp,
                        nonce: U24::from(record.nonce),
                    }
                    .into());
                }
                let amount = record.pending;
                record.pending = 0;
                record.timestamp = 0;
                self.token_balance -= amount;
                Ok(Some(amount))
            }
            _ => unreachable!("not a withdrawal step: {op:?}"),
        }
    }

    /// A pause, minimum-deposit or lock-period update.
    fn setting(&mut self, op: &Op) -> Result<(), PayerRegistryError> {
        match *op {
            Op::Pause { paused } => {
                if paused == self.paused {
                    return Err(NoChange {}.into());
                }
                self.paused = paused;
            }
            Op::MinimumDeposit { amount } => {
                if amount == 0 {
                    return Err(ZeroMinimumDeposit {}.into());
                }
                if amount == self.minimum_deposit {
                    return Err(NoChange {}.into());
                }
                self.minimum_deposit = amount;
            }
            Op::LockPeriod { seconds } => {
                if seconds > MAX_WITHDRAW_LOCK_PERIOD {
                    return Err(WithdrawLockPeriodTooHigh {
                        withdrawLockPeriod: seconds,
                        maxWithdrawLockPeriod: MAX_WITHDRAW_LOCK_PERIOD,
                    }
                    .into());
                }
                if seconds == self.lock_period {
                    return Err(NoChange {}.into());
                }
                self.lock_period = seconds;
            }
            _ => unreachable!("not a setting: {op:?}"),
        }
        Ok(())
    }
}

fn balance_of(host: &MockHost, model: &Model) {
    host.mock(
        CallKind::Static,
        FEE_TOKEN,
        balance_of_call(),
        Ok(B256::from(U256::from(model.token_balance)).to_vec()),
    );
}

/// Runs `op` on the program: `Ok(returned amount)` or its error.
fn run(
    host: &MockHost,
    registry: &mut PayerRegistry,
    model: &Model,
    op: &Op,
) -> Result<Option<u128>, PayerRegistryError> {
    let as_payer = |payer: usize| host.vm.set_sender(PAYERS[payer]);
    let call = CallKind::Call(U256::ZERO);
    match *op {
        Op::Deposit { payer, amount, via } => {
            host.vm.set_sender(tests::ALICE);
            run_deposit(host, registry, PAYERS[payer], amount, via).map(|()| None)
        }
        Op::Request { payer, amount } => {
            as_payer(payer);
            registry.request_withdrawal(u96(amount)).map(|()| None)
        }
        Op::Cancel { payer } => {
            as_payer(payer);
            registry.cancel_withdrawal().map(|()| None)
        }
        Op::Finalize {
            payer,
            into_underlying,
        } => {
            as_payer(payer);
            let (pending, _, _) = registry.get_pending_withdrawal(PAYERS[payer]);
            let amount = pending.to::<u128>();
            let recipient = Address::with_last_byte(0x99);
            if into_underlying {
                let calldata = IFeeTokenLike::withdrawToCall {
                    recipient_: recipient,
                    amount_: U256::from(amount),
                }
                .abi_encode();
                host.mock(call, FEE_TOKEN, calldata, Ok(bool_word(1)));
                registry
                    .finalize_withdrawal_into_underlying(recipient)
                    .map(|()| Some(amount))
            } else {
                host.mock(
                    call,
                    FEE_TOKEN,
                    transfer_call(recipient, amount),
                    Ok(bool_word(1)),
                );
                registry
                    .finalize_withdrawal(recipient)
                    .map(|()| Some(amount))
            }
        }
        Op::Settle { ref fees } => {
            host.vm.set_sender(SETTLER);
            let fees = fees
                .iter()
                .map(|(payer, fee)| (PAYERS[*payer], u96(*fee)))
                .collect();
            registry
                .settle_usage(REPORT, fees)
                .map(|settled| Some(settled.to::<u128>()))
        }
        Op::SendExcess => {
            balance_of(host, model);
            let excess = model.token_balance.saturating_sub(model.withdrawable());
            host.mock(
                call,
                FEE_TOKEN,
                transfer_call(DISTRIBUTOR, excess),
                Ok(bool_word(1)),
            );
            registry
                .send_excess_to_fee_distributor()
                .map(|excess| Some(excess.to::<u128>()))
        }
        Op::Donate { .. } => Ok(None),
        Op::Warp { seconds } => {
            host.vm.set_block_timestamp(model.now + seconds);
            Ok(None)
        }
        Op::Pause { paused } => {
            mock_get(
                host,
                "xmtp.payerRegistry.paused",
                Ok(uint_word(u128::from(paused))),
            );
            registry.update_pause_status().map(|()| None)
        }
        Op::MinimumDeposit { amount } => {
            mock_get(
                host,
                "xmtp.payerRegistry.minimumDeposit",
                Ok(uint_word(amount)),
            );
            registry.update_minimum_deposit().map(|()| None)
        }
        Op::LockPeriod { seconds } => {
            mock_get(
                host,
                "xmtp.payerRegistry.withdrawLockPeriod",
                Ok(uint_word(u128::from(seconds))),
            );
            registry.update_withdraw_lock_period().map(|()| None)
        }
    }
}

/// `ALICE` deposits `amount` for `payer` through `via`; every permit is refused (and must be
/// ignored), every token call otherwise succeeds, except the fee token's refusal to wrap zero.
fn run_deposit(
    host: &MockHost,
    registry: &mut PayerRegistry,
    payer: Address,
    amount: u128,
    via: Via,
) -> Result<(), PayerRegistryError> {
    let call = CallKind::Call(U256::ZERO);
    let (deadline, v, r, s) = (
        U256::from(START + 60),
        27,
        B256::repeat_byte(0xaa),
        B256::repeat_byte(0xbb),
    );
    let refused = Err(vec![0x62, 0x79, 0x13, 0x02]);
    if via.wraps_underlying() {
        mock_underlying_path(host, amount);
        if amount == 0 {
            host.mock(
                call,
                FEE_TOKEN,
                wrap_call(0),
                Err(ZeroAmount {}.abi_encode()),
            );
        }
    } else {
        host.mock(
            call,
            FEE_TOKEN,
            transfer_from_call(tests::ALICE, amount),
            Ok(bool_word(1)),
        );
    }
    match via {
        Via::Direct => deposit(host, registry, payer, amount),
        Via::Permit => {
            host.mock(call, FEE_TOKEN, permit_call(tests::ALICE, amount), refused);
            registry.deposit_with_permit(payer, u96(amount), deadline, v, r, s)
        }
        Via::Underlying => registry.deposit_from_underlying(payer, u96(amount)),
        Via::UnderlyingPermit => {
            host.mock(call, UNDERLYING, permit_call(tests::ALICE, amount), refused);
            registry.deposit_from_underlying_with_permit(payer, u96(amount), deadline, v, r, s)
        }
    }
}

fn decode<E: SolEvent>(logs: &[(Vec<B256>, Vec<u8>)]) -> Vec<E> {
    logs.iter()
        .filter(|(topics, _)| topics.first() == Some(&E::SIGNATURE_HASH))
        .map(|(topics, data)| {
            let log = Log {
                address: Address::ZERO,
                data: LogData::new_unchecked(topics.clone(), data.clone().into()),
            };
            E::decode_log(&log).unwrap().data
        })
        .collect()
}

/// Each payer's balance and pending-withdrawal changes are exactly what the step's events say.
fn balance_changes_have_events(
    logs: &[(Vec<B256>, Vec<u8>)],
    before: &[PayerModel; 3],
    after: &[PayerModel; 3],
) {
    let index = |payer: Address| PAYERS.iter().position(|p| *p == payer).unwrap();
    let mut pending: HashMap<Address, i128> = HashMap::new();
    for event in decode::<WithdrawalRequested>(logs) {
        *pending.entry(event.payer).or_default() += i128::from(event.amount.to::<u64>());
    }
    for event in decode::<WithdrawalCancelled>(logs) {
        *pending.entry(event.payer).or_default() -=
            i128::try_from(before[index(event.payer)].pending).unwrap();
    }
    for event in decode::<WithdrawalFinalized>(logs) {
        *pending.entry(event.payer).or_default() -=
            i128::try_from(before[index(event.payer)].pending).unwrap();
    }
    for (index, payer) in PAYERS.iter().enumerate() {
        let delta = i128::try_from(after[index].pending).unwrap()
            - i128::try_from(before[index].pending).unwrap();
        assert_eq!(
            delta,
            pending.get(payer).copied().unwrap_or_default(),
            "{payer}"
        );
    }
    let mut expected: HashMap<Address, i128> = HashMap::new();
    for event in decode::<Deposit>(logs) {
        *expected.entry(event.payer).or_default() += i128::from(event.amount.to::<u64>());
    }
    for event in decode::<UsageSettled>(logs) {
        *expected.entry(event.payer).or_default() -= i128::from(event.amount.to::<u64>());
    }
    for event in decode::<WithdrawalRequested>(logs) {
        *expected.entry(event.payer).or_default() -= i128::from(event.amount.to::<u64>());
    }
    for event in decode::<WithdrawalCancelled>(logs) {
        *expected.entry(event.payer).or_default() +=
            i128::try_from(before[index(event.payer)].pending).unwrap();
    }
    for (index, payer) in PAYERS.iter().enumerate() {
        let delta = after[index].balance - before[index].balance;
        assert_eq!(
            delta,
            expected.get(payer).copied().unwrap_or_default(),
            "{payer}"
        );
    }
}

fn read_payers(registry: &PayerRegistry) -> [PayerModel; 3] {
    PAYERS.map(|payer| {
        let (pending, timestamp, nonce) = registry.get_pending_withdrawal(payer);
        PayerModel {
            balance: i128::try_from(registry.get_balance(payer)).unwrap(),
            pending: pending.to::<u128>(),
            timestamp,
            nonce: nonce.to::<u32>(),
        }
    })
}

fn check_invariants(host: &MockHost, registry: &PayerRegistry, model: &Model) {
    let payers = read_payers(registry);
    let total_deposits = i128::try_from(registry.total_deposits()).unwrap();
    let total_debt = registry.total_debt().to::<u128>();
    // 1, 2, 3.
    assert_eq!(
        total_deposits,
        payers
            .iter()
            .map(|p| p.balance + i128::try_from(p.pending).unwrap())
            .sum::<i128>()
    );
    assert_eq!(
        total_debt,
        payers
            .iter()
            .map(|p| (-p.balance).max(0).unsigned_abs())
            .sum::<u128>()
    );
    assert!(total_deposits + i128::try_from(total_debt).unwrap() >= 0);
    let withdrawable = registry.total_withdrawable().unwrap().to::<u128>();
    assert_eq!(withdrawable, model.withdrawable());
    // 4, 5.
    assert!(model.token_balance >= withdrawable);
    balance_of(host, model);
    assert_eq!(
        registry.excess().unwrap().to::<u128>(),
        model.token_balance - withdrawable
    );
    // 6.
    for payer in &payers {
        assert_eq!(payer.pending == 0, payer.timestamp == 0);
    }
    // The settings are the model's.
    assert_eq!(registry.paused(), model.paused);
    assert_eq!(registry.minimum_deposit(), u96(model.minimum_deposit));
    assert_eq!(registry.withdraw_lock_period(), model.lock_period);
}

fn restore(host: &MockHost, storage: HashMap<U256, B256>) {
    host.vm.clear_storage();
    for (key, value) in storage {
        host.vm.set_storage(key, value);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn payer_registry_matches_the_model_and_keeps_its_invariants(
        minimum_deposit in prop_oneof![Just(0u128), 1..50u128],
        lock_period in 0..200u32,
        ops in prop::collection::vec(op(), 1..60),
    ) {
        let (host, mut registry) = host();
        registry.initialize().unwrap();
        set_totals(&host, false, 0, 0, lock_period);
        set_word(&host, slot(1), (U256::from_be_bytes(SETTLER.into_word().0) << 96) | U256::from(minimum_deposit));
        set_word(&host, slot(2), U256::from_be_bytes(DISTRIBUTOR.into_word().0));
        let mut model = Model {
            payers: [PayerModel::default(); 3],
            token_balance: 0,
            minimum_deposit,
            lock_period,
            paused: false,
            now: START,
        };
        let mut settled_by_events: u128 = 0;
        let mut settled_by_returns: u128 = 0;
        for op in &ops {
            let storage = host.vm.snapshot().storage;
            let logs_before = host.vm.get_emitted_logs().len();
            let payers_before = read_payers(&registry);
            let debt_before = registry.total_debt();
            let outcome = run(&host, &mut registry, &model, op);
            let expected = model.clone().apply(op);
            prop_assert_eq!(&outcome, &expected, "{:?}", op);
            if outcome.is_err() {
                restore(&host, storage);
            } else {
                model.apply(op).unwrap();
                let logs = host.vm.get_emitted_logs()[logs_before..].to_vec();
                let payers_after = read_payers(&registry);
                balance_changes_have_events(&logs, &payers_before, &payers_after);
                match op {
                    // 8: what the events report is what the call returns.
                    Op::Settle { .. } => {
                        settled_by_events += decode::<UsageSettled>(&logs)
                            .iter()
                            .map(|event| event.amount.to::<u128>())
                            .sum::<u128>();
                        settled_by_returns += outcome.as_ref().ok().copied().flatten().unwrap_or_default();
                    }
                    // 9: a request never creates debt; 7: it bumps the nonce by one.
                    Op::Request { payer, .. } => {
                        prop_assert_eq!(registry.total_debt(), debt_before);
                        prop_assert_eq!(payers_after[*payer].nonce, payers_before[*payer].nonce + 1);
                    }
                    // 9: only a payer out of debt finalizes.
                    Op::Finalize { payer, .. } => prop_assert!(payers_after[*payer].balance >= 0),
                    // 5: nothing is left over after sending the excess, and the event says
                    // how much left.
                    Op::SendExcess => {
                        balance_of(&host, &model);
                        prop_assert_eq!(registry.excess(), Ok(U96::ZERO));
                        let sent = decode::<ExcessTransferred>(&logs);
                        prop_assert_eq!(sent.len(), 1);
                        prop_assert_eq!(Some(sent[0].amount.to::<u128>()), *outcome.as_ref().unwrap());
                    }
                    // Each setting changed emits its event.
                    Op::Pause { paused } => prop_assert_eq!(
                        decode::<PauseStatusUpdated>(&logs),
                        vec![PauseStatusUpdated { paused: *paused }]
                    ),
                    Op::MinimumDeposit { amount } => prop_assert_eq!(
                        decode::<MinimumDepositUpdated>(&logs),
                        vec![MinimumDepositUpdated { minimumDeposit: u96(*amount) }]
                    ),
                    Op::LockPeriod { seconds } => prop_assert_eq!(
                        decode::<WithdrawLockPeriodUpdated>(&logs),
                        vec![WithdrawLockPeriodUpdated { withdrawLockPeriod: *seconds }]
                    ),
                    _ => {}
                }
            }
            // 7: nonces never move otherwise.
            if !matches!(op, Op::Request { .. }) || outcome.is_err() {
                let payers_after = read_payers(&registry);
                for (before, after) in payers_before.iter().zip(payers_after.iter()) {
                    prop_assert_eq!(before.nonce, after.nonce);
                }
            }
            prop_assert_eq!(read_payers(&registry), model.payers);
            check_invariants(&host, &registry, &model);
        }
        prop_assert_eq!(settled_by_events, settled_by_returns);
    }
}
