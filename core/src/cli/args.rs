//! Raw command-line parsing with GNU `getopt_long` semantics (permutation, bundled short
//! options, `--name=value`, `--`), validated but without I/O (core.md §1).

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use plugin_api::fmt::escaped;

/// Where packets come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// `-r FILE`.
    File(PathBuf),
    /// `-r -`.
    Stdin,
    /// `-R FILE`.
    List(PathBuf),
    /// `-D EXPR[:SCHR][,STOP]`.
    Series(OsString),
    /// `-i IFACE`.
    Interface(String),
}

/// `-W PREFIX[:SIZE][,START]`.
#[derive(Debug, Clone, PartialEq)]
pub struct SplitSpec {
    /// The prefix (treated like `-w`).
    pub prefix: OsString,
    /// Limit per file.
    pub size: u64,
    /// Whether the limit counts flows.
    pub by_flows: bool,
    /// First index.
    pub start: u64,
}

/// Every option of a run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Options {
    /// The input (exactly one is required).
    pub input: Option<Input>,
    /// `-w PREFIX`.
    pub output: Option<OsString>,
    /// `-W PREFIX[:SIZE][,START]`.
    pub split: Option<SplitSpec>,
    /// `-l`.
    pub log_file: bool,
    /// `-m`.
    pub mon_file: bool,
    /// `-s`.
    pub packet_mode: bool,
    /// `--no-progress`: no progress line on a terminal (an option of rt2's own).
    pub no_progress: bool,
    /// `--threads N`: threads the run may use (an option of rt2's own; default: the cores it
    /// may run on).
    pub threads: Option<u32>,
    /// `-p PATH`.
    pub plugin_folder: Option<PathBuf>,
    /// `-b FILE`.
    pub plugin_list: Option<PathBuf>,
    /// `-e FILE`.
    pub pcapd: Option<PathBuf>,
    /// `-f N`.
    pub hash_factor: Option<u32>,
    /// `-x N`.
    pub sensor_id: Option<u32>,
    /// `-c N` (1-based; 0 = current core).
    pub cpu: Option<i64>,
    /// `-P N`.
    pub priority: Option<i64>,
    /// `-M FLOAT`.
    pub mon_interval: Option<f64>,
    /// `-S N`.
    pub snaplen: Option<u32>,
    /// `-B N`.
    pub bufsize: Option<u32>,
    /// `-F FILE`.
    pub bpf_file: Option<PathBuf>,
    /// Remaining words (the BPF expression).
    pub bpf_words: Vec<String>,
    /// The command line as typed (for the headers file).
    pub cmdline: String,
}

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// `-h`.
    Help,
    /// `-V`.
    Version,
    /// No arguments at all: usage, exit 1.
    Usage,
    /// Process input.
    Run(Box<Options>),
}

/// A command-line error (Display = the message after `[ERR] `); always exit 1 with the
/// `Try 'tranalyzer -h'` hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgError(pub String);

impl core::fmt::Display for ArgError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ArgError {}

const LONG: &[(&str, char)] = &[
    ("pcap", 'r'),
    ("pcap-list", 'R'),
    ("input-regex", 'D'),
    ("interface", 'i'),
    ("output-prefix", 'w'),
    ("output-regex", 'W'),
    ("logfile", 'l'),
    ("monfile", 'm'),
    ("packets", 's'),
    ("plugin-folder", 'p'),
    ("plugin-list", 'b'),
    ("pcapd", 'e'),
    ("hash-factor", 'f'),
    ("sensor-id", 'x'),
    ("cpu", 'c'),
    ("priority", 'P'),
    ("mon-interval", 'M'),
    ("snaplen", 'S'),
    ("rx-bufsize", 'B'),
    ("bpf-file", 'F'),
    ("version", 'V'),
    ("help", 'h'),
];

/// rt2's own options, long only so that no letter T2 may take one day is used.
const NO_PROGRESS: &str = "no-progress";
const THREADS: &str = "threads";
/// More threads than this is a typing error, not a machine.
const MAX_THREADS: u64 = 1024;

fn takes_arg(c: char) -> bool {
    "rRDiwWpbefxcPMSBF".contains(c)
}

