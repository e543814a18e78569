//! Property: for any sequence of `updateRates()` calls (over parameter values from a small
//! domain, so unchanged fees and stale start times come up often) and `getRates` reads, the
//! outcome is exactly what spec §4.4 predicts, and §4.7 holds: the history only grows, its
//! entries never change (in the views and in storage), consecutive entries have strictly
//! increasing start times and different fees, and `getRates(a, c)` returns exactly the `c`
//! entries from `a`.

use proptest::prelude::*;

use super::*;

#[derive(Clone, Debug)]
enum Op {
    /// `updateRates()` with these parameter values.
    Update(Rates),
    /// `getRates(fromIndex, count)`.
    Read(u64, u64),
}

fn op() -> impl Strategy<Value = Op> {
    let fee = 0..3u64;
    let rates = (fee.clone(), fee.clone(), fee.clone(), fee, 0..12u64);
    prop_oneof![
        3 => rates.prop_map(Op::Update),
        2 => (0..8u64, 0..5u64).prop_map(|(from, count)| Op::Read(from, count)),
    ]
}

/// What `updateRates()` must do to `history` with `rates`.
fn expected_update(history: &[Rates], rates: Rates) -> Result<(), RateRegistryError> {
    let Some(last) = history.last() else {
        return Ok(());
    };
    let fees = |r: &Rates| (r.0, r.1, r.2, r.3);
    if fees(last) == fees(&rates) {
        return Err(NoChange {}.into());
    }
    if rates.4 <= last.4 {
        return Err(InvalidStartTime {
            startTime: rates.4,
            lastStartTime: last.4,
        }
        .into());
    }
    Ok(())
}

/// What `getRates(from, count)` must return for `history`.
fn expected_read(
    history: &[Rates],
    from: u64,
    count: u64,
) -> Result<Vec<Rates>, RateRegistryError> {
    let length = u64::try_from(history.len()).unwrap();
    if count == 0 {
        return Err(ZeroCount {}.into());
    }
    if from >= length {
        return Err(FromIndexOutOfRange {}.into());
    }
    if from + count > length {
        return Err(EndIndexOutOfRange {}.into());
    }
    let (from, end) = (
        usize::try_from(from).unwrap(),
        usize::try_from(from + count).unwrap(),
    );
    Ok(history[from..end].to_vec())
}

/// The history in storage, read slot by slot as Solidity packs it: four `uint64` lanes in an
/// entry's first slot, the start time in the low lane of its second.
fn stored(host: &MockHost, length: usize) -> Vec<Rates> {
    let lane = |word: U256, lane: usize| ((word >> (64 * lane)) & U256::from(u64::MAX)).to::<u64>();
    (0..u64::try_from(length).unwrap())
        .map(|index| {
            let first = raw(host, entry_slot(index, 0));
            let second = raw(host, entry_slot(index, 1));
            (
                lane(first, 0),
                lane(first, 1),
                lane(first, 2),
                lane(first, 3),
                lane(second, 0),
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_history_only_grows_and_reads_back_by_index(
        ops in proptest::collection::vec(op(), 1..40),
    ) {
        let (host, mut registry) = registry();
        let mut history: Vec<Rates> = vec![];
        for op in &ops {
            let seen = host.vm.get_emitted_logs().len();
            match *op {
                Op::Update(rates) => {
                    mock_rates(&host, rates);
                    let expected = expected_update(&history, rates);
                    let accepted = expected.is_ok();
                    prop_assert_eq!(registry.update_rates(), expected, "{:?}", op);
                    let logs = host.vm.get_emitted_logs()[seen..].to_vec();
                    if accepted {
                        history.push(rates);
                        prop_assert_eq!(logs, vec![updated(rates)]);
                    } else {
                        prop_assert!(logs.is_empty());
                    }
                }
                Op::Read(from, count) => prop_assert_eq!(
                    registry.get_rates(U256::from(from), U256::from(count)),
                    expected_read(&history, from, count),
                    "{:?}",
                    op
                ),
            }
            prop_assert_eq!(registry.get_rates_count(), U256::from(history.len()));
            prop_assert_eq!(stored(&host, history.len()), history.clone());
            for pair in history.windows(2) {
                prop_assert!(pair[1].4 > pair[0].4);
                prop_assert_ne!(
                    (pair[0].0, pair[0].1, pair[0].2, pair[0].3),
                    (pair[1].0, pair[1].1, pair[1].2, pair[1].3)
                );
            }
        }
    }
}
