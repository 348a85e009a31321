//! One flow's signal: the samples of its first packets or pulses (T2's `nfp_claimInfo`).
//!
//! Most flows have a few packets (in the benchmark capture 84 % have at most three), so a
//! flow keeps its first [`INLINE`] samples in its slot and the rest in a [`Tail`] of the
//! [`SparseSlots`] pool, claimed when the flow takes its next sample and given back at its end.

use plugin_api::abi::{PacketView, Timestamp};
use plugin_api::{Flow, SparseSlots};

use crate::flags::{Config, NFRST_PKTCNT};

/// Samples kept per flow.
const MAX: usize = NFRST_PKTCNT as usize;
const _: () = assert!(MAX > 0, "NFRST_PKTCNT must be > 0");
/// Samples kept in a flow's slot.
pub const INLINE: usize = if MAX < 3 { MAX } else { 3 };
/// The samples after the first [`INLINE`] of a flow that has more.
pub type Tail = [Sample; MAX - INLINE];
/// The tails of the flows that have one.
pub type Tails = SparseSlots<Tail>;

/// A time as the output keeps it: 32-bit seconds and fraction (T2's `OUTBUF_APPEND_TIME` of a
/// `timeval`), so that a sample takes 24 bytes instead of 40.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Time32 {
    /// Seconds, truncated to 32 bits.
    pub sec: u32,
    /// Fraction in nanoseconds, truncated to 32 bits.
    pub frac: u32,
}

impl From<Timestamp> for Time32 {
    fn from(t: Timestamp) -> Time32 {
        Time32 { sec: t.sec as u32, frac: t.frac as u32 }
    }
}

/// What the time column of a sample holds (`NFRST_IAT`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeMode {
    /// Time since the flow's start (0).
    SinceStart,
    /// Time since the previous packet or pulse (1).
    InterArrival,
    /// Capture time (2).
    Absolute,
}

/// The flags as the per-packet code uses them.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    time: TimeMode,
    /// Shift B flows by their start after their A flow (`NFRST_BCORR`, with `SinceStart`).
    b_corr: bool,
    /// Minimal gap between pulses; zero: one sample per packet.
    min_iat: Timestamp,
    /// Duration given to a one-packet pulse.
    one_pulse: Timestamp,
    /// Average the lengths of a pulse (else sum them).
    average: bool,
    /// Lengths outside `[xmin, xmax]` do not add to a pulse.
    xmin: u32,
    xmax: u32,
}

impl Settings {
    /// The settings of `cfg`.
    pub fn new(cfg: &Config) -> Settings {
        let time = match cfg.nfrst_iat {
            0 => TimeMode::SinceStart,
            2 => TimeMode::Absolute,
            _ => TimeMode::InterArrival,
        };
        let frc = cfg.nfrst_minplenfrc.max(1);
        Settings {
            time,
            b_corr: cfg.nfrst_bcorr,
            min_iat: Timestamp { sec: i64::from(cfg.nfrst_miniats), frac: i64::from(cfg.nfrst_miniatu) },
            one_pulse: Timestamp { sec: i64::from(cfg.nfrst_miniats / frc), frac: i64::from(cfg.nfrst_miniatu / frc) },
            average: cfg.nfrst_plave,
            xmin: cfg.nfrst_xmin,
            xmax: cfg.nfrst_xmax,
        }
    }

    /// Pulse mode (`NFRST_MINIATS` or `NFRST_MINIATU` > 0).
    pub fn pulse(&self) -> bool {
        self.min_iat != Timestamp::default()
    }

    /// `gap` is shorter than the minimal IAT: the packet continues the pulse.
    fn within_pulse(&self, gap: Timestamp) -> bool {
        gap.sec < self.min_iat.sec || (gap.sec == self.min_iat.sec && gap.frac < self.min_iat.frac)
    }

    /// The length adds to a pulse (T2 tests the bounds only when they are not the defaults).
    fn in_range(&self, len: u32) -> bool {
        if self.xmin == 0 && self.xmax >= u32::from(u16::MAX) {
            return true;
        }
        (self.xmin == 0 || len >= self.xmin) && len <= self.xmax
    }
}

/// One sample: a packet, or in pulse mode a pulse.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sample {
    /// Packet length, or the pulse's summed or averaged length.
    pub len: u32,
    /// IAT, time since the flow's start, or capture time (`NFRST_IAT`).
    pub time: Time32,
    /// Pulse duration (pulse mode).
    pub pulse: Time32,
    /// L3 header length (`NFRST_HDRINFO`, T2's 8-bit field).
    pub l3_hdr: u8,
    /// L4 header length.
    pub l4_hdr: u8,
}

/// One flow's clocks and first samples (the others in its [`Tail`]).
#[derive(Clone, Copy, Debug)]
pub struct Signal {
    inline: [Sample; INLINE],
    n: usize,
    /// Last packet time (the flow start before the first).
    last: Timestamp,
    /// Flow start.
    start: Timestamp,
    /// B flows: their start after the A flow's (`NFRST_BCORR`).
    b_shift: Option<Timestamp>,
    /// Pulse mode: packets in the open pulse, its start, and the IAT it began with.
    in_pulse: u32,
    pulse_start: Timestamp,
    pulse_iat: Timestamp,
}

impl Default for Signal {
    fn default() -> Self {
        Signal {
            inline: [Sample::default(); INLINE],
            n: 0,
            last: Timestamp::default(),
            start: Timestamp::default(),
            b_shift: None,
            in_pulse: 0,
            pulse_start: Timestamp::default(),
            pulse_iat: Timestamp::default(),
        }
    }
}

