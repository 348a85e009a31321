//! Signals (core.md §8, monitoring.md §3.2), handled off the packet path: a thread waits for
//! them and a timer thread raises the periodic reports; both only set atomics that the packet
//! loop polls with one load per packet.
//!
//! * SIGUSR1: one report.
//! * SIGUSR2: periodic reports every interval of wall time, on / off.
//! * SIGINT, SIGTERM: stop reading; the run then terminates every flow and writes the end
//!   report. A second one while terminating exits at once with status 1 (T2's SIGTERM rule).

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use signal_hook::consts::{SIGINT, SIGTERM, SIGUSR1, SIGUSR2};
use signal_hook::iterator::{Handle, Signals};

/// A report was requested.
pub const REPORT: u8 = 1;
/// SIGINT: stop reading.
pub const INT: u8 = 2;
/// SIGTERM: stop reading.
pub const TERM: u8 = 4;

#[derive(Debug, Default)]
struct Shared {
    /// [`REPORT`], [`INT`], [`TERM`] bits not yet taken by the packet loop.
    pending: AtomicU8,
    /// The run is terminating: a further SIGINT/SIGTERM exits at once.
    stopping: AtomicBool,
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
        let shared = Arc::new(Shared::default());
        shared.periodic.store(on, Ordering::Relaxed);
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
                    _ => {
                        if s.stopping.swap(true, Ordering::Relaxed) {
                            let _ = std::io::stdout().flush();
                            std::process::exit(1);
                        }
                        s.pending.fetch_or(if sig == SIGINT { INT } else { TERM }, Ordering::Relaxed);
                    }
                }
            }
        })?;
        Ok(Control { shared, handle: Some(handle), threads: vec![timer, waiter] })
    }

    /// The pending requests ([`REPORT`], [`INT`], [`TERM`]): one relaxed load, for the hot loop.
    #[inline]
    pub fn pending(&self) -> u8 {
        self.shared.pending.load(Ordering::Relaxed)
    }

    /// Takes the pending requests.
    pub fn take(&self) -> u8 {
        self.shared.pending.swap(0, Ordering::Relaxed)
    }

    /// The run terminates for another reason (end of input): a signal now exits at once.
    pub fn stopping(&self) {
        self.shared.stopping.store(true, Ordering::Relaxed);
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
