//! macRecorder against T2 0.9.3's runs with its ten default plugins
//! (`../shared/golden/<capture>/default-all/`): the release `tranalyzer` with those of them rt2
//! has on every shared capture must write T2's `macStat macPairs srcMac_dstMac_numP
//! srcMacLbl_dstMacLbl` cells and column descriptions, and T2's `macRecorder:` report lines
//! (the table's record count, the pairs per flow; see `rt2_golden::Golden`). A run in packet
//! mode (`-s`) labels every packet's addresses. Needs the release build
//! (`cargo build --release --workspace`).

use macRecorder::{MacRecorder, flags};
use plugin_api::Plugin;
use plugin_api::testing::{TestHost, columns};
use rt2_golden::{PluginDir, run_t2, shared_dir};

fn plugins() -> PluginDir {
    PluginDir::with(&["basicFlow", "macRecorder", "basicStats", "tcpFlags", "tcpStates", "txtSink"])
}

#[test]
fn every_capture_matches_the_reference() {
    let own = columns(&MacRecorder::new(TestHost::new().host())).into_iter().map(|c| c.name);
    rt2_golden::Golden::new("macRecorder").variant("default-all").flags(flags::CHANGED).columns(own).check();
}

#[test]
fn packet_mode_labels_every_packet() {
    let Some(shared) = shared_dir() else { return };
    let plugins = plugins();
    let pcap = shared.join("pcaps/http-session.pcap");
    let run = run_t2(plugins.path(), &["-r", pcap.to_str().unwrap(), "-s"]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    let packets = run.file("_packets.txt").expect("a packet file");
    let mut lines = packets.lines().filter(|l| !l.starts_with('#'));
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let col = |n: &str| header.iter().position(|c| *c == n).unwrap_or_else(|| panic!("no {n} in {header:?}"));
    let (src, dst, src_lbl, dst_lbl) = (col("srcMac"), col("dstMac"), col("srcMacLbl"), col("dstMacLbl"));
    let label = |mac: &str| match mac {
        "c8:bc:c8:96:d2:a0" => "AppleInc,US",
        "00:10:db:88:d2:ef" => "JuniperNe,US",
        other => panic!("unexpected MAC {other}"),
    };
    let mut n = 0;
    for l in lines {
        let f: Vec<&str> = l.split('\t').collect();
        assert_eq!((f[src_lbl], f[dst_lbl]), (label(f[src]), label(f[dst])), "{l}");
        n += 1;
    }
    assert_eq!(n, 14);
}

#[test]
fn without_an_ethernet_header_a_flow_has_no_pairs() {
    let Some(shared) = shared_dir() else { return };
    let plugins = plugins();
    let pcap = shared.join("pcaps/raw-ip-dlt101.pcap");
    let run = run_t2(plugins.path(), &["-r", pcap.to_str().unwrap()]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    let flows = run.flows();
    assert!(!flows.rows.is_empty());
    let col = |n: &str| flows.columns.iter().position(|c| c == n).unwrap();
    for r in &flows.rows {
        assert_eq!((&*r[col("macPairs")], &*r[col("srcMac_dstMac_numP")]), ("0", ""), "{r:?}");
    }
}
