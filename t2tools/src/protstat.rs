//! `protStat`: ranks the rows of the protocol statistics T2's plugins write, by packets or
//! bytes: `PREFIX_protocols.txt` (protoStats: sections `L2/3 Protocol`, `L4 Protocol`, `TCP
//! Port`, `UDP Port`, ...) and `PREFIX_icmpStats.txt` (icmpDecode: `ICMP Type`, `ICMPv6 Type`).
//!
//! A section starts with a `# TITLE<TAB>...` row naming its columns; its rows follow, up to
//! an empty row; a count reads `   121 [ 88.97%]`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::Error;
use crate::hrnum::hrnum;

/// `protStat -h`.
pub const USAGE: &str = "Usage:
    protStat [OPTION...] PREFIX_protocols.txt
    protStat [OPTION...] PREFIX_icmpStats.txt

Ranks the protocols, ports or ICMP types of each section by packets (or bytes), most first.

Optional arguments:
    -b              sort and filter by bytes instead of packets
    -r              sort in reverse order (least first)

    -B              do not output byte counts
    -P              do not output packet counts (sorts by bytes)
    -C              do not output percentages

    -p P            only rows with a percentage >= P (P > 0) or <= -P (P < 0)
    -n N            only the top N rows (N > 0) or the bottom -N rows (N < 0) of each section

    -H              raw numbers [default]
    -HR             human-readable numbers (5.51 M)
    -HH             raw and human-readable numbers

    -l2 -l4 -tcp -udp -udplite -sctp -icmp -icmpv6 -igmp
                    only these sections (several may be given)

    --color[=WHEN]  bold section titles: always (default), never or auto (a terminal)
    -h, --help      show this help and exit
";

/// The sections the filter options name: option, section title.
const SECTIONS: [(&str, &str); 10] = [
    ("-l2", "L2/3 Protocol"),
    ("-l4", "L4 Protocol"),
    ("-tcp", "TCP Port"),
    ("-udp", "UDP Port"),
    ("-udplite", "UDP-Lite Port"),
    ("-sctp", "SCTP Port"),
    ("-icmp", "ICMP Type"),
    ("-icmpv6", "ICMPv6 Type"),
    ("-igmp", "IGMP Type"),
    ("-ndpi", "Protocol ID"),
];

/// How numbers are printed (`-H`, `-HR`, `-HH`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Numbers {
    /// `121`.
    #[default]
    Raw,
    /// `5.51 M`.
    Human,
    /// `5512362 (5.51 M)`.
    Both,
}

/// What the command line asks for.
#[derive(Debug, Default)]
pub struct Options {
    /// The file.
    pub file: PathBuf,
    /// `-b`/`-P`: rank by bytes.
    pub bytes: bool,
    /// `-r`.
    pub reverse: bool,
    /// `-B`.
    pub no_bytes: bool,
    /// `-P`.
    pub no_packets: bool,
    /// `-C`.
    pub no_percent: bool,
    /// `-p P`.
    pub percent: Option<f64>,
    /// `-n N`.
    pub top: Option<i64>,
    /// `-H*`.
    pub numbers: Numbers,
    /// The section titles to print; empty: all.
    pub sections: Vec<&'static str>,
    /// Bold titles.
    pub color: bool,
    /// `-h`.
    pub help: bool,
}

