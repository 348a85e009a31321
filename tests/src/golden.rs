//! Comparing one plugin's output with T2's reference runs in `../shared/golden`: its flow
//! columns, its lines of the end report and of the headers' column table, on every capture
//! with a reference of a given configuration.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::{Flows, PluginDir, Run, run_t2};

/// A shared capture with a reference run of one configuration (`golden/<name>/<variant>/`).
#[derive(Debug, Clone)]
pub struct Reference {
    /// Capture name (file stem).
    pub name: String,
    /// The capture file.
    pub pcap: PathBuf,
    /// The reference folder.
    pub dir: PathBuf,
}

impl Reference {
    /// Every capture of `shared/pcaps` with a `variant` reference, by name, except `skip`.
    pub fn all(shared: &Path, variant: &str, skip: &[&str]) -> Vec<Reference> {
        let mut refs: Vec<Reference> = std::fs::read_dir(shared.join("pcaps"))
            .expect("reading shared/pcaps")
            .map(|e| e.expect("reading shared/pcaps").path())
            .filter(|p| p.extension().is_some_and(|e| e == "pcap" || e == "pcapng"))
            .filter_map(|pcap| {
                let name = pcap.file_stem()?.to_str()?.to_owned();
                let dir = shared.join("golden").join(&name).join(variant);
                (dir.is_dir() && !skip.contains(&name.as_str())).then_some(Reference { name, pcap, dir })
            })
            .collect();
        refs.sort_by(|a, b| a.name.cmp(&b.name));
        refs
    }

    /// The reference file `NAME<suffix>` (e.g. `_flows.txt`), if T2 wrote it.
    pub fn file(&self, suffix: &str) -> Option<String> {
        std::fs::read_to_string(self.dir.join(format!("{}{suffix}", self.name))).ok()
    }

    /// What differs between the reference and `run` in `plugin`'s flow columns `columns`, its
    /// end-report lines (`plugin: ...` and `[INF] plugin: ...`), and its columns' lines of the
    /// headers file. Each difference is one line naming the capture.
    pub fn compare_plugin(&self, run: &Run, plugin: &str, columns: &[&str]) -> Vec<String> {
        let name = &self.name;
        let mut diffs = Vec::new();
        let want = Flows::parse(&self.file("_flows.txt").unwrap_or_default());
        let got = run.file("_flows.txt").map(|t| Flows::parse(&t));
        let Some(got) = got else { return vec![format!("{name}: no flow file written")] };
        let (want, got) = (cells(&want, columns), cells(&got, columns));
        if want.keys().ne(got.keys()) {
            diffs.push(format!("{name}: flows differ: {} expected, {} written", want.len(), got.len()));
        }
        for (key, w) in &want {
            if let Some(g) = got.get(key).filter(|g| *g != w) {
                diffs.push(format!("{name}: flow {}: expected {w:?}, got {g:?}", key.join(" ")));
            }
        }
        let header = |text: Option<String>| -> Vec<String> {
            let text = text.unwrap_or_default();
            let named = |l: &&str| l.split('\t').nth(2).is_some_and(|c| columns.contains(&c));
            text.lines().filter(named).map(|l| l.split_once('\t').map_or(l, |(_, rest)| rest).to_owned()).collect()
        };
        let (want, got) = (header(self.file("_headers.txt")), header(run.file("_headers.txt")));
        if want != got {
            diffs.push(format!("{name}: headers {want:?} expected, got {got:?}"));
        }
        let (want, got) = (
            report_lines(&self.file("_log.txt").unwrap_or_default(), plugin),
            report_lines(&run.file("_log.txt").unwrap_or_default(), plugin),
        );
        if want != got {
            diffs.push(format!("{name}: report {want:#?} expected, got {got:#?}"));
        }
        diffs
    }
}

/// A difference a plugin cannot remove alone: the capture, how the difference line starts after
/// the capture's name (`report`, `flow`, `headers`), and why.
pub type Known<'a> = (&'a str, &'a str, &'a str);

