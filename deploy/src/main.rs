//! `xmtp`: the XMTP Stylus tooling command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use xmtp_deploy::{
    abi, cli, demo, deployer::ProxyKind, embedded, local, network::Programs, pipeline, report,
    Error, Options, Workspace,
};

#[derive(Parser)]
#[command(
    name = "xmtp",
    version,
    about = "Build and deploy the XMTP network's Stylus programs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build every program, check it against Nitro's rules and limits, write the artifacts
    /// under target/stylus/ and the ABI files under abi/, and print the size table.
    Build {
        /// Fail if the committed abi/ files are stale instead of rewriting them.
        #[arg(long)]
        check: bool,
    },
    /// Only regenerate (or with --check, verify) the ABI files under abi/.
    Abi {
        /// Fail if the committed abi/ files are stale instead of rewriting them.
        #[arg(long)]
        check: bool,
    },
    /// The main job: build everything, start a settlement chain and an app chain in process,
    /// deploy the network on them, exercise it end to end, and print what happened.
    Demo,
    /// Start a settlement chain and an app chain linked by Arbitrum's bridge, serve each over
    /// JSON-RPC on 127.0.0.1, print endpoints, chain ids and funded accounts; Ctrl-C stops.
    Devnet(DevnetArgs),
    /// Write a devnet configuration (dev accounts, the reference's salts and starting
    /// parameters, predicted proxies pinned) in the reference's `config/<env>.json` shape.
    NewConfig {
        /// Where to write it (refused if it exists).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Settlement chain id.
        #[arg(long, default_value_t = 31_337)]
        settlement_chain_id: u64,
        /// App chain id.
        #[arg(long, default_value_t = 31_338)]
        app_chain_id: u64,
        /// The proxy in front of every implementation: the Stylus `Proxy` program, or the
        /// 59-byte EVM forwarder (no Stylus entry cost per call).
        #[arg(long, value_enum, default_value_t = ProxyKind::Stylus)]
        proxy: ProxyKind,
    },
    /// Deploy the network on both chains from a configuration, in the reference's order
    /// (dry run without --broadcast); writes environments/<env>.json, never over a different
    /// one. Re-running reuses what exists.
    Deploy {
        #[command(flatten)]
        network: cli::Network,
        /// The environment file (default: environments/<env>.json beside config/).
        #[arg(long, value_name = "FILE")]
        environment: Option<PathBuf>,
    },
    /// Verify a deployment against its configuration: code hashes and activation, proxies,
    /// versions, wiring, parameters on both chains. Fails if anything differs.
    Check {
        #[command(flatten)]
        network: cli::Network,
    },
    /// Read, set and bridge registry parameters.
    Params {
        #[command(subcommand)]
        command: cli::Params,
    },
    /// Onboard nodes: mint, add to or remove from the canonical network, list.
    Nodes {
        #[command(subcommand)]
        command: cli::Nodes,
    },
    /// Build a payer report from a JSON of payer fees and node keys, sign it, submit it to the
    /// payer report manager and settle it in batches until it is settled (dry run without
    /// --broadcast). Refuses non-canonical signers, a report that does not continue the
    /// originator's last one, and payers the payer registry has never seen.
    Report(report::Args),
    /// Upgrade a contract to a new release through a generic EIP-1967 migrator, comparing its
    /// public state before and after; records the release in the configuration.
    Upgrade {
        /// The contract, by its reference name (`RateRegistry`, ...).
        contract: String,
        /// The release tag (its hash marks the new build).
        #[arg(long)]
        release: String,
        #[command(flatten)]
        network: cli::Network,
    },
}

