//! [UNSAFE] Calls across the plugin ABI: invoking vtable callbacks, the host functions plugins
//! call back into, and the record buffer plugins write into.
//!
//! Why sound: a plugin is trusted to follow the ABI it declared (version and size checked at
//! load time). Every pointer handed to it points to memory that stays valid and unaliased by
//! Rust references for the duration of the call; everything plugins may change through shared
//! references is in `Cell`s.
#![allow(unsafe_code)]
#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

use core::ffi::c_void;

use plugin_api::abi::{
    self, CallCtx, CallStatus, ColumnDesc, FlowKey, FlowRecord, Globals, HostApi, InitCtx, Instance, OutBuf,
    PacketView, PluginVTable, RStr, stream,
};

use super::HostCtx;
use super::loader::{CheckedVTable, text};
use crate::flow::table::FlowTable;

/// `RStr` of a Rust string slice.
pub(super) fn rstr(s: &[u8]) -> RStr {
    RStr { ptr: s.as_ptr(), len: s.len() }
}

/// The per-call context.
pub(super) fn call_ctx(g: &Globals, flows: &[FlowRecord]) -> CallCtx {
    CallCtx { globals: g, flows: flows.as_ptr(), num_flows: flows.len() }
}

/// Creates a plugin instance.
pub(super) fn create(vt: &CheckedVTable, host: &'static HostApi) -> Instance {
    // SAFETY: `create` comes from a checked vtable (non-null); `host` lives forever.
    unsafe { (vt.table().create)(host) }
}

/// The message of the last panic of `inst` (null `inst`: of `create`).
pub(super) fn last_panic(vt: &CheckedVTable, inst: Instance) -> String {
    // SAFETY: `last_panic` is a checked vtable function; it returns a string it owns that stays
    // valid until its next call, and we copy it immediately.
    unsafe { text((vt.table().last_panic)(inst)) }
}

/// The plugin's column descriptors, copied as (name, description, signature).
pub(super) fn columns(vt: &CheckedVTable, inst: Instance) -> Result<Vec<(String, String, String)>, ()> {
    let Some(f) = vt.table().columns else { return Ok(Vec::new()) };
    let mut ptr: *const ColumnDesc = core::ptr::null();
    let mut n = 0usize;
    // SAFETY: checked vtable function; the out-pointers are valid locals.
    let status = unsafe { f(inst, &mut ptr, &mut n) };
    if status != CallStatus::OK {
        return Err(());
    }
    if ptr.is_null() || n == 0 {
        return Ok(Vec::new());
    }
    // SAFETY: the plugin returns `n` descriptors it keeps alive for its lifetime.
    let descs = unsafe { core::slice::from_raw_parts(ptr, n) };
    // SAFETY: each string points into the plugin's own storage (see above).
    Ok(descs.iter().map(|d| unsafe { (text(d.name), text(d.desc), text(d.sig)) }).collect())
}

/// `init`.
pub(super) fn init(vt: &CheckedVTable, inst: Instance, ic: &InitCtx) -> CallStatus {
    match vt.table().init {
        // SAFETY: checked vtable function; `ic` and everything it points to outlive the call.
        Some(f) => unsafe { f(inst, ic) },
        None => CallStatus::OK,
    }
}

/// `on_new_flow`, `on_layer2` or `on_layer4`, as `pick` selects (absent callback: nothing to do).
#[inline]
pub(super) fn packet(
    vt: &CheckedVTable,
    pick: fn(&PluginVTable) -> abi::PacketFn,
    inst: Instance,
    ctx: &CallCtx,
    pv: &PacketView,
    flow: u64,
) -> CallStatus {
    match pick(vt.table()) {
        // SAFETY: checked vtable function; `ctx` and `pv` (and the bytes `pv.raw` points to) are
        // valid for the call.
        Some(f) => unsafe { f(inst, ctx, pv, flow) },
        None => CallStatus::OK,
    }
}

/// `on_flow_terminate`.
pub(super) fn terminate(vt: &CheckedVTable, inst: Instance, ctx: &CallCtx, flow: u64, buf: &mut OutBuf) -> CallStatus {
    match vt.table().on_flow_terminate {
        // SAFETY: checked vtable function; `buf` describes the host's record buffer (see RecordBuf).
        Some(f) => unsafe { f(inst, ctx, flow, buf) },
        None => CallStatus::OK,
    }
}

/// `report` or `finalize`, as `pick` selects.
pub(super) fn run(
    vt: &CheckedVTable,
    pick: fn(&PluginVTable) -> abi::RunFn,
    inst: Instance,
    ctx: &CallCtx,
) -> CallStatus {
    match pick(vt.table()) {
        // SAFETY: checked vtable function with a valid context.
        Some(f) => unsafe { f(inst, ctx) },
        None => CallStatus::OK,
    }
}

/// `monitoring`.
pub(super) fn monitor(vt: &CheckedVTable, inst: Instance, ctx: &CallCtx, state: u32) -> CallStatus {
    match vt.table().monitoring {
        // SAFETY: checked vtable function with a valid context.
        Some(f) => unsafe { f(inst, ctx, state) },
        None => CallStatus::OK,
    }
}

/// `buffer_to_sink`.
pub(super) fn sink(vt: &CheckedVTable, inst: Instance, ctx: &CallCtx, rec: &[u8]) -> CallStatus {
    match vt.table().buffer_to_sink {
        // SAFETY: checked vtable function; `rec` is valid for the call.
        Some(f) => unsafe { f(inst, ctx, rec.as_ptr(), rec.len()) },
        None => CallStatus::OK,
    }
}

