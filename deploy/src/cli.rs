//! The operator subcommands of `xmtp` over JSON-RPC: `deploy`, `check`, `params`, `upgrade`,
//! `new-config`. Each checks both chain ids before anything else, simulates unless given
//! `--broadcast`, prints one line per step (or one JSON document with `--json`), and fails
//! with one line naming the cause.

// Writing to a String cannot fail, hence the ignored results of `writeln!`.
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use alloy::signers::local::PrivateKeySigner;
use alloy_primitives::Address;
use serde_json::{json, Value};
use xmtp_devnet_node::Side;

use crate::deployer::admin::ParameterType;
use crate::deployer::rpc::{decrypt_keystore, parse_key, Password, Rpc};
use crate::deployer::simulate::Simulation;
use crate::deployer::{self, Backend, Config, Deployer, Outcome, Plan, ProxyKind};
use crate::network::{Programs, Step};
use crate::{Error, Workspace};

/// Where the network is and who signs.
#[derive(Debug, Clone, clap::Args)]
pub struct Network {
    /// The deployment's configuration (`config/<env>.json`, the reference's shape).
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// JSON-RPC URL of the settlement chain.
    #[arg(long, env = "SETTLEMENT_RPC_URL", value_name = "URL")]
    pub settlement_rpc_url: String,
    /// JSON-RPC URL of the app chain.
    #[arg(long, env = "APP_RPC_URL", value_name = "URL")]
    pub app_rpc_url: String,
    /// The deployer's private key (it must be the configuration's `deployer`). Prefer the
    /// environment variable: a key on the command line stays in the shell's history.
    #[arg(
        long,
        env = "DEPLOYER_PRIVATE_KEY",
        hide_env_values = true,
        value_name = "HEX"
    )]
    pub private_key: Option<String>,
    /// A settlement registry administrator's private key (for parameters and upgrades).
    #[arg(
        long,
        env = "ADMIN_PRIVATE_KEY",
        hide_env_values = true,
        value_name = "HEX"
    )]
    pub admin_private_key: Option<String>,
    /// The deployer's encrypted JSON keystore (Web3 Secret Storage, as `cast wallet` and geth
    /// write them), instead of a private key. Its password comes from
    /// --keystore-password-file, else from `DEPLOYER_KEYSTORE_PASSWORD`.
    #[arg(long, env = "DEPLOYER_KEYSTORE", value_name = "FILE")]
    pub keystore: Option<PathBuf>,
    /// A file holding the deployer keystore's password.
    #[arg(long, value_name = "FILE")]
    pub keystore_password_file: Option<PathBuf>,
    /// An administrator's encrypted JSON keystore, instead of --admin-private-key. Its
    /// password comes from --admin-keystore-password-file, else from `ADMIN_KEYSTORE_PASSWORD`.
    #[arg(long, env = "ADMIN_KEYSTORE", value_name = "FILE")]
    pub admin_keystore: Option<PathBuf>,
    /// A file holding the administrator keystore's password.
    #[arg(long, value_name = "FILE")]
    pub admin_keystore_password_file: Option<PathBuf>,
    /// Send the transactions. Without it nothing is sent: the same transactions run against
    /// local forks of both chains and each is printed with its gas.
    #[arg(long)]
    pub broadcast: bool,
    /// Print one JSON document instead of lines.
    #[arg(long)]
    pub json: bool,
}

impl Network {
    /// The deployer's key, from `--private-key` or `--keystore` (not both).
    fn deployer_key(&self) -> Result<Option<PrivateKeySigner>, Error> {
        Self::key(
            self.private_key.as_deref(),
            self.keystore.as_deref(),
            &Password {
                file: self.keystore_password_file.as_deref(),
                variable: "DEPLOYER_KEYSTORE_PASSWORD",
                option: "--keystore-password-file",
            },
            "--private-key",
            "--keystore",
        )
    }

