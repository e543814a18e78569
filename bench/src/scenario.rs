//! The reference's operations, with its inputs, on a settlement chain and an app chain.
//!
//! The system is deployed as the reference deploys it: the Factory and its proxy by the
//! deployer, then every implementation and proxy through the Factory, on each chain from the
//! same account and nonce so that both chains share the Factory's and the proxies' addresses.
//! Each reference row either gets a measurement (cached and uncached, from the same state) or
//! the reason it cannot run yet.

use std::cell::RefCell;
use std::collections::HashMap;

use alloy_primitives::{Address, Bytes, B256, U256};
use alloy_sol_types::SolCall;
use k256::ecdsa::SigningKey;
use xmtp_abi::{
    app_chain_gateway::IAppChainGateway, deposit_splitter::IDepositSplitter,
    distribution_manager::IDistributionManager, factory::IFactory, fee_token::IFeeToken,
    group_message_broadcaster::IGroupMessageBroadcaster,
    identity_update_broadcaster::IIdentityUpdateBroadcaster, initializable::IInitializable,
    migratable::IMigratable, mock_underlying_fee_token::IMockUnderlyingFeeToken,
    node_registry::INodeRegistry, parameter_registry::IParameterRegistry,
    payer_registry::IPayerRegistry, payer_report_manager::IPayerReportManager,
    rate_registry::IRateRegistry, settlement_chain_gateway::ISettlementChainGateway,
};
use xmtp_deploy::network::{proxy_address, salt, Programs, ACTIVATION_BUDGET};
use xmtp_deploy::Artifact;
use xmtp_devnet::evm::FrameProfile;
use xmtp_devnet::{Chain, Tx};
use xmtp_reports::{
    settle_calldata, sign, submit_calldata, Batch, Domain, PayerFee, PayerReport, PayerTree,
};

use crate::meter::{self, call_tx, call_tx_value, Measured};

/// Settlement chain id (the reference's).
pub const SETTLEMENT_CHAIN_ID: u64 = 84_532;
/// App chain id (the reference's).
pub const APP_CHAIN_ID: u64 = 351_243_127;
/// Deploys everything, on both chains.
pub const DEPLOYER: Address = Address::new([0xd0; 20]);
/// The settlement parameter registry's administrator.
pub const ADMIN: Address = Address::new([0xad; 20]);
/// The user: sends messages, wraps and unwraps tokens, sends parameters.
pub const USER: Address = Address::new([0x05; 20]);
/// The underlying stablecoin (6 decimals) on the settlement chain.
pub const UNDERLYING: Address = xmtp_devnet_node::contracts::DEV_FEE_TOKEN;
/// Where the app chain's inbox lives on the settlement chain.
pub const INBOX: Address = xmtp_devnet_node::contracts::INBOX;

/// The underlying stablecoin has 6 decimals; the app chain's native currency has 18.
const SCALE: u64 = 1_000_000_000_000;

/// Which proxy stands in front of every implementation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyKind {
    /// The Stylus `Proxy` program, as the Factory deploys it.
    Stylus,
    /// The EVM proxy of [`xmtp_proxy::evm`]: the Factory's proxy is created with it, and the
    /// Factory is wired (`proxyKind`) to deploy it for every contract, as `"proxy": "evm"`
    /// deployments are.
    Evm,
}

/// A change applied to every program after the pipeline (e.g. `wasm-opt`): crate name, the
/// release's `project_hash` (to keep releases distinct), the artifact.
pub type Transform<'a> = &'a dyn Fn(&str, Option<[u8; 32]>, Artifact) -> Result<Artifact, String>;

/// How to run the scenario.
#[derive(Clone, Copy)]
pub struct Options<'a> {
    /// The proxy in front of the implementations.
    pub proxy: ProxyKind,
    /// Record the Stylus frames of each cached run (the profile table).
    pub profile: bool,
    /// Also measure, for every Factory-made proxy, a proxy of [`Self::proxy`]'s kind created
    /// outside the Factory and initialized through the `Initializable` ([`Results::creations`]).
    pub creations: bool,
    /// Applied to every program artifact before it is deployed.
    pub transform: Option<Transform<'a>>,
}

impl std::fmt::Debug for Options<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("proxy", &self.proxy)
            .field("profile", &self.profile)
            .field("creations", &self.creations)
            .field("transform", &self.transform.is_some())
            .finish()
    }
}

impl Default for Options<'_> {
    /// The reference comparison: Stylus proxies, profiles recorded, nothing else.
    fn default() -> Self {
        Self {
            proxy: ProxyKind::Stylus,
            profile: true,
            creations: false,
            transform: None,
        }
    }
}

/// A proxy created by CREATE from the deployer with the Factory's `Initializable` as its
/// implementation, then `initialize(implementation, data)` through it: what `deployProxy` does
/// besides its own bookkeeping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Creation {
    /// The contract behind the proxy.
    pub contract: String,
    /// The CREATE transaction.
    pub create: Measured,
    /// The `initialize` call through the new proxy.
    pub initialize: Measured,
}

/// What happened to one reference row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Measured both ways.
    Measured(Measured),
    /// Not run, and why.
    NotRun(String),
}

/// One reference row and its outcome here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The reference's operation id.
    pub id: String,
    /// What happened.
    pub outcome: Outcome,
}

/// Every reference row, in the order run.
#[derive(Debug, Default)]
pub struct Results {
    /// One entry per reference row reached by the scenario.
    pub rows: Vec<Row>,
    /// The Stylus frames of each measured operation's cached run, innermost first.
    pub profiles: Vec<(String, Vec<FrameProfile>)>,
    /// Proxies created outside the Factory (only with [`Options::creations`]).
    pub creations: Vec<Creation>,
}

/// Both chains after the scenario, for throughput runs.
#[derive(Debug)]
pub struct Chains {
    /// The settlement chain.
    pub settlement: Chain,
    /// The `PayerRegistry` proxy, when it could be deployed (the user has approved it).
    pub payer_registry: Option<Address>,
    /// The `FeeToken` proxy (the user has approved it for the underlying).
    pub fee_token: Address,
    /// The app chain.
    pub app: Chain,
    /// The `GroupMessageBroadcaster` proxy.
    pub group_message_broadcaster: Address,
}

impl Results {
    fn measured(&mut self, id: &str, measured: Measured) {
        self.rows.push(Row {
            id: id.to_owned(),
            outcome: Outcome::Measured(measured),
        });
    }

    fn not_run(&mut self, id: &str, why: &str) {
        self.rows.push(Row {
            id: id.to_owned(),
            outcome: Outcome::NotRun(why.to_owned()),
        });
    }

    /// The profile of `id`'s cached run.
    pub fn profile(&self, id: &str) -> Option<&[FrameProfile]> {
        self.profiles
            .iter()
            .find(|(p, _)| p == id)
            .map(|(_, frames)| frames.as_slice())
    }

    /// The outcome of `id`.
    pub fn outcome(&self, id: &str) -> Option<&Outcome> {
        self.rows.iter().find(|r| r.id == id).map(|r| &r.outcome)
    }
}

/// A chain with the code hashes of its Stylus programs (what "cached" puts in the cache).
struct Net {
    chain: Chain,
    programs: Vec<B256>,
    profile: bool,
    /// Appended to the reference's label of base-deployment rows (`" (app)"` on the app chain).
    suffix: &'static str,
}

impl Net {
    fn new(chain_id: u64, suffix: &'static str, profile: bool) -> Self {
        let mut chain = Chain::new(chain_id);
        let plenty = U256::from(10u64).pow(U256::from(24u64));
        for account in [DEPLOYER, ADMIN, USER] {
            chain.fund(account, plenty);
        }
        Self {
            chain,
            programs: Vec::new(),
            profile,
            suffix,
        }
    }

