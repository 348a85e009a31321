//! The capture reader: opening (T2's file checks, then libpcap's header checks), the packet
//! loop, and the error types whose texts are T2's and libpcap's.

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::mem;
use std::path::{Path, PathBuf};

use super::bytes::{ByteSource, MmapBytes, StreamBytes};
use super::pcap::{self, PcapFile};
use super::pcapng::{self, PcapNgFile};
use super::{LinkType, RawPacket};

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

/// What [`Reader::next`] produced.
#[derive(Debug)]
pub enum Next<'a> {
    /// A packet; its data borrows the reader until the next call.
    Packet(RawPacket<'a>),
    /// A read error (`pcap_dispatch` returning -1); reading may continue with the next call.
    Error(ReadError),
    /// End of the capture.
    Eof,
}

/// An error reported by libpcap while opening or reading a capture. `Display` gives libpcap's
/// exact message (T2 prints it after `pcap_dispatch failed: ` or `pcap_open_offline failed for
/// '<file>': `). Two errors are equal exactly when their messages are.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ReadError {
    /// An I/O error; holds the `strerror` text.
    Io(String),
    /// The file ended inside the 24-byte file header (or inside the 4-byte magic of a stream);
    /// `got` counts the bytes after the magic, as libpcap does.
    FileHeaderTruncated {
        /// Bytes libpcap tried to read.
        want: usize,
        /// Bytes it got.
        got: usize,
    },
    /// Major version below 2.
    ArchaicPcap,
    /// A pcap version other than 2.0–2.4 or 543.0.
    UnsupportedPcapVersion {
        /// Major version.
        major: u16,
        /// Minor version.
        minor: u16,
    },
    /// Neither pcap nor pcapng.
    UnknownFormat,
    /// The file ended inside a record header.
    HeaderTruncated {
        /// Header size.
        want: usize,
        /// Bytes available.
        got: usize,
    },
    /// The file ended inside a record's data.
    DataTruncated {
        /// Bytes libpcap tried to read.
        want: u32,
        /// Bytes available.
        got: usize,
    },
    /// caplen above both the link type's maximum and the snapshot length.
    CaplenOverSnaplen {
        /// The record's caplen.
        caplen: u32,
        /// The snapshot length.
        snaplen: u32,
    },
    /// caplen above the link type's maximum but not above the snapshot length.
    CaplenOverMaximum {
        /// The record's caplen.
        caplen: u32,
        /// The link type's maximum.
        max: u32,
    },
    /// The SHB read at open time has a length outside 28..=1 MiB.
    ShbLength {
        /// The length field.
        len: u32,
    },
    /// pcapng version other than 1.0 and 1.2 in the first SHB.
    UnsupportedNgVersion {
        /// Major version.
        major: u16,
        /// Minor version.
        minor: u16,
    },
    /// A later SHB with a major version other than 1.
    UnknownNgMajor {
        /// Major version.
        major: u16,
    },
    /// The file ended inside a pcapng block.
    NgTruncated {
        /// Bytes libpcap tried to read.
        want: usize,
        /// Bytes available.
        got: usize,
    },
    /// Block length below 12.
    BlockTooSmall {
        /// The length field.
        len: u32,
    },
    /// Block length not a multiple of 4.
    BlockNotAligned {
        /// The length field.
        len: u32,
    },
    /// Block length above libpcap's maximum.
    BlockTooBig {
        /// The length field.
        len: u32,
        /// The maximum.
        max: u32,
    },
    /// The trailer repeats a different length.
    TrailerMismatch,
    /// A block's contents do not fit its length.
    BlockTooShort {
        /// Block type.
        btype: u32,
    },
    /// `opt_endofopt` with a non-zero length.
    EndOfOptLength {
        /// Option length.
        len: u16,
    },
    /// `if_tsresol` whose length is not 1.
    TsresolLength {
        /// Option length.
        len: u16,
    },
    /// Two `if_tsresol` options.
    TsresolTwice,
    /// `if_tsresol` of 2^-k with k > 63.
    TsresolBinTooHigh {
        /// k.
        shift: u8,
    },
    /// `if_tsresol` of 10^-k with k > 19.
    TsresolDecTooHigh {
        /// k.
        exp: u8,
    },
    /// `if_tsoffset` whose length is not 8.
    TsoffsetLength {
        /// Option length.
        len: u16,
    },
    /// Two `if_tsoffset` options.
    TsoffsetTwice,
    /// More interfaces than libpcap can count.
    TooManyInterfaces,
    /// An IDB whose link type differs from the first interface's.
    LinktypeMismatch {
        /// The IDB's LINKTYPE value.
        linktype: u16,
    },
    /// An IDB whose snapshot length differs from the first interface's.
    SnaplenMismatch {
        /// The IDB's snapshot length field.
        snaplen: u32,
    },
    /// A later section in the other byte order.
    ByteOrderChange,
    /// A later section with a wrong byte-order magic.
    BadByteOrderMagic,
    /// A packet on an interface the current section has not described.
    UnknownInterface {
        /// Interface ID.
        id: u32,
    },
    /// The file ended before any IDB.
    NoInterface,
    /// A packet block came before any IDB.
    PacketBeforeInterface,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ReadError as E;
        const IDB: &str = "Interface Description Block";
        match self {
            E::Io(msg) => write!(f, "error reading dump file: {msg}"),
            E::FileHeaderTruncated { want, got } => {
                write!(f, "truncated dump file; tried to read {want} file header bytes, only got {got}")
            }
            E::ArchaicPcap => f.write_str("archaic pcap savefile format"),
            E::UnsupportedPcapVersion { major, minor } => {
                write!(f, "unsupported pcap savefile version {major}.{minor}")
            }
            E::UnknownFormat => f.write_str("unknown file format"),
            E::HeaderTruncated { want, got } => {
                write!(f, "truncated dump file; tried to read {want} header bytes, only got {got}")
            }
            E::DataTruncated { want, got } => {
                write!(f, "truncated dump file; tried to read {want} captured bytes, only got {got}")
            }
            E::CaplenOverSnaplen { caplen, snaplen } => {
                write!(f, "invalid packet capture length {caplen}, bigger than snaplen of {snaplen}")
            }
            E::CaplenOverMaximum { caplen, max } => {
                write!(f, "invalid packet capture length {caplen}, bigger than maximum of {max}")
            }
            E::ShbLength { len } => write!(
                f,
                "Section Header Block in pcapng dump file has invalid length 28 < _{len}_ < \
                 1048576 (BT_SHB_INSANE_MAX)"
            ),
            E::UnsupportedNgVersion { major, minor } => {
                write!(f, "unsupported pcapng savefile version {major}.{minor}")
            }
            E::UnknownNgMajor { major } => {
                write!(f, "unknown pcapng savefile major version number {major}")
            }
            E::NgTruncated { want, got } => {
                write!(f, "truncated pcapng dump file; tried to read {want} bytes, only got {got}")
            }
            E::BlockTooSmall { len } => {
                write!(f, "block in pcapng dump file has a length of {len} < 12")
            }
            E::BlockNotAligned { len } => {
                write!(f, "block in pcapng dump file has a length of {len} that is not a multiple of 4")
            }
            E::BlockTooBig { len, max } => write!(f, "pcapng block size {len} > maximum {max}"),
            E::TrailerMismatch => f.write_str("block total length in header and trailer don't match"),
            E::BlockTooShort { btype } => {
                write!(f, "block of type {btype} in pcapng dump file is too short")
            }
            E::EndOfOptLength { len } => {
                write!(f, "{IDB} has opt_endofopt option with length {len} != 0")
            }
            E::TsresolLength { len } => {
                write!(f, "{IDB} has if_tsresol option with length {len} != 1")
            }
            E::TsresolTwice => write!(f, "{IDB} has more than one if_tsresol option"),
            E::TsresolBinTooHigh { shift } => {
                write!(f, "{IDB} if_tsresol option resolution 2^-{shift} is too high")
            }
            E::TsresolDecTooHigh { exp } => {
                write!(f, "{IDB} if_tsresol option resolution 10^-{exp} is too high")
            }
            E::TsoffsetLength { len } => {
                write!(f, "{IDB} has if_tsoffset option with length {len} != 8")
            }
            E::TsoffsetTwice => write!(f, "{IDB} has more than one if_tsoffset option"),
            E::TooManyInterfaces => f.write_str("more than 2147483648 interfaces in the file"),
            E::LinktypeMismatch { linktype } => {
                write!(f, "an interface has a type {linktype} different from the type of the first interface")
            }
            E::SnaplenMismatch { snaplen } => write!(
                f,
                "an interface has a snapshot length {snaplen} different from the snapshot length \
                 of the first interface"
            ),
            E::ByteOrderChange => f.write_str("the file has sections with different byte orders"),
            E::BadByteOrderMagic => f.write_str("the file has a section with a bad byte order magic field"),
            E::UnknownInterface { id } => {
                write!(f, "a packet arrived on interface {id}, but there's no {IDB} for that interface")
            }
            E::NoInterface => f.write_str("the capture file has no Interface Description Blocks"),
            E::PacketBeforeInterface => {
                f.write_str("the capture file has a packet block before any Interface Description Blocks")
            }
        }
    }
}