    /// The administrator's key, from `--admin-private-key` or `--admin-keystore`.
    fn admin_key(&self) -> Result<Option<PrivateKeySigner>, Error> {
        Self::key(
            self.admin_private_key.as_deref(),
            self.admin_keystore.as_deref(),
            &Password {
                file: self.admin_keystore_password_file.as_deref(),
                variable: "ADMIN_KEYSTORE_PASSWORD",
                option: "--admin-keystore-password-file",
            },
            "--admin-private-key",
            "--admin-keystore",
        )
    }

    fn key(
        hex: Option<&str>,
        keystore: Option<&Path>,
        password: &Password<'_>,
        hex_option: &str,
        keystore_option: &str,
    ) -> Result<Option<PrivateKeySigner>, Error> {
        match (hex, keystore) {
            (Some(_), Some(_)) => Err(Error::Config(format!(
                "give {hex_option} or {keystore_option}, not both"
            ))),
            (Some(hex), None) => parse_key(hex).map(Some),
            (None, Some(path)) => decrypt_keystore(path, password).map(Some),
            (None, None) => Ok(None),
        }
    }
}

/// An opened network: configuration, plan, backend.
pub struct Session {
    /// The configuration.
    pub config: Config,
    /// The built programs.
    pub programs: Programs,
    /// The prediction.
    pub plan: Plan,
    /// Both chains.
    pub rpc: Rpc,
    /// The options.
    pub network: Network,
}

impl Session {
    /// Reads the configuration, builds the programs, predicts, and connects with the keys
    /// given (the deployer's must be the configuration's `deployer`).
    pub fn open(workspace: &Workspace, network: &Network) -> Result<Self, Error> {
        let config = Config::load(&network.config)?;
        let mut keys: Vec<PrivateKeySigner> = Vec::new();
        if let Some(signer) = network.deployer_key()? {
            if signer.address() != config.deployer {
                return Err(Error::Config(format!(
                    "the {} is {}'s but the configuration's deployer is {}",
                    if network.keystore.is_some() {
                        "keystore's key"
                    } else {
                        "private key"
                    },
                    signer.address(),
                    config.deployer
                )));
            }
            keys.push(signer);
        }
        if let Some(signer) = network.admin_key()? {
            keys.push(signer);
        }
        let programs = Programs::build(workspace, &[])?;
        let plan = Plan::new(&config, &programs)?;
        let rpc = Rpc::connect(&network.settlement_rpc_url, &network.app_rpc_url, &keys)?;
        Ok(Self {
            config,
            programs,
            plan,
            rpc,
            network: network.clone(),
        })
    }

