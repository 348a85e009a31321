//! Builders and drivers shared by the capture tests.

use std::io::{self, Read};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{ByteSource, Next, OpenError, PastEnd, ReadError, Reader, StreamBytes, open_file};

/// A packet or error as plain data, for comparing runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Ev {
    /// A packet: (sec, frac), caplen, wirelen, linktype, data.
    Pkt((i64, i64), u32, u32, u32, Vec<u8>),
    /// A read error's message.
    Err(String),
}

/// Everything a reader yields up to `Eof` (which must come within `limit` calls).
pub(crate) fn drain<B: ByteSource>(r: &mut Reader<B>, limit: usize) -> Vec<Ev> {
    let mut out = Vec::new();
    for _ in 0..limit {
        match r.next() {
            Next::Packet(p) => {
                assert_eq!(p.caplen as usize, p.data.len());
                out.push(Ev::Pkt((p.ts.sec, p.ts.frac), p.caplen, p.wirelen, p.linktype.0, p.data.to_vec()));
            }
            Next::Error(e) => out.push(Ev::Err(e.to_string())),
            Next::Eof => {
                // Eof is sticky.
                assert!(matches!(r.next(), Next::Eof));
                return out;
            }
        }
    }
    panic!("no Eof after {limit} calls");
}

/// Hands out at most `step` bytes per read, to exercise refills at every boundary.
pub(crate) struct Trickle<'a> {
    pub(crate) data: &'a [u8],
    pub(crate) step: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.step.min(out.len()).min(self.data.len());
        let (head, tail) = self.data.split_at(n);
        out[..n].copy_from_slice(head);
        self.data = tail;
        Ok(n)
    }
}

/// An in-memory source with the mmap source's behaviour (everything available at once).
pub(crate) struct SliceBytes<'a> {
    pub(crate) data: &'a [u8],
    pub(crate) consumed: u64,
}

impl ByteSource for SliceBytes<'_> {
    fn fill(&mut self, _want: usize) -> io::Result<usize> {
        Ok(self.data.len())
    }
    fn buf(&self) -> &[u8] {
        self.data
    }
    fn consume(&mut self, n: usize) {
        let n = n.min(self.data.len());
        self.data = self.data.get(n..).unwrap_or_default();
        self.consumed += n as u64;
    }
    fn consumed(&self) -> u64 {
        self.consumed
    }
    // libpcap's buffer is not modelled here: the parser tests do not read past packets.
    fn load(&mut self, _at: usize, _len: usize) {}
    fn past_end(&self, _base: usize) -> PastEnd<'_> {
        PastEnd::default()
    }
}

/// A fresh path in the temp directory.
pub(crate) fn temp_path(tag: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("rt2-capture-{}-{n}-{tag}", std::process::id()))
}

/// Writes `bytes` to a temp file and opens it with `open_file`; the file is removed again.
pub(crate) fn via_file(bytes: &[u8]) -> (PathBuf, Result<Vec<Ev>, OpenError>, u64) {
    let path = temp_path("cap");
    std::fs::write(&path, bytes).unwrap();
    let res = open_file(&path);
    let out = match res {
        Ok(mut r) => {
            let size = r.file_size();
            let ev = drain(&mut r, 10_000_000);
            std::fs::remove_file(&path).unwrap();
            return (path, Ok(ev), size);
        }
        Err(e) => Err(e),
    };
    std::fs::remove_file(&path).unwrap();
    (path, out, 0)
}

/// Runs `bytes` through the stream path (whole reads and 1..=7-byte reads) and the mmap-like
/// slice path, checks they agree, and returns the reader's properties and events.
pub(crate) fn run(bytes: &[u8]) -> Result<(Meta, Vec<Ev>), ReadError> {
    run_with(bytes, true)
}

/// [`run`], optionally without the (slow) byte-trickling stream runs.
pub(crate) fn run_with(bytes: &[u8], trickle: bool) -> Result<(Meta, Vec<Ev>), ReadError> {
    let slice = Reader::from_source(SliceBytes { data: bytes, consumed: 0 }, 0);
    let whole = Reader::from_source(StreamBytes::new(bytes), 0);
    let results: Vec<Result<(Meta, Vec<Ev>), ReadError>> = vec![
        slice.map(|mut r| (Meta::of(&r), drain(&mut r, 10_000_000))),
        whole.map(|mut r| (Meta::of(&r), drain(&mut r, 10_000_000))),
    ];
    for step in if trickle { &[1, 3, 7][..] } else { &[] } {
        let r = Reader::from_source(StreamBytes::new(Trickle { data: bytes, step: *step }), 0)
            .map(|mut r| (Meta::of(&r), drain(&mut r, 10_000_000)));
        assert_eq!(r, results[0], "trickle({step}) differs from the slice path");
    }
    assert_eq!(results[0], results[1], "stream differs from the slice path");
    results.into_iter().next().unwrap()
}

/// Reader properties.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Meta {
    pub(crate) format: super::CaptureFormat,
    pub(crate) linktype: u32,
    pub(crate) dlt: u32,
    pub(crate) snaplen: u32,
}

impl Meta {
    fn of<B: ByteSource>(r: &Reader<B>) -> Self {
        Self { format: r.format(), linktype: r.linktype().0, dlt: r.dlt(), snaplen: r.snaplen() }
    }
}

/// Appends `v` in the chosen byte order.
pub(crate) fn put32(out: &mut Vec<u8>, v: u32, be: bool) {
    out.extend_from_slice(&if be { v.to_be_bytes() } else { v.to_le_bytes() });
}

/// Appends `v` in the chosen byte order.
pub(crate) fn put16(out: &mut Vec<u8>, v: u16, be: bool) {
    out.extend_from_slice(&if be { v.to_be_bytes() } else { v.to_le_bytes() });
}
