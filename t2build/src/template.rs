//! `t2plugin -c NAME`: a new plugin crate made from the `t2PSkel` template (t2build.md
//! Appendix B), registered as a workspace member so that `t2build NAME` builds it.

use std::path::Path;

use plugin_api::build::PluginMeta;

use crate::ui;
use crate::workspace::{TEMPLATE, Workspace};

/// What to create.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// Plugin name.
    pub name: String,
    /// Three-digit number, or `None` for a free one.
    pub number: Option<String>,
    /// A sink (number 900 or more).
    pub sink: bool,
    /// Answer yes to the overwrite question.
    pub yes: bool,
}

/// T2's rule for plugin names: `^[a-z][A-Za-z0-9_]*$`.
pub fn valid_name(name: &str) -> bool {
    let mut b = name.bytes();
    b.next().is_some_and(|c| c.is_ascii_lowercase()) && b.all(|c| c.is_ascii_alphanumeric() || c == b'_')
}

/// Numbers in use: (number, plugin).
fn used_numbers(ws: &Workspace) -> Vec<(String, String)> {
    ws.plugin_names()
        .into_iter()
        .filter_map(|n| PluginMeta::read(&ws.plugins_dir().join(&n)).ok().map(|m| (m.number, n)))
        .collect()
}

/// A free number: 100-899 for plugins, 900-998 for sinks, starting at a pseudo-random place.
fn free_number(used: &[(String, String)], sink: bool) -> Option<String> {
    let (lo, hi) = if sink { (900u32, 999u32) } else { (100, 900) };
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let span = hi - lo;
    (0..span).map(|i| lo + (seed + i) % span).map(|n| format!("{n:03}")).find(|n| !used.iter().any(|(u, _)| u == n))
}

/// Creates the plugin; returns its number.
pub fn create(ws: &Workspace, r: &Request) -> Result<String, String> {
    if !valid_name(&r.name) {
        return Err(format!(
            "Invalid plugin name '{}': it must start with a lower-case letter followed by letters, digits or '_'",
            r.name
        ));
    }
    let template = ws.plugins_dir().join(TEMPLATE);
    if !template.join("Cargo.toml").is_file() {
        return Err(format!("The template '{}' does not exist", template.display()));
    }
    let dest = ws.plugins_dir().join(&r.name);
    let used: Vec<(String, String)> = used_numbers(ws).into_iter().filter(|(_, n)| *n != r.name).collect();
    let number = match &r.number {
        Some(n) => {
            if n.len() != 3 || !n.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("Invalid plugin number '{n}': expected three digits, e.g. 150"));
            }
            if let Some((_, owner)) = used.iter().find(|(u, _)| u == n) {
                return Err(format!("Plugin number {n} already used by '{owner}' plugin"));
            }
            if r.sink && n.as_str() < "900" {
                return Err(format!("Invalid plugin number '{n}': sink plugins need a number of at least 900"));
            }
            n.clone()
        }
        None => {
            let n = free_number(&used, r.sink).ok_or("No free plugin number left")?;
            ui::info(&format!("No plugin number provided... using {n}"));
            n
        }
    };
    if dest.exists() && std::fs::read_dir(&dest).map(|mut d| d.next().is_some()).unwrap_or(true) {
        ui::warn(&format!("Folder '{}' already exists", r.name));
        if !ui::confirm("Proceed anyway and replace it", r.yes) {
            return Err(format!("Plugin '{}' not created", r.name));
        }
        std::fs::remove_dir_all(&dest).map_err(|e| format!("Failed to remove '{}': {e}", dest.display()))?;
    }
    copy_renamed(&template, &dest, &r.name).map_err(|e| format!("Failed to create '{}': {e}", dest.display()))?;
    set_manifest(&dest.join("Cargo.toml"), &r.name, &number)?;
    add_member(&ws.root.join("Cargo.toml"), &format!("plugins/{}", r.name))?;
    Ok(number)
}

