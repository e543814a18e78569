//! `Initializable` (the XMTP one): the first implementation of every Factory-made proxy.
//!
//! The Factory CREATE2s a proxy whose constructor argument is this program, then calls
//! `initialize(implementation, data)` on it in the same call: through the proxy, this program
//! points the proxy's ERC-1967 slot at the real implementation and runs that implementation's
//! initializer in the proxy's storage. It has no guard of its own: after a successful call the
//! proxy no longer points here. Behaviour is the reference's, check for check, including
//! Solidity's dispatch and calldata validation (unknown selector, value sent to this
//! non-payable function, or malformed calldata: revert with empty data).
//!
//! The Factory embeds this program's init code, so it bypasses the SDK (see `xmtp-bare`) to stay
//! small; [`decode`] and [`revert_data`] hold its logic and are tested natively.
#![cfg_attr(target_arch = "wasm32", no_std)]

/// `initialize(address,bytes)`.
pub const INITIALIZE_SELECTOR: [u8; 4] = [0xd1, 0xf5, 0x78, 0x94];
/// `InitializationFailed(bytes)`.
pub const INITIALIZATION_FAILED: [u8; 4] = [0x23, 0x61, 0x51, 0x71];
/// `EmptyCode(address)`.
pub const EMPTY_CODE: [u8; 4] = [0x62, 0x6c, 0x41, 0x61];

/// A decoded `initialize(address implementation_, bytes initializeCallData_)` call.
#[derive(Debug, PartialEq, Eq)]
pub struct Initialize<'a> {
    /// `implementation_`.
    pub implementation: [u8; 20],
    /// `initializeCallData_`.
    pub data: &'a [u8],
}

/// Decodes calldata as Solidity 0.8's dispatcher and ABI decoder do; `None` where Solidity
/// reverts with empty data (wrong selector, short head, dirty address, offset or length out of
/// range or past the end of calldata).
#[must_use]
pub fn decode(calldata: &[u8]) -> Option<Initialize<'_>> {
    let arguments = calldata.strip_prefix(&INITIALIZE_SELECTOR)?;
    if arguments.len() < 64 {
        return None;
    }
    let implementation = xmtp_bare::word_address(&arguments[..32])?;
    let offset = bounded_u64(&arguments[32..64])?;
    // The length word must lie inside the arguments, and so must the bytes it announces.
    let length_at = offset
        .checked_add(32)
        .filter(|end| *end <= arguments.len())?;
    let length = bounded_u64(&arguments[offset..length_at])?;
    let data = arguments.get(length_at..length_at.checked_add(length)?)?;
    Some(Initialize {
        implementation,
        data,
    })
}

/// A calldata offset or length: Solidity refuses values above `2^64 - 1`.
fn bounded_u64(word: &[u8]) -> Option<usize> {
    if word[..24].iter().any(|byte| *byte != 0) {
        return None;
    }
    xmtp_bare::word_usize(word)
}

/// Writes `InitializationFailed(errorData)` into `out` and returns its length;
/// `out` must hold `4 + 64 + errorData.len()` rounded up to whole words.
pub fn initialization_failed(error_data: &[u8], out: &mut [u8]) -> usize {
    let padded = error_data.len().div_ceil(32) * 32;
    let len = 4 + 64 + padded;
    out[..4].copy_from_slice(&INITIALIZATION_FAILED);
    out[4..36].copy_from_slice(&xmtp_bare::usize_word(32));
    out[36..68].copy_from_slice(&xmtp_bare::usize_word(error_data.len()));
    out[68..68 + error_data.len()].copy_from_slice(error_data);
    out[68 + error_data.len()..len].fill(0);
    len
}

/// `EmptyCode(implementation)`.
#[must_use]
pub fn empty_code(implementation: &[u8; 20]) -> [u8; 36] {
    let mut out = [0u8; 36];
    out[..4].copy_from_slice(&EMPTY_CODE);
    out[4..].copy_from_slice(&xmtp_bare::address_word(implementation));
    out
}

#[cfg(target_arch = "wasm32")]
mod entry {
    use xmtp_bare::{heap, hostio, ERC1967_IMPLEMENTATION_SLOT, ZERO_IMPLEMENTATION};

    use super::{decode, empty_code, initialization_failed};

    fn finish(output: &[u8], status: usize) -> usize {
        // SAFETY: `write_result` reads exactly `output`.
        unsafe { hostio::write_result(output.as_ptr(), output.len()) };
        status
    }

