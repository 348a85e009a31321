//! [UNSAFE] libpcap itself: its version string (live capture through the `pcap` crate comes
//! with the `-i` option).
#![allow(unsafe_code)]
#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

use std::ffi::{CStr, c_char};

unsafe extern "C" {
    /// `const char *pcap_lib_version(void)`: a static string owned by libpcap.
    fn pcap_lib_version() -> *const c_char;
}

/// libpcap's version string, e.g. `libpcap version 1.10.3 (with TPACKET_V3)`.
pub fn lib_version() -> String {
    // SAFETY: pcap_lib_version takes no arguments and returns a pointer to a static,
    // NUL-terminated string (or null on exotic builds, which we check).
    let p = unsafe { pcap_lib_version() };
    if p.is_null() {
        return "libpcap".to_owned();
    }
    // SAFETY: non-null pointer to a static NUL-terminated string (see above).
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}
