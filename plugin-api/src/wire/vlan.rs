//! IEEE 802.1Q / 802.1ad VLAN tag: the four bytes that follow a tag protocol identifier
//! ([`crate::wire::ethertype::is_vlan`]), T2's VLAN header.

use super::{be16, be32, tail, view};

/// Byte ranges of the tag fields.
pub mod field {
    use crate::wire::{Field, Rest};

    /// Tag control information: priority (3 bits), drop eligible (1), VLAN ID (12).
    pub const TCI: Field = 0..2;
    /// EtherType of what follows (another tag protocol identifier when tags are stacked).
    pub const ETHERTYPE: Field = 2..4;
    /// What follows the tag.
    pub const PAYLOAD: Rest = 4..;
}

/// Length of a tag (the identifier in front of it not counted).
pub const HEADER_LEN: usize = field::PAYLOAD.start;

view! {
    /// A VLAN tag (see the [module contract](crate::wire): missing bytes read as 0).
    Vlan, HEADER_LEN
}

impl<'a> Vlan<'a> {
    /// Tag control information.
    #[inline]
    pub fn tci(&self) -> u16 {
        be16(self.b, field::TCI.start)
    }

    /// Priority code point.
    #[inline]
    pub fn pcp(&self) -> u8 {
        (self.tci() >> 13) as u8
    }

    /// Drop eligible indicator.
    #[inline]
    pub fn dei(&self) -> bool {
        self.tci() & 0x1000 != 0
    }

    /// VLAN identifier (0: priority tag only).
    #[inline]
    pub fn vid(&self) -> u16 {
        self.tci() & 0x0fff
    }

    /// EtherType of what follows.
    #[inline]
    pub fn ethertype(&self) -> u16 {
        be16(self.b, field::ETHERTYPE.start)
    }

    /// The whole tag as one big-endian word: TCI, then the EtherType (T2's `vlanHdr`).
    #[inline]
    pub fn word(&self) -> u32 {
        be32(self.b, 0)
    }

    /// The captured bytes after the tag.
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        tail(self.b, field::PAYLOAD.start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::captured::QINQ_ARP;
    use crate::wire::{ethernet, ethertype};

    #[test]
    fn reads_stacked_tags() {
        // service tag 0x88a8 with VID 200, then customer tag 0x8100 with VID 2001 and PCP 0
        let outer = Vlan::at(&QINQ_ARP, ethernet::HEADER_LEN);
        assert_eq!((outer.vid(), outer.pcp(), outer.dei()), (200, 0, false));
        assert_eq!(outer.ethertype(), ethertype::VLAN);
        assert_eq!(outer.word(), 0x00c8_8100);
        let inner = Vlan::new(outer.payload()).checked().expect("a whole tag");
        assert_eq!((inner.tci(), inner.vid()), (0x07d1, 2001));
        assert_eq!(inner.ethertype(), ethertype::ARP);
        assert_eq!(inner.payload()[..2], [0x00, 0x01]);
    }

    #[test]
    fn priority_and_drop_eligible_bits() {
        let v = Vlan::new(&[0xb0, 0x05, 0x08, 0x00]);
        assert_eq!((v.pcp(), v.dei(), v.vid()), (5, true, 5));
    }

    #[test]
    fn a_tag_cut_after_its_tci_has_type_zero() {
        let v = Vlan::new(&QINQ_ARP[14..16]);
        assert!(v.has(field::TCI.end) && !v.has(field::ETHERTYPE.end));
        assert_eq!(v.checked(), None);
        assert_eq!((v.vid(), v.ethertype(), v.word()), (200, 0, 0x00c8_0000));
    }
}
