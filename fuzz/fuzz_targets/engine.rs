//! The whole flow engine without plugins on an arbitrary capture: reader, dissector for
//! every link type, flow table with a tiny capacity (so the hash autopilot runs), fragments,
//! timeouts and the final flush.
#![no_main]

use std::rc::Rc;

use libfuzzer_sys::fuzz_target;
use tranalyzer::capture::{Next, Reader};
use tranalyzer::dispatch::{HostShared, PluginSet};
use tranalyzer::pipeline::{Pipeline, Settings};
use tranalyzer::report::log::Log;

fuzz_target!(|data: &[u8]| {
    let Ok(mut r) = Reader::from_read(data) else { return };
    if !tranalyzer::dissect::supported(r.linktype()) {
        return;
    }
    let shared = Rc::new(HostShared::new(Log::sink(), Log::sink(), false));
    let Ok(plugins) = PluginSet::load(&[], shared) else { return };
    let settings = Settings {
        flow_timeout: 182.0,
        autopilot: true,
        autopilot_flows: 1,
        hash_factor: 1,
        l2_flows: true,
        verbose: 0,
    };
    let mut p = Pipeline::new(8, plugins, settings);
    for _ in 0..data.len() + 2 {
        match r.next() {
            Next::Packet(pkt) => p.packet(&pkt),
            Next::Error(_) => {}
            Next::Eof => break,
        }
    }
    p.flush_all();
});
