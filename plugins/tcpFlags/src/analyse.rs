//! Per-packet analysis: IP header, checksums, fragments, inter-distance, round trips, and for
//! TCP flags, options, window, sequence and acknowledgement numbers (T2's `t2OnLayer4`).
//!
//! T2's arithmetic is kept where it shows in the output: 16-bit counters wrap, times are
//! subtracted as 32-bit seconds plus a fraction, averages are single-precision floats with the
//! double-precision steps T2's C expressions take.

use plugin_api::abi::{NO_OFFSET, Timestamp};
use plugin_api::status::{IPV4_FRAG_PENDING, L2_FLOW, TIMEJUMP};
use plugin_api::wire::ipv6::ext_field;
use plugin_api::wire::tcp::option as opt;
use plugin_api::wire::{
    self, Checksum, Field, Gre, Ipv4, Ipv6, Ipv6Ext, Ipv6Frag, Tcp, Udp, be16, be32, gre, icmp, ipproto as proto, ipv4,
    u8_at, udp,
};
use plugin_api::{Flow, Packet};

use crate::bits::{anomaly, fstat, ip, tcp};
use crate::config::Config;
use crate::state::{FlowState, Totals, rtt};

/// The fragment-offset bits of the IPv4 fragment word read little-endian (T2's `FRAGID_N`).
const FRAG_OFFSET_LE: u16 = 0xff1f;
/// Offset and more-fragments bits of the same word (`FRAGIDM_N`).
const FRAG_OFFSET_MF_LE: u16 = 0xff3f;
/// The OSPF checksum field.
const OSPF_CHECKSUM: Field = 12..14;
/// Fragments of a datagram smaller than this are suspicious (`IPFRAGPKTSZMIN`).
const FRAG_MIN_LEN: u16 = 48;
/// Largest fragment offset (`IPFRAGPKTSZMAX`).
const FRAG_MAX_OFFSET: u16 = 0x1fff;
/// IPv4 ID differences below this are taken as roll-overs (`IP_ID_RLLOVR`).
const IP_ID_ROLL_OVER: i32 = 0x2000;
/// Repeated SYNs closer than this (seconds) count as a scan, not a retransmission.
const SYN_RETRY_GAP: f64 = 0.9;
/// Flags of the TCP header that decide the packet's kind (ACK RST SYN FIN).
const ARSF: u8 = 0x17;
/// SYN, FIN or RST.
const SFR: u16 = 0x07;

/// Everything a callback needs besides the two flows' states.
pub struct Env<'a> {
    /// Settings.
    pub cfg: &'a Config,
    /// Ticks per second of timestamp fractions (T2's `TSTAMPFAC`).
    pub tsfac: f64,
    /// Run-wide counters.
    pub tot: &'a mut Totals,
}

/// Resets the state of a new flow from its first packet (`t2OnNewFlow`).
pub fn new_flow(cfg: &Config, s: &mut FlowState, po: Option<&mut FlowState>, pkt: &Packet<'_>, flow: &Flow<'_>) {
    *s = FlowState::new(flow.last_seen());
    if flow.status() & L2_FLOW != 0 {
        return;
    }
    if !pkt.is_ipv6() {
        s.ip_id = Ipv4::new(pkt.l3()).ident();
    }
    let ttl = pkt.ip_ttl();
    s.ttl_last = ttl;
    s.ttl_min = ttl;
    s.ttl_max = ttl;
    if pkt.l4_proto() != proto::TCP {
        return;
    }
    let th = Tcp::new(pkt.l4());
    if cfg.seq_ack_num {
        let seq = th.seq();
        s.seq_init = seq;
        s.seq_last = seq;
        s.seq_next = seq;
        s.seq_max = seq;
        s.ack_last = th.ack();
        // packet mode's relative acknowledgement numbers start at the other side's ISN
        match po {
            Some(po) => {
                po.ack_init = seq;
                s.ack_init = po.seq_init;
            }
            None => s.ack_init = s.ack_last,
        }
    }
    if th.flags() == tcp::SYN as u8 && pkt.view().snap_l7_len != 0 {
        s.anomaly |= anomaly::SYN_PAYLOAD;
    }
}

/// This packet's values for packet mode (`-s`), filled by the analysis as it goes.
#[derive(Clone, Copy, Debug, Default)]
pub struct PktCols {
    /// ToS / traffic-class byte.
    pub tos: u8,
    /// IPv4 ID (IPv6: 0).
    pub ip_id: u16,
    /// Difference to the previous packet's IPv4 ID (0 when not assessed).
    pub ip_id_diff: i32,
    /// The flags + fragment-offset word (IPv6: of the fragment header, else 0).
    pub frag_off: u16,
    /// TTL / hop limit.
    pub ttl: u8,
    /// IPv4 header checksum as written.
    pub ip_hdr_chk: u16,
    /// IPv4 header checksum as computed (0 when not computed).
    pub ip_cal_chk: u16,
    /// Layer 4 checksum as written.
    pub l4_hdr_chk: u16,
    /// Layer 4 checksum as computed (0 when not computed).
    pub l4_cal_chk: u16,
    /// This packet's `ipFlags`.
    pub ip_flags: u16,
    /// The TCP part below was analysed (TCP, first fragment).
    pub tcp: bool,
    /// Sequence number.
    pub seq: u32,
    /// Acknowledgement number.
    pub ack: u32,
    /// Highest expected sequence number before this packet.
    pub seq_max: u32,
    /// Sequence number minus the previous one (0 when not assessed).
    pub seq_diff: i32,
    /// Acknowledgement number minus the previous one (0 when not assessed).
    pub ack_diff: i32,
    /// Bytes sent according to the sequence numbers.
    pub seq_len: i32,
    /// Bytes acknowledged according to the acknowledgement numbers.
    pub ack_len: i32,
    /// This packet's `tcpFStat`.
    pub fstat: u16,
    /// This packet's `tcpFlags`.
    pub flags: u16,
    /// This packet's `tcpAnomaly`.
    pub anomaly: u16,
    /// Effective window.
    pub win: u32,
    /// Window scale factor (0 without scaling).
    pub scale: u16,
    /// MPTCP subtype of the last MPTCP option.
    pub mp_type: u16,
    /// MPTCP flags of the last MPTCP option.
    pub mp_flags: u8,
    /// MPTCP address id of the last MPTCP option.
    pub mp_addr_id: u8,
    /// DSS flags of the last MPTCP option.
    pub mp_dss_flags: u8,
    /// TCP options length (header length - 20).
    pub opt_len: i32,
}

