//! The live progress line: while a run reads its input, a line on stderr redrawn in place four
//! times a second with the bytes read of the input's size, packets, packets/s, flows in memory,
//! elapsed and remaining time, and the file number of `-R` and `-D`. An interface shows its
//! packets, rate and flows without a total.
//!
//! The packet loop only stores three counters per packet into a [`Meter`] (relaxed atomic
//! stores, plain moves on x86-64); a thread of its own reads them, formats the line and draws
//! it ([`Progress`]). The line is drawn only when stderr is a terminal, so it never reaches a
//! pipe, a file or the `-l` log, and [`crate::term`] erases it before any other output.
//!
//! Hand-written rather than through indicatif: the line must give way to the log, which shares
//! the terminal and is written by another thread than the one drawing, and must not be drawn
//! over a partial log line; that coordination is [`crate::term`], and what remains is the
//! formatting below.

use std::io::{self, IsTerminal};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering::Relaxed};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::capture::PacketSource;
use crate::capture::feed::{Feed, InputKind};
use crate::term;

/// How often the line is redrawn.
const TICK: Duration = Duration::from_millis(250);

/// Width assumed when the terminal does not tell its own.
const DEFAULT_WIDTH: usize = 80;

/// What the packet loop publishes for the progress thread.
#[derive(Debug, Default)]
pub struct Meter {
    packets: AtomicU64,
    /// Bytes of the current capture read so far.
    position: AtomicU64,
    flows: AtomicU64,
    /// Bytes of the captures read before the current one.
    before: AtomicU64,
    /// Size of the current capture (0: unknown).
    size: AtomicU64,
    /// Bytes of all captures (0: unknown, as for stdin, an interface or `-D`).
    total: AtomicU64,
    /// 1-based number of the capture being read.
    file: AtomicU32,
    /// Number of captures (0: unknown, `-D`).
    files: AtomicU32,
    /// Reading an interface.
    live: AtomicBool,
}

impl Meter {
    /// After each packet: packets so far, bytes of the current capture read, flows in memory.
    #[inline]
    pub fn packet(&self, packets: u64, position: u64, flows: usize) {
        self.packets.store(packets, Relaxed);
        self.position.store(position, Relaxed);
        self.flows.store(flows as u64, Relaxed);
    }

    /// The run started reading `source`, the current capture of `feed`.
    pub fn capture<S: PacketSource>(&self, source: &S, feed: &dyn Feed<S>) {
        let file = self.file.fetch_add(1, Relaxed) + 1;
        if file > 1 {
            self.before.fetch_add(self.size.load(Relaxed), Relaxed);
        }
        let size = source.file_size();
        let (total, files) = match feed.kind() {
            InputKind::List { total, count, .. } => (total, u32::try_from(count).unwrap_or(u32::MAX)),
            InputKind::Series { .. } => (0, 0),
            InputKind::Single => (size, 1),
        };
        self.position.store(0, Relaxed);
        self.size.store(size, Relaxed);
        self.total.store(total, Relaxed);
        self.files.store(files, Relaxed);
        self.live.store(source.rx_buffer().is_some(), Relaxed);
    }

    fn sample(&self) -> Sample {
        Sample {
            packets: self.packets.load(Relaxed),
            position: self.position.load(Relaxed),
            flows: self.flows.load(Relaxed),
            before: self.before.load(Relaxed),
            size: self.size.load(Relaxed),
            total: self.total.load(Relaxed),
            file: self.file.load(Relaxed),
            files: self.files.load(Relaxed),
            live: self.live.load(Relaxed),
        }
    }
}

/// The [`Meter`]'s values at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Sample {
    packets: u64,
    position: u64,
    flows: u64,
    before: u64,
    size: u64,
    total: u64,
    file: u32,
    files: u32,
    live: bool,
}

