//! End-to-end test helpers: where the workspace, its release binaries and `../shared` are,
//! throw-away plugin folders, and running `tranalyzer` on a capture.
//!
//! The tests drive the release binaries that `cargo build --release --workspace` leaves in
//! `target/release` (scripts/test-all builds them first): they run the program exactly as a
//! user does and never call cargo themselves, which would deadlock on cargo's build lock.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use plugin_api::build::{PluginMeta, extra_file_bytes, extra_file_name};

pub mod t2tree;

/// The workspace root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ lives in the workspace").to_path_buf()
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

/// Whether the tests run as root (real user ID 0, what `tranalyzer` itself asks).
pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .expect("reading /proc/self/status")
        .lines()
        .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
}

/// The shipped sample capture.
pub fn sample_pcap() -> PathBuf {
    repo_root().join("samples/sample.pcap")
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

/// A capture of `../shared/pcaps`.
pub fn shared_pcap(name: &str) -> Option<PathBuf> {
    shared_dir().map(|d| d.join("pcaps").join(name))
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
    /// and its extra files as t2build does.
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

/// The contents t2build installs for the extra file `path`, read (and decompressed) once per
/// test process: the subnet tables are large.
fn extra_file(path: &Path) -> Arc<Vec<u8>> {
    static CACHE: Mutex<BTreeMap<PathBuf, Arc<Vec<u8>>>> = Mutex::new(BTreeMap::new());
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    let bytes = cache.entry(path.to_path_buf()).or_insert_with(|| {
        let bytes = extra_file_bytes(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
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

/// A capture split into its file header and its records (header + data each), to feed a
/// running `tranalyzer` packet by packet.
pub fn pcap_records(bytes: &[u8]) -> (Vec<u8>, Vec<Vec<u8>>) {
    let le = bytes[..4] == [0xd4, 0xc3, 0xb2, 0xa1] || bytes[..4] == [0x4d, 0x3c, 0xb2, 0xa1];
    let u32_at = |i: usize| {
        let b = [bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]];
        if le { u32::from_le_bytes(b) } else { u32::from_be_bytes(b) }
    };
    let mut records = Vec::new();
    let mut i = 24;
    while i + 16 <= bytes.len() {
        let end = i + 16 + u32_at(i + 8) as usize;
        records.push(bytes[i..end].to_vec());
        i = end;
    }
    (bytes[..24].to_vec(), records)
}

/// A `tranalyzer` running in the background: its standard input is a pipe the test may feed,
/// its standard output is collected by a thread.
#[derive(Debug)]
pub struct LiveRun {
    /// The process.
    pub child: std::process::Child,
    stdin: Option<std::process::ChildStdin>,
    stdout: std::sync::Arc<std::sync::Mutex<String>>,
    /// The output folder (`-w OUT/`).
    pub out: tempfile::TempDir,
}

impl LiveRun {
    /// Starts `tranalyzer -p PLUGINS ARGS... -w OUT/`.
    pub fn spawn(plugins: &Path, args: &[&str]) -> LiveRun {
        LiveRun::spawn_env(plugins, args, &[])
    }

    /// [`LiveRun::spawn`] with environment variables `env` set for the process.
    pub fn spawn_env(plugins: &Path, args: &[&str], env: &[(&str, &Path)]) -> LiveRun {
        use std::io::Read;
        use std::process::Stdio;
        let out = tempfile::tempdir().expect("creating a temporary folder");
        let prefix = format!("{}/", out.path().display());
        let mut child = Command::new(tranalyzer())
            .arg("-p")
            .arg(plugins)
            .args(args)
            .args(["-w", &prefix])
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("running tranalyzer");
        let stdout = Arc::new(std::sync::Mutex::new(String::new()));
        let mut pipe = child.stdout.take().expect("piped stdout");
        let sink = stdout.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = pipe.read(&mut buf) {
                sink.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        LiveRun { stdin: child.stdin.take(), child, stdout, out }
    }

    /// Starts `tranalyzer -p PLUGINS -r - ARGS... -w OUT/` and writes the capture header `header`.
    pub fn start(plugins: &Path, header: &[u8], args: &[&str]) -> LiveRun {
        let mut run = LiveRun::spawn(plugins, &[&["-r", "-"], args].concat());
        run.feed(header);
        run
    }

    /// Writes `bytes` (capture records) into the pipe.
    pub fn feed(&mut self, bytes: &[u8]) {
        use std::io::Write;
        let w = self.stdin.as_mut().expect("the pipe is open");
        w.write_all(bytes).expect("feeding tranalyzer");
        w.flush().expect("feeding tranalyzer");
    }

    /// Closes the pipe (end of the capture).
    pub fn close(&mut self) {
        self.stdin = None;
    }

    /// What the process wrote to stdout so far.
    pub fn stdout(&self) -> String {
        self.stdout.lock().unwrap().clone()
    }

    /// Waits up to `secs` seconds until `cond(stdout)` holds; returns whether it did.
    pub fn wait_stdout(&self, secs: f64, cond: impl Fn(&str) -> bool) -> bool {
        let end = std::time::Instant::now() + std::time::Duration::from_secs_f64(secs);
        while std::time::Instant::now() < end {
            if cond(&self.stdout()) {
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        cond(&self.stdout())
    }

    /// Waits until the process catches `SIGUSR1` (its signal thread is up, which happens after
    /// the input is open), at most 10 s.
    pub fn wait_ready(&self) {
        let status = format!("/proc/{}/status", self.child.id());
        for _ in 0..500 {
            let caught = std::fs::read_to_string(&status)
                .ok()
                .and_then(|s| s.lines().find(|l| l.starts_with("SigCgt:")).map(str::to_owned))
                .and_then(|l| u64::from_str_radix(l[7..].trim(), 16).ok())
                .unwrap_or(0);
            if caught & (1 << 9) != 0 {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        panic!("tranalyzer never installed its signal handlers");
    }

    /// Sends signal `name` (`USR1`, `INT`...) with `kill`.
    pub fn signal(&self, name: &str) {
        let ok = Command::new("kill").arg(format!("-{name}")).arg(self.child.id().to_string()).status();
        assert!(ok.is_ok_and(|s| s.success()), "kill -{name} failed");
    }

    /// Waits for the exit (at most `secs` seconds) and returns the exit code.
    pub fn wait_exit(&mut self, secs: f64) -> Option<i32> {
        let end = std::time::Instant::now() + std::time::Duration::from_secs_f64(secs);
        loop {
            if let Some(s) = self.child.try_wait().expect("waiting for tranalyzer") {
                return s.code();
            }
            if std::time::Instant::now() >= end {
                let _ = self.child.kill();
                panic!("tranalyzer did not exit within {secs} s:\n{}", self.stdout());
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// Waits for the exit (at most `secs` seconds) and returns all the run left behind.
    pub fn finish(mut self, secs: f64) -> Run {
        use std::io::Read;
        self.wait_exit(secs);
        let status = self.child.wait().expect("waiting for tranalyzer");
        let mut stderr = Vec::new();
        if let Some(mut pipe) = self.child.stderr.take() {
            pipe.read_to_end(&mut stderr).expect("reading tranalyzer's stderr");
        }
        // the reader thread has the whole stdout once it ends with the pipe
        let end = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while std::sync::Arc::strong_count(&self.stdout) > 1 && std::time::Instant::now() < end {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let output = Output { status, stdout: self.stdout().into_bytes(), stderr };
        // `self` is dropped as a whole (it kills a child still running), so its folder moves out
        let out = std::mem::replace(&mut self.out, tempfile::tempdir().expect("creating a temporary folder"));
        Run { output, out }
    }

    /// A file written into the output folder with `suffix`, if any.
    pub fn file(&self, suffix: &str) -> Option<String> {
        let dir = std::fs::read_dir(self.out.path()).ok()?;
        let path = dir.filter_map(Result::ok).map(|e| e.path()).find(|p| p.to_string_lossy().ends_with(suffix))?;
        Some(std::fs::read_to_string(path).expect("reading an output file"))
    }
}

impl Drop for LiveRun {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