/// What the IP part of a packet leaves for the TCP part.
struct IpPart {
    /// `tcpFStat` bits of this packet so far.
    fstat: u16,
    /// The fragment word as T2 tests it: IPv4 offset and more-fragments bits read
    /// little-endian, IPv6 the offset; once non-zero, fragment analysis turns it into the
    /// host-order offset.
    frag_word: u16,
    /// IP header length (IPv6: with extension headers).
    l3_hdr_len: u16,
    /// Layer 4 length according to the IP header.
    l4_len: u16,
    /// Seconds since the flow's previous packet.
    inter_dis: f32,
    /// Time of this packet.
    now: Timestamp,
}

/// One IP packet of `flow` (`t2OnLayer4`); `po` is the opposite flow's state, if any.
pub fn packet(
    env: &mut Env<'_>,
    pkt: &Packet<'_>,
    flow: &Flow<'_>,
    opp: Option<&Flow<'_>>,
    p: &mut FlowState,
    mut po: Option<&mut FlowState>,
    cols: &mut PktCols,
) {
    *cols = PktCols::default();
    if env.cfg.rtt_estimate {
        p.pkts += 1.0;
    }
    let part = ip_part(env, pkt, flow, p, cols);
    if env.cfg.rtt_estimate {
        if let (Some(o), Some(po)) = (opp, po.as_deref_mut())
            && p.rtt_state != rtt::STOP
        {
            ack_trip(env.tsfac, flow.last_seen(), o.last_seen(), p.pkts, po);
        }
    } else if let Some(po) = po.as_deref_mut() {
        po.rtt_state = rtt::NO_SYN;
    }
    // "not a first fragment": after fragment analysis 0.9.3 applies the little-endian mask to
    // the host-order offset, so a later fragment at an offset of 32, 64, ... 224 units is
    // analysed as a TCP header
    if pkt.l4_proto() != proto::TCP || part.frag_word & FRAG_OFFSET_LE != 0 {
        if env.cfg.rtt_estimate {
            if p.pkts == 1.0 {
                p.rtt_state = rtt::SYN_ACK;
            } else if p.rtt_state == rtt::SYN_ACK {
                p.rtt_state = rtt::ACK;
            }
        }
        p.stat |= part.fstat | fstat::INTDIS_OK;
        return;
    }
    tcp_part(env, pkt, opp, p, po, part, cols);
}

