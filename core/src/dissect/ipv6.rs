//! IPv6 (T2's `dissembleIPv6Packet`, dissection part): extension headers, tunnels, layer 4.

use plugin_api::abi::NO_OFFSET;
use plugin_api::status::*;

use super::ipv4::ospf_hdr_len;
use super::{Dis, Disposition, IpInfo, Step, off32};
use crate::wire::{ethertype as et, ipproto as ip};

/// T2 looks at no more than this many headers after the IPv6 header (`MAXHDRCNT`).
const MAX_HDR: usize = 5;

/// How the header loop ended.
enum Walk {
    /// Stop: the layer 4 header (or the end of what T2 walks) is reached.
    Stop,
    /// Go on with the next header.
    Next,
}

impl Dis<'_, '_> {
    pub(super) fn ipv6(&mut self, l3: usize) -> Disposition {
        let mut hdr = l3;
        self.pv.l3_off = off32(l3);
        self.pv.eth_type = et::IPV6;
        self.pv.l3_proto = et::IPV6;
        self.set(FS_IPV6_PKT);
        self.desc(":ipv6");
        let mut frag = (self.u8(hdr + 6) == ip::FRAGMENT).then_some(hdr + 40);

        let l2_hdr = l3.wrapping_sub(self.l2()) as u16;
        self.pv.snap_l3_len = self.pv.snap_l2_len.wrapping_sub(u32::from(l2_hdr));
        let calc_l3 = self.pv.raw_len.wrapping_sub(l3 as u32) as u16;
        let payload = self.be16(hdr + 4);
        let l3_len_outer = if payload == 0 || u32::from(payload) + 40 > u32::from(calc_l3) {
            calc_l3
        } else {
            payload.wrapping_add(40)
        };
        if payload == 0 && calc_l3 != 0 {
            self.set(IP_PL_MSMTCH);
        }
        self.pv.l2_hdr_len = l2_hdr;
        let l2_len = self.pv.raw_len as u16;
        self.g.bytes_on_wire += u64::from(l2_len);
        self.pv.l2_len = u32::from(l2_len);
        self.pv.l3_len = u32::from(l3_len_outer);
        self.check_l3_snap(u32::from(l3_len_outer), u32::from(l2_len), "Outer -- ");
        self.pv.len = u32::from(l3_len_outer);

        let mut nxt = self.u8(hdr + 6);
        self.pv.l4_proto = nxt;
        let mut hdlen: usize = 40;
        let mut l4_hdr_len: u16 = 0;
        let mut l4 = hdr + hdlen;
        for _ in 0..MAX_HDR {
            self.pv.src_port = 0;
            self.pv.dst_port = 0;
            l4 = hdr + hdlen;
            self.pv.l4_off = off32(l4);
            // T2 computes this unsigned: a header past the end does not stop the walk
            let to_end = (self.end() as u64).wrapping_sub(l4 as u64) as u32;
            l4_hdr_len = 0;
            if to_end < 8 {
                break;
            }
            let step = match nxt {
                ip::IPIP4 => {
                    self.pv.l3_off = off32(l4);
                    return self.ipv4(l4);
                }
                ip::HOPOPTS | ip::DSTOPTS => {
                    if nxt == ip::HOPOPTS {
                        self.desc(":ipv6.hopopts");
                        self.pv.ip6_hhopt_off = off32(l4);
                    } else {
                        self.desc(":ipv6.dstopts");
                        self.pv.ip6_dopt_off = off32(l4);
                    }
                    nxt = self.u8(l4);
                    hdlen += (usize::from(self.u8(l4 + 1)) + 1) << 3;
                    Walk::Next
                }
                ip::ICMP6 => {
                    self.desc(":icmpv6");
                    l4_hdr_len = 8;
                    if self.has(L3SNAPLENGTH) && to_end < 8 {
                        self.set(L4HDRSHRTLEN);
                    }
                    Walk::Stop
                }
                ip::TCP => {
                    self.desc(":tcp");
                    if self.has(L3SNAPLENGTH) && to_end < 20 {
                        self.set(L4HDRSHRTLEN);
                        l4_hdr_len = 20;
                    } else {
                        l4_hdr_len = u16::from(self.u8(l4 + 12) >> 4) << 2;
                    }
                    if to_end < 20 {
                        self.set(L4HDRSHRTLEN);
                    } else {
                        self.l4_ports(l4);
                        self.ssdp();
                    }
                    Walk::Stop
                }
                ip::UDP | ip::UDPLITE => {
                    self.desc(if nxt == ip::UDPLITE { ":udplite" } else { ":udp" });
                    l4_hdr_len = 8;
                    if to_end < 8 {
                        self.set(L4HDRSHRTLEN);
                    } else {
                        self.l4_ports(l4);
                        self.dtls(l4 + 8);
                        if (self.pv.src_port == 1701 || self.pv.dst_port == 1701)
                            && let Step::Done(d) = self.l2tp_at(l4 + 8)
                        {
                            return d;
                        }
                        self.ssdp();
                    }
                    Walk::Stop
                }
                ip::IPIP6 => {
                    self.desc(":ipv6");
                    self.set(L3_IPIP);
                    if to_end < 40 {
                        self.set(STPDSCT);
                        Walk::Stop
                    } else {
                        self.pv.l3_off = off32(l4);
                        hdr = l4;
                        nxt = self.u8(hdr + 6);
                        hdlen = 40;
                        Walk::Next
                    }
                }
                ip::ROUTING => {
                    self.desc(":ipv6.routing");
                    self.pv.ip6_route_off = off32(l4);
                    nxt = self.u8(l4);
                    hdlen += (usize::from(self.u8(l4 + 1)) + 1) << 3;
                    Walk::Next
                }
                ip::FRAGMENT => {
                    self.desc(":ipv6.fraghdr");
                    frag = Some(l4);
                    self.g.num_frag_v6_packets += 1;
                    nxt = self.u8(l4);
                    self.pv.ip6_frag_off = off32(l4);
                    hdlen += 8;
                    if self.be16(l4 + 2) & 0xfff8 != 0 {
                        l4 += 8;
                        self.pv.l4_off = off32(l4);
                        Walk::Stop
                    } else {
                        Walk::Next
                    }
                }
                ip::GRE => {
                    self.desc(":gre");
                    self.set(L2_GRE);
                    match self.gre_over_ipv6(l4) {
                        Some(inner) => {
                            // T2 does not update the next-header value here
                            hdr = inner;
                            hdlen = 40;
                            Walk::Next
                        }
                        None => Walk::Stop,
                    }
                }
                ip::AH => {
                    self.desc(":ah");
                    self.set(L3_IPSEC_AH);
                    nxt = self.u8(l4);
                    hdlen += (usize::from(self.u8(l4 + 1)) + 2) << 2;
                    Walk::Next
                }
                ip::ETHIP => {
                    let eth = self.pv.l3_off as usize + hdlen;
                    if self.u8(eth) & 0xf0 < 0x30 {
                        return Disposition::Drop;
                    }
                    match self.etherip_v6(eth) {
                        EthIp6::Ipv6(inner) => {
                            hdr = inner;
                            hdlen = 40;
                            Walk::Next
                        }
                        EthIp6::Done(d) => return d,
                        EthIp6::Stop => {
                            l4_hdr_len = 0;
                            Walk::Stop
                        }
                    }
                }
                ip::OSPF => {
                    self.desc(":ospf");
                    l4_hdr_len = ospf_hdr_len(self.u8(l4));
                    Walk::Stop
                }
                ip::L2TP => {
                    self.desc(":l2tp");
                    self.set(L2_L2TP);
                    self.pv.l3_proto = 0x0300;
                    Walk::Stop
                }
                ip::SCTP => {
                    self.desc(":sctp");
                    self.set(L4_SCTP);
                    l4_hdr_len = 12;
                    if self.has(L3SNAPLENGTH) && to_end < 12 {
                        self.set(L4HDRSHRTLEN);
                    }
                    if to_end < 16 {
                        self.set(L4HDRSHRTLEN);
                    } else {
                        self.l4_ports(l4);
                    }
                    Walk::Stop
                }
                ip::PIM => {
                    self.desc(":pim");
                    let mut step = Walk::Stop;
                    if self.u8(l4) & 0x0f == 1 {
                        let q = l4 + 8;
                        match self.u8(q) & 0xf0 {
                            0x40 => {
                                self.pv.l3_off = off32(q);
                                return self.ipv4(q);
                            }
                            0x60 => {
                                self.pv.l3_off = off32(q);
                                hdr = q;
                                nxt = self.u8(hdr + 6);
                                hdlen = 40;
                                step = Walk::Next;
                            }
                            _ => {}
                        }
                    }
                    step
                }
                ip::NONXT => Walk::Stop,
                p => {
                    self.desc_proto(p);
                    Walk::Stop
                }
            };
            if let Walk::Stop = step {
                break;
            }
        }
        self.ipv6_lengths(hdr, hdlen, l4, l4_hdr_len, nxt, frag)
    }

