//! Adversarial cases against the real programs on the devnet:
//!
//! - reentrancy into every program that makes external calls, through a malicious ERC-721
//!   receiver, a malicious underlying token (`transfer`, `transferFrom` and `permit` call back)
//!   and attacker contracts (`xmtp_system_tests::malicious`): the exact outcome of every
//!   re-entrant call and the balances and totals after it;
//! - that no program carries the SDK's blanket reentrancy guard;
//! - replay and malleability of fee-token permits and of payer-report signatures, and payer
//!   reports signed for another chain or contract;
//! - front-running of `deployProxy` salts;
//! - migration to a migrator chosen by someone other than the parameter registry's admins.

use alloy_primitives::{aliases::U96, keccak256, Address, Bytes, B256, U256};
use alloy_sol_types::{sol, SolCall, SolError, SolEvent, SolValue};
use k256::ecdsa::{RecoveryId, Signature, SigningKey, VerifyingKey};
use xmtp_abi::{
    app_chain_gateway::{DepositReceived, TransferFailed},
    deposit_splitter::IDepositSplitter,
    distribution_manager::{AlreadyClaimed, IDistributionManager, NoFeesOwed},
    factory::ProxyDeployed,
    fee_token::IFeeToken,
    migratable::{EmptyCode, ZeroMigrator},
    node_registry::{HttpAddressUpdated, INodeRegistry, NotNodeOwner},
    oz_ecdsa::{ECDSAInvalidSignature, ECDSAInvalidSignatureS},
    oz_erc20::Transfer,
    oz_erc20_permit::ERC2612InvalidSigner,
    oz_erc721::{IERC721Receiver, Transfer as ERC721Transfer, IERC721},
    parameter_registry::{IParameterRegistry, NotAdmin},
    payer_registry::{Deposit as PayerDeposit, IPayerRegistry, NoPendingWithdrawal},
    payer_report_manager::{
        InsufficientSignatures, InvalidStartSequenceId, PayerReportAlreadySubmitted,
        PayerReportSubmitted,
    },
    settlement_chain_external::IPermitErc20Like,
    settlement_chain_gateway::{
        Deposit as GatewayDeposit, ISettlementChainGateway, WithdrawalReceived,
    },
};
use xmtp_devnet::{Chain, Tx};
use xmtp_devnet_node::asm::{assemble, op, push, Item::Op};
use xmtp_devnet_node::contracts::{dev_token_code, inbox_code, INBOX, OPERATOR};
use xmtp_reports::{
    fee_split, settle_calldata, sign, sign_compact, submit_calldata, Batch, Domain, PayerFee,
    PayerReport, PayerTree,
};
use xmtp_system_tests::{
    encode, log_of,
    malicious::{entries, outcome, reverted, succeeded, Action, Hook, Tail},
    programs, send_ok,
    system::{
        deploy_system, pull_payment_parameters, PaymentPath, System, APP_CHAIN_ID, CHAIN_ID,
        UNDERLYING,
    },
    transact, view, DEPLOYER, PROGRAMS,
};

const STRANGER: Address = Address::new([0x5a; 20]);
const BOB: Address = Address::new([0xb0; 20]);

/// secp256k1's group order.
const ORDER: U256 = U256::from_be_bytes(alloy_primitives::hex!(
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141"
));

/// A contract that refuses everything with empty revert data.
fn refuser() -> Bytes {
    assemble(&[push(0), push(0), Op(op::REVERT)]).into()
}

fn system() -> System {
    let mut system = deploy_system();
    system.chain.set_basefee(0);
    for who in [STRANGER, BOB] {
        system
            .chain
            .fund(who, U256::from(10u64).pow(U256::from(21u8)));
    }
    system
}

fn word(chain: &mut Chain, to: Address, data: Vec<u8>) -> U256 {
    let receipt = chain.call(&Tx::call(DEPLOYER, to, data)).expect("accepted");
    assert!(receipt.status, "view reverted");
    U256::abi_decode(&receipt.output).expect("a word")
}

fn revert_of(chain: &mut Chain, tx: &Tx) -> Bytes {
    let before = chain.state_digest();
    let receipt = chain.send(tx).expect("accepted");
    assert!(!receipt.status, "expected a revert");
    assert!(receipt.halt.is_none() && receipt.stylus_halts.is_empty());
    assert_eq!(chain.state_digest(), before, "a revert changes nothing");
    receipt.output
}

#[test]
fn a_recipient_reentering_receive_deposit_gets_exactly_what_was_sent() {
    let mut s = system();
    let gateway = s.proxy("AppChainGateway");
    let receiver = Address::repeat_byte(0x7e);
    let reentry = encode("receiveDeposit(address)", (BOB,));
    let hook = Hook {
        trigger: None,
        actions: vec![Action {
            on_entry: 1,
            target: gateway,
            value: U256::from(4),
            data: reentry,
        }],
        tail: Tail::Stop,
    };
    s.chain.set_code(receiver, hook.code());

    let tx = Tx::call(
        STRANGER,
        gateway,
        encode("receiveDeposit(address)", (receiver,)),
    )
    .value(U256::from(10));
    let receipt = send_ok(&mut s.chain, &tx);
    assert_eq!(
        receipt.logs,
        vec![
            log_of(
                gateway,
                &DepositReceived {
                    recipient: receiver,
                    amount: U256::from(10)
                }
            ),
            log_of(
                gateway,
                &DepositReceived {
                    recipient: BOB,
                    amount: U256::from(4)
                }
            ),
        ]
    );
    assert_eq!(
        outcome(&s.chain, receiver, 0),
        succeeded(&[]),
        "the reentrant call succeeded"
    );
    assert_eq!(entries(&s.chain, receiver), 1, "entered once");
    assert_eq!(s.chain.balance(receiver), U256::from(6));
    assert_eq!(
        s.chain.balance(BOB),
        U256::from(10u64).pow(U256::from(21u8)) + U256::from(4)
    );
    assert_eq!(
        s.chain.balance(gateway),
        U256::ZERO,
        "the gateway keeps nothing"
    );

    // A recipient that refuses the value undoes the whole deposit.
    s.chain.set_code(receiver, refuser());
    let tx = Tx::call(
        STRANGER,
        gateway,
        encode("receiveDeposit(address)", (receiver,)),
    )
    .value(U256::from(10));
    assert_eq!(
        revert_of(&mut s.chain, &tx),
        Bytes::from(TransferFailed {}.abi_encode())
    );
}