/// IP header, checksums, inter-distance and fragments, for every IP packet.
fn ip_part(env: &mut Env<'_>, pkt: &Packet<'_>, flow: &Flow<'_>, p: &mut FlowState, cols: &mut PktCols) -> IpPart {
    let cfg = env.cfg;
    let v = pkt.view();
    let l3 = pkt.l3();
    let v6 = pkt.is_ipv6();
    let mut fstat = p.stat & fstat::KEPT;
    let mut ip_flags: u16 = 0;
    let mut ip_id: u16 = 0;
    let mut frag_word: u16 = 0;
    let more_frags: bool;
    let l3_len = v.l3_len as u16;
    let l3_hdr_len: u16;

    if v6 {
        let has_frag_hdr = v.ip6_frag_off != NO_OFFSET;
        let fh = Ipv6Frag::new(pkt.from_offset(v.ip6_frag_off));
        if has_frag_hdr {
            let w = fh.offset_word();
            // 0.9.3 takes these bits from the wrong byte of the word it reads little-endian:
            // they are offset bits, not flags
            ip_flags = (w.swap_bytes() << 1) & ip::FRAG_BITS;
            frag_word = fh.frag_offset();
            cols.frag_off = w;
        }
        more_frags = has_frag_hdr && fh.more_frags();
        l3_hdr_len = v.l3_hdr_len;
        ip6_options(pkt, l3_len, l3_hdr_len, p, &mut ip_flags);
    } else {
        let ip4 = Ipv4::new(l3);
        let w = ip4.flags_frag();
        // the flags are the high byte's top bits
        ip_flags = (w >> 8) & ip::FRAG_BITS;
        l3_hdr_len = ip4.header_len() as u16;
        frag_word = w.swap_bytes() & FRAG_OFFSET_MF_LE;
        cols.frag_off = w;
        more_frags = ip4.more_frags();
        ip4_options(pkt, l3_len, l3_hdr_len, p, &mut ip_flags);
    }
    let ttl = pkt.ip_ttl();

    if ttl != p.ttl_last {
        p.ttl_changes = p.ttl_changes.wrapping_add(1);
    }
    p.ttl_last = ttl;
    cols.ttl = ttl;
    p.ttl_min = p.ttl_min.min(ttl);
    p.ttl_max = p.ttl_max.max(ttl);

    let l4_len = l3_len.wrapping_sub(l3_hdr_len);

    if v6 {
        cols.tos = Ipv6::new(l3).traffic_class();
        p.tos |= cols.tos;
    } else {
        let ip4 = Ipv4::new(l3);
        cols.tos = ip4.tos();
        p.tos |= cols.tos;
        ip_id = ip4.ident();
        cols.ip_id = ip_id;
        cols.ip_hdr_chk = ip4.checksum();
        if fstat & fstat::INTDIS_OK != 0 {
            let diff = i32::from(ip_id) - i32::from(p.ip_id);
            cols.ip_id_diff = diff;
            if ip_id < p.ip_id {
                // always true for a negative difference: 0.9.3 never reports out-of-order IDs
                ip_flags |= if diff < IP_ID_ROLL_OVER { ip::ID_ROLL_OVER } else { ip::ID_OUT_OF_ORDER };
            }
            // compared as signed, stored as u16: a negative difference wraps
            p.ip_id_min_diff = diff.min(i32::from(p.ip_id_min_diff)) as u16;
            p.ip_id_max_diff = diff.max(i32::from(p.ip_id_max_diff)) as u16;
        }
        if v.snap_l3_len < u32::from(l3_hdr_len) {
            ip_flags |= ip::SNAP_HDR_LEN | ip::L3_CHKSUM_ERR;
        } else if cfg.ipchecksum > 0 {
            let hdr = wire::slice(l3, 0..usize::from(l3_hdr_len));
            let computed = Checksum::new().add_bytes(hdr).remove(l3, ipv4::field::CHECKSUM).value();
            cols.ip_cal_chk = computed;
            if ip4.checksum() != computed {
                ip_flags |= ip::L3_CHKSUM_ERR;
            }
        }
    }

    let dgram = Datagram { frag_word, more_frags, l3_len, l4_len };
    l4_checksum(cfg, pkt, &dgram, p, &mut fstat, &mut ip_flags, cols);

    let now = flow.last_seen();
    // seconds as 32-bit unsigned: a jump back by whole seconds wraps to a large positive gap
    let secs = (now.sec as u32).wrapping_sub(p.last_pkt_time.sec as u32);
    let inter_dis = (f64::from(secs) + (now.frac - p.last_pkt_time.frac) as f64 / env.tsfac) as f32;
    if fstat & fstat::INTDIS_OK != 0 {
        if inter_dis == 0.0 {
            ip_flags |= ip::INTDIS_ZERO;
        } else if inter_dis < 0.0 {
            ip_flags |= ip::INTDIS_NEG;
            flow.add_status(TIMEJUMP);
        }
    }
    p.last_pkt_time = now;

    if cfg.frag_analyze && frag_word != 0 {
        frag_word = fragment(frag_word, more_frags, l3_len, l4_len, p, &mut ip_flags);
    }

    p.ip_flags |= ip_flags;
    cols.ip_flags = ip_flags;
    p.ip_id = ip_id;
    IpPart { fstat, frag_word, l3_hdr_len, l4_len, inter_dis, now }
}

/// Fragment analysis of a packet with fragment word `frag_word` (rare: out of the per-packet
/// path); returns the host-order offset.
#[cold]
#[inline(never)]
fn fragment(frag_word: u16, more_frags: bool, l3_len: u16, l4_len: u16, p: &mut FlowState, ip_flags: &mut u16) -> u16 {
    let offset = frag_word.swap_bytes() & FRAG_MAX_OFFSET;
    if more_frags && l3_len < FRAG_MIN_LEN {
        *ip_flags |= ip::FRAG_BELOW_MIN;
    }
    if i32::from(offset) - i32::from(p.frag_next) > 1 {
        *ip_flags |= ip::FRAG_POS_ERR;
    }
    p.frag_next = offset.wrapping_add(l4_len >> 3);
    if p.frag_next > FRAG_MAX_OFFSET {
        *ip_flags |= ip::FRAG_OUT_OF_RANGE;
    }
    offset
}

/// The options area of the IPv6 options header at `off` (the header after its next-header and
/// length bytes, up to the end of the capture: T2's option walk may read one byte past the
/// area) and the area's length by the header; empty when there is no such header.
pub fn ip6_opts<'a>(pkt: &Packet<'a>, off: u32) -> (&'a [u8], i32) {
    if off == NO_OFFSET {
        return (&[], 0);
    }
    let h = pkt.from_offset(off);
    (wire::tail(h, ext_field::DATA.start), Ipv6Ext::new(h).header_len() as i32 - ext_field::DATA.start as i32)
}

