//! Evaluating Binaryen's `wasm-opt` on the programs (issue 10: "`wasm-opt` if it pays for
//! itself (pinned, reproducible)"), without changing the build pipeline.
//!
//! Each program goes through the pipeline as usual (re-encoded, wired, stripped, validated);
//! the resulting module is given to `wasm-opt` with Nitro's feature set only, and the output
//! goes through the pipeline again, so Nitro's validation and the compression are the ones
//! every deployed program gets. The `wasm-opt` binary is the caller's: the figures in
//! `bench/README.md` were taken with the npm package `binaryen@132.0.0`
//! (`npm install --save-exact binaryen@132.0.0`, then `node_modules/.bin/wasm-opt`).

use std::path::Path;
use std::process::Command;

use xmtp_deploy::pipeline::{self, Options};
use xmtp_deploy::Artifact;

/// The features Nitro accepts (`stylus-platform.md` §3.1), and nothing else: MVP, mutable
/// globals, sign extension, saturating float-to-int, and of bulk memory only `memory.copy` and
/// `memory.fill`. Multi-value is left out (refused from ArbOS 60).
pub const FEATURES: [&str; 5] = [
    "--mvp-features",
    "--enable-mutable-globals",
    "--enable-sign-ext",
    "--enable-nontrapping-float-to-int",
    "--enable-bulk-memory-opt",
];

/// Passes left out: `memory-packing` splits data segments at runs of zeros, which cuts the
/// wiring block (`xmtp_core::wiring`) apart, so the pipeline could no longer find it.
pub const SKIPPED_PASSES: [&str; 1] = ["--skip-pass=memory-packing"];

/// Programs the Factory embeds at compile time (`programs/factory/embedded/`): an optimized
/// copy would not be the code the Factory deploys, so they are left as they are.
pub const EMBEDDED: [&str; 2] = ["xmtp-proxy", "xmtp-initializable"];

/// Runs `wasm_opt` at `level` (`-Oz`, `-Os`, ...) on `wasm` with [`FEATURES`], without
/// [`SKIPPED_PASSES`].
pub fn optimize(wasm_opt: &Path, level: &str, wasm: &[u8]) -> Result<Vec<u8>, String> {
    let dir = std::env::temp_dir().join(format!("xmtp-bench-wasm-opt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let (input, output) = (dir.join("in.wasm"), dir.join("out.wasm"));
    std::fs::write(&input, wasm).map_err(|e| format!("{}: {e}", input.display()))?;
    let result = Command::new(wasm_opt)
        .arg(level)
        .args(FEATURES)
        .args(SKIPPED_PASSES)
        .arg(&input)
        .arg("-o")
        .arg(&output)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", wasm_opt.display()))?;
    if !result.status.success() {
        let stderr = String::from_utf8_lossy(&result.stderr);
        return Err(format!(
            "{} {level} failed: {}",
            wasm_opt.display(),
            stderr.lines().next().unwrap_or("no output")
        ));
    }
    let optimized = std::fs::read(&output).map_err(|e| format!("{}: {e}", output.display()));
    let _ = std::fs::remove_dir_all(&dir);
    optimized
}

/// `artifact` with its module optimized at `level` and put through the pipeline again (the
/// wiring is already in the module; `project_hash` is appended again, as `wasm-opt` may drop
/// custom sections); [`EMBEDDED`] programs are returned unchanged.
pub fn apply(
    wasm_opt: &Path,
    level: &str,
    (crate_name, project_hash): (&str, Option<[u8; 32]>),
    artifact: Artifact,
) -> Result<Artifact, String> {
    if EMBEDDED.contains(&crate_name) {
        return Ok(artifact);
    }
    let optimized = optimize(wasm_opt, level, &artifact.processed)?;
    let options = Options {
        wiring: None,
        project_hash,
    };
    let mut result = pipeline::process(&optimized, &options)
        .map_err(|e| format!("{crate_name} after wasm-opt {level}: {e}"))?;
    result.wired = artifact.wired;
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_binary_is_named() {
        let missing = Path::new("xmtp-bench-no-such-wasm-opt");
        let error = optimize(missing, "-Oz", b"\0asm").unwrap_err();
        assert!(
            error.starts_with("cannot run xmtp-bench-no-such-wasm-opt: "),
            "{error}"
        );
    }
}
