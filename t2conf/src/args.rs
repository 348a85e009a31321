//! t2conf's command line, T2's syntax: options are not bundled, an option's argument must not
//! start with `-`, and any other word is a component name.

use std::path::PathBuf;

/// `t2conf -h`.
pub const USAGE: &str = "Usage:
    t2conf [OPTION...] [PLUGIN...]

Read and change the compile-time configuration flags of the core (tranalyzer2) and of the
plugins, declared in core/flags.toml and plugins/<name>/flags.toml. A change takes effect
when the component is rebuilt, e.g.:
    t2conf tranalyzer2 -D DIFF_REPORT=1 -D MACHINE_REPORT=1 && t2build -R

An unknown plugin or flag, or a value of the wrong type or not among the allowed values, is an
error: nothing is changed and the exit status is 1.

Actions (the first applicable one runs):
    -I               list the flags of ONE plugin
    -G NAME          print the value of flag NAME of ONE plugin (repeatable)
    -D NAME=VALUE    set flag NAME of ONE plugin to VALUE (repeatable; all or nothing);
                     VALUE 'default' restores the default
    --reset          every flag of the PLUGINs back to its default; without PLUGIN the
                     core and T2's default plugins, with -a the core and every plugin
    --patch FILE     apply a T2 patch file (NAME<TAB>NEW<TAB>OLD<TAB>FILE or
                     NAME<TAB>VALUE<TAB>FILE)
    --rpatch FILE    revert a four-column patch file

Core shortcuts (imply tranalyzer2):
    --dual           IPV6_ACTIVATE=2
    -m, --monitoring MONINTPSYNC=1 MONINTTMPCP=1 VERBOSE=0 DIFF_REPORT=1 MACHINE_REPORT=1

Other options:
    -a, --all        with --reset: the core and every plugin (except t2PSkel)
    -t PATH          source tree (default: $T2HOME, else the tree t2conf was built from)
    -y, --yes        answer yes to every question (t2conf asks none: accepted for T2 scripts)
    -v, --verbose    print what changed
    -h, --help       show this help and exit

PLUGIN is tranalyzer2 or the name of a folder of plugins/.
";

/// T2 options rt2's t2conf does not have (they drive T2's dialog GUI or its plugin activation).
const UNSUPPORTED: [&str; 33] = [
    "-E",
    "-e",
    "-C",
    "--config",
    "-g",
    "--generate",
    "--ip4",
    "--ip6",
    "--t2",
    "-t2",
    "-0",
    "--none",
    "-9",
    "--pcapd",
    "-q",
    "-s",
    "-r",
    "-L",
    "-S",
    "-c",
    "-l",
    "--lazy",
    "-f",
    "--force",
    "-d",
    "--debug",
    "-x",
    "--gui",
    "--tui",
    "-n",
    "-p",
    "-?",
    "-k",
];

/// The parsed command line.
#[derive(Debug, Default)]
pub struct Args {
    /// Component names.
    pub names: Vec<String>,
    /// `-D NAME=VALUE`, in order.
    pub set: Vec<(String, String)>,
    /// `-G NAME`, in order.
    pub get: Vec<String>,
    /// `-I`.
    pub list: bool,
    /// `--reset`.
    pub reset: bool,
    /// `--patch FILE` (false) / `--rpatch FILE` (true).
    pub patch: Option<(String, bool)>,
    /// `-a`.
    pub all: bool,
    /// `-y`.
    pub yes: bool,
    /// `-v`.
    pub verbose: bool,
    /// `-t PATH`.
    pub home: Option<PathBuf>,
}

/// What a run does.
#[derive(Debug)]
pub enum Action<'a> {
    /// `-I`.
    List,
    /// `-G`.
    Get,
    /// `-D` (and the core shortcuts).
    Set,
    /// `--reset`.
    Reset,
    /// `--patch` / `--rpatch`.
    Patch(&'a str, bool),
    /// Only names: T2 opens an editor.
    Edit,
}

