//! Building blocks for the programs that run on every proxied call (`Proxy`) or that the
//! Factory embeds (`Initializable`), and so must be as small and cheap as a program can be.
//!
//! They bypass the SDK: no router, no allocator, no `core::fmt`, no dependency that pulls in
//! `std`. Nitro's entry cost grows with a module's functions and bytes, and the `Proxy` pays it
//! on every call through every proxy, so this is worth the few `unsafe` lines below. Each
//! `unsafe` block relies on one fact: Stylus hostios read and write exactly the guest memory
//! their pointer and length arguments describe.
#![no_std]

#[cfg(target_arch = "wasm32")]
pub mod heap;
#[cfg(target_arch = "wasm32")]
pub mod hostio;

/// Solidity's ABI word for an address: 12 zero bytes, then the address.
#[must_use]
pub fn address_word(address: &[u8; 20]) -> [u8; 32] {
    let mut word = [0u8; 32];
    word[12..].copy_from_slice(address);
    word
}

/// The address in an ABI word, if the word is a valid (160-bit) address.
#[must_use]
pub fn word_address(word: &[u8]) -> Option<[u8; 20]> {
    if word.len() != 32 || word[..12].iter().any(|byte| *byte != 0) {
        return None;
    }
    let mut address = [0u8; 20];
    address.copy_from_slice(&word[12..]);
    Some(address)
}

/// A big-endian ABI word as `usize`, if it fits (offsets and lengths in calldata).
#[must_use]
pub fn word_usize(word: &[u8]) -> Option<usize> {
    const USIZE_BYTES: usize = core::mem::size_of::<usize>();
    if word.len() != 32 || word[..32 - USIZE_BYTES].iter().any(|byte| *byte != 0) {
        return None;
    }
    let mut bytes = [0u8; USIZE_BYTES];
    bytes.copy_from_slice(&word[32 - USIZE_BYTES..]);
    Some(usize::from_be_bytes(bytes))
}

/// A `usize` as a big-endian ABI word.
#[must_use]
pub fn usize_word(value: usize) -> [u8; 32] {
    let mut word = [0u8; 32];
    word[32 - core::mem::size_of::<usize>()..].copy_from_slice(&value.to_be_bytes());
    word
}

/// `keccak256("eip1967.proxy.implementation") - 1`, as bytes.
pub const ERC1967_IMPLEMENTATION_SLOT: [u8; 32] = [
    0x36, 0x08, 0x94, 0xa1, 0x3b, 0xa1, 0xa3, 0x21, 0x06, 0x67, 0xc8, 0x28, 0x49, 0x2d, 0xb9, 0x8d,
    0xca, 0x3e, 0x20, 0x76, 0xcc, 0x37, 0x35, 0xa9, 0x20, 0xa3, 0xca, 0x50, 0x5d, 0x38, 0x2b, 0xbc,
];

/// `ZeroImplementation()`.
pub const ZERO_IMPLEMENTATION: [u8; 4] = [0x42, 0x08, 0xd2, 0xeb];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_round_trip_through_words() {
        let address = [0xab; 20];
        assert_eq!(word_address(&address_word(&address)), Some(address));
        let mut dirty = address_word(&address);
        dirty[11] = 1;
        assert_eq!(word_address(&dirty), None);
        assert_eq!(word_address(&[0; 31]), None);
    }

    #[test]
    fn lengths_must_fit_usize() {
        assert_eq!(word_usize(&usize_word(0x1234)), Some(0x1234));
        let mut huge = [0u8; 32];
        huge[0] = 1;
        assert_eq!(word_usize(&huge), None);
    }
}
