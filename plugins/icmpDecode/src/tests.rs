//! icmpDecode driven through its callbacks by the testing kit's harness, on built
//! Ethernet/IP/ICMP frames: columns, direction correction, parent lookup, packet mode, the end
//! report, monitoring and the statistics file.

use plugin_api::abi::{CoreConfig, stream};
use plugin_api::status::L3FLOWINVERT;
use plugin_api::testing::packet::{Frame, Ip, L4, Tcp, packet, ts};
use plugin_api::testing::{Harness, Row, TestInit, columns, core_config};
use plugin_api::wire::icmp;
use plugin_api::{MonState, Plugin};

use crate::{Config, IcmpDecode};

const HOST_A: [u8; 4] = [192, 168, 1, 10];
const HOST_B: [u8; 4] = [8, 8, 8, 8];
const ROUTER: [u8; 4] = [10, 0, 0, 1];

/// An IPv4 ICMP message `typ`/`code` from `src` to `dst` with identifier 0x1234, sequence
/// `seq` and `payload`.
fn v4(src: [u8; 4], dst: [u8; 4], typ: u8, code: u8, seq: u16, payload: &[u8]) -> Frame {
    packet(Ip::V4(src, dst), L4::Icmp(typ, code, 0x1234, seq, payload)).frame()
}

/// The same over IPv6 between link-local addresses ending in `src` and `dst`.
fn v6(src: [u8; 4], dst: [u8; 4], typ: u8, code: u8, seq: u16, payload: &[u8]) -> Frame {
    let ll = |a: [u8; 4]| {
        let mut b = [0u8; 16];
        b[..2].copy_from_slice(&[0xfe, 0x80]);
        b[12..].copy_from_slice(&a);
        b
    };
    packet(Ip::V6(ll(src), ll(dst)), L4::Icmp(typ, code, 0x1234, seq, payload)).frame()
}

/// A harness around icmpDecode with flags `cfg` writing its files under a temporary folder.
fn harness_with(cfg: Config, packet_mode: bool) -> (Harness<IcmpDecode>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("cap").to_str().unwrap().to_owned();
    let init = TestInit { prefix: prefix.into(), packet_mode, ..TestInit::default() };
    let h =
        Harness::with(|host| IcmpDecode::with_config(host, cfg), &init, CoreConfig { capacity: 16, ..core_config() });
    (h, dir)
}

fn harness(packet_mode: bool) -> (Harness<IcmpDecode>, tempfile::TempDir) {
    harness_with(Config::default(), packet_mode)
}

/// The bit-field column of a flow: type bits H and L, code bits.
fn bits(r: &Row) -> &str {
    &r["icmpBFTypH_TypL_Code"]
}

fn written(h: &Harness<IcmpDecode>, strm: u32) -> String {
    let rec = h.host.recorded();
    rec.written.iter().filter(|(s, _)| *s == strm).map(|(_, b)| String::from_utf8_lossy(b).into_owned()).collect()
}

#[test]
fn declares_the_reference_columns() {
    let (h, _dir) = harness(false);
    let got: Vec<(&str, String)> = h.columns().iter().map(|c| (c.name.as_str(), c.header_type())).collect();
    assert_eq!(
        got,
        [
            ("icmpStat", "H8".to_owned()),
            ("icmpTCcnt", "U8".to_owned()),
            ("icmpBFTypH_TypL_Code", "H32_H32_H16".to_owned()),
            ("icmpTmGtw", "H32".to_owned()),
            ("icmpEchoSuccRatio", "F".to_owned()),
            ("icmpPFindex", "U64".to_owned()),
        ]
    );
    // the other type/code mode and no parent column
    let cfg = Config { icmp_tc_md: 1, icmp_parent: false, ..Config::default() };
    let names: Vec<String> =
        columns(&IcmpDecode::with_config(h.host.host(), cfg)).into_iter().map(|c| c.name).collect();
    assert_eq!(names, ["icmpStat", "icmpTCcnt", "icmpType_Code", "icmpTmGtw", "icmpEchoSuccRatio"]);
}

