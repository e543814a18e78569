use alloy_primitives::{address, keccak256, Address, Bytes, B256, U256};
use alloy_sol_types::{SolCall, SolError, SolEvent, SolValue};
use xmtp_abi::{
    erc1967::Upgraded,
    factory::{
        DeployFailed, EmptyBytecode, ImplementationDeployed, InitializableImplementationDeployed,
        InvalidImplementation, Paused, ProxyDeployed,
    },
    initializable::IInitializable,
    oz_initializable::{Initialized, InvalidInitialization},
    parameter_registry::IParameterRegistryLike,
};
use xmtp_core::{
    slots::{ERC1967_IMPLEMENTATION, FACTORY, OZ_INITIALIZABLE},
    testing::{assert_migrate_through_registry, CallKind, MockHost},
    wiring::{set_address_for_tests, set_for_tests},
};

use super::*;

const FACTORY_PROXY: Address = address!("0x00000000000000000000000000000000000fac70");
const FACTORY_IMPLEMENTATION: Address = address!("0x0000000000000000000000000000000000000f01");
const REGISTRY: Address = address!("0x0000000000000000000000000000000000000e01");
const DEPLOYER: Address = address!("0x0000000000000000000000000000000000000d01");
const INITIALIZABLE: Address = address!("0x0000000000000000000000000000000000000a01");
const IMPLEMENTATION: Address = address!("0x0000000000000000000000000000000000000b01");
const MIGRATOR: Address = address!("0x0000000000000000000000000000000000000c01");

/// A factory proxy (its ERC-1967 slot set) called by `DEPLOYER`.
fn factory() -> (MockHost, Factory) {
    let host = MockHost::new();
    host.vm.set_contract_address(FACTORY_PROXY);
    host.vm.set_sender(DEPLOYER);
    host.vm
        .set_storage(ERC1967_IMPLEMENTATION, FACTORY_IMPLEMENTATION.into_word());
    set_address_for_tests("parameterRegistry", REGISTRY);
    let factory = Factory::from(&host);
    (host, factory)
}

fn initialized_factory() -> (MockHost, Factory) {
    let (host, factory) = factory();
    host.vm.set_storage(
        FACTORY,
        B256::from(U256::from_be_bytes(INITIALIZABLE.into_word().0) << 8),
    );
    (host, factory)
}

fn log(event: &impl SolEvent) -> (Vec<B256>, Vec<u8>) {
    let data = event.encode_log_data();
    (data.topics().to_vec(), data.data.to_vec())
}

fn pause(host: &MockHost) {
    let word = U256::from_be_bytes(host.vm.get_storage(FACTORY).0) | U256::from(1);
    host.vm.set_storage(FACTORY, B256::from(word));
}

fn create2(deployer: Address, salt: B256, init_code: &[u8]) -> Address {
    deployer.create2(salt, keccak256(init_code))
}

fn proxy_init_code() -> Vec<u8> {
    [PROXY_CREATION_CODE, INITIALIZABLE.into_word().as_slice()].concat()
}

/// Wires the factory's `proxyKind` slot for this thread.
fn wire_proxy_kind(word: B256) {
    set_for_tests("proxyKind?", word);
}

fn mock_registry_get(host: &MockHost, key: &str, value: Result<Vec<u8>, Vec<u8>>) {
    let calldata = IParameterRegistryLike::get_0Call { key_: key.into() }.abi_encode();
    host.mock(CallKind::Static, REGISTRY, calldata, value);
}

// ---- initialize ----

#[test]
fn initialize_deploys_the_initializable_and_emits_in_order() {
    let (host, mut factory) = factory();
    host.mock_creation(INITIALIZABLE_INIT_CODE.to_vec(), None, Ok(INITIALIZABLE));
    assert_eq!(factory.initialize(), Ok(()));
    assert_eq!(factory.initializable_implementation(), INITIALIZABLE);
    // `paused` in byte 0, the address packed above it, as Solidity packs `FactoryStorage`.
    assert_eq!(
        U256::from_be_bytes(host.vm.get_storage(FACTORY).0),
        U256::from_be_bytes(INITIALIZABLE.into_word().0) << 8
    );
    assert_eq!(
        host.vm.get_storage(OZ_INITIALIZABLE),
        B256::with_last_byte(1)
    );
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![
            log(&InitializableImplementationDeployed {
                implementation: INITIALIZABLE
            }),
            log(&Initialized { version: 1 })
        ]
    );
}

