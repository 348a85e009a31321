//! EtherType values (host order), as found in Ethernet, VLAN, SNAP, GRE and SLL headers.
//!
//! Values up to [`LLC_LEN`] are not types but the length of an IEEE 802.3 frame, whose
//! payload starts with an 802.2 LLC header.

/// IPv4.
pub const IPV4: u16 = 0x0800;
/// ARP.
pub const ARP: u16 = 0x0806;
/// Transparent Ethernet bridging (an Ethernet frame follows, e.g. in GRE or GENEVE).
pub const TEB: u16 = 0x6558;
/// RARP.
pub const RARP: u16 = 0x8035;
/// AppleTalk ARP.
pub const AARP: u16 = 0x80f3;
/// IEEE 802.1Q VLAN tag.
pub const VLAN: u16 = 0x8100;
/// IPv6.
pub const IPV6: u16 = 0x86dd;
/// PPP (in GRE: PPTP's enhanced GRE).
pub const PPP: u16 = 0x880b;
/// WCCP redirection (in GRE).
pub const WCCP: u16 = 0x883e;
/// MPLS unicast.
pub const MPLS_UCAST: u16 = 0x8847;
/// MPLS multicast.
pub const MPLS_MCAST: u16 = 0x8848;
/// PPPoE discovery.
pub const PPPOE_D: u16 = 0x8863;
/// PPPoE session.
pub const PPPOE_S: u16 = 0x8864;
/// Jumbo LLC: an 802.2 LLC header follows, as with an 802.3 length.
pub const JUMBO_LLC: u16 = 0x8870;
/// Slow protocols (LACP, marker, OAM).
pub const SLOW: u16 = 0x8809;
/// EAPOL (802.1X).
pub const EAPOL: u16 = 0x888e;
/// IEEE 802.1ad service tag (QinQ).
pub const QINQ: u16 = 0x88a8;
/// ERSPAN.
pub const ERSPAN: u16 = 0x88be;
/// LLDP.
pub const LLDP: u16 = 0x88cc;
/// Pre-standard QinQ service tag.
pub const QINQ_D1: u16 = 0x9100;
/// Pre-standard QinQ service tag.
pub const QINQ_D2: u16 = 0x9200;
/// Largest 802.3 length value: a type field at or below it is a length.
pub const LLC_LEN: u16 = 1500;

/// True for the VLAN tag protocol identifiers T2 walks (802.1Q, 802.1ad and the two
/// pre-standard QinQ values).
#[inline]
pub const fn is_vlan(t: u16) -> bool {
    matches!(t, VLAN | QINQ | QINQ_D1 | QINQ_D2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vlan_tag_identifiers() {
        for t in [VLAN, QINQ, QINQ_D1, QINQ_D2] {
            assert!(is_vlan(t), "{t:#06x}");
        }
        for t in [IPV4, IPV6, ARP, MPLS_UCAST, 0x9300] {
            assert!(!is_vlan(t), "{t:#06x}");
        }
    }
}
