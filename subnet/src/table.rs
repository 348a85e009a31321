//! One family's table: opened once, header checked, then lookups in O(log n) that read only
//! what they need. Every access into the file is bounds-checked: a corrupt file gives wrong
//! or no labels, never a panic.

use std::fs::File;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::format::{self, HEADER, LABEL, MAGIC, RANGE_LABEL, VERSION};
use crate::map::Bytes;

/// A label of a table (its index + 1, so that `Option<LabelId>` takes four bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LabelId(NonZeroU32);

impl LabelId {
    fn new(index: u32) -> Option<LabelId> {
        index.checked_add(1).and_then(NonZeroU32::new).map(LabelId)
    }

    fn index(self) -> usize {
        self.0.get() as usize - 1
    }
}

/// What a table says about an address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Label<'a> {
    cc: &'a [u8],
    org: &'a [u8],
    /// AS number, 0 when unknown.
    pub asn: u32,
    pub(crate) prefix: u8,
}

impl<'a> Label<'a> {
    /// Country code (`us`, lower case) or special-range code (`04`), `-` when unknown.
    pub fn cc(&self) -> &'a [u8] {
        if self.cc == [0, 0] || self.cc.is_empty() { b"-" } else { self.cc }
    }

    /// Organisation or range name, `-` when unknown.
    pub fn org(&self) -> &'a [u8] {
        if self.org.is_empty() { b"-" } else { self.org }
    }

    /// Whether the label comes from T2's own tables (given for a CIDR block) rather than from
    /// the open datasets (given for arbitrary ranges).
    pub fn is_t2(&self) -> bool {
        self.prefix != RANGE_LABEL
    }
}

/// A lookup with the range the address falls in (what `t2whois` prints).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hit<'a> {
    /// The label.
    pub label: Label<'a>,
    /// First address of the range the label was given for.
    pub first: u128,
    /// Last address of that range.
    pub last: u128,
    /// Prefix length of the largest CIDR block inside that range holding the address (the
    /// range's own when it is a block).
    pub prefix: u8,
}

/// A subnet table of one address family.
#[derive(Debug)]
pub struct Table {
    bytes: Bytes,
    width: usize,
    segments: usize,
    labels: usize,
    revision: u32,
    /// Offsets of the sections, checked against the file's length when it was opened.
    starts: usize,
    ids: usize,
    label_recs: usize,
    pool: usize,
}

/// A big-endian address of `W` bytes as a number.
fn numeric<const W: usize>(a: &[u8; W]) -> u128 {
    let mut b = [0u8; 16];
    b[16 - W..].copy_from_slice(a);
    u128::from_be_bytes(b)
}

