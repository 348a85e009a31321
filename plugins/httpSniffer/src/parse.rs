//! Reading HTTP bytes the way T2's httpSniffer does: pure functions over a packet's layer-7
//! bytes, no state, no allocation, no panic on any input.
//!
//! T2 works on C strings in the packet buffer and sometimes reads past the captured payload
//! (the status code after `HTTP/1.x`, the method compared before the length is checked, a
//! file name copied past its line). [`Payload`] reproduces that: positions index the layer-7
//! bytes the core hands over (padding included), and a read past them gives 0, the end of a
//! C string.

use memchr::memmem;

/// The layer-7 bytes of one packet and the part of them that is payload (`snapL7Len`).
#[derive(Clone, Copy, Debug)]
pub struct Payload<'a> {
    /// Everything after the layer-4 header that was captured (T2's buffer).
    pub buf: &'a [u8],
    /// Bytes of `buf` that are payload; never more than `buf.len()`.
    pub len: usize,
}

impl<'a> Payload<'a> {
    /// `buf` with its first `len` bytes as payload (`len` is cut to the buffer).
    pub fn new(buf: &'a [u8], len: usize) -> Payload<'a> {
        Payload { buf, len: len.min(buf.len()) }
    }

    /// The byte at `i`, 0 past the buffer.
    pub fn at(&self, i: usize) -> u8 {
        self.buf.get(i).copied().unwrap_or(0)
    }

    /// `len` bytes from `pos`, cut to the buffer.
    pub fn slice(&self, pos: usize, len: usize) -> &'a [u8] {
        let start = pos.min(self.buf.len());
        &self.buf[start..pos.saturating_add(len).min(self.buf.len())]
    }

    /// Whether the bytes at `pos` are `lit` (bytes past the buffer read as 0).
    pub fn starts_with(&self, pos: usize, lit: &[u8]) -> bool {
        lit.iter().enumerate().all(|(i, &c)| self.at(pos + i) == c)
    }

    /// Where `lit` first occurs in the `len` bytes from `pos`.
    pub fn find(&self, pos: usize, len: usize, lit: &[u8]) -> Option<usize> {
        memmem::find(self.slice(pos, len), lit).map(|i| pos + i)
    }

    /// The line ending (`\r\n`) in the `len` bytes from `pos`: the position of its `\r`
    /// (T2's `http_get_linesize`; fewer than 2 bytes hold none).
    pub fn line_end(&self, pos: usize, len: usize) -> Option<usize> {
        if len < 2 {
            return None;
        }
        self.find(pos, len, b"\r\n")
    }

    /// T2's `http_read_header_data`: when the line at `pos` starts with `name` (any case),
    /// the position of its value after the blanks that follow the name.
    pub fn header(&self, pos: usize, len: usize, name: &[u8]) -> Option<usize> {
        if !name.iter().enumerate().all(|(i, c)| self.at(pos + i).eq_ignore_ascii_case(c)) {
            return None;
        }
        let mut n = name.len();
        while n < len && self.at(pos + n) == b' ' {
            n += 1;
        }
        Some(pos + n)
    }
}

/// The bytes of a C string: up to the first NUL.
pub fn c_str(b: &[u8]) -> &[u8] {
    memchr::memchr(0, b).map_or(b, |n| &b[..n])
}

/// `strncmp(stored, data, n) == 0` for a stored C string (no NUL inside, an implied one at its
/// end) and `n` bytes of data: a stored value that the data's first `n` bytes begin counts as
/// equal, as in T2's per-flow aggregation.
pub fn strncmp_eq(stored: &[u8], data: &[u8], n: usize) -> bool {
    for i in 0..n {
        let a = stored.get(i).copied().unwrap_or(0);
        let b = data.get(i).copied().unwrap_or(0);
        if a != b {
            return false;
        }
        if a == 0 {
            return true;
        }
    }
    true
}

