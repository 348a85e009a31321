//! icmpDecode against T2 0.9.3's runs with its ten default plugins
//! (`../shared/golden/<capture>/default-all/`): the release `tranalyzer` with those of them rt2
//! has on every shared capture must write T2's icmpDecode cells and column descriptions, the
//! flowStat its direction correction sets, T2's `icmpDecode:` report lines and
//! `_icmpStats.txt` (see `rt2_golden::Golden`). A run in packet mode (`-s`) shows every
//! message and its parent. Needs the release build (`cargo build --release --workspace`).

use icmpDecode::{IcmpDecode, flags};
use plugin_api::Plugin;
use plugin_api::testing::{TestHost, columns};
use rt2_golden::{PluginDir, run_t2, shared_dir};

#[test]
fn every_capture_matches_the_reference() {
    let own = columns(&IcmpDecode::new(TestHost::new().host())).into_iter().map(|c| c.name);
    rt2_golden::Golden::new("icmpDecode")
        .variant("default-all")
        .flags(flags::CHANGED)
        .columns(own)
        .columns(["flowStat"])
        .files(["_icmpStats.txt"])
        .check();
}

/// Packet mode (`-s`) on a traceroute: every packet has icmpDecode's five fields and the parent
/// column; a time exceeded names its flow as parent (T2 looks up the packet's own header), an
/// echo has none; the last status of a flow is its flow column's.
#[test]
fn packet_mode_shows_each_message_and_its_parent() {
    let Some(shared) = shared_dir() else { return };
    let pcap = shared.join("pcaps/icmp-traceroute.pcapng");
    let plugins = PluginDir::with(&["basicFlow", "icmpDecode", "txtSink"]);
    let run = run_t2(plugins.path(), &["-r", pcap.to_str().unwrap(), "-s"]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    let packets = run.file("_packets.txt").expect("a packet file");
    let mut lines = packets.lines();
    let header: Vec<&str> = lines.next().unwrap().trim_start_matches('%').split('\t').collect();
    let col = |n: &str| header.iter().position(|c| *c == n).unwrap_or_else(|| panic!("no {n} in {header:?}"));
    let (flow, stat, typ, code, pfi) =
        (col("flowInd"), col("icmpStat"), col("icmpType"), col("icmpCode"), col("icmpPFindex"));
    assert_eq!(header[stat..=pfi], ["icmpStat", "icmpType", "icmpCode", "icmpID", "icmpSeq", "icmpPFindex"]);
    let mut last_stat = std::collections::BTreeMap::new();
    let mut types = std::collections::BTreeMap::new();
    for l in lines {
        let f: Vec<&str> = l.split('\t').collect();
        match (f[typ], f[code]) {
            ("11", "0") => assert_eq!(f[pfi], f[flow], "{l}"),
            ("8" | "0", "0") => assert_eq!(f[pfi], "", "{l}"),
            other => panic!("unexpected type/code {other:?}: {l}"),
        }
        *types.entry(f[typ].to_owned()).or_insert(0) += 1;
        last_stat.insert(f[flow].to_owned(), f[stat].to_owned());
    }
    assert_eq!(types.into_iter().collect::<Vec<_>>(), [("0".into(), 3), ("11".into(), 24), ("8".into(), 27)]);
    let flows = run.flows();
    for (index, s) in last_stat {
        let dirs: Vec<&str> = flows.rows.iter().filter(|r| r[1] == index).map(|r| r[0].as_str()).collect();
        assert!(dirs.iter().any(|d| flows.get(d, index.parse().unwrap(), "icmpStat") == s), "flow {index}: {s}");
    }
}
