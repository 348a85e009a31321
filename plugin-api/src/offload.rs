//! A sink's other threads: records are copied into batches on the packet thread, and worker
//! threads turn them into output, so that rendering and the kernel's copy run beside the packet
//! loop on a machine with more than one core.
//!
//! A sink splits its work in two: a [`Render`] turns a record into bytes and needs nothing but
//! the record, so that every worker runs a copy of it on batches of its own; one [`Output`]
//! writes the rendered records, strictly in the order they were pushed, whichever thread
//! rendered them (a batch rendered ahead waits for the ones before it). The output is
//! therefore byte for byte what the sink would write on the packet thread.
//!
//! A batch is handed over once it holds [`BATCH`] bytes or its first record waited
//! [`MAX_WAIT`]; at most [`QUEUE`] batches wait for a worker. When they all wait, the packet
//! thread renders its batch itself instead of waiting, and at the end it renders beside the
//! workers: the records of the flows still open at the end of a capture (most of them in a
//! large one) are rendered on every thread the run may use. Memory stays bounded and a stop
//! loses nothing already pushed. Batches and their rendered text are recycled: after warm-up no
//! allocation, and one channel operation per batch rather than per record.
//!
//! Each record carries a `tag` from the packet thread (what the output must know of the run at
//! that record, e.g. the flow count for a message), and [`Offload::sync`] waits until every
//! record pushed was written, for what must be exact at a given moment (a count in the end
//! report). The host's functions (messages, failing the run) stay on the packet thread, which
//! learns of an error at its next [`Offload::push`], [`Offload::sync`] or at
//! [`Offload::finish`].
//!
//! When the run may use one thread only ([`crate::plugin::Init::threads`]: `--threads 1`, or
//! `-c`, a CPU set or quota of one) or when the sink asks, everything runs inline on the
//! packet thread instead, exactly as a sink without this module.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::plugin::Init;

/// Bytes of records gathered before a batch is handed to the workers.
pub const BATCH: usize = 256 * 1024;
/// Batches that may wait for a worker.
pub const QUEUE: usize = 2;
/// A batch is handed over at the first record pushed this long after its first one, full or
/// not, so that a slow trickle of records (a quiet interface) still reaches the output about
/// as soon as on the packet thread, where the output's own buffer decides.
pub const MAX_WAIT: Duration = Duration::from_secs(1);
/// The most worker threads of one sink: each holds a batch and its text (about 1 MiB).
pub const MAX_WORKERS: usize = 8;

/// The worker threads a sink's records may use in the run `init` describes: one less than the
/// run's threads (the packet thread renders too when the workers fall behind), none when the
/// run may use one thread or the flows go to stdout (where they stay in order with the core's
/// own output).
pub fn workers(init: &Init<'_>) -> usize {
    if init.flows_to_stdout() { 0 } else { (init.threads() as usize).saturating_sub(1).min(MAX_WORKERS) }
}

/// Turns one record into output bytes; every worker runs a clone.
pub trait Render: Clone + Send + 'static {
    /// Appends the output of `rec`, pushed with `tag`, to `out`. An error goes to the
    /// [`Output`] in the record's place, with what was appended before it.
    fn render(&mut self, tag: u64, rec: &[u8], out: &mut Vec<u8>) -> Result<(), String>;
}

/// Writes rendered records, in the order they were pushed.
pub trait Output: Send + 'static {
    /// Writes one record pushed with `tag`: the bytes its rendering appended, and the error
    /// it ended with, if any. An error returned is the run's error message; nothing is
    /// written after it.
    fn write(&mut self, tag: u64, text: &[u8], error: Option<String>) -> Result<(), String>;
}

/// Runs a [`Render`] and an [`Output`] on worker threads, or inline (see the module
/// documentation).
#[derive(Debug)]
pub struct Offload<R: Render, O: Output> {
    state: State<R, O>,
}

enum State<R: Render, O: Output> {
    Inline(R, O, Vec<u8>),
    Threaded(Pool<R, O>),
    /// Stopped by an error (already returned): records are dropped. No output after a panic.
    Failed(Option<O>),
}

