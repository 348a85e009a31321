//! netflowSink (904): exports every flow record to a NetFlow v9 (RFC 3954) or IPFIX (RFC 7011)
//! collector over UDP or TCP, as T2's netflowSink does.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
// The crate is named after the T2 plugin, which is camelCase.
#![allow(non_snake_case)]

pub mod config;
pub mod export;
pub mod flags;
pub mod flowrec;
pub mod message;
pub mod template;
pub mod transport;
