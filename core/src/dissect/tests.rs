//! Dissection of packets the tests build themselves (`crate::testing`), one test per layout
//! and per way a packet can be cut or broken.

use plugin_api::abi::{Globals, PacketView, Timestamp};
use plugin_api::status::*;

use super::*;
use crate::testing::{Ip, L4, Tcp, arp, ethernet, ip_packet, ipv4_fragments, tcp};

const A: [u8; 6] = [0x02, 0, 0, 0, 0, 1];
const B: [u8; 6] = [0x02, 0, 0, 0, 0, 2];
const H1: [u8; 4] = [10, 0, 0, 1];
const H2: [u8; 4] = [10, 0, 0, 2];

fn globals() -> Box<Globals> {
    // only the plain counters are used by the dissector
    let zeros = vec![0u64; 65536];
    let g = Globals {
        size: 0,
        pad: 0,
        act_time: Timestamp::default(),
        start_time: Timestamp::default(),
        start_time0: Timestamp::default(),
        global_warn: Default::default(),
        num_packets: 0,
        num_packets0: 0,
        num_a_packets: 0,
        num_a_packets0: 0,
        num_b_packets: 0,
        num_b_packets0: 0,
        bytes_processed: 0,
        bytes_processed0: 0,
        num_a_bytes: 0,
        num_a_bytes0: 0,
        num_b_bytes: 0,
        num_b_bytes0: 0,
        num_l2_packets: 0,
        num_l2_packets0: 0,
        num_v4_packets: 0,
        num_v4_packets0: 0,
        num_v6_packets: 0,
        num_v6_packets0: 0,
        num_vx_packets: 0,
        num_vx_packets0: 0,
        bytes_on_wire: 0,
        bytes_on_wire0: 0,
        raw_bytes_on_wire: 0,
        raw_bytes_on_wire0: 0,
        pad_bytes_on_wire: 0,
        pad_bytes_on_wire0: 0,
        num_frag_v4_packets: 0,
        num_frag_v4_packets0: 0,
        num_frag_v6_packets: 0,
        num_frag_v6_packets0: 0,
        num_alarms: 0,
        num_alarms0: 0,
        num_alarm_flows: 0,
        num_alarm_flows0: 0,
        num_llc_packets: 0,
        num_llc_packets0: 0,
        num_gre_packets: 0,
        num_gre_packets0: 0,
        num_teredo_packets: 0,
        num_teredo_packets0: 0,
        num_ayiya_packets: 0,
        num_ayiya_packets0: 0,
        num_lapd_packets: 0,
        num_lapd_packets0: 0,
        num_dtls_packets: 0,
        num_dtls_packets0: 0,
        total_flows: 0,
        total_flows0: 0,
        total_a_flows: 0,
        total_a_flows0: 0,
        total_b_flows: 0,
        total_b_flows0: 0,
        total_ipv4_flows: 0,
        total_ipv4_flows0: 0,
        total_ipv6_flows: 0,
        total_ipv6_flows0: 0,
        total_l2_flows: 0,
        total_l2_flows0: 0,
        corr_repl_flows: 0,
        corr_repl_flows0: 0,
        total_rm_flows: 0,
        total_rm_flows0: 0,
        total_findex: 0,
        max_num_flows: 0,
        max_num_flows_peak: 0,
        pkts_l3: [0; 256],
        pkts_l3_0: [0; 256],
        bytes_l3: [0; 256],
        bytes_l3_0: [0; 256],
        pkts_l2: zeros.as_ptr(),
        pkts_l2_0: zeros.as_ptr(),
        bytes_l2: zeros.as_ptr(),
        bytes_l2_0: zeros.as_ptr(),
    };
    // the tables are never dereferenced by the dissector
    core::mem::forget(zeros);
    Box::new(g)
}

/// Dissects `frame` (captured in full) with link type `lt`.
fn run(frame: &[u8], lt: LinkType) -> (PacketView, Disposition) {
    run_cut(frame, frame.len(), lt)
}

/// Dissects the first `caplen` bytes of `frame`.
fn run_cut(frame: &[u8], caplen: usize, lt: LinkType) -> (PacketView, Disposition) {
    run_in(frame, caplen, PastEnd::default(), lt)
}

