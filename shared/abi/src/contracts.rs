//! Each contract's complete JSON ABI, assembled from the shared declarations.
//!
//! The committed `abi/<Contract>.json` files and the parity test against the reference
//! manifest are both derived from [`all`], so a declaration changed here shows up in both.

extern crate alloc;

use alloc::vec::Vec;

use alloy_json_abi::{Fallback, JsonAbi, StateMutability};
use alloy_sol_types::JsonAbiExt;

use crate::{
    app_chain_gateway, deposit_splitter, distribution_manager, erc1967, erc5267, factory,
    fee_token, group_message_broadcaster, identity_update_broadcaster, initializable, migratable,
    migrator, node_registry, oz_ecdsa, oz_erc20, oz_erc20_permit, oz_erc5267, oz_erc721,
    oz_initializable, oz_nonces, oz_strings, parameter_registry, payer_registry,
    payer_report_manager, proxy, rate_registry, registry_parameters, sequential_merkle_proofs,
    settlement_chain_gateway,
};

/// Builds a [`JsonAbi`] from an interface's functions plus listed events and errors.
macro_rules! contract {
    (
        functions: $functions:expr,
        events: [$($event:ty),* $(,)?],
        errors: [$($error:ty),* $(,)?],
        fallback: $fallback:expr $(,)?
    ) => {{
        let mut abi: JsonAbi = $functions;
        $(
            let event = <$event as JsonAbiExt>::abi();
            abi.events.entry(event.name.clone()).or_default().push(event);
        )*
        $(
            let error = <$error as JsonAbiExt>::abi();
            abi.errors.entry(error.name.clone()).or_default().push(error);
        )*
        let fallback: Option<StateMutability> = $fallback;
        abi.fallback = fallback.map(|state_mutability| Fallback { state_mutability });
        abi
    }};
}

/// Every contract of the reference manifest, by its reference name, in the manifest's order.
#[must_use]
pub fn all() -> Vec<(&'static str, JsonAbi)> {
    alloc::vec![
        ("Factory", factory()),
        ("Proxy", proxy()),
        ("Initializable", initializable()),
        ("Migrator", migrator()),
        ("GenericEIP1967Migrator", generic_eip1967_migrator()),
        (
            "SettlementChainParameterRegistry",
            settlement_chain_parameter_registry()
        ),
        ("AppChainParameterRegistry", app_chain_parameter_registry()),
        ("SettlementChainGateway", settlement_chain_gateway()),
        ("AppChainGateway", app_chain_gateway()),
        ("GroupMessageBroadcaster", group_message_broadcaster()),
        ("IdentityUpdateBroadcaster", identity_update_broadcaster()),
        ("NodeRegistry", node_registry()),
        ("PayerRegistry", payer_registry()),
        ("RateRegistry", rate_registry()),
        ("PayerReportManager", payer_report_manager()),
        ("DistributionManager", distribution_manager()),
        ("FeeToken", fee_token()),
        ("DepositSplitter", deposit_splitter()),
    ]
}

fn factory() -> JsonAbi {
    contract! {
        functions: factory::IFactory::abi::contract(),
        events: [
            factory::ImplementationDeployed,
            factory::InitializableImplementationDeployed,
            oz_initializable::Initialized,
            migratable::Migrated,
            factory::ProxyDeployed,
            erc1967::Upgraded,
        ],
        errors: [
            factory::DeployFailed,
            factory::EmptyBytecode,
            migratable::EmptyCode,
            factory::InvalidImplementation,
            oz_initializable::InvalidInitialization,
            migratable::MigrationFailed,
            oz_initializable::NotInitializing,
            registry_parameters::ParameterOutOfTypeBounds,
            factory::Paused,
            migratable::ZeroMigrator,
            factory::ZeroParameterRegistry,
        ],
        fallback: None,
    }
}

