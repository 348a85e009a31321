//! Tunnels recognised by port (AYIYA, GTP, VXLAN, GENEVE, CAPWAP, LWAPP, L2TP, Teredo) or by
//! protocol (GRE, EtherIP), with T2's quirks (core.md §5.5).
//!
//! Each `*_at` function gets the offset of its header; it returns [`Step::Done`] when it
//! dissected an inner packet and [`Step::Continue`] when the outer packet carries on (possibly
//! with `STPDSCT` set and the header description extended, as T2 leaves them).

use plugin_api::abi::NO_OFFSET;
use plugin_api::status::*;

use plugin_api::wire::{Gre, Ipv4, Ipv6, ethernet, ethertype as et, ipproto as ip};

use super::ipv4::GreV4;
use super::{Dis, Disposition, Step, off32};

const AYIYA_PORT: u16 = 5072;
const GTP_PORTS: [u16; 3] = [2152, 2123, 3386];
const VXLAN_PORT: u16 = 4789;
const VXLAN_GPE_PORT: u16 = 4790;
const VXLAN_OLD_PORT: u16 = 8472;
const GENEVE_PORT: u16 = 6081;
const CAPWAP_CTRL_PORT: u16 = 5246;
const CAPWAP_DATA_PORT: u16 = 5247;
const LWAPP_DATA_PORT: u16 = 12222;
const LWAPP_CTRL_PORT: u16 = 12223;
const L2TP_PORT: u16 = 1701;
const TEREDO_PORT: u16 = 3544;

/// `port` against an unprivileged peer, either way round.
fn service(s: u16, d: u16, ports: &[u16]) -> bool {
    (ports.contains(&s) && d > 1024) || (ports.contains(&d) && s > 1024)
}

/// The UDP tunnels T2 tries, in its order.
#[derive(Clone, Copy)]
enum UdpTunnel {
    Gtp,
    Vxlan,
    Geneve,
    Capwap,
    Lwapp,
    L2tp,
    Teredo,
}

/// The GRE header facts the walk uses.
pub(super) struct GreInfo {
    /// Offset of the payload after the optional fields (T2 skips 4 bytes per flag, routing
    /// included, which it does not walk).
    pub(super) payload: usize,
    /// Protocol type.
    pub(super) proto: u16,
    /// Enhanced GRE whose payload length field is 0 (PPTP keep-alive acknowledgements).
    pub(super) empty_v1: bool,
}

impl GreInfo {
    /// The GRE header at offset `gre` of `b`.
    pub(super) fn at(b: &[u8], gre: usize) -> GreInfo {
        let h = Gre::at(b, gre);
        GreInfo { payload: gre + h.header_len(), proto: h.protocol(), empty_v1: h.version() == 1 && h.opt0() == 0 }
    }
}

