//! Administration of a deployed network: checking it against its configuration, typed
//! parameters, and upgrades through a migrator with a snapshot of public state.

use alloy_json_abi::{Function, StateMutability};
use alloy_primitives::{hex, keccak256, Address, Bytes, B256, U256};
use alloy_sol_types::SolCall;
use xmtp_abi::node_registry::{INodeRegistry, NodeWithId};
use xmtp_abi::{
    factory::IFactory, identified::IIdentified, parameter_registry::IParameterRegistry,
};
use xmtp_devnet_node::Side;

use super::{chain_name, Deployer, Unit};
use crate::network::Programs;
use crate::Error;

/// One verified fact of a deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// What was checked.
    pub what: String,
    /// `None` when it holds, else why not.
    pub failure: Option<String>,
}

impl Check {
    fn new(what: String, failure: Option<String>) -> Self {
        Self { what, failure }
    }
}

/// How a parameter value is typed on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParameterType {
    /// A 20-byte address.
    Address,
    /// An unsigned integer (decimal or `0x` hex), at most 256 bits.
    Uint,
    /// `true` or `false`.
    Bool,
    /// A raw 32-byte word.
    Bytes32,
}

impl std::str::FromStr for ParameterType {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "address" => Ok(Self::Address),
            "uint" | "uint256" => Ok(Self::Uint),
            "bool" => Ok(Self::Bool),
            "bytes32" => Ok(Self::Bytes32),
            other => Err(format!(
                "unknown type {other} (address, uint, bool or bytes32)"
            )),
        }
    }
}

impl ParameterType {
    /// Encodes `text` as the registry's word, refusing what does not fit the type.
    pub fn encode(self, text: &str) -> Result<B256, Error> {
        let bad = |why: String| Error::Config(format!("{text:?} is not a valid {self:?}: {why}"));
        match self {
            Self::Address => text
                .parse::<Address>()
                .map(|address| address.into_word())
                .map_err(|e| bad(e.to_string())),
            Self::Uint => {
                let parsed = match text.strip_prefix("0x") {
                    Some(hex) => U256::from_str_radix(hex, 16),
                    None => U256::from_str_radix(text, 10),
                };
                parsed.map(B256::from).map_err(|e| bad(e.to_string()))
            }
            Self::Bool => match text {
                "true" => Ok(B256::from(U256::from(1u8))),
                "false" => Ok(B256::ZERO),
                _ => Err(bad("expected true or false".into())),
            },
            Self::Bytes32 => text.parse::<B256>().map_err(|e| bad(e.to_string())),
        }
    }

    /// Shows a registry word as this type; a word out of the type's bounds is shown raw with
    /// a note (the contracts refuse such values with `ParameterOutOfTypeBounds`).
    pub fn show(self, word: B256) -> String {
        let value = U256::from_be_bytes(word.0);
        match self {
            Self::Address if value < (U256::from(1u8) << 160) => {
                Address::from_word(word).to_checksum(None)
            }
            Self::Uint => value.to_string(),
            Self::Bool if value <= U256::from(1u8) => (value == U256::from(1u8)).to_string(),
            Self::Bytes32 => word.to_string(),
            _ => format!("{word} (out of {self:?} bounds)"),
        }
    }
}

