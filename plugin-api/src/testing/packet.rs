//! Frames built for tests: the bytes a capture holds and the [`PacketView`] the core's dissector
//! fills for them, computed from how the frame was built (no dissector involved).
//!
//! Covered: Ethernet with 802.1Q tags, IPv4 (options, fragments), IPv6, TCP, UDP, ICMP and
//! ICMPv6, and ARP, captured whole, as the dissector treats them. Not reproduced: the
//! application-layer guesses the dissector makes from ports and payloads (SSDP on port 1900,
//! IPsec NAT traversal on 4500, L2TP on 1701, DTLS records), which add to the header
//! description. `tests/tests/packet_builder.rs` of the workspace checks every kind of frame
//! against the core's dissector, field by field.

use crate::Packet;
use crate::abi::{HDRDESC_LEN, PacketView, Timestamp};
use crate::status::{FS_IPV4_PKT, FS_IPV6_PKT, FS_VLAN0, L2_ARP, L2_VLAN, L3SNAPLENGTH, L4HDRSHRTLEN, STPDSCT};
use crate::wire::{Checksum, PseudoHeader, arp, ethernet, ethertype, icmp, ipproto, ipv4, ipv6, tcp, udp};

/// A MAC address.
pub type Mac = [u8; 6];

/// The source MAC of frames unless set otherwise.
pub const MAC_A: Mac = [0x02, 0, 0, 0, 0, 1];
/// The destination MAC of frames unless set otherwise.
pub const MAC_B: Mac = [0x02, 0, 0, 0, 0, 2];

/// Ethernet frames shorter than this are padded on the wire (without the FCS).
const MIN_FRAME: usize = 60;
/// The VLAN identifier bits of a tag's TCI.
const VID: u16 = 0x0fff;

/// Layer 3 of a packet: source and destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ip {
    /// IPv4.
    V4([u8; 4], [u8; 4]),
    /// IPv6.
    V6([u8; 16], [u8; 16]),
}

/// A TCP segment.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tcp<'a> {
    /// Source port.
    pub sport: u16,
    /// Destination port.
    pub dport: u16,
    /// Sequence number.
    pub seq: u32,
    /// Acknowledgement number.
    pub ack: u32,
    /// Flags ([`tcp::flags`]).
    pub flags: u8,
    /// Advertised window.
    pub win: u16,
    /// Options, padded to a multiple of 4 bytes.
    pub opts: &'a [u8],
    /// Payload.
    pub payload: &'a [u8],
}