#[test]
fn an_underlying_token_reentering_the_fee_token_loses_no_update() {
    let mut s = system();
    let token = s.proxy("FeeToken");
    let supply = |s: &mut System| word(&mut s.chain, token, encode("totalSupply()", ()));
    let balance = |s: &mut System, who: Address| {
        word(&mut s.chain, token, encode("balanceOf(address)", (who,)))
    };
    // During the fee token's pull of 100 underlying, the underlying deposits 5 for itself.
    let inner = encode("deposit(uint256)", (U256::from(5),));
    let hook = |on_entry: u64, data: Vec<u8>| Hook {
        trigger: None,
        actions: vec![Action::on(on_entry, token, data)],
        tail: Tail::Stop,
    };
    s.chain.set_code(UNDERLYING, hook(1, inner).code());
    let receipt = send_ok(
        &mut s.chain,
        &Tx::call(
            STRANGER,
            token,
            encode("deposit(uint256)", (U256::from(100),)),
        ),
    );
    let mint = |to: Address, value: u64| {
        log_of(
            token,
            &Transfer {
                from: Address::ZERO,
                to,
                value: U256::from(value),
            },
        )
    };
    assert_eq!(receipt.logs, vec![mint(UNDERLYING, 5), mint(STRANGER, 100)]);
    assert_eq!(outcome(&s.chain, UNDERLYING, 0), succeeded(&[]));
    assert_eq!(supply(&mut s), U256::from(105), "both mints counted");
    assert_eq!(balance(&mut s, STRANGER), U256::from(100));
    assert_eq!(balance(&mut s, UNDERLYING), U256::from(5));

    // During the payout of a 60 withdrawal, the underlying withdraws its own 5.
    let next = entries(&s.chain, UNDERLYING) + 1;
    let inner = encode("withdraw(uint256)", (U256::from(5),));
    s.chain.set_code(UNDERLYING, hook(next, inner).code());
    let receipt = send_ok(
        &mut s.chain,
        &Tx::call(
            STRANGER,
            token,
            encode("withdraw(uint256)", (U256::from(60),)),
        ),
    );
    let burn = |from: Address, value: u64| {
        log_of(
            token,
            &Transfer {
                from,
                to: Address::ZERO,
                value: U256::from(value),
            },
        )
    };
    assert_eq!(receipt.logs, vec![burn(STRANGER, 60), burn(UNDERLYING, 5)]);
    assert_eq!(supply(&mut s), U256::from(40), "both burns counted");
    assert_eq!(balance(&mut s, STRANGER), U256::from(40));
    assert_eq!(balance(&mut s, UNDERLYING), U256::ZERO);
}

fn address_of(key: &SigningKey) -> Address {
    let point = key.verifying_key().to_encoded_point(false);
    Address::from_raw_public_key(&point.as_bytes()[1..])
}

fn permit_digest(
    s: &mut System,
    owner: Address,
    spender: Address,
    nonce: u64,
    deadline: U256,
) -> B256 {
    let token = s.proxy("FeeToken");
    let separator = B256::from(word(&mut s.chain, token, encode("DOMAIN_SEPARATOR()", ())));
    let typehash = keccak256(
        "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)",
    );
    let value = U256::from(1_000u64);
    let struct_hash =
        keccak256((typehash, owner, spender, value, U256::from(nonce), deadline).abi_encode());
    keccak256([&[0x19, 0x01], separator.as_slice(), struct_hash.as_slice()].concat())
}

fn permit_calldata(
    owner: Address,
    spender: Address,
    deadline: U256,
    v: u8,
    r: B256,
    s: B256,
) -> Vec<u8> {
    encode(
        "permit(address,address,uint256,uint256,uint8,bytes32,bytes32)",
        (
            owner,
            spender,
            U256::from(1_000u64),
            deadline,
            U256::from(v),
            r,
            s,
        ),
    )
}

#[test]
fn a_permit_cannot_be_replayed_or_malleated() {
    let mut s = system();
    let token = s.proxy("FeeToken");
    let key = SigningKey::from_slice(&[0x42; 32]).expect("a valid scalar");
    let owner = address_of(&key);
    let deadline = U256::from(s.chain.timestamp() + 3_600);
    let digest = permit_digest(&mut s, owner, STRANGER, 0, deadline);
    let (signature, recovery) = key
        .sign_prehash_recoverable(digest.as_slice())
        .expect("signs");
    let bytes = signature.to_bytes();
    let (r, low_s) = (
        B256::from_slice(&bytes[..32]),
        B256::from_slice(&bytes[32..]),
    );
    let v = 27 + recovery.to_byte();

    // The same signature with `n − s` and the other `v` recovers the same key: refused by
    // OpenZeppelin's low-s rule before anything else.
    let high_s = B256::from(ORDER - U256::from_be_bytes(low_s.0));
    let malleated = permit_calldata(owner, STRANGER, deadline, 55 - v, r, high_s);
    assert_eq!(
        revert_of(&mut s.chain, &Tx::call(STRANGER, token, malleated)),
        Bytes::from(ECDSAInvalidSignatureS { s: high_s }.abi_encode())
    );
    // A `v` the precompile does not take recovers nothing.
    let bad_v = permit_calldata(owner, STRANGER, deadline, v + 2, r, low_s);
    assert_eq!(
        revert_of(&mut s.chain, &Tx::call(STRANGER, token, bad_v)),
        Bytes::from(ECDSAInvalidSignature {}.abi_encode())
    );

    let valid = permit_calldata(owner, STRANGER, deadline, v, r, low_s);
    send_ok(&mut s.chain, &Tx::call(STRANGER, token, valid.clone()));
    let allowance = word(
        &mut s.chain,
        token,
        encode("allowance(address,address)", (owner, STRANGER)),
    );
    assert_eq!(allowance, U256::from(1_000u64));

    // Replayed, the signature is checked against the next nonce's digest: it recovers some
    // other key, which is not the owner.
    let replay_digest = permit_digest(&mut s, owner, STRANGER, 1, deadline);
    let recovered = VerifyingKey::recover_from_prehash(
        replay_digest.as_slice(),
        &Signature::from_slice(&bytes).expect("a signature"),
        RecoveryId::from_byte(recovery.to_byte()).expect("0 or 1"),
    )
    .expect("recovers a key");
    let recovered = {
        let point = recovered.to_encoded_point(false);
        Address::from_raw_public_key(&point.as_bytes()[1..])
    };
    assert_ne!(recovered, owner);
    assert_eq!(
        revert_of(&mut s.chain, &Tx::call(BOB, token, valid)),
        Bytes::from(
            ERC2612InvalidSigner {
                signer: recovered,
                owner
            }
            .abi_encode()
        )
    );
}

#[test]
fn a_front_run_deploy_proxy_salt_lands_elsewhere_and_the_victims_deployment_still_succeeds() {
    let mut s = system();
    let factory = s.proxy("Factory");
    let implementation = s.implementations["RateRegistry"];
    let salt = B256::repeat_byte(0x33);
    let compute = |s: &mut System, caller: Address| {
        let data = encode("computeProxyAddress(address,bytes32)", (caller, salt));
        Address::from_word(B256::from(word(&mut s.chain, factory, data)))
    };
    let victims = compute(&mut s, DEPLOYER);
    let attackers = compute(&mut s, STRANGER);
    assert_ne!(victims, attackers, "the salt is bound to the caller");

    let init = Bytes::from(encode("initialize()", ()));
    let deploy = encode(
        "deployProxy(address,bytes32,bytes)",
        (implementation, salt, init.clone()),
    );
    // The attacker sees the victim's transaction and sends the same calldata first.
    let front = send_ok(&mut s.chain, &Tx::call(STRANGER, factory, deploy.clone()));
    assert_eq!(
        Address::abi_decode(&front.output).expect("an address"),
        attackers
    );
    assert!(
        s.chain.code(victims).is_empty(),
        "the victim's address is untouched"
    );
    let receipt = send_ok(&mut s.chain, &Tx::call(DEPLOYER, factory, deploy));
    assert_eq!(
        receipt.logs[0],
        log_of(
            factory,
            &ProxyDeployed {
                proxy: victims,
                implementation,
                sender: DEPLOYER,
                salt,
                initializeCallData: init
            }
        )
    );
    assert!(!s.chain.code(victims).is_empty());
}

