//! connStat (500): connection counts per address, address pair and address + port, for an
//! operational picture of who talks to whom (T2's connStat).
//!
//! Every flow writes, read at its end: the pairs of its source and of its destination address
//! (`connSip`, `connDip`), the flows of its address pair (`connSipDip`) and of its source address
//! and destination port (`connSipDprt`), their ratios (`connF`, `connG`) and the packets and
//! bytes its source address sent (`connNumPCnt`, `connNumBCnt`). The rules are in [`conns`];
//! the end report and the monitoring columns give the run-wide figures.
//!
//! The counts live in four bounded hash tables ([`table`]), one lookup per packet and a few per
//! flow. Like T2's they hold at most as many keys as the flow table has slots (`-f` scales
//! both). With `CS_HSDRM` (the default) entries leave as flows end, so live flows bound them;
//! a table that is full all the same (`CS_HSDRM=0` on a long run) stops the run as in T2: one
//! `[ERR] connStat: <table> HashMap full, Invoke t2 with -f 2` line, every flow so far written,
//! the end report, exit status 1.
#![forbid(unsafe_code)]
#![allow(non_snake_case)]

pub mod conns;
pub mod flags;
pub mod report;
pub mod table;

use plugin_api::status::{L2_FLOW, L2_IPV4, L2_IPV6};
use plugin_api::wire::Ethernet;
use plugin_api::{Columns, Ctx, Flow, Host, Init, MonState, Monitor, Output, Packet, Plugin, Report};

use conns::{Addr, Conn, Conns, Full, Missing, Rules, Totals};
pub use flags::Config;

/// The connStat plugin.
pub struct ConnStat {
    host: Host,
    cfg: Config,
    conns: Conns,
    /// `ANONYM_IP=0`: report addresses and track the talkers.
    addresses: bool,
    /// Totals at the last differential monitoring report.
    base: Totals,
    /// A table was full: the run is stopping, no more counting.
    full: bool,
}

impl ConnStat {
    /// An instance with configuration `cfg` instead of the compiled flags (for tests).
    pub fn with_config(host: Host, cfg: Config) -> ConnStat {
        ConnStat { host, cfg, conns: Conns::new(rules(&cfg), 0), addresses: true, base: Totals::default(), full: false }
    }

    /// The counts so far.
    pub fn conns(&self) -> &Conns {
        &self.conns
    }

    /// Stops the run on a full table, once (T2 terminates there).
    fn on_full(&mut self, r: Result<(), Full>) {
        if let Err(Full(table)) = r
            && !self.full
        {
            self.full = true;
            self.host.fail(&format!("{table} HashMap full, Invoke t2 with -f 2"));
        }
    }

    /// T2's warning for each entry a flow's end did not find.
    fn warn_missing(&self, flow: &Flow<'_>, m: Missing) {
        // T2's wording, its one colon included
        let what = [
            (m.pair, ":", "IP pair number"),
            (m.port, "", "srcIP, dstPort"),
            (m.src, "", "src IP"),
            (m.dst, "", "dst IP"),
        ];
        let (index, findex, status) = (flow.index(), flow.findex(), flow.status());
        for (_, colon, entry) in what.iter().filter(|w| w.0) {
            self.host.warn(&format!(
                "flowIndex{colon} {index}, findex: {findex} has no {entry} connections entry! 0x{status:016X}"
            ));
        }
    }
}

fn rules(cfg: &Config) -> Rules {
    Rules { decrement: cfg.cs_hsdrm, sdip_max: cfg.cs_sdipmax, mac_spoof: cfg.cs_mr_spoof }
}

/// The flow's IP version as T2's `FLOW_IPVER`: 6, 4, or 0.
fn ip_ver(flow: &Flow<'_>) -> u8 {
    let s = flow.status();
    if s & L2_IPV6 != 0 {
        6
    } else if s & L2_IPV4 != 0 {
        4
    } else {
        0
    }
}

/// The flow seen from the connection's initiator (addresses swapped for a B flow).
fn conn(flow: &Flow<'_>) -> Conn {
    let (k, ver) = (flow.key(), ip_ver(flow));
    let (own_src, own_dst) = (Addr { ver, ip: k.src_ip }, Addr { ver, ip: k.dst_ip });
    if flow.is_b() {
        Conn { src: own_dst, dst: own_src, dport: k.src_port, is_b: true }
    } else {
        Conn { src: own_src, dst: own_dst, dport: k.dst_port, is_b: false }
    }
}

impl Plugin for ConnStat {
    fn new(host: Host) -> Self {
        ConnStat::with_config(host, Config::default())
    }

