//! The row of column names in T2's text files (`%dir flowInd ...` in `PREFIX_flows.txt`,
//! `%repType ...` in monitoring output, `# L2/3 Protocol ...` in `PREFIX_protocols.txt`, the
//! names separated by tabs) and the splitting of rows into fields.

use std::io::BufRead;

/// How many leading comment lines are read at most while looking for the column names.
const MAX_LEADING: usize = 10_000;

/// How a row is split into fields, from an awk field separator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Splitter {
    /// At every occurrence of this string (a tab for T2's files; awk's one-character `-F`).
    Exact(String),
    /// At runs of blanks, leading and trailing ones ignored (awk's `-F ' '`).
    Blanks,
}

impl Splitter {
    /// The splitter of awk field separator `fs`. A separator of more than one character is a
    /// regular expression to awk; here it is taken literally (which is what T2's files need).
    pub fn from_fs(fs: &str) -> Splitter {
        match fs {
            " " => Splitter::Blanks,
            "\\t" | "t" => Splitter::Exact("\t".into()),
            _ => Splitter::Exact(fs.into()),
        }
    }

    /// The fields of `row`.
    pub fn split<'a>(&self, row: &'a str) -> Vec<&'a str> {
        match self {
            Splitter::Exact(s) if s.is_empty() => vec![row],
            Splitter::Exact(s) => row.split(s.as_str()).collect(),
            Splitter::Blanks => row.split_ascii_whitespace().collect(),
        }
    }
}

impl Default for Splitter {
    fn default() -> Splitter {
        Splitter::Exact("\t".into())
    }
}

/// Where the column names are: T2's tawk rules (`-s` and `-N`).
#[derive(Clone, Debug)]
pub struct HeaderRule {
    /// The names row starts with this (default `%`); empty: the names are on the first row.
    pub prefix: String,
    /// The names are on this row (1-based), whatever it starts with.
    pub row: Option<usize>,
}

impl Default for HeaderRule {
    fn default() -> HeaderRule {
        HeaderRule { prefix: "%".into(), row: None }
    }
}

/// The row of column names that was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// Its 1-based row number.
    pub row: usize,
    /// The names, without the prefix, trimmed.
    pub names: Vec<String>,
}

impl HeaderRule {
    /// Reads the leading rows of `input` up to the column names and returns them, to be passed
    /// on unchanged, with the names if any. The names are on the row `-N` gives, else on the
    /// first row when the prefix is empty, else on the last of the leading rows that start with
    /// the prefix (the leading rows being those that start with it or with `#`: comments),
    /// else on the first row if all its fields look like names (the output of
    /// `tawk '{ print $a, $b }'`, whose names row has no prefix).
    pub fn scan(&self, input: &mut impl BufRead, fields: &Splitter) -> std::io::Result<(Vec<u8>, Option<Header>)> {
        let mut consumed = Vec::new();
        let mut rows: Vec<String> = Vec::new();
        let mut found = None;
        loop {
            let start = consumed.len();
            if input.read_until(b'\n', &mut consumed)? == 0 {
                break;
            }
            let row = String::from_utf8_lossy(&consumed[start..]).trim_end_matches(['\n', '\r']).to_string();
            let n = rows.len() + 1;
            let leading = !self.prefix.is_empty() && (row.starts_with(&self.prefix) || row.starts_with('#'));
            if !self.prefix.is_empty() && row.starts_with(&self.prefix) {
                found = Some(n);
            }
            rows.push(row);
            let done = match self.row {
                Some(want) => n >= want,
                None => self.prefix.is_empty() || !leading || n >= MAX_LEADING,
            };
            if done {
                break;
            }
        }
        let row = match self.row {
            Some(want) => (rows.len() >= want).then_some(want),
            None if self.prefix.is_empty() => (!rows.is_empty()).then_some(1),
            None => found.or_else(|| rows.first().filter(|r| looks_like_names(r, fields)).map(|_| 1)),
        };
        let header = row.map(|row| {
            let text = rows[row - 1].strip_prefix(self.prefix.as_str()).unwrap_or(&rows[row - 1]);
            Header { row, names: fields.split(text.trim_start()).into_iter().map(|n| n.trim().to_string()).collect() }
        });
        Ok((consumed, header))
    }
}

/// Whether every field of `row` is a name: a letter or `_`, then letters, digits and `_`.
fn looks_like_names(row: &str, fields: &Splitter) -> bool {
    let names = fields.split(row);
    !names.is_empty()
        && names.iter().all(|n| {
            let mut c = n.chars();
            c.next().is_some_and(|f| f.is_ascii_alphabetic() || f == '_')
                && c.all(|x| x.is_ascii_alphanumeric() || x == '_')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(rule: &HeaderRule, text: &str) -> (String, Option<Header>) {
        let mut input = text.as_bytes();
        let (consumed, header) = rule.scan(&mut input, &Splitter::default()).unwrap();
        (String::from_utf8(consumed).unwrap(), header)
    }

    #[test]
    fn flow_file_names_are_on_the_percent_row() {
        let (consumed, h) = scan(&HeaderRule::default(), "%dir\tflowInd\tsrcIP\nA\t1\t1.2.3.4\nB\t1\t5.6.7.8\n");
        assert_eq!(consumed, "%dir\tflowInd\tsrcIP\nA\t1\t1.2.3.4\n", "reads one row past the names");
        assert_eq!(h, Some(Header { row: 1, names: vec!["dir".into(), "flowInd".into(), "srcIP".into()] }));
    }

    #[test]
    fn comments_above_the_names_are_skipped_and_the_last_prefixed_row_wins() {
        let text = "# Generated with tawk\n%old\n# Date: x\n%dir\tflowInd\nA\t1\n";
        let (_, h) = scan(&HeaderRule::default(), text);
        assert_eq!(h.unwrap().row, 4);
        let rule = HeaderRule { prefix: "#".into(), row: None };
        let (_, h) = scan(&rule, "# Total packets: 1\n# L2/3 Protocol\tPackets\n0x0800\t1\n");
        assert_eq!(h.unwrap().names, ["L2/3 Protocol", "Packets"]);
    }

    #[test]
    fn row_option_and_empty_prefix() {
        let rule = HeaderRule { prefix: "%".into(), row: Some(2) };
        let (consumed, h) = scan(&rule, "x\na\tb\n1\t2\n");
        assert_eq!(consumed, "x\na\tb\n");
        assert_eq!(h.unwrap(), Header { row: 2, names: vec!["a".into(), "b".into()] });
        let (_, h) = scan(&HeaderRule { prefix: String::new(), row: None }, "a,b\n1,2\n");
        assert_eq!(h.unwrap().names, ["a,b"], "one field: the separator is a tab");
        assert_eq!(scan(&HeaderRule { prefix: "%".into(), row: Some(5) }, "a\n").1, None);
    }

    #[test]
    fn a_first_row_of_names_without_prefix_is_the_header() {
        assert_eq!(scan(&HeaderRule::default(), "srcIP\tl7BytesSnt\n1.2.3.4\t5\n").1.unwrap().row, 1);
        assert_eq!(scan(&HeaderRule::default(), "1.2.3.4\t5\n").1, None);
        assert_eq!(scan(&HeaderRule::default(), "").1, None);
    }

    #[test]
    fn splitters() {
        assert_eq!(Splitter::from_fs(" ").split("  a  b "), ["a", "b"]);
        assert_eq!(Splitter::from_fs("\\t").split("a\t\tb"), ["a", "", "b"]);
        assert_eq!(Splitter::from_fs(",").split("a,b"), ["a", "b"]);
    }
}
