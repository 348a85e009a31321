//! The plugin driven through its callbacks by plugin-api's test harness on built frames;
//! records decoded by the declared columns. One test (at least) per flag.

use plugin_api::MonState;
use plugin_api::abi::{CoreConfig, level, stream};
use plugin_api::status::LAPD_FLOW;
use plugin_api::testing::packet::{Frame, Ip, L4, arp, packet, ts};
use plugin_api::testing::{Harness, Row, TestHost, TestInit, columns, core_config};

use crate::{BasicStats, Config};

/// A decoded record.
type Rec = Row;

const A: usize = 0;
const B: usize = 1;
const IP_A: [u8; 4] = [10, 0, 0, 1];
const IP_B: [u8; 4] = [10, 0, 0, 2];

/// An Ethernet/IPv4/UDP frame from `src` with `payload` bytes of layer 7.
fn udp_from(src: Ip, payload: usize) -> Frame {
    let data = vec![0x5a; payload];
    let f = packet(src, L4::Udp(1234, 53, &data)).frame();
    assert_eq!(f.view().len as usize, payload, "PACKETLENGTH 3: layer-7 length");
    f
}

/// One plugin instance and the two directions of one connection (slot 0 = A, 1 = B).
struct Run {
    h: Harness<BasicStats>,
}

impl Run {
    fn new(cfg: Config) -> Run {
        Run::with_core(cfg, |_| {})
    }

    fn with_core(cfg: Config, edit: impl FnOnce(&mut CoreConfig)) -> Run {
        Run::with_host(TestHost::new(), cfg, edit)
    }

    fn with_host(host: TestHost, cfg: Config, edit: impl FnOnce(&mut CoreConfig)) -> Run {
        let mut core = CoreConfig { capacity: 4, ..core_config() };
        edit(&mut core);
        Run { h: Harness::with_host(host, |h| BasicStats::with_config(h, cfg), &TestInit::default(), core) }
    }

    /// A UDP packet of `slot` (A: 10.0.0.1 to 10.0.0.2, B: back) with `payload` layer-7
    /// bytes at `at`.
    fn udp(&mut self, slot: usize, at: plugin_api::abi::Timestamp, payload: usize) {
        let ip = if slot == A { Ip::V4(IP_A, IP_B) } else { Ip::V4(IP_B, IP_A) };
        self.h.packet(slot, at, &udp_from(ip, payload));
    }

    /// A packet of `slot` whose `packet->len` is `len`.
    fn len(&mut self, slot: usize, at: plugin_api::abi::Timestamp, len: u32) {
        let frame = udp_from(Ip::V4(IP_A, IP_B), 0).with_view(|v| v.len = len);
        self.h.packet(slot, at, &frame);
    }

    /// Terminates `slot` and decodes its record by the declared columns.
    fn end(&mut self, slot: usize) -> Rec {
        self.h.end(slot)
    }

    /// The lines the end report writes (all plain plugin lines on the log stream).
    fn report(&mut self) -> Vec<String> {
        let lines = self.h.report();
        assert!(self.h.host.recorded().lines.iter().all(|(s, l, _)| *s == stream::LOG && *l == level::PLUGIN));
        lines
    }
}

fn names(cfg: Config) -> Vec<String> {
    columns(&BasicStats::with_config(TestHost::new().host(), cfg)).into_iter().map(|c| c.name).collect()
}

fn f(rec: &Rec, name: &str) -> f32 {
    rec.f32(name)
}

fn u(rec: &Rec, name: &str) -> u64 {
    rec.u64(name)
}

/// Sizes 10, 20, 30 at 0 s, 0.5 s, 1.5 s from A; one 40-byte reply from B at 0.25 s.
fn three_and_one(cfg: Config) -> (Run, Rec, Rec) {
    let mut r = Run::new(cfg);
    r.udp(A, ts(100, 0), 10);
    r.udp(B, ts(100, 250_000_000), 40);
    r.udp(A, ts(100, 500_000_000), 20);
    r.udp(A, ts(101, 500_000_000), 30);
    let a = r.end(A);
    let b = r.end(B);
    (r, a, b)
}

