//! `t2plot`: PNG plots of one or two columns of a table (a flow file, tawk's output), and of
//! monitoring reports, one panel per metric. Drawn with plotters; no gnuplot needed.

pub mod columns;
pub mod draw;
pub mod monitoring;
pub mod units;

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::Error;
use crate::header::Splitter;
use columns::Table;
use draw::{Panel, Style};
use monitoring::Reports;
use units::{Unit, axis_label};

/// `t2plot -h`.
pub const USAGE: &str = "Usage:
    t2plot [OPTION...] [FILE]

Plots one or two columns of FILE (standard input without FILE or with -) into a PNG: one
column over the row number, or the second column over the first. The first row (after #
comments) names the columns, as in T2's files and tawk's output. Monitoring reports (the
%repType header and USR1MR_ rows a run prints with MACHINE_REPORT=1, or PREFIX_monitoring.txt)
become one picture with a panel per metric: packets/s, bytes/s, flows in memory, and each
plugin column (or those of -c).

Optional arguments:
    -o FILE.png         the picture to write [FILE with .png, or t2plot.png]
    -o x:y              the columns to plot, by number or name (e.g. timeFirst:l7BytesSnt)
    --png FILE          the picture to write
    -m, --monitoring    the input holds monitoring reports (seen by itself from %repType)
    -c COL[,COL...]     monitoring: plot these columns after the three rates
    -F sep              input field separator [tab]

    -t title            title of the picture
    -tx label, -ty label  axis labels [the column names and units]
    -pl                 lines between the points (default for monitoring)
    -pt                 points only
                        (default for columns: a vertical line to each point, gnuplot's impulses)
    -lx, -ly            logarithmic x, y axis (log10 of the values)
    -sx begin:end       x range
    -sy begin:end       y range
    -ws width,height    size in pixels [1000,600; monitoring: 1000 wide, 230 per panel]

    -h, --help          show this help and exit

Examples:
    tawk '{ print $timeFirst, $l7BytesSnt }' out/f_flows.txt | t2plot -o bytes.png
    t2plot -o pktsSnt:l7BytesSnt -pt out/f_flows.txt
    t2 -r f.pcap -w out/ -l | t2plot -o monitoring.png
";

/// What the command line asks for.
#[derive(Debug, Default)]
pub struct Options {
    /// The input; None: standard input.
    pub input: Option<PathBuf>,
    /// The PNG.
    pub output: Option<PathBuf>,
    /// `-o x:y` or `-o y`.
    pub columns: Option<String>,
    /// `-m`.
    pub monitoring: bool,
    /// `-c`.
    pub extra: Vec<String>,
    /// `-F`.
    pub fs: Option<String>,
    /// `-t`.
    pub title: Option<String>,
    /// `-tx`.
    pub x_label: Option<String>,
    /// `-ty`.
    pub y_label: Option<String>,
    /// `-pl`/`-pt`.
    pub style: Option<Style>,
    /// `-lx`.
    pub log_x: bool,
    /// `-ly`.
    pub log_y: bool,
    /// `-sx`.
    pub x_range: Option<(f64, f64)>,
    /// `-sy`.
    pub y_range: Option<(f64, f64)>,
    /// `-ws`.
    pub size: Option<(u32, u32)>,
    /// `-h`.
    pub help: bool,
}

/// Parses the arguments (without the program name).
pub fn parse(argv: &[String]) -> Result<Options, Error> {
    let mut o = Options::default();
    let mut it = argv.iter();
    while let Some(arg) = it.next() {
        let mut value = |opt: &str| {
            it.next().cloned().ok_or_else(|| Error::Usage(format!("option '{opt}' needs a value (t2plot -h)")))
        };
        match arg.as_str() {
            "-h" | "-?" | "--help" => o.help = true,
            "-o" => {
                let v = value(arg)?;
                if v.to_ascii_lowercase().ends_with(".png") {
                    o.output = Some(PathBuf::from(v));
                } else {
                    o.columns = Some(v);
                }
            }
            "--png" => o.output = Some(PathBuf::from(value(arg)?)),
            "-m" | "--monitoring" => o.monitoring = true,
            "-c" => o.extra.extend(value(arg)?.split(',').filter(|s| !s.is_empty()).map(str::to_string)),
            "-F" => o.fs = Some(value(arg)?),
            "-t" => o.title = Some(value(arg)?),
            "-tx" => o.x_label = Some(value(arg)?),
            "-ty" => o.y_label = Some(value(arg)?),
            "-pl" => o.style = Some(Style::Lines),
            "-pt" => o.style = Some(Style::Points),
            "-lx" => o.log_x = true,
            "-ly" => o.log_y = true,
            "-sx" => o.x_range = Some(range(arg, &value(arg)?)?),
            "-sy" => o.y_range = Some(range(arg, &value(arg)?)?),
            "-ws" => {
                let v = value(arg)?;
                let size = v.split_once(',').and_then(|(w, h)| Some((w.parse().ok()?, h.parse().ok()?)));
                o.size = Some(
                    size.filter(|&(w, h): &(u32, u32)| (100..=20_000).contains(&w) && (100..=20_000).contains(&h))
                        .ok_or_else(|| {
                            Error::Usage(format!("-ws needs width,height in pixels (100 to 20000), not '{v}'"))
                        })?,
                );
            }
            "-" => o.input = None,
            s if s.starts_with('-') => {
                return Err(Error::Usage(format!("unknown option '{s}' (t2plot -h lists them)")));
            }
            s if o.input.is_some() => return Err(Error::Usage(format!("one input only, not also '{s}'"))),
            s => o.input = Some(PathBuf::from(s)),
        }
    }
    Ok(o)
}

/// `begin:end`.
fn range(opt: &str, v: &str) -> Result<(f64, f64), Error> {
    v.split_once(':')
        .and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?)))
        .filter(|(a, b): &(f64, f64)| a < b)
        .ok_or_else(|| Error::Usage(format!("option '{opt}' needs begin:end with begin < end, not '{v}'")))
}