impl Dis<'_, '_> {
    /// AYIYA and the UDP tunnels of the outer IPv4 header (ports already known).
    pub(super) fn ip_port_tunnels(
        &mut self,
        hdr: usize,
        l4: usize,
        hl: usize,
        proto: u8,
        hdrlen: usize,
        priproto: &mut bool,
    ) -> Step {
        let (s, d) = (self.pv.src_port, self.pv.dst_port);
        if !self.has(STPDSCT) && service(s, d, &[AYIYA_PORT]) {
            if proto == ip::SCTP {
                if *priproto {
                    self.desc(":sctp");
                    *priproto = false;
                }
                self.desc(":ayiya");
                self.set(STPDSCT);
            } else {
                // T2 computes this in size_t and converts to int
                let reqlen = (i64::from(Ipv4::at(self.b, hdr).total_len()) - hl as i64 - hdrlen as i64 - 8) as i32;
                if reqlen >= 0 {
                    if *priproto {
                        self.desc_proto(proto);
                        *priproto = false;
                    }
                    if let Step::Done(d) = self.ayiya_at(l4 + hdrlen) {
                        return Step::Done(d);
                    }
                }
            }
        }
        if self.has(STPDSCT) || proto != ip::UDP {
            return Step::Continue;
        }
        let vxlan = [VXLAN_PORT, VXLAN_GPE_PORT, VXLAN_OLD_PORT];
        let tunnels = [
            (service(s, d, &GTP_PORTS), UdpTunnel::Gtp),
            // T2 tests the destination port twice instead of the source port the second time
            ((vxlan.contains(&s) && d > 1024) || vxlan.contains(&d), UdpTunnel::Vxlan),
            (service(s, d, &[GENEVE_PORT]), UdpTunnel::Geneve),
            (service(s, d, &[CAPWAP_DATA_PORT, CAPWAP_CTRL_PORT]), UdpTunnel::Capwap),
            (service(s, d, &[LWAPP_DATA_PORT, LWAPP_CTRL_PORT]), UdpTunnel::Lwapp),
            (s == L2TP_PORT || d == L2TP_PORT, UdpTunnel::L2tp),
            (s > 1024 && d > 1024, UdpTunnel::Teredo),
        ];
        for (matches, tunnel) in tunnels {
            if !self.has(STPDSCT) && matches {
                if *priproto {
                    self.desc(":udp");
                    *priproto = false;
                }
                let p = l4 + hdrlen;
                let step = match tunnel {
                    UdpTunnel::Gtp => self.gtp_at(p),
                    UdpTunnel::Vxlan => self.vxlan_at(p),
                    UdpTunnel::Geneve => self.geneve_at(p),
                    UdpTunnel::Capwap => self.capwap_at(p),
                    UdpTunnel::Lwapp => self.lwapp_at(p),
                    UdpTunnel::L2tp => self.l2tp_at(p),
                    UdpTunnel::Teredo => self.teredo_at(p),
                };
                if let Step::Done(d) = step {
                    return Step::Done(d);
                }
            }
        }
        Step::Continue
    }

    fn ayiya_at(&mut self, p: usize) -> Step {
        let skip = 8 + (1usize << (self.u8_at(p) >> 4)) + (usize::from(self.u8_at(p + 1) >> 4) << 2);
        if p + skip >= self.end() {
            return Step::Continue;
        }
        let q = p + skip;
        match self.u8_at(p + 3) {
            ip::IPIP6 if self.ip_version(q) == 6 => {
                self.desc(":ayiya");
                self.set(L3_AYIYA);
                return Step::Done(self.ipv6(q));
            }
            ip::IPIP4 if self.ip_version(q) == 4 => {
                self.desc(":ayiya");
                self.set(L3_AYIYA);
                return Step::Done(self.ipv4(q));
            }
            ip::IPIP6 | ip::IPIP4 => {}
            ip::NONXT => {
                self.desc(":ayiya");
                self.set(L3_AYIYA | STPDSCT);
            }
            _ => self.set(STPDSCT),
        }
        Step::Continue
    }

    fn gtp_at(&mut self, p: usize) -> Step {
        self.desc(":gtp");
        self.set(L3_GTP);
        self.pv.gtp_off = off32(p);
        if self.u8_at(p + 1) != 0xff {
            return Step::Continue; // only T-PDUs carry user packets
        }
        let flags = self.u8_at(p);
        let mut skip: u8 = 8;
        match flags >> 5 {
            0 => skip = skip.wrapping_add(12),
            1 => {
                if flags & 0x07 != 0 {
                    skip = skip.wrapping_add(4);
                }
                if flags & 0x04 != 0 {
                    skip = skip.wrapping_add(self.u8_at(p + usize::from(skip)) << 2);
                }
            }
            2 => {
                self.set(STPDSCT);
                return Step::Continue;
            }
            _ => {}
        }
        let q = p + usize::from(skip);
        if q >= self.end() {
            return Step::Continue;
        }
        match self.ip_version(q) {
            4 => return Step::Done(self.ipv4(q)),
            6 => return Step::Done(self.ipv6(q)),
            _ => {}
        }
        self.set(STPDSCT);
        Step::Continue
    }

