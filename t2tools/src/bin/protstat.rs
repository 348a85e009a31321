//! `protStat`: ranks the rows of `PREFIX_protocols.txt` and `PREFIX_icmpStats.txt` (see
//! `t2tools::protstat`).

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use t2tools::protstat;

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let result = protstat::parse(&argv, std::io::stdout().is_terminal()).and_then(|o| {
        if o.help {
            return Ok(protstat::USAGE.to_string());
        }
        protstat::render(&protstat::read(&o.file)?, &o)
    });
    match result {
        Ok(text) => match std::io::stdout().lock().write_all(text.as_bytes()) {
            // a closed pipe (protStat ... | head) is a normal end
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                eprintln!("protStat: cannot write the output: {e}");
                ExitCode::FAILURE
            }
            _ => ExitCode::SUCCESS,
        },
        Err(e) => {
            eprintln!("protStat: {e}");
            ExitCode::FAILURE
        }
    }
}
