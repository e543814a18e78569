//! Stateful property tests of the system invariants (issue 9, item 1): random sequences of
//! calls from random callers (payers, node operators, the administrator, strangers) against the
//! whole network, deployed once by the deployer on the two-chain devnet with the real programs,
//! with every invariant of `spec/settlement-chain.md` §11 and the bridging invariants of the
//! app-chain specification checked after every step:
//!
//! - the fee token's supply equals the underlying it holds, and the balances of every holder
//!   add up to it; every unit of the underlying ever minted is held by someone we track;
//! - the payer registry's fee tokens cover what payers may withdraw (positive balances and
//!   pending withdrawals), and its totals agree with the payers' balances;
//! - no report is settled twice or beyond its leaves: its offset and `feesSettled` follow the
//!   batches that were accepted, a stale batch is refused;
//! - claims (nodes' and the protocol's) never exceed the fees settled, the split of a report
//!   is exact, and the distribution manager's tokens are what the registry sent it minus what
//!   it paid out;
//! - the app chain's per-key parameter nonces never go backwards and the value of a key is the
//!   one bridged with its nonce (tickets redeemed out of order included);
//! - the fee tokens escrowed by the bridge equal the native currency minted on the app chain
//!   minus what was withdrawn, counting tickets, undelivered messages and the outbox;
//! - the broadcasters' sequence ids increase by exactly one per message;
//! - the deposit splitter holds nothing between calls, and a fee-token permit is used (its
//!   nonce spent) exactly when its owner signed it and the deposit went through.
//!
//! Deposits go through every entry point that moves them: approvals, the fee token's EIP-2612
//! permits (payer registry, gateway, deposit splitter), the underlying's permit paths (whose
//! permit the development stablecoin ignores, so they pull on an approval), the splitter's
//! fee-token and underlying paths.
//!
//! A call that reverts must leave both chains' state digests unchanged.
//!
//! The network is deployed once per test binary; each case starts from a snapshot of it. The
//! run is deterministic (fixed seed). `PROPTEST_CASES` sets the number of cases (default
//! [`DEFAULT_CASES`], what CI runs), `INVARIANTS_SEED` the seed (a number, or `random`) for long
//! campaigns, e.g. `PROPTEST_CASES=2000 INVARIANTS_SEED=random cargo test -p
//! xmtp-system-tests --release --test invariants`. Failures are shrunk and saved in
//! `tests/proptest-regressions/invariants.txt`, replayed first on every run.

use std::collections::{BTreeMap, BTreeSet};

use alloy_primitives::{aliases::U96, keccak256, Address, Bytes, FixedBytes, B256, U256};
use alloy_sol_types::{sol, SolCall, SolEvent, SolValue};
use k256::ecdsa::SigningKey;
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, RngSeed, TestCaseError, TestRunner};
use xmtp_abi::{
    app_chain_gateway::IAppChainGateway,
    deposit_splitter::IDepositSplitter,
    distribution_manager::{
        Claim, IDistributionManager, ProtocolFeesClaim, ProtocolFeesWithdrawal, Withdrawal,
    },
    fee_token::IFeeToken,
    group_message_broadcaster::{IGroupMessageBroadcaster, MessageSent},
    identity_update_broadcaster::{IIdentityUpdateBroadcaster, IdentityUpdateCreated},
    node_registry::INodeRegistry,
    parameter_registry::IParameterRegistry,
    payer_registry::{ExcessTransferred, IPayerRegistry},
    payer_report_manager::IPayerReportManager,
    settlement_chain_gateway::{ISettlementChainGateway, ParametersSent},
};
use xmtp_deploy::deployer::{self, Deployer, InProcess, Plan};
use xmtp_devnet::Receipt;
use xmtp_devnet_node::contracts::INBOX;
use xmtp_devnet_node::devnet::to_alias;
use xmtp_devnet_node::{Devnet, DevnetConfig, Side};
use xmtp_reports::{fee_split, sign, Batch, Domain, PayerFee, PayerReport, PayerTree};
use xmtp_system_tests::two_chains;

sol! {
    /// The development stablecoin's open mint and its ERC-20 views.
    function mint(address to, uint256 amount) returns (bool);
    function balanceOf(address account) returns (uint256);
    /// `ArbRetryableTx.redeem` (precompile `0x6e` on the app chain).
    function redeem(bytes32 ticketId) returns (bytes32);
}

/// Cases per run when `PROPTEST_CASES` is not set: what CI runs.
const DEFAULT_CASES: u32 = 2;
/// The seed when `INVARIANTS_SEED` is not set.
const DEFAULT_SEED: u64 = 0x0009_1a7a_71a7;
/// Operations per case, at most.
const MAX_OPS: usize = 30;

const SETTLEMENT_CHAIN_ID: u64 = 84_532;
const APP_CHAIN_ID: u64 = 351_243_127;
/// App-chain wei per fee-token unit (6 decimals).
const SCALE: u64 = 1_000_000_000_000;
/// Receives the protocol's fees.
const PROTOCOL: Address = Address::new([0xfe; 20]);
/// Node ids the registry gives the three nodes, in order.
const NODE_IDS: [u32; 3] = [100, 200, 300];
/// Keys the administrator sets and anyone bridges.
const BRIDGED_KEYS: [&str; 2] = ["xmtp.invariants.alpha", "xmtp.invariants.beta"];
/// Gas limits of bridged tickets: none (waits for a manual redeem), too little (the
/// auto-redeem fails, the ticket waits), enough.
const TICKET_GAS: [u64; 3] = [0, 25_000, 3_000_000];
/// Payload lengths tried on the broadcasters (their bounds are 78 ..= 262,144).
const PAYLOADS: [usize; 4] = [0, 77, 78, 300];

/// Dev account index of a user (2..=9); node operators are the last three.
fn user_index(user: u8) -> usize {
    2 + usize::from(user % 8)
}

fn node_key(node: usize) -> SigningKey {
    SigningKey::from_slice(&[0x31 + u8::try_from(node).expect("three nodes"); 32])
        .expect("a valid key")
}

/// One step of a sequence. Indices (`user`, `report`, ...) are taken modulo what exists.
#[derive(Debug, Clone)]
enum Op {
    /// Mint the stablecoin and wrap it (`FeeToken.deposit`).
    Wrap {
        user: u8,
        amount: u64,
    },
    /// Unwrap (`FeeToken.withdraw`).
    Unwrap {
        user: u8,
        amount: u64,
    },
    /// `PayerRegistry.deposit` for `payer`, fee tokens approved first.
    Deposit {
        user: u8,
        payer: u8,
        amount: u64,
    },
    /// `PayerRegistry.depositFromUnderlying`, the stablecoin minted and approved first.
    DepositFromUnderlying {
        user: u8,
        payer: u8,
        amount: u64,
    },
    RequestWithdrawal {
        user: u8,
        amount: u64,
    },
    CancelWithdrawal {
        user: u8,
    },
    FinalizeWithdrawal {
        user: u8,
        underlying: bool,
    },
    /// Both chains' clocks forward.
    Advance {
        seconds: u32,
    },
    /// A report of `fees` (payer, pico-dollars) signed by the nodes in `signers` (bit mask),
    /// chained to the originator's last one unless `stale`.
    Submit {
        originator: u8,
        fees: Vec<(u8, u64)>,
        length: u16,
        signers: u8,
        stale: bool,
        caller: u8,
    },
    /// A batch of `count` leaves of a report, at its offset, or at the start when `stale`.
    Settle {
        report: u8,
        count: u8,
        stale: bool,
        caller: u8,
    },
    /// A node's claim on a report, by its operator or by `stranger`.
    Claim {
        node: u8,
        report: u8,
        stranger: Option<u8>,
    },
    ClaimProtocol {
        report: u8,
        caller: u8,
    },
    /// A node's withdrawal, by its operator or by `stranger`.
    WithdrawNode {
        node: u8,
        underlying: bool,
        stranger: Option<u8>,
    },
    WithdrawProtocol {
        underlying: bool,
        caller: u8,
    },
    SendExcess {
        caller: u8,
    },
    /// `SettlementChainGateway.deposit` of fee tokens to `recipient` on the app chain.
    BridgeDeposit {
        user: u8,
        recipient: u8,
        amount: u64,
        gas: u8,
    },
    /// `AppChainGateway.withdraw` of `units` fee-token units' worth of native currency.
    AppWithdraw {
        user: u8,
        recipient: u8,
        units: u64,
    },
    /// Delivers the inbox, runs due outbox entries (or all of them).
    Relay {
        all: bool,
    },
    /// The administrator sets the bridged keys in `mask` (when `value` is some), then `user`
    /// bridges them.
    SendParameters {
        user: u8,
        mask: u8,
        value: Option<u64>,
        gas: u8,
        amount: u64,
    },
    /// `ArbRetryableTx.redeem` of a waiting ticket.
    Redeem {
        ticket: u8,
        user: u8,
    },
    /// `addMessage` or `addIdentityUpdate`.
    Broadcast {
        user: u8,
        identity: bool,
        length: u8,
    },
    /// `DepositSplitter.deposit` (fee tokens wrapped and approved first) or
    /// `depositFromUnderlying` (the stablecoin minted and approved first): `registry` to `payer` in the payer registry,
    /// `app` bridged to `recipient`.
    Split {
        user: u8,
        payer: u8,
        registry: u64,
        recipient: u8,
        app: u64,
        gas: u8,
        underlying: bool,
    },
    /// A deposit (of fee tokens wrapped first) on an EIP-2612 permit of the fee token instead of
    /// an approval, signed by the user's key (by another user's when `forged`): `PayerRegistry.depositWithPermit`,
    /// `SettlementChainGateway.depositWithPermit` or `DepositSplitter.depositWithPermit`
    /// (`target` 0, 1, 2; the splitter sends half to the app chain).
    PermitDeposit {
        user: u8,
        payer: u8,
        amount: u64,
        target: u8,
        forged: bool,
    },
    /// The underlying's permit paths: `FeeToken.depositWithPermit`,
    /// `PayerRegistry.depositFromUnderlyingWithPermit`, the gateway's and the splitter's
    /// (`target` 0 to 3). The development stablecoin has no `permit`, so the permit is ignored
    /// and the pull takes an approval, made first unless `unapproved`.
    UnderlyingPermitDeposit {
        user: u8,
        payer: u8,
        amount: u64,
        target: u8,
        unapproved: bool,
    },
    /// Calls only someone else may make: a stranger settling usage, setting a parameter,
    /// delivering parameters on the app chain.
    Unauthorized {
        user: u8,
        which: u8,
    },
}

