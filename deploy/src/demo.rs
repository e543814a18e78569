//! The main job: deploy the network on two fresh devnet chains and exercise it end to end.
//!
//! Everything runs in process on `xmtp-devnet` chains (settlement chain 84532, app chain
//! 351243127, the reference testnets' ids). Each scenario checks its outcome; [`run`] returns the
//! addresses, every transaction with its gas, and the checks that held, for the CLI to print.

use alloy_primitives::{Address, B256, U256};
use xmtp_abi::{factory::IFactory, parameter_registry::IParameterRegistry};
use xmtp_devnet::Chain;

use crate::network::{
    deploy_base, deploy_implementation, proxy_address, salt, Base, Operator, Programs, Step,
};
use crate::Error;

/// Settlement chain id (Base Sepolia in the reference's testnets).
pub const SETTLEMENT_CHAIN_ID: u64 = 84_532;
/// App chain id (the reference's testnet XMTP L3).
pub const APP_CHAIN_ID: u64 = 351_243_127;
/// Deploys everything, on both chains from the same nonce, so the Factory and every proxy get
/// the same address on both.
pub const DEPLOYER: Address = Address::new([0xd0; 20]);
/// The settlement parameter registry's administrator.
pub const ADMIN: Address = Address::new([0xad; 20]);
/// Salt of the gateway proxies (reference config `Gateway_0_0`).
pub const GATEWAY_SALT: &str = "Gateway_0_0";

/// The program crates the demo deploys.
pub const PROGRAMS: &[&str] = &[
    "xmtp-proxy",
    "xmtp-initializable",
    "xmtp-factory",
    "xmtp-generic-eip1967-migrator",
    "xmtp-settlement-chain-parameter-registry",
    "xmtp-app-chain-parameter-registry",
];

/// The broadcaster limits the reference's starting parameters set (spec §21.3).
const STARTING_PARAMETERS: &[(&str, u64)] = &[
    ("xmtp.groupMessageBroadcaster.minPayloadSize", 78),
    ("xmtp.groupMessageBroadcaster.maxPayloadSize", 262_144),
    ("xmtp.identityUpdateBroadcaster.minPayloadSize", 78),
    ("xmtp.identityUpdateBroadcaster.maxPayloadSize", 262_144),
    ("xmtp.nodeRegistry.maxCanonicalNodes", 100),
    ("xmtp.payerRegistry.minimumDeposit", 10_000_000),
    ("xmtp.payerRegistry.withdrawLockPeriod", 172_800),
    ("xmtp.payerReportManager.protocolFeeRate", 100),
];

/// What the run did.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// (chain, contract, address) of everything deployed.
    pub addresses: Vec<(String, String, Address)>,
    /// Every transaction, in order, with its receipt gas.
    pub steps: Vec<Step>,
    /// The outcomes checked along the way.
    pub checks: Vec<String>,
}

impl Report {
    fn check(&mut self, holds: bool, what: String) -> Result<(), Error> {
        if !holds {
            return Err(Error::Chain(format!("check failed: {what}")));
        }
        self.checks.push(what);
        Ok(())
    }

    fn address(&mut self, chain: &str, name: &str, address: Address) {
        self.addresses
            .push((chain.to_owned(), name.to_owned(), address));
    }
}

fn funded_chain(chain_id: u64) -> Chain {
    let mut chain = Chain::new(chain_id);
    let plenty = U256::from(10u64).pow(U256::from(24u64));
    chain.fund(DEPLOYER, plenty);
    chain.fund(ADMIN, plenty);
    chain
}

/// Deploys both chains' base and runs every scenario.
pub fn run(programs: &Programs) -> Result<Report, Error> {
    let mut report = Report::default();
    let mut settlement = funded_chain(SETTLEMENT_CHAIN_ID);
    let mut app = funded_chain(APP_CHAIN_ID);

    let mut deployer = Operator::new(&mut settlement, DEPLOYER);
    let settlement_base = deploy_base(
        &mut deployer,
        programs,
        "xmtp-settlement-chain-parameter-registry",
        &[ADMIN],
    )?;
    report.steps.append(&mut deployer.steps);
    record_base(&mut report, "settlement", &settlement_base);

    // The app chain's registry is administered by the app-chain gateway proxy alone, whose
    // address is the same on both chains and known before either is deployed.
    let proxy_code = programs.artifact("xmtp-proxy", &[])?.code;
    let gateway = proxy_address(
        settlement_base.factory,
        settlement_base.initializable,
        &proxy_code,
        DEPLOYER,
        salt(GATEWAY_SALT),
    );
    let mut deployer = Operator::new(&mut app, DEPLOYER);
    let app_base = deploy_base(
        &mut deployer,
        programs,
        "xmtp-app-chain-parameter-registry",
        &[gateway],
    )?;
    report.steps.append(&mut deployer.steps);
    record_base(&mut report, "app", &app_base);
    report.check(
        app_base.factory == settlement_base.factory
            && app_base.parameter_registry == settlement_base.parameter_registry,
        format!(
            "Factory {} and parameter registry {} have the same address on both chains",
            app_base.factory, app_base.parameter_registry
        ),
    )?;
    let mut app_view = Operator::new(&mut app, DEPLOYER);
    let gateway_is_admin = app_view.view(
        app_base.parameter_registry,
        &IParameterRegistry::isAdminCall { account_: gateway },
    )?;
    report.check(
        gateway_is_admin,
        format!("the app-chain gateway {gateway} is the app registry's admin"),
    )?;

    starting_parameters(&mut settlement, &settlement_base, &mut report)?;
    factory_upgrade(&mut settlement, programs, &settlement_base, &mut report)?;
    Ok(report)
}

