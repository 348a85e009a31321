use plugin_api::abi::{FlowRecord, level, stream};
use plugin_api::testing::packet::{Ip, L4, Tcp, arp, packet, ts};
use plugin_api::testing::{Harness, TestHost, TestInit, columns, core_config, globals};
use plugin_api::{Ctx, Plugin};

use super::*;

const TABLE: &str = "C8:BC:C8:00:00:00/24\t-\tAppleInc,US\tApple Inc,US\n\
    00:10:DB:00:00:00/24\t-\tJuniperNe,US\tJuniper Networks Inc,US\n\
    FF:FF:FF:FF:FF:FF/48\t-\tBroadcast\tBroadcast\n";
const APPLE: [u8; 6] = [0xc8, 0xbc, 0xc8, 0x96, 0xd2, 0xa0];
const JUNIPER: [u8; 6] = [0x00, 0x10, 0xdb, 0x88, 0xd2, 0xef];
const OTHER: [u8; 6] = [0x02, 0, 0, 0, 0, 1];

/// A plugin with `cfg`, initialised on a folder holding `table` as `maclbl.txt` (none when
/// `None`), and its host.
fn plugin(cfg: Config, table: Option<&str>) -> (TestHost, MacRecorder, tempdir::Dir) {
    let dir = tempdir::Dir::new();
    if let Some(t) = table {
        std::fs::write(dir.path().join("maclbl.txt"), t).unwrap();
    }
    let host = TestHost::new();
    let mut p = MacRecorder::with_config(host.host(), cfg);
    let mut config = core_config();
    config.capacity = 4;
    p.init(&TestInit { plugin_folder: format!("{}/", dir.path().display()), ..TestInit::default() }.init(&config));
    (host, p, dir)
}

/// A minimal temporary folder (the crate has no tempfile dependency).
mod tempdir {
    use std::sync::atomic::{AtomicU32, Ordering};

    pub struct Dir(std::path::PathBuf);

    impl Dir {
        pub fn new() -> Dir {
            static N: AtomicU32 = AtomicU32::new(0);
            let n = N.fetch_add(1, Ordering::Relaxed);
            let p = std::env::temp_dir().join(format!("macRecorder-{}-{n}", std::process::id()));
            std::fs::create_dir_all(&p).unwrap();
            Dir(p)
        }

