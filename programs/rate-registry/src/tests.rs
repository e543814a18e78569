use alloy_primitives::{address, b256, keccak256, Address, B256, U256};
use alloy_sol_types::{SolCall, SolEvent};
use xmtp_abi::{oz_initializable::Initialized, parameter_registry::IParameterRegistryLike};
use xmtp_core::{
    slots::{ERC1967_IMPLEMENTATION, OZ_INITIALIZABLE},
    testing::{assert_migrate_through_registry, CallKind, MockHost},
    wiring::set_address_for_tests,
};

use super::*;

mod properties;

const PROXY: Address = address!("0x0000000000000000000000000000000000000a01");
const IMPLEMENTATION: Address = address!("0x0000000000000000000000000000000000000f01");
const REGISTRY: Address = address!("0x0000000000000000000000000000000000000e01");
const MIGRATOR: Address = address!("0x0000000000000000000000000000000000000b01");

/// `keccak256(RATE_REGISTRY)`: where the history's entries start, two slots each.
const ENTRIES: B256 = b256!("0x3436e10422bdd61571bfddc3a4bd4a5172d386ca45ce38214845fab803c47d7c");

const RATE_KEYS: [&str; 5] = [
    "xmtp.rateRegistry.messageFee",
    "xmtp.rateRegistry.storageFee",
    "xmtp.rateRegistry.congestionFee",
    "xmtp.rateRegistry.targetRatePerMinute",
    "xmtp.rateRegistry.ratesInEffectAfter",
];

type Outcome = Result<Vec<u8>, Vec<u8>>;

fn registry() -> (MockHost, RateRegistry) {
    let host = MockHost::new();
    host.vm.set_contract_address(PROXY);
    host.vm
        .set_storage(ERC1967_IMPLEMENTATION, IMPLEMENTATION.into_word());
    set_address_for_tests("parameterRegistry", REGISTRY);
    let registry = RateRegistry::from(&host);
    (host, registry)
}

fn log(event: &impl SolEvent) -> (Vec<B256>, Vec<u8>) {
    let data = event.encode_log_data();
    (data.topics().to_vec(), data.data.to_vec())
}

fn get_call(key: &str) -> Vec<u8> {
    IParameterRegistryLike::get_0Call { key_: key.into() }.abi_encode()
}

fn mock_get(host: &MockHost, key: &str, outcome: Outcome) {
    host.mock(CallKind::Static, REGISTRY, get_call(key), outcome);
}

fn mock_rates(host: &MockHost, rates: Rates) {
    let (message, storage, congestion, target, start) = rates;
    for (key, value) in RATE_KEYS
        .iter()
        .zip([message, storage, congestion, target, start])
    {
        mock_get(
            host,
            key,
            Ok(U256::from(value).to_be_bytes::<32>().to_vec()),
        );
    }
}

fn updated(rates: Rates) -> (Vec<B256>, Vec<u8>) {
    let (message, storage, congestion, target, start) = rates;
    log(&RatesUpdated {
        messageFee: message,
        storageFee: storage,
        congestionFee: congestion,
        targetRatePerMinute: target,
        startTime: start,
    })
}

fn entry_slot(index: u64, word: u64) -> U256 {
    U256::from_be_bytes(ENTRIES.0) + U256::from(2 * index + word)
}

fn raw(host: &MockHost, slot: U256) -> U256 {
    U256::from_be_bytes(host.vm.get_storage(slot).0)
}

/// A history of `entries`, appended through `updateRates`.
fn with_history(entries: &[Rates]) -> (MockHost, RateRegistry) {
    let (host, mut registry) = registry();
    for rates in entries {
        mock_rates(&host, *rates);
        registry.update_rates().unwrap();
    }
    (host, registry)
}

// ---- initialize ----

#[test]
fn initialize_leaves_an_empty_history() {
    let (host, mut registry) = registry();
    assert_eq!(registry.initialize(), Ok(()));
    assert_eq!(registry.get_rates_count(), U256::ZERO);
    assert_eq!(
        host.vm.get_storage(OZ_INITIALIZABLE),
        B256::with_last_byte(1)
    );
    assert_eq!(host.vm.get_storage(RATE_REGISTRY), B256::ZERO);
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![log(&Initialized { version: 1 })]
    );
}