fn proxy() -> JsonAbi {
    contract! {
        functions: JsonAbi::new(),
        events: [],
        errors: [
            proxy::ZeroImplementation,
        ],
        fallback: Some(StateMutability::Payable),
    }
}

fn initializable() -> JsonAbi {
    contract! {
        functions: initializable::IInitializable::abi::contract(),
        events: [],
        errors: [
            initializable::EmptyCode,
            initializable::InitializationFailed,
            initializable::ZeroImplementation,
        ],
        fallback: None,
    }
}

fn migrator() -> JsonAbi {
    contract! {
        functions: migrator::IMigrator::abi::contract(),
        events: [
            erc1967::Upgraded,
        ],
        errors: [
            migrator::UnexpectedImplementation,
            migrator::ZeroFromImplementation,
            migrator::ZeroToImplementation,
        ],
        fallback: Some(StateMutability::NonPayable),
    }
}

fn generic_eip1967_migrator() -> JsonAbi {
    contract! {
        functions: migrator::IGenericEIP1967Migrator::abi::contract(),
        events: [
            erc1967::Upgraded,
        ],
        errors: [
            migrator::InvalidImplementation,
        ],
        fallback: Some(StateMutability::NonPayable),
    }
}

fn settlement_chain_parameter_registry() -> JsonAbi {
    contract! {
        functions: parameter_registry::ISettlementChainParameterRegistry::abi::contract(),
        events: [
            oz_initializable::Initialized,
            migratable::Migrated,
            parameter_registry::ParameterSet,
            erc1967::Upgraded,
        ],
        errors: [
            parameter_registry::ArrayLengthMismatch,
            parameter_registry::EmptyAdmins,
            migratable::EmptyCode,
            oz_initializable::InvalidInitialization,
            migratable::MigrationFailed,
            registry_parameters::NoKeyComponents,
            parameter_registry::NoKeys,
            parameter_registry::NotAdmin,
            oz_initializable::NotInitializing,
            registry_parameters::ParameterOutOfTypeBounds,
            oz_strings::StringsInsufficientHexLength,
            parameter_registry::ZeroAdmin,
            migratable::ZeroMigrator,
        ],
        fallback: None,
    }
}

fn app_chain_parameter_registry() -> JsonAbi {
    contract! {
        functions: parameter_registry::IAppChainParameterRegistry::abi::contract(),
        events: [
            oz_initializable::Initialized,
            migratable::Migrated,
            parameter_registry::ParameterSet,
            erc1967::Upgraded,
        ],
        errors: [
            parameter_registry::ArrayLengthMismatch,
            parameter_registry::EmptyAdmins,
            migratable::EmptyCode,
            oz_initializable::InvalidInitialization,
            migratable::MigrationFailed,
            registry_parameters::NoKeyComponents,
            parameter_registry::NoKeys,
            parameter_registry::NotAdmin,
            oz_initializable::NotInitializing,
            registry_parameters::ParameterOutOfTypeBounds,
            oz_strings::StringsInsufficientHexLength,
            parameter_registry::ZeroAdmin,
            migratable::ZeroMigrator,
        ],
        fallback: None,
    }
}

fn settlement_chain_gateway() -> JsonAbi {
    contract! {
        functions: settlement_chain_gateway::ISettlementChainGateway::abi::contract(),
        events: [
            settlement_chain_gateway::Deposit,
            settlement_chain_gateway::InboxUpdated,
            oz_initializable::Initialized,
            migratable::Migrated,
            settlement_chain_gateway::ParametersSent,
            settlement_chain_gateway::PauseStatusUpdated,
            erc1967::Upgraded,
            settlement_chain_gateway::WithdrawalReceived,
        ],
        errors: [
            migratable::EmptyCode,
            settlement_chain_gateway::InsufficientAmount,
            settlement_chain_gateway::InvalidFeeTokenDecimals,
            oz_initializable::InvalidInitialization,
            migratable::MigrationFailed,
            settlement_chain_gateway::NoChainIds,
            settlement_chain_gateway::NoChange,
            settlement_chain_gateway::NoKeys,
            oz_initializable::NotInitializing,
            registry_parameters::ParameterOutOfTypeBounds,
            settlement_chain_gateway::Paused,
            settlement_chain_gateway::TransferFromFailed,
            settlement_chain_gateway::UnsupportedChainId,
            settlement_chain_gateway::ZeroAmount,
            settlement_chain_gateway::ZeroAppChainGateway,
            settlement_chain_gateway::ZeroBalance,
            settlement_chain_gateway::ZeroFeeToken,
            migratable::ZeroMigrator,
            settlement_chain_gateway::ZeroParameterRegistry,
            settlement_chain_gateway::ZeroRecipient,
        ],
        fallback: None,
    }
}

