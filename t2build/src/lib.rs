//! rt2's `t2build` and `t2plugin`: T2's build tools over a Cargo workspace.
//!
//! `t2build` builds the core (`tranalyzer2`) and plugins with cargo and installs each plugin
//! into the plugin folder as `NNN_name.so` (t2build.md); `t2plugin` creates a plugin crate
//! from the `t2PSkel` template.
#![forbid(unsafe_code)]

pub mod args;
pub mod cargo;
pub mod folder;
pub mod guard;
pub mod lock;
pub mod targets;
pub mod template;
pub mod ui;
pub mod workspace;

/// `~/.tranalyzer/plugins`, T2's default plugin folder.
pub fn default_plugin_dir() -> std::path::PathBuf {
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from).unwrap_or_default();
    home.join(".tranalyzer").join("plugins")
}