const DEFAULT_COLUMNS: &[&str] = &[
    "pktsSnt",
    "pktsRcvd",
    "padBytesSnt",
    "l7BytesSnt",
    "l7BytesRcvd",
    "minL7PktSz",
    "maxL7PktSz",
    "avgL7PktSz",
    "stdL7PktSz",
    "minIAT",
    "maxIAT",
    "avgIAT",
    "stdIAT",
    "pktps",
    "bytps",
    "pktAsm",
    "bytAsm",
];

#[test]
fn default_columns_as_t2_declares_them() {
    assert_eq!(names(Config::default()), DEFAULT_COLUMNS);
    let cols = columns(&BasicStats::with_config(TestHost::new().host(), Config::default()));
    assert_eq!(cols[3].desc, "Number of transmitted layer 7 bytes");
    assert_eq!(cols[8].desc, "Standard deviation layer 7 packet size");
    assert_eq!(cols[16].desc, "Byte stream asymmetry");
}

#[test]
fn counts_sizes_iats_rates_and_asymmetry() {
    let (_, a, b) = three_and_one(Config::default());
    assert_eq!(u(&a, "pktsSnt"), 3);
    assert_eq!(u(&a, "pktsRcvd"), 1);
    // the 10-byte datagram's frame carries 8 bytes of Ethernet padding
    assert_eq!(a.i64("padBytesSnt"), 8);
    assert_eq!(u(&a, "l7BytesSnt"), 60);
    assert_eq!(u(&a, "l7BytesRcvd"), 40);
    assert_eq!((u(&a, "minL7PktSz"), u(&a, "maxL7PktSz")), (10, 30));
    assert_eq!(f(&a, "avgL7PktSz"), 20.0);
    // T2's running variance: 0, (100 - 0) / 2, 50 + (225 - 50) / 3
    assert_eq!(f(&a, "stdL7PktSz"), (50.0f32 + 175.0 / 3.0).sqrt());
    assert_eq!((f(&a, "minIAT"), f(&a, "maxIAT"), f(&a, "avgIAT")), (0.0, 1.0, 0.5));
    assert_eq!(f(&a, "stdIAT"), (0.125f32 + (0.5625 - 0.125) / 3.0).sqrt());
    assert_eq!((f(&a, "pktps"), f(&a, "bytps")), (2.0, 40.0));
    assert_eq!((f(&a, "pktAsm"), f(&a, "bytAsm")), (0.5, 0.2));
    // the B flow: one packet, no duration
    assert_eq!((u(&b, "pktsSnt"), u(&b, "pktsRcvd"), u(&b, "l7BytesRcvd")), (1, 3, 60));
    assert_eq!((f(&b, "stdL7PktSz"), f(&b, "minIAT"), f(&b, "maxIAT")), (0.0, 0.0, 0.0));
    assert_eq!((f(&b, "pktps"), f(&b, "bytps")), (0.0, 0.0));
    assert_eq!((f(&b, "pktAsm"), f(&b, "bytAsm")), (-0.5, -0.2));
}

#[test]
fn asymmetry_without_opposite_flow() {
    let mut r = Run::new(Config::default());
    r.udp(A, ts(1, 0), 5);
    let a = r.end(A);
    assert_eq!((f(&a, "pktAsm"), f(&a, "bytAsm")), (1.0, 1.0));
    // a lone B flow (its A side never seen) gets a negated packet asymmetry only
    let mut r = Run::new(Config::default());
    r.udp(B, ts(1, 0), 5);
    let b = r.end(B);
    assert_eq!((u(&b, "pktsRcvd"), f(&b, "pktAsm"), f(&b, "bytAsm")), (0, -1.0, 1.0));
    // nothing sent, nothing received: 0, not NaN
    let mut r = Run::new(Config::default());
    r.udp(A, ts(1, 0), 0);
    assert_eq!(f(&r.end(A), "bytAsm"), 0.0);
}

#[test]
fn iats_across_seconds_and_unnormalised_fractions() {
    let mut r = Run::new(Config::default());
    r.len(A, ts(10, 900_000_000), 1);
    r.len(A, ts(11, 100_000_000), 1);
    r.len(A, ts(11, 100_000_000), 1);
    let a = r.end(A);
    assert_eq!((f(&a, "minIAT"), f(&a, "maxIAT")), (0.0, 0.2));
    assert_eq!(crate::stats::iat(ts(0, 0), ts(0, 1_500_000_000)), 1.5);
    // seconds are compared as 32-bit values
    assert_eq!(crate::stats::iat(ts(u32::MAX as i64, 0), ts(1i64 << 32, 0)), 1.0);
}

