//! Which targets a run processes (t2build.md §2, §6): the names given, or the core followed by
//! the default set, every plugin (`-a`), a build list (`-b`) or the installed plugins (`-R`).

use std::path::{Path, PathBuf};

use crate::args::Args;
use crate::workspace::{BLACKLIST, CORE, DEFAULT_SET, Workspace};

/// Names of a build or ignore list: `#` lines are comments, words are names, `NNN_name.so`
/// is read as `name` (so `ls ~/.tranalyzer/plugins > plugins.build` is a valid list).
pub fn read_list(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .flat_map(str::split_whitespace)
        .map(|w| installed_name(w).unwrap_or(w).to_owned())
        .collect()
}

/// `NNN_name.so` → `name`.
pub fn installed_name(file: &str) -> Option<&str> {
    let stem = file.strip_suffix(".so")?;
    let (num, name) = stem.split_at_checked(4)?;
    let ok = num.len() == 4
        && num.as_bytes()[..3].iter().all(u8::is_ascii_digit)
        && num.ends_with('_')
        && !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    ok.then_some(name)
}

/// Every `NNN_name.so` under `dir`, recursively (so also in `disabled/`): (name, path).
pub fn installed(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().filter_map(Result::ok) {
            let path = e.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Some(name) = e.file_name().to_str().and_then(installed_name) {
                found.push((name.to_owned(), path));
            }
        }
    }
    found.sort();
    found
}

fn is_sink(name: &str) -> bool {
    name.ends_with("Sink") || matches!(name, "findexer" | "payloadDumper" | "pcapd")
}

/// The target list: the core (if any) first, then plugins, without duplicates.
pub fn resolve(ws: &Workspace, a: &Args, plugin_dir: &Path) -> Result<Vec<String>, String> {
    let mut list: Vec<String> = if !a.names.is_empty() {
        let mut l = a.names.clone();
        // the core always comes first, wherever it was named
        if let Some(i) = l.iter().position(|n| n == CORE) {
            let core = l.remove(i);
            l.insert(0, core);
        }
        l
    } else {
        let mut l = vec![CORE.to_owned()];
        if a.rebuild {
            if !plugin_dir.is_dir() {
                return Err(format!("Plugin directory '{}' does not exist", plugin_dir.display()));
            }
            l.extend(installed(plugin_dir).into_iter().map(|(n, _)| n));
        } else if let Some(file) = &a.build_file {
            let path = file.clone().unwrap_or_else(|| ws.root.join("plugins.build"));
            if !path.is_file() {
                return Err(format!("Invalid argument for option '-b': '{}' is not a regular file", path.display()));
            }
            let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            l.extend(read_list(&text));
        } else if a.all {
            let ignore_path = a.ignore_file.clone().unwrap_or_else(|| ws.root.join("plugins.ignore"));
            let ignored = std::fs::read_to_string(ignore_path).map(|t| read_list(&t)).unwrap_or_default();
            l.extend(
                ws.plugin_names().into_iter().filter(|n| !BLACKLIST.contains(&n.as_str()) && !ignored.contains(n)),
            );
        } else {
            l.extend(DEFAULT_SET.iter().map(|s| (*s).to_owned()));
        }
        l
    };
    if a.no_sink {
        list.retain(|n| !is_sink(n));
    }
    let mut seen = Vec::new();
    list.retain(|n| {
        let new = !seen.contains(n);
        seen.push(n.clone());
        new
    });
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_installed_names() {
        assert_eq!(installed_name("132_tcpStates.so"), Some("tcpStates"));
        assert_eq!(installed_name("13_tcpStates.so"), None);
        assert_eq!(installed_name("132_.so"), None);
        assert_eq!(installed_name("proto.txt"), None);
        assert_eq!(
            read_list("# comment\nbasicFlow  txtSink\n#tcpWin\n\n120_basicStats.so\n"),
            ["basicFlow", "txtSink", "basicStats"]
        );
    }
}
