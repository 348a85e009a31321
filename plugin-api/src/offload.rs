//! A sink's second thread: records are copied into batches on the packet thread and a worker
//! thread turns them into output (renders and writes them), so that rendering and the kernel's
//! copy run beside the packet loop on a machine with more than one core.
//!
//! The worker only ever runs the [`Consumer`]: the host's functions (messages, failing the
//! run) stay on the packet thread, which learns of a failure at its next [`Offload::push`] or
//! at [`Offload::finish`]. Records reach the consumer in the order they were pushed, so the
//! output is byte for byte what the consumer would write on the packet thread. A batch is
//! handed over once it holds [`BATCH`] bytes or its first record waited [`MAX_WAIT`]; at
//! most [`QUEUE`] full batches wait, so a slow output holds the packet loop back (no unbounded
//! memory) and a stop loses nothing already pushed. Batches are recycled: after warm-up no
//! allocation, and one channel operation per batch rather than per record. Each record carries a `tag` from the packet thread (what the
//! consumer must know of the run at that record, e.g. the flow count for a message), and
//! [`Offload::sync`] waits until the consumer has caught up, for what must be exact at a
//! given moment (a count in the end report).
//!
//! When the run may use one thread only ([`crate::plugin::Init::threads`]: `--threads 1`, or
//! `-c`, a CPU set or quota of one) or when the sink asks, the consumer runs inline on the
//! packet thread instead, exactly as a sink without this module.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, sync_channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::plugin::Init;

/// Bytes of records gathered before a batch is handed to the worker.
pub const BATCH: usize = 256 * 1024;
/// Full batches that may wait for the worker.
pub const QUEUE: usize = 2;
/// A batch is handed over at the first record pushed this long after its first one, full or
/// not, so that a slow trickle of records (a quiet interface) still reaches the output about
/// as soon as on the packet thread, where the output's own buffer decides.
pub const MAX_WAIT: Duration = Duration::from_secs(1);

/// Whether a sink's records may go to a worker in the run `init` describes: it may use more
/// than one thread, and the flows do not go to stdout (where they stay in order with the core's
/// own output).
pub fn wanted(init: &Init<'_>) -> bool {
    init.threads() > 1 && !init.flows_to_stdout()
}

/// What turns records into output, on whichever thread [`Offload`] runs it.
pub trait Consumer: Send + 'static {
    /// Consumes one record, with the `tag` it was pushed with. An error is the run's error
    /// message; the consumer is given no further record after it.
    fn record(&mut self, tag: u64, rec: &[u8]) -> Result<(), String>;
}

/// Runs a [`Consumer`] on a worker thread, or inline (see the module documentation).
#[derive(Debug)]
pub struct Offload<C: Consumer> {
    state: State<C>,
}

enum State<C: Consumer> {
    Inline(C),
    Threaded(Worker<C>),
    /// Stopped by an error (already returned by `push`): records are dropped.
    Failed(C),
    /// Between states, and after a worker that panicked.
    Gone,
}

impl<C: Consumer> std::fmt::Debug for State<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            State::Inline(_) => "Inline",
            State::Threaded(_) => "Threaded",
            State::Failed(_) => "Failed",
            State::Gone => "Gone",
        })
    }
}

/// The packet thread's end of a worker.
struct Worker<C: Consumer> {
    /// Records not handed over yet, each as its length (u32), its tag (u64), both in native
    /// order, and its bytes. An empty batch asks the worker to answer on `synced`.
    batch: Vec<u8>,
    full: SyncSender<Vec<u8>>,
    empty: Receiver<Vec<u8>>,
    /// The worker's answer to an empty batch: every record before it was consumed.
    synced: Receiver<()>,
    /// When the batch's first record was pushed.
    since: Instant,
    /// Set by the worker when the consumer failed.
    failed: Arc<AtomicBool>,
    handle: JoinHandle<(C, Option<String>)>,
}

