//! t2build's command line, T2's syntax: options and names in any order, no bundling, an
//! option's argument must not start with `-`, and `-l` acts as soon as it is read.

use std::path::PathBuf;

/// `t2build -h`.
pub const USAGE: &str = "Usage:
    t2build [OPTION...] [NAME...]

Build the core (tranalyzer2) and plugins with cargo and install every plugin into the plugin
folder as NNN_name.so (with the files it needs at run time). NAME is tranalyzer2 or the name
of a folder of plugins/; the core is always processed first. Without NAME: tranalyzer2 and
T2's default plugins (basicFlow basicStats connStat icmpDecode macRecorder portClassifier
protoStats tcpFlags tcpStates txtSink).

Target sets (ignored when a NAME is given):
    -a, --all         the core and every plugin, except t2PSkel, tcpWin and those listed in
                      the ignore file
    -b, --build [FILE]
                      the core and the plugins listed in FILE (default: $T2HOME/plugins.build;
                      '#' starts a comment line, NNN_name.so is read as name)
    -I, --ignore FILE ignore file for -a (default: $T2HOME/plugins.ignore, if it exists)
    -R, --rebuild     the core and every plugin installed in the plugin folder
    --no-sink         skip sinks (*Sink, findexer, payloadDumper, pcapd)

Operations:
    -c, --clean       remove the build products (cargo clean -p) instead of building
    -u, --unload      remove the plugins from the plugin folder (nothing is built)
    -e, --empty       empty the plugin folder, then exit (with -c, clean afterwards)
    -l, --list        list the installed plugins and exit (give -p before -l)

