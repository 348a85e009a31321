//! What keeps a run safe: the lock against a concurrent t2build, the check for an analyzer
//! using the plugin folder, the root warning, and the flag stamps that make sure a changed
//! `flags.toml` is always compiled in.

use std::path::{Path, PathBuf};

use crate::ui;

/// The lock file, removed when dropped.
#[derive(Debug)]
pub struct Lock {
    path: PathBuf,
}

impl Lock {
    /// Takes the lock at `path`, or says who holds it (T2's messages). A stale lock (its PID
    /// is gone) is replaced.
    pub fn take(path: &Path) -> Result<Lock, String> {
        if let Some(pid) = std::fs::read_to_string(path).ok().and_then(|t| t.trim().parse::<u32>().ok())
            && pid != std::process::id()
            && Path::new("/proc").join(pid.to_string()).exists()
        {
            return Err(format!(
                "Another t2build process is currently running\nTo avoid conflicts, wait until it has terminated\n\
                 To proceed anyway, use 't2build -X' option or remove '{}'",
                path.display()
            ));
        }
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        std::fs::write(path, format!("{}\n", std::process::id()))
            .map_err(|e| format!("Failed to create the lock file '{}': {e}", path.display()))?;
        Ok(Lock { path: path.to_owned() })
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// PIDs of running `tranalyzer` processes that use `plugin_dir` (their `-p`, else the default
/// folder of their own HOME).
/// Installs are atomic renames, so they would not crash; T2 asks anyway.
pub fn analyzers_using(plugin_dir: &Path) -> Vec<u32> {
    let want = std::fs::canonicalize(plugin_dir).unwrap_or_else(|_| plugin_dir.to_owned());
    let mut pids = Vec::new();
    for e in std::fs::read_dir("/proc").into_iter().flatten().filter_map(Result::ok) {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else { continue };
        let comm = std::fs::read_to_string(e.path().join("comm")).unwrap_or_default();
        // the executable's name exactly: test binaries such as `tranalyzer-1a2b3c` are not it
        if comm.trim_end() != "tranalyzer" {
            continue;
        }
        let cmdline = std::fs::read(e.path().join("cmdline")).unwrap_or_default();
        if cmdline.is_empty() {
            continue; // exiting (a zombie): it no longer uses any folder
        }
        let args: Vec<String> = cmdline.split(|&b| b == 0).map(|a| String::from_utf8_lossy(a).into_owned()).collect();
        let dir = args
            .iter()
            .position(|a| a == "-p")
            .and_then(|i| args.get(i + 1))
            .map(PathBuf::from)
            .or_else(|| home_plugin_dir(&e.path()));
        // no -p and no readable HOME: not attributable to a folder, so not counted
        let Some(dir) = dir else { continue };
        if std::fs::canonicalize(&dir).unwrap_or(dir) == want {
            pids.push(pid);
        }
    }
    pids
}

/// `$HOME/.tranalyzer/plugins` of the process whose `/proc` folder is `proc_dir`.
fn home_plugin_dir(proc_dir: &Path) -> Option<PathBuf> {
    let environ = std::fs::read(proc_dir.join("environ")).ok()?;
    let home = environ.split(|&b| b == 0).find_map(|v| v.strip_prefix(b"HOME="))?;
    Some(Path::new(&*String::from_utf8_lossy(home)).join(".tranalyzer").join("plugins"))
}

/// T2's running-analyzer question; false means stop.
pub fn check_analyzers(plugin_dir: &Path, yes: bool) -> bool {
    if analyzers_using(plugin_dir).is_empty() {
        return true;
    }
    ui::warn("Tranalyzer is currently running...");
    ui::confirm("Proceed anyway", yes)
}

/// T2 asks before building as root; rt2 only warns (containers and CI build as root, and a
/// cargo build writes nothing outside the tree and the plugin folder).
pub fn warn_root() {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let euid = status.lines().find_map(|l| l.strip_prefix("Uid:")).and_then(|l| l.split_whitespace().nth(1));
    if euid == Some("0") && std::env::var_os("DOCKER_BUILD").is_none() {
        ui::warn("Running t2build as root is not recommended (set DOCKER_BUILD=1 to silence this warning)");
    }
}

/// Flag stamps: the `flags.toml` each target was last built with. Cargo rebuilds when the
/// file's mtime is newer than its last build; a file restored with an old mtime (`cp -p`,
/// `rsync -t`) would slip through, so a content change against the stamp gets a fresh mtime.
#[derive(Debug, Clone)]
pub struct Stamps {
    /// `TARGET/t2build/flags/<profile>`.
    pub dir: PathBuf,
}

impl Stamps {
    fn stamp(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.toml"))
    }

    /// Before building `name`: touches `flags` if it differs from the last build's.
    pub fn before_build(&self, name: &str, flags: &Path) {
        let (Ok(now), Ok(then)) = (std::fs::read(flags), std::fs::read(self.stamp(name))) else { return };
        if now != then
            && let Ok(f) = std::fs::File::options().append(true).open(flags)
        {
            let _ = f.set_modified(std::time::SystemTime::now());
        }
    }

    /// After a successful build of `name`: remembers `flags`.
    pub fn after_build(&self, name: &str, flags: &Path) {
        match std::fs::read(flags) {
            Ok(text) => {
                let _ = std::fs::create_dir_all(&self.dir);
                let _ = std::fs::write(self.stamp(name), text);
            }
            Err(_) => self.forget(name),
        }
    }

    /// After cleaning `name`.
    pub fn forget(&self, name: &str) {
        let _ = std::fs::remove_file(self.stamp(name));
    }
}
