//! The one writer of `[INF]`/`[WRN]`/`[ERR]` lines and their colours (plugin-abi.md §12), and
//! the output streams that report their own write errors ([`Stream`]).
//!
//! Colours are written only when the stream is a terminal (T2 writes them everywhere; the
//! reference comparison strips them).

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::Path;

use plugin_api::abi::level;
use plugin_api::fmt::{human, percent};

use crate::term;

const RESET: &str = "\x1b[0m";

/// Message kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `[INF]`, blue.
    Info,
    /// `[OK]`, green.
    Ok,
    /// `[WRN]`, yellow.
    Warn,
    /// `[ERR]`, red.
    Err,
}

impl Kind {
    fn tag(self) -> &'static str {
        match self {
            Kind::Info => "[INF]",
            Kind::Ok => "[OK]",
            Kind::Warn => "[WRN]",
            Kind::Err => "[ERR]",
        }
    }

    fn colours(self) -> (&'static str, &'static str) {
        match self {
            Kind::Info => ("\x1b[1;34m", "\x1b[0;34m"),
            Kind::Ok => ("\x1b[1;32m", "\x1b[0;32m"),
            Kind::Warn => ("\x1b[1;33m", "\x1b[0;33m"),
            Kind::Err => ("\x1b[1;31m", "\x1b[0;31m"),
        }
    }
}

/// Formats a tagged line: `[WRN] msg` (or `[WRN] plugin: msg`).
pub fn tagged(kind: Kind, plugin: Option<&str>, msg: &str, colour: bool) -> String {
    let (bold, light) = kind.colours();
    match (plugin, colour) {
        (None, false) => format!("{} {msg}", kind.tag()),
        (None, true) => format!("{bold}{}{RESET} {light}{msg}{RESET}", kind.tag()),
        (Some(p), false) => format!("{} {p}: {msg}", kind.tag()),
        (Some(p), true) => format!("{bold}{} {p}:{RESET} {light}{msg}{RESET}", kind.tag()),
    }
}

/// Writes one `[ERR]` line to stderr (colour when stderr is a terminal).
pub fn error(msg: &str) {
    stderr_line(Kind::Err, None, msg);
}

/// Writes one `[ERR] <plugin>: msg` line to stderr.
pub fn plugin_error(plugin: &str, msg: &str) {
    stderr_line(Kind::Err, Some(plugin), msg);
}

/// Writes one tagged line to stderr, the progress line erased first.
pub fn stderr_line(kind: Kind, plugin: Option<&str>, msg: &str) {
    let mut line = tagged(kind, plugin, msg, io::stderr().is_terminal());
    line.push('\n');
    term::write_stderr(line.as_bytes());
}

/// An output stream of the run (the log, the monitoring stream, the packet file) that keeps
/// going when the disk is full: the first write error is reported at once as one `[ERR]` line
/// naming the stream and the OS error, later writes are dropped, and [`Stream::failed`] tells
/// the end of the run to exit with status 1. Writing to it never fails.
///
/// A broken pipe on standard output is not an error: the reader stopped on purpose
/// (`t2 ... | head`); the rest is dropped silently and the run ends normally, as ripgrep does.
pub struct Stream {
    w: Box<dyn Write>,
    /// What the error line calls it: `file '<name>'` or `standard output`.
    name: String,
    /// Standard output, where a broken pipe is no error.
    stdout: bool,
    state: StreamState,
}

/// Whether a [`Stream`] still writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum StreamState {
    Open,
    /// A write failed and was reported.
    Failed,
    /// Standard output's reader went away.
    Closed,
}

impl core::fmt::Debug for Stream {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Stream").field("name", &self.name).field("state", &self.state).finish()
    }
}

impl Stream {
    /// `w`, called `name` in its error line.
    pub fn new(w: Box<dyn Write>, name: String) -> Stream {
        Stream { w, name, stdout: false, state: StreamState::Open }
    }

    /// Buffered standard output; on a terminal written line by line, each line erasing the
    /// progress line first.
    pub fn stdout() -> Stream {
        let w: Box<dyn Write> = if io::stdout().is_terminal() {
            Box::new(io::LineWriter::new(term::Stdout))
        } else {
            Box::new(BufWriter::new(io::stdout()))
        };
        Stream { stdout: true, ..Stream::new(w, "standard output".to_owned()) }
    }

    /// `file`, opened as `path`, buffered.
    pub fn file(file: File, path: &Path) -> Stream {
        let name = format!("file '{}'", plugin_api::fmt::escaped(path));
        Stream::new(Box::new(BufWriter::new(file)), name)
    }

    /// Whether a write failed (and was reported).
    pub fn failed(&self) -> bool {
        self.state == StreamState::Failed
    }

