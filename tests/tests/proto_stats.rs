//! protoStats against T2 0.9.3's default-all runs (`../shared/golden/<capture>/default-all/`):
//! with the default five plugins beside it, every capture must give T2's `_protocols.txt`
//! byte for byte, and no end-report line (T2's protoStats has none; a table it could not read
//! would show as a warning line). Needs the release build;
//! skipped without `../shared` unless `RT2_REQUIRE_SHARED` is set.

use rt2_tests::golden::Reference;
use rt2_tests::{PluginDir, run_t2, shared_dir};

/// T2 0.9.3 rejects Linux cooked v2 captures; rt2 decodes them.
const SKIP: &[&str] = &["linux-sll2-icmp"];

#[test]
fn proto_stats_matches_t2_on_every_shared_capture() {
    let Some(shared) = shared_dir() else { return };
    let plugins = PluginDir::with(&["protoStats", "basicFlow", "basicStats", "tcpFlags", "tcpStates", "txtSink"]);
    let refs = Reference::all(&shared, "default-all", SKIP);
    assert!(refs.len() >= 50, "only {} captures have a default-all reference", refs.len());
    let mut diffs = Vec::new();
    for r in &refs {
        let run = run_t2(plugins.path(), &["-r", r.pcap.to_str().unwrap(), "-l"]);
        assert_eq!(run.code(), Some(0), "{}: {}", r.name, run.stderr());
        diffs.extend(r.compare_plugin(&run, "protoStats", &[]));
        diffs.extend(r.compare_file(&run, "_protocols.txt"));
    }
    assert!(diffs.is_empty(), "{} differences:\n{}", diffs.len(), diffs.join("\n"));
}
