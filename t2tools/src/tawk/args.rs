//! tawk's command line, T2's options: `tawk [OPTION...] 'PROGRAM' [FILE...]`.

use std::path::PathBuf;

use crate::Error;
use crate::header::HeaderRule;

/// `tawk -h`.
pub const USAGE: &str = "Usage:
    tawk [OPTION...] 'PROGRAM' [FILE...]
    tawk [OPTION...] -I FILE 'PROGRAM'

awk (gawk) over T2's files with the columns by name: $srcIP is the srcIP column of the row of
column names ('%dir ...' in PREFIX_flows.txt), and a library of functions (tawk -g lists them,
tawk -d NAME explains one). Without FILE, tawk reads its standard input. Input and output
fields are separated by tabs. Rows above the column names are comments and are skipped.

Input:
    -I FILE             the input file (also: the last argument)
    -N NUM              the column names are on row NUM
    -s CHARS            the row of column names starts with CHARS [%] ('' = the first row)
    -F FS               input field separator [tab]
    -O FS               output field separator [tab]
    --csv               ',' separates the fields, the column names are on the first row

Program:
    -f FILE             read the program from FILE (then every argument is an input file)
    -v VAR=VALUE        set an awk variable before the program starts
    -H                  leave out the row of column names (no header in the output)
    -c[=u]              first print the file, date (=u: in UTC) and program as # comments

Documentation:
    -l[=N], --list[=N]  list the column numbers and names (N per line) and exit
    -g[=N], --func[=N]  list the library's functions (N per line) and exit
    -d NAME             explain function NAME ('all': every function) and exit
    -V NAME[=VALUE]     what the bits of bit-field column NAME mean (those set in VALUE), from
                        the components' bits.toml, and exit
    -h, --help          show this help and exit

Examples:
    tawk -l out/file_flows.txt
    tawk 'hdr() || dport(53)' out/file_flows.txt | tcol
    tawk 'aggr($srcIP, $l7BytesSnt, 10)' out/file_flows.txt
    tawk -V tcpFStat=0x0211
";

/// What the command line asks for.
#[derive(Debug, Default)]
pub struct Args {
    /// The program text (none with `-f`, or with a documentation option).
    pub program: Option<String>,
    /// `-f FILE`: program files.
    pub program_files: Vec<PathBuf>,
    /// Input files; empty: standard input.
    pub inputs: Vec<PathBuf>,
    /// `-F`: input field separator.
    pub fs: String,
    /// `-O`: output field separator.
    pub ofs: String,
    /// `-s` and `-N`: where the column names are.
    pub rule: HeaderRule,
    /// `-v VAR=VALUE` assignments.
    pub vars: Vec<String>,
    /// `-H`.
    pub no_header: bool,
    /// `-c`: `Some(utc)`.
    pub comment: Option<bool>,
    /// `-l[=N]`: names per line.
    pub list: Option<usize>,
    /// `-g[=N]`: functions per line.
    pub funcs: Option<usize>,
    /// `-d NAME`.
    pub docs: Vec<String>,
    /// `-V NAME[=VALUE]`.
    pub bits: Vec<String>,
    /// `-h`.
    pub help: bool,
}

impl Args {
    /// Whether only documentation was asked for (no program is run).
    pub fn documentation_only(&self) -> bool {
        self.help || self.funcs.is_some() || !self.docs.is_empty() || !self.bits.is_empty()
    }
}

