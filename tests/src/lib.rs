//! End-to-end test helpers: where the workspace and the sample are, live runs fed through a
//! pipe, and (from `rt2-golden`) the release binaries, `../shared`, throw-away plugin folders
//! and running `tranalyzer` on a capture.
//!
//! The tests drive the release binaries that `cargo build --release --workspace` leaves in
//! `target/release` (scripts/test-all builds them first): they run the program exactly as a
//! user does and never call cargo themselves, which would deadlock on cargo's build lock.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub use rt2_golden::{Flows, PluginDir, Run, artifact, release_dir, repo_root, run_t2, shared_dir, tranalyzer};

pub mod live;
pub mod t2tree;

/// T2's default plugin set (T2's `t2build` default): the reference's `default` variant.
pub const DEFAULT_FIVE: [&str; 5] = ["basicFlow", "basicStats", "tcpFlags", "tcpStates", "txtSink"];

/// T2's ten default plugins, what a bare `t2build` installs.
pub const DEFAULT_TEN: [&str; 10] = [
    "protoStats",
    "basicFlow",
    "macRecorder",
    "portClassifier",
    "basicStats",
    "tcpFlags",
    "tcpStates",
    "icmpDecode",
    "connStat",
    "txtSink",
];

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

/// Copies the sample capture to `dir/name` in one step (written aside, then renamed), so a
/// waiting `tranalyzer -D` never sees half a file.
pub fn put_sample(dir: &Path, name: &str) {
    let tmp = dir.join(format!(".{name}.part"));
    std::fs::copy(sample_pcap(), &tmp).expect("copying the sample capture");
    std::fs::rename(&tmp, dir.join(name)).expect("renaming the copy");
}

/// A capture of `../shared/pcaps`.
pub fn shared_pcap(name: &str) -> Option<PathBuf> {
    shared_dir().map(|d| d.join("pcaps").join(name))
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
        LiveRun::spawn_in(tempfile::tempdir().expect("creating a temporary folder"), plugins, args, env)
    }

    /// [`LiveRun::spawn_env`] writing into `out`, a folder the test prepared.
    pub fn spawn_in(out: tempfile::TempDir, plugins: &Path, args: &[&str], env: &[(&str, &Path)]) -> LiveRun {
        use std::io::Read;
        use std::process::Stdio;
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
        let stdout = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
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