fn app_chain_gateway() -> JsonAbi {
    contract! {
        functions: app_chain_gateway::IAppChainGateway::abi::contract(),
        events: [
            app_chain_gateway::DepositReceived,
            oz_initializable::Initialized,
            migratable::Migrated,
            app_chain_gateway::ParametersReceived,
            app_chain_gateway::PauseStatusUpdated,
            erc1967::Upgraded,
            app_chain_gateway::Withdrawal,
        ],
        errors: [
            migratable::EmptyCode,
            oz_initializable::InvalidInitialization,
            migratable::MigrationFailed,
            app_chain_gateway::NoChange,
            oz_initializable::NotInitializing,
            app_chain_gateway::NotSettlementChainGateway,
            registry_parameters::ParameterOutOfTypeBounds,
            app_chain_gateway::Paused,
            app_chain_gateway::TransferFailed,
            migratable::ZeroMigrator,
            app_chain_gateway::ZeroParameterRegistry,
            app_chain_gateway::ZeroRecipient,
            app_chain_gateway::ZeroSettlementChainGateway,
            app_chain_gateway::ZeroWithdrawalAmount,
        ],
        fallback: None,
    }
}

fn group_message_broadcaster() -> JsonAbi {
    contract! {
        functions: group_message_broadcaster::IGroupMessageBroadcaster::abi::contract(),
        events: [
            oz_initializable::Initialized,
            group_message_broadcaster::MaxPayloadSizeUpdated,
            group_message_broadcaster::MessageSent,
            migratable::Migrated,
            group_message_broadcaster::MinPayloadSizeUpdated,
            group_message_broadcaster::PauseStatusUpdated,
            group_message_broadcaster::PayloadBootstrapperUpdated,
            erc1967::Upgraded,
        ],
        errors: [
            group_message_broadcaster::ArrayLengthMismatch,
            group_message_broadcaster::EmptyArray,
            migratable::EmptyCode,
            oz_initializable::InvalidInitialization,
            group_message_broadcaster::InvalidMaxPayloadSize,
            group_message_broadcaster::InvalidMinPayloadSize,
            group_message_broadcaster::InvalidPayloadSize,
            migratable::MigrationFailed,
            group_message_broadcaster::NoChange,
            oz_initializable::NotInitializing,
            group_message_broadcaster::NotPaused,
            group_message_broadcaster::NotPayloadBootstrapper,
            registry_parameters::ParameterOutOfTypeBounds,
            group_message_broadcaster::Paused,
            migratable::ZeroMigrator,
            group_message_broadcaster::ZeroParameterRegistry,
            group_message_broadcaster::ZeroPayloadBootstrapper,
        ],
        fallback: None,
    }
}

