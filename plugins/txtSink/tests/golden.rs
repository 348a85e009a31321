//! Against T2 0.9.3's own output in `shared/golden`: the first http-session record built by
//! hand, every line of every golden flow file re-encoded from its text and rendered again, and
//! every golden headers file rebuilt from its run information and column table.

use std::path::PathBuf;

use plugin_api::record::Encoder;
use plugin_api::{Column, Prim, Value};
use txtSink::config::{Config, Stamps};
use txtSink::header::{self, RunInfo};
use txtSink::render::{RecordWriter, Renderer};

/// `../shared/golden` beside the clone (see `rt2_golden::shared_dir`).
fn golden_dir() -> Option<PathBuf> {
    rt2_golden::shared_dir().map(|d| d.join("golden"))
}

/// Every `(flows file, headers file)` pair of the golden outputs.
fn golden_pairs() -> Vec<(PathBuf, PathBuf)> {
    let mut pairs = Vec::new();
    let Some(root) = golden_dir() else { return pairs };
    let captures = std::fs::read_dir(&root).unwrap_or_else(|e| panic!("{}: {e}", root.display()));
    for capture in captures.map(|e| e.unwrap().path()).filter(|p| p.is_dir()) {
        let name = capture.file_name().unwrap().to_str().unwrap().to_owned();
        for variant in std::fs::read_dir(&capture).unwrap().map(|e| e.unwrap().path()) {
            let flows = variant.join(format!("{name}_flows.txt"));
            let headers = variant.join(format!("{name}_headers.txt"));
            if flows.exists() && headers.exists() {
                pairs.push((flows, headers));
            }
        }
    }
    pairs.sort();
    assert!(pairs.len() > 100, "only {} golden flow files under {}", pairs.len(), root.display());
    pairs
}

/// The column table of a golden headers file, with `U64.U32` read as a timestamp and the `C`
/// of `dir` as a direction (both print the same).
fn golden_columns(headers: &str) -> Vec<Column> {
    let table = headers.split_once("# Col No.\tType\tName\tDescription\n").expect("column table").1;
    table
        .lines()
        .map(|row| {
            let f: Vec<&str> = row.splitn(4, '\t').collect();
            let sig = match (f[1], f[2]) {
                ("C", "dir") => "DIR".to_owned(),
                (t, _) => t.replace("U64.U32", "TS"),
            };
            Column::parse(f[2], f[3], &sig).unwrap()
        })
        .collect()
}

