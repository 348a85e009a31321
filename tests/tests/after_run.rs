//! The tools for the files a run leaves behind (t2tools/, scripts/t2_aliases): tawk, protStat,
//! t2plot and the shell helpers, on T2's reference outputs in ../shared/golden and on runs of
//! our own tranalyzer, each result checked against what the test computes from the files
//! itself; and the README's "After the run" session, command by command.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use rt2_tests::{
    DEFAULT_FIVE, Flows, PluginDir, artifact, pcap_records, repo_root, run_t2, sample_pcap, shared_dir, shared_pcap,
};

/// Runs release tool `name` with `args`, feeding `stdin` if given.
fn tool(name: &str, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(artifact(name))
        .args(args)
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("running {name}: {e}"));
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        let input = input.to_vec();
        std::thread::spawn(move || pipe.write_all(&input));
    }
    child.wait_with_output().expect("waiting for the tool")
}

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn ok(out: Output, what: &str) -> String {
    assert!(out.status.success(), "{what}: {:?}\n{}", out.status, String::from_utf8_lossy(&out.stderr));
    text(&out)
}

/// Every reference file `../shared/golden/*/VARIANT/*SUFFIX`, sorted.
fn golden(variant: &str, suffix: &str) -> Vec<PathBuf> {
    let Some(shared) = shared_dir() else { return Vec::new() };
    let mut files = Vec::new();
    for capture in std::fs::read_dir(shared.join("golden")).unwrap().filter_map(Result::ok) {
        let dir = capture.path().join(variant);
        for f in std::fs::read_dir(&dir).into_iter().flatten().filter_map(Result::ok) {
            if f.file_name().to_string_lossy().ends_with(suffix) {
                files.push(f.path());
            }
        }
    }
    files.sort();
    files
}

fn golden_file(capture: &str, variant: &str, suffix: &str) -> Option<PathBuf> {
    shared_dir().map(|s| s.join("golden").join(capture).join(variant).join(format!("{capture}{suffix}")))
}

fn flows_of(path: &Path) -> Flows {
    Flows::parse(&std::fs::read_to_string(path).unwrap())
}

fn column(f: &Flows, name: &str) -> usize {
    f.columns.iter().position(|c| c == name).unwrap_or_else(|| panic!("no column {name}"))
}

fn hex(v: &str) -> u64 {
    u64::from_str_radix(v.trim_start_matches("0x"), 16).unwrap_or_else(|_| panic!("bad hex {v}"))
}

/// The TCP flags letters tawk's tcpflags() prints, computed here.
fn flag_letters(tcp_flags: u64) -> String {
    "FSRPAUEW".chars().enumerate().map(|(i, c)| if tcp_flags >> i & 1 == 1 { c } else { '.' }).collect()
}

#[test]
fn tawk_filters_agree_with_the_reference_flow_files() {
    let program = r#"{ print dport(53), (tcp() || icmp6()), ipv6(), bitsanyset($flowStat, 0x0400000000000000),
        bitsallset($flowStat, 0x0c00000000000000), privip($srcIP), snet("192.168.0.0/16"), dnet("fe80::/10"),
        tcpflags(), tcpflags("S!A"), port("80;443;8000-8080"), proto("1-17") }"#;
    let files = golden("default", "_flows.txt");
    assert!(shared_dir().is_none() || files.len() > 50, "{} reference flow files", files.len());
    let mut rows_checked = 0;
    for path in files {
        let f = flows_of(&path);
        let out = ok(tool("tawk", &["-H", program, path.to_str().unwrap()], None), "tawk");
        let got: Vec<&str> = out.lines().collect();
        assert_eq!(got.len(), f.rows.len(), "{}: one output row per flow", path.display());
        let (dport, proto, stat, sip, dip, sport, flags) = (
            column(&f, "dstPort"),
            column(&f, "l4Proto"),
            column(&f, "flowStat"),
            column(&f, "srcIP"),
            column(&f, "dstIP"),
            column(&f, "srcPort"),
            column(&f, "tcpFlags"),
        );
        for (row, line) in f.rows.iter().zip(&got) {
            let stat_v = hex(&row[stat]);
            let ip = |s: &str| s.parse::<IpAddr>().ok();
            let private = match ip(&row[sip]) {
                Some(IpAddr::V4(a)) => a.is_private(),
                Some(IpAddr::V6(a)) => a.segments()[0] & 0xfe00 == 0xfc00,
                None => false,
            };
            let lan = matches!(ip(&row[sip]), Some(IpAddr::V4(a)) if a.octets()[..2] == [192, 168]);
            let link_local = matches!(ip(&row[dip]), Some(IpAddr::V6(a)) if a.segments()[0] & 0xffc0 == 0xfe80);
            let fl = hex(&row[flags]);
            let web = |p: &str| matches!(p.parse::<u32>(), Ok(80 | 443 | 8000..=8080));
            let b = |v: bool| if v { "1" } else { "0" };
            let want = [
                b(row[dport] == "53").to_string(),
                b(row[proto] == "6" || row[proto] == "58").into(),
                b(stat_v & 0x8000 != 0).into(),
                b(stat_v >> 58 & 1 == 1).into(),
                b(stat_v >> 58 & 3 == 3).into(),
                b(private).into(),
                b(lan).into(),
                b(link_local).into(),
                flag_letters(fl & 0xff),
                b(fl & 0x02 != 0 && fl & 0x10 == 0).into(),
                b(web(&row[sport]) || web(&row[dport])).into(),
                b(matches!(row[proto].parse::<u32>(), Ok(1..=17))).into(),
            ]
            .join("\t");
            assert_eq!(*line, want, "{}: flow {} {}", path.display(), row[0], row[1]);
            rows_checked += 1;
        }
    }
    assert!(shared_dir().is_none() || rows_checked > 5000, "{rows_checked} rows");
}

