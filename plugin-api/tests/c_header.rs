//! The committed C header must be what cbindgen generates from `src/abi.rs` today.
//! `RT2_BLESS=1 cargo test -p plugin-api --test c_header` rewrites it.

use std::path::Path;

#[test]
fn c_header_is_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let mut generated = Vec::new();
    cbindgen::Builder::new()
        .with_config(config)
        .with_src(dir.join("src/abi.rs"))
        .generate()
        .expect("cbindgen generates the header")
        .write(&mut generated);
    let path = dir.join("include/rt2_plugin.h");
    if std::env::var_os("RT2_BLESS").is_some() {
        std::fs::write(&path, &generated).expect("write header");
        return;
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "include/rt2_plugin.h is stale: run `RT2_BLESS=1 cargo test -p plugin-api --test c_header`"
    );
}
