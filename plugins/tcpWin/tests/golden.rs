//! tcpWin against the reference T2 run with the tutorial plugin (`shared/golden/<capture>/tcpwin/`):
//! the release `tranalyzer` with basicFlow, tcpWin and txtSink on every shared capture must
//! write the same summary file, the same `tcpWin:` end-report lines and the same five flow
//! columns. Build first: `cargo build --release -p tranalyzer -p basicFlow -p txtSink -p tcpWin`.

use std::path::{Path, PathBuf};

use rt2_tests::{Flows, PluginDir, run_t2};

/// T2 0.9.3 rejects this capture (Linux cooked v2) and writes no summary file; rt2 decodes it.
const REJECTED_BY_T2: &str = "linux-sll2-icmp";
/// Captures whose flows end differently without tcpStates' timeouts: the flow columns differ
/// (the per-packet counts, hence the report line and the summary file, do not).
const FLOWS_NEED_TCPSTATES: &[&str] = &["teredo"];
const COLUMNS: [&str; 5] = ["tcpWinStat", "tcpWinIPTTL", "tcpWinInit", "tcpWinThCnt", "tcpWinThRatio"];

/// `../shared` beside the clone. Missing, the test is skipped, unless `RT2_REQUIRE_SHARED` is
/// set (as CI does), which makes it fail.
fn shared_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    if dir.join("golden").is_dir() {
        return Some(dir);
    }
    assert!(std::env::var_os("RT2_REQUIRE_SHARED").is_none(), "{} is missing", dir.display());
    eprintln!("note: {} not found; golden tests skipped", dir.display());
    None
}

/// The `tcpWin:` lines of a log, without colour codes.
fn tcpwin_lines(log: &str) -> Vec<String> {
    let plain = |l: &str| {
        let mut out = String::new();
        let mut rest = l;
        while let Some(i) = rest.find('\x1b') {
            out.push_str(&rest[..i]);
            rest = rest[i..].find('m').map_or("", |j| &rest[i + j + 1..]);
        }
        out + rest
    };
    log.lines().map(plain).filter(|l| l.starts_with("tcpWin:")).collect()
}

/// The five tcpWin cells of every row, keyed by direction and flow index.
fn tcpwin_cells(flows: &Flows) -> Vec<(String, String, Vec<String>)> {
    let col = |name: &str| flows.columns.iter().position(|c| c == name).unwrap_or_else(|| panic!("no column {name}"));
    let cols: Vec<usize> = COLUMNS.iter().map(|c| col(c)).collect();
    let mut rows: Vec<_> =
        flows.rows.iter().map(|r| (r[0].clone(), r[1].clone(), cols.iter().map(|&i| r[i].clone()).collect())).collect();
    rows.sort();
    rows
}

#[test]
fn every_capture_matches_the_reference() {
    let Some(shared) = shared_dir() else { return };
    assert!(
        tcpWin::flags::CHANGED.is_empty(),
        "the reference used the default flags, not {:?}",
        tcpWin::flags::CHANGED
    );
    let plugins = PluginDir::with(&["basicFlow", "tcpWin", "txtSink"]);
    let mut pcaps: Vec<PathBuf> = std::fs::read_dir(shared.join("pcaps"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pcap" || e == "pcapng"))
        .collect();
    pcaps.sort();
    let (mut checked, mut diffs) = (0, Vec::new());
    for pcap in &pcaps {
        let name = pcap.file_stem().unwrap().to_str().unwrap();
        let golden = shared.join("golden").join(name).join("tcpwin");
        if !golden.is_dir() || name == REJECTED_BY_T2 {
            continue;
        }
        checked += 1;
        let read = |suffix: &str| std::fs::read_to_string(golden.join(format!("{name}{suffix}"))).unwrap();
        let run = run_t2(plugins.path(), &["-r", pcap.to_str().unwrap(), "-l"]);
        assert_eq!(run.code(), Some(0), "{name}: {}", run.stderr());
        if run.file("_tcpwin.txt").as_deref() != Some(read("_tcpwin.txt").as_str()) {
            diffs.push(format!("{name}: summary file {:?}", run.file("_tcpwin.txt")));
        }
        let (log, expected) = (tcpwin_lines(&run.file("_log.txt").unwrap()), tcpwin_lines(&read("_log.txt")));
        if log != expected {
            diffs.push(format!("{name}: report {log:?}, expected {expected:?}"));
        }
        let (cells, expected) = (tcpwin_cells(&run.flows()), tcpwin_cells(&Flows::parse(&read("_flows.txt"))));
        if cells != expected && !FLOWS_NEED_TCPSTATES.contains(&name) {
            let first = cells.iter().zip(&expected).find(|(a, b)| a != b);
            diffs.push(format!("{name}: flow columns differ, first {first:?}"));
        }
    }
    assert!(checked >= 45, "only {checked} captures have a tcpwin reference");
    assert!(diffs.is_empty(), "{} of {checked} captures differ:\n{}", diffs.len(), diffs.join("\n"));
}