/// `t2PSkel`, `T2PSkel`, `T2PSKEL`, `t2pskel` → the new name in the same four spellings (the
/// last is how the fields of the generated `flags::Config` spell the flags).
fn rename(text: &str, name: &str) -> String {
    let mut upper_first = name.to_owned();
    upper_first[..1].make_ascii_uppercase();
    text.replace("T2PSKEL", &name.to_ascii_uppercase())
        .replace("T2PSkel", &upper_first)
        .replace(TEMPLATE, name)
        .replace("t2pskel", &name.to_ascii_lowercase())
}

fn copy_renamed(from: &Path, to: &Path, name: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let file = e.file_name().to_string_lossy().into_owned();
        if file == "target" || file.starts_with('.') {
            continue;
        }
        let dest = to.join(rename(&file, name));
        if e.file_type()?.is_dir() {
            copy_renamed(&e.path(), &dest, name)?;
        } else {
            match std::fs::read_to_string(e.path()) {
                Ok(text) => std::fs::write(&dest, rename(&text, name))?,
                Err(_) => {
                    std::fs::copy(e.path(), &dest)?;
                }
            }
        }
    }
    Ok(())
}

fn edit_toml(path: &Path, f: impl FnOnce(&mut toml_edit::DocumentMut) -> Result<(), String>) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(|e| format!("{}: {e}", path.display()))?;
    f(&mut doc)?;
    let tmp = path.with_extension("toml.t2plugin.tmp");
    std::fs::write(&tmp, doc.to_string())
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| format!("Failed to write '{}': {e}", path.display()))
}

fn set_manifest(path: &Path, name: &str, number: &str) -> Result<(), String> {
    edit_toml(path, |doc| {
        doc["package"]["description"] = toml_edit::value(format!("rt2 plugin {name}"));
        doc["package"]["metadata"]["t2"]["number"] = toml_edit::value(number);
        Ok(())
    })
}

/// Appends `member` to `[workspace] members`, laid out like the entries already there.
fn add_member(root_manifest: &Path, member: &str) -> Result<(), String> {
    edit_toml(root_manifest, |doc| {
        let members = doc
            .get_mut("workspace")
            .and_then(|w| w.get_mut("members"))
            .and_then(|m| m.as_array_mut())
            .ok_or("the workspace has no members list")?;
        if members.iter().any(|m| m.as_str() == Some(member)) {
            return Ok(());
        }
        let prefix = members.iter().last().and_then(|l| l.decor().prefix()).and_then(|p| p.as_str()).map(str::to_owned);
        members.push(member);
        if let (Some(p), Some(last)) = (prefix, members.iter_mut().last()) {
            last.decor_mut().set_prefix(p);
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_renaming() {
        assert!(valid_name("myPlugin") && valid_name("x_1"));
        assert!(!valid_name("MyPlugin") && !valid_name("1x") && !valid_name("my-plugin") && !valid_name(""));
        assert_eq!(
            rename("t2PSkel T2PSkel T2PSKEL_VAR1 cfg.t2pskel_var1", "myPlugin"),
            "myPlugin MyPlugin MYPLUGIN_VAR1 cfg.myplugin_var1"
        );
    }

    #[test]
    fn free_numbers_avoid_used_ones() {
        let used: Vec<(String, String)> =
            (900..999).filter(|n| *n != 950).map(|n| (n.to_string(), "x".into())).collect();
        assert_eq!(free_number(&used, true).as_deref(), Some("950"));
    }

    #[test]
    fn members_keep_their_layout() {
        let dir = tempfile_dir();
        let p = dir.join("Cargo.toml");
        std::fs::write(&p, "[workspace]\nmembers = [\n    \"core\",\n    \"tests\",\n]\n").unwrap();
        add_member(&p, "plugins/x").unwrap();
        add_member(&p, "plugins/x").unwrap();
        assert_eq!(
            std::fs::read_to_string(&p).unwrap(),
            "[workspace]\nmembers = [\n    \"core\",\n    \"tests\",\n    \"plugins/x\",\n]\n"
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    fn tempfile_dir() -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("t2plugin-test-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }
}
