//! The captures of one run after the first: none for `-r`, the rest of the list for `-R`, the
//! next numbers for `-D`. All of them feed the same flow table and end report.

use std::cell::RefCell;

use super::{MmapBytes, Reader};
use crate::log::Log;

/// Where the next capture (of type `S`) of a run comes from.
pub trait Feed<S> {
    /// Opens the capture after the current one, or `None` when the input ends. `serve` is
    /// called regularly while waiting for a file and returns true when the run must stop.
    fn next(&mut self, log: &RefCell<Log>, serve: &mut dyn FnMut() -> bool) -> Option<S>;

    /// Writes the line naming the current capture (`Processing file: …`); `name` is the one
    /// the run was started with.
    fn announce(&self, log: &mut Log, name: &str) {
        log.line(format_args!("Processing file: {name}"));
    }

    /// Total bytes and number of files for the end report; `None` = the single input's own.
    fn totals(&self) -> Option<(u64, u64)> {
        None
    }

    /// The name of the capture being read; `None` = the one the run was started with.
    fn current(&self) -> Option<String> {
        None
    }

    /// What the monitoring report says about the input beyond the capture being read (the
    /// list and the file's place in it for `-R`, the bytes opened so far for `-D`).
    fn kind(&self) -> InputKind {
        InputKind::Single
    }

    /// An extra error line after an invalid BPF (`-D`).
    fn bpf_hint(&self) -> Option<&'static str> {
        None
    }
}

/// The kind of input, as the human monitoring report describes it (an interface is a
/// [`Single`](InputKind::Single) capture that reports live statistics).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputKind {
    /// `-r FILE`, `-r -` or `-i`: one capture.
    Single,
    /// `-R`: the list file, the 1-based number of the capture being read, the number of
    /// captures, their total size and the current one's size (when the list was checked).
    List {
        /// The list file's name.
        list: String,
        /// 1-based number of the capture being read.
        index: usize,
        /// Number of captures in the list.
        count: usize,
        /// Bytes of all captures.
        total: u64,
        /// Bytes of the capture being read.
        current_size: u64,
    },
    /// `-D`: the bytes of the files opened so far (T2's `captureFileSize`, which grows with
    /// every file).
    Series {
        /// Bytes of the files opened so far.
        total: u64,
    },
}

/// The input of `-r FILE` and `-r -`: nothing after the first capture.
#[derive(Debug, Clone, Copy, Default)]
pub struct Single;

impl<S> Feed<S> for Single {
    fn next(&mut self, _: &RefCell<Log>, _: &mut dyn FnMut() -> bool) -> Option<S> {
        None
    }
}

/// Type of the captures `-R` and `-D` open.
pub type FileReader = Reader<MmapBytes>;
