//! `unsafe` in plugin-api is confined to the files that cross the C ABI: `export.rs` (the
//! plugin's side), `host.rs` (calls into the host) and `testing/host.rs` (the test host's
//! `extern "C"` functions, compiled only with the `testing` feature). The crate root denies it
//! everywhere else; this test keeps the list of files that allow it from growing unnoticed.

use std::path::Path;

/// Files under `src/` that may say `#![allow(unsafe_code)]`.
const UNSAFE_FILES: [&str; 3] = ["export.rs", "host.rs", "testing/host.rs"];

/// Every `.rs` file under `dir`, relative to `root`.
fn rust_files(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).expect("reading src/") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path.strip_prefix(root).unwrap().to_string_lossy().into_owned());
        }
    }
}

#[test]
fn unsafe_code_is_allowed_only_in_the_abi_files() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    assert!(lib.contains("#![deny(unsafe_code)]"), "the crate root denies unsafe code");
    let mut files = Vec::new();
    rust_files(&src, &src, &mut files);
    assert!(files.len() > 20, "{files:?}");
    let mut allowing: Vec<String> = files
        .into_iter()
        .filter(|f| std::fs::read_to_string(src.join(f)).unwrap().contains("allow(unsafe_code)"))
        .collect();
    allowing.sort();
    let mut want = UNSAFE_FILES.map(str::to_owned).to_vec();
    want.sort();
    assert_eq!(allowing, want);
    for f in &allowing {
        // every block says why it is sound (clippy checks the comment is there)
        let text = std::fs::read_to_string(src.join(f)).unwrap();
        assert!(text.contains("clippy::undocumented_unsafe_blocks"), "{f}");
    }
}
