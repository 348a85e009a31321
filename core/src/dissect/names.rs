//! Names of protocols in the header description (`hdrDesc`), as T2 spells them.

/// Name of an IP protocol; `Some("")` for "no next header"; `None` = unknown (`:UNK(n)`).
pub fn ip_proto(p: u8) -> Option<&'static str> {
    Some(match p {
        0 => ":ipv6.hopopts",
        1 => ":icmp",
        2 => ":igmp",
        4 => ":ipv4",
        6 => ":tcp",
        8 => ":egp",
        9 => ":igp",
        17 => ":udp",
        33 => ":dccp",
        36 => ":xtp",
        37 => ":ddp",
        41 => ":ipv6",
        43 => ":ipv6.routing",
        44 => ":ipv6.fraghdr",
        45 => ":idrp",
        46 => ":rsvp",
        47 => ":gre",
        48 => ":dsr",
        50 => ":esp",
        51 => ":ah",
        53 => ":swipe",
        54 => ":nhrp",
        58 => ":icmpv6",
        59 => "",
        60 => ":ipv6.dstopts",
        80 => ":osi",
        83 => ":vines",
        88 => ":eigrp",
        89 => ":ospf",
        93 => ":ax25",
        97 => ":etherip",
        103 => ":pim",
        108 => ":ipcomp",
        112 => ":vrrp",
        113 => ":pgm",
        115 => ":l2tp",
        132 => ":sctp",
        134 => ":rsvp-e2ei",
        135 => ":mipv6",
        136 => ":udplite",
        137 => ":mpls",
        139 => ":hip",
        140 => ":shim6",
        _ => return None,
    })
}

/// Name of an Ethertype (host order); `None` = unknown (`:UNK(0x%04x)`).
pub fn eth_proto(t: u16) -> Option<&'static str> {
    Some(match t {
        0x0000 => ":wlccp",
        0x0600 => ":idp",
        0x0800 => ":ipv4",
        0x2000 => ":cdp",
        0x8100 | 0x88a8 | 0x9100 | 0x9200 => ":vlan",
        0x9000 => ":loop",
        0x2001 => ":cgmp",
        0x8902 => ":cfm",
        0x2003 => ":vtp",
        0x6003 => ":dec_dna",
        0x0104 => ":pagp",
        0x2004 => ":dtp",
        0x6004 => ":lat",
        0x0806 => ":arp",
        0x8906 => ":fcoe:fc",
        0x8809 => ":slow",
        0x010b => ":stp",
        0x880b => ":ppp",
        0x890d => ":wlan",
        0x0111 => ":udld",
        0x8021 => ":ipcp",
        0xc021 => ":lcp",
        0xc223 => ":chap",
        0xc029 => ":cbcp",
        0x872d => ":wlccp",
        0x8035 => ":rarp",
        0x8137 => ":ipx",
        0x8038 => ":dec_stp",
        0x883e => ":wccp",
        0x8847 | 0x8848 => ":mpls",
        0x6558 => ":eth",
        0x6002 => ":dec_mop",
        0x8863 => ":pppoed",
        0x8864 => ":pppoes",
        0x886f => ":msnlb",
        0x8870 => ":llc",
        0x888e => ":eapol",
        0x809b => ":ddp",
        0x01a1 | 0x01a2 => ":ndp",
        0x88a2 => ":aoe",
        0x8899 => ":realtek",
        0x0bad => ":vines_ip",
        0x00bb => ":edp",
        0x88bb => ":lwapp",
        0x88be => ":erspan",
        0x88cc => ":lldp",
        0x86dd => ":ipv6",
        0x80f3 => ":aarp",
        0x80fd => ":ccp",
        0x88f7 => ":ptp",
        _ => return None,
    })
}

/// Name of an 802.2 DSAP; `Some("")` for SAPs T2 does not name; `None` = `:UNK(0x%02x)`.
pub fn llc_proto(sap: u8) -> Option<&'static str> {
    Some(match sap {
        0x00 | 0x01 | 0x02 | 0x06 | 0xaa | 0xff => "",
        0x04 | 0x08 | 0x0c | 0x40 | 0xc8 => ":sna",
        0x10 | 0xe0 => ":ipx",
        0x14 | 0x20 | 0x34 | 0x54 | 0xfe => ":osi",
        0x42 => ":stp",
        0x7e => ":x25",
        0x80 => ":3comxns",
        0x82 => ":bacnet",
        0xbc => ":vines_llc",
        0xf0 => ":netbios",
        0xf8 => ":hpext",
        0xfc => ":rpl",
        _ => return None,
    })
}

/// Name of a PPP protocol (host order); `None` = unknown.
pub fn ppp_proto(p: u16) -> Option<&'static str> {
    Some(match p {
        0x0207 => ":cdp",
        0x0021 => ":ipv4",
        0x8021 => ":ipcp",
        0xc021 => ":lcp",
        0x0023 => ":osi",
        0xc023 => ":pap",
        0xc223 => ":chap",
        0x003d => ":ppp:mp",
        0x0057 => ":ipv6",
        0x0281 | 0x0283 => ":mpls",
        0x00fd => ":comp_data",
        0x80fd => ":ccp",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_t2() {
        assert_eq!(ip_proto(46), Some(":rsvp"));
        assert_eq!(ip_proto(100), None);
        assert_eq!(eth_proto(0x0806), Some(":arp"));
        assert_eq!(llc_proto(0x42), Some(":stp"));
        assert_eq!(ppp_proto(0xc021), Some(":lcp"));
        assert_eq!(ppp_proto(0x8057), None);
    }
}
