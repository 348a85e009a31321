//! GRE header (RFC 2784, RFC 2890, and PPTP's enhanced GRE of RFC 2637): flags and version,
//! protocol, then optional fields whose presence the flags announce.

use super::{be16, be32, tail, u8_at, view};

/// Byte ranges of the fixed fields.
pub mod field {
    use crate::wire::Field;

    /// Flags (C R K S s Recur, high byte) and version (low 3 bits).
    pub const FLAGS_VER: Field = 0..2;
    /// Protocol of the payload (an EtherType).
    pub const PROTOCOL: Field = 2..4;
    /// The first optional field: the checksum when C is set, the payload length of enhanced
    /// GRE (version 1).
    pub const OPT0: Field = 4..6;
}

/// Length of the fixed part.
pub const HEADER_LEN: usize = field::PROTOCOL.end;
/// Checksum present (C), in the first flags byte.
pub const CHECKSUM_PRESENT: u8 = 0x80;
/// Flag bits of the first byte that each announce a 4-byte field (C, R, K, S and s, as T2
/// counts them: routing is skipped as one word, not walked).
pub const WORD_FLAGS: [u8; 5] = [0x80, 0x40, 0x20, 0x10, 0x08];
/// Acknowledgement present (A, enhanced GRE), in the second flags byte.
pub const ACK_PRESENT: u8 = 0x80;

view! {
    /// A GRE header (see the [module contract](crate::wire): missing bytes read as 0).
    Gre, HEADER_LEN
}

impl<'a> Gre<'a> {
    /// The flags and version word.
    #[inline]
    pub fn flags_ver(&self) -> u16 {
        be16(self.b, field::FLAGS_VER.start)
    }

    /// Version (0: GRE, 1: PPTP's enhanced GRE).
    #[inline]
    pub fn version(&self) -> u8 {
        u8_at(self.b, 1) & 0x07
    }

    /// Whether the checksum field is present (the C flag).
    #[inline]
    pub fn checksum_present(&self) -> bool {
        u8_at(self.b, 0) & CHECKSUM_PRESENT != 0
    }

    /// Protocol of the payload.
    #[inline]
    pub fn protocol(&self) -> u16 {
        be16(self.b, field::PROTOCOL.start)
    }

    /// The first optional 16-bit field (see [`field::OPT0`]).
    #[inline]
    pub fn opt0(&self) -> u16 {
        be16(self.b, field::OPT0.start)
    }

    /// The first four bytes as one big-endian word (T2's `greHdr`).
    #[inline]
    pub fn word(&self) -> u32 {
        be32(self.b, 0)
    }

    /// Header length with the optional fields the flags announce: 4 bytes per flag of
    /// [`WORD_FLAGS`] and for [`ACK_PRESENT`].
    #[inline]
    pub fn header_len(&self) -> usize {
        let (b0, b1) = (u8_at(self.b, 0), u8_at(self.b, 1));
        let words = WORD_FLAGS.iter().filter(|&&f| b0 & f != 0).count() + usize::from(b1 & ACK_PRESENT != 0);
        HEADER_LEN + 4 * words
    }

    /// The captured bytes after the header.
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        tail(self.b, self.header_len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::captured::GRE_ICMP;
    use crate::wire::{Ipv4, ethertype};

    #[test]
    fn reads_a_captured_header_without_options() {
        let g = Gre::at(&GRE_ICMP, 34);
        assert_eq!((g.flags_ver(), g.version(), g.protocol()), (0, 0, ethertype::IPV4));
        assert!(!g.checksum_present());
        assert_eq!((g.header_len(), g.word()), (4, 0x0000_0800));
        assert_eq!(Ipv4::new(g.payload()).total_len(), 84);
    }

    #[test]
    fn optional_fields_add_to_the_length() {
        // enhanced GRE: key and sequence number present, acknowledgement present, version 1
        let g = Gre::new(&[0x30, 0x81, 0x88, 0x0b, 0x00, 0x00, 0x12, 0x34]);
        assert_eq!((g.version(), g.protocol(), g.opt0()), (1, ethertype::PPP, 0));
        assert_eq!(g.header_len(), 16);
        assert!(g.payload().is_empty());
        // all five word flags
        assert_eq!(Gre::new(&[0xf8, 0x00]).header_len(), 24);
        assert!(Gre::new(&[0x80, 0x00]).checksum_present());
    }

    #[test]
    fn a_header_cut_in_the_protocol_reads_its_missing_byte_as_zero() {
        let g = Gre::new(&GRE_ICMP[34..37]);
        assert!(!g.has(HEADER_LEN));
        assert_eq!(g.protocol(), 0x0800);
        assert_eq!(Gre::new(&GRE_ICMP[34..36]).protocol(), 0);
    }
}
