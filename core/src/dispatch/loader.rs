//! [UNSAFE] Loading plugin shared objects: `dlopen`, the entry symbol, and the ABI handshake.
//!
//! Why sound: loading a library runs its initialisers and we trust the plugin folder as T2
//! does. The entry symbol's type is fixed by the ABI; the table it returns is read only after
//! its version and size were checked, and only the prefix the plugin declared is copied. The
//! library is never unloaded (leaked), so `'static` references into it stay valid.
#![allow(unsafe_code)]
#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

use core::mem::{MaybeUninit, offset_of};
use std::path::Path;

use plugin_api::abi::{ABI_MAJOR, ENTRY_SYMBOL, EntryFn, PluginVTable};

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

/// Loads `path` and returns a copy of its vtable (fields the plugin did not build read as
/// absent).
pub fn load(path: &Path) -> Result<PluginVTable, LoadError> {
    let file = path.display().to_string();
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
    let required = offset_of!(PluginVTable, columns);
    if (size as usize) < required {
        return Err(LoadError::BadTable(file));
    }
    let n = (size as usize).min(size_of::<PluginVTable>());
    let mut vt = MaybeUninit::<PluginVTable>::zeroed();
    // SAFETY: the plugin declares `size` readable bytes; we copy at most our table's size.
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
    // SAFETY: required fields are non-null function pointers; optional ones are copied values
    // or zero, which is `None` for `Option<fn>`; the rest is plain data.
    Ok(unsafe { vt.assume_init() })
}

/// dlerror text as T2 prints it (libloading wraps it in its own words).
fn dl_message(e: &libloading::Error) -> String {
    match e {
        libloading::Error::DlOpen { source } => source.to_string(),
        other => other.to_string(),
    }
}

/// Reads a string the plugin's table points to.
pub fn table_text(s: plugin_api::abi::RStr) -> String {
    // SAFETY: table strings point into the (never unloaded) library's constant data.
    unsafe { super::ffi::text(s) }
}