/// Parses `argv` (without the program name). Values go through byte for byte: a file name
/// that is not UTF-8 reaches the file system as given.
pub fn parse(argv: &[OsString]) -> Result<Command, ArgError> {
    if argv.is_empty() {
        return Ok(Command::Usage);
    }
    let args: Vec<&[u8]> = argv.iter().map(|a| a.as_bytes()).collect();
    let text = |a: &[u8]| String::from_utf8_lossy(a).into_owned();
    let mut o = Options {
        cmdline: std::iter::once("tranalyzer".to_owned())
            .chain(args.iter().map(|a| text(a)))
            .collect::<Vec<_>>()
            .join(" "),
        ..Options::default()
    };
    let mut inputs: Vec<char> = Vec::new();
    let mut i = 0;
    let mut only_words = false;
    while i < args.len() {
        let a = args[i];
        i += 1;
        if only_words || a == b"-" || !a.starts_with(b"-") {
            o.bpf_words.push(text(a));
            continue;
        }
        if a == b"--" {
            only_words = true;
            continue;
        }
        if let Some(long) = a.strip_prefix(b"--") {
            let (name, inline) = match long.iter().position(|&b| b == b'=') {
                Some(eq) => (&long[..eq], Some(os(&long[eq + 1..]))),
                None => (long, None),
            };
            if name == NO_PROGRESS.as_bytes() {
                if inline.is_some() {
                    return Err(ArgError(format!("Option '--{NO_PROGRESS}' doesn't allow an argument")));
                }
                o.no_progress = true;
                continue;
            }
            if name == THREADS.as_bytes() {
                let v = long_value(THREADS, inline, &args, &mut i)?;
                o.threads = Some(threads(&v.to_string_lossy())?);
                continue;
            }
            let Some(&(name, c)) = LONG.iter().find(|(n, _)| n.as_bytes() == name) else {
                return Err(ArgError(format!("Unknown option '{}'", escaped(OsStr::from_bytes(a)))));
            };
            let value = if takes_arg(c) { Some(long_value(name, inline, &args, &mut i)?) } else { None };
            if let Some(cmd) = apply(&mut o, &mut inputs, c, value)? {
                return Ok(cmd);
            }
            continue;
        }
        // bundled short options: -lsw out  or -rfile
        let mut j = 1;
        while j < a.len() {
            let c = char::from(a[j]);
            if !a[j].is_ascii() || !"rRDiwWlmspbefxcPMSBFVh".contains(c) {
                return Err(ArgError(format!("Unknown option '-{}'", first_char(&a[j..]))));
            }
            j += 1;
            let value = if takes_arg(c) {
                if j < a.len() {
                    let v = os(&a[j..]);
                    j = a.len();
                    Some(v)
                } else if i < args.len() {
                    i += 1;
                    Some(os(args[i - 1]))
                } else {
                    return Err(ArgError(format!("Option '-{c}' requires an argument")));
                }
            } else {
                None
            };
            if let Some(cmd) = apply(&mut o, &mut inputs, c, value)? {
                return Ok(cmd);
            }
        }
    }
    if o.input.is_none() {
        return Err(ArgError("One of '-r', '-R', '-D' or '-i' option is required".into()));
    }
    inputs.dedup();
    let mut kinds = inputs.clone();
    kinds.sort_unstable();
    kinds.dedup();
    if kinds.len() > 1 {
        return Err(ArgError("'-r', '-R', '-D' and '-i' options can only be used exclusively".into()));
    }
    Ok(Command::Run(Box::new(o)))
}

fn os(bytes: &[u8]) -> OsString {
    OsStr::from_bytes(bytes).to_owned()
}

/// The first character of `bytes` for a message: itself, or `\xNN` when it is not UTF-8.
fn first_char(bytes: &[u8]) -> String {
    let chunk = bytes.utf8_chunks().next();
    match chunk.and_then(|c| c.valid().chars().next()) {
        Some(c) => c.to_string(),
        None => escaped(OsStr::from_bytes(&bytes[..1])).to_string(),
    }
}

