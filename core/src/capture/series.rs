//! `-D EXPR[:SCHR][,STOP]`: numbered captures read one after the other, waiting for each to
//! appear (core.md §1.3).
//!
//! Every candidate name is expanded as T2 does with `wordexp` before it is opened, see
//! [`expand`].

use std::cell::RefCell;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use plugin_api::fmt::escaped;

use super::feed::{Feed, FileReader, InputKind};
use super::open_file;
use super::os;
use crate::log::Log;

/// T2's `POLLTM`: how long to wait before looking for a missing file again.
pub const POLL: Duration = Duration::from_secs(5);

/// How often a wait checks whether the run must stop or report.
const SERVE_STEP: Duration = Duration::from_millis(100);

/// The parsed argument of `-D`. Names are bytes: a file name need not be UTF-8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    /// The first file, as given.
    pub expr: OsString,
    /// Text before the number.
    prefix: Vec<u8>,
    /// Text after the number (from the first `_`, else the first `.`).
    suffix: Vec<u8>,
    /// Width of a zero-padded number; `None` = printed as is.
    width: Option<usize>,
    /// The first number.
    pub first: u32,
    /// The last number.
    pub stop: u32,
}

/// `s` split at the last `sep`.
fn rsplit_once(s: &[u8], sep: u8) -> Option<(&[u8], &[u8])> {
    s.iter().rposition(|&b| b == sep).map(|i| (&s[..i], &s[i + 1..]))
}

impl Spec {
    /// Parses `EXPR[:SCHR][,STOP]`; `None` is T2's format error.
    pub fn parse(arg: &OsStr) -> Option<Spec> {
        let arg = arg.as_bytes();
        let (rest, stop) = match rsplit_once(arg, b',') {
            Some((_, s)) if s.starts_with(b"-") => return None,
            Some((r, s)) => (r, Some(strtoul(s) as u32)),
            None => (arg, None),
        };
        let (expr, schr) = rsplit_once(rest, b':').unwrap_or((rest, b"p"));
        if schr.is_empty() {
            return None;
        }
        let at = expr.windows(schr.len()).rposition(|w| w == schr)? + schr.len();
        let tail = &expr[at..];
        let find = |c: u8| tail.iter().position(|&b| b == c);
        let end = find(b'_').or_else(|| find(b'.')).unwrap_or(tail.len());
        let digits = &tail[..end];
        let width = digits.starts_with(b"0").then_some(digits.len());
        let stop = stop.unwrap_or(match width {
            Some(w) => 10u64.saturating_pow(w as u32).saturating_sub(1).min(u64::from(u32::MAX)) as u32,
            None => u32::MAX,
        });
        Some(Spec {
            expr: OsStr::from_bytes(expr).to_owned(),
            prefix: expr[..at].to_vec(),
            suffix: tail[end..].to_vec(),
            width,
            // decimal, where T2's strtoul base 0 read a zero-padded number as octal
            first: strtoul_radix(digits, 10) as u32,
            stop,
        })
    }

    /// The name of file number `n` (the first one is `expr` as given).
    pub fn name(&self, n: u32) -> OsString {
        if n == self.first {
            return self.expr.clone();
        }
        let number = match self.width {
            Some(w) => format!("{n:0w$}"),
            None => n.to_string(),
        };
        OsString::from_vec([&self.prefix, number.as_bytes(), &self.suffix].concat())
    }
}

/// `strtoul(s, NULL, 0)`: optional `0x` (hex) or leading `0` (octal), digits up to the first
/// invalid one, saturating.
fn strtoul(s: &[u8]) -> u64 {
    let s = s.trim_ascii_start();
    if let Some(h) = s.strip_prefix(b"0x").or_else(|| s.strip_prefix(b"0X")) {
        strtoul_radix(h, 16)
    } else if s.starts_with(b"0") {
        strtoul_radix(s, 8)
    } else {
        strtoul_radix(s, 10)
    }
}

fn strtoul_radix(s: &[u8], radix: u32) -> u64 {
    s.iter()
        .map_while(|&c| char::from(c).to_digit(radix))
        .fold(0u64, |n, d| n.saturating_mul(u64::from(radix)).saturating_add(u64::from(d)))
}

/// A candidate name as T2's `wordexp` turns it into a file name: a leading `~` or `~/`
/// becomes `$HOME`, `$VAR` and `${VAR}` the variable's value (empty when unset), and a name
/// with shell wildcards (`*`, `?`, `[...]`) the first matching path in sorted order.
///
/// As with `wordexp`, a pattern matching nothing is returned as it is (so opening it fails
/// and the series keeps polling until a matching file appears), and the variables' values are
/// themselves subject to wildcard expansion. Deliberately left out: command substitution
/// (`$(...)`, backquotes: running commands named in a file name is never what a user of `-D`
/// wants), word splitting (a name with blanks is used whole rather than cut at the first
/// blank), quote removal, `~user` and arithmetic expansion.
pub fn expand(name: &OsStr) -> PathBuf {
    let name = expand_vars(name.as_bytes());
    if !name.as_bytes().iter().any(|b| b"*?[".contains(b)) {
        return PathBuf::from(name);
    }
    os::first_match(&name).unwrap_or_else(|| PathBuf::from(name))
}