impl std::error::Error for ReadError {}

/// An I/O error as libpcap words it: the bare `strerror` text.
pub(crate) fn io_error(e: &io::Error) -> ReadError {
    ReadError::Io(strerror(e))
}

/// The C `strerror` text of an I/O error: Rust's message without its " (os error N)" suffix.
fn strerror(e: &io::Error) -> String {
    let msg = e.to_string();
    match (e.raw_os_error(), msg.rfind(" (os error ")) {
        (Some(_), Some(cut)) => msg[..cut].to_owned(),
        _ => msg,
    }
}

/// Why a capture could not be opened. `Display` gives T2's message without the `[ERR] ` prefix.
#[derive(Debug)]
pub enum OpenError {
    /// The file cannot be opened (missing, permission).
    Open {
        /// The file as given.
        path: PathBuf,
        /// `strerror` text.
        reason: String,
    },
    /// `stat` failed.
    Stat {
        /// The file as given.
        path: PathBuf,
        /// `strerror` text.
        reason: String,
    },
    /// The file has size 0.
    Empty {
        /// The file as given.
        path: PathBuf,
    },
    /// Not even 4 bytes could be read (e.g. a directory).
    Unreadable {
        /// The file as given.
        path: PathBuf,
    },
    /// The first bytes are neither a pcap magic nor a pcapng SHB with a byte-order magic.
    NotCapture {
        /// The file as given.
        path: PathBuf,
        /// The first word is the pcapng block type, so T2 printed its pcapng warning first.
        pcapng: bool,
    },
    /// The file passed T2's checks but libpcap refused it.
    Pcap {
        /// The file as given (`-` for stdin).
        path: PathBuf,
        /// libpcap's error.
        error: ReadError,
        /// The first word is the pcapng block type, so T2 printed its pcapng warning first
        /// (never for stdin, which T2 does not check).
        pcapng: bool,
    },
    /// The file could not be memory-mapped (T2 had no such step; it read through stdio).
    Map {
        /// The file as given.
        path: PathBuf,
        /// `strerror` text.
        reason: String,
    },
}

