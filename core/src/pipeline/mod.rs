//! The flow engine and THE HOT LOOP ([`Pipeline::run`]): packet → dissection → flow
//! lookup/creation → plugin callbacks → expiry (core.md §4-§5). Per packet nothing here
//! allocates, locks, formats or reads the clock; the only I/O is the sinks' buffered writes
//! when flows end.
#![forbid(unsafe_code)]

mod expire;
mod packet;
mod run;
mod trigger;

pub use run::{Input, Reports};
pub use trigger::PcapTrigger;

use std::rc::Rc;

use plugin_api::abi::{Globals, PacketView, Timestamp};

use crate::capture::{LinkType, PastEnd, RawPacket};
use crate::dispatch::PluginSet;
use crate::dissect::{self, DissectStats};
use crate::flow::{FlowTable, FragTable};
use crate::output::streams::Streams;
use crate::time::Date;

/// Engine settings fixed for a run.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Default flow timeout (`FLOW_TIMEOUT`).
    pub flow_timeout: f32,
    /// Flush the oldest flows when the table is full (`HASH_AUTOPILOT`).
    pub autopilot: bool,
    /// Flows flushed each time (`NUMFLWRM`).
    pub autopilot_flows: u32,
    /// Hash factor in effect (`-f`), for the autopilot's advice.
    pub hash_factor: u32,
    /// Layer-2 flows on (`ETH_ACTIVATE`).
    pub l2_flows: bool,
    /// Log level (`VERBOSE`).
    pub verbose: u8,
}

/// Why the packet loop must end early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// A table overflowed and T2 terminates (`frag HashMap full`, or no autopilot).
    TableFull,
    /// A plugin panicked or reported a fatal error.
    Plugin,
    /// Flow creation was off (first SIGINT) and the last flow timed out: a normal end.
    Drained,
    /// Memory for a new flow could not be allocated.
    OutOfMemory,
    /// A second SIGTERM stopped the final flush before every flow was written.
    Terminated,
}

/// Per-ethertype counters (65536 entries each) and their snapshots, referenced by [`Globals`].
pub(crate) struct L2Tables {
    pub(crate) pkts: Box<[u64]>,
    pub(crate) pkts0: Box<[u64]>,
    pub(crate) bytes: Box<[u64]>,
    pub(crate) bytes0: Box<[u64]>,
}

/// Header-count statistics of the end report.
#[derive(Debug, Clone, Copy)]
pub struct HdrStats {
    /// Fewest headers in a packet.
    pub min: u16,
    /// Most headers in a packet.
    pub max: u16,
    /// Running average (T2 keeps it in a float).
    pub avg: f32,
}

/// The flow engine of a run.
pub struct Pipeline {
    /// Flows.
    pub table: FlowTable,
    frags: FragTable,
    /// Counters shared with plugins.
    pub g: Box<Globals>,
    pub(crate) l2: L2Tables,
    /// Plugins.
    pub plugins: PluginSet,
    /// The log, monitoring and packet streams (the plugins write to the same ones).
    pub streams: Rc<Streams>,
    /// Dissector statistics and queued warnings.
    pub dstats: DissectStats,
    /// Header-count statistics.
    pub hdr: HdrStats,
    pv: PacketView,
    settings: Settings,
    /// Size of the input for the autopilot's `-f` advice.
    pub capture_size: u64,
    /// Flow creation is off (first SIGINT, [`Pipeline::stop_flow_creation`]).
    no_new_flows: bool,
    /// Pcap-time monitoring trigger (`MONINTTMPCP` = 1).
    pub mon_trigger: Option<PcapTrigger>,
    /// A monitoring report is due after this packet (set by the pcap-time trigger).
    report_due: bool,
    stop: Option<Stop>,
}

impl core::fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Pipeline").field("table", &self.table).field("plugins", &self.plugins).finish_non_exhaustive()
    }
}

