//! The safe plugin interface: implement [`Plugin`], then `export_plugin!(YourType)`.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use crate::abi::{CoreConfig, Timestamp};
use crate::flow::{Ctx, Flow};
use crate::host::Host;
use crate::packet::Packet;
use crate::record::Output;
use crate::report::{MonState, Monitor, Report};
use crate::types::{Column, SigError};

/// A Tranalyzer plugin. Every callback has a no-op default; implement the ones you need.
///
/// Call order (plugin-abi.md §5): `new`, `columns` (before `init`!), `init`, then per packet
/// `on_new_flow` (new flows only), `on_layer2`, `on_layer4`; per ended flow `on_flow_terminate`
/// then `buffer_to_sink`; at the end `report` and `finalize`. A panic in any callback is caught
/// at the ABI boundary; the host reports it and stops the run cleanly.
///
/// The plugin's identity (name, version, number, dependencies) comes from its `Cargo.toml`
/// (package name and version, `[package.metadata.t2]`), see [`crate::export_plugin!`].
pub trait Plugin: Sized + 'static {
    /// Creates the instance when the plugin is loaded.
    fn new(host: Host) -> Self;

    /// Declares the flow-file columns (T2's `t2PrintHeader`); runs before `init`.
    fn columns(&self, _cols: &mut Columns) {}

    /// Allocates per-flow state, registers timeouts, writes packet-mode names (`t2Init`).
    fn init(&mut self, _init: &Init<'_>) {}

    /// A flow was created (`t2OnNewFlow`); reset the flow's slot here.
    fn on_new_flow(&mut self, _ctx: Ctx<'_>, _pkt: &Packet<'_>, _flow: Flow<'_>) {}

    /// Every packet with a layer 2 header (`t2OnLayer2`). `flow` is `None` for IP packets,
    /// whose `on_layer4` call follows; it is the layer-2 flow for non-IP frames.
    fn on_layer2(&mut self, _ctx: Ctx<'_>, _pkt: &Packet<'_>, _flow: Option<Flow<'_>>) {}

    /// Every IP packet that belongs to a flow (`t2OnLayer4`).
    fn on_layer4(&mut self, _ctx: Ctx<'_>, _pkt: &Packet<'_>, _flow: Flow<'_>) {}

    /// Appends exactly the values promised by [`Plugin::columns`] (`t2OnFlowTerminate`).
    fn on_flow_terminate(&mut self, _ctx: Ctx<'_>, _flow: Flow<'_>, _out: &mut Output<'_>) {}

    /// Contributes lines to the end report (`t2PluginReport`).
    fn report(&mut self, _ctx: Ctx<'_>, _report: &Report) {}

    /// Contributes to monitoring reports (`t2Monitoring`).
    fn monitoring(&mut self, _ctx: Ctx<'_>, _mon: &Monitor, _state: MonState) {}

    /// Releases resources, closes files (`t2Finalize`).
    fn finalize(&mut self, _ctx: Ctx<'_>) {}

    /// Sinks only: writes one encoded flow record (`t2BufferToSink`).
    fn buffer_to_sink(&mut self, _ctx: Ctx<'_>, _record: &[u8]) {}
}

/// The column list a plugin declares.
#[derive(Debug, Default)]
pub struct Columns {
    pub(crate) list: Vec<Column>,
    pub(crate) error: Option<(String, SigError)>,
}

impl Columns {
    /// Declares a column with a type signature such as `U64`, `SC:R` or `H8_H32`
    /// (see [`crate::types`]). A bad signature is reported by the host at load time.
    pub fn add(&mut self, name: &str, desc: &str, sig: &str) -> &mut Self {
        match Column::parse(name, desc, sig) {
            Ok(c) => self.list.push(c),
            Err(e) => {
                self.error.get_or_insert((name.to_owned(), e));
            }
        }
        self
    }
}

/// What the host tells a plugin at `init`.
#[derive(Debug)]
pub struct Init<'a> {
    pub(crate) config: &'a CoreConfig,
    pub(crate) prefix: OsString,
    pub(crate) prefix_text: String,
    pub(crate) plugin_folder: OsString,
    pub(crate) plugin_folder_text: String,
    pub(crate) cmdline: String,
    pub(crate) core_line: String,
    pub(crate) hw_info: String,
    pub(crate) sw_info: String,
    pub(crate) headers_extra: String,
    pub(crate) start_wall: Timestamp,
    pub(crate) start_date: String,
    pub(crate) pid: u32,
    pub(crate) priority: i32,
    pub(crate) packet_mode: bool,
    pub(crate) flows_to_stdout: bool,
    pub(crate) threads: u32,
    pub(crate) split: Option<Split>,
    pub(crate) columns: Vec<Column>,
    pub(crate) plugins: Vec<(String, String)>,
    pub(crate) pcapd_file: Option<String>,
}

/// Flow-file splitting requested with `-W PREFIX:SIZE,START`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split {
    /// Limit per file (bytes, or flows when `by_flows`).
    pub size: u64,
    /// Whether `size` counts flow records.
    pub by_flows: bool,
    /// Index of the first file.
    pub start: u64,
}

impl Init<'_> {
    /// Number of flow slots the table may hold: size your [`crate::FlowSlots`] with it (they
    /// allocate as flows arrive). Anything else sized by it should not touch its memory up front.
    pub fn capacity(&self) -> usize {
        self.config.capacity as usize
    }

    /// The core's configuration flags.
    pub fn config(&self) -> &CoreConfig {
        self.config
    }

    /// Output prefix as text, for messages (a byte that is not UTF-8 reads as U+FFFD): open
    /// files with [`Init::side_file`], which keeps the user's bytes.
    pub fn prefix(&self) -> &str {
        &self.prefix_text
    }

    /// Output prefix (`-w`) byte for byte, as the user gave it.
    pub fn prefix_os(&self) -> &OsStr {
        &self.prefix
    }

    /// The output file `<prefix><suffix>` (e.g. `_flows.txt`), byte for byte.
    pub fn side_file(&self, suffix: &str) -> PathBuf {
        let mut path = self.prefix.clone();
        path.push(suffix);
        path.into()
    }

    /// Plugin folder as text, ending with `/`, for messages: open data files with
    /// [`Init::data_file`], which keeps the user's bytes.
    pub fn plugin_folder(&self) -> &str {
        &self.plugin_folder_text
    }

    /// Plugin folder (`-p`) byte for byte, ending with `/`.
    pub fn plugin_folder_os(&self) -> &OsStr {
        &self.plugin_folder
    }

    /// The data file `name` of the plugin folder (`-p`), byte for byte.
    pub fn data_file(&self, name: impl AsRef<Path>) -> PathBuf {
        Path::new(&self.plugin_folder).join(name)
    }

    /// The command line.
    pub fn cmdline(&self) -> &str {
        &self.cmdline
    }

    /// `L2, IPv4, IPv6` as in the "Creating flows for" log line.
    pub fn core_line(&self) -> &str {
        &self.core_line
    }

    /// `<nodename>;<sysname>;<release>;<version>;<machine>`.
    pub fn hw_info(&self) -> &str {
        &self.hw_info
    }

    /// Capture library version.
    pub fn sw_info(&self) -> &str {
        &self.sw_info
    }

    /// Extra headers-file lines (live capture), each ending in `\n`.
    pub fn headers_extra(&self) -> &str {
        &self.headers_extra
    }

    /// Wall-clock time the run started.
    pub fn start_wall(&self) -> Timestamp {
        self.start_wall
    }

    /// Start time as T2 prints it: `<sec>.<frac> sec (<local date>)`.
    pub fn start_date(&self) -> &str {
        &self.start_date
    }

    /// Process ID.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Nice value.
    pub fn priority(&self) -> i32 {
        self.priority
    }

    /// True when packet mode (`-s`) is on.
    pub fn packet_mode(&self) -> bool {
        self.packet_mode
    }

    /// True when flows go to stdout (`-w -`).
    pub fn flows_to_stdout(&self) -> bool {
        self.flows_to_stdout
    }

    /// Threads the run may use (`--threads`; at least 1). Work of the plugin's own on another
    /// thread (see [`crate::offload`]) only pays above 1.
    pub fn threads(&self) -> u32 {
        self.threads
    }

    /// Flow-file splitting, if requested.
    pub fn split(&self) -> Option<Split> {
        self.split
    }

    /// The flow-index file given with `-e` (for the pcapd plugin), if any.
    pub fn pcapd_file(&self) -> Option<&str> {
        self.pcapd_file.as_deref()
    }

    /// Every flow-file column (`dir`, `flowInd`, then all plugins'), for sinks.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// Loaded plugins (name, version) in load order.
    pub fn plugins(&self) -> &[(String, String)] {
        &self.plugins
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::ffi::OsStrExt;

    use super::*;
    use crate::testing::TestInit;

    #[test]
    fn side_and_data_files_keep_the_bytes_of_their_folders() {
        let init = TestInit {
            prefix: OsStr::from_bytes(b"/tmp/bad\xff\xfename").to_owned(),
            plugin_folder: "/p/".into(),
            ..TestInit::default()
        };
        let config = crate::testing::core_config();
        let init = init.init(&config);
        assert_eq!(init.side_file("_flows.txt").as_os_str().as_bytes(), b"/tmp/bad\xff\xfename_flows.txt");
        assert_eq!(init.prefix_os().as_bytes(), b"/tmp/bad\xff\xfename");
        assert_eq!(init.prefix(), "/tmp/bad\u{fffd}\u{fffd}name");
        assert_eq!(init.data_file("ports.txt"), Path::new("/p/ports.txt"));
        assert_eq!(init.plugin_folder_os(), "/p/");
    }
}
