//! The state machine on packets built with `tranalyzer::testing` and dissected by the core,
//! driven through the plugin callbacks on a two-slot flow table (slot 0: client → server,
//! slot 1: server → client).

use core::cell::Cell;

use plugin_api::abi::{FlowKey, FlowRecord, Globals, Timestamp};
use plugin_api::testing::{TestHost, TestInit, core_config, globals};
use plugin_api::wire::ipproto;
use plugin_api::{Ctx, Packet, Plugin};
use tranalyzer::capture::LinkType;
use tranalyzer::dissect::{self, DissectStats};
use tranalyzer::testing::{Ip, L4, Tcp, ethernet, ip_packet, ipv4_fragments};

use super::anomaly::*;
use super::machine::{self, Conn, Segment, State};
use super::*;

const FIN: u8 = 0x01;
const SYN: u8 = 0x02;
const RST: u8 = 0x04;
const PSH: u8 = 0x08;
const ACK: u8 = 0x10;
const URG: u8 = 0x20;

const CLI: [u8; 4] = [10, 0, 0, 1];
const SRV: [u8; 4] = [10, 0, 0, 2];
/// Client to server.
const C: usize = 0;
/// Server to client.
const S: usize = 1;
const DEFAULT_TIMEOUT: f32 = 182.0;

fn record(slot: usize) -> FlowRecord {
    FlowRecord {
        key: FlowKey { l4_proto: ipproto::TCP, ..FlowKey::default() },
        findex: 1,
        timeout: Cell::new(DEFAULT_TIMEOUT),
        ip_ver: 4,
        ..FlowRecord::empty(slot as u64)
    }
}

/// One connection seen by tcpStates.
struct Conv {
    host: TestHost,
    plugin: TcpStates,
    g: Box<Globals>,
    flows: Vec<FlowRecord>,
    seen: [bool; 2],
}

impl Conv {
    fn new() -> Conv {
        let host = TestHost::new();
        let mut plugin = TcpStates::new(host.host());
        let mut config = core_config();
        config.capacity = 2;
        plugin.init(&TestInit::default().init(&config));
        Conv { host, plugin, g: globals(), flows: vec![record(C), record(S)], seen: [false; 2] }
    }

    /// A TCP segment from `dir` (no payload).
    fn tcp(&mut self, dir: usize, flags: u8, seq: u32, ack: u32) -> &mut Conv {
        let (src, dst, sport, dport) = if dir == C { (CLI, SRV, 40000, 80) } else { (SRV, CLI, 80, 40000) };
        let seg = Tcp { sport, dport, seq, ack, flags, win: 1000, opts: &[], payload: b"" };
        self.frame(dir, &ethernet([2; 6], [4; 6], &[], 0x0800, &ip_packet(&Ip::V4(src, dst), 1, &L4::Tcp(seg))))
    }

    /// Dissects `frame`, creates the flow of `dir` on its first packet, then calls `on_layer4`.
    fn frame(&mut self, dir: usize, frame: &[u8]) -> &mut Conv {
        let mut pv = dissect::empty_view();
        dissect::reset_view(&mut pv, frame, Timestamp::default(), frame.len() as u32);
        dissect::dissect(frame, LinkType::EN10MB, &mut pv, &mut self.g, &mut DissectStats::default());
        if !self.seen[dir] {
            self.seen[dir] = true;
            self.flows[dir].key.l4_proto = pv.l4_proto;
            if self.seen[1 - dir] {
                self.flows[dir].opposite = (1 - dir) as u64;
                self.flows[1 - dir].opposite = dir as u64;
            }
            let ctx = Ctx::new(&self.g, &self.flows);
            self.plugin.on_new_flow(ctx, &Packet::new(&pv, frame), ctx.flow(dir as u64).unwrap());
        }
        let ctx = Ctx::new(&self.g, &self.flows);
        self.plugin.on_layer4(ctx, &Packet::new(&pv, frame), ctx.flow(dir as u64).unwrap());
        self
    }

