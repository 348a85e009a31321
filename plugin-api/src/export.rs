//! The `extern "C"` shims behind [`crate::export_plugin!`]: raw pointers in, safe calls out,
//! and a panic boundary around every call (a panic must never unwind into the host).
#![allow(unsafe_code)]
#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;

use crate::abi::{
    self, CallCtx, CallStatus, ColumnDesc, FlowRecord, HostApi, InitCtx, Instance, OutBuf, PacketView, PluginVTable,
    RStr, mon_state, stream,
};
use crate::flow::{Ctx, EtherTypeCounts};
use crate::host::{Host, rstr, rstr_bytes};
use crate::packet::Packet;
use crate::plugin::{Columns, Init, Plugin, Split};
use crate::record::Output;
use crate::report::{MonState, Monitor, Report};

thread_local! {
    /// Message of the last panic on this thread, filled by our panic hook.
    static LAST_PANIC: RefCell<String> = const { RefCell::new(String::new()) };
}

static HOOK: Once = Once::new();

/// Replaces this library's panic hook: record the message instead of printing it, so the
/// host reports the panic as one clean error line.
fn install_hook() {
    HOOK.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let payload = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic payload".to_owned());
            let msg = match info.location() {
                Some(l) => format!("{payload} ({}:{})", l.file(), l.line()),
                None => payload,
            };
            LAST_PANIC.with(|p| *p.borrow_mut() = msg);
        }));
    });
}

/// A plugin instance as the host holds it.
struct Wrapper<P> {
    plugin: P,
    host: Host,
    columns: Vec<ColumnDesc>,
    /// Owns the strings `columns` points to.
    column_text: Vec<(String, String, String)>,
    panic: String,
    /// Whether `DIFF_REPORT` is on (from init).
    diff: bool,
}

/// Message of a panic during `create` (there is no instance to store it in yet).
static CREATE_PANIC: std::sync::Mutex<String> = std::sync::Mutex::new(String::new());

fn guard<P>(w: &mut Wrapper<P>, f: impl FnOnce(&mut Wrapper<P>)) -> CallStatus {
    match catch_unwind(AssertUnwindSafe(|| f(w))) {
        Ok(()) => CallStatus::OK,
        Err(_) => {
            w.panic = LAST_PANIC.with(|p| std::mem::take(&mut *p.borrow_mut()));
            CallStatus::PANICKED
        }
    }
}

/// # Safety
/// `inst` must come from [`create`] for the same `P` and not be in use by another call.
unsafe fn wrapper<'a, P>(inst: Instance) -> &'a mut Wrapper<P> {
    // SAFETY: guaranteed by the caller; the host calls a plugin from one thread only.
    unsafe { &mut *(inst as *mut Wrapper<P>) }
}

/// # Safety
/// `ctx` must point to a valid [`CallCtx`] whose pointers are valid for `'a`.
unsafe fn call_ctx<'a>(ctx: *const CallCtx) -> Ctx<'a> {
    // SAFETY: the host passes a valid context for the duration of the call.
    let c = unsafe { &*ctx };
    // SAFETY: `globals` points to the host's counters, valid during the call.
    let globals = unsafe { &*c.globals };
    let flows: &[FlowRecord] = if c.flows.is_null() {
        &[]
    } else {
        // SAFETY: `flows` points to `num_flows` initialised records, valid during the call.
        unsafe { std::slice::from_raw_parts(c.flows, c.num_flows) }
    };
    // SAFETY: the per-EtherType tables of the host's counters are null or 65536 counters each,
    // valid during the call.
    let (pkts, bytes) = unsafe { (ethertype_table(globals.pkts_l2), ethertype_table(globals.bytes_l2)) };
    Ctx::new(globals, flows).with_ethertypes(EtherTypeCounts::new(pkts, bytes))
}

/// # Safety
/// `p` must be null or point to 65536 counters valid for `'a`.
unsafe fn ethertype_table<'a>(p: *const u64) -> &'a [u64] {
    if p.is_null() {
        return &[];
    }
    // SAFETY: guaranteed by the caller.
    unsafe { std::slice::from_raw_parts(p, 1 << 16) }
}

/// # Safety
/// `pkt` must point to a valid [`PacketView`] whose `raw` holds `snap_len` bytes.
unsafe fn packet<'a>(pkt: *const PacketView) -> Packet<'a> {
    // SAFETY: the host passes a valid view for the duration of the call.
    let v = unsafe { &*pkt };
    let data = if v.raw.is_null() {
        &[][..]
    } else {
        // SAFETY: `raw` points to `snap_len` captured bytes (see the ABI contract).
        unsafe { std::slice::from_raw_parts(v.raw, v.snap_len as usize) }
    };
    Packet::new(v, data)
}

