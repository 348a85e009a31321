//! The report engine against T2's reference outputs: captures from `../shared` run through a
//! pipeline without plugins, reports triggered by pcap time, core columns and human blocks
//! compared with the goldens (skipped when `../shared` is absent).

use std::cell::RefCell;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use super::*;
use crate::capture::{self, Next};
use crate::report::log::Log;

/// A writer the test can read back.
#[derive(Clone, Default)]
struct Buf(Rc<RefCell<Vec<u8>>>);

impl Write for Buf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn shared_dir() -> Option<PathBuf> {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared");
    d.join("golden").is_dir().then_some(d)
}

fn config(diff: bool, machine: bool) -> MonitorConfig {
    let names = ProtoNames::builtin();
    MonitorConfig {
        diff,
        machine,
        plugin_report: true,
        sensor_id: 666,
        l2: vec![0x0806, 0x8035],
        l3: [6u8, 17, 1, 58, 132].iter().map(|&p| (p, names.name(p).to_owned())).collect(),
    }
}

/// Runs `capture` with reports every second of pcap time and returns the monitoring output.
fn run(shared: &Path, capture: &str, cfg: MonitorConfig) -> String {
    let out = Buf::default();
    let mut p = crate::testing::engine(262_144, Log::new(Box::new(out.clone()), false));
    let path = shared.join("pcaps").join(format!("{capture}.pcap"));
    let mut reader = capture::open_file(&path).unwrap();
    let input = InputInfo {
        name: path.display().to_string(),
        linktype: crate::report::linktype_text(reader.dlt()),
        snaplen: u64::from(reader.snaplen()),
        size: reader.file_size(),
        start: std::time::Instant::now(),
    };
    let mut m = Monitor::new(cfg, input);
    m.header(&mut p);
    p.mon_trigger = Some(PcapTrigger::new(1.0));
    loop {
        match reader.next() {
            Next::Packet(pkt) => {
                p.packet(&pkt);
                if p.report_due {
                    p.report_due = false;
                    m.report(&mut p);
                }
            }
            Next::Error(_) => {}
            Next::Eof => break,
        }
    }
    String::from_utf8(out.0.borrow().clone()).unwrap()
}

/// The first `n` columns of every line, `memUsageKB` (column 5) blanked.
fn core_columns(text: &str, n: usize) -> Vec<Vec<String>> {
    text.lines()
        .map(|l| {
            let mut f: Vec<String> = l.split('\t').take(n).map(str::to_owned).collect();
            if !l.starts_with('%') && f.len() > 4 {
                f[4].clear();
            }
            f
        })
        .collect()
}

fn golden(shared: &Path, capture: &str, variant: &str) -> String {
    std::fs::read_to_string(shared.join("golden").join(capture).join(variant).join("stdout.txt")).unwrap()
}

#[test]
fn pcap_trigger_fires_on_whole_seconds() {
    let mut t = PcapTrigger::new(1.0);
    let start = 1000;
    let fired: Vec<i64> =
        [1000, 1000, 1001, 1001, 1004, 1005, 999, 1005, 1006].into_iter().filter(|&s| t.due(start, s)).collect();
    // one report per new second; a gap gives one report; going backwards gives none
    assert_eq!(fired, [1001, 1004, 1005, 1006]);
}

#[test]
fn pcap_trigger_keeps_t2s_f32_and_i32_quirks() {
    // a record with sec >= 2^31 is negative for libpcap: never a report
    let mut t = PcapTrigger::new(1.0);
    assert!(!t.due(1_000, 0xffff_0000));
    // beyond 2^24 s a one-second step is lost to f32 rounding
    let mut t = PcapTrigger::new(1.0);
    assert!(t.due(0, 1 << 25));
    assert!(!t.due(0, (1 << 25) + 1));
    assert!(t.due(0, (1 << 25) + 4));
}

#[test]
fn machine_header_lists_core_columns() {
    let h = config(true, true).header();
    assert!(h.starts_with("%repType\tsensorID\ttime\tduration\tmemUsageKB\tfillSzHashMap\tnumFlows\t"));
    assert!(h.ends_with(
        "globalWarn\t0x0806Pkts\t0x0806Bytes\t0x8035Pkts\t0x8035Bytes\tTCPPkts\tTCPBytes\tUDPPkts\tUDPBytes\t\
         ICMPPkts\tICMPBytes\tICMPv6Pkts\tICMPv6Bytes\tSCTPPkts\tSCTPBytes\t"
    ));
    assert_eq!(h.split('\t').count() - 1, 38);
}

#[test]
fn machine_rows_match_golden() {
    let Some(shared) = shared_dir() else { return };
    for (capture, diff, variant) in [
        ("http-session", true, "monitoring"),
        ("mpls-vlan-mixed", true, "monitoring"),
        ("zero-length-records", true, "monitoring"),
        ("timestamp-invalid-usec", true, "monitoring"),
        ("dns-http-wikipedia", true, "monitoring"),
        ("dns-http-wikipedia", false, "mon-abs"),
    ] {
        let out = run(&shared, capture, config(diff, true));
        assert!(out.lines().all(|l| !l.ends_with('\t')), "{capture}: trailing separator");
        let expected = core_columns(&golden(&shared, capture, variant), 38);
        assert_eq!(core_columns(&out, 38), expected, "{capture} {variant}");
    }
}

#[test]
fn human_blocks_match_golden() {
    let Some(shared) = shared_dir() else { return };
    let keep = |text: &str| -> Vec<String> {
        // the reference's colour codes (T2 writes them everywhere; rt2 only on terminals)
        let plain = ["\x1b[1;34m", "\x1b[0;34m", "\x1b[1;33m", "\x1b[0;33m", "\x1b[0m", "\x1b[1m"]
            .iter()
            .fold(text.to_owned(), |t, c| t.replace(c, ""));
        plain
            .lines()
            .filter(|l| {
                !["Time:", "Elapsed time:", "Remaining time:", "ETF:", "Memory usage:", "Processing file:"]
                    .iter()
                    .any(|p| l.starts_with(p))
                    && !l.contains("basicStats")
            })
            .map(|l| if l.starts_with("USR1 ") { l.split(" PID").next().unwrap().to_owned() } else { l.to_owned() })
            .collect()
    };
    for capture in ["http-session", "dns-http-wikipedia"] {
        let out = run(&shared, capture, config(true, false));
        assert_eq!(keep(&out), keep(&golden(&shared, capture, "mon-human")), "{capture}");
        assert!(out.contains(&format!("{}\n", BANNER[2])));
    }
}

#[test]
fn live_columns_follow_duration() {
    let h = with_live(config(false, true).header(), "pktsRec\tpktsDrp\tifDrp\t");
    assert!(h.starts_with("%repType\tsensorID\ttime\tduration\tpktsRec\tpktsDrp\tifDrp\tmemUsageKB\t"), "{h}");
    let row = with_live("USR1MR_A\t666\t1.0\t0.5\t12\t".to_owned(), "7\t0\t0\t");
    assert_eq!(row, "USR1MR_A\t666\t1.0\t0.5\t7\t0\t0\t12\t");
}
