//! txtSink (901): writes every flow record as one tab-separated text line to
//! `PREFIX_flows.txt` (or stdout with `-w -`, or `-W` fragments) and describes the columns
//! in `PREFIX_headers.txt`, byte-identical to Tranalyzer2 0.9.3 (spec: txt-format.md).
//!
//! * [`config`]: the flags of `flags.toml` ([`config::Config`]) and the core's timestamp flags;
//! * [`render`]: the text of a record, walked by plugin-api's record decoder: separators and
//!   each value (numbers, strings, addresses, times);
//! * [`timestr`]: ISO 8601 dates (`B2T_TIMESTR`); floats are plugin-api's glibc `%.7g`/`%f`;
//! * [`header`]: column-name lines and the headers file; [`output`]: the flow file itself.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
// The crate is named after the T2 plugin, which is camelCase.
#![allow(non_snake_case)]

pub mod config;
pub mod flags;
pub mod header;
pub mod output;
pub mod render;
pub mod timestr;

#[cfg(test)]
mod testutil;

use plugin_api::offload::{self, Offload, Output, Render};
use plugin_api::{Ctx, Host, Init, Plugin};

use crate::config::{Config, Stamps};
use crate::header::RunInfo;
use crate::output::FlowFile;

use crate::render::{RecordWriter, Renderer};

/// The txtSink plugin.
#[derive(Debug)]
pub struct TxtSink {
    host: Host,
    /// The flags (`flags.toml`).
    cfg: Config,
    /// Set while flow lines are being written.
    active: Option<Active>,
}

/// The flow lines being written.
#[derive(Debug)]
struct Active {
    /// Renders and writes them; on other threads when the run may use more than one.
    lines: Offload<RecordWriter, Lines>,
    /// `HDR_CHR` when the flow count goes over the extended header's first line at the end
    /// (`TFS_PRI_HDR` and `TFS_EXTENDED_HEADER`).
    count_line: Option<&'static str>,
}

impl Render for RecordWriter {
    fn render(&mut self, _tag: u64, rec: &[u8], out: &mut Vec<u8>) -> Result<(), String> {
        RecordWriter::render(self, out, rec).map_err(|e| e.to_string())
    }
}

/// The open flow file.
#[derive(Debug)]
struct Lines {
    file: FlowFile,
}

impl Output for Lines {
    /// Writes one line; after an error the file keeps what was written so far, with the part
    /// of the line rendered before a rendering error (as T2's `exit` flushes it).
    fn write(&mut self, _tag: u64, text: &[u8], error: Option<String>) -> Result<(), String> {
        self.file.buf().extend_from_slice(text);
        let res = match error {
            None => self.file.end_record().map_err(|e| e.to_string()),
            Some(e) => Err(e),
        };
        if res.is_err() {
            // the first error is the one to report
            let _ = self.file.flush();
        }
        res
    }
}

impl TxtSink {
    /// A sink with flags `cfg` instead of the compiled ones (the core's `TSTAMP_*` flags still
    /// apply at init).
    pub fn with_config(host: Host, cfg: Config) -> TxtSink {
        TxtSink { host, cfg, active: None }
    }

    /// The suffix flag `name` (`value` compiled in), or its override from the environment.
    fn suffix(&self, name: &str, value: &str) -> String {
        self.host.getenv(name).unwrap_or_else(|| value.to_owned())
    }

    /// Opens the flow file and writes the headers file; `Err` carries the fatal message.
    fn start(&mut self, init: &Init<'_>) -> Result<(), String> {
        let cfg = self.cfg;
        let columns = init.columns();
        let block_buf = init.config().block_buf != 0;
        if block_buf {
            self.host.warn("BLOCK_BUF is set in 'tranalyzer.h', no flow file will be produced");
        } else {
            let header = if cfg.tfs_pri_hdr { header::column_lines(columns, &cfg).into_bytes() } else { Vec::new() };
            let file = if init.flows_to_stdout() {
                output::stdout(header)
            } else {
                let suffix = self.suffix("TFS_FLOWS_TXT_SUFFIX", cfg.tfs_flows_txt_suffix);
                let path = init.side_file(&suffix);
                let split = if cfg.tfs_split { init.split() } else { None };
                output::create(&path, split, cfg.tfs_pri_hdr_fw, header).map_err(|e| e.to_string())?
            };
            let count_line = (cfg.tfs_pri_hdr && cfg.tfs_extended_header).then_some(cfg.hdr_chr);
            let records = RecordWriter::new(columns, Renderer::new(cfg, Stamps::of(init.config())));
            let lines = Offload::new(records, Lines { file }, offload::workers(init));
            self.active = Some(Active { lines, count_line });
        }
        if cfg.tfs_hdr_file {
            let info = RunInfo {
                date: init.start_date().to_owned(),
                core_line: init.core_line().to_owned(),
                sensor_id: init.config().sensor_id,
                pid: init.pid(),
                priority: init.priority(),
                cmdline: init.cmdline().to_owned(),
                hw_info: init.hw_info().to_owned(),
                sw_info: init.sw_info().to_owned(),
                extra: init.headers_extra().to_owned(),
                plugins: init.plugins().to_vec(),
            };
            let text = header::headers_file(&info, (!block_buf).then_some(columns), &cfg);
            let suffix = self.suffix("TFS_HEADER_SUFFIX", cfg.tfs_header_suffix);
            let path = init.side_file(&suffix);
            std::fs::write(&path, text).map_err(|e| {
                format!("Failed to open file '{}': {}", plugin_api::fmt::escaped(&path), plugin_api::fmt::strerror(&e))
            })?;
        }
        Ok(())
    }

    /// Reports a fatal error; no further record is written.
    fn fail(&mut self, msg: &str) {
        if let Some(a) = self.active.take() {
            // waits for the lines handed over before the error
            let _ = a.lines.finish();
        }
        self.host.fail(msg);
    }
}

impl Plugin for TxtSink {
    fn new(host: Host) -> Self {
        TxtSink::with_config(host, Config::default())
    }

    fn init(&mut self, init: &Init<'_>) {
        if let Err(msg) = self.start(init) {
            self.fail(&msg);
        }
    }

    fn buffer_to_sink(&mut self, _ctx: Ctx<'_>, record: &[u8]) {
        let Some(a) = &mut self.active else { return };
        if let Err(msg) = a.lines.push(0, record) {
            self.fail(&msg);
        }
    }

    fn finalize(&mut self, ctx: Ctx<'_>) {
        let Some(a) = self.active.take() else {
            return;
        };
        let count = a.count_line.map(|chr| (chr, ctx.globals().total_flows));
        let result = a.lines.close(|lines| output::finish(&mut lines.file, count).map_err(|e| e.to_string()));
        if let Err(msg) = result {
            self.host.fail(&msg);
        }
    }
}

plugin_api::export_plugin!(TxtSink);
