//! arpDecode (179): ARP and RARP flows (T2's arpDecode). Per layer-2 flow: the status bits
//! (gratuitous ARP, probe, announcement, spoofing), the hardware type, the opcodes seen and the
//! MAC/IP pairs the messages announced; a run-wide table of which MAC first claimed each IP
//! address flags a flow whose pairs contradict it.
//!
//! Only flows whose first packet is ARP or RARP are decoded; every other flow costs one branch
//! per packet.
#![forbid(unsafe_code)]
#![allow(non_snake_case)] // the crate is named after the plugin

pub mod flags;
mod pairs;

use plugin_api::status::{L2_ARP, L2_RARP};
use plugin_api::wire::Arp;
use plugin_api::{
    Columns, Ctx, Flow, Host, Init, MonState, Monitor, Output, Packet, PacketLine, Plugin, Report, SparseSlots,
};

use flags::{ARP_MAX_IP, Config};
use pairs::{ArpTable, Pairs};

/// `arpStat`: an ARP or RARP flow.
pub const ARP_STAT_DET: u8 = 0x01;
/// `arpStat`: gratuitous ARP (sender IP same as target IP).
pub const ARP_STAT_GRAT: u8 = 0x02;
/// `arpStat`: ARP probe (request from 0.0.0.0 for an unknown MAC).
pub const ARP_STAT_PROBE: u8 = 0x04;
/// `arpStat`: ARP announcement (gratuitous request to a zero or broadcast MAC).
pub const ARP_STAT_ANNOUNCE: u8 = 0x08;
/// `arpStat`: more pairs than `ARP_MAX_IP`; the list is truncated.
pub const ARP_STAT_FULL: u8 = 0x20;
/// `arpStat`: an IP address announced with another MAC than the one first seen with it.
pub const ARP_STAT_SPOOF: u8 = 0x80;

/// Operation codes (RFC 826, RFC 903).
const OP_REQUEST: u16 = 1;
const OP_REPLY: u16 = 2;
const OP_RARP_REPLY: u16 = 4;
/// Operations whose addresses build the pair table: ARP request and reply, RARP reply.
const PAIR_OPCODES: u32 = 1 << OP_REQUEST | 1 << OP_REPLY | 1 << OP_RARP_REPLY;

/// Packet-mode columns (`-s`).
pub const PACKET_COLUMNS: [&str; 10] = [
    "arpStat",
    "arpHwType",
    "arpProtoType",
    "arpHwSize",
    "arpProtoSize",
    "arpOpcode",
    "arpSenderMAC",
    "arpSenderIP",
    "arpTargetMAC",
    "arpTargetIP",
];

const _: () = assert!(ARP_MAX_IP >= 1, "ARP_MAX_IP must be in [1, 255]");

/// What arpDecode keeps per flow.
#[derive(Clone, Copy, Default)]
struct ArpFlow {
    stat: u8,
    hw_type: u16,
    /// Bit `1 << opcode` for each opcode seen (T2's 16-bit field).
    opcodes: u16,
    pairs: Pairs,
}

/// The arpDecode plugin.
pub struct ArpDecode {
    host: Host,
    /// The state of the ARP and RARP flows.
    flows: SparseSlots<ArpFlow>,
    /// What a flow without state writes.
    blank: ArpFlow,
    table: ArpTable,
    /// OR of all ended flows' status.
    stat: u8,
    /// The "list full" warning was logged.
    warned_full: bool,
    packet_mode: bool,
    line: PacketLine,
}

impl ArpDecode {
    /// The plugin with flags `cfg` instead of the compiled ones (for tests). Only `ARP_MAX_IP`
    /// exists and it sizes an array, so the compiled value is always used.
    pub fn with_config(host: Host, _cfg: Config) -> ArpDecode {
        ArpDecode {
            host,
            flows: SparseSlots::default(),
            blank: ArpFlow::default(),
            table: ArpTable::default(),
            stat: 0,
            warned_full: false,
            packet_mode: false,
            line: PacketLine::default(),
        }
    }

    /// Packet mode: the fields of a packet that is not part of an ARP flow.
    fn no_packet_fields(&mut self) {
        if self.packet_mode {
            self.line.str("0x00").empty(PACKET_COLUMNS.len() - 1).write(self.host);
        }
    }
}

/// `1 << op` as T2 computes it on x86: the shift count taken modulo 32.
fn op_bit(op: u16) -> u32 {
    1u32.wrapping_shl(u32::from(op))
}

impl Plugin for ArpDecode {
    fn new(host: Host) -> Self {
        ArpDecode::with_config(host, Config::default())
    }

    fn columns(&self, c: &mut Columns) {
        c.add("arpStat", "ARP status", "H8");
        c.add("arpHwType", "ARP hardware type", "U16");
        c.add("arpOpcode", "ARP opcode", "H16");
        c.add("arpIpMacCnt", "ARP Number of distinct MAC / IP pairs", "U16");
        c.add("arpMac_Ip_Cnt", "ARP MAC/IP pairs found and number of times the pair appeared", "MAC_IP4_U16:R");
    }

