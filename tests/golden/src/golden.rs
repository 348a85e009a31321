//! One plugin's output against T2 0.9.3's reference outputs, on every shared capture.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::{Flows, PluginDir, repo_root, run_t2, shared_dir};

/// A plugin's golden test: the release `tranalyzer` with a reference variant's plugin set, on
/// every shared capture that has a reference of the variant, must write the plugin's flow
/// columns (row by row, and their rows of the headers file), its end-report lines (`name: ...`
/// and `[INF] name: ...`) and its files exactly as T2 did.
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
/// whichever plugin decides that; of a set naming plugins this workspace does not have yet
/// (`default-all`, `decoders`), the ones it has. Rows are matched by direction and flow index
/// when the set is complete, and by flow index and basicFlow's addresses and ports otherwise
/// (T2's icmpDecode turns some flows around: which direction is A depends on it, while a
/// plugin's cells follow the packets). Differences that a missing plugin decides are declared
/// with [`Golden::known`]. Captures the reference run rejected (exit status other than 0, such
/// as Linux cooked v2, which T2 0.9.3 does not decode) have nothing to compare. Without
/// `../shared` the check is skipped, unless `RT2_REQUIRE_SHARED` is set.
#[derive(Debug, Clone)]
pub struct Golden {
    plugin: String,
    variant: String,
    columns: Vec<String>,
    files: Vec<String>,
    changed_flags: Vec<String>,
    known: Vec<Known>,
}

/// A difference the plugin cannot remove alone ([`Golden::known`]).
#[derive(Debug, Clone)]
struct Known {
    capture: String,
    what: String,
}

