//! Plugin metadata declared next to each plugin, and the build-script side of it.
//!
//! A plugin crate declares in its `Cargo.toml`:
//!
//! ```toml
//! [package.metadata.t2]
//! number = "100"              # the NNN of NNN_name.so: load order
//! dependencies = []           # plugins that must be loaded first
//! extra_files = []            # files installed into the plugin folder beside the .so
//! ```
//!
//! `t2build` reads it without compiling anything; the plugin's `build.rs` calls [`plugin`] so
//! the same values are compiled into the plugin's vtable.

use std::path::Path;

/// What `[package.metadata.t2]` declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginMeta {
    /// Package name (= plugin name).
    pub name: String,
    /// Package version (= plugin version).
    pub version: String,
    /// Three-digit plugin number.
    pub number: String,
    /// Plugins that must be loaded before this one.
    pub dependencies: Vec<String>,
    /// Files (relative to the crate) installed into the plugin folder.
    pub extra_files: Vec<String>,
}

impl PluginMeta {
    /// Parses a plugin crate's `Cargo.toml`.
    pub fn parse(manifest: &str) -> Result<PluginMeta, String> {
        let doc: toml::Table = manifest.parse().map_err(|e| format!("invalid Cargo.toml: {e}"))?;
        let package = doc.get("package").and_then(|p| p.as_table()).ok_or("no [package] table")?;
        let name = package.get("name").and_then(|v| v.as_str()).ok_or("no package name")?.to_owned();
        let version = match package.get("version") {
            Some(toml::Value::String(v)) => v.clone(),
            _ => return Err("package version must be a string".into()),
        };
        let t2 = package
            .get("metadata")
            .and_then(|m| m.get("t2"))
            .and_then(|t| t.as_table())
            .ok_or("no [package.metadata.t2] table")?;
        let number = t2.get("number").and_then(|v| v.as_str()).ok_or("[package.metadata.t2] needs number = \"NNN\"")?;
        if number.len() != 3 || !number.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("plugin number must be three digits, found '{number}'"));
        }
        let list = |key: &str| -> Result<Vec<String>, String> {
            match t2.get(key) {
                None => Ok(Vec::new()),
                Some(toml::Value::Array(a)) => a
                    .iter()
                    .map(|v| v.as_str().map(str::to_owned).ok_or_else(|| format!("{key} must list strings")))
                    .collect(),
                Some(_) => Err(format!("{key} must be an array of strings")),
            }
        };
        Ok(PluginMeta {
            name,
            version,
            number: number.to_owned(),
            dependencies: list("dependencies")?,
            extra_files: list("extra_files")?,
        })
    }

    /// Reads and parses `<dir>/Cargo.toml`.
    pub fn read(dir: &Path) -> Result<PluginMeta, String> {
        let path = dir.join("Cargo.toml");
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        PluginMeta::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Installed file name: `NNN_name.so`.
    pub fn file_name(&self) -> String {
        format!("{}_{}.so", self.number, self.name)
    }
}

/// The name an extra file is installed under in the plugin folder: its file name, without the
/// `.zst` of a file shipped compressed (large tables stay small in the repository).
pub fn extra_file_name(file: &str) -> String {
    let name = Path::new(file).file_name().map_or_else(|| file.into(), |n| n.to_string_lossy().into_owned());
    name.strip_suffix(".zst").map_or_else(|| name.clone(), str::to_owned)
}

/// The contents an extra file is installed with: the file, decompressed when its name ends in
/// `.zst` (see [`extra_file_name`]).
#[cfg(feature = "install")]
pub fn extra_file_bytes(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let bytes = std::fs::read(path)?;
    if path.extension().is_none_or(|e| e != "zst") {
        return Ok(bytes);
    }
    let mut out = Vec::new();
    ruzstd::decoding::StreamingDecoder::new(bytes.as_slice())
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()))?
        .read_to_end(&mut out)?;
    Ok(out)
}

