//! Text of one primitive value (txt-format.md §4-§5): the bin2txt rules.

use core::fmt;

use plugin_api::Prim;

use crate::config::Config;
use crate::float;
use crate::timestr::TimeStr;

/// Why a record could not be rendered; the message is T2's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenderError {
    /// A read needed `required` bytes of record (position + size of the read).
    Overflow {
        /// Bytes the record would have needed.
        required: usize,
    },
    /// An `IPX` value with a version other than 0, 4 or 6.
    IpVersion(u8),
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RenderError::Overflow { required } => {
                write!(f, "bin2txt: Buffer overflow: {required} increase MAIN_OUTBUF_SIZE in tranalyzer.h")
            }
            RenderError::IpVersion(v) => write!(f, "Invalid IP version {v}"),
        }
    }
}

impl std::error::Error for RenderError {}

/// Sequential, bounds-checked reads from one record.
#[derive(Debug)]
pub struct Reader<'a> {
    rec: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// Starts at the first byte of `rec`.
    pub fn new(rec: &'a [u8]) -> Reader<'a> {
        Reader { rec, pos: 0 }
    }

    /// Reads `N` bytes; fails like T2's buffer reader, naming position + `N`.
    #[inline]
    pub fn take<const N: usize>(&mut self) -> Result<[u8; N], RenderError> {
        match self.rec.get(self.pos..self.pos + N) {
            Some(b) => {
                self.pos += N;
                // The slice has exactly N bytes.
                Ok(b.try_into().unwrap_or([0; N]))
            }
            None => Err(RenderError::Overflow { required: self.pos + N }),
        }
    }

    /// Reads one byte.
    #[inline]
    pub fn u8(&mut self) -> Result<u8, RenderError> {
        Ok(self.take::<1>()?[0])
    }

    /// Reads a host-order u32 (repetition counts).
    #[inline]
    pub fn u32(&mut self) -> Result<u32, RenderError> {
        Ok(u32::from_ne_bytes(self.take()?))
    }

    /// The unread bytes.
    fn rest(&self) -> &'a [u8] {
        &self.rec[self.pos..]
    }
}

/// Renders primitive values with one configuration.
#[derive(Debug)]
pub struct Renderer {
    cfg: Config,
    /// `0123456789abcdef` or upper case (`HEX_CAPITAL`).
    hex: &'static [u8; 16],
    /// Timestamp fraction width: 9 (ns) or 6 (µs).
    frac_width: usize,
    timestr: Option<TimeStr>,
}

const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";
const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

