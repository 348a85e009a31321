//! basicFlow (100): identification and timing of each flow: status, first/last packet time,
//! duration, header descriptions, MAC addresses, Ethertype, VLAN/MPLS tags, addresses with
//! their subnet labels (country and organisation, from the tables `t2build` installs beside
//! the plugin) and ports (plugins.md §2).
#![forbid(unsafe_code)]
#![allow(non_snake_case)]

pub mod flags;
mod hdrdesc;
mod pktmode;

use plugin_api::abi::Timestamp;
use plugin_api::status::{L2_GRE, L2_IPV4, L2_IPV6, L2_MPLS, L2_NO_ETH, L2_PPP, L2_VLAN, LAPD_FLOW};
use plugin_api::wire::{self, Ethernet, Gre, Ipv4, Mpls, Vlan, ethertype, mpls, vlan};
use plugin_api::{Columns, Ctx, Flow, FlowSlots, Host, Init, Output, Packet, PacketLine, Plugin};
use subnet::{LabelId, Subnets};

use flags::*;
use hdrdesc::Interner;
use pktmode::PktMode;

const MAX_HD: usize = BFO_MAX_HDRDESC as usize;
const MAX_MAC: usize = BFO_MAX_MAC as usize;
const MAX_VLAN: usize = BFO_MAX_VLAN as usize;
pub(crate) const MAX_MPLS: usize = BFO_MAX_MPLS as usize;

/// What basicFlow keeps per flow.
#[derive(Clone, Copy)]
pub(crate) struct FlowState {
    /// Distinct header descriptions (interned ids), their depth and packet count.
    hd_cnt: u8,
    hd_ids: [u32; MAX_HD],
    hd_depth: [u16; MAX_HD],
    hd_pkts: [u64; MAX_HD],
    n_src_mac: u8,
    n_dst_mac: u8,
    src_mac: [[u8; 6]; MAX_MAC],
    dst_mac: [[u8; 6]; MAX_MAC],
    n_vlan: u8,
    vlans: [u32; MAX_VLAN],
    n_mpls: u8,
    mpls: [u32; MAX_MPLS],
    ppp: u32,
    gre: u32,
    gre_src: [u8; 4],
    gre_dst: [u8; 4],
    /// Time of the previous packet (packet mode: `pktIAT`).
    last_pkt: Timestamp,
    /// Subnet labels of the source and destination address, looked up once per flow.
    geo: [Option<LabelId>; 2],
}

impl Default for FlowState {
    fn default() -> Self {
        FlowState {
            hd_cnt: 0,
            hd_ids: [0; MAX_HD],
            hd_depth: [0; MAX_HD],
            hd_pkts: [0; MAX_HD],
            n_src_mac: 0,
            n_dst_mac: 0,
            src_mac: [[0; 6]; MAX_MAC],
            dst_mac: [[0; 6]; MAX_MAC],
            n_vlan: 0,
            vlans: [0; MAX_VLAN],
            n_mpls: 0,
            mpls: [0; MAX_MPLS],
            ppp: 0,
            gre: 0,
            gre_src: [0; 4],
            gre_dst: [0; 4],
            last_pkt: Timestamp::default(),
            geo: [None; 2],
        }
    }
}

/// Entry `i` of the MPLS label stack `labels`, if captured whole.
pub(crate) fn mpls_entry(labels: &[u8], i: usize) -> Option<Mpls<'_>> {
    Mpls::at(labels, mpls::HEADER_LEN * i).checked()
}

/// The basicFlow plugin.
pub struct BasicFlow {
    flows: FlowSlots<FlowState>,
    descs: Interner,
    sensor_id: u32,
    host: Host,
    /// Packet mode (`-s`) state; `None` without `-s`.
    pkt_mode: Option<PktMode>,
    /// The subnet tables (none until `init`, or when their files cannot be used).
    subnets: Subnets,
}

impl Plugin for BasicFlow {
    fn new(host: Host) -> Self {
        BasicFlow {
            flows: FlowSlots::default(),
            descs: Interner::default(),
            sensor_id: 0,
            host,
            pkt_mode: None,
            subnets: Subnets::default(),
        }
    }

