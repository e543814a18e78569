//! How nodes get paid (issue 7), on the devnet with the real programs behind the Factory's
//! proxies: seven canonical nodes, a payer report signed by four of them (keys, signatures,
//! tree and proofs from the `reports` toolkit) submitted, settled in two batches against funded
//! and unfunded payers, every node claiming and withdrawing its share, the protocol withdrawing
//! its fee; every token unit is accounted for at the end.

use alloy_primitives::{aliases::U96, Address, Bytes, B256, U256};
use alloy_sol_types::{sol, SolCall, SolError};
use k256::ecdsa::SigningKey;
use xmtp_abi::{
    distribution_manager::{
        Claim, IDistributionManager, NotNodeOwner, ProtocolFeesClaim, ProtocolFeesWithdrawal,
        Withdrawal,
    },
    fee_token::IFeeToken,
    node_registry::INodeRegistry,
    oz_erc20::Transfer,
    oz_erc721::ERC721NonexistentToken,
    parameter_registry::IParameterRegistry,
    payer_registry::{ExcessTransferred, IPayerRegistry, UsageSettled},
    payer_report_manager::{
        IPayerReportManager, InsufficientSignatures, PayerReportSubmitted, PayerReportSubsetSettled,
    },
};
use xmtp_devnet::Chain;
use xmtp_devnet_node::contracts::dev_token_code;
use xmtp_reports::{
    fee_split, sign, sign_compact, signer_address, Domain, PayerFee, PayerReport, PayerTree,
};
use xmtp_system_tests::{
    log_of, revert_data, send_ok,
    system::{deploy_system, pull_payment_parameters, PaymentPath, CHAIN_ID, UNDERLYING},
    transact, view, DEPLOYER,
};

sol! {
    /// The development stablecoin's open mint.
    function mint(address to, uint256 amount) returns (bool);
    /// Its ERC-20 approval and balance.
    function approve(address spender, uint256 amount) returns (bool);
    function balanceOf(address account) returns (uint256);
}

const ADMIN: Address = Address::new([0xad; 20]);
const PROTOCOL: Address = Address::new([0xfe; 20]);
/// Anyone: claims the protocol's share.
const CLAIMER: Address = Address::new([0x99; 20]);
/// Anyone: has the protocol's share withdrawn to its recipient.
const WITHDRAWER: Address = Address::new([0x98; 20]);
const NODE_IDS: [u32; 7] = [100, 200, 300, 400, 500, 600, 700];
const PROTOCOL_FEE_RATE: u16 = 1_500;

/// The operator (NFT owner) of node `index`.
fn operator(index: usize) -> Address {
    Address::new([0x10 + u8::try_from(index).unwrap(); 20])
}

fn node_key(index: usize) -> SigningKey {
    SigningKey::from_slice(&[0x21 + u8::try_from(index).unwrap(); 32]).unwrap()
}

/// Payers: `(address, fee in pico-dollars, fee tokens deposited before settlement)`.
fn payers() -> Vec<(Address, u128, u64)> {
    vec![
        (Address::new([0xa1; 20]), 12_345_678_901_234, 20_000_000),
        (Address::new([0xa2; 20]), 5_000_000_000_001, 5_000_001),
        (Address::new([0xa3; 20]), 7_777_777_777_777, 0),
        (Address::new([0xa4; 20]), 999_999, 10),
        (Address::new([0xa5; 20]), 3_141_592_653_589, 0),
    ]
}

fn word(value: u64) -> B256 {
    B256::from(U256::from(value))
}

fn u96(value: u64) -> U96 {
    U96::from(value)
}

struct Net {
    chain: Chain,
    fee_token: Address,
    payer_registry: Address,
    nodes: Address,
    reports: Address,
    distribution: Address,
}

impl Net {
    fn fee_balance(&mut self, who: Address) -> u64 {
        let balance = view(
            &mut self.chain,
            self.fee_token,
            &IFeeToken::balanceOfCall { account: who },
        );
        u64::try_from(balance).unwrap()
    }

    fn underlying_balance(&mut self, who: Address) -> u64 {
        let balance = view(&mut self.chain, UNDERLYING, &balanceOfCall { account: who });
        u64::try_from(balance).unwrap()
    }