#[test]
fn tawk_keeps_the_header_with_column_functions_and_drops_it_with_h() {
    let Some(path) = golden_file("dns-http-wikipedia", "default", "_flows.txt") else { return };
    let p = path.to_str().unwrap();
    let content = std::fs::read_to_string(&path).unwrap();
    let header = content.lines().next().unwrap();
    let dns: Vec<&str> = content.lines().skip(1).filter(|l| l.split('\t').nth(20) == Some("53")).collect();
    assert!(dns.len() > 10, "{} DNS flows", dns.len());
    let kept = ok(tool("tawk", &["dport(53)", p], None), "tawk");
    assert_eq!(kept, format!("{header}\n{}\n", dns.join("\n")));
    assert_eq!(ok(tool("tawk", &["hdr() || $dstPort == 53", p], None), "tawk"), kept);
    assert_eq!(ok(tool("tawk", &["-H", "dport(53)", p], None), "tawk"), format!("{}\n", dns.join("\n")));
    // not() keeps the header too; together the two filters give every row once
    let rest = ok(tool("tawk", &["-H", "not(dport(53))", p], None), "tawk");
    assert_eq!(rest.lines().count() + dns.len(), content.lines().count() - 1);
    // from a pipe, with -I, and with -c's comments above the names
    assert_eq!(ok(tool("tawk", &["dport(53)"], Some(content.as_bytes())), "stdin"), kept);
    assert_eq!(ok(tool("tawk", &["-I", p, "dport(53)"], None), "-I"), kept);
    let commented = ok(tool("tawk", &["-c", "dport(53)", p], None), "-c");
    assert!(commented.starts_with(&format!("# Generated with tawk from '{p}'\n# Date: ")), "{commented}");
    assert!(commented.contains("\n# Filter used: dport(53)\n"), "{commented}");
    assert_eq!(ok(tool("tawk", &["dport(53)"], Some(commented.as_bytes())), "again"), kept);
    // a column the file lacks is an error, not a silent $0
    let bad = tool("tawk", &["{ print $dstport }", p], None);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("reads $dstport but the input has no column 'dstport'"));
}

#[test]
fn tawk_lists_the_columns_of_every_reference_flow_file() {
    for path in golden("default", "_flows.txt").iter().step_by(7) {
        let f = flows_of(path);
        let out = ok(tool("tawk", &["-l", path.to_str().unwrap()], None), "tawk -l");
        let listed: Vec<(usize, String)> = out
            .lines()
            .map(|l| {
                let (n, name) = l.trim_start().split_once("  ").unwrap();
                (n.parse().unwrap(), name.to_string())
            })
            .collect();
        let want: Vec<(usize, String)> = f.columns.iter().cloned().enumerate().map(|(i, c)| (i + 1, c)).collect();
        assert_eq!(listed, want, "{}", path.display());
    }
}

/// (key, sum) rows sorted by sum, largest first, equal sums in order of first appearance.
fn ranked(rows: impl Iterator<Item = (String, u64)>) -> Vec<(String, u64)> {
    let mut order = Vec::new();
    let mut sums: HashMap<String, u64> = HashMap::new();
    for (k, v) in rows {
        if !sums.contains_key(&k) {
            order.push(k.clone());
        }
        *sums.entry(k).or_default() += v;
    }
    let mut out: Vec<(String, u64)> = order.into_iter().map(|k| (k.clone(), sums[&k])).collect();
    out.sort_by_key(|p| std::cmp::Reverse(p.1));
    out
}

#[test]
fn aggr_and_sorting_rank_like_an_independent_sum() {
    for capture in ["tls-browsing-334conns", "http-android-app-41hosts", "tcp-synscan-2k-flows"] {
        let Some(path) = golden_file(capture, "default", "_flows.txt") else { return };
        let p = path.to_str().unwrap();
        let f = flows_of(&path);
        let (sip, dip, bytes) = (column(&f, "srcIP"), column(&f, "dstIP"), column(&f, "l7BytesSnt"));
        let talkers = ranked(f.rows.iter().map(|r| (r[sip].clone(), r[bytes].parse().unwrap())));
        let want: String = std::iter::once("srcIP\tl7BytesSnt".to_string())
            .chain(talkers.iter().take(5).map(|(k, v)| format!("{k}\t{v}")))
            .map(|l| l + "\n")
            .collect();
        assert_eq!(ok(tool("tawk", &["aggr($srcIP, $l7BytesSnt, 5)", p], None), "aggr"), want, "{capture}");
        // flows per address pair, bottom 3 (smallest first) without the header
        let pairs = ranked(f.rows.iter().map(|r| (format!("{}\t{}", r[sip], r[dip]), 1)));
        let mut bottom: Vec<&(String, u64)> = pairs.iter().rev().take(3).collect();
        bottom.sort_by_key(|p| p.1);
        let got = ok(tool("tawk", &["-H", "aggr(tuple2(), \"flows\", -3)", p], None), "aggr");
        let counts: Vec<u64> = got.lines().map(|l| l.rsplit('\t').next().unwrap().parse().unwrap()).collect();
        assert_eq!(counts, bottom.iter().map(|p| p.1).collect::<Vec<_>>(), "{capture}: {got}");
        // the 4 flows with the most bytes, whole rows, header first
        let mut rows: Vec<&Vec<String>> = f.rows.iter().collect();
        rows.sort_by_key(|r| std::cmp::Reverse(r[bytes].parse::<u64>().unwrap()));
        let content = std::fs::read_to_string(&path).unwrap();
        let want: String = std::iter::once(content.lines().next().unwrap().to_string())
            .chain(rows.iter().take(4).map(|r| r.join("\t")))
            .map(|l| l + "\n")
            .collect();
        assert_eq!(ok(tool("tawk", &["t2rsort(l7BytesSnt, 4)", p], None), "t2rsort"), want, "{capture}");
    }
}

