//! The flow file's column-name line(s) and the headers file (txt-format.md §2, §6).

use plugin_api::{Column, Prim, Value};

use crate::config::Config;

/// Width of the flow-count placeholder of the extended header (`u64::MAX` has 20 digits).
pub const FLOW_COUNT_BLANKS: usize = 21;

/// How a primitive is named in a type signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Code {
    /// `TFS_NC_TYPE`=2 names (`U64.U32`, or `S` for timestamps with `B2T_TIMESTR`).
    Name,
    /// Numeric type ids.
    Id,
}

fn push_code(out: &mut String, p: Prim, code: Code, timestr: bool) {
    match code {
        Code::Id => out.push_str(itoa::Buffer::new().format(p as u8)),
        Code::Name if p == Prim::Time && timestr => out.push('S'),
        Code::Name => out.push_str(p.header_code()),
    }
}

/// Appends `values` joined by `_`, top level with `top`, nested compounds with `nested`.
fn push_values(out: &mut String, values: &[Value], top: Code, nested: Code, timestr: bool) {
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push('_');
        }
        match v {
            Value::Prim(p) => push_code(out, *p, top, timestr),
            Value::Compound { values, repeating } => {
                out.push('(');
                push_values(out, values, nested, nested, timestr);
                if *repeating {
                    out.push_str(":R");
                }
                out.push(')');
            }
        }
    }
}

/// The type signature of a column as T2 writes it: `top` codes for the column's own values,
/// `nested` codes inside compounds, `:R` for a repeating column.
fn signature(c: &Column, top: Code, nested: Code, timestr: bool) -> String {
    let mut s = String::new();
    push_values(&mut s, &c.values, top, nested, timestr);
    if c.repeating {
        s.push_str(":R");
    }
    s
}

/// Code style of the headers file and of nested compounds in the extended header.
fn nc_code(cfg: &Config) -> Code {
    if cfg.tfs_nc_type == 2 { Code::Name } else { Code::Id }
}

/// The lines that start the flow file: with `TFS_EXTENDED_HEADER` the flow-count placeholder,
/// the column count and the type ids, then `HDR_CHR` + the names joined by `SEP_CHR`.
pub fn column_lines(columns: &[Column], cfg: &Config) -> String {
    let mut s = String::new();
    if cfg.tfs_extended_header {
        s.push_str(cfg.hdr_chr);
        s.extend(std::iter::repeat_n(' ', FLOW_COUNT_BLANKS));
        s.push('\n');
        s.push_str(&format!("{} {}\n", cfg.hdr_chr, columns.len()));
        s.push_str(cfg.hdr_chr);
        s.push(' ');
        for (i, c) in columns.iter().enumerate() {
            if i > 0 {
                s.push_str(cfg.sep_chr);
            }
            s.push_str(&signature(c, Code::Id, nc_code(cfg), cfg.b2t_timestr));
        }
        s.push('\n');
    }
    s.push_str(cfg.hdr_chr);
    for (i, c) in columns.iter().enumerate() {
        if i > 0 {
            s.push_str(cfg.sep_chr);
        }
        s.push_str(&c.name);
    }
    s.push('\n');
    s
}

/// What the headers file reports about the run.
#[derive(Debug, Clone, Default)]
pub struct RunInfo {
    /// `<sec>.<frac> sec (<local date>)`.
    pub date: String,
    /// `L2, IPv4, IPv6`.
    pub core_line: String,
    /// Sensor ID.
    pub sensor_id: u32,
    /// Process ID.
    pub pid: u32,
    /// Nice value.
    pub priority: i32,
    /// The command line.
    pub cmdline: String,
    /// `<nodename>;<sysname>;<release>;<version>;<machine>`.
    pub hw_info: String,
    /// Capture library version.
    pub sw_info: String,
    /// Live-capture block (lines ending in `\n`, written verbatim), or empty.
    pub extra: String,
    /// Loaded plugins: name, version.
    pub plugins: Vec<(String, String)>,
}

