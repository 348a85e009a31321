//! Monitoring with signals (monitoring.md §3.2, core.md §8) on the default build (real-time
//! base, human reports on stdout): a `tranalyzer` reads the sample capture from a pipe the test
//! feeds packet by packet, and the test sends it real signals. A request is served after the
//! next packet, so each signal is followed by one more packet.

use std::time::Duration;

use rt2_tests::{LiveRun, PluginDir, pcap_records, sample_pcap};

const REPORT: &str = "USR1 A type report: Tranalyzer 0.9.3";

fn sample() -> (Vec<u8>, Vec<Vec<u8>>) {
    pcap_records(&std::fs::read(sample_pcap()).expect("samples/sample.pcap"))
}

fn reports(run: &LiveRun) -> usize {
    run.stdout().matches(REPORT).count()
}

#[test]
fn sigusr1_prints_one_report() {
    let plugins = PluginDir::with(&["basicFlow", "txtSink"]);
    let (header, records) = sample();
    let mut run = LiveRun::start(plugins.path(), &header, &["-l"]);
    run.feed(&records[..5].concat());
    run.wait_ready();
    run.signal("USR1");
    std::thread::sleep(Duration::from_millis(200));
    run.feed(&records[5]);
    assert!(run.wait_stdout(10.0, |s| {
        s.contains("================================================================================\n\n")
    }));
    let out = run.stdout();
    assert_eq!(reports(&run), 1, "{out}");
    // served after the next packet the core reads: the sixth, or an earlier one when the core
    // had not yet drained the pipe (a loaded machine)
    let report = &out[out.find(REPORT).unwrap()..];
    let processed: usize = report
        .lines()
        .find_map(|l| l.strip_prefix("Number of processed packets: "))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no packet count in\n{report}"));
    assert!((1..=6).contains(&processed), "{report}");
    assert!(out.contains("                                       oo                                       \n"));
    run.feed(&records[6..].concat());
    run.close();
    assert_eq!(run.wait_exit(10.0), Some(0));
    assert_eq!(reports(&run), 1, "no report without a request");
    assert!(run.file("_log.txt").unwrap().contains("Number of processed packets: 30\n"));
}

#[test]
fn sigusr2_starts_and_stops_periodic_reports() {
    let plugins = PluginDir::with(&["basicFlow", "txtSink"]);
    let (header, records) = sample();
    let mut run = LiveRun::start(plugins.path(), &header, &["-l", "-M", "0.2"]);
    run.feed(&records[0]);
    run.wait_ready();
    run.signal("USR2");
    // 1.5 s of packets: about 7 periodic reports
    for r in &records[1..16] {
        std::thread::sleep(Duration::from_millis(100));
        run.feed(r);
    }
    let on = reports(&run);
    assert!(on >= 3, "{on} reports while periodic reports are on");
    run.signal("USR2");
    std::thread::sleep(Duration::from_millis(300));
    run.feed(&records[16]);
    std::thread::sleep(Duration::from_millis(200));
    let off = reports(&run);
    for r in &records[17..27] {
        std::thread::sleep(Duration::from_millis(100));
        run.feed(r);
    }
    assert_eq!(reports(&run), off, "reports after the second SIGUSR2");
    run.feed(&records[27..].concat());
    run.close();
    assert_eq!(run.wait_exit(10.0), Some(0));
}

/// Flow rows of a flow file.
fn rows(flows: &str) -> usize {
    flows.lines().filter(|l| !l.starts_with('%')).count()
}

const SOFT: &str = "[INF] SIGINT: Stop flow creation, when all pending flows timeout (182s): exit\n";
const HARD: &str = "[INF] SIGINT: Remove all flows and exit\n";

/// Sends `signal` and feeds one packet, after which the core serves it.
fn signal_then_feed(run: &mut LiveRun, signal: &str, record: &[u8]) {
    run.signal(signal);
    std::thread::sleep(Duration::from_millis(200));
    run.feed(record);
}

/// Runs the first `n` packets of the sample to their end; the number of flow rows.
fn rows_of_first(plugins: &PluginDir, n: usize) -> usize {
    let (header, records) = sample();
    let mut run = LiveRun::start(plugins.path(), &header, &[]);
    run.feed(&records[..n].concat());
    run.close();
    assert_eq!(run.wait_exit(10.0), Some(0));
    rows(&run.file("_flows.txt").expect("a flow file"))
}

