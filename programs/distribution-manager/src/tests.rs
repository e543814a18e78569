use alloy_primitives::{address, b256, Address, B256, U256};
use alloy_sol_types::{SolCall, SolError, SolEvent, SolValue};
use proptest::prelude::*;
use xmtp_abi::{
    distribution_manager::IDistributionManager,
    oz_erc721::ERC721NonexistentToken,
    oz_initializable::{Initialized, InvalidInitialization},
    parameter_registry::IParameterRegistryLike,
    payer_report_manager::{NoReportsForOriginator, PayerReport},
};
use xmtp_core::{
    slots::{DISTRIBUTION_MANAGER, ERC1967_IMPLEMENTATION, OZ_INITIALIZABLE},
    testing::{assert_migrate_through_registry, CallKind, MockHost},
    wiring::set_address_for_tests,
};

use super::*;

const PROXY: Address = address!("0x00000000000000000000000000000000000d1500");
const IMPLEMENTATION: Address = address!("0x0000000000000000000000000000000000000f01");
const REGISTRY: Address = address!("0x0000000000000000000000000000000000000e01");
const NODES: Address = address!("0x0000000000000000000000000000000000000e02");
const MANAGER: Address = address!("0x0000000000000000000000000000000000000e03");
const PAYERS: Address = address!("0x0000000000000000000000000000000000000e04");
const TOKEN: Address = address!("0x0000000000000000000000000000000000000e05");
const OWNER: Address = address!("0x0000000000000000000000000000000000000d01");
const RECIPIENT: Address = address!("0x0000000000000000000000000000000000000d02");
const STRANGER: Address = address!("0x0000000000000000000000000000000000000d03");
const MIGRATOR: Address = address!("0x0000000000000000000000000000000000000c01");

fn manager() -> (MockHost, DistributionManager) {
    let host = MockHost::new();
    host.vm.set_contract_address(PROXY);
    host.vm.set_sender(OWNER);
    host.vm
        .set_storage(ERC1967_IMPLEMENTATION, IMPLEMENTATION.into_word());
    host.vm.set_code(PAYERS, vec![0x00]);
    set_address_for_tests("parameterRegistry", REGISTRY);
    set_address_for_tests("nodeRegistry", NODES);
    set_address_for_tests("payerReportManager", MANAGER);
    set_address_for_tests("payerRegistry", PAYERS);
    set_address_for_tests("feeToken", TOKEN);
    let manager = DistributionManager::from(&host);
    (host, manager)
}

fn log(event: &impl SolEvent) -> (Vec<B256>, Vec<u8>) {
    let data = event.encode_log_data();
    (data.topics().to_vec(), data.data.to_vec())
}

fn err(error: impl Into<DistributionManagerError>) -> DistributionManagerError {
    error.into()
}

fn u96(n: u64) -> U96 {
    U96::from(n)
}

fn report(fees: u64, rate: u16, node_ids: Vec<u32>, settled: bool) -> PayerReport {
    PayerReport {
        startSequenceId: 0,
        endSequenceId: 0,
        endMinuteSinceEpoch: 0,
        feesSettled: u96(fees),
        offset: 0,
        isSettled: settled,
        protocolFeeRate: rate,
        payersMerkleRoot: B256::ZERO,
        nodeIds: node_ids,
    }
}

fn mock_reports(host: &MockHost, pairs: &[(u32, u64)], outcome: Result<Vec<PayerReport>, Vec<u8>>) {
    let calldata = IPayerReportManagerLike::getPayerReportsCall {
        originatorNodeIds_: pairs.iter().map(|p| p.0).collect(),
        payerReportIndices_: pairs.iter().map(|p| U256::from(p.1)).collect(),
    }
    .abi_encode();
    host.mock(
        CallKind::Static,
        MANAGER,
        calldata,
        outcome.map(|reports| (reports,).abi_encode_params()),
    );
}

fn mock_owner(host: &MockHost, node: u32, outcome: Result<Address, Vec<u8>>) {
    let calldata = INodeRegistryLike::ownerOfCall {
        nodeId_: U256::from(node),
    }
    .abi_encode();
    host.mock(
        CallKind::Static,
        NODES,
        calldata,
        outcome.map(|a| a.abi_encode()),
    );
}

fn mock_param(host: &MockHost, key: &str, value: B256) {
    mock_param_answer(host, key, Ok(value.to_vec()));
}

/// Mocks the registry's `get(key)`: `Ok` output, `Err` revert data.
fn mock_param_answer(host: &MockHost, key: &str, answer: Result<Vec<u8>, Vec<u8>>) {
    let calldata = IParameterRegistryLike::get_0Call { key_: key.into() }.abi_encode();
    host.mock(CallKind::Static, REGISTRY, calldata, answer);
}

fn mock_balance(host: &MockHost, balance: U256) {
    let calldata = IERC20Like::balanceOfCall { account_: PROXY }.abi_encode();
    host.mock(CallKind::Static, TOKEN, calldata, Ok(balance.abi_encode()));
}

fn mock_excess(host: &MockHost, outcome: Result<Vec<u8>, Vec<u8>>) {
    let calldata = IPayerRegistryLike::sendExcessToFeeDistributorCall {}.abi_encode();
    host.mock(CallKind::Call(U256::ZERO), PAYERS, calldata, outcome);
}

fn mock_transfer(host: &MockHost, to: Address, amount: u64) -> Vec<u8> {
    let calldata = IERC20Like::transferCall {
        recipient_: to,
        amount_: U256::from(amount),
    }
    .abi_encode();
    host.mock(
        CallKind::Call(U256::ZERO),
        TOKEN,
        calldata.clone(),
        Ok(true.abi_encode()),
    );
    calldata
}

fn mock_withdraw_to(host: &MockHost, to: Address, amount: u64) -> Vec<u8> {
    let calldata = IFeeTokenLike::withdrawToCall {
        recipient_: to,
        amount_: U256::from(amount),
    }
    .abi_encode();
    host.mock(
        CallKind::Call(U256::ZERO),
        TOKEN,
        calldata.clone(),
        Ok(true.abi_encode()),
    );
    calldata
}

