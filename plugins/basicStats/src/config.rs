//! basicStats' configuration as values: the compiled flags by default, any combination in tests.

use crate::flags;

/// Which packets enter the statistics (`BS_XCLD`, bounds `BS_XMIN` and `BS_XMAX`). Counts and
/// byte sums always use every packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exclude {
    /// 0: every packet.
    Nothing,
    /// 1: length > min.
    AboveMin,
    /// 2: length < max.
    BelowMax,
    /// 3: min ≤ length ≤ max.
    Within,
    /// 4: length < min and length > max. T2 means "outside [min, max]" but tests both at once,
    /// so no packet qualifies unless min > max; kept as T2 has it.
    Outside,
}

impl Exclude {
    /// The mode of a `BS_XCLD` value (values above 4 act as 4, as in T2's `#else`).
    pub fn from_flag(v: u8) -> Exclude {
        match v {
            0 => Exclude::Nothing,
            1 => Exclude::AboveMin,
            2 => Exclude::BelowMax,
            3 => Exclude::Within,
            _ => Exclude::Outside,
        }
    }

    /// True when a packet of length `len` enters the statistics.
    #[inline]
    pub fn includes(self, len: u16, min: u16, max: u16) -> bool {
        match self {
            Exclude::Nothing => true,
            Exclude::AboveMin => len > min,
            Exclude::BelowMax => len < max,
            Exclude::Within => len >= min && len <= max,
            Exclude::Outside => len < min && len > max,
        }
    }

    /// Whether the mode reads the lower bound.
    fn uses_min(self) -> bool {
        matches!(self, Exclude::AboveMin | Exclude::Within | Exclude::Outside)
    }

    /// Whether the mode reads the upper bound.
    fn uses_max(self) -> bool {
        matches!(self, Exclude::BelowMax | Exclude::Within | Exclude::Outside)
    }
}

/// What basicStats computes and writes (one field per flag of `flags.toml`).
///
/// Statistics flags only count when `stats` is on, and `sk` only with `var`, as in T2's
/// nested `#if`s; [`Config::pl`], [`Config::iat`] and friends give the effective values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// `BS_AGGR_CNT`: A+B aggregate counts.
    pub aggr_cnt: bool,
    /// `BS_REV_CNT`: counts of the opposite flow.
    pub rev_cnt: bool,
    /// `BS_MOD`: packet lengths modulo this value when > 1.
    pub modulo: u32,
    /// `BS_PAD`: padding bytes.
    pub pad: bool,
    /// `BS_STATS`: the statistics columns.
    pub stats: bool,
    /// `BS_PL_STATS`: packet-length statistics.
    pub pl_stats: bool,
    /// `BS_IAT_STATS`: inter-arrival-time statistics.
    pub iat_stats: bool,
    /// `BS_VAR`: variance columns.
    pub var: bool,
    /// `BS_STDDEV`: standard-deviation columns.
    pub stddev: bool,
    /// `BS_SK`: skewness and kurtosis columns.
    pub sk: bool,
    /// `BS_XCLD`: which packets enter the statistics.
    pub exclude: Exclude,
    /// `BS_XMIN` (overridden by the environment variable of the same name at `init`).
    pub xmin: u16,
    /// `BS_XMAX` (overridden by the environment variable of the same name at `init`).
    pub xmax: u16,
    /// The core's `PACKETLENGTH`, for the layer digit of the column names. The core only tells
    /// plugins its configuration at `init`, after the columns are declared; rt2's core always
    /// measures layer-7 payload (3).
    pub packet_length: u8,
}

impl Default for Config {
    /// The compiled flags.
    fn default() -> Self {
        Config {
            aggr_cnt: flags::BS_AGGR_CNT == 1,
            rev_cnt: flags::BS_REV_CNT == 1,
            modulo: flags::BS_MOD,
            pad: flags::BS_PAD == 1,
            stats: flags::BS_STATS == 1,
            pl_stats: flags::BS_PL_STATS == 1,
            iat_stats: flags::BS_IAT_STATS == 1,
            var: flags::BS_VAR == 1,
            stddev: flags::BS_STDDEV == 1,
            sk: flags::BS_SK == 1,
            exclude: Exclude::from_flag(flags::BS_XCLD),
            xmin: flags::BS_XMIN,
            xmax: flags::BS_XMAX,
            packet_length: 3,
        }
    }
}

impl Config {
    /// Packet-length statistics are on.
    pub fn pl(&self) -> bool {
        self.stats && self.pl_stats
    }

    /// Inter-arrival-time statistics are on.
    pub fn iat(&self) -> bool {
        self.stats && self.iat_stats
    }

    /// Running moments are needed (T2 updates the means only then, so `avgIAT` stays 0
    /// without `BS_VAR` or `BS_STDDEV`).
    pub fn moments(&self) -> bool {
        self.stats && (self.var || self.stddev)
    }

    /// Skewness and kurtosis columns are on.
    pub fn skew_kurt(&self) -> bool {
        self.var && self.sk
    }

