//! The wiring step inside the pipeline, on a synthetic program carrying a wiring block laid out
//! as `xmtp_core::wiring` lays it out.

use std::fmt::Write as _;

use xmtp_deploy::wiring::{wiring_values, MAGIC};
use xmtp_deploy::{process, Options};
use xmtp_stylus::codec;

const NAMES: [&str; 2] = ["parameterRegistry", "fromImplementation"];

/// A valid program whose data segment holds a zeroed wiring block for `names`, and whose
/// entrypoint loads the first slot (as programs do, with plain loads).
fn program(names: &[&str]) -> Vec<u8> {
    let joined = names.join("\n");
    let mut block = MAGIC.to_vec();
    block.extend_from_slice(&u32::try_from(names.len()).unwrap().to_le_bytes());
    block.extend_from_slice(&u32::try_from(joined.len()).unwrap().to_le_bytes());
    block.extend(std::iter::repeat_n(0u8, names.len() * 32));
    block.extend_from_slice(joined.as_bytes());
    let data = block.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "\\{b:02x}");
        out
    });
    wat::parse_str(format!(
        r#"(module
            (import "vm_hooks" "pay_for_memory_grow" (func (param i32)))
            (memory (export "memory") 1)
            (func (export "user_entrypoint") (param i32) (result i32)
                (drop (i64.load (i32.const 1048))) (i32.const 0))
            (data (i32.const 1024) "{data}"))"#
    ))
    .unwrap()
}

fn address(byte: u8) -> [u8; 32] {
    let mut word = [0u8; 32];
    word[12..].fill(byte);
    word
}

#[test]
fn the_marker_is_the_one_programs_embed() {
    assert_eq!(MAGIC, xmtp_core::wiring::MAGIC);
}

#[test]
fn patched_values_land_in_the_deployed_code() {
    let wiring = [
        ("parameterRegistry", address(0x11)),
        ("fromImplementation", address(0x22)),
    ];
    let artifact = process(
        &program(&NAMES),
        &Options {
            wiring: Some(&wiring),
            ..Options::default()
        },
    )
    .unwrap();
    assert_eq!(artifact.wiring, NAMES);
    let deployed =
        codec::decode_code(codec::parse_init_code(&artifact.init_code).unwrap()).unwrap();
    assert_eq!(
        wiring_values(&deployed).unwrap(),
        [
            ("parameterRegistry".to_owned(), address(0x11)),
            ("fromImplementation".to_owned(), address(0x22))
        ]
    );
}

#[test]
fn two_wirings_give_two_init_code_hashes() {
    let raw = program(&NAMES);
    let first = [
        ("parameterRegistry", address(0x11)),
        ("fromImplementation", address(0x22)),
    ];
    let second = [
        ("parameterRegistry", address(0x11)),
        ("fromImplementation", address(0x33)),
    ];
    let a = process(
        &raw,
        &Options {
            wiring: Some(&first),
            ..Options::default()
        },
    )
    .unwrap();
    let b = process(
        &raw,
        &Options {
            wiring: Some(&second),
            ..Options::default()
        },
    )
    .unwrap();
    assert_ne!(a.init_code_hash(), b.init_code_hash());
    assert_ne!(a.code_hash(), b.code_hash());
    let again = process(
        &raw,
        &Options {
            wiring: Some(&first),
            ..Options::default()
        },
    )
    .unwrap();
    assert_eq!(a.init_code_hash(), again.init_code_hash());
}

#[test]
fn a_template_build_keeps_zero_slots_and_a_wired_build_needs_every_value() {
    let template = process(&program(&NAMES), &Options::default()).unwrap();
    assert_eq!(template.wiring, NAMES);
    assert!(!template.wired);
    assert_eq!(
        wiring_values(&template.processed).unwrap(),
        [
            ("parameterRegistry".to_owned(), [0; 32]),
            ("fromImplementation".to_owned(), [0; 32])
        ]
    );
    let partial = [("parameterRegistry", address(0x11))];
    let error = process(
        &program(&NAMES),
        &Options {
            wiring: Some(&partial),
            ..Options::default()
        },
    );
    assert_eq!(
        error.unwrap_err().to_string(),
        "wiring: no wiring value for fromImplementation"
    );
}

#[test]
fn a_missing_marker_is_a_clear_error() {
    let empty_block = process(
        &program(&[]),
        &Options {
            wiring: Some(&[]),
            ..Options::default()
        },
    );
    assert!(empty_block.is_ok(), "a block without slots needs no values");
    let plain = wat::parse_str(
        r#"(module (import "vm_hooks" "pay_for_memory_grow" (func (param i32)))
            (memory (export "memory") 1)
            (func (export "user_entrypoint") (param i32) (result i32) (i32.const 0)))"#,
    )
    .unwrap();
    let wiring = [("parameterRegistry", address(0x11))];
    let error = process(
        &plain,
        &Options {
            wiring: Some(&wiring),
            ..Options::default()
        },
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "wiring: wiring values given but the program has no wiring block"
    );
}

#[test]
fn zero_values_are_refused() {
    let wiring = [
        ("parameterRegistry", address(0x11)),
        ("fromImplementation", [0; 32]),
    ];
    let error = process(
        &program(&NAMES),
        &Options {
            wiring: Some(&wiring),
            ..Options::default()
        },
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "wiring: wiring value for fromImplementation is zero"
    );
}