/// Fresh counters pointing at `l2`.
fn new_globals(l2: &L2Tables) -> Box<Globals> {
    Box::new(Globals {
        size: size_of::<Globals>() as u32,
        pad: 0,
        act_time: Timestamp::default(),
        start_time: Timestamp::default(),
        start_time0: Timestamp::default(),
        global_warn: Default::default(),
        num_packets: 0,
        num_packets0: 0,
        num_a_packets: 0,
        num_a_packets0: 0,
        num_b_packets: 0,
        num_b_packets0: 0,
        bytes_processed: 0,
        bytes_processed0: 0,
        num_a_bytes: 0,
        num_a_bytes0: 0,
        num_b_bytes: 0,
        num_b_bytes0: 0,
        num_l2_packets: 0,
        num_l2_packets0: 0,
        num_v4_packets: 0,
        num_v4_packets0: 0,
        num_v6_packets: 0,
        num_v6_packets0: 0,
        num_vx_packets: 0,
        num_vx_packets0: 0,
        bytes_on_wire: 0,
        bytes_on_wire0: 0,
        raw_bytes_on_wire: 0,
        raw_bytes_on_wire0: 0,
        pad_bytes_on_wire: 0,
        pad_bytes_on_wire0: 0,
        num_frag_v4_packets: 0,
        num_frag_v4_packets0: 0,
        num_frag_v6_packets: 0,
        num_frag_v6_packets0: 0,
        num_alarms: 0,
        num_alarms0: 0,
        num_alarm_flows: 0,
        num_alarm_flows0: 0,
        num_llc_packets: 0,
        num_llc_packets0: 0,
        num_gre_packets: 0,
        num_gre_packets0: 0,
        num_teredo_packets: 0,
        num_teredo_packets0: 0,
        num_ayiya_packets: 0,
        num_ayiya_packets0: 0,
        num_lapd_packets: 0,
        num_lapd_packets0: 0,
        num_dtls_packets: 0,
        num_dtls_packets0: 0,
        total_flows: 0,
        total_flows0: 0,
        total_a_flows: 0,
        total_a_flows0: 0,
        total_b_flows: 0,
        total_b_flows0: 0,
        total_ipv4_flows: 0,
        total_ipv4_flows0: 0,
        total_ipv6_flows: 0,
        total_ipv6_flows0: 0,
        total_l2_flows: 0,
        total_l2_flows0: 0,
        corr_repl_flows: 0,
        corr_repl_flows0: 0,
        total_rm_flows: 0,
        total_rm_flows0: 0,
        total_findex: 0,
        max_num_flows: 0,
        max_num_flows_peak: 0,
        pkts_l3: [0; 256],
        pkts_l3_0: [0; 256],
        bytes_l3: [0; 256],
        bytes_l3_0: [0; 256],
        pkts_l2: l2.pkts.as_ptr(),
        pkts_l2_0: l2.pkts0.as_ptr(),
        bytes_l2: l2.bytes.as_ptr(),
        bytes_l2_0: l2.bytes0.as_ptr(),
    })
}

impl Pipeline {
    /// An engine with `capacity` flow slots and the given plugins.
    pub fn new(capacity: usize, plugins: PluginSet, settings: Settings) -> Pipeline {
        let zeros = || vec![0u64; 65536].into_boxed_slice();
        let l2 = L2Tables { pkts: zeros(), pkts0: zeros(), bytes: zeros(), bytes0: zeros() };
        let g = new_globals(&l2);
        let mut table = FlowTable::new(capacity);
        table.add_handler(settings.flow_timeout);
        Pipeline {
            table,
            frags: FragTable::new(capacity),
            g,
            l2,
            streams: plugins.streams().clone(),
            plugins,
            dstats: DissectStats::default(),
            hdr: HdrStats { min: u16::MAX, max: 0, avg: 0.0 },
            pv: dissect::empty_view(),
            settings,
            capture_size: 0,
            no_new_flows: false,
            mon_trigger: None,
            report_due: false,
            stop: None,
        }
    }

    /// Registers the timeouts plugins asked for during `init`.
    pub fn add_plugin_timeouts(&mut self) {
        for t in self.plugins.timeouts() {
            self.table.add_handler(t);
        }
    }

    /// Packets per Ethertype (for the end report).
    pub fn pkts_l2(&self, ethertype: u16) -> u64 {
        self.l2.pkts[usize::from(ethertype)]
    }

    /// Why the run must stop early, if it must.
    pub fn stop(&self) -> Option<Stop> {
        if self.plugins.must_stop() {
            return Some(Stop::Plugin);
        }
        self.stop
    }

    /// One packet read from the input (T2's `perPacketCallback`).
    #[inline]
    pub fn packet(&mut self, pkt: &RawPacket<'_>) {
        if self.g.num_packets == 0 {
            self.begin(pkt.ts);
        }
        self.g.act_time = pkt.ts;
        if let Some(t) = &mut self.mon_trigger
            && t.due(self.g.start_time.sec, pkt.ts.sec)
        {
            self.report_due = true;
        }
        self.expire();
        self.process(pkt.data, pkt.past, pkt.ts, pkt.wirelen, pkt.linktype);
    }

