//! Running the release binaries on captures, and comparing a plugin's output with Tranalyzer2
//! 0.9.3's reference outputs in `../shared/golden` ([`Golden`]).
//!
//! Plugin crates use it for their golden test (a dev-dependency that does not pull in the
//! core); the end-to-end tests of `rt2-tests` use its runners. It drives the release binaries
//! that `cargo build --release --workspace` leaves in `target/release` (scripts/test-all
//! builds them first) exactly as a user runs them, and never calls cargo itself, which would
//! deadlock on cargo's build lock.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use plugin_api::build::{PluginMeta, extra_file_bytes, extra_file_name};

mod golden;

pub use golden::Golden;

/// The workspace root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("tests/golden lives in the workspace")
}

/// Where cargo put the release build.
pub fn release_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| repo_root().join("target"), PathBuf::from);
    target.join("release")
}

/// A release artifact, which must exist.
pub fn artifact(file: &str) -> PathBuf {
    let path = release_dir().join(file);
    assert!(
        path.exists(),
        "{} is missing: run `cargo build --release --workspace` first (scripts/test-all does)",
        path.display()
    );
    path
}

/// The `tranalyzer` binary.
pub fn tranalyzer() -> PathBuf {
    artifact("tranalyzer")
}

/// `../shared` beside the clone (captures, goldens, conformance tools), if present. When
/// `RT2_REQUIRE_SHARED` is set (as `.ci/run` does) its absence fails the test instead.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = repo_root().parent()?.join("shared");
    if dir.join("golden").is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("RT2_REQUIRE_SHARED").is_none(),
        "{} is missing but RT2_REQUIRE_SHARED is set",
        dir.display()
    );
    eprintln!("note: {} not found; tests that need the shared captures are not run", dir.display());
    None
}

/// A temporary plugin folder holding release builds installed as `NNN_name.so`.
#[derive(Debug)]
pub struct PluginDir {
    dir: tempfile::TempDir,
}

impl PluginDir {
    /// A folder with the named plugins of `plugins/`.
    pub fn with(plugins: &[&str]) -> PluginDir {
        let p = PluginDir::empty();
        for name in plugins {
            p.install_crate(&repo_root().join("plugins").join(name));
        }
        p
    }

    /// An empty folder.
    pub fn empty() -> PluginDir {
        PluginDir { dir: tempfile::tempdir().expect("creating a temporary folder") }
    }

    /// Installs the release build of the plugin crate in `crate_dir` under its declared number,
    /// with its data files (`extra_files`), as `t2build` does.
    pub fn install_crate(&self, crate_dir: &Path) {
        let meta = PluginMeta::read(crate_dir).expect("plugin metadata");
        let built = artifact(&format!("lib{}.so", meta.name));
        std::fs::copy(built, self.path().join(meta.file_name())).expect("installing a plugin");
        for f in &meta.extra_files {
            self.add_file(&extra_file_name(f), &extra_file(&crate_dir.join(f)));
        }
    }

    /// Puts `bytes` into the folder as `file`.
    pub fn add_file(&self, file: &str, bytes: &[u8]) {
        std::fs::write(self.path().join(file), bytes).expect("writing into the plugin folder");
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// The contents t2build installs for the extra file `path` (decompressed when shipped as
/// `NAME.zst`), read once per test process: the subnet tables are large.
fn extra_file(path: &Path) -> Arc<Vec<u8>> {
    static CACHE: Mutex<BTreeMap<PathBuf, Arc<Vec<u8>>>> = Mutex::new(BTreeMap::new());
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    let bytes = cache.entry(path.to_path_buf()).or_insert_with(|| {
        let bytes = extra_file_bytes(path).unwrap_or_else(|e| panic!("installing {}: {e}", path.display()));
        Arc::new(bytes)
    });
    bytes.clone()
}

/// What one run of `tranalyzer` left behind.
#[derive(Debug)]
pub struct Run {
    /// Exit status, stdout and stderr.
    pub output: Output,
    /// The output folder (`-w OUT/`).
    pub out: tempfile::TempDir,
}

impl Run {
    /// Exit code (`None` when killed by a signal).
    pub fn code(&self) -> Option<i32> {
        self.output.status.code()
    }

    /// Standard output as text.
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    /// Standard error as text.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    /// A file written into the output folder with `suffix` (e.g. `_flows.txt`), if any.
    pub fn file(&self, suffix: &str) -> Option<String> {
        let dir = std::fs::read_dir(self.out.path()).ok()?;
        let path = dir.filter_map(Result::ok).map(|e| e.path()).find(|p| p.to_string_lossy().ends_with(suffix))?;
        Some(std::fs::read_to_string(path).expect("reading an output file"))
    }

    /// The flow file, which must exist.
    pub fn flows(&self) -> Flows {
        Flows::parse(&self.file("_flows.txt").expect("no flow file written"))
    }
}

/// A flow file: its column names and rows of tab-separated fields.
#[derive(Debug, Clone)]
pub struct Flows {
    /// Column names, from the header line (`%dir` read as `dir`).
    pub columns: Vec<String>,
    /// One row per flow direction.
    pub rows: Vec<Vec<String>>,
}

impl Flows {
    /// Parses the text of a `_flows.txt` file.
    pub fn parse(text: &str) -> Flows {
        let split = |l: &str| l.split('\t').map(str::to_owned).collect::<Vec<_>>();
        let header = text.lines().find(|l| l.starts_with('%')).map(|l| split(&l[1..])).unwrap_or_default();
        Flows { columns: header, rows: text.lines().filter(|l| !l.starts_with('%')).map(split).collect() }
    }

    /// The value of column `name` in the row for direction `dir` (`A`/`B`) of flow `index`.
    pub fn get(&self, dir: &str, index: u64, name: &str) -> &str {
        let col = self.columns.iter().position(|c| c == name).unwrap_or_else(|| panic!("no column {name}"));
        let row = self
            .rows
            .iter()
            .find(|r| r[0] == dir && r[1] == index.to_string())
            .unwrap_or_else(|| panic!("no flow {dir} {index}"));
        &row[col]
    }
}

/// Runs `tranalyzer -p PLUGINS ARGS... -w OUT/` with a fresh output folder.
pub fn run_t2(plugins: &Path, args: &[&str]) -> Run {
    let out = tempfile::tempdir().expect("creating a temporary folder");
    let prefix = format!("{}/", out.path().display());
    let output = Command::new(tranalyzer())
        .arg("-p")
        .arg(plugins)
        .args(args)
        .args(["-w", &prefix])
        .output()
        .expect("running tranalyzer");
    Run { output, out }
}
