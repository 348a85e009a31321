//! Flow assignment of one dissected packet: lookup or creation, A/B direction, fragments,
//! counters and the plugin callbacks, in T2's order (core.md §4.2, §5.6).

use plugin_api::abi::{FlowKey, NO_FLOW};
use plugin_api::status::*;
use plugin_api::wire::{Ethernet, Tcp, ipproto, tcp};

use super::{Pipeline, Stop};
use crate::dissect::IpInfo;
use crate::flow::frag_key;

/// A SYN-ACK's flags: its sender answers, so its flow is the B side.
const SYN_ACK: u8 = tcp::flags::SYN | tcp::flags::ACK;
/// Frames up to this wire length may carry Ethernet padding (`MINRAWLEN`).
const MINRAWLEN: u32 = 64;

impl Pipeline {
    fn set_flow_status(&mut self, slot: u32, bits: u64) {
        let f = self.table.get(slot);
        f.status.set(f.status.get() | bits);
        let gw = &self.g.global_warn;
        gw.set(gw.get() | bits);
    }

    /// An IP packet (the tail of T2's `dissembleIPv4Packet`/`dissembleIPv6Packet`).
    pub(super) fn ip_packet(&mut self, data: &[u8], info: &IpInfo) {
        let key = FlowKey {
            src_ip: self.pv.src_ip,
            dst_ip: self.pv.dst_ip,
            eth_type: self.pv.eth_type,
            vlan_id: self.pv.vlan_id,
            src_port: self.pv.src_port,
            dst_port: self.pv.dst_port,
            l4_proto: self.pv.l4_proto,
            ..FlowKey::default()
        };
        let flow_bit = if info.v6 { L2_IPV6 } else { L2_IPV4 };
        let mut no_head = false;
        let mut slot = None;
        if info.later_fragment {
            // T2 looks IPv6 fragments up without the protocol, so they never match.
            let base = FlowKey { src_port: 0, dst_port: 0, l4_proto: if info.v6 { 0 } else { key.l4_proto }, ..key };
            let fk = frag_key(&base, info.frag_id);
            match self.frags.lookup(&fk) {
                None => {
                    let gw = &self.g.global_warn;
                    gw.set(gw.get() | IPV4_FRAG | IPV4_FRAG_HDSEQ_ERR);
                    no_head = true;
                }
                Some(s) => {
                    self.count_fragment(info.v6);
                    self.pv.status |= flow_bit;
                    if !info.more_fragments {
                        self.frags.remove(&fk);
                        let f = self.table.get(s);
                        f.status.set(f.status.get() & !IPV4_FRAG_PENDING);
                    }
                    slot = Some(s);
                }
            }
        }
        let slot = match slot {
            Some(s) => s,
            None => {
                self.pv.status |= flow_bit;
                let s = match self.table.lookup(&key) {
                    Some(s) => {
                        self.table.touch(s);
                        if !info.v6 {
                            let id = info.ip_id;
                            if id != 0 && id == self.table.get(s).last_ip_id {
                                self.set_flow_status(s, DUPIPID);
                            }
                            self.table.get_mut(s).last_ip_id = id;
                        }
                        s
                    }
                    None => {
                        if self.no_new_flows {
                            return;
                        }
                        match self.create_ip_flow(data, key, info.v6) {
                            Some(s) => s,
                            None => return,
                        }
                    }
                };
                if info.first_fragment || no_head {
                    self.first_fragment(s, &key, info, no_head);
                } else if self.table.get(s).status.get() & IPV4_FRAG_PENDING != 0 {
                    self.set_flow_status(s, IPV4_FRAG_ERR);
                }
                s
            }
        };

        self.count_protocols();
        if self.pv.raw_len <= MINRAWLEN {
            let pad = i64::from(self.pv.raw_len) - i64::from(self.pv.l3_len) - i64::from(self.pv.l3_off);
            if pad >= 0 {
                self.pv.pad_len = pad;
                self.table.get_mut(slot).pad_len += pad;
                self.g.pad_bytes_on_wire += pad as u64;
            }
        }
        self.plugins.on_layer2(&self.g, &self.table, &self.pv, None);
        let f = self.table.get_mut(slot);
        f.status.set(f.status.get() | self.pv.status);
        f.last_seen = self.pv.ts;
        self.packet_line_start(slot);
        self.plugins.on_layer4(&self.g, &self.table, &self.pv, slot);
        self.packet_line_end(data);
        self.count_direction(slot);
    }

