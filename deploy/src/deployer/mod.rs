//! Deploys the whole network on both chains from a `config/<env>.json`, in the reference's order
//! (`script/Deploy.s.sol`, `script/Administration.s.sol`), over any [`Backend`]:
//!
//! 1. settlement chain: Factory (proxy and implementation created by the deployer, activated,
//!    initialized), parameter registry, gateway;
//! 2. app chain: the same Factory address, parameter registry administered by the gateway,
//!    gateway (the same address on both chains, each wired to the other);
//! 3. the starting parameters set by a registry administrator;
//! 4. the settlement programs: `FeeToken`, `PayerRegistry`, `RateRegistry`, `NodeRegistry`,
//!    `PayerReportManager`, `DistributionManager`, `DepositSplitter`; their `update…()` calls;
//! 5. the app chain's starting parameters bridged through the gateways (waiting for the tickets);
//! 6. the broadcasters and their `update…()` calls.
//!
//! Every address is predicted first ([`Plan`]); each step looks at the chain before sending:
//! code already at a predicted address is reused when its hash is the built code's, a proxy
//! pointing elsewhere aborts, parameters already set are not set again. So a second run sends
//! nothing. Programs that cannot be built (over the size limit) are planned, reported and
//! skipped; dependents keep their predicted addresses.

pub mod admin;
pub mod backend;
pub mod config;
pub mod plan;
pub mod rpc;
pub mod simulate;

use std::time::{Duration, Instant};

use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use alloy_sol_types::SolCall;
use xmtp_abi::{
    factory::IFactory, fee_token::IFeeToken, mock_underlying_fee_token::IMockUnderlyingFeeToken,
    parameter_registry::IParameterRegistry, settlement_chain_gateway::ISettlementChainGateway,
};
use xmtp_devnet::arb::{selector, ARB_WASM};
use xmtp_devnet_node::{Devnet, DevnetConfig, Side};

pub use backend::{Backend, InProcess, Request, Sent};
pub use config::{Config, Environment, ProxyKind};
pub use plan::{Plan, ProxyPlan, Unit, Update};

use crate::network::{salt, Programs, Step, ACTIVATION_BUDGET};
use crate::Error;

/// Gas limit of a parameter ticket: the reference's 21,000 plus 120,000 per key, plus
/// [`STYLUS_TICKET_MARGIN`].
pub fn bridge_gas_limit(keys: usize) -> u64 {
    21_000 + 120_000 * keys as u64 + STYLUS_TICKET_MARGIN
}

/// The reference sizes tickets for EVM code; the ticket's first calls into the app gateway and
/// registry programs also pay Stylus entry costs (program init and memory), which a one-key
/// ticket at the reference's limit does not cover. Unused gas is refunded.
pub const STYLUS_TICKET_MARGIN: u64 = 1_000_000;

/// The app-chain gas price the reference bridges at: 2 gwei.
pub const BRIDGE_MAX_FEE_PER_GAS: u64 = 2_000_000_000;

/// What a ticket costs in 6-decimal fee-token units (the reference's formula).
pub fn bridge_cost(gas_limit: u64) -> U256 {
    U256::from(BRIDGE_MAX_FEE_PER_GAS) * U256::from(gas_limit) / U256::from(1_000_000_000_000u64)
}

/// How long a bridged parameter may take to show up on the app chain.
const BRIDGE_TIMEOUT: Duration = Duration::from_mins(2);

/// The starting parameters the reference bridges to the app chain.
pub fn is_app_chain_parameter(key: &str) -> bool {
    key.starts_with("xmtp.groupMessageBroadcaster.")
        || key.starts_with("xmtp.identityUpdateBroadcaster.")
}

/// What a deployment run did.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Where everything is.
    pub environment: Environment,
    /// Transactions sent, with their gas.
    pub steps: Vec<Step>,
    /// What already existed and was left alone.
    pub reused: Vec<String>,
    /// Contracts not deployed, with the reason.
    pub skipped: Vec<String>,
}

