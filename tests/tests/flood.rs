//! Flow flood: a capture with more flows than the flow table holds (core.md §4.5 "Hash full",
//! §4.6). With the hash autopilot the oldest flows are written out early with `RMFLOW_HFULL`,
//! no flow is lost, and the table never grows past its size: the peak memory of the release
//! binary does not depend on how many flows the capture has. Below that size memory follows the
//! flows in memory: a small capture costs little whatever `-f` says, and running out of memory
//! is one error line and exit status 1 with every flow in memory written.
//!
//! Memory is compared on runs reading the capture from stdin: a file given with `-r` is mapped,
//! and the pages read stay in the resident set up to a fixed window (8 MiB, see
//! `core/src/capture/bytes.rs`), which the file run's peak RSS may add, and no more.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use plugin_api::status::RMFLOW_HFULL;
use rt2_tests::{DEFAULT_FIVE, PluginDir, tranalyzer};
use tranalyzer::testing::{Ip, L4, PcapWriter, ethernet, ip_packet};

/// Flows the table holds at `-f 1` (T2's `HASHCHAINTABLE_BASE_SIZE`).
const TABLE: u64 = 262_144;
/// The flows of the smaller capture: clearly more than the table holds.
const N: u64 = 300_000;
/// One record: pcap record header plus a 60-byte frame.
const RECORD: u64 = 16 + 60;

/// Writes `flows` one-packet UDP flows (distinct source addresses and ports, 100 µs apart, so
/// the whole capture lasts far less than the 182 s flow timeout); returns the file size.
fn write_flood(path: &Path, flows: u64) -> u64 {
    let mut w = PcapWriter::new(BufWriter::new(File::create(path).unwrap()), 1, 65535).unwrap();
    for i in 0..flows {
        let src = [10, (i >> 16) as u8, (i >> 8) as u8, i as u8];
        // clear of 8080, 8081, 8088 and 8089, which T2 takes for servers
        let sport = 10_000 + (i % 50_000) as u16;
        let ip = ip_packet(&Ip::V4(src, [192, 168, 0, 1]), i as u16, &L4::Udp(sport, 53, b"flood"));
        let frame = ethernet([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2], &[], 0x0800, &ip);
        assert_eq!(frame.len() as u64, RECORD - 16);
        let sec = 1_700_000_000 + (i / 10_000) as u32;
        let usec = (i % 10_000) as u32 * 100;
        w.packet(sec, usec, &frame).unwrap();
    }
    w.into_inner().flush().unwrap();
    let size = std::fs::metadata(path).unwrap().len();
    assert_eq!(size, 24 + flows * RECORD);
    size
}

/// What a measured run left behind.
struct Measured {
    code: Option<i32>,
    /// Peak resident set size of the process, in KiB (`ru_maxrss`).
    max_rss_kib: u64,
    stdout: String,
    stderr: String,
    flows: PathBuf,
    wall: Duration,
    _out: tempfile::TempDir,
}

/// How the capture reaches `tranalyzer`.
#[derive(Clone, Copy, PartialEq)]
enum Input {
    /// `-r FILE`: mapped into memory.
    File,
    /// `-r -` with the file as stdin: read through a small buffer.
    Stdin,
}

/// Runs `tranalyzer -p PLUGINS -r PCAP|- ARGS -w OUT/` and measures its peak RSS with `wait4`.
fn run_measured(plugins: &Path, pcap: &Path, input: Input, args: &[&str]) -> Measured {
    run_limited(plugins, pcap, input, args, None)
}

