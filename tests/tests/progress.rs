//! The live progress line on stderr (issue 15), watched through a pseudo-terminal the tests
//! open: drawn and redrawn in place while a run reads, erased before other output and at the
//! end; never a byte of it through a pipe, in the `-l` log or with `--no-progress`; and the
//! output it shares a terminal with reads as it does without it.
//!
//! The runs read `-D` series or stdin, which wait for the test between files or records, so
//! the line has time to be drawn however fast the machine is.

use std::fs::File;
use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rt2_tests::{LiveRun, PluginDir, pcap_records, put_sample, sample_pcap, tranalyzer};

/// Clears from the cursor to the end of the line: ends every drawing of the progress line,
/// and, after a carriage return, erases it.
const CLEAR: &str = "\x1b[K";

fn plugins() -> PluginDir {
    PluginDir::with(&["basicFlow", "txtSink"])
}

/// Packets of the sample capture.
fn sample_packets() -> usize {
    pcap_records(&std::fs::read(sample_pcap()).unwrap()).1.len()
}

/// A pseudo-terminal 200 columns wide (so the line is never cut): the end the test reads and
/// the end the program writes to.
fn pty() -> (File, File) {
    use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
    let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY).expect("opening a pseudo-terminal");
    grantpt(&master).unwrap();
    unlockpt(&master).unwrap();
    let name = ptsname(&master, Vec::new()).unwrap();
    let slave = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NOCTTY)
        .open(name.to_str().unwrap())
        .expect("opening the terminal end");
    let size = rustix::termios::Winsize { ws_row: 24, ws_col: 200, ws_xpixel: 0, ws_ypixel: 0 };
    rustix::termios::tcsetwinsize(&slave, size).unwrap();
    (File::from(master), slave)
}

/// A `tranalyzer` with its stderr on a pseudo-terminal, its stdout there too or in a file,
/// and its stdin a pipe the test may feed.
struct TermRun {
    child: Child,
    stdin: Option<ChildStdin>,
    /// Everything written to the terminal so far.
    screen: Arc<Mutex<Vec<u8>>>,
    reader: Option<std::thread::JoinHandle<()>>,
    /// The output folder (`-w OUT/`); `stdout.txt` in it when stdout is not the terminal.
    out: tempfile::TempDir,
}

impl TermRun {
    fn spawn(plugins: &Path, args: &[&str], stdout_on_terminal: bool) -> TermRun {
        let (mut master, slave) = pty();
        let out = tempfile::tempdir().unwrap();
        let stdout = if stdout_on_terminal { Stdio::from(slave.try_clone().unwrap()) } else { stdout_file(out.path()) };
        let prefix = format!("{}/", out.path().display());
        let child = Command::new(tranalyzer())
            .arg("-p")
            .arg(plugins)
            .args(args)
            .args(["-w", &prefix])
            .stdin(Stdio::piped())
            .stdout(stdout)
            .stderr(slave)
            .spawn()
            .expect("running tranalyzer");
        // the command and its copies of the terminal end are gone: the terminal reads as
        // closed (EIO) once the program exits
        let screen = Arc::new(Mutex::new(Vec::new()));
        let sink = screen.clone();
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = master.read(&mut buf) {
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        let mut run = TermRun { child, stdin: None, screen, reader: Some(reader), out };
        run.stdin = run.child.stdin.take();
        run
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.screen.lock().unwrap()).into_owned()
    }

