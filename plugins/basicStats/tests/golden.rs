//! basicStats against T2 0.9.3's own output in `../shared/golden`: the release `tranalyzer` with
//! T2's default five plugins (the reference's set: tcpStates' timeouts decide when flows end,
//! and so basicStats' numbers) on every shared capture must write T2's basicStats columns
//! and `basicStats:` end-report lines. Needs the release build (`cargo build --release`); skipped
//! when `../shared` is missing, unless `RT2_REQUIRE_SHARED` is set.

use std::collections::BTreeMap;
use std::path::Path;

use rt2_tests::{Flows, PluginDir, run_t2, shared_dir};

/// Captures whose reference these plugins cannot reproduce, and why.
const SKIP: &[(&str, &str)] = &[("linux-sll2-icmp", "T2 0.9.3 rejects Linux cooked v2; rt2 decodes it")];

/// The cells of basicStats' columns (`pktsSnt` to `bytAsm`) by (dir, flowInd) and column name.
fn basic_stats_cells(flows: &Flows) -> BTreeMap<(String, String), Vec<(String, String)>> {
    let pos = |name: &str| flows.columns.iter().position(|c| c == name).unwrap_or_else(|| panic!("no column {name}"));
    let (first, last) = (pos("pktsSnt"), pos("bytAsm"));
    flows
        .rows
        .iter()
        .map(|r| {
            let cells = (first..=last).map(|i| (flows.columns[i].clone(), r[i].clone())).collect();
            ((r[0].clone(), r[1].clone()), cells)
        })
        .collect()
}

/// The `basicStats:` lines of a log, colours removed.
fn report_lines(log: &str) -> Vec<String> {
    let mut plain = String::with_capacity(log.len());
    let mut rest = log;
    while let Some(i) = rest.find('\x1b') {
        plain.push_str(&rest[..i]);
        rest = &rest[i..];
        rest = rest.find('m').map_or("", |m| &rest[m + 1..]);
    }
    plain.push_str(rest);
    plain.lines().filter(|l| l.starts_with("basicStats:")).map(str::to_owned).collect()
}

/// `line` without the ` (CC)` after a talker's address. The reference's tables knew no country
/// for public IPv4 addresses: where it printed none, any is accepted (as `t2conform --geo`).
fn without_country(line: &str) -> String {
    let Some(at) = line.find("flow talker: ").map(|a| a + "flow talker: ".len()) else { return line.to_owned() };
    let Some(end) = line[at..].find(": ").map(|e| at + e) else { return line.to_owned() };
    let before = &line[..end];
    match before.len().checked_sub(5).map(|i| &before[i..]) {
        Some(cc) if cc.starts_with(" (") && cc.ends_with(')') && cc[2..4].bytes().all(|b| b.is_ascii_uppercase()) => {
            format!("{}{}", &line[..end - 5], &line[end..])
        }
        _ => line.to_owned(),
    }
}

/// What differs between T2's output for `name` and ours.
fn compare(plugins: &Path, shared: &Path, name: &str) -> Vec<String> {
    let golden = shared.join("golden").join(name).join("default");
    let pcap = shared.join("pcaps").join(format!("{name}.pcap"));
    let pcap = if pcap.exists() { pcap } else { shared.join("pcaps").join(format!("{name}.pcapng")) };
    let run = run_t2(plugins, &["-r", pcap.to_str().unwrap(), "-l"]);
    let mut diffs = Vec::new();
    let want = std::fs::read_to_string(golden.join(format!("{name}_flows.txt"))).unwrap();
    let (want, got) = (basic_stats_cells(&Flows::parse(&want)), basic_stats_cells(&run.flows()));
    if want.keys().ne(got.keys()) {
        diffs.push(format!("{name}: flows differ: {} expected, {} written", want.len(), got.len()));
    }
    for (key, cells) in &want {
        let Some(ours) = got.get(key) else { continue };
        for ((col, w), (_, g)) in cells.iter().zip(ours) {
            if w != g {
                diffs.push(format!("{name}: {} {} {col}: expected {w}, got {g}", key.0, key.1));
            }
        }
    }
    let want = std::fs::read_to_string(golden.join(format!("{name}_log.txt"))).unwrap();
    let got = run.file("_log.txt").unwrap_or_default();
    let (want, mut got) = (report_lines(&want), report_lines(&got));
    for (g, w) in got.iter_mut().zip(&want) {
        if without_country(w) == *w {
            *g = without_country(g);
        }
    }
    if want != got {
        diffs.push(format!("{name}: report {want:#?} expected, got {got:#?}"));
    }
    diffs
}

#[test]
fn columns_and_report_match_t2_on_every_shared_capture() {
    let Some(shared) = shared_dir() else { return };
    let plugins = PluginDir::with(&["basicFlow", "basicStats", "tcpFlags", "tcpStates", "txtSink"]);
    let mut names: Vec<String> = std::fs::read_dir(shared.join("golden"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("default").is_dir())
        .map(|p| p.file_name().unwrap().to_str().unwrap().to_owned())
        .filter(|n| !SKIP.iter().any(|(s, _)| s == n))
        .collect();
    names.sort();
    assert!(names.len() >= 45, "only {} captures under {}", names.len(), shared.display());
    let diffs: Vec<String> = names.iter().flat_map(|n| compare(plugins.path(), &shared, n)).collect();
    assert!(diffs.is_empty(), "{} differences:\n{}", diffs.len(), diffs.join("\n"));
}

#[test]
fn report_colours_are_stripped() {
    let log = "x\n\x1b[1mbasicStats:\x1b[0m Flow max(pktload): 0\nbasicStats: y\n";
    assert_eq!(report_lines(log), ["basicStats: Flow max(pktload): 0", "basicStats: y"]);
}

#[test]
fn talker_countries_are_stripped() {
    let line = "basicStats: Biggest L3 flow talker: 8.8.8.8 (US): 4 [66.67%] packets";
    assert_eq!(without_country(line), "basicStats: Biggest L3 flow talker: 8.8.8.8: 4 [66.67%] packets");
    let plain = "basicStats: Biggest L3 flow talker: 2001:db8::1: 1 [100.00%] packets";
    assert_eq!(without_country(plain), plain);
    assert_eq!(without_country("basicStats: Flow max(pktload): 0"), "basicStats: Flow max(pktload): 0");
}