    fn columns(&self, c: &mut Columns) {
        if BFO_SENSORID == 1 {
            c.add("sensorID", "Sensor ID", "U32");
        }
        c.add("flowStat", "Flow status and warnings", "H64");
        c.add("timeFirst", "Date time of first packet", "TS");
        c.add("timeLast", "Date time of last packet", "TS");
        c.add("duration", "Flow duration", "DUR");
        if MAX_HD != 0 {
            c.add("numHdrDesc", "Number of different headers descriptions", "U8");
            c.add("numHdrs", "Number of headers (depth) in hdrDesc", "U16:R");
            if BFO_HDRDESC_PKTCNT == 1 {
                c.add("hdrDesc_pktCnt", "Headers description and packet count", "SC_U64:R");
            } else {
                c.add("hdrDesc", "Headers description", "SC:R");
            }
        }
        if BFO_MAC == 1 && MAX_MAC != 0 {
            c.add("srcMac", "Mac source", "MAC:R");
            c.add("dstMac", "Mac destination", "MAC:R");
        }
        if BFO_ETHERTYPE == 1 {
            c.add("ethType", "Ethernet type", "H16");
        }
        if MAX_VLAN != 0 {
            match BFO_VLAN {
                1 => c.add("vlanID", "VLAN IDs", "U16:R"),
                2 => c.add("vlanHdr", "VLAN headers (hex)", "H32:R"),
                3 => c.add(
                    "vlanTPID_PCP_DEI_VID",
                    "VLAN tag protocol identifier, priority code point, drop eligible indicator, VLAN identifier",
                    "H16_U8_U8_U16:R",
                ),
                _ => c,
            };
        }
        if MAX_MPLS != 0 {
            match BFO_MPLS {
                1 => c.add("mplsLabels", "MPLS labels", "U32:R"),
                2 => c.add("mplsLabelsHex", "MPLS labels (hex)", "H32:R"),
                3 => c.add("mplsHdrsHex", "MPLS headers (hex)", "H32:R"),
                4 => c.add("mplsLabel_ToS_S_TTL", "MPLS headers details", "U32_U8_U8_U8:R"),
                _ => c,
            };
        }
        if BFO_PPP == 1 {
            c.add("pppHdr", "PPP header", "H32");
        }
        if BFO_GRE == 1 {
            c.add("greHdr", "GRE header", "H32");
            c.add("greSrcIP", "GRE source IP address", "IP4");
            c.add("greDstIP", "GRE destination IP address", "IP4");
        }
        for (side, name) in [("src", "Source"), ("dst", "Destination")] {
            c.add(&format!("{side}IP"), &format!("{name} IP address"), "IPX");
            if BFO_SUBNET_TEST == 1 {
                c.add(&format!("{side}IPCC"), &format!("{name} IP country"), "SC");
                if BFO_SUBNET_ORG == 1 {
                    c.add(&format!("{side}IPOrg"), &format!("{name} IP organization"), "S");
                }
            }
            c.add(&format!("{side}Port"), &format!("{name} port"), "U16");
        }
        c.add("l4Proto", "Layer 4 protocol", "U8");
    }

    fn init(&mut self, init: &Init<'_>) {
        self.flows = FlowSlots::new(init.capacity());
        self.sensor_id = init.config().sensor_id;
        if BFO_SUBNET_TEST == 1 {
            // a table that cannot be used is one warning naming its file; its labels stay `-`
            let (subnets, errors) = Subnets::open_dir(std::path::Path::new(init.plugin_folder_os()));
            for e in errors {
                self.host.warn(&format!("{e}: run 't2build -f basicFlow' to install it"));
            }
            self.subnets = subnets;
        }
        if init.packet_mode() {
            let pm = PktMode::new(init.config());
            PacketLine::header(self.host, &pm.header());
            self.pkt_mode = Some(pm);
        }
    }