    /// Waits up to 20 s until `cond(what the terminal shows)` holds.
    fn wait_screen(&self, what: &str, cond: impl Fn(&str) -> bool) {
        let end = Instant::now() + Duration::from_secs(20);
        while !cond(&self.screen()) {
            assert!(Instant::now() < end, "{what}: the terminal shows {:?}", self.screen());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits up to 20 s until stdout (a file) holds `text`.
    fn wait_stdout(&self, text: &str) {
        let end = Instant::now() + Duration::from_secs(20);
        while !self.stdout().contains(text) {
            assert!(Instant::now() < end, "no {text:?} on stdout: {:?}", self.stdout());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn stdout(&self) -> String {
        std::fs::read_to_string(self.out.path().join("stdout.txt")).unwrap_or_default()
    }

    fn signal(&self, name: &str) {
        let ok = Command::new("kill").arg(format!("-{name}")).arg(self.child.id().to_string()).status();
        assert!(ok.is_ok_and(|s| s.success()), "kill -{name} failed");
    }

    fn feed(&mut self, bytes: &[u8]) {
        let w = self.stdin.as_mut().unwrap();
        w.write_all(bytes).unwrap();
        w.flush().unwrap();
    }

    /// Closes stdin, waits for the exit (at most 30 s) and for the terminal to be read to
    /// its end; the exit code.
    fn finish(&mut self) -> Option<i32> {
        self.stdin = None;
        let end = Instant::now() + Duration::from_secs(30);
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            assert!(Instant::now() < end, "tranalyzer did not exit: {:?}", self.screen());
            std::thread::sleep(Duration::from_millis(20));
        };
        self.reader.take().unwrap().join().unwrap();
        status.code()
    }

    /// The file the run wrote with `suffix`.
    fn file(&self, suffix: &str) -> String {
        let dir = std::fs::read_dir(self.out.path()).unwrap();
        let path = dir.map(|e| e.unwrap().path()).find(|p| p.to_string_lossy().ends_with(suffix)).unwrap();
        std::fs::read_to_string(path).unwrap()
    }
}

impl Drop for TermRun {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A folder with the first file of a `-D` series and the series' argument (up to `stop`); the
/// run waits for the next file, `dump_p2.pcap`.
fn series(stop: u32) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    put_sample(dir.path(), "dump_p1.pcap");
    let spec = format!("{}/dump_p1.pcap:_p,{stop}", dir.path().display());
    (dir, spec)
}

fn stdout_file(dir: &Path) -> Stdio {
    Stdio::from(File::create(dir.join("stdout.txt")).unwrap())
}

/// The progress lines drawn on `screen`, in order: what follows a carriage return up to a
/// clear to the end of the line, on one line.
fn draws(screen: &str) -> Vec<&str> {
    screen.split('\r').filter_map(|s| s.strip_suffix(CLEAR)).filter(|d| !d.is_empty() && !d.contains('\n')).collect()
}

/// `screen` without the progress lines and their erasures.
fn without_line(screen: &str) -> String {
    screen.split('\r').filter(|s| s.strip_suffix(CLEAR).is_none_or(|d| d.contains('\n'))).collect::<Vec<_>>().join("\r")
}

/// The lines a terminal shows after `screen`: carriage returns, clears to the end of the line
/// and colours applied as a terminal applies them.
fn render(screen: &str) -> Vec<String> {
    let mut lines = vec![Vec::new()];
    let mut col = 0;
    let mut chars = screen.chars();
    while let Some(c) = chars.next() {
        let line = lines.last_mut().unwrap();
        match c {
            '\r' => col = 0,
            '\n' => {
                lines.push(Vec::new());
                col = 0;
            }
            '\x1b' => {
                // a control sequence: `[`, parameters, a final letter; colours change no text
                assert_eq!(chars.next(), Some('['), "an escape other than a control sequence");
                if chars.by_ref().find(char::is_ascii_alphabetic) == Some('K') {
                    line.truncate(col);
                }
            }
            _ => {
                if col < line.len() {
                    line[col] = c;
                } else {
                    line.push(c);
                }
                col += 1;
            }
        }
    }
    lines.into_iter().map(|l| l.into_iter().collect()).collect()
}

#[test]
fn the_line_is_drawn_and_redrawn_in_place() {
    let p = plugins();
    let n = sample_packets();
    let (dir, spec) = series(3);
    let mut run = TermRun::spawn(p.path(), &["-D", &spec], false);
    // while the series waits for number 2, the line shows the first file read to its end and
    // is redrawn as the time passes
    let first = format!("file 1  7.88kB/7.88kB 100.0%  {n} pkts  ");
    run.wait_screen("two drawings of file 1", |s| draws(s).iter().filter(|d| d.starts_with(&first)).count() >= 2);
    put_sample(dir.path(), "dump_p2.pcap");
    let second = format!("file 2  7.88kB/7.88kB 100.0%  {} pkts  ", 2 * n);
    run.wait_screen("file 2", |s| draws(s).iter().any(|d| d.starts_with(&second)));
    put_sample(dir.path(), "dump_p3.pcap");
    assert_eq!(run.finish(), Some(0));
    let screen = run.screen();
    // every drawing is a whole line: the counts, the rate, the flows and the elapsed time
    for d in draws(&screen) {
        let fields: Vec<&str> = d.split("  ").collect();
        assert_eq!(fields.len(), 6, "{d:?}");
        assert!(fields[0].starts_with("file "), "{d:?}");
        assert!(fields[3].ends_with(" pkts/s") && fields[4].ends_with(" flows"), "{d:?}");
        assert!(fields[5].starts_with("0:"), "{d:?}");
    }
    // nothing else on stderr, and the line erased at the end
    assert_eq!(without_line(&screen), "", "{screen:?}");
    assert!(screen.ends_with(&format!("\r{CLEAR}")), "{screen:?}");
    let stdout = run.stdout();
    assert!(stdout.contains(&format!("Number of processed packets: {}\n", 3 * n)), "{stdout}");
}

#[test]
fn no_byte_of_it_through_a_pipe() {
    let p = plugins();
    let (dir, spec) = series(2);
    let bg = LiveRun::spawn(p.path(), &["-D", &spec]);
    // waiting for number 2 (its dots on stdout), long enough for several drawings
    assert!(bg.wait_stdout(20.0, |s| s.contains("\n.")), "{}", bg.stdout());
    std::thread::sleep(Duration::from_millis(1500));
    put_sample(dir.path(), "dump_p2.pcap");
    let run = bg.finish(30.0);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    assert_eq!(run.stderr(), "");
    assert!(!run.stdout().contains(CLEAR), "{}", run.stdout());
}

#[test]
fn no_byte_of_it_with_no_progress() {
    let p = plugins();
    let (dir, spec) = series(2);
    let mut run = TermRun::spawn(p.path(), &["--no-progress", "-D", &spec], false);
    run.wait_stdout("\n.");
    std::thread::sleep(Duration::from_millis(1500));
    put_sample(dir.path(), "dump_p2.pcap");
    assert_eq!(run.finish(), Some(0));
    assert_eq!(run.screen(), "");
    assert!(run.stdout().contains(&format!("Number of processed packets: {}\n", 2 * sample_packets())));
}

/// A `-l -D` run of two sample files that gets a SIGUSR1 while it waits for the second (with
/// `-l` no dots are printed while waiting): the monitoring report is on stdout and the rest of
/// the log in the log file. Its stdout as lines and its log, the folder name replaced by `DIR`.
fn report_while_waiting(on_terminal: bool) -> (Vec<String>, String) {
    let p = plugins();
    let (dir, spec) = series(2);
    let name = dir.path().display().to_string();
    if !on_terminal {
        let bg = LiveRun::spawn(p.path(), &["-l", "-D", &spec]);
        bg.wait_ready();
        // the 30 packets of the first file are read long before
        std::thread::sleep(Duration::from_secs(1));
        bg.signal("USR1");
        assert!(bg.wait_stdout(20.0, reported), "{}", bg.stdout());
        put_sample(dir.path(), "dump_p2.pcap");
        let run = bg.finish(30.0);
        assert_eq!(run.code(), Some(0));
        let lines = run.stdout().replace(&name, "DIR").lines().map(str::to_owned).collect();
        return (lines, run.file("_log.txt").unwrap().replace(&name, "DIR"));
    }
    // stdout on the terminal as well
    let mut run = TermRun::spawn(p.path(), &["-l", "-D", &spec], true);
    run.wait_screen("the first file read", |s| draws(s).iter().any(|d| d.contains(" 100.0% ")));
    run.signal("USR1");
    // the line gives way to the report and comes back after it
    run.wait_screen("the report, then the line", |s| {
        reported(s) && s.rfind(&"=".repeat(80)).is_some_and(|i| !draws(&s[i..]).is_empty())
    });
    put_sample(dir.path(), "dump_p2.pcap");
    assert_eq!(run.finish(), Some(0));
    (render(&run.screen().replace(&name, "DIR")), run.file("_log.txt").replace(&name, "DIR"))
}

#[test]
fn the_line_gives_way_to_other_output_and_stays_out_of_the_log() {
    let (screen, log) = report_while_waiting(true);
    let (mut want, plain_log) = report_while_waiting(false);
    // the terminal shows the report as a pipe receives it, and nothing of the line
    want.push(String::new());
    assert_eq!(masked(&screen), masked(&want));
    assert!(log.contains(&format!("Number of processed packets: {}\n", 2 * sample_packets())), "{log}");
    for bad in ["\r", "\x1b", "pkts/s", "file 1"] {
        assert!(!log.contains(bad), "{bad:?} in the log:\n{log}");
    }
    assert_eq!(masked(&[log]), masked(&[plain_log]));
}

/// Lines with every number replaced by `#`: the PID, dates, elapsed times and memory figures
/// of two runs differ.
fn masked(lines: &[String]) -> Vec<String> {
    let mask = |l: &String| {
        let mut out = String::new();
        for c in l.chars() {
            match c {
                '0'..='9' if out.ends_with('#') => {}
                '0'..='9' => out.push('#'),
                _ => out.push(c),
            }
        }
        out
    };
    lines.iter().map(mask).collect()
}

/// The human monitoring report SIGUSR1 asks for, whole.
fn reported(out: &str) -> bool {
    out.find("USR1 A type report").is_some_and(|i| out[i..].contains(&"=".repeat(80)))
}

#[test]
fn the_output_on_the_terminal_reads_as_without_the_line() {
    let p = plugins();
    let (header, records) = pcap_records(&std::fs::read(sample_pcap()).unwrap());
    let half = records.len() / 2;
    // stdout and stderr on one terminal, stdin fed in two halves with a pause between
    let mut run = TermRun::spawn(p.path(), &["-r", "-"], true);
    run.feed(&header);
    run.feed(&records[..half].concat());
    // stdin has no size: the bytes read, no share and no time left
    let read = header.len() + records[..half].iter().map(Vec::len).sum::<usize>();
    let shown = format!("{:.2}kB  {half} pkts  ", read as f64 / 1000.0);
    run.wait_screen("the first half", |s| draws(s).iter().any(|d| d.starts_with(&shown)));
    run.feed(&records[half..].concat());
    assert_eq!(run.finish(), Some(0));
    let screen = render(&run.screen());

    let mut plain = LiveRun::start(p.path(), &header, &[]);
    plain.feed(&records.concat());
    plain.close();
    let plain = plain.finish(30.0);
    assert_eq!(plain.code(), Some(0));
    let mut want: Vec<String> = plain.stdout().lines().map(str::to_owned).collect();
    // the terminal's last line is the empty one the cursor rests on
    want.push(String::new());
    assert_eq!(masked(&screen), masked(&want));
}