#[test]
fn only_the_registry_admins_can_point_a_proxy_at_a_migrator() {
    let mut s = system();
    let registry = s.proxy("SettlementChainParameterRegistry");
    let token = s.proxy("FeeToken");
    let key = {
        let receipt = s
            .chain
            .call(&Tx::call(
                DEPLOYER,
                token,
                encode("migratorParameterKey()", ()),
            ))
            .expect("accepted");
        String::abi_decode(&receipt.output).expect("a key")
    };
    // A migrator that would make the stranger's contract the fee token's implementation.
    let malicious = Address::repeat_byte(0x66);
    s.chain.set_code(malicious, refuser());
    let implementation_before = word(&mut s.chain, token, encode("implementation()", ()));

    let set = encode("set(string,bytes32)", (key.clone(), malicious.into_word()));
    assert_eq!(
        revert_of(&mut s.chain, &Tx::call(STRANGER, registry, set.clone())),
        Bytes::from(NotAdmin {}.abi_encode())
    );
    let batch = encode(
        "set(string[],bytes32[])",
        (vec![key.clone()], vec![malicious.into_word()]),
    );
    assert_eq!(
        revert_of(&mut s.chain, &Tx::call(STRANGER, registry, batch)),
        Bytes::from(NotAdmin {}.abi_encode())
    );
    // The registry itself cannot be migrated away from its admins either.
    assert_eq!(
        revert_of(
            &mut s.chain,
            &Tx::call(STRANGER, registry, encode("migrate()", ()))
        ),
        Bytes::from(ZeroMigrator {}.abi_encode())
    );
    assert_eq!(
        revert_of(
            &mut s.chain,
            &Tx::call(STRANGER, token, encode("migrate()", ()))
        ),
        Bytes::from(ZeroMigrator {}.abi_encode())
    );
    assert_eq!(
        word(&mut s.chain, token, encode("implementation()", ())),
        implementation_before
    );

    // An admin's choice is what migrate() follows: a migrator without code is refused.
    let codeless = Address::repeat_byte(0x67);
    send_ok(
        &mut s.chain,
        &Tx::call(
            DEPLOYER,
            registry,
            encode("set(string,bytes32)", (key, codeless.into_word())),
        ),
    );
    assert_eq!(
        revert_of(
            &mut s.chain,
            &Tx::call(STRANGER, token, encode("migrate()", ()))
        ),
        Bytes::from(
            EmptyCode {
                migrator_: codeless
            }
            .abi_encode()
        )
    );
}

// ---------------------------------------------------------------------------------------------
// Reentrancy through a malicious underlying token, ERC-721 receiver or attacker contract into
// every program that makes external calls, on the whole configured network.
//
// Solidity reads storage afresh after every external call, so in the reference a re-entrant
// call sees (and its writes are seen by) the outer call's state as of the call; every program
// here flushes and clears its storage cache around external calls for the same effect. Each
// case states the reference's outcome and asserts ours is exactly that.
// ---------------------------------------------------------------------------------------------

/// Where the underlying's real token logic lives: the devnet's development ERC-20, run by
/// `DELEGATECALL` from the hook installed at [`UNDERLYING`] (so balances live at the hook).
const TOKEN_CODE: Address = Address::new([0x7c; 20]);
/// A contract that acts when poked: a payer, a node operator.
const ATTACKER: Address = Address::new([0xa7; 20]);
const CAROL: Address = Address::new([0xca; 20]);
/// Receives the protocol's fees.
const PROTOCOL: Address = Address::new([0xfe; 20]);
const NODE_IDS: [u32; 3] = [100, 200, 300];
const PROTOCOL_FEE_RATE: u16 = 1_500;
/// Fee-token (and underlying) units per app-chain wei divisor: 6 decimals.
const SCALE: u64 = 1_000_000_000_000;

sol! {
    /// The development token's open mint.
    function mint(address to, uint256 amount) returns (bool);
}

fn node_key(index: usize) -> SigningKey {
    SigningKey::from_slice(&[0x31 + u8::try_from(index).expect("three nodes"); 32])
        .expect("a valid key")
}

/// The system with every parameter the money paths need, three canonical nodes (operated by
/// `operators`), the devnet's inbox for the app chain, and the underlying a hook over the
/// development token (arm it with [`Net::arm`]).
struct Net {
    chain: Chain,
    fee_token: Address,
    payers: Address,
    nodes: Address,
    reports: Address,
    distribution: Address,
    gateway: Address,
    splitter: Address,
}

fn network(operators: [Address; 3]) -> Net {
    let s = system();
    let mut net = Net {
        fee_token: s.proxy("FeeToken"),
        payers: s.proxy("PayerRegistry"),
        nodes: s.proxy("NodeRegistry"),
        reports: s.proxy("PayerReportManager"),
        distribution: s.proxy("DistributionManager"),
        gateway: s.proxy("SettlementChainGateway"),
        splitter: s.proxy("DepositSplitter"),
        chain: s.chain,
    };
    for who in [CAROL, PROTOCOL, DEPLOYER] {
        net.chain.fund(who, U256::from(10u64).pow(U256::from(21u8)));
    }
    net.chain.set_code(TOKEN_CODE, dev_token_code(6).into());
    net.chain.set_code(INBOX, {
        let code = inbox_code(net.fee_token, OPERATOR, U256::from(SCALE));
        code.into()
    });
    net.arm(IFeeToken::transferFromCall::SELECTOR, Vec::new());
    let inbox_key = format!("xmtp.settlementChainGateway.inbox.{APP_CHAIN_ID}");
    let pairs: Vec<(&str, B256)> = vec![
        ("xmtp.nodeRegistry.admin", DEPLOYER.into_word()),
        (
            "xmtp.nodeRegistry.maxCanonicalNodes",
            B256::with_last_byte(3),
        ),
        ("xmtp.payerRegistry.settler", net.reports.into_word()),
        (
            "xmtp.payerRegistry.feeDistributor",
            net.distribution.into_word(),
        ),
        (
            "xmtp.payerReportManager.protocolFeeRate",
            B256::from(U256::from(PROTOCOL_FEE_RATE)),
        ),
        (
            "xmtp.distributionManager.protocolFeesRecipient",
            PROTOCOL.into_word(),
        ),
        (&inbox_key, INBOX.into_word()),
    ];
    let registry = s.base.parameter_registry;
    transact(
        &mut net.chain,
        DEPLOYER,
        registry,
        &IParameterRegistry::set_1Call {
            keys_: pairs.iter().map(|(k, _)| (*k).to_owned()).collect(),
            values_: pairs.iter().map(|(_, v)| *v).collect(),
        },
    );
    pull_parameters(&mut net);
    onboard(&mut net, operators);
    net
}

