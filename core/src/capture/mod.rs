//! Capture input: our own streaming pcap/pcapng reader for files and stdin.
//!
//! Files are memory-mapped and parsed in place (zero copy); stdin and pipes go through a
//! refilled buffer. Both feed the same parser, which reproduces libpcap's observable behaviour
//! (timestamps in nanoseconds, sign extension of 32-bit fields, snaplen handling, error texts),
//! because T2's output depends on it. Live capture (`-i`) goes through libpcap itself.

pub mod bpf;
mod bytes;
pub mod feed;
pub mod list;
pub mod live;
mod pcap;
mod pcapng;
mod reader;
pub mod series;

pub use bytes::{ByteSource, MmapBytes, StreamBytes};
pub use live::{IDLE_POLLS, LiveCapture, LiveError, LiveStats};
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

/// What the run loop got from its input.
#[derive(Debug)]
pub enum Polled<'a> {
    /// A packet, borrowed until the next poll.
    Packet(RawPacket<'a>),
    /// No packet yet (live capture: the read timeout expired); poll again.
    Idle,
    /// A read failed; reading may go on.
    Error(String),
    /// The input is exhausted.
    End,
}

/// A packet input of the run loop: a capture file or stream ([`Reader`]) or an interface
/// ([`LiveCapture`]).
pub trait PacketSource {
    /// The next packet or event.
    fn poll(&mut self) -> Polled<'_>;
    /// The link type as `pcap_datalink()` reports it (the number T2 prints).
    fn dlt(&self) -> u32;
    /// The link type packets are dissected with.
    fn linktype(&self) -> LinkType;
    /// The snapshot length.
    fn snaplen(&self) -> u32;
    /// The input's size in bytes (0: unknown or live).
    fn file_size(&self) -> u64;
    /// libpcap's counters, for a live capture only.
    fn live_stats(&mut self) -> Option<LiveStats> {
        None
    }
    /// The receive buffer size, for a live capture only.
    fn rx_buffer(&self) -> Option<u32> {
        None
    }
    /// Hands the BPF `expr` to the capture itself (the kernel, for an interface): `Ok(true)`
    /// when it filters from now on, `Ok(false)` when the run loop must filter (files).
    fn set_filter(&mut self, _expr: &str) -> Result<bool, String> {
        Ok(false)
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
}
