//! See `targets/signatures.rs`.
#![no_main]

// Each binary uses part of the shared input reader.
#[allow(dead_code)]
#[path = "../targets/input.rs"]
mod input;
#[path = "../targets/signatures.rs"]
mod signatures;

libfuzzer_sys::fuzz_target!(|data: &[u8]| signatures::run(data));
