//! Test doubles so plugin crates can unit-test their [`crate::Plugin`] callbacks in-process:
//! a recording [`Host`], an [`Init`] builder, default [`CoreConfig`] and zeroed [`Globals`].
//!
//! Not part of the ABI; hidden from the docs and meant for `#[cfg(test)]` code only (every
//! value handed out here is leaked for the rest of the process).
#![allow(unsafe_code)]
#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

use core::ffi::c_void;
use std::sync::{Mutex, MutexGuard};

use crate::abi::{
    ABI_MAJOR, ABI_MINOR, CoreConfig, FlowKey, Globals, HDRDESC_LEN, HostApi, NO_FLOW, NO_OFFSET, OutBuf, PacketView,
    RStr, Timestamp, stream,
};
use crate::host::{Host, rstr, rstr_bytes};
use crate::output::Output;
use crate::plugin::{Columns, Init, Plugin, Split};
use crate::report::{Monitor, Report};
use crate::types::Column;

/// What a [`TestHost`] recorded.
#[derive(Debug, Default)]
pub struct Recorded {
    /// `emit` calls: stream, level, message.
    pub lines: Vec<(u32, u32, String)>,
    /// `write` calls: stream, bytes.
    pub written: Vec<(u32, Vec<u8>)>,
    /// `fail` messages.
    pub failures: Vec<String>,
    /// `timeout_add` values.
    pub timeouts: Vec<f32>,
    /// Environment overrides answered by `getenv`.
    pub env: Vec<(String, String)>,
    /// Storage for the last `getenv` answer (valid until the next call).
    getenv_value: Vec<u8>,
    /// Flows `flow_lookup` finds: key and slot.
    pub flows: Vec<(FlowKey, u64)>,
}

/// A host that records every call instead of acting on it.
#[derive(Debug, Clone, Copy)]
pub struct TestHost {
    state: &'static Mutex<Recorded>,
    host: Host,
}

impl Default for TestHost {
    fn default() -> Self {
        TestHost::new()
    }
}

fn state<'a>(ctx: *const c_void) -> MutexGuard<'a, Recorded> {
    // SAFETY: `ctx` is the leaked `Mutex<Recorded>` installed by `TestHost::new`.
    let m = unsafe { &*(ctx as *const Mutex<Recorded>) };
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn text(s: RStr) -> String {
    // SAFETY: the plugin passes a string valid for the duration of the call.
    String::from_utf8_lossy(unsafe { rstr_bytes(s) }).into_owned()
}

unsafe extern "C" fn emit(ctx: *const c_void, stream: u32, level: u32, msg: RStr) {
    state(ctx).lines.push((stream, level, text(msg)));
}

unsafe extern "C" fn write(ctx: *const c_void, stream: u32, data: RStr) {
    // SAFETY: the plugin passes bytes valid for the duration of the call.
    let bytes = unsafe { rstr_bytes(data) }.to_vec();
    state(ctx).written.push((stream, bytes));
}

unsafe extern "C" fn timeout_add(ctx: *const c_void, seconds: f32) {
    state(ctx).timeouts.push(seconds);
}

unsafe extern "C" fn grow(_ctx: *const c_void, _buf: *mut OutBuf, _additional: usize) -> u8 {
    0
}

unsafe extern "C" fn getenv(ctx: *const c_void, name: RStr) -> RStr {
    let name = text(name);
    let mut st = state(ctx);
    let Some(v) = st.env.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone()) else {
        return RStr { ptr: core::ptr::null(), len: 0 };
    };
    st.getenv_value = v.into_bytes();
    // The bytes stay put until the next `getenv` call, as the ABI promises.
    rstr(&st.getenv_value)
}

unsafe extern "C" fn fail(ctx: *const c_void, msg: RStr) {
    state(ctx).failures.push(text(msg));
}

unsafe extern "C" fn flow_lookup(ctx: *const c_void, key: *const FlowKey) -> u64 {
    // SAFETY: the plugin passes a key valid for the duration of the call.
    let key = unsafe { &*key };
    state(ctx).flows.iter().find(|(k, _)| k == key).map_or(NO_FLOW, |&(_, slot)| slot)
}