    fn conn(&self, dir: usize) -> Conn {
        *self.plugin.conns.at(dir).unwrap()
    }

    fn state(&self, dir: usize) -> State {
        self.conn(dir).state
    }

    fn timeout(&self, dir: usize) -> f32 {
        self.flows[dir].timeout.get()
    }

    /// Anomalies so far, before the end-of-flow checks.
    fn anomalies(&self, dir: usize) -> u8 {
        self.conn(dir).anomalies
    }

    /// Ends both flows, A first, and returns their `tcpStatesAFlags`.
    fn finish(&mut self) -> [u8; 2] {
        let ctx = Ctx::new(&self.g, &self.flows);
        let mut out = [0; 2];
        for dir in [C, S] {
            if self.seen[dir] {
                out[dir] = self.plugin.finish(&ctx.flow(dir as u64).unwrap());
                self.plugin.aggregate |= out[dir];
            }
        }
        out
    }

    /// The three-way handshake, client ISN 100, server ISN 500.
    fn handshake(&mut self) -> &mut Conv {
        self.tcp(C, SYN, 100, 0).tcp(S, SYN | ACK, 500, 101).tcp(C, ACK, 101, 501)
    }
}

#[test]
fn registers_the_five_timeouts_in_t2_order() {
    let c = Conv::new();
    assert_eq!(c.host.recorded().timeouts, vec![0.1, 120.0, 610.0, 120.0, 10.0]);
}

#[test]
fn declares_one_h8_column_and_no_flags() {
    let c = Conv::new();
    let mut cols = plugin_api::Columns::default();
    c.plugin.columns(&mut cols);
    assert!(format!("{cols:?}").contains("tcpStatesAFlags"));
    // T2's tcpStates has no configuration flags, so there is no flag to test
    assert!(flags::ALL.is_empty() && flags::CHANGED.is_empty());
}

#[test]
fn clean_connection_has_no_anomaly() {
    let mut c = Conv::new();
    c.tcp(C, SYN, 100, 0);
    assert_eq!((c.state(C), c.timeout(C)), (State::New, 120.0));
    c.tcp(S, SYN | ACK, 500, 101);
    assert!(c.conn(C).syn_ackd);
    assert_eq!((c.state(S), c.timeout(S)), (State::New, 120.0));
    c.tcp(C, ACK, 101, 501);
    assert_eq!([c.state(C), c.state(S)], [State::Established; 2]);
    assert_eq!([c.timeout(C), c.timeout(S)], [610.0; 2]);
    c.tcp(C, PSH | ACK, 101, 501).tcp(S, ACK, 501, 102);
    c.tcp(C, FIN | ACK, 102, 501);
    assert_eq!((c.state(C), c.timeout(C)), (State::Closing, 120.0));
    c.tcp(S, FIN | ACK, 501, 103);
    assert!(c.conn(C).fin_ackd);
    assert_eq!(c.state(S), State::Closing);
    c.tcp(C, ACK, 103, 502);
    assert_eq!([c.state(C), c.state(S)], [State::Closed; 2]);
    assert_eq!([c.timeout(C), c.timeout(S)], [10.0; 2]);
    assert_eq!(c.finish(), [0, 0]);
    assert_eq!(c.plugin.aggregate, 0);
}

#[test]
fn packets_after_teardown_and_reset() {
    let mut c = Conv::new();
    c.handshake().tcp(C, FIN | ACK, 101, 501).tcp(S, FIN | ACK, 501, 102).tcp(C, ACK, 102, 502);
    assert_eq!(c.state(S), State::Closed);
    c.tcp(S, ACK, 502, 102);
    assert_eq!(c.anomalies(S), PKTS_AFTER_TEARDOWN);
    c.tcp(S, RST, 502, 0);
    assert_eq!((c.state(S), c.timeout(S)), (State::Reset, 0.1));
    assert_eq!(c.anomalies(S), PKTS_AFTER_TEARDOWN | RST_FROM_SENDER | MAL_TEARDOWN);
    assert_eq!((c.state(C), c.anomalies(C), c.timeout(C)), (State::Reset, MAL_TEARDOWN, 0.1));
    c.tcp(C, ACK, 102, 502);
    assert_eq!(c.anomalies(C), MAL_TEARDOWN | PKTS_AFTER_RESET);
    // both teardowns were complete before the reset
    assert_eq!(c.finish(), [MAL_TEARDOWN | PKTS_AFTER_RESET, PKTS_AFTER_TEARDOWN | RST_FROM_SENDER | MAL_TEARDOWN]);
}

