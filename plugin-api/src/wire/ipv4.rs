//! IPv4 header (RFC 791).

use super::checksum::PseudoHeader;
use super::{array, be16, slice, tail, u8_at, view};

/// Byte ranges of the header fields.
pub mod field {
    use crate::wire::{Field, Rest};

    /// Version (high nibble) and header length in 32-bit words (low nibble).
    pub const VER_IHL: usize = 0;
    /// Type of service: DSCP and ECN.
    pub const TOS: usize = 1;
    /// Total length of the datagram.
    pub const LENGTH: Field = 2..4;
    /// Identification.
    pub const IDENT: Field = 4..6;
    /// Flags (3 bits) and fragment offset (13 bits, in 8-byte units).
    pub const FLAGS_FRAG: Field = 6..8;
    /// Time to live.
    pub const TTL: usize = 8;
    /// Protocol of the payload ([`crate::wire::ipproto`]).
    pub const PROTOCOL: usize = 9;
    /// Header checksum.
    pub const CHECKSUM: Field = 10..12;
    /// Source address.
    pub const SRC: Field = 12..16;
    /// Destination address.
    pub const DST: Field = 16..20;
    /// Options, up to the header length.
    pub const OPTIONS: Rest = 20..;
}

/// Length of a header without options.
pub const HEADER_LEN: usize = field::OPTIONS.start;
/// Fragment offset bits of the flags/offset word.
pub const FRAG_OFFSET: u16 = 0x1fff;
/// More-fragments bit of the flags/offset word.
pub const MORE_FRAGS: u16 = 0x2000;
/// Don't-fragment bit of the flags/offset word.
pub const DONT_FRAG: u16 = 0x4000;

view! {
    /// An IPv4 header (see the [module contract](crate::wire): missing bytes read as 0).
    Ipv4, HEADER_LEN
}

impl<'a> Ipv4<'a> {
    /// Version (4 for a well-formed header).
    #[inline]
    pub fn version(&self) -> u8 {
        u8_at(self.b, field::VER_IHL) >> 4
    }

    /// Header length in bytes, as the header says (IHL × 4; below 20 in a bad header).
    #[inline]
    pub fn header_len(&self) -> usize {
        usize::from(u8_at(self.b, field::VER_IHL) & 0x0f) << 2
    }

    /// Type of service byte (DSCP and ECN).
    #[inline]
    pub fn tos(&self) -> u8 {
        u8_at(self.b, field::TOS)
    }

    /// Total length of the datagram, as the header says.
    #[inline]
    pub fn total_len(&self) -> u16 {
        be16(self.b, field::LENGTH.start)
    }

    /// Identification.
    #[inline]
    pub fn ident(&self) -> u16 {
        be16(self.b, field::IDENT.start)
    }

    /// The flags and fragment-offset word.
    #[inline]
    pub fn flags_frag(&self) -> u16 {
        be16(self.b, field::FLAGS_FRAG.start)
    }

    /// Fragment offset in 8-byte units (non-zero: a later fragment).
    #[inline]
    pub fn frag_offset(&self) -> u16 {
        self.flags_frag() & FRAG_OFFSET
    }

    /// The more-fragments flag.
    #[inline]
    pub fn more_frags(&self) -> bool {
        self.flags_frag() & MORE_FRAGS != 0
    }

    /// The don't-fragment flag.
    #[inline]
    pub fn dont_frag(&self) -> bool {
        self.flags_frag() & DONT_FRAG != 0
    }

    /// Time to live.
    #[inline]
    pub fn ttl(&self) -> u8 {
        u8_at(self.b, field::TTL)
    }

    /// Protocol of the payload.
    #[inline]
    pub fn protocol(&self) -> u8 {
        u8_at(self.b, field::PROTOCOL)
    }

    /// Header checksum as written.
    #[inline]
    pub fn checksum(&self) -> u16 {
        be16(self.b, field::CHECKSUM.start)
    }

    /// Source address.
    #[inline]
    pub fn src(&self) -> [u8; 4] {
        array(self.b, field::SRC.start)
    }

    /// Destination address.
    #[inline]
    pub fn dst(&self) -> [u8; 4] {
        array(self.b, field::DST.start)
    }

