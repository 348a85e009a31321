//! basicStats (120): per flow direction the packet and byte counts (and the opposite
//! direction's), packet-length and inter-arrival-time statistics, packet and byte rates and
//! asymmetries; the end report names the fastest flow and the biggest talkers, with the
//! country the subnet tables give an IP talker (plugins.md §3).
//!
//! The statistics are computed in `f32` exactly as T2 does (see [`stats`]) so that the text
//! sink prints the same digits.
#![forbid(unsafe_code)]
#![allow(non_snake_case)]

pub mod config;
pub mod flags;
pub mod report;
pub mod stats;

use std::cell::OnceCell;
use std::path::Path;

use plugin_api::status::{L2_FLOW, L2_IPV4, L2_IPV6, LAPD_FLOW};
use plugin_api::wire::udp;
use plugin_api::{
    Columns, Ctx, Flow, FlowSlots, Host, Init, MonState, Monitor, Output, Packet, PacketLine, Plugin, Report,
};
use subnet::Subnets;

pub use config::{Config, Exclude};
use report::{IpSrc, Sections, Totals};
use stats::{FlowStats, Rates};

/// The basicStats plugin.
pub struct BasicStats {
    host: Host,
    cfg: Config,
    /// The core's `PACKETLENGTH` the column names are declared for (their layer digit). The
    /// core only tells plugins its configuration at `init`, after the columns are declared;
    /// rt2's core always measures layer-7 payload (3).
    packet_length: u8,
    flows: FlowSlots<FlowStats>,
    totals: Totals,
    sections: Sections,
    /// Packet mode (`-s`): write the length columns for every packet of a flow.
    packet_mode: bool,
    line: PacketLine,
    /// Where the subnet tables are (the plugin folder).
    plugin_folder: std::ffi::OsString,
    /// The subnet tables, opened at the first report that names an IP talker (a table that
    /// cannot be used is reported by basicFlow, which installs them).
    subnets: OnceCell<Subnets>,
}

impl BasicStats {
    /// An instance with configuration `cfg` instead of the compiled flags (for tests).
    pub fn with_config(host: Host, cfg: Config) -> BasicStats {
        let sections = Sections { maxima: cfg.bs_stats, l2: true, l3: true };
        BasicStats {
            host,
            cfg,
            packet_length: 3,
            flows: FlowSlots::default(),
            totals: Totals::default(),
            sections,
            packet_mode: false,
            line: PacketLine::default(),
            plugin_folder: std::ffi::OsString::new(),
            subnets: OnceCell::new(),
        }
    }

    /// The country code the subnet tables give `a`, `-` when they give none.
    fn country(&self, a: &IpSrc) -> Vec<u8> {
        let subnets = self.subnets.get_or_init(|| Subnets::open_dir(Path::new(&self.plugin_folder)).0);
        let label = subnets.find(a.ver, &a.ip).and_then(|id| subnets.label(a.ver, id));
        label.map_or_else(|| b"-".to_vec(), |l| l.cc().to_vec())
    }

    /// The configuration in use (after the runtime overrides of `init`).
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// The run-wide maxima and talkers so far.
    pub fn totals(&self) -> &Totals {
        &self.totals
    }

    /// Per-packet accounting (T2's `bl_claimInfo`).
    #[inline]
    fn claim(&mut self, pkt: &Packet<'_>, flow: &Flow<'_>) {
        let now = flow.last_seen();
        self.flows.get_mut(flow).add(&self.cfg, pkt.view().len, now);
        if self.packet_mode {
            self.packet_fields(pkt);
        }
    }

    /// Packet mode: `pktLen snapL3Len snapL4Len snapL7Len l3Len udpLen l7Len [pktLenMod] padLen`.
    fn packet_fields(&mut self, pkt: &Packet<'_>) {
        let v = pkt.view();
        // T2 keeps the layer lengths in 16-bit fields
        let l = &mut self.line;
        l.u64(u64::from(v.raw_len)).u64(u64::from(v.snap_l3_len as u16));
        l.u64(u64::from(v.snap_l4_len)).u64(u64::from(v.snap_l7_len));
        l.u64(u64::from(v.l3_len as u16)).u64(u64::from(udp_len(pkt))).u64(u64::from(v.l7_len));
        if self.cfg.bs_mod > 1 {
            l.u64(u64::from((v.len % self.cfg.bs_mod) as u16));
        }
        l.i64(v.pad_len).write(self.host);
    }
}

