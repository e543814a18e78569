//! The foundation programs (Proxy, Initializable, Factory, Migrator) as real wasm on the devnet:
//! deployment and activation through the Factory, calls through Stylus proxies, initialization,
//! and migration.

use alloy_primitives::{Address, Bytes, B256, U256};
use alloy_sol_types::{SolCall, SolError};
use xmtp_abi::{
    erc1967::Upgraded,
    factory::{
        DeployFailed, IFactory, ImplementationDeployed, InitializableImplementationDeployed,
        ProxyDeployed,
    },
    initializable::{EmptyCode, InitializationFailed},
    migratable::{Migrated, MigrationFailed},
    migrator::{IMigrator, UnexpectedImplementation},
    oz_initializable::{Initialized, InvalidInitialization},
    proxy::ZeroImplementation,
};
use xmtp_devnet::{Chain, Tx};
use xmtp_system_tests::{
    activate, artifact, chain, create, log_of, revert_data, send_ok, transact, view,
    ACTIVATION_BUDGET, DEPLOYER,
};

const ERC1967_SLOT: U256 = U256::from_be_bytes(xmtp_proxy_slot());

const fn xmtp_proxy_slot() -> [u8; 32] {
    [
        0x36, 0x08, 0x94, 0xa1, 0x3b, 0xa1, 0xa3, 0x21, 0x06, 0x67, 0xc8, 0x28, 0x49, 0x2d, 0xb9,
        0x8d, 0xca, 0x3e, 0x20, 0x76, 0xcc, 0x37, 0x35, 0xa9, 0x20, 0xa3, 0xca, 0x50, 0x5d, 0x38,
        0x2b, 0xbc,
    ]
}

/// An EVM stand-in for a parameter registry: `get(...)` returns its slot 0, and 32 bytes of
/// calldata set slot 0.
const REGISTRY_RUNTIME: [u8; 26] = [
    0x36, 0x60, 0x20, 0x14, 0x60, 0x12, 0x57, // CALLDATASIZE == 32 ? jump set
    0x60, 0x00, 0x54, 0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xf3, // return sload(0)
    0x5b, 0x60, 0x00, 0x35, 0x60, 0x00, 0x55, 0x00, // set: sstore(0, calldataload(0))
];

struct Network {
    chain: Chain,
    registry: Address,
    factory_implementation: Address,
    factory: Address,
    initializable: Address,
}

fn registry(chain: &mut Chain, at: u8) -> Address {
    let address = Address::repeat_byte(at);
    chain.set_code(address, REGISTRY_RUNTIME.to_vec().into());
    address
}

fn set_migrator(chain: &mut Chain, registry: Address, migrator: Address) {
    send_ok(
        chain,
        &Tx::call(DEPLOYER, registry, migrator.into_word().to_vec()),
    );
}

/// The reference's base deployment: Factory implementation and proxy by the deployer, both
/// activated, then `initialize()`, whose Initializable is activated too.
fn network() -> Network {
    let mut chain = chain(84_532);
    let registry = registry(&mut chain, 0xe1);
    let factory_artifact = artifact("xmtp-factory", &[("parameterRegistry", registry)]);
    let factory_implementation = create(&mut chain, &factory_artifact.init_code);
    assert!(activate(&mut chain, factory_implementation).status);
    let proxy_code = artifact("xmtp-proxy", &[]).code;
    let creation = [
        xmtp_proxy::creation_code(&proxy_code),
        factory_implementation.into_word().to_vec(),
    ]
    .concat();
    let factory = create(&mut chain, &creation);
    assert!(activate(&mut chain, factory).status);

    let (_, receipt) = transact(&mut chain, DEPLOYER, factory, &IFactory::initializeCall {});
    let initializable = factory.create(1);
    assert_eq!(
        receipt.logs,
        vec![
            log_of(
                factory,
                &InitializableImplementationDeployed {
                    implementation: initializable
                }
            ),
            log_of(factory, &Initialized { version: 1 }),
        ]
    );
    assert!(activate(&mut chain, initializable).status);
    Network {
        chain,
        registry,
        factory_implementation,
        factory,
        initializable,
    }
}

fn deploy_implementation(net: &mut Network, init_code: &[u8]) -> Address {
    let call = IFactory::deployImplementationCall {
        bytecode_: init_code.to_vec().into(),
    };
    let tx = Tx::call(DEPLOYER, net.factory, call.abi_encode()).value(ACTIVATION_BUDGET);
    let receipt = send_ok(&mut net.chain, &tx);
    IFactory::deployImplementationCall::abi_decode_returns(&receipt.output).unwrap()
}

