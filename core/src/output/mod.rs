//! What a run writes: the column list and empty values of flow records, the packet file, and
//! the streams shared by the core and the plugins.
#![forbid(unsafe_code)]

pub mod columns;
pub mod packets;
pub mod streams;
