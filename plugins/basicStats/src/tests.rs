//! The plugin driven through its callbacks: packets dissected by the core's dissector, flow
//! records kept by hand, records decoded by the declared columns. One test (at least) per flag.

use core::cell::Cell;

use plugin_api::abi::{FlowRecord, Globals, PacketView, Timestamp, level, stream};
use plugin_api::status::{L2_FLOW, L2_IPV4, L2_IPV6, L3FLOWINVERT, LAPD_FLOW};
use plugin_api::testing::{TestHost, TestInit, columns, core_config, globals};
use plugin_api::{Ctx, MonState, Packet, Plugin, Prim, Value};
use tranalyzer::capture::LinkType;
use tranalyzer::dissect::{self, DissectStats};
use tranalyzer::testing::{Ip, L4, ethernet, ip_packet};

use crate::{BasicStats, Config};

/// A decoded column value.
#[derive(Clone, Copy, Debug, PartialEq)]
enum V {
    U(u64),
    I(i64),
    F(f32),
}

/// A decoded record: column names and values.
type Rec = Vec<(String, V)>;

const A: usize = 0;
const B: usize = 1;

fn ts(sec: i64, ns: i64) -> Timestamp {
    Timestamp { sec, frac: ns }
}

fn record(slot: usize) -> FlowRecord {
    FlowRecord {
        findex: 1,
        status: Cell::new(if slot == B { L2_IPV4 | L3FLOWINVERT } else { L2_IPV4 }),
        timeout: Cell::new(182.0),
        ip_ver: 4,
        ..FlowRecord::empty(slot as u64)
    }
}

/// An Ethernet/IPv4/UDP frame with `payload` bytes of layer 7, dissected by the core.
fn udp_frame(payload: usize) -> (PacketView, Vec<u8>) {
    let data = vec![0x5a; payload];
    let ip = ip_packet(&Ip::V4([10, 0, 0, 1], [10, 0, 0, 2]), 1, &L4::Udp(1234, 53, &data));
    let frame = ethernet([2, 0, 0, 0, 0, 2], [2, 0, 0, 0, 0, 1], &[], 0x0800, &ip);
    let mut pv = dissect::empty_view();
    dissect::reset_view(&mut pv, &frame, Timestamp::default(), frame.len() as u32);
    let mut g = globals();
    dissect::dissect(&frame, LinkType(1), &mut pv, &mut g, &mut DissectStats::default());
    assert_eq!(pv.len as usize, payload, "PACKETLENGTH 3: layer-7 length");
    (pv, frame)
}

/// One plugin instance and the two directions of one connection (slot 0 = A, 1 = B).
struct Run {
    host: TestHost,
    bs: BasicStats,
    g: Box<Globals>,
    flows: Vec<FlowRecord>,
    seen: [bool; 2],
}

impl Run {
    fn new(cfg: Config) -> Run {
        Run::with_core(cfg, |_| {})
    }

    fn with_core(cfg: Config, edit: impl FnOnce(&mut plugin_api::abi::CoreConfig)) -> Run {
        Run::with_host(TestHost::new(), cfg, edit)
    }

    fn with_host(host: TestHost, cfg: Config, edit: impl FnOnce(&mut plugin_api::abi::CoreConfig)) -> Run {
        let mut core = core_config();
        core.capacity = 4;
        edit(&mut core);
        let mut bs = BasicStats::with_config(host.host(), cfg);
        bs.init(&TestInit::default().init(&core));
        Run { host, bs, g: globals(), flows: vec![record(A), record(B)], seen: [false; 2] }
    }

    /// A packet of `slot` with `payload` layer-7 bytes at `at`, as the core calls the plugin.
    fn udp(&mut self, slot: usize, at: Timestamp, payload: usize) {
        let (pv, frame) = udp_frame(payload);
        self.feed(slot, at, &pv, &frame, false);
    }

    /// A packet of `slot` whose `packet->len` is `len`.
    fn len(&mut self, slot: usize, at: Timestamp, len: u32) {
        let mut pv = dissect::empty_view();
        pv.len = len;
        self.feed(slot, at, &pv, &[], false);
    }

    fn feed(&mut self, slot: usize, at: Timestamp, pv: &PacketView, data: &[u8], layer2: bool) {
        let mut pv = *pv;
        pv.ts = at;
        pv.raw = data.as_ptr();
        let new = !self.seen[slot];
        let f = &mut self.flows[slot];
        if new {
            self.seen[slot] = true;
            f.first_seen = at;
            if slot == B && self.seen[A] {
                self.flows[A].opposite = B as u64;
                self.flows[B].opposite = A as u64;
            }
        }
        self.flows[slot].last_seen = at;
        let ctx = Ctx::new(&self.g, &self.flows);
        let pkt = Packet::new(&pv, data);
        let flow = ctx.flow(slot as u64).unwrap();
        if new {
            self.bs.on_new_flow(ctx, &pkt, flow);
        }
        if layer2 {
            self.bs.on_layer2(ctx, &pkt, Some(flow));
        } else {
            self.bs.on_layer2(ctx, &pkt, None);
            self.bs.on_layer4(ctx, &pkt, flow);
        }
    }

    /// Terminates `slot` and decodes its record by the declared columns.
    fn end(&mut self, slot: usize) -> Rec {
        let f = &mut self.flows[slot];
        let (mut sec, mut ns) = (f.last_seen.sec - f.first_seen.sec, f.last_seen.frac - f.first_seen.frac);
        if ns < 0 {
            sec -= 1;
            ns += 1_000_000_000;
        }
        f.duration = ts(sec, ns);
        let ctx = Ctx::new(&self.g, &self.flows);
        let flow = ctx.flow(slot as u64).unwrap();
        let bs = &mut self.bs;
        let rec = self.host.record(|out| bs.on_flow_terminate(ctx, flow, out));
        decode(&self.bs, &rec)
    }