    fn on_new_flow(&mut self, _ctx: Ctx<'_>, pkt: &Packet<'_>, flow: Flow<'_>) {
        let s = self.flows.reset(&flow);
        s.last_pkt = flow.last_seen();
        if BFO_SUBNET_TEST == 1 {
            let (ver, key) = (ip_version(flow.status()), &flow.record().key);
            s.geo = [self.subnets.find(ver, &key.src_ip), self.subnets.find(ver, &key.dst_ip)];
        }
        let v = pkt.view();
        let status = pkt.status();
        if status & L2_VLAN != 0 {
            // each tag word: TCI, then the Ethertype that follows it (0 when not captured whole)
            let tags = pkt.from_offset(v.vlan_off);
            let mut i = 0;
            loop {
                let tag = Vlan::at(tags, vlan::HEADER_LEN * i).checked();
                s.vlans[i] = tag.map_or(0, |t| t.word());
                i += 1;
                if i >= MAX_VLAN || !tag.is_some_and(|t| ethertype::is_vlan(t.ethertype())) {
                    break;
                }
            }
            s.n_vlan = i as u8;
        }
        if MAX_MPLS != 0 && status & L2_MPLS != 0 {
            let labels = pkt.from_offset(v.mpls_off);
            let mut i = 0;
            loop {
                let label = mpls_entry(labels, i);
                s.mpls[i] = label.map_or(0, |m| m.word());
                i += 1;
                if i >= MAX_MPLS || label.is_some_and(|m| m.bottom()) {
                    break;
                }
            }
            s.n_mpls = i as u8;
        }
        if status & L2_PPP != 0 {
            // the first four bytes, 0 when not captured whole
            let ppp = pkt.from_offset(v.ppp_off);
            s.ppp = if ppp.len() >= 4 { wire::be32(ppp, 0) } else { 0 };
        }
        if status & L2_GRE != 0 {
            s.gre = Gre::new(pkt.from_offset(v.gre_off)).checked().map_or(0, |g| g.word());
            if let Some(ip) = Ipv4::new(pkt.from_offset(v.gre_l3_off)).checked() {
                s.gre_src = ip.src();
                s.gre_dst = ip.dst();
            }
        }
    }

    fn on_layer2(&mut self, ctx: Ctx<'_>, pkt: &Packet<'_>, flow: Option<Flow<'_>>) {
        if let Some(flow) = flow {
            self.claim(ctx, pkt, flow);
        }
    }

    fn on_layer4(&mut self, ctx: Ctx<'_>, pkt: &Packet<'_>, flow: Flow<'_>) {
        self.claim(ctx, pkt, flow);
    }

    fn on_flow_terminate(&mut self, _ctx: Ctx<'_>, flow: Flow<'_>, out: &mut Output<'_>) {
        let s = self.flows.get(&flow);
        let rec = flow.record();
        if BFO_SENSORID == 1 {
            out.u32(self.sensor_id);
        }
        out.u64(flow.status());
        // seconds are truncated to 32 bits, fractions to u32, as T2 does
        out.time(u64::from(rec.first_seen.sec as u32), rec.first_seen.frac as u32);
        out.time(u64::from(rec.last_seen.sec as u32), rec.last_seen.frac as u32);
        out.time(u64::from(rec.duration.sec as u32), rec.duration.frac as u32);
        if MAX_HD != 0 {
            let n = usize::from(s.hd_cnt);
            out.u8(s.hd_cnt);
            out.rep(n as u32);
            for d in &s.hd_depth[..n] {
                out.u16(*d);
            }
            out.rep(n as u32);
            for i in 0..n {
                out.str(self.descs.get(s.hd_ids[i]));
                if BFO_HDRDESC_PKTCNT == 1 {
                    out.u64(s.hd_pkts[i]);
                }
            }
        }
        if BFO_MAC == 1 && MAX_MAC != 0 {
            for (n, macs) in [(s.n_src_mac, &s.src_mac), (s.n_dst_mac, &s.dst_mac)] {
                out.rep(u32::from(n));
                for m in &macs[..usize::from(n)] {
                    out.mac(m);
                }
            }
        }
        if BFO_ETHERTYPE == 1 {
            out.u16(rec.key.eth_type);
        }
        if MAX_VLAN != 0 && BFO_VLAN != 0 {
            out.rep(u32::from(s.n_vlan));
            for &v in &s.vlans[..usize::from(s.n_vlan)] {
                match BFO_VLAN {
                    1 => out.u16((v >> 16) as u16),
                    2 => out.u32(v),
                    _ => {
                        out.u16((v & 0xffff) as u16);
                        out.u8(((v >> 29) & 0x07) as u8);
                        out.u8(((v >> 28) & 0x01) as u8);
                        out.u16(((v >> 16) & 0x0fff) as u16);
                    }
                }
            }
        }
        if MAX_MPLS != 0 && BFO_MPLS != 0 {
            out.rep(u32::from(s.n_mpls));
            for &m in &s.mpls[..usize::from(s.n_mpls)] {
                match BFO_MPLS {
                    1 | 2 => out.u32(m >> 12),
                    3 => out.u32(m),
                    _ => {
                        out.u32(m >> 12);
                        out.u8(((m >> 9) & 0x07) as u8);
                        out.u8(((m >> 8) & 0x01) as u8);
                        out.u8((m & 0xff) as u8);
                    }
                }
            }
        }
        if BFO_PPP == 1 {
            out.u32(s.ppp);
        }
        if BFO_GRE == 1 {
            out.u32(s.gre);
            out.ip4(&s.gre_src);
            out.ip4(&s.gre_dst);
        }
        let ver = ip_version(flow.status());
        let sides = [(&rec.key.src_ip, rec.key.src_port), (&rec.key.dst_ip, rec.key.dst_port)];
        for ((ip, port), id) in sides.into_iter().zip(s.geo) {
            out.ipx(ver, ip);
            if BFO_SUBNET_TEST == 1 {
                let (cc, org) = geo(&self.subnets, ver, id);
                out.str(cc);
                if BFO_SUBNET_ORG == 1 {
                    out.str(org);
                }
            }
            out.u16(port);
        }
        out.u8(rec.key.l4_proto);
    }
}

