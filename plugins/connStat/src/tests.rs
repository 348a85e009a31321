//! The plugin driven through its callbacks as the core drives it.

use super::*;
use plugin_api::abi::CoreConfig;
use plugin_api::testing::packet::{Ip, L4, Tcp, arp, packet, ts};
use plugin_api::testing::{Harness, TestHost, TestInit, columns, core_config};
use plugin_api::wire::arp;
use plugin_api::wire::tcp::flags::{ACK, SYN};

const CLIENT: [u8; 4] = [10, 0, 0, 1];
const SERVER: [u8; 4] = [10, 0, 0, 2];
const OTHER: [u8; 4] = [10, 0, 0, 3];

fn names(p: &ConnStat) -> Vec<String> {
    columns(p).into_iter().map(|c| c.name).collect()
}

#[test]
fn declares_t2s_columns() {
    let p = ConnStat::new(TestHost::new().host());
    let want = ["connSip", "connDip", "connSipDip", "connSipDprt", "connF", "connG", "connNumPCnt", "connNumBCnt"];
    assert_eq!(names(&p), want);
    let cfg = Config { cs_mr_spoof: true, cs_pbnmax: false, ..Config::default() };
    let p = ConnStat::with_config(TestHost::new().host(), cfg);
    assert_eq!(names(&p), ["connSip", "connDip", "connSipDip", "connSipDprt", "connMacSpf", "connF", "connG"]);
}

const COLS: [&str; 8] =
    ["connSip", "connDip", "connSipDip", "connSipDprt", "connF", "connG", "connNumPCnt", "connNumBCnt"];

#[test]
fn a_connection_and_a_second_one_to_another_port() {
    let mut h = Harness::new(ConnStat::new);
    let syn = Tcp { sport: 40000, dport: 80, flags: SYN, ..Tcp::default() };
    let ack = Tcp { flags: ACK, payload: b"hello", ..syn };
    // connection 0 (slots 0/1): client -> server:80; connection 1 (slots 2/3): client -> server:443
    h.packet(0, ts(1, 0), &packet(Ip::V4(CLIENT, SERVER), L4::Tcp(syn)).frame());
    let synack = Tcp { sport: 80, dport: 40000, flags: SYN | ACK, ..Tcp::default() };
    h.packet(1, ts(1, 1), &packet(Ip::V4(SERVER, CLIENT), L4::Tcp(synack)).frame());
    h.packet(0, ts(1, 2), &packet(Ip::V4(CLIENT, SERVER), L4::Tcp(ack)).frame());
    let tls = Tcp { sport: 40001, dport: 443, flags: SYN, ..Tcp::default() };
    h.packet(2, ts(2, 0), &packet(Ip::V4(CLIENT, SERVER), L4::Tcp(tls)).frame());

    // A flow of connection 0: one pair, three flows on it, two to port 80, 3 packets of the
    // client (5 payload bytes)
    let a = h.end(0);
    assert_eq!(COLS.map(|c| a[c].as_str()), ["1", "1", "3", "2", "2", "0.6666667", "3", "5"]);
    // its B flow: the server's own packet count; the pair has one flow less
    let b = h.end(1);
    assert_eq!(COLS.map(|c| b[c].as_str()), ["1", "1", "2", "1", "1", "0.5", "1", "0"]);
    let second = h.end(2);
    assert_eq!(COLS.map(|c| second[c].as_str()), ["1", "1", "1", "1", "1", "1", "3", "5"]);
    let report = h.report();
    assert_eq!(
        report[..6],
        [
            "Number of unique source IPs: 1",
            "Number of unique destination IPs: 1",
            "Number of unique source/destination IPs connections: 3",
            "Max unique number of source IP / destination port connections: 2",
            "IP connF=connSipDprt/connSip: 2.000000",
            "IP connG=connSipDprt/connSipDip: 0.666667",
        ]
    );
    assert_eq!(
        report[6..8],
        [
            "Source IP with max connections: 10.0.0.1: 1 connections",
            "Destination IP with max connections: 10.0.0.2: 1 connections"
        ]
    );
    assert_eq!(report[8], "Biggest L3 talker: 10.0.0.1: 3 [75.00%] packets");
    // the share of all bytes the core counted (captured lengths)
    let g = h.globals;
    let share = plugin_api::fmt::c_percent(5, g.num_a_bytes + g.num_b_bytes);
    assert_eq!(report[9], format!("Biggest L3 talker: 10.0.0.1: 5 [{share}%] bytes"));
    assert_eq!(report.len(), 10);
}