#[test]
fn initialize_twice_reverts_invalid_initialization() {
    let (_host, mut registry) = registry();
    registry.initialize().unwrap();
    assert_eq!(registry.initialize(), Err(InvalidInitialization {}.into()));
}

#[test]
fn initialize_on_the_bare_implementation_reverts_invalid_initialization() {
    let (host, mut registry) = registry();
    host.vm.set_storage(ERC1967_IMPLEMENTATION, B256::ZERO);
    assert_eq!(registry.initialize(), Err(InvalidInitialization {}.into()));
    assert!(host.vm.get_emitted_logs().is_empty());
}

// ---- updateRates ----

#[test]
fn update_rates_reads_the_five_parameters_in_order_and_appends() {
    let (host, mut registry) = registry();
    let rates = (
        0x0102_0304_0506_0708,
        0x1112_1314_1516_1718,
        0x2122_2324_2526_2728,
        0x3132_3334_3536_3738,
        u64::MAX,
    );
    mock_rates(&host, rates);
    assert_eq!(registry.update_rates(), Ok(()));
    assert_eq!(
        host.calls(),
        RATE_KEYS
            .iter()
            .map(|key| (CallKind::Static, REGISTRY, get_call(key)))
            .collect::<Vec<_>>()
    );
    // Length at the root; the four fees packed from the low-order end; the start time alone.
    assert_eq!(raw(&host, RATE_REGISTRY), U256::from(1));
    assert_eq!(
        host.vm.get_storage(entry_slot(0, 0)),
        b256!("0x3132333435363738212223242526272811121314151617180102030405060708")
    );
    assert_eq!(raw(&host, entry_slot(0, 1)), U256::from(u64::MAX));
    assert_eq!(host.vm.get_emitted_logs(), vec![updated(rates)]);
    assert_eq!(registry.get_rates_count(), U256::from(1));
    assert_eq!(
        registry.get_rates(U256::ZERO, U256::from(1)),
        Ok(vec![rates])
    );
}

#[test]
fn update_rates_accepts_an_all_zero_first_entry() {
    let (host, mut registry) = registry();
    mock_rates(&host, (0, 0, 0, 0, 0));
    assert_eq!(registry.update_rates(), Ok(()));
    assert_eq!(registry.get_rates_count(), U256::from(1));
    assert_eq!(host.vm.get_emitted_logs(), vec![updated((0, 0, 0, 0, 0))]);
}

#[test]
fn update_rates_appends_after_the_last_entry() {
    let first = (1, 2, 3, 4, 100);
    let second = (1, 2, 3, 5, 101);
    let (host, registry) = with_history(&[first, second]);
    assert_eq!(raw(&host, RATE_REGISTRY), U256::from(2));
    assert_eq!(raw(&host, entry_slot(1, 1)), U256::from(101));
    assert_eq!(
        registry.get_rates(U256::ZERO, U256::from(2)),
        Ok(vec![first, second])
    );
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![updated(first), updated(second)]
    );
}

#[test]
fn update_rates_reverts_no_change_whatever_the_start_time() {
    for start in [99, 100, 200] {
        let (host, mut registry) = with_history(&[(1, 2, 3, 4, 100)]);
        mock_rates(&host, (1, 2, 3, 4, start));
        assert_eq!(registry.update_rates(), Err(NoChange {}.into()));
        assert_eq!(registry.get_rates_count(), U256::from(1));
    }
}

#[test]
fn update_rates_counts_a_change_in_any_one_fee() {
    for changed in [
        (9, 2, 3, 4, 101),
        (1, 9, 3, 4, 101),
        (1, 2, 9, 4, 101),
        (1, 2, 3, 9, 101),
    ] {
        let (host, mut registry) = with_history(&[(1, 2, 3, 4, 100)]);
        mock_rates(&host, changed);
        assert_eq!(registry.update_rates(), Ok(()));
        assert_eq!(
            registry.get_rates(U256::from(1), U256::from(1)),
            Ok(vec![changed])
        );
    }
}

