//! The app-chain path of the network on the two-chain devnet, for system tests.
//!
//! [`TwoChains::deploy`] starts a [`Devnet`] (settlement chain, app chain, the bridge between
//! them) and lays down, with the real programs through the Factory on each chain:
//!
//! - settlement chain: Factory, `SettlementChainParameterRegistry` (administered by [`admin`]),
//!   the `FeeToken` (xUSD) over a mock 6-decimal stablecoin, and the `SettlementChainGateway`
//!   wired to the fee token, its underlying and the app-chain gateway, with the devnet's inbox
//!   registered for the app chain (`xmtp.settlementChainGateway.inbox.<id>` then `updateInbox`);
//! - app chain: Factory, `AppChainParameterRegistry` (administered by the gateway alone), the
//!   `AppChainGateway` at the settlement gateway's address (same Factory, same deployer, same
//!   salt) and the two broadcasters.
//!
//! The devnet's inbox escrows the XMTP `FeeToken` itself, so the app chain's native currency is
//! xUSD bridged from the settlement chain, as in production. The mock stablecoin under it is the
//! devnet's development ERC-20 (open minting, 6 decimals) installed at [`UNDERLYING`].
//!
//! Deployment goes straight to each chain's runtime; every transaction a test makes afterwards
//! goes through the devnet as a signed transaction from a development account, so the bridge
//! sees what it sends (inbox messages, `ArbSys` messages).
//!
//! [`admin`]: TwoChains::admin

use alloy_primitives::{address, Address, Bytes, B256, U256};
use alloy_sol_types::{sol, SolCall};
use xmtp_abi::{
    factory::IFactory, fee_token::IFeeToken, parameter_registry::IParameterRegistry,
    settlement_chain_gateway::ISettlementChainGateway,
};
use xmtp_deploy::demo::{APP_CHAIN_ID, GATEWAY_SALT, SETTLEMENT_CHAIN_ID};
use xmtp_deploy::network::{
    deploy_base, deploy_implementation, proxy_address, salt, Base, Operator,
};
use xmtp_devnet::Receipt;
use xmtp_devnet_node::contracts::{dev_token_code, INBOX};
use xmtp_devnet_node::{CallRequest, Devnet, DevnetConfig, RelayReport, Side, TxRequest};

use crate::{programs, DEPLOYER};

sol! {
    /// The mock stablecoin's open mint.
    function mint(address to, uint256 amount) returns (bool);
    /// `ArbRetryableTx.redeem` (precompile `0x6e` on the app chain).
    function redeem(bytes32 ticketId) returns (bytes32);
    /// `ArbRetryableTx`'s refusal of an unknown, redeemed or expired ticket.
    error NoTicketWithID();
}

/// The mock 6-decimal stablecoin under the fee token, on the settlement chain.
pub const UNDERLYING: Address = address!("00000000000000000000000000000000005d0c00");

/// Fee-token (and underlying) decimals.
pub const FEE_TOKEN_DECIMALS: u8 = 6;

/// App-chain wei per fee-token unit: `10^(18 - 6)`.
pub const SCALE: U256 = U256::from_limbs([1_000_000_000_000, 0, 0, 0]);

/// Salt of the fee token proxy (reference config `FeeToken_0`).
pub const FEE_TOKEN_SALT: &str = "FeeToken_0";
/// Salt of the group message broadcaster proxy (reference config).
pub const GROUP_MESSAGE_BROADCASTER_SALT: &str = "GroupMessageBroadcaster_0";
/// Salt of the identity update broadcaster proxy (reference config).
pub const IDENTITY_UPDATE_BROADCASTER_SALT: &str = "IdentityUpdateBroadcaster_0";

/// Gas limit of every transaction a test sends: a 256 KiB payload (the broadcasters' cap)
/// alone costs 10.5 M gas of calldata floor (EIP-7623); unused gas is not charged.
const TX_GAS: u64 = 30_000_000;

/// The addresses of everything [`TwoChains::deploy`] deployed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Addresses {
    /// Settlement chain's Factory, parameter registry and Initializable.
    pub settlement: Base,
    /// App chain's Factory, parameter registry and Initializable (same proxy addresses).
    pub app: Base,
    /// The gateway proxy: `SettlementChainGateway` on the settlement chain, `AppChainGateway`
    /// on the app chain.
    pub gateway: Address,
    /// The `FeeToken` proxy on the settlement chain (the bridge's escrowed token).
    pub fee_token: Address,
    /// The `GroupMessageBroadcaster` proxy on the app chain.
    pub group_message_broadcaster: Address,
    /// The `IdentityUpdateBroadcaster` proxy on the app chain.
    pub identity_update_broadcaster: Address,
}

