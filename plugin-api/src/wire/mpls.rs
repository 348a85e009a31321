//! MPLS label stack entry (RFC 3032).

use super::{be32, tail, view};

/// Byte ranges of the entry's fields.
pub mod field {
    use crate::wire::{Field, Rest};

    /// Label (20 bits), traffic class (3), bottom of stack (1), TTL (8).
    pub const ENTRY: Field = 0..4;
    /// Byte holding the traffic class and the bottom-of-stack bit (its lowest bit).
    pub const TC_S: usize = 2;
    /// What follows the entry.
    pub const PAYLOAD: Rest = 4..;
}

/// Length of one entry.
pub const HEADER_LEN: usize = field::PAYLOAD.start;

view! {
    /// An MPLS label stack entry (see the [module contract](crate::wire): missing bytes read as 0).
    Mpls, HEADER_LEN
}

impl<'a> Mpls<'a> {
    /// The whole entry as one big-endian word.
    #[inline]
    pub fn word(&self) -> u32 {
        be32(self.b, field::ENTRY.start)
    }

    /// Label.
    #[inline]
    pub fn label(&self) -> u32 {
        self.word() >> 12
    }

    /// Traffic class (formerly EXP).
    #[inline]
    pub fn tc(&self) -> u8 {
        ((self.word() >> 9) & 0x07) as u8
    }

    /// Bottom of stack: the last entry.
    #[inline]
    pub fn bottom(&self) -> bool {
        super::u8_at(self.b, field::TC_S) & 1 != 0
    }

    /// Time to live.
    #[inline]
    pub fn ttl(&self) -> u8 {
        self.word() as u8
    }

    /// The captured bytes after the entry.
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        tail(self.b, field::PAYLOAD.start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::captured::MPLS_TCP;
    use crate::wire::ethernet;

    #[test]
    fn reads_a_captured_entry() {
        let m = Mpls::at(&MPLS_TCP, ethernet::HEADER_LEN);
        assert_eq!(m.word(), 0x0001_ddff);
        assert_eq!((m.label(), m.tc(), m.bottom(), m.ttl()), (29, 6, true, 255));
        assert_eq!(m.payload()[0], 0x45);
    }

    #[test]
    fn an_entry_cut_before_its_bottom_bit_is_not_the_bottom() {
        let m = Mpls::new(&MPLS_TCP[14..16]);
        assert!(!m.has(field::TC_S + 1));
        assert!(!m.bottom());
        assert_eq!(m.word(), 0x0001_0000);
    }
}