/// [`run_measured`] with the process's address space limited to `address_space` bytes
/// (`RLIMIT_AS`), so that an allocation beyond it fails.
fn run_limited(plugins: &Path, pcap: &Path, input: Input, args: &[&str], address_space: Option<u64>) -> Measured {
    let stdin = input == Input::Stdin;
    let out = tempfile::tempdir().unwrap();
    let stdout_path = out.path().join("stdout.log");
    let stderr_path = out.path().join("stderr.log");
    let start = Instant::now();
    let mut cmd = Command::new(tranalyzer());
    if let Some(limit) = address_space {
        let rlim = libc::rlimit { rlim_cur: limit, rlim_max: limit };
        // SAFETY: runs in the child between fork and exec, where only async-signal-safe calls
        // are allowed: setrlimit is one, and `rlim` is a copy owned by the closure.
        unsafe {
            cmd.pre_exec(move || {
                if libc::setrlimit(libc::RLIMIT_AS, &rlim) == 0 { Ok(()) } else { Err(std::io::Error::last_os_error()) }
            });
        }
    }
    #[expect(clippy::zombie_processes, reason = "reaped by wait4 below, which also gives its peak RSS")]
    let mut child = cmd
        .arg("-p")
        .arg(plugins)
        .arg("-r")
        .arg(if stdin { Path::new("-") } else { pcap })
        .args(args)
        .arg("-w")
        .arg(format!("{}/", out.path().display()))
        .stdin(if stdin { Stdio::from(File::open(pcap).unwrap()) } else { Stdio::null() })
        .stdout(File::create(&stdout_path).unwrap())
        .stderr(File::create(&stderr_path).unwrap())
        .spawn()
        .expect("running tranalyzer");
    let pid = child.id() as libc::pid_t;
    let deadline = start + Duration::from_secs(300);
    let mut status = 0;
    // SAFETY: `rusage` is plain old data, valid when zeroed.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `pid` is our child, not yet reaped (std never waits for it: it is only
        // killed below); `status` and `usage` are valid for writes.
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        assert!(r >= 0, "wait4: {}", std::io::Error::last_os_error());
        if r == pid {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let wall = start.elapsed();
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    let stderr = std::fs::read_to_string(stderr_path).unwrap();
    let flows = flow_file(out.path()).unwrap_or_else(|| panic!("no flow file (status {status:#x}); stderr:\n{stderr}"));
    Measured {
        code,
        max_rss_kib: usage.ru_maxrss as u64,
        stdout: std::fs::read_to_string(stdout_path).unwrap(),
        stderr,
        flows,
        wall,
        _out: out,
    }
}

/// The one `*_flows.txt` file in `dir`.
fn flow_file(dir: &Path) -> Option<PathBuf> {
    let files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with("_flows.txt"))
        .collect();
    assert!(files.len() <= 1, "flow files in {}: {files:?}", dir.display());
    files.into_iter().next()
}

/// The number after `label` in the end report (`Number of processed      flows: 300000`).
fn report_count(log: &str, label: &str) -> u64 {
    report_line(log, label).unwrap_or_else(|| panic!("no '{label}' in\n{log}"))
}

/// The number after `label` in the end report, if the line is there.
fn report_line(log: &str, label: &str) -> Option<u64> {
    let line = log.lines().find_map(|l| l.strip_prefix(label))?;
    Some(line.trim_start_matches(':').split_whitespace().next().unwrap().parse().unwrap())
}

/// Reads the flow file: the flow indices in file order and which of them carry
/// `RMFLOW_HFULL`.
fn flow_rows(path: &Path) -> (Vec<u64>, Vec<u64>) {
    let mut lines = BufReader::new(File::open(path).expect("no flow file")).lines();
    let header = lines.next().unwrap().unwrap();
    let cols: Vec<&str> = header.trim_start_matches('%').split('\t').collect();
    let col = |name: &str| cols.iter().position(|c| *c == name).unwrap_or_else(|| panic!("no column {name}"));
    let (dir, ind, stat) = (col("dir"), col("flowInd"), col("flowStat"));
    let (mut all, mut hfull) = (Vec::new(), Vec::new());
    for line in lines {
        let line = line.unwrap();
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f[dir], "A", "one-packet flows have no B direction: {line}");
        let findex: u64 = f[ind].parse().unwrap();
        let status = u64::from_str_radix(f[stat].trim_start_matches("0x"), 16).unwrap();
        all.push(findex);
        if status & RMFLOW_HFULL != 0 {
            hfull.push(findex);
        }
    }
    (all, hfull)
}

/// T2's advice when the table first fills (core.md §4.5): hash factor ×
/// clamp(capture size / (24 + bytes processed + 16 × packets), 2, 16), the packet that found
/// the table full included. A capture read from stdin has no size.
fn advised_factor(capture_size: u64) -> u64 {
    let packets = TABLE + 1;
    (capture_size / (24 + packets * (RECORD - 16) + 16 * packets)).clamp(2, 16)
}

const AUTOPILOT_WRN: &str = "[WRN] Hash Autopilot: main HashMap full: flushing 1 oldest flow(s)";

