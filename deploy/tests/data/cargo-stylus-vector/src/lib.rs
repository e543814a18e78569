//! A counter: the smallest useful Stylus program, for the cargo-stylus byte-equality vector.
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]
extern crate alloc;

use stylus_sdk::{alloy_primitives::U256, prelude::*};

sol_storage! {
    #[entrypoint]
    pub struct Counter {
        uint256 number;
    }
}

#[public]
impl Counter {
    /// The current count.
    pub fn number(&self) -> U256 {
        self.number.get()
    }

    /// Adds one.
    pub fn increment(&mut self) {
        let number = self.number.get();
        self.number.set(number + U256::from(1));
    }
}