/// Layer 4 of a packet.
#[derive(Debug, Clone, Copy)]
pub enum L4<'a> {
    /// TCP.
    Tcp(Tcp<'a>),
    /// UDP: source and destination port, payload.
    Udp(u16, u16, &'a [u8]),
    /// ICMP (over IPv4) or ICMPv6: type, code, identifier, sequence number, payload.
    Icmp(u8, u8, u16, u16, &'a [u8]),
}

/// An IP packet in an Ethernet frame being built: [`packet`], the setters, then
/// [`IpPacket::frame`] or [`IpPacket::fragments`].
#[derive(Debug, Clone)]
pub struct IpPacket<'a> {
    ip: Ip,
    l4: L4<'a>,
    src_mac: Mac,
    dst_mac: Mac,
    vlans: Vec<u16>,
    ttl: u8,
    tos: u8,
    ip_id: u16,
    ip_opts: Vec<u8>,
    bad_ip_sum: bool,
    bad_l4_sum: bool,
}

/// An IP packet from `ip`'s source to its destination carrying `l4`: TTL (hop limit) 64, ToS
/// (traffic class) 0, IPv4 ID 1 with don't-fragment, correct checksums, from [`MAC_A`] to
/// [`MAC_B`], untagged.
pub fn packet(ip: Ip, l4: L4<'_>) -> IpPacket<'_> {
    IpPacket {
        ip,
        l4,
        src_mac: MAC_A,
        dst_mac: MAC_B,
        vlans: Vec::new(),
        ttl: 64,
        tos: 0,
        ip_id: 1,
        ip_opts: Vec::new(),
        bad_ip_sum: false,
        bad_l4_sum: false,
    }
}

/// Where the parts of a built frame are.
#[derive(Debug, Clone, Copy)]
struct Layout {
    /// Offset of the IP header.
    l3: usize,
    /// IP header length (with options).
    ip_hdr: usize,
    /// IP datagram length of this frame (header + what it carries).
    ip_len: usize,
    /// Layer 4 header length (0 for a later fragment).
    l4_hdr: usize,
    /// IP protocol.
    proto: u8,
    /// A fragment other than the first.
    later_fragment: bool,
}

impl<'a> IpPacket<'a> {
    /// Source and destination MAC.
    pub fn macs(mut self, src: Mac, dst: Mac) -> Self {
        (self.src_mac, self.dst_mac) = (src, dst);
        self
    }

    /// 802.1Q tags (their TCIs, outermost first).
    pub fn vlans(mut self, tcis: &[u16]) -> Self {
        self.vlans = tcis.to_vec();
        self
    }

    /// IPv4 TTL or IPv6 hop limit.
    pub fn ttl(mut self, ttl: u8) -> Self {
        self.ttl = ttl;
        self
    }

    /// IPv4 type of service or IPv6 traffic class.
    pub fn tos(mut self, tos: u8) -> Self {
        self.tos = tos;
        self
    }

    /// IPv4 identification.
    pub fn ip_id(mut self, id: u16) -> Self {
        self.ip_id = id;
        self
    }

    /// IPv4 options, padded to a multiple of 4 bytes.
    pub fn ip_options(mut self, opts: &[u8]) -> Self {
        assert!(opts.len().is_multiple_of(4) && opts.len() <= 40, "IPv4 options must fill whole words");
        self.ip_opts = opts.to_vec();
        self
    }

    /// A wrong IPv4 header checksum.
    pub fn bad_ip_checksum(mut self) -> Self {
        self.bad_ip_sum = true;
        self
    }

    /// A wrong TCP, UDP or ICMP checksum.
    pub fn bad_l4_checksum(mut self) -> Self {
        self.bad_l4_sum = true;
        self
    }

    /// The layer 4 header and payload, with its checksum.
    fn l4_bytes(&self) -> (u8, usize, Vec<u8>) {
        let (proto, hdr, mut b, sum_at) = match self.l4 {
            L4::Tcp(t) => {
                assert!(t.opts.len().is_multiple_of(4) && t.opts.len() <= 40, "TCP options must fill whole words");
                let hdr = tcp::HEADER_LEN + t.opts.len();
                let mut b = vec![0; hdr];
                b[tcp::field::SRC_PORT].copy_from_slice(&t.sport.to_be_bytes());
                b[tcp::field::DST_PORT].copy_from_slice(&t.dport.to_be_bytes());
                b[tcp::field::SEQ].copy_from_slice(&t.seq.to_be_bytes());
                b[tcp::field::ACK].copy_from_slice(&t.ack.to_be_bytes());
                b[tcp::field::DATA_OFF] = ((hdr / 4) as u8) << 4;
                b[tcp::field::FLAGS] = t.flags;
                b[tcp::field::WINDOW].copy_from_slice(&t.win.to_be_bytes());
                b[tcp::field::OPTIONS].copy_from_slice(t.opts);
                b.extend_from_slice(t.payload);
                (ipproto::TCP, hdr, b, tcp::field::CHECKSUM)
            }
            L4::Udp(sport, dport, payload) => {
                let mut b = vec![0; udp::HEADER_LEN];
                b[udp::field::SRC_PORT].copy_from_slice(&sport.to_be_bytes());
                b[udp::field::DST_PORT].copy_from_slice(&dport.to_be_bytes());
                b[udp::field::LENGTH].copy_from_slice(&((udp::HEADER_LEN + payload.len()) as u16).to_be_bytes());
                b.extend_from_slice(payload);
                (ipproto::UDP, udp::HEADER_LEN, b, udp::field::CHECKSUM)
            }
            L4::Icmp(kind, code, id, seq, payload) => {
                let mut b = vec![kind, code, 0, 0];
                b.extend_from_slice(&id.to_be_bytes());
                b.extend_from_slice(&seq.to_be_bytes());
                b.extend_from_slice(payload);
                let proto = if matches!(self.ip, Ip::V4(..)) { ipproto::ICMP } else { ipproto::ICMP6 };
                (proto, icmp::HEADER_LEN, b, icmp::field::CHECKSUM)
            }
        };
        let pseudo = match self.ip {
            // ICMP over IPv4 has no pseudo header
            Ip::V4(..) if proto == ipproto::ICMP => None,
            Ip::V4(s, d) => Some(PseudoHeader::ipv4(s, d, proto, b.len() as u16)),
            Ip::V6(s, d) => Some(PseudoHeader::ipv6(s, d, proto, b.len() as u32)),
        };
        let mut sum = Checksum::new();
        if let Some(p) = pseudo {
            sum = sum.add_bytes(p.bytes());
        }
        let mut c = sum.add_bytes(&b).value();
        if proto == ipproto::UDP && c == 0 {
            c = 0xffff;
        }
        if self.bad_l4_sum {
            c ^= 0xffff;
        }
        b[sum_at].copy_from_slice(&c.to_be_bytes());
        (proto, hdr, b)
    }

    /// An IPv4 header for `payload_len` bytes of `proto` with flags/offset word `frag`.
    fn ipv4_header(&self, src: [u8; 4], dst: [u8; 4], proto: u8, frag: u16, payload_len: usize) -> Vec<u8> {
        let hdr = ipv4::HEADER_LEN + self.ip_opts.len();
        let mut h = vec![0; hdr];
        h[ipv4::field::VER_IHL] = 0x40 | (hdr / 4) as u8;
        h[ipv4::field::TOS] = self.tos;
        h[ipv4::field::LENGTH].copy_from_slice(&((hdr + payload_len) as u16).to_be_bytes());
        h[ipv4::field::IDENT].copy_from_slice(&self.ip_id.to_be_bytes());
        h[ipv4::field::FLAGS_FRAG].copy_from_slice(&frag.to_be_bytes());
        h[ipv4::field::TTL] = self.ttl;
        h[ipv4::field::PROTOCOL] = proto;
        h[ipv4::field::SRC].copy_from_slice(&src);
        h[ipv4::field::DST].copy_from_slice(&dst);
        h[ipv4::field::OPTIONS].copy_from_slice(&self.ip_opts);
        let mut c = Checksum::new().add_bytes(&h).value();
        if self.bad_ip_sum {
            c ^= 0xffff;
        }
        h[ipv4::field::CHECKSUM].copy_from_slice(&c.to_be_bytes());
        h
    }

    /// The Ethernet frame around `ip`, padded to the minimum frame size.
    fn ethernet(&self, ethertype: u16, ip: &[u8]) -> (Vec<u8>, usize) {
        let mut f = Vec::with_capacity(MIN_FRAME + ip.len());
        f.extend_from_slice(&self.dst_mac);
        f.extend_from_slice(&self.src_mac);
        for tci in &self.vlans {
            f.extend_from_slice(&ethertype::VLAN.to_be_bytes());
            f.extend_from_slice(&tci.to_be_bytes());
        }
        f.extend_from_slice(&ethertype.to_be_bytes());
        let l3 = f.len();
        f.extend_from_slice(ip);
        if f.len() < MIN_FRAME {
            f.resize(MIN_FRAME, 0);
        }
        (f, l3)
    }

    /// The frame.
    pub fn frame(&self) -> Frame {
        let (proto, l4_hdr, body) = self.l4_bytes();
        match self.ip {
            Ip::V4(s, d) => {
                let mut ip = self.ipv4_header(s, d, proto, ipv4::DONT_FRAG, body.len());
                let ip_hdr = ip.len();
                ip.extend_from_slice(&body);
                let (bytes, l3) = self.ethernet(ethertype::IPV4, &ip);
                let at = Layout { l3, ip_hdr, ip_len: ip.len(), l4_hdr, proto, later_fragment: false };
                Frame::ip(bytes, self, at)
            }
            Ip::V6(s, d) => {
                let mut ip = vec![0; ipv6::HEADER_LEN];
                ip[..4].copy_from_slice(&(0x6000_0000u32 | (u32::from(self.tos) << 20)).to_be_bytes());
                ip[ipv6::field::LENGTH].copy_from_slice(&(body.len() as u16).to_be_bytes());
                ip[ipv6::field::NXT_HDR] = proto;
                ip[ipv6::field::HOP_LIMIT] = self.ttl;
                ip[ipv6::field::SRC].copy_from_slice(&s);
                ip[ipv6::field::DST].copy_from_slice(&d);
                ip.extend_from_slice(&body);
                let (bytes, l3) = self.ethernet(ethertype::IPV6, &ip);
                let at =
                    Layout { l3, ip_hdr: ipv6::HEADER_LEN, ip_len: ip.len(), l4_hdr, proto, later_fragment: false };
                Frame::ip(bytes, self, at)
            }
        }
    }

    /// The IPv4 fragments of the packet, each carrying at most `size` bytes (a multiple of 8)
    /// of the layer 4 header and payload.
    pub fn fragments(&self, size: usize) -> Vec<Frame> {
        let Ip::V4(s, d) = self.ip else { panic!("only IPv4 packets are fragmented here") };
        assert!(size > 0 && size.is_multiple_of(8), "fragments carry multiples of 8 bytes");
        let (proto, l4_hdr, body) = self.l4_bytes();
        let chunks: Vec<&[u8]> = body.chunks(size).collect();
        chunks
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let more = if i + 1 < chunks.len() { ipv4::MORE_FRAGS } else { 0 };
                let mut ip = self.ipv4_header(s, d, proto, more | (i * size / 8) as u16, c.len());
                let ip_hdr = ip.len();
                ip.extend_from_slice(c);
                let (bytes, l3) = self.ethernet(ethertype::IPV4, &ip);
                let at = Layout { l3, ip_hdr, ip_len: ip.len(), l4_hdr, proto, later_fragment: i > 0 };
                Frame::ip(bytes, self, at)
            })
            .collect()
    }
}

