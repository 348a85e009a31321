//! The source tree: the core and the plugin crates, found by their directories and metadata.

use std::path::{Path, PathBuf};

use plugin_api::build::PluginMeta;

/// Name of the core as a target.
pub const CORE: &str = "tranalyzer2";
/// Cargo package of the core.
pub const CORE_PACKAGE: &str = "tranalyzer";

/// The workspace t2build works on.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// Root (T2's `T2HOME`).
    pub root: PathBuf,
}

impl Workspace {
    /// `$T2HOME`, else the workspace this t2build was built from.
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

    /// Cargo's target directory.
    pub fn target_dir(&self) -> PathBuf {
        std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| self.root.join("target"))
    }

    /// The metadata of plugin `name`, or why it is not a plugin.
    pub fn plugin(&self, name: &str) -> Result<PluginMeta, String> {
        let dir = self.plugins_dir().join(name);
        if !dir.is_dir() {
            return Err(format!("Plugin '{name}' could not be found"));
        }
        if !dir.join("Cargo.toml").is_file() {
            return Err(format!("{name} is not a valid Tranalyzer plugin: could not find Cargo.toml"));
        }
        PluginMeta::read(&dir)
    }
}
