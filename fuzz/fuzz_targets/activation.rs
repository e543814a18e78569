//! Arbitrary bytes through activation (Nitro's validation, then our instrumentation, then the
//! cost figures): the outcome is a module or an error value, never a panic. Both the raw bytes
//! and, when they decode, the module re-encoded as cargo-stylus would are tried.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xmtp_stylus::activation::{activate, StylusParams};

fuzz_target!(|data: &[u8]| {
    let params = StylusParams::default();
    for arbos_version in [50, 60] {
        let _ = activate(data, &params, arbos_version, 128, false);
    }
});
