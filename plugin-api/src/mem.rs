//! [UNSAFE] Large per-flow storage on transparent huge pages.
//!
//! The flow table and the plugins' per-flow state are read at random, one flow per packet: on a
//! large capture each lookup walks memory far beyond what the TLB maps with 4 KiB pages, and a
//! grown table faults in one page per 4 KiB. Where the system leaves huge pages to the program
//! (`/sys/kernel/mm/transparent_hugepage/enabled` = `madvise`, Debian's default), a large block
//! is advised as a candidate (`MADV_HUGEPAGE`): the kernel backs its 2 MiB-aligned interior
//! with 2 MiB pages, as the block is touched, so memory still follows the flows (2 MiB at a
//! time). On the 1.5M benchmark that took a tenth off basicFlow's user time. Other systems, or
//! small blocks, are left alone.
//!
//! Why sound: `madvise` with `MADV_HUGEPAGE` changes no byte of memory and no mapping's
//! contents; it is only a hint on a range this process owns (at worst the call fails).
#![allow(unsafe_code)]
#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

use std::alloc::{GlobalAlloc, Layout, System};

/// Blocks at least this large are advised: below two huge pages, rarely any aligned one fits.
pub const HUGE_MIN: usize = 4 << 20;

/// The size of a huge page on x86-64 and most aarch64 systems.
const HUGE_PAGE: usize = 2 << 20;

/// Advises the 2 MiB-aligned interior of the memory of `v` (its whole capacity) as a huge-page
/// candidate when it is at least [`HUGE_MIN`] bytes.
pub fn prefer_huge_pages<T>(v: &Vec<T>) {
    advise(v.as_ptr().cast(), v.capacity().saturating_mul(size_of::<T>()));
}

fn advise(ptr: *const u8, len: usize) {
    if len < HUGE_MIN {
        return;
    }
    let start = (ptr as usize).next_multiple_of(HUGE_PAGE);
    let end = (ptr as usize).saturating_add(len) / HUGE_PAGE * HUGE_PAGE;
    if end > start {
        // SAFETY: a hint on whole pages inside an allocation this process owns (see the
        // module documentation); the result does not matter.
        let _ = unsafe { libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE) };
    }
}

/// The system allocator, advising blocks of at least [`HUGE_MIN`] bytes as huge-page
/// candidates (the core's: its flow table and key index).
#[derive(Debug, Default)]
pub struct HugeAlloc;

// SAFETY: every call goes to `System` with the caller's arguments; the advice only hints at
// pages of the block just returned.
unsafe impl GlobalAlloc for HugeAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, forwarded
        let p = unsafe { System.alloc(layout) };
        advise(p, if p.is_null() { 0 } else { layout.size() });
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, forwarded
        let p = unsafe { System.alloc_zeroed(layout) };
        advise(p, if p.is_null() { 0 } else { layout.size() });
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract, forwarded
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract, forwarded
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        advise(p, if p.is_null() { 0 } else { new_size });
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `VmFlags` of the mapping holding address `at`, from `/proc/self/smaps`.
    fn vm_flags(at: usize) -> String {
        let smaps = std::fs::read_to_string("/proc/self/smaps").unwrap();
        let mut inside = false;
        for line in smaps.lines() {
            let range = line.split_whitespace().next().and_then(|r| r.split_once('-'));
            if let Some((lo, hi)) = range.filter(|_| !line.ends_with(':') && line.contains(' ')) {
                if let (Ok(lo), Ok(hi)) = (usize::from_str_radix(lo, 16), usize::from_str_radix(hi, 16)) {
                    inside = (lo..hi).contains(&at);
                    continue;
                }
            }
            if inside && let Some(flags) = line.strip_prefix("VmFlags:") {
                return flags.trim().to_owned();
            }
        }
        panic!("no mapping holds {at:#x}")
    }

    /// A large block's aligned interior is marked for huge pages (`hg`) where the kernel has
    /// them; a small one is left alone.
    #[test]
    fn large_blocks_are_advised_and_small_ones_not() {
        let thp = std::path::Path::new("/sys/kernel/mm/transparent_hugepage").exists();
        let large: Vec<u64> = Vec::with_capacity(3 * HUGE_MIN / 8);
        prefer_huge_pages(&large);
        let inside = (large.as_ptr() as usize).next_multiple_of(HUGE_PAGE);
        assert_eq!(vm_flags(inside).split(' ').any(|f| f == "hg"), thp, "{}", vm_flags(inside));
        let small: Vec<u64> = Vec::with_capacity(HUGE_MIN / 16);
        prefer_huge_pages(&small);
        assert!(!vm_flags(small.as_ptr() as usize).split(' ').any(|f| f == "hg"));
    }

    /// The advice leaves the contents alone, whatever the block's size and alignment.
    #[test]
    fn advised_blocks_keep_their_bytes() {
        for n in [0usize, 1, HUGE_MIN - 1, HUGE_MIN, 3 * HUGE_MIN + 12345] {
            let mut v: Vec<u8> = (0..n).map(|i| (i % 251) as u8).collect();
            prefer_huge_pages(&v);
            v.push(7);
            prefer_huge_pages(&v);
            assert!(v[..n].iter().enumerate().all(|(i, &b)| b == (i % 251) as u8));
        }
    }
}
