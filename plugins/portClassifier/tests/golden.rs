//! portClassifier against T2 0.9.3's runs with its ten default plugins
//! (`../shared/golden/<capture>/default-all/`): the release `tranalyzer` with those of them rt2
//! has on every shared capture must write T2's `dstPortClassN dstPortClass` cells and column
//! descriptions, and no report line (T2 has none; see `rt2_golden::Golden`). A run in
//! packet mode (`-s`) writes the flow's port and name on every packet line. Needs the release
//! build (`cargo build --release --workspace`).

use plugin_api::Plugin;
use plugin_api::testing::{TestHost, columns};
use portClassifier::{PortClassifier, flags};
use rt2_golden::{PluginDir, run_t2, shared_dir};

fn plugins() -> PluginDir {
    PluginDir::with(&["basicFlow", "portClassifier", "basicStats", "tcpFlags", "tcpStates", "txtSink"])
}

#[test]
fn every_capture_matches_the_reference() {
    let own = columns(&PortClassifier::new(TestHost::new().host())).into_iter().map(|c| c.name);
    rt2_golden::Golden::new("portClassifier").variant("default-all").flags(flags::CHANGED).columns(own).check();
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
