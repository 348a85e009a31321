//! Number formatting shared by the core's reports and the plugins' report lines
//! (core.md §7.1, plugin-abi.md §12), and glibc's `%.7g` and `%f` ([`float`]), which T2's
//! sinks print floats with.

use core::fmt;

pub mod float;

/// Appends a short slice byte by byte: cheaper than a `memcpy` call for the few bytes of a
/// number or separator.
#[inline(always)]
pub fn put(out: &mut Vec<u8>, s: &[u8]) {
    out.reserve(s.len());
    for &b in s {
        out.push(b);
    }
}

/// The humanised suffix T2 appends to counts: empty below 1024, else ` (1.02 K)`.
///
/// The threshold is binary (k = ⌊log₂ n⌋ / 10, at most 8) while the divisor is decimal (10³ᵏ),
/// exactly as T2's `t2_conv_readable_num`.
#[derive(Clone, Copy, Debug)]
pub struct Human {
    n: u64,
    unit: &'static str,
}

/// Humanised suffix of a count.
pub fn human(n: u64) -> Human {
    Human { n, unit: "" }
}

/// Humanised suffix of a floating-point quantity, truncated to an integer first as T2 does.
pub fn human_f64(x: f64) -> Human {
    human(x as u64)
}

/// Humanised suffix with a unit after the multiplier letter, e.g. ` (1.48 Gb/s)`.
pub fn human_unit(x: f64, unit: &'static str) -> Human {
    Human { n: x as u64, unit }
}

impl fmt::Display for Human {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: &[u8; 9] = b".KMGTPEZY";
        if self.n < 1024 {
            return Ok(());
        }
        // ilogb of the value converted to double, as the C code computes it.
        let d = self.n as f64;
        let exp = ((d.to_bits() >> 52) & 0x7ff) as i32 - 1023;
        let k = (exp / 10).min(8) as usize;
        if k == 0 {
            return Ok(());
        }
        let div = 10f64.powi(3 * k as i32);
        write!(f, " ({:.2} {}{})", d / div, UNITS[k] as char, self.unit)
    }
}

/// Percentage `100·n/total`, 0 when `total` is 0.
pub fn percent(n: f64, total: f64) -> f64 {
    if total == 0.0 { 0.0 } else { 100.0 * n / total }
}

/// The C `strerror` text of an I/O error (Rust appends ` (os error N)`, T2 does not).
pub fn strerror(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.rfind(" (os error ") {
        Some(i) if s.ends_with(')') => s[..i].to_owned(),
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_threshold_decimal_divisor() {
        assert_eq!(human(1023).to_string(), "");
        assert_eq!(human(1024).to_string(), " (1.02 K)");
        assert_eq!(human(1_048_575).to_string(), " (1048.58 K)");
        assert_eq!(human(1_048_576).to_string(), " (1.05 M)");
        assert_eq!(human(40567).to_string(), " (40.57 K)");
        assert_eq!(human_unit(1.48e9, "b/s").to_string(), " (1.48 Gb/s)");
    }
}
