//! [UNSAFE] Loading plugin shared objects: `dlopen`, the entry symbol, and the ABI handshake.
//!
//! Why sound: loading a library runs its initialisers and we trust the plugin folder as T2
//! does. The entry symbol's type is fixed by the ABI; the table it returns is read only after
//! its version and size were checked, and only the whole fields inside the size the plugin
//! declared are copied (a size ending inside a function pointer leaves that pointer out, never
//! half of it). The library is never unloaded (leaked), so `'static` references into it stay
//! valid. The result is a [`CheckedVTable`], which only this module can build: the calls in
//! `ffi` take nothing else.
#![allow(unsafe_code)]
#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

use core::mem::{MaybeUninit, offset_of};
use std::path::Path;

use plugin_api::abi::{ABI_MAJOR, ENTRY_SYMBOL, EntryFn, PluginVTable, RStr};
use plugin_api::fmt::escaped;

/// Why a plugin file could not be loaded (Display = the message after `[ERR] `).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// `dlopen` failed (not a shared object, missing library, ...).
    Open(String),
    /// The entry symbol is missing.
    NoEntry(String),
    /// The entry returned null or a table too small to hold the required fields.
    BadTable(String),
    /// Built for another ABI major version.
    Abi {
        /// The plugin file.
        file: String,
        /// Its ABI major version.
        major: u16,
        /// Its ABI minor version.
        minor: u16,
    },
}

impl core::fmt::Display for LoadError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            LoadError::Open(msg) => f.write_str(msg),
            LoadError::NoEntry(file) => write!(f, "{file} is missing required plugin function {ENTRY_SYMBOL}"),
            LoadError::BadTable(file) => write!(f, "{file}: invalid plugin table"),
            LoadError::Abi { file, major, minor } => write!(
                f,
                "{file}: plugin ABI version {major}.{minor} not supported (this tranalyzer supports {ABI_MAJOR}.x)"
            ),
        }
    }
}

/// A plugin's vtable as [`load`] checked it: the ABI major version, a size holding the required
/// fields, non-null required callbacks, and absent (`None`) optional callbacks beyond the size.
pub struct CheckedVTable(PluginVTable);

impl CheckedVTable {
    /// The table.
    pub fn table(&self) -> &PluginVTable {
        &self.0
    }
}

/// Where the fields after the required prefix start, and where the table ends: a plugin built
/// against an older, shorter table declares a size at one of these boundaries (new fields only
/// ever go at the end).
const BOUNDARIES: [usize; 11] = [
    offset_of!(PluginVTable, columns),
    offset_of!(PluginVTable, init),
    offset_of!(PluginVTable, on_new_flow),
    offset_of!(PluginVTable, on_layer2),
    offset_of!(PluginVTable, on_layer4),
    offset_of!(PluginVTable, on_flow_terminate),
    offset_of!(PluginVTable, report),
    offset_of!(PluginVTable, monitoring),
    offset_of!(PluginVTable, finalize),
    offset_of!(PluginVTable, buffer_to_sink),
    size_of::<PluginVTable>(),
];

/// The bytes copied of a table declaring `size` bytes: up to the end of the last field lying
/// wholly inside it (never more than our table).
fn copied_len(size: usize) -> usize {
    BOUNDARIES.iter().copied().filter(|&b| b <= size).max().unwrap_or(0)
}

