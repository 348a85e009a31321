//! Number formatting shared by the core's reports and the plugins' report lines
//! (core.md §7.1, plugin-abi.md §12), and glibc's `%.7g` and `%f` ([`float`]), which T2's
//! sinks print floats with, and file names as messages print them.

use core::fmt;
use std::ffi::OsStr;

pub mod float;
pub mod text;

/// Appends a short slice byte by byte: cheaper than a `memcpy` call for the few bytes of a
/// number or separator.
#[inline(always)]
pub fn put(out: &mut Vec<u8>, s: &[u8]) {
    out.reserve(s.len());
    for &b in s {
        out.push(b);
    }
}

/// Appends what `f` writes into a slot of `N` bytes at the end of `out`; `f` returns how many
/// of them it used. One capacity check and constant-size stores for a whole value, where
/// pushing byte by byte checks the capacity per byte; and the value's bytes go straight into
/// `out`, where a formatter's own buffer would need a copy of variable length (a `memcpy`
/// call) after it.
#[inline(always)]
pub fn slot<const N: usize>(out: &mut Vec<u8>, f: impl FnOnce(&mut [u8; N]) -> usize) {
    let start = out.len();
    out.extend_from_slice(&[0; N]);
    let used = match out[start..].first_chunk_mut::<N>() {
        Some(buf) => f(buf).min(N),
        None => 0,
    };
    out.truncate(start + used);
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

/// C's `%.2f` of `100.0 * n / total` in `f64`, as T2's talker lines print it: `inf` for a zero
/// `total`, `-nan` when `n` is 0 too.
pub fn c_percent(n: u64, total: u64) -> CPercent {
    CPercent(100.0 * n as f64 / total as f64)
}

/// See [`c_percent`].
#[derive(Clone, Copy, Debug)]
pub struct CPercent(f64);

impl fmt::Display for CPercent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            p if p.is_nan() => f.write_str("-nan"),
            p if p.is_infinite() => f.write_str("inf"),
            p => write!(f, "{p:.2}"),
        }
    }
}

/// An address as glibc's `inet_ntop` writes it: `ver` 4 reads the first 4 bytes, 6 all 16;
/// empty for any other version.
pub fn ip_text(ver: u8, ip: &[u8; 16]) -> String {
    match ver {
        4 => std::net::Ipv4Addr::new(ip[0], ip[1], ip[2], ip[3]).to_string(),
        // glibc also writes IPv4-compatible addresses (::a.b.c.d) dotted; Rust only mapped ones
        6 if ip[..12].iter().all(|&b| b == 0) && (ip[12] != 0 || ip[13] != 0) => {
            format!("::{}.{}.{}.{}", ip[12], ip[13], ip[14], ip[15])
        }
        6 => std::net::Ipv6Addr::from(*ip).to_string(),
        _ => String::new(),
    }
}

/// The C `strerror` text of an I/O error (Rust appends ` (os error N)`, T2 does not).
pub fn strerror(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.rfind(" (os error ") {
        Some(i) if s.ends_with(')') => s[..i].to_owned(),
        _ => s,
    }
}

/// A file name as messages print it: see [`escaped`].
#[derive(Clone, Copy, Debug)]
pub struct Escaped<'a>(&'a [u8]);

/// `name` for a message: its UTF-8 text as it is and every byte that is not part of valid
/// UTF-8 as `\xNN`, so that a name no locale can show still says which bytes it holds (where
/// `Path::display` prints U+FFFD for all of them).
pub fn escaped(name: &(impl AsRef<OsStr> + ?Sized)) -> Escaped<'_> {
    Escaped(name.as_ref().as_encoded_bytes())
}

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for chunk in self.0.utf8_chunks() {
            f.write_str(chunk.valid())?;
            for b in chunk.invalid() {
                write!(f, "\\x{b:02x}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_bytes_that_are_not_utf8() {
        use std::os::unix::ffi::OsStrExt;
        let name = OsStr::from_bytes(b"/tmp/\xc3\xa9t\xe9/bad\xff\xfename.pcap");
        assert_eq!(escaped(name).to_string(), "/tmp/\u{e9}t\\xe9/bad\\xff\\xfename.pcap");
        assert_eq!(escaped("plain").to_string(), "plain");
    }

    #[test]
    fn percentages_like_printf() {
        assert_eq!(c_percent(1178, 25283).to_string(), "4.66");
        assert_eq!(c_percent(0, 10).to_string(), "0.00");
        assert_eq!(c_percent(0, 0).to_string(), "-nan");
        assert_eq!(c_percent(1, 0).to_string(), "inf");
    }

    fn ip6(groups: [u16; 8]) -> [u8; 16] {
        let mut ip = [0; 16];
        for (i, g) in groups.iter().enumerate() {
            ip[2 * i..2 * i + 2].copy_from_slice(&g.to_be_bytes());
        }
        ip
    }

    #[test]
    fn addresses_like_inet_ntop() {
        let cases: &[([u16; 8], &str)] = &[
            ([0; 8], "::"),
            ([0, 0, 0, 0, 0, 0, 0, 1], "::1"),
            ([0, 0, 0, 0, 0, 0, 0, 0x102], "::102"),
            ([0, 0, 0, 0, 0, 0, 0x0100, 0], "::1.0.0.0"),
            ([0, 0, 0, 0, 0, 0xffff, 0xc0a8, 0x010a], "::ffff:192.168.1.10"),
            ([0, 0, 0, 0, 0, 0, 0xc0a8, 0x010a], "::192.168.1.10"),
            ([0x3a, 0x72, 0x6563, 0x7469, 0x2900, 0xff00, 0x2728, 0], "3a:72:6563:7469:2900:ff00:2728:0"),
            ([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1], "2001:db8::1:0:0:1"),
            ([0xfe80, 0, 0, 0, 0x215, 0x17ff, 0xfecc, 0xe546], "fe80::215:17ff:fecc:e546"),
        ];
        for (g, text) in cases {
            assert_eq!(ip_text(6, &ip6(*g)), *text);
        }
        let mut v4 = [0; 16];
        v4[..4].copy_from_slice(&[10, 0, 0, 1]);
        assert_eq!(ip_text(4, &v4), "10.0.0.1");
        assert_eq!(ip_text(0, &v4), "");
    }

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
