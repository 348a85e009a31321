//! Monitoring reports (monitoring.md): one machine row or one human block per report, built
//! from the core counters and every plugin's part, absolute or differential.
//!
//! The engine takes its settings as a [`MonitorConfig`] (built from the compile-time flags in
//! `app.rs`, or by tests), so every flag combination is testable without rebuilding the core.

use std::path::Path;
use std::time::Instant;

use plugin_api::abi::{Globals, mon_state};

use super::end;
use super::proto::ProtoNames;
use super::sys;
use crate::capture::feed::{Feed, InputKind};
use crate::capture::{LiveStats, PacketSource};
use crate::cli;
use crate::flags;
use crate::pipeline::{Pipeline, Reports};
use crate::time::{Date, Secs, Span, add, from_secs, now, sub};

/// What a report contains and how it looks.
#[derive(Debug, Clone)]
pub struct MonitorConfig {
    /// `DIFF_REPORT`: values since the previous report.
    pub diff: bool,
    /// `MACHINE_REPORT`: TSV rows instead of human blocks.
    pub machine: bool,
    /// `PLUGIN_REPORT`: plugin sections in human blocks.
    pub plugin_report: bool,
    /// `-x` or `T2_SENSORID`.
    pub sensor_id: u32,
    /// `MONPROTL2`: Ethertypes with columns.
    pub l2: Vec<u16>,
    /// `MONPROTL3`: IP protocols with columns, and their column prefix (name or number).
    pub l3: Vec<(u8, String)>,
}

impl MonitorConfig {
    /// The configuration the compile-time flags describe; protocol names come from
    /// `MONPROTFL` in `plugin_folder` (machine reports with `MONPROTMD` = 1).
    pub fn from_flags(sensor_id: u32, plugin_folder: &Path) -> MonitorConfig {
        let names = (flags::MACHINE_REPORT == 1 && flags::MONPROTMD == 1)
            .then(|| ProtoNames::load(&plugin_folder.join(flags::MONPROTFL)));
        MonitorConfig {
            diff: flags::DIFF_REPORT == 1,
            machine: flags::MACHINE_REPORT == 1,
            plugin_report: flags::PLUGIN_REPORT == 1,
            sensor_id,
            l2: flags::MONPROTL2.to_vec(),
            l3: flags::MONPROTL3
                .iter()
                .map(|&p| (p, names.as_ref().map_or_else(|| p.to_string(), |n| n.name(p).to_owned())))
                .collect(),
        }
    }

    /// `A` (absolute) or `D` (differential).
    fn letter(&self) -> char {
        if self.diff { 'D' } else { 'A' }
    }

    /// The core's part of the machine header, every name followed by a TAB.
    pub fn header(&self) -> String {
        let mut s = String::from(
            "%repType\tsensorID\ttime\tduration\tmemUsageKB\tfillSzHashMap\tnumFlows\tnumAFlows\tnumBFlows\t\
             numPkts\tnumAPkts\tnumBPkts\tnumL2Pkts\tnumV4Pkts\tnumV6Pkts\tnumVxPkts\tnumBytes\tnumABytes\t\
             numBBytes\tnumFrgV4Pkts\tnumFrgV6Pkts\tnumAlarms\trawBandwidth\tglobalWarn\t",
        );
        for et in &self.l2 {
            s.push_str(&format!("0x{et:04x}Pkts\t0x{et:04x}Bytes\t"));
        }
        for (_, name) in &self.l3 {
            s.push_str(&format!("{name}Pkts\t{name}Bytes\t"));
        }
        s
    }

