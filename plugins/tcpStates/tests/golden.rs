//! tcpStates against T2 0.9.3's own output in `../shared/golden`: `tcpStatesAFlags`, the flow
//! times (tcpStates' timeouts decide when flows end) and the `tcpStates:` end-report lines on
//! every shared capture (see `rt2_golden::Golden`). Needs the release build (`cargo build
//! --release --workspace`).

use plugin_api::Plugin;
use plugin_api::testing::{TestHost, columns};
use tcpStates::{TcpStates, flags};

#[test]
fn flows_and_report_match_t2() {
    let own = columns(&TcpStates::new(TestHost::new().host())).into_iter().map(|c| c.name);
    rt2_golden::Golden::new("tcpStates")
        .flags(flags::CHANGED)
        .columns(own)
        .columns(["timeFirst", "timeLast", "duration"])
        .check();
}