/// What identifies a flow direction when the plugin set is partial: flowInd and basicFlow's
/// addresses and ports (see [`Golden`]).
const FLOW_KEY: [&str; 7] = ["flowInd", "srcMac", "dstMac", "srcIP", "srcPort", "dstIP", "dstPort"];
/// What identifies a flow direction when the plugin set is the reference's.
const DIR_KEY: [&str; 2] = ["dir", "flowInd"];

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
            known: Vec::new(),
        }
    }

    /// Accepts the differences on `capture` whose description starts with `what` (`report`,
    /// `flow`, `headers`, a column name, a file suffix) because a plugin this workspace does not
    /// have yet decides them; `why` says which. The check fails when such a difference no
    /// longer occurs, so that the entry goes once that plugin is there.
    pub fn known(mut self, capture: &str, what: &str, why: &str) -> Golden {
        assert!(!why.is_empty(), "say why {capture} differs");
        self.known.push(Known { capture: capture.to_owned(), what: what.to_owned() });
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
        assert!(!self.columns.is_empty() || !self.files.is_empty(), "{}: no column or file to compare", self.plugin);
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
        let available = |p: &String| repo_root().join("plugins").join(p).join("Cargo.toml").is_file();
        let mut plugin_dirs: BTreeMap<Vec<String>, (PluginDir, &[&str])> = BTreeMap::new();
        let (mut compared, mut cells, mut diffs) = (0, 0, Vec::new());
        let mut seen = vec![false; self.known.len()];
        for (name, pcap) in &captures {
            let golden = shared.join("golden").join(name).join(&self.variant);
            let reference = Reference::read(&golden);
            assert!(reference.default_flags, "{}: the reference ran with other core flags", golden.display());
            if !reference.exit_ok {
                continue;
            }
            let (plugins, key) = plugin_dirs.entry(reference.plugins.clone()).or_insert_with(|| {
                let (names, missing): (Vec<&String>, Vec<&String>) =
                    reference.plugins.iter().partition(|p| available(p));
                assert!(names.contains(&&self.plugin), "{}: not in the {} plugin set", self.plugin, self.variant);
                if !missing.is_empty() {
                    eprintln!("note: {} runs without {missing:?}, which rt2 does not have yet", self.variant);
                }
                let names: Vec<&str> = names.into_iter().map(String::as_str).collect();
                (PluginDir::with(&names), if missing.is_empty() { &DIR_KEY[..] } else { &FLOW_KEY[..] })
            });
            for d in self.compare(name, pcap, &golden, plugins.path(), key, &mut cells) {
                match self
                    .known
                    .iter()
                    .position(|k| k.capture == *name && d.starts_with(&format!("{name}: {}", k.what)))
                {
                    Some(i) => seen[i] = true,
                    None => diffs.push(d),
                }
            }
            compared += 1;
        }
        assert!(compared >= 45, "{}: only {compared} captures have a {} reference", self.plugin, self.variant);
        assert!(cells >= compared, "{}: only {cells} cells and files compared", self.plugin);
        for (k, seen) in self.known.iter().zip(seen) {
            assert!(seen, "{}: the known difference {} {} no longer occurs: remove it", self.plugin, k.capture, k.what);
        }
        let shown = diffs.len().min(40);
        assert!(diffs.is_empty(), "{} differences, the first {shown}:\n{}", diffs.len(), diffs[..shown].join("\n"));
    }

    /// The differences for one capture; `cells` counts the cells and files compared.
    fn compare(
        &self,
        name: &str,
        pcap: &Path,
        golden: &Path,
        plugins: &Path,
        key: &[&str],
        cells: &mut usize,
    ) -> Vec<String> {
        let run = run_t2(plugins, &["-r", pcap.to_str().expect("a UTF-8 path"), "-l"]);
        let mut diffs = Vec::new();
        if run.code() != Some(0) {
            return vec![format!("{name}: exit status {:?}: {}", run.code(), run.stderr())];
        }
        let read = |suffix: &str| std::fs::read_to_string(golden.join(format!("{name}{suffix}"))).ok();

        let (want, got) = (Flows::parse(&read("_flows.txt").unwrap_or_default()), run.flows());
        let (want_rows, got_rows) = (by_flow(&want, key), by_flow(&got, key));
        if want_rows.len() != got_rows.len() {
            diffs.push(format!("{name}: flow count: {} written, {} expected", got_rows.len(), want_rows.len()));
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
                diffs.push(format!("{name}: headers: row of {col}: {g_row:?}, expected {w_row:?}"));
            }
            for (key, row) in &want_rows {
                *cells += 1;
                match got_rows.get(key) {
                    Some(ours) if ours.get(g) == row.get(w) => {}
                    Some(ours) => diffs.push(format!(
                        "{name}: flow {} {col}: {}, expected {}",
                        key.join(" "),
                        ours.get(g).map_or("(none)", String::as_str),
                        row.get(w).map_or("(none)", String::as_str)
                    )),
                    None => diffs.push(format!("{name}: flow {}: not written", key.join(" "))),
                }
            }
        }

        let (want, got) = (
            report_lines(&read("_log.txt").unwrap_or_default(), &self.plugin),
            report_lines(&run.file("_log.txt").unwrap_or_default(), &self.plugin),
        );
        if want != got {
            diffs.push(format!("{name}: report {got:?}, expected {want:?}"));
        }
        for suffix in &self.files {
            *cells += 1;
            if run.file(suffix) != read(suffix) {
                diffs.push(format!("{name}: {suffix} differs: {:?}", run.file(suffix)));
            }
        }
        diffs
    }
}

/// Rows by the cells of the `key` columns (see [`Golden`]).
fn by_flow<'a>(f: &'a Flows, key: &[&str]) -> BTreeMap<Vec<String>, &'a Vec<String>> {
    if f.rows.is_empty() {
        return BTreeMap::new();
    }
    let key: Vec<usize> = key.iter().map(|c| position(f, c).unwrap_or_else(|| panic!("no column {c}"))).collect();
    let cells = |r: &Vec<String>| key.iter().map(|&i| r.get(i).cloned().unwrap_or_default()).collect();
    f.rows.iter().filter(|r| r.len() > 1).map(|r| (cells(r), r)).collect()
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

/// The end-report lines of `plugin` in a log (`plugin: ...`, `[INF] plugin: ...`, ...),
/// colour codes and the biggest talker's country removed (see [`without_talker_country`]).
fn report_lines(log: &str, plugin: &str) -> Vec<String> {
    let mut plain = String::with_capacity(log.len());
    let mut rest = log;
    while let Some(i) = rest.find('\x1b') {
        plain.push_str(&rest[..i]);
        rest = &rest[i..];
        rest = rest.find('m').map_or("", |m| &rest[m + 1..]);
    }
    plain.push_str(rest);
    let prefix = format!("{plugin}:");
    plain
        .lines()
        .filter(|l| {
            let l = if l.starts_with('[') { l.split_once("] ").map_or(*l, |(_, r)| r) } else { l };
            l.starts_with(&prefix)
        })
        .map(without_talker_country)
        .collect()
}