    /// The core's part of a machine row, every value followed by a TAB. `mem` and `fill` are
    /// the peak RSS in KB and the flows in memory, both minus their snapshot.
    pub fn row(&self, g: &Globals, l2: (&[u64], &[u64], &[u64], &[u64]), mem: i64, fill: i64) -> String {
        let d = |x: u64, x0: u64| x.wrapping_sub(x0);
        let dur = sub(g.act_time, g.start_time0);
        // T2 computes the interval and the bandwidth in single precision
        let f = (dur.sec as f64 + dur.frac as f64 / 1e9) as f32;
        let raw = d(g.raw_bytes_on_wire, g.raw_bytes_on_wire0).wrapping_mul(8);
        let bw = if f == 0.0 { 0.0 } else { raw as f32 / f };
        let mut s = format!(
            "USR1MR_{}\t{}\t{}\t{}\t{mem}\t{fill}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{:.3}\t0x{:016x}\t",
            self.letter(),
            self.sensor_id,
            Secs(g.act_time),
            Secs(dur),
            d(g.total_flows, g.total_flows0),
            d(g.total_a_flows, g.total_a_flows0),
            d(g.total_b_flows, g.total_b_flows0),
            d(g.num_packets, g.num_packets0),
            d(g.num_a_packets, g.num_a_packets0),
            d(g.num_b_packets, g.num_b_packets0),
            d(g.num_l2_packets, g.num_l2_packets0),
            d(g.num_v4_packets, g.num_v4_packets0),
            d(g.num_v6_packets, g.num_v6_packets0),
            d(g.num_vx_packets, g.num_vx_packets0),
            d(g.bytes_processed, g.bytes_processed0),
            d(g.num_a_bytes, g.num_a_bytes0),
            d(g.num_b_bytes, g.num_b_bytes0),
            d(g.num_frag_v4_packets, g.num_frag_v4_packets0),
            d(g.num_frag_v6_packets, g.num_frag_v6_packets0),
            d(g.num_alarms, g.num_alarms0),
            f64::from(bw),
            g.global_warn.get(),
        );
        let (pkts, pkts0, bytes, bytes0) = l2;
        for &et in &self.l2 {
            let i = usize::from(et);
            s.push_str(&format!("{}\t{}\t", d(pkts[i], pkts0[i]), d(bytes[i], bytes0[i])));
        }
        for &(p, _) in &self.l3 {
            let i = usize::from(p);
            s.push_str(&format!("{}\t{}\t", d(g.pkts_l3[i], g.pkts_l3_0[i]), d(g.bytes_l3[i], g.bytes_l3_0[i])));
        }
        s
    }
}

/// What the human report says about the input.
#[derive(Debug, Clone)]
pub struct InputInfo {
    /// The name of the capture being read as given (`-` for stdin; for `-D` as expanded).
    pub name: String,
    /// `Link layer type` text.
    pub linktype: String,
    /// Snapshot length.
    pub snaplen: u64,
    /// File size in bytes (0: unknown, e.g. stdin).
    pub size: u64,
    /// `-R`, `-D` or one capture.
    pub kind: InputKind,
    /// Wall-clock start of the run.
    pub start: Instant,
}

impl InputInfo {
    /// The input of a run started at `start` that is reading `reader`, the capture `feed` is
    /// at; `name` is the capture's name when the feed does not tell it (`-r`, `-i`).
    pub fn of<S: PacketSource>(reader: &S, feed: &dyn Feed<S>, name: &str, start: Instant) -> InputInfo {
        InputInfo {
            name: feed.current().unwrap_or_else(|| name.to_owned()),
            linktype: crate::capture::linktype_text(reader.dlt()),
            snaplen: u64::from(reader.snaplen()),
            size: reader.file_size(),
            kind: feed.kind(),
            start,
        }
    }
}

/// The report engine of a run: prints reports and keeps the core's snapshots.
#[derive(Debug)]
pub struct Monitor {
    /// Settings.
    pub cfg: MonitorConfig,
    input: InputInfo,
    mem0: i64,
    fill0: i64,
    /// `-i`: libpcap's counters, refreshed by the run before each report (None for files).
    pub live: Option<LiveStats>,
}

