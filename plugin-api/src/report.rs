//! End-report and monitoring output of a plugin (plugin-abi.md §12, monitoring.md §5-§8).
//!
//! A plugin formats its message text; the host adds the `<plugin>:` prefix, the `[WRN]` tags
//! and colours, so no plugin ever writes escape codes.

use core::fmt::Display;

use crate::abi::{level, stream};
use crate::fmt::{human, percent};
use crate::host::Host;

/// Writes report lines (`t2PluginReport`, or the monitoring report state).
#[derive(Debug, Clone, Copy)]
pub struct Report {
    host: Host,
    stream: u32,
}

impl Report {
    pub(crate) fn new(host: Host, stream: u32) -> Report {
        Report { host, stream }
    }

    /// `<plugin>: <msg>`.
    pub fn line(&self, msg: &str) {
        self.host.emit(self.stream, level::PLUGIN, msg);
    }

    /// `[INF] <plugin>: <msg>`.
    pub fn info(&self, msg: &str) {
        self.host.emit(self.stream, level::INFO, msg);
    }

    /// `[WRN] <plugin>: <msg>`.
    pub fn warn(&self, msg: &str) {
        self.host.emit(self.stream, level::WARN, msg);
    }

    /// `<plugin>: <label>: <n><h>` (T2_FPLOG_NUM0).
    pub fn num0(&self, label: &str, n: u64) {
        self.line(&format!("{label}: {n}{}", human(n)));
    }

    /// [`Report::num0`] only when `n > 0`.
    pub fn num(&self, label: &str, n: u64) {
        if n > 0 {
            self.num0(label, n);
        }
    }

    /// `<plugin>: <label>: <n><h> [<p>%]` (T2_FPLOG_NUMP0).
    pub fn nump0(&self, label: &str, n: u64, total: u64) {
        self.line(&nump_text(label, n, total));
    }

    /// [`Report::nump0`] only when `n > 0`.
    pub fn nump(&self, label: &str, n: u64, total: u64) {
        if n > 0 {
            self.nump0(label, n, total);
        }
    }

    /// `[WRN] <plugin>: <label>: <n><h> [<p>%]`, only when `n > 0`.
    pub fn warn_nump(&self, label: &str, n: u64, total: u64) {
        if n > 0 {
            self.warn(&nump_text(label, n, total));
        }
    }

    /// `<plugin>: Aggregated <name>=0x<hex>` with `2 × bytes` digits, only when `value != 0`
    /// (T2_FPLOG_AGGR_H8 ... H64).
    pub fn aggr(&self, name: &str, value: u64, bytes: usize) {
        if value != 0 {
            self.line(&format!("Aggregated {name}=0x{value:0width$x}", width = 2 * bytes));
        }
    }
}

fn nump_text(label: &str, n: u64, total: u64) -> String {
    format!("{label}: {n}{} [{:.2}%]", human(n), percent(n as f64, total as f64))
}

/// Monitoring state passed to [`crate::Plugin::monitoring`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MonState {
    /// Machine report header: print column names with [`Monitor::field`].
    Header,
    /// Machine report row: print values with [`Monitor::field`], same count as the names.
    Values,
    /// Human report: print lines with [`Monitor::report`].
    Report,
}

/// Writes a plugin's part of a monitoring report.
#[derive(Debug, Clone, Copy)]
pub struct Monitor {
    host: Host,
    diff: bool,
}

impl Monitor {
    pub(crate) fn new(host: Host, diff: bool) -> Monitor {
        Monitor { host, diff }
    }

    /// Writes one machine-report field followed by the separator (a name or a value).
    pub fn field(&self, v: impl Display) {
        self.host.write(stream::MON, format!("{v}\t").as_bytes());
    }

    /// Report lines for the human report.
    pub fn report(&self) -> Report {
        Report::new(self.host, stream::MON)
    }

    /// True when reports are differential (`DIFF_REPORT` = 1): after printing, set `x0 = x`.
    pub fn diff(&self) -> bool {
        self.diff
    }
}