/// Runs a deployment (or the administration of one) over a backend.
pub struct Deployer<'a> {
    backend: &'a mut dyn Backend,
    /// The predicted deployment.
    pub plan: Plan,
    /// Transactions sent so far.
    pub steps: Vec<Step>,
    /// Things found in place.
    pub reused: Vec<String>,
    /// Contracts left out.
    pub skipped: Vec<String>,
    chain_ids: [u64; 2],
    first_blocks: [Option<u64>; 2],
    progress: Option<Progress<'a>>,
}

/// Where a deployer reports each step.
type Progress<'a> = Box<dyn FnMut(&str) + 'a>;

impl std::fmt::Debug for Deployer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deployer")
            .field("plan", &self.plan)
            .field("steps", &self.steps)
            .finish_non_exhaustive()
    }
}

/// A side's position in per-chain arrays (settlement first).
pub(crate) fn index(side: Side) -> usize {
    match side {
        Side::Settlement => 0,
        Side::App => 1,
    }
}

pub(crate) fn chain_name(side: Side) -> &'static str {
    match side {
        Side::Settlement => "settlement",
        Side::App => "app",
    }
}

impl<'a> Deployer<'a> {
    /// A deployer for `plan` over `backend`; checks both chain ids first (nothing is sent to a
    /// chain that is not the configured one).
    pub fn new(backend: &'a mut dyn Backend, plan: Plan) -> Result<Self, Error> {
        let mut deployer = Self {
            backend,
            plan,
            steps: Vec::new(),
            reused: Vec::new(),
            skipped: Vec::new(),
            chain_ids: [0; 2],
            first_blocks: [None; 2],
            progress: None,
        };
        for side in [Side::Settlement, Side::App] {
            let expected = match side {
                Side::Settlement => deployer.plan.config.settlement_chain_id,
                Side::App => deployer.plan.config.app_chain_id,
            };
            let actual = deployer.backend.chain_id(side)?;
            if actual != expected {
                return Err(Error::Chain(format!(
                    "wrong chain id: the {} chain RPC answers {actual}, the configuration says {expected}",
                    chain_name(side)
                )));
            }
            deployer.chain_ids[index(side)] = actual;
        }
        Ok(deployer)
    }

    /// Reports each step as it happens (the CLI prints them).
    pub fn on_progress(&mut self, progress: impl FnMut(&str) + 'a) {
        self.progress = Some(Box::new(progress));
    }

    fn say(&mut self, line: &str) {
        if let Some(progress) = self.progress.as_mut() {
            progress(line);
        }
    }

    fn reuse(&mut self, side: Side, what: &str) {
        let line = format!("{} chain: {what}", chain_name(side));
        self.say(&format!("  = {line}"));
        self.reused.push(line);
    }

    /// The backend.
    pub fn backend(&mut self) -> &mut dyn Backend {
        self.backend
    }

    /// Sends a transaction, requiring success, and records it.
    pub fn send(
        &mut self,
        side: Side,
        label: &str,
        from: Address,
        to: Option<Address>,
        data: Bytes,
        value: U256,
    ) -> Result<Sent, Error> {
        if !self.backend.signers().contains(&from) {
            return Err(Error::Chain(format!(
                "{label}: no key for {from} (give its private key)"
            )));
        }
        let sent = self.backend.send(
            side,
            label,
            &Request {
                from,
                to,
                data,
                value,
            },
        )?;
        let i = index(side);
        self.first_blocks[i].get_or_insert(sent.block);
        self.steps.push(Step {
            chain_id: self.chain_ids[i],
            label: label.to_owned(),
            gas_used: sent.gas_used,
        });
        self.say(&format!(
            "  + {} chain: {label} (gas {})",
            chain_name(side),
            sent.gas_used
        ));
        Ok(sent)
    }

    /// Sends `call` to `to`.
    pub fn transact<C: SolCall>(
        &mut self,
        side: Side,
        label: &str,
        from: Address,
        to: Address,
        call: &C,
    ) -> Result<Sent, Error> {
        self.send(
            side,
            label,
            from,
            Some(to),
            call.abi_encode().into(),
            U256::ZERO,
        )
    }

