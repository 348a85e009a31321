//! Reads the TLS/SSL/DTLS records of one packet into a flow's [`Tls`] state, as T2 does: every
//! packet on its own (no reassembly), records from the start of the layer-7 payload, the
//! handshake messages of a record, hello extensions, alerts and heartbeats. A record or
//! message cut by the end of the packet stops the packet (`SSL_STAT_SNAP`); the rest of the
//! flow goes on.

use crate::alpn::{self, proto};
use crate::ciphers::{self, Class};
use crate::cursor::Cursor;
use crate::flags::Config;
use crate::ja::Fingerprints;
use crate::state::{Tls, flag, stat, version, vuln, wrap};

/// Record header length: type, version, length.
const RT_HDR_LEN: i64 = 5;
/// Maximum record length.
const RT_MAX_LEN: u16 = 16384;

/// Record types.
mod rt {
    pub const CHANGE_CIPHER_SPEC: u8 = 0x14;
    pub const ALERT: u8 = 0x15;
    pub const HANDSHAKE: u8 = 0x16;
    pub const APPLICATION_DATA: u8 = 0x17;
    pub const HEARTBEAT: u8 = 0x18;
}

/// Handshake types.
pub mod ht {
    /// ClientHello.
    pub const CLIENT_HELLO: u8 = 0x01;
    /// ServerHello.
    pub const SERVER_HELLO: u8 = 0x02;
    pub(crate) const HELLO_VERIFY_REQUEST: u8 = 0x03;
    pub(crate) const CERTIFICATE: u8 = 0x0b;
    pub(crate) const SERVER_KEY_EXCHANGE: u8 = 0x0c;
    pub(crate) const CERTIFICATE_REQUEST: u8 = 0x0d;
    pub(crate) const CERTIFICATE_VERIFY: u8 = 0x0f;
    pub(crate) const CLIENT_KEY_EXCHANGE: u8 = 0x10;
    pub(crate) const FINISHED: u8 = 0x14;
}

/// Hello extensions T2 reads.
mod ext {
    pub const SERVER_NAME: u16 = 0x0000;
    pub const SUPPORTED_GROUPS: u16 = 0x000a;
    pub const EC_POINT_FORMATS: u16 = 0x000b;
    pub const SIG_HASH_ALGS: u16 = 0x000d;
    pub const USE_SRTP: u16 = 0x000e;
    pub const HEARTBEAT: u16 = 0x000f;
    pub const ALPN: u16 = 0x0010;
    pub const SUPPORTED_VERSIONS: u16 = 0x002b;
    pub const NPN: u16 = 0x3374;
    pub const ALPS: u16 = 0x4469;
    pub const RENEG_INFO: u16 = 0xff01;
}

/// Seconds in a year and in five years (T2's thresholds for gmt_unix_time).
const ONE_YEAR: u64 = 31_556_926;
const FIVE_YEARS: u32 = 157_784_630;

/// What a packet's decoding needs besides the flow's state.
pub struct Packet<'a> {
    /// Layer-7 bytes as captured.
    pub l7: &'a [u8],
    /// Seconds of the packet's timestamp.
    pub ts_sec: i64,
    /// TCP (JA4 `t`), UDP (`q`) or another protocol (no JA4).
    pub l4: L4,
}

/// The transport, for JA4's first letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum L4 {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
    /// SCTP.
    Other,
}

/// Whether T2's decoder would do anything with a payload starting with `l7`: a record type, or
/// an SSLv2 message type. A flow gets its TLS state from its first such packet.
pub fn might_be_tls(l7: &[u8]) -> bool {
    l7.len() >= RT_HDR_LEN as usize && ((rt::CHANGE_CIPHER_SPEC..=rt::HEARTBEAT).contains(&l7[0]) || l7[2] <= 8)
}

/// The decoder of one packet.
pub struct Decoder<'a> {
    /// The flags.
    pub cfg: &'a Config,
    /// JA3/JA4 description tables.
    pub db: &'a Fingerprints,
    /// Counters over the run (signatures matched).
    pub matched: &'a mut crate::ja::Matched,
}