    /// Lengths and flow facts once the header walk is over.
    fn ipv6_lengths(
        &mut self,
        hdr: usize,
        hdlen: usize,
        l4: usize,
        l4_hdr_len: u16,
        nxt: u8,
        frag: Option<usize>,
    ) -> Disposition {
        self.pv.l4_proto = nxt;
        self.pv.l3_hdr_len = hdlen as u16;
        let l3 = self.pv.l3_off as usize;
        self.pv.snap_l3_len = (self.end() as u64).wrapping_sub(l3 as u64) as u32;
        let calc_l3 = self.pv.raw_len.wrapping_sub(l3 as u32) as u16;
        let payload = self.be16(hdr + 4);
        let l3_len = if payload == 0 || u32::from(payload) + 40 > u32::from(calc_l3) {
            calc_l3
        } else {
            payload.wrapping_add(40)
        };
        self.pv.l3_len = u32::from(l3_len);
        if payload == 0 && calc_l3 != 0 {
            self.set(IP_PL_MSMTCH);
        }
        let l4_to_end = (self.end() as i64).wrapping_sub(l4 as i64) as i32;
        let frag_off = frag.map(|f| self.be16(f + 2));
        let later_fragment = frag_off.is_some_and(|o| o & 0xfff8 != 0);
        let l4_hdr_len = if later_fragment { 0 } else { l4_hdr_len };
        self.pv.l4_hdr_len = l4_hdr_len;
        self.pv.l7_len = l3_len.wrapping_sub(hdlen as u16).wrapping_sub(l4_hdr_len);
        let l7 = l4 + usize::from(l4_hdr_len);
        self.pv.l7_off = off32(l7);
        let snap_l3 = self.pv.snap_l3_len;
        if snap_l3 >= u32::from(l3_len) {
            self.pv.snap_l4_len = if snap_l3 < hdlen as u32 { 0 } else { l4_to_end as u16 };
            self.pv.snap_l7_len = self.pv.snap_l4_len.saturating_sub(l4_hdr_len);
        } else {
            self.pv.snap_l4_len = if snap_l3 < hdlen as u32 { 0 } else { l4_to_end as u16 };
            let off = l7.wrapping_sub(l3) as u16;
            self.pv.snap_l7_len =
                if snap_l3 < u32::from(off) { 0 } else { (self.end() as i64).wrapping_sub(l7 as i64) as u16 };
        }
        self.pv.len = u32::from(self.pv.l7_len);
        self.pv.src_ip = crate::wire::array(self.b, hdr + 8);
        self.pv.dst_ip = crate::wire::array(self.b, hdr + 24);
        let frag_id = frag.map_or(0, |f| crate::wire::be32(self.b, f + 4));
        Disposition::Ip(IpInfo {
            v6: true,
            later_fragment,
            first_fragment: frag_off.is_some_and(|o| o & 0xfff9 == 0x0001),
            more_fragments: frag_off.is_some_and(|o| o & 0x0001 != 0),
            frag_id,
            ip_id: 0,
        })
    }