    /// Runs `tx` cached and uncached, records it under `id`, returns the uncached receipt's
    /// output.
    fn measure(&mut self, results: &mut Results, id: &str, tx: &Tx) -> Result<Bytes, String> {
        let (measured, receipt, profile) =
            meter::measure(&mut self.chain, &self.programs, id, tx, self.profile)?;
        results.measured(id, measured);
        if self.profile {
            results.profiles.push((id.to_owned(), profile));
        }
        Ok(receipt.output)
    }

    /// A transaction that is not a reference row.
    fn send(&mut self, label: &str, tx: &Tx) -> Result<Bytes, String> {
        Ok(meter::send(&mut self.chain, label, tx)?.receipt.output)
    }

    /// Activates the Stylus code at `program` and adds it to the programs to cache.
    fn activate(&mut self, program: Address) -> Result<(), String> {
        let receipt = self
            .chain
            .activate(DEPLOYER, program, ACTIVATION_BUDGET)
            .map_err(|e| e.to_string())?;
        if !receipt.status {
            return Err(format!(
                "activation of {program} failed: {}",
                receipt.activation_error.unwrap_or_default()
            ));
        }
        self.track(program);
        Ok(())
    }

    /// Adds the code at `program` to the programs to cache, unless it is EVM code.
    fn track(&mut self, program: Address) {
        if !xmtp_devnet::evm::is_stylus(&self.chain.code(program)) {
            return;
        }
        let codehash = self.chain.code_hash(program);
        if !self.programs.contains(&codehash) {
            self.programs.push(codehash);
        }
    }
}

/// The Factory of one chain.
#[derive(Debug, Clone, Copy)]
struct Base {
    factory: Address,
    initializable: Address,
    registry: Address,
}

/// The programs through the pipeline, each (program, wiring) compressed once: brotli at
/// quality 11 dominates the run time of the scenario.
struct Builds<'a> {
    programs: &'a Programs,
    options: Options<'a>,
    memo: RefCell<HashMap<String, Artifact>>,
}

impl Builds<'_> {
    fn artifact(&self, crate_name: &str, wiring: &[(&str, Address)]) -> Result<Artifact, String> {
        self.release(crate_name, wiring, None)
    }

    /// The program with `wiring` (and a `project_hash`, for a new release), through the
    /// options' transform.
    fn release(
        &self,
        crate_name: &str,
        wiring: &[(&str, Address)],
        project_hash: Option<[u8; 32]>,
    ) -> Result<Artifact, String> {
        let key = format!("{crate_name} {wiring:?} {project_hash:?}");
        if let Some(artifact) = self.memo.borrow().get(&key) {
            return Ok(artifact.clone());
        }
        let mut artifact = self
            .programs
            .release(crate_name, wiring, project_hash)
            .map_err(|e| e.to_string())?;
        if let Some(transform) = self.options.transform {
            artifact = transform(crate_name, project_hash, artifact)?;
        }
        self.memo.borrow_mut().insert(key, artifact.clone());
        Ok(artifact)
    }
}

/// The system's addresses, predicted before deployment (the same on both chains).
struct Plan<'a> {
    builds: &'a Builds<'a>,
    proxy_code: Vec<u8>,
    base: Base,
}

impl Plan<'_> {
    fn proxy(&self, name: &str) -> Address {
        proxy_address(
            self.base.factory,
            self.base.initializable,
            &self.proxy_code,
            DEPLOYER,
            salt(&format!("{name}_0")),
        )
    }

    fn artifact(&self, crate_name: &str, wiring: &[(&str, Address)]) -> Result<Artifact, String> {
        self.builds.artifact(crate_name, wiring)
    }
}

/// Deploys the Factory as the reference does (proxy and implementation by CREATE, then
/// `initialize()`) and the chain's parameter registry through it.
fn deploy_base<'a>(
    net: &mut Net,
    results: &mut Results,
    builds: &'a Builds<'a>,
    registry: (&str, &str),
    admins: &[Address],
) -> Result<Plan<'a>, String> {
    let nonce = net.chain.nonce(DEPLOYER);
    let factory = DEPLOYER.create(nonce);
    let factory_implementation = DEPLOYER.create(nonce + 1);
    let initializable = factory.create(1);
    // Every proxy, the Factory's own included, has this runtime.
    let proxy_code = match builds.options.proxy {
        ProxyKind::Stylus => builds.artifact("xmtp-proxy", &[])?.code,
        ProxyKind::Evm => xmtp_proxy::evm::runtime(),
    };
    let base = Base {
        factory,
        initializable,
        registry: Address::ZERO,
    };
    let mut plan = Plan {
        builds,
        proxy_code,
        base,
    };
    let registry_proxy = plan.proxy("ParameterRegistry");
    let suffix = net.suffix;
    let creation = [
        xmtp_proxy::creation_code(&plan.proxy_code),
        factory_implementation.into_word().to_vec(),
    ]
    .concat();
    net.measure(
        results,
        &format!("deploy Factory proxy (CREATE){suffix}"),
        &Tx::deploy(DEPLOYER, creation),
    )?;
    let mut factory_wiring = vec![("parameterRegistry", registry_proxy)];
    if builds.options.proxy == ProxyKind::Evm {
        let kind = xmtp_deploy::deployer::ProxyKind::Evm.factory_wiring();
        factory_wiring.push(("proxyKind", Address::from_word(kind)));
    }
    let factory_code = plan.artifact("xmtp-factory", &factory_wiring)?;
    net.measure(
        results,
        &format!("deploy Factory implementation (CREATE){suffix}"),
        &Tx::deploy(DEPLOYER, factory_code.init_code),
    )?;
    // An EVM proxy is plain EVM code: nothing to activate.
    if builds.options.proxy == ProxyKind::Stylus {
        net.activate(factory)?;
    }
    net.activate(factory_implementation)?;
    net.measure(
        results,
        &format!("Factory.initialize{suffix}"),
        &call_tx(DEPLOYER, factory, &IFactory::initializeCall {}),
    )?;
    net.activate(initializable)?;
    let (contract, crate_name) = registry;
    let initialize = IParameterRegistry::initializeCall {
        admins_: admins.to_vec(),
    };
    plan.base.registry = deploy(
        net,
        results,
        &plan,
        (contract, crate_name),
        &[],
        "ParameterRegistry",
        &initialize.abi_encode(),
    )?;
    if plan.base.registry != registry_proxy {
        return Err(format!(
            "parameter registry at {}, predicted {registry_proxy}",
            plan.base.registry
        ));
    }
    Ok(plan)
}

/// `deploy impl <contract>` and `deploy proxy <contract>` through the Factory; returns the proxy.
fn deploy(
    net: &mut Net,
    results: &mut Results,
    plan: &Plan<'_>,
    (contract, crate_name): (&str, &str),
    wiring: &[(&str, Address)],
    salt_name: &str,
    initialize: &[u8],
) -> Result<Address, String> {
    let artifact = plan.artifact(crate_name, wiring)?;
    let implementation = deploy_implementation(net, results, plan, contract, &artifact)?;
    let output = net.measure(
        results,
        &format!("deploy proxy {contract}"),
        &call_tx(
            DEPLOYER,
            plan.base.factory,
            &IFactory::deployProxyCall {
                implementation_: implementation,
                salt_: salt(&format!("{salt_name}_0")),
                initializeCallData_: initialize.to_vec().into(),
            },
        ),
    )?;
    let proxy =
        IFactory::deployProxyCall::abi_decode_returns(&output).map_err(|e| e.to_string())?;
    if plan.builds.options.creations {
        create_outside_factory(net, results, plan, contract, implementation, initialize)?;
    }
    net.track(proxy);
    Ok(proxy)
}

