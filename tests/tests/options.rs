//! Run options end to end on the shipped sample: `-W` (flow-file splitting), `-x` (sensor ID),
//! `-c` (CPU binding), `-P` (priority), `-S`/`-B`/`-f` value errors (core.md §1).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use rt2_tests::{PluginDir, is_root, run_t2, sample_pcap, tranalyzer};

fn plugins() -> PluginDir {
    PluginDir::with(&["basicFlow", "txtSink"])
}

/// Runs `tranalyzer -p PLUGINS -r sample ARGS...` (the caller names the output itself).
fn t2(plugins: &PluginDir, args: &[&str]) -> Output {
    Command::new(tranalyzer())
        .arg("-p")
        .arg(plugins.path())
        .arg("-r")
        .arg(sample_pcap())
        .args(args)
        .output()
        .expect("running tranalyzer")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The fragments `PREFIX_flows.txtN` in a folder, by index.
fn fragments(dir: &Path) -> Vec<(u64, PathBuf)> {
    let mut v: Vec<(u64, PathBuf)> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let n = name.strip_prefix("s_flows.txt")?.parse().ok()?;
            Some((n, e.path()))
        })
        .collect();
    v.sort();
    v
}

/// The whole flow file of an unsplit run, to compare the fragments with.
fn unsplit(plugins: &PluginDir) -> String {
    let run = run_t2(plugins.path(), &["-r", sample_pcap().to_str().unwrap()]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    run.file("_flows.txt").unwrap()
}

#[test]
fn split_by_flow_count() {
    let p = plugins();
    let whole = unsplit(&p);
    let records = whole.lines().filter(|l| !l.starts_with('%')).count();
    assert_eq!(records, 17, "the sample's flow file changed:\n{whole}");
    let out = tempfile::tempdir().unwrap();
    let spec = format!("{}/s:4f,5", out.path().display());
    let run = t2(&p, &["-W", &spec]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let files = fragments(out.path());
    let idx: Vec<u64> = files.iter().map(|f| f.0).collect();
    assert_eq!(idx, [5, 6, 7, 8, 9], "4 records per file from index 5");
    let parts: Vec<String> = files.iter().map(|f| std::fs::read_to_string(&f.1).unwrap()).collect();
    let counts: Vec<usize> = parts.iter().map(|t| t.lines().filter(|l| !l.starts_with('%')).count()).collect();
    assert_eq!(counts, [4, 4, 4, 4, 1]);
    // the column names only in the first file; together they are the unsplit file
    assert!(parts[0].starts_with('%') && parts[1..].iter().all(|t| !t.contains('%')));
    assert_eq!(parts.concat(), whole);
    // no PREFIX_flows.txt without index
    assert!(!out.path().join("s_flows.txt").exists());
    assert!(out.path().join("s_headers.txt").is_file());
}

#[test]
fn split_leaves_an_empty_file_when_the_last_record_fills_one() {
    // as T2: the switch happens after the record that reached the limit
    let p = plugins();
    let out = tempfile::tempdir().unwrap();
    let spec = format!("{}/s:17f", out.path().display());
    let run = t2(&p, &["-W", &spec]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let files = fragments(out.path());
    assert_eq!(files.iter().map(|f| f.0).collect::<Vec<_>>(), [0, 1]);
    assert_eq!(std::fs::read_to_string(&files[0].1).unwrap(), unsplit(&p));
    assert_eq!(std::fs::metadata(&files[1].1).unwrap().len(), 0);
}

#[test]
fn split_by_size() {
    let p = plugins();
    let whole = unsplit(&p);
    let out = tempfile::tempdir().unwrap();
    let spec = format!("{}/s:1.5K,0x10", out.path().display());
    let run = t2(&p, &["-W", &spec]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let files = fragments(out.path());
    assert!(files.len() > 2, "{} bytes in 1500-byte files: {files:?}", whole.len());
    assert_eq!(files[0].0, 16, "START is read as C's strtoull base 0");
    let parts: Vec<String> = files.iter().map(|f| std::fs::read_to_string(&f.1).unwrap()).collect();
    for part in &parts[..parts.len() - 1] {
        // each full file reached the limit with its last record, not before
        let last = part.trim_end_matches('\n').rfind('\n').map_or(0, |i| i + 1);
        assert!(part.len() >= 1500 && last < 1500, "{} bytes, last record at {last}", part.len());
    }
    assert!(parts.last().unwrap().len() < 1500);
    assert_eq!(parts.concat(), whole);
}

#[test]
fn w_after_capital_w_names_the_files_but_keeps_the_split() {
    let p = plugins();
    let out = tempfile::tempdir().unwrap();
    let split = format!("{}/ignored:8f", out.path().display());
    let prefix = format!("{}/s", out.path().display());
    let run = t2(&p, &["-W", &split, "-w", &prefix]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert_eq!(fragments(out.path()).iter().map(|f| f.0).collect::<Vec<_>>(), [0, 1, 2]);
    assert!(!out.path().join("ignored_headers.txt").exists());
}

#[test]
fn sensor_id_reaches_log_and_headers() {
    let p = plugins();
    let run = run_t2(p.path(), &["-r", sample_pcap().to_str().unwrap(), "-x", "0x2a"]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    let banner = log_lines(&run)[1].clone();
    assert!(banner.starts_with("Tranalyzer 0.9.3 (Anteater), Cobra. PID: "), "{}", run.stdout());
    assert!(banner.ends_with(", SID: 42"), "{banner}");
    assert!(run.file("_headers.txt").unwrap().contains("\n# SensorID: 42\n"));
    let default = run_t2(p.path(), &["-r", sample_pcap().to_str().unwrap()]);
    assert!(default.file("_headers.txt").unwrap().contains("\n# SensorID: 666\n"));
}

/// The log lines of a run from the banner on (a root warning may come first).
fn log_lines(run: &rt2_tests::Run) -> Vec<String> {
    run.stdout().lines().skip_while(|l| l.starts_with("[WRN] Running")).map(str::to_owned).collect()
}

#[test]
fn cpu_binding() {
    let p = plugins();
    let sample = sample_pcap();
    let sample = sample.to_str().unwrap();
    let run = run_t2(p.path(), &["-r", sample, "-c", "1"]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    let log = log_lines(&run);
    assert!(log[0].starts_with("[INF] Tranalyzer successfully "), "{log:?}");
    assert!(log[0].ends_with(" to CPU 1"), "{log:?}");
    assert!(log[2].ends_with(", SID: 666, CPU: 1"), "{log:?}");
    // a CPU that does not exist: a warning, no CPU in the banner, the run goes on
    let run = run_t2(p.path(), &["-r", sample, "-c", "100000"]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    let log = log_lines(&run);
    assert!(log[0].starts_with("[WRN] Failed to move Tranalyzer from CPU "), "{log:?}");
    assert!(log[0].ends_with(" to CPU 100000"), "{log:?}");
    assert!(log[2].ends_with(", SID: 666"), "{log:?}");
    assert_eq!(run.flows().rows.len(), 17);
    let run = run_t2(p.path(), &["-r", sample, "-c", "-1"]);
    assert_eq!(run.code(), Some(1));
    assert!(run.stderr().starts_with("[ERR] Option '-c': "), "{}", run.stderr());
}

#[test]
fn priority() {
    let p = plugins();
    let sample = sample_pcap();
    let sample = sample.to_str().unwrap();
    let run = run_t2(p.path(), &["-r", sample, "-P", "7"]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    let log = log_lines(&run);
    assert!(log[1].contains(", Prio: 7, SID: 666"), "{log:?}");
    assert!(run.file("_headers.txt").is_some());
    let (bad, msg) = if is_root() {
        ("21", "[ERR] Priority MUST be between -20 and 20 (highest to lowest)")
    } else {
        ("-1", "[ERR] Only root can assign priority < 0")
    };
    let run = run_t2(p.path(), &["-r", sample, "-P", bad]);
    assert_eq!(run.code(), Some(1));
    assert_eq!(run.stderr().lines().collect::<Vec<_>>(), [msg]);
    assert_eq!(run.stdout(), "Try 'tranalyzer -h' for more information.\n");
    assert!(run.file("_flows.txt").is_none(), "nothing ran");
}

#[test]
fn value_errors_are_one_line() {
    let p = plugins();
    let sample = sample_pcap();
    let sample = sample.to_str().unwrap();
    for (args, msg) in [
        (["-S", "-5"], "[ERR] Option '-S': Snapshot length must be greater than 0"),
        (["-B", "-1"], "[ERR] Option '-B': Buffer size must be greater than 0"),
        (["-f", "0"], "[ERR] Option '-f': Hash factor must be greater than 0"),
        // more flows than the table's 32-bit slot index addresses: said, not silently clamped
        (
            ["-f", "4294967295"],
            "[ERR] Option '-f': Hash factor 4294967295 is too large: at most 16383 (16383 × 262144 flows fill the flow table's 4294901760 slots)",
        ),
    ] {
        let run = run_t2(p.path(), &[&["-r", sample][..], &args[..]].concat());
        assert_eq!(run.code(), Some(1), "{args:?}");
        assert_eq!(run.stderr().lines().collect::<Vec<_>>(), [msg], "{args:?}");
    }
    // -S and -B only concern interfaces; -f sizes the table: a file run is unchanged
    let plain = run_t2(p.path(), &["-r", sample]).flows().rows;
    let run = run_t2(p.path(), &["-r", sample, "-S", "64", "-B", "0x100000", "-f", "0x3"]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    assert_eq!(run.flows().rows, plain);
}

#[test]
fn stdin_input_and_stdout_flows() {
    let p = plugins();
    let whole = unsplit(&p);
    // -r -: the capture from a pipe, the output named `stdin`
    let out = tempfile::tempdir().unwrap();
    let prefix = format!("{}/", out.path().display());
    let run = Command::new(tranalyzer())
        .arg("-p")
        .arg(p.path())
        .args(["-r", "-", "-w", &prefix])
        .stdin(std::fs::File::open(sample_pcap()).unwrap())
        .output()
        .expect("running tranalyzer");
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert_eq!(std::fs::read_to_string(out.path().join("stdin_flows.txt")).unwrap(), whole);
    // -w -: only the flows on stdout; log and monitoring go to files named after the input
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("cap.pcap");
    std::fs::copy(sample_pcap(), &copy).unwrap();
    let run = Command::new(tranalyzer())
        .arg("-p")
        .arg(p.path())
        .args(["-r", copy.to_str().unwrap(), "-w", "-"])
        .output()
        .expect("running tranalyzer");
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert_eq!(text(&run.stdout), whole);
    let log = std::fs::read_to_string(dir.path().join("cap_log.txt")).unwrap();
    assert!(log.contains("Number of processed packets: 30"), "{log}");
    assert!(dir.path().join("cap_headers.txt").is_file());
}
