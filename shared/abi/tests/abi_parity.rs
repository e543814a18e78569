//! Parity of [`xmtp_abi::contracts::all`] with the reference manifest
//! (`tests/data/abi-manifest.json`, a copy of `reference/abi-manifest.json`): every contract,
//! every function (selector, state mutability, output types, input names, output names where
//! the reference names them), event (topic 0, indexed flags, anonymity) and error (selector),
//! with nothing missing and nothing extra.
#![cfg(feature = "json")]

use std::collections::BTreeMap;

use alloy_json_abi::{JsonAbi, StateMutability};
use serde_json::Value;

const MANIFEST: &str = include_str!("data/abi-manifest.json");

fn manifest() -> Value {
    serde_json::from_str(MANIFEST).expect("the manifest is JSON")
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .expect("an array")
        .iter()
        .map(|s| s.as_str().expect("a string").to_owned())
        .collect()
}

fn mutability(state_mutability: StateMutability) -> &'static str {
    match state_mutability {
        StateMutability::Pure => "pure",
        StateMutability::View => "view",
        StateMutability::NonPayable => "nonpayable",
        StateMutability::Payable => "payable",
    }
}

/// One comparable line per item, keyed by signature: everything the manifest records.
fn ours(abi: &JsonAbi) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut functions = BTreeMap::new();
    for function in abi.functions() {
        let outputs: Vec<String> = function
            .outputs
            .iter()
            .map(alloy_json_abi::Param::selector_type)
            .map(Into::into)
            .collect();
        let inputs: Vec<&str> = function.inputs.iter().map(|p| p.name.as_str()).collect();
        functions.insert(
            function.signature(),
            format!(
                "selector {} {} outputs {outputs:?} inputs {inputs:?}",
                function.selector(),
                mutability(function.state_mutability)
            ),
        );
    }
    let mut events = BTreeMap::new();
    for event in abi.events() {
        let indexed: Vec<bool> = event.inputs.iter().map(|p| p.indexed).collect();
        events.insert(
            event.signature(),
            format!(
                "topic0 {} indexed {indexed:?} anonymous {}",
                event.selector(),
                event.anonymous
            ),
        );
    }
    let mut errors = BTreeMap::new();
    for error in abi.errors() {
        errors.insert(error.signature(), format!("selector {}", error.selector()));
    }
    BTreeMap::from([
        ("function".into(), functions),
        ("event".into(), events),
        ("error".into(), errors),
    ])
}

fn reference(contract: &Value) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut functions = BTreeMap::new();
    for function in contract["functions"].as_array().expect("functions") {
        functions.insert(
            function["signature"]
                .as_str()
                .expect("signature")
                .to_owned(),
            format!(
                "selector {} {} outputs {:?} inputs {:?}",
                function["selector"].as_str().expect("selector"),
                function["stateMutability"]
                    .as_str()
                    .expect("stateMutability"),
                strings(&function["outputs"]),
                strings(&function["inputNames"]),
            ),
        );
    }
    let mut events = BTreeMap::new();
    for event in contract["events"].as_array().expect("events") {
        let indexed: Vec<bool> = event["indexed"]
            .as_array()
            .expect("indexed")
            .iter()
            .map(|b| b.as_bool().expect("a bool"))
            .collect();
        events.insert(
            event["signature"].as_str().expect("signature").to_owned(),
            format!(
                "topic0 {} indexed {indexed:?} anonymous {}",
                event["topic0"].as_str().expect("topic0"),
                event["anonymous"].as_bool().expect("anonymous")
            ),
        );
    }
    let mut errors = BTreeMap::new();
    for error in contract["errors"].as_array().expect("errors") {
        errors.insert(
            error["signature"].as_str().expect("signature").to_owned(),
            format!("selector {}", error["selector"].as_str().expect("selector")),
        );
    }
    BTreeMap::from([
        ("function".into(), functions),
        ("event".into(), events),
        ("error".into(), errors),
    ])
}