    fn vxlan_at(&mut self, p: usize) -> Step {
        let old_l2 = self.pv.l2_off;
        let old_l3 = self.pv.l3_off;
        let gpe = self.pv.src_port == VXLAN_GPE_PORT || self.pv.dst_port == VXLAN_GPE_PORT;
        let mut q = p + 8;
        if q >= self.end() {
            return Step::Continue;
        }
        let skip = q.wrapping_sub(self.l2()) as u16;
        let flags = self.u8_at(p);
        if gpe {
            if self.u16_at(p + 1) != 0 || self.u8_at(p + 7) != 0 {
                return Step::Continue;
            }
            self.pv.snap_l2_len = self.pv.snap_l2_len.wrapping_sub(u32::from(skip));
            self.pv.l2_off = off32(q);
            self.set(L3_VXLAN);
            self.desc(":vxlan_gpe");
            if flags & 0x04 != 0 {
                let mut next = self.u8_at(p + 3);
                loop {
                    match next {
                        1 => {
                            self.pv.l3_off = off32(q);
                            return Step::Done(self.ipv4(q));
                        }
                        2 => {
                            self.pv.l3_off = off32(q);
                            return Step::Done(self.ipv6(q));
                        }
                        3 => break,
                        5 => {
                            self.desc(":mpls");
                            self.set(L2_MPLS_UCAST | L2_MPLS_MCAST);
                            return Step::Continue;
                        }
                        4 => {
                            self.desc(":nsh");
                            let len = usize::from(self.u8_at(q + 1) & 0x3f) << 2;
                            next = self.u8_at(q + 3);
                            q += len;
                        }
                        n => {
                            self.st.errors.push(format!("Unhandled VXLAN-GPE next protocol 0x{n:02x}"));
                            self.vxlan_reset(skip, old_l2, old_l3);
                            return Step::Continue;
                        }
                    }
                }
            }
        } else if self.u8_at(p + 1) != 0 || self.u8_at(p + 7) != 0 {
            return Step::Continue;
        } else {
            self.set(L3_VXLAN);
            self.desc(":vxlan");
            self.pv.snap_l2_len = self.pv.snap_l2_len.wrapping_sub(u32::from(skip));
            self.pv.l2_off = off32(q);
        }
        if let Step::Done(d) = self.inner_ethernet(q, true) {
            return Step::Done(d);
        }
        self.vxlan_reset(skip, old_l2, old_l3);
        Step::Continue
    }

    fn vxlan_reset(&mut self, skip: u16, old_l2: u32, old_l3: u32) {
        self.pv.snap_l2_len = self.pv.snap_l2_len.wrapping_add(u32::from(skip));
        self.pv.l2_off = old_l2;
        self.pv.l3_off = old_l3;
        self.set(STPDSCT);
    }

    /// An Ethernet frame inside a VXLAN/GENEVE tunnel at `q` (the MAC addresses): VLAN tags,
    /// then IPv4, IPv6 or PPPoE. `check_snap` mirrors T2's snap-length guard before the VLANs.
    fn inner_ethernet(&mut self, q: usize, check_snap: bool) -> Step {
        self.desc(":eth");
        let mut p = q + ethernet::field::ETHERTYPE.start;
        let shape = if !check_snap || self.pv.snap_l2_len >= 4 { self.vlans(p) } else { p };
        if p != shape {
            p = shape;
        } else {
            p += 2;
        }
        match self.u16_at(shape) {
            et::IPV4 => {
                self.pv.l3_off = off32(p);
                return Step::Done(self.ipv4(p));
            }
            et::IPV6 => {
                self.pv.l3_off = off32(p);
                return Step::Done(self.ipv6(p));
            }
            et::PPPOE_D => {
                self.desc(":pppoed");
                self.set(L2_PPPOE_D);
                self.pv.pppoe_off = off32(shape + 2);
            }
            et::PPPOE_S => {
                self.desc(":pppoes");
                self.set(L2_PPPOE_S);
                self.pv.pppoe_off = off32(shape + 2);
                let ppp = shape + 10;
                self.pv.ppp_off = off32(ppp);
                self.desc(":ppp");
                match self.u16_at(shape + 8) {
                    0x0021 => {
                        self.pv.l3_off = off32(ppp);
                        return Step::Done(self.ipv4(ppp));
                    }
                    0x0057 => {
                        self.pv.l3_off = off32(ppp);
                        return Step::Done(self.ipv6(ppp));
                    }
                    proto => self.desc_pppproto(proto),
                }
            }
            t => self.desc_ethproto(t),
        }
        Step::Continue
    }