/// Call from a plugin's `build.rs`: exports the metadata to the compiler for `export_plugin!`
/// and compiles the plugin's configuration flags (see [`flags`]) with the struct `Config`
/// holding them all ([`crate::flags::config_rust`]).
pub fn plugin() {
    let dir = manifest_dir();
    println!("cargo:rerun-if-changed=Cargo.toml");
    let meta = PluginMeta::read(&dir).unwrap_or_else(|e| panic!("{e}"));
    println!("cargo:rustc-env=T2_PLUGIN_NUMBER={}", meta.number);
    println!("cargo:rustc-env=T2_PLUGIN_DEPENDENCIES={}", meta.dependencies.join(","));
    write_flags(true);
}

fn manifest_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR is set by cargo").into()
}

/// Name of the file declaring a component's configuration flags, next to its `Cargo.toml`.
pub const FLAGS_FILE: &str = "flags.toml";

/// Call from a component's `build.rs`: compiles `flags.toml` (if present) into
/// `$OUT_DIR/t2flags.rs`, which the component includes with
/// `include!(concat!(env!("OUT_DIR"), "/t2flags.rs"));`.
///
/// Each flag becomes a `pub const NAME: T = value;` documented with its description, and
/// `CHANGED` lists `(name, value, default)` of the flags that differ from their defaults.
pub fn flags() {
    write_flags(false);
}

fn write_flags(config: bool) {
    let dir = manifest_dir();
    let path = dir.join(FLAGS_FILE);
    println!("cargo:rerun-if-changed={FLAGS_FILE}");
    let flags = if path.exists() { crate::flags::read(&path).unwrap_or_else(|e| panic!("{e}")) } else { Vec::new() };
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR is set by cargo"));
    std::fs::write(out.join("t2flags.rs"), crate::flags::to_rust(&flags, config)).expect("write t2flags.rs");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_metadata() {
        let m = PluginMeta::parse(
            "[package]\nname = \"tcpStates\"\nversion = \"0.9.3\"\n[package.metadata.t2]\nnumber = \"132\"\nextra_files = [\"a.txt\"]\n",
        )
        .unwrap();
        assert_eq!(m.number, "132");
        assert_eq!(m.file_name(), "132_tcpStates.so");
        assert_eq!(m.extra_files, vec!["a.txt"]);
        assert!(m.dependencies.is_empty());
    }

    #[test]
    fn rejects_bad_numbers() {
        let bad = "[package]\nname = \"x\"\nversion = \"1\"\n[package.metadata.t2]\nnumber = \"12\"\n";
        assert!(PluginMeta::parse(bad).unwrap_err().contains("three digits"));
    }

    #[test]
    fn compressed_extra_files_install_without_their_suffix() {
        assert_eq!(extra_file_name("../../subnet/data/subnets4.bin.zst"), "subnets4.bin");
        assert_eq!(extra_file_name("proto.txt"), "proto.txt");
    }

    #[cfg(feature = "install")]
    #[test]
    fn compressed_extra_files_are_decompressed() {
        // `printf 'hello subnets\n' | zstd -19`
        const FRAME: [u8; 27] = [
            0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x68, 0x71, 0x00, 0x00, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x20, 0x73, 0x75, 0x62,
            0x6e, 0x65, 0x74, 0x73, 0x0a, 0x63, 0xb9, 0x9b, 0x62,
        ];
        let dir = std::env::temp_dir().join(format!("rt2-extra-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.zst"), FRAME).unwrap();
        std::fs::write(dir.join("b.txt"), FRAME).unwrap();
        std::fs::write(dir.join("c.zst"), b"not zstd").unwrap();
        assert_eq!(extra_file_bytes(&dir.join("a.zst")).unwrap(), b"hello subnets\n");
        assert_eq!(extra_file_bytes(&dir.join("b.txt")).unwrap(), FRAME);
        let bad = extra_file_bytes(&dir.join("c.zst")).unwrap_err();
        assert_eq!(bad.kind(), std::io::ErrorKind::InvalidData);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
