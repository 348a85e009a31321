//! The errors of capture input, worded as T2 and libpcap word them.

use std::fmt;
use std::io;
use std::path::PathBuf;

use plugin_api::fmt::{escaped, strerror};

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
pub(super) fn io_error(e: &io::Error) -> ReadError {
    ReadError::Io(strerror(e))
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
                write!(f, "Failed to open file '{}' for reading: {reason}", escaped(&path))
            }
            Self::Stat { path, reason } => {
                write!(f, "Failed to get stats of file '{}': {reason}", escaped(&path))
            }
            Self::Empty { path } => write!(f, "PCAP file '{}' is empty", escaped(&path)),
            Self::Unreadable { path } => {
                write!(f, "Failed to read data from file '{}'", escaped(&path))
            }
            Self::NotCapture { path, .. } => {
                write!(f, "File '{}' is not a valid PCAP/PCAP-NG file", escaped(&path))
            }
            Self::Pcap { path, error, .. } => {
                write!(f, "pcap_open_offline failed for '{}': {error}", escaped(&path))
            }
            Self::Map { path, reason } => {
                write!(f, "Failed to map file '{}' into memory: {reason}", escaped(&path))
            }
        }
    }
}

impl std::error::Error for OpenError {}

#[cfg(test)]
mod tests {
    use std::io;

    use super::*;

    #[test]
    fn strerror_texts() {
        let e = io::Error::from_raw_os_error(13);
        assert_eq!(plugin_api::fmt::strerror(&e), "Permission denied");
        assert_eq!(io_error(&e).to_string(), "error reading dump file: Permission denied");
        let e = io::Error::other("custom");
        assert_eq!(plugin_api::fmt::strerror(&e), "custom");
    }
}
