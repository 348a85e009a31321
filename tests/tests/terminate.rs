//! SIGTERM while the run writes its flows at the end of the input (issue: a SIGTERM during the
//! final flush lost flows silently). The flow file is a FIFO the test drains when it wants, so
//! the run is provably in the middle of the flush, blocked on a full pipe, when the signals come:
//! one SIGTERM there still writes every flow and the end report; a second stops the flush at
//! the next flow, says how many flows were not written, and exits with status 1.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rt2_tests::{PluginDir, tranalyzer};
use tranalyzer::testing::{Ip, L4, PcapWriter, ethernet, ip_packet};

/// One-packet UDP flows, all within two seconds: none times out before the end of the input,
/// so nothing but the header reaches the flow file before the final flush. Their lines are far
/// more than a pipe and the flow file's buffer hold.
const FLOWS: u64 = 20_000;

fn write_capture(path: &Path) {
    let mut w = PcapWriter::new(BufWriter::new(File::create(path).unwrap()), 1, 65535).unwrap();
    for i in 0..FLOWS {
        let src = [10, 1, (i >> 8) as u8, i as u8];
        let ip = ip_packet(&Ip::V4(src, [192, 168, 0, 1]), i as u16, &L4::Udp(20_000, 53, b"term"));
        let frame = ethernet([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2], &[], 0x0800, &ip);
        w.packet(1_700_000_000 + (i / 10_000) as u32, (i % 10_000) as u32 * 100, &frame).unwrap();
    }
    w.into_inner().flush().unwrap();
}

/// A run whose flow file is a FIFO the test reads, with stdout and stderr collected.
struct Blocked {
    child: Child,
    fifo: File,
    stdout: Arc<Mutex<Vec<u8>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
    /// What the test read from the flow file so far.
    flows: Vec<u8>,
}

/// Collects everything `pipe` yields into the returned buffer, on a thread.
fn collect(mut pipe: impl Read + Send + 'static) -> Arc<Mutex<Vec<u8>>> {
    let out = Arc::new(Mutex::new(Vec::new()));
    let sink = out.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n @ 1..) = pipe.read(&mut buf) {
            sink.lock().unwrap().extend_from_slice(&buf[..n]);
        }
    });
    out
}

