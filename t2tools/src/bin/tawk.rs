//! `tawk`: awk over T2's files with the columns by name (see `t2tools::tawk`).

use std::process::ExitCode;

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let result = t2tools::tawk::args::parse(&argv).and_then(|a| t2tools::tawk::run(&a));
    match result {
        Ok(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        Err(e) => {
            eprintln!("tawk: {e}");
            ExitCode::from(2)
        }
    }
}