#[test]
fn lengths_wrap_at_16_bits_after_seeding_the_mean() {
    let mut r = Run::new(Config::default());
    r.len(A, ts(1, 0), 65536 + 7);
    let a = r.end(A);
    assert_eq!((u(&a, "l7BytesSnt"), u(&a, "minL7PktSz"), u(&a, "maxL7PktSz")), (7, 7, 7));
    // T2 seeds the mean with the full length, so the first deviation is -65536
    assert_eq!(f(&a, "stdL7PktSz"), 65536.0);
}

#[test]
fn flag_bs_rev_cnt() {
    let cfg = Config { bs_rev_cnt: false, ..Config::default() };
    let n = names(cfg);
    assert!(!n.iter().any(|c| c == "pktsRcvd" || c == "l7BytesRcvd"));
    assert_eq!(n.len(), DEFAULT_COLUMNS.len() - 2);
    let (_, a, _) = three_and_one(cfg);
    // the asymmetry still uses the opposite flow
    assert_eq!((u(&a, "pktsSnt"), u(&a, "l7BytesSnt"), f(&a, "pktAsm")), (3, 60, 0.5));
}

#[test]
fn flag_bs_aggr_cnt() {
    let cfg = Config { bs_aggr_cnt: true, ..Config::default() };
    assert_eq!(
        &names(cfg)[..7],
        ["pktsSnt", "pktsRcvd", "pktsRTAggr", "padBytesSnt", "l7BytesSnt", "l7BytesRcvd", "l7BytesRTAggr"]
    );
    let (_, a, b) = three_and_one(cfg);
    assert_eq!((u(&a, "pktsRTAggr"), u(&a, "l7BytesRTAggr")), (4, 100));
    assert_eq!((u(&b, "pktsRTAggr"), u(&b, "l7BytesRTAggr")), (4, 100));
}

#[test]
fn flag_bs_mod() {
    let cfg = Config { bs_mod: 16, ..Config::default() };
    assert_eq!(names(cfg), DEFAULT_COLUMNS);
    let mut r = Run::new(cfg);
    r.len(A, ts(1, 0), 20);
    r.len(A, ts(2, 0), 33);
    let a = r.end(A);
    assert_eq!((u(&a, "l7BytesSnt"), u(&a, "minL7PktSz"), u(&a, "maxL7PktSz")), (5, 1, 4));
    assert_eq!(f(&a, "avgL7PktSz"), 2.5);
    // the mean is seeded with 20 % 16, so the deviations are 0 and -3
    assert_eq!(f(&a, "stdL7PktSz"), 4.5f32.sqrt());
    // 0 and 1 leave lengths alone
    for bs_mod in [0, 1] {
        let mut r = Run::new(Config { bs_mod, ..Config::default() });
        r.len(A, ts(1, 0), 20);
        assert_eq!(u(&r.end(A), "l7BytesSnt"), 20);
    }
}

#[test]
fn flag_bs_pad() {
    let mut r = Run::new(Config::default());
    r.udp(A, ts(1, 0), 2);
    r.h.flows[A].pad_len = 12;
    assert_eq!(r.end(A).i64("padBytesSnt"), 12);
    let cfg = Config { bs_pad: false, ..Config::default() };
    assert!(!names(cfg).iter().any(|c| c == "padBytesSnt"));
    let mut r = Run::new(cfg);
    r.udp(A, ts(1, 0), 2);
    assert_eq!(r.end(A).len(), DEFAULT_COLUMNS.len() - 1);
}

#[test]
fn flag_bs_stats() {
    let cfg = Config { bs_stats: false, ..Config::default() };
    assert_eq!(names(cfg), ["pktsSnt", "pktsRcvd", "padBytesSnt", "l7BytesSnt", "l7BytesRcvd"]);
    let (mut r, a, _) = three_and_one(cfg);
    assert_eq!((u(&a, "pktsSnt"), u(&a, "l7BytesSnt")), (3, 60));
    // without statistics the report keeps only the talkers
    assert!(r.report().iter().all(|l| l.starts_with("Biggest")));
}