impl<C: Consumer> Offload<C> {
    /// Runs `consumer` on a worker thread (`threaded`) or inline. A thread that cannot be
    /// started means inline.
    pub fn with_thread(consumer: C, threaded: bool) -> Offload<C> {
        if !threaded {
            return Offload { state: State::Inline(consumer) };
        }
        let (full, full_rx) = sync_channel::<Vec<u8>>(QUEUE);
        let (empty_tx, empty) = sync_channel::<Vec<u8>>(QUEUE + 1);
        let (synced_tx, synced) = sync_channel::<()>(1);
        let failed = Arc::new(AtomicBool::new(false));
        let flag = failed.clone();
        // The consumer moves to the worker and back at the end. A spawn that fails drops the
        // closure, so the consumer waits in a slot the closure empties, to be recovered.
        let slot = Arc::new(std::sync::Mutex::new(Some(consumer)));
        let theirs = slot.clone();
        let spawned = std::thread::Builder::new().name("sink-writer".into()).spawn(move || {
            let consumer = theirs.lock().unwrap_or_else(|p| p.into_inner()).take().expect("moved once");
            work(consumer, &full_rx, &empty_tx, &synced_tx, &flag)
        });
        match spawned {
            Ok(handle) => Offload {
                state: State::Threaded(Worker {
                    batch: Vec::with_capacity(BATCH + 4096),
                    full,
                    empty,
                    synced,
                    since: Instant::now(),
                    failed,
                    handle,
                }),
            },
            Err(_) => {
                let consumer = slot.lock().unwrap_or_else(|p| p.into_inner()).take().expect("not spawned");
                Offload { state: State::Inline(consumer) }
            }
        }
    }

    /// Whether records go to a worker thread.
    pub fn is_threaded(&self) -> bool {
        matches!(self.state, State::Threaded(_))
    }

    /// Hands `rec` with `tag` to the consumer. `Err` is the consumer's first error (once;
    /// later records are dropped): on a worker, it comes at the first push after the failure.
    pub fn push(&mut self, tag: u64, rec: &[u8]) -> Result<(), String> {
        match &mut self.state {
            State::Inline(c) => {
                let res = c.record(tag, rec);
                if res.is_err() {
                    self.fail();
                }
                res
            }
            State::Threaded(w) => {
                if w.failed.load(Ordering::Relaxed) {
                    return self.stop();
                }
                // a clock read per record (vDSO, no system call), not per packet
                let now = Instant::now();
                if w.batch.is_empty() {
                    w.since = now;
                }
                w.batch.extend_from_slice(&(rec.len() as u32).to_ne_bytes());
                w.batch.extend_from_slice(&tag.to_ne_bytes());
                w.batch.extend_from_slice(rec);
                let due = w.batch.len() >= BATCH || now.duration_since(w.since) >= MAX_WAIT;
                if due && !w.hand_over() {
                    return self.stop();
                }
                Ok(())
            }
            State::Failed(_) | State::Gone => Ok(()),
        }
    }

    /// Waits until the consumer has consumed every record pushed so far (at once inline).
    /// `Err` as for [`Offload::push`].
    pub fn sync(&mut self) -> Result<(), String> {
        let State::Threaded(w) = &mut self.state else { return Ok(()) };
        let answered = w.hand_over() && w.full.send(Vec::new()).is_ok() && w.synced.recv().is_ok();
        if !answered || w.failed.load(Ordering::Relaxed) {
            return self.stop();
        }
        Ok(())
    }

    /// Waits until every record pushed was consumed and returns the consumer, with the error
    /// `push` has not returned yet, if any. `None` if the worker panicked (its message is in
    /// the error).
    pub fn finish(mut self) -> (Option<C>, Result<(), String>) {
        match std::mem::replace(&mut self.state, State::Gone) {
            State::Inline(c) | State::Failed(c) => (Some(c), Ok(())),
            State::Threaded(mut w) => {
                w.hand_over();
                let (c, err) = w.join();
                (c, err.map_or(Ok(()), Err))
            }
            State::Gone => (None, Ok(())),
        }
    }

    /// Waits for the consumer as [`Offload::finish`] does, then ends its output with `close`
    /// unless an error came first; the first error, if any.
    pub fn close(self, close: impl FnOnce(&mut C) -> Result<(), String>) -> Result<(), String> {
        match self.finish() {
            (Some(mut c), Ok(())) => close(&mut c),
            (_, res) => res,
        }
    }

