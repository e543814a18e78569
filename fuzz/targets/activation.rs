//! Arbitrary bytes through activation (Nitro's validation, then our instrumentation, then the
//! cost figures) at ArbOS 50 and 60: the outcome is a module or an error value, never a panic.
//! Both the raw bytes and, when they decode, the module re-encoded as cargo-stylus would are
//! tried.

use xmtp_stylus::activation::{activate, StylusParams};
use xmtp_stylus::reencode;

/// Activates `data` (and its round trip) with the chain's default parameters.
pub fn run(data: &[u8]) {
    let params = StylusParams::default();
    // The round trip is what the build pipeline does before activation: it normalises
    // encodings (padded indices, custom sections) that the raw bytes may carry.
    let reencoded = reencode::round_trip(data).ok();
    for wasm in std::iter::once(data).chain(reencoded.as_deref()) {
        for arbos_version in [50, 60] {
            let _ = activate(wasm, &params, arbos_version, 128, false);
        }
    }
}
