//! Header fields, protocol numbers and checksums: the one wire vocabulary the core's dissector
//! and every plugin share.
//!
//! # The contract
//!
//! Every header has a view (`Ipv4`, `Tcp`, ...) over the bytes from the header's start to the
//! end of the capture, built with `new(bytes)` or `at(bytes, offset)`. Views never fail and
//! **no accessor panics, on any input**: a field that was not captured, wholly or in part,
//! reads as if the missing bytes were 0. This keeps T2's lax reads (T2 reads fields past the
//! captured length, from whatever follows in its buffer) without ever leaving the packet, so
//! a view can be read before its length is known to be sane, exactly where T2 reads it. Code
//! that must tell a missing field from a zero one asks [`Ethernet::has`] (each view has it)
//! with the end of the field (`tcp.has(tcp::field::SEQ.end)`), or [`Ethernet::checked`] for
//! the whole fixed header (smoltcp's `new_checked`).
//!
//! Each protocol lives in its own file: a `field` module with the byte ranges of its fields
//! (smoltcp's layout: a single byte is its offset, longer fields a [`Field`] range), the view,
//! and the protocol's constants. [`ethertype`] and [`ipproto`] hold the protocol numbers,
//! [`Checksum`] is the Internet checksum, and [`Reader`] a bounded cursor for decoders of
//! length-prefixed layer-7 fields.
#![forbid(unsafe_code)]

use core::ops::{Range, RangeFrom};

pub mod arp;
pub mod checksum;
pub mod ethernet;
pub mod ethertype;
pub mod gre;
pub mod icmp;
pub mod ipproto;
pub mod ipv4;
pub mod ipv6;
pub mod mpls;
pub mod reader;
pub mod tcp;
pub mod udp;
pub mod vlan;

#[cfg(test)]
mod captured;

pub use arp::Arp;
pub use checksum::{Checksum, PseudoHeader};
pub use ethernet::Ethernet;
pub use gre::Gre;
pub use icmp::Icmp;
pub use ipv4::Ipv4;
pub use ipv6::{Ipv6, Ipv6Ext, Ipv6Frag};
pub use mpls::Mpls;
pub use reader::Reader;
pub use tcp::Tcp;
pub use udp::Udp;
pub use vlan::Vlan;

/// The byte range of a header field longer than one byte.
pub type Field = Range<usize>;
/// The bytes of a header from an offset on (options, payload).
pub type Rest = RangeFrom<usize>;

/// Byte `off` of `b`, or 0 if not captured.
#[inline]
pub fn u8_at(b: &[u8], off: usize) -> u8 {
    b.get(off).copied().unwrap_or(0)
}

/// Big-endian u16 at `off` (missing bytes read as 0).
#[inline]
pub fn be16(b: &[u8], off: usize) -> u16 {
    u16::from_be_bytes(array(b, off))
}

/// Big-endian u32 at `off` (missing bytes read as 0).
#[inline]
pub fn be32(b: &[u8], off: usize) -> u32 {
    u32::from_be_bytes(array(b, off))
}

/// The 16-bit word at `off` as T2 reads it on x86-64: little-endian. T2 tests some header words
/// in this form (masks such as `0xff1f` on the IPv4 fragment word), with results that differ
/// from testing the big-endian value, so those tests keep this form.
#[inline]
pub fn le16(b: &[u8], off: usize) -> u16 {
    be16(b, off).swap_bytes()
}

/// `N` bytes at `off` (missing bytes read as 0).
#[inline]
pub fn array<const N: usize>(b: &[u8], off: usize) -> [u8; N] {
    if let Some(whole) = tail(b, off).first_chunk::<N>() {
        return *whole;
    }
    // cut by the end of the capture: what is there, then zeros
    let mut out = [0u8; N];
    for (o, &v) in out.iter_mut().zip(tail(b, off)) {
        *o = v;
    }
    out
}

