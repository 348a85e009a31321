//! [UNSAFE] The operating-system calls of capture input that no safe wrapper covers: mapping a
//! capture file into memory and expanding a `-D` file name pattern with glob(3).
//!
//! Why sound: the mapping is read-only and private (see [`map`] for what a concurrent writer
//! can do), and glob's results are copied before they are freed.
#![allow(unsafe_code)]
#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

use std::ffi::{CStr, CString, OsStr};
use std::fs::File;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use memmap2::Mmap;

/// Drops `map[from..to]` from the resident set.
pub(super) fn release(map: &Mmap, from: usize, to: usize) {
    // SAFETY: MADV_DONTNEED on a read-only private file mapping that is never written only
    // discards page-table entries: a later access faults the page in again from the file, so
    // slices still pointing there (the model of libpcap's buffer reads old records, rarely)
    // read the same bytes.
    let _ = unsafe { map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, from, to - from) };
}

/// Maps `file` read-only.
pub(super) fn map(file: &File) -> io::Result<Mmap> {
    // SAFETY: the mapping is read-only and private to this process. Another process may still
    // truncate or rewrite the file while we read it; we accept that, exactly as libpcap accepts a
    // file changing under its stdio buffer (a truncation can at worst end the process with
    // SIGBUS; it cannot make us read memory that is not part of the mapping).
    unsafe { Mmap::map(file) }
}

/// The first path matching the shell pattern `pattern`, through libc's `glob(3)` (the
/// function `wordexp` itself uses, so classes like `[[:digit:]]` and `\` escapes behave as in
/// T2); its results are sorted in the C locale's order, i.e. bytewise, since neither T2 nor
/// rt2 calls `setlocale`. `None` when nothing matches.
pub(super) fn first_match(pattern: &OsStr) -> Option<PathBuf> {
    let c = CString::new(pattern.as_bytes()).ok()?;
    // SAFETY: an all-zero `glob_t` (null pointers, zero counts) is a valid empty result to
    // hand to glob, which fills it in.
    let mut g: libc::glob_t = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a NUL-terminated string alive for the call, `g` a valid glob_t, no error
    // callback.
    let rc = unsafe { libc::glob(c.as_ptr(), 0, None, &mut g) };
    let first = (rc == 0 && g.gl_pathc > 0 && !g.gl_pathv.is_null()).then(|| {
        // SAFETY: on success gl_pathv holds gl_pathc (> 0) NUL-terminated strings, which
        // stay valid until globfree; the bytes are copied before that.
        let p = unsafe { CStr::from_ptr(*g.gl_pathv) };
        PathBuf::from(OsStr::from_bytes(p.to_bytes()))
    });
    // SAFETY: `g` was filled by glob (or is still all zero), and is freed once.
    unsafe { libc::globfree(&mut g) };
    first
}