fn identity_update_broadcaster() -> JsonAbi {
    contract! {
        functions: identity_update_broadcaster::IIdentityUpdateBroadcaster::abi::contract(),
        events: [
            identity_update_broadcaster::IdentityUpdateCreated,
            oz_initializable::Initialized,
            identity_update_broadcaster::MaxPayloadSizeUpdated,
            migratable::Migrated,
            identity_update_broadcaster::MinPayloadSizeUpdated,
            identity_update_broadcaster::PauseStatusUpdated,
            identity_update_broadcaster::PayloadBootstrapperUpdated,
            erc1967::Upgraded,
        ],
        errors: [
            identity_update_broadcaster::ArrayLengthMismatch,
            identity_update_broadcaster::EmptyArray,
            migratable::EmptyCode,
            oz_initializable::InvalidInitialization,
            identity_update_broadcaster::InvalidMaxPayloadSize,
            identity_update_broadcaster::InvalidMinPayloadSize,
            identity_update_broadcaster::InvalidPayloadSize,
            migratable::MigrationFailed,
            identity_update_broadcaster::NoChange,
            oz_initializable::NotInitializing,
            identity_update_broadcaster::NotPaused,
            identity_update_broadcaster::NotPayloadBootstrapper,
            registry_parameters::ParameterOutOfTypeBounds,
            identity_update_broadcaster::Paused,
            migratable::ZeroMigrator,
            identity_update_broadcaster::ZeroParameterRegistry,
            identity_update_broadcaster::ZeroPayloadBootstrapper,
        ],
        fallback: None,
    }
}

fn node_registry() -> JsonAbi {
    contract! {
        functions: node_registry::INodeRegistry::abi::contract(),
        events: [
            node_registry::AdminUpdated,
            oz_erc721::Approval,
            oz_erc721::ApprovalForAll,
            node_registry::BaseURIUpdated,
            node_registry::HttpAddressUpdated,
            oz_initializable::Initialized,
            node_registry::MaxCanonicalNodesUpdated,
            migratable::Migrated,
            node_registry::NodeAdded,
            node_registry::NodeAddedToCanonicalNetwork,
            node_registry::NodeRemovedFromCanonicalNetwork,
            oz_erc721::Transfer,
            erc1967::Upgraded,
        ],
        errors: [
            oz_erc721::ERC721IncorrectOwner,
            oz_erc721::ERC721InsufficientApproval,
            oz_erc721::ERC721InvalidApprover,
            oz_erc721::ERC721InvalidOperator,
            oz_erc721::ERC721InvalidOwner,
            oz_erc721::ERC721InvalidReceiver,
            oz_erc721::ERC721InvalidSender,
            oz_erc721::ERC721NonexistentToken,
            migratable::EmptyCode,
            node_registry::FailedToAddNodeToCanonicalNetwork,
            node_registry::FailedToRemoveNodeFromCanonicalNetwork,
            node_registry::InvalidHttpAddress,
            oz_initializable::InvalidInitialization,
            node_registry::InvalidOwner,
            node_registry::InvalidSigningPublicKey,
            node_registry::InvalidURI,
            node_registry::MaxCanonicalNodesBelowCurrentCount,
            node_registry::MaxCanonicalNodesReached,
            node_registry::MaxNodesReached,
            migratable::MigrationFailed,
            node_registry::NoChange,
            node_registry::NotAdmin,
            oz_initializable::NotInitializing,
            node_registry::NotNodeOwner,
            registry_parameters::ParameterOutOfTypeBounds,
            node_registry::ZeroAdmin,
            migratable::ZeroMigrator,
            node_registry::ZeroParameterRegistry,
        ],
        fallback: None,
    }
}