impl TestHost {
    /// A fresh host with no environment overrides.
    pub fn new() -> TestHost {
        let state: &'static Mutex<Recorded> = Box::leak(Box::new(Mutex::new(Recorded::default())));
        let api: &'static HostApi = Box::leak(Box::new(HostApi {
            abi_major: ABI_MAJOR,
            abi_minor: ABI_MINOR,
            size: size_of::<HostApi>() as u32,
            ctx: state as *const Mutex<Recorded> as *const c_void,
            emit,
            write,
            timeout_add,
            grow,
            getenv,
            fail,
            flow_lookup,
        }));
        // SAFETY: `api` is leaked, so it outlives every plugin instance.
        let host = unsafe { Host::from_raw(api) }.expect("non-null");
        TestHost { state, host }
    }

    /// Adds an environment override answered by `getenv`.
    pub fn set_env(&self, name: &str, value: &str) {
        self.recorded().env.push((name.to_owned(), value.to_owned()));
    }

    /// Makes `flow_lookup` answer `slot` for `key`.
    pub fn add_flow(&self, key: FlowKey, slot: u64) {
        self.recorded().flows.push((key, slot));
    }

    /// The host handle to pass to [`crate::Plugin::new`].
    pub fn host(&self) -> Host {
        self.host
    }

    /// Everything recorded so far.
    pub fn recorded(&self) -> MutexGuard<'_, Recorded> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The `fail` messages recorded so far.
    pub fn failures(&self) -> Vec<String> {
        self.recorded().failures.clone()
    }

    /// Runs `f` (e.g. a plugin's `on_flow_terminate`) with an [`Output`] over an empty record
    /// and returns the bytes it appended. The record holds [`RECORD_CAPACITY`] bytes: this host
    /// cannot grow it.
    pub fn record(&self, f: impl FnOnce(&mut Output<'_>)) -> Vec<u8> {
        let mut v: Vec<u8> = Vec::with_capacity(RECORD_CAPACITY);
        let mut buf = OutBuf { data: v.as_mut_ptr(), len: 0, cap: v.capacity() };
        f(&mut Output::new(&mut buf, self.host));
        // SAFETY: `Output` only appends within `cap`, so the first `buf.len` bytes of `v`'s
        // allocation are initialised.
        unsafe { v.set_len(buf.len) };
        v
    }

    /// A [`Report`] whose lines are recorded as `emit` calls on the log stream.
    pub fn report(&self) -> Report {
        Report::new(self.host, stream::LOG)
    }

    /// A [`Monitor`] writing to the recorded monitoring stream (`diff`: `DIFF_REPORT`).
    pub fn monitor(&self, diff: bool) -> Monitor {
        Monitor::new(self.host, diff)
    }
}

/// The columns `plugin` declares; panics on a bad type signature, as the host refuses it.
pub fn columns<P: Plugin>(plugin: &P) -> Vec<Column> {
    let mut c = Columns::default();
    plugin.columns(&mut c);
    if let Some((name, e)) = c.error {
        panic!("column {name}: {e}");
    }
    c.list
}

/// Capacity of the record [`TestHost::record`] hands out.
pub const RECORD_CAPACITY: usize = 1 << 16;

/// Owned values for an [`Init`]; build one with [`TestInit::init`].
#[derive(Debug, Clone, Default)]
pub struct TestInit {
    /// See [`Init::prefix`].
    pub prefix: String,
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
}

impl TestInit {
    /// The [`Init`] a plugin would receive with these values.
    pub fn init<'a>(&self, config: &'a CoreConfig) -> Init<'a> {
        Init {
            config,
            prefix: self.prefix.clone(),
            plugin_folder: self.plugin_folder.clone(),
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

/// All-zero core counters with null per-Ethertype tables (wrap with [`crate::Ctx::new`]).
pub fn globals() -> Box<Globals> {
    // SAFETY: every field of `Globals` (integers, `Cell<u64>`, `Timestamp`, arrays of
    // integers, raw pointers) is valid when all bits are zero.
    Box::new(unsafe { core::mem::zeroed::<Globals>() })
}

/// A view of `data` as a packet without any header the core recognised: every offset
/// [`NO_OFFSET`], every length the captured length, time 1 s. Tests set the fields their
/// packets need with struct update syntax.
pub fn view(data: &[u8]) -> PacketView {
    let n = data.len() as u32;
    PacketView {
        raw: data.as_ptr(),
        ts: Timestamp { sec: 1, frac: 0 },
        status: 0,
        pad_len: 0,
        raw_len: n,
        snap_len: n,
        l2_off: NO_OFFSET,
        l3_off: NO_OFFSET,
        l4_off: NO_OFFSET,
        l7_off: NO_OFFSET,
        llc_off: NO_OFFSET,
        ppp_off: NO_OFFSET,
        pppoe_off: NO_OFFSET,
        mpls_off: NO_OFFSET,
        vlan_off: NO_OFFSET,
        gre_off: NO_OFFSET,
        gre_l3_off: NO_OFFSET,
        gtp_off: NO_OFFSET,
        l2tp_off: NO_OFFSET,
        l2tp_l3_off: NO_OFFSET,
        ip6_hhopt_off: NO_OFFSET,
        ip6_dopt_off: NO_OFFSET,
        ip6_frag_off: NO_OFFSET,
        ip6_route_off: NO_OFFSET,
        trdo_oi_off: NO_OFFSET,
        trdo_auth_off: NO_OFFSET,
        l2_len: n,
        l3_len: 0,
        len: 0,
        snap_l2_len: n,
        snap_l3_len: 0,
        snap_l4_len: 0,
        snap_l7_len: 0,
        l7_len: 0,
        l2_hdr_len: 0,
        l3_hdr_len: 0,
        l4_hdr_len: 0,
        src_ip: [0; 16],
        dst_ip: [0; 16],
        vlan_id: 0,
        src_port: 0,
        dst_port: 0,
        eth_type: 0,
        outer_eth_type: 0,
        l3_proto: 0,
        num_hdr_desc: 0,
        hdr_desc_len: 0,
        hdr_desc: [0; HDRDESC_LEN],
        l4_proto: 0,
        mpls_hdr_cnt: 0,
        vlan_hdr_cnt: 0,
        pad: [0; 5],
    }
}
