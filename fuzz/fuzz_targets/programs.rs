//! See `targets/programs.rs`.
#![no_main]

// Each binary uses part of the shared input reader.
#[allow(dead_code)]
#[path = "../targets/input.rs"]
mod input;
#[path = "../targets/programs.rs"]
mod programs;

libfuzzer_sys::fuzz_target!(
    init: {
        // cargo-fuzz runs this binary with the nightly toolchain's environment; the programs
        // must be built by the workspace's pinned toolchain, as everywhere else.
        for name in [
            "CARGO",
            "RUSTUP_TOOLCHAIN",
            "RUSTC",
            "RUSTFLAGS",
            "CARGO_ENCODED_RUSTFLAGS",
            "CARGO_TARGET_DIR",
            "CARGO_BUILD_TARGET",
        ] {
            std::env::remove_var(name);
        }
    },
    |data: &[u8]| programs::run(data)
);