/// An ARP request (`op` 1) or reply (2) from `sha`/`spa` about `tha`/`tpa`, broadcast for a
/// request, sent to `tha` for a reply.
pub fn arp(op: u16, sha: Mac, spa: [u8; 4], tha: Mac, tpa: [u8; 4]) -> Frame {
    let mut bytes = Vec::with_capacity(MIN_FRAME);
    bytes.extend_from_slice(if op == arp::REQUEST { &[0xff; 6] } else { &tha });
    bytes.extend_from_slice(&sha);
    bytes.extend_from_slice(&ethertype::ARP.to_be_bytes());
    let mut msg = vec![0; arp::HEADER_LEN];
    msg[arp::field::HTYPE].copy_from_slice(&1u16.to_be_bytes());
    msg[arp::field::PTYPE].copy_from_slice(&ethertype::IPV4.to_be_bytes());
    msg[arp::field::HLEN] = 6;
    msg[arp::field::PLEN] = 4;
    msg[arp::field::OPER].copy_from_slice(&op.to_be_bytes());
    msg[arp::field::SHA].copy_from_slice(&sha);
    msg[arp::field::SPA].copy_from_slice(&spa);
    msg[arp::field::THA].copy_from_slice(&tha);
    msg[arp::field::TPA].copy_from_slice(&tpa);
    bytes.extend_from_slice(&msg);
    bytes.resize(bytes.len().max(MIN_FRAME), 0);
    let mut v = Frame::base_view(&bytes);
    v.status |= L2_ARP;
    v.eth_type = ethertype::ARP;
    v.outer_eth_type = ethertype::ARP;
    let shape = ethernet::field::ETHERTYPE.start;
    v.l7_off = (shape + 2) as u32;
    // the dissector's padding of a short ARP frame: what follows the ARP message
    let pad = bytes.len() as i64 - arp::HEADER_LEN as i64 - (shape as i64 + 2);
    if bytes.len() <= 64 && pad >= 0 {
        v.pad_len = pad;
    }
    desc(&mut v, ":arp");
    Frame { bytes, view: v, ip: None }
}

