//! The test host: a [`HostApi`] whose functions record every call instead of acting on it, the
//! record buffer it hands to `on_flow_terminate`, and zeroed core counters.
//!
//! The only `unsafe` of the testing kit lives here: the host functions are `extern "C"` (the
//! plugin calls them through the ABI table) and read what the plugin passes; every value handed
//! out is leaked for the rest of the process, so the pointers stay valid.
#![allow(unsafe_code)]
#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

use core::ffi::c_void;
use std::sync::{Mutex, MutexGuard};

use crate::abi::{ABI_MAJOR, ABI_MINOR, FlowKey, Globals, HostApi, NO_FLOW, OutBuf, RStr, stream};
use crate::host::{Host, rstr, rstr_bytes};
use crate::record::Output;
use crate::report::{Monitor, Report};

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
        f(&mut Output::for_host(&mut buf, self.host));
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

/// Capacity of the record [`TestHost::record`] hands out.
pub const RECORD_CAPACITY: usize = 1 << 16;

/// All-zero core counters with null per-Ethertype tables (wrap with [`crate::Ctx::new`]).
pub fn globals() -> Box<Globals> {
    // SAFETY: every field of `Globals` (integers, `Cell<u64>`, `Timestamp`, arrays of
    // integers, raw pointers) is valid when all bits are zero.
    Box::new(unsafe { core::mem::zeroed::<Globals>() })
}