fn payer_registry() -> JsonAbi {
    contract! {
        functions: payer_registry::IPayerRegistry::abi::contract(),
        events: [
            payer_registry::Deposit,
            payer_registry::ExcessTransferred,
            payer_registry::FeeDistributorUpdated,
            oz_initializable::Initialized,
            migratable::Migrated,
            payer_registry::MinimumDepositUpdated,
            payer_registry::PauseStatusUpdated,
            payer_registry::SettlerUpdated,
            erc1967::Upgraded,
            payer_registry::UsageSettled,
            payer_registry::WithdrawLockPeriodUpdated,
            payer_registry::WithdrawalCancelled,
            payer_registry::WithdrawalFinalized,
            payer_registry::WithdrawalRequested,
        ],
        errors: [
            migratable::EmptyCode,
            payer_registry::InsufficientBalance,
            payer_registry::InsufficientDeposit,
            oz_initializable::InvalidInitialization,
            migratable::MigrationFailed,
            payer_registry::NoChange,
            payer_registry::NoExcess,
            payer_registry::NoPendingWithdrawal,
            oz_initializable::NotInitializing,
            payer_registry::NotSettler,
            registry_parameters::ParameterOutOfTypeBounds,
            payer_registry::Paused,
            payer_registry::PayerInDebt,
            payer_registry::PendingWithdrawalExists,
            payer_registry::TransferFromFailed,
            payer_registry::WithdrawLockPeriodTooHigh,
            payer_registry::WithdrawalNotReady,
            payer_registry::ZeroFeeDistributor,
            payer_registry::ZeroFeeToken,
            migratable::ZeroMigrator,
            payer_registry::ZeroMinimumDeposit,
            payer_registry::ZeroParameterRegistry,
            payer_registry::ZeroPayer,
            payer_registry::ZeroRecipient,
            payer_registry::ZeroSettler,
            payer_registry::ZeroWithdrawalAmount,
        ],
        fallback: None,
    }
}

fn rate_registry() -> JsonAbi {
    contract! {
        functions: rate_registry::IRateRegistry::abi::contract(),
        events: [
            oz_initializable::Initialized,
            migratable::Migrated,
            rate_registry::RatesUpdated,
            erc1967::Upgraded,
        ],
        errors: [
            migratable::EmptyCode,
            rate_registry::EndIndexOutOfRange,
            rate_registry::FromIndexOutOfRange,
            oz_initializable::InvalidInitialization,
            rate_registry::InvalidStartTime,
            migratable::MigrationFailed,
            rate_registry::NoChange,
            oz_initializable::NotInitializing,
            registry_parameters::ParameterOutOfTypeBounds,
            rate_registry::ZeroCount,
            migratable::ZeroMigrator,
            rate_registry::ZeroParameterRegistry,
        ],
        fallback: None,
    }
}

fn payer_report_manager() -> JsonAbi {
    contract! {
        functions: payer_report_manager::IPayerReportManager::abi::contract(),
        events: [
            erc5267::EIP712DomainChanged,
            oz_initializable::Initialized,
            migratable::Migrated,
            payer_report_manager::PayerReportSubmitted,
            payer_report_manager::PayerReportSubsetSettled,
            payer_report_manager::ProtocolFeeRateUpdated,
            erc1967::Upgraded,
        ],
        errors: [
            payer_report_manager::ArrayLengthMismatch,
            migratable::EmptyCode,
            payer_report_manager::InsufficientSignatures,
            sequential_merkle_proofs::InvalidBitCount32Input,
            oz_initializable::InvalidInitialization,
            sequential_merkle_proofs::InvalidLeafCount,
            sequential_merkle_proofs::InvalidProof,
            payer_report_manager::InvalidProtocolFeeRate,
            payer_report_manager::InvalidSequenceIds,
            payer_report_manager::InvalidStartSequenceId,
            migratable::MigrationFailed,
            payer_report_manager::NoChange,
            sequential_merkle_proofs::NoLeaves,
            sequential_merkle_proofs::NoProofElements,
            payer_report_manager::NoReportsForOriginator,
            payer_report_manager::NodeIdAtIndexMismatch,
            payer_report_manager::NodeIdsLengthMismatch,
            oz_initializable::NotInitializing,
            registry_parameters::ParameterOutOfTypeBounds,
            payer_report_manager::PayerFeesLengthTooLong,
            payer_report_manager::PayerReportAlreadySubmitted,
            payer_report_manager::PayerReportEntirelySettled,
            payer_report_manager::PayerReportIndexOutOfBounds,
            payer_report_manager::UnorderedNodeIds,
            migratable::ZeroMigrator,
            payer_report_manager::ZeroNodeRegistry,
            payer_report_manager::ZeroParameterRegistry,
            payer_report_manager::ZeroPayerRegistry,
        ],
        fallback: None,
    }
}