#[test]
fn initialize_twice_reverts_invalid_initialization() {
    let (host, mut factory) = factory();
    host.mock_creation(INITIALIZABLE_INIT_CODE.to_vec(), None, Ok(INITIALIZABLE));
    factory.initialize().unwrap();
    assert_eq!(factory.initialize(), Err(InvalidInitialization {}.into()));
}

#[test]
fn initialize_on_the_bare_implementation_reverts_invalid_initialization() {
    let (host, mut factory) = factory();
    host.vm.set_storage(ERC1967_IMPLEMENTATION, B256::ZERO);
    host.mock_creation(INITIALIZABLE_INIT_CODE.to_vec(), None, Ok(INITIALIZABLE));
    assert_eq!(factory.initialize(), Err(InvalidInitialization {}.into()));
    assert_eq!(factory.initializable_implementation(), Address::ZERO);
    assert!(host.vm.get_emitted_logs().is_empty());
}

#[test]
fn initialize_reverts_when_the_create_fails() {
    let (host, mut factory) = factory();
    host.mock_creation(INITIALIZABLE_INIT_CODE.to_vec(), None, Err(vec![]));
    assert_eq!(factory.initialize(), Err(Bubbled(vec![]).into()));
}

// ---- deployImplementation ----

#[test]
fn deploy_implementation_reverts_when_paused() {
    let (host, mut factory) = initialized_factory();
    pause(&host);
    assert_eq!(
        factory.deploy_implementation(Bytes::from_static(&[1])),
        Err(Paused {}.into())
    );
}

#[test]
fn deploy_implementation_reverts_on_empty_bytecode() {
    let (_vm, mut factory) = initialized_factory();
    assert_eq!(
        factory.deploy_implementation(Bytes::new()),
        Err(EmptyBytecode {}.into())
    );
}

#[test]
fn deploy_implementation_reverts_when_the_create2_fails() {
    let (host, mut factory) = initialized_factory();
    let bytecode = vec![0x60, 0x00];
    host.mock_creation(bytecode.clone(), Some(keccak256(&bytecode)), Err(vec![]));
    assert_eq!(
        factory.deploy_implementation(bytecode.into()),
        Err(DeployFailed {}.into())
    );
}

#[test]
fn deploy_implementation_of_evm_code_deploys_without_activation() {
    let (host, mut factory) = initialized_factory();
    let bytecode = vec![0x60, 0x00, 0x60, 0x00, 0xf3];
    let hash = keccak256(&bytecode);
    host.mock_creation(bytecode.clone(), Some(hash), Ok(IMPLEMENTATION));
    host.vm.set_code(IMPLEMENTATION, vec![0x00]);
    assert_eq!(
        factory.deploy_implementation(bytecode.into()),
        Ok(IMPLEMENTATION)
    );
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![log(&ImplementationDeployed {
            implementation: IMPLEMENTATION,
            bytecodeHash: hash
        })]
    );
    assert!(
        host.calls().is_empty(),
        "no activation, no refund without value"
    );
}

fn stylus_deployment(host: &MockHost) -> Vec<u8> {
    let bytecode = [&[0x7f][..], &[0u8; 42], &[0xef, 0xf0, 0x00, 0x00, 0x1b]].concat();
    host.mock_creation(
        bytecode.clone(),
        Some(keccak256(&bytecode)),
        Ok(IMPLEMENTATION),
    );
    host.vm
        .set_code(IMPLEMENTATION, vec![0xef, 0xf0, 0x00, 0x00, 0x1b]);
    bytecode
}