fn amount() -> impl Strategy<Value = u64> {
    prop_oneof![
        Just(0u64),
        1u64..10_000_000,
        10_000_000u64..60_000_000,
        60_000_000u64..500_000_000,
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let u = || any::<u8>();
    prop_oneof![
        1 => (u(), amount()).prop_map(|(user, amount)| Op::Wrap { user, amount }),
        1 => (u(), amount()).prop_map(|(user, amount)| Op::Unwrap { user, amount }),
        3 => (u(), u(), amount()).prop_map(|(user, payer, amount)| Op::Deposit { user, payer, amount }),
        1 => (u(), u(), amount()).prop_map(|(user, payer, amount)| Op::DepositFromUnderlying {
            user,
            payer,
            amount
        }),
        1 => (u(), amount()).prop_map(|(user, amount)| Op::RequestWithdrawal { user, amount }),
        1 => u().prop_map(|user| Op::CancelWithdrawal { user }),
        1 => (u(), any::<bool>()).prop_map(|(user, underlying)| Op::FinalizeWithdrawal { user, underlying }),
        1 => prop_oneof![Just(60u32), 3_600u32..200_000, Just(700_000u32)]
            .prop_map(|seconds| Op::Advance { seconds }),
        3 => (
            u(),
            prop::collection::vec((u(), 0u64..60_000_000_000_000), 1..6),
            0u16..2_000,
            prop_oneof![Just(0b011u8), Just(0b101), Just(0b110), Just(0b111), Just(0b001), Just(0)],
            prop::bool::weighted(0.1),
            u()
        )
            .prop_map(|(originator, fees, length, signers, stale, caller)| Op::Submit {
                originator,
                fees,
                length,
                signers,
                stale,
                caller
            }),
        4 => (u(), 1u8..6, prop::bool::weighted(0.15), u())
            .prop_map(|(report, count, stale, caller)| Op::Settle { report, count, stale, caller }),
        3 => (u(), u(), prop::option::weighted(0.1, u()))
            .prop_map(|(node, report, stranger)| Op::Claim { node, report, stranger }),
        1 => (u(), u()).prop_map(|(report, caller)| Op::ClaimProtocol { report, caller }),
        2 => (u(), any::<bool>(), prop::option::weighted(0.1, u()))
            .prop_map(|(node, underlying, stranger)| Op::WithdrawNode { node, underlying, stranger }),
        1 => (any::<bool>(), u()).prop_map(|(underlying, caller)| Op::WithdrawProtocol { underlying, caller }),
        1 => u().prop_map(|caller| Op::SendExcess { caller }),
        2 => (u(), u(), amount(), 0u8..3)
            .prop_map(|(user, recipient, amount, gas)| Op::BridgeDeposit { user, recipient, amount, gas }),
        1 => (u(), u(), 0u64..40_000_000)
            .prop_map(|(user, recipient, units)| Op::AppWithdraw { user, recipient, units }),
        2 => any::<bool>().prop_map(|all| Op::Relay { all }),
        2 => (u(), 1u8..4, prop::option::of(any::<u64>()), 0u8..3, 0u64..3_000_000)
            .prop_map(|(user, mask, value, gas, amount)| Op::SendParameters {
                user,
                mask,
                value,
                gas,
                amount
            }),
        1 => (u(), u()).prop_map(|(ticket, user)| Op::Redeem { ticket, user }),
        2 => (u(), any::<bool>(), u())
            .prop_map(|(user, identity, length)| Op::Broadcast { user, identity, length }),
        1 => (u(), 0u8..3).prop_map(|(user, which)| Op::Unauthorized { user, which }),
        2 => ((u(), u(), amount(), u()), (amount(), 0u8..3, any::<bool>())).prop_map(
            |((user, payer, registry, recipient), (app, gas, underlying))| Op::Split {
                user,
                payer,
                registry,
                recipient,
                app,
                gas,
                underlying
            }
        ),
        2 => (u(), u(), amount(), 0u8..3, prop::bool::weighted(0.2)).prop_map(
            |(user, payer, amount, target, forged)| Op::PermitDeposit {
                user,
                payer,
                amount,
                target,
                forged
            }
        ),
        1 => (u(), u(), amount(), 0u8..4, prop::bool::weighted(0.2)).prop_map(
            |(user, payer, amount, target, unapproved)| Op::UnderlyingPermitDeposit {
                user,
                payer,
                amount,
                target,
                unapproved
            }
        ),
    ]
}

/// Where everything is.
#[derive(Debug, Clone, Copy)]
struct Addresses {
    underlying: Address,
    fee_token: Address,
    payer_registry: Address,
    node_registry: Address,
    reports: Address,
    distribution: Address,
    splitter: Address,
    gateway: Address,
    registry: Address,
    group: Address,
    identity: Address,
}

/// A report the model knows about.
#[derive(Debug, Clone)]
struct ReportModel {
    originator: u32,
    index: u64,
    tree: PayerTree,
    micro: Vec<u128>,
    offset: u64,
    settled: u128,
    rate: u16,
    node_ids: Vec<u32>,
    protocol_claimed: bool,
    nodes_claimed: BTreeSet<u32>,
}

impl ReportModel {
    fn is_settled(&self) -> bool {
        self.offset == self.tree.leaf_count()
    }
}

/// What the model expects, beyond what the chains report.
#[derive(Debug, Clone, Default)]
struct Model {
    minted_underlying: U256,
    last_end: BTreeMap<u32, u64>,
    reports: Vec<ReportModel>,
    claimed: u128,
    excess_transferred: u128,
    paid_out: u128,
    /// Fee-token units sent into the inbox and not yet delivered.
    pending_inbox: U256,
    minted_native: U256,
    withdrawn_native: U256,
    /// The settlement registry's values of the bridged keys.
    settlement_params: BTreeMap<&'static str, B256>,
    /// Bridged values by transmission nonce.
    sent: BTreeMap<u64, Vec<(&'static str, B256)>>,
    last_nonce: u64,
    key_nonces: BTreeMap<&'static str, u64>,
    sequence_ids: [Option<u64>; 2],
}

/// The deployed network, its reset point and the values measured at it.
struct World {
    devnet: Devnet,
    snapshot: u64,
    at: Addresses,
    accounts: Vec<Address>,
    /// The development accounts' keys, for permits.
    keys: Vec<SigningKey>,
    admin: Address,
    /// Fee tokens in the inbox minus everything they back, at the reset point.
    bridge_base: U256,
    /// Tracked app-chain balances and tickets at the reset point.
    app_base: U256,
    /// Underlying held by the tracked accounts at the reset point.
    underlying_base: U256,
    /// `sequenceId` of the broadcasters at the reset point (read from storage once).
    model: Model,
}

/// Deploys the network with the deployer on a two-chain devnet with a zero base fee (so that
/// gas moves no value and every balance is accounted to the unit).
fn deploy() -> World {
    let programs = xmtp_system_tests::programs();
    let config = deployer::devnet_config(programs, SETTLEMENT_CHAIN_ID, APP_CHAIN_ID)
        .unwrap_or_else(|e| panic!("{e}"));
    let plan = Plan::new(&config, programs).unwrap_or_else(|e| panic!("{e}"));
    let devnet_config = DevnetConfig {
        basefee: 0,
        ..DevnetConfig::default()
    };
    let mut devnet = deployer::devnet_for(&plan, devnet_config).unwrap_or_else(|e| panic!("{e}"));
    {
        let mut backend = InProcess::new(&mut devnet);
        let outcome = Deployer::new(&mut backend, plan.clone())
            .and_then(Deployer::deploy)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(outcome.skipped.is_empty(), "skipped: {:?}", outcome.skipped);
    }
    devnet.relay_all();
    let unit = |contract: &str, side: Side| {
        plan.unit(contract, side)
            .unwrap_or_else(|| panic!("{contract} planned"))
            .address()
    };
    let at = Addresses {
        underlying: plan.config.underlying_fee_token,
        fee_token: plan.fee_token,
        payer_registry: unit("PayerRegistry", Side::Settlement),
        node_registry: unit("NodeRegistry", Side::Settlement),
        reports: unit("PayerReportManager", Side::Settlement),
        distribution: unit("DistributionManager", Side::Settlement),
        splitter: unit("DepositSplitter", Side::Settlement),
        gateway: plan.gateway,
        registry: plan.parameter_registry,
        group: unit("GroupMessageBroadcaster", Side::App),
        identity: unit("IdentityUpdateBroadcaster", Side::App),
    };
    let accounts: Vec<Address> = devnet.accounts().iter().map(|a| a.address).collect();
    let keys = devnet
        .accounts()
        .iter()
        .map(|a| {
            let bytes = alloy_primitives::hex::decode(&a.key).expect("a hex key");
            SigningKey::from_slice(&bytes).expect("a valid key")
        })
        .collect();
    let admin = plan.admins[0];
    let mut world = World {
        devnet,
        snapshot: 0,
        at,
        accounts,
        keys,
        admin,
        bridge_base: U256::ZERO,
        app_base: U256::ZERO,
        underlying_base: U256::ZERO,
        model: Model::default(),
    };
    world.configure();
    world.snapshot = world.devnet.snapshot();
    world.bridge_base = world.bridge_excess();
    world.app_base = world.app_native();
    world.underlying_base = world.underlying_held();
    world.model = world.fresh_model();
    world
}

impl World {
    fn send(
        &mut self,
        side: Side,
        from: Address,
        to: Address,
        data: Vec<u8>,
        value: U256,
    ) -> Receipt {
        two_chains::send(&mut self.devnet, side, from, to, data, value)
    }

    fn ok<C: SolCall>(&mut self, side: Side, from: Address, to: Address, call: &C) -> Receipt {
        two_chains::pay_ok(&mut self.devnet, side, from, to, call, U256::ZERO)
    }

    fn view<C: SolCall>(&mut self, side: Side, to: Address, call: &C) -> C::Return {
        two_chains::view(&mut self.devnet, side, to, call)
    }

    fn fee_balance(&mut self, who: Address) -> U256 {
        let token = self.at.fee_token;
        self.view(
            Side::Settlement,
            token,
            &IFeeToken::balanceOfCall { account: who },
        )
    }

    fn underlying_balance(&mut self, who: Address) -> U256 {
        let token = self.at.underlying;
        self.view(Side::Settlement, token, &balanceOfCall { account: who })
    }

    fn digests(&self) -> (B256, B256) {
        (
            self.devnet.node(Side::Settlement).chain().state_digest(),
            self.devnet.node(Side::App).chain().state_digest(),
        )
    }

    /// Everyone who may hold fee tokens or the underlying on the settlement chain.
    fn holders(&self) -> Vec<Address> {
        let mut holders = self.accounts.clone();
        holders.extend([
            self.at.fee_token,
            self.at.payer_registry,
            self.at.distribution,
            self.at.splitter,
            self.at.gateway,
            INBOX,
            PROTOCOL,
        ]);
        holders
    }

    /// Native currency on the app chain held by the accounts that can receive it (the dev
    /// accounts, the gateway and the settlement gateway's alias) and by waiting tickets.
    fn app_native(&self) -> U256 {
        let chain = self.devnet.node(Side::App).chain();
        let held: U256 = self
            .accounts
            .iter()
            .chain([self.at.gateway, to_alias(self.at.gateway)].iter())
            .map(|a| chain.balance(*a))
            .sum();
        held + self.devnet.tickets().map(|t| t.call_value).sum::<U256>()
    }

    /// The inbox's fee tokens (in app-chain wei) minus what they back: the native currency on
    /// the app chain, undelivered messages and unexecuted outbox entries. Constant.
    fn bridge_excess(&mut self) -> U256 {
        let escrowed = self.fee_balance(INBOX) * U256::from(SCALE);
        let outbox: U256 = self
            .devnet
            .outbox()
            .iter()
            .filter(|e| !e.executed)
            .map(|e| e.message.value)
            .sum();
        let backed = self.app_native() + outbox + self.model.pending_inbox * U256::from(SCALE);
        // The dev accounts start with native currency the bridge never minted: modular.
        escrowed.wrapping_sub(backed)
    }

    fn underlying_held(&mut self) -> U256 {
        let mut total = U256::ZERO;
        for holder in self.holders() {
            total += self.underlying_balance(holder);
        }
        total
    }

    /// The model at the reset point.
    fn fresh_model(&mut self) -> Model {
        let mut model = Model::default();
        for key in BRIDGED_KEYS {
            let registry = self.at.registry;
            model.settlement_params.insert(
                key,
                self.view(
                    Side::Settlement,
                    registry,
                    &IParameterRegistry::get_0Call { key_: key.into() },
                ),
            );
            model.key_nonces.insert(key, self.key_nonce(key));
        }
        model
    }

    /// `keyNonces[key]` of the app-chain gateway (a mapping at namespace + 1).
    fn key_nonce(&self, key: &str) -> u64 {
        let slot = keccak256(
            [
                key.as_bytes(),
                &(xmtp_core::slots::APP_CHAIN_GATEWAY + U256::from(1)).to_be_bytes::<32>(),
            ]
            .concat(),
        );
        let value = self
            .devnet
            .node(Side::App)
            .chain()
            .storage(self.at.gateway, U256::from_be_bytes(slot.0));
        u64::try_from(value).expect("a nonce fits 64 bits here")
    }

    /// The protocol's recipient, three nodes (operated by dev accounts 7, 8, 9) in the
    /// canonical set, and the bridged keys given a first value.
    fn configure(&mut self) {
        let (admin, registry) = (self.admin, self.at.registry);
        self.ok(
            Side::Settlement,
            admin,
            registry,
            &IParameterRegistry::set_1Call {
                keys_: vec![
                    "xmtp.distributionManager.protocolFeesRecipient".into(),
                    BRIDGED_KEYS[0].into(),
                    BRIDGED_KEYS[1].into(),
                ],
                values_: vec![
                    PROTOCOL.into_word(),
                    B256::with_last_byte(1),
                    B256::with_last_byte(2),
                ],
            },
        );
        let distribution = self.at.distribution;
        self.ok(
            Side::Settlement,
            admin,
            distribution,
            &IDistributionManager::updateProtocolFeesRecipientCall {},
        );
        let nodes = self.at.node_registry;
        for (index, id) in NODE_IDS.into_iter().enumerate() {
            let point = node_key(index).verifying_key().to_encoded_point(false);
            let operator = self.accounts[7 + index];
            let receipt = self.ok(
                Side::Settlement,
                admin,
                nodes,
                &INodeRegistry::addNodeCall {
                    owner_: operator,
                    signingPublicKey_: Bytes::copy_from_slice(point.as_bytes()),
                    httpAddress_: format!("https://node{index}.example"),
                },
            );
            let added = INodeRegistry::addNodeCall::abi_decode_returns(&receipt.output)
                .expect("addNode returns");
            assert_eq!(added.nodeId_, id);
            self.ok(
                Side::Settlement,
                admin,
                nodes,
                &INodeRegistry::addToNetworkCall { nodeId_: id },
            );
        }
    }

    /// Back to the deployed network.
    fn reset(&mut self) {
        assert!(self.devnet.revert(self.snapshot), "the snapshot exists");
        self.snapshot = self.devnet.snapshot();
        self.model = self.fresh_model();
    }
}

/// Fails the case with a message (a `prop_assert!` outside the macro's reach).
macro_rules! ensure {
    ($cond:expr, $($arg:tt)+) => {
        if !$cond {
            return Err(TestCaseError::fail(format!($($arg)+)));
        }
    };
}

/// Sends one call of a step; on a revert checks that both chains' states are unchanged.
fn call(
    world: &mut World,
    side: Side,
    from: Address,
    to: Address,
    data: Vec<u8>,
    value: U256,
) -> Result<Receipt, TestCaseError> {
    let before = world.digests();
    let receipt = world.send(side, from, to, data, value);
    if !receipt.status {
        ensure!(
            world.digests() == before,
            "a reverted call to {to} (0x{}) changed state",
            alloy_primitives::hex::encode(&receipt.output)
        );
        ensure!(receipt.logs.is_empty(), "a reverted call logged");
    }
    Ok(receipt)
}

fn typed<C: SolCall>(
    world: &mut World,
    side: Side,
    from: Address,
    to: Address,
    c: &C,
) -> Result<Receipt, TestCaseError> {
    call(world, side, from, to, c.abi_encode(), U256::ZERO)
}

fn u96(value: u128) -> U96 {
    U96::from(value)
}

/// Mints `amount` of the stablecoin to `who` and approves `spender` for it.
fn mint_and_approve(world: &mut World, who: Address, spender: Address, amount: u64) {
    let token = world.at.underlying;
    world.ok(
        Side::Settlement,
        who,
        token,
        &mintCall {
            to: who,
            amount: U256::from(amount),
        },
    );
    world.model.minted_underlying += U256::from(amount);
    world.ok(
        Side::Settlement,
        who,
        token,
        &IFeeToken::approveCall {
            spender,
            value: U256::from(amount),
        },
    );
}

/// Mints `amount` of the stablecoin to `who` and wraps it: the fee tokens a deposit then uses.
fn wrap(world: &mut World, who: Address, amount: u64) {
    if amount == 0 {
        // The fee token refuses to wrap nothing.
        return;
    }
    let token = world.at.fee_token;
    mint_and_approve(world, who, token, amount);
    world.ok(
        Side::Settlement,
        who,
        token,
        &IFeeToken::depositCall {
            amount_: U256::from(amount),
        },
    );
}

fn approve_fee_tokens(world: &mut World, who: Address, spender: Address, amount: U256) {
    let token = world.at.fee_token;
    world.ok(
        Side::Settlement,
        who,
        token,
        &IFeeToken::approveCall {
            spender,
            value: amount,
        },
    );
}

/// Records what a successful receipt's events say.
fn observe(world: &mut World, receipt: &Receipt) -> Result<(), TestCaseError> {
    for log in &receipt.logs {
        let data = &log.data;
        if log.address == world.at.payer_registry {
            if let Ok(e) = ExcessTransferred::decode_log_data(data) {
                world.model.excess_transferred += e.amount.to::<u128>();
            }
        } else if log.address == world.at.distribution {
            if let Ok(e) = Withdrawal::decode_log_data(data) {
                world.model.paid_out += e.amount.to::<u128>();
            } else if let Ok(e) = ProtocolFeesWithdrawal::decode_log_data(data) {
                world.model.paid_out += e.amount.to::<u128>();
            }
        } else if log.address == world.at.gateway {
            if let Ok(e) = ParametersSent::decode_log_data(data) {
                let nonce = e.nonce.to::<u64>();
                ensure!(
                    nonce == world.model.last_nonce + 1 || world.model.last_nonce == 0,
                    "transmission nonce {nonce} after {}",
                    world.model.last_nonce
                );
                world.model.last_nonce = nonce;
                let values = e
                    .keys
                    .iter()
                    .map(|k| {
                        let key = BRIDGED_KEYS
                            .into_iter()
                            .find(|b| b == k)
                            .expect("a bridged key");
                        (key, world.model.settlement_params[key])
                    })
                    .collect();
                world.model.sent.insert(nonce, values);
            }
        }
        let sequence = if log.address == world.at.group {
            MessageSent::decode_log_data(data)
                .ok()
                .map(|e| (0, e.sequenceId))
        } else if log.address == world.at.identity {
            IdentityUpdateCreated::decode_log_data(data)
                .ok()
                .map(|e| (1, e.sequenceId))
        } else {
            None
        };
        if let Some((which, id)) = sequence {
            if let Some(last) = world.model.sequence_ids[which] {
                ensure!(id == last + 1, "sequence id {id} after {last}");
            }
            world.model.sequence_ids[which] = Some(id);
        }
    }
    Ok(())
}

/// Runs one step.
#[allow(clippy::too_many_lines)]
fn step(world: &mut World, op: &Op) -> Result<(), TestCaseError> {
    let accounts = world.accounts.clone();
    let user = |u: u8| accounts[user_index(u)];
    let at = world.at;
    let receipt = match op.clone() {
        Op::Wrap { user: u, amount } => {
            let who = user(u);
            mint_and_approve(world, who, at.fee_token, amount);
            typed(
                world,
                Side::Settlement,
                who,
                at.fee_token,
                &IFeeToken::depositCall {
                    amount_: U256::from(amount),
                },
            )?
        }
        Op::Unwrap { user: u, amount } => {
            let who = user(u);
            typed(
                world,
                Side::Settlement,
                who,
                at.fee_token,
                &IFeeToken::withdrawCall {
                    amount_: U256::from(amount),
                },
            )?
        }
        Op::Deposit {
            user: u,
            payer,
            amount,
        } => {
            let (who, payer) = (user(u), user(payer));
            approve_fee_tokens(world, who, at.payer_registry, U256::from(amount));
            typed(
                world,
                Side::Settlement,
                who,
                at.payer_registry,
                &IPayerRegistry::depositCall {
                    payer_: payer,
                    amount_: u96(amount.into()),
                },
            )?
        }
        Op::DepositFromUnderlying {
            user: u,
            payer,
            amount,
        } => {
            let (who, payer) = (user(u), user(payer));
            mint_and_approve(world, who, at.payer_registry, amount);
            typed(
                world,
                Side::Settlement,
                who,
                at.payer_registry,
                &IPayerRegistry::depositFromUnderlyingCall {
                    payer_: payer,
                    amount_: u96(amount.into()),
                },
            )?
        }
        Op::RequestWithdrawal { user: u, amount } => typed(
            world,
            Side::Settlement,
            user(u),
            at.payer_registry,
            &IPayerRegistry::requestWithdrawalCall {
                amount_: u96(amount.into()),
            },
        )?,
        Op::CancelWithdrawal { user: u } => typed(
            world,
            Side::Settlement,
            user(u),
            at.payer_registry,
            &IPayerRegistry::cancelWithdrawalCall {},
        )?,
        Op::FinalizeWithdrawal {
            user: u,
            underlying,
        } => {
            let who = user(u);
            if underlying {
                typed(
                    world,
                    Side::Settlement,
                    who,
                    at.payer_registry,
                    &IPayerRegistry::finalizeWithdrawalIntoUnderlyingCall { recipient_: who },
                )?
            } else {
                typed(
                    world,
                    Side::Settlement,
                    who,
                    at.payer_registry,
                    &IPayerRegistry::finalizeWithdrawalCall { recipient_: who },
                )?
            }
        }
        Op::Advance { seconds } => {
            world.devnet.advance(seconds.into());
            return Ok(());
        }
        Op::Submit {
            originator,
            fees,
            length,
            signers,
            stale,
            caller,
        } => {
            return submit(
                world,
                originator,
                &fees,
                length,
                signers,
                stale,
                user(caller),
            );
        }
        Op::Settle {
            report,
            count,
            stale,
            caller,
        } => {
            return settle(world, report, count, stale, user(caller));
        }
        Op::Claim {
            node,
            report,
            stranger,
        } => return claim(world, node, report, stranger),
        Op::ClaimProtocol { report, caller } => return claim_protocol(world, report, user(caller)),
        Op::WithdrawNode {
            node,
            underlying,
            stranger,
        } => {
            let node = usize::from(node % 3);
            let caller = stranger.map_or(world.accounts[7 + node], |s| {
                world.accounts[2 + usize::from(s % 5)]
            });
            let (node_id, recipient) = (NODE_IDS[node], caller);
            let receipt = if underlying {
                typed(
                    world,
                    Side::Settlement,
                    caller,
                    at.distribution,
                    &IDistributionManager::withdrawIntoUnderlyingCall {
                        nodeId_: node_id,
                        recipient_: recipient,
                    },
                )?
            } else {
                typed(
                    world,
                    Side::Settlement,
                    caller,
                    at.distribution,
                    &IDistributionManager::withdrawCall {
                        nodeId_: node_id,
                        recipient_: recipient,
                    },
                )?
            };
            ensure!(
                stranger.is_none() || !receipt.status,
                "a stranger withdrew node {node_id}'s fees"
            );
            receipt
        }
        Op::WithdrawProtocol { underlying, caller } => {
            if underlying {
                typed(
                    world,
                    Side::Settlement,
                    user(caller),
                    at.distribution,
                    &IDistributionManager::withdrawProtocolFeesIntoUnderlyingCall {},
                )?
            } else {
                typed(
                    world,
                    Side::Settlement,
                    user(caller),
                    at.distribution,
                    &IDistributionManager::withdrawProtocolFeesCall {},
                )?
            }
        }
        Op::SendExcess { caller } => typed(
            world,
            Side::Settlement,
            user(caller),
            at.payer_registry,
            &IPayerRegistry::sendExcessToFeeDistributorCall {},
        )?,
        Op::BridgeDeposit {
            user: u,
            recipient,
            amount,
            gas,
        } => {
            let who = user(u);
            approve_fee_tokens(world, who, at.gateway, U256::from(amount));
            let receipt = typed(
                world,
                Side::Settlement,
                who,
                at.gateway,
                &ISettlementChainGateway::depositCall {
                    chainId_: U256::from(APP_CHAIN_ID),
                    recipient_: user(recipient),
                    amount_: U256::from(amount),
                    gasLimit_: U256::from(TICKET_GAS[usize::from(gas)]),
                    maxFeePerGas_: U256::ZERO,
                },
            )?;
            if receipt.status {
                world.model.pending_inbox += U256::from(amount);
            }
            receipt
        }
        Op::AppWithdraw {
            user: u,
            recipient,
            units,
        } => {
            let value = U256::from(units) * U256::from(SCALE);
            let data = IAppChainGateway::withdrawCall {
                recipient_: user(recipient),
            }
            .abi_encode();
            let receipt = call(world, Side::App, user(u), at.gateway, data, value)?;
            if receipt.status {
                world.model.withdrawn_native += value;
            }
            receipt
        }
        Op::Relay { all } => {
            let before = world.model.pending_inbox;
            if all {
                world.devnet.relay_all();
            } else {
                world.devnet.relay();
            }
            world.model.minted_native += before * U256::from(SCALE);
            world.model.pending_inbox = U256::ZERO;
            return Ok(());
        }
        Op::SendParameters {
            user: u,
            mask,
            value,
            gas,
            amount,
        } => {
            let keys: Vec<&'static str> = BRIDGED_KEYS
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, k)| *k)
                .collect();
            if let Some(value) = value {
                let admin = world.admin;
                let words: Vec<B256> = keys.iter().map(|_| B256::from(U256::from(value))).collect();
                world.ok(
                    Side::Settlement,
                    admin,
                    at.registry,
                    &IParameterRegistry::set_1Call {
                        keys_: keys.iter().map(|k| (*k).to_owned()).collect(),
                        values_: words.clone(),
                    },
                );
                for (key, word) in keys.iter().zip(words) {
                    world.model.settlement_params.insert(key, word);
                }
            }
            let who = user(u);
            approve_fee_tokens(world, who, at.gateway, U256::from(amount));
            let receipt = typed(
                world,
                Side::Settlement,
                who,
                at.gateway,
                &ISettlementChainGateway::sendParametersCall {
                    chainIds_: vec![U256::from(APP_CHAIN_ID)],
                    keys_: keys.iter().map(|k| (*k).to_owned()).collect(),
                    gasLimit_: U256::from(TICKET_GAS[usize::from(gas)]),
                    maxFeePerGas_: U256::ZERO,
                    amountToSend_: U256::from(amount),
                },
            )?;
            if receipt.status {
                world.model.pending_inbox += U256::from(amount);
            }
            receipt
        }
        Op::Redeem { ticket, user: u } => {
            let mut tickets: Vec<(U256, B256)> = world
                .devnet
                .tickets()
                .map(|t| (t.message_number, t.id))
                .collect();
            if tickets.is_empty() {
                return Ok(());
            }
            tickets.sort_unstable();
            let id = tickets[usize::from(ticket) % tickets.len()].1;
            let to = xmtp_devnet_node::contracts::ARB_RETRYABLE_TX;
            typed(world, Side::App, user(u), to, &redeemCall { ticketId: id })?
        }
        Op::Broadcast {
            user: u,
            identity,
            length,
        } => {
            let payload = vec![0x5a; PAYLOADS[usize::from(length % 4)]];
            if identity {
                typed(
                    world,
                    Side::App,
                    user(u),
                    at.identity,
                    &IIdentityUpdateBroadcaster::addIdentityUpdateCall {
                        inboxId_: B256::repeat_byte(length),
                        identityUpdate_: payload.into(),
                    },
                )?
            } else {
                typed(
                    world,
                    Side::App,
                    user(u),
                    at.group,
                    &IGroupMessageBroadcaster::addMessageCall {
                        groupId_: FixedBytes([length; 16]),
                        message_: payload.into(),
                    },
                )?
            }
        }
        Op::Split {
            user: u,
            payer,
            registry,
            recipient,
            app,
            gas,
            underlying,
        } => {
            let split = Split {
                payer: user(payer),
                registry,
                recipient: user(recipient),
                app,
                gas: TICKET_GAS[usize::from(gas)],
            };
            return split_deposit(world, user(u), &split, underlying);
        }
        Op::PermitDeposit {
            user: u,
            payer,
            amount,
            target,
            forged,
        } => {
            let signer = if forged {
                user(u.wrapping_add(1))
            } else {
                user(u)
            };
            return permit_deposit(world, user(u), signer, user(payer), amount, target);
        }
        Op::UnderlyingPermitDeposit {
            user: u,
            payer,
            amount,
            target,
            unapproved,
        } => {
            return underlying_permit_deposit(
                world,
                user(u),
                user(payer),
                amount,
                target,
                unapproved,
            );
        }
        Op::Unauthorized { user: u, which } => {
            let who = user(u);
            let receipt = match which {
                0 => typed(
                    world,
                    Side::Settlement,
                    who,
                    at.payer_registry,
                    &IPayerRegistry::settleUsageCall {
                        payerReportId_: B256::repeat_byte(1),
                        payerFees_: vec![xmtp_abi::payer_registry::PayerFee {
                            payer: who,
                            fee: u96(1),
                        }],
                    },
                )?,
                1 => typed(
                    world,
                    Side::Settlement,
                    who,
                    at.registry,
                    &IParameterRegistry::set_0Call {
                        key_: BRIDGED_KEYS[0].into(),
                        value_: B256::repeat_byte(0xee),
                    },
                )?,
                _ => typed(
                    world,
                    Side::App,
                    who,
                    at.gateway,
                    &IAppChainGateway::receiveParametersCall {
                        nonce_: U256::from(u64::MAX),
                        keys_: vec![BRIDGED_KEYS[0].into()],
                        values_: vec![B256::repeat_byte(0xee)],
                    },
                )?,
            };
            ensure!(
                !receipt.status,
                "unauthorized call {which} by {who} succeeded"
            );
            receipt
        }
    };
    if receipt.status {
        observe(world, &receipt)?;
    }
    Ok(())
}

