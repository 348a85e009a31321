//! t2PSkel (999): the template new plugins are made from (`t2plugin -c NAME` copies this crate,
//! renaming t2PSkel/T2PSkel/T2PSKEL). It shows each part of a plugin, small enough to delete
//! what you do not need: flow columns driven by flags, per-flow state, packet callbacks, an
//! end report, and monitoring columns (plugins.md §10).
//!
//! The core calls one instance from one thread: `new`, `columns`, `init`, then per packet
//! `on_new_flow` (first packet of a flow only) and `on_layer2`/`on_layer4`, per ended flow
//! `on_flow_terminate`, and at the end `report` and `finalize`; `monitoring` may come in
//! between. Per-packet code must not allocate, lock or format: it only counts.
#![forbid(unsafe_code)]
#![allow(non_snake_case)] // the crate is named after the plugin

pub mod flags;

use plugin_api::wire::tcp;
use plugin_api::{Columns, Ctx, Flow, FlowSlots, Host, Init, MonState, Monitor, Output, Packet, Plugin, Report};

use flags::{T2PSKEL_IP, T2PSKEL_MAXLEN, T2PSKEL_TEXT, T2PSKEL_VAR1};

/// Status bit (`t2PSkelStat`): the flow carried layer-7 payload.
const T2PSKEL_PAYLOAD: u8 = 0x01;
/// Status bit: more payload lengths than `T2PSKEL_MAXLEN` were seen.
const T2PSKEL_OVERRUN: u8 = 0x02;
/// Status bit: the flow's first packet was a TCP SYN.
const T2PSKEL_SYN: u8 = 0x04;
/// Lengths kept per flow.
const MAXLEN: usize = T2PSKEL_MAXLEN as usize;

/// What t2PSkel remembers about one flow; slots are reused, so it is reset for each new flow.
#[derive(Clone, Copy, Default)]
struct FlowState {
    stat: u8,
    pkts: u64,
    src_ip4: [u8; 4],
    n_len: usize,
    lens: [u16; MAXLEN],
}

/// The t2PSkel plugin: per-flow slots plus run-wide totals.
pub struct T2PSkel {
    flows: FlowSlots<FlowState>,
    /// OR of all flows' status (the `Aggregated t2PSkelStat` report line).
    stat: u8,
    /// Packets seen, and their number at the last monitoring report: T2's differential
    /// convention names the snapshot of `x` `x0`.
    pkts: u64,
    pkts0: u64,
}

impl Plugin for T2PSkel {
    fn new(_host: Host) -> Self {
        T2PSkel { flows: FlowSlots::default(), stat: 0, pkts: 0, pkts0: 0 }
    }

    // Name, description and type of each column, in the order `on_flow_terminate` writes them.
    fn columns(&self, c: &mut Columns) {
        c.add("t2PSkelStat", "t2PSkel status", "H8");
        c.add("t2PSkelText", "t2PSkel text", "S");
        if T2PSKEL_VAR1 == 1 {
            c.add("t2PSkelVar1", "Number of packets", "U64");
        }
        if T2PSKEL_IP == 1 {
            c.add("t2PSkelIP", "Source IPv4 address", "IP4");
        }
        if MAXLEN > 0 {
            c.add("t2PSkelVector", "Layer-7 payload lengths", "U16:R");
        }
    }

    // Allocate everything now: the packet callbacks must not.
    fn init(&mut self, init: &Init<'_>) {
        self.flows = FlowSlots::new(init.capacity());
    }

    // A new flow: clear its slot and note what the first packet says. Header fields come from
    // the `plugin_api::wire` views (`pkt.tcp()`, `pkt.ipv4()`, ...): named fields, bytes not
    // captured read as 0, and no read can panic.
    fn on_new_flow(&mut self, _ctx: Ctx<'_>, pkt: &Packet<'_>, flow: Flow<'_>) {
        let s = self.flows.reset(&flow);
        if flow.ip_ver() == 4 {
            s.src_ip4.copy_from_slice(&flow.key().src_ip[..4]);
        }
        if pkt.tcp().is_some_and(|t| t.flags() & tcp::flags::SYN != 0) {
            s.stat |= T2PSKEL_SYN;
        }
    }

