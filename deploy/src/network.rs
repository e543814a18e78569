//! Deploying the network on devnet chains, the way the reference's scripts deploy it, with every
//! address predicted before anything is sent and checked after.
//!
//! [`Programs`] builds the program crates once and turns them into wired init code;
//! [`Operator`] sends transactions from one account on one chain and keeps a ledger of what each
//! step cost; [`deploy_base`] lays down what every chain has (Factory, its Initializable, the
//! parameter registry).

use std::collections::BTreeMap;

use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use alloy_sol_types::{SolCall, SolValue};
use xmtp_abi::{factory::IFactory, parameter_registry::IParameterRegistry};
use xmtp_devnet::{Chain, Receipt, Tx};

use crate::{pipeline, Artifact, Error, Options, Workspace};

/// Raw wasm of the built programs, by crate name.
#[derive(Debug, Clone)]
pub struct Programs {
    raw: BTreeMap<String, Vec<u8>>,
}

impl Programs {
    /// Builds the named program crates (all of them when `crates` is empty) in one cargo run.
    pub fn build(workspace: &Workspace, crates: &[&str]) -> Result<Self, Error> {
        let programs = workspace
            .programs
            .iter()
            .filter(|program| crates.is_empty() || crates.contains(&program.crate_name.as_str()))
            .cloned()
            .collect();
        let subset = Workspace {
            programs,
            ..workspace.clone()
        };
        let paths = pipeline::build_programs(&subset)?;
        let raw = subset
            .programs
            .iter()
            .zip(paths)
            .map(|(program, path)| {
                let wasm = std::fs::read(&path).map_err(|e| Error::io(&path, &e))?;
                Ok((program.crate_name.clone(), wasm))
            })
            .collect::<Result<_, Error>>()?;
        Ok(Self { raw })
    }

    /// The program through the pipeline with `wiring` written into it.
    pub fn artifact(
        &self,
        crate_name: &str,
        wiring: &[(&str, Address)],
    ) -> Result<Artifact, Error> {
        self.release(crate_name, wiring, None)
    }

    /// [`Self::artifact`] carrying a `project_hash` section, as cargo-stylus marks a build of a
    /// given source tree: a different hash makes different code (a new codehash to activate).
    pub fn release(
        &self,
        crate_name: &str,
        wiring: &[(&str, Address)],
        project_hash: Option<[u8; 32]>,
    ) -> Result<Artifact, Error> {
        let words: Vec<(&str, [u8; 32])> = wiring
            .iter()
            .map(|(name, address)| (*name, address.into_word().0))
            .collect();
        self.wired(crate_name, &words, project_hash)
    }

    /// [`Self::release`] with wiring given as ABI words (addresses and numbers alike).
    pub fn wired(
        &self,
        crate_name: &str,
        wiring: &[(&str, [u8; 32])],
        project_hash: Option<[u8; 32]>,
    ) -> Result<Artifact, Error> {
        let raw = self
            .raw
            .get(crate_name)
            .ok_or_else(|| Error::UnknownProgram(format!("{crate_name} was not built")))?;
        let options = Options {
            wiring: (!wiring.is_empty()).then_some(wiring),
            project_hash,
        };
        pipeline::process(raw, &options).map_err(|error| Error::Program {
            program: crate_name.to_owned(),
            error: Box::new(error),
        })
    }
}

/// One transaction of a deployment or a scenario, for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Chain id it ran on.
    pub chain_id: u64,
    /// What it did.
    pub label: String,
    /// Receipt gas (intrinsic gas and refunds included).
    pub gas_used: u64,
}

/// Sends transactions from one account on one chain and records each step.
#[derive(Debug)]
pub struct Operator<'a> {
    /// The chain.
    pub chain: &'a mut Chain,
    /// The sending account.
    pub from: Address,
    /// Every transaction sent so far.
    pub steps: Vec<Step>,
}

/// Value sent with each activation: far above any data fee; ArbWasm refunds the excess.
pub const ACTIVATION_BUDGET: U256 = U256::from_limbs([1_000_000_000_000_000_000, 0, 0, 0]);