impl OpenError {
    /// Whether T2 would have printed `PCAP-NG, so *percentage completed* in end report might be
    /// less than 100%, will be fixed in a later version` before this error.
    pub fn warned_pcapng(&self) -> bool {
        matches!(self, Self::NotCapture { pcapng: true, .. } | Self::Pcap { pcapng: true, .. })
    }
}

impl fmt::Display for OpenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Open { path, reason } => {
                write!(f, "Failed to open file '{}' for reading: {reason}", path.display())
            }
            Self::Stat { path, reason } => {
                write!(f, "Failed to get stats of file '{}': {reason}", path.display())
            }
            Self::Empty { path } => write!(f, "PCAP file '{}' is empty", path.display()),
            Self::Unreadable { path } => {
                write!(f, "Failed to read data from file '{}'", path.display())
            }
            Self::NotCapture { path, .. } => {
                write!(f, "File '{}' is not a valid PCAP/PCAP-NG file", path.display())
            }
            Self::Pcap { path, error, .. } => {
                write!(f, "pcap_open_offline failed for '{}': {error}", path.display())
            }
            Self::Map { path, reason } => {
                write!(f, "Failed to map file '{}' into memory: {reason}", path.display())
            }
        }
    }
}

impl std::error::Error for OpenError {}

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
        let linktype = pcap::exposed_linktype(dlt);
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