    /// Runs `op` on the writer unless the stream already stopped; a failure stops it.
    fn attempt(&mut self, op: impl FnOnce(&mut dyn Write) -> io::Result<()>) {
        if self.state != StreamState::Open {
            return;
        }
        if let Err(e) = op(&mut *self.w) {
            if e.kind() == io::ErrorKind::BrokenPipe && self.stdout {
                self.state = StreamState::Closed;
            } else {
                self.state = StreamState::Failed;
                error(&format!("Failed to write to {}: {}", self.name, plugin_api::fmt::strerror(&e)));
            }
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.attempt(|w| w.write_all(buf));
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.attempt(|w| w.write_all(buf));
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.attempt(|w| w.flush());
        Ok(())
    }
}

/// The log stream: stdout, `PREFIX_log.txt`, or nowhere.
pub struct Log {
    w: Stream,
    colour: bool,
    /// A machine-report row being assembled (see [`Log::begin_row`]).
    row: Option<Vec<u8>>,
}

impl core::fmt::Debug for Log {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Log").field("colour", &self.colour).finish()
    }
}

impl Log {
    /// A log writing to `w`; `colour` when `w` is a terminal.
    pub fn new(w: Stream, colour: bool) -> Log {
        Log { w, colour, row: None }
    }

    /// Where writes go: the row being assembled, else the stream.
    fn out(&mut self) -> &mut dyn Write {
        match &mut self.row {
            Some(r) => r,
            None => &mut self.w,
        }
    }

    /// Starts a machine-report row: writes are collected until [`Log::end_row`].
    pub fn begin_row(&mut self) {
        self.row = Some(Vec::with_capacity(1024));
    }

    /// Ends the row: drops its final separator and writes it with a newline. T2 strips the
    /// separator only on seekable streams; rt2 always does, so every stream reads the same.
    pub fn end_row(&mut self) {
        let Some(mut r) = self.row.take() else { return };
        if r.last() == Some(&b'\t') {
            r.pop();
        }
        r.push(b'\n');
        let _ = self.w.write_all(&r);
    }

    /// Standard output. On a terminal it is coloured and written line by line, each line
    /// erasing the progress line first; elsewhere it is buffered.
    pub fn stdout() -> Log {
        Log::new(Stream::stdout(), io::stdout().is_terminal())
    }

    /// A log that discards everything.
    pub fn sink() -> Log {
        Log::new(Stream::new(Box::new(io::sink()), "nowhere".to_owned()), false)
    }

    /// Whether a write failed (and was reported).
    pub fn failed(&self) -> bool {
        self.w.failed()
    }

    /// Whether colours are written.
    pub fn colour(&self) -> bool {
        self.colour
    }

    /// A plain line.
    pub fn line(&mut self, msg: impl core::fmt::Display) {
        let _ = writeln!(self.out(), "{msg}");
    }

    /// Raw bytes (no newline added).
    pub fn raw(&mut self, b: &[u8]) {
        let _ = self.out().write_all(b);
    }

    /// A tagged line.
    pub fn tagged(&mut self, kind: Kind, msg: &str) {
        let s = tagged(kind, None, msg, self.colour);
        let _ = writeln!(self.out(), "{s}");
    }

    /// `[INF] msg`.
    pub fn info(&mut self, msg: &str) {
        self.tagged(Kind::Info, msg);
    }

    /// `[WRN] msg`.
    pub fn warn(&mut self, msg: &str) {
        self.tagged(Kind::Warn, msg);
    }

    /// A plugin's line of kind `lvl` (see [`level`]).
    pub fn plugin(&mut self, plugin: &str, lvl: u32, msg: &str) {
        let s = match lvl {
            level::INFO => tagged(Kind::Info, Some(plugin), msg, self.colour),
            level::OK => tagged(Kind::Ok, Some(plugin), msg, self.colour),
            level::WARN => tagged(Kind::Warn, Some(plugin), msg, self.colour),
            level::ERROR => tagged(Kind::Err, Some(plugin), msg, self.colour),
            level::WARN_NP if self.colour => format!("\x1b[1;33m{plugin}:{RESET} \x1b[0;33m{msg}{RESET}"),
            _ if self.colour => format!("\x1b[1m{plugin}:{RESET} {msg}"),
            _ => format!("{plugin}: {msg}"),
        };
        let _ = writeln!(self.out(), "{s}");
    }

    /// `label: n<h>` (T2_FLOG_NUM0).
    pub fn num0(&mut self, label: &str, n: u64) {
        self.line(format_args!("{label}: {n}{}", human(n)));
    }

    /// [`Log::num0`] when `n > 0`.
    pub fn num(&mut self, label: &str, n: u64) {
        if n > 0 {
            self.num0(label, n);
        }
    }

    /// `label: n<h> [p%]` when `n > 0` (T2_FLOG_NUMP).
    pub fn nump(&mut self, label: &str, n: u64, total: u64) {
        if n > 0 {
            self.nump_f(label, n, total as f64);
        }
    }

    /// [`Log::nump`] with a floating-point total (T2 computes some totals in double).
    pub fn nump_f(&mut self, label: &str, n: u64, total: f64) {
        if n > 0 {
            self.line(format_args!("{label}: {n}{} [{:.2}%]", human(n), percent(n as f64, total)));
        }
    }

    /// Flushes the stream.
    pub fn flush(&mut self) {
        let _ = self.w.flush();
    }
}