/// A deposit through the `DepositSplitter`.
struct Split {
    payer: Address,
    registry: u64,
    recipient: Address,
    app: u64,
    gas: u64,
}

impl Split {
    fn total(&self) -> u64 {
        self.registry + self.app
    }

    fn args(&self) -> (Address, U96, Address, U96, U256, U256) {
        (
            self.payer,
            u96(self.registry.into()),
            self.recipient,
            u96(self.app.into()),
            U256::from(self.gas),
            U256::ZERO,
        )
    }
}

/// Counts what a successful deposit sent to the app chain.
fn bridged(world: &mut World, receipt: &Receipt, app: u64) -> Result<(), TestCaseError> {
    if receipt.status {
        world.model.pending_inbox += U256::from(app);
        observe(world, receipt)?;
    }
    Ok(())
}

/// `DepositSplitter.deposit` or `depositFromUnderlying` of `split` by `who`, approved first.
fn split_deposit(
    world: &mut World,
    who: Address,
    split: &Split,
    underlying: bool,
) -> Result<(), TestCaseError> {
    let splitter = world.at.splitter;
    let (payer, registry, recipient, app, gas, max_fee) = split.args();
    let data = if underlying {
        mint_and_approve(world, who, splitter, split.total());
        IDepositSplitter::depositFromUnderlyingCall {
            payer_: payer,
            payerRegistryAmount_: registry,
            appChainRecipient_: recipient,
            appChainAmount_: app,
            appChainGasLimit_: gas,
            appChainMaxFeePerGas_: max_fee,
        }
        .abi_encode()
    } else {
        wrap(world, who, split.total());
        approve_fee_tokens(world, who, splitter, U256::from(split.total()));
        IDepositSplitter::depositCall {
            payer_: payer,
            payerRegistryAmount_: registry,
            appChainRecipient_: recipient,
            appChainAmount_: app,
            appChainGasLimit_: gas,
            appChainMaxFeePerGas_: max_fee,
        }
        .abi_encode()
    };
    let receipt = call(world, Side::Settlement, who, splitter, data, U256::ZERO)?;
    bridged(world, &receipt, split.app)
}

