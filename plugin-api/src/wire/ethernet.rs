//! Ethernet II / IEEE 802.3 header.

use super::{array, be16, tail, view};

/// Byte ranges of the header fields.
pub mod field {
    use crate::wire::{Field, Rest};

    /// Destination MAC address.
    pub const DST: Field = 0..6;
    /// Source MAC address.
    pub const SRC: Field = 6..12;
    /// EtherType (or 802.3 length, see [`crate::wire::ethertype::LLC_LEN`]).
    pub const ETHERTYPE: Field = 12..14;
    /// What follows the header.
    pub const PAYLOAD: Rest = 14..;
}

/// Length of the header.
pub const HEADER_LEN: usize = field::PAYLOAD.start;

view! {
    /// An Ethernet header (see the [module contract](crate::wire): missing bytes read as 0).
    Ethernet, HEADER_LEN
}

impl<'a> Ethernet<'a> {
    /// Destination MAC address.
    #[inline]
    pub fn dst(&self) -> [u8; 6] {
        array(self.b, field::DST.start)
    }

    /// Source MAC address.
    #[inline]
    pub fn src(&self) -> [u8; 6] {
        array(self.b, field::SRC.start)
    }

    /// EtherType, or the 802.3 length.
    #[inline]
    pub fn ethertype(&self) -> u16 {
        be16(self.b, field::ETHERTYPE.start)
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
    use crate::wire::captured::TCP_SYN;
    use crate::wire::ethertype;

    #[test]
    fn reads_a_captured_header() {
        let e = Ethernet::new(&TCP_SYN);
        assert_eq!(e.dst(), [0x00, 0x10, 0xdb, 0x88, 0xd2, 0xef]);
        assert_eq!(e.src(), [0xc8, 0xbc, 0xc8, 0x96, 0xd2, 0xa0]);
        assert_eq!(e.ethertype(), ethertype::IPV4);
        assert_eq!(e.payload()[0], 0x45);
        assert!(e.has(HEADER_LEN));
    }

    #[test]
    fn a_header_cut_in_the_type_field_reads_its_missing_byte_as_zero() {
        let e = Ethernet::new(&TCP_SYN[..13]);
        assert!(!e.has(field::ETHERTYPE.end));
        assert_eq!(e.src(), [0xc8, 0xbc, 0xc8, 0x96, 0xd2, 0xa0]);
        assert_eq!(e.ethertype(), 0x0800);
        assert!(e.payload().is_empty());
    }

    #[test]
    fn a_view_past_the_end_is_empty_and_reads_zero() {
        let e = Ethernet::at(&TCP_SYN, 1000);
        assert!(e.bytes().is_empty());
        assert_eq!((e.dst(), e.src(), e.ethertype()), ([0; 6], [0; 6], 0));
    }
}
