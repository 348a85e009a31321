//! txtSink driven through the `Plugin` trait: files, splitting, flags, errors.

use std::path::Path;

use plugin_api::testing::{TestHost, TestInit, core_config, globals};
use plugin_api::{Column, Ctx, Plugin, Split};
use txtSink::TxtSink;
use txtSink::config::Config;

fn columns() -> Vec<Column> {
    [("dir", "DIR", "Flow direction"), ("flowInd", "U64", "Flow index"), ("name", "S", "A name")]
        .iter()
        .map(|(n, s, d)| Column::parse(n, d, s).unwrap())
        .collect()
}

/// The record of flow `i`: direction, index, name.
fn record(i: u64, name: &str) -> Vec<u8> {
    let mut r = vec![(i % 2) as u8];
    r.extend_from_slice(&i.to_ne_bytes());
    r.extend_from_slice(name.as_bytes());
    r.push(0);
    r
}

fn line(i: u64, name: &str) -> String {
    format!("{}\t{i}\t\"{name}\"\n", if i.is_multiple_of(2) { 'A' } else { 'B' })
}

struct Run {
    host: TestHost,
    init: TestInit,
    sink: TxtSink,
}

impl Run {
    fn new(dir: &Path, cfg: Config) -> Run {
        let host = TestHost::new();
        let init = TestInit {
            prefix: dir.join("out").into_os_string(),
            columns: columns(),
            start_date: "1.000000002 sec (Thu 01 Jan 1970 00:00:01 UTC)".into(),
            core_line: "L2, IPv4, IPv6".into(),
            cmdline: "tranalyzer -r a.pcap -w out".into(),
            hw_info: "h;Linux;6;#1;x86_64".into(),
            sw_info: "libpcap version 1.10.3".into(),
            pid: 42,
            plugins: vec![("basicFlow".into(), "0.9.3".into()), ("txtSink".into(), "0.9.3".into())],
            ..TestInit::default()
        };
        let sink = TxtSink::with_config(host.host(), cfg);
        Run { host, init, sink }
    }

    fn init(&mut self) {
        let core = core_config();
        self.sink.init(&self.init.init(&core));
    }

    /// Sends `n` records, then finalizes with `total_flows` = n.
    fn records(&mut self, n: u64) {
        let mut g = globals();
        for i in 0..n {
            self.sink.buffer_to_sink(Ctx::new(&g, &[]), &record(i, &format!("n{i}")));
        }
        g.total_flows = n;
        self.sink.finalize(Ctx::new(&g, &[]));
    }
}

fn read(p: impl AsRef<Path>) -> String {
    std::fs::read_to_string(p).unwrap()
}

fn lines(range: std::ops::Range<u64>) -> String {
    range.map(|i| line(i, &format!("n{i}"))).collect()
}

const HEADER: &str = "%dir\tflowInd\tname\n";

#[test]
fn writes_flows_and_headers() {
    let dir = tempfile::tempdir().unwrap();
    let mut run = Run::new(dir.path(), Config::default());
    run.init();
    run.records(3);
    assert_eq!(read(dir.path().join("out_flows.txt")), format!("{HEADER}{}", lines(0..3)));
    assert_eq!(
        read(dir.path().join("out_headers.txt")),
        "# Date: 1.000000002 sec (Thu 01 Jan 1970 00:00:01 UTC)\n# Tranalyzer 0.9.3 (Anteater), Cobra\n\
         # Core configuration: L2, IPv4, IPv6\n# SensorID: 666\n# PID: 42\n# Priority: 0\n\
         # Command line: tranalyzer -r a.pcap -w out\n# HW info: h;Linux;6;#1;x86_64\n\
         # SW info: libpcap version 1.10.3\n#\n# Plugins loaded:\n#   01: basicFlow, version 0.9.3\n\
         #   02: txtSink, version 0.9.3\n#\n# Col No.\tType\tName\tDescription\n1\tC\tdir\tFlow direction\n\
         2\tU64\tflowInd\tFlow index\n3\tS\tname\tA name\n"
    );
    assert!(run.host.failures().is_empty());
}