/// Dissects the first `caplen` bytes of `frame`, with `past` after them in the reader's buffer.
fn run_in(frame: &[u8], caplen: usize, past: PastEnd<'_>, lt: LinkType) -> (PacketView, Disposition) {
    let data = &frame[..caplen];
    let mut pv = empty_view();
    reset_view(&mut pv, data, Timestamp { sec: 1, frac: 0 }, frame.len() as u32);
    let mut g = globals();
    let mut st = DissectStats::default();
    let d = dissect(data, past, lt, &mut pv, &mut g, &mut st);
    (pv, d)
}

fn desc(pv: &PacketView) -> &str {
    core::str::from_utf8(&pv.hdr_desc[..usize::from(pv.hdr_desc_len)]).unwrap()
}

fn eth_ip(vlans: &[u16], ip: &Ip, l4: &L4<'_>) -> Vec<u8> {
    let et = if matches!(ip, Ip::V4(..)) { 0x0800 } else { 0x86dd };
    ethernet(B, A, vlans, et, &ip_packet(ip, 7, l4))
}

fn syn() -> L4<'static> {
    L4::Tcp(Tcp { sport: 40000, dport: 80, seq: 1, ack: 0, flags: tcp::SYN, win: 512, opts: &[], payload: b"" })
}

#[test]
fn ethernet_ipv4_tcp() {
    let (pv, d) = run(&eth_ip(&[], &Ip::V4(H1, H2), &syn()), LinkType::EN10MB);
    assert_eq!(desc(&pv), "eth:ipv4:tcp");
    assert_eq!(pv.num_hdr_desc, 3);
    assert!(matches!(d, Disposition::Ip(IpInfo { v6: false, later_fragment: false, .. })));
    assert_eq!((pv.src_port, pv.dst_port, pv.l4_proto), (40000, 80, 6));
    assert_eq!(&pv.src_ip[..4], &H1);
    assert_eq!((pv.l2_off, pv.l3_off, pv.l4_off, pv.l7_off), (0, 14, 34, 54));
    assert_eq!(pv.status & (FS_IPV4_PKT | STPDSCT), FS_IPV4_PKT);
    assert_eq!((pv.l3_len, pv.l7_len, pv.len), (40, 0, 0));
}

#[test]
fn stacked_vlans_keep_the_innermost_id() {
    let frame = eth_ip(&[100, 0x2000 | 200], &Ip::V4(H1, H2), &L4::Udp(5000, 53, b"q"));
    let (pv, _) = run(&frame, LinkType::EN10MB);
    assert_eq!(desc(&pv), "eth:vlan{2}:ipv4:udp");
    assert_eq!(pv.num_hdr_desc, 5);
    assert_eq!(pv.vlan_id, 200);
    assert_eq!(pv.vlan_hdr_cnt, 2);
    assert_ne!(pv.status & L2_VLAN, 0);
}

#[test]
fn arp_is_a_layer2_flow() {
    let frame = ethernet([0xff; 6], A, &[], 0x0806, &arp(1, A, H1, [0; 6], H2));
    let (pv, d) = run(&frame, LinkType::EN10MB);
    assert_eq!(d, Disposition::L2);
    assert_eq!(desc(&pv), "eth:arp");
    assert_eq!(pv.eth_type, 0x0806);
    assert_ne!(pv.status & L2_ARP, 0);
    // 60-byte frame: ARP message (28) after the 14-byte header leaves 18 bytes of padding
    assert_eq!(pv.pad_len, 18);
}

#[test]
fn ipv6_icmpv6() {
    let (s, d6) = ([0xfd; 16], [0xfe; 16]);
    let (pv, d) = run(&eth_ip(&[], &Ip::V6(s, d6), &L4::Icmp(128, 0, 1, 1, b"ping")), LinkType::EN10MB);
    assert_eq!(desc(&pv), "eth:ipv6:icmpv6");
    assert!(matches!(d, Disposition::Ip(IpInfo { v6: true, .. })));
    assert_eq!(pv.src_ip, s);
    assert_eq!(pv.l4_hdr_len, 8);
    assert_eq!(pv.l7_len, 4);
}

