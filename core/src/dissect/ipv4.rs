//! IPv4 (T2's `dissembleIPv4Packet`, dissection part).

use plugin_api::status::*;
use plugin_api::wire::ipv4::{self, FRAG_OFFSET, MORE_FRAGS};
use plugin_api::wire::{Ipv4, Tcp, Udp, ethertype, ipproto as ip, tcp, udp};

use super::{Dis, Disposition, IpInfo, Step, off32};

/// Length of the SCTP common header.
const SCTP_HEADER_LEN: usize = 12;

impl Dis<'_, '_> {
    pub(super) fn ipv4(&mut self, l3: usize) -> Disposition {
        self.pv.l3_off = off32(l3);
        self.pv.eth_type = ethertype::IPV4;
        self.pv.l3_proto = ethertype::IPV4;
        self.set(FS_IPV4_PKT);
        self.desc(":ipv4");

        // `hdr` follows T2's ipHdrP: tunnels below may move it to an inner header.
        let mut hdr = l3;
        let outer = Ipv4::at(self.b, hdr);
        let hl = outer.header_len();
        if hl < ipv4::HEADER_LEN {
            self.set(IPV4_HL_TOO_SHORT);
            return Disposition::Drop;
        }
        self.pv.l3_hdr_len = hl as u16;
        let l4 = hdr + hl;
        self.pv.l4_off = off32(l4);
        let mut priproto = true;
        let later_fragment = outer.frag_offset() != 0;
        if later_fragment {
            self.set(STPDSCT);
        }

        // Ports of the outer header decide the UDP/TCP tunnels.
        let proto = outer.protocol();
        let (sport, dport, hdrlen) = if later_fragment {
            (0, 0, 0)
        } else {
            let (s, d) = self.ports_at(l4);
            match proto {
                ip::TCP => (s, d, Tcp::at(self.b, l4).header_len()),
                ip::UDP | ip::UDPLITE => (s, d, udp::HEADER_LEN),
                ip::SCTP => (s, d, SCTP_HEADER_LEN),
                _ => (0, 0, 0),
            }
        };
        self.pv.src_port = sport;
        self.pv.dst_port = dport;

        if sport != 0
            && dport != 0
            && let Step::Done(d) = self.ip_port_tunnels(hdr, l4, hl, proto, hdrlen, &mut priproto)
        {
            return d;
        }

        let mut gre_len = 0;
        if proto == ip::GRE && !self.has(STPDSCT) {
            match self.gre_over_ipv4(l4, &mut priproto) {
                GreV4::Done(d) => return d,
                GreV4::Inner { hdr: h, len } => {
                    hdr = h;
                    gre_len = len;
                }
                GreV4::Stop { len } => gre_len = len,
            }
        }

        // EtherIP
        let eth = self.pv.l3_off as usize + usize::from(self.pv.l3_hdr_len);
        // (the EtherIP version is the high nibble of its first byte)
        if Ipv4::at(self.b, hdr).protocol() == ip::ETHIP && self.u8_at(eth) & 0xf0 >= 0x30 && !self.has(STPDSCT) {
            match self.etherip(eth) {
                Step::Done(d) => return d,
                Step::Continue => {
                    if !self.has(STPDSCT) {
                        hdr = self.pv.l3_off as usize;
                    }
                }
            }
        }

        // IP in IP: T2 moves on to the inner IPv4 header in place, or dissects inner IPv6.
        if !self.has(STPDSCT) {
            let p = Ipv4::at(self.b, hdr).protocol();
            let inner = self.pv.l3_off as usize + usize::from(self.pv.l3_hdr_len);
            if p == ip::IPIP4 {
                self.set(L3_IPIP);
                self.desc(":ipv4");
                if inner > self.end() {
                    self.set(STPDSCT);
                } else {
                    self.pv.l3_off = off32(inner);
                    hdr = inner;
                    self.pv.l3_hdr_len = Ipv4::at(self.b, hdr).header_len() as u16;
                }
            } else if p == ip::IPIP6 {
                self.set(L3_IPIP);
                if inner > self.end() {
                    self.set(FS_IPV6_PKT | STPDSCT);
                } else {
                    return self.ipv6(inner);
                }
            }
        }

        if self.ip_version(hdr) != 4 {
            self.set(L3_IPVX);
            self.desc(":ipvx");
            return Disposition::Drop;
        }

        self.ipv4_lengths(hdr, gre_len, priproto)
    }