Build options:
    -d, --debug       debug build (target/debug) instead of release
    -O L              optimisation level, one of 0 g 1 2 3 s (default: the profile's; g is 1);
                      a level other than the last one's recompiles the dependencies too
    --lto             fat link-time optimisation (same remark)
    -r, --configure   rebuild from scratch (cargo clean -p first), even if cargo sees no change
    -f, --force       overwrite the extra files in the plugin folder even if they differ
    -1                no parallelism (cargo -j 1)
    -i, --install     install the tranalyzer executable into PLUGIN_DIR/bin/
    -L, --lazy        accepted: cargo builds are always incremental

Other options:
    -p, --plugin-dir DIR
                      plugin folder (default: ~/.tranalyzer/plugins)
    -y, --yes         answer yes to every question
    -X, --bypass-lock ignore the lock held by another t2build
    -h, -?, --help    show this help and exit

Every build's output goes to TARGET/t2build/t2build.log; the terminal shows one line per
target. A failed plugin does not stop the others; the run ends with BUILDING SUCCESSFUL or
the list of plugins that could not be built (exit 1).

Environment:
    T2HOME            source tree (default: the tree t2build was built from)
    CARGO_TARGET_DIR  cargo's target directory (default: $T2HOME/target)
    T2BUILD_CARGO     the cargo program to run (default: $CARGO, else cargo)
    DOCKER_BUILD      when set, no warning about running as root
";

/// T2 options that have no meaning for a cargo build.
const UNSUPPORTED: [&str; 9] = ["-P", "--profile", "--iwyu", "-U", "--update", "-D", "--doc", "-G", "-K"];

/// The parsed command line.
#[derive(Debug, Default, Clone)]
pub struct Args {
    /// Target names, as given (trailing `/` removed).
    pub names: Vec<String>,
    /// `-a`.
    pub all: bool,
    /// `-b [FILE]`: `Some(None)` means the default `plugins.build`.
    pub build_file: Option<Option<PathBuf>>,
    /// `-I FILE`.
    pub ignore_file: Option<PathBuf>,
    /// `-R`.
    pub rebuild: bool,
    /// `--no-sink`.
    pub no_sink: bool,
    /// `-c`.
    pub clean: bool,
    /// `-d`.
    pub debug: bool,
    /// `-O L`.
    pub opt: Option<String>,
    /// `--lto`.
    pub lto: bool,
    /// `-r`.
    pub configure: bool,
    /// `-f`.
    pub force: bool,
    /// `-u`.
    pub unload: bool,
    /// `-e`.
    pub empty: bool,
    /// `-p DIR`.
    pub plugin_dir: Option<PathBuf>,
    /// `-y`.
    pub yes: bool,
    /// `-1`.
    pub sequential: bool,
    /// `-i`.
    pub install: bool,
    /// `-X`.
    pub bypass_lock: bool,
}

/// What the command line asks for.
#[derive(Debug)]
pub enum Parsed {
    /// Run with these arguments.
    Run(Args),
    /// `-h`.
    Help,
    /// `-l` with the plugin folder known so far.
    List(Option<PathBuf>),
}

/// Parses the arguments; `is_target` tells whether a word names a target (for `-b`).
pub fn parse(argv: &[String], is_target: impl Fn(&str) -> bool) -> Result<Parsed, String> {
    let mut a = Args::default();
    let mut i = 0;
    while i < argv.len() {
        let arg = argv[i].as_str();
        let next = argv.get(i + 1).filter(|v| !v.starts_with('-'));
        let mut value = || {
            i += 1;
            next.cloned().ok_or_else(|| format!("Option '{arg}' requires an argument"))
        };
        match arg {
            "-h" | "-?" | "--help" => return Ok(Parsed::Help),
            "-a" | "--all" => a.all = true,
            "-b" | "--build" => match next {
                Some(f) if std::path::Path::new(f).is_file() && !is_target(f) => {
                    a.build_file = Some(Some(PathBuf::from(f)));
                    i += 1;
                }
                _ => a.build_file = Some(None),
            },
            "-I" | "--ignore" => {
                let f = value()?;
                if !std::path::Path::new(&f).is_file() {
                    return Err(format!("Invalid argument for option '{arg}': '{f}' is not a regular file"));
                }
                a.ignore_file = Some(PathBuf::from(f));
            }
            "-R" | "--rebuild" => a.rebuild = true,
            "--no-sink" => a.no_sink = true,
            "-c" | "--clean" => a.clean = true,
            "-d" | "--debug" => a.debug = true,
            // `-o` is the old spelling of `-O`
            "-O" | "-o" => a.opt = Some(opt_level(&value()?)?),
            "-O0" | "-Og" | "-O1" | "-O2" | "-O3" | "-Os" => a.opt = Some(opt_level(&arg[2..])?),
            "-01" => a.opt = Some("1".into()),
            "--lto" => a.lto = true,
            "-L" | "--lazy" => {}
            "-r" | "--configure" => a.configure = true,
            "-f" | "--force" => a.force = true,
            "-u" | "--unload" => a.unload = true,
            "-e" | "--empty" => a.empty = true,
            "-l" | "--list" => return Ok(Parsed::List(a.plugin_dir)),
            "-p" | "--plugin-dir" => a.plugin_dir = Some(PathBuf::from(value()?)),
            "-y" | "--yes" => a.yes = true,
            "-1" => a.sequential = true,
            "-i" | "--install" => a.install = true,
            "-X" | "--bypass-lock" => a.bypass_lock = true,
            "-B" | "--backend" => {
                let b = value()?;
                if b != "cargo" {
                    return Err(format!("Unknown backend '{b}': rt2 builds with cargo"));
                }
            }
            o if o.starts_with("-B=") => {
                if &o[3..] != "cargo" {
                    return Err(format!("Unknown backend '{}': rt2 builds with cargo", &o[3..]));
                }
            }
            "--reset" => {
                return Err(format!(
                    "Unknown option '--reset'\nDid you mean to call 't2conf {}' instead?",
                    argv.join(" ")
                ));
            }
            o if UNSUPPORTED.contains(&o)
                || o.starts_with("-k")
                || o.starts_with("--package")
                || o.starts_with("-K") =>
            {
                return Err(format!("Option '{o}' of T2's t2build is not supported by rt2"));
            }
            o if o.starts_with('-') => return Err(format!("Unknown option '{o}'")),
            name => {
                let name = name.trim_end_matches('/').to_owned();
                if !a.names.contains(&name) {
                    a.names.push(name);
                }
            }
        }
        i += 1;
    }
    Ok(Parsed::Run(a))
}

fn opt_level(l: &str) -> Result<String, String> {
    match l {
        "0" | "1" | "2" | "3" | "s" => Ok(l.to_owned()),
        // Rust has no -Og: the closest is 1 (debuggable, still optimised)
        "g" => Ok("1".to_owned()),
        _ => Err(format!("Invalid argument for option '-O': expected one of [0g123s]; found '{l}'")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Result<Parsed, String> {
        parse(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>(), |n| n == "tcpStates")
    }

    fn run(args: &[&str]) -> Args {
        match p(args).unwrap() {
            Parsed::Run(a) => a,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn t2_syntax() {
        let a = run(&["-r", "-f", "tranalyzer2", "tcpStates/", "tcpStates"]);
        assert!(a.configure && a.force);
        assert_eq!(a.names, ["tranalyzer2", "tcpStates"]);
        assert_eq!(run(&["-O3"]).opt.as_deref(), Some("3"));
        assert_eq!(run(&["-O", "g"]).opt.as_deref(), Some("1"));
        assert_eq!(
            p(&["-O", "4"]).unwrap_err(),
            "Invalid argument for option '-O': expected one of [0g123s]; found '4'"
        );
        assert_eq!(p(&["-p"]).unwrap_err(), "Option '-p' requires an argument");
        assert_eq!(p(&["-p", "-y"]).unwrap_err(), "Option '-p' requires an argument");
        assert_eq!(p(&["-ry"]).unwrap_err(), "Unknown option '-ry'");
        assert_eq!(p(&["-n"]).unwrap_err(), "Unknown option '-n'");
        assert!(p(&["-k"]).unwrap_err().contains("not supported"));
        assert!(p(&["--reset", "x"]).unwrap_err().ends_with("Did you mean to call 't2conf --reset x' instead?"));
        assert!(matches!(p(&["-h", "-x"]).unwrap(), Parsed::Help));
        assert!(matches!(p(&["-p", "d", "-l", "-x"]).unwrap(), Parsed::List(Some(_))));
        // -b takes the next word only if it is a file and not a target name
        assert_eq!(run(&["-b", "tcpStates"]).build_file, Some(None));
        assert_eq!(run(&["-b", "-a"]).build_file, Some(None));
        assert_eq!(run(&["-b", "Cargo.toml"]).build_file, Some(Some(PathBuf::from("Cargo.toml"))));
    }
}