#[test]
fn ping_with_replies_and_a_time_exceeded() {
    let (mut h, dir) = harness(false);
    for seq in 1..=4 {
        h.packet(0, ts(i64::from(seq), 0), &v4(HOST_A, HOST_B, icmp::ECHO_REQUEST, 0, seq, b"abcdefgh"));
    }
    for seq in [1, 2, 4] {
        h.packet(1, ts(i64::from(seq), 1), &v4(HOST_B, HOST_A, icmp::ECHO_REPLY, 0, seq, b"abcdefgh"));
    }
    // a router's time exceeded: a new flow without opposite turns into a B flow
    h.packet(4, ts(5, 0), &v4(ROUTER, HOST_A, icmp::TIME_EXCEEDED, 0, 0, &[0x45; 28]));
    assert_ne!(h.flows[4].status.get() & L3FLOWINVERT, 0);
    assert_eq!(h.flows[0].status.get() & L3FLOWINVERT, 0, "flows with an opposite keep their direction");
    let a = h.end(0);
    assert_eq!((a["icmpStat"].as_str(), a.u64("icmpTCcnt")), ("0x01", 4));
    assert_eq!((bits(&a), a["icmpEchoSuccRatio"].as_str()), ("0x00000000_0x00000100_0x0001", "0.75"));
    let b = h.end(1);
    assert_eq!((b["icmpStat"].as_str(), b.u64("icmpTCcnt"), bits(&b)), ("0x21", 3, "0x00000000_0x00000001_0x0001"));
    assert_eq!(b["icmpEchoSuccRatio"].as_str(), "0", "sequence 3 is missing; replies have no ratio");
    // the parent T2 finds is the flow of the error message's own header: flow 3 itself
    let r = h.end(4);
    assert_eq!(
        (bits(&r), r.u64("icmpPFindex"), r["icmpTmGtw"].as_str()),
        ("0x00000000_0x00000800_0x0001", 3, "0x00000000")
    );
    assert_eq!(
        h.report(),
        [
            "Aggregated icmpStat=0x21",
            "Number of ICMP echo request packets: 4 [50.00%]",
            "Number of ICMP echo reply packets: 3 [37.50%]",
            "ICMP echo reply / request ratio: 0.75",
        ]
    );
    h.finalize();
    let stats = std::fs::read_to_string(dir.path().join("cap_icmpStats.txt")).unwrap();
    assert!(stats.starts_with("Total number of ICMP packets: 8 [100.00%]\n"), "{stats}");
    assert!(stats.contains("\nICMP_TIME_EXCEEDED\tICMP_EXC_TTL\t"), "{stats}");
    assert!(stats.contains("\nICMP echo reply / request ratio: 0.750\n"), "{stats}");
}

#[test]
fn timestamps_and_echo_direction() {
    let (mut h, _dir) = harness(false);
    // a timestamp reply first: no echo request, so the lone flow is B; its gateway field kept
    h.packet(0, ts(1, 0), &v4(HOST_B, HOST_A, icmp::TIMESTAMP_REPLY, 0, 0x0506, &[0; 12]));
    assert_ne!(h.flows[0].status.get() & L3FLOWINVERT, 0);
    let r = h.end(0);
    assert_eq!(r.u64("icmpTmGtw").to_ne_bytes()[..4], [0x12, 0x34, 0x05, 0x06]);
    assert_eq!(bits(&r), "0x00000000_0x00004000_0x0001");
    // a lone echo request stays A (the B slot, inverted at the start, is set back)
    h.packet(3, ts(2, 0), &v4(HOST_A, HOST_B, icmp::ECHO_REQUEST, 0, 1, b""));
    assert_eq!(h.flows[3].status.get() & L3FLOWINVERT, 0);
}

#[test]
fn other_protocols_are_not_analysed() {
    let (mut h, _dir) = harness(true);
    h.host.recorded().written.clear();
    let syn = Tcp { sport: 40000, dport: 80, flags: 0x02, win: 1024, ..Tcp::default() };
    h.packet(0, ts(1, 0), &packet(Ip::V4(HOST_A, HOST_B), L4::Tcp(syn)).frame());
    h.packet(2, ts(1, 0), &packet(Ip::V4(HOST_A, HOST_B), L4::Udp(5353, 5353, b"x")).frame());
    let r = h.end(0);
    assert_eq!((r["icmpStat"].as_str(), r.u64("icmpTCcnt"), bits(&r)), ("0x00", 0, "0x00000000_0x00000000_0x0000"));
    assert_eq!(written(&h, stream::PACKETS), "0x00\t\t\t\t\t\t".repeat(2));
    assert!(h.report().is_empty(), "no ICMP flow, no report");
}

