//! The text streams of a run besides the flow records: the log, the monitoring stream and the
//! packet file (`-s`). The core and the plugins' host functions write to the same streams, in
//! the order things happen. Each reports its own first write error ([`Stream`]).

use core::cell::RefCell;
use std::io::Write;

use crate::log::{Log, Stream};

/// The streams of one run.
pub struct Streams {
    /// The log: stdout, `PREFIX_log.txt`, or nowhere.
    pub log: RefCell<Log>,
    /// The monitoring stream: stdout or `PREFIX_monitoring.txt`.
    pub mon: RefCell<Log>,
    /// The packet file (`-s`), once created.
    pub packets: RefCell<Option<Stream>>,
}

impl core::fmt::Debug for Streams {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Streams").field("packets", &self.packets.borrow().is_some()).finish_non_exhaustive()
    }
}

impl Streams {
    /// Streams writing the log to `log` and monitoring output to `mon`, no packet file.
    pub fn new(log: Log, mon: Log) -> Streams {
        Streams { log: RefCell::new(log), mon: RefCell::new(mon), packets: RefCell::new(None) }
    }

    /// Flushes every stream, so that what the run computed is written however it ends.
    pub fn flush(&self) {
        self.log.borrow_mut().flush();
        self.mon.borrow_mut().flush();
        if let Some(w) = self.packets.borrow_mut().as_mut() {
            let _ = w.flush();
        }
    }

    /// Whether writing to a stream failed: something the run computed was lost (each failure
    /// was reported when it happened).
    pub fn failed(&self) -> bool {
        self.log.borrow().failed()
            || self.mon.borrow().failed()
            || self.packets.borrow().as_ref().is_some_and(Stream::failed)
    }
}
