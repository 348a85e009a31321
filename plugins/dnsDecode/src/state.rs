//! Per-flow DNS state and the analysis of one packet (T2's dnsDecode, plugins' doc §dnsDecode).
//!
//! T2's decoding has its own rules, kept here because the reference outputs follow them: the
//! question names of a flow are those of its last message, the records of all messages fill
//! one list of `DNS_ARECMAX` entries whose last entry is overwritten once full, an SOA record
//! takes two entries, TTLs are kept to 16 bits (SOA: the minimum TTL, 32 bits), an OPT record's
//! TTL field is its `dnsOptStat`, and a TCP message that spans segments continues in the next
//! ones with the counts of its header.

use crate::flags;
use crate::msg::Msg;
use crate::name::{self, NameBuf, PTR_ERR, RSTART};

/// Query records kept per flow.
pub const QRECMAX: usize = flags::DNS_QRECMAX as usize;
/// Answer records kept per flow.
pub const ARECMAX: usize = flags::DNS_ARECMAX as usize;
const QMXI: usize = QRECMAX - 1;
const AMXI: usize = ARECMAX - 1;

/// `dnsStat` bits.
pub mod stat {
    /// DNS port detected.
    pub const PRTDT: u16 = 0x0001;
    /// NetBIOS name service (port 137).
    pub const NBIOS: u16 = 0x0002;
    /// A TCP message spanned segments.
    pub const FRAGA: u16 = 0x0004;
    /// Inside a TCP message that spans segments.
    pub const FRAGS: u16 = 0x0008;
    /// ANY query or record.
    pub const ANY: u16 = 0x0020;
    /// Incremental zone transfer.
    pub const IZTRANS: u16 = 0x0040;
    /// Zone transfer.
    pub const ZTRANS: u16 = 0x0080;
    /// UDP message longer than 548 bytes.
    pub const WRNULN: u16 = 0x0100;
    /// Records of a type not decoded were skipped.
    pub const WRNIGN: u16 = 0x0200;
    /// More query records than DNS_QRECMAX.
    pub const WRNDEX: u16 = 0x0400;
    /// More answer records than DNS_ARECMAX.
    pub const WRNAEX: u16 = 0x0800;
    /// Record length error.
    pub const ERRLEN: u16 = 0x1000;
    /// Bad compression pointer.
    pub const ERRPTR: u16 = 0x2000;
    /// Message too short.
    pub const WRNMLN: u16 = 0x4000;
    /// Header corrupt or TCP segments missing: the flow is not decoded further.
    pub const ERRCRPT: u16 = 0x8000;
}
use stat::*;

/// Record types T2 treats specially.
pub mod rr {
    /// IPv4 address.
    pub const A: u16 = 1;
    /// Name server.
    pub const NS: u16 = 2;
    /// Canonical name.
    pub const CNAME: u16 = 5;
    /// Start of authority.
    pub const SOA: u16 = 6;
    /// Domain name pointer.
    pub const PTR: u16 = 12;
    /// Mail exchange.
    pub const MX: u16 = 15;
    /// Text strings.
    pub const TXT: u16 = 16;
    /// IPv6 address.
    pub const AAAA: u16 = 28;
    /// NetBIOS general name service (NIMLOC).
    pub const NB: u16 = 32;
    /// Service location.
    pub const SRV: u16 = 33;
    /// EDNS(0) option pseudo-record.
    pub const OPT: u16 = 41;
    /// DNSSEC signature.
    pub const RRSIG: u16 = 46;
    /// Incremental zone transfer.
    pub const IXFR: u16 = 251;
    /// Zone transfer.
    pub const AXFR: u16 = 252;
    /// Any record.
    pub const ANY: u16 = 255;
    /// First type of `dnsTypeBF1` (SPF).
    pub const BF1: u16 = 99;
    /// First type of `dnsTypeBF2` (TKEY).
    pub const BF2: u16 = 249;
    /// First type of `dnsTypeBF3` (TA).
    pub const BF3: u16 = 0x8000;
}

/// Shortest UDP message T2 decodes (`DNS_MINDNSLEN`).
const MINDNSLEN: u16 = 17;
/// Shorter messages are not looked at (`DNS_LEN_REJECT`).
const LEN_REJECT: u16 = 4;
/// Longer UDP messages set `WRNULN`.
const MAXUDP: u16 = 548;

