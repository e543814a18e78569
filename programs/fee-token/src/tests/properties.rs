//! Property: for any sequence of deposits (with or without a permit of the underlying, for the
//! caller or another recipient), withdrawals, transfers, approvals and `transferFrom`s,
//! succeeding or not, the fee token's total supply equals the underlying it holds, and every
//! balance and allowance is the model's.

use alloy_sol_types::SolError;
use proptest::prelude::*;

use super::*;

const USERS: [Address; 3] = [ALICE, BOB, SIGNER_0];

/// How the underlying answers the one call an action makes.
#[derive(Clone, Copy, Debug)]
enum Answer {
    /// As a correct token would: succeed when the balance covers the amount, else revert.
    Honest,
    /// Return `false` without moving anything.
    False,
}

/// A deposit's attempt at the underlying's `permit` first (`depositWithPermit`,
/// `depositForWithPermit`), and how that call ends; either way it must not matter.
#[derive(Clone, Copy, Debug)]
enum Permit {
    None,
    Accepted,
    Refused,
}

#[derive(Clone, Debug)]
enum Action {
    Deposit(usize, u64, Answer, Permit),
    DepositFor(usize, usize, u64, Answer, Permit),
    Withdraw(usize, u64, Answer),
    WithdrawTo(usize, usize, u64, Answer),
    Transfer(usize, usize, u64),
    /// Owner, spender, value (`None`: the infinite allowance, `2^256 - 1`).
    Approve(usize, usize, Option<u64>),
    /// Spender, from, to, value.
    TransferFrom(usize, usize, usize, u64),
}

fn answer() -> impl Strategy<Value = Answer> {
    prop_oneof![4 => Just(Answer::Honest), 1 => Just(Answer::False)]
}

fn permit() -> impl Strategy<Value = Permit> {
    prop_oneof![2 => Just(Permit::None), 1 => Just(Permit::Accepted), 1 => Just(Permit::Refused)]
}

fn action() -> impl Strategy<Value = Action> {
    let user = 0..USERS.len();
    let amount = prop_oneof![1 => Just(0u64), 8 => 1..400u64];
    let allowance = prop_oneof![1 => Just(None), 4 => (0..400u64).prop_map(Some)];
    prop_oneof![
        (user.clone(), amount.clone(), answer(), permit())
            .prop_map(|(u, a, x, p)| Action::Deposit(u, a, x, p)),
        (
            user.clone(),
            user.clone(),
            amount.clone(),
            answer(),
            permit()
        )
            .prop_map(|(u, r, a, x, p)| Action::DepositFor(u, r, a, x, p)),
        (user.clone(), amount.clone(), answer()).prop_map(|(u, a, x)| Action::Withdraw(u, a, x)),
        (user.clone(), user.clone(), amount.clone(), answer())
            .prop_map(|(u, r, a, x)| Action::WithdrawTo(u, r, a, x)),
        (user.clone(), user.clone(), amount.clone())
            .prop_map(|(u, t, a)| Action::Transfer(u, t, a)),
        (user.clone(), user.clone(), allowance).prop_map(|(o, s, a)| Action::Approve(o, s, a)),
        (user.clone(), user.clone(), user, amount)
            .prop_map(|(s, f, t, a)| Action::TransferFrom(s, f, t, a)),
    ]
}

/// The underlying's state and the fee-token balances and allowances a correct implementation
/// must reach.
struct Model {
    underlying: [u64; 3],
    held: u64,
    balances: [u64; 3],
    /// `allowances[owner][spender]`; `None` is the infinite allowance.
    allowances: [[Option<u64>; 3]; 3],
}

impl Model {
    fn allowance(&self, owner: usize, spender: usize) -> U256 {
        self.allowances[owner][spender].map_or(U256::MAX, u256)
    }

    /// OpenZeppelin's refusal when `user`'s balance is below `amount`.
    fn short_of(&self, user: usize, amount: u64) -> Option<FeeTokenError> {
        (self.balances[user] < amount).then(|| {
            ERC20InsufficientBalance {
                sender: USERS[user],
                balance: u256(self.balances[user]),
                needed: u256(amount),
            }
            .into()
        })
    }
}

