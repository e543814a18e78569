//! The wiring block: per-implementation configuration baked into a program's data segment.
//!
//! The reference keeps such values (the parameter registry, a gateway, a token, ...) in Solidity
//! immutables, so they are part of the implementation's code, visible under `DELEGATECALL`, and
//! part of its CREATE2 address. Stylus has no immutables, so each program reserves one block in
//! its data segment, found by the build pipeline through [`MAGIC`] and patched with the values
//! before compression. Layout (little-endian integers, as in wasm memory):
//!
//! | bytes | content |
//! | --- | --- |
//! | 16 | [`MAGIC`] |
//! | 4 | slot count `n` |
//! | 4 | length `l` of the name list |
//! | 32 × n | the slots, each an ABI word (an address right-aligned) |
//! | l | the slot names, camelCase, joined by `\n` |
//!
//! A name ending in `?` marks an optional slot: the deploy tooling may leave it out or write
//! zero, and the program must give zero a meaning (the Factory's `proxyKind?`: zero is the
//! Stylus proxy). Every other slot must be written with a non-zero value.
//!
//! On wasm the slots are read with volatile loads: the optimiser would otherwise fold the
//! all-zero initial value into the code and the patched bytes would never be read. Native
//! builds (unit tests) read values set per thread with [`set_for_tests`] instead.

/// Marks the one wiring block of a program.
pub const MAGIC: [u8; 16] = *b"XMTP_WIRING_V1\0\0";

/// A wiring block of `N` slots whose names take `L` bytes.
#[repr(C, align(8))]
pub struct Block<const N: usize, const L: usize> {
    magic: [u8; 16],
    count: u32,
    names_len: u32,
    slots: [[u8; 32]; N],
    names: [u8; L],
}

impl<const N: usize, const L: usize> Block<N, L> {
    /// An unpatched block (all slots zero) for the `\n`-joined `names`.
    ///
    /// # Panics
    /// At compile time, when `names` is not `L` bytes long or does not list `N` names.
    #[must_use]
    pub const fn new(names: &str) -> Self {
        let bytes = names.as_bytes();
        assert!(bytes.len() == L, "wiring names length mismatch");
        let mut copy = [0u8; L];
        let mut separators = 0;
        let mut i = 0;
        while i < L {
            copy[i] = bytes[i];
            if bytes[i] == b'\n' {
                separators += 1;
            }
            i += 1;
        }
        assert!(separators + 1 == N, "wiring slot count mismatch");
        #[allow(clippy::cast_possible_truncation)]
        Self {
            magic: MAGIC,
            count: N as u32,
            names_len: L as u32,
            slots: [[0; 32]; N],
            names: copy,
        }
    }

    /// The ABI word in slot `index`.
    #[cfg(target_arch = "wasm32")]
    #[must_use]
    pub fn word(&'static self, index: usize) -> [u8; 32] {
        // SAFETY: `index` comes from the `wiring!` macro, always in bounds; the block is a
        // static that lives for the whole program and is never written at run time.
        unsafe { core::ptr::read_volatile(core::ptr::addr_of!(self.slots[index])) }
    }

