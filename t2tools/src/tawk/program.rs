//! What tawk hands gawk before the user's program: one awk variable per column holding the
//! column's number (so `$srcIP` is `$14`), the tables the library reads, and a check that the
//! program reads no column the input lacks (awk would silently read `$0` instead).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::Error;

/// gawk's keywords, built-in functions and variables: no column may shadow them.
const AWK_WORDS: &[&str] = &[
    "BEGIN",
    "BEGINFILE",
    "END",
    "ENDFILE",
    "break",
    "case",
    "continue",
    "default",
    "delete",
    "do",
    "else",
    "exit",
    "for",
    "func",
    "function",
    "getline",
    "if",
    "in",
    "next",
    "nextfile",
    "print",
    "printf",
    "return",
    "switch",
    "while",
    "and",
    "asort",
    "asorti",
    "atan2",
    "bindtextdomain",
    "close",
    "compl",
    "cos",
    "dcgettext",
    "dcngettext",
    "exp",
    "fflush",
    "gensub",
    "gsub",
    "index",
    "int",
    "isarray",
    "length",
    "log",
    "lshift",
    "match",
    "mktime",
    "or",
    "patsplit",
    "rand",
    "rshift",
    "sin",
    "split",
    "sprintf",
    "sqrt",
    "srand",
    "strftime",
    "strtonum",
    "sub",
    "substr",
    "system",
    "systime",
    "tolower",
    "toupper",
    "typeof",
    "xor",
    "ARGC",
    "ARGIND",
    "ARGV",
    "BINMODE",
    "CONVFMT",
    "ENVIRON",
    "ERRNO",
    "FIELDWIDTHS",
    "FILENAME",
    "FNR",
    "FPAT",
    "FS",
    "FUNCTAB",
    "IGNORECASE",
    "LINT",
    "NF",
    "NR",
    "OFMT",
    "OFS",
    "ORS",
    "PREC",
    "PROCINFO",
    "RLENGTH",
    "ROUNDMODE",
    "RS",
    "RSTART",
    "RT",
    "SUBSEP",
    "SYMTAB",
    "TEXTDOMAIN",
];

/// The awk variable names of the columns: characters other than letters, digits and `_`
/// become `_`, a leading digit gets a `_` before it, and a name that awk or the library
/// already uses gets a `_` after it (each such rename is reported in `renamed`).
#[derive(Debug, Default)]
pub struct Columns {
    /// The variable name of column 1, 2, ...; empty for a column without a name.
    pub names: Vec<String>,
    /// (name in the file, variable name) for the names changed to avoid a clash.
    pub renamed: Vec<(String, String)>,
}

impl Columns {
    /// The variables for the names of a header row; `taken` are the library's functions.
    pub fn new(header: &[String], taken: &BTreeSet<String>) -> Columns {
        let mut cols = Columns::default();
        for raw in header {
            let mut name: String =
                raw.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect();
            if name.starts_with(|c: char| c.is_ascii_digit()) {
                name.insert(0, '_');
            }
            if AWK_WORDS.contains(&name.as_str()) || taken.contains(&name) || name.starts_with("_t2_") {
                let renamed = format!("{name}_");
                cols.renamed.push((raw.clone(), renamed.clone()));
                name = renamed;
            }
            cols.names.push(name);
        }
        cols
    }

    /// The number of the column with variable `name` (the first one if repeated).
    pub fn number(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name).map(|i| i + 1)
    }
}

/// The awk text that sets up the columns and the library's tables before anything runs.
pub fn prelude(cols: &Columns, header_row: usize, print_header: bool, proto_txt: &str) -> String {
    let mut s = String::from("BEGIN {\n");
    let _ = writeln!(s, "    __HDRROW__ = {header_row}\n    __PRIHDR__ = {}", u8::from(print_header));
    for (i, name) in cols.names.iter().enumerate() {
        if name.is_empty() || cols.number(name) != Some(i + 1) {
            continue;
        }
        let n = i + 1;
        let _ = writeln!(s, "    {name} = {n}; _t2_colnum[\"{name}\"] = {n}; _t2_colname[{n}] = \"{name}\"");
    }
    for line in proto_txt.lines() {
        let mut f = line.split('\t');
        if let (Some(num), Some(short)) = (f.next().and_then(|n| n.parse::<u16>().ok()), f.next()) {
            let _ = writeln!(s, "    _t2_proto[{num}] = \"{}\"", short.replace('\\', "\\\\").replace('"', "\\\""));
        }
    }
    s.push_str("}\n");
    s
}

