//! Reading one value: typed values, bounds-checked reads, errors.

use core::fmt;

use super::program::Visitor;
use crate::fmt::text::zero_bytes;
use crate::types::Prim;

/// One decoded value; borrowed strings point into the record.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Val<'r> {
    /// `I8`.
    I8(i8),
    /// `I16`.
    I16(i16),
    /// `I32`.
    I32(i32),
    /// `I64`.
    I64(i64),
    /// `U8`.
    U8(u8),
    /// `U16`.
    U16(u16),
    /// `U32`.
    U32(u32),
    /// `U64`.
    U64(u64),
    /// `H8` (printed in hex).
    H8(u8),
    /// `H16`.
    H16(u16),
    /// `H32`.
    H32(u32),
    /// `H64`.
    H64(u64),
    /// `F`.
    F32(f32),
    /// `D`.
    F64(f64),
    /// `C`: one raw byte.
    Char(u8),
    /// `S`: the string's bytes, without the NUL.
    Str(&'r [u8]),
    /// `SC`: the string's bytes, without the NUL.
    StrClass(&'r [u8]),
    /// `DIR`: the direction byte (0 = A, anything else B).
    Dir(u8),
    /// `TS`: seconds and fraction (ns or µs by the core's `TSTAMP_PREC`), as stored.
    Time(u64, u32),
    /// `DUR`: seconds and fraction, as stored.
    Duration(u64, u32),
    /// `MAC`.
    Mac([u8; 6]),
    /// `IP4`, or an `IPX` of version 4.
    Ip4([u8; 4]),
    /// `IP6`, or an `IPX` of version 6.
    Ip6([u8; 16]),
    /// An `IPX` of version 0: no address.
    NoIp,
}

/// A record that does not match its column list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// Index of the column being read.
    pub column: usize,
    /// What went wrong.
    pub kind: DecodeErrorKind,
}

/// What is wrong with a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeErrorKind {
    /// The record ends too early: the read at its end needed `required` bytes of record in all
    /// (T2's sinks name this number; strings are read to their NUL, so a string running past
    /// the end needs one byte more than the record has).
    Truncated {
        /// Record length the failing read needed.
        required: usize,
    },
    /// An `IPX` value with a version other than 0, 4 or 6.
    IpVersion(u8),
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            DecodeErrorKind::Truncated { required } => {
                write!(f, "column {}: the record ends before byte {required}", self.column + 1)
            }
            DecodeErrorKind::IpVersion(v) => write!(f, "column {}: invalid IP version {v}", self.column + 1),
        }
    }
}

impl std::error::Error for DecodeError {}

/// Sequential, bounds-checked reads from one record.
#[derive(Debug)]
pub(super) struct Reader<'r> {
    rec: &'r [u8],
    pos: usize,
}

/// How reading one value failed (the column is added by the caller).
pub(super) type ReadResult<T> = Result<T, DecodeErrorKind>;

