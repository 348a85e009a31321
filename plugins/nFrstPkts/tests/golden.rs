//! nFrstPkts against T2 0.9.3's runs with the decoders set
//! (`../shared/golden/<capture>/decoders/`): the release `tranalyzer` with those of its plugins
//! rt2 has on every shared capture must write T2's nFrstPkts cells and column descriptions
//! (see `rt2_golden::Golden`). Needs the release build
//! (`cargo build --release --workspace`).

use nFrstPkts::{NFrstPkts, flags};
use plugin_api::Plugin;
use plugin_api::testing::{TestHost, columns};

#[test]
fn every_capture_matches_the_reference() {
    let own = columns(&NFrstPkts::new(TestHost::new().host())).into_iter().map(|c| c.name);
    rt2_golden::Golden::new("nFrstPkts").variant("decoders").flags(flags::CHANGED).columns(own).check();
}
