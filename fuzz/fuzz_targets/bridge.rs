//! See `targets/bridge.rs`.
#![no_main]

// Each binary uses part of the shared input reader.
#[path = "../targets/bridge.rs"]
mod bridge;
#[allow(dead_code)]
#[path = "../targets/input.rs"]
mod input;

libfuzzer_sys::fuzz_target!(|data: &[u8]| bridge::run(data));
