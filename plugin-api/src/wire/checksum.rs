//! The Internet checksum (RFC 1071) of IPv4, TCP, UDP, ICMP and the other headers that carry
//! one, and the IPv4/IPv6 pseudo header that TCP, UDP and ICMPv6 checksums also cover.
//!
//! Words are summed the way T2 sums them on x86-64: read in little-endian order, in a 32-bit
//! sum that wraps. The one's complement sum does not depend on the byte order (RFC 1071
//! §2(B)), so [`Checksum::value`] only swaps the folded sum into network order at the end; the
//! order shows only where a [removed](Checksum::remove) word was never added (a checksum field
//! past the covered length), and there T2's result is kept.

use super::{Field, le16};

/// A running Internet checksum.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Checksum(u32);

impl Checksum {
    /// An empty sum.
    #[inline]
    pub const fn new() -> Checksum {
        Checksum(0)
    }

    /// Continues a sum saved with [`Checksum::partial`] (e.g. over a datagram's fragments).
    #[inline]
    pub const fn from_partial(partial: u16) -> Checksum {
        Checksum(partial as u32)
    }

    /// Adds `bytes` as 16-bit words; an odd last byte is padded with a zero byte.
    #[inline(always)]
    pub fn add_bytes(self, bytes: &[u8]) -> Checksum {
        // the common short lengths (IPv4 pseudo header 12, IPv4 and bare TCP headers 20, TCP
        // with timestamps 32, IPv6 pseudo header 40) as fixed-size sums: the general loop's
        // setup costs more than their words
        match bytes.len() {
            12 => self.add_fixed::<12>(bytes),
            20 => self.add_fixed::<20>(bytes),
            32 => self.add_fixed::<32>(bytes),
            40 => self.add_fixed::<40>(bytes),
            _ => self.add_words(bytes),
        }
    }

    /// [`Checksum::add_bytes`] of `N` bytes, `N` a multiple of 4 up to 64: eight bytes at a
    /// time, their even and odd words in the two 32-bit lanes of a `u64` (at most 16 words per
    /// lane: no carry from one lane into the other), then the lanes' sum.
    #[inline(always)]
    fn add_fixed<const N: usize>(self, bytes: &[u8]) -> Checksum {
        const LANES: u64 = 0x0000_ffff_0000_ffff;
        let Some(b) = bytes.first_chunk::<N>() else {
            return self.add_words(bytes);
        };
        let (chunks, rest) = b.as_chunks::<8>();
        let mut lanes = 0u64;
        for c in chunks {
            let x = u64::from_le_bytes(*c);
            lanes += (x & LANES) + ((x >> 16) & LANES);
        }
        if let Some(c) = rest.first_chunk::<4>() {
            let x = u64::from(u32::from_le_bytes(*c));
            lanes += (x & LANES) + ((x >> 16) & LANES);
        }
        Checksum(self.0.wrapping_add(lanes as u32).wrapping_add((lanes >> 32) as u32))
    }

    /// [`Checksum::add_bytes`] of any length (a call: the fixed sizes stay small inline).
    #[inline(never)]
    fn add_words(self, bytes: &[u8]) -> Checksum {
        let mut sum = self.0;
        let mut words = bytes.chunks_exact(2);
        for w in &mut words {
            sum = sum.wrapping_add(u32::from(u16::from_le_bytes([w[0], w[1]])));
        }
        if let [last] = words.remainder() {
            sum = sum.wrapping_add(u32::from(*last));
        }
        Checksum(sum)
    }

    /// Takes the 16-bit word at `field` of `header` back out of the sum (0 if not captured):
    /// T2 sums a whole header and removes its checksum field this way.
    #[inline]
    pub fn remove(self, header: &[u8], field: Field) -> Checksum {
        Checksum(self.0.wrapping_sub(u32::from(le16(header, field.start))))
    }

