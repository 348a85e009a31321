//! IPv6 header (RFC 8200) and the extension headers T2 walks: hop-by-hop, destination
//! options and routing headers ([`Ipv6Ext`]) and the fragment header ([`Ipv6Frag`]).

use super::checksum::PseudoHeader;
use super::{array, be16, be32, slice, tail, u8_at, view};

/// Byte ranges of the fixed header's fields.
pub mod field {
    use crate::wire::{Field, Rest};

    /// Version (4 bits), traffic class (8), flow label (20).
    pub const VER_TC_FLOW: Field = 0..4;
    /// Payload length (extension headers included).
    pub const LENGTH: Field = 4..6;
    /// Next header ([`crate::wire::ipproto`]).
    pub const NXT_HDR: usize = 6;
    /// Hop limit.
    pub const HOP_LIMIT: usize = 7;
    /// Source address.
    pub const SRC: Field = 8..24;
    /// Destination address.
    pub const DST: Field = 24..40;
    /// What follows the fixed header.
    pub const PAYLOAD: Rest = 40..;
}

/// Length of the fixed header.
pub const HEADER_LEN: usize = field::PAYLOAD.start;

view! {
    /// An IPv6 header (see the [module contract](crate::wire): missing bytes read as 0).
    Ipv6, HEADER_LEN
}

impl<'a> Ipv6<'a> {
    /// Version (6 for a well-formed header).
    #[inline]
    pub fn version(&self) -> u8 {
        u8_at(self.b, 0) >> 4
    }

    /// Traffic class.
    #[inline]
    pub fn traffic_class(&self) -> u8 {
        (be16(self.b, 0) >> 4) as u8
    }

    /// Flow label.
    #[inline]
    pub fn flow_label(&self) -> u32 {
        be32(self.b, field::VER_TC_FLOW.start) & 0x000f_ffff
    }

    /// Payload length, as the header says (0 for a jumbogram).
    #[inline]
    pub fn payload_len(&self) -> u16 {
        be16(self.b, field::LENGTH.start)
    }

    /// Next header.
    #[inline]
    pub fn next_header(&self) -> u8 {
        u8_at(self.b, field::NXT_HDR)
    }

    /// Hop limit.
    #[inline]
    pub fn hop_limit(&self) -> u8 {
        u8_at(self.b, field::HOP_LIMIT)
    }

    /// Source address.
    #[inline]
    pub fn src(&self) -> [u8; 16] {
        array(self.b, field::SRC.start)
    }

    /// Destination address.
    #[inline]
    pub fn dst(&self) -> [u8; 16] {
        array(self.b, field::DST.start)
    }

    /// The captured bytes after the fixed header (extension headers first).
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        tail(self.b, field::PAYLOAD.start)
    }

    /// The pseudo header of a `len`-byte `proto` payload of this header, for its checksum.
    #[inline]
    pub fn pseudo_header(&self, proto: u8, len: u32) -> PseudoHeader {
        PseudoHeader::ipv6(self.src(), self.dst(), proto, len)
    }
}

/// Byte ranges of the fields hop-by-hop, destination options and routing headers share.
pub mod ext_field {
    /// Next header.
    pub const NXT_HDR: usize = 0;
    /// Header length in 8-byte units, not counting the first 8 bytes.
    pub const LENGTH: usize = 1;
    /// Options (or routing data), up to the header length.
    pub const DATA: crate::wire::Rest = 2..;
}

/// Length of the shortest extension header (a length field of 0).
pub const EXT_MIN_LEN: usize = 8;

view! {
    /// A hop-by-hop, destination options or routing header (see the
    /// [module contract](crate::wire): missing bytes read as 0).
    Ipv6Ext, EXT_MIN_LEN
}

impl<'a> Ipv6Ext<'a> {
    /// Next header.
    #[inline]
    pub fn next_header(&self) -> u8 {
        u8_at(self.b, ext_field::NXT_HDR)
    }

    /// Header length in bytes, as the header says.
    #[inline]
    pub fn header_len(&self) -> usize {
        (usize::from(u8_at(self.b, ext_field::LENGTH)) + 1) << 3
    }

    /// The captured options (or routing data): the header after its first two bytes.
    #[inline]
    pub fn data(&self) -> &'a [u8] {
        slice(self.b, ext_field::DATA.start..self.header_len())
    }
}

/// Byte ranges of the fragment header's fields.
pub mod frag_field {
    use crate::wire::Field;

    /// Next header.
    pub const NXT_HDR: usize = 0;
    /// Fragment offset (13 bits, in 8-byte units), two reserved bits, more-fragments bit.
    pub const OFFSET_M: Field = 2..4;
    /// Identification.
    pub const IDENT: Field = 4..8;
}