impl Renderer {
    /// A renderer for `cfg`.
    pub fn new(cfg: Config) -> Renderer {
        let hex = if cfg.hex_capital { HEX_UPPER } else { HEX_LOWER };
        let frac_width = if cfg.tstamp_ns { 9 } else { 6 };
        let timestr = cfg.timestr.then(|| TimeStr::new(cfg.tstamp_utc));
        Renderer { cfg, hex, frac_width, timestr }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// Reads one value of type `p` and appends its text.
    #[inline]
    pub fn prim(&self, out: &mut Vec<u8>, r: &mut Reader<'_>, p: Prim) -> Result<(), RenderError> {
        match p {
            Prim::I8 => int(out, i8::from_ne_bytes(r.take()?)),
            Prim::I16 => int(out, i16::from_ne_bytes(r.take()?)),
            Prim::I32 => int(out, i32::from_ne_bytes(r.take()?)),
            Prim::I64 => int(out, i64::from_ne_bytes(r.take()?)),
            Prim::U8 => int(out, r.u8()?),
            Prim::U16 => int(out, u16::from_ne_bytes(r.take()?)),
            Prim::U32 => int(out, r.u32()?),
            Prim::U64 => int(out, u64::from_ne_bytes(r.take()?)),
            Prim::H8 => self.hex0x(out, u64::from(r.u8()?), 2),
            Prim::H16 => self.hex0x(out, u64::from(u16::from_ne_bytes(r.take()?)), 4),
            Prim::H32 => self.hex0x(out, u64::from(r.u32()?), 8),
            Prim::H64 => self.hex0x(out, u64::from_ne_bytes(r.take()?), 16),
            Prim::F32 => float::g7(out, f64::from(f32::from_ne_bytes(r.take()?))),
            Prim::F64 => float::f6(out, f64::from_ne_bytes(r.take()?)),
            // `%c`: the raw byte, NUL included.
            Prim::Char => out.push(r.u8()?),
            Prim::Dir => out.push(if r.u8()? == 0 { b'A' } else { b'B' }),
            Prim::Str => {
                out.push(b'"');
                if self.cfg.san_utf8 {
                    sanitize_utf8(out, r)?;
                } else {
                    escape_c(out, r)?;
                }
                out.push(b'"');
            }
            Prim::StrClass => {
                if self.cfg.san_utf8 {
                    sanitize_utf8(out, r)?;
                } else {
                    raw_str(out, r)?;
                }
            }
            Prim::Time | Prim::Duration => {
                // Two reads, as T2 does: the overflow message names the failing one.
                let sec = u64::from_ne_bytes(r.take()?);
                let frac = r.u32()?;
                match &self.timestr {
                    Some(ts) if p == Prim::Time => ts.write(out, sec, frac, self.frac_width),
                    _ => {
                        int(out, sec);
                        out.push(b'.');
                        zero_padded(out, u64::from(frac), self.frac_width);
                    }
                }
            }
            Prim::Mac => self.mac(out, r.take()?),
            Prim::Ip4 => self.ip4(out, r.take()?),
            Prim::Ip6 => self.ip6(out, r.take()?),
            Prim::IpX => match r.u8()? {
                4 => self.ip4(out, r.take()?),
                6 => self.ip6(out, r.take()?),
                0 => put(out, self.cfg.non_ip_str.as_bytes()),
                v => return Err(RenderError::IpVersion(v)),
            },
        }
        Ok(())
    }

    /// `digits` hex digits of `v`, zero-padded, no prefix.
    #[inline]
    fn hex(&self, out: &mut Vec<u8>, v: u64, digits: usize) {
        for i in (0..digits).rev() {
            out.push(self.hex[((v >> (4 * i)) & 0xf) as usize]);
        }
    }

    #[inline]
    fn hex0x(&self, out: &mut Vec<u8>, v: u64, digits: usize) {
        out.extend_from_slice(b"0x");
        self.hex(out, v, digits);
    }

    fn mac(&self, out: &mut Vec<u8>, m: [u8; 6]) {
        let v = m.iter().fold(0u64, |v, &b| (v << 8) | u64::from(b));
        match self.cfg.mac_format {
            1 => self.hex0x(out, v, 16),
            2 => int(out, v),
            _ => {
                for (i, &b) in m.iter().enumerate() {
                    if i > 0 {
                        put(out, self.cfg.mac_sep.as_bytes());
                    }
                    self.hex(out, u64::from(b), 2);
                }
            }
        }
    }

    fn ip4(&self, out: &mut Vec<u8>, a: [u8; 4]) {
        match self.cfg.ip4_format {
            1 => {
                for (i, &b) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(b'.');
                    }
                    zero_padded(out, u64::from(b), 3);
                }
            }
            2 => self.hex0x(out, u64::from(u32::from_be_bytes(a)), 8),
            3 => int(out, u32::from_be_bytes(a)),
            _ => ip4_dotted(out, a),
        }
    }

    fn ip6(&self, out: &mut Vec<u8>, a: [u8; 16]) {
        let v = u128::from_be_bytes(a);
        match self.cfg.ip6_format {
            1 => {
                for i in 0..8 {
                    if i > 0 {
                        out.push(b':');
                    }
                    self.hex(out, u64::from(u16::from_be_bytes([a[2 * i], a[2 * i + 1]])), 4);
                }
            }
            2 => {
                self.hex0x(out, (v >> 64) as u64, 16);
                self.hex(out, v as u64, 16);
            }
            3 => {
                self.hex0x(out, (v >> 64) as u64, 16);
                out.push(b'_');
                self.hex0x(out, v as u64, 16);
            }
            _ => inet_ntop6(out, a),
        }
    }
}

/// Decimal text of an integer.
#[inline]
fn int<I: itoa::Integer>(out: &mut Vec<u8>, v: I) {
    put(out, itoa::Buffer::new().format(v).as_bytes());
}

/// Appends a short slice byte by byte: cheaper than a `memcpy` call for a few bytes.
#[inline(always)]
pub(crate) fn put(out: &mut Vec<u8>, s: &[u8]) {
    out.reserve(s.len());
    for &b in s {
        out.push(b);
    }
}

/// `%0<width>u`: at least `width` digits (more when the value needs them).
#[inline]
fn zero_padded(out: &mut Vec<u8>, v: u64, width: usize) {
    let mut buf = itoa::Buffer::new();
    let s = buf.format(v);
    for _ in s.len()..width {
        out.push(b'0');
    }
    put(out, s.as_bytes());
}