/// Parses the arguments (without the program name); `tty` tells whether stdout is a terminal.
pub fn parse(argv: &[String], tty: bool) -> Result<Options, Error> {
    let mut o = Options { color: tty, ..Options::default() };
    let mut file = None;
    let mut it = argv.iter();
    while let Some(arg) = it.next() {
        let mut value = |opt: &str| {
            it.next().cloned().ok_or_else(|| Error::Usage(format!("option '{opt}' needs a value (protStat -h)")))
        };
        match arg.as_str() {
            "-h" | "-?" | "--help" => o.help = true,
            "-b" | "--bytes" => o.bytes = true,
            "-r" | "--reverse" => o.reverse = true,
            "-B" | "--no-bytes" => o.no_bytes = true,
            "-P" | "--no-packets" => {
                o.no_packets = true;
                o.bytes = true;
            }
            "-C" | "--no-percentages" => o.no_percent = true,
            "-H" | "--raw-numbers" => o.numbers = Numbers::Raw,
            "-HR" | "--hrnum" => o.numbers = Numbers::Human,
            "-HH" | "--raw-and-hrnum" => o.numbers = Numbers::Both,
            "-p" => {
                let v = value(arg)?;
                o.percent = Some(v.parse().map_err(|_| Error::Usage(format!("-p needs a percentage, not '{v}'")))?);
            }
            "-n" => {
                let v = value(arg)?;
                o.top = Some(v.parse().map_err(|_| Error::Usage(format!("-n needs a number of rows, not '{v}'")))?);
            }
            "--color" | "--color=always" => o.color = true,
            "--color=never" => o.color = false,
            "--color=auto" => o.color = tty,
            s => match SECTIONS.iter().find(|(opt, _)| *opt == s || s.strip_prefix('-') == Some(opt)) {
                Some((_, title)) => o.sections.push(title),
                None if s.starts_with('-') && s.len() > 1 => {
                    return Err(Error::Usage(format!("unknown option '{s}' (protStat -h lists them)")));
                }
                None if file.is_some() => return Err(Error::Usage(format!("one file only, not also '{s}'"))),
                None => file = Some(PathBuf::from(s)),
            },
        }
    }
    if o.help {
        return Ok(o);
    }
    if o.no_bytes && o.no_packets {
        return Err(Error::Usage("-B and -P leave nothing to print".into()));
    }
    if o.no_bytes && o.bytes {
        return Err(Error::Usage("cannot sort by bytes without printing them: remove -b or -B".into()));
    }
    o.file = file.ok_or_else(|| Error::Usage("a file is required (protStat -h)".into()))?;
    Ok(o)
}

/// A count and its percentage, as in `   121 [ 88.97%]`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Count {
    /// The number.
    pub n: u64,
    /// The percentage T2 printed (NaN for its `-nan`).
    pub pct: f64,
}

/// One row of a section.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The identifying fields: protocol or port; ICMP type and code.
    pub label: Vec<String>,
    /// Packets.
    pub packets: Option<Count>,
    /// Bytes.
    pub bytes: Option<Count>,
    /// The description (protocols only).
    pub desc: Option<String>,
}

/// One section: its title, the label columns' names and its rows in file order.
#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    /// `L2/3 Protocol`, `TCP Port`, `ICMP Type`, ...
    pub title: String,
    /// The names of the label columns after the first (`Code` for ICMP).
    pub label_names: Vec<String>,
    /// Whether its rows have byte counts.
    pub has_bytes: bool,
    /// Whether its rows have a description.
    pub has_desc: bool,
    /// The rows.
    pub rows: Vec<Row>,
}

/// Where a section's fields are: packets, bytes, description, and the number of label fields
/// before them.
type Layout = (Option<usize>, Option<usize>, Option<usize>, usize);

/// Reads the sections of a protocols or ICMP statistics file.
pub fn read(path: &Path) -> Result<Vec<Section>, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::Read { path: path.to_path_buf(), source: e })?;
    parse_sections(&text, path)
}

/// Parses the text of a statistics file (`path` for messages).
pub fn parse_sections(text: &str, path: &Path) -> Result<Vec<Section>, Error> {
    let bad = |line: usize, what: String| Error::Input { path: path.to_path_buf(), line, what };
    let mut sections: Vec<Section> = Vec::new();
    let mut layout: Option<Layout> = None;
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() {
            layout = None;
            continue;
        }
        if let Some(head) = line.strip_prefix("# ")
            && head.contains('\t')
        {
            let cols: Vec<&str> = head.split('\t').map(str::trim).collect();
            let find = |name: &str| cols.iter().position(|c| *c == name);
            let (p, b, d) = (find("Packets"), find("Bytes"), find("Description"));
            let labels = [p, b, d].iter().flatten().min().copied().unwrap_or(cols.len());
            if p.is_none() {
                return Err(bad(line_no, format!("section '{}' has no Packets column", cols[0])));
            }
            sections.push(Section {
                title: cols[0].to_string(),
                label_names: cols[1..labels].iter().map(|s| s.to_string()).collect(),
                has_bytes: b.is_some(),
                has_desc: d.is_some(),
                rows: Vec::new(),
            });
            layout = Some((p, b, d, labels));
            continue;
        }
        let (Some((p, b, d, labels)), Some(section)) = (layout, sections.last_mut()) else {
            continue; // totals and ratios between the sections
        };
        if line.starts_with('#') {
            layout = None;
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        let count = |idx: Option<usize>| -> Result<Option<Count>, Error> {
            idx.map(|k| {
                let field = f.get(k).ok_or_else(|| bad(line_no, format!("{} fields, {} expected", f.len(), k + 1)))?;
                parse_count(field).ok_or_else(|| bad(line_no, format!("'{}' is no count ('N [P%]')", field.trim())))
            })
            .transpose()
        };
        section.rows.push(Row {
            label: f.iter().take(labels).map(|s| s.trim().to_string()).collect(),
            packets: count(p)?,
            bytes: count(b)?,
            desc: d.and_then(|k| f.get(k)).map(|s| s.to_string()),
        });
    }
    // a statistics file without sections still has its totals (no ICMP: one total line)
    let totals = text.lines().any(|l| l.starts_with("# Total") || l.starts_with("Total number of"));
    if sections.is_empty() && !totals {
        return Err(bad(
            0,
            "no statistics section (a '# TITLE<TAB>Packets...' row): not a protocols or ICMP file".into(),
        ));
    }
    Ok(sections)
}