/// Every program reads the parameters the network set.
fn pull_parameters(net: &mut Net) {
    pull_payment_parameters(
        &mut net.chain,
        PaymentPath {
            nodes: net.nodes,
            payers: net.payers,
            reports: net.reports,
            distribution: net.distribution,
        },
    );
    let (gateway, chain) = (net.gateway, &mut net.chain);
    transact(
        chain,
        DEPLOYER,
        gateway,
        &ISettlementChainGateway::updateInboxCall {
            chainId_: U256::from(APP_CHAIN_ID),
        },
    );
}

/// The three nodes, owned by `operators`, added to the canonical set.
fn onboard(net: &mut Net, operators: [Address; 3]) {
    let nodes = net.nodes;
    let chain = &mut net.chain;
    for (index, owner) in operators.into_iter().enumerate() {
        let point = node_key(index).verifying_key().to_encoded_point(false);
        let (added, _) = transact(
            chain,
            DEPLOYER,
            nodes,
            &INodeRegistry::addNodeCall {
                owner_: owner,
                signingPublicKey_: Bytes::copy_from_slice(point.as_bytes()),
                httpAddress_: format!("https://node{index}.example"),
            },
        );
        assert_eq!(added.nodeId_, NODE_IDS[index]);
        transact(
            chain,
            DEPLOYER,
            nodes,
            &INodeRegistry::addToNetworkCall {
                nodeId_: NODE_IDS[index],
            },
        );
    }
}

impl Net {
    /// Makes the underlying run `actions` on calls with selector `trigger` (entries count on
    /// from earlier ones), then behave as the development token.
    fn arm(&mut self, trigger: [u8; 4], actions: Vec<Action>) {
        let hook = Hook {
            trigger: Some(trigger),
            actions,
            tail: Tail::Delegate(TOKEN_CODE),
        };
        self.chain.set_code(UNDERLYING, hook.code());
    }

    /// The number of the underlying's next triggering call.
    fn next_entry(&self) -> u64 {
        entries(&self.chain, UNDERLYING) + 1
    }

    fn mint(&mut self, to: Address, amount: u64) {
        transact(
            &mut self.chain,
            DEPLOYER,
            UNDERLYING,
            &mintCall {
                to,
                amount: U256::from(amount),
            },
        );
    }

    /// `owner` approves `spender` for `amount` of `token` (the underlying or the fee token).
    fn approve(&mut self, token: Address, owner: Address, spender: Address, amount: u64) {
        transact(
            &mut self.chain,
            owner,
            token,
            &IFeeToken::approveCall {
                spender,
                value: U256::from(amount),
            },
        );
    }

    /// `who` mints `amount` of the underlying and wraps it into fee tokens.
    fn wrap(&mut self, who: Address, amount: u64) {
        self.mint(who, amount);
        let token = self.fee_token;
        self.approve(UNDERLYING, who, token, amount);
        transact(
            &mut self.chain,
            who,
            token,
            &IFeeToken::depositCall {
                amount_: U256::from(amount),
            },
        );
    }

    fn underlying(&mut self, who: Address) -> u64 {
        view(
            &mut self.chain,
            UNDERLYING,
            &IFeeToken::balanceOfCall { account: who },
        )
        .to::<u64>()
    }

    fn fee_tokens(&mut self, who: Address) -> u64 {
        let token = self.fee_token;
        view(
            &mut self.chain,
            token,
            &IFeeToken::balanceOfCall { account: who },
        )
        .to::<u64>()
    }

    fn registry_balance(&mut self, payer: Address) -> i128 {
        let payers = self.payers;
        let balance = view(
            &mut self.chain,
            payers,
            &IPayerRegistry::getBalanceCall { payer_: payer },
        );
        i128::try_from(balance).expect("fits")
    }

    fn total_deposits(&mut self) -> i128 {
        let payers = self.payers;
        i128::try_from(view(
            &mut self.chain,
            payers,
            &IPayerRegistry::totalDepositsCall {},
        ))
        .expect("fits")
    }

    /// The fee token is exactly backed: its supply is the underlying it holds.
    fn assert_backed(&mut self, supply: u64) {
        let token = self.fee_token;
        let total = view(&mut self.chain, token, &IFeeToken::totalSupplyCall {});
        assert_eq!(total, U256::from(supply), "fee token supply");
        assert_eq!(
            self.underlying(token),
            supply,
            "underlying held by the fee token"
        );
    }
}

/// The logs of `receipt` emitted by `emitter` that decode as `E`.
fn events_of<E: SolEvent>(receipt: &xmtp_devnet::Receipt, emitter: Address) -> Vec<E> {
    receipt
        .logs
        .iter()
        .filter(|log| log.address == emitter)
        .filter_map(|log| E::decode_log_data(&log.data).ok())
        .collect()
}

/// `onERC721Received`'s answer: its selector, left-aligned.
fn erc721_received() -> B256 {
    let mut word = B256::ZERO;
    word[..4].copy_from_slice(&IERC721Receiver::onERC721ReceivedCall::SELECTOR);
    word
}

/// An ERC-721 receiver of node 100 that, while OpenZeppelin asks it to accept the node (the
/// token already moved), renames the node, asks the distribution manager for its fees (which
/// asks the registry who owns the node), gives the node to Carol and asks again.
fn receiver_hook(net: &Net, receiver: Address, http: &str) -> Hook {
    let (nodes, distribution) = (net.nodes, net.distribution);
    let node = NODE_IDS[0];
    let withdraw = IDistributionManager::withdrawCall {
        nodeId_: node,
        recipient_: receiver,
    }
    .abi_encode();
    Hook {
        trigger: None,
        actions: vec![
            Action::on(
                1,
                nodes,
                INodeRegistry::setHttpAddressCall {
                    nodeId_: node,
                    httpAddress_: http.to_owned(),
                }
                .abi_encode(),
            ),
            Action::on(1, distribution, withdraw.clone()),
            Action::on(
                1,
                nodes,
                IERC721::transferFromCall {
                    from: receiver,
                    to: CAROL,
                    tokenId: U256::from(node),
                }
                .abi_encode(),
            ),
            Action::on(1, distribution, withdraw),
        ],
        tail: Tail::Return(erc721_received()),
    }
}