    fn geneve_at(&mut self, p: usize) -> Step {
        let old_l2 = self.pv.l2_off;
        let old_l3 = self.pv.l3_off;
        let old_snap = self.pv.snap_l2_len;
        let q = p + 8 + (usize::from(self.u8_at(p) & 0x3f) << 2);
        if q >= self.end() {
            return Step::Continue;
        }
        let skip = q.wrapping_sub(self.l2()) as u16;
        // T2's struct puts the second reserved byte at offset 4
        if self.u8_at(p + 1) & 0x3f != 0 || self.u8_at(p + 4) != 0 {
            return Step::Continue;
        }
        if self.u16_at(p + 2) == et::TEB {
            self.set(L3_GENEVE);
            self.desc(":geneve");
            self.pv.snap_l2_len = self.pv.snap_l2_len.wrapping_sub(u32::from(skip));
            self.pv.l2_off = off32(q);
            if let Step::Done(d) = self.inner_ethernet(q, true) {
                return Step::Done(d);
            }
        }
        self.pv.snap_l2_len = old_snap;
        self.pv.l2_off = old_l2;
        self.pv.l3_off = old_l3;
        self.set(STPDSCT);
        Step::Continue
    }

    fn capwap_at(&mut self, p: usize) -> Step {
        let old_l2 = self.pv.l2_off;
        let old_l3 = self.pv.l3_off;
        let old_snap = self.pv.snap_l2_len;
        if p + 8 > self.end() {
            return Step::Continue;
        }
        let (b0, b1, b2, b3) = (self.u8_at(p), self.u8_at(p + 1), self.u8_at(p + 2), self.u8_at(p + 3));
        let kind = b0 & 0x0f;
        let version = b0 >> 4;
        let hlen = usize::from(b1 >> 3);
        let flag_t = b2 & 1;
        let wbid = (b2 >> 1) & 0x1f;
        let (flags_res, flag_k, flag_f) = (b3 & 0x07, (b3 >> 3) & 1, b3 >> 7);
        let frag_off = self.u16_at(p + 6);
        let mut q = p;
        if kind == 0 {
            q += hlen << 2;
            if q >= self.end() {
                return Step::Continue;
            }
        }
        let skip = q.wrapping_sub(self.l2()) as u32;
        if flags_res != 0 || frag_off & 0x3 != 0 || version != 0 || (flag_t == 1 && wbid != 1) {
            return Step::Continue;
        }
        let control = !(self.pv.src_port == CAPWAP_DATA_PORT || self.pv.dst_port == CAPWAP_DATA_PORT);
        self.desc(if control { ":capwap" } else { ":capwap.data" });
        self.set(L3_CAPWAP);
        if kind == 1 {
            self.desc(":dtls");
            self.set(STPDSCT | L7_DTLS);
            return Step::Continue;
        }
        if flag_k == 1 || control || (flag_f == 1 && (frag_off & 0xfff8) >> 3 != 0) {
            self.set(STPDSCT);
            return Step::Continue;
        }
        let payload = if flag_t == 0 {
            self.desc(":eth");
            self.pv.snap_l2_len = self.pv.snap_l2_len.wrapping_sub(skip);
            self.pv.l2_off = off32(q);
            Some(q + ethernet::field::ETHERTYPE.start)
        } else {
            self.ieee80211_at(q, true)
        };
        if let Some(p2) = payload
            && let Step::Done(d) = self.wireless_payload(p2, old_snap.wrapping_sub(skip) >= 4)
        {
            return Step::Done(d);
        }
        self.pv.snap_l2_len = old_snap;
        self.pv.l2_off = old_l2;
        self.pv.l3_off = old_l3;
        self.set(STPDSCT);
        Step::Continue
    }

