//! Input modes beyond one capture: `-R` (a list of captures read as one stream), `-D` (numbered
//! captures, waiting for the next one) and BPF filters (trailing words or `-F FILE`).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rt2_tests::{PluginDir, Run, run_t2, sample_pcap, shared_pcap, tranalyzer};

fn plugins() -> PluginDir {
    PluginDir::with(&["basicFlow", "txtSink"])
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The number after `label: ` in the end report (first one).
fn report_num(run: &Run, label: &str) -> u64 {
    let out = run.stdout();
    let line =
        out.lines().find(|l| l.starts_with(&format!("{label}: "))).unwrap_or_else(|| panic!("no {label}:\n{out}"));
    line[label.len() + 2..].split(' ').next().unwrap().parse().unwrap()
}

/// Number of flows (A rows) of a run.
fn flow_count(run: &Run) -> usize {
    run.flows().rows.iter().filter(|r| r[0] == "A").count()
}

fn error_lines(run: &Run) -> Vec<String> {
    run.stderr().lines().filter(|l| l.starts_with("[ERR]")).map(str::to_owned).collect()
}

#[test]
fn list_of_captures_is_one_stream() {
    let (Some(dns), Some(http)) = (shared_pcap("dns-udp.pcap"), shared_pcap("http-session.pcap")) else {
        return;
    };
    let p = plugins();
    let single = |f: &Path| run_t2(p.path(), &["-r", path(f)]);
    let (a, b) = (single(&dns), single(&http));
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("list.txt");
    let missing = dir.path().join("missing.pcap");
    let body = format!("# captures\n{}\n{}\n{}\n", dns.display(), missing.display(), http.display());
    std::fs::write(&list, body).unwrap();
    let run = run_t2(p.path(), &["-R", path(&list)]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    let out = run.stdout();
    assert!(out.contains(&format!("Processing list file: {}\n", list.display())), "{out}");
    assert!(out.contains(&format!("Processing file no. 2 of 2: {}\n", http.display())), "{out}");
    assert_eq!(out.matches("Finished unloading flow memory").count(), 1);
    // one pcapng in the list: below 100% as in T2
    assert!(out.contains("Percentage completed: "), "{out}");
    let packets = |r: &Run| report_num(r, "Number of processed packets");
    assert_eq!(packets(&run), packets(&a) + packets(&b));
    assert_eq!(flow_count(&run), flow_count(&a) + flow_count(&b));
    // the output is named after the list
    assert!(run.out.path().join("list_flows.txt").is_file());
    let err = format!("[ERR] Failed to open file '{}' for reading: No such file or directory", missing.display());
    assert_eq!(error_lines(&run), [err]);
}

#[test]
fn list_of_the_same_sample_twice() {
    let p = plugins();
    let s = sample_pcap();
    let one = run_t2(p.path(), &["-r", path(&s)]);
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("twice.txt");
    std::fs::write(&list, format!("{0}\n#{0}\n{0}\n", s.display())).unwrap();
    let run = run_t2(p.path(), &["-R", path(&list)]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    let n = |r: &Run| report_num(r, "Number of processed packets");
    assert_eq!(n(&run), 2 * n(&one));
    assert_eq!(report_num(&run, "Number of pcap bytes"), 2 * report_num(&one, "Number of pcap bytes"));
    assert!(run.stdout().contains("Processing file no. 2 of 2: "));
}

#[test]
fn list_errors_are_fatal() {
    let p = plugins();
    let dir = tempfile::tempdir().unwrap();
    let none = dir.path().join("none.txt");
    std::fs::write(&none, format!("# nothing usable\n{}\n", dir.path().join("gone.pcap").display())).unwrap();
    let run = run_t2(p.path(), &["-R", path(&none)]);
    assert_eq!(run.code(), Some(1));
    assert_eq!(error_lines(&run).last().unwrap(), &format!("[ERR] No valid files found in {}", none.display()));
    let binary = dir.path().join("bin.txt");
    std::fs::write(&binary, b"\x01\x02\xff\xfe").unwrap();
    let run = run_t2(p.path(), &["-R", path(&binary)]);
    assert_eq!(run.code(), Some(1));
    assert_eq!(error_lines(&run), [format!("[ERR] '{}' is not a valid list of PCAP files", binary.display())]);
    assert!(run.file("_flows.txt").is_none());
}

#[test]
fn numbered_series_waits_for_the_next_file() {
    let p = plugins();
    let s = sample_pcap();
    let one = run_t2(p.path(), &["-r", path(&s)]);
    let dir = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let name = |n: u32| dir.path().join(format!("dump{n:02}.pcap"));
    std::fs::copy(&s, name(0)).unwrap();
    std::fs::copy(&s, name(1)).unwrap();
    let spec = format!("{}:dump,2", name(0).display());
    let child = Command::new(tranalyzer())
        .args(["-p", path(p.path()), "-D", &spec, "-w", &format!("{}/", out.path().display())])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // dump02 appears while tranalyzer waits for it
    std::thread::sleep(Duration::from_millis(1500));
    let tmp = dir.path().join("partial");
    std::fs::copy(&s, &tmp).unwrap();
    std::fs::rename(&tmp, name(2)).unwrap();
    let start = Instant::now();
    let output = child.wait_with_output().unwrap();
    assert!(start.elapsed() < Duration::from_secs(30));
    let run = Run { output, out };
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    let stdout = run.stdout();
    for n in 0..3 {
        assert!(stdout.contains(&format!("Processing file: {}\n", name(n).display())), "{stdout}");
    }
    assert!(stdout.contains('.'), "a dot per poll");
    let n = |r: &Run| report_num(r, "Number of processed packets");
    assert_eq!(n(&run), 3 * n(&one));
    assert!(run.out.path().join("dump00_flows.txt").is_file());
}

#[test]
fn series_format_error() {
    let p = plugins();
    let run = run_t2(p.path(), &["-D", "trace.log"]);
    assert_eq!(run.code(), Some(1));
    assert_eq!(error_lines(&run), ["[ERR] Option '-D': Invalid format, expected 'expr[:schr][,stop]'"]);
    assert!(run.stdout().contains("Try 'tranalyzer -h' for more information."));
}

#[test]
fn bpf_from_trailing_words() {
    let p = plugins();
    let s = sample_pcap();
    let all = run_t2(p.path(), &["-r", path(&s)]);
    let run = run_t2(p.path(), &["-r", path(&s), "tcp"]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    assert!(run.stdout().contains("[INF] BPF: tcp\n"));
    let flows = run.flows();
    let proto = flows.columns.iter().position(|c| c == "l4Proto").unwrap();
    assert!(!flows.rows.is_empty());
    assert!(flows.rows.iter().all(|r| r[proto] == "6"), "only TCP flows");
    let tcp_all = all.flows().rows.iter().filter(|r| r[proto] == "6").count();
    assert_eq!(flows.rows.len(), tcp_all);
    // filtered packets are counted nowhere
    assert!(report_num(&run, "Number of processed packets") < report_num(&all, "Number of processed packets"));
}

#[test]
fn bpf_lengths_are_wire_lengths() {
    // most packets of this capture are cut at 96 bytes: `greater`/`less` see the wire length
    let Some(cut) = shared_pcap("truncated-snaplen96.pcap") else { return };
    let (_, records) = rt2_tests::pcap_records(&std::fs::read(&cut).unwrap());
    let len = |r: &Vec<u8>, at: usize| u32::from_le_bytes(r[at..at + 4].try_into().unwrap());
    let long = records.iter().filter(|r| len(r, 12) >= 200).count() as u64;
    assert!(records.iter().any(|r| len(r, 12) >= 200 && len(r, 8) < 200), "no cut long packet");
    let p = plugins();
    for (filter, expected) in [("greater 200", long), ("less 199", records.len() as u64 - long)] {
        let run = run_t2(p.path(), &["-r", path(&cut), filter]);
        assert_eq!(run.code(), Some(0), "{}", run.stderr());
        assert_eq!(report_num(&run, "Number of processed packets"), expected, "{filter}");
    }
}

#[test]
fn bpf_from_file_with_comments() {
    let p = plugins();
    let s = sample_pcap();
    let f = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(f.path(), "# DNS only\nport 53 # both ways\n\n").unwrap();
    // trailing words are ignored with -F
    let run = run_t2(p.path(), &["-r", path(&s), "-F", path(f.path()), "tcp"]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    let flows = run.flows();
    assert!(!flows.rows.is_empty());
    let col = |n: &str| flows.columns.iter().position(|c| c == n).unwrap();
    let (sp, dp) = (col("srcPort"), col("dstPort"));
    assert!(flows.rows.iter().all(|r| r[sp] == "53" || r[dp] == "53"), "only DNS flows");
}

#[test]
fn invalid_bpf_is_fatal() {
    let p = plugins();
    let s = sample_pcap();
    let run = run_t2(p.path(), &["-r", path(&s), "port", "5x"]);
    assert_eq!(run.code(), Some(1));
    let errors = error_lines(&run);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("[ERR] pcap_compile failed: 'port 5x' is not a valid BPF: "), "{errors:?}");
    assert!(run.file("_flows.txt").is_none());

    let run = run_t2(p.path(), &["-D", &format!("{}:sam", path(&s)), "tcp", "and"]);
    assert_eq!(run.code(), Some(1));
    let errors = error_lines(&run);
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].starts_with("[ERR] pcap_compile failed: 'tcp and' is not a valid BPF: "));
    assert_eq!(errors[1], "[ERR] -D option requires \"\" for regex, RTFM");
}
