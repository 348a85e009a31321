//! plugin-api's testing kit builds frames together with the view the core's dissector makes of
//! them (plugins test themselves without the core). Here every kind of frame it builds goes
//! through the real dissector, and the two views must agree field by field.

use plugin_api::abi::{Globals, PacketView};
use plugin_api::testing::packet::{Frame, Ip, L4, Tcp, arp, packet};
use plugin_api::wire::tcp::flags::{ACK, PSH, SYN};
use tranalyzer::capture::{LinkType, PastEnd};
use tranalyzer::dissect::{DissectStats, dissect, empty_view, reset_view};

const A4: [u8; 4] = [10, 0, 0, 1];
const B4: [u8; 4] = [192, 168, 1, 20];
const A6: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
const B6: [u8; 16] = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x0c, 0x29, 0xff, 0xfe, 0x7b, 0x6e, 0x40];

/// The dissector's view of `frame`.
fn dissected(frame: &Frame) -> PacketView {
    let data = frame.bytes();
    let mut pv = empty_view();
    reset_view(&mut pv, data, plugin_api::abi::Timestamp::default(), frame.view().raw_len);
    let mut g: Box<Globals> = plugin_api::testing::globals();
    dissect(data, PastEnd::default(), LinkType::EN10MB, &mut pv, &mut g, &mut DissectStats::default());
    pv
}

/// The fields where the two views differ, one `name: builder != dissector` line each.
fn differences(frame: &Frame) -> Vec<String> {
    let (built, real) = (format!("{:#?}", frame.view()), format!("{:#?}", dissected(frame)));
    built
        .lines()
        .zip(real.lines())
        .filter(|(b, r)| b != r)
        .map(|(b, r)| format!("{} != {}", b.trim(), r.trim()))
        .collect()
}

fn tcp<'a>(flags: u8, opts: &'a [u8], payload: &'a [u8]) -> L4<'a> {
    L4::Tcp(Tcp { sport: 40000, dport: 80, seq: 1000, ack: 5, flags, win: 64240, opts, payload })
}

/// One frame of every kind the kit builds.
fn frames() -> Vec<(String, Frame)> {
    let mss = [2, 4, 0x05, 0xb4];
    let mut f: Vec<(String, Frame)> = Vec::new();
    let mut add = |name: &str, frame: Frame| f.push((name.to_owned(), frame));
    for (v, ip) in [("v4", Ip::V4(A4, B4)), ("v6", Ip::V6(A6, B6))] {
        add(&format!("{v} syn"), packet(ip, tcp(SYN, &mss, b"")).frame());
        add(&format!("{v} tcp data"), packet(ip, tcp(PSH | ACK, &[], &[b'x'; 300])).frame());
        add(&format!("{v} udp"), packet(ip, L4::Udp(5353, 53, b"q")).frame());
        add(&format!("{v} empty udp"), packet(ip, L4::Udp(1234, 4321, b"")).frame());
        add(&format!("{v} icmp"), packet(ip, L4::Icmp(8, 0, 7, 1, b"ping")).frame());
        add(&format!("{v} vlan"), packet(ip, tcp(ACK, &[], b"")).vlans(&[20]).frame());
        add(&format!("{v} qinq vlan 0"), packet(ip, L4::Udp(1, 2, b"")).vlans(&[0x2000, 5, 7]).frame());
        add(&format!("{v} ttl tos"), packet(ip, tcp(SYN, &[], b"")).ttl(3).tos(0xb8).frame());
    }
    add("v4 options", packet(Ip::V4(A4, B4), tcp(SYN, &[], b"")).ip_options(&[148, 4, 0, 0]).frame());
    add("v4 bad sums", packet(Ip::V4(A4, B4), tcp(SYN, &[], b"")).bad_ip_checksum().bad_l4_checksum().frame());
    for (i, frag) in packet(Ip::V4(A4, B4), tcp(SYN, &[], &[1; 76])).fragments(24).into_iter().enumerate() {
        add(&format!("v4 tcp fragment {i}"), frag);
    }
    for (i, frag) in packet(Ip::V4(A4, B4), L4::Udp(9, 9, &[2; 100])).vlans(&[3]).fragments(48).into_iter().enumerate()
    {
        add(&format!("v4 udp fragment {i}"), frag);
    }
    let data = packet(Ip::V4(A4, B4), tcp(PSH | ACK, &mss, b"hello"));
    for caplen in [34, 36, 46, 48, 54, 58, 60] {
        add(&format!("v4 tcp cut at {caplen}"), data.frame().cut(caplen));
    }
    add("v4 udp cut", packet(Ip::V4(A4, B4), L4::Udp(7, 8, &[1; 40])).frame().cut(46));
    add("v4 fragment cut", packet(Ip::V4(A4, B4), L4::Udp(7, 8, &[1; 40])).fragments(16)[1].clone().cut(40));
    for caplen in [62, 70, 74, 78] {
        add(&format!("v6 tcp cut at {caplen}"), packet(Ip::V6(A6, B6), tcp(SYN, &mss, b"abc")).frame().cut(caplen));
    }
    add("v6 icmp cut", packet(Ip::V6(A6, B6), L4::Icmp(128, 0, 1, 2, &[0; 30])).frame().cut(64));
    add("arp request", arp(1, [2, 0, 0, 0, 0, 1], A4, [0; 6], B4));
    add("arp reply", arp(2, [2, 0, 0, 0, 0, 2], B4, [2, 0, 0, 0, 0, 1], A4));
    f
}

#[test]
fn built_views_are_the_dissectors() {
    let frames = frames();
    assert_eq!(frames.len(), 41);
    // a changed field shows
    let wrong = frames[0].1.clone().with_view(|v| v.l7_len += 1);
    assert_eq!(differences(&wrong), ["l7_len: 1, != l7_len: 0,"]);
    let mut diffs = Vec::new();
    for (name, frame) in frames {
        for d in differences(&frame) {
            diffs.push(format!("{name}: {d}"));
        }
    }
    assert!(diffs.is_empty(), "{} differences:\n{}", diffs.len(), diffs.join("\n"));
}
