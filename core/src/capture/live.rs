//! \[UNSAFE\] libpcap itself: live capture (`-i`) through the `pcap` crate, plus the calls that
//! crate does not wrap (the library version, the timestamp precision, the snapshot length, the
//! BPF interpreter that filters the packets of our own reader).
#![allow(unsafe_code)]
#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

use std::ffi::{CStr, c_char, c_int, c_uint, c_void};

use plugin_api::abi::Timestamp;

use super::linktype::{LinkType, exposed_linktype};
use super::{LiveStats, PacketSource, PastEnd, Polled, RawPacket};

unsafe extern "C" {
    /// `const char *pcap_lib_version(void)`: a static string owned by libpcap.
    fn pcap_lib_version() -> *const c_char;
    /// `int pcap_set_tstamp_precision(pcap_t *, int)`: 0 on success.
    fn pcap_set_tstamp_precision(p: *mut c_void, precision: c_int) -> c_int;
    /// `int pcap_get_tstamp_precision(pcap_t *)`.
    fn pcap_get_tstamp_precision(p: *mut c_void) -> c_int;
    /// `int pcap_snapshot(pcap_t *)`.
    fn pcap_snapshot(p: *mut c_void) -> c_int;
    /// libpcap's BPF interpreter (what `pcap_offline_filter` calls with the record's lengths).
    fn bpf_filter(pc: *const c_void, p: *const u8, wirelen: c_uint, buflen: c_uint) -> c_uint;
}

/// `PCAP_TSTAMP_PRECISION_NANO`.
const PRECISION_NANO: c_int = 1;

/// How long the loop waits for a packet before it gets control back (ms), so that a signal is
/// served within about this time on an idle interface. It is also libpcap's read timeout, after
/// which the kernel hands over a partly filled buffer.
const READ_TIMEOUT_MS: i32 = 100;

/// Reads without a packet after which the flow clock follows the wall clock: about 1.5 s, as
/// T2's 1500 polls of about 1 ms (`ZPKTTMO`).
pub const IDLE_POLLS: u32 = 1500 / READ_TIMEOUT_MS as u32;

/// libpcap's version string, e.g. `libpcap version 1.10.3 (with TPACKET_V3)`.
pub fn lib_version() -> String {
    // SAFETY: pcap_lib_version takes no arguments and returns a pointer to a static,
    // NUL-terminated string (or null on exotic builds, which we check).
    let p = unsafe { pcap_lib_version() };
    if p.is_null() {
        return "libpcap".to_owned();
    }
    // SAFETY: non-null pointer to a static NUL-terminated string (see above).
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

/// Why an interface cannot be captured on (core.md §9); each prints as one `[ERR]` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveError {
    /// `pcap_create` failed.
    Create {
        /// The interface.
        iface: String,
        /// libpcap's message.
        reason: String,
    },
    /// `pcap_activate` failed (no such device, no permission, ...).
    Activate {
        /// The interface.
        iface: String,
        /// libpcap's message (may be empty).
        reason: String,
    },
}

impl core::fmt::Display for LiveError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            LiveError::Create { iface, reason } => write!(f, "pcap_create failed for '{iface}': {reason}"),
            LiveError::Activate { iface, reason } if reason.is_empty() => {
                write!(f, "Failed to activate capture interface '{iface}'")
            }
            LiveError::Activate { iface, reason } => {
                write!(f, "Failed to activate capture interface '{iface}': {reason}")
            }
        }
    }
}

impl std::error::Error for LiveError {}

/// T2's message for an expression libpcap cannot compile.
pub(super) fn invalid(expr: &str, e: pcap::Error) -> String {
    format!("pcap_compile failed: '{expr}' is not a valid BPF: {}", reason(e))
}

/// Runs the compiled filter `prog` on a packet of `wirelen` bytes on the wire, `data` of them
/// captured; an empty program rejects everything, as in libpcap.
#[inline]
pub(super) fn run_filter(prog: &pcap::BpfProgram, data: &[u8], wirelen: u32) -> bool {
    let insns = prog.get_instructions();
    if insns.is_empty() {
        return false;
    }
    // SAFETY: the instructions come from pcap_compile and live as long as `prog`; the
    // interpreter reads at most `buflen` = data.len() bytes of `data`.
    unsafe { bpf_filter(insns.as_ptr().cast(), data.as_ptr(), wirelen, data.len() as c_uint) != 0 }
}

/// libpcap's own message for `e`.
pub(super) fn reason(e: pcap::Error) -> String {
    match e {
        // the crate's Display adds a "libpcap error: " prefix T2 does not print
        pcap::Error::PcapError(s) => s,
        e => e.to_string(),
    }
}

/// An activated capture on an interface, in promiscuous mode as T2's.
pub struct LiveCapture {
    cap: pcap::Capture<pcap::Active>,
    /// The capture's descriptor, to wait on in non-blocking mode.
    fd: c_int,
    dlt: u32,
    linktype: LinkType,
    snaplen: u32,
    bufsize: u32,
    /// Timestamps are in nanoseconds (else microseconds).
    nano: bool,
    /// Nanosecond precision could not be requested (T2 only warns).
    precision_failed: bool,
}