    /// After an inline error: drop what follows.
    fn fail(&mut self) {
        if let State::Inline(c) = std::mem::replace(&mut self.state, State::Gone) {
            self.state = State::Failed(c);
        }
    }

    /// Joins a worker that failed and returns its error.
    fn stop(&mut self) -> Result<(), String> {
        let State::Threaded(w) = std::mem::replace(&mut self.state, State::Gone) else { return Ok(()) };
        let (c, err) = w.join();
        if let Some(c) = c {
            self.state = State::Failed(c);
        }
        err.map_or(Ok(()), Err)
    }
}

impl<C: Consumer> Worker<C> {
    /// Sends the batch to the worker (waiting while [`QUEUE`] batches wait) and starts a
    /// recycled one; false if the worker is gone.
    fn hand_over(&mut self) -> bool {
        if self.batch.is_empty() {
            return true;
        }
        let next = match self.empty.try_recv() {
            Ok(v) => v,
            Err(TryRecvError::Empty | TryRecvError::Disconnected) => Vec::with_capacity(BATCH + 4096),
        };
        let batch = std::mem::replace(&mut self.batch, next);
        self.full.send(batch).is_ok()
    }

    /// Closes the queue and waits for the worker: the consumer (unless it panicked) and its
    /// error.
    fn join(self) -> (Option<C>, Option<String>) {
        drop(self.full);
        match self.handle.join() {
            Ok((c, err)) => (Some(c), err),
            Err(panic) => {
                let msg = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                (None, Some(format!("panicked: {msg}")))
            }
        }
    }
}

