//! One plugin's output against T2's reference run of the same capture (`../shared/golden/
//! <capture>/<variant>/`): its flow columns by (direction, flow index), its end-report lines
//! and its side files. For plugin crates' golden tests, which run the release `tranalyzer`
//! with a plugin set on every shared capture that has the variant.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::{Flows, PluginDir, run_t2};

/// T2 0.9.3 rejects Linux cooked v2 captures (rt2 decodes them): no reference to compare with.
pub const REJECTED_BY_T2: &str = "linux-sll2-icmp";

/// What to compare for one plugin.
#[derive(Debug, Clone, Copy)]
pub struct Check<'a> {
    /// Reference configuration, e.g. `default-all`.
    pub variant: &'a str,
    /// Plugins to load (each a crate under `plugins/`).
    pub plugins: &'a [&'a str],
    /// Flow columns to compare.
    pub columns: &'a [&'a str],
    /// End-report lines starting with `<plugin>:` are compared.
    pub plugin: &'a str,
    /// Suffixes of side files compared byte for byte, e.g. `_icmpStats.txt`.
    pub files: &'a [&'a str],
}

/// The captures of `shared/pcaps` with a `variant` reference, except [`REJECTED_BY_T2`]: name and
/// path, sorted by name.
pub fn captures(shared: &Path, variant: &str) -> Vec<(String, PathBuf)> {
    let mut found: Vec<(String, PathBuf)> = std::fs::read_dir(shared.join("pcaps"))
        .expect("reading the shared captures")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "pcap" || e == "pcapng"))
        .filter_map(|p| Some((p.file_stem()?.to_str()?.to_owned(), p)))
        .filter(|(n, _)| n != REJECTED_BY_T2 && shared.join("golden").join(n).join(variant).is_dir())
        .collect();
    found.sort();
    found
}

/// The lines of `log` starting with `<plugin>:`, colours removed.
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
    plain.lines().filter(|l| l.starts_with(&prefix)).map(str::to_owned).collect()
}

/// The cells of `columns` keyed by (direction, flow index).
fn cells(flows: &Flows, columns: &[&str]) -> BTreeMap<(String, String), Vec<String>> {
    let pos: Vec<usize> = columns
        .iter()
        .map(|c| flows.columns.iter().position(|n| n == c).unwrap_or_else(|| panic!("no column {c}")))
        .collect();
    flows.rows.iter().map(|r| ((r[0].clone(), r[1].clone()), pos.iter().map(|&i| r[i].clone()).collect())).collect()
}

/// Runs `check` on every capture with a reference; returns how many were compared and every
/// difference found, one line each.
pub fn compare_all(shared: &Path, check: &Check<'_>) -> (usize, Vec<String>) {
    let plugins = PluginDir::with(check.plugins);
    let caps = captures(shared, check.variant);
    let diffs = caps.iter().flat_map(|(name, pcap)| compare(shared, &plugins, name, pcap, check)).collect();
    (caps.len(), diffs)
}

fn compare(shared: &Path, plugins: &PluginDir, name: &str, pcap: &Path, check: &Check<'_>) -> Vec<String> {
    let golden = shared.join("golden").join(name).join(check.variant);
    let read = |suffix: &str| std::fs::read_to_string(golden.join(format!("{name}{suffix}"))).ok();
    let run = run_t2(plugins.path(), &["-r", pcap.to_str().expect("a UTF-8 path"), "-l"]);
    let mut diffs = Vec::new();
    let want = cells(&Flows::parse(&read("_flows.txt").unwrap_or_default()), check.columns);
    let got = cells(&run.flows(), check.columns);
    if want.keys().ne(got.keys()) {
        diffs.push(format!("{name}: {} flows expected, {} written", want.len(), got.len()));
    }
    for (key, w) in &want {
        let Some(g) = got.get(key) else { continue };
        for ((col, w), g) in check.columns.iter().zip(w).zip(g) {
            if w != g {
                diffs.push(format!("{name}: {} {} {col}: expected {w}, got {g}", key.0, key.1));
            }
        }
    }
    let (want, got) = (read("_log.txt").unwrap_or_default(), run.file("_log.txt").unwrap_or_default());
    let (want, got) = (report_lines(&want, check.plugin), report_lines(&got, check.plugin));
    if want != got {
        diffs.push(format!("{name}: report {want:#?} expected, got {got:#?}"));
    }
    for suffix in check.files {
        let (want, got) = (read(suffix), run.file(suffix));
        if want != got {
            diffs.push(format!("{name}: {suffix} differs:\n--- expected\n{want:?}\n--- written\n{got:?}"));
        }
    }
    diffs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_colours_are_stripped() {
        let log = "x\n\x1b[1micmpDecode:\x1b[0m Aggregated icmpStat=0x01\nicmpDecode: y\nicmpDecodeX: z\n";
        assert_eq!(report_lines(log, "icmpDecode"), ["icmpDecode: Aggregated icmpStat=0x01", "icmpDecode: y"]);
    }
}
