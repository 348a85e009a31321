//! Against T2 0.9.3's own output in `shared/golden`: the release `tranalyzer` with T2's default
//! five plugins (the reference's set: tcpStates' timeouts decide when flows end, and tcpFlags
//! reads the run's aggregated state at that moment) on every shared capture must write
//! tcpFlags' columns (and flowStat, where tcpFlags raises the timestamp-jump bit) and end-report
//! lines exactly as T2 did.
//!
//! Needs the release build (`cargo build --release -p tranalyzer -p basicFlow -p tcpFlags -p
//! txtSink`); without `../shared` the test is skipped, unless `RT2_REQUIRE_SHARED` is set.

use std::collections::HashMap;
use std::path::Path;

use rt2_tests::{Flows, PluginDir, run_t2, shared_dir};

/// T2 0.9.3 rejects this capture; rt2 decodes it (tested by the workspace's conformance test).
const REJECTED: &str = "linux-sll2-icmp";

/// The columns compared: flowStat and tcpFlags' own, as the golden headers list them.
fn compared_columns(golden: &Flows) -> Vec<String> {
    let first = golden.columns.iter().position(|c| c == "tcpFStat").expect("tcpFStat in the reference");
    let last = golden.columns.iter().position(|c| c == "tcpRTTAckJitAvg").expect("tcpRTTAckJitAvg");
    let mut cols = vec!["flowStat".to_owned()];
    cols.extend_from_slice(&golden.columns[first..=last]);
    cols
}

/// Rows by (dir, flowInd).
fn by_flow(f: &Flows) -> HashMap<(String, String), &Vec<String>> {
    f.rows.iter().map(|r| ((r[0].clone(), r[1].clone()), r)).collect()
}

/// The `tcpFlags:` lines of an end report, colours removed.
fn report_lines(log: &str) -> Vec<String> {
    log.lines()
        .map(|l| l.replace("\x1b[1m", "").replace("\x1b[0m", ""))
        .filter(|l| l.starts_with("tcpFlags:"))
        .collect()
}

/// Differences between our run and the reference for one capture; `cells` counts the cells
/// compared.
fn compare(name: &str, pcap: &Path, golden_dir: &Path, plugins: &PluginDir, cells: &mut usize) -> Vec<String> {
    let run = run_t2(plugins.path(), &["-r", pcap.to_str().unwrap(), "-l"]);
    assert_eq!(run.code(), Some(0), "{name}: {}", run.stderr());
    let mut diffs = Vec::new();

    let golden_log = std::fs::read_to_string(golden_dir.join(format!("{name}_log.txt"))).unwrap();
    let log = run.file("_log.txt").unwrap_or_default();
    if report_lines(&golden_log) != report_lines(&log) {
        diffs.push(format!("{name}: report {:?}, expected {:?}", report_lines(&log), report_lines(&golden_log)));
    }

    let golden = Flows::parse(&std::fs::read_to_string(golden_dir.join(format!("{name}_flows.txt"))).unwrap());
    let ours = run.flows();
    let ours_rows = by_flow(&ours);
    let golden_rows = by_flow(&golden);
    assert_eq!(ours_rows.len(), golden_rows.len(), "{name}: number of flows");
    for col in compared_columns(&golden) {
        let g = golden.columns.iter().position(|c| *c == col).unwrap();
        let Some(o) = ours.columns.iter().position(|c| *c == col) else {
            diffs.push(format!("{name}: no column {col}"));
            continue;
        };
        for (key, grow) in &golden_rows {
            let orow = ours_rows.get(key).unwrap_or_else(|| panic!("{name}: no flow {key:?}"));
            *cells += 1;
            if orow[o] != grow[g] {
                diffs.push(format!("{name} {key:?} {col}: {} expected {}", orow[o], grow[g]));
            }
        }
    }
    diffs
}

#[test]
fn flow_columns_and_report_match_t2() {
    let Some(shared) = shared_dir() else { return };
    let plugins = PluginDir::with(&["basicFlow", "basicStats", "tcpFlags", "tcpStates", "txtSink"]);
    let mut captures: Vec<_> = std::fs::read_dir(shared.join("pcaps"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("pcap" | "pcapng")))
        .collect();
    captures.sort();
    let mut diffs = Vec::new();
    let mut compared = 0;
    let mut cells = 0;
    for pcap in &captures {
        let name = pcap.file_stem().unwrap().to_str().unwrap();
        let golden_dir = shared.join("golden").join(name).join("default");
        if name == REJECTED || !golden_dir.is_dir() {
            continue;
        }
        diffs.extend(compare(name, pcap, &golden_dir, &plugins, &mut cells));
        compared += 1;
    }
    assert!(compared >= 45, "only {compared} captures compared");
    assert!(cells > 100_000, "only {cells} cells compared");
    assert!(diffs.is_empty(), "{} differences, first ones:\n{}", diffs.len(), diffs[..diffs.len().min(30)].join("\n"));
}
