//! The packet a callback sees: T2's `packet_t` fields plus bounds-checked header slices and
//! [`wire`](crate::wire) views of its headers.

use crate::abi::{NO_OFFSET, PacketView, Timestamp};
use crate::status;
use crate::wire::{Ipv4, Ipv6, Ipv6Frag, Tcp, Udp, ipproto, ipv4, ipv6, tcp};

/// A dissected packet, valid for the duration of one callback.
#[derive(Clone, Copy, Debug)]
pub struct Packet<'a> {
    view: &'a PacketView,
    data: &'a [u8],
}

impl<'a> Packet<'a> {
    /// Wraps a view and its captured bytes (`data.len() == view.snap_len`).
    #[inline]
    pub fn new(view: &'a PacketView, data: &'a [u8]) -> Packet<'a> {
        Packet { view, data }
    }

    /// All fields as the core filled them.
    #[inline]
    pub fn view(&self) -> &'a PacketView {
        self.view
    }

    /// Packet status bits.
    #[inline]
    pub fn status(&self) -> u64 {
        self.view.status
    }

    /// Capture time.
    #[inline]
    pub fn ts(&self) -> Timestamp {
        self.view.ts
    }

    /// The captured bytes.
    #[inline]
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// Captured bytes from `off` on; empty when the header is absent or not captured.
    #[inline]
    pub fn from_offset(&self, off: u32) -> &'a [u8] {
        if off == NO_OFFSET {
            return &[];
        }
        self.data.get(off as usize..).unwrap_or(&[])
    }

    /// Layer 2 header and everything after it.
    #[inline]
    pub fn l2(&self) -> &'a [u8] {
        self.from_offset(self.view.l2_off)
    }

    /// Innermost IP header and everything after it.
    #[inline]
    pub fn l3(&self) -> &'a [u8] {
        self.from_offset(self.view.l3_off)
    }

    /// Layer 4 header and everything after it.
    #[inline]
    pub fn l4(&self) -> &'a [u8] {
        self.from_offset(self.view.l4_off)
    }

    /// Layer 7 payload.
    #[inline]
    pub fn l7(&self) -> &'a [u8] {
        self.from_offset(self.view.l7_off)
    }

    /// Header description, e.g. `eth:vlan{2}:ipv4:tcp`.
    #[inline]
    pub fn hdr_desc(&self) -> &'a [u8] {
        &self.view.hdr_desc[..usize::from(self.view.hdr_desc_len).min(self.view.hdr_desc.len())]
    }

    /// IP protocol of the innermost IP header.
    #[inline]
    pub fn l4_proto(&self) -> u8 {
        self.view.l4_proto
    }

    /// True for packets of IPv6 flows.
    #[inline]
    pub fn is_ipv6(&self) -> bool {
        self.view.status & status::L2_IPV6 != 0
    }

    /// True for packets of IPv4 flows.
    #[inline]
    pub fn is_ipv4(&self) -> bool {
        self.view.status & status::L2_IPV4 != 0
    }

    /// IP version of the packet's flow: 6, 4, or 0.
    #[inline]
    pub fn ip_ver(&self) -> u8 {
        if self.is_ipv6() {
            6
        } else if self.is_ipv4() {
            4
        } else {
            0
        }
    }

    /// The innermost IP header as IPv4, for packets of IPv4 flows.
    #[inline]
    pub fn ipv4(&self) -> Option<Ipv4<'a>> {
        self.is_ipv4().then(|| Ipv4::new(self.l3()))
    }

    /// The innermost IP header as IPv6, for packets of IPv6 flows.
    #[inline]
    pub fn ipv6(&self) -> Option<Ipv6<'a>> {
        self.is_ipv6().then(|| Ipv6::new(self.l3()))
    }

    /// TTL (IPv4) or hop limit (IPv6) of the innermost IP header, by the flow's IP version as
    /// T2's `PACKET_IS_IPV6`; 0 when it was not captured or the packet is not IP.
    #[inline]
    pub fn ip_ttl(&self) -> u8 {
        match (self.ipv6(), self.ipv4()) {
            (Some(ip), _) => ip.hop_limit(),
            (None, Some(ip)) => ip.ttl(),
            (None, None) => 0,
        }
    }

    /// The TCP header, when the innermost IP header carries TCP. A later fragment has none,
    /// but T2 plugins that read one there read the fragment's payload: check
    /// [`Packet::is_first_fragment`] where that matters.
    #[inline]
    pub fn tcp(&self) -> Option<Tcp<'a>> {
        (self.view.l4_proto == ipproto::TCP).then(|| Tcp::new(self.l4()))
    }

    /// The UDP (or UDP-Lite) header, when the innermost IP header carries UDP or UDP-Lite (same
    /// caveat about later fragments as [`Packet::tcp`]).
    #[inline]
    pub fn udp(&self) -> Option<Udp<'a>> {
        matches!(self.view.l4_proto, ipproto::UDP | ipproto::UDPLITE).then(|| Udp::new(self.l4()))
    }

    /// The raw advertised window of the TCP header (no scaling applied); `None` when the packet
    /// has no TCP header (not TCP, or a later fragment) or the field was not captured.
    #[inline]
    pub fn tcp_window(&self) -> Option<u16> {
        if !self.is_first_fragment() {
            return None;
        }
        self.tcp().filter(|t| t.has(tcp::field::WINDOW.end)).map(|t| t.window())
    }

    /// False for the second and later fragments of an IP datagram (T2's `t2_is_first_fragment`):
    /// only first fragments carry the layer 4 header.
    #[inline]
    pub fn is_first_fragment(&self) -> bool {
        if self.is_ipv6() {
            let frag = Ipv6Frag::new(self.from_offset(self.view.ip6_frag_off));
            !(frag.has(ipv6::frag_field::OFFSET_M.end) && frag.frag_offset() != 0)
        } else {
            let ip = Ipv4::new(self.l3());
            !(ip.has(ipv4::field::FLAGS_FRAG.end) && ip.frag_offset() != 0)
        }
    }

    /// TCP flags byte (CWR ECE URG ACK PSH RST SYN FIN, [`tcp::flags`]), as T2 plugins read it
    /// (`*((uint8_t*)tcpHdrP + 13)`); `None` for non-TCP packets or when not captured.
    #[inline]
    pub fn tcp_flags(&self) -> Option<u8> {
        self.tcp().filter(|t| t.has(tcp::field::FLAGS + 1)).map(|t| t.flags())
    }

    /// TCP sequence number (host order); `None` for non-TCP packets or when not captured.
    #[inline]
    pub fn tcp_seq(&self) -> Option<u32> {
        self.tcp().filter(|t| t.has(tcp::field::SEQ.end)).map(|t| t.seq())
    }

    /// TCP acknowledgement number (host order, whether or not ACK is set); `None` for non-TCP
    /// packets or when not captured.
    #[inline]
    pub fn tcp_ack(&self) -> Option<u32> {
        self.tcp().filter(|t| t.has(tcp::field::ACK.end)).map(|t| t.ack())
    }
}