/// Runs `f` as a transaction: a revert discards its storage writes, as the chain does.
fn transact(
    host: &MockHost,
    f: impl FnOnce() -> Result<(), FeeTokenError>,
) -> Result<(), FeeTokenError> {
    let before = host.vm.snapshot().storage;
    let outcome = f();
    if outcome.is_err() {
        host.vm.clear_storage();
        for (slot, value) in before {
            host.vm.set_storage(slot, value);
        }
    }
    outcome
}

fn pull_outcome(model: &Model, from: usize, amount: u64, answer: Answer) -> Outcome {
    match answer {
        Answer::False => Ok(word(0)),
        Answer::Honest if model.underlying[from] >= amount => Ok(word(1)),
        Answer::Honest => Err(vec![]),
    }
}

fn deposit(
    host: &MockHost,
    token: &mut FeeToken,
    model: &mut Model,
    (from, to, amount, answer): (usize, usize, u64, Answer),
    for_recipient: bool,
    permit: Permit,
) -> Result<(), FeeTokenError> {
    host.vm.set_sender(USERS[from]);
    let outcome = pull_outcome(model, from, amount, answer);
    let pulled = matches!(outcome, Ok(ref output) if output == &word(1));
    mock_pull(host, USERS[from], u256(amount), outcome);
    let (deadline, v, r, s) = (
        u256(NOW),
        27,
        B256::repeat_byte(0x11),
        B256::repeat_byte(0x22),
    );
    let permit_call = IPermitErc20Like::permitCall {
        owner_: USERS[from],
        spender_: PROXY,
        value_: u256(amount),
        deadline_: deadline,
        v_: v,
        r_: r,
        s_: s,
    }
    .abi_encode();
    let permit_answer = if matches!(permit, Permit::Accepted) {
        Ok(vec![])
    } else {
        Err(ERC2612ExpiredSignature { deadline }.abi_encode())
    };
    host.mock(
        CallKind::Call(U256::ZERO),
        UNDERLYING,
        permit_call,
        permit_answer,
    );
    let result = transact(host, || match (permit, for_recipient) {
        (Permit::None, false) => token.deposit(u256(amount)),
        (Permit::None, true) => token.deposit_for(USERS[to], u256(amount)).map(drop),
        (_, false) => token.deposit_with_permit(u256(amount), deadline, v, r, s),
        (_, true) => token
            .deposit_for_with_permit(USERS[to], u256(amount), deadline, v, r, s)
            .map(drop),
    });
    let expected = if amount == 0 {
        Err(ZeroAmount {}.into())
    } else if pulled {
        model.underlying[from] -= amount;
        model.held += amount;
        model.balances[to] += amount;
        Ok(())
    } else {
        Err(TransferFromFailed {}.into())
    };
    assert_eq!(result, expected);
    result
}

fn withdraw(
    host: &MockHost,
    token: &mut FeeToken,
    model: &mut Model,
    (from, to, amount, answer): (usize, usize, u64, Answer),
    to_recipient: bool,
) -> Result<(), FeeTokenError> {
    host.vm.set_sender(USERS[from]);
    let outcome = match answer {
        Answer::False => Ok(word(0)),
        Answer::Honest if model.held >= amount => Ok(word(1)),
        Answer::Honest => Err(vec![]),
    };
    let pushed = matches!(outcome, Ok(ref output) if output == &word(1));
    mock_push(host, USERS[to], u256(amount), outcome);
    let result = transact(host, || {
        if to_recipient {
            token.withdraw_to(USERS[to], u256(amount)).map(drop)
        } else {
            token.withdraw(u256(amount))
        }
    });
    let expected = if amount == 0 {
        Err(ZeroAmount {}.into())
    } else if let Some(error) = model.short_of(from, amount) {
        Err(error)
    } else if pushed {
        model.balances[from] -= amount;
        model.held -= amount;
        model.underlying[to] += amount;
        Ok(())
    } else {
        Err(TransferFailed {}.into())
    };
    assert_eq!(result, expected);
    result
}

