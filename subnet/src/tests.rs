//! Building, encoding and reading tables; what a corrupt file does; the source readers.

use crate::format::{self, HEADER, LABEL, NO_LABEL};
use crate::merge::{Cidr, Info, Inputs, Range, Tables, country_code};
use crate::sources::{csv_asn, csv_country, t2_text};
use crate::{Error, Subnets, Table};

fn v4(a: u8, b: u8, c: u8, d: u8) -> u128 {
    u128::from(u32::from_be_bytes([a, b, c, d]))
}

fn info(cc: &str, asn: u32, org: &str) -> Info {
    Info { cc: country_code(cc.as_bytes()), asn, org: org.as_bytes().to_vec() }
}

/// T2's blocks over two datasets that overlap them and each other.
fn inputs() -> Inputs {
    Inputs {
        bits: 32,
        cidrs: vec![
            Cidr { net: v4(10, 0, 0, 0), prefix: 8, info: info("04", 0, "Private network") },
            Cidr { net: v4(10, 1, 0, 0), prefix: 16, info: info("xx", 0, "Inner") },
            // the same block again: the first one listed wins
            Cidr { net: v4(10, 1, 0, 0), prefix: 16, info: info("yy", 0, "Later") },
            Cidr { net: v4(14, 0, 0, 0), prefix: 8, info: info("03", 0, "Public data networks") },
            Cidr { net: v4(224, 0, 0, 251), prefix: 32, info: info("10", 0, "mDNS") },
            Cidr { net: v4(224, 0, 0, 0), prefix: 4, info: info("10", 0, "Multicast") },
        ],
        countries: vec![
            Range { first: v4(8, 8, 0, 0), last: v4(8, 8, 255, 255), value: *b"us" },
            Range { first: v4(14, 0, 0, 0), last: v4(14, 0, 0, 255), value: *b"cn" },
            Range { first: v4(20, 0, 0, 0), last: v4(20, 0, 0, 255), value: *b"de" },
        ],
        asns: vec![
            Range { first: v4(8, 8, 8, 0), last: v4(8, 8, 8, 255), value: (15169, b"Google LLC".to_vec()) },
            Range { first: v4(20, 0, 0, 128), last: v4(20, 0, 1, 255), value: (64500, b"\"Example\", Inc.".to_vec()) },
        ],
    }
}

fn table() -> Table {
    Table::from_bytes(inputs().merge().encode()).unwrap()
}

/// (cc, org, asn) of `addr`.
fn look(t: &Table, addr: u128) -> Option<(String, String, u32)> {
    let l = t.label(t.find(addr)?);
    Some((String::from_utf8_lossy(l.cc()).into(), String::from_utf8_lossy(l.org()).into(), l.asn))
}

fn label(cc: &str, org: &str, asn: u32) -> Option<(String, String, u32)> {
    Some((cc.into(), org.into(), asn))
}

#[test]
fn longest_t2_block_then_datasets_then_nothing() {
    let t = table();
    assert_eq!(look(&t, v4(10, 2, 3, 4)), label("04", "Private network", 0));
    assert_eq!(look(&t, v4(10, 1, 2, 3)), label("xx", "Inner", 0));
    assert_eq!(look(&t, v4(10, 255, 255, 255)), label("04", "Private network", 0));
    assert_eq!(look(&t, v4(11, 0, 0, 0)), None);
    assert_eq!(look(&t, v4(9, 255, 255, 255)), None);
    // T2's block wins over the datasets' country
    assert_eq!(look(&t, v4(14, 0, 0, 1)), label("03", "Public data networks", 0));
    // the datasets combine: country alone, country and AS, AS alone
    assert_eq!(look(&t, v4(8, 8, 4, 4)), label("us", "-", 0));
    assert_eq!(look(&t, v4(8, 8, 8, 8)), label("us", "Google LLC", 15169));
    assert_eq!(look(&t, v4(20, 0, 0, 1)), label("de", "-", 0));
    assert_eq!(look(&t, v4(20, 0, 0, 200)), label("de", "\"Example\", Inc.", 64500));
    assert_eq!(look(&t, v4(20, 0, 1, 0)), label("-", "\"Example\", Inc.", 64500));
    assert_eq!(look(&t, v4(20, 0, 2, 0)), None);
    // nested blocks: the /32 inside the /4, on both sides of it
    assert_eq!(look(&t, v4(224, 0, 0, 250)), label("10", "Multicast", 0));
    assert_eq!(look(&t, v4(224, 0, 0, 251)), label("10", "mDNS", 0));
    assert_eq!(look(&t, v4(224, 0, 0, 252)), label("10", "Multicast", 0));
    assert_eq!(look(&t, v4(239, 255, 255, 255)), label("10", "Multicast", 0));
    assert_eq!(look(&t, v4(255, 255, 255, 255)), None);
    assert_eq!(look(&t, 0), None);
}

