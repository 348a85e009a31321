//! connStat against T2 0.9.3's runs with its ten default plugins
//! (`../shared/golden/<capture>/default-all/`): the release `tranalyzer` with the reference's
//! plugins that rt2 has, on every shared capture, must write T2's connStat cells and column
//! descriptions and T2's `connStat:` report lines. Needs the release build
//! (`cargo build --release --workspace`).

use connStat::{ConnStat, flags};
use plugin_api::Plugin;
use plugin_api::testing::{TestHost, columns};

/// T2's icmpDecode turns ICMP flows around (echo replies, errors, neighbour advertisements
/// become B flows); connStat counts a flow from its initiator's side, so every count touching
/// those flows differs until icmpDecode is loaded. With icmpDecode's branch build added, these
/// captures match too.
const NEEDS_ICMPDECODE: [&str; 8] = [
    "icmp-traceroute",
    "icmpv6-hopbyhop-mld",
    "icmpv6-neighbor-discovery",
    "ipv6-frag-icmpv6",
    "malformed-ipv4-bogus-ihl",
    "netns-http-mix",
    "pppoe-session-ipv6",
    "teredo",
];

#[test]
fn columns_and_report_match_t2() {
    let own = columns(&ConnStat::new(TestHost::new().host())).into_iter().map(|c| c.name);
    let mut golden = rt2_golden::Golden::new("connStat").variant("default-all").flags(flags::CHANGED).columns(own);
    for capture in NEEDS_ICMPDECODE {
        golden = golden.known(capture, "", "T2's icmpDecode turns ICMP flows around");
    }
    golden.check();
}
