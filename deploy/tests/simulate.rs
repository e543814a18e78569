//! Simulation by default: `xmtp deploy` without `--broadcast` runs every step on forks of both
//! chains (served here by the devnet in process) and sends nothing; the broadcast deployment
//! that follows, signed from encrypted keystores, uses exactly the simulated gas. A wrong
//! keystore password and a failing simulated step each fail with one line.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use alloy_primitives::Address;
use serde_json::Value;
use xmtp_deploy::deployer::{install_underlying, Config};
use xmtp_devnet_node::devnet::to_alias;
use xmtp_devnet_node::{DevnetConfig, DevnetServer, ServerOptions};

const KEYSTORE: &str = "tests/data/deployer.keystore.json";
const ADMIN_KEYSTORE: &str = "tests/data/admin.keystore.json";
const PASSWORD_FILE: &str = "tests/data/keystore.password";
const PASSWORD: &str = "correct horse battery staple";

struct Fixture {
    dir: PathBuf,
    config: PathBuf,
    settlement: String,
    app: String,
    deployer: Address,
    admin: Address,
    server: DevnetServer,
}

/// Heads and the deployer's and admin's nonces on both chains: what sending anything changes.
type Chains = [u64; 6];

impl Fixture {
    fn start() -> Self {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let workspace = xmtp_deploy::discover(root).unwrap();
        let dir = std::env::temp_dir().join(format!("xmtp-simulate-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let config_path = dir.join("config").join("devnet.json");
        std::fs::create_dir_all(config_path.parent().unwrap()).unwrap();
        let value = xmtp_deploy::cli::new_config(
            &workspace,
            84_532,
            351_243_127,
            xmtp_deploy::deployer::ProxyKind::Stylus,
        )
        .unwrap();
        std::fs::write(&config_path, value.to_string()).unwrap();
        let config = Config::load(&config_path).unwrap();
        let options = ServerOptions {
            settlement_port: 0,
            app_port: 0,
            auto_relay: true,
            block_time: None,
        };
        let (server, endpoints) = xmtp_deploy::local::start(
            DevnetConfig {
                settlement_chain_id: config.settlement_chain_id,
                app_chain_id: config.app_chain_id,
                fee_token: config.fee_token_proxy,
                ..DevnetConfig::default()
            },
            &options,
        )
        .unwrap();
        let underlying = config.underlying_fee_token;
        server
            .with(move |devnet| install_underlying(devnet, underlying))
            .unwrap();
        Self {
            dir,
            config: config_path,
            settlement: endpoints.settlement_url,
            app: endpoints.app_url,
            deployer: config.deployer,
            admin: config.admins()[0],
            server,
        }
    }

    fn chains(&self) -> Chains {
        let (deployer, admin) = (self.deployer, self.admin);
        self.server
            .with(move |devnet| {
                let (s, a) = (&devnet.settlement, &devnet.app);
                [
                    s.head(),
                    a.head(),
                    s.chain().nonce(deployer),
                    a.chain().nonce(deployer),
                    s.chain().nonce(admin),
                    a.chain().nonce(admin),
                ]
            })
            .unwrap()
    }

    fn run(&self, args: &[&str]) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_xmtp"));
        command.current_dir(env!("CARGO_MANIFEST_DIR"));
        for variable in [
            "DEPLOYER_PRIVATE_KEY",
            "ADMIN_PRIVATE_KEY",
            "DEPLOYER_KEYSTORE",
            "ADMIN_KEYSTORE",
            "DEPLOYER_KEYSTORE_PASSWORD",
        ] {
            command.env_remove(variable);
        }
        command
            .args(args)
            .arg("--config")
            .arg(&self.config)
            .args(["--settlement-rpc-url", &self.settlement])
            .args(["--app-rpc-url", &self.app])
            .env("ADMIN_KEYSTORE_PASSWORD", PASSWORD)
            .output()
            .unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        let output = self.run(&[args, &["--json"]].concat());
        assert!(output.status.success(), "{args:?}: {}", last_line(&output));
        serde_json::from_slice(&output.stdout).unwrap()
    }
}

fn last_line(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .last()
        .unwrap_or_default()
        .to_owned()
}

const KEYSTORES: [&str; 6] = [
    "--keystore",
    KEYSTORE,
    "--keystore-password-file",
    PASSWORD_FILE,
    "--admin-keystore",
    ADMIN_KEYSTORE,
];

#[test]
fn simulated_deployment_sends_nothing_and_predicts_the_broadcast_gas() {
    let fixture = Fixture::start();
    let before = fixture.chains();

    wrong_password_refused(&fixture);
    let simulated = simulated_deployment(&fixture);
    assert_eq!(fixture.chains(), before, "the simulation sent something");
    assert_eq!(
        simulated["simulation"]["forkedAt"],
        serde_json::json!({ "settlement": before[0], "app": before[1] })
    );

    // Signed from the keystores, the deployment runs the simulated steps with the simulated
    // gas, one by one: same state, same code, one transaction per block on both.
    let deployed = fixture.json(&[&["deploy", "--broadcast"][..], &KEYSTORES].concat());
    assert_eq!(deployed["steps"], simulated["simulation"]["steps"]);
    // The simulation predicted the addresses and the deployment blocks (the forks' next).
    assert_eq!(deployed["environment"], simulated["environment"]);
    assert_eq!(deployed["written"], true);

    failing_step_named(&fixture);
    std::fs::remove_dir_all(&fixture.dir).unwrap();
    fixture.server.shutdown();
}

fn wrong_password_refused(fixture: &Fixture) {
    let wrong = fixture.dir.join("wrong.password");
    std::fs::write(&wrong, "hunter2\n").unwrap();
    let refused = fixture.run(&[
        "deploy",
        "--broadcast",
        "--keystore",
        KEYSTORE,
        "--keystore-password-file",
        wrong.to_str().unwrap(),
    ]);
    assert!(!refused.status.success());
    assert_eq!(
        last_line(&refused),
        format!("error: keystore {KEYSTORE}: wrong password")
    );
}

/// Every step simulated with its gas, the app-chain parameters delivered by the one ticket
/// from the gateway's alias, the deployer and admin impersonated (no keys given).
fn simulated_deployment(fixture: &Fixture) -> Value {
    let simulated = fixture.json(&["deploy"]);
    assert_eq!(simulated["dryRun"], true);
    let plan = simulated["plan"].as_array().unwrap();
    assert!(plan.len() > 20);
    assert!(plan.iter().all(|entry| entry["exists"] == false));
    let simulation = &simulated["simulation"];
    assert_eq!(
        simulation["impersonated"],
        serde_json::json!([fixture.deployer, fixture.admin])
    );
    let steps = simulation["steps"].as_array().unwrap();
    assert!(steps.len() > 40, "{steps:?}");
    assert!(steps
        .iter()
        .all(|s| s["gasUsed"].as_u64().unwrap() > 21_000));
    assert_eq!(steps[0]["label"], "deploy Factory proxy");
    assert!(steps
        .iter()
        .any(|s| s["label"] == "SettlementChainGateway.sendParametersFromUnderlying (6 keys)"));
    let gateway: Address = simulated["environment"]["settlementChainGateway"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let tickets = simulation["tickets"].as_array().unwrap();
    assert_eq!(tickets.len(), 1);
    assert_eq!(tickets[0]["from"], serde_json::json!(to_alias(gateway)));
    assert_eq!(tickets[0]["to"], serde_json::json!(gateway));
    simulated
}

/// After the deployment: a simulated parameter change sends nothing, and a step that would
/// revert fails the command, naming it.
fn failing_step_named(fixture: &Fixture) {
    let before = fixture.chains();
    let key = "xmtp.example.answer";
    let set = fixture.json(&["params", "set", key, "42", "--type", "uint"]);
    assert_eq!(set["dryRun"], true);
    assert_eq!(set["to"], "42");
    let steps = set["simulation"]["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 1);
    assert_eq!(steps[0]["label"], format!("set {key} (1 keys)"));

    let failed = fixture.run(&["nodes", "add-to-network", "999"]);
    assert!(!failed.status.success());
    assert!(
        last_line(&failed).starts_with(
            "error: simulation: NodeRegistry.addToNetwork(999) fails on the settlement chain (reverted: "
        ),
        "{}",
        last_line(&failed)
    );
    assert_eq!(fixture.chains(), before, "a simulation sent something");
}
