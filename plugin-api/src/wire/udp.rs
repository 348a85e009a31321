//! UDP header (RFC 768); UDP-Lite (RFC 3828) has the same layout, with a checksum coverage
//! instead of the length.

use super::{be16, tail, view};

/// Byte ranges of the header fields.
pub mod field {
    use crate::wire::{Field, Rest};

    /// Source port.
    pub const SRC_PORT: Field = 0..2;
    /// Destination port.
    pub const DST_PORT: Field = 2..4;
    /// Length of header and payload (UDP-Lite: checksum coverage).
    pub const LENGTH: Field = 4..6;
    /// Checksum.
    pub const CHECKSUM: Field = 6..8;
    /// Payload.
    pub const PAYLOAD: Rest = 8..;
}

/// Length of the header.
pub const HEADER_LEN: usize = field::PAYLOAD.start;

view! {
    /// A UDP or UDP-Lite header (see the [module contract](crate::wire): missing bytes read
    /// as 0).
    Udp, HEADER_LEN
}

impl<'a> Udp<'a> {
    /// Source port.
    #[inline]
    pub fn src_port(&self) -> u16 {
        be16(self.b, field::SRC_PORT.start)
    }

    /// Destination port.
    #[inline]
    pub fn dst_port(&self) -> u16 {
        be16(self.b, field::DST_PORT.start)
    }

    /// Length field (UDP-Lite: checksum coverage), as the header says.
    #[inline]
    pub fn length(&self) -> u16 {
        be16(self.b, field::LENGTH.start)
    }

    /// Checksum as written (0: none, over IPv4).
    #[inline]
    pub fn checksum(&self) -> u16 {
        be16(self.b, field::CHECKSUM.start)
    }

    /// The captured bytes after the header.
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        tail(self.b, field::PAYLOAD.start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::captured::UDP_MDNS;

    #[test]
    fn reads_a_captured_header() {
        let u = Udp::at(&UDP_MDNS, 34);
        assert_eq!((u.src_port(), u.dst_port(), u.length(), u.checksum()), (5353, 5353, 53, 0x7f62));
        assert_eq!(u.payload().len(), 45);
        assert!(u.has(HEADER_LEN));
    }

    #[test]
    fn a_header_cut_in_the_length_reads_its_missing_byte_as_zero() {
        let u = Udp::new(&UDP_MDNS[34..39]);
        assert!(u.has(field::DST_PORT.end) && !u.has(field::LENGTH.end));
        assert_eq!((u.dst_port(), u.length(), u.checksum()), (5353, 0, 0));
        assert!(u.payload().is_empty());
    }
}