/// BSD `strnstr`: `lit` in `hay`, which ends at its first NUL; a match must end inside it.
pub fn strnstr(hay: &[u8], lit: &[u8]) -> Option<usize> {
    memmem::find(c_str(hay), lit)
}

/// `strtoul(code, NULL, 0)` on the three characters after `HTTP/1.x `: blanks and a sign
/// first, then a decimal, octal (`0`) or hexadecimal (`0x`) number; 0 when there is none.
pub fn status_code(code: [u8; 3]) -> u16 {
    let s = c_str(&code);
    let mut i = 0;
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r') {
        i += 1;
    }
    let neg = i < s.len() && s[i] == b'-';
    if i < s.len() && matches!(s[i], b'+' | b'-') {
        i += 1;
    }
    let mut radix = 10;
    if s.get(i) == Some(&b'0') {
        if matches!(s.get(i + 1), Some(b'x' | b'X')) && s.get(i + 2).is_some_and(u8::is_ascii_hexdigit) {
            radix = 16;
            i += 2;
        } else {
            radix = 8;
        }
    }
    let mut v: u64 = 0;
    while let Some(d) = s.get(i).and_then(|&c| char::from(c).to_digit(radix)) {
        v = v * u64::from(radix) + u64::from(d);
        i += 1;
    }
    // strtoul negates in unsigned arithmetic; T2 keeps the low 16 bits
    (if neg { v.wrapping_neg() } else { v }) as u16
}

/// The bit of `httpHeadMimes` for a Content-Type value: T2 compares the part before the first
/// `/` with each top-level type as `strncmp(value, type, part_len)`, so a prefix of a type
/// (even an empty one) counts as that type.
pub fn mime_bit(value: &[u8]) -> u16 {
    let n = memchr::memchr(b'/', value).unwrap_or(value.len());
    const TYPES: [(&[u8], u16); 11] = [
        (b"application", mime::APPL),
        (b"audio", mime::AUDIO),
        (b"image", mime::IMAGE),
        (b"message", mime::MSG),
        (b"model", mime::MODEL),
        (b"multipart", mime::MLTPRT),
        (b"text", mime::TEXT),
        (b"video", mime::VIDEO),
        (b"vnd", mime::VND),
        (b"x-pkcs", mime::XPKCS),
        (b"x", mime::X),
    ];
    TYPES.iter().find(|(t, _)| strncmp_eq(t, value, n)).map_or(mime::OTHER, |&(_, bit)| bit)
}

/// `inet_pton(AF_INET, s)` of glibc: four decimal octets up to 255, no leading zero.
pub fn is_dotted_quad(s: &[u8]) -> bool {
    let mut octets = 0;
    for part in s.split(|&c| c == b'.') {
        octets += 1;
        let ok = !part.is_empty()
            && part.len() <= 3
            && part.iter().all(u8::is_ascii_digit)
            && !(part.len() > 1 && part[0] == b'0')
            && part.iter().fold(0u32, |v, &d| v * 10 + u32::from(d - b'0')) <= 255;
        if !ok {
            return false;
        }
    }
    octets == 4
}

/// The request methods (`httpMethods` bits), in the order T2 tries them.
pub const METHODS: [(&[u8], u8); 8] = [
    (b"GET", 0x02),
    (b"POST", 0x08),
    (b"OPTIONS", 0x01),
    (b"DELETE", 0x20),
    (b"PUT", 0x10),
    (b"HEAD", 0x04),
    (b"CONNECT", 0x80),
    (b"TRACE", 0x40),
];

/// `httpMethods` bit of GET.
pub const GET: u8 = 0x02;
/// `httpMethods` bit of POST.
pub const POST: u8 = 0x08;

