//! The capture reader: opening (T2's file checks, then libpcap's header checks) and the packet
//! loop over a pcap or pcapng parser.

use std::fs::File;
use std::io::{self, Read};
use std::mem;
use std::path::{Path, PathBuf};

use plugin_api::fmt::strerror;

use super::bytes::{ByteSource, MmapBytes, StreamBytes};
use super::error::{OpenError, ReadError, io_error};
use super::linktype::{LinkType, exposed_linktype};
use super::pcap::{self, PcapFile};
use super::pcapng::{self, PcapNgFile};
use super::{Next, PacketSource, Polled};

/// The container format of a capture.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CaptureFormat {
    /// Classic pcap with microsecond timestamps (also the Kuznetzov variant).
    PcapMicro,
    /// Classic pcap with nanosecond timestamps.
    PcapNano,
    /// pcapng.
    PcapNg,
}

/// Per-format parser state.
#[derive(Clone, Debug)]
enum Parser {
    Pcap(PcapFile),
    PcapNg(PcapNgFile),
}

/// A streaming capture reader over a [`ByteSource`].
#[derive(Debug)]
pub struct Reader<B> {
    src: B,
    /// Bytes of the packet last returned, consumed at the start of the next call so that the
    /// packet could borrow them.
    pending: usize,
    parser: Parser,
    format: CaptureFormat,
    linktype: LinkType,
    dlt: u32,
    snaplen: u32,
    file_size: u64,
}

/// Opens a capture file as `t2 -r FILE` does: T2's own checks first (open, stat, empty, first
/// bytes, magic), then libpcap's header checks on the memory-mapped file.
pub fn open_file(path: &Path) -> Result<Reader<MmapBytes>, OpenError> {
    let owned = || path.to_path_buf();
    let mut file = File::open(path).map_err(|e| OpenError::Open { path: owned(), reason: strerror(&e) })?;
    let size = file.metadata().map_err(|e| OpenError::Stat { path: owned(), reason: strerror(&e) })?.len();
    if size == 0 {
        return Err(OpenError::Empty { path: owned() });
    }
    let (head, got) = read_head(&mut file);
    // T2 reads three 4-byte words with fread(); zero complete words is a read failure.
    if got < 4 {
        return Err(OpenError::Unreadable { path: owned() });
    }
    let word = |i: usize| {
        let mut w = [0u8; 4];
        w.copy_from_slice(head.get(i * 4..i * 4 + 4).unwrap_or(&[0; 4]));
        u32::from_le_bytes(w)
    };
    let pcapng = word(0) == pcapng::BT_SHB;
    let valid = if pcapng {
        // Fewer than three words leave T2's third word uninitialised; treat it as no match.
        got >= 12 && [pcapng::BYTE_ORDER_MAGIC, pcapng::BYTE_ORDER_MAGIC.swap_bytes()].contains(&word(2))
    } else {
        [pcap::MAGIC_MICRO, pcap::MAGIC_NANO].iter().any(|&m| word(0) == m || word(0) == m.swap_bytes())
    };
    if !valid {
        return Err(OpenError::NotCapture { path: owned(), pcapng });
    }
    let src = MmapBytes::map(&file).map_err(|e| OpenError::Map { path: owned(), reason: strerror(&e) })?;
    Reader::from_source(src, size).map_err(|error| OpenError::Pcap { path: owned(), error, pcapng })
}

