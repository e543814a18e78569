//! The ABI artifacts: the committed `abi/` files are what the pipeline generates, and every
//! contract's ABI matches the reference manifest (`tests/data/abi-manifest.json`, a copy of
//! `reference/abi-manifest.json`) with zero differences.

use std::collections::BTreeMap;
use std::path::Path;

use alloy_json_abi::{JsonAbi, StateMutability};
use alloy_primitives::hex;
use serde_json::Value;
use xmtp_deploy::{abi, discover};

const MANIFEST: &str = include_str!("data/abi-manifest.json");

#[test]
fn committed_abi_files_are_fresh() {
    let workspace = discover(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap();
    let expected = abi::expected_files(&workspace.programs).unwrap();
    // Two files per program, the test mocks outside the reference's manifest excepted.
    let mocks = xmtp_deploy::programs::OUTSIDE_MANIFEST.len();
    assert_eq!(expected.len(), 2 * (workspace.programs.len() - mocks));
    assert!(!expected.contains_key("MockUnderlyingFeeToken.json"));
    let stale = abi::stale_files(&workspace.root.join("abi"), &expected).unwrap();
    assert!(
        stale.is_empty(),
        "abi/ is stale, run `cargo run -p xmtp-deploy --bin xmtp -- abi`: {stale:?}"
    );
}

#[test]
fn abi_files_are_deterministic_and_foundry_shaped() {
    let (name, abi) = xmtp_abi::contracts::all().into_iter().next().unwrap();
    let json = abi::render_json(&abi);
    assert_eq!(json, abi::render_json(&abi));
    let parsed: Value = serde_json::from_str(&json).unwrap();
    let items = parsed.as_array().expect("a bare ABI array");
    assert!(items.iter().all(|item| item["type"].is_string()));
    let back: JsonAbi = serde_json::from_str(&json).unwrap();
    assert_eq!(back, abi);
    let sol = abi::render_sol(name, &abi);
    assert!(sol.contains(&format!("interface I{name} {{")), "{sol}");
}

fn mutability(state_mutability: StateMutability) -> &'static str {
    match state_mutability {
        StateMutability::Pure => "pure",
        StateMutability::View => "view",
        StateMutability::NonPayable => "nonpayable",
        StateMutability::Payable => "payable",
    }
}

/// Everything the manifest records about one contract, one line per item keyed by signature.
fn reference(contract: &Value) -> BTreeMap<String, String> {
    let mut items = BTreeMap::new();
    for f in contract["functions"].as_array().unwrap() {
        let outputs: Vec<&str> = f["outputs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o.as_str().unwrap())
            .collect();
        items.insert(
            format!("function {}", f["signature"].as_str().unwrap()),
            format!(
                "{} {} returns ({})",
                f["selector"].as_str().unwrap(),
                f["stateMutability"].as_str().unwrap(),
                outputs.join(",")
            ),
        );
    }
    for e in contract["events"].as_array().unwrap() {
        let indexed: Vec<String> = e["indexed"]
            .as_array()
            .unwrap()
            .iter()
            .map(ToString::to_string)
            .collect();
        items.insert(
            format!("event {}", e["signature"].as_str().unwrap()),
            format!(
                "{} indexed [{}] anonymous {}",
                e["topic0"].as_str().unwrap(),
                indexed.join(","),
                e["anonymous"]
            ),
        );
    }
    for e in contract["errors"].as_array().unwrap() {
        items.insert(
            format!("error {}", e["signature"].as_str().unwrap()),
            e["selector"].as_str().unwrap().to_owned(),
        );
    }
    items.insert("fallback".to_owned(), contract["fallback"].to_string());
    items.insert("receive".to_owned(), contract["receive"].to_string());
    items
}

/// The same lines computed from our ABI.
fn ours(abi: &JsonAbi) -> BTreeMap<String, String> {
    let mut items = BTreeMap::new();
    for f in abi.functions() {
        let outputs: Vec<String> = f
            .outputs
            .iter()
            .map(alloy_json_abi::Param::selector_type)
            .map(Into::into)
            .collect();
        items.insert(
            format!("function {}", f.signature()),
            format!(
                "{} {} returns ({})",
                hex::encode_prefixed(f.selector()),
                mutability(f.state_mutability),
                outputs.join(",")
            ),
        );
    }
    for e in abi.events() {
        let indexed: Vec<String> = e.inputs.iter().map(|p| p.indexed.to_string()).collect();
        items.insert(
            format!("event {}", e.signature()),
            format!(
                "{} indexed [{}] anonymous {}",
                hex::encode_prefixed(e.selector()),
                indexed.join(","),
                e.anonymous
            ),
        );
    }
    for e in abi.errors() {
        items.insert(
            format!("error {}", e.signature()),
            hex::encode_prefixed(e.selector()),
        );
    }
    items.insert("fallback".to_owned(), abi.fallback.is_some().to_string());
    items.insert("receive".to_owned(), abi.receive.is_some().to_string());
    items
}

#[test]
fn every_contract_matches_the_reference_manifest() {
    let manifest: Value = serde_json::from_str(MANIFEST).unwrap();
    let mut differences = Vec::new();
    let all = xmtp_abi::contracts::all();
    assert!(!all.is_empty());
    for (name, abi) in &all {
        let Some(contract) = manifest["contracts"].get(name) else {
            differences.push(format!("{name}: not in the manifest"));
            continue;
        };
        let (reference, ours) = (reference(contract), ours(abi));
        for (item, want) in &reference {
            match ours.get(item) {
                None => differences.push(format!("{name}: missing {item}")),
                Some(have) if have != want => {
                    differences.push(format!("{name}: {item} is {have}, reference {want}"));
                }
                Some(_) => {}
            }
        }
        for item in ours.keys().filter(|item| !reference.contains_key(*item)) {
            differences.push(format!("{name}: extra {item}"));
        }
    }
    assert!(
        differences.is_empty(),
        "{} differences:\n{}",
        differences.len(),
        differences.join("\n")
    );
}

#[test]
fn the_cli_checks_the_committed_abi_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_xmtp"))
        .args(["abi", "--check"])
        .current_dir(root)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn the_cli_fails_with_one_line_on_stale_abi_files() {
    let root = std::env::temp_dir().join(format!("xmtp-deploy-stale-abi-{}", std::process::id()));
    let program = root.join("programs/proxy");
    std::fs::create_dir_all(program.join("src")).unwrap();
    std::fs::create_dir_all(root.join("abi")).unwrap();
    std::fs::write(
        root.join("Cargo.toml"),
        "[workspace]\nmembers = [\"programs/proxy\"]\n",
    )
    .unwrap();
    std::fs::write(
        program.join("Cargo.toml"),
        "[package]\nname = \"xmtp-proxy\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[lib]\ncrate-type = [\"lib\", \"cdylib\"]\n",
    )
    .unwrap();
    std::fs::write(program.join("src/lib.rs"), "").unwrap();
    std::fs::write(root.join("abi/Proxy.json"), "[]\n").unwrap();
    std::fs::write(root.join("abi/Old.sol"), "").unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_xmtp"))
        .args(["abi", "--check"])
        .current_dir(&root)
        .output()
        .unwrap();
    std::fs::remove_dir_all(&root).unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "error: abi/ is stale (Proxy.json is out of date, Proxy.sol is missing, Old.sol belongs to no program); run `xmtp build` or `xmtp abi`\n"
    );
}
