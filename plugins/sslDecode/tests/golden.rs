//! sslDecode against T2 0.9.3's runs with its decoders set (`../shared/golden/<capture>/decoders/`):
//! the release `tranalyzer` with those of its plugins rt2 has, on every shared capture, must
//! write T2's sslDecode cells (versions, ciphers, extensions, certificates, JA3/JA4 and their
//! descriptions), column descriptions and `sslDecode:` report lines, including the numbers of
//! fingerprints loaded from the installed tables (see `rt2_golden::Golden`). Needs the release
//! build (`cargo build --release --workspace`).

use plugin_api::Plugin;
use plugin_api::testing::{TestHost, columns};
use sslDecode::{SslDecode, flags};

#[test]
fn every_capture_matches_the_reference() {
    let own = columns(&SslDecode::new(TestHost::new().host())).into_iter().map(|c| c.name);
    rt2_golden::Golden::new("sslDecode").variant("decoders").flags(flags::CHANGED).columns(own).check();
}