const BANNER: [&str; 6] = [
    "                                    @      @                                    ",
    "                                     |    |                                     ",
    "===============================vVv==(a    a)==vVv===============================",
    "=====================================\\    /=====================================",
    "======================================\\  /======================================",
    "                                       oo                                       ",
];

impl Monitor {
    /// An engine printing reports about `input`.
    pub fn new(cfg: MonitorConfig, input: InputInfo) -> Monitor {
        Monitor { cfg, input, mem0: 0, fill0: 0, live: None }
    }

    /// The run moved on to `reader`, the next capture of `feed` (`-R`, `-D`): later reports
    /// describe it. While the run waits for a `-D` file the previous one is still described.
    pub fn next_capture<S: PacketSource>(&mut self, reader: &S, feed: &dyn Feed<S>) {
        let name = std::mem::take(&mut self.input.name);
        self.input = InputInfo::of(reader, feed, &name, self.input.start);
    }

    /// The input the reports describe.
    #[cfg(test)]
    pub(crate) fn input(&self) -> &InputInfo {
        &self.input
    }

    /// The machine header, once at start-up (machine mode only): the core's names, then every
    /// plugin's (state 0), the final separator removed.
    pub fn header(&self, p: &mut Pipeline) {
        if !self.cfg.machine {
            return;
        }
        let streams = p.streams.clone();
        {
            let mut mon = streams.mon.borrow_mut();
            mon.begin_row();
            let h = self.cfg.header();
            let h = if self.live.is_some() { with_live(h, "pktsRec\tpktsDrp\tifDrp\t") } else { h };
            mon.raw(h.as_bytes());
        }
        p.plugins.monitoring(&p.g, p.table.records(), mon_state::HEADER);
        let mut mon = streams.mon.borrow_mut();
        mon.end_row();
        mon.flush();
    }

    /// One report (T2's `printGStats`): a row or a block, then, in differential mode, the new
    /// snapshot (after the plugins, which still see the previous one). Reads of an interface
    /// report libpcap's counters as the run last refreshed them ([`Monitor::live`]).
    pub fn report(&mut self, p: &mut Pipeline) {
        p.g.total_flows = p.g.total_a_flows + p.g.total_b_flows;
        if self.cfg.machine {
            self.machine(p);
        } else {
            self.human(p);
        }
        if self.cfg.diff {
            self.snapshot(p);
        }
    }

    fn machine(&self, p: &mut Pipeline) {
        let mem = sys::peak_rss_kb() as i64 - self.mem0;
        let fill = p.table.len() as i64 - self.fill0;
        let l2 = (&*p.l2.pkts, &*p.l2.pkts0, &*p.l2.bytes, &*p.l2.bytes0);
        let row = self.cfg.row(&p.g, l2, mem, fill);
        let row = match self.live {
            Some(l) => with_live(row, &format!("{}\t{}\t{}\t", l.recv, l.drop, l.ifdrop)),
            None => row,
        };
        let streams = p.streams.clone();
        {
            let mut mon = streams.mon.borrow_mut();
            mon.begin_row();
            mon.raw(row.as_bytes());
        }
        p.plugins.monitoring(&p.g, p.table.records(), mon_state::VALUES);
        let mut mon = streams.mon.borrow_mut();
        mon.end_row();
        mon.flush();
    }