/// The settings of the analysis, from the flags.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// DNS_MODE: 0 header only ... 4 additional records.
    pub mode: u8,
    /// DNS_HDRMD > 0: keep the lists of op and return codes.
    pub code_lists: bool,
    /// DNS_HEXON: keep the type bit fields BF1..BF3.
    pub hexon: bool,
}

/// A name of the flow: T2 prints an empty string for one never set.
#[derive(Clone, Default)]
pub struct Name {
    /// Set at least once (T2's non-NULL pointer).
    pub set: bool,
    /// The bytes.
    pub b: Vec<u8>,
}

impl Name {
    fn put(&mut self, b: &[u8]) {
        self.set = true;
        self.b.clear();
        self.b.extend_from_slice(b);
    }
}

/// The names of a flow, kept apart so that a reused slot keeps their buffers.
#[derive(Clone, Default)]
pub struct Names {
    /// Query names.
    pub q: Vec<Name>,
    /// Answer (owner) names.
    pub a: Vec<Name>,
    /// Names and text in the records' data (CNAME, NS, PTR, SOA, MX, SRV, TXT).
    pub p: Vec<Name>,
}

impl Names {
    fn clear(&mut self) {
        self.q.resize_with(QRECMAX, Name::default);
        self.a.resize_with(ARECMAX, Name::default);
        self.p.resize_with(ARECMAX, Name::default);
        for n in self.q.iter_mut().chain(self.a.iter_mut()).chain(self.p.iter_mut()) {
            n.set = false;
            n.b.clear();
        }
    }
}

/// One flow's DNS state.
#[derive(Clone)]
pub struct FlowState {
    /// `dnsStat`.
    pub stat: u16,
    /// Next expected TCP sequence number.
    seq_t: u32,
    /// Bytes still missing of a TCP message spanning segments.
    t_len: u16,
    /// Header flags of the last message (`dnsHdrOPField`).
    pub hdr_op: u16,
    /// Aggregated header flags (`dnsHFlg`).
    pub hflags: u8,
    /// Aggregated op codes, `1 << opcode`.
    pub opcode_bf: u16,
    /// Aggregated return codes, `1 << rcode`.
    pub rcode_bf: u16,
    /// The op and return codes seen, in order (DNS_HDRMD > 0).
    pub opcodes: [u8; QRECMAX],
    /// Number of `opcodes`.
    pub n_opcodes: u8,
    /// The return codes seen.
    pub rcodes: [u8; QRECMAX],
    /// Number of `rcodes`.
    pub n_rcodes: u8,
    /// Record counts of the last header.
    counts: [u16; 4],
    /// Record counts over all messages (`dnsCntQu_Asw_Aux_Add`, wrapping as T2's 16 bits).
    pub sums: [u16; 4],
    /// Response bytes, and header plus question bytes of responses (`dnsAAAqF`).
    pub aa_len: u32,
    /// See `aa_len`.
    pub qa_len: u32,
    /// Query records kept (index of the next).
    pub qrn: u16,
    /// Answer records kept.
    pub arn: u16,
    /// Types 0..63 seen (`1 << type`).
    pub type_bf0: u64,
    /// Types from SPF, TKEY and TA on (DNS_HEXON).
    pub type_bf1: u16,
    /// See `type_bf1`.
    pub type_bf2: u16,
    /// See `type_bf1`.
    pub type_bf3: u8,
    /// Query types and classes.
    pub qtype: [u16; QRECMAX],
    /// See `qtype`.
    pub qclass: [u16; QRECMAX],
    /// Record types, classes and TTLs.
    pub atype: [u16; ARECMAX],
    /// See `atype`.
    pub aclass: [u16; ARECMAX],
    /// See `atype`.
    pub attl: [u32; ARECMAX],
    /// A and AAAA addresses (an A address in the first 4 bytes).
    pub addr: [[u8; 16]; ARECMAX],
    /// MX preferences.
    pub mx: [u16; ARECMAX],
    /// SRV priority, weight and port.
    pub srv: [[u16; 3]; ARECMAX],
    /// OPT records' TTL field (extended rcode, version, flags).
    pub opt: [u32; ARECMAX],
    /// The names.
    pub names: Names,
}

