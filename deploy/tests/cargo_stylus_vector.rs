//! Byte equality with cargo-stylus 0.10.10 on a committed vector (`tests/data/cargo-stylus-vector`,
//! see its README): from the same raw WASM, our re-encoding, stripping, compression, prefix and
//! prelude give exactly the init code `cargo stylus get-initcode` printed. cargo-stylus itself is
//! not needed to run this.

use alloy_primitives::hex;
use xmtp_deploy::{process, Options};
use xmtp_stylus::{codec, validate};

const RAW: &[u8] = include_bytes!("data/cargo-stylus-vector/raw.wasm");
const INIT_CODE: &str = include_str!("data/cargo-stylus-vector/initcode.hex");
const PROJECT_HASH: &str = include_str!("data/cargo-stylus-vector/project_hash.hex");

fn project_hash() -> [u8; 32] {
    hex::decode(PROJECT_HASH.trim())
        .unwrap()
        .try_into()
        .unwrap()
}

#[test]
fn our_pipeline_reproduces_cargo_stylus_init_code() {
    let expected = hex::decode(INIT_CODE.trim()).unwrap();
    let options = Options {
        project_hash: Some(project_hash()),
        ..Options::default()
    };
    let artifact = process(RAW, &options).unwrap();
    assert_eq!(artifact.init_code.len(), expected.len());
    assert!(
        artifact.init_code == expected,
        "init code differs from cargo-stylus's"
    );
    assert_eq!(artifact.code.len(), 3854);
}

#[test]
fn cargo_stylus_appended_the_project_hash_last() {
    let expected = hex::decode(INIT_CODE.trim()).unwrap();
    let wasm = codec::decode_code(codec::parse_init_code(&expected).unwrap()).unwrap();
    let mut section = vec![0x00, 45, 12];
    section.extend_from_slice(b"project_hash");
    section.extend_from_slice(&project_hash());
    assert!(wasm.ends_with(&section));
}

#[test]
fn the_raw_build_is_refused_until_reencoded() {
    let error = validate::validate(RAW).unwrap_err().to_string();
    // rustc 1.95 links `call_indirect` with a padded table index (reference-types encoding).
    assert_eq!(error, "function 31: zero byte expected (at offset 0x144c)");
}

#[test]
fn processing_is_idempotent_so_templates_can_be_wired_later() {
    let template = process(RAW, &Options::default()).unwrap();
    let again = process(&template.processed, &Options::default()).unwrap();
    assert_eq!(again.processed, template.processed);
    assert_eq!(again.init_code_hash(), template.init_code_hash());
}
