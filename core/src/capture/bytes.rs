//! Byte sources for the capture parser: a memory-mapped file and a refilled stream buffer.
//!
//! The parser only ever looks at the unconsumed bytes through [`ByteSource::buf`], asks for more
//! with [`ByteSource::fill`] and gives bytes back with [`ByteSource::consume`]. For a mapped file
//! everything is available at once and `fill` is a no-op, so the hot path is a few bounds checks;
//! a stream keeps a growable buffer and reads into it only when the parser needs more.

use std::fs::File;
use std::io::{self, Read};

use memmap2::Mmap;

use super::os;
use super::stale::{Images, PastEnd, ReadBuffer, Shadow};

/// Where the parser's bytes come from.
///
/// Invariant: `consume(n)` is only called with `n <= buf().len()`; implementations clamp anyway
/// so that a logic error cannot turn into a panic.
pub trait ByteSource {
    /// Makes at least `want` unconsumed bytes available if the input still has them and returns
    /// how many are available; fewer than `want` means the input ended first.
    fn fill(&mut self, want: usize) -> io::Result<usize>;

    /// The unconsumed bytes.
    fn buf(&self) -> &[u8];

    /// Marks the first `n` unconsumed bytes as consumed.
    fn consume(&mut self, n: usize);

    /// Bytes consumed since the start of the input.
    fn consumed(&self) -> u64;

    /// Records that libpcap has read the `len` bytes at offset `at` of [`ByteSource::buf`] to
    /// the start of its reused buffer (see [`super::stale`]).
    fn load(&mut self, at: usize, len: usize);

    /// libpcap's buffer as the loaded records left it, for a packet at offset `base` of it.
    fn past_end(&self, base: usize) -> PastEnd<'_>;
}

/// A whole capture file mapped into memory and parsed in place.
#[derive(Debug)]
pub struct MmapBytes {
    map: Mmap,
    pos: usize,
    /// Bytes before this offset were handed back to the kernel (see [`RELEASE_STEP`]).
    released: usize,
    /// The records in libpcap's buffer.
    images: Images,
}

/// Consumed pages are dropped from the process every this many bytes: file pages touched once
/// would otherwise all count towards the resident set, which then grows with the file size
/// (1 GiB for a 1 GiB capture) instead of staying flat. The page cache keeps them. At most two
/// steps stay resident: with 64 MiB steps that was 128 MiB, a third of the default five's peak
/// on the 1.5M benchmark; 4 MiB costs one `madvise` per 4 MiB read, no measurable time.
const RELEASE_STEP: usize = 4 << 20;

impl MmapBytes {
    /// Maps `file` read-only.
    pub fn map(file: &File) -> io::Result<Self> {
        let map = os::map(file)?;
        // Only a hint: the reader walks the file front to back exactly once.
        #[cfg(unix)]
        let _ = map.advise(memmap2::Advice::Sequential);
        Ok(Self { map, pos: 0, released: 0, images: Images::default() })
    }

    /// Length of the mapping in bytes.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether the mapping is empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

impl ByteSource for MmapBytes {
    #[inline]
    fn fill(&mut self, _want: usize) -> io::Result<usize> {
        Ok(self.buf().len())
    }

    #[inline]
    fn buf(&self) -> &[u8] {
        self.map.get(self.pos..).unwrap_or_default()
    }

    #[inline]
    fn consume(&mut self, n: usize) {
        self.pos = self.pos.saturating_add(n).min(self.map.len());
        // keep the last step mapped: the packet being processed lies just before `pos`
        if self.pos - self.released >= 2 * RELEASE_STEP {
            let to = self.released + RELEASE_STEP;
            os::release(&self.map, self.released, to);
            self.released = to;
        }
    }

    #[inline]
    fn consumed(&self) -> u64 {
        self.pos as u64
    }

    #[inline]
    fn load(&mut self, at: usize, len: usize) {
        self.images.load(self.pos.saturating_add(at), len);
    }

    #[inline]
    fn past_end(&self, base: usize) -> PastEnd<'_> {
        PastEnd::new(self, base)
    }
}

impl ReadBuffer for MmapBytes {
    fn byte(&self, at: usize) -> u8 {
        self.images.byte(&self.map, at)
    }
}

/// Smallest buffer a stream starts with; reads are issued for whatever space is free.
const STREAM_MIN_BUF: usize = 256 * 1024;