    /// A deployer over the RPC backend (checks both chain ids); progress goes to stderr
    /// unless the output is JSON.
    pub fn deployer(&mut self) -> Result<Deployer<'_>, Error> {
        let json = self.network.json;
        let mut deployer = Deployer::new(&mut self.rpc, self.plan.clone())?;
        if !json {
            deployer.on_progress(|line| eprintln!("{line}"));
        }
        Ok(deployer)
    }

    /// Forks both chains for a simulation, which sends from the keys given and, for the
    /// configuration's deployer and administrators without one, from their addresses
    /// (impersonated: a simulation signs nothing). Returns the impersonated accounts too.
    pub fn simulation(&self) -> Result<(Simulation, Vec<Address>), Error> {
        let keyed = self.rpc.signers();
        let mut impersonated = Vec::new();
        for account in std::iter::once(self.config.deployer).chain(self.plan.admins.iter().copied())
        {
            if !keyed.contains(&account) && !impersonated.contains(&account) {
                impersonated.push(account);
            }
        }
        let signers = keyed
            .into_iter()
            .chain(impersonated.iter().copied())
            .collect();
        let simulation = Simulation::fork(
            &self.network.settlement_rpc_url,
            &self.network.app_rpc_url,
            signers,
        )?;
        Ok((simulation, impersonated))
    }

    /// Runs `run` on a deployer over forks of both chains (see [`Session::simulation`]) and
    /// returns its result with the simulation's report: fork blocks, impersonated accounts,
    /// each step with its gas, the retryable tickets delivered. A failing step fails the
    /// whole, naming it.
    pub fn simulate<T>(
        &self,
        run: impl FnOnce(Deployer<'_>) -> Result<(T, Vec<Step>), Error>,
    ) -> Result<(T, Value), Error> {
        let (mut simulation, impersonated) = self.simulation()?;
        let json = self.network.json;
        let [settlement, app] = simulation.forked_at();
        if !json {
            eprintln!(
                "simulating on forks of the settlement chain at block {settlement} and the app chain at block {app}: nothing is sent (--broadcast sends)"
            );
        }
        let (value, steps) = {
            let mut deployer = Deployer::new(&mut simulation, self.plan.clone())?;
            if !json {
                deployer.on_progress(|line| eprintln!("{line}"));
            }
            run(deployer)?
        };
        let tickets: Vec<Value> = simulation
            .delivered
            .iter()
            .map(|t| {
                json!({
                    "from": t.from, "to": t.to, "gasUsed": t.gas_used,
                    "how": "run on the app-chain fork from the alias of its settlement-chain sender, as Arbitrum's auto-redeem would",
                })
            })
            .collect();
        let report = json!({
            "forkedAt": { "settlement": settlement, "app": app },
            "impersonated": impersonated,
            "steps": steps_json(&steps),
            "gasUsed": steps.iter().map(|s| s.gas_used).sum::<u64>(),
            "tickets": tickets,
        });
        Ok((value, report))
    }

    /// Refuses to send without the deployer's key.
    pub fn require_deployer_key(&self) -> Result<(), Error> {
        if self.rpc.signers().contains(&self.config.deployer) {
            return Ok(());
        }
        Err(Error::Config(format!(
            "no key for the deployer {}: give --private-key or DEPLOYER_PRIVATE_KEY",
            self.config.deployer
        )))
    }
}

fn steps_json(steps: &[Step]) -> Value {
    steps
        .iter()
        .map(|s| json!({ "chainId": s.chain_id, "label": s.label, "gasUsed": s.gas_used }))
        .collect()
}

/// The environment file a configuration's deployment is written to by default:
/// `config/<env>.json` → `environments/<env>.json` next to `config/`.
pub fn default_environment(config: &Path) -> PathBuf {
    let name = config
        .file_name()
        .map_or_else(|| "environment.json".into(), ToOwned::to_owned);
    config
        .parent()
        .and_then(Path::parent)
        .unwrap_or_else(|| Path::new("."))
        .join("environments")
        .join(name)
}

/// `xmtp deploy`: the plan (dry run) or the deployment (`--broadcast`).
pub fn deploy(
    workspace: &Workspace,
    network: &Network,
    environment: Option<&Path>,
) -> Result<Value, Error> {
    let mut session = Session::open(workspace, network)?;
    let environment =
        environment.map_or_else(|| default_environment(&network.config), Path::to_path_buf);
    if !network.broadcast {
        let planned = plan(&mut session)?;
        let (outcome, simulation) = session.simulate(|deployer| {
            let outcome = deployer.deploy()?;
            let steps = outcome.steps.clone();
            Ok((outcome, steps))
        })?;
        return Ok(json!({
            "dryRun": true,
            "plan": planned,
            "simulation": simulation,
            "environment": outcome.environment.entries,
            "reused": outcome.reused,
            "skipped": outcome.skipped,
        }));
    }
    session.require_deployer_key()?;
    let Outcome {
        environment: env,
        steps,
        reused,
        skipped,
    } = session.deployer()?.deploy()?;
    let written = write_environment(&env, &environment)?;
    Ok(json!({
        "environmentFile": environment,
        "written": written,
        "environment": env.entries,
        "steps": steps_json(&steps),
        "reused": reused,
        "skipped": skipped,
    }))
}

