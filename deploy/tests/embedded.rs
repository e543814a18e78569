//! The Factory embeds the Proxy's and the Initializable's init code and the EVM proxy's
//! creation code: the committed files must be what those programs (and `xmtp_proxy::evm`)
//! build to now.

#[test]
fn the_factorys_embedded_init_code_is_fresh() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let workspace = xmtp_deploy::discover(&root).expect("cargo metadata");
    let expected =
        xmtp_deploy::embedded::expected(&workspace).expect("the embedded programs build");
    assert_eq!(expected.len(), 3);
    let stale = xmtp_deploy::embedded::stale(&expected);
    assert!(
        stale.is_empty(),
        "stale, run `cargo run -p xmtp-deploy -- build`: {stale:?}"
    );
}