/// `   121 [ 88.97%]`, or a bare number.
fn parse_count(field: &str) -> Option<Count> {
    let field = field.trim();
    let (n, pct) = match field.split_once('[') {
        Some((n, rest)) => {
            let p = rest.trim().strip_suffix("%]")?.trim();
            (n.trim(), if p.ends_with("nan") { f64::NAN } else { p.parse().ok()? })
        }
        None => (field, f64::NAN),
    };
    Some(Count { n: n.parse().ok()?, pct })
}

/// The rows of `section` that `o` selects, ranked.
pub fn rank<'a>(section: &'a Section, o: &Options) -> Result<Vec<&'a Row>, Error> {
    if o.bytes && !section.has_bytes {
        return Err(Error::Usage(format!("section '{}' has no byte counts: sort it by packets", section.title)));
    }
    let key = |r: &Row| if o.bytes { r.bytes } else { r.packets };
    let mut rows: Vec<&Row> = section
        .rows
        .iter()
        .filter(|r| match (o.percent, key(r)) {
            (Some(p), Some(c)) if p >= 0.0 => c.pct >= p,
            (Some(p), Some(c)) => c.pct <= -p,
            _ => true,
        })
        .collect();
    // stable: equal counts keep the file's order
    rows.sort_by(|a, b| {
        let (x, y) = (key(a).map_or(0, |c| c.n), key(b).map_or(0, |c| c.n));
        if o.reverse { x.cmp(&y) } else { y.cmp(&x) }
    });
    match o.top {
        Some(n) if n >= 0 => rows.truncate(n as usize),
        Some(n) => {
            let keep = n.unsigned_abs() as usize;
            rows.drain(..rows.len().saturating_sub(keep));
        }
        None => {}
    }
    Ok(rows)
}

/// protStat's whole output for `sections`.
pub fn render(sections: &[Section], o: &Options) -> Result<String, Error> {
    let mut out = String::new();
    let (bold, plain) = if o.color { ("\x1b[1m", "\x1b[0m") } else { ("", "") };
    let wide = if o.no_percent { 0 } else { 30 };
    for section in sections.iter().filter(|s| o.sections.is_empty() || o.sections.contains(&s.title.as_str())) {
        let rows = rank(section, o)?;
        let mut head = vec![section.title.clone()];
        head.extend(section.label_names.iter().cloned());
        if !o.no_packets {
            head.push(format!("{:>wide$}", "Packets"));
        }
        if section.has_bytes && !o.no_bytes {
            head.push(format!("{:>wide$}", "Bytes"));
        }
        if section.has_desc {
            head.push("Description".into());
        }
        let _ = writeln!(out, "{bold}{}{plain}", head.join("\t"));
        for r in rows {
            let mut f = r.label.clone();
            if !o.no_packets {
                f.extend(r.packets.map(|c| count_text(c, o)));
            }
            if !o.no_bytes {
                f.extend(r.bytes.map(|c| count_text(c, o)));
            }
            f.extend(r.desc.clone());
            let _ = writeln!(out, "{}", f.join("\t"));
        }
        out.push('\n');
    }
    Ok(out)
}

