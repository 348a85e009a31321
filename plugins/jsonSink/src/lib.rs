//! jsonSink (903): writes every flow record as one JSON object per line to
//! `PREFIX_flows.json` (or `-W` fragments, stdout with `-w -`, or a TCP socket), optionally
//! gzip-compressed, byte-identical to Tranalyzer2 0.9.3's jsonSink.
//!
//! * [`flags`]: the flags of `flags.toml` (T2's `jsonSink.h`);
//! * [`render`]: the object of a record, walked by plugin-api's record decoder (the one
//!   txtSink renders from); [`number`]: floats as `%.17g`;
//! * [`output`]: the destinations; [`select`]: `JSON_SELECT`'s column list.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
// The crate is named after the T2 plugin, which is camelCase.
#![allow(non_snake_case)]

pub mod flags;
pub mod number;
pub mod output;
pub mod render;
pub mod select;

use plugin_api::flowfile::Frame;
use plugin_api::{Ctx, Host, Init, Plugin, Report};

use crate::flags::Config;
use crate::output::FlowFile;
use crate::render::{ObjectWriter, Style};

/// The jsonSink plugin.
#[derive(Debug)]
pub struct JsonSink {
    host: Host,
    /// The flags (`flags.toml`).
    cfg: Config,
    /// Set while objects are being written.
    active: Option<Active>,
    /// Records that could not be decoded (T2: "discarded due to main buffer problems").
    discarded: u64,
}

/// The open output and the compiled renderer.
#[derive(Debug)]
struct Active {
    writer: ObjectWriter,
    file: FlowFile,
    /// `JSON_ROOT_NODE`: objects after the first of a file start with `,`.
    root: bool,
}

/// The root node's array: `[` starts every file, `]` ends it.
fn root_frame() -> Frame {
    Frame { header: b"[\n".to_vec(), header_every_file: true, footer: b"]\n".to_vec() }
}

impl JsonSink {
    /// A sink with flags `cfg` instead of the compiled ones.
    pub fn with_config(host: Host, cfg: Config) -> JsonSink {
        JsonSink { host, cfg, active: None, discarded: 0 }
    }

    /// The string flag `name` (`value` compiled in), or its override from the environment.
    fn env(&self, name: &str, value: &str) -> String {
        self.host.getenv(name).unwrap_or_else(|| value.to_owned())
    }

    /// The number flag `name`, or its override from the environment.
    fn env_num<N: std::str::FromStr + ToString>(&self, name: &str, value: N) -> Result<N, String> {
        match self.host.getenv(name) {
            None => Ok(value),
            Some(v) => v.trim().parse().map_err(|_| format!("Invalid value '{v}' for environment variable {name}")),
        }
    }

    /// Opens the output; `Err` carries the fatal message.
    fn start(&mut self, init: &Init<'_>) -> Result<(), String> {
        let cfg = self.cfg;
        let columns = init.columns();
        let selected = if cfg.json_select {
            let name = self.env("JSON_SELECT_FILE", cfg.json_select_file);
            let (sel, n) = select::load(&init.data_file(&name), columns)?;
            self.host.info(&format!("only inserting {n} columns listed in '{name}'"));
            Some(sel)
        } else {
            None
        };
        let frame = if cfg.json_root_node { root_frame() } else { Frame::default() };
        let gz = cfg.json_gz_compress;
        let file = if cfg.json_socket_on {
            let addr = self.env("JSON_SOCKET_ADDR", cfg.json_socket_addr);
            let port = self.env_num("JSON_SOCKET_PORT", cfg.json_socket_port)?;
            output::socket(&addr, port, gz, frame)?
        } else if init.flows_to_stdout() {
            output::stdout(gz, frame)
        } else {
            let suffix = self.env("JSON_SUFFIX", cfg.json_suffix);
            let gz_suffix = if gz { ".gz" } else { "" };
            let path = init.side_file(&format!("{suffix}{gz_suffix}"));
            let split = if cfg.json_split { init.split() } else { None };
            output::create(&path, split, gz, frame).map_err(|e| e.to_string())?
        };
        let block = self.env_num("JSON_BUFFER_SIZE", cfg.json_buffer_size)?;
        let file = file.with_block_size(usize::try_from(block).unwrap_or(usize::MAX));
        let style = Style {
            no_spaces: cfg.json_no_spaces,
            suppress_empty: cfg.json_suppress_empty_array,
            frac_width: if init.config().tstamp_prec != 0 { 9 } else { 6 },
        };
        let writer = ObjectWriter::new(columns, style, selected);
        self.active = Some(Active { writer, file, root: cfg.json_root_node });
        Ok(())
    }

    /// Reports a fatal error; what was written so far stays (as T2's `exit` flushes it) and
    /// no further object is written.
    fn fail(&mut self, msg: &str) {
        if let Some(mut a) = self.active.take() {
            // The first error is the one to report.
            let _ = a.file.flush();
        }
        self.host.fail(msg);
    }
}

impl Plugin for JsonSink {
    fn new(host: Host) -> Self {
        JsonSink::with_config(host, Config::default())
    }

    fn init(&mut self, init: &Init<'_>) {
        if init.config().block_buf != 0 {
            self.host.warn("BLOCK_BUF is set in 'tranalyzer.h', no flow file will be produced");
            return;
        }
        if let Err(msg) = self.start(init) {
            self.fail(&msg);
        }
    }

    fn buffer_to_sink(&mut self, ctx: Ctx<'_>, record: &[u8]) {
        let Some(a) = &mut self.active else { return };
        let buf = a.file.buf();
        let mark = buf.len();
        if a.root && !a.file.at_file_start() {
            a.file.buf().push(b',');
        }
        match a.writer.render(a.file.buf(), record) {
            Ok(()) => {
                if let Err(e) = a.file.end_record() {
                    self.fail(&e.to_string());
                }
            }
            Err(e) => {
                a.file.buf().truncate(mark);
                if self.discarded == 0 {
                    let flows = ctx.globals().total_flows;
                    self.host.error(&format!("{e}, first occurrence after {flows} flows."));
                    self.host.info("This is mostly caused by corrupt data... discarding line.");
                }
                self.discarded += 1;
            }
        }
    }

    fn report(&mut self, ctx: Ctx<'_>, report: &Report) {
        report.warn_nump(
            "Number of flows discarded due to main buffer problems",
            self.discarded,
            ctx.globals().total_flows,
        );
    }

    fn finalize(&mut self, _ctx: Ctx<'_>) {
        let Some(mut a) = self.active.take() else {
            return;
        };
        if let Err(e) = a.file.close() {
            self.host.fail(&e.to_string());
        }
    }
}

plugin_api::export_plugin!(JsonSink);