/// The flow record under construction, shared with plugins as an [`OutBuf`].
///
/// Between [`RecordBuf::begin`] and [`RecordBuf::finish`] the bytes belong to the `OutBuf`;
/// the host's `grow` function is the only other code touching the vector meanwhile.
pub(super) struct RecordBuf;

impl RecordBuf {
    /// Starts a record in `v` with the direction and flow index.
    pub(super) fn begin(v: &mut Vec<u8>, dir: u8, findex: u64) -> OutBuf {
        v.clear();
        v.push(dir);
        v.extend_from_slice(&findex.to_ne_bytes());
        OutBuf { data: v.as_mut_ptr(), len: v.len(), cap: v.capacity() }
    }

    /// Takes back the bytes plugins appended.
    pub(super) fn finish(v: &mut Vec<u8>, buf: &OutBuf) {
        debug_assert!(buf.len <= v.capacity());
        // SAFETY: `buf.data` is `v`'s allocation (refreshed by `grow`), and the first
        // `buf.len` bytes were written (by us, or by plugins through `append`).
        unsafe { v.set_len(buf.len.min(v.capacity())) };
    }

    /// Appends host-made bytes (default values of a failed plugin).
    pub(super) fn append(v: &mut Vec<u8>, buf: &mut OutBuf, bytes: &[u8]) {
        Self::finish(v, buf);
        v.extend_from_slice(bytes);
        *buf = OutBuf { data: v.as_mut_ptr(), len: v.len(), cap: v.capacity() };
    }
}

/// # Safety
/// `ctx` must be a `*const HostCtx` made by [`host_api`].
unsafe fn host<'a>(ctx: *const c_void) -> &'a HostCtx {
    // SAFETY: guaranteed by the caller; HostCtx values are leaked, so they live forever.
    unsafe { &*(ctx as *const HostCtx) }
}

unsafe extern "C" fn host_emit(ctx: *const c_void, strm: u32, lvl: u32, msg: RStr) {
    // SAFETY: the host table passes back its own ctx; the message is valid for the call.
    let (h, msg) = unsafe { (host(ctx), text(msg)) };
    if strm == stream::ERR || lvl == abi::level::ERROR {
        crate::log::plugin_error(&h.name, &msg);
    } else {
        h.shared.emit(strm, &h.name, lvl, &msg);
    }
}

unsafe extern "C" fn host_write(ctx: *const c_void, strm: u32, data: RStr) {
    // SAFETY: as in `host_emit`; the bytes are valid for the call.
    let (h, data) = unsafe { (host(ctx), plugin_api::host::rstr_bytes(data)) };
    h.shared.write(strm, data);
}

unsafe extern "C" fn host_timeout_add(ctx: *const c_void, seconds: f32) {
    // SAFETY: the host table passes back its own ctx.
    let h = unsafe { host(ctx) };
    h.shared.timeouts.borrow_mut().push(seconds);
}

unsafe extern "C" fn host_grow(ctx: *const c_void, buf: *mut OutBuf, additional: usize) -> u8 {
    // SAFETY: the host table passes back its own ctx; `buf` is the OutBuf we handed out.
    let (h, buf) = unsafe { (host(ctx), &mut *buf) };
    let Ok(mut v) = h.shared.record.try_borrow_mut() else { return 0 };
    RecordBuf::finish(&mut v, buf);
    if !h.shared.grow_record(&mut v, additional) {
        return 0;
    }
    *buf = OutBuf { data: v.as_mut_ptr(), len: v.len(), cap: v.capacity() };
    1
}

unsafe extern "C" fn host_getenv(ctx: *const c_void, name: RStr) -> RStr {
    // SAFETY: the host table passes back its own ctx; the name is valid for the call.
    let (h, name) = unsafe { (host(ctx), text(name)) };
    match h.shared.getenv(&name) {
        Some(v) => {
            let mut slot = h.env_value.borrow_mut();
            *slot = v;
            // The string stays put until the next getenv call of this plugin.
            rstr(slot.as_bytes())
        }
        None => RStr { ptr: core::ptr::null(), len: 0 },
    }
}

unsafe extern "C" fn host_fail(ctx: *const c_void, msg: RStr) {
    // SAFETY: as in `host_emit`.
    let (h, msg) = unsafe { (host(ctx), text(msg)) };
    crate::log::plugin_error(&h.name, &msg);
    h.shared.fatal.set(true);
}

unsafe extern "C" fn host_flow_lookup(ctx: *const c_void, key: *const FlowKey) -> u64 {
    // SAFETY: the host table passes back its own ctx; the key is valid for the call.
    let (h, key) = unsafe { (host(ctx), &*key) };
    let table: *const FlowTable = h.shared.table.get();
    if table.is_null() {
        return abi::NO_FLOW;
    }
    // SAFETY: a packet round publishes the table only while its caller holds a shared borrow of
    // it (`PluginSet::table_round`), and plugins change records through `Cell`s only.
    let table = unsafe { &*table };
    table.lookup(key).map_or(abi::NO_FLOW, u64::from)
}

/// The host table for one plugin (leaked: plugins may keep it for the whole run).
pub(super) fn host_api(ctx: &'static HostCtx) -> &'static HostApi {
    Box::leak(Box::new(HostApi {
        abi_major: abi::ABI_MAJOR,
        abi_minor: abi::ABI_MINOR,
        size: size_of::<HostApi>() as u32,
        ctx: ctx as *const HostCtx as *const c_void,
        emit: host_emit,
        write: host_write,
        timeout_add: host_timeout_add,
        grow: host_grow,
        getenv: host_getenv,
        fail: host_fail,
        flow_lookup: host_flow_lookup,
    }))
}
