//! jsonSink driven through the `Plugin` trait: the file, its flags (root node, -W splitting,
//! gzip, socket, column selection, suffix), write errors and records that cannot be decoded.
//! Every output is read back with a JSON parser.

use std::io::Read;
use std::net::TcpListener;
use std::path::Path;

use jsonSink::JsonSink;
use jsonSink::flags::Config;
use plugin_api::abi::level;
use plugin_api::record::Encoder;
use plugin_api::testing::{TestHost, TestInit, core_config, globals};
use plugin_api::{Column, Ctx, Plugin, Split};
use serde_json::Value;

fn columns() -> Vec<Column> {
    [
        ("dir", "DIR", "Flow direction"),
        ("flowInd", "U64", "Flow index"),
        ("name", "S", "A name"),
        ("ratio", "F", "A ratio"),
        ("ports", "U16:R", "Ports"),
    ]
    .iter()
    .map(|(n, s, d)| Column::parse(n, d, s).unwrap())
    .collect()
}

/// The record of flow `i`: direction, index, name `n<i>`, ratio i/4, i ports.
fn record(i: u64) -> Vec<u8> {
    let mut e = Encoder::new(Vec::new());
    e.u8((i % 2) as u8);
    e.u64(i);
    e.str(format!("n{i}\t\"").as_bytes());
    e.f32(i as f32 / 4.0);
    e.rep(i as u32);
    for p in 0..i {
        e.u16(p as u16);
    }
    e.into_inner()
}

/// The object jsonSink writes for [`record`]`(i)`, with the default flags.
fn object(i: u64) -> String {
    let dir = if i.is_multiple_of(2) { 'A' } else { 'B' };
    // Whole numbers get T2's ".0".
    let ratio = if i.is_multiple_of(4) { format!("{}.0", i / 4) } else { format!("{}", i as f64 / 4.0) };
    let ports = if i == 0 {
        String::new()
    } else {
        format!(",\"ports\":[{}]", (0..i).map(|p| p.to_string()).collect::<Vec<_>>().join(","))
    };
    format!("{{\"dir\":\"{dir}\",\"flowInd\":{i},\"name\":\"n{i}\\t\\\"\",\"ratio\":{ratio}{ports}}}\n")
}

fn objects(range: std::ops::Range<u64>) -> String {
    range.map(object).collect()
}

struct Run {
    host: TestHost,
    init: TestInit,
    sink: JsonSink,
}

/// The thread counts a run may be given: objects rendered on the packet thread (1) or on a
/// second one (2, plugin-api's `offload`).
const THREADS: [u32; 2] = [1, 2];

impl Run {
    fn new(dir: &Path, cfg: Config) -> Run {
        Run::with_threads(dir, cfg, 1)
    }

    fn with_threads(dir: &Path, cfg: Config, threads: u32) -> Run {
        let host = TestHost::new();
        let init = TestInit {
            prefix: dir.join("out").into_os_string(),
            plugin_folder: format!("{}/", dir.display()),
            columns: columns(),
            threads,
            ..TestInit::default()
        };
        let sink = JsonSink::with_config(host.host(), cfg);
        Run { host, init, sink }
    }

    fn init(&mut self) {
        let core = core_config();
        self.sink.init(&self.init.init(&core));
    }

    /// Sends `records`, reports and finalizes with `total_flows` = their count.
    fn send(&mut self, records: &[Vec<u8>]) {
        let mut g = globals();
        for r in records {
            self.sink.buffer_to_sink(Ctx::new(&g, &[]), r);
        }
        g.total_flows = records.len() as u64;
        self.sink.report(Ctx::new(&g, &[]), &self.host.report());
        self.sink.finalize(Ctx::new(&g, &[]));
    }

    fn records(&mut self, n: u64) {
        self.send(&(0..n).map(record).collect::<Vec<_>>());
    }

    /// Log lines of `level`.
    fn lines(&self, lvl: u32) -> Vec<String> {
        self.host.recorded().lines.iter().filter(|(_, l, _)| *l == lvl).map(|(_, _, t)| t.clone()).collect()
    }
}

fn read(p: impl AsRef<Path>) -> String {
    std::fs::read_to_string(p.as_ref()).unwrap_or_else(|e| panic!("{}: {e}", p.as_ref().display()))
}

fn gunzip(bytes: &[u8]) -> String {
    let mut text = String::new();
    flate2::read::GzDecoder::new(bytes).read_to_string(&mut text).expect("a gzip stream");
    text
}

/// Every line parses as one JSON object.
fn assert_json_lines(text: &str) -> usize {
    for l in text.lines() {
        let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
        assert!(v.is_object(), "{l}");
    }
    text.lines().count()
}

#[test]
fn one_object_per_line() {
    for threads in THREADS {
        let dir = tempfile::tempdir().unwrap();
        let mut run = Run::with_threads(dir.path(), Config::default(), threads);
        run.init();
        run.records(600);
        let text = read(dir.path().join("out_flows.json"));
        assert_eq!(text, objects(0..600), "{threads} threads");
        assert_eq!(assert_json_lines(&text), 600);
        assert!(run.host.failures().is_empty());
        assert!(run.lines(level::WARN).is_empty());
    }
}

