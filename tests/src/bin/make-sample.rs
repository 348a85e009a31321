//! Writes the shipped sample capture (`samples/sample.pcap`, or the path given).

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let path =
        std::env::args_os().nth(1).map_or_else(|| rt2_tests::repo_root().join("samples/sample.pcap"), PathBuf::from);
    match std::fs::write(&path, tranalyzer::testing::sample::sample_pcap()) {
        Ok(()) => {
            println!("{}", path.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("make-sample: cannot write '{}': {e}", path.display());
            ExitCode::FAILURE
        }
    }
}
