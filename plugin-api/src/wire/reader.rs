//! A bounded cursor over layer-7 bytes, for decoders of length-prefixed fields (DNS, TLS,
//! HTTP/2, ...), in the manner of rustls' `codec::Reader`.
//!
//! Every read either returns the whole value and moves on, or returns `None` and leaves the
//! cursor where it was: a decoder never reads past its buffer, never panics, and can stop at
//! the first `None` with `?`. A length field read from the packet bounds a [`Reader::sub`]
//! reader, so a lying length can never make a decoder read beyond what it was given.

/// A cursor over a byte slice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A cursor at the start of `buf`.
    #[inline]
    pub const fn new(buf: &'a [u8]) -> Reader<'a> {
        Reader { buf, pos: 0 }
    }

    /// The next `n` bytes, or `None` (and no move) if fewer are left.
    #[inline]
    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.buf.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }

    /// Skips `n` bytes, or returns `None` (and does not move) if fewer are left.
    #[inline]
    pub fn skip(&mut self, n: usize) -> Option<()> {
        self.take(n).map(|_| ())
    }

    /// A reader over the next `len` bytes, which this one moves past; `None` if fewer are left.
    #[inline]
    pub fn sub(&mut self, len: usize) -> Option<Reader<'a>> {
        self.take(len).map(Reader::new)
    }

    /// A reader over a field prefixed by its 8-bit length; `None` (and no move) if the
    /// length or the field is cut.
    #[inline]
    pub fn sub_u8_len(&mut self) -> Option<Reader<'a>> {
        let mut r = *self;
        let len = r.u8()?;
        let sub = r.sub(usize::from(len))?;
        *self = r;
        Some(sub)
    }

    /// A reader over a field prefixed by its 16-bit big-endian length; `None` (and no move) if
    /// the length or the field is cut.
    #[inline]
    pub fn sub_u16_len(&mut self) -> Option<Reader<'a>> {
        let mut r = *self;
        let len = r.u16()?;
        let sub = r.sub(usize::from(len))?;
        *self = r;
        Some(sub)
    }

    /// The next byte.
    #[inline]
    pub fn u8(&mut self) -> Option<u8> {
        self.array::<1>().map(|[b]| b)
    }

    /// The next 16-bit big-endian integer.
    #[inline]
    pub fn u16(&mut self) -> Option<u16> {
        self.array().map(u16::from_be_bytes)
    }

    /// The next 24-bit big-endian integer (TLS handshake lengths).
    #[inline]
    pub fn u24(&mut self) -> Option<u32> {
        self.array::<3>().map(|[a, b, c]| u32::from_be_bytes([0, a, b, c]))
    }

    /// The next 32-bit big-endian integer.
    #[inline]
    pub fn u32(&mut self) -> Option<u32> {
        self.array().map(u32::from_be_bytes)
    }

    /// The next `N` bytes as an array.
    #[inline]
    pub fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N).and_then(|s| s.try_into().ok())
    }

    /// The next byte, without moving.
    #[inline]
    pub fn peek(&self) -> Option<u8> {
        self.buf.get(self.pos).copied()
    }

    /// Everything left; the cursor moves to the end.
    #[inline]
    pub fn rest(&mut self) -> &'a [u8] {
        let s = self.buf.get(self.pos..).unwrap_or(&[]);
        self.pos = self.buf.len();
        s
    }

    /// Whether any byte is left.
    #[inline]
    pub fn any_left(&self) -> bool {
        self.pos < self.buf.len()
    }

    /// How many bytes are left.
    #[inline]
    pub fn left(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    /// How many bytes were read: the position in the buffer.
    #[inline]
    pub fn used(&self) -> usize {
        self.pos
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::captured::UDP_MDNS;
    use crate::wire::{Ipv4, Udp};

    /// The mDNS query of the capture: a DNS header, then one question.
    fn dns() -> &'static [u8] {
        Udp::new(Ipv4::at(&UDP_MDNS, 14).payload()).payload()
    }

    #[test]
    fn decodes_a_captured_dns_question() {
        let mut r = Reader::new(dns());
        let (id, flags, qd, an, ns, ar) = (r.u16(), r.u16(), r.u16(), r.u16(), r.u16(), r.u16());
        assert_eq!((id, flags, qd, an, ns, ar), (Some(0), Some(0), Some(1), Some(0), Some(0), Some(0)));
        let mut labels = Vec::new();
        while r.peek() != Some(0) {
            let label = r.sub_u8_len().expect("a whole label");
            labels.push(String::from_utf8(label.buf.to_vec()).unwrap());
        }
        assert_eq!(labels, ["gemini", "_sftp-ssh", "_tcp", "local"]);
        assert_eq!(r.u8(), Some(0));
        assert_eq!((r.u16(), r.u16()), (Some(33), Some(1)));
        assert!(!r.any_left());
        assert_eq!(r.used(), dns().len());
    }

    #[test]
    fn integer_reads_are_big_endian() {
        let mut r = Reader::new(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert_eq!(r.u8(), Some(1));
        assert_eq!(r.u16(), Some(0x0203));
        assert_eq!(r.u24(), Some(0x04_0506));
        assert_eq!(r.u32(), Some(0x0708_090a));
        assert_eq!(r.u8(), None);
    }

    #[test]
    fn a_cut_read_returns_none_and_does_not_move() {
        let mut r = Reader::new(&[1, 2, 3]);
        assert_eq!(r.u32(), None);
        assert_eq!(r.used(), 0);
        assert_eq!(r.take(4), None);
        assert_eq!(r.skip(usize::MAX), None);
        assert_eq!(r.u24(), Some(0x01_0203));
        assert_eq!((r.u8(), r.u16(), r.peek()), (None, None, None));
        assert_eq!(r.rest(), [] as [u8; 0]);
    }

    #[test]
    fn a_sub_reader_is_bounded_by_its_length() {
        let mut r = Reader::new(&[0, 3, 0xaa, 0xbb, 0xcc, 0xdd]);
        let mut sub = r.sub_u16_len().unwrap();
        assert_eq!(sub.left(), 3);
        assert_eq!(sub.u16(), Some(0xaabb));
        assert_eq!(sub.u16(), None, "the sub-reader stops at its length");
        assert_eq!(sub.rest(), [0xcc]);
        assert_eq!(r.rest(), [0xdd]);
    }

    #[test]
    fn a_length_longer_than_what_is_left_is_refused_without_moving() {
        let mut r = Reader::new(&[5, 1, 2]);
        assert_eq!(r.sub_u8_len(), None);
        assert_eq!(r.used(), 0);
        let mut r = Reader::new(&[0xff, 0xff, 1]);
        assert_eq!(r.sub_u16_len(), None);
        assert_eq!(r.sub(4), None);
        assert_eq!(r.left(), 3);
        // a length byte alone
        let mut r = Reader::new(&[0]);
        assert_eq!(r.sub_u8_len().map(|s| s.left()), Some(0));
        assert!(!r.any_left());
    }

    #[test]
    fn rest_takes_everything_once() {
        let mut r = Reader::new(&[1, 2, 3]);
        r.skip(1).unwrap();
        assert_eq!(r.rest(), [2, 3]);
        assert_eq!((r.rest(), r.left(), r.used()), (&[][..], 0, 3));
    }
}
