//! Capture input: our own streaming pcap/pcapng reader for files and stdin.
//!
//! Files are memory-mapped and parsed in place (zero copy); stdin and pipes go through a
//! refilled buffer. Both feed the same parser, which reproduces libpcap's observable behaviour
//! (timestamps in nanoseconds, sign extension of 32-bit fields, snaplen handling, error texts),
//! because T2's output depends on it. Live capture (`-i`) goes through libpcap itself.

pub mod bpf;
mod bytes;
mod error;
pub mod feed;
mod linktype;
pub mod list;
pub mod live;
mod os;
mod pcap;
mod pcapng;
mod reader;
pub mod series;
mod stale;
#[cfg(test)]
mod testutil;

pub use bytes::{ByteSource, MmapBytes, StreamBytes};
pub use error::{OpenError, ReadError};
pub use linktype::{LinkType, linktype_text};
pub use live::{IDLE_POLLS, LiveCapture, LiveError};
pub use reader::{CaptureFormat, Reader, open_file, open_stdin};
pub use stale::PastEnd;

use plugin_api::abi::Timestamp;

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
    /// What the reader's buffer holds after them, where T2 reads past the end.
    pub past: PastEnd<'a>,
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

/// libpcap's counters of a live capture (`pcap_stats`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LiveStats {
    /// Packets received.
    pub recv: u64,
    /// Dropped by the kernel.
    pub drop: u64,
    /// Dropped by the interface.
    pub ifdrop: u64,
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
    /// Bytes of the input read so far, up to the end of the last packet (0 for an interface).
    fn position(&self) -> u64 {
        0
    }
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
