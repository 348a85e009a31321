//! C's `%.7g` and `%f` for doubles, byte-identical to glibc.
//!
//! glibc rounds the exact binary value half-to-even. The fast paths below compute the digits in
//! f64 arithmetic whose error is far below the distance to the rounding boundary they test
//! against; when a value comes too close to a tie (or out of their range) they hand over to
//! Rust's exact fixed-precision formatting, which rounds like glibc.

use std::io::Write;

use super::text::{self, dec_digits};
use super::{put, slot};

/// `10^i` for `i` in `POW10_MIN..=52`, each correctly rounded.
const POW10: [f64; 99] = [
    1e-46, 1e-45, 1e-44, 1e-43, 1e-42, 1e-41, 1e-40, 1e-39, 1e-38, 1e-37, 1e-36, 1e-35, 1e-34, 1e-33, 1e-32, 1e-31,
    1e-30, 1e-29, 1e-28, 1e-27, 1e-26, 1e-25, 1e-24, 1e-23, 1e-22, 1e-21, 1e-20, 1e-19, 1e-18, 1e-17, 1e-16, 1e-15,
    1e-14, 1e-13, 1e-12, 1e-11, 1e-10, 1e-9, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1e0, 1e1, 1e2, 1e3, 1e4,
    1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22, 1e23, 1e24,
    1e25, 1e26, 1e27, 1e28, 1e29, 1e30, 1e31, 1e32, 1e33, 1e34, 1e35, 1e36, 1e37, 1e38, 1e39, 1e40, 1e41, 1e42, 1e43,
    1e44, 1e45, 1e46, 1e47, 1e48, 1e49, 1e50, 1e51, 1e52,
];
const POW10_MIN: i32 = -46;

fn pow10(e: i32) -> f64 {
    POW10[(e - POW10_MIN) as usize]
}

/// Half-width of the band around .5 where the fast paths defer to exact formatting.
const TIE_BAND: f64 = 1e-6;

/// Appends glibc's spelling of a NaN or infinity and returns true, or returns false.
fn special(out: &mut Vec<u8>, v: f64) -> bool {
    let text: &[u8] = match (v.is_nan(), v.is_infinite(), v.is_sign_negative()) {
        (true, _, false) => b"nan",
        (true, _, true) => b"-nan",
        (_, true, false) => b"inf",
        (_, true, true) => b"-inf",
        _ => return false,
    };
    out.extend_from_slice(text);
    true
}

/// `x` (≥ 0, < 2^64) rounded to an integer, or `None` inside the tie band.
fn round_clear_of_tie(x: f64) -> Option<u64> {
    // Truncation is floor for x ≥ 0 (and avoids a libm call without SSE4.1).
    let fl = x as u64;
    let rest = x - fl as f64;
    if (rest - 0.5).abs() < TIE_BAND {
        return None;
    }
    Some(fl + u64::from(rest > 0.5))
}

/// Seven significant digits of `a` (finite, > 0) as `n` in `[10^6, 10^7)` and the decimal
/// exponent of the first digit.
fn digits7(a: f64) -> (u32, i32) {
    digits7_fast(a).unwrap_or_else(|| digits7_exact(a))
}

fn digits7_fast(a: f64) -> Option<(u32, i32)> {
    if !(1e-45..1e38).contains(&a) {
        return None;
    }
    // floor(log10(a)) is floor(e2 * log10(2)) or one more.
    let e2 = ((a.to_bits() >> 52) & 0x7ff) as i32 - 1023;
    let mut x = (e2 * 78_913) >> 18;
    if a >= pow10(x + 1) {
        x += 1;
    }
    let scaled = a * pow10(6 - x);
    // Below 10^6 the exponent estimate was one too high (an inexact power of ten): let the
    // exact path decide.
    if scaled < 1e6 {
        return None;
    }
    let n = round_clear_of_tie(scaled)? as u32;
    match n {
        1_000_000..10_000_000 => Some((n, x)),
        // Rounded up to the next power of ten (or the estimate was one too low): 1.000000e(x+1).
        10_000_000 => Some((1_000_000, x + 1)),
        _ => None,
    }
}

fn digits7_exact(a: f64) -> (u32, i32) {
    let mut buf = [0u8; 32];
    let len = {
        let mut cur = &mut buf[..];
        // 32 bytes always suffice: 8 digits, a point, `e`, a sign and at most 3 exponent digits.
        let _ = write!(cur, "{a:.6e}");
        32 - cur.len()
    };
    let text = &buf[..len];
    let n = [text[0], text[2], text[3], text[4], text[5], text[6], text[7]]
        .iter()
        .fold(0u32, |n, &d| n * 10 + u32::from(d - b'0'));
    (n, parse_exp(&text[9..]))
}

