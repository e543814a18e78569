//! The `xmtp` operator commands as a separate process against `xmtp devnet`'s JSON-RPC: a
//! refused deployment changes nothing, `deploy` then `check` pass, a second `deploy` sends
//! nothing, `params set` + `bridge` change the app chain, `upgrade` switches an implementation
//! and `check` still passes.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;

const DEPLOYER_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const ADMIN_KEY: &str = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

fn xmtp() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xmtp"));
    command.current_dir(env!("CARGO_MANIFEST_DIR"));
    // Keys come from flags in these tests, never from the caller's environment.
    for variable in [
        "DEPLOYER_PRIVATE_KEY",
        "ADMIN_PRIVATE_KEY",
        "SETTLEMENT_RPC_URL",
        "APP_RPC_URL",
    ] {
        command.env_remove(variable);
    }
    command
}

/// Ends the devnet on every path out of the test.
struct Devnet(Child);

impl Drop for Devnet {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct Fixture {
    dir: PathBuf,
    config: PathBuf,
    settlement: String,
    app: String,
    _devnet: Devnet,
}

impl Fixture {
    fn start() -> Self {
        let dir = std::env::temp_dir().join(format!("xmtp-cli-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let config = dir.join("config").join("devnet.json");
        let written = xmtp()
            .args(["new-config", "--settlement-chain-id", "84532"])
            .args(["--app-chain-id", "351243127", "--out"])
            .arg(&config)
            .output()
            .unwrap();
        assert!(written.status.success(), "{}", stderr(&written));
        let mut child = xmtp()
            .args([
                "devnet",
                "--settlement-port",
                "0",
                "--app-port",
                "0",
                "--json",
            ])
            .arg("--config")
            .arg(&config)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let devnet = Devnet(child);
        let described: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(described["settlement"]["chainId"], 84_532);
        assert_eq!(described["app"]["chainId"], 351_243_127);
        Self {
            dir,
            settlement: described["settlement"]["url"].as_str().unwrap().to_owned(),
            app: described["app"]["url"].as_str().unwrap().to_owned(),
            config,
            _devnet: devnet,
        }
    }

    fn run(&self, args: &[&str], config: &Path) -> Output {
        xmtp()
            .args(args)
            .arg("--config")
            .arg(config)
            .args(["--settlement-rpc-url", &self.settlement])
            .args(["--app-rpc-url", &self.app])
            .output()
            .unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        let output = self.run(&[args, &["--json"]].concat(), &self.config);
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
        serde_json::from_slice(&output.stdout).unwrap()
    }
}

/// `check`'s failures, for the assertion message.
fn failures(checked: &Value) -> Vec<String> {
    checked["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["ok"] != true)
        .map(|c| format!("{}: {}", c["what"], c["failure"]))
        .collect()
}

fn check(fixture: &Fixture) -> Value {
    let output = fixture.run(&["check", "--json"], &fixture.config);
    let checked: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("check printed no JSON ({e}): {}", stderr(&output)));
    assert!(output.status.success(), "{:#?}", failures(&checked));
    assert_eq!(checked["ok"], true);
    checked
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn last_line(output: &Output) -> String {
    stderr(output).lines().last().unwrap_or_default().to_owned()
}

const KEYS: [&str; 4] = [
    "--private-key",
    DEPLOYER_KEY,
    "--admin-private-key",
    ADMIN_KEY,
];

fn nothing_deployed(fixture: &Fixture) {
    let plan = fixture.json(&["deploy"]);
    assert_eq!(plan["dryRun"], true);
    let entries = plan["plan"].as_array().unwrap();
    assert!(entries.len() > 20);
    assert!(entries.iter().all(|e| e["exists"] == false), "{plan}");
}

#[test]
fn deploy_check_redeploy_params_bridge_upgrade_check() {
    let fixture = Fixture::start();

    refusals(&fixture);
    deploy_check_and_redeploy(&fixture);
    parameter_set_and_bridged(&fixture);
    upgrade_keeps_check_passing(&fixture);
    node_onboarded(&fixture);
    std::fs::remove_dir_all(&fixture.dir).unwrap();
}

/// Each refusal is one line naming the cause, and nothing is sent.
fn refusals(fixture: &Fixture) {
    let no_key = fixture.run(&["deploy", "--broadcast"], &fixture.config);
    assert!(!no_key.status.success());
    assert_eq!(
        last_line(&no_key),
        "error: no key for the deployer 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266: give --private-key or DEPLOYER_PRIVATE_KEY"
    );
    let mut wrong: Value =
        serde_json::from_str(&std::fs::read_to_string(&fixture.config).unwrap()).unwrap();
    wrong["settlementChainId"] = "1".into();
    let wrong_config = fixture.dir.join("config").join("wrong.json");
    std::fs::write(&wrong_config, wrong.to_string()).unwrap();
    let wrong_chain = fixture.run(
        &[&["deploy", "--broadcast"][..], &KEYS].concat(),
        &wrong_config,
    );
    assert!(!wrong_chain.status.success());
    assert_eq!(
        last_line(&wrong_chain),
        "error: wrong chain id: the settlement chain RPC answers 84532, the configuration says 1"
    );
    nothing_deployed(fixture);
}

fn deploy_check_and_redeploy(fixture: &Fixture) {
    let deployed = fixture.json(&[&["deploy", "--broadcast"][..], &KEYS].concat());
    assert_eq!(deployed["written"], true);
    assert!(deployed["steps"].as_array().unwrap().len() > 40);
    let environment = fixture.dir.join("environments").join("devnet.json");
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(&environment).unwrap()).unwrap();
    assert_eq!(written, deployed["environment"]);
    assert_eq!(written["settlementChainId"], 84_532);
    assert_eq!(
        written["settlementChainGateway"],
        written["appChainGateway"]
    );
    check(fixture);

    // A second run finds everything in place and leaves the environment file alone.
    let again = fixture.json(&[&["deploy", "--broadcast"][..], &KEYS].concat());
    assert_eq!(again["steps"], Value::Array(vec![]));
    assert_eq!(again["written"], false);
    assert_eq!(
        std::fs::read_to_string(&environment).unwrap(),
        serde_json::to_string_pretty(&written).unwrap() + "\n"
    );
}

/// A parameter set on the settlement chain, then bridged to the app chain.
fn parameter_set_and_bridged(fixture: &Fixture) {
    let key = "xmtp.example.answer";
    let set = fixture.json(
        &[
            &["params", "set", key, "42", "--type", "uint", "--broadcast"][..],
            &KEYS,
        ]
        .concat(),
    );
    assert_eq!(set["changed"], true);
    let before = fixture.json(&["params", "get", key, "--type", "uint", "--app"]);
    assert_eq!(before["values"][key], "0");
    fixture.json(&[&["params", "bridge", key, "--broadcast"][..], &KEYS].concat());
    let after = fixture.json(&["params", "get", key, "--type", "uint", "--app"]);
    assert_eq!(after["values"][key], "42");
}

/// An upgrade through a migrator: the implementation changes, the public state does not, the
/// release is recorded and check still passes.
fn upgrade_keeps_check_passing(fixture: &Fixture) {
    let upgraded = fixture.json(
        &[
            &["upgrade", "RateRegistry", "--release", "v2", "--broadcast"][..],
            &KEYS,
        ]
        .concat(),
    );
    assert_ne!(upgraded["from"], upgraded["to"]);
    assert_eq!(upgraded["migratorKey"], "xmtp.rateRegistry.migrator");
    assert_eq!(upgraded["stateChanged"], Value::Array(vec![]));
    let config: Value =
        serde_json::from_str(&std::fs::read_to_string(&fixture.config).unwrap()).unwrap();
    assert_eq!(config["releases"]["RateRegistry"], "v2");
    let checked = check(fixture);
    let rate_registry = checked["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| {
            c["what"]
                .as_str()
                .unwrap()
                .starts_with("settlement: RateRegistry proxy")
        })
        .unwrap()
        .clone();
    assert!(rate_registry["what"]
        .as_str()
        .unwrap()
        .ends_with(upgraded["to"].as_str().unwrap()));
}

/// A node minted to its owner, then made canonical.
fn node_onboarded(fixture: &Fixture) {
    let operator: alloy::signers::local::PrivateKeySigner =
        "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6"
            .parse()
            .unwrap();
    let public_key = operator
        .credential()
        .verifying_key()
        .to_encoded_point(false);
    let public_key = format!("0x{}", alloy_primitives::hex::encode(public_key.as_bytes()));
    let owner = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
    let added = fixture.json(
        &[
            &[
                "nodes",
                "add",
                "--owner",
                owner,
                "--signing-key",
                &public_key,
            ][..],
            &["--http-address", "https://node.example", "--broadcast"],
            &KEYS,
        ]
        .concat(),
    );
    assert_eq!(added["nodeId"], 100);
    assert_eq!(added["signer"], operator.address().to_checksum(None));
    fixture.json(
        &[
            &["nodes", "add-to-network", "100", "--broadcast"][..],
            &KEYS,
        ]
        .concat(),
    );
    let listed = fixture.json(&["nodes", "list"]);
    assert_eq!(
        listed["nodes"],
        serde_json::json!([{
            "nodeId": 100,
            "signer": operator.address().to_checksum(None),
            "isCanonical": true,
            "httpAddress": "https://node.example",
            "signingPublicKey": public_key,
        }])
    );
}