#[test]
fn flag_bs_pl_stats() {
    let cfg = Config { bs_pl_stats: false, ..Config::default() };
    let n = names(cfg);
    assert!(!n.iter().any(|c| c.contains("PktSz")));
    assert_eq!(n.len(), DEFAULT_COLUMNS.len() - 4);
    let (mut r, a, _) = three_and_one(cfg);
    assert_eq!((f(&a, "avgIAT"), f(&a, "bytps")), (0.5, 40.0));
    assert_eq!(r.report()[0], "Flow max(pktload): 0", "the maximum comes from the average size");
}

#[test]
fn flag_bs_iat_stats() {
    let cfg = Config { bs_iat_stats: false, ..Config::default() };
    let n = names(cfg);
    assert!(!n.iter().any(|c| c.contains("IAT")));
    assert_eq!(n.len(), DEFAULT_COLUMNS.len() - 4);
    let (_, a, _) = three_and_one(cfg);
    assert_eq!((f(&a, "avgL7PktSz"), f(&a, "stdL7PktSz")), (20.0, (50.0f32 + 175.0 / 3.0).sqrt()));
}

#[test]
fn flag_bs_var_with_skewness_and_kurtosis() {
    let cfg = Config { bs_var: true, ..Config::default() };
    let n = names(cfg);
    let size: Vec<&str> = n[5..12].iter().map(String::as_str).collect();
    assert_eq!(
        size,
        ["minL7PktSz", "maxL7PktSz", "avgL7PktSz", "stdL7PktSz", "varL7PktSz", "skewL7PktSz", "kurL7PktSz"]
    );
    let iat: Vec<&str> = n[12..19].iter().map(String::as_str).collect();
    assert_eq!(iat, ["minIAT", "maxIAT", "avgIAT", "stdIAT", "varIAT", "skewIAT", "kurIAT"]);
    let (_, a, b) = three_and_one(cfg);
    let var = 50.0f32 + 175.0 / 3.0;
    assert_eq!(f(&a, "varL7PktSz"), var);
    // m3: 0, 1000 / 2, 500 + (3375 - 500) / 3; m4: 0, 10000 / 2, 5000 + (50625 - 5000) / 3
    let m3 = 500.0f32 + 2875.0 / 3.0;
    let m4 = 5000.0f32 + 45625.0 / 3.0;
    assert_eq!(f(&a, "skewL7PktSz"), (f64::from(m3) / (f64::from(var) * f64::from(var).sqrt())) as f32);
    assert_eq!(f(&a, "kurL7PktSz"), m4 / (var * var));
    assert_eq!(f(&a, "varIAT"), 0.125f32 + (0.5625 - 0.125) / 3.0);
    // zero variance: skewness and kurtosis are 0
    assert_eq!((f(&b, "varL7PktSz"), f(&b, "skewL7PktSz"), f(&b, "kurL7PktSz")), (0.0, 0.0, 0.0));
}

#[test]
fn flag_bs_sk() {
    let var_only = Config { bs_var: true, bs_sk: false, ..Config::default() };
    let n = names(var_only);
    assert!(n.iter().any(|c| c == "varIAT") && !n.iter().any(|c| c.starts_with("skew") || c.starts_with("kur")));
    assert_eq!(n.len(), DEFAULT_COLUMNS.len() + 2);
    // without BS_VAR, BS_SK adds nothing (T2's default pair: BS_VAR=0, BS_SK=1)
    assert_eq!(names(Config { bs_var: false, bs_sk: true, ..Config::default() }), DEFAULT_COLUMNS);
    let (_, a, _) = three_and_one(var_only);
    assert_eq!(f(&a, "varL7PktSz"), 50.0f32 + 175.0 / 3.0);
}