fn approve(
    host: &MockHost,
    token: &mut FeeToken,
    model: &mut Model,
    (owner, spender, value): (usize, usize, Option<u64>),
) -> Result<(), FeeTokenError> {
    host.vm.set_sender(USERS[owner]);
    let start = drain_logs(host);
    let value_word = value.map_or(U256::MAX, u256);
    let result = transact(host, || token.approve(USERS[spender], value_word).map(drop));
    assert_eq!(result, Ok(()));
    model.allowances[owner][spender] = value;
    assert_eq!(
        logs_since(host, start),
        vec![log(&Approval {
            owner: USERS[owner],
            spender: USERS[spender],
            value: value_word,
        })]
    );
    result
}

fn transfer_from(
    host: &MockHost,
    token: &mut FeeToken,
    model: &mut Model,
    (spender, from, to, amount): (usize, usize, usize, u64),
) -> Result<(), FeeTokenError> {
    host.vm.set_sender(USERS[spender]);
    let start = drain_logs(host);
    let result = transact(host, || {
        token
            .transfer_from(USERS[from], USERS[to], u256(amount))
            .map(drop)
    });
    let allowance = model.allowance(from, spender);
    let expected = if allowance < u256(amount) {
        Err(ERC20InsufficientAllowance {
            spender: USERS[spender],
            allowance,
            needed: u256(amount),
        }
        .into())
    } else if let Some(error) = model.short_of(from, amount) {
        Err(error)
    } else {
        if let Some(left) = &mut model.allowances[from][spender] {
            *left -= amount;
        }
        model.balances[from] -= amount;
        model.balances[to] += amount;
        Ok(())
    };
    assert_eq!(result, expected);
    // Spending an allowance emits no `Approval`; only the transfer is logged.
    if result.is_ok() {
        assert_eq!(
            logs_since(host, start),
            vec![log(&Transfer {
                from: USERS[from],
                to: USERS[to],
                value: u256(amount),
            })]
        );
    }
    result
}

fn check(host: &MockHost, token: &FeeToken, model: &Model) {
    assert_eq!(token.total_supply(), u256(model.held));
    assert_eq!(total_supply_raw(host), u256(model.held));
    let mut sum = U256::ZERO;
    for (user, balance) in USERS.iter().zip(model.balances) {
        assert_eq!(token.balance_of(*user), u256(balance));
        sum += token.balance_of(*user);
    }
    assert_eq!(sum, token.total_supply());
    for (owner, owner_address) in USERS.iter().enumerate() {
        for (spender, spender_address) in USERS.iter().enumerate() {
            assert_eq!(
                token.allowance(*owner_address, *spender_address),
                model.allowance(owner, spender)
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn total_supply_always_equals_the_underlying_held(
        starting in proptest::array::uniform3(0..1_000u64),
        actions in proptest::collection::vec(action(), 1..40),
    ) {
        let (host, mut token) = initialized_token();
        let mut model = Model {
            underlying: starting,
            held: 0,
            balances: [0; 3],
            allowances: [[Some(0); 3]; 3],
        };
        for action in actions {
            let _ = match action {
                Action::Deposit(u, a, x, p) => {
                    deposit(&host, &mut token, &mut model, (u, u, a, x), false, p)
                }
                Action::DepositFor(u, r, a, x, p) => {
                    deposit(&host, &mut token, &mut model, (u, r, a, x), true, p)
                }
                Action::Approve(o, s, a) => approve(&host, &mut token, &mut model, (o, s, a)),
                Action::TransferFrom(s, f, t, a) => {
                    transfer_from(&host, &mut token, &mut model, (s, f, t, a))
                }
                Action::Withdraw(u, a, x) => withdraw(&host, &mut token, &mut model, (u, u, a, x), false),
                Action::WithdrawTo(u, r, a, x) => {
                    withdraw(&host, &mut token, &mut model, (u, r, a, x), true)
                }
                Action::Transfer(u, t, a) => {
                    host.vm.set_sender(USERS[u]);
                    let result = transact(&host, || token.transfer(USERS[t], u256(a)).map(drop));
                    if let Some(error) = model.short_of(u, a) {
                        prop_assert_eq!(&result, &Err(error));
                    } else {
                        prop_assert_eq!(&result, &Ok(()));
                        model.balances[u] -= a;
                        model.balances[t] += a;
                    }
                    result
                }
            };
            check(&host, &token, &model);
        }
        // Nothing was created or lost: the underlying is where the model says.
        let total: u64 = starting.iter().sum();
        prop_assert_eq!(model.underlying.iter().sum::<u64>() + model.held, total);
    }
}