#[test]
fn first_sigint_stops_flow_creation_and_the_run_ends_with_the_last_flow() {
    let plugins = PluginDir::with(&["basicFlow", "txtSink"]);
    let (header, records) = sample();
    // the 18th packet starts a flow of its own
    let before = rows_of_first(&plugins, 17);
    assert!(rows_of_first(&plugins, 18) > before, "the sample changed");
    let mut run = LiveRun::start(plugins.path(), &header, &[]);
    run.feed(&records[..17].concat());
    run.wait_ready();
    // served after the next packet: one of a flow that exists (the 17th again)
    signal_then_feed(&mut run, "INT", &records[16]);
    assert!(run.wait_stdout(10.0, |s| s.contains(SOFT)), "{}", run.stdout());
    run.feed(&records[17]);
    // a packet 200 s later: every flow has timed out (182 s) before it, and it starts none
    let mut late = records[18].clone();
    let sec = u32::from_le_bytes(late[..4].try_into().unwrap()) + 200;
    late[..4].copy_from_slice(&sec.to_le_bytes());
    run.feed(&late);
    // the pipe stays open: the drained flow table ends the run
    assert_eq!(run.wait_exit(10.0), Some(0), "{}", run.stdout());
    let out = run.stdout();
    assert!(!out.contains(HARD), "{out}");
    assert!(out.contains("Number of processed packets: 20\n"), "{out}");
    let got = rows(&run.file("_flows.txt").expect("a flow file"));
    assert_eq!(got, before, "no flow started after the first SIGINT");
}

#[test]
fn second_sigint_writes_the_flows_so_far_and_the_end_report() {
    let plugins = PluginDir::with(&["basicFlow", "txtSink"]);
    let (header, records) = sample();
    let mut run = LiveRun::start(plugins.path(), &header, &["-l"]);
    run.feed(&records[..10].concat());
    run.wait_ready();
    signal_then_feed(&mut run, "INT", &records[10]);
    let soft_logged = || run.file("_log.txt").is_some_and(|l| l.contains(SOFT));
    let end = std::time::Instant::now() + Duration::from_secs(10);
    while !soft_logged() && std::time::Instant::now() < end {
        std::thread::sleep(Duration::from_millis(20));
    }
    signal_then_feed(&mut run, "INT", &records[11]);
    // the pipe stays open: the signal, not the end of the input, ends the run
    assert_eq!(run.wait_exit(10.0), Some(0));
    let log = run.file("_log.txt").expect("a log file");
    let (soft, hard) = (log.find(SOFT), log.find(HARD));
    assert!(soft.is_some() && hard.is_some() && soft < hard, "{log}");
    assert!(log.contains("Number of processed packets: 12\n"), "{log}");
    assert!(log.contains("Number of processed      flows: "), "{log}");
    let flows = run.file("_flows.txt").expect("a flow file");
    // the whole sample has 17 flow rows; 12 packets make fewer
    assert!((5..17).contains(&rows(&flows)), "{flows}");
}

#[test]
fn third_sigint_stops_writing_flows() {
    let plugins = PluginDir::with(&["basicFlow", "txtSink"]);
    let (header, records) = sample();
    let mut run = LiveRun::start(plugins.path(), &header, &[]);
    run.feed(&records[..10].concat());
    run.wait_ready();
    // three in a row before the core serves them: all three levels are logged in order
    for _ in 0..3 {
        run.signal("INT");
        std::thread::sleep(Duration::from_millis(100));
    }
    run.feed(&records[10]);
    assert_eq!(run.wait_exit(10.0), Some(0));
    let out = run.stdout();
    let at = |m: &str| out.find(m).unwrap_or_else(|| panic!("no '{m}' in\n{out}"));
    assert!(at(SOFT) < at(HARD) && at(HARD) < at("[INF] SIGINT: Terminate, terminate.\n"), "{out}");
    // no flow written, the end report still printed
    assert_eq!(rows(&run.file("_flows.txt").expect("a flow file")), 0);
    assert!(out.contains("Number of processed packets: 11\n"), "{out}");
}
