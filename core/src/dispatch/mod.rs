//! The plugins of a run: finding and loading them (plugin-abi.md §1-§4), and calling them in
//! load order at every step of T2's life cycle (§5). A panicking plugin is switched off: the
//! run stops cleanly, and its columns are written with empty values so records stay aligned.
#![deny(unsafe_code)]

mod ffi;
mod loader;

use core::cell::{Cell, RefCell};
use std::ffi::OsString;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use plugin_api::abi::{
    CallCtx, CallStatus, FlowRecord, Globals, InitCtx, Instance, OutBuf, PacketFn, PacketView, PluginVTable, RunFn,
    T2_VERSION_MAJOR, T2_VERSION_MINOR, stream,
};
use plugin_api::fmt::escaped;
use plugin_api::types::Column;

use loader::CheckedVTable;
pub use loader::LoadError;

use crate::flow::table::FlowTable;
use crate::output::columns::encode_empty;
use crate::output::streams::Streams;

/// Initial size of the record buffer (T2's `MAIN_OUTBUF_SIZE`).
pub const MAIN_OUTBUF_SIZE: usize = 1_000_000;

/// State shared by the core and the host functions of all plugins.
pub struct HostShared {
    /// The run's log, monitoring and packet streams.
    pub streams: Rc<Streams>,
    /// Timeouts registered by plugins during `init`.
    timeouts: RefCell<Vec<f32>>,
    /// A plugin reported a fatal error, or its output overflowed: stop the run.
    fatal: Cell<bool>,
    /// The flow record being built.
    record: RefCell<Vec<u8>>,
    /// Whether plugins may read runtime parameters from the environment (`ENVCNTRL` > 1).
    env_overrides: bool,
    /// The flow table while a packet round runs (for the plugins' `flow_lookup`), else null:
    /// set by `table_round` only while its caller holds a shared borrow of the table.
    table: Cell<*const FlowTable>,
}

impl core::fmt::Debug for HostShared {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("HostShared").field("fatal", &self.fatal.get()).finish_non_exhaustive()
    }
}

impl HostShared {
    /// Shared state writing to `streams`.
    pub fn new(streams: Rc<Streams>, env_overrides: bool) -> HostShared {
        HostShared {
            streams,
            timeouts: RefCell::new(Vec::new()),
            fatal: Cell::new(false),
            record: RefCell::new(Vec::with_capacity(MAIN_OUTBUF_SIZE)),
            env_overrides,
            table: Cell::new(core::ptr::null()),
        }
    }

    fn emit(&self, strm: u32, plugin: &str, lvl: u32, msg: &str) {
        let s = &self.streams;
        match strm {
            stream::MON => s.mon.borrow_mut().plugin(plugin, lvl, msg),
            stream::PACKETS => {
                if let Some(w) = s.packets.borrow_mut().as_mut() {
                    let _ = writeln!(w, "{msg}");
                }
            }
            _ => s.log.borrow_mut().plugin(plugin, lvl, msg),
        }
    }

    fn write(&self, strm: u32, data: &[u8]) {
        let s = &self.streams;
        match strm {
            stream::MON => s.mon.borrow_mut().raw(data),
            stream::PACKETS => {
                if let Some(w) = s.packets.borrow_mut().as_mut() {
                    let _ = w.write_all(data);
                }
            }
            stream::ERR => {
                crate::term::write_stderr(data);
            }
            _ => s.log.borrow_mut().raw(data),
        }
    }

    fn getenv(&self, name: &str) -> Option<String> {
        if !self.env_overrides {
            return None;
        }
        std::env::var(name).ok()
    }

    /// Grows the record buffer T2's way: double while below 5 × `MAIN_OUTBUF_SIZE`.
    fn grow_record(&self, v: &mut Vec<u8>, additional: usize) -> bool {
        let need = v.len() + additional;
        let mut cap = v.capacity().max(MAIN_OUTBUF_SIZE);
        while cap < need {
            cap *= 2;
            if cap >= 5 * MAIN_OUTBUF_SIZE {
                crate::log::error("Buffer overflow in outputBuffer");
                self.fatal.set(true);
                return false;
            }
            self.streams.log.borrow_mut().info("output buffer full, doubling its capacity");
        }
        v.reserve(cap - v.len());
        true
    }
}

