//! The bytes of one DNS message as T2 addresses them.
//!
//! T2 reads a message through a pointer into the packet: offsets are relative to the message
//! start (after the TCP length prefix), may lie before it (the continuation segments of a TCP
//! message are read from 8 bytes before their payload) and are not checked against the capture
//! everywhere. [`Msg`] gives those reads: any byte outside the captured packet reads 0.

/// A message inside a captured packet.
#[derive(Clone, Copy)]
pub struct Msg<'a> {
    data: &'a [u8],
    base: isize,
}

impl<'a> Msg<'a> {
    /// The message whose offset 0 is at byte `base` of `data` (may be negative or beyond it).
    pub fn new(data: &'a [u8], base: isize) -> Msg<'a> {
        Msg { data, base }
    }

    /// The byte at offset `i`, 0 when not captured.
    #[inline]
    pub fn get(&self, i: u16) -> u8 {
        let at = self.base + i as isize;
        if at < 0 { 0 } else { self.data.get(at as usize).copied().unwrap_or(0) }
    }

    /// The big-endian 16-bit field at `i`.
    #[inline]
    pub fn u16(&self, i: u16) -> u16 {
        u16::from_be_bytes([self.get(i), self.get(i.wrapping_add(1))])
    }

    /// The big-endian 32-bit field at `i`.
    #[inline]
    pub fn u32(&self, i: u16) -> u32 {
        u32::from_be_bytes(self.bytes(i))
    }

    /// `N` bytes from `i`.
    #[inline]
    pub fn bytes<const N: usize>(&self, i: u16) -> [u8; N] {
        std::array::from_fn(|n| self.get(i.wrapping_add(n as u16)))
    }

    /// The bytes from `i` to `i + n` that are captured (a prefix when the capture ends).
    pub fn slice(&self, i: u16, n: u16) -> &'a [u8] {
        let from = self.base + i as isize;
        if from < 0 {
            return &[];
        }
        let from = (from as usize).min(self.data.len());
        let to = (from + usize::from(n)).min(self.data.len());
        &self.data[from..to]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_outside_the_capture_are_zero() {
        let m = Msg::new(&[1, 2, 3, 4], -1);
        assert_eq!(m.get(0), 0);
        assert_eq!(m.get(1), 1);
        assert_eq!(m.u16(3), 0x0304);
        assert_eq!(m.u16(4), 0x0400);
        assert_eq!(m.u32(1), 0x0102_0304);
        assert_eq!(m.slice(3, 10), &[3, 4]);
        assert_eq!(m.slice(0, 2), &[] as &[u8]);
        assert_eq!(Msg::new(&[1], 5).get(0), 0);
    }
}
