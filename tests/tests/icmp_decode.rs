//! icmpDecode against T2 0.9.3's default-all runs (`../shared/golden/<capture>/default-all/`):
//! with the default five plugins beside it (whose flowStat shows icmpDecode's direction
//! correction), every capture must give T2's icmpDecode columns and column descriptions,
//! `icmpDecode:` end-report lines and `_icmpStats.txt`. Needs the release build; skipped without
//! `../shared` unless `RT2_REQUIRE_SHARED` is set.

use rt2_tests::golden::Reference;
use rt2_tests::{PluginDir, run_t2, shared_dir};

/// T2 0.9.3 rejects Linux cooked v2 captures; rt2 decodes them.
const SKIP: &[&str] = &["linux-sll2-icmp"];
const COLUMNS: [&str; 7] =
    ["flowStat", "icmpStat", "icmpTCcnt", "icmpBFTypH_TypL_Code", "icmpTmGtw", "icmpEchoSuccRatio", "icmpPFindex"];

#[test]
fn icmp_decode_matches_t2_on_every_shared_capture() {
    let Some(shared) = shared_dir() else { return };
    let plugins = PluginDir::with(&["basicFlow", "basicStats", "tcpFlags", "tcpStates", "icmpDecode", "txtSink"]);
    let refs = Reference::all(&shared, "default-all", SKIP);
    assert!(refs.len() >= 50, "only {} captures have a default-all reference", refs.len());
    let mut diffs = Vec::new();
    for r in &refs {
        let run = run_t2(plugins.path(), &["-r", r.pcap.to_str().unwrap(), "-l"]);
        assert_eq!(run.code(), Some(0), "{}: {}", r.name, run.stderr());
        diffs.extend(r.compare_plugin(&run, "icmpDecode", &COLUMNS));
        diffs.extend(r.compare_file(&run, "_icmpStats.txt"));
    }
    assert!(diffs.is_empty(), "{} differences:\n{}", diffs.len(), diffs.join("\n"));
}

/// Packet mode (`-s`) on a traceroute: every packet has icmpDecode's five fields and the parent
/// column; a time exceeded names its flow as parent (T2 looks up the packet's own header), an
/// echo has none; the last status of a flow is its flow column's.
#[test]
fn packet_mode_shows_each_message_and_its_parent() {
    let Some(pcap) = rt2_tests::shared_pcap("icmp-traceroute.pcapng") else { return };
    let plugins = PluginDir::with(&["basicFlow", "icmpDecode", "txtSink"]);
    let run = run_t2(plugins.path(), &["-r", pcap.to_str().unwrap(), "-s"]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    let packets = run.file("_packets.txt").expect("a packet file");
    let mut lines = packets.lines();
    let header: Vec<&str> = lines.next().unwrap().trim_start_matches('%').split('\t').collect();
    let col = |n: &str| header.iter().position(|c| *c == n).unwrap_or_else(|| panic!("no {n} in {header:?}"));
    let (flow, stat, typ, code, pfi) =
        (col("flowInd"), col("icmpStat"), col("icmpType"), col("icmpCode"), col("icmpPFindex"));
    assert_eq!(header[stat..=pfi], ["icmpStat", "icmpType", "icmpCode", "icmpID", "icmpSeq", "icmpPFindex"]);
    let mut last_stat = std::collections::BTreeMap::new();
    let mut types = std::collections::BTreeMap::new();
    for l in lines {
        let f: Vec<&str> = l.split('\t').collect();
        match (f[typ], f[code]) {
            ("11", "0") => assert_eq!(f[pfi], f[flow], "{l}"),
            ("8" | "0", "0") => assert_eq!(f[pfi], "", "{l}"),
            other => panic!("unexpected type/code {other:?}: {l}"),
        }
        *types.entry(f[typ].to_owned()).or_insert(0) += 1;
        last_stat.insert(f[flow].to_owned(), f[stat].to_owned());
    }
    assert_eq!(types.into_iter().collect::<Vec<_>>(), [("0".into(), 3), ("11".into(), 24), ("8".into(), 27)]);
    let flows = run.flows();
    for (index, s) in last_stat {
        let dirs: Vec<&str> = flows.rows.iter().filter(|r| r[1] == index).map(|r| r[0].as_str()).collect();
        assert!(dirs.iter().any(|d| flows.get(d, index.parse().unwrap(), "icmpStat") == s), "flow {index}: {s}");
    }
}