impl Default for FlowState {
    fn default() -> Self {
        FlowState {
            stat: 0,
            seq_t: 0,
            t_len: 0,
            hdr_op: 0,
            hflags: 0,
            opcode_bf: 0,
            rcode_bf: 0,
            opcodes: [0; QRECMAX],
            n_opcodes: 0,
            rcodes: [0; QRECMAX],
            n_rcodes: 0,
            counts: [0; 4],
            sums: [0; 4],
            aa_len: 0,
            qa_len: 0,
            qrn: 0,
            arn: 0,
            type_bf0: 0,
            type_bf1: 0,
            type_bf2: 0,
            type_bf3: 0,
            qtype: [0; QRECMAX],
            qclass: [0; QRECMAX],
            atype: [0; ARECMAX],
            aclass: [0; ARECMAX],
            attl: [0; ARECMAX],
            addr: [[0; 16]; ARECMAX],
            mx: [0; ARECMAX],
            srv: [[0; 3]; ARECMAX],
            opt: [0; ARECMAX],
            names: Names::default(),
        }
    }
}

/// The transport of a packet.
#[derive(Clone, Copy, Debug)]
pub enum Transport {
    /// UDP.
    Udp,
    /// TCP with the segment's sequence number.
    Tcp(u32),
    /// Anything else (never decoded).
    Other,
}

/// What the analysis needs of a packet.
pub struct PacketIn<'a> {
    /// The captured bytes.
    pub data: &'a [u8],
    /// Offset of the layer-7 payload in `data`.
    pub l7_off: usize,
    /// Captured payload length inside the IP packet.
    pub snap_l7: u16,
    /// Payload length from the headers.
    pub l7_len: u16,
    /// The transport.
    pub transport: Transport,
}

/// What a packet showed, for packet mode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PacketOut {
    /// The header flags field (0 when the packet had no header).
    pub hdr: u16,
    /// Header flags as in `dnsHFlg`, op code and return code.
    pub flags: u8,
    /// See `flags`.
    pub opcode: u8,
    /// See `flags`.
    pub rcode: u8,
    /// Question, answer, authority and additional counts.
    pub counts: [u16; 4],
}

/// Run-wide counters.
#[derive(Clone, Copy, Debug, Default)]
pub struct Totals {
    /// DNS messages (first segments only).
    pub pkts: u64,
    /// Queries (TCP continuation segments count again).
    pub q: u64,
    /// Responses.
    pub r: u64,
}

/// Where the decoding of a packet stopped on an error: the position reached.
struct LenError(u16);

/// The section of a resource record.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Answer,
    Authority,
    Additional,
}

/// A packet of a DNS flow being decoded.
struct Walk<'a, 'n> {
    m: Msg<'a>,
    len: u16,
    snap: u16,
    nb: &'n mut NameBuf,
    ips: Option<&'n mut String>,
}

/// Whether T2 decodes a flow with ports `sport`/`dport` (DNS, mDNS, LLMNR or NetBIOS name
/// service), and its first status bits if so.
pub fn port_stat(sport: u16, dport: u16) -> Option<u16> {
    let nbios = if sport == 137 || dport == 137 { NBIOS } else { 0 };
    let dns = [53, 5353, 5355].iter().any(|&p| p == sport || p == dport);
    (dns || nbios != 0).then_some(PRTDT | nbios)
}

impl FlowState {
    /// Clears the state for a new flow, keeping the name buffers.
    pub fn start(&mut self) {
        let names = std::mem::take(&mut self.names);
        *self = FlowState::default();
        self.names = names;
    }

    /// A new flow of T2's decoding (see [`port_stat`]) with its first status bits: the flow's
    /// first state.
    pub fn on_new_flow(&mut self, stat: u16) {
        self.start();
        self.stat = stat;
        self.names.clear();
    }

    /// The first packet of a TCP flow: without a plain SYN the messages cannot be followed.
    pub fn first_tcp(&mut self, tcp_flags: u8, seq: u32) {
        if tcp_flags & 0x07 != 0x02 {
            self.stat |= ERRCRPT;
        }
        self.seq_t = seq;
    }