fn render(columns: &[Column], rec: &[u8]) -> String {
    let mut w = RecordWriter::new(columns, Renderer::new(Config::default(), Stamps::DEFAULT));
    let mut out = Vec::new();
    w.render(&mut out, rec).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn http_session_first_line_basic_flow_columns() {
    let Some(dir) = golden_dir().map(|d| d.join("http-session/default")) else { return };
    let headers = std::fs::read_to_string(dir.join("http-session_headers.txt")).unwrap();
    let columns: Vec<Column> = golden_columns(&headers).into_iter().take(22).collect();
    assert_eq!(columns.last().unwrap().name, "l4Proto");
    let mut e = Encoder::new(Vec::new());
    e.u8(0); // dir A
    e.u64(1); // flowInd
    e.u64(0x0400_0000_0000_4000); // flowStat
    for (sec, ns) in [(1_362_692_526u64, 869_344_000u32), (1_362_692_527, 80_972_000), (0, 211_628_000)] {
        e.time(sec, ns);
    }
    e.u8(1); // numHdrDesc
    e.rep(1); // numHdrs: one repetition
    e.u16(3);
    e.rep(1); // hdrDesc
    e.str(b"eth:ipv4:tcp");
    e.rep(1); // srcMac
    e.mac(&[0xc8, 0xbc, 0xc8, 0x96, 0xd2, 0xa0]);
    e.rep(1); // dstMac
    e.mac(&[0x00, 0x10, 0xdb, 0x88, 0xd2, 0xef]);
    e.u16(0x0800); // ethType
    e.rep(0); // vlanID: none
    let ip = |a: [u8; 4]| [a[0], a[1], a[2], a[3], 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    e.ipx(4, &ip([141, 142, 228, 5])); // srcIP
    e.str(b"-"); // srcIPCC (SC)
    e.str(b"-"); // srcIPOrg (S, printed quoted)
    e.u16(59856); // srcPort
    e.ipx(4, &ip([192, 150, 187, 43])); // dstIP
    e.str(b"-"); // dstIPCC
    e.str(b"-"); // dstIPOrg
    e.u16(80); // dstPort
    e.u8(6); // l4Proto
    let rec = e.into_inner();
    let flows = std::fs::read_to_string(dir.join("http-session_flows.txt")).unwrap();
    let first = flows.lines().nth(1).unwrap();
    let want: Vec<&str> = first.split('\t').take(22).collect();
    assert_eq!(render(&columns, &rec), format!("{}\n", want.join("\t")));
    assert!(want.join("\t").starts_with("A\t1\t0x0400000000004000\t1362692526.869344000\t"));
}

/// Splits at `sep` outside quotes and parentheses.
fn split_top(s: &str, sep: u8) -> Vec<&str> {
    let (mut parts, mut start, mut depth, mut quoted, mut escaped) = (Vec::new(), 0, 0i32, false, false);
    for (i, b) in s.bytes().enumerate() {
        match b {
            _ if escaped => escaped = false,
            b'\\' if quoted => escaped = true,
            b'"' => quoted = !quoted,
            b'(' if !quoted => depth += 1,
            b')' if !quoted => depth -= 1,
            _ if b == sep && !quoted && depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

/// Encodes text of a (repeating) list of values back into record bytes.
fn encode_values(out: &mut Encoder<Vec<u8>>, values: &[Value], repeating: bool, text: &str) -> Result<(), String> {
    let reps: Vec<&str> = match (repeating, text) {
        (false, _) => vec![text],
        (true, "") => vec![],
        (true, _) => split_top(text, b';'),
    };
    if repeating {
        out.rep(reps.len() as u32);
    }
    for rep in reps {
        // A lone value is never split: SC text such as a JA4T fingerprint contains `_`.
        let parts = if values.len() == 1 { vec![rep] } else { split_top(rep, b'_') };
        if parts.len() != values.len() {
            return Err(format!("{} values expected in '{rep}'", values.len()));
        }
        for (v, t) in values.iter().zip(parts) {
            match v {
                Value::Prim(p) => encode_prim(out, *p, t)?,
                Value::Compound { values, repeating } => {
                    let inner = t.strip_prefix('(').and_then(|t| t.strip_suffix(')')).ok_or(format!("'{t}'"))?;
                    encode_values(out, values, *repeating, inner)?;
                }
            }
        }
    }
    Ok(())
}

fn unescape(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let (mut out, mut i) = (Vec::new(), 0);
    while i < b.len() {
        if b[i] != b'\\' {
            out.push(b[i]);
            i += 1;
            continue;
        }
        let e = b[i + 1];
        i += 2;
        out.push(match e {
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'v' => 0x0b,
            b'u' => {
                i += 4;
                u8::from_str_radix(&s[i - 2..i], 16).unwrap()
            }
            other => other,
        });
    }
    out
}

/// The float of type `T` (bits via `from`/`to`) near `x` that renders as `text`.
fn find_float(text: &str, render: impl Fn(u64) -> String, x_bits: u64) -> Option<u64> {
    (0..=8u64).flat_map(|k| [x_bits.wrapping_add(k), x_bits.wrapping_sub(k)]).find(|&b| render(b) == text)
}

fn encode_prim(out: &mut Encoder<Vec<u8>>, p: Prim, t: &str) -> Result<(), String> {
    let bad = || format!("{p:?} '{t}'");
    let int = || t.parse::<i128>().map_err(|_| bad());
    let hex = || u64::from_str_radix(t.strip_prefix("0x").unwrap_or(t), 16).map_err(|_| bad());
    match p {
        Prim::I8 | Prim::U8 => out.u8(int()? as u8),
        Prim::I16 | Prim::U16 => out.u16(int()? as u16),
        Prim::I32 | Prim::U32 => out.u32(int()? as u32),
        Prim::I64 | Prim::U64 => out.u64(int()? as u64),
        Prim::H8 => out.u8(hex()? as u8),
        Prim::H16 => out.u16(hex()? as u16),
        Prim::H32 => out.u32(hex()? as u32),
        Prim::H64 => out.u64(hex()?),
        Prim::F32 => {
            let x = t.parse::<f64>().map_err(|_| bad())? as f32;
            let render = |b: u64| {
                let mut o = Vec::new();
                plugin_api::fmt::float::g7(&mut o, f64::from(f32::from_bits(b as u32)));
                String::from_utf8(o).unwrap()
            };
            let b = find_float(t, render, u64::from(x.to_bits())).ok_or_else(bad)?;
            out.f32(f32::from_bits(b as u32));
        }
        Prim::F64 => {
            let x = t.parse::<f64>().map_err(|_| bad())?;
            let render = |b: u64| {
                let mut o = Vec::new();
                plugin_api::fmt::float::f6(&mut o, f64::from_bits(b));
                String::from_utf8(o).unwrap()
            };
            let b = find_float(t, render, x.to_bits()).ok_or_else(bad)?;
            out.f64(f64::from_bits(b));
        }
        Prim::Char => t.bytes().for_each(|b| out.u8(b)),
        Prim::Dir => out.u8(u8::from(t == "B")),
        Prim::Str => {
            let inner = t.strip_prefix('"').and_then(|t| t.strip_suffix('"')).ok_or_else(bad)?;
            out.str(&unescape(inner));
        }
        Prim::StrClass => out.str(&unescape(t)),
        Prim::Time | Prim::Duration => {
            let (s, f) = t.split_once('.').ok_or_else(bad)?;
            out.time(s.parse::<u64>().map_err(|_| bad())?, f.parse::<u32>().map_err(|_| bad())?);
        }
        Prim::Mac => {
            let bytes: Vec<u8> =
                t.split(':').map(|h| u8::from_str_radix(h, 16)).collect::<Result<_, _>>().map_err(|_| bad())?;
            out.mac(&bytes.try_into().map_err(|_| bad())?);
        }
        Prim::Ip4 => out.ip4(&t.parse::<std::net::Ipv4Addr>().map_err(|_| bad())?.octets()),
        Prim::Ip6 => out.ip6(&t.parse::<std::net::Ipv6Addr>().map_err(|_| bad())?.octets()),
        Prim::IpX if t == "-" => out.ipx(0, &[0; 16]),
        Prim::IpX if t.contains(':') => out.ipx(6, &t.parse::<std::net::Ipv6Addr>().map_err(|_| bad())?.octets()),
        Prim::IpX => {
            let mut ip = [0; 16];
            ip[..4].copy_from_slice(&t.parse::<std::net::Ipv4Addr>().map_err(|_| bad())?.octets());
            out.ipx(4, &ip);
        }
    }
    Ok(())
}

#[test]
fn every_golden_flow_line_renders_identically() {
    let (mut files, mut lines) = (0, 0);
    for (flows, headers) in golden_pairs() {
        let columns = golden_columns(&std::fs::read_to_string(&headers).unwrap());
        let text = std::fs::read_to_string(&flows).unwrap();
        let mut it = text.split_inclusive('\n');
        assert_eq!(it.next(), Some(header::column_lines(&columns, &Config::default()).as_str()), "{}", flows.display());
        let mut w = RecordWriter::new(&columns, Renderer::new(Config::default(), Stamps::DEFAULT));
        let mut out = Vec::new();
        for (n, line) in it.enumerate() {
            let fields: Vec<&str> = line.strip_suffix('\n').unwrap().split('\t').collect();
            assert_eq!(fields.len(), columns.len(), "{}:{}", flows.display(), n + 2);
            let mut rec = Encoder::new(Vec::new());
            for (c, f) in columns.iter().zip(&fields) {
                encode_values(&mut rec, &c.values, c.repeating, f)
                    .unwrap_or_else(|e| panic!("{}:{} column {}: {e}", flows.display(), n + 2, c.name));
            }
            out.clear();
            w.render(&mut out, &rec.into_inner()).unwrap();
            assert_eq!(String::from_utf8_lossy(&out), line, "{}:{}", flows.display(), n + 2);
            lines += 1;
        }
        files += 1;
    }
    assert!(files == 0 || lines > 50_000, "{files} files, {lines} lines");
}

#[test]
fn every_golden_headers_file_is_rebuilt() {
    for (_, headers) in golden_pairs() {
        let text = std::fs::read_to_string(&headers).unwrap();
        let field = |key: &str| {
            text.lines().find_map(|l| l.strip_prefix(key)).unwrap_or_else(|| panic!("{key} in {}", headers.display()))
        };
        let info = RunInfo {
            date: field("# Date: ").to_owned(),
            core_line: field("# Core configuration: ").to_owned(),
            sensor_id: field("# SensorID: ").parse().unwrap(),
            pid: field("# PID: ").parse().unwrap(),
            priority: field("# Priority: ").parse().unwrap(),
            cmdline: field("# Command line: ").to_owned(),
            hw_info: field("# HW info: ").to_owned(),
            sw_info: field("# SW info: ").to_owned(),
            extra: String::new(),
            plugins: text
                .lines()
                .filter_map(|l| l.strip_prefix("#   "))
                .map(|l| {
                    let (name, version) = l[4..].split_once(", version ").unwrap();
                    (name.to_owned(), version.to_owned())
                })
                .collect(),
        };
        let columns = golden_columns(&text);
        assert_eq!(header::headers_file(&info, Some(&columns), &Config::default()), text, "{}", headers.display());
    }
}