/// Appends `printf("%.7g", v)`.
pub fn g7(out: &mut Vec<u8>, v: f64) {
    if v == 0.0 {
        put(out, if v.is_sign_negative() { b"-0" } else { b"0" });
        return;
    }
    if special(out, v) {
        return;
    }
    let (n, exp) = digits7(v.abs());
    let mut digits = [0u8; 7];
    dec_digits(&mut digits, u64::from(n));
    // Significant digits left after dropping trailing zeros (at least the first one).
    let sig = digits.iter().rposition(|&d| d != b'0').map_or(1, |i| i + 1);
    // At most 14 bytes (`-1.234567e-308`), written into one slot with fixed-size copies.
    slot::<16>(out, |buf| {
        let mut at = usize::from(v.is_sign_negative());
        buf[0] = b'-';
        match exp {
            -4..=-1 => {
                // `0.`, -exp - 1 zeros, the digits.
                let zeros = (-exp - 1) as usize;
                buf[at..at + 5].copy_from_slice(b"0.000");
                buf[at + 2 + zeros..at + 9 + zeros].copy_from_slice(&digits);
                at + 2 + zeros + sig
            }
            0..=6 => at + with_point(&mut buf[at..at + 8], &digits, exp as usize + 1, sig),
            _ => {
                at += with_point(&mut buf[at..at + 8], &digits, 1, sig);
                buf[at] = b'e';
                buf[at + 1] = if exp < 0 { b'-' } else { b'+' };
                let e = exp.unsigned_abs();
                // At least two exponent digits, at most three (|exp| ≤ 324).
                let e_len = if e >= 100 { 3 } else { 2 };
                dec_digits(&mut buf[at + 2..at + 2 + e_len], u64::from(e));
                at + 2 + e_len
            }
        }
    });
}

/// Writes the 7 `digits` into `buf` with a `.` after the first `int_len` (1 to 7) of them;
/// returns the length of the number cut after its `sig` significant digits (without the `.`
/// when no fraction digit is left).
fn with_point(buf: &mut [u8], digits: &[u8; 7], int_len: usize, sig: usize) -> usize {
    let w = u64::from_be_bytes([digits[0], digits[1], digits[2], digits[3], digits[4], digits[5], digits[6], 0]);
    let high = u64::MAX << (64 - 8 * int_len);
    let text = (w & high) | (u64::from(b'.') << (56 - 8 * int_len)) | ((w & !high) >> 8);
    buf.copy_from_slice(&text.to_be_bytes());
    if sig > int_len { sig + 1 } else { int_len }
}

fn parse_exp(s: &[u8]) -> i32 {
    let (neg, digits) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, s),
    };
    let n = digits.iter().fold(0i32, |n, &d| n * 10 + i32::from(d - b'0'));
    if neg { -n } else { n }
}

/// Appends `printf("%f", v)`.
pub fn f6(out: &mut Vec<u8>, v: f64) {
    if special(out, v) {
        return;
    }
    if !f6_fast(out, v) {
        // Writing to a Vec cannot fail; Rust prints `-0.000000` for negative zero like C.
        let _ = write!(out, "{v:.6}");
    }
}