#[test]
fn suffixes_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let mut run = Run::new(dir.path(), Config::default());
    run.host.set_env("TFS_FLOWS_TXT_SUFFIX", "_f.tsv");
    run.host.set_env("TFS_HEADER_SUFFIX", "_h.txt");
    run.init();
    run.records(1);
    assert_eq!(read(dir.path().join("out_f.tsv")), format!("{HEADER}{}", lines(0..1)));
    assert!(dir.path().join("out_h.txt").exists());
    assert!(!dir.path().join("out_flows.txt").exists());
}

#[test]
fn split_by_flow_count_leaves_an_empty_last_file() {
    // `-W out:2f,5` with 6 records (txt-format.md §7).
    let dir = tempfile::tempdir().unwrap();
    let mut run = Run::new(dir.path(), Config::default());
    run.init.split = Some(Split { size: 2, by_flows: true, start: 5 });
    run.init();
    run.records(6);
    let f = |n: u32| read(dir.path().join(format!("out_flows.txt{n}")));
    assert_eq!(f(5), format!("{HEADER}{}", lines(0..2)));
    assert_eq!(f(6), lines(2..4));
    assert_eq!(f(7), lines(4..6));
    assert_eq!(f(8), "");
    assert!(!dir.path().join("out_flows.txt9").exists());
    assert!(!dir.path().join("out_flows.txt").exists());
}

#[test]
fn split_by_bytes_switches_after_the_record_reaching_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let mut run = Run::new(dir.path(), Config::default());
    // Header (18 bytes) + 1 line (9 bytes) = 27 < 30; the second line crosses the limit.
    run.init.split = Some(Split { size: 30, by_flows: false, start: 0 });
    run.init();
    run.records(5);
    let f = |n: u32| read(dir.path().join(format!("out_flows.txt{n}")));
    assert_eq!(f(0), format!("{HEADER}{}", lines(0..2)));
    assert_eq!(f(1), lines(2..5));
    assert!(!dir.path().join("out_flows.txt2").exists());
}

#[test]
fn pri_hdr_fw_repeats_the_header() {
    let dir = tempfile::tempdir().unwrap();
    let mut run = Run::new(dir.path(), Config { tfs_pri_hdr_fw: true, ..Config::default() });
    run.init.split = Some(Split { size: 2, by_flows: true, start: 1 });
    run.init();
    run.records(3);
    let f = |n: u32| read(dir.path().join(format!("out_flows.txt{n}")));
    assert_eq!(f(1), format!("{HEADER}{}", lines(0..2)));
    assert_eq!(f(2), format!("{HEADER}{}", lines(2..3)));
}

#[test]
fn split_flag_off_ignores_w() {
    let dir = tempfile::tempdir().unwrap();
    let mut run = Run::new(dir.path(), Config { tfs_split: false, ..Config::default() });
    run.init.split = Some(Split { size: 1, by_flows: true, start: 0 });
    run.init();
    run.records(3);
    assert_eq!(read(dir.path().join("out_flows.txt")), format!("{HEADER}{}", lines(0..3)));
}

#[test]
fn pri_hdr_and_hdr_file_flags() {
    let dir = tempfile::tempdir().unwrap();
    let mut run = Run::new(dir.path(), Config { tfs_pri_hdr: false, tfs_hdr_file: false, ..Config::default() });
    run.init();
    run.records(2);
    assert_eq!(read(dir.path().join("out_flows.txt")), lines(0..2));
    assert!(!dir.path().join("out_headers.txt").exists());
}

#[test]
fn extended_header_gets_the_flow_count() {
    let dir = tempfile::tempdir().unwrap();
    let mut run = Run::new(dir.path(), Config { tfs_extended_header: true, ..Config::default() });
    run.init();
    run.records(6);
    assert_eq!(
        read(dir.path().join("out_flows.txt")),
        format!("% 6                   \n% 3\n% 24\t10\t23\n{HEADER}{}", lines(0..6))
    );
}