#[test]
fn an_erc721_receiver_reentering_sees_itself_as_the_owner_and_loses_no_update() {
    let mut net = network([BOB, CAROL, CAROL]);
    let nodes = net.nodes;
    let node = NODE_IDS[0];
    let receiver = Address::repeat_byte(0x7e);
    let http = "https://receiver.example".to_owned();
    net.chain
        .set_code(receiver, receiver_hook(&net, receiver, &http).code());
    let (_, receipt) = transact(
        &mut net.chain,
        BOB,
        nodes,
        &IERC721::safeTransferFrom_1Call {
            from: BOB,
            to: receiver,
            tokenId: U256::from(node),
        },
    );
    assert_eq!(outcome(&net.chain, receiver, 0), succeeded(&[]));
    assert_eq!(
        outcome(&net.chain, receiver, 1),
        reverted(&NoFeesOwed {}.abi_encode()),
        "the distribution manager saw the receiver as the owner"
    );
    assert_eq!(outcome(&net.chain, receiver, 2), succeeded(&[]));
    assert_eq!(
        outcome(&net.chain, receiver, 3),
        reverted(&NotNodeOwner {}.abi_encode()),
        "and then Carol"
    );
    let transfer = |from: Address, to: Address| {
        log_of(
            nodes,
            &ERC721Transfer {
                from,
                to,
                tokenId: U256::from(node),
            },
        )
    };
    assert_eq!(
        receipt.logs,
        vec![
            transfer(BOB, receiver),
            log_of(
                nodes,
                &HttpAddressUpdated {
                    nodeId: node,
                    httpAddress: http.clone()
                }
            ),
            transfer(receiver, CAROL),
        ]
    );
    let owner = view(
        &mut net.chain,
        nodes,
        &IERC721::ownerOfCall {
            tokenId: U256::from(node),
        },
    );
    assert_eq!(owner, CAROL);
    for (who, count) in [(BOB, 0u64), (receiver, 0), (CAROL, 3)] {
        let balance = view(
            &mut net.chain,
            nodes,
            &IERC721::balanceOfCall { owner: who },
        );
        assert_eq!(balance, U256::from(count), "NFTs of {who}");
    }
    let stored = view(
        &mut net.chain,
        nodes,
        &INodeRegistry::getNodeCall { nodeId_: node },
    );
    assert_eq!(stored.httpAddress, http);
}

/// The underlying's hook approves `spender` for `amount` of its own tokens (a call to itself,
/// which is not the trigger, so the development token runs it), then calls `then`.
fn approve_then(
    spender: Address,
    amount: u64,
    on_entry: u64,
    then: (Address, Vec<u8>),
) -> [Action; 2] {
    [
        Action::on(
            on_entry,
            UNDERLYING,
            IFeeToken::approveCall {
                spender,
                value: U256::from(amount),
            }
            .abi_encode(),
        ),
        Action::on(on_entry, then.0, then.1),
    ]
}

/// `true`, as a token returns it.
fn true_word() -> Vec<u8> {
    U256::from(1).to_be_bytes::<32>().to_vec()
}

#[test]
fn an_underlying_reentering_the_payer_registry_during_its_pull_deposits_both_amounts() {
    let mut net = network([CAROL; 3]);
    let payers = net.payers;
    net.mint(BOB, 100);
    net.approve(UNDERLYING, BOB, payers, 100);
    net.mint(UNDERLYING, 10);
    // While the registry pulls Bob's 100, the underlying deposits 10 of its own for Carol
    // through the same function: a nested pull, wrap and credit inside the outer pull.
    let inner = IPayerRegistry::depositFromUnderlyingCall {
        payer_: CAROL,
        amount_: U96::from(10),
    };
    let entry = net.next_entry();
    net.arm(
        IFeeToken::transferFromCall::SELECTOR,
        approve_then(payers, 10, entry, (payers, inner.abi_encode())).to_vec(),
    );
    let (_, receipt) = transact(
        &mut net.chain,
        BOB,
        payers,
        &IPayerRegistry::depositFromUnderlyingCall {
            payer_: BOB,
            amount_: U96::from(100),
        },
    );
    assert_eq!(outcome(&net.chain, UNDERLYING, 0), succeeded(&true_word()));
    assert_eq!(outcome(&net.chain, UNDERLYING, 1), succeeded(&[]));
    assert_eq!(
        events_of::<PayerDeposit>(&receipt, payers),
        vec![
            PayerDeposit {
                payer: CAROL,
                amount: U96::from(10)
            },
            PayerDeposit {
                payer: BOB,
                amount: U96::from(100)
            }
        ]
    );
    assert_eq!(net.registry_balance(BOB), 100);
    assert_eq!(net.registry_balance(CAROL), 10);
    assert_eq!(net.total_deposits(), 110, "both credits counted");
    assert_eq!(net.fee_tokens(payers), 110, "both wraps held");
    assert_eq!(net.underlying(payers), 0, "nothing left unwrapped");
    net.assert_backed(110);
    let token = net.fee_token;
    let left = view(
        &mut net.chain,
        UNDERLYING,
        &IFeeToken::allowanceCall {
            owner: payers,
            spender: token,
        },
    );
    assert_eq!(left, U256::ZERO, "exact approvals, none left over");
}

#[test]
fn a_payer_reentering_its_own_withdrawal_cannot_finalize_it_twice() {
    let mut net = network([CAROL; 3]);
    let payers = net.payers;
    // Bob deposits 50 for the attacker contract, which then requests 40 back (entry 1) and
    // finalizes into the underlying (entry 2). The underlying's transfer pokes it (entry 3)
    // and it tries both finalizations again.
    net.wrap(BOB, 50);
    net.approve(net.fee_token, BOB, payers, 50);
    transact(
        &mut net.chain,
        BOB,
        payers,
        &IPayerRegistry::depositCall {
            payer_: ATTACKER,
            amount_: U96::from(50),
        },
    );
    let attacker = Hook {
        trigger: None,
        actions: vec![
            Action::on(
                1,
                payers,
                IPayerRegistry::requestWithdrawalCall {
                    amount_: U96::from(40),
                }
                .abi_encode(),
            ),
            Action::on(
                2,
                payers,
                IPayerRegistry::finalizeWithdrawalIntoUnderlyingCall {
                    recipient_: ATTACKER,
                }
                .abi_encode(),
            ),
            Action::on(
                3,
                payers,
                IPayerRegistry::finalizeWithdrawalCall {
                    recipient_: ATTACKER,
                }
                .abi_encode(),
            ),
            Action::on(
                3,
                payers,
                IPayerRegistry::finalizeWithdrawalIntoUnderlyingCall {
                    recipient_: ATTACKER,
                }
                .abi_encode(),
            ),
        ],
        tail: Tail::Stop,
    };
    net.chain.set_code(ATTACKER, attacker.code());
    send_ok(&mut net.chain, &Tx::call(BOB, ATTACKER, Vec::new()));
    assert_eq!(outcome(&net.chain, ATTACKER, 0), succeeded(&[]));
    let entry = net.next_entry();
    net.arm(
        IFeeToken::transferCall::SELECTOR,
        vec![Action::on(entry, ATTACKER, Vec::new())],
    );
    send_ok(&mut net.chain, &Tx::call(BOB, ATTACKER, Vec::new()));
    assert_eq!(outcome(&net.chain, ATTACKER, 1), succeeded(&[]));
    assert_eq!(outcome(&net.chain, UNDERLYING, 0), succeeded(&[]));
    // The reference clears the pending withdrawal before paying it out; so does ours.
    let none = NoPendingWithdrawal {}.abi_encode();
    assert_eq!(outcome(&net.chain, ATTACKER, 2), reverted(&none));
    assert_eq!(outcome(&net.chain, ATTACKER, 3), reverted(&none));
    assert_eq!(net.underlying(ATTACKER), 40, "paid once");
    assert_eq!(net.registry_balance(ATTACKER), 10);
    assert_eq!(net.total_deposits(), 10);
    assert_eq!(net.fee_tokens(payers), 10);
    net.assert_backed(10);
}