impl Plugin for BasicStats {
    fn new(host: Host) -> Self {
        BasicStats::with_config(host, Config::default())
    }

    fn columns(&self, c: &mut Columns) {
        let cfg = &self.cfg;
        let l = config::layer(self.packet_length);
        c.add("pktsSnt", "Number of transmitted packets", "U64");
        if cfg.bs_rev_cnt {
            c.add("pktsRcvd", "Number of received packets", "U64");
        }
        if cfg.bs_aggr_cnt {
            c.add("pktsRTAggr", "Number of received + transmitted packets", "U64");
        }
        if cfg.bs_pad {
            c.add("padBytesSnt", "Number of transmitted padding bytes", "I64");
        }
        c.add(&format!("l{l}BytesSnt"), &format!("Number of transmitted layer {l} bytes"), "U64");
        if cfg.bs_rev_cnt {
            c.add(&format!("l{l}BytesRcvd"), &format!("Number of received layer {l} bytes"), "U64");
        }
        if cfg.bs_aggr_cnt {
            c.add(&format!("l{l}BytesRTAggr"), &format!("Number of received + transmitted layer {l} bytes"), "U64");
        }
        if !cfg.bs_stats {
            return;
        }
        if cfg.pl() {
            c.add(&format!("minL{l}PktSz"), &format!("Minimum layer {l} packet size"), "U16");
            c.add(&format!("maxL{l}PktSz"), &format!("Maximum layer {l} packet size"), "U16");
            c.add(&format!("avgL{l}PktSz"), &format!("Average layer {l} packet size"), "F");
            if cfg.bs_stddev {
                c.add(&format!("stdL{l}PktSz"), &format!("Standard deviation layer {l} packet size"), "F");
            }
            if cfg.bs_var {
                c.add(&format!("varL{l}PktSz"), &format!("Variance layer {l} packet size"), "F");
                if cfg.skew_kurt() {
                    c.add(&format!("skewL{l}PktSz"), &format!("Skewness layer {l} packet size"), "F");
                    c.add(&format!("kurL{l}PktSz"), &format!("Kurtosis layer {l} packet size"), "F");
                }
            }
        }
        if cfg.iat() {
            c.add("minIAT", "Minimum IAT", "F");
            c.add("maxIAT", "Maximum IAT", "F");
            c.add("avgIAT", "Average IAT", "F");
            if cfg.bs_stddev {
                c.add("stdIAT", "Standard deviation IAT", "F");
            }
            if cfg.bs_var {
                c.add("varIAT", "Variance IAT", "F");
                if cfg.skew_kurt() {
                    c.add("skewIAT", "Skewness IAT", "F");
                    c.add("kurIAT", "Kurtosis IAT", "F");
                }
            }
        }
        c.add("pktps", "Sent packets per second", "F");
        c.add("bytps", "Sent bytes per second", "F");
        c.add("pktAsm", "Packet stream asymmetry", "F");
        c.add("bytAsm", "Byte stream asymmetry", "F");
    }

    fn init(&mut self, init: &Init<'_>) {
        self.flows = FlowSlots::new(init.capacity());
        let core = init.config();
        let host = self.host;
        self.cfg.apply_env(|name| host.getenv(name));
        if core.packet_length != self.packet_length {
            self.host.warn(&format!(
                "core PACKETLENGTH={} but the column names were declared for PACKETLENGTH={}",
                core.packet_length, self.packet_length
            ));
        }
        self.sections = Sections { maxima: self.cfg.bs_stats, l2: core.eth_activate > 0, l3: core.anonym_ip == 0 };
        self.packet_mode = init.packet_mode();
        self.plugin_folder = init.plugin_folder_os().to_owned();
        if self.packet_mode {
            let mut names = vec!["pktLen", "snapL3Len", "snapL4Len", "snapL7Len", "l3Len", "udpLen", "l7Len"];
            if self.cfg.bs_mod > 1 {
                names.push("pktLenMod");
            }
            names.push("padLen");
            PacketLine::header(self.host, &names);
        }
    }

    fn on_new_flow(&mut self, _ctx: Ctx<'_>, pkt: &Packet<'_>, flow: Flow<'_>) {
        *self.flows.get_mut(&flow) = FlowStats::start(&self.cfg, pkt.view().len, flow.last_seen());
    }