    /// The sum folded to 16 bits, to continue with [`Checksum::from_partial`]; it has T2's
    /// (little-endian) byte order.
    #[inline]
    pub const fn partial(self) -> u16 {
        let mut sum = self.0;
        while sum >> 16 != 0 {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        sum as u16
    }

    /// The checksum of what was added, as a header's checksum field holds it (read big-endian):
    /// the complement of the folded sum. Over data that includes a correct checksum field it
    /// is 0.
    #[inline]
    pub const fn value(self) -> u16 {
        (!self.partial()).swap_bytes()
    }
}

/// The pseudo header a TCP, UDP or ICMPv6 checksum covers besides its own header and payload:
/// the IP addresses, the protocol and the layer 4 length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PseudoHeader {
    bytes: [u8; 40],
    len: usize,
}

impl PseudoHeader {
    /// The IPv4 pseudo header (RFC 793): addresses, a zero byte, protocol, 16-bit length.
    #[inline]
    pub fn ipv4(src: [u8; 4], dst: [u8; 4], proto: u8, len: u16) -> PseudoHeader {
        let mut bytes = [0u8; 40];
        bytes[..4].copy_from_slice(&src);
        bytes[4..8].copy_from_slice(&dst);
        bytes[9] = proto;
        bytes[10..12].copy_from_slice(&len.to_be_bytes());
        PseudoHeader { bytes, len: 12 }
    }

    /// The IPv6 pseudo header (RFC 8200 §8.1): addresses, 32-bit length, three zero bytes,
    /// next header.
    #[inline]
    pub fn ipv6(src: [u8; 16], dst: [u8; 16], proto: u8, len: u32) -> PseudoHeader {
        let mut bytes = [0u8; 40];
        bytes[..16].copy_from_slice(&src);
        bytes[16..32].copy_from_slice(&dst);
        bytes[32..36].copy_from_slice(&len.to_be_bytes());
        bytes[39] = proto;
        PseudoHeader { bytes, len: 40 }
    }

    /// The pseudo header's bytes, for [`Checksum::add_bytes`].
    #[inline]
    pub fn bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::captured::{GRE_ICMP, IPV6_HBH_MLD, TCP_SYN, UDP_MDNS};
    use crate::wire::{Icmp, Ipv4, Ipv6, Tcp, Udp, icmp, ipproto, tcp, udp};

    #[test]
    fn a_captured_tcp_checksum_verifies_with_the_ipv4_pseudo_header() {
        let ip = Ipv4::at(&TCP_SYN, 14);
        let seg = ip.payload();
        let ph = ip.pseudo_header(ipproto::TCP, seg.len() as u16);
        let sum = Checksum::new().add_bytes(ph.bytes()).add_bytes(seg);
        assert_eq!(sum.value(), 0);
        assert_eq!(sum.remove(seg, tcp::field::CHECKSUM).value(), Tcp::new(seg).checksum());
        assert_eq!(Tcp::new(seg).checksum(), 0x3bc0);
    }

    #[test]
    fn a_captured_udp_checksum_with_an_odd_length_verifies() {
        let ip = Ipv4::at(&UDP_MDNS, 14);
        let dgram = ip.payload();
        assert_eq!(dgram.len() % 2, 1);
        let ph = ip.pseudo_header(ipproto::UDP, dgram.len() as u16);
        let sum = Checksum::new().add_bytes(ph.bytes()).add_bytes(dgram);
        assert_eq!(sum.value(), 0);
        assert_eq!(sum.remove(dgram, udp::field::CHECKSUM).value(), Udp::new(dgram).checksum());
    }

    #[test]
    fn a_captured_icmpv6_checksum_verifies_with_the_ipv6_pseudo_header() {
        let ip = Ipv6::at(&IPV6_HBH_MLD, 14);
        // behind the 8-byte hop-by-hop header
        let msg = &ip.payload()[8..];
        let ph = ip.pseudo_header(ipproto::ICMP6, msg.len() as u32);
        assert_eq!(Checksum::new().add_bytes(ph.bytes()).add_bytes(msg).value(), 0);
        assert_eq!(Icmp::new(msg).checksum(), 0x1fc5);
    }