fn gateway_deposit(
    recipient: Address,
    amount: u64,
) -> ISettlementChainGateway::depositFromUnderlyingCall {
    ISettlementChainGateway::depositFromUnderlyingCall {
        chainId_: U256::from(APP_CHAIN_ID),
        recipient_: recipient,
        amount_: U256::from(amount),
        gasLimit_: U256::ZERO,
        maxFeePerGas_: U256::ZERO,
    }
}

#[test]
fn an_underlying_reentering_the_gateway_escrows_both_deposits_and_a_reentrant_withdrawal_gets_nothing(
) {
    let mut net = network([CAROL; 3]);
    let gateway = net.gateway;
    net.mint(BOB, 100);
    net.approve(UNDERLYING, BOB, gateway, 100);
    net.mint(UNDERLYING, 10);
    let entry = net.next_entry();
    net.arm(
        IFeeToken::transferFromCall::SELECTOR,
        approve_then(
            gateway,
            10,
            entry,
            (gateway, gateway_deposit(CAROL, 10).abi_encode()),
        )
        .to_vec(),
    );
    let (_, receipt) = transact(&mut net.chain, BOB, gateway, &gateway_deposit(BOB, 100));
    assert_eq!(outcome(&net.chain, UNDERLYING, 1), succeeded(&[]));
    let deposit = |message: u64, recipient: Address, amount: u64| GatewayDeposit {
        chainId: U256::from(APP_CHAIN_ID),
        messageNumber: U256::from(message),
        recipient,
        amount: U256::from(amount),
        maxFees: U256::ZERO,
    };
    // The inner deposit reaches the inbox first, so it has the first message number.
    assert_eq!(
        events_of::<GatewayDeposit>(&receipt, gateway),
        vec![deposit(0, CAROL, 10), deposit(1, BOB, 100)]
    );
    assert_eq!(net.fee_tokens(INBOX), 110, "both escrowed");
    assert_eq!(net.fee_tokens(gateway), 0);
    assert_eq!(net.underlying(gateway), 0);
    net.assert_backed(110);

    // A withdrawal reaching the gateway (30 fee tokens) is paid out in the underlying; while
    // the underlying pays it, it asks the gateway to pay out again, to Carol. The reference
    // sends the gateway's whole balance, which the fee token has already burned: nothing.
    net.wrap(BOB, 30);
    let token = net.fee_token;
    transact(
        &mut net.chain,
        BOB,
        token,
        &IFeeToken::transferCall {
            to: gateway,
            value: U256::from(30),
        },
    );
    let entry = net.next_entry();
    let again = ISettlementChainGateway::receiveWithdrawalCall { recipient_: CAROL };
    net.arm(
        IFeeToken::transferCall::SELECTOR,
        vec![Action::on(entry, gateway, again.abi_encode())],
    );
    let (paid, receipt) = transact(
        &mut net.chain,
        STRANGER,
        gateway,
        &ISettlementChainGateway::receiveWithdrawalIntoUnderlyingCall { recipient_: BOB },
    );
    assert_eq!(paid, U256::from(30));
    assert_eq!(
        outcome(&net.chain, UNDERLYING, 0),
        succeeded(&U256::ZERO.to_be_bytes::<32>())
    );
    assert_eq!(
        events_of::<WithdrawalReceived>(&receipt, gateway),
        vec![
            WithdrawalReceived {
                recipient: BOB,
                amount: U256::from(30)
            },
            WithdrawalReceived {
                recipient: CAROL,
                amount: U256::ZERO
            }
        ]
    );
    assert_eq!(net.underlying(BOB), 30);
    assert_eq!(net.fee_tokens(CAROL), 0);
    assert_eq!(net.fee_tokens(gateway), 0);
    net.assert_backed(110);
}

fn splitter_deposit(
    payer: Address,
    registry_amount: u64,
    recipient: Address,
    app_amount: u64,
) -> IDepositSplitter::depositFromUnderlyingCall {
    IDepositSplitter::depositFromUnderlyingCall {
        payer_: payer,
        payerRegistryAmount_: U96::from(registry_amount),
        appChainRecipient_: recipient,
        appChainAmount_: U96::from(app_amount),
        appChainGasLimit_: U256::ZERO,
        appChainMaxFeePerGas_: U256::ZERO,
    }
}

#[test]
fn an_underlying_reentering_the_deposit_splitter_splits_both_and_leaves_it_empty() {
    let mut net = network([CAROL; 3]);
    let (splitter, payers) = (net.splitter, net.payers);
    net.mint(BOB, 100);
    net.approve(UNDERLYING, BOB, splitter, 100);
    net.mint(UNDERLYING, 10);
    // Bob's 100 split 60 / 40; during its pull the underlying splits 10 of its own 4 / 6.
    let entry = net.next_entry();
    net.arm(
        IFeeToken::transferFromCall::SELECTOR,
        approve_then(
            splitter,
            10,
            entry,
            (splitter, splitter_deposit(CAROL, 4, CAROL, 6).abi_encode()),
        )
        .to_vec(),
    );
    let (_, receipt) = transact(
        &mut net.chain,
        BOB,
        splitter,
        &splitter_deposit(BOB, 60, BOB, 40),
    );
    assert_eq!(outcome(&net.chain, UNDERLYING, 1), succeeded(&[]));
    assert_eq!(
        events_of::<PayerDeposit>(&receipt, payers),
        vec![
            PayerDeposit {
                payer: CAROL,
                amount: U96::from(4)
            },
            PayerDeposit {
                payer: BOB,
                amount: U96::from(60)
            }
        ]
    );
    let recipients: Vec<(Address, U256)> = events_of::<GatewayDeposit>(&receipt, net.gateway)
        .into_iter()
        .map(|d| (d.recipient, d.amount))
        .collect();
    assert_eq!(
        recipients,
        vec![(CAROL, U256::from(6)), (BOB, U256::from(40))]
    );
    assert_eq!(net.registry_balance(BOB), 60);
    assert_eq!(net.registry_balance(CAROL), 4);
    assert_eq!(net.total_deposits(), 64);
    assert_eq!(net.fee_tokens(payers), 64);
    assert_eq!(net.fee_tokens(INBOX), 46);
    assert_eq!(net.fee_tokens(splitter), 0, "the splitter holds nothing");
    assert_eq!(net.underlying(splitter), 0);
    net.assert_backed(110);
}