#[test]
fn flag_bs_stddev() {
    let cfg = Config { bs_stddev: false, bs_var: true, ..Config::default() };
    let n = names(cfg);
    assert!(!n.iter().any(|c| c.starts_with("std")) && n.iter().any(|c| c == "varL7PktSz"));
    let (_, a, _) = three_and_one(cfg);
    assert_eq!(f(&a, "avgIAT"), 0.5);
    // neither variance nor deviation: T2 skips the running moments, so avgIAT stays 0
    let cfg = Config { bs_stddev: false, bs_var: false, ..Config::default() };
    assert_eq!(names(cfg).len(), DEFAULT_COLUMNS.len() - 2);
    let (_, a, _) = three_and_one(cfg);
    assert_eq!((f(&a, "avgIAT"), f(&a, "avgL7PktSz"), f(&a, "maxIAT")), (0.0, 20.0, 1.0));
}

/// Sizes 0, 10, 20, 30 at 0, 1, 3, 6 s.
fn four_sizes(cfg: Config) -> Rec {
    let mut r = Run::new(cfg);
    for (sec, len) in [(0, 0), (1, 10), (3, 20), (6, 30)] {
        r.len(A, ts(sec, 0), len);
    }
    r.end(A)
}

#[test]
fn flag_bs_xcld_and_bounds() {
    let cfg = |bs_xcld, bs_xmin, bs_xmax| Config { bs_xcld, bs_xmin, bs_xmax, ..Config::default() };
    // 1: len > BS_XMIN (default 1): the empty packet is left out of the statistics only
    let a = four_sizes(cfg(1, 1, 65535));
    assert_eq!((u(&a, "pktsSnt"), u(&a, "l7BytesSnt")), (4, 60));
    assert_eq!((u(&a, "minL7PktSz"), f(&a, "avgL7PktSz")), (10, 20.0));
    // IATs run from the last included packet: 1 (from the seed at 0 s), 2, 3
    assert_eq!((f(&a, "minIAT"), f(&a, "maxIAT")), (1.0, 3.0));
    assert_eq!(f(&a, "pktps"), 4.0 / 6.0);
    // 2: len < BS_XMAX
    let a = four_sizes(cfg(2, 1, 20));
    assert_eq!((u(&a, "minL7PktSz"), u(&a, "maxL7PktSz")), (0, 10));
    assert_eq!(f(&a, "avgL7PktSz"), 30.0, "all 60 bytes over the 2 included packets, as T2");
    // 3: BS_XMIN <= len <= BS_XMAX
    let a = four_sizes(cfg(3, 10, 20));
    assert_eq!((u(&a, "minL7PktSz"), u(&a, "maxL7PktSz"), f(&a, "maxIAT")), (10, 20, 2.0));
    // 4: T2 tests len < BS_XMIN && len > BS_XMAX: nothing enters
    let a = four_sizes(cfg(4, 10, 20));
    assert_eq!((u(&a, "pktsSnt"), u(&a, "minL7PktSz"), u(&a, "maxL7PktSz")), (4, 65535, 0));
    assert_eq!((f(&a, "avgL7PktSz"), f(&a, "minIAT"), f(&a, "maxIAT")), (0.0, 4.0e12, 0.0));
    // ... unless the bounds are swapped
    let a = four_sizes(cfg(4, 25, 5));
    assert_eq!((u(&a, "minL7PktSz"), u(&a, "maxL7PktSz")), (10, 20));
    // 0 ignores the bounds
    let a = four_sizes(cfg(0, 10, 20));
    assert_eq!((u(&a, "minL7PktSz"), u(&a, "maxL7PktSz")), (0, 30));
    for x in [1, 4] {
        assert_eq!(names(cfg(x, 10, 20)), DEFAULT_COLUMNS);
    }
}

#[test]
fn bounds_from_the_environment() {
    let host = TestHost::new();
    host.set_env("BS_XMIN", "15");
    host.set_env("BS_XMAX", "0x14");
    let cfg = Config { bs_xcld: 3, ..Config::default() };
    let r = Run::with_host(host, cfg, |_| {});
    assert_eq!((r.h.plugin.config().bs_xmin, r.h.plugin.config().bs_xmax), (15, 20));
}