#[test]
fn the_factory_runs_behind_its_stylus_proxy() {
    let mut net = network();
    assert_eq!(
        view(
            &mut net.chain,
            net.factory,
            &IFactory::implementationCall {}
        ),
        net.factory_implementation
    );
    assert_eq!(
        net.chain.storage(net.factory, ERC1967_SLOT),
        U256::from_be_bytes(net.factory_implementation.into_word().0)
    );
    assert_eq!(
        view(&mut net.chain, net.factory, &IFactory::contractNameCall {}),
        "Factory"
    );
    assert_eq!(
        view(
            &mut net.chain,
            net.factory,
            &IFactory::parameterRegistryCall {}
        ),
        net.registry
    );
    assert_eq!(
        view(
            &mut net.chain,
            net.factory,
            &IFactory::initializableImplementationCall {}
        ),
        net.initializable
    );
    // Initialized once: a second call is refused, and so is the bare implementation.
    let again = revert_data(
        &mut net.chain,
        DEPLOYER,
        net.factory,
        &IFactory::initializeCall {},
    );
    assert_eq!(again, Bytes::from(InvalidInitialization {}.abi_encode()));
    let bare = revert_data(
        &mut net.chain,
        DEPLOYER,
        net.factory_implementation,
        &IFactory::initializeCall {},
    );
    assert_eq!(bare, Bytes::from(InvalidInitialization {}.abi_encode()));
}

#[test]
fn deploy_implementation_creates_and_activates_a_stylus_program() {
    let mut net = network();
    let (from, to) = (Address::repeat_byte(0xf1), Address::repeat_byte(0xf2));
    let migrator = artifact(
        "xmtp-migrator",
        &[("fromImplementation", from), ("toImplementation", to)],
    );
    let expected = view(
        &mut net.chain,
        net.factory,
        &IFactory::computeImplementationAddressCall {
            bytecode_: migrator.init_code.clone().into(),
        },
    );
    let call = IFactory::deployImplementationCall {
        bytecode_: migrator.init_code.clone().into(),
    };
    let receipt = send_ok(
        &mut net.chain,
        &Tx::call(DEPLOYER, net.factory, call.abi_encode()).value(ACTIVATION_BUDGET),
    );
    assert_eq!(
        IFactory::deployImplementationCall::abi_decode_returns(&receipt.output).unwrap(),
        expected
    );
    let deployed = receipt.logs.last().unwrap().clone();
    let bytecode_hash = alloy_primitives::keccak256(&migrator.init_code);
    assert_eq!(
        deployed,
        log_of(
            net.factory,
            &ImplementationDeployed {
                implementation: expected,
                bytecodeHash: bytecode_hash
            }
        )
    );
    assert_eq!(net.chain.code(expected).to_vec(), migrator.code);
    // Activated in that call: it runs.
    assert_eq!(
        view(
            &mut net.chain,
            expected,
            &IMigrator::fromImplementationCall {}
        ),
        from
    );
    assert_eq!(
        view(
            &mut net.chain,
            expected,
            &IMigrator::toImplementationCall {}
        ),
        to
    );
    // The same bytes cannot be deployed twice.
    let twice = revert_data(&mut net.chain, DEPLOYER, net.factory, &call);
    assert_eq!(twice, Bytes::from(DeployFailed {}.abi_encode()));
}

#[test]
fn deploy_proxy_creates_points_and_initializes_atomically() {
    let mut net = network();
    let salt = B256::left_padding_from(b"Factory_1");
    let expected = view(
        &mut net.chain,
        net.factory,
        &IFactory::computeProxyAddressCall {
            caller_: DEPLOYER,
            salt_: salt,
        },
    );
    let data: Bytes = IFactory::initializeCall {}.abi_encode().into();
    let call = IFactory::deployProxyCall {
        implementation_: net.factory_implementation,
        salt_: salt,
        initializeCallData_: data.clone(),
    };
    let (proxy, receipt) = transact(&mut net.chain, DEPLOYER, net.factory, &call);
    assert_eq!(proxy, expected);
    assert_eq!(
        receipt.logs,
        vec![
            log_of(
                net.factory,
                &ProxyDeployed {
                    proxy,
                    implementation: net.factory_implementation,
                    sender: DEPLOYER,
                    salt,
                    initializeCallData: data
                },
            ),
            log_of(
                proxy,
                &InitializableImplementationDeployed {
                    implementation: proxy.create(1)
                }
            ),
            log_of(proxy, &Initialized { version: 1 }),
        ]
    );
    assert_eq!(
        view(&mut net.chain, proxy, &IFactory::implementationCall {}),
        net.factory_implementation
    );
    // The same caller and salt cannot be used twice.
    assert_eq!(
        revert_data(&mut net.chain, DEPLOYER, net.factory, &call),
        Bytes::from(DeployFailed {}.abi_encode())
    );
}