/// `~`, `$VAR` and `${VAR}` of [`expand`].
fn expand_vars(name: &[u8]) -> OsString {
    let var = |name: &[u8]| std::env::var_os(OsStr::from_bytes(name)).unwrap_or_default();
    let mut out = OsString::with_capacity(name.len());
    let mut rest = name;
    if let Some(r) = rest.strip_prefix(b"~")
        && (r.is_empty() || r.starts_with(b"/"))
    {
        out.push(var(b"HOME"));
        rest = r;
    }
    let is_name = |c: &u8| *c == b'_' || c.is_ascii_alphanumeric();
    while let Some(i) = rest.iter().position(|&b| b == b'$') {
        out.push(OsStr::from_bytes(&rest[..i]));
        let after = &rest[i + 1..];
        let (name, tail) = if let Some(braced) = after.strip_prefix(b"{") {
            match braced.iter().position(|&b| b == b'}') {
                Some(end) => (&braced[..end], &braced[end + 1..]),
                None => (&b""[..], after),
            }
        } else if after.first().is_some_and(|c| *c == b'_' || c.is_ascii_alphabetic()) {
            let end = after.iter().position(|c| !is_name(c)).unwrap_or(after.len());
            (&after[..end], &after[end..])
        } else {
            (&b""[..], after)
        };
        if name.is_empty() {
            // not a variable: the `$` stays (as the shell leaves `$/`, `$.`, a lone `$`)
            out.push("$");
        } else {
            out.push(var(name));
        }
        rest = tail;
    }
    out.push(OsStr::from_bytes(rest));
    out
}

/// The series being read: its number and the bytes read so far.
#[derive(Debug)]
pub struct Series {
    spec: Spec,
    num: u32,
    size: u64,
    /// The file being read, as its candidate name expanded (None before the first opens).
    path: Option<PathBuf>,
    /// Print a `.` on the log stream per poll (T2 does unless the log goes to a file).
    dots: bool,
}

impl Series {
    /// A series starting at `spec`'s first number.
    pub fn new(spec: Spec, dots: bool) -> Series {
        let num = spec.first;
        Series { spec, num, size: 0, path: None, dots }
    }

