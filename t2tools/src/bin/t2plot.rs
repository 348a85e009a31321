//! `t2plot`: PNG plots of columns and of monitoring reports (see `t2tools::plot`).

use std::process::ExitCode;

use t2tools::plot;

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let options = match plot::parse(&argv) {
        Ok(o) if o.help => {
            print!("{}", plot::USAGE);
            return ExitCode::SUCCESS;
        }
        Ok(o) => o,
        Err(e) => {
            eprintln!("t2plot: {e}");
            return ExitCode::FAILURE;
        }
    };
    match plot::run(&options) {
        Ok(outcome) => {
            if outcome.default_name {
                eprintln!("t2plot: wrote {}", outcome.png.display());
            }
            for e in &outcome.left_out {
                eprintln!("t2plot: {e}");
            }
            if outcome.left_out.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE }
        }
        Err(e) => {
            eprintln!("t2plot: {e}");
            ExitCode::FAILURE
        }
    }
}
