//! The `xmtp` operator commands as a separate process against `xmtp devnet`'s JSON-RPC: a
//! refused deployment changes nothing, `deploy` then `check` pass, a second `deploy` sends
//! nothing, `params set` + `bridge` change the app chain, `upgrade` switches an implementation
//! and `check` still passes, `report` submits and settles a payer report (and refuses a
//! non-canonical signer, a wrong chain id and unknown payers without sending anything).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use alloy::signers::local::PrivateKeySigner;
use alloy_primitives::{aliases::U96, Address, Bytes, U256};
use alloy_sol_types::SolCall;
use serde_json::{json, Value};
use xmtp_abi::{
    fee_token::IFeeToken,
    mock_underlying_fee_token::IMockUnderlyingFeeToken,
    payer_registry::IPayerRegistry,
    payer_report_manager::{IPayerReportManager, PayerReport},
};
use xmtp_deploy::deployer::{rpc::Rpc, Backend, Request};
use xmtp_devnet_node::Side;

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
        "DEPLOYER_KEYSTORE_PASSWORD",
        "ADMIN_KEYSTORE_PASSWORD",
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
    an_evm_proxy_configuration_simulates(&fixture);
    deploy_check_and_redeploy(&fixture);
    parameter_set_and_bridged(&fixture);
    upgrade_keeps_check_passing(&fixture);
    node_onboarded(&fixture);
    payer_report_submitted_and_settled(&fixture);
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
    // A proxy kind the Factory has no wiring value for.
    let mut unknown: Value =
        serde_json::from_str(&std::fs::read_to_string(&fixture.config).unwrap()).unwrap();
    unknown["proxy"] = "solidity".into();
    let unknown_config = fixture.dir.join("config").join("unknown-proxy.json");
    std::fs::write(
        &unknown_config,
        serde_json::to_string_pretty(&unknown).unwrap(),
    )
    .unwrap();
    let unknown_proxy = fixture.run(
        &[&["deploy", "--broadcast"][..], &KEYS].concat(),
        &unknown_config,
    );
    assert!(!unknown_proxy.status.success());
    assert_eq!(stderr(&unknown_proxy).lines().count(), 1);
    assert!(
        last_line(&unknown_proxy).starts_with(&format!(
            "error: {}: unknown variant `solidity`, expected `stylus` or `evm` at line ",
            unknown_config.display()
        )),
        "{}",
        stderr(&unknown_proxy)
    );
    // Nothing listens on the discard port.
    let unreachable = xmtp()
        .args(["check", "--config"])
        .arg(&fixture.config)
        .args(["--settlement-rpc-url", "http://127.0.0.1:9"])
        .args(["--app-rpc-url", &fixture.app])
        .output()
        .unwrap();
    assert!(!unreachable.status.success());
    assert!(
        last_line(&unreachable).starts_with("error: settlement chain RPC http://127.0.0.1:9: "),
        "{}",
        stderr(&unreachable)
    );
    // A deployer whose account holds nothing on either chain.
    let poor_key = "0x0000000000000000000000000000000000000000000000000000000000000001";
    let mut poor: Value =
        serde_json::from_str(&std::fs::read_to_string(&fixture.config).unwrap()).unwrap();
    poor["deployer"] = "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf".into();
    // Its Factory and proxies land elsewhere: let the plan predict them.
    for pinned in [
        "factory",
        "factoryImplementation",
        "initializableImplementation",
        "feeTokenProxy",
        "gatewayProxy",
        "parameterRegistryProxy",
    ] {
        poor[pinned] = Value::Null;
    }
    let poor_config = fixture.dir.join("config").join("poor.json");
    std::fs::write(&poor_config, poor.to_string()).unwrap();
    let unfunded = fixture.run(
        &["deploy", "--broadcast", "--private-key", poor_key],
        &poor_config,
    );
    assert!(!unfunded.status.success());
    assert!(
        last_line(&unfunded).contains("insufficient funds"),
        "{}",
        stderr(&unfunded)
    );
    nothing_deployed(fixture);
}