/// Loads `path` and returns a checked copy of its vtable (fields the plugin did not build, or
/// did not declare whole, read as absent).
pub fn load(path: &Path) -> Result<CheckedVTable, LoadError> {
    let file = escaped(&path).to_string();
    // SAFETY: loading runs the library's initialisers; plugins in the plugin folder are trusted
    // code, as in T2.
    let lib = unsafe { libloading::Library::new(path) }.map_err(|e| LoadError::Open(dl_message(&e)))?;
    // SAFETY: the ABI fixes the entry's type to `EntryFn`.
    let entry: EntryFn = match unsafe { lib.get::<EntryFn>(ENTRY_SYMBOL.as_bytes()) } {
        Ok(sym) => *sym,
        Err(_) => return Err(LoadError::NoEntry(file)),
    };
    // Never unload: callbacks and strings in the table point into the library.
    core::mem::forget(lib);
    // SAFETY: calling the entry of a library we just loaded; it takes no arguments.
    let table = unsafe { entry() };
    if table.is_null() {
        return Err(LoadError::BadTable(file));
    }
    // SAFETY: every ABI version starts with (u16 major, u16 minor, u32 size).
    let (major, minor, size) = unsafe {
        let head = table as *const u8;
        let major = (head as *const u16).read_unaligned();
        let minor = (head.add(2) as *const u16).read_unaligned();
        let size = (head.add(4) as *const u32).read_unaligned();
        (major, minor, size)
    };
    if major != ABI_MAJOR {
        return Err(LoadError::Abi { file, major, minor });
    }
    if (size as usize) < BOUNDARIES[0] {
        return Err(LoadError::BadTable(file));
    }
    let n = copied_len(size as usize);
    let mut vt = MaybeUninit::<PluginVTable>::zeroed();
    // SAFETY: the plugin declares `size` readable bytes; we copy at most that many, and at most
    // our table's size.
    unsafe { core::ptr::copy_nonoverlapping(table as *const u8, vt.as_mut_ptr() as *mut u8, n) };
    // Required function pointers must not be null before we call the table initialised.
    // SAFETY: reading plain words inside our zero-initialised copy.
    let (create, last_panic) = unsafe {
        let p = vt.as_ptr() as *const u8;
        (
            (p.add(offset_of!(PluginVTable, create)) as *const usize).read_unaligned(),
            (p.add(offset_of!(PluginVTable, last_panic)) as *const usize).read_unaligned(),
        )
    };
    if create == 0 || last_panic == 0 {
        return Err(LoadError::BadTable(file));
    }
    // SAFETY: required fields are non-null function pointers; optional ones are whole copied
    // values or zero, which is `None` for `Option<fn>`; the rest is plain data.
    Ok(CheckedVTable(unsafe { vt.assume_init() }))
}

/// dlerror text as T2 prints it (libloading wraps it in its own words).
fn dl_message(e: &libloading::Error) -> String {
    match e {
        libloading::Error::DlOpen { source } => source.to_string(),
        other => other.to_string(),
    }
}

/// Copies a string handed over by a plugin.
///
/// # Safety
/// `s` must point to `s.len` readable bytes (or be empty).
pub(super) unsafe fn text(s: RStr) -> String {
    // SAFETY: guaranteed by the caller.
    String::from_utf8_lossy(unsafe { plugin_api::host::rstr_bytes(s) }).into_owned()
}

/// Reads a string the plugin's table points to.
pub fn table_text(s: RStr) -> String {
    // SAFETY: table strings point into the (never unloaded) library's constant data.
    unsafe { text(s) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_cover_every_optional_field() {
        // all optional fields are function pointers, laid out without gaps: a field missing
        // from the list would show as a gap of two pointers
        let steps: Vec<usize> = BOUNDARIES.windows(2).map(|w| w[1] - w[0]).collect();
        assert!(steps.iter().all(|&s| s == size_of::<usize>()), "{steps:?}");
        assert_eq!(BOUNDARIES[10], size_of::<PluginVTable>());
    }

    #[test]
    fn sizes_round_down_to_whole_fields() {
        let init = offset_of!(PluginVTable, init);
        assert_eq!(copied_len(BOUNDARIES[0]), BOUNDARIES[0]);
        assert_eq!(copied_len(init), init);
        // ending inside `init`: none of it
        assert_eq!(copied_len(init + 4), init);
        assert_eq!(copied_len(init + size_of::<usize>() - 1), init);
        assert_eq!(copied_len(init + size_of::<usize>()), init + size_of::<usize>());
        // a newer plugin's longer table: ours
        assert_eq!(copied_len(size_of::<PluginVTable>() + 12), size_of::<PluginVTable>());
    }
}