/// Parses the arguments (without the program name).
pub fn parse(argv: &[String]) -> Result<Args, Error> {
    let mut a = Args { fs: "\t".into(), ofs: "\t".into(), ..Args::default() };
    let mut positional = Vec::new();
    let mut it = argv.iter();
    let mut input_opt = None;
    while let Some(arg) = it.next() {
        let mut value = |opt: &str| {
            it.next().cloned().ok_or_else(|| Error::Usage(format!("option '{opt}' needs a value (tawk -h)")))
        };
        match arg.as_str() {
            "--" => {
                positional.extend(it.by_ref().cloned());
                break;
            }
            "-h" | "-?" | "--help" => a.help = true,
            "-I" | "--input" => input_opt = Some(PathBuf::from(value(arg)?)),
            "-N" => a.rule.row = Some(count(arg, &value(arg)?)?),
            "-s" => a.rule.prefix = value(arg)?,
            "-F" => a.fs = unescape(&value(arg)?),
            "-O" => a.ofs = unescape(&value(arg)?),
            "--csv" => {
                a.fs = ",".into();
                a.ofs = ",".into();
                a.rule = HeaderRule { prefix: String::new(), row: Some(1) };
            }
            "-f" => a.program_files.push(PathBuf::from(value(arg)?)),
            "-v" => {
                let v = value(arg)?;
                if !v.contains('=') {
                    return Err(Error::Usage(format!("-v needs VAR=VALUE, not '{v}'")));
                }
                a.vars.push(v);
            }
            "-H" => a.no_header = true,
            "-c" => a.comment = Some(false),
            "-c=u" => a.comment = Some(true),
            "-l" | "--list" => a.list = Some(1),
            "-g" | "--func" => a.funcs = Some(1),
            "-d" => a.docs.push(value(arg)?),
            "-V" | "--var" => a.bits.push(value(arg)?),
            s if s.starts_with("-N=") || (s.starts_with("-N") && s.len() > 2) => {
                a.rule.row = Some(count("-N", s.trim_start_matches("-N").trim_start_matches('='))?)
            }
            s if s.starts_with("-F") && s.len() > 2 => a.fs = unescape(&s[2..]),
            s if s.starts_with("-O") && s.len() > 2 => a.ofs = unescape(&s[2..]),
            s if s.starts_with("-l=") || s.starts_with("--list=") => a.list = Some(per_line(s)?),
            s if s.starts_with("-g=") || s.starts_with("--func=") => a.funcs = Some(per_line(s)?),
            s if s.starts_with('-') && s.len() > 1 => {
                return Err(Error::Usage(format!("unknown option '{s}' (tawk -h lists them)")));
            }
            _ => positional.push(arg.clone()),
        }
    }
    let listing = a.list.is_some() || a.documentation_only();
    let mut positional = positional.into_iter();
    if !listing && a.program_files.is_empty() {
        a.program = positional.next();
    }
    a.inputs.extend(input_opt);
    a.inputs.extend(positional.map(PathBuf::from));
    if !listing && a.program.is_none() && a.program_files.is_empty() {
        return Err(Error::Usage("a program is required (tawk -h)".into()));
    }
    Ok(a)
}

/// A positive row number.
fn count(opt: &str, v: &str) -> Result<usize, Error> {
    v.parse()
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| Error::Usage(format!("option '{opt}' needs a row number, not '{v}'")))
}

/// The N of `-l=N` / `--list=N`.
fn per_line(arg: &str) -> Result<usize, Error> {
    let (opt, v) = arg.split_once('=').unwrap_or((arg, ""));
    v.parse().ok().filter(|&n| n > 0).ok_or_else(|| Error::Usage(format!("option '{opt}' needs a number, not '{v}'")))
}

/// `\t` in a separator given on the command line is a tab, as for awk.
fn unescape(s: &str) -> String {
    s.replace("\\t", "\t")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: &[&str]) -> Result<Args, Error> {
        parse(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn program_then_files() {
        let a = args(&["-H", "dport(53)", "a_flows.txt", "b_flows.txt"]).unwrap();
        assert_eq!(a.program.as_deref(), Some("dport(53)"));
        assert_eq!(a.inputs, [PathBuf::from("a_flows.txt"), PathBuf::from("b_flows.txt")]);
        assert!(a.no_header);
        let a = args(&["-I", "x.txt", "{ print }"]).unwrap();
        assert_eq!((a.program.as_deref(), a.inputs.len()), (Some("{ print }"), 1));
        let a = args(&["-f", "prog.awk", "x.txt"]).unwrap();
        assert_eq!((a.program, a.inputs), (None, vec![PathBuf::from("x.txt")]));
    }

    #[test]
    fn listing_needs_no_program() {
        let a = args(&["-l", "f_flows.txt"]).unwrap();
        assert_eq!((a.list, a.inputs.len()), (Some(1), 1));
        assert_eq!(args(&["--list=3", "f"]).unwrap().list, Some(3));
        assert_eq!(args(&["-V", "tcpFStat=0x2"]).unwrap().bits, ["tcpFStat=0x2"]);
    }

    #[test]
    fn separators_and_rows() {
        let a = args(&["-F", ",", "-O\\t", "-N", "3", "-s", "#", "1"]).unwrap();
        assert_eq!((a.fs.as_str(), a.ofs.as_str(), a.rule.row, a.rule.prefix.as_str()), (",", "\t", Some(3), "#"));
        let a = args(&["--csv", "1"]).unwrap();
        assert_eq!((a.fs.as_str(), a.rule.row), (",", Some(1)));
        assert_eq!(args(&["-N=2", "1"]).unwrap().rule.row, Some(2));
    }

    #[test]
    fn errors() {
        assert!(args(&[]).unwrap_err().to_string().contains("a program is required"));
        assert!(args(&["-x", "1"]).unwrap_err().to_string().contains("unknown option '-x'"));
        assert!(args(&["-N", "0", "1"]).unwrap_err().to_string().contains("needs a row number"));
        assert!(args(&["-v", "x", "1"]).unwrap_err().to_string().contains("VAR=VALUE"));
        assert!(args(&["1", "-I"]).unwrap_err().to_string().contains("'-I' needs a value"));
    }
}