#[test]
fn a_reentrant_deposit_inside_an_ignored_permit_is_undone_with_it() {
    let mut net = network([CAROL; 3]);
    let payers = net.payers;
    net.mint(BOB, 100);
    net.approve(UNDERLYING, BOB, payers, 100);
    net.mint(UNDERLYING, 10);
    let entries_before = entries(&net.chain, UNDERLYING);
    // The development token has no `permit`: the underlying's `permit` runs the re-entrant
    // deposit, then reverts, which undoes it. The registry ignores the permit's outcome (as the
    // reference's `try`) and pulls on Bob's allowance.
    let inner = IPayerRegistry::depositFromUnderlyingCall {
        payer_: CAROL,
        amount_: U96::from(10),
    };
    net.arm(
        IPermitErc20Like::permitCall::SELECTOR,
        approve_then(payers, 10, entries_before + 1, (payers, inner.abi_encode())).to_vec(),
    );
    let (_, receipt) = transact(
        &mut net.chain,
        BOB,
        payers,
        &IPayerRegistry::depositFromUnderlyingWithPermitCall {
            payer_: BOB,
            amount_: U96::from(100),
            deadline_: U256::MAX,
            v_: 27,
            r_: B256::repeat_byte(1),
            s_: B256::repeat_byte(2),
        },
    );
    assert_eq!(
        events_of::<PayerDeposit>(&receipt, payers),
        vec![PayerDeposit {
            payer: BOB,
            amount: U96::from(100)
        }]
    );
    assert_eq!(entries(&net.chain, UNDERLYING), entries_before, "undone");
    assert_eq!(outcome(&net.chain, UNDERLYING, 0), None);
    assert_eq!(net.registry_balance(CAROL), 0);
    assert_eq!(net.underlying(UNDERLYING), 10);
    assert_eq!(net.total_deposits(), 100);
    assert_eq!(net.fee_tokens(payers), 100);
    net.assert_backed(100);
}

/// A report of originator 100 over `start..end` with the payers' `fees`, its tree and digest.
fn report(net: &Net, start: u64, end: u64, fees: &[(Address, u128)]) -> (PayerReport, PayerTree) {
    let fees: Vec<PayerFee> = fees
        .iter()
        .map(|(payer, fee)| PayerFee {
            payer: *payer,
            fee: *fee,
        })
        .collect();
    let tree = PayerTree::from_fees(&fees).expect("a tree");
    let report = PayerReport {
        originator_node_id: NODE_IDS[0],
        start_sequence_id: start,
        end_sequence_id: end,
        end_minute_since_epoch: u32::try_from(net.chain.timestamp() / 60).expect("fits"),
        payers_merkle_root: tree.root(),
        node_ids: NODE_IDS.to_vec(),
    };
    (report, tree)
}

fn domain(net: &Net) -> Domain {
    Domain {
        chain_id: CHAIN_ID,
        verifying_contract: net.reports,
    }
}

/// Signatures of nodes `signers` (indices) over `digest`.
fn signed(digest: B256, signers: &[usize]) -> Vec<(u32, Vec<u8>)> {
    signers
        .iter()
        .map(|i| {
            (
                NODE_IDS[*i],
                sign(&node_key(*i), digest).expect("signs").to_vec(),
            )
        })
        .collect()
}

/// Bob funds his usage with 1,000,000 fee-token units; a report of originator 100 bills him
/// 600,000 micro-dollars, signed by two nodes, and is settled in one batch.
fn settled_report(net: &mut Net) {
    let (payers, reports) = (net.payers, net.reports);
    net.wrap(BOB, 1_000_000);
    net.approve(net.fee_token, BOB, payers, 1_000_000);
    transact(
        &mut net.chain,
        BOB,
        payers,
        &IPayerRegistry::depositCall {
            payer_: BOB,
            amount_: U96::from(1_000_000),
        },
    );
    let (report, tree) = report(net, 0, 10, &[(BOB, 600_000_000_000)]);
    let signatures = signed(report.digest(&domain(net)), &[0, 1]);
    send_ok(
        &mut net.chain,
        &Tx::call(STRANGER, reports, submit_calldata(&report, &signatures)),
    );
    let batch = Batch {
        start: 0,
        leaves: tree.batch(0, 1).expect("in range").to_vec(),
        proof: tree.proof(0, 1).expect("in range"),
    };
    send_ok(
        &mut net.chain,
        &Tx::call(STRANGER, reports, settle_calldata(NODE_IDS[0], 0, &batch)),
    );
}

/// Node 100's operator: it claims (entry 1), withdraws into the underlying (entry 2), and
/// when poked during the payout (entry 3) withdraws and claims again.
fn node_operator_hook(net: &Net) -> Hook {
    let distribution = net.distribution;
    let node = NODE_IDS[0];
    let node_claim = IDistributionManager::claimCall {
        nodeId_: node,
        originatorNodeIds_: vec![NODE_IDS[0]],
        payerReportIndices_: vec![U256::ZERO],
    };
    let withdraw = IDistributionManager::withdrawCall {
        nodeId_: node,
        recipient_: ATTACKER,
    };
    Hook {
        trigger: None,
        actions: vec![
            Action::on(1, distribution, node_claim.abi_encode()),
            Action::on(
                2,
                distribution,
                IDistributionManager::withdrawIntoUnderlyingCall {
                    nodeId_: node,
                    recipient_: ATTACKER,
                }
                .abi_encode(),
            ),
            Action::on(3, distribution, withdraw.abi_encode()),
            Action::on(3, distribution, node_claim.abi_encode()),
        ],
        tail: Tail::Stop,
    }
}

#[test]
fn fees_cannot_be_withdrawn_twice_through_a_reentering_underlying() {
    let mut net = network([ATTACKER, CAROL, CAROL]);
    let (payers, distribution) = (net.payers, net.distribution);
    settled_report(&mut net);
    let (protocol, portion) = fee_split(600_000, PROTOCOL_FEE_RATE, 3);
    let claim = IDistributionManager::claimProtocolFeesCall {
        originatorNodeIds_: vec![NODE_IDS[0]],
        payerReportIndices_: vec![U256::ZERO],
    };
    transact(&mut net.chain, STRANGER, distribution, &claim);

    // The protocol's withdrawal into the underlying: while the underlying pays it, it asks for
    // the protocol's fees again and claims the report again.
    let entry = net.next_entry();
    net.arm(
        IFeeToken::transferCall::SELECTOR,
        vec![
            Action::on(
                entry,
                distribution,
                IDistributionManager::withdrawProtocolFeesCall {}.abi_encode(),
            ),
            Action::on(entry, distribution, claim.abi_encode()),
        ],
    );
    let (withdrawn, _) = transact(
        &mut net.chain,
        STRANGER,
        distribution,
        &IDistributionManager::withdrawProtocolFeesIntoUnderlyingCall {},
    );
    assert_eq!(withdrawn, U96::from(protocol));
    let already = AlreadyClaimed {
        originatorNodeId: NODE_IDS[0],
        payerReportIndex: U256::ZERO,
    }
    .abi_encode();
    // The reference zeroes what is owed before paying and marks the claim before crediting.
    let nothing = NoFeesOwed {}.abi_encode();
    assert_eq!(outcome(&net.chain, UNDERLYING, 0), reverted(&nothing));
    assert_eq!(outcome(&net.chain, UNDERLYING, 1), reverted(&already));
    assert_eq!(
        net.underlying(PROTOCOL),
        u64::try_from(protocol).expect("fits")
    );

    // Node 100's operator is the attacker (see `node_operator_hook`).
    net.chain
        .set_code(ATTACKER, node_operator_hook(&net).code());
    send_ok(&mut net.chain, &Tx::call(BOB, ATTACKER, Vec::new()));
    let entry = net.next_entry();
    net.arm(
        IFeeToken::transferCall::SELECTOR,
        vec![Action::on(entry, ATTACKER, Vec::new())],
    );
    send_ok(&mut net.chain, &Tx::call(BOB, ATTACKER, Vec::new()));
    let amount = U96::from(portion).to_be_bytes::<12>();
    let word = B256::left_padding_from(&amount);
    assert_eq!(outcome(&net.chain, ATTACKER, 0), succeeded(word.as_slice()));
    assert_eq!(outcome(&net.chain, ATTACKER, 1), succeeded(word.as_slice()));
    let node_already = AlreadyClaimed {
        originatorNodeId: NODE_IDS[0],
        payerReportIndex: U256::ZERO,
    }
    .abi_encode();
    assert_eq!(outcome(&net.chain, ATTACKER, 2), reverted(&nothing));
    assert_eq!(outcome(&net.chain, ATTACKER, 3), reverted(&node_already));
    assert_eq!(
        net.underlying(ATTACKER),
        u64::try_from(portion).expect("fits")
    );

    // Everything settled is accounted for: paid out, or still with the distribution manager
    // (the two unclaimed portions) or the registry.
    let owed = view(
        &mut net.chain,
        distribution,
        &IDistributionManager::totalOwedFeesCall {},
    );
    assert_eq!(owed, U96::ZERO);
    let held = u128::from(net.fee_tokens(distribution)) + u128::from(net.fee_tokens(payers));
    assert_eq!(held + protocol + portion, 1_000_000);
    assert_eq!(net.registry_balance(BOB), 400_000);
    net.assert_backed(1_000_000 - u64::try_from(protocol + portion).expect("fits"));
}

