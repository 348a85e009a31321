//! icmpDecode (140): ICMP and ICMPv6 analysis (plugins.md §6).
//!
//! Per flow: status bits (WANG2, echo sequence anomalies, LOKI and SSH covert channels), the
//! types and codes seen, the last timestamp field, the echo success ratio and the parent flow
//! of error messages. Over the run: the end-report lines, three monitoring columns and the
//! statistics file `PREFIX_icmpStats.txt`; in packet mode (`-s`) type, code, identifier,
//! sequence and parent of every packet.
//!
//! `parse` reads the packet bytes (bounded, zero past the capture), `state` holds the counters
//! and the per-message logic, `stats` formats the statistics file; this file connects them to
//! the plugin callbacks.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![allow(non_snake_case)] // the crate is named after the plugin: icmpDecode

pub mod flags;
pub mod parse;
pub mod state;
pub mod stats;
#[cfg(test)]
mod tests;

use plugin_api::status::L3FLOWINVERT;
use plugin_api::wire::icmp;
use plugin_api::wire::ipproto::{ICMP, ICMP6};
use plugin_api::{
    Columns, Ctx, Flow, FlowSlots, Host, Init, MonState, Monitor, Output, Packet, PacketLine, Plugin, Report,
};

pub use flags::Config;
use parse::{Header, parent_key};
use state::{FlowState, Settings, TcMode, Totals, TypeCodes};
use stats::{CoreCounts, echo_ratio, stats_file};

/// The packet-mode columns before `icmpPFindex`.
const PACKET_COLUMNS: [&str; 5] = ["icmpStat", "icmpType", "icmpCode", "icmpID", "icmpSeq"];

/// The icmpDecode plugin.
pub struct IcmpDecode {
    host: Host,
    cfg: Config,
    set: Settings,
    flows: FlowSlots<FlowState>,
    /// Type/code pairs per flow (`ICMP_TC_MD=1` only).
    tcs: TypeCodes,
    tot: Totals,
    /// Packet mode (`-s`), and the reused buffer of a packet's fields.
    packet_mode: bool,
    line: PacketLine,
    /// The output prefix, for the statistics file.
    prefix: std::ffi::OsString,
}

impl IcmpDecode {
    /// An icmpDecode with flags `cfg` instead of the compiled ones.
    pub fn with_config(host: Host, cfg: Config) -> IcmpDecode {
        IcmpDecode {
            host,
            cfg,
            set: Settings::new(&cfg, 2, 1),
            flows: FlowSlots::default(),
            tcs: TypeCodes::default(),
            tot: Totals::default(),
            packet_mode: false,
            line: PacketLine::default(),
            prefix: std::ffi::OsString::new(),
        }
    }

    /// Packet mode: the filler of a packet icmpDecode does not analyse.
    fn no_packet_fields(&mut self) {
        if self.packet_mode {
            self.line.str("0x00").empty(PACKET_COLUMNS.len() - 1 + usize::from(self.set.parent));
            self.line.write(self.host);
        }
    }

    /// Writes `PREFIX_icmpStats.txt` (suffix and no-code symbol overridable from the
    /// environment, as T2's `ENVCNTRL`).
    fn write_stats(&self, ctx: &Ctx<'_>) {
        let suffix = self.host.getenv("ICMP_SUFFIX").unwrap_or_else(|| self.cfg.icmp_suffix.to_owned());
        let nocode = self.host.getenv("ICMP_NOCODE").unwrap_or_else(|| self.cfg.icmp_nocode.to_owned());
        let g = ctx.globals();
        let core = CoreCounts {
            packets: g.num_packets,
            icmp4: g.pkts_l3[usize::from(ICMP)],
            icmp6: g.pkts_l3[usize::from(ICMP6)],
        };
        let mut path = self.prefix.clone();
        path.push(&suffix);
        if let Err(e) = std::fs::write(&path, stats_file(&self.tot, &self.set, core, &nocode)) {
            let name = plugin_api::fmt::escaped(&path);
            self.host.fail(&format!("Failed to open file '{name}': {}", plugin_api::fmt::strerror(&e)));
        }
    }
}