/// `new-config --proxy evm` writes the same network behind EVM proxies: the Factory stays where
/// it is, every proxy moves (another creation code), and the deployment it describes runs
/// whole in simulation against the devnet. Nothing is sent.
fn an_evm_proxy_configuration_simulates(fixture: &Fixture) {
    let evm_config = fixture.dir.join("config").join("evm.json");
    let written = xmtp()
        .args(["new-config", "--settlement-chain-id", "84532"])
        .args(["--app-chain-id", "351243127", "--proxy", "evm", "--out"])
        .arg(&evm_config)
        .output()
        .unwrap();
    assert!(written.status.success(), "{}", stderr(&written));
    let read = |path: &Path| -> Value {
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    };
    let (stylus, evm) = (read(&fixture.config), read(&evm_config));
    assert_eq!(evm["proxy"], "evm");
    assert_eq!(
        stylus.get("proxy"),
        None,
        "stylus is the default, not written"
    );
    assert_eq!(evm["factory"], stylus["factory"]);
    for key in ["parameterRegistryProxy", "gatewayProxy", "feeTokenProxy"] {
        assert_ne!(evm[key], stylus[key], "{key}");
    }

    let simulated = fixture.run(&[&["deploy", "--json"][..], &KEYS].concat(), &evm_config);
    assert!(simulated.status.success(), "{}", stderr(&simulated));
    let simulated: Value = serde_json::from_slice(&simulated.stdout).unwrap();
    assert_eq!(simulated["dryRun"], true);
    assert!(simulated["simulation"]["steps"].as_array().unwrap().len() > 40);
    let address = |value: &Value| -> Address { value.as_str().unwrap().parse().unwrap() };
    assert_eq!(
        address(&simulated["environment"]["settlementChainGateway"]),
        address(&evm["gatewayProxy"])
    );
    nothing_deployed(fixture);

    let unknown = xmtp()
        .args(["new-config", "--proxy", "solidity", "--out"])
        .arg(fixture.dir.join("config").join("unknown.json"))
        .output()
        .unwrap();
    assert!(!unknown.status.success());
    assert!(
        stderr(&unknown).starts_with("error: invalid value 'solidity' for '--proxy <PROXY>'"),
        "{}",
        stderr(&unknown)
    );
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

/// The settlement chain as the test reads and funds it, beside the CLI.
struct Chain {
    rpc: Rpc,
    environment: Value,
}

impl Chain {
    fn open(fixture: &Fixture, keys: &[&str]) -> Self {
        let signers: Vec<PrivateKeySigner> = keys.iter().map(|k| k.parse().unwrap()).collect();
        let rpc = Rpc::connect(&fixture.settlement, &fixture.app, &signers).unwrap();
        let path = fixture.dir.join("environments").join("devnet.json");
        let environment = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        Self { rpc, environment }
    }

    fn address(&self, key: &str) -> Address {
        self.environment[key].as_str().unwrap().parse().unwrap()
    }

    fn send<C: SolCall>(&mut self, from: Address, to: Address, call: &C) {
        let request = Request {
            from,
            to: Some(to),
            data: call.abi_encode().into(),
            value: U256::ZERO,
        };
        self.rpc
            .send(Side::Settlement, C::SIGNATURE, &request)
            .unwrap();
    }

    fn call<C: SolCall>(&mut self, to: Address, call: &C) -> Result<C::Return, Bytes> {
        let answer = self
            .rpc
            .call(
                Side::Settlement,
                Address::ZERO,
                to,
                call.abi_encode().into(),
            )
            .unwrap();
        answer.map(|output| C::abi_decode_returns(&output).unwrap())
    }

    fn balance(&mut self, payer: Address) -> i128 {
        let registry = self.address("payerRegistry");
        let balance = self
            .call(registry, &IPayerRegistry::getBalanceCall { payer_: payer })
            .unwrap();
        i128::try_from(balance).unwrap()
    }

    fn report(&mut self, index: u64) -> Result<PayerReport, Bytes> {
        let manager = self.address("payerReportManager");
        self.call(
            manager,
            &IPayerReportManager::getPayerReportCall {
                originatorNodeId_: 100,
                payerReportIndex_: U256::from(index),
            },
        )
    }
}

/// Dev account 2 funds three payers in the registry: mock USDC minted, wrapped, deposited.
fn fund_payers(chain: &mut Chain, payers: &[Address]) {
    let wallet: Address = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
        .parse()
        .unwrap();
    let (underlying, fee_token, registry) = (
        chain.address("underlyingFeeToken"),
        chain.address("feeToken"),
        chain.address("payerRegistry"),
    );
    let total = U256::from(PAYER_DEPOSIT * payers.len() as u64);
    chain.send(
        wallet,
        underlying,
        &IMockUnderlyingFeeToken::mintCall {
            to_: wallet,
            amount_: total,
        },
    );
    let approve = |spender| IFeeToken::approveCall {
        spender,
        value: total,
    };
    chain.send(wallet, underlying, &approve(fee_token));
    chain.send(
        wallet,
        fee_token,
        &IFeeToken::depositCall { amount_: total },
    );
    chain.send(wallet, fee_token, &approve(registry));
    for payer in payers {
        chain.send(
            wallet,
            registry,
            &IPayerRegistry::depositCall {
                payer_: *payer,
                amount_: U96::from(PAYER_DEPOSIT),
            },
        );
    }
}

const PAYER_DEPOSIT: u64 = 10_000_000;
/// Node 100's signing key (`node_onboarded`).
const NODE_100_KEY: &str = "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6";
/// Node 200's: registered, never made canonical.
const NODE_200_KEY: &str = "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a";

fn payer(byte: u8) -> Address {
    Address::repeat_byte(byte)
}

/// A report of originator 100 over `payers` (address, pico-dollars), signed by `signers`.
fn report_file(
    fixture: &Fixture,
    name: &str,
    payers: &[(Address, u128)],
    signers: &Value,
) -> PathBuf {
    let payers: Vec<Value> = payers
        .iter()
        .map(|(address, fee)| json!({ "address": address, "feePicoDollars": fee.to_string() }))
        .collect();
    let report = json!({
        "originatorNodeId": 100,
        "startSequenceId": 0,
        "endSequenceId": 42,
        "endMinuteSinceEpoch": 29_000_000,
        "payers": payers,
        "signers": signers,
    });
    let path = fixture.dir.join(name);
    std::fs::write(&path, report.to_string()).unwrap();
    path
}

/// Three funded payers billed by node 100's report: refused inputs change nothing, a dry run
/// sends nothing, the report is submitted and settled in two batches with every balance down by
/// exactly its fee, and a report that does not continue it is refused. (Running a settled
/// report again is the demo's check: in process, it costs no extra CLI run here.)
fn payer_report_submitted_and_settled(fixture: &Fixture) {
    let mut chain = Chain::open(
        fixture,
        &["0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"],
    );
    let fees = [
        (payer(0xa1), 1_500_000_000_001u128),
        (payer(0xa2), 2_000_000),
        (payer(0xa3), 999_999_999_999),
    ];
    let payers: Vec<Address> = fees.iter().map(|(p, _)| *p).collect();
    fund_payers(&mut chain, &payers);
    std::fs::write(fixture.dir.join("node-100.key"), NODE_100_KEY).unwrap();
    let node_100 = json!([{ "nodeId": 100, "keyFile": "node-100.key" }]);
    let good = report_file(fixture, "report.json", &fees, &node_100);
    report_refusals(fixture, &mut chain, &fees, &good);

    let plan = report_simulated(fixture, &mut chain, &fees, &good);

    let done = fixture.json(
        &[
            &[
                "report",
                good.to_str().unwrap(),
                "--batch-size",
                "2",
                "--broadcast",
            ][..],
            &KEYS,
        ]
        .concat(),
    );
    let debits: Vec<u128> = fees
        .iter()
        .map(|(_, fee)| fee.div_ceil(1_000_000))
        .collect();
    assert_eq!(debits, [1_500_001, 2, 1_000_000]);
    let total: u128 = debits.iter().sum();
    assert_eq!(done["settled"], true);
    assert_eq!(done["feesSettled"], total.to_string());
    assert_eq!(done["digest"], plan["digest"]);
    let batches: Vec<(u64, u64, u64)> = done["settlements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["start"].as_u64().unwrap(),
                s["count"].as_u64().unwrap(),
                s["remaining"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(batches, [(0, 2, 1), (2, 1, 0)]);
    let stored = chain.report(0).unwrap();
    assert_eq!(
        (
            stored.isSettled,
            stored.offset,
            stored.feesSettled,
            stored.nodeIds
        ),
        (true, 3, U96::from(total), vec![100])
    );
    for ((payer, _), debit) in fees.iter().zip(&debits) {
        assert_eq!(
            chain.balance(*payer),
            i128::from(PAYER_DEPOSIT) - i128::try_from(*debit).unwrap()
        );
    }

    // A report that does not continue the originator's last one is refused before sending.
    let stale = report_file(fixture, "stale.json", &fees[..1], &node_100);
    let refused = fixture.run(
        &[
            &["report", stale.to_str().unwrap(), "--broadcast"][..],
            &KEYS,
        ]
        .concat(),
        &fixture.config,
    );
    assert!(!refused.status.success());
    assert_eq!(
        last_line(&refused),
        "error: the report starts at sequence id 0 but originator 100's last report (index 0) ends at 42"
    );
    assert!(chain.report(1).is_err());
}

/// Without --broadcast: the whole run on forks of both chains, nothing sent; the result.
fn report_simulated(
    fixture: &Fixture,
    chain: &mut Chain,
    fees: &[(Address, u128)],
    good: &Path,
) -> Value {
    let plan = fixture.json(&["report", good.to_str().unwrap()]);
    assert_eq!(plan["dryRun"], true);
    assert_eq!(plan["payerReportIndex"], 0);
    assert_eq!(plan["signingNodeIds"], json!([100]));
    assert_eq!(plan["settled"], true);
    let simulated: Vec<&str> = plan["simulation"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        simulated,
        [
            "PayerReportManager.submit — 1 canonical nodes, 1 signatures (all)",
            "PayerReportManager.settle — 3 payers, one call (all leaves)"
        ]
    );
    assert!(chain.report(0).is_err(), "a dry run submitted the report");
    assert_eq!(chain.balance(fees[0].0), i128::from(PAYER_DEPOSIT));
    plan
}

/// A non-canonical signer, a wrong chain id and an unknown payer: one line each, nothing sent.
fn report_refusals(fixture: &Fixture, chain: &mut Chain, fees: &[(Address, u128)], good: &Path) {
    let node_200: PrivateKeySigner = NODE_200_KEY.parse().unwrap();
    let public_key = node_200
        .credential()
        .verifying_key()
        .to_encoded_point(false);
    let public_key = format!("0x{}", alloy_primitives::hex::encode(public_key.as_bytes()));
    let added = fixture.json(
        &[
            &[
                "nodes",
                "add",
                "--owner",
                "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
            ][..],
            &[
                "--signing-key",
                &public_key,
                "--http-address",
                "https://node200.example",
            ],
            &["--broadcast"],
            &KEYS,
        ]
        .concat(),
    );
    assert_eq!(added["nodeId"], 200);
    std::fs::write(fixture.dir.join("node-200.key"), NODE_200_KEY).unwrap();
    let not_canonical = report_file(
        fixture,
        "not-canonical.json",
        fees,
        &json!([
            { "nodeId": 100, "keyFile": "node-100.key" },
            { "nodeId": 200, "keyFile": "node-200.key" },
        ]),
    );
    let mut unknown_fees = fees.to_vec();
    unknown_fees.push((payer(0xa4), 1));
    let unknown = report_file(
        fixture,
        "unknown.json",
        &unknown_fees,
        &json!([{ "nodeId": 100, "keyFile": "node-100.key" }]),
    );
    let wrong_config = fixture.dir.join("config").join("wrong.json");
    for (report, config, message) in [
        (
            &not_canonical,
            &fixture.config,
            "error: node 200 is not canonical (the canonical nodes are [100]): its signature would not count".to_owned(),
        ),
        (
            &good.to_path_buf(),
            &wrong_config,
            "error: wrong chain id: the settlement chain RPC answers 84532, the configuration says 1".to_owned(),
        ),
        (
            &unknown,
            &fixture.config,
            format!(
                "error: payers unknown to the PayerRegistry (never deposited): {}; settling would put them in debt (--allow-unknown-payers to do so)",
                payer(0xa4).to_checksum(None)
            ),
        ),
    ] {
        let refused = fixture.run(
            &[&["report", report.to_str().unwrap(), "--broadcast"][..], &KEYS].concat(),
            config,
        );
        assert!(!refused.status.success());
        assert_eq!(last_line(&refused), message);
    }
    assert!(chain.report(0).is_err());
    for (payer, _) in fees {
        assert_eq!(chain.balance(*payer), i128::from(PAYER_DEPOSIT));
    }
}