impl<'a> Operator<'a> {
    /// An operator for `from` on `chain`.
    pub fn new(chain: &'a mut Chain, from: Address) -> Self {
        Self {
            chain,
            from,
            steps: Vec::new(),
        }
    }

    /// Sends `tx` and requires success; records it as `label`.
    pub fn send(&mut self, label: &str, tx: &Tx) -> Result<Receipt, Error> {
        let receipt = self
            .chain
            .send(tx)
            .map_err(|e| Error::Chain(format!("{label}: {e}")))?;
        if !receipt.status {
            return Err(Error::Chain(format!(
                "{label} reverted with 0x{}{}",
                alloy_primitives::hex::encode(&receipt.output),
                receipt
                    .activation_error
                    .as_deref()
                    .map(|e| format!(" ({e})"))
                    .unwrap_or_default()
            )));
        }
        self.steps.push(Step {
            chain_id: self.chain.chain_id(),
            label: label.to_owned(),
            gas_used: receipt.gas_used,
        });
        Ok(receipt)
    }

    /// Calls `call` on `to` (with `value`) and decodes its return value.
    pub fn transact<C: SolCall>(
        &mut self,
        label: &str,
        to: Address,
        call: &C,
        value: U256,
    ) -> Result<C::Return, Error> {
        let receipt = self.send(
            label,
            &Tx::call(self.from, to, call.abi_encode()).value(value),
        )?;
        C::abi_decode_returns(&receipt.output)
            .map_err(|e| Error::Chain(format!("{label}: undecodable return: {e}")))
    }

    /// `eth_call` of a view.
    pub fn view<C: SolCall>(&mut self, to: Address, call: &C) -> Result<C::Return, Error> {
        let receipt = self
            .chain
            .call(&Tx::call(self.from, to, call.abi_encode()))
            .map_err(|e| Error::Chain(e.to_string()))?;
        if !receipt.status {
            return Err(Error::Chain(format!(
                "view on {to} reverted with 0x{}",
                alloy_primitives::hex::encode(&receipt.output)
            )));
        }
        C::abi_decode_returns(&receipt.output)
            .map_err(|e| Error::Chain(format!("undecodable view return: {e}")))
    }

    /// CREATEs `init_code` and checks the address is `expected`.
    pub fn create(
        &mut self,
        label: &str,
        init_code: &[u8],
        expected: Address,
    ) -> Result<Address, Error> {
        let receipt = self.send(label, &Tx::deploy(self.from, init_code.to_vec()))?;
        check_address(label, receipt.created.unwrap_or_default(), expected)
    }

    /// Activates the Stylus code at `program` through ArbWasm (already-active code is fine).
    pub fn activate(&mut self, label: &str, program: Address) -> Result<(), Error> {
        let receipt = self
            .chain
            .activate(self.from, program, ACTIVATION_BUDGET)
            .map_err(|e| Error::Chain(e.to_string()))?;
        // `ProgramUpToDate()`: the codehash is active already (activation is per codehash).
        let up_to_date = receipt.output.as_ref() == xmtp_devnet::arb::selector("ProgramUpToDate()");
        if receipt.status || up_to_date {
            if receipt.status {
                self.steps.push(Step {
                    chain_id: self.chain.chain_id(),
                    label: label.to_owned(),
                    gas_used: receipt.gas_used,
                });
            }
            return Ok(());
        }
        Err(Error::Chain(format!(
            "{label}: activation failed: {}",
            receipt
                .activation_error
                .unwrap_or_else(|| alloy_primitives::hex::encode(&receipt.output))
        )))
    }
}

fn check_address(label: &str, actual: Address, expected: Address) -> Result<Address, Error> {
    if actual != expected {
        return Err(Error::Chain(format!(
            "{label}: deployed at {actual}, predicted {expected}"
        )));
    }
    Ok(actual)
}

/// A user salt as the reference's config strings become salts: the bytes, left-aligned.
///
/// # Panics
/// When `salt` is longer than 32 bytes (the reference rejects those too).
#[must_use]
pub fn salt(salt: &str) -> B256 {
    assert!(salt.len() <= 32, "salt {salt} is longer than 32 bytes");
    let mut word = [0u8; 32];
    word[..salt.len()].copy_from_slice(salt.as_bytes());
    B256::from(word)
}