/// `%f` from the integer part and six rounded decimals of the (exactly split) fraction.
fn f6_fast(out: &mut Vec<u8>, v: f64) -> bool {
    let a = v.abs();
    if a >= 9e18 {
        return false;
    }
    let int = a.trunc();
    // Exact: the fraction of a double is a double; scaling it errs by at most 1e6 * 2^-53.
    let Some(micros) = round_clear_of_tie((a - int) * 1e6) else {
        return false;
    };
    let (mut i, mut f) = (int as u64, micros as u32);
    if f == 1_000_000 {
        (i, f) = (i + 1, 0);
    }
    if v.is_sign_negative() {
        out.push(b'-');
    }
    text::int(out, i);
    out.push(b'.');
    let mut frac = [0; 6];
    dec_digits(&mut frac, u64::from(f));
    out.extend_from_slice(&frac);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(v: f64) -> String {
        let mut out = Vec::new();
        g7(&mut out, v);
        String::from_utf8(out).unwrap()
    }

    fn f(v: f64) -> String {
        let mut out = Vec::new();
        f6(&mut out, v);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn g7_spec_examples() {
        assert_eq!(g(f64::from(0.1f32)), "0.1");
        assert_eq!(g(2.0), "2");
        assert_eq!(g(3.0), "3");
        assert_eq!(g(f64::from(1234567.8f32)), "1234568");
        assert_eq!(g(f64::from(1e-5f32)), "1e-05");
        assert_eq!(g(f64::from(1.6e-5f32)), "1.6e-05");
        assert_eq!(g(f64::from(-0.09689214f32)), "-0.09689214");
        assert_eq!(g(f64::from(0.009982016f32)), "0.009982016");
        assert_eq!(g(f64::from(0.004f32)), "0.004");
    }

    #[test]
    fn g7_edges() {
        assert_eq!(g(0.0), "0");
        assert_eq!(g(-0.0), "-0");
        assert_eq!(g(f64::NAN), "nan");
        assert_eq!(g(-f64::NAN), "-nan");
        assert_eq!(g(f64::INFINITY), "inf");
        assert_eq!(g(f64::NEG_INFINITY), "-inf");
        assert_eq!(g(123456.75), "123456.8");
        assert_eq!(g(1234567.5), "1234568");
        assert_eq!(g(1234568.5), "1234568");
        assert_eq!(g(9999999.5), "1e+07");
        assert_eq!(g(9999999.0), "9999999");
        assert_eq!(g(0.0001), "0.0001");
        assert_eq!(g(0.00001), "1e-05");
        assert_eq!(g(f64::from(f32::MAX)), "3.402823e+38");
        assert_eq!(g(f64::from(f32::MIN_POSITIVE)), "1.175494e-38");
        assert_eq!(g(f64::from(f32::from_bits(1))), "1.401298e-45");
        assert_eq!(g(1e100), "1e+100");
        assert_eq!(g(-1.5e-300), "-1.5e-300");
    }

    #[test]
    fn f6_edges() {
        assert_eq!(f(0.1), "0.100000");
        assert_eq!(f(2.0), "2.000000");
        assert_eq!(f(-0.0), "-0.000000");
        assert_eq!(f(-1e-9), "-0.000000");
        assert_eq!(f(0.0000005), "0.000000");
        assert_eq!(f(0.0000015), "0.000002");
        assert_eq!(f(2.5e-6), "0.000003");
        assert_eq!(f(0.0078125), "0.007812");
        assert_eq!(f(374005.251764), "374005.251764");
        assert_eq!(f(f64::NEG_INFINITY), "-inf");
        assert_eq!(f(-f64::NAN), "-nan");
        assert_eq!(f(1e20), "100000000000000000000.000000");
    }
}

#[cfg(test)]
mod glibc {
    //! Every case of `tests/data/printf_glibc.txt` (made by `tests/data/gen_printf.c`).

    use super::*;

    #[test]
    fn matches_glibc_printf() {
        let data = include_str!("../../tests/data/printf_glibc.txt");
        let (mut g, mut f) = (0, 0);
        let mut failures = Vec::new();
        for line in data.lines() {
            let mut parts = line.splitn(3, ' ');
            let (kind, bits, want) = (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap());
            let mut out = Vec::new();
            match kind {
                "g" => {
                    g7(&mut out, f64::from(f32::from_bits(u32::from_str_radix(bits, 16).unwrap())));
                    g += 1;
                }
                _ => {
                    f6(&mut out, f64::from_bits(u64::from_str_radix(bits, 16).unwrap()));
                    f += 1;
                }
            }
            if out != want.as_bytes() {
                failures.push(format!("{kind} {bits}: want {want}, got {}", String::from_utf8_lossy(&out)));
            }
        }
        assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
        assert!(g > 9000 && f > 7000, "{g} %.7g and {f} %f cases");
    }
}

#[cfg(test)]
mod fast_paths {
    //! The f64 fast paths against the exact formatting they defer to.

    use super::*;

    /// xorshift64*: fixed seed, same cases every run.
    fn rng(mut s: u64) -> impl FnMut() -> u64 {
        move || {
            s ^= s >> 12;
            s ^= s << 25;
            s ^= s >> 27;
            s.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
    }

    fn check_f32(bits: u32) {
        let a = f64::from(f32::from_bits(bits)).abs();
        if a.is_finite()
            && a > 0.0
            && let Some(fast) = digits7_fast(a)
        {
            assert_eq!(fast, digits7_exact(a), "{bits:08x}");
        }
    }

    fn check_f64(v: f64) {
        let mut fast = Vec::new();
        if v.is_finite() && f6_fast(&mut fast, v) {
            assert_eq!(String::from_utf8(fast).unwrap(), format!("{v:.6}"), "{:016x}", v.to_bits());
        }
    }

    #[test]
    fn agree_on_random_values() {
        let mut next = rng(0x1234_5678_9abc_def1);
        for _ in 0..300_000 {
            check_f32(next() as u32);
            // Doubles of every magnitude up to 2^70, and plain decimals.
            let b = next() & !(0x7ff << 52) | ((next() % 1093) << 52);
            check_f64(f64::from_bits(b));
            check_f64((next() % 10_000_000_000) as f64 / 1e6);
        }
        // Exact ties of both conversions go the exact way.
        assert_eq!(digits7_fast(1_234_567.5), None);
        assert_eq!(digits7(1_234_567.5), (1_234_568, 6));
        assert_eq!(digits7(1_234_568.5), (1_234_568, 6));
        assert!(!f6_fast(&mut Vec::new(), 0.0078125));
    }

    /// All positive finite floats: `cargo test --release -p txtSink exhaustive -- --ignored`.
    #[test]
    fn strided_f32() {
        // every 1021st positive finite f32 (a prime stride, so every exponent and many mantissa
        // patterns are hit); the whole range was checked once, in about 6 minutes
        for bits in (1..0x7f80_0000u32).step_by(1021) {
            check_f32(bits);
        }
    }
}
