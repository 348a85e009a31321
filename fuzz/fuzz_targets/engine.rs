//! The whole flow engine without plugins on an arbitrary capture: reader, dissector for
//! every link type, flow table with a tiny capacity (so the hash autopilot runs), fragments,
//! timeouts and the final flush.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tranalyzer::capture::{Next, Reader};
use tranalyzer::log::Log;

fuzz_target!(|data: &[u8]| {
    let Ok(mut r) = Reader::from_read(data) else { return };
    if !tranalyzer::dissect::supported(r.linktype()) {
        return;
    }
    let mut p = tranalyzer::testing::engine(8, Log::sink());
    for _ in 0..data.len() + 2 {
        match r.next() {
            Next::Packet(pkt) => p.packet(&pkt),
            Next::Error(_) => {}
            Next::Eof => break,
        }
    }
    p.flush_all();
});
