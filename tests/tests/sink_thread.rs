//! txtSink and jsonSink render flow records on worker threads beside the packet thread when the
//! run may use more than one (plugin-api's `offload`; `--threads`, by default the cores it may
//! run on), and on the packet thread with `--threads 1` or `-c` (one core): the runs of a large
//! generated capture write the same flow files, byte for byte, with one worker or several, and
//! the end report says how many threads each could use.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use rt2_tests::{DEFAULT_FIVE, LiveRun, PluginDir, tranalyzer};
use tranalyzer::testing::{Ip, L4, PcapWriter, Tcp, ethernet, ip_packet, tcp};

/// The start of the worker threads' names (plugin-api's `offload`).
const WORKER: &str = "sink-worker-";

/// 140,000 packets over 100 simulated seconds: TCP connections (handshake, data, FIN) and UDP
/// exchanges of 30,000 hosts, IPv4 and IPv6, so that flows end all through the run (FIN, idle
/// timeouts) and at the end, with lines of many lengths.
fn capture() -> Vec<u8> {
    let mut w = PcapWriter::new(Vec::new(), 1, 65535).unwrap();
    let mut payload = Vec::new();
    for i in 0..30_000u32 {
        let (sec, usec) = (1_700_000_000 + i / 300, (i % 300) * 3000);
        let host = [10, (i >> 16) as u8, (i >> 8) as u8, i as u8];
        let (ip, rev) = if i % 5 == 0 {
            let mut a = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
            a[12..].copy_from_slice(&host);
            let mut b = a;
            b[15] ^= 0xff;
            (Ip::V6(a, b), Ip::V6(b, a))
        } else {
            let server = [192, 168, (i % 7) as u8, 1];
            (Ip::V4(host, server), Ip::V4(server, host))
        };
        payload.clear();
        payload.resize((i % 1400) as usize, b'a' + (i % 26) as u8);
        let sport = 1024 + (i % 60_000) as u16;
        // from the client (`up`) or the server
        let seg = |up: bool, seq, ack, flags, data: &[u8]| {
            let (ip, sport, dport) = if up { (&ip, sport, 80) } else { (&rev, 80, sport) };
            let t = Tcp { sport, dport, seq, ack, flags, win: 65535, opts: &[], payload: data };
            ip_packet(ip, i as u16, &L4::Tcp(t))
        };
        let n = payload.len() as u32;
        let packets: Vec<Vec<u8>> = if i % 3 == 0 {
            vec![
                ip_packet(&ip, i as u16, &L4::Udp(sport, 53, &payload)),
                ip_packet(&rev, i as u16, &L4::Udp(53, sport, b"answer")),
            ]
        } else {
            vec![
                seg(true, 1, 0, tcp::SYN, &[]),
                seg(false, 100, 2, tcp::SYN | tcp::ACK, &[]),
                seg(true, 2, 101, tcp::ACK | tcp::PSH, &payload),
                seg(true, 2 + n, 101, tcp::ACK | tcp::FIN, &[]),
                seg(false, 101, 3 + n, tcp::ACK | tcp::FIN, b"bye"),
                seg(true, 3 + n, 105, tcp::ACK, &[]),
            ]
        };
        let ethertype = if matches!(ip, Ip::V6(..)) { 0x86dd } else { 0x0800 };
        for (k, p) in packets.iter().enumerate() {
            let frame = ethernet([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2], &[], ethertype, p);
            w.packet(sec, usec + k as u32 * 10, &frame).unwrap();
        }
    }
    w.into_inner()
}

/// Whether process `pid` has a thread named `name`.
/// How many threads of process `pid` have a name starting with `name`.
fn threads_named(pid: u32, name: &str) -> usize {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else { return 0 };
    tasks
        .filter_map(Result::ok)
        .filter(|t| std::fs::read_to_string(t.path().join("comm")).is_ok_and(|c| c.starts_with(name)))
        .count()
}

