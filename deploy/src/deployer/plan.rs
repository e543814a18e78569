//! Every address of a deployment, predicted from the configuration and the built code before
//! anything is sent.

use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use alloy_sol_types::SolCall;
use xmtp_abi::parameter_registry::IParameterRegistry;
use xmtp_devnet_node::Side;

use crate::network::{proxy_address, salt, Programs};
use crate::Error;

use super::config::{Config, ProxyKind};

/// `initialize()`, the initializer of every proxied program but the registries.
fn initialize() -> Bytes {
    Bytes::from(xmtp_devnet::arb::selector("initialize()").to_vec())
}

/// An upgradeable contract's proxy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyPlan {
    /// The salt string of the configuration.
    pub salt: String,
    /// Predicted address.
    pub address: Address,
    /// Calldata the Initializable forwards to the implementation.
    pub initialize: Bytes,
}

/// One contract of the network on one chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// The reference's contract name.
    pub contract: &'static str,
    /// The program crate.
    pub crate_name: &'static str,
    /// Its chain.
    pub side: Side,
    /// Key of the proxy (or of the contract itself) in `environments/<env>.json`.
    pub environment_key: &'static str,
    /// Wiring values, by slot name.
    pub wiring: Vec<(&'static str, B256)>,
    /// Init code through the pipeline, or why it cannot be deployed (a program over the size
    /// limit is planned, reported and skipped, so dependents keep their addresses).
    pub init_code: Result<Vec<u8>, String>,
    /// `Factory.deployImplementation` puts it here (zero when it cannot be built).
    pub implementation: Address,
    /// keccak256 of the code that must be at [`Self::implementation`].
    pub code_hash: B256,
    /// Its proxy, for upgradeable contracts.
    pub proxy: Option<ProxyPlan>,
    /// Permissionless `update…()` calls that pull the starting parameters into the contract.
    pub updates: Vec<Update>,
}

/// A permissionless `update…()` call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    /// Its signature.
    pub signature: &'static str,
    /// Its calldata.
    pub data: Bytes,
    /// For an update that does not refuse a no-op with `NoChange()`: a view of the contract
    /// returning one word, and the registry key whose value it mirrors.
    pub mirrors: Option<(Bytes, String)>,
}

impl Unit {
    /// The address users call: the proxy, or the contract itself.
    pub fn address(&self) -> Address {
        self.proxy
            .as_ref()
            .map_or(self.implementation, |proxy| proxy.address)
    }
}

/// The whole deployment, predicted.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The configuration it came from.
    pub config: Config,
    /// Factory proxy (the same on both chains).
    pub factory: Address,
    /// Factory implementation (created by the deployer, so the same on both chains too).
    pub factory_implementation: Address,
    /// keccak256 of the Factory implementation's code.
    pub factory_code_hash: B256,
    /// Factory implementation init code.
    pub factory_init_code: Vec<u8>,
    /// The Initializable the Factory creates.
    pub initializable: Address,
    /// The proxies' runtime code (every proxy has it): the Stylus Proxy's, or the EVM proxy's
    /// for `"proxy": "evm"`.
    pub proxy_code: Vec<u8>,
    /// Parameter registry proxy (the same on both chains).
    pub parameter_registry: Address,
    /// Gateway proxy (the same on both chains).
    pub gateway: Address,
    /// `FeeToken` proxy.
    pub fee_token: Address,
    /// Registry administrators.
    pub admins: Vec<Address>,
    /// Every contract, in deployment order.
    pub units: Vec<Unit>,
}

/// `Factory.deployImplementation(code)` puts `code` at `CREATE2(factory, keccak(code), code)`.
pub fn implementation_address(factory: Address, init_code: &[u8]) -> Address {
    let hash = keccak256(init_code);
    factory.create2(hash, hash)
}

fn word(address: Address) -> B256 {
    address.into_word()
}