/// What a run produced: the picture, and rows it had to leave out (the PNG is written anyway;
/// the tool then reports them and exits 1).
#[derive(Debug)]
pub struct Outcome {
    /// The PNG written.
    pub png: PathBuf,
    /// Whether the name was chosen by t2plot (then it is printed).
    pub default_name: bool,
    /// What was left out.
    pub left_out: Vec<Error>,
}

/// Reads the input, draws the picture.
pub fn run(o: &Options) -> Result<Outcome, Error> {
    let name = o.input.clone().unwrap_or_else(|| PathBuf::from("-"));
    let text = match &o.input {
        Some(p) => std::fs::read(p).map_err(|e| Error::Read { path: p.clone(), source: e })?,
        None => {
            let mut v = Vec::new();
            std::io::stdin().read_to_end(&mut v).map_err(|e| Error::Read { path: name.clone(), source: e })?;
            v
        }
    };
    let text = String::from_utf8_lossy(&text);
    let (png, default_name) = match (&o.output, &o.input) {
        (Some(p), _) => (p.clone(), false),
        (None, Some(p)) => (p.with_extension("png"), true),
        (None, None) => (PathBuf::from("t2plot.png"), true),
    };
    let monitoring = o.monitoring || text.lines().any(|l| l.starts_with("%repType\t"));
    let left_out =
        if monitoring { plot_monitoring(&text, &name, &png, o)? } else { plot_columns(&text, &name, &png, o)? };
    Ok(Outcome { png, default_name, left_out })
}