    /// Whether packets of this flow are decoded.
    #[inline]
    pub fn active(&self) -> bool {
        self.stat & PRTDT != 0 && self.stat & ERRCRPT == 0
    }

    /// Decodes a packet of a DNS flow (the first fragment of an IP packet), updating the flow
    /// and `tot`; `nb` is the name buffer kept across packets, `ips` collects the A and AAAA
    /// addresses for packet mode.
    pub fn packet(
        &mut self,
        set: &Settings,
        p: &PacketIn<'_>,
        nb: &mut NameBuf,
        tot: &mut Totals,
        ips: Option<&mut String>,
    ) -> PacketOut {
        let mut out = PacketOut::default();
        let mut stat = self.stat;
        let snap = p.snap_l7;
        let mut base = p.l7_off as isize;
        let len = match p.transport {
            Transport::Udp => {
                if snap < MINDNSLEN {
                    self.stat |= ERRCRPT | WRNMLN;
                    return out;
                }
                if snap > MAXUDP {
                    stat |= WRNULN;
                }
                snap
            }
            Transport::Tcp(seq) => {
                if snap < 6 {
                    self.seq_t = seq;
                    return out;
                }
                if self.seq_t != seq {
                    self.stat |= ERRCRPT;
                    return out;
                }
                self.seq_t = seq.wrapping_add(u32::from(p.l7_len));
                let mut len = if self.stat & FRAGS != 0 {
                    self.t_len
                } else {
                    self.t_len = Msg::new(p.data, base).u16(0);
                    self.t_len
                };
                if len <= snap {
                    stat &= !FRAGS;
                } else {
                    len = snap;
                    self.t_len = self.t_len.wrapping_sub(len);
                    stat |= FRAGS | FRAGA;
                }
                base += 2;
                len
            }
            Transport::Other => return out,
        };
        if len < LEN_REJECT {
            self.stat |= WRNMLN;
            return out;
        }
        let counts;
        if self.stat & FRAGS != 0 {
            // a continuation segment: T2 reads it with the counts of the message's header,
            // from 10 bytes before the message start it assumes
            if self.hdr_op & 0x8000 != 0 {
                tot.r += 1;
            } else {
                tot.q += 1;
            }
            counts = self.counts;
            out.counts = counts;
            base -= 10;
        } else {
            tot.pkts += 1;
            let m = Msg::new(p.data, base);
            let u = m.u16(2);
            out.hdr = u;
            self.hdr_op = u;
            out.flags = (((u & 0x07f0) >> 4) | ((u & 0x8000) >> 8)) as u8;
            out.opcode = ((u & 0x7800) >> 11) as u8;
            out.rcode = (u & 0x000f) as u8;
            self.hflags |= out.flags;
            self.opcode_bf |= 1 << out.opcode;
            self.rcode_bf |= 1 << out.rcode;
            if set.code_lists {
                note_code(&mut self.opcodes, &mut self.n_opcodes, out.opcode);
                note_code(&mut self.rcodes, &mut self.n_rcodes, out.rcode);
            }
            if u & 0x8000 != 0 {
                tot.r += 1;
                self.aa_len = self.aa_len.wrapping_add(u32::from(len));
            } else {
                tot.q += 1;
            }
            if len < MINDNSLEN {
                return out;
            }
            counts = [m.u16(4), m.u16(6), m.u16(8), m.u16(10)];
            out.counts = counts;
            self.counts = counts;
            for (s, c) in self.sums.iter_mut().zip(counts) {
                *s = s.wrapping_add(c);
            }
            let [qn, an, ns, ar] = counts.map(i64::from);
            if u & 0x4040 != 0
                || self.opcode_bf & 0xff00 != 0
                || self.rcode_bf & 0xf800 != 0
                || qn * 5 + 13 * (an + ns + ar) - 16 > i64::from(len)
            {
                self.stat = stat | ERRCRPT;
                return out;
            }
        }
        self.stat = stat;
        if set.mode == 0 {
            return out;
        }
        let mut w = Walk { m: Msg::new(p.data, base), len, snap, nb, ips };
        if let Err(LenError(l)) = self.records(set, &mut w, counts, out.hdr) {
            self.stat |= ERRLEN;
            if l == PTR_ERR {
                self.stat |= ERRPTR;
            }
        }
        out
    }