    fn on_layer2(&mut self, _ctx: Ctx<'_>, pkt: &Packet<'_>, flow: Option<Flow<'_>>) {
        if let Some(flow) = flow {
            self.claim(pkt, &flow);
        }
    }

    fn on_layer4(&mut self, _ctx: Ctx<'_>, pkt: &Packet<'_>, flow: Flow<'_>) {
        self.claim(pkt, &flow);
    }

    fn on_flow_terminate(&mut self, _ctx: Ctx<'_>, flow: Flow<'_>, out: &mut Output<'_>) {
        let cfg = self.cfg;
        let s = *self.flows.get(&flow);
        let opp = flow.opposite().and_then(|o| self.flows.at(o.index())).map(|o| (o.pkts, o.bytes));
        let (o_pkts, o_bytes) = opp.unwrap_or((0, 0));

        out.u64(s.pkts);
        if cfg.bs_rev_cnt {
            out.u64(o_pkts);
        }
        if cfg.bs_aggr_cnt {
            out.u64(s.pkts.wrapping_add(o_pkts));
        }
        if cfg.bs_pad {
            out.i64(flow.record().pad_len);
        }
        out.u64(s.bytes);
        if cfg.bs_rev_cnt {
            out.u64(o_bytes);
        }
        if cfg.bs_aggr_cnt {
            out.u64(s.bytes.wrapping_add(o_bytes));
        }
        if cfg.bs_stats {
            let rates = Rates::new(&s, flow.duration(), opp, flow.is_b());
            let t = &mut self.totals;
            if rates.bytps > t.max_bytps {
                t.max_bytps = rates.bytps;
                t.max_bytps_pkts = s.pkts;
            }
            if cfg.pl() {
                let avg = s.avg_size();
                out.u16(s.min_size);
                out.u16(s.max_size);
                out.f32(avg);
                if avg > t.max_avg_size as f32 {
                    t.max_avg_size = avg as u64;
                }
                moment_columns(&cfg, &s.size, out);
            }
            if cfg.iat() {
                out.f32(s.min_iat);
                out.f32(s.max_iat);
                out.f32(s.iat.mean);
                moment_columns(&cfg, &s.iat, out);
            }
            out.f32(rates.pktps);
            out.f32(rates.bytps);
            out.f32(rates.pkt_asm);
            out.f32(rates.byt_asm);
        }

        let status = flow.status();
        if status & LAPD_FLOW != 0 {
            return;
        }
        let t = &mut self.totals;
        if status & L2_FLOW != 0 {
            let mac = flow.key().src_mac;
            t.mac_pkts.offer(s.pkts, mac);
            t.mac_bytes.offer(s.bytes, mac);
        } else {
            let ver = if status & L2_IPV6 != 0 {
                6
            } else if status & L2_IPV4 != 0 {
                4
            } else {
                0
            };
            let src = IpSrc { ver, ip: flow.key().src_ip };
            t.ip_pkts.offer(s.pkts, src);
            t.ip_bytes.offer(s.bytes, src);
        }
    }

    fn report(&mut self, ctx: Ctx<'_>, report: &Report) {
        self.totals.write(report, ctx.globals(), self.sections, &|a| self.country(a));
    }

    fn monitoring(&mut self, ctx: Ctx<'_>, mon: &Monitor, state: MonState) {
        // no monitoring columns: only the human report repeats the end-report lines
        if state == MonState::Report {
            self.totals.write(&mon.report(), ctx.globals(), self.sections, &|a| self.country(a));
        }
    }
}

/// The UDP / UDP-Lite length field of a first fragment, else 0 (packet column `udpLen`).
fn udp_len(pkt: &Packet<'_>) -> u16 {
    match pkt.udp() {
        Some(udp) if pkt.is_first_fragment() && udp.has(udp::field::LENGTH.end) => udp.length(),
        _ => 0,
    }
}

/// The std, var, skew and kurtosis columns enabled for one series.
fn moment_columns(cfg: &Config, m: &stats::Moments, out: &mut Output<'_>) {
    if cfg.bs_stddev {
        out.f32(m.std());
    }
    if cfg.bs_var {
        out.f32(m.var);
        if cfg.skew_kurt() {
            out.f32(m.skew());
            out.f32(m.kurt());
        }
    }
}

plugin_api::export_plugin!(BasicStats);

#[cfg(test)]
mod tests;