    /// The captured options (between the fixed header and the header length).
    #[inline]
    pub fn options(&self) -> &'a [u8] {
        slice(self.b, field::OPTIONS.start..self.header_len())
    }

    /// The captured bytes after the header (by its header length).
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        tail(self.b, self.header_len())
    }

    /// The pseudo header of a `len`-byte `proto` payload of this header, for its checksum.
    #[inline]
    pub fn pseudo_header(&self, proto: u8, len: u16) -> PseudoHeader {
        PseudoHeader::ipv4(self.src(), self.dst(), proto, len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::captured::{GRE_ICMP, TCP_SYN};
    use crate::wire::{Checksum, ethernet, ipproto};

    fn syn() -> Ipv4<'static> {
        Ipv4::at(&TCP_SYN, ethernet::HEADER_LEN)
    }

    #[test]
    fn reads_a_captured_header() {
        let ip = syn();
        assert_eq!((ip.version(), ip.header_len(), ip.tos()), (4, 20, 0));
        assert_eq!((ip.total_len(), ip.ident()), (64, 0xdf8e));
        assert_eq!(ip.flags_frag(), DONT_FRAG);
        assert!(ip.dont_frag() && !ip.more_frags());
        assert_eq!(ip.frag_offset(), 0);
        assert_eq!((ip.ttl(), ip.protocol(), ip.checksum()), (64, ipproto::TCP, 0x6dd3));
        assert_eq!(ip.src(), [141, 142, 228, 5]);
        assert_eq!(ip.dst(), [192, 150, 187, 43]);
        assert!(ip.options().is_empty());
        assert_eq!(ip.payload().len(), 44);
    }

    #[test]
    fn the_captured_header_checksum_verifies() {
        let ip = syn();
        let hdr = &ip.bytes()[..ip.header_len()];
        assert_eq!(Checksum::new().add_bytes(hdr).remove(hdr, field::CHECKSUM).value(), ip.checksum());
        // over the whole header, the field included, the sum is all ones
        assert_eq!(Checksum::new().add_bytes(hdr).value(), 0);
    }

    #[test]
    fn reads_the_inner_header_of_a_tunnel() {
        // Ethernet, IPv4 (GRE), 4-byte GRE header, then the inner header
        let inner = Ipv4::at(&GRE_ICMP, 14 + 20 + 4);
        assert_eq!((inner.protocol(), inner.ttl(), inner.total_len()), (ipproto::ICMP, 64, 84));
        assert_eq!(inner.src(), [66, 59, 111, 190]);
    }

    #[test]
    fn options_stop_at_the_header_length_and_the_capture() {
        let mut b = [0u8; 28];
        b[0] = 0x46; // 24-byte header
        b[20..24].copy_from_slice(&[0x94, 0x04, 0, 0]); // router alert
        assert_eq!(Ipv4::new(&b).options(), [0x94, 0x04, 0, 0]);
        assert_eq!(Ipv4::new(&b).payload().len(), 4);
        assert_eq!(Ipv4::new(&b[..22]).options(), [0x94, 0x04]);
    }

    #[test]
    fn a_header_length_below_20_gives_no_options() {
        let mut b = TCP_SYN[14..].to_vec();
        b[0] = 0x42;
        let ip = Ipv4::new(&b);
        assert_eq!(ip.header_len(), 8);
        assert!(ip.options().is_empty());
        assert_eq!(ip.payload().len(), b.len() - 8);
    }

    #[test]
    fn a_later_fragment() {
        let mut b = TCP_SYN[14..34].to_vec();
        b[6..8].copy_from_slice(&0x2003u16.to_be_bytes());
        let ip = Ipv4::new(&b);
        assert!(ip.more_frags() && !ip.dont_frag());
        assert_eq!(ip.frag_offset(), 3);
    }

    #[test]
    fn a_header_cut_before_its_addresses_reads_them_as_zero() {
        let ip = Ipv4::new(&TCP_SYN[14..28]);
        assert!(ip.has(field::PROTOCOL + 1) && !ip.has(field::SRC.end));
        assert_eq!(ip.protocol(), ipproto::TCP);
        assert_eq!(ip.src(), [141, 142, 0, 0]);
        assert_eq!(ip.dst(), [0; 4]);
        assert!(ip.payload().is_empty());
    }

    #[test]
    fn an_empty_view_reads_zero() {
        let ip = Ipv4::new(&[]);
        assert_eq!((ip.version(), ip.header_len(), ip.total_len(), ip.protocol()), (0, 0, 0, 0));
        assert!(ip.options().is_empty() && ip.payload().is_empty());
    }
}