impl<R: Render, O: Output> std::fmt::Debug for State<R, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            State::Inline(..) => "Inline",
            State::Threaded(_) => "Threaded",
            State::Failed(_) => "Failed",
        })
    }
}

/// Records of one batch, each as its length (u32), its tag (u64), both in native order, and
/// its bytes; `seq` is the batch's place in push order.
struct Batch {
    seq: u64,
    recs: Vec<u8>,
}

/// The output of a batch.
#[derive(Default)]
struct Rendered {
    seq: u64,
    text: Vec<u8>,
    /// Each record's tag, the end of its bytes in `text` and its rendering's error.
    recs: Vec<(u64, usize, Option<String>)>,
}

/// What the packet thread and the workers share.
struct Shared<O> {
    queue: Mutex<Receiver<Batch>>,
    commit: Mutex<Commit<O>>,
    /// Signalled whenever batches were written or the run failed.
    progress: Condvar,
    /// Set at the first error or panic: workers drop what they are given.
    failed: AtomicBool,
    /// Recycled batches.
    spare: Mutex<Vec<Vec<u8>>>,
}

/// The output and the batches rendered ahead of it.
struct Commit<O> {
    /// `None` after a panic.
    output: Option<O>,
    /// The batch to write next.
    next: u64,
    /// Batches rendered before their turn.
    waiting: Vec<Rendered>,
    /// The first error: the output's, or a panic's.
    error: Option<String>,
    /// Recycled outputs of batches.
    spare: Vec<Rendered>,
}