/// `sig` with `s` replaced by `n − s` and `v` flipped: the same signer, the other encoding.
fn high_s_twin(sig: &[u8]) -> Vec<u8> {
    let mut twin = sig.to_vec();
    let s = ORDER - U256::from_be_slice(&sig[32..64]);
    twin[32..64].copy_from_slice(&s.to_be_bytes::<32>());
    twin[64] = 55 - sig[64];
    twin
}

#[test]
fn payer_reports_cannot_be_replayed_and_their_signatures_are_bound_to_the_domain() {
    let mut net = network([CAROL; 3]);
    let reports = net.reports;
    let submit = |report: &PayerReport, signatures: &[(u32, Vec<u8>)]| {
        Tx::call(STRANGER, reports, submit_calldata(report, signatures))
    };
    let (first, _) = report(&net, 0, 10, &[(BOB, 1)]);
    let signatures = signed(first.digest(&domain(&net)), &[0, 1]);
    let tx = submit(&first, &signatures);
    let receipt = send_ok(&mut net.chain, &tx);
    assert_eq!(receipt.output[..], B256::ZERO[..], "index 0");

    // The same report and signatures again: refused by the report's digest, whatever the
    // signatures' encoding (65-byte high-s twin, 64-byte EIP-2098).
    let already = PayerReportAlreadySubmitted {
        originatorNodeId: NODE_IDS[0],
        startSequenceId: 0,
        endSequenceId: 10,
    }
    .abi_encode();
    assert_eq!(revert_of(&mut net.chain, &tx), Bytes::from(already.clone()));
    let digest = first.digest(&domain(&net));
    let reencoded = vec![
        (NODE_IDS[0], high_s_twin(&signatures[0].1)),
        (
            NODE_IDS[1],
            sign_compact(&node_key(1), digest).expect("signs").to_vec(),
        ),
    ];
    let tx = submit(&first, &reencoded);
    assert_eq!(revert_of(&mut net.chain, &tx), Bytes::from(already));

    // Those encodings are valid signatures (solady's rules: no low-s requirement), so a new
    // report signed that way is accepted, both signers counted.
    let (second, _) = report(&net, 10, 20, &[(BOB, 2)]);
    let digest = second.digest(&domain(&net));
    let plain = signed(digest, &[0, 1]);
    let reencoded = vec![
        (NODE_IDS[0], high_s_twin(&plain[0].1)),
        (
            NODE_IDS[1],
            sign_compact(&node_key(1), digest).expect("signs").to_vec(),
        ),
    ];
    let tx = submit(&second, &reencoded);
    let receipt = send_ok(&mut net.chain, &tx);
    assert_eq!(receipt.output[..], B256::from(U256::from(1))[..], "index 1");
    let submitted = events_of::<PayerReportSubmitted>(&receipt, reports);
    assert_eq!(submitted.len(), 1);
    assert_eq!(submitted[0].signingNodeIds, vec![NODE_IDS[0], NODE_IDS[1]]);

    // The first report replayed at the next index: it no longer continues the sequence.
    let tx = submit(&first, &signatures);
    assert_eq!(
        revert_of(&mut net.chain, &tx),
        Bytes::from(
            InvalidStartSequenceId {
                startSequenceId: 0,
                lastSequenceId: 20
            }
            .abi_encode()
        )
    );

    // A third report with signatures made for another chain, another verifying contract, or
    // another report: none recovers a node's signer.
    let (third, _) = report(&net, 20, 30, &[(BOB, 3)]);
    let insufficient = |valid: u8| {
        Bytes::from(
            InsufficientSignatures {
                validSignatureCount: valid,
                requiredSignatureCount: 2,
            }
            .abi_encode(),
        )
    };
    let elsewhere = [
        Domain {
            chain_id: CHAIN_ID + 1,
            verifying_contract: reports,
        },
        Domain {
            chain_id: CHAIN_ID,
            verifying_contract: net.payers,
        },
    ];
    for foreign in elsewhere {
        let wrong = signed(third.digest(&foreign), &[0, 1, 2]);
        let tx = submit(&third, &wrong);
        assert_eq!(revert_of(&mut net.chain, &tx), insufficient(0));
        // One good signature among them is still short of a majority.
        let mut mixed = wrong.clone();
        mixed[0] = signed(third.digest(&domain(&net)), &[0]).remove(0);
        let tx = submit(&third, &mixed);
        assert_eq!(revert_of(&mut net.chain, &tx), insufficient(1));
    }
    let tx = submit(&third, &plain);
    assert_eq!(revert_of(&mut net.chain, &tx), insufficient(0));
    // `v` as 0/1 (not 27/28) recovers nothing under solady's rules.
    let mut raw_v = signed(third.digest(&domain(&net)), &[0, 1]);
    for (_, sig) in &mut raw_v {
        sig[64] -= 27;
    }
    let tx = submit(&third, &raw_v);
    assert_eq!(revert_of(&mut net.chain, &tx), insufficient(0));
    let good = signed(third.digest(&domain(&net)), &[1, 2]);
    send_ok(&mut net.chain, &submit(&third, &good));
}

/// No program refuses re-entry: the SDK's guard (`msg_reentrant`, compiled in unless the
/// `reentrant` feature is on) is absent from every program the pipeline builds, as the
/// reference contracts have no reentrancy guard. The tests above re-enter through it.
#[test]
fn no_program_carries_the_sdks_reentrancy_guard() {
    for crate_name in PROGRAMS {
        let artifact = programs()
            .artifact(crate_name, &[])
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            !artifact
                .info
                .imports
                .iter()
                .any(|import| import.ends_with("msg_reentrant")),
            "{crate_name} imports msg_reentrant: {:?}",
            artifact.info.imports
        );
        assert!(
            !artifact.info.imports.is_empty(),
            "{crate_name} has imports"
        );
    }
}
