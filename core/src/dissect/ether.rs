//! Between link layer and IP: VLAN tags, 802.3/LLC/SNAP, Ethertypes, MPLS, PPPoE.

use plugin_api::status::*;
use plugin_api::wire::ethertype::{self as et, LLC_LEN};
use plugin_api::wire::{Mpls, Vlan, arp, ethernet, mpls, vlan};

use super::{Dis, Disposition, off32};

/// Minimal frame size below which T2 computes Ethernet padding (`MINRAWLEN`).
const MINRAWLEN: u32 = 64;

impl Dis<'_, '_> {
    /// After the link layer: `shape` is the offset of an Ethertype/length field.
    pub(super) fn after_link(&mut self, shape: usize) -> Disposition {
        let t = self.u16_at(shape);
        self.after_link_typed(shape, t)
    }

    /// Same, with the field's value given (T2 overwrites it for PPP-carried MPLS).
    pub(super) fn after_link_typed(&mut self, shape: usize, t: u16) -> Disposition {
        let (shape, shape_id) = if et::is_vlan(t) {
            let s = self.vlans(shape);
            (s, self.u16_at(s))
        } else {
            (shape, t)
        };
        let mut llc = false;
        let (shape, etype) = if shape_id > LLC_LEN && shape_id != et::JUMBO_LLC {
            self.pv.outer_eth_type = shape_id;
            (shape, shape_id)
        } else {
            self.desc(":llc");
            llc = true;
            self.pv.llc_off = off32(shape);
            if self.u8_at(shape + 2) == 0xaa && self.u8_at(shape + 3) == 0xaa {
                // SNAP: the real Ethertype follows the 3-byte OUI
                let s = shape + 8;
                let etype = self.u16_at(s);
                self.pv.outer_eth_type = etype;
                (s, etype)
            } else {
                return self.llc(shape, shape_id);
            }
        };
        match self.ethertype(shape, etype) {
            EtherStep::Done(d) => d,
            EtherStep::L2(p) => {
                self.pv.l7_off = off32(p + 2);
                if self.pv.raw_len <= MINRAWLEN {
                    let raw = i64::from(self.pv.raw_len);
                    let pad = if llc {
                        raw - i64::from(shape_id) - (p as i64 - 6)
                    } else if self.u16_at(p) == et::ARP {
                        raw - arp::HEADER_LEN as i64 - (p as i64 + 2)
                    } else {
                        raw - (p as i64 + 2)
                    };
                    self.add_pad(pad);
                }
                Disposition::L2
            }
        }
    }

    fn add_pad(&mut self, pad: i64) {
        if pad >= 0 {
            self.pv.pad_len = pad;
            self.g.pad_bytes_on_wire += pad as u64;
        }
    }

    /// 802.2 LLC without SNAP; `shape` is the length field.
    fn llc(&mut self, shape: usize, len_field: u16) -> Disposition {
        // DSAP, SSAP, control (2 bytes for information and supervisory frames)
        let ctrl = self.u8_at(shape + 4);
        let llc_len = if ctrl & 0x3 != 3 { 6 } else { 5 };
        let p = shape + llc_len;
        let dsap = self.u8_at(shape + 2);
        if dsap != 0x06 {
            self.desc_llcproto(dsap);
        } else {
            match self.u8_at(p) & 0xf0 {
                0x40 => return self.ipv4(p),
                0x60 => return self.ipv6(p),
                _ => {
                    self.desc(":ipvx");
                    self.set(L3_IPVX);
                }
            }
        }
        self.pv.eth_type = self.u16_at(shape + 2);
        self.pv.outer_eth_type = self.pv.eth_type;
        if self.pv.raw_len <= MINRAWLEN {
            let pad = i64::from(self.pv.raw_len) - i64::from(len_field) - (shape as i64 + 2);
            self.add_pad(pad);
        }
        self.pv.l7_off = off32(p);
        Disposition::L2
    }

    /// Walks stacked 802.1Q/802.1ad tags starting at the TPID at `shape`; returns the offset
    /// of the Ethertype after the last tag.
    /// The first tag and the last tag's ID are read in libpcap's buffer: behind a CAPWAP/LWAPP
    /// 802.11 header they can lie past the captured bytes (elsewhere the caller checked them).
    pub(super) fn vlans(&mut self, shape: usize) -> usize {
        if !et::is_vlan(self.buf_u16_at(shape)) {
            return shape;
        }
        self.set(L2_VLAN);
        self.pv.vlan_off = off32(shape + 2);
        // `s` is a tag protocol identifier; its tag follows it
        let mut s = shape;
        let mut count: u8 = 0;
        while et::is_vlan(self.u16_at(s)) && s + 2 + vlan::field::TCI.end <= self.end() {
            if Vlan::at(self.b, s + 2).vid() == 0 {
                self.set(FS_VLAN0);
            }
            s += vlan::HEADER_LEN;
            count = count.wrapping_add(1);
        }
        self.pv.vlan_hdr_cnt = self.pv.vlan_hdr_cnt.wrapping_add(count);
        self.desc_rep(":vlan", count);
        self.st.vlan_max = self.st.vlan_max.max(self.pv.vlan_hdr_cnt);
        // the last tag (T2 reads the two bytes before `shape` when no tag was walked)
        let tci = [self.buf_u8_at(s.wrapping_sub(2)), self.buf_u8_at(s.wrapping_sub(1))];
        self.pv.vlan_id = Vlan::at(&tci, 0).vid();
        s
    }