/// [`Creation`] of a proxy for `contract` (state rolled back afterwards).
fn create_outside_factory(
    net: &mut Net,
    results: &mut Results,
    plan: &Plan<'_>,
    contract: &str,
    implementation: Address,
    initialize: &[u8],
) -> Result<(), String> {
    let before = net.chain.snapshot();
    let creation = [
        xmtp_proxy::creation_code(&plan.proxy_code),
        plan.base.initializable.into_word().to_vec(),
    ]
    .concat();
    let proxy = DEPLOYER.create(net.chain.nonce(DEPLOYER));
    let label = format!("create a proxy for {contract}");
    let (create, _, _) = meter::measure(
        &mut net.chain,
        &net.programs,
        &label,
        &Tx::deploy(DEPLOYER, creation),
        false,
    )?;
    let call = IInitializable::initializeCall {
        implementation_: implementation,
        initializeCallData_: initialize.to_vec().into(),
    };
    let label = format!("initialize the proxy for {contract}");
    let (initialize, _, _) = meter::measure(
        &mut net.chain,
        &net.programs,
        &label,
        &call_tx(DEPLOYER, proxy, &call),
        false,
    )?;
    net.chain.restore(before);
    results.creations.push(Creation {
        contract: contract.to_owned(),
        create,
        initialize,
    });
    Ok(())
}

/// `deploy impl <contract>`: `Factory.deployImplementation`, which activates the program.
fn deploy_implementation(
    net: &mut Net,
    results: &mut Results,
    plan: &Plan<'_>,
    contract: &str,
    artifact: &Artifact,
) -> Result<Address, String> {
    let call = IFactory::deployImplementationCall {
        bytecode_: artifact.init_code.clone().into(),
    };
    let output = net.measure(
        results,
        &format!("deploy impl {contract}"),
        &call_tx_value(DEPLOYER, plan.base.factory, &call, ACTIVATION_BUDGET),
    )?;
    let implementation = IFactory::deployImplementationCall::abi_decode_returns(&output)
        .map_err(|e| e.to_string())?;
    net.track(implementation);
    Ok(implementation)
}

/// A wiring value that is a number, as the pipeline's address-typed wiring list carries it
/// (the slot is a 32-byte word either way; numbers below 2^160 fit).
fn number_as_address(value: u64) -> Address {
    Address::from_word(B256::from(U256::from(value)))
}

fn word(value: u64) -> B256 {
    B256::from(U256::from(value))
}

/// The admin writes `params` into the settlement registry.
fn set_parameters(
    net: &mut Net,
    registry: Address,
    params: &[(String, B256)],
) -> Result<(), String> {
    let call = IParameterRegistry::set_1Call {
        keys_: params.iter().map(|(k, _)| k.clone()).collect(),
        values_: params.iter().map(|(_, v)| *v).collect(),
    };
    net.send("admin sets parameters", &call_tx(ADMIN, registry, &call))
        .map(|_| ())
}

/// A payload of `len` bytes, byte `i` being `i % 256` (the reference's).
fn payload(len: usize) -> Bytes {
    #[allow(clippy::cast_possible_truncation)] // the modulo is the point
    (0..len).map(|i| (i % 256) as u8).collect()
}

/// A 32-character key (the reference's parameter-registry inputs).
fn key32(i: usize) -> String {
    format!("xmtp.bench.parameter.key.{i:07}")
}