#[test]
fn update_rates_reverts_invalid_start_time_unless_strictly_later() {
    for start in [0, 99, 100] {
        let (host, mut registry) = with_history(&[(1, 2, 3, 4, 100)]);
        mock_rates(&host, (5, 2, 3, 4, start));
        assert_eq!(
            registry.update_rates(),
            Err(InvalidStartTime {
                startTime: start,
                lastStartTime: 100
            }
            .into())
        );
        assert_eq!(registry.get_rates_count(), U256::from(1));
    }
}

#[test]
fn update_rates_reverts_when_a_parameter_exceeds_uint64() {
    for (failing, key) in RATE_KEYS.iter().enumerate() {
        let (host, mut registry) = registry();
        mock_rates(&host, (1, 2, 3, 4, 5));
        mock_get(
            &host,
            key,
            Ok((U256::from(u64::MAX) + U256::from(1))
                .to_be_bytes::<32>()
                .to_vec()),
        );
        assert_eq!(
            registry.update_rates(),
            Err(ParameterOutOfTypeBounds {}.into())
        );
        // The reads stop at the failing one.
        assert_eq!(host.calls().len(), failing + 1);
        assert_eq!(registry.get_rates_count(), U256::ZERO);
    }
}

#[test]
fn update_rates_passes_a_registry_revert_through() {
    let (host, mut registry) = registry();
    mock_rates(&host, (1, 2, 3, 4, 5));
    mock_get(&host, RATE_KEYS[2], Err(vec![0xab, 0xcd]));
    assert_eq!(
        registry.update_rates(),
        Err(Bubbled(vec![0xab, 0xcd]).into())
    );
}

#[test]
fn update_rates_reverts_empty_when_the_registry_returns_no_word() {
    let (host, mut registry) = registry();
    mock_rates(&host, (1, 2, 3, 4, 5));
    mock_get(&host, RATE_KEYS[0], Ok(vec![0; 31]));
    assert_eq!(registry.update_rates(), Err(Bubbled(vec![]).into()));
}

// ---- getRates ----

#[test]
fn get_rates_reverts_zero_count_first() {
    let (_host, registry) = registry();
    assert_eq!(
        registry.get_rates(U256::MAX, U256::ZERO),
        Err(ZeroCount {}.into())
    );
}

#[test]
fn get_rates_reverts_from_index_out_of_range() {
    let (_host, registry) = registry();
    assert_eq!(
        registry.get_rates(U256::ZERO, U256::from(1)),
        Err(FromIndexOutOfRange {}.into())
    );
    let (_host, registry) = with_history(&[(1, 1, 1, 1, 1), (2, 2, 2, 2, 2)]);
    assert_eq!(
        registry.get_rates(U256::from(2), U256::from(1)),
        Err(FromIndexOutOfRange {}.into())
    );
}

#[test]
fn get_rates_reverts_end_index_out_of_range() {
    let (_host, registry) = with_history(&[(1, 1, 1, 1, 1), (2, 2, 2, 2, 2)]);
    assert_eq!(
        registry.get_rates(U256::from(1), U256::from(2)),
        Err(EndIndexOutOfRange {}.into())
    );
    assert_eq!(
        registry.get_rates(U256::ZERO, U256::MAX),
        Err(EndIndexOutOfRange {}.into())
    );
}

#[test]
fn get_rates_panics_when_the_end_index_overflows() {
    let (_host, registry) = with_history(&[(1, 1, 1, 1, 1), (2, 2, 2, 2, 2)]);
    assert_eq!(
        registry.get_rates(U256::from(1), U256::MAX),
        Err(Panic::from(PanicKind::UnderOverflow).into())
    );
}

#[test]
fn get_rates_returns_the_requested_window() {
    let history = [
        (1, 1, 1, 1, 10),
        (2, 2, 2, 2, 20),
        (3, 3, 3, 3, 30),
        (4, 4, 4, 4, 40),
    ];
    let (_host, registry) = with_history(&history);
    assert_eq!(registry.get_rates_count(), U256::from(4));
    for from in 0..4usize {
        for count in 1..=4 - from {
            assert_eq!(
                registry.get_rates(U256::from(from), U256::from(count)),
                Ok(history[from..from + count].to_vec())
            );
        }
    }
}

