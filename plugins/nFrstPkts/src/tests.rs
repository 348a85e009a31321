//! nFrstPkts driven by the testing kit's harness on built frames: the samples in each time
//! mode, the sample limit, header lengths, B-flow correction and pulse mode.

use plugin_api::Plugin;
use plugin_api::testing::packet::{Frame, Ip, L4, arp, packet, ts};
use plugin_api::testing::{Harness, TestHost, columns};

use crate::flags::NFRST_PKTCNT;
use crate::{Config, NFrstPkts};

const A: [u8; 4] = [10, 0, 0, 1];
const B: [u8; 4] = [10, 0, 0, 2];

fn udp(payload: &[u8]) -> Frame {
    packet(Ip::V4(A, B), L4::Udp(5000, 53, payload)).frame()
}

fn udp_back(payload: &[u8]) -> Frame {
    packet(Ip::V4(B, A), L4::Udp(53, 5000, payload)).frame()
}

fn harness(cfg: Config) -> Harness<NFrstPkts> {
    Harness::new(move |host| NFrstPkts::with_config(host, cfg))
}

fn names(cfg: Config) -> Vec<String> {
    columns(&NFrstPkts::with_config(TestHost::new().host(), cfg)).into_iter().map(|c| c.name).collect()
}

#[test]
fn columns_follow_the_flags() {
    assert_eq!(names(Config::default()), ["nFpCnt", "L2L3L4Pl_Iat"]);
    let h = harness(Config::default());
    assert_eq!(h.columns()[1].header_type(), "U32_U64.U32:R");
    assert_eq!(names(Config { nfrst_hdrinfo: true, ..Config::default() }), ["nFpCnt", "HD3l_HD4l_L2L3L4Pl_Iat"]);
    assert_eq!(names(Config { nfrst_miniatu: 1, ..Config::default() }), ["nFpCnt", "L2L3L4Pl_Iat_nP"]);
    let both = Config { nfrst_hdrinfo: true, nfrst_miniats: 1, ..Config::default() };
    assert_eq!(names(both), ["nFpCnt", "HD3l_HD4l_L2L3L4Pl_Iat_nP"]);
}

#[test]
fn inter_arrival_times_of_the_first_packets() {
    let mut h = harness(Config::default());
    h.packet(0, ts(10, 0), &udp(b"abc"));
    h.packet(0, ts(10, 500_000_000), &udp(b""));
    h.packet(0, ts(12, 100), &udp(&[0; 100]));
    let r = h.end(0);
    assert_eq!(&r["nFpCnt"], "3");
    assert_eq!(&r["L2L3L4Pl_Iat"], "3_0.000000000;0_0.500000000;100_1.500000100");
}

#[test]
fn at_most_nfrst_pktcnt_samples() {
    let mut h = harness(Config::default());
    for i in 0..NFRST_PKTCNT + 5 {
        h.packet(0, ts(1, i64::from(i)), &udp(b"x"));
    }
    let r = h.end(0);
    assert_eq!(r.u64("nFpCnt"), u64::from(NFRST_PKTCNT));
    assert_eq!(r["L2L3L4Pl_Iat"].split(';').count(), NFRST_PKTCNT as usize);
}

#[test]
fn time_since_start_absolute_and_b_correction() {
    let since = Config { nfrst_iat: 0, ..Config::default() };
    let mut h = harness(since);
    h.packet(0, ts(5, 0), &udp(b"a"));
    h.packet(0, ts(6, 250), &udp(b"b"));
    h.packet(1, ts(7, 0), &udp_back(b"cc"));
    assert_eq!(&h.end(0)["L2L3L4Pl_Iat"], "1_0.000000000;1_1.000000250");
    assert_eq!(&h.end(1)["L2L3L4Pl_Iat"], "2_0.000000000");

    let mut h = harness(Config { nfrst_bcorr: true, ..since });
    h.packet(0, ts(5, 0), &udp(b"a"));
    h.packet(1, ts(7, 0), &udp_back(b"cc"));
    h.packet(1, ts(8, 0), &udp_back(b"cc"));
    assert_eq!(&h.end(1)["L2L3L4Pl_Iat"], "2_2.000000000;2_3.000000000");

    let mut h = harness(Config { nfrst_iat: 2, ..Config::default() });
    h.packet(0, ts(5, 7), &udp(b"a"));
    assert_eq!(&h.end(0)["L2L3L4Pl_Iat"], "1_5.000000007");
}

