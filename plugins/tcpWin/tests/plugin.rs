//! tcpWin driven through the `Plugin` trait, in process, on frames built by plugin-api's
//! testing kit: columns, counting, the end report, monitoring, the summary file and the
//! `TCPWIN_THRES` flag.

use plugin_api::abi::{level, stream};
use plugin_api::testing::packet::{Frame, Ip, L4, Tcp, packet, ts};
use plugin_api::testing::{Harness, TestInit, columns, core_config};
use plugin_api::wire::tcp::flags as tcp;
use plugin_api::{MonState, Plugin};
use tcpWin::TcpWin;
use tcpWin::flags::{Config, TCPWIN_THRES};

const V4: Ip = Ip::V4([10, 0, 0, 1], [10, 0, 0, 2]);
const V4_OTHER: Ip = Ip::V4([10, 0, 0, 3], [10, 0, 0, 2]);
const V6: Ip = Ip::V6(
    [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
    [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2],
);

/// A TCP segment from port 40000 to 80 with `flags` and advertised window `win`.
fn seg(flags: u8, win: u16) -> L4<'static> {
    L4::Tcp(Tcp { sport: 40000, dport: 80, seq: 1, ack: 1, flags, win, ..Tcp::default() })
}

/// An Ethernet frame carrying `l4` over `ip`.
fn frame(ip: &Ip, l4: &L4<'_>) -> Frame {
    packet(*ip, *l4).frame()
}

/// The five column values of a flow.
#[derive(Debug, PartialEq)]
struct Cols {
    stat: u8,
    ttl: u8,
    win_init: u32,
    th_cnt: u32,
    ratio: f32,
}

/// tcpWin in the test harness, writing its summary file into a temporary folder.
struct Run {
    h: Harness<TcpWin>,
    dir: tempfile::TempDir,
}

impl Run {
    fn new(make: impl FnOnce(plugin_api::Host) -> TcpWin) -> Run {
        let dir = tempfile::tempdir().unwrap();
        let prefix = dir.path().join("cap").to_str().unwrap().to_owned();
        Run::with_prefix(make, &prefix, dir)
    }

    fn with_prefix(make: impl FnOnce(plugin_api::Host) -> TcpWin, prefix: &str, dir: tempfile::TempDir) -> Run {
        let core = plugin_api::abi::CoreConfig { capacity: 8, ..core_config() };
        let h = Harness::with(make, &TestInit { prefix: prefix.into(), ..TestInit::default() }, core);
        Run { h, dir }
    }

    /// The plugin as the core loads it (`TCPWIN_THRES` from flags.toml).
    fn default_flags() -> Run {
        Run::new(TcpWin::new)
    }

    /// Hands `frame` to the flow in `slot`.
    fn packet(&mut self, slot: usize, frame: &Frame) {
        self.h.packet(slot, ts(1, 0), frame);
    }

    /// Sends `n` copies of `frame` to `slot`.
    fn packets(&mut self, slot: usize, frame: &Frame, n: usize) {
        (0..n).for_each(|_| self.packet(slot, frame));
    }

    /// Ends the flow in `slot` and decodes its record (H8 U8 U32 U32 F).
    fn end(&mut self, slot: usize) -> Cols {
        let r = self.h.end(slot);
        let n = |name| r.u64(name);
        Cols {
            stat: n("tcpWinStat") as u8,
            ttl: n("tcpWinIPTTL") as u8,
            win_init: n("tcpWinInit") as u32,
            th_cnt: n("tcpWinThCnt") as u32,
            ratio: r.f32("tcpWinThRatio"),
        }
    }

    /// The end report.
    fn report(&mut self) -> Vec<String> {
        self.h.report()
    }

    /// Calls `monitoring` in `state` and returns what it wrote to the monitoring stream.
    fn monitor(&mut self, diff: bool, state: MonState) -> String {
        self.h.monitoring(diff, state).trim_end_matches('\n').to_owned()
    }

    /// Finalizes and reads the summary file.
    fn summary(&mut self) -> String {
        self.h.finalize();
        std::fs::read_to_string(self.dir.path().join("cap_tcpwin.txt")).unwrap()
    }
}

#[test]
fn declares_the_reference_columns() {
    let run = Run::default_flags();
    let cols: Vec<(String, String)> = columns(&run.h.plugin).iter().map(|c| (c.name.clone(), c.desc.clone())).collect();
    let names: Vec<&str> = cols.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["tcpWinStat", "tcpWinIPTTL", "tcpWinInit", "tcpWinThCnt", "tcpWinThRatio"]);
    assert_eq!(cols[1].1, "IP TTL of the first packet");
}