#[test]
fn fragments_first_and_later() {
    let payload = [1u8; 64];
    let frags = ipv4_fragments(H1, H2, 77, &L4::Udp(1234, 9999, &payload), 48);
    let first = ethernet(B, A, &[], 0x0800, &frags[0]);
    let (pv, d) = run(&first, LinkType::EN10MB);
    assert_eq!(desc(&pv), "eth:ipv4:udp");
    let Disposition::Ip(i) = d else { panic!("{d:?}") };
    assert!(i.first_fragment && !i.later_fragment && i.more_fragments);
    assert_eq!(i.frag_id, 77);
    let later = ethernet(B, A, &[], 0x0800, &frags[1]);
    let (pv, d) = run(&later, LinkType::EN10MB);
    let Disposition::Ip(i) = d else { panic!("{d:?}") };
    assert!(i.later_fragment && !i.more_fragments);
    assert_ne!(pv.status & STPDSCT, 0);
    assert_eq!((pv.src_port, pv.dst_port), (0, 0));
    assert_eq!(desc(&pv), "eth:ipv4:udp");
}

#[test]
fn short_ipv4_header_length_gives_no_flow() {
    let mut frame = eth_ip(&[], &Ip::V4(H1, H2), &syn());
    frame[14] = 0x44; // IHL 4 words
    let (pv, d) = run(&frame, LinkType::EN10MB);
    assert_eq!(d, Disposition::Drop);
    assert_ne!(pv.status & IPV4_HL_TOO_SHORT, 0);
}

#[test]
fn cut_packets_are_flagged_not_dropped() {
    let frame = eth_ip(&[], &Ip::V4(H1, H2), &L4::Udp(5000, 6000, &[0u8; 200]));
    let (pv, d) = run_cut(&frame, 96, LinkType::EN10MB);
    assert!(matches!(d, Disposition::Ip(_)));
    assert_ne!(pv.status & L3SNAPLENGTH, 0);
    assert_eq!(pv.l3_len, 228);
    assert_eq!(pv.snap_l3_len, 82);
    assert_eq!(pv.snap_l7_len, 54);
}

#[test]
fn unknown_ip_protocol_stops_dissection() {
    let mut pkt = ip_packet(&Ip::V4(H1, H2), 1, &L4::Udp(1, 2, b""));
    pkt[9] = 100;
    let (pv, _) = run(&ethernet(B, A, &[], 0x0800, &pkt), LinkType::EN10MB);
    assert_eq!(desc(&pv), "eth:ipv4:UNK(100)");
    assert_ne!(pv.status & STPDSCT, 0);
}

#[test]
fn gre_carrying_ipv4() {
    let inner = ip_packet(&Ip::V4([192, 168, 0, 1], [192, 168, 0, 2]), 1, &syn());
    let mut gre = vec![0, 0, 0x08, 0x00];
    gre.extend_from_slice(&inner);
    let mut outer = crate::testing::ipv4_header(H1, H2, 47, 9, 0, gre.len());
    outer.extend_from_slice(&gre);
    let (pv, d) = run(&ethernet(B, A, &[], 0x0800, &outer), LinkType::EN10MB);
    assert_eq!(desc(&pv), "eth:ipv4:gre:ipv4:tcp");
    assert!(matches!(d, Disposition::Ip(_)));
    assert_eq!(&pv.src_ip[..4], &[192, 168, 0, 1]);
    assert_eq!(pv.gre_off, 34);
    assert_ne!(pv.status & L2_GRE, 0);
}

#[test]
fn mpls_then_ipv4() {
    let ip = ip_packet(&Ip::V4(H1, H2), 1, &syn());
    let mut mpls = vec![0x00, 0x01, 0x01, 0x40]; // label 16, bottom of stack, TTL 64
    mpls.extend_from_slice(&ip);
    let (pv, _) = run(&ethernet(B, A, &[], 0x8847, &mpls), LinkType::EN10MB);
    assert_eq!(desc(&pv), "eth:mpls:ipv4:tcp");
    assert_eq!(pv.mpls_hdr_cnt, 1);
    assert_eq!(pv.mpls_off, 14);
}