        pub fn path(&self) -> &std::path::Path {
            &self.0
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// Ends the flow in slot 0 and returns its record.
fn terminate(host: &TestHost, p: &mut MacRecorder) -> Vec<u8> {
    let g = globals();
    let flows = [FlowRecord { findex: 1, ..FlowRecord::empty(0) }];
    let ctx = Ctx::new(&g, &flows);
    let flow = ctx.flow(0).unwrap();
    host.record(|out| p.on_flow_terminate(ctx, flow, out))
}

fn dst_src(dst: [u8; 6], src: [u8; 6]) -> [u8; 12] {
    let mut b = [0; 12];
    b[..6].copy_from_slice(&dst);
    b[6..].copy_from_slice(&src);
    b
}

fn lines(host: &TestHost) -> Vec<(u32, u32, String)> {
    host.recorded().lines.clone()
}

#[test]
fn columns_follow_the_flags() {
    let sigs = |cfg: Config| {
        let p = MacRecorder::with_config(TestHost::new().host(), cfg);
        columns(&p).iter().map(|c| format!("{} {}", c.name, c.signature())).collect::<Vec<_>>()
    };
    assert_eq!(
        sigs(Config::default()),
        ["macStat H8", "macPairs U32", "srcMac_dstMac_numP MAC_MAC_U64:R", "srcMacLbl_dstMacLbl SC_SC:R"]
    );
    let cfg = Config { mr_mac_fmt: 0, mr_npairs: false, mr_maclbl: 1, ..Config::default() };
    assert_eq!(sigs(cfg), ["macStat H8", "srcMac_dstMac_numP H64_H64_U64:R", "srcMacLbl_dstMacLbl U32_U32:R"]);
    let cfg = Config { mr_mac_fmt: 2, mr_maclbl: 3, ..Config::default() };
    assert_eq!(sigs(cfg)[2..], ["srcMac_dstMac_numP U64_U64_U64:R", "srcMacLbl_dstMacLbl S_S:R"]);
    let cfg = Config { mr_maclbl: 0, ..Config::default() };
    assert_eq!(sigs(cfg).len(), 3);
}

#[test]
fn a_flows_pairs_are_written_with_their_labels() {
    let (host, mut p, _dir) = plugin(Config::default(), Some(TABLE));
    assert_eq!(lines(&host), [(stream::LOG, level::INFO, "5 short org name records loaded".to_owned())]);
    p.pairs.reset(0, 0x0800);
    p.pairs.add(0, dst_src(JUNIPER, APPLE));
    p.pairs.add(0, dst_src(JUNIPER, APPLE));
    p.pairs.add(0, dst_src([0xff; 6], OTHER));
    let mut want = vec![0u8]; // macStat
    want.extend(2u32.to_ne_bytes()); // macPairs
    want.extend(2u32.to_ne_bytes()); // srcMac_dstMac_numP
    want.extend(APPLE.iter().chain(&JUNIPER));
    want.extend(2u64.to_ne_bytes());
    want.extend(OTHER.iter().chain(&[0xff; 6]));
    want.extend(1u64.to_ne_bytes());
    want.extend(2u32.to_ne_bytes()); // srcMacLbl_dstMacLbl
    want.extend(b"AppleInc,US\0JuniperNe,US\0-\0Broadcast\0");
    assert_eq!(terminate(&host, &mut p), want);
}

#[test]
fn numeric_formats_and_labels() {
    let cfg = Config { mr_mac_fmt: 2, mr_npairs: false, mr_maclbl: 1, ..Config::default() };
    let (host, mut p, _dir) = plugin(cfg, Some(TABLE));
    assert_eq!(lines(&host)[0].2, "5 index records loaded");
    p.pairs.reset(0, 0x0800);
    p.pairs.add(0, dst_src(JUNIPER, APPLE));
    let mut want = vec![0u8];
    want.extend(1u32.to_ne_bytes());
    want.extend(0xc8bc_c896_d2a0_u64.to_ne_bytes());
    want.extend(0x0010_db88_d2ef_u64.to_ne_bytes());
    want.extend(1u64.to_ne_bytes());
    want.extend(1u32.to_ne_bytes());
    want.extend(1u32.to_ne_bytes()); // Apple: the first block
    want.extend(2u32.to_ne_bytes());
    assert_eq!(terminate(&host, &mut p), want);
}

#[test]
fn a_flow_without_pairs_writes_empty_lists() {
    let (host, mut p, _dir) = plugin(Config::default(), Some(TABLE));
    p.pairs.reset(0, 0);
    let want: Vec<u8> = [&[0u8][..], &0u32.to_ne_bytes(), &0u32.to_ne_bytes(), &0u32.to_ne_bytes()].concat();
    assert_eq!(terminate(&host, &mut p), want);
}

#[test]
fn a_missing_or_broken_table_is_one_error_and_dash_labels() {
    let (host, mut p, dir) = plugin(Config::default(), None);
    let want = format!(
        "Failed to open file '{}/maclbl.txt' for reading: No such file or directory; MAC labels are '-'",
        dir.path().display()
    );
    assert_eq!(lines(&host), [(stream::ERR, level::ERROR, want)]);
    p.pairs.reset(0, 0x0800);
    p.pairs.add(0, dst_src(JUNIPER, APPLE));
    assert!(terminate(&host, &mut p).ends_with(b"-\0-\0"));

    let (host, _, dir) = plugin(Config::default(), Some("\u{7f}ELF\u{2}\u{1}\u{1}\n\u{0}\u{0}\n"));
    let want = format!(
        "'{}/maclbl.txt' line 1: expected PREFIX/BITS<TAB>ETHERTYPE<TAB>SHORT<TAB>LONG, found '\u{7f}ELF\u{2}\u{1}\u{1}' (2 malformed lines skipped); MAC labels are '-'",
        dir.path().display()
    );
    assert_eq!(lines(&host), [(stream::ERR, level::ERROR, want)]);

    let (host, _, _dir) = plugin(Config::default(), Some(&format!("{TABLE}bad\n")));
    let l = lines(&host);
    assert_eq!((l[0].1, l[1].1), (level::WARN, level::INFO), "{l:?}");
    assert!(l[0].2.ends_with(
        "line 4: expected PREFIX/BITS<TAB>ETHERTYPE<TAB>SHORT<TAB>LONG, found 'bad' (1 malformed lines skipped)"
    ));
}

#[test]
fn the_report_gives_the_pairs_per_flow_when_a_flow_had_several() {
    let (host, mut p, _dir) = plugin(Config { mr_max_mac: 2, ..Config::default() }, Some(TABLE));
    let report = |host: &TestHost, p: &mut MacRecorder| {
        host.recorded().lines.clear();
        let g = globals();
        p.report(Ctx::new(&g, &[]), &host.report());
        lines(host).into_iter().map(|(_, _, m)| m).collect::<Vec<_>>()
    };
    p.pairs.reset(0, 0);
    p.pairs.add(0, dst_src(JUNIPER, APPLE));
    terminate(&host, &mut p);
    assert!(report(&host, &mut p).is_empty());
    for macs in [[dst_src(JUNIPER, APPLE), dst_src(APPLE, JUNIPER)], [dst_src(APPLE, APPLE), dst_src(OTHER, OTHER)]] {
        p.pairs.reset(0, 0);
        macs.iter().for_each(|m| p.pairs.add(0, *m));
        p.pairs.add(0, dst_src(OTHER, APPLE)); // a third pair: overflow
        terminate(&host, &mut p);
    }
    // avg: (1 + 1) / 2 = 1, then 0.7 * 1 + 0.3 * 2 = 1.3, then 0.7 * 1.3 + 0.3 * 2 = 1.51
    assert_eq!(report(&host, &mut p), ["Aggregated macStat=0x01", "MAC pairs per flow: min: 1, max: 2, average: 1.51"]);
}

#[test]
fn pairs_per_flow_average_as_t2() {
    let mut s = PairsPerFlow::default();
    for n in [1, 6, 1, 1, 4] {
        s.add(n);
    }
    assert_eq!((s.min, s.max), (1, 6));
    // (1+1)/2 = 1; then 2.5; 2.05; 1.735; 2.4145 in single precision
    assert_eq!(format!("{:.2}", s.avg), "2.41");
}

#[test]
fn every_packet_counts_for_its_pair_and_arp_flows_too() {
    let dir = tempdir::Dir::new();
    std::fs::write(dir.path().join("maclbl.txt"), TABLE).unwrap();
    let init = TestInit { plugin_folder: format!("{}/", dir.path().display()), ..TestInit::default() };
    let mut h = Harness::with(MacRecorder::new, &init, core_config());
    let tcp = |from| packet(Ip::V4([10, 0, 0, 1], [10, 0, 0, 2]), L4::Tcp(Tcp::default())).macs(from, JUNIPER);
    h.packet(0, ts(1, 0), &tcp(APPLE).frame());
    h.packet(0, ts(2, 0), &tcp(APPLE).frame());
    h.packet(0, ts(3, 0), &tcp(OTHER).frame());
    let row = h.end(0);
    assert_eq!((row.get("macStat"), row.get("macPairs")), (Some("0x00"), Some("2")));
    assert_eq!(
        &row["srcMac_dstMac_numP"],
        "c8:bc:c8:96:d2:a0_00:10:db:88:d2:ef_2;02:00:00:00:00:01_00:10:db:88:d2:ef_1"
    );
    assert_eq!(&row["srcMacLbl_dstMacLbl"], "AppleInc,US_JuniperNe,US;-_JuniperNe,US");

    h.packet(2, ts(5, 0), &arp(1, APPLE, [10, 0, 0, 1], [0; 6], [10, 0, 0, 2]));
    let row = h.end(2);
    assert_eq!(&row["srcMac_dstMac_numP"], "c8:bc:c8:96:d2:a0_ff:ff:ff:ff:ff:ff_1");
    assert_eq!(&row["srcMacLbl_dstMacLbl"], "AppleInc,US_Broadcast");
}