#[test]
fn get_rates_reads_entries_written_by_the_solidity_layout() {
    let (host, registry) = registry();
    host.vm
        .set_storage(RATE_REGISTRY, B256::from(U256::from(1)));
    let packed = U256::from(7) | U256::from(8) << 64 | U256::from(9) << 128 | U256::from(10) << 192;
    host.vm.set_storage(entry_slot(0, 0), B256::from(packed));
    host.vm
        .set_storage(entry_slot(0, 1), B256::from(U256::from(11)));
    assert_eq!(
        registry.get_rates(U256::ZERO, U256::from(1)),
        Ok(vec![(7, 8, 9, 10, 11)])
    );
}

// ---- migrate ----

/// The registry's answer, then every `Migratable` outcome (zero, out of bounds, failing,
/// codeless, migrating), with exact revert data.
#[test]
fn migrate_follows_the_migratable_sequence() {
    let (host, mut registry) = registry();
    assert_migrate_through_registry(
        &host,
        &mut registry,
        MIGRATOR,
        |answer| mock_get(&host, "xmtp.rateRegistry.migrator", answer),
        RateRegistry::migrate,
    );
}

// ---- views ----

#[test]
fn views_report_keys_wiring_and_identity() {
    let (_host, registry) = registry();
    assert_eq!(
        RateRegistry::message_fee_parameter_key(),
        "xmtp.rateRegistry.messageFee"
    );
    assert_eq!(
        RateRegistry::storage_fee_parameter_key(),
        "xmtp.rateRegistry.storageFee"
    );
    assert_eq!(
        RateRegistry::congestion_fee_parameter_key(),
        "xmtp.rateRegistry.congestionFee"
    );
    assert_eq!(
        RateRegistry::target_rate_per_minute_parameter_key(),
        "xmtp.rateRegistry.targetRatePerMinute"
    );
    assert_eq!(
        RateRegistry::rates_in_effect_after_parameter_key(),
        "xmtp.rateRegistry.ratesInEffectAfter"
    );
    assert_eq!(
        RateRegistry::migrator_parameter_key(),
        "xmtp.rateRegistry.migrator"
    );
    assert_eq!(registry.parameter_registry_getter(), REGISTRY);
    assert_eq!(registry.implementation(), IMPLEMENTATION);
    assert_eq!(RateRegistry::version(), "1.0.1");
    assert_eq!(RateRegistry::contract_name(), "RateRegistry");
}

#[test]
fn entries_start_at_the_hash_of_the_root() {
    assert_eq!(keccak256(RATE_REGISTRY.to_be_bytes::<32>()), ENTRIES);
}

#[test]
fn every_interface_function_is_routed() {
    use stylus_sdk::abi::Router;
    for function in xmtp_abi::rate_registry::IRateRegistry::abi::functions()
        .values()
        .flatten()
    {
        let (_host, mut registry) = registry();
        let selector = u32::from_be_bytes(function.selector().0);
        let routed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            <RateRegistry as Router<RateRegistry>>::route(&mut registry, selector, &[]).is_some()
        }));
        assert!(
            routed.unwrap_or(true),
            "{} is not routed",
            function.signature()
        );
    }
    let (_host, mut registry) = registry();
    assert!(
        <RateRegistry as Router<RateRegistry>>::route(&mut registry, 0xdead_beef, &[]).is_none()
    );
}

#[test]
fn get_rates_returns_the_reference_abi_encoding() {
    use alloy_sol_types::SolType;
    let (_host, registry) = with_history(&[(1, 2, 3, 4, 5)]);
    let rates = registry.get_rates(U256::ZERO, U256::from(1)).unwrap();
    let ours = <alloy_sol_types::sol_data::Array<(
        alloy_sol_types::sol_data::Uint<64>,
        alloy_sol_types::sol_data::Uint<64>,
        alloy_sol_types::sol_data::Uint<64>,
        alloy_sol_types::sol_data::Uint<64>,
        alloy_sol_types::sol_data::Uint<64>,
    )> as SolType>::abi_encode(&rates);
    let reference =
        xmtp_abi::rate_registry::IRateRegistry::getRatesCall::abi_encode_returns(&vec![
            xmtp_abi::rate_registry::Rates {
                messageFee: 1,
                storageFee: 2,
                congestionFee: 3,
                targetRatePerMinute: 4,
                startTime: 5,
            },
        ]);
    assert_eq!(ours, reference);
}