/// A column plot.
fn plot_columns(text: &str, name: &Path, png: &Path, o: &Options) -> Result<Vec<Error>, Error> {
    let table = Table::parse(text, &o.fs.as_deref().map_or_else(Splitter::default, Splitter::from_fs));
    if table.rows.is_empty() {
        return Err(Error::Input { path: name.to_path_buf(), line: 0, what: "no rows to plot".into() });
    }
    let (x, y) = match o.columns.as_deref().map(|c| c.split_once(':').map_or((None, c), |(a, b)| (Some(a), b))) {
        Some((x, y)) => (x.map(|x| table.column(x)).transpose()?, table.column(y)?),
        None => match table.names.len() {
            1 => (None, 0),
            2 => (Some(0), 1),
            n => {
                return Err(Error::Usage(format!(
                    "{n} columns: choose one or two with -o x:y (numbers or names: {})",
                    table.names.join(" ")
                )));
            }
        },
    };
    let (mut points, bad) = columns::points(&table, x, y, name);
    let mut left_out: Vec<Error> = bad.into_iter().collect();
    let y_name = &table.names[y];
    let (x_label, y_label) = match x {
        Some(x) => {
            let (label, shifted) = time_axis(&table.names[x], points.iter().map(|p| p.0));
            if let Some(start) = shifted {
                points.iter_mut().for_each(|p| p.0 -= start);
            }
            (label, axis_label(y_name, Unit::of(y_name)))
        }
        None => ("row".to_string(), axis_label(y_name, Unit::of(y_name))),
    };
    let (points, x_label, y_label) = log_scales(points, x_label, y_label, o, name, &mut left_out);
    let title = o.title.clone().unwrap_or_else(|| format!("{}: {}", display_name(name), y_name));
    let caption = match x {
        Some(x) => format!("{y_name} over {}", table.names[x]),
        None => format!("{y_name} per row"),
    };
    let panel = Panel {
        title: caption,
        x_label: o.x_label.clone().unwrap_or(x_label),
        y_label: o.y_label.clone().unwrap_or(y_label),
        points,
        style: o.style.unwrap_or(Style::Impulses),
        x_range: o.x_range,
        y_range: o.y_range,
        y_from_zero: false,
    };
    draw::draw(png, &title, &[panel], o.size.unwrap_or((1000, 600)))?;
    Ok(left_out)
}

/// The monitoring picture: packets/s, bytes/s, flows in memory, then the extra columns.
fn plot_monitoring(text: &str, name: &Path, png: &Path, o: &Options) -> Result<Vec<Error>, Error> {
    let r = Reports::parse(text, name)?;
    let mut left_out = Vec::new();
    if let Some((n, line, why)) = &r.skipped {
        left_out.push(Error::Input {
            path: name.to_path_buf(),
            line: *line,
            what: format!("{why}: {n} report row(s) left out of the plot"),
        });
    }
    let start = r.start();
    let x_label = o.x_label.clone().unwrap_or_else(|| format!("time [s since {}]", utc(start)));
    let per = if r.differential { "per report" } else { "total" };
    let mut specs = vec![
        ("Packets per second".to_string(), axis_label("numPkts", Unit::PacketsPerSecond), r.rate("numPkts")?),
        ("Bytes per second".to_string(), axis_label("numBytes", Unit::BytesPerSecond), r.rate("numBytes")?),
        ("Flows in memory".to_string(), axis_label("fillSzHashMap", Unit::Flows), r.flows_in_memory()?),
    ];
    let extra = if o.extra.is_empty() {
        r.plugin_columns().into_iter().filter(|c| r.column(c).is_some_and(|i| r.is_decimal(i))).collect()
    } else {
        o.extra.clone()
    };
    for col in extra {
        specs.push((format!("{col} ({per})"), axis_label(&col, Unit::of(&col)), r.series(&col)?));
    }
    let panels: Vec<Panel> = specs
        .into_iter()
        .map(|(title, y_label, points)| {
            let (points, x, y) = log_scales(points, x_label.clone(), y_label, o, name, &mut left_out);
            Panel {
                title,
                x_label: x,
                y_label: o.y_label.clone().unwrap_or(y),
                points,
                style: o.style.unwrap_or(Style::Lines),
                x_range: o.x_range,
                y_range: o.y_range,
                y_from_zero: true,
            }
        })
        .collect();
    let kind = if r.differential { "differential" } else { "absolute" };
    let title = o.title.clone().unwrap_or_else(|| format!("Monitoring: {} ({kind} reports)", display_name(name)));
    let size = o.size.unwrap_or((1000, 60 + 230 * panels.len() as u32));
    draw::draw(png, &title, &panels, size)?;
    Ok(left_out)
}

