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

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use plugin_api::flowfile::Frame;
use plugin_api::offload::{self, Offload, Output, Render};
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
    /// Set while objects are being written: on a second thread when the run may use more
    /// than one (plugin-api's `offload`).
    active: Option<Offload<ObjectWriter, Objects>>,
    /// Records that could not be decoded, counted where they are rendered.
    discards: Arc<Discards>,
    /// Whether the first discard was logged.
    announced: bool,
}

/// Records that could not be decoded (T2: "discarded due to main buffer problems").
#[derive(Debug, Default)]
struct Discards {
    count: AtomicU64,
    /// The first one's error and the flow count when its record was handed over.
    first: Mutex<Option<(String, u64)>>,
}

/// The open output.
#[derive(Debug)]
struct Objects {
    file: FlowFile,
    /// `JSON_ROOT_NODE`: objects after the first of a file start with `,`.
    root: bool,
    discards: Arc<Discards>,
}

impl Render for ObjectWriter {
    fn render(&mut self, _flows: u64, rec: &[u8], out: &mut Vec<u8>) -> Result<(), String> {
        ObjectWriter::render(self, out, rec).map_err(|e| e.to_string())
    }
}

impl Output for Objects {
    /// Writes the object of a run that had `flows` flows when its record was handed over; a
    /// record that could not be decoded is discarded and counted. After a write error the
    /// file keeps what was written so far (as T2's `exit` flushes it).
    fn write(&mut self, flows: u64, text: &[u8], error: Option<String>) -> Result<(), String> {
        if let Some(e) = error {
            if self.discards.count.fetch_add(1, Ordering::Relaxed) == 0 {
                *self.discards.first.lock().unwrap_or_else(|p| p.into_inner()) = Some((e, flows));
            }
            return Ok(());
        }
        if self.root && !self.file.at_file_start() {
            self.file.buf().push(b',');
        }
        self.file.buf().extend_from_slice(text);
        self.file.end_record().map_err(|e| {
            let _ = self.file.flush();
            e.to_string()
        })
    }
}

/// The root node's array: `[` starts every file, `]` ends it.
fn root_frame() -> Frame {
    Frame { header: b"[\n".to_vec(), header_every_file: true, footer: b"]\n".to_vec() }
}

impl JsonSink {
    /// A sink with flags `cfg` instead of the compiled ones.
    pub fn with_config(host: Host, cfg: Config) -> JsonSink {
        JsonSink { host, cfg, active: None, discards: Arc::default(), announced: false }
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
        let objects = Objects { file, root: cfg.json_root_node, discards: self.discards.clone() };
        // a socket's reader gets each object as soon as its block fills, as in T2
        let workers = if cfg.json_socket_on { 0 } else { offload::workers(init) };
        self.active = Some(Offload::new(writer, objects, workers));
        Ok(())
    }

    /// Reports a fatal error; what was written so far stays (as T2's `exit` flushes it) and
    /// no further object is written.
    fn fail(&mut self, msg: &str) {
        if let Some(a) = self.active.take() {
            // waits for the objects handed over before the error (the output flushed its
            // file at its own error)
            let _ = a.finish();
        }
        self.host.fail(msg);
    }

    /// Logs the first discarded record once (on a second thread, at the first record handed
    /// over after it was rendered, or at the end report).
    fn announce(&mut self) {
        if self.announced || self.discards.count.load(Ordering::Relaxed) == 0 {
            return;
        }
        self.announced = true;
        let first = self.discards.first.lock().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some((e, flows)) = first {
            self.host.error(&format!("{e}, first occurrence after {flows} flows."));
            self.host.info("This is mostly caused by corrupt data... discarding line.");
        }
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
        if let Err(msg) = a.push(ctx.globals().total_flows, record) {
            self.fail(&msg);
        }
        self.announce();
    }

    fn report(&mut self, ctx: Ctx<'_>, report: &Report) {
        // the count must include every record handed over so far
        if let Some(a) = &mut self.active
            && let Err(msg) = a.sync()
        {
            self.fail(&msg);
        }
        self.announce();
        report.warn_nump(
            "Number of flows discarded due to main buffer problems",
            self.discards.count.load(Ordering::Relaxed),
            ctx.globals().total_flows,
        );
    }

    fn finalize(&mut self, _ctx: Ctx<'_>) {
        let Some(a) = self.active.take() else {
            return;
        };
        let result = a.close(|objects| objects.file.close().map_err(|e| e.to_string()));
        self.announce();
        if let Err(msg) = result {
            self.host.fail(&msg);
        }
    }
}

plugin_api::export_plugin!(JsonSink);
