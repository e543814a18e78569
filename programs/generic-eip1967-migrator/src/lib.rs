//! `GenericEIP1967Migrator`: points a proxy at `newImpl`, whatever implementation it had.
//!
//! The migrator the reference's upgrade scripts deploy: a proxy's `migrate()` delegatecalls it
//! with empty calldata, it writes `newImpl` into the proxy's ERC-1967 slot and emits `Upgraded`.
//! No checks, so running it again is harmless (same slot value, one more event).
//!
//! Difference from the reference: `newImpl` is wiring, not a constructor immutable (the build
//! pipeline refuses zero, which is where `InvalidImplementation()` is reported).
#![cfg_attr(target_arch = "wasm32", no_std, no_main)]

extern crate alloc;

use alloc::vec::Vec;

use alloy_primitives::Address;
use stylus_sdk::{prelude::*, ArbResult};
use xmtp_abi::erc1967::Upgraded;
use xmtp_core::storage::set_implementation;

xmtp_core::wiring! {
    /// The implementation every proxy migrated by this program gets.
    pub fn new_implementation: Address = "newImpl";
}

pub use entry::GenericEip1967Migrator;

// The SDK's `#[entrypoint]` generates an undocumented public function; a private module keeps it
// out of the crate's public (documented) surface.
mod entry {
    use alloc::{vec, vec::Vec};

    use stylus_sdk::prelude::*;

    /// The program; it has no storage of its own (it works on the proxy's ERC-1967 slot).
    #[storage]
    #[entrypoint]
    pub struct GenericEip1967Migrator {}
}

#[public]
impl GenericEip1967Migrator {
    /// The implementation every proxy migrated by this program gets.
    #[selector(name = "newImpl")]
    pub fn new_implementation_getter(&self) -> Address {
        new_implementation()
    }

    /// Writes `newImpl` into the executing proxy's implementation slot; reached with empty
    /// calldata or any unknown selector.
    #[fallback]
    pub fn migrate(&mut self, _calldata: &[u8]) -> ArbResult {
        let implementation = new_implementation();
        set_implementation(self.vm(), implementation);
        self.vm().log(Upgraded { implementation });
        Ok(Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use alloy_primitives::{address, B256};
    use alloy_sol_types::SolEvent;
    use stylus_sdk::abi::Router;
    use xmtp_core::{
        slots::ERC1967_IMPLEMENTATION, testing::MockHost, wiring::set_address_for_tests,
    };

    use super::*;

    const NEW: Address = address!("0x0000000000000000000000000000000000000f02");

    fn migrator_in_proxy(current: Address) -> (MockHost, GenericEip1967Migrator) {
        set_address_for_tests("newImpl", NEW);
        let host = MockHost::new();
        host.vm
            .set_storage(ERC1967_IMPLEMENTATION, current.into_word());
        let migrator = GenericEip1967Migrator::from(&host);
        (host, migrator)
    }

    #[test]
    fn new_impl_reports_the_wiring_under_its_reference_selector() {
        let (_host, mut migrator) = migrator_in_proxy(Address::ZERO);
        let routed = <GenericEip1967Migrator as Router<GenericEip1967Migrator>>::route(
            &mut migrator,
            0x0120_7ac0,
            &[],
        );
        assert_eq!(routed, Some(Ok(NEW.into_word().to_vec())));
    }

    #[test]
    fn any_implementation_is_moved_and_upgraded_is_emitted_every_time() {
        let (host, mut migrator) =
            migrator_in_proxy(address!("0x0000000000000000000000000000000000000bad"));
        let upgraded = Upgraded {
            implementation: NEW,
        }
        .encode_log_data();
        let entry = (upgraded.topics().to_vec(), upgraded.data.to_vec());
        assert_eq!(migrator.migrate(&[]), Ok(vec![]));
        assert_eq!(
            host.vm.get_storage(ERC1967_IMPLEMENTATION),
            B256::from(NEW.into_word())
        );
        assert_eq!(migrator.migrate(&[]), Ok(vec![]), "idempotent");
        assert_eq!(host.vm.get_emitted_logs(), vec![entry.clone(), entry]);
    }

    #[test]
    fn unknown_selectors_reach_the_fallback() {
        let (host, mut migrator) = migrator_in_proxy(Address::ZERO);
        assert_eq!(
            <GenericEip1967Migrator as Router<GenericEip1967Migrator>>::route(
                &mut migrator,
                0x1234_5678,
                &[]
            ),
            None
        );
        assert_eq!(
            <GenericEip1967Migrator as Router<GenericEip1967Migrator>>::fallback(
                &mut migrator,
                &[1, 2]
            ),
            Some(Ok(vec![]))
        );
        assert_eq!(
            host.vm.get_storage(ERC1967_IMPLEMENTATION),
            B256::from(NEW.into_word())
        );
    }
}
