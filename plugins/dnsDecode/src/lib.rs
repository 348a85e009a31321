//! dnsDecode (251): DNS over UDP and TCP (ports 53, 5353 mDNS, 5355 LLMNR, and 137 NetBIOS name
//! service): header flags, op and return codes, record counts, query names and types, answer
//! names, addresses, CNAME/NS/PTR/SOA/MX/SRV/TXT data, TTLs, OPT records and status bits.
//!
//! A flow is chosen by its ports when it starts: only those flows get a state (a
//! [`SparseSlots`] entry, given back when the flow ends), and packets of other flows cost one
//! test.
//! `msg` reads the message bytes (0 outside the capture), `name` decodes names, `state` holds a
//! flow's state and T2's decoding rules; this file connects them to the plugin callbacks.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![allow(non_snake_case)] // the crate is named after the plugin: dnsDecode

pub mod flags;
pub mod msg;
pub mod name;
pub mod state;
#[cfg(test)]
mod tests;

use plugin_api::abi::NO_OFFSET;
use plugin_api::status::L3FLOWINVERT;
use plugin_api::wire::ipproto::{TCP, UDP};
use plugin_api::{
    Columns, Ctx, Flow, Host, Init, MonState, Monitor, Output, Packet, PacketLine, Plugin, Report, SparseSlots,
};

pub use flags::Config;
use name::NameBuf;
use state::{ARECMAX, FlowState, PacketIn, PacketOut, QRECMAX, Settings, Totals, Transport, rr, stat};

/// T2's op code names (DNS_HDRMD=2), DNS and NetBIOS.
const OPCODES: [&str; 16] =
    ["QUERY", "IQUERY", "STATUS", "", "NOTIFY", "UPDATE", "", "", "", "", "", "", "", "", "", ""];
const OPCODES_NB: [&str; 16] =
    ["Query", "", "", "", "", "Register", "Release", "WACK", "Refresh", "", "", "", "", "", "", ""];
/// T2's return code names (DNS_HDRMD=2), DNS and NetBIOS.
const RCODES: [&str; 16] = [
    "NOERR", "FORMERR ", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN", "XRRSET", "NOTAUTH", "NOTZONE", "",
    "", "", "", "", "",
];
const RCODES_NB: [&str; 16] =
    ["NOERR", "FMT_ERR", "SRV_ERR", "", "", "RFS_ERR", "ACT_ERR", "", "", "", "", "", "", "", "", ""];

/// The dnsDecode plugin.
pub struct DnsDecode {
    host: Host,
    cfg: Config,
    set: Settings,
    /// The state of the DNS flows.
    flows: SparseSlots<FlowState>,
    /// What a flow without state writes.
    blank: FlowState,
    /// T2's name buffer, reused across packets (broken names show its old tail, as in T2).
    nb: NameBuf,
    tot: Totals,
    /// The previous monitoring report's totals (DIFF_REPORT).
    tot0: Totals,
    /// Aggregated `dnsStat`, `dnsHFlg`, `dnsOpC` and `dnsRetC` of ended flows.
    agg_stat: u16,
    agg_hflg: u8,
    agg_opc: u16,
    agg_retc: u16,
    /// Packet mode (`-s`): the line, and the addresses of the packet's A/AAAA records.
    packet_mode: bool,
    line: PacketLine,
    ips: String,
    /// Scratch for NetBIOS names at flow end.
    nbns: Vec<u8>,
}

impl DnsDecode {
    /// A dnsDecode with flags `cfg` instead of the compiled ones.
    pub fn with_config(host: Host, cfg: Config) -> DnsDecode {
        DnsDecode {
            host,
            cfg,
            set: Settings { mode: cfg.dns_mode, code_lists: cfg.dns_hdrmd > 0, hexon: cfg.dns_hexon },
            flows: SparseSlots::default(),
            blank: FlowState::default(),
            nb: NameBuf::default(),
            tot: Totals::default(),
            tot0: Totals::default(),
            agg_stat: 0,
            agg_hflg: 0,
            agg_opc: 0,
            agg_retc: 0,
            packet_mode: false,
            line: PacketLine::default(),
            ips: String::new(),
            nbns: Vec::new(),
        }
    }

    /// Packet mode: the fields of a packet dnsDecode did not decode.
    fn no_packet_fields(&mut self) {
        if self.packet_mode {
            self.line.empty(1).str("0x0000").empty(1).str("0_0_0_0");
            self.line.write(self.host);
        }
    }