fn text(s: RStr) -> String {
    // SAFETY: the host passes strings valid for the duration of `init`.
    String::from_utf8_lossy(unsafe { rstr_bytes(s) }).into_owned()
}

/// A file name the host passes, byte for byte.
fn name(s: RStr) -> std::ffi::OsString {
    use std::os::unix::ffi::OsStrExt;
    // SAFETY: the host passes strings valid for the duration of `init`.
    std::ffi::OsStr::from_bytes(unsafe { rstr_bytes(s) }).to_owned()
}

unsafe extern "C" fn create<P: Plugin>(host: *const HostApi) -> Instance {
    install_hook();
    // SAFETY: the host passes its table, which lives until the process exits.
    let Some(host) = (unsafe { Host::from_raw(host) }) else {
        return std::ptr::null_mut();
    };
    match catch_unwind(|| P::new(host)) {
        Ok(plugin) => {
            let w = Wrapper {
                plugin,
                host,
                columns: Vec::new(),
                column_text: Vec::new(),
                panic: String::new(),
                diff: false,
            };
            Box::into_raw(Box::new(w)) as Instance
        }
        Err(_) => {
            let msg = LAST_PANIC.with(|p| std::mem::take(&mut *p.borrow_mut()));
            *CREATE_PANIC.lock().unwrap_or_else(|e| e.into_inner()) = msg;
            std::ptr::null_mut()
        }
    }
}

unsafe extern "C" fn last_panic<P: Plugin>(inst: Instance) -> RStr {
    if inst.is_null() {
        let guard = CREATE_PANIC.lock().unwrap_or_else(|e| e.into_inner());
        // The message stays in the static until the next failed create (never, in practice).
        return rstr(guard.as_bytes());
    }
    // SAFETY: `inst` comes from `create::<P>`.
    let w = unsafe { wrapper::<P>(inst) };
    rstr(w.panic.as_bytes())
}

unsafe extern "C" fn columns<P: Plugin>(inst: Instance, out: *mut *const ColumnDesc, n: *mut usize) -> CallStatus {
    // SAFETY: `inst` comes from `create::<P>`.
    let w = unsafe { wrapper::<P>(inst) };
    let status = guard(w, |w| {
        let mut cols = Columns::default();
        w.plugin.columns(&mut cols);
        if let Some((name, err)) = cols.error {
            panic!("column '{name}': {err}");
        }
        w.column_text = cols.list.iter().map(|c| (c.name.clone(), c.desc.clone(), c.signature())).collect();
        w.columns = w
            .column_text
            .iter()
            .map(|(n, d, s)| ColumnDesc { name: rstr(n.as_bytes()), desc: rstr(d.as_bytes()), sig: rstr(s.as_bytes()) })
            .collect();
    });
    // SAFETY: the host passes valid out-pointers.
    unsafe {
        *out = w.columns.as_ptr();
        *n = w.columns.len();
    }
    status
}

unsafe extern "C" fn init<P: Plugin>(inst: Instance, init: *const InitCtx) -> CallStatus {
    // SAFETY: `inst` comes from `create::<P>`.
    let w = unsafe { wrapper::<P>(inst) };
    // SAFETY: the host passes a valid init context for the duration of the call.
    let ic = unsafe { &*init };
    // SAFETY: `config` points to the host's configuration, valid during the call.
    let config = unsafe { &*ic.config };
    let descs: &[ColumnDesc] = if ic.columns.is_null() {
        &[]
    } else {
        // SAFETY: `columns` points to `num_columns` descriptors valid during the call.
        unsafe { std::slice::from_raw_parts(ic.columns, ic.num_columns) }
    };
    let ids: &[abi::PluginId] = if ic.plugins.is_null() {
        &[]
    } else {
        // SAFETY: `plugins` points to `num_plugins` entries valid during the call.
        unsafe { std::slice::from_raw_parts(ic.plugins, ic.num_plugins) }
    };
    w.diff = config.diff_report != 0;
    // appended in ABI 1.1: a 1.0 host's struct ends before it
    let has_pcapd = ic.size as usize >= core::mem::offset_of!(InitCtx, pcapd_file) + size_of::<RStr>();
    let pcapd_file = if has_pcapd { text(ic.pcapd_file) } else { String::new() };
    // appended in ABI 1.3: an older host runs everything on one thread
    let has_threads = ic.size as usize >= core::mem::offset_of!(InitCtx, threads) + size_of::<u32>();
    let threads = if has_threads { ic.threads.max(1) } else { 1 };
    guard(w, |w| {
        let columns = descs
            .iter()
            .map(|d| {
                crate::types::Column::parse(&text(d.name), &text(d.desc), &text(d.sig))
                    .unwrap_or_else(|e| panic!("host column '{}': {e}", text(d.name)))
            })
            .collect();
        let i = Init {
            config,
            prefix: name(ic.prefix),
            prefix_text: text(ic.prefix),
            plugin_folder: name(ic.plugin_folder),
            plugin_folder_text: text(ic.plugin_folder),
            cmdline: text(ic.cmdline),
            core_line: text(ic.core_line),
            hw_info: text(ic.hw_info),
            sw_info: text(ic.sw_info),
            headers_extra: text(ic.headers_extra),
            start_wall: ic.start_wall,
            start_date: text(ic.start_date),
            pid: ic.pid,
            priority: ic.priority,
            packet_mode: ic.packet_mode != 0,
            flows_to_stdout: ic.flows_to_stdout != 0,
            split: (ic.split != 0).then_some(Split {
                size: ic.split_size,
                by_flows: ic.split_by_flows != 0,
                start: ic.split_start,
            }),
            columns,
            plugins: ids.iter().map(|p| (text(p.name), text(p.version))).collect(),
            pcapd_file: Some(pcapd_file).filter(|f| !f.is_empty()),
            threads,
        };
        w.plugin.init(&i);
    })
}