fn ip4_dotted(out: &mut Vec<u8>, a: [u8; 4]) {
    for (i, &b) in a.iter().enumerate() {
        if i > 0 {
            out.push(b'.');
        }
        int(out, b);
    }
}

/// glibc's `inet_ntop(AF_INET6)`: longest run (first if tied) of ≥ 2 zero groups becomes `::`,
/// `::ffff:a.b.c.d` and `::a.b.c.d` for mapped and compatible IPv4 addresses.
pub fn inet_ntop6(out: &mut Vec<u8>, a: [u8; 16]) {
    let words: [u16; 8] = core::array::from_fn(|i| u16::from_be_bytes([a[2 * i], a[2 * i + 1]]));
    let (mut best, mut best_len) = (usize::MAX, 0);
    let mut i = 0;
    while i < 8 {
        if words[i] == 0 {
            let start = i;
            while i < 8 && words[i] == 0 {
                i += 1;
            }
            if i - start > best_len {
                (best, best_len) = (start, i - start);
            }
        } else {
            i += 1;
        }
    }
    if best_len < 2 {
        best = usize::MAX;
    }
    let mut i = 0;
    while i < 8 {
        if i == best {
            // One ':' here and one for the group after the run (or a closing one at the end).
            out.push(b':');
            i += best_len;
            if i == 8 {
                out.push(b':');
            }
            continue;
        }
        if i > 0 {
            out.push(b':');
        }
        if i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && words[5] == 0xffff)) {
            ip4_dotted(out, [a[12], a[13], a[14], a[15]]);
            return;
        }
        let w = words[i];
        let digits = if w >= 0x1000 {
            4
        } else if w >= 0x100 {
            3
        } else if w >= 0x10 {
            2
        } else {
            1
        };
        for d in (0..digits).rev() {
            out.push(HEX_LOWER[usize::from((w >> (4 * d)) & 0xf)]);
        }
        i += 1;
    }
}

/// Bytes that stand for themselves in `S`/`SC` text (printable ASCII except `"` and `\`).
#[inline]
fn is_plain(b: u8) -> bool {
    (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\'
}

/// The escape of an ASCII byte that is not plain, if it has a short one.
#[inline]
fn short_escape(b: u8) -> Option<&'static [u8]> {
    Some(match b {
        0x08 => b"\\b",
        0x0c => b"\\f",
        b'\n' => b"\\n",
        b'\r' => b"\\r",
        b'\t' => b"\\t",
        0x0b => b"\\v",
        b'\\' => b"\\\\",
        b'"' => b"\\\"",
        _ => return None,
    })
}

/// Copies the run of plain bytes at the reader's position (the fast path of both escapers).
#[inline]
fn copy_plain(out: &mut Vec<u8>, r: &mut Reader<'_>) {
    let rest = r.rest();
    let n = rest.iter().position(|&b| !is_plain(b)).unwrap_or(rest.len());
    if n > 16 {
        out.extend_from_slice(&rest[..n]);
    } else {
        put(out, &rest[..n]);
    }
    r.pos += n;
}

/// How reading a multi-byte sequence ended.
enum Seq {
    /// All continuation bytes read.
    Complete,
    /// Invalid by its second byte.
    Rejected,
    /// A byte that is no continuation byte: it starts the next character.
    Restart(u8),
}

