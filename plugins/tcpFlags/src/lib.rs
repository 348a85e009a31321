//! tcpFlags (130): IP and TCP header analysis per flow: TTL, IP ID, ToS, options,
//! fragmentation, checksums, TCP flags and anomalies, window statistics, sequence and
//! acknowledgement analysis, round trips, timestamp clock and boot-time estimate, MPTCP and the
//! JA4T fingerprint (plugins.md §4). IP-level columns are filled for every IP flow, TCP columns
//! stay 0 for the others.
//!
//! The flow columns reproduce T2 0.9.3's, quirks included; the comments at the places where
//! 0.9.3 departs from the documentation say how.
#![forbid(unsafe_code)]
#![allow(non_snake_case)]

mod analyse;
pub mod bits;
mod columns;
pub mod config;
pub mod flags;
mod pktmode;
mod report;
mod state;
#[cfg(test)]
mod tests;

use plugin_api::{
    Columns, Ctx, Flow, FlowSlots, Host, Init, MonState, Monitor, Output, Packet, PacketLine, Plugin, Report,
};

use analyse::{Env, PktCols};
pub use config::{Config, TosFormat};
use state::{FlowState, Totals};

/// The tcpFlags plugin.
pub struct TcpFlags {
    cfg: Config,
    /// Ticks per second of timestamp fractions (T2's `TSTAMPFAC`).
    tsfac: f64,
    flows: FlowSlots<FlowState>,
    tot: Totals,
    host: Host,
    /// Packet mode (`-s`): write the packet columns.
    packet_mode: bool,
    /// Which optional packet column groups the header has.
    layout: pktmode::Layout,
    /// Number of packet columns (the empty fields of a layer-2 packet).
    packet_cols: usize,
    /// The packet columns of the current packet (reused: no allocation per packet).
    line: PacketLine,
    /// The current packet's values for packet mode.
    cols: PktCols,
}

impl TcpFlags {
    /// The plugin with settings other than the compiled flags (for tests and tools).
    pub fn with_config(host: Host, cfg: Config) -> TcpFlags {
        TcpFlags {
            cfg,
            tsfac: 1e9,
            flows: FlowSlots::default(),
            tot: Totals::default(),
            host,
            packet_mode: false,
            layout: pktmode::Layout::default(),
            packet_cols: 0,
            line: PacketLine::default(),
            cols: PktCols::default(),
        }
    }
}

impl Plugin for TcpFlags {
    fn new(host: Host) -> Self {
        TcpFlags::with_config(host, Config::default())
    }

    fn columns(&self, c: &mut Columns) {
        for (name, desc, sig) in columns::specs(&self.cfg) {
            c.add(name, desc, sig);
        }
    }

    fn init(&mut self, init: &Init<'_>) {
        self.flows = FlowSlots::new(init.capacity());
        self.tsfac = if init.config().tstamp_prec == 0 { 1e6 } else { 1e9 };
        self.packet_mode = init.packet_mode();
        if self.packet_mode {
            self.layout = pktmode::Layout::new(init.config().ipv6_activate);
            let names = pktmode::header(&self.cfg, self.layout);
            self.packet_cols = names.len();
            PacketLine::header(self.host, &names);
        }
    }

    // A packet of a layer-2 flow: every packet column empty.
    fn on_layer2(&mut self, _ctx: Ctx<'_>, _pkt: &Packet<'_>, flow: Option<Flow<'_>>) {
        if self.packet_mode && flow.is_some() {
            self.line.empty(self.packet_cols).write(self.host);
        }
    }

    fn on_new_flow(&mut self, _ctx: Ctx<'_>, pkt: &Packet<'_>, flow: Flow<'_>) {
        let opp = flow.opposite().map(|o| o.index());
        let (s, po) = self.flows.pair_mut(&flow, opp);
        analyse::new_flow(&self.cfg, s, po, pkt, &flow);
    }

    fn on_layer4(&mut self, _ctx: Ctx<'_>, pkt: &Packet<'_>, flow: Flow<'_>) {
        let opp = flow.opposite();
        let (p, po) = self.flows.pair_mut(&flow, opp.map(|o| o.index()));
        let mut env = Env { cfg: &self.cfg, tsfac: self.tsfac, tot: &mut self.tot };
        analyse::packet(&mut env, pkt, &flow, opp.as_ref(), p, po, &mut self.cols);
        if self.packet_mode {
            pktmode::ip_packet(&mut self.line, &self.cfg, self.layout, pkt, p, &self.cols);
            self.line.write(self.host);
        }
    }

    fn on_flow_terminate(&mut self, _ctx: Ctx<'_>, flow: Flow<'_>, out: &mut Output<'_>) {
        let opp = flow.opposite().map(|o| o.index());
        let (p, po) = self.flows.pair_mut(&flow, opp);
        columns::terminate(&self.cfg, self.tsfac, &mut self.tot, &flow, p, po, out);
    }

    fn report(&mut self, ctx: Ctx<'_>, r: &Report) {
        report::end_report(&self.cfg, &self.tot, ctx.globals().num_packets, r);
    }

    fn monitoring(&mut self, _ctx: Ctx<'_>, mon: &Monitor, state: MonState) {
        report::monitoring(&mut self.tot, mon, state);
    }
}

plugin_api::export_plugin!(TcpFlags);
