//! Every shared capture, whole and cut at 20 places, through the release binary with the
//! default plugins: it never crashes, and the flow file holds every flow the run counted.

use std::path::Path;

use rt2_tests::{PluginDir, run_t2, shared_dir};

/// T2's default plugins that exist so far.
const DEFAULT: [&str; 7] =
    ["basicFlow", "macRecorder", "portClassifier", "basicStats", "tcpFlags", "tcpStates", "txtSink"];

/// Runs `pcap` and checks the outcome; `what` names the case in failures.
fn check(plugins: &PluginDir, pcap: &Path, what: &str) {
    let run = run_t2(plugins.path(), &["-r", pcap.to_str().unwrap()]);
    let code = run.code();
    let stderr = run.stderr();
    assert!(code.is_some(), "{what}: killed by a signal\n{stderr}");
    assert!(!stderr.contains("panicked"), "{what}: {stderr}");
    if code == Some(1) {
        // only an unusable file header stops a run before it starts
        assert!(
            ["pcap_open_offline failed", "is not a valid PCAP", "is empty", "Failed to read data from file"]
                .iter()
                .any(|m| stderr.contains(m)),
            "{what}: exit 1 with\n{stderr}"
        );
        return;
    }
    assert_eq!(code, Some(0), "{what}: {stderr}");
    let log = run.stdout();
    let flows: usize = log
        .lines()
        .find_map(|l| l.strip_prefix("Number of processed      flows: "))
        .map_or(0, |n| n.split_whitespace().next().unwrap().parse().unwrap());
    let text = run.file("_flows.txt").unwrap_or_else(|| panic!("{what}: no flow file"));
    assert!(text.is_empty() || text.ends_with('\n'), "{what}: last line cut");
    let rows = text.lines().filter(|l| !l.starts_with('%')).count();
    assert_eq!(rows, flows, "{what}: flow rows vs 'Number of processed flows'");
}

#[test]
fn every_capture_whole_and_truncated() {
    let Some(shared) = shared_dir() else { return };
    let plugins = PluginDir::with(&DEFAULT);
    let mut captures: Vec<_> = std::fs::read_dir(shared.join("pcaps"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pcap" || e == "pcapng"))
        .collect();
    captures.sort();
    assert!(captures.len() >= 50);
    // two workers, one per core of the CI machine; the cut points are fixed by the seed
    std::thread::scope(|s| {
        for (worker, chunk) in captures.chunks(captures.len().div_ceil(2)).enumerate() {
            let plugins = &plugins;
            s.spawn(move || {
                let cut_dir = tempfile::tempdir().unwrap();
                let mut seed = 0x2545_f491_4f6c_dd1du64 + worker as u64;
                let mut next = move || {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    seed
                };
                for pcap in chunk {
                    let name = pcap.file_name().unwrap().to_str().unwrap();
                    check(plugins, pcap, name);
                    let bytes = std::fs::read(pcap).unwrap();
                    for _ in 0..20 {
                        let cut = (next() % bytes.len() as u64) as usize;
                        let path = cut_dir.path().join(name);
                        std::fs::write(&path, &bytes[..cut]).unwrap();
                        check(plugins, &path, &format!("{name} cut at {cut} of {}", bytes.len()));
                    }
                }
            });
        }
    });
}