macro_rules! packet_shim {
    ($name:ident, |$w:ident, $ctx:ident, $pkt:ident, $flow:ident| $body:expr) => {
        unsafe extern "C" fn $name<P: Plugin>(
            inst: Instance,
            ctx: *const CallCtx,
            pkt: *const PacketView,
            flow: u64,
        ) -> CallStatus {
            // SAFETY: `inst` comes from `create::<P>`.
            let w = unsafe { wrapper::<P>(inst) };
            // SAFETY: the host passes a valid context for the duration of the call.
            let $ctx = unsafe { call_ctx(ctx) };
            // SAFETY: the host passes a valid packet for the duration of the call.
            let $pkt = unsafe { packet(pkt) };
            let $flow = flow;
            guard(w, |$w| $body)
        }
    };
}

packet_shim!(on_new_flow, |w, ctx, pkt, flow| {
    if let Some(f) = ctx.flow(flow) {
        w.plugin.on_new_flow(ctx, &pkt, f)
    }
});
packet_shim!(on_layer2, |w, ctx, pkt, flow| w.plugin.on_layer2(ctx, &pkt, ctx.flow(flow)));
packet_shim!(on_layer4, |w, ctx, pkt, flow| {
    if let Some(f) = ctx.flow(flow) {
        w.plugin.on_layer4(ctx, &pkt, f)
    }
});

unsafe extern "C" fn on_flow_terminate<P: Plugin>(
    inst: Instance,
    ctx: *const CallCtx,
    flow: u64,
    buf: *mut OutBuf,
) -> CallStatus {
    // SAFETY: `inst` comes from `create::<P>`.
    let w = unsafe { wrapper::<P>(inst) };
    // SAFETY: the host passes a valid context for the duration of the call.
    let ctx = unsafe { call_ctx(ctx) };
    // SAFETY: the host passes its output buffer, exclusively ours during the call.
    let buf = unsafe { &mut *buf };
    let host = w.host;
    guard(w, |w| {
        if let Some(f) = ctx.flow(flow) {
            let mut out = Output::for_host(buf, host);
            w.plugin.on_flow_terminate(ctx, f, &mut out);
        }
    })
}

unsafe extern "C" fn report<P: Plugin>(inst: Instance, ctx: *const CallCtx) -> CallStatus {
    // SAFETY: `inst` comes from `create::<P>`.
    let w = unsafe { wrapper::<P>(inst) };
    // SAFETY: the host passes a valid context for the duration of the call.
    let ctx = unsafe { call_ctx(ctx) };
    let r = Report::new(w.host, stream::LOG);
    guard(w, |w| w.plugin.report(ctx, &r))
}

unsafe extern "C" fn monitoring<P: Plugin>(inst: Instance, ctx: *const CallCtx, state: u32) -> CallStatus {
    // SAFETY: `inst` comes from `create::<P>`.
    let w = unsafe { wrapper::<P>(inst) };
    // SAFETY: the host passes a valid context for the duration of the call.
    let ctx = unsafe { call_ctx(ctx) };
    let state = match state {
        mon_state::HEADER => MonState::Header,
        mon_state::VALUES => MonState::Values,
        _ => MonState::Report,
    };
    let m = Monitor::new(w.host, w.diff);
    guard(w, |w| w.plugin.monitoring(ctx, &m, state))
}

