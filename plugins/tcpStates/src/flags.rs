//! tcpStates' configuration, generated from `flags.toml` (empty: T2's tcpStates has no flags).

include!(concat!(env!("OUT_DIR"), "/t2flags.rs"));