/// A count as printed: right-aligned with its percentage unless `-C`.
fn count_text(c: Count, o: &Options) -> String {
    let n = match o.numbers {
        Numbers::Raw => c.n.to_string(),
        Numbers::Human => hrnum(c.n),
        Numbers::Both if c.n >= 1000 => format!("{} ({})", c.n, hrnum(c.n)),
        Numbers::Both => c.n.to_string(),
    };
    if o.no_percent { n } else { format!("{n:>30} [{:6.2}%]", c.pct) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "# Total packets: 10\n# L2/3 Protocol\tPackets\tBytes\tDescription\n\
        0x0800\t 6 [ 60.00%]\t600 [ 75.00%]\tIPv4\n0x0806\t 4 [ 40.00%]\t200 [ 25.00%]\tARP\n\n\n\
        # Total TCP packets: 0 [0.00%]\n# TCP Port\tPackets\tBytes\tDescription\n\n\
        # ICMP Type\tCode\t     Packets\nECHO\t-\t   1 [ 20.00%]\nUNREACH\tPORT\t   4 [ 80.00%]\n";

    fn opts(argv: &[&str]) -> Options {
        let mut v: Vec<String> = argv.iter().map(|s| s.to_string()).collect();
        v.push("f".into());
        parse(&v, false).unwrap()
    }

    #[test]
    fn sections_rows_and_counts() {
        let s = parse_sections(FILE, Path::new("f")).unwrap();
        assert_eq!(s.iter().map(|s| s.title.as_str()).collect::<Vec<_>>(), ["L2/3 Protocol", "TCP Port", "ICMP Type"]);
        assert_eq!(s[0].rows[1].bytes, Some(Count { n: 200, pct: 25.0 }));
        assert_eq!(s[0].rows[1].desc.as_deref(), Some("ARP"));
        assert!(s[1].rows.is_empty());
        assert_eq!((s[2].label_names.clone(), s[2].has_bytes), (vec!["Code".to_string()], false));
        assert_eq!(s[2].rows[1].label, ["UNREACH", "PORT"]);
        let e = parse_sections("%dir\tflowInd\nA\t1\n", Path::new("f_flows.txt")).unwrap_err();
        assert!(e.to_string().starts_with("f_flows.txt: no statistics section"), "{e}");
        let none = parse_sections("Total number of ICMP packets: 0 [0.00%]\n", Path::new("i")).unwrap();
        assert!(none.is_empty(), "a capture without ICMP");
        let e = parse_sections("# L4 Protocol\tPackets\tBytes\n6\tx [1%]\t1 [1%]\n", Path::new("p")).unwrap_err();
        assert_eq!(e.to_string(), "p:2: 'x [1%]' is no count ('N [P%]')");
    }

    #[test]
    fn ranking() {
        let s = parse_sections(FILE, Path::new("f")).unwrap();
        let labels = |o: &Options, i: usize| -> Vec<String> {
            rank(&s[i], o).unwrap().iter().map(|r| r.label[0].clone()).collect()
        };
        assert_eq!(labels(&opts(&[]), 2), ["UNREACH", "ECHO"]);
        assert_eq!(labels(&opts(&["-r"]), 2), ["ECHO", "UNREACH"]);
        assert_eq!(labels(&opts(&["-n", "1"]), 2), ["UNREACH"]);
        assert_eq!(labels(&opts(&["-n", "-1"]), 2), ["ECHO"]);
        assert_eq!(labels(&opts(&["-p", "50"]), 0), ["0x0800"]);
        assert_eq!(labels(&opts(&["-b", "-p", "-30"]), 0), ["0x0806"]);
        assert!(rank(&s[2], &opts(&["-b"])).unwrap_err().to_string().contains("has no byte counts"));
    }

    #[test]
    fn output() {
        let s = parse_sections(FILE, Path::new("f")).unwrap();
        let out = render(&s, &opts(&["-l2", "-C", "-HR"])).unwrap();
        assert_eq!(out, "L2/3 Protocol\tPackets\tBytes\tDescription\n0x0800\t6\t600\tIPv4\n0x0806\t4\t200\tARP\n\n");
        let out = render(&s, &opts(&["-icmp"])).unwrap();
        assert!(out.starts_with(&format!("ICMP Type\tCode\t{:>30}\nUNREACH\tPORT\t{:>30} [ 80.00%]\n", "Packets", 4)));
    }

    #[test]
    fn options() {
        let o = |v: &[&str]| parse(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>(), false);
        assert!(o(&["-B", "-P", "f"]).unwrap_err().to_string().contains("nothing to print"));
        assert!(o(&["-b", "-B", "f"]).is_err());
        assert!(o(&[]).unwrap_err().to_string().contains("a file is required"));
        assert!(o(&["-x", "f"]).unwrap_err().to_string().contains("unknown option '-x'"));
        assert_eq!(o(&["--tcp", "-udp", "f"]).unwrap().sections, ["TCP Port", "UDP Port"]);
        assert!(o(&["-P", "f"]).unwrap().bytes);
    }
}
