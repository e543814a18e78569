//! Property: for any sequence of deposits, withdrawals and transfers (succeeding or not), the
//! fee token's total supply equals the underlying it holds, and every balance is the model's.

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

#[derive(Clone, Debug)]
enum Action {
    Deposit(usize, u64, Answer),
    DepositFor(usize, usize, u64, Answer),
    Withdraw(usize, u64, Answer),
    WithdrawTo(usize, usize, u64, Answer),
    Transfer(usize, usize, u64),
}

fn answer() -> impl Strategy<Value = Answer> {
    prop_oneof![4 => Just(Answer::Honest), 1 => Just(Answer::False)]
}

fn action() -> impl Strategy<Value = Action> {
    let user = 0..USERS.len();
    let amount = prop_oneof![1 => Just(0u64), 8 => 1..400u64];
    prop_oneof![
        (user.clone(), amount.clone(), answer()).prop_map(|(u, a, x)| Action::Deposit(u, a, x)),
        (user.clone(), user.clone(), amount.clone(), answer())
            .prop_map(|(u, r, a, x)| Action::DepositFor(u, r, a, x)),
        (user.clone(), amount.clone(), answer()).prop_map(|(u, a, x)| Action::Withdraw(u, a, x)),
        (user.clone(), user.clone(), amount.clone(), answer())
            .prop_map(|(u, r, a, x)| Action::WithdrawTo(u, r, a, x)),
        (user.clone(), user, amount).prop_map(|(u, t, a)| Action::Transfer(u, t, a)),
    ]
}

/// The underlying's state and the fee-token balances a correct implementation must reach.
struct Model {
    underlying: [u64; 3],
    held: u64,
    balances: [u64; 3],
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
) -> Result<(), FeeTokenError> {
    host.vm.set_sender(USERS[from]);
    let outcome = pull_outcome(model, from, amount, answer);
    let pulled = matches!(outcome, Ok(ref output) if output == &word(1));
    mock_pull(host, USERS[from], u256(amount), outcome);
    let result = transact(host, || {
        if for_recipient {
            token.deposit_for(USERS[to], u256(amount)).map(drop)
        } else {
            token.deposit(u256(amount))
        }
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
    } else if model.balances[from] < amount {
        Err(ERC20InsufficientBalance {
            sender: USERS[from],
            balance: u256(model.balances[from]),
            needed: u256(amount),
        }
        .into())
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

fn check(host: &MockHost, token: &FeeToken, model: &Model) {
    assert_eq!(token.total_supply(), u256(model.held));
    assert_eq!(total_supply_raw(host), u256(model.held));
    let mut sum = U256::ZERO;
    for (user, balance) in USERS.iter().zip(model.balances) {
        assert_eq!(token.balance_of(*user), u256(balance));
        sum += token.balance_of(*user);
    }
    assert_eq!(sum, token.total_supply());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn total_supply_always_equals_the_underlying_held(
        starting in proptest::array::uniform3(0..1_000u64),
        actions in proptest::collection::vec(action(), 1..40),
    ) {
        let (host, mut token) = initialized_token();
        let mut model = Model { underlying: starting, held: 0, balances: [0; 3] };
        for action in actions {
            let _ = match action {
                Action::Deposit(u, a, x) => deposit(&host, &mut token, &mut model, (u, u, a, x), false),
                Action::DepositFor(u, r, a, x) => {
                    deposit(&host, &mut token, &mut model, (u, r, a, x), true)
                }
                Action::Withdraw(u, a, x) => withdraw(&host, &mut token, &mut model, (u, u, a, x), false),
                Action::WithdrawTo(u, r, a, x) => {
                    withdraw(&host, &mut token, &mut model, (u, r, a, x), true)
                }
                Action::Transfer(u, t, a) => {
                    host.vm.set_sender(USERS[u]);
                    let result = transact(&host, || token.transfer(USERS[t], u256(a)).map(drop));
                    if model.balances[u] >= a {
                        prop_assert_eq!(&result, &Ok(()));
                        model.balances[u] -= a;
                        model.balances[t] += a;
                    } else {
                        prop_assert!(result.is_err());
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