    /// `who` mints `amount` of the stablecoin, wraps it into fee tokens and deposits them for
    /// itself in the payer registry.
    fn deposit(&mut self, who: Address, amount: u64) {
        let amount_256 = U256::from(amount);
        transact(
            &mut self.chain,
            who,
            UNDERLYING,
            &mintCall {
                to: who,
                amount: amount_256,
            },
        );
        let fee_token = self.fee_token;
        transact(
            &mut self.chain,
            who,
            UNDERLYING,
            &approveCall {
                spender: fee_token,
                amount: amount_256,
            },
        );
        transact(
            &mut self.chain,
            who,
            fee_token,
            &IFeeToken::depositCall {
                amount_: amount_256,
            },
        );
        let registry = self.payer_registry;
        transact(
            &mut self.chain,
            who,
            fee_token,
            &IFeeToken::approveCall {
                spender: registry,
                value: amount_256,
            },
        );
        transact(
            &mut self.chain,
            who,
            registry,
            &IPayerRegistry::depositCall {
                payer_: who,
                amount_: u96(amount),
            },
        );
    }

    fn balance_in_registry(&mut self, payer: Address) -> i128 {
        let balance = view(
            &mut self.chain,
            self.payer_registry,
            &IPayerRegistry::getBalanceCall { payer_: payer },
        );
        i128::try_from(balance).unwrap()
    }
}

/// Every program deployed and wired; parameters set and pulled: seven nodes in the canonical
/// set, the report manager as the registry's settler, the distribution manager as its fee
/// distributor, a 15 % protocol fee paid to [`PROTOCOL`].
fn network() -> Net {
    let mut system = deploy_system();
    assert!(
        system.skipped.is_empty(),
        "programs left out: {:?}",
        system.skipped
    );
    // The fee token's underlying: the devnet's 6-decimal development stablecoin.
    system.chain.set_code(UNDERLYING, dev_token_code(6).into());
    let registry = system.base.parameter_registry;
    let net = Net {
        fee_token: system.proxy("FeeToken"),
        payer_registry: system.proxy("PayerRegistry"),
        nodes: system.proxy("NodeRegistry"),
        reports: system.proxy("PayerReportManager"),
        distribution: system.proxy("DistributionManager"),
        chain: system.chain,
    };
    let mut net = net;
    let senders = [ADMIN, CLAIMER, WITHDRAWER]
        .into_iter()
        .chain((0..7).map(operator))
        .chain(payers().into_iter().map(|payer| payer.0));
    for sender in senders.collect::<Vec<_>>() {
        net.chain
            .fund(sender, U256::from(10u64).pow(U256::from(18)));
    }
    configure(&mut net, registry);
    onboard_nodes(&mut net);
    net
}

/// The parameters of every program set in the registry by its admin, then pulled by each
/// program.
fn configure(net: &mut Net, registry: Address) {
    for (key, value) in [
        ("xmtp.nodeRegistry.admin", ADMIN.into_word()),
        ("xmtp.nodeRegistry.maxCanonicalNodes", word(7)),
        ("xmtp.payerRegistry.settler", net.reports.into_word()),
        (
            "xmtp.payerRegistry.feeDistributor",
            net.distribution.into_word(),
        ),
        (
            "xmtp.payerReportManager.protocolFeeRate",
            word(PROTOCOL_FEE_RATE.into()),
        ),
        (
            "xmtp.distributionManager.protocolFeesRecipient",
            PROTOCOL.into_word(),
        ),
    ] {
        transact(
            &mut net.chain,
            DEPLOYER,
            registry,
            &IParameterRegistry::set_0Call {
                key_: key.into(),
                value_: value,
            },
        );
    }
    pull_payment_parameters(
        &mut net.chain,
        PaymentPath {
            nodes: net.nodes,
            payers: net.payer_registry,
            reports: net.reports,
            distribution: net.distribution,
        },
    );
}

/// Seven nodes added by the node registry's admin, minted to their operators and made
/// canonical.
fn onboard_nodes(net: &mut Net) {
    let nodes = net.nodes;
    let chain = &mut net.chain;
    for (index, expected_id) in NODE_IDS.into_iter().enumerate() {
        let point = node_key(index).verifying_key().to_encoded_point(false);
        let (added, _) = transact(
            chain,
            ADMIN,
            nodes,
            &INodeRegistry::addNodeCall {
                owner_: operator(index),
                signingPublicKey_: Bytes::copy_from_slice(point.as_bytes()),
                httpAddress_: format!("https://node{index}.example"),
            },
        );
        assert_eq!(
            (added.nodeId_, added.signer_),
            (expected_id, signer_address(&node_key(index)))
        );
        transact(
            chain,
            ADMIN,
            nodes,
            &INodeRegistry::addToNetworkCall {
                nodeId_: expected_id,
            },
        );
    }
}

