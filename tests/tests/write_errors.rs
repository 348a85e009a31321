//! Output streams that cannot be written (a full disk, simulated by `/dev/full`): the end report
//! on standard output, the log file (`-l`), the monitoring file (`-m`), the packet file (`-s`)
//! and a sink's flow file, written on the packet thread or on the sink's own. Each failure gives one `[ERR]` line naming the stream and the OS error, exit status 1,
//! and every other output is still written in full. A reader that closes standard output early
//! (`t2 ... | head`) is no error.

use std::process::{Command, Stdio};
use std::time::Duration;

use rt2_tests::{LiveRun, PluginDir, Run, pcap_records, sample_pcap, tranalyzer};

const FULL: &str = "No space left on device";

fn plugins() -> PluginDir {
    PluginDir::with(&["basicFlow", "txtSink"])
}

/// The sample as a normal run writes its flows.
fn sample_flows(plugins: &PluginDir) -> String {
    let run = rt2_tests::run_t2(plugins.path(), &["-r", sample_pcap().to_str().unwrap()]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    run.file("_flows.txt").expect("a flow file")
}

/// Runs the sample with `-w OUT/s ARGS`, where `OUT/s<full>` already points at `/dev/full`;
/// standard output goes to `stdout`.
fn run_full(plugins: &PluginDir, full: &str, args: &[&str], stdout: Stdio) -> Run {
    let out = tempfile::tempdir().unwrap();
    let prefix = out.path().join("s");
    if !full.is_empty() {
        std::os::unix::fs::symlink("/dev/full", out.path().join(format!("s{full}"))).unwrap();
    }
    let output = Command::new(tranalyzer())
        .arg("-p")
        .arg(plugins.path())
        .arg("-r")
        .arg(sample_pcap())
        .arg("-w")
        .arg(&prefix)
        .args(args)
        .stdout(stdout)
        .output()
        .unwrap();
    Run { output, out }
}

/// The `[ERR]` lines of a run.
fn errors(run: &Run) -> Vec<String> {
    run.stderr().lines().filter(|l| l.starts_with("[ERR]")).map(str::to_owned).collect()
}

/// The run failed with the one error line "Failed to write to `stream`: disk full" and still
/// wrote all the flows.
fn assert_lost_only(run: &Run, stream: &str, flows: &str) {
    assert_eq!(run.code(), Some(1), "{}", run.stderr());
    assert_eq!(errors(run), [format!("[ERR] Failed to write to {stream}: {FULL}")], "{}", run.stderr());
    assert_eq!(run.file("_flows.txt").as_deref(), Some(flows), "the flows are written in full");
}

fn file_name(run: &Run, suffix: &str) -> String {
    format!("file '{}'", run.out.path().join(format!("s{suffix}")).display())
}

#[test]
fn end_report_on_a_full_stdout() {
    let plugins = plugins();
    let flows = sample_flows(&plugins);
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let run = run_full(&plugins, "", &[], Stdio::from(full));
    assert_lost_only(&run, "standard output", &flows);
}

#[test]
fn log_file_on_a_full_disk() {
    let plugins = plugins();
    let flows = sample_flows(&plugins);
    let run = run_full(&plugins, "_log.txt", &["-l"], Stdio::null());
    assert_lost_only(&run, &file_name(&run, "_log.txt"), &flows);
}

#[test]
fn packet_file_on_a_full_disk() {
    let plugins = plugins();
    let flows = sample_flows(&plugins);
    let run = run_full(&plugins, "_packets.txt", &["-s"], Stdio::null());
    assert_lost_only(&run, &file_name(&run, "_packets.txt"), &flows);
}

#[test]
fn monitoring_file_on_a_full_disk() {
    let plugins = plugins();
    let flows = sample_flows(&plugins);
    let (header, records) = pcap_records(&std::fs::read(sample_pcap()).unwrap());
    let out = tempfile::tempdir().unwrap();
    let mon = out.path().join("stdin_monitoring.txt");
    std::os::unix::fs::symlink("/dev/full", &mon).unwrap();
    // a SIGUSR1 report goes to the monitoring file (`-m`)
    let mut live = LiveRun::spawn_in(out, plugins.path(), &["-r", "-", "-m"], &[]);
    live.feed(&header);
    live.feed(&records[0]);
    live.wait_ready();
    live.signal("USR1");
    std::thread::sleep(Duration::from_millis(200));
    live.feed(&records[1..].concat());
    live.close();
    let run = live.finish(20.0);
    let name = format!("file '{}'", mon.display());
    assert_eq!(run.code(), Some(1), "{}", run.stderr());
    assert_eq!(errors(&run), [format!("[ERR] Failed to write to {name}: {FULL}")], "{}", run.stderr());
    assert_eq!(run.file("_flows.txt").as_deref(), Some(flows.as_str()));
    assert!(run.stdout().contains("Number of processed packets: 30\n"), "the end report is written");
}

#[test]
fn stdout_closed_by_its_reader_is_no_error() {
    let plugins = plugins();
    let flows = sample_flows(&plugins);
    let out = tempfile::tempdir().unwrap();
    let mut child = Command::new(tranalyzer())
        .arg("-p")
        .arg(plugins.path())
        .arg("-r")
        .arg(sample_pcap())
        .arg("-w")
        .arg(out.path().join("s"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // the reader goes away before the end report is written
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let run = Run { output, out };
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    assert_eq!(errors(&run), Vec::<String>::new());
    assert_eq!(run.file("_flows.txt").as_deref(), Some(flows.as_str()));
}

#[test]
fn a_flow_file_on_a_full_disk_on_either_thread() {
    let plugins = PluginDir::with(&["basicFlow", "txtSink", "jsonSink"]);
    let normal = rt2_tests::run_t2(plugins.path(), &["-r", sample_pcap().to_str().unwrap()]);
    assert_eq!(normal.code(), Some(0), "{}", normal.stderr());
    for (sink, full, other) in [("jsonSink", "_flows.json", "_flows.txt"), ("txtSink", "_flows.txt", "_flows.json")] {
        let want = normal.file(other).expect("the other flow file");
        for threads in ["1", "2"] {
            // one sink fails, the other still writes every flow
            let run = run_full(&plugins, full, &["--threads", threads], Stdio::null());
            let name = file_name(&run, full);
            assert_eq!(run.code(), Some(1), "{}", run.stderr());
            assert_eq!(errors(&run), [format!("[ERR] {sink}: Failed to write to {name}: {FULL}")], "{threads} threads");
            assert_eq!(run.file(other).as_deref(), Some(want.as_str()), "{sink}, {threads} threads");
        }
    }
}
