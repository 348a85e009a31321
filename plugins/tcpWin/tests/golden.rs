//! tcpWin against the reference T2 run with the tutorial plugin (`shared/golden/<capture>/tcpwin/`,
//! the default five plugins and tcpWin): its five flow columns, its `tcpWin:` end-report lines
//! and its summary file on every shared capture (see `rt2_golden::Golden`). Needs the release
//! build (`cargo build --release --workspace`).

use plugin_api::Plugin;
use plugin_api::testing::{TestHost, columns};
use tcpWin::{TcpWin, flags};

#[test]
fn every_capture_matches_the_reference() {
    let own = columns(&TcpWin::new(TestHost::new().host())).into_iter().map(|c| c.name);
    rt2_golden::Golden::new("tcpWin")
        .variant("tcpwin")
        .flags(flags::CHANGED)
        .columns(own)
        .files(["_tcpwin.txt"])
        .check();
}