#[test]
fn deploy_implementation_activates_stylus_code_and_returns_the_unused_value() {
    let (host, mut factory) = initialized_factory();
    let bytecode = stylus_deployment(&host);
    host.vm.set_value(U256::from(1_000));
    let activate = arb_wasm::activateProgramCall {
        program: IMPLEMENTATION,
    }
    .abi_encode();
    host.mock(
        CallKind::Call(U256::from(1_000)),
        arb_wasm::ARB_WASM,
        activate.clone(),
        Ok((2u16, U256::from(600)).abi_encode()),
    );
    host.mock(
        CallKind::Call(U256::from(400)),
        DEPLOYER,
        vec![],
        Ok(vec![]),
    );
    assert_eq!(
        factory.deploy_implementation(bytecode.clone().into()),
        Ok(IMPLEMENTATION)
    );
    assert_eq!(
        host.calls(),
        vec![
            (
                CallKind::Call(U256::from(1_000)),
                arb_wasm::ARB_WASM,
                activate
            ),
            (CallKind::Call(U256::from(400)), DEPLOYER, vec![]),
        ]
    );
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![log(&ImplementationDeployed {
            implementation: IMPLEMENTATION,
            bytecodeHash: keccak256(&bytecode)
        })]
    );
}

#[test]
fn deploy_implementation_of_already_active_code_returns_all_the_value() {
    let (host, mut factory) = initialized_factory();
    let bytecode = stylus_deployment(&host);
    host.vm.set_value(U256::from(1_000));
    let activate = arb_wasm::activateProgramCall {
        program: IMPLEMENTATION,
    }
    .abi_encode();
    host.mock(
        CallKind::Call(U256::from(1_000)),
        arb_wasm::ARB_WASM,
        activate,
        Err(arb_wasm::ProgramUpToDate {}.abi_encode()),
    );
    // A refund that fails would surface as an error: mock it failing to prove it is attempted.
    host.mock(
        CallKind::Call(U256::from(1_000)),
        DEPLOYER,
        vec![],
        Ok(vec![]),
    );
    assert_eq!(
        factory.deploy_implementation(bytecode.into()),
        Ok(IMPLEMENTATION)
    );
    assert_eq!(
        host.calls().last(),
        Some(&(CallKind::Call(U256::from(1_000)), DEPLOYER, vec![]))
    );
}

#[test]
fn deploy_implementation_passes_arb_wasm_refusals_through() {
    let (host, mut factory) = initialized_factory();
    let bytecode = stylus_deployment(&host);
    let activate = arb_wasm::activateProgramCall {
        program: IMPLEMENTATION,
    }
    .abi_encode();
    let refusal = [0x12, 0x34, 0x56, 0x78, 0x00].to_vec();
    host.mock(
        CallKind::Call(U256::ZERO),
        arb_wasm::ARB_WASM,
        activate,
        Err(refusal.clone()),
    );
    assert_eq!(
        factory.deploy_implementation(bytecode.into()),
        Err(Bubbled(refusal).into())
    );
}

// ---- deployProxy ----

#[test]
fn deploy_proxy_reverts_when_paused() {
    let (host, mut factory) = initialized_factory();
    pause(&host);
    assert_eq!(
        factory.deploy_proxy(IMPLEMENTATION, B256::ZERO, Bytes::new()),
        Err(Paused {}.into())
    );
}

#[test]
fn deploy_proxy_reverts_on_zero_implementation() {
    let (_vm, mut factory) = initialized_factory();
    assert_eq!(
        factory.deploy_proxy(Address::ZERO, B256::ZERO, Bytes::new()),
        Err(InvalidImplementation {}.into())
    );
}

fn proxy_salt(salt: B256) -> B256 {
    keccak256((DEPLOYER, salt).abi_encode())
}

#[test]
fn deploy_proxy_reverts_when_the_create2_fails() {
    let (host, mut factory) = initialized_factory();
    let salt = B256::repeat_byte(7);
    host.mock_creation(proxy_init_code(), Some(proxy_salt(salt)), Err(vec![]));
    assert_eq!(
        factory.deploy_proxy(IMPLEMENTATION, salt, Bytes::new()),
        Err(DeployFailed {}.into())
    );
}