    /// Lengths, layer 4 and ports of the (possibly inner) IPv4 header at `hdr`.
    fn ipv4_lengths(&mut self, hdr: usize, gre_len: usize, priproto: bool) -> Disposition {
        let l3 = self.pv.l3_off as usize;
        let l2_hdr = l3.wrapping_sub(self.l2()) as u16;
        self.pv.snap_l3_len = self.pv.snap_l2_len.wrapping_sub(u32::from(l2_hdr));
        let calc_l3 = self.pv.raw_len.wrapping_sub(l3 as u32) as u16;
        let iph = Ipv4::at(self.b, hdr);
        let ip_len = iph.total_len();
        let l3_len = if ip_len == 0 || ip_len > calc_l3 { calc_l3 } else { ip_len };
        if ip_len == 0 && calc_l3 != 0 {
            self.set(IP_PL_MSMTCH);
        }
        self.pv.l2_hdr_len = l2_hdr;
        let l2_len = l3_len.wrapping_add(l2_hdr);
        self.pv.l2_len = u32::from(l2_len);
        self.pv.l3_len = u32::from(l3_len);
        self.g.bytes_on_wire += u64::from(l2_len);
        self.check_l3_snap(u32::from(l3_len), u32::from(l2_len), "");
        if usize::from(l3_len) < ipv4::HEADER_LEN {
            self.set(L3HDRSHRTLEN);
        }

        let l3_hdr_len = usize::from(self.pv.l3_hdr_len);
        let proto = iph.protocol();
        self.pv.l4_proto = proto;
        let l4 = hdr + l3_hdr_len;
        self.pv.l4_off = off32(l4);
        let l4_to_end = (self.end() as u64).wrapping_sub(l4 as u64) as u32;
        let flags = iph.flags_frag();
        let later_fragment = flags & FRAG_OFFSET != 0;
        let l4_hdr_len: u16 = if later_fragment {
            0
        } else {
            let n = match proto {
                ip::IPIP4 => iph.header_len() as u16,
                ip::ICMP => 8,
                ip::TCP => {
                    if self.has(L3SNAPLENGTH) && l4_to_end < tcp::HEADER_LEN as u32 {
                        tcp::HEADER_LEN as u16
                    } else {
                        Tcp::at(self.b, l4).header_len() as u16
                    }
                }
                ip::GRE => gre_len as u16,
                ip::OSPF => ospf_hdr_len(self.u8_at(l4)),
                ip::SCTP => SCTP_HEADER_LEN as u16,
                _ => 8,
            };
            if self.has(L3SNAPLENGTH) && l4_to_end < u32::from(n) {
                self.set(L4HDRSHRTLEN);
            }
            n
        };
        self.pv.l4_hdr_len = l4_hdr_len;
        let packet_len = i32::from(l3_len) - iph.header_len() as i32 - i32::from(l4_hdr_len);
        if packet_len >= 0 {
            self.pv.len = packet_len as u32;
        } else {
            self.pv.len = 0;
            self.set(L4HDRSHRTLEN);
        }
        self.pv.l7_len = l3_len.wrapping_sub(l3_hdr_len as u16).wrapping_sub(l4_hdr_len);
        let l7 = l4 + usize::from(l4_hdr_len);
        self.pv.l7_off = off32(l7);
        self.snap_lengths(l3, u32::from(l3_len), l3_hdr_len as u32, l4_hdr_len, l7);

        self.pv.src_ip = [0; 16];
        self.pv.dst_ip = [0; 16];
        self.pv.src_ip[..4].copy_from_slice(&iph.src());
        self.pv.dst_ip[..4].copy_from_slice(&iph.dst());

        if !self.has(STPDSCT) {
            self.pv.src_port = 0;
            self.pv.dst_port = 0;
        }
        let ip_id = u32::from(iph.ident());
        let info = IpInfo {
            v6: false,
            later_fragment,
            first_fragment: flags & (FRAG_OFFSET | MORE_FRAGS) == MORE_FRAGS,
            more_fragments: flags & MORE_FRAGS != 0,
            frag_id: ip_id,
            ip_id,
        };
        if later_fragment {
            if priproto {
                self.desc_proto(proto);
            }
            return Disposition::Ip(info);
        }
        if !self.has(STPDSCT)
            && let Step::Done(d) = self.ipv4_l4(hdr, l4, l3_len, proto, priproto)
        {
            return d;
        }
        Disposition::Ip(info)
    }

