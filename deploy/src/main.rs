//! `xmtp`: the XMTP Stylus tooling command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use xmtp_deploy::{
    abi, demo, embedded, local, network::Programs, pipeline, Error, Options, Workspace,
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
    /// network's FeeToken proxy); without it the devnet installs its own 6-decimal token.
    #[arg(long, value_name = "ADDRESS")]
    fee_token: Option<alloy_primitives::Address>,
    /// Deliver tickets and outbox messages only when asked (`devnet_relay`).
    #[arg(long)]
    no_auto_relay: bool,
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

/// Builds everything like `build`, but a program the demo does not deploy only warns when it
/// is invalid or too large (the size gate belongs to `build`); then runs the demo.
fn demo() -> Result<(), Vec<Error>> {
    if let Err(errors) = build(false) {
        let (blocking, other): (Vec<_>, Vec<_>) =
            errors.into_iter().partition(|error| match error {
                Error::Program { program, .. } => {
                    demo::PROGRAMS.contains(&format!("xmtp-{program}").as_str())
                }
                _ => true,
            });
        for error in &other {
            eprintln!("warning: {error} (not deployed by the demo)");
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
    println!("\ntransactions (receipt gas)");
    for step in &report.steps {
        let chain = if step.chain_id == demo::SETTLEMENT_CHAIN_ID {
            "settlement"
        } else {
            "app"
        };
        println!(
            "  {chain:<11} {:<44} {:>11}",
            step.label,
            pipeline::thousands(usize::try_from(step.gas_used).unwrap_or(usize::MAX))
        );
    }
    println!("\nchecked");
    for check in &report.checks {
        println!("  ok  {check}");
    }
    Ok(())
}

/// Serves the devnet until Ctrl-C (or SIGTERM), then stops both servers.
fn devnet(args: &DevnetArgs) -> Result<(), Error> {
    let config = xmtp_devnet_node::DevnetConfig {
        settlement_chain_id: args.settlement_chain_id,
        app_chain_id: args.app_chain_id,
        basefee: args.basefee,
        fee_token: args.fee_token,
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