#[test]
fn root_node_makes_the_file_one_array() {
    let dir = tempfile::tempdir().unwrap();
    let mut run = Run::new(dir.path(), Config { json_root_node: true, ..Config::default() });
    run.init();
    run.records(3);
    let text = read(dir.path().join("out_flows.json"));
    assert_eq!(text, format!("[\n{},{},{}]\n", object(0), object(1), object(2)));
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v.as_array().map(Vec::len), Some(3));
}

#[test]
fn split_by_flow_count_with_root_nodes() {
    for threads in THREADS {
        let dir = tempfile::tempdir().unwrap();
        let mut run = Run::with_threads(dir.path(), Config { json_root_node: true, ..Config::default() }, threads);
        run.init.split = Some(Split { size: 2, by_flows: true, start: 3 });
        run.init();
        run.records(5);
        let file = |n: u32| read(dir.path().join(format!("out_flows.json{n}")));
        assert_eq!(file(3), format!("[\n{},{}]\n", object(0), object(1)));
        assert_eq!(file(4), format!("[\n{},{}]\n", object(2), object(3)));
        assert_eq!(file(5), format!("[\n{}]\n", object(4)));
        for n in 3..=5 {
            let v: Value = serde_json::from_str(&file(n)).unwrap();
            assert!(v.is_array());
        }
        assert!(!dir.path().join("out_flows.json6").exists());
    }
}

#[test]
fn split_by_bytes_switches_after_the_record_reaching_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let mut run = Run::new(dir.path(), Config::default());
    let first = object(0).len() as u64;
    run.init.split = Some(Split { size: first + 1, by_flows: false, start: 0 });
    run.init();
    run.records(3);
    assert_eq!(read(dir.path().join("out_flows.json0")), objects(0..2));
    assert_eq!(read(dir.path().join("out_flows.json1")), objects(2..3));
}

#[test]
fn split_flag_off_ignores_w() {
    let dir = tempfile::tempdir().unwrap();
    let mut run = Run::new(dir.path(), Config { json_split: false, ..Config::default() });
    run.init.split = Some(Split { size: 1, by_flows: true, start: 0 });
    run.init();
    run.records(3);
    assert_eq!(read(dir.path().join("out_flows.json")), objects(0..3));
    assert!(!dir.path().join("out_flows.json0").exists());
}

#[test]
fn gzip_round_trip() {
    for threads in THREADS {
        let dir = tempfile::tempdir().unwrap();
        let mut run = Run::with_threads(dir.path(), Config { json_gz_compress: true, ..Config::default() }, threads);
        run.init();
        run.records(40);
        let bytes = std::fs::read(dir.path().join("out_flows.json.gz")).unwrap();
        assert_eq!(&bytes[..2], [0x1f, 0x8b]);
        let text = gunzip(&bytes);
        assert_eq!(text, objects(0..40));
        assert_eq!(assert_json_lines(&text), 40);
        assert!(!dir.path().join("out_flows.json").exists());
    }
}

#[test]
fn gzip_fragments_are_whole_streams() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = Config { json_gz_compress: true, json_root_node: true, ..Config::default() };
    let mut run = Run::new(dir.path(), cfg);
    run.init.split = Some(Split { size: 2, by_flows: true, start: 0 });
    run.init();
    run.records(3);
    let file = |n: u32| gunzip(&std::fs::read(dir.path().join(format!("out_flows.json.gz{n}"))).unwrap());
    assert_eq!(file(0), format!("[\n{},{}]\n", object(0), object(1)));
    assert_eq!(file(1), format!("[\n{}]\n", object(2)));
}

#[test]
fn no_spaces_off_and_empty_arrays_kept() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = Config { json_no_spaces: false, json_suppress_empty_array: false, ..Config::default() };
    let mut run = Run::new(dir.path(), cfg);
    run.init();
    run.records(3);
    let text = read(dir.path().join("out_flows.json"));
    let first = text.lines().next().unwrap();
    assert_eq!(first, "{\"dir\": \"A\", \"flowInd\": 0, \"name\": \"n0\\t\\\"\", \"ratio\": 0.0, \"ports\": []}");
    assert!(text.contains("\"ports\": [0, 1]"), "{text}");
    assert_eq!(assert_json_lines(&text), 3);
}

#[test]
fn suffix_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let mut run = Run::new(dir.path(), Config::default());
    run.host.set_env("JSON_SUFFIX", "_f.ndjson");
    run.init();
    run.records(1);
    assert_eq!(read(dir.path().join("out_f.ndjson")), objects(0..1));
}

#[test]
fn selected_columns_only() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("json-columns.txt"), "# which\nflowInd\nports\n").unwrap();
    let mut run = Run::new(dir.path(), Config { json_select: true, ..Config::default() });
    run.init();
    run.records(3);
    let text = read(dir.path().join("out_flows.json"));
    assert_eq!(text, "{\"flowInd\":0}\n{\"flowInd\":1,\"ports\":[0]}\n{\"flowInd\":2,\"ports\":[0,1]}\n");
    assert_eq!(run.lines(level::INFO), ["only inserting 2 columns listed in 'json-columns.txt'"]);
}