#[test]
fn refused_connection() {
    let mut c = Conv::new();
    c.tcp(C, SYN, 100, 0).tcp(S, RST | ACK, 0, 101);
    assert_eq!([c.state(C), c.state(S)], [State::Reset; 2]);
    assert_eq!([c.timeout(C), c.timeout(S)], [0.1; 2]);
    assert_eq!([c.anomalies(C), c.anomalies(S)], [0, RST_FROM_SENDER]);
    assert_eq!(c.finish(), [MAL_CON_EST | MAL_TEARDOWN, RST_FROM_SENDER | MAL_CON_EST | MAL_TEARDOWN]);
}

#[test]
fn lone_syn_ack_is_a_malformed_establishment() {
    let mut c = Conv::new();
    c.tcp(S, SYN | ACK, 500, 101);
    assert_eq!((c.state(S), c.timeout(S), c.anomalies(S)), (State::Established, 610.0, MAL_CON_EST));
    assert_eq!(c.finish(), [0, MAL_CON_EST | MAL_TEARDOWN]);
}

#[test]
fn syn_ack_with_a_wrong_ack_number() {
    let mut c = Conv::new();
    c.tcp(C, SYN, 100, 0).tcp(S, SYN | ACK, 500, 7);
    assert_eq!([c.state(C), c.state(S)], [State::Established; 2]);
    assert_eq!([c.anomalies(C), c.anomalies(S)], [MAL_CON_EST; 2]);
    assert_eq!([c.timeout(C), c.timeout(S)], [610.0; 2]);
}

#[test]
fn ack_numbers_do_not_wrap() {
    let mut c = Conv::new();
    c.tcp(C, SYN, u32::MAX, 0).tcp(S, SYN | ACK, 500, 0);
    assert!(!c.conn(C).syn_ackd);
    assert_eq!(c.anomalies(S), MAL_CON_EST);
}

#[test]
fn final_ack_with_a_wrong_ack_number() {
    let mut c = Conv::new();
    c.tcp(C, SYN, 100, 0).tcp(S, SYN | ACK, 500, 101).tcp(C, ACK, 101, 9);
    assert_eq!([c.state(C), c.state(S)], [State::Established; 2]);
    assert_eq!([c.anomalies(C), c.anomalies(S)], [MAL_CON_EST; 2]);
}

#[test]
fn ack_before_own_syn_was_acked_stays_new() {
    let mut c = Conv::new();
    // the server's SYN-ACK is lost: the client ACKs the server's SYN it never saw acked
    c.tcp(S, SYN, 500, 0).tcp(C, ACK, 101, 501);
    assert!(c.conn(S).syn_ackd);
    assert_eq!((c.state(C), c.timeout(C)), (State::New, DEFAULT_TIMEOUT));
    assert_eq!(c.state(S), State::New);
}

#[test]
fn mid_stream_start() {
    let mut c = Conv::new();
    c.tcp(C, PSH | ACK, 1000, 2000);
    assert_eq!((c.state(C), c.anomalies(C), c.timeout(C)), (State::Established, MAL_CON_EST, 610.0));
    c.tcp(S, ACK, 2000, 1001);
    // the ACK does not acknowledge any SYN: both stay established, malformed
    assert_eq!([c.anomalies(C), c.anomalies(S)], [MAL_CON_EST; 2]);
    assert_eq!(c.finish(), [MAL_CON_EST | MAL_TEARDOWN; 2]);
}

