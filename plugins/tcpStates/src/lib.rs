//! tcpStates (132): follows each TCP connection through its states (new, established, closing,
//! closed, reset), flags behaviour that does not comply with TCP in `tcpStatesAFlags`, and
//! shortens or lengthens a flow's idle timeout with its state (plugins.md §5).
#![forbid(unsafe_code)]
#![allow(non_snake_case)]

pub mod flags;
pub mod machine;

use plugin_api::wire::{ipproto, tcp};
use plugin_api::{Columns, Ctx, Flow, FlowSlots, Host, Init, Output, Packet, PacketLine, Plugin, Report};

use machine::{Conn, Segment, TIMEOUTS};

/// Bits of `tcpStatesAFlags`.
pub mod anomaly {
    /// Malformed connection establishment.
    pub const MAL_CON_EST: u8 = 0x01;
    /// Malformed teardown.
    pub const MAL_TEARDOWN: u8 = 0x02;
    /// Malformed flags during an established connection.
    pub const MAL_FLAGS_EST: u8 = 0x04;
    /// Packets after the teardown.
    pub const PKTS_AFTER_TEARDOWN: u8 = 0x08;
    /// Packets after a reset.
    pub const PKTS_AFTER_RESET: u8 = 0x10;
    /// Reset sent by this side.
    pub const RST_FROM_SENDER: u8 = 0x40;
    /// Potential evil behaviour (NULL, Xmas, FIN or RST scan).
    pub const EVIL: u8 = 0x80;
}

/// T2 reads the flags byte of packets with at least this many captured layer 4 bytes.
const MIN_SNAP_L4: u16 = tcp::field::FLAGS as u16;

/// The tcpStates plugin.
pub struct TcpStates {
    host: Host,
    conns: FlowSlots<Conn>,
    /// OR of every ended flow's anomalies, for the end report.
    aggregate: u8,
    /// Packet mode (`-s`): write `tcpStatesAFlags` for every packet of a flow.
    packet_mode: bool,
    line: PacketLine,
}

impl Plugin for TcpStates {
    fn new(host: Host) -> Self {
        TcpStates { host, conns: FlowSlots::default(), aggregate: 0, packet_mode: false, line: PacketLine::default() }
    }

    fn columns(&self, c: &mut Columns) {
        c.add("tcpStatesAFlags", "TCP state machine anomalies", "H8");
    }

    fn init(&mut self, init: &Init<'_>) {
        self.conns = FlowSlots::new(init.capacity());
        for t in TIMEOUTS {
            self.host.timeout_add(t);
        }
        self.packet_mode = init.packet_mode();
        if self.packet_mode {
            PacketLine::header(self.host, &["tcpStatesAFlags"]);
        }
    }

    fn on_layer2(&mut self, _ctx: Ctx<'_>, _pkt: &Packet<'_>, flow: Option<Flow<'_>>) {
        // a layer-2 flow's packet has no layer 4: the filler keeps the packet file aligned
        if flow.is_some() {
            self.packet_field(0);
        }
    }

    fn on_new_flow(&mut self, _ctx: Ctx<'_>, _pkt: &Packet<'_>, flow: Flow<'_>) {
        self.conns.reset(&flow);
    }

    fn on_layer4(&mut self, _ctx: Ctx<'_>, pkt: &Packet<'_>, flow: Flow<'_>) {
        if pkt.l4_proto() != ipproto::TCP || !pkt.is_first_fragment() || pkt.view().snap_l4_len < MIN_SNAP_L4 {
            self.packet_field(0);
            return;
        }
        // With exactly 13 bytes T2 reads the flags byte just past the captured ones; we only
        // read captured bytes (Ethernet padding included, as T2 does), so such a packet is skipped.
        if let (Some(flags), Some(seq), Some(ack)) = (pkt.tcp_flags(), pkt.tcp_seq(), pkt.tcp_ack()) {
            self.segment(&flow, Segment { flags, seq, ack });
        }
        let anomalies = self.conns.get(&flow).anomalies;
        self.packet_field(anomalies);
    }

    fn on_flow_terminate(&mut self, _ctx: Ctx<'_>, flow: Flow<'_>, out: &mut Output<'_>) {
        let flags = self.finish(&flow);
        self.aggregate |= flags;
        out.u8(flags);
    }

    fn report(&mut self, _ctx: Ctx<'_>, report: &Report) {
        report.aggr("tcpStatesAFlags", u64::from(self.aggregate), 1);
    }
}

impl TcpStates {
    /// Packet mode: this packet's `tcpStatesAFlags` (`0x%02x`); nothing without `-s`.
    #[inline]
    fn packet_field(&mut self, anomalies: u8) {
        if self.packet_mode {
            self.line.hex(u64::from(anomalies), 2).write(self.host);
        }
    }

    /// Runs a segment sent by `flow` through the machine and applies the timeouts it chose.
    fn segment(&mut self, flow: &Flow<'_>, seg: Segment) {
        let opp_flow = flow.opposite();
        let (me, opp) = self.conns.pair_mut(flow, opp_flow.map(|o| o.index()));
        let t = machine::segment(me, opp, seg);
        if let Some(s) = t.own {
            flow.set_timeout(s);
        }
        if let (Some(o), Some(s)) = (opp_flow, t.opp) {
            o.set_timeout(s);
        }
    }

    /// The flow's final `tcpStatesAFlags` (the opposite direction, if any, is still there).
    fn finish(&mut self, flow: &Flow<'_>) -> u8 {
        let opp = flow.opposite().map(|o| o.index());
        let (me, opp) = self.conns.pair_mut(flow, opp);
        if flow.key().l4_proto != ipproto::TCP {
            return me.anomalies;
        }
        machine::finish(me, opp)
    }
}

#[cfg(test)]
mod tests;

plugin_api::export_plugin!(TcpStates);