#[test]
fn a_source_with_many_destinations() {
    let mut h = Harness::new(ConnStat::new);
    for (n, dst) in [SERVER, OTHER].into_iter().enumerate() {
        let udp = L4::Udp(5000 + n as u16, 53, b"q");
        h.packet(2 * n, ts(1, n as i64), &packet(Ip::V4(CLIENT, dst), udp).frame());
    }
    let a = h.end(0);
    // both flows go to port 53
    assert_eq!(COLS.map(|c| a[c].as_str())[..6], ["2", "1", "1", "2", "1", "2"]);
    let a = h.end(2);
    assert_eq!(COLS.map(|c| a[c].as_str())[..6], ["1", "1", "1", "1", "1", "1"]);
    let report = h.report();
    assert!(report.contains(&"Source IP with max connections: 10.0.0.1: 2 connections".to_owned()), "{report:?}");
    assert!(report.contains(&"IP connF=connSipDprt/connSip: 2.000000".to_owned()), "{report:?}");
}

#[test]
fn monitoring_columns_and_differences() {
    let mut h = Harness::new(ConnStat::new);
    assert_eq!(h.monitoring(true, MonState::Header), "connSip\tconnDip\tconnSipDip\tconnSipDprt\tconnF\tconnG\t");
    h.packet(0, ts(1, 0), &packet(Ip::V4(CLIENT, SERVER), L4::Udp(5000, 53, b"q")).frame());
    assert_eq!(h.monitoring(true, MonState::Values), "1\t1\t1\t1\t1.000\t1.000\t");
    assert_eq!(h.monitoring(true, MonState::Values), "0\t0\t0\t0\t0.000\t0.000\t");
    h.packet(2, ts(2, 0), &packet(Ip::V4(OTHER, SERVER), L4::Udp(5000, 53, b"q")).frame());
    assert_eq!(h.monitoring(false, MonState::Values), "1\t0\t0\t0\t0.000\t0.000\t");
    // the end report stays absolute
    assert_eq!(h.report()[0], "Number of unique source IPs: 2");
}

#[test]
fn layer_2_flows_write_zeros_and_count_nothing() {
    let mut h = Harness::new(ConnStat::new);
    h.packet(0, ts(1, 0), &arp(arp::REQUEST, [1; 6], CLIENT, [0; 6], SERVER));
    let a = h.end(0);
    assert_eq!(COLS.map(|c| a[c].as_str()), ["0", "0", "0", "0", "0", "0", "0", "0"]);
    assert!(h.report().is_empty());
}

#[test]
fn a_full_table_stops_the_run_once() {
    // without CS_HSDRM nothing leaves the tables: the fifth pair finds no room among 4
    let cfg = Config { cs_hsdrm: false, ..Config::default() };
    let core = CoreConfig { capacity: 4, ..core_config() };
    let mut h = Harness::with(|host| ConnStat::with_config(host, cfg), &TestInit::default(), core);
    let pairs = [(CLIENT, SERVER), (OTHER, SERVER), (SERVER, CLIENT), (SERVER, OTHER), (CLIENT, OTHER)];
    for (i, (src, dst)) in pairs.into_iter().enumerate() {
        h.packet(0, ts(1, i as i64), &packet(Ip::V4(src, dst), L4::Udp(5000, 53, b"q")).frame());
        let a = h.end(0);
        let want = if i < 4 { "1" } else { "0" };
        assert_eq!(a["connSipDip"], want, "pair {i}");
    }
    assert_eq!(h.host.failures(), ["ipP HashMap full, Invoke t2 with -f 2"]);
    // its addresses and port were known: only the pair is missing
    let warnings: Vec<String> = h.host.recorded().lines.iter().map(|l| l.2.clone()).collect();
    assert_eq!(warnings, ["flowIndex: 0, findex: 1 has no IP pair number connections entry! 0x0400000000004000"]);
}