#[test]
fn ipv6_hop_by_hop_then_icmpv6() {
    let mut pkt = ip_packet(&Ip::V6([1; 16], [2; 16]), 0, &L4::Icmp(143, 0, 0, 0, b""));
    // insert an 8-byte hop-by-hop header in front of ICMPv6
    pkt[6] = 0;
    let hbh = [58u8, 0, 5, 2, 0, 0, 1, 0];
    pkt.splice(40..40, hbh);
    let len = (pkt.len() - 40) as u16;
    pkt[4..6].copy_from_slice(&len.to_be_bytes());
    let (pv, _) = run(&ethernet(B, A, &[], 0x86dd, &pkt), LinkType::EN10MB);
    assert_eq!(desc(&pv), "eth:ipv6:ipv6.hopopts:icmpv6");
    assert_eq!(pv.ip6_hhopt_off, 54);
    assert_eq!(pv.l3_hdr_len, 48);
}

#[test]
fn raw_ip_and_loopback_link_types() {
    let pkt = ip_packet(&Ip::V4(H1, H2), 1, &syn());
    let (pv, _) = run(&pkt, LinkType(101));
    assert_eq!(desc(&pv), "raw:ipv4:tcp");
    assert_ne!(pv.status & L2_NO_ETH, 0);
    let mut null = 2u32.to_le_bytes().to_vec();
    null.extend_from_slice(&pkt);
    let (pv, _) = run(&null, LinkType::NULL);
    assert_eq!(desc(&pv), "null:ipv4:tcp");
    assert_eq!(pv.l3_off, 4);
}

#[test]
fn linux_cooked_v2() {
    let mut sll2 = vec![0x08, 0x00, 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0];
    sll2.extend_from_slice(&ip_packet(&Ip::V4(H1, H2), 1, &L4::Icmp(8, 0, 1, 1, b"x")));
    let (pv, d) = run(&sll2, LinkType::LINUX_SLL2);
    assert_eq!(desc(&pv), "sll2:ipv4:icmp");
    assert!(matches!(d, Disposition::Ip(_)));
    assert_eq!(pv.l3_off, 20);
}

#[test]
fn header_description_overrun_is_flagged() {
    let mut d = Dis {
        b: &[],
        past: PastEnd::default(),
        pv: &mut empty_view(),
        g: &mut globals(),
        st: &mut DissectStats::default(),
    };
    for _ in 0..40 {
        d.desc(":ipv6.hopopts");
    }
    assert_eq!(d.pv.hdr_desc_len, 127);
    assert!(d.pv.hdr_desc[..127].ends_with(b"..."));
    assert_ne!(d.pv.status & HDOVRN, 0);
    assert_eq!(d.pv.num_hdr_desc, 40);
}

#[test]
fn every_truncation_is_safe() {
    let frames = [
        eth_ip(&[7], &Ip::V4(H1, H2), &syn()),
        eth_ip(&[], &Ip::V6([1; 16], [2; 16]), &L4::Udp(3544, 3544, &[0x60; 60])),
        ethernet(B, A, &[], 0x8847, &[0, 0, 0, 0, 0x45, 0, 0, 20]),
    ];
    for f in &frames {
        for cut in 0..=f.len() {
            let (pv, _) = run_cut(f, cut, LinkType::EN10MB);
            assert!(usize::from(pv.hdr_desc_len) < 128);
        }
    }
}

/// A plugin's view of a dissected frame, with the IP version bit the pipeline sets.
fn packet<'a>(pv: &'a mut PacketView, data: &'a [u8], d: Disposition) -> plugin_api::Packet<'a> {
    if let Disposition::Ip(i) = d {
        pv.status |= if i.v6 { L2_IPV6 } else { L2_IPV4 };
    }
    plugin_api::Packet::new(pv, data)
}

