//! Bad input: missing, empty, foreign, truncated and corrupt captures, bad options, a missing
//! plugin folder, an output folder that does not exist. Each gets one clear error line, exit
//! status 1 where the run cannot go on, and what was read before the damage is written out.

use std::path::Path;

use rt2_tests::{PluginDir, Run, run_t2, sample_pcap};

fn run_with(args: &[&str]) -> Run {
    let plugins = PluginDir::with(&["basicFlow", "txtSink"]);
    run_t2(plugins.path(), args)
}

/// The run failed with exactly one `[ERR]` line on stderr, equal to `line`.
fn assert_fails_with(run: &Run, line: &str) {
    assert_eq!(run.code(), Some(1), "{}", run.stderr());
    let errors: Vec<&str> = run
        .output
        .stderr
        .split(|&b| b == b'\n')
        .filter_map(|l| std::str::from_utf8(l).ok())
        .filter(|l| l.starts_with("[ERR]"))
        .collect();
    assert_eq!(errors, [line], "stderr:\n{}", run.stderr());
}

/// The sample's records as (offset, length) pairs, file header excluded.
fn records(pcap: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut off = 24;
    while off + 16 <= pcap.len() {
        let caplen = u32::from_le_bytes(pcap[off + 8..off + 12].try_into().unwrap()) as usize;
        out.push((off, 16 + caplen));
        off += 16 + caplen;
    }
    out
}

