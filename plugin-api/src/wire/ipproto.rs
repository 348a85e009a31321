//! IP protocol numbers (IPv4 protocol, IPv6 next header), IANA's assigned numbers.

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

/// True for the layer 4 protocols whose header starts with source and destination port
/// (TCP, UDP, UDP-Lite, SCTP).
#[inline]
pub const fn has_ports(p: u8) -> bool {
    matches!(p, TCP | UDP | UDPLITE | SCTP)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_protocols() {
        assert!([TCP, UDP, UDPLITE, SCTP].into_iter().all(has_ports));
        assert!(![ICMP, ICMP6, GRE, ESP, OSPF].into_iter().any(has_ports));
    }
}
