//! What icmpDecode counts: per flow ([`FlowState`], [`TypeCodes`]) and over the run
//! ([`Totals`]), and how one ICMP message updates both ([`FlowState::analyse`]).

use plugin_api::wire::icmp;

use crate::flags::Config;
use crate::parse::{Header, openssh, wang2};

/// `icmpStat` bit: the flow is an ICMP or ICMPv6 flow.
pub const STAT_ICMP: u8 = 0x01;
/// `icmpStat` bit: Microsoft's WANG2 bandwidth test.
pub const STAT_WANG: u8 = 0x10;
/// `icmpStat` bit: an echo sequence number did not follow its predecessor.
pub const SEQ_ABNRM: u8 = 0x20;
/// `icmpStat` bit: LOKI covert channel (every echo kept LOKI's sequence marker).
pub const COV_LOKI: u8 = 0x40;
/// `icmpStat` bit: `OpenSSH` in an echo payload.
pub const COV_SSH: u8 = 0x80;

/// The ICMP types of the `L` bit field and the codes of the code bit field.
const LOW_TYPES: u8 = 32;
const CODES: u8 = 16;
/// ICMPv6 types up to this one (exclusive) have a bit in the `H` or `L` field.
const V6_TYPE_BITS_END: u8 = 160;

/// How the type/code column is kept (`ICMP_TC_MD`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TcMode {
    /// Bit fields of the types and codes seen (`icmpBFTypH_TypL_Code`).
    BitField,
    /// The first pairs, in order (`icmpType_Code`).
    List,
    /// T2's unimplemented third mode: the bit field column, never filled.
    Reserved,
}

impl TcMode {
    /// The mode of an `ICMP_TC_MD` value.
    pub fn from_flag(v: u8) -> TcMode {
        match v {
            0 => TcMode::BitField,
            1 => TcMode::List,
            _ => TcMode::Reserved,
        }
    }
}

/// The run's settings: icmpDecode's flags and the core flags it depends on.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// `ICMP_TC_MD`.
    pub tc_mode: TcMode,
    /// `ICMP_NUM`: type/code pairs kept per flow in [`TcMode::List`].
    pub tc_num: usize,
    /// `ICMP_FDCORR`.
    pub fdcorr: bool,
    /// `ICMP_PARENT` and not `ETH_ACTIVATE=2`: look error messages' parents up.
    pub parent: bool,
    /// IPv4 counted and reported (`IPV6_ACTIVATE` 0 or 2).
    pub ipv4: bool,
    /// IPv6 counted and reported (`IPV6_ACTIVATE` 1 or 2).
    pub ipv6: bool,
}

impl Settings {
    /// icmpDecode's flags `cfg` with the core's `IPV6_ACTIVATE` and `ETH_ACTIVATE`.
    pub fn new(cfg: &Config, ipv6_activate: u8, eth_activate: u8) -> Settings {
        Settings {
            tc_mode: TcMode::from_flag(cfg.icmp_tc_md),
            tc_num: usize::from(cfg.icmp_num),
            fdcorr: cfg.icmp_fdcorr,
            parent: cfg.icmp_parent && eth_activate != 2,
            ipv4: ipv6_activate != 1,
            ipv6: ipv6_activate > 0,
        }
    }
}

/// One flow's ICMP analysis (T2's `icmpFlow_t`). The slot is reset for every new flow.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct FlowState {
    /// `icmpPFindex`: flow index of the last parent found.
    pub pfi: u64,
    /// Echo requests.
    pub echo_req: u32,
    /// Echo replies.
    pub echo_rep: u32,
    /// `icmpTmGtw`: bytes 4-8 of the last timestamp (reply) message.
    pub tm_stmp: u32,
    /// Type bits: ICMPv6 types 128-159 (IPv4: types ≥ 32, shifted as x86 does).
    pub type_h: u32,
    /// Type bits: types below 32.
    pub type_l: u32,
    /// Code bits: codes below 16.
    pub code_bf: u16,
    /// Sequence number of the last echo (the first packet's minus one to start).
    pub last_seq: u16,
    /// `icmpTCcnt`: analysed messages, wrapping at 256 as T2's `uint8_t`.
    pub numtc: u8,
    /// `icmpStat`; 0 for a flow that is not ICMP.
    pub stat: u8,
}

