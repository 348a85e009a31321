//! IPv6 (T2's `dissembleIPv6Packet`, dissection part): extension headers, tunnels, layer 4.

use plugin_api::abi::NO_OFFSET;
use plugin_api::status::*;
use plugin_api::wire::ipv6::{self, FRAG_HEADER_LEN};
use plugin_api::wire::{Ipv6, Ipv6Ext, Ipv6Frag, Tcp, ethernet, ethertype as et, ipproto as ip, tcp, udp};

use super::ipv4::ospf_hdr_len;
use super::tunnel::GreInfo;
use super::{Dis, Disposition, IpInfo, Step, off32};

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
        let mut frag = (Ipv6::at(self.b, hdr).next_header() == ip::FRAGMENT).then_some(hdr + ipv6::HEADER_LEN);

        let l2_hdr = l3.wrapping_sub(self.l2()) as u16;
        self.pv.snap_l3_len = self.pv.snap_l2_len.wrapping_sub(u32::from(l2_hdr));
        let l3_len_outer = self.ipv6_len(hdr, l3);
        self.pv.l2_hdr_len = l2_hdr;
        let l2_len = self.pv.raw_len as u16;
        self.g.bytes_on_wire += u64::from(l2_len);
        self.pv.l2_len = u32::from(l2_len);
        self.pv.l3_len = u32::from(l3_len_outer);
        self.check_l3_snap(u32::from(l3_len_outer), u32::from(l2_len), "Outer -- ");
        self.pv.len = u32::from(l3_len_outer);

        let mut nxt = Ipv6::at(self.b, hdr).next_header();
        self.pv.l4_proto = nxt;
        let mut hdlen: usize = ipv6::HEADER_LEN;
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
                    let ext = Ipv6Ext::at(self.b, l4);
                    nxt = ext.next_header();
                    hdlen += ext.header_len();
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
                    let min = tcp::HEADER_LEN as u32;
                    if self.has(L3SNAPLENGTH) && to_end < min {
                        self.set(L4HDRSHRTLEN);
                        l4_hdr_len = min as u16;
                    } else {
                        l4_hdr_len = Tcp::at(self.b, l4).header_len() as u16;
                    }
                    if to_end < min {
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
                        self.dtls(l4 + udp::HEADER_LEN);
                        if (self.pv.src_port == 1701 || self.pv.dst_port == 1701)
                            && let Step::Done(d) = self.l2tp_at(l4 + udp::HEADER_LEN)
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
                    if to_end < ipv6::HEADER_LEN as u32 {
                        self.set(STPDSCT);
                        Walk::Stop
                    } else {
                        self.pv.l3_off = off32(l4);
                        hdr = l4;
                        nxt = Ipv6::at(self.b, hdr).next_header();
                        hdlen = ipv6::HEADER_LEN;
                        Walk::Next
                    }
                }
                ip::ROUTING => {
                    self.desc(":ipv6.routing");
                    self.pv.ip6_route_off = off32(l4);
                    let ext = Ipv6Ext::at(self.b, l4);
                    nxt = ext.next_header();
                    hdlen += ext.header_len();
                    Walk::Next
                }
                ip::FRAGMENT => {
                    self.desc(":ipv6.fraghdr");
                    frag = Some(l4);
                    self.g.num_frag_v6_packets += 1;
                    let fh = Ipv6Frag::at(self.b, l4);
                    nxt = fh.next_header();
                    self.pv.ip6_frag_off = off32(l4);
                    hdlen += FRAG_HEADER_LEN;
                    if fh.frag_offset() != 0 {
                        l4 += FRAG_HEADER_LEN;
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
                            hdlen = ipv6::HEADER_LEN;
                            Walk::Next
                        }
                        None => Walk::Stop,
                    }
                }
                ip::AH => {
                    self.desc(":ah");
                    self.set(L3_IPSEC_AH);
                    nxt = self.u8_at(l4);
                    hdlen += (usize::from(self.u8_at(l4 + 1)) + 2) << 2;
                    Walk::Next
                }
                ip::ETHIP => {
                    let eth = self.pv.l3_off as usize + hdlen;
                    if self.u8_at(eth) & 0xf0 < 0x30 {
                        return Disposition::Drop;
                    }
                    match self.etherip_v6(eth) {
                        EthIp6::Ipv6(inner) => {
                            hdr = inner;
                            hdlen = ipv6::HEADER_LEN;
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
                    l4_hdr_len = ospf_hdr_len(self.u8_at(l4));
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
                    if self.u8_at(l4) & 0x0f == 1 {
                        let q = l4 + 8;
                        match self.ip_version(q) {
                            4 => {
                                self.pv.l3_off = off32(q);
                                return self.ipv4(q);
                            }
                            6 => {
                                self.pv.l3_off = off32(q);
                                hdr = q;
                                nxt = Ipv6::at(self.b, hdr).next_header();
                                hdlen = ipv6::HEADER_LEN;
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
        let l3_len = self.ipv6_len(hdr, l3);
        self.pv.l3_len = u32::from(l3_len);
        let l4_to_end = (self.end() as i64).wrapping_sub(l4 as i64) as i32;
        let fh = frag.map(|f| Ipv6Frag::at(self.b, f));
        let later_fragment = fh.is_some_and(|f| f.frag_offset() != 0);
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
        let iph = Ipv6::at(self.b, hdr);
        self.pv.src_ip = iph.src();
        self.pv.dst_ip = iph.dst();
        Disposition::Ip(IpInfo {
            v6: true,
            later_fragment,
            first_fragment: fh.is_some_and(|f| f.frag_offset() == 0 && f.more_frags()),
            more_fragments: fh.is_some_and(|f| f.more_frags()),
            frag_id: fh.map_or(0, |f| f.ident()),
            ip_id: 0,
        })
    }

    /// The datagram length T2 takes for the IPv6 header at `hdr`, `l3` being where the IP layer
    /// starts on the wire: fixed header plus payload length, or what the wire carried from `l3`
    /// on when the payload length is 0 (`IP_PL_MSMTCH`) or longer than that.
    fn ipv6_len(&mut self, hdr: usize, l3: usize) -> u16 {
        const HDR: u16 = ipv6::HEADER_LEN as u16;
        let calc_l3 = self.pv.raw_len.wrapping_sub(l3 as u32) as u16;
        let payload = Ipv6::at(self.b, hdr).payload_len();
        if payload == 0 && calc_l3 != 0 {
            self.set(IP_PL_MSMTCH);
        }
        if payload == 0 || u32::from(payload) + u32::from(HDR) > u32::from(calc_l3) {
            calc_l3
        } else {
            payload.wrapping_add(HDR)
        }
    }

    /// GRE inside the IPv6 header walk; returns the inner IPv6 header to continue with.
    fn gre_over_ipv6(&mut self, gre: usize) -> Option<usize> {
        self.pv.gre_off = off32(gre);
        self.pv.gre_l3_off = self.pv.l3_off;
        let h = GreInfo::at(self.b, gre);
        let p = h.payload;
        match h.proto {
            et::IPV6 => {
                self.pv.l3_off = off32(p);
                self.pv.l3_proto = et::IPV6;
                Some(p)
            }
            et::PPP => {
                self.desc(":ppp");
                self.set(L2_PPP);
                self.pv.ppp_off = off32(p);
                if self.u8_at(p) == 0xfd {
                    self.desc(":comp_data");
                    self.set(PPP_NRHD | STPDSCT);
                    return None;
                }
                let proto = self.u16_at(p + 2);
                if proto == 0x0057 {
                    self.pv.l3_off = off32(p + 4);
                    self.pv.l3_proto = et::IPV6;
                    return Some(p + 4);
                }
                if h.empty_v1 {
                    self.pv.ppp_off = NO_OFFSET;
                } else {
                    self.desc_pppproto(proto);
                }
                self.set(STPDSCT);
                None
            }
            et::TEB => {
                let hp = p + ethernet::field::ETHERTYPE.start;
                self.pv.l3_off = off32(hp + 2);
                self.pv.l3_proto = self.u16_at(hp);
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
        let shape = self.vlans(eth + 2 + ethernet::field::ETHERTYPE.start);
        let hp = shape + 2;
        match self.u16_at(shape) {
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
