//! tcpWin (150): the tutorial plugin, and the place to start when writing your own.
//!
//! It counts, per flow, the TCP packets whose advertised window is below `TCPWIN_THRES`
//! (default 1: zero-window packets), and shows every part of a plugin: flow columns, per-flow
//! state, packet callbacks, an end-report line, a monitoring column and a summary file.
//!
//! The core calls one instance from one thread, in this order: `new`, `columns`, `init`; per
//! packet `on_new_flow` (a flow's first packet only) and `on_layer4`; per ended flow
//! `on_flow_terminate`; `monitoring` now and then; at the end `report` and `finalize`.
//! Per-packet code must not allocate, lock or format: it only counts (packet mode, `-s`, writes
//! two fields through a reused buffer).
#![forbid(unsafe_code, missing_docs)]
#![allow(non_snake_case)] // the crate is named after the plugin: tcpWin

pub mod flags;

use std::io::Write;
use std::net::IpAddr;

use plugin_api::wire::ipproto;
use plugin_api::{
    Columns, Ctx, Flow, FlowSlots, Host, Init, MonState, Monitor, Output, Packet, PacketLine, Plugin, Report,
};

use flags::Config;

/// Status bit (`tcpWinStat`): the flow had a packet with a window below the threshold.
const TCPWIN_THU: u8 = 0x01;
/// The report line, completed with the threshold: `...below threshold 1: 5 [0.25%]`.
const LABEL: &str = "Number of TCP winsize packets below threshold";

/// What tcpWin remembers about one flow. Slots are reused, so it is reset for each new flow.
#[derive(Clone, Copy, Default)]
struct FlowState {
    stat: u8,         // TCPWIN_THU once a window was below the threshold
    ttl: u8,          // IP TTL (IPv6: hop limit) of the first packet
    win_init: u32,    // TCP window of the first packet
    pkt_tcp_cnt: u32, // TCP packets
    win_th_cnt: u32,  // TCP packets with a window below the threshold
}

/// One line of the summary file: a source address and its flow with the highest ratio.
struct WinEntry {
    ip: IpAddr,
    pkt_tcp_cnt: u32,
    ratio: f32,
}

/// The tcpWin plugin: per-flow slots plus run-wide totals.
pub struct TcpWin {
    host: Host,
    /// The flags (`flags.toml`), in a value so that tests can try others.
    cfg: Config,
    flows: FlowSlots<FlowState>,
    /// OR of all flows' `stat` (the `Aggregated tcpWinStat` line).
    stat: u8,
    /// Packets below the threshold so far, and the value at the last monitoring report: T2's
    /// differential-report convention names the snapshot of `x` `x0`.
    win_th_cnt: u64,
    win_th_cnt0: u64,
    /// Summary-file entries (at most `TCPWIN_MAXWSCNT`, allocated once in `init`).
    worst: Vec<WinEntry>,
    /// `PREFIX_tcpwin.txt`, the summary file.
    summary_path: std::path::PathBuf,
    /// Packet mode (`-s`): write `tcpWinStat` and `tcpWinSz` for every packet of a flow.
    packet_mode: bool,
    /// The packet columns of the current packet (a reused buffer: no allocation per packet).
    line: PacketLine,
}

impl TcpWin {
    /// A tcpWin with flags `cfg` instead of the compiled ones.
    pub fn with_config(host: Host, cfg: Config) -> TcpWin {
        TcpWin {
            host,
            cfg,
            flows: FlowSlots::default(),
            stat: 0,
            win_th_cnt: 0,
            win_th_cnt0: 0,
            worst: Vec::new(),
            summary_path: std::path::PathBuf::new(),
            packet_mode: false,
            line: PacketLine::default(),
        }
    }

    /// Keeps the flow's source address for the summary file if the flow stands out: enough TCP
    /// packets, some below the threshold, and a higher ratio than the address had so far.
    fn remember(&mut self, flow: &Flow<'_>, s: &FlowState, ratio: f32) {
        if s.win_th_cnt == 0
            || s.pkt_tcp_cnt < self.cfg.tcpwin_minpkts
            || self.worst.len() >= self.cfg.tcpwin_maxwscnt as usize
        {
            return;
        }
        let a = flow.key().src_ip; // an IPv4 address fills the first 4 bytes
        let ip = if flow.ip_ver() == 6 { IpAddr::from(a) } else { IpAddr::from([a[0], a[1], a[2], a[3]]) };
        let i = self.worst.iter().position(|e| e.ip == ip).unwrap_or(self.worst.len());
        if i == self.worst.len() {
            self.worst.push(WinEntry { ip, pkt_tcp_cnt: 0, ratio: 0.0 });
        }
        if ratio > self.worst[i].ratio {
            self.worst[i].pkt_tcp_cnt = s.pkt_tcp_cnt;
            self.worst[i].ratio = ratio;
        }
    }

    /// Packet mode: the flow's status and this packet's window (empty without a TCP header).
    /// Without `-s` this is one test: the packet callbacks stay free of formatting.
    fn packet_fields(&mut self, stat: u8, win: Option<u16>) {
        if !self.packet_mode {
            return;
        }
        self.line.hex(u64::from(stat), 2);
        match win {
            Some(w) => self.line.u64(u64::from(w)),
            None => self.line.empty(1),
        };
        self.line.write(self.host);
    }

    /// Writes `PREFIX_tcpwin.txt`: a header line, then address, TCP packets and ratio.
    fn write_summary(&self) -> std::io::Result<()> {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&self.summary_path)?);
        writeln!(f, "# IP\tpktTcpCnt\twinRelThCnt")?;
        for e in &self.worst {
            writeln!(f, "{}\t{}\t{:.6}", e.ip, e.pkt_tcp_cnt, e.ratio)?; // C's %f: 6 decimals
        }
        f.flush()
    }
}

