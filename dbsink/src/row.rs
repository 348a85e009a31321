//! A flow record as the fields of one table row, decoded by plugin-api's record decoder.

use plugin_api::fmt::float::g7;
use plugin_api::fmt::text::{Spelling, int, zero_padded};
use plugin_api::record::{DecodeError, Decoder, Lead, Val, Visitor};
use plugin_api::types::Column;

use crate::schema::{Dialect, Shape};

/// One value of a row.
#[derive(Clone, Debug, PartialEq)]
pub enum Field {
    /// No value (an `IPX` without address).
    Null,
    /// A signed number.
    Int(i64),
    /// An unsigned number.
    UInt(u64),
    /// A bit field (`H8` ... `H64`) and its width in hex digits.
    Hex(u64, u8),
    /// A float.
    Float(f64),
    /// Text: strings, characters, directions (`A`/`B`), addresses, and T2's text form of
    /// columns of several values.
    Text(String),
    /// A time (`TS`): seconds since the epoch and nanoseconds.
    Time(u64, u32),
    /// A duration (`DUR`): seconds and nanoseconds.
    Duration(u64, u32),
    /// A repeating column's values.
    Array(Vec<Field>),
}

/// Decodes records of one column list into rows for one engine.
#[derive(Debug)]
pub struct RowDecoder {
    decoder: Decoder,
    shapes: Vec<Shape>,
    /// Multiplier from the record's time fraction to nanoseconds (1000 with µs stamps).
    frac_ns: u32,
}

impl RowDecoder {
    /// Compiles `columns` for `dialect`; `ns_stamps` is the core's `TSTAMP_PREC` = 1.
    pub fn new(columns: &[Column], dialect: Dialect, ns_stamps: bool) -> RowDecoder {
        RowDecoder {
            decoder: Decoder::new(columns),
            shapes: columns.iter().map(|c| Shape::of(c, dialect)).collect(),
            frac_ns: if ns_stamps { 1 } else { 1000 },
        }
    }

    /// The fields of `rec`, one per column, appended to `row` (cleared first).
    pub fn decode(&mut self, rec: &[u8], row: &mut Vec<Field>) -> Result<(), DecodeError> {
        row.clear();
        let mut b = Builder {
            shapes: &self.shapes,
            frac_ns: self.frac_ns,
            row,
            shape: Shape::Text,
            depth: 0,
            started: false,
            elements: false,
            text: String::new(),
        };
        self.decoder.decode(rec, &mut b)?;
        b.end_column();
        Ok(())
    }
}

/// The visitor filling one row.
struct Builder<'a> {
    shapes: &'a [Shape],
    frac_ns: u32,
    row: &'a mut Vec<Field>,
    /// Shape of the column being read.
    shape: Shape,
    /// Repetition depth inside the column.
    depth: u32,
    /// A column has been started.
    started: bool,
    /// The column's outer repetition has elements.
    elements: bool,
    /// Text form being built (`Shape::Text`, an element of `Shape::TextArray`).
    text: String,
}

impl Builder<'_> {
    /// Finishes the text of a `Text` column.
    fn end_column(&mut self) {
        if self.started && self.shape == Shape::Text {
            self.row.push(Field::Text(std::mem::take(&mut self.text)));
        }
    }

    fn field(&self, v: Val<'_>) -> Field {
        let ns = |f: u32| f.saturating_mul(self.frac_ns);
        match v {
            Val::I8(n) => Field::Int(n.into()),
            Val::I16(n) => Field::Int(n.into()),
            Val::I32(n) => Field::Int(n.into()),
            Val::I64(n) => Field::Int(n),
            Val::U8(n) => Field::UInt(n.into()),
            Val::U16(n) => Field::UInt(n.into()),
            Val::U32(n) => Field::UInt(n.into()),
            Val::U64(n) => Field::UInt(n),
            Val::H8(n) => Field::Hex(n.into(), 2),
            Val::H16(n) => Field::Hex(n.into(), 4),
            Val::H32(n) => Field::Hex(n.into(), 8),
            Val::H64(n) => Field::Hex(n, 16),
            Val::F32(x) => Field::Float(x.into()),
            Val::F64(x) => Field::Float(x),
            Val::Time(s, f) => Field::Time(s, ns(f)),
            Val::Duration(s, f) => Field::Duration(s, ns(f)),
            Val::NoIp => Field::Null,
            v => {
                let mut t = String::new();
                text(&mut t, v, self.frac_ns);
                Field::Text(t)
            }
        }
    }

    /// Ends an element of a `TextArray` column.
    fn push_element(&mut self) {
        let t = std::mem::take(&mut self.text);
        if let Some(a) = self.array() {
            a.push(Field::Text(t));
        }
    }

    /// Where a repetition element of the current column goes.
    fn array(&mut self) -> Option<&mut Vec<Field>> {
        match self.row.last_mut() {
            Some(Field::Array(a)) => Some(a),
            _ => None,
        }
    }
}