/// A record header.
struct Record {
    typ: u8,
    version: u16,
    len: u16,
}

impl Decoder<'_> {
    /// Decodes the records of `pkt` into `s` (T2's `t2OnLayer4` after its checks).
    pub fn packet(&mut self, s: &mut Tls, pkt: &Packet<'_>) {
        let mut c = Cursor::new(pkt.l7);
        while c.left() >= RT_HDR_LEN {
            let Some(rec) = self.record_header(s, &mut c) else { return };
            if rec.len > RT_MAX_LEN {
                s.stat |= stat::REC_TOO_LONG;
                return;
            }
            s.version = rec.version;
            if self.cfg.ssl_rec_ver && !contains_all(&s.rec_ver, rec.version) && !s.rec_ver.push(rec.version, wrap::U16)
            {
                s.stat |= stat::REC_VER_TRUNC;
            }
            let start = c.tell();
            if self.record(s, &mut c, &rec, start, pkt).is_none() {
                return;
            }
            // T2 moves to the record's end by an unsigned difference, which lands there
            // whether it read less or more than the record.
            c = at(pkt.l7, start + usize::from(rec.len));
        }
    }

    /// Reads a record header; `None` ends the packet (not TLS, SSLv2, or cut).
    fn record_header(&mut self, s: &mut Tls, c: &mut Cursor<'_>) -> Option<Record> {
        let Some(typ) = c.u8() else {
            s.stat |= stat::SNAP;
            return None;
        };
        if !(rt::CHANGE_CIPHER_SPEC..=rt::HEARTBEAT).contains(&typ) {
            c.back1();
            sslv2(s, c);
            return None;
        }
        let Some(v) = c.u16() else {
            s.stat |= stat::SNAP;
            return None;
        };
        if v == version::SSL3 {
            s.vuln |= vuln::BEAST | vuln::POODLE;
            s.stat |= stat::WEAK_PROTO;
        } else if version::is_dtls(v) {
            c.skip(2 + 6); // epoch, sequence number
        } else if !version::is_ssl(v) {
            return None;
        }
        if s.version != 0 && s.version != v {
            s.flags |= flag::VER;
            s.stat |= stat::VERSION_MISMATCH;
        }
        let Some(len) = c.u16() else {
            s.stat |= stat::SNAP;
            return None;
        };
        Some(Record { typ, version: v, len })
    }

    /// Reads one record's content; `None` ends the packet.
    fn record<'p>(
        &mut self,
        s: &mut Tls,
        c: &mut Cursor<'p>,
        rec: &Record,
        start: usize,
        pkt: &Packet<'p>,
    ) -> Option<()> {
        match rec.typ {
            rt::APPLICATION_DATA => s.num_app += 1,
            rt::CHANGE_CIPHER_SPEC => {
                let one = snap(s, c.u8())?;
                if one != 1 {
                    s.stat |= stat::MALFORMED;
                }
                s.num_cc = s.num_cc.wrapping_add(1);
            }
            rt::ALERT => {
                s.num_alert = s.num_alert.wrapping_add(1);
                let level = snap(s, c.u8())?;
                let descr = snap(s, c.u8())?;
                if level == 1 || level == 2 {
                    if level == 2 {
                        s.stat |= stat::AL_FATAL;
                    }
                    s.alert |= alert_bit(descr);
                    if descr == 0x2d {
                        s.stat |= stat::CERT_EXPIRED;
                    }
                }
            }
            rt::HANDSHAKE => {
                s.num_hs = s.num_hs.wrapping_add(1);
                if rec.len != 0 {
                    self.handshakes(s, c, rec, start, pkt)?;
                }
            }
            _ => {
                // heartbeat
                s.num_hb += 1;
                let typ = snap(s, c.u8())?;
                let len = snap(s, c.u16())?;
                if typ != 1 && typ != 2 {
                    s.stat |= stat::MALFORMED;
                }
                if len > rec.len {
                    s.vuln |= vuln::HEART;
                    return None;
                }
                let padding = rec.len.wrapping_sub(len).wrapping_sub(3);
                if padding < 16 {
                    s.stat |= stat::MALFORMED;
                }
            }
        }
        Some(())
    }

    /// The handshake messages of a record.
    fn handshakes<'p>(
        &mut self,
        s: &mut Tls,
        c: &mut Cursor<'p>,
        rec: &Record,
        start: usize,
        pkt: &Packet<'p>,
    ) -> Option<()> {
        let rec_len = usize::from(rec.len);
        while c.left() != 0 && rec_len > c.tell() - start {
            let hs_start = c.tell();
            let typ = snap(s, c.u8())?;
            let len = snap(s, c.u24())?;
            if version::is_dtls(s.version) {
                c.skip(2 + 3 + 3); // message_seq, fragment_offset, fragment_length
            }
            match typ {
                ht::CLIENT_HELLO | ht::SERVER_HELLO => self.hello(s, c, typ, len, rec_len, start, hs_start, pkt)?,
                ht::HELLO_VERIFY_REQUEST => {
                    if let Some(v) = c.u16() {
                        s.version = v;
                    } else {
                        s.stat |= stat::SNAP;
                        return None;
                    }
                    if !version::is_valid(s.version) {
                        s.version = rec.version;
                        c.skip(len as usize);
                    } else {
                        c.skip(4); // cookie (T2 skips four bytes)
                    }
                }
                ht::CERTIFICATE => {
                    if self.cfg.ssl_analyze_cert && s.cert.is_none() {
                        crate::cert::handshake(s, c, self.cfg)?;
                    } else {
                        *c = at(pkt.l7, start + rec_len);
                    }
                }
                ht::CLIENT_KEY_EXCHANGE
                | ht::SERVER_KEY_EXCHANGE
                | ht::CERTIFICATE_REQUEST
                | ht::CERTIFICATE_VERIFY
                | ht::FINISHED => {
                    if len <= u32::from(rec.len) {
                        c.skip(len as usize);
                    }
                }
                0x00 | 0x0e => {}                      // hello request, server hello done: no payload
                _ => *c = at(pkt.l7, start + rec_len), // encrypted or not TLS
            }
            if rec_len == c.tell().wrapping_sub(start) {
                break;
            }
            *c = at(pkt.l7, hs_start + len as usize + 4);
        }
        Some(())
    }

    /// A ClientHello or ServerHello (after its type and length).
    #[allow(clippy::too_many_arguments)] // T2's bounds: record and message starts and lengths
    fn hello(
        &mut self,
        s: &mut Tls,
        c: &mut Cursor<'_>,
        typ: u8,
        len: u32,
        rec_len: usize,
        start: usize,
        hs_start: usize,
        pkt: &Packet<'_>,
    ) -> Option<()> {
        let hand_ver = snap(s, c.u16())?;
        if !version::is_valid(hand_ver) {
            c.skip(len as usize); // probably encrypted
            return Some(());
        }
        s.version = hand_ver;
        if self.cfg.ssl_hand_ver && !contains_all(&s.hand_ver, hand_ver) && !s.hand_ver.push(hand_ver, wrap::U16) {
            s.stat |= stat::HAND_VER_TRUNC;
        }
        // gmt_unix_time starts Random; T2 peeks its first 8 bytes (three times) for randomness.
        let gmt = snap(s, c.peek_be(4))?;
        s.gmt_time = gmt;
        if gmt < ONE_YEAR {
            s.flags |= flag::STIME;
        } else if gmt > u64::from((pkt.ts_sec as u32).wrapping_add(FIVE_YEARS)) {
            s.flags |= flag::RTIME;
        }
        let r = snap(s, c.peek_be(8))?;
        if r == 0 || r == u64::MAX {
            s.flags |= flag::RAND;
        }
        c.skip(32);
        s.session_len = snap(s, c.u8())?;
        c.skip(usize::from(s.session_len));
        if typ == ht::CLIENT_HELLO {
            if s.session_len != 0 {
                s.stat |= stat::RENEGOTIATION;
            }
            if version::is_dtls(s.version) {
                let cookie = snap(s, c.u8())?;
                c.skip(usize::from(cookie));
            }
        }
        let num_cipher = if typ == ht::SERVER_HELLO {
            1
        } else {
            let len = snap(s, c.u16())?;
            if len & 1 != 0 {
                s.stat |= stat::MALFORMED;
            }
            len / 2
        };
        let keep_ciphers = self.cfg.ssl_cipher_list || self.cfg.ssl_ja3;
        if keep_ciphers {
            s.ciphers.n = u32::from(num_cipher);
        }
        for i in 0..usize::from(num_cipher) {
            let cipher = snap(s, c.u16())?;
            s.stat |= match ciphers::class(cipher) {
                Some(Class::Recommended) => stat::RECOMMENDED_CIPHER | stat::SECURE_CIPHER,
                Some(Class::Secure) => stat::SECURE_CIPHER,
                Some(Class::Weak) => stat::WEAK_CIPHER,
                Some(Class::Insecure) => stat::INSECURE_CIPHER,
                None => 0,
            };
            if i == 0 {
                s.cipher = cipher;
            }
            if keep_ciphers {
                match s.ciphers.items.get_mut(i) {
                    Some(slot) => *slot = cipher,
                    None => s.stat |= stat::CIPHERL_TRUNC,
                }
            }
        }
        let comp_len = if typ == ht::SERVER_HELLO { 1 } else { snap(s, c.u8())? };
        for _ in 0..comp_len {
            if snap(s, c.u8())? == 1 {
                s.flags |= flag::COMPR;
                s.vuln |= vuln::BREACH | vuln::CRIME;
            }
        }
        let pos = c.tell();
        if rec_len > pos - start && len as usize > pos - hs_start {
            c.skip(2); // extensions length: T2 walks to the message's end instead
            while len as usize > c.tell() - hs_start {
                if self.extension(s, c, typ).is_none() {
                    crate::ja::ja4(self, s, typ, pkt.l4);
                    return None;
                }
            }
        }
        if self.cfg.ssl_ja3 {
            crate::ja::ja3(self, s, typ);
        }
        crate::ja::ja4(self, s, typ, pkt.l4);
        Some(())
    }

    /// One hello extension; `None` ends the packet.
    fn extension(&mut self, s: &mut Tls, c: &mut Cursor<'_>, typ: u8) -> Option<()> {
        let ext_type = snap(s, c.u16())?;
        let mut ext_len = snap(s, c.u16())?;
        let cfg = self.cfg;
        if (cfg.ssl_ext_list || cfg.ssl_ja3) && !s.ext.push(ext_type, wrap::U16) {
            s.stat |= stat::EXTL_TRUNC;
        }
        match ext_type {
            ext::SERVER_NAME => {
                if ext_len == 0 {
                    return Some(());
                }
                c.skip(2); // server name list length
                if snap(s, c.u8())? != 0 {
                    s.stat |= stat::MALFORMED; // only host_name (0) is valid
                    return Some(());
                }
                let n = usize::from(snap(s, c.u16())?);
                let name = c.peek_upto(n.min(255));
                s.server_name[..name.len()].copy_from_slice(name);
                c.skip(n);
            }
            ext::SIG_HASH_ALGS if cfg.ssl_sig_alg => {
                if ext_len == 0 {
                    return Some(());
                }
                c.skip(2);
                let mut left = i32::from(ext_len) - 2;
                while left >= 2 {
                    self.push_u16(s, c, List::SigAlg)?;
                    left -= 2;
                }
            }
            ext::USE_SRTP => {
                s.proto |= proto::RTP;
                c.skip(usize::from(ext_len));
            }
            ext::HEARTBEAT => {
                match snap(s, c.peek_u8())? {
                    2 => s.stat |= stat::NO_HEARTBEAT,
                    1 => {}
                    _ => s.stat |= stat::MALFORMED,
                }
                c.skip(usize::from(ext_len));
            }
            ext::ALPN | ext::ALPS | ext::NPN => {
                if ext_type != ext::NPN {
                    ext_len = snap(s, c.u16())?;
                }
                self.protocols(s, c, ext_len, ext_type)?;
            }
            ext::SUPPORTED_VERSIONS if cfg.ssl_supp_ver => {
                if ext_len == 0 {
                    return Some(());
                }
                if typ == ht::SERVER_HELLO {
                    let v = snap(s, c.u16())?;
                    if let Some(first) = s.supp_ver.items.first_mut() {
                        *first = v;
                    }
                    s.supp_ver.n = (s.supp_ver.n + 1) % wrap::U16;
                } else {
                    c.skip(1);
                    let mut left = i32::from(ext_len) - 1;
                    while left > 0 {
                        self.push_u16(s, c, List::SuppVer)?;
                        left -= 2;
                    }
                }
            }
            ext::RENEG_INFO => {
                s.stat |= stat::RENEGOTIATION;
                c.skip(usize::from(ext_len));
            }
            ext::SUPPORTED_GROUPS if cfg.ssl_ec || cfg.ssl_ja3 => {
                if ext_len == 0 {
                    return Some(());
                }
                c.skip(2);
                let mut left = i32::from(ext_len) - 2;
                while left > 0 {
                    self.push_u16(s, c, List::Ec)?;
                    left -= 2;
                }
            }
            ext::EC_POINT_FORMATS if cfg.ssl_ec_formats || cfg.ssl_ja3 => {
                if ext_len == 0 {
                    return Some(());
                }
                c.skip(1);
                let mut left = i32::from(ext_len) - 1;
                while left > 0 {
                    if (s.ec_formats.n as usize) < s.ec_formats.items.len() {
                        let v = snap(s, c.u8())?;
                        s.ec_formats.push(v, wrap::U8);
                    } else {
                        c.skip(1);
                        s.stat |= stat::EC_TRUNC;
                        s.ec_formats.push(0, wrap::U8);
                    }
                    left -= 1;
                }
            }
            _ => {
                c.skip(usize::from(ext_len));
            }
        }
        Some(())
    }

    /// Reads one 16-bit entry of a list that T2 counts past its capacity.
    fn push_u16(&mut self, s: &mut Tls, c: &mut Cursor<'_>, which: List) -> Option<()> {
        let (list, trunc, wrap) = match which {
            List::SigAlg => (&mut s.sig_alg, stat::SIG_ALG_TRUNC, wrap::U16),
            List::SuppVer => (&mut s.supp_ver, stat::SUPP_VER_TRUNC, wrap::U16),
            List::Ec => (&mut s.ec, stat::EC_TRUNC, wrap::U8),
        };
        if (list.n as usize) < list.items.len() {
            let Some(v) = c.u16() else {
                s.stat |= stat::SNAP;
                return None;
            };
            list.push(v, wrap);
        } else {
            c.skip(2);
            list.push(0, wrap);
            s.stat |= trunc;
        }
        Some(())
    }

    /// The protocol names of an ALPN, ALPS or NPN extension (`len` bytes).
    fn protocols(&mut self, s: &mut Tls, c: &mut Cursor<'_>, mut len: u16, ext_type: u16) -> Option<()> {
        while len != 0 {
            let plen = match c.u8() {
                Some(n) if i64::from(n) <= c.left() => n,
                _ => {
                    s.stat |= stat::SNAP;
                    return None;
                }
            };
            if plen == 0 {
                break;
            }
            let name = c.peek_upto(usize::from(plen));
            match alpn::classify(name) {
                Some(bit) => s.proto |= bit,
                None => {
                    s.proto |= proto::GREASE;
                    break;
                }
            }
            let (on, list) = match ext_type {
                ext::ALPN => (self.cfg.ssl_alpn_list, &mut s.alpn),
                ext::ALPS => (self.cfg.ssl_alps_list, &mut s.alps),
                _ => (self.cfg.ssl_npn_list, &mut s.npn),
            };
            if on {
                // T2 indexes with the low byte of its counter.
                match list.names.get_mut(usize::from(list.n as u8)) {
                    None => s.stat |= stat::PROTOL_TRUNC,
                    Some(slot) => {
                        let keep = name.len().min(usize::from(self.cfg.ssl_proto_len));
                        if keep < name.len() {
                            s.stat |= stat::PROTON_TRUNC;
                        }
                        slot.clear();
                        slot.extend_from_slice(&name[..keep]);
                    }
                }
                list.n = list.n.wrapping_add(1);
            }
            c.skip(usize::from(plen));
            len = len.wrapping_sub(u16::from(plen) + 1);
        }
        Some(())
    }
}

