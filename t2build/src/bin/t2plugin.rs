//! `t2plugin`: creates a new plugin crate from the `t2PSkel` template (t2build.md Appendix B):
//! `t2plugin -c NAME [NUMBER]`, then `t2build NAME`.

#![forbid(unsafe_code)]

use std::process::ExitCode;

use t2build::template::{self, Request};
use t2build::ui;
use t2build::workspace::Workspace;

const USAGE: &str = "Usage:
    t2plugin -c NAME [-n NUMBER | NUMBER] [-s] [-y]

Create the plugin NAME in plugins/NAME from the template plugins/t2PSkel (every t2PSkel,
T2PSkel and T2PSKEL renamed), add it to the workspace, and leave it ready for 't2build NAME'.

Options:
    -c NAME      name of the new plugin: a lower-case letter, then letters, digits or '_'
    -n NUMBER    plugin number (three digits, unused; it orders plugins and their columns);
                 default: a free number, printed
    -s           a sink: the number must be 900 or more
    --rust       accepted (rt2 plugins are Rust crates)
    -y, --yes    replace an existing folder NAME without asking
    -h, --help   show this help and exit

Environment:
    T2HOME       source tree (default: the tree t2plugin was built from)
";

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let r = match parse(&argv) {
        Ok(Some(r)) => r,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            ui::error(&e);
            println!("Try 't2plugin --help' for more information.");
            return ExitCode::FAILURE;
        }
    };
    let result = Workspace::find().and_then(|ws| template::create(&ws, &r));
    match result {
        Ok(number) => {
            ui::ok(&format!("Rust plugin '{}' created (number {number})", r.name));
            ui::info(&format!("Build and install it with 't2build {}'", r.name));
            ui::info("Source scripts/t2_aliases again to get its completion");
            ExitCode::SUCCESS
        }
        Err(e) => {
            e.lines().for_each(ui::error);
            ExitCode::FAILURE
        }
    }
}

fn parse(argv: &[String]) -> Result<Option<Request>, String> {
    let mut r = Request::default();
    let mut it = argv.iter().peekable();
    while let Some(arg) = it.next() {
        let mut value = || match it.next() {
            Some(v) if !v.starts_with('-') => Ok(v.clone()),
            _ => Err(format!("Option '{arg}' requires an argument")),
        };
        match arg.as_str() {
            "-h" | "-?" | "--help" => return Ok(None),
            "-c" => r.name = value()?,
            "-n" => r.number = Some(value()?),
            "-s" => r.sink = true,
            "-y" | "--yes" => r.yes = true,
            "--rust" => {}
            "-m" | "-t" | "--cpp" | "-l" | "-N" | "-H" => {
                return Err(format!("Option '{arg}' of T2's t2plugin is not supported by rt2"));
            }
            o if o.starts_with('-') => return Err(format!("Unknown option '{o}'")),
            n if r.number.is_none() && !r.name.is_empty() => r.number = Some(n.to_owned()),
            other => return Err(format!("Unexpected argument '{other}'")),
        }
    }
    if r.name.is_empty() {
        return Err("Option '-c NAME' is required".into());
    }
    Ok(Some(r))
}