#[test]
fn malformed_flags_while_established() {
    let mut c = Conv::new();
    c.handshake().tcp(S, PSH, 501, 0);
    assert_eq!([c.anomalies(C), c.anomalies(S)], [MAL_FLAGS_EST; 2]);
    c.tcp(C, SYN | ACK, 101, 501);
    assert_eq!(c.state(C), State::Established);
}

#[test]
fn reset_while_established_and_closing() {
    let mut c = Conv::new();
    c.handshake().tcp(C, RST | ACK, 101, 501);
    assert_eq!([c.state(C), c.state(S)], [State::Reset; 2]);
    assert_eq!([c.anomalies(C), c.anomalies(S)], [RST_FROM_SENDER | MAL_TEARDOWN, MAL_TEARDOWN]);

    let mut c = Conv::new();
    c.handshake().tcp(C, FIN | ACK, 101, 501).tcp(C, RST, 102, 0);
    assert_eq!([c.state(C), c.state(S)], [State::Reset; 2]);
    assert_eq!(c.anomalies(C), RST_FROM_SENDER | MAL_TEARDOWN);
}

#[test]
fn rst_in_closing_that_completes_the_teardown_closes() {
    let mut c = Conv::new();
    c.handshake().tcp(C, FIN | ACK, 101, 501).tcp(S, FIN | ACK, 501, 102);
    // the client's RST-ACK acknowledges the server's FIN: T2 resets, then closes both sides
    c.tcp(C, RST | ACK, 102, 502);
    assert_eq!([c.state(C), c.state(S)], [State::Closed; 2]);
    assert_eq!([c.timeout(C), c.timeout(S)], [10.0; 2]);
    assert_eq!(c.anomalies(C), RST_FROM_SENDER | MAL_TEARDOWN);
}

#[test]
fn lone_rst_is_a_scan() {
    let mut c = Conv::new();
    c.tcp(C, RST, 1, 0);
    assert_eq!((c.state(C), c.timeout(C)), (State::Reset, 0.1));
    assert_eq!(c.anomalies(C), RST_FROM_SENDER | MAL_CON_EST | EVIL);
    assert_eq!(c.finish()[C], RST_FROM_SENDER | MAL_CON_EST | MAL_TEARDOWN | EVIL);
}

#[test]
fn rst_after_a_syn_from_the_other_side() {
    let mut c = Conv::new();
    c.tcp(C, SYN, 100, 0).tcp(S, RST, 0, 0);
    assert_eq!([c.anomalies(C), c.anomalies(S)], [MAL_CON_EST, RST_FROM_SENDER | MAL_CON_EST]);
    assert_eq!([c.state(C), c.state(S)], [State::Reset; 2]);
}

#[test]
fn null_xmas_and_fin_scans() {
    for flags in [0, FIN | PSH | URG, 0xc0] {
        let mut c = Conv::new();
        c.tcp(C, flags, 1, 0);
        assert_eq!(c.anomalies(C) & EVIL, EVIL, "flags {flags:#x}");
    }
    // FIN alone: a FIN scan, the state does not change
    let mut c = Conv::new();
    c.tcp(C, FIN, 1, 0);
    assert_eq!((c.state(C), c.anomalies(C), c.timeout(C)), (State::New, EVIL, DEFAULT_TIMEOUT));
}

#[test]
fn lone_fin_ack_is_a_possible_fin_scan() {
    let mut c = Conv::new();
    c.tcp(C, FIN | ACK, 1, 1);
    assert_eq!((c.state(C), c.anomalies(C), c.timeout(C)), (State::Closing, MAL_CON_EST, 120.0));
    assert!(c.conn(C).fin_scan);
    assert_eq!(c.finish()[C], MAL_CON_EST | MAL_TEARDOWN | EVIL);
}

#[test]
fn fin_scan_mark_cleared_by_a_clean_teardown() {
    let mut c = Conv::new();
    c.tcp(C, FIN | ACK, 100, 1);
    c.tcp(S, FIN | ACK, 1, 101);
    // the server's FIN-ACK starts its flow in NEW and acknowledges the client's FIN
    assert!(c.conn(C).fin_ackd);
    assert_eq!(c.anomalies(S), MAL_CON_EST);
    c.tcp(C, ACK, 101, 2);
    assert_eq!([c.state(C), c.state(S)], [State::Closed; 2]);
    assert_eq!(c.finish(), [MAL_CON_EST; 2]);
}