/// `signer`'s EIP-2612 permit of `value` fee tokens from `owner` to `spender`, as `(v, r, s)`.
fn fee_token_permit(
    world: &mut World,
    signer: Address,
    owner: Address,
    spender: Address,
    value: U256,
    deadline: U256,
) -> (u8, B256, B256) {
    let token = world.at.fee_token;
    let separator = world.view(Side::Settlement, token, &IFeeToken::DOMAIN_SEPARATORCall {});
    let nonce = world.view(
        Side::Settlement,
        token,
        &IFeeToken::noncesCall { owner_: owner },
    );
    let typehash = keccak256(
        "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)",
    );
    let struct_hash = keccak256((typehash, owner, spender, value, nonce, deadline).abi_encode());
    let digest = keccak256([&[0x19, 0x01], separator.as_slice(), struct_hash.as_slice()].concat());
    let index = world
        .accounts
        .iter()
        .position(|a| *a == signer)
        .expect("a development account");
    let signature = sign(&world.keys[index], digest).expect("signs");
    (
        signature[64],
        B256::from_slice(&signature[..32]),
        B256::from_slice(&signature[32..64]),
    )
}

/// A deposit on a fee-token permit signed by `signer` for `who` (no approval): the permit is
/// used exactly when it is `who`'s own signature and the deposit succeeds.
fn permit_deposit(
    world: &mut World,
    who: Address,
    signer: Address,
    payer: Address,
    amount: u64,
    target: u8,
) -> Result<(), TestCaseError> {
    let at = world.at;
    let deadline = U256::from(world.devnet.node(Side::Settlement).chain().timestamp() + 3_600);
    let value = U256::from(amount);
    let chain_id = U256::from(APP_CHAIN_ID);
    let gas = U256::from(TICKET_GAS[usize::try_from(amount % 3).expect("small")]);
    let (spender, app) = match target {
        0 => (at.payer_registry, 0),
        1 => (at.gateway, amount),
        _ => (at.splitter, amount - amount / 2),
    };
    wrap(world, who, amount);
    let (v, r, s) = fee_token_permit(world, signer, who, spender, value, deadline);
    let data = match target {
        0 => IPayerRegistry::depositWithPermitCall {
            payer_: payer,
            amount_: u96(amount.into()),
            deadline_: deadline,
            v_: v,
            r_: r,
            s_: s,
        }
        .abi_encode(),
        1 => ISettlementChainGateway::depositWithPermitCall {
            chainId_: chain_id,
            recipient_: payer,
            amount_: value,
            gasLimit_: gas,
            maxFeePerGas_: U256::ZERO,
            deadline_: deadline,
            v_: v,
            r_: r,
            s_: s,
        }
        .abi_encode(),
        _ => IDepositSplitter::depositWithPermitCall {
            payer_: payer,
            payerRegistryAmount_: u96((amount / 2).into()),
            appChainRecipient_: payer,
            appChainAmount_: u96(app.into()),
            appChainGasLimit_: gas,
            appChainMaxFeePerGas_: U256::ZERO,
            deadline_: deadline,
            v_: v,
            r_: r,
            s_: s,
        }
        .abi_encode(),
    };
    let token = at.fee_token;
    let nonce = |world: &mut World| {
        world.view(
            Side::Settlement,
            token,
            &IFeeToken::noncesCall { owner_: who },
        )
    };
    let before = nonce(world);
    let receipt = call(world, Side::Settlement, who, spender, data, U256::ZERO)?;
    let used = receipt.status && signer == who;
    let after = nonce(world);
    ensure!(
        after == before + U256::from(u8::from(used)),
        "permit nonce of {who} went from {before} to {after} (own signature {}, status {})",
        signer == who,
        receipt.status
    );
    bridged(world, &receipt, app)
}