/// A submitted report and what its payers owe.
struct Submitted {
    fees: Vec<PayerFee>,
    /// Each payer's fee in fee-token units (micro-dollars), rounded up.
    micro: Vec<u64>,
    total: u64,
    tree: PayerTree,
    digest: B256,
}

impl Submitted {
    /// What the two unfunded payers owe after settlement.
    fn debt(&self) -> u64 {
        self.micro[2] + self.micro[4]
    }
}

/// Fee tokens the payers deposited before settlement.
fn deposited() -> u64 {
    payers().iter().map(|p| p.2).sum()
}

/// Originator 100's report over the payers' fees, signed by a majority and submitted.
fn submit_report(net: &mut Net) -> Submitted {
    let reports = net.reports;
    // The report: originator 100, the payers' fees committed as a sequential Merkle tree.
    let fees: Vec<PayerFee> = payers()
        .iter()
        .map(|(payer, fee, _)| PayerFee {
            payer: *payer,
            fee: *fee,
        })
        .collect();
    let micro: Vec<u64> = fees
        .iter()
        .map(|fee| u64::try_from(fee.micro_dollars()).unwrap())
        .collect();
    let total: u64 = micro.iter().sum();
    let tree = PayerTree::from_fees(&fees).unwrap();
    let report = PayerReport {
        originator_node_id: 100,
        start_sequence_id: 0,
        end_sequence_id: 500,
        end_minute_since_epoch: 29_000_000,
        payers_merkle_root: tree.root(),
        node_ids: NODE_IDS.to_vec(),
    };
    let digest = report.digest(&Domain {
        chain_id: CHAIN_ID,
        verifying_contract: reports,
    });
    assert_eq!(
        view(
            &mut net.chain,
            reports,
            &IPayerReportManager::getPayerReportDigestCall {
                originatorNodeId_: 100,
                startSequenceId_: 0,
                endSequenceId_: 500,
                endMinuteSinceEpoch_: 29_000_000,
                payersMerkleRoot_: tree.root(),
                nodeIds_: NODE_IDS.to_vec(),
            }
        ),
        digest
    );
    // Nodes 200, 300, 500 and 700 sign (a majority of 7); node 600's signature is by another
    // key, so it is skipped, not refused.
    let mut signatures: Vec<(u32, Vec<u8>)> = [1usize, 2, 4, 6]
        .iter()
        .map(|i| (NODE_IDS[*i], sign(&node_key(*i), digest).unwrap().to_vec()))
        .collect();
    signatures.insert(3, (600, sign(&node_key(0), digest).unwrap().to_vec()));
    let receipt = send_ok(
        &mut net.chain,
        &xmtp_devnet::Tx::call(
            DEPLOYER,
            reports,
            xmtp_reports::submit_calldata(&report, &signatures),
        ),
    );
    assert_eq!(receipt.output[..], word(0)[..]);
    assert_eq!(
        receipt.logs,
        vec![log_of(
            reports,
            &PayerReportSubmitted {
                originatorNodeId: 100,
                payerReportIndex: U256::ZERO,
                startSequenceId: 0,
                endSequenceId: 500,
                endMinuteSinceEpoch: 29_000_000,
                payersMerkleRoot: tree.root(),
                nodeIds: NODE_IDS.to_vec(),
                signingNodeIds: vec![200, 300, 500, 700],
            }
        )]
    );

    Submitted {
        fees,
        micro,
        total,
        tree,
        digest,
    }
}