#[derive(clap::Args)]
struct DevnetArgs {
    /// Settlement chain port (0 picks a free one).
    #[arg(long, default_value_t = 8545)]
    settlement_port: u16,
    /// App chain port (0 picks a free one).
    #[arg(long, default_value_t = 8546)]
    app_port: u16,
    /// Settlement chain id.
    #[arg(long, default_value_t = 31_337)]
    settlement_chain_id: u64,
    /// App chain id.
    #[arg(long, default_value_t = 31_338)]
    app_chain_id: u64,
    /// Also mine a block on both chains every SECONDS (default: only on transactions).
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    block_time: Option<u64>,
    /// Seconds before an app-chain withdrawal can be executed from the outbox.
    #[arg(long, value_name = "SECONDS", default_value_t = 3_600)]
    outbox_delay: u64,
    /// Seconds a retryable ticket stays redeemable.
    #[arg(long, value_name = "SECONDS", default_value_t = 7 * 24 * 3_600)]
    ticket_lifetime: u64,
    /// Base fee of both chains, in wei.
    #[arg(long, value_name = "WEI", default_value_t = 100_000_000)]
    basefee: u64,
    /// The settlement-chain token the inbox escrows and the app chain spends as gas (the
    /// network's fee token proxy); without it the devnet installs its own 6-decimal token.
    #[arg(long, value_name = "ADDRESS")]
    fee_token: Option<alloy_primitives::Address>,
    /// Deliver tickets and outbox messages only when asked (`devnet_relay`).
    #[arg(long)]
    no_auto_relay: bool,
    /// Take the chain ids, the fee token (`feeTokenProxy`) and the underlying token's address
    /// from a configuration (`xmtp new-config`), and put the devnet's open-mint token there.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Print the description as one JSON line.
    #[arg(long)]
    json: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Build { check } => build(check),
        Command::Abi { check } => workspace().and_then(|ws| abi_files(&ws, check)),
        Command::Demo => demo(),
        Command::Devnet(args) => devnet(&args).map_err(|e| vec![e]),
        Command::NewConfig {
            out,
            settlement_chain_id,
            app_chain_id,
            proxy,
        } => workspace().and_then(|ws| {
            new_config(&ws, &out, settlement_chain_id, app_chain_id, proxy).map_err(|e| vec![e])
        }),
        Command::Deploy {
            network,
            environment,
        } => operate(network.json, |ws| {
            cli::deploy(ws, &network, environment.as_deref())
        }),
        Command::Check { network } => workspace().and_then(|ws| {
            let (ok, value) = cli::check(&ws, &network).map_err(|e| vec![e])?;
            print_value(network.json, &value);
            if ok {
                Ok(())
            } else {
                Err(vec![Error::Chain(
                    "the deployment differs from its configuration".into(),
                )])
            }
        }),
        Command::Params { command } => {
            operate(command.network().json, |ws| cli::params(ws, &command))
        }
        Command::Nodes { command } => {
            operate(command.network().json, |ws| cli::nodes(ws, &command))
        }
        Command::Report(args) => operate(args.network.json, |ws| report::command(ws, &args)),
        Command::Upgrade {
            contract,
            release,
            network,
        } => operate(network.json, |ws| {
            cli::upgrade(ws, &network, &contract, &release)
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(errors) => {
            for error in errors {
                eprintln!("error: {error}");
            }
            ExitCode::FAILURE
        }
    }
}

fn workspace() -> Result<Workspace, Vec<Error>> {
    let here = std::env::current_dir().map_err(|e| vec![Error::io(&PathBuf::from("."), &e)])?;
    xmtp_deploy::discover(&here).map_err(|e| vec![e])
}

fn build(check: bool) -> Result<(), Vec<Error>> {
    let workspace = workspace()?;
    embedded_files(&workspace, check).map_err(|e| vec![e])?;
    let raw_paths = pipeline::build_programs(&workspace).map_err(|e| vec![e])?;
    let out_dir = workspace.target_dir.join("stylus");
    let mut built = Vec::new();
    let mut errors = Vec::new();
    for (program, path) in workspace.programs.iter().zip(&raw_paths) {
        let result = std::fs::read(path)
            .map_err(|e| Error::io(path, &e))
            .and_then(|raw| {
                pipeline::process(&raw, &Options::default()).map_err(|error| Error::Program {
                    program: program.name.clone(),
                    error: Box::new(error),
                })
            })
            .and_then(|artifact| {
                pipeline::write_artifacts(&out_dir, program, &artifact)?;
                Ok(artifact)
            });
        match result {
            Ok(artifact) => built.push((program, artifact)),
            Err(error) => errors.push(error),
        }
    }
    let rows: Vec<_> = built.iter().map(|(p, a)| (*p, a)).collect();
    print!("{}", pipeline::size_table(&rows));
    if let Err(mut abi_errors) = abi_files(&workspace, check) {
        errors.append(&mut abi_errors);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Builds everything like `build`, but a program that is invalid or too large only warns (the
/// size gate belongs to `build`; the deployer plans such a program and skips it); then runs
/// the demo.
fn demo() -> Result<(), Vec<Error>> {
    if let Err(errors) = build(false) {
        let (programs, blocking): (Vec<_>, Vec<_>) = errors
            .into_iter()
            .partition(|error| matches!(error, Error::Program { .. }));
        for error in &programs {
            eprintln!("warning: {error} (the demo does not deploy it)");
        }
        if !blocking.is_empty() {
            return Err(blocking);
        }
    }
    let workspace = workspace()?;
    let programs = Programs::build(&workspace, demo::PROGRAMS).map_err(|e| vec![e])?;
    let report = demo::run(&programs).map_err(|e| vec![e])?;
    println!("\ndeployed");
    for (chain, name, address) in &report.addresses {
        println!("  {chain:<11} {name:<34} {address}");
    }
    for skipped in &report.skipped {
        println!("  not deployed: {skipped}");
    }
    let width = report
        .steps
        .iter()
        .map(|step| step.label.chars().count())
        .max()
        .unwrap_or(0);
    println!(
        "\n  {:<11} {:<width$} {:>11} {:>11} {:>7}",
        "chain", "transaction", "gas", "Solidity", "ratio"
    );
    let gas = |g: u64| pipeline::thousands(usize::try_from(g).unwrap_or(usize::MAX));
    for step in &report.steps {
        let chain = if step.chain_id == demo::SETTLEMENT_CHAIN_ID {
            "settlement"
        } else {
            "app"
        };
        let reference = demo::solidity_gas(&step.label, step.chain_id);
        // Gas figures are far below 2^52, so the ratio is exact enough to print.
        #[allow(clippy::cast_precision_loss)]
        let ratio = reference.map_or_else(String::new, |r| {
            format!("{:.2}x", step.gas_used as f64 / r as f64)
        });
        println!(
            "  {chain:<11} {:<width$} {:>11} {:>11} {ratio:>7}",
            step.label,
            gas(step.gas_used),
            reference.map_or_else(String::new, gas)
        );
    }
    let total: u64 = report.steps.iter().map(|s| s.gas_used).sum();
    println!("  {:<11} {:<width$} {:>11}", "", "total", gas(total));
    println!(
        "\nprogram sizes (bytes; limit {})\n  {:<34} {:>16} {:>15}",
        pipeline::thousands(pipeline::CODE_SIZE_LIMIT),
        "contract",
        "Stylus on-chain",
        "Solidity (EVM)"
    );
    for (contract, size) in &report.sizes {
        println!(
            "  {contract:<34} {:>16} {:>15}",
            pipeline::thousands(*size),
            demo::solidity_size(contract).map_or_else(String::new, pipeline::thousands)
        );
    }
    if let Some(payer_report) = &report.payer_report {
        println!(
            "\npayer report {} of node {} (digest {})\n  signed by nodes {:?} of {:?}; {} payers settled in {} call(s): {} micro-dollars",
            payer_report.index,
            payer_report.originator_node_id,
            payer_report.digest,
            payer_report.signing_node_ids,
            payer_report.node_ids,
            payer_report.payers.len(),
            payer_report.settlements.len(),
            payer_report.fees_settled
        );
    }
    println!("\npaid (fee-token units)");
    for payout in &report.payouts {
        println!(
            "  node {:<5} {} {:>11}",
            payout.node_id, payout.operator, payout.paid
        );
    }
    println!(
        "  protocol   {} {:>11}",
        demo::PROTOCOL_FEES_RECIPIENT,
        report.protocol_fees
    );
    println!("\nchecked");
    for check in &report.checks {
        println!("  ok  {check}");
    }
    Ok(())
}

fn print_value(json: bool, value: &serde_json::Value) {
    if json {
        println!("{value}");
    } else {
        print!("{}", cli::render(value));
    }
}

/// Runs an operator command and prints its result.
fn operate(
    json: bool,
    run: impl FnOnce(&Workspace) -> Result<serde_json::Value, Error>,
) -> Result<(), Vec<Error>> {
    let workspace = workspace()?;
    let value = run(&workspace).map_err(|e| vec![e])?;
    print_value(json, &value);
    Ok(())
}

fn new_config(
    workspace: &Workspace,
    out: &std::path::Path,
    settlement_chain_id: u64,
    app_chain_id: u64,
    proxy: ProxyKind,
) -> Result<(), Error> {
    if out.exists() {
        return Err(Error::Config(format!(
            "{} exists; not overwriting it",
            out.display()
        )));
    }
    let value = cli::new_config(workspace, settlement_chain_id, app_chain_id, proxy)?;
    let mut text = serde_json::to_string_pretty(&value).expect("JSON serialises");
    text.push('\n');
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, &e))?;
    }
    std::fs::write(out, text).map_err(|e| Error::io(out, &e))?;
    println!("{}", out.display());
    Ok(())
}

/// Serves the devnet until Ctrl-C (or SIGTERM), then stops both servers.
fn devnet(args: &DevnetArgs) -> Result<(), Error> {
    let network = args
        .config
        .as_deref()
        .map(xmtp_deploy::deployer::Config::load)
        .transpose()?;
    if let Some(network) = &network {
        if network.fee_token_proxy.is_none() {
            return Err(Error::Config(
                "the configuration pins no feeTokenProxy (write one with `xmtp new-config`)".into(),
            ));
        }
    }
    let config = xmtp_devnet_node::DevnetConfig {
        settlement_chain_id: network
            .as_ref()
            .map_or(args.settlement_chain_id, |c| c.settlement_chain_id),
        app_chain_id: network
            .as_ref()
            .map_or(args.app_chain_id, |c| c.app_chain_id),
        basefee: args.basefee,
        fee_token: network
            .as_ref()
            .and_then(|c| c.fee_token_proxy)
            .or(args.fee_token),
        outbox_delay: args.outbox_delay,
        ticket_lifetime: args.ticket_lifetime,
        ..xmtp_devnet_node::DevnetConfig::default()
    };
    let options = xmtp_devnet_node::ServerOptions {
        settlement_port: args.settlement_port,
        app_port: args.app_port,
        auto_relay: !args.no_auto_relay,
        block_time: args.block_time.map(std::time::Duration::from_secs),
    };
    let (stop_tx, stop_rx) = std::sync::mpsc::channel();
    ctrlc::set_handler(move || {
        let _ = stop_tx.send(());
    })
    .map_err(|e| Error::Chain(format!("cannot install the Ctrl-C handler: {e}")))?;
    let (server, endpoints) = local::start(config, &options)?;
    if let Some(network) = &network {
        let underlying = network.underlying_fee_token;
        server
            .with(move |devnet| xmtp_deploy::deployer::install_underlying(devnet, underlying))
            .map_err(|e| Error::Chain(format!("the devnet did not answer: {e}")))?;
    }
    if args.json {
        println!("{}", endpoints.to_json());
    } else {
        print!("{}", endpoints.describe());
        println!("serving; Ctrl-C stops");
    }
    // Whoever reads our output line by line (a test, a script) sees it now.
    std::io::Write::flush(&mut std::io::stdout())
        .map_err(|e| Error::io(std::path::Path::new("<stdout>"), &e))?;
    // A closed channel (the handler gone) also means stop.
    let _ = stop_rx.recv();
    server.shutdown();
    eprintln!("devnet stopped");
    Ok(())
}

/// The Factory embeds the Proxy's and the Initializable's init code: refresh it (or, with
/// `check`, refuse stale files) before the Factory is compiled.
fn embedded_files(workspace: &Workspace, check: bool) -> Result<(), Error> {
    let expected = embedded::expected(workspace)?;
    if check {
        let stale = embedded::stale(&expected);
        if !stale.is_empty() {
            let names: Vec<_> = stale
                .iter()
                .map(|path| path.display().to_string())
                .collect();
            return Err(Error::Embedded(format!(
                "embedded init code is stale ({}); run `xmtp build`",
                names.join(", ")
            )));
        }
        return Ok(());
    }
    for path in embedded::refresh(&expected)? {
        eprintln!("updated {}", path.display());
    }
    Ok(())
}

fn abi_files(workspace: &Workspace, check: bool) -> Result<(), Vec<Error>> {
    let dir = workspace.root.join("abi");
    let expected = abi::expected_files(&workspace.programs).map_err(|e| vec![e])?;
    if check {
        let stale = abi::stale_files(&dir, &expected).map_err(|e| vec![e])?;
        if !stale.is_empty() {
            return Err(vec![Error::Abi(format!(
                "abi/ is stale ({}); run `xmtp build` or `xmtp abi`",
                stale.join(", ")
            ))]);
        }
        return Ok(());
    }
    abi::write_files(&dir, &expected).map_err(|e| vec![e])
}