/// Writes an environment file unless an equal one (deployment blocks aside: a run that sent
/// nothing keeps the original blocks) exists.
fn write_environment(env: &deployer::Environment, path: &Path) -> Result<bool, Error> {
    if path.exists() {
        let existing = deployer::Environment::load(path)?;
        let strip = |e: &deployer::Environment| {
            let mut e = e.clone();
            e.entries.retain(|k, _| !k.ends_with("DeploymentBlock"));
            e
        };
        if strip(&existing) == strip(env) {
            return Ok(false);
        }
    }
    env.write_new(path)
}

/// Every predicted address and whether code is there already.
fn plan(session: &mut Session) -> Result<Vec<Value>, Error> {
    let mut entries = Vec::new();
    let plan = session.plan.clone();
    for side in [Side::Settlement, Side::App] {
        let expected = match side {
            Side::Settlement => plan.config.settlement_chain_id,
            Side::App => plan.config.app_chain_id,
        };
        let actual = session.rpc.chain_id(side)?;
        if actual != expected {
            return Err(Error::Chain(format!(
                "wrong chain id: the {} chain RPC answers {actual}, the configuration says {expected}",
                deployer::chain_name(side)
            )));
        }
        let mut add =
            |name: String, address: Address, note: Option<&String>| -> Result<(), Error> {
                let exists = !session.rpc.code(side, address)?.is_empty();
                entries.push(json!({
                    "chain": deployer::chain_name(side),
                    "contract": name,
                    "address": address,
                    "exists": exists,
                    "notDeployable": note,
                }));
                Ok(())
            };
        add("Factory".into(), plan.factory, None)?;
        add(
            "Factory implementation".into(),
            plan.factory_implementation,
            None,
        )?;
        add("Initializable".into(), plan.initializable, None)?;
        for unit in plan.units.iter().filter(|u| u.side == side) {
            let note = unit.init_code.as_ref().err();
            if note.is_none() {
                add(
                    format!("{} implementation", unit.contract),
                    unit.implementation,
                    None,
                )?;
            }
            if let Some(proxy) = &unit.proxy {
                add(format!("{} proxy", unit.contract), proxy.address, note)?;
            }
        }
    }
    Ok(entries)
}

/// `xmtp check`: every check, and whether all hold.
pub fn check(workspace: &Workspace, network: &Network) -> Result<(bool, Value), Error> {
    let mut session = Session::open(workspace, network)?;
    let checks = session.deployer()?.check()?;
    let ok = checks.iter().all(|c| c.failure.is_none());
    let list: Vec<Value> = checks
        .iter()
        .map(|c| json!({ "what": c.what, "ok": c.failure.is_none(), "failure": c.failure }))
        .collect();
    Ok((ok, json!({ "ok": ok, "checks": list })))
}

/// What `xmtp params` does.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Params {
    /// Read keys from a parameter registry.
    Get {
        /// The keys.
        #[arg(required = true)]
        keys: Vec<String>,
        /// How to show the values.
        #[arg(long = "type", default_value = "bytes32")]
        kind: ParameterType,
        /// Read the app chain's registry instead of the settlement chain's.
        #[arg(long)]
        app: bool,
        /// Where the network is and who signs.
        #[command(flatten)]
        network: Network,
    },
    /// Set one key on the settlement registry (an administrator signs).
    Set {
        /// The key.
        key: String,
        /// The value, as `--type` says.
        value: String,
        /// The value's type.
        #[arg(long = "type")]
        kind: ParameterType,
        /// Where the network is and who signs.
        #[command(flatten)]
        network: Network,
    },
    /// Send keys' settlement values to the app chain through the gateways and wait for them.
    Bridge {
        /// The keys.
        #[arg(required = true)]
        keys: Vec<String>,
        /// Where the network is and who signs.
        #[command(flatten)]
        network: Network,
    },
}