fn settle_in_two_batches(net: &mut Net, report: &Submitted) {
    let (reports, payer_registry) = (net.reports, net.payer_registry);
    let (fees, micro, total, tree, digest) = (
        &report.fees,
        &report.micro,
        report.total,
        &report.tree,
        report.digest,
    );
    // Settlement in two batches: the funded payers first, then two unfunded ones and a funded
    // one. The registry debits every fee (the unfunded payers go into debt) and returns the sum.
    let batches = tree.batches(&[2]).unwrap();
    assert_eq!(batches.len(), 2);
    let mut settled = 0u64;
    for (batch, range) in batches.iter().zip([0..2usize, 2..5]) {
        let receipt = send_ok(
            &mut net.chain,
            &xmtp_devnet::Tx::call(
                DEPLOYER,
                reports,
                xmtp_reports::settle_calldata(100, 0, batch),
            ),
        );
        let batch_total: u64 = micro[range.clone()].iter().sum();
        settled += batch_total;
        let mut expected: Vec<_> = range
            .clone()
            .map(|i| {
                log_of(
                    payer_registry,
                    &UsageSettled {
                        payerReportId: digest,
                        payer: fees[i].payer,
                        amount: u96(micro[i]),
                    },
                )
            })
            .collect();
        expected.push(log_of(
            reports,
            &PayerReportSubsetSettled {
                originatorNodeId: 100,
                payerReportIndex: U256::ZERO,
                count: u32::try_from(range.len()).unwrap(),
                remaining: u32::try_from(5 - range.end).unwrap(),
                feesSettled: u96(batch_total),
            },
        ));
        assert_eq!(receipt.logs, expected);
    }
    assert_eq!(settled, total);
    let stored = view(
        &mut net.chain,
        reports,
        &IPayerReportManager::getPayerReportCall {
            originatorNodeId_: 100,
            payerReportIndex_: U256::ZERO,
        },
    );
    assert_eq!(
        (
            stored.feesSettled,
            stored.offset,
            stored.isSettled,
            stored.protocolFeeRate
        ),
        (u96(total), 5, true, PROTOCOL_FEE_RATE)
    );
    for ((payer, _, deposit), fee) in payers().into_iter().zip(micro) {
        assert_eq!(
            net.balance_in_registry(payer),
            i128::from(deposit) - i128::from(*fee)
        );
    }
    // The registry holds every deposit; what the funded payers paid is its excess.
    let deposited = deposited();
    let debt = micro[2] + micro[4];
    assert_eq!(net.fee_balance(payer_registry), deposited);
    assert_eq!(
        view(
            &mut net.chain,
            payer_registry,
            &IPayerRegistry::excessCall {}
        ),
        u96(total - debt)
    );
}

/// Every claim; returns the protocol's share and each node's share.
fn claim_all(net: &mut Net, total: u64) -> (u64, u64) {
    let distribution = net.distribution;
    // Claims: the protocol's rate (plus the rounding dust), an equal share for each node.
    let (protocol_share, node_share) = fee_split(total.into(), PROTOCOL_FEE_RATE, 7);
    let (protocol_share, node_share) = (
        u64::try_from(protocol_share).unwrap(),
        u64::try_from(node_share).unwrap(),
    );
    assert_eq!(protocol_share + 7 * node_share, total);
    let (claimed, receipt) = transact(
        &mut net.chain,
        CLAIMER,
        distribution,
        &IDistributionManager::claimProtocolFeesCall {
            originatorNodeIds_: vec![100],
            payerReportIndices_: vec![U256::ZERO],
        },
    );
    assert_eq!(claimed, u96(protocol_share));
    assert_eq!(
        receipt.logs,
        vec![log_of(
            distribution,
            &ProtocolFeesClaim {
                originatorNodeId: 100,
                payerReportIndex: U256::ZERO,
                amount: u96(protocol_share),
            }
        )]
    );
    for (index, node_id) in NODE_IDS.into_iter().enumerate() {
        let (claimed, receipt) = transact(
            &mut net.chain,
            operator(index),
            distribution,
            &IDistributionManager::claimCall {
                nodeId_: node_id,
                originatorNodeIds_: vec![100],
                payerReportIndices_: vec![U256::ZERO],
            },
        );
        assert_eq!(claimed, u96(node_share));
        assert_eq!(
            receipt.logs,
            vec![log_of(
                distribution,
                &Claim {
                    nodeId: node_id,
                    originatorNodeId: 100,
                    payerReportIndex: U256::ZERO,
                    amount: u96(node_share),
                }
            )]
        );
    }
    assert_eq!(
        view(
            &mut net.chain,
            distribution,
            &IDistributionManager::totalOwedFeesCall {}
        ),
        u96(7 * node_share)
    );

    (protocol_share, node_share)
}

/// Node `index`'s withdrawal to its operator.
fn withdraw(index: usize) -> IDistributionManager::withdrawCall {
    IDistributionManager::withdrawCall {
        nodeId_: NODE_IDS[index],
        recipient_: operator(index),
    }
}