    /// `eth_call` of a view from the deployer.
    pub fn view<C: SolCall>(
        &mut self,
        side: Side,
        to: Address,
        call: &C,
    ) -> Result<C::Return, Error> {
        let from = self.plan.config.deployer;
        match self
            .backend
            .call(side, from, to, call.abi_encode().into())?
        {
            Ok(output) => backend::decode::<C>(&output),
            Err(data) => Err(Error::Chain(format!(
                "{} on {to} ({} chain) reverted: {}",
                C::SIGNATURE,
                chain_name(side),
                backend::describe_revert(&data)
            ))),
        }
    }

    fn code(&mut self, side: Side, at: Address) -> Result<Bytes, Error> {
        self.backend.code(side, at)
    }

    /// Whether ArbWasm has the code at `program` activated.
    pub fn is_active(&mut self, side: Side, program: Address) -> Result<bool, Error> {
        let mut data = selector("programVersion(address)").to_vec();
        data.extend_from_slice(program.into_word().as_slice());
        let from = self.plan.config.deployer;
        Ok(self
            .backend
            .call(side, from, ARB_WASM, data.into())?
            .is_ok())
    }

    fn ensure_active(&mut self, side: Side, label: &str, program: Address) -> Result<(), Error> {
        if self.is_active(side, program)? {
            return Ok(());
        }
        let mut data = selector("activateProgram(address)").to_vec();
        data.extend_from_slice(program.into_word().as_slice());
        let deployer = self.plan.config.deployer;
        self.send(
            side,
            label,
            deployer,
            Some(ARB_WASM),
            data.into(),
            ACTIVATION_BUDGET,
        )?;
        Ok(())
    }

    /// Deploys everything, then returns where it is. Safe to re-run: what exists is reused.
    pub fn deploy(mut self) -> Result<Outcome, Error> {
        let starts = [
            self.backend.block_number(Side::Settlement)?,
            self.backend.block_number(Side::App)?,
        ];
        self.say("settlement chain: Factory, parameter registry, gateway");
        self.factory(Side::Settlement)?;
        self.units(
            Side::Settlement,
            &["SettlementChainParameterRegistry", "SettlementChainGateway"],
        )?;
        self.say("app chain: Factory, parameter registry, gateway");
        self.factory(Side::App)?;
        self.units(Side::App, &["AppChainParameterRegistry", "AppChainGateway"])?;
        self.say("starting parameters");
        self.starting_parameters()?;
        self.say("settlement programs");
        self.units(
            Side::Settlement,
            &[
                "FeeToken",
                "PayerRegistry",
                "RateRegistry",
                "NodeRegistry",
                "PayerReportManager",
                "DistributionManager",
                "DepositSplitter",
            ],
        )?;
        self.updates(Side::Settlement)?;
        self.say("app-chain parameters through the bridge");
        let keys: Vec<String> = self
            .plan
            .config
            .starting_parameters()?
            .into_iter()
            .map(|(key, _)| key)
            .filter(|key| is_app_chain_parameter(key))
            .collect();
        self.bridge(&keys)?;
        self.say("app chain: broadcasters");
        self.units(
            Side::App,
            &["GroupMessageBroadcaster", "IdentityUpdateBroadcaster"],
        )?;
        self.updates(Side::App)?;
        let environment = self.environment(starts);
        Ok(Outcome {
            environment,
            steps: self.steps,
            reused: self.reused,
            skipped: self.skipped,
        })
    }

    /// The environment file's entries for what is deployed.
    fn environment(&self, starts: [u64; 2]) -> Environment {
        let plan = &self.plan;
        let mut env = Environment::default();
        env.number("settlementChainId", plan.config.settlement_chain_id);
        env.number("appChainId", plan.config.app_chain_id);
        env.number(
            "settlementChainDeploymentBlock",
            self.first_blocks[0].unwrap_or(starts[0]),
        );
        env.number(
            "appChainDeploymentBlock",
            self.first_blocks[1].unwrap_or(starts[1]),
        );
        env.address("deployer", plan.config.deployer);
        env.address("settlementChainFactory", plan.factory);
        env.address("appChainFactory", plan.factory);
        env.address("underlyingFeeToken", plan.config.underlying_fee_token);
        for unit in &plan.units {
            if unit.init_code.is_ok() {
                env.address(unit.environment_key, unit.address());
            }
        }
        env
    }

