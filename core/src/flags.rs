//! The core's compile-time configuration, generated from `core/flags.toml` (edit it with
//! `t2conf tranalyzer2 -D NAME=VALUE`, rebuild with `t2build tranalyzer2`).
#![allow(missing_docs)]

include!(concat!(env!("OUT_DIR"), "/t2flags.rs"));