fn word_at(host: &MockHost, offset: u64) -> U256 {
    U256::from_be_bytes(
        host.vm
            .get_storage(DISTRIBUTION_MANAGER + U256::from(offset))
            .0,
    )
}

fn set_owed(manager: &DistributionManager, node: u32, amount: u64) {
    let mut layout = manager.layout();
    layout.owed_fees.setter(node).set(u96(amount));
    let total = layout.total_owed_fees.get();
    layout.total_owed_fees.set(total + u96(amount));
}

fn set_owed_protocol(manager: &DistributionManager, amount: u64) {
    manager.layout().owed_protocol_fees.set(u96(amount));
}

fn set_recipient(manager: &DistributionManager, recipient: Address) {
    manager.layout().protocol_fees_recipient.set(recipient);
}

fn pause(manager: &DistributionManager) {
    manager.layout().paused.set(true);
}

// ---- initialize and views ----

#[test]
fn initialize_once_and_not_on_the_implementation() {
    let (host, mut manager) = manager();
    assert_eq!(manager.initialize(), Ok(()));
    assert_eq!(
        host.vm.get_storage(OZ_INITIALIZABLE),
        B256::with_last_byte(1)
    );
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![log(&Initialized { version: 1 })]
    );
    assert_eq!(manager.initialize(), Err(err(InvalidInitialization {})));
    let (host, mut manager) = self::manager();
    host.vm.set_storage(ERC1967_IMPLEMENTATION, B256::ZERO);
    assert_eq!(manager.initialize(), Err(err(InvalidInitialization {})));
}

#[test]
fn views() {
    let (_host, manager) = manager();
    assert_eq!(DistributionManager::version(), "1.0.2");
    assert_eq!(DistributionManager::contract_name(), "DistributionManager");
    assert_eq!(
        DistributionManager::migrator_parameter_key(),
        "xmtp.distributionManager.migrator"
    );
    assert_eq!(
        DistributionManager::paused_parameter_key(),
        "xmtp.distributionManager.paused"
    );
    assert_eq!(
        DistributionManager::protocol_fees_recipient_parameter_key(),
        "xmtp.distributionManager.protocolFeesRecipient"
    );
    assert_eq!(manager.parameter_registry_getter(), REGISTRY);
    assert_eq!(manager.node_registry_getter(), NODES);
    assert_eq!(manager.payer_report_manager_getter(), MANAGER);
    assert_eq!(manager.payer_registry_getter(), PAYERS);
    assert_eq!(manager.fee_token_getter(), TOKEN);
    assert_eq!(manager.implementation(), IMPLEMENTATION);
    assert_eq!(manager.protocol_fees_recipient(), Address::ZERO);
    assert_eq!(manager.owed_protocol_fees(), U96::ZERO);
    assert_eq!(manager.total_owed_fees(), U96::ZERO);
    assert!(!manager.paused());
    assert_eq!(manager.get_owed_fees(100), U96::ZERO);
}

#[test]
fn storage_slots_match_the_reference_examples() {
    let (host, mut manager) = manager();
    set_owed(&manager, 100, 7);
    assert_eq!(
        host.vm.get_storage(U256::from_be_bytes(
            b256!("0x2b7d0de463d6020939c885969562b9e6e4cac0b403b63c5ab6ec2fee37e54bae").0
        )),
        B256::from(U256::from(7))
    );
    mock_reports(&host, &[(100, 0)], Ok(vec![report(10, 0, vec![200], true)]));
    manager
        .claim_protocol_fees(vec![100], vec![U256::ZERO])
        .unwrap();
    assert_eq!(
        host.vm.get_storage(U256::from_be_bytes(
            b256!("0xa89c462c72887ebf88473b40ffc90ebac457f284151a476fc587f2b6c96748af").0
        )),
        B256::with_last_byte(1)
    );
    host.vm.set_sender(OWNER);
    mock_owner(&host, 100, Ok(OWNER));
    mock_reports(&host, &[(200, 0)], Ok(vec![report(10, 0, vec![100], true)]));
    manager.claim(100, vec![200], vec![U256::ZERO]).unwrap();
    assert_eq!(
        host.vm.get_storage(U256::from_be_bytes(
            b256!("0x73b8fb2627355998ba0bba546c0dac9c38193ac70680172416ba1093afa6708e").0
        )),
        B256::with_last_byte(1)
    );
    // totalOwedFees (bytes 0-11) and paused (byte 12) share S+4.
    pause(&manager);
    assert_eq!(word_at(&host, 4), U256::from(17) | (U256::from(1) << 96));
}

// ---- fee split ----

#[test]
fn protocol_fees_match_the_reference_examples() {
    assert_eq!(
        protocol_fees(&report(100, 1000, vec![1, 2, 3], true)),
        Ok(u96(10))
    );
    assert_eq!(
        protocol_fees(&report(200, 750, vec![1, 2, 3], true)),
        Ok(u96(17))
    );
    assert_eq!(protocol_fees(&report(200, 750, vec![], true)), Ok(u96(200)));
    assert_eq!(
        protocol_fees(&report(200, 10_001, vec![1], true)),
        Err(Panic::from(PanicKind::UnderOverflow))
    );
}

#[test]
fn the_split_pays_exactly_what_was_settled() {
    for fees in [0u64, 1, 2, 99, 100, 101, 12_345, 1_000_000_007, u64::MAX] {
        for rate in [0u16, 1, 750, 1000, 3333, 9999, 10_000] {
            for n in 1usize..=9 {
                let r = report(fees, rate, (1..=u32::try_from(n).unwrap()).collect(), true);
                let protocol = protocol_fees(&r).unwrap();
                let portion = (r.feesSettled - protocol) / U96::from(n);
                assert_eq!(protocol + portion * U96::from(n), r.feesSettled);
                let nominal = U256::from(fees) * U256::from(rate) / U256::from(10_000);
                assert!(U256::from(protocol) >= nominal);
                assert_eq!(
                    (protocol.to::<u128>(), portion.to::<u128>()),
                    xmtp_split(u128::from(fees), rate, n)
                );
            }
        }
    }
}

