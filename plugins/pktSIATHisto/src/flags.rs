//! pktSIATHisto's configuration, generated from `flags.toml`.
#![allow(non_upper_case_globals)] // T2's names: IATBINBu1 ...

include!(concat!(env!("OUT_DIR"), "/t2flags.rs"));