impl Deployer<'_> {
    /// Reads keys from a chain's parameter registry.
    pub fn get_parameters(&mut self, side: Side, keys: &[String]) -> Result<Vec<B256>, Error> {
        let registry = self.plan.parameter_registry;
        self.view(
            side,
            registry,
            &IParameterRegistry::get_1Call {
                keys_: keys.to_vec(),
            },
        )
    }

    /// Verifies the deployment against the plan: code hashes and activation, proxies and
    /// their implementations, versions, wiring, the Factory, and every starting parameter on
    /// both chains.
    pub fn check(&mut self) -> Result<Vec<Check>, Error> {
        let mut checks = Vec::new();
        for side in [Side::Settlement, Side::App] {
            let chain = chain_name(side);
            let (factory, implementation) = (self.plan.factory, self.plan.factory_implementation);
            let code = self.code(side, implementation)?;
            checks.push(Check::new(
                format!("{chain}: Factory implementation {implementation} has the built code"),
                (keccak256(&code) != self.plan.factory_code_hash)
                    .then(|| format!("code hash {}", keccak256(&code))),
            ));
            let behind = self.view(side, factory, &IFactory::implementationCall {});
            checks.push(Check::new(
                format!("{chain}: Factory {factory} runs {implementation}"),
                match behind {
                    Ok(actual) if actual == implementation => None,
                    Ok(actual) => Some(format!("it runs {actual}")),
                    Err(e) => Some(e.to_string()),
                },
            ));
            // An EVM proxy (`"proxy": "evm"`) is plain EVM code, never activated.
            let stylus_proxy = self.plan.config.proxy.is_stylus();
            for (what, program) in [
                ("Proxy code", factory),
                ("Factory implementation", implementation),
                ("Initializable", self.plan.initializable),
            ]
            .into_iter()
            .filter(|(what, _)| stylus_proxy || *what != "Proxy code")
            {
                let active = self.is_active(side, program)?;
                checks.push(Check::new(
                    format!("{chain}: {what} {program} is activated"),
                    (!active).then(|| "ArbWasm: not activated".to_owned()),
                ));
            }
        }
        let units: Vec<Unit> = self.plan.units.clone();
        for unit in &units {
            self.check_unit(unit, &mut checks)?;
        }
        let parameters = self.plan.config.starting_parameters()?;
        let keys: Vec<String> = parameters.iter().map(|(k, _)| k.clone()).collect();
        let on_settlement = self.get_parameters(Side::Settlement, &keys)?;
        for ((key, wanted), actual) in parameters.iter().zip(&on_settlement) {
            checks.push(Check::new(
                format!("settlement: parameter {key}"),
                (wanted != actual).then(|| format!("is {actual}, configured {wanted}")),
            ));
        }
        let bridged: Vec<(String, B256)> = keys
            .iter()
            .zip(&on_settlement)
            .filter(|(key, _)| super::is_app_chain_parameter(key))
            .map(|(key, value)| (key.clone(), *value))
            .collect();
        let bridged_keys: Vec<String> = bridged.iter().map(|(k, _)| k.clone()).collect();
        let on_app = self.get_parameters(Side::App, &bridged_keys)?;
        for ((key, wanted), actual) in bridged.iter().zip(&on_app) {
            checks.push(Check::new(
                format!("app: parameter {key} bridged"),
                (wanted != actual).then(|| format!("is {actual}, settlement has {wanted}")),
            ));
        }
        Ok(checks)
    }

    fn check_unit(&mut self, unit: &Unit, checks: &mut Vec<Check>) -> Result<(), Error> {
        let side = unit.side;
        let chain = chain_name(side);
        if let Err(reason) = &unit.init_code {
            checks.push(Check::new(
                format!("{chain}: {} not deployed ({reason})", unit.contract),
                None,
            ));
            return Ok(());
        }
        let implementation = unit.implementation;
        let code = self.code(side, implementation)?;
        checks.push(Check::new(
            format!(
                "{chain}: {} implementation {implementation} has the built code and wiring",
                unit.contract
            ),
            (keccak256(&code) != unit.code_hash).then(|| {
                if code.is_empty() {
                    "no code".to_owned()
                } else {
                    format!("code hash {}", keccak256(&code))
                }
            }),
        ));
        let active = self.is_active(side, implementation)?;
        checks.push(Check::new(
            format!("{chain}: {} implementation is activated", unit.contract),
            (!active).then(|| "ArbWasm: not activated".to_owned()),
        ));
        let address = unit.address();
        if let Some(proxy) = &unit.proxy {
            let proxy_code = self.code(side, proxy.address)?;
            checks.push(Check::new(
                format!(
                    "{chain}: {}'s proxy {} has the {:?} proxy's code",
                    unit.contract, proxy.address, self.plan.config.proxy
                ),
                (proxy_code.as_ref() != self.plan.proxy_code.as_slice())
                    .then(|| format!("code hash {}", keccak256(&proxy_code))),
            ));
            let behind = self.view(side, proxy.address, &IFactory::implementationCall {});
            checks.push(Check::new(
                format!(
                    "{chain}: {} proxy {} runs {implementation}",
                    unit.contract, proxy.address
                ),
                match behind {
                    Ok(actual) if actual == implementation => None,
                    Ok(actual) => Some(format!("it runs {actual}")),
                    Err(e) => Some(e.to_string()),
                },
            ));
        }
        if unit.contract != "DepositSplitter" {
            let name = self.view(side, address, &IIdentified::contractNameCall {});
            let version = self.view(side, address, &IIdentified::versionCall {});
            checks.push(Check::new(
                format!(
                    "{chain}: {} answers contractName and version",
                    unit.contract
                ),
                match (name, version) {
                    (Ok(name), Ok(version)) if name == unit.contract => {
                        let _ = version;
                        None
                    }
                    (Ok(name), Ok(_)) => Some(format!("contractName() is {name}")),
                    (Err(e), _) | (_, Err(e)) => Some(e.to_string()),
                },
            ));
        }
        // Wiring is part of the code hash checked above; the getters say it to a reader too.
        for (getter, value) in unit
            .wiring
            .iter()
            .filter(|(slot, _)| matches!(*slot, "parameterRegistry" | "appChainGateway"))
        {
            let data = Bytes::from(xmtp_devnet::arb::selector(&format!("{getter}()")).to_vec());
            let from = self.plan.config.deployer;
            let answer = self.backend.call(side, from, address, data)?;
            checks.push(Check::new(
                format!(
                    "{chain}: {}.{getter}() is {}",
                    unit.contract,
                    Address::from_word(*value)
                ),
                match answer {
                    Ok(word) if word.as_ref() == value.as_slice() => None,
                    Ok(word) => Some(format!("it is 0x{}", hex::encode(word))),
                    Err(data) => Some(super::backend::describe_revert(&data)),
                },
            ));
        }
        Ok(())
    }

    /// Every public view without arguments of a contract, called on `at`: the state an
    /// upgrade must keep (the implementation pointer left out).
    pub fn snapshot(
        &mut self,
        side: Side,
        contract: &str,
        at: Address,
    ) -> Result<Vec<(String, String)>, Error> {
        let all = xmtp_abi::contracts::all();
        let abi = all
            .iter()
            .find(|(name, _)| *name == contract)
            .map(|(_, abi)| abi)
            .ok_or_else(|| Error::Config(format!("no ABI for {contract}")))?;
        let views: Vec<&Function> = abi
            .functions()
            .filter(|f| {
                f.inputs.is_empty()
                    && matches!(
                        f.state_mutability,
                        StateMutability::View | StateMutability::Pure
                    )
                    && f.name != "implementation"
            })
            .collect();
        let mut out = Vec::new();
        let from = self.plan.config.deployer;
        for function in views {
            let answer =
                self.backend
                    .call(side, from, at, Bytes::from(function.selector().to_vec()))?;
            let shown = match answer {
                Ok(data) => format!("0x{}", hex::encode(data)),
                Err(data) => format!("reverts {}", super::backend::describe_revert(&data)),
            };
            out.push((function.signature(), shown));
        }
        Ok(out)
    }

    // The reference upgrader's steps in order, each checked; splitting them hides the order.
    #[allow(clippy::too_many_lines)]
    /// Upgrades `contract`'s proxy to a new release of its program (same wiring, the release
    /// tag as the `project_hash`), as the reference's upgraders do: new implementation
    /// (activated), a `GenericEIP1967Migrator` to it, the migrator parameter set (and bridged
    /// for an app-chain contract), `migrate()`, the implementation confirmed and the public
    /// state compared.
    pub fn upgrade(
        &mut self,
        programs: &Programs,
        contract: &str,
        release: &str,
    ) -> Result<Upgrade, Error> {
        let unit = self
            .plan
            .find(contract)
            .cloned()
            .ok_or_else(|| Error::Config(format!("unknown contract {contract}")))?;
        let proxy = unit
            .proxy
            .clone()
            .ok_or_else(|| Error::Config(format!("{contract} is not behind a proxy")))?;
        let side = unit.side;
        let from = self.backend.call(
            side,
            self.plan.config.deployer,
            proxy.address,
            Bytes::from(xmtp_devnet::arb::selector("implementation()").to_vec()),
        )?;
        let old = match from {
            Ok(word) if word.len() == 32 => Address::from_word(B256::from_slice(&word)),
            _ => {
                return Err(Error::Chain(format!(
                    "{contract} proxy {} is not deployed",
                    proxy.address
                )))
            }
        };
        let words: Vec<(&str, [u8; 32])> = unit.wiring.iter().map(|(n, w)| (*n, w.0)).collect();
        let artifact = programs.wired(unit.crate_name, &words, Some(keccak256(release).0))?;
        let new = super::plan::implementation_address(self.plan.factory, &artifact.init_code);
        if new == old {
            return Err(Error::Config(format!(
                "{contract} already runs release {release} ({new})"
            )));
        }
        let before = self.snapshot(side, contract, proxy.address)?;
        let deployer = self.plan.config.deployer;
        let factory = self.plan.factory;
        if self.code(side, new)?.is_empty() {
            self.transact_value(
                side,
                &format!("deploy impl {contract} {release}"),
                deployer,
                factory,
                &IFactory::deployImplementationCall {
                    bytecode_: artifact.init_code.clone().into(),
                },
            )?;
        }
        let migrator_code = programs
            .artifact("xmtp-generic-eip1967-migrator", &[("newImpl", new)])?
            .init_code;
        let migrator = super::plan::implementation_address(factory, &migrator_code);
        if self.code(side, migrator)?.is_empty() {
            self.transact_value(
                side,
                "deploy impl GenericEIP1967Migrator",
                deployer,
                factory,
                &IFactory::deployImplementationCall {
                    bytecode_: migrator_code.into(),
                },
            )?;
        }
        let key: String = {
            let data = Bytes::from(xmtp_devnet::arb::selector("migratorParameterKey()").to_vec());
            match self.backend.call(side, deployer, proxy.address, data)? {
                Ok(output) => {
                    <alloy_sol_types::sol_data::String as alloy_sol_types::SolType>::abi_decode(
                        &output,
                    )
                    .map_err(|e| Error::Chain(format!("migratorParameterKey(): {e}")))?
                }
                Err(data) => {
                    return Err(Error::Chain(format!(
                        "migratorParameterKey() reverted: {}",
                        super::backend::describe_revert(&data)
                    )))
                }
            }
        };
        self.set_parameters(
            &format!("set {key}"),
            &[(key.clone(), migrator.into_word())],
        )?;
        if side == Side::App {
            self.bridge(std::slice::from_ref(&key))?;
        }
        self.send(
            side,
            &format!("{contract}.migrate"),
            deployer,
            Some(proxy.address),
            Bytes::from(xmtp_devnet::arb::selector("migrate()").to_vec()),
            U256::ZERO,
        )?;
        let now = self.view(side, proxy.address, &IFactory::implementationCall {})?;
        if now != new {
            return Err(Error::Chain(format!(
                "{contract} proxy runs {now} after migrate(), expected {new}"
            )));
        }
        let after = self.snapshot(side, contract, proxy.address)?;
        let changed = before
            .iter()
            .zip(&after)
            .filter(|(b, a)| b != a)
            .map(|((name, b), (_, a))| (name.clone(), b.clone(), a.clone()))
            .collect();
        Ok(Upgrade {
            contract: contract.to_owned(),
            proxy: proxy.address,
            from: old,
            to: new,
            migrator,
            migrator_key: key,
            changed,
        })
    }

    fn transact_value<C: alloy_sol_types::SolCall>(
        &mut self,
        side: Side,
        label: &str,
        from: Address,
        to: Address,
        call: &C,
    ) -> Result<(), Error> {
        self.send(
            side,
            label,
            from,
            Some(to),
            call.abi_encode().into(),
            crate::network::ACTIVATION_BUDGET,
        )
        .map(|_| ())
    }
}