/// Per-plugin host context (leaked: the plugin keeps a pointer to it).
pub struct HostCtx {
    name: String,
    shared: Rc<HostShared>,
    env_value: RefCell<String>,
}

/// A loaded plugin.
pub struct LoadedPlugin {
    vt: CheckedVTable,
    inst: Instance,
    /// Plugin name.
    pub name: String,
    /// Plugin version.
    pub version: String,
    /// Number from the file name.
    pub number: u32,
    /// Declared columns.
    pub columns: Vec<Column>,
    /// Switched off after a panic.
    dead: bool,
}

impl core::fmt::Debug for LoadedPlugin {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("LoadedPlugin").field("name", &self.name).field("version", &self.version).finish()
    }
}

/// Errors of plugin loading (Display = the message after `[ERR] `).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PluginError {
    /// The plugin folder cannot be read.
    Folder {
        /// The folder.
        dir: String,
        /// `strerror` text.
        reason: String,
    },
    /// A file could not be loaded.
    Load(LoadError),
    /// Name or version invalid, unsupported T2 version, missing dependency, bad column.
    Invalid(String),
    /// A plugin panicked.
    Panicked {
        /// The plugin.
        plugin: String,
        /// The panic message.
        message: String,
    },
}

impl core::fmt::Display for PluginError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            PluginError::Folder { dir, reason } => write!(f, "Failed to scan plugin folder '{dir}': {reason}"),
            PluginError::Load(e) => e.fmt(f),
            PluginError::Invalid(m) => f.write_str(m),
            PluginError::Panicked { plugin, message } => write!(f, "{plugin}: panicked: {message}"),
        }
    }
}

/// The plugin list file's effect (T2's `USE_PLLIST` = 1: whitelist; 2: blacklist).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListMode {
    /// Load every candidate.
    None,
    /// Load only listed plugins.
    Whitelist,
    /// Skip listed plugins.
    Blacklist,
}

/// True when `file` is a plugin candidate: `NNN_` prefix, `.so` suffix, at least 8 bytes.
pub fn is_candidate(file: &[u8]) -> bool {
    file.len() >= 8 && is_numbered(file) && file.ends_with(b".so")
}

/// Whether a line of the plugin list matches the file `file` (plugin-abi.md §2). Both are
/// bytes: a file name need not be UTF-8.
pub fn list_matches(line: &[u8], file: &[u8]) -> bool {
    let line = line.strip_suffix(b".so").unwrap_or(line);
    let stem = file.strip_suffix(b".so").unwrap_or(file);
    if is_numbered(line) { line == stem } else { stem.get(4..) == Some(line) }
}

fn is_numbered(b: &[u8]) -> bool {
    b.len() >= 4 && b[..3].iter().all(u8::is_ascii_digit) && b[3] == b'_'
}

/// Reads the plugin list: lines not starting with `#`, newline removed. `None` if unreadable
/// (then every candidate loads, as in T2).
pub fn read_list(path: &Path) -> Option<Vec<Vec<u8>>> {
    let text = std::fs::read(path).ok()?;
    Some(text.split(|&b| b == b'\n').filter(|l| !l.starts_with(b"#") && !l.is_empty()).map(<[u8]>::to_vec).collect())
}

