//! Monitoring reports (monitoring.md §5): the `%repType ...` header and the `USR1MR_A`/
//! `USR1MR_D` rows a run prints on stdout or into `PREFIX_monitoring.txt`, other lines (the
//! log, when both go to stdout) ignored, a trailing tab (piped output) allowed.

use std::path::Path;

use crate::Error;
use crate::plot::columns::number;

/// The core's columns before the per-protocol pairs; what follows the pairs is the plugins'.
const CORE: [&str; 27] = [
    "repType",
    "sensorID",
    "time",
    "duration",
    "pktsRec",
    "pktsDrp",
    "ifDrp",
    "memUsageKB",
    "fillSzHashMap",
    "numFlows",
    "numAFlows",
    "numBFlows",
    "numPkts",
    "numAPkts",
    "numBPkts",
    "numL2Pkts",
    "numV4Pkts",
    "numV6Pkts",
    "numVxPkts",
    "numBytes",
    "numABytes",
    "numBBytes",
    "numFrgV4Pkts",
    "numFrgV6Pkts",
    "numAlarms",
    "rawBandwidth",
    "globalWarn",
];

/// The reports of one run.
#[derive(Debug, Default)]
pub struct Reports {
    /// Column names (without the `%`).
    pub names: Vec<String>,
    /// Each row's fields (the trailing empty field of a trailing tab removed).
    pub rows: Vec<Vec<String>>,
    /// Whether the rows are differential (`USR1MR_D`): each counts since the previous one.
    pub differential: bool,
    /// Rows left out: (count, first line, why).
    pub skipped: Option<(usize, usize, String)>,
}

impl Reports {
    /// Reads the header and rows of `text`; the last header counts if there are several.
    pub fn parse(text: &str, path: &Path) -> Result<Reports, Error> {
        let mut r = Reports::default();
        for (i, line) in text.lines().enumerate() {
            let line = line.strip_suffix('\t').unwrap_or(line);
            if let Some(h) = line.strip_prefix('%').filter(|h| h.starts_with("repType\t")) {
                r.names = h.split('\t').map(str::to_string).collect();
                continue;
            }
            if !line.starts_with("USR1MR_") {
                continue;
            }
            let fields: Vec<String> = line.split('\t').map(str::to_string).collect();
            let why = if r.names.is_empty() {
                Some("a report row before the %repType header".to_string())
            } else if fields.len() != r.names.len() {
                Some(format!("{} fields, the header has {}", fields.len(), r.names.len()))
            } else {
                None
            };
            match why {
                Some(w) => r.skipped.get_or_insert((0, i + 1, w)).0 += 1,
                None => {
                    r.differential = fields[0].ends_with('D');
                    r.rows.push(fields);
                }
            }
        }
        if r.rows.is_empty() {
            return Err(Error::Input {
                path: path.to_path_buf(),
                line: 0,
                what: "no monitoring report (rows starting with USR1MR_ under a %repType header)".into(),
            });
        }
        Ok(r)
    }

    /// The index of column `name`.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// The numeric value of column `c` in row `r`.
    fn value(&self, r: usize, c: usize) -> Option<f64> {
        number(&self.rows[r][c])
    }

    /// The columns the plugins appended: after the core's and the `xxxPkts`/`xxxBytes` pairs.
    pub fn plugin_columns(&self) -> Vec<String> {
        let mut i = self.names.iter().position(|n| !CORE.contains(&n.as_str())).unwrap_or(self.names.len());
        while i + 1 < self.names.len() {
            match (self.names[i].strip_suffix("Pkts"), self.names[i + 1].strip_suffix("Bytes")) {
                (Some(a), Some(b)) if a == b => i += 2,
                _ => break,
            }
        }
        self.names[i..].to_vec()
    }

    /// Whether every value of column `c` is a decimal number (not a 0x bit field).
    pub fn is_decimal(&self, c: usize) -> bool {
        self.rows.iter().all(|r| !r[c].starts_with("0x") && number(&r[c]).is_some())
    }

    /// The capture time the reports start at: the first report's time minus its duration.
    pub fn start(&self) -> f64 {
        let (t, d) = (self.column("time"), self.column("duration"));
        match (t.and_then(|t| self.value(0, t)), d.and_then(|d| self.value(0, d))) {
            (Some(t), Some(d)) => t - d,
            (Some(t), None) => t,
            _ => 0.0,
        }
    }

