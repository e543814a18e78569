//! The deployment's input, `config/<env>.json`, and output, `environments/<env>.json`, in the
//! reference's shapes (same keys, chain ids as decimal strings on input, numbers on output).

use std::collections::BTreeMap;
use std::path::Path;

use alloy_primitives::{Address, B256, U256};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::Error;

/// `config/<env>.json`: who deploys, the salts, the administrators, the starting parameters and
/// the chain ids. Every address the reference stores there (implementations, proxies) is
/// optional here: absent, it is predicted; present, the prediction must equal it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)] // The fields are the reference's keys; their meaning is the reference's.
pub struct Config {
    pub deployer: Address,
    #[serde(deserialize_with = "chain_id")]
    pub settlement_chain_id: u64,
    #[serde(deserialize_with = "chain_id")]
    pub app_chain_id: u64,
    pub factory: Option<Address>,
    pub factory_implementation: Option<Address>,
    pub initializable_implementation: Option<Address>,
    pub parameter_registry_proxy: Option<Address>,
    pub parameter_registry_proxy_salt: String,
    pub settlement_chain_parameter_registry_implementation: Option<Address>,
    pub app_chain_parameter_registry_implementation: Option<Address>,
    pub settlement_chain_parameter_registry_admin1: Option<Address>,
    pub settlement_chain_parameter_registry_admin2: Option<Address>,
    pub settlement_chain_parameter_registry_admin3: Option<Address>,
    pub gateway_proxy: Option<Address>,
    pub gateway_proxy_salt: String,
    pub settlement_chain_gateway_implementation: Option<Address>,
    pub app_chain_gateway_implementation: Option<Address>,
    pub fee_token_proxy: Option<Address>,
    pub fee_token_proxy_salt: String,
    pub fee_token_implementation: Option<Address>,
    pub underlying_fee_token: Address,
    pub group_message_broadcaster_implementation: Option<Address>,
    pub group_message_broadcaster_proxy: Option<Address>,
    pub group_message_broadcaster_proxy_salt: String,
    pub identity_update_broadcaster_implementation: Option<Address>,
    pub identity_update_broadcaster_proxy: Option<Address>,
    pub identity_update_broadcaster_proxy_salt: String,
    pub node_registry_implementation: Option<Address>,
    pub node_registry_proxy: Option<Address>,
    pub node_registry_proxy_salt: String,
    pub payer_registry_implementation: Option<Address>,
    pub payer_registry_proxy: Option<Address>,
    pub payer_registry_proxy_salt: String,
    pub rate_registry_implementation: Option<Address>,
    pub rate_registry_proxy: Option<Address>,
    pub rate_registry_proxy_salt: String,
    pub payer_report_manager_implementation: Option<Address>,
    pub payer_report_manager_proxy: Option<Address>,
    pub payer_report_manager_proxy_salt: String,
    pub distribution_manager_implementation: Option<Address>,
    pub distribution_manager_proxy: Option<Address>,
    pub distribution_manager_proxy_salt: String,
    pub deposit_splitter: Option<Address>,
    /// The nested `xmtp.…` tree of starting parameters.
    #[serde(default)]
    pub starting_parameters: Value,
    /// Migrators by contract (the reference's batch-migration inputs; read, not acted on).
    #[serde(default)]
    pub migrators: BTreeMap<String, Address>,
    /// Not in the reference: the release tag each upgraded contract runs (its program built
    /// with `keccak256(tag)` as `project_hash`), recorded by `xmtp upgrade` as the reference's
    /// operators record `newImpl`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub releases: BTreeMap<String, String>,
    /// Not in the reference: which proxy stands in front of every implementation, `"stylus"`
    /// (the default) or `"evm"`; any other value is refused when the file is read. The
    /// proxies' CREATE2 addresses depend on it.
    #[serde(default, skip_serializing_if = "ProxyKind::is_stylus")]
    pub proxy: ProxyKind,
}

/// The proxy a deployment puts in front of every implementation (the Factory's own included).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum ProxyKind {
    /// The Stylus `Proxy` program (`xmtp-proxy`), as the reference's `Proxy` is a contract.
    #[default]
    Stylus,
    /// The 59-byte EVM proxy of [`xmtp_proxy::evm`], deployed by the Factory when its
    /// `proxyKind` wiring says so: no Stylus entry cost per call (see `bench/README.md`).
    Evm,
}