#[test]
fn counts_small_windows_of_tcp_flows_rst_included() {
    let mut run = Run::default_flags();
    run.packet(0, &frame(&V4, &seg(tcp::SYN, 64240)));
    run.packet(0, &frame(&V4, &seg(tcp::ACK, 0)));
    run.packet(0, &frame(&V4, &seg(tcp::ACK, 512)));
    run.packet(0, &frame(&V4, &seg(tcp::RST, 0)));
    assert_eq!(run.end(0), Cols { stat: 0x01, ttl: 64, win_init: 64240, th_cnt: 2, ratio: 0.5 });
    // a flow without small windows
    run.packet(1, &frame(&V4, &seg(tcp::SYN, 0x8000)));
    assert_eq!(run.end(1), Cols { stat: 0, ttl: 64, win_init: 0x8000, th_cnt: 0, ratio: 0.0 });
}

#[test]
fn ttl_and_hop_limit_come_from_the_first_packet() {
    let mut run = Run::default_flags();
    run.packet(0, &packet(V4, seg(tcp::SYN, 1000)).ttl(99).frame());
    run.packet(0, &frame(&V4, &seg(tcp::ACK, 2000)));
    assert_eq!(run.end(0), Cols { stat: 0, ttl: 99, win_init: 1000, th_cnt: 0, ratio: 0.0 });
    run.packet(1, &packet(V6, seg(tcp::SYN, 0)).ttl(33).frame());
    assert_eq!(run.end(1), Cols { stat: 0x01, ttl: 33, win_init: 0, th_cnt: 1, ratio: 1.0 });
}

#[test]
fn other_protocols_write_zeros() {
    let mut run = Run::default_flags();
    run.packet(0, &frame(&V4, &L4::Udp(5353, 53, b"query")));
    run.packet(1, &frame(&V6, &L4::Icmp(128, 0, 1, 1, b"ping")));
    for slot in [0, 1] {
        assert_eq!(run.end(slot), Cols { stat: 0, ttl: 0, win_init: 0, th_cnt: 0, ratio: 0.0 });
    }
    assert!(run.report().is_empty());
}

#[test]
fn later_fragments_carry_no_tcp_header() {
    let mut run = Run::default_flags();
    let payload = [0u8; 48];
    let l4 = L4::Tcp(Tcp { sport: 1, dport: 2, flags: tcp::ACK, payload: &payload, ..Tcp::default() });
    let frags = packet(V4, l4).ip_id(7).fragments(24);
    assert_eq!(frags.len(), 3);
    frags.iter().for_each(|f| run.packet(0, f));
    assert_eq!(run.end(0), Cols { stat: 0x01, ttl: 64, win_init: 0, th_cnt: 1, ratio: 1.0 });
    // a flow that starts with a later fragment (its first one was lost): TTL, but no window
    // would read as a window if it were a TCP header
    let later = frags[1].clone().with_bytes(|b| b[14 + 20 + 14] = 0xff);
    run.packet(1, &later);
    assert_eq!(run.end(1), Cols { stat: 0, ttl: 64, win_init: 0, th_cnt: 0, ratio: 0.0 });
}

#[test]
fn end_report_lines() {
    let mut run = Run::default_flags();
    run.packet(0, &frame(&V4, &seg(tcp::SYN, 100)));
    assert!(run.report().is_empty(), "nothing to report yet");
    run.packets(0, &frame(&V4, &seg(tcp::ACK, 0)), 2);
    run.packets(1, &frame(&V4, &L4::Udp(1, 2, b"x")), 5);
    assert_eq!(
        run.report(),
        [
            "Aggregated tcpWinStat=0x01".to_owned(),
            format!("Number of TCP winsize packets below threshold {TCPWIN_THRES}: 2 [25.00%]"),
        ]
    );
}

#[test]
fn monitoring_differential() {
    let mut run = Run::default_flags();
    assert_eq!(run.monitor(true, MonState::Header), "winPktThCnt\t");
    run.packets(0, &frame(&V4, &seg(tcp::ACK, 0)), 2);
    run.packets(0, &frame(&V4, &seg(tcp::ACK, 9)), 2);
    assert_eq!(run.monitor(true, MonState::Values), "2\t");
    run.packet(0, &frame(&V4, &seg(tcp::ACK, 0)));
    assert_eq!(run.monitor(true, MonState::Values), "1\t");
    assert_eq!(run.monitor(true, MonState::Values), "0\t");
    // human report: the interval's count and share of the interval's packets
    run.packets(0, &frame(&V4, &seg(tcp::ACK, 9)), 3);
    run.packet(0, &frame(&V4, &seg(tcp::ACK, 0)));
    let label = format!("Number of TCP winsize packets below threshold {TCPWIN_THRES}");
    assert_eq!(run.monitor(true, MonState::Report), format!("{label}: 1 [25.00%]"));
    // a zero difference is still printed once anything was counted
    assert_eq!(run.monitor(true, MonState::Report), format!("{label}: 0 [0.00%]"));
    // the end report is absolute
    assert_eq!(run.report()[1], format!("{label}: 4 [44.44%]"));
}

