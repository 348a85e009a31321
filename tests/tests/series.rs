//! `-D` beyond plain numbered names (core.md §1.3): candidate names with shell wildcards, `~`
//! and `$VAR`, expanded to the first match in sorted order, and the human monitoring report's
//! input block while the series waits for its next file (monitoring.md §6 item 5).

use rt2_tests::{LiveRun, PluginDir, put_sample, run_t2, sample_pcap};

fn plugins() -> PluginDir {
    PluginDir::with(&["basicFlow", "txtSink"])
}

/// The number after `label: ` in the end report.
fn report_num(out: &str, label: &str) -> u64 {
    let line =
        out.lines().rfind(|l| l.starts_with(&format!("{label}: "))).unwrap_or_else(|| panic!("no {label}:\n{out}"));
    line[label.len() + 2..].split(' ').next().unwrap().parse().unwrap()
}

fn packets(out: &str) -> u64 {
    report_num(out, "Number of processed packets")
}

#[test]
fn wildcard_names_take_the_first_match() {
    let p = plugins();
    let one = run_t2(p.path(), &["-r", sample_pcap().to_str().unwrap()]);
    let dir = tempfile::tempdir().unwrap();
    // the second number has two candidates: the first in sorted order is read
    for f in ["dump_p1_a.pcap", "dump_p2_b.pcap", "dump_p2_c.pcap"] {
        put_sample(dir.path(), f);
    }
    let spec = format!("{}/dump_p1_*.pcap:_p,2", dir.path().display());
    let run = run_t2(p.path(), &["-D", &spec]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    let out = run.stdout();
    for f in ["dump_p1_a.pcap", "dump_p2_b.pcap"] {
        assert!(out.contains(&format!("Processing file: {}\n", dir.path().join(f).display())), "{out}");
    }
    assert!(!out.contains("dump_p2_c.pcap"), "{out}");
    assert_eq!(packets(&out), 2 * packets(&one.stdout()));
}

#[test]
fn home_and_variables_are_expanded() {
    let p = plugins();
    let one = run_t2(p.path(), &["-r", sample_pcap().to_str().unwrap()]);
    let dir = tempfile::tempdir().unwrap();
    put_sample(dir.path(), "cap_p07_x.pcap");
    put_sample(dir.path(), "cap_p08_y.pcap");
    let run = |spec: &str| {
        // number 8 is the last: a name that did not expand would wait for ever
        let env = [("HOME", dir.path()), ("RT2_SERIES_DIR", dir.path())];
        LiveRun::spawn_env(p.path(), &["-D", spec], &env).finish(30.0).stdout()
    };
    for spec in ["~/cap_p07_*.pcap:_p,8", "$RT2_SERIES_DIR/cap_p07_?.pcap:_p,8", "${RT2_SERIES_DIR}/cap_p07_[xy]*:_p,8"]
    {
        let stdout = run(spec);
        for f in ["cap_p07_x.pcap", "cap_p08_y.pcap"] {
            let line = format!("Processing file: {}\n", dir.path().join(f).display());
            assert!(stdout.contains(&line), "{spec}: {stdout}");
        }
        assert_eq!(packets(&stdout), 2 * packets(&one.stdout()), "{spec}");
    }
}

#[test]
fn report_while_waiting_names_the_current_file() {
    let p = plugins();
    let one = run_t2(p.path(), &["-r", sample_pcap().to_str().unwrap()]);
    let dir = tempfile::tempdir().unwrap();
    put_sample(dir.path(), "dump_p1_a.pcap");
    put_sample(dir.path(), "dump_p2_b.pcap");
    let spec = format!("{}/dump_p1_*.pcap:_p,3", dir.path().display());
    let bg = LiveRun::spawn(p.path(), &["-D", &spec]);
    let second = format!("Processing file: {}\n", dir.path().join("dump_p2_b.pcap").display());
    // the dot of the first poll for number 3 comes after the second file's lines
    let waiting = bg.wait_stdout(20.0, |s| s.find(&second).is_some_and(|i| s[i..].contains("\n.")));
    assert!(waiting, "no wait for number 3:\n{}", bg.stdout());
    bg.signal("USR1");
    let reported = bg.wait_stdout(20.0, |s| s.contains(&format!("{}\n\n", "=".repeat(80))));
    assert!(reported, "no report:\n{}", bg.stdout());
    let out = bg.stdout();
    let report = &out[out.find("USR1 A type report: ").unwrap()..];
    let lines: Vec<&str> = report.lines().collect();
    let at = lines.iter().position(|l| l.starts_with("Elapsed time: ")).unwrap();
    let size = std::fs::metadata(sample_pcap()).unwrap().len();
    let pkts = packets(&one.stdout());
    let bytes = report_num(&one.stdout(), "Number of processed bytes");
    // T2's formula: one pcap header, the series' bytes so far (float product, double quotient)
    let pct = f64::from(100.0f32 * (24 + 2 * bytes + 32 * pkts) as f32) / (2 * size) as f64;
    assert_eq!(lines[at + 1], format!("Current file: {}", dir.path().join("dump_p2_b.pcap").display()), "{report}");
    assert_eq!(lines[at + 2], "Link layer type: Ethernet [EN10MB/1]", "{report}");
    assert_eq!(lines[at + 3], "Snapshot length: 65535 (65.53 K)", "{report}");
    assert_eq!(lines[at + 4], format!("Percentage completed: {pct:.2}%"), "{report}");
    // progress taken as 1: nothing remains
    assert_eq!(lines[at + 5], "Remaining time: 0.000000000 sec", "{report}");
    assert!(lines[at + 6].starts_with("ETF: "), "{report}");
    assert!(!report.contains("Total bytes processed so far"), "{report}");

    // number 3 appears, matching the pattern: the series goes on and ends with it
    put_sample(dir.path(), "dump_p3_late.pcap");
    let run = bg.finish(30.0);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    let out = run.stdout();
    assert!(out.contains(&format!("Processing file: {}\n", dir.path().join("dump_p3_late.pcap").display())), "{out}");
    assert_eq!(packets(&out), 3 * pkts);
}
