//! `t2whois`: what the subnet tables say about addresses (T2's tool of that name): country or
//! special-range code, organisation or range name, AS number, and the range the address
//! falls in.

use std::io::{self, BufRead, Write};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::PathBuf;
use std::process::ExitCode;

use subnet::{FILE4, FILE6, Hit, Subnets};

const USAGE: &str = "Usage:
    t2whois [OPTION...] [INPUT...]

Input:
    -               If no input is provided, read from stdin
    ip              Read IP address(es) directly from the command line
    -r file         Read IP address(es) from 'file'

Optional arguments:
    -d file         Binary subnet file to use for IPv4 [~/.tranalyzer/plugins/subnets4.bin]
    -e file         Binary subnet file to use for IPv6 [~/.tranalyzer/plugins/subnets6.bin]

    -o field(s)     Field(s) to output (in order). Many fields can be selected
                    by using multiple '-o' options or by separating the fields
                    with a comma, e.g., -o field1,field2. Valid field names are
                    all, default, ip, netmask, net, mask, range, org, country, asn

    -l              Output one line per IP
    -H              Do not output the header with -l option
    -t char         Start character(s) for column header (-l option) [\"%\"]

    -s char         Column separator for output [\"\\t\"]

Help and documentation arguments:
    -L              Describe the available fields and exit
    -V              Show info about the database (version, ...) and exit
    -h              Show help options and exit";

/// An output field: its `-o` name and its title.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    Ip,
    NetMask,
    Net,
    Mask,
    Range,
    Org,
    Country,
    Asn,
}

/// Every field with its `-o` name, title, and whether it is printed by default (T2's order).
const FIELDS: [(Field, &str, &str, bool); 8] = [
    (Field::Ip, "ip", "IP", true),
    (Field::NetMask, "netmask", "Network/Mask", true),
    (Field::Net, "net", "Network", false),
    (Field::Mask, "mask", "Mask", false),
    (Field::Range, "range", "Range", true),
    (Field::Org, "org", "Organization", true),
    (Field::Country, "country", "Country", true),
    (Field::Asn, "asn", "ASN", true),
];

/// T2's fields that rt2's tables do not hold.
const ABSENT: [&str; 6] = ["county", "city", "lat", "lng", "prec", "netid"];

struct Args {
    v4: Option<PathBuf>,
    v6: Option<PathBuf>,
    fields: Vec<Field>,
    oneline: bool,
    header: bool,
    hdr_chr: String,
    sep: String,
    file: Option<PathBuf>,
    list: bool,
    info: bool,
    addrs: Vec<String>,
}

/// Parses the command line as T2's getopt does: options first (bundling allowed, an option's
/// value attached or in the next argument), then the addresses.
fn parse(argv: &[String]) -> Result<Option<Args>, String> {
    let mut a = Args {
        v4: None,
        v6: None,
        fields: Vec::new(),
        oneline: false,
        header: true,
        hdr_chr: "%".into(),
        sep: "\t".into(),
        file: None,
        list: false,
        info: false,
        addrs: Vec::new(),
    };
    let mut i = 0;
    while let Some(arg) = argv.get(i) {
        i += 1;
        if !arg.starts_with('-') || arg == "-" {
            if arg != "-" {
                a.addrs.push(arg.clone());
            }
            a.addrs.extend(argv[i..].iter().filter(|s| *s != "-").cloned());
            break;
        }
        let opts: Vec<char> = arg.chars().skip(1).collect();
        let mut k = 0;
        while let Some(&c) = opts.get(k) {
            k += 1;
            let mut value = || -> Result<String, String> {
                if k < opts.len() {
                    let v: String = opts[k..].iter().collect();
                    k = opts.len();
                    Ok(v)
                } else {
                    i += 1;
                    argv.get(i - 1).cloned().ok_or_else(|| format!("Option '-{c}' requires an argument"))
                }
            };
            match c {
                'd' => a.v4 = Some(value()?.into()),
                'e' => a.v6 = Some(value()?.into()),
                'o' => fields(&value()?, &mut a.fields)?,
                'r' => a.file = Some(value()?).filter(|f| f != "-").map(PathBuf::from),
                's' => a.sep = value()?,
                't' => a.hdr_chr = value()?,
                'l' => a.oneline = true,
                'H' => a.header = false,
                'L' => a.list = true,
                'V' => a.info = true,
                'h' => return Ok(None),
                _ => return Err(format!("Unknown option '-{c}'")),
            }
        }
    }
    if a.fields.is_empty() {
        a.fields = FIELDS.iter().filter(|f| f.3).map(|f| f.0).collect();
    }
    Ok(Some(a))
}

/// Adds the fields of a `-o` value.
fn fields(list: &str, out: &mut Vec<Field>) -> Result<(), String> {
    for name in list.split(',') {
        match name.to_ascii_lowercase().as_str() {
            "all" => out.extend(FIELDS.iter().map(|f| f.0)),
            "default" => out.extend(FIELDS.iter().filter(|f| f.3).map(|f| f.0)),
            n => match FIELDS.iter().find(|f| f.1 == n) {
                Some(f) => out.push(f.0),
                None if ABSENT.contains(&n) => return Err(format!("Field '{n}' is not in rt2's subnet tables")),
                None => {
                    let names: Vec<&str> = FIELDS.iter().map(|f| f.1).collect();
                    return Err(format!(
                        "Invalid argument for '-o' option: expected one of {}, found '{n}'",
                        names.join(", ")
                    ));
                }
            },
        }
    }
    Ok(())
}

fn title(f: Field) -> &'static str {
    FIELDS.iter().find(|x| x.0 == f).map_or("", |x| x.2)
}