/// The packet thread's end of the workers.
struct Pool<R: Render, O: Output> {
    /// Records not handed over yet.
    batch: Vec<u8>,
    /// When the batch's first record was pushed.
    since: Instant,
    /// Batches handed over so far (the next one's `seq`).
    sent: u64,
    queue: Option<SyncSender<Batch>>,
    /// The packet thread's own renderer and output buffer, for when the workers fall behind.
    render: R,
    out: Rendered,
    shared: Arc<Shared<O>>,
    workers: Vec<JoinHandle<()>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // a panic is recorded as the run's error where it happens; the data stays usable
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl<R: Render, O: Output> Offload<R, O> {
    /// Runs `render` and `output` on `workers` threads, or inline with none. Threads that
    /// cannot be started mean fewer workers; none started means inline.
    pub fn new(render: R, output: O, workers: usize) -> Offload<R, O> {
        if workers == 0 {
            return Offload { state: State::Inline(render, output, Vec::new()) };
        }
        let (queue, queue_rx) = sync_channel::<Batch>(QUEUE);
        let shared = Arc::new(Shared {
            queue: Mutex::new(queue_rx),
            commit: Mutex::new(Commit {
                output: Some(output),
                next: 0,
                waiting: Vec::new(),
                error: None,
                spare: Vec::new(),
            }),
            progress: Condvar::new(),
            failed: AtomicBool::new(false),
            spare: Mutex::new(Vec::new()),
        });
        let spawn = |i: usize| {
            let (shared, mut render) = (shared.clone(), render.clone());
            std::thread::Builder::new().name(format!("sink-worker-{i}")).spawn(move || {
                let mut out = Rendered::default();
                let res = catch_unwind(AssertUnwindSafe(|| {
                    while let Some(batch) = shared.take() {
                        shared.render_and_write(&mut render, batch, &mut out);
                    }
                }));
                if let Err(panic) = res {
                    shared.panicked(panic);
                }
            })
        };
        let workers: Vec<JoinHandle<()>> = (0..workers).map_while(|i| spawn(i).ok()).collect();
        if workers.is_empty() {
            let output = lock(&shared.commit).output.take().expect("no worker took it");
            return Offload { state: State::Inline(render, output, Vec::new()) };
        }
        let pool = Pool {
            batch: Vec::with_capacity(BATCH + 4096),
            since: Instant::now(),
            sent: 0,
            queue: Some(queue),
            render,
            out: Rendered::default(),
            shared,
            workers,
        };
        Offload { state: State::Threaded(pool) }
    }

    /// Whether records go to worker threads.
    pub fn is_threaded(&self) -> bool {
        matches!(self.state, State::Threaded(_))
    }

    /// Hands `rec` with `tag` over. `Err` is the first error (once; later records are
    /// dropped): with workers, it comes at the first push after the failure.
    pub fn push(&mut self, tag: u64, rec: &[u8]) -> Result<(), String> {
        match &mut self.state {
            State::Inline(render, output, out) => {
                out.clear();
                let error = render.render(tag, rec, out).err();
                let res = output.write(tag, out, error);
                if res.is_err() {
                    self.state = match std::mem::replace(&mut self.state, State::Failed(None)) {
                        State::Inline(_, output, _) => State::Failed(Some(output)),
                        other => other,
                    };
                }
                res
            }
            State::Threaded(p) => {
                if p.shared.failed.load(Ordering::Relaxed) {
                    return self.stop();
                }
                // a clock read per record (vDSO, no system call), not per packet
                let now = Instant::now();
                if p.batch.is_empty() {
                    p.since = now;
                }
                p.batch.extend_from_slice(&(rec.len() as u32).to_ne_bytes());
                p.batch.extend_from_slice(&tag.to_ne_bytes());
                p.batch.extend_from_slice(rec);
                let due = p.batch.len() >= BATCH || now.duration_since(p.since) >= MAX_WAIT;
                if due && !p.hand_over() {
                    return self.stop();
                }
                Ok(())
            }
            State::Failed(_) => Ok(()),
        }
    }

    /// Waits until every record pushed so far was written (at once inline). `Err` as for
    /// [`Offload::push`].
    pub fn sync(&mut self) -> Result<(), String> {
        let State::Threaded(p) = &mut self.state else { return Ok(()) };
        if p.hand_over() {
            let shared = &p.shared;
            let mut c = lock(&shared.commit);
            while c.next < p.sent && !shared.failed.load(Ordering::Relaxed) {
                c = shared.progress.wait(c).unwrap_or_else(|e| e.into_inner());
            }
        }
        if p.shared.failed.load(Ordering::Relaxed) {
            return self.stop();
        }
        Ok(())
    }

    /// Writes every record pushed (rendering beside the workers) and returns the output, with
    /// the error not returned yet, if any. `None` after a panic (its message is the error).
    pub fn finish(mut self) -> (Option<O>, Result<(), String>) {
        match std::mem::replace(&mut self.state, State::Failed(None)) {
            State::Inline(_, output, _) => (Some(output), Ok(())),
            State::Failed(output) => (output, Ok(())),
            State::Threaded(mut p) => {
                if p.hand_over() {
                    p.queue = None;
                    // the queue is closed: what it holds goes to whichever thread is free
                    while let Some(batch) = p.shared.take() {
                        p.shared.render_and_write(&mut p.render, batch, &mut p.out);
                    }
                }
                let (output, err) = p.join();
                (output, err.map_or(Ok(()), Err))
            }
        }
    }

    /// Waits for the output as [`Offload::finish`] does, then ends it with `close` unless an
    /// error came first; the first error, if any.
    pub fn close(self, close: impl FnOnce(&mut O) -> Result<(), String>) -> Result<(), String> {
        match self.finish() {
            (Some(mut o), Ok(())) => close(&mut o),
            (_, res) => res,
        }
    }

    /// Stops the workers after an error and returns it.
    fn stop(&mut self) -> Result<(), String> {
        let State::Threaded(p) = std::mem::replace(&mut self.state, State::Failed(None)) else { return Ok(()) };
        let (output, err) = p.join();
        self.state = State::Failed(output);
        err.map_or(Ok(()), Err)
    }
}

impl<R: Render, O: Output> Pool<R, O> {
    /// Hands the batch to the workers, or renders it here when [`QUEUE`] batches already
    /// wait, and starts a recycled one; false if the run failed.
    fn hand_over(&mut self) -> bool {
        if self.batch.is_empty() {
            return true;
        }
        let next = lock(&self.shared.spare).pop().unwrap_or_else(|| Vec::with_capacity(BATCH + 4096));
        let batch = Batch { seq: self.sent, recs: std::mem::replace(&mut self.batch, next) };
        self.sent += 1;
        let Some(queue) = &self.queue else { return false };
        match queue.try_send(batch) {
            Ok(()) => true,
            Err(TrySendError::Full(batch)) => {
                self.shared.render_and_write(&mut self.render, batch, &mut self.out);
                !self.shared.failed.load(Ordering::Relaxed)
            }
            Err(TrySendError::Disconnected(_)) => false,
        }
    }