fn xmtp_split(fees: u128, rate: u16, n: usize) -> (u128, u128) {
    let share = fees * u128::from(10_000 - rate) / 10_000;
    let portion = share / n as u128;
    (fees - portion * n as u128, portion)
}

// ---- claimProtocolFees ----

#[test]
fn claim_protocol_fees_records_each_reports_share() {
    let (host, mut manager) = manager();
    mock_reports(
        &host,
        &[(1, 0), (2, 5)],
        Ok(vec![
            report(100, 1000, vec![10, 20, 30], true),
            report(200, 750, vec![10, 20, 30], true),
        ]),
    );
    host.vm.set_sender(STRANGER);
    assert_eq!(
        manager.claim_protocol_fees(vec![1, 2], vec![U256::ZERO, U256::from(5)]),
        Ok(u96(27))
    );
    assert_eq!(manager.owed_protocol_fees(), u96(27));
    assert!(manager.are_protocol_fees_claimed(1, U256::ZERO));
    assert!(manager.are_protocol_fees_claimed(2, U256::from(5)));
    assert!(!manager.are_protocol_fees_claimed(2, U256::ZERO));
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![
            log(&ProtocolFeesClaim {
                originatorNodeId: 1,
                payerReportIndex: U256::ZERO,
                amount: u96(10)
            }),
            log(&ProtocolFeesClaim {
                originatorNodeId: 2,
                payerReportIndex: U256::from(5),
                amount: u96(17)
            }),
        ]
    );
    mock_reports(
        &host,
        &[(1, 0)],
        Ok(vec![report(100, 1000, vec![10, 20, 30], true)]),
    );
    assert_eq!(
        manager.claim_protocol_fees(vec![1], vec![U256::ZERO]),
        Err(err(AlreadyClaimed {
            originatorNodeId: 1,
            payerReportIndex: U256::ZERO
        }))
    );
    mock_reports(&host, &[], Ok(vec![]));
    assert_eq!(manager.claim_protocol_fees(vec![], vec![]), Ok(U96::ZERO));
    assert_eq!(manager.owed_protocol_fees(), u96(27));
}

#[test]
fn claim_protocol_fees_refusals() {
    let (host, mut manager) = manager();
    assert_eq!(
        manager.claim_protocol_fees(vec![1], vec![]),
        Err(err(ArrayLengthMismatch {}))
    );
    mock_reports(
        &host,
        &[(1, 0)],
        Ok(vec![report(100, 1000, vec![1], false)]),
    );
    assert_eq!(
        manager.claim_protocol_fees(vec![1], vec![U256::ZERO]),
        Err(err(PayerReportNotSettled {
            originatorNodeId: 1,
            payerReportIndex: U256::ZERO
        }))
    );
    let missing = NoReportsForOriginator {
        originatorNodeId: 9,
    }
    .abi_encode();
    mock_reports(&host, &[(9, 0)], Err(missing.clone()));
    assert_eq!(
        manager.claim_protocol_fees(vec![9], vec![U256::ZERO]),
        Err(err(Bubbled(missing)))
    );
    // The same pair twice in one call: the second is already claimed.
    let (host, mut manager) = self::manager();
    let r = report(100, 1000, vec![1], true);
    mock_reports(&host, &[(1, 0), (1, 0)], Ok(vec![r.clone(), r]));
    assert_eq!(
        manager.claim_protocol_fees(vec![1, 1], vec![U256::ZERO, U256::ZERO]),
        Err(err(AlreadyClaimed {
            originatorNodeId: 1,
            payerReportIndex: U256::ZERO
        }))
    );
    pause(&manager);
    assert_eq!(
        manager.claim_protocol_fees(vec![], vec![]),
        Err(err(Paused {}))
    );
}

#[test]
fn claim_protocol_fees_accumulators_wrap() {
    let (host, mut manager) = manager();
    let max = U96::MAX;
    manager.layout().owed_protocol_fees.set(max);
    mock_reports(&host, &[(1, 0)], Ok(vec![report(2, 0, vec![], true)]));
    assert_eq!(
        manager.claim_protocol_fees(vec![1], vec![U256::ZERO]),
        Ok(u96(2))
    );
    assert_eq!(manager.owed_protocol_fees(), u96(1));
}

// ---- claim ----

#[test]
fn claim_records_the_nodes_portion() {
    let (host, mut manager) = manager();
    mock_owner(&host, 20, Ok(OWNER));
    mock_reports(
        &host,
        &[(1, 0), (2, 3)],
        Ok(vec![
            report(100, 1000, vec![10, 20, 30], true),
            report(200, 750, vec![10, 20, 30], true),
        ]),
    );
    assert_eq!(
        manager.claim(20, vec![1, 2], vec![U256::ZERO, U256::from(3)]),
        Ok(u96(91))
    );
    assert_eq!(manager.get_owed_fees(20), u96(91));
    assert_eq!(manager.total_owed_fees(), u96(91));
    assert!(manager.are_fees_claimed(20, 1, U256::ZERO));
    assert!(!manager.are_fees_claimed(10, 1, U256::ZERO));
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![
            log(&Claim {
                nodeId: 20,
                originatorNodeId: 1,
                payerReportIndex: U256::ZERO,
                amount: u96(30)
            }),
            log(&Claim {
                nodeId: 20,
                originatorNodeId: 2,
                payerReportIndex: U256::from(3),
                amount: u96(61)
            }),
        ]
    );
    mock_reports(
        &host,
        &[(2, 3)],
        Ok(vec![report(200, 750, vec![10, 20, 30], true)]),
    );
    assert_eq!(
        manager.claim(20, vec![2], vec![U256::from(3)]),
        Err(err(AlreadyClaimed {
            originatorNodeId: 2,
            payerReportIndex: U256::from(3)
        }))
    );
}