/// Where `Factory.deployProxy` called by `caller` with `salt` puts its proxy.
#[must_use]
pub fn proxy_address(
    factory: Address,
    initializable: Address,
    proxy_code: &[u8],
    caller: Address,
    salt: B256,
) -> Address {
    let creation = [
        xmtp_proxy::creation_code(proxy_code),
        initializable.into_word().to_vec(),
    ]
    .concat();
    factory.create2(keccak256((caller, salt).abi_encode()), keccak256(creation))
}

/// What [`deploy_base`] deployed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Base {
    /// Factory proxy (the same on every chain deployed from the same account and nonce).
    pub factory: Address,
    /// Factory implementation.
    pub factory_implementation: Address,
    /// The Factory's Initializable.
    pub initializable: Address,
    /// Parameter registry implementation.
    pub parameter_registry_implementation: Address,
    /// Parameter registry proxy.
    pub parameter_registry: Address,
}

/// Salt of the parameter registry proxy (reference config `ParameterRegistry_0`).
pub const PARAMETER_REGISTRY_SALT: &str = "ParameterRegistry_0";

/// Deploys what every chain has, in the reference's order: the Factory proxy and implementation
/// (CREATE by the operator), `initialize()`, then the parameter registry (`registry_crate`)
/// through the Factory, initialized with `admins`. Stylus code is activated as it appears.
pub fn deploy_base(
    op: &mut Operator<'_>,
    programs: &Programs,
    registry_crate: &str,
    admins: &[Address],
) -> Result<Base, Error> {
    let nonce = op.chain.nonce(op.from);
    let factory = op.from.create(nonce);
    let factory_implementation = op.from.create(nonce + 1);
    let initializable = factory.create(1);
    let proxy_code = programs.artifact("xmtp-proxy", &[])?.code;
    let parameter_registry = proxy_address(
        factory,
        initializable,
        &proxy_code,
        op.from,
        salt(PARAMETER_REGISTRY_SALT),
    );

    let creation = [
        xmtp_proxy::creation_code(&proxy_code),
        factory_implementation.into_word().to_vec(),
    ]
    .concat();
    op.create("deploy Factory proxy", &creation, factory)?;
    let factory_artifact =
        programs.artifact("xmtp-factory", &[("parameterRegistry", parameter_registry)])?;
    op.create(
        "deploy Factory implementation",
        &factory_artifact.init_code,
        factory_implementation,
    )?;
    op.activate("activate Proxy code", factory)?;
    op.activate("activate Factory implementation", factory_implementation)?;
    op.transact(
        "Factory.initialize",
        factory,
        &IFactory::initializeCall {},
        U256::ZERO,
    )?;
    op.activate("activate Initializable", initializable)?;

    let registry_artifact = programs.artifact(registry_crate, &[])?;
    let parameter_registry_implementation = deploy_implementation(
        op,
        factory,
        &format!("deploy impl {registry_crate}"),
        &registry_artifact.init_code,
    )?;
    let initialize = IParameterRegistry::initializeCall {
        admins_: admins.to_vec(),
    }
    .abi_encode();
    let deployed = op.transact(
        &format!("deploy proxy {registry_crate}"),
        factory,
        &IFactory::deployProxyCall {
            implementation_: parameter_registry_implementation,
            salt_: salt(PARAMETER_REGISTRY_SALT),
            initializeCallData_: Bytes::from(initialize),
        },
        U256::ZERO,
    )?;
    check_address("parameter registry proxy", deployed, parameter_registry)?;
    Ok(Base {
        factory,
        factory_implementation,
        initializable,
        parameter_registry_implementation,
        parameter_registry,
    })
}

/// `Factory.deployImplementation` (with the activation budget) at its predicted address.
pub fn deploy_implementation(
    op: &mut Operator<'_>,
    factory: Address,
    label: &str,
    init_code: &[u8],
) -> Result<Address, Error> {
    let expected = factory.create2(keccak256(init_code), keccak256(init_code));
    let call = IFactory::deployImplementationCall {
        bytecode_: init_code.to_vec().into(),
    };
    let deployed = op.transact(label, factory, &call, ACTIVATION_BUDGET)?;
    check_address(label, deployed, expected)
}