    /// Packet mode: the fields of a packet of a DNS flow.
    fn packet_fields(&mut self, s: u16, o: &PacketOut) {
        let l = &mut self.line;
        l.str(&self.ips).hex(u64::from(s), 4);
        let nb = s & stat::NBIOS != 0;
        match self.cfg.dns_hdrmd {
            0 => l.hex(u64::from(o.hdr), 4),
            1 => l.fmt(format_args!("0x{:02x}_{}_{}", o.flags, o.opcode, o.rcode)),
            _ => {
                // T2 swaps the return code tables here
                let (op, rc) = if nb { (OPCODES_NB, RCODES) } else { (OPCODES, RCODES_NB) };
                l.fmt(format_args!("0x{:02x}_{}_{}", o.flags, op[usize::from(o.opcode)], rc[usize::from(o.rcode)]))
            }
        };
        let [q, a, n, d] = o.counts;
        l.fmt(format_args!("{q}_{a}_{n}_{d}"));
        l.write(self.host);
    }

    /// Writes a name, decoded from NetBIOS encoding in NetBIOS flows.
    fn put_name(nbns: &mut Vec<u8>, out: &mut Output<'_>, n: &state::Name, netbios: bool) {
        if netbios && n.set {
            name::netbios(&n.b, nbns);
            out.str(nbns);
        } else {
            out.str(&n.b);
        }
    }
}

/// Entries written of a list filled up to `n` (T2 writes the whole list once it is full).
fn kept(n: u16, max: usize) -> usize {
    let n = usize::from(n);
    if n >= max - 1 { max } else { n }
}

impl Plugin for DnsDecode {
    fn new(host: Host) -> Self {
        DnsDecode::with_config(host, Config::default())
    }

    fn columns(&self, c: &mut Columns) {
        c.add("dnsStat", "DNS status, warnings and errors", "H16");
        c.add("dnsHdrOPField", "DNS last header field", "H16");
        if self.cfg.dns_hdrmd == 0 {
            c.add("dnsHFlg_OpC_RetC", "DNS aggregated header flags, operational and return code", "H8_H16_H16");
        } else {
            c.add("dnsHFlg", "DNS aggregated header flags", "H8");
            if self.cfg.dns_hdrmd == 1 {
                c.add("dnsOpC", "DNS operational code", "U8:R");
                c.add("dnsRetC", "DNS return code", "U8:R");
            } else {
                c.add("dnsOpN", "DNS operational string", "SC:R");
                c.add("dnsRetN", "DNS return string", "SC:R");
            }
        }
        c.add(
            "dnsCntQu_Asw_Aux_Add",
            "DNS number of question, answer, auxiliary and additional records",
            "U16_U16_U16_U16",
        );
        c.add("dnsAAAqF", "DNS DDOS AAA / query factor", "F");
        if self.cfg.dns_mode == 0 {
            return;
        }
        if self.cfg.dns_hexon {
            c.add("dnsTypeBF3_BF2_BF1_BF0", "DNS type bitfields", "H8_H16_H16_H64");
        }
        c.add("dnsQname", "DNS query name", "S:R");
        c.add("dnsAname", "DNS answer name record", "S:R");
        c.add("dnsAPname", "DNS name CNAME entries", "S:R");
        c.add("dns4Aaddress", "DNS address entries IPv4", "IP4:R");
        c.add("dns6Aaddress", "DNS address entries IPv6", "IP6:R");
        c.add("dnsQType", "DNS query record type entries", "U16:R");
        c.add("dnsQClass", "DNS query record class entries", "U16:R");
        c.add("dnsAType", "DNS answer record type entries", "U16:R");
        c.add("dnsAClass", "DNS answer record class entries", "U16:R");
        c.add("dnsATTL", "DNS answer record TTL entries", "U32:R");
        c.add("dnsMXpref", "DNS MX record preference entries", "U16:R");
        c.add("dnsSRVprio", "DNS SRV record priority entries", "U16:R");
        c.add("dnsSRVwgt", "DNS SRV record weight entries", "U16:R");
        c.add("dnsSRVprt", "DNS SRV record port entries", "U16:R");
        c.add("dnsOptStat", "DNS option status", "H32:R");
    }

    fn init(&mut self, init: &Init<'_>) {
        self.flows = SparseSlots::new(init.capacity());
        self.packet_mode = init.packet_mode();
        if self.packet_mode {
            let hdr = ["dnsHdr", "dnsHFlg_OpC_RetC", "dnsHFlg_OpN_RetN"][usize::from(self.cfg.dns_hdrmd.min(2))];
            PacketLine::header(self.host, &["dnsIPs", "dnsStat", hdr, "dnsCntQu_Asw_Aux_Add"]);
        }
    }