/// Applies one option; returns a command that ends parsing (`-h`, `-V`). File names (`raw`)
/// are kept as bytes, other values are read as text.
fn apply(o: &mut Options, inputs: &mut Vec<char>, c: char, raw: Option<OsString>) -> Result<Option<Command>, ArgError> {
    let raw = raw.unwrap_or_default();
    let v = raw.to_string_lossy().into_owned();
    match c {
        'r' => {
            inputs.push('r');
            o.input = Some(if v == "-" { Input::Stdin } else { Input::File(raw.into()) });
        }
        'R' => {
            inputs.push('R');
            o.input = Some(Input::List(raw.into()));
        }
        'D' => {
            inputs.push('D');
            if crate::capture::series::Spec::parse(&raw).is_none() {
                return Err(ArgError("Option '-D': Invalid format, expected 'expr[:schr][,stop]'".to_owned()));
            }
            o.input = Some(Input::Series(raw));
        }
        'i' => {
            inputs.push('i');
            o.input = Some(Input::Interface(v));
        }
        'w' => o.output = Some(raw),
        'W' => {
            // as T2: the prefix is `-w`'s (the last of the two wins), the split stays
            let split = parse_split(&raw);
            o.output = Some(split.prefix.clone());
            o.split = Some(split);
        }
        'l' => o.log_file = true,
        'm' => o.mon_file = true,
        's' => o.packet_mode = true,
        'p' => o.plugin_folder = Some(raw.into()),
        'b' => o.plugin_list = Some(raw.into()),
        'e' => o.pcapd = Some(raw.into()),
        'f' => {
            let n = number(c, &v)?;
            if n == 0 {
                return Err(ArgError("Option '-f': Hash factor must be greater than 0".into()));
            }
            o.hash_factor = Some(u32::try_from(n).map_err(|_| too_big(c, &v))?);
        }
        'x' => o.sensor_id = Some(u32::try_from(number(c, &v)?).map_err(|_| too_big(c, &v))?),
        'c' => {
            let n = signed(c, &v)?;
            if n < 0 {
                return Err(ArgError(format!("Option '-c': CPU must be positive, found '{v}'")));
            }
            o.cpu = Some(n);
        }
        'P' => o.priority = Some(signed(c, &v)?),
        'M' => {
            let x: f64 =
                v.trim().parse().map_err(|_| ArgError(format!("Option '-M': expected a number, found '{v}'")))?;
            if x < 0.0 {
                return Err(ArgError("Option '-M': Monitoring interval must be greater than 0.0".into()));
            }
            o.mon_interval = Some(x);
        }
        'S' => {
            if signed(c, &v)? < 0 {
                return Err(ArgError("Option '-S': Snapshot length must be greater than 0".into()));
            }
            o.snaplen = Some(u32::try_from(number(c, &v)?).map_err(|_| too_big(c, &v))?);
        }
        'B' => {
            if signed(c, &v)? < 0 {
                return Err(ArgError("Option '-B': Buffer size must be greater than 0".into()));
            }
            o.bufsize = Some(u32::try_from(number(c, &v)?).map_err(|_| too_big(c, &v))?);
        }
        'F' => o.bpf_file = Some(raw.into()),
        'V' => return Ok(Some(Command::Version)),
        'h' => return Ok(Some(Command::Help)),
        _ => return Err(ArgError(format!("Unknown option '-{c}'"))),
    }
    Ok(None)
}

fn too_big(c: char, v: &str) -> ArgError {
    ArgError(format!("Option '-{c}': value '{v}' is too large"))
}

/// An unsigned number written as C's `strtoul(.., 0)` reads it: decimal, `0x` hex, `0` octal.
fn number(c: char, v: &str) -> Result<u64, ArgError> {
    parse_base0(v.trim()).ok_or_else(|| ArgError(format!("Option '-{c}': expected a number, found '{v}'")))
}

/// The value of long option `--name`: after `=` (`inline`), else the next argument, which
/// `i` then moves past.
fn long_value(name: &str, inline: Option<OsString>, args: &[&[u8]], i: &mut usize) -> Result<OsString, ArgError> {
    if let Some(v) = inline {
        return Ok(v);
    }
    let v = args.get(*i).ok_or_else(|| ArgError(format!("Option '--{name}' requires an argument")))?;
    *i += 1;
    Ok(os(v))
}

