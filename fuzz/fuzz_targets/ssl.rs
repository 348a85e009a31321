//! sslDecode's reading of packet bytes: records, handshakes, extensions, certificates and the
//! JA3/JA4 fingerprints, over a flow of packets made from arbitrary bytes. The first byte picks
//! TCP or UDP; then each packet is a 16-bit big-endian length and that many bytes (the last
//! one takes what is left).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sslDecode::Config;
use sslDecode::ja::{Fingerprints, Matched};
use sslDecode::parse::{Decoder, L4, Packet};
use sslDecode::state::Tls;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, mut rest)) = data.split_first() else { return };
    let cfg = Config::default();
    let db = Fingerprints::default();
    let mut matched = Matched::default();
    let mut s = Tls::new(&cfg);
    let l4 = if sel & 1 == 0 { L4::Tcp } else { L4::Udp };
    while !rest.is_empty() {
        let len = match rest {
            [a, b, tail @ ..] => {
                rest = tail;
                usize::from(u16::from_be_bytes([*a, *b])).min(rest.len())
            }
            _ => rest.len(),
        };
        let (l7, tail) = rest.split_at(len);
        rest = tail;
        let p = Packet { l7, ts_sec: 1_700_000_000, l4 };
        Decoder { cfg: &cfg, db: &db, matched: &mut matched }.packet(&mut s, &p);
    }
    // the certificate decoder on the raw bytes too
    let _ = sslDecode::cert::decode(data, &cfg);
});
