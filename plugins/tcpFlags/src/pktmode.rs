//! Packet mode (`-s`): tcpFlags' columns of `PREFIX_packets.txt` (plugins.md §4 "Packet
//! columns", §0.3): the IP header, checksums and flags of every IP packet, and for TCP the
//! sequence analysis, flags, window, options, timestamps and MPTCP values.

use plugin_api::wire::{self, Ipv4, ipv4, tcp, u8_at};
use plugin_api::{Packet, PacketLine};

use crate::analyse::{PktCols, ip6_opts};
use crate::config::{Config, TosFormat};
use crate::state::FlowState;

/// Which optional column groups the header has.
#[derive(Clone, Copy, Debug, Default)]
pub struct Layout {
    /// `ip6HHOptLen ip6HHOpts ip6DOptLen ip6DOpts` (`IPV6_ACTIVATE` > 0).
    pub ip6: bool,
    /// `ipOptLen ipOpts` (`IPV6_ACTIVATE` 0 or 2).
    pub ip4: bool,
}

impl Layout {
    /// The groups a core with this `IPV6_ACTIVATE` asks for.
    pub fn new(ipv6_activate: u8) -> Layout {
        Layout { ip6: ipv6_activate > 0, ip4: ipv6_activate != 1 }
    }
}

/// The sequence/acknowledgement columns (`SEQ_ACK_NUM`).
const SEQ_ACK: [&str; 11] = [
    "seq",
    "ack",
    "seqMax",
    "seqDiff",
    "ackDiff",
    "seqLen",
    "ackLen",
    "seqFlowLen",
    "ackFlowLen",
    "tcpMLen",
    "tcpBFlgt",
];

/// The header names, in order.
pub fn header(cfg: &Config, layout: Layout) -> Vec<&'static str> {
    let mut h = vec![match cfg.tos() {
        TosFormat::Hex => "ipToS",
        TosFormat::DscpEcn => "ipToSDscp_ecn",
        TosFormat::PrecEcn => "ipToSPrec_ecn",
    }];
    h.extend([
        "ipID",
        "ipIDDiff",
        "ipFrag",
        "ipTTL",
        "ipHdrChkSum",
        "ipCalChkSum",
        "l4HdrChkSum",
        "l4CalChkSum",
        "ipFlags",
    ]);
    if layout.ip6 {
        h.extend(["ip6HHOptLen", "ip6HHOpts", "ip6DOptLen", "ip6DOpts"]);
    }
    if layout.ip4 {
        h.extend(["ipOptLen", "ipOpts"]);
    }
    if cfg.seq_ack_num {
        h.extend(SEQ_ACK);
    }
    h.extend(["tcpFStat", "tcpFlags", "tcpAnomaly", "tcpWin", "tcpWS", "tcpMSS"]);
    if cfg.nat_bt_est {
        h.extend(["tcpTmS", "tcpTmER"]);
    }
    if cfg.mptcp {
        h.extend(["tcpMPTyp", "tcpMPF", "tcpMPAID", "tcpMPDSSF"]);
    }
    h.extend(["tcpOptLen", "tcpOpts"]);
    h
}

/// `len` bytes of `bytes` as `0x..;0x..` (bytes not captured read 0), ending the field.
fn hex_list(line: &mut PacketLine, bytes: &[u8], len: i32) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for i in 0..len.max(0) as usize {
        let b = u8_at(bytes, i);
        let sep: &[u8] = if i == 0 { b"0x" } else { b";0x" };
        line.raw(sep).raw(&[HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xf)]]);
    }
    line.tab();
}

/// A sequence or acknowledgement number, decimal or hex (`SPKTMD_SEQACKHEX`).
fn seq_num(line: &mut PacketLine, cfg: &Config, v: u32) {
    if cfg.spktmd_seqackhex {
        line.hex(u64::from(v), 8);
    } else {
        line.u64(u64::from(v));
    }
}

/// The fields of one IP packet; `p` is the flow's state after the packet's analysis.
pub fn ip_packet(line: &mut PacketLine, cfg: &Config, layout: Layout, pkt: &Packet<'_>, p: &FlowState, c: &PktCols) {
    match cfg.tos() {
        TosFormat::Hex => line.hex(u64::from(c.tos), 2),
        TosFormat::DscpEcn => line.fmt(format_args!("{}_{}", c.tos >> 2, c.tos & 3)),
        TosFormat::PrecEcn => line.fmt(format_args!("{}_{}", c.tos >> 5, c.tos & 3)),
    };
    line.u64(u64::from(c.ip_id)).i64(i64::from(c.ip_id_diff)).hex(u64::from(c.frag_off), 4);
    line.u64(u64::from(c.ttl));
    for v in [c.ip_hdr_chk, c.ip_cal_chk, c.l4_hdr_chk, c.l4_cal_chk, c.ip_flags] {
        line.hex(u64::from(v), 4);
    }
    let v = pkt.view();
    if pkt.is_ipv6() {
        if layout.ip6 {
            for off in [v.ip6_hhopt_off, v.ip6_dopt_off] {
                let (opts, len) = ip6_opts(pkt, off);
                line.i64(i64::from(len));
                hex_list(line, opts, len);
            }
        }
        if layout.ip4 {
            line.u64(0).empty(1);
        }
    } else {
        if layout.ip6 {
            line.u64(0).empty(1).u64(0).empty(1);
        }
        if layout.ip4 {
            let ip = Ipv4::new(pkt.l3());
            let len = ip.header_len() as i32 - ipv4::HEADER_LEN as i32;
            line.i64(i64::from(len));
            hex_list(line, ip.options(), len);
        }
    }
    if !c.tcp {
        // not TCP, or a later fragment
        if cfg.seq_ack_num {
            line.empty(SEQ_ACK.len());
        }
        line.str("0x0000").empty(5);
        if cfg.nat_bt_est {
            line.empty(2);
        }
        if cfg.mptcp {
            line.empty(4);
        }
        line.u64(0).empty(1);
        return;
    }
    if cfg.seq_ack_num {
        let (seq0, ack0) = if cfg.spktmd_seqackrel { (p.seq_init, p.ack_init) } else { (0, 0) };
        seq_num(line, cfg, c.seq.wrapping_sub(seq0));
        seq_num(line, cfg, c.ack.wrapping_sub(ack0));
        seq_num(line, cfg, c.seq_max.wrapping_sub(seq0));
        line.i64(i64::from(c.seq_diff)).i64(i64::from(c.ack_diff));
        // seqLen and ackLen are never negative
        line.u64(u64::from(c.seq_len as u32)).u64(u64::from(c.ack_len as u32));
        line.i64(p.seq_bytes).i64(p.ack_bytes).i64(p.m_len).u64(u64::from(p.in_flight));
    }
    line.hex(u64::from(c.fstat), 4).hex(u64::from(c.flags), 4).hex(u64::from(c.anomaly), 4);
    line.u64(u64::from(c.win)).u64(u64::from(c.scale)).u64(u64::from(p.mss));
    if cfg.nat_bt_est {
        line.u64(u64::from(p.ts_val)).u64(u64::from(p.ts_ecr));
    }
    if cfg.mptcp {
        line.u64(u64::from(c.mp_type)).hex(u64::from(c.mp_flags), 2);
        line.u64(u64::from(c.mp_addr_id)).hex(u64::from(c.mp_dss_flags), 2);
    }
    line.i64(i64::from(c.opt_len));
    hex_list(line, wire::tail(pkt.l4(), tcp::field::OPTIONS.start), c.opt_len);
}