#[test]
fn equal_labels_share_one_record_and_adjacent_segments_merge() {
    let t = table();
    // 04, xx, 03, 10 Multicast, 10 mDNS, us, us+Google, de, de+Example, Example
    assert_eq!(t.labels(), 10);
    let more = Inputs {
        bits: 32,
        countries: (0..100u8)
            .map(|i| Range { first: v4(1, i, 0, 0), last: v4(1, i, 255, 255), value: *b"fr" })
            .collect(),
        ..Inputs::default()
    };
    let m = more.merge();
    // none before 1.0.0.0, one run of fr, none after
    assert_eq!((m.segments(), m.labels()), (3, 1));
}

#[test]
fn t2_only_keeps_t2_blocks_and_drops_the_datasets() {
    let full = table();
    let tables = Tables::filtered(&full, |l| l.is_t2());
    let t = Table::from_bytes(tables.encode()).unwrap();
    assert_eq!(t.revision(), full.revision());
    // T2's blocks keep code, name and range, the datasets' ranges lose their label
    assert_eq!(look(&t, v4(10, 1, 2, 3)), label("xx", "Inner", 0));
    assert_eq!(look(&t, v4(10, 2, 3, 4)), label("04", "Private network", 0));
    assert_eq!(look(&t, v4(14, 0, 0, 1)), label("03", "Public data networks", 0));
    assert_eq!(t.describe(v4(224, 0, 0, 251)).map(|h| h.prefix), Some(32));
    assert_eq!(look(&t, v4(8, 8, 8, 8)), None);
    assert_eq!(look(&t, v4(20, 0, 0, 200)), None);
    // unlabelled neighbours merge into one segment
    assert!(t.segments() < full.segments(), "{} vs {}", t.segments(), full.segments());
    // the five T2 labels in use (yy loses to the first 10.1/16 block); the datasets' five go
    assert_eq!((t.labels(), full.labels()), (5, 10));
    // filtering again changes nothing
    assert_eq!(Tables::filtered(&t, |l| l.is_t2()).encode(), tables.encode());
}

#[test]
fn hits_name_the_block_or_the_range() {
    let t = table();
    let h = t.describe(v4(10, 2, 3, 4)).unwrap();
    assert_eq!((h.first, h.last, h.prefix), (v4(10, 0, 0, 0), v4(10, 255, 255, 255), 8));
    // a block's range even where a longer block cuts its segments
    let h = t.describe(v4(224, 0, 0, 252)).unwrap();
    assert_eq!((h.first, h.last, h.prefix), (v4(224, 0, 0, 0), v4(239, 255, 255, 255), 4));
    let h = t.describe(v4(224, 0, 0, 251)).unwrap();
    assert_eq!((h.first, h.last, h.prefix), (v4(224, 0, 0, 251), v4(224, 0, 0, 251), 32));
    // a dataset range: the segment, and the largest block in it holding the address
    let h = t.describe(v4(20, 0, 0, 200)).unwrap();
    assert_eq!((h.first, h.last, h.prefix), (v4(20, 0, 0, 128), v4(20, 0, 0, 255), 25));
    let h = t.describe(v4(20, 0, 1, 7)).unwrap();
    assert_eq!((h.first, h.last, h.prefix), (v4(20, 0, 1, 0), v4(20, 0, 1, 255), 24));
    assert!(t.describe(v4(11, 0, 0, 0)).is_none());
}