/// `TFS_SAN_UTF8`=1: escapes ASCII controls, copies valid UTF-8, and writes `.` for every
/// rejected unit (txt-format.md §5).
fn sanitize_utf8(out: &mut Vec<u8>, r: &mut Reader<'_>) -> Result<(), RenderError> {
    loop {
        copy_plain(out, r);
        let mut c = r.u8()?;
        // A rejected continuation byte is decoded afresh: loop with it as the new lead byte.
        loop {
            if c == 0 {
                return Ok(());
            }
            if c < 0x80 {
                match short_escape(c) {
                    Some(e) => put(out, e),
                    None if c <= 0x1f || c == 0x7f => {
                        out.extend_from_slice(b"\\u00");
                        out.push(HEX_UPPER[usize::from(c >> 4)]);
                        out.push(HEX_UPPER[usize::from(c & 0xf)]);
                    }
                    None => out.push(c),
                }
                break;
            }
            // 0x80-0xc1: continuation or overlong 2-byte lead; ≥ 0xf5: beyond U+10FFFF.
            if !(0xc2..0xf5).contains(&c) {
                out.push(b'.');
                break;
            }
            let len = if c < 0xe0 {
                2
            } else if c < 0xf0 {
                3
            } else {
                4
            };
            let mut seq = [c, 0, 0, 0];
            let mut k = 1;
            let outcome = loop {
                if k == len {
                    break Seq::Complete;
                }
                let b = r.u8()?;
                if b == 0 {
                    // The string ends inside the sequence.
                    out.push(b'.');
                    return Ok(());
                }
                if b & 0xc0 != 0x80 {
                    break Seq::Restart(b);
                }
                // The second byte already tells overlong 3/4-byte forms and code points past
                // U+10FFFF; the bytes read so far are dropped.
                if k == 1 && ((c == 0xe0 && b < 0xa0) || (c == 0xf0 && b < 0x90) || (c == 0xf4 && b >= 0x90)) {
                    break Seq::Rejected;
                }
                seq[k] = b;
                k += 1;
            };
            match outcome {
                Seq::Restart(b) => {
                    out.push(b'.');
                    c = b;
                    continue;
                }
                Seq::Rejected => {
                    out.push(b'.');
                    break;
                }
                Seq::Complete => {}
            }
            if len == 3 {
                let cp = (u32::from(c & 0x0f) << 12) | (u32::from(seq[1] & 0x3f) << 6) | u32::from(seq[2] & 0x3f);
                if (0xd800..=0xdfff).contains(&cp) {
                    out.push(b'.');
                    break;
                }
            }
            put(out, &seq[..len]);
            break;
        }
    }
}

/// `TFS_SAN_UTF8`=0, `S`: only the eight C escapes, every other byte raw.
fn escape_c(out: &mut Vec<u8>, r: &mut Reader<'_>) -> Result<(), RenderError> {
    loop {
        copy_plain(out, r);
        let c = r.u8()?;
        if c == 0 {
            return Ok(());
        }
        match short_escape(c) {
            Some(e) => put(out, e),
            None => out.push(c),
        }
    }
}