/// The label of an x column, and for a time stamp column the first time, which the plot
/// subtracts: `timeFirst [s since 2011-03-18 19:06:07 UTC]`.
fn time_axis(name: &str, xs: impl Iterator<Item = f64>) -> (String, Option<f64>) {
    let unit = Unit::of(name);
    if unit != Unit::Timestamp {
        return (axis_label(name, unit), None);
    }
    let start = xs.fold(f64::INFINITY, f64::min);
    if !start.is_finite() {
        return (axis_label(name, unit), None);
    }
    (format!("{name} [s since {}]", utc(start)), Some(start))
}

/// A time stamp as a UTC date.
fn utc(t: f64) -> String {
    jiff::Timestamp::from_second(t.floor() as i64)
        .map_or_else(|_| format!("{t}"), |ts| ts.strftime("%Y-%m-%d %H:%M:%S UTC").to_string())
}

/// Applies -lx/-ly: log10 of the values, points that have none left out.
fn log_scales(
    points: Vec<(f64, f64)>,
    x_label: String,
    y_label: String,
    o: &Options,
    name: &Path,
    left_out: &mut Vec<Error>,
) -> (Vec<(f64, f64)>, String, String) {
    if !o.log_x && !o.log_y {
        return (points, x_label, y_label);
    }
    let before = points.len();
    let kept: Vec<(f64, f64)> = points
        .into_iter()
        .filter(|&(x, y)| (!o.log_x || x > 0.0) && (!o.log_y || y > 0.0))
        .map(|(x, y)| (if o.log_x { x.log10() } else { x }, if o.log_y { y.log10() } else { y }))
        .collect();
    if kept.len() < before {
        left_out.push(Error::Input {
            path: name.to_path_buf(),
            line: 0,
            what: format!("{} point(s) ≤ 0 left out of the logarithmic scale", before - kept.len()),
        });
    }
    let log = |on: bool, l: String| if on { format!("log10 {l}") } else { l };
    (kept, log(o.log_x, x_label), log(o.log_y, y_label))
}

/// The input's file name for a title.
fn display_name(p: &Path) -> String {
    match p.file_name() {
        Some(f) if p != Path::new("-") => f.to_string_lossy().into_owned(),
        _ => "standard input".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(v: &[&str]) -> Result<Options, Error> {
        parse(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn o_is_a_picture_or_columns() {
        let o = opts(&["-o", "bytes.png", "-o", "timeFirst:l7BytesSnt", "f.txt"]).unwrap();
        assert_eq!(o.output, Some(PathBuf::from("bytes.png")));
        assert_eq!(o.columns.as_deref(), Some("timeFirst:l7BytesSnt"));
        assert_eq!(o.input, Some(PathBuf::from("f.txt")));
    }

    #[test]
    fn option_errors() {
        assert!(opts(&["-sx", "5:1"]).unwrap_err().to_string().contains("begin < end"));
        assert!(opts(&["-ws", "10,10"]).is_err());
        assert_eq!(opts(&["-ws", "800,400"]).unwrap().size, Some((800, 400)));
        assert!(opts(&["-q"]).unwrap_err().to_string().contains("unknown option '-q'"));
        assert!(opts(&["a", "b"]).unwrap_err().to_string().contains("one input only"));
        assert_eq!(opts(&["-c", "a,b", "-c", "c"]).unwrap().extra, ["a", "b", "c"]);
    }

    #[test]
    fn time_axes_start_at_zero() {
        let (label, start) = time_axis("timeFirst", [1_300_475_168.5, 1_300_475_167.25].into_iter());
        assert_eq!(label, "timeFirst [s since 2011-03-18 19:06:07 UTC]");
        assert_eq!(start, Some(1_300_475_167.25));
        assert_eq!(time_axis("pktsSnt", [1.0].into_iter()), ("pktsSnt [packets]".into(), None));
    }
}
