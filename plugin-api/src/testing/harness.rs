//! A plugin driven through its callbacks the way the core drives it, on built frames.

use crate::abi::{CoreConfig, FlowKey, FlowRecord, Globals, NO_FLOW, PacketView, Timestamp, level, stream};
use crate::flow::{Ctx, EtherTypeCounts};
use crate::host::Host;
use crate::packet::Packet;
use crate::plugin::Plugin;
use crate::report::MonState;
use crate::status::{
    DUPIPID, FS_IPV4_PKT, FS_IPV6_PKT, IPV4_FRAG, IPV4_FRAG_PENDING, L2_FLOW, L2_IPV4, L2_IPV6, L3FLOWINVERT,
};
use crate::types::Column;
use crate::wire::Ethernet;

use super::packet::Frame;
use super::row::Row;
use super::{TestHost, TestInit, columns, core_config, globals};

/// The core's default flow timeout (`FLOW_TIMEOUT`), in seconds.
pub const FLOW_TIMEOUT: f32 = 182.0;

/// Frames up to this wire length may carry Ethernet padding (the core's `MINRAWLEN`).
const MINRAWLEN: u32 = 64;

/// One plugin and what the core keeps around it: the flow table, the counters, a [`TestHost`].
///
/// Flows live in fixed slots chosen by the test: slots `2n` and `2n + 1` are the A and B
/// directions of connection `n` (flow index `n + 1`); the B flow has `L3FLOWINVERT`. A slot's
/// flow starts with its first packet and is keyed by it. Per packet the harness does what the
/// core does besides dissecting ([`Frame`] holds the dissector's view): the flow's IP version
/// bit, IPv4 fragment bits, duplicate IP IDs, Ethernet padding and the packet counters, then
/// `on_new_flow` (first packet), `on_layer2` and `on_layer4` in the core's order. The host's
/// `flow_lookup` finds the flows of the table by their keys.
pub struct Harness<P> {
    /// The plugin.
    pub plugin: P,
    /// The host the plugin talks to.
    pub host: TestHost,
    /// The core's counters.
    pub globals: Box<Globals>,
    /// The flow table.
    pub flows: Vec<FlowRecord>,
    /// The core's packets and captured bytes per EtherType.
    l2: [Vec<u64>; 2],
    columns: Vec<Column>,
    /// Slots whose flow has been written and waits for its opposite to be freed with it.
    ended: Vec<bool>,
}

impl<P: Plugin> Harness<P> {
    /// The plugin made by `make` with its host, initialised in a default core with 16 slots.
    pub fn new(make: impl FnOnce(Host) -> P) -> Harness<P> {
        Harness::with(make, &TestInit::default(), CoreConfig { capacity: 16, ..core_config() })
    }

    /// The plugin made by `make`, initialised with `init` in core `core` (`core.capacity`
    /// slots).
    pub fn with(make: impl FnOnce(Host) -> P, init: &TestInit, core: CoreConfig) -> Harness<P> {
        Harness::with_host(TestHost::new(), make, init, core)
    }

    /// [`Harness::with`] on a host prepared by the test (environment overrides, say).
    pub fn with_host(host: TestHost, make: impl FnOnce(Host) -> P, init: &TestInit, core: CoreConfig) -> Harness<P> {
        let mut plugin = make(host.host());
        let columns = columns(&plugin);
        plugin.init(&init.init(&core));
        let slots = usize::try_from(core.capacity).expect("a capacity that fits in memory");
        Harness {
            plugin,
            host,
            globals: globals(),
            flows: (0..slots as u64).map(FlowRecord::empty).collect(),
            l2: [vec![0; 1 << 16], vec![0; 1 << 16]],
            columns,
            ended: vec![false; slots],
        }
    }