/// `TFS_SAN_UTF8`=0, `SC`: the bytes up to the NUL, raw.
fn raw_str(out: &mut Vec<u8>, r: &mut Reader<'_>) -> Result<(), RenderError> {
    let rest = r.rest();
    match rest.iter().position(|&b| b == 0) {
        Some(n) => {
            out.extend_from_slice(&rest[..n]);
            r.pos += n + 1;
            Ok(())
        }
        None => {
            // T2 reads byte by byte and fails on the first byte past the record.
            out.extend_from_slice(rest);
            r.pos = r.rec.len();
            Err(RenderError::Overflow { required: r.pos + 1 })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{Rec, one, render_bytes, render_cfg};

    fn d(sig: &str, rec: Rec) -> String {
        one(&Config::default(), sig, rec)
    }

    fn with(f: impl FnOnce(&mut Config)) -> Config {
        let mut c = Config::default();
        f(&mut c);
        c
    }

    fn s(bytes: &[u8]) -> String {
        d("S", Rec::new().str(bytes))
    }

    #[test]
    fn integers_in_decimal() {
        assert_eq!(d("I8", Rec::new().u8(0xfd)), "-3");
        assert_eq!(d("I16", Rec::new().u16(0x8000)), "-32768");
        assert_eq!(d("I32", Rec::new().u32(u32::MAX)), "-1");
        assert_eq!(d("I64", Rec::new().u64(i64::MIN as u64)), "-9223372036854775808");
        assert_eq!(d("U8", Rec::new().u8(255)), "255");
        assert_eq!(d("U16", Rec::new().u16(51234)), "51234");
        assert_eq!(d("U32", Rec::new().u32(4_263_588_410)), "4263588410");
        assert_eq!(d("U64", Rec::new().u64(u64::MAX)), "18446744073709551615");
    }

    #[test]
    fn hex_is_zero_padded_lower_case() {
        assert_eq!(d("H8", Rec::new().u8(5)), "0x05");
        assert_eq!(d("H16", Rec::new().u16(0x0800)), "0x0800");
        assert_eq!(d("H32", Rec::new().u32(0x1248_8421)), "0x12488421");
        assert_eq!(d("H64", Rec::new().u64(0x0400_0000_0000_4000)), "0x0400000000004000");
        assert_eq!(d("H64", Rec::new().u64(0xabcd_ef00_0000_0000)), "0xabcdef0000000000");
    }

    #[test]
    fn hex_capital_flag() {
        let c = with(|c| c.hex_capital = true);
        assert_eq!(one(&c, "H8", Rec::new().u8(0xab)), "0xAB");
        assert_eq!(one(&c, "H64", Rec::new().u64(0xdead_beef)), "0x00000000DEADBEEF");
        assert_eq!(one(&c, "MAC", Rec::new().bytes(&[0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff])), "AA:BB:CC:DD:EE:FF");
        // inet_ntop text stays lower case.
        let ip6 = Rec::new().bytes(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xab, 0xcd]);
        assert_eq!(one(&c, "IP6", ip6.clone()), "2001:db8::abcd");
        let c1 = with(|c| {
            c.hex_capital = true;
            c.ip6_format = 1;
        });
        assert_eq!(one(&c1, "IP6", ip6), "2001:0DB8:0000:0000:0000:0000:0000:ABCD");
        let c2 = with(|c| {
            c.hex_capital = true;
            c.ip4_format = 2;
        });
        assert_eq!(one(&c2, "IP4", Rec::new().bytes(&[192, 168, 1, 10])), "0xC0A8010A");
    }

    #[test]
    fn floats_and_doubles() {
        assert_eq!(d("F", Rec::new().f32(0.1)), "0.1");
        assert_eq!(d("F", Rec::new().f32(2.0)), "2");
        assert_eq!(d("F", Rec::new().f32(1_234_567.8)), "1234568");
        assert_eq!(d("F", Rec::new().f32(f32::NAN)), "nan");
        assert_eq!(d("F", Rec::new().f32(-f32::NAN)), "-nan");
        assert_eq!(d("F", Rec::new().f32(f32::INFINITY)), "inf");
        assert_eq!(d("D", Rec::new().f64(0.1)), "0.100000");
        assert_eq!(d("D", Rec::new().f64(2.0)), "2.000000");
        assert_eq!(d("D", Rec::new().f64(f64::NEG_INFINITY)), "-inf");
    }

    #[test]
    fn chars_and_directions() {
        assert_eq!(d("C", Rec::new().u8(b'x')), "x");
        assert_eq!(d("C", Rec::new().u8(0)), "\0");
        assert_eq!(d("C", Rec::new().u8(b'\n')), "\n");
        assert_eq!(d("DIR", Rec::new().u8(0)), "A");
        assert_eq!(d("DIR", Rec::new().u8(1)), "B");
        assert_eq!(d("DIR", Rec::new().u8(7)), "B");
    }

    #[test]
    fn strings_spec_examples() {
        assert_eq!(s(b"GET / HTTP/1.1\r\n"), r#""GET / HTTP/1.1\r\n""#);
        assert_eq!(s(b"say \"hi\"\t\x1b"), r#""say \"hi\"\t\u001B""#);
        assert_eq!(s(b"A\xffB"), r#""A.B""#);
        assert_eq!(s(b""), r#""""#);
        assert_eq!(d("SC", Rec::new().str(b"eth:ipv4:udp")), "eth:ipv4:udp");
        assert_eq!(d("SC", Rec::new().str(b"")), "");
        assert_eq!(d("SC", Rec::new().str(b"a\"b\\c\td")), r#"a\"b\\c\td"#);
    }

    #[test]
    fn every_control_character_is_escaped() {
        let all: Vec<u8> = (1..0x20).chain([0x7f]).collect();
        assert_eq!(
            s(&all),
            "\"\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\v\\f\\r\\u000E\\u000F\\u0010\\u0011\
             \\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001A\\u001B\\u001C\\u001D\\u001E\\u001F\
             \\u007F\""
        );
        let printable: Vec<u8> = (0x20..0x7f).collect();
        assert_eq!(
            s(&printable),
            "\" !\\\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\\\]^_`abcdefghijklmnopqrstuvwxyz{|}~\""
        );
    }

    #[test]
    fn valid_utf8_is_copied() {
        assert_eq!(s("é€😀ÿ".as_bytes()), "\"é€😀ÿ\"");
        assert_eq!(s(b"\xc2\x80\xdf\xbf"), "\"\u{80}\u{7ff}\"");
        assert_eq!(s(b"\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbf"), "\"\u{800}\u{d7ff}\u{e000}\u{ffff}\"");
        assert_eq!(s(b"\xf0\x90\x80\x80\xf4\x8f\xbf\xbf"), "\"\u{10000}\u{10ffff}\"");
    }

    #[test]
    fn invalid_utf8_becomes_dots() {
        // Stray continuation bytes and overlong 2-byte leads.
        assert_eq!(s(b"\x80\xbf\xc0\xc1z"), "\"....z\"");
        // Lead bytes beyond U+10FFFF.
        assert_eq!(s(b"\xf5\xf8\xfe\xff"), "\"....\"");
        // A missing continuation: the lead becomes '.', the next byte is decoded afresh.
        assert_eq!(s(b"\xc3A"), "\".A\"");
        assert_eq!(s(b"\xe2\x82A"), "\".A\"");
        assert_eq!(s(b"\xf0\x9f\x98A"), "\".A\"");
        assert_eq!(s(b"\xc3\xc3\xa9"), "\".é\"");
        assert_eq!(s(b"\xe2\x82\n"), "\".\\n\"");
        // The string ends inside a sequence: one '.' and the value ends.
        assert_eq!(s(b"a\xc3"), "\"a.\"");
        assert_eq!(s(b"a\xe2\x82"), "\"a.\"");
        assert_eq!(s(b"a\xf0\x9f\x98"), "\"a.\"");
        // Overlong 3/4-byte forms and > U+10FFFF: '.' and the two bytes are dropped.
        assert_eq!(s(b"\xe0\x80\x80z"), "\"..z\"");
        assert_eq!(s(b"\xe0\x9f"), "\".\"");
        assert_eq!(s(b"\xf0\x8f\xbf\xbfz"), "\"...z\"");
        assert_eq!(s(b"\xf4\x90\x80\x80z"), "\"...z\"");
        // Surrogates: all three bytes dropped for one '.'.
        assert_eq!(s(b"\xed\xa0\x80z"), "\".z\"");
        assert_eq!(s(b"\xed\xbf\xbfz"), "\".z\"");
        // Invalid third/fourth bytes restart decoding at that byte.
        assert_eq!(s(b"\xe2\x82\xe2\x82\xac"), "\".€\"");
        assert_eq!(s(b"\xf0\x9f\x98\xf0\x9f\x98\x80"), "\".😀\"");
    }

    #[test]
    fn san_utf8_flag_off() {
        let c = with(|c| c.san_utf8 = false);
        let v = b"a\"b\\c\x08\x0c\n\r\t\x0b\x01\x7f\xff\xc3\xa9";
        assert_eq!(
            render_bytes(c.clone(), &["S"], &Rec::new().str(v).0),
            b"\"a\\\"b\\\\c\\b\\f\\n\\r\\t\\v\x01\x7f\xff\xc3\xa9\"\n".to_vec()
        );
        assert_eq!(render_bytes(c, &["SC"], &Rec::new().str(v).0), [v.as_slice(), b"\n"].concat());
    }

    #[test]
    fn timestamps_and_durations() {
        assert_eq!(d("TS", Rec::new().time(1_291_753_225, 446_732_000)), "1291753225.446732000");
        assert_eq!(d("DUR", Rec::new().time(0, 5000)), "0.000005000");
        assert_eq!(d("DUR", Rec::new().time(12, 0)), "12.000000000");
        // Unnormalised fractions print as stored (§4.2).
        assert_eq!(d("TS", Rec::new().time(1_418_145_370, 1_000_000_000)), "1418145370.1000000000");
        assert_eq!(d("TS", Rec::new().time(1_361_895_002, 3_727_914_905)), "1361895002.3727914905");
        assert_eq!(d("TS", Rec::new().time(u64::MAX, u32::MAX)), "18446744073709551615.4294967295");
    }

    #[test]
    fn tstamp_prec_microseconds() {
        let c = with(|c| c.tstamp_ns = false);
        assert_eq!(one(&c, "TS", Rec::new().time(1_291_753_225, 446_732)), "1291753225.446732");
        assert_eq!(one(&c, "DUR", Rec::new().time(0, 5)), "0.000005");
        assert_eq!(one(&c, "DUR", Rec::new().time(0, 1_000_000)), "0.1000000");
    }

    #[test]
    fn b2t_timestr_flag() {
        let c = with(|c| c.timestr = true);
        assert_eq!(one(&c, "TS", Rec::new().time(1_291_753_225, 446_732_000)), "2010-12-07T20:20:25.446732000+0000");
        // Durations keep the seconds form.
        assert_eq!(one(&c, "DUR", Rec::new().time(1_291_753_225, 446_732_000)), "1291753225.446732000");
        let c = with(|c| {
            c.timestr = true;
            c.tstamp_ns = false;
        });
        assert_eq!(one(&c, "TS", Rec::new().time(0, 7)), "1970-01-01T00:00:00.000007+0000");
    }

    #[test]
    fn mac_formats() {
        let m = || Rec::new().bytes(&[0x00, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e]);
        assert_eq!(d("MAC", m()), "00:1a:2b:3c:4d:5e");
        assert_eq!(one(&with(|c| c.mac_sep = "-".into()), "MAC", m()), "00-1a-2b-3c-4d-5e");
        assert_eq!(one(&with(|c| c.mac_format = 1), "MAC", m()), "0x0000001a2b3c4d5e");
        assert_eq!(one(&with(|c| c.mac_format = 2), "MAC", m()), "112394521950");
    }

    #[test]
    fn ip4_formats() {
        let a = || Rec::new().bytes(&[192, 168, 1, 10]);
        assert_eq!(d("IP4", a()), "192.168.1.10");
        assert_eq!(d("IP4", Rec::new().bytes(&[0, 0, 0, 0])), "0.0.0.0");
        assert_eq!(one(&with(|c| c.ip4_format = 1), "IP4", a()), "192.168.001.010");
        assert_eq!(one(&with(|c| c.ip4_format = 2), "IP4", a()), "0xc0a8010a");
        assert_eq!(one(&with(|c| c.ip4_format = 3), "IP4", a()), "3232235786");
    }

    fn ip6(groups: [u16; 8]) -> Rec {
        let mut r = Rec::new();
        for g in groups {
            r = r.bytes(&g.to_be_bytes());
        }
        r
    }

    #[test]
    fn ip6_formats() {
        let a = || ip6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]);
        assert_eq!(d("IP6", a()), "2001:db8::1");
        assert_eq!(one(&with(|c| c.ip6_format = 1), "IP6", a()), "2001:0db8:0000:0000:0000:0000:0000:0001");
        assert_eq!(one(&with(|c| c.ip6_format = 2), "IP6", a()), "0x20010db8000000000000000000000001");
        assert_eq!(one(&with(|c| c.ip6_format = 3), "IP6", a()), "0x20010db800000000_0x0000000000000001");
    }

    #[test]
    fn ip6_compression_like_inet_ntop() {
        let cases: &[([u16; 8], &str)] = &[
            ([0; 8], "::"),
            ([0, 0, 0, 0, 0, 0, 0, 1], "::1"),
            ([0, 0, 0, 0, 0, 0, 0, 2], "::2"),
            ([0, 0, 0, 0, 0, 1, 2, 3], "::1:2:3"),
            ([0x2001, 0xdb8, 0, 1, 0, 0, 0, 1], "2001:db8:0:1::1"),
            ([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1], "2001:db8::1:0:0:1"),
            ([1, 0, 0, 0, 0, 0, 0, 0], "1::"),
            ([1, 0, 1, 0, 1, 0, 1, 0], "1:0:1:0:1:0:1:0"),
            ([1, 2, 3, 4, 5, 6, 7, 8], "1:2:3:4:5:6:7:8"),
            ([0xfe80, 0, 0, 0, 0x20c, 0x29ff, 0xfe7b, 0x6e40], "fe80::20c:29ff:fe7b:6e40"),
            ([0xff02, 0, 0, 0, 0, 0, 0, 0x16], "ff02::16"),
            ([0, 0, 0, 0, 0, 0xffff, 0xc0a8, 0x010a], "::ffff:192.168.1.10"),
            ([0, 0, 0, 0, 0, 0, 0xc0a8, 0x010a], "::192.168.1.10"),
            ([0, 0, 0, 0, 0, 0, 0x0100, 0], "::1.0.0.0"),
            ([0, 0, 0, 0, 0, 0xfffe, 0xc0a8, 0x010a], "::fffe:c0a8:10a"),
            ([0, 0, 0, 0, 0xffff, 0, 0xc0a8, 0x010a], "::ffff:0:c0a8:10a"),
            ([1, 0, 0, 0, 0, 0xffff, 0xc0a8, 0x010a], "1::ffff:c0a8:10a"),
            ([0, 1, 0, 0, 0, 0, 0, 0], "0:1::"),
            ([0, 0, 1, 0, 0, 0, 1, 0], "0:0:1::1:0"),
            ([0xabcd, 0xef, 0x1000, 0x100, 0x10, 1, 0, 0xffff], "abcd:ef:1000:100:10:1:0:ffff"),
        ];
        for (groups, text) in cases {
            assert_eq!(d("IP6", ip6(*groups)), *text, "{groups:x?}");
        }
    }

    #[test]
    fn ipx_by_version() {
        assert_eq!(d("IPX", Rec::new().ipx4([10, 0, 0, 1])), "10.0.0.1");
        assert_eq!(d("IPX", Rec::new().u8(6).bytes(&ip6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]).0)), "2001:db8::1");
        assert_eq!(d("IPX", Rec::new().u8(0)), "-");
        assert_eq!(one(&with(|c| c.non_ip_str = "none".into()), "IPX", Rec::new().u8(0)), "none");
        // Address formats apply to IPX too.
        assert_eq!(one(&with(|c| c.ip4_format = 1), "IPX", Rec::new().ipx4([10, 0, 0, 1])), "010.000.000.001");
    }

    #[test]
    fn invalid_ip_version_is_an_error() {
        let (e, partial) = render_cfg(Config::default(), &["U8", "IPX", "U8"], &[7, 5, 1, 2, 3, 4, 9]).unwrap_err();
        assert_eq!(e, RenderError::IpVersion(5));
        assert_eq!(e.to_string(), "Invalid IP version 5");
        assert_eq!(partial, "7\t");
    }

    #[test]
    fn reading_past_the_record_is_an_error() {
        let overflow = |sig: &str, rec: &[u8]| render_cfg(Config::default(), &[sig], rec).unwrap_err().0;
        assert_eq!(overflow("U64", &[1, 2, 3]), RenderError::Overflow { required: 8 });
        // Two reads for times: seconds, then the fraction.
        assert_eq!(overflow("TS", &[0; 4]), RenderError::Overflow { required: 8 });
        assert_eq!(overflow("TS", &[0; 10]), RenderError::Overflow { required: 12 });
        // Strings are read byte by byte: the byte after the record is the one missing.
        assert_eq!(overflow("S", b"abc"), RenderError::Overflow { required: 4 });
        assert_eq!(overflow("SC", b"abc"), RenderError::Overflow { required: 4 });
        assert_eq!(overflow("S", b"\xe2\x82"), RenderError::Overflow { required: 3 });
        assert_eq!(overflow("IPX", &[6, 1, 2]), RenderError::Overflow { required: 17 });
        assert_eq!(overflow("U16:R", &[2, 0, 0, 0, 1, 0]), RenderError::Overflow { required: 8 });
        assert_eq!(overflow("U16:R", &[2, 0]), RenderError::Overflow { required: 4 });
        assert_eq!(
            RenderError::Overflow { required: 17 }.to_string(),
            "bin2txt: Buffer overflow: 17 increase MAIN_OUTBUF_SIZE in tranalyzer.h"
        );
        let c = with(|c| c.san_utf8 = false);
        assert_eq!(
            render_cfg(c.clone(), &["S"], b"ab").unwrap_err(),
            (RenderError::Overflow { required: 3 }, "\"ab".into())
        );
        assert_eq!(render_cfg(c, &["SC"], b"ab").unwrap_err(), (RenderError::Overflow { required: 3 }, "ab".into()));
    }
}

#[cfg(test)]
mod t2_sanitizer {
    //! `tests/data/utf8_t2.txt`: random strings run through T2 0.9.3's own UTF-8 sanitiser
    //! (hex input with its NUL, hex output, success flag, bytes consumed).

    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    #[test]
    fn matches_t2_output_and_consumption() {
        let data = include_str!("../tests/data/utf8_t2.txt");
        let mut n = 0;
        for line in data.lines() {
            let f: Vec<&str> = line.split(' ').collect();
            let (input, want, consumed) = (unhex(f[0]), unhex(f[1]), f[3].parse::<usize>().unwrap());
            let mut r = Reader::new(&input);
            let mut out = Vec::new();
            sanitize_utf8(&mut out, &mut r).unwrap();
            assert_eq!(out, want, "input {}", f[0]);
            assert_eq!(r.pos, consumed, "input {}", f[0]);
            n += 1;
        }
        assert!(n >= 5000);
    }
}

#[cfg(test)]
mod glibc_inet_ntop {
    //! `tests/data/inet_ntop_glibc.txt` (made by `tests/data/gen_inet_ntop.c`).

    use super::*;

    #[test]
    fn matches_glibc() {
        let data = include_str!("../tests/data/inet_ntop_glibc.txt");
        let mut n = 0;
        for line in data.lines() {
            let (hex, want) = line.split_once(' ').unwrap();
            let a = u128::from_str_radix(hex, 16).unwrap().to_be_bytes();
            let mut out = Vec::new();
            inet_ntop6(&mut out, a);
            assert_eq!(String::from_utf8(out).unwrap(), want, "{hex}");
            n += 1;
        }
        assert_eq!(n, 4000);
    }
}