    fn lwapp_at(&mut self, p: usize) -> Step {
        let old_l2 = self.pv.l2_off;
        let old_l3 = self.pv.l3_off;
        let mut h = p;
        if self.pv.src_port == LWAPP_CTRL_PORT || self.pv.dst_port == LWAPP_CTRL_PORT {
            h += 6; // AP identity
        }
        let q = h + 6;
        if q >= self.end() {
            return Step::Continue;
        }
        let skip = q.wrapping_sub(self.l2()) as u32;
        self.desc(":lwapp");
        self.set(L3_CAPWAP);
        if self.u8_at(h) & 0x04 == 0x04 {
            self.set(STPDSCT);
            return Step::Continue;
        }
        if let Some(p2) = self.ieee80211_at(q, true) {
            let snap_ok = self.pv.snap_l2_len.wrapping_sub(skip) >= 4;
            if let Step::Done(d) = self.wireless_payload(p2, snap_ok) {
                return Step::Done(d);
            }
        }
        // T2 adds the skipped length back although it never subtracted it here
        self.pv.snap_l2_len = self.pv.snap_l2_len.wrapping_add(skip);
        self.pv.l2_off = old_l2;
        self.pv.l3_off = old_l3;
        self.set(STPDSCT);
        Step::Continue
    }

    /// The payload of a CAPWAP/LWAPP frame: `p` is its Ethertype field, read like the 802.11
    /// header in libpcap's buffer.
    fn wireless_payload(&mut self, p: usize, snap_ok: bool) -> Step {
        let mut p = p;
        let mut shape = if snap_ok { self.vlans(p) } else { p };
        if p == shape {
            p += 2;
        } else {
            p = shape;
            let id = self.buf_u16_at(shape);
            if id <= et::LLC_LEN || id == et::JUMBO_LLC {
                self.desc(":llc");
                self.pv.llc_off = off32(p);
                p += 8;
                shape = p;
            }
        }
        match self.buf_u16_at(shape) {
            et::IPV4 => {
                self.pv.l3_off = off32(p);
                Step::Done(self.ipv4(p))
            }
            et::IPV6 => {
                self.pv.l3_off = off32(p);
                Step::Done(self.ipv6(p))
            }
            et::EAPOL => {
                self.desc(":eapol");
                Step::Continue
            }
            t => {
                self.desc_ethproto(t);
                Step::Continue
            }
        }
    }

    /// IEEE 802.11 data frame header; returns the offset of the Ethertype after LLC/SNAP.
    /// T2 reads it without looking at the captured length, in libpcap's buffer.
    fn ieee80211_at(&mut self, p: usize, big_endian: bool) -> Option<usize> {
        self.desc(if self.pv.hdr_desc_len == 0 { "wlan" } else { ":wlan" });
        let (t, f) = if big_endian {
            (self.buf_u8_at(p + 1), self.buf_u8_at(p))
        } else {
            (self.buf_u8_at(p), self.buf_u8_at(p + 1))
        };
        let kind = (t & 0xc) >> 2;
        let subtype = t >> 4;
        if f & 0x40 != 0 || kind != 2 {
            return None; // protected, or not a data frame
        }
        let mut len = match subtype {
            0..=3 => 24,
            8..=11 => 26,
            _ => return None,
        };
        if f & 0x3 == 0x3 {
            len += 6;
        }
        let mut q = p + len;
        if self.buf_u8_at(q) == 0 && self.buf_u8_at(q + 1) == 0 {
            q += 2;
        }
        if self.buf_u8_at(q + 2) & 0x3 != 0x3 {
            q += 1;
        }
        self.pv.llc_off = off32(q.wrapping_sub(2));
        self.desc(":llc");
        Some(q + 6)
    }