    /// GRE inside the IPv6 header walk; returns the inner IPv6 header to continue with.
    fn gre_over_ipv6(&mut self, gre: usize) -> Option<usize> {
        self.pv.gre_off = off32(gre);
        self.pv.gre_l3_off = self.pv.l3_off;
        let (b0, b1) = (self.u8(gre), self.u8(gre + 1));
        let mut p = gre + 4;
        for bit in [0x80, 0x40, 0x20, 0x10, 0x08] {
            if b0 & bit != 0 {
                p += 4;
            }
        }
        if b1 & 0x80 != 0 {
            p += 4;
        }
        match self.be16(gre + 2) {
            et::IPV6 => {
                self.pv.l3_off = off32(p);
                self.pv.l3_proto = et::IPV6;
                Some(p)
            }
            0x880b => {
                self.desc(":ppp");
                self.set(L2_PPP);
                self.pv.ppp_off = off32(p);
                if self.u8(p) == 0xfd {
                    self.desc(":comp_data");
                    self.set(PPP_NRHD | STPDSCT);
                    return None;
                }
                let proto = self.be16(p + 2);
                if proto == 0x0057 {
                    self.pv.l3_off = off32(p + 4);
                    self.pv.l3_proto = et::IPV6;
                    return Some(p + 4);
                }
                if b1 & 0x07 == 1 && self.be16(gre + 4) == 0 {
                    self.pv.ppp_off = NO_OFFSET;
                } else {
                    self.desc_pppproto(proto);
                }
                self.set(STPDSCT);
                None
            }
            et::TEB => {
                let hp = p + 12;
                self.pv.l3_off = off32(hp + 2);
                self.pv.l3_proto = self.be16(hp);
                Some(hp + 2)
            }
            proto => {
                self.desc_ethproto(proto);
                self.set(STPDSCT);
                None
            }
        }
    }

    /// EtherIP inside the IPv6 header walk.
    fn etherip_v6(&mut self, eth: usize) -> EthIp6 {
        self.desc(":etherip");
        self.desc(":eth");
        self.set(L3_ETHIPF);
        let skip = (eth.wrapping_sub(self.l2()) + 2) as u32;
        self.pv.snap_l2_len = self.pv.snap_l2_len.wrapping_sub(skip);
        self.pv.l2_len = self.pv.l2_len.wrapping_sub(skip);
        self.pv.l2_off = off32(eth + 2);
        let shape = self.vlans(eth + 14);
        let hp = shape + 2;
        match self.be16(shape) {
            et::IPV6 => {
                self.pv.l3_off = off32(hp);
                self.desc(":ipv6");
                self.pv.l3_proto = et::IPV6;
                EthIp6::Ipv6(hp)
            }
            et::IPV4 => {
                self.pv.l3_off = off32(hp);
                EthIp6::Done(self.ipv4(hp))
            }
            t => {
                self.desc_ethproto(t);
                self.set(STPDSCT);
                EthIp6::Stop
            }
        }
    }
}

/// Outcome of EtherIP inside IPv6.
enum EthIp6 {
    /// Continue the walk with this inner IPv6 header.
    Ipv6(usize),
    /// An inner IPv4 packet was dissected.
    Done(Disposition),
    /// Stop dissecting.
    Stop,
}
