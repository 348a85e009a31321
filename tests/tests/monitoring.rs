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

#[test]
fn sigint_writes_the_flows_so_far_and_the_end_report() {
    let plugins = PluginDir::with(&["basicFlow", "txtSink"]);
    let (header, records) = sample();
    let mut run = LiveRun::start(plugins.path(), &header, &["-l"]);
    run.feed(&records[..10].concat());
    run.wait_ready();
    run.signal("INT");
    std::thread::sleep(Duration::from_millis(200));
    run.feed(&records[10]);
    // the pipe stays open: the signal, not the end of the input, ends the run
    assert_eq!(run.wait_exit(10.0), Some(0));
    let log = run.file("_log.txt").expect("a log file");
    assert!(log.contains("[INF] SIGINT: Remove all flows and exit"), "{log}");
    assert!(log.contains("Number of processed packets: 11\n"), "{log}");
    assert!(log.contains("Number of processed      flows: "), "{log}");
    let flows = run.file("_flows.txt").expect("a flow file");
    let rows = flows.lines().filter(|l| !l.starts_with('%')).count();
    // the whole sample has 17 flow rows; 11 packets make fewer
    assert!((5..17).contains(&rows), "{flows}");
}