/// Reads up to 12 bytes from the start of `file`; a read error counts as nothing read.
fn read_head(file: &mut File) -> ([u8; 12], usize) {
    let mut head = [0u8; 12];
    let mut got = 0;
    while got < head.len() {
        match file.read(head.get_mut(got..).unwrap_or_default()) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    (head, got.min(12))
}

/// Opens standard input as `t2 -r -` does: no T2 checks, only libpcap's.
pub fn open_stdin() -> Result<Reader<StreamBytes<io::Stdin>>, OpenError> {
    Reader::from_read(io::stdin())
}

impl<R: Read> Reader<StreamBytes<R>> {
    /// Reads a capture from any [`Read`] the way stdin is read (no file checks, file size 0,
    /// errors name the input `-`).
    pub fn from_read(r: R) -> Result<Self, OpenError> {
        Reader::from_source(StreamBytes::new(r), 0).map_err(|error| OpenError::Pcap {
            path: PathBuf::from("-"),
            error,
            pcapng: false,
        })
    }
}

impl<B: ByteSource> Reader<B> {
    /// Runs libpcap's open-time checks on `src` (detecting the format by its magic) and
    /// positions the reader at the first record. `file_size` is what [`Reader::file_size`]
    /// reports.
    pub fn from_source(mut src: B, file_size: u64) -> Result<Self, ReadError> {
        let avail = src.fill(4).map_err(|e| io_error(&e))?;
        let Some(&magic) = src.buf().first_chunk::<4>() else {
            return Err(ReadError::FileHeaderTruncated { want: 4, got: avail });
        };
        let parser = if let Some((m, big_endian)) = pcap::classify_magic(magic) {
            Parser::Pcap(PcapFile::open(&mut src, m, big_endian)?)
        } else if u32::from_le_bytes(magic) == pcapng::BT_SHB {
            Parser::PcapNg(PcapNgFile::open(&mut src)?)
        } else {
            return Err(ReadError::UnknownFormat);
        };
        let (format, dlt, snaplen) = match &parser {
            Parser::Pcap(p) => {
                let nano = pcap::classify_magic(magic).is_some_and(|(m, _)| m == pcap::MAGIC_NANO);
                let format = if nano { CaptureFormat::PcapNano } else { CaptureFormat::PcapMicro };
                (format, p.dlt, p.snapshot)
            }
            Parser::PcapNg(n) => (CaptureFormat::PcapNg, n.dlt, n.snapshot),
        };
        let linktype = exposed_linktype(dlt);
        Ok(Self { src, pending: 0, parser, format, linktype, dlt, snaplen, file_size })
    }

    /// Reads the next packet. After [`Next::Error`] the caller may go on calling; after
    /// [`Next::Eof`] every further call returns `Eof` again.
    #[inline]
    #[allow(clippy::should_implement_trait)] // a lending iterator, which `Iterator` cannot express
    pub fn next(&mut self) -> Next<'_> {
        self.src.consume(mem::take(&mut self.pending));
        match &mut self.parser {
            Parser::Pcap(p) => p.next(&mut self.src, &mut self.pending),
            Parser::PcapNg(n) => n.next(&mut self.src, &mut self.pending),
        }
    }

    /// Link type of the capture (of the first interface for pcapng), as T2 sees it from
    /// `pcap_datalink()` except that raw IP is [`LinkType::RAW`] (101), where libpcap on Linux
    /// reports `DLT_RAW` = 12 (T2 prints `RAW/12`).
    pub fn linktype(&self) -> LinkType {
        self.linktype
    }

    /// The link type exactly as `pcap_datalink()` reports it on Linux (raw IP is 12 here); the
    /// number T2 prints in `Link layer type: ... [NAME/N]`.
    pub fn dlt(&self) -> u32 {
        self.dlt
    }

    /// Snapshot length as `pcap_snapshot()` reports it.
    pub fn snaplen(&self) -> u32 {
        self.snaplen
    }

    /// Container format.
    pub fn format(&self) -> CaptureFormat {
        self.format
    }

    /// Size of the file in bytes for the end report's percentage; 0 for stdin.
    pub fn file_size(&self) -> u64 {
        self.file_size
    }
}

impl<B: ByteSource> PacketSource for Reader<B> {
    #[inline]
    fn poll(&mut self) -> Polled<'_> {
        match self.next() {
            Next::Packet(p) => Polled::Packet(p),
            Next::Error(e) => Polled::Error(e.to_string()),
            Next::Eof => Polled::End,
        }
    }

    fn dlt(&self) -> u32 {
        Reader::dlt(self)
    }

    fn linktype(&self) -> LinkType {
        Reader::linktype(self)
    }

    fn snaplen(&self) -> u32 {
        Reader::snaplen(self)
    }

    fn file_size(&self) -> u64 {
        Reader::file_size(self)
    }

    #[inline]
    fn position(&self) -> u64 {
        self.src.consumed() + self.pending as u64
    }
}

#[cfg(test)]
#[path = "reader_tests.rs"]
mod tests;
