//! Embeds into the binaries what they read at run time, so they work from anywhere:
//! tawk's awk function library (`awk/*.awk`), the bit definitions every component declares
//! in its `bits.toml` (`../core/bits.toml`, `../plugins/<name>/bits.toml`; `tawk -V`). The
//! protocol names of `proto2str()` are the `prototable` crate's.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let root = manifest.parent().expect("t2tools lives in the workspace").to_path_buf();
    // what is embedded, and what announces a new plugin (the workspace's and each plugin's
    // Cargo.toml) -- not the plugin folders themselves: cargo would scan their sources and
    // rebuild the tools on every plugin edit
    let mut watched = vec![manifest.join("awk"), root.join("Cargo.toml"), root.join("core/bits.toml")];
    for dir in files(&root.join("plugins"), Path::is_dir) {
        watched.push(dir.join("Cargo.toml"));
        if dir.join("bits.toml").exists() {
            watched.push(dir.join("bits.toml"));
        }
    }
    for path in watched {
        println!("cargo:rerun-if-changed={}", path.display());
    }

    let mut out = String::new();
    out.push_str("/// tawk's function library: (file stem, text), sorted by name.\n");
    out.push_str("pub const AWK_FILES: &[(&str, &str)] = &[\n");
    for path in files(&manifest.join("awk"), |p| p.extension().is_some_and(|e| e == "awk")) {
        let stem = path.file_stem().and_then(|s| s.to_str()).expect("UTF-8 file name");
        writeln!(out, "    ({stem:?}, include_str!({:?})),", path.display()).expect("String");
    }
    out.push_str("];\n\n");

    out.push_str("/// Every component's `bits.toml`: (component, text); the core first.\n");
    out.push_str("pub const BIT_FILES: &[(&str, &str)] = &[\n");
    let core = root.join("core/bits.toml");
    if core.exists() {
        writeln!(out, "    (\"tranalyzer2\", include_str!({:?})),", core.display()).expect("String");
    }
    for dir in files(&root.join("plugins"), Path::is_dir) {
        let bits = dir.join("bits.toml");
        if bits.exists() {
            let name = dir.file_name().and_then(|s| s.to_str()).expect("UTF-8 folder name");
            writeln!(out, "    ({name:?}, include_str!({:?})),", bits.display()).expect("String");
        }
    }
    out.push_str("];\n\n");

    let dest = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo")).join("embedded.rs");
    std::fs::write(dest, out).expect("writing embedded.rs");
}

/// The entries of `dir` that pass `keep`, sorted by name.
fn files(dir: &Path, keep: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()));
    let mut paths: Vec<PathBuf> =
        entries.map(|e| e.expect("reading a folder entry").path()).filter(|p| keep(p)).collect();
    paths.sort();
    paths
}
