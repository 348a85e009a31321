//! Packet mode (`-s`): basicFlow's columns of `PREFIX_packets.txt` (plugins.md §2 "Packet
//! columns", §0.3). One line part per packet of a flow, built in a reused [`PacketLine`].

use std::net::Ipv6Addr;

use plugin_api::abi::{CoreConfig, NO_OFFSET, Timestamp};
use plugin_api::status::{L2_MPLS, L2_NO_ETH, L2_VLAN, LAPD_FLOW, TIMEJUMP};
use plugin_api::wire::{Ethernet, ethernet, ipproto};
use plugin_api::{Ctx, Flow, Host, Packet, PacketLine};

use crate::flags::*;
use crate::{FlowState, MAX_MPLS, geo, mpls_entry};

/// The run-time core settings that shape the packet columns.
pub(crate) struct PktMode {
    line: PacketLine,
    /// `RELTIME=1`: `relTime` instead of `time`.
    reltime: bool,
    /// `T2_PRI_HDRDESC=1`: `numHdrs` and `hdrDesc`.
    hdrdesc: bool,
    /// `ANONYM_IP=1`: no address columns.
    anonym: bool,
    /// `TSTAMP_PREC=1`: nanoseconds (9 digits), else microseconds (6).
    nano: bool,
}

impl PktMode {
    pub(crate) fn new(cfg: &CoreConfig) -> PktMode {
        PktMode {
            line: PacketLine::default(),
            reltime: cfg.reltime == 1,
            hdrdesc: cfg.pri_hdrdesc == 1,
            anonym: cfg.anonym_ip == 1,
            nano: cfg.tstamp_prec == 1,
        }
    }

    /// The column names, in T2's order.
    pub(crate) fn header(&self) -> Vec<&'static str> {
        let mut h =
            vec!["flowStat", if self.reltime { "relTime" } else { "time" }, "pktIAT", "pktTrip", "flowDuration"];
        if self.hdrdesc {
            h.extend(["numHdrs", "hdrDesc"]);
        }
        match BFO_VLAN {
            1 => h.push("vlanID"),
            2 => h.push("vlanHdr"),
            3 => h.push("vlanTPID_PCP_DEI_VID"),
            _ => {}
        }
        if MAX_MPLS != 0 {
            match BFO_MPLS {
                1 => h.push("mplsLabels"),
                2 => h.push("mplsLabelsHex"),
                3 => h.push("mplsHdrsHex"),
                4 => h.push("mplsLabel_ToS_S_TTL"),
                _ => {}
            }
        }
        h.extend(["srcMac", "dstMac", "ethType"]);
        for side in ["src", "dst"] {
            if !self.anonym {
                h.push(if side == "src" { "srcIP" } else { "dstIP" });
                if BFO_SUBNET_TEST == 1 {
                    h.push(if side == "src" { "srcIPCC" } else { "dstIPCC" });
                    if BFO_SUBNET_ORG == 1 {
                        h.push(if side == "src" { "srcIPOrg" } else { "dstIPOrg" });
                    }
                }
            }
            h.push(if side == "src" { "srcPort" } else { "dstPort" });
        }
        h.push("l4Proto");
        h
    }

    /// The fraction as T2 stores it (`tv_usec`: ns or µs) and its divisor (`TSTAMPFAC`).
    fn frac(&self, t: Timestamp) -> i64 {
        if self.nano { t.frac } else { t.frac / 1000 }
    }

    fn fac(&self) -> f64 {
        if self.nano { 1e9 } else { 1e6 }
    }

    /// `a - b` in seconds as T2 computes durations: 32-bit unsigned seconds difference.
    fn span(&self, a: Timestamp, b: Timestamp) -> f64 {
        f64::from((a.sec as u32).wrapping_sub(b.sec as u32)) + (self.frac(a) - self.frac(b)) as f64 / self.fac()
    }

    /// Writes this packet's fields (T2's `claimInfo`, packet-file part) and updates the flow's
    /// last packet time.
    pub(crate) fn write(
        &mut self,
        host: Host,
        ctx: Ctx<'_>,
        pkt: &Packet<'_>,
        flow: &Flow<'_>,
        s: &mut FlowState,
        subnets: &subnet::Subnets,
    ) {
        let last = flow.last_seen();
        let iat = self.span(last, s.last_pkt);
        let dur = self.span(last, flow.first_seen());
        let trip = match flow.opposite() {
            // signed seconds, fractions subtracted in single precision, as T2 does
            Some(o) => {
                let rev = o.last_seen();
                (last.sec - rev.sec) as f64 + f64::from(self.frac(last) as f32 - self.frac(rev) as f32) / self.fac()
            }
            None => 0.0,
        };
        if iat < 0.0 {
            ctx.add_global_warn(TIMEJUMP);
            flow.add_status(TIMEJUMP);
        }
        s.last_pkt = last;

        let digits = if self.nano { 9 } else { 6 };
        let mut frac = self.frac(last);
        if self.reltime {
            // T2 prints the absolute seconds with the fraction of the relative time
            frac -= self.frac(ctx.globals().start_time);
            if frac < 0 {
                frac += if self.nano { 1_000_000_000 } else { 1_000_000 };
            }
        }
        let l = &mut self.line;
        l.hex(flow.status(), 16);
        l.fmt(format_args!("{}.{:0digits$}", last.sec as u32, frac));
        l.fmt(format_args!("{iat:.digits$}"));
        l.fmt(format_args!("{trip:.digits$}"));
        l.fmt(format_args!("{dur:.digits$}"));
        if self.hdrdesc {
            l.u64(u64::from(pkt.view().num_hdr_desc));
            l.raw(pkt.hdr_desc()).tab();
        }

        let status = pkt.status();
        if BFO_VLAN != 0 {
            if status & L2_VLAN != 0 {
                // the tags stored from the flow's first packet
                for (i, &v) in s.vlans[..usize::from(s.n_vlan)].iter().enumerate() {
                    if i > 0 {
                        l.raw(b";");
                    }
                    match BFO_VLAN {
                        1 => l.fmt_raw(format_args!("{}", v >> 16)),
                        2 => l.fmt_raw(format_args!("{v:08x}")),
                        // T2's packet-mode bit positions (they differ from its flow columns)
                        _ => l.fmt_raw(format_args!(
                            "{:04x}_{}_{}_{}",
                            v & 0xffff,
                            (v >> 13) & 0x07,
                            (v >> 12) & 0x01,
                            v >> 16
                        )),
                    };
                }
            }
            l.tab();
        }
        if MAX_MPLS != 0 && BFO_MPLS != 0 {
            if status & L2_MPLS != 0 {
                let labels = pkt.from_offset(pkt.view().mpls_off);
                let mut i = 0;
                loop {
                    let entry = mpls_entry(labels, i);
                    let m = entry.map_or(0, |e| e.word());
                    if i > 0 {
                        l.raw(b";");
                    }
                    match BFO_MPLS {
                        1 => l.fmt_raw(format_args!("{}", m >> 12)),
                        2 => l.fmt_raw(format_args!("0x{:08x}", m >> 12)),
                        3 => l.fmt_raw(format_args!("0x{m:08x}")),
                        _ => {
                            l.fmt_raw(format_args!("{}_{}_{}_{}", m >> 12, (m >> 9) & 0x07, (m >> 8) & 0x01, m & 0xff))
                        }
                    };
                    i += 1;
                    if i >= MAX_MPLS || entry.is_some_and(|e| e.bottom()) {
                        break;
                    }
                }
            }
            l.tab();
        }

        let eth = Ethernet::new(pkt.l2());
        if pkt.view().l2_off != NO_OFFSET
            && eth.has(ethernet::field::SRC.end)
            && flow.status() & (L2_NO_ETH | LAPD_FLOW) == 0
        {
            mac(l, &eth.src());
            mac(l, &eth.dst());
        } else {
            l.empty(2);
        }
        l.hex(u64::from(pkt.view().eth_type), 4);

        let labels = if BFO_SUBNET_TEST == 1 { 1 + usize::from(BFO_SUBNET_ORG == 1) } else { 0 };
        if pkt.view().l3_off == NO_OFFSET {
            l.empty(if self.anonym { 3 } else { 5 + 2 * labels });
        } else {
            let key = flow.key();
            let ver = flow.ip_ver();
            let proto = pkt.l4_proto();
            let ports = ipproto::has_ports(proto);
            let sides = [(&key.src_ip, pkt.view().src_port), (&key.dst_ip, pkt.view().dst_port)];
            for ((ip, port), id) in sides.into_iter().zip(s.geo) {
                if !self.anonym {
                    if ver == 6 {
                        ip6(l, ip);
                    } else {
                        l.fmt(format_args!("{}.{}.{}.{}", ip[0], ip[1], ip[2], ip[3]));
                    }
                    // the flow's labels, printed raw as T2 does (the tables hold no TAB)
                    let (cc, org) = geo(subnets, ver, id);
                    for text in [cc, org].into_iter().take(labels) {
                        l.raw(text).tab();
                    }
                }
                if ports {
                    l.u64(u64::from(port));
                } else {
                    l.empty(1);
                }
            }
            l.u64(u64::from(proto));
        }
        l.write(host);
    }
}