#[test]
fn claim_refusals_in_order() {
    let (host, mut manager) = manager();
    mock_owner(&host, 20, Ok(STRANGER));
    assert_eq!(manager.claim(20, vec![], vec![]), Err(err(NotNodeOwner {})));
    let missing = ERC721NonexistentToken {
        tokenId: U256::from(21),
    }
    .abi_encode();
    mock_owner(&host, 21, Err(missing.clone()));
    assert_eq!(
        manager.claim(21, vec![], vec![]),
        Err(err(Bubbled(missing)))
    );
    mock_owner(&host, 20, Ok(OWNER));
    assert_eq!(
        manager.claim(20, vec![1], vec![]),
        Err(err(ArrayLengthMismatch {}))
    );
    mock_reports(
        &host,
        &[(1, 0)],
        Ok(vec![report(100, 1000, vec![10, 20], false)]),
    );
    assert_eq!(
        manager.claim(20, vec![1], vec![U256::ZERO]),
        Err(err(PayerReportNotSettled {
            originatorNodeId: 1,
            payerReportIndex: U256::ZERO
        }))
    );
    mock_reports(
        &host,
        &[(1, 0)],
        Ok(vec![report(100, 1000, vec![10, 30], true)]),
    );
    assert_eq!(
        manager.claim(20, vec![1], vec![U256::ZERO]),
        Err(err(NotInPayerReport {
            originatorNodeId: 1,
            payerReportIndex: U256::ZERO
        }))
    );
    mock_reports(&host, &[(1, 0)], Ok(vec![report(100, 1000, vec![], true)]));
    assert_eq!(
        manager.claim(20, vec![1], vec![U256::ZERO]),
        Err(err(NotInPayerReport {
            originatorNodeId: 1,
            payerReportIndex: U256::ZERO
        }))
    );
    pause(&manager);
    assert_eq!(manager.claim(20, vec![], vec![]), Err(err(Paused {})));
}

#[test]
fn undecodable_reports_revert_with_empty_data() {
    let (host, mut manager) = manager();
    let calldata = IPayerReportManagerLike::getPayerReportsCall {
        originatorNodeIds_: vec![1],
        payerReportIndices_: vec![U256::ZERO],
    }
    .abi_encode();
    host.mock(
        CallKind::Static,
        MANAGER,
        calldata.clone(),
        Ok(vec![1, 2, 3]),
    );
    assert_eq!(
        manager.claim_protocol_fees(vec![1], vec![U256::ZERO]),
        Err(err(Bubbled::default()))
    );
    // A well-formed report decodes; each field out of its type, or the node ids' length
    // leaving the data, is Solidity's empty revert. Words: offset, length, element offset,
    // then the report's nine head words (from 96), its node ids' length (at 384) and ids.
    let good = (vec![report(100, 1000, vec![10, 20, 30], true)],).abi_encode_params();
    host.mock(
        CallKind::Static,
        MANAGER,
        calldata.clone(),
        Ok(good.clone()),
    );
    assert_eq!(
        manager.claim_protocol_fees(vec![1], vec![U256::ZERO]),
        Ok(u96(10))
    );
    let calldata = IPayerReportManagerLike::getPayerReportsCall {
        originatorNodeIds_: vec![2],
        payerReportIndices_: vec![U256::ZERO],
    }
    .abi_encode();
    for (byte, value) in [
        (96 + 23, 1),  // startSequenceId ≥ 2^64
        (160 + 27, 1), // endMinuteSinceEpoch ≥ 2^32
        (192 + 19, 1), // feesSettled ≥ 2^96
        (224 + 27, 1), // offset ≥ 2^32
        (256 + 31, 2), // isSettled neither 0 nor 1
        (288 + 29, 1), // protocolFeeRate ≥ 2^16
        (384 + 31, 4), // a fourth node id past the data
        (416 + 27, 1), // a node id ≥ 2^32
    ] {
        let mut bad = good.clone();
        bad[byte] = value;
        host.mock(CallKind::Static, MANAGER, calldata.clone(), Ok(bad));
        assert_eq!(
            manager
                .claim_protocol_fees(vec![2], vec![U256::ZERO])
                .map(|_| ()),
            Err(err(Bubbled::default())),
            "byte {byte}"
        );
    }
}

// ---- withdrawals ----

/// (owed, balance, excess outcome, paid, owed after).
type Case = (u64, u64, Option<Result<u64, Vec<u8>>>, u64, u64);

/// The reference's withdrawal examples.
#[test]
fn withdraw_pays_min_of_owed_and_available() {
    let cases: [Case; 5] = [
        (10, 5, Some(Ok(0)), 5, 5),
        (10, 10, None, 10, 0),
        (10, 5, Some(Ok(3)), 8, 2),
        (15, 10, Some(Ok(5)), 15, 0),
        (2, 1, Some(Err(NoExcess {}.abi_encode())), 1, 1),
    ];
    for (owed, balance, excess, paid, left) in cases {
        let (host, mut manager) = manager();
        set_owed(&manager, 20, owed);
        mock_owner(&host, 20, Ok(OWNER));
        mock_balance(&host, U256::from(balance));
        if let Some(excess) = excess {
            mock_excess(&host, excess.map(|e| U256::from(e).abi_encode()));
        }
        let transfer = mock_transfer(&host, RECIPIENT, paid);
        assert_eq!(
            manager.withdraw(20, RECIPIENT),
            Ok(u96(paid)),
            "{owed} {balance}"
        );
        assert_eq!(manager.get_owed_fees(20), u96(left));
        assert_eq!(manager.total_owed_fees(), u96(left));
        assert_eq!(
            host.vm.get_emitted_logs(),
            vec![log(&Withdrawal {
                nodeId: 20,
                amount: u96(paid)
            })]
        );
        assert_eq!(
            host.calls().last().unwrap(),
            &(CallKind::Call(U256::ZERO), TOKEN, transfer)
        );
    }
}

