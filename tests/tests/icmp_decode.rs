//! icmpDecode against T2 0.9.3's default-all runs (`../shared/golden/<capture>/default-all/`):
//! with the default five plugins beside it (whose flowStat shows icmpDecode's direction
//! correction), every capture must give T2's icmpDecode columns, `icmpDecode:` end-report
//! lines and `_icmpStats.txt`. Needs the release build; skipped without `../shared` unless
//! `RT2_REQUIRE_SHARED` is set.

use rt2_tests::plugin_golden::{Check, compare_all};
use rt2_tests::shared_dir;

#[test]
fn icmp_decode_matches_t2_on_every_shared_capture() {
    let Some(shared) = shared_dir() else { return };
    let check = Check {
        variant: "default-all",
        plugins: &["basicFlow", "basicStats", "tcpFlags", "tcpStates", "icmpDecode", "txtSink"],
        columns: &[
            "flowStat",
            "icmpStat",
            "icmpTCcnt",
            "icmpBFTypH_TypL_Code",
            "icmpTmGtw",
            "icmpEchoSuccRatio",
            "icmpPFindex",
        ],
        plugin: "icmpDecode",
        files: &["_icmpStats.txt"],
    };
    let (checked, diffs) = compare_all(&shared, &check);
    assert!(checked >= 50, "only {checked} captures have a default-all reference");
    assert!(diffs.is_empty(), "{} differences:\n{}", diffs.len(), diffs.join("\n"));
}