    /// The columns the plugin declared.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The context of a callback now.
    pub fn ctx(&self) -> Ctx<'_> {
        ctx(&self.globals, &self.flows, &self.l2)
    }

    /// Hands `frame`, captured at `at`, to the flow in `slot`.
    pub fn packet(&mut self, slot: usize, at: Timestamp, frame: &Frame) {
        let mut pv = frame.view();
        pv.ts = at;
        self.globals.num_packets += 1;
        self.globals.act_time = at;
        let new = self.flows[slot].findex == 0;
        if new {
            self.start_flow(slot, &pv, frame.bytes());
        }
        match frame.ip_facts() {
            None => self.l2_packet(slot, &mut pv, frame.bytes(), new),
            Some(ip) => {
                let f = &mut self.flows[slot];
                pv.status |= if ip.v6 { L2_IPV6 } else { L2_IPV4 };
                // a flow's first packet leaves the last ID unset, as the core's flow creation
                if !ip.v6 && !ip.later_fragment && !new {
                    let id = u32::from(ip.ip_id);
                    if id != 0 && id == f.last_ip_id {
                        f.status.set(f.status.get() | DUPIPID);
                    }
                    f.last_ip_id = id;
                }
                if ip.first_fragment {
                    pv.status |= IPV4_FRAG;
                    f.status.set(f.status.get() | IPV4_FRAG | IPV4_FRAG_PENDING);
                } else if ip.later_fragment && !ip.more_fragments {
                    f.status.set(f.status.get() & !IPV4_FRAG_PENDING);
                }
                if pv.raw_len <= MINRAWLEN {
                    let pad = i64::from(pv.raw_len) - i64::from(pv.l3_len) - i64::from(pv.l3_off);
                    if pad >= 0 {
                        pv.pad_len = pad;
                        f.pad_len += pad;
                    }
                }
                if new {
                    self.new_flow(slot, &pv, frame.bytes());
                }
                let pkt = Packet::new(&pv, frame.bytes());
                self.plugin.on_layer2(ctx(&self.globals, &self.flows, &self.l2), &pkt, None);
                let f = &mut self.flows[slot];
                f.status.set(f.status.get() | pv.status);
                f.last_seen = at;
                let ctx = ctx(&self.globals, &self.flows, &self.l2);
                if let Some(flow) = ctx.flow(slot as u64) {
                    self.plugin.on_layer4(ctx, &pkt, flow);
                }
            }
        }
        self.count(slot, &pv);
    }

    /// A non-IP frame: the core's share of the view, then `on_layer2` with the flow.
    fn l2_packet(&mut self, slot: usize, pv: &mut PacketView, data: &[u8], new: bool) {
        pv.status |= L2_FLOW;
        let l2_hdr = pv.l7_off.wrapping_sub(pv.l2_off);
        pv.l7_len = pv.raw_len.wrapping_sub(pv.l7_off) as u16;
        pv.len = u32::from(pv.l7_len);
        pv.snap_l3_len = pv.snap_l2_len.wrapping_sub(l2_hdr);
        pv.snap_l4_len = pv.snap_l3_len as u16;
        pv.snap_l7_len = pv.snap_l3_len as u16;
        pv.l2_hdr_len = l2_hdr as u16;
        if new {
            self.new_flow(slot, pv, data);
        }
        let f = &mut self.flows[slot];
        f.last_seen = pv.ts;
        f.pad_len += pv.pad_len;
        f.status.set(f.status.get() | pv.status);
        let pkt = Packet::new(pv, data);
        let ctx = ctx(&self.globals, &self.flows, &self.l2);
        self.plugin.on_layer2(ctx, &pkt, ctx.flow(slot as u64));
    }

    /// Fills the record of a flow starting with the packet `pv`.
    fn start_flow(&mut self, slot: usize, pv: &PacketView, data: &[u8]) {
        let opposite = slot ^ 1;
        let ip_ver = if pv.status & FS_IPV6_PKT != 0 {
            6
        } else if pv.status & FS_IPV4_PKT != 0 {
            4
        } else {
            0
        };
        let key = if ip_ver == 0 {
            let eth = Ethernet::at(data, pv.l2_off as usize);
            FlowKey {
                dst_mac: eth.dst(),
                src_mac: eth.src(),
                eth_type: pv.eth_type,
                vlan_id: pv.vlan_id,
                ..FlowKey::default()
            }
        } else {
            FlowKey {
                src_ip: pv.src_ip,
                dst_ip: pv.dst_ip,
                eth_type: pv.eth_type,
                vlan_id: pv.vlan_id,
                src_port: pv.src_port,
                dst_port: pv.dst_port,
                l4_proto: pv.l4_proto,
                ..FlowKey::default()
            }
        };
        let bits = match ip_ver {
            6 => L2_IPV6,
            4 => L2_IPV4,
            _ => L2_FLOW,
        };
        let invert = if slot % 2 == 1 { L3FLOWINVERT } else { 0 };
        let has_opposite = self.flows.get(opposite).is_some_and(|o| o.findex != 0);
        self.flows[slot] = FlowRecord {
            key,
            findex: slot as u64 / 2 + 1,
            status: (bits | invert).into(),
            opposite: if has_opposite { opposite as u64 } else { NO_FLOW },
            first_seen: pv.ts,
            last_seen: pv.ts,
            timeout: FLOW_TIMEOUT.into(),
            last_ip_id: if ip_ver == 4 { u32::MAX } else { 0 },
            ip_ver,
            ..FlowRecord::empty(slot as u64)
        };
        if has_opposite {
            self.flows[opposite].opposite = slot as u64;
        }
        self.ended[slot] = false;
        // the host's `flow_lookup` finds the flow by its key, as the core's flow table does
        let mut rec = self.host.recorded();
        rec.flows.retain(|&(_, s)| s != slot as u64);
        rec.flows.push((key, slot as u64));
    }

    fn new_flow(&mut self, slot: usize, pv: &PacketView, data: &[u8]) {
        let ctx = ctx(&self.globals, &self.flows, &self.l2);
        if let Some(flow) = ctx.flow(slot as u64) {
            self.plugin.on_new_flow(ctx, &Packet::new(pv, data), flow);
        }
    }

    /// The core's per-direction packet and byte counters, per EtherType, per IP version and per
    /// IP protocol.
    fn count(&mut self, slot: usize, pv: &PacketView) {
        let g = &mut self.globals;
        let len = u64::from(pv.snap_len);
        g.bytes_processed += len;
        self.l2[0][usize::from(pv.eth_type)] += 1;
        self.l2[1][usize::from(pv.eth_type)] += len;
        if pv.status & L2_FLOW == 0 {
            g.pkts_l3[usize::from(pv.l4_proto)] += 1;
            g.bytes_l3[usize::from(pv.l4_proto)] += len;
        }
        if pv.status & L2_IPV4 != 0 {
            g.num_v4_packets += 1;
        } else if pv.status & L2_IPV6 != 0 {
            g.num_v6_packets += 1;
        }
        if self.flows[slot].status.get() & L3FLOWINVERT != 0 {
            g.num_b_packets += 1;
            g.num_b_bytes += u64::from(pv.snap_len);
        } else {
            g.num_a_packets += 1;
            g.num_a_bytes += u64::from(pv.snap_len);
        }
    }

    /// Ends the flow in `slot`: its record as `on_flow_terminate` writes it. The slot (with its
    /// opposite) is free again once both directions have ended, as the core removes pairs.
    pub fn record(&mut self, slot: usize) -> Vec<u8> {
        let f = &mut self.flows[slot];
        assert_ne!(f.findex, 0, "no flow in slot {slot}");
        let (mut sec, mut ns) = (f.last_seen.sec - f.first_seen.sec, f.last_seen.frac - f.first_seen.frac);
        if ns < 0 {
            sec -= 1;
            ns += 1_000_000_000;
        }
        f.duration = Timestamp { sec, frac: ns };
        let ctx = ctx(&self.globals, &self.flows, &self.l2);
        let rec = match ctx.flow(slot as u64) {
            Some(flow) => self.host.record(|out| self.plugin.on_flow_terminate(ctx, flow, out)),
            None => Vec::new(),
        };
        self.ended[slot] = true;
        let opposite = self.flows[slot].opposite;
        let pair_done = opposite == NO_FLOW || self.ended.get(opposite as usize).copied().unwrap_or(true);
        if pair_done {
            for s in [slot, opposite as usize] {
                if let Some(f) = self.flows.get_mut(s) {
                    *f = FlowRecord::empty(s as u64);
                }
            }
            self.host.recorded().flows.retain(|&(_, s)| s != slot as u64 && s != opposite);
        }
        rec
    }

    /// Ends the flow in `slot` (see [`Harness::record`]) and decodes its record by the
    /// plugin's columns.
    pub fn end(&mut self, slot: usize) -> Row {
        let rec = self.record(slot);
        Row::decode(&self.columns, &rec).unwrap_or_else(|e| panic!("record of slot {slot}: {e}"))
    }

    /// The end report: the plugin's lines (`report` writes them to the log stream).
    pub fn report(&mut self) -> Vec<String> {
        self.host.recorded().lines.clear();
        let ctx = ctx(&self.globals, &self.flows, &self.l2);
        self.plugin.report(ctx, &self.host.report());
        self.plugin_lines(stream::LOG)
    }

    /// One monitoring call in `state` (`diff`: `DIFF_REPORT`): what the plugin wrote to the
    /// monitoring stream, its fields and then its report lines (each ending in a newline). With
    /// `diff`, the core's counters are snapshot afterwards, as the core does after a report.
    pub fn monitoring(&mut self, diff: bool, state: MonState) -> String {
        self.host.recorded().written.clear();
        self.host.recorded().lines.clear();
        let ctx = ctx(&self.globals, &self.flows, &self.l2);
        self.plugin.monitoring(ctx, &self.host.monitor(diff), state);
        if diff {
            self.globals.num_packets0 = self.globals.num_packets;
        }
        let mut text: String = {
            let rec = self.host.recorded();
            rec.written.iter().filter(|(s, _)| *s == stream::MON).map(|(_, b)| String::from_utf8_lossy(b)).collect()
        };
        for line in self.plugin_lines(stream::MON) {
            text.push_str(&line);
            text.push('\n');
        }
        text
    }

    /// The end of the run (`finalize`).
    pub fn finalize(&mut self) {
        let ctx = ctx(&self.globals, &self.flows, &self.l2);
        self.plugin.finalize(ctx);
    }

    /// The plugin-level lines written to `strm` so far.
    fn plugin_lines(&self, strm: u32) -> Vec<String> {
        let rec = self.host.recorded();
        rec.lines.iter().filter(|(s, l, _)| *s == strm && *l == level::PLUGIN).map(|l| l.2.clone()).collect()
    }
}

/// A callback's context over the harness's counters and flow table.
fn ctx<'a>(globals: &'a Globals, flows: &'a [FlowRecord], l2: &'a [Vec<u64>; 2]) -> Ctx<'a> {
    Ctx::new(globals, flows).with_ethertypes(EtherTypeCounts::new(&l2[0], &l2[1]))
}