/// Refuses a program that reads `$name` when `name` is no column and the program never sets
/// it: awk would read field 0, the whole row, without a word.
pub fn check_columns(program: &str, cols: &Columns, vars: &[String]) -> Result<(), Error> {
    let code = strip_strings_and_comments(program);
    let mut dollar = BTreeSet::new();
    let mut other = BTreeSet::new();
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            let word = &code[start..i];
            if code[..start].trim_end().ends_with('$') {
                dollar.insert(word.to_string());
            } else {
                other.insert(word.to_string());
            }
        } else if c.is_ascii_digit() {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.') {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    let set_by_v: BTreeSet<&str> = vars.iter().filter_map(|v| v.split_once('=').map(|(n, _)| n)).collect();
    for name in dollar {
        let known = cols.number(&name).is_some()
            || other.contains(&name)
            || set_by_v.contains(name.as_str())
            || AWK_WORDS.contains(&name.as_str());
        if !known {
            return Err(Error::Usage(format!(
                "the program reads ${name} but the input has no column '{name}' (tawk -l lists the columns)"
            )));
        }
    }
    Ok(())
}

/// The program with its string literals emptied and its comments removed.
fn strip_strings_and_comments(program: &str) -> String {
    let mut out = String::with_capacity(program.len());
    let mut chars = program.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                out.push('"');
                while let Some(s) = chars.next() {
                    match s {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
                out.push('"');
            }
            '#' => {
                for s in chars.by_ref() {
                    if s == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(names: &[&str]) -> Columns {
        let taken = ["host", "proto"].iter().map(|s| s.to_string()).collect();
        Columns::new(&names.iter().map(|s| s.to_string()).collect::<Vec<_>>(), &taken)
    }

    #[test]
    fn names_become_variables() {
        let c = cols(&["dir", "1st", "a-b", "proto", "NF", ""]);
        assert_eq!(c.names, ["dir", "_1st", "a_b", "proto_", "NF_", ""]);
        assert_eq!(c.renamed, [("proto".into(), "proto_".into()), ("NF".into(), "NF_".into())]);
        assert_eq!(c.number("a_b"), Some(3));
    }

    #[test]
    fn prelude_numbers_the_columns() {
        let p = prelude(&cols(&["dir", "srcIP", "srcIP"]), 1, false, "6\tTCP\tTransmission\n17\tU\"DP\tx\n");
        assert!(p.contains("    srcIP = 2; _t2_colnum[\"srcIP\"] = 2; _t2_colname[2] = \"srcIP\"\n"), "{p}");
        assert!(!p.contains("= 3;"), "a repeated name keeps its first column: {p}");
        assert!(p.contains("__HDRROW__ = 1\n    __PRIHDR__ = 0\n"), "{p}");
        assert!(p.contains("_t2_proto[17] = \"U\\\"DP\""), "{p}");
    }

    #[test]
    fn unknown_columns_are_refused() {
        let c = cols(&["dir", "srcIP", "dstPort"]);
        assert!(check_columns("dport(53) { print $srcIP, $dstPort }", &c, &[]).is_ok());
        let e = check_columns("{ print $dstport }", &c, &[]).unwrap_err();
        assert!(e.to_string().contains("reads $dstport but the input has no column 'dstport'"), "{e}");
        assert!(check_columns("{ for (i = 1; i <= NF; i++) print $i; print $NF }", &c, &[]).is_ok());
        assert!(check_columns("{ print $c }", &c, &["c=2".into()]).is_ok());
        assert!(check_columns("{ print \"$x\" } # $y", &c, &[]).is_ok(), "strings and comments");
        assert!(check_columns("{ print $ x }", &c, &[]).is_err());
        assert!(check_columns("{ print $1, $2e }", &c, &[]).is_ok());
    }
}