    // Non-IP frames of layer-2 flows (`flow` is None for IP packets: on_layer4 follows).
    fn on_layer2(&mut self, _ctx: Ctx<'_>, _pkt: &Packet<'_>, flow: Option<Flow<'_>>) {
        if let Some(flow) = flow {
            self.flows.get_mut(&flow).pkts += 1;
            self.pkts += 1;
        }
    }

    // Every packet of an IP flow.
    fn on_layer4(&mut self, _ctx: Ctx<'_>, pkt: &Packet<'_>, flow: Flow<'_>) {
        let s = self.flows.get_mut(&flow);
        s.pkts += 1;
        self.pkts += 1;
        let len = pkt.l7().len();
        if len > 0 {
            s.stat |= T2PSKEL_PAYLOAD;
            if s.n_len < MAXLEN {
                s.lens[s.n_len] = len.min(usize::from(u16::MAX)) as u16;
                s.n_len += 1;
            } else {
                s.stat |= T2PSKEL_OVERRUN;
            }
        }
    }

    // The flow ends: write its columns (types as declared in `columns`).
    fn on_flow_terminate(&mut self, _ctx: Ctx<'_>, flow: Flow<'_>, out: &mut Output<'_>) {
        let s = *self.flows.get(&flow);
        self.stat |= s.stat;
        out.u8(s.stat);
        out.str(if s.stat & T2PSKEL_PAYLOAD != 0 { T2PSKEL_TEXT.as_bytes() } else { b"" });
        if T2PSKEL_VAR1 == 1 {
            out.u64(s.pkts);
        }
        if T2PSKEL_IP == 1 {
            out.ip4(&s.src_ip4);
        }
        if MAXLEN > 0 {
            out.rep(s.n_len as u32);
            s.lens[..s.n_len].iter().for_each(|&l| out.u16(l));
        }
    }

    // End report: `t2PSkel: Aggregated t2PSkelStat=0x01` and the packet count.
    fn report(&mut self, ctx: Ctx<'_>, r: &Report) {
        r.aggr("t2PSkelStat", u64::from(self.stat), 1);
        r.nump("Number of t2PSkel packets", self.pkts, ctx.globals().num_packets);
        self.pkts0 = 0; // the end report is absolute
    }

    // Monitoring: column names once, then per report the values (differences since the last
    // report when DIFF_REPORT=1), or lines of the human report.
    fn monitoring(&mut self, ctx: Ctx<'_>, mon: &Monitor, state: MonState) {
        match state {
            MonState::Header => {
                mon.field("t2PSkelVar");
                mon.field("t2PSkelStat");
                return; // names only: the snapshot is left alone
            }
            MonState::Values => {
                mon.field(self.pkts - self.pkts0);
                mon.field(format_args!("0x{:02x}", self.stat));
            }
            MonState::Report => {
                let g = ctx.globals();
                mon.report().nump("Number of t2PSkel packets", self.pkts - self.pkts0, g.num_packets - g.num_packets0);
            }
        }
        if mon.diff() {
            self.pkts0 = self.pkts;
        }
    }
}

plugin_api::export_plugin!(T2PSkel);

#[cfg(test)]
mod tests {
    use super::*;
    use plugin_api::testing::{TestHost, columns};

    #[test]
    fn declares_its_columns() {
        let p = T2PSkel::new(TestHost::new().host());
        let names: Vec<String> = columns(&p).iter().map(|c| c.name.clone()).collect();
        assert_eq!(names, ["t2PSkelStat", "t2PSkelText", "t2PSkelVar1", "t2PSkelIP", "t2PSkelVector"]);
    }

    #[test]
    fn monitoring_header_and_differential_values() {
        let host = TestHost::new();
        let mut p = T2PSkel::new(host.host());
        let g = plugin_api::testing::globals();
        let ctx = Ctx::new(&g, &[]);
        p.monitoring(ctx, &host.monitor(true), MonState::Header);
        p.pkts = 5;
        p.monitoring(ctx, &host.monitor(true), MonState::Values);
        p.pkts = 7;
        p.monitoring(ctx, &host.monitor(true), MonState::Values);
        let written: Vec<u8> = host.recorded().written.iter().flat_map(|(_, b)| b.clone()).collect();
        assert_eq!(String::from_utf8(written).unwrap(), "t2PSkelVar\tt2PSkelStat\t5\t0x00\t2\t0x00\t");
    }
}