impl<'r> Reader<'r> {
    pub(super) fn new(rec: &'r [u8]) -> Reader<'r> {
        Reader { rec, pos: 0 }
    }

    /// Bytes read so far.
    pub(super) fn pos(&self) -> usize {
        self.pos
    }

    /// Reads `N` bytes; fails naming position + `N`.
    #[inline(always)]
    fn take<const N: usize>(&mut self) -> ReadResult<[u8; N]> {
        match self.rec.get(self.pos..).and_then(<[u8]>::first_chunk::<N>) {
            Some(&b) => {
                self.pos += N;
                Ok(b)
            }
            None => Err(DecodeErrorKind::Truncated { required: self.pos + N }),
        }
    }

    /// Reads a host-order u32 (repetition counts).
    #[inline]
    pub(super) fn u32(&mut self) -> ReadResult<u32> {
        Ok(u32::from_ne_bytes(self.take()?))
    }

    /// Reads a NUL-terminated string; without a NUL, the bytes to the end of the record.
    #[inline]
    fn str(&mut self) -> Result<&'r [u8], &'r [u8]> {
        let rest = &self.rec[self.pos.min(self.rec.len())..];
        match nul_at(rest) {
            Some(n) => {
                self.pos += n + 1;
                Ok(&rest[..n])
            }
            None => {
                self.pos = self.rec.len();
                Err(rest)
            }
        }
    }

    /// Reads one value of type `p` and hands it to `v`. A string running past the end goes to
    /// [`Visitor::unterminated`] with its bytes so far, then reading fails.
    ///
    /// Each arm builds its value right where `v` takes it: once `v`'s methods are inlined, the
    /// value never exists in memory as an enum, and this match and `v`'s fold into one.
    #[inline(always)]
    pub(super) fn value<V: Visitor>(&mut self, p: Prim, v: &mut V) -> ReadResult<()> {
        match p {
            Prim::I8 => v.value(Val::I8(i8::from_ne_bytes(self.take()?))),
            Prim::I16 => v.value(Val::I16(i16::from_ne_bytes(self.take()?))),
            Prim::I32 => v.value(Val::I32(i32::from_ne_bytes(self.take()?))),
            Prim::I64 => v.value(Val::I64(i64::from_ne_bytes(self.take()?))),
            Prim::U8 => v.value(Val::U8(self.take::<1>()?[0])),
            Prim::U16 => v.value(Val::U16(u16::from_ne_bytes(self.take()?))),
            Prim::U32 => v.value(Val::U32(self.u32()?)),
            Prim::U64 => v.value(Val::U64(u64::from_ne_bytes(self.take()?))),
            Prim::H8 => v.value(Val::H8(self.take::<1>()?[0])),
            Prim::H16 => v.value(Val::H16(u16::from_ne_bytes(self.take()?))),
            Prim::H32 => v.value(Val::H32(self.u32()?)),
            Prim::H64 => v.value(Val::H64(u64::from_ne_bytes(self.take()?))),
            Prim::F32 => v.value(Val::F32(f32::from_ne_bytes(self.take()?))),
            Prim::F64 => v.value(Val::F64(f64::from_ne_bytes(self.take()?))),
            Prim::Char => v.value(Val::Char(self.take::<1>()?[0])),
            Prim::Dir => v.value(Val::Dir(self.take::<1>()?[0])),
            Prim::Str => match self.str() {
                Ok(s) => v.value(Val::Str(s)),
                Err(partial) => return Err(self.unterminated(v, Val::Str(partial))),
            },
            Prim::StrClass => match self.str() {
                Ok(s) => v.value(Val::StrClass(s)),
                Err(partial) => return Err(self.unterminated(v, Val::StrClass(partial))),
            },
            // Two reads, as T2's sinks do: a cut value names the failing one.
            Prim::Time => v.value(Val::Time(u64::from_ne_bytes(self.take()?), self.u32()?)),
            Prim::Duration => v.value(Val::Duration(u64::from_ne_bytes(self.take()?), self.u32()?)),
            Prim::Mac => v.value(Val::Mac(self.take()?)),
            Prim::Ip4 => v.value(Val::Ip4(self.take()?)),
            Prim::Ip6 => v.value(Val::Ip6(self.take()?)),
            Prim::IpX => match self.take::<1>()?[0] {
                4 => v.value(Val::Ip4(self.take()?)),
                6 => v.value(Val::Ip6(self.take()?)),
                0 => v.value(Val::NoIp),
                ver => return Err(DecodeErrorKind::IpVersion(ver)),
            },
        }
        Ok(())
    }

    /// Hands the cut string `partial` to `v`; the error to return.
    #[cold]
    fn unterminated<V: Visitor>(&self, v: &mut V, partial: Val<'_>) -> DecodeErrorKind {
        v.unterminated(partial);
        DecodeErrorKind::Truncated { required: self.rec.len() + 1 }
    }
}

/// Index of the first NUL of `s`, eight bytes at a time (the strings of a record are short: an
/// inline word loop, where `memchr` would be a call set up for long haystacks).
#[inline(always)]
fn nul_at(s: &[u8]) -> Option<usize> {
    let mut i = 0;
    while let Some(chunk) = s.get(i..).and_then(<[u8]>::first_chunk::<8>) {
        let zeros = zero_bytes(u64::from_le_bytes(*chunk));
        if zeros != 0 {
            return Some(i + (zeros.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    let tail = s.get(i..).unwrap_or_default();
    tail.iter().position(|&b| b == 0).map(|n| i + n)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `p` reads from `rec`: the value handed over (`cut` for a cut string), as text.
    fn one(p: Prim, rec: &[u8]) -> ReadResult<String> {
        struct Last(String);
        impl Visitor for Last {
            fn value(&mut self, v: Val<'_>) {
                self.0 = format!("{v:?}");
            }
            fn unterminated(&mut self, v: Val<'_>) {
                self.0 = format!("cut {v:?}");
            }
        }
        let mut last = Last(String::new());
        let res = Reader::new(rec).value(p, &mut last);
        res.map(|()| last.0)
    }

    fn ok(v: Val<'_>) -> ReadResult<String> {
        Ok(format!("{v:?}"))
    }

    #[test]
    fn reads_each_type() {
        assert_eq!(one(Prim::I16, &(-2i16).to_ne_bytes()), ok(Val::I16(-2)));
        assert_eq!(one(Prim::H64, &7u64.to_ne_bytes()), ok(Val::H64(7)));
        assert_eq!(one(Prim::F32, &1.5f32.to_ne_bytes()), ok(Val::F32(1.5)));
        assert_eq!(one(Prim::Dir, &[1]), ok(Val::Dir(1)));
        assert_eq!(one(Prim::Str, b"ab\0c"), ok(Val::Str(b"ab")));
        assert_eq!(one(Prim::StrClass, b"\0"), ok(Val::StrClass(b"")));
        assert_eq!(one(Prim::IpX, &[4, 10, 0, 0, 1]), ok(Val::Ip4([10, 0, 0, 1])));
        assert_eq!(one(Prim::IpX, &[0]), ok(Val::NoIp));
        assert_eq!(one(Prim::IpX, &[5]), Err(DecodeErrorKind::IpVersion(5)));
        let mut t = 3u64.to_ne_bytes().to_vec();
        t.extend_from_slice(&4u32.to_ne_bytes());
        assert_eq!(one(Prim::Duration, &t), ok(Val::Duration(3, 4)));
    }

    #[test]
    fn finds_the_first_nul() {
        for len in 0..20 {
            let mut s: Vec<u8> = (1..=len as u8).collect();
            assert_eq!(nul_at(&s), None);
            for pos in 0..len {
                s[pos] = 0;
                assert_eq!(nul_at(&s), Some(pos), "{s:?}");
                // A later NUL and a byte 0x01 after it must not move it.
                s[pos] = 1;
            }
            if len > 2 {
                s[len - 1] = 0;
                s[1] = 0;
                assert_eq!(nul_at(&s), Some(1));
            }
        }
    }

    #[test]
    fn short_records_name_the_bytes_needed() {
        let cut = |p, rec: &[u8]| one(p, rec).unwrap_err();
        assert_eq!(cut(Prim::U64, &[1, 2, 3]), DecodeErrorKind::Truncated { required: 8 });
        assert_eq!(cut(Prim::Time, &[0; 4]), DecodeErrorKind::Truncated { required: 8 });
        assert_eq!(cut(Prim::Time, &[0; 10]), DecodeErrorKind::Truncated { required: 12 });
        assert_eq!(cut(Prim::IpX, &[6, 1, 2]), DecodeErrorKind::Truncated { required: 17 });
        assert_eq!(cut(Prim::IpX, &[]), DecodeErrorKind::Truncated { required: 1 });
        assert_eq!(cut(Prim::Str, b"abc"), DecodeErrorKind::Truncated { required: 4 });
    }
}