impl Signal {
    /// Starts the clocks of a flow first seen at `start`; `a_start` is the start of its A flow
    /// when it is a B flow.
    pub fn start(&mut self, set: &Settings, start: Timestamp, a_start: Option<Timestamp>) {
        *self = Signal::default();
        self.start = start;
        self.last = start;
        if set.b_corr && set.time == TimeMode::SinceStart {
            self.b_shift = a_start.map(|a| start.timersub(a));
        }
    }

    /// The samples taken so far (the open pulse is not one: T2 drops it), `tail` those after
    /// the first [`INLINE`].
    pub fn samples<'a>(&'a self, tail: Option<&'a Tail>) -> impl Iterator<Item = &'a Sample> {
        let rest = tail.map_or(&[][..], |t| &t[..self.n.saturating_sub(INLINE)]);
        self.inline[..self.n.min(INLINE)].iter().chain(rest)
    }

    /// Number of samples taken.
    pub fn len(&self) -> usize {
        self.n
    }

    /// No sample taken.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Sample `n`, in `tail` after the first [`INLINE`].
    fn sample<'a>(&'a mut self, tail: &'a mut TailOf<'_>) -> &'a mut Sample {
        match self.inline.get_mut(self.n) {
            Some(s) => s,
            None => &mut tail.get()[self.n - INLINE],
        }
    }

    /// Time since the flow start, shifted for B flows.
    fn since_start(&self, t: Timestamp) -> Timestamp {
        let d = t.timersub(self.start);
        self.b_shift.map_or(d, |s| d.timeradd(s))
    }

    /// Takes one packet (`tail`: the flow's, claimed for its first sample after [`INLINE`]).
    pub fn packet(&mut self, set: &Settings, pkt: &PacketView, mut tail: TailOf<'_>) {
        if self.n >= MAX {
            return;
        }
        if set.pulse() {
            self.pulse_packet(set, pkt, &mut tail);
            return;
        }
        let ts = pkt.ts;
        let time = match set.time {
            TimeMode::Absolute => ts,
            TimeMode::InterArrival => {
                let iat = ts.timersub(self.last);
                self.last = ts;
                iat
            }
            TimeMode::SinceStart => self.since_start(ts),
        };
        *self.sample(&mut tail) = Sample { len: pkt.len, time: time.into(), ..header_lengths(pkt) };
        self.n += 1;
    }

    /// Pulse mode: a packet closer to the previous than the minimal IAT joins the open pulse;
    /// a later one closes it into a sample and opens the next.
    fn pulse_packet(&mut self, set: &Settings, pkt: &PacketView, tail: &mut TailOf<'_>) {
        let ts = pkt.ts;
        let hdr = header_lengths(pkt);
        // the sample takes the header lengths of every packet that touches it, the closing one
        // included (as T2)
        self.set_header_lengths(hdr, tail);
        let gap = ts.timersub(self.last);
        if self.in_pulse > 0 && !set.within_pulse(gap) {
            self.close_pulse(set, gap, tail);
            self.last = ts;
            if self.n >= MAX {
                return;
            }
            self.set_header_lengths(hdr, tail);
        }
        let gap = ts.timersub(self.last);
        self.last = ts;
        if set.time == TimeMode::InterArrival {
            self.pulse_iat = self.pulse_iat.timeradd(gap);
        }
        if self.in_pulse == 0 {
            // a pulse starts with a packet that has a length
            if pkt.len == 0 {
                return;
            }
            self.pulse_start = ts;
        }
        if set.in_range(pkt.len) {
            let s = self.sample(tail);
            s.len = s.len.wrapping_add(pkt.len);
        }
        self.in_pulse = self.in_pulse.wrapping_add(1);
    }

    fn set_header_lengths(&mut self, hdr: Sample, tail: &mut TailOf<'_>) {
        let s = self.sample(tail);
        (s.l3_hdr, s.l4_hdr) = (hdr.l3_hdr, hdr.l4_hdr);
    }

    /// Turns the open pulse into a sample; `gap` is the silence that ended it.
    fn close_pulse(&mut self, set: &Settings, gap: Timestamp, tail: &mut TailOf<'_>) {
        let (start, end) = (self.pulse_start, self.last);
        let time = match set.time {
            TimeMode::Absolute => start,
            TimeMode::InterArrival => std::mem::replace(&mut self.pulse_iat, gap),
            TimeMode::SinceStart => self.since_start(start),
        };
        let mut pulse = end.timersub(start);
        if self.in_pulse == 1 {
            pulse = pulse.timeradd(set.one_pulse);
        }
        let in_pulse = self.in_pulse;
        let s = self.sample(tail);
        if set.average {
            s.len /= in_pulse;
        }
        (s.pulse, s.time) = (pulse.into(), time.into());
        self.in_pulse = 0;
        self.n += 1;
    }
}

/// A sample holding only the packet's header lengths (T2 keeps them in 8 bits).
fn header_lengths(pkt: &PacketView) -> Sample {
    Sample { l3_hdr: pkt.l3_hdr_len as u8, l4_hdr: pkt.l4_hdr_len as u8, ..Sample::default() }
}

/// A flow's tail, claimed at its first use.
pub struct TailOf<'a> {
    tails: &'a mut Tails,
    flow: &'a Flow<'a>,
}

impl<'a> TailOf<'a> {
    /// The tail of `flow` in `tails`.
    pub fn new(tails: &'a mut Tails, flow: &'a Flow<'a>) -> TailOf<'a> {
        TailOf { tails, flow }
    }

    /// The tail, claimed (cleared: pulses add to their sample) if the flow has none yet.
    fn get(&mut self) -> &mut Tail {
        let blank = [Sample::default(); MAX - INLINE];
        self.tails.get_or_claim(self.flow, || blank, |t| *t = blank)
    }
}