/// An underlying permit path: the permit (of a token without `permit`) is ignored, so the
/// deposit needs the approval, and fails without it.
fn underlying_permit_deposit(
    world: &mut World,
    who: Address,
    payer: Address,
    amount: u64,
    target: u8,
    unapproved: bool,
) -> Result<(), TestCaseError> {
    let at = world.at;
    let deadline = U256::MAX;
    let (v, r, s) = (27, B256::repeat_byte(0x11), B256::repeat_byte(0x22));
    let value = U256::from(amount);
    let (spender, app) = match target {
        0 => (at.fee_token, 0),
        1 => (at.payer_registry, 0),
        2 => (at.gateway, amount),
        _ => (at.splitter, amount - amount / 2),
    };
    if unapproved {
        let token = at.underlying;
        world.ok(
            Side::Settlement,
            who,
            token,
            &mintCall {
                to: who,
                amount: value,
            },
        );
        world.model.minted_underlying += value;
    } else {
        mint_and_approve(world, who, spender, amount);
    }
    let data = match target {
        0 => IFeeToken::depositWithPermitCall {
            amount_: value,
            deadline_: deadline,
            v_: v,
            r_: r,
            s_: s,
        }
        .abi_encode(),
        1 => IPayerRegistry::depositFromUnderlyingWithPermitCall {
            payer_: payer,
            amount_: u96(amount.into()),
            deadline_: deadline,
            v_: v,
            r_: r,
            s_: s,
        }
        .abi_encode(),
        2 => ISettlementChainGateway::depositFromUnderlyingWithPermitCall {
            chainId_: U256::from(APP_CHAIN_ID),
            recipient_: payer,
            amount_: value,
            gasLimit_: U256::from(TICKET_GAS[2]),
            maxFeePerGas_: U256::ZERO,
            deadline_: deadline,
            v_: v,
            r_: r,
            s_: s,
        }
        .abi_encode(),
        _ => IDepositSplitter::depositFromUnderlyingWithPermitCall {
            payer_: payer,
            payerRegistryAmount_: u96((amount / 2).into()),
            appChainRecipient_: payer,
            appChainAmount_: u96(app.into()),
            appChainGasLimit_: U256::from(TICKET_GAS[2]),
            appChainMaxFeePerGas_: U256::ZERO,
            deadline_: deadline,
            v_: v,
            r_: r,
            s_: s,
        }
        .abi_encode(),
    };
    let receipt = call(world, Side::Settlement, who, spender, data, U256::ZERO)?;
    ensure!(
        !(receipt.status && unapproved && amount > 0),
        "a pull of {amount} without an approval succeeded (target {target})"
    );
    bridged(world, &receipt, app)
}

