//! The fuzz targets of `fuzz/` on the stable toolchain, as CI runs them: every input of the
//! committed seeds (`fuzz/seeds/<target>/`, corpora minimized from the long campaigns), then a
//! fixed number of pseudo-random inputs from a fixed seed. The target code is the same files
//! the nightly cargo-fuzz binaries run (`fuzz/targets/`); a failing input is a panic naming it.

#[path = "../../fuzz/targets/activation.rs"]
mod activation;
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

/// The committed seeds of `name`, sorted by file name.
fn seeds(name: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/seeds")
        .join(name);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| entries.map(|e| e.expect("readable").path()).collect())
        .unwrap_or_default();
    files.sort();
    files
        .into_iter()
        .map(|file| {
            let data = std::fs::read(&file).expect("readable seed file");
            (file, data)
        })
        .collect()
}

/// Runs `target` on its committed seeds, then on `random` inputs of up to `max_len` bytes.
fn replay(name: &str, target: fn(&[u8]), random: usize, max_len: usize) {
    for (file, data) in seeds(name) {
        let outcome = std::panic::catch_unwind(|| target(&data));
        assert!(outcome.is_ok(), "{name}: seed {} fails", file.display());
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

/// Runs `target` on `rounds` copies of its seeds with a few bytes overwritten or the tail cut:
/// for a target whose inputs are structured (a WASM module), random bytes would stop at the
/// first check, while a mutated seed reaches the checks behind it.
fn replay_mutations(name: &str, target: fn(&[u8]), rounds: usize) {
    let seeds = seeds(name);
    assert!(!seeds.is_empty(), "{name} has no seeds to mutate");
    let mut random = Random(0xd1b5_4a32_d192_ed03 ^ name.len() as u64);
    for round in 0..rounds {
        let mut data = seeds[round % seeds.len()].1.clone();
        for _ in 0..=random.next() % 4 {
            let at = usize::try_from(random.next() % data.len() as u64).expect("small");
            if random.next().is_multiple_of(8) {
                data.truncate(at);
            } else {
                data[at] = random.next().to_le_bytes()[0];
            }
            if data.is_empty() {
                break;
            }
        }
        let outcome = std::panic::catch_unwind(|| target(&data));
        assert!(
            outcome.is_ok(),
            "{name}: mutation {round} fails: 0x{}",
            alloy_primitives::hex::encode(&data)
        );
    }
}

#[test]
fn activation_never_panics() {
    replay("activation", activation::run, 100, 300);
    replay_mutations("activation", activation::run, 1_000);
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

/// The instrument the `programs` target and the adversarial tests rely on: the digest moves
/// with storage, balances and contract nonces, not with an account's transaction count.
#[test]
fn the_state_digest_sees_contract_state_and_value_not_transaction_counts() {
    use xmtp_devnet::{Address, Chain, Tx, U256};
    use xmtp_devnet_node::asm::{assemble, op, push, Item::Op};

    let mut chain = Chain::new(1);
    chain.set_basefee(0);
    let (user, store) = (Address::repeat_byte(1), Address::repeat_byte(2));
    chain.fund(user, U256::from(1_000u64));
    // Stores its first calldata word in slot 0.
    let code = assemble(&[
        push(0),
        Op(op::CALLDATALOAD),
        push(0),
        Op(op::SSTORE),
        Op(op::STOP),
    ]);
    chain.set_code(store, code.into());
    let start = chain.state_digest();

    let nothing = chain
        .send(&Tx::call(user, Address::repeat_byte(3), Vec::new()))
        .expect("accepted");
    assert!(nothing.status);
    assert_eq!(chain.nonce(user), 1);
    assert_eq!(
        chain.state_digest(),
        start,
        "a transaction count is not state"
    );

    let write = U256::from(7).to_be_bytes::<32>().to_vec();
    assert!(
        chain
            .send(&Tx::call(user, store, write))
            .expect("accepted")
            .status
    );
    let written = chain.state_digest();
    assert_ne!(written, start, "a storage write is");

    assert!(
        chain
            .send(&Tx::call(user, store, vec![0; 32]))
            .expect("accepted")
            .status
    );
    assert_eq!(
        chain.state_digest(),
        start,
        "a slot written back to zero is as before"
    );

    chain.fund(Address::repeat_byte(3), U256::from(1));
    assert_ne!(chain.state_digest(), start, "a balance is");
}