/// A run at `-f 1` on a capture of `flows` flows: the autopilot warned once with T2's advice,
/// every flow is written once, the oldest `flows - TABLE` early with `RMFLOW_HFULL`, and the
/// end report agrees.
fn check_autopilot(what: &str, run: &Measured, flows: u64, capture_size: u64) {
    let log = format!("{}{}", run.stdout, run.stderr);
    assert_eq!(run.code, Some(0), "{what}: {log}");
    assert_eq!(log.matches(AUTOPILOT_WRN).count(), 1, "{what}: the warning once, when the table first fills:\n{log}");
    let hint = format!("[INF] Hash Autopilot: Fix: Invoke Tranalyzer with '-f {}'", advised_factor(capture_size));
    assert_eq!(log.matches(&hint).count(), 1, "{what}: expected '{hint}' once in\n{log}");
    assert_eq!(report_count(&run.stdout, "Number of processed packets"), flows, "{what}");
    assert_eq!(report_count(&run.stdout, "Number of processed      flows"), flows, "{what}");
    let removed = report_count(&run.stdout, "Number of flows terminated by autopilot");

    let (mut all, hfull) = flow_rows(&run.flows);
    assert_eq!(all.len() as u64, flows, "{what}: one row per flow");
    // the flushed flows come out first, oldest first, then the end-of-input flush
    assert!(all.is_sorted(), "{what}: flows not written oldest first");
    all.dedup();
    assert_eq!(all.len() as u64, flows, "{what}: a flow written twice");
    assert_eq!((all[0], all[all.len() - 1]), (1, flows), "{what}: a flow lost");
    // the table holds TABLE one-direction flows: each later flow pushed out the oldest one
    assert_eq!(removed, flows - TABLE, "{what}: autopilot counter");
    assert_eq!(hfull.len() as u64, removed, "{what}: rows with RMFLOW_HFULL vs the autopilot counter");
    assert!(hfull.iter().copied().eq(1..=removed), "{what}: the flushed flows are not the oldest ones");
}

#[test]
fn flow_flood_autopilot_and_bounded_memory() {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let (small, large) = (dir.path().join("flood.pcap"), dir.path().join("flood2.pcap"));
    let (small_size, large_size) = std::thread::scope(|s| {
        let big = s.spawn(|| write_flood(&large, 2 * N));
        (write_flood(&small, N), big.join().unwrap())
    });
    assert!(large_size > small_size);
    let generated = started.elapsed();
    let plugins = PluginDir::with(&["basicFlow", "txtSink"]);
    let p = plugins.path();
    // two workers, one per core of the CI machine, each about 2N flows
    let (file, n1, n2, f2) = std::thread::scope(|s| {
        let big = s.spawn(|| {
            (run_measured(p, &large, Input::Stdin, &[]), run_measured(p, &small, Input::Stdin, &["-f", "2"]))
        });
        let file = run_measured(p, &small, Input::File, &[]);
        let n1 = run_measured(p, &small, Input::Stdin, &[]);
        let (n2, f2) = big.join().unwrap();
        (file, n1, n2, f2)
    });
    eprintln!(
        "flood: {N} and {} flows generated in {generated:.1?}; peak RSS (wall time): N from the file {} KiB ({:.1?}), \
         N {} KiB ({:.1?}), 2N {} KiB ({:.1?}), N at -f 2 {} KiB ({:.1?}); total {:.1?}",
        2 * N,
        file.max_rss_kib,
        file.wall,
        n1.max_rss_kib,
        n1.wall,
        n2.max_rss_kib,
        n2.wall,
        f2.max_rss_kib,
        f2.wall,
        started.elapsed()
    );

    check_autopilot("N from the file", &file, N, small_size);
    check_autopilot("N from stdin", &n1, N, 0);
    check_autopilot("2N from stdin", &n2, 2 * N, 0);

    // twice the table: no autopilot, every flow written once at the end
    let log = format!("{}{}", f2.stdout, f2.stderr);
    assert_eq!(f2.code, Some(0), "-f 2: {log}");
    assert!(!log.contains("Hash Autopilot"), "-f 2: {log}");
    assert!(!log.contains("HashMap full"), "-f 2: {log}");
    assert_eq!(report_count(&f2.stdout, "Number of processed      flows"), N);
    assert_eq!(report_line(&f2.stdout, "Number of flows terminated by autopilot"), None);
    let (all, hfull) = flow_rows(&f2.flows);
    assert!(all.iter().copied().eq(1..=N), "-f 2: every flow once, in order");
    assert!(hfull.is_empty(), "-f 2: {} flows with RMFLOW_HFULL", hfull.len());

    // the table does not grow: twice the flows, the same peak memory (measured equal within
    // 1 MiB; a leak of 64 bytes per flushed flow exceeds this bound)
    assert!(
        n2.max_rss_kib <= n1.max_rss_kib + n1.max_rss_kib / 8 + 4 * 1024,
        "peak RSS grows with the number of flows: N {} KiB, 2N {} KiB",
        n1.max_rss_kib,
        n2.max_rss_kib
    );
    // the table is what takes the memory: twice the table, more memory
    assert!(
        f2.max_rss_kib > n2.max_rss_kib,
        "-f 2 ({} KiB) should need more than -f 1 ({} KiB)",
        f2.max_rss_kib,
        n2.max_rss_kib
    );
    // reading the file adds at most the window of its mapping that stays resident (8 MiB),
    // not the file (23 MB)
    assert!(
        file.max_rss_kib <= n1.max_rss_kib + 12 * 1024,
        "N from the file {} KiB vs from stdin {} KiB, file {} KiB",
        file.max_rss_kib,
        n1.max_rss_kib,
        small_size / 1024
    );
}