impl BasicFlow {
    /// Per-packet bookkeeping (T2's `claimInfo`).
    fn claim(&mut self, ctx: Ctx<'_>, pkt: &Packet<'_>, flow: Flow<'_>) {
        let desc = pkt.hdr_desc();
        let depth = pkt.view().num_hdr_desc;
        let s = self.flows.get_mut(&flow);
        if MAX_HD != 0 {
            let n = usize::from(s.hd_cnt);
            if n >= MAX_HD {
                // T2 checks the limit before looking the description up
                let r = flow.record();
                r.status.set(r.status.get() | plugin_api::status::HDOVRN);
            } else {
                let id = self.descs.intern(desc);
                match s.hd_ids[..n].iter().position(|&i| i == id) {
                    Some(i) => {
                        s.hd_depth[i] = depth;
                        s.hd_pkts[i] += 1;
                    }
                    None => {
                        s.hd_ids[n] = id;
                        s.hd_depth[n] = depth;
                        s.hd_pkts[n] = 1;
                        s.hd_cnt += 1;
                    }
                }
            }
        }
        if BFO_MAC == 1 && MAX_MAC != 0 && flow.status() & (L2_NO_ETH | LAPD_FLOW) == 0 {
            let eth = Ethernet::new(pkt.l2());
            if eth.has(wire::ethernet::field::SRC.end) {
                add_mac(&mut s.src_mac, &mut s.n_src_mac, eth.src());
                add_mac(&mut s.dst_mac, &mut s.n_dst_mac, eth.dst());
            }
        }
        if let Some(pm) = &mut self.pkt_mode {
            pm.write(self.host, ctx, pkt, &flow, s, &self.subnets);
        }
    }
}

/// Adds `mac` to the first-seen list unless it is there or the list is full.
fn add_mac(list: &mut [[u8; 6]; MAX_MAC], n: &mut u8, mac: [u8; 6]) {
    let k = usize::from(*n);
    if k < MAX_MAC && !list[..k].contains(&mac) {
        list[k] = mac;
        *n += 1;
    }
}

/// Country (or special-range) code and organisation of label `id` of an IP version `ver`
/// address, `-` for what is unknown.
pub(crate) fn geo(subnets: &Subnets, ver: u8, id: Option<LabelId>) -> (&[u8], &[u8]) {
    id.and_then(|id| subnets.label(ver, id)).map_or((b"-", b"-"), |l| (l.cc(), l.org()))
}

/// IP version from the flow status (T2's `FLOW_IPVER`): 6, 4, or 0 for layer-2 flows.
fn ip_version(status: u64) -> u8 {
    if status & L2_IPV6 != 0 {
        6
    } else if status & L2_IPV4 != 0 {
        4
    } else {
        0
    }
}

plugin_api::export_plugin!(BasicFlow);