impl FlowState {
    /// A new flow whose first packet is ICMP (`hdr` is `None` for a later fragment, which
    /// carries no header).
    pub fn start(hdr: Option<&Header>) -> FlowState {
        let mut s = FlowState { stat: STAT_ICMP, ..FlowState::default() };
        if let Some(h) = hdr {
            if h.loki() {
                s.stat |= COV_LOKI;
            }
            s.last_seq = h.seq.wrapping_sub(1);
        }
        s
    }

    /// True for ICMP flows, the only ones analysed.
    pub fn is_icmp(&self) -> bool {
        self.stat != 0
    }

    /// One message of this flow (a first fragment): updates the flow and the run's totals and
    /// returns true when it is an error message whose parent flow is to be looked up.
    ///
    /// `v6` tells whether the packet is IPv6; `l7` is the captured payload after the 8-byte
    /// header, `l7_ip` its part within the IP packet (T2's `snapL7Len`).
    pub fn analyse(&mut self, set: &Settings, h: &Header, v6: bool, l7: &[u8], l7_ip: &[u8], tot: &mut Totals) -> bool {
        tot.packets += 1;
        self.numtc = self.numtc.wrapping_add(1);
        let (t, c) = (h.typ, h.code);
        if v6 {
            if !set.ipv6 {
                return false;
            }
            if set.tc_mode == TcMode::BitField {
                if t < LOW_TYPES {
                    self.type_l |= 1 << t;
                } else if (icmp::V6_ECHO_REQUEST..V6_TYPE_BITS_END).contains(&t) {
                    self.type_h |= 1 << (t - icmp::V6_ECHO_REQUEST);
                }
                if c < CODES {
                    self.code_bf |= 1 << c;
                }
            }
            let n = &mut tot.v6;
            match t {
                icmp::V6_ECHO_REQUEST | icmp::V6_ECHO_REPLY => {
                    n.echo[usize::from(t == icmp::V6_ECHO_REPLY)] += 1;
                    self.echo(h, t == icmp::V6_ECHO_REQUEST, l7, l7_ip, tot);
                    false
                }
                icmp::V6_DEST_UNREACH => {
                    bump(&mut n.dest_unreach, c);
                    true
                }
                icmp::V6_TIME_EXCEEDED => {
                    if usize::from(c) < n.time_exceeded.len() {
                        n.time_exceeded[usize::from(c)] += 1;
                    } else {
                        n.count_other(t, c);
                    }
                    true
                }
                icmp::V6_PKT_TOO_BIG => {
                    n.pkt_too_big += 1;
                    true
                }
                icmp::V6_PARAM_PROBLEM => {
                    if usize::from(c) < n.param_problem.len() {
                        n.param_problem[usize::from(c)] += 1;
                    } else {
                        n.count_other(t, c);
                    }
                    true
                }
                _ => {
                    n.count_other(t, c);
                    false
                }
            }
        } else {
            if !set.ipv4 {
                return false;
            }
            if set.tc_mode == TcMode::BitField {
                if t < LOW_TYPES {
                    self.type_l |= 1 << t;
                } else {
                    // C's `1U << type` is undefined from 32 on; x86 shifts by `type % 32`
                    self.type_h |= 1 << (t % 32);
                }
                if c < CODES {
                    self.code_bf |= 1 << c;
                }
            }
            let n = &mut tot.v4;
            match t {
                icmp::ECHO_REQUEST | icmp::ECHO_REPLY => {
                    n.echo[usize::from(t == icmp::ECHO_REPLY)] += 1;
                    self.echo(h, t == icmp::ECHO_REQUEST, l7, l7_ip, tot);
                    false
                }
                icmp::SOURCE_QUENCH => {
                    n.source_quench += 1;
                    true
                }
                icmp::DEST_UNREACH => {
                    bump(&mut n.dest_unreach, c);
                    true
                }
                icmp::TIME_EXCEEDED => {
                    bump(&mut n.time_exceeded, c);
                    true
                }
                icmp::REDIRECT => {
                    bump(&mut n.redirect, c);
                    true
                }
                icmp::TIMESTAMP | icmp::TIMESTAMP_REPLY => {
                    self.tm_stmp = h.gateway;
                    false
                }
                icmp::TRACEROUTE => {
                    n.traceroute += 1;
                    false
                }
                _ => false,
            }
        }
    }

