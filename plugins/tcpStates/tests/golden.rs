//! The release `tranalyzer` with basicFlow, tcpStates and txtSink on every shared capture,
//! against T2 0.9.3's reference outputs in `shared/golden/<capture>/default`: the
//! `tcpStatesAFlags` column, the flow times (tcpStates' timeouts decide when flows end) and the
//! `tcpStates:` end-report lines.
//!
//! Needs the release build (`cargo build --release -p tranalyzer -p basicFlow -p tcpStates
//! -p txtSink`); never calls cargo itself, which would deadlock on cargo's build lock.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Columns compared: this plugin's and those its timeouts change.
const COLUMNS: &[&str] = &["tcpStatesAFlags", "timeFirst", "timeLast", "duration"];

/// T2 0.9.3 stops at the first packet of this capture; rt2 decodes it (no reference flows).
const REJECTED_BY_T2: &str = "linux-sll2-icmp";

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared` beside the clone. Missing, the test is skipped, unless `RT2_REQUIRE_SHARED` is
/// set (as CI does), which makes it fail.
fn shared_dir() -> Option<PathBuf> {
    let dir = manifest_dir().join("../../../shared");
    if dir.join("golden").is_dir() {
        return Some(dir);
    }
    assert!(std::env::var_os("RT2_REQUIRE_SHARED").is_none(), "{} is missing", dir.display());
    eprintln!("note: {} not found; golden tests skipped", dir.display());
    None
}

/// A release artifact, which must exist.
fn artifact(file: &str) -> PathBuf {
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| manifest_dir().join("../../target"), PathBuf::from);
    let path = target.join("release").join(file);
    assert!(path.exists(), "{} is missing: build the release binaries first", path.display());
    path
}

/// A flow file: rows by (dir, flowInd), each a map from column name to value.
fn flows(text: &str) -> HashMap<(String, String), HashMap<String, String>> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().and_then(|l| l.strip_prefix('%')).expect("header line").split('\t').collect();
    lines
        .map(|l| {
            let row: HashMap<String, String> =
                header.iter().zip(l.split('\t')).map(|(k, v)| ((*k).to_owned(), v.to_owned())).collect();
            ((row["dir"].clone(), row["flowInd"].clone()), row)
        })
        .collect()
}

/// Type, name and description of the `tcpStatesAFlags` row of a headers file.
fn column_row(headers: &str) -> Option<String> {
    let row = headers.lines().find(|l| l.split('\t').nth(2) == Some("tcpStatesAFlags"))?;
    Some(row.split_once('\t')?.1.to_owned())
}

/// The `tcpStates:` lines of an end report, colours removed.
fn report_lines(log: &str) -> Vec<String> {
    log.lines()
        .map(|l| {
            let mut s = String::new();
            let mut rest = l;
            while let Some(i) = rest.find('\x1b') {
                s.push_str(&rest[..i]);
                rest = rest[i..].find('m').map_or("", |j| &rest[i + j + 1..]);
            }
            s + rest
        })
        .filter(|l| l.starts_with("tcpStates:"))
        .collect()
}

#[test]
fn flows_and_report_match_t2() {
    let Some(shared) = shared_dir() else { return };
    let plugins = tempfile::tempdir().unwrap();
    for (lib, installed) in [("basicFlow", "100_basicFlow"), ("tcpStates", "132_tcpStates"), ("txtSink", "901_txtSink")]
    {
        std::fs::copy(artifact(&format!("lib{lib}.so")), plugins.path().join(format!("{installed}.so"))).unwrap();
    }
    let mut captures: Vec<String> = std::fs::read_dir(shared.join("golden"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| shared.join("golden").join(n).join("default").is_dir() && n != REJECTED_BY_T2)
        .collect();
    captures.sort();
    assert!(captures.len() >= 49, "only {} captures", captures.len());
    let mut failures = Vec::new();
    let mut compared = 0;
    for name in &captures {
        let golden = shared.join("golden").join(name).join("default");
        let pcap = ["pcap", "pcapng"]
            .iter()
            .map(|ext| shared.join("pcaps").join(format!("{name}.{ext}")))
            .find(|p| p.exists())
            .unwrap_or_else(|| panic!("no capture for {name}"));
        let out = tempfile::tempdir().unwrap();
        let run = Command::new(artifact("tranalyzer"))
            .arg("-p")
            .arg(plugins.path())
            .arg("-r")
            .arg(&pcap)
            .arg("-w")
            .arg(format!("{}/", out.path().display()))
            .arg("-l")
            .output()
            .unwrap();
        assert!(run.status.success(), "{name}: {}", String::from_utf8_lossy(&run.stderr));
        let read = |dir: &Path, suffix: &str| std::fs::read_to_string(dir.join(format!("{name}{suffix}"))).unwrap();
        // the column's type and description (its number depends on the plugins loaded)
        let (want, got) = (column_row(&read(&golden, "_headers.txt")), column_row(&read(out.path(), "_headers.txt")));
        if want != got {
            failures.push(format!("{name}: header row {got:?}, expected {want:?}"));
        }
        let (want, got) = (flows(&read(&golden, "_flows.txt")), flows(&read(out.path(), "_flows.txt")));
        if want.len() != got.len() {
            failures.push(format!("{name}: {} flows, expected {}", got.len(), want.len()));
            continue;
        }
        for (key, row) in &want {
            let Some(ours) = got.get(key) else {
                failures.push(format!("{name}: no flow {key:?}"));
                continue;
            };
            for col in COLUMNS {
                compared += 1;
                if row[*col] != ours[*col] {
                    failures.push(format!("{name} {key:?} {col}: expected {} got {}", row[*col], ours[*col]));
                }
            }
        }
        let (want, got) = (report_lines(&read(&golden, "_log.txt")), report_lines(&read(out.path(), "_log.txt")));
        if want != got {
            failures.push(format!("{name}: report {got:?}, expected {want:?}"));
        }
    }
    assert!(failures.is_empty(), "{} differences:\n{}", failures.len(), failures.join("\n"));
    assert!(compared > 10_000, "only {compared} cells compared");
}