/// Any [`Read`] (stdin, a pipe, an in-memory cursor) behind a refilled buffer.
///
/// The buffer only grows when it is full of unconsumed bytes that the parser still needs, so its
/// size is bounded by twice the largest block that actually arrived, never by a length field.
/// End of input is sticky, like stdio's EOF flag: once a read returned 0 (or failed), the source
/// is never read again.
#[derive(Debug)]
pub struct StreamBytes<R> {
    inner: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    /// Bytes consumed since the start.
    consumed: u64,
    /// A copy of libpcap's buffer (consumed bytes are gone from `buf`).
    shadow: Shadow,
}

impl<R: Read> StreamBytes<R> {
    /// Wraps `inner`; nothing is read until the parser asks.
    pub fn new(inner: R) -> Self {
        Self { inner, buf: Vec::new(), start: 0, end: 0, eof: false, consumed: 0, shadow: Shadow::default() }
    }

    fn available(&self) -> usize {
        self.end - self.start
    }

    /// Makes room after `end`: first by moving the unconsumed bytes to the front, then by growing.
    fn make_room(&mut self) {
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        } else if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            let new_len = self.buf.len().saturating_mul(2).max(STREAM_MIN_BUF);
            // A fresh zeroed allocation comes from calloc (untouched zero pages for large
            // sizes); only the live bytes are copied over.
            let mut bigger = vec![0u8; new_len];
            if let (Some(dst), Some(live)) = (bigger.get_mut(..self.end), self.buf.get(..self.end)) {
                dst.copy_from_slice(live);
            }
            self.buf = bigger;
        }
    }
}

impl<R: Read> ByteSource for StreamBytes<R> {
    fn fill(&mut self, want: usize) -> io::Result<usize> {
        while self.available() < want && !self.eof {
            if self.end == self.buf.len() {
                self.make_room();
            }
            let spare = self.buf.get_mut(self.end..).unwrap_or_default();
            match self.inner.read(spare) {
                Ok(0) => self.eof = true,
                Ok(n) => self.end = (self.end + n).min(self.buf.len()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.eof = true;
                    return Err(e);
                }
            }
        }
        Ok(self.available())
    }

    #[inline]
    fn buf(&self) -> &[u8] {
        self.buf.get(self.start..self.end).unwrap_or_default()
    }

    #[inline]
    fn consume(&mut self, n: usize) {
        let n = n.min(self.available());
        self.start += n;
        self.consumed += n as u64;
    }

    #[inline]
    fn consumed(&self) -> u64 {
        self.consumed
    }

    fn load(&mut self, at: usize, len: usize) {
        let live = self.buf.get(self.start..self.end).unwrap_or_default();
        self.shadow.load(live.get(at..at.saturating_add(len)).unwrap_or_default());
    }

    fn past_end(&self, base: usize) -> PastEnd<'_> {
        PastEnd::new(&self.shadow, base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::testutil::Trickle;

    #[test]
    fn stream_fill_consume_and_eof() {
        let data: Vec<u8> = (0..=255u8).cycle().take(600_000).collect();
        let mut s = StreamBytes::new(Trickle { data: &data, step: 7 });
        assert_eq!(s.fill(10).unwrap(), 14);
        assert_eq!(&s.buf()[..3], &[0, 1, 2]);
        s.consume(5);
        assert_eq!(s.buf()[0], 5);
        // A request larger than the initial buffer forces compaction and growth.
        assert_eq!(s.fill(400_000).unwrap(), 400_002);
        assert_eq!(s.buf()[0], 5);
        s.consume(400_000);
        assert_eq!(s.buf()[0], (400_005 % 256) as u8);
        // Asking for more than exists stops at the end of input.
        assert_eq!(s.fill(usize::MAX).unwrap(), 600_000 - 400_005);
        s.consume(usize::MAX);
        assert_eq!(s.fill(1).unwrap(), 0);
        assert!(s.buf().is_empty());
    }

    #[test]
    fn stream_growth_is_bounded_by_input() {
        let data = [1u8; 100];
        let mut s = StreamBytes::new(&data[..]);
        assert_eq!(s.fill(usize::MAX / 2).unwrap(), 100);
        assert!(s.buf.len() <= STREAM_MIN_BUF);
    }
}