/// A report signed by `signers` of the three canonical nodes; must be accepted iff a majority
/// signed, it chains to the originator's last report, and its sequence ids are ordered.
fn submit(
    world: &mut World,
    originator: u8,
    fees: &[(u8, u64)],
    length: u16,
    signers: u8,
    stale: bool,
    caller: Address,
) -> Result<(), TestCaseError> {
    let originator = NODE_IDS[usize::from(originator % 3)];
    let last = world.model.last_end.get(&originator).copied().unwrap_or(0);
    let start = if stale && last > 0 { last - 1 } else { last };
    let end = start + u64::from(length);
    let fees: Vec<PayerFee> = fees
        .iter()
        .map(|(payer, fee)| PayerFee {
            payer: world.accounts[user_index(*payer)],
            fee: u128::from(*fee),
        })
        .collect();
    let tree = PayerTree::from_fees(&fees).expect("a tree");
    let timestamp = world.devnet.node(Side::Settlement).chain().timestamp();
    let report = PayerReport {
        originator_node_id: originator,
        start_sequence_id: start,
        end_sequence_id: end,
        end_minute_since_epoch: u32::try_from(timestamp / 60).expect("minutes fit"),
        payers_merkle_root: tree.root(),
        node_ids: NODE_IDS.to_vec(),
    };
    let digest = report.digest(&Domain {
        chain_id: SETTLEMENT_CHAIN_ID,
        verifying_contract: world.at.reports,
    });
    let signatures: Vec<(u32, Vec<u8>)> = (0..3)
        .filter(|i| signers & (1 << i) != 0)
        .map(|i| {
            (
                NODE_IDS[i],
                sign(&node_key(i), digest).expect("signs").to_vec(),
            )
        })
        .collect();
    let reports = world.at.reports;
    let receipt = call(
        world,
        Side::Settlement,
        caller,
        reports,
        xmtp_reports::submit_calldata(&report, &signatures),
        U256::ZERO,
    )?;
    let expected = signatures.len() >= 2 && start == last;
    if !expected {
        ensure!(
            !receipt.status,
            "report of {originator} {start}..{end} with {} signatures (last end {last}) accepted",
            signatures.len()
        );
        return Ok(());
    }
    if !receipt.status {
        // The one refusal the model does not predict exactly: an empty range after the
        // originator's first report (`PayerReportAlreadySubmitted` for a repeated range).
        ensure!(
            start == end,
            "report of {originator} {start}..{end} refused: 0x{}",
            alloy_primitives::hex::encode(&receipt.output)
        );
        return Ok(());
    }
    let index = world
        .model
        .reports
        .iter()
        .filter(|r| r.originator == originator)
        .count() as u64;
    ensure!(
        receipt.output[..] == B256::from(U256::from(index))[..],
        "report index {} expected {index}",
        alloy_primitives::hex::encode(&receipt.output)
    );
    let micro = fees.iter().map(PayerFee::micro_dollars).collect();
    world.model.last_end.insert(originator, end);
    world.model.reports.push(ReportModel {
        originator,
        index,
        tree,
        micro,
        offset: 0,
        settled: 0,
        rate: 100,
        node_ids: NODE_IDS.to_vec(),
        protocol_claimed: false,
        nodes_claimed: BTreeSet::new(),
    });
    Ok(())
}

