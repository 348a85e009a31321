//! Conformance with the reference outputs of T2 0.9.3 in `../shared/golden`, checked by the
//! shared `t2conform` tool over every capture of `../shared/pcaps`.

use std::process::Command;

use rt2_tests::{DEFAULT_FIVE, DEFAULT_TEN, PluginDir, artifact, run_t2, shared_dir, shared_pcap, tranalyzer};

/// T2 0.9.3 rejects Linux cooked v2 captures; rt2 decodes them (see `linux_sll2_is_decoded`).
const SLL2: (&str, &str) = ("linux-sll2-icmp", "T2 0.9.3 rejects Linux cooked v2; rt2 decodes it");

/// Runs t2conform for reference configuration `variant` with `plugins` and asserts that every
/// capture matches except those of `expected` (name, why), which must differ.
fn assert_conforms(plugins: &[&str], variant: &str, extra: &[&str], expected: &[(&str, &str)]) {
    assert_dir_conforms(&PluginDir::with(plugins), plugins, variant, extra, expected);
}

/// [`assert_conforms`] with the plugin folder `dir` (holding `plugins`).
fn assert_dir_conforms(dir: &PluginDir, plugins: &[&str], variant: &str, extra: &[&str], expected: &[(&str, &str)]) {
    let Some(shared) = shared_dir() else { return };
    let out = Command::new(shared.join("tools/t2conform"))
        .arg("--t2")
        .arg(tranalyzer())
        .arg("--plugins")
        .arg(dir.path())
        .args(["--variant", variant])
        .args(extra)
        .output()
        .expect("running t2conform");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let summary = text.lines().find(|l| l.starts_with("conform:")).unwrap_or_default();
    assert!(!summary.is_empty(), "t2conform printed no summary:\n{text}{}", String::from_utf8_lossy(&out.stderr));
    eprintln!("{variant} {plugins:?}: {summary}");
    let lines: Vec<&str> = text.lines().filter(|l| l.starts_with("ok") || l.starts_with("DIFF")).collect();
    assert!(lines.len() >= 50, "expected every shared capture, got {}", lines.len());
    let name = |l: &str| l.split_whitespace().nth(1).map(|n| n.trim_end_matches(':').to_owned()).unwrap_or_default();
    let unexpected: Vec<&&str> =
        lines.iter().filter(|l| l.starts_with("DIFF") && !expected.iter().any(|(n, _)| name(l) == *n)).collect();
    assert!(unexpected.is_empty(), "captures that differ from the reference:\n{unexpected:#?}");
    for (n, why) in expected {
        let line = lines.iter().find(|l| name(l) == *n).unwrap_or_else(|| panic!("{n} was not compared"));
        assert!(line.starts_with("DIFF"), "{n} matches now: it is no longer an exception ({why})");
    }
}

/// basicFlow alone against T2 run with basicFlow + txtSink alone (flowStat and the flows' ends
/// depend on the other plugins, so the five-plugin reference is not the one to compare with).
#[test]
fn basic_flow_and_txt_sink_match_the_reference() {
    assert_conforms(&["basicFlow", "txtSink"], "basicflow", &["--log"], &[SLL2]);
}

/// T2's default configuration: every column of the five default plugins and the end report.
#[test]
fn default_plugins_match_the_reference() {
    assert_conforms(&DEFAULT_FIVE, "default", &["--log"], &[SLL2]);
}

/// T2's ten default plugins and jsonSink (what a bare `t2build` installs, plus the JSON output):
/// every column, the end report, the headers' column table and every plugin file
/// (`_protocols.txt`, `_icmpStats.txt`, `_flows.json`).
#[test]
fn default_ten_and_json_sink_match_the_reference() {
    let plugins = [&DEFAULT_TEN[..], &["jsonSink"]].concat();
    assert_conforms(&plugins, "default-all", &["--log"], &[SLL2]);
}