/// IPv6 hop-by-hop and destination options: counts and type bit fields.
fn ip6_options(pkt: &Packet<'_>, l3_len: u16, l3_hdr_len: u16, p: &mut FlowState, ip_flags: &mut u16) {
    let v = pkt.view();
    let (hh, hh_len) = ip6_opts(pkt, v.ip6_hhopt_off);
    let (dst, dst_len) = ip6_opts(pkt, v.ip6_dopt_off);
    if hh_len <= 0 && dst_len <= 0 {
        return;
    }
    if v.snap_l3_len < u32::from(l3_hdr_len) || l3_len < l3_hdr_len {
        *ip_flags |= ip::OPT_CORRUPT;
        return;
    }
    ip6_option_walk([hh, dst], [hh_len, dst_len], p);
}

/// The walk of the hop-by-hop and destination options (`opts`, `len` bytes by their headers;
/// rare: out of the per-packet path).
#[cold]
#[inline(never)]
fn ip6_option_walk([hh, dst]: [&[u8]; 2], [hh_len, dst_len]: [i32; 2], p: &mut FlowState) {
    for (opts, len, bits, cnt) in
        [(hh, hh_len, &mut p.ip6_hh_opts, &mut p.ip6_hh_cnt), (dst, dst_len, &mut p.ip6_d_opts, &mut p.ip6_d_cnt)]
    {
        // a Pad1 (type 0) ends the walk, as in T2
        let mut i = 0usize;
        while (i as i32) < len && u8_at(opts, i) > 0 {
            *bits |= 1 << (u8_at(opts, i) & 0x1f);
            *cnt = cnt.wrapping_add(1);
            i += usize::from(u8_at(opts, i + 1)) + 2;
        }
    }
}

/// IPv4 options: count, copy/class bits and number bit field.
fn ip4_options(pkt: &Packet<'_>, l3_len: u16, l3_hdr_len: u16, p: &mut FlowState, ip_flags: &mut u16) {
    let opt_len = i32::from(l3_hdr_len) - 20;
    if opt_len <= 0 {
        return;
    }
    if pkt.view().snap_l3_len < u32::from(l3_hdr_len) || l3_len < l3_hdr_len {
        *ip_flags |= ip::OPT_CORRUPT;
        return;
    }
    ip4_option_walk(wire::tail(pkt.l3(), ipv4::field::OPTIONS.start), opt_len, p, ip_flags);
}

/// The IPv4 option walk (rare: out of the per-packet path). It may read one byte past the
/// options, as T2's does.
#[cold]
#[inline(never)]
fn ip4_option_walk(opts: &[u8], opt_len: i32, p: &mut FlowState, ip_flags: &mut u16) {
    let mut i = 0usize;
    while (i as i32) < opt_len && u8_at(opts, i) > 0 {
        let kind = u8_at(opts, i);
        p.ip_opt_cpcl |= kind & 0xe0;
        p.ip_opts |= 1 << (kind & 0x1f);
        p.ip_opt_cnt = p.ip_opt_cnt.wrapping_add(1);
        let len = u8_at(opts, i + 1);
        if kind > 1 && len == 0 {
            *ip_flags |= ip::OPT_CORRUPT;
            break;
        }
        i += if kind > 1 { usize::from(len) } else { 1 };
    }
}

/// What the IP header says about the datagram a packet belongs to, for the layer 4 checksum.
struct Datagram {
    /// The fragment word, as in [`IpPart::frag_word`].
    frag_word: u16,
    /// More fragments follow.
    more_frags: bool,
    /// IP length.
    l3_len: u16,
    /// Layer 4 length according to the IP header.
    l4_len: u16,
}

