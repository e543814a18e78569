//! The regression check CI runs: every program built through the shared pipeline, the whole
//! scenario run on the devnet, and gas and sizes compared with `baseline/baseline.json`
//! (more than 2% more gas or 1% more code fails). Throughput is not checked.

use std::path::Path;

use xmtp_bench::baseline::{self, Baseline};
use xmtp_bench::{measure, reference};

#[test]
fn gas_and_sizes_do_not_regress_against_the_committed_baseline() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let measurements = measure(&crate_dir.join("..")).unwrap_or_else(|e| panic!("{e}"));

    // Every reference row is accounted for: measured, or not run with a reason.
    let reference = reference::reference();
    let unaccounted: Vec<&str> = reference
        .operations
        .iter()
        .filter(|op| measurements.results.outcome(&op.id).is_none())
        .map(|op| op.id.as_str())
        .collect();
    assert_eq!(
        unaccounted,
        Vec::<&str>::new(),
        "reference rows the scenario skips"
    );
    let unknown: Vec<&str> = measurements
        .results
        .rows
        .iter()
        .filter(|row| reference.operation(&row.id).is_none())
        .map(|row| row.id.as_str())
        .collect();
    assert_eq!(
        unknown,
        Vec::<&str>::new(),
        "rows that are not reference operations"
    );

    let text = std::fs::read_to_string(crate_dir.join(baseline::PATH)).expect("baseline.json");
    let before = Baseline::from_json(&text).unwrap();
    let found = baseline::regressions(&before, &measurements.baseline());
    assert!(
        found.is_empty(),
        "regressions against {} (if intended, run `cargo run --release -p xmtp-bench -- --write-baseline` and commit):\n{}",
        baseline::PATH,
        found.join("\n")
    );
}