/// `xmtp params …`.
pub fn params(workspace: &Workspace, command: &Params) -> Result<Value, Error> {
    let network = command.network();
    let mut session = Session::open(workspace, network)?;
    let broadcast = network.broadcast;
    let mut deployer = session.deployer()?;
    match command {
        Params::Get {
            keys, kind, app, ..
        } => {
            let side = if *app { Side::App } else { Side::Settlement };
            let values = deployer.get_parameters(side, keys)?;
            let shown: serde_json::Map<String, Value> = keys
                .iter()
                .zip(values)
                .map(|(k, v)| (k.clone(), Value::String(kind.show(v))))
                .collect();
            Ok(json!({ "chain": deployer::chain_name(side), "values": shown }))
        }
        Params::Set {
            key, value, kind, ..
        } => {
            let word = kind.encode(value)?;
            let current = deployer.get_parameters(Side::Settlement, std::slice::from_ref(key))?;
            if !broadcast {
                drop(deployer);
                let label = format!("set {key}");
                let (admin, simulation) = session.simulate(|mut deployer| {
                    let admin = deployer.admin()?;
                    deployer.set_parameters(&label, &[(key.clone(), word)])?;
                    Ok((admin, deployer.steps))
                })?;
                return Ok(json!({
                    "dryRun": true, "key": key, "from": kind.show(current[0]), "to": kind.show(word),
                    "admin": admin, "simulation": simulation,
                }));
            }
            let sent = deployer.set_parameters(&format!("set {key}"), &[(key.clone(), word)])?;
            Ok(
                json!({ "key": key, "value": kind.show(word), "changed": sent == 1, "steps": steps_json(&deployer.steps) }),
            )
        }
        Params::Bridge { keys, .. } => {
            let values = deployer.get_parameters(Side::Settlement, keys)?;
            let on_app = deployer.get_parameters(Side::App, keys)?;
            let pending: Vec<&String> = keys
                .iter()
                .zip(values.iter().zip(&on_app))
                .filter(|(_, (s, a))| s != a)
                .map(|(k, _)| k)
                .collect();
            if !broadcast {
                drop(deployer);
                let cost = deployer::bridge_cost(deployer::bridge_gas_limit(pending.len()));
                let pending: Vec<String> = pending.into_iter().cloned().collect();
                let ((), simulation) = session.simulate(|mut deployer| {
                    deployer.bridge(keys)?;
                    Ok(((), deployer.steps))
                })?;
                return Ok(
                    json!({ "dryRun": true, "pending": pending, "cost": cost.to_string(),
                    "simulation": simulation }),
                );
            }
            deployer.bridge(keys)?;
            Ok(json!({ "bridged": pending, "steps": steps_json(&deployer.steps) }))
        }
    }
}

/// What `xmtp nodes` does.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Nodes {
    /// Mint a node to its owner (the node registry admin signs); prints its id and signer.
    Add {
        /// The node's owner (receives the NFT).
        #[arg(long)]
        owner: Address,
        /// The node's 65-byte uncompressed secp256k1 signing key, hex.
        #[arg(long, value_name = "HEX")]
        signing_key: alloy_primitives::Bytes,
        /// The node's HTTP address.
        #[arg(long, value_name = "URL")]
        http_address: String,
        /// Where the network is and who signs.
        #[command(flatten)]
        network: Network,
    },
    /// Add a node to the canonical network.
    AddToNetwork {
        /// The node id.
        node_id: u32,
        /// Where the network is and who signs.
        #[command(flatten)]
        network: Network,
    },
    /// Remove a node from the canonical network.
    RemoveFromNetwork {
        /// The node id.
        node_id: u32,
        /// Where the network is and who signs.
        #[command(flatten)]
        network: Network,
    },
    /// List every node.
    List {
        /// Where the network is and who signs.
        #[command(flatten)]
        network: Network,
    },
}

impl Params {
    /// The network options given with the command.
    pub fn network(&self) -> &Network {
        match self {
            Self::Get { network, .. }
            | Self::Set { network, .. }
            | Self::Bridge { network, .. } => network,
        }
    }
}

impl Nodes {
    /// The network options given with the command.
    pub fn network(&self) -> &Network {
        match self {
            Self::Add { network, .. }
            | Self::AddToNetwork { network, .. }
            | Self::RemoveFromNetwork { network, .. }
            | Self::List { network } => network,
        }
    }
}

