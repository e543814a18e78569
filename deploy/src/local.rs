//! `xmtp devnet`: the two-chain devnet of `xmtp-devnet-node`, served over JSON-RPC on loopback,
//! described the way anvil describes itself (endpoints, chain ids, funded accounts with keys).

use std::fmt::Write as _;

use alloy_primitives::Address;
use serde_json::{json, Value};
use xmtp_devnet_node::devnet::DevAccount;
use xmtp_devnet_node::{contracts, DevnetConfig, DevnetServer, ServerOptions};

use crate::Error;

/// What a client needs to reach a running devnet.
#[derive(Debug, Clone)]
pub struct Endpoints {
    /// JSON-RPC URL of the settlement chain.
    pub settlement_url: String,
    /// JSON-RPC URL of the app chain.
    pub app_url: String,
    /// Settlement chain id.
    pub settlement_chain_id: u64,
    /// App chain id.
    pub app_chain_id: u64,
    /// The token the inbox escrows and the app chain uses as its native currency.
    pub fee_token: Address,
    /// Accounts funded on both chains, with their keys.
    pub accounts: Vec<DevAccount>,
}

impl Endpoints {
    /// The description printed at start.
    pub fn describe(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = writeln!(
            out,
            "settlement chain {:>10}  {}",
            self.settlement_chain_id, self.settlement_url
        );
        let _ = writeln!(
            out,
            "app chain        {:>10}  {}",
            self.app_chain_id, self.app_url
        );
        let _ = writeln!(
            out,
            "fee token {}  inbox {}  ArbRetryableTx {}",
            self.fee_token,
            contracts::INBOX,
            contracts::ARB_RETRYABLE_TX
        );
        let _ = writeln!(out, "accounts (funded on both chains):");
        for (i, account) in self.accounts.iter().enumerate() {
            let _ = writeln!(out, "  ({i}) {}  0x{}", account.address, account.key);
        }
        out
    }

    /// The description as one JSON object, for scripts.
    pub fn to_json(&self) -> Value {
        json!({
            "settlement": { "url": self.settlement_url, "chainId": self.settlement_chain_id },
            "app": { "url": self.app_url, "chainId": self.app_chain_id },
            "feeToken": self.fee_token,
            "inbox": contracts::INBOX,
            "arbRetryableTx": contracts::ARB_RETRYABLE_TX,
            "accounts": self.accounts.iter().map(|a| json!({
                "address": a.address,
                "privateKey": format!("0x{}", a.key),
            })).collect::<Vec<_>>(),
        })
    }
}

/// Starts the devnet and serves it until the returned server is dropped or shut down.
pub fn start(
    config: DevnetConfig,
    options: &ServerOptions,
) -> Result<(DevnetServer, Endpoints), Error> {
    let (settlement_chain_id, app_chain_id) = (config.settlement_chain_id, config.app_chain_id);
    let server = DevnetServer::start(config, options)
        .map_err(|e| Error::Chain(format!("could not start the devnet: {e}")))?;
    let (fee_token, accounts) = server
        .with(|devnet| (devnet.fee_token(), devnet.accounts()))
        .map_err(|e| Error::Chain(format!("the devnet did not answer: {e}")))?;
    let endpoints = Endpoints {
        settlement_url: server.settlement_url(),
        app_url: server.app_url(),
        settlement_chain_id,
        app_chain_id,
        fee_token,
        accounts,
    };
    Ok((server, endpoints))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serves_both_chains_and_describes_them() {
        let options = ServerOptions::default();
        let config = DevnetConfig {
            settlement_chain_id: 84_532,
            app_chain_id: 351_243_127,
            ..DevnetConfig::default()
        };
        let (server, endpoints) = start(config, &options).unwrap();
        assert_eq!(endpoints.settlement_url, server.settlement_url());
        assert_eq!(endpoints.accounts.len(), 10);
        let json = endpoints.to_json();
        assert_eq!(json["settlement"]["chainId"], 84_532);
        assert_eq!(json["app"]["chainId"], 351_243_127);
        assert_eq!(
            json["accounts"][0]["address"],
            "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"
        );
        let text = endpoints.describe();
        assert!(text.contains(&format!(
            "app chain         351243127  {}",
            server.app_url()
        )));
        assert!(text.contains(
            "(0) 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266  0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
        ));
        server.shutdown();
    }
}