/// A batch at the report's offset is accepted; one that starts elsewhere (already settled
/// leaves) or goes past the leaves is refused.
fn settle(
    world: &mut World,
    report: u8,
    count: u8,
    stale: bool,
    caller: Address,
) -> Result<(), TestCaseError> {
    if world.model.reports.is_empty() {
        return Ok(());
    }
    let r = usize::from(report) % world.model.reports.len();
    let model = world.model.reports[r].clone();
    let n = model.tree.leaf_count();
    let start = if stale || model.offset == n {
        0
    } else {
        model.offset
    };
    let count = u64::from(count).min(n - start);
    let batch = Batch {
        start,
        leaves: model.tree.batch(start, count).expect("in range").to_vec(),
        proof: model.tree.proof(start, count).expect("in range"),
    };
    let reports = world.at.reports;
    let receipt = call(
        world,
        Side::Settlement,
        caller,
        reports,
        xmtp_reports::settle_calldata(model.originator, model.index, &batch),
        U256::ZERO,
    )?;
    let expected = start == model.offset && model.offset < n;
    ensure!(
        receipt.status == expected,
        "settling leaves {start}..{} of report {}/{} at offset {} of {n}: status {}",
        start + count,
        model.originator,
        model.index,
        model.offset,
        receipt.status
    );
    if receipt.status {
        let fees: u128 = model.micro
            [usize::try_from(start).expect("fits")..usize::try_from(start + count).expect("fits")]
            .iter()
            .sum();
        let entry = &mut world.model.reports[r];
        entry.offset += count;
        entry.settled += fees;
        observe(world, &receipt)?;
    }
    Ok(())
}

fn claim(
    world: &mut World,
    node: u8,
    report: u8,
    stranger: Option<u8>,
) -> Result<(), TestCaseError> {
    if world.model.reports.is_empty() {
        return Ok(());
    }
    let node = usize::from(node % 3);
    let node_id = NODE_IDS[node];
    let caller = stranger.map_or(world.accounts[7 + node], |s| {
        world.accounts[2 + usize::from(s % 5)]
    });
    let r = usize::from(report) % world.model.reports.len();
    let model = world.model.reports[r].clone();
    let distribution = world.at.distribution;
    let receipt = typed(
        world,
        Side::Settlement,
        caller,
        distribution,
        &IDistributionManager::claimCall {
            nodeId_: node_id,
            originatorNodeIds_: vec![model.originator],
            payerReportIndices_: vec![U256::from(model.index)],
        },
    )?;
    let expected =
        stranger.is_none() && model.is_settled() && !model.nodes_claimed.contains(&node_id);
    ensure!(
        receipt.status == expected,
        "claim of node {node_id} on {}/{} (settled {}, claimed {:?}, stranger {stranger:?}): status {}",
        model.originator,
        model.index,
        model.is_settled(),
        model.nodes_claimed,
        receipt.status
    );
    if receipt.status {
        let (_, portion) = fee_split(model.settled, model.rate, 3);
        let claimed =
            IDistributionManager::claimCall::abi_decode_returns(&receipt.output).expect("decodes");
        ensure!(
            claimed == u96(portion),
            "node {node_id} claimed {claimed}, its portion is {portion}"
        );
        ensure!(
            receipt.logs
                == vec![alloy_primitives::Log {
                    address: distribution,
                    data: Claim {
                        nodeId: node_id,
                        originatorNodeId: model.originator,
                        payerReportIndex: U256::from(model.index),
                        amount: u96(portion),
                    }
                    .encode_log_data(),
                }],
            "claim events"
        );
        world.model.claimed += portion;
        world.model.reports[r].nodes_claimed.insert(node_id);
    }
    Ok(())
}

fn claim_protocol(world: &mut World, report: u8, caller: Address) -> Result<(), TestCaseError> {
    if world.model.reports.is_empty() {
        return Ok(());
    }
    let r = usize::from(report) % world.model.reports.len();
    let model = world.model.reports[r].clone();
    let distribution = world.at.distribution;
    let receipt = typed(
        world,
        Side::Settlement,
        caller,
        distribution,
        &IDistributionManager::claimProtocolFeesCall {
            originatorNodeIds_: vec![model.originator],
            payerReportIndices_: vec![U256::from(model.index)],
        },
    )?;
    let expected = model.is_settled() && !model.protocol_claimed;
    ensure!(
        receipt.status == expected,
        "protocol claim on {}/{} (settled {}, claimed {}): status {}",
        model.originator,
        model.index,
        model.is_settled(),
        model.protocol_claimed,
        receipt.status
    );
    if receipt.status {
        let (share, _) = fee_split(model.settled, model.rate, 3);
        ensure!(
            receipt.logs
                == vec![alloy_primitives::Log {
                    address: distribution,
                    data: ProtocolFeesClaim {
                        originatorNodeId: model.originator,
                        payerReportIndex: U256::from(model.index),
                        amount: u96(share),
                    }
                    .encode_log_data(),
                }],
            "protocol claim events"
        );
        world.model.claimed += share;
        world.model.reports[r].protocol_claimed = true;
    }
    Ok(())
}