/// Runs the release `tranalyzer` with `plugins` on every shared capture with a `variant`
/// reference (at least 45, `skip` left out) and compares `plugin`'s part of the output (see
/// [`Reference::compare_plugin`]); fails listing every difference that is not `known`.
pub fn assert_plugin_matches(
    shared: &Path,
    variant: &str,
    plugins: &PluginDir,
    plugin: &str,
    columns: &[&str],
    skip: &[&str],
    known: &[Known<'_>],
) {
    let refs = Reference::all(shared, variant, skip);
    assert!(refs.len() >= 45, "only {} captures have a {variant} reference", refs.len());
    let mut diffs = Vec::new();
    for r in &refs {
        let run = run_t2(plugins.path(), &["-r", r.pcap.to_str().expect("UTF-8 path"), "-l"]);
        assert_eq!(run.code(), Some(0), "{}: {}", r.name, run.stderr());
        let is_known =
            |d: &String| known.iter().any(|(c, what, _)| *c == r.name && d.starts_with(&format!("{c}: {what}")));
        diffs.extend(r.compare_plugin(&run, plugin, columns).into_iter().filter(|d| !is_known(d)));
    }
    assert!(diffs.is_empty(), "{} differences:\n{}", diffs.len(), diffs.join("\n"));
}

/// What identifies a flow direction across runs: flowInd and basicFlow's addresses and ports.
/// Not `dir`: which direction of a flow is A can depend on plugins that are not loaded (T2's
/// icmpDecode turns ICMP flows around), and a plugin's cells follow the packets, not the name.
const FLOW_KEY: [&str; 7] = ["flowInd", "srcMac", "dstMac", "srcIP", "srcPort", "dstIP", "dstPort"];

/// The cells of `columns` by flow direction (see [`FLOW_KEY`]; `dir` and `flowInd` when the
/// addresses are not in the file), in the order given.
pub fn cells(flows: &Flows, columns: &[&str]) -> BTreeMap<Vec<String>, Vec<String>> {
    let pos = |c: &str| flows.columns.iter().position(|f| f == c);
    let cols: Vec<usize> = columns.iter().map(|c| pos(c).unwrap_or_else(|| panic!("no column {c}"))).collect();
    let key: Vec<usize> = match FLOW_KEY.iter().map(|c| pos(c)).collect::<Option<Vec<_>>>() {
        Some(k) => k,
        None => vec![0, 1],
    };
    let pick = |r: &[String], idx: &[usize]| idx.iter().map(|&i| r.get(i).cloned().unwrap_or_default()).collect();
    flows.rows.iter().map(|r| (pick(r, &key), pick(r, &cols))).collect()
}

/// The end-report lines of `plugin` in a log (`plugin: ...`, `[INF] plugin: ...`, ...),
/// colour codes removed.
pub fn report_lines(log: &str, plugin: &str) -> Vec<String> {
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
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_lines_keep_tagged_and_plain_lines_of_one_plugin() {
        let log = "x\n\x1b[1;34m[INF] macRecorder:\x1b[0m \x1b[0;34m5 records loaded\x1b[0m\n\x1b[1mmacRecorder:\x1b[0m Aggregated macStat=0x01\nmacRecorderX: no\nbasicStats: y\n";
        assert_eq!(
            report_lines(log, "macRecorder"),
            ["[INF] macRecorder: 5 records loaded", "macRecorder: Aggregated macStat=0x01"]
        );
    }

    #[test]
    fn cells_are_keyed_by_flow_and_addresses() {
        let f = Flows::parse("%dir\tflowInd\ta\tb\nA\t1\tx\ty\nB\t1\tz\tw\n");
        let c = cells(&f, &["b"]);
        assert_eq!(c[&vec!["B".to_owned(), "1".to_owned()]], ["w"]);
        assert_eq!(c.len(), 2);
        let head = "%dir\tflowInd\tsrcMac\tdstMac\tsrcIP\tsrcPort\tdstIP\tdstPort\tv\n";
        let a = Flows::parse(&format!(
            "{head}A\t1\tm1\tm2\t1.1.1.1\t1\t2.2.2.2\t2\tx\nB\t1\tm2\tm1\t2.2.2.2\t2\t1.1.1.1\t1\ty\n"
        ));
        let b = Flows::parse(&format!(
            "{head}B\t1\tm1\tm2\t1.1.1.1\t1\t2.2.2.2\t2\tx\nA\t1\tm2\tm1\t2.2.2.2\t2\t1.1.1.1\t1\ty\n"
        ));
        assert_eq!(cells(&a, &["v"]), cells(&b, &["v"]));
    }
}