impl ProxyKind {
    /// The Factory's `proxyKind` wiring word: zero for the Stylus proxy (what a Factory wired
    /// without it deploys), last byte 1 for the EVM proxy (`xmtp_factory::EVM_PROXY_KIND`).
    pub fn factory_wiring(self) -> B256 {
        match self {
            Self::Stylus => B256::ZERO,
            Self::Evm => B256::with_last_byte(1),
        }
    }

    /// Whether this is the default, [`Self::Stylus`].
    #[allow(clippy::trivially_copy_pass_by_ref)] // serde's `skip_serializing_if` passes a reference.
    pub fn is_stylus(&self) -> bool {
        *self == Self::Stylus
    }
}

fn chain_id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    match Value::deserialize(deserializer)? {
        Value::String(text) => text.parse().map_err(serde::de::Error::custom),
        Value::Number(number) => number
            .as_u64()
            .ok_or_else(|| serde::de::Error::custom("a chain id is a non-negative integer")),
        other => Err(serde::de::Error::custom(format!(
            "a chain id is a number or a decimal string, not {other}"
        ))),
    }
}

impl Config {
    /// Reads and parses a configuration file.
    pub fn load(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, &e))?;
        serde_json::from_str(&text).map_err(|e| Error::Config(format!("{}: {e}", path.display())))
    }

    /// The non-zero settlement registry administrators, in order.
    pub fn admins(&self) -> Vec<Address> {
        [
            self.settlement_chain_parameter_registry_admin1,
            self.settlement_chain_parameter_registry_admin2,
            self.settlement_chain_parameter_registry_admin3,
        ]
        .into_iter()
        .flatten()
        .filter(|admin| !admin.is_zero())
        .collect()
    }

    /// The starting parameters flattened to `(key, value)`, keys joined with dots, sorted.
    pub fn starting_parameters(&self) -> Result<Vec<(String, B256)>, Error> {
        let mut out = Vec::new();
        flatten("", &self.starting_parameters, &mut out)?;
        out.sort();
        Ok(out)
    }

    /// A configuration for a devnet: the given chain ids, deployer and administrator, the
    /// reference's salts and starting parameters (with the devnet's inbox), the underlying
    /// token at `underlying`.
    pub fn devnet(
        settlement_chain_id: u64,
        app_chain_id: u64,
        deployer: Address,
        admin: Address,
        underlying: Address,
        inbox: Address,
    ) -> Self {
        let starting_parameters = serde_json::json!({ "xmtp": {
            "settlementChainGateway": { "inbox": { app_chain_id.to_string(): inbox } },
            "nodeRegistry": { "admin": admin, "maxCanonicalNodes": "100" },
            "payerRegistry": {
                "settler": Address::ZERO, "feeDistributor": Address::ZERO,
                "minimumDeposit": "10000000", "withdrawLockPeriod": "172800"
            },
            "payerReportManager": { "protocolFeeRate": "100" },
            "rateRegistry": {
                "messageFee": "100", "storageFee": "200", "congestionFee": "300",
                "targetRatePerMinute": "6000"
            },
            "groupMessageBroadcaster": {
                "minPayloadSize": "78", "maxPayloadSize": "262144",
                "payloadBootstrapper": admin, "paused": false
            },
            "identityUpdateBroadcaster": {
                "minPayloadSize": "78", "maxPayloadSize": "262144",
                "payloadBootstrapper": admin, "paused": false
            }
        }});
        Self {
            deployer,
            settlement_chain_id,
            app_chain_id,
            parameter_registry_proxy_salt: "ParameterRegistry_0".into(),
            settlement_chain_parameter_registry_admin1: Some(admin),
            gateway_proxy_salt: "Gateway_0_0".into(),
            fee_token_proxy_salt: "FeeToken_0".into(),
            underlying_fee_token: underlying,
            group_message_broadcaster_proxy_salt: "GroupMessageBroadcaster_2_0".into(),
            identity_update_broadcaster_proxy_salt: "IdentityUpdateBroadcaster_2_0".into(),
            node_registry_proxy_salt: "NodeRegistry_3_0".into(),
            payer_registry_proxy_salt: "PayerRegistry_2_0".into(),
            rate_registry_proxy_salt: "RateRegistry_2_0".into(),
            payer_report_manager_proxy_salt: "PayerReportManager_3_0".into(),
            distribution_manager_proxy_salt: "DistributionManager_3_0".into(),
            starting_parameters,
            ..Self::default()
        }
    }
}

