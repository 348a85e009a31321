//! dnsDecode against T2 0.9.3's runs with the decoders' plugin set
//! (`../shared/golden/<capture>/decoders/`): the release `tranalyzer` with those of them rt2 has
//! on every shared capture must write T2's dnsDecode cells and column descriptions, the flowStat
//! its direction correction sets and T2's `dnsDecode:` report lines (see `rt2_golden::Golden`).
//! Needs the release build (`cargo build --release --workspace`).

use dnsDecode::{DnsDecode, flags};
use plugin_api::Plugin;
use plugin_api::testing::{TestHost, columns};

#[test]
fn every_capture_matches_the_reference() {
    let own = columns(&DnsDecode::new(TestHost::new().host())).into_iter().map(|c| c.name);
    rt2_golden::Golden::new("dnsDecode")
        .variant("decoders")
        .flags(flags::CHANGED)
        .columns(own)
        .columns(["flowStat"])
        .check();
}
