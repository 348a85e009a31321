//! A flow record decoded by its columns, for assertions: each column's text and numbers.

use core::fmt::Write as _;
use core::ops::Index;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::fmt::float;
use crate::record::{DecodeError, Decoder, Lead, Val, Visitor};
use crate::types::Column;

/// A number of a record, as decoded.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Num {
    U(u64),
    I(i64),
    F(f64),
}

/// One flow record, column by column: the text of each column as txtSink writes it with its
/// default flags (except that strings are not escaped), and its numbers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Row {
    cols: Vec<(String, String, Vec<Num>)>,
}

impl Row {
    /// Decodes `rec` by `columns`; the whole record must be used.
    pub fn decode(columns: &[Column], rec: &[u8]) -> Result<Row, DecodeError> {
        let mut b = Builder { row: Row::default(), names: columns.iter().map(|c| c.name.clone()).collect() };
        let used = Decoder::new(columns).decode(rec, &mut b)?;
        assert_eq!(used, rec.len(), "the record is longer than its columns: {rec:?}");
        Ok(b.row)
    }

    /// The text of column `name`, if there is one.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.cols.iter().find(|c| c.0 == name).map(|c| c.1.as_str())
    }

    /// Whether there is a column `name`.
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The column names in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.cols.iter().map(|c| c.0.as_str())
    }

    /// The number of columns.
    pub fn len(&self) -> usize {
        self.cols.len()
    }

    /// Whether there is no column.
    pub fn is_empty(&self) -> bool {
        self.cols.is_empty()
    }

    fn num(&self, name: &str) -> Num {
        let (_, _, nums) = self.cols.iter().find(|c| c.0 == name).unwrap_or_else(|| panic!("no column {name}"));
        match nums[..] {
            [n] => n,
            _ => panic!("column {name} holds {} numbers, not one", nums.len()),
        }
    }

    /// The unsigned value of column `name` (one `U*`/`H*`/`C`/`DIR` value).
    pub fn u64(&self, name: &str) -> u64 {
        match self.num(name) {
            Num::U(v) => v,
            n => panic!("column {name} is {n:?}"),
        }
    }

    /// The signed value of column `name` (one `I*` value).
    pub fn i64(&self, name: &str) -> i64 {
        match self.num(name) {
            Num::I(v) => v,
            n => panic!("column {name} is {n:?}"),
        }
    }

    /// The value of float column `name` (one `F` value).
    pub fn f32(&self, name: &str) -> f32 {
        self.f64(name) as f32
    }

    /// The value of float column `name` (one `F` or `D` value).
    pub fn f64(&self, name: &str) -> f64 {
        match self.num(name) {
            Num::F(v) => v,
            n => panic!("column {name} is {n:?}"),
        }
    }
}

impl Index<&str> for Row {
    type Output = String;

    /// The text of column `name`; panics without one.
    fn index(&self, name: &str) -> &String {
        match self.cols.iter().find(|c| c.0 == name) {
            Some(c) => &c.1,
            None => panic!("no column {name} in {:?}", self.names().collect::<Vec<_>>()),
        }
    }
}

/// The visitor filling a [`Row`].
struct Builder {
    row: Row,
    names: Vec<String>,
}

impl Builder {
    fn text(&mut self) -> &mut String {
        &mut self.row.cols.last_mut().expect("a column has started").1
    }
}

impl Visitor for Builder {
    fn lead(&mut self, lead: Lead) {
        match lead {
            Lead::Column(n) => self.row.cols.push((self.names[n as usize].clone(), String::new(), Vec::new())),
            Lead::Member => self.text().push('_'),
            Lead::None => {}
        }
    }

    fn value(&mut self, v: Val<'_>) {
        let Some((_, text, nums)) = self.row.cols.last_mut() else { return };
        let mut num = |n: Num, shown: &dyn core::fmt::Display| {
            nums.push(n);
            // Writing to a String cannot fail.
            let _ = write!(text, "{shown}");
        };
        match v {
            Val::I8(n) => num(Num::I(n.into()), &n),
            Val::I16(n) => num(Num::I(n.into()), &n),
            Val::I32(n) => num(Num::I(n.into()), &n),
            Val::I64(n) => num(Num::I(n), &n),
            Val::U8(n) => num(Num::U(n.into()), &n),
            Val::U16(n) => num(Num::U(n.into()), &n),
            Val::U32(n) => num(Num::U(n.into()), &n),
            Val::U64(n) => num(Num::U(n), &n),
            Val::H8(n) => num(Num::U(n.into()), &format_args!("0x{n:02x}")),
            Val::H16(n) => num(Num::U(n.into()), &format_args!("0x{n:04x}")),
            Val::H32(n) => num(Num::U(n.into()), &format_args!("0x{n:08x}")),
            Val::H64(n) => num(Num::U(n), &format_args!("0x{n:016x}")),
            Val::F32(x) => num(Num::F(x.into()), &c_text(|o| float::g7(o, x.into()))),
            Val::F64(x) => num(Num::F(x), &c_text(|o| float::f6(o, x))),
            Val::Char(c) => num(Num::U(c.into()), &char::from(c)),
            Val::Dir(d) => num(Num::U(d.into()), &if d == 0 { 'A' } else { 'B' }),
            Val::Str(s) => text.push_str(&format!("\"{}\"", String::from_utf8_lossy(s))),
            Val::StrClass(s) => text.push_str(&String::from_utf8_lossy(s)),
            Val::Time(s, f) | Val::Duration(s, f) => text.push_str(&format!("{s}.{f:09}")),
            Val::Mac(m) => text.push_str(&m.map(|b| format!("{b:02x}")).join(":")),
            Val::Ip4(a) => text.push_str(&Ipv4Addr::from(a).to_string()),
            Val::Ip6(a) => text.push_str(&Ipv6Addr::from(a).to_string()),
            Val::NoIp => text.push('-'),
        }
    }

    fn open(&mut self) {
        self.text().push('(');
    }

    fn close(&mut self) {
        self.text().push(')');
    }

    fn next(&mut self) {
        self.text().push(';');
    }
}

/// The text a formatter of [`float`] writes.
fn c_text(f: impl FnOnce(&mut Vec<u8>)) -> String {
    let mut out = Vec::new();
    f(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Encoder;

    #[test]
    fn text_and_numbers_by_column() {
        let cols: Vec<Column> = [("a", "U16"), ("b", "H16_I8"), ("c", "F:R"), ("d", "(D_SC):R"), ("e", "IPX")]
            .iter()
            .map(|(n, s)| Column::parse(n, "", s).unwrap())
            .collect();
        let mut e = Encoder::new(Vec::new());
        e.u16(7);
        e.u16(0x0a13);
        e.i8(-2);
        e.rep(2);
        e.f32(0.1);
        e.f32(1.0 / 3.0);
        e.rep(1);
        e.f64(2.5);
        e.str(b"x");
        e.ipx(0, &[0; 16]);
        let row = Row::decode(&cols, &e.into_inner()).unwrap();
        let texts = ["a", "b", "c", "d", "e"].map(|c| row[c].as_str());
        assert_eq!(texts, ["7", "0x0a13_-2", "0.1;0.3333333", "(2.500000_x)", "-"]);
        assert_eq!((row.u64("a"), row.names().count()), (7, 5));
        assert!(!row.contains("f"));
    }
}