    fn columns(&self, c: &mut Columns) {
        c.add("connSip", "Number of unique source IPs", "U32");
        c.add("connDip", "Number of unique destination IPs", "U32");
        c.add("connSipDip", "Number of connections between source and destination IP", "U32");
        c.add("connSipDprt", "Number of connections between source IP and destination port", "U32");
        if self.cfg.cs_mr_spoof {
            c.add("connMacSpf", "Number of MAC addresses per source IP", "U32");
        }
        c.add("connF", "The 'f' number: connSipDprt / connSip [EXPERIMENTAL]", "F");
        c.add("connG", "The 'g' number: connSipDprt / connSipDip [EXPERIMENTAL]", "F");
        if self.cfg.cs_pbnmax {
            c.add("connNumPCnt", "Number of unique IP's source packet count", "U64");
            c.add("connNumBCnt", "Number of unique IP's source byte count", "U64");
        }
    }

    fn init(&mut self, init: &Init<'_>) {
        let capacity = u32::try_from(init.capacity()).unwrap_or(u32::MAX);
        self.conns = Conns::new(rules(&self.cfg), capacity);
        self.addresses = init.config().anonym_ip == 0;
    }

    fn on_new_flow(&mut self, _ctx: Ctx<'_>, pkt: &Packet<'_>, flow: Flow<'_>) {
        if flow.status() & L2_FLOW != 0 || self.full {
            return;
        }
        let c = conn(&flow);
        // the initiator's MAC: the B flow's packet goes to it
        let eth = Ethernet::new(pkt.l2());
        let mac = if c.is_b { eth.dst() } else { eth.src() };
        let r = self.conns.new_flow(&c, mac);
        self.on_full(r);
    }

    fn on_layer4(&mut self, _ctx: Ctx<'_>, pkt: &Packet<'_>, flow: Flow<'_>) {
        if !self.cfg.cs_pbnmax || self.full {
            return;
        }
        // the packet's own sender, whichever side started the connection
        let src = Addr { ver: ip_ver(&flow), ip: flow.key().src_ip };
        let r = self.conns.packet(src, u64::from(pkt.view().len));
        self.on_full(r);
    }

    fn on_flow_terminate(&mut self, _ctx: Ctx<'_>, flow: Flow<'_>, out: &mut Output<'_>) {
        let cfg = self.cfg;
        if flow.status() & L2_FLOW != 0 {
            out.u32(0);
            out.u32(0);
            out.u32(0);
            out.u32(0);
            if cfg.cs_mr_spoof {
                out.u32(0);
            }
            out.f32(0.0);
            out.f32(0.0);
            if cfg.cs_pbnmax {
                out.u64(0);
                out.u64(0);
            }
            return;
        }
        let c = conn(&flow);
        let own_src = Addr { ver: c.src.ver, ip: flow.key().src_ip };
        let n = self.conns.end_flow(&c, own_src, cfg.cs_pbnmax && self.addresses);
        if n.missing != Missing::default() {
            self.warn_missing(&flow, n.missing);
        }
        out.u32(n.sip);
        out.u32(n.dip);
        out.u32(n.sip_dip);
        out.u32(n.sip_dprt);
        if cfg.cs_mr_spoof {
            out.u32(n.mac_spoof);
        }
        out.f32(n.f());
        out.f32(n.g());
        if cfg.cs_pbnmax {
            // zero with ANONYM_IP=1, where T2 writes nothing under the declared columns
            out.u64(n.pkts);
            out.u64(n.bytes);
        }
    }

    fn report(&mut self, ctx: Ctx<'_>, r: &Report) {
        // the end report is absolute, also after differential monitoring reports
        self.conns.totals.write(r);
        if self.addresses {
            report::write_addresses(&self.conns, r, ctx.globals(), self.cfg.cs_pbnmax);
        }
    }

    fn monitoring(&mut self, ctx: Ctx<'_>, mon: &Monitor, state: MonState) {
        let t = self.conns.totals.since(&self.base);
        match state {
            MonState::Header => {
                for name in ["connSip", "connDip", "connSipDip", "connSipDprt", "connF", "connG"] {
                    mon.field(name);
                }
                return;
            }
            MonState::Values => {
                mon.field(t.sips);
                mon.field(t.dips);
                mon.field(t.sdips);
                mon.field(t.ports);
                mon.field(format_args!("{:.3}", f64::from(t.f())));
                mon.field(format_args!("{:.3}", f64::from(t.g())));
            }
            MonState::Report => {
                let r = mon.report();
                t.write(&r);
                if self.addresses && !mon.diff() {
                    report::write_addresses(&self.conns, &r, ctx.globals(), self.cfg.cs_pbnmax);
                }
            }
        }
        if mon.diff() {
            self.base = self.conns.totals;
        }
    }
}

plugin_api::export_plugin!(ConnStat);

#[cfg(test)]
mod tests;