fn flatten(prefix: &str, node: &Value, out: &mut Vec<(String, B256)>) -> Result<(), Error> {
    match node {
        Value::Object(children) => {
            for (name, child) in children {
                let key = if prefix.is_empty() {
                    name.clone()
                } else {
                    format!("{prefix}.{name}")
                };
                flatten(&key, child, out)?;
            }
            Ok(())
        }
        Value::Null if prefix.is_empty() => Ok(()),
        leaf => {
            let value = parse_value(leaf)
                .map_err(|e| Error::Config(format!("starting parameter {prefix}: {e}")))?;
            out.push((prefix.to_owned(), value));
            Ok(())
        }
    }
}

/// A parameter value as the reference's scripts write them: a JSON boolean, an address
/// (`0x` + 40 hex digits), a 32-byte word (`0x` + 64), or a decimal unsigned integer (as a
/// string or a number).
pub fn parse_value(value: &Value) -> Result<B256, String> {
    match value {
        Value::Bool(flag) => Ok(B256::from(U256::from(u8::from(*flag)))),
        Value::Number(number) => number
            .as_u64()
            .map(|n| B256::from(U256::from(n)))
            .ok_or_else(|| format!("{number} is not an unsigned integer")),
        Value::String(text) => parse_text(text),
        other => Err(format!(
            "{other} is not a boolean, address, word or integer"
        )),
    }
}

fn parse_text(text: &str) -> Result<B256, String> {
    match text {
        "true" => return Ok(B256::from(U256::from(1u8))),
        "false" => return Ok(B256::ZERO),
        _ => {}
    }
    if let Some(hex) = text.strip_prefix("0x") {
        return match hex.len() {
            40 => text
                .parse::<Address>()
                .map(|address| address.into_word())
                .map_err(|e| format!("{text}: {e}")),
            64 => text.parse::<B256>().map_err(|e| format!("{text}: {e}")),
            n => Err(format!(
                "{text}: {n} hex digits, expected 40 (address) or 64 (word)"
            )),
        };
    }
    U256::from_str_radix(text, 10)
        .map(B256::from)
        .map_err(|e| format!("{text}: {e}"))
}

/// `environments/<env>.json`: where everything landed, in the reference's keys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Environment {
    /// Key → value (addresses checksummed, chain ids and blocks as numbers), sorted by key.
    pub entries: BTreeMap<String, Value>,
}

impl Environment {
    /// Records an address.
    pub fn address(&mut self, key: &str, address: Address) {
        self.entries
            .insert(key.to_owned(), Value::String(address.to_checksum(None)));
    }

    /// Records a number.
    pub fn number(&mut self, key: &str, number: u64) {
        self.entries.insert(key.to_owned(), Value::from(number));
    }

    /// An address recorded under `key`.
    pub fn get_address(&self, key: &str) -> Option<Address> {
        self.entries.get(key)?.as_str()?.parse().ok()
    }

    /// The file's text: pretty JSON with sorted keys and a final newline.
    pub fn render(&self) -> String {
        let mut text = serde_json::to_string_pretty(&self.entries).expect("JSON values serialise");
        text.push('\n');
        text
    }