/// The layer 4 checksum, computed over a datagram's fragments, and layer 4 length checks.
fn l4_checksum(
    cfg: &Config,
    pkt: &Packet<'_>,
    d: &Datagram,
    p: &mut FlowState,
    fstat: &mut u16,
    ip_flags: &mut u16,
    cols: &mut PktCols,
) {
    let v = pkt.view();
    let (l3_len, l4_len) = (d.l3_len, d.l4_len);
    let mut chk_len = l4_len;
    let mut pseudo_hdr = true;
    if d.frag_word & FRAG_OFFSET_LE == 0 {
        // the first fragment (or a whole datagram) carries the layer 4 header
        let l4 = pkt.l4();
        *fstat |= fstat::L4_CHKSUM;
        // the checksum field, and whether the header has one to compute (a GRE header
        // without one still has its first word read as the field)
        let (field, present): (Field, bool) = match pkt.l4_proto() {
            proto::ICMP | proto::IGMP => {
                pseudo_hdr = false;
                (icmp::field::CHECKSUM, true)
            }
            proto::ICMP6 => (icmp::field::CHECKSUM, true),
            proto::TCP => (wire::tcp::field::CHECKSUM, true),
            p4 @ (proto::UDPLITE | proto::UDP) => {
                let ulen = i32::from(Udp::new(l4).length());
                if p4 == proto::UDPLITE {
                    if ulen >= 8 && ulen <= i32::from(l4_len) {
                        chk_len = ulen as u16;
                    } else {
                        *ip_flags |= fstat::L4_CHKCOV_ERR;
                    }
                }
                if i32::from(v.snap_l4_len) != ulen {
                    *ip_flags |= ip::UDP_LEN;
                }
                (udp::field::CHECKSUM, true)
            }
            proto::GRE => {
                if Gre::new(l4).checksum_present() {
                    (gre::field::OPT0, true)
                } else {
                    (gre::field::FLAGS_VER, false)
                }
            }
            proto::OSPF => {
                // version 2 (IPv4) has no pseudo header
                pseudo_hdr = u8_at(l4, 0) != 2;
                (OSPF_CHECKSUM, true)
            }
            _ => {
                if v.snap_l3_len < u32::from(l3_len) {
                    *ip_flags |= ip::SNAP_HDR_LEN | ip::L4_CHKSUM_ERR;
                }
                *fstat &= !fstat::L4_CHKSUM;
                return;
            }
        };
        p.l4_hdr_chksum = be16(l4, field.start);
        cols.l4_hdr_chk = p.l4_hdr_chksum;
        p.l4_total = 0;
        if v.snap_l3_len < u32::from(l3_len) || v.snap_l4_len < l4_len {
            *ip_flags |= ip::SNAP_HDR_LEN | ip::L4_CHKSUM_ERR;
        } else if cfg.ipchecksum > 1 && present {
            let covered = wire::slice(l4, 0..usize::from(chk_len));
            p.l4_chksum = Checksum::new().add_bytes(covered).remove(l4, field).partial();
        }
    }
    if cfg.ipchecksum < 2 {
        return;
    }
    // later fragments only add their length: 0.9.3 never sums their bytes
    p.l4_total = p.l4_total.wrapping_add(u32::from(l4_len));
    if d.more_frags {
        return;
    }
    if pseudo_hdr {
        let len = if d.frag_word & FRAG_OFFSET_LE != 0 { p.l4_total as u16 } else { l4_len };
        let (l3, l4_proto) = (pkt.l3(), pkt.l4_proto());
        let ph = if pkt.is_ipv6() {
            Ipv6::new(l3).pseudo_header(l4_proto, u32::from(len))
        } else {
            Ipv4::new(l3).pseudo_header(l4_proto, len)
        };
        p.l4_chksum = Checksum::from_partial(p.l4_chksum).add_bytes(ph.bytes()).partial();
    }
    // a computed 0x0000 is written 0xffff
    let computed = match Checksum::from_partial(p.l4_chksum).value() {
        0 => 0xffff,
        c => c,
    };
    cols.l4_hdr_chk = p.l4_hdr_chksum;
    cols.l4_cal_chk = computed;
    if p.l4_hdr_chksum != computed {
        *ip_flags |= ip::L4_CHKSUM_ERR;
    }
    *fstat &= !fstat::L4_CHKSUM;
}

/// Updates the opposite flow's ACK trip statistics with the time since its last packet.
fn ack_trip(tsfac: f64, now: Timestamp, opp_last: Timestamp, pkts: f32, po: &mut FlowState) {
    // T2 subtracts the fractions as floats (losing nanoseconds above 2^24)
    let frac = f64::from(now.frac as f32 - opp_last.frac as f32) / tsfac;
    let trip = ((now.sec - opp_last.sec) as f64 + frac).abs() as f32;
    if trip < po.ack_trip_min {
        po.ack_trip_min = trip;
    }
    if trip > po.ack_trip_max {
        po.ack_trip_max = trip;
    }
    if po.rtt_state & (rtt::SYN | rtt::SYN_ACK) != 0 && po.pkts == 1.0 {
        po.trip = trip;
        po.ack_trip_avg = trip;
    } else {
        let d = trip - po.ack_trip_avg;
        po.ack_trip_avg += d / pkts;
        po.ack_trip_var += (d * d - po.ack_trip_var) / pkts;
        po.rtt_state = rtt::ACK;
    }
}

