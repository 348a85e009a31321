//! The packet a callback sees: T2's `packet_t` fields plus bounds-checked header slices.

use crate::abi::{NO_OFFSET, PacketView, Timestamp};
use crate::status;

/// IP protocol number of TCP.
const IPPROTO_TCP: u8 = 6;

/// A dissected packet, valid for the duration of one callback.
#[derive(Clone, Copy, Debug)]
pub struct Packet<'a> {
    view: &'a PacketView,
    data: &'a [u8],
}

impl<'a> Packet<'a> {
    /// Wraps a view and its captured bytes (`data.len() == view.snap_len`).
    pub fn new(view: &'a PacketView, data: &'a [u8]) -> Packet<'a> {
        Packet { view, data }
    }

    /// All fields as the core filled them.
    pub fn view(&self) -> &'a PacketView {
        self.view
    }

    /// Packet status bits.
    pub fn status(&self) -> u64 {
        self.view.status
    }

    /// Capture time.
    pub fn ts(&self) -> Timestamp {
        self.view.ts
    }

    /// The captured bytes.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// Captured bytes from `off` on; empty when the header is absent or not captured.
    pub fn from_offset(&self, off: u32) -> &'a [u8] {
        if off == NO_OFFSET {
            return &[];
        }
        self.data.get(off as usize..).unwrap_or(&[])
    }

    /// Layer 2 header and everything after it.
    pub fn l2(&self) -> &'a [u8] {
        self.from_offset(self.view.l2_off)
    }

    /// Innermost IP header and everything after it.
    pub fn l3(&self) -> &'a [u8] {
        self.from_offset(self.view.l3_off)
    }

    /// Layer 4 header and everything after it.
    pub fn l4(&self) -> &'a [u8] {
        self.from_offset(self.view.l4_off)
    }

    /// Layer 7 payload.
    pub fn l7(&self) -> &'a [u8] {
        self.from_offset(self.view.l7_off)
    }

    /// Header description, e.g. `eth:vlan{2}:ipv4:tcp`.
    pub fn hdr_desc(&self) -> &'a [u8] {
        &self.view.hdr_desc[..usize::from(self.view.hdr_desc_len).min(self.view.hdr_desc.len())]
    }

    /// IP protocol of the innermost IP header.
    pub fn l4_proto(&self) -> u8 {
        self.view.l4_proto
    }

    /// True for packets of IPv6 flows.
    pub fn is_ipv6(&self) -> bool {
        self.view.status & status::L2_IPV6 != 0
    }

    /// True for packets of IPv4 flows.
    pub fn is_ipv4(&self) -> bool {
        self.view.status & status::L2_IPV4 != 0
    }

    /// IP version of the packet's flow: 6, 4, or 0.
    pub fn ip_ver(&self) -> u8 {
        if self.is_ipv6() {
            6
        } else if self.is_ipv4() {
            4
        } else {
            0
        }
    }

    /// TTL (IPv4) or hop limit (IPv6) of the innermost IP header; 0 when it was not captured.
    pub fn ip_ttl(&self) -> u8 {
        let ip = self.l3();
        let at = if ip.first().is_some_and(|b| b >> 4 == 6) { 7 } else { 8 };
        ip.get(at).copied().unwrap_or(0)
    }

    /// The raw advertised window of the TCP header (no scaling applied); `None` when the packet
    /// has no TCP header (not TCP, or a later fragment) or the field was not captured.
    pub fn tcp_window(&self) -> Option<u16> {
        if !self.is_first_fragment() {
            return None;
        }
        self.tcp_field(14).map(u16::from_be_bytes)
    }

    /// False for the second and later fragments of an IP datagram (T2's `t2_is_first_fragment`):
    /// only first fragments carry the layer 4 header.
    pub fn is_first_fragment(&self) -> bool {
        if self.is_ipv6() {
            let frag = self.from_offset(self.view.ip6_frag_off);
            // fragment offset field: bytes 2..4, offset in the upper 13 bits
            !(frag.len() >= 4 && (u16::from_be_bytes([frag[2], frag[3]]) & 0xfff8) != 0)
        } else {
            let ip = self.l3();
            !(ip.len() >= 8 && (u16::from_be_bytes([ip[6], ip[7]]) & 0x1fff) != 0)
        }
    }

    /// Captured bytes of the TCP header from `off`, if this is a TCP packet and `N` bytes are
    /// there. Later fragments carry no TCP header: check [`Packet::is_first_fragment`] first.
    fn tcp_field<const N: usize>(&self, off: usize) -> Option<[u8; N]> {
        if self.view.l4_proto != IPPROTO_TCP {
            return None;
        }
        self.l4().get(off..off + N)?.try_into().ok()
    }

    /// TCP flags byte (header offset 13: CWR ECE URG ACK PSH RST SYN FIN), as T2 plugins read
    /// it (`*((uint8_t*)tcpHdrP + 13)`); `None` for non-TCP packets or when not captured.
    pub fn tcp_flags(&self) -> Option<u8> {
        self.tcp_field::<1>(13).map(|[f]| f)
    }

    /// TCP sequence number (host order); `None` for non-TCP packets or when not captured.
    pub fn tcp_seq(&self) -> Option<u32> {
        self.tcp_field(4).map(u32::from_be_bytes)
    }

    /// TCP acknowledgement number (host order, whether or not ACK is set); `None` for non-TCP
    /// packets or when not captured.
    pub fn tcp_ack(&self) -> Option<u32> {
        self.tcp_field(8).map(u32::from_be_bytes)
    }
}
