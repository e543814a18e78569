//! Parameter-key composition (`ParameterKeys` in the reference).

use alloc::string::String;

use alloy_primitives::{Address, U256};

/// The separator between key components.
pub const DELIMITER: char = '.';

/// `left ++ "." ++ right`, with no validation (empty components are allowed).
#[must_use]
pub fn combine(left: &str, right: &str) -> String {
    let mut key = String::with_capacity(left.len() + 1 + right.len());
    key.push_str(left);
    key.push(DELIMITER);
    key.push_str(right);
    key
}

/// An address as OpenZeppelin's `Strings.toHexString(address)`: `0x` and 40 lowercase digits.
#[must_use]
pub fn address_component(address: Address) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut component = String::with_capacity(42);
    component.push_str("0x");
    for byte in address.0 {
        component.push(char::from(DIGITS[usize::from(byte >> 4)]));
        component.push(char::from(DIGITS[usize::from(byte & 0xf)]));
    }
    component
}

/// An unsigned integer as OpenZeppelin's `Strings.toString(uint256)`: decimal, no leading zeros.
#[must_use]
pub fn uint_component(value: U256) -> String {
    if value.is_zero() {
        return "0".into();
    }
    let ten = U256::from(10);
    let mut digits = alloc::vec::Vec::with_capacity(78);
    let mut rest = value;
    while !rest.is_zero() {
        let (quotient, digit) = rest.div_rem(ten);
        digits.push(b'0' + digit.byte(0));
        rest = quotient;
    }
    digits
        .iter()
        .rev()
        .map(|digit| char::from(*digit))
        .collect()
}

#[cfg(test)]
mod tests {
    use alloy_primitives::address;

    use super::*;

    #[test]
    fn components_match_openzeppelin_strings() {
        assert_eq!(
            address_component(address!("0x0000000000000000000000000000000000000001")),
            "0x0000000000000000000000000000000000000001"
        );
        assert_eq!(
            address_component(address!("0xABCDEF1234567890abcdef1234567890ABCDEF12")),
            "0xabcdef1234567890abcdef1234567890abcdef12"
        );
        assert_eq!(uint_component(U256::ZERO), "0");
        assert_eq!(uint_component(U256::from(100)), "100");
        assert_eq!(
            uint_component(U256::from(1_000_000_000_000_000_000u128)),
            "1000000000000000000"
        );
        assert_eq!(
            uint_component(U256::MAX),
            "115792089237316195423570985008687907853269984665640564039457584007913129639935"
        );
    }

    #[test]
    fn combine_joins_with_a_dot() {
        assert_eq!(
            combine("xmtp.settlementChainGateway.inbox", "1"),
            "xmtp.settlementChainGateway.inbox.1"
        );
        assert_eq!(combine("", ""), ".");
    }
}