#[test]
fn layer2_flows_and_talkers() {
    let mut r = Run::new(Config::default());
    // ARP requests: 46 bytes after the Ethernet header
    let frame = arp(1, [0, 0x13, 0x7f, 0xbe, 0x8c, 0xff], IP_A, [0; 6], IP_B);
    r.h.packet(A, ts(5, 0), &frame);
    r.h.packet(A, ts(6, 0), &frame);
    let a = r.end(A);
    assert_eq!((u(&a, "pktsSnt"), u(&a, "l7BytesSnt"), f(&a, "bytps")), (2, 92, 92.0));
    r.h.globals.num_packets = 8;
    r.h.globals.num_a_bytes = 1000;
    r.h.globals.num_b_bytes = 24;
    assert_eq!(
        r.report(),
        [
            "Flow max(pktload): 46",
            "Flow max(b/s), pkts: 736, 2",
            "Biggest L2 flow talker: 00:13:7f:be:8c:ff: 2 [25.00%] packets",
            "Biggest L2 flow talker: 00:13:7f:be:8c:ff: 92 [8.98%] bytes",
        ]
    );
}

/// Two flows ended in turn; the report names the biggest senders.
fn talkers(edit: impl FnOnce(&mut plugin_api::abi::CoreConfig)) -> Run {
    let mut r = Run::with_core(Config::default(), edit);
    for i in 0..3 {
        r.udp(A, ts(100 + i, 0), 10);
    }
    // the B side talks IPv6
    let v6 = |last| [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, last, 0];
    let reply = udp_from(Ip::V6(v6(0x10), v6(0x20)), 1400);
    r.h.packet(B, ts(100, 0), &reply);
    r.h.packet(B, ts(100, 500_000_000), &reply);
    r.end(A);
    r.end(B);
    r.h.globals.num_packets = 5;
    r.h.globals.num_a_bytes = 2048;
    r.h.globals.num_b_bytes = 2048;
    r
}

#[test]
fn end_report() {
    assert_eq!(
        talkers(|_| {}).report(),
        [
            "Flow max(pktload): 1400 (1.40 K)",
            "Flow max(b/s), pkts: 44800 (44.80 Kb/s), 2",
            "Biggest L3 flow talker: 10.0.0.1: 3 [60.00%] packets",
            "Biggest L3 flow talker: 2001:db8::1000: 2800 (2.80 K) [68.36%] bytes",
        ]
    );
    // anonymised addresses: no layer-3 talkers; no L2 flows: no layer-2 lines
    assert_eq!(talkers(|c| c.anonym_ip = 1).report().len(), 2);
    // T2 compiles the report only with Ethernet flows or clear addresses
    assert!(talkers(|c| (c.anonym_ip, c.eth_activate) = (1, 0)).report().is_empty());
}

#[test]
fn report_before_any_flow_and_byte_talker_without_bytes() {
    let mut r = Run::new(Config::default());
    assert_eq!(r.report(), ["Flow max(pktload): 0", "Flow max(b/s), pkts: 0, 0"]);
    r.h.packet(A, ts(1, 0), &udp_from(Ip::V4([10, 0, 0, 9], IP_B), 0));
    r.end(A);
    r.h.globals.num_packets = 1;
    r.h.globals.num_a_bytes = 60;
    // no flow sent a byte: T2 prints its empty byte talker
    assert_eq!(r.report()[3], "Biggest L3 flow talker: : 0 [0.00%] bytes");
}

#[test]
fn lapd_flows_are_no_talkers() {
    let mut r = Run::new(Config::default());
    r.udp(A, ts(1, 0), 5);
    r.h.flows[A].status.set(r.h.flows[A].status.get() | LAPD_FLOW);
    r.end(A);
    assert_eq!(r.report().len(), 2);
}

#[test]
fn monitoring_repeats_the_report_only_in_the_human_report() {
    let mut r = talkers(|_| {});
    let expected = r.report();
    assert_eq!(r.h.monitoring(true, MonState::Header), "");
    assert_eq!(r.h.monitoring(true, MonState::Values), "");
    assert!(r.h.host.recorded().lines.is_empty());
    let text = r.h.monitoring(true, MonState::Report);
    let lines = r.h.host.recorded().lines.clone();
    assert!(lines.iter().all(|(s, l, _)| *s == stream::MON && *l == level::PLUGIN));
    assert_eq!(text.lines().collect::<Vec<_>>(), expected);
}
