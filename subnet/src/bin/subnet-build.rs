//! `subnet-build`: builds one family's subnet table from T2's subnet text file and the
//! `@ip-location-db` CSV files (run by `subnet/rebuild-tables`, which fetches them).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use subnet::Table;
use subnet::merge::{Inputs, Tables};
use subnet::sources::{self, Skipped};

const USAGE: &str = "Usage: subnet-build -4|-6 [--t2 FILE] [--country CSV] [--asn CSV] [--revision YYYYMMDD] -o OUT
       subnet-build --t2-only TABLE -o OUT

Builds the IPv4 (-4) or IPv6 (-6) subnet table OUT from T2's subnet text file (priv4.txt,
subnets6.txt), an @ip-location-db country CSV (geo-whois-asn-country-ipv*.csv) and an AS CSV
(asn-ipv*.csv). T2's blocks win over the datasets (see the subnet crate's merge module).

--t2-only writes the part of an existing TABLE (subnets4.bin or subnets6.bin) that came from
T2's own files: the labels T2 0.9.3 itself prints, without the datasets' countries.";

#[derive(Default)]
struct Args {
    bits: u32,
    t2: Option<PathBuf>,
    /// `--t2-only`: the table to filter.
    t2_only: Option<PathBuf>,
    country: Option<PathBuf>,
    asn: Option<PathBuf>,
    revision: u32,
    out: Option<PathBuf>,
}

fn parse(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut a = Args::default();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("option '{name}' requires an argument"));
        match arg.as_str() {
            "-4" => a.bits = 32,
            "-6" => a.bits = 128,
            "--t2" => a.t2 = Some(value(&arg)?.into()),
            "--t2-only" => a.t2_only = Some(value(&arg)?.into()),
            "--country" => a.country = Some(value(&arg)?.into()),
            "--asn" => a.asn = Some(value(&arg)?.into()),
            "--revision" => a.revision = value(&arg)?.parse().map_err(|e| format!("bad --revision: {e}"))?,
            "-o" => a.out = Some(value(&arg)?.into()),
            "-h" | "--help" => return Err(String::new()),
            _ => return Err(format!("unknown argument '{arg}'")),
        }
    }
    if a.out.is_none() || (a.bits == 0) == a.t2_only.is_none() {
        return Err("-o, and one of -4, -6 or --t2-only, are required".into());
    }
    Ok(a)
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read '{}': {e}", path.display()))
}

/// Prints how many lines of `what` were read and skipped (the first few skipped in full).
fn summary(what: &Path, read: usize, skipped: &[Skipped]) {
    println!("{}: {read} ranges, {} lines skipped", what.display(), skipped.len());
    for s in skipped.iter().take(5) {
        println!("  line {}: {}", s.line, s.why);
    }
}

fn run(a: &Args) -> Result<(), String> {
    let tables = match &a.t2_only {
        Some(from) => {
            let table = Table::open(from).map_err(|e| e.to_string())?;
            Tables::filtered(&table, |l| l.is_t2())
        }
        None => merged(a)?,
    };
    let bytes = tables.encode();
    let out = a.out.as_ref().expect("checked by parse");
    std::fs::write(out, &bytes).map_err(|e| format!("cannot write '{}': {e}", out.display()))?;
    println!("{}: {} segments, {} labels, {} bytes", out.display(), tables.segments(), tables.labels(), bytes.len());
    Ok(())
}

/// The table merged from the sources named by `a`.
fn merged(a: &Args) -> Result<Tables, String> {
    let mut inputs = Inputs { bits: a.bits, ..Inputs::default() };
    if let Some(p) = &a.t2 {
        let (cidrs, skipped) = sources::t2_text(&read(p)?, a.bits);
        summary(p, cidrs.len(), &skipped);
        inputs.cidrs = cidrs;
    }
    if let Some(p) = &a.country {
        let (ranges, skipped) = sources::csv_country(&read(p)?, a.bits);
        summary(p, ranges.len(), &skipped);
        inputs.countries = ranges;
    }
    if let Some(p) = &a.asn {
        let (ranges, skipped) = sources::csv_asn(&read(p)?, a.bits);
        summary(p, ranges.len(), &skipped);
        inputs.asns = ranges;
    }
    let mut tables = inputs.merge();
    tables.revision = a.revision;
    Ok(tables)
}

fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) if e.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("subnet-build: {e}\n{USAGE}");
            return ExitCode::FAILURE;
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("subnet-build: {e}");
            ExitCode::FAILURE
        }
    }
}