impl Plugin for IcmpDecode {
    fn new(host: Host) -> Self {
        IcmpDecode::with_config(host, Config::default())
    }

    // T2 leaves icmpPFindex out with ETH_ACTIVATE=2; the core's flags reach plugins only at
    // init, after the columns are declared, so here the column stays (its value 0).
    fn columns(&self, c: &mut Columns) {
        c.add("icmpStat", "ICMP status", "H8");
        c.add("icmpTCcnt", "ICMP type code count", "U8");
        if TcMode::from_flag(self.cfg.icmp_tc_md) == TcMode::List {
            c.add("icmpType_Code", "ICMP type and code fields", "U8_U8:R");
        } else {
            c.add(
                "icmpBFTypH_TypL_Code",
                "ICMP Aggregated type H (IPv6>128, IPv4>31), L (<32) & code bit field",
                "H32_H32_H16",
            );
        }
        c.add("icmpTmGtw", "ICMP time/gateway", "H32");
        c.add("icmpEchoSuccRatio", "ICMP Echo reply/request success ratio", "F");
        if self.cfg.icmp_parent {
            c.add("icmpPFindex", "ICMP parent flowIndex", "U64");
        }
    }

    fn init(&mut self, init: &Init<'_>) {
        let cfg = init.config();
        self.set = Settings::new(&self.cfg, cfg.ipv6_activate, cfg.eth_activate);
        self.flows = FlowSlots::new(init.capacity());
        if self.set.tc_mode == TcMode::List {
            self.tcs = TypeCodes::new(init.capacity(), self.set.tc_num);
        }
        self.prefix = init.prefix_os().to_owned();
        self.packet_mode = init.packet_mode();
        if self.packet_mode {
            let pf: &[&str] = if self.set.parent { &["icmpPFindex"] } else { &[] };
            PacketLine::header(self.host, &[&PACKET_COLUMNS[..], pf].concat());
        }
    }

    // A new ICMP flow: its first message starts the sequence check, and its type decides the
    // direction of a flow without opposite (echo request: A, anything else: B).
    fn on_new_flow(&mut self, _ctx: Ctx<'_>, pkt: &Packet<'_>, flow: Flow<'_>) {
        let s = self.flows.reset(&flow);
        if !matches!(pkt.l4_proto(), ICMP | ICMP6) {
            return;
        }
        if !pkt.is_first_fragment() {
            *s = FlowState::start(None);
            return;
        }
        let h = Header::parse(pkt.l4());
        *s = FlowState::start(Some(&h));
        if self.set.fdcorr && flow.opposite().is_none() {
            let echo = if pkt.is_ipv6() { icmp::V6_ECHO_REQUEST } else { icmp::ECHO_REQUEST };
            let status = &flow.record().status;
            let invert = if h.typ == echo { 0 } else { L3FLOWINVERT };
            status.set(status.get() & !L3FLOWINVERT | invert);
        }
    }

    fn on_layer2(&mut self, _ctx: Ctx<'_>, _pkt: &Packet<'_>, flow: Option<Flow<'_>>) {
        if flow.is_some() {
            self.no_packet_fields();
        }
    }

    fn on_layer4(&mut self, ctx: Ctx<'_>, pkt: &Packet<'_>, flow: Flow<'_>) {
        let slot = flow.index();
        if !pkt.is_first_fragment() || !self.flows.get(&flow).is_icmp() {
            self.no_packet_fields();
            return;
        }
        let h = Header::parse(pkt.l4());
        let l7 = pkt.l7();
        let l7_ip = &l7[..l7.len().min(usize::from(pkt.view().snap_l7_len))];
        let s = self.flows.get_mut(&flow);
        let nth = usize::from(s.numtc);
        let error = s.analyse(&self.set, &h, pkt.is_ipv6(), l7, l7_ip, &mut self.tot);
        if self.set.tc_mode == TcMode::List {
            self.tcs.record(slot, nth, [h.typ, h.code]);
        }
        let mut parent = None;
        if self.set.parent && error {
            let key = parent_key(pkt.l3(), l7, pkt.is_ipv6(), pkt.view().eth_type, flow.key().vlan_id);
            parent = self.host.flow_lookup(&key).and_then(|p| ctx.flow(p)).map(|p| p.findex());
            if let Some(p) = parent {
                s.pfi = p;
            }
        }
        if self.packet_mode {
            let stat = s.stat;
            self.line.hex(u64::from(stat), 2).u64(u64::from(h.typ)).u64(u64::from(h.code));
            self.line.hex(u64::from(h.id), 4).hex(u64::from(h.seq), 4);
            if self.set.parent {
                match parent {
                    Some(p) => self.line.u64(p),
                    None => self.line.empty(1),
                };
            }
            self.line.write(self.host);
        }
    }

