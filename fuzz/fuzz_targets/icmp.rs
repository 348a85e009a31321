//! icmpDecode's reading of packet bytes: the ICMP header, the payload markers, the parent key,
//! and one message's update of a flow and the run's totals, on arbitrary bytes (the first byte
//! picks IPv4 or IPv6 and where the payload starts), then the statistics file.
#![no_main]

use icmpDecode::parse::{Header, parent_key};
use icmpDecode::state::{FlowState, Settings, TcMode, Totals};
use icmpDecode::stats::{CoreCounts, stats_file};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, bytes)) = data.split_first() else { return };
    let v6 = sel & 1 != 0;
    let l7 = bytes.get(usize::from(sel >> 1)..).unwrap_or(&[]);
    let set = Settings { tc_mode: TcMode::BitField, tc_num: 10, fdcorr: true, parent: true, ipv4: true, ipv6: true };
    let h = Header::parse(bytes);
    let mut tot = Totals::default();
    let mut flow = FlowState::start(Some(&h));
    for chunk in bytes.chunks(8) {
        flow.analyse(&set, &Header::parse(chunk), v6, l7, l7, &mut tot);
    }
    let _ = parent_key(bytes, l7, v6, 0x0800, 0);
    let _ = flow.echo_ratio(Some(&flow));
    let core = CoreCounts { packets: tot.packets, icmp4: tot.packets, icmp6: tot.packets };
    let _ = stats_file(&tot, &set, core, "-");
});
