//! The cursor sslDecode reads a packet's layer-7 bytes with.
//!
//! Written by hand instead of using `plugin_api::wire::Reader` because T2's decoder depends on
//! how its own cursor (`t2buf`) behaves at the end of a packet, and the flags it sets show it:
//! a skip always moves, even past the end (a record announced longer than what was captured),
//! the bytes left then count negative, and only the next read fails (`SSL_STAT_SNAP`, "packet
//! snapped"). Reads never go past the buffer: every read checks its bounds and returns `None`
//! without moving when the bytes are not there.

/// A read position over a byte slice that skips may move past the end.
#[derive(Debug, Clone, Copy)]
pub struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    /// A cursor at the start of `buf`.
    pub fn new(buf: &'a [u8]) -> Cursor<'a> {
        Cursor { buf, pos: 0 }
    }

    /// The position: bytes read or skipped so far (may exceed the buffer's length).
    pub fn tell(&self) -> usize {
        self.pos
    }

    /// Bytes left; negative once skips went past the end.
    pub fn left(&self) -> i64 {
        self.buf.len() as i64 - self.pos as i64
    }

    /// Moves `n` bytes on, even past the end; false if the end was passed.
    pub fn skip(&mut self, n: usize) -> bool {
        self.pos = self.pos.saturating_add(n);
        self.pos <= self.buf.len()
    }

    /// Moves one byte back (T2 "unreads" a record type to try SSLv2).
    pub fn back1(&mut self) {
        self.pos = self.pos.saturating_sub(1);
    }

    /// The next `n` bytes without moving, if all are there.
    pub fn peek_n(&self, n: usize) -> Option<&'a [u8]> {
        self.buf.get(self.pos..self.pos.checked_add(n)?)
    }

    /// Up to `n` of the next bytes (fewer at the end), without moving.
    pub fn peek_upto(&self, n: usize) -> &'a [u8] {
        let rest = self.buf.get(self.pos..).unwrap_or(&[]);
        &rest[..rest.len().min(n)]
    }

    /// The next `n` bytes as a big-endian integer (n <= 8), without moving.
    pub fn peek_be(&self, n: usize) -> Option<u64> {
        self.peek_n(n).map(|b| b.iter().fold(0u64, |v, &x| v << 8 | u64::from(x)))
    }

    fn read_be(&mut self, n: usize) -> Option<u64> {
        let v = self.peek_be(n)?;
        self.pos += n;
        Some(v)
    }

    /// The next byte.
    pub fn u8(&mut self) -> Option<u8> {
        self.read_be(1).map(|v| v as u8)
    }

    /// The next 16-bit big-endian integer.
    pub fn u16(&mut self) -> Option<u16> {
        self.read_be(2).map(|v| v as u16)
    }

    /// The next 24-bit big-endian integer.
    pub fn u24(&mut self) -> Option<u32> {
        self.read_be(3).map(|v| v as u32)
    }

    /// The next byte, without moving.
    pub fn peek_u8(&self) -> Option<u8> {
        self.peek_be(1).map(|v| v as u8)
    }

    /// The next 16-bit big-endian integer, without moving.
    pub fn peek_u16(&self) -> Option<u16> {
        self.peek_be(2).map(|v| v as u16)
    }
}

#[cfg(test)]
mod tests {
    use super::Cursor;

    #[test]
    fn skips_past_the_end_and_then_reads_fail() {
        let mut c = Cursor::new(&[1, 2, 3]);
        assert_eq!(c.u16(), Some(0x0102));
        assert!(!c.skip(4));
        assert_eq!(c.left(), -3);
        assert_eq!(c.u8(), None);
        assert_eq!(c.peek_upto(5), &[] as &[u8]);
        c.back1();
        assert_eq!(c.tell(), 5);
    }

    #[test]
    fn a_read_that_does_not_fit_does_not_move() {
        let mut c = Cursor::new(&[0xab, 0xcd]);
        assert_eq!(c.u24(), None);
        assert_eq!(c.tell(), 0);
        assert_eq!(c.peek_u16(), Some(0xabcd));
        assert_eq!(c.peek_be(2), Some(0xabcd));
        assert_eq!(c.peek_upto(9), &[0xab, 0xcd]);
    }
}