    // The ports decide; a UDP flow between equal ports without opposite is a B flow when it
    // starts with a response, and a TCP flow must start with a SYN to be followed.
    fn on_new_flow(&mut self, _ctx: Ctx<'_>, pkt: &Packet<'_>, flow: Flow<'_>) {
        let key = flow.key();
        let Some(stat) = state::port_stat(key.src_port, key.dst_port) else {
            return;
        };
        // the state is reset here, whichever flow had it before
        let s = self.flows.get_or_claim(&flow, FlowState::default, |_| {});
        s.on_new_flow(stat);
        match key.l4_proto {
            UDP => {
                if pkt.view().snap_l7_len < 2 {
                    return;
                }
                if flow.opposite().is_none() && key.src_port == key.dst_port {
                    let response = pkt.l7().get(2).is_some_and(|b| b & 0x80 != 0);
                    let status = &flow.record().status;
                    let invert = if response { L3FLOWINVERT } else { 0 };
                    status.set(status.get() & !L3FLOWINVERT | invert);
                }
            }
            TCP => s.first_tcp(pkt.tcp_flags().unwrap_or(0), pkt.tcp_seq().unwrap_or(0)),
            _ => {}
        }
    }

    fn on_layer2(&mut self, _ctx: Ctx<'_>, _pkt: &Packet<'_>, flow: Option<Flow<'_>>) {
        if flow.is_some() {
            self.no_packet_fields();
        }
    }

    fn on_layer4(&mut self, _ctx: Ctx<'_>, pkt: &Packet<'_>, flow: Flow<'_>) {
        let Some(s) = self.flows.get_mut(&flow) else {
            self.no_packet_fields();
            return;
        };
        if !s.active() || !pkt.is_first_fragment() {
            let st = s.stat;
            if self.packet_mode {
                if st & stat::PRTDT != 0 {
                    self.ips.clear();
                    self.packet_fields(st, &PacketOut::default());
                } else {
                    self.no_packet_fields();
                }
            }
            return;
        }
        let v = pkt.view();
        let transport = match pkt.l4_proto() {
            UDP => Transport::Udp,
            TCP => Transport::Tcp(pkt.tcp_seq().unwrap_or(0)),
            _ => Transport::Other,
        };
        let (l7_off, snap_l7) = if v.l7_off == NO_OFFSET { (0, 0) } else { (v.l7_off as usize, v.snap_l7_len) };
        let p = PacketIn { data: pkt.data(), l7_off, snap_l7, l7_len: v.l7_len, transport };
        self.ips.clear();
        let ips = self.packet_mode.then_some(&mut self.ips);
        let o = s.packet(&self.set, &p, &mut self.nb, &mut self.tot, ips);
        if self.packet_mode {
            let st = s.stat;
            self.packet_fields(st, &o);
        }
    }

    fn on_flow_terminate(&mut self, _ctx: Ctx<'_>, flow: Flow<'_>, out: &mut Output<'_>) {
        self.write_flow(&flow, out);
        self.flows.release(&flow);
    }

    fn report(&mut self, ctx: Ctx<'_>, r: &Report) {
        self.tot0 = Totals::default();
        self.report_lines(r, ctx.globals().num_packets);
    }

    fn monitoring(&mut self, ctx: Ctx<'_>, mon: &Monitor, state: MonState) {
        let (t, t0) = (self.tot, self.tot0);
        match state {
            MonState::Header => {
                for name in ["dnsPkts", "dnsQPkts", "dnsRPkts"] {
                    mon.field(name);
                }
                return;
            }
            MonState::Values => {
                mon.field(t.pkts - t0.pkts);
                mon.field(t.q - t0.q);
                mon.field(t.r - t0.r);
            }
            MonState::Report => {
                let g = ctx.globals();
                self.report_lines(&mon.report(), g.num_packets - g.num_packets0);
            }
        }
        if mon.diff() {
            self.tot0 = self.tot;
        }
    }
}