    /// T2's first-time snap-length warning and snap length clipping.
    #[inline]
    pub(super) fn check_l3_snap(&mut self, l3_len: u32, l2_len: u32, prefix: &str) {
        if self.pv.snap_l3_len < l3_len {
            self.set(L3SNAPLENGTH);
            if self.global_warn().get() & L3SNAPLENGTH == 0 {
                self.warn_l3_snap(l3_len, prefix);
            }
        } else if self.pv.snap_l3_len > l3_len {
            self.pv.snap_l2_len = l2_len;
            self.pv.snap_l3_len = l3_len;
        }
    }

    /// The run's first snapped packet: the warning, once.
    #[cold]
    #[inline(never)]
    fn warn_l3_snap(&mut self, l3_len: u32, prefix: &str) {
        let gw = self.global_warn();
        gw.set(gw.get() | L3SNAPLENGTH);
        let msg = format!(
            "{prefix}snapL2Length: {} - snapL3Length: {} - IP length in header: {}",
            self.pv.snap_l2_len, self.pv.snap_l3_len, l3_len
        );
        self.st.warnings.push(msg);
    }

    /// Captured layer 4 and 7 lengths (shared by IPv4 and IPv6 except for the snapped case).
    fn snap_lengths(&mut self, l3: usize, l3_len: u32, l3_hdr_len: u32, l4_hdr_len: u16, l7: usize) {
        let snap_l3 = self.pv.snap_l3_len;
        if snap_l3 >= l3_len {
            self.pv.snap_l4_len = if snap_l3 < l3_hdr_len { 0 } else { l3_len.wrapping_sub(l3_hdr_len) as u16 };
            self.pv.snap_l7_len = self.pv.snap_l4_len.saturating_sub(l4_hdr_len);
        } else {
            self.pv.snap_l4_len = if snap_l3 < l3_hdr_len { 0 } else { snap_l3.wrapping_sub(l3_hdr_len) as u16 };
            let off = l7.wrapping_sub(l3) as u16;
            self.pv.snap_l7_len =
                if snap_l3 < u32::from(off) { 0 } else { snap_l3.wrapping_sub(u32::from(off)) as u16 };
        }
    }

    /// Layer 4 of a non-fragment (or first fragment) IPv4 packet.
    fn ipv4_l4(&mut self, hdr: usize, l4: usize, l3_len: u16, proto: u8, priproto: bool) -> Step {
        match proto {
            ip::IPIP4 => {
                self.set(L3_IPIP);
                let inner = self.pv.l3_off as usize + usize::from(self.pv.l3_hdr_len);
                if inner > self.end() || self.pv.l3_hdr_len == 0 {
                    self.set(STPDSCT);
                    return Step::Continue;
                }
                return Step::Done(self.ipv4(inner));
            }
            ip::TCP => {
                if priproto {
                    self.desc(":tcp");
                }
                if l3_len < 40 {
                    self.set(L4HDRSHRTLEN);
                } else {
                    self.l4_ports(l4);
                    self.ssdp();
                }
            }
            ip::UDPLITE | ip::UDP => {
                if priproto {
                    self.desc(if proto == ip::UDPLITE { ":udplite" } else { ":udp" });
                }
                if l3_len < 28 {
                    self.set(L4HDRSHRTLEN);
                } else {
                    self.l4_ports(l4);
                    self.dtls(l4 + udp::HEADER_LEN);
                    if !self.ssdp() && (self.pv.src_port == 4500 || self.pv.dst_port == 4500) {
                        self.udp_encap(l4);
                    }
                }
            }
            ip::GRE => {
                if priproto {
                    self.desc(":gre");
                }
                self.set(L2_GRE);
                return self.gre_in_ipv4_l4(l4);
            }
            ip::ESP => {
                self.desc(":esp");
                self.set(L3_IPSEC_ESP);
            }
            ip::AH => {
                self.desc(":ah");
                self.set(L3_IPSEC_AH);
                let next = self.u8_at(l4);
                self.desc_proto(next);
            }
            ip::L2TP => {
                self.desc(":l2tp");
                self.set(L2_L2TP);
                self.pv.l3_proto = 0x0300;
            }
            ip::SCTP => {
                if priproto {
                    self.desc(":sctp");
                }
                self.set(L4_SCTP);
                if l3_len < 36 {
                    self.set(L4HDRSHRTLEN);
                } else {
                    self.l4_ports(l4);
                }
            }
            ip::IGMP => {
                self.desc(":igmp");
                match self.u8_at(l4) {
                    0x13 => self.desc(":dvmrp"),
                    0x14 => self.desc(":pim"),
                    0xfc..=0xff if Ipv4::at(self.b, hdr).dst() == [224, 0, 0, 25] => self.desc(":rgmp"),
                    _ => {}
                }
            }
            ip::PIM => return self.pim(l4),
            p => self.desc_proto(p),
        }
        Step::Continue
    }