#[test]
fn deploy_proxy_creates_emits_and_initializes_through_the_proxy() {
    let (host, mut factory) = initialized_factory();
    let salt = B256::repeat_byte(7);
    let proxy = create2(FACTORY_PROXY, proxy_salt(salt), &proxy_init_code());
    let data = Bytes::from_static(&[0x81, 0x29, 0xfc, 0x1c]);
    host.mock_creation(proxy_init_code(), Some(proxy_salt(salt)), Ok(proxy));
    let initialize = IInitializable::initializeCall {
        implementation_: IMPLEMENTATION,
        initializeCallData_: data.clone(),
    };
    host.mock(
        CallKind::Call(U256::ZERO),
        proxy,
        initialize.abi_encode(),
        Ok(vec![]),
    );
    assert_eq!(
        factory.deploy_proxy(IMPLEMENTATION, salt, data.clone()),
        Ok(proxy)
    );
    assert_eq!(factory.compute_proxy_address(DEPLOYER, salt), Ok(proxy));
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![log(&ProxyDeployed {
            proxy,
            implementation: IMPLEMENTATION,
            sender: DEPLOYER,
            salt,
            initializeCallData: data
        })]
    );
}

#[test]
fn deploy_proxy_passes_an_initialization_failure_through() {
    let (host, mut factory) = initialized_factory();
    let salt = B256::repeat_byte(8);
    let proxy = create2(FACTORY_PROXY, proxy_salt(salt), &proxy_init_code());
    host.mock_creation(proxy_init_code(), Some(proxy_salt(salt)), Ok(proxy));
    let initialize = IInitializable::initializeCall {
        implementation_: IMPLEMENTATION,
        initializeCallData_: Bytes::from_static(&[1]),
    };
    let failure = xmtp_abi::initializable::InitializationFailed {
        errorData: vec![0xbb].into(),
    }
    .abi_encode();
    host.mock(
        CallKind::Call(U256::ZERO),
        proxy,
        initialize.abi_encode(),
        Err(failure.clone()),
    );
    assert_eq!(
        factory.deploy_proxy(IMPLEMENTATION, salt, Bytes::from_static(&[1])),
        Err(Bubbled(failure).into())
    );
}

// ---- proxyKind ----

/// `deployProxy` with the `proxyKind` wiring set to `kind`: the proxy must be created from
/// `creation_code` (the mock answers nothing else), at the address `computeProxyAddress` gives.
fn assert_deploys_proxy_from(kind: Option<B256>, creation_code: &[u8]) {
    let (host, mut factory) = initialized_factory();
    if let Some(kind) = kind {
        wire_proxy_kind(kind);
    }
    let salt = B256::repeat_byte(9);
    let init_code = [creation_code, INITIALIZABLE.into_word().as_slice()].concat();
    let proxy = create2(FACTORY_PROXY, proxy_salt(salt), &init_code);
    host.mock_creation(init_code, Some(proxy_salt(salt)), Ok(proxy));
    let initialize = IInitializable::initializeCall {
        implementation_: IMPLEMENTATION,
        initializeCallData_: Bytes::new(),
    };
    host.mock(
        CallKind::Call(U256::ZERO),
        proxy,
        initialize.abi_encode(),
        Ok(vec![]),
    );
    assert_eq!(factory.compute_proxy_address(DEPLOYER, salt), Ok(proxy));
    assert_eq!(
        factory.deploy_proxy(IMPLEMENTATION, salt, Bytes::new()),
        Ok(proxy)
    );
    assert_eq!(
        host.calls(),
        vec![(CallKind::Call(U256::ZERO), proxy, initialize.abi_encode())]
    );
}

#[test]
fn an_unwired_or_zero_proxy_kind_deploys_the_stylus_proxy() {
    assert_deploys_proxy_from(None, PROXY_CREATION_CODE);
    assert_deploys_proxy_from(Some(B256::ZERO), PROXY_CREATION_CODE);
    assert_eq!(proxy_creation_code(), Some(PROXY_CREATION_CODE));
}

#[test]
fn the_evm_proxy_kind_deploys_the_evm_proxy() {
    assert_deploys_proxy_from(
        Some(B256::with_last_byte(EVM_PROXY_KIND)),
        EVM_PROXY_CREATION_CODE,
    );
    assert_eq!(proxy_creation_code(), Some(EVM_PROXY_CREATION_CODE));
}

