//! See `targets/activation.rs`.
#![no_main]

#[path = "../targets/activation.rs"]
mod activation;

libfuzzer_sys::fuzz_target!(|data: &[u8]| activation::run(data));
