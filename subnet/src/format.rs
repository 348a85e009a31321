//! The layout of a subnet table file, shared by the reader ([`crate::Table`]) and the writer
//! ([`crate::build::Tables::encode`]).
//!
//! One file per address family, every number little-endian except addresses (big-endian, so
//! that byte order is numeric order):
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 8 | magic `RT2SUBNT` |
//! | 8 | 2 | format version ([`VERSION`]) |
//! | 10 | 1 | address width in bytes: 4 or 16 |
//! | 11 | 1 | 0 |
//! | 12 | 4 | number of segments |
//! | 16 | 4 | number of labels |
//! | 20 | 4 | length of the string pool |
//! | 24 | 4 | revision of the data (`YYYYMMDD` of the newest source) |
//! | 28 | 4 | 0 |
//! | 32 | | the directory, the segments' start addresses, their label indices, the labels, the string pool |
//!
//! Segments are sorted by start, the first starts at 0, and each runs up to the next one's
//! start. The directory holds the start of every [`STEP`]th segment (width bytes each), the
//! starts follow (width bytes each), then each segment's label index (u32, [`NO_LABEL`] for
//! none). A lookup searches the directory, then one block of [`STEP`] starts: it reads a few
//! pages of the mapped file, not a path through the whole array (the kernel maps 64 KiB around
//! each page read, so the pages touched are the memory a run pays for). Columns rather than
//! records also compress better. A label is 12 bytes: the country code (2 bytes, `0 0` for
//! unknown), the prefix length of the range it was given for ([`RANGE_LABEL`] when it was
//! given for an arbitrary range: the segment is then the range), the organisation's length
//! (u8), the AS number (u32, 0 for unknown) and the organisation's offset in the pool (u32).
//! The file is exactly as long as these sections.

/// The first eight bytes.
pub const MAGIC: [u8; 8] = *b"RT2SUBNT";
/// The layout version this crate reads and writes.
pub const VERSION: u16 = 1;
/// Header length.
pub const HEADER: usize = 32;
/// Length of a label record.
pub const LABEL: usize = 12;
/// Label index of a segment without a label.
pub const NO_LABEL: u32 = u32::MAX;
/// Prefix length of a label given for an arbitrary range rather than a CIDR block.
pub const RANGE_LABEL: u8 = 0xff;
/// The longest organisation name kept, in bytes (T2's `WHOLEN`).
pub const ORG_MAX: usize = 30;

/// Segments per directory entry.
pub const STEP: usize = 256;

/// Number of directory entries for `segments` segments.
pub const fn directory(segments: usize) -> usize {
    segments.div_ceil(STEP)
}
