//! One record as one JSON object, walked by plugin-api's record [`Decoder`] (the one txtSink
//! renders from), in T2's jsonSink conventions:
//!
//! * `{"name":value,...}` in column order; with `JSON_NO_SPACES`=0 a space after each `,`
//!   and `:`;
//! * a repeating column is an array (`"srcMac":["..."]`), left out when it has no value
//!   (`JSON_SUPPRESS_EMPTY_ARRAY`=1) or written `[]`;
//! * a column or repetition of several values is an array (`"ipOptCpCl_Num":["0x00","0x00000000"]`),
//!   so a repeating one is an array of arrays; nested compounds likewise;
//! * numbers bare, floats as `%.17g` with `.0` added to whole numbers ([`crate::number`]);
//!   hex numbers, addresses, times, directions and strings quoted; strings sanitised as UTF-8
//!   with JSON escapes.
//!
//! Where T2 writes invalid JSON this writes valid JSON: a nested compound ends with `]` (T2
//! writes `[`), an empty nested repetition is `[]` (T2 writes nothing), a NaN or infinity is
//! `null` (T2 writes `nan.0`) and a `C` value is escaped like a string (T2 writes the raw byte).

use core::fmt;

use plugin_api::Column;
use plugin_api::fmt::put;
use plugin_api::fmt::text::{Spelling, int, sanitize_utf8, zero_padded};
use plugin_api::record::{DecodeError, Decoder, Lead, Val, Visitor};

use crate::number;

/// Layout choices of the flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// `JSON_NO_SPACES`: no space after `,` and `:`.
    pub no_spaces: bool,
    /// `JSON_SUPPRESS_EMPTY_ARRAY`: leave out repeating columns without values.
    pub suppress_empty: bool,
    /// Digits of a time's fraction: 9 (`TSTAMP_PREC`=1, ns) or 6 (µs).
    pub frac_width: usize,
}

impl Default for Style {
    /// T2's defaults.
    fn default() -> Style {
        Style { no_spaces: true, suppress_empty: true, frac_width: 9 }
    }
}

/// Why a record was discarded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderError(pub DecodeError);

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Position in main output buffer exceeds its size ({})", self.0)
    }
}

impl std::error::Error for RenderError {}

/// Renders the records of one column list.
#[derive(Clone, Debug)]
pub struct ObjectWriter {
    decoder: Decoder,
    /// `"name":` of each column (with its space).
    keys: Vec<Box<[u8]>>,
    /// Columns to write (`JSON_SELECT`); `None`: all.
    selected: Option<Vec<bool>>,
    style: Style,
}

impl ObjectWriter {
    /// Compiles `columns`; with `selected`, only the columns marked there are written.
    pub fn new(columns: &[Column], style: Style, selected: Option<Vec<bool>>) -> ObjectWriter {
        let colon: &[u8] = if style.no_spaces { b"\":" } else { b"\": " };
        let keys = columns.iter().map(|c| [b"\"", c.name.as_bytes(), colon].concat().into_boxed_slice()).collect();
        ObjectWriter { decoder: Decoder::new(columns), keys, selected, style }
    }

    /// Appends the object of `rec` and a newline to `out`. On error nothing is appended (T2
    /// discards the record).
    pub fn render(&mut self, out: &mut Vec<u8>, rec: &[u8]) -> Result<(), RenderError> {
        let start = out.len();
        out.push(b'{');
        let mut obj = Object {
            w: &self.keys,
            selected: self.selected.as_deref(),
            style: self.style,
            out,
            start,
            pending: None,
            depth: 0,
            drop_close: false,
            column_at: start + 1,
            skipping: false,
        };
        if let Err(e) = self.decoder.decode(rec, &mut obj) {
            out.truncate(start);
            return Err(RenderError(e));
        }
        obj.end_column();
        out.extend_from_slice(b"}\n");
        Ok(())
    }
}