#[test]
fn withdraw_refusals() {
    let (host, mut manager) = manager();
    mock_owner(&host, 20, Ok(OWNER));
    assert_eq!(
        manager.withdraw(20, Address::ZERO),
        Err(err(ZeroRecipient {}))
    );
    assert_eq!(manager.withdraw(20, RECIPIENT), Err(err(NoFeesOwed {})));
    set_owed(&manager, 20, 1);
    mock_balance(&host, U256::ZERO);
    mock_excess(&host, Ok(U256::ZERO.abi_encode()));
    assert_eq!(
        manager.withdraw(20, RECIPIENT),
        Err(err(ZeroAvailableBalance {}))
    );
    mock_excess(&host, Err(b"other".to_vec()));
    assert_eq!(
        manager.withdraw(20, RECIPIENT),
        Err(err(Bubbled(b"other".to_vec())))
    );
    mock_excess(&host, Err(vec![0x6c, 0x16, 0x3b]));
    assert_eq!(
        manager.withdraw(20, RECIPIENT),
        Err(err(Bubbled(vec![0x6c, 0x16, 0x3b])))
    );
    mock_excess(&host, Ok(U256::from(1u128 << 96).abi_encode()));
    assert_eq!(
        manager.withdraw(20, RECIPIENT),
        Err(err(Bubbled::default()))
    );
    host.vm.set_code(PAYERS, vec![]);
    assert_eq!(
        manager.withdraw(20, RECIPIENT),
        Err(err(Bubbled::default()))
    );
    host.vm.set_sender(STRANGER);
    assert_eq!(manager.withdraw(20, RECIPIENT), Err(err(NotNodeOwner {})));
    pause(&manager);
    assert_eq!(manager.withdraw(20, RECIPIENT), Err(err(Paused {})));
    assert_eq!(
        manager.withdraw_into_underlying(20, RECIPIENT),
        Err(err(Paused {}))
    );
}

#[test]
fn balances_above_96_bits_are_truncated() {
    let (host, mut manager) = manager();
    set_owed(&manager, 20, 10);
    mock_owner(&host, 20, Ok(OWNER));
    // 2^96 + 4 truncates to 4.
    mock_balance(&host, (U256::from(1) << 96) + U256::from(4));
    mock_excess(&host, Err(NoExcess {}.abi_encode()));
    mock_transfer(&host, RECIPIENT, 4);
    assert_eq!(manager.withdraw(20, RECIPIENT), Ok(u96(4)));
}

#[test]
fn withdraw_into_underlying_uses_withdraw_to() {
    let (host, mut manager) = manager();
    set_owed(&manager, 20, 10);
    mock_owner(&host, 20, Ok(OWNER));
    mock_balance(&host, U256::from(10));
    let call = mock_withdraw_to(&host, RECIPIENT, 10);
    assert_eq!(manager.withdraw_into_underlying(20, RECIPIENT), Ok(u96(10)));
    assert_eq!(
        host.calls().last().unwrap(),
        &(CallKind::Call(U256::ZERO), TOKEN, call)
    );
}

#[test]
fn payout_reverts_and_bad_returns_bubble() {
    for outcome in [
        Err(b"no".to_vec()),
        Ok(vec![]),
        Ok(U256::from(2).abi_encode()),
    ] {
        let (host, mut manager) = manager();
        set_owed(&manager, 20, 10);
        mock_owner(&host, 20, Ok(OWNER));
        mock_balance(&host, U256::from(10));
        let calldata = IERC20Like::transferCall {
            recipient_: RECIPIENT,
            amount_: U256::from(10),
        }
        .abi_encode();
        let expected = outcome.clone().err().map_or(Bubbled::default(), Bubbled);
        host.mock(CallKind::Call(U256::ZERO), TOKEN, calldata, outcome);
        assert_eq!(manager.withdraw(20, RECIPIENT), Err(err(expected)));
    }
    // A `false` return is accepted: the reference does not check it.
    let (host, mut manager) = manager();
    set_owed(&manager, 20, 10);
    mock_owner(&host, 20, Ok(OWNER));
    mock_balance(&host, U256::from(10));
    let calldata = IERC20Like::transferCall {
        recipient_: RECIPIENT,
        amount_: U256::from(10),
    }
    .abi_encode();
    host.mock(
        CallKind::Call(U256::ZERO),
        TOKEN,
        calldata,
        Ok(false.abi_encode()),
    );
    assert_eq!(manager.withdraw(20, RECIPIENT), Ok(u96(10)));
}

#[test]
fn withdraw_protocol_fees_goes_to_the_recipient_whoever_calls() {
    let (host, mut manager) = manager();
    host.vm.set_sender(STRANGER);
    assert_eq!(
        manager.withdraw_protocol_fees(),
        Err(err(ZeroProtocolFeeRecipient {}))
    );
    set_recipient(&manager, RECIPIENT);
    assert_eq!(manager.withdraw_protocol_fees(), Err(err(NoFeesOwed {})));
    set_owed_protocol(&manager, 15);
    mock_balance(&host, U256::from(10));
    mock_excess(&host, Ok(U256::from(5).abi_encode()));
    mock_transfer(&host, RECIPIENT, 15);
    assert_eq!(manager.withdraw_protocol_fees(), Ok(u96(15)));
    assert_eq!(manager.owed_protocol_fees(), U96::ZERO);
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![log(&ProtocolFeesWithdrawal { amount: u96(15) })]
    );
    set_owed_protocol(&manager, 3);
    mock_balance(&host, U256::from(3));
    mock_withdraw_to(&host, RECIPIENT, 3);
    assert_eq!(manager.withdraw_protocol_fees_into_underlying(), Ok(u96(3)));
    pause(&manager);
    assert_eq!(manager.withdraw_protocol_fees(), Err(err(Paused {})));
    assert_eq!(
        manager.withdraw_protocol_fees_into_underlying(),
        Err(err(Paused {}))
    );
}

