//! Views of basicStats' flags ([`Config`], generated from `flags.toml`): the exclusion mode,
//! the effective statistics switches, and the runtime overrides of the bounds.

pub use crate::flags::Config;

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

/// Views of the flags (T2's nested `#if`s): statistics flags only count when `BS_STATS` is on,
/// and `BS_SK` only with `BS_VAR`.
impl Config {
    /// `BS_XCLD`: which packets enter the statistics.
    #[inline]
    pub fn exclude(&self) -> Exclude {
        Exclude::from_flag(self.bs_xcld)
    }

    /// Packet-length statistics are on.
    pub fn pl(&self) -> bool {
        self.bs_stats && self.bs_pl_stats
    }

    /// Inter-arrival-time statistics are on.
    pub fn iat(&self) -> bool {
        self.bs_stats && self.bs_iat_stats
    }

    /// Running moments are needed (T2 updates the means only then, so `avgIAT` stays 0
    /// without `BS_VAR` or `BS_STDDEV`).
    pub fn moments(&self) -> bool {
        self.bs_stats && (self.bs_var || self.bs_stddev)
    }

    /// Skewness and kurtosis columns are on.
    pub fn skew_kurt(&self) -> bool {
        self.bs_var && self.bs_sk
    }

    /// Statistics are restricted to some packets.
    pub fn excludes(&self) -> bool {
        self.bs_stats && self.exclude() != Exclude::Nothing
    }

    /// Applies the runtime overrides of the bounds the exclusion mode reads (`BS_XMIN`,
    /// `BS_XMAX`); `getenv` answers with the environment variable's value, if set.
    pub fn apply_env(&mut self, getenv: impl Fn(&str) -> Option<String>) {
        if !self.excludes() {
            return;
        }
        // T2 stores the value in a uint16_t: larger values wrap.
        if self.exclude().uses_min()
            && let Some(v) = getenv("BS_XMIN")
        {
            self.bs_xmin = c_strtoull(&v) as u16;
        }
        if self.exclude().uses_max()
            && let Some(v) = getenv("BS_XMAX")
        {
            self.bs_xmax = c_strtoull(&v) as u16;
        }
    }
}

/// The layer digit of the column names for the core's `PACKETLENGTH` 0, 1, 2, 3: 2, 3, 4 or 7.
pub fn layer(packet_length: u8) -> u8 {
    if packet_length > 2 { 7 } else { packet_length + 2 }
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
        assert!(c.bs_rev_cnt && !c.bs_aggr_cnt && c.bs_pad && c.bs_stats && c.pl() && c.iat() && c.bs_stddev);
        assert!(!c.bs_var && c.bs_sk && !c.skew_kurt() && !c.excludes());
        assert_eq!((c.bs_mod, c.bs_xmin, c.bs_xmax, c.exclude()), (0, 1, 65535, Exclude::Nothing));
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
        let bounds = |bs_xcld| {
            let mut c = Config { bs_xcld, ..Config::default() };
            c.apply_env(env);
            (c.bs_xmin, c.bs_xmax)
        };
        assert_eq!(bounds(1), (100, 65535));
        assert_eq!(bounds(2), (1, 1), "0x10001 wraps to 1 in a uint16_t");
        assert_eq!(bounds(3), (100, 1));
        assert_eq!(bounds(0), (1, 65535), "no exclusion: the bounds are not read");
    }
}
