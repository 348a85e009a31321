//! One plugin's output against T2 0.9.3's reference outputs, on every shared capture.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::{Flows, PluginDir, run_t2, shared_dir};

/// A plugin's golden test: the release `tranalyzer` with a reference variant's plugin set, on
/// every shared capture that has a reference of the variant, must write the plugin's flow
/// columns (row by row, keyed by direction and flow index, and their rows of the headers file),
/// its `name:` end-report lines and its files exactly as T2 did.
///
/// ```no_run
/// rt2_golden::Golden::new("tcpWin")
///     .variant("tcpwin")
///     .columns(["tcpWinStat", "tcpWinInit"])
///     .files(["_tcpwin.txt"])
///     .check();
/// ```
///
/// The plugin set is the reference's own (its `CMD` file), so flows end as they did in T2,
/// whichever plugin decides that. Captures the reference run rejected (exit status other than
/// 0, such as Linux cooked v2, which T2 0.9.3 does not decode) have nothing to compare.
/// Without `../shared` the check is skipped, unless `RT2_REQUIRE_SHARED` is set.
#[derive(Debug, Clone)]
pub struct Golden {
    plugin: String,
    variant: String,
    columns: Vec<String>,
    files: Vec<String>,
    changed_flags: Vec<String>,
    plugins: Option<Vec<String>>,
    known: Vec<(String, String)>,
}

/// What a reference's `CMD` file says about its run.
struct Reference {
    plugins: Vec<String>,
    default_flags: bool,
    exit_ok: bool,
}

impl Reference {
    fn read(dir: &Path) -> Reference {
        let path = dir.join("CMD");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let field = |key: &str| text.lines().find_map(|l| l.strip_prefix(key)).map(str::trim);
        Reference {
            plugins: field("plugins:").unwrap_or_default().split_whitespace().map(str::to_owned).collect(),
            default_flags: field("core flags:") == Some("(all defaults)"),
            exit_ok: field("rc=") == Some("0"),
        }
    }
}

impl Golden {
    /// The check of `plugin` against the `default` references, comparing no column yet.
    pub fn new(plugin: &str) -> Golden {
        Golden {
            plugin: plugin.to_owned(),
            variant: "default".to_owned(),
            columns: Vec::new(),
            files: Vec::new(),
            changed_flags: Vec::new(),
            plugins: None,
            known: Vec::new(),
        }
    }

    /// Runs with these plugins instead of the reference's set (while some of the reference's
    /// plugins do not exist yet).
    pub fn plugins<S: AsRef<str>>(mut self, names: impl IntoIterator<Item = S>) -> Golden {
        self.plugins = Some(names.into_iter().map(|n| n.as_ref().to_owned()).collect());
        self
    }

    /// `capture` differs for a reason outside the plugin (`why`, e.g. a plugin of the
    /// reference's set that is not loaded): its differences are not failures, but the check
    /// fails if it has none, so that the entry goes once the reason does.
    pub fn known(mut self, capture: &str, why: &str) -> Golden {
        self.known.push((capture.to_owned(), why.to_owned()));
        self
    }

    /// The plugin's flags that differ from their defaults (its generated `flags::CHANGED`): the
    /// references ran with the defaults, so the check fails unless there is none.
    pub fn flags(mut self, changed: &[(&str, &str, &str)]) -> Golden {
        self.changed_flags = changed.iter().map(|(n, v, d)| format!("{n}={v} (default {d})")).collect();
        self
    }

    /// Compares with the references of `variant` (`golden/<capture>/<variant>/`).
    pub fn variant(mut self, variant: &str) -> Golden {
        self.variant = variant.to_owned();
        self
    }

    /// Compares the flow columns `names` (the plugin's own, and any other it changes).
    pub fn columns<S: AsRef<str>>(mut self, names: impl IntoIterator<Item = S>) -> Golden {
        self.columns.extend(names.into_iter().map(|n| n.as_ref().to_owned()));
        self
    }

    /// Compares the files the run writes with these suffixes (`_tcpwin.txt`) whole.
    pub fn files<S: AsRef<str>>(mut self, suffixes: impl IntoIterator<Item = S>) -> Golden {
        self.files.extend(suffixes.into_iter().map(|n| n.as_ref().to_owned()));
        self
    }