/// Every difference between one contract's JSON ABI and its manifest entry.
fn differences(name: &str, abi: &JsonAbi, contract: &Value) -> Vec<String> {
    let mut found = Vec::new();
    let (ours, reference) = (ours(abi), reference(contract));
    for (kind, expected) in &reference {
        let actual = &ours[kind];
        for (signature, want) in expected {
            match actual.get(signature) {
                None => found.push(format!("{name}: missing {kind} {signature}")),
                Some(got) if got != want => {
                    found.push(format!(
                        "{name}: {kind} {signature}: ours `{got}`, reference `{want}`"
                    ));
                }
                Some(_) => {}
            }
        }
        for signature in actual.keys().filter(|s| !expected.contains_key(*s)) {
            found.push(format!("{name}: extra {kind} {signature}"));
        }
    }
    // Output names: the reference's wherever it names them (unnamed getters of immutables and
    // constants may carry the interface's name).
    for function in contract["functions"].as_array().expect("functions") {
        let signature = function["signature"].as_str().expect("signature");
        let Some(ours) = abi.functions().find(|f| f.signature() == signature) else {
            continue;
        };
        for (index, want) in strings(&function["outputNames"]).iter().enumerate() {
            let got = ours.outputs.get(index).map_or("", |p| p.name.as_str());
            if !want.is_empty() && got != want {
                found.push(format!("{name}: function {signature}: output {index} named `{got}`, reference `{want}`"));
            }
        }
    }
    for (kind, present) in [
        ("fallback", abi.fallback.is_some()),
        ("receive", abi.receive.is_some()),
    ] {
        if contract[kind].as_bool().expect(kind) != present {
            found.push(format!(
                "{name}: {kind} present: ours {present}, reference {}",
                !present
            ));
        }
    }
    found
}

#[test]
fn every_contract_matches_the_reference_manifest() {
    let manifest = manifest();
    let contracts = manifest["contracts"].as_object().expect("contracts");
    let ours = xmtp_abi::contracts::all();

    let mut found = Vec::new();
    for (name, contract) in contracts {
        match ours.iter().find(|(ours, _)| ours == name) {
            Some((_, abi)) => found.extend(differences(name, abi, contract)),
            None => found.push(format!("missing contract {name}")),
        }
    }
    for (name, _) in ours
        .iter()
        .filter(|(name, _)| !contracts.contains_key(*name))
    {
        found.push(format!("extra contract {name}"));
    }
    assert!(
        found.is_empty(),
        "{} difference(s) from the reference manifest:\n{}",
        found.len(),
        found.join("\n")
    );
}

#[test]
fn all_lists_the_eighteen_manifest_contracts() {
    let manifest = manifest();
    let reference: Vec<&str> = manifest["contracts"]
        .as_object()
        .expect("contracts")
        .keys()
        .map(String::as_str)
        .collect();
    let ours: Vec<&str> = xmtp_abi::contracts::all()
        .iter()
        .map(|(name, _)| *name)
        .collect();
    assert_eq!(reference.len(), 18);
    assert_eq!(ours.len(), 18);
    let mut sorted = ours.clone();
    sorted.sort_unstable();
    let mut reference_sorted = reference.clone();
    reference_sorted.sort_unstable();
    assert_eq!(sorted, reference_sorted);
}

/// The comparison must notice a change: a contract with one event dropped, one function's
/// mutability changed and one named output renamed yields exactly those three differences,
/// while an output the reference leaves unnamed may carry any name.
#[test]
fn a_changed_abi_is_reported() {
    let manifest = manifest();
    let (_, mut abi) = xmtp_abi::contracts::all()
        .into_iter()
        .find(|(name, _)| *name == "Factory")
        .expect("Factory");
    abi.events.remove("Upgraded");
    abi.functions
        .get_mut("deployImplementation")
        .expect("deployImplementation")[0]
        .state_mutability = StateMutability::Payable;
    abi.functions.get_mut("paused").expect("paused")[0].outputs[0].name = "isPaused_".into();
    abi.functions
        .get_mut("parameterRegistry")
        .expect("parameterRegistry")[0]
        .outputs[0]
        .name = "anything".into();
    let found = differences("Factory", &abi, &manifest["contracts"]["Factory"]);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(found
        .iter()
        .any(|d| d.contains("paused()") && d.contains("`isPaused_`")));
    assert!(found
        .iter()
        .any(|d| d.contains("missing event Upgraded(address)")));
    assert!(found
        .iter()
        .any(|d| d.contains("deployImplementation(bytes)") && d.contains("payable")));
}
