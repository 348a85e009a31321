//! basicStats against T2 0.9.3's own output in `../shared/golden`: its columns and
//! `basicStats:` end-report lines on every shared capture (see `rt2_golden::Golden`). Needs the
//! release build (`cargo build --release --workspace`).

use basicStats::{BasicStats, flags};
use plugin_api::Plugin;
use plugin_api::testing::{TestHost, columns};

#[test]
fn columns_and_report_match_t2() {
    let own = columns(&BasicStats::new(TestHost::new().host())).into_iter().map(|c| c.name);
    rt2_golden::Golden::new("basicStats").flags(flags::CHANGED).columns(own).check();
}