    /// The lines the end report writes.
    fn report(&mut self) -> Vec<String> {
        let ctx = Ctx::new(&self.g, &self.flows);
        self.host.recorded().lines.clear();
        self.bs.report(ctx, &self.host.report());
        let lines = self.host.recorded().lines.clone();
        assert!(lines.iter().all(|(s, l, _)| *s == stream::LOG && *l == level::PLUGIN));
        lines.into_iter().map(|(_, _, m)| m).collect()
    }
}

fn decode(bs: &BasicStats, rec: &[u8]) -> Rec {
    let mut at = 0;
    let mut take = |n: usize| {
        let b = &rec[at..at + n];
        at += n;
        b
    };
    let vals = columns(bs)
        .into_iter()
        .map(|c| {
            assert!(!c.repeating && c.values.len() == 1, "{}", c.name);
            let v = match c.values[0] {
                Value::Prim(Prim::U64) => V::U(u64::from_ne_bytes(take(8).try_into().unwrap())),
                Value::Prim(Prim::I64) => V::I(i64::from_ne_bytes(take(8).try_into().unwrap())),
                Value::Prim(Prim::U16) => V::U(u64::from(u16::from_ne_bytes(take(2).try_into().unwrap()))),
                Value::Prim(Prim::F32) => V::F(f32::from_ne_bytes(take(4).try_into().unwrap())),
                ref v => panic!("unexpected type {v:?} of {}", c.name),
            };
            (c.name, v)
        })
        .collect();
    assert_eq!(at, rec.len(), "record longer than the declared columns");
    vals
}

fn names(cfg: Config) -> Vec<String> {
    columns(&BasicStats::with_config(TestHost::new().host(), cfg)).into_iter().map(|c| c.name).collect()
}

fn get(rec: &[(String, V)], name: &str) -> V {
    rec.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no column {name}")).1
}

fn f(rec: &[(String, V)], name: &str) -> f32 {
    match get(rec, name) {
        V::F(x) => x,
        v => panic!("{name} is {v:?}"),
    }
}

fn u(rec: &[(String, V)], name: &str) -> u64 {
    match get(rec, name) {
        V::U(x) => x,
        v => panic!("{name} is {v:?}"),
    }
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
    assert_eq!(get(&a, "padBytesSnt"), V::I(0));
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
    assert_eq!((f(&r.end(A), "pktAsm"), f(&r.end(A), "bytAsm")), (1.0, 1.0));
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
    r.flows[A].pad_len = 12;
    assert_eq!(get(&r.end(A), "padBytesSnt"), V::I(12));
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
    assert_eq!((r.bs.config().bs_xmin, r.bs.config().bs_xmax), (15, 20));
}

#[test]
fn layer2_flows_and_talkers() {
    let mut r = Run::new(Config::default());
    r.flows[A].status.set(L2_FLOW);
    r.flows[A].key.src_mac = [0, 0x13, 0x7f, 0xbe, 0x8c, 0xff];
    let mut pv = dissect::empty_view();
    pv.len = 46;
    r.feed(A, ts(5, 0), &pv, &[], true);
    r.feed(A, ts(6, 0), &pv, &[], true);
    let a = r.end(A);
    assert_eq!((u(&a, "pktsSnt"), u(&a, "l7BytesSnt"), f(&a, "bytps")), (2, 92, 92.0));
    r.g.num_packets = 8;
    r.g.num_a_bytes = 1000;
    r.g.num_b_bytes = 24;
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
    r.flows[A].key.src_ip[..4].copy_from_slice(&[10, 0, 0, 1]);
    r.flows[B].key.src_ip = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0];
    r.flows[B].status.set(L2_IPV6 | L3FLOWINVERT);
    for i in 0..3 {
        r.udp(A, ts(100 + i, 0), 10);
    }
    r.udp(B, ts(100, 0), 1400);
    r.udp(B, ts(100, 500_000_000), 1400);
    r.end(A);
    r.end(B);
    r.g.num_packets = 5;
    r.g.num_a_bytes = 2048;
    r.g.num_b_bytes = 2048;
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
    r.flows[A].key.src_ip[..4].copy_from_slice(&[10, 0, 0, 9]);
    r.udp(A, ts(1, 0), 0);
    r.end(A);
    r.g.num_packets = 1;
    r.g.num_a_bytes = 60;
    // no flow sent a byte: T2 prints its empty byte talker
    assert_eq!(r.report()[3], "Biggest L3 flow talker: : 0 [0.00%] bytes");
}

#[test]
fn lapd_flows_are_no_talkers() {
    let mut r = Run::new(Config::default());
    r.flows[A].status.set(L2_FLOW | LAPD_FLOW);
    r.udp(A, ts(1, 0), 5);
    r.end(A);
    assert_eq!(r.report().len(), 2);
}

#[test]
fn monitoring_repeats_the_report_only_in_the_human_report() {
    let mut r = talkers(|_| {});
    let expected = r.report();
    r.host.recorded().lines.clear();
    let ctx = Ctx::new(&r.g, &r.flows);
    let mon = r.host.monitor(true);
    r.bs.monitoring(ctx, &mon, MonState::Header);
    r.bs.monitoring(ctx, &mon, MonState::Values);
    {
        let rec = r.host.recorded();
        assert!(rec.written.is_empty() && rec.lines.is_empty());
    }
    r.bs.monitoring(ctx, &mon, MonState::Report);
    let lines = r.host.recorded().lines.clone();
    assert!(lines.iter().all(|(s, _, _)| *s == stream::MON));
    assert_eq!(lines.into_iter().map(|(_, _, m)| m).collect::<Vec<_>>(), expected);
}
