//! arpDecode driven by the testing kit's harness on built ARP frames: status bits, opcodes,
//! pairs and spoofing hints, the list limit, truncated messages, packet mode, report and
//! monitoring.

use plugin_api::abi::{CoreConfig, stream};
use plugin_api::testing::packet::{Ip, L4, arp, packet, ts};
use plugin_api::testing::{Harness, TestInit, core_config};
use plugin_api::{MonState, Plugin};

use crate::{ArpDecode, Config};

const MAC_A: [u8; 6] = [0x00, 0x11, 0x22, 0x33, 0x44, 0x55];
const MAC_B: [u8; 6] = [0x00, 0xaa, 0xbb, 0xcc, 0xdd, 0xee];
const MAC_EVIL: [u8; 6] = [0x02, 0, 0, 0, 0, 0x66];
const IP_A: [u8; 4] = [10, 0, 0, 1];
const IP_B: [u8; 4] = [10, 0, 0, 2];

fn harness(packet_mode: bool) -> (Harness<ArpDecode>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("cap").to_str().unwrap().to_owned();
    let init = TestInit { prefix: prefix.into(), packet_mode, ..TestInit::default() };
    let core = CoreConfig { capacity: 64, ..core_config() };
    (Harness::with(|host| ArpDecode::with_config(host, Config::default()), &init, core), dir)
}

fn cells(h: &mut Harness<ArpDecode>, slot: usize) -> [String; 5] {
    let r = h.end(slot);
    ["arpStat", "arpHwType", "arpOpcode", "arpIpMacCnt", "arpMac_Ip_Cnt"].map(|c| r[c].to_owned())
}

fn written(h: &Harness<ArpDecode>, strm: u32) -> String {
    let rec = h.host.recorded();
    rec.written.iter().filter(|(s, _)| *s == strm).map(|(_, b)| String::from_utf8_lossy(b).into_owned()).collect()
}

#[test]
fn declares_the_reference_columns() {
    let (h, _dir) = harness(false);
    let cols: Vec<String> = h.columns().iter().map(|c| format!("{} {}", c.name, c.header_type())).collect();
    assert_eq!(
        cols,
        ["arpStat H8", "arpHwType U16", "arpOpcode H16", "arpIpMacCnt U16", "arpMac_Ip_Cnt MAC_IP4_U16:R"]
    );
}

#[test]
fn gratuitous_announcement() {
    let (mut h, _dir) = harness(false);
    h.packet(0, ts(1, 0), &arp(1, MAC_A, IP_A, [0; 6], IP_A));
    h.packet(0, ts(2, 0), &arp(1, MAC_A, IP_A, [0; 6], IP_A));
    assert_eq!(h.plugin.flows.claimed(), 1);
    assert_eq!(cells(&mut h, 0), ["0x0b", "1", "0x0002", "1", "00:11:22:33:44:55_10.0.0.1_2"]);
    assert_eq!(h.plugin.flows.claimed(), 0, "a flow's state is given back at its end");
    assert_eq!(h.report(), ["Aggregated arpStat=0x0b"]);
}

#[test]
fn probe_from_the_unspecified_address() {
    let (mut h, _dir) = harness(false);
    h.packet(0, ts(1, 0), &arp(1, MAC_A, [0; 4], [0; 6], IP_B));
    assert_eq!(cells(&mut h, 0), ["0x05", "1", "0x0002", "1", "00:11:22:33:44:55_0.0.0.0_1"]);
}

#[test]
fn a_reply_tells_both_pairs_and_a_contradiction_is_spoofing() {
    let (mut h, _dir) = harness(false);
    h.packet(0, ts(1, 0), &arp(1, MAC_A, IP_A, [0; 6], IP_B));
    h.packet(1, ts(1, 5), &arp(2, MAC_B, IP_B, MAC_A, IP_A));
    // another host claims IP_B: spoofing, and the MAC first seen with it is listed with count 0
    h.packet(2, ts(2, 0), &arp(2, MAC_EVIL, IP_B, MAC_A, IP_A));
    h.packet(2, ts(3, 0), &arp(2, MAC_EVIL, IP_B, MAC_A, IP_A));
    assert_eq!(cells(&mut h, 0), ["0x01", "1", "0x0002", "1", "00:11:22:33:44:55_10.0.0.1_1"]);
    assert_eq!(
        cells(&mut h, 1),
        ["0x01", "1", "0x0004", "2", "00:aa:bb:cc:dd:ee_10.0.0.2_1;00:11:22:33:44:55_10.0.0.1_1"]
    );
    assert_eq!(
        cells(&mut h, 2),
        [
            "0x81",
            "1",
            "0x0004",
            "3",
            "02:00:00:00:00:66_10.0.0.2_2;00:aa:bb:cc:dd:ee_10.0.0.2_0;00:11:22:33:44:55_10.0.0.1_2"
        ]
    );
}