#[test]
fn compound_values_json_and_time() {
    let Some(path) = golden_file("dns-http-wikipedia", "default", "_flows.txt") else { return };
    let p = path.to_str().unwrap();
    let f = flows_of(&path);
    let c = column(&f, "ip6OptCntHH_D");
    let got = ok(tool("tawk", &["-H", "{ print splitc($ip6OptCntHH_D, 2), splitc($ip6OptCntHH_D, -2) }", p], None), "");
    for (row, line) in f.rows.iter().zip(got.lines()) {
        let (a, b) = row[c].split_once('_').unwrap();
        assert_eq!(line, format!("{b}\t{a}"));
    }
    let json = ok(tool("tawk", &["json()", p], None), "json");
    assert_eq!(json.lines().count(), f.rows.len());
    for (row, line) in f.rows.iter().zip(json.lines()) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert_eq!(v["flowInd"], row[1].parse::<u64>().unwrap(), "{line}");
        assert_eq!(v["flowStat"], row[column(&f, "flowStat")], "{line}");
        assert_eq!(v["srcIPOrg"], row[column(&f, "srcIPOrg")].trim_matches('"'), "{line}");
    }
    let first =
        ok(tool("tawk", &["-H", "NR == 2 { print utc($timeFirst), hrnum($l7BytesSnt + 5512317) }", p], None), "");
    assert_eq!(first, "2011-03-18T19:06:07.096535000Z\t5.51 M\n");
}

/// A bits.toml's columns: (name, the descriptions of its bits; none for same_as).
type BitColumns = Vec<(String, Vec<String>)>;