    fn human(&self, p: &mut Pipeline) {
        let streams = p.streams.clone();
        let g = &*p.g;
        let input = &self.input;
        let wall = now();
        let elapsed = input.start.elapsed().as_secs_f64();
        {
            let mut log = streams.mon.borrow_mut();
            log.line("");
            for l in BANNER {
                log.line(l);
            }
            log.line(format_args!(
                "USR1 {} type report: {} ({}), {}. PID: {}",
                self.cfg.letter(),
                cli::APP_STRING,
                cli::CODENAME,
                cli::RELEASE,
                std::process::id()
            ));
            if self.live.is_none() {
                log.line(format_args!("PCAP time: {}", Date { ts: g.act_time, utc: true }));
                log.line(format_args!("PCAP duration: {}", Span(sub(g.act_time, g.start_time0))));
            }
            log.line(format_args!("Time: {}", Date { ts: wall, utc: false }));
            log.line(format_args!("Elapsed time: {}", Span(from_secs(elapsed))));
            let mut done = 1.0f32;
            if let Some(l) = self.live {
                log.line(format_args!("Live capture on interface: {}", input.name));
                log.line(format_args!("Link layer type: {}", input.linktype));
                log.num0("Snapshot length", input.snaplen);
                let total = l.recv + l.drop + l.ifdrop;
                log.nump("Number of packets received", l.recv, total);
                log.nump("Number of packets dropped by the kernel", l.drop, total);
                log.nump("Number of packets dropped by the interface", l.ifdrop, total);
                done = 0.0; // no remaining time for an interface
            } else {
                match input.kind {
                    InputKind::Single if input.size > 0 => {
                        log.line(format_args!("Processing file: {}", input.name));
                        log.line(format_args!("Link layer type: {}", input.linktype));
                        log.num0("Snapshot length", input.snaplen);
                        log.num0("Total bytes to process", input.size);
                        end::percent_line(&mut log, g, 1, input.size);
                        let pb = (24 + g.bytes_processed + 16 * g.num_packets) as f32;
                        log.num("Total bytes processed so far", pb as u64);
                        done = (f64::from(pb) / input.size as f64) as f32;
                    }
                    InputKind::List { ref list, index, count, total, current_size } if total > 0 => {
                        log.line(format_args!("Processing list file: {list}"));
                        log.line(format_args!("Processing file no. {index} of {count}: {}", input.name));
                        log.line(format_args!("Link layer type: {}", input.linktype));
                        log.num0("Snapshot length", input.snaplen);
                        // as T2: the whole list's bytes, then the current file's
                        log.num0("Total bytes to process", total);
                        log.num0("Current file size in bytes", current_size);
                        let files = count as u64;
                        end::percent_line(&mut log, g, files, total);
                        // as T2: progress over the whole list, computed in double, kept in float
                        let pb = 24 * files + g.bytes_processed + 16 * g.num_packets;
                        done = (pb as f64 / total as f64) as f32;
                    }
                    InputKind::Series { total } => {
                        log.line(format_args!("Current file: {}", input.name));
                        log.line(format_args!("Link layer type: {}", input.linktype));
                        log.num0("Snapshot length", input.snaplen);
                        // as T2: against the files opened so far, counted as one; the
                        // remaining time is unknown (progress taken as 1, i.e. 0 s left)
                        end::percent_line(&mut log, g, 1, total);
                    }
                    _ => {}
                }
            }
            if done > 0.0 {
                let remaining = from_secs(elapsed * ((1.0 - f64::from(done)) / f64::from(done)));
                log.line(format_args!("Remaining time: {}", Span(remaining)));
                log.line(format_args!("ETF: {}", Date { ts: add(wall, remaining), utc: false }));
            }
        }
        end::body(p, &streams.mon, None, true, self.cfg.plugin_report);
        let mut log = streams.mon.borrow_mut();
        log.line("=".repeat(80));
        log.line("");
        log.flush();
    }

    /// T2's `updateGStats0`: every differential counter's snapshot takes its current value.
    fn snapshot(&mut self, p: &mut Pipeline) {
        self.mem0 = sys::peak_rss_kb() as i64;
        self.fill0 = p.table.len() as i64;
        let g = &mut *p.g;
        g.start_time0 = g.act_time;
        for (x0, x) in counters(g) {
            *x0 = x;
        }
        g.num_l2_packets0 = g.num_l2_packets;
        self.protocols(p, true);
    }

    /// Before the end report (differential mode): all snapshots back to zero so the end report
    /// is absolute. As in T2 the layer-2 packet snapshot is left alone.
    pub fn end(&mut self, p: &mut Pipeline) {
        if !self.cfg.diff {
            return;
        }
        self.mem0 = 0;
        self.fill0 = 0;
        for (x0, _) in counters(&mut p.g) {
            *x0 = 0;
        }
        self.protocols(p, false);
    }

