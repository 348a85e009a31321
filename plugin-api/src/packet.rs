//! The packet a callback sees: T2's `packet_t` fields plus bounds-checked header slices.

use crate::abi::{NO_OFFSET, PacketView, Timestamp};
use crate::status;

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
}