impl Blocked {
    /// Starts `tranalyzer -r PCAP -w DIR/t` with `DIR/t_flows.txt` a FIFO, and waits until the
    /// final flush has written its first flow line and blocks on the full pipe.
    fn start(plugins: &Path, pcap: &Path, dir: &Path) -> Blocked {
        let fifo_path: PathBuf = dir.join("t_flows.txt");
        let made = Command::new("mkfifo").arg(&fifo_path).status().expect("running mkfifo");
        assert!(made.success(), "mkfifo {} failed", fifo_path.display());
        // opened before the writer, non-blocking, so neither side waits for the other
        let fifo =
            File::options().read(true).custom_flags(libc::O_NONBLOCK).open(&fifo_path).expect("opening the FIFO");
        let mut child = Command::new(tranalyzer())
            .arg("-p")
            .arg(plugins)
            .arg("-r")
            .arg(pcap)
            .arg("-w")
            .arg(dir.join("t"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("running tranalyzer");
        let stdout = collect(child.stdout.take().unwrap());
        let stderr = collect(child.stderr.take().unwrap());
        let mut run = Blocked { child, fifo, stdout, stderr, flows: Vec::new() };
        let end = Instant::now() + Duration::from_secs(60);
        // the header may come first; a flow line means the flush is under way
        while !run.flows.split(|&b| b == b'\n').any(|l| !l.is_empty() && l[0] != b'%') {
            assert!(Instant::now() < end, "no flow line within 60 s: {}", run.stderr());
            if run.read_some() == 0 {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        run
    }

    /// Reads what the pipe holds now (at most 4 KiB); returns how much.
    fn read_some(&mut self) -> usize {
        let mut buf = [0u8; 4096];
        match self.fifo.read(&mut buf) {
            Ok(n) => {
                self.flows.extend_from_slice(&buf[..n]);
                n
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => 0,
            Err(e) => panic!("reading the FIFO: {e}"),
        }
    }

    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned()
    }

    fn signal(&self, name: &str) {
        let ok = Command::new("kill").arg(format!("-{name}")).arg(self.child.id().to_string()).status();
        assert!(ok.is_ok_and(|s| s.success()), "kill -{name} failed");
    }

    /// Waits (at most 10 s) until stderr holds `text`.
    fn wait_stderr(&self, text: &str) {
        let end = Instant::now() + Duration::from_secs(10);
        while !self.stderr().contains(text) {
            assert!(Instant::now() < end, "stderr never said {text:?}: {}", self.stderr());
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Drains the flow file until the run exits; returns its exit code, the number of flow
    /// lines, stdout and stderr.
    fn drain(mut self) -> (Option<i32>, usize, String, String) {
        let end = Instant::now() + Duration::from_secs(60);
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            assert!(Instant::now() < end, "tranalyzer did not exit within 60 s");
            if self.read_some() == 0 {
                std::thread::sleep(Duration::from_millis(5));
            }
        };
        while self.read_some() > 0 {}
        // the collecting threads end with the pipes
        let end = Instant::now() + Duration::from_secs(5);
        while (Arc::strong_count(&self.stdout) > 1 || Arc::strong_count(&self.stderr) > 1) && Instant::now() < end {
            std::thread::sleep(Duration::from_millis(10));
        }
        let text = String::from_utf8(self.flows.clone()).expect("a UTF-8 flow file");
        let lines = text.lines().filter(|l| !l.starts_with('%')).count();
        let stdout = String::from_utf8_lossy(&self.stdout.lock().unwrap()).into_owned();
        (status.code(), lines, stdout, self.stderr())
    }
}

fn setup() -> (PluginDir, tempfile::TempDir, PathBuf) {
    let plugins = PluginDir::with(&["basicFlow", "txtSink"]);
    let dir = tempfile::tempdir().unwrap();
    let pcap = dir.path().join("flows.pcap");
    write_capture(&pcap);
    (plugins, dir, pcap)
}

#[test]
fn a_sigterm_during_the_final_flush_still_writes_every_flow_and_the_end_report() {
    let (plugins, dir, pcap) = setup();
    let run = Blocked::start(plugins.path(), &pcap, dir.path());
    run.signal("TERM");
    run.wait_stderr("[WRN] SIGTERM: still writing the remaining flows and the end report");
    let (code, lines, stdout, stderr) = run.drain();
    assert_eq!(code, Some(0), "stderr: {stderr}");
    assert_eq!(lines as u64, FLOWS, "every flow is written");
    assert!(
        stdout.contains(&format!("Number of processed      flows: {FLOWS}")),
        "the end report is printed:\n{stdout}"
    );
    assert!(!stderr.contains("[ERR]"), "nothing was lost: {stderr}");
}

#[test]
fn a_second_sigterm_stops_the_flush_and_says_how_many_flows_were_not_written() {
    let (plugins, dir, pcap) = setup();
    let run = Blocked::start(plugins.path(), &pcap, dir.path());
    run.signal("TERM");
    run.wait_stderr("[WRN] SIGTERM: still writing");
    run.signal("TERM");
    run.wait_stderr("[WRN] SIGTERM again");
    let (code, lines, _, stderr) = run.drain();
    assert_eq!(code, Some(1), "flows were lost: status 1; stderr: {stderr}");
    let said = stderr
        .lines()
        .find_map(|l| l.strip_prefix("[ERR] SIGTERM again: stopped writing flows, "))
        .and_then(|rest| rest.strip_suffix(" flows not written"))
        .unwrap_or_else(|| panic!("no count of the flows not written: {stderr}"));
    let lost: u64 = said.parse().expect("a number of flows");
    assert!(lost > 0 && (lines as u64) < FLOWS, "the flush was stopped early: {lines} lines, {lost} lost");
    assert_eq!(lines as u64 + lost, FLOWS, "written and not written add up to every flow");
}