/// Runs on `pcap` with `args`, and returns the flow files (text, then JSON) and the thread
/// count the end report gives.
fn flows(plugins: &Path, pcap: &Path, args: &[&str]) -> ((Vec<u8>, Vec<u8>), u32) {
    let out = tempfile::tempdir().unwrap();
    let run = Command::new(tranalyzer())
        .arg("-p")
        .arg(plugins)
        .arg("-r")
        .arg(pcap)
        .args(args)
        .arg("-w")
        .arg(out.path().join("x"))
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let report = String::from_utf8_lossy(&run.stdout);
    let line = report.lines().find(|l| l.starts_with("Finished processing. Elapsed time: "));
    let threads = line.and_then(|l| l.rsplit_once(", threads: ")).and_then(|(_, n)| n.parse().ok());
    let threads = threads.unwrap_or_else(|| panic!("no thread count in the end report:\n{report}"));
    let read = |suffix: &str| std::fs::read(out.path().join(format!("x{suffix}"))).unwrap();
    ((read("_flows.txt"), read("_flows.json")), threads)
}

#[test]
fn one_core_and_two_write_the_same_flow_files() {
    let mut five_and_json = DEFAULT_FIVE.to_vec();
    five_and_json.push("jsonSink");
    let plugins = PluginDir::with(&five_and_json);
    let dir = tempfile::tempdir().unwrap();
    let pcap = dir.path().join("many.pcap");
    let mut f = BufWriter::new(File::create(&pcap).unwrap());
    f.write_all(&capture()).unwrap();
    f.into_inner().unwrap().sync_all().unwrap();

    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as u32;
    let (threaded, n) = flows(plugins.path(), &pcap, &["--threads", "2"]);
    assert_eq!(n, 2);
    let lines = |text: &[u8]| text.iter().filter(|&&b| b == b'\n').count();
    assert!(lines(&threaded.0) > 59_000, "{} lines", lines(&threaded.0));
    assert_eq!(lines(&threaded.1), lines(&threaded.0) - 1, "one object per flow line after the header");
    let runs = [(&["--threads", "1"][..], 1), (&["-c", "1"][..], 1), (&[][..], cores), (&["--threads", "4"][..], 4)];
    for (args, want) in runs {
        let (inline, n) = flows(plugins.path(), &pcap, args);
        assert_eq!(n, want, "{args:?}");
        for (kind, a, b) in [("text", &threaded.0, &inline.0), ("JSON", &threaded.1, &inline.1)] {
            assert!(a == b, "{args:?}: the {kind} flow files differ ({} and {} bytes)", a.len(), b.len());
        }
    }
}

/// Which runs have workers: one less than the threads the run may use (the packet thread is
/// one), by default the machine's cores, none with `-c` or `--threads 1`.
#[test]
fn the_workers_are_the_threads_beside_the_packet_thread() {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let plugins = PluginDir::with(&DEFAULT_FIVE);
    let pcap = capture();
    let (header, records) = pcap.split_at(24);
    let cases = [
        (&[][..], (cores - 1).min(8)),
        (&["-c", "1"][..], 0),
        (&["--threads", "1"][..], 0),
        (&["--threads", "2"][..], 1),
        (&["--threads", "4"][..], 3),
    ];
    for (args, want) in cases {
        let mut run = LiveRun::start(plugins.path(), header, args);
        run.feed(&records[..records.len() / 2]);
        // txtSink is up once its flow file exists; the worker starts right after it
        let end = Instant::now() + Duration::from_secs(20);
        while run.file("_flows.txt").is_none() && Instant::now() < end {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(run.file("_flows.txt").is_some(), "no flow file in {}", run.out.path().display());
        let pid = run.child.id();
        let end = Instant::now() + Duration::from_secs(if want > 0 { 10 } else { 1 });
        let mut seen = threads_named(pid, WORKER);
        while seen != want && Instant::now() < end {
            std::thread::sleep(Duration::from_millis(10));
            seen = threads_named(pid, WORKER);
        }
        assert_eq!(seen, want, "{args:?} on {cores} cores");
        run.feed(&records[records.len() / 2..]);
        run.close();
        let done = run.finish(60.0);
        assert!(done.output.status.success(), "{}", String::from_utf8_lossy(&done.output.stderr));
    }
}
