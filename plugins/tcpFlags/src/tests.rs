//! Unit tests on frames built by plugin-api's testing kit, fed to the plugin by its harness the
//! way the core does; flow records come back as the text of each column.

use plugin_api::MonState;
use plugin_api::abi::{CoreConfig, stream};
use plugin_api::status::TIMEJUMP;
use plugin_api::testing::packet::{Frame, Ip, IpPacket, L4, Tcp, packet, ts};
use plugin_api::testing::{Harness, Row, TestInit, core_config};
use plugin_api::wire::tcp::flags as th;

use crate::{Config, TcpFlags};

const MAC_A: [u8; 6] = [0x02, 0, 0, 0, 0, 1];
const MAC_B: [u8; 6] = [0x02, 0, 0, 0, 0, 2];
const IP_A: [u8; 4] = [10, 0, 0, 1];
const IP_B: [u8; 4] = [10, 0, 0, 2];
const A: usize = 0;
const B: usize = 1;

/// One connection (slot 0: A, slot 1: B) run through the plugin by the harness.
struct Run {
    h: Harness<TcpFlags>,
}

impl Run {
    fn new(cfg: Config) -> Run {
        Run::with_init(cfg, &TestInit::default())
    }

    fn with_init(cfg: Config, init: &TestInit) -> Run {
        Run::around(|host| TcpFlags::with_config(host, cfg), init)
    }

    /// The plugin made by `make`, in a core with four slots.
    fn around(make: impl FnOnce(plugin_api::Host) -> TcpFlags, init: &TestInit) -> Run {
        Run { h: Harness::with(make, init, CoreConfig { capacity: 4, ..core_config() }) }
    }

    fn defaults() -> Run {
        Run::new(Config::default())
    }

    /// Feeds `frame` of direction `dir` captured at `sec` + `ns`.
    fn packet(&mut self, dir: usize, sec: i64, ns: i64, frame: &Frame) {
        self.h.packet(dir, ts(sec, ns), frame);
    }

    /// Ends the flow of `dir` and returns its columns.
    fn end(&mut self, dir: usize) -> Row {
        self.h.end(dir)
    }

    /// Ends both flows, A first, as the core writes them.
    fn end_both(&mut self) -> (Row, Row) {
        let a = self.end(A);
        let b = self.end(B);
        (a, b)
    }

    /// The end-report lines.
    fn report(&mut self) -> Vec<String> {
        self.h.report()
    }

    fn flow_status(&self, dir: usize) -> u64 {
        self.h.flows[dir].status.get()
    }
}

/// A TCP segment from A (`dir` 0) or B, to be built.
fn segment<'a>(dir: usize, seq: u32, ack: u32, flags: u8, win: u16, opts: &'a [u8], payload: &'a [u8]) -> IpPacket<'a> {
    let (sport, dport, src, dst, smac, dmac) =
        if dir == A { (40000, 80, IP_A, IP_B, MAC_A, MAC_B) } else { (80, 40000, IP_B, IP_A, MAC_B, MAC_A) };
    let t = Tcp { sport, dport, seq, ack, flags, win, opts, payload };
    packet(Ip::V4(src, dst), L4::Tcp(t)).macs(smac, dmac)
}

/// The frame of a TCP segment from A (`dir` 0) or B.
fn seg(dir: usize, seq: u32, ack: u32, flags: u8, win: u16, opts: &[u8], payload: &[u8]) -> Frame {
    segment(dir, seq, ack, flags, win, opts, payload).frame()
}

const SYN: u8 = th::SYN;
const SYN_ACK: u8 = th::SYN | th::ACK;
const ACK: u8 = th::ACK;
const PSH_ACK: u8 = th::PSH | th::ACK;
const FIN_ACK: u8 = th::FIN | th::ACK;

/// SYN options of a Linux client: MSS 1460, SACK permitted, timestamp, NOP, window scale 7.
fn syn_opts(tsval: u32, tsecr: u32, shift: u8) -> Vec<u8> {
    let mut o = vec![2, 4, 0x05, 0xb4, 4, 2, 8, 10];
    o.extend_from_slice(&tsval.to_be_bytes());
    o.extend_from_slice(&tsecr.to_be_bytes());
    o.extend_from_slice(&[1, 3, 3, shift]);
    o
}

/// A timestamp option padded with two NOPs.
fn ts_opt(tsval: u32, tsecr: u32) -> Vec<u8> {
    let mut o = vec![1, 1, 8, 10];
    o.extend_from_slice(&tsval.to_be_bytes());
    o.extend_from_slice(&tsecr.to_be_bytes());
    o
}