impl DnsDecode {
    /// Writes the columns of `flow` (of a flow without state: T2's values for a flow never decoded).
    fn write_flow(&mut self, flow: &Flow<'_>, out: &mut Output<'_>) {
        let s = self.flows.get(flow).unwrap_or(&self.blank);
        self.agg_stat |= s.stat;
        self.agg_opc |= s.opcode_bf;
        self.agg_retc |= s.rcode_bf;
        self.agg_hflg |= s.hflags;
        let netbios = s.stat & stat::NBIOS != 0;
        out.u16(s.stat);
        out.u16(s.hdr_op);
        out.u8(s.hflags);
        match self.cfg.dns_hdrmd {
            0 => {
                out.u16(s.opcode_bf);
                out.u16(s.rcode_bf);
            }
            md => {
                let (ops, rcs) = (&s.opcodes[..usize::from(s.n_opcodes)], &s.rcodes[..usize::from(s.n_rcodes)]);
                let (opn, rcn) = if netbios { (OPCODES_NB, RCODES_NB) } else { (OPCODES, RCODES) };
                out.rep(ops.len() as u32);
                for &c in ops {
                    if md == 1 { out.u8(c) } else { out.str(opn[usize::from(c)].as_bytes()) }
                }
                out.rep(rcs.len() as u32);
                for &c in rcs {
                    if md == 1 { out.u8(c) } else { out.str(rcn[usize::from(c)].as_bytes()) }
                }
            }
        }
        for c in s.sums {
            out.u16(c);
        }
        out.f32(if s.qa_len != 0 { s.aa_len as f32 / s.qa_len as f32 } else { 0.0 });
        if self.cfg.dns_mode == 0 {
            return;
        }
        if self.cfg.dns_hexon {
            out.u8(s.type_bf3);
            out.u16(s.type_bf2);
            out.u16(s.type_bf1);
            out.u64(s.type_bf0);
        }
        let nq = kept(s.qrn, QRECMAX);
        let na = kept(s.arn, ARECMAX);
        let names = &s.names;
        for (list, n, nbns) in [(&names.q, nq, netbios), (&names.a, na, netbios), (&names.p, na, false)] {
            out.rep(n as u32);
            for name in list.iter().take(n) {
                Self::put_name(&mut self.nbns, out, name, nbns);
            }
        }
        let n4 = if s.type_bf0 & (1 << rr::A) != 0 { na } else { 0 };
        out.rep(n4 as u32);
        for i in 0..n4 {
            let a = if s.atype[i] == rr::A { s.addr[i] } else { [0; 16] };
            out.ip4(&[a[0], a[1], a[2], a[3]]);
        }
        // T2 writes as many IPv6 entries as IPv4 ones: none in flows without A records
        let n6 = if s.type_bf0 & (1 << rr::AAAA) != 0 { n4 } else { 0 };
        out.rep(n6 as u32);
        for i in 0..n6 {
            out.ip6(&if s.atype[i] == rr::AAAA { s.addr[i] } else { [0; 16] });
        }
        let u16s = |out: &mut Output<'_>, v: &mut dyn Iterator<Item = u16>, n: usize| {
            out.rep(n as u32);
            v.take(n).for_each(|x| out.u16(x));
        };
        u16s(out, &mut s.qtype.iter().copied(), nq);
        u16s(out, &mut s.qclass.iter().map(|c| c & 0x7fff), nq);
        u16s(out, &mut s.atype.iter().copied(), na);
        u16s(out, &mut s.aclass.iter().map(|c| c & 0x7fff), na);
        out.rep(na as u32);
        s.attl[..na].iter().for_each(|&t| out.u32(t));
        u16s(out, &mut s.mx.iter().copied(), na);
        for k in 0..3 {
            u16s(out, &mut s.srv.iter().map(|v| v[k]), na);
        }
        out.rep(na as u32);
        s.opt[..na].iter().for_each(|&o| out.u32(o));
    }

    /// The report lines: aggregated bits and the packet counts since `tot0` (of `packets`).
    fn report_lines(&self, r: &Report, packets: u64) {
        if self.agg_stat == 0 {
            return;
        }
        r.aggr("dnsStat", u64::from(self.agg_stat), 2);
        r.aggr("dnsHFlg", u64::from(self.agg_hflg), 1);
        r.aggr("dnsOpC", u64::from(self.agg_opc), 2);
        r.aggr("dnsRetC", u64::from(self.agg_retc), 2);
        let (t, t0) = (self.tot, self.tot0);
        let pkts = t.pkts - t0.pkts;
        r.nump0("Number of DNS packets", pkts, packets);
        r.nump("Number of DNS Q packets", t.q - t0.q, pkts);
        r.nump("Number of DNS R packets", t.r - t0.r, pkts);
    }
}

plugin_api::export_plugin!(DnsDecode);
