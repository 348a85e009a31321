//! Column descriptors (plugin-abi.md §8) and their text signature.
//!
//! A column's type crosses the ABI as a signature in the syntax of T2's headers file, extended
//! with three codes the file prints differently: `TS` (timestamp, printed `U64.U32`), `DUR`
//! (duration, printed `U64.U32`) and `DIR` (flow direction, printed `C`):
//!
//! ```text
//! column := values [":R"]            values joined by '_', ":R" = repeating column
//! value  := PRIM | "(" values [":R"] ")"
//! PRIM   := I8 I16 I32 I64 U8 U16 U32 U64 H8 H16 H32 H64 F D C S SC MAC IP4 IP6 IPX TS DUR DIR
//! ```
//!
//! Examples: `U64`, `SC:R`, `SC_U64:R`, `H32_H16`, `(D:R):R`.

use core::fmt;

/// A primitive value type; the discriminant is T2's binary type id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Prim {
    /// Signed 8-bit integer.
    I8 = 1,
    /// Signed 16-bit integer.
    I16 = 2,
    /// Signed 32-bit integer.
    I32 = 3,
    /// Signed 64-bit integer.
    I64 = 4,
    /// Unsigned 8-bit integer.
    U8 = 7,
    /// Unsigned 16-bit integer.
    U16 = 8,
    /// Unsigned 32-bit integer.
    U32 = 9,
    /// Unsigned 64-bit integer.
    U64 = 10,
    /// 8-bit value printed in hex.
    H8 = 13,
    /// 16-bit value printed in hex.
    H16 = 14,
    /// 32-bit value printed in hex.
    H32 = 15,
    /// 64-bit value printed in hex.
    H64 = 16,
    /// IEEE-754 single precision.
    F32 = 19,
    /// IEEE-754 double precision.
    F64 = 20,
    /// One raw byte.
    Char = 22,
    /// NUL-terminated string, printed quoted.
    Str = 23,
    /// Flow direction byte (0 = A).
    Dir = 24,
    /// Timestamp: u64 seconds + u32 fraction.
    Time = 25,
    /// Duration: u64 seconds + u32 fraction.
    Duration = 26,
    /// MAC address (6 bytes).
    Mac = 27,
    /// IPv4 address (4 bytes).
    Ip4 = 28,
    /// IPv6 address (16 bytes).
    Ip6 = 29,
    /// IP version byte then 0, 4 or 16 address bytes.
    IpX = 30,
    /// NUL-terminated string, printed unquoted.
    StrClass = 31,
}

const CODES: &[(&str, Prim)] = &[
    ("I8", Prim::I8),
    ("I16", Prim::I16),
    ("I32", Prim::I32),
    ("I64", Prim::I64),
    ("U8", Prim::U8),
    ("U16", Prim::U16),
    ("U32", Prim::U32),
    ("U64", Prim::U64),
    ("H8", Prim::H8),
    ("H16", Prim::H16),
    ("H32", Prim::H32),
    ("H64", Prim::H64),
    ("F", Prim::F32),
    ("D", Prim::F64),
    ("C", Prim::Char),
    ("SC", Prim::StrClass),
    ("S", Prim::Str),
    ("MAC", Prim::Mac),
    ("IP4", Prim::Ip4),
    ("IP6", Prim::Ip6),
    ("IPX", Prim::IpX),
    ("TS", Prim::Time),
    ("DUR", Prim::Duration),
    ("DIR", Prim::Dir),
];

impl Prim {
    /// Signature code of this type (the inverse of parsing).
    pub fn sig_code(self) -> &'static str {
        CODES.iter().find(|(_, p)| *p == self).map(|(c, _)| *c).unwrap_or("?")
    }

    /// Code printed in the headers file's `Type` column (`TFS_NC_TYPE` = 2).
    pub fn header_code(self) -> &'static str {
        match self {
            Prim::Time | Prim::Duration => "U64.U32",
            Prim::Dir => "C",
            p => p.sig_code(),
        }
    }

    /// Fixed size in a record, or `None` for strings and IPX (variable).
    pub fn fixed_size(self) -> Option<usize> {
        Some(match self {
            Prim::I8 | Prim::U8 | Prim::H8 | Prim::Char | Prim::Dir => 1,
            Prim::I16 | Prim::U16 | Prim::H16 => 2,
            Prim::I32 | Prim::U32 | Prim::H32 | Prim::F32 | Prim::Ip4 => 4,
            Prim::I64 | Prim::U64 | Prim::H64 | Prim::F64 => 8,
            Prim::Time | Prim::Duration => 12,
            Prim::Mac => 6,
            Prim::Ip6 => 16,
            Prim::Str | Prim::StrClass | Prim::IpX => return None,
        })
    }
}

/// One value of a column: a primitive, or a compound of values that may repeat.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// A primitive.
    Prim(Prim),
    /// A nested compound, rendered in parentheses.
    Compound {
        /// The compound's values.
        values: Vec<Value>,
        /// Whether the compound repeats (u32 count first).
        repeating: bool,
    },
}

/// A flow-file column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    /// Column name, e.g. `hdrDesc`.
    pub name: String,
    /// Description for the headers file.
    pub desc: String,
    /// The column's values (more than one = compound column joined by `_`).
    pub values: Vec<Value>,
    /// Whether the column repeats (u32 count first, repetitions joined by `;`).
    pub repeating: bool,
}