/// Handshake, 100 bytes from A, ACK, and a FIN exchange, 10 ms apart.
fn session(run: &mut Run) {
    run.packet(A, 100, 0, &seg(A, 1000, 0, SYN, 64240, &syn_opts(5000, 0, 7), b""));
    run.packet(B, 100, 10_000_000, &seg(B, 9000, 1001, SYN_ACK, 65160, &syn_opts(7000, 5000, 7), b""));
    run.packet(A, 100, 20_000_000, &seg(A, 1001, 9001, ACK, 502, &ts_opt(5002, 7000), b""));
    run.packet(A, 100, 30_000_000, &seg(A, 1001, 9001, PSH_ACK, 502, &ts_opt(5003, 7000), &[b'x'; 100]));
    run.packet(B, 100, 40_000_000, &seg(B, 9001, 1101, ACK, 509, &ts_opt(7010, 5003), b""));
    run.packet(A, 100, 50_000_000, &seg(A, 1101, 9001, FIN_ACK, 502, &ts_opt(5005, 7010), b""));
    run.packet(B, 100, 60_000_000, &seg(B, 9001, 1102, ACK, 509, &ts_opt(7015, 5005), b""));
    run.packet(B, 100, 70_000_000, &seg(B, 9001, 1102, FIN_ACK, 509, &ts_opt(7020, 5005), b""));
    run.packet(A, 100, 80_000_000, &seg(A, 1102, 9002, ACK, 502, &ts_opt(5008, 7020), b""));
}

#[test]
fn tcp_session_columns() {
    let mut run = Run::defaults();
    session(&mut run);
    let (a, b) = run.end_both();
    // window trend: A's goes up once scaled, B's down
    assert_eq!(a["tcpFStat"], "0x0a13");
    assert_eq!(b["tcpFStat"], "0x0213");
    assert_eq!((a["ipMinTTL"].as_str(), a["ipMaxTTL"].as_str(), a["ipTTLChg"].as_str()), ("64", "64", "0"));
    assert_eq!(a["ipFlags"], "0x0040", "DF, and the same IP ID every time: no roll-over");
    assert_eq!(a["ipMindIPID"], "0");
    assert_eq!(a["tcpISeqN"], "1000");
    assert_eq!(b["tcpISeqN"], "9000");
    // the phantom bytes of SYN and FIN are not counted
    assert_eq!(a["tcpSeqSntBytes"], "100");
    assert_eq!(a["tcpFlwLssAckRcvdBytes"], "0");
    assert_eq!(b["tcpFlwLssAckRcvdBytes"], "100");
    assert_eq!((a["tcpPSeqCnt"].as_str(), a["tcpPAckCnt"].as_str()), ("4", "4"));
    assert_eq!(a["tcpBFlgtMx"], "100");
    assert_eq!(a["tcpFlags"], "0x011b");
    assert_eq!(b["tcpFlags"], "0x0313");
    assert_eq!(a["tcpAnomaly"], "0x0000");
    assert_eq!(b["tcpAnomaly"], "0x0000");
    assert_eq!((a["tcpOptPktCnt"].as_str(), a["tcpOptCnt"].as_str()), ("5", "17"));
    assert_eq!(a["tcpOptions"], "0x0000011e");
    assert_eq!(a["tcpMSS"], "1460");
    assert_eq!(a["tcpWS"], "128");
    // the MSS runs into the option kinds, as in 0.9.3
    assert_eq!(a["tcpJA4T"], "64240_2-4-8-1-31460_7");
    assert_eq!(a["tcpInitWinSz"], "64240");
    assert_eq!(a["tcpMaxWinSz"], "64256", "502 × 2^7 after the handshake");
    assert_eq!((a["tcpWinSzUpCnt"].as_str(), a["tcpWinSzDwnCnt"].as_str()), ("1", "0"));
    assert_eq!((b["tcpMinWinSz"].as_str(), b["tcpWinSzDwnCnt"].as_str()), ("65152", "1"));
    assert_eq!(a["tcpTmS"], "5008");
    assert_eq!(a["tcpTmER"], "7020");
    assert_eq!(a["tcpEcI"], "0.01", "8 ticks in 80 ms");
    assert_eq!(b["tcpEcI"], "0.004", "20 ticks in 60 ms");
    // the period is a float: 0.01 is 0.0099999998
    assert_eq!(a["tcpUtm"], format!("{:.6}", 5008.0 * f64::from(0.01f32)));
    assert_eq!(a["tcpSSASAATrip"], "0.01");
    assert_eq!(b["tcpSSASAATrip"], "0.01");
    assert_eq!(a["tcpRTTSseqAA"], "0.02");
    assert_eq!(a["tcpRTTAckJitAvg"], "0");
    assert_eq!(a["ipToS"], "0x00");
    // B: the sum of both average ACK trips (B's 0.012 includes A's last ACK, measured because
    // B's packets reset A's machine from "stopped" to "ACK")
    assert_eq!((a["tcpRTTAckTripAvg"].as_str(), b["tcpRTTAckTripAvg"].as_str()), ("0.0125", "0.012"));
    assert_eq!(b["tcpRTTSseqAA"], "0.0245");
    assert_eq!(run.report(), ["Aggregated ipFlags=0x0040", "Aggregated tcpFStat=0x0a13", "Aggregated tcpFlags=0x031b"]);
}