/// Any other word names no embedded proxy: nothing is created, nothing is logged, and the
/// address view refuses too, with the same error.
#[test]
fn an_unknown_proxy_kind_deploys_nothing_and_reverts_deploy_failed() {
    let mut high = [0u8; 32];
    high[0] = 1;
    for word in [
        B256::with_last_byte(2),
        B256::with_last_byte(0xff),
        B256::from(high),
        B256::from(U256::from(256)),
    ] {
        let (host, mut factory) = initialized_factory();
        wire_proxy_kind(word);
        assert_eq!(proxy_creation_code(), None, "{word}");
        assert_eq!(
            factory.deploy_proxy(IMPLEMENTATION, B256::ZERO, Bytes::new()),
            Err(DeployFailed {}.into()),
            "{word}"
        );
        assert_eq!(
            factory.compute_proxy_address(DEPLOYER, B256::ZERO),
            Err(DeployFailed {}.into()),
            "{word}"
        );
        assert!(host.calls().is_empty(), "{word}");
        assert!(host.vm.get_emitted_logs().is_empty(), "{word}");
    }
}

// ---- migrate ----

/// The registry's answer, then every `Migratable` outcome (zero, out of bounds, failing,
/// codeless, migrating), with exact revert data.
#[test]
fn migrate_follows_the_migratable_sequence() {
    let (host, mut factory) = initialized_factory();
    assert_migrate_through_registry(
        &host,
        &mut factory,
        MIGRATOR,
        |answer| mock_registry_get(&host, "xmtp.factory.migrator", answer),
        Factory::migrate,
    );
}

// ---- views ----

#[test]
fn views_report_keys_state_wiring_and_identity() {
    let (host, factory) = initialized_factory();
    assert_eq!(Factory::paused_parameter_key(), "xmtp.factory.paused");
    assert_eq!(Factory::migrator_parameter_key(), "xmtp.factory.migrator");
    assert!(!factory.paused());
    pause(&host);
    assert!(factory.paused());
    assert_eq!(factory.parameter_registry_getter(), REGISTRY);
    assert_eq!(factory.initializable_implementation(), INITIALIZABLE);
    assert_eq!(factory.implementation(), FACTORY_IMPLEMENTATION);
    assert_eq!(Factory::version(), "1.0.0");
    assert_eq!(Factory::contract_name(), "Factory");
}

#[test]
fn compute_implementation_address_is_create2_with_the_code_hash_as_salt() {
    let (_vm, factory) = initialized_factory();
    let bytecode = Bytes::from_static(&[0x60, 0x00, 0x60, 0x00, 0xf3]);
    let expected = FACTORY_PROXY.create2(keccak256(&bytecode), keccak256(&bytecode));
    assert_eq!(factory.compute_implementation_address(bytecode), expected);
}

#[test]
fn compute_proxy_address_uses_abi_encoded_caller_and_salt() {
    let (_vm, factory) = initialized_factory();
    let salt = B256::left_padding_from(b"ParameterRegistry_0");
    let expected = create2(
        FACTORY_PROXY,
        keccak256((DEPLOYER, salt).abi_encode()),
        &proxy_init_code(),
    );
    assert_eq!(factory.compute_proxy_address(DEPLOYER, salt), Ok(expected));
}

#[test]
fn every_interface_function_is_routed() {
    use stylus_sdk::abi::Router;
    for function in xmtp_abi::factory::IFactory::abi::functions()
        .values()
        .flatten()
    {
        let (_host, mut factory) = initialized_factory();
        let selector = u32::from_be_bytes(function.selector().0);
        // A routed function runs; one that reaches an unmocked call panics, which is routed too.
        let routed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            <Factory as Router<Factory>>::route(&mut factory, selector, &[]).is_some()
        }));
        assert!(
            routed.unwrap_or(true),
            "{} is not routed",
            function.signature()
        );
    }
    let (_host, mut factory) = initialized_factory();
    assert!(<Factory as Router<Factory>>::route(&mut factory, 0xdead_beef, &[]).is_none());
}

#[test]
fn upgraded_is_the_erc1967_event() {
    assert_eq!(Upgraded::SIGNATURE_HASH, keccak256("Upgraded(address)"));
}