    /// Snapshots (`take`) or zeroes the counters of the monitored protocols only, as T2 does.
    fn protocols(&self, p: &mut Pipeline, take: bool) {
        let l2 = &mut p.l2;
        for &et in &self.cfg.l2 {
            let i = usize::from(et);
            l2.pkts0[i] = if take { l2.pkts[i] } else { 0 };
            l2.bytes0[i] = if take { l2.bytes[i] } else { 0 };
        }
        let g = &mut *p.g;
        for &(pr, _) in &self.cfg.l3 {
            let i = usize::from(pr);
            g.pkts_l3_0[i] = if take { g.pkts_l3[i] } else { 0 };
            g.bytes_l3_0[i] = if take { g.bytes_l3[i] } else { 0 };
        }
    }
}

impl Reports for Monitor {
    fn report(&mut self, p: &mut Pipeline, live: Option<LiveStats>) {
        self.live = live;
        Monitor::report(self, p);
    }

    fn next_capture<S: PacketSource>(&mut self, source: &S, feed: &dyn Feed<S>) {
        Monitor::next_capture(self, source, feed);
    }
}

/// `s`, a machine header or row, with `live` (the `-i` columns) after `duration`, the 4th column.
fn with_live(mut s: String, live: &str) -> String {
    if let Some((i, _)) = s.match_indices('\t').nth(3) {
        s.insert_str(i + 1, live);
    }
    s
}

/// The differential counters (snapshot, value) besides the layer-2 packets and the protocols
/// (not the alarm flows, which T2 never snapshots).
fn counters(g: &mut Globals) -> [(&mut u64, u64); 29] {
    [
        (&mut g.num_packets0, g.num_packets),
        (&mut g.num_a_packets0, g.num_a_packets),
        (&mut g.num_b_packets0, g.num_b_packets),
        (&mut g.num_a_bytes0, g.num_a_bytes),
        (&mut g.num_b_bytes0, g.num_b_bytes),
        (&mut g.bytes_processed0, g.bytes_processed),
        (&mut g.bytes_on_wire0, g.bytes_on_wire),
        (&mut g.raw_bytes_on_wire0, g.raw_bytes_on_wire),
        (&mut g.pad_bytes_on_wire0, g.pad_bytes_on_wire),
        (&mut g.num_alarms0, g.num_alarms),
        (&mut g.num_v4_packets0, g.num_v4_packets),
        (&mut g.num_v6_packets0, g.num_v6_packets),
        (&mut g.num_vx_packets0, g.num_vx_packets),
        (&mut g.num_frag_v4_packets0, g.num_frag_v4_packets),
        (&mut g.num_frag_v6_packets0, g.num_frag_v6_packets),
        (&mut g.num_llc_packets0, g.num_llc_packets),
        (&mut g.num_gre_packets0, g.num_gre_packets),
        (&mut g.num_lapd_packets0, g.num_lapd_packets),
        (&mut g.num_teredo_packets0, g.num_teredo_packets),
        (&mut g.num_ayiya_packets0, g.num_ayiya_packets),
        (&mut g.num_dtls_packets0, g.num_dtls_packets),
        (&mut g.total_flows0, g.total_flows),
        (&mut g.total_a_flows0, g.total_a_flows),
        (&mut g.total_b_flows0, g.total_b_flows),
        (&mut g.total_ipv4_flows0, g.total_ipv4_flows),
        (&mut g.total_ipv6_flows0, g.total_ipv6_flows),
        (&mut g.total_l2_flows0, g.total_l2_flows),
        (&mut g.corr_repl_flows0, g.corr_repl_flows),
        (&mut g.total_rm_flows0, g.total_rm_flows),
    ]
}

#[cfg(test)]
#[path = "monitor_tests.rs"]
mod tests;
