//! Floats as T2's jsonSink writes them: C's `%.17Lg` of the value, `.0` appended when that
//! has neither `.` nor `e` (so it reads as a float), and the exponent without leading zeros
//! (`1.7000000298139639e-5`, not `e-05`).
//!
//! The 17 significant digits come from Rust's exact `{:.16e}` formatting, which rounds the
//! binary value half-to-even like glibc; only the layout of `%g` is done here. An `F` is
//! widened to `f64` first, exactly, as T2 widens it to `long double`.

use std::io::Write;

/// Significant digits of `%.17g`.
const DIGITS: i32 = 17;

/// Appends `x`; a NaN or infinity, which JSON cannot hold, as `null`.
pub fn g17(out: &mut Vec<u8>, x: f64) {
    if !x.is_finite() {
        out.extend_from_slice(b"null");
        return;
    }
    // Whole numbers of at most 17 digits (zero included, the most frequent) are exact in %g.
    if x.fract() == 0.0 && x.abs() < 1e17 {
        if x.is_sign_negative() {
            out.push(b'-');
        }
        plugin_api::fmt::text::int(out, x.abs() as u64);
        out.extend_from_slice(b".0");
        return;
    }
    // "-d.dddddddddddddddde-ddd" is at most 25 bytes.
    let mut buf = [0u8; 32];
    let len = {
        let mut cur = &mut buf[..];
        // A 32-byte buffer always holds it: the write cannot fail.
        let _ = write!(cur, "{x:.16e}");
        32 - cur.len()
    };
    let text = &buf[..len];
    let (mantissa, exp) = match text.iter().position(|&b| b == b'e') {
        Some(e) => (&text[..e], parse_exp(&text[e + 1..])),
        None => (text, 0),
    };
    let (neg, mantissa) = match mantissa.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, mantissa),
    };
    // The 17 digits without the point; trailing zeros are dropped as %g does.
    let mut digits = [0u8; DIGITS as usize];
    let mut n = 0;
    for &b in mantissa.iter().filter(|b| b.is_ascii_digit()) {
        if n < digits.len() {
            digits[n] = b;
            n += 1;
        }
    }
    while n > 1 && digits[n - 1] == b'0' {
        n -= 1;
    }
    let digits = &digits[..n];
    if neg {
        out.push(b'-');
    }
    if !(-4..DIGITS).contains(&exp) {
        out.push(digits[0]);
        if digits.len() > 1 {
            out.push(b'.');
            out.extend_from_slice(&digits[1..]);
        }
        out.push(b'e');
        out.push(if exp < 0 { b'-' } else { b'+' });
        plugin_api::fmt::text::int(out, exp.unsigned_abs());
    } else if exp < 0 {
        out.extend_from_slice(b"0.");
        out.extend((exp + 1..0).map(|_| b'0'));
        out.extend_from_slice(digits);
    } else {
        let int_len = exp as usize + 1;
        out.extend_from_slice(&digits[..int_len.min(digits.len())]);
        out.extend((digits.len()..int_len).map(|_| b'0'));
        out.push(b'.');
        match digits.get(int_len..) {
            Some(frac) if !frac.is_empty() => out.extend_from_slice(frac),
            _ => out.push(b'0'),
        }
    }
}

/// The exponent of Rust's `e` notation (`-5`, `17`).
fn parse_exp(s: &[u8]) -> i32 {
    let (neg, digits) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, s),
    };
    let v = digits.iter().fold(0i32, |v, &d| v.saturating_mul(10).saturating_add(i32::from(d.wrapping_sub(b'0'))));
    if neg { -v } else { v }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(x: f64) -> String {
        let mut out = Vec::new();
        g17(&mut out, x);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn values_from_the_reference() {
        assert_eq!(g(f64::from(19.428_572_f32)), "19.428571701049805");
        assert_eq!(g(f64::from(0.070_328_f32)), "0.070327997207641602");
        assert_eq!(g(f64::from(0.041_914_49_f32)), "0.04191448912024498");
        assert_eq!(g(f64::from(1.7e-5_f32)), "1.7000000298139639e-5");
        assert_eq!(g(f64::from(8.5e-6_f32)), "8.5000001490698196e-6");
        assert_eq!(g(374_005.251_764_295_4), "374005.25176429539");
        assert_eq!(g(0.0), "0.0");
        assert_eq!(g(2.0), "2.0");
        assert_eq!(g(f64::from(-0.947_112_56_f32)), "-0.9471125602722168");
    }

    #[test]
    fn g_layout_limits() {
        assert_eq!(g(-0.0), "-0.0");
        assert_eq!(g(0.0001), "0.0001");
        assert_eq!(g(0.00001), "1.0000000000000001e-5");
        assert_eq!(g(1e16), "10000000000000000.0");
        assert_eq!(g(1e17), "1e+17");
        assert_eq!(g(123_456_789_012_345_680.0), "1.2345678901234568e+17");
        assert_eq!(g(1e-300), "1e-300");
        assert_eq!(g(f64::MAX), "1.7976931348623157e+308");
        assert_eq!(g(5e-324), "4.9406564584124654e-324");
        assert_eq!(g(0.5), "0.5");
        assert_eq!(g(100.0), "100.0");
        assert_eq!(g(-3.0), "-3.0");
        assert_eq!(g(99_999_999_999_999_984.0), "99999999999999984.0");
        assert_eq!(g(1.5e300), "1.5000000000000001e+300");
    }

    #[test]
    fn not_a_number_is_null() {
        assert_eq!(g(f64::NAN), "null");
        assert_eq!(g(f64::INFINITY), "null");
        assert_eq!(g(f64::NEG_INFINITY), "null");
    }
}