    fn factory(&mut self, side: Side) -> Result<(), Error> {
        let deployer = self.plan.config.deployer;
        let (factory, implementation) = (self.plan.factory, self.plan.factory_implementation);
        for (what, address, nonce, init_code) in [
            (
                "Factory proxy",
                factory,
                0,
                [
                    xmtp_proxy::creation_code(&self.plan.proxy_code),
                    implementation.into_word().to_vec(),
                ]
                .concat(),
            ),
            (
                "Factory implementation",
                implementation,
                1,
                self.plan.factory_init_code.clone(),
            ),
        ] {
            let code = self.code(side, address)?;
            if code.is_empty() {
                let next = self.backend.nonce(side, deployer)?;
                if next != nonce {
                    return Err(Error::Chain(format!(
                        "the {what} {address} is the deployer's CREATE number {nonce} but {deployer} has sent {next} transactions on the {} chain: deploy from a fresh account",
                        chain_name(side)
                    )));
                }
                self.send(
                    side,
                    &format!("deploy {what}"),
                    deployer,
                    None,
                    init_code.into(),
                    U256::ZERO,
                )?;
                if self.code(side, address)?.is_empty() {
                    return Err(Error::Chain(format!(
                        "deploy {what}: no code at the predicted {address}"
                    )));
                }
            } else {
                self.reuse(side, &format!("{what} at {address}"));
            }
        }
        let code = self.code(side, implementation)?;
        if keccak256(&code) != self.plan.factory_code_hash {
            return Err(Error::Chain(format!(
                "the code at the Factory implementation {implementation} is not the built Factory's"
            )));
        }
        // An EVM proxy (`"proxy": "evm"`) is plain EVM code: nothing to activate.
        if self.plan.config.proxy.is_stylus() {
            self.ensure_active(side, "activate Proxy code", factory)?;
        }
        self.ensure_active(side, "activate Factory implementation", implementation)?;
        let initializable =
            self.view(side, factory, &IFactory::initializableImplementationCall {})?;
        if initializable.is_zero() {
            self.transact(
                side,
                "Factory.initialize",
                deployer,
                factory,
                &IFactory::initializeCall {},
            )?;
        }
        let initializable =
            self.view(side, factory, &IFactory::initializableImplementationCall {})?;
        if initializable != self.plan.initializable {
            return Err(Error::Chain(format!(
                "the Factory's Initializable is {initializable}, predicted {}",
                self.plan.initializable
            )));
        }
        self.ensure_active(side, "activate Initializable", initializable)?;
        let current = self.view(side, factory, &IFactory::implementationCall {})?;
        if current != implementation {
            return Err(Error::Chain(format!(
                "ProxyExistsWithDifferentImplementation: the Factory {factory} runs {current}, the configuration expects {implementation}"
            )));
        }
        Ok(())
    }

    fn units(&mut self, side: Side, contracts: &[&str]) -> Result<(), Error> {
        for contract in contracts {
            let unit = self
                .plan
                .unit(contract, side)
                .cloned()
                .ok_or_else(|| Error::Config(format!("no {contract} in the plan")))?;
            self.unit(&unit)?;
        }
        Ok(())
    }

