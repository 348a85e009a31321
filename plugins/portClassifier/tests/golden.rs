//! portClassifier against T2 0.9.3's runs with its ten default plugins
//! (`../shared/golden/<capture>/default-all/`): the release `tranalyzer` with the default five,
//! portClassifier and txtSink on every shared capture must write T2's `dstPortClassN
//! dstPortClass` cells and column descriptions, and no report line (T2 has none). A run in
//! packet mode (`-s`) writes the flow's port and name on every packet line. Needs the release
//! build (`cargo build --release --workspace`).

use rt2_tests::golden::Reference;
use rt2_tests::{PluginDir, run_t2, shared_dir};

/// T2 0.9.3 rejects Linux cooked v2 captures; rt2 decodes them.
const SKIP: &[&str] = &["linux-sll2-icmp"];
const COLUMNS: [&str; 2] = ["dstPortClassN", "dstPortClass"];

fn plugins() -> PluginDir {
    PluginDir::with(&["basicFlow", "portClassifier", "basicStats", "tcpFlags", "tcpStates", "txtSink"])
}

#[test]
fn every_capture_matches_the_reference() {
    let Some(shared) = shared_dir() else { return };
    assert!(portClassifier::flags::CHANGED.is_empty(), "the reference used the default flags");
    let plugins = plugins();
    let refs = Reference::all(&shared, "default-all", SKIP);
    assert!(refs.len() >= 45, "only {} captures have a default-all reference", refs.len());
    let mut diffs = Vec::new();
    for r in &refs {
        let run = run_t2(plugins.path(), &["-r", r.pcap.to_str().unwrap(), "-l"]);
        assert_eq!(run.code(), Some(0), "{}: {}", r.name, run.stderr());
        diffs.extend(r.compare_plugin(&run, "portClassifier", &COLUMNS));
    }
    assert!(diffs.is_empty(), "{} differences:\n{}", diffs.len(), diffs.join("\n"));
}

#[test]
fn packet_mode_writes_the_flows_port_and_name() {
    let Some(shared) = shared_dir() else { return };
    let plugins = plugins();
    let pcap = shared.join("pcaps/dns-http-wikipedia.pcap");
    let run = run_t2(plugins.path(), &["-r", pcap.to_str().unwrap(), "-s"]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    let packets = run.file("_packets.txt").expect("a packet file");
    let mut lines = packets.lines().filter(|l| !l.starts_with('#'));
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let col = |n: &str| header.iter().position(|c| *c == n).unwrap_or_else(|| panic!("no {n} in {header:?}"));
    let (flow, num, name) = (col("flowInd"), col("dstPortClassN"), col("dstPortClass"));
    let flows = run.flows();
    let (mut seen, mut total) = (std::collections::BTreeSet::new(), 0);
    for l in lines {
        let f: Vec<&str> = l.split('\t').collect();
        let row = flows.rows.iter().find(|r| r[1] == f[flow]).expect("the packet's flow");
        let want = |c: &str| row[flows.columns.iter().position(|x| x == c).unwrap()].as_str();
        // T2 leaves the number empty on the lines of layer-2 flows (the flow file has 0)
        let want_num = if want("l4Proto") == "0" { "" } else { want("dstPortClassN") };
        assert_eq!((f[num], f[name]), (want_num, want("dstPortClass")), "{l}");
        seen.insert(f[name].to_owned());
        total += 1;
    }
    assert!(total > 10 && seen.contains("http") && seen.contains("domain"), "{total} packets, {seen:?}");
}
