//! rt2's subnet tables: what is known about an address (country or special-range code,
//! organisation or range name, AS number, the range it falls in), for basicFlow's
//! `srcIPCC srcIPOrg dstIPCC dstIPOrg` columns, basicStats' biggest talker and `t2whois`.
//!
//! A table is one file per address family in the plugin folder ([`FILE4`], [`FILE6`]), a
//! sorted array of fixed-size segments plus labels and a string pool ([`format`]). It is
//! mapped once; a lookup is one binary search touching a few pages, so a run's memory grows
//! only by the pages its addresses need. A missing or corrupt file is an [`Error`] naming it;
//! the caller reports it and goes on without labels.
//!
//! The data (built by `subnet-build`, see the README): T2's special ranges and its IPv6
//! table, and the open `@ip-location-db` datasets for everything T2's tables do not cover.
#![deny(unsafe_code)]
#![deny(missing_docs)]

mod error;
pub mod format;
mod map;
pub mod merge;
pub mod sources;
mod table;
#[cfg(test)]
mod tests;

use std::path::Path;

pub use error::Error;
pub use table::{Hit, Label, LabelId, Table};

/// The IPv4 table's file name in the plugin folder.
pub const FILE4: &str = "subnets4.bin";
/// The IPv6 table's file name in the plugin folder.
pub const FILE6: &str = "subnets6.bin";

/// Both families' tables; a family whose file could not be opened has none.
#[derive(Debug, Default)]
pub struct Subnets {
    v4: Option<Table>,
    v6: Option<Table>,
}

impl Subnets {
    /// Opens [`FILE4`] and [`FILE6`] in `dir`, returning the tables that opened and one error
    /// per file that did not.
    pub fn open_dir(dir: &Path) -> (Subnets, Vec<Error>) {
        Subnets::open(&dir.join(FILE4), &dir.join(FILE6))
    }

    /// Opens the IPv4 table `v4` and the IPv6 table `v6`.
    pub fn open(v4: &Path, v6: &Path) -> (Subnets, Vec<Error>) {
        let mut errors = Vec::new();
        let mut open = |path: &Path, width: usize| match Table::open(path) {
            Ok(t) if t.width() == width => Some(t),
            Ok(t) => {
                let what = format!("holds {}-byte addresses, expected {width}", t.width());
                errors.push(Error::Corrupt { path: path.to_path_buf(), what });
                None
            }
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let v4 = open(v4, 4);
        let v6 = open(v6, 16);
        (Subnets { v4, v6 }, errors)
    }

    /// Both tables as given (for tests and tools).
    pub fn from_tables(v4: Option<Table>, v6: Option<Table>) -> Subnets {
        Subnets { v4, v6 }
    }

    /// The table of IP version `ver` (4 or 6), if it was opened.
    pub fn table(&self, ver: u8) -> Option<&Table> {
        match ver {
            4 => self.v4.as_ref(),
            6 => self.v6.as_ref(),
            _ => None,
        }
    }

    /// The label of `ip` (IPv4 in its first four bytes) of version `ver`.
    pub fn find(&self, ver: u8, ip: &[u8; 16]) -> Option<LabelId> {
        let t = self.table(ver)?;
        t.find(addr(ver, ip))
    }

    /// The label `id` found for an address of version `ver`.
    pub fn label(&self, ver: u8, id: LabelId) -> Option<Label<'_>> {
        Some(self.table(ver)?.label(id))
    }
}

/// `ip` (IPv4 in its first four bytes) as the number tables look up.
pub fn addr(ver: u8, ip: &[u8; 16]) -> u128 {
    if ver == 4 { u128::from(u32::from_be_bytes([ip[0], ip[1], ip[2], ip[3]])) } else { u128::from_be_bytes(*ip) }
}