    fn unit(&mut self, unit: &Unit) -> Result<(), Error> {
        let side = unit.side;
        let init_code = match &unit.init_code {
            Ok(code) => code.clone(),
            Err(reason) => {
                let line = format!("{} chain: {reason}", chain_name(side));
                self.say(&format!("  ! not deployed: {line}"));
                self.skipped.push(line);
                return Ok(());
            }
        };
        let deployer = self.plan.config.deployer;
        let factory = self.plan.factory;
        let implementation = unit.implementation;
        let code = self.code(side, implementation)?;
        if code.is_empty() {
            self.send(
                side,
                &format!("deploy impl {}", unit.contract),
                deployer,
                Some(factory),
                IFactory::deployImplementationCall {
                    bytecode_: init_code.into(),
                }
                .abi_encode()
                .into(),
                ACTIVATION_BUDGET,
            )?;
        } else {
            self.reuse(
                side,
                &format!("{} implementation at {implementation}", unit.contract),
            );
        }
        let code = self.code(side, implementation)?;
        if keccak256(&code) != unit.code_hash {
            return Err(Error::Chain(format!(
                "the code at {implementation} is not the built {} (predicted implementation address)",
                unit.contract
            )));
        }
        self.ensure_active(side, &format!("activate {}", unit.contract), implementation)?;
        let Some(proxy) = &unit.proxy else {
            return Ok(());
        };
        if self.code(side, proxy.address)?.is_empty() {
            self.transact(
                side,
                &format!("deploy proxy {}", unit.contract),
                deployer,
                factory,
                &IFactory::deployProxyCall {
                    implementation_: implementation,
                    salt_: salt(&proxy.salt),
                    initializeCallData_: proxy.initialize.clone(),
                },
            )?;
        } else {
            self.reuse(
                side,
                &format!("{} proxy at {}", unit.contract, proxy.address),
            );
        }
        let current = self.view(side, proxy.address, &IFactory::implementationCall {})?;
        if current != implementation {
            return Err(Error::Chain(format!(
                "ProxyExistsWithDifferentImplementation: the {} proxy {} runs {current}, expected {implementation} (upgrade it with `xmtp upgrade`)",
                unit.contract, proxy.address
            )));
        }
        Ok(())
    }