/// The devnet with the app-chain path deployed on it.
#[derive(Debug)]
pub struct TwoChains {
    /// Both chains and the bridge.
    pub devnet: Devnet,
    /// Where everything is.
    pub addresses: Addresses,
}

/// A `bytes32` parameter value holding an unsigned integer (the scripts' encoding).
#[must_use]
pub fn uint_value(value: u64) -> B256 {
    B256::from(U256::from(value))
}

/// A `bytes32` parameter value holding a bool (0 or 1).
#[must_use]
pub fn bool_value(value: bool) -> B256 {
    uint_value(u64::from(value))
}

/// A wiring word that is not an address (the gateway's `scale`) in the address-typed slot the
/// deploy tooling takes: the word is the address left-padded, so any value below 2^160 passes
/// through unchanged.
fn word_wiring(value: U256) -> Address {
    Address::from_word(B256::from(value))
}

/// `Factory.deployProxy(implementation, salt, initialize())` at its predicted address.
fn deploy_proxy(
    op: &mut Operator<'_>,
    base: &Base,
    implementation: Address,
    salt_: &str,
) -> Address {
    let proxy_code = programs()
        .artifact("xmtp-proxy", &[])
        .unwrap_or_else(|e| panic!("{e}"))
        .code;
    let expected = proxy_address(
        base.factory,
        base.initializable,
        &proxy_code,
        op.from,
        salt(salt_),
    );
    let call = IFactory::deployProxyCall {
        implementation_: implementation,
        salt_: salt(salt_),
        initializeCallData_: IFactory::initializeCall {}.abi_encode().into(),
    };
    let deployed = op
        .transact(
            &format!("deploy proxy {salt_}"),
            base.factory,
            &call,
            U256::ZERO,
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(deployed, expected, "{salt_} proxy address");
    deployed
}

/// `Factory.deployImplementation` of `crate_name` with `wiring`.
fn implementation(
    op: &mut Operator<'_>,
    base: &Base,
    crate_name: &str,
    wiring: &[(&str, Address)],
) -> Address {
    let artifact = programs()
        .artifact(crate_name, wiring)
        .unwrap_or_else(|e| panic!("{e}"));
    deploy_implementation(op, base.factory, crate_name, &artifact.init_code)
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Settlement chain: Factory and registry, the fee token over the mock stablecoin, the
/// gateway. Returns the base.
fn deploy_settlement(
    devnet: &mut Devnet,
    admin: Address,
    fee_token: Address,
    gateway: Address,
) -> Base {
    let chain = devnet.node_mut(Side::Settlement).chain_mut();
    chain.set_code(UNDERLYING, dev_token_code(FEE_TOKEN_DECIMALS).into());
    let mut op = Operator::new(chain, DEPLOYER);
    let base = deploy_base(
        &mut op,
        programs(),
        "xmtp-settlement-chain-parameter-registry",
        &[admin],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let fee_token_implementation = implementation(
        &mut op,
        &base,
        "xmtp-fee-token",
        &[
            ("parameterRegistry", base.parameter_registry),
            ("underlying", UNDERLYING),
        ],
    );
    assert_eq!(
        deploy_proxy(&mut op, &base, fee_token_implementation, FEE_TOKEN_SALT),
        fee_token
    );
    let gateway_implementation = implementation(
        &mut op,
        &base,
        "xmtp-settlement-chain-gateway",
        &[
            ("parameterRegistry", base.parameter_registry),
            ("appChainGateway", gateway),
            ("feeToken", fee_token),
            ("underlyingFeeToken", UNDERLYING),
            ("scale", word_wiring(SCALE)),
        ],
    );
    assert_eq!(
        deploy_proxy(&mut op, &base, gateway_implementation, GATEWAY_SALT),
        gateway
    );
    base
}

/// App chain: Factory and registry (administered by the gateway), the gateway at the
/// settlement gateway's address, the broadcasters. Returns the base and the two broadcasters.
fn deploy_app(
    devnet: &mut Devnet,
    settlement: &Base,
    gateway: Address,
) -> (Base, Address, Address) {
    let mut op = Operator::new(devnet.node_mut(Side::App).chain_mut(), DEPLOYER);
    let base = deploy_base(
        &mut op,
        programs(),
        "xmtp-app-chain-parameter-registry",
        &[gateway],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(base.factory, settlement.factory);
    assert_eq!(base.parameter_registry, settlement.parameter_registry);
    let gateway_implementation = implementation(
        &mut op,
        &base,
        "xmtp-app-chain-gateway",
        &[
            ("parameterRegistry", base.parameter_registry),
            ("settlementChainGateway", gateway),
        ],
    );
    assert_eq!(
        deploy_proxy(&mut op, &base, gateway_implementation, GATEWAY_SALT),
        gateway
    );
    let wiring = [("parameterRegistry", base.parameter_registry)];
    let group = implementation(&mut op, &base, "xmtp-group-message-broadcaster", &wiring);
    let identity = implementation(&mut op, &base, "xmtp-identity-update-broadcaster", &wiring);
    (
        base,
        deploy_proxy(&mut op, &base, group, GROUP_MESSAGE_BROADCASTER_SALT),
        deploy_proxy(&mut op, &base, identity, IDENTITY_UPDATE_BROADCASTER_SALT),
    )
}

impl TwoChains {
    /// Starts the devnet and deploys both chains (see the module documentation).
    ///
    /// # Panics
    /// When a deployment step fails or lands elsewhere than predicted.
    #[must_use]
    pub fn deploy() -> Self {
        // Every address is known before anything is sent: the devnet's inbox must be built
        // around the fee token, which the deployer's Factory puts at a fixed address.
        let factory = DEPLOYER.create(0);
        let initializable = factory.create(1);
        let proxy_code = programs()
            .artifact("xmtp-proxy", &[])
            .unwrap_or_else(|e| panic!("{e}"))
            .code;
        let proxy =
            |salt_: &str| proxy_address(factory, initializable, &proxy_code, DEPLOYER, salt(salt_));
        let fee_token = proxy(FEE_TOKEN_SALT);
        let gateway = proxy(GATEWAY_SALT);
        let config = DevnetConfig {
            settlement_chain_id: SETTLEMENT_CHAIN_ID,
            app_chain_id: APP_CHAIN_ID,
            fee_token: Some(fee_token),
            fee_token_decimals: FEE_TOKEN_DECIMALS,
            ..DevnetConfig::default()
        };
        let mut devnet = Devnet::new(config).unwrap_or_else(|e| panic!("{e}"));
        let admin = devnet.accounts()[0].address;
        let plenty = U256::from(10u64).pow(U256::from(24u64));
        for side in [Side::Settlement, Side::App] {
            devnet.node_mut(side).chain_mut().fund(DEPLOYER, plenty);
        }

        let settlement = deploy_settlement(&mut devnet, admin, fee_token, gateway);
        let (app, group_message_broadcaster, identity_update_broadcaster) =
            deploy_app(&mut devnet, &settlement, gateway);

        let mut two = Self {
            devnet,
            addresses: Addresses {
                settlement,
                app,
                gateway,
                fee_token,
                group_message_broadcaster,
                identity_update_broadcaster,
            },
        };
        two.set_parameters(&[(&Self::inbox_key(), INBOX.into_word())]);
        two.call_ok(
            Side::Settlement,
            admin,
            gateway,
            &ISettlementChainGateway::updateInboxCall {
                chainId_: U256::from(APP_CHAIN_ID),
            },
        );
        two
    }

    /// The settlement parameter registry's administrator (the first development account).
    #[must_use]
    pub fn admin(&self) -> Address {
        self.devnet.accounts()[0].address
    }

    /// A development account other than the administrator (`index` from 1).
    #[must_use]
    pub fn user(&self, index: usize) -> Address {
        assert!(index >= 1, "account 0 is the administrator");
        self.devnet.accounts()[index].address
    }

    /// `xmtp.settlementChainGateway.inbox.<app chain id>`.
    #[must_use]
    pub fn inbox_key() -> String {
        format!("xmtp.settlementChainGateway.inbox.{APP_CHAIN_ID}")
    }

    /// Sends `data` with `value` from a development account as a signed transaction; the
    /// receipt, whatever its status.
    ///
    /// # Panics
    /// When the node refuses the transaction (not a dev account, funds, ...).
    pub fn send(
        &mut self,
        side: Side,
        from: Address,
        to: Address,
        data: Vec<u8>,
        value: U256,
    ) -> Receipt {
        send(&mut self.devnet, side, from, to, data, value)
    }

    /// Calls `call` from `from` and requires success; the receipt.
    ///
    /// # Panics
    /// When the call reverts.
    pub fn call_ok<C: SolCall>(
        &mut self,
        side: Side,
        from: Address,
        to: Address,
        call: &C,
    ) -> Receipt {
        self.pay_ok(side, from, to, call, U256::ZERO)
    }

    /// Calls `call` with `value` from `from` and requires success; the receipt.
    ///
    /// # Panics
    /// When the call reverts.
    pub fn pay_ok<C: SolCall>(
        &mut self,
        side: Side,
        from: Address,
        to: Address,
        call: &C,
        value: U256,
    ) -> Receipt {
        pay_ok(&mut self.devnet, side, from, to, call, value)
    }

    /// Calls `call` from `from` expecting a revert; the revert data.
    ///
    /// # Panics
    /// When the call succeeds.
    pub fn call_reverts<C: SolCall>(
        &mut self,
        side: Side,
        from: Address,
        to: Address,
        call: &C,
    ) -> Bytes {
        let receipt = self.send(side, from, to, call.abi_encode(), U256::ZERO);
        assert!(!receipt.status, "{} succeeded", C::SIGNATURE);
        assert!(receipt.logs.is_empty(), "a reverted call logs nothing");
        receipt.output
    }

    /// `eth_call` of a view.
    ///
    /// # Panics
    /// When it reverts or its return value does not decode.
    pub fn view<C: SolCall>(&mut self, side: Side, to: Address, call: &C) -> C::Return {
        view(&mut self.devnet, side, to, call)
    }

    /// Native balance on a chain (on the app chain: xUSD in 18-decimal wei).
    #[must_use]
    pub fn balance(&self, side: Side, who: Address) -> U256 {
        self.devnet.node(side).chain().balance(who)
    }

    /// xUSD balance on the settlement chain.
    pub fn fee_tokens(&mut self, who: Address) -> U256 {
        let fee_token = self.addresses.fee_token;
        self.view(
            Side::Settlement,
            fee_token,
            &IFeeToken::balanceOfCall { account: who },
        )
    }

    /// Mock stablecoin balance on the settlement chain.
    pub fn underlying(&mut self, who: Address) -> U256 {
        self.view(
            Side::Settlement,
            UNDERLYING,
            &IFeeToken::balanceOfCall { account: who },
        )
    }

    /// Mints `amount` of the mock stablecoin to `who`.
    pub fn mint_underlying(&mut self, who: Address, amount: U256) {
        self.call_ok(
            Side::Settlement,
            who,
            UNDERLYING,
            &mintCall { to: who, amount },
        );
    }

    /// Gives `who` `amount` xUSD the way a user gets it: stablecoin minted, approved to the fee
    /// token and wrapped with `FeeToken.deposit`.
    pub fn mint_fee_tokens(&mut self, who: Address, amount: U256) {
        let fee_token = self.addresses.fee_token;
        self.mint_underlying(who, amount);
        self.call_ok(
            Side::Settlement,
            who,
            UNDERLYING,
            &IFeeToken::approveCall {
                spender: fee_token,
                value: amount,
            },
        );
        self.call_ok(
            Side::Settlement,
            who,
            fee_token,
            &IFeeToken::depositCall { amount_: amount },
        );
    }

    /// `token.approve(spender, amount)` on the settlement chain from `owner`.
    pub fn approve(&mut self, token: Address, owner: Address, spender: Address, amount: U256) {
        self.call_ok(
            Side::Settlement,
            owner,
            token,
            &IFeeToken::approveCall {
                spender,
                value: amount,
            },
        );
    }

    /// The administrator sets `pairs` in the settlement registry in one batch.
    pub fn set_parameters(&mut self, pairs: &[(&str, B256)]) -> Receipt {
        let registry = self.addresses.settlement.parameter_registry;
        let admin = self.admin();
        self.call_ok(
            Side::Settlement,
            admin,
            registry,
            &IParameterRegistry::set_1Call {
                keys_: pairs.iter().map(|(k, _)| (*k).to_owned()).collect(),
                values_: pairs.iter().map(|(_, v)| *v).collect(),
            },
        )
    }

    /// A value of the registry on `side`.
    pub fn parameter(&mut self, side: Side, key: &str) -> B256 {
        let registry = self.addresses.settlement.parameter_registry;
        self.view(
            side,
            registry,
            &IParameterRegistry::get_0Call { key_: key.into() },
        )
    }

    /// `sender` approves the gateway for `amount` xUSD and bridges `keys` to the app chain
    /// with `sendParameters`; the settlement receipt.
    pub fn send_parameters(
        &mut self,
        sender: Address,
        keys: &[&str],
        gas_limit: u64,
        max_fee_per_gas: u64,
        amount: U256,
    ) -> Receipt {
        let (fee_token, gateway) = (self.addresses.fee_token, self.addresses.gateway);
        self.approve(fee_token, sender, gateway, amount);
        self.call_ok(
            Side::Settlement,
            sender,
            gateway,
            &ISettlementChainGateway::sendParametersCall {
                chainIds_: vec![U256::from(APP_CHAIN_ID)],
                keys_: keys.iter().map(|k| (*k).to_owned()).collect(),
                gasLimit_: U256::from(gas_limit),
                maxFeePerGas_: U256::from(max_fee_per_gas),
                amountToSend_: amount,
            },
        )
    }

    /// `sender` approves the gateway for `amount` xUSD and deposits it for `recipient` on the
    /// app chain with `deposit`; the settlement receipt.
    pub fn deposit(
        &mut self,
        sender: Address,
        recipient: Address,
        amount: U256,
        gas_limit: u64,
        max_fee_per_gas: u64,
    ) -> Receipt {
        let (fee_token, gateway) = (self.addresses.fee_token, self.addresses.gateway);
        self.approve(fee_token, sender, gateway, amount);
        self.call_ok(
            Side::Settlement,
            sender,
            gateway,
            &ISettlementChainGateway::depositCall {
                chainId_: U256::from(APP_CHAIN_ID),
                recipient_: recipient,
                amount_: amount,
                gasLimit_: U256::from(gas_limit),
                maxFeePerGas_: U256::from(max_fee_per_gas),
            },
        )
    }

    /// Delivers every pending inbox message and executes the outbox entries that are due.
    pub fn relay(&mut self) -> RelayReport {
        self.devnet.relay()
    }

    /// The app-chain receipt of a retryable ticket's redeem (auto or manual) reported by a relay.
    ///
    /// # Panics
    /// When the app chain has no such transaction.
    #[must_use]
    pub fn app_receipt(&self, hash: B256) -> Receipt {
        self.devnet
            .node(Side::App)
            .tx(hash)
            .expect("recorded on the app chain")
            .receipt
            .clone()
    }

    /// The app chain's base fee.
    #[must_use]
    pub fn app_basefee(&self) -> u64 {
        self.devnet.node(Side::App).basefee()
    }
}

/// Sends a transaction from a dev account through the node on `side` (so the bridge sees inbox
/// and ArbSys messages) with a 30 M gas limit, and returns its receipt, whatever its status.
///
/// # Panics
/// When the node refuses the transaction (not a dev account, funds, ...).
pub fn send(
    devnet: &mut Devnet,
    side: Side,
    from: Address,
    to: Address,
    data: Vec<u8>,
    value: U256,
) -> Receipt {
    let request = TxRequest {
        from,
        to: Some(to),
        value,
        data: data.into(),
        gas: Some(TX_GAS),
        ..TxRequest::default()
    };
    let hash = devnet
        .send_tx(side, &request)
        .unwrap_or_else(|e| panic!("{e}"));
    devnet
        .node(side)
        .tx(hash)
        .expect("the node records what it executed")
        .receipt
        .clone()
}

/// [`send`]s `call` with `value` and requires success; the receipt.
///
/// # Panics
/// When the node refuses the transaction or the call reverts.
pub fn pay_ok<C: SolCall>(
    devnet: &mut Devnet,
    side: Side,
    from: Address,
    to: Address,
    call: &C,
    value: U256,
) -> Receipt {
    let receipt = send(devnet, side, from, to, call.abi_encode(), value);
    assert!(
        receipt.status,
        "{} reverted: 0x{}",
        C::SIGNATURE,
        alloy_primitives::hex::encode(&receipt.output)
    );
    receipt
}

/// `eth_call` of a view on one chain of `devnet`.
///
/// # Panics
/// When it reverts or its return value does not decode.
pub fn view<C: SolCall>(devnet: &mut Devnet, side: Side, to: Address, call: &C) -> C::Return {
    let receipt = devnet
        .node_mut(side)
        .call(&CallRequest {
            to: Some(to),
            data: call.abi_encode().into(),
            ..CallRequest::default()
        })
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        receipt.status,
        "view {} reverted: 0x{}",
        C::SIGNATURE,
        alloy_primitives::hex::encode(&receipt.output)
    );
    C::abi_decode_returns(&receipt.output).expect("return value decodes")
}
