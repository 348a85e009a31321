//! Testing kit for plugin crates (feature `testing`): test one plugin in-process, without the
//! core, in its own crate's tests.
//!
//! * [`packet`]: frames built for tests (Ethernet, VLAN, IPv4, IPv6, TCP, UDP, ICMP, ARP) with
//!   the view the core's dissector makes of them;
//! * [`Harness`]: the plugin driven through its callbacks as the core drives it, on a flow
//!   table whose slots the test chooses; records come back as [`Row`]s;
//! * [`TestHost`]: the host the plugin talks to, recording log lines, stream output, timeouts
//!   and failures; [`TestInit`], [`core_config`], [`globals`]: what `init` and the callbacks
//!   receive.
//!
//! A plugin crate enables the feature for its tests only:
//!
//! ```toml
//! [dev-dependencies]
//! plugin-api = { workspace = true, features = ["testing"] }
//! ```
//!
//! and a test reads like this (a plugin counting packets per flow):
//!
//! ```
//! # use plugin_api::{Columns, Ctx, Flow, FlowSlots, Host, Init, Output, Packet, Plugin};
//! # #[derive(Default)] struct N(u64);
//! # struct Counter(FlowSlots<N>);
//! # impl Plugin for Counter {
//! #     fn new(_: Host) -> Self { Counter(FlowSlots::default()) }
//! #     fn columns(&self, c: &mut Columns) { c.add("cntPkts", "Packets", "U64"); }
//! #     fn init(&mut self, init: &Init<'_>) { self.0 = FlowSlots::new(init.capacity()); }
//! #     fn on_new_flow(&mut self, _: Ctx<'_>, _: &Packet<'_>, f: Flow<'_>) { self.0.reset(&f); }
//! #     fn on_layer4(&mut self, _: Ctx<'_>, _: &Packet<'_>, f: Flow<'_>) { self.0.get_mut(&f).0 += 1; }
//! #     fn on_flow_terminate(&mut self, _: Ctx<'_>, f: Flow<'_>, out: &mut Output<'_>) { out.u64(self.0.get(&f).0); }
//! # }
//! use plugin_api::testing::packet::{Ip, L4, Tcp, packet, ts};
//! use plugin_api::testing::Harness;
//! use plugin_api::wire::tcp::flags::SYN;
//!
//! let mut h = Harness::new(Counter::new);
//! let syn = Tcp { sport: 40000, dport: 80, flags: SYN, win: 1024, ..Tcp::default() };
//! let frame = packet(Ip::V4([10, 0, 0, 1], [10, 0, 0, 2]), L4::Tcp(syn)).frame();
//! h.packet(0, ts(1, 0), &frame); // slot 0: the A flow of connection 0
//! h.packet(0, ts(2, 0), &frame);
//! assert_eq!(&h.end(0)["cntPkts"], "2");
//! ```
//!
//! Every value the kit hands out is leaked for the rest of the test process.

mod harness;
mod host;
pub mod packet;
mod row;

pub use harness::{FLOW_TIMEOUT, Harness};
pub use host::{RECORD_CAPACITY, Recorded, TestHost, globals};
pub use row::Row;

use crate::abi::{CoreConfig, Timestamp};
use crate::plugin::{Columns, Init, Plugin, Split};
use crate::types::Column;

/// The columns `plugin` declares; panics on a bad type signature, as the host refuses it.
pub fn columns<P: Plugin>(plugin: &P) -> Vec<Column> {
    let mut c = Columns::default();
    plugin.columns(&mut c);
    if let Some((name, e)) = c.error {
        panic!("column {name}: {e}");
    }
    c.list
}

/// Owned values for an [`Init`]; build one with [`TestInit::init`].
#[derive(Debug, Clone, Default)]
pub struct TestInit {
    /// See [`Init::prefix_os`].
    pub prefix: std::ffi::OsString,
    /// See [`Init::plugin_folder`].
    pub plugin_folder: String,
    /// See [`Init::cmdline`].
    pub cmdline: String,
    /// See [`Init::core_line`].
    pub core_line: String,
    /// See [`Init::hw_info`].
    pub hw_info: String,
    /// See [`Init::sw_info`].
    pub sw_info: String,
    /// See [`Init::headers_extra`].
    pub headers_extra: String,
    /// See [`Init::start_wall`].
    pub start_wall: Timestamp,
    /// See [`Init::start_date`].
    pub start_date: String,
    /// See [`Init::pid`].
    pub pid: u32,
    /// See [`Init::priority`].
    pub priority: i32,
    /// See [`Init::packet_mode`].
    pub packet_mode: bool,
    /// See [`Init::flows_to_stdout`].
    pub flows_to_stdout: bool,
    /// See [`Init::split`].
    pub split: Option<Split>,
    /// See [`Init::columns`].
    pub columns: Vec<Column>,
    /// See [`Init::plugins`].
    pub plugins: Vec<(String, String)>,
    /// See [`Init::pcapd_file`].
    pub pcapd_file: Option<String>,
    /// See [`Init::threads`] (0 is taken as 1).
    pub threads: u32,
}

impl TestInit {
    /// The [`Init`] a plugin would receive with these values.
    pub fn init<'a>(&self, config: &'a CoreConfig) -> Init<'a> {
        Init {
            config,
            prefix: self.prefix.clone(),
            prefix_text: self.prefix.to_string_lossy().into_owned(),
            plugin_folder: self.plugin_folder.clone().into(),
            plugin_folder_text: self.plugin_folder.clone(),
            cmdline: self.cmdline.clone(),
            core_line: self.core_line.clone(),
            hw_info: self.hw_info.clone(),
            sw_info: self.sw_info.clone(),
            headers_extra: self.headers_extra.clone(),
            start_wall: self.start_wall,
            start_date: self.start_date.clone(),
            pid: self.pid,
            priority: self.priority,
            packet_mode: self.packet_mode,
            flows_to_stdout: self.flows_to_stdout,
            split: self.split,
            columns: self.columns.clone(),
            plugins: self.plugins.clone(),
            pcapd_file: self.pcapd_file.clone(),
            threads: self.threads.max(1),
        }
    }
}

/// The core configuration of a default T2 build (sensor 666, dual stack, L2 flows, ns stamps).
pub fn core_config() -> CoreConfig {
    CoreConfig {
        size: size_of::<CoreConfig>() as u32,
        sensor_id: 666,
        capacity: 262_144,
        ipv6_activate: 2,
        eth_activate: 1,
        sctp_activate: 0,
        lapd_activate: 0,
        packet_length: 3,
        tstamp_prec: 1,
        tstamp_utc: 1,
        reltime: 0,
        diff_report: 0,
        machine_report: 0,
        plugin_report: 1,
        verbose: 2,
        pri_hdrdesc: 1,
        anonym_ip: 0,
        subnet_on: 1,
        block_buf: 0,
    }
}
