//! httpSniffer's reading of payloads: a conversation of packets, each `[control, len_lo,
//! len_hi, bytes...]` (control bit 0: from the server; bit 1: 3 bytes of the packet are
//! padding, not payload), read by the two directions of one flow as the plugin does, then the
//! columns as the flow's end reads them.
#![no_main]

use httpSniffer::Config;
use httpSniffer::parse::Payload;
use httpSniffer::state::{FlowState, Who};
use httpSniffer::store::Field;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let cfg = Config::default();
    let (mut a, mut b) = (FlowState::default(), FlowState::default());
    a.start(true);
    b.start(true);
    let mut rest = data;
    while let [ctl, lo, hi, tail @ ..] = rest {
        let n = usize::from(u16::from_le_bytes([*lo, *hi])).min(tail.len());
        let (bytes, next) = tail.split_at(n);
        rest = next;
        let p = Payload::new(bytes, if ctl & 2 != 0 { n.saturating_sub(3) } else { n });
        if ctl & 1 == 0 {
            a.packet(&cfg, p, Some(&mut b), Who { findex: 1, dir: b'A' });
        } else {
            b.packet(&cfg, p, Some(&mut a), Who { findex: 1, dir: b'B' });
        }
    }
    for s in [&mut a, &mut b] {
        assert!(s.status_codes().len() <= 40);
        assert!(s.store.of(Field::Host).count() <= 40);
        let _ = s.finish();
    }
});