/// Nodes 100 to 600 withdraw, the first pulling the registry's excess; returns what node 600
/// is still owed.
fn withdraw_from_the_excess(net: &mut Net, report: &Submitted, node_share: u64) -> u64 {
    let (distribution, payer_registry, fee_token) =
        (net.distribution, net.payer_registry, net.fee_token);
    let total = report.total;
    // Withdrawals. The first pulls the registry's excess (what the funded payers paid) into
    // the distribution manager, then pays the node.
    let (paid, receipt) = transact(&mut net.chain, operator(0), distribution, &withdraw(0));
    assert_eq!(paid, u96(node_share));
    let excess = total - report.debt();
    assert_eq!(
        receipt.logs,
        vec![
            log_of(
                payer_registry,
                &ExcessTransferred {
                    amount: u96(excess)
                }
            ),
            log_of(
                fee_token,
                &Transfer {
                    from: payer_registry,
                    to: distribution,
                    value: U256::from(excess),
                }
            ),
            log_of(
                distribution,
                &Withdrawal {
                    nodeId: 100,
                    amount: u96(node_share)
                }
            ),
            log_of(
                fee_token,
                &Transfer {
                    from: distribution,
                    to: operator(0),
                    value: U256::from(node_share),
                }
            ),
        ]
    );
    let mut available = excess - node_share;
    // Nodes 200 to 500 are paid from the balance pulled.
    for index in 1..5 {
        let (paid, _) = transact(
            &mut net.chain,
            operator(index),
            distribution,
            &withdraw(index),
        );
        assert_eq!(paid, u96(node_share));
        available -= node_share;
    }
    assert_eq!(net.fee_balance(distribution), available);
    // Node 600 is owed more than is left and the registry has no excess (the debt is unpaid):
    // it gets what there is and stays owed the rest.
    let (paid, receipt) = transact(&mut net.chain, operator(5), distribution, &withdraw(5));
    assert_eq!(paid, u96(available));
    assert_eq!(
        receipt.logs,
        vec![
            log_of(
                distribution,
                &Withdrawal {
                    nodeId: 600,
                    amount: u96(available)
                }
            ),
            log_of(
                fee_token,
                &Transfer {
                    from: distribution,
                    to: operator(5),
                    value: U256::from(available),
                }
            ),
        ]
    );
    let still_owed = node_share - available;
    assert_eq!(
        view(
            &mut net.chain,
            distribution,
            &IDistributionManager::getOwedFeesCall { nodeId_: 600 }
        ),
        u96(still_owed)
    );

    still_owed
}

/// The debtors repay, node 600 gets the rest of its share, node 700 is paid in the underlying,
/// and the protocol withdraws.
fn repay_then_withdraw_the_rest(
    net: &mut Net,
    report: &Submitted,
    (protocol_share, node_share, still_owed): (u64, u64, u64),
) {
    let (distribution, payer_registry, fee_token) =
        (net.distribution, net.payer_registry, net.fee_token);
    let micro = &report.micro;
    // The unfunded payers deposit: their debts are repaid first, which becomes excess again.
    net.deposit(payers()[2].0, micro[2] + 222);
    net.deposit(payers()[4].0, micro[4]);
    assert_eq!(net.balance_in_registry(payers()[2].0), 222);
    assert_eq!(net.balance_in_registry(payers()[4].0), 0);
    assert_eq!(
        view(
            &mut net.chain,
            payer_registry,
            &IPayerRegistry::excessCall {}
        ),
        u96(report.debt())
    );

    // Node 600 gets the rest, node 700 is paid in the underlying stablecoin, and the protocol
    // withdraws its share to its recipient, whoever asks.
    let (paid, _) = transact(&mut net.chain, operator(5), distribution, &withdraw(5));
    assert_eq!(paid, u96(still_owed));
    let (paid, _) = transact(
        &mut net.chain,
        operator(6),
        distribution,
        &IDistributionManager::withdrawIntoUnderlyingCall {
            nodeId_: 700,
            recipient_: operator(6),
        },
    );
    assert_eq!(paid, u96(node_share));
    let (paid, receipt) = transact(
        &mut net.chain,
        WITHDRAWER,
        distribution,
        &IDistributionManager::withdrawProtocolFeesCall {},
    );
    assert_eq!(paid, u96(protocol_share));
    assert_eq!(
        receipt.logs,
        vec![
            log_of(
                distribution,
                &ProtocolFeesWithdrawal {
                    amount: u96(protocol_share)
                }
            ),
            log_of(
                fee_token,
                &Transfer {
                    from: distribution,
                    to: PROTOCOL,
                    value: U256::from(protocol_share),
                }
            ),
        ]
    );
}