    pub(super) fn l2tp_at(&mut self, p: usize) -> Step {
        let flags = self.u16_le_at(p);
        if flags & 0xf000 != 0 {
            return Step::Continue;
        }
        let version = self.u8_at(p + 1) & 0x0f;
        match version {
            2 => self.pv.l3_proto = 0x0200,
            3 => self.pv.l3_proto = 0x0300,
            _ => return Step::Continue,
        }
        self.desc(":l2tp");
        self.set(L2_L2TP);
        self.pv.l2tp_off = off32(p);
        self.pv.l2tp_l3_off = self.pv.l3_off;
        if flags & 0x0080 != 0 {
            self.set(STPDSCT); // control message
            return Step::Continue;
        }
        let mut q = p + 2;
        if version == 3 {
            q += 4;
        } else {
            if flags & 0x0040 != 0 {
                q += 2;
            }
            q += 4;
            if flags & 0x0008 != 0 {
                q += 4;
            }
            if flags & 0x0002 != 0 {
                q += usize::from(self.u16_at(q)) + 2;
            }
        }
        if q >= self.end() {
            self.set(STPDSCT);
            return Step::Continue;
        }
        if self.u8_at(q) == 0x0f || self.u8_at(q) == 0x8f {
            self.desc(":chdlc");
        } else {
            self.desc(":ppp");
        }
        self.set(L2_PPP);
        self.pv.ppp_off = off32(q);
        q += 2;
        if self.u16_at(q) == 0x003d {
            self.desc(":mp");
            q += 6;
        }
        let proto = self.u16_at(q);
        q += 2;
        if q >= self.end() {
            self.set(STPDSCT);
            return Step::Continue;
        }
        match proto {
            0x0021 => Step::Done(self.ipv4(q)),
            0x0057 => Step::Done(self.ipv6(q)),
            p => {
                self.desc_pppproto(p);
                self.set(STPDSCT);
                Step::Continue
            }
        }
    }

    fn teredo_at(&mut self, p: usize) -> Step {
        let mut q = p;
        let mut marker = self.u16_le_at(q);
        if self.u8_at(q) != 0x60 && marker != 0x0100 && marker != 0 {
            return Step::Continue;
        }
        let mut auth = NO_OFFSET;
        if marker == 0x0100 {
            auth = off32(q);
            q += 13 + usize::from(self.u8_at(q + 2)) + usize::from(self.u8_at(q + 3));
            marker = self.u16_le_at(q);
        }
        let mut origin = NO_OFFSET;
        if marker == 0 {
            origin = off32(q);
            q += 8;
        }
        if self.ip_version(q) != 6 {
            return Step::Continue;
        }
        let prefix = [0x20, 0x01, 0x00, 0x00];
        let inner = Ipv6::at(self.b, q);
        let src_teredo = inner.src()[..4] == prefix;
        let dst_teredo = inner.dst()[..4] == prefix;
        if self.pv.src_port != TEREDO_PORT && !src_teredo && self.pv.dst_port != TEREDO_PORT && !dst_teredo {
            return Step::Continue;
        }
        self.desc(":teredo");
        self.set(L3_TRDO);
        if auth != NO_OFFSET {
            self.pv.trdo_auth_off = auth;
        }
        if origin != NO_OFFSET {
            self.pv.trdo_oi_off = origin;
        }
        self.pv.l3_off = off32(q);
        Step::Done(self.ipv6(q))
    }