#[test]
fn monitoring_absolute_and_empty() {
    let mut run = Run::default_flags();
    assert_eq!(run.monitor(false, MonState::Report), "", "nothing counted: no line");
    assert_eq!(run.monitor(false, MonState::Values), "0\t");
    run.packets(0, &frame(&V4, &seg(tcp::ACK, 0)), 2);
    assert_eq!(run.monitor(false, MonState::Values), "2\t");
    run.packet(0, &frame(&V4, &seg(tcp::ACK, 0)));
    assert_eq!(run.monitor(false, MonState::Values), "3\t");
}

#[test]
fn summary_file_keeps_the_worst_flow_per_source() {
    let mut run = Run::default_flags();
    let (zero, open) = (seg(tcp::ACK, 0), seg(tcp::ACK, 4096));
    // 10.0.0.1: a flow with ratio 4/40, then one with 6/30 (kept), then 3/30 (not kept)
    for (zeros, others) in [(4, 36), (6, 24), (3, 27)] {
        run.packets(0, &frame(&V4, &zero), zeros);
        run.packets(0, &frame(&V4, &open), others);
        run.end(0);
    }
    // 2001:db8::1: 7 of 35
    run.packets(1, &frame(&V6, &zero), 7);
    run.packets(1, &frame(&V6, &open), 28);
    run.end(1);
    // 10.0.0.3: too few packets (29), then no small window at all
    run.packets(2, &frame(&V4_OTHER, &zero), 29);
    run.end(2);
    run.packets(2, &frame(&V4_OTHER, &open), 50);
    run.end(2);
    assert_eq!(run.summary(), "# IP\tpktTcpCnt\twinRelThCnt\n10.0.0.1\t30\t0.200000\n2001:db8::1\t35\t0.200000\n");
}

#[test]
fn summary_file_without_entries_and_unwritable() {
    let mut run = Run::default_flags();
    assert_eq!(run.summary(), "# IP\tpktTcpCnt\twinRelThCnt\n");
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("missing/cap").to_str().unwrap().to_owned();
    let mut run = Run::with_prefix(TcpWin::new, &prefix, dir);
    run.h.finalize();
    let warn: Vec<_> = run.h.host.recorded().lines.iter().filter(|(_, l, _)| *l == level::WARN).cloned().collect();
    assert_eq!(
        warn,
        [(stream::LOG, level::WARN, format!("Failed to open file '{prefix}_tcpwin.txt': No such file or directory"))]
    );
}

/// `TCPWIN_THRES` decides which packets count: the same packets give other columns, another
/// report line and another monitoring value with another threshold.
#[test]
fn the_threshold_flag_changes_the_output() {
    const WINDOWS: [u16; 6] = [0, 1, 500, 999, 1000, 64240];
    let below = |t: u32| WINDOWS.iter().filter(|&&w| u32::from(w) < t).count() as u32;
    let outputs = |mut run: Run| {
        WINDOWS.iter().for_each(|&w| run.packet(0, &frame(&V4, &seg(tcp::ACK, w))));
        let mon = run.monitor(false, MonState::Values);
        (run.end(0).th_cnt, run.report().pop(), mon)
    };
    let by_flag = outputs(Run::default_flags());
    assert_eq!(by_flag.0, below(TCPWIN_THRES), "Plugin::new counts windows below TCPWIN_THRES");
    let other = if TCPWIN_THRES == 1000 { 1 } else { 1000 };
    let cfg = Config { tcpwin_thres: other, ..Config::default() };
    let changed = outputs(Run::new(|host| TcpWin::with_config(host, cfg)));
    assert_ne!(changed, by_flag);
    let n = below(other);
    assert_eq!(changed.0, n);
    let pct = 100.0 * f64::from(n) / WINDOWS.len() as f64;
    assert_eq!(changed.1.unwrap(), format!("Number of TCP winsize packets below threshold {other}: {n} [{pct:.2}%]"));
    assert_eq!(changed.2, format!("{n}\t"));
}
