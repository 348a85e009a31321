//! ARP / RARP message (RFC 826) for Ethernet and IPv4 addresses, the only kind T2 looks at.

use super::{array, be16, u8_at, view};

/// Byte ranges of the message fields (6-byte hardware and 4-byte protocol addresses).
pub mod field {
    use crate::wire::Field;

    /// Hardware type (1: Ethernet).
    pub const HTYPE: Field = 0..2;
    /// Protocol type (an EtherType).
    pub const PTYPE: Field = 2..4;
    /// Hardware address length.
    pub const HLEN: usize = 4;
    /// Protocol address length.
    pub const PLEN: usize = 5;
    /// Operation (1: request, 2: reply; 3 and 4 for RARP).
    pub const OPER: Field = 6..8;
    /// Sender hardware address.
    pub const SHA: Field = 8..14;
    /// Sender protocol address.
    pub const SPA: Field = 14..18;
    /// Target hardware address.
    pub const THA: Field = 18..24;
    /// Target protocol address.
    pub const TPA: Field = 24..28;
}

/// Length of a message with Ethernet and IPv4 addresses.
pub const HEADER_LEN: usize = field::TPA.end;

/// Operation: request.
pub const REQUEST: u16 = 1;
/// Operation: reply.
pub const REPLY: u16 = 2;

view! {
    /// An ARP message (see the [module contract](crate::wire): missing bytes read as 0).
    Arp, HEADER_LEN
}

impl Arp<'_> {
    /// Hardware type.
    #[inline]
    pub fn htype(&self) -> u16 {
        be16(self.b, field::HTYPE.start)
    }

    /// Protocol type.
    #[inline]
    pub fn ptype(&self) -> u16 {
        be16(self.b, field::PTYPE.start)
    }

    /// Hardware address length.
    #[inline]
    pub fn hlen(&self) -> u8 {
        u8_at(self.b, field::HLEN)
    }

    /// Protocol address length.
    #[inline]
    pub fn plen(&self) -> u8 {
        u8_at(self.b, field::PLEN)
    }

    /// Operation.
    #[inline]
    pub fn oper(&self) -> u16 {
        be16(self.b, field::OPER.start)
    }

    /// Sender hardware address.
    #[inline]
    pub fn sha(&self) -> [u8; 6] {
        array(self.b, field::SHA.start)
    }

    /// Sender protocol address.
    #[inline]
    pub fn spa(&self) -> [u8; 4] {
        array(self.b, field::SPA.start)
    }

    /// Target hardware address.
    #[inline]
    pub fn tha(&self) -> [u8; 6] {
        array(self.b, field::THA.start)
    }

    /// Target protocol address.
    #[inline]
    pub fn tpa(&self) -> [u8; 4] {
        array(self.b, field::TPA.start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::captured::QINQ_ARP;
    use crate::wire::ethertype;

    /// The ARP message of the capture, behind Ethernet and two tags.
    fn arp() -> Arp<'static> {
        Arp::at(&QINQ_ARP, 22)
    }

    #[test]
    fn reads_a_captured_request() {
        let a = arp();
        assert_eq!((a.htype(), a.ptype(), a.hlen(), a.plen()), (1, ethertype::IPV4, 6, 4));
        assert_eq!(a.oper(), REQUEST);
        assert_eq!(a.sha(), [0x00, 0x20, 0xd2, 0x5a, 0xfb, 0x3f]);
        assert_eq!(a.spa(), [172, 21, 79, 97]);
        assert_eq!(a.tha(), [0; 6]);
        assert_eq!(a.tpa(), [172, 21, 79, 100]);
        assert!(a.has(HEADER_LEN));
    }

    #[test]
    fn a_message_cut_in_the_target_address_reads_the_rest_as_zero() {
        let a = Arp::new(&arp().bytes()[..26]);
        assert!(!a.has(HEADER_LEN));
        assert_eq!(a.tpa(), [172, 21, 0, 0]);
    }
}
