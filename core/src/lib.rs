//! rt2 core: the `tranalyzer` flow analyzer as a library (the binary is a thin `main`).
//!
//! The modules form layers, each importing only from the layers above it in this list (checked
//! by `tests/layers.rs`, which also checks that the files of a module import each other
//! without a cycle):
//!
//! 1. [`term`]: the terminal stderr and stdout share (the progress line and what erases it);
//! 2. leaves: [`flags`] (compile-time configuration), [`log`] (the `[INF]`/`[WRN]`/`[ERR]`
//!    writer), [`time`], [`process`] (`-P`, `-c`), [`signals`];
//! 3. [`capture`]: packet sources (pcap and pcapng files, stdin, `-R` lists, `-D` series,
//!    interfaces) and the BPF filter;
//! 4. [`dissect`] (layers 2 to 4), [`cli`] (the command line) and [`progress`] (the live
//!    progress line);
//! 5. [`flow`] (flow table, fragments) and [`output`] (record columns, packet file, the run's
//!    streams);
//! 6. [`dispatch`]: plugin loading and calls;
//! 7. [`error`]: why a run stops;
//! 8. [`pipeline`]: the flow engine and the packet loop;
//! 9. [`report`]: the end report and the monitoring reports;
//! 10. [`app`]: setting a run up and tearing it down (and `testing`, builders for tests, with
//!     the `testing` feature).
//!
//! `unsafe` code is denied here and allowed only in the files that call C: `capture/live.rs`
//! (libpcap), `capture/os.rs` (mmap, glob), `dispatch/loader.rs` and `dispatch/ffi.rs` (the
//! plugin ABI).
#![deny(unsafe_code)]
#![deny(missing_docs)]

pub mod app;
pub mod capture;
pub mod cli;
pub mod dispatch;
pub mod dissect;
pub mod error;
pub mod flags;
pub mod flow;
pub mod log;
pub mod output;
pub mod pipeline;
pub mod process;
pub mod progress;
pub mod report;
pub mod signals;
pub mod term;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod time;