    /// An echo request (`request`) or reply: covert-channel markers and the sequence check.
    fn echo(&mut self, h: &Header, request: bool, l7: &[u8], l7_ip: &[u8], tot: &mut Totals) {
        if request {
            tot.echo_req += 1;
            self.echo_req = self.echo_req.wrapping_add(1);
            if wang2(l7) {
                self.stat |= STAT_WANG;
            }
        } else {
            tot.echo_rep += 1;
            self.echo_rep = self.echo_rep.wrapping_add(1);
        }
        if openssh(l7_ip) {
            self.stat |= COV_SSH;
        }
        if !h.loki() {
            self.stat &= !COV_LOKI;
        }
        self.last_seq = self.last_seq.wrapping_add(1);
        if self.last_seq != h.seq {
            self.stat |= SEQ_ABNRM;
        }
        self.last_seq = h.seq;
    }

    /// `icmpEchoSuccRatio` of this flow given its opposite's state: replies of the opposite per
    /// request of this flow; without requests, minus the opposite's replies.
    pub fn echo_ratio(&self, opposite: Option<&FlowState>) -> f32 {
        match opposite {
            Some(o) if self.echo_req != 0 => o.echo_rep as f32 / self.echo_req as f32,
            Some(o) if o.echo_rep != 0 => -(o.echo_rep as f32),
            _ => 0.0,
        }
    }
}

/// Counts `n[code]` when the code has a slot.
fn bump<const N: usize>(n: &mut [u64; N], code: u8) {
    if let Some(x) = n.get_mut(usize::from(code)) {
        *x += 1;
    }
}

/// The type/code pairs of every flow in [`TcMode::List`]: `tc_num` pairs per flow slot, in one
/// allocation made at init (nothing in the other modes).
#[derive(Debug, Default)]
pub struct TypeCodes {
    num: usize,
    pairs: Vec<[u8; 2]>,
}

impl TypeCodes {
    /// Room for `num` pairs in each of `capacity` flow slots.
    pub fn new(capacity: usize, num: usize) -> TypeCodes {
        TypeCodes { num, pairs: vec![[0; 2]; capacity.saturating_mul(num)] }
    }

    /// The pairs of flow slot `slot` (empty when there is no room).
    pub fn of(&self, slot: usize) -> &[[u8; 2]] {
        self.pairs.get(slot * self.num..(slot + 1) * self.num).unwrap_or(&[])
    }

    /// Records the pair of the `n`-th message (0-based) of flow slot `slot`, if it has room.
    pub fn record(&mut self, slot: usize, n: usize, pair: [u8; 2]) {
        if n < self.num
            && let Some(p) = self.pairs.get_mut(slot * self.num + n)
        {
            *p = pair;
        }
    }
}

/// IPv4 messages by type and code (T2's `numEcho4`, `numDestUnreach4`, ...).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct V4Counts {
    /// Echo requests, echo replies.
    pub echo: [u64; 2],
    /// Source quench.
    pub source_quench: u64,
    /// Traceroute.
    pub traceroute: u64,
    /// Destination unreachable by code.
    pub dest_unreach: [u64; 16],
    /// Redirect by code.
    pub redirect: [u64; 4],
    /// Time exceeded by code.
    pub time_exceeded: [u64; 2],
}

/// ICMPv6 messages by type and code (T2's `numEcho6`, `num_icmp6`, ...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct V6Counts {
    /// Echo requests, echo replies.
    pub echo: [u64; 2],
    /// Packet too big.
    pub pkt_too_big: u64,
    /// Destination unreachable by code.
    pub dest_unreach: [u64; 8],
    /// Time exceeded by code (0 and 1; others go to `other`).
    pub time_exceeded: [u64; 2],
    /// Parameter problem by code (0 to 2; others go to `other`).
    pub param_problem: [u64; 3],
    /// Every other type below 255, by code below 8.
    pub other: Box<[[u64; 8]; 255]>,
}

impl Default for V6Counts {
    fn default() -> V6Counts {
        V6Counts {
            echo: [0; 2],
            pkt_too_big: 0,
            dest_unreach: [0; 8],
            time_exceeded: [0; 2],
            param_problem: [0; 3],
            other: Box::new([[0; 8]; 255]),
        }
    }
}

impl V6Counts {
    fn count_other(&mut self, t: u8, c: u8) {
        if let Some(row) = self.other.get_mut(usize::from(t)) {
            bump(row, c);
        }
    }
}