/// The value of `--threads`: 1 to [`MAX_THREADS`].
fn threads(v: &str) -> Result<u32, ArgError> {
    match parse_base0(v.trim()) {
        Some(n @ 1..=MAX_THREADS) => Ok(n as u32),
        _ => Err(ArgError(format!("Option '--{THREADS}': expected a number from 1 to {MAX_THREADS}, found '{v}'"))),
    }
}

fn signed(c: char, v: &str) -> Result<i64, ArgError> {
    let t = v.trim();
    let (neg, body) = match t.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let n = parse_base0(body).ok_or_else(|| ArgError(format!("Option '-{c}': expected a number, found '{v}'")))?;
    let n = i64::try_from(n).map_err(|_| too_big(c, v))?;
    Ok(if neg { -n } else { n })
}

/// Base auto-detection as C's `strtoul(s, NULL, 0)`, but strict: the whole text must be a number.
pub fn parse_base0(s: &str) -> Option<u64> {
    let s = s.strip_prefix('+').unwrap_or(s);
    if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        u64::from_str_radix(h, 16).ok()
    } else if s.len() > 1 && s.starts_with('0') {
        u64::from_str_radix(&s[1..], 8).ok()
    } else {
        s.parse().ok()
    }
}

/// `PREFIX[:SIZE][,START]` as T2 reads it (core.md §1.4); the prefix is kept byte for byte.
pub fn parse_split(v: &OsStr) -> SplitSpec {
    let mut rest = v.as_bytes();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let mut start = 0;
    if let Some(i) = rest.iter().rposition(|&b| b == b',') {
        start = parse_base0(text(&rest[i + 1..]).trim()).unwrap_or(0);
        rest = &rest[..i];
    }
    let mut size = 5e8;
    let mut by_flows = false;
    if let Some(i) = rest.iter().rposition(|&b| b == b':') {
        let mut spec = text(&rest[i + 1..]);
        rest = &rest[..i];
        if spec.ends_with('f') {
            by_flows = true;
            spec.pop();
        }
        let mult = match spec.chars().last() {
            Some('K') => 1e3,
            Some('M') => 1e6,
            Some('G') => 1e9,
            _ => 1.0,
        };
        if mult != 1.0 {
            spec.pop();
        }
        size = atof(&spec) * mult;
    }
    SplitSpec { prefix: os(rest), size: size as u64, by_flows, start }
}