/// One record being rendered: the visitor the decoder drives.
struct Object<'a> {
    w: &'a [Box<[u8]>],
    selected: Option<&'a [bool]>,
    style: Style,
    out: &'a mut Vec<u8>,
    /// Where the object starts in `out`.
    start: usize,
    /// The column whose key is not written yet: a repeating column's key waits for its count.
    pending: Option<u32>,
    /// Nesting of compounds (0: a column's own values).
    depth: u32,
    /// The empty repetition being left out ends next.
    drop_close: bool,
    /// Where the current column starts in `out`.
    column_at: usize,
    /// The current column is not selected: what it wrote is dropped when it ends.
    skipping: bool,
}

impl Object<'_> {
    /// `,` (and a space) between two items.
    #[inline]
    fn comma(&mut self) {
        if self.style.no_spaces {
            self.out.push(b',');
        } else {
            put(self.out, b", ");
        }
    }

    /// Writes the pending key, after a comma unless it is the object's first.
    #[inline]
    fn key(&mut self) {
        if let Some(n) = self.pending.take() {
            if self.out.len() > self.start + 1 {
                self.comma();
            }
            if let Some(k) = self.w.get(n as usize) {
                self.out.extend_from_slice(k);
            }
        }
    }

    /// The current column is over: an unselected one is taken back out.
    #[inline]
    fn end_column(&mut self) {
        if self.skipping {
            self.out.truncate(self.column_at);
        }
    }

    #[inline]
    fn quoted(&mut self, f: impl FnOnce(&mut Vec<u8>)) {
        self.out.push(b'"');
        f(self.out);
        self.out.push(b'"');
    }
}

/// JSON's two-character escapes (T2's jsonSink has these five; other controls are `\u00XX`).
fn json_escape(b: u8) -> Option<&'static [u8]> {
    Some(match b {
        b'\t' => b"\\t",
        b'\n' => b"\\n",
        b'\r' => b"\\r",
        b'\\' => b"\\\\",
        b'"' => b"\\\"",
        _ => return None,
    })
}

