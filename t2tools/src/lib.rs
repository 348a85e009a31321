//! rt2's tools for the files a run leaves behind, as T2 ships them: `tawk` (awk over flow
//! files with column names and a function library, on gawk), `protStat` (ranks the lines of
//! `PREFIX_protocols.txt` and `PREFIX_icmpStats.txt`) and `t2plot` (PNG plots of columns and of
//! monitoring reports).
//!
//! Each binary in `src/bin/` only parses its command line and maps the result to an exit
//! code; the work is done here.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod bits;
pub mod error;
pub mod header;
pub mod hrnum;
pub mod plot;
pub mod protstat;
pub mod tawk;

/// What build.rs embeds: tawk's awk library, every component's `bits.toml`.
pub mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

pub use error::Error;