/// Runs every reference operation that can run today; returns the rows, measured or not.
#[allow(clippy::too_many_lines)] // one scenario, in the reference's order
pub fn run(programs: &Programs, options: Options<'_>) -> Result<(Results, Chains), String> {
    let mut results = Results::default();
    let builds = Builds {
        programs,
        options,
        memo: RefCell::new(HashMap::new()),
    };
    let mut settlement = Net::new(SETTLEMENT_CHAIN_ID, "", options.profile);
    let mut app = Net::new(APP_CHAIN_ID, " (app)", options.profile);

    // Settlement chain: the base, then every implementation and proxy.
    let plan = deploy_base(
        &mut settlement,
        &mut results,
        &builds,
        (
            "SettlementChainParameterRegistry",
            "xmtp-settlement-chain-parameter-registry",
        ),
        &[ADMIN],
    )?;
    let registry = plan.base.registry;
    let gateway = plan.proxy("Gateway");
    let payer_registry = plan.proxy("PayerRegistry");
    let node_registry = plan.proxy("NodeRegistry");
    let payer_report_manager = plan.proxy("PayerReportManager");
    let fee_token = plan.proxy("FeeToken");
    let initialize = IFeeToken::initializeCall {}.abi_encode();
    // The reference's stablecoin mock, deployed through the Factory as the reference deploys
    // it; the devnet's EVM test token (open minting, no events) stays the underlying, so the
    // FeeToken and PayerRegistry figures keep their inputs (bench/README.md).
    deploy(
        &mut settlement,
        &mut results,
        &plan,
        ("MockUnderlyingFeeToken", "xmtp-mock-underlying-fee-token"),
        &[("parameterRegistry", registry)],
        "MockUnderlyingFeeToken",
        &initialize,
    )?;
    let mock = UNDERLYING;
    settlement
        .chain
        .set_code(mock, xmtp_devnet_node::contracts::dev_token_code(6).into());
    let deployed = deploy(
        &mut settlement,
        &mut results,
        &plan,
        ("FeeToken", "xmtp-fee-token"),
        &[("parameterRegistry", registry), ("underlying", mock)],
        "FeeToken",
        &initialize,
    )?;
    if deployed != fee_token {
        return Err(format!("fee token at {deployed}, predicted {fee_token}"));
    }
    deploy(
        &mut settlement,
        &mut results,
        &plan,
        ("SettlementChainGateway", "xmtp-settlement-chain-gateway"),
        &[
            ("parameterRegistry", registry),
            ("appChainGateway", gateway),
            ("feeToken", fee_token),
            ("underlyingFeeToken", mock),
            ("scale", number_as_address(SCALE)),
        ],
        "Gateway",
        &initialize,
    )?;
    // Programs over the size limit (or otherwise refused by the pipeline) are reported with
    // the pipeline's reason; every operation that needs one of them inherits it.
    let mut missing: Vec<(&str, String)> = Vec::new();
    let mut try_deploy = |net: &mut Net,
                          results: &mut Results,
                          contract: &'static str,
                          crate_name: &str,
                          wiring: &[(&str, Address)],
                          salt_name: &str|
     -> Result<Option<Address>, String> {
        match plan.artifact(crate_name, wiring) {
            Ok(_) => deploy(
                net,
                results,
                &plan,
                (contract, crate_name),
                wiring,
                salt_name,
                &initialize,
            )
            .map(Some),
            Err(why) => {
                results.not_run(&format!("deploy impl {contract}"), &why);
                results.not_run(&format!("deploy proxy {contract}"), &why);
                missing.push((contract, why));
                Ok(None)
            }
        }
    };
    let payer_registry_deployed = try_deploy(
        &mut settlement,
        &mut results,
        "PayerRegistry",
        "xmtp-payer-registry",
        &[
            ("parameterRegistry", registry),
            ("feeToken", fee_token),
            ("underlyingFeeToken", mock),
        ],
        "PayerRegistry",
    )?;
    let rate_registry = try_deploy(
        &mut settlement,
        &mut results,
        "RateRegistry",
        "xmtp-rate-registry",
        &[("parameterRegistry", registry)],
        "RateRegistry",
    )?;
    let node_registry_deployed = try_deploy(
        &mut settlement,
        &mut results,
        "NodeRegistry",
        "xmtp-node-registry",
        &[("parameterRegistry", registry)],
        "NodeRegistry",
    )?;
    let report_manager_deployed = try_deploy(
        &mut settlement,
        &mut results,
        "PayerReportManager",
        "xmtp-payer-report-manager",
        &[
            ("parameterRegistry", registry),
            ("nodeRegistry", node_registry),
            ("payerRegistry", payer_registry),
        ],
        "PayerReportManager",
    )?;
    let distribution_deployed = try_deploy(
        &mut settlement,
        &mut results,
        "DistributionManager",
        "xmtp-distribution-manager",
        &[
            ("parameterRegistry", registry),
            ("nodeRegistry", node_registry),
            ("payerReportManager", payer_report_manager),
            ("payerRegistry", payer_registry),
            ("feeToken", fee_token),
        ],
        "DistributionManager",
    )?;
    let splitter = match plan.artifact(
        "xmtp-deposit-splitter",
        &[
            ("feeToken", fee_token),
            ("payerRegistry", payer_registry),
            ("settlementChainGateway", gateway),
            ("appChainId", number_as_address(APP_CHAIN_ID)),
        ],
    ) {
        Ok(artifact) => Some(deploy_implementation(
            &mut settlement,
            &mut results,
            &plan,
            "DepositSplitter",
            &artifact,
        )?),
        Err(why) => {
            results.not_run("deploy impl DepositSplitter", &why);
            None
        }
    };
    results.not_run(
        "deploy MockERC20Inbox (private mock, CREATE)",
        "the reference harness's private mock; the devnet's own ERC-20 inbox (xmtp-devnet-node) is installed instead",
    );
    settlement.chain.set_code(
        INBOX,
        xmtp_devnet_node::contracts::inbox_code(
            fee_token,
            Address::repeat_byte(0xee),
            U256::from(SCALE),
        )
        .into(),
    );

    // App chain: the same base, its registry administered by the gateway alone.
    let app_plan = deploy_base(
        &mut app,
        &mut results,
        &builds,
        (
            "AppChainParameterRegistry",
            "xmtp-app-chain-parameter-registry",
        ),
        &[gateway],
    )?;
    if app_plan.base.factory != plan.base.factory || app_plan.proxy("Gateway") != gateway {
        return Err(
            "the app chain's Factory or gateway address differs from the settlement chain's".into(),
        );
    }
    let app_registry = app_plan.base.registry;
    let app_gateway = deploy(
        &mut app,
        &mut results,
        &app_plan,
        ("AppChainGateway", "xmtp-app-chain-gateway"),
        &[
            ("parameterRegistry", app_registry),
            ("settlementChainGateway", gateway),
        ],
        "Gateway",
        &initialize,
    )?;
    let group = deploy(
        &mut app,
        &mut results,
        &app_plan,
        ("GroupMessageBroadcaster", "xmtp-group-message-broadcaster"),
        &[("parameterRegistry", app_registry)],
        "GroupMessageBroadcaster",
        &initialize,
    )?;
    let identity = deploy(
        &mut app,
        &mut results,
        &app_plan,
        (
            "IdentityUpdateBroadcaster",
            "xmtp-identity-update-broadcaster",
        ),
        &[("parameterRegistry", app_registry)],
        "IdentityUpdateBroadcaster",
        &initialize,
    )?;

    // 0b. Starting parameters.
    let fee_distributor = plan.proxy("DistributionManager");
    let mut scripted: Vec<&str> = Vec::new();
    set_parameters(
        &mut settlement,
        registry,
        &[
            (
                "xmtp.payerRegistry.settler".into(),
                payer_report_manager.into_word(),
            ),
            (
                "xmtp.payerRegistry.feeDistributor".into(),
                fee_distributor.into_word(),
            ),
            ("xmtp.payerRegistry.minimumDeposit".into(), word(10_000_000)),
            (
                "xmtp.payerRegistry.withdrawLockPeriod".into(),
                word(WITHDRAW_LOCK),
            ),
            ("xmtp.payerReportManager.protocolFeeRate".into(), word(100)),
            ("xmtp.nodeRegistry.admin".into(), ADMIN.into_word()),
            ("xmtp.nodeRegistry.maxCanonicalNodes".into(), word(100)),
            (
                "xmtp.distributionManager.protocolFeesRecipient".into(),
                PROTOCOL_FEES_RECIPIENT.into_word(),
            ),
        ],
    )?;
    if let Some(nodes) = node_registry_deployed {
        settlement.measure(
            &mut results,
            "NodeRegistry.updateAdmin",
            &call_tx(USER, nodes, &INodeRegistry::updateAdminCall {}),
        )?;
        settlement.measure(
            &mut results,
            "NodeRegistry.updateMaxCanonicalNodes",
            &call_tx(USER, nodes, &INodeRegistry::updateMaxCanonicalNodesCall {}),
        )?;
        scripted.push("NodeRegistry");
    }
    if let Some(payers) = payer_registry_deployed {
        for (function, call) in [
            (
                "updateSettler",
                IPayerRegistry::updateSettlerCall {}.abi_encode(),
            ),
            (
                "updateFeeDistributor",
                IPayerRegistry::updateFeeDistributorCall {}.abi_encode(),
            ),
            (
                "updateMinimumDeposit",
                IPayerRegistry::updateMinimumDepositCall {}.abi_encode(),
            ),
            (
                "updateWithdrawLockPeriod",
                IPayerRegistry::updateWithdrawLockPeriodCall {}.abi_encode(),
            ),
        ] {
            settlement.measure(
                &mut results,
                &format!("PayerRegistry.{function}"),
                &Tx::call(USER, payers, call),
            )?;
        }
        scripted.push("PayerRegistry");
    }
    if let Some(manager) = report_manager_deployed {
        settlement.measure(
            &mut results,
            "PayerReportManager.updateProtocolFeeRate",
            &call_tx(
                USER,
                manager,
                &IPayerReportManager::updateProtocolFeeRateCall {},
            ),
        )?;
        scripted.push("PayerReportManager");
    }
    if let Some(distribution) = distribution_deployed {
        settlement.measure(
            &mut results,
            "DistributionManager.updateProtocolFeesRecipient",
            &call_tx(
                USER,
                distribution,
                &IDistributionManager::updateProtocolFeesRecipientCall {},
            ),
        )?;
        scripted.push("DistributionManager");
    }
    for (id, contract) in [
        ("NodeRegistry.updateAdmin", "NodeRegistry"),
        ("NodeRegistry.updateMaxCanonicalNodes", "NodeRegistry"),
        ("PayerRegistry.updateSettler", "PayerRegistry"),
        ("PayerRegistry.updateFeeDistributor", "PayerRegistry"),
        ("PayerRegistry.updateMinimumDeposit", "PayerRegistry"),
        ("PayerRegistry.updateWithdrawLockPeriod", "PayerRegistry"),
        (
            "PayerReportManager.updateProtocolFeeRate",
            "PayerReportManager",
        ),
        (
            "DistributionManager.updateProtocolFeesRecipient",
            "DistributionManager",
        ),
    ] {
        if scripted.contains(&contract) {
            continue;
        }
        let why = missing.iter().find(|(c, _)| *c == contract).map_or_else(
            || format!("{contract} is deployed but this operation is not scripted yet"),
            |(_, why)| why.clone(),
        );
        results.not_run(id, &why);
    }
    let broadcaster_keys: Vec<(String, B256)> =
        ["groupMessageBroadcaster", "identityUpdateBroadcaster"]
            .iter()
            .flat_map(|b| {
                [
                    (format!("xmtp.{b}.minPayloadSize"), word(78)),
                    (format!("xmtp.{b}.maxPayloadSize"), word(262_144)),
                    (
                        format!("xmtp.{b}.payloadBootstrapper"),
                        Address::repeat_byte(0xb0).into_word(),
                    ),
                ]
            })
            .collect();
    let inbox_key = format!("xmtp.settlementChainGateway.inbox.{APP_CHAIN_ID}");
    let mut starting = broadcaster_keys.clone();
    starting.push((inbox_key, INBOX.into_word()));
    set_parameters(&mut settlement, registry, &starting)?;
    settlement.measure(
        &mut results,
        "SettlementChainGateway.updateInbox",
        &call_tx(
            ADMIN,
            gateway,
            &ISettlementChainGateway::updateInboxCall {
                chainId_: U256::from(APP_CHAIN_ID),
            },
        ),
    )?;
    // The user wraps underlying into fee tokens to pay for tickets and approves the gateway.
    let max = U256::MAX;
    settlement.send(
        "mint underlying",
        &call_tx(
            USER,
            mock,
            &IMockUnderlyingFeeToken::mintCall {
                to_: USER,
                amount_: U256::from(1_000_000_000_000u64),
            },
        ),
    )?;
    settlement.send(
        "approve fee token",
        &call_tx(
            USER,
            mock,
            &IMockUnderlyingFeeToken::approveCall {
                spender: fee_token,
                value: max,
            },
        ),
    )?;
    settlement.measure(
        &mut results,
        "FeeToken.deposit (wrap mock USDC) — first (0 → non-zero balance)",
        &call_tx(
            USER,
            fee_token,
            &IFeeToken::depositCall {
                amount_: U256::from(100_000_000u64),
            },
        ),
    )?;
    settlement.measure(
        &mut results,
        "FeeToken.deposit — subsequent",
        &call_tx(
            USER,
            fee_token,
            &IFeeToken::depositCall {
                amount_: U256::from(100_000_000u64),
            },
        ),
    )?;
    settlement.send(
        "approve gateway",
        &call_tx(
            USER,
            fee_token,
            &IFeeToken::approveCall {
                spender: gateway,
                value: max,
            },
        ),
    )?;
    let send_parameters = |keys: &[(String, B256)]| ISettlementChainGateway::sendParametersCall {
        chainIds_: vec![U256::from(APP_CHAIN_ID)],
        keys_: keys.iter().map(|(k, _)| k.clone()).collect(),
        gasLimit_: U256::from(200_000u64),
        maxFeePerGas_: U256::from(1_000_000_000u64),
        amountToSend_: U256::from(1_000_000u64),
    };
    settlement.measure(
        &mut results,
        "setup: SettlementChainGateway.sendParameters (6 keys)",
        &call_tx(USER, gateway, &send_parameters(&broadcaster_keys)),
    )?;
    // The ticket's call, made by the settlement gateway's alias on the app chain.
    let alias = xmtp_devnet_node::devnet::to_alias(gateway);
    app.chain
        .fund(alias, U256::from(10u64).pow(U256::from(24u64)));
    let mut nonce = 0u64;
    let mut receive = |keys: &[(String, B256)]| {
        nonce += 1;
        call_tx(
            alias,
            app_gateway,
            &IAppChainGateway::receiveParametersCall {
                nonce_: U256::from(nonce),
                keys_: keys.iter().map(|(k, _)| k.clone()).collect(),
                values_: keys.iter().map(|(_, v)| *v).collect(),
            },
        )
    };
    app.measure(
        &mut results,
        "setup: AppChainGateway.receiveParameters (6 keys)",
        &receive(&broadcaster_keys),
    )?;
    for (broadcaster, name) in [
        (group, "GroupMessageBroadcaster"),
        (identity, "IdentityUpdateBroadcaster"),
    ] {
        for (function, call) in [
            (
                "updateMaxPayloadSize",
                IGroupMessageBroadcaster::updateMaxPayloadSizeCall {}.abi_encode(),
            ),
            (
                "updateMinPayloadSize",
                IGroupMessageBroadcaster::updateMinPayloadSizeCall {}.abi_encode(),
            ),
            (
                "updatePayloadBootstrapper",
                IGroupMessageBroadcaster::updatePayloadBootstrapperCall {}.abi_encode(),
            ),
        ] {
            app.measure(
                &mut results,
                &format!("{name}.{function}"),
                &Tx::call(USER, broadcaster, call),
            )?;
        }
    }

    // a. Settlement parameter registry.
    let one = |i: usize, value: u64| IParameterRegistry::set_0Call {
        key_: key32(i),
        value_: word(value),
    };
    settlement.measure(
        &mut results,
        "set(string,bytes32) — 1 key, new (0 → non-zero)",
        &call_tx(ADMIN, registry, &one(0, 1)),
    )?;
    settlement.measure(
        &mut results,
        "set(string,bytes32) — 1 key, overwrite (non-zero → non-zero)",
        &call_tx(ADMIN, registry, &one(0, 2)),
    )?;
    let ten = |value: u64| IParameterRegistry::set_1Call {
        keys_: (1..=10).map(key32).collect(),
        values_: vec![word(value); 10],
    };
    settlement.measure(
        &mut results,
        "set(string[],bytes32[]) — 10 keys, new",
        &call_tx(ADMIN, registry, &ten(1)),
    )?;
    settlement.measure(
        &mut results,
        "set(string[],bytes32[]) — 10 keys, overwrite",
        &call_tx(ADMIN, registry, &ten(2)),
    )?;

    // b. Broadcasters.
    for len in [100, 1024, 4096] {
        app.measure(
            &mut results,
            &format!("GroupMessageBroadcaster.addMessage — {len} B payload"),
            &call_tx(
                USER,
                group,
                &IGroupMessageBroadcaster::addMessageCall {
                    groupId_: [0x42; 16].into(),
                    message_: payload(len),
                },
            ),
        )?;
        app.measure(
            &mut results,
            &format!("IdentityUpdateBroadcaster.addIdentityUpdate — {len} B payload"),
            &call_tx(
                USER,
                identity,
                &IIdentityUpdateBroadcaster::addIdentityUpdateCall {
                    inboxId_: B256::repeat_byte(0x42),
                    identityUpdate_: payload(len),
                },
            ),
        )?;
    }

    // c. Node registry.
    match node_registry_deployed {
        Some(nodes) => node_registry_operations(&mut settlement, &mut results, nodes)?,
        None => {
            for id in NODE_REGISTRY_OPERATIONS {
                results.not_run(id, &blocked(&missing, &["NodeRegistry"]));
            }
        }
    }
    // d. Payer registry and deposit splitter.
    match (payer_registry_deployed, splitter) {
        (Some(payers), Some(splitter)) => {
            payer_registry_operations(&mut settlement, &mut results, payers, splitter, fee_token)?;
        }
        _ => {
            for id in PAYER_REGISTRY_OPERATIONS {
                results.not_run(
                    id,
                    &blocked(&missing, &["PayerRegistry", "DepositSplitter"]),
                );
            }
        }
    }
    settlement.measure(
        &mut results,
        "FeeToken.withdraw (unwrap)",
        &call_tx(
            USER,
            fee_token,
            &IFeeToken::withdrawCall {
                amount_: U256::from(10_000_000u64),
            },
        ),
    )?;

    // e. Rate registry.
    match rate_registry {
        Some(rates) => {
            let now = settlement.chain.timestamp();
            let rate_keys = |message_fee: u64, start: u64| {
                vec![
                    ("xmtp.rateRegistry.messageFee".to_owned(), word(message_fee)),
                    ("xmtp.rateRegistry.storageFee".to_owned(), word(200)),
                    ("xmtp.rateRegistry.congestionFee".to_owned(), word(300)),
                    (
                        "xmtp.rateRegistry.targetRatePerMinute".to_owned(),
                        word(100_000),
                    ),
                    (
                        "xmtp.rateRegistry.ratesInEffectAfter".to_owned(),
                        word(start),
                    ),
                ]
            };
            set_parameters(&mut settlement, registry, &rate_keys(100, now))?;
            settlement.measure(
                &mut results,
                "updateRates — first rates (empty history)",
                &call_tx(USER, rates, &IRateRegistry::updateRatesCall {}),
            )?;
            set_parameters(&mut settlement, registry, &rate_keys(150, now + 60))?;
            settlement.measure(
                &mut results,
                "updateRates — subsequent change",
                &call_tx(USER, rates, &IRateRegistry::updateRatesCall {}),
            )?;
        }
        None => {
            for id in [
                "updateRates — first rates (empty history)",
                "updateRates — subsequent change",
            ] {
                results.not_run(id, &blocked(&missing, &["RateRegistry"]));
            }
        }
    }

    // f. Payer reports, then g. distribution of their fees.
    let reports = match (
        node_registry_deployed,
        payer_registry_deployed,
        report_manager_deployed,
    ) {
        (Some(nodes), Some(payers), Some(manager)) => Some(report_manager_operations(
            &mut settlement,
            &mut results,
            Deployed {
                nodes,
                payers,
                manager,
                fee_token,
            },
        )?),
        _ => None,
    };
    let mut blocked_sections: Vec<(&[&str], &str)> = Vec::new();
    if reports.is_none() {
        let needs: &[&str] = &["PayerReportManager", "NodeRegistry", "PayerRegistry"];
        blocked_sections.push((needs, "f. PayerReportManager.submit"));
        blocked_sections.push((needs, "f. PayerReportManager.settle"));
    }
    match (distribution_deployed, &reports) {
        (Some(distribution), Some(node_ids)) => {
            distribution_operations(&mut settlement, &mut results, distribution, node_ids)?;
        }
        _ => blocked_sections.push((
            &["DistributionManager", "PayerReportManager"],
            "g. DistributionManager",
        )),
    }
    for (contracts, section) in blocked_sections {
        for op in crate::reference::reference()
            .operations
            .iter()
            .filter(|op| op.section == section)
        {
            results.not_run(&op.id, &blocked(&missing, contracts));
        }
    }

    // h. Gateways.
    let one_key = vec![(key32(20), word(7))];
    set_parameters(&mut settlement, registry, &one_key)?;
    settlement.measure(
        &mut results,
        "SettlementChainGateway.sendParameters — 1 key, 1 chain",
        &call_tx(USER, gateway, &send_parameters(&one_key)),
    )?;
    app.measure(
        &mut results,
        "AppChainGateway.receiveParameters — 1 key (from aliased gateway)",
        &receive(&one_key),
    )?;
    let ten_keys: Vec<(String, B256)> = (21..31).map(|i| (key32(i), word(8))).collect();
    set_parameters(&mut settlement, registry, &ten_keys)?;
    settlement.measure(
        &mut results,
        "SettlementChainGateway.sendParameters — 10 keys, 1 chain",
        &call_tx(USER, gateway, &send_parameters(&ten_keys)),
    )?;
    app.measure(
        &mut results,
        "AppChainGateway.receiveParameters — 10 keys (from aliased gateway)",
        &receive(&ten_keys),
    )?;
    let ten_again: Vec<(String, B256)> = (21..31).map(|i| (key32(i), word(9))).collect();
    app.measure(
        &mut results,
        "AppChainGateway.receiveParameters — 10 keys, all existing (overwrite)",
        &receive(&ten_again),
    )?;

    // i. Migrations through a Migrator.
    match node_registry_deployed {
        Some(nodes) => migrate(
            &mut settlement,
            &mut results,
            &plan,
            nodes,
            ("NodeRegistry", "xmtp-node-registry", "nodeRegistry"),
            &[("parameterRegistry", registry)],
        )?,
        None => results.not_run(
            "NodeRegistry.migrate() via Migrator",
            &blocked(&missing, &["NodeRegistry"]),
        ),
    }
    match payer_registry_deployed {
        Some(payers) => migrate(
            &mut settlement,
            &mut results,
            &plan,
            payers,
            ("PayerRegistry", "xmtp-payer-registry", "payerRegistry"),
            &[
                ("parameterRegistry", registry),
                ("feeToken", fee_token),
                ("underlyingFeeToken", mock),
            ],
        )?,
        None => results.not_run(
            "PayerRegistry.migrate() via Migrator",
            &blocked(&missing, &["PayerRegistry"]),
        ),
    }
    migrate(
        &mut settlement,
        &mut results,
        &plan,
        registry,
        (
            "SettlementChainParameterRegistry",
            "xmtp-settlement-chain-parameter-registry",
            "settlementChainParameterRegistry",
        ),
        &[],
    )?;
    migrate(
        &mut settlement,
        &mut results,
        &plan,
        plan.base.factory,
        ("Factory", "xmtp-factory", "factory"),
        &[("parameterRegistry", registry)],
    )?;
    Ok((
        results,
        Chains {
            settlement: settlement.chain,
            payer_registry: payer_registry_deployed,
            fee_token,
            app: app.chain,
            group_message_broadcaster: group,
        },
    ))
}