/// `httpHeadMimes` bits.
pub mod mime {
    /// application/...
    pub const APPL: u16 = 0x0001;
    /// audio/...
    pub const AUDIO: u16 = 0x0002;
    /// image/...
    pub const IMAGE: u16 = 0x0004;
    /// message/...
    pub const MSG: u16 = 0x0008;
    /// model/...
    pub const MODEL: u16 = 0x0010;
    /// multipart/...
    pub const MLTPRT: u16 = 0x0020;
    /// text/...
    pub const TEXT: u16 = 0x0040;
    /// video/...
    pub const VIDEO: u16 = 0x0080;
    /// vnd/...
    pub const VND: u16 = 0x0100;
    /// x/...
    pub const X: u16 = 0x0200;
    /// x-pkcs/...
    pub const XPKCS: u16 = 0x0400;
    /// anything else
    pub const OTHER: u16 = 0x8000;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes_read_as_strtoul_base_0() {
        assert_eq!(status_code(*b"200"), 200);
        assert_eq!(status_code(*b"404"), 404);
        assert_eq!(status_code(*b"010"), 8); // octal
        assert_eq!(status_code(*b"0x1"), 1);
        assert_eq!(status_code(*b"0xg"), 0);
        assert_eq!(status_code(*b" 42"), 42);
        assert_eq!(status_code(*b"-1\0"), 0xffff);
        assert_eq!(status_code(*b"OK\r"), 0);
        assert_eq!(status_code(*b"2\x009"), 2);
    }

    #[test]
    fn mime_types_match_as_t2_compares_them() {
        assert_eq!(mime_bit(b"text/html; charset=utf-8"), mime::TEXT);
        assert_eq!(mime_bit(b"image/png"), mime::IMAGE);
        assert_eq!(mime_bit(b"application/json"), mime::APPL);
        assert_eq!(mime_bit(b"app/x"), mime::APPL); // a prefix of "application"
        assert_eq!(mime_bit(b""), mime::APPL); // empty: strncmp of 0 bytes
        assert_eq!(mime_bit(b"x-pkcs/x"), mime::XPKCS);
        assert_eq!(mime_bit(b"x-foo/bar"), mime::OTHER);
        assert_eq!(mime_bit(b"TEXT/html"), mime::OTHER);
        assert_eq!(mime_bit(b"textual/html"), mime::OTHER);
    }

    #[test]
    fn dotted_quads_as_inet_pton() {
        assert!(is_dotted_quad(b"1.2.3.4"));
        assert!(is_dotted_quad(b"255.255.255.255"));
        for bad in [&b"1.2.3"[..], b"1.2.3.4:80", b"01.2.3.4", b"256.1.1.1", b"1..2.3", b"", b"a.b.c.d", b"1.2.3.4."] {
            assert!(!is_dotted_quad(bad), "{bad:?}");
        }
    }

    #[test]
    fn strncmp_equal_on_prefixes_and_nul() {
        assert!(strncmp_eq(b"text/html", b"text/html", 9));
        assert!(strncmp_eq(b"text/html", b"text", 4)); // the stored value starts with the data
        assert!(!strncmp_eq(b"text", b"text/html", 9));
        assert!(strncmp_eq(b"ab", b"ab\0zz", 5));
        assert!(strncmp_eq(b"", b"", 0));
    }

    #[test]
    fn payload_reads_zero_past_the_buffer() {
        let p = Payload::new(b"GET / HTTP/1.1\r\nHost: a\r\n", 100);
        assert_eq!(p.len, 25);
        assert_eq!(p.at(1000), 0);
        assert_eq!(p.line_end(0, p.len), Some(14));
        assert_eq!(p.line_end(0, 1), None);
        assert_eq!(p.header(16, p.len - 16, b"host:"), Some(22));
        assert_eq!(p.header(16, p.len - 16, b"Hostname:"), None);
        assert_eq!(p.slice(20, 1000), b": a\r\n");
        assert_eq!(p.slice(usize::MAX, 3), b"");
        assert!(!p.starts_with(24, b"\nX"));
        assert_eq!(strnstr(b"ab\0cd", b"cd"), None);
        assert_eq!(strnstr(b"abcd", b"cd"), Some(2));
    }
}
