//! Arbitrum's L1-to-L2 address aliasing (`AddressAliasHelper`), also used between L2 and L3.

use alloy_primitives::{address, Address, U160};

/// `0x1111000000000000000000000000000000001111`.
pub const OFFSET: Address = address!("0x1111000000000000000000000000000000001111");

/// The sender a parent-chain contract appears as on the child chain (wraps modulo 2^160).
#[must_use]
pub fn to_alias(address: Address) -> Address {
    Address::from(U160::from_be_bytes(address.0 .0).wrapping_add(U160::from_be_bytes(OFFSET.0 .0)))
}

/// The parent-chain address behind an alias (wraps modulo 2^160).
#[must_use]
pub fn from_alias(address: Address) -> Address {
    Address::from(U160::from_be_bytes(address.0 .0).wrapping_sub(U160::from_be_bytes(OFFSET.0 .0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_match_the_reference_vectors() {
        assert_eq!(
            to_alias(address!("0x18f4aA7E0Af2A102549986b2F53e727C0CC24EB7")),
            address!("0x2a05aa7e0af2a102549986b2f53e727c0cc25fc8")
        );
        assert_eq!(
            to_alias(address!("0xB64D5bF62F30512Bd130C0D7c80DB7ac1e6801a3")),
            address!("0xc75e5bf62f30512bd130c0d7c80db7ac1e6812b4")
        );
        assert_eq!(
            to_alias(Address::repeat_byte(0xff)),
            address!("0x1111000000000000000000000000000000001110")
        );
        assert_eq!(
            from_alias(Address::ZERO),
            address!("0xeeeeffffffffffffffffffffffffffffffffeeef")
        );
    }

    #[test]
    fn aliasing_round_trips() {
        for address in [
            Address::ZERO,
            Address::repeat_byte(0xff),
            OFFSET,
            address!("0x00000000000000000000000000000000000000ff"),
        ] {
            assert_eq!(from_alias(to_alias(address)), address);
            assert_eq!(to_alias(from_alias(address)), address);
        }
    }
}