fn u32_at(b: &[u8], off: usize) -> Option<u32> {
    b.get(off..off + 4).map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

/// The netmask of a `prefix`-bit prefix in an address of `bits` bits.
pub(crate) fn mask(bits: u32, prefix: u32) -> u128 {
    max(bits) & !max(bits).checked_shr(prefix).unwrap_or(0)
}

impl Table {
    /// Opens and maps the table file at `path`.
    pub fn open(path: &Path) -> Result<Table, Error> {
        let io = |source| Error::Io { path: path.to_path_buf(), source };
        let file = File::open(path).map_err(io)?;
        let len = file.metadata().map_err(io)?.len();
        if len < HEADER as u64 {
            return Err(Error::Corrupt { path: path.to_path_buf(), what: format!("{len} bytes, too short") });
        }
        let bytes = Bytes::map(&file).map_err(io)?;
        Table::check(bytes).map_err(|e| e.at(path.to_path_buf()))
    }

    /// A table from bytes in memory.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Table, Error> {
        Table::check(Bytes::Owned(bytes))
    }

    fn check(bytes: Bytes) -> Result<Table, Error> {
        let bad = |what: String| Error::Corrupt { path: PathBuf::new(), what };
        if bytes.len() < HEADER || bytes[..8] != MAGIC {
            return Err(bad("not an rt2 subnet table".into()));
        }
        let version = u16::from_le_bytes([bytes[8], bytes[9]]);
        if version != VERSION {
            return Err(bad(format!("format version {version}, expected {VERSION}")));
        }
        let width = usize::from(bytes[10]);
        if width != 4 && width != 16 {
            return Err(bad(format!("address width {width}")));
        }
        let field = |off| u32_at(&bytes, off).map_or(0, |v| v as usize);
        let (segments, labels, pool_len) = (field(12), field(16), field(20));
        // section lengths in u64: no overflow whatever the header says
        let sections = [
            format::directory(segments) as u64 * width as u64,
            segments as u64 * width as u64,
            segments as u64 * 4,
            labels as u64 * LABEL as u64,
            pool_len as u64,
        ];
        let expected = HEADER as u64 + sections.iter().sum::<u64>();
        if expected != bytes.len() as u64 {
            return Err(bad(format!("{} bytes, its header announces {expected}", bytes.len())));
        }
        // every offset fits: they add up to the file's length
        let starts = HEADER + sections[0] as usize;
        let ids = starts + sections[1] as usize;
        let label_recs = ids + sections[2] as usize;
        let pool = label_recs + sections[3] as usize;
        let revision = field(24) as u32;
        Ok(Table { bytes, width, segments, labels, revision, starts, ids, label_recs, pool })
    }

    /// Address width in bytes: 4 (IPv4) or 16 (IPv6).
    pub fn width(&self) -> usize {
        self.width
    }

    /// Number of segments (ranges with one label, or none, each).
    pub fn segments(&self) -> usize {
        self.segments
    }

    /// Number of distinct labels.
    pub fn labels(&self) -> usize {
        self.labels
    }

    /// Revision of the data: `YYYYMMDD` of its newest source.
    pub fn revision(&self) -> u32 {
        self.revision
    }

    fn bits(&self) -> u32 {
        self.width as u32 * 8
    }

    /// The address at `off` (0 past the end: only a corrupt file gets there).
    fn addr_at(&self, off: usize) -> u128 {
        let bytes = self.bytes.get(off..).unwrap_or_default();
        let read = match self.width {
            4 => bytes.first_chunk::<4>().map(numeric),
            _ => bytes.first_chunk::<16>().map(numeric),
        };
        read.unwrap_or(0)
    }

    /// Start address of segment `i`.
    fn start(&self, i: usize) -> u128 {
        self.addr_at(self.starts + i * self.width)
    }

    /// Index of the segment holding `addr`: its block from the directory, then within it.
    fn segment_of(&self, addr: u128) -> Option<usize> {
        // fixed-width addresses per family: basicFlow looks up two per flow, and reading
        // every probe's address byte by byte into a u128 cost ten times the search
        match self.width {
            4 => self.search::<4>(addr),
            _ => self.search::<16>(addr),
        }
    }

    /// [`Table::segment_of`] in a table of `W`-byte addresses.
    fn search<const W: usize>(&self, addr: u128) -> Option<usize> {
        // the sections were checked against the file's length at open
        let addrs = |from: usize, n: usize| self.bytes.get(from..from + n * W).unwrap_or_default().as_chunks::<W>().0;
        let last_at_most = |addrs: &[[u8; W]]| addrs.partition_point(|a| numeric(a) <= addr).checked_sub(1);
        let block = last_at_most(addrs(HEADER, format::directory(self.segments)))?;
        let lo = block * format::STEP;
        let n = format::STEP.min(self.segments.saturating_sub(lo));
        Some(lo + last_at_most(addrs(self.starts + lo * W, n))?)
    }

    /// Every segment in address order: its first address and its label, if any.
    pub fn segment_labels(&self) -> impl Iterator<Item = (u128, Option<LabelId>)> + '_ {
        (0..self.segments).map(|i| {
            let label = u32_at(&self.bytes, self.ids + i * 4).filter(|&l| (l as usize) < self.labels);
            (self.start(i), label.and_then(LabelId::new))
        })
    }

    /// The label of `addr` (an IPv4 address in the low 32 bits), if the table has one.
    pub fn find(&self, addr: u128) -> Option<LabelId> {
        let seg = self.segment_of(addr)?;
        let label = u32_at(&self.bytes, self.ids + seg * 4)?;
        if (label as usize) < self.labels { LabelId::new(label) } else { None }
    }

    /// The label `id` names; a label of another table reads as unknown.
    pub fn label(&self, id: LabelId) -> Label<'_> {
        let off = self.label_recs + id.index() * LABEL;
        let Some(rec) = self.bytes.get(off..off + LABEL).filter(|_| id.index() < self.labels) else {
            return Label { cc: &[], org: &[], asn: 0, prefix: RANGE_LABEL };
        };
        let org_start = self.pool.checked_add(u32_at(rec, 8).unwrap_or(0) as usize);
        let org = org_start.and_then(|o| self.bytes.get(o..o.checked_add(usize::from(rec[3]))?)).unwrap_or_default();
        Label { cc: &rec[..2], org, asn: u32_at(rec, 4).unwrap_or(0), prefix: rec[2] }
    }

    /// The label of `addr` and the range it was given for.
    pub fn describe(&self, addr: u128) -> Option<Hit<'_>> {
        let bits = self.bits();
        let seg = self.segment_of(addr)?;
        let label = self.label(self.find(addr)?);
        if u32::from(label.prefix) <= bits {
            let m = mask(bits, u32::from(label.prefix));
            let first = addr & m;
            return Some(Hit { label, first, last: first | (max(bits) & !m), prefix: label.prefix });
        }
        let first = self.start(seg);
        let last = if seg + 1 < self.segments { self.start(seg + 1).wrapping_sub(1) } else { max(bits) };
        // the largest block inside [first, last] that holds addr
        let prefix = (0..=bits)
            .find(|&p| {
                let m = mask(bits, p);
                addr & m >= first && (addr & m) | (max(bits) & !m) <= last
            })
            .unwrap_or(bits);
        Some(Hit { label, first, last, prefix: prefix as u8 })
    }
}

/// The highest address of `bits` bits.
pub(crate) fn max(bits: u32) -> u128 {
    if bits == 128 { u128::MAX } else { (1u128 << bits) - 1 }
}
