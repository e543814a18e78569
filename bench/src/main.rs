//! `cargo run --release -p xmtp-bench [-- --write-baseline]`
//!
//! Prints the gas table (Stylus cached and uncached against the Solidity reference), the size
//! table and the devnet's throughput, then compares gas and sizes with the committed baseline.
//! `--write-baseline` rewrites `bench/baseline/baseline.json` instead (commit it deliberately).

use std::path::Path;
use std::process::ExitCode;

use xmtp_bench::baseline::{self, Baseline};
use xmtp_bench::scenario::{Outcome, UNDERLYING, USER};
use xmtp_bench::{gas_table, measure, profile_table, reference, size_table, throughput};

/// Transactions per throughput run.
const THROUGHPUT_TRANSACTIONS: u32 = 5_000;

fn main() -> ExitCode {
    let mut write = false;
    for arg in std::env::args().skip(1) {
        if arg == "--write-baseline" {
            write = true;
        } else {
            eprintln!("xmtp-bench: unknown argument {arg} (the only option is --write-baseline)");
            return ExitCode::from(2);
        }
    }
    match run(write) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("xmtp-bench: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(write: bool) -> Result<ExitCode, String> {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let reference = reference::reference();
    let mut measurements = measure(&crate_dir.join(".."))?;
    println!("# Execution gas (reference definition), Stylus through the proxies\n");
    println!("{}", gas_table(&reference, &measurements.results));
    println!("# Where the gas goes (cached runs above the Solidity figure)\n");
    println!("{}", profile_table(&reference, &measurements.results));
    println!("# On-chain code size\n");
    println!("{}", size_table(&reference, &measurements.sizes));

    println!("# Devnet throughput (one core, each transaction its own block)\n");
    let chains = &mut measurements.chains;
    let add_message = throughput::add_message(
        &mut chains.app,
        USER,
        chains.group_message_broadcaster,
        THROUGHPUT_TRANSACTIONS,
    )?;
    println!(
        "GroupMessageBroadcaster.addMessage (100 B, via proxy): {:.0} tx/s ({} transactions in {:.2} s)",
        add_message.per_second(),
        add_message.transactions,
        add_message.seconds
    );
    let mut now = measurements.baseline();
    now.throughput
        .insert("addMessage".into(), add_message.per_second().round());
    let chains = &mut measurements.chains;
    match chains.payer_registry {
        Some(payer_registry) => {
            let deposit = throughput::payer_deposit(
                &mut chains.settlement,
                USER,
                (UNDERLYING, chains.fee_token, payer_registry),
                THROUGHPUT_TRANSACTIONS,
            )?;
            println!(
                "PayerRegistry.deposit (10 xUSD, via proxy): {:.0} tx/s ({} transactions in {:.2} s)",
                deposit.per_second(),
                deposit.transactions,
                deposit.seconds
            );
            now.throughput
                .insert("PayerRegistry.deposit".into(), deposit.per_second().round());
        }
        None => match measurements
            .results
            .outcome("PayerRegistry.deposit — existing payer")
        {
            Some(Outcome::NotRun(why)) => println!("PayerRegistry.deposit: not run: {why}"),
            _ => println!("PayerRegistry.deposit: not run"),
        },
    }
    let path = crate_dir.join(baseline::PATH);
    if write {
        std::fs::write(&path, now.to_json()).map_err(|e| format!("{}: {e}", path.display()))?;
        println!("\nwrote {}", baseline::PATH);
        return Ok(ExitCode::SUCCESS);
    }
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let before = Baseline::from_json(&text)?;
    let found = baseline::regressions(&before, &now);
    if found.is_empty() {
        println!("\nno regression against {}", baseline::PATH);
        return Ok(ExitCode::SUCCESS);
    }
    println!("\nregressions against {}:", baseline::PATH);
    for line in &found {
        println!("  {line}");
    }
    Ok(ExitCode::FAILURE)
}
