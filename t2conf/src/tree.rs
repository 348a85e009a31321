//! The source tree: the core (`tranalyzer2`) and the plugin crates, each with its `flags.toml`.

use std::path::{Path, PathBuf};

pub use t2build::workspace::{CORE, TEMPLATE};

/// T2's default plugin set as t2conf knows it (used by `--reset` without names).
pub const DEFAULT_SET: [&str; 9] = [
    "basicFlow",
    "basicStats",
    "connStat",
    "icmpDecode",
    "macRecorder",
    "protoStats",
    "tcpFlags",
    "tcpStates",
    "txtSink",
];

/// The tree t2conf works on (T2's `T2HOME`).
#[derive(Debug, Clone)]
pub struct Tree {
    /// Workspace root.
    pub root: PathBuf,
}

impl Tree {
    /// `-t PATH`, else `$T2HOME`, else the workspace this t2conf was built from.
    pub fn find(explicit: Option<PathBuf>) -> Result<Tree, String> {
        let root = explicit.or_else(|| std::env::var_os("T2HOME").map(PathBuf::from)).unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
        });
        if !root.is_dir() {
            return Err(format!("Tranalyzer folder '{}' does not exist", root.display()));
        }
        Ok(Tree { root })
    }

    /// The folder of component `name`, if it is the core or a plugin crate.
    pub fn home(&self, name: &str) -> Option<PathBuf> {
        let dir = if name == CORE { self.root.join("core") } else { self.root.join("plugins").join(name) };
        let valid = !name.is_empty() && !name.contains(['/', '.']) && dir.join("Cargo.toml").is_file();
        valid.then_some(dir)
    }

    /// Every plugin crate, alphabetically.
    pub fn plugins(&self) -> Vec<String> {
        t2build::workspace::plugin_crates(&self.root.join("plugins"))
    }

    /// Every valid component name: `tranalyzer2`, then the plugins.
    pub fn components(&self) -> Vec<String> {
        let mut all = vec![CORE.to_owned()];
        all.extend(self.plugins());
        all
    }

    /// The flag file of component `name`.
    pub fn flags_path(&self, name: &str) -> Option<PathBuf> {
        self.home(name).map(|h| h.join(plugin_api::build::FLAGS_FILE))
    }
}
