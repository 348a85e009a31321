//! `ethertypes.txt`: EtherType names.

use crate::{ErrorKind, LineError, Table};

/// `ethertypes.txt`: names of EtherTypes and EtherType ranges.
///
/// Each line is `0xHHHH<TAB>NAME` or `0xHHHH-0xHHHH<TAB>NAME`, hex digits in either case. As in
/// T2, a later line overrides an earlier one for the EtherTypes both cover.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EtherTypes {
    /// First and last EtherType of each line, and its name, in file order.
    lines: Vec<(u16, u16, String)>,
}

impl EtherTypes {
    /// File name in the plugin folder (T2's `PST_L2ETHFILE`).
    pub const FILE: &str = "ethertypes.txt";

    /// The name of EtherType `et`, empty when no line covers it.
    pub fn name(&self, et: u16) -> &str {
        self.lines.iter().rev().find(|(first, last, _)| (*first..=*last).contains(&et)).map_or("", |(_, _, n)| n)
    }
}

/// `0x` and one to four hex digits (T2's `0x%04x`) at the start of `s`, and the rest.
fn hex(s: &str) -> Option<(u16, &str)> {
    let digits = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X"))?;
    let n = digits.bytes().take(4).take_while(u8::is_ascii_hexdigit).count();
    let v = u16::from_str_radix(digits.get(..n)?, 16).ok()?;
    Some((v, &digits[n..]))
}

/// One line: the EtherType range and the name (after the blanks that follow the number, up to
/// the next tab, as T2's `scanf`).
fn line(l: &str) -> Option<(u16, u16, &str)> {
    let (first, rest) = hex(l)?;
    let (last, rest) = match rest.strip_prefix('-') {
        Some(r) => hex(r)?,
        None => (first, rest),
    };
    let name = rest.trim_start().split('\t').next()?;
    (!name.is_empty() && first <= last).then_some((first, last, name))
}

impl Table for EtherTypes {
    const SHIPPED: &'static str = include_str!("../ethertypes.txt");

    fn parse(text: &str) -> (EtherTypes, Vec<LineError>) {
        let mut table = EtherTypes::default();
        let mut errors = Vec::new();
        for (i, l) in text.lines().enumerate() {
            let l = l.trim_end_matches('\r');
            match line(l) {
                Some((first, last, name)) => table.lines.push((first, last, name.to_owned())),
                None if l.trim().is_empty() => {}
                None => errors.push(LineError { line: i + 1, kind: ErrorKind::Format(l.to_owned()) }),
            }
        }
        (table, errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_names() {
        let (t, errors) = EtherTypes::parse(EtherTypes::SHIPPED);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(t.name(0x0800), "Internet Protocol version 4 (IPv4)");
        assert_eq!(t.name(0x86dd), "Internet Protocol version 6 (IPv6)");
        assert_eq!(t.name(0x4242), "PCS Basic Block Protocol (STP/RSTP/MSTP)");
        // listed twice: the later line wins
        assert_eq!(t.name(0x8863), "PPP over Ethernet (PPPoE) Discovery Stage");
        // in a range
        assert_eq!(t.name(0x80a5), "Siemens Gammasonics Inc.");
        assert_eq!(t.name(0xfffe), "");
    }

    #[test]
    fn ranges_and_overrides_in_file_order() {
        let (t, errors) =
            EtherTypes::parse("0x0100-0x01ff \tExperimental\n0x0104\tPAgP\n\n0x0104-0x0104\tLater\n0Xabcd\tUpper\n");
        assert!(errors.is_empty());
        assert_eq!((t.name(0x0100), t.name(0x01ff), t.name(0x0200)), ("Experimental", "Experimental", ""));
        assert_eq!((t.name(0x0103), t.name(0x0104)), ("Experimental", "Later"));
        assert_eq!(t.name(0xabcd), "Upper");
    }

    #[test]
    fn malformed_lines_are_reported() {
        let text = "# comment\n0x0800\n0x12\tShort\n0xZZ\tbad\n0x0200-0x0100\tbackwards\n0x0300-\tcut\n";
        let (t, errors) = EtherTypes::parse(text);
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [1, 2, 4, 5, 6]);
        assert_eq!(t.name(0x12), "Short");
        assert_eq!(errors[1].to_string(), "line 2: failed to parse '0x0800'");
    }

    #[test]
    fn no_input_panics() {
        for s in ["0x", "0x-", "0x1-0x", "0x\u{e9}", "\t", "0x12345678\tname", "0xffff-0xffff\tx"] {
            let _ = EtherTypes::parse(s);
        }
        assert_eq!(EtherTypes::parse("0xffff-0xffff\tx").0.name(0xffff), "x");
    }
}