#[test]
fn non_tcp_flows_fill_only_ip_columns() {
    let mut run = Run::defaults();
    let ping = |dir: usize, kind: u8| {
        let (src, dst, smac, dmac) = if dir == A { (IP_A, IP_B, MAC_A, MAC_B) } else { (IP_B, IP_A, MAC_B, MAC_A) };
        packet(Ip::V4(src, dst), L4::Icmp(kind, 0, 7, 1, b"ping")).macs(smac, dmac).frame()
    };
    run.packet(A, 5, 0, &ping(A, 8));
    run.packet(B, 5, 500_000_000, &ping(B, 0));
    let (a, b) = run.end_both();
    assert_eq!(a["tcpFStat"], "0x0001");
    assert_eq!(a["ipFlags"], "0x0040");
    assert_eq!(a["ipMindIPID"], "65535");
    assert_eq!(a["tcpFlags"], "0x0000");
    assert_eq!(a["tcpJA4T"], "0_00_00_00");
    assert_eq!(a["tcpRTTAckTripMin"], "0.5");
    assert_eq!(b["tcpRTTAckTripMin"], "65535");
    assert_eq!(a["tcpSSASAATrip"], "0.5");
}

#[test]
fn ipv4_id_decrease_always_counts_as_roll_over() {
    let mut run = Run::defaults();
    run.packet(A, 1, 0, &segment(A, 1, 0, SYN, 1000, &[], b"").ip_id(50000).frame());
    run.packet(A, 2, 0, &segment(A, 1, 0, SYN, 1000, &[], b"").ip_id(10).frame());
    let a = run.end(A);
    assert_eq!(a["ipFlags"], "0x0044", "0.9.3 never reports out-of-order IDs");
    // the negative difference wraps in the minimum
    assert_eq!(a["ipMindIPID"], (10 - 50000 + 65536).to_string());
    assert_eq!(a["ipMaxdIPID"], "0");
}

#[test]
fn timestamp_going_back_sets_timejump() {
    let mut run = Run::defaults();
    run.packet(A, 10, 500, &seg(A, 1, 0, SYN, 1000, &[], b""));
    run.packet(A, 10, 400, &seg(A, 1, 0, SYN, 1000, &[], b""));
    assert_ne!(run.flow_status(A) & TIMEJUMP, 0);
    assert_ne!(run.h.globals.global_warn.get() & TIMEJUMP, 0);
    assert_eq!(run.end(A)["ipFlags"], "0x8040");
}

#[test]
fn timestamp_going_back_a_whole_second_is_a_large_gap() {
    // 0.9.3 subtracts the seconds as unsigned 32-bit numbers
    let mut run = Run::defaults();
    run.packet(A, 10, 500, &seg(A, 1, 0, SYN, 1000, &[], b""));
    run.packet(A, 9, 600, &seg(A, 1, 0, SYN, 1000, &[], b""));
    assert_eq!(run.flow_status(A) & TIMEJUMP, 0);
    let a = run.end(A);
    assert_eq!(a["ipFlags"], "0x0040");
    assert_eq!(a["tcpAnomaly"], "0x0001", "a SYN repeated after more than 0.9 s is a retransmission");
}