impl Visitor for Object<'_> {
    #[inline(always)]
    fn lead(&mut self, lead: Lead) {
        match lead {
            Lead::Column(n) => {
                self.end_column();
                self.column_at = self.out.len();
                self.skipping = self.selected.is_some_and(|s| !s.get(n as usize).copied().unwrap_or(false));
                self.pending = Some(n);
            }
            Lead::Member => self.comma(),
            Lead::None => {}
        }
    }

    #[inline(always)]
    fn value(&mut self, v: Val<'_>) {
        self.key();
        let spell = Spelling::default();
        match v {
            Val::I8(n) => int(self.out, n),
            Val::I16(n) => int(self.out, n),
            Val::I32(n) => int(self.out, n),
            Val::I64(n) => int(self.out, n),
            Val::U8(n) => int(self.out, n),
            Val::U16(n) => int(self.out, n),
            Val::U32(n) => int(self.out, n),
            Val::U64(n) => int(self.out, n),
            Val::H8(n) => self.quoted(|o| spell.hex0x(o, u64::from(n), 2)),
            Val::H16(n) => self.quoted(|o| spell.hex0x(o, u64::from(n), 4)),
            Val::H32(n) => self.quoted(|o| spell.hex0x(o, u64::from(n), 8)),
            Val::H64(n) => self.quoted(|o| spell.hex0x(o, n, 16)),
            Val::F32(x) => number::g17(self.out, f64::from(x)),
            Val::F64(x) => number::g17(self.out, x),
            Val::Char(c) => self.quoted(|o| sanitize_utf8(o, &[c], true, json_escape)),
            Val::Str(s) | Val::StrClass(s) => self.quoted(|o| sanitize_utf8(o, s, true, json_escape)),
            Val::Dir(d) => put(self.out, if d == 0 { b"\"A\"" } else { b"\"B\"" }),
            Val::Time(sec, frac) | Val::Duration(sec, frac) => {
                let width = self.style.frac_width;
                self.quoted(|o| {
                    int(o, sec);
                    o.push(b'.');
                    zero_padded(o, u64::from(frac), width);
                });
            }
            Val::Mac(m) => self.quoted(|o| spell.mac(o, m)),
            Val::Ip4(a) => self.quoted(|o| spell.ip4(o, a)),
            Val::Ip6(a) => self.quoted(|o| spell.ip6(o, a)),
            Val::NoIp => put(self.out, b"\"-\""),
        }
    }

    fn open(&mut self) {
        self.depth += 1;
    }

    fn close(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    #[inline]
    fn tuple(&mut self) {
        self.key();
        self.out.push(b'[');
    }

    #[inline]
    fn end_tuple(&mut self) {
        self.out.push(b']');
    }

    #[inline]
    fn repeat(&mut self, count: u32) {
        if count == 0 && self.depth == 0 && self.style.suppress_empty {
            self.pending = None;
            self.drop_close = true;
            return;
        }
        self.key();
        self.out.push(b'[');
    }

    #[inline]
    fn next(&mut self) {
        self.comma();
    }

    #[inline]
    fn end_repeat(&mut self) {
        if core::mem::take(&mut self.drop_close) {
            return;
        }
        self.out.push(b']');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plugin_api::record::{DecodeErrorKind, Encoder};

    fn cols(sigs: &[(&str, &str)]) -> Vec<Column> {
        sigs.iter().map(|(n, s)| Column::parse(n, "", s).unwrap()).collect()
    }

    fn render_with(
        style: Style,
        selected: Option<Vec<bool>>,
        sigs: &[(&str, &str)],
        f: impl FnOnce(&mut Encoder<&mut Vec<u8>>),
    ) -> String {
        let mut rec = Vec::new();
        f(&mut Encoder::new(&mut rec));
        let mut out = Vec::new();
        ObjectWriter::new(&cols(sigs), style, selected).render(&mut out, &rec).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn render(sigs: &[(&str, &str)], f: impl FnOnce(&mut Encoder<&mut Vec<u8>>)) -> String {
        render_with(Style::default(), None, sigs, f)
    }

    #[test]
    fn scalars_in_t2_spelling() {
        let got = render(
            &[("dir", "DIR"), ("n", "U32"), ("i", "I8"), ("h", "H16"), ("f", "F"), ("d", "D"), ("c", "C")],
            |e| {
                e.u8(1);
                e.u32(4_263_588_410);
                e.i8(-3);
                e.u16(0x0800);
                e.f32(19.428_572);
                e.f64(0.0);
                e.u8(b'x');
            },
        );
        assert_eq!(
            got,
            "{\"dir\":\"B\",\"n\":4263588410,\"i\":-3,\"h\":\"0x0800\",\"f\":19.428571701049805,\"d\":0.0,\"c\":\"x\"}\n"
        );
    }

    #[test]
    fn addresses_times_and_strings() {
        let got = render(
            &[
                ("m", "MAC"),
                ("a", "IP4"),
                ("b", "IPX"),
                ("x", "IPX"),
                ("t", "TS"),
                ("u", "DUR"),
                ("s", "S"),
                ("sc", "SC"),
            ],
            |e| {
                e.mac(&[0xc8, 0xbc, 0xc8, 0x96, 0xd2, 0xa0]);
                e.ip4(&[141, 142, 228, 5]);
                e.ipx(6, &[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
                e.ipx(0, &[0; 16]);
                e.time(1_362_692_526, 869_344_000);
                e.time(0, 211_628);
                e.str(b"a\"b\\c\td\x01\x7f\xc3\xa9\xff");
                e.str(b"eth:ipv4:tcp");
            },
        );
        assert_eq!(
            got,
            concat!(
                "{\"m\":\"c8:bc:c8:96:d2:a0\",\"a\":\"141.142.228.5\",\"b\":\"2001:db8::1\",\"x\":\"-\",",
                "\"t\":\"1362692526.869344000\",\"u\":\"0.000211628\",",
                "\"s\":\"a\\\"b\\\\c\\td\\u0001\\u007F\u{e9}.\",\"sc\":\"eth:ipv4:tcp\"}\n"
            )
        );
    }

    #[test]
    fn repetitions_and_compounds() {
        let sigs =
            [("dir", "DIR"), ("numHdrs", "U16:R"), ("pair", "H8_H32"), ("macs", "MAC_MAC_U64:R"), ("v", "U16:R")];
        let got = render(&sigs, |e| {
            e.u8(0);
            e.rep(1);
            e.u16(3);
            e.u8(0);
            e.u32(0);
            e.rep(2);
            for k in 1..=2u8 {
                e.mac(&[k; 6]);
                e.mac(&[9; 6]);
                e.u64(u64::from(k) * 7);
            }
            e.rep(0);
        });
        assert_eq!(
            got,
            concat!(
                "{\"dir\":\"A\",\"numHdrs\":[3],\"pair\":[\"0x00\",\"0x00000000\"],",
                "\"macs\":[[\"01:01:01:01:01:01\",\"09:09:09:09:09:09\",7],[\"02:02:02:02:02:02\",\"09:09:09:09:09:09\",14]]}\n"
            )
        );
    }

    #[test]
    fn nested_compounds_are_valid_json() {
        let sigs = [("c", "U8_(U16:R):R")];
        let got = render(&sigs, |e| {
            e.rep(2);
            e.u8(1);
            e.rep(2);
            e.u16(2);
            e.u16(3);
            e.u8(4);
            e.rep(0);
        });
        assert_eq!(got, "{\"c\":[[1,[2,3]],[4,[]]]}\n");
    }

    #[test]
    fn empty_arrays_and_spaces() {
        let sigs = [("a", "U8"), ("r", "U8:R"), ("p", "U8_U8")];
        let enc = |e: &mut Encoder<&mut Vec<u8>>| {
            e.u8(1);
            e.rep(0);
            e.u8(2);
            e.u8(3);
        };
        let style = Style { no_spaces: false, suppress_empty: false, ..Style::default() };
        assert_eq!(render_with(style, None, &sigs, enc), "{\"a\": 1, \"r\": [], \"p\": [2, 3]}\n");
        assert_eq!(render(&sigs, enc), "{\"a\":1,\"p\":[2,3]}\n");
    }

    #[test]
    fn selected_columns_only() {
        let sigs = [("a", "U8"), ("r", "U8:R"), ("p", "U8_U8"), ("s", "S")];
        let enc = |e: &mut Encoder<&mut Vec<u8>>| {
            e.u8(1);
            e.rep(1);
            e.u8(9);
            e.u8(2);
            e.u8(3);
            e.str(b"x");
        };
        assert_eq!(
            render_with(Style::default(), Some(vec![false, true, false, true]), &sigs, enc),
            "{\"r\":[9],\"s\":\"x\"}\n"
        );
        assert_eq!(render_with(Style::default(), Some(vec![false; 4]), &sigs, enc), "{}\n");
    }

    #[test]
    fn a_short_record_is_discarded() {
        let columns = cols(&[("a", "U8"), ("b", "U32")]);
        let mut w = ObjectWriter::new(&columns, Style::default(), None);
        let mut out = b"kept\n".to_vec();
        let err = w.render(&mut out, &[1, 2]).unwrap_err();
        assert_eq!(err.0.kind, DecodeErrorKind::Truncated { required: 5 });
        assert_eq!(out, b"kept\n");
        w.render(&mut out, &[1, 2, 0, 0, 0]).unwrap();
        assert_eq!(out, b"kept\n{\"a\":1,\"b\":2}\n");
    }
}