/// An address as typed: IPv4 (dotted or `0x` + 8 hex digits) or IPv6, a `/mask` ignored.
fn parse_addr(text: &str) -> Option<(u8, u128)> {
    let s = text.split('/').next().unwrap_or(text).trim();
    if let Some(hex) = s.strip_prefix("0x").filter(|h| h.len() == 8) {
        return u32::from_str_radix(hex, 16).ok().map(|v| (4, u128::from(v)));
    }
    if s.contains(':') {
        s.parse::<Ipv6Addr>().ok().map(|a| (6, a.to_bits()))
    } else {
        s.parse::<Ipv4Addr>().ok().map(|a| (4, u128::from(a.to_bits())))
    }
}

fn addr_text(ver: u8, a: u128) -> String {
    if ver == 4 { Ipv4Addr::from_bits(a as u32).to_string() } else { Ipv6Addr::from_bits(a).to_string() }
}

/// One field's value; `quote` wraps the texts (`-l` output).
fn value(f: Field, ip: &str, ver: u8, hit: &Hit<'_>, quote: &str) -> String {
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    match f {
        Field::Ip => ip.to_owned(),
        Field::NetMask => format!("{}/{}", addr_text(ver, hit.first), hit.prefix),
        Field::Net => addr_text(ver, hit.first),
        Field::Mask => hit.prefix.to_string(),
        Field::Range => format!("{quote}{} - {}{quote}", addr_text(ver, hit.first), addr_text(ver, hit.last)),
        Field::Org => format!("{quote}{}{quote}", text(hit.label.org())),
        Field::Country => text(hit.label.cc()),
        Field::Asn => hit.label.asn.to_string(),
    }
}