#[test]
fn window_scaling_of_a_finished_flow_shows_in_later_flows() {
    // tcpWS and tcpJA4T test the run's aggregated tcpFStat
    let mut run = Run::defaults();
    session(&mut run);
    run.end_both();
    let mut next = Run::around(|_| run.h.plugin, &TestInit::default());
    next.packet(A, 200, 0, &seg(A, 1, 0, SYN, 1024, &[2, 4, 0x05, 0xb4], b""));
    let a = next.end(A);
    assert_eq!(a["tcpWS"], "1");
    assert_eq!(a["tcpJA4T"], "1024_21460_0");

    let mut fresh = Run::defaults();
    fresh.packet(A, 200, 0, &seg(A, 1, 0, SYN, 1024, &[2, 4, 0x05, 0xb4], b""));
    let a = fresh.end(A);
    assert_eq!(a["tcpWS"], "0");
    assert_eq!(a["tcpJA4T"], "1024_21460_00");
}

#[test]
fn boot_time_borrows_like_microseconds() {
    let mut run = Run::defaults();
    // 1000 ticks in 1 s: 1 ms per tick; tsval 123456 → up time 123.456 s
    run.packet(A, 1000, 900_000_000, &seg(A, 1, 0, SYN, 1000, &ts_opt(122_456, 0), b""));
    run.packet(A, 1001, 900_000_000, &seg(A, 1, 0, SYN, 1000, &ts_opt(123_456, 0), b""));
    let a = run.end(A);
    assert_eq!(a["tcpEcI"], "0.001");
    let uptime = 123_456.0 * f64::from(0.001f32);
    assert_eq!(a["tcpUtm"], "123.456006");
    // 1001.900000000 − 123.456005864
    let up_frac = ((uptime - 123.0) * 1e9) as u32;
    assert_eq!(a["tcpBtm"], format!("878.{:09}", 900_000_000 - up_frac));

    let mut run = Run::defaults();
    run.packet(A, 1000, 100_000_000, &seg(A, 1, 0, SYN, 1000, &ts_opt(122_456, 0), b""));
    run.packet(A, 1001, 100_000_000, &seg(A, 1, 0, SYN, 1000, &ts_opt(123_456, 0), b""));
    let a = run.end(A);
    // 0.100000000 − 0.456…: borrow one second but add only 1 000 000 ns; still negative, the
    // u32 wraps to a 10-digit fraction
    let frac = (100_000_000i64 - i64::from(up_frac) + 1_000_000) as u32;
    assert_eq!(a["tcpBtm"], format!("877.{frac:09}"));
    assert_eq!(a["tcpBtm"].split('.').nth(1).unwrap().len(), 10);
}

#[test]
fn keep_alive_and_duplicate_ack() {
    let mut run = Run::defaults();
    run.packet(A, 1, 0, &seg(A, 100, 0, SYN, 1000, &[], b""));
    run.packet(B, 1, 1_000_000, &seg(B, 500, 101, SYN_ACK, 1000, &[], b""));
    run.packet(A, 1, 2_000_000, &seg(A, 101, 501, ACK, 1000, &[], b""));
    run.packet(A, 1, 3_000_000, &seg(A, 101, 501, PSH_ACK, 1000, &[], b"abc"));
    run.packet(B, 1, 4_000_000, &seg(B, 501, 104, ACK, 1000, &[], b""));
    run.packet(A, 1, 5_000_000, &seg(A, 104, 501, PSH_ACK, 1000, &[], b"def"));
    // the same ACK again with the same window: duplicate
    run.packet(B, 1, 6_000_000, &seg(B, 501, 104, ACK, 1000, &[], b""));
    run.packet(B, 1, 7_000_000, &seg(B, 501, 107, ACK, 1000, &[], b""));
    // keep-alive: one byte before the next sequence number, and its ACK
    run.packet(A, 61, 0, &seg(A, 106, 501, ACK, 1000, &[], b""));
    run.packet(B, 61, 1_000_000, &seg(B, 501, 107, ACK, 1000, &[], b""));
    let (a, b) = run.end_both();
    assert_eq!(a["tcpAnomaly"], "0x0010");
    assert_eq!(b["tcpAnomaly"], "0x0028");
    assert_eq!(b["tcpAckFaultCnt"], "1");
    // 0.9.3 counts the keep-alive's step back as sent bytes
    assert_eq!(a["tcpSeqSntBytes"], "5");
}

#[test]
fn scan_detection_and_success() {
    let mut run = Run::defaults();
    run.packet(A, 1, 0, &seg(A, 100, 0, SYN, 1000, &[], b""));
    run.packet(B, 1, 1_000_000, &seg(B, 0, 101, th::RST | th::ACK, 0, &[], b""));
    let (a, b) = run.end_both();
    assert_eq!(a["tcpAnomaly"], "0x3000");
    assert_eq!(b["tcpAnomaly"], "0x2000", "the reply only gets 'successful'");
    assert_eq!(
        run.report(),
        [
            "Aggregated ipFlags=0x0040",
            "Aggregated tcpFStat=0x0011",
            "Aggregated tcpFlags=0x0416",
            // A's scan bits were set after A's aggregation; B adds 'successful'
            "Aggregated tcpAnomaly=0x2000",
            "Number of TCP scans attempted, successful: 1, 1 [100.00%]",
        ]
    );
}