#[test]
fn flows_to_stdout_creates_no_flow_file() {
    let dir = tempfile::tempdir().unwrap();
    // No column line, so nothing reaches the test's stdout.
    let mut run = Run::new(dir.path(), Config { tfs_pri_hdr: false, ..Config::default() });
    run.init.flows_to_stdout = true;
    run.init();
    run.records(0);
    assert!(!dir.path().join("out_flows.txt").exists());
    assert!(dir.path().join("out_headers.txt").exists());
    assert!(run.host.failures().is_empty());
}

#[test]
fn unopenable_flow_file_is_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let mut run = Run::new(&dir.path().join("missing"), Config::default());
    run.init();
    let path = dir.path().join("missing/out_flows.txt");
    assert_eq!(
        run.host.failures(),
        [format!("Failed to open file '{}' for writing: No such file or directory", path.display())]
    );
    // Nothing else happens afterwards.
    run.records(2);
    assert_eq!(run.host.failures().len(), 1);
    assert!(!dir.path().join("missing/out_headers.txt").exists());
}

#[test]
fn unopenable_headers_file_is_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let mut run = Run::new(dir.path(), Config::default());
    run.host.set_env("TFS_HEADER_SUFFIX", "/nope/h.txt");
    run.init();
    let path = dir.path().join("out/nope/h.txt");
    assert_eq!(run.host.failures(), [format!("Failed to open file '{}': No such file or directory", path.display())]);
}

#[test]
fn render_error_is_fatal_and_keeps_the_partial_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut run = Run::new(dir.path(), Config::default());
    run.init();
    let g = globals();
    run.sink.buffer_to_sink(Ctx::new(&g, &[]), &record(0, "ok"));
    // The name is not NUL-terminated: reading runs past the record.
    let mut bad = record(1, "cut");
    bad.pop();
    run.sink.buffer_to_sink(Ctx::new(&g, &[]), &bad);
    run.sink.buffer_to_sink(Ctx::new(&g, &[]), &record(2, "ignored"));
    run.sink.finalize(Ctx::new(&g, &[]));
    assert_eq!(run.host.failures(), ["bin2txt: Buffer overflow: 13 increase MAIN_OUTBUF_SIZE in tranalyzer.h"]);
    assert_eq!(read(dir.path().join("out_flows.txt")), format!("{HEADER}{}B\t1\t\"cut", line(0, "ok")));
}

#[test]
fn block_buf_writes_no_flows() {
    let dir = tempfile::tempdir().unwrap();
    let mut run = Run::new(dir.path(), Config::default());
    let core = plugin_api::abi::CoreConfig { block_buf: 1, ..core_config() };
    run.sink.init(&run.init.init(&core));
    run.records(2);
    assert!(!dir.path().join("out_flows.txt").exists());
    let headers = read(dir.path().join("out_headers.txt"));
    assert!(headers.ends_with("# Plugins loaded:\n#   01: basicFlow, version 0.9.3\n#   02: txtSink, version 0.9.3\n"));
    let lines = run.host.recorded().lines.clone();
    assert_eq!(
        lines,
        [(
            plugin_api::abi::stream::LOG,
            plugin_api::abi::level::WARN,
            "BLOCK_BUF is set in 'tranalyzer.h', no flow file will be produced".to_owned()
        )]
    );
}

#[test]
fn tstamp_prec_comes_from_the_core() {
    let dir = tempfile::tempdir().unwrap();
    let mut run = Run::new(dir.path(), Config::default());
    run.init.columns = vec![Column::parse("t", "", "TS").unwrap()];
    let core = plugin_api::abi::CoreConfig { tstamp_prec: 0, ..core_config() };
    run.sink.init(&run.init.init(&core));
    let g = globals();
    let mut rec = 5u64.to_ne_bytes().to_vec();
    rec.extend_from_slice(&7u32.to_ne_bytes());
    run.sink.buffer_to_sink(Ctx::new(&g, &[]), &rec);
    run.sink.finalize(Ctx::new(&g, &[]));
    assert_eq!(read(dir.path().join("out_flows.txt")), "%t\n5.000007\n");
}