/// The candidates of `dir` that the list lets through, in load order, and how many the list
/// blacklisted.
pub fn select(dir: &Path, list: Option<&[Vec<u8>]>, mode: ListMode) -> Result<(Vec<PathBuf>, usize), PluginError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| PluginError::Folder { dir: escaped(&dir).to_string(), reason: plugin_api::fmt::strerror(&e) })?;
    let mut names: Vec<OsString> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().map(|t| !t.is_dir()).unwrap_or(false))
        .map(|e| e.file_name())
        .filter(|n| is_candidate(n.as_bytes()))
        .collect();
    names.sort();
    let keep = |n: &OsString| match (mode, list) {
        (ListMode::Whitelist, Some(l)) => l.iter().any(|line| list_matches(line, n.as_bytes())),
        (ListMode::Blacklist, Some(l)) => !l.iter().any(|line| list_matches(line, n.as_bytes())),
        _ => true,
    };
    let files: Vec<PathBuf> = names.iter().filter(|n| keep(n)).map(|n| dir.join(n)).collect();
    let blacklisted = if mode == ListMode::Blacklist { names.len() - files.len() } else { 0 };
    Ok((files, blacklisted))
}

/// A plugin panicked while being created or asked for its columns: reported at once, as a
/// panic in a later callback is (`Error::printed` relies on it).
fn loading_panic(plugin: String, message: String) -> PluginError {
    crate::log::plugin_error(&plugin, &format!("panicked: {message}"));
    PluginError::Panicked { plugin, message }
}

/// Plugins of a run, in load order.
pub struct PluginSet {
    plugins: Vec<LoadedPlugin>,
    /// State shared with the host functions.
    shared: Rc<HostShared>,
    panic: Option<PluginError>,
}

impl core::fmt::Debug for PluginSet {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list().entries(self.plugins.iter().map(|p| &p.name)).finish()
    }
}

impl PluginSet {
    /// Loads `files` in order, checking each as T2 does. Unlike T2, which skips a bad plugin
    /// and runs without its columns, the first failure is returned: a flow file silently
    /// missing the columns a user asked for is worse than a run that does not start.
    pub fn load(files: &[PathBuf], shared: Rc<HostShared>) -> Result<PluginSet, PluginError> {
        let mut set = PluginSet { plugins: Vec::new(), shared, panic: None };
        for path in files {
            let p = set.load_one(path)?;
            set.plugins.push(p);
        }
        Ok(set)
    }