#[test]
fn packet_accessors_read_the_dissected_headers() {
    let seg =
        Tcp { sport: 40000, dport: 80, seq: 7, ack: 9, flags: tcp::SYN | tcp::ACK, win: 512, opts: &[], payload: b"" };
    let frame = eth_ip(&[], &Ip::V4(H1, H2), &L4::Tcp(seg));
    let (mut pv, d) = run(&frame, LinkType::EN10MB);
    let p = packet(&mut pv, &frame, d);
    assert_eq!((p.ip_ttl(), p.ipv4().map(|ip| ip.src())), (64, Some(H1)));
    assert!(p.ipv6().is_none() && p.udp().is_none() && p.is_first_fragment());
    assert_eq!(p.tcp().map(|t| (t.src_port(), t.dst_port())), Some((40000, 80)));
    assert_eq!((p.tcp_flags(), p.tcp_seq(), p.tcp_ack(), p.tcp_window()), (Some(0x12), Some(7), Some(9), Some(512)));

    let frame = eth_ip(&[], &Ip::V6([1; 16], [2; 16]), &L4::Udp(5000, 53, b"q"));
    let (mut pv, d) = run(&frame, LinkType::EN10MB);
    let p = packet(&mut pv, &frame, d);
    assert_eq!((p.ip_ttl(), p.ipv6().map(|ip| ip.dst())), (64, Some([2; 16])));
    assert_eq!(p.udp().map(|u| (u.src_port(), u.length())), Some((5000, 9)));
    assert_eq!((p.tcp(), p.tcp_flags(), p.tcp_window()), (None, None, None));
}

#[test]
fn packet_accessors_of_a_cut_tcp_header_are_none() {
    let frame = eth_ip(&[], &Ip::V4(H1, H2), &syn());
    // 13 bytes of TCP: the sequence and acknowledgement numbers, not the flags
    let (mut pv, d) = run_cut(&frame, 34 + 13, LinkType::EN10MB);
    let p = packet(&mut pv, &frame[..34 + 13], d);
    assert!(p.tcp().is_some());
    assert_eq!((p.tcp_seq(), p.tcp_ack()), (Some(1), Some(0)));
    assert_eq!((p.tcp_flags(), p.tcp_window()), (None, None));
    // the view itself reads the missing flags as 0
    assert_eq!(p.tcp().map(|t| t.flags()), Some(0));
}

#[test]
fn packet_accessors_of_a_later_fragment() {
    let frags = ipv4_fragments(H1, H2, 77, &L4::Udp(1234, 9999, &[1u8; 64]), 48);
    let later = ethernet(B, A, &[], 0x0800, &frags[1]);
    let (mut pv, d) = run(&later, LinkType::EN10MB);
    let p = packet(&mut pv, &later, d);
    assert!(!p.is_first_fragment());
    assert_eq!(p.ipv4().map(|ip| ip.frag_offset()), Some(6));
}

#[test]
fn cut_lwapp_frame_reads_its_snap_ethertype_in_the_readers_buffer() {
    // LWAPP data header, then an 802.11 data frame (frame control big-endian) cut after its
    // duration field: the LLC/SNAP header lies past the captured bytes.
    let lwapp = [0, 0, 0, 0, 0, 0, 0x00, 0x08, 0, 0];
    let frame = eth_ip(&[], &Ip::V4(H1, H2), &L4::Udp(12222, 40000, &lwapp));
    let (pv, _) = run(&frame, LinkType::EN10MB);
    assert_eq!(desc(&pv), "eth:ipv4:udp:lwapp:wlan:llc:wlccp");
    // an earlier packet's payload of 'x' behind it: 802.11 header of 24 bytes, 1-byte LLC
    // control, SNAP Ethertype 0x7878
    let mut buffer = frame.clone();
    buffer.resize(frame.len() + 64, b'x');
    let (pv, _) = run_in(&buffer, frame.len(), PastEnd::new(&buffer, 0), LinkType::EN10MB);
    assert_eq!(desc(&pv), "eth:ipv4:udp:lwapp:wlan:llc:UNK(0x7878)");
    assert_ne!(pv.status & STPDSCT, 0);
    // the IPv4 header is read as before: the flow is the UDP one
    assert_eq!((pv.src_port, pv.dst_port), (12222, 40000));
}