/// C `atof`: the longest numeric prefix, 0 if none.
fn atof(s: &str) -> f64 {
    let s = s.trim_start();
    (1..=s.len()).rev().find_map(|n| s.get(..n).and_then(|p| p.parse::<f64>().ok())).unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<Command, ArgError> {
        parse(&args.iter().map(OsString::from).collect::<Vec<_>>())
    }

    fn opts(args: &[&str]) -> Options {
        match run(args).unwrap() {
            Command::Run(o) => *o,
            c => panic!("{c:?}"),
        }
    }

    #[test]
    fn permutation_and_bundling() {
        let o = opts(&["tcp", "-r", "x.pcap", "-lw", "out/", "port", "80"]);
        assert_eq!(o.input, Some(Input::File("x.pcap".into())));
        assert_eq!(o.output.as_deref(), Some(OsStr::new("out/")));
        assert!(o.log_file);
        assert_eq!(o.bpf_words, ["tcp", "port", "80"]);
        let o = opts(&["--pcap=a.pcap", "--hash-factor", "0x10", "-rb.pcap"]);
        assert_eq!(o.input, Some(Input::File("b.pcap".into())));
        assert_eq!(o.hash_factor, Some(16));
        assert_eq!(opts(&["-r", "-"]).input, Some(Input::Stdin));
    }

    #[test]
    fn file_names_keep_their_bytes() {
        let name = |b: &[u8]| OsStr::from_bytes(b).to_owned();
        let argv = [&b"-rin\xff.pcap"[..], b"--output-prefix=bad\xff\xfe", b"-p", b"pl\xe9"].map(name);
        let Ok(Command::Run(o)) = parse(&argv) else { panic!("parse failed") };
        assert_eq!(o.input, Some(Input::File(name(b"in\xff.pcap").into())));
        assert_eq!(o.output, Some(name(b"bad\xff\xfe")));
        assert_eq!(o.plugin_folder, Some(name(b"pl\xe9").into()));
        let o = parse(&[b"-r".as_slice(), b"a", b"-W", b"w\xff:2f"].map(name)).unwrap();
        let Command::Run(o) = o else { panic!("{o:?}") };
        assert_eq!(o.output, Some(name(b"w\xff")));
        assert_eq!(parse(&[name(b"-\xff")]).unwrap_err().0, "Unknown option '-\\xff'");
    }

    #[test]
    fn the_progress_option_is_long_only() {
        assert!(!opts(&["-r", "a"]).no_progress);
        assert!(opts(&["--no-progress", "-r", "a"]).no_progress);
        assert_eq!(
            run(&["-r", "a", "--no-progress=1"]).unwrap_err().0,
            "Option '--no-progress' doesn't allow an argument"
        );
        assert_eq!(run(&["-r", "a", "--no-prog"]).unwrap_err().0, "Unknown option '--no-prog'");
    }

    #[test]
    fn the_thread_count_is_long_only_and_bounded() {
        assert_eq!(opts(&["-r", "a"]).threads, None);
        assert_eq!(opts(&["--threads", "3", "-r", "a"]).threads, Some(3));
        assert_eq!(opts(&["-r", "a", "--threads=1"]).threads, Some(1));
        let bad = "Option '--threads': expected a number from 1 to 1024, found";
        for v in ["0", "-2", "1025", "two", ""] {
            assert_eq!(run(&["-r", "a", &format!("--threads={v}")]).unwrap_err().0, format!("{bad} '{v}'"));
        }
        assert_eq!(run(&["-r", "a", "--threads"]).unwrap_err().0, "Option '--threads' requires an argument");
    }

    #[test]
    fn errors_have_t2_wording() {
        assert_eq!(run(&["-l"]).unwrap_err().0, "One of '-r', '-R', '-D' or '-i' option is required");
        assert_eq!(
            run(&["-r", "a", "-i", "eth0"]).unwrap_err().0,
            "'-r', '-R', '-D' and '-i' options can only be used exclusively"
        );
        assert_eq!(run(&["-r"]).unwrap_err().0, "Option '-r' requires an argument");
        assert_eq!(run(&["-q"]).unwrap_err().0, "Unknown option '-q'");
        assert_eq!(run(&["-r", "a", "-f", "0"]).unwrap_err().0, "Option '-f': Hash factor must be greater than 0");
        assert_eq!(run(&["-r", "a", "-S", "-1"]).unwrap_err().0, "Option '-S': Snapshot length must be greater than 0");
        assert!(run(&["-r", "a", "-f", "abc"]).unwrap_err().0.contains("expected a number"));
        assert!(matches!(run(&["-r", "a", "-r", "b"]), Ok(Command::Run(_))));
        assert_eq!(run(&[]).unwrap(), Command::Usage);
        assert_eq!(run(&["-V", "-q"]).unwrap(), Command::Version);
    }

    #[test]
    fn split_specs() {
        let split = |v: &str| parse_split(OsStr::new(v));
        let s = split("out:2f,5");
        assert_eq!((s.prefix.to_str().unwrap(), s.size, s.by_flows, s.start), ("out", 2, true, 5));
        let s = split("dir/x:1.5K");
        assert_eq!((s.prefix.to_str().unwrap(), s.size, s.by_flows, s.start), ("dir/x", 1500, false, 0));
        assert_eq!(split("p").size, 500_000_000);
        assert_eq!(split("p:1e3M").size, 1_000_000_000);
        // -W sets the prefix like -w; whichever comes last wins
        assert_eq!(opts(&["-r", "a", "-W", "out:2f"]).output.as_deref(), Some(OsStr::new("out")));
        let o = opts(&["-r", "a", "-W", "out:2f", "-w", "other"]);
        assert_eq!((o.output.as_deref(), o.split.map(|s| s.size)), (Some(OsStr::new("other")), Some(2)));
    }
}