/// Fragment facts of an IP frame, for the harness's share of the core's work.
#[derive(Debug, Clone, Copy)]
pub(crate) struct IpFacts {
    /// IPv6 (else IPv4).
    pub v6: bool,
    /// The IPv4 identification.
    pub ip_id: u16,
    /// First fragment of a fragmented datagram.
    pub first_fragment: bool,
    /// A later fragment.
    pub later_fragment: bool,
    /// The more-fragments bit.
    pub more_fragments: bool,
}

/// A built frame: its bytes and the view the core's dissector makes of them.
#[derive(Debug, Clone)]
pub struct Frame {
    bytes: Vec<u8>,
    view: PacketView,
    ip: Option<IpFacts>,
}

/// Appends `s` to the header description (the dissector's `desc`).
fn desc(v: &mut PacketView, s: &str) {
    let at = usize::from(v.hdr_desc_len);
    let n = s.len().min(HDRDESC_LEN - 1 - at);
    v.hdr_desc[at..at + n].copy_from_slice(&s.as_bytes()[..n]);
    v.hdr_desc_len += n as u16;
    v.num_hdr_desc += 1;
}

impl Frame {
    /// The bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The dissector's view; its `raw` pointer points at [`Frame::bytes`].
    pub fn view(&self) -> PacketView {
        PacketView { raw: self.bytes.as_ptr(), ..self.view }
    }