    /// Source and destination port of the layer 4 header at `l4` (TCP, UDP, UDP-Lite and SCTP
    /// all start with them).
    fn ports_at(&self, l4: usize) -> (u16, u16) {
        let h = Udp::at(self.b, l4);
        (h.src_port(), h.dst_port())
    }

    /// Takes the ports of the layer 4 header at `l4` into the view.
    pub(super) fn l4_ports(&mut self, l4: usize) {
        (self.pv.src_port, self.pv.dst_port) = self.ports_at(l4);
    }

    /// SSDP/UPnP on port 1900 against an unprivileged port; returns whether it matched.
    pub(super) fn ssdp(&mut self) -> bool {
        let (s, d) = (self.pv.src_port, self.pv.dst_port);
        if (d == 1900 && s > 1024) || (s == 1900 && d > 1024) {
            self.desc(":ssdp");
            self.set(L4_UPNP);
            return true;
        }
        false
    }

    /// DTLS records at the start of a UDP payload.
    pub(super) fn dtls(&mut self, mut p: usize) {
        loop {
            let ctype = self.u8_at(p);
            if !(ctype > 0x13 && ctype < 0x40) {
                return;
            }
            match self.u16_at(p + 1) {
                0xfefd => self.desc(":dtls1.2"),
                0xfeff | 0x0100 => self.desc(":dtls1.0"),
                _ => return,
            }
            self.set(L7_DTLS);
            self.g.num_dtls_packets += 1;
            let dlen = 13 + usize::from(self.u16_at(p + 11));
            if self.end().saturating_sub(p) <= dlen {
                return;
            }
            p += dlen;
        }
    }

    /// UDP encapsulation of IPsec (port 4500).
    fn udp_encap(&mut self, l4: usize) {
        let p = l4 + udp::HEADER_LEN;
        self.desc(":udpencap");
        if self.u8_at(p) == 0xff && i64::from(Udp::at(self.b, l4).length()) - 8 == 1 {
            // NAT keep-alive
        } else if self.u32_at(p) != 0 {
            self.desc(":esp");
            self.set(L3_IPSEC_ESP);
        } else {
            self.desc(":isakmp");
        }
    }

    /// PIM: a register message carries an inner IP packet.
    pub(super) fn pim(&mut self, l4: usize) -> Step {
        self.desc(":pim");
        if self.u8_at(l4) & 0x0f == 1 {
            let p = l4 + 8;
            match self.ip_version(p) {
                4 => return Step::Done(self.ipv4(p)),
                6 => return Step::Done(self.ipv6(p)),
                _ => {}
            }
        }
        Step::Continue
    }
}

/// OSPF header length by version.
pub(super) fn ospf_hdr_len(version: u8) -> u16 {
    match version {
        2 => 24,
        _ => 16,
    }
}

/// Outcome of the GRE block that precedes the layer 4 processing.
pub(super) enum GreV4 {
    /// An inner packet was dissected completely.
    Done(Disposition),
    /// Continue with the inner IPv4 header at `hdr`; `len` = GRE header length.
    Inner { hdr: usize, len: usize },
    /// Dissection stops at GRE (`STPDSCT` set or not handled).
    Stop { len: usize },
}