#[test]
fn xmas_and_null_packets() {
    let mut run = Run::defaults();
    run.packet(A, 1, 0, &seg(A, 1, 0, th::FIN | th::PSH | 0x20, 1000, &[], b""));
    run.packet(A, 1, 1, &seg(A, 1, 0, 0, 1000, &[], b""));
    let a = run.end(A);
    assert_eq!(a["tcpFlags"], "0x8829");
    assert_eq!(a["tcpAnomaly"], "0x1000");
}

#[test]
fn ipv6_tcp_uses_traffic_class_and_hop_limit() {
    let mut run = Run::defaults();
    let src = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    let dst = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
    let t = Tcp { sport: 1, dport: 2, seq: 7, ack: 0, flags: SYN, win: 100, ..Tcp::default() };
    run.packet(A, 1, 0, &packet(Ip::V6(src, dst), L4::Tcp(t)).tos(0xb0).ttl(200).frame());
    let a = run.end(A);
    assert_eq!(a["ipToS"], "0xb0");
    assert_eq!(a["ipMinTTL"], "200");
    assert_eq!(a["ipFlags"], "0x0000", "a valid checksum");
    assert_eq!(a["ipMindIPID"], "65535");
    assert_eq!(a["tcpISeqN"], "7");
}

#[test]
fn ipv4_options_are_counted() {
    // router alert (148, length 4)
    let mut run = Run::defaults();
    let t = Tcp { sport: 1, dport: 2, seq: 1, ack: 0, flags: SYN, win: 1000, ..Tcp::default() };
    run.packet(A, 1, 0, &packet(Ip::V4(IP_A, IP_B), L4::Tcp(t)).ip_options(&[148, 4, 0, 0]).frame());
    let a = run.end(A);
    assert_eq!(a["ipOptCnt"], "1");
    assert_eq!(a["ipOptCpCl_Num"], "0x80_0x00100000");
    assert_eq!(a["ipFlags"], "0x0040");
}

// ---- one test per flag that changes the flow columns ----

fn names(cfg: Config) -> Vec<&'static str> {
    crate::columns::specs(&cfg).into_iter().map(|(n, _, _)| n).collect()
}

#[test]
fn default_columns_are_t2s() {
    let n = names(Config::default());
    assert_eq!(n.len(), 52);
    assert_eq!(n[..3], ["tcpFStat", "ipMindIPID", "ipMaxdIPID"]);
    assert_eq!(n[n.len() - 1], "tcpRTTAckJitAvg");
    assert!(n.contains(&"tcpJA4T") && !n.iter().any(|c| c.starts_with("tcpCnt")));
}

#[test]
fn flag_iptos() {
    for (fmt, name, want) in [(0, "ipToS", "0xba"), (1, "ipToSDscp_ecn", "46_2"), (2, "ipToSPrec_ecn", "5_2")] {
        let mut run = Run::new(Config { iptos: fmt, ..Config::default() });
        run.packet(A, 1, 0, &segment(A, 1, 0, SYN, 1000, &[], b"").tos(0xba).frame());
        assert_eq!(run.end(A)[name], want);
    }
}

#[test]
fn flag_rtt_estimate() {
    assert!(
        !names(Config { rtt_estimate: false, ..Config::default() })
            .iter()
            .any(|n| n.starts_with("tcpRTT") || *n == "tcpSSASAATrip")
    );
    let mut run = Run::new(Config { rtt_estimate: false, ..Config::default() });
    session(&mut run);
    let (a, _) = run.end_both();
    assert_eq!(a["tcpFStat"], "0x0a13");
    assert!(!a.contains("tcpSSASAATrip"));
}