    fn count_fragment(&mut self, v6: bool) {
        if v6 {
            self.g.num_frag_v6_packets += 1;
        } else {
            self.g.num_frag_v4_packets += 1;
        }
    }

    /// Registers a first fragment (or an orphan later fragment) in the fragment table.
    fn first_fragment(&mut self, slot: u32, key: &FlowKey, info: &IpInfo, no_head: bool) {
        if no_head {
            self.set_flow_status(slot, IPV4_FRAG_HDSEQ_ERR);
        }
        self.count_fragment(info.v6);
        self.set_flow_status(slot, IPV4_FRAG);
        if !info.v6 {
            self.pv.status |= IPV4_FRAG;
        }
        let fk = frag_key(key, info.frag_id);
        let mut replaced = false;
        let rec = self.table.get(slot);
        if rec.status.get() & IPV4_FRAG_PENDING != 0 {
            let last = rec.last_frag_ip_id;
            if !self.frags.remove(&frag_key(key, last)) || last != info.frag_id {
                self.set_flow_status(slot, IPV4_FRAG_ERR);
            }
        } else if let Some(other) = self.frags.lookup(&fk) {
            // the same fragment ID in two flows: the newer one wins
            let o = self.table.get(other);
            o.status.set(o.status.get() & !IPV4_FRAG_PENDING);
            replaced = true;
        }
        if self.frags.insert(fk, slot).is_err() && !replaced {
            crate::log::error("frag HashMap full, Invoke t2 with -f 2");
            self.stop = Some(Stop::TableFull);
        }
        let rec = self.table.get_mut(slot);
        rec.last_frag_ip_id = info.frag_id;
        rec.status.set(rec.status.get() | IPV4_FRAG_PENDING);
    }

    /// A non-IP frame (T2's `t2_dispatch_l2_packet`).
    pub(super) fn l2_packet(&mut self, data: &[u8]) {
        self.pv.status |= L2_FLOW;
        self.g.num_l2_packets += 1;
        self.count_ethertype();
        if !self.settings.l2_flows {
            self.plugins.on_layer2(&self.g, &self.table, &self.pv, None);
            return;
        }
        let pv = &mut self.pv;
        let l2 = pv.l2_off;
        let l7 = pv.l7_off;
        let l2_hdr = l7.wrapping_sub(l2);
        pv.l7_len = pv.raw_len.wrapping_sub(l7) as u16;
        pv.len = u32::from(pv.l7_len);
        pv.snap_l3_len = pv.snap_l2_len.wrapping_sub(l2_hdr);
        pv.snap_l4_len = pv.snap_l3_len as u16;
        pv.snap_l7_len = pv.snap_l3_len as u16;
        pv.l2_hdr_len = l2_hdr as u16;
        let eth = Ethernet::at(data, self.pv.l2_off as usize);
        let key = FlowKey {
            dst_mac: eth.dst(),
            src_mac: eth.src(),
            eth_type: self.pv.eth_type,
            vlan_id: self.pv.vlan_id,
            ..FlowKey::default()
        };
        let slot = match self.table.lookup(&key) {
            Some(s) => {
                self.table.touch(s);
                s
            }
            None => {
                if self.no_new_flows {
                    return;
                }
                match self.create_l2_flow(key) {
                    Some(s) => s,
                    None => return,
                }
            }
        };
        let f = self.table.get_mut(slot);
        f.last_seen = self.pv.ts;
        f.pad_len += self.pv.pad_len;
        let status = self.pv.status;
        self.set_flow_status(slot, status);
        self.packet_line_start(slot);
        self.plugins.on_layer2(&self.g, &self.table, &self.pv, Some(slot));
        self.packet_line_end(data);
        self.count_direction(slot);
    }

    /// Packet mode (`-s`): the core's `pktNo<TAB>flowInd<TAB>` before the plugins' fields.
    #[inline]
    fn packet_line_start(&self, slot: u32) {
        if let Some(w) = self.streams.packets.borrow_mut().as_mut() {
            crate::output::packets::prefix(w, self.g.num_packets, self.table.get(slot).findex);
        }
    }

    /// Packet mode (`-s`): the payload column and the end of the line, after the plugins.
    #[inline]
    fn packet_line_end(&self, data: &[u8]) {
        if let Some(w) = self.streams.packets.borrow_mut().as_mut() {
            crate::output::packets::payload(w, data, &self.pv);
        }
    }

    fn count_direction(&mut self, slot: u32) {
        let len = u64::from(self.pv.snap_len);
        if self.table.get(slot).status.get() & L3FLOWINVERT != 0 {
            self.g.num_b_packets += 1;
            self.g.num_b_bytes += len;
        } else {
            self.g.num_a_packets += 1;
            self.g.num_a_bytes += len;
        }
    }