    /// Runs every capture and fails with every difference found.
    pub fn check(self) {
        let Some(shared) = shared_dir() else { return };
        assert!(!self.columns.is_empty(), "{}: no column to compare", self.plugin);
        assert!(
            self.changed_flags.is_empty(),
            "{}: the references ran with the default flags, not {}",
            self.plugin,
            self.changed_flags.join(", ")
        );
        let mut captures: Vec<(String, PathBuf)> = std::fs::read_dir(shared.join("pcaps"))
            .expect("../shared/pcaps")
            .map(|e| e.expect("a directory entry").path())
            .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("pcap" | "pcapng")))
            .filter_map(|p| Some((p.file_stem()?.to_str()?.to_owned(), p)))
            .filter(|(name, _)| shared.join("golden").join(name).join(&self.variant).is_dir())
            .collect();
        captures.sort();
        let mut plugin_dirs: BTreeMap<Vec<String>, PluginDir> = BTreeMap::new();
        let (mut compared, mut cells, mut diffs) = (0, 0, Vec::new());
        for (name, pcap) in &captures {
            let golden = shared.join("golden").join(name).join(&self.variant);
            let reference = Reference::read(&golden);
            assert!(reference.default_flags, "{}: the reference ran with other core flags", golden.display());
            if !reference.exit_ok {
                continue;
            }
            let set = self.plugins.clone().unwrap_or(reference.plugins);
            let plugins = plugin_dirs.entry(set).or_insert_with_key(|set| {
                let names: Vec<&str> = set.iter().map(String::as_str).collect();
                PluginDir::with(&names)
            });
            let found = self.compare(name, pcap, &golden, plugins.path(), &mut cells);
            match self.known.iter().find(|(c, _)| c == name) {
                Some((_, why)) if found.is_empty() => {
                    diffs.push(format!("{name}: matches, but is listed as known to differ ({why})"));
                }
                Some(_) => {}
                None => diffs.extend(found),
            }
            compared += 1;
        }
        assert!(compared >= 45, "{}: only {compared} captures have a {} reference", self.plugin, self.variant);
        assert!(cells >= compared, "{}: only {cells} cells compared", self.plugin);
        let shown = diffs.len().min(40);
        assert!(diffs.is_empty(), "{} differences, the first {shown}:\n{}", diffs.len(), diffs[..shown].join("\n"));
    }

    /// The differences for one capture; `cells` counts the cells compared.
    fn compare(&self, name: &str, pcap: &Path, golden: &Path, plugins: &Path, cells: &mut usize) -> Vec<String> {
        let run = run_t2(plugins, &["-r", pcap.to_str().expect("a UTF-8 path"), "-l"]);
        let mut diffs = Vec::new();
        if run.code() != Some(0) {
            return vec![format!("{name}: exit status {:?}: {}", run.code(), run.stderr())];
        }
        let read = |suffix: &str| std::fs::read_to_string(golden.join(format!("{name}{suffix}"))).ok();

        let (want, got) = (Flows::parse(&read("_flows.txt").unwrap_or_default()), run.flows());
        let (want_rows, got_rows) = (by_flow(&want), by_flow(&got));
        if want_rows.len() != got_rows.len() {
            diffs.push(format!("{name}: {} flows written, {} expected", got_rows.len(), want_rows.len()));
        }
        let (want_headers, got_headers) = (read("_headers.txt").unwrap_or_default(), run.file("_headers.txt"));
        for col in &self.columns {
            let (Some(w), Some(g)) = (position(&want, col), position(&got, col)) else {
                diffs.push(format!(
                    "{name}: column {col}: in the reference {}, written {}",
                    has(&want, col),
                    has(&got, col)
                ));
                continue;
            };
            let (w_row, g_row) =
                (header_row(&want_headers, col), header_row(got_headers.as_deref().unwrap_or(""), col));
            if w_row != g_row {
                diffs.push(format!("{name}: headers row of {col}: {g_row:?}, expected {w_row:?}"));
            }
            for (key, row) in &want_rows {
                *cells += 1;
                match got_rows.get(key) {
                    Some(ours) if ours.get(g) == row.get(w) => {}
                    Some(ours) => diffs.push(format!(
                        "{name} {} {} {col}: {}, expected {}",
                        key.0,
                        key.1,
                        ours.get(g).map_or("(none)", String::as_str),
                        row.get(w).map_or("(none)", String::as_str)
                    )),
                    None => diffs.push(format!("{name}: no flow {} {}", key.0, key.1)),
                }
            }
        }

        let prefix = format!("{}:", self.plugin);
        let (want, got) = (
            report_lines(&read("_log.txt").unwrap_or_default(), &prefix),
            report_lines(&run.file("_log.txt").unwrap_or_default(), &prefix),
        );
        if want != got {
            diffs.push(format!("{name}: report {got:?}, expected {want:?}"));
        }
        for suffix in &self.files {
            if run.file(suffix) != read(suffix) {
                diffs.push(format!("{name}: {suffix} differs: {:?}", run.file(suffix)));
            }
        }
        diffs
    }
}

/// Rows by (dir, flowInd).
fn by_flow(f: &Flows) -> BTreeMap<(String, String), &Vec<String>> {
    f.rows.iter().filter(|r| r.len() > 1).map(|r| ((r[0].clone(), r[1].clone()), r)).collect()
}

fn position(f: &Flows, col: &str) -> Option<usize> {
    f.columns.iter().position(|c| c == col)
}

fn has(f: &Flows, col: &str) -> &'static str {
    if position(f, col).is_some() { "present" } else { "absent" }
}

/// Type, name and description of column `col` in a headers file (its number depends on the
/// plugins loaded).
fn header_row(headers: &str, col: &str) -> Option<String> {
    let row = headers.lines().find(|l| l.split('\t').nth(2) == Some(col))?;
    Some(row.split_once('\t')?.1.to_owned())
}

/// The lines of an end report that start with `prefix`, colours removed.
fn report_lines(log: &str, prefix: &str) -> Vec<String> {
    log.lines()
        .map(|l| {
            let mut plain = String::with_capacity(l.len());
            let mut rest = l;
            while let Some(i) = rest.find('\x1b') {
                plain.push_str(&rest[..i]);
                rest = rest[i..].find('m').map_or("", |j| &rest[i + j + 1..]);
            }
            plain + rest
        })
        .filter(|l| l.starts_with(prefix))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_lines_lose_their_colours() {
        let log = "x\n\x1b[1mbasicStats:\x1b[0m Flow max(pktload): 0\nbasicStats: y\nbasicFlow: z\n";
        assert_eq!(report_lines(log, "basicStats:"), ["basicStats: Flow max(pktload): 0", "basicStats: y"]);
    }

    #[test]
    fn header_rows_without_their_number() {
        let headers = "# Col No.\tType\tName\tDescription\n1\tC\tdir\tFlow direction\n12\tH8\tx\tX status\n";
        assert_eq!(header_row(headers, "x").as_deref(), Some("H8\tx\tX status"));
        assert_eq!(header_row(headers, "y"), None);
    }
}
