//! The pcap/pcapng reader on arbitrary bytes, as a stream (stdin) and as a mapped file would
//! see them: every outcome but a panic, a hang or an allocation driven by a length field is
//! fine.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tranalyzer::capture::{Next, Reader};

fuzz_target!(|data: &[u8]| {
    let Ok(mut r) = Reader::from_read(data) else { return };
    let _ = (r.linktype(), r.snaplen(), r.dlt());
    // each read either yields a packet, reports an error and moves on, or ends; a bound on
    // the loop turns a reader that stops advancing into a failure
    for _ in 0..data.len() + 2 {
        match r.next() {
            Next::Packet(p) => assert!(p.data.len() <= data.len()),
            Next::Error(_) => {}
            Next::Eof => return,
        }
    }
    panic!("the reader did not reach the end of {} bytes", data.len());
});