    fn on_flow_terminate(&mut self, _ctx: Ctx<'_>, flow: Flow<'_>, out: &mut Output<'_>) {
        let s = self.flows.get(&flow);
        self.tot.stat |= s.stat;
        out.u8(s.stat);
        out.u8(s.numtc);
        if self.set.tc_mode == TcMode::List {
            let pairs = self.tcs.of(flow.index());
            let n = pairs.len().min(usize::from(s.numtc));
            out.rep(n as u32);
            for &[t, c] in &pairs[..n] {
                out.u8(t);
                out.u8(c);
            }
        } else {
            out.u32(s.type_h);
            out.u32(s.type_l);
            out.u16(s.code_bf);
        }
        out.u32(s.tm_stmp);
        out.f32(s.echo_ratio(flow.opposite().and_then(|o| self.flows.at(o.index()))));
        if self.cfg.icmp_parent {
            out.u64(s.pfi);
        }
    }

    fn report(&mut self, ctx: Ctx<'_>, r: &Report) {
        if self.tot.stat == 0 {
            return;
        }
        r.aggr("icmpStat", u64::from(self.tot.stat), 1);
        let l3 = &ctx.globals().pkts_l3;
        for (on, name, proto, echo) in
            [(self.set.ipv4, "ICMP", ICMP, self.tot.v4.echo), (self.set.ipv6, "ICMPv6", ICMP6, self.tot.v6.echo)]
        {
            let total = l3[usize::from(proto)];
            if !on || total == 0 {
                continue;
            }
            r.nump(&format!("Number of {name} echo request packets"), echo[0], total);
            r.nump(&format!("Number of {name} echo reply packets"), echo[1], total);
            let ratio = echo_ratio(echo);
            if ratio != 0.0 {
                r.line(&format!("{name} echo reply / request ratio: {ratio:.2}"));
            }
        }
    }

    fn monitoring(&mut self, _ctx: Ctx<'_>, mon: &Monitor, state: MonState) {
        let t = &mut self.tot;
        match state {
            MonState::Header => {
                for name in ["icmpPkts", "icmpEchoReq", "icmpEchoRep"] {
                    mon.field(name);
                }
                return;
            }
            MonState::Values => {
                mon.field(t.packets - t.packets0);
                mon.field(t.echo_req - t.echo_req0);
                mon.field(t.echo_rep - t.echo_rep0);
            }
            MonState::Report => {
                let r = mon.report();
                r.aggr("icmpStat", u64::from(t.stat), 1);
                let pkts = t.packets - t.packets0;
                if t.echo_req > 0 {
                    r.nump0("Number of ICMP echo request packets", t.echo_req - t.echo_req0, pkts);
                }
                if t.echo_rep > 0 {
                    r.nump0("Number of ICMP echo reply packets", t.echo_rep - t.echo_rep0, pkts);
                }
            }
        }
        if mon.diff() {
            (t.packets0, t.echo_req0, t.echo_rep0) = (t.packets, t.echo_req, t.echo_rep);
        }
    }

    fn finalize(&mut self, ctx: Ctx<'_>) {
        if self.cfg.icmp_statfile {
            self.write_stats(&ctx);
        }
    }
}

plugin_api::export_plugin!(IcmpDecode);