#[test]
fn a_failing_initializer_undoes_the_deployment() {
    let mut net = network();
    let salt = B256::repeat_byte(3);
    let call = IFactory::deployProxyCall {
        implementation_: net.factory_implementation,
        salt_: salt,
        initializeCallData_: vec![0xde, 0xad, 0xbe, 0xef].into(),
    };
    // The Factory's router refuses the unknown selector with empty revert data.
    let expected = InitializationFailed {
        errorData: Bytes::new(),
    }
    .abi_encode();
    assert_eq!(
        revert_data(&mut net.chain, DEPLOYER, net.factory, &call),
        Bytes::from(expected)
    );
    let proxy = view(
        &mut net.chain,
        net.factory,
        &IFactory::computeProxyAddressCall {
            caller_: DEPLOYER,
            salt_: salt,
        },
    );
    assert!(net.chain.code(proxy).is_empty(), "nothing was deployed");

    let codeless = Address::repeat_byte(0x77);
    let call = IFactory::deployProxyCall {
        implementation_: codeless,
        salt_: salt,
        initializeCallData_: vec![1].into(),
    };
    assert_eq!(
        revert_data(&mut net.chain, DEPLOYER, net.factory, &call),
        Bytes::from(
            EmptyCode {
                implementation: codeless
            }
            .abi_encode()
        )
    );
}

#[test]
fn migration_moves_the_proxy_and_its_wiring_once() {
    let mut net = network();
    let registry_2 = registry(&mut net.chain, 0xe2);
    let factory_2 = deploy_implementation(
        &mut net,
        &artifact("xmtp-factory", &[("parameterRegistry", registry_2)]).init_code,
    );
    let migrator_artifact = artifact(
        "xmtp-migrator",
        &[
            ("fromImplementation", net.factory_implementation),
            ("toImplementation", factory_2),
        ],
    );
    let migrator = deploy_implementation(&mut net, &migrator_artifact.init_code);
    set_migrator(&mut net.chain, net.registry, migrator);

    let (_, receipt) = transact(
        &mut net.chain,
        Address::repeat_byte(0xaa),
        net.factory,
        &IFactory::migrateCall {},
    );
    assert_eq!(
        receipt.logs,
        vec![
            log_of(net.factory, &Migrated { migrator }),
            log_of(
                net.factory,
                &Upgraded {
                    implementation: factory_2
                }
            )
        ]
    );
    assert_eq!(
        view(
            &mut net.chain,
            net.factory,
            &IFactory::implementationCall {}
        ),
        factory_2
    );
    // The new implementation's wiring is what the proxy reports now; its state is untouched.
    assert_eq!(
        view(
            &mut net.chain,
            net.factory,
            &IFactory::parameterRegistryCall {}
        ),
        registry_2
    );
    assert_eq!(
        view(
            &mut net.chain,
            net.factory,
            &IFactory::initializableImplementationCall {}
        ),
        net.initializable
    );

    // The new registry points at the same migrator: the slot no longer matches, so it fails.
    set_migrator(&mut net.chain, registry_2, migrator);
    let again = revert_data(
        &mut net.chain,
        DEPLOYER,
        net.factory,
        &IFactory::migrateCall {},
    );
    let expected = MigrationFailed {
        migrator_: migrator,
        revertData_: UnexpectedImplementation {}.abi_encode().into(),
    };
    assert_eq!(again, Bytes::from(expected.abi_encode()));
}

#[test]
fn the_proxy_constructor_refuses_a_zero_implementation() {
    let mut chain = chain(1);
    let proxy_code = artifact("xmtp-proxy", &[]).code;
    let creation = [xmtp_proxy::creation_code(&proxy_code), vec![0; 32]].concat();
    let receipt = chain.send(&Tx::deploy(DEPLOYER, creation)).unwrap();
    assert!(!receipt.status);
    assert_eq!(
        receipt.output,
        Bytes::from(ZeroImplementation {}.abi_encode())
    );
}