#[test]
fn packet_mode_fields() {
    let (mut h, _dir) = harness(true);
    assert_eq!(written(&h, stream::PACKETS), "icmpStat\ticmpType\ticmpCode\ticmpID\ticmpSeq\ticmpPFindex\t");
    h.host.recorded().written.clear();
    h.packet(0, ts(1, 0), &v4(ROUTER, HOST_A, icmp::DEST_UNREACH, 3, 0x00ab, &[0; 28]));
    h.packet(0, ts(2, 0), &v4(ROUTER, HOST_A, icmp::ECHO_REQUEST, 0, 0x00ac, b""));
    assert_eq!(written(&h, stream::PACKETS), "0x01\t3\t3\t0x1234\t0x00ab\t1\t0x21\t8\t0\t0x1234\t0x00ac\t\t");
    // the second fragment of an echo carries no ICMP header
    h.host.recorded().written.clear();
    let echo = packet(Ip::V4(ROUTER, HOST_A), L4::Icmp(icmp::ECHO_REQUEST, 0, 0x1234, 0x00ad, &[7; 64])).ip_id(9);
    let frags = echo.fragments(40);
    assert_eq!(frags.len(), 2);
    h.packet(0, ts(3, 0), &frags[0]);
    h.packet(0, ts(3, 1), &frags[1]);
    assert_eq!(written(&h, stream::PACKETS), "0x21\t8\t0\t0x1234\t0x00ad\t\t0x00\t\t\t\t\t\t");
    assert_eq!(h.end(0).u64("icmpTCcnt"), 3);
}

#[test]
fn type_code_list_mode() {
    let cfg = Config { icmp_tc_md: 1, icmp_num: 2, ..Config::default() };
    let (mut h, _dir) = harness_with(cfg, false);
    for (seq, (typ, code)) in [(8, 0), (3, 1), (11, 0)].into_iter().enumerate() {
        h.packet(0, ts(1, seq as i64), &v4(HOST_A, HOST_B, typ, code, seq as u16, b""));
    }
    let r = h.end(0);
    assert_eq!((r.u64("icmpTCcnt"), r["icmpType_Code"].as_str()), (3, "8_0;3_1"), "ICMP_NUM pairs kept");
}

#[test]
fn icmpv6_neighbor_discovery_and_report() {
    let (mut h, dir) = harness(false);
    h.packet(0, ts(1, 0), &v6(HOST_A, HOST_B, 135, 0, 0, &[0; 16]));
    h.packet(0, ts(2, 0), &v6(HOST_A, HOST_B, icmp::V6_ECHO_REQUEST, 0, 1, b""));
    h.packet(0, ts(3, 0), &v6(HOST_A, HOST_B, icmp::V6_DEST_UNREACH, 4, 0, &[0; 40]));
    let r = h.end(0);
    assert_eq!(bits(&r), "0x00000081_0x00000002_0x0011");
    assert_eq!(r.u64("icmpPFindex"), 1, "the parent is the flow of the error message's own header");
    assert_eq!(
        h.report(),
        ["Aggregated icmpStat=0x21", "Number of ICMPv6 echo request packets: 1 [33.33%]"],
        "the first echo of the flow is not its first message: sequence anomaly"
    );
    h.finalize();
    let stats = std::fs::read_to_string(dir.path().join("cap_icmpStats.txt")).unwrap();
    assert!(stats.contains("# ICMPv6 Type\tCode\t"), "{stats}");
    assert!(stats.contains("\nICMP6_NBOR_SOLICIT\t-\t"), "{stats}");
    assert!(stats.contains("\nICMP6_DEST_UNREACH\tICMP6_PORT_UNREACH\t"), "{stats}");
    assert!(!stats.contains("# ICMP Type"), "no IPv4 section: {stats}");
}

#[test]
fn monitoring_in_differential_mode() {
    let (mut h, _dir) = harness(false);
    assert_eq!(h.monitoring(true, MonState::Header), "icmpPkts\ticmpEchoReq\ticmpEchoRep\t");
    h.packet(0, ts(1, 0), &v4(HOST_A, HOST_B, icmp::ECHO_REQUEST, 0, 1, b""));
    h.packet(0, ts(2, 0), &v4(HOST_A, HOST_B, icmp::ECHO_REQUEST, 0, 2, b""));
    assert_eq!(h.monitoring(true, MonState::Values), "2\t2\t0\t");
    h.packet(0, ts(3, 0), &v4(HOST_A, HOST_B, icmp::ECHO_REPLY, 0, 2, b""));
    assert_eq!(h.monitoring(true, MonState::Values), "1\t0\t1\t");
    h.packet(0, ts(4, 0), &v4(HOST_A, HOST_B, icmp::ECHO_REQUEST, 0, 3, b""));
    assert_eq!(
        h.monitoring(true, MonState::Report),
        "Number of ICMP echo request packets: 1 [100.00%]\nNumber of ICMP echo reply packets: 0 [0.00%]\n",
        "no flow has ended: no aggregated status yet"
    );
}

#[test]
fn an_unwritable_statistics_file_fails_the_run() {
    let init = TestInit { prefix: "/nonexistent/dir/cap".into(), ..TestInit::default() };
    let mut h = Harness::with(IcmpDecode::new, &init, CoreConfig { capacity: 16, ..core_config() });
    h.finalize();
    assert_eq!(
        h.host.failures(),
        ["Failed to open file '/nonexistent/dir/cap_icmpStats.txt': No such file or directory"]
    );
}