/// Builders and drivers shared by the capture tests.
#[cfg(test)]
pub(crate) mod testutil {
    use std::io::{self, Read};
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::{ByteSource, Next, OpenError, ReadError, Reader};

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
    }

    impl ByteSource for SliceBytes<'_> {
        fn fill(&mut self, _want: usize) -> io::Result<usize> {
            Ok(self.data.len())
        }
        fn buf(&self) -> &[u8] {
            self.data
        }
        fn consume(&mut self, n: usize) {
            self.data = self.data.get(n..).unwrap_or_default();
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
        let res = super::open_file(&path);
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
        let slice = Reader::from_source(SliceBytes { data: bytes }, 0);
        let whole = Reader::from_source(super::StreamBytes::new(bytes), 0);
        let results: Vec<Result<(Meta, Vec<Ev>), ReadError>> = vec![
            slice.map(|mut r| (Meta::of(&r), drain(&mut r, 10_000_000))),
            whole.map(|mut r| (Meta::of(&r), drain(&mut r, 10_000_000))),
        ];
        for step in if trickle { &[1, 3, 7][..] } else { &[] } {
            let r = Reader::from_source(super::StreamBytes::new(Trickle { data: bytes, step: *step }), 0)
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
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    use super::testutil::{Ev, SliceBytes, drain, run_with, temp_path, via_file};
    use super::*;

    /// `../shared` beside the clone, holding the capture corpus and T2's outputs for it. The
    /// corpus tests return early without it, unless `RT2_REQUIRE_SHARED` is set (as in CI).
    fn shared() -> Option<std::path::PathBuf> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared");
        if dir.join("pcaps").is_dir() {
            return Some(dir);
        }
        assert!(std::env::var_os("RT2_REQUIRE_SHARED").is_none(), "{} is missing", dir.display());
        None
    }

    fn pcaps() -> std::path::PathBuf {
        shared().expect("the corpus tests check shared() first").join("pcaps")
    }

    /// One MANIFEST.tsv row: file name, format column, packet count, byte count.
    fn manifest() -> Vec<(String, String, usize, u64)> {
        let text = std::fs::read_to_string(pcaps().join("MANIFEST.tsv")).unwrap();
        let mut lines = text.lines();
        let cols: Vec<&str> = lines.next().unwrap().split('\t').collect();
        let col = |name: &str| cols.iter().position(|c| *c == name).unwrap();
        let (name, format, packets, bytes) = (col("filename"), col("format"), col("packets"), col("bytes"));
        let rows: Vec<_> = lines
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                (f[name].to_owned(), f[format].to_owned(), f[packets].parse().unwrap(), f[bytes].parse().unwrap())
            })
            .collect();
        assert!(rows.len() >= 50, "MANIFEST.tsv has {} rows", rows.len());
        rows
    }

    /// The golden log of a capture.
    fn golden_log(file: &str) -> String {
        let stem = Path::new(file).file_stem().unwrap().to_str().unwrap();
        let path = shared().unwrap().join("golden").join(stem).join("default").join(format!("{stem}_log.txt"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// The text after `prefix` on the first line that starts with it.
    fn field<'a>(log: &'a str, prefix: &str) -> Option<&'a str> {
        log.lines().find_map(|l| l.strip_prefix(prefix))
    }

    /// The leading decimal number of `s`.
    fn number(s: &str) -> u64 {
        let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().unwrap()
    }

    /// A timestamp as T2 logs it (`%ld.%09ld`, fraction unnormalised).
    fn t2_time(ts: (i64, i64)) -> String {
        format!("{}.{:09}", ts.0, ts.1)
    }

    fn open_corpus(file: &str) -> Reader<MmapBytes> {
        open_file(&pcaps().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
    }

    #[test]
    fn corpus_matches_manifest_and_golden_logs() {
        if shared().is_none() {
            return;
        }
        for (file, format, packets, bytes) in manifest() {
            let mut r = open_corpus(&file);
            let log = golden_log(&file);
            let want_format = match format.as_str() {
                "pcap-le-us" | "pcap-be-us" => CaptureFormat::PcapMicro,
                "pcap-le-ns" | "pcap-be-ns" => CaptureFormat::PcapNano,
                "pcapng-le" | "pcapng-be" => CaptureFormat::PcapNg,
                other => panic!("{file}: unknown format {other}"),
            };
            assert_eq!(r.format(), want_format, "{file}");
            assert_eq!(r.file_size(), bytes, "{file}");
            let snap = field(&log, "Snapshot length: ").unwrap_or_else(|| panic!("{file}"));
            assert_eq!(u64::from(r.snaplen()), number(snap), "{file}: snapshot length");
            let lt = field(&log, "Link layer type: ").unwrap();
            let dlt = lt.rsplit('/').next().unwrap().trim_end_matches(']');
            assert_eq!(r.dlt().to_string(), dlt, "{file}: link type {lt}");

            let ev = drain(&mut r, 10_000_000);
            let pkts: Vec<_> = ev
                .iter()
                .filter_map(|e| match e {
                    Ev::Pkt(ts, caplen, wirelen, _, _) => Some((*ts, *caplen, *wirelen)),
                    Ev::Err(_) => None,
                })
                .collect();
            assert_eq!(pkts.len(), packets, "{file}: packet count");
            let errors: BTreeSet<String> = ev
                .iter()
                .filter_map(|e| match e {
                    Ev::Err(m) => Some(m.clone()),
                    Ev::Pkt(..) => None,
                })
                .collect();
            let golden_errors: BTreeSet<String> = log
                .lines()
                .filter_map(|l| l.split_once("pcap_dispatch failed: "))
                .map(|(_, m)| m.trim_end_matches("\u{1b}[0m").to_owned())
                .collect();
            assert_eq!(errors, golden_errors, "{file}: read errors");

            // T2 may stop at the first packet (e.g. unsupported link type): then the log has no
            // end report to compare with.
            let Some(stop) = field(&log, "Dump stop : ") else {
                continue;
            };
            let processed = pkts.len() as u64;
            let caplen_sum: u64 = pkts.iter().map(|p| u64::from(p.1)).sum();
            let wire_sum: u64 = pkts.iter().map(|p| u64::from(p.2)).sum();
            let num = |label: &str| field(&log, label).map_or(0, number);
            assert_eq!(num("Number of processed packets: "), processed, "{file}");
            assert_eq!(num("Number of processed bytes: "), caplen_sum, "{file}");
            assert_eq!(num("Number of raw bytes: "), wire_sum, "{file}");

            let start = field(&log, "Dump start: ").map(|s| s.split(" sec").next().unwrap());
            let stop = stop.split(" sec").next().unwrap();
            assert_eq!(start.map(str::to_owned), pkts.first().map(|p| t2_time(p.0)), "{file}");
            let last = pkts.last().map_or((0, 0), |p| p.0);
            assert_eq!(stop, t2_time(last), "{file}: Dump stop");

            // The stream path (stdin) sees exactly the same.
            let f = File::open(pcaps().join(&file)).unwrap();
            let mut s = Reader::from_read(f).unwrap();
            assert_eq!((s.snaplen(), s.dlt(), s.file_size()), (r.snaplen(), r.dlt(), 0));
            assert_eq!(drain(&mut s, 10_000_000), ev, "{file}: stream path");
        }
    }

    #[test]
    fn zero_length_records() {
        if shared().is_none() {
            return;
        }
        let mut r = open_corpus("zero-length-records.pcap");
        assert_eq!((r.snaplen(), r.linktype()), (255, LinkType::EN10MB));
        let ev = drain(&mut r, 1000);
        assert_eq!(ev.len(), 38);
        let Ev::Pkt(ts, caplen, wirelen, _, _) = &ev[0] else { panic!() };
        assert_eq!((t2_time(*ts).as_str(), *caplen, *wirelen), ("168636954.131862000", 255, 262_144));
        for e in &ev[1..] {
            let Ev::Pkt(_, caplen, _, _, data) = e else { panic!("{e:?}") };
            assert_eq!((*caplen, data.len()), (0, 0));
        }
        // Garbage timestamps are passed through, signed.
        let Ev::Pkt(ts, ..) = &ev[18] else { panic!() };
        assert_eq!(*ts, (-65536, 128_000));
        let Ev::Pkt(ts, ..) = &ev[37] else { panic!() };
        assert_eq!(t2_time(*ts), "0.000000000"); // golden "Dump stop : 0.000000000"
    }

    #[test]
    fn timestamp_invalid_usec() {
        if shared().is_none() {
            return;
        }
        let mut r = open_corpus("timestamp-invalid-usec.pcap");
        assert_eq!((r.snaplen(), r.linktype()), (262_144, LinkType::LINUX_SLL));
        let ts: Vec<_> = drain(&mut r, 100)
            .into_iter()
            .map(|e| match e {
                Ev::Pkt(ts, ..) => ts,
                Ev::Err(m) => panic!("{m}"),
            })
            .collect();
        assert_eq!(
            ts,
            [(1_418_145_369, 999_999_000), (1_418_145_370, 1_000_000_000), (1_418_145_370, -2_147_483_648_000),]
        );
        // golden: "Dump stop : 1418145370.-2147483648000 sec"
        assert_eq!(t2_time(ts[2]), "1418145370.-2147483648000");
    }

    #[test]
    fn corpus_specifics() {
        if shared().is_none() {
            return;
        }
        let r = open_corpus("pptp-gre-bigendian.pcap");
        assert_eq!((r.format(), r.snaplen()), (CaptureFormat::PcapMicro, 65535));
        let r = open_corpus("nanosecond-tcp-handshake.pcap");
        assert_eq!(r.format(), CaptureFormat::PcapNano);
        let r = open_corpus("dns-udp.pcap");
        assert_eq!(r.format(), CaptureFormat::PcapNg);
        let r = open_corpus("raw-ip-dlt101.pcap");
        assert_eq!((r.linktype(), r.dlt()), (LinkType::RAW, 12));
        for (file, lt) in [
            ("raw-ipv4-lt228.pcap", LinkType::IPV4),
            ("linux-sll2-icmp.pcap", LinkType::LINUX_SLL2),
            ("null-loopback-v4v6.pcap", LinkType::NULL),
            ("linux-sll-tcp.pcap", LinkType::LINUX_SLL),
        ] {
            assert_eq!(open_corpus(file).linktype(), lt, "{file}");
        }
        let mut r = open_corpus("empty.pcap");
        assert!(matches!(r.next(), Next::Eof));
        // Both interfaces of the two-IDB file deliver packets.
        let mut r = open_corpus("pcapng-multi-if.pcapng");
        let fracs: Vec<i64> = drain(&mut r, 100)
            .into_iter()
            .map(|e| match e {
                Ev::Pkt(ts, ..) => ts.1,
                Ev::Err(m) => panic!("{m}"),
            })
            .collect();
        assert_eq!(fracs.len(), 6);
        assert!(fracs.iter().any(|f| f % 1000 != 0), "no nanosecond interface packet");
    }

    /// The events of a prefix must be a prefix of the full capture's packets, followed by at
    /// most one error.
    fn check_prefix(file: &str, full: &[Ev], cut: &[u8], trickle: bool) {
        let Ok((_, ev)) = run_with(cut, trickle) else { return };
        let n_pkts = ev.iter().take_while(|e| matches!(e, Ev::Pkt(..))).count();
        assert!(ev.len() <= n_pkts + 1, "{file} cut at {}: {:?}", cut.len(), &ev[n_pkts..]);
        assert_eq!(ev[..n_pkts], full[..n_pkts], "{file} cut at {}", cut.len());
    }

    #[test]
    fn truncated_corpus_never_panics() {
        if shared().is_none() {
            return;
        }
        for (file, ..) in manifest() {
            let bytes = std::fs::read(pcaps().join(&file)).unwrap();
            let full = run_with(&bytes, false).unwrap().1;
            let len = bytes.len();
            let mut cuts: BTreeSet<usize> = (0..=40.min(len)).collect();
            cuts.extend((1..20).map(|i| len * i / 20));
            cuts.extend([len.saturating_sub(1), len.saturating_sub(5)]);
            if len < 3000 {
                cuts.extend(0..len);
            }
            for &cut in &cuts {
                check_prefix(&file, &full, &bytes[..cut], len < 20_000);
            }
            // The file path too (T2's checks, mmap), at a few offsets.
            for cut in [0, 2, 7, 11, 23, 100, len / 2, len - 1] {
                let cut = cut.min(len);
                let (_, res, _) = via_file(&bytes[..cut]);
                if let Ok(ev) = res {
                    assert_eq!(ev, run_with(&bytes[..cut], false).unwrap().1, "{file} cut {cut}");
                }
            }
        }
    }

    #[test]
    fn corrupted_corpus_never_panics() {
        if shared().is_none() {
            return;
        }
        // Flip bytes all over small captures; every outcome is fine except a panic or a hang.
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut rnd = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for (file, ..) in manifest() {
            let bytes = std::fs::read(pcaps().join(&file)).unwrap();
            if bytes.len() > 30_000 {
                continue;
            }
            for _ in 0..40 {
                let mut v = bytes.clone();
                for _ in 0..1 + rnd() % 8 {
                    let at = (rnd() % v.len() as u64) as usize;
                    v[at] = rnd() as u8;
                }
                let _ = run_with(&v, false);
                let mut r = Reader::from_source(SliceBytes { data: &v }, 0);
                if let Ok(r) = r.as_mut() {
                    drain(r, 10_000_000);
                }
            }
        }
    }

    #[test]
    fn open_file_checks() {
        let missing = temp_path("missing");
        let e = open_file(&missing).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("Failed to open file '{}' for reading: No such file or directory", missing.display())
        );
        let (path, res, _) = via_file(b"");
        assert_eq!(res.unwrap_err().to_string(), format!("PCAP file '{}' is empty", path.display()));
        let (path, res, _) = via_file(b"\xd4\xc3");
        assert_eq!(res.unwrap_err().to_string(), format!("Failed to read data from file '{}'", path.display()));
        let dir = std::env::temp_dir();
        let e = open_file(&dir).unwrap_err();
        assert_eq!(e.to_string(), format!("Failed to read data from file '{}'", dir.display()));
        let (path, res, _) = via_file(b"\x0a\x0d\x0d\x0a\x1c\0\0\0\x4d\x3c\x2b");
        let e = res.unwrap_err();
        assert!(e.warned_pcapng());
        assert_eq!(e.to_string(), format!("File '{}' is not a valid PCAP/PCAP-NG file", path.display()));
        let (path, res, _) = via_file(b"\xd4\xc3\xb2\xa1\x02\0\x04\0");
        assert_eq!(
            res.unwrap_err().to_string(),
            format!(
                "pcap_open_offline failed for '{}': truncated dump file; tried to read 24 file \
                 header bytes, only got 4",
                path.display()
            )
        );
        // Streams (stdin) skip T2's checks and report libpcap's texts.
        let e = Reader::from_read(&b"\x0a\x0d\x0d\x0a\x1c\0\0\0"[..]).unwrap_err();
        assert!(!e.warned_pcapng());
        assert_eq!(e.to_string(), "pcap_open_offline failed for '-': unknown file format");
    }

    #[test]
    fn strerror_texts() {
        let e = io::Error::from_raw_os_error(13);
        assert_eq!(strerror(&e), "Permission denied");
        assert_eq!(io_error(&e).to_string(), "error reading dump file: Permission denied");
        let e = io::Error::other("custom");
        assert_eq!(strerror(&e), "custom");
    }
}