    /// Reads an environment file.
    pub fn load(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, &e))?;
        let entries = serde_json::from_str(&text)
            .map_err(|e| Error::Config(format!("{}: {e}", path.display())))?;
        Ok(Self { entries })
    }

    /// Writes the file unless one exists: an identical file is left alone, a different one is
    /// refused (the reference never overwrites an environment either). Returns whether it
    /// wrote.
    pub fn write_new(&self, path: &Path) -> Result<bool, Error> {
        if path.exists() {
            let existing = Self::load(path)?;
            if existing == *self {
                return Ok(false);
            }
            let differing: Vec<&str> = self
                .entries
                .iter()
                .filter(|(key, value)| existing.entries.get(*key) != Some(value))
                .map(|(key, _)| key.as_str())
                .chain(
                    existing
                        .entries
                        .keys()
                        .filter(|key| !self.entries.contains_key(*key))
                        .map(String::as_str),
                )
                .collect();
            return Err(Error::Config(format!(
                "{} exists and differs ({}); not overwriting it",
                path.display(),
                differing.join(", ")
            )));
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, &e))?;
        }
        std::fs::write(path, self.render()).map_err(|e| Error::io(path, &e))?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A configuration in the reference testnet's shape (its keys, salts and starting
    /// parameters; addresses replaced by stand-ins).
    const REFERENCE_TESTNET: &str = include_str!("../../tests/data/config-testnet.json");

    #[test]
    fn reads_the_reference_configuration() {
        let config: Config = serde_json::from_str(REFERENCE_TESTNET).unwrap();
        assert_eq!(config.settlement_chain_id, 84_532);
        assert_eq!(config.app_chain_id, 351_243_127);
        assert_eq!(config.gateway_proxy_salt, "Gateway_0_0");
        assert_eq!(
            config.admins(),
            ["0x0dc9d2e98dfd2ad6d9ddbe6785c7fde89a256f91"
                .parse::<Address>()
                .unwrap()]
        );
        let parameters = config.starting_parameters().unwrap();
        assert_eq!(parameters.len(), 20);
        let get = |key: &str| parameters.iter().find(|(k, _)| k == key).unwrap().1;
        assert_eq!(
            get("xmtp.settlementChainGateway.inbox.351243127"),
            "0x09f2ee91cc6588c2f485bd8043e22980e9d66da9"
                .parse::<Address>()
                .unwrap()
                .into_word()
        );
        assert_eq!(
            get("xmtp.payerRegistry.minimumDeposit"),
            B256::from(U256::from(10_000_000u64))
        );
        assert_eq!(
            get("xmtp.groupMessageBroadcaster.paused"),
            B256::from(U256::from(1u8))
        );
    }

    #[test]
    fn the_proxy_kind_defaults_to_stylus_and_is_written_only_when_evm() {
        let mut config: Config = serde_json::from_value(serde_json::json!({
            "deployer": Address::repeat_byte(1), "settlementChainId": "1", "appChainId": "2",
            "parameterRegistryProxySalt": "P", "gatewayProxySalt": "G", "feeTokenProxySalt": "F",
            "underlyingFeeToken": Address::repeat_byte(2),
            "groupMessageBroadcasterProxySalt": "a", "identityUpdateBroadcasterProxySalt": "b",
            "nodeRegistryProxySalt": "c", "payerRegistryProxySalt": "d",
            "rateRegistryProxySalt": "e", "payerReportManagerProxySalt": "f",
            "distributionManagerProxySalt": "g"
        }))
        .unwrap();
        assert_eq!(config.proxy, ProxyKind::Stylus);
        assert!(serde_json::to_value(&config)
            .unwrap()
            .get("proxy")
            .is_none());
        config.proxy = ProxyKind::Evm;
        let written = serde_json::to_value(&config).unwrap();
        assert_eq!(written["proxy"], "evm");
        assert_eq!(serde_json::from_value::<Config>(written).unwrap(), config);
        let mut wrong = serde_json::to_value(&config).unwrap();
        wrong["proxy"] = "solidity".into();
        let error = serde_json::from_value::<Config>(wrong)
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "unknown variant `solidity`, expected `stylus` or `evm`"
        );
    }

    /// The Factory's `proxyKind` words: zero for Stylus, so a Factory wired without the slot
    /// (every deployment before it existed) deploys what a Stylus deployment does.
    #[test]
    fn each_proxy_kind_has_its_factory_wiring_word() {
        assert_eq!(ProxyKind::Stylus.factory_wiring(), B256::ZERO);
        assert_eq!(ProxyKind::Evm.factory_wiring(), B256::with_last_byte(1));
    }

    #[test]
    fn refuses_malformed_values_naming_the_key() {
        assert_eq!(
            parse_value(&Value::from("0x12")),
            Err("0x12: 2 hex digits, expected 40 (address) or 64 (word)".into())
        );
        assert!(parse_value(&Value::from(-1)).is_err());
        let config = Config {
            starting_parameters: serde_json::json!({"xmtp": {"a": {"b": [1]}}}),
            ..Config::default()
        };
        assert_eq!(
            config.starting_parameters().unwrap_err().to_string(),
            "starting parameter xmtp.a.b: [1] is not a boolean, address, word or integer"
        );
    }

    #[test]
    fn an_environment_file_is_never_overwritten_with_different_data() {
        let dir = std::env::temp_dir().join(format!("xmtp-env-{}", std::process::id()));
        let path = dir.join("devnet.json");
        let _ = std::fs::remove_file(&path);
        let mut env = Environment::default();
        env.number("settlementChainId", 84_532);
        env.address("factory", Address::repeat_byte(0xab));
        assert!(env.write_new(&path).unwrap());
        assert!(!env.write_new(&path).unwrap());
        let mut other = env.clone();
        other.number("settlementChainId", 1);
        let error = other.write_new(&path).unwrap_err().to_string();
        assert_eq!(
            error,
            format!(
                "{} exists and differs (settlementChainId); not overwriting it",
                path.display()
            )
        );
        assert_eq!(Environment::load(&path).unwrap(), env);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
