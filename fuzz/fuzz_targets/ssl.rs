//! sslDecode's reading of packet bytes: records, handshakes, extensions, certificates and the
//! JA3/JA4 fingerprints, over the two directions of a flow. The input is a conversation of
//! packets, each `[control, len_lo, len_hi, bytes...]` as the http target's (control bit 0:
//! from the server; bit 1: over UDP), which `seed-http.py` makes from the TLS captures.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sslDecode::Config;
use sslDecode::ja::{Fingerprints, Matched};
use sslDecode::parse::{Decoder, L4, Packet};
use sslDecode::state::Tls;

fuzz_target!(|data: &[u8]| {
    let cfg = Config::default();
    let db = Fingerprints::default();
    let mut matched = Matched::default();
    let (mut a, mut b) = (Tls::new(&cfg), Tls::new(&cfg));
    let mut rest = data;
    while let [ctl, lo, hi, tail @ ..] = rest {
        let n = usize::from(u16::from_le_bytes([*lo, *hi])).min(tail.len());
        let (l7, next) = tail.split_at(n);
        rest = next;
        let l4 = if ctl & 2 == 0 { L4::Tcp } else { L4::Udp };
        let s = if ctl & 1 == 0 { &mut a } else { &mut b };
        Decoder { cfg: &cfg, db: &db, matched: &mut matched }.packet(s, &Packet { l7, ts_sec: 1_700_000_000, l4 });
    }
    // the certificate decoder on the raw bytes too
    let _ = sslDecode::cert::decode(data, &cfg);
});
