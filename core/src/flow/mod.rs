//! Flows: the table (records, key index, LRU list, timeout handlers) and pending fragments.
//! This module knows nothing about plugins; the pipeline drives it.
#![forbid(unsafe_code)]

pub mod frag;
pub mod table;

pub use frag::{FragTable, frag_key};
pub use table::{FlowTable, Handler, idle};