    /// Statistics are restricted to some packets.
    pub fn excludes(&self) -> bool {
        self.stats && self.exclude != Exclude::Nothing
    }

    /// The layer digit of the column names: 2, 3, 4 or 7 for `PACKETLENGTH` 0, 1, 2, 3.
    pub fn layer(&self) -> u8 {
        if self.packet_length > 2 { 7 } else { self.packet_length + 2 }
    }

    /// Applies the runtime overrides of the bounds the exclusion mode reads; `getenv` answers
    /// with the environment variable's value, if set.
    pub fn apply_env(&mut self, getenv: impl Fn(&str) -> Option<String>) {
        if !self.excludes() {
            return;
        }
        // T2 stores the value in a uint16_t: larger values wrap.
        if self.exclude.uses_min()
            && let Some(v) = getenv("BS_XMIN")
        {
            self.xmin = c_strtoull(&v) as u16;
        }
        if self.exclude.uses_max()
            && let Some(v) = getenv("BS_XMAX")
        {
            self.xmax = c_strtoull(&v) as u16;
        }
    }
}

/// C's `strtoull(s, NULL, 0)`, how T2 reads a numeric runtime parameter: leading white space,
/// an optional sign, a `0x` (hex) or `0` (octal) prefix, digits up to the first other character;
/// 0 without digits, `u64::MAX` on overflow, a negative value wraps.
pub fn c_strtoull(s: &str) -> u64 {
    let s = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (neg, s) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let hex = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .filter(|r| r.starts_with(|c: char| c.is_ascii_hexdigit()));
    let (radix, digits) = match hex {
        Some(r) => (16, r),
        None if s.starts_with('0') => (8, s),
        None => (10, s),
    };
    let mut v: Option<u64> = Some(0);
    for d in digits.chars().map_while(|c| c.to_digit(radix)) {
        v = v.and_then(|v| v.checked_mul(u64::from(radix))).and_then(|v| v.checked_add(u64::from(d)));
    }
    match v {
        None => u64::MAX,
        Some(v) if neg => v.wrapping_neg(),
        Some(v) => v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_flags() {
        let c = Config::default();
        assert!(c.rev_cnt && !c.aggr_cnt && c.pad && c.stats && c.pl() && c.iat() && c.stddev);
        assert!(!c.var && c.sk && !c.skew_kurt() && !c.excludes());
        assert_eq!((c.modulo, c.xmin, c.xmax, c.layer()), (0, 1, 65535, 7));
    }

    #[test]
    fn exclusion_modes() {
        let inc = |x: u8, len| Exclude::from_flag(x).includes(len, 10, 20);
        assert!(inc(0, 0) && inc(0, 65535));
        assert!(!inc(1, 10) && inc(1, 11));
        assert!(inc(2, 19) && !inc(2, 20));
        assert!(!inc(3, 9) && inc(3, 10) && inc(3, 20) && !inc(3, 21));
        // T2's mode 4 never holds with min < max ...
        assert!(!inc(4, 5) && !inc(4, 25) && !inc(4, 15));
        // ... only when the bounds are swapped.
        assert!(Exclude::Outside.includes(15, 20, 10));
        assert_eq!(Exclude::from_flag(9), Exclude::Outside);
    }

    #[test]
    fn layer_digit_follows_packet_length() {
        let layer = |p| Config { packet_length: p, ..Config::default() }.layer();
        assert_eq!([layer(0), layer(1), layer(2), layer(3)], [2, 3, 4, 7]);
    }

    #[test]
    fn strtoull_like_c() {
        assert_eq!(c_strtoull("42"), 42);
        assert_eq!(c_strtoull("  +42abc"), 42);
        assert_eq!(c_strtoull("0x1F"), 31);
        assert_eq!(c_strtoull("010"), 8);
        assert_eq!(c_strtoull("0x"), 0);
        assert_eq!(c_strtoull("09"), 0);
        assert_eq!(c_strtoull("UINT16_MAX"), 0);
        assert_eq!(c_strtoull("-1"), u64::MAX);
        assert_eq!(c_strtoull("99999999999999999999999"), u64::MAX);
    }

    #[test]
    fn env_overrides_only_the_bounds_in_use() {
        let env = |name: &str| Some(if name == "BS_XMIN" { "100".to_owned() } else { "0x10001".to_owned() });
        let mut c = Config { exclude: Exclude::AboveMin, ..Config::default() };
        c.apply_env(env);
        assert_eq!((c.xmin, c.xmax), (100, 65535));
        let mut c = Config { exclude: Exclude::BelowMax, ..Config::default() };
        c.apply_env(env);
        assert_eq!((c.xmin, c.xmax), (1, 1), "0x10001 wraps to 1 in a uint16_t");
        let mut c = Config { exclude: Exclude::Within, ..Config::default() };
        c.apply_env(env);
        assert_eq!((c.xmin, c.xmax), (100, 1));
        let mut c = Config::default();
        c.apply_env(env);
        assert_eq!((c.xmin, c.xmax), (1, 65535), "no exclusion: the bounds are not read");
    }
}
