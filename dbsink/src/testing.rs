//! What the database sinks' end-to-end tests share: runs of the release `tranalyzer` with
//! basicFlow, basicStats, txtSink and one sink on the shared captures, and the totals of the
//! flow file the database must hold too
//! (rows, and the sums of basicStats' `pktsSnt` and `l7BytesSnt`).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use rt2_golden::{Flows, PluginDir, Run, shared_dir, tranalyzer};

/// The plugins of a run: the flow file's and `sink`.
pub fn plugins(sink: &str) -> PluginDir {
    PluginDir::with(&["basicFlow", "basicStats", "txtSink", sink])
}

/// Every shared capture (none when `../shared` is not there).
pub fn captures() -> Vec<PathBuf> {
    let Some(dir) = shared_dir() else { return Vec::new() };
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir.join("pcaps"))
        .expect("reading the shared captures")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "pcap" || e == "pcapng"))
        .collect();
    v.sort();
    v
}

/// A few small captures (fault tests), or the repository's sample without `../shared`.
pub fn few_captures() -> Vec<PathBuf> {
    let names = ["dns-http-wikipedia.pcap", "http-session.pcap", "ipv6-ftp.pcap"];
    let v: Vec<PathBuf> =
        captures().into_iter().filter(|p| p.file_name().is_some_and(|n| names.iter().any(|m| n == *m))).collect();
    if v.is_empty() { vec![rt2_golden::repo_root().join("samples/sample.pcap")] } else { v }
}

/// Runs `tranalyzer -p PLUGINS -r PCAP -w OUT/ ARGS` with environment `env`.
pub fn run(plugins: &Path, pcap: &Path, args: &[&str], env: &[(&str, String)]) -> Run {
    let out = tempfile::tempdir().expect("creating a temporary folder");
    let prefix = format!("{}/", out.path().display());
    let output = Command::new(tranalyzer())
        .arg("-p")
        .arg(plugins)
        .arg("-r")
        .arg(pcap)
        .args(["-w", &prefix])
        .args(args)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .expect("running tranalyzer");
    Run { output, out }
}

/// basicStats' packet column.
pub const PACKETS: &str = "pktsSnt";
/// basicStats' byte column with the core's default `PACKETLENGTH` (layer 7).
pub const BYTES: &str = "l7BytesSnt";

/// Flow count and the sums of [`PACKETS`] and [`BYTES`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Rows (flow directions).
    pub flows: u64,
    /// Sum of [`PACKETS`].
    pub packets: u64,
    /// Sum of [`BYTES`].
    pub bytes: u64,
}

impl Totals {
    /// The totals of a flow file.
    pub fn of(flows: &Flows) -> Totals {
        let col =
            |name: &str| flows.columns.iter().position(|c| c == name).unwrap_or_else(|| panic!("no column {name}"));
        let (p, b) = (col(PACKETS), col(BYTES));
        let sum = |i: usize| flows.rows.iter().map(|r| r[i].parse::<u64>().expect("a number")).sum();
        Totals { flows: flows.rows.len() as u64, packets: sum(p), bytes: sum(b) }
    }
}

/// The `[ERR]` lines of a run.
pub fn errors(run: &Run) -> Vec<String> {
    run.stderr().lines().filter(|l| l.starts_with("[ERR]")).map(str::to_owned).collect()
}

/// The run's end-report line that starts with `start`, if any.
pub fn report_line(run: &Run, start: &str) -> Option<String> {
    run.stdout().lines().find(|l| l.starts_with(start)).map(str::to_owned)
}

/// Runs `tranalyzer -p PLUGINS -r - -w OUT/` on `pcap` fed through standard input and calls
/// `before_end` before the input ends: the flows reach the sink only after it.
pub fn run_stdin_then(plugins: &Path, pcap: &Path, env: &[(&str, String)], before_end: impl FnOnce()) -> Run {
    let out = tempfile::tempdir().expect("creating a temporary folder");
    let mut child = Command::new(tranalyzer())
        .arg("-p")
        .arg(plugins)
        .args(["-r", "-", "-w", &format!("{}/", out.path().display())])
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("running tranalyzer");
    let mut stdin = child.stdin.take().expect("a pipe");
    stdin.write_all(&std::fs::read(pcap).expect("reading the capture")).expect("feeding tranalyzer");
    // the sink connected at start; the packets are read
    std::thread::sleep(Duration::from_millis(500));
    before_end();
    drop(stdin);
    let output = child.wait_with_output().expect("waiting for tranalyzer");
    Run { output, out }
}

/// The run of `plugin` wrote its flow file, failed with exactly two `[ERR]` lines, the first
/// naming `target` and holding `cause`, the second counting every flow not written, and its
/// end report counts every flow lost.
pub fn assert_lost(r: &Run, plugin: &str, target: &str, cause: &str) {
    assert_eq!(r.code(), Some(1), "{}", r.stderr());
    let errs = errors(r);
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert!(errs[0].starts_with(&format!("[ERR] {plugin}: {target}: ")) && errs[0].contains(cause), "{errs:?}");
    let flows = Totals::of(&r.flows()).flows;
    assert!(flows > 0, "no flows");
    assert_eq!(errs[1], format!("[ERR] {plugin}: {flows} of {flows} flows were not written to {target}"));
    let lost = report_line(r, &format!("[WRN] {plugin}: Flows lost:")).unwrap_or_else(|| panic!("{}", r.stdout()));
    assert!(lost.starts_with(&format!("[WRN] {plugin}: Flows lost: {flows} ")), "{lost}");
}

/// A free TCP port on 127.0.0.1 (nothing listens on it once this returns).
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("binding a port");
    l.local_addr().expect("a bound address").port()
}
