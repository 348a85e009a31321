//! Writing records: typed appenders over any byte buffer.

use crate::abi::OutBuf;
use crate::host::{Host, append};
use crate::types::{Column, Value};

/// Where an [`Encoder`] appends bytes.
pub trait RecordBuf {
    /// Appends `bytes`.
    fn put(&mut self, bytes: &[u8]);
}

impl RecordBuf for Vec<u8> {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

impl<B: RecordBuf + ?Sized> RecordBuf for &mut B {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        (**self).put(bytes);
    }
}

/// The host's record buffer of the flow being terminated (grown through the host).
#[derive(Debug)]
pub struct HostBuf<'a> {
    buf: &'a mut OutBuf,
    host: Host,
}

impl RecordBuf for HostBuf<'_> {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        // A failed append is recorded by the host, which ends the run after this callback.
        append(&self.host, self.buf, bytes);
    }
}

/// The record of the flow being terminated, as `on_flow_terminate` appends to it. The values
/// must follow the column signatures the plugin declared, in order: sinks decode records by
/// the column list.
pub type Output<'a> = Encoder<HostBuf<'a>>;

impl<'a> Output<'a> {
    pub(crate) fn for_host(buf: &'a mut OutBuf, host: Host) -> Output<'a> {
        Encoder::new(HostBuf { buf, host })
    }
}

/// Appends values in the record encoding (see [the module](super)) to a [`RecordBuf`].
#[derive(Debug)]
pub struct Encoder<B> {
    buf: B,
}

macro_rules! num_appenders {
    ($($name:ident: $t:ty),* $(,)?) => {
        $(
            #[doc = concat!("Appends a `", stringify!($t), "`.")]
            #[inline]
            pub fn $name(&mut self, v: $t) {
                self.buf.put(&v.to_ne_bytes());
            }
        )*
    };
}

impl<B: RecordBuf> Encoder<B> {
    /// An encoder appending to `buf`.
    pub fn new(buf: B) -> Encoder<B> {
        Encoder { buf }
    }

    /// The buffer.
    pub fn into_inner(self) -> B {
        self.buf
    }

    num_appenders!(u8: u8, u16: u16, u32: u32, u64: u64, i8: i8, i16: i16, i32: i32, i64: i64, f32: f32, f64: f64);

    /// Appends a repetition count.
    #[inline]
    pub fn rep(&mut self, n: u32) {
        self.u32(n);
    }

    /// Appends a string (`S`/`SC`): the bytes up to the first NUL, then a NUL.
    pub fn str(&mut self, s: &[u8]) {
        let end = s.iter().position(|&c| c == 0).unwrap_or(s.len());
        self.buf.put(&s[..end]);
        self.buf.put(&[0]);
    }

    /// Appends a timestamp or duration: u64 seconds and u32 fraction.
    #[inline]
    pub fn time(&mut self, sec: u64, frac: u32) {
        self.u64(sec);
        self.u32(frac);
    }

    /// Appends a MAC address.
    #[inline]
    pub fn mac(&mut self, mac: &[u8; 6]) {
        self.buf.put(mac);
    }

    /// Appends an IPv4 address (network order).
    #[inline]
    pub fn ip4(&mut self, ip: &[u8; 4]) {
        self.buf.put(ip);
    }

    /// Appends an IPv6 address.
    #[inline]
    pub fn ip6(&mut self, ip: &[u8; 16]) {
        self.buf.put(ip);
    }

    /// Appends an `IPX` value: version 4 (first 4 bytes of `ip`), 6, or 0 (no address).
    pub fn ipx(&mut self, version: u8, ip: &[u8; 16]) {
        self.u8(version);
        match version {
            4 => self.buf.put(&ip[..4]),
            6 => self.buf.put(ip),
            _ => {}
        }
    }

    /// Appends the "empty" value of `col`: zero numbers, empty strings, no address, no
    /// repetitions. The host writes it for the columns of a plugin that is switched off.
    pub fn empty(&mut self, col: &Column) {
        if col.repeating {
            self.rep(0);
        } else {
            self.empty_values(&col.values);
        }
    }

    fn empty_values(&mut self, values: &[Value]) {
        for v in values {
            match v {
                Value::Prim(p) => match p.fixed_size() {
                    Some(n) => {
                        for _ in 0..n {
                            self.buf.put(&[0]);
                        }
                    }
                    // strings: a lone NUL; IPX: version 0, no address
                    None => self.buf.put(&[0]),
                },
                Value::Compound { repeating: true, .. } => self.rep(0),
                Value::Compound { values, repeating: false } => self.empty_values(values),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn empty(sig: &str) -> Vec<u8> {
        let mut e = Encoder::new(Vec::new());
        e.empty(&Column::parse("a", "", sig).unwrap());
        e.into_inner()
    }

    #[test]
    fn empty_encodings() {
        assert_eq!(empty("H64"), [0; 8]);
        assert_eq!(empty("TS_MAC"), [0; 18]);
        assert_eq!(empty("SC:R"), 0u32.to_ne_bytes());
        assert_eq!(empty("(U8_U8_U8)_S_IPX"), [0; 5]);
        assert_eq!(empty("U8_(U16:R)"), [0; 5]);
    }

    #[test]
    fn values_in_host_order_strings_cut_at_nul() {
        let mut e = Encoder::new(Vec::new());
        e.u16(0x0102);
        e.str(b"ab\0cd");
        e.ipx(4, &[10, 0, 0, 1, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9]);
        e.ipx(0, &[9; 16]);
        e.time(1, 2);
        let mut want = 0x0102u16.to_ne_bytes().to_vec();
        want.extend_from_slice(b"ab\0\x04\x0a\0\0\x01\0");
        want.extend_from_slice(&1u64.to_ne_bytes());
        want.extend_from_slice(&2u32.to_ne_bytes());
        assert_eq!(e.into_inner(), want);
    }
}