#[test]
fn missing_selection_file_is_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let mut run = Run::new(dir.path(), Config { json_select: true, ..Config::default() });
    run.init();
    let path = dir.path().join("json-columns.txt");
    assert_eq!(run.host.failures(), [format!("Failed to open file '{}': No such file or directory", path.display())]);
}

#[test]
fn socket_output_plain_and_gzip() {
    for gz in [false, true] {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let reader = std::thread::spawn(move || {
            let (mut conn, _) = listener.accept().unwrap();
            let mut bytes = Vec::new();
            conn.read_to_end(&mut bytes).unwrap();
            bytes
        });
        let dir = tempfile::tempdir().unwrap();
        let cfg = Config { json_socket_on: true, json_gz_compress: gz, ..Config::default() };
        let mut run = Run::new(dir.path(), cfg);
        run.host.set_env("JSON_SOCKET_PORT", &port.to_string());
        run.init();
        run.records(4);
        drop(run);
        let bytes = reader.join().unwrap();
        let text = if gz { gunzip(&bytes) } else { String::from_utf8(bytes).unwrap() };
        assert_eq!(text, objects(0..4), "gz={gz}");
        assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none(), "no file with a socket");
    }
}

#[test]
fn refused_socket_is_fatal() {
    // A port just freed: nothing listens there.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let mut run = Run::new(dir.path(), Config { json_socket_on: true, ..Config::default() });
    run.host.set_env("JSON_SOCKET_PORT", &port.to_string());
    run.init();
    assert_eq!(run.host.failures(), [format!("Could not connect to TCP socket 127.0.0.1:{port}: Connection refused")]);
}

#[test]
fn bad_environment_number_is_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let mut run = Run::new(dir.path(), Config::default());
    run.host.set_env("JSON_BUFFER_SIZE", "lots");
    run.init();
    assert_eq!(run.host.failures(), ["Invalid value 'lots' for environment variable JSON_BUFFER_SIZE"]);
}

#[test]
fn full_disk_is_fatal() {
    for threads in THREADS {
        let dir = tempfile::tempdir().unwrap();
        let mut run = Run::with_threads(dir.path(), Config::default(), threads);
        run.init.prefix = "/dev/".into();
        run.host.set_env("JSON_SUFFIX", "full");
        run.init();
        run.records(3);
        assert_eq!(run.host.failures(), ["Failed to write to file '/dev/full': No space left on device"]);
    }
}

#[test]
fn small_blocks_are_written_as_they_fill() {
    let dir = tempfile::tempdir().unwrap();
    let mut run = Run::new(dir.path(), Config::default());
    run.host.set_env("JSON_BUFFER_SIZE", "1");
    run.init();
    let mut g = globals();
    for i in 0..3 {
        run.sink.buffer_to_sink(Ctx::new(&g, &[]), &record(i));
        // Written out record by record, before the end.
        assert_eq!(read(dir.path().join("out_flows.json")), objects(0..i + 1));
    }
    g.total_flows = 3;
    run.sink.finalize(Ctx::new(&g, &[]));
}

#[test]
fn undecodable_records_are_discarded_and_counted() {
    for threads in THREADS {
        let dir = tempfile::tempdir().unwrap();
        let mut run = Run::with_threads(dir.path(), Config { json_root_node: true, ..Config::default() }, threads);
        run.init();
        let cut = record(3)[..12].to_vec();
        let mut g = globals();
        // the message gives the flow count when the first bad record was handed over
        for (n, r) in [record(0), cut.clone(), record(1), cut].iter().enumerate() {
            g.total_flows = 10 + n as u64;
            run.sink.buffer_to_sink(Ctx::new(&g, &[]), r);
        }
        g.total_flows = 4;
        // the count is exact at the report, wherever the objects were rendered
        run.sink.report(Ctx::new(&g, &[]), &run.host.report());
        let errors = run.lines(level::ERROR);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].starts_with("Position in main output buffer exceeds its size"), "{errors:?}");
        assert!(errors[0].ends_with("first occurrence after 11 flows."), "{errors:?}");
        assert_eq!(run.lines(level::WARN), ["Number of flows discarded due to main buffer problems: 2 [50.00%]"]);
        run.sink.finalize(Ctx::new(&g, &[]));
        let text = read(dir.path().join("out_flows.json"));
        assert_eq!(text, format!("[\n{},{}]\n", object(0), object(1)));
        assert!(serde_json::from_str::<Value>(&text).is_ok());
        assert_eq!(run.lines(level::ERROR).len(), 1);
        assert!(run.host.failures().is_empty());
    }
}

#[test]
fn block_buf_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut run = Run::new(dir.path(), Config::default());
    let mut core = core_config();
    core.block_buf = 1;
    run.sink.init(&run.init.init(&core));
    run.records(2);
    assert!(!dir.path().join("out_flows.json").exists());
    assert_eq!(run.lines(level::WARN), ["BLOCK_BUF is set in 'tranalyzer.h', no flow file will be produced"]);
}