fn record_base(report: &mut Report, chain: &str, base: &Base) {
    report.address(chain, "Factory", base.factory);
    report.address(chain, "Factory implementation", base.factory_implementation);
    report.address(chain, "Initializable", base.initializable);
    report.address(chain, "ParameterRegistry", base.parameter_registry);
    report.address(
        chain,
        "ParameterRegistry implementation",
        base.parameter_registry_implementation,
    );
}

/// The administrator sets the reference's starting parameters in one batch and reads them back.
fn starting_parameters(chain: &mut Chain, base: &Base, report: &mut Report) -> Result<(), Error> {
    let mut admin = Operator::new(chain, ADMIN);
    let keys: Vec<String> = STARTING_PARAMETERS
        .iter()
        .map(|(key, _)| (*key).to_owned())
        .collect();
    let values: Vec<B256> = STARTING_PARAMETERS
        .iter()
        .map(|(_, value)| B256::from(U256::from(*value)))
        .collect();
    admin.transact(
        "admin sets 8 starting parameters",
        base.parameter_registry,
        &IParameterRegistry::set_1Call {
            keys_: keys.clone(),
            values_: values.clone(),
        },
        U256::ZERO,
    )?;
    let read = admin.view(
        base.parameter_registry,
        &IParameterRegistry::get_1Call { keys_: keys },
    )?;
    report.steps.append(&mut admin.steps);
    report.check(
        read == values,
        format!("{} starting parameters read back as set", values.len()),
    )
}

/// An upgrade as operators do it: a new Factory implementation and a `GenericEIP1967Migrator`
/// deployed through the Factory, the migrator key set in the registry, `migrate()` by anyone.
fn factory_upgrade(
    chain: &mut Chain,
    programs: &Programs,
    base: &Base,
    report: &mut Report,
) -> Result<(), Error> {
    let mut deployer = Operator::new(chain, DEPLOYER);
    // A new release of the Factory: same wiring, a different project hash, so new code that
    // `deployImplementation` must activate.
    let wiring = [("parameterRegistry", base.parameter_registry)];
    let new_factory = programs
        .release("xmtp-factory", &wiring, Some([0x02; 32]))?
        .init_code;
    let new_implementation = deploy_implementation(
        &mut deployer,
        base.factory,
        "deploy impl Factory v2",
        &new_factory,
    )?;
    let migrator_code = programs
        .artifact(
            "xmtp-generic-eip1967-migrator",
            &[("newImpl", new_implementation)],
        )?
        .init_code;
    let migrator = deploy_implementation(
        &mut deployer,
        base.factory,
        "deploy impl GenericEIP1967Migrator",
        &migrator_code,
    )?;
    report.steps.append(&mut deployer.steps);

    let mut admin = Operator::new(chain, ADMIN);
    admin.transact(
        "admin sets xmtp.factory.migrator",
        base.parameter_registry,
        &IParameterRegistry::set_0Call {
            key_: "xmtp.factory.migrator".into(),
            value_: migrator.into_word(),
        },
        U256::ZERO,
    )?;
    admin.transact(
        "Factory.migrate",
        base.factory,
        &IFactory::migrateCall {},
        U256::ZERO,
    )?;
    let implementation = admin.view(base.factory, &IFactory::implementationCall {})?;
    report.steps.append(&mut admin.steps);
    report.address(
        "settlement",
        "Factory implementation v2",
        new_implementation,
    );
    report.address("settlement", "GenericEIP1967Migrator", migrator);
    report.check(
        implementation == new_implementation,
        format!("Factory proxy migrated to {new_implementation} through the registry's migrator"),
    )
}