// ---- parameters ----

#[test]
fn update_pause_status() {
    let (host, mut manager) = manager();
    mock_param(&host, PAUSED_PARAMETER_KEY, B256::ZERO);
    assert_eq!(manager.update_pause_status(), Err(err(NoChange {})));
    mock_param(&host, PAUSED_PARAMETER_KEY, B256::with_last_byte(2));
    assert_eq!(
        manager.update_pause_status(),
        Err(err(ParameterOutOfTypeBounds {}))
    );
    mock_param(&host, PAUSED_PARAMETER_KEY, B256::with_last_byte(1));
    assert_eq!(manager.update_pause_status(), Ok(()));
    assert!(manager.paused());
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![log(&PauseStatusUpdated { paused: true })]
    );
}

#[test]
fn update_protocol_fees_recipient_accepts_zero_when_it_changes() {
    let (host, mut manager) = manager();
    let key = PROTOCOL_FEES_RECIPIENT_PARAMETER_KEY;
    mock_param(&host, key, B256::ZERO);
    assert_eq!(
        manager.update_protocol_fees_recipient(),
        Err(err(NoChange {}))
    );
    mock_param(&host, key, RECIPIENT.into_word());
    assert_eq!(manager.update_protocol_fees_recipient(), Ok(()));
    assert_eq!(manager.protocol_fees_recipient(), RECIPIENT);
    assert_eq!(
        word_at(&host, 0),
        U256::from_be_bytes(RECIPIENT.into_word().0)
    );
    mock_param(&host, key, B256::ZERO);
    assert_eq!(manager.update_protocol_fees_recipient(), Ok(()));
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![
            log(&ProtocolFeesRecipientUpdated {
                protocolFeesRecipient: RECIPIENT
            }),
            log(&ProtocolFeesRecipientUpdated {
                protocolFeesRecipient: Address::ZERO
            }),
        ]
    );
    mock_param(&host, key, B256::repeat_byte(0xff));
    assert_eq!(
        manager.update_protocol_fees_recipient(),
        Err(err(ParameterOutOfTypeBounds {}))
    );
}

/// The registry's answer, then every `Migratable` outcome (zero, out of bounds, failing,
/// codeless, migrating), with exact revert data.
#[test]
fn migrate_follows_the_migratable_sequence() {
    let (host, mut manager) = manager();
    assert_migrate_through_registry(
        &host,
        &mut manager,
        MIGRATOR,
        |answer| mock_param_answer(&host, MIGRATOR_PARAMETER_KEY, answer),
        DistributionManager::migrate,
    );
}

#[test]
fn every_interface_function_is_routed() {
    for function in IDistributionManager::abi::functions().values().flatten() {
        let selector = function.selector().0;
        assert!(
            router::route(selector).is_some() != router::dispatch_string(selector).is_some(),
            "{} is not routed once",
            function.signature()
        );
    }
    assert!(router::route([0xde, 0xad, 0xbe, 0xef]).is_none());
    assert!(router::dispatch_string([0xde, 0xad, 0xbe, 0xef]).is_none());
    let (_host, mut manager) = manager();
    assert_eq!(manager.fallback(&[0xde, 0xad, 0xbe, 0xef]), Err(vec![]));
    assert_eq!(manager.fallback(&[0x81]), Err(vec![]));
    assert_eq!(manager.fallback(&[]), Err(vec![]));
}

fn call(manager: &mut DistributionManager, call: &impl SolCall) -> ArbResult {
    manager.fallback(&call.abi_encode())
}

#[test]
fn views_answer_through_the_fallback_as_the_interface_encodes() {
    use IDistributionManager as I;
    let (_host, mut manager) = manager();
    let m = &mut manager;
    let string = |value: &str| I::versionCall::abi_encode_returns(&value.to_owned());
    assert_eq!(call(m, &I::versionCall {}), Ok(string("1.0.2")));
    assert_eq!(
        call(m, &I::contractNameCall {}),
        Ok(string("DistributionManager"))
    );
    assert_eq!(
        call(m, &I::migratorParameterKeyCall {}),
        Ok(string("xmtp.distributionManager.migrator"))
    );
    assert_eq!(
        call(m, &I::pausedParameterKeyCall {}),
        Ok(string("xmtp.distributionManager.paused"))
    );
    assert_eq!(
        call(m, &I::protocolFeesRecipientParameterKeyCall {}),
        Ok(string("xmtp.distributionManager.protocolFeesRecipient"))
    );
    set_recipient(m, RECIPIENT);
    set_owed(m, 100, 7);
    set_owed_protocol(m, 9);
    for (selector, expected) in [
        (I::parameterRegistryCall::SELECTOR, REGISTRY.into_word()),
        (I::nodeRegistryCall::SELECTOR, NODES.into_word()),
        (I::payerReportManagerCall::SELECTOR, MANAGER.into_word()),
        (I::payerRegistryCall::SELECTOR, PAYERS.into_word()),
        (I::feeTokenCall::SELECTOR, TOKEN.into_word()),
        (I::implementationCall::SELECTOR, IMPLEMENTATION.into_word()),
        (
            I::protocolFeesRecipientCall::SELECTOR,
            RECIPIENT.into_word(),
        ),
        (I::owedProtocolFeesCall::SELECTOR, B256::from(U256::from(9))),
        (I::totalOwedFeesCall::SELECTOR, B256::from(U256::from(7))),
        (I::pausedCall::SELECTOR, B256::ZERO),
    ] {
        assert_eq!(m.fallback(&selector), Ok(expected.to_vec()));
    }
    assert_eq!(
        call(m, &I::getOwedFeesCall { nodeId_: 100 }),
        Ok(B256::from(U256::from(7)).to_vec())
    );
}

