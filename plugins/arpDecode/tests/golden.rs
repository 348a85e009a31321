//! arpDecode against T2 0.9.3's runs with the decoders set
//! (`../shared/golden/<capture>/decoders/`): the release `tranalyzer` with those of its plugins
//! rt2 has on every shared capture must write T2's arpDecode cells, column descriptions and
//! `arpDecode:` report lines (see `rt2_golden::Golden`). Needs the release build
//! (`cargo build --release --workspace`).

use arpDecode::{ArpDecode, PACKET_COLUMNS, flags};
use plugin_api::Plugin;
use plugin_api::testing::{TestHost, columns};

#[test]
fn every_capture_matches_the_reference() {
    let own = columns(&ArpDecode::new(TestHost::new().host())).into_iter().map(|c| c.name);
    rt2_golden::Golden::new("arpDecode").variant("decoders").flags(flags::CHANGED).columns(own).check();
}

/// Packet mode (`-s`) on the gratuitous-ARP capture: every packet line has arpDecode's ten
/// fields, Ethernet/IPv4 sizes, the sender of the frame, and the last status of each flow is its
/// flow column's.
#[test]
fn packet_mode_shows_each_message() {
    let Some(shared) = rt2_golden::shared_dir() else { return };
    let pcap = shared.join("pcaps/arp-gratuitous-badpadding.pcapng");
    let plugins = rt2_golden::PluginDir::with(&["basicFlow", "arpDecode", "txtSink"]);
    let run = rt2_golden::run_t2(plugins.path(), &["-r", pcap.to_str().unwrap(), "-s"]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    let packets = run.file("_packets.txt").expect("a packet file");
    let mut lines = packets.lines();
    let header: Vec<&str> = lines.next().unwrap().trim_start_matches('%').split('\t').collect();
    let col = |n: &str| header.iter().position(|c| *c == n).unwrap_or_else(|| panic!("no {n} in {header:?}"));
    let (flow, stat, smac) = (col("flowInd"), col("arpStat"), col("arpSenderMAC"));
    assert_eq!(header[stat..stat + 10], PACKET_COLUMNS);
    let mut last_stat = std::collections::BTreeMap::new();
    let mut n = 0;
    for l in lines {
        let f: Vec<&str> = l.split('\t').collect();
        assert_eq!(f[stat + 1..stat + 5], ["1", "0x0800", "6", "4"], "{l}");
        assert!(["1", "2"].contains(&f[stat + 5]), "{l}");
        assert_eq!(f[smac].len(), 17, "{l}");
        last_stat.insert(f[flow].to_owned(), f[stat].to_owned());
        n += 1;
    }
    assert_eq!(n, 105);
    let flows = run.flows();
    assert_eq!(last_stat.len(), 99);
    for (index, s) in last_stat {
        assert_eq!(flows.get("A", index.parse().unwrap(), "arpStat"), s, "flow {index}");
    }
}