/// The block or line printed for one address; false when it is not an address or its
/// family has no table.
fn process(out: &mut impl Write, a: &Args, subnets: &Subnets, input: &str) -> io::Result<bool> {
    let ip = input.trim();
    let Some((ver, addr)) = parse_addr(ip) else {
        eprintln!("[ERR] Failed to convert IP '{ip}'");
        return Ok(false);
    };
    let Some(table) = subnets.table(ver) else {
        eprintln!("[ERR] No IPv{ver} subnet table for '{ip}'");
        return Ok(false);
    };
    // the hit's range is printed with the network address as the table has it
    let shown = if ver == 4 && ip.starts_with("0x") {
        addr_text(4, addr)
    } else {
        ip.split('/').next().unwrap_or(ip).to_owned()
    };
    let Some(hit) = table.describe(addr) else {
        if a.oneline {
            let cells: Vec<String> =
                a.fields.iter().map(|&f| if f == Field::Ip { shown.clone() } else { String::new() }).collect();
            writeln!(out, "{}", cells.join(&a.sep))?;
        } else {
            writeln!(out, "[WRN] No entry found for '{shown}'")?;
        }
        return Ok(true);
    };
    if a.oneline {
        let cells: Vec<String> = a.fields.iter().map(|&f| value(f, &shown, ver, &hit, "\"")).collect();
        writeln!(out, "{}", cells.join(&a.sep))?;
    } else {
        for &f in &a.fields {
            writeln!(out, "{:<10}{}{}", title(f), a.sep, value(f, &shown, ver, &hit, ""))?;
        }
        writeln!(out)?;
    }
    Ok(true)
}

fn run(a: &Args) -> io::Result<ExitCode> {
    if a.list {
        println!("The fields available are:");
        for f in FIELDS {
            println!("\t{:<11}\t{}", f.1, f.2);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let dir = std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".tranalyzer/plugins"));
    let path = |given: &Option<PathBuf>, file| given.clone().or_else(|| dir.as_ref().map(|d| d.join(file)));
    let (Some(p4), Some(p6)) = (path(&a.v4, FILE4), path(&a.v6, FILE6)) else {
        eprintln!("[ERR] HOME is not set: give the tables with -d and -e");
        return Ok(ExitCode::FAILURE);
    };
    let (subnets, errors) = Subnets::open(&p4, &p6);
    for e in &errors {
        eprintln!("[ERR] {e}");
    }
    if a.info {
        for (ver, p) in [(4, &p4), (6, &p6)] {
            if let Some(t) = subnets.table(ver) {
                println!();
                println!("{:<11}{}{}", "Database", a.sep, p.display());
                println!("{:<11}{}{}", "Version", a.sep, subnet::format::VERSION);
                println!("{:<11}{}{:08}", "Revision", a.sep, t.revision());
                println!("{:<11}{}{}", "Num Subnets", a.sep, t.segments());
                println!("{:<11}{}{}", "Num Labels", a.sep, t.labels());
            }
        }
        println!();
        return Ok(if errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE });
    }
    if errors.len() == 2 {
        eprintln!("[INF] Run 't2build basicFlow' to install the subnet tables");
        return Ok(ExitCode::FAILURE);
    }
    let mut out = io::BufWriter::new(io::stdout().lock());
    if a.oneline && a.header {
        let titles: Vec<&str> = a.fields.iter().map(|&f| title(f)).collect();
        writeln!(out, "{}{}", a.hdr_chr, titles.join(&a.sep))?;
    }
    let mut ok = true;
    for ip in &a.addrs {
        ok &= process(&mut out, a, &subnets, ip)?;
    }
    let lines: Option<Box<dyn BufRead>> = match &a.file {
        Some(f) => match std::fs::File::open(f) {
            Ok(file) => Some(Box::new(io::BufReader::new(file))),
            Err(e) => {
                eprintln!("[ERR] Failed to open file '{}' for reading: {e}", f.display());
                return Ok(ExitCode::FAILURE);
            }
        },
        None if a.addrs.is_empty() => Some(Box::new(io::stdin().lock())),
        None => None,
    };
    for line in lines.into_iter().flat_map(BufRead::lines) {
        let line = line?;
        if !line.trim().is_empty() && !line.starts_with('#') {
            ok &= process(&mut out, a, &subnets, &line)?;
        }
    }
    out.flush()?;
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let args = match parse(&argv) {
        Ok(Some(a)) => a,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("[ERR] {e}");
            eprintln!("Try 't2whois -h' for more information.");
            return ExitCode::FAILURE;
        }
    };
    match run(&args) {
        Ok(code) => code,
        // a closed pipe (t2whois ... | head) ends quietly
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("[ERR] t2whois: {e}");
            ExitCode::FAILURE
        }
    }
}
