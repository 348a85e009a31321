//! protoStats against T2 0.9.3's runs with its ten default plugins
//! (`../shared/golden/<capture>/default-all/`): the release `tranalyzer` with those of them rt2
//! has on every shared capture must write T2's `_protocols.txt` byte for byte, and no report
//! line (T2's protoStats has none; a table it could not read would show as a warning line; see
//! `rt2_golden::Golden`). Needs the release build (`cargo build --release --workspace`).

use protoStats::flags;

#[test]
fn every_capture_matches_the_reference() {
    rt2_golden::Golden::new("protoStats")
        .variant("default-all")
        .flags(flags::CHANGED)
        .files(["_protocols.txt"])
        .check();
}
