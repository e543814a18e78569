//! Every program on one chain, each behind its proxy and initialized, wired to the others'
//! proxies: what the access-control matrix, the adversarial tests and the `programs` fuzz
//! target call into. One chain is enough for them (they check refusals and reentrancy, not
//! the bridge), so the app-chain programs sit next to the settlement-chain ones.
//!
//! Programs the pipeline refuses (over the size limit) are left out and listed in
//! [`System::skipped`]; their proxies' addresses are still predicted, so the others' wiring
//! does not change when they come back.

use std::collections::BTreeMap;

use alloy_primitives::{Address, Bytes, B256, U256};
use alloy_sol_types::SolCall;
use xmtp_abi::{
    distribution_manager::IDistributionManager, factory::IFactory, node_registry::INodeRegistry,
    parameter_registry::IParameterRegistry, payer_registry::IPayerRegistry,
    payer_report_manager::IPayerReportManager,
};
use xmtp_deploy::network::{self, Base, Operator};
use xmtp_devnet::Chain;

use crate::{chain, programs, transact, DEPLOYER};

/// The chain id of the system's chain.
pub const CHAIN_ID: u64 = 8_453;

/// The app chain id the deposit splitter bridges to.
pub const APP_CHAIN_ID: u64 = 351_243_127;

/// The underlying stablecoin the fee token wraps: an account without code (enough for the
/// refusals checked here; the adversarial tests install their own token).
pub const UNDERLYING: Address = Address::new([0x05; 20]);

/// `initialize()`: every program but the parameter registries.
fn initialize() -> Vec<u8> {
    xmtp_abi::factory::IFactory::initializeCall {}.abi_encode()
}

/// The programs after the base (Factory, settlement parameter registry), in deployment order:
/// contract name, crate, proxy salt (empty for a contract used without a proxy).
pub const DEPLOYED: &[(&str, &str, &str)] = &[
    (
        "AppChainParameterRegistry",
        "xmtp-app-chain-parameter-registry",
        "AppChainParameterRegistry_0",
    ),
    ("FeeToken", "xmtp-fee-token", "FeeToken_0"),
    ("PayerRegistry", "xmtp-payer-registry", "PayerRegistry_0"),
    ("RateRegistry", "xmtp-rate-registry", "RateRegistry_0"),
    ("NodeRegistry", "xmtp-node-registry", "NodeRegistry_0"),
    (
        "PayerReportManager",
        "xmtp-payer-report-manager",
        "PayerReportManager_0",
    ),
    (
        "DistributionManager",
        "xmtp-distribution-manager",
        "DistributionManager_0",
    ),
    (
        "SettlementChainGateway",
        "xmtp-settlement-chain-gateway",
        "SettlementChainGateway_0",
    ),
    (
        "AppChainGateway",
        "xmtp-app-chain-gateway",
        "AppChainGateway_0",
    ),
    ("DepositSplitter", "xmtp-deposit-splitter", ""),
    (
        "GroupMessageBroadcaster",
        "xmtp-group-message-broadcaster",
        "GroupMessageBroadcaster_0",
    ),
    (
        "IdentityUpdateBroadcaster",
        "xmtp-identity-update-broadcaster",
        "IdentityUpdateBroadcaster_0",
    ),
];

/// The deployed system.
#[derive(Debug)]
pub struct System {
    /// The chain.
    pub chain: Chain,
    /// Factory, its Initializable and the settlement parameter registry (administered by
    /// [`DEPLOYER`]).
    pub base: Base,
    /// Proxy of each contract, by contract name (predicted for the skipped ones).
    pub proxies: BTreeMap<&'static str, Address>,
    /// Implementation of each deployed contract, by contract name (the Factory's
    /// Initializable included).
    pub implementations: BTreeMap<&'static str, Address>,
    /// Contracts left out, with the pipeline's reason.
    pub skipped: Vec<(&'static str, String)>,
}

impl System {
    /// The proxy of `contract`.
    ///
    /// # Panics
    /// For a name that is not a contract of the system.
    #[must_use]
    pub fn proxy(&self, contract: &str) -> Address {
        *self
            .proxies
            .get(contract)
            .unwrap_or_else(|| panic!("no contract {contract}"))
    }