    /// The questions and the record sections up to DNS_MODE.
    fn records(&mut self, set: &Settings, w: &mut Walk<'_, '_>, counts: [u16; 4], hdr: u16) -> Result<(), LenError> {
        let mut l = RSTART;
        let mut j = 0usize;
        for _ in 0..counts[0] {
            if w.m.get(l) == 0 {
                l = l.wrapping_add(1);
            } else {
                l = name::parse(&w.m, w.len, l, w.nb);
                if l > w.snap {
                    return Err(LenError(l));
                }
                self.names.q[j].put(w.nb.as_bytes());
            }
            let qtype = w.m.u16(l);
            self.qtype[j] = qtype;
            self.note_type(set, qtype);
            self.qclass[j] = w.m.u16(l.wrapping_add(2));
            l = l.wrapping_add(4);
            if j < QMXI {
                j += 1;
            } else {
                self.stat |= WRNDEX;
                break;
            }
        }
        self.qrn = j as u16;
        if hdr & 0x8000 != 0 {
            self.qa_len = self.qa_len.wrapping_add(u32::from(l));
        }
        let sections = [(Section::Answer, 2), (Section::Authority, 3), (Section::Additional, 4)];
        for (n, (section, mode)) in sections.into_iter().enumerate() {
            if set.mode >= mode {
                self.section(set, w, section, counts[n + 1], &mut l)?;
            }
        }
        Ok(())
    }

    /// One record section: `count` records from `*l`.
    fn section(
        &mut self,
        set: &Settings,
        w: &mut Walk<'_, '_>,
        section: Section,
        count: u16,
        l: &mut u16,
    ) -> Result<(), LenError> {
        let mut j = usize::from(self.arn);
        // T2 warns when the list is full before the answers and the authority records only
        if section != Section::Additional && j >= AMXI {
            j = AMXI;
            self.arn = AMXI as u16;
            self.stat |= WRNAEX;
        }
        let len = i32::from(w.len);
        let mut i = 0;
        while i < count && i32::from(*l) + 5 < len {
            i += 1;
            if w.m.get(*l) == 0 {
                *l = l.wrapping_add(1);
            } else {
                *l = name::parse(&w.m, w.len, *l, w.nb);
                if *l > w.snap {
                    return Err(LenError(*l));
                }
                self.names.a[j].put(w.nb.as_bytes());
            }
            let at = *l;
            let atype = w.m.u16(at);
            self.note_type(set, atype);
            self.atype[j] = atype;
            if atype != rr::OPT {
                self.aclass[j] = w.m.u16(at.wrapping_add(2));
                // T2 keeps the TTL in 16 bits
                self.attl[j] = w.m.u32(at.wrapping_add(4)) & 0xffff;
                *l = l.wrapping_add(10);
            }
            if i32::from(*l) + 4 > len {
                if j < AMXI {
                    j += 1;
                }
                break;
            }
            // OPT: T2 reads its "length" from the TTL field and stays at the type field
            let (rec_len, rd) = if atype == rr::OPT {
                (w.m.u16(at.wrapping_add(4)), at.wrapping_add(6))
            } else {
                (w.m.u16(at.wrapping_add(8)), at.wrapping_add(10))
            };
            match atype {
                rr::A => {
                    let a: [u8; 4] = w.m.bytes(rd);
                    self.addr[j][..4].copy_from_slice(&a);
                    if let Some(ips) = w.ips.as_deref_mut() {
                        use std::fmt::Write;
                        let _ = write!(ips, "{};", std::net::Ipv4Addr::from(a));
                    }
                    *l = l.wrapping_add(4);
                }
                rr::NS | rr::CNAME | rr::PTR => {
                    *l = self.data_name(w, *l, j);
                    if *l > w.snap {
                        return Err(LenError(*l));
                    }
                }
                rr::SOA => {
                    *l = self.data_name(w, *l, j);
                    if *l > w.snap {
                        return Err(LenError(*l));
                    }
                    *l = name::parse(&w.m, w.len, *l, w.nb);
                    if j < AMXI {
                        j += 1;
                    }
                    self.names.p[j].put(w.nb.as_bytes());
                    // serial, refresh, retry and expire, then the minimum TTL
                    *l = l.wrapping_add(16);
                    if *l > w.snap {
                        return Err(LenError(*l));
                    }
                    self.attl[j] = w.m.u32(*l);
                    *l = l.wrapping_add(4);
                }
                rr::MX => {
                    self.mx[j] = w.m.u16(rd);
                    *l = name::parse(&w.m, w.len, l.wrapping_add(2), w.nb);
                    // T2 checks the answers' exchange name before keeping it, the others after
                    if section == Section::Answer && *l > w.snap {
                        return Err(LenError(*l));
                    }
                    self.names.p[j].put(w.nb.as_bytes());
                    if *l > w.snap {
                        return Err(LenError(*l));
                    }
                }
                rr::TXT => {
                    let mut k = u16::from(w.m.get(*l));
                    if rec_len == k + 1 {
                        *l = l.wrapping_add(1);
                    } else {
                        k = rec_len;
                    }
                    if *l >= w.snap {
                        return Err(LenError(*l));
                    }
                    let text = w.m.slice(*l, k.min(w.snap - *l));
                    // T2 keeps the bytes as a C string
                    let end = text.iter().position(|&c| c == 0).unwrap_or(text.len());
                    self.names.p[j].put(&text[..end]);
                    *l = l.wrapping_add(k);
                    if *l > w.snap {
                        return Err(LenError(*l));
                    }
                }
                rr::AAAA => {
                    let a: [u8; 16] = w.m.bytes(rd);
                    self.addr[j] = a;
                    if let Some(ips) = w.ips.as_deref_mut() {
                        use std::fmt::Write;
                        let _ = write!(ips, "{};", std::net::Ipv6Addr::from(a));
                    }
                    *l = l.wrapping_add(16);
                }
                rr::SRV => {
                    self.srv[j] = [w.m.u16(rd), w.m.u16(rd.wrapping_add(2)), w.m.u16(rd.wrapping_add(4))];
                    *l = self.data_name(w, l.wrapping_add(6), j);
                    if *l > w.snap {
                        return Err(LenError(*l));
                    }
                }
                rr::OPT => {
                    self.opt[j] = w.m.u32(at.wrapping_add(4));
                    self.aclass[j] = 0;
                    self.attl[j] = 0;
                    *l = l.wrapping_add(rec_len);
                }
                rr::RRSIG | rr::NB => *l = l.wrapping_add(rec_len),
                _ => {
                    self.stat |= WRNIGN;
                    *l = l.wrapping_add(rec_len);
                }
            }
            if j < AMXI {
                j += 1;
            }
        }
        self.arn = j.min(AMXI) as u16;
        Ok(())
    }