#[test]
fn a_report_is_signed_submitted_settled_claimed_and_paid_out_to_the_unit() {
    let mut net = network();
    let (distribution, payer_registry, fee_token) =
        (net.distribution, net.payer_registry, net.fee_token);
    for (payer, _, deposit) in payers() {
        if deposit > 0 {
            net.deposit(payer, deposit);
        }
    }
    let report = submit_report(&mut net);
    settle_in_two_batches(&mut net, &report);
    let (protocol_share, node_share) = claim_all(&mut net, report.total);
    let still_owed = withdraw_from_the_excess(&mut net, &report, node_share);
    repay_then_withdraw_the_rest(&mut net, &report, (protocol_share, node_share, still_owed));

    let (micro, total) = (&report.micro, report.total);
    // Every unit settled is paid out, none twice, and nothing is owed or left behind.
    let mut paid_out = net.fee_balance(PROTOCOL);
    assert_eq!(paid_out, protocol_share);
    for index in 0..6 {
        assert_eq!(net.fee_balance(operator(index)), node_share);
        paid_out += node_share;
    }
    assert_eq!(net.fee_balance(operator(6)), 0);
    assert_eq!(net.underlying_balance(operator(6)), node_share);
    paid_out += node_share;
    assert_eq!(paid_out, total);
    assert_eq!(net.fee_balance(distribution), 0);
    for call in [
        IDistributionManager::owedProtocolFeesCall {}.abi_encode(),
        IDistributionManager::totalOwedFeesCall {}.abi_encode(),
    ] {
        let receipt = net
            .chain
            .call(&xmtp_devnet::Tx::call(DEPLOYER, distribution, call))
            .unwrap();
        assert_eq!(receipt.output[..], word(0)[..]);
    }
    let deposited = deposited() + micro[2] + 222 + micro[4];
    assert_eq!(net.fee_balance(payer_registry), deposited - total);
    assert_eq!(
        view(
            &mut net.chain,
            payer_registry,
            &IPayerRegistry::totalDebtCall {}
        ),
        U96::ZERO
    );
    assert_eq!(
        view(
            &mut net.chain,
            payer_registry,
            &IPayerRegistry::excessCall {}
        ),
        U96::ZERO
    );
    // The fee token stays fully backed: its supply is the stablecoin it holds.
    assert_eq!(net.underlying_balance(fee_token), deposited - node_share);
}

/// `submit` of `report` with `(nodeId, signature)` pairs, as the interface types it.
fn submit_call(
    report: &PayerReport,
    signatures: &[(u32, Vec<u8>)],
) -> IPayerReportManager::submitCall {
    IPayerReportManager::submitCall::abi_decode(&xmtp_reports::submit_calldata(report, signatures))
        .unwrap()
}

/// The high-`s` twin of a 65-byte signature: `s' = n − s` with the other `v`.
fn high_s_twin(signature: &[u8]) -> Vec<u8> {
    let order = U256::from_be_slice(&alloy_primitives::hex!(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141"
    ));
    let mut twin = signature.to_vec();
    let s = U256::from_be_slice(&signature[32..64]);
    twin[32..64].copy_from_slice(&(order - s).to_be_bytes::<32>());
    twin[64] = 55 - signature[64];
    twin
}