/// Flags, options, window and sequence analysis of a TCP packet (first fragments only).
fn tcp_part(
    env: &mut Env<'_>,
    pkt: &Packet<'_>,
    opp: Option<&Flow<'_>>,
    p: &mut FlowState,
    mut po: Option<&mut FlowState>,
    part: IpPart,
    cols: &mut PktCols,
) {
    let cfg = env.cfg;
    let v = pkt.view();
    let th = Tcp::new(pkt.l4());
    let l4_hdr_len = v.l4_hdr_len;
    let l7_len = v.l7_len;
    let mut fstat = part.fstat;
    let mut anom: u16 = 0;
    let mut flags = u16::from(th.flags());

    // the six classic flags: none, or FIN PSH URG (Xmas)
    match flags & 0x3f {
        0x00 => {
            flags |= tcp::NULL;
            anom |= anomaly::SCAN;
            count_combination(cfg, p, 11);
        }
        0x29 => {
            flags |= tcp::XMAS;
            anom |= anomaly::SCAN;
            count_combination(cfg, p, 15);
        }
        _ => {}
    }
    if cfg.tcpflgcnt {
        for (i, c) in p.flag_counts[..8].iter_mut().enumerate() {
            if *c < 0xffff {
                *c += (flags >> i) & 1;
            }
        }
    }

    match (flags as u8) & ARSF {
        // SYN
        0x02 => {
            if p.rtt_state == rtt::SYN {
                if f64::from(part.inter_dis) > SYN_RETRY_GAP {
                    env.tot.syn_retries += 1;
                    anom |= anomaly::SYN_RETRY;
                } else {
                    anom |= anomaly::SCAN;
                    env.tot.scans += 1;
                }
            }
            if l7_len != 0 {
                anom |= anomaly::SYN_PAYLOAD;
            }
            p.rtt_state = rtt::SYN;
        }
        // SYN-ACK
        0x12 => {
            flags |= tcp::SYN_ACK;
            p.rtt_state = rtt::SYN_ACK;
            count_combination(cfg, p, 9);
        }
        // ACK
        0x10 => {
            if p.rtt_state == rtt::SYN_ACK {
                p.rtt_state = rtt::ACK;
            }
            if let Some(po) = po.as_deref_mut() {
                if cfg.rtt_estimate && (po.rtt_state == rtt::NO_SYN || po.rtt_state == rtt::SYN_ACK) {
                    po.rtt_state = rtt::ACK;
                }
                if cfg.seq_ack_num {
                    po.in_flight = 0;
                    p.in_flight = p.in_flight.wrapping_add(u32::from(l7_len));
                    p.in_flight_max = p.in_flight_max.max(p.in_flight);
                }
            }
        }
        // FIN, RST and odd combinations end the round-trip measurement from this side
        combination => {
            let (bit, counter) = match combination {
                0x11 => (tcp::FIN_ACK, 8),
                0x14 => (tcp::RST_ACK, 10),
                0x03 => (tcp::SYN_FIN, 12),
                0x07 => (tcp::SYN_FIN_RST, 13),
                0x05 => (tcp::RST_FIN, 14),
                _ => (0, 0),
            };
            if bit != 0 {
                flags |= bit;
                count_combination(cfg, p, counter);
            }
            p.rtt_state = rtt::STOP;
        }
    }

    let opt_len = i32::from(l4_hdr_len) - 20;
    cols.tcp = true;
    cols.opt_len = opt_len;
    if opt_len > 0 {
        if v.snap_l3_len < u32::from(part.l3_hdr_len) + u32::from(l4_hdr_len) && part.l4_len >= l4_hdr_len {
            fstat |= fstat::L4_OPT_CORRUPT;
        } else {
            let opts = wire::tail(th.bytes(), wire::tcp::field::OPTIONS.start);
            tcp_options(env, opts, opt_len, flags, part.now, p, po.as_deref_mut(), &mut fstat, cols);
        }
    }

    // effective window
    let mut win = u32::from(th.window());
    let mut scale: u16 = 0;
    if fstat & fstat::WS_USED != 0 {
        // x86 masks the shift count; the factor is kept in 16 bits (a shift ≥ 16 scales to 0)
        scale = (1u32 << (p.ws_shift & 31)) as u16;
        win = win.wrapping_mul(u32::from(scale));
    }
    if cfg.windowsize {
        window(env, flags, win, p, &mut fstat);
    }
    cols.win = win;
    cols.scale = scale;

    if cfg.seq_ack_num {
        let (seq, ack) = (th.seq(), th.ack());
        cols.seq = seq;
        cols.ack = ack;
        cols.seq_max = p.seq_max;
        seq_ack(
            env,
            flags,
            seq,
            ack,
            win,
            scale,
            l7_len,
            part.inter_dis,
            p,
            po.as_deref_mut(),
            &mut fstat,
            &mut anom,
            cols,
        );
        p.seq_last = seq;
        p.seq_next = seq.wrapping_add(u32::from(l7_len));
        if flags & SFR != 0 {
            p.seq_next = p.seq_next.wrapping_add(1);
        } else if fstat & fstat::WIN_0_PROBE != 0 {
            p.seq_next = p.seq_next.wrapping_sub(1);
        }
        p.ack_last = ack;
        p.seq_max = p.seq_max.max(p.seq_next);
    }
    if cfg.windowsize {
        p.win_last = win;
    }
    p.flags_last = flags as u8;
    p.tcp_flags |= flags;
    p.anomaly |= anom;
    p.anomaly_last = anom;
    cols.fstat = fstat;
    cols.flags = flags;
    cols.anomaly = anom;
    fstat |= fstat::INTDIS_OK;
    p.stat |= fstat;
    p.stat_last = fstat;

    if cfg.frag_analyze
        && let (Some(o), Some(po)) = (opp, po)
        && o.status() & IPV4_FRAG_PENDING != 0
        && flags & (tcp::RST | tcp::FIN) != 0
    {
        po.ip_flags |= ip::FRAG_SEQ_ERR;
    }
    if cfg.scan_detector && p.scan_pkts < SCAN_MAX_PKTS + 2 {
        p.scan_pkts += 1;
    }
}

/// A flow with fewer TCP packets than this and a SYN, FIN or scan flag is a scan (`TCP_SCAN_PMAX`).
pub const SCAN_MAX_PKTS: u8 = 4;

/// Counts a flag combination (`TCPFLGCNT`; these counters wrap, unlike the single flags').
fn count_combination(cfg: &Config, p: &mut FlowState, i: usize) {
    if cfg.tcpflgcnt {
        p.flag_counts[i] = p.flag_counts[i].wrapping_add(1);
    }
}