#[test]
fn non_tcp_flows_stay_zero() {
    let mut c = Conv::new();
    let udp = ip_packet(&Ip::V4(CLI, SRV), 1, &L4::Udp(1000, 53, b"query"));
    c.frame(C, &ethernet([2; 6], [4; 6], &[], 0x0800, &udp));
    assert_eq!(c.conn(C), Conn::default());
    assert_eq!(c.timeout(C), DEFAULT_TIMEOUT);
    assert_eq!(c.finish()[C], 0);
}

#[test]
fn only_first_fragments_with_13_captured_bytes_count() {
    // a NULL segment in two fragments: the second one carries no TCP header
    let mut c = Conv::new();
    let payload = [0xffu8; 64];
    let seg = Tcp { sport: 40000, dport: 80, seq: 1, ack: 0, flags: 0, win: 1000, opts: &[], payload: &payload };
    let frags = ipv4_fragments(CLI, SRV, 7, &L4::Tcp(seg), 40);
    c.frame(C, &ethernet([2; 6], [4; 6], &[], 0x0800, &frags[0]));
    assert_eq!(c.anomalies(C), EVIL | MAL_CON_EST);
    let before = c.conn(C);
    c.frame(C, &ethernet([2; 6], [4; 6], &[], 0x0800, &frags[1]));
    assert_eq!(c.conn(C), before);

    // 12 captured TCP bytes: skipped
    let mut c = Conv::new();
    let p = ip_packet(&Ip::V4(CLI, SRV), 1, &L4::Tcp(Tcp { flags: 0, ..seg_syn() }));
    let f = ethernet([2; 6], [4; 6], &[], 0x0800, &p);
    c.frame(C, &f[..14 + 20 + 12]);
    assert_eq!(c.conn(C), Conn::default());
    // 14 captured TCP bytes: the flags byte is there
    c.frame(C, &f[..14 + 20 + 14]);
    assert_eq!(c.anomalies(C), EVIL | MAL_CON_EST);
}

fn seg_syn() -> Tcp<'static> {
    Tcp { sport: 40000, dport: 80, seq: 1, ack: 0, flags: SYN, win: 1000, opts: &[], payload: b"" }
}

#[test]
fn aggregate_is_the_or_of_ended_flows() {
    let mut c = Conv::new();
    c.tcp(C, SYN, 100, 0).tcp(S, RST | ACK, 0, 101);
    c.finish();
    assert_eq!(c.plugin.aggregate, RST_FROM_SENDER | MAL_CON_EST | MAL_TEARDOWN);
}

#[test]
fn machine_without_packets() {
    // the pure machine: a simultaneous open (both SYNs, then both SYN-ACKs)
    let (mut a, mut b) = (Conn::default(), Conn::default());
    machine::segment(&mut a, Some(&mut b), Segment { flags: SYN, seq: 10, ack: 0 });
    machine::segment(&mut b, Some(&mut a), Segment { flags: SYN, seq: 20, ack: 0 });
    machine::segment(&mut a, Some(&mut b), Segment { flags: SYN | ACK, seq: 10, ack: 21 });
    let t = machine::segment(&mut b, Some(&mut a), Segment { flags: SYN | ACK, seq: 20, ack: 11 });
    assert!(a.syn_ackd && b.syn_ackd);
    assert_eq!(t.own, Some(120.0));
    let t = machine::segment(&mut a, Some(&mut b), Segment { flags: ACK, seq: 11, ack: 21 });
    assert_eq!((a.state, b.state), (State::Established, State::Established));
    assert_eq!((t.own, t.opp), (Some(610.0), Some(610.0)));
    assert_eq!(machine::finish(&mut a, Some(&mut b)), MAL_TEARDOWN);
}