    /// The ABI word in slot `index`, as set for this thread by [`set_for_tests`] (zero if unset).
    #[cfg(not(target_arch = "wasm32"))]
    #[must_use]
    pub fn word(&'static self, index: usize) -> [u8; 32] {
        let names = core::str::from_utf8(&self.names).unwrap_or_default();
        let name = names.split('\n').nth(index).unwrap_or_default();
        native::get(name)
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    extern crate std;

    use std::{cell::RefCell, collections::BTreeMap, string::String, thread_local};

    thread_local! {
        static VALUES: RefCell<BTreeMap<String, [u8; 32]>> = const { RefCell::new(BTreeMap::new()) };
    }

    pub(super) fn get(name: &str) -> [u8; 32] {
        VALUES.with(|values| values.borrow().get(name).copied().unwrap_or_default())
    }

    pub(super) fn set(name: &str, word: [u8; 32]) {
        VALUES.with(|values| values.borrow_mut().insert(name.into(), word));
    }
}

/// Sets a wiring value for native unit tests on this thread (wasm builds are patched instead).
#[cfg(not(target_arch = "wasm32"))]
pub fn set_for_tests(name: &str, word: impl Into<alloy_primitives::B256>) {
    native::set(name, word.into().0);
}

/// Sets an address wiring value for native unit tests on this thread.
#[cfg(not(target_arch = "wasm32"))]
pub fn set_address_for_tests(name: &str, address: alloy_primitives::Address) {
    native::set(name, address.into_word().0);
}

/// Declares a program's wiring block and one typed getter per slot.
///
/// ```ignore
/// xmtp_core::wiring! {
///     /// The parameter registry this implementation reads (reference immutable).
///     pub fn parameter_registry: Address = "parameterRegistry";
/// }
/// ```
#[macro_export]
macro_rules! wiring {
    ($($(#[$doc:meta])* $vis:vis fn $getter:ident: $ty:ty = $name:literal;)+) => {
        const __WIRING_NAMES: &str = $crate::__wiring_names!($($name),+);
        const __WIRING_COUNT: usize = [$($name),+].len();

        #[used]
        static __WIRING: $crate::wiring::Block<__WIRING_COUNT, { __WIRING_NAMES.len() }> =
            $crate::wiring::Block::new(__WIRING_NAMES);

        $crate::__wiring_getters!(0usize; $($(#[$doc])* $vis fn $getter: $ty;)+);
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __wiring_names {
    ($first:literal $(, $rest:literal)*) => { concat!($first $(, "\n", $rest)*) };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __wiring_getters {
    ($index:expr;) => {};
    ($index:expr; $(#[$doc:meta])* $vis:vis fn $getter:ident: $ty:ty; $($rest:tt)*) => {
        $(#[$doc])*
        #[must_use]
        $vis fn $getter() -> $ty {
            <$ty as $crate::wiring::FromWord>::from_word(__WIRING.word($index))
        }
        $crate::__wiring_getters!($index + 1usize; $($rest)*);
    };
}

/// Types a wiring slot can hold.
pub trait FromWord {
    /// Decodes the ABI word.
    fn from_word(word: [u8; 32]) -> Self;
}

impl FromWord for alloy_primitives::Address {
    fn from_word(word: [u8; 32]) -> Self {
        Self::from_word(word.into())
    }
}

impl FromWord for alloy_primitives::U256 {
    fn from_word(word: [u8; 32]) -> Self {
        Self::from_be_bytes(word)
    }
}

impl FromWord for alloy_primitives::B256 {
    fn from_word(word: [u8; 32]) -> Self {
        word.into()
    }
}

#[cfg(test)]
mod tests {
    use alloy_primitives::{address, Address, U256};

    use super::*;

    crate::wiring! {
        fn registry: Address = "parameterRegistry";
        fn scale: U256 = "scale";
    }

    #[test]
    fn block_layout_matches_the_documented_format() {
        let size = core::mem::size_of_val(&__WIRING);
        assert_eq!(size, 16 + 4 + 4 + 64 + "parameterRegistry\nscale".len() + 1); // padded to 8
                                                                                  // SAFETY: reading the static's bytes as plain data.
        let bytes = unsafe {
            core::slice::from_raw_parts(core::ptr::addr_of!(__WIRING).cast::<u8>(), size)
        };
        assert_eq!(bytes[..16], MAGIC);
        assert_eq!(bytes[16..20], 2u32.to_le_bytes());
        assert_eq!(bytes[20..24], 23u32.to_le_bytes());
        assert!(bytes[24..88].iter().all(|byte| *byte == 0));
        assert_eq!(&bytes[88..111], b"parameterRegistry\nscale");
    }

    #[test]
    fn getters_read_the_values_set_for_the_thread() {
        assert_eq!(registry(), Address::ZERO);
        let registry_address = address!("0x1111111111111111111111111111111111111111");
        set_address_for_tests("parameterRegistry", registry_address);
        set_for_tests("scale", U256::from(1_000_000_000_000u64));
        assert_eq!(registry(), registry_address);
        assert_eq!(scale(), U256::from(1_000_000_000_000u64));
    }
}