    #[test]
    fn a_captured_icmp_checksum_verifies_without_a_pseudo_header() {
        let msg = Ipv4::at(&GRE_ICMP, 38).payload();
        assert_eq!(Checksum::new().add_bytes(msg).value(), 0);
        assert_eq!(Checksum::new().add_bytes(msg).remove(msg, icmp::field::CHECKSUM).value(), 0x46c9);
    }

    #[test]
    fn a_sum_continues_from_its_partial_over_fragments() {
        let msg = Ipv4::at(&GRE_ICMP, 38).payload();
        let first = Checksum::new().add_bytes(&msg[..40]).partial();
        assert_eq!(Checksum::from_partial(first).add_bytes(&msg[40..]).value(), 0);
    }

    #[test]
    fn the_byte_order_is_t2s() {
        // one word, read little-endian; an odd byte is the low byte of its word
        assert_eq!(Checksum::new().add_bytes(&[0x01, 0x02]).partial(), 0x0201);
        assert_eq!(Checksum::new().add_bytes(&[0x01, 0x02, 0x03]).partial(), 0x0204);
        assert_eq!(Checksum::new().add_bytes(&[0x01, 0x02, 0x03]).value(), !0x0402);
        // a carry out of 16 bits folds back in
        assert_eq!(Checksum::new().add_bytes(&[0xff, 0xff, 0x02, 0x00]).partial(), 0x0002);
    }

    /// The 16-bit words added one by one, wrapping at 32 bits, as T2 sums them.
    fn word_by_word(start: u32, bytes: &[u8]) -> u32 {
        let mut sum = start;
        for w in bytes.chunks(2) {
            sum = sum.wrapping_add(u32::from(w[0]) | u32::from(w.get(1).copied().unwrap_or(0)) << 8);
        }
        sum
    }

    #[test]
    fn every_length_sums_as_word_by_word() {
        // all-0xff bytes fill the lanes of the fixed sizes; a pseudo-random pattern checks the
        // word order
        let ff = vec![0xffu8; 2000];
        let mut x = 0x1234_5678u32;
        let mixed: Vec<u8> = (0..2000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x as u8
            })
            .collect();
        for data in [&ff, &mixed] {
            for len in (0..100).chain([1459, 1460, 2000]) {
                for off in [0, 1] {
                    let b = &data[off..off + len.min(data.len() - off)];
                    for start in [0, 0xffff, 0xffff_fff0] {
                        let got = Checksum(start).add_bytes(b).0;
                        assert_eq!(got, word_by_word(start, b), "length {} at {off} from {start:#x}", b.len());
                    }
                }
            }
        }
    }

    #[test]
    fn removing_a_word_that_was_never_added_wraps_as_in_t2() {
        // 0 - 0x0001 wraps to 0xffff_ffff, which folds to 0xffff + 0xffff -> 0xffff
        assert_eq!(Checksum::new().remove(&[0x01, 0x00], 0..2).partial(), 0xffff);
        // a removed word that is not captured is 0
        assert_eq!(Checksum::new().add_bytes(&[1, 2]).remove(&[1, 2], 6..8).partial(), 0x0201);
    }

    #[test]
    fn pseudo_header_layouts() {
        let v4 = PseudoHeader::ipv4([1, 2, 3, 4], [5, 6, 7, 8], 17, 0x0102);
        assert_eq!(v4.bytes(), [1, 2, 3, 4, 5, 6, 7, 8, 0, 17, 1, 2]);
        let v6 = PseudoHeader::ipv6([1; 16], [2; 16], 58, 0x0102_0304);
        assert_eq!(v6.bytes().len(), 40);
        assert_eq!(v6.bytes()[32..], [1, 2, 3, 4, 0, 0, 0, 58]);
    }
}
