//! The report engine against T2's reference outputs: captures from `../shared` run through a
//! pipeline without plugins, reports triggered by pcap time, core columns and human blocks
//! compared with the goldens (skipped when `../shared` is absent).

use std::cell::RefCell;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use std::time::Instant;

use super::*;
use crate::capture::{self, Next};
use crate::log::{Log, Stream};
use crate::pipeline::{Input, PcapTrigger};

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

/// Runs `capture` through the run loop with reports every second of pcap time and returns the
/// monitoring output.
fn run(shared: &Path, capture: &str, cfg: MonitorConfig) -> String {
    let out = Buf::default();
    let mut p = crate::testing::engine(262_144, Log::new(Stream::new(Box::new(out.clone()), "test".into()), false));
    let path = shared.join("pcaps").join(format!("{capture}.pcap"));
    let reader = capture::open_file(&path).unwrap();
    let mut single = capture::feed::Single;
    let mut input = Input::new(reader, &mut single, None, &path.display().to_string()).unwrap();
    let mut m = Monitor::new(cfg, InputInfo::of(input.source(), input.feed(), input.name(), Instant::now()));
    m.header(&mut p);
    p.mon_trigger = Some(PcapTrigger::new(1.0));
    p.run(&mut input, None, &mut m).unwrap();
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

/// Feeds every packet of `reader` to the engine.
fn drain(p: &mut crate::pipeline::Pipeline, reader: &mut capture::feed::FileReader) {
    loop {
        match reader.next() {
            Next::Packet(pkt) => p.packet(&pkt),
            Next::Error(_) => {}
            Next::Eof => break,
        }
    }
}

/// The input block of the last human report in `out`: the lines after `Elapsed time:`, up to
/// `Remaining time:`, which must follow.
fn input_block(out: &Buf) -> Vec<String> {
    let text = String::from_utf8(out.0.borrow().clone()).unwrap();
    let last = text.rsplit("USR1 ").next().unwrap();
    let lines: Vec<&str> = last.lines().collect();
    let from = lines.iter().position(|l| l.starts_with("Elapsed time: ")).unwrap() + 1;
    let to = lines.iter().position(|l| l.starts_with("Remaining time: ")).expect("a remaining time");
    assert!(lines[to + 1].starts_with("ETF: "), "{last}");
    lines[from..to].iter().map(|l| (*l).to_owned()).collect()
}

/// `Percentage completed` as T2 computes it (float product, double quotient).
fn percent(files: u64, bytes: u64, packets: u64, size: u64) -> String {
    let pct = f64::from(100.0f32 * (24 * files + bytes + 16 * packets) as f32) / size as f64;
    format!("Percentage completed: {pct:.2}%")
}

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/sample.pcap")
}

fn tmp_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rt2-monitor-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn list_input_block_follows_the_current_file() {
    use capture::feed::Feed;
    let dir = tmp_dir("list");
    let cap = sample();
    let size = std::fs::metadata(&cap).unwrap().len();
    let list_path = dir.join("list.txt");
    std::fs::write(&list_path, format!("{0}\n{0}\n", cap.display())).unwrap();
    let log = RefCell::new(Log::sink());
    let mut list = capture::list::List::read(&list_path, &log).unwrap();
    let mut reader = list.open_first().unwrap();
    let out = Buf::default();
    let mut p = crate::testing::engine(4096, Log::new(Stream::new(Box::new(out.clone()), "test".into()), false));
    let input = InputInfo::of(&reader, &list, "not used", Instant::now());
    assert_eq!(input.name, cap.display().to_string());
    let mut m = Monitor::new(config(false, false), input);
    // both entries are the same capture
    let (dlt, snap) = (reader.dlt(), u64::from(reader.snaplen()));
    let head = |n: u32| {
        vec![
            format!("Processing list file: {}", list_path.display()),
            format!("Processing file no. {n} of 2: {}", cap.display()),
            format!("Link layer type: {}", crate::capture::linktype_text(dlt)),
            format!("Snapshot length: {snap}{}", plugin_api::fmt::human(snap)),
            format!("Total bytes to process: {}{}", 2 * size, plugin_api::fmt::human(2 * size)),
            format!("Current file size in bytes: {size}{}", plugin_api::fmt::human(size)),
        ]
    };
    let mut expected = head(1);
    drain(&mut p, &mut reader);
    m.report(&mut p);
    expected.push(percent(2, p.g.bytes_processed, p.g.num_packets, 2 * size));
    assert_eq!(input_block(&out), expected);
    // half of the list's bytes: the remaining time is about the elapsed time (not 0)
    assert!(!expected[6].ends_with(" 100.00%"), "{}", expected[6]);

    reader = list.next(&log, &mut || false).unwrap();
    m.next_capture(&reader, &list);
    drain(&mut p, &mut reader);
    m.report(&mut p);
    let mut expected = head(2);
    expected.push("Percentage completed: 100.00%".to_owned());
    assert_eq!(input_block(&out), expected);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn series_input_block_names_the_expanded_file() {
    use capture::feed::Feed;
    let dir = tmp_dir("series");
    let cap = sample();
    let size = std::fs::metadata(&cap).unwrap().len();
    std::fs::copy(&cap, dir.join("cap_p0_first.pcap")).unwrap();
    std::fs::copy(&cap, dir.join("cap_p1_second.pcap")).unwrap();
    let spec = capture::series::Spec::parse(dir.join("cap_p0_*.pcap:_p,1").as_os_str()).unwrap();
    let log = RefCell::new(Log::sink());
    let mut series = capture::series::Series::new(spec, false);
    let mut reader = series.open_first(&log);
    let out = Buf::default();
    let mut p = crate::testing::engine(4096, Log::new(Stream::new(Box::new(out.clone()), "test".into()), false));
    let mut m = Monitor::new(config(true, false), InputInfo::of(&reader, &series, "", Instant::now()));
    let (dlt, snap) = (reader.dlt(), u64::from(reader.snaplen()));
    let head = |file: &str| {
        vec![
            format!("Current file: {}", dir.join(file).display()),
            format!("Link layer type: {}", crate::capture::linktype_text(dlt)),
            format!("Snapshot length: {snap}{}", plugin_api::fmt::human(snap)),
        ]
    };
    let mut expected = head("cap_p0_first.pcap");
    drain(&mut p, &mut reader);
    m.report(&mut p);
    expected.push("Percentage completed: 100.00%".to_owned());
    assert_eq!(input_block(&out), expected);

    reader = series.next(&log, &mut || false).unwrap();
    m.next_capture(&reader, &series);
    assert_eq!(m.input().kind, InputKind::Series { total: 2 * size });
    drain(&mut p, &mut reader);
    m.report(&mut p);
    let mut expected = head("cap_p1_second.pcap");
    // T2 counts one file header for the whole series, and absolute counters even in a
    // differential report
    expected.push(percent(1, p.g.bytes_processed, p.g.num_packets, 2 * size));
    assert!(!expected[3].ends_with(" 100.00%"), "{}", expected[3]);
    let text = String::from_utf8(out.0.borrow().clone()).unwrap();
    assert_eq!(input_block(&out), expected, "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}