/// `xmtp nodes …`.
pub fn nodes(workspace: &Workspace, command: &Nodes) -> Result<Value, Error> {
    let network = command.network();
    let mut session = Session::open(workspace, network)?;
    let broadcast = network.broadcast;
    if !broadcast && !matches!(command, Nodes::List { .. }) {
        return simulate_nodes(&session, command);
    }
    let mut deployer = session.deployer()?;
    match command {
        Nodes::Add {
            owner,
            signing_key,
            http_address,
            ..
        } => {
            let (id, signer) =
                deployer.add_node(*owner, signing_key.clone(), http_address.clone(), broadcast)?;
            Ok(
                json!({ "dryRun": !broadcast, "nodeId": id, "signer": signer.to_checksum(None),
                "steps": steps_json(&deployer.steps) }),
            )
        }
        Nodes::AddToNetwork { node_id, .. } | Nodes::RemoveFromNetwork { node_id, .. } => {
            let canonical = matches!(command, Nodes::AddToNetwork { .. });
            if broadcast {
                deployer.set_canonical(*node_id, canonical)?;
            }
            Ok(
                json!({ "dryRun": !broadcast, "nodeId": node_id, "canonical": canonical,
                "steps": steps_json(&deployer.steps) }),
            )
        }
        Nodes::List { .. } => {
            let nodes: Vec<Value> = deployer
                .nodes()?
                .iter()
                .map(|n| {
                    json!({
                        "nodeId": n.nodeId,
                        "signer": n.node.signer.to_checksum(None),
                        "isCanonical": n.node.isCanonical,
                        "httpAddress": n.node.httpAddress,
                        "signingPublicKey": n.node.signingPublicKey,
                    })
                })
                .collect();
            Ok(json!({ "nodes": nodes }))
        }
    }
}

/// `xmtp nodes add/add-to-network/remove-from-network` without `--broadcast`: the same
/// transactions on forks of both chains.
fn simulate_nodes(session: &Session, command: &Nodes) -> Result<Value, Error> {
    match command {
        Nodes::Add {
            owner,
            signing_key,
            http_address,
            ..
        } => {
            let ((id, signer), simulation) = session.simulate(|mut deployer| {
                let added =
                    deployer.add_node(*owner, signing_key.clone(), http_address.clone(), true)?;
                Ok((added, deployer.steps))
            })?;
            Ok(
                json!({ "dryRun": true, "nodeId": id, "signer": signer.to_checksum(None),
                "simulation": simulation }),
            )
        }
        Nodes::AddToNetwork { node_id, .. } | Nodes::RemoveFromNetwork { node_id, .. } => {
            let canonical = matches!(command, Nodes::AddToNetwork { .. });
            let ((), simulation) = session.simulate(|mut deployer| {
                deployer.set_canonical(*node_id, canonical)?;
                Ok(((), deployer.steps))
            })?;
            Ok(
                json!({ "dryRun": true, "nodeId": node_id, "canonical": canonical,
                "simulation": simulation }),
            )
        }
        Nodes::List { .. } => Err(Error::Config("listing nodes sends nothing".into())),
    }
}