/// `line` without the ` (CC)` after the biggest talker's address. The country comes from the
/// subnet tables, and the reference's tables knew none for public IPv4 addresses while ours
/// do: as `t2conform` without `--geo`, the report is compared without it (the labels are
/// compared by the `--geo` conformance test, the country by the subnet tests).
fn without_talker_country(line: &str) -> String {
    const TALKER: &str = "flow talker: ";
    let Some(at) = line.find(TALKER).map(|a| a + TALKER.len()) else { return line.to_owned() };
    let Some(end) = line[at..].find(": ").map(|e| at + e) else { return line.to_owned() };
    match line[at..end].split_once(" (") {
        Some((addr, cc)) if !addr.contains(' ') && cc.ends_with(')') => {
            format!("{}{}", &line[..at + addr.len()], &line[end..])
        }
        _ => line.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_lines_keep_tagged_and_plain_lines_of_one_plugin() {
        let log = "x\n\x1b[1;34m[INF] macRecorder:\x1b[0m \x1b[0;34m5 records loaded\x1b[0m\n\x1b[1mmacRecorder:\x1b[0m \
                   Aggregated macStat=0x01\nmacRecorderX: no\nbasicStats: y\n";
        assert_eq!(
            report_lines(log, "macRecorder"),
            ["[INF] macRecorder: 5 records loaded", "macRecorder: Aggregated macStat=0x01"]
        );
    }

    #[test]
    fn talker_countries_are_left_out() {
        let line = "basicStats: Biggest L3 flow talker: 8.8.8.8 (US): 4 [66.67%] packets";
        assert_eq!(without_talker_country(line), "basicStats: Biggest L3 flow talker: 8.8.8.8: 4 [66.67%] packets");
        let plain = "basicStats: Biggest L3 flow talker: 2001:db8::1: 1 [100.00%] packets";
        assert_eq!(without_talker_country(plain), plain);
        let big = "basicStats: Biggest L3 flow talker: 1.2.3.4 (DE): 56078 (56.08 K) [83.90%] bytes";
        assert_eq!(
            without_talker_country(big),
            "basicStats: Biggest L3 flow talker: 1.2.3.4: 56078 (56.08 K) [83.90%] bytes"
        );
        let mac = "basicStats: Biggest L2 flow talker: 00:11:22:33:44:55: 3 [1.00%] packets";
        assert_eq!(without_talker_country(mac), mac);
        assert_eq!(without_talker_country("basicStats: Flow max(pktload): 0"), "basicStats: Flow max(pktload): 0");
    }

    #[test]
    fn rows_are_keyed_by_direction_or_by_addresses() {
        let head = "%dir\tflowInd\tsrcMac\tdstMac\tsrcIP\tsrcPort\tdstIP\tdstPort\tv\n";
        let a = Flows::parse(&format!(
            "{head}A\t1\tm1\tm2\t1.1.1.1\t1\t2.2.2.2\t2\tx\nB\t1\tm2\tm1\t2.2.2.2\t2\t1.1.1.1\t1\ty\n"
        ));
        let b = Flows::parse(&format!(
            "{head}B\t1\tm1\tm2\t1.1.1.1\t1\t2.2.2.2\t2\tx\nA\t1\tm2\tm1\t2.2.2.2\t2\t1.1.1.1\t1\ty\n"
        ));
        let v =
            |f: &Flows, key: &[&str]| by_flow(f, key).into_iter().map(|(k, r)| (k, r[8].clone())).collect::<Vec<_>>();
        assert_eq!(v(&a, &FLOW_KEY), v(&b, &FLOW_KEY), "the same packets, named the other way round");
        assert_ne!(v(&a, &DIR_KEY), v(&b, &DIR_KEY));
        assert_eq!(v(&a, &DIR_KEY)[1], (vec!["B".to_owned(), "1".to_owned()], "y".to_owned()));
    }

    #[test]
    fn header_rows_without_their_number() {
        let headers = "# Col No.\tType\tName\tDescription\n1\tC\tdir\tFlow direction\n12\tH8\tx\tX status\n";
        assert_eq!(header_row(headers, "x").as_deref(), Some("H8\tx\tX status"));
        assert_eq!(header_row(headers, "y"), None);
    }
}
