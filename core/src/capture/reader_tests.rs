//! The reader against the shared capture corpus (MANIFEST.tsv and T2's logs), truncated and
//! corrupted captures, and T2's file checks.

use std::collections::BTreeSet;
use std::path::Path;

use super::*;
use crate::capture::testutil::{Ev, SliceBytes, drain, run_with, temp_path, via_file};

/// `../shared` beside the clone, holding the capture corpus and T2's outputs for it. The
/// corpus tests return early without it, unless `RT2_REQUIRE_SHARED` is set (as in CI).
fn shared() -> Option<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared");
    if dir.join("pcaps").is_dir() {
        return Some(dir);
    }
    assert!(std::env::var_os("RT2_REQUIRE_SHARED").is_none(), "{} is missing", dir.display());
    None
}

fn pcaps() -> std::path::PathBuf {
    shared().expect("the corpus tests check shared() first").join("pcaps")
}

/// One MANIFEST.tsv row: file name, format column, packet count, byte count.
fn manifest() -> Vec<(String, String, usize, u64)> {
    let text = std::fs::read_to_string(pcaps().join("MANIFEST.tsv")).unwrap();
    let mut lines = text.lines();
    let cols: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let col = |name: &str| cols.iter().position(|c| *c == name).unwrap();
    let (name, format, packets, bytes) = (col("filename"), col("format"), col("packets"), col("bytes"));
    let rows: Vec<_> = lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[name].to_owned(), f[format].to_owned(), f[packets].parse().unwrap(), f[bytes].parse().unwrap())
        })
        .collect();
    assert!(rows.len() >= 50, "MANIFEST.tsv has {} rows", rows.len());
    rows
}