/// The run's totals.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// OR of the `icmpStat` of every flow written so far.
    pub stat: u8,
    /// Analysed ICMP messages (first fragments of ICMP flows).
    pub packets: u64,
    /// Echo requests (ICMP and ICMPv6).
    pub echo_req: u64,
    /// Echo replies.
    pub echo_rep: u64,
    /// Values of `packets`, `echo_req`, `echo_rep` at the last differential monitoring report.
    pub packets0: u64,
    /// See `packets0`.
    pub echo_req0: u64,
    /// See `packets0`.
    pub echo_rep0: u64,
    /// IPv4 messages by type.
    pub v4: V4Counts,
    /// ICMPv6 messages by type.
    pub v6: V6Counts,
}

#[cfg(test)]
mod tests {
    use super::*;

    const DUAL: Settings =
        Settings { tc_mode: TcMode::BitField, tc_num: 10, fdcorr: true, parent: true, ipv4: true, ipv6: true };

    fn hdr(typ: u8, code: u8, seq: u16) -> Header {
        Header { typ, code, seq, seq_raw: u16::from_ne_bytes(seq.to_be_bytes()), ..Header::default() }
    }

    #[test]
    fn echo_sequence_and_counts() {
        let mut tot = Totals::default();
        let first = hdr(8, 0, 7);
        let mut s = FlowState::start(Some(&first));
        assert_eq!(s.last_seq, 6);
        for seq in [7, 8, 9] {
            assert!(!s.analyse(&DUAL, &hdr(8, 0, seq), false, b"", b"", &mut tot));
        }
        assert_eq!(s.stat, STAT_ICMP);
        s.analyse(&DUAL, &hdr(8, 0, 11), false, b"", b"", &mut tot);
        assert_eq!(s.stat, STAT_ICMP | SEQ_ABNRM);
        assert_eq!((s.echo_req, s.numtc, s.type_l, s.code_bf), (4, 4, 1 << 8, 1));
        assert_eq!((tot.packets, tot.echo_req, tot.v4.echo), (4, 4, [4, 0]));
    }

    #[test]
    fn first_sequence_zero_wraps() {
        let s = FlowState::start(Some(&hdr(8, 0, 0)));
        assert_eq!(s.last_seq, 0xffff);
        let mut s2 = s;
        s2.analyse(&DUAL, &hdr(8, 0, 0), false, b"", b"", &mut Totals::default());
        assert_eq!(s2.stat & SEQ_ABNRM, 0);
    }

    #[test]
    fn loki_needs_every_echo() {
        let loki =
            Header { typ: 8, seq_raw: 0xf001, seq: u16::from_be_bytes(0xf001u16.to_ne_bytes()), ..Header::default() };
        let mut tot = Totals::default();
        let mut s = FlowState::start(Some(&loki));
        s.analyse(&DUAL, &loki, false, b"", b"", &mut tot);
        assert_ne!(s.stat & COV_LOKI, 0);
        s.analyse(&DUAL, &hdr(0, 0, 1), false, b"", b"", &mut tot);
        assert_eq!(s.stat & COV_LOKI, 0);
    }

    #[test]
    fn payload_marks() {
        let mut tot = Totals::default();
        let mut s = FlowState::start(None);
        let mut l7 = b"\0\0\0\0\0\0WANG2".to_vec();
        l7.resize(48, 0);
        l7.extend_from_slice(b"OpenSSH");
        s.analyse(&DUAL, &hdr(8, 0, 0), false, &l7, &l7[..50], &mut tot);
        assert_eq!(s.stat & (STAT_WANG | COV_SSH), STAT_WANG);
        s.analyse(&DUAL, &hdr(0, 0, 0), false, &l7, &l7, &mut tot);
        assert_eq!(s.stat & (STAT_WANG | COV_SSH), STAT_WANG | COV_SSH);
    }