/// Solady's acceptance rules hold with the chain's own `ecrecover` (not a test double): an
/// EIP-2098 compact signature and a high-`s` twin count, a `v` of 0 or 1, a wrong length and
/// another key's signature are skipped, and a node id the registry does not know reverts the
/// whole submission with the registry's error.
#[test]
fn signature_rules_hold_against_the_chains_ecrecover() {
    let mut net = network();
    let reports = net.reports;
    let report = PayerReport {
        originator_node_id: 300,
        start_sequence_id: 0,
        end_sequence_id: 9,
        end_minute_since_epoch: 29_000_000,
        payers_merkle_root: B256::repeat_byte(0x5e),
        node_ids: NODE_IDS.to_vec(),
    };
    let digest = report.digest(&Domain {
        chain_id: CHAIN_ID,
        verifying_contract: reports,
    });
    let full = |index: usize| sign(&node_key(index), digest).unwrap().to_vec();
    let mut v_zero_or_one = full(3);
    v_zero_or_one[64] -= 27;
    let mut wrong_length = full(4);
    wrong_length.push(0);
    let mut signatures = vec![
        (100, sign_compact(&node_key(0), digest).unwrap().to_vec()),
        (200, high_s_twin(&full(1))),
        (300, full(2)),
        (400, v_zero_or_one),
        (500, wrong_length),
        (600, full(0)),
    ];
    // Three valid of seven: one short of the majority.
    assert_eq!(
        revert_data(
            &mut net.chain,
            DEPLOYER,
            reports,
            &submit_call(&report, &signatures)
        ),
        Bytes::from(
            InsufficientSignatures {
                validSignatureCount: 3,
                requiredSignatureCount: 4,
            }
            .abi_encode()
        )
    );
    // A signature naming a node that does not exist: the registry's refusal, whole.
    let mut with_unknown = signatures.clone();
    with_unknown.push((800, full(6)));
    assert_eq!(
        revert_data(
            &mut net.chain,
            DEPLOYER,
            reports,
            &submit_call(&report, &with_unknown)
        ),
        Bytes::from(
            ERC721NonexistentToken {
                tokenId: U256::from(800),
            }
            .abi_encode()
        )
    );
    // Node 700's ordinary signature makes four.
    signatures.push((700, full(6)));
    let (index, receipt) = transact(
        &mut net.chain,
        DEPLOYER,
        reports,
        &submit_call(&report, &signatures),
    );
    assert_eq!(index, U256::ZERO);
    assert_eq!(
        receipt.logs,
        vec![log_of(
            reports,
            &PayerReportSubmitted {
                originatorNodeId: 300,
                payerReportIndex: U256::ZERO,
                startSequenceId: 0,
                endSequenceId: 9,
                endMinuteSinceEpoch: 29_000_000,
                payersMerkleRoot: report.payers_merkle_root,
                nodeIds: NODE_IDS.to_vec(),
                signingNodeIds: vec![100, 200, 300, 700],
            }
        )]
    );
}

/// Claims and withdrawals belong to whoever owns the node's NFT now: after node 100 is
/// transferred, its former operator is refused `NotNodeOwner()` and the new owner claims and
/// withdraws its share.
#[test]
fn a_node_s_share_goes_to_the_current_owner_of_its_nft() {
    let mut net = network();
    for (payer, _, deposit) in payers() {
        if deposit > 0 {
            net.deposit(payer, deposit);
        }
    }
    let report = submit_report(&mut net);
    settle_in_two_batches(&mut net, &report);
    let (nodes, distribution) = (net.nodes, net.distribution);
    let buyer = Address::new([0xb0; 20]);
    net.chain.fund(buyer, U256::from(10u64).pow(U256::from(18)));
    transact(
        &mut net.chain,
        operator(0),
        nodes,
        &INodeRegistry::transferFromCall {
            from: operator(0),
            to: buyer,
            tokenId: U256::from(100),
        },
    );
    let claim = IDistributionManager::claimCall {
        nodeId_: 100,
        originatorNodeIds_: vec![100],
        payerReportIndices_: vec![U256::ZERO],
    };
    let refused = Bytes::from(NotNodeOwner {}.abi_encode());
    assert_eq!(
        revert_data(&mut net.chain, operator(0), distribution, &claim),
        refused
    );
    let (_, node_share) = fee_split(report.total.into(), PROTOCOL_FEE_RATE, 7);
    let node_share = u64::try_from(node_share).unwrap();
    let (claimed, _) = transact(&mut net.chain, buyer, distribution, &claim);
    assert_eq!(claimed, u96(node_share));
    let to_former = IDistributionManager::withdrawCall {
        nodeId_: 100,
        recipient_: operator(0),
    };
    assert_eq!(
        revert_data(&mut net.chain, operator(0), distribution, &to_former),
        refused
    );
    let (paid, _) = transact(
        &mut net.chain,
        buyer,
        distribution,
        &IDistributionManager::withdrawCall {
            nodeId_: 100,
            recipient_: buyer,
        },
    );
    assert_eq!(paid, u96(node_share));
    assert_eq!(net.fee_balance(buyer), node_share);
    assert_eq!(net.fee_balance(operator(0)), 0);
}
