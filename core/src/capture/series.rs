//! `-D EXPR[:SCHR][,STOP]`: numbered captures read one after the other, waiting for each to
//! appear (core.md §1.3).

use std::cell::RefCell;
use std::time::{Duration, Instant};

use super::feed::{Feed, FileReader};
use super::open_file;
use crate::report::log::Log;

/// T2's `POLLTM`: how long to wait before looking for a missing file again.
pub const POLL: Duration = Duration::from_secs(5);

/// How often a wait checks whether the run must stop or report.
const SERVE_STEP: Duration = Duration::from_millis(100);

/// The parsed argument of `-D`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    /// The first file, as given.
    pub expr: String,
    /// Text before the number.
    prefix: String,
    /// Text after the number (from the first `_`, else the first `.`).
    suffix: String,
    /// Width of a zero-padded number; `None` = printed as is.
    width: Option<usize>,
    /// The first number.
    pub first: u32,
    /// The last number.
    pub stop: u32,
}

impl Spec {
    /// Parses `EXPR[:SCHR][,STOP]`; `None` is T2's format error.
    pub fn parse(arg: &str) -> Option<Spec> {
        let (rest, stop) = match arg.rsplit_once(',') {
            Some((_, s)) if s.starts_with('-') => return None,
            Some((r, s)) => (r, Some(strtoul(s) as u32)),
            None => (arg, None),
        };
        let (expr, schr) = rest.rsplit_once(':').unwrap_or((rest, "p"));
        if schr.is_empty() {
            return None;
        }
        let at = expr.rfind(schr)? + schr.len();
        let tail = &expr[at..];
        let end = tail.find('_').or_else(|| tail.find('.')).unwrap_or(tail.len());
        let digits = &tail[..end];
        let width = digits.starts_with('0').then_some(digits.len());
        let stop = stop.unwrap_or(match width {
            Some(w) => 10u64.saturating_pow(w as u32).saturating_sub(1).min(u64::from(u32::MAX)) as u32,
            None => u32::MAX,
        });
        Some(Spec {
            expr: expr.to_owned(),
            prefix: expr[..at].to_owned(),
            suffix: tail[end..].to_owned(),
            width,
            // decimal, where T2's strtoul base 0 read a zero-padded number as octal
            first: strtoul_radix(digits, 10) as u32,
            stop,
        })
    }

    /// The name of file number `n` (the first one is `expr` as given).
    pub fn name(&self, n: u32) -> String {
        if n == self.first {
            return self.expr.clone();
        }
        match self.width {
            Some(w) => format!("{}{n:0w$}{}", self.prefix, self.suffix),
            None => format!("{}{n}{}", self.prefix, self.suffix),
        }
    }
}

/// `strtoul(s, NULL, 0)`: optional `0x` (hex) or leading `0` (octal), digits up to the first
/// invalid one, saturating.
fn strtoul(s: &str) -> u64 {
    let s = s.trim_start();
    if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        strtoul_radix(h, 16)
    } else if s.starts_with('0') {
        strtoul_radix(s, 8)
    } else {
        strtoul_radix(s, 10)
    }
}

fn strtoul_radix(s: &str, radix: u32) -> u64 {
    s.chars()
        .map_while(|c| c.to_digit(radix))
        .fold(0u64, |n, d| n.saturating_mul(u64::from(radix)).saturating_add(u64::from(d)))
}

/// The series being read: its number and the bytes read so far.
#[derive(Debug)]
pub struct Series {
    spec: Spec,
    num: u32,
    size: u64,
    /// Print a `.` on the log stream per poll (T2 does unless the log goes to a file).
    dots: bool,
}

impl Series {
    /// A series starting at `spec`'s first number.
    pub fn new(spec: Spec, dots: bool) -> Series {
        let num = spec.first;
        Series { spec, num, size: 0, dots }
    }

    /// The name of the file being read.
    pub fn current(&self) -> String {
        self.spec.name(self.num)
    }

    /// Opens the first file, waiting for it as long as it takes.
    pub fn open_first(&mut self, log: &RefCell<Log>) -> FileReader {
        loop {
            if let Some(r) = self.open(log, &mut || false) {
                return r;
            }
        }
    }

    /// Opens the current file, polling until it can be; `None` if `serve` asked to stop.
    pub fn open(&mut self, log: &RefCell<Log>, serve: &mut dyn FnMut() -> bool) -> Option<FileReader> {
        let name = self.current();
        loop {
            if let Ok(r) = open_file(name.as_ref()) {
                self.size += r.file_size();
                return Some(r);
            }
            if self.dots {
                let mut l = log.borrow_mut();
                l.raw(b".");
                l.flush();
            }
            let start = Instant::now();
            while start.elapsed() < POLL {
                if serve() {
                    return None;
                }
                std::thread::sleep(SERVE_STEP);
            }
        }
    }
}

impl Feed<FileReader> for Series {
    fn next(&mut self, log: &RefCell<Log>, serve: &mut dyn FnMut() -> bool) -> Option<FileReader> {
        if self.num >= self.spec.stop {
            return None;
        }
        self.num += 1;
        self.open(log, serve)
    }

    fn announce(&self, log: &mut Log, _: &str) {
        log.line(format_args!("Processing file: {}", self.current()));
    }

    fn totals(&self) -> Option<(u64, u64)> {
        Some((self.size, 1))
    }

    fn bpf_hint(&self) -> Option<&'static str> {
        Some("-D option requires \"\" for regex, RTFM")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(arg: &str, ns: &[u32]) -> Vec<String> {
        let s = Spec::parse(arg).unwrap();
        ns.iter().map(|&n| s.name(n)).collect()
    }

    #[test]
    fn tcpdump_rotation() {
        // `tcpdump -C -w dump.pcap`: dump.pcap, dump.pcap1, dump.pcap2 ...
        let s = Spec::parse("/d/dump.pcap").unwrap();
        assert_eq!((s.first, s.stop, s.width), (0, u32::MAX, None));
        assert_eq!(names("/d/dump.pcap", &[0, 1, 10]), ["/d/dump.pcap", "/d/dump.pcap1", "/d/dump.pcap10"]);
    }

    #[test]
    fn zero_padded_with_suffix_and_stop() {
        let s = Spec::parse("/d/trace00.pcap:trace").unwrap();
        assert_eq!((s.expr.as_str(), s.first, s.stop, s.width), ("/d/trace00.pcap", 0, 99, Some(2)));
        let n = names("trace00.pcap:trace", &[0, 7, 42]);
        assert_eq!(n, ["trace00.pcap", "trace07.pcap", "trace42.pcap"]);
        // the last occurrence counts, even inside the extension
        assert_eq!(Spec::parse("cap00.pcap:cap").unwrap().width, None);
        let s = Spec::parse("x_p08_a.b.pcap:_p,0x0a").unwrap();
        assert_eq!((s.first, s.stop), (8, 10));
        assert_eq!(s.name(9), "x_p09_a.b.pcap");
        assert_eq!(Spec::parse("f9.pcap:f,012").unwrap().stop, 10);
        assert_eq!(names("f9.pcap:f", &[9, 10]), ["f9.pcap", "f10.pcap"]);
    }

    #[test]
    fn format_errors() {
        assert_eq!(Spec::parse("trace.log"), None); // no separator
        assert_eq!(Spec::parse("dump.pcap,-1"), None);
        assert_eq!(Spec::parse("dump.pcap:"), None);
        assert_eq!(Spec::parse("dump.pcap:z"), None);
        assert!(Spec::parse("dump.pcap,").is_some());
    }
}