/// Every invariant, after every step.
#[allow(clippy::too_many_lines)]
fn check(world: &mut World) -> Result<(), TestCaseError> {
    let at = world.at;
    // The fee token is fully backed and its balances add up.
    let supply = world.view(
        Side::Settlement,
        at.fee_token,
        &IFeeToken::totalSupplyCall {},
    );
    let backing = world.underlying_balance(at.fee_token);
    ensure!(
        supply == backing,
        "fee token supply {supply} but {backing} underlying held"
    );
    let mut held = U256::ZERO;
    for holder in world.holders() {
        held += world.fee_balance(holder);
    }
    ensure!(
        held == supply,
        "fee token balances add up to {held}, supply {supply}"
    );
    let (split_tokens, split_underlying) = (
        world.fee_balance(at.splitter),
        world.underlying_balance(at.splitter),
    );
    ensure!(
        split_tokens.is_zero() && split_underlying.is_zero(),
        "the deposit splitter kept {split_tokens} fee tokens and {split_underlying} underlying"
    );
    let underlying = world.underlying_held();
    ensure!(
        underlying == world.underlying_base + world.model.minted_underlying,
        "{underlying} underlying held, {} minted since the start (base {})",
        world.model.minted_underlying,
        world.underlying_base
    );

    // The payer registry covers what payers may take out; its total deposits are the
    // balances plus the pending withdrawals (as in the reference).
    let total_deposits = world.view(
        Side::Settlement,
        at.payer_registry,
        &IPayerRegistry::totalDepositsCall {},
    );
    let total_debt = world.view(
        Side::Settlement,
        at.payer_registry,
        &IPayerRegistry::totalDebtCall {},
    );
    let (mut sum, mut debt, mut pending) = (0i128, 0u128, 0u128);
    for i in 2..10 {
        let payer = world.accounts[i];
        let balance = world.view(
            Side::Settlement,
            at.payer_registry,
            &IPayerRegistry::getBalanceCall { payer_: payer },
        );
        let balance = i128::try_from(balance).expect("fits");
        sum += balance;
        debt += balance.min(0).unsigned_abs();
        let withdrawal = world.view(
            Side::Settlement,
            at.payer_registry,
            &IPayerRegistry::getPendingWithdrawalCall { payer_: payer },
        );
        pending += withdrawal.pendingWithdrawal_.to::<u128>();
    }
    ensure!(
        i128::try_from(total_deposits).expect("fits") == sum + i128::try_from(pending).expect("fits")
            && total_debt.to::<u128>() == debt,
        "registry totals {total_deposits}/{total_debt}, payers' balances {sum} + {pending} pending / {debt}"
    );
    let registry_tokens = world.fee_balance(at.payer_registry).to::<u128>();
    // Debts are in `sum` as negative balances: adding them back leaves the positive ones.
    let withdrawable =
        u128::try_from(sum + i128::try_from(debt).expect("fits")).expect("not negative");
    ensure!(
        registry_tokens >= withdrawable + pending,
        "the registry holds {registry_tokens}, payers may withdraw {withdrawable} + {pending} pending"
    );

    // Reports: settled as the accepted batches say, never beyond their leaves.
    let mut settled_total = 0u128;
    for r in world.model.reports.clone() {
        let stored = world.view(
            Side::Settlement,
            at.reports,
            &IPayerReportManager::getPayerReportCall {
                originatorNodeId_: r.originator,
                payerReportIndex_: U256::from(r.index),
            },
        );
        ensure!(
            u64::from(stored.offset) == r.offset
                && r.offset <= r.tree.leaf_count()
                && stored.feesSettled.to::<u128>() == r.settled
                && stored.isSettled == r.is_settled()
                && stored.protocolFeeRate == r.rate
                && stored.nodeIds == r.node_ids,
            "report {}/{}: stored offset {} fees {} settled {}, model {} {} of {} leaves",
            r.originator,
            r.index,
            stored.offset,
            stored.feesSettled,
            stored.isSettled,
            r.offset,
            r.settled,
            r.tree.leaf_count()
        );
        settled_total += r.settled;
    }

    // Claims never exceed fees settled; the distribution manager holds what it received minus
    // what it paid, and owes what was claimed minus what it paid.
    ensure!(
        world.model.claimed <= settled_total,
        "claimed {} of {settled_total} settled",
        world.model.claimed
    );
    let owed = world
        .view(
            Side::Settlement,
            at.distribution,
            &IDistributionManager::totalOwedFeesCall {},
        )
        .to::<u128>()
        + world
            .view(
                Side::Settlement,
                at.distribution,
                &IDistributionManager::owedProtocolFeesCall {},
            )
            .to::<u128>();
    ensure!(
        owed + world.model.paid_out == world.model.claimed,
        "owed {owed} + paid {} != claimed {}",
        world.model.paid_out,
        world.model.claimed
    );
    let distribution_tokens = world.fee_balance(at.distribution).to::<u128>();
    ensure!(
        distribution_tokens + world.model.paid_out == world.model.excess_transferred,
        "distribution manager holds {distribution_tokens}, paid {}, received {}",
        world.model.paid_out,
        world.model.excess_transferred
    );

    // The bridge: escrow backs exactly what exists on the app chain or is on its way.
    let excess = world.bridge_excess();
    ensure!(
        excess == world.bridge_base,
        "bridge escrow minus backing moved from {} to {excess}",
        world.bridge_base
    );
    let native = world.app_native();
    ensure!(
        native + world.model.withdrawn_native == world.app_base + world.model.minted_native,
        "app chain holds {native}, withdrew {}, base {} minted {}",
        world.model.withdrawn_native,
        world.app_base,
        world.model.minted_native
    );
    let gateway_native = world.devnet.node(Side::App).chain().balance(at.gateway);
    ensure!(
        gateway_native.is_zero(),
        "the app gateway kept {gateway_native}"
    );

    // Parameter nonces never go backwards; a key's value is the one sent with its nonce.
    for key in BRIDGED_KEYS {
        let nonce = world.key_nonce(key);
        let last = world.model.key_nonces[key];
        ensure!(nonce >= last, "key {key} nonce went from {last} to {nonce}");
        ensure!(
            nonce <= world.model.last_nonce.max(last),
            "key {key} nonce {nonce} never sent"
        );
        if nonce > last {
            let sent = world
                .model
                .sent
                .get(&nonce)
                .and_then(|v| v.iter().find(|(k, _)| *k == key));
            ensure!(
                sent.is_some(),
                "key {key} at nonce {nonce}, which did not carry it"
            );
            let expected = sent.expect("checked").1;
            let value = world.view(
                Side::App,
                at.registry,
                &IParameterRegistry::get_0Call { key_: key.into() },
            );
            ensure!(
                value == expected,
                "key {key} is {value} on the app chain, nonce {nonce} carried {expected}"
            );
        }
        world.model.key_nonces.insert(key, nonce);
    }
    Ok(())
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .map_or(DEFAULT_CASES, |v| {
            v.parse().expect("PROPTEST_CASES is a number")
        })
}

fn seed() -> u64 {
    match std::env::var("INVARIANTS_SEED").ok().as_deref() {
        None => DEFAULT_SEED,
        Some("random") => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .expect("after 1970");
            let seed = now.as_secs() ^ u64::from(now.subsec_nanos()) << 32;
            eprintln!("INVARIANTS_SEED={seed}");
            seed
        }
        Some(v) => v.parse().expect("INVARIANTS_SEED is a number or `random`"),
    }
}

#[test]
fn system_invariants_hold_after_every_step_of_random_call_sequences() {
    let started = std::time::Instant::now();
    let world = std::cell::RefCell::new(deploy());
    let deployed = started.elapsed();
    let config = Config {
        cases: cases(),
        rng_seed: RngSeed::Fixed(seed()),
        max_shrink_iters: 512,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "proptest-regressions/invariants.txt",
        ))),
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let steps = std::cell::Cell::new(0usize);
    let result = runner.run(&prop::collection::vec(op(), 1..MAX_OPS), |ops| {
        let mut world = world.borrow_mut();
        world.reset();
        check(&mut world)?;
        for op in &ops {
            step(&mut world, op)?;
            check(&mut world)?;
            steps.set(steps.get() + 1);
        }
        Ok(())
    });
    eprintln!(
        "{} cases, {} steps; deployment {:.1?}, steps {:.1?}",
        cases(),
        steps.get(),
        deployed,
        started.elapsed().saturating_sub(deployed)
    );
    if let Err(error) = result {
        panic!("{error}");
    }
}