/// The analyst's decoders beside the ten defaults and jsonSink (the `decoders` reference, 17
/// plugins): DNS, HTTP, TLS (JA3/JA4, certificates), ARP, first packets and the size/IAT
/// histograms, in every column, the end report, the column table and the JSON file.
#[test]
fn decoders_match_the_reference() {
    let decoders = ["jsonSink", "arpDecode", "dnsDecode", "httpSniffer", "sslDecode", "nFrstPkts", "pktSIATHisto"];
    let plugins = [&DEFAULT_TEN[..], &decoders].concat();
    assert_conforms(&plugins, "decoders", &["--log"], &[SLL2]);
}

/// basicFlow's subnet labels (`srcIPCC srcIPOrg dstIPCC dstIPOrg`) from the tables it installs,
/// wherever the reference has one (T2's special ranges and its IPv6 table). The end report's
/// talker country is checked by `the_reference_tables_give_the_reference_log_and_labels`: the
/// installed tables name the countries of public addresses that T2's own tables, and so the
/// reference, left without one (`tests/subnet.rs` checks those countries).
#[test]
fn subnet_labels_match_the_reference() {
    assert_conforms(&DEFAULT_FIVE, "default", &["--geo"], &[SLL2]);
}

/// With the part of the installed tables that came from T2's own files (`subnet-build
/// --t2-only`), every label and the end report, talker country included, are T2's.
#[test]
fn the_reference_tables_give_the_reference_log_and_labels() {
    let dir = PluginDir::with(&DEFAULT_FIVE);
    for table in [subnet::FILE4, subnet::FILE6] {
        let path = dir.path().join(table);
        let out = Command::new(artifact("subnet-build"))
            .arg("--t2-only")
            .arg(&path)
            .arg("-o")
            .arg(&path)
            .output()
            .expect("running subnet-build");
        assert!(out.status.success(), "subnet-build --t2-only {table}: {}", String::from_utf8_lossy(&out.stderr));
    }
    assert_dir_conforms(&dir, &DEFAULT_FIVE, "default", &["--log", "--geo"], &[SLL2]);
}

/// The tutorial's plugin beside the default five: flows, end report and summary numbers.
#[test]
fn tcp_win_matches_the_reference() {
    let mut plugins = DEFAULT_FIVE.to_vec();
    plugins.push("tcpWin");
    assert_conforms(&plugins, "tcpwin", &["--log"], &[SLL2]);
}

/// T2 0.9.3 stops at the first packet of a Linux cooked v2 capture; rt2 reads it: ICMP and
/// ICMPv6 echo on the loopback interface (request and reply in one flow, as src = dst), then an
/// ARP and a RARP frame.
#[test]
fn linux_sll2_is_decoded() {
    let Some(pcap) = shared_pcap("linux-sll2-icmp.pcap") else { return };
    let plugins = PluginDir::with(&["basicFlow", "txtSink"]);
    let run = run_t2(plugins.path(), &["-r", pcap.to_str().unwrap()]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    let flows = run.flows();
    assert_eq!(flows.rows.len(), 4);
    let expect = [
        (1, "sll2:ipv4:icmp", "192.0.2.1", "1", "0.000029000"),
        (2, "sll2:ipv6:icmpv6", "fe80::8c36:6ff:fe44:acaf", "58", "0.000030000"),
        (3, "sll2:arp", "-", "0", "0.000000000"),
        (4, "sll2:rarp", "-", "0", "0.000000000"),
    ];
    for (i, desc, ip, proto, duration) in expect {
        assert_eq!(flows.get("A", i, "hdrDesc"), desc);
        assert_eq!(flows.get("A", i, "srcIP"), ip);
        assert_eq!(flows.get("A", i, "dstIP"), ip);
        assert_eq!(flows.get("A", i, "l4Proto"), proto);
        assert_eq!(flows.get("A", i, "duration"), duration);
    }
    assert!(run.stdout().contains("Number of processed packets: 6\n"), "{}", run.stdout());
}
