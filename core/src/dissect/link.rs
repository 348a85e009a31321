//! Link-layer headers (core.md §5.3).

use plugin_api::status::*;
use plugin_api::wire::{self, Ethernet, ethernet, ethertype as et};

use super::{Dis, Disposition, off32};
use crate::capture::LinkType;

/// Where link-layer processing leaves the packet.
pub(super) enum LinkStep {
    /// Offset of an Ethertype field: VLAN/LLC/Ethertype processing follows.
    EtherType(usize),
    /// The same, with the Ethertype found elsewhere (its value given); the payload starts two
    /// bytes after the offset.
    TypedAt(usize, u16),
    /// Processing finished here.
    Done(Disposition),
}

/// Length of the Cisco ISL header in front of an Ethernet frame.
const ISL_LEN: usize = 26;

/// libpcap DLT values T2 handles besides the ones in [`LinkType`].
mod dlt {
    pub const PPP_SERIAL: u32 = 50;
    pub const PPP_WITH_DIR: u32 = 204;
    pub const FRELAY: u32 = 107;
    pub const FRELAY_WITH_DIR: u32 = 206;
    pub const C_HDLC_WITH_DIR: u32 = 205;
    pub const ETHERNET_MPACKET: u32 = 274;
    pub const RAW_OPENBSD: u32 = 12;
    pub const RAW_BSDOS: u32 = 14;
}

/// Whether T2 can dissect this link type (else: "Unsupported link-layer type" at the first
/// packet). Linux cooked v2, which T2 0.9.3 rejects, unless `LINUX_SLL2` is 0.
pub fn supported(lt: LinkType) -> bool {
    (lt.0 == 276 && crate::flags::LINUX_SLL2 != 0)
        || matches!(
            lt.0,
            0 | 1
                | 9
                | 101
                | 104
                | 113
                | 228
                | 229
                | dlt::PPP_SERIAL
                | dlt::PPP_WITH_DIR
                | dlt::FRELAY
                | dlt::FRELAY_WITH_DIR
                | dlt::C_HDLC_WITH_DIR
                | dlt::ETHERNET_MPACKET
                | dlt::RAW_OPENBSD
                | dlt::RAW_BSDOS
        )
}

impl Dis<'_, '_> {
    /// Checks that at least `n` bytes are captured from the layer 2 header on.
    fn snap_l2_ok(&mut self, n: usize) -> bool {
        if (self.pv.snap_l2_len as usize) < n {
            self.set(L2SNAPLENGTH);
            self.global_warn().set(self.global_warn().get() | L2SNAPLENGTH);
            return false;
        }
        true
    }

