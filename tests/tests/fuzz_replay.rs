//! The fuzz targets of `fuzz/` on the stable toolchain, as CI runs them: every input of the
//! committed corpus (`fuzz/corpus/<target>/`, minimized from the long campaigns), then a fixed
//! number of pseudo-random inputs from a fixed seed. The target code is the same files the
//! nightly cargo-fuzz binaries run (`fuzz/targets/`); a failing input is a panic naming it.

#[path = "../../fuzz/targets/bridge.rs"]
mod bridge;
#[path = "../../fuzz/targets/input.rs"]
mod input;
#[path = "../../fuzz/targets/merkle.rs"]
mod merkle;
#[path = "../../fuzz/targets/programs.rs"]
mod programs;
#[path = "../../fuzz/targets/signatures.rs"]
mod signatures;

use std::path::PathBuf;

/// Deterministic bytes (xorshift64*), so a CI failure reproduces from the test alone.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn bytes(&mut self, max_len: usize) -> Vec<u8> {
        let len = usize::try_from(self.next() % (max_len as u64 + 1)).expect("small");
        (0..len).map(|_| self.next().to_le_bytes()[0]).collect()
    }
}

/// Runs `target` on its committed corpus, then on `random` inputs of up to `max_len` bytes.
fn replay(name: &str, target: fn(&[u8]), random: usize, max_len: usize) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(name);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| entries.map(|e| e.expect("readable").path()).collect())
        .unwrap_or_default();
    files.sort();
    for file in &files {
        let data = std::fs::read(file).expect("readable corpus file");
        let outcome = std::panic::catch_unwind(|| target(&data));
        assert!(
            outcome.is_ok(),
            "{name}: corpus input {} fails",
            file.display()
        );
    }
    let mut random_bytes = Random(0x9e37_79b9_7f4a_7c15 ^ name.len() as u64);
    for round in 0..random {
        let data = random_bytes.bytes(max_len);
        let outcome = std::panic::catch_unwind(|| target(&data));
        assert!(
            outcome.is_ok(),
            "{name}: random input {round} fails: 0x{}",
            alloy_primitives::hex::encode(&data)
        );
    }
}

#[test]
fn merkle_differential() {
    replay("merkle", merkle::run, 400, 600);
}

#[test]
fn signatures_differential() {
    replay("signatures", signatures::run, 400, 200);
}

#[test]
fn bridge_invariants() {
    replay("bridge", bridge::run, 60, 64);
}

#[test]
fn programs_never_trap_and_reverts_change_nothing() {
    replay("programs", programs::run, 60, 400);
}
