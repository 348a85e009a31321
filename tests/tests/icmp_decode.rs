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
