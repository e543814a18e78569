//! The main job's scenario (`xmtp demo`), run as a test so CI proves what the README's first
//! command does.

use xmtp_deploy::{demo, network::Programs};

#[test]
fn the_demo_deploys_both_chains_and_every_check_holds() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let workspace = xmtp_deploy::discover(&root).expect("cargo metadata");
    let programs = Programs::build(&workspace, demo::PROGRAMS).expect("programs build");
    let report = demo::run(&programs).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(
        report.checks.len(),
        4,
        "every scenario's checks ran: {:#?}",
        report.checks
    );
    assert!(report.steps.iter().all(|step| step.gas_used > 21_000));
    let chains: std::collections::BTreeSet<_> =
        report.steps.iter().map(|step| step.chain_id).collect();
    assert_eq!(
        chains,
        [demo::SETTLEMENT_CHAIN_ID, demo::APP_CHAIN_ID].into()
    );
}
