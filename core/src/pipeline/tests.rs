//! The flow engine on packets built by the tests: direction, pairing, timeouts, autopilot,
//! fragments (no plugins loaded).

use plugin_api::abi::Timestamp;
use plugin_api::status::*;

use super::*;
use crate::capture::{LinkType, PastEnd, RawPacket};
use crate::log::Log;
use crate::testing::{Ip, L4, Tcp, ethernet, ip_packet, ipv4_fragments, tcp};

const C: [u8; 4] = [10, 0, 0, 1];
const S: [u8; 4] = [10, 0, 0, 2];

fn engine(capacity: usize) -> Pipeline {
    crate::testing::engine(capacity, Log::sink())
}

fn feed(p: &mut Pipeline, sec: i64, frame: &[u8]) {
    let pkt = RawPacket {
        ts: Timestamp { sec, frac: 0 },
        caplen: frame.len() as u32,
        wirelen: frame.len() as u32,
        linktype: LinkType::EN10MB,
        data: frame,
        past: PastEnd::default(),
    };
    p.packet(&pkt);
}

fn tcp_frame(src: [u8; 4], dst: [u8; 4], sport: u16, dport: u16, flags: u8) -> Vec<u8> {
    let seg = Tcp { sport, dport, seq: 1, ack: 1, flags, win: 1000, opts: &[], payload: b"" };
    ethernet([2; 6], [4; 6], &[], 0x0800, &ip_packet(&Ip::V4(src, dst), 1, &L4::Tcp(seg)))
}

fn flows(p: &Pipeline) -> Vec<(u64, u64, bool)> {
    let mut v: Vec<_> = (0..p.table.slots() as u32)
        .filter(|&s| p.table.get(s).findex != 0 && p.table.lookup(&p.table.get(s).key) == Some(s))
        .map(|s| {
            let f = p.table.get(s);
            (f.findex, u64::from(f.key.src_port), f.status.get() & L3FLOWINVERT != 0)
        })
        .collect();
    v.sort();
    v
}

#[test]
fn handshake_pairs_flows() {
    let mut p = engine(16);
    feed(&mut p, 1, &tcp_frame(C, S, 40000, 80, tcp::SYN));
    feed(&mut p, 1, &tcp_frame(S, C, 80, 40000, tcp::SYN | tcp::ACK));
    assert_eq!(flows(&p), vec![(1, 80, true), (1, 40000, false)]);
    assert_eq!((p.g.total_a_flows, p.g.total_b_flows), (1, 1));
    assert_eq!((p.g.num_a_packets, p.g.num_b_packets), (1, 1));
}

#[test]
fn server_first_is_inverted_by_the_port_heuristic() {
    let mut p = engine(16);
    feed(&mut p, 1, &tcp_frame(S, C, 80, 40000, tcp::ACK));
    feed(&mut p, 2, &tcp_frame(C, S, 40000, 80, tcp::ACK));
    // the first flow is the reply side; the second becomes A
    assert_eq!(flows(&p), vec![(1, 80, true), (1, 40000, false)]);
}

#[test]
fn idle_flows_expire_in_packet_time() {
    let mut p = engine(16);
    feed(&mut p, 0, &tcp_frame(C, S, 40000, 80, tcp::SYN));
    feed(&mut p, 100, &tcp_frame(C, S, 40001, 80, tcp::SYN));
    assert_eq!(p.table.len(), 2);
    feed(&mut p, 182, &tcp_frame(C, S, 40002, 80, tcp::SYN));
    assert_eq!(p.table.len(), 2, "the first flow is 182 s old");
    assert_eq!(flows(&p).iter().map(|f| f.0).collect::<Vec<_>>(), vec![2, 3]);
    p.flush_all();
    assert!(p.table.is_empty());
}

#[test]
fn full_table_flushes_the_oldest_flow() {
    let mut p = engine(2);
    for (i, port) in [40000, 40001, 40002].into_iter().enumerate() {
        feed(&mut p, i as i64, &tcp_frame(C, S, port, 80, tcp::SYN));
    }
    assert_eq!(p.table.len(), 2);
    assert_eq!(p.g.total_rm_flows, 1);
    assert_ne!(p.g.global_warn.get() & RMFLOW_HFULL, 0);
    assert_eq!(flows(&p).iter().map(|f| f.0).collect::<Vec<_>>(), vec![2, 3]);
}

#[test]
fn later_fragments_join_the_first_ones_flow() {
    let mut p = engine(16);
    let frags = ipv4_fragments(C, S, 99, &L4::Udp(5000, 53, &[0u8; 100]), 48);
    for f in &frags {
        feed(&mut p, 1, &ethernet([2; 6], [4; 6], &[], 0x0800, f));
    }
    assert_eq!(p.table.len(), 1);
    let f = p.table.get(p.table.oldest().unwrap());
    assert_eq!((f.key.src_port, f.key.dst_port), (5000, 53));
    assert_eq!(f.status.get() & (IPV4_FRAG | IPV4_FRAG_PENDING), IPV4_FRAG);
    assert_eq!(p.g.num_frag_v4_packets, 3);
}

#[test]
fn orphan_fragments_make_their_own_flow() {
    let mut p = engine(16);
    let frags = ipv4_fragments(C, S, 5, &L4::Udp(5000, 53, &[0u8; 100]), 48);
    feed(&mut p, 1, &ethernet([2; 6], [4; 6], &[], 0x0800, &frags[1]));
    let f = p.table.get(p.table.oldest().unwrap());
    assert_eq!((f.key.src_port, f.key.dst_port), (0, 0));
    assert_ne!(f.status.get() & IPV4_FRAG_HDSEQ_ERR, 0);
}

#[test]
fn land_attack_is_flagged() {
    let mut p = engine(16);
    feed(&mut p, 1, &tcp_frame(C, C, 80, 80, tcp::SYN));
    let f = p.table.get(p.table.oldest().unwrap());
    assert_ne!(f.status.get() & LANDATTACK, 0);
    assert_eq!(p.g.total_a_flows, 1);
}

#[test]
fn empty_packets_count_but_make_no_flow() {
    let mut p = engine(16);
    feed(&mut p, 1, &[]);
    assert_eq!(p.g.num_packets, 1);
    assert!(p.table.is_empty());
}
