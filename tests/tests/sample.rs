//! The shipped sample capture: it is what the generator builds, and `tranalyzer` reads it into
//! the flows the generator put there.

use plugin_api::status::IPV4_FRAG;
use rt2_tests::{PluginDir, run_t2, sample_pcap};

#[test]
fn committed_sample_is_what_the_generator_builds() {
    let committed = std::fs::read(sample_pcap()).expect("samples/sample.pcap is committed");
    assert!(
        committed == tranalyzer::testing::sample::sample_pcap(),
        "samples/sample.pcap is stale: run `cargo run -p rt2-tests --bin make-sample`"
    );
}

#[test]
fn sample_flows() {
    let plugins = PluginDir::with(&["basicFlow", "txtSink"]);
    let run = run_t2(plugins.path(), &["-r", sample_pcap().to_str().unwrap()]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    let flows = run.flows();
    // 2 ARP frames, then 8 request/reply pairs and the fragmented syslog datagram
    assert_eq!(flows.rows.len(), 17);
    assert_eq!(flows.get("A", 1, "hdrDesc"), "eth:arp");
    assert_eq!(flows.get("A", 1, "dstMac"), "ff:ff:ff:ff:ff:ff");
    assert_eq!(flows.get("A", 4, "srcIP"), "2001:db8:1::a");
    // the HTTP connection: SYN at 0.025100, last ACK at 5.292750; the server's SYN-ACK at
    // 0.113900, its FIN at 5.292600
    assert_eq!(flows.get("A", 5, "dstPort"), "80");
    assert_eq!(flows.get("A", 5, "duration"), "5.267650000");
    assert_eq!(flows.get("B", 5, "duration"), "5.178700000");
    assert_eq!(flows.get("A", 9, "vlanID"), "20");
    assert_eq!(flows.get("A", 9, "hdrDesc"), "eth:vlan:ipv4:udp");
    let stat = u64::from_str_radix(flows.get("A", 10, "flowStat").trim_start_matches("0x"), 16).unwrap();
    assert_ne!(stat & IPV4_FRAG, 0, "the syslog datagram is fragmented");
    assert!(run.stdout().contains("Number of processed packets: 30\n"), "{}", run.stdout());
}
