//! The regression check CI runs: every program built through the shared pipeline, the whole
//! scenario run on the devnet, and gas and sizes compared with `baseline/baseline.json`
//! (more than 2% more gas or 1% more code fails). Throughput is not checked.

use std::path::Path;

use xmtp_bench::baseline::{self, Baseline};
use xmtp_bench::scenario::Options;
use xmtp_bench::{build, measure_with, reference, unaccounted};

#[test]
fn gas_and_sizes_do_not_regress_against_the_committed_baseline() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (workspace, programs) = build(&crate_dir.join("..")).unwrap_or_else(|e| panic!("{e}"));
    // The check needs the figures only: no per-frame profiles.
    let options = Options {
        profile: false,
        ..Options::default()
    };
    let measurements =
        measure_with(&workspace, &programs, options).unwrap_or_else(|e| panic!("{e}"));

    // Every reference row is accounted for: measured, or not run with a reason.
    assert_eq!(
        unaccounted(&reference::reference(), &measurements.results),
        Vec::<String>::new()
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
