//! txtSink (901): writes every flow record as one tab-separated text line to
//! `PREFIX_flows.txt` (or stdout with `-w -`, or `-W` fragments) and describes the columns
//! in `PREFIX_headers.txt`, byte-identical to Tranalyzer2 0.9.3 (spec: txt-format.md).
//!
//! * [`config`]: the T2 flags with their defaults, gathered in [`config::Config`];
//! * [`program`]: the column list compiled into flat ops, and the record walker;
//! * [`render`]: the text of each primitive type (numbers, strings, addresses, times);
//! * [`float`]: glibc's `%.7g` and `%f`; [`timestr`]: ISO 8601 dates (`B2T_TIMESTR`);
//! * [`header`]: column-name lines and the headers file; [`output`]: the flow file itself.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
// The crate is named after the T2 plugin, which is camelCase.
#![allow(non_snake_case)]

pub mod config;
pub mod float;
pub mod header;
pub mod output;
pub mod program;
pub mod render;
pub mod timestr;

#[cfg(test)]
mod testutil;

use plugin_api::{Ctx, Host, Init, Plugin};

use crate::config::Config;
use crate::header::RunInfo;
use crate::output::FlowFile;
use crate::program::RecordWriter;
use crate::render::Renderer;

/// The txtSink plugin.
#[derive(Debug)]
pub struct TxtSink {
    host: Host,
    /// Flags before the core's and the environment's contributions are merged in at init.
    base: Config,
    /// Set while flow lines are being written.
    active: Option<Active>,
}

/// The open flow file and the compiled renderer.
#[derive(Debug)]
struct Active {
    records: RecordWriter,
    file: FlowFile,
    /// `HDR_CHR` when the flow count goes over the extended header's first line at the end
    /// (`TFS_PRI_HDR` and `TFS_EXTENDED_HEADER`).
    count_line: Option<String>,
}

impl TxtSink {
    /// A sink with non-default flags (the core's `TSTAMP_*` flags still apply at init).
    pub fn with_config(host: Host, base: Config) -> TxtSink {
        TxtSink { host, base, active: None }
    }

    /// The run's configuration: the base flags, the core's timestamp flags, and the suffix
    /// overrides from the environment.
    fn config(&self, init: &Init<'_>) -> Config {
        let mut cfg = self.base.clone().with_core(init.config());
        if let Some(s) = self.host.getenv(TFS_FLOWS_TXT_SUFFIX_ENV) {
            cfg.flows_suffix = s;
        }
        if let Some(s) = self.host.getenv(TFS_HEADER_SUFFIX_ENV) {
            cfg.header_suffix = s;
        }
        cfg
    }

    /// Opens the flow file and writes the headers file; `Err` carries the fatal message.
    fn start(&mut self, init: &Init<'_>, cfg: Config) -> Result<(), String> {
        let columns = init.columns();
        let block_buf = init.config().block_buf != 0;
        if block_buf {
            self.host.warn("BLOCK_BUF is set in 'tranalyzer.h', no flow file will be produced");
        } else {
            let header = if cfg.pri_hdr { header::column_lines(columns, &cfg).into_bytes() } else { Vec::new() };
            let file = if init.flows_to_stdout() {
                FlowFile::stdout(header)
            } else {
                let path = init.side_file(&cfg.flows_suffix);
                let split = if cfg.split { init.split() } else { None };
                FlowFile::create(&path, split, cfg.pri_hdr_fw, header).map_err(|e| e.to_string())?
            };
            let count_line = (cfg.pri_hdr && cfg.extended_header).then(|| cfg.hdr_chr.clone());
            let records = RecordWriter::new(columns, Renderer::new(cfg.clone()));
            self.active = Some(Active { records, file, count_line });
        }
        if cfg.hdr_file {
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
            let path = init.side_file(&cfg.header_suffix);
            std::fs::write(&path, text).map_err(|e| {
                format!("Failed to open file '{}': {}", plugin_api::fmt::escaped(&path), plugin_api::fmt::strerror(&e))
            })?;
        }
        Ok(())
    }

    /// Reports a fatal error; the flow file keeps what was written so far (as T2's `exit`
    /// flushes it) and no further record is written.
    fn fail(&mut self, msg: &str) {
        if let Some(mut a) = self.active.take() {
            // The first error is the one to report.
            let _ = a.file.flush();
        }
        self.host.fail(msg);
    }
}

/// Environment variable overriding [`config::TFS_FLOWS_TXT_SUFFIX`].
const TFS_FLOWS_TXT_SUFFIX_ENV: &str = "TFS_FLOWS_TXT_SUFFIX";
/// Environment variable overriding [`config::TFS_HEADER_SUFFIX`].
const TFS_HEADER_SUFFIX_ENV: &str = "TFS_HEADER_SUFFIX";

impl Plugin for TxtSink {
    fn new(host: Host) -> Self {
        TxtSink::with_config(host, Config::default())
    }

    fn init(&mut self, init: &Init<'_>) {
        let cfg = self.config(init);
        if let Err(msg) = self.start(init, cfg) {
            self.fail(&msg);
        }
    }

    fn buffer_to_sink(&mut self, _ctx: Ctx<'_>, record: &[u8]) {
        let Some(a) = &mut self.active else { return };
        let res = match a.records.render(a.file.buf(), record) {
            Ok(()) => a.file.end_record().map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        if let Err(msg) = res {
            self.fail(&msg);
        }
    }

    fn finalize(&mut self, ctx: Ctx<'_>) {
        let Some(mut a) = self.active.take() else {
            return;
        };
        let count = a.count_line.as_deref().map(|chr| (chr, ctx.globals().total_flows));
        if let Err(e) = a.file.finish(count) {
            self.host.fail(&e.to_string());
        }
    }
}

plugin_api::export_plugin!(TxtSink);
