//! The data of a column plot: one or two numeric columns of a tab-separated table whose first
//! row (after `#` comments) names the columns, optionally with a leading `%`.

use std::path::Path;

use crate::Error;
use crate::header::Splitter;

/// A table read for plotting.
#[derive(Debug, Default)]
pub struct Table {
    /// Column names; `column N` where the input has no names row.
    pub names: Vec<String>,
    /// The rows: (1-based line number, fields).
    pub rows: Vec<(usize, Vec<String>)>,
}

impl Table {
    /// Reads `text`: the first row that is no `#` comment names the columns, unless all its
    /// fields are numbers (then there are no names and it is data).
    pub fn parse(text: &str, fields: &Splitter) -> Table {
        let mut t = Table::default();
        for (i, line) in text.lines().enumerate() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let row: Vec<String> = fields.split(line).into_iter().map(|s| s.trim().to_string()).collect();
            if t.names.is_empty() && t.rows.is_empty() && !row.iter().all(|f| number(f).is_some()) {
                t.names = row.iter().map(|n| n.trim_start_matches('%').to_string()).collect();
                continue;
            }
            t.rows.push((i + 1, row));
        }
        let width = t.rows.iter().map(|(_, r)| r.len()).max().unwrap_or(0);
        for k in t.names.len()..width {
            t.names.push(format!("column {}", k + 1));
        }
        t
    }

    /// The 0-based index of a column given by 1-based number or by name.
    pub fn column(&self, spec: &str) -> Result<usize, Error> {
        let spec = spec.trim_start_matches('$');
        if let Ok(n) = spec.parse::<usize>() {
            if (1..=self.names.len()).contains(&n) {
                return Ok(n - 1);
            }
            return Err(Error::Usage(format!("no column {n}: the input has {}", self.names.len())));
        }
        self.names
            .iter()
            .position(|n| n == spec)
            .ok_or_else(|| Error::Usage(format!("no column '{spec}' (the columns: {})", self.names.join(" "))))
    }
}

/// The points of columns `x` (None: the row number) and `y`, and the rows left out because
/// a value is no number: (count, first line number, its text).
pub fn points(t: &Table, x: Option<usize>, y: usize, path: &Path) -> (Vec<(f64, f64)>, Option<Error>) {
    let mut pts = Vec::with_capacity(t.rows.len());
    let mut bad: Option<(usize, usize, String)> = None;
    for (k, (line, row)) in t.rows.iter().enumerate() {
        let get = |c: usize| row.get(c).map_or("", String::as_str);
        let xv = x.map_or(Some((k + 1) as f64), |c| number(get(c)));
        match (xv, number(get(y))) {
            (Some(a), Some(b)) => pts.push((a, b)),
            _ => {
                let shown = x.map_or_else(|| get(y).to_string(), |c| format!("{}\t{}", get(c), get(y)));
                let b = bad.get_or_insert((0, *line, shown));
                b.0 += 1;
            }
        }
    }
    let err = bad.map(|(n, line, text)| Error::Input {
        path: path.to_path_buf(),
        line,
        what: format!("'{text}' is no number: {n} row(s) left out of the plot"),
    });
    (pts, err)
}

/// A value as a number: decimal, float, or 0x hex (bit fields).
pub fn number(s: &str) -> Option<f64> {
    let s = s.trim();
    if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        return u64::from_str_radix(hex, 16).ok().map(|v| v as f64);
    }
    s.parse::<f64>().ok().filter(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_row_and_data() {
        let t = Table::parse("# Generated with tawk\ntimeFirst\tl7BytesSnt\n1.5\t10\n2.5\tx\n", &Splitter::default());
        assert_eq!(t.names, ["timeFirst", "l7BytesSnt"]);
        assert_eq!(t.column("l7BytesSnt").unwrap(), 1);
        assert_eq!(t.column("1").unwrap(), 0);
        assert!(t.column("3").is_err());
        assert!(t.column("nope").unwrap_err().to_string().contains("no column 'nope'"));
        let (pts, err) = points(&t, Some(0), 1, Path::new("in"));
        assert_eq!(pts, [(1.5, 10.0)]);
        assert_eq!(err.unwrap().to_string(), "in:4: '2.5\tx' is no number: 1 row(s) left out of the plot");
    }

    #[test]
    fn numbers_only_and_percent_names() {
        let t = Table::parse("3\n0x10\n", &Splitter::default());
        assert_eq!(t.names, ["column 1"]);
        let (pts, err) = points(&t, None, 0, Path::new("-"));
        assert_eq!((pts, err.is_none()), (vec![(1.0, 3.0), (2.0, 16.0)], true));
        assert_eq!(Table::parse("%dir\tflowInd\nA\t1\n", &Splitter::default()).names, ["dir", "flowInd"]);
    }
}
