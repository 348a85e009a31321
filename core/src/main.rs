//! `tranalyzer`: command line in, exit status out; the only `process::exit`.

use std::process::ExitCode;

use tranalyzer::app::{self, Outcome};
use tranalyzer::cli::{self, Command};
use tranalyzer::error::Error;
use tranalyzer::flags;
use tranalyzer::log;

fn main() -> ExitCode {
    let args: Vec<_> = std::env::args_os().skip(1).collect();
    let cmd = match cli::parse(&args) {
        Ok(c) => c,
        Err(e) => return fail(&Error::Args(e)),
    };
    match cmd {
        Command::Usage => {
            print!("{}", cli::usage());
            ExitCode::FAILURE
        }
        Command::Help => {
            print!("{}", cli::usage());
            ExitCode::SUCCESS
        }
        Command::Version => {
            println!("{}", cli::version());
            for (name, value, default) in flags::CHANGED {
                println!("{name} = {value} (default {default})");
            }
            ExitCode::SUCCESS
        }
        Command::Run(o) => match app::run(*o) {
            Ok(Outcome::Done) => ExitCode::SUCCESS,
            Ok(Outcome::Failed | Outcome::OutputFailed) => ExitCode::FAILURE,
            Err(e) => fail(&e),
        },
    }
}

fn fail(e: &Error) -> ExitCode {
    if !e.printed() {
        log::error(&e.to_string());
    }
    if let Some(hint) = e.hint() {
        log::stderr_line(log::Kind::Info, None, hint);
    }
    if matches!(e, Error::Args(_) | Error::NoInput) {
        println!("Try 'tranalyzer -h' for more information.");
    }
    ExitCode::FAILURE
}
