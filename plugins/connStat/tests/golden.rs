//! connStat against T2 0.9.3's runs with its ten default plugins
//! (`../shared/golden/<capture>/default-all/`): the release `tranalyzer` with the reference's
//! plugins that rt2 has, on every shared capture, must write T2's connStat cells and column
//! descriptions and T2's `connStat:` report lines. Needs the release build
//! (`cargo build --release --workspace`).

use connStat::{ConnStat, flags};
use plugin_api::Plugin;
use plugin_api::testing::{TestHost, columns};

#[test]
fn columns_and_report_match_t2() {
    let own = columns(&ConnStat::new(TestHost::new().host())).into_iter().map(|c| c.name);
    rt2_golden::Golden::new("connStat").variant("default-all").flags(flags::CHANGED).columns(own).check();
}
