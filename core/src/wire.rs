//! Bounds-checked reads of header fields at byte offsets, and protocol numbers.
//!
//! The dissector walks headers the way T2 does: it computes where the next header starts and
//! reads fields there. T2 reads such fields even past the captured length; these accessors
//! return 0 for bytes that were not captured instead, so no read can panic or leave the packet.
#![forbid(unsafe_code)]

/// Byte at `off`, or 0 if not captured.
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

/// Little-endian u16 at `off`: T2 compares some raw network fields as host-order words.
#[inline]
pub fn le16(b: &[u8], off: usize) -> u16 {
    be16(b, off).swap_bytes()
}

/// `N` bytes at `off`, missing bytes as 0.
#[inline]
pub fn array<const N: usize>(b: &[u8], off: usize) -> [u8; N] {
    let mut out = [0u8; N];
    if let Some(s) = off.checked_add(N).and_then(|end| b.get(off..end)) {
        out.copy_from_slice(s);
    } else {
        for (i, o) in out.iter_mut().enumerate() {
            *o = off.checked_add(i).map_or(0, |p| u8_at(b, p));
        }
    }
    out
}

/// Ethertypes (host order).
pub mod ethertype {
    /// IPv4.
    pub const IPV4: u16 = 0x0800;
    /// ARP.
    pub const ARP: u16 = 0x0806;
    /// RARP.
    pub const RARP: u16 = 0x8035;
    /// AppleTalk ARP.
    pub const AARP: u16 = 0x80f3;
    /// IEEE 802.1Q.
    pub const VLAN: u16 = 0x8100;
    /// IEEE 802.1ad.
    pub const QINQ: u16 = 0x88a8;
    /// Old 802.1ad definitions.
    pub const QINQ_D1: u16 = 0x9100;
    /// Old 802.1ad definitions.
    pub const QINQ_D2: u16 = 0x9200;
    /// IPv6.
    pub const IPV6: u16 = 0x86dd;
    /// MPLS unicast.
    pub const MPLS_UCAST: u16 = 0x8847;
    /// MPLS multicast.
    pub const MPLS_MCAST: u16 = 0x8848;
    /// PPPoE discovery.
    pub const PPPOE_D: u16 = 0x8863;
    /// PPPoE session.
    pub const PPPOE_S: u16 = 0x8864;
    /// Jumbo LLC.
    pub const JUMBO_LLC: u16 = 0x8870;
    /// LLDP.
    pub const LLDP: u16 = 0x88cc;
    /// Slow protocols.
    pub const SLOW: u16 = 0x8809;
    /// ERSPAN.
    pub const ERSPAN: u16 = 0x88be;
    /// Transparent Ethernet bridging.
    pub const TEB: u16 = 0x6558;
    /// EAPOL.
    pub const EAPOL: u16 = 0x888e;
    /// Largest 802.3 length value.
    pub const LLC_LEN: u16 = 1500;

    /// True for the VLAN tag protocol identifiers T2 walks.
    #[inline]
    pub fn is_vlan(t: u16) -> bool {
        matches!(t, VLAN | QINQ | QINQ_D1 | QINQ_D2)
    }
}

/// IP protocol numbers.
pub mod ipproto {
    /// IPv6 hop-by-hop options.
    pub const HOPOPTS: u8 = 0;
    /// ICMP.
    pub const ICMP: u8 = 1;
    /// IGMP.
    pub const IGMP: u8 = 2;
    /// IPv4 in IP.
    pub const IPIP4: u8 = 4;
    /// TCP.
    pub const TCP: u8 = 6;
    /// UDP.
    pub const UDP: u8 = 17;
    /// IPv6 in IP.
    pub const IPIP6: u8 = 41;
    /// IPv6 routing header.
    pub const ROUTING: u8 = 43;
    /// IPv6 fragment header.
    pub const FRAGMENT: u8 = 44;
    /// GRE.
    pub const GRE: u8 = 47;
    /// IPsec ESP.
    pub const ESP: u8 = 50;
    /// IPsec AH.
    pub const AH: u8 = 51;
    /// ICMPv6.
    pub const ICMP6: u8 = 58;
    /// IPv6 no next header.
    pub const NONXT: u8 = 59;
    /// IPv6 destination options.
    pub const DSTOPTS: u8 = 60;
    /// OSPF.
    pub const OSPF: u8 = 89;
    /// EtherIP.
    pub const ETHIP: u8 = 97;
    /// PIM.
    pub const PIM: u8 = 103;
    /// L2TPv3.
    pub const L2TP: u8 = 115;
    /// SCTP.
    pub const SCTP: u8 = 132;
    /// UDP-Lite.
    pub const UDPLITE: u8 = 136;
}

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
        assert_eq!(le16(&b, 0), 0x3412);
        assert_eq!(array::<4>(&b, 1), [0x34, 0x56, 0, 0]);
    }
}
