//! Comparing one plugin's output with T2's reference runs in `../shared/golden`: its flow
//! columns, its lines of the end report and of the headers' column table, on every capture
//! with a reference of a given configuration.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::{Flows, Run};

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
                diffs.push(format!("{name}: {} {}: expected {w:?}, got {g:?}", key.0, key.1));
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

impl Reference {
    /// What differs between the reference's side file `NAME<suffix>` (e.g. `_icmpStats.txt`)
    /// and the one `run` wrote: nothing, or one line naming the capture and the first line
    /// that differs.
    pub fn compare_file(&self, run: &Run, suffix: &str) -> Option<String> {
        let (want, got) = (self.file(suffix), run.file(suffix));
        if want == got {
            return None;
        }
        let name = &self.name;
        let (want, got) = match (want, got) {
            (Some(w), Some(g)) => (w, g),
            (None, _) => return Some(format!("{name}: {suffix} written, T2 wrote none")),
            (_, None) => return Some(format!("{name}: {suffix} not written")),
        };
        let (mut w, mut g) = (want.lines(), got.lines());
        let mut n = 1;
        loop {
            match (w.next(), g.next()) {
                (Some(a), Some(b)) if a == b => n += 1,
                (a, b) => return Some(format!("{name}: {suffix} line {n}: expected {a:?}, got {b:?}")),
            }
        }
    }
}

/// The cells of `columns` by (dir, flowInd), in the order given.
pub fn cells(flows: &Flows, columns: &[&str]) -> BTreeMap<(String, String), Vec<String>> {
    let pos: Vec<usize> = columns
        .iter()
        .map(|c| flows.columns.iter().position(|f| f == c).unwrap_or_else(|| panic!("no column {c}")))
        .collect();
    flows.rows.iter().map(|r| ((r[0].clone(), r[1].clone()), pos.iter().map(|&i| r[i].clone()).collect())).collect()
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
    fn cells_are_keyed_by_direction_and_flow_index() {
        let f = Flows::parse("%dir\tflowInd\ta\tb\nA\t1\tx\ty\nB\t1\tz\tw\n");
        let c = cells(&f, &["b"]);
        assert_eq!(c[&("B".to_owned(), "1".to_owned())], ["w"]);
        assert_eq!(c.len(), 2);
    }
}