#[test]
fn the_pair_list_is_bounded() {
    let (mut h, _dir) = harness(false);
    for i in 0..12u8 {
        h.packet(0, ts(1, i64::from(i)), &arp(1, MAC_A, [10, 0, 1, i], [0; 6], IP_B));
    }
    let r = h.end(0);
    assert_eq!(&r["arpStat"], "0x21");
    assert_eq!(&r["arpIpMacCnt"], "12");
    assert_eq!(r["arpMac_Ip_Cnt"].split(';').count(), usize::from(crate::flags::ARP_MAX_IP));
    let warnings: Vec<String> = h.host.recorded().lines.iter().map(|l| l.2.clone()).collect();
    assert_eq!(warnings, ["MAC/IP list full... increase ARP_MAX_IP"]);
}

#[test]
fn opcodes_beyond_the_table_and_other_address_sizes() {
    let (mut h, _dir) = harness(false);
    // RARP request (3): counted, not a pair source; opcode 33 acts as 1 (bit 1, a pair source,
    // both addresses as it is not a request) as T2's shift does on x86; 8-byte hardware
    // addresses are not paired; opcode 20 sets no bit of the 16-bit field
    let rarp = arp(3, MAC_A, IP_A, MAC_A, [0; 4]);
    h.packet(0, ts(1, 0), &rarp);
    h.packet(
        0,
        ts(1, 1),
        &arp(1, MAC_A, IP_A, [0; 6], IP_B).with_bytes(|b| b[20..22].copy_from_slice(&33u16.to_be_bytes())),
    );
    h.packet(0, ts(1, 2), &arp(1, MAC_A, IP_A, [0; 6], IP_B).with_bytes(|b| b[18] = 8));
    h.packet(0, ts(1, 3), &arp(20, MAC_A, IP_A, [0; 6], IP_B));
    assert_eq!(
        cells(&mut h, 0),
        ["0x01", "1", "0x000a", "2", "00:11:22:33:44:55_10.0.0.1_1;00:00:00:00:00:00_10.0.0.2_1"]
    );
}

#[test]
fn a_truncated_message_reads_as_zeros() {
    let (mut h, _dir) = harness(true);
    // only the first 4 bytes of the ARP message captured
    let cut = arp(2, MAC_A, IP_A, MAC_B, IP_B).with_view(|v| v.l7_off = v.snap_len - 4);
    h.packet(0, ts(1, 0), &cut);
    let r = h.end(0);
    assert_eq!(&r["arpStat"], "0x01");
    assert_eq!(&r["arpOpcode"], "0x0001");
    assert_eq!(&r["arpIpMacCnt"], "0");
}

#[test]
fn other_flows_are_not_decoded() {
    let (mut h, _dir) = harness(true);
    h.host.recorded().written.clear();
    h.packet(0, ts(1, 0), &packet(Ip::V4(IP_A, IP_B), L4::Udp(53, 53, b"q")).frame());
    assert_eq!(h.plugin.flows.claimed(), 0, "no state for a flow not decoded");
    assert_eq!(cells(&mut h, 0), ["0x00", "0", "0x0000", "0", ""]);
    assert_eq!(written(&h, stream::PACKETS), "0x00\t\t\t\t\t\t\t\t\t\t");
    assert!(h.report().is_empty());
}

#[test]
fn packet_mode_fields() {
    let (mut h, _dir) = harness(true);
    assert_eq!(
        written(&h, stream::PACKETS),
        "arpStat\tarpHwType\tarpProtoType\tarpHwSize\tarpProtoSize\tarpOpcode\tarpSenderMAC\tarpSenderIP\tarpTargetMAC\tarpTargetIP\t"
    );
    h.host.recorded().written.clear();
    h.packet(0, ts(1, 0), &arp(2, MAC_A, IP_A, MAC_B, IP_B));
    assert_eq!(
        written(&h, stream::PACKETS),
        "0x01\t1\t0x0800\t6\t4\t2\t00:11:22:33:44:55\t10.0.0.1\t00:aa:bb:cc:dd:ee\t10.0.0.2\t"
    );
}

#[test]
fn monitoring_prints_the_status_without_prefix() {
    let (mut h, _dir) = harness(false);
    assert_eq!(h.monitoring(true, MonState::Header), "arpStat\t");
    h.packet(0, ts(1, 0), &arp(1, MAC_A, IP_A, [0; 6], IP_A));
    h.end(0);
    assert_eq!(h.monitoring(true, MonState::Values), "b\t");
}

#[test]
fn new_builds_with_the_compiled_flags() {
    let p = ArpDecode::new(plugin_api::testing::TestHost::new().host());
    assert_eq!(p.stat, 0);
}