/// The worker thread: consumes batches until the queue closes or the consumer fails.
fn work<C: Consumer>(
    mut c: C,
    full: &Receiver<Vec<u8>>,
    empty: &SyncSender<Vec<u8>>,
    synced: &SyncSender<()>,
    failed: &AtomicBool,
) -> (C, Option<String>) {
    while let Ok(mut batch) = full.recv() {
        if batch.is_empty() {
            // the packet thread waits for this answer, so the slot is free
            let _ = synced.send(());
            continue;
        }
        let mut rest = batch.as_slice();
        while let Some((len, tail)) = rest.split_first_chunk::<4>() {
            let len = u32::from_ne_bytes(*len) as usize;
            let Some((tag, tail)) = tail.split_first_chunk::<8>() else { break };
            let (rec, tail) = tail.split_at(len);
            if let Err(e) = c.record(u64::from_ne_bytes(*tag), rec) {
                failed.store(true, Ordering::Relaxed);
                return (c, Some(e));
            }
            rest = tail;
        }
        batch.clear();
        // a full recycling queue drops the batch: it is reallocated when needed
        let _ = empty.try_send(batch);
    }
    (c, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    /// Keeps what it was given, each record with its tag; fails at record `fail_at`. `count`
    /// is seen from the packet thread.
    struct Keep {
        seen: Vec<(u64, Vec<u8>)>,
        fail_at: Option<usize>,
        count: Arc<AtomicUsize>,
    }

    impl Keep {
        fn new(fail_at: Option<usize>) -> Keep {
            Keep { seen: Vec::new(), fail_at, count: Arc::default() }
        }
    }

    impl Consumer for Keep {
        fn record(&mut self, tag: u64, rec: &[u8]) -> Result<(), String> {
            if self.fail_at == Some(self.seen.len()) {
                return Err(format!("failed at {}", self.seen.len()));
            }
            self.seen.push((tag, rec.to_vec()));
            self.count.fetch_add(1, Ordering::Relaxed);
            Ok(())
        }
    }

    fn records(n: usize) -> Vec<(u64, Vec<u8>)> {
        // sizes from 0 to a few KiB, so batches end between records of every size
        (0..n)
            .map(|i| ((i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15), vec![(i % 251) as u8; (i * 37) % 5000]))
            .collect()
    }

    #[test]
    fn every_record_in_order_with_its_tag_on_a_worker_and_inline() {
        let recs = records(2000);
        for threaded in [true, false] {
            let mut o = Offload::with_thread(Keep::new(None), threaded);
            assert_eq!(o.is_threaded(), threaded);
            for (tag, r) in &recs {
                o.push(*tag, r).unwrap();
            }
            let (c, res) = o.finish();
            assert_eq!(res, Ok(()));
            assert_eq!(c.unwrap().seen, recs, "threaded: {threaded}");
        }
    }

    #[test]
    fn sync_waits_until_every_record_pushed_was_consumed() {
        let recs = records(3000);
        for threaded in [true, false] {
            let keep = Keep::new(None);
            let count = keep.count.clone();
            let mut o = Offload::with_thread(keep, threaded);
            for (i, (tag, r)) in recs.iter().enumerate() {
                o.push(*tag, r).unwrap();
                // at batch ends, in the middle of batches, and twice in a row
                if i % 97 == 0 || i == 1500 {
                    o.sync().unwrap();
                    assert_eq!(count.load(Ordering::Relaxed), i + 1, "threaded: {threaded}");
                }
            }
            o.sync().unwrap();
            o.sync().unwrap();
            assert_eq!(count.load(Ordering::Relaxed), recs.len());
            let (c, res) = o.finish();
            assert_eq!(res, Ok(()));
            assert_eq!(c.unwrap().seen, recs, "threaded: {threaded}");
        }
    }

    #[test]
    fn a_batch_waits_at_most_max_wait() {
        let keep = Keep::new(None);
        let count = keep.count.clone();
        let mut o = Offload::with_thread(keep, true);
        o.push(1, b"first").unwrap();
        std::thread::sleep(MAX_WAIT + Duration::from_millis(50));
        assert_eq!(count.load(Ordering::Relaxed), 0, "a small batch waits for more");
        o.push(2, b"second").unwrap();
        // the worker consumes the batch handed over without being asked to sync
        let end = Instant::now() + Duration::from_secs(10);
        while count.load(Ordering::Relaxed) < 2 && Instant::now() < end {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(count.load(Ordering::Relaxed), 2);
        let (c, res) = o.finish();
        assert_eq!((c.unwrap().seen.len(), res), (2, Ok(())));
    }

    #[test]
    fn the_first_error_is_returned_once_and_later_records_are_dropped() {
        let recs = records(3000);
        for threaded in [true, false] {
            let mut o = Offload::with_thread(Keep::new(Some(700)), threaded);
            let errors: Vec<String> = recs.iter().filter_map(|(tag, r)| o.push(*tag, r).err()).collect();
            let (c, res) = o.finish();
            // the worker's error comes at a later push, or at the end if the run ends first
            let all: Vec<String> = errors.into_iter().chain(res.err()).collect();
            assert_eq!(all, vec!["failed at 700".to_owned()], "threaded: {threaded}");
            assert_eq!(c.unwrap().seen, recs[..700], "threaded: {threaded}");
        }
    }

    #[test]
    fn sync_returns_the_error_of_a_consumer_that_failed() {
        let recs = records(1000);
        for threaded in [true, false] {
            let mut o = Offload::with_thread(Keep::new(Some(10)), threaded);
            let mut errors: Vec<String> = recs[..20].iter().filter_map(|(tag, r)| o.push(*tag, r).err()).collect();
            errors.extend(o.sync().err());
            assert_eq!(errors, vec!["failed at 10".to_owned()], "threaded: {threaded}");
            // once said, never again; what follows is dropped
            assert_eq!(o.sync(), Ok(()));
            assert_eq!(o.push(0, b"later"), Ok(()));
            let (c, res) = o.finish();
            assert_eq!(res, Ok(()));
            assert_eq!(c.unwrap().seen, recs[..10], "threaded: {threaded}");
        }
    }

    #[test]
    fn a_panicking_consumer_is_an_error() {
        struct Panics;
        impl Consumer for Panics {
            fn record(&mut self, _: u64, _: &[u8]) -> Result<(), String> {
                panic!("boom")
            }
        }
        let mut o = Offload::with_thread(Panics, true);
        let errors: Vec<String> = records(2000).iter().filter_map(|(tag, r)| o.push(*tag, r).err()).collect();
        let (c, res) = o.finish();
        assert!(c.is_none());
        let all: Vec<String> = errors.into_iter().chain(res.err()).collect();
        assert_eq!(all, vec!["panicked: boom".to_owned()]);
    }
}