#[test]
fn flag_ipchecksum() {
    // a wrong TCP checksum, and a wrong IP checksum on another packet
    let bad_tcp = segment(A, 1, 0, SYN, 1000, &[], b"").bad_l4_checksum().frame();
    let bad_ip = segment(A, 1, 0, SYN, 1000, &[], b"").bad_ip_checksum().frame();
    let run_with = |checksum: u8| {
        let mut run = Run::new(Config { ipchecksum: checksum, ..Config::default() });
        run.packet(A, 1, 0, &bad_tcp);
        run.packet(A, 2, 0, &bad_ip);
        run.end(A)
    };
    let all = run_with(2);
    assert_eq!((all["ipFlags"].as_str(), all["tcpFStat"].as_str()), ("0x0c40", "0x0011"));
    // without layer 4 checksums the "being computed" bit is never cleared
    let ip_only = run_with(1);
    assert_eq!((ip_only["ipFlags"].as_str(), ip_only["tcpFStat"].as_str()), ("0x0440", "0x1011"));
    let none = run_with(0);
    assert_eq!(none["ipFlags"], "0x0040");
}

#[test]
fn flag_windowsize() {
    let off = Config { windowsize: false, ..Config::default() };
    assert!(!names(off).contains(&"tcpInitWinSz"));
    let mut run = Run::new(off);
    session(&mut run);
    let (a, _) = run.end_both();
    // the initial window is only tracked with the window columns
    assert_eq!(a["tcpJA4T"], "0_2-4-8-1-31460_7");
    assert!(!a.contains("tcpAvgWinSz"));
}

#[test]
fn flag_winmin() {
    let zero_window = |win_min: u16| {
        let mut run = Run::new(Config { winmin: win_min, ..Config::default() });
        run.packet(A, 1, 0, &seg(A, 1, 0, SYN, 1000, &[], b""));
        run.packet(A, 1, 1000, &seg(A, 2, 0, ACK, 0, &[], b""));
        run.packet(A, 1, 2000, &seg(A, 2, 0, ACK, 500, &[], b""));
        let a = run.end(A);
        (a["tcpWinSzThRt"].clone(), a["tcpFStat"].clone(), run.report())
    };
    let (rt, st, rep) = zero_window(1);
    // the SYN is not compared with WINMIN but counts as a TCP packet; the ACKs update windows
    assert_eq!((rt.as_str(), st.as_str()), ("0.3333333", "0x0931"));
    assert!(rep.contains(&"Number WinSz below 1: 1 [33.33%]".to_owned()), "{rep:?}");
    let (rt, _, _) = zero_window(600);
    assert_eq!(rt, "0.6666667");
    let (rt, st, rep) = zero_window(0);
    assert_eq!((rt.as_str(), st.as_str()), ("0", "0x0831"));
    assert!(!rep.iter().any(|l| l.starts_with("Number WinSz")));
}

#[test]
fn flag_seq_ack_num() {
    let off = Config { seq_ack_num: false, ..Config::default() };
    let n = names(off);
    assert!(!n.contains(&"tcpISeqN") && !n.contains(&"tcpBFlgtMx"));
    let mut run = Run::new(off);
    session(&mut run);
    let (a, b) = run.end_both();
    assert_eq!(a["tcpAnomaly"], "0x0000");
    assert_eq!(b["tcpFlags"], "0x0313");
}

#[test]
fn flag_frag_analyze() {
    // 96 bytes of TCP in 4 fragments of 24: the first three are below the 48-byte minimum
    let t = Tcp { sport: 1, dport: 2, seq: 1, ack: 0, flags: SYN, win: 100, payload: &[1; 76], ..Tcp::default() };
    let frags = packet(Ip::V4(IP_A, IP_B), L4::Tcp(t)).ip_id(7).fragments(24);
    let run_with = |frag: bool| {
        let mut run = Run::new(Config { frag_analyze: frag, ..Config::default() });
        for (i, f) in frags.iter().enumerate() {
            run.packet(A, 1, i as i64, f);
        }
        run.end(A)["ipFlags"].clone()
    };
    // MF and the layer 4 checksum error (0.9.3 sums only the first fragment's bytes)
    assert_eq!(run_with(false), "0x0820");
    assert_eq!(run_with(true), "0x0828");
}

#[test]
fn flag_nat_bt_est() {
    let off = Config { nat_bt_est: false, ..Config::default() };
    assert!(!names(off).iter().any(|n| ["tcpTmS", "tcpTmER", "tcpEcI", "tcpUtm", "tcpBtm"].contains(n)));
    let mut run = Run::new(off);
    session(&mut run);
    let (a, _) = run.end_both();
    assert_eq!(a["tcpFStat"], "0x0a11", "no timestamp tracking");
    assert_eq!(a["tcpOptions"], "0x0000011e");
}

#[test]
fn flag_scan_detector() {
    let lone_syn = |scan: bool| {
        let mut run = Run::new(Config { scan_detector: scan, ..Config::default() });
        run.packet(A, 1, 0, &seg(A, 100, 0, SYN, 1000, &[], b""));
        run.end(A)["tcpAnomaly"].clone()
    };
    assert_eq!(lone_syn(true), "0x1000");
    assert_eq!(lone_syn(false), "0x0000");
}