/// Walks the TCP options (`opts`, `len` bytes by the header).
#[allow(clippy::too_many_arguments)]
fn tcp_options(
    env: &mut Env<'_>,
    opts: &[u8],
    len: i32,
    flags: u16,
    now: Timestamp,
    p: &mut FlowState,
    mut po: Option<&mut FlowState>,
    fstat: &mut u16,
    cols: &mut PktCols,
) {
    let cfg = env.cfg;
    let syn = flags & tcp::SYN != 0;
    p.opt_pkts = p.opt_pkts.wrapping_add(1);
    let mut i = 0usize;
    while (i as i32) < len && u8_at(opts, i) > 0 {
        let kind = u8_at(opts, i);
        let olen = u8_at(opts, i + 1);
        p.opt_cnt = p.opt_cnt.wrapping_add(1);
        if cfg.tcpja4t
            && syn
            && p.syn_opts_cnt < u16::from(cfg.ja4toptmx)
            && let Some(slot) = p.syn_opts.get_mut(usize::from(p.syn_opts_cnt))
        {
            *slot = kind;
            p.syn_opts_cnt += 1;
        }
        p.tcp_opts |= 1 << kind.min(31);
        if kind > 1 && olen == 0 {
            *fstat |= fstat::L4_OPT_CORRUPT;
            break;
        }
        match kind {
            opt::MSS => p.mss = be16(opts, i + 2),
            opt::SACK => *fstat |= fstat::SACK,
            opt::WSCALE if syn => {
                p.ws_shift = u8_at(opts, i + 2);
                if flags & (tcp::SYN | tcp::ACK) == tcp::SYN | tcp::ACK {
                    p.stat |= fstat::WS_USED;
                    if let Some(po) = po.as_deref_mut() {
                        po.stat |= fstat::WS_USED;
                    }
                }
            }
            opt::TIMESTAMP if cfg.nat_bt_est => {
                p.ts_val = be32(opts, i + 2);
                p.ts_ecr = be32(opts, i + 6);
                p.ts_last_time = now;
                if p.ts_val < p.ts_val_max {
                    *fstat |= fstat::OPT_TM_DEC;
                } else {
                    p.ts_val_max = p.ts_val;
                    if *fstat & fstat::OPT_INIT == 0 {
                        p.ts_val_init = p.ts_val;
                        p.ts_first_time = p.ts_last_time;
                        *fstat |= fstat::OPT_INIT;
                    }
                }
            }
            opt::MPTCP if cfg.mptcp => {
                mptcp_option(opts, i, olen, p, cols);
                *fstat |= fstat::MPTCP;
                env.tot.mptcp_opts += 1;
            }
            _ => {}
        }
        i += if kind > 1 { usize::from(olen) } else { 1 };
    }
}

/// An MPTCP option at `i` of `opts`, `olen` bytes by its header (rare: out of the per-packet
/// path).
#[cold]
#[inline(never)]
fn mptcp_option(opts: &[u8], i: usize, olen: u8, p: &mut FlowState, cols: &mut PktCols) {
    let subtype = u8_at(opts, i + 2) >> 4;
    p.mp_subtypes |= 1 << subtype;
    cols.mp_type = u16::from(subtype);
    match subtype {
        // MP_CAPABLE
        0 => {
            cols.mp_flags = u8_at(opts, i + 3);
            p.mp_flags |= cols.mp_flags;
        }
        // MP_JOIN, MP_PRIO
        1 | 5 if olen <= 16 => {
            cols.mp_flags = u8_at(opts, i + 2) & 0x0f;
            cols.mp_addr_id = u8_at(opts, i + 3);
            p.mp_flags |= cols.mp_flags;
            p.mp_addr_id = cols.mp_addr_id;
        }
        // DSS
        2 => {
            cols.mp_dss_flags = u8_at(opts, i + 3) & 0x1f;
            p.mp_dss_flags |= cols.mp_dss_flags;
        }
        // ADD_ADDR, REMOVE_ADDR
        3 | 4 => {
            cols.mp_addr_id = u8_at(opts, i + 3);
            p.mp_addr_id = cols.mp_addr_id;
        }
        _ => {}
    }
}

/// Window statistics of a TCP packet with effective window `win`.
fn window(env: &mut Env<'_>, flags: u16, win: u32, p: &mut FlowState, fstat: &mut u16) {
    env.tot.tcp_pkts += 1;
    p.tcp_pkts = p.tcp_pkts.wrapping_add(1);
    if env.cfg.winmin > 0 && flags & SFR == 0 && win < u32::from(env.cfg.winmin) {
        env.tot.win_below_min += 1;
        p.win_below_min = p.win_below_min.wrapping_add(1);
        *fstat |= fstat::WIN_MIN;
    }
    if *fstat & fstat::WIN_INIT == 0 {
        p.win_min = win;
        p.win_max = win;
        p.win_init = win;
        p.win_last = win;
        p.win_avg = win as f32;
        *fstat |= fstat::WIN_INIT;
    }
    // IIR filter, computed in double as T2's expression is
    p.win_avg = (f64::from(p.win_avg) * 0.7 + f64::from(win as f32) * 0.3) as f32;
    if *fstat & fstat::WIN_UP == 0 {
        if win < p.win_last {
            p.win_down = p.win_down.wrapping_add(1);
            p.win_min = p.win_min.min(win);
        } else if win > p.win_last {
            p.win_dir_changes = p.win_dir_changes.wrapping_add(1);
            p.win_up = p.win_up.wrapping_add(1);
            p.win_max = p.win_max.max(win);
            *fstat |= fstat::WIN_UP;
        }
    } else if win > p.win_last {
        p.win_up = p.win_up.wrapping_add(1);
        p.win_max = p.win_max.max(win);
    } else if win < p.win_last {
        p.win_dir_changes = p.win_dir_changes.wrapping_add(1);
        p.win_down = p.win_down.wrapping_add(1);
        p.win_min = p.win_min.min(win);
        *fstat &= !fstat::WIN_UP;
    }
}

