//! tcpFlags against T2 0.9.3's own output in `../shared/golden`: its columns, `flowStat` (where
//! tcpFlags raises the timestamp-jump bit) and its `tcpFlags:` end-report lines on every shared
//! capture (see `rt2_golden::Golden`). Needs the release build (`cargo build --release
//! --workspace`).

use plugin_api::Plugin;
use plugin_api::testing::{TestHost, columns};
use tcpFlags::{TcpFlags, flags};

#[test]
fn flow_columns_and_report_match_t2() {
    let own = columns(&TcpFlags::new(TestHost::new().host())).into_iter().map(|c| c.name);
    rt2_golden::Golden::new("tcpFlags").flags(flags::CHANGED).columns(["flowStat".to_owned()]).columns(own).check();
}
