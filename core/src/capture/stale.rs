//! What libpcap's reused read buffer holds past the end of a packet.
//!
//! libpcap reads every record of a capture file (pcap: the packet's bytes; pcapng: the whole
//! block) to the start of one buffer that it reuses for the whole file, and T2 dissects in that
//! buffer. On a few paths T2 reads header fields without checking the captured length (the
//! 802.11 header and the SNAP Ethertype behind a CAPWAP/LWAPP tunnel); what it finds past a cut
//! packet is then whatever earlier records left there, and that ends up in the header
//! description (`lwapp:wlan:llc:UNK(0x7878)` where the bytes were an earlier ping's payload).
//! To print the same without copying every packet, the sources record each record they load
//! and answer such reads lazily: buffer byte `k` holds byte `k` of the most recent earlier
//! record longer than `k`, and 0 if there was none (a fresh allocation).
//!
//! A memory-mapped file keeps every record, so [`Images`] is a stack of where they are, with
//! lengths strictly decreasing towards the top: a record hides every earlier one that is not
//! longer, so those are popped when it is loaded (amortised O(1) per record, and the stack is
//! at most as deep as the number of distinct record lengths). A stream forgets its bytes, so
//! [`Shadow`] copies each record, as libpcap itself does.

use std::fmt;

/// Where one loaded record lies in a memory-mapped input.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Image {
    /// Offset of its first byte in the input.
    start: usize,
    /// Its length.
    len: usize,
}

/// libpcap's buffer over a memory-mapped input: the records still visible in it, bottom (the
/// longest, oldest) to top (the shortest, most recent).
#[derive(Debug, Default)]
pub(crate) struct Images {
    stack: Vec<Image>,
}

impl Images {
    /// The `len` bytes at offset `start` of the input are now at the start of the buffer.
    #[inline]
    pub(crate) fn load(&mut self, start: usize, len: usize) {
        while self.stack.last().is_some_and(|top| top.len <= len) {
            self.stack.pop();
        }
        self.stack.push(Image { start, len });
    }

    /// Byte `at` of the buffer over `input`.
    pub(crate) fn byte(&self, input: &[u8], at: usize) -> u8 {
        // Lengths decrease up the stack: the last entry longer than `at` is the most recent
        // record that reaches it.
        let reaching = self.stack.partition_point(|img| img.len > at);
        let img = reaching.checked_sub(1).and_then(|i| self.stack.get(i));
        img.and_then(|img| input.get(img.start.checked_add(at)?)).copied().unwrap_or(0)
    }
}

/// libpcap's buffer over a stream: a copy of it.
#[derive(Debug, Default)]
pub(crate) struct Shadow {
    buf: Vec<u8>,
}

impl Shadow {
    /// `record` is now at the start of the buffer.
    pub(crate) fn load(&mut self, record: &[u8]) {
        if self.buf.len() < record.len() {
            // Only when a record is longer than all before it; zeros as in a fresh allocation.
            self.buf.resize(record.len(), 0);
        }
        if let Some(dst) = self.buf.get_mut(..record.len()) {
            dst.copy_from_slice(record);
        }
    }
}

impl ReadBuffer for Shadow {
    fn byte(&self, at: usize) -> u8 {
        self.buf.get(at).copied().unwrap_or(0)
    }
}

/// A plain byte buffer, for tests of the dissector.
#[cfg(test)]
impl ReadBuffer for Vec<u8> {
    fn byte(&self, at: usize) -> u8 {
        self.get(at).copied().unwrap_or(0)
    }
}

/// libpcap's read buffer as a byte source models it.
pub(crate) trait ReadBuffer: fmt::Debug {
    /// Byte `at` of the buffer: 0 where no record ever reached.
    fn byte(&self, at: usize) -> u8;
}

/// libpcap's buffer from the start of one packet on, for reads past its captured bytes: a
/// reference to the source's model, small because every packet carries it.
/// [`PastEnd::default`] reads zeros (live capture: a frame in the kernel's ring is followed by
/// the ring's own bookkeeping and other frames, which nothing can model).
#[derive(Clone, Copy, Debug, Default)]
pub struct PastEnd<'a> {
    buffer: Option<&'a dyn ReadBuffer>,
    /// Offset of the packet's first byte in the buffer (pcapng: after the block's headers).
    base: usize,
}

impl<'a> PastEnd<'a> {
    /// The packet at offset `base` of `buffer`.
    pub(crate) fn new(buffer: &'a dyn ReadBuffer, base: usize) -> Self {
        PastEnd { buffer: Some(buffer), base }
    }

    /// The byte at offset `off` from the packet's start, which the caller only asks for past
    /// the packet's captured bytes (inside them the buffer holds the packet itself).
    pub fn byte(&self, off: usize) -> u8 {
        match (self.buffer, self.base.checked_add(off)) {
            (Some(buffer), Some(at)) => buffer.byte(at),
            _ => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The buffer libpcap would hold after loading `records` in order, byte by byte.
    fn replay(records: &[&[u8]]) -> Vec<u8> {
        let mut buf = Vec::new();
        for r in records {
            if buf.len() < r.len() {
                buf.resize(r.len(), 0);
            }
            buf[..r.len()].copy_from_slice(r);
        }
        buf
    }

    #[test]
    fn both_models_match_a_replayed_buffer() {
        // Lengths going up and down, equal lengths, an empty record.
        let lens = [5usize, 9, 3, 3, 7, 12, 1, 0, 4, 12, 2, 8];
        let mut input = Vec::new();
        let mut spans = Vec::new();
        for (i, &n) in lens.iter().enumerate() {
            spans.push((input.len(), n));
            input.extend((0..n).map(|k| (i * 16 + k + 1) as u8));
        }
        let mut images = Images::default();
        let mut shadow = Shadow::default();
        #[derive(Debug)]
        struct Mapped<'a>(&'a Images, &'a [u8]);
        impl ReadBuffer for Mapped<'_> {
            fn byte(&self, at: usize) -> u8 {
                self.0.byte(self.1, at)
            }
        }
        for (i, &(start, len)) in spans.iter().enumerate() {
            images.load(start, len);
            shadow.load(&input[start..start + len]);
            let records: Vec<&[u8]> = spans[..=i].iter().map(|&(s, n)| &input[s..s + n]).collect();
            let want = replay(&records);
            for base in [0, 2] {
                for off in 0..20 {
                    let expect = want.get(base + off).copied().unwrap_or(0);
                    let mapped = Mapped(&images, &input);
                    assert_eq!(PastEnd::new(&mapped, base).byte(off), expect, "record {i} base {base} off {off}");
                    assert_eq!(PastEnd::new(&shadow, base).byte(off), expect, "record {i} base {base} off {off}");
                }
            }
        }
        assert_eq!(PastEnd::default().byte(3), 0);
        assert_eq!(PastEnd::new(&shadow, usize::MAX).byte(1), 0);
    }

    #[test]
    fn the_stack_keeps_only_records_that_show() {
        let mut images = Images::default();
        for len in (1..=100).rev() {
            images.load(0, len);
        }
        assert_eq!(images.stack.len(), 100);
        images.load(0, 100);
        assert_eq!(images.stack.len(), 1);
    }
}