impl Deployer<'_> {
    fn node_registry(&self) -> Result<Address, Error> {
        self.plan
            .unit("NodeRegistry", Side::Settlement)
            .filter(|unit| unit.init_code.is_ok())
            .map(Unit::address)
            .ok_or_else(|| Error::Config("this deployment has no NodeRegistry".into()))
    }

    /// The node registry's administrator (`xmtp.nodeRegistry.admin`, pulled by `updateAdmin`),
    /// who must be one of the backend's signers.
    fn node_admin(&mut self) -> Result<Address, Error> {
        let registry = self.node_registry()?;
        let admin = self.view(Side::Settlement, registry, &INodeRegistry::adminCall {})?;
        if !self.backend.signers().contains(&admin) {
            return Err(Error::Chain(format!(
                "no key for the node registry admin {admin}: give its private key"
            )));
        }
        Ok(admin)
    }

    /// Mints a node (`addNode`); returns its id and signer, simulated first so they are known
    /// before the transaction (and without sending when `send` is false).
    pub fn add_node(
        &mut self,
        owner: Address,
        signing_public_key: Bytes,
        http_address: String,
        send: bool,
    ) -> Result<(u32, Address), Error> {
        let registry = self.node_registry()?;
        let admin = self.node_admin()?;
        let call = INodeRegistry::addNodeCall {
            owner_: owner,
            signingPublicKey_: signing_public_key,
            httpAddress_: http_address,
        };
        let added =
            match self
                .backend
                .call(Side::Settlement, admin, registry, call.abi_encode().into())?
            {
                Ok(output) => super::backend::decode::<INodeRegistry::addNodeCall>(&output)?,
                Err(data) => {
                    return Err(Error::Chain(format!(
                        "addNode would revert: {}",
                        super::backend::describe_revert(&data)
                    )))
                }
            };
        if send {
            self.transact(
                Side::Settlement,
                &format!("NodeRegistry.addNode (node {})", added.nodeId_),
                admin,
                registry,
                &call,
            )?;
        }
        Ok((added.nodeId_, added.signer_))
    }

    /// Adds a node to the canonical network, or removes it.
    pub fn set_canonical(&mut self, node_id: u32, canonical: bool) -> Result<(), Error> {
        let registry = self.node_registry()?;
        let admin = self.node_admin()?;
        if canonical {
            self.transact(
                Side::Settlement,
                &format!("NodeRegistry.addToNetwork({node_id})"),
                admin,
                registry,
                &INodeRegistry::addToNetworkCall { nodeId_: node_id },
            )?;
        } else {
            self.transact(
                Side::Settlement,
                &format!("NodeRegistry.removeFromNetwork({node_id})"),
                admin,
                registry,
                &INodeRegistry::removeFromNetworkCall { nodeId_: node_id },
            )?;
        }
        Ok(())
    }

    /// Every node with its id.
    pub fn nodes(&mut self) -> Result<Vec<NodeWithId>, Error> {
        let registry = self.node_registry()?;
        self.view(
            Side::Settlement,
            registry,
            &INodeRegistry::getAllNodesCall {},
        )
    }
}