/// Peak RSS T2 users can expect for a small capture, whatever the table size.
const SMALL_RUN_KIB: u64 = 30 * 1024;

#[test]
fn memory_follows_the_flows_not_the_table_size() {
    let plugins = PluginDir::with(&DEFAULT_FIVE);
    let sample = rt2_tests::sample_pcap();
    let f1 = run_measured(plugins.path(), &sample, Input::File, &[]);
    // 1000 × 262144 flow slots: T2 would allocate them up front; nothing is touched for them
    let f1000 = run_measured(plugins.path(), &sample, Input::File, &["-f", "1000"]);
    eprintln!("sample.pcap peak RSS: -f 1 {} KiB, -f 1000 {} KiB", f1.max_rss_kib, f1000.max_rss_kib);
    for (what, run) in [("-f 1", &f1), ("-f 1000", &f1000)] {
        assert_eq!(run.code, Some(0), "{what}: {}{}", run.stdout, run.stderr);
        assert!(!run.stderr.contains("[ERR]"), "{what}: {}", run.stderr);
        assert!(run.max_rss_kib <= SMALL_RUN_KIB, "{what}: peak RSS {} KiB", run.max_rss_kib);
    }
    let rows = |m: &Measured| std::fs::read_to_string(&m.flows).unwrap();
    assert_eq!(rows(&f1), rows(&f1000), "the table size changes no flow");
    assert!(report_count(&f1.stdout, "Number of processed      flows") > 0);
}

#[test]
fn out_of_memory_is_one_error_line_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let pcap = dir.path().join("flood.pcap");
    write_flood(&pcap, N);
    let plugins = PluginDir::with(&["basicFlow", "txtSink"]);
    // the sample runs in less than a third of this; N flows need several times more
    let limit = 64 << 20;
    let sample = run_limited(plugins.path(), &rt2_tests::sample_pcap(), Input::Stdin, &[], Some(limit));
    assert_eq!(sample.code, Some(0), "a small run fits in the limit: {}", sample.stderr);
    let run = run_limited(plugins.path(), &pcap, Input::Stdin, &["-f", "2"], Some(limit));
    let log = format!("{}{}", run.stdout, run.stderr);
    assert_eq!(run.code, Some(1), "exit status 1, no abort: {log}");
    let errors: Vec<&str> = run.stderr.lines().filter(|l| l.starts_with("[ERR]")).collect();
    assert_eq!(errors.len(), 1, "{log}");
    assert!(errors[0].contains("memory"), "{log}");
    // the flows in memory when it failed are all written, in order, and the end report agrees
    let kept = report_count(&run.stdout, "Max number of flows in memory");
    assert!(kept > 0 && kept < N, "{log}");
    let (all, hfull) = flow_rows(&run.flows);
    assert!(all.iter().copied().eq(1..=kept), "flows 1..={kept} once each, got {} rows", all.len());
    assert!(hfull.is_empty());
    assert_eq!(report_count(&run.stdout, "Number of processed      flows"), kept);
}
