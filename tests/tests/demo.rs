//! The main job's scenario (`xmtp demo`), run as a test so CI proves what the README's first
//! command does: the whole lifecycle, with exact figures for what the payers paid and the node
//! operators and the protocol received.

use alloy_primitives::U256;
use xmtp_deploy::{demo, network::Programs};

/// The devnet configuration's `xmtp.payerReportManager.protocolFeeRate` (1 %).
const PROTOCOL_FEE_RATE: u16 = 100;

#[test]
fn the_demo_runs_the_lifecycle_and_every_check_holds() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let workspace = xmtp_deploy::discover(&root).expect("cargo metadata");
    let programs = Programs::build(&workspace, demo::PROGRAMS).expect("programs build");
    let report = demo::run(&programs).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(
        report.checks.len(),
        12,
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

    // The report: four of seven nodes signed, every payer debited its fee rounded up to
    // micro-dollars, from its deposit.
    let settled = report.payer_report.as_ref().expect("a payer report");
    assert_eq!(settled.index, 0);
    assert_eq!(settled.node_ids, [100, 200, 300, 400, 500, 600, 700]);
    assert_eq!(settled.signing_node_ids, [100, 200, 300, 400]);
    assert!(settled.settled);
    assert_eq!(settled.settlements.len(), 1);
    assert_eq!(settled.payers.len(), demo::PAYERS);
    let deposit = i128::from(demo::PAYER_DEPOSIT);
    for payer in &settled.payers {
        assert_eq!(payer.debit, payer.fee.div_ceil(1_000_000));
        assert!(payer.settled_now);
        assert_eq!(
            payer.balance_after,
            deposit - i128::try_from(payer.debit).unwrap()
        );
    }
    let total: u128 = settled.payers.iter().map(|p| p.debit).sum();
    assert_eq!(settled.fees_settled, total);

    // Paid out to the unit: the protocol's rate (and the rounding dust), an equal share each.
    let (protocol_share, node_share) = xmtp_reports::fee_split(total, PROTOCOL_FEE_RATE, 7);
    assert_eq!(report.protocol_fees, protocol_share);
    assert_eq!(report.payouts.len(), demo::NODES);
    assert!(report.payouts.iter().all(|p| p.paid == node_share));
    let ids: Vec<u32> = report.payouts.iter().map(|p| p.node_id).collect();
    assert_eq!(ids, settled.node_ids);
    assert_eq!(protocol_share + 7 * node_share, total);

    // The app-chain half of the splitter's deposit, less its ticket's gas (100,000 at twice
    // the 0.1 gwei base fee), in 18-decimal native units.
    assert_eq!(
        report.app_chain_deposit,
        U256::from(demo::APP_CHAIN_DEPOSIT) * U256::from(10u64).pow(U256::from(12))
            - U256::from(100_000u64 * 200_000_000)
    );

    // The report's transactions are the reference's rows.
    for label in [
        "PayerReportManager.submit — 7 canonical nodes, 4 signatures (majority)",
        "PayerReportManager.settle — 10 payers, one call (all leaves)",
        "DistributionManager.claim — 1 node, 1 settled report",
        "DepositSplitter.depositFromUnderlying — payer registry + app-chain deposit",
    ] {
        let step = report.steps.iter().find(|s| s.label == label);
        assert!(
            step.is_some_and(|s| demo::solidity_gas(&s.label, s.chain_id).is_some()),
            "{label}"
        );
    }
}
