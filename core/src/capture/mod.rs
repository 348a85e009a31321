//! Capture input: our own streaming pcap/pcapng reader for files and stdin.
//!
//! Files are memory-mapped and parsed in place (zero copy); stdin and pipes go through a
//! refilled buffer. Both feed the same parser, which reproduces libpcap's observable behaviour
//! (timestamps in nanoseconds, sign extension of 32-bit fields, snaplen handling, error texts),
//! because T2's output depends on it. Live capture (`-i`) goes through libpcap itself.

mod bytes;
pub mod live;
mod pcap;
mod pcapng;
mod reader;

pub use bytes::{ByteSource, MmapBytes, StreamBytes};
pub use reader::{CaptureFormat, Next, OpenError, ReadError, Reader, open_file, open_stdin};

use plugin_api::abi::Timestamp;

/// A link-layer type (DLT/LINKTYPE value); kept open so unknown values survive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LinkType(pub u32);

impl LinkType {
    /// BSD loopback.
    pub const NULL: LinkType = LinkType(0);
    /// Ethernet.
    pub const EN10MB: LinkType = LinkType(1);
    /// PPP.
    pub const PPP: LinkType = LinkType(9);
    /// Raw IP: files with LINKTYPE_RAW (101) or 12. libpcap on Linux reports both as
    /// `DLT_RAW` = 12, the number T2 prints (see [`Reader::dlt`]); we expose 101.
    pub const RAW: LinkType = LinkType(101);
    /// Cisco HDLC.
    pub const C_HDLC: LinkType = LinkType(104);
    /// Linux cooked capture v1.
    pub const LINUX_SLL: LinkType = LinkType(113);
    /// Raw IPv4.
    pub const IPV4: LinkType = LinkType(228);
    /// Raw IPv6.
    pub const IPV6: LinkType = LinkType(229);
    /// Linux cooked capture v2.
    pub const LINUX_SLL2: LinkType = LinkType(276);
}

/// One captured packet, borrowed from the reader until the next call.
#[derive(Clone, Copy, Debug)]
pub struct RawPacket<'a> {
    /// Capture time as libpcap reports it with nanosecond precision.
    pub ts: Timestamp,
    /// Captured length (`data.len()`).
    pub caplen: u32,
    /// Original length on the wire.
    pub wirelen: u32,
    /// Link type of this packet (pcapng interfaces may differ).
    pub linktype: LinkType,
    /// The captured bytes.
    pub data: &'a [u8],
}