/// Length of the fragment header.
pub const FRAG_HEADER_LEN: usize = frag_field::IDENT.end;

view! {
    /// An IPv6 fragment header (see the [module contract](crate::wire): missing bytes read
    /// as 0).
    Ipv6Frag, FRAG_HEADER_LEN
}

impl Ipv6Frag<'_> {
    /// Next header.
    #[inline]
    pub fn next_header(&self) -> u8 {
        u8_at(self.b, frag_field::NXT_HDR)
    }

    /// The offset and more-fragments word.
    #[inline]
    pub fn offset_word(&self) -> u16 {
        be16(self.b, frag_field::OFFSET_M.start)
    }

    /// Fragment offset in 8-byte units (non-zero: a later fragment).
    #[inline]
    pub fn frag_offset(&self) -> u16 {
        self.offset_word() >> 3
    }

    /// The more-fragments flag.
    #[inline]
    pub fn more_frags(&self) -> bool {
        self.offset_word() & 1 != 0
    }

    /// Identification.
    #[inline]
    pub fn ident(&self) -> u32 {
        be32(self.b, frag_field::IDENT.start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::captured::{IPV6_HBH_MLD, IPV6_LATER_FRAG};
    use crate::wire::ipproto;

    #[test]
    fn reads_a_captured_header() {
        let ip = Ipv6::at(&IPV6_HBH_MLD, 14);
        assert_eq!((ip.version(), ip.traffic_class(), ip.flow_label()), (6, 0, 0));
        assert_eq!((ip.payload_len(), ip.next_header(), ip.hop_limit()), (36, ipproto::HOPOPTS, 1));
        assert_eq!(ip.src()[..2], [0xfe, 0x80]);
        assert_eq!(ip.src()[8..], [0x02, 0x15, 0x17, 0xff, 0xfe, 0xcc, 0xe5, 0x46]);
        assert_eq!(ip.dst(), [0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x16]);
        assert_eq!(ip.payload().len(), 36);
    }

    #[test]
    fn traffic_class_and_flow_label_straddle_bytes() {
        let ip = Ipv6::new(&[0x6b, 0x8f, 0x12, 0x34]);
        assert_eq!((ip.version(), ip.traffic_class(), ip.flow_label()), (6, 0xb8, 0xf_1234));
    }

    #[test]
    fn reads_a_captured_hop_by_hop_header() {
        let ext = Ipv6Ext::new(Ipv6::at(&IPV6_HBH_MLD, 14).payload());
        assert_eq!((ext.next_header(), ext.header_len()), (ipproto::ICMP6, EXT_MIN_LEN));
        assert!(ext.checked().is_some());
        // router alert (MLD), then a two-byte PadN
        assert_eq!(ext.data(), [0x05, 0x02, 0x00, 0x00, 0x01, 0x00]);
    }

    #[test]
    fn an_extension_header_longer_than_the_capture_gives_what_was_captured() {
        let ext = Ipv6Ext::new(&[ipproto::TCP, 3, 1, 2, 3]);
        assert_eq!(ext.checked(), None);
        assert_eq!(ext.header_len(), 32);
        assert_eq!(ext.data(), [1, 2, 3]);
    }

    #[test]
    fn reads_a_captured_later_fragment() {
        let ip = Ipv6::at(&IPV6_LATER_FRAG, 14);
        assert_eq!(ip.next_header(), ipproto::FRAGMENT);
        let f = Ipv6Frag::new(ip.payload());
        assert_eq!((f.next_header(), f.offset_word()), (ipproto::ICMP6, 0x05a8));
        assert_eq!((f.frag_offset(), f.more_frags(), f.ident()), (181, false, 0xcde0_0817));
    }

    #[test]
    fn a_fragment_header_cut_before_its_identification_reads_it_as_zero() {
        let f = Ipv6Frag::new(&[ipproto::UDP, 0, 0x00, 0x09, 0xab]);
        assert!(!f.has(FRAG_HEADER_LEN));
        assert_eq!((f.frag_offset(), f.more_frags(), f.ident()), (1, true, 0xab00_0000));
    }

    #[test]
    fn a_header_cut_in_its_source_address_reads_the_rest_as_zero() {
        let ip = Ipv6::new(&IPV6_HBH_MLD[14..24]);
        assert!(ip.has(field::HOP_LIMIT + 1) && !ip.has(field::SRC.end));
        assert_eq!(ip.src(), [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(ip.dst(), [0; 16]);
        assert!(ip.payload().is_empty());
    }
}