    /// The GRE block T2 runs before the layer 4 switch (outer IPv4 header carries GRE).
    pub(super) fn gre_over_ipv4(&mut self, gre: usize, priproto: &mut bool) -> GreV4 {
        self.desc(":gre");
        self.set(L2_GRE);
        self.pv.gre_off = off32(gre);
        self.pv.gre_l3_off = self.pv.l3_off;
        let h = GreInfo::at(self.b, gre);
        let mut p = h.payload;
        let len = |p: usize| p - gre;
        match h.proto {
            et::IPV4 => {
                self.desc(":ipv4");
                GreV4::Inner { hdr: self.move_l3_v4(p), len: len(p) }
            }
            et::PPP => {
                self.desc(":ppp");
                self.set(L2_PPP);
                self.pv.ppp_off = off32(p);
                let first = self.u8_at(p);
                if first == 0xfd {
                    self.desc(":comp_data");
                    self.set(PPP_NRHD | STPDSCT);
                } else if h.empty_v1 {
                    self.pv.ppp_off = NO_OFFSET;
                    self.set(STPDSCT);
                } else if first != 0xff {
                    // address and control fields compressed away
                    if first & 1 != 0 {
                        if first == 0x21 {
                            self.desc(":ipv4");
                            return GreV4::Inner { hdr: self.move_l3_v4(p + 1), len: len(p) };
                        }
                    } else if self.u16_at(p) == 0x0021 {
                        self.desc(":ipv4");
                        p += 4; // T2 skips a whole 32-bit word
                        return GreV4::Inner { hdr: self.move_l3_v4(p), len: len(p) };
                    } else {
                        let proto = self.u16_at(p);
                        self.desc_pppproto(proto);
                        self.set(STPDSCT);
                    }
                } else {
                    match self.u16_at(p + 2) {
                        0x0021 => {
                            self.desc(":ipv4");
                            p += 4;
                            return GreV4::Inner { hdr: self.move_l3_v4(p), len: len(p) };
                        }
                        0x0057 => {
                            self.pv.l3_off = off32(p + 4);
                            return GreV4::Done(self.ipv6(p + 4));
                        }
                        proto => {
                            if h.empty_v1 {
                                self.pv.ppp_off = NO_OFFSET;
                            } else {
                                self.desc_pppproto(proto);
                            }
                            self.set(STPDSCT);
                        }
                    }
                }
                GreV4::Stop { len: len(p) }
            }
            et::TEB | et::ERSPAN => {
                if h.proto == et::ERSPAN {
                    self.desc(":erspan");
                    self.set(L2_ERSPAN);
                    p += 8;
                }
                let eth = p;
                let l2_skip = eth.wrapping_sub(self.l2()) as u16;
                let mut hp = eth + ethernet::field::ETHERTYPE.start;
                self.desc(":eth");
                let mut shape = hp;
                if self.pv.snap_l2_len >= 4 {
                    shape = self.vlans(hp);
                    hp = shape;
                }
                let id = self.u16_at(shape);
                if id <= et::LLC_LEN || id == et::JUMBO_LLC {
                    self.desc(":llc");
                    self.pv.llc_off = off32(hp);
                    hp += 8;
                    shape = hp;
                } else {
                    hp += 2;
                }
                match self.u16_at(shape) {
                    et::IPV4 => {
                        self.desc(":ipv4");
                        self.pv.l2_off = off32(eth);
                        self.pv.snap_l2_len = self.pv.snap_l2_len.wrapping_sub(u32::from(l2_skip));
                        GreV4::Inner { hdr: self.move_l3_v4(hp), len: len(p) }
                    }
                    et::IPV6 => {
                        self.pv.l2_off = off32(eth);
                        self.pv.l3_off = off32(hp);
                        self.pv.snap_l2_len = self.pv.snap_l2_len.wrapping_sub(u32::from(l2_skip));
                        GreV4::Done(self.ipv6(hp))
                    }
                    t => {
                        self.desc_ethproto(t);
                        self.set(STPDSCT);
                        GreV4::Stop { len: len(p) }
                    }
                }
            }
            et::WCCP => {
                self.desc(":wccp");
                self.set(L2_WCCP);
                let q = p + 4;
                match self.ip_version(q) {
                    4 => {
                        self.pv.l3_off = off32(q);
                        GreV4::Done(self.ipv4(q))
                    }
                    6 => {
                        self.pv.l3_off = off32(q);
                        GreV4::Done(self.ipv6(q))
                    }
                    _ => {
                        self.set(STPDSCT);
                        GreV4::Stop { len: len(p) }
                    }
                }
            }
            proto => {
                self.desc_ethproto(proto);
                *priproto = false;
                self.set(STPDSCT);
                GreV4::Stop { len: len(p) }
            }
        }
    }

