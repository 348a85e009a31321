//! `proto.txt`: IP protocol numbers.

use crate::{ErrorKind, LineError, Table};

/// Number of IP protocols, hence of lines of `proto.txt`.
pub const COUNT: usize = 256;

/// `proto.txt`: a short name and a description for each of the 256 IP protocol numbers
/// (empty where the file has none).
///
/// The file has one `NUMBER<TAB>NAME<TAB>DESCRIPTION` line per protocol, in number order; T2
/// reads it by position (the N-th line describes protocol N), and so does the parser.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtoTable {
    /// `(name, description)` by protocol number; always [`COUNT`] entries.
    entries: Vec<(String, String)>,
}

impl ProtoTable {
    /// File name in the plugin folder (T2's `MONPROTFL` and `PST_PROTOFILE`).
    pub const FILE: &str = "proto.txt";

    /// The short name of protocol `p`, e.g. `ICMPv6` for 58.
    pub fn name(&self, p: u8) -> &str {
        &self.entries[usize::from(p)].0
    }

    /// The description of protocol `p`, e.g. `Transmission Control Protocol (TCP)` for 6.
    pub fn description(&self, p: u8) -> &str {
        &self.entries[usize::from(p)].1
    }
}

impl Table for ProtoTable {
    const SHIPPED: &'static str = include_str!("../proto.txt");

    /// Lines that do not describe their protocol leave it an empty name and description; a
    /// line naming another number than its position still describes the protocol of its
    /// position, as in T2, and is reported.
    fn parse(text: &str) -> (ProtoTable, Vec<LineError>) {
        let mut entries = Vec::with_capacity(COUNT);
        let mut errors = Vec::new();
        for (i, line) in text.lines().take(COUNT).enumerate() {
            let line = line.trim_end_matches('\r');
            let mut f = line.splitn(3, '\t').map(str::trim);
            let entry = match (f.next(), f.next(), f.next()) {
                (Some(num), Some(name), Some(desc)) if !name.is_empty() => num.parse::<usize>().ok().map(|n| {
                    if n != i {
                        errors.push(LineError { line: i + 1, kind: ErrorKind::Number(num.to_owned()) });
                    }
                    (name.to_owned(), desc.to_owned())
                }),
                _ => None,
            };
            entries.push(entry.unwrap_or_else(|| {
                errors.push(LineError { line: i + 1, kind: ErrorKind::Format(line.to_owned()) });
                (String::new(), String::new())
            }));
        }
        if entries.len() < COUNT {
            errors.push(LineError { line: entries.len() + 1, kind: ErrorKind::Missing });
            entries.resize(COUNT, (String::new(), String::new()));
        }
        (ProtoTable { entries }, errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_table_is_complete_and_t2s() {
        let (t, errors) = ProtoTable::parse(ProtoTable::SHIPPED);
        assert!(errors.is_empty(), "{errors:?}");
        let names: Vec<&str> = [1, 2, 6, 17, 47, 58, 132].iter().map(|&p| t.name(p)).collect();
        assert_eq!(names, ["ICMP", "IGMP", "TCP", "UDP", "GRE", "ICMPv6", "SCTP"]);
        assert_eq!(t.description(1), "Internet Control Message Protocol (ICMP)");
        assert_eq!(t.description(255), "Reserved");
        // monitoring column names: no blanks, short
        assert!((0..=255).all(|p| !t.name(p).is_empty() && t.name(p).len() <= 15 && !t.name(p).contains(' ')));
    }

    #[test]
    fn lines_are_read_by_position() {
        let text: String = (0..COUNT).map(|i| format!("{i}\tP{i}\tProtocol {i}\n")).collect();
        let text = text.replace("6\tP6\tProtocol 6\n", "66\tX\tMislabelled\n");
        let (t, errors) = ProtoTable::parse(&text);
        assert_eq!((t.name(6), t.description(6)), ("X", "Mislabelled"));
        assert_eq!(errors, [LineError { line: 7, kind: ErrorKind::Number("66".into()) }]);
        assert_eq!(errors[0].to_string(), "line 7: protocol 66 where protocol 6 was expected");
    }

    #[test]
    fn bad_and_missing_lines_leave_empty_entries() {
        let (t, errors) = ProtoTable::parse("0\tHOPOPT\tHop-by-Hop\r\nnot a line\n2\t\tno name\n");
        assert_eq!((t.name(0), t.description(0)), ("HOPOPT", "Hop-by-Hop"));
        assert_eq!((t.name(1), t.name(2), t.name(255)), ("", "", ""));
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [2, 3, 4]);
        assert_eq!(errors[0].to_string(), "line 2: failed to parse 'not a line'");
        assert_eq!(errors[2].kind, ErrorKind::Missing);
        assert_eq!(ProtoTable::parse("").1, [LineError { line: 1, kind: ErrorKind::Missing }]);
    }
}