    fn load_one(&self, path: &Path) -> Result<LoadedPlugin, PluginError> {
        let file = escaped(&path).to_string();
        let vt = loader::load(path).map_err(PluginError::Load)?;
        let t = vt.table();
        let (t2_version, deps) = ((t.t2_major, t.t2_minor), loader::table_text(t.dependencies));
        let name = loader::table_text(t.name);
        let version = loader::table_text(t.version);
        if name.is_empty() {
            return Err(PluginError::Invalid(format!("{file}: plugin name is required")));
        }
        if name.len() >= 32 {
            return Err(PluginError::Invalid(format!(
                "{file}: {name}: plugin name too long ({} characters, limited to 32)",
                name.len()
            )));
        }
        if version.is_empty() {
            return Err(PluginError::Invalid(format!("{file}: {name}: plugin version is required")));
        }
        if version.len() >= 16 {
            return Err(PluginError::Invalid(format!(
                "{file}: {name}: plugin version too long ({} characters, limited to 16)",
                version.len()
            )));
        }
        if t2_version != (T2_VERSION_MAJOR, T2_VERSION_MINOR) {
            return Err(PluginError::Invalid(format!(
                "{file}: {name}: version {}.{} not supported (minimum required is {T2_VERSION_MAJOR}.{T2_VERSION_MINOR})",
                t2_version.0, t2_version.1
            )));
        }
        if !deps.is_empty() && !deps.split(',').all(|d| self.plugins.iter().any(|p| p.name == d)) {
            return Err(PluginError::Invalid(format!("{file}: {name}: missing dependencies: {deps}")));
        }
        let fname = path.file_name().and_then(|f| f.to_str()).unwrap_or_default();
        let number = fname[..3].parse().unwrap_or(0);
        let ctx: &'static HostCtx = Box::leak(Box::new(HostCtx {
            name: name.clone(),
            shared: self.shared.clone(),
            env_value: RefCell::default(),
        }));
        let api = ffi::host_api(ctx);
        let inst = ffi::create(&vt, api);
        if inst.is_null() {
            return Err(loading_panic(name, ffi::last_panic(&vt, inst)));
        }
        let descs = ffi::columns(&vt, inst).map_err(|()| loading_panic(name.clone(), ffi::last_panic(&vt, inst)))?;
        let columns = descs
            .iter()
            .map(|(n, d, s)| {
                Column::parse(n, d, s).map_err(|e| PluginError::Invalid(format!("{file}: {name}: column '{n}': {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(LoadedPlugin { vt, inst, name, version, number, columns, dead: false })
    }

    /// Plugins in load order.
    pub fn plugins(&self) -> &[LoadedPlugin] {
        &self.plugins
    }

    /// True when no plugin is loaded.
    pub fn is_empty(&self) -> bool {
        self.plugins.is_empty()
    }

    /// The streams the plugins write to.
    pub fn streams(&self) -> &Rc<Streams> {
        &self.shared.streams
    }

    /// The flow timeouts plugins registered during `init`.
    pub fn timeouts(&self) -> Vec<f32> {
        self.shared.timeouts.borrow().clone()
    }

    /// The panic that switched a plugin off, if any.
    pub fn panic(&self) -> Option<&PluginError> {
        self.panic.as_ref()
    }

    /// True when the run must stop: a plugin panicked or reported a fatal error.
    pub fn must_stop(&self) -> bool {
        self.panic.is_some() || self.shared.fatal.get()
    }

    fn on_panic(&mut self, i: usize, what: &str) {
        let p = &mut self.plugins[i];
        p.dead = true;
        let message = ffi::last_panic(&p.vt, p.inst);
        let message = if message.is_empty() { format!("in {what}") } else { message };
        crate::log::plugin_error(&p.name, &format!("panicked: {message}"));
        if self.panic.is_none() {
            self.panic = Some(PluginError::Panicked { plugin: p.name.clone(), message });
        }
    }

    /// Calls `call` on every plugin still alive, in load order; a plugin whose call fails
    /// (panicked in `what`) is switched off.
    #[inline]
    fn each(&mut self, what: &str, call: impl Fn(&LoadedPlugin) -> CallStatus) {
        for i in 0..self.plugins.len() {
            let p = &self.plugins[i];
            if !p.dead && call(p) != CallStatus::OK {
                self.on_panic(i, what);
            }
        }
    }

    /// `t2Init` of every plugin, in order; the first failure ends the round.
    pub fn init(&mut self, ic: &InitCtx) -> Result<(), PluginError> {
        for i in 0..self.plugins.len() {
            let p = &self.plugins[i];
            if ffi::init(&p.vt, p.inst, ic) != CallStatus::OK {
                self.on_panic(i, "init");
                return Err(self.panic.clone().unwrap_or(PluginError::Invalid(String::new())));
            }
        }
        Ok(())
    }

    #[inline]
    fn packet_round(
        &mut self,
        pick: fn(&PluginVTable) -> PacketFn,
        what: &str,
        ctx: &CallCtx,
        pv: &PacketView,
        flow: u64,
    ) {
        self.each(what, |p| ffi::packet(&p.vt, pick, p.inst, ctx, pv, flow));
    }

    /// `t2OnNewFlow`.
    pub fn on_new_flow(&mut self, g: &Globals, table: &FlowTable, pv: &PacketView, flow: u32) {
        self.table_round(g, table, |v| v.on_new_flow, "on_new_flow", pv, u64::from(flow));
    }

    /// `t2OnLayer2` (`flow` = None: an IP packet whose layer 4 call follows).
    pub fn on_layer2(&mut self, g: &Globals, table: &FlowTable, pv: &PacketView, flow: Option<u32>) {
        let f = flow.map_or(plugin_api::abi::NO_FLOW, u64::from);
        self.table_round(g, table, |v| v.on_layer2, "on_layer2", pv, f);
    }

    /// `t2OnLayer4`.
    pub fn on_layer4(&mut self, g: &Globals, table: &FlowTable, pv: &PacketView, flow: u32) {
        self.table_round(g, table, |v| v.on_layer4, "on_layer4", pv, u64::from(flow));
    }

    /// A packet round during which plugins may look flows up in `table`.
    fn table_round(
        &mut self,
        g: &Globals,
        table: &FlowTable,
        pick: fn(&PluginVTable) -> plugin_api::abi::PacketFn,
        what: &str,
        pv: &PacketView,
        flow: u64,
    ) {
        let ctx = ffi::call_ctx(g, table.records());
        self.shared.table.set(table);
        self.packet_round(pick, what, &ctx, pv, flow);
        self.shared.table.set(core::ptr::null());
    }

    /// Builds the record of one flow direction (`t2OnFlowTerminate` of every plugin) and hands
    /// it to every sink (`t2BufferToSink`).
    pub fn output_flow(&mut self, g: &Globals, flows: &[FlowRecord], flow: u32, dir: u8) {
        let ctx = ffi::call_ctx(g, flows);
        let findex = flows[flow as usize].findex;
        let mut buf: OutBuf = ffi::RecordBuf::begin(&mut self.shared.record.borrow_mut(), dir, findex);
        for i in 0..self.plugins.len() {
            let start = buf.len;
            let p = &self.plugins[i];
            let dead = p.dead;
            let ok = dead || ffi::terminate(&p.vt, p.inst, &ctx, u64::from(flow), &mut buf) == CallStatus::OK;
            if !ok {
                self.on_panic(i, "on_flow_terminate");
                buf.len = start;
            }
            if !ok || dead {
                let mut empty = Vec::new();
                for c in &self.plugins[i].columns {
                    encode_empty(c, &mut empty);
                }
                ffi::RecordBuf::append(&mut self.shared.record.borrow_mut(), &mut buf, &empty);
            }
        }
        let shared = self.shared.clone();
        let mut rec = shared.record.borrow_mut();
        ffi::RecordBuf::finish(&mut rec, &buf);
        self.each("buffer_to_sink", |p| ffi::sink(&p.vt, p.inst, &ctx, &rec));
    }

    fn run_round(&mut self, pick: fn(&PluginVTable) -> RunFn, what: &str, ctx: &CallCtx) {
        self.each(what, |p| ffi::run(&p.vt, pick, p.inst, ctx));
    }

    /// `t2PluginReport` of every plugin.
    pub fn report(&mut self, g: &Globals, flows: &[FlowRecord]) {
        let ctx = ffi::call_ctx(g, flows);
        self.run_round(|v| v.report, "report", &ctx);
    }

    /// `t2Finalize` of every plugin.
    pub fn finalize(&mut self, g: &Globals, flows: &[FlowRecord]) {
        let ctx = ffi::call_ctx(g, flows);
        self.run_round(|v| v.finalize, "finalize", &ctx);
    }

    /// `t2Monitoring` of every plugin with `state` (see `plugin_api::abi::mon_state`).
    pub fn monitoring(&mut self, g: &Globals, flows: &[FlowRecord], state: u32) {
        let ctx = ffi::call_ctx(g, flows);
        self.each("monitoring", |p| ffi::monitor(&p.vt, p.inst, &ctx, state));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_follow_t2_rules() {
        assert!(is_candidate(b"100_basicFlow.so"));
        assert!(is_candidate(b"001_a.so"));
        assert!(!is_candidate(b"01_x.so"));
        assert!(!is_candidate(b"100basicFlow.so"));
        assert!(!is_candidate(b"100_x.so.1"));
        assert!(!is_candidate(b"10_.so"));
    }

    #[test]
    fn list_lines_match_like_t2() {
        for l in ["100_basicFlow.so", "100_basicFlow", "basicFlow", "basicFlow.so"] {
            assert!(list_matches(l.as_bytes(), b"100_basicFlow.so"), "{l}");
        }
        for l in ["101_basicFlow", "basicflow", "basicFlow\r"] {
            assert!(!list_matches(l.as_bytes(), b"100_basicFlow.so"), "{l}");
        }
    }
}
