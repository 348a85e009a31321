//! Per-flow counters and running statistics, in T2's float arithmetic: the flow file prints
//! these floats with `%.7g`, so every rounding step has to be the one T2 takes.

use plugin_api::abi::Timestamp;

use crate::config::Config;

/// Timestamp fractions are nanoseconds (T2's `TSTAMPFAC` with `TSTAMP_PREC=1`).
const FRAC_PER_SEC: f64 = 1e9;

/// Initial minimum IAT (T2's 4.0e12): printed as is when no packet entered the statistics.
const MIN_IAT_START: f32 = 4.0e12;

/// Running mean and central moments of a series (Welford-style, as T2 updates them).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Moments {
    /// Mean.
    pub mean: f32,
    /// Variance (population).
    pub var: f32,
    /// Third central moment.
    pub m3: f32,
    /// Fourth central moment.
    pub m4: f32,
}

impl Moments {
    /// Adds the `n`-th value `x`.
    #[inline]
    pub fn add(&mut self, x: f32, n: f32) {
        let d = x - self.mean;
        self.mean += d / n;
        let d2 = d * d;
        self.var += (d2 - self.var) / n;
        self.m3 += (d2 * d - self.m3) / n;
        self.m4 += (d2 * d2 - self.m4) / n;
    }

    /// Standard deviation (square root taken in double, as T2's `sqrt`).
    pub fn std(&self) -> f32 {
        f64::from(self.var).sqrt() as f32
    }

    /// Skewness m3 / var^1.5, 0 when the variance is 0 (the divisor is a double in T2).
    pub fn skew(&self) -> f32 {
        if self.var == 0.0 {
            return 0.0;
        }
        let var = f64::from(self.var);
        (f64::from(self.m3) / (var * var.sqrt())) as f32
    }

    /// Kurtosis m4 / var², 0 when the variance is 0 (all in float in T2).
    pub fn kurt(&self) -> f32 {
        if self.var == 0.0 { 0.0 } else { self.m4 / (self.var * self.var) }
    }
}

/// Seconds from `from` to `to` as T2 computes an IAT: 32-bit seconds difference and fraction
/// difference each converted to float, summed in double, rounded to float.
#[inline]
pub fn iat(from: Timestamp, to: Timestamp) -> f32 {
    let sec = (to.sec as u32).wrapping_sub(from.sec as u32) as f32;
    let frac = to.frac.wrapping_sub(from.frac) as f32;
    (f64::from(sec) + f64::from(frac) / FRAC_PER_SEC) as f32
}

/// A flow duration in seconds as T2 converts it: 32-bit seconds plus fraction in double,
/// rounded to float.
pub fn seconds(d: Timestamp) -> f32 {
    (f64::from(d.sec as u32) + d.frac as f64 / FRAC_PER_SEC) as f32
}

/// What basicStats keeps per flow direction.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FlowStats {
    /// Packets.
    pub pkts: u64,
    /// Sum of the packet lengths.
    pub bytes: u64,
    /// Packets that entered the statistics (all of them unless `BS_XCLD` filters).
    pub included: u64,
    /// Time of the last included packet.
    pub last: Timestamp,
    /// Smallest included length.
    pub min_size: u16,
    /// Largest included length.
    pub max_size: u16,
    /// Smallest IAT.
    pub min_iat: f32,
    /// Largest IAT.
    pub max_iat: f32,
    /// Packet-length moments; the mean starts at the first packet's length.
    pub size: Moments,
    /// IAT moments; the first packet contributes an IAT of 0.
    pub iat: Moments,
}

impl Default for FlowStats {
    fn default() -> Self {
        FlowStats {
            pkts: 0,
            bytes: 0,
            included: 0,
            last: Timestamp::default(),
            min_size: u16::MAX,
            max_size: 0,
            min_iat: MIN_IAT_START,
            max_iat: 0.0,
            size: Moments::default(),
            iat: Moments::default(),
        }
    }
}

impl FlowStats {
    /// The state of a new flow whose first packet has length `len` (before any `BS_MOD` or
    /// 16-bit truncation, as T2 seeds the mean) at time `first`.
    pub fn start(cfg: &Config, len: u32, first: Timestamp) -> FlowStats {
        let len = if cfg.bs_mod > 1 { len % cfg.bs_mod } else { len };
        FlowStats { last: first, size: Moments { mean: len as f32, ..Moments::default() }, ..FlowStats::default() }
    }

    /// Accounts one packet of length `len` (T2's `packet->len`) seen at `now` (the flow's
    /// last-seen time, already updated by the core).
    #[inline]
    pub fn add(&mut self, cfg: &Config, len: u32, now: Timestamp) {
        // T2 keeps the length in a uint16_t.
        let len = if cfg.bs_mod > 1 { len % cfg.bs_mod } else { len } as u16;
        self.pkts += 1;
        self.bytes += u64::from(len);
        if !cfg.bs_stats || !cfg.exclude().includes(len, cfg.bs_xmin, cfg.bs_xmax) {
            return;
        }
        self.included += 1;
        if cfg.bs_pl_stats {
            self.min_size = self.min_size.min(len);
            self.max_size = self.max_size.max(len);
        }
        let mut gap = 0.0;
        if cfg.bs_iat_stats {
            gap = iat(self.last, now);
            if gap < self.min_iat {
                self.min_iat = gap;
            }
            if gap > self.max_iat {
                self.max_iat = gap;
            }
            self.last = now;
        }
        if cfg.moments() {
            let n = self.included as f32;
            if cfg.bs_pl_stats {
                self.size.add(f32::from(len), n);
            }
            if cfg.bs_iat_stats {
                self.iat.add(gap, n);
            }
        }
    }

    /// Average length: all bytes over the included packets (T2 divides the total even when
    /// `BS_XCLD` left packets out), 0 without included packets.
    pub fn avg_size(&self) -> f32 {
        if self.included == 0 { 0.0 } else { self.bytes as f32 / self.included as f32 }
    }
}

/// Rates and asymmetries of a terminated flow.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rates {
    /// Packets per second.
    pub pktps: f32,
    /// Bytes per second.
    pub bytps: f32,
    /// Packet asymmetry.
    pub pkt_asm: f32,
    /// Byte asymmetry.
    pub byt_asm: f32,
}

impl Rates {
    /// Rates over `duration` and asymmetries against the opposite flow's counts (`opp`, `None`
    /// when there is no opposite flow; a B flow without one gets a negated packet asymmetry).
    pub fn new(s: &FlowStats, duration: Timestamp, opp: Option<(u64, u64)>, is_b: bool) -> Rates {
        let (pktps, bytps) = if duration.sec != 0 || duration.frac != 0 {
            let d = seconds(duration);
            (s.pkts as f32 / d, s.bytes as f32 / d)
        } else {
            (0.0, 0.0)
        };
        let dir: f32 = if opp.is_none() && is_b { -1.0 } else { 1.0 };
        let (o_pkts, o_bytes) = opp.unwrap_or((0, 0));
        let pkt_asm = if s.pkts > 0 || o_pkts > 0 {
            dir * (s.pkts as f32 - o_pkts as f32) / (s.pkts.wrapping_add(o_pkts)) as f32
        } else {
            0.0
        };
        let byt_asm = if s.bytes > 0 || o_bytes > 0 {
            (s.bytes as f32 - o_bytes as f32) / (s.bytes.wrapping_add(o_bytes)) as f32
        } else {
            0.0
        };
        Rates { pktps, bytps, pkt_asm, byt_asm }
    }
}
