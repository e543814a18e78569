//! `xmtp-devnet-node`: starts the settlement chain and the app chain, prints their endpoints,
//! chain ids and funded accounts, and serves until interrupted.

use std::process::ExitCode;

use std::time::Duration;

use xmtp_devnet_node::{DevnetConfig, DevnetServer, ServerOptions};

const USAGE: &str = "usage: xmtp-devnet-node [--settlement-port N] [--app-port N] \
[--outbox-delay SECONDS] [--ticket-lifetime SECONDS] [--basefee WEI] [--block-time SECONDS] \
[--no-auto-relay]";

/// Options that take a value.
const WITH_VALUE: [&str; 6] = [
    "--settlement-port",
    "--app-port",
    "--outbox-delay",
    "--ticket-lifetime",
    "--basefee",
    "--block-time",
];

struct Args {
    options: ServerOptions,
    config: DevnetConfig,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut out = Args {
        options: ServerOptions {
            settlement_port: 8545,
            app_port: 8546,
            ..ServerOptions::default()
        },
        config: DevnetConfig::default(),
    };
    while let Some(flag) = args.next() {
        if flag == "--no-auto-relay" {
            out.options.auto_relay = false;
            continue;
        }
        if flag == "-h" || flag == "--help" {
            return Err(USAGE.into());
        }

        if !WITH_VALUE.contains(&flag.as_str()) {
            return Err(format!("unknown option {flag}\n{USAGE}"));
        }
        let value = args
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        let num = |v: &str| {
            v.parse::<u64>()
                .map_err(|e| format!("{flag}: {v}: {e}\n{USAGE}"))
        };
        match flag.as_str() {
            "--settlement-port" => {
                out.options.settlement_port =
                    u16::try_from(num(&value)?).map_err(|e| e.to_string())?;
            }
            "--app-port" => {
                out.options.app_port = u16::try_from(num(&value)?).map_err(|e| e.to_string())?;
            }
            "--outbox-delay" => out.config.outbox_delay = num(&value)?,
            "--ticket-lifetime" => out.config.ticket_lifetime = num(&value)?,
            "--basefee" => out.config.basefee = num(&value)?,
            "--block-time" => {
                out.options.block_time = Some(Duration::from_secs(num(&value)?.max(1)));
            }
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
    }
    Ok(out)
}

fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let config = args.config.clone();
    let server = match DevnetServer::start(args.config, &args.options) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("could not start the devnet: {e}");
            return ExitCode::FAILURE;
        }
    };
    let facts = server.with(|d| (d.fee_token(), d.accounts()));
    println!(
        "settlement chain {} at {}",
        config.settlement_chain_id,
        server.settlement_url()
    );
    println!(
        "app chain        {} at {}",
        config.app_chain_id,
        server.app_url()
    );
    if let Ok((fee_token, accounts)) = facts {
        println!(
            "fee token {fee_token}, inbox {}, ArbRetryableTx {}",
            xmtp_devnet_node::contracts::INBOX,
            xmtp_devnet_node::contracts::ARB_RETRYABLE_TX
        );
        println!("accounts (funded on both chains):");
        for (i, a) in accounts.iter().enumerate() {
            println!("  ({i}) {} key 0x{}", a.address, a.key);
        }
    }
    println!("serving; Ctrl-C stops");
    // The server threads run until the process is interrupted; SIGINT's default action ends
    // the process, and nothing is kept on disk that would need flushing.
    loop {
        std::thread::park();
    }
}