/// A signature that does not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigError {
    /// The signature.
    pub sig: String,
    /// Byte offset where parsing failed.
    pub at: usize,
}

impl fmt::Display for SigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bad type signature '{}' at offset {}", self.sig, self.at)
    }
}

impl std::error::Error for SigError {}

impl Column {
    /// Builds a column from a signature such as `SC_U64:R`.
    pub fn parse(name: &str, desc: &str, sig: &str) -> Result<Column, SigError> {
        let (values, repeating) = parse_sig(sig)?;
        Ok(Column { name: name.to_owned(), desc: desc.to_owned(), values, repeating })
    }

    /// The signature of this column (round-trips with [`Column::parse`]).
    pub fn signature(&self) -> String {
        let mut s = String::new();
        write_values(&mut s, &self.values, self.repeating, Prim::sig_code);
        s
    }

    /// The `Type` text of the headers file (`U64.U32` for times, `C` for directions).
    pub fn header_type(&self) -> String {
        let mut s = String::new();
        write_values(&mut s, &self.values, self.repeating, Prim::header_code);
        s
    }

    /// The headers-file type with numeric type ids (`TFS_NC_TYPE` = 1), e.g. `(20:R):R`.
    pub fn numeric_type(&self) -> String {
        let mut s = String::new();
        write_values_with(&mut s, &self.values, self.repeating, &|s, p| s.push_str(&(p as u8).to_string()));
        s
    }
}

fn write_values(out: &mut String, values: &[Value], repeating: bool, code: fn(Prim) -> &'static str) {
    write_values_with(out, values, repeating, &|s, p| s.push_str(code(p)));
}

fn write_values_with(out: &mut String, values: &[Value], repeating: bool, prim: &dyn Fn(&mut String, Prim)) {
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push('_');
        }
        match v {
            Value::Prim(p) => prim(out, *p),
            Value::Compound { values, repeating } => {
                out.push('(');
                write_values_with(out, values, *repeating, prim);
                out.push(')');
            }
        }
    }
    if repeating {
        out.push_str(":R");
    }
}

/// Parses a column signature into its values and the repeating flag.
pub fn parse_sig(sig: &str) -> Result<(Vec<Value>, bool), SigError> {
    let mut p = Parser { s: sig.as_bytes(), pos: 0 };
    let (values, repeating) = p.values().map_err(|at| SigError { sig: sig.to_owned(), at })?;
    if p.pos != p.s.len() {
        return Err(SigError { sig: sig.to_owned(), at: p.pos });
    }
    Ok((values, repeating))
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn values(&mut self) -> Result<(Vec<Value>, bool), usize> {
        let mut values = vec![self.value()?];
        while self.s.get(self.pos) == Some(&b'_') {
            self.pos += 1;
            values.push(self.value()?);
        }
        let repeating = self.s[self.pos..].starts_with(b":R");
        if repeating {
            self.pos += 2;
        }
        Ok((values, repeating))
    }

    fn value(&mut self) -> Result<Value, usize> {
        if self.s.get(self.pos) == Some(&b'(') {
            self.pos += 1;
            let (values, repeating) = self.values()?;
            if self.s.get(self.pos) != Some(&b')') {
                return Err(self.pos);
            }
            self.pos += 1;
            return Ok(Value::Compound { values, repeating });
        }
        let rest = &self.s[self.pos..];
        let end = rest.iter().position(|c| matches!(c, b'_' | b':' | b')')).unwrap_or(rest.len());
        let word = &rest[..end];
        let prim = CODES.iter().find(|(c, _)| c.as_bytes() == word).map(|(_, p)| *p).ok_or(self.pos)?;
        self.pos += end;
        Ok(Value::Prim(prim))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_spec_examples() {
        for sig in ["U64", "SC:R", "SC_U64:R", "H32_H16", "(D:R):R", "U8_U8:R", "(U8_U8_U8)_(U8_U8_U8)", "TS", "DIR"] {
            let c = Column::parse("x", "y", sig).unwrap();
            assert_eq!(c.signature(), sig);
        }
    }

    #[test]
    fn header_codes_follow_the_headers_file() {
        assert_eq!(Column::parse("t", "", "TS").unwrap().header_type(), "U64.U32");
        assert_eq!(Column::parse("d", "", "DIR").unwrap().header_type(), "C");
        assert_eq!(Column::parse("v", "", "(D:R):R").unwrap().header_type(), "(D:R):R");
        assert_eq!(Column::parse("v", "", "(D:R):R").unwrap().numeric_type(), "(20:R):R");
        assert_eq!(Column::parse("v", "", "SC_U64:R").unwrap().numeric_type(), "31_10:R");
    }

    #[test]
    fn rejects_bad_signatures_with_position() {
        assert_eq!(parse_sig("U65").unwrap_err().at, 0);
        assert_eq!(parse_sig("U8_").unwrap_err().at, 3);
        assert_eq!(parse_sig("(U8").unwrap_err().at, 3);
        assert_eq!(parse_sig("U8)").unwrap_err().at, 2);
        assert!(parse_sig("").is_err());
    }
}