impl Plugin for TcpWin {
    fn new(host: Host) -> Self {
        TcpWin::with_config(host, Config::default())
    }

    // Name, description and type of each column, in the order `on_flow_terminate` writes them.
    fn columns(&self, c: &mut Columns) {
        c.add("tcpWinStat", "tcpWin status", "H8");
        c.add("tcpWinIPTTL", "IP TTL of the first packet", "U8");
        c.add("tcpWinInit", "TCP window size of the first packet", "U32");
        c.add("tcpWinThCnt", "TCP packet count with window size below threshold", "U32");
        c.add("tcpWinThRatio", "TCP packet ratio with window size below threshold", "F");
    }

    // Allocate everything now: the packet callbacks must not.
    fn init(&mut self, init: &Init<'_>) {
        self.flows = FlowSlots::new(init.capacity());
        self.worst = Vec::with_capacity(self.cfg.tcpwin_maxwscnt as usize);
        self.summary_path = init.side_file(self.cfg.tcpwin_fnsup);
        // Packet mode: the names of our packet columns, each followed by a tab.
        self.packet_mode = init.packet_mode();
        if self.packet_mode {
            PacketLine::header(self.host, &["tcpWinStat", "tcpWinSz"]);
        }
    }

    // A packet of a layer-2 flow has no TCP header: write the filler, keeping columns aligned.
    fn on_layer2(&mut self, _ctx: Ctx<'_>, _pkt: &Packet<'_>, flow: Option<Flow<'_>>) {
        if flow.is_some() {
            self.packet_fields(0, None);
        }
    }

    // A new flow: clear its slot, note TTL and window of its first packet (TCP flows only).
    fn on_new_flow(&mut self, _ctx: Ctx<'_>, pkt: &Packet<'_>, flow: Flow<'_>) {
        let s = self.flows.reset(&flow);
        if flow.key().l4_proto == ipproto::TCP {
            s.ttl = pkt.ip_ttl();
            s.win_init = pkt.tcp_window().map_or(0, u32::from);
        }
    }

    // Every packet of an IP flow: count TCP packets and those with a small window (RST too).
    fn on_layer4(&mut self, _ctx: Ctx<'_>, pkt: &Packet<'_>, flow: Flow<'_>) {
        // Later fragments carry no TCP header.
        if flow.key().l4_proto != ipproto::TCP || !pkt.is_first_fragment() {
            self.packet_fields(0, None);
            return;
        }
        let s = self.flows.get_mut(&flow);
        s.pkt_tcp_cnt += 1;
        let win = pkt.tcp_window();
        if win.is_some_and(|w| u32::from(w) < self.cfg.tcpwin_thres) {
            s.win_th_cnt += 1;
            s.stat |= TCPWIN_THU;
            // Totals are updated here, not at flow end, so monitoring sees live flows.
            self.stat |= TCPWIN_THU;
            self.win_th_cnt += 1;
        }
        let stat = s.stat;
        self.packet_fields(stat, win);
    }

    // The flow ends: write its five columns (types as declared in `columns`).
    fn on_flow_terminate(&mut self, _ctx: Ctx<'_>, flow: Flow<'_>, out: &mut Output<'_>) {
        let s = *self.flows.get(&flow);
        let ratio = if s.pkt_tcp_cnt > 0 { s.win_th_cnt as f32 / s.pkt_tcp_cnt as f32 } else { 0.0 };
        out.u8(s.stat);
        out.u8(s.ttl);
        out.u32(s.win_init);
        out.u32(s.win_th_cnt);
        out.f32(ratio);
        self.remember(&flow, &s, ratio);
    }

    // End report: `tcpWin: Aggregated tcpWinStat=0x01` and the count, each only when non-zero.
    fn report(&mut self, ctx: Ctx<'_>, r: &Report) {
        r.aggr("tcpWinStat", u64::from(self.stat), 1);
        r.nump(&format!("{LABEL} {}", self.cfg.tcpwin_thres), self.win_th_cnt, ctx.globals().num_packets);
        self.win_th_cnt0 = 0; // the end report is absolute
    }

    // Monitoring (monitoring.md §5-§8): a column name, then per report the packets below the
    // threshold (since the last report when DIFF_REPORT=1), or a line in the human report.
    fn monitoring(&mut self, ctx: Ctx<'_>, mon: &Monitor, state: MonState) {
        let diff = self.win_th_cnt - self.win_th_cnt0;
        match state {
            MonState::Header => mon.field("winPktThCnt"),
            MonState::Values => mon.field(diff),
            MonState::Report if self.win_th_cnt > 0 => {
                let g = ctx.globals();
                mon.report().nump0(&format!("{LABEL} {}", self.cfg.tcpwin_thres), diff, g.num_packets - g.num_packets0);
            }
            MonState::Report => {}
        }
        // Differential mode: the next report counts from here (printing the names does not count).
        if mon.diff() && state != MonState::Header {
            self.win_th_cnt0 = self.win_th_cnt;
        }
    }

    // The run is over: write the summary file. Failing to do so is a warning, not an error.
    fn finalize(&mut self, _ctx: Ctx<'_>) {
        if let Err(e) = self.write_summary() {
            let err = plugin_api::fmt::strerror(&e);
            self.host.warn(&format!("Failed to open file '{}': {err}", plugin_api::fmt::escaped(&self.summary_path)));
        }
    }
}

plugin_api::export_plugin!(TcpWin);
