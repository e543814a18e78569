//! Division of a `u128` by a 32-bit divisor without compiler-builtins' general 128-bit
//! division (a kilobyte of wasm): long division by 32-bit digits in 64-bit arithmetic, which
//! the target does natively.

/// `(value / divisor, value % divisor)`.
///
/// # Panics
/// When `divisor` is zero (as any division by zero does).
#[must_use]
// Each digit is masked to 32 bits and each partial remainder is below the divisor, so the
// narrowing conversions are exact.
#[allow(clippy::cast_possible_truncation)]
pub fn div_rem_u32(value: u128, divisor: u32) -> (u128, u32) {
    let divisor = u64::from(divisor);
    let mut quotient = 0u128;
    let mut remainder = 0u64;
    for shift in [96u32, 64, 32, 0] {
        // `current` is below `divisor << 32`, so it fits 64 bits and its quotient 32.
        let current = (remainder << 32) | ((value >> shift) & 0xffff_ffff) as u64;
        quotient |= u128::from(current / divisor) << shift;
        remainder = current % divisor;
    }
    (quotient, remainder as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn divides_as_u128_division_does() {
        for value in [
            0u128,
            1,
            999_999,
            1_000_001,
            u128::from(u64::MAX),
            1 << 64,
            (1 << 96) - 1,
            123_456_789_012_345_678_901_234,
            u128::MAX,
        ] {
            for divisor in [1u32, 3, 7, 10_000, 1_000_000, u32::MAX] {
                assert_eq!(
                    div_rem_u32(value, divisor),
                    (
                        value / u128::from(divisor),
                        u32::try_from(value % u128::from(divisor)).unwrap()
                    ),
                    "{value} / {divisor}"
                );
            }
        }
    }
}