    /// Closes the queue and waits for the workers: the output (unless a panic took it) and the
    /// first error.
    fn join(mut self) -> (Option<O>, Option<String>) {
        self.queue = None;
        for w in self.workers.drain(..) {
            // a worker's panic was caught and recorded where it happened
            let _ = w.join();
        }
        let mut c = lock(&self.shared.commit);
        (c.output.take(), c.error.take())
    }
}

impl<O: Output> Shared<O> {
    /// The next batch, waiting for one; `None` once the queue is closed and empty.
    fn take(&self) -> Option<Batch> {
        // the lock is released before the batch is rendered, so that threads render at once
        let next = lock(&self.queue).recv();
        next.ok()
    }

    /// Renders `batch` into `out` and writes it, with every batch rendered ahead of it that
    /// is now due; a batch before it still being rendered leaves it waiting instead.
    fn render_and_write<R: Render>(&self, render: &mut R, batch: Batch, out: &mut Rendered) {
        if !self.failed.load(Ordering::Relaxed) {
            out.seq = batch.seq;
            out.text.clear();
            out.recs.clear();
            let mut rest = batch.recs.as_slice();
            while let Some((len, tail)) = rest.split_first_chunk::<4>() {
                let len = u32::from_ne_bytes(*len) as usize;
                let Some((tag, tail)) = tail.split_first_chunk::<8>() else { break };
                let (rec, tail) = tail.split_at(len);
                let tag = u64::from_ne_bytes(*tag);
                let error = render.render(tag, rec, &mut out.text).err();
                out.recs.push((tag, out.text.len(), error));
                rest = tail;
            }
        }
        let mut recs = batch.recs;
        recs.clear();
        lock(&self.spare).push(recs);
        if self.failed.load(Ordering::Relaxed) {
            // the error was recorded; this batch is never written
            return self.progress.notify_all();
        }
        let mut c = lock(&self.commit);
        if out.seq != c.next {
            let spare = c.spare.pop().unwrap_or_default();
            c.waiting.push(std::mem::replace(out, spare));
            return;
        }
        c.write(out, &self.failed);
        while let Some(i) = c.waiting.iter().position(|r| r.seq == c.next) {
            let due = c.waiting.swap_remove(i);
            c.write(&due, &self.failed);
            c.spare.push(due);
        }
        drop(c);
        self.progress.notify_all();
    }

