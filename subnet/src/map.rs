//! The table file's bytes: mapped read-only (only the pages a lookup touches are read into
//! memory), or owned (tables built in memory, tests).
#![allow(unsafe_code)]
#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

use std::fs::File;
use std::io;
use std::ops::Deref;

use memmap2::Mmap;

/// Bytes of a table.
#[derive(Debug)]
pub(crate) enum Bytes {
    /// A read-only map of the file.
    Mapped(Mmap),
    /// Bytes in memory.
    Owned(Vec<u8>),
}

impl Bytes {
    /// Maps `file`, which must not be empty.
    pub(crate) fn map(file: &File) -> io::Result<Bytes> {
        // SAFETY: the map is read-only and private to this process; every access goes through
        // checked slices, so any bytes are safe to read. What the map cannot rule out is another
        // process truncating the file while it is mapped (the next access to a vanished page
        // raises SIGBUS): the table lives in the plugin folder, which t2build replaces by
        // renaming a new file over it (the mapped inode stays intact), as T2 maps its tables too.
        let map = unsafe { Mmap::map(file) }?;
        // lookups jump around: read only the pages they touch
        let _ = map.advise(memmap2::Advice::Random);
        Ok(Bytes::Mapped(map))
    }
}

impl Deref for Bytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m) => m,
            Bytes::Owned(v) => v,
        }
    }
}