#[test]
fn claims_and_withdrawals_through_the_fallback() {
    use IDistributionManager as I;
    let (host, mut manager) = manager();
    let m = &mut manager;
    set_recipient(m, RECIPIENT);
    set_owed_protocol(m, 9);
    mock_reports(
        &host,
        &[(1, 0)],
        Ok(vec![report(100, 1000, vec![10, 20, 30], true)]),
    );
    let claim = I::claimProtocolFeesCall {
        originatorNodeIds_: vec![1],
        payerReportIndices_: vec![U256::ZERO],
    };
    assert_eq!(call(m, &claim), Ok(B256::from(U256::from(10)).to_vec()));
    assert_eq!(
        call(
            m,
            &I::areProtocolFeesClaimedCall {
                originatorNodeId_: 1,
                payerReportIndex_: U256::ZERO,
            }
        ),
        Ok(B256::with_last_byte(1).to_vec())
    );
    assert_eq!(
        call(m, &claim),
        Err(AlreadyClaimed {
            originatorNodeId: 1,
            payerReportIndex: U256::ZERO,
        }
        .abi_encode())
    );
    mock_owner(&host, 20, Ok(OWNER));
    mock_reports(
        &host,
        &[(1, 0)],
        Ok(vec![report(100, 1000, vec![10, 20, 30], true)]),
    );
    let claim = I::claimCall {
        nodeId_: 20,
        originatorNodeIds_: vec![1],
        payerReportIndices_: vec![U256::ZERO],
    };
    assert_eq!(call(m, &claim), Ok(B256::from(U256::from(30)).to_vec()));
    assert_eq!(
        call(
            m,
            &I::areFeesClaimedCall {
                nodeId_: 20,
                originatorNodeId_: 1,
                payerReportIndex_: U256::ZERO,
            }
        ),
        Ok(B256::with_last_byte(1).to_vec())
    );
    mock_balance(&host, U256::from(1_000));
    mock_transfer(&host, RECIPIENT, 30);
    assert_eq!(
        call(
            m,
            &I::withdrawCall {
                nodeId_: 20,
                recipient_: RECIPIENT,
            }
        ),
        Ok(B256::from(U256::from(30)).to_vec())
    );
    mock_withdraw_to(&host, RECIPIENT, 19);
    assert_eq!(
        call(m, &I::withdrawProtocolFeesIntoUnderlyingCall {}),
        Ok(B256::from(U256::from(19)).to_vec())
    );
    assert_eq!(
        call(m, &I::initializeCall {}),
        Ok(vec![]),
        "a function returning nothing answers no data"
    );
}

#[test]
fn the_fallback_refuses_malformed_calldata_and_value_with_empty_data() {
    use IDistributionManager as I;
    let (host, mut manager) = manager();
    let withdraw = I::withdrawCall {
        nodeId_: 20,
        recipient_: RECIPIENT,
    }
    .abi_encode();
    assert_eq!(manager.fallback(&withdraw[..67]), Err(vec![]));
    let mut dirty = withdraw.clone();
    dirty[4 + 32 + 11] = 1;
    assert_eq!(manager.fallback(&dirty), Err(vec![]));
    let claim = I::claimProtocolFeesCall {
        originatorNodeIds_: vec![1],
        payerReportIndices_: vec![U256::ZERO],
    }
    .abi_encode();
    let mut bad = claim.clone();
    bad[4 + 31] = 0xf0;
    assert_eq!(manager.fallback(&bad), Err(vec![]));
    let mut bad = claim.clone();
    bad[4 + 64 + 32 + 27] = 1;
    assert_eq!(manager.fallback(&bad), Err(vec![]));
    host.vm.set_value(U256::from(1));
    assert_eq!(manager.fallback(&I::versionCall::SELECTOR), Err(vec![]));
    assert_eq!(manager.fallback(&I::pausedCall::SELECTOR), Err(vec![]));
}

/// The error as the program's variant, and alloy's encoding of it.
fn case<E: SolError + Into<DistributionManagerError>>(
    error: E,
) -> (DistributionManagerError, Vec<u8>) {
    let encoded = error.abi_encode();
    (error.into(), encoded)
}

#[test]
fn revert_data_is_the_interface_encoding_of_every_error() {
    let cases = vec![
        case(InvalidInitialization {}),
        case(NotNodeOwner {}),
        case(ArrayLengthMismatch {}),
        case(AlreadyClaimed {
            originatorNodeId: 3,
            payerReportIndex: U256::MAX,
        }),
        case(PayerReportNotSettled {
            originatorNodeId: u32::MAX,
            payerReportIndex: U256::from(4),
        }),
        case(NotInPayerReport {
            originatorNodeId: 5,
            payerReportIndex: U256::from(6),
        }),
        case(ZeroRecipient {}),
        case(NoFeesOwed {}),
        case(ZeroAvailableBalance {}),
        case(Paused {}),
        case(NoChange {}),
        case(ZeroProtocolFeeRecipient {}),
        case(ParameterOutOfTypeBounds {}),
        case(ZeroMigrator {}),
        case(MigrationFailed {
            migrator_: MIGRATOR,
            revertData_: vec![7u8; 37].into(),
        }),
        case(EmptyCode {
            migrator_: MIGRATOR,
        }),
        case(Panic::from(PanicKind::UnderOverflow)),
    ];
    for (error, expected) in cases {
        assert_eq!(Vec::<u8>::from(error), expected);
    }
    assert_eq!(Vec::<u8>::from(err(Bubbled(vec![1, 2, 3]))), vec![1, 2, 3]);
}

// ---- properties ----

/// The split as §6.4 states it, computed independently: `(protocol, each node's portion)`.
fn expected_split(fees: u128, rate: u16, nodes: usize) -> (u128, u128) {
    if nodes == 0 {
        return (fees, 0);
    }
    xmtp_split(fees, rate, nodes)
}