/// Extension: formatted text inside the current field (no TAB).
trait FmtRaw {
    fn fmt_raw(&mut self, args: core::fmt::Arguments<'_>) -> &mut Self;
}

impl FmtRaw for PacketLine {
    fn fmt_raw(&mut self, args: core::fmt::Arguments<'_>) -> &mut Self {
        struct W<'a>(&'a mut PacketLine);
        impl core::fmt::Write for W<'_> {
            fn write_str(&mut self, s: &str) -> core::fmt::Result {
                self.0.raw(s.as_bytes());
                Ok(())
            }
        }
        let _ = core::fmt::write(&mut W(self), args);
        self
    }
}

/// A MAC address field, `xx:xx:xx:xx:xx:xx` (T2's default `MAC_FORMAT=0`, `MAC_SEP=":"`).
fn mac(l: &mut PacketLine, m: &[u8; 6]) {
    l.fmt(format_args!("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", m[0], m[1], m[2], m[3], m[4], m[5]));
}

/// An IPv6 address field as `inet_ntop` writes it (also `::a.b.c.d` for IPv4-compatible).
fn ip6(l: &mut PacketLine, ip: &[u8; 16]) {
    if ip[..12].iter().all(|&b| b == 0) && (ip[12] != 0 || ip[13] != 0) {
        l.fmt(format_args!("::{}.{}.{}.{}", ip[12], ip[13], ip[14], ip[15]));
    } else {
        l.fmt(format_args!("{}", Ipv6Addr::from(*ip)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip6_like_inet_ntop() {
        let mut l = PacketLine::default();
        let mut a = [0u8; 16];
        a[15] = 1;
        ip6(&mut l, &a);
        a[12] = 10;
        ip6(&mut l, &a);
        let b: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a];
        ip6(&mut l, &b);
        mac(&mut l, &[2, 0, 0, 0, 0, 0xab]);
        assert_eq!(l.as_bytes(), b"::1\t::10.0.0.1\t2001:db8:1::a\t02:00:00:00:00:ab\t");
    }
}
