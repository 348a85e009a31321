//! dnsDecode's reading of DNS messages: arbitrary bytes as the payload of UDP or TCP packets of
//! one flow (the first byte picks the transport, DNS_MODE and how TCP segments are cut), with
//! names, records and TCP messages over several segments, then the flow's columns.
#![no_main]

use dnsDecode::msg::Msg;
use dnsDecode::name::{self, NameBuf};
use dnsDecode::state::{FlowState, PacketIn, Settings, Totals, Transport, port_stat};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, bytes)) = data.split_first() else { return };
    let set = Settings { mode: sel % 5, code_lists: sel & 0x08 != 0, hexon: sel & 0x10 != 0 };
    let tcp = sel & 0x20 != 0;
    let mut nb = NameBuf::default();
    let mut tot = Totals::default();
    let mut flow = FlowState::default();
    flow.on_new_flow(port_stat(40000, 53).unwrap_or_default());
    // 8 bytes before the payload, as a TCP header's end: continuation segments read them
    let mut packet = vec![0u8; 8];
    packet.extend_from_slice(bytes);
    if tcp {
        flow.first_tcp(0x02, 0);
        let cut = 1 + usize::from(sel >> 6) * 97;
        let mut seq = 0u32;
        for seg in bytes.chunks(cut) {
            let mut p = vec![0u8; 8];
            p.extend_from_slice(seg);
            let pin = PacketIn {
                data: &p,
                l7_off: 8,
                snap_l7: seg.len() as u16,
                l7_len: seg.len() as u16,
                transport: Transport::Tcp(seq),
            };
            flow.packet(&set, &pin, &mut nb, &mut tot, None);
            seq = seq.wrapping_add(seg.len() as u32);
        }
    } else {
        let len = bytes.len().min(65000) as u16;
        let pin = PacketIn { data: &packet, l7_off: 8, snap_l7: len, l7_len: len, transport: Transport::Udp };
        let mut ips = String::new();
        flow.packet(&set, &pin, &mut nb, &mut tot, Some(&mut ips));
        flow.packet(&set, &pin, &mut nb, &mut tot, None);
    }
    // every name start in the message
    let m = Msg::new(bytes, 0);
    for start in 0..bytes.len().min(512) as u16 {
        name::parse(&m, bytes.len().min(65000) as u16, start, &mut nb);
    }
    let mut out = Vec::new();
    for n in flow.names.q.iter().chain(&flow.names.a) {
        name::netbios(&n.b, &mut out);
    }
});