/// Pays out `owed` to `recipient` through `withdraw` against a token balance of `*balance` and
/// a registry excess of `*excess` (pulled only when the balance is short), as the fee token
/// and the registry would; returns what was paid.
fn withdraw_modelled(
    host: &MockHost,
    (balance, excess): (&mut u128, &mut u128),
    owed: u128,
    recipient: Address,
    withdraw: impl FnOnce() -> Result<U96, DistributionManagerError>,
) -> u128 {
    mock_balance(host, U256::from(*balance));
    let mut available = *balance;
    if owed > available {
        if *excess > 0 {
            mock_excess(host, Ok(U256::from(*excess).abi_encode()));
            available += *excess;
            *excess = 0;
        } else {
            mock_excess(host, Err(NoExcess {}.abi_encode()));
        }
    }
    if available == 0 {
        assert_eq!(withdraw(), Err(err(ZeroAvailableBalance {})));
        return 0;
    }
    let paid = owed.min(available);
    let transfer = IERC20Like::transferCall {
        recipient_: recipient,
        amount_: U256::from(paid),
    };
    host.mock(
        CallKind::Call(U256::ZERO),
        TOKEN,
        transfer.abi_encode(),
        Ok(true.abi_encode()),
    );
    assert_eq!(withdraw(), Ok(U96::from(paid)));
    *balance = available - paid;
    paid
}

/// Settled reports `(feesSettled, rate, nodeIds)` of originators 1, 2, …: the protocol and
/// every listed node claim, then everyone withdraws while the registry's excess is
/// `collected`. Returns `(node claims, protocol claims, paid out)`.
fn claim_and_withdraw_all(
    reports: &[(u128, u16, Vec<u32>)],
    collected: u128,
) -> (u128, u128, u128) {
    let (host, mut manager) = manager();
    set_recipient(&manager, RECIPIENT);
    let stored: Vec<PayerReport> = reports
        .iter()
        .map(|(fees, rate, nodes)| PayerReport {
            feesSettled: U96::from(*fees),
            ..report(0, *rate, nodes.clone(), true)
        })
        .collect();
    let pairs: Vec<(u32, u64)> = (1..=u32::try_from(reports.len()).unwrap())
        .map(|o| (o, 0))
        .collect();
    let originators: Vec<u32> = pairs.iter().map(|p| p.0).collect();
    let indices = vec![U256::ZERO; pairs.len()];
    mock_reports(&host, &pairs, Ok(stored.clone()));
    host.vm.set_sender(STRANGER);
    let protocol = manager
        .claim_protocol_fees(originators, indices)
        .unwrap()
        .to::<u128>();
    let expected: u128 = reports
        .iter()
        .map(|(fees, rate, nodes)| expected_split(*fees, *rate, nodes.len()).0)
        .sum();
    assert_eq!(protocol, expected);

    host.vm.set_sender(OWNER);
    let mut node_ids: Vec<u32> = reports.iter().flat_map(|r| r.2.clone()).collect();
    node_ids.sort_unstable();
    node_ids.dedup();
    let mut nodes_claimed = 0u128;
    for node in &node_ids {
        let mine: Vec<usize> = (0..reports.len())
            .filter(|i| reports[*i].2.contains(node))
            .collect();
        let pairs: Vec<(u32, u64)> = mine.iter().map(|i| (pairs[*i].0, 0)).collect();
        mock_reports(
            &host,
            &pairs,
            Ok(mine.iter().map(|i| stored[*i].clone()).collect()),
        );
        mock_owner(&host, *node, Ok(OWNER));
        let claimed = manager
            .claim(
                *node,
                pairs.iter().map(|p| p.0).collect(),
                vec![U256::ZERO; pairs.len()],
            )
            .unwrap()
            .to::<u128>();
        let expected: u128 = mine
            .iter()
            .map(|i| expected_split(reports[*i].0, reports[*i].1, reports[*i].2.len()).1)
            .sum();
        assert_eq!(claimed, expected);
        nodes_claimed += claimed;
    }
    assert_eq!(manager.total_owed_fees().to::<u128>(), nodes_claimed);

    let (mut balance, mut excess) = (0u128, collected);
    let mut paid = 0u128;
    for node in &node_ids {
        let owed = manager.get_owed_fees(*node).to::<u128>();
        if owed == 0 {
            assert_eq!(manager.withdraw(*node, OWNER), Err(err(NoFeesOwed {})));
            continue;
        }
        paid += withdraw_modelled(&host, (&mut balance, &mut excess), owed, OWNER, || {
            manager.withdraw(*node, OWNER)
        });
    }
    let owed = manager.owed_protocol_fees().to::<u128>();
    if owed > 0 {
        paid += withdraw_modelled(&host, (&mut balance, &mut excess), owed, RECIPIENT, || {
            manager.withdraw_protocol_fees()
        });
    }
    (nodes_claimed, protocol, paid)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Over any settled reports (fees up to 2^94, any rate, 0 to 9 nodes each), the node
    /// claims plus the protocol's claims are exactly the fees settled, and the withdrawals pay
    /// out no more than was claimed, nor more than the tokens collected.
    #[test]
    fn distribution_never_pays_out_more_than_was_settled(
        reports in proptest::collection::vec(
            (0u128..(1 << 94), 0u16..=10_000, proptest::collection::btree_set(1u32..=9, 0..=9)),
            1..=4,
        ),
        collected_share in 0u128..=1000,
    ) {
        let reports: Vec<(u128, u16, Vec<u32>)> = reports
            .into_iter()
            .map(|(fees, rate, nodes)| (fees, rate, nodes.into_iter().collect()))
            .collect();
        let settled: u128 = reports.iter().map(|r| r.0).sum();
        // What the payers actually paid: part of what was settled (the rest is unpaid debt).
        let collected = settled / 1000 * collected_share;
        let (nodes, protocol, paid) = claim_and_withdraw_all(&reports, collected);
        prop_assert_eq!(nodes + protocol, settled);
        prop_assert!(paid <= nodes + protocol);
        prop_assert_eq!(paid, collected.min(settled));
    }
}