impl Args {
    /// T2's order: `-I`, `-G`, `-D`, `--reset`, `--patch`.
    pub fn action(&self) -> Action<'_> {
        if self.list {
            Action::List
        } else if !self.get.is_empty() {
            Action::Get
        } else if !self.set.is_empty() {
            Action::Set
        } else if self.reset {
            Action::Reset
        } else if let Some((f, r)) = &self.patch {
            Action::Patch(f, *r)
        } else {
            Action::Edit
        }
    }
}

impl Action<'_> {
    /// Whether the action may write flag files (and so needs the tree to itself).
    pub fn writes(&self) -> bool {
        matches!(self, Action::Set | Action::Reset | Action::Patch(..))
    }
}

/// Parses the arguments; `Ok(None)` for `-h`.
pub fn parse(argv: &[String]) -> Result<Option<Args>, String> {
    let mut a = Args::default();
    let mut it = argv.iter();
    let mut core_shortcut = false;
    while let Some(arg) = it.next() {
        let mut value = || match it.next() {
            Some(v) if !v.starts_with('-') => Ok(v.clone()),
            _ => Err(format!("Option '{arg}' requires an argument")),
        };
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "-D" => {
                let v = value()?;
                match v.split_once('=') {
                    Some((n, val)) if !n.is_empty() => a.set.push((n.to_owned(), val.to_owned())),
                    _ => return Err(format!("Option '-D': expected name=value, found '{v}'")),
                }
            }
            "-G" => a.get.push(value()?),
            "-I" => a.list = true,
            "--reset" => a.reset = true,
            "--patch" => a.patch = Some((value()?, false)),
            "--rpatch" => a.patch = Some((value()?, true)),
            "-a" | "--all" => a.all = true,
            "-y" | "--yes" => a.yes = true,
            "-v" | "--verbose" => a.verbose = true,
            "-t" => {
                let p = PathBuf::from(value()?);
                if !p.is_dir() {
                    return Err(format!("Option '-t': '{}' is not a directory", p.display()));
                }
                a.home = Some(p);
            }
            "--dual" => {
                core_shortcut = true;
                a.set.push(("IPV6_ACTIVATE".into(), "2".into()));
            }
            "-m" | "--monitoring" => {
                core_shortcut = true;
                for (n, v) in [
                    ("MONINTPSYNC", "1"),
                    ("MONINTTMPCP", "1"),
                    ("VERBOSE", "0"),
                    ("DIFF_REPORT", "1"),
                    ("MACHINE_REPORT", "1"),
                ] {
                    a.set.push((n.into(), v.into()));
                }
            }
            o if UNSUPPORTED.contains(&o) => {
                return Err(format!("Option '{o}' of T2's t2conf is not supported by rt2"));
            }
            o if o.starts_with('-') => return Err(format!("Unknown option '{o}'")),
            name => {
                let name = name.trim_end_matches('/').to_owned();
                if !a.names.contains(&name) {
                    a.names.push(name);
                }
            }
        }
    }
    if core_shortcut && !a.names.iter().any(|n| n == crate::tree::CORE) {
        a.names.insert(0, crate::tree::CORE.to_owned());
    }
    Ok(Some(a))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Result<Option<Args>, String> {
        parse(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn t2_syntax() {
        let a = p(&["tranalyzer2", "-D", "A=1", "-D", "B=x=y", "-G", "C"]).unwrap().unwrap();
        assert_eq!(a.names, ["tranalyzer2"]);
        assert_eq!(a.set, [("A".into(), "1".into()), ("B".into(), "x=y".into())]);
        assert!(matches!(a.action(), Action::Get));
        assert_eq!(p(&["-D"]).unwrap_err(), "Option '-D' requires an argument");
        assert_eq!(p(&["-D", "-G"]).unwrap_err(), "Option '-D' requires an argument");
        assert_eq!(p(&["x", "-D", "A"]).unwrap_err(), "Option '-D': expected name=value, found 'A'");
        assert_eq!(p(&["-ry"]).unwrap_err(), "Unknown option '-ry'");
        assert!(p(&["--gui"]).unwrap_err().contains("not supported"));
        let m = p(&["-m"]).unwrap().unwrap();
        assert_eq!(m.names, ["tranalyzer2"]);
        assert_eq!(m.set.len(), 5);
        assert!(p(&["-h"]).unwrap().is_none());
    }
}