    #[test]
    fn errors_ask_for_a_parent() {
        let mut tot = Totals::default();
        let mut s = FlowState::start(None);
        for (t, c) in [(3, 3), (4, 0), (5, 1), (11, 0), (11, 1), (3, 15), (3, 16)] {
            assert!(s.analyse(&DUAL, &hdr(t, c, 0), false, b"", b"", &mut tot), "type {t} code {c}");
        }
        for (t, c) in [(0, 0), (8, 0), (13, 0), (30, 0), (9, 0)] {
            assert!(!s.analyse(&DUAL, &hdr(t, c, 0), false, b"", b"", &mut tot), "type {t}");
        }
        assert_eq!(tot.v4.dest_unreach[3], 1);
        assert_eq!(tot.v4.dest_unreach[15], 1);
        assert_eq!(tot.v4.dest_unreach.iter().sum::<u64>(), 2, "code 16 has no slot");
        assert_eq!((tot.v4.source_quench, tot.v4.redirect[1], tot.v4.time_exceeded), (1, 1, [1, 1]));
        assert_eq!(tot.v4.traceroute, 1);
        for (t, c) in [(1, 4), (2, 0), (3, 0), (3, 5), (4, 1), (4, 7)] {
            assert!(s.analyse(&DUAL, &hdr(t, c, 0), true, b"", b"", &mut tot), "ICMPv6 type {t} code {c}");
        }
        assert!(!s.analyse(&DUAL, &hdr(135, 0, 0), true, b"", b"", &mut tot));
        let v6 = &tot.v6;
        assert_eq!((v6.dest_unreach[4], v6.pkt_too_big, v6.time_exceeded[0], v6.param_problem[1]), (1, 1, 1, 1));
        assert_eq!((v6.other[3][5], v6.other[4][7], v6.other[135][0]), (1, 1, 1));
    }

    #[test]
    fn bit_fields() {
        let mut tot = Totals::default();
        let mut s = FlowState::start(None);
        for (t, c) in [(0, 0), (31, 15), (40, 16), (255, 3)] {
            s.analyse(&DUAL, &hdr(t, c, 0), false, b"", b"", &mut tot);
        }
        assert_eq!(s.type_l, 1 | 1 << 31);
        assert_eq!(s.type_h, 1 << 8 | 1 << 31, "IPv4 types from 32 shift by type % 32");
        assert_eq!(s.code_bf, 1 | 1 << 15 | 1 << 3);
        let mut s = FlowState::start(None);
        for t in [1, 128, 159, 160, 143] {
            s.analyse(&DUAL, &hdr(t, 0, 0), true, b"", b"", &mut tot);
        }
        assert_eq!((s.type_l, s.type_h), (1 << 1, 1 | 1 << 31 | 1 << 15));
        let list = Settings { tc_mode: TcMode::List, ..DUAL };
        let mut s = FlowState::start(None);
        s.analyse(&list, &hdr(8, 0, 0), false, b"", b"", &mut tot);
        assert_eq!((s.type_l, s.code_bf, s.numtc), (0, 0, 1));
    }

    #[test]
    fn disabled_versions_only_count_packets() {
        let v4_only = Settings { ipv6: false, ..DUAL };
        let mut tot = Totals::default();
        let mut s = FlowState::start(None);
        assert!(!s.analyse(&v4_only, &hdr(1, 0, 0), true, b"", b"", &mut tot));
        assert_eq!((tot.packets, s.numtc, s.type_l, tot.v6.dest_unreach[0]), (1, 1, 0, 0));
    }

    #[test]
    fn counts_wrap_like_t2() {
        let mut s = FlowState::start(None);
        s.numtc = 255;
        s.analyse(&DUAL, &hdr(8, 0, 0), false, b"", b"", &mut Totals::default());
        assert_eq!(s.numtc, 0);
    }

    #[test]
    fn echo_ratio() {
        let req = FlowState { echo_req: 4, ..FlowState::default() };
        let rep = FlowState { echo_rep: 3, ..FlowState::default() };
        assert_eq!(req.echo_ratio(Some(&rep)), 0.75);
        assert_eq!(rep.echo_ratio(Some(&req)), 0.0);
        assert_eq!(FlowState::default().echo_ratio(Some(&rep)), -3.0);
        assert_eq!(req.echo_ratio(None), 0.0);
    }

    #[test]
    fn type_code_list() {
        let mut tc = TypeCodes::new(3, 2);
        tc.record(1, 0, [8, 0]);
        tc.record(1, 1, [0, 0]);
        tc.record(1, 2, [3, 3]);
        tc.record(7, 0, [3, 3]);
        assert_eq!(tc.of(1), [[8, 0], [0, 0]]);
        assert_eq!(tc.of(0), [[0, 0], [0, 0]]);
        assert!(tc.of(9).is_empty());
        assert!(TypeCodes::default().of(0).is_empty());
    }
}
