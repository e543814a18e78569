use alloy_primitives::{address, Address, B256};
use alloy_sol_types::SolEvent;
use xmtp_core::{slots::ERC1967_IMPLEMENTATION, testing::MockHost, wiring::set_address_for_tests};

use super::*;

const PROXY: Address = address!("0x00000000000000000000000000000000000000b0");
const FROM: Address = address!("0x0000000000000000000000000000000000000f01");
const TO: Address = address!("0x0000000000000000000000000000000000000f02");

fn migrator_in_proxy(current: Address) -> (MockHost, Migrator) {
    set_address_for_tests("fromImplementation", FROM);
    set_address_for_tests("toImplementation", TO);
    let host = MockHost::new();
    host.vm.set_contract_address(PROXY);
    host.vm
        .set_storage(ERC1967_IMPLEMENTATION, current.into_word());
    let migrator = Migrator::from(&host);
    (host, migrator)
}

#[test]
fn getters_report_the_wiring() {
    let (_host, migrator) = migrator_in_proxy(FROM);
    assert_eq!(migrator.from_implementation_getter(), FROM);
    assert_eq!(migrator.to_implementation_getter(), TO);
}

#[test]
fn fallback_moves_the_proxy_from_from_to_to_and_emits_upgraded() {
    let (host, mut migrator) = migrator_in_proxy(FROM);
    assert_eq!(migrator.migrate(&[]), Ok(vec![]));
    assert_eq!(host.vm.get_storage(ERC1967_IMPLEMENTATION), TO.into_word());
    let upgraded = Upgraded { implementation: TO }.encode_log_data();
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![(upgraded.topics().to_vec(), upgraded.data.to_vec())]
    );
}

#[test]
fn fallback_refuses_any_other_implementation() {
    for current in [
        TO,
        Address::ZERO,
        address!("0x0000000000000000000000000000000000000bad"),
    ] {
        let (host, mut migrator) = migrator_in_proxy(current);
        assert_eq!(
            migrator.migrate(&[]),
            Err(UnexpectedImplementation {}.abi_encode())
        );
        assert_eq!(
            host.vm.get_storage(ERC1967_IMPLEMENTATION),
            current.into_word()
        );
        assert!(host.vm.get_emitted_logs().is_empty());
    }
}

#[test]
fn running_twice_fails_the_second_time() {
    let (_host, mut migrator) = migrator_in_proxy(FROM);
    assert_eq!(migrator.migrate(&[]), Ok(vec![]));
    assert_eq!(
        migrator.migrate(&[]),
        Err(UnexpectedImplementation {}.abi_encode())
    );
}

#[test]
fn empty_calldata_and_unknown_selectors_reach_the_fallback() {
    use stylus_sdk::abi::Router;
    let (host, mut migrator) = migrator_in_proxy(FROM);
    assert_eq!(
        <Migrator as Router<Migrator>>::route(&mut migrator, 0x1234_5678, &[]),
        None
    );
    assert_eq!(
        <Migrator as Router<Migrator>>::fallback(&mut migrator, &[]),
        Some(Ok(vec![]))
    );
    assert_eq!(
        host.vm.get_storage(ERC1967_IMPLEMENTATION),
        B256::from(TO.into_word())
    );
}

#[test]
fn getters_are_routed_under_their_reference_selectors() {
    use stylus_sdk::abi::Router;
    let (_host, mut migrator) = migrator_in_proxy(FROM);
    let from = <Migrator as Router<Migrator>>::route(&mut migrator, 0x39bd_a3e0, &[]);
    assert_eq!(from, Some(Ok(FROM.into_word().to_vec())));
    let to = <Migrator as Router<Migrator>>::route(&mut migrator, 0x94ad_55ce, &[]);
    assert_eq!(to, Some(Ok(TO.into_word().to_vec())));
}