    /// The packet as a callback sees it.
    pub fn packet(&self) -> Packet<'_> {
        Packet::new(&self.view, &self.bytes)
    }

    /// The frame with its view changed by `edit`: for views no built frame has (a packet
    /// length beyond any datagram, say). The view no longer matches the bytes.
    pub fn with_view(mut self, edit: impl FnOnce(&mut PacketView)) -> Frame {
        edit(&mut self.view);
        self
    }

    /// The frame captured up to `caplen` bytes (a snap length), with the view the dissector makes
    /// of the cut: the captured lengths, `L3SNAPLENGTH`, and a layer 4 header it cannot read
    /// whole (`L4HDRSHRTLEN`). The cut must leave the IP header whole, and for IPv6 the first 8
    /// bytes of layer 4.
    pub fn cut(mut self, caplen: usize) -> Frame {
        let Some(ip) = self.ip else { panic!("only IP frames are cut here") };
        let v = &mut self.view;
        let (l3, l4) = (v.l3_off as usize, v.l4_off as usize);
        let min = if ip.v6 { l4 + 8 } else { l4 };
        assert!((min..=self.bytes.len()).contains(&caplen), "cut at {caplen}: outside {min}..={}", self.bytes.len());
        self.bytes.truncate(caplen);
        v.snap_len = caplen as u32;
        v.snap_l2_len = caplen as u32;
        let (snap_l3, l3_len) = ((caplen - l3) as u32, v.l3_len);
        if snap_l3 >= l3_len {
            return self;
        }
        v.status |= L3SNAPLENGTH;
        let to_end = caplen - l4;
        let is_tcp = v.l4_proto == ipproto::TCP;
        if !ip.later_fragment {
            // a TCP header cut before its data offset counts as the minimal one
            if is_tcp && to_end < tcp::HEADER_LEN {
                v.l4_hdr_len = tcp::HEADER_LEN as u16;
            }
            // IPv4 wants the header as long as it says, IPv6 only the minimal one
            let want = if ip.v6 && is_tcp { tcp::HEADER_LEN } else { usize::from(v.l4_hdr_len) };
            if to_end < want {
                v.status |= L4HDRSHRTLEN;
            }
        }
        let l4_hdr = usize::from(v.l4_hdr_len);
        let l7 = l4 + l4_hdr;
        v.l7_off = l7 as u32;
        v.l7_len = (l3_len as usize - usize::from(v.l3_hdr_len) - l4_hdr) as u16;
        v.len = u32::from(v.l7_len);
        let l7_from_l3 = (l7 - l3) as u32;
        if ip.v6 {
            v.snap_l3_len = snap_l3;
            v.snap_l4_len = to_end as u16;
            v.snap_l7_len = if snap_l3 < l7_from_l3 { 0 } else { (caplen - l7) as u16 };
        } else {
            v.snap_l3_len = snap_l3;
            v.snap_l4_len = snap_l3.saturating_sub(u32::from(v.l3_hdr_len)) as u16;
            v.snap_l7_len = snap_l3.saturating_sub(l7_from_l3) as u16;
        }
        if ip.v6 && is_tcp && to_end < tcp::HEADER_LEN {
            // IPv6 reads TCP ports only from a whole captured header
            (v.src_port, v.dst_port) = (0, 0);
        } else if v.src_port != 0 || v.dst_port != 0 {
            // IPv4 reads them as far as they were captured (missing bytes read as 0)
            let l4 = crate::wire::Udp::at(&self.bytes, l4);
            (v.src_port, v.dst_port) = (l4.src_port(), l4.dst_port());
        }
        self
    }

    /// The frame with its bytes changed by `edit`, for fields the view does not describe (the
    /// bytes after a header, say); the view stays as it was.
    pub fn with_bytes(mut self, edit: impl FnOnce(&mut [u8])) -> Frame {
        edit(&mut self.bytes);
        self
    }

    pub(crate) fn ip_facts(&self) -> Option<IpFacts> {
        self.ip
    }

    /// The view of an Ethernet frame before its Ethertype is looked at.
    fn base_view(bytes: &[u8]) -> PacketView {
        // `raw` is set by `Frame::view`: the bytes move with the frame.
        let mut v = PacketView::empty();
        v.raw_len = bytes.len() as u32;
        v.snap_len = bytes.len() as u32;
        v.snap_l2_len = bytes.len() as u32;
        v.l2_off = 0;
        desc(&mut v, "eth");
        v
    }

    /// An Ethernet frame holding an IP packet laid out as `at`.
    fn ip(bytes: Vec<u8>, p: &IpPacket<'_>, at: Layout) -> Frame {
        let mut v = Frame::base_view(&bytes);
        let v6 = matches!(p.ip, Ip::V6(..));
        let ethertype = if v6 { ethertype::IPV6 } else { ethertype::IPV4 };
        if let Some(&inner) = p.vlans.last() {
            v.status |= L2_VLAN;
            if p.vlans.iter().any(|t| t & VID == 0) {
                v.status |= FS_VLAN0;
            }
            v.vlan_off = (ethernet::field::ETHERTYPE.end) as u32;
            v.vlan_hdr_cnt = p.vlans.len() as u8;
            v.vlan_id = inner & VID;
            desc(&mut v, ":vlan");
            if p.vlans.len() > 1 {
                desc(&mut v, &format!("{{{}}}", p.vlans.len()));
                v.num_hdr_desc += p.vlans.len() as u16 - 2;
            }
        }
        v.outer_eth_type = ethertype;
        v.eth_type = ethertype;
        v.l3_proto = ethertype;
        v.status |= if v6 { FS_IPV6_PKT } else { FS_IPV4_PKT };
        desc(&mut v, if v6 { ":ipv6" } else { ":ipv4" });
        let l4 = at.l3 + at.ip_hdr;
        let (l2_hdr, ip_len) = (at.l3, at.ip_len);
        v.l3_off = at.l3 as u32;
        v.l4_off = l4 as u32;
        v.l2_hdr_len = l2_hdr as u16;
        v.l3_hdr_len = at.ip_hdr as u16;
        v.l3_len = ip_len as u32;
        v.l4_proto = at.proto;
        let l4_hdr = if at.later_fragment { 0 } else { at.l4_hdr };
        v.l4_hdr_len = l4_hdr as u16;
        v.l7_off = (l4 + l4_hdr) as u32;
        v.l7_len = (ip_len - at.ip_hdr - l4_hdr) as u16;
        v.len = u32::from(v.l7_len);
        let end = bytes.len();
        if v6 {
            v.l2_len = v.raw_len;
            v.snap_l3_len = (end - at.l3) as u32;
            v.snap_l4_len = (end - l4) as u16;
        } else {
            // the dissector clips the captured lengths to the datagram (Ethernet padding)
            v.l2_len = (ip_len + l2_hdr) as u32;
            v.snap_l2_len = v.snap_l2_len.min(v.l2_len);
            v.snap_l3_len = ip_len as u32;
            v.snap_l4_len = (ip_len - at.ip_hdr) as u16;
        }
        v.snap_l7_len = v.snap_l4_len.saturating_sub(l4_hdr as u16);
        let (src, dst) = match p.ip {
            Ip::V4(s, d) => ([&s[..], &[0; 12]].concat(), [&d[..], &[0; 12]].concat()),
            Ip::V6(s, d) => (s.to_vec(), d.to_vec()),
        };
        v.src_ip.copy_from_slice(&src);
        v.dst_ip.copy_from_slice(&dst);
        let (name, min_l3) = match at.proto {
            ipproto::TCP => (":tcp", 40),
            ipproto::UDP => (":udp", 28),
            ipproto::ICMP => (":icmp", 0),
            _ => (":icmpv6", 0),
        };
        desc(&mut v, name);
        if at.later_fragment {
            v.status |= STPDSCT;
        } else if let L4::Tcp(Tcp { sport, dport, .. }) | L4::Udp(sport, dport, _) = p.l4 {
            // IPv4 reads the ports only from a datagram long enough for the whole header
            if v6 || ip_len >= min_l3 {
                (v.src_port, v.dst_port) = (sport, dport);
            } else {
                v.status |= L4HDRSHRTLEN;
            }
        }
        let frag = ipv4::Ipv4::at(&bytes, at.l3).flags_frag();
        let ip = IpFacts {
            v6,
            ip_id: p.ip_id,
            first_fragment: !v6 && frag & (ipv4::FRAG_OFFSET | ipv4::MORE_FRAGS) == ipv4::MORE_FRAGS,
            later_fragment: at.later_fragment,
            more_fragments: !v6 && frag & ipv4::MORE_FRAGS != 0,
        };
        Frame { bytes, view: v, ip: Some(ip) }
    }
}

