//! Numbers in human-readable form, as T2 prints them in its reports: `5512362` is `5.51 M`.

/// `n` divided by 1000 until it is below 1000, with the unit letter (K M G T P E): an integral
/// result is printed without decimals (`2 K`), any other with two (`5.51 M`). Below 1000: `n`.
pub fn hrnum(n: u64) -> String {
    if n < 1000 {
        return n.to_string();
    }
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1000.0 && unit < 6 {
        v /= 1000.0;
        unit += 1;
    }
    let letter = &"KMGTPE"[unit - 1..unit];
    if v.fract() == 0.0 { format!("{v:.0} {letter}") } else { format!("{v:.2} {letter}") }
}

#[cfg(test)]
mod tests {
    use super::hrnum;

    #[test]
    fn steps_of_1000() {
        assert_eq!(hrnum(999), "999");
        assert_eq!(hrnum(2000), "2 K");
        assert_eq!(hrnum(1500), "1.50 K");
        assert_eq!(hrnum(5_512_362), "5.51 M");
        assert_eq!(hrnum(82_582), "82.58 K");
        assert_eq!(hrnum(u64::MAX), "18.45 E");
    }
}
