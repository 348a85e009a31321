//! Flow records: the column list and empty values.
#![forbid(unsafe_code)]

pub mod columns;
pub mod packets;
