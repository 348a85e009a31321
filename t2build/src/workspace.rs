//! The source tree (T2's `T2HOME`): the core and the plugin crates, found by their folders
//! and `[package.metadata.t2]`, and where cargo puts what it builds.

use std::path::{Path, PathBuf};

use plugin_api::build::PluginMeta;

/// Name of the core as a target.
pub const CORE: &str = "tranalyzer2";
/// Cargo package of the core.
pub const CORE_PACKAGE: &str = "tranalyzer";
/// The template plugin: copied by `t2plugin`, never built by `-a`.
pub const TEMPLATE: &str = "t2PSkel";
/// Plugins `-a` never builds (T2's built-in blacklist: the template and the tutorial plugin).
pub const BLACKLIST: [&str; 2] = [TEMPLATE, "tcpWin"];
/// T2's default plugin set, built when no NAME and no mode is given.
pub const DEFAULT_SET: [&str; 10] = [
    "basicFlow",
    "basicStats",
    "connStat",
    "icmpDecode",
    "macRecorder",
    "portClassifier",
    "protoStats",
    "tcpFlags",
    "tcpStates",
    "txtSink",
];

/// The workspace t2build works on.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// Root (T2's `T2HOME`).
    pub root: PathBuf,
}

impl Workspace {
    /// `$T2HOME`, else the workspace this program was built from.
    pub fn find() -> Result<Workspace, String> {
        let root = match std::env::var_os("T2HOME") {
            Some(h) => PathBuf::from(h),
            None => Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default(),
        };
        if !root.join("Cargo.toml").is_file() || !root.join("plugins").is_dir() {
            return Err(format!("'{}' is not an rt2 source tree (set T2HOME)", root.display()));
        }
        Ok(Workspace { root })
    }

    /// Directory of the plugin sources (T2's `T2PLHOME`).
    pub fn plugins_dir(&self) -> PathBuf {
        self.root.join("plugins")
    }

    /// Cargo's target directory: `$CARGO_TARGET_DIR`, else `target/` of the workspace.
    pub fn target_dir(&self) -> PathBuf {
        std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| self.root.join("target"))
    }

    /// Where t2build keeps its own files (log, lock, flag stamps), inside the target directory.
    pub fn own_dir(&self) -> PathBuf {
        self.target_dir().join("t2build")
    }

    /// The folder of a component's sources (`core/` or `plugins/<name>/`).
    pub fn home(&self, name: &str) -> PathBuf {
        if name == CORE { self.root.join("core") } else { self.plugins_dir().join(name) }
    }

    /// Every plugin folder that holds a crate, alphabetically (T2's glob order).
    pub fn plugin_names(&self) -> Vec<String> {
        plugin_crates(&self.plugins_dir())
    }

    /// The metadata of plugin `name`, or why it is not a plugin (T2's messages).
    pub fn plugin(&self, name: &str) -> Result<PluginMeta, String> {
        let dir = self.plugins_dir().join(name);
        if name.is_empty() || name.contains(['/', '.']) || !dir.is_dir() {
            return Err(format!("Plugin '{name}' could not be found"));
        }
        if !dir.join("Cargo.toml").is_file() {
            return Err(format!("{name} is not a valid Tranalyzer plugin: could not find Cargo.toml"));
        }
        PluginMeta::read(&dir)
    }

    /// Files the core wants in the plugin folder (`extra_files` of its `[package.metadata.t2]`).
    pub fn core_extra_files(&self) -> Vec<String> {
        let text = std::fs::read_to_string(self.home(CORE).join("Cargo.toml")).unwrap_or_default();
        let doc: toml::Table = text.parse().unwrap_or_default();
        let files = doc.get("package").and_then(|p| p.get("metadata")).and_then(|m| m.get("t2"));
        files
            .and_then(|t| t.get("extra_files"))
            .and_then(|f| f.as_array())
            .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    }
}

/// The folders of `plugins_dir` that hold a crate, alphabetically (T2's glob order).
pub fn plugin_crates(plugins_dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(plugins_dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter(|e| e.path().join("Cargo.toml").is_file())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    names
}