    /// Takes a slot for a new flow, flushing the oldest flows first when the table is full.
    fn take_slot(&mut self, key: FlowKey) -> Option<u32> {
        if self.table.is_full() {
            self.table_full();
            if self.table.is_full() {
                return None;
            }
        }
        match self.table.insert(key, self.pv.ts, self.settings.flow_timeout) {
            Ok(slot) => Some(slot),
            Err(e) => {
                // the flows in memory are still written, the run ends with status 1
                crate::log::error(&e.to_string());
                self.stop = Some(Stop::OutOfMemory);
                None
            }
        }
    }

    /// Links a new flow to its opposite direction (core.md §4.2 step 4); returns whether one
    /// was found.
    fn link_opposite(&mut self, slot: u32, reverse: &FlowKey) -> bool {
        match self.table.lookup(reverse) {
            Some(r) if r != slot => {
                let (findex, inverted) = {
                    let o = self.table.get(r);
                    (o.findex, o.status.get() & L3FLOWINVERT != 0)
                };
                self.table.get_mut(r).opposite = u64::from(slot);
                let f = self.table.get_mut(slot);
                f.opposite = u64::from(r);
                f.findex = findex;
                if !inverted {
                    f.status.set(f.status.get() | L3FLOWINVERT);
                }
                self.g.total_b_flows += 1;
                true
            }
            _ => {
                self.g.total_findex += 1;
                self.table.get_mut(slot).findex = self.g.total_findex;
                self.g.total_a_flows += 1;
                false
            }
        }
    }

    /// T2's `flowCreate`.
    fn create_ip_flow(&mut self, data: &[u8], key: FlowKey, v6: bool) -> Option<u32> {
        let slot = self.take_slot(key)?;
        {
            let f = self.table.get_mut(slot);
            if v6 {
                f.ip_ver = 6;
            } else {
                f.ip_ver = 4;
                f.last_ip_id = u32::MAX;
            }
        }
        if v6 {
            self.set_flow_status(slot, L2_IPV6);
            self.g.total_ipv6_flows += 1;
        } else {
            self.set_flow_status(slot, L2_IPV4);
            self.g.total_ipv4_flows += 1;
        }
        self.table.touch(slot);
        let reverse =
            FlowKey { src_ip: key.dst_ip, dst_ip: key.src_ip, src_port: key.dst_port, dst_port: key.src_port, ..key };
        // the reverse key finds this very flow only when it is the key itself
        if reverse == key {
            if key.l4_proto == ipproto::TCP {
                self.set_flow_status(slot, LANDATTACK);
            }
            self.g.total_findex += 1;
            self.table.get_mut(slot).findex = self.g.total_findex;
            self.g.total_a_flows += 1;
        } else if !self.link_opposite(slot, &reverse) {
            // direction heuristic: the side with the well-known port answers
            let (sp, dp) = (key.src_port, key.dst_port);
            let tcp_flags = Tcp::at(data, self.pv.l4_off as usize).flags();
            if (sp < 1024 && sp < dp)
                || sp & 0xfff6 == 8080
                || (key.l4_proto == ipproto::TCP && tcp_flags & SYN_ACK == SYN_ACK)
            {
                let f = self.table.get(slot);
                f.status.set(f.status.get() | L3FLOWINVERT);
            }
        }
        self.flow_created(slot);
        Some(slot)
    }

    /// T2's `flowETHCreate`.
    fn create_l2_flow(&mut self, key: FlowKey) -> Option<u32> {
        let slot = self.take_slot(key)?;
        self.set_flow_status(slot, L2_FLOW);
        self.g.total_l2_flows += 1;
        self.table.touch(slot);
        let reverse = FlowKey { src_mac: key.dst_mac, dst_mac: key.src_mac, ..key };
        if reverse == key {
            self.g.total_findex += 1;
            self.table.get_mut(slot).findex = self.g.total_findex;
            self.g.total_a_flows += 1;
        } else {
            self.link_opposite(slot, &reverse);
        }
        self.flow_created(slot);
        Some(slot)
    }

    fn flow_created(&mut self, slot: u32) {
        self.g.max_num_flows += 1;
        self.g.max_num_flows_peak = self.g.max_num_flows_peak.max(self.g.max_num_flows);
        debug_assert_ne!(self.table.get(slot).findex, NO_FLOW);
        self.plugins.on_new_flow(&self.g, &self.table, &self.pv, slot);
    }
}