#[test]
fn flag_mptcp() {
    // MP_CAPABLE with flags 0x81, padded
    let opts = [30, 12, 0x00, 0x81, 1, 2, 3, 4, 5, 6, 7, 8];
    let run_with = |mptcp: bool| {
        let mut run = Run::new(Config { mptcp, ..Config::default() });
        run.packet(A, 1, 0, &seg(A, 1, 0, SYN, 1000, &opts, b""));
        (run.end(A), run.report())
    };
    let (a, rep) = run_with(true);
    assert_eq!((a["tcpMPTBF"].as_str(), a["tcpMPF"].as_str(), a["tcpFStat"].as_str()), ("0x0001", "0x81", "0x8011"));
    assert!(rep.contains(&"Aggregated MPTCP subtypes: tcpMPTBF=0x0001".to_owned()), "{rep:?}");
    assert!(rep.contains(&"Aggregated MPTCP flags: tcpMPF=0x81".to_owned()));
    let (a, rep) = run_with(false);
    assert!(!a.contains("tcpMPTBF"));
    assert_eq!(a["tcpFStat"], "0x0011");
    assert!(!rep.iter().any(|l| l.contains("MPTCP")));
}

#[test]
fn flag_tcpja4t_and_ja4toptmx() {
    assert!(!names(Config { tcpja4t: false, ..Config::default() }).contains(&"tcpJA4T"));
    let mut run = Run::new(Config { ja4toptmx: 2, ..Config::default() });
    run.packet(A, 1, 0, &seg(A, 1, 0, SYN, 1000, &syn_opts(1, 0, 7), b""));
    assert_eq!(run.end(A)["tcpJA4T"], "1000_2-41460_00");
}

#[test]
fn flag_tcpflgcnt() {
    let on = Config { tcpflgcnt: true, ..Config::default() };
    let n = names(on);
    assert_eq!(
        n[n.iter().position(|c| *c == "tcpAnomaly").unwrap() + 1],
        "tcpCntF_S_R_P_A_U_E_C_FA_SA_RA_N_SF_SFR_RF_X"
    );
    let mut run = Run::new(on);
    session(&mut run);
    let (a, b) = run.end_both();
    // F S R P A U E C FA SA RA N SF SFR RF X
    assert_eq!(a["tcpCntF_S_R_P_A_U_E_C_FA_SA_RA_N_SF_SFR_RF_X"], "1_1_0_1_4_0_0_0_1_0_0_0_0_0_0_0");
    assert_eq!(b["tcpCntF_S_R_P_A_U_E_C_FA_SA_RA_N_SF_SFR_RF_X"], "1_1_0_0_4_0_0_0_1_1_0_0_0_0_0_0");
}

// SPKTMD_SEQACKREL and SPKTMD_SEQACKHEX only concern packet mode (-s), not yet in the core.

#[test]
fn monitoring_columns_and_differential_report() {
    let mut run = Run::defaults();
    run.packet(A, 1, 0, &seg(A, 100, 0, SYN, 1000, &[], b""));
    run.packet(B, 1, 1_000_000, &seg(B, 0, 101, th::RST | th::ACK, 0, &[], b""));
    run.end_both();
    let written: String = [MonState::Header, MonState::Values, MonState::Values]
        .into_iter()
        .map(|state| run.h.monitoring(true, state))
        .collect();
    assert_eq!(
        written,
        "ipFlags\ttcpFStat\ttcpFlags\ttcpAnomaly\ttcpScan\ttcpSuccScan\ttcpSynRetries\ttcpSeqRetries\t\
         0x40\t0x11\t0x416\t0x2000\t1\t1\t0\t0\t\
         0x40\t0x11\t0x416\t0x2000\t0\t0\t0\t0\t"
    );
}

#[test]
fn monitoring_report_lines() {
    let mut run = Run::defaults();
    run.packet(A, 1, 0, &seg(A, 100, 0, SYN, 1000, &[], b""));
    run.end(A);
    let text = run.h.monitoring(false, MonState::Report);
    let lines: Vec<&str> = text.lines().collect();
    // no successful scan in the interval: no scan line
    assert_eq!(lines, ["Aggregated ipFlags=0x0040", "Aggregated tcpFStat=0x0011", "Aggregated tcpFlags=0x0002"]);
}

