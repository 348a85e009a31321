//! Running cargo for one target: its output goes to the run's log file, the caller gets the
//! outcome, the time taken and the error lines to show.

use std::ffi::OsString;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

/// How cargo is run.
#[derive(Debug, Clone)]
pub struct Cargo {
    /// The program (`$T2BUILD_CARGO`, `$CARGO` or `cargo`).
    pub program: OsString,
    /// Workspace root.
    pub root: PathBuf,
    /// Cargo's target directory.
    pub target_dir: PathBuf,
    /// Log file every invocation appends to.
    pub log: PathBuf,
    /// `--release` (false with `-d`).
    pub release: bool,
    /// `-O L`: the profile's opt-level.
    pub opt: Option<String>,
    /// `--lto`.
    pub lto: bool,
    /// `-1`: `-j 1`.
    pub one_job: bool,
}

/// What one cargo invocation did.
#[derive(Debug)]
pub struct Outcome {
    /// Exit status 0.
    pub ok: bool,
    /// Seconds taken.
    pub secs: f64,
    /// Error lines of its output (at most a dozen).
    pub errors: Vec<String>,
}

impl Cargo {
    /// The program to run: `$T2BUILD_CARGO` (tests use a fake), else `$CARGO`, else `cargo`.
    pub fn program() -> OsString {
        std::env::var_os("T2BUILD_CARGO").or_else(|| std::env::var_os("CARGO")).unwrap_or_else(|| "cargo".into())
    }

    /// The profile directory under the target directory (`release` or `debug`).
    pub fn profile_dir(&self) -> PathBuf {
        self.target_dir.join(if self.release { "release" } else { "debug" })
    }

    /// `cargo build -p <package>`.
    pub fn build(&self, package: &str) -> Outcome {
        let mut args: Vec<OsString> = vec!["build".into(), "-p".into(), package.into()];
        if self.release {
            args.push("--release".into());
        }
        if self.one_job {
            args.extend(["-j".into(), "1".into()]);
        }
        self.run(args)
    }

    /// `cargo clean -p <package>` for the release profile (`release`) or the dev profile.
    pub fn clean(&self, package: &str, release: bool) -> Outcome {
        let mut args: Vec<OsString> = vec!["clean".into(), "-p".into(), package.into()];
        if release {
            args.push("--release".into());
        }
        self.run(args)
    }

    fn run(&self, mut args: Vec<OsString>) -> Outcome {
        let started = Instant::now();
        args.extend(["--manifest-path".into(), self.root.join("Cargo.toml").into(), "--target-dir".into()]);
        args.push(self.target_dir.clone().into());
        let mut cmd = Command::new(&self.program);
        cmd.args(&args).stdin(Stdio::null());
        let profile = if self.release { "RELEASE" } else { "DEV" };
        if let Some(o) = &self.opt {
            cmd.env(format!("CARGO_PROFILE_{profile}_OPT_LEVEL"), o);
        }
        if self.lto {
            cmd.env(format!("CARGO_PROFILE_{profile}_LTO"), "fat");
        }
        let start_len = std::fs::metadata(&self.log).map(|m| m.len()).unwrap_or(0);
        let ok = match std::fs::OpenOptions::new().create(true).append(true).open(&self.log) {
            Ok(mut f) => {
                let line: Vec<String> = args.iter().map(|a| a.to_string_lossy().into_owned()).collect();
                let _ = writeln!(f, "==> {} {}", self.program.to_string_lossy(), line.join(" "));
                let err = f.try_clone().map(Stdio::from).unwrap_or(Stdio::null());
                cmd.stdout(Stdio::from(f)).stderr(err).status()
            }
            Err(_) => cmd.stdout(Stdio::null()).stderr(Stdio::null()).status(),
        };
        let (ok, mut errors) = match ok {
            Ok(s) => (s.success(), Vec::new()),
            Err(e) => (false, vec![format!("Failed to run '{}': {e}", self.program.to_string_lossy())]),
        };
        if !ok {
            errors.extend(error_lines(&self.log, start_len));
        }
        Outcome { ok, secs: started.elapsed().as_secs_f64(), errors }
    }
}

/// The `error` lines cargo wrote to the log after `from`, each with the line that locates it.
fn error_lines(log: &std::path::Path, from: u64) -> Vec<String> {
    let mut text = String::new();
    if let Ok(mut f) = std::fs::File::open(log) {
        let _ = f.seek(SeekFrom::Start(from));
        let _ = f.read_to_string(&mut text);
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if l.starts_with("error") {
            out.push((*l).to_owned());
            if let Some(loc) = lines.get(i + 1).filter(|n| n.trim_start().starts_with("-->")) {
                out.push((*loc).to_owned());
            }
        }
    }
    out.truncate(12);
    out
}
