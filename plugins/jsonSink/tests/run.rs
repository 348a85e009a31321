//! jsonSink in the release `tranalyzer` on the repository's sample capture: the file and `-w -`
//! (objects on standard output) hold the same objects, one valid JSON object per line. Needs
//! the release build (`cargo build --release --workspace`).

use std::process::Command;

use rt2_golden::{PluginDir, repo_root, run_t2, tranalyzer};
use serde_json::Value;

#[test]
fn file_and_stdout_hold_the_same_objects() {
    let plugins = PluginDir::with(&["basicFlow", "basicStats", "tcpFlags", "tcpStates", "jsonSink"]);
    let pcap = repo_root().join("samples/sample.pcap");
    let pcap = pcap.to_str().expect("a UTF-8 path");
    let run = run_t2(plugins.path(), &["-r", pcap]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    let file = run.file("_flows.json").expect("no _flows.json written");
    let out = Command::new(tranalyzer())
        .arg("-p")
        .arg(plugins.path())
        .args(["-r", pcap, "-w", "-"])
        .output()
        .expect("running tranalyzer");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).expect("UTF-8 output");
    let objects: Vec<&str> = stdout.lines().filter(|l| l.starts_with('{')).collect();
    assert_eq!(objects, file.lines().collect::<Vec<_>>());
    assert!(objects.len() >= 10, "only {} objects", objects.len());
    for l in objects {
        let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
        assert!(v.get("dir").is_some() && v.get("tcpFlags").is_some(), "{l}");
    }
}
