//! tawk's function library (`t2tools/awk/*.awk`, embedded): its text for gawk, its function
//! names and its documentation, the `#` comment block at the top of each file.

use std::collections::BTreeSet;

use crate::Error;
use crate::embedded::AWK_FILES;

/// The whole library, one file after the other (`_core.awk` first: its rules must run before
/// the program's).
pub fn text() -> String {
    AWK_FILES.iter().map(|(_, t)| *t).collect::<Vec<_>>().join("\n")
}

/// The names of the library's functions: public ones, or all with `private`.
pub fn functions(private: bool) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for (_, text) in AWK_FILES {
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("function ")
                && let Some((name, _)) = rest.split_once('(')
                && (private || !name.starts_with('_'))
            {
                names.insert(name.trim().to_string());
            }
        }
    }
    names
}

/// The documentation of function `name` (the comment block of its file), or of every function
/// for `all`.
pub fn doc(name: &str) -> Result<String, Error> {
    let docs: Vec<String> = AWK_FILES
        .iter()
        .filter(|(stem, text)| {
            !stem.starts_with('_')
                && (name == "all" || text.lines().any(|l| l.starts_with(&format!("function {name}("))))
        })
        .map(|(_, text)| {
            text.lines()
                .take_while(|l| l.starts_with('#'))
                .map(|l| l.strip_prefix("# ").or_else(|| l.strip_prefix('#')).unwrap_or(l))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect();
    if docs.is_empty() {
        return Err(Error::Usage(format!("no function '{name}' (tawk -g lists them)")));
    }
    Ok(docs.join("\n\n") + "\n")
}

/// `items` in lines of `per_line` entries, each padded to the widest.
pub fn columns(items: &[String], per_line: usize) -> String {
    let width = items.iter().map(String::len).max().unwrap_or(0);
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        let last = (i + 1) % per_line.max(1) == 0 || i + 1 == items.len();
        if last {
            out.push_str(item);
            out.push('\n');
        } else {
            out.push_str(&format!("{item:<width$}  "));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_required_functions_exist_and_are_documented() {
        let public = functions(false);
        for f in [
            "hdr",
            "tuple2",
            "tuple3",
            "tuple4",
            "tuple5",
            "tuple6",
            "host",
            "shost",
            "dhost",
            "net",
            "snet",
            "dnet",
            "port",
            "sport",
            "dport",
            "proto",
            "tcp",
            "udp",
            "icmp",
            "ipv4",
            "ipv6",
            "tcpflags",
            "bitsanyset",
            "bitsallset",
            "privip",
            "ip2num",
            "ip2str",
            "splitc",
            "t2split",
            "aggr",
            "t2sort",
            "t2rsort",
            "hrnum",
            "utc",
            "localtime",
            "json",
            "streq",
            "contains",
            "wildcard",
        ] {
            assert!(public.contains(f), "{f} is missing");
            let d = doc(f).unwrap();
            assert!(d.contains(&format!("{f}(")), "the documentation of {f} names it: {d}");
        }
        assert!(!public.iter().any(|f| f.starts_with('_')));
        assert!(functions(true).contains("_t2_col"));
        assert!(doc("nope").is_err());
        assert!(doc("all").unwrap().matches("Examples:").count() >= 10);
    }

    #[test]
    fn core_rules_come_first() {
        assert!(text().starts_with("# Helpers the other functions share"));
    }

    #[test]
    fn columns_layout() {
        let items: Vec<String> = ["a", "bbb", "c"].iter().map(|s| s.to_string()).collect();
        assert_eq!(columns(&items, 2), "a    bbb\nc\n");
        assert_eq!(columns(&items, 1), "a\nbbb\nc\n");
    }
}
