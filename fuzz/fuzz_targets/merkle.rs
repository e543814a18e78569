//! See `targets/merkle.rs`.
#![no_main]

// Each binary uses part of the shared input reader.
#[allow(dead_code)]
#[path = "../targets/input.rs"]
mod input;
#[path = "../targets/merkle.rs"]
mod merkle;

libfuzzer_sys::fuzz_target!(|data: &[u8]| merkle::run(data));