    pub(super) fn linktype(&mut self, lt: LinkType) -> LinkStep {
        match lt.0 {
            1 => self.ethernet_at(0),
            dlt::ETHERNET_MPACKET => {
                self.desc("fpp:");
                self.ethernet_at(8)
            }
            0 => {
                self.desc("null");
                if !self.snap_l2_ok(4) {
                    return LinkStep::Done(Disposition::Drop);
                }
                self.pv.l2_off = 0;
                self.set(L2_NO_ETH);
                // The family is in the capturing host's byte order.
                let mut family = u32::from_le_bytes(wire::array(self.b, 0));
                if family > 30 {
                    family = family.swap_bytes();
                }
                LinkStep::Done(match family {
                    2 => self.ipv4(4),
                    10 | 23 | 24 | 26 | 28 | 30 => self.ipv6(4),
                    f => {
                        self.st.warnings.push(format!("Null/Loopback header: unhandled family {f}"));
                        Disposition::Drop
                    }
                })
            }
            101 | dlt::RAW_OPENBSD | dlt::RAW_BSDOS => {
                self.desc("raw");
                self.pv.l2_off = 0;
                self.set(L2_NO_ETH);
                LinkStep::Done(match self.u8_at(0) & 0xf0 {
                    0x40 => self.ipv4(0),
                    0x60 => self.ipv6(0),
                    v => {
                        self.st.warnings.push(format!("Unknown IP protocol {} in raw pcap", v >> 4));
                        Disposition::Drop
                    }
                })
            }
            228 | 229 => {
                self.pv.l2_off = 0;
                self.set(L2_NO_ETH);
                LinkStep::Done(if lt.0 == 228 { self.ipv4(0) } else { self.ipv6(0) })
            }
            113 => {
                self.desc("sll");
                if !self.snap_l2_ok(16) {
                    return LinkStep::Done(Disposition::Drop);
                }
                self.pv.l2_off = 0;
                LinkStep::EtherType(14)
            }
            276 => {
                // Linux cooked v2 (LINUX_SLL2 = 1 only): protocol first, payload at 20, and no
                // MAC addresses to speak of
                self.desc("sll2");
                if !self.snap_l2_ok(20) {
                    return LinkStep::Done(Disposition::Drop);
                }
                self.pv.l2_off = 0;
                self.set(L2_NO_ETH);
                LinkStep::TypedAt(18, self.u16_at(0))
            }
            9 | dlt::PPP_SERIAL | dlt::PPP_WITH_DIR => self.ppp_link(lt.0 == dlt::PPP_WITH_DIR),
            104 | dlt::C_HDLC_WITH_DIR | dlt::FRELAY | dlt::FRELAY_WITH_DIR => {
                let with_dir = matches!(lt.0, dlt::C_HDLC_WITH_DIR | dlt::FRELAY_WITH_DIR);
                let p = usize::from(with_dir);
                self.desc(if matches!(lt.0, dlt::FRELAY | dlt::FRELAY_WITH_DIR) { "fr" } else { "chdlc" });
                self.pv.l2_off = 0;
                self.set(L2_NO_ETH);
                LinkStep::EtherType(p + 2)
            }
            _ => LinkStep::Done(Disposition::Drop),
        }
    }

    /// Ethernet II / 802.3 at `at`, with Cisco ISL detection.
    fn ethernet_at(&mut self, at: usize) -> LinkStep {
        if !self.snap_l2_ok(at + ethernet::HEADER_LEN) {
            return LinkStep::Done(Disposition::Drop);
        }
        let mut at = at;
        self.pv.l2_off = off32(at);
        let dmac = Ethernet::at(self.b, at).dst();
        if dmac[..5] == [0x01, 0x00, 0x0c, 0x00, 0x00] || dmac[..5] == [0x03, 0x00, 0x0c, 0x00, 0x00] {
            self.desc("isl:");
            if !self.snap_l2_ok(at + ethernet::HEADER_LEN + ISL_LEN) {
                return LinkStep::Done(Disposition::Drop);
            }
            at += ISL_LEN;
            self.pv.l2_off = off32(at);
        }
        self.desc("eth");
        LinkStep::EtherType(at + ethernet::field::ETHERTYPE.start)
    }

    /// PPP link types (with optional direction byte), including Cisco HDLC framing.
    fn ppp_link(&mut self, with_dir: bool) -> LinkStep {
        let mut p = usize::from(with_dir);
        self.desc("ppp");
        self.set(L2_NO_ETH | L2_PPP);
        self.pv.ppp_off = off32(p);
        self.pv.l2_off = 0;
        let addctl = self.u16_le_at(p);
        if addctl == 0x000f || addctl == 0x008f {
            self.desc(":chdlc");
            return LinkStep::EtherType(p + 2);
        }
        let proto = if addctl == 0x03ff {
            let v = self.u16_at(p + 2);
            p += 4;
            v
        } else {
            p += 2;
            addctl.swap_bytes()
        };
        match proto {
            0x0021 => LinkStep::Done(self.ipv4(p)),
            0x0057 => LinkStep::Done(self.ipv6(p)),
            // T2 writes the MPLS Ethertype over the first two bytes after the PPP header and
            // carries on from there as if they were an Ethertype field.
            0x0281 => LinkStep::Done(self.after_link_typed(p, et::MPLS_UCAST)),
            0x0283 => LinkStep::Done(self.after_link_typed(p, et::MPLS_MCAST)),
            _ => {
                self.desc_pppproto(proto);
                LinkStep::Done(Disposition::Drop)
            }
        }
    }
}