#[test]
fn library_functions_on_values() {
    let cases: [(&str, &str); 40] = [
        (r#"ip2num("192.168.1.10")"#, "3232235786"),
        ("ip2str(3232235786)", "192.168.1.10"),
        (r#"ip2str("0xc0a8010a")"#, "192.168.1.10"),
        (r#"ip2num("2001:db8::1")"#, "0x20010db8000000000000000000000001"),
        (r#"ip2num("::ffff:1.2.3.4")"#, "0x00000000000000000000ffff01020304"),
        (r#"ip2num("nope") "|""#, "|"),
        (r#"ipinnet("10.1.2.3", "10.0.0.0/8")"#, "1"),
        (r#"ipinnet("10.1.2.3", "10.1.2.0", "255.255.255.0")"#, "1"),
        (r#"ipinnet("10.1.3.3", "10.1.2.0", 24)"#, "0"),
        (r#"ipinnet("10.1.2.3", "10.1.2.0", 0xffffff00)"#, "1"),
        (r#"ipinnet("2001:db8:1::5", "2001:db8::/32")"#, "1"),
        (r#"ipinnet("2001:db9::5", "2001:db8::/32")"#, "0"),
        (r#"ipinnet("2001:db8:8000::", "2001:db8::/33")"#, "0"),
        (r#"ipinnet("2001:db8:7fff::", "2001:db8::/33")"#, "1"),
        (r#"ipinnet("10.0.0.1", "2001:db8::/32")"#, "0"),
        (r#"ipinrange("10.0.0.5", "10.0.0.1", "10.0.0.9")"#, "1"),
        (r#"privip("172.31.255.255") privip("172.32.0.1") privip("fd00::1") privip("-")"#, "1010"),
        (r#"bitsanyset("0x8000000000000000", "0x8000000000000000")"#, "1"),
        (r#"bitsanyset("9223372036854775808", "0x8000000000000000")"#, "1"),
        (r#"bitsanyset("0x7fffffffffffffff", 9223372036854775808)"#, "0"),
        (r#"bitsallset("0x0400000000004000", 0x4000)"#, "1"),
        (r#"bitsallset("0x0400000000004000", "0x0400000000008000")"#, "0"),
        (r#"bfeq("0x00ff", 255)"#, "1"),
        (r#"t2split("a;b;c", ";", "1;-1", "|")"#, "a|c"),
        (r#"t2split("a.b", ".", 2)"#, "b"),
        (r#"splitr("\"x\";\"y\"", 2)"#, "\"y\""),
        (r#"splitc("1_2_3")"#, "1\t2\t3"),
        (r#"splitc("1_2_3", 5) "|""#, "|"),
        (r#"hrnum(999) " " hrnum(2000000) " " hrnum("abc")"#, "999 2 M abc"),
        (r#"hrnum(1500, 1, "B")"#, "1500 (1.50 KB)"),
        (r#"streq("\"Private network\"", "Private network") streqi("ABC", "abc") strneq("a", "a")"#, "110"),
        (r#"contains("\"hello\"", "ell") containsi("HELLO", "ell") contains("abc", "x")"#, "110"),
        (r#"hasprefix("abc", "ab") hassuffix("abc", "bc") hassuffix("c", "bc")"#, "110"),
        (r#"isset("") isset("\"\"") isset("x")"#, "001"),
        (r#"unquote("\"a b\"")"#, "a b"),
        (r#"utc("0.5") " " utc("timeFirst")"#, "1970-01-01T00:00:00.5Z timeFirst"),
        (r#"proto2str(6) proto2str(58) proto2str(300)"#, "TCPICMPv6300"),
        (r#"_t2_inlist(8080, "80;8000-8100") _t2_inlist(9000, "80,8000-8100")"#, "10"),
        (r#"_t2_ip6hex("1::2::3") "|" _t2_ip6hex("12345::")"#, "|"),
        (r#"_t2_dec2hex("18446744073709551615")"#, "ffffffffffffffff"),
    ];
    let program: String = std::iter::once("BEGIN {".to_string())
        .chain(cases.iter().map(|(e, _)| format!("print {e}")))
        .collect::<Vec<_>>()
        .join("\n")
        + "\n}";
    let got = ok(tool("tawk", &[&program, "/dev/null"], None), "tawk");
    let got: Vec<&str> = got.lines().collect();
    for (i, (expr, want)) in cases.iter().enumerate() {
        let mut want_lines = want.lines();
        assert_eq!(got.get(i).copied(), want_lines.next(), "{expr}");
    }
    assert_eq!(got.len(), cases.len());
}

/// Each bits.toml of the tree: (component, [(column, bit descriptions or same_as)]), read here
/// line by line.
fn bit_files() -> Vec<(String, BitColumns)> {
    let root = repo_root();
    let mut files = vec![("tranalyzer2".to_string(), root.join("core/bits.toml"))];
    for d in std::fs::read_dir(root.join("plugins")).unwrap().filter_map(Result::ok) {
        if d.path().join("bits.toml").exists() {
            files.push((d.file_name().to_string_lossy().into_owned(), d.path().join("bits.toml")));
        }
    }
    files
        .into_iter()
        .map(|(component, path)| {
            let mut cols: BitColumns = Vec::new();
            for line in std::fs::read_to_string(path).unwrap().lines() {
                let l = line.trim();
                if let Some(name) = l.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                    cols.push((name.to_string(), Vec::new()));
                } else if let (Some(last), true) = (cols.last_mut(), l.starts_with('"')) {
                    last.1.push(l.trim_end_matches(',').trim_matches('"').to_string());
                }
            }
            (component, cols)
        })
        .collect()
}

#[test]
fn bit_definitions_name_real_columns_and_the_core_constants() {
    let mut headers = String::new();
    // the decoders reference has the columns of every plugin with a bits.toml but tcpWin
    for variant in ["default", "tcpwin", "decoders"] {
        for f in golden(variant, "_flows.txt").iter().take(3) {
            headers += std::fs::read_to_string(f).unwrap().lines().next().unwrap();
            headers.push('\t');
        }
    }
    for f in golden("monitoring", "stdout.txt").iter().take(1) {
        headers += std::fs::read_to_string(f).unwrap().lines().next().unwrap();
    }
    if headers.is_empty() {
        return;
    }
    let columns: Vec<&str> = headers.split('\t').map(|c| c.trim_start_matches('%')).collect();
    let files = bit_files();
    assert!(files.len() >= 4, "core, tcpFlags, tcpStates, tcpWin");
    for (component, cols) in &files {
        for (col, bits) in cols {
            assert!(columns.contains(&col.as_str()), "{component}'s bits.toml: no column {col} in T2's outputs");
            assert!(bits.is_empty() || [8, 16, 32, 64].contains(&bits.len()), "{component} {col}: {} bits", bits.len());
        }
    }
    // the core's flowStat descriptions cover exactly the bits plugin-api names
    let status = std::fs::read_to_string(repo_root().join("plugin-api/src/status.rs")).unwrap();
    let mut named: Vec<u32> = status
        .lines()
        .filter_map(|l| l.strip_prefix("pub const ")?.split_once(": u64 = 0x"))
        .map(|(_, v)| u64::from_str_radix(&v.trim_end_matches(';').replace('_', ""), 16).unwrap())
        .filter(|v| v.is_power_of_two())
        .map(u64::trailing_zeros)
        .collect();
    named.sort_unstable();
    let flow_stat = &files[0].1.iter().find(|(c, _)| c == "flowStat").unwrap().1;
    let described: Vec<u32> = (0..64).filter(|&b| !flow_stat[b as usize].is_empty()).collect();
    assert_eq!(described, named);
}

#[test]
fn tawk_v_decodes_every_tcpfstat_and_flowstat_value_of_the_references() {
    let mut values: BTreeMap<(&str, String), ()> = BTreeMap::new();
    for path in golden("default", "_flows.txt") {
        let f = flows_of(&path);
        for name in ["tcpFStat", "flowStat"] {
            let c = column(&f, name);
            for r in &f.rows {
                values.insert((name, r[c].clone()), ());
            }
        }
    }
    let descriptions: HashMap<String, Vec<String>> = bit_files().into_iter().flat_map(|(_, cols)| cols).collect();
    for ((name, value), ()) in values {
        let out = ok(tool("tawk", &["-V", &format!("{name}={value}")], None), "tawk -V");
        let rows: Vec<(u32, String)> = out
            .lines()
            .filter_map(|l| {
                let mut f = l.split(" | ");
                let bit = f.next()?.trim().parse().ok()?;
                Some((bit, f.nth(1)?.to_string()))
            })
            .collect();
        let v = hex(&value);
        let want: Vec<(u32, String)> =
            (0..64).filter(|b| v >> b & 1 == 1).map(|b| (b, descriptions[name][b as usize].clone())).collect();
        assert_eq!(rows, want, "{name}={value}:\n{out}");
    }
}

/// A section of a statistics file: title, rows of (label, packets, bytes).
type StatSection = (String, Vec<(String, u64, Option<u64>)>);

/// A statistics file's sections as the test reads them: title, rows of (label, packets,
/// bytes) in file order.
fn stat_sections(path: &Path) -> Vec<StatSection> {
    let mut sections: Vec<StatSection> = Vec::new();
    let mut open = false;
    let num = |s: &str| s.split('[').next().unwrap().trim().parse::<u64>().unwrap();
    for line in std::fs::read_to_string(path).unwrap().lines() {
        if let Some(h) = line.strip_prefix("# ").filter(|h| h.contains('\t')) {
            sections.push((h.split('\t').next().unwrap().to_string(), Vec::new()));
            open = true;
        } else if line.is_empty() || line.starts_with('#') {
            open = false;
        } else if open {
            let f: Vec<&str> = line.split('\t').collect();
            let row = if sections.last().unwrap().0.contains("ICMP") {
                (format!("{}\t{}", f[0], f[1]), num(f[2]), None)
            } else {
                (f[0].trim().to_string(), num(f[1]), Some(num(f[2])))
            };
            sections.last_mut().unwrap().1.push(row);
        }
    }
    sections
}

#[test]
fn protstat_ranks_the_reference_statistics() {
    let mut files = golden("default-all", "_protocols.txt");
    files.extend(golden("default-all", "_icmpStats.txt"));
    let mut ranked_rows = 0;
    for path in files {
        let p = path.to_str().unwrap();
        let icmp = p.ends_with("_icmpStats.txt");
        for by_bytes in if icmp { vec![false] } else { vec![false, true] } {
            let args: Vec<&str> = if by_bytes { vec!["-b", "-n", "3", "-C", p] } else { vec!["-n", "3", "-C", p] };
            let out = ok(tool("protStat", &args, None), "protStat");
            let mut got: Vec<(String, Vec<String>)> = Vec::new();
            for line in out.lines() {
                if line.is_empty() {
                    continue;
                }
                let f: Vec<&str> = line.split('\t').collect();
                if f.last() == Some(&"Description") || f.last() == Some(&"Packets") {
                    got.push((f[0].to_string(), Vec::new()));
                } else {
                    let label = if icmp { format!("{}\t{}", f[0], f[1]) } else { f[0].to_string() };
                    got.last_mut().unwrap().1.push(label);
                }
            }
            let want: Vec<(String, Vec<String>)> = stat_sections(&path)
                .into_iter()
                .map(|(title, rows)| {
                    let mut rows = rows.clone();
                    rows.sort_by_key(|r| std::cmp::Reverse(if by_bytes { r.2.unwrap() } else { r.1 }));
                    (title, rows.into_iter().take(3).map(|r| r.0).collect())
                })
                .collect();
            ranked_rows += want.iter().map(|w| w.1.len()).sum::<usize>();
            assert_eq!(got, want, "{p} (bytes: {by_bytes})\n{out}");
        }
    }
    assert!(shared_dir().is_none() || ranked_rows > 300, "{ranked_rows} rows");
}

/// A decoded PNG: width, height and RGB pixels.
fn png(path: &Path) -> (u32, u32, Vec<[u8; 3]>) {
    let decoder = png::Decoder::new(std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let step = info.color_type.samples();
    let pixels = buf[..info.buffer_size()].chunks(step).map(|p| [p[0], p[1], p[2]]).collect();
    (info.width, info.height, pixels)
}

/// The number of pixels drawn in t2plot's data colour in each of `bands` horizontal bands.
fn data_pixels_per_band(path: &Path, bands: u32) -> (u32, u32, Vec<usize>) {
    let (w, h, px) = png(path);
    let mut counts = vec![0; bands as usize];
    for (i, p) in px.iter().enumerate() {
        if p[2] > 150 && p[0] < 80 && p[1] < 130 {
            counts[((i as u32 / w) * bands / h) as usize] += 1;
        }
    }
    (w, h, counts)
}

#[test]
fn t2plot_draws_columns_from_a_pipe() {
    let Some(path) = golden_file("tls-browsing-334conns", "default", "_flows.txt") else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bytes.png");
    let table = ok(tool("tawk", &["{ print $timeFirst, $l7BytesSnt }", path.to_str().unwrap()], None), "tawk");
    ok(tool("t2plot", &["-o", out.to_str().unwrap()], Some(table.as_bytes())), "t2plot");
    let (w, h, counts) = data_pixels_per_band(&out, 1);
    assert_eq!((w, h), (1000, 600));
    // one impulse per flow with bytes: at least a few hundred data pixels
    let flows_with_bytes = table.lines().skip(1).filter(|l| !l.ends_with("\t0")).count();
    assert!(flows_with_bytes > 100 && counts[0] > flows_with_bytes, "{counts:?} for {flows_with_bytes} flows");
    // a row that is no number is left out, said, and the picture still written
    let bad = format!("{table}1609829800.5\tmany\n");
    let out2 = dir.path().join("bad.png");
    let r = tool("t2plot", &["-pt", "-o", out2.to_str().unwrap()], Some(bad.as_bytes()));
    assert_eq!(r.status.code(), Some(1));
    let err = String::from_utf8_lossy(&r.stderr);
    let last = table.lines().count() + 1;
    assert_eq!(err, format!("t2plot: -:{last}: '1609829800.5\tmany' is no number: 1 row(s) left out of the plot\n"));
    assert_eq!(png(&out2).0, 1000);
}

#[test]
fn t2plot_draws_one_panel_per_monitoring_metric() {
    for (capture, variant) in [("linux-sll-sctp", "tcpwin-monitoring"), ("raw-ip-dlt101", "mon-abs")] {
        let Some(stdout) = golden_file(capture, variant, "").map(|p| p.with_file_name("stdout.txt")) else { return };
        let text = std::fs::read_to_string(&stdout).unwrap();
        let header: Vec<&str> = text.lines().next().unwrap().split('\t').collect();
        let rows: Vec<Vec<&str>> = text.lines().skip(1).map(|l| l.split('\t').collect()).collect();
        // the plugin columns: after SCTPBytes, those holding decimal numbers
        let first = header.iter().position(|c| *c == "SCTPBytes").unwrap() + 1;
        let plugin = (first..header.len()).filter(|&c| rows.iter().all(|r| r[c].parse::<u64>().is_ok())).count();
        assert!(plugin >= 4, "{capture}: {plugin} plugin columns");
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("mon.png");
        ok(tool("t2plot", &["-o", out.to_str().unwrap(), stdout.to_str().unwrap()], None), "t2plot");
        let panels = 3 + plugin as u32;
        let (w, h, counts) = data_pixels_per_band(&out, panels);
        assert_eq!((w, h), (1000, 60 + 230 * panels), "{capture}");
        assert!(counts.iter().all(|&c| c > 100), "{capture}: data pixels per panel {counts:?}");
    }
}

/// Runs `script` in bash after sourcing scripts/t2_aliases.
fn with_aliases(script: &str) -> String {
    let full = format!("shopt -s expand_aliases\nsource '{}/scripts/t2_aliases'\n{script}", repo_root().display());
    let out = Command::new("bash").args(["-c", &full]).output().expect("running bash");
    ok(out, script)
}

#[test]
fn shell_helpers_count_align_and_split() {
    let Some(path) = golden_file("http-android-app-41hosts", "default", "_flows.txt") else { return };
    let p = path.display().to_string();
    let f = flows_of(&path);
    let dip = column(&f, "dstIP");
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for r in &f.rows {
        *counts.entry(r[dip].as_str()).or_default() += 1;
    }
    // sortu: "count value", most frequent first
    let got = with_aliases(&format!("tawk -H '{{ print $dstIP }}' '{p}' | sortu"));
    let parsed: Vec<(usize, String)> = got
        .lines()
        .map(|l| {
            let (n, v) = l.trim_start().split_once(' ').unwrap();
            (n.parse().unwrap(), v.to_string())
        })
        .collect();
    assert_eq!(parsed.len(), counts.len());
    assert!(parsed.windows(2).all(|w| w[0].0 >= w[1].0));
    assert!(parsed.iter().all(|(n, v)| counts[v.as_str()] == *n), "{got}");
    // sortup: the same rows with their share
    let got = with_aliases(&format!("tawk -H '{{ print $dstIP }}' '{p}' | sortup"));
    for line in got.lines() {
        let (pct, v) = line.split_once('\t').unwrap();
        let want = counts[v] as f64 * 100.0 / f.rows.len() as f64;
        assert_eq!(pct, format!("{want:5.2}%"), "{line}");
    }
    // awkf: tabs in and out, empty columns kept (vlanID is empty)
    let got = with_aliases(&format!("awkf 'NR == 2 {{ print $13, $14 }}' '{p}'"));
    assert_eq!(got, format!("{}\t{}\n", f.rows[0][12], f.rows[0][13]));
    // tcol: every column starts at the same offset on every row
    let got = with_aliases(&format!("tawk 'NR <= 5 {{ print $flowInd, $vlanID, $srcIP, $dstPort }}' '{p}' | tcol"));
    let lines: Vec<&str> = got.lines().collect();
    assert_eq!(lines.len(), 5);
    let starts: Vec<usize> =
        ["flowInd", "vlanID", "srcIP", "dstPort"].iter().map(|c| lines[0].find(c).unwrap()).collect();
    for (line, row) in lines[1..].iter().zip(&f.rows) {
        for (&s, value) in starts.iter().zip([&row[1], &row[12], &row[13], &row[20]]) {
            if !value.is_empty() {
                assert_eq!(&line[s..s + value.len()], value.as_str(), "{got}");
            }
        }
    }
    // lsx: the file unchanged when not on a terminal
    assert_eq!(with_aliases(&format!("lsx 20 '{p}'")), std::fs::read_to_string(&path).unwrap());
}

#[test]
fn tawk_reads_our_own_runs_as_t2s() {
    let Some(pcap) = shared_pcap("dns-http-wikipedia.pcap") else { return };
    let plugins = PluginDir::with(&DEFAULT_FIVE);
    let run = run_t2(plugins.path(), &["-r", pcap.to_str().unwrap(), "-l"]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    let ours = run.out.path().join("dns-http-wikipedia_flows.txt");
    let theirs = golden_file("dns-http-wikipedia", "default", "_flows.txt").unwrap();
    for program in ["dport(53) { print $dir, $flowInd, $srcIP, $l7BytesSnt }", "aggr(tuple2(), $pktsSnt, 5)"] {
        let a = ok(tool("tawk", &[program, ours.to_str().unwrap()], None), program);
        let b = ok(tool("tawk", &[program, theirs.to_str().unwrap()], None), program);
        assert!(a.lines().count() > 5, "{a}");
        assert_eq!(a, b, "{program}");
    }
}

/// The lines of the first ```sh block after `heading` in the README.
fn readme_block(heading: &str) -> Vec<String> {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let section = &readme[readme.find(heading).unwrap_or_else(|| panic!("README has no '{heading}'"))..];
    let block = &section[section.find("```sh\n").unwrap() + 6..];
    block[..block.find("```").unwrap()].lines().map(str::to_string).collect()
}

/// Monitoring reports the pcap-time trigger (monitoring.md §3.1) fires for `pcap`: the index
/// of each triggering packet.
fn report_packets(pcap: &[u8]) -> Vec<usize> {
    let (_, records) = pcap_records(pcap);
    let sec = |r: &[u8]| i64::from(u32::from_le_bytes([r[0], r[1], r[2], r[3]]));
    let first = sec(&records[0]);
    let mut last = 0;
    let mut fired = Vec::new();
    for (i, r) in records.iter().enumerate() {
        let delta = sec(r) - first;
        if delta - last >= 1 {
            last = delta;
            fired.push(i);
        }
    }
    fired
}

/// The README's "After the run" session, run command by command in a copy of the tree (it
/// changes the core's configuration and builds it), with the quick start's plugins installed,
/// each command's output checked against the flow file and the capture.
#[test]
fn readme_after_the_run_session() {
    let lines = readme_block("## After the run");
    let commands: Vec<&String> = lines.iter().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(commands.len(), 11, "the test knows each command: {commands:#?}");

    let work = tempfile::tempdir().unwrap();
    let tree = work.path().join("tree");
    std::fs::create_dir(&tree).unwrap();
    let copy = format!(
        "git ls-files -z --cached --others --exclude-standard | xargs -0 tar -c --ignore-failed-read 2>/dev/null | tar -x -C '{}'",
        tree.display()
    );
    assert!(Command::new("bash").args(["-c", &copy]).current_dir(repo_root()).status().unwrap().success());
    // the plugin folder of the quick start, and the build folder of the session's t2build
    // (kept between test runs: cargo reuses the dependencies), seeded with the release
    // binaries the aliases run, so that only the session's t2build compiles (the core)
    let home = work.path().join("home");
    let plugin_dir = home.join(".tranalyzer/plugins");
    std::fs::create_dir_all(&plugin_dir).unwrap();
    // protStat reads protoStats' file
    let plugins = PluginDir::with(&["basicFlow", "basicStats", "tcpFlags", "tcpStates", "txtSink", "protoStats"]);
    for f in std::fs::read_dir(plugins.path()).unwrap().filter_map(Result::ok) {
        std::fs::copy(f.path(), plugin_dir.join(f.file_name())).unwrap();
    }
    let build = repo_root().join("target/after-run-session");
    std::fs::create_dir_all(build.join("release")).unwrap();
    for bin in ["tranalyzer", "t2build", "t2conf", "tawk", "protStat", "t2plot"] {
        std::fs::copy(artifact(bin), build.join("release").join(bin)).unwrap();
    }
    // the session writes into /tmp/after/: here into the test's own folder
    let after = work.path().join("after");
    let out = |name: &str| after.join(name);
    let protocols = out("sample_protocols.txt");

    let mut script = String::from("set -eo pipefail\nshopt -s expand_aliases\n");
    for (i, c) in commands.iter().enumerate() {
        let c = c.replace("/tmp/after/", &format!("{}/", after.display()));
        script += &format!("printf '\\n@@@ {i}\\n'\n{c}\n");
    }
    let run = Command::new("bash")
        .args(["-c", &script])
        .current_dir(&tree)
        .env("HOME", &home)
        .env("CARGO_TARGET_DIR", &build)
        .env("RUSTUP_HOME", std::env::var_os("RUSTUP_HOME").unwrap_or_else(|| real_home().join(".rustup").into()))
        .env("CARGO_HOME", std::env::var_os("CARGO_HOME").unwrap_or_else(|| real_home().join(".cargo").into()))
        .env("DOCKER_BUILD", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&run.stderr));
    let outputs: Vec<&str> =
        stdout.split("\n@@@ ").skip(1).map(|s| s.split_once('\n').map_or("", |(_, o)| o)).collect();
    assert_eq!(outputs.len(), commands.len());

    let flows_path = out("sample_flows.txt");
    let f = flows_of(&flows_path);
    // 1: the columns and their numbers, four per line
    let listed: Vec<&str> = outputs[2].split_whitespace().collect();
    assert_eq!(listed.len(), 2 * f.columns.len(), "{}", outputs[2]);
    for (k, c) in f.columns.iter().enumerate() {
        assert_eq!((listed[2 * k], listed[2 * k + 1]), (format!("{}", k + 1).as_str(), c.as_str()));
    }
    // 2: the DNS flows, aligned under the column names
    let dport = column(&f, "dstPort");
    let dns: Vec<&Vec<String>> = f.rows.iter().filter(|r| r[dport] == "53").collect();
    let table: Vec<&str> = outputs[3].lines().collect();
    assert_eq!(table.len(), 1 + dns.len(), "{}", outputs[3]);
    assert!(table[0].starts_with("%dir  flowInd  flowStat"), "{}", table[0]);
    let at = table[0].find("srcIP ").unwrap();
    for (line, row) in table[1..].iter().zip(&dns) {
        assert_eq!(&line[at..at + row[column(&f, "srcIP")].len()], row[column(&f, "srcIP")]);
    }
    // 3: top 3 talkers by bytes
    let (sip, bytes) = (column(&f, "srcIP"), column(&f, "l7BytesSnt"));
    let talkers = ranked(f.rows.iter().map(|r| (r[sip].clone(), r[bytes].parse().unwrap())));
    let want: Vec<String> = talkers.iter().take(3).map(|(k, v)| format!("{k}\t{v}")).collect();
    assert_eq!(outputs[4], format!("srcIP\tl7BytesSnt\n{}\n", want.join("\n")));
    // 4: the tcpFStat values by count
    let c = column(&f, "tcpFStat");
    let got: Vec<(usize, &str)> = outputs[5]
        .lines()
        .map(|l| l.trim_start().split_once(' ').map(|(n, v)| (n.parse().unwrap(), v)).unwrap())
        .collect();
    assert_eq!(got.iter().map(|g| g.0).sum::<usize>(), f.rows.len());
    for (n, v) in &got {
        assert_eq!(f.rows.iter().filter(|r| r[c] == *v).count(), *n, "{v}");
    }
    assert!(got.iter().any(|g| g.1 == "0x0a11"), "the value the session decodes occurs: {got:?}");
    // 5: its bits
    let bits: Vec<&str> =
        outputs[6].lines().filter_map(|l| l.split(" | ").next()?.trim().parse::<u8>().ok().map(|_| l)).collect();
    assert_eq!(
        bits.iter().map(|l| l.split(" | ").nth(1).unwrap().trim()).collect::<Vec<_>>(),
        ["0x0001", "0x0010", "0x0200", "0x0800"]
    );
    // 6: top 3 protocols of each section by bytes
    let sections = stat_sections(&protocols);
    let got: Vec<&str> = outputs[7].lines().filter(|l| !l.is_empty() && !l.ends_with("Description")).collect();
    let want: Vec<String> = sections
        .iter()
        .flat_map(|(_, rows)| {
            let mut rows = rows.clone();
            rows.sort_by_key(|r| std::cmp::Reverse(r.2.unwrap()));
            rows.into_iter().take(3).map(|r| r.0)
        })
        .collect();
    assert_eq!(got.iter().map(|l| l.split('\t').next().unwrap().trim()).collect::<Vec<_>>(), want);
    // 7-8: a monitoring core, and its reports: one per whole second of capture time crossed
    let monitoring = std::fs::read_to_string(out("sample_monitoring.txt")).unwrap();
    let rows: Vec<&str> = monitoring.lines().filter(|l| l.starts_with("USR1MR_D\t")).collect();
    let sample = std::fs::read(sample_pcap()).unwrap();
    let fired = report_packets(&sample);
    assert_eq!(rows.len(), fired.len(), "{monitoring}");
    let header: Vec<&str> = monitoring.lines().next().unwrap().split('\t').collect();
    let pkts = header.iter().position(|c| *c == "numPkts").unwrap();
    let counted: usize = rows.iter().map(|r| r.split('\t').nth(pkts).unwrap().parse::<usize>().unwrap()).sum();
    assert_eq!(counted, fired.last().unwrap() + 1, "the packets up to the last report");
    // 9: the picture: packets/s, bytes/s, flows in memory and the plugins' decimal columns
    // (tcpFlags' four counters)
    let first = header.iter().position(|c| *c == "SCTPBytes").unwrap() + 1;
    let decimal = (first..header.len())
        .filter(|&c| rows.iter().all(|r| r.split('\t').nth(c).is_some_and(|v| v.parse::<u64>().is_ok())))
        .count() as u32;
    assert!(decimal >= 4, "{monitoring}");
    let (w, h, counts) = data_pixels_per_band(&out("monitoring.png"), 3 + decimal);
    assert_eq!((w, h), (1000, 60 + 230 * (3 + decimal)));
    assert!(counts.iter().all(|&c| c > 50), "data pixels per panel: {counts:?}");
}

fn real_home() -> PathBuf {
    PathBuf::from(std::env::var_os("HOME").expect("HOME is set"))
}