fn update(signature: &'static str) -> Update {
    Update {
        signature,
        data: Bytes::from(xmtp_devnet::arb::selector(signature).to_vec()),
        mirrors: None,
    }
}

/// A selector followed by one ABI word.
fn with_word(signature: &str, argument: B256) -> Bytes {
    Bytes::from(
        [
            xmtp_devnet::arb::selector(signature).as_slice(),
            argument.as_slice(),
        ]
        .concat(),
    )
}

impl Plan {
    // One entry per contract of the reference's deployment: a table, long by nature.
    #[allow(clippy::too_many_lines)]
    /// Predicts everything. The Factory and its implementation are the deployer's first two
    /// CREATEs on each chain (the configuration may pin them; they must agree).
    pub fn new(config: &Config, programs: &Programs) -> Result<Self, Error> {
        let deployer = config.deployer;
        let factory = deployer.create(0);
        let factory_implementation = deployer.create(1);
        let initializable = factory.create(1);
        let proxy_code = match config.proxy {
            ProxyKind::Stylus => programs.artifact("xmtp-proxy", &[])?.code,
            ProxyKind::Evm => xmtp_proxy::evm::runtime(),
        };
        let proxy = |salt_text: &str| -> Result<Address, Error> {
            if salt_text.is_empty() || salt_text.len() > 32 {
                return Err(Error::Config(format!(
                    "salt {salt_text:?} must be 1 to 32 bytes"
                )));
            }
            Ok(proxy_address(
                factory,
                initializable,
                &proxy_code,
                deployer,
                salt(salt_text),
            ))
        };
        let parameter_registry = proxy(&config.parameter_registry_proxy_salt)?;
        let gateway = proxy(&config.gateway_proxy_salt)?;
        let fee_token = proxy(&config.fee_token_proxy_salt)?;
        let node_registry = proxy(&config.node_registry_proxy_salt)?;
        let payer_registry = proxy(&config.payer_registry_proxy_salt)?;
        let rate_registry = proxy(&config.rate_registry_proxy_salt)?;
        let payer_report_manager = proxy(&config.payer_report_manager_proxy_salt)?;
        let distribution_manager = proxy(&config.distribution_manager_proxy_salt)?;
        let group_message_broadcaster = proxy(&config.group_message_broadcaster_proxy_salt)?;
        let identity_update_broadcaster = proxy(&config.identity_update_broadcaster_proxy_salt)?;
        let underlying = config.underlying_fee_token;
        if underlying.is_zero() {
            return Err(Error::Config("underlyingFeeToken is not set".into()));
        }
        let admins = config.admins();
        if admins.is_empty() {
            return Err(Error::Config(
                "no settlementChainParameterRegistryAdmin is set".into(),
            ));
        }
        // The Factory embeds both proxies' creation code; its wiring picks the one it deploys.
        let factory_artifact = programs.wired(
            "xmtp-factory",
            &[
                ("parameterRegistry", word(parameter_registry).0),
                ("proxyKind", config.proxy.factory_wiring().0),
            ],
            None,
        )?;

        let registry_init = |admins: Vec<Address>| {
            Bytes::from(IParameterRegistry::initializeCall { admins_: admins }.abi_encode())
        };
        let pr = word(parameter_registry);
        // Ten to the twelve: app-chain wei per fee-token unit (18 - 6 decimals).
        let scale = B256::from(U256::from(10u64).pow(U256::from(12u64)));
        let app_chain_id = B256::from(U256::from(config.app_chain_id));
        let mut units = Vec::new();
        let mut add = |contract,
                       crate_name,
                       side,
                       environment_key,
                       wiring: Vec<(&'static str, B256)>,
                       proxy: Option<(&String, Address, Bytes)>,
                       updates: Vec<Update>| {
            let release = config
                .releases
                .get(contract)
                .map(|tag| keccak256(tag.as_bytes()).0);
            units.push(unit(
                programs,
                (factory, release),
                (contract, crate_name, side, environment_key),
                wiring,
                proxy.map(|(salt, address, initialize)| ProxyPlan {
                    salt: salt.clone(),
                    address,
                    initialize,
                }),
                updates,
            ));
        };
        let s = Side::Settlement;
        let a = Side::App;
        add(
            "SettlementChainParameterRegistry",
            "xmtp-settlement-chain-parameter-registry",
            s,
            "settlementChainParameterRegistry",
            vec![],
            Some((
                &config.parameter_registry_proxy_salt,
                parameter_registry,
                registry_init(admins.clone()),
            )),
            vec![],
        );
        add(
            "SettlementChainGateway",
            "xmtp-settlement-chain-gateway",
            s,
            "settlementChainGateway",
            vec![
                ("parameterRegistry", pr),
                ("appChainGateway", word(gateway)),
                ("feeToken", word(fee_token)),
                ("underlyingFeeToken", word(underlying)),
                ("scale", scale),
            ],
            Some((&config.gateway_proxy_salt, gateway, initialize())),
            vec![Update {
                signature: "updateInbox(uint256)",
                data: with_word("updateInbox(uint256)", app_chain_id),
                mirrors: Some((
                    with_word("getInbox(uint256)", app_chain_id),
                    format!("xmtp.settlementChainGateway.inbox.{}", config.app_chain_id),
                )),
            }],
        );
        add(
            "AppChainParameterRegistry",
            "xmtp-app-chain-parameter-registry",
            a,
            "appChainParameterRegistry",
            vec![],
            Some((
                &config.parameter_registry_proxy_salt,
                parameter_registry,
                registry_init(vec![gateway]),
            )),
            vec![],
        );
        add(
            "AppChainGateway",
            "xmtp-app-chain-gateway",
            a,
            "appChainGateway",
            vec![
                ("parameterRegistry", pr),
                ("settlementChainGateway", word(gateway)),
            ],
            Some((&config.gateway_proxy_salt, gateway, initialize())),
            vec![],
        );
        add(
            "FeeToken",
            "xmtp-fee-token",
            s,
            "feeToken",
            vec![("parameterRegistry", pr), ("underlying", word(underlying))],
            Some((&config.fee_token_proxy_salt, fee_token, initialize())),
            vec![],
        );
        add(
            "PayerRegistry",
            "xmtp-payer-registry",
            s,
            "payerRegistry",
            vec![
                ("parameterRegistry", pr),
                ("feeToken", word(fee_token)),
                ("underlyingFeeToken", word(underlying)),
            ],
            Some((
                &config.payer_registry_proxy_salt,
                payer_registry,
                initialize(),
            )),
            vec![
                update("updateSettler()"),
                update("updateFeeDistributor()"),
                update("updateMinimumDeposit()"),
                update("updateWithdrawLockPeriod()"),
            ],
        );
        add(
            "RateRegistry",
            "xmtp-rate-registry",
            s,
            "rateRegistry",
            vec![("parameterRegistry", pr)],
            Some((
                &config.rate_registry_proxy_salt,
                rate_registry,
                initialize(),
            )),
            vec![update("updateRates()")],
        );
        add(
            "NodeRegistry",
            "xmtp-node-registry",
            s,
            "nodeRegistry",
            vec![("parameterRegistry", pr)],
            Some((
                &config.node_registry_proxy_salt,
                node_registry,
                initialize(),
            )),
            vec![update("updateAdmin()"), update("updateMaxCanonicalNodes()")],
        );
        add(
            "PayerReportManager",
            "xmtp-payer-report-manager",
            s,
            "payerReportManager",
            vec![
                ("parameterRegistry", pr),
                ("nodeRegistry", word(node_registry)),
                ("payerRegistry", word(payer_registry)),
            ],
            Some((
                &config.payer_report_manager_proxy_salt,
                payer_report_manager,
                initialize(),
            )),
            vec![update("updateProtocolFeeRate()")],
        );
        add(
            "DistributionManager",
            "xmtp-distribution-manager",
            s,
            "distributionManager",
            vec![
                ("parameterRegistry", pr),
                ("nodeRegistry", word(node_registry)),
                ("payerReportManager", word(payer_report_manager)),
                ("payerRegistry", word(payer_registry)),
                ("feeToken", word(fee_token)),
            ],
            Some((
                &config.distribution_manager_proxy_salt,
                distribution_manager,
                initialize(),
            )),
            vec![],
        );
        add(
            "DepositSplitter",
            "xmtp-deposit-splitter",
            s,
            "depositSplitter",
            vec![
                ("feeToken", word(fee_token)),
                ("payerRegistry", word(payer_registry)),
                ("settlementChainGateway", word(gateway)),
                ("appChainId", app_chain_id),
            ],
            None,
            vec![],
        );
        let broadcaster_updates = || {
            vec![
                // Maximum first: a new minimum above the current (zero) maximum is refused.
                update("updateMaxPayloadSize()"),
                update("updateMinPayloadSize()"),
                update("updatePayloadBootstrapper()"),
                update("updatePauseStatus()"),
            ]
        };
        add(
            "GroupMessageBroadcaster",
            "xmtp-group-message-broadcaster",
            a,
            "groupMessageBroadcaster",
            vec![("parameterRegistry", pr)],
            Some((
                &config.group_message_broadcaster_proxy_salt,
                group_message_broadcaster,
                initialize(),
            )),
            broadcaster_updates(),
        );
        add(
            "IdentityUpdateBroadcaster",
            "xmtp-identity-update-broadcaster",
            a,
            "identityUpdateBroadcaster",
            vec![("parameterRegistry", pr)],
            Some((
                &config.identity_update_broadcaster_proxy_salt,
                identity_update_broadcaster,
                initialize(),
            )),
            broadcaster_updates(),
        );

        let plan = Self {
            config: config.clone(),
            factory,
            factory_implementation,
            factory_code_hash: keccak256(&factory_artifact.code),
            factory_init_code: factory_artifact.init_code,
            initializable,
            proxy_code,
            parameter_registry,
            gateway,
            fee_token,
            admins,
            units,
        };
        plan.check_config()?;
        Ok(plan)
    }

    /// The unit of a contract on a side.
    pub fn unit(&self, contract: &str, side: Side) -> Option<&Unit> {
        self.units
            .iter()
            .find(|unit| unit.contract == contract && unit.side == side)
    }

    /// The unit of a contract, whichever its side.
    pub fn find(&self, contract: &str) -> Option<&Unit> {
        self.units.iter().find(|unit| unit.contract == contract)
    }

    // One row per address the reference's configuration can pin.
    #[allow(clippy::too_many_lines)]
    /// The reference pins predicted addresses in its configuration; every pinned one must be
    /// what the code and salts give.
    fn check_config(&self) -> Result<(), Error> {
        let c = &self.config;
        let implementation = |contract: &str| {
            self.find(contract)
                .map_or(Address::ZERO, |unit| unit.implementation)
        };
        let proxy = |contract: &str| self.find(contract).map_or(Address::ZERO, Unit::address);
        let pinned: [(&str, Option<Address>, Address); 26] = [
            ("factory", c.factory, self.factory),
            (
                "factoryImplementation",
                c.factory_implementation,
                self.factory_implementation,
            ),
            (
                "initializableImplementation",
                c.initializable_implementation,
                self.initializable,
            ),
            (
                "parameterRegistryProxy",
                c.parameter_registry_proxy,
                self.parameter_registry,
            ),
            ("gatewayProxy", c.gateway_proxy, self.gateway),
            ("feeTokenProxy", c.fee_token_proxy, self.fee_token),
            (
                "settlementChainParameterRegistryImplementation",
                c.settlement_chain_parameter_registry_implementation,
                implementation("SettlementChainParameterRegistry"),
            ),
            (
                "appChainParameterRegistryImplementation",
                c.app_chain_parameter_registry_implementation,
                implementation("AppChainParameterRegistry"),
            ),
            (
                "settlementChainGatewayImplementation",
                c.settlement_chain_gateway_implementation,
                implementation("SettlementChainGateway"),
            ),
            (
                "appChainGatewayImplementation",
                c.app_chain_gateway_implementation,
                implementation("AppChainGateway"),
            ),
            (
                "feeTokenImplementation",
                c.fee_token_implementation,
                implementation("FeeToken"),
            ),
            (
                "groupMessageBroadcasterImplementation",
                c.group_message_broadcaster_implementation,
                implementation("GroupMessageBroadcaster"),
            ),
            (
                "groupMessageBroadcasterProxy",
                c.group_message_broadcaster_proxy,
                proxy("GroupMessageBroadcaster"),
            ),
            (
                "identityUpdateBroadcasterImplementation",
                c.identity_update_broadcaster_implementation,
                implementation("IdentityUpdateBroadcaster"),
            ),
            (
                "identityUpdateBroadcasterProxy",
                c.identity_update_broadcaster_proxy,
                proxy("IdentityUpdateBroadcaster"),
            ),
            (
                "nodeRegistryImplementation",
                c.node_registry_implementation,
                implementation("NodeRegistry"),
            ),
            (
                "nodeRegistryProxy",
                c.node_registry_proxy,
                proxy("NodeRegistry"),
            ),
            (
                "payerRegistryImplementation",
                c.payer_registry_implementation,
                implementation("PayerRegistry"),
            ),
            (
                "payerRegistryProxy",
                c.payer_registry_proxy,
                proxy("PayerRegistry"),
            ),
            (
                "rateRegistryImplementation",
                c.rate_registry_implementation,
                implementation("RateRegistry"),
            ),
            (
                "rateRegistryProxy",
                c.rate_registry_proxy,
                proxy("RateRegistry"),
            ),
            (
                "payerReportManagerImplementation",
                c.payer_report_manager_implementation,
                implementation("PayerReportManager"),
            ),
            (
                "payerReportManagerProxy",
                c.payer_report_manager_proxy,
                proxy("PayerReportManager"),
            ),
            (
                "distributionManagerImplementation",
                c.distribution_manager_implementation,
                implementation("DistributionManager"),
            ),
            (
                "distributionManagerProxy",
                c.distribution_manager_proxy,
                proxy("DistributionManager"),
            ),
            (
                "depositSplitter",
                c.deposit_splitter,
                proxy("DepositSplitter"),
            ),
        ];
        for (key, configured, predicted) in pinned {
            if let Some(configured) = configured {
                if !configured.is_zero() && configured != predicted {
                    return Err(Error::Config(format!(
                        "config {key} is {configured} but the code and salts predict {predicted}"
                    )));
                }
            }
        }
        Ok(())
    }
}

fn unit(
    programs: &Programs,
    (factory, release): (Address, Option<[u8; 32]>),
    (contract, crate_name, side, environment_key): (&'static str, &'static str, Side, &'static str),
    wiring: Vec<(&'static str, B256)>,
    proxy: Option<ProxyPlan>,
    updates: Vec<Update>,
) -> Unit {
    let words: Vec<(&str, [u8; 32])> = wiring.iter().map(|(name, w)| (*name, w.0)).collect();
    let built = programs.wired(crate_name, &words, release);
    let (init_code, implementation, code_hash) = match built {
        Ok(artifact) => (
            Ok(artifact.init_code.clone()),
            implementation_address(factory, &artifact.init_code),
            keccak256(&artifact.code),
        ),
        Err(error) => (
            Err(format!("{contract}: {error}")),
            Address::ZERO,
            B256::ZERO,
        ),
    };
    Unit {
        contract,
        crate_name,
        side,
        environment_key,
        wiring,
        init_code,
        implementation,
        code_hash,
        proxy,
        updates,
    }
}