/// A timestamp of `sec` seconds and `ns` nanoseconds.
pub fn ts(sec: i64, ns: i64) -> Timestamp {
    Timestamp { sec, frac: ns }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{Ipv4, Ipv6};

    const A4: [u8; 4] = [10, 0, 0, 1];
    const B4: [u8; 4] = [10, 0, 0, 2];

    fn syn<'a>(opts: &'a [u8], payload: &'a [u8]) -> L4<'a> {
        L4::Tcp(Tcp {
            sport: 40000,
            dport: 80,
            seq: 7,
            flags: tcp::flags::SYN,
            win: 1000,
            opts,
            payload,
            ..Tcp::default()
        })
    }

    #[test]
    fn checksums_verify() {
        let f = packet(Ip::V4(A4, B4), syn(&[2, 4, 5, 0xb4], b"hi")).ip_options(&[148, 4, 0, 0]).frame();
        let p = f.packet();
        let ip = Ipv4::new(p.l3());
        assert_eq!(Checksum::new().add_bytes(&p.l3()[..24]).value(), 0);
        assert_eq!((ip.ttl(), ip.header_len(), ip.total_len()), (64, 24, 24 + 24 + 2));
        let pseudo = PseudoHeader::ipv4(A4, B4, ipproto::TCP, 26);
        assert_eq!(Checksum::new().add_bytes(pseudo.bytes()).add_bytes(p.l4()).value(), 0);
        let bad = packet(Ip::V4(A4, B4), syn(&[], b"")).bad_ip_checksum().bad_l4_checksum().frame();
        assert_ne!(Checksum::new().add_bytes(&bad.packet().l3()[..20]).value(), 0);
    }

    #[test]
    fn view_of_a_tagged_udp_datagram() {
        let f = packet(Ip::V4(A4, B4), L4::Udp(5000, 53, b"abcd")).vlans(&[0x0005, 0x2007]).frame();
        let v = f.view();
        assert_eq!(f.bytes().len(), 60, "padded");
        assert_eq!((v.l3_off, v.l4_off, v.l7_off, v.vlan_off), (22, 42, 50, 14));
        assert_eq!((v.l3_len, v.l2_len, v.len, v.snap_l2_len, v.snap_l7_len), (32, 54, 4, 54, 4));
        assert_eq!((v.vlan_id, v.vlan_hdr_cnt, v.src_port, v.dst_port), (7, 2, 5000, 53));
        assert_eq!(f.packet().hdr_desc(), b"eth:vlan{2}:ipv4:udp");
        assert_eq!(v.num_hdr_desc, 5);
        assert_eq!(f.packet().l7(), b"abcd\0\0\0\0\0\0");
    }

    #[test]
    fn ipv6_traffic_class_and_hop_limit() {
        let (s, d) = ([0x20; 16], [0x30; 16]);
        let f = packet(Ip::V6(s, d), syn(&[], b"")).tos(0xb0).ttl(200).frame();
        let ip = Ipv6::new(f.packet().l3());
        assert_eq!((ip.traffic_class(), ip.hop_limit(), ip.src(), ip.payload_len()), (0xb0, 200, s, 20));
        assert_eq!(f.view().src_ip, s);
    }

    #[test]
    fn fragments_cover_the_datagram() {
        let f = packet(Ip::V4(A4, B4), L4::Udp(5, 6, &[7; 100])).fragments(48);
        assert_eq!(f.len(), 3);
        let word = |i: usize| Ipv4::new(f[i].packet().l3()).flags_frag();
        assert_eq!((word(0), word(1), word(2)), (0x2000, 0x2006, 12));
        assert_eq!((f[0].view().src_port, f[1].view().src_port, f[1].view().l4_hdr_len), (5, 0, 0));
        assert!(f[0].ip_facts().unwrap().first_fragment && f[2].ip_facts().unwrap().later_fragment);
        assert_ne!(f[1].view().status & STPDSCT, 0);
    }

    #[test]
    fn arp_request() {
        let f = arp(1, MAC_A, A4, [0; 6], B4);
        assert_eq!(&f.bytes()[..6], &[0xff; 6]);
        assert_eq!((f.view().eth_type, f.view().pad_len, f.view().l7_off), (ethertype::ARP, 18, 14));
        assert_eq!(f.packet().hdr_desc(), b"eth:arp");
    }
}
