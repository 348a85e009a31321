//! Calls from a plugin into the host ([`HostApi`]), behind safe methods.
#![allow(unsafe_code)]
#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

use crate::abi::{FlowKey, HostApi, NO_FLOW, OutBuf, RStr, level, stream};

/// The host as a plugin sees it: logging, raw stream output, timeout registration.
#[derive(Debug, Clone, Copy)]
pub struct Host {
    api: &'static HostApi,
}

impl Host {
    /// Wraps the table the host passed to `create`.
    ///
    /// # Safety
    /// `api` must point to a valid [`HostApi`] that outlives the plugin instance (the host
    /// keeps it alive until the process exits).
    pub unsafe fn from_raw(api: *const HostApi) -> Option<Host> {
        // SAFETY: the caller guarantees `api` is null or valid for the rest of the process.
        unsafe { api.as_ref() }.map(|api| Host { api })
    }

    /// Writes one line of kind `lvl` (see [`level`]) to `strm` (see [`stream`]).
    pub fn emit(&self, strm: u32, lvl: u32, msg: &str) {
        // SAFETY: `emit` is a valid host function; the message outlives the call.
        unsafe { (self.api.emit)(self.api.ctx, strm, lvl, rstr(msg.as_bytes())) }
    }

    /// Writes raw bytes to `strm`.
    pub fn write(&self, strm: u32, data: &[u8]) {
        // SAFETY: `write` is a valid host function; the data outlives the call.
        unsafe { (self.api.write)(self.api.ctx, strm, rstr(data)) }
    }

    /// Logs an informational line (`[INF] <plugin>: msg`) to the log stream.
    pub fn info(&self, msg: &str) {
        self.emit(stream::LOG, level::INFO, msg);
    }

    /// Logs a warning (`[WRN] <plugin>: msg`) to the log stream.
    pub fn warn(&self, msg: &str) {
        self.emit(stream::LOG, level::WARN, msg);
    }

    /// Logs an error (`[ERR] <plugin>: msg`) to stderr.
    pub fn error(&self, msg: &str) {
        self.emit(stream::ERR, level::ERROR, msg);
    }

    /// Reports a fatal error: the host stops the run after this callback and exits with 1.
    pub fn fail(&self, msg: &str) {
        // SAFETY: `fail` is a valid host function; the message outlives the call.
        unsafe { (self.api.fail)(self.api.ctx, rstr(msg.as_bytes())) }
    }

    /// Registers a flow timeout value (T2's `timeout_handler_add`); call it from `init`.
    pub fn timeout_add(&self, seconds: f32) {
        // SAFETY: `timeout_add` is a valid host function.
        unsafe { (self.api.timeout_add)(self.api.ctx, seconds) }
    }

    /// The value of the environment override `name` (T2's `ENVCNTRL` runtime parameters).
    pub fn getenv(&self, name: &str) -> Option<String> {
        // SAFETY: `getenv` is a valid host function; the returned string stays valid until
        // the next call, and is copied immediately.
        let v = unsafe { (self.api.getenv)(self.api.ctx, rstr(name.as_bytes())) };
        if v.ptr.is_null() {
            return None;
        }
        // SAFETY: the host returns a pointer to `len` initialised bytes (see above).
        let bytes = unsafe { core::slice::from_raw_parts(v.ptr, v.len) };
        Some(String::from_utf8_lossy(bytes).into_owned())
    }

    /// The slot of the live flow whose key is `key` (T2's `hashTable_lookup`), for
    /// [`crate::Ctx::flow`]; `None` when there is none, outside packet callbacks, or when the
    /// host predates ABI 1.2.
    pub fn flow_lookup(&self, key: &FlowKey) -> Option<u64> {
        let end = core::mem::offset_of!(HostApi, flow_lookup) + size_of::<usize>();
        if (self.api.size as usize) < end {
            return None;
        }
        // SAFETY: the host's table is large enough to hold `flow_lookup` (checked above), which
        // is a valid host function; the key outlives the call.
        let slot = unsafe { (self.api.flow_lookup)(self.api.ctx, key) };
        (slot != NO_FLOW).then_some(slot)
    }

    /// Asks the host to make room for `additional` bytes in `buf`.
    pub(crate) fn grow(&self, buf: &mut OutBuf, additional: usize) -> bool {
        // SAFETY: `grow` is a valid host function and `buf` is the host's own buffer.
        unsafe { (self.api.grow)(self.api.ctx, buf, additional) != 0 }
    }
}

/// Borrows bytes as an [`RStr`].
pub(crate) fn rstr(b: &[u8]) -> RStr {
    RStr { ptr: b.as_ptr(), len: b.len() }
}

/// Reads an [`RStr`] handed over by the other side.
///
/// # Safety
/// `s.ptr` must point to `s.len` initialised bytes that stay valid for `'a` (or `len` is 0).
pub unsafe fn rstr_bytes<'a>(s: RStr) -> &'a [u8] {
    if s.ptr.is_null() || s.len == 0 {
        return &[];
    }
    // SAFETY: guaranteed by the caller.
    unsafe { core::slice::from_raw_parts(s.ptr, s.len) }
}

/// Appends `bytes` to the host's output buffer, growing it through the host when needed.
/// Returns false (and appends nothing) when the host cannot grow the buffer.
#[inline]
pub(crate) fn append(host: &Host, buf: &mut OutBuf, bytes: &[u8]) -> bool {
    if buf.cap - buf.len < bytes.len() && !host.grow(buf, bytes.len()) {
        return false;
    }
    if buf.cap - buf.len < bytes.len() {
        return false;
    }
    // SAFETY: the host guarantees `data` points to `cap` writable bytes, of which `len` are
    // used; we checked that `bytes.len()` more fit, and `bytes` is plugin memory (no overlap).
    unsafe { core::ptr::copy_nonoverlapping(bytes.as_ptr(), buf.data.add(buf.len), bytes.len()) };
    buf.len += bytes.len();
    true
}
