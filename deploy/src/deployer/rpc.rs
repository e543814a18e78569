//! The JSON-RPC backend: an alloy HTTP provider per chain, signing with local keys.

use alloy::network::{EthereumWallet, TransactionBuilder};
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use alloy::rpc::types::TransactionRequest;
use std::path::Path;

use alloy::signers::local::{LocalSignerError, PrivateKeySigner};
use alloy_primitives::{Address, Bytes};
use eth_keystore::KeystoreError;
use xmtp_devnet_node::Side;

use super::backend::{describe_revert, Backend, Request, Sent};
use crate::Error;

/// Both chains over JSON-RPC.
pub struct Rpc {
    runtime: tokio::runtime::Runtime,
    urls: [String; 2],
    providers: [DynProvider; 2],
    signers: Vec<Address>,
}

impl std::fmt::Debug for Rpc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rpc")
            .field("urls", &self.urls)
            .field("signers", &self.signers)
            .finish_non_exhaustive()
    }
}

/// Parses a private key given on the command line (`0x` optional).
pub fn parse_key(text: &str) -> Result<PrivateKeySigner, Error> {
    text.trim()
        .parse::<PrivateKeySigner>()
        .map_err(|_| Error::Config("a private key is 32 bytes of hex".into()))
}

/// Where a keystore's password comes from: a file, else an environment variable.
#[derive(Debug, Clone, Copy)]
pub struct Password<'a> {
    /// The file named on the command line.
    pub file: Option<&'a Path>,
    /// The environment variable holding the password itself.
    pub variable: &'static str,
    /// The option naming the file, for the message when neither is given.
    pub option: &'static str,
}

impl Password<'_> {
    fn read(&self, keystore: &Path) -> Result<String, Error> {
        if let Some(file) = self.file {
            let text = std::fs::read_to_string(file).map_err(|e| {
                Error::Config(format!("keystore password file {}: {e}", file.display()))
            })?;
            // Password files are written with a final newline (`echo`, editors); it is not
            // part of the password.
            let text = text.strip_suffix('\n').unwrap_or(&text);
            return Ok(text.strip_suffix('\r').unwrap_or(text).to_owned());
        }
        std::env::var(self.variable).map_err(|_| {
            Error::Config(format!(
                "keystore {}: no password: give {} FILE or set {}",
                keystore.display(),
                self.option,
                self.variable
            ))
        })
    }
}

/// Decrypts an encrypted JSON keystore (Web3 Secret Storage, as `cast wallet` and geth write
/// them) with its password.
pub fn decrypt_keystore(path: &Path, password: &Password<'_>) -> Result<PrivateKeySigner, Error> {
    if !path.is_file() {
        return Err(Error::Config(format!(
            "keystore {}: no such file",
            path.display()
        )));
    }
    let password = password.read(path)?;
    PrivateKeySigner::decrypt_keystore(path, password).map_err(|error| {
        let why = match error {
            LocalSignerError::EthKeystoreError(KeystoreError::MacMismatch) => {
                "wrong password".to_owned()
            }
            LocalSignerError::EthKeystoreError(KeystoreError::SerdeJson(e)) => {
                format!("not a JSON keystore ({e})")
            }
            other => other.to_string(),
        };
        Error::Config(format!("keystore {}: {why}", path.display()))
    })
}

impl Rpc {
    /// Connects to `settlement_url` and `app_url`, signing with `keys`.
    pub fn connect(
        settlement_url: &str,
        app_url: &str,
        keys: &[PrivateKeySigner],
    ) -> Result<Self, Error> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Chain(format!("cannot start the async runtime: {e}")))?;
        let mut wallet: Option<EthereumWallet> = None;
        for key in keys {
            match wallet.as_mut() {
                Some(w) => w.register_signer(key.clone()),
                None => wallet = Some(EthereumWallet::new(key.clone())),
            }
        }
        let provider = |url: &str| -> Result<DynProvider, Error> {
            let parsed = url
                .parse()
                .map_err(|e| Error::Config(format!("RPC URL {url}: {e}")))?;
            Ok(match &wallet {
                Some(wallet) => ProviderBuilder::new()
                    .wallet(wallet.clone())
                    .connect_http(parsed)
                    .erased(),
                None => ProviderBuilder::new().connect_http(parsed).erased(),
            })
        };
        Ok(Self {
            providers: [provider(settlement_url)?, provider(app_url)?],
            urls: [settlement_url.to_owned(), app_url.to_owned()],
            signers: keys.iter().map(PrivateKeySigner::address).collect(),
            runtime,
        })
    }

    fn unreachable(&self, side: Side, error: &impl std::fmt::Display) -> Error {
        Error::Chain(format!(
            "{} chain RPC {}: {error}",
            super::chain_name(side),
            self.urls[super::index(side)]
        ))
    }

    fn provider(&self, side: Side) -> &DynProvider {
        &self.providers[super::index(side)]
    }
}