/// `x` with three significant digits and a decimal multiplier: `812`, `41.2k`, `2.41M`.
fn si(x: f64) -> String {
    const UNITS: [(f64, &str); 4] = [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")];
    match UNITS.iter().find(|(m, _)| x >= *m * 0.9995) {
        Some((m, u)) => {
            let v = x / m;
            let decimals = if v >= 99.95 {
                0
            } else if v >= 9.995 {
                1
            } else {
                2
            };
            format!("{v:.decimals$}{u}")
        }
        None => format!("{x:.0}"),
    }
}

/// `m:ss` or `h:mm:ss`.
fn clock(secs: f64) -> String {
    let s = secs.max(0.0) as u64;
    let (h, m, s) = (s / 3600, s / 60 % 60, s % 60);
    if h > 0 { format!("{h}:{m:02}:{s:02}") } else { format!("{m}:{s:02}") }
}

/// The line for `s`, `elapsed` seconds into the reading at `rate` packets/s, cut to `width`.
fn line(s: &Sample, elapsed: f64, rate: f64, width: usize) -> String {
    let mut parts = Vec::with_capacity(8);
    match s.files {
        0 => parts.push(format!("file {}", s.file)),
        1 => {}
        n => parts.push(format!("file {}/{n}", s.file)),
    }
    let read = s.before + s.position;
    // the share of the input read: of every capture when their total is known, else of the
    // current capture (`-D`, where more may follow)
    let (done, of) = if s.total > 0 { (read, s.total) } else { (s.position, s.size) };
    if of > 0 {
        let pct = 100.0 * done as f64 / of as f64;
        parts.push(format!("{}B/{}B {pct:.1}%", si(done as f64), si(of as f64)));
    } else if !s.live {
        parts.push(format!("{}B", si(read as f64)));
    }
    parts.push(format!("{} pkts", si(s.packets as f64)));
    parts.push(format!("{} pkts/s", si(rate)));
    parts.push(format!("{} flows", si(s.flows as f64)));
    parts.push(clock(elapsed));
    if s.total > 0 && read > 0 {
        let left = elapsed * (s.total.saturating_sub(read)) as f64 / read as f64;
        parts.push(format!("ETA {}", clock(left)));
    }
    let mut text = parts.join("  ");
    // one column spare: a line that fills the terminal would wrap on some terminals
    text.truncate(width.saturating_sub(1));
    text
}

/// Columns of the terminal on stderr.
fn width() -> usize {
    match rustix::termios::tcgetwinsize(io::stderr()) {
        Ok(w) if w.ws_col > 0 => usize::from(w.ws_col),
        _ => DEFAULT_WIDTH,
    }
}

/// Packets per second, smoothed over about a second of ticks.
#[derive(Debug)]
struct Rate {
    /// The previous sample: when, and the packets then.
    last: (Instant, u64),
    value: f64,
}

impl Rate {
    /// Counting from `packets` at `start`.
    fn new(start: Instant, packets: u64) -> Rate {
        Rate { last: (start, packets), value: 0.0 }
    }

    fn update(&mut self, now: Instant, packets: u64) -> f64 {
        let (t, p) = self.last;
        let dt = now.duration_since(t).as_secs_f64();
        if dt > 0.0 {
            let current = packets.saturating_sub(p) as f64 / dt;
            // an exponential average with a time constant of one second, from the first rate
            let a = dt / (dt + 1.0);
            self.value = if self.value == 0.0 { current } else { self.value + a * (current - self.value) };
        }
        self.last = (now, packets);
        self.value
    }
}

/// Whether a run shows the line: not turned off (`--no-progress`), the log not silenced
/// (`VERBOSE` = 0), stderr a terminal, and stdout not the terminal the flows go to (`-w -`).
pub fn wanted(off: bool, verbose: u8, flows_to_stdout: bool) -> bool {
    !off && verbose > 0 && io::stderr().is_terminal() && !(flows_to_stdout && io::stdout().is_terminal())
}

/// The thread drawing the line; dropping it stops the thread and erases the line.
#[derive(Debug)]
pub struct Progress {
    done: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Progress {
    /// Starts drawing what `meter` holds, the first time one tick from now; `None` when the
    /// thread cannot be started (the run goes on without the line).
    pub fn start(meter: Arc<Meter>) -> Option<Progress> {
        let done = Arc::new(AtomicBool::new(false));
        let stop = done.clone();
        let thread = thread::Builder::new().name("t2-progress".into()).spawn(move || draw_until(&meter, &stop)).ok()?;
        Some(Progress { done, thread: Some(thread) })
    }
}

/// Redraws the line every tick until `done`.
fn draw_until(meter: &Meter, done: &AtomicBool) {
    let start = Instant::now();
    let mut rate = Rate::new(start, meter.sample().packets);
    loop {
        thread::park_timeout(TICK);
        if done.load(Relaxed) {
            return;
        }
        let now = Instant::now();
        let s = meter.sample();
        let pps = rate.update(now, s.packets);
        term::draw(&line(&s, now.duration_since(start).as_secs_f64(), pps, width()));
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.done.store(true, Relaxed);
        if let Some(t) = self.thread.take() {
            t.thread().unpark();
            let _ = t.join();
        }
        term::erase();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_three_digits() {
        let cases = [
            (0.0, "0"),
            (999.0, "999"),
            (999.6, "1.00k"),
            (1234.0, "1.23k"),
            (41_234.0, "41.2k"),
            (812_345.0, "812k"),
            (2_410_000.0, "2.41M"),
            (3.25e9, "3.25G"),
        ];
        for (x, want) in cases {
            assert_eq!(si(x), want, "{x}");
        }
        assert_eq!(clock(5.9), "0:05");
        assert_eq!(clock(3599.0), "59:59");
        assert_eq!(clock(3723.0), "1:02:03");
    }

    #[test]
    fn a_file_shows_its_share_and_the_time_left() {
        let s = Sample {
            packets: 2_410_000,
            position: 1_000_000_000,
            flows: 41_234,
            size: 4e9 as u64,
            total: 4e9 as u64,
            file: 1,
            files: 1,
            ..Sample::default()
        };
        assert_eq!(
            line(&s, 10.0, 812_345.0, 200),
            "1.00GB/4.00GB 25.0%  2.41M pkts  812k pkts/s  41.2k flows  0:10  ETA 0:30"
        );
    }

    #[test]
    fn a_list_counts_its_files_and_every_byte() {
        // the second of three files, the first (300 bytes) read, 100 of this one
        let s = Sample { position: 100, before: 300, size: 300, total: 900, file: 2, files: 3, ..Sample::default() };
        let l = line(&s, 4.0, 0.0, 200);
        assert!(l.starts_with("file 2/3  400B/900B 44.4%  0 pkts"), "{l}");
        assert!(l.ends_with("0:04  ETA 0:05"), "{l}");
    }

    #[test]
    fn a_series_shows_the_current_file_without_an_end() {
        let s = Sample { position: 50, before: 1000, size: 200, file: 3, ..Sample::default() };
        let l = line(&s, 1.0, 0.0, 200);
        assert!(l.starts_with("file 3  50B/200B 25.0%  "), "{l}");
        assert!(!l.contains("ETA"), "{l}");
    }

    #[test]
    fn an_interface_has_no_total() {
        let s = Sample { packets: 12, flows: 3, file: 1, files: 1, live: true, ..Sample::default() };
        assert_eq!(line(&s, 65.0, 2.5, 200), "12 pkts  2 pkts/s  3 flows  1:05");
        // stdin: the bytes read, no share
        let s = Sample { packets: 12, position: 4000, file: 1, files: 1, ..Sample::default() };
        assert!(line(&s, 1.0, 0.0, 200).starts_with("4.00kB  12 pkts"));
    }

    #[test]
    fn the_line_fits_the_terminal() {
        let s = Sample { packets: 1, position: 1, size: 2, total: 2, file: 1, files: 1, ..Sample::default() };
        assert_eq!(line(&s, 0.0, 0.0, 20).len(), 19);
    }

    #[test]
    fn the_rate_follows_the_packets() {
        let t = Instant::now();
        let mut r = Rate::new(t, 0);
        assert_eq!(r.update(t + Duration::from_secs(1), 1000), 1000.0);
        // a quiet second halves it
        assert_eq!(r.update(t + Duration::from_secs(2), 1000), 500.0);
    }
}