    /// A registry administrator this backend can sign for.
    pub fn admin(&self) -> Result<Address, Error> {
        let signers = self.backend.signers();
        self.plan
            .admins
            .iter()
            .copied()
            .find(|admin| signers.contains(admin))
            .ok_or_else(|| {
                Error::Chain(format!(
                    "no key for a settlement registry administrator ({}): give an admin's private key",
                    self.plan
                        .admins
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })
    }

    /// Sets `(key, value)` pairs on the settlement registry, those that differ only.
    pub fn set_parameters(
        &mut self,
        label: &str,
        parameters: &[(String, B256)],
    ) -> Result<usize, Error> {
        let registry = self.plan.parameter_registry;
        let keys: Vec<String> = parameters.iter().map(|(k, _)| k.clone()).collect();
        let current = self.view(
            Side::Settlement,
            registry,
            &IParameterRegistry::get_1Call { keys_: keys },
        )?;
        let (keys, values): (Vec<String>, Vec<B256>) = parameters
            .iter()
            .zip(current)
            .filter(|((_, wanted), now)| wanted != now)
            .map(|((key, wanted), _)| (key.clone(), *wanted))
            .unzip();
        if keys.is_empty() {
            self.reuse(
                Side::Settlement,
                &format!("{label}: all {} already set", parameters.len()),
            );
            return Ok(0);
        }
        let admin = self.admin()?;
        let count = keys.len();
        self.transact(
            Side::Settlement,
            &format!("{label} ({count} keys)"),
            admin,
            registry,
            &IParameterRegistry::set_1Call {
                keys_: keys,
                values_: values,
            },
        )?;
        Ok(count)
    }

    fn starting_parameters(&mut self) -> Result<(), Error> {
        let parameters = self.plan.config.starting_parameters()?;
        self.set_parameters("set starting parameters", &parameters)?;
        Ok(())
    }

    /// The `update…()` calls of every deployed proxy on `side`: each simulated first, skipped
    /// when the contract answers `NoChange()` (already up to date).
    pub fn updates(&mut self, side: Side) -> Result<(), Error> {
        let no_change = selector("NoChange()");
        let deployer = self.plan.config.deployer;
        let units: Vec<Unit> = self
            .plan
            .units
            .iter()
            .filter(|unit| unit.side == side && unit.init_code.is_ok() && unit.proxy.is_some())
            .cloned()
            .collect();
        for unit in units {
            let to = unit.address();
            for update in &unit.updates {
                let label = format!("{}.{}", unit.contract, update.signature);
                if let Some((view, key)) = &update.mirrors {
                    let current = self.backend.call(side, deployer, to, view.clone())?;
                    let wanted = self.view(
                        side,
                        self.plan.parameter_registry,
                        &IParameterRegistry::get_0Call { key_: key.clone() },
                    )?;
                    if current.as_ref().ok().map(AsRef::as_ref) == Some(wanted.as_slice()) {
                        self.reuse(side, &format!("{label}: up to date"));
                        continue;
                    }
                }
                match self.backend.call(side, deployer, to, update.data.clone())? {
                    Ok(_) => {
                        self.send(
                            side,
                            &label,
                            deployer,
                            Some(to),
                            update.data.clone(),
                            U256::ZERO,
                        )?;
                    }
                    Err(revert) if revert.starts_with(&no_change) => {
                        self.reuse(side, &format!("{label}: up to date"));
                    }
                    Err(revert) => {
                        return Err(Error::Chain(format!(
                            "{label} would revert: {}",
                            backend::describe_revert(&revert)
                        )))
                    }
                }
            }
        }
        Ok(())
    }

    /// Sends `keys` (their settlement-registry values) to the app chain through the gateways,
    /// paying in the underlying token, then waits until the app registry has them. Keys whose
    /// app-chain value is already the settlement one are not sent.
    pub fn bridge(&mut self, keys: &[String]) -> Result<(), Error> {
        if keys.is_empty() {
            return Ok(());
        }
        let registry = self.plan.parameter_registry;
        let wanted = self.view(
            Side::Settlement,
            registry,
            &IParameterRegistry::get_1Call {
                keys_: keys.to_vec(),
            },
        )?;
        let on_app = self.view(
            Side::App,
            registry,
            &IParameterRegistry::get_1Call {
                keys_: keys.to_vec(),
            },
        )?;
        let pending: Vec<String> = keys
            .iter()
            .zip(wanted.iter().zip(&on_app))
            .filter(|(_, (w, a))| w != a)
            .map(|(key, _)| key.clone())
            .collect();
        if pending.is_empty() {
            self.reuse(
                Side::App,
                &format!("{} bridged parameters already on the app chain", keys.len()),
            );
            return Ok(());
        }
        let deployer = self.plan.config.deployer;
        let underlying = self.plan.config.underlying_fee_token;
        let gateway = self.plan.gateway;
        let gas_limit = bridge_gas_limit(pending.len());
        let cost = bridge_cost(gas_limit);
        let balance = self.view(
            Side::Settlement,
            underlying,
            &IFeeToken::balanceOfCall { account: deployer },
        )?;
        if balance < cost {
            // Test networks' underlying tokens mint to anyone; on a real one this reverts and
            // the message says the deployer needs tokens.
            self.transact(
                Side::Settlement,
                "mint underlying for the bridge fee",
                deployer,
                underlying,
                &IMockUnderlyingFeeToken::mintCall {
                    to_: deployer,
                    amount_: cost - balance,
                },
            )
            .map_err(|e| {
                Error::Chain(format!(
                    "the deployer holds {balance} of the underlying token and the tickets cost {cost}: {e}"
                ))
            })?;
        }
        self.transact(
            Side::Settlement,
            "approve the gateway for the bridge fee",
            deployer,
            underlying,
            &IFeeToken::approveCall {
                spender: gateway,
                value: cost,
            },
        )?;
        let count = pending.len();
        self.transact(
            Side::Settlement,
            &format!("SettlementChainGateway.sendParametersFromUnderlying ({count} keys)"),
            deployer,
            gateway,
            &ISettlementChainGateway::sendParametersFromUnderlyingCall {
                chainIds_: vec![U256::from(self.plan.config.app_chain_id)],
                keys_: pending.clone(),
                gasLimit_: U256::from(gas_limit),
                maxFeePerGas_: U256::from(BRIDGE_MAX_FEE_PER_GAS),
                amountToSend_: cost,
            },
        )?;
        self.wait_for_app_chain(keys, &wanted)
    }

    fn wait_for_app_chain(&mut self, keys: &[String], wanted: &[B256]) -> Result<(), Error> {
        let started = Instant::now();
        loop {
            self.backend.relay()?;
            let on_app = self.view(
                Side::App,
                self.plan.parameter_registry,
                &IParameterRegistry::get_1Call {
                    keys_: keys.to_vec(),
                },
            )?;
            if on_app == wanted {
                self.say(&format!(
                    "  ✓ {} parameters arrived on the app chain",
                    keys.len()
                ));
                return Ok(());
            }
            if started.elapsed() > BRIDGE_TIMEOUT {
                let missing: Vec<&str> = keys
                    .iter()
                    .zip(wanted.iter().zip(&on_app))
                    .filter(|(_, (w, a))| w != a)
                    .map(|(key, _)| key.as_str())
                    .collect();
                return Err(Error::Chain(format!(
                    "bridged parameters did not arrive on the app chain within {}s: {}",
                    BRIDGE_TIMEOUT.as_secs(),
                    missing.join(", ")
                )));
            }
            std::thread::sleep(Duration::from_millis(500));
        }
    }
}

/// A devnet ready for [`Config::devnet`]'s deployment: its inbox escrows the predicted `FeeToken`
/// proxy, and the devnet's open-mint 6-decimal token stands in for the underlying stablecoin at
/// the configured address.
pub fn devnet_for(plan: &Plan, mut config: DevnetConfig) -> Result<Devnet, Error> {
    config.settlement_chain_id = plan.config.settlement_chain_id;
    config.app_chain_id = plan.config.app_chain_id;
    config.fee_token = Some(plan.fee_token);
    config.fee_token_decimals = 6;
    let mut devnet =
        Devnet::new(config).map_err(|e| Error::Chain(format!("devnet: {}", e.message)))?;
    install_underlying(&mut devnet, plan.config.underlying_fee_token);
    Ok(devnet)
}

/// Puts the devnet's open-mint 6-decimal token at `at` on the settlement chain.
pub fn install_underlying(devnet: &mut Devnet, at: Address) {
    devnet
        .settlement
        .chain_mut()
        .set_code(at, xmtp_devnet_node::contracts::dev_token_code(6).into());
}

/// Where devnet configurations put the underlying stand-in.
pub const DEVNET_UNDERLYING: Address = Address::new([
    0xde, 0x7e, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x03,
]);

/// The configuration of a devnet deployment: dev account 0 deploys, dev account 1 administers,
/// the reference's salts and starting parameters, the devnet's inbox, the payer registry's
/// settler and fee distributor set to the predicted `PayerReportManager` and `DistributionManager`
/// proxies (as on the reference's networks).
pub fn devnet_config(
    programs: &Programs,
    settlement_chain_id: u64,
    app_chain_id: u64,
) -> Result<Config, Error> {
    devnet_config_with(
        programs,
        settlement_chain_id,
        app_chain_id,
        ProxyKind::Stylus,
    )
}

/// [`devnet_config`] with `proxy` in front of every implementation (the settler and fee
/// distributor predicted behind that kind of proxy).
pub fn devnet_config_with(
    programs: &Programs,
    settlement_chain_id: u64,
    app_chain_id: u64,
    proxy: ProxyKind,
) -> Result<Config, Error> {
    let account = |i: usize| -> Address {
        xmtp_devnet_node::devnet::DEV_KEYS[i]
            .parse::<alloy::signers::local::PrivateKeySigner>()
            .expect("the dev keys are valid")
            .address()
    };
    let mut config = Config::devnet(
        settlement_chain_id,
        app_chain_id,
        account(0),
        account(1),
        DEVNET_UNDERLYING,
        xmtp_devnet_node::contracts::INBOX,
    );
    config.proxy = proxy;
    let plan = Plan::new(&config, programs)?;
    let proxy = |contract: &str| plan.find(contract).map(Unit::address).unwrap_or_default();
    let registry = &mut config.starting_parameters["xmtp"]["payerRegistry"];
    registry["settler"] = proxy("PayerReportManager").to_string().into();
    registry["feeDistributor"] = proxy("DistributionManager").to_string().into();
    Ok(config)
}