/// What an upgrade did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upgrade {
    /// The contract.
    pub contract: String,
    /// Its proxy.
    pub proxy: Address,
    /// Implementation before.
    pub from: Address,
    /// Implementation after.
    pub to: Address,
    /// The migrator used.
    pub migrator: Address,
    /// The registry key it was set under.
    pub migrator_key: String,
    /// Public views whose answer changed: (signature, before, after).
    pub changed: Vec<(String, String, String)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_values_encode_with_their_bounds() {
        assert_eq!(
            ParameterType::Uint.encode("262144").unwrap(),
            B256::from(U256::from(262_144u64))
        );
        assert_eq!(
            ParameterType::Uint.encode("0x10").unwrap(),
            B256::from(U256::from(16u64))
        );
        assert_eq!(
            ParameterType::Bool.encode("true").unwrap(),
            B256::from(U256::from(1u8))
        );
        assert_eq!(
            ParameterType::Bool.encode("yes").unwrap_err().to_string(),
            "\"yes\" is not a valid Bool: expected true or false"
        );
        assert!(ParameterType::Address.encode("0x1234").is_err());
        let address: Address = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
            .parse()
            .unwrap();
        let word = ParameterType::Address.encode(&address.to_string()).unwrap();
        assert_eq!(ParameterType::Address.show(word), address.to_checksum(None));
        assert_eq!(
            ParameterType::Bool.show(B256::from(U256::from(2u8))),
            format!("{} (out of Bool bounds)", B256::from(U256::from(2u8)))
        );
        assert_eq!("uint".parse::<ParameterType>(), Ok(ParameterType::Uint));
        assert_eq!(
            "int".parse::<ParameterType>(),
            Err("unknown type int (address, uint, bool or bytes32)".into())
        );
    }
}