    /// T2's `t2_process_ethertype`: `shape` is the Ethertype field, `t` its value.
    fn ethertype(&mut self, shape: usize, t: u16) -> EtherStep {
        self.pv.eth_type = t;
        match t {
            et::IPV4 => {
                if self.ip_version(shape + 2) != 4 {
                    self.g.num_vx_packets += 1;
                    self.desc(":ipvx");
                    self.set(L3_IPVX);
                    return EtherStep::L2(shape);
                }
                EtherStep::Done(self.ipv4(shape + 2))
            }
            et::IPV6 => {
                if self.ip_version(shape + 2) != 6 {
                    self.g.num_vx_packets += 1;
                    self.desc(":ipvx");
                    self.set(L3_IPVX);
                    return EtherStep::L2(shape);
                }
                EtherStep::Done(self.ipv6(shape + 2))
            }
            et::AARP => {
                self.desc(":aarp");
                self.set(L2_ARP);
                EtherStep::L2(shape)
            }
            et::ARP => {
                self.desc(":arp");
                self.set(L2_ARP);
                EtherStep::L2(shape)
            }
            et::RARP => {
                self.desc(":rarp");
                self.set(L2_RARP);
                EtherStep::L2(shape)
            }
            et::MPLS_UCAST | et::MPLS_MCAST => self.mpls(shape, t == et::MPLS_MCAST),
            et::ERSPAN => {
                self.set(L2_ERSPAN);
                self.desc(":erspan");
                self.desc(":eth");
                // ERSPAN header (8 bytes) and Ethertype (2 bytes), then the MAC addresses
                let l2 = shape + 10;
                self.pv.l2_off = off32(l2);
                let s = l2 + ethernet::field::ETHERTYPE.start;
                let t = self.u16_at(s);
                self.ethertype(s, t)
            }
            et::PPPOE_D => {
                self.desc(":pppoed");
                self.set(L2_PPPOE_D);
                self.pv.pppoe_off = off32(shape + 2);
                EtherStep::L2(shape)
            }
            et::PPPOE_S => {
                self.desc(":pppoes");
                self.set(L2_PPPOE_S);
                self.pv.pppoe_off = off32(shape + 2);
                let ppp = shape + 10;
                self.pv.ppp_off = off32(ppp);
                self.desc(":ppp");
                match self.u16_at(shape + 8) {
                    0x0021 => EtherStep::Done(self.ipv4(ppp)),
                    0x0057 => EtherStep::Done(self.ipv6(ppp)),
                    p => {
                        self.desc_pppproto(p);
                        EtherStep::L2(shape)
                    }
                }
            }
            et::LLDP => {
                self.desc(":lldp");
                self.set(L2_LLDP);
                EtherStep::L2(shape)
            }
            et::SLOW => {
                self.desc(":slow");
                match self.u8_at(shape + 3) {
                    1 => self.desc(":lacp"),
                    2 => self.desc(":marker"),
                    3 => self.desc(":oampdu"),
                    10 => self.desc(":ossp"),
                    _ => {}
                }
                EtherStep::L2(shape)
            }
            _ => {
                self.desc_ethproto(t);
                EtherStep::L2(shape)
            }
        }
    }

    /// MPLS label stack; `shape` is the Ethertype field in front of it.
    fn mpls(&mut self, shape: usize, multicast: bool) -> EtherStep {
        self.set(if multicast { L2_MPLS_MCAST } else { L2_MPLS_UCAST });
        let first = shape + 2;
        self.pv.mpls_off = off32(first);
        let mut s = first;
        let mut count: u8 = 1;
        while !Mpls::at(self.b, s).bottom() && s + mpls::HEADER_LEN <= self.end() {
            s += mpls::HEADER_LEN;
            count = count.wrapping_add(1);
        }
        s += mpls::HEADER_LEN;
        self.pv.mpls_hdr_cnt = self.pv.mpls_hdr_cnt.wrapping_add(count);
        self.desc_rep(":mpls", count);
        self.st.mpls_max = self.st.mpls_max.max(self.pv.mpls_hdr_cnt);
        match self.ip_version(s) {
            4 => EtherStep::Done(self.ipv4(s)),
            6 => EtherStep::Done(self.ipv6(s)),
            v => {
                if v == 0 {
                    // heuristic: a pseudowire Ethernet control word (RFC 4448)
                    self.desc(":pwethcw");
                    s += 4;
                }
                self.desc(":eth");
                self.pv.l2_off = off32(s);
                let s = self.vlans(s + ethernet::field::ETHERTYPE.start);
                let t = self.u16_at(s);
                self.ethertype(s, t)
            }
        }
    }
}

/// Result of Ethertype processing.
enum EtherStep {
    /// Dispatch as a layer-2 flow; the offset is the last Ethertype field seen.
    L2(usize),
    /// Finished (IP processed).
    Done(Disposition),
}