/// The settlement programs the payer-report rows use.
#[derive(Debug, Clone, Copy)]
struct Deployed {
    nodes: Address,
    payers: Address,
    manager: Address,
    fee_token: Address,
}

/// A payer of the report trees: funded payers first, then the unfunded ones.
fn payer(i: u64) -> Address {
    let mut bytes = [0u8; 20];
    bytes[0] = 0x9a;
    bytes[12..].copy_from_slice(&i.to_be_bytes());
    Address::from(bytes)
}

/// Payers `from .. from + count`, each owing 1,000,000 pico-dollars (one micro-dollar debit).
fn fee_tree(from: u64, count: u64) -> Result<PayerTree, String> {
    let fees: Vec<PayerFee> = (from..from + count)
        .map(|i| PayerFee {
            payer: payer(i),
            fee: 1_000_000,
        })
        .collect();
    PayerTree::from_fees(&fees).map_err(|e| e.to_string())
}

/// Payers with a deposit (the 1,000-payer settlement's); the unfunded ones come after.
const FUNDED: u64 = 1_000;

/// One `submit` row: the originator (index into the nodes), sequence ids, the canonical set's
/// size, how many of it sign, and which fee tree's root it reports (`None`: a placeholder).
type SubmitRow = (&'static str, usize, u64, u64, usize, usize, Option<usize>);

/// Section f with the reference's inputs: real secp256k1 signatures over the EIP-712 digest by
/// 3, 7 and 15 canonical nodes (the node-registry rows' 10 nodes leave the network first);
/// settlements of 10, 100 (in one and in two calls), 100 unfunded and 1,000 payers, the funded
/// ones holding a deposit.
#[allow(clippy::too_many_lines)] // the reference's sequence, row by row
fn report_manager_operations(
    net: &mut Net,
    results: &mut Results,
    system: Deployed,
) -> Result<Vec<u32>, String> {
    let Deployed {
        nodes,
        payers,
        manager,
        fee_token,
    } = system;
    for id in (1..=10u32).map(|n| n * 100) {
        net.send(
            "removeFromNetwork",
            &call_tx(
                ADMIN,
                nodes,
                &INodeRegistry::removeFromNetworkCall { nodeId_: id },
            ),
        )?;
    }
    let keys: Vec<SigningKey> = (0..15u8)
        .map(|i| SigningKey::from_slice(alloy_primitives::keccak256([0xb0, i]).as_slice()))
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let mut ids = Vec::new();
    for (i, key) in (0u8..).zip(&keys) {
        let public = key.verifying_key().to_encoded_point(false);
        let added = INodeRegistry::addNodeCall::abi_decode_returns(&net.send(
            "addNode",
            &call_tx(
                ADMIN,
                nodes,
                &INodeRegistry::addNodeCall {
                    owner_: report_node_owner(i),
                    signingPublicKey_: public.as_bytes().to_vec().into(),
                    httpAddress_: format!("https://node-{i:02}.xmtp.example.com:4443"),
                },
            ),
        )?)
        .map_err(|e| e.to_string())?;
        ids.push(added.nodeId_);
    }
    let mut canonical = 0;
    let domain = Domain {
        chain_id: SETTLEMENT_CHAIN_ID,
        verifying_contract: manager,
    };
    let minute = u32::try_from(net.chain.timestamp() / 60).unwrap_or(u32::MAX);
    let trees = [
        fee_tree(0, 10)?,
        fee_tree(0, 100)?,
        fee_tree(0, 100)?,
        fee_tree(FUNDED, 100)?,
        fee_tree(0, FUNDED)?,
    ];
    let submits: [SubmitRow; 7] = [
        (
            "submit — 3 canonical nodes, 2 signatures (majority)",
            0,
            0,
            10,
            3,
            2,
            Some(0),
        ),
        (
            "submit — 3 nodes, 2 sigs, 2nd report of the originator",
            0,
            10,
            20,
            3,
            2,
            Some(1),
        ),
        (
            "submit — 3 canonical nodes, 3 signatures (all)",
            1,
            0,
            10,
            3,
            3,
            Some(2),
        ),
        (
            "submit — 7 canonical nodes, 4 signatures (majority)",
            2,
            0,
            10,
            7,
            4,
            Some(3),
        ),
        (
            "submit — 7 canonical nodes, 7 signatures (all)",
            3,
            0,
            10,
            7,
            7,
            Some(4),
        ),
        (
            "submit — 15 canonical nodes, 8 signatures (majority)",
            4,
            0,
            10,
            15,
            8,
            None,
        ),
        (
            "submit — 15 canonical nodes, 15 signatures (all)",
            5,
            0,
            10,
            15,
            15,
            None,
        ),
    ];
    for (row, originator, start, end, set, signers, tree) in submits {
        while canonical < set {
            net.send(
                "addToNetwork",
                &call_tx(
                    ADMIN,
                    nodes,
                    &INodeRegistry::addToNetworkCall {
                        nodeId_: ids[canonical],
                    },
                ),
            )?;
            canonical += 1;
        }
        let report = PayerReport {
            originator_node_id: ids[originator],
            start_sequence_id: start,
            end_sequence_id: end,
            end_minute_since_epoch: minute,
            payers_merkle_root: tree.map_or(B256::repeat_byte(0x77), |t| trees[t].root()),
            node_ids: ids[..set].to_vec(),
        };
        let digest = report.digest(&domain);
        let signatures = keys[..signers]
            .iter()
            .zip(&ids)
            .map(|(key, id)| Ok((*id, sign(key, digest).map_err(|e| e.to_string())?.to_vec())))
            .collect::<Result<Vec<_>, String>>()?;
        net.measure(
            results,
            row,
            &Tx::call(USER, manager, submit_calldata(&report, &signatures)),
        )?;
    }

    // Funded payers hold a 10 xUSD deposit each (made by the user on their behalf).
    let total = U256::from(10_000_000u64) * U256::from(FUNDED);
    net.send(
        "mint underlying",
        &call_tx(
            USER,
            UNDERLYING,
            &IMockUnderlyingFeeToken::mintCall {
                to_: USER,
                amount_: total,
            },
        ),
    )?;
    net.send(
        "wrap",
        &call_tx(USER, fee_token, &IFeeToken::depositCall { amount_: total }),
    )?;
    for i in 0..FUNDED {
        net.send(
            "deposit for a payer",
            &call_tx(
                USER,
                payers,
                &IPayerRegistry::depositCall {
                    payer_: payer(i),
                    amount_: alloy_primitives::aliases::U96::from(10_000_000u64),
                },
            ),
        )?;
    }
    let settle = |originator: usize, index: u64, tree: &PayerTree, start: u64, count: u64| {
        let batch = Batch {
            start,
            leaves: tree
                .batch(start, count)
                .map_err(|e| e.to_string())?
                .to_vec(),
            proof: tree.proof(start, count).map_err(|e| e.to_string())?,
        };
        Ok::<_, String>(Tx::call(
            USER,
            manager,
            settle_calldata(ids[originator], index, &batch),
        ))
    };
    let settlements: [(&str, usize, u64, usize, u64, u64); 6] = [
        ("settle — 10 payers, one call (all leaves)", 0, 0, 0, 0, 10),
        (
            "settle — 100 payers, one call (all leaves)",
            0,
            1,
            1,
            0,
            100,
        ),
        ("settle — 100 payers in 2 calls: first 50", 1, 0, 2, 0, 50),
        ("settle — 100 payers in 2 calls: last 50", 1, 0, 2, 50, 50),
        ("settle — 100 payers, unfunded (0 → debt)", 2, 0, 3, 0, 100),
        (
            "settle — 1000 payers, one call (all leaves)",
            3,
            0,
            4,
            0,
            FUNDED,
        ),
    ];
    for (row, originator, index, tree, start, count) in settlements {
        let tx = settle(originator, index, &trees[tree], start, count)?;
        net.measure(results, row, &tx)?;
    }
    Ok(ids)
}

/// Who receives the protocol's fees (the `xmtp.distributionManager.protocolFeesRecipient`
/// starting parameter).
pub const PROTOCOL_FEES_RECIPIENT: Address = Address::new([0xfe; 20]);

/// The owner of the `i`-th node the payer-report rows add.
fn report_node_owner(i: u8) -> Address {
    Address::repeat_byte(0x70 + i)
}

/// Section g with the reference's inputs: the first settled report (3 nodes, 10 payers, the
/// originator's report 0) claimed by its first node's owner, who withdraws first (the manager
/// pulls the registry's excess), then the second node's owner claims (not measured) and
/// withdraws from the funded manager; then the protocol's share is claimed and withdrawn to
/// the protocol fees recipient.
fn distribution_operations(
    net: &mut Net,
    results: &mut Results,
    distribution: Address,
    node_ids: &[u32],
) -> Result<(), String> {
    let (Some(&first), Some(&second)) = (node_ids.first(), node_ids.get(1)) else {
        return Err("the payer-report rows added fewer than two nodes".into());
    };
    let (first_owner, second_owner) = (report_node_owner(0), report_node_owner(1));
    let claim = |node: u32| IDistributionManager::claimCall {
        nodeId_: node,
        originatorNodeIds_: vec![first],
        payerReportIndices_: vec![U256::ZERO],
    };
    let withdraw = |node: u32, recipient: Address| IDistributionManager::withdrawCall {
        nodeId_: node,
        recipient_: recipient,
    };
    net.measure(
        results,
        "claim — 1 node, 1 settled report",
        &call_tx(first_owner, distribution, &claim(first)),
    )?;
    net.measure(
        results,
        "withdraw — first (pulls excess from PayerRegistry)",
        &call_tx(first_owner, distribution, &withdraw(first, first_owner)),
    )?;
    net.send(
        "second node claims",
        &call_tx(second_owner, distribution, &claim(second)),
    )?;
    net.measure(
        results,
        "withdraw — second node (manager already funded)",
        &call_tx(second_owner, distribution, &withdraw(second, second_owner)),
    )?;
    net.measure(
        results,
        "claimProtocolFees — 1 report",
        &call_tx(
            USER,
            distribution,
            &IDistributionManager::claimProtocolFeesCall {
                originatorNodeIds_: vec![first],
                payerReportIndices_: vec![U256::ZERO],
            },
        ),
    )?;
    net.measure(
        results,
        "withdrawProtocolFees",
        &call_tx(
            USER,
            distribution,
            &IDistributionManager::withdrawProtocolFeesCall {},
        ),
    )?;
    Ok(())
}

/// Section c's rows.
const NODE_REGISTRY_OPERATIONS: [&str; 4] = [
    "addNode — 1st node",
    "addToNetwork — 1st canonical node",
    "addNode — 10th node",
    "addToNetwork — 10th canonical node",
];

/// Section c with the reference's inputs: each node a new owner (an ERC-721 mint), a 65-byte
/// uncompressed signing key and a 37-character HTTP address; nodes 2 to 9 are added unmeasured.
fn node_registry_operations(
    net: &mut Net,
    results: &mut Results,
    nodes: Address,
) -> Result<(), String> {
    let [first, first_canonical, tenth, tenth_canonical] = NODE_REGISTRY_OPERATIONS;
    for n in 1..=10u8 {
        let mut key = vec![0x04];
        key.extend((0..64u8).map(|i| i.wrapping_mul(7) ^ n));
        let add = call_tx(
            ADMIN,
            nodes,
            &INodeRegistry::addNodeCall {
                owner_: Address::repeat_byte(0x60 + n),
                signingPublicKey_: key.into(),
                httpAddress_: format!("https://node-{n:02}.xmtp.example.com:4443"),
            },
        );
        let (add_id, canonical_id) = match n {
            1 => (Some(first), Some(first_canonical)),
            10 => (Some(tenth), Some(tenth_canonical)),
            _ => (None, None),
        };
        let output = match add_id {
            Some(id) => net.measure(results, id, &add)?,
            None => net.send("addNode", &add)?,
        };
        let added =
            INodeRegistry::addNodeCall::abi_decode_returns(&output).map_err(|e| e.to_string())?;
        let canonical = call_tx(
            ADMIN,
            nodes,
            &INodeRegistry::addToNetworkCall {
                nodeId_: added.nodeId_,
            },
        );
        match canonical_id {
            Some(id) => net.measure(results, id, &canonical)?,
            None => net.send("addToNetwork", &canonical)?,
        };
    }
    Ok(())
}

/// The payer registry's withdrawal lock (the reference's starting parameter: 2 days).
const WITHDRAW_LOCK: u64 = 172_800;

/// Section d's payer-registry and deposit-splitter rows.
const PAYER_REGISTRY_OPERATIONS: [&str; 8] = [
    "PayerRegistry.deposit — new payer",
    "PayerRegistry.deposit — existing payer",
    "PayerRegistry.depositFromUnderlying — REVERTS in the reference as deployed",
    "DepositSplitter.depositFromUnderlying — payer registry only",
    "DepositSplitter.depositFromUnderlying — payer registry + app-chain deposit",
    "PayerRegistry.requestWithdrawal",
    "PayerRegistry.finalizeWithdrawal (after 2-day lock)",
    "PayerRegistry.finalizeWithdrawalIntoUnderlying",
];

/// Section d with the reference's inputs: 50 xUSD deposits under a maximal allowance,
/// 10-USDC splitter deposits for an existing payer, withdrawals after the 2-day lock.
/// `depositFromUnderlying` reverts in the reference (it never approves the fee token); here it
/// succeeds (DEVIATIONS row 10), so its figure is the working path's.
fn payer_registry_operations(
    net: &mut Net,
    results: &mut Results,
    payers: Address,
    splitter: Address,
    fee_token: Address,
) -> Result<(), String> {
    let [new_payer, existing_payer, from_underlying, split_registry, split_both, request, finalize, finalize_underlying] =
        PAYER_REGISTRY_OPERATIONS;
    for (token, spender) in [
        (fee_token, payers),
        (UNDERLYING, payers),
        (UNDERLYING, splitter),
    ] {
        net.send(
            "approve",
            &call_tx(
                USER,
                token,
                &IFeeToken::approveCall {
                    spender,
                    value: U256::MAX,
                },
            ),
        )?;
    }
    let deposit = IPayerRegistry::depositCall {
        payer_: USER,
        amount_: alloy_primitives::aliases::U96::from(50_000_000u64),
    };
    net.measure(results, new_payer, &call_tx(USER, payers, &deposit))?;
    net.measure(results, existing_payer, &call_tx(USER, payers, &deposit))?;
    net.measure(
        results,
        from_underlying,
        &call_tx(
            USER,
            payers,
            &IPayerRegistry::depositFromUnderlyingCall {
                payer_: USER,
                amount_: alloy_primitives::aliases::U96::from(50_000_000u64),
            },
        ),
    )?;
    let split = |app_chain_amount: u64| IDepositSplitter::depositFromUnderlyingCall {
        payer_: USER,
        payerRegistryAmount_: alloy_primitives::aliases::U96::from(10_000_000u64),
        appChainRecipient_: USER,
        appChainAmount_: alloy_primitives::aliases::U96::from(app_chain_amount),
        appChainGasLimit_: U256::from(200_000u64),
        appChainMaxFeePerGas_: U256::from(1_000_000_000u64),
    };
    // The reference's constructor grants the splitter's approvals; here its first deposit does
    // (DEVIATIONS row 17), so one unmeasured deposit comes first.
    net.send(
        "first splitter deposit",
        &call_tx(USER, splitter, &split(0)),
    )?;
    net.measure(results, split_registry, &call_tx(USER, splitter, &split(0)))?;
    net.measure(
        results,
        split_both,
        &call_tx(USER, splitter, &split(10_000_000)),
    )?;
    let withdrawal = IPayerRegistry::requestWithdrawalCall {
        amount_: alloy_primitives::aliases::U96::from(10_000_000u64),
    };
    net.measure(results, request, &call_tx(USER, payers, &withdrawal))?;
    net.chain.advance(WITHDRAW_LOCK, 1);
    net.measure(
        results,
        finalize,
        &call_tx(
            USER,
            payers,
            &IPayerRegistry::finalizeWithdrawalCall { recipient_: USER },
        ),
    )?;
    net.send("request withdrawal", &call_tx(USER, payers, &withdrawal))?;
    net.chain.advance(WITHDRAW_LOCK, 1);
    net.measure(
        results,
        finalize_underlying,
        &call_tx(
            USER,
            payers,
            &IPayerRegistry::finalizeWithdrawalIntoUnderlyingCall { recipient_: USER },
        ),
    )?;
    Ok(())
}

/// The reason an operation needing `contracts` cannot run.
fn blocked(missing: &[(&str, String)], contracts: &[&str]) -> String {
    contracts
        .iter()
        .find_map(|c| {
            missing
                .iter()
                .find(|(m, _)| m == c)
                .map(|(_, why)| why.clone())
        })
        .unwrap_or_else(|| format!("not scripted yet ({} deployable)", contracts.join(", ")))
}

/// `<contract>.migrate() via Migrator`: a new release of the implementation, a Migrator from
/// the current one to it, the registry's migrator key, then `migrate()` by anyone.
fn migrate(
    net: &mut Net,
    results: &mut Results,
    plan: &Plan<'_>,
    proxy: Address,
    (contract, crate_name, key): (&str, &str, &str),
    wiring: &[(&str, Address)],
) -> Result<(), String> {
    let current = IMigratable::implementationCall::abi_decode_returns(&net.send(
        "implementation()",
        &call_tx(USER, proxy, &IMigratable::implementationCall {}),
    )?)
    .map_err(|e| e.to_string())?;
    let release = plan.builds.release(crate_name, wiring, Some([0x02; 32]))?;
    let upgraded = deploy_quietly(net, plan, &release.init_code)?;
    let migrator = plan.artifact(
        "xmtp-migrator",
        &[
            ("fromImplementation", current),
            ("toImplementation", upgraded),
        ],
    )?;
    let migrator = deploy_quietly(net, plan, &migrator.init_code)?;
    set_parameters(
        net,
        plan.base.registry,
        &[(format!("xmtp.{key}.migrator"), migrator.into_word())],
    )?;
    net.measure(
        results,
        &format!("{contract}.migrate() via Migrator"),
        &call_tx(USER, proxy, &IMigratable::migrateCall {}),
    )?;
    Ok(())
}

/// `Factory.deployImplementation` outside the reference's rows.
fn deploy_quietly(net: &mut Net, plan: &Plan<'_>, init_code: &[u8]) -> Result<Address, String> {
    let call = IFactory::deployImplementationCall {
        bytecode_: init_code.to_vec().into(),
    };
    let output = net.send(
        "deployImplementation",
        &call_tx_value(DEPLOYER, plan.base.factory, &call, ACTIVATION_BUDGET),
    )?;
    let address = IFactory::deployImplementationCall::abi_decode_returns(&output)
        .map_err(|e| e.to_string())?;
    net.track(address);
    Ok(address)
}