impl Backend for Rpc {
    fn chain_id(&mut self, side: Side) -> Result<u64, Error> {
        self.runtime
            .block_on(self.provider(side).get_chain_id())
            .map_err(|e| self.unreachable(side, &e))
    }

    fn block_number(&mut self, side: Side) -> Result<u64, Error> {
        self.runtime
            .block_on(self.provider(side).get_block_number())
            .map_err(|e| self.unreachable(side, &e))
    }

    fn nonce(&mut self, side: Side, account: Address) -> Result<u64, Error> {
        self.runtime
            .block_on(async { self.provider(side).get_transaction_count(account).await })
            .map_err(|e| self.unreachable(side, &e))
    }

    fn code(&mut self, side: Side, at: Address) -> Result<Bytes, Error> {
        self.runtime
            .block_on(async { self.provider(side).get_code_at(at).await })
            .map_err(|e| self.unreachable(side, &e))
    }

    fn call(
        &mut self,
        side: Side,
        from: Address,
        to: Address,
        data: Bytes,
    ) -> Result<Result<Bytes, Bytes>, Error> {
        let tx = TransactionRequest::default()
            .with_from(from)
            .with_to(to)
            .with_input(data);
        match self
            .runtime
            .block_on(async { self.provider(side).call(tx).await })
        {
            Ok(output) => Ok(Ok(output)),
            Err(error) => {
                if let Some(revert) = error.as_error_resp().and_then(|response| {
                    // A revert is an error response carrying data; anything else is transport.
                    response.as_revert_data()
                }) {
                    return Ok(Err(revert));
                }
                Err(self.unreachable(side, &error))
            }
        }
    }

    fn send(&mut self, side: Side, label: &str, request: &Request) -> Result<Sent, Error> {
        let mut tx = TransactionRequest::default()
            .with_from(request.from)
            .with_input(request.data.clone())
            .with_value(request.value);
        match request.to {
            Some(to) => tx.set_to(to),
            None => tx.set_create(),
        }
        let provider = self.provider(side).clone();
        let receipt = self
            .runtime
            .block_on(async move {
                let pending = provider.send_transaction(tx).await.map_err(|error| {
                    match error.as_error_resp() {
                        Some(response) => format!(
                            "{}{}",
                            response.message,
                            response
                                .as_revert_data()
                                .map(|data| format!(": {}", describe_revert(&data)))
                                .unwrap_or_default()
                        ),
                        None => error.to_string(),
                    }
                })?;
                pending.get_receipt().await.map_err(|e| e.to_string())
            })
            .map_err(|message| Error::Chain(format!("{label}: {message}")))?;
        if !receipt.status() {
            return Err(Error::Chain(format!(
                "{label} reverted in transaction {}",
                receipt.transaction_hash
            )));
        }
        Ok(Sent {
            hash: receipt.transaction_hash,
            gas_used: receipt.gas_used,
            block: receipt.block_number.unwrap_or_default(),
        })
    }

    fn relay(&mut self) -> Result<(), Error> {
        // A devnet delivers tickets at once when asked; a real chain (method unknown) delivers
        // them on its own and the caller polls.
        let request = self
            .provider(Side::Settlement)
            .raw_request::<_, serde_json::Value>("devnet_relay".into(), ());
        let _ = self.runtime.block_on(request);
        Ok(())
    }

    fn signers(&self) -> Vec<Address> {
        self.signers.clone()
    }
}