    /// Records a worker's panic as the run's error; the output may be half-written, so it is
    /// not used again.
    fn panicked(&self, panic: Box<dyn std::any::Any + Send>) {
        let msg = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let mut c = lock(&self.commit);
        c.error.get_or_insert(format!("panicked: {msg}"));
        c.output = None;
        self.failed.store(true, Ordering::Relaxed);
        drop(c);
        self.progress.notify_all();
    }
}

impl<O: Output> Commit<O> {
    /// Writes the records of `r`, the batch due; at an error, records it and fails the run.
    fn write(&mut self, r: &Rendered, failed: &AtomicBool) {
        self.next = r.seq + 1;
        let Some(output) = self.output.as_mut().filter(|_| self.error.is_none()) else { return };
        let mut start = 0;
        for (tag, end, error) in &r.recs {
            let text = &r.text[std::mem::replace(&mut start, *end)..*end];
            if let Err(e) = output.write(*tag, text, error.clone()) {
                self.error = Some(e);
                failed.store(true, Ordering::Relaxed);
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    /// Renders a record as its bytes; one tagged [`BAD`] fails to render, one tagged [`PANIC`]
    /// panics.
    #[derive(Clone)]
    struct Copy;
    const BAD: u64 = u64::MAX;
    const PANIC: u64 = u64::MAX - 1;

    impl Render for Copy {
        fn render(&mut self, tag: u64, rec: &[u8], out: &mut Vec<u8>) -> Result<(), String> {
            out.extend_from_slice(rec);
            match tag {
                BAD => Err(format!("bad {}", rec.len())),
                PANIC => panic!("boom"),
                _ => Ok(()),
            }
        }
    }

    /// Keeps what it was given, each record with its tag; fails at record `fail_at`. `count`
    /// is seen from the packet thread.
    struct Keep {
        seen: Vec<(u64, Vec<u8>, Option<String>)>,
        fail_at: Option<usize>,
        count: Arc<AtomicUsize>,
    }

    impl Keep {
        fn new(fail_at: Option<usize>) -> Keep {
            Keep { seen: Vec::new(), fail_at, count: Arc::default() }
        }
    }

    impl Output for Keep {
        fn write(&mut self, tag: u64, text: &[u8], error: Option<String>) -> Result<(), String> {
            if self.fail_at == Some(self.seen.len()) {
                return Err(format!("failed at {}", self.seen.len()));
            }
            self.seen.push((tag, text.to_vec(), error));
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

    fn kept(recs: &[(u64, Vec<u8>)]) -> Vec<(u64, Vec<u8>, Option<String>)> {
        recs.iter().map(|(t, r)| (*t, r.clone(), None)).collect()
    }

    /// Inline, one worker (the packet thread renders beside it) and several.
    const WORKERS: [usize; 3] = [0, 1, 3];

    #[test]
    fn every_record_in_order_with_its_tag_inline_and_on_workers() {
        let recs = records(5000);
        for workers in WORKERS {
            let mut o = Offload::new(Copy, Keep::new(None), workers);
            assert_eq!(o.is_threaded(), workers > 0);
            for (tag, r) in &recs {
                o.push(*tag, r).unwrap();
            }
            let (out, res) = o.finish();
            assert_eq!(res, Ok(()));
            assert_eq!(out.unwrap().seen, kept(&recs), "workers: {workers}");
        }
    }

    #[test]
    fn a_rendering_error_reaches_the_output_in_its_place_with_its_text() {
        let mut recs = records(3000);
        for i in [0, 1234, 2999] {
            recs[i].0 = BAD;
        }
        for workers in WORKERS {
            let mut o = Offload::new(Copy, Keep::new(None), workers);
            for (tag, r) in &recs {
                o.push(*tag, r).unwrap();
            }
            let (out, res) = o.finish();
            assert_eq!(res, Ok(()));
            let want: Vec<_> =
                recs.iter().map(|(t, r)| (*t, r.clone(), (*t == BAD).then(|| format!("bad {}", r.len())))).collect();
            assert_eq!(out.unwrap().seen, want, "workers: {workers}");
        }
    }

    #[test]
    fn sync_waits_until_every_record_pushed_was_written() {
        let recs = records(3000);
        for workers in WORKERS {
            let keep = Keep::new(None);
            let count = keep.count.clone();
            let mut o = Offload::new(Copy, keep, workers);
            for (i, (tag, r)) in recs.iter().enumerate() {
                o.push(*tag, r).unwrap();
                // at batch ends, in the middle of batches, and twice in a row
                if i % 97 == 0 || i == 1500 {
                    o.sync().unwrap();
                    assert_eq!(count.load(Ordering::Relaxed), i + 1, "workers: {workers}");
                }
            }
            o.sync().unwrap();
            o.sync().unwrap();
            assert_eq!(count.load(Ordering::Relaxed), recs.len());
            let (out, res) = o.finish();
            assert_eq!(res, Ok(()));
            assert_eq!(out.unwrap().seen, kept(&recs), "workers: {workers}");
        }
    }

    #[test]
    fn a_batch_waits_at_most_max_wait() {
        let keep = Keep::new(None);
        let count = keep.count.clone();
        let mut o = Offload::new(Copy, keep, 1);
        o.push(1, b"first").unwrap();
        std::thread::sleep(MAX_WAIT + Duration::from_millis(50));
        assert_eq!(count.load(Ordering::Relaxed), 0, "a small batch waits for more");
        o.push(2, b"second").unwrap();
        // the worker writes the batch handed over without being asked to sync
        let end = Instant::now() + Duration::from_secs(10);
        while count.load(Ordering::Relaxed) < 2 && Instant::now() < end {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(count.load(Ordering::Relaxed), 2);
        let (out, res) = o.finish();
        assert_eq!((out.unwrap().seen.len(), res), (2, Ok(())));
    }

    #[test]
    fn the_first_error_is_returned_once_and_later_records_are_dropped() {
        let recs = records(3000);
        for workers in WORKERS {
            let mut o = Offload::new(Copy, Keep::new(Some(700)), workers);
            let errors: Vec<String> = recs.iter().filter_map(|(tag, r)| o.push(*tag, r).err()).collect();
            let (out, res) = o.finish();
            // a worker's error comes at a later push, or at the end if the run ends first
            let all: Vec<String> = errors.into_iter().chain(res.err()).collect();
            assert_eq!(all, vec!["failed at 700".to_owned()], "workers: {workers}");
            assert_eq!(out.unwrap().seen, kept(&recs[..700]), "workers: {workers}");
        }
    }

    #[test]
    fn sync_returns_the_error_of_an_output_that_failed() {
        let recs = records(1000);
        for workers in WORKERS {
            let mut o = Offload::new(Copy, Keep::new(Some(10)), workers);
            let mut errors: Vec<String> = recs[..20].iter().filter_map(|(tag, r)| o.push(*tag, r).err()).collect();
            errors.extend(o.sync().err());
            assert_eq!(errors, vec!["failed at 10".to_owned()], "workers: {workers}");
            // once said, never again; what follows is dropped
            assert_eq!(o.sync(), Ok(()));
            assert_eq!(o.push(0, b"later"), Ok(()));
            let (out, res) = o.finish();
            assert_eq!(res, Ok(()));
            assert_eq!(out.unwrap().seen, kept(&recs[..10]), "workers: {workers}");
        }
    }

    /// Counts the renders begun; the first two each wait (up to 10 s) until both have begun,
    /// and count in `met` whether they met.
    #[derive(Clone, Default)]
    struct Meet {
        begun: Arc<AtomicUsize>,
        met: Arc<AtomicUsize>,
    }

    impl Render for Meet {
        fn render(&mut self, tag: u64, rec: &[u8], out: &mut Vec<u8>) -> Result<(), String> {
            self.begun.fetch_add(1, Ordering::SeqCst);
            if tag < 2 {
                let end = Instant::now() + Duration::from_secs(10);
                while self.begun.load(Ordering::SeqCst) < 2 && Instant::now() < end {
                    std::thread::sleep(Duration::from_millis(1));
                }
                if self.begun.load(Ordering::SeqCst) >= 2 {
                    self.met.fetch_add(1, Ordering::SeqCst);
                }
            }
            out.extend_from_slice(rec);
            Ok(())
        }
    }

    /// Two batches are rendered at the same time: by two workers, or at the end by the one
    /// worker and the packet thread.
    #[test]
    fn batches_are_rendered_side_by_side() {
        // a record of a batch's size fills its batch
        let recs: Vec<(u64, Vec<u8>)> = (0..2).map(|i| (i, vec![i as u8; BATCH])).collect();
        for workers in [1, 2] {
            let meet = Meet::default();
            let met = meet.met.clone();
            let mut o = Offload::new(meet, Keep::new(None), workers);
            for (tag, r) in &recs {
                o.push(*tag, r).unwrap();
            }
            let (out, res) = o.finish();
            assert_eq!(res, Ok(()));
            assert_eq!(out.unwrap().seen, kept(&recs), "workers: {workers}");
            assert_eq!(met.load(Ordering::SeqCst), 2, "workers: {workers}: the two renders did not overlap");
        }
    }

    #[test]
    fn a_panic_on_a_worker_is_an_error() {
        // the first batch (four records) always goes to the worker: the queue is empty
        let recs: Vec<(u64, Vec<u8>)> =
            (0..200).map(|i| (if i == 3 { PANIC } else { i }, vec![0; BATCH / 4])).collect();
        let mut o = Offload::new(Copy, Keep::new(None), 1);
        let mut errors: Vec<String> = recs.iter().filter_map(|(tag, r)| o.push(*tag, r).err()).collect();
        errors.extend(o.sync().err());
        assert_eq!(errors, vec!["panicked: boom".to_owned()]);
        let (out, res) = o.finish();
        assert!(out.is_none(), "a panic leaves the output unused");
        assert_eq!(res, Ok(()));
    }
}
