//! Readers of the sources a table is built from: T2's subnet text files (`priv4.txt`,
//! `subnets6.txt`) and the CSV files of the `@ip-location-db` packages.

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::merge::{AsOrg, Cidr, Info, Range, country_code};

/// A line a reader skipped, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// Line number (from 1).
    pub line: usize,
    /// Why.
    pub why: String,
}

/// An address of the family of `bits` (32 or 128) as a number.
fn addr(text: &[u8], bits: u32) -> Option<u128> {
    let s = std::str::from_utf8(text).ok()?.trim();
    if bits == 32 {
        s.parse::<Ipv4Addr>().ok().map(|a| u128::from(a.to_bits()))
    } else {
        s.parse::<Ipv6Addr>().ok().map(Ipv6Addr::to_bits)
    }
}

/// The lines of `text` with their numbers, without line ends.
fn lines(text: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    text.split(|&b| b == b'\n').map(|l| l.strip_suffix(b"\r").unwrap_or(l)).enumerate().map(|(i, l)| (i + 1, l))
}

/// T2's subnet text format (`utils/subnet/subnets6.txt` and `priv4.txt`): TAB-separated
/// `net/mask range netID ASN radius lat lng country county city org`, comments starting with
/// `#`. Lines starting with a blank or `-` are skipped as T2 does; so are lines whose block
/// does not parse (T2 would reuse the previous line's address, a bug), and a block repeating
/// the one just before it (T2 keeps the first).
pub fn t2_text(text: &[u8], bits: u32) -> (Vec<Cidr>, Vec<Skipped>) {
    let mut cidrs: Vec<Cidr> = Vec::new();
    let mut skipped = Vec::new();
    for (n, line) in lines(text) {
        if line.first().is_none_or(|c| matches!(c, b'#' | b' ' | b'\t' | b'-')) {
            continue;
        }
        let f: Vec<&[u8]> = line.split(|&b| b == b'\t').collect();
        let block = f[0].iter().position(|&b| b == b'/').and_then(|slash| {
            let net = addr(&f[0][..slash], bits)?;
            let prefix: u8 = std::str::from_utf8(&f[0][slash + 1..]).ok()?.parse().ok()?;
            (u32::from(prefix) <= bits).then_some((net, prefix))
        });
        let Some((net, prefix)) = block else {
            skipped.push(Skipped { line: n, why: format!("bad block '{}'", String::from_utf8_lossy(f[0])) });
            continue;
        };
        if cidrs.last().is_some_and(|c| c.net == net && c.prefix == prefix) {
            continue;
        }
        let field = |i: usize| f.get(i).copied().unwrap_or_default();
        let asn = std::str::from_utf8(field(3)).ok().and_then(|s| s.parse().ok()).unwrap_or(0);
        let info = Info { cc: country_code(field(7)), asn, org: field(10).to_vec() };
        cidrs.push(Cidr { net, prefix, info });
    }
    (cidrs, skipped)
}

/// The fields of one CSV line (RFC 4180 quoting: `"a, b"`, `""` for a quote inside quotes).
///
/// Written by hand: the two layouts read here are fixed and short, and the `csv` crate would
/// bring serde into every plugin that links this library.
fn csv_fields(line: &[u8]) -> Vec<Vec<u8>> {
    let mut fields = vec![Vec::new()];
    let mut quoted = false;
    let mut i = 0;
    while let Some(&c) = line.get(i) {
        let cur = fields.last_mut().expect("fields starts with one");
        match c {
            b'"' if quoted && line.get(i + 1) == Some(&b'"') => {
                cur.push(b'"');
                i += 1;
            }
            b'"' => quoted = !quoted,
            b',' if !quoted => fields.push(Vec::new()),
            _ => cur.push(c),
        }
        i += 1;
    }
    fields
}

/// The ranges of an `@ip-location-db` CSV file (`first,last,value...`), with `value` made
/// from the fields after the two addresses (`None` skips the line).
fn csv_ranges<T>(text: &[u8], bits: u32, value: impl Fn(&[Vec<u8>]) -> Option<T>) -> (Vec<Range<T>>, Vec<Skipped>) {
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    for (n, line) in lines(text) {
        if line.is_empty() {
            continue;
        }
        let f = csv_fields(line);
        let parsed = (f.len() >= 3)
            .then(|| Some((addr(&f[0], bits)?, addr(&f[1], bits)?, value(&f[2..])?)))
            .flatten()
            .filter(|(first, last, _)| first <= last);
        match parsed {
            Some((first, last, value)) => out.push(Range { first, last, value }),
            None => skipped.push(Skipped { line: n, why: format!("bad line '{}'", String::from_utf8_lossy(line)) }),
        }
    }
    (out, skipped)
}

/// `geo-whois-asn-country-ipv{4,6}.csv`: `first,last,CC`.
pub fn csv_country(text: &[u8], bits: u32) -> (Vec<Range<[u8; 2]>>, Vec<Skipped>) {
    csv_ranges(text, bits, |f| Some(country_code(&f[0])).filter(|c| *c != [0, 0]))
}

/// `asn-ipv{4,6}.csv`: `first,last,ASN,organisation`.
pub fn csv_asn(text: &[u8], bits: u32) -> (Vec<Range<AsOrg>>, Vec<Skipped>) {
    csv_ranges(text, bits, |f| {
        let asn = std::str::from_utf8(&f[0]).ok()?.parse().ok()?;
        Some((asn, f.get(1).cloned().unwrap_or_default()))
    })
}