    /// Makes the IPv4 header at `p` the current one (T2 updates l3HdrP, l3Proto, l3HdrLen).
    fn move_l3_v4(&mut self, p: usize) -> usize {
        self.pv.l3_off = off32(p);
        self.pv.l3_proto = et::IPV4;
        self.pv.l3_hdr_len = Ipv4::at(self.b, p).header_len() as u16;
        p
    }

    /// GRE met in the layer 4 switch (a GRE header behind an already inner IPv4 header).
    pub(super) fn gre_in_ipv4_l4(&mut self, gre: usize) -> Step {
        self.pv.gre_off = off32(gre);
        self.pv.gre_l3_off = self.pv.l3_off;
        let h = GreInfo::at(self.b, gre);
        let p = h.payload;
        match h.proto {
            et::IPV4 => {
                self.desc(":ipv4");
                self.move_l3_v4(p);
                Step::Continue
            }
            et::PPP => {
                self.desc(":ppp");
                self.set(L2_PPP);
                self.pv.ppp_off = off32(p);
                if self.u8_at(p) == 0xfd {
                    self.desc(":comp_data");
                    self.set(PPP_NRHD | STPDSCT);
                    return Step::Continue;
                }
                match self.u16_at(p + 2) {
                    0x0021 => {
                        self.desc(":ipv4");
                        self.move_l3_v4(p + 4);
                        Step::Continue
                    }
                    0x0057 => {
                        self.pv.l3_off = off32(p + 4);
                        Step::Done(self.ipv6(p + 4))
                    }
                    proto => {
                        if h.empty_v1 {
                            self.pv.ppp_off = NO_OFFSET;
                        } else {
                            self.desc_pppproto(proto);
                        }
                        self.set(STPDSCT);
                        Step::Continue
                    }
                }
            }
            et::TEB => {
                let eth = p;
                let l2_skip = eth.wrapping_sub(self.l2()) as u16;
                let mut hp = eth + ethernet::field::ETHERTYPE.start;
                let shape = self.vlans(hp);
                if hp != shape {
                    hp = shape;
                } else {
                    hp += 2;
                }
                match self.u16_at(shape) {
                    et::IPV4 => {
                        self.pv.l2_off = off32(eth);
                        self.pv.snap_l2_len = self.pv.snap_l2_len.wrapping_sub(u32::from(l2_skip));
                        self.pv.l3_off = off32(hp);
                        Step::Done(self.ipv4(hp))
                    }
                    et::IPV6 => {
                        self.pv.l2_off = off32(eth);
                        self.pv.l3_off = off32(hp);
                        self.pv.snap_l2_len = self.pv.snap_l2_len.wrapping_sub(u32::from(l2_skip));
                        Step::Done(self.ipv6(hp))
                    }
                    t => {
                        self.desc_ethproto(t);
                        Step::Done(Disposition::Drop)
                    }
                }
            }
            _ => Step::Done(Disposition::Drop),
        }
    }

    /// EtherIP (IP protocol 97) behind IPv4, at `eth` (the EtherIP header).
    pub(super) fn etherip(&mut self, eth: usize) -> Step {
        self.desc(":etherip");
        self.desc(":eth");
        self.set(L3_ETHIPF);
        let skip = (eth.wrapping_sub(self.l2()) + 2) as u32;
        self.pv.snap_l2_len = self.pv.snap_l2_len.wrapping_sub(skip);
        self.pv.l2_off = off32(eth + 2);
        let shape = self.vlans(eth + 2 + ethernet::field::ETHERTYPE.start);
        let hp = shape + 2;
        match self.u16_at(shape) {
            et::IPV4 => {
                self.desc(":ipv4");
                self.pv.l3_off = off32(hp);
                self.pv.l3_hdr_len = Ipv4::at(self.b, hp).header_len() as u16;
                self.pv.l3_proto = et::IPV4;
                Step::Continue
            }
            et::IPV6 => {
                self.pv.l3_off = off32(hp);
                Step::Done(self.ipv6(hp))
            }
            t => {
                self.desc_ethproto(t);
                self.set(STPDSCT);
                Step::Continue
            }
        }
    }
}