/// Packet mode: the lines written to the packet stream, split into fields (header first).
fn packet_lines(run: &Run) -> Vec<Vec<String>> {
    let rec = run.h.host.recorded();
    rec.written
        .iter()
        .filter(|(s, _)| *s == stream::PACKETS)
        .map(|(_, b)| {
            let t = String::from_utf8(b.clone()).unwrap();
            assert!(t.ends_with('\t'), "{t:?}");
            t[..t.len() - 1].split('\t').map(str::to_owned).collect()
        })
        .collect()
}

/// A handshake and a request in packet mode with `cfg`; returns header and packet lines.
fn packet_mode_run(cfg: Config) -> (Vec<String>, Vec<Vec<String>>) {
    let mut run = Run::with_init(cfg, &TestInit { packet_mode: true, ..TestInit::default() });
    run.packet(A, 1, 0, &seg(A, 0x1000_0000, 0, SYN, 1000, &[2, 4, 0x05, 0xb4], b""));
    run.packet(B, 1, 1_000_000, &seg(B, 0xf000_0000, 0x1000_0001, SYN_ACK, 2000, &[], b""));
    run.packet(A, 1, 2_000_000, &seg(A, 0x1000_0001, 0xf000_0001, PSH_ACK, 1000, &[], b"hello"));
    let mut lines = packet_lines(&run);
    let header = lines.remove(0);
    assert_eq!(lines.len(), 3);
    for l in &lines {
        assert_eq!(l.len(), header.len(), "{l:?}");
    }
    (header, lines)
}

fn pm_field<'a>(header: &[String], line: &'a [String], name: &str) -> &'a str {
    &line[header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no {name}"))]
}

fn seq_ack_fields(cfg: Config) -> Vec<[String; 3]> {
    let (h, lines) = packet_mode_run(cfg);
    lines.iter().map(|l| ["seq", "ack", "seqMax"].map(|n| pm_field(&h, l, n).to_owned())).collect()
}

#[test]
fn packet_mode_header_follows_flags() {
    let (h, lines) = packet_mode_run(Config::default());
    assert_eq!(h.len(), 41);
    assert_eq!(h.first().map(String::as_str), Some("ipToS"));
    assert_eq!(h.last().map(String::as_str), Some("tcpOpts"));
    assert_eq!(pm_field(&h, &lines[0], "tcpOpts"), "0x02;0x04;0x05;0xb4");
    assert_eq!(pm_field(&h, &lines[2], "tcpMLen"), "5");
    let off = Config { seq_ack_num: false, nat_bt_est: false, mptcp: false, iptos: 1, ..Config::default() };
    let (h, _) = packet_mode_run(off);
    assert_eq!(h.len(), 41 - 11 - 2 - 4);
    assert_eq!(h[0], "ipToSDscp_ecn");
    assert!(!h.iter().any(|c| c == "seq" || c == "tcpTmS" || c == "tcpMPF"));
}

#[test]
fn packet_mode_seq_ack_absolute_decimal() {
    let f = seq_ack_fields(Config::default());
    assert_eq!(f[0], ["268435456", "0", "268435456"].map(String::from));
    assert_eq!(f[1], ["4026531840", "268435457", "4026531840"].map(String::from));
    assert_eq!(f[2], ["268435457", "4026531841", "268435457"].map(String::from));
}

#[test]
fn packet_mode_seq_ack_relative() {
    let f = seq_ack_fields(Config { spktmd_seqackrel: true, ..Config::default() });
    // relative to the flow's ISN and, for ACKs, to the other side's ISN
    assert_eq!(f[0], ["0", "0", "0"].map(String::from));
    assert_eq!(f[1], ["0", "1", "0"].map(String::from));
    assert_eq!(f[2], ["1", "1", "1"].map(String::from));
}

#[test]
fn packet_mode_seq_ack_hex() {
    let f = seq_ack_fields(Config { spktmd_seqackhex: true, ..Config::default() });
    assert_eq!(f[0], ["0x10000000", "0x00000000", "0x10000000"].map(String::from));
    assert_eq!(f[2], ["0x10000001", "0xf0000001", "0x10000001"].map(String::from));
}

#[test]
fn packet_mode_seq_ack_relative_hex() {
    let f = seq_ack_fields(Config { spktmd_seqackrel: true, spktmd_seqackhex: true, ..Config::default() });
    assert_eq!(f[1], ["0x00000000", "0x00000001", "0x00000000"].map(String::from));
    assert_eq!(f[2], ["0x00000001", "0x00000001", "0x00000001"].map(String::from));
}