/// Lists read by [`Decoder::push_u16`].
enum List {
    SigAlg,
    SuppVer,
    Ec,
}

/// Whether `v` is among the stored entries of `l` (T2 searches its first `n` entries).
fn contains_all(l: &crate::state::List<u16>, v: u16) -> bool {
    l.shown().contains(&v)
}

/// `v`, or `None` with `SSL_STAT_SNAP` set.
fn snap<T>(s: &mut Tls, v: Option<T>) -> Option<T> {
    if v.is_none() {
        s.stat |= stat::SNAP;
    }
    v
}

/// A cursor over `buf` at `pos`.
fn at(buf: &[u8], pos: usize) -> Cursor<'_> {
    let mut c = Cursor::new(buf);
    c.skip(pos);
    c
}

/// A message in SSLv2 format (T2 only reads its version; `c` at its first byte).
fn sslv2(s: &mut Tls, c: &mut Cursor<'_>) {
    if c.left() < 5 {
        return;
    }
    let (Some(len), Some(typ), Some(major), Some(minor)) = (c.u16(), c.u8(), c.u8(), c.u8()) else {
        s.stat |= stat::SNAP;
        return;
    };
    if typ > 8 {
        return; // not an SSLv2 message type
    }
    let len = if len & 0x8000 != 0 { i64::from(len & 0x7fff) + 2 } else { i64::from(len & 0x3fff) + 3 };
    if len - 5 > c.left() {
        return; // cut, or not SSL
    }
    let v = u16::from(major) << 8 | u16::from(minor);
    if s.version != version::SSL2 && (v == version::SSL2 || !version::is_ssl(v)) {
        return;
    }
    s.version = v;
    if v == version::SSL2 {
        s.stat |= stat::WEAK_PROTO;
        s.flags |= flag::V2;
    }
}

