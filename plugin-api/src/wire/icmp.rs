//! ICMP (RFC 792) and ICMPv6 (RFC 4443) header: both start with type, code and checksum; echo
//! messages go on with an identifier and a sequence number.

use super::{be16, tail, u8_at, view};

/// Byte ranges of the header fields.
pub mod field {
    use crate::wire::{Field, Rest};

    /// Message type.
    pub const TYPE: usize = 0;
    /// Message code.
    pub const CODE: usize = 1;
    /// Checksum (ICMPv6: with the IPv6 pseudo header).
    pub const CHECKSUM: Field = 2..4;
    /// Echo identifier (the first half of the type-specific word).
    pub const IDENT: Field = 4..6;
    /// Echo sequence number (its second half).
    pub const SEQ: Field = 6..8;
    /// What follows the header.
    pub const PAYLOAD: Rest = 8..;
}

/// Length of the header (type-specific word included).
pub const HEADER_LEN: usize = field::PAYLOAD.start;

/// ICMP type: echo reply.
pub const ECHO_REPLY: u8 = 0;
/// ICMP type: destination unreachable.
pub const DEST_UNREACH: u8 = 3;
/// ICMP type: source quench.
pub const SOURCE_QUENCH: u8 = 4;
/// ICMP type: redirect.
pub const REDIRECT: u8 = 5;
/// ICMP type: echo request.
pub const ECHO_REQUEST: u8 = 8;
/// ICMP type: time exceeded.
pub const TIME_EXCEEDED: u8 = 11;
/// ICMP type: timestamp request.
pub const TIMESTAMP: u8 = 13;
/// ICMP type: timestamp reply.
pub const TIMESTAMP_REPLY: u8 = 14;
/// ICMP type: traceroute (RFC 1393).
pub const TRACEROUTE: u8 = 30;
/// ICMPv6 type: destination unreachable.
pub const V6_DEST_UNREACH: u8 = 1;
/// ICMPv6 type: packet too big.
pub const V6_PKT_TOO_BIG: u8 = 2;
/// ICMPv6 type: time exceeded.
pub const V6_TIME_EXCEEDED: u8 = 3;
/// ICMPv6 type: parameter problem.
pub const V6_PARAM_PROBLEM: u8 = 4;
/// ICMPv6 type: echo request.
pub const V6_ECHO_REQUEST: u8 = 128;
/// ICMPv6 type: echo reply.
pub const V6_ECHO_REPLY: u8 = 129;

view! {
    /// An ICMP or ICMPv6 header (see the [module contract](crate::wire): missing bytes read
    /// as 0).
    Icmp, HEADER_LEN
}

impl<'a> Icmp<'a> {
    /// Message type.
    #[inline]
    pub fn kind(&self) -> u8 {
        u8_at(self.b, field::TYPE)
    }

    /// Message code.
    #[inline]
    pub fn code(&self) -> u8 {
        u8_at(self.b, field::CODE)
    }

    /// Checksum as written.
    #[inline]
    pub fn checksum(&self) -> u16 {
        be16(self.b, field::CHECKSUM.start)
    }

    /// Echo identifier.
    #[inline]
    pub fn ident(&self) -> u16 {
        be16(self.b, field::IDENT.start)
    }

    /// Echo sequence number.
    #[inline]
    pub fn seq(&self) -> u16 {
        be16(self.b, field::SEQ.start)
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
    use crate::wire::captured::GRE_ICMP;

    #[test]
    fn reads_a_captured_echo_request() {
        let m = Icmp::at(&GRE_ICMP, 58);
        assert_eq!((m.kind(), m.code(), m.checksum()), (ECHO_REQUEST, 0, 0x46c9));
        assert_eq!((m.ident(), m.seq()), (0xcb68, 0x0100));
        assert_eq!(m.payload().len(), 56);
    }

    #[test]
    fn a_header_cut_after_its_checksum_reads_the_echo_fields_as_zero() {
        let m = Icmp::new(&GRE_ICMP[58..62]);
        assert!(m.has(field::CHECKSUM.end) && !m.has(field::IDENT.end));
        assert_eq!((m.checksum(), m.ident(), m.seq()), (0x46c9, 0, 0));
    }
}