#[test]
fn ipv6_blocks_at_both_ends_of_the_space() {
    let inputs = Inputs {
        bits: 128,
        cidrs: vec![
            Cidr { net: 1, prefix: 128, info: info("01", 0, "Loopback") },
            Cidr { net: 0xff00 << 112, prefix: 8, info: info("10", 0, "Multicast") },
            Cidr { net: 0x2001_0db8 << 96, prefix: 32, info: info("27", 0, "doc and example source") },
        ],
        ..Inputs::default()
    };
    let t = Table::from_bytes(inputs.merge().encode()).unwrap();
    assert_eq!(t.width(), 16);
    assert_eq!(look(&t, 1), label("01", "Loopback", 0));
    assert_eq!(look(&t, 2), None);
    assert_eq!(look(&t, u128::MAX), label("10", "Multicast", 0));
    assert_eq!(look(&t, (0x2001_0db8 << 96) | 1), label("27", "doc and example source", 0));
    let h = t.describe(u128::MAX).unwrap();
    assert_eq!((h.first, h.last, h.prefix), (0xff << 120, u128::MAX, 8));
}

#[test]
fn many_segments_go_through_the_directory() {
    // more segments than several directory steps, each its own label
    let n = 3 * format::STEP + 17;
    let inputs = Inputs {
        bits: 32,
        asns: (0..n as u32)
            .map(|i| Range { first: u128::from(i * 4), last: u128::from(i * 4 + 1), value: (i, vec![]) })
            .collect(),
        ..Inputs::default()
    };
    let t = Table::from_bytes(inputs.merge().encode()).unwrap();
    for i in 0..n as u32 {
        assert_eq!(t.find(u128::from(i * 4 + 1)).map(|id| t.label(id).asn), Some(i), "range {i}");
        assert_eq!(t.find(u128::from(i * 4 + 2)), None, "gap {i}");
    }
}

#[test]
fn the_families_are_kept_apart() {
    let v6 = Inputs { bits: 128, ..Inputs::default() }.merge().encode();
    let s = Subnets::from_tables(Some(table()), Some(Table::from_bytes(v6).unwrap()));
    let mut ip = [0u8; 16];
    ip[..4].copy_from_slice(&[10, 1, 2, 3]);
    let id = s.find(4, &ip).unwrap();
    assert_eq!(s.label(4, id).unwrap().org(), b"Inner");
    assert_eq!(s.find(6, &ip), None);
    assert_eq!(s.find(0, &ip), None);
    assert!(s.label(0, id).is_none());
}

fn corrupt(bytes: Vec<u8>) -> String {
    match Table::from_bytes(bytes) {
        Err(Error::Corrupt { what, .. }) => what,
        other => panic!("accepted a corrupt table: {other:?}"),
    }
}

