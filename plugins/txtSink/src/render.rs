//! Text of one record (txt-format.md §3-§5): the bin2txt rules for each value, the separators
//! between them, driven by plugin-api's record [`Decoder`].

use core::fmt;

use plugin_api::Column;
use plugin_api::fmt::text::{Spelling, copy_plain, int, sanitize_utf8, zero_padded};
use plugin_api::fmt::{float, put};
use plugin_api::record::{DecodeError, DecodeErrorKind, Decoder, Lead, Val, Visitor};

use crate::config::{Config, Stamps};
use crate::timestr::TimeStr;

/// Why a record could not be rendered; the message is T2's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderError(pub DecodeError);

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.kind {
            DecodeErrorKind::Truncated { required } => {
                write!(f, "bin2txt: Buffer overflow: {required} increase MAIN_OUTBUF_SIZE in tranalyzer.h")
            }
            DecodeErrorKind::IpVersion(v) => write!(f, "Invalid IP version {v}"),
        }
    }
}

impl std::error::Error for RenderError {}

/// Renders records of one column list with one configuration.
#[derive(Clone, Debug)]
pub struct RecordWriter {
    decoder: Decoder,
    renderer: Renderer,
}

impl RecordWriter {
    /// Compiles `columns` for `renderer`.
    pub fn new(columns: &[Column], renderer: Renderer) -> RecordWriter {
        RecordWriter { decoder: Decoder::new(columns), renderer }
    }

    /// The value renderer.
    pub fn renderer(&self) -> &Renderer {
        &self.renderer
    }

    /// Appends the text line of `rec` (ending in `\n`) to `out`. On error the text rendered so
    /// far stays in `out`, without a newline, as T2 leaves it in the file.
    pub fn render(&mut self, out: &mut Vec<u8>, rec: &[u8]) -> Result<(), RenderError> {
        self.decoder.decode(rec, &mut Line { r: &self.renderer, out }).map_err(RenderError)?;
        out.push(b'\n');
        Ok(())
    }
}

/// Renders values with one configuration.
#[derive(Clone, Debug)]
pub struct Renderer {
    cfg: Config,
    /// Hex numbers and addresses.
    spell: Spelling,
    /// `SEP_CHR` when it is one byte, the common case written with one push.
    sep_byte: Option<u8>,
    /// Timestamp fraction width: 9 (ns) or 6 (µs).
    frac_width: usize,
    timestr: Option<TimeStr>,
}

/// One record being rendered: the visitor the decoder drives.
struct Line<'a> {
    r: &'a Renderer,
    out: &'a mut Vec<u8>,
}

// Inlined into the decoder's loop: the decoder's match on the type and the renderer's match on
// the value then fold into one.
impl Visitor for Line<'_> {
    #[inline(always)]
    fn lead(&mut self, lead: Lead) {
        match lead {
            Lead::None | Lead::Column(0) => {}
            Lead::Column(_) => match self.r.sep_byte {
                Some(b) => self.out.push(b),
                None => put(self.out, self.r.cfg.sep_chr.as_bytes()),
            },
            Lead::Member => self.out.push(b'_'),
        }
    }

    #[inline(always)]
    fn value(&mut self, v: Val<'_>) {
        self.r.value(self.out, v, true);
    }

    fn open(&mut self) {
        self.out.push(b'(');
    }

    fn close(&mut self) {
        self.out.push(b')');
    }

    fn next(&mut self) {
        self.out.push(b';');
    }

    fn unterminated(&mut self, v: Val<'_>) {
        self.r.value(self.out, v, false);
    }
}