/// `xmtp upgrade CONTRACT --release TAG`: on success the configuration records the release.
pub fn upgrade(
    workspace: &Workspace,
    network: &Network,
    contract: &str,
    release: &str,
) -> Result<Value, Error> {
    let mut session = Session::open(workspace, network)?;
    if !network.broadcast {
        let unit = session
            .plan
            .find(contract)
            .ok_or_else(|| Error::Config(format!("unknown contract {contract}")))?;
        let (proxy, current) = (unit.address(), unit.implementation);
        let programs = session.programs.clone();
        let (upgrade, simulation) = session.simulate(|mut deployer| {
            let upgrade = deployer.upgrade(&programs, contract, release)?;
            Ok((upgrade, deployer.steps))
        })?;
        return Ok(json!({
            "dryRun": true, "contract": contract, "release": release, "proxy": proxy,
            "current": current, "to": upgrade.to.to_checksum(None),
            "migrator": upgrade.migrator.to_checksum(None),
            "stateChanged": upgrade.changed.iter().map(|(f, b, a)| json!({"view": f, "before": b, "after": a})).collect::<Vec<_>>(),
            "simulation": simulation,
        }));
    }
    session.require_deployer_key()?;
    let programs = session.programs.clone();
    let mut deployer = session.deployer()?;
    let upgrade = deployer.upgrade(&programs, contract, release)?;
    let steps = steps_json(&deployer.steps);
    record_release(&network.config, contract, release)?;
    Ok(json!({
        "contract": upgrade.contract,
        "proxy": upgrade.proxy.to_checksum(None),
        "from": upgrade.from.to_checksum(None),
        "to": upgrade.to.to_checksum(None),
        "migrator": upgrade.migrator.to_checksum(None),
        "migratorKey": upgrade.migrator_key,
        "stateChanged": upgrade.changed.iter().map(|(f, b, a)| json!({"view": f, "before": b, "after": a})).collect::<Vec<_>>(),
        "steps": steps,
    }))
}

/// Adds `releases.<contract> = release` to the configuration file, its other keys untouched.
fn record_release(path: &Path, contract: &str, release: &str) -> Result<(), Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, &e))?;
    let mut value: Value = serde_json::from_str(&text)
        .map_err(|e| Error::Config(format!("{}: {e}", path.display())))?;
    let object = value
        .as_object_mut()
        .ok_or_else(|| Error::Config(format!("{} is not a JSON object", path.display())))?;
    let releases = object.entry("releases").or_insert_with(|| json!({}));
    releases[contract] = Value::String(release.to_owned());
    let mut out = serde_json::to_string_pretty(&value).expect("JSON serialises");
    out.push('\n');
    std::fs::write(path, out).map_err(|e| Error::io(path, &e))
}

/// `xmtp new-config`: a devnet configuration (dev accounts, the reference's salts and
/// starting parameters, `proxy` in front of every implementation, predicted proxies pinned).
pub fn new_config(
    workspace: &Workspace,
    settlement_chain_id: u64,
    app_chain_id: u64,
    proxy: ProxyKind,
) -> Result<Value, Error> {
    let programs = Programs::build(workspace, &[])?;
    let mut config =
        deployer::devnet_config_with(&programs, settlement_chain_id, app_chain_id, proxy)?;
    let plan = Plan::new(&config, &programs)?;
    config.factory = Some(plan.factory);
    config.factory_implementation = Some(plan.factory_implementation);
    config.initializable_implementation = Some(plan.initializable);
    config.parameter_registry_proxy = Some(plan.parameter_registry);
    config.gateway_proxy = Some(plan.gateway);
    config.fee_token_proxy = Some(plan.fee_token);
    serde_json::to_value(&config).map_err(|e| Error::Config(e.to_string()))
}

/// Human lines for a command's JSON result.
pub fn render(value: &Value) -> String {
    let mut out = String::new();
    render_into(&mut out, "", value);
    out
}

fn render_into(out: &mut String, prefix: &str, value: &Value) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                render_into(out, &path, child);
            }
        }
        Value::Array(items) if items.iter().all(Value::is_object) && !items.is_empty() => {
            for item in items {
                let fields: Vec<String> = item
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, v)| {
                        format!(
                            "{k}={}",
                            v.as_str().map_or_else(|| v.to_string(), str::to_owned)
                        )
                    })
                    .collect();
                let _ = writeln!(out, "{prefix}: {}", fields.join("  "));
            }
        }
        Value::Array(items) => {
            for item in items {
                let _ = writeln!(
                    out,
                    "{prefix}: {}",
                    item.as_str()
                        .map_or_else(|| item.to_string(), str::to_owned)
                );
            }
        }
        other => {
            let _ = writeln!(
                out,
                "{prefix}: {}",
                other
                    .as_str()
                    .map_or_else(|| other.to_string(), str::to_owned)
            );
        }
    }
}
