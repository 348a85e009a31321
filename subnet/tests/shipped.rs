//! The shipped tables (`subnet/data`, installed by t2build as basicFlow's extra files): T2's
//! special ranges and IPv6 labels, and well-known public addresses in their countries.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::Path;

use subnet::Table;

fn shipped(file: &str) -> Table {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data").join(format!("{file}.zst"));
    let bytes = plugin_api::build::extra_file_bytes(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Table::from_bytes(bytes).unwrap()
}

/// Country code, organisation and AS number of `addr`, or `None`.
fn whois(t: &Table, addr: u128) -> Option<(String, String, u32)> {
    let l = t.label(t.find(addr)?);
    Some((String::from_utf8_lossy(l.cc()).into(), String::from_utf8_lossy(l.org()).into(), l.asn))
}

fn v4(t: &Table, a: &str) -> Option<(String, String, u32)> {
    whois(t, u128::from(a.parse::<Ipv4Addr>().unwrap().to_bits()))
}

fn v6(t: &Table, a: &str) -> Option<(String, String, u32)> {
    whois(t, a.parse::<Ipv6Addr>().unwrap().to_bits())
}

fn is(cc: &str, org: &str, asn: u32) -> Option<(String, String, u32)> {
    Some((cc.into(), org.into(), asn))
}

#[test]
fn ipv4_special_ranges_have_t2s_codes_and_names() {
    let t = shipped(subnet::FILE4);
    assert_eq!(t.width(), 4);
    assert_eq!(v4(&t, "10.1.2.3"), is("04", "Private network", 0));
    assert_eq!(v4(&t, "172.16.0.1"), is("05", "Private network", 0));
    assert_eq!(v4(&t, "192.168.1.1"), is("07", "Private network", 0));
    assert_eq!(v4(&t, "127.0.0.1"), is("01", "Loopback", 0));
    assert_eq!(v4(&t, "169.254.10.1"), is("02", "Link-local", 0));
    assert_eq!(v4(&t, "192.0.2.1"), is("21", "TEST-NET-1", 0));
    assert_eq!(v4(&t, "192.88.99.1"), is("60", "IPv6 to IPv4 relay", 0));
    assert_eq!(v4(&t, "224.0.0.251"), is("10", "mDNS", 0));
    assert_eq!(v4(&t, "239.1.2.3").map(|l| l.0), Some("10".into()));
    assert_eq!(v4(&t, "255.255.255.255"), is("11", "Broadcast", 0));
}

#[test]
fn well_known_ipv4_addresses_are_in_their_countries() {
    let t = shipped(subnet::FILE4);
    assert_eq!(v4(&t, "8.8.8.8"), is("us", "Google LLC", 15169));
    assert_eq!(v4(&t, "9.9.9.9").map(|l| (l.0, l.2)), Some(("us".into(), 19281)));
    assert_eq!(v4(&t, "130.59.31.80").map(|l| (l.0, l.2)), Some(("ch".into(), 559)));
    assert_eq!(v4(&t, "193.0.6.139").map(|l| (l.0, l.2)), Some(("nl".into(), 3333)));
    assert_eq!(v4(&t, "212.27.48.10").map(|l| (l.0, l.2)), Some(("fr".into(), 12322)));
}

#[test]
fn ipv6_labels_are_t2s_where_it_has_them() {
    let t = shipped(subnet::FILE6);
    assert_eq!(t.width(), 16);
    assert_eq!(v6(&t, "::1"), is("01", "Loopback", 0));
    assert_eq!(v6(&t, "fe80::1"), is("02", "Link-local", 0));
    assert_eq!(v6(&t, "fd00::1"), is("04", "Unique local", 0));
    assert_eq!(v6(&t, "2001:db8::1"), is("27", "doc and example source", 0));
    assert_eq!(v6(&t, "2001::1"), is("64", "Teredo", 0));
    assert_eq!(v6(&t, "ff02::fb"), is("10", "mDNSv6", 0));
    assert_eq!(v6(&t, "ff02::1:ff00:1"), is("10", "Solicited node Link-local", 0));
    assert_eq!(v6(&t, "2a04:4e42::1"), is("nl", "US-FASTLY-20130718", 54113));
    assert_eq!(v6(&t, "2001:618:1:8000::5").map(|l| l.0), Some("ch".into()));
    // the datasets where T2's table has nothing
    assert_eq!(v6(&t, "2001:4860:4860::8888").map(|l| (l.0, l.2)), Some(("us".into(), 15169)));
}
