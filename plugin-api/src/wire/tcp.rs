//! TCP header (RFC 9293), its flag bits and option kinds.

use super::{be16, be32, slice, tail, u8_at, view};

/// Byte ranges of the header fields.
pub mod field {
    use crate::wire::{Field, Rest};

    /// Source port.
    pub const SRC_PORT: Field = 0..2;
    /// Destination port.
    pub const DST_PORT: Field = 2..4;
    /// Sequence number.
    pub const SEQ: Field = 4..8;
    /// Acknowledgement number.
    pub const ACK: Field = 8..12;
    /// Data offset (header length in 32-bit words, high nibble).
    pub const DATA_OFF: usize = 12;
    /// Flags ([`super::flags`]).
    pub const FLAGS: usize = 13;
    /// Advertised window (before scaling).
    pub const WINDOW: Field = 14..16;
    /// Checksum.
    pub const CHECKSUM: Field = 16..18;
    /// Urgent pointer.
    pub const URGENT: Field = 18..20;
    /// Options, up to the header length.
    pub const OPTIONS: Rest = 20..;
}

/// Length of a header without options.
pub const HEADER_LEN: usize = field::OPTIONS.start;

/// Flag bits of the flags byte.
pub mod flags {
    /// No more data from the sender.
    pub const FIN: u8 = 0x01;
    /// Synchronise sequence numbers.
    pub const SYN: u8 = 0x02;
    /// Reset the connection.
    pub const RST: u8 = 0x04;
    /// Push.
    pub const PSH: u8 = 0x08;
    /// The acknowledgement number is valid.
    pub const ACK: u8 = 0x10;
    /// The urgent pointer is valid.
    pub const URG: u8 = 0x20;
    /// ECN echo.
    pub const ECE: u8 = 0x40;
    /// Congestion window reduced.
    pub const CWR: u8 = 0x80;
}

/// Option kinds.
pub mod option {
    /// End of the option list.
    pub const END: u8 = 0;
    /// No operation (padding).
    pub const NOP: u8 = 1;
    /// Maximum segment size.
    pub const MSS: u8 = 2;
    /// Window scale.
    pub const WSCALE: u8 = 3;
    /// SACK permitted.
    pub const SACK_PERM: u8 = 4;
    /// Selective acknowledgement.
    pub const SACK: u8 = 5;
    /// Timestamps.
    pub const TIMESTAMP: u8 = 8;
    /// Multipath TCP.
    pub const MPTCP: u8 = 30;
}

view! {
    /// A TCP header (see the [module contract](crate::wire): missing bytes read as 0).
    Tcp, HEADER_LEN
}

impl<'a> Tcp<'a> {
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

    /// Sequence number.
    #[inline]
    pub fn seq(&self) -> u32 {
        be32(self.b, field::SEQ.start)
    }

    /// Acknowledgement number (whether or not ACK is set).
    #[inline]
    pub fn ack(&self) -> u32 {
        be32(self.b, field::ACK.start)
    }

    /// Header length in bytes, as the data offset says (below 20 in a bad header).
    #[inline]
    pub fn header_len(&self) -> usize {
        usize::from(u8_at(self.b, field::DATA_OFF) >> 4) << 2
    }

    /// The flags byte: CWR ECE URG ACK PSH RST SYN FIN ([`flags`]).
    #[inline]
    pub fn flags(&self) -> u8 {
        u8_at(self.b, field::FLAGS)
    }

    /// Advertised window, unscaled.
    #[inline]
    pub fn window(&self) -> u16 {
        be16(self.b, field::WINDOW.start)
    }

    /// Checksum as written.
    #[inline]
    pub fn checksum(&self) -> u16 {
        be16(self.b, field::CHECKSUM.start)
    }

    /// Urgent pointer.
    #[inline]
    pub fn urgent(&self) -> u16 {
        be16(self.b, field::URGENT.start)
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::captured::{MPLS_TCP, TCP_SYN};

    fn syn() -> Tcp<'static> {
        Tcp::at(&TCP_SYN, 34)
    }

    #[test]
    fn reads_a_captured_syn() {
        let t = syn();
        assert_eq!((t.src_port(), t.dst_port()), (59856, 80));
        assert_eq!((t.seq(), t.ack()), (0xfe21_323a, 0));
        assert_eq!((t.header_len(), t.flags()), (44, flags::SYN));
        assert_eq!((t.window(), t.checksum(), t.urgent()), (65535, 0x3bc0, 0));
        assert!(t.payload().is_empty());
    }

    #[test]
    fn the_captured_options_walk_to_the_header_length() {
        let o = syn().options();
        assert_eq!(o.len(), 24);
        let mut kinds = Vec::new();
        let mut i = 0;
        while i < o.len() {
            kinds.push(o[i]);
            i += if o[i] <= option::NOP { 1 } else { usize::from(o[i + 1]) };
        }
        use option::*;
        assert_eq!(kinds, [MSS, NOP, WSCALE, NOP, NOP, TIMESTAMP, SACK_PERM, END, END]);
        assert_eq!(o[2..4], 1460u16.to_be_bytes());
    }

    #[test]
    fn a_syn_with_one_option_behind_mpls() {
        let t = Tcp::at(&MPLS_TCP, 38);
        assert_eq!((t.src_port(), t.dst_port(), t.flags()), (11001, 23, flags::SYN));
        assert_eq!(t.options(), [option::MSS, 4, 0x02, 0x18]);
    }

    #[test]
    fn a_header_cut_after_the_flags_reads_the_window_as_zero() {
        let t = Tcp::new(&TCP_SYN[34..48]);
        assert!(t.has(field::FLAGS + 1) && !t.has(field::WINDOW.end));
        assert_eq!(t.checked(), None);
        assert_eq!(Tcp::new(&TCP_SYN[34..54]).checked().map(|t| t.flags()), Some(flags::SYN));
        assert_eq!((t.flags(), t.window(), t.checksum()), (flags::SYN, 0, 0));
        // the options the header announces were not captured
        assert!(t.options().is_empty() && t.payload().is_empty());
    }

    #[test]
    fn a_header_cut_in_the_sequence_number_reads_its_missing_bytes_as_zero() {
        let t = Tcp::new(&TCP_SYN[34..40]);
        assert!(!t.has(field::SEQ.end));
        assert_eq!(t.seq(), 0xfe21_0000);
        assert_eq!((t.header_len(), t.flags()), (0, 0));
    }

    #[test]
    fn a_data_offset_below_five_gives_no_options() {
        let mut b = TCP_SYN[34..].to_vec();
        b[12] = 0x30;
        let t = Tcp::new(&b);
        assert_eq!(t.header_len(), 12);
        assert!(t.options().is_empty());
        assert_eq!(t.payload().len(), b.len() - 12);
    }
}