/// The golden log of a capture.
fn golden_log(file: &str) -> String {
    let stem = Path::new(file).file_stem().unwrap().to_str().unwrap();
    let path = shared().unwrap().join("golden").join(stem).join("default").join(format!("{stem}_log.txt"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The text after `prefix` on the first line that starts with it.
fn field<'a>(log: &'a str, prefix: &str) -> Option<&'a str> {
    log.lines().find_map(|l| l.strip_prefix(prefix))
}

/// The leading decimal number of `s`.
fn number(s: &str) -> u64 {
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().unwrap()
}

/// A timestamp as T2 logs it (`%ld.%09ld`, fraction unnormalised).
fn t2_time(ts: (i64, i64)) -> String {
    format!("{}.{:09}", ts.0, ts.1)
}

fn open_corpus(file: &str) -> Reader<MmapBytes> {
    open_file(&pcaps().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

#[test]
fn corpus_matches_manifest_and_golden_logs() {
    if shared().is_none() {
        return;
    }
    for (file, format, packets, bytes) in manifest() {
        let mut r = open_corpus(&file);
        let log = golden_log(&file);
        let want_format = match format.as_str() {
            "pcap-le-us" | "pcap-be-us" => CaptureFormat::PcapMicro,
            "pcap-le-ns" | "pcap-be-ns" => CaptureFormat::PcapNano,
            "pcapng-le" | "pcapng-be" => CaptureFormat::PcapNg,
            other => panic!("{file}: unknown format {other}"),
        };
        assert_eq!(r.format(), want_format, "{file}");
        assert_eq!(r.file_size(), bytes, "{file}");
        let snap = field(&log, "Snapshot length: ").unwrap_or_else(|| panic!("{file}"));
        assert_eq!(u64::from(r.snaplen()), number(snap), "{file}: snapshot length");
        let lt = field(&log, "Link layer type: ").unwrap();
        let dlt = lt.rsplit('/').next().unwrap().trim_end_matches(']');
        assert_eq!(r.dlt().to_string(), dlt, "{file}: link type {lt}");

        let ev = drain(&mut r, 10_000_000);
        let pkts: Vec<_> = ev
            .iter()
            .filter_map(|e| match e {
                Ev::Pkt(ts, caplen, wirelen, _, _) => Some((*ts, *caplen, *wirelen)),
                Ev::Err(_) => None,
            })
            .collect();
        assert_eq!(pkts.len(), packets, "{file}: packet count");
        let errors: BTreeSet<String> = ev
            .iter()
            .filter_map(|e| match e {
                Ev::Err(m) => Some(m.clone()),
                Ev::Pkt(..) => None,
            })
            .collect();
        let golden_errors: BTreeSet<String> = log
            .lines()
            .filter_map(|l| l.split_once("pcap_dispatch failed: "))
            .map(|(_, m)| m.trim_end_matches("\u{1b}[0m").to_owned())
            .collect();
        assert_eq!(errors, golden_errors, "{file}: read errors");

        // T2 may stop at the first packet (e.g. unsupported link type): then the log has no
        // end report to compare with.
        let Some(stop) = field(&log, "Dump stop : ") else {
            continue;
        };
        let processed = pkts.len() as u64;
        let caplen_sum: u64 = pkts.iter().map(|p| u64::from(p.1)).sum();
        let wire_sum: u64 = pkts.iter().map(|p| u64::from(p.2)).sum();
        let num = |label: &str| field(&log, label).map_or(0, number);
        assert_eq!(num("Number of processed packets: "), processed, "{file}");
        assert_eq!(num("Number of processed bytes: "), caplen_sum, "{file}");
        assert_eq!(num("Number of raw bytes: "), wire_sum, "{file}");

        let start = field(&log, "Dump start: ").map(|s| s.split(" sec").next().unwrap());
        let stop = stop.split(" sec").next().unwrap();
        assert_eq!(start.map(str::to_owned), pkts.first().map(|p| t2_time(p.0)), "{file}");
        let last = pkts.last().map_or((0, 0), |p| p.0);
        assert_eq!(stop, t2_time(last), "{file}: Dump stop");

        // The stream path (stdin) sees exactly the same.
        let f = File::open(pcaps().join(&file)).unwrap();
        let mut s = Reader::from_read(f).unwrap();
        assert_eq!((s.snaplen(), s.dlt(), s.file_size()), (r.snaplen(), r.dlt(), 0));
        assert_eq!(drain(&mut s, 10_000_000), ev, "{file}: stream path");
    }
}

#[test]
fn zero_length_records() {
    if shared().is_none() {
        return;
    }
    let mut r = open_corpus("zero-length-records.pcap");
    assert_eq!((r.snaplen(), r.linktype()), (255, LinkType::EN10MB));
    let ev = drain(&mut r, 1000);
    assert_eq!(ev.len(), 38);
    let Ev::Pkt(ts, caplen, wirelen, _, _) = &ev[0] else { panic!() };
    assert_eq!((t2_time(*ts).as_str(), *caplen, *wirelen), ("168636954.131862000", 255, 262_144));
    for e in &ev[1..] {
        let Ev::Pkt(_, caplen, _, _, data) = e else { panic!("{e:?}") };
        assert_eq!((*caplen, data.len()), (0, 0));
    }
    // Garbage timestamps are passed through, signed.
    let Ev::Pkt(ts, ..) = &ev[18] else { panic!() };
    assert_eq!(*ts, (-65536, 128_000));
    let Ev::Pkt(ts, ..) = &ev[37] else { panic!() };
    assert_eq!(t2_time(*ts), "0.000000000"); // golden "Dump stop : 0.000000000"
}

#[test]
fn timestamp_invalid_usec() {
    if shared().is_none() {
        return;
    }
    let mut r = open_corpus("timestamp-invalid-usec.pcap");
    assert_eq!((r.snaplen(), r.linktype()), (262_144, LinkType::LINUX_SLL));
    let ts: Vec<_> = drain(&mut r, 100)
        .into_iter()
        .map(|e| match e {
            Ev::Pkt(ts, ..) => ts,
            Ev::Err(m) => panic!("{m}"),
        })
        .collect();
    assert_eq!(
        ts,
        [(1_418_145_369, 999_999_000), (1_418_145_370, 1_000_000_000), (1_418_145_370, -2_147_483_648_000),]
    );
    // golden: "Dump stop : 1418145370.-2147483648000 sec"
    assert_eq!(t2_time(ts[2]), "1418145370.-2147483648000");
}

#[test]
fn corpus_specifics() {
    if shared().is_none() {
        return;
    }
    let r = open_corpus("pptp-gre-bigendian.pcap");
    assert_eq!((r.format(), r.snaplen()), (CaptureFormat::PcapMicro, 65535));
    let r = open_corpus("nanosecond-tcp-handshake.pcap");
    assert_eq!(r.format(), CaptureFormat::PcapNano);
    let r = open_corpus("dns-udp.pcap");
    assert_eq!(r.format(), CaptureFormat::PcapNg);
    let r = open_corpus("raw-ip-dlt101.pcap");
    assert_eq!((r.linktype(), r.dlt()), (LinkType::RAW, 12));
    for (file, lt) in [
        ("raw-ipv4-lt228.pcap", LinkType::IPV4),
        ("linux-sll2-icmp.pcap", LinkType::LINUX_SLL2),
        ("null-loopback-v4v6.pcap", LinkType::NULL),
        ("linux-sll-tcp.pcap", LinkType::LINUX_SLL),
    ] {
        assert_eq!(open_corpus(file).linktype(), lt, "{file}");
    }
    let mut r = open_corpus("empty.pcap");
    assert!(matches!(r.next(), Next::Eof));
    // Both interfaces of the two-IDB file deliver packets.
    let mut r = open_corpus("pcapng-multi-if.pcapng");
    let fracs: Vec<i64> = drain(&mut r, 100)
        .into_iter()
        .map(|e| match e {
            Ev::Pkt(ts, ..) => ts.1,
            Ev::Err(m) => panic!("{m}"),
        })
        .collect();
    assert_eq!(fracs.len(), 6);
    assert!(fracs.iter().any(|f| f % 1000 != 0), "no nanosecond interface packet");
}

/// The events of a prefix must be a prefix of the full capture's packets, followed by at
/// most one error.
fn check_prefix(file: &str, full: &[Ev], cut: &[u8], trickle: bool) {
    let Ok((_, ev)) = run_with(cut, trickle) else { return };
    let n_pkts = ev.iter().take_while(|e| matches!(e, Ev::Pkt(..))).count();
    assert!(ev.len() <= n_pkts + 1, "{file} cut at {}: {:?}", cut.len(), &ev[n_pkts..]);
    assert_eq!(ev[..n_pkts], full[..n_pkts], "{file} cut at {}", cut.len());
}

#[test]
fn truncated_corpus_never_panics() {
    if shared().is_none() {
        return;
    }
    for (file, ..) in manifest() {
        let bytes = std::fs::read(pcaps().join(&file)).unwrap();
        let full = run_with(&bytes, false).unwrap().1;
        let len = bytes.len();
        let mut cuts: BTreeSet<usize> = (0..=40.min(len)).collect();
        cuts.extend((1..20).map(|i| len * i / 20));
        cuts.extend([len.saturating_sub(1), len.saturating_sub(5)]);
        if len < 3000 {
            cuts.extend(0..len);
        }
        for &cut in &cuts {
            check_prefix(&file, &full, &bytes[..cut], len < 20_000);
        }
        // The file path too (T2's checks, mmap), at a few offsets.
        for cut in [0, 2, 7, 11, 23, 100, len / 2, len - 1] {
            let cut = cut.min(len);
            let (_, res, _) = via_file(&bytes[..cut]);
            if let Ok(ev) = res {
                assert_eq!(ev, run_with(&bytes[..cut], false).unwrap().1, "{file} cut {cut}");
            }
        }
    }
}

#[test]
fn corrupted_corpus_never_panics() {
    if shared().is_none() {
        return;
    }
    // Flip bytes all over small captures; every outcome is fine except a panic or a hang.
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut rnd = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for (file, ..) in manifest() {
        let bytes = std::fs::read(pcaps().join(&file)).unwrap();
        if bytes.len() > 30_000 {
            continue;
        }
        for _ in 0..40 {
            let mut v = bytes.clone();
            for _ in 0..1 + rnd() % 8 {
                let at = (rnd() % v.len() as u64) as usize;
                v[at] = rnd() as u8;
            }
            let _ = run_with(&v, false);
            let mut r = Reader::from_source(SliceBytes { data: &v, consumed: 0 }, 0);
            if let Ok(r) = r.as_mut() {
                drain(r, 10_000_000);
            }
        }
    }
}

#[test]
fn open_file_checks() {
    let missing = temp_path("missing");
    let e = open_file(&missing).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("Failed to open file '{}' for reading: No such file or directory", missing.display())
    );
    let (path, res, _) = via_file(b"");
    assert_eq!(res.unwrap_err().to_string(), format!("PCAP file '{}' is empty", path.display()));
    let (path, res, _) = via_file(b"\xd4\xc3");
    assert_eq!(res.unwrap_err().to_string(), format!("Failed to read data from file '{}'", path.display()));
    let dir = std::env::temp_dir();
    let e = open_file(&dir).unwrap_err();
    assert_eq!(e.to_string(), format!("Failed to read data from file '{}'", dir.display()));
    let (path, res, _) = via_file(b"\x0a\x0d\x0d\x0a\x1c\0\0\0\x4d\x3c\x2b");
    let e = res.unwrap_err();
    assert!(e.warned_pcapng());
    assert_eq!(e.to_string(), format!("File '{}' is not a valid PCAP/PCAP-NG file", path.display()));
    let (path, res, _) = via_file(b"\xd4\xc3\xb2\xa1\x02\0\x04\0");
    assert_eq!(
        res.unwrap_err().to_string(),
        format!(
            "pcap_open_offline failed for '{}': truncated dump file; tried to read 24 file \
             header bytes, only got 4",
            path.display()
        )
    );
    // Streams (stdin) skip T2's checks and report libpcap's texts.
    let e = Reader::from_read(&b"\x0a\x0d\x0d\x0a\x1c\0\0\0"[..]).unwrap_err();
    assert!(!e.warned_pcapng());
    assert_eq!(e.to_string(), "pcap_open_offline failed for '-': unknown file format");
}

/// Every packet's position and, at the end, the bytes parsed, through `poll`.
fn positions(r: &mut impl PacketSource) -> (Vec<u64>, u64) {
    let mut at = Vec::new();
    loop {
        match r.poll() {
            Polled::Packet(_) => at.push(r.position()),
            Polled::End => return (at, r.position()),
            Polled::Idle | Polled::Error(_) => {}
        }
    }
}

#[test]
fn position_counts_the_bytes_read() {
    if shared().is_none() {
        return;
    }
    for (file, _, packets, bytes) in manifest() {
        let mut r = open_corpus(&file);
        let (at, end) = positions(&mut r);
        assert_eq!(at.len(), packets, "{file}");
        assert!(at.is_sorted_by(|a, b| a < b), "{file}: positions grow with every packet");
        assert!(at.last().is_none_or(|&p| p <= end), "{file}");
        // a capture read to its end was parsed to its last byte, truncated record or not
        assert_eq!(end, bytes, "{file}: position at the end");
        // stdin counts the same bytes
        let mut s = Reader::from_read(File::open(pcaps().join(&file)).unwrap()).unwrap();
        assert_eq!(positions(&mut s), (at, end), "{file}: stream path");
    }
}