    /// Per report: (seconds since `start()`, counter `name` per second). Differential reports
    /// divide by their duration; absolute ones by the time since the previous report.
    pub fn rate(&self, name: &str) -> Result<Vec<(f64, f64)>, Error> {
        let (t, d, c) = (self.need("time")?, self.need("duration")?, self.need(name)?);
        let start = self.start();
        let mut out = Vec::new();
        let mut prev: Option<(f64, f64)> = None;
        for r in 0..self.rows.len() {
            let (Some(time), Some(dur), Some(v)) = (self.value(r, t), self.value(r, d), self.value(r, c)) else {
                continue;
            };
            let (dv, dt) = match prev {
                Some((pt, pv)) if !self.differential => (v - pv, time - pt),
                _ => (v, dur),
            };
            prev = Some((time, v));
            if dt > 0.0 {
                out.push((time - start, dv / dt));
            }
        }
        Ok(out)
    }

    /// Per report: (seconds since `start()`, the flows in memory): `fillSzHashMap` as is in
    /// absolute reports, summed up in differential ones (each holds the change).
    pub fn flows_in_memory(&self) -> Result<Vec<(f64, f64)>, Error> {
        let mut total = 0.0;
        Ok(self
            .series("fillSzHashMap")?
            .into_iter()
            .map(|(x, v)| {
                total = if self.differential { total + v } else { v };
                (x, total)
            })
            .collect())
    }

    /// Per report: (seconds since `start()`, the value of column `name`).
    pub fn series(&self, name: &str) -> Result<Vec<(f64, f64)>, Error> {
        let (t, c) = (self.need("time")?, self.need(name)?);
        let start = self.start();
        Ok((0..self.rows.len()).filter_map(|r| Some((self.value(r, t)? - start, self.value(r, c)?))).collect())
    }

    fn need(&self, name: &str) -> Result<usize, Error> {
        self.column(name).ok_or_else(|| {
            Error::Usage(format!(
                "the monitoring reports have no column '{name}' (they have: {})",
                self.names.join(" ")
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "[INF] a log line\n%repType\tsensorID\ttime\tduration\tfillSzHashMap\tnumPkts\tnumBytes\t\
        0x0806Pkts\t0x0806Bytes\tTCPPkts\tTCPBytes\ttcpFStat\twinPktThCnt\t\n\
        USR1MR_D\t666\t101.5\t1.5\t6\t6\t1200\t0\t0\t1\t2\t0x0\t3\t\n\
        USR1MR_D\t666\t102.0\t0.5\t-2\t10\t500\t0\t0\t1\t2\t0x0\t0\t\n\
        USR1MR_D\t666\t103.0\t1.0\n";

    #[test]
    fn differential_rows() {
        let r = Reports::parse(D, Path::new("m")).unwrap();
        assert!(r.differential);
        assert_eq!(r.rows.len(), 2);
        assert_eq!(r.skipped, Some((1, 5, "4 fields, the header has 13".into())));
        assert_eq!(r.start(), 100.0);
        assert_eq!(r.rate("numPkts").unwrap(), [(1.5, 4.0), (2.0, 20.0)]);
        assert_eq!(r.flows_in_memory().unwrap(), [(1.5, 6.0), (2.0, 4.0)]);
        assert_eq!(r.plugin_columns(), ["tcpFStat", "winPktThCnt"]);
        assert!(!r.is_decimal(r.column("tcpFStat").unwrap()));
        assert!(r.is_decimal(r.column("winPktThCnt").unwrap()));
        assert!(r.rate("nope").unwrap_err().to_string().contains("no column 'nope'"));
    }

    #[test]
    fn absolute_rows_are_differenced() {
        let a = "%repType\ttime\tduration\tfillSzHashMap\tnumPkts\n\
            USR1MR_A\t11\t1\t5\t10\nUSR1MR_A\t13\t3\t7\t30\n";
        let r = Reports::parse(a, Path::new("m")).unwrap();
        assert!(!r.differential);
        assert_eq!(r.rate("numPkts").unwrap(), [(1.0, 10.0), (3.0, 10.0)]);
        assert_eq!(r.flows_in_memory().unwrap(), [(1.0, 5.0), (3.0, 7.0)]);
        assert_eq!(r.plugin_columns(), Vec::<String>::new());
    }

    #[test]
    fn no_rows_is_an_error() {
        let e = Reports::parse("%repType\ttime\n", Path::new("m")).unwrap_err();
        assert!(e.to_string().starts_with("m: no monitoring report"), "{e}");
        let r = Reports::parse("USR1MR_D\t1\n%repType\ttime\nUSR1MR_D\t2\n", Path::new("m")).unwrap();
        assert_eq!(r.skipped.unwrap().2, "a report row before the %repType header");
    }
}
