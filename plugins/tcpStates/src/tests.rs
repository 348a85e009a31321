//! The state machine on frames built by plugin-api's testing kit, driven through the plugin
//! callbacks by its harness on a two-slot flow table (slot 0: client → server, slot 1: server →
//! client).

use plugin_api::abi::CoreConfig;
use plugin_api::testing::packet::{Frame, Ip, L4, Tcp, packet, ts};
use plugin_api::testing::{FLOW_TIMEOUT as DEFAULT_TIMEOUT, Harness, TestInit, core_config};
use plugin_api::wire::tcp::flags::{ACK, FIN, PSH, RST, SYN, URG};
use plugin_api::{Ctx, Plugin};

use super::anomaly::*;
use super::machine::{self, Conn, Segment, State};
use super::*;

const CLI: [u8; 4] = [10, 0, 0, 1];
const SRV: [u8; 4] = [10, 0, 0, 2];
/// Client to server.
const C: usize = 0;
/// Server to client.
const S: usize = 1;

/// One connection seen by tcpStates.
struct Conv {
    h: Harness<TcpStates>,
}

impl Conv {
    fn new() -> Conv {
        Conv { h: Harness::with(TcpStates::new, &TestInit::default(), CoreConfig { capacity: 2, ..core_config() }) }
    }

    /// A TCP segment from `dir` (no payload).
    fn tcp(&mut self, dir: usize, flags: u8, seq: u32, ack: u32) -> &mut Conv {
        self.frame(dir, &segment(dir, Tcp { seq, ack, flags, ..seg_syn() }).frame())
    }

    /// Hands `frame` to the flow of `dir`.
    fn frame(&mut self, dir: usize, frame: &Frame) -> &mut Conv {
        self.h.packet(dir, ts(0, 0), frame);
        self
    }

    fn conn(&self, dir: usize) -> Conn {
        *self.h.plugin.conns.at(dir).unwrap()
    }

    fn state(&self, dir: usize) -> State {
        self.conn(dir).state
    }

    fn timeout(&self, dir: usize) -> f32 {
        self.h.flows[dir].timeout.get()
    }

    /// Anomalies so far, before the end-of-flow checks.
    fn anomalies(&self, dir: usize) -> u8 {
        self.conn(dir).anomalies
    }

    /// Ends both flows, A first, and returns their `tcpStatesAFlags`.
    fn finish(&mut self) -> [u8; 2] {
        let ctx = Ctx::new(&self.h.globals, &self.h.flows);
        let mut out = [0; 2];
        for dir in [C, S] {
            if let Some(flow) = ctx.flow(dir as u64).filter(|f| f.findex() != 0) {
                out[dir] = self.h.plugin.finish(&flow);
                self.h.plugin.aggregate |= out[dir];
            }
        }
        out
    }

    /// The three-way handshake, client ISN 100, server ISN 500.
    fn handshake(&mut self) -> &mut Conv {
        self.tcp(C, SYN, 100, 0).tcp(S, SYN | ACK, 500, 101).tcp(C, ACK, 101, 501)
    }
}

/// A packet of `seg` from `dir` (the ports of `seg` are the client's).
fn segment(dir: usize, seg: Tcp<'_>) -> plugin_api::testing::packet::IpPacket<'_> {
    let (ip, seg) = if dir == C {
        (Ip::V4(CLI, SRV), seg)
    } else {
        (Ip::V4(SRV, CLI), Tcp { sport: seg.dport, dport: seg.sport, ..seg })
    };
    packet(ip, L4::Tcp(seg))
}

#[test]
fn registers_the_five_timeouts_in_t2_order() {
    let c = Conv::new();
    assert_eq!(c.h.host.recorded().timeouts, vec![0.1, 120.0, 610.0, 120.0, 10.0]);
}

#[test]
fn declares_one_h8_column_and_no_flags() {
    let c = Conv::new();
    let names: Vec<&str> = c.h.columns().iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["tcpStatesAFlags"]);
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
    assert_eq!(c.h.plugin.aggregate, 0);
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
    c.frame(C, &packet(Ip::V4(CLI, SRV), L4::Udp(1000, 53, b"query")).frame());
    assert_eq!(c.conn(C), Conn::default());
    assert_eq!(c.timeout(C), DEFAULT_TIMEOUT);
    assert_eq!(c.finish()[C], 0);
}

#[test]
fn only_first_fragments_with_13_captured_bytes_count() {
    // a NULL segment in two fragments: the second one carries no TCP header
    let mut c = Conv::new();
    let payload = [0xffu8; 64];
    let frags = segment(C, Tcp { flags: 0, payload: &payload, ..seg_syn() }).ip_id(7).fragments(40);
    c.frame(C, &frags[0]);
    assert_eq!(c.anomalies(C), EVIL | MAL_CON_EST);
    let before = c.conn(C);
    c.frame(C, &frags[1]);
    assert_eq!(c.conn(C), before);

    // 12 captured TCP bytes: skipped
    let mut c = Conv::new();
    let f = segment(C, Tcp { flags: 0, ..seg_syn() }).frame();
    c.frame(C, &f.clone().cut(14 + 20 + 12));
    assert_eq!(c.conn(C), Conn::default());
    // 14 captured TCP bytes: the flags byte is there
    c.frame(C, &f.cut(14 + 20 + 14));
    assert_eq!(c.anomalies(C), EVIL | MAL_CON_EST);
}

fn seg_syn() -> Tcp<'static> {
    Tcp { sport: 40000, dport: 80, seq: 1, ack: 0, flags: SYN, win: 1000, ..Tcp::default() }
}

#[test]
fn aggregate_is_the_or_of_ended_flows() {
    let mut c = Conv::new();
    c.tcp(C, SYN, 100, 0).tcp(S, RST | ACK, 0, 101);
    c.finish();
    assert_eq!(c.h.plugin.aggregate, RST_FROM_SENDER | MAL_CON_EST | MAL_TEARDOWN);
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
