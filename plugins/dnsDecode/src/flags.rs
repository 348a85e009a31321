//! dnsDecode's configuration, generated from `flags.toml`.

include!(concat!(env!("OUT_DIR"), "/t2flags.rs"));
