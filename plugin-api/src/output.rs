//! Appending column values to a flow record (plugin-abi.md §9 encoding).
//!
//! Numbers are written in host byte order, addresses in network order, strings NUL-terminated,
//! and a repeating column or compound starts with a u32 count. The values a plugin appends must
//! follow the signatures it declared, in order; sinks parse records blindly.

use crate::abi::OutBuf;
use crate::host::{Host, append};

/// The record of the flow being terminated.
#[derive(Debug)]
pub struct Output<'a> {
    buf: &'a mut OutBuf,
    host: Host,
}

macro_rules! num_appenders {
    ($($name:ident: $t:ty),* $(,)?) => {
        $(
            #[doc = concat!("Appends a `", stringify!($t), "`.")]
            pub fn $name(&mut self, v: $t) {
                self.bytes(&v.to_ne_bytes());
            }
        )*
    };
}

impl<'a> Output<'a> {
    pub(crate) fn new(buf: &'a mut OutBuf, host: Host) -> Output<'a> {
        Output { buf, host }
    }

    fn bytes(&mut self, b: &[u8]) {
        // A failed append is recorded by the host, which ends the run after this callback.
        append(&self.host, self.buf, b);
    }

    num_appenders!(u8: u8, u16: u16, u32: u32, u64: u64, i8: i8, i16: i16, i32: i32, i64: i64, f32: f32, f64: f64);

    /// Appends a repetition count.
    pub fn rep(&mut self, n: u32) {
        self.u32(n);
    }

    /// Appends a string (`S`/`SC`): the bytes up to the first NUL, then a NUL.
    pub fn str(&mut self, s: &[u8]) {
        let end = s.iter().position(|&c| c == 0).unwrap_or(s.len());
        self.bytes(&s[..end]);
        self.bytes(&[0]);
    }

    /// Appends a timestamp or duration: u64 seconds and u32 fraction.
    pub fn time(&mut self, sec: u64, frac: u32) {
        self.u64(sec);
        self.u32(frac);
    }

    /// Appends a MAC address.
    pub fn mac(&mut self, mac: &[u8; 6]) {
        self.bytes(mac);
    }

    /// Appends an IPv4 address (network order).
    pub fn ip4(&mut self, ip: &[u8; 4]) {
        self.bytes(ip);
    }

    /// Appends an IPv6 address.
    pub fn ip6(&mut self, ip: &[u8; 16]) {
        self.bytes(ip);
    }

    /// Appends an `IPX` value: version 4 (first 4 bytes of `ip`), 6, or 0 (no address).
    pub fn ipx(&mut self, version: u8, ip: &[u8; 16]) {
        self.u8(version);
        match version {
            4 => self.bytes(&ip[..4]),
            6 => self.bytes(ip),
            _ => {}
        }
    }
}