impl core::fmt::Debug for LiveCapture {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("LiveCapture").field("dlt", &self.dlt).field("snaplen", &self.snaplen).finish()
    }
}

impl LiveCapture {
    /// Opens `iface` as T2 does: snaplen, promiscuous mode, read timeout, nanosecond
    /// timestamps (best effort), buffer size, then activation.
    pub fn open(iface: &str, snaplen: u32, bufsize: u32) -> Result<LiveCapture, LiveError> {
        let inactive = pcap::Capture::from_device(iface)
            .map_err(|e| LiveError::Create { iface: iface.to_owned(), reason: reason(e) })?;
        // The setters below can only fail on an activated handle, which this is not, so their
        // results (which the crate drops) are always success; T2's messages for them cannot occur.
        let inactive = inactive
            .snaplen(i32::try_from(snaplen).unwrap_or(i32::MAX))
            .promisc(true)
            .timeout(READ_TIMEOUT_MS)
            .buffer_size(i32::try_from(bufsize).unwrap_or(i32::MAX));
        // SAFETY: the handle is a valid, not yet activated pcap_t owned by `inactive`.
        let precision_failed = unsafe { pcap_set_tstamp_precision(inactive.as_ptr().cast(), PRECISION_NANO) } != 0;
        let activate = |e| LiveError::Activate { iface: iface.to_owned(), reason: reason(e) };
        // Non-blocking, waiting on the descriptor ourselves: with TPACKET_V3 libpcap leaves the
        // read timeout to the kernel, which never ends a wait on an empty buffer, so a blocking
        // read on an idle (or fully filtered) interface would never return to serve signals.
        let cap = inactive.open().and_then(pcap::Capture::setnonblock).map_err(activate)?;
        let fd = std::os::fd::AsRawFd::as_raw_fd(&cap);
        // SAFETY: the handle is a valid, activated pcap_t owned by `cap`.
        let nano = unsafe { pcap_get_tstamp_precision(cap.as_ptr().cast()) } == PRECISION_NANO;
        let dlt = cap.get_datalink().0 as u32;
        // SAFETY: valid activated handle; pcap_snapshot only reads it.
        let snap = unsafe { pcap_snapshot(cap.as_ptr().cast()) };
        Ok(LiveCapture {
            cap,
            fd,
            dlt,
            linktype: exposed_linktype(dlt),
            snaplen: u32::try_from(snap).unwrap_or(snaplen),
            bufsize,
            nano,
            precision_failed,
        })
    }

    /// Whether nanosecond timestamps could not be requested (T2 warns and goes on).
    pub fn precision_failed(&self) -> bool {
        self.precision_failed
    }

    /// libpcap's counters so far (zeros if it cannot tell).
    pub fn stats(&mut self) -> LiveStats {
        self.cap.stats().map_or(LiveStats::default(), |s| LiveStats {
            recv: u64::from(s.received),
            drop: u64::from(s.dropped),
            ifdrop: u64::from(s.if_dropped),
        })
    }
}

impl PacketSource for LiveCapture {
    /// The next packet, or [`Polled::Idle`] after the read timeout; no allocation on packets.
    #[inline]
    // time_t and suseconds_t are i64 here but i32 on some targets
    #[allow(clippy::unnecessary_cast)]
    fn poll(&mut self) -> Polled<'_> {
        let (nano, linktype, fd) = (self.nano, self.linktype, self.fd);
        match self.cap.next_packet() {
            Ok(p) => {
                let h = p.header;
                let frac = h.ts.tv_usec as i64 * if nano { 1 } else { 1000 };
                Polled::Packet(RawPacket {
                    ts: Timestamp { sec: h.ts.tv_sec as i64, frac },
                    caplen: p.data.len() as u32,
                    wirelen: h.len,
                    linktype,
                    data: p.data,
                    // libpcap's ring: nothing to model past a frame, read as zeros
                    past: PastEnd::default(),
                })
            }
            Err(pcap::Error::TimeoutExpired) => {
                let mut pfd = libc::pollfd { fd, events: libc::POLLIN, revents: 0 };
                // SAFETY: one valid pollfd for the duration of the call. An error (EINTR from a
                // signal) only ends the wait early, which is what the loop wants anyway.
                unsafe { libc::poll(&mut pfd, 1, READ_TIMEOUT_MS) };
                Polled::Idle
            }
            Err(e) => Polled::Error(reason(e)),
        }
    }

    fn dlt(&self) -> u32 {
        self.dlt
    }

    fn linktype(&self) -> LinkType {
        self.linktype
    }

    fn snaplen(&self) -> u32 {
        self.snaplen
    }

    fn file_size(&self) -> u64 {
        0
    }

    fn live_stats(&mut self) -> Option<LiveStats> {
        Some(self.stats())
    }

    fn rx_buffer(&self) -> Option<u32> {
        Some(self.bufsize)
    }

    /// Compiled as T2 does (no optimisation, netmask 0) and set with `pcap_setfilter`, so
    /// the kernel drops what does not match before it is copied to us.
    fn set_filter(&mut self, expr: &str) -> Result<bool, String> {
        self.cap.compile(expr, false).map_err(|e| invalid(expr, e))?;
        self.cap.filter(expr, false).map_err(|e| format!("pcap_setfilter failed: {}", reason(e)))?;
        Ok(true)
    }
}