    /// The name of the file being read (T2's `globFName`): the expanded name of the file opened
    /// last; before the first one opens, the first candidate name.
    pub fn current(&self) -> String {
        let name = |p: &OsStr| escaped(p).to_string();
        self.path.as_ref().map_or_else(|| name(&self.spec.name(self.num)), |p| name(p.as_os_str()))
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
        let name = self.spec.name(self.num);
        loop {
            // expanded again at every poll: a file matching the pattern may have appeared
            let path = expand(&name);
            if let Ok(r) = open_file(&path) {
                self.size += r.file_size();
                self.path = Some(path);
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

    fn current(&self) -> Option<String> {
        Some(Series::current(self))
    }

    fn kind(&self) -> InputKind {
        InputKind::Series { total: self.size }
    }

    fn bpf_hint(&self) -> Option<&'static str> {
        Some("-D option requires \"\" for regex, RTFM")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(arg: &str) -> Option<Spec> {
        Spec::parse(OsStr::new(arg))
    }

    fn names(arg: &str, ns: &[u32]) -> Vec<OsString> {
        let s = parse(arg).unwrap();
        ns.iter().map(|&n| s.name(n)).collect()
    }

    #[test]
    fn tcpdump_rotation() {
        // `tcpdump -C -w dump.pcap`: dump.pcap, dump.pcap1, dump.pcap2 ...
        let s = parse("/d/dump.pcap").unwrap();
        assert_eq!((s.first, s.stop, s.width), (0, u32::MAX, None));
        assert_eq!(names("/d/dump.pcap", &[0, 1, 10]), ["/d/dump.pcap", "/d/dump.pcap1", "/d/dump.pcap10"]);
    }

    #[test]
    fn zero_padded_with_suffix_and_stop() {
        let s = parse("/d/trace00.pcap:trace").unwrap();
        assert_eq!((s.expr.to_str().unwrap(), s.first, s.stop, s.width), ("/d/trace00.pcap", 0, 99, Some(2)));
        let n = names("trace00.pcap:trace", &[0, 7, 42]);
        assert_eq!(n, ["trace00.pcap", "trace07.pcap", "trace42.pcap"]);
        // the last occurrence counts, even inside the extension
        assert_eq!(parse("cap00.pcap:cap").unwrap().width, None);
        let s = parse("x_p08_a.b.pcap:_p,0x0a").unwrap();
        assert_eq!((s.first, s.stop), (8, 10));
        assert_eq!(s.name(9), "x_p09_a.b.pcap");
        assert_eq!(parse("f9.pcap:f,012").unwrap().stop, 10);
        assert_eq!(names("f9.pcap:f", &[9, 10]), ["f9.pcap", "f10.pcap"]);
    }

    /// A fresh temporary folder for one test.
    fn tmp(test: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("rt2-series-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// An empty little-endian microsecond pcap (Ethernet).
    fn empty_pcap() -> Vec<u8> {
        let mut pcap = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0];
        pcap.extend([0; 8]);
        pcap.extend(65535u32.to_le_bytes());
        pcap.extend(1u32.to_le_bytes());
        pcap
    }

    #[test]
    fn variables_and_home() {
        // only variables the environment has already: setting one would race other tests
        let home = std::env::var("HOME").unwrap_or_default();
        let path = std::env::var("PATH").unwrap_or_default();
        assert_eq!(expand_vars(b"~/d/x.pcap"), *format!("{home}/d/x.pcap"));
        assert_eq!(expand_vars(b"~"), *home);
        assert_eq!(expand_vars(b"a~/x"), "a~/x");
        assert_eq!(expand_vars(b"~user/x"), "~user/x");
        assert_eq!(expand_vars(b"$PATH/x"), *format!("{path}/x"));
        assert_eq!(expand_vars(b"${PATH}x"), *format!("{path}x"));
        assert_eq!(expand_vars(b"a$RT2_SURELY_UNSET_VAR.pcap"), "a.pcap");
        assert_eq!(expand_vars(b"a$/b$"), "a$/b$");
        assert_eq!(expand_vars(b"a${open"), "a${open");
        assert_eq!(expand_vars(b"plain.pcap"), "plain.pcap");
    }

    #[test]
    fn wildcards_take_the_first_match_in_sorted_order() {
        let dir = tmp("glob");
        for f in ["d_p1_b.pcap", "d_p1_a.pcap", "d_p2_c.pcap", "d_p10_z.pcap"] {
            std::fs::write(dir.join(f), b"").unwrap();
        }
        let d = dir.display();
        let e = |pat: &str| expand(OsStr::new(&format!("{d}/{pat}")));
        assert_eq!(e("d_p1_*.pcap"), dir.join("d_p1_a.pcap"));
        assert_eq!(e("d_p?_c.pcap"), dir.join("d_p2_c.pcap"));
        assert_eq!(e("d_p[12]_[b-z].pcap"), dir.join("d_p1_b.pcap"));
        assert_eq!(e("d_p1[[:digit:]]_*"), dir.join("d_p10_z.pcap"));
        assert_eq!(e("d_p[!1]_*"), dir.join("d_p2_c.pcap"));
        // nothing matches: the pattern as it is, which does not open (the series keeps polling)
        assert_eq!(e("d_p3_*.pcap"), dir.join("d_p3_*.pcap"));
        // no wildcard: the name as it is, existing or not
        assert_eq!(e("d_p4_a.pcap"), dir.join("d_p4_a.pcap"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn series_of_wildcard_names() {
        let dir = tmp("feed");
        std::fs::write(dir.join("dump_p1_a.pcap"), empty_pcap()).unwrap();
        std::fs::write(dir.join("dump_p2_b.pcap"), empty_pcap()).unwrap();
        let spec = parse(&format!("{}/dump_p1_*.pcap:_p,3", dir.display())).unwrap();
        assert_eq!((spec.first, spec.stop), (1, 3));
        assert_eq!(spec.name(2), *format!("{}/dump_p2_*.pcap", dir.display()));
        let log = RefCell::new(Log::sink());
        let mut series = Series::new(spec, false);
        let _first = series.open_first(&log);
        assert_eq!(series.current(), dir.join("dump_p1_a.pcap").display().to_string());
        assert_eq!(Feed::<FileReader>::kind(&series), InputKind::Series { total: 24 });
        assert!(series.next(&log, &mut || false).is_some());
        assert_eq!(Feed::<FileReader>::current(&series), Some(dir.join("dump_p2_b.pcap").display().to_string()));
        assert_eq!(Feed::<FileReader>::totals(&series), Some((48, 1)));
        // number 3 is not there: the wait ends when asked to, the last file still current
        assert!(series.next(&log, &mut || true).is_none());
        assert_eq!(series.current(), dir.join("dump_p2_b.pcap").display().to_string());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn format_errors() {
        assert_eq!(parse("trace.log"), None); // no separator
        assert_eq!(parse("dump.pcap,-1"), None);
        assert_eq!(parse("dump.pcap:"), None);
        assert_eq!(parse("dump.pcap:z"), None);
        assert!(parse("dump.pcap,").is_some());
    }
}