/// The captured bytes of `b` from `off` on; empty when `off` is at or past the end.
#[inline]
pub fn tail(b: &[u8], off: usize) -> &[u8] {
    b.get(off..).unwrap_or(&[])
}

/// The captured bytes of `b` in `range`, cut at the end of `b` (empty when it starts past it).
#[inline]
pub fn slice(b: &[u8], range: Range<usize>) -> &[u8] {
    let end = range.end.min(b.len());
    b.get(range.start..end).unwrap_or(&[])
}

/// Declares a header view: a `Copy` wrapper of the bytes from the header's start to the end of
/// the capture, with the constructors and length checks every view shares.
macro_rules! view {
    ($(#[$doc:meta])* $name:ident, $min_len:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct $name<'a> {
            b: &'a [u8],
        }

        impl<'a> $name<'a> {
            /// A view of the header at the start of `b` (cut anywhere, even empty).
            #[inline]
            pub const fn new(b: &'a [u8]) -> Self {
                $name { b }
            }

            /// A view of the header at offset `off` of `b`; empty when `off` is past the end.
            #[inline]
            pub fn at(b: &'a [u8], off: usize) -> Self {
                $name { b: $crate::wire::tail(b, off) }
            }

            /// The captured bytes from the header's start on (payload included).
            #[inline]
            pub const fn bytes(&self) -> &'a [u8] {
                self.b
            }

            /// Whether the capture reaches `end` bytes into the header: `has(field::X.end)` tells
            /// whether field `X` was captured whole.
            #[inline]
            pub const fn has(&self, end: usize) -> bool {
                self.b.len() >= end
            }

            /// The view, if its fixed header was captured whole (smoltcp's `new_checked`).
            #[inline]
            pub const fn checked(self) -> Option<Self> {
                if self.has($min_len) { Some(self) } else { None }
            }
        }
    };
}
pub(crate) use view;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_past_the_end_as_zero() {
        let b = [0x12, 0x34, 0x56];
        assert_eq!(be16(&b, 0), 0x1234);
        assert_eq!(be16(&b, 2), 0x5600);
        assert_eq!(be32(&b, 0), 0x1234_5600);
        assert_eq!(be32(&b, usize::MAX - 1), 0);
        assert_eq!(u8_at(&b, 3), 0);
        assert_eq!(u8_at(&b, usize::MAX), 0);
        assert_eq!(le16(&b, 0), 0x3412);
        assert_eq!(array::<4>(&b, 1), [0x34, 0x56, 0, 0]);
        assert_eq!(array::<2>(&b, usize::MAX), [0, 0]);
    }

    #[test]
    fn tails_and_slices_stop_at_the_end() {
        let b = [1, 2, 3];
        assert_eq!(tail(&b, 1), [2, 3]);
        assert_eq!(tail(&b, 3), [] as [u8; 0]);
        assert_eq!(tail(&b, usize::MAX), [] as [u8; 0]);
        assert_eq!(slice(&b, 1..2), [2]);
        assert_eq!(slice(&b, 2..10), [3]);
        assert_eq!(slice(&b, 5..10), [] as [u8; 0]);
        // a reversed range is empty, not a panic
        #[allow(clippy::reversed_empty_ranges)]
        let reversed = slice(&b, 2..1);
        assert_eq!(reversed, [] as [u8; 0]);
    }

    /// Every accessor of every view, on every prefix of the captured packets, at every offset
    /// (and past the end): the contract says none may panic.
    #[test]
    fn no_accessor_panics_on_any_cut_or_offset() {
        use captured::*;
        let packets: [&[u8]; 7] =
            [&TCP_SYN, &QINQ_ARP, &MPLS_TCP, &GRE_ICMP, &UDP_MDNS, &IPV6_HBH_MLD, &IPV6_LATER_FRAG];
        let mut acc = 0u64;
        let mut add = |v: u64| acc = acc.wrapping_add(v);
        for p in packets {
            for cut in 0..=p.len() {
                let b = &p[..cut];
                for off in 0..cut + 3 {
                    let e = Ethernet::at(b, off);
                    add(u64::from(e.checked().is_some()) + u64::from(Ipv4::at(b, off).checked().is_some()));
                    add(u64::from(e.ethertype()) + u64::from(e.dst()[5] ^ e.src()[5]) + e.payload().len() as u64);
                    let v = Vlan::at(b, off);
                    add(u64::from(v.word()) + u64::from(v.vid() ^ v.ethertype()) + u64::from(v.pcp()));
                    add(u64::from(v.dei()) + v.payload().len() as u64);
                    let m = Mpls::at(b, off);
                    add(u64::from(m.label() ^ m.word()) + u64::from(m.tc() ^ m.ttl()) + u64::from(m.bottom()));
                    add(m.payload().len() as u64);
                    let a = Arp::at(b, off);
                    add(u64::from(a.htype() ^ a.ptype() ^ a.oper()) + u64::from(a.hlen() ^ a.plen()));
                    add(u64::from(a.sha()[5] ^ a.spa()[3] ^ a.tha()[5] ^ a.tpa()[3]));
                    let ip = Ipv4::at(b, off);
                    add(u64::from(ip.version()) + ip.header_len() as u64 + u64::from(ip.tos()));
                    add(u64::from(ip.total_len() ^ ip.ident() ^ ip.flags_frag() ^ ip.frag_offset()));
                    add(u64::from(ip.more_frags()) + u64::from(ip.dont_frag()) + u64::from(ip.ttl()));
                    add(u64::from(ip.protocol()) + u64::from(ip.checksum()) + u64::from(ip.src()[3] ^ ip.dst()[3]));
                    add(ip.options().len() as u64 + ip.payload().len() as u64);
                    add(u64::from(ip.pseudo_header(6, 20).bytes()[9]));
                    let ip = Ipv6::at(b, off);
                    add(u64::from(ip.version() ^ ip.traffic_class()) + u64::from(ip.flow_label()));
                    add(u64::from(ip.payload_len()) + u64::from(ip.next_header() ^ ip.hop_limit()));
                    add(u64::from(ip.src()[15] ^ ip.dst()[15]) + ip.payload().len() as u64);
                    add(ip.pseudo_header(6, 20).bytes().len() as u64);
                    let x = Ipv6Ext::at(b, off);
                    add(u64::from(x.next_header()) + x.header_len() as u64 + x.data().len() as u64);
                    let f = Ipv6Frag::at(b, off);
                    add(u64::from(f.next_header()) + u64::from(f.offset_word() ^ f.frag_offset()));
                    add(u64::from(f.more_frags()) + u64::from(f.ident()));
                    let t = Tcp::at(b, off);
                    add(u64::from(t.src_port() ^ t.dst_port()) + u64::from(t.seq() ^ t.ack()));
                    add(t.header_len() as u64 + u64::from(t.flags()) + u64::from(t.window() ^ t.checksum()));
                    add(u64::from(t.urgent()) + t.options().len() as u64 + t.payload().len() as u64);
                    let u = Udp::at(b, off);
                    add(u64::from(u.src_port() ^ u.dst_port() ^ u.length() ^ u.checksum()) + u.payload().len() as u64);
                    let i = Icmp::at(b, off);
                    add(u64::from(i.kind() ^ i.code()) + u64::from(i.checksum() ^ i.ident() ^ i.seq()));
                    add(i.payload().len() as u64);
                    let g = Gre::at(b, off);
                    add(u64::from(g.flags_ver() ^ g.protocol() ^ g.opt0()) + u64::from(g.version()));
                    add(u64::from(g.word()) + g.header_len() as u64 + g.payload().len() as u64);
                    add(u64::from(Checksum::new().add_bytes(tail(b, off)).remove(b, off..off + 2).value()));
                }
            }
        }
        assert_ne!(acc, 0);
    }
}
