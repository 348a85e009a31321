//! The shared driver of the `arp`, `nfrstpkts` and `psiathisto` targets (one plugin each: a
//! binary can link only one plugin's entry symbol): each 42-byte record of the input is one
//! packet (flow slot and flags, a timestamp, a length, 28 bytes of ARP message and how much of
//! it was captured); a flag bit ends the flow after the packet. Slots 0-3 hold ARP flows, 4-5
//! UDP flows. Every flow's record is decoded at the end, then the report is written.

use plugin_api::abi::{CoreConfig, Timestamp};
use plugin_api::testing::packet::{Frame, Ip, L4, arp, packet};
use plugin_api::testing::{Harness, Recorded, TestHost, TestInit, core_config};

const SLOTS: [usize; 6] = [0, 2, 4, 6, 8, 10];
const RECORD: usize = 42;

/// The frame of one record: an ARP message cut after `rec[41] % 47` bytes of the frame's
/// padding-extended message, or a UDP packet whose selected length is `rec[9..13]`.
fn frame(rec: &[u8]) -> Frame {
    let slot = usize::from(rec[0] % 6);
    let len = u32::from_le_bytes(rec[9..13].try_into().unwrap());
    if slot >= 4 {
        // an IP flow: the length the core selected is taken as it comes
        return packet(Ip::V4([10, 0, 0, slot as u8], [10, 0, 0, 99]), L4::Udp(1000, 53, &rec[13..41]))
            .frame()
            .with_view(|v| v.len = len);
    }
    let cut = u32::from(rec[41] % 47);
    arp(1, [2; 6], [10, 0, 0, 1], [0; 6], [10, 0, 0, 2])
        .with_bytes(|b| b[14..42].copy_from_slice(&rec[13..41]))
        .with_view(|v| v.l7_off += cut)
}

/// Hands every record of `data` to `h`, ends flows where asked and at the end, then reports.
pub fn drive<P: plugin_api::Plugin>(h: &mut Harness<P>, data: &[u8]) {
    let mut live = [false; 6];
    for rec in data.chunks_exact(RECORD) {
        let i = usize::from(rec[0] % 6);
        let sec = i64::from(i32::from_le_bytes(rec[1..5].try_into().unwrap()));
        let frac = i64::from(i32::from_le_bytes(rec[5..9].try_into().unwrap()));
        h.packet(SLOTS[i], Timestamp { sec, frac }, &frame(rec));
        live[i] = true;
        if rec[0] & 0x80 != 0 {
            let _ = h.end(SLOTS[i]);
            live[i] = false;
        }
    }
    for (i, _) in live.iter().enumerate().filter(|(_, l)| **l) {
        let _ = h.end(SLOTS[i]);
    }
    let _ = h.report();
}

/// A harness around the plugin `make` builds, in packet mode when `sel` says so. The host is
/// made once and emptied for each input: the testing kit leaks every host it makes.
pub fn harness<P: plugin_api::Plugin>(sel: u8, make: impl FnOnce(plugin_api::Host) -> P) -> Harness<P> {
    thread_local! {
        static HOST: TestHost = TestHost::new();
    }
    let host = HOST.with(|h| *h);
    *host.recorded() = Recorded::default();
    let core = CoreConfig { capacity: 16, ..core_config() };
    let init = TestInit { packet_mode: sel & 1 != 0, ..TestInit::default() };
    Harness::with_host(host, make, &init, core)
}