unsafe extern "C" fn finalize<P: Plugin>(inst: Instance, ctx: *const CallCtx) -> CallStatus {
    // SAFETY: `inst` comes from `create::<P>`.
    let w = unsafe { wrapper::<P>(inst) };
    // SAFETY: the host passes a valid context for the duration of the call.
    let ctx = unsafe { call_ctx(ctx) };
    guard(w, |w| w.plugin.finalize(ctx))
}

unsafe extern "C" fn buffer_to_sink<P: Plugin>(
    inst: Instance,
    ctx: *const CallCtx,
    rec: *const u8,
    len: usize,
) -> CallStatus {
    // SAFETY: `inst` comes from `create::<P>`.
    let w = unsafe { wrapper::<P>(inst) };
    // SAFETY: the host passes a valid context for the duration of the call.
    let ctx = unsafe { call_ctx(ctx) };
    // SAFETY: the host passes `len` record bytes valid during the call.
    let record = unsafe { rstr_bytes(RStr { ptr: rec, len }) };
    guard(w, |w| w.plugin.buffer_to_sink(ctx, record))
}

/// The vtable of a plugin type, placed in a `static` by [`crate::export_plugin!`].
#[derive(Debug)]
pub struct StaticVTable(PluginVTable);

// SAFETY: the table is immutable and only holds pointers to `'static` strings and functions.
unsafe impl Sync for StaticVTable {}

impl StaticVTable {
    /// Builds the table of `P` with its identity.
    pub const fn new<P: Plugin>(
        name: &'static str,
        version: &'static str,
        number: &'static str,
        dependencies: &'static str,
    ) -> StaticVTable {
        StaticVTable(PluginVTable {
            abi_major: abi::ABI_MAJOR,
            abi_minor: abi::ABI_MINOR,
            size: size_of::<PluginVTable>() as u32,
            name: RStr { ptr: name.as_ptr(), len: name.len() },
            version: RStr { ptr: version.as_ptr(), len: version.len() },
            number: parse_number(number),
            t2_major: abi::T2_VERSION_MAJOR,
            t2_minor: abi::T2_VERSION_MINOR,
            dependencies: RStr { ptr: dependencies.as_ptr(), len: dependencies.len() },
            create: create::<P>,
            last_panic: last_panic::<P>,
            columns: Some(columns::<P>),
            init: Some(init::<P>),
            on_new_flow: Some(on_new_flow::<P>),
            on_layer2: Some(on_layer2::<P>),
            on_layer4: Some(on_layer4::<P>),
            on_flow_terminate: Some(on_flow_terminate::<P>),
            report: Some(report::<P>),
            monitoring: Some(monitoring::<P>),
            finalize: Some(finalize::<P>),
            buffer_to_sink: Some(buffer_to_sink::<P>),
        })
    }

    /// Pointer handed to the host.
    pub const fn as_ptr(&'static self) -> *const PluginVTable {
        &self.0
    }
}

/// Decimal digits to a number at compile time (`"009"` → 9; no C base auto-detection).
pub const fn parse_number(s: &str) -> u32 {
    let b = s.as_bytes();
    let mut i = 0;
    let mut n = 0u32;
    while i < b.len() {
        assert!(b[i].is_ascii_digit(), "plugin number must be decimal digits");
        n = n * 10 + (b[i] - b'0') as u32;
        i += 1;
    }
    n
}

/// Exports a [`Plugin`] type as a loadable Tranalyzer plugin.
///
/// Name and version are the crate's package name and version; number and dependencies come
/// from `[package.metadata.t2]` through the build script (`plugin_api::build::plugin()`).
///
/// ```text
/// struct Hello;
/// impl plugin_api::Plugin for Hello { /* ... */ }
/// plugin_api::export_plugin!(Hello);
/// ```
#[macro_export]
macro_rules! export_plugin {
    ($plugin:ty) => {
        /// Entry point the Tranalyzer core looks up (see `plugin_api::abi::ENTRY_SYMBOL`).
        #[unsafe(no_mangle)]
        pub extern "C" fn rt2_plugin_entry() -> *const $crate::abi::PluginVTable {
            static VTABLE: $crate::export::StaticVTable = $crate::export::StaticVTable::new::<$plugin>(
                env!("CARGO_PKG_NAME"),
                env!("CARGO_PKG_VERSION"),
                env!("T2_PLUGIN_NUMBER"),
                env!("T2_PLUGIN_DEPENDENCIES"),
            );
            VTABLE.as_ptr()
        }
    };
}