fn distribution_manager() -> JsonAbi {
    contract! {
        functions: distribution_manager::IDistributionManager::abi::contract(),
        events: [
            distribution_manager::Claim,
            oz_initializable::Initialized,
            migratable::Migrated,
            distribution_manager::PauseStatusUpdated,
            distribution_manager::ProtocolFeesClaim,
            distribution_manager::ProtocolFeesRecipientUpdated,
            distribution_manager::ProtocolFeesWithdrawal,
            erc1967::Upgraded,
            distribution_manager::Withdrawal,
        ],
        errors: [
            distribution_manager::AlreadyClaimed,
            distribution_manager::ArrayLengthMismatch,
            migratable::EmptyCode,
            oz_initializable::InvalidInitialization,
            migratable::MigrationFailed,
            distribution_manager::NoChange,
            distribution_manager::NoFeesOwed,
            distribution_manager::NotInPayerReport,
            oz_initializable::NotInitializing,
            distribution_manager::NotNodeOwner,
            registry_parameters::ParameterOutOfTypeBounds,
            distribution_manager::Paused,
            distribution_manager::PayerReportNotSettled,
            distribution_manager::ZeroAvailableBalance,
            distribution_manager::ZeroFeeToken,
            migratable::ZeroMigrator,
            distribution_manager::ZeroNodeRegistry,
            distribution_manager::ZeroParameterRegistry,
            distribution_manager::ZeroPayerRegistry,
            distribution_manager::ZeroPayerReportManager,
            distribution_manager::ZeroProtocolFeeRecipient,
            distribution_manager::ZeroRecipient,
        ],
        fallback: None,
    }
}

fn fee_token() -> JsonAbi {
    contract! {
        functions: fee_token::IFeeToken::abi::contract(),
        events: [
            oz_erc20::Approval,
            oz_erc5267::EIP712DomainChanged,
            oz_initializable::Initialized,
            migratable::Migrated,
            oz_erc20::Transfer,
            erc1967::Upgraded,
        ],
        errors: [
            oz_ecdsa::ECDSAInvalidSignature,
            oz_ecdsa::ECDSAInvalidSignatureLength,
            oz_ecdsa::ECDSAInvalidSignatureS,
            oz_erc20::ERC20InsufficientAllowance,
            oz_erc20::ERC20InsufficientBalance,
            oz_erc20::ERC20InvalidApprover,
            oz_erc20::ERC20InvalidReceiver,
            oz_erc20::ERC20InvalidSender,
            oz_erc20::ERC20InvalidSpender,
            oz_erc20_permit::ERC2612ExpiredSignature,
            oz_erc20_permit::ERC2612InvalidSigner,
            migratable::EmptyCode,
            oz_nonces::InvalidAccountNonce,
            oz_initializable::InvalidInitialization,
            migratable::MigrationFailed,
            oz_initializable::NotInitializing,
            registry_parameters::ParameterOutOfTypeBounds,
            fee_token::TransferFailed,
            fee_token::TransferFromFailed,
            fee_token::ZeroAmount,
            migratable::ZeroMigrator,
            fee_token::ZeroParameterRegistry,
            fee_token::ZeroRecipient,
            fee_token::ZeroUnderlying,
        ],
        fallback: None,
    }
}

fn deposit_splitter() -> JsonAbi {
    contract! {
        functions: deposit_splitter::IDepositSplitter::abi::contract(),
        events: [],
        errors: [
            deposit_splitter::TransferFromFailed,
            deposit_splitter::ZeroAppChainId,
            deposit_splitter::ZeroFeeToken,
            deposit_splitter::ZeroPayerRegistry,
            deposit_splitter::ZeroSettlementChainGateway,
            deposit_splitter::ZeroTotalAmount,
        ],
        fallback: None,
    }
}