#[test]
fn corrupt_headers_are_refused() {
    let good = inputs().merge().encode();
    assert_eq!(corrupt(Vec::new()), "not an rt2 subnet table");
    assert_eq!(corrupt(b"RT2SUBNX".repeat(8)), "not an rt2 subnet table");
    let mut v = good.clone();
    v[8] = 9;
    assert_eq!(corrupt(v), "format version 9, expected 1");
    let mut v = good.clone();
    v[10] = 6;
    assert_eq!(corrupt(v), "address width 6");
    let n = good.len();
    assert_eq!(corrupt(good[..n - 1].to_vec()), format!("{} bytes, its header announces {n}", n - 1));
    let mut v = good.clone();
    v[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(corrupt(v).starts_with(&format!("{n} bytes, its header announces ")));
}

#[test]
fn bad_offsets_inside_a_table_read_as_unknown() {
    let good = inputs().merge().encode();
    let t = Table::from_bytes(good.clone()).unwrap();
    let (segs, labels) = (t.segments(), t.labels());
    let ids = HEADER + (format::directory(segs) + segs) * 4;
    let recs = ids + segs * 4;
    let addr = v4(10, 1, 2, 3);
    // a label index past the labels
    let mut v = good.clone();
    for i in 0..segs {
        v[ids + 4 * i..ids + 4 * i + 4].copy_from_slice(&(labels as u32).to_le_bytes());
    }
    assert_eq!(Table::from_bytes(v).unwrap().find(addr), None);
    // an organisation past the pool, and one longer than what is left of it
    let mut v = good.clone();
    for l in 0..labels {
        v[recs + l * LABEL + 8..recs + l * LABEL + 12].copy_from_slice(&u32::MAX.to_le_bytes());
    }
    let t2 = Table::from_bytes(v).unwrap();
    assert_eq!(t2.label(t2.find(addr).unwrap()).org(), b"-");
    let mut v = good.clone();
    for l in 0..labels {
        v[recs + l * LABEL + 3] = 255;
    }
    let t3 = Table::from_bytes(v).unwrap();
    let _ = t3.label(t3.find(v4(20, 0, 1, 1)).unwrap()).org();
    // a label of another (bigger) table
    let big = Inputs {
        bits: 32,
        asns: (0..50u32).map(|i| Range { first: u128::from(i), last: u128::from(i), value: (i, vec![]) }).collect(),
        ..Inputs::default()
    };
    let b = Table::from_bytes(big.merge().encode()).unwrap();
    let foreign = b.find(49).unwrap();
    assert_eq!(t.label(foreign).cc(), b"-");
    assert_eq!(NO_LABEL, u32::MAX);
}

/// xorshift: the same "random" corruptions on every run.
fn next(x: &mut u64) -> u64 {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    *x
}

#[test]
fn lookups_in_damaged_tables_never_panic() {
    let good = inputs().merge().encode();
    let mut seed = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..2000 {
        let mut v = good.clone();
        for _ in 0..1 + next(&mut seed) % 8 {
            // keep the header valid so that the damage reaches the lookups
            let at = HEADER + (next(&mut seed) as usize) % (v.len() - HEADER);
            v[at] = next(&mut seed) as u8;
        }
        let t = Table::from_bytes(v).unwrap();
        for _ in 0..20 {
            let addr = u128::from(next(&mut seed) as u32);
            if let Some(id) = t.find(addr) {
                let l = t.label(id);
                let _ = (l.cc(), l.org(), l.asn);
            }
            let _ = t.describe(addr);
        }
    }
}

#[test]
fn t2_text_reads_blocks_as_t2_does() {
    let text = b"#\t5\t03012021\n\
# IP/Msk\tIPrange\tCtryWhoCode\tASN\tRadius\tLatitude\tLongitude\tCountry\tCounty\tCity\tOrg\n\
10.0.0.0/8\t10.0.0.0-10.255.255.255\t0x00000000\t0\t-1.0\t666.000000\t666.000000\t04\t-\t-\tPrivate network\n\
10.0.0.0/8\t10.0.0.0-10.255.255.255\t0x00000000\t0\t-1.0\t666.000000\t666.000000\t99\t-\t-\tRepeated\n\
ff00::db8::/96\tbad\n\
-\tskipped\n\
\tskipped\n\
192.0.2.7/24\tx\t0x0\t64496\t0\t0\t0\tUS\t-\t-\tTEST-NET-1\r\n\
300.0.0.0/8\tbad\n\
1.2.3.0/33\tbad\n\
5.6.7.0/24\n";
    let (cidrs, skipped) = t2_text(text, 32);
    assert_eq!(
        cidrs,
        [
            Cidr { net: v4(10, 0, 0, 0), prefix: 8, info: info("04", 0, "Private network") },
            Cidr { net: v4(192, 0, 2, 7), prefix: 24, info: info("US", 64496, "TEST-NET-1") },
            Cidr { net: v4(5, 6, 7, 0), prefix: 24, info: info("", 0, "") },
        ]
    );
    let lines: Vec<usize> = skipped.iter().map(|s| s.line).collect();
    assert_eq!(lines, [5, 9, 10]);
    assert_eq!(skipped[0].why, "bad block 'ff00::db8::/96'");
}

#[test]
fn csv_files_of_the_datasets() {
    let (c, skipped) =
        csv_country(b"1.0.0.0,1.0.0.255,AU\n1.0.1.0,1.0.3.255,CN\r\nbad\n2.0.0.0,1.0.0.0,FR\n::1,::2,US\n", 32);
    assert_eq!(
        c.iter().map(|r| (r.first, r.last, r.value)).collect::<Vec<_>>(),
        [(v4(1, 0, 0, 0), v4(1, 0, 0, 255), *b"au"), (v4(1, 0, 1, 0), v4(1, 0, 3, 255), *b"cn")]
    );
    assert_eq!(skipped.iter().map(|s| s.line).collect::<Vec<_>>(), [3, 4, 5]);
    let (a, skipped) =
        csv_asn(b"2001::,2001::ffff,6939,Hurricane Electric LLC\n2001:4::,2001:4::1,112,\"DNS-OARC, \"\"Inc.\"\"\"\n2001:5::,2001:5::1,x,Bad\n", 128);
    assert_eq!(a.len(), 2);
    assert_eq!(a[0].value, (6939, b"Hurricane Electric LLC".to_vec()));
    assert_eq!(a[1].value, (112, b"DNS-OARC, \"Inc.\"".to_vec()));
    assert_eq!(a[1].first, 0x2001_0004 << 96);
    assert_eq!(skipped.len(), 1);
}

#[test]
fn organisations_are_cleaned_and_cut_as_t2_keeps_them() {
    let long = "Reseaux IP Europeens Network Coordination Centre (RIPE NCC)";
    let accents = "Banco de PoupanÃÂ§a e CrÃÂ©dito SA";
    let inputs = Inputs {
        bits: 32,
        asns: vec![
            Range { first: 1, last: 1, value: (1, long.as_bytes().to_vec()) },
            Range { first: 2, last: 2, value: (2, accents.as_bytes().to_vec()) },
            Range { first: 3, last: 3, value: (3, b" tab\there\n ".to_vec()) },
            Range { first: 4, last: 4, value: (4, b"-".to_vec()) },
        ],
        ..Inputs::default()
    };
    let t = Table::from_bytes(inputs.merge().encode()).unwrap();
    let org = |a| t.label(t.find(a).unwrap()).org().to_vec();
    assert_eq!(org(1), &long.as_bytes()[..30]);
    // 30 bytes would cut a two-byte character: 29
    let cut = org(2);
    assert_eq!(cut.len(), 29);
    assert!(std::str::from_utf8(&cut).is_ok());
    assert_eq!(org(3), b"tab here");
    assert_eq!(org(4), b"-");
    assert_eq!(country_code(b"US"), *b"us");
    assert_eq!(country_code(b"-"), [0, 0]);
    assert_eq!(country_code(b"usa"), [0, 0]);
}

#[test]
fn missing_and_foreign_files_are_named() {
    let dir = std::env::temp_dir().join(format!("rt2-subnet-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let v6 = Inputs { bits: 128, ..Inputs::default() }.merge().encode();
    // the IPv6 table where the IPv4 one belongs, and no IPv6 table
    std::fs::write(dir.join(crate::FILE4), &v6).unwrap();
    let (s, errors) = Subnets::open_dir(&dir);
    assert!(s.table(4).is_none() && s.table(6).is_none());
    let msgs: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        msgs,
        [
            format!("Invalid subnet file '{}': holds 16-byte addresses, expected 4", dir.join(crate::FILE4).display()),
            format!("Failed to open subnet file '{}': No such file or directory", dir.join(crate::FILE6).display()),
        ]
    );
    assert!(!errors[0].is_missing() && errors[1].is_missing());
    std::fs::write(dir.join(crate::FILE4), b"short").unwrap();
    let e = Table::open(&dir.join(crate::FILE4)).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("Invalid subnet file '{}': 5 bytes, too short", dir.join(crate::FILE4).display())
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
