//! The declarations the manifest does not cover: the subset interfaces the contracts call
//! (selectors from the specification's index), their agreement with the full interfaces, and
//! the sharing of one Rust type per Solidity declaration.

use alloy_primitives::{address, b256, fixed_bytes, FixedBytes};
use alloy_sol_types::{SolCall, SolError, SolEvent, TopicList};
use xmtp_abi::{
    app_chain_external, app_chain_gateway, deposit_splitter, distribution_manager, erc1967,
    erc5267, erc712, factory, fee_token, group_message_broadcaster, identified,
    identity_update_broadcaster, initializable, migratable, node_registry, oz_erc20,
    oz_erc20_permit, oz_erc5267, oz_erc721, parameter_registry, payer_registry,
    payer_report_manager, payload_broadcaster, rate_registry, settlement_chain_external,
    settlement_chain_gateway,
};

fn check(table: &[(FixedBytes<4>, FixedBytes<4>, &str)]) {
    let wrong: Vec<String> = table
        .iter()
        .filter(|(ours, want, _)| ours != want)
        .map(|(ours, want, name)| format!("{name}: ours {ours}, expected {want}"))
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn settlement_chain_subset_interfaces_have_the_specified_selectors() {
    use settlement_chain_external::{
        IAppChainGatewayLike, IERC20InboxLike, IERC20Like, IFeeTokenLike, IPermitErc20Like,
        ISettlementChainGatewayLike,
    };
    check(&[
        (
            IERC20Like::approveCall::SELECTOR.into(),
            fixed_bytes!("095ea7b3"),
            "approve",
        ),
        (
            IERC20Like::transferCall::SELECTOR.into(),
            fixed_bytes!("a9059cbb"),
            "transfer",
        ),
        (
            IERC20Like::transferFromCall::SELECTOR.into(),
            fixed_bytes!("23b872dd"),
            "transferFrom",
        ),
        (
            IERC20Like::balanceOfCall::SELECTOR.into(),
            fixed_bytes!("70a08231"),
            "balanceOf",
        ),
        (
            IERC20Like::decimalsCall::SELECTOR.into(),
            fixed_bytes!("313ce567"),
            "decimals",
        ),
        (
            IERC20InboxLike::createRetryableTicketCall::SELECTOR.into(),
            fixed_bytes!("549e8426"),
            "createRetryableTicket",
        ),
        (
            IERC20InboxLike::calculateRetryableSubmissionFeeCall::SELECTOR.into(),
            fixed_bytes!("a66b327d"),
            "calculateRetryableSubmissionFee",
        ),
        (
            IERC20InboxLike::sendContractTransactionCall::SELECTOR.into(),
            fixed_bytes!("8a631aa6"),
            "sendContractTransaction",
        ),
        (
            IERC20InboxLike::depositERC20Call::SELECTOR.into(),
            fixed_bytes!("b79092fd"),
            "depositERC20",
        ),
        (
            IAppChainGatewayLike::receiveDepositCall::SELECTOR.into(),
            fixed_bytes!("4578474d"),
            "receiveDeposit",
        ),
        (
            IAppChainGatewayLike::receiveParametersCall::SELECTOR.into(),
            fixed_bytes!("333b1e2f"),
            "receiveParameters",
        ),
        (
            IPermitErc20Like::permitCall::SELECTOR.into(),
            fixed_bytes!("d505accf"),
            "permit",
        ),
        (
            IFeeTokenLike::depositCall::SELECTOR.into(),
            fixed_bytes!("b6b55f25"),
            "deposit(uint256)",
        ),
        (
            IFeeTokenLike::withdrawToCall::SELECTOR.into(),
            fixed_bytes!("205c2878"),
            "withdrawTo",
        ),
        (
            IFeeTokenLike::underlyingCall::SELECTOR.into(),
            fixed_bytes!("6f307dc3"),
            "underlying",
        ),
        (
            ISettlementChainGatewayLike::depositCall::SELECTOR.into(),
            fixed_bytes!("57223aab"),
            "gateway deposit",
        ),
    ]);
}

#[test]
fn app_chain_subset_interfaces_have_the_specified_selectors() {
    use app_chain_external::{IArbSysLike, ISettlementChainGatewayLike};
    check(&[
        (
            IArbSysLike::sendTxToL1Call::SELECTOR.into(),
            fixed_bytes!("928c169a"),
            "sendTxToL1",
        ),
        (
            ISettlementChainGatewayLike::receiveWithdrawalCall::SELECTOR.into(),
            fixed_bytes!("573b8299"),
            "receiveWithdrawal",
        ),
        (
            ISettlementChainGatewayLike::receiveWithdrawalIntoUnderlyingCall::SELECTOR.into(),
            fixed_bytes!("a0f94c84"),
            "receiveWithdrawalIntoUnderlying",
        ),
    ]);
    assert_eq!(
        app_chain_external::ARB_SYS,
        address!("0000000000000000000000000000000000000064")
    );
}

/// The selectors of two declarations of one function, named after the first.
macro_rules! same {
    ($ours:path, $theirs:path) => {
        (
            <$ours as SolCall>::SELECTOR.into(),
            <$theirs as SolCall>::SELECTOR.into(),
            stringify!($ours),
        )
    };
}

/// Each subset interface calls the same function the full interface declares.
#[test]
fn subset_interfaces_agree_with_the_full_interfaces() {
    use settlement_chain_external as ext;
    check(&[
        same!(
            ext::INodeRegistryLike::canonicalNodesCountCall,
            node_registry::INodeRegistry::canonicalNodesCountCall
        ),
        same!(
            ext::INodeRegistryLike::getCanonicalNodesCall,
            node_registry::INodeRegistry::getCanonicalNodesCall
        ),
        same!(
            ext::INodeRegistryLike::getIsCanonicalNodeCall,
            node_registry::INodeRegistry::getIsCanonicalNodeCall
        ),
        same!(
            ext::INodeRegistryLike::getSignerCall,
            node_registry::INodeRegistry::getSignerCall
        ),
        same!(
            ext::INodeRegistryLike::ownerOfCall,
            node_registry::INodeRegistry::ownerOfCall
        ),
        same!(
            ext::IPayerRegistryLike::depositCall,
            payer_registry::IPayerRegistry::depositCall
        ),
        same!(
            ext::IPayerRegistryLike::settleUsageCall,
            payer_registry::IPayerRegistry::settleUsageCall
        ),
        same!(
            ext::IPayerRegistryLike::sendExcessToFeeDistributorCall,
            payer_registry::IPayerRegistry::sendExcessToFeeDistributorCall
        ),
        same!(
            ext::IPayerReportManagerLike::getPayerReportsCall,
            payer_report_manager::IPayerReportManager::getPayerReportsCall
        ),
        same!(
            ext::IFeeTokenLike::depositCall,
            fee_token::IFeeToken::depositCall
        ),
        same!(
            ext::IFeeTokenLike::withdrawToCall,
            fee_token::IFeeToken::withdrawToCall
        ),
        same!(
            ext::IPermitErc20Like::permitCall,
            fee_token::IFeeToken::permitCall
        ),
        same!(
            ext::IPermitErc20Like::permitCall,
            oz_erc20_permit::IERC20Permit::permitCall
        ),
        same!(
            ext::IAppChainGatewayLike::receiveDepositCall,
            app_chain_gateway::IAppChainGateway::receiveDepositCall
        ),
        same!(
            ext::IAppChainGatewayLike::receiveParametersCall,
            app_chain_gateway::IAppChainGateway::receiveParametersCall
        ),
        same!(
            ext::ISettlementChainGatewayLike::depositCall,
            settlement_chain_gateway::ISettlementChainGateway::depositCall
        ),
        same!(
            app_chain_external::ISettlementChainGatewayLike::receiveWithdrawalCall,
            settlement_chain_gateway::ISettlementChainGateway::receiveWithdrawalCall
        ),
        same!(
            app_chain_external::ISettlementChainGatewayLike::receiveWithdrawalIntoUnderlyingCall,
            settlement_chain_gateway::ISettlementChainGateway::receiveWithdrawalIntoUnderlyingCall
        ),
        same!(
            ext::IERC20Like::transferFromCall,
            oz_erc20::IERC20::transferFromCall
        ),
    ]);
}

/// The XMTP, `OpenZeppelin` and per-contract declarations of one function agree.
#[test]
fn inherited_functions_agree_across_interfaces() {
    check(&[
        same!(
            oz_erc721::IERC721::safeTransferFrom_0Call,
            node_registry::INodeRegistry::safeTransferFrom_0Call
        ),
        same!(
            oz_erc721::IERC721::safeTransferFrom_1Call,
            node_registry::INodeRegistry::safeTransferFrom_1Call
        ),
        same!(
            oz_erc5267::IERC5267::eip712DomainCall,
            erc5267::IERC5267::eip712DomainCall
        ),
        same!(
            erc712::IERC712::DOMAIN_SEPARATORCall,
            oz_erc20_permit::IERC20Permit::DOMAIN_SEPARATORCall
        ),
        same!(
            erc1967::IERC1967::implementationCall,
            migratable::IMigratable::implementationCall
        ),
        same!(
            identified::IIdentified::versionCall,
            rate_registry::IRateRegistry::versionCall
        ),
    ]);
}

/// The overloads are numbered in declaration order: one key first, arrays second, in the full
/// interface and in the subset alike.
#[test]
fn parameter_registry_overloads_are_numbered_alike() {
    use parameter_registry::{IParameterRegistry, IParameterRegistryLike};
    check(&[
        (
            IParameterRegistry::set_0Call::SELECTOR.into(),
            fixed_bytes!("2e3196a5"),
            "set(string,bytes32)",
        ),
        (
            IParameterRegistry::set_1Call::SELECTOR.into(),
            fixed_bytes!("fa482768"),
            "set(string[],bytes32[])",
        ),
        (
            IParameterRegistry::get_0Call::SELECTOR.into(),
            fixed_bytes!("693ec85e"),
            "get(string)",
        ),
        (
            IParameterRegistry::get_1Call::SELECTOR.into(),
            fixed_bytes!("b5cbae61"),
            "get(string[])",
        ),
        (
            IParameterRegistryLike::setCall::SELECTOR.into(),
            fixed_bytes!("2e3196a5"),
            "Like set(string,bytes32)",
        ),
        (
            IParameterRegistryLike::get_0Call::SELECTOR.into(),
            fixed_bytes!("693ec85e"),
            "Like get(string)",
        ),
        (
            IParameterRegistryLike::get_1Call::SELECTOR.into(),
            fixed_bytes!("b5cbae61"),
            "Like get(string[])",
        ),
    ]);
}

/// A declaration shared by several reference interfaces is one Rust type, re-exported: each
/// binding below only compiles if both paths name the same type.
#[test]
fn shared_declarations_are_one_type() {
    let _: factory::Paused = payload_broadcaster::Paused {};
    let _: factory::Paused = distribution_manager::Paused {};
    let _: factory::ZeroParameterRegistry = fee_token::ZeroParameterRegistry {};
    let _: settlement_chain_gateway::NoChange = node_registry::NoChange {};
    let _: settlement_chain_gateway::TransferFromFailed = deposit_splitter::TransferFromFailed {};
    let _: parameter_registry::ArrayLengthMismatch =
        identity_update_broadcaster::ArrayLengthMismatch {};
    let _: group_message_broadcaster::EmptyArray = identity_update_broadcaster::EmptyArray {};
    let _: payer_report_manager::ZeroPayerRegistry = deposit_splitter::ZeroPayerRegistry {};
    let paused = true;
    let _: settlement_chain_gateway::PauseStatusUpdated =
        payer_registry::PauseStatusUpdated { paused };
    let _: erc5267::EIP712DomainChanged = oz_erc5267::EIP712DomainChanged {};
}

/// Same name, different fields: separate types, told apart by selector, topic or indexing.
#[test]
fn same_named_declarations_with_different_fields_stay_apart() {
    // Same selector, different parameter names.
    assert_eq!(
        initializable::EmptyCode::SELECTOR,
        migratable::EmptyCode::SELECTOR
    );
    assert_eq!(initializable::EmptyCode::SIGNATURE, "EmptyCode(address)");
    // Different signatures, so different topics.
    assert_ne!(
        settlement_chain_gateway::Deposit::SIGNATURE_HASH,
        payer_registry::Deposit::SIGNATURE_HASH
    );
    assert_ne!(
        app_chain_gateway::Withdrawal::SIGNATURE_HASH,
        distribution_manager::Withdrawal::SIGNATURE_HASH
    );
    // Same topic, different indexing: ERC-721's token id is a topic, ERC-20's value is data.
    assert_eq!(
        oz_erc20::Transfer::SIGNATURE_HASH,
        oz_erc721::Transfer::SIGNATURE_HASH
    );
    assert_eq!(
        oz_erc20::Transfer::SIGNATURE_HASH,
        b256!("ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef")
    );
    assert_eq!(<oz_erc20::Transfer as SolEvent>::TopicList::COUNT, 3);
    assert_eq!(<oz_erc721::Transfer as SolEvent>::TopicList::COUNT, 4);
}