#[test]
fn header_lengths_and_layer2_flows() {
    let mut h = harness(Config { nfrst_hdrinfo: true, ..Config::default() });
    h.packet(0, ts(1, 0), &udp(b"abcd"));
    assert_eq!(&h.end(0)["HD3l_HD4l_L2L3L4Pl_Iat"], "20_8_4_0.000000000");
    // an ARP frame: a layer-2 flow, its length is what follows the Ethernet header
    let mut h = harness(Config::default());
    h.packet(2, ts(1, 0), &arp(1, [2; 6], A, [0; 6], B));
    assert_eq!(&h.end(2)["L2L3L4Pl_Iat"], "46_0.000000000");
}

#[test]
fn pulses_merge_close_packets() {
    let cfg = Config { nfrst_miniatu: 10_000_000, ..Config::default() };
    let mut h = harness(cfg);
    for (t, len) in [((1, 0), 10), ((1, 1_000_000), 20), ((1, 2_000_000), 30), ((2, 0), 40), ((3, 0), 50)] {
        h.packet(0, ts(t.0, t.1), &udp(&vec![0; len]));
    }
    let r = h.end(0);
    // the open pulse (the last packet) is not a sample; a one-packet pulse lasts MINIAT/2
    assert_eq!(&r["nFpCnt"], "2");
    assert_eq!(&r["L2L3L4Pl_Iat_nP"], "20_0.002000000_0.002000000;40_0.998000000_0.005000000");

    // sums instead of averages, lengths outside the bounds left out, zero-length packets do not
    // open a pulse; a one-packet pulse lasts 1 s / 2 = 0 s (integer division, as T2)
    let cfg = Config { nfrst_miniats: 1, nfrst_plave: false, nfrst_xmin: 5, nfrst_iat: 0, ..Config::default() };
    let mut h = harness(cfg);
    for (t, len) in [(1, 0), (1, 10), (1, 3), (3, 10), (5, 1)] {
        h.packet(0, ts(t, 0), &udp(&vec![0; len]));
    }
    assert_eq!(&h.end(0)["L2L3L4Pl_Iat_nP"], "10_0.000000000_0.000000000;10_2.000000000_0.000000000");
}

#[test]
fn new_builds_with_the_compiled_flags() {
    assert_eq!(
        names(Config::default()),
        columns(&NFrstPkts::new(TestHost::new().host())).into_iter().map(|c| c.name).collect::<Vec<_>>()
    );
}

/// Samples after the first few live in a pooled tail: it is given back at the flow's end, and
/// the next flow's pulses do not add to what the last one left in it.
#[test]
fn long_flows_take_a_tail_and_give_it_back() {
    let cfg = Config { nfrst_miniats: 1, nfrst_plave: false, ..Config::default() };
    let mut h = harness(cfg);
    for (len, flows) in [(100, 0), (10, 0)] {
        assert_eq!(h.plugin.tails.claimed(), flows);
        for t in 1..=7 {
            h.packet(0, ts(2 * t, 0), &udp(&vec![0; len]));
        }
        assert_eq!(h.plugin.tails.claimed(), 1);
        let r = h.end(0);
        assert_eq!(r.u64("nFpCnt"), 6);
        assert!(r["L2L3L4Pl_Iat_nP"].split(';').all(|s| s.starts_with(&format!("{len}_"))), "{}", r["L2L3L4Pl_Iat_nP"]);
    }
    // a short flow needs no tail
    h.packet(0, ts(1, 0), &udp(b"a"));
    h.end(0);
    assert_eq!(h.plugin.tails.claimed(), 0);
}