    #[no_mangle]
    extern "C" fn user_entrypoint(calldata_len: usize) -> usize {
        // SAFETY: each hostio reads/writes exactly the buffers and lengths passed to it; the
        // heap region is reserved before it is written.
        unsafe {
            hostio::pay_for_memory_grow(0);
            let mut value = [0u8; 32];
            hostio::msg_value(value.as_mut_ptr());
            heap::reserve(calldata_len);
            hostio::read_args(heap::base());
            let calldata = core::slice::from_raw_parts(heap::base(), calldata_len);
            let Some(call) = decode(calldata) else {
                return finish(&[], 1);
            };
            if value.iter().any(|byte| *byte != 0) {
                return finish(&[], 1);
            }
            if call.implementation == [0; 20] {
                return finish(&ZERO_IMPLEMENTATION, 1);
            }
            let word = xmtp_bare::address_word(&call.implementation);
            hostio::storage_cache_bytes32(ERC1967_IMPLEMENTATION_SLOT.as_ptr(), word.as_ptr());
            // The initializer runs in this storage and must see the new slot value.
            hostio::storage_flush_cache(true);
            if call.data.is_empty() {
                return finish(&[], 0);
            }
            let mut output_len = 0;
            let status = hostio::delegate_call_contract(
                call.implementation.as_ptr(),
                call.data.as_ptr(),
                call.data.len(),
                u64::MAX,
                core::ptr::addr_of_mut!(output_len),
            );
            if status != 0 {
                // Revert data goes after the calldata, then is wrapped in place after itself.
                let scratch = heap::base().add(calldata_len);
                heap::reserve(
                    calldata_len + output_len + 4 + 64 + output_len.div_ceil(32) * 32 + output_len,
                );
                hostio::read_return_data(scratch, 0, output_len);
                let error_data = core::slice::from_raw_parts(scratch, output_len);
                let out = core::slice::from_raw_parts_mut(
                    scratch.add(output_len),
                    4 + 64 + output_len.div_ceil(32) * 32,
                );
                let len = initialization_failed(error_data, out);
                return finish(&out[..len], 1);
            }
            if output_len == 0 && hostio::account_code_size(call.implementation.as_ptr()) == 0 {
                return finish(&empty_code(&call.implementation), 1);
            }
            finish(&[], 0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calldata(address_word: [u8; 32], offset: usize, length: usize, data: &[u8]) -> Vec<u8> {
        let mut calldata = INITIALIZE_SELECTOR.to_vec();
        calldata.extend_from_slice(&address_word);
        calldata.extend_from_slice(&xmtp_bare::usize_word(offset));
        calldata.extend_from_slice(&xmtp_bare::usize_word(length));
        calldata.extend_from_slice(data);
        calldata.resize(4 + 96 + data.len().div_ceil(32) * 32, 0);
        calldata
    }

    const IMPLEMENTATION: [u8; 20] = [0xb1; 20];

    #[test]
    fn decodes_the_abi_encoding() {
        let encoded = calldata(
            xmtp_bare::address_word(&IMPLEMENTATION),
            64,
            4,
            &[0x81, 0x29, 0xfc, 0x1c],
        );
        assert_eq!(
            decode(&encoded),
            Some(Initialize {
                implementation: IMPLEMENTATION,
                data: &[0x81, 0x29, 0xfc, 0x1c]
            })
        );
        let empty = calldata(xmtp_bare::address_word(&IMPLEMENTATION), 64, 0, &[]);
        assert_eq!(
            decode(&empty),
            Some(Initialize {
                implementation: IMPLEMENTATION,
                data: &[]
            })
        );
    }

    #[test]
    fn refuses_what_solidity_refuses() {
        let good = calldata(
            xmtp_bare::address_word(&IMPLEMENTATION),
            64,
            4,
            &[1, 2, 3, 4],
        );
        // Another selector, a short head, no calldata.
        assert_eq!(decode(&[&[0, 0, 0, 0][..], &good[4..]].concat()), None);
        assert_eq!(decode(&good[..4 + 63]), None);
        assert_eq!(decode(&[]), None);
        // An address with high bits set.
        let mut dirty = xmtp_bare::address_word(&IMPLEMENTATION);
        dirty[0] = 1;
        assert_eq!(decode(&calldata(dirty, 64, 4, &[1, 2, 3, 4])), None);
        // Offsets and lengths past the end or above 2^64 - 1.
        assert_eq!(
            decode(&calldata(
                xmtp_bare::address_word(&IMPLEMENTATION),
                96,
                4,
                &[1, 2, 3, 4]
            )),
            None
        );
        assert_eq!(
            decode(&calldata(
                xmtp_bare::address_word(&IMPLEMENTATION),
                64,
                33,
                &[1, 2, 3, 4]
            )),
            None
        );
        let mut huge_offset = good.clone();
        huge_offset[36 + 23] = 1;
        assert_eq!(decode(&huge_offset), None);
    }

    #[test]
    fn encodes_initialization_failed_with_padding() {
        let mut out = [0xee; 4 + 64 + 64];
        let len = initialization_failed(&[0xaa; 33], &mut out);
        assert_eq!(len, 4 + 64 + 64);
        assert_eq!(out[..4], INITIALIZATION_FAILED);
        assert_eq!(out[4..36], xmtp_bare::usize_word(32));
        assert_eq!(out[36..68], xmtp_bare::usize_word(33));
        assert_eq!(out[68..101], [0xaa; 33]);
        assert_eq!(out[101..132], [0; 31]);
        let mut out = [0xee; 68];
        assert_eq!(initialization_failed(&[], &mut out), 68);
        assert_eq!(out[36..68], [0; 32]);
    }

    #[test]
    fn encodes_empty_code() {
        let encoded = empty_code(&IMPLEMENTATION);
        assert_eq!(encoded[..4], EMPTY_CODE);
        assert_eq!(encoded[4..], xmtp_bare::address_word(&IMPLEMENTATION));
    }
}
