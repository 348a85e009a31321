//! Signals (core.md §8, monitoring.md §3.2), handled off the packet path: a thread waits for
//! them and a timer thread raises the periodic reports; both only set atomics that the packet
//! loop polls with one load per packet.
//!
//! * SIGUSR1: one report.
//! * SIGUSR2: periodic reports every interval of wall time, on / off.
//! * SIGINT lowers T2's run level, from 3: at 2 no flow is created any more and the run ends
//!   when the last flow has timed out; at 1 it stops reading, terminates every flow and writes
//!   the end report; at 0 it stops writing flows too (the end report still comes), and further
//!   signals are ignored.
//! * SIGTERM goes to level 1 at once: reading stops, every flow and the end report are still
//!   written, even when the run was already writing them (T2 exits there and loses them). A
//!   second SIGTERM stops that final flush at the next flow (the run says how many flows it did
//!   not write and exits with status 1); a third exits at once.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use signal_hook::consts::{SIGINT, SIGTERM, SIGUSR1, SIGUSR2};
use signal_hook::iterator::{Handle, Signals};

/// A report was requested.
pub const REPORT: u8 = 1;
/// SIGINT: level 2 reached, stop creating flows.
pub const NO_NEW_FLOWS: u8 = 2;
/// SIGINT: level 1 reached, stop reading.
pub const INT: u8 = 4;
/// SIGTERM: level 1 reached, stop reading.
pub const TERM: u8 = 8;
/// SIGINT: level 0 reached, stop writing flows.
pub const ABORT: u8 = 16;

/// T2's run level before any signal.
const LEVEL_RUN: u8 = 3;

#[derive(Debug)]
struct Shared {
    /// [`REPORT`], [`NO_NEW_FLOWS`], [`INT`], [`TERM`], [`ABORT`] bits not yet taken by the
    /// packet loop: one bit per level reached, so signals in quick succession are all seen.
    pending: AtomicU8,
    /// T2's run level: 3 running, 2 no new flows, 1 terminating, 0 terminating without output.
    level: AtomicU8,
    /// SIGTERMs received.
    terms: AtomicU8,
    /// Periodic reports are on.
    periodic: AtomicBool,
    /// Bumped on every SIGUSR2, so the timer restarts its interval.
    epoch: AtomicU64,
    /// The run ended: the timer thread returns.
    done: AtomicBool,
}

/// The signal and timer threads of a run; dropping it ends them.
#[derive(Debug)]
pub struct Control {
    shared: Arc<Shared>,
    handle: Option<Handle>,
    threads: Vec<JoinHandle<()>>,
}

impl Control {
    /// Starts handling the signals; periodic reports every `interval` start `on` or not.
    pub fn start(interval: Duration, on: bool) -> std::io::Result<Control> {
        let shared = Arc::new(Shared {
            pending: AtomicU8::new(0),
            level: AtomicU8::new(LEVEL_RUN),
            terms: AtomicU8::new(0),
            periodic: AtomicBool::new(on),
            epoch: AtomicU64::new(0),
            done: AtomicBool::new(false),
        });
        let mut signals = Signals::new([SIGINT, SIGTERM, SIGUSR1, SIGUSR2])?;
        let handle = signals.handle();
        let s = shared.clone();
        let timer = thread::Builder::new().name("t2-timer".into()).spawn(move || timer(&s, interval))?;
        let timer_thread = timer.thread().clone();
        let s = shared.clone();
        let waiter = thread::Builder::new().name("t2-signals".into()).spawn(move || {
            for sig in signals.forever() {
                match sig {
                    SIGUSR1 => {
                        s.pending.fetch_or(REPORT, Ordering::Relaxed);
                    }
                    SIGUSR2 => {
                        s.periodic.fetch_xor(true, Ordering::Relaxed);
                        s.epoch.fetch_add(1, Ordering::Relaxed);
                        timer_thread.unpark();
                    }
                    SIGINT => {
                        let level = s.level.load(Ordering::Relaxed).saturating_sub(1);
                        s.level.store(level, Ordering::Relaxed);
                        let bit = [ABORT, INT, NO_NEW_FLOWS][usize::from(level)];
                        s.pending.fetch_or(bit, Ordering::Relaxed);
                        if level == 0 {
                            break; // as T2: no signal has an effect any more
                        }
                    }
                    _ => term(&s),
                }
            }
        })?;
        Ok(Control { shared, handle: Some(handle), threads: vec![timer, waiter] })
    }

    /// The pending requests ([`REPORT`], [`NO_NEW_FLOWS`], [`INT`], [`TERM`], [`ABORT`]): one
    /// relaxed load, for the hot loop.
    #[inline]
    pub fn pending(&self) -> u8 {
        self.shared.pending.load(Ordering::Relaxed)
    }

    /// Takes the pending requests.
    pub fn take(&self) -> u8 {
        self.shared.pending.swap(0, Ordering::Relaxed)
    }

    /// The run terminates for another reason (end of input): level 1, where SIGTERM exits at
    /// once and SIGINT stops the output of flows.
    pub fn stopping(&self) {
        let _ = self.shared.level.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |l| (l > 1).then_some(1));
    }

    /// Whether a second SIGTERM stopped the run: flows it did not write are lost.
    pub fn terminated_twice(&self) -> bool {
        self.shared.terms.load(Ordering::Relaxed) > 1
    }

    /// Whether the run reached level 0: flows are no longer written.
    pub fn aborted(&self) -> bool {
        self.shared.level.load(Ordering::Relaxed) == 0
    }
}

impl Drop for Control {
    fn drop(&mut self) {
        self.shared.done.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            h.close();
        }
        for t in self.threads.drain(..) {
            t.thread().unpark();
            let _ = t.join();
        }
    }
}

/// SIGTERM: see the module's documentation. The notes go to stderr at once: the log may be a
/// file, and the user waits for them to decide on the next signal.
fn term(s: &Shared) {
    match s.terms.fetch_add(1, Ordering::Relaxed) {
        0 => {
            if s.level.swap(1, Ordering::Relaxed) <= 1 {
                eprintln!("[WRN] SIGTERM: still writing the remaining flows and the end report; SIGTERM again to stop");
            }
            s.pending.fetch_or(TERM, Ordering::Relaxed);
        }
        1 => {
            eprintln!("[WRN] SIGTERM again: stopping after the flow being written; a third SIGTERM exits at once");
            s.level.store(0, Ordering::Relaxed);
        }
        _ => {
            let _ = std::io::stdout().flush();
            crate::term::erase();
            eprintln!("[ERR] SIGTERM a third time: stopped at once, flows and the end report were not all written");
            std::process::exit(1);
        }
    }
}

/// Requests a report every `interval` while periodic reports are on (T2's SIGALRM timer).
fn timer(s: &Shared, interval: Duration) {
    let mut seen = s.epoch.load(Ordering::Relaxed);
    let mut next = Instant::now() + interval;
    while !s.done.load(Ordering::Relaxed) {
        let epoch = s.epoch.load(Ordering::Relaxed);
        if epoch != seen {
            seen = epoch;
            next = Instant::now() + interval;
        }
        if !s.periodic.load(Ordering::Relaxed) {
            thread::park();
            continue;
        }
        let now = Instant::now();
        if now >= next {
            s.pending.fetch_or(REPORT, Ordering::Relaxed);
            next += interval;
            if next <= now {
                next = now + interval;
            }
        } else {
            thread::park_timeout(next - now);
        }
    }
}
