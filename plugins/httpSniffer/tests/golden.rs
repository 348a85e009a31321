//! httpSniffer against T2 0.9.3's runs with the decoders set
//! (`../shared/golden/<capture>/decoders/`): the release `tranalyzer` with those of its plugins
//! rt2 has, on every shared capture, must write T2's httpSniffer cells and column
//! descriptions and T2's `httpSniffer:` report lines (see `rt2_golden::Golden`). A run in
//! packet mode (`-s`) shows the flow's bits after each packet. Needs the release build
//! (`cargo build --release --workspace`).

use httpSniffer::{HttpSniffer, flags};
use plugin_api::Plugin;
use plugin_api::testing::{TestHost, columns};
use rt2_golden::{PluginDir, run_t2, shared_dir};

#[test]
fn every_capture_matches_the_reference() {
    let own = columns(&HttpSniffer::new(TestHost::new().host())).into_iter().map(|c| c.name);
    rt2_golden::Golden::new("httpSniffer").variant("decoders").flags(flags::CHANGED).columns(own).check();
}

/// Packet mode on an HTTP download: every packet has httpSniffer's five fields; the request
/// sets GET in the A flow at its first payload packet, the response the text MIME type in B,
/// and each flow's last line holds its flow columns' bits (less the header-reading state).
#[test]
fn packet_mode_follows_the_flow_bits() {
    let Some(shared) = shared_dir() else { return };
    let pcap = shared.join("pcaps/http-session.pcap");
    let plugins = PluginDir::with(&["basicFlow", "httpSniffer", "txtSink"]);
    let run = run_t2(plugins.path(), &["-r", pcap.to_str().unwrap(), "-s"]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    let packets = rt2_golden::Flows::parse(&run.file("_packets.txt").expect("a packet file"));
    let col = |n: &str| packets.columns.iter().position(|c| c == n).unwrap_or_else(|| panic!("no {n}"));
    let (flow, fstat, st) = (col("flowInd"), col("flowStat"), col("httpStat"));
    assert_eq!(packets.columns[st..st + 5], ["httpStat", "httpAFlags", "httpMethods", "httpHeadMimes", "httpCFlags"]);
    let mut last = std::collections::BTreeMap::new();
    let mut seen_get = false;
    for f in &packets.rows {
        // the direction is the low bit of flowStat
        let b = u64::from_str_radix(f[fstat].trim_start_matches("0x"), 16).unwrap() & 1 == 1;
        let dir = if b { "B" } else { "A" };
        seen_get |= dir == "A" && f[st + 2] == "0x02";
        last.insert((f[flow].clone(), dir), f[st..st + 5].join(" "));
    }
    assert!(seen_get);
    let flows = run.flows();
    for ((index, d), bits) in last {
        let get = |c: &str| flows.get(d, index.parse().unwrap(), c).to_owned();
        let stat = u16::from_str_radix(get("httpStat").trim_start_matches("0x"), 16).unwrap() & !0x40;
        let want = format!(
            "0x{stat:04x} {} {} {} {}",
            get("httpAFlags"),
            get("httpMethods"),
            get("httpHeadMimes"),
            get("httpCFlags")
        );
        assert_eq!(bits, want, "flow {index} {d}");
    }
}