/// Sequence and acknowledgement analysis: keep-alives, zero-window probes, duplicate ACKs,
/// retransmissions, sent and acknowledged bytes.
#[allow(clippy::too_many_arguments)]
fn seq_ack(
    env: &mut Env<'_>,
    flags: u16,
    seq: u32,
    ack: u32,
    win: u32,
    scale: u16,
    l7_len: u16,
    inter_dis: f32,
    p: &mut FlowState,
    po: Option<&mut FlowState>,
    fstat: &mut u16,
    anom: &mut u16,
    cols: &mut PktCols,
) {
    let probe = fstat::WIN_0_PROBE | fstat::WIN_0_PROBE_ACK;
    let po = po.map(|po| &*po);
    if let Some(po) = po
        && flags & SFR == 0
    {
        if po.win_last == 0 && l7_len == 1 {
            *fstat |= fstat::WIN_0_PROBE;
        } else if po.stat_last & fstat::WIN_0_PROBE != 0 && win == 0 && l7_len == 0 {
            *fstat |= fstat::WIN_0_PROBE_ACK;
        }
    }
    if flags & tcp::ACK != 0 && *fstat & probe == 0 {
        if l7_len <= 1 && flags & SFR == 0 {
            if seq == p.seq_max.wrapping_sub(1) {
                *anom |= anomaly::KEEP_ALIVE;
            } else if po.is_some_and(|po| po.seq_next == ack.wrapping_sub(1)) {
                *anom |= anomaly::KEEP_ALIVE_ACK;
            }
        }
        if p.ack_last == ack && *anom & (anomaly::KEEP_ALIVE | anomaly::KEEP_ALIVE_ACK) == 0 {
            if *fstat & fstat::INTDIS_OK != 0 && flags & SFR == 0 && l7_len == 0 {
                let same_win = p.win_last == win
                    || (*fstat & fstat::WS_USED != 0 && p.win_last.wrapping_mul(u32::from(scale)) == win);
                if same_win {
                    *anom |= anomaly::DUP_ACK;
                    p.ack_faults = p.ack_faults.wrapping_add(1);
                } else if seq == p.seq_next {
                    *fstat |= fstat::WIN_UPDATE;
                }
            }
            if flags & SFR == 0 && seq < p.seq_max {
                *anom |= anomaly::SEQ_OUT_OF_ORDER;
            } else if seq < p.seq_next {
                let late = if env.cfg.rtt_estimate {
                    po.is_some_and(|po| {
                        f64::from(inter_dis) > f64::from(po.ack_trip_avg + p.ack_trip_avg) * env.cfg.retry_factor()
                    })
                } else {
                    f64::from(inter_dis) > env.cfg.retry_factor()
                };
                if late && p.win_last == win {
                    *anom |= anomaly::SEQ_RETRY;
                    env.tot.seq_retries += 1;
                    p.seq_faults = p.seq_faults.wrapping_add(1);
                }
            }
            if let Some(po) = po
                && po.anomaly_last & anomaly::DUP_ACK != 0
                && seq == po.ack_last
                && (l7_len > 0 || flags & (tcp::SYN | tcp::FIN) != 0)
                && seq < p.seq_next
            {
                *anom |= anomaly::SEQ_FAST_RETRY;
                env.tot.seq_retries += 1;
                p.seq_faults = p.seq_faults.wrapping_add(1);
            }
            if po.is_some_and(|po| po.ack_last > seq) {
                *anom |= anomaly::SEQ_MESS;
            }
        }
        if seq == p.seq_next {
            p.seq_good = p.seq_good.wrapping_add(1);
        }
        if po.is_some_and(|po| po.seq_max < ack) {
            *anom |= anomaly::ACK_UNSEEN;
            p.ack_faults = p.ack_faults.wrapping_add(1);
        }
        let last_sfr = u16::from(p.flags_last) & SFR != 0;
        if !last_sfr && seq > p.seq_max {
            *anom |= anomaly::PKT_NOT_CAPTURED;
        }
        if p.seq_last != 0 {
            let d = seq.wrapping_sub(p.seq_last) as i32;
            // the phantom byte of a SYN, FIN or RST is not data
            let sent = if d > 0 && !(last_sfr && d == 1) { d } else { 0 };
            p.seq_bytes += i64::from(sent);
            cols.seq_diff = d;
            cols.seq_len = sent;
        }
        if p.ack_last != 0 {
            let d = ack.wrapping_sub(p.ack_last) as i32;
            let opp_sfr = po.is_some_and(|po| u16::from(po.flags_last) & SFR != 0);
            let acked = if d > 0 && !((last_sfr || opp_sfr) && d == 1) { d } else { 0 };
            p.ack_bytes += i64::from(acked);
            cols.ack_diff = d;
            cols.ack_len = acked;
        }
        p.ack_pkts = p.ack_pkts.wrapping_add(1);
    }
    p.m_len += i64::from(l7_len);
    if let Some(po) = po
        && *fstat & probe == 0
        && p.in_flight >= po.win_last
        && po.flags_last & tcp::RST as u8 == 0
        && p.tcp_flags & tcp::SYN != 0
    {
        *fstat |= fstat::WIN_FULL;
    }
    if *anom & anomaly::SCAN != 0 || p.anomaly & anomaly::SCAN != 0 {
        *anom &= !anomaly::COUNTERS;
    }
}