impl Renderer {
    /// A renderer for `cfg` in a core with timestamp flags `stamps`.
    pub fn new(cfg: Config, stamps: Stamps) -> Renderer {
        let spell = Spelling {
            mac_format: cfg.mac_format,
            mac_sep: cfg.mac_sep,
            ip4_format: cfg.ip4_format,
            ip6_format: cfg.ip6_format,
            hex_capital: cfg.hex_capital,
        };
        let sep_byte = match cfg.sep_chr.as_bytes() {
            &[b] => Some(b),
            _ => None,
        };
        let frac_width = if stamps.ns { 9 } else { 6 };
        let timestr = cfg.b2t_timestr.then(|| TimeStr::new(stamps.utc));
        Renderer { cfg, spell, sep_byte, frac_width, timestr }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// Appends the text of `v`. A string is `complete` up to its NUL; an incomplete one (the
    /// record ends inside it) is written as far as T2 gets before failing: without the closing
    /// quote, and without a UTF-8 sequence the record cuts.
    #[inline(always)]
    fn value(&self, out: &mut Vec<u8>, v: Val<'_>, complete: bool) {
        match v {
            Val::I8(n) => int(out, n),
            Val::I16(n) => int(out, n),
            Val::I32(n) => int(out, n),
            Val::I64(n) => int(out, n),
            Val::U8(n) => int(out, n),
            Val::U16(n) => int(out, n),
            Val::U32(n) => int(out, n),
            Val::U64(n) => int(out, n),
            Val::H8(n) => self.spell.hex0x(out, u64::from(n), 2),
            Val::H16(n) => self.spell.hex0x(out, u64::from(n), 4),
            Val::H32(n) => self.spell.hex0x(out, u64::from(n), 8),
            Val::H64(n) => self.spell.hex0x(out, n, 16),
            Val::F32(x) => float::g7(out, f64::from(x)),
            Val::F64(x) => float::f6(out, x),
            // `%c`: the raw byte, NUL included.
            Val::Char(c) => out.push(c),
            Val::Dir(d) => out.push(if d == 0 { b'A' } else { b'B' }),
            Val::Str(s) => {
                out.push(b'"');
                if self.cfg.tfs_san_utf8 {
                    sanitize_utf8(out, s, complete, short_escape);
                } else {
                    escape_c(out, s);
                }
                if complete {
                    out.push(b'"');
                }
            }
            Val::StrClass(s) => {
                if self.cfg.tfs_san_utf8 {
                    sanitize_utf8(out, s, complete, short_escape);
                } else {
                    out.extend_from_slice(s);
                }
            }
            Val::Time(sec, frac) | Val::Duration(sec, frac) => match &self.timestr {
                Some(ts) if matches!(v, Val::Time(..)) => ts.write(out, sec, frac, self.frac_width),
                _ => {
                    int(out, sec);
                    out.push(b'.');
                    zero_padded(out, u64::from(frac), self.frac_width);
                }
            },
            Val::Mac(m) => self.spell.mac(out, m),
            Val::Ip4(a) => self.spell.ip4(out, a),
            Val::Ip6(a) => self.spell.ip6(out, a),
            Val::NoIp => put(out, self.cfg.b2t_non_ip_str.as_bytes()),
        }
    }
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

/// `TFS_SAN_UTF8`=0, `S`: only the eight C escapes, every other byte raw.
fn escape_c(out: &mut Vec<u8>, s: &[u8]) {
    let mut i = 0;
    while i < s.len() {
        i += copy_plain(out, &s[i..]);
        if let Some(&c) = s.get(i) {
            match short_escape(c) {
                Some(e) => put(out, e),
                None => out.push(c),
            }
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{Rec, cols, one, render, render_bytes, render_cfg, render_stamps};

    fn overflow(required: usize) -> DecodeErrorKind {
        DecodeErrorKind::Truncated { required }
    }

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
        let c = with(|c| c.tfs_san_utf8 = false);
        let v = b"a\"b\\c\x08\x0c\n\r\t\x0b\x01\x7f\xff\xc3\xa9";
        assert_eq!(
            render_bytes(c, &["S"], &Rec::new().str(v).0),
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
        let us = Stamps { ns: false, utc: true };
        let t = |sig: &str, rec: Rec| render_stamps(Config::default(), us, &[sig], &rec.0).unwrap();
        assert_eq!(t("TS", Rec::new().time(1_291_753_225, 446_732)), "1291753225.446732");
        assert_eq!(t("DUR", Rec::new().time(0, 5)), "0.000005");
        assert_eq!(t("DUR", Rec::new().time(0, 1_000_000)), "0.1000000");
    }

    #[test]
    fn b2t_timestr_flag() {
        let c = with(|c| c.b2t_timestr = true);
        assert_eq!(one(&c, "TS", Rec::new().time(1_291_753_225, 446_732_000)), "2010-12-07T20:20:25.446732000+0000");
        // Durations keep the seconds form.
        assert_eq!(one(&c, "DUR", Rec::new().time(1_291_753_225, 446_732_000)), "1291753225.446732000");
        let us = Stamps { ns: false, utc: true };
        let text = render_stamps(c, us, &["TS"], &Rec::new().time(0, 7).0).unwrap();
        assert_eq!(text, "1970-01-01T00:00:00.000007+0000");
    }

    #[test]
    fn mac_formats() {
        let m = || Rec::new().bytes(&[0x00, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e]);
        assert_eq!(d("MAC", m()), "00:1a:2b:3c:4d:5e");
        assert_eq!(one(&with(|c| c.mac_sep = "-"), "MAC", m()), "00-1a-2b-3c-4d-5e");
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
        assert_eq!(one(&with(|c| c.b2t_non_ip_str = "none"), "IPX", Rec::new().u8(0)), "none");
        // Address formats apply to IPX too.
        assert_eq!(one(&with(|c| c.ip4_format = 1), "IPX", Rec::new().ipx4([10, 0, 0, 1])), "010.000.000.001");
    }

    #[test]
    fn invalid_ip_version_is_an_error() {
        let (e, partial) = render_cfg(Config::default(), &["U8", "IPX", "U8"], &[7, 5, 1, 2, 3, 4, 9]).unwrap_err();
        assert_eq!(e.0.kind, DecodeErrorKind::IpVersion(5));
        assert_eq!(e.to_string(), "Invalid IP version 5");
        assert_eq!(partial, "7\t");
    }

    #[test]
    fn reading_past_the_record_is_an_error() {
        let cut = |sig: &str, rec: &[u8]| render_cfg(Config::default(), &[sig], rec).unwrap_err().0.0.kind;
        assert_eq!(cut("U64", &[1, 2, 3]), overflow(8));
        // Two reads for times: seconds, then the fraction.
        assert_eq!(cut("TS", &[0; 4]), overflow(8));
        assert_eq!(cut("TS", &[0; 10]), overflow(12));
        // Strings are read byte by byte: the byte after the record is the one missing.
        assert_eq!(cut("S", b"abc"), overflow(4));
        assert_eq!(cut("SC", b"abc"), overflow(4));
        assert_eq!(cut("S", b"\xe2\x82"), overflow(3));
        assert_eq!(cut("IPX", &[6, 1, 2]), overflow(17));
        assert_eq!(cut("U16:R", &[2, 0, 0, 0, 1, 0]), overflow(8));
        assert_eq!(cut("U16:R", &[2, 0]), overflow(4));
        assert_eq!(
            RenderError(DecodeError { column: 0, kind: overflow(17) }).to_string(),
            "bin2txt: Buffer overflow: 17 increase MAIN_OUTBUF_SIZE in tranalyzer.h"
        );
        let c = with(|c| c.tfs_san_utf8 = false);
        assert_eq!(
            render_cfg(c, &["S"], b"ab").map_err(|(e, text)| (e.0.kind, text)),
            Err((overflow(3), "\"ab".into()))
        );
        assert_eq!(
            render_cfg(c, &["SC"], b"ab").map_err(|(e, text)| (e.0.kind, text)),
            Err((overflow(3), "ab".into()))
        );
    }

    const BASIC: [&str; 10] = ["DIR", "U64", "H64", "TS", "DUR", "IPX", "U16", "IPX", "U16", "U8"];

    #[test]
    fn tcp_connection_a_and_b_lines() {
        // txt-format.md §9.1, the A record byte by byte.
        let a: Vec<u8> = [
            &[0x00][..],
            &[0x07, 0, 0, 0, 0, 0, 0, 0],
            &[0x00, 0x40, 0, 0, 0, 0, 0, 0x04],
            &[0x09, 0x97, 0xfe, 0x4c, 0, 0, 0, 0, 0xe0, 0x96, 0xa0, 0x1a],
            &[0, 0, 0, 0, 0, 0, 0, 0, 0x20, 0xa1, 0x07, 0x00],
            &[0x04, 0xc0, 0xa8, 0x01, 0x0a],
            &[0x22, 0xc8],
            &[0x04, 0x0a, 0x00, 0x00, 0x01],
            &[0x50, 0x00],
            &[0x06],
        ]
        .concat();
        assert_eq!(
            render(&BASIC, &a),
            "A\t7\t0x0400000000004000\t1291753225.446732000\t0.000500000\t192.168.1.10\t51234\t10.0.0.1\t80\t6"
        );
        let b = Rec::new()
            .u8(1)
            .u64(7)
            .u64(0x0400_0000_0000_4001)
            .time(1_291_753_225, 446_901_000)
            .time(0, 312_000)
            .ipx4([10, 0, 0, 1])
            .u16(80)
            .ipx4([192, 168, 1, 10])
            .u16(51234)
            .u8(6);
        assert_eq!(
            render(&BASIC, &b.0),
            "B\t7\t0x0400000000004001\t1291753225.446901000\t0.000312000\t10.0.0.1\t80\t192.168.1.10\t51234\t6"
        );
    }

    #[test]
    fn repeating_and_compound_columns() {
        // txt-format.md §9.2, after dir and flowInd.
        let sigs = [
            "DIR",
            "U64",
            "SC_U64:R",
            "MAC:R",
            "U16:R",
            "H32_H16",
            "U8_U8:R",
            "(D:R):R",
            "(U8_U8_U8)_(U8_U8_U8)_(U8_U8_U8)_(U8_U8_U8)",
        ];
        let rec = Rec::new()
            .u8(0)
            .u64(1)
            .u32(2)
            .str(b"eth:ipv4:tcp")
            .u64(10)
            .str(b"eth:vlan:ipv4:tcp")
            .u64(2)
            .u32(1)
            .bytes(&[0x00, 0x11, 0x22, 0x33, 0x44, 0x55])
            .u32(0)
            .u32(0x1248_8421)
            .u16(0x0014)
            .u32(3)
            .bytes(&[1, 2, 3, 4, 5, 6])
            .u32(2)
            .u32(2)
            .f64(1.0)
            .f64(2.5)
            .u32(1)
            .f64(3.0)
            .bytes(&[1, 2, 9, 1, 3, 1, 7, 5, 3, 2, 3, 7]);
        assert_eq!(
            render(&sigs, &rec.0),
            "A\t1\teth:ipv4:tcp_10;eth:vlan:ipv4:tcp_2\t00:11:22:33:44:55\t\t0x12488421_0x0014\t1_2;3_4;5_6\t\
             (1.000000;2.500000);(3.000000)\t(1_2_9)_(1_3_1)_(7_5_3)_(2_3_7)"
        );
    }

    #[test]
    fn empty_repetitions() {
        // A repeating column with count 0 is an empty field; an empty nested one is `()`.
        assert_eq!(render(&["U8:R", "U8:R", "U8"], &Rec::new().u32(0).u32(0).u8(9).0), "\t\t9");
        assert_eq!(render(&["(D:R):R"], &Rec::new().u32(2).u32(0).u32(1).f64(0.5).0), "();(0.500000)");
        assert_eq!(render(&["U8_(U16:R)"], &Rec::new().u8(1).u32(0).0), "1_()");
        // Nested repetitions inside repetitions keep their own counts.
        let rec = Rec::new().u32(2).u8(1).u32(2).u8(2).u8(3).u8(4).u32(1).u8(5);
        assert_eq!(render(&["U8_(U8:R):R"], &rec.0), "1_(2;3);4_(5)");
        let rec = Rec::new().u32(1).u32(2).u32(1).u8(1).u32(2).u8(2).u8(3);
        assert_eq!(render(&["((U8:R):R):R"], &rec.0), "((1);(2;3))");
    }

    #[test]
    fn sep_chr_flag() {
        let sigs = ["U8", "U8:R", "U8_U8", "U8:R", "U8"];
        let rec = Rec::new().u8(1).u32(2).u8(2).u8(3).u8(4).u8(5).u32(0).u8(6);
        let comma = Config { sep_chr: ",", ..Config::default() };
        assert_eq!(render_cfg(comma, &sigs, &rec.0).unwrap(), "1,2;3,4_5,,6");
        let multi = Config { sep_chr: "<>", ..Config::default() };
        assert_eq!(render_cfg(multi, &sigs, &rec.0).unwrap(), "1<>2;3<>4_5<><>6");
    }

    #[test]
    fn writer_is_reusable_after_an_error() {
        let mut w = RecordWriter::new(&cols(&["U8:R", "U8"]), Renderer::new(Config::default(), Stamps::DEFAULT));
        let mut out = Vec::new();
        assert!(w.render(&mut out, &Rec::new().u32(3).u8(1).0).is_err());
        assert_eq!(out, b"1;");
        out.clear();
        w.render(&mut out, &Rec::new().u32(1).u8(1).u8(2).0).unwrap();
        assert_eq!(out, b"1\t2\n");
    }
}

#[cfg(test)]
mod t2_sanitizer {
    //! `tests/data/utf8_t2.txt`: random strings run through T2 0.9.3's own UTF-8 sanitiser
    //! (hex input with its NUL, hex output, success flag, bytes consumed).

    use super::*;
    use crate::testutil::cols;

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
            // The string as an `SC` column (no quotes): what was written, and how far the
            // decoder read.
            let renderer = Renderer::new(Config::default(), Stamps::DEFAULT);
            let mut out = Vec::new();
            let used = Decoder::new(&cols(&["SC"])).decode(&input, &mut Line { r: &renderer, out: &mut out });
            assert_eq!(out, want, "input {}", f[0]);
            assert_eq!(used, Ok(consumed), "input {}", f[0]);
            n += 1;
        }
        assert!(n >= 5000);
    }
}

#[cfg(test)]
mod glibc_inet_ntop {
    //! `tests/data/inet_ntop_glibc.txt` (made by `tests/data/gen_inet_ntop.c`).

    use plugin_api::fmt::text::inet_ntop6;

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