    /// Whether `contract` is deployed (not skipped).
    #[must_use]
    pub fn deployed(&self, contract: &str) -> bool {
        self.implementations.contains_key(contract)
    }
}

fn word(value: u64) -> Address {
    Address::from_word(B256::from(U256::from(value)))
}

/// The wiring of `contract`, from the predicted proxies.
fn wiring(
    contract: &str,
    proxies: &BTreeMap<&'static str, Address>,
) -> Vec<(&'static str, Address)> {
    let p = |name: &str| proxies[name];
    let registry = p("SettlementChainParameterRegistry");
    let app_registry = p("AppChainParameterRegistry");
    match contract {
        "FeeToken" => vec![("parameterRegistry", registry), ("underlying", UNDERLYING)],
        "PayerRegistry" => vec![
            ("parameterRegistry", registry),
            ("feeToken", p("FeeToken")),
            ("underlyingFeeToken", UNDERLYING),
        ],
        "RateRegistry" | "NodeRegistry" => vec![("parameterRegistry", registry)],
        "PayerReportManager" => vec![
            ("parameterRegistry", registry),
            ("nodeRegistry", p("NodeRegistry")),
            ("payerRegistry", p("PayerRegistry")),
        ],
        "DistributionManager" => vec![
            ("parameterRegistry", registry),
            ("nodeRegistry", p("NodeRegistry")),
            ("payerReportManager", p("PayerReportManager")),
            ("payerRegistry", p("PayerRegistry")),
            ("feeToken", p("FeeToken")),
        ],
        "SettlementChainGateway" => vec![
            ("parameterRegistry", registry),
            ("appChainGateway", p("AppChainGateway")),
            ("feeToken", p("FeeToken")),
            ("underlyingFeeToken", UNDERLYING),
            // The fee token has 6 decimals: 10^12 wei per unit on the app chain.
            ("scale", word(1_000_000_000_000)),
        ],
        "AppChainGateway" => vec![
            ("parameterRegistry", app_registry),
            ("settlementChainGateway", p("SettlementChainGateway")),
        ],
        "DepositSplitter" => vec![
            ("feeToken", p("FeeToken")),
            ("payerRegistry", p("PayerRegistry")),
            ("settlementChainGateway", p("SettlementChainGateway")),
            ("appChainId", word(APP_CHAIN_ID)),
        ],
        "GroupMessageBroadcaster" | "IdentityUpdateBroadcaster" => {
            vec![("parameterRegistry", app_registry)]
        }
        _ => Vec::new(),
    }
}

/// Deploys the system: the base, then every program of [`DEPLOYED`] through the Factory.
///
/// # Panics
/// When a program the pipeline accepts fails to deploy or initialize.
#[must_use]
pub fn deploy_system() -> System {
    let programs = programs();
    let mut chain = chain(CHAIN_ID);
    let mut op = Operator::new(&mut chain, DEPLOYER);
    let base = network::deploy_base(
        &mut op,
        programs,
        "xmtp-settlement-chain-parameter-registry",
        &[DEPLOYER],
    )
    .expect("the base deploys");
    let proxy_code = programs
        .artifact("xmtp-proxy", &[])
        .expect("the proxy builds")
        .code;
    let mut proxies: BTreeMap<&'static str, Address> = DEPLOYED
        .iter()
        .filter(|(_, _, salt)| !salt.is_empty())
        .map(|(contract, _, salt)| {
            let at = network::proxy_address(
                base.factory,
                base.initializable,
                &proxy_code,
                DEPLOYER,
                network::salt(salt),
            );
            (*contract, at)
        })
        .collect();
    proxies.insert("SettlementChainParameterRegistry", base.parameter_registry);
    proxies.insert("Factory", base.factory);
    let predicted = proxies.clone();
    let mut implementations = BTreeMap::new();
    implementations.insert("Factory", base.factory_implementation);
    // Every proxy's first implementation; it has no proxy of its own.
    implementations.insert("Initializable", base.initializable);
    implementations.insert(
        "SettlementChainParameterRegistry",
        base.parameter_registry_implementation,
    );
    let mut skipped = Vec::new();
    for (contract, crate_name, salt) in DEPLOYED {
        let artifact = match programs.artifact(crate_name, &wiring(contract, &predicted)) {
            Ok(artifact) => artifact,
            Err(error) => {
                skipped.push((*contract, error.to_string()));
                continue;
            }
        };
        let label = format!("deploy impl {crate_name}");
        let implementation =
            network::deploy_implementation(&mut op, base.factory, &label, &artifact.init_code)
                .unwrap_or_else(|e| panic!("{e}"));
        implementations.insert(*contract, implementation);
        if salt.is_empty() {
            // Not upgradeable (no initializer): used as deployed.
            proxies.insert(*contract, implementation);
            continue;
        }
        // The app chain's registry is administered by its gateway, as deployed for real, and
        // here by the deployer too, so tests can set app-chain parameters without the bridge.
        let data = if *contract == "AppChainParameterRegistry" {
            IParameterRegistry::initializeCall {
                admins_: vec![predicted["AppChainGateway"], DEPLOYER],
            }
            .abi_encode()
        } else {
            initialize()
        };
        let call = IFactory::deployProxyCall {
            implementation_: implementation,
            salt_: network::salt(salt),
            initializeCallData_: Bytes::from(data),
        };
        let proxy = op
            .transact(
                &format!("deploy proxy {crate_name}"),
                base.factory,
                &call,
                U256::ZERO,
            )
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            proxy, predicted[contract],
            "{contract} at its predicted address"
        );
    }
    System {
        chain,
        base,
        proxies,
        implementations,
        skipped,
    }
}

/// The proxies of the programs on the payment path, as [`pull_payment_parameters`] takes them.
#[derive(Debug, Clone, Copy)]
pub struct PaymentPath {
    /// The `NodeRegistry` proxy.
    pub nodes: Address,
    /// The `PayerRegistry` proxy.
    pub payers: Address,
    /// The `PayerReportManager` proxy.
    pub reports: Address,
    /// The `DistributionManager` proxy.
    pub distribution: Address,
}

/// Has the payment path's programs read what the parameter registry holds for them: the node
/// registry's admin and maximum canonical nodes, the payer registry's settler and fee
/// distributor, the protocol fee rate and the protocol fees' recipient. Anyone may pull; the
/// deployer does.
pub fn pull_payment_parameters(chain: &mut Chain, path: PaymentPath) {
    transact(
        chain,
        DEPLOYER,
        path.nodes,
        &INodeRegistry::updateAdminCall {},
    );
    transact(
        chain,
        DEPLOYER,
        path.nodes,
        &INodeRegistry::updateMaxCanonicalNodesCall {},
    );
    transact(
        chain,
        DEPLOYER,
        path.payers,
        &IPayerRegistry::updateSettlerCall {},
    );
    transact(
        chain,
        DEPLOYER,
        path.payers,
        &IPayerRegistry::updateFeeDistributorCall {},
    );
    transact(
        chain,
        DEPLOYER,
        path.reports,
        &IPayerReportManager::updateProtocolFeeRateCall {},
    );
    transact(
        chain,
        DEPLOYER,
        path.distribution,
        &IDistributionManager::updateProtocolFeesRecipientCall {},
    );
}