/// The text of `PREFIX_headers.txt`; `columns` is `None` when `BLOCK_BUF` suppresses flows
/// (the file then ends after the plugin list).
pub fn headers_file(info: &RunInfo, columns: Option<&[Column]>, cfg: &Config) -> String {
    let mut s = format!(
        "# Date: {}\n# Tranalyzer 0.9.3 (Anteater), Cobra\n# Core configuration: {}\n# SensorID: {}\n\
         # PID: {}\n# Priority: {}\n# Command line: {}\n# HW info: {}\n# SW info: {}\n#\n",
        info.date, info.core_line, info.sensor_id, info.pid, info.priority, info.cmdline, info.hw_info, info.sw_info,
    );
    s.push_str(&info.extra);
    s.push_str("# Plugins loaded:\n");
    for (i, (name, version)) in info.plugins.iter().enumerate() {
        s.push_str(&format!("#   {:02}: {name}, version {version}\n", i + 1));
    }
    let Some(columns) = columns else { return s };
    s.push_str("#\n# Col No.\t");
    if cfg.tfs_nc_type > 0 {
        s.push_str("Type\t");
    }
    s.push_str("Name\tDescription");
    let code = nc_code(cfg);
    for (i, c) in columns.iter().enumerate() {
        let sig = signature(c, code, code, cfg.b2t_timestr);
        s.push_str(&format!("\n{}\t{sig}\t{}\t{}", i + 1, c.name, c.desc));
    }
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::cols;

    fn named(specs: &[(&str, &str, &str)]) -> Vec<Column> {
        specs.iter().map(|(n, s, d)| Column::parse(n, d, s).unwrap()).collect()
    }

    fn basic() -> Vec<Column> {
        named(&[
            ("dir", "DIR", "Flow direction"),
            ("flowInd", "U64", "Flow index"),
            ("flowStat", "H64", "Flow status and warnings"),
            ("timeFirst", "TS", "Date time of first packet"),
            ("duration", "DUR", "Flow duration"),
            ("srcIP", "IPX", "Source IP address"),
            ("vec", "(D:R):R", "Vector"),
            ("pair", "SC_U64:R", "Pairs"),
        ])
    }

    fn info() -> RunInfo {
        RunInfo {
            date: "1795804919.000499089 sec (Fri 27 Nov 2026 18:41:59 UTC)".into(),
            core_line: "L2, IPv4, IPv6".into(),
            sensor_id: 666,
            pid: 32708,
            priority: 0,
            cmdline: "tranalyzer -r x.pcap -w out".into(),
            hw_info: "vm;Linux;6.1;#1 SMP;x86_64".into(),
            sw_info: "libpcap version 1.10.3 (with TPACKET_V3)".into(),
            extra: String::new(),
            plugins: vec![("basicFlow".into(), "0.9.3".into()), ("txtSink".into(), "0.9.3".into())],
        }
    }

    const PREAMBLE: &str = "# Date: 1795804919.000499089 sec (Fri 27 Nov 2026 18:41:59 UTC)\n\
        # Tranalyzer 0.9.3 (Anteater), Cobra\n# Core configuration: L2, IPv4, IPv6\n# SensorID: 666\n\
        # PID: 32708\n# Priority: 0\n# Command line: tranalyzer -r x.pcap -w out\n\
        # HW info: vm;Linux;6.1;#1 SMP;x86_64\n# SW info: libpcap version 1.10.3 (with TPACKET_V3)\n#\n";
    const PLUGINS: &str = "# Plugins loaded:\n#   01: basicFlow, version 0.9.3\n#   02: txtSink, version 0.9.3\n";

    #[test]
    fn headers_file_with_type_names() {
        let text = headers_file(&info(), Some(&basic()), &Config::default());
        let rows = "#\n# Col No.\tType\tName\tDescription\n1\tC\tdir\tFlow direction\n2\tU64\tflowInd\tFlow index\n\
                    3\tH64\tflowStat\tFlow status and warnings\n4\tU64.U32\ttimeFirst\tDate time of first packet\n\
                    5\tU64.U32\tduration\tFlow duration\n6\tIPX\tsrcIP\tSource IP address\n7\t(D:R):R\tvec\tVector\n\
                    8\tSC_U64:R\tpair\tPairs\n";
        assert_eq!(text, format!("{PREAMBLE}{PLUGINS}{rows}"));
    }

    #[test]
    fn nc_type_flag() {
        let c1 = Config { tfs_nc_type: 1, ..Config::default() };
        let text = headers_file(&info(), Some(&basic()), &c1);
        assert!(text.ends_with(
            "#\n# Col No.\tType\tName\tDescription\n1\t24\tdir\tFlow direction\n2\t10\tflowInd\tFlow index\n\
             3\t16\tflowStat\tFlow status and warnings\n4\t25\ttimeFirst\tDate time of first packet\n\
             5\t26\tduration\tFlow duration\n6\t30\tsrcIP\tSource IP address\n7\t(20:R):R\tvec\tVector\n\
             8\t31_10:R\tpair\tPairs\n"
        ));
        // 0: no `Type` heading, the rows still carry numeric ids.
        let c0 = Config { tfs_nc_type: 0, ..Config::default() };
        let text = headers_file(&info(), Some(&basic()), &c0);
        assert!(text.ends_with("#\n# Col No.\tName\tDescription\n1\t24\tdir\tFlow direction\n2\t10\tflowInd\tFlow index\n3\t16\tflowStat\tFlow status and warnings\n4\t25\ttimeFirst\tDate time of first packet\n5\t26\tduration\tFlow duration\n6\t30\tsrcIP\tSource IP address\n7\t(20:R):R\tvec\tVector\n8\t31_10:R\tpair\tPairs\n"));
    }

    #[test]
    fn timestr_changes_the_timestamp_type() {
        let c = Config { b2t_timestr: true, ..Config::default() };
        let text = headers_file(&info(), Some(&basic()), &c);
        assert!(text.contains("\n4\tS\ttimeFirst\t"));
        assert!(text.contains("\n5\tU64.U32\tduration\t"));
    }

    #[test]
    fn live_capture_block_and_block_buf() {
        let mut i = info();
        i.extra = "# Live captured from interface: lo\n# Interfaces:\n#   lo\t127.0.0.1/8\n#\n".into();
        let text = headers_file(&i, None, &Config::default());
        assert_eq!(text, format!("{PREAMBLE}{}{PLUGINS}", i.extra));
    }

    #[test]
    fn column_name_line() {
        assert_eq!(
            column_lines(&basic(), &Config::default()),
            "%dir\tflowInd\tflowStat\ttimeFirst\tduration\tsrcIP\tvec\tpair\n"
        );
        let c = Config { hdr_chr: "#", sep_chr: ";", ..Config::default() };
        assert_eq!(column_lines(&cols(&["U8", "U8"]), &c), "#c1;c2\n");
    }

    #[test]
    fn extended_header_flag() {
        let c = Config { tfs_extended_header: true, ..Config::default() };
        assert_eq!(
            column_lines(&basic(), &c),
            "%                     \n% 8\n% 24\t10\t16\t25\t26\t30\t(D:R):R\t31_10:R\n\
             %dir\tflowInd\tflowStat\ttimeFirst\tduration\tsrcIP\tvec\tpair\n"
        );
        // Nested compounds follow TFS_NC_TYPE.
        let c = Config { tfs_extended_header: true, tfs_nc_type: 1, ..Config::default() };
        assert!(column_lines(&basic(), &c).contains("\t(20:R):R\t"));
    }
}