    fn init(&mut self, init: &Init<'_>) {
        self.flows = SparseSlots::new(init.capacity());
        self.table = ArpTable::new(init.capacity());
        self.packet_mode = init.packet_mode();
        if self.packet_mode {
            PacketLine::header(self.host, &PACKET_COLUMNS);
        }
    }

    fn on_new_flow(&mut self, _ctx: Ctx<'_>, pkt: &Packet<'_>, flow: Flow<'_>) {
        if pkt.status() & (L2_ARP | L2_RARP) != 0 {
            let hw_type = Arp::new(pkt.l7()).htype();
            let init = |f: &mut ArpFlow| *f = ArpFlow { stat: ARP_STAT_DET, hw_type, ..ArpFlow::default() };
            self.flows.get_or_claim(&flow, ArpFlow::default, init);
        }
    }

    fn on_layer2(&mut self, _ctx: Ctx<'_>, pkt: &Packet<'_>, flow: Option<Flow<'_>>) {
        let Some(flow) = flow else { return };
        let Some(f) = self.flows.get_mut(&flow) else {
            self.no_packet_fields();
            return;
        };
        let arp = Arp::new(pkt.l7());
        let op = arp.oper();
        f.opcodes |= op_bit(op) as u16;
        let (sha, spa, tha, tpa) = (arp.sha(), arp.spa(), arp.tha(), arp.tpa());
        let tha_zero = tha == [0; 6];
        if spa == tpa && (op == OP_REQUEST || op == OP_REPLY) {
            f.stat |= ARP_STAT_GRAT;
            if op == OP_REQUEST && (tha_zero || tha == [0xff; 6]) {
                f.stat |= ARP_STAT_ANNOUNCE;
            }
        } else if op == OP_REQUEST && tha_zero && spa == [0; 4] {
            f.stat |= ARP_STAT_PROBE;
        }
        if op_bit(op) & PAIR_OPCODES != 0 && arp.hlen() == 6 && arp.plen() == 4 {
            // a request tells only the sender's pair; replies both
            let n = if op == OP_REQUEST { 1 } else { 2 };
            for (mac, ip) in [(sha, spa), (tha, tpa)].into_iter().take(n) {
                f.stat |= f.pairs.observe(&mut self.table, mac, ip);
            }
            if f.stat & ARP_STAT_FULL != 0 && !self.warned_full {
                self.warned_full = true;
                self.host.warn("MAC/IP list full... increase ARP_MAX_IP");
            }
        }
        if self.packet_mode {
            let stat = f.stat;
            self.line.hex(u64::from(stat), 2).u64(u64::from(arp.htype())).hex(u64::from(arp.ptype()), 4);
            self.line.u64(u64::from(arp.hlen())).u64(u64::from(arp.plen())).u64(u64::from(op));
            for (mac, ip) in [(sha, spa), (tha, tpa)] {
                if arp.hlen() == 6 {
                    let m = mac;
                    self.line.fmt(format_args!(
                        "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
                        m[0], m[1], m[2], m[3], m[4], m[5]
                    ));
                } else {
                    self.line.empty(1);
                }
                if arp.plen() == 4 {
                    self.line.fmt(format_args!("{}.{}.{}.{}", ip[0], ip[1], ip[2], ip[3]));
                } else {
                    self.line.empty(1);
                }
            }
            self.line.write(self.host);
        }
    }

    fn on_layer4(&mut self, _ctx: Ctx<'_>, _pkt: &Packet<'_>, _flow: Flow<'_>) {
        self.no_packet_fields();
    }

    fn on_flow_terminate(&mut self, _ctx: Ctx<'_>, flow: Flow<'_>, out: &mut Output<'_>) {
        let f = self.flows.get(&flow).unwrap_or(&self.blank);
        self.stat |= f.stat;
        out.u8(f.stat);
        out.u16(f.hw_type);
        out.u16(f.opcodes);
        out.u16(f.pairs.count());
        let listed = f.pairs.listed();
        out.rep(listed.len() as u32);
        for p in listed {
            out.mac(&p.mac);
            out.ip4(&p.ip);
            out.u16(p.cnt);
        }
        self.flows.release(&flow);
    }

    fn report(&mut self, _ctx: Ctx<'_>, r: &Report) {
        r.aggr("arpStat", u64::from(self.stat), 1);
    }

    fn monitoring(&mut self, _ctx: Ctx<'_>, mon: &Monitor, state: MonState) {
        match state {
            MonState::Header => mon.field("arpStat"),
            // T2 prints the value without `0x` here
            MonState::Values => mon.field(format_args!("{:x}", self.stat)),
            MonState::Report => mon.report().aggr("arpStat", u64::from(self.stat), 1),
        }
    }
}

plugin_api::export_plugin!(ArpDecode);

#[cfg(test)]
mod tests;
