//! `cargo run --release -p xmtp-bench [-- --write-baseline] [--evm-proxy] [--wasm-opt PATH]`
//!
//! Prints the gas table (Stylus cached and uncached against the Solidity reference), the size
//! table and the devnet's throughput, then compares gas and sizes with the committed baseline.
//! `--write-baseline` rewrites `bench/baseline/baseline.json` instead (commit it deliberately).
//! `--evm-proxy` runs the scenario again behind the EVM proxy of `xmtp_proxy::evm` and
//! prints both side by side; `--wasm-opt PATH` runs it again with every program optimized by
//! that `wasm-opt` binary (`-Oz`, then `-Os`) and prints sizes and gas side by side.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use xmtp_bench::baseline::{self, Baseline};
use xmtp_bench::reference::Reference;
use xmtp_bench::scenario::{self, Options, Outcome, ProxyKind, Results, UNDERLYING, USER};
use xmtp_bench::{
    build, comparison_table, creation_table, gas_table, measure_with, profile_summary,
    profile_table, reference, size_table, throughput, unaccounted, wasm_opt,
};
use xmtp_deploy::network::Programs;
use xmtp_deploy::pipeline::thousands;

/// Transactions per throughput run.
const THROUGHPUT_TRANSACTIONS: u32 = 5_000;

/// What the command line asked for.
#[derive(Debug, Default)]
struct Args {
    write: bool,
    evm_proxy: bool,
    wasm_opt: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args::default();
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--write-baseline" => args.write = true,
            "--evm-proxy" => args.evm_proxy = true,
            "--wasm-opt" => {
                let path = it.next().ok_or("--wasm-opt needs the path of a wasm-opt binary")?;
                args.wasm_opt = Some(PathBuf::from(path));
            }
            other => {
                return Err(format!(
                    "unknown argument {other} (options: --write-baseline, --evm-proxy, --wasm-opt PATH)"
                ))
            }
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(error) => {
            eprintln!("xmtp-bench: {error}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("xmtp-bench: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<ExitCode, String> {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let reference = reference::reference();
    let (workspace, programs) = build(&crate_dir.join(".."))?;
    let mut measurements = measure_with(
        &workspace,
        &programs,
        Options {
            creations: args.evm_proxy,
            ..Options::default()
        },
    )?;
    println!("# Execution gas (reference definition), Stylus through the proxies\n");
    println!("{}", gas_table(&reference, &measurements.results));
    let missing = unaccounted(&reference, &measurements.results);
    if !missing.is_empty() {
        return Err(format!(
            "reference rows not accounted for:\n  {}",
            missing.join("\n  ")
        ));
    }
    println!("# Where the gas goes (cached runs above the Solidity figure)\n");
    println!("{}", profile_summary(&reference, &measurements.results));
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
    if args.evm_proxy {
        evm_proxy(&reference, &programs, &measurements.results)?;
    }
    if let Some(wasm_opt) = &args.wasm_opt {
        wasm_opt_evaluation(&reference, &programs, &measurements.results, wasm_opt)?;
    }
    let path = crate_dir.join(baseline::PATH);
    if args.write {
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

/// The scenario again behind EVM proxies, next to the Stylus run.
fn evm_proxy(reference: &Reference, programs: &Programs, stylus: &Results) -> Result<(), String> {
    let options = Options {
        proxy: ProxyKind::Evm,
        profile: false,
        creations: true,
        transform: None,
    };
    let (evm, _) = scenario::run(programs, options)?;
    println!("\n# Stylus proxy (S) against the EVM proxy (E): execution gas, cached (c) and uncached (u)\n");
    let skip = |_: &str| -> Option<&'static str> { None };
    println!(
        "{}",
        comparison_table(reference, ("Stylus", stylus), ("EVM", &evm), &skip)
    );
    println!(
        "# Proxy creation outside the Factory: CREATE, then initialize through Initializable\n"
    );
    println!("{}", creation_table(stylus, &evm));
    Ok(())
}

/// Sizes and gas with every program through `wasm-opt` at `-Oz` and at `-Os`.
fn wasm_opt_evaluation(
    reference: &Reference,
    programs: &Programs,
    plain: &Results,
    binary: &Path,
) -> Result<(), String> {
    for level in ["-Oz", "-Os"] {
        // (crate, on-chain bytes before, after) of every artifact the scenario deployed.
        let sizes: RefCell<Vec<(String, usize, usize)>> = RefCell::new(Vec::new());
        let transform = |crate_name: &str,
                         project_hash: Option<[u8; 32]>,
                         artifact: xmtp_deploy::Artifact|
         -> Result<xmtp_deploy::Artifact, String> {
            let before = artifact.code.len();
            let optimized = wasm_opt::apply(binary, level, (crate_name, project_hash), artifact)?;
            sizes
                .borrow_mut()
                .push((crate_name.to_owned(), before, optimized.code.len()));
            Ok(optimized)
        };
        let options = Options {
            profile: false,
            transform: Some(&transform),
            ..Options::default()
        };
        let (optimized, _) = scenario::run(programs, options)?;
        println!("\n# wasm-opt {level}: on-chain size of each deployed program (first wiring)\n");
        let mut table = format!(
            "{:<42} {:>9} {:>9} {:>7}\n",
            "program", "plain", level, "change"
        );
        let mut seen: Vec<String> = Vec::new();
        for (crate_name, before, after) in sizes.borrow().iter() {
            if seen.contains(crate_name) {
                continue;
            }
            seen.push(crate_name.clone());
            // Sizes are far below 2^52: the conversions are exact.
            #[allow(clippy::cast_precision_loss)]
            let change = (*after as f64 / *before as f64 - 1.0) * 100.0;
            let _ = writeln!(
                table,
                "{crate_name:<42} {:>9} {:>9} {change:>+6.1}%",
                thousands(*before),
                thousands(*after)
            );
        }
        println!("{table}");
        println!("# wasm-opt {level}: execution gas against the plain build\n");
        let skip = |_: &str| -> Option<&'static str> { None };
        println!(
            "{}",
            comparison_table(reference, ("plain", plain), (level, &optimized), &skip)
        );
    }
    Ok(())
}