impl Visitor for Builder<'_> {
    fn lead(&mut self, lead: Lead) {
        match lead {
            Lead::Column(n) => {
                self.end_column();
                self.started = true;
                self.shape = self.shapes.get(n as usize).copied().unwrap_or(Shape::Text);
                self.depth = 0;
                self.text.clear();
                if matches!(self.shape, Shape::Array(_) | Shape::TextArray) {
                    self.row.push(Field::Array(Vec::new()));
                }
            }
            Lead::Member => self.text.push('_'),
            Lead::None => {}
        }
    }

    fn value(&mut self, v: Val<'_>) {
        match self.shape {
            Shape::Scalar(_) => {
                let f = self.field(v);
                self.row.push(f);
            }
            Shape::Array(_) => {
                let f = self.field(v);
                if let Some(a) = self.array() {
                    a.push(f);
                }
            }
            Shape::Text | Shape::TextArray => text(&mut self.text, v, self.frac_ns),
        }
    }

    fn open(&mut self) {
        self.text.push('(');
    }

    fn close(&mut self) {
        self.text.push(')');
    }

    fn repeat(&mut self, count: u32) {
        self.depth += 1;
        if self.depth == 1 {
            self.elements = count > 0;
        }
    }

    fn next(&mut self) {
        match self.shape {
            Shape::TextArray if self.depth == 1 => self.push_element(),
            Shape::Text | Shape::TextArray => self.text.push(';'),
            Shape::Scalar(_) | Shape::Array(_) => {}
        }
    }

    fn end_repeat(&mut self) {
        if self.shape == Shape::TextArray && self.depth == 1 && self.elements {
            self.push_element();
        }
        self.depth = self.depth.saturating_sub(1);
    }
}

/// Appends T2's flow-file text of `v` (`bin2txt.h` with its default spellings).
fn text(out: &mut String, v: Val<'_>, frac_ns: u32) {
    let mut b = Vec::new();
    let sp = Spelling::default();
    let frac = |b: &mut Vec<u8>, s: u64, f: u32| {
        int(b, s);
        b.push(b'.');
        if frac_ns == 1 { zero_padded(b, f.into(), 9) } else { zero_padded(b, f.into(), 6) }
    };
    match v {
        Val::I8(n) => int(&mut b, n),
        Val::I16(n) => int(&mut b, n),
        Val::I32(n) => int(&mut b, n),
        Val::I64(n) => int(&mut b, n),
        Val::U8(n) => int(&mut b, n),
        Val::U16(n) => int(&mut b, n),
        Val::U32(n) => int(&mut b, n),
        Val::U64(n) => int(&mut b, n),
        Val::H8(n) => sp.hex0x(&mut b, n.into(), 2),
        Val::H16(n) => sp.hex0x(&mut b, n.into(), 4),
        Val::H32(n) => sp.hex0x(&mut b, n.into(), 8),
        Val::H64(n) => sp.hex0x(&mut b, n, 16),
        Val::F32(x) => g7(&mut b, x.into()),
        Val::F64(x) => g7(&mut b, x),
        Val::Char(c) => b.push(c),
        Val::Str(s) | Val::StrClass(s) => b.extend_from_slice(s),
        Val::Dir(d) => b.push(if d == 0 { b'A' } else { b'B' }),
        Val::Time(s, f) | Val::Duration(s, f) => frac(&mut b, s, f),
        Val::Mac(m) => sp.mac(&mut b, m),
        Val::Ip4(a) => sp.ip4(&mut b, a),
        Val::Ip6(a) => sp.ip6(&mut b, a),
        Val::NoIp => {}
    }
    out.push_str(&String::from_utf8_lossy(&b));
}

#[cfg(test)]
mod tests {
    use plugin_api::record::Encoder;

    use super::*;

    fn columns() -> Vec<Column> {
        [("dir", "DIR"), ("n", "U64"), ("ports", "U16:R"), ("pairs", "SC_U16:R"), ("hex", "H16"), ("ip", "IPX")]
            .iter()
            .map(|(n, s)| Column::parse(n, "", s).unwrap())
            .collect()
    }

    fn record() -> Vec<u8> {
        let mut e = Encoder::new(Vec::new());
        e.u8(1);
        e.u64(7);
        e.rep(2);
        e.u16(80);
        e.u16(443);
        e.rep(2);
        e.str(b"a");
        e.u16(1);
        e.str(b"b");
        e.u16(2);
        e.u16(0x1f);
        e.u8(0);
        e.into_inner()
    }

    #[test]
    fn arrays_where_the_engine_has_them_else_t2_text() {
        let mut row = Vec::new();
        RowDecoder::new(&columns(), Dialect::Postgres, true).decode(&record(), &mut row).unwrap();
        assert_eq!(
            row,
            [
                Field::Text("B".into()),
                Field::UInt(7),
                Field::Array(vec![Field::UInt(80), Field::UInt(443)]),
                Field::Array(vec![Field::Text("a_1".into()), Field::Text("b_2".into())]),
                Field::Hex(0x1f, 4),
                Field::Null,
            ]
        );
        RowDecoder::new(&columns(), Dialect::Sqlite, true).decode(&record(), &mut row).unwrap();
        assert_eq!(row[2], Field::Text("80;443".into()));
        assert_eq!(row[3], Field::Text("a_1;b_2".into()));
        assert_eq!(row.len(), 6);
    }

    #[test]
    fn a_cut_record_is_an_error() {
        let rec = record();
        let mut row = Vec::new();
        assert!(RowDecoder::new(&columns(), Dialect::Sqlite, true).decode(&rec[..12], &mut row).is_err());
    }
}
