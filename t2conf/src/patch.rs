//! T2's patch files (`--patch`, `--rpatch`): tab-separated `NAME NEW OLD FILE` (4 columns) or
//! `NAME VALUE FILE` (3 columns); `#`/`%` lines and blank lines are comments. FILE is T2's
//! header path relative to T2HOME (`tranalyzer2/src/main.h`, `plugins/tcpWin/src/tcpWin.h`) or
//! ours (`core/flags.toml`, `plugins/tcpWin/flags.toml`): only the component it names matters.

use crate::tree::CORE;

/// One line of a patch, for the chosen direction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Flag name.
    pub name: String,
    /// Value to write.
    pub value: String,
    /// Component named by the FILE column.
    pub component: String,
    /// The FILE column as written.
    pub file: String,
}

/// Parses a patch; `revert` selects the OLD column. Checks the whole file first (T2's messages).
pub fn parse(text: &str, revert: bool) -> Result<Vec<Entry>, String> {
    let lines: Vec<&str> =
        text.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#') && !l.starts_with('%')).collect();
    let mut columns = None;
    for l in &lines {
        let n = l.split('\t').count();
        if n != 3 && n != 4 {
            return Err(format!("Invalid patch: expected three or four columns, found {n}:\n{l}"));
        }
        match columns {
            None => columns = Some(n),
            Some(c) if c != n => return Err(format!("Invalid patch: {c} columns expected, found {n}:\n{l}")),
            Some(_) => {}
        }
        if revert && n == 3 {
            return Err(format!("Cannot revert patch: four columns required, only three found:\n{l}"));
        }
    }
    let mut entries = Vec::new();
    for l in lines {
        let f: Vec<&str> = l.split('\t').collect();
        if f.iter().any(|c| c.trim().is_empty()) {
            continue; // T2 skips lines with an empty field
        }
        let (value, file) = match (f.len(), revert) {
            (3, _) => (f[1], f[2]),
            (_, false) => (f[1], f[3]),
            (_, true) => (f[2], f[3]),
        };
        let component = component_of(file.trim())
            .ok_or_else(|| format!("Invalid patch: '{file}' is not a file of tranalyzer2, utils or a plugin:\n{l}"))?;
        entries.push(Entry {
            name: f[0].trim().to_owned(),
            value: value.trim().to_owned(),
            component,
            file: file.trim().to_owned(),
        });
    }
    Ok(entries)
}

/// `tranalyzer2/...`, `core/...` and `utils/...` belong to the core, `plugins/NAME/...` to NAME.
fn component_of(file: &str) -> Option<String> {
    let mut parts = file.trim_start_matches("./").split('/');
    match parts.next()? {
        "tranalyzer2" | "core" | "utils" => Some(CORE.to_owned()),
        "plugins" => parts.next().filter(|p| !p.is_empty()).map(str::to_owned),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_columns_both_ways() {
        let text = "# tranalyzer2\nUSE_PLLIST\t1\t0\ttranalyzer2/src/loadPlugins.h\n% x\n\nPBC_NUM\t1\t0\tplugins/portClassifier/src/portClassifier.h\nX\t\t0\tcore/flags.toml\n";
        let p = parse(text, false).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!((p[0].name.as_str(), p[0].value.as_str(), p[0].component.as_str()), ("USE_PLLIST", "1", CORE));
        assert_eq!(p[1].component, "portClassifier");
        assert_eq!(parse(text, true).unwrap()[0].value, "0");
    }

    #[test]
    fn t2_messages() {
        assert_eq!(
            parse("A\t1\n", false).unwrap_err(),
            "Invalid patch: expected three or four columns, found 2:\nA\t1"
        );
        assert_eq!(
            parse("A\t1\t0\tcore/x\nB\t1\tcore/x\n", false).unwrap_err(),
            "Invalid patch: 4 columns expected, found 3:\nB\t1\tcore/x"
        );
        assert!(parse("A\t1\tcore/x\n", true).unwrap_err().starts_with("Cannot revert patch: four columns required"));
        assert!(parse("A\t1\tsomewhere/x.h\n", false).unwrap_err().contains("'somewhere/x.h'"));
    }
}
