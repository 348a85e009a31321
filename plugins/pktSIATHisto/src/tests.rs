//! pktSIATHisto driven by the testing kit's harness on built frames: T2's documented example,
//! the default bins, the flags, layer-2 flows and the entry budget.

use plugin_api::abi::CoreConfig;
use plugin_api::testing::packet::{Frame, Ip, L4, arp, packet, ts};
use plugin_api::testing::{Harness, TestHost, TestInit, columns, core_config};

use crate::{Config, PktSIATHisto};

const A: [u8; 4] = [10, 0, 0, 1];
const B: [u8; 4] = [10, 0, 0, 2];
const COL: &str = "Ps_Iat_Cnt_PsCnt_IatCnt";

fn udp(len: usize) -> Frame {
    packet(Ip::V4(A, B), L4::Udp(5000, 53, &vec![0; len])).frame()
}

fn harness(cfg: Config) -> Harness<PktSIATHisto> {
    Harness::new(move |host| PktSIATHisto::with_config(host, cfg))
}

/// Sends packets of (size, ms since the previous) to slot 0 and returns the row's two cells.
fn run(h: &mut Harness<PktSIATHisto>, pkts: &[(usize, f64)]) -> (String, String) {
    let mut ns = 1_000_000_000i64;
    for &(len, ms) in pkts {
        ns += (ms * 1e6).round() as i64;
        h.packet(0, ts(ns / 1_000_000_000, ns % 1_000_000_000), &udp(len));
    }
    let r = h.end(0);
    (r["tCnt"].to_owned(), r.get(COL).or(r.get("Ps_IatBin_Cnt_PsCnt_IatCnt")).unwrap().to_owned())
}

/// T2's documentation example, with its bin layout.
#[test]
fn the_documented_example() {
    let cfg = Config {
        iatsecmax: 6,
        iatbinbu1: 50,
        iatbinbu2: 200,
        iatbinwu1: 10,
        iatbinwu2: 5,
        iatbinwu3: 10,
        ..Config::default()
    };
    let mut h = harness(cfg);
    let pkts = [(50, 0.0), (70, 88.2), (70, 84.3), (70, 92.9), (70, 87.1), (60, 91.6)];
    assert_eq!(run(&mut h, &pkts), ("5".into(), "50_0_1_1_1;60_90_1_1_2;70_80_1_4_1;70_85_2_4_2;70_90_1_4_2".into()));
}

#[test]
fn default_bins() {
    let mut h = harness(Config::default());
    let pkts = [(648, 0.0), (648, 206.0), (648, 600.0), (648, 1200.0), (648, 2400.0), (648, 4805.0)];
    assert_eq!(run(&mut h, &pkts), ("4".into(), "648_0_1_6_1;648_205_1_6_1;648_600_1_6_1;648_1000_3_6_3".into()));
}

#[test]
fn flags_change_what_is_counted_and_printed() {
    let mut h = harness(Config { histo_print_bin: true, ..Config::default() });
    assert_eq!(h.columns()[1].name, "Ps_IatBin_Cnt_PsCnt_IatCnt");
    assert_eq!(run(&mut h, &[(10, 0.0), (10, 206.0)]), ("2".into(), "10_0_1_2_1;10_201_1_2_1".into()));

    let mut h = harness(Config { psi_mod: 100, ..Config::default() });
    assert_eq!(run(&mut h, &[(150, 0.0), (50, 0.0)]), ("1".into(), "50_0_2_2_2".into()));

    let mut h = harness(Config { psi_xcld: true, psi_xmin: 20, ..Config::default() });
    assert_eq!(run(&mut h, &[(0, 0.0), (30, 5.0), (10, 1.0)]), ("1".into(), "30_0_1_1_1".into()));

    let silent = PktSIATHisto::with_config(TestHost::new().host(), Config { print_histo: false, ..Config::default() });
    assert!(columns(&silent).is_empty());
}

#[test]
fn layer2_flows_and_both_directions() {
    let mut h = harness(Config::default());
    h.packet(2, ts(1, 0), &arp(1, [2; 6], A, [0; 6], B));
    h.packet(2, ts(1, 3_000_000), &arp(1, [2; 6], A, [0; 6], B));
    assert_eq!(&h.end(2)[COL], "46_0_1_2_1;46_3_1_2_1");
    h.packet(0, ts(1, 0), &udp(1));
    h.packet(1, ts(1, 1_000_000), &packet(Ip::V4(B, A), L4::Udp(53, 5000, b"ab")).frame());
    assert_eq!(&h.end(1)[COL], "2_0_1_1_1");
    assert_eq!(&h.end(0)[COL], "1_0_1_1_1");
}

#[test]
fn the_entry_budget_bounds_memory_and_says_so() {
    let host = TestHost::new();
    host.set_env("PSIAT_NDPLF", "1");
    let core = CoreConfig { capacity: 2, ..core_config() };
    let mut h =
        Harness::with_host(host, |host| PktSIATHisto::with_config(host, Config::default()), &TestInit::default(), core);
    // two entries allowed in all: the third distinct size is left out, repeats still count
    let (cnt, cells) = run(&mut h, &[(1, 0.0), (2, 0.0), (3, 0.0), (3, 0.0), (1, 0.0)]);
    assert_eq!((cnt.as_str(), cells.as_str()), ("2", "1_0_2_2_3;2_0_1_1_3"));
    let errors: Vec<String> = h.host.recorded().lines.iter().map(|l| l.2.clone()).collect();
    assert_eq!(errors, ["histogram entries exhausted, packets are left out: increase PSIAT_NDPLF"]);
    assert!(h.report().is_empty(), "a warning, not a plain report line");
    let warning = h.host.recorded().lines.iter().map(|l| l.2.clone()).collect::<Vec<_>>();
    assert_eq!(warning, ["Packets not in histograms (increase PSIAT_NDPLF): 2 [40.00%]"]);
    // the ended flow gave its entries back
    assert_eq!(run(&mut h, &[(7, 0.0), (8, 0.0)]).0, "2");
}

#[test]
fn a_bad_bin_layout_stops_the_run() {
    let host = TestHost::new();
    let cfg = Config { iatbinwu1: 0, ..Config::default() };
    let _h = Harness::with_host(host, |host| PktSIATHisto::with_config(host, cfg), &TestInit::default(), core_config());
    assert_eq!(host.failures(), ["IATBINWu1 must be > 0"]);
}