    /// No packet for a while on a live capture (T2's `ZPKTITMUPD`): the clock moves to the wall
    /// time `now` and idle flows time out as they would before a packet.
    pub fn idle(&mut self, now: Timestamp) {
        if self.g.num_packets == 0 {
            return;
        }
        self.g.act_time = now;
        self.expire();
    }

    /// The capture starts at `ts`, the first packet's time: logs "Dump start".
    pub fn begin(&mut self, ts: Timestamp) {
        self.g.act_time = ts;
        self.g.start_time = ts;
        self.g.start_time0 = ts;
        if self.settings.verbose > 0 {
            self.streams.log.borrow_mut().line(format_args!("Dump start: {}", Date { ts, utc: true }));
        }
    }

    /// T2's `processPacket`.
    fn process(&mut self, data: &[u8], past: PastEnd<'_>, ts: Timestamp, wirelen: u32, linktype: LinkType) {
        self.g.num_packets += 1;
        self.g.raw_bytes_on_wire += u64::from(wirelen);
        if data.is_empty() {
            if self.settings.verbose > 1 {
                let msg = format!("No data available for packet {}", self.g.num_packets);
                self.streams.log.borrow_mut().warn(&msg);
            }
            return;
        }
        dissect::reset_view(&mut self.pv, data, ts, wirelen);
        self.g.bytes_processed += data.len() as u64;
        let disposition = dissect::dissect(data, past, linktype, &mut self.pv, &mut self.g, &mut self.dstats);
        self.flush_notices();
        match disposition {
            dissect::Disposition::Drop => {}
            dissect::Disposition::L2 => self.l2_packet(data),
            dissect::Disposition::Ip(info) => self.ip_packet(data, &info),
        }
        self.end_of_packet();
    }

    /// Logs the dissector's queued warnings and errors.
    fn flush_notices(&mut self) {
        if self.dstats.warnings.is_empty() && self.dstats.errors.is_empty() {
            return;
        }
        let mut log = self.streams.log.borrow_mut();
        for w in self.dstats.warnings.drain(..) {
            log.warn(&w);
        }
        for e in self.dstats.errors.drain(..) {
            crate::log::error(&e);
        }
    }

    /// Counters updated for every packet with data (T2's `endpPkt`).
    fn end_of_packet(&mut self) {
        use plugin_api::status::*;
        let pv = &self.pv;
        let status = pv.status;
        let gw = &self.g.global_warn;
        gw.set(gw.get() | status);
        let g = &mut *self.g;
        if pv.llc_off != plugin_api::abi::NO_OFFSET {
            g.num_llc_packets += 1;
        }
        if status & L2_IPV4 != 0 {
            g.num_v4_packets += 1;
        } else if status & L2_IPV6 != 0 {
            g.num_v6_packets += 1;
        }
        if status & L3_IPVX != 0 {
            g.num_vx_packets += 1;
        }
        if status & L3_TRDO != 0 {
            g.num_teredo_packets += 1;
        }
        if status & L3_AYIYA != 0 {
            g.num_ayiya_packets += 1;
        }
        if status & L2_GRE != 0 {
            g.num_gre_packets += 1;
        }
        let n = pv.num_hdr_desc;
        self.hdr.max = self.hdr.max.max(n);
        self.hdr.min = self.hdr.min.min(n);
        let t = (1.0 / g.num_packets as f64) as f32;
        self.hdr.avg = ((1.0 - f64::from(t)) * f64::from(self.hdr.avg) + f64::from(t * f32::from(n))) as f32;
    }

    /// Counts a packet in the per-Ethertype and per-protocol tables.
    fn count_protocols(&mut self) {
        let et = usize::from(self.pv.eth_type);
        let len = u64::from(self.pv.snap_len);
        self.l2.pkts[et] += 1;
        self.l2.bytes[et] += len;
        let p = usize::from(self.pv.l4_proto);
        self.g.pkts_l3[p] += 1;
        self.g.bytes_l3[p] += len;
    }

    /// Counts an Ethertype without touching the protocol tables (layer-2 packets).
    fn count_ethertype(&mut self) {
        let et = usize::from(self.pv.eth_type);
        self.l2.pkts[et] += 1;
        self.l2.bytes[et] += u64::from(self.pv.snap_len);
    }
}

#[cfg(test)]
mod tests;