/// The `sslAlert` bit of alert description `d` (the top bit marks fatal ones).
pub fn alert_bit(d: u8) -> u64 {
    const FATAL: u64 = 1 << 63;
    match d {
        0x00 => 1 << 0,
        0x0a => FATAL | 1 << 1,
        0x14 => FATAL | 1 << 2,
        0x15 => 1 << 3,
        0x16 => 1 << 4,
        0x1e => FATAL | 1 << 5,
        0x28 => FATAL | 1 << 6,
        0x29 => 1 << 7,
        0x2a => 1 << 8,
        0x2b => 1 << 9,
        0x2c => 1 << 10,
        0x2d => 1 << 11,
        0x2e => 1 << 12,
        0x2f => FATAL | 1 << 13,
        0x30 => FATAL | 1 << 14,
        0x31 => FATAL | 1 << 15,
        0x32 => FATAL | 1 << 16,
        0x33 => 1 << 17,
        0x3c => FATAL | 1 << 18,
        0x46 => FATAL | 1 << 19,
        0x47 => FATAL | 1 << 20,
        0x50 => FATAL | 1 << 21,
        0x5a => 1 << 22,
        0x64 => 1 << 23,
        0x6e => 1 << 24,
        0x56 => FATAL | 1 << 25,
        0x6f => 1 << 26,
        0x70 => 1 << 27,
        0x71 => 1 << 28,
        0x72 => 1 << 29,
        0x73 => FATAL | 1 << 30,
        0x78 => FATAL | 1 << 31,
        0x6d => FATAL | 1 << 32,
        0x74 => FATAL | 1 << 33,
        _ => 0,
    }
}