    /// Decodes the name at `l` in a record's data into data name `j`; returns the position
    /// after it (or an error position, the name kept all the same as T2 does).
    fn data_name(&mut self, w: &mut Walk<'_, '_>, l: u16, j: usize) -> u16 {
        let l = name::parse(&w.m, w.len, l, w.nb);
        self.names.p[j].put(w.nb.as_bytes());
        l
    }

    /// Notes a query or record type: the type bit fields and the zone transfer warnings.
    fn note_type(&mut self, set: &Settings, t: u16) {
        if t < 64 {
            self.type_bf0 |= 1 << t;
        }
        if set.hexon {
            // T2 shifts an int: the shift count wraps at 32 and the result is truncated
            let bit = |from: u16| 1u32.wrapping_shl(u32::from(t - from));
            if t >= rr::BF1 {
                self.type_bf1 |= bit(rr::BF1) as u16;
            }
            if t >= rr::BF2 {
                self.type_bf2 |= bit(rr::BF2) as u16;
            }
            if t >= rr::BF3 {
                self.type_bf3 |= bit(rr::BF3) as u8;
            }
        }
        match t {
            rr::AXFR => self.stat |= ZTRANS,
            rr::IXFR => self.stat |= IZTRANS,
            rr::ANY => self.stat |= ANY,
            _ => {}
        }
    }
}

/// Adds `code` to a list of distinct codes (T2 keeps at most DNS_QRECMAX - 1).
fn note_code(list: &mut [u8; QRECMAX], n: &mut u8, code: u8) {
    let have = usize::from(*n);
    if !list[..have].contains(&code) && have < QMXI {
        list[have] = code;
        *n += 1;
    }
}