fn write_temp(bytes: &[u8]) -> tempfile::NamedTempFile {
    let f = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(f.path(), bytes).unwrap();
    f
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn missing_capture() {
    let run = run_with(&["-r", "/nonexistent/capture.pcap"]);
    assert_fails_with(
        &run,
        "[ERR] Failed to open file '/nonexistent/capture.pcap' for reading: No such file or directory",
    );
}

#[test]
fn empty_capture() {
    let f = write_temp(b"");
    let run = run_with(&["-r", path(f.path())]);
    assert_fails_with(&run, &format!("[ERR] PCAP file '{}' is empty", f.path().display()));
}

#[test]
fn directory_as_capture() {
    let d = tempfile::tempdir().unwrap();
    let run = run_with(&["-r", path(d.path())]);
    assert_fails_with(&run, &format!("[ERR] Failed to read data from file '{}'", d.path().display()));
}

#[test]
fn text_file_as_capture() {
    let f = write_temp(b"#!/bin/sh\necho this is not a capture\n");
    let run = run_with(&["-r", path(f.path())]);
    assert_fails_with(&run, &format!("[ERR] File '{}' is not a valid PCAP/PCAP-NG file", f.path().display()));
}

#[test]
fn capture_shorter_than_its_header() {
    let f = write_temp(&[0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0]);
    let run = run_with(&["-r", path(f.path())]);
    assert_fails_with(
        &run,
        &format!(
            "[ERR] pcap_open_offline failed for '{}': truncated dump file; tried to read 24 file header bytes, only got 6",
            f.path().display()
        ),
    );
}

#[test]
fn truncated_capture_keeps_every_complete_packet() {
    let pcap = std::fs::read(sample_pcap()).unwrap();
    let recs = records(&pcap);
    // cut the 13th record (the server's second response segment) in the middle
    let (off, len) = recs[12];
    let f = write_temp(&pcap[..off + len / 2]);
    let run = run_with(&["-r", path(f.path())]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    let log = run.stdout();
    let warning = format!(
        "[WRN] pcap_dispatch failed: truncated dump file; tried to read {} captured bytes, only got {}\n",
        len - 16,
        len / 2 - 16
    );
    assert!(log.contains(&warning), "{log}");
    assert!(log.contains("Number of processed packets: 12\n"), "{log}");
    // ARP x2, DNS x2, and the HTTP connection up to the server's first response segment
    let flows = run.flows();
    assert_eq!(flows.rows.len(), 8);
    assert_eq!(flows.get("B", 5, "timeLast"), "1768471200.203100000");
}

#[test]
fn corrupt_record_length_is_reported_and_earlier_packets_kept() {
    let mut pcap = std::fs::read(sample_pcap()).unwrap();
    let (off, _) = records(&pcap)[4];
    pcap[off + 8..off + 12].copy_from_slice(&0x7fff_ffffu32.to_le_bytes());
    let f = write_temp(&pcap);
    let run = run_with(&["-r", path(f.path())]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    let log = run.stdout();
    assert!(
        log.contains(
            "[WRN] pcap_dispatch failed: invalid packet capture length 2147483647, bigger than snaplen of 65535\n"
        ),
        "{log}"
    );
    // the four packets before the damage: two ARP frames and both DNS queries
    let flows = run.flows();
    assert!(flows.rows.len() >= 4, "{:?}", flows.rows);
    assert_eq!(flows.get("A", 3, "dstPort"), "53");
    assert_eq!(flows.get("A", 4, "srcIP"), "2001:db8:1::a");
}

#[test]
fn missing_plugin_folder() {
    let run = run_t2(Path::new("/nonexistent/plugins"), &["-r", path(&sample_pcap())]);
    assert_fails_with(&run, "[ERR] Failed to scan plugin folder '/nonexistent/plugins/': No such file or directory");
}

#[test]
fn empty_plugin_folder_still_reports() {
    let plugins = PluginDir::empty();
    let run = run_t2(plugins.path(), &["-r", path(&sample_pcap())]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    let log = run.stdout();
    assert!(log.contains(&format!("[WRN] No valid plugins found in folder '{}/'", plugins.path().display())), "{log}");
    assert!(log.contains("Number of processed packets: 30\n"), "{log}");
    assert!(run.file("_flows.txt").is_none(), "no sink, no flow file");
}

#[test]
fn bad_option_values() {
    let sample = sample_pcap();
    for (args, error) in [
        (&["-f", "0"][..], "[ERR] Option '-f': Hash factor must be greater than 0"),
        (&["-f", "abc"][..], "[ERR] Option '-f': expected a number, found 'abc'"),
        (&["-q"][..], "[ERR] Unknown option '-q'"),
    ] {
        let mut all = args.to_vec();
        all.extend(["-r", path(&sample)]);
        let run = run_with(&all);
        assert_fails_with(&run, error);
        assert!(run.stdout().contains("Try 'tranalyzer -h' for more information."), "{args:?}: {}", run.stdout());
    }
}

#[test]
fn no_input_option() {
    let run = run_with(&[]);
    assert_fails_with(&run, "[ERR] One of '-r', '-R', '-D' or '-i' option is required");
}

/// Runs the sample with `-w PREFIX`, PREFIX inside a fresh temporary folder made by `setup`.
fn run_with_prefix(setup: impl FnOnce(&Path) -> std::path::PathBuf) -> (Run, std::path::PathBuf) {
    let plugins = PluginDir::with(&["basicFlow", "txtSink"]);
    let out = tempfile::tempdir().unwrap();
    let prefix = setup(out.path());
    let output = std::process::Command::new(rt2_tests::tranalyzer())
        .arg("-p")
        .arg(plugins.path())
        .args(["-r", path(&sample_pcap()), "-w", path(&prefix)])
        .output()
        .unwrap();
    (Run { output, out }, prefix)
}

#[test]
fn output_folder_is_created() {
    let (run, prefix) = run_with_prefix(|d| d.join("new/folder/sample"));
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    assert!(Path::new(&format!("{}_flows.txt", prefix.display())).is_file());
}

#[test]
fn output_folder_that_cannot_be_created() {
    let (run, prefix) = run_with_prefix(|d| {
        std::fs::write(d.join("file"), b"").unwrap();
        d.join("file/sample")
    });
    let dir = prefix.parent().unwrap();
    assert_fails_with(&run, &format!("[ERR] Failed to create directory '{}': File exists", dir.display()));
}

#[test]
fn flow_file_that_cannot_be_opened() {
    let (run, prefix) = run_with_prefix(|d| {
        std::fs::create_dir(d.join("sample_flows.txt")).unwrap();
        d.join("sample")
    });
    assert_fails_with(
        &run,
        &format!("[ERR] txtSink: Failed to open file '{}_flows.txt' for writing: Is a directory", prefix.display()),
    );
}
