//! icmpDecode driven through the `Plugin` trait in-process, on hand-built Ethernet/IP/ICMP
//! frames: columns, direction correction, parent lookup, packet mode, the end report,
//! monitoring and the statistics file.

use plugin_api::abi::{FlowKey, FlowRecord, Globals, NO_FLOW, PacketView, level, stream};
use plugin_api::status::{L2_IPV4, L2_IPV6, L3FLOWINVERT};
use plugin_api::testing::{self, TestHost, TestInit, columns, core_config, globals};
use plugin_api::{Ctx, MonState, Packet, Plugin};

use crate::IcmpDecode;

const SLOTS: usize = 8;
const ETH: usize = 14;
const HOST_A: [u8; 4] = [192, 168, 1, 10];
const HOST_B: [u8; 4] = [8, 8, 8, 8];
const ROUTER: [u8; 4] = [10, 0, 0, 1];

/// An Ethernet frame with an IPv4 (`v6` false) or IPv6 header from `src` to `dst` carrying an
/// ICMP message `typ`/`code` with identifier 0x1234, sequence `seq` and `payload`.
fn frame(v6: bool, src: [u8; 4], dst: [u8; 4], typ: u8, code: u8, seq: u16, payload: &[u8]) -> Vec<u8> {
    let mut icmp = vec![typ, code, 0, 0, 0x12, 0x34];
    icmp.extend_from_slice(&seq.to_be_bytes());
    icmp.extend_from_slice(payload);
    let mut f = vec![0u8; 12];
    if v6 {
        f.extend_from_slice(&[0x86, 0xdd, 0x60, 0, 0, 0]);
        f.extend_from_slice(&(icmp.len() as u16).to_be_bytes());
        f.extend_from_slice(&[58, 64]);
        for a in [src, dst] {
            f.extend_from_slice(&[0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            f.extend_from_slice(&a);
        }
    } else {
        f.extend_from_slice(&[0x08, 0x00, 0x45, 0]);
        f.extend_from_slice(&((20 + icmp.len()) as u16).to_be_bytes());
        f.extend_from_slice(&[0, 1, 0, 0, 64, 1, 0, 0]);
        f.extend_from_slice(&src);
        f.extend_from_slice(&dst);
    }
    f.extend_from_slice(&icmp);
    f
}

/// The view the core's dissector makes of `frame` (IPv4 or IPv6 without extension headers).
fn view(frame: &[u8], v6: bool) -> PacketView {
    let (l3, n) = (ETH as u32, frame.len() as u32);
    let l4 = l3 + if v6 { 40 } else { 20 };
    let ether_type = if v6 { 0x86dd } else { 0x0800 };
    PacketView {
        status: if v6 { L2_IPV6 } else { L2_IPV4 },
        l2_off: 0,
        l3_off: l3,
        l4_off: l4,
        l7_off: l4 + 8,
        l3_len: n - l3,
        len: n - l4 - 8,
        snap_l3_len: n - l3,
        snap_l4_len: (n - l4) as u16,
        snap_l7_len: (n - l4 - 8) as u16,
        l7_len: (n - l4 - 8) as u16,
        l2_hdr_len: ETH as u16,
        l3_hdr_len: (l4 - l3) as u16,
        l4_hdr_len: 8,
        eth_type: ether_type,
        outer_eth_type: ether_type,
        l3_proto: ether_type,
        num_hdr_desc: 3,
        l4_proto: if v6 { 58 } else { 1 },
        ..testing::view(frame)
    }
}

/// The key the core gives the flow of an IPv4 ICMP packet from `src` to `dst`.
fn key(src: [u8; 4], dst: [u8; 4]) -> FlowKey {
    let mut k = FlowKey { eth_type: 0x0800, l4_proto: 1, ..FlowKey::default() };
    k.src_ip[..4].copy_from_slice(&src);
    k.dst_ip[..4].copy_from_slice(&dst);
    k
}

/// The columns of one flow as written (default flags: bit-field mode, parent column).
#[derive(Debug, PartialEq)]
struct Cols {
    stat: u8,
    tc_cnt: u8,
    type_h: u32,
    type_l: u32,
    code: u16,
    tm_gtw: u32,
    ratio: f32,
    pfi: u64,
}

/// The plugin with the flow table and counters the core would hold around it.
struct Run {
    host: TestHost,
    plugin: IcmpDecode,
    g: Box<Globals>,
    flows: Vec<FlowRecord>,
    dir: tempfile::TempDir,
}

impl Run {
    fn new(packet_mode: bool) -> Run {
        let dir = tempfile::tempdir().unwrap();
        let host = TestHost::new();
        let mut plugin = IcmpDecode::new(host.host());
        let mut config = core_config();
        config.capacity = SLOTS as u64;
        let prefix = dir.path().join("cap").to_str().unwrap().to_owned();
        plugin.init(&TestInit { prefix, packet_mode, ..TestInit::default() }.init(&config));
        Run { host, plugin, g: globals(), flows: (0..SLOTS as u64).map(FlowRecord::empty).collect(), dir }
    }

    /// Opens the flow of `frame` in `slot` (flow index `slot + 1`), `opposite` its other
    /// direction, and registers it with the host's flow lookup.
    fn open(&mut self, slot: usize, k: FlowKey, opposite: Option<usize>) {
        let rec = &mut self.flows[slot];
        rec.key = k;
        rec.findex = slot as u64 + 1;
        rec.opposite = opposite.map_or(NO_FLOW, |o| o as u64);
        self.host.add_flow(k, slot as u64);
    }

    /// Hands `frame` to the flow in `slot` as the core does (`on_new_flow` first when `new`).
    fn packet(&mut self, slot: usize, frame: &[u8], v6: bool, new: bool) {
        let pv = view(frame, v6);
        self.g.num_packets += 1;
        self.g.pkts_l3[usize::from(pv.l4_proto)] += 1;
        let pkt = Packet::new(&pv, frame);
        let ctx = Ctx::new(&self.g, &self.flows);
        let flow = ctx.flow(slot as u64).unwrap();
        if new {
            self.plugin.on_new_flow(ctx, &pkt, flow);
        }
        self.plugin.on_layer4(ctx, &pkt, flow);
    }

    /// Ends the flow in `slot` and decodes its record.
    fn end(&mut self, slot: usize) -> Cols {
        let ctx = Ctx::new(&self.g, &self.flows);
        let flow = ctx.flow(slot as u64).unwrap();
        let plugin = &mut self.plugin;
        let r = self.host.record(|out| plugin.on_flow_terminate(ctx, flow, out));
        assert_eq!(r.len(), 28, "{r:?}");
        let u32_at = |i: usize| u32::from_ne_bytes(r[i..i + 4].try_into().unwrap());
        Cols {
            stat: r[0],
            tc_cnt: r[1],
            type_h: u32_at(2),
            type_l: u32_at(6),
            code: u16::from_ne_bytes([r[10], r[11]]),
            tm_gtw: u32_at(12),
            ratio: f32::from_bits(u32_at(16)),
            pfi: u64::from_ne_bytes(r[20..28].try_into().unwrap()),
        }
    }

    fn lines(&self, strm: u32) -> Vec<String> {
        let rec = self.host.recorded();
        rec.lines.iter().filter(|(s, l, _)| *s == strm && *l == level::PLUGIN).map(|(_, _, m)| m.clone()).collect()
    }

    fn written(&self, strm: u32) -> String {
        let rec = self.host.recorded();
        rec.written.iter().filter(|(s, _)| *s == strm).map(|(_, b)| String::from_utf8_lossy(b).into_owned()).collect()
    }
}

#[test]
fn declares_the_reference_columns() {
    let run = Run::new(false);
    let cols = columns(&run.plugin);
    let got: Vec<(&str, String)> = cols.iter().map(|c| (c.name.as_str(), c.header_type())).collect();
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
}

#[test]
fn ping_with_replies_and_a_time_exceeded() {
    let mut run = Run::new(false);
    run.open(0, key(HOST_A, HOST_B), Some(1));
    run.open(1, key(HOST_B, HOST_A), Some(0));
    run.open(2, key(ROUTER, HOST_A), None);
    for seq in 1..=4 {
        run.packet(0, &frame(false, HOST_A, HOST_B, 8, 0, seq, b"abcdefgh"), false, seq == 1);
    }
    for seq in [1, 2, 4] {
        run.packet(1, &frame(false, HOST_B, HOST_A, 0, 0, seq, b"abcdefgh"), false, seq == 1);
    }
    // a router's time exceeded: a new flow without opposite turns into a B flow
    run.packet(2, &frame(false, ROUTER, HOST_A, 11, 0, 0, &[0x45; 28]), false, true);
    assert_ne!(run.flows[2].status.get() & L3FLOWINVERT, 0);
    assert_eq!(run.flows[0].status.get() & L3FLOWINVERT, 0, "flows with an opposite keep their direction");
    assert_eq!(
        run.end(0),
        Cols { stat: 0x01, tc_cnt: 4, type_h: 0, type_l: 1 << 8, code: 1, tm_gtw: 0, ratio: 0.75, pfi: 0 }
    );
    assert_eq!(
        run.end(1),
        Cols { stat: 0x21, tc_cnt: 3, type_h: 0, type_l: 1, code: 1, tm_gtw: 0, ratio: 0.0, pfi: 0 },
        "sequence 3 is missing"
    );
    // the parent T2 finds is the flow of the error message's own header
    assert_eq!(
        run.end(2),
        Cols { stat: 0x01, tc_cnt: 1, type_h: 0, type_l: 1 << 11, code: 1, tm_gtw: 0, ratio: 0.0, pfi: 3 }
    );
    run.plugin.report(Ctx::new(&run.g, &run.flows), &run.host.report());
    assert_eq!(
        run.lines(stream::LOG),
        [
            "Aggregated icmpStat=0x21",
            "Number of ICMP echo request packets: 4 [50.00%]",
            "Number of ICMP echo reply packets: 3 [37.50%]",
            "ICMP echo reply / request ratio: 0.75",
        ]
    );
    run.plugin.finalize(Ctx::new(&run.g, &run.flows));
    let stats = std::fs::read_to_string(run.dir.path().join("cap_icmpStats.txt")).unwrap();
    assert!(stats.starts_with("Total number of ICMP packets: 8 [100.00%]\n"), "{stats}");
    assert!(stats.contains("\nICMP_TIME_EXCEEDED\tICMP_EXC_TTL\t"), "{stats}");
    assert!(stats.contains("\nICMP echo reply / request ratio: 0.750\n"), "{stats}");
}

#[test]
fn timestamps_and_echo_direction() {
    let mut run = Run::new(false);
    run.open(0, key(HOST_B, HOST_A), None);
    // a timestamp reply first: no echo request, so the lone flow is B; its gateway field kept
    run.packet(0, &frame(false, HOST_B, HOST_A, 14, 0, 0x0506, &[0; 12]), false, true);
    assert_ne!(run.flows[0].status.get() & L3FLOWINVERT, 0);
    let cols = run.end(0);
    assert_eq!(cols.tm_gtw.to_ne_bytes(), [0x12, 0x34, 0x05, 0x06]);
    assert_eq!(cols.type_l, 1 << 14);
    // a lone echo request stays A (an inverted slot is set back)
    run.flows[1].status.set(L3FLOWINVERT);
    run.open(1, key(HOST_A, HOST_B), None);
    run.packet(1, &frame(false, HOST_A, HOST_B, 8, 0, 1, b""), false, true);
    assert_eq!(run.flows[1].status.get() & L3FLOWINVERT, 0);
}

#[test]
fn other_protocols_are_not_analysed() {
    let mut run = Run::new(true);
    run.open(0, key(HOST_A, HOST_B), None);
    let mut f = frame(false, HOST_A, HOST_B, 8, 0, 1, b"");
    let mut pv = view(&f, false);
    pv.l4_proto = 17;
    f[ETH + 9] = 17;
    let ctx = Ctx::new(&run.g, &run.flows);
    let flow = ctx.flow(0).unwrap();
    run.plugin.on_new_flow(ctx, &Packet::new(&pv, &f), flow);
    run.plugin.on_layer4(ctx, &Packet::new(&pv, &f), flow);
    assert_eq!(run.end(0), Cols { stat: 0, tc_cnt: 0, type_h: 0, type_l: 0, code: 0, tm_gtw: 0, ratio: 0.0, pfi: 0 });
    let written = run.written(stream::PACKETS);
    assert!(written.ends_with("0x00\t\t\t\t\t\t"), "{written:?}");
    run.plugin.report(Ctx::new(&run.g, &run.flows), &run.host.report());
    assert!(run.lines(stream::LOG).is_empty(), "no ICMP flow, no report");
}

#[test]
fn packet_mode_fields() {
    let mut run = Run::new(true);
    assert_eq!(run.written(stream::PACKETS), "icmpStat\ticmpType\ticmpCode\ticmpID\ticmpSeq\ticmpPFindex\t");
    run.host.recorded().written.clear();
    run.open(0, key(ROUTER, HOST_A), None);
    run.packet(0, &frame(false, ROUTER, HOST_A, 3, 3, 0x00ab, &[0; 28]), false, true);
    run.packet(0, &frame(false, ROUTER, HOST_A, 8, 0, 0x00ac, b""), false, false);
    assert_eq!(run.written(stream::PACKETS), "0x01\t3\t3\t0x1234\t0x00ab\t1\t0x21\t8\t0\t0x1234\t0x00ac\t\t");
    // a later fragment carries no ICMP header
    run.host.recorded().written.clear();
    let f = frame(false, ROUTER, HOST_A, 8, 0, 1, b"");
    let mut pv = view(&f, false);
    let mut g = f.clone();
    g[ETH + 6] = 0x00;
    g[ETH + 7] = 0x10;
    pv.raw = g.as_ptr();
    let ctx = Ctx::new(&run.g, &run.flows);
    run.plugin.on_layer4(ctx, &Packet::new(&pv, &g), ctx.flow(0).unwrap());
    assert_eq!(run.written(stream::PACKETS), "0x00\t\t\t\t\t\t");
    assert_eq!(run.end(0).tc_cnt, 2);
}

#[test]
fn icmpv6_neighbor_discovery_and_report() {
    let mut run = Run::new(false);
    run.open(0, FlowKey { eth_type: 0x86dd, l4_proto: 58, ..FlowKey::default() }, None);
    run.packet(0, &frame(true, HOST_A, HOST_B, 135, 0, 0, &[0; 16]), true, true);
    run.packet(0, &frame(true, HOST_A, HOST_B, 128, 0, 1, b""), true, false);
    run.packet(0, &frame(true, HOST_A, HOST_B, 1, 4, 0, &[0; 40]), true, false);
    let cols = run.end(0);
    assert_eq!((cols.type_h, cols.type_l, cols.code), (1 << 7 | 1, 1 << 1, 1 | 1 << 4));
    assert_eq!(cols.pfi, 0, "no flow has the key of this packet");
    run.plugin.report(Ctx::new(&run.g, &run.flows), &run.host.report());
    assert_eq!(
        run.lines(stream::LOG),
        ["Aggregated icmpStat=0x21", "Number of ICMPv6 echo request packets: 1 [33.33%]"],
        "the first echo of the flow is not its first message: sequence anomaly"
    );
    run.plugin.finalize(Ctx::new(&run.g, &run.flows));
    let stats = std::fs::read_to_string(run.dir.path().join("cap_icmpStats.txt")).unwrap();
    assert!(stats.contains("# ICMPv6 Type\tCode\t"), "{stats}");
    assert!(stats.contains("\nICMP6_NBOR_SOLICIT\t-\t"), "{stats}");
    assert!(stats.contains("\nICMP6_DEST_UNREACH\tICMP6_PORT_UNREACH\t"), "{stats}");
    assert!(!stats.contains("# ICMP Type"), "no IPv4 section: {stats}");
}

#[test]
fn monitoring_in_differential_mode() {
    let mut run = Run::new(false);
    let mon = run.host.monitor(true);
    let ctx = Ctx::new(&run.g, &run.flows);
    run.plugin.monitoring(ctx, &mon, MonState::Header);
    assert_eq!(run.written(stream::MON), "icmpPkts\ticmpEchoReq\ticmpEchoRep\t");
    run.open(0, key(HOST_A, HOST_B), None);
    run.packet(0, &frame(false, HOST_A, HOST_B, 8, 0, 1, b""), false, true);
    run.packet(0, &frame(false, HOST_A, HOST_B, 8, 0, 2, b""), false, false);
    run.host.recorded().written.clear();
    run.plugin.monitoring(Ctx::new(&run.g, &run.flows), &mon, MonState::Values);
    run.packet(0, &frame(false, HOST_A, HOST_B, 0, 0, 2, b""), false, false);
    run.plugin.monitoring(Ctx::new(&run.g, &run.flows), &mon, MonState::Values);
    assert_eq!(run.written(stream::MON), "2\t2\t0\t1\t0\t1\t");
    run.packet(0, &frame(false, HOST_A, HOST_B, 8, 0, 3, b""), false, false);
    run.plugin.monitoring(Ctx::new(&run.g, &run.flows), &mon, MonState::Report);
    assert_eq!(
        run.lines(stream::MON),
        ["Number of ICMP echo request packets: 1 [100.00%]", "Number of ICMP echo reply packets: 0 [0.00%]"],
        "no flow has ended: no aggregated status yet"
    );
}

#[test]
fn an_unwritable_statistics_file_fails_the_run() {
    let host = TestHost::new();
    let mut plugin = IcmpDecode::new(host.host());
    let config = core_config();
    plugin.init(&TestInit { prefix: "/nonexistent/dir/cap".into(), ..TestInit::default() }.init(&config));
    let g = globals();
    plugin.finalize(Ctx::new(&g, &[]));
    assert_eq!(
        host.failures(),
        ["Failed to open file '/nonexistent/dir/cap_icmpStats.txt': No such file or directory"]
    );
}
