//! The writer thread: flow records handed over in batches through a bounded queue, decoded and
//! written by a [`Backend`] with bounded retries, and the accounting of what was delivered.
//!
//! The packet thread only appends each record to the open batch and hands full batches over,
//! so a slow database costs it nothing until the queue is full; then it waits, and the end
//! report says how often. A batch the backend cannot write after its retries is lost and so is
//! every later flow (no more attempts, so a dead server cannot stall the run); the end report
//! counts both and the run exits with status 1.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use plugin_api::{Host, Report};

use crate::row::{Field, RowDecoder};

/// A database connection that writes rows.
pub trait Backend: Send + 'static {
    /// Connects (again) and makes sure the table is there. Called once at start (in the
    /// plugin's `init`) and again before each retry; must give up within its own timeouts.
    fn connect(&mut self) -> Result<(), String>;
    /// Writes `rows` and commits them (one transaction or request); within its timeouts.
    fn write(&mut self, rows: &[Vec<Field>]) -> Result<(), String>;
}

/// How records are batched and how often a failed batch is tried again.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    /// Flows per batch (one transaction or insert each).
    pub batch_flows: usize,
    /// A batch open this long is handed over with the next flow, however small.
    pub interval: Option<Duration>,
    /// Batches the queue holds before the packet thread waits.
    pub queue_batches: usize,
    /// Tries after the first failure (each reconnects first).
    pub retries: u32,
    /// Wait before the first retry, doubled for each further one.
    pub retry_wait: Duration,
}

/// Records of one batch, back to back.
#[derive(Debug, Default)]
struct Batch {
    data: Vec<u8>,
    /// End offset of each record in `data`.
    ends: Vec<usize>,
}

impl Batch {
    fn len(&self) -> usize {
        self.ends.len()
    }

    fn records(&self) -> impl Iterator<Item = &[u8]> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts.zip(&self.ends).map(|(s, &e)| &self.data[s..e])
    }
}

/// What the writer thread did; shared with the plugin.
#[derive(Debug, Default)]
struct State {
    delivered: u64,
    lost: u64,
    /// Records that do not decode (T2: "discarded due to main buffer problems").
    discarded: u64,
    /// Batches done (written, lost or discarded).
    done: u64,
    /// Errors not logged yet.
    errors: Vec<String>,
}

#[derive(Debug, Default)]
struct Shared {
    state: Mutex<State>,
    changed: Condvar,
    /// `state.errors` has errors: the packet thread looks at this, not at the lock.
    errors: AtomicBool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking writer leaves counts that are still right.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The counts of the end report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Flows handed to the sink.
    pub flows: u64,
    /// Flows written and committed.
    pub delivered: u64,
    /// Flows not written (database unreachable or failing).
    pub lost: u64,
    /// Records that could not be decoded.
    pub discarded: u64,
    /// Times a full queue made the packet thread wait.
    pub queue_full: u64,
}

/// One database sink's writer: owned by the plugin, fed from `buffer_to_sink`.
#[derive(Debug)]
pub struct Sink {
    /// The database, as messages name it (`PostgreSQL server 127.0.0.1:5432`).
    target: String,
    policy: Policy,
    shared: Arc<Shared>,
    tx: Option<SyncSender<Batch>>,
    thread: Option<JoinHandle<()>>,
    batch: Batch,
    /// When the open batch got its first record (with an interval).
    opened: Option<Instant>,
    /// Batches handed over.
    sent: u64,
    flows: u64,
    /// Flows lost on this side (no writer).
    lost_here: u64,
    queue_full: u64,
}

impl Sink {
    /// Connects `backend` (bounded retries) and starts its writer thread. When the database
    /// cannot be reached, the error is logged with `host` and every flow is counted lost.
    pub fn start<B: Backend>(host: &Host, target: String, mut backend: B, rows: RowDecoder, policy: Policy) -> Sink {
        let shared = Arc::new(Shared::default());
        let mut sink = Sink {
            target,
            policy,
            shared: shared.clone(),
            tx: None,
            thread: None,
            batch: Batch::default(),
            opened: None,
            sent: 0,
            flows: 0,
            lost_here: 0,
            queue_full: 0,
        };
        if let Err(e) = retry(&policy, || backend.connect()) {
            host.error(&format!("{}: {e}; no flow will be written to it", sink.target));
            return sink;
        }
        let (tx, rx) = sync_channel(policy.queue_batches.max(1));
        let target = sink.target.clone();
        let spawned = std::thread::Builder::new()
            .name("dbsink".into())
            .spawn(move || write_loop(&rx, backend, rows, &policy, &target, &shared));
        match spawned {
            Ok(t) => {
                sink.tx = Some(tx);
                sink.thread = Some(t);
            }
            Err(e) => host.error(&format!("{}: cannot start the writer thread: {e}", sink.target)),
        }
        sink
    }

    /// Takes one flow record; logs errors the writer met since the last call.
    pub fn push(&mut self, host: &Host, rec: &[u8]) {
        self.flows += 1;
        self.batch.data.extend_from_slice(rec);
        self.batch.ends.push(self.batch.data.len());
        let due = match (self.policy.interval, self.opened) {
            (Some(_), None) => {
                self.opened = Some(Instant::now());
                false
            }
            (Some(i), Some(t)) => t.elapsed() >= i,
            (None, _) => false,
        };
        if due || self.batch.len() >= self.policy.batch_flows.max(1) {
            self.hand_over();
        }
        self.log_errors(host);
    }

    /// Hands the open batch to the writer.
    fn hand_over(&mut self) {
        self.opened = None;
        if self.batch.len() == 0 {
            return;
        }
        let batch = std::mem::take(&mut self.batch);
        let n = batch.len() as u64;
        let Some(tx) = &self.tx else {
            self.lost_here += n;
            return;
        };
        let res = match tx.try_send(batch) {
            Err(TrySendError::Full(b)) => {
                self.queue_full += 1;
                tx.send(b).map_err(|_| ())
            }
            Err(TrySendError::Disconnected(_)) => Err(()),
            Ok(()) => Ok(()),
        };
        match res {
            Ok(()) => self.sent += 1,
            // the writer is gone (it panicked): nothing more reaches the database
            Err(()) => {
                self.lost_here += n;
                self.tx = None;
            }
        }
    }

    /// Logs the writer's new errors.
    fn log_errors(&self, host: &Host) {
        if !self.shared.errors.swap(false, Ordering::Acquire) {
            return;
        }
        let errors = std::mem::take(&mut self.shared.lock().errors);
        for e in errors {
            host.error(&e);
        }
    }

    /// Hands the open batch over and waits until the writer has done every batch.
    fn drain(&mut self, host: &Host) {
        self.hand_over();
        if let Some(t) = &self.thread {
            let mut st = self.shared.lock();
            while st.done < self.sent && !t.is_finished() {
                st = self
                    .shared
                    .changed
                    .wait_timeout(st, Duration::from_millis(100))
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
        }
        self.log_errors(host);
    }

    /// The counts so far (after [`Sink::drain`]: final).
    pub fn counts(&self) -> Counts {
        let st = self.shared.lock();
        let done = st.delivered + st.lost + st.discarded + self.lost_here;
        Counts {
            flows: self.flows,
            delivered: st.delivered,
            // what a dead writer left in its queue is lost too
            lost: st.lost + self.lost_here + self.flows.saturating_sub(done + self.batch.len() as u64),
            discarded: st.discarded,
            queue_full: self.queue_full,
        }
    }

    /// The end report: waits for the writer, then prints the flows delivered and lost, the
    /// records that could not be decoded and how often the queue was full.
    pub fn report(&mut self, host: &Host, report: &Report) {
        self.drain(host);
        let c = self.counts();
        report.nump0(&format!("Flows written to {}", self.target), c.delivered, c.flows);
        report.warn_nump("Flows lost", c.lost, c.flows);
        report.warn_nump("Number of flows discarded due to main buffer problems", c.discarded, c.flows);
        if c.queue_full > 0 {
            report.warn(&format!(
                "The queue to {} was full {} times: packet processing waited for the database",
                self.target, c.queue_full
            ));
        }
    }

    /// Writes what is left and stops the writer; with flows lost, fails the run (exit status 1).
    pub fn finish(mut self, host: &Host) -> Counts {
        self.drain(host);
        self.tx = None;
        if let Some(t) = self.thread.take() {
            // a panic was already reported by the thread's counts
            let _ = t.join();
        }
        let c = self.counts();
        if c.lost > 0 {
            host.fail(&format!("{} of {} flows were not written to {}", c.lost, c.flows, self.target));
        }
        c
    }
}

/// Runs `op`, then up to `policy.retries` times more while it fails, waiting in between.
fn retry(policy: &Policy, mut op: impl FnMut() -> Result<(), String>) -> Result<(), String> {
    let mut res = op();
    let mut wait = policy.retry_wait;
    for _ in 0..policy.retries {
        if res.is_ok() {
            break;
        }
        std::thread::sleep(wait);
        wait = wait.saturating_mul(2);
        res = op();
    }
    res
}

/// The writer thread: decodes and writes each batch until the queue closes.
fn write_loop<B: Backend>(
    rx: &Receiver<Batch>,
    mut backend: B,
    mut rows: RowDecoder,
    policy: &Policy,
    target: &str,
    shared: &Shared,
) {
    let mut dead = false;
    let mut buf: Vec<Vec<Field>> = Vec::new();
    for batch in rx {
        let mut n = 0;
        let mut discarded = 0;
        let mut first_bad = None;
        for rec in batch.records() {
            if buf.len() <= n {
                buf.push(Vec::new());
            }
            match rows.decode(rec, &mut buf[n]) {
                Ok(()) => n += 1,
                Err(e) => {
                    discarded += 1;
                    first_bad.get_or_insert(e);
                }
            }
        }
        let res = if dead || n == 0 {
            Err(None)
        } else {
            let mut first = true;
            retry(policy, || {
                if !std::mem::take(&mut first) {
                    backend.connect()?;
                }
                backend.write(&buf[..n])
            })
            .map_err(Some)
        };
        let mut st = shared.lock();
        if let Some(e) = first_bad
            && st.discarded == 0
        {
            st.errors.push(format!("{e}: record discarded"));
        }
        st.discarded += discarded;
        match res {
            Ok(()) => st.delivered += n as u64,
            Err(e) => {
                st.lost += n as u64;
                if let Some(e) = e {
                    dead = true;
                    st.errors.push(format!(
                        "{target}: {e} (after {} retries); the flows that follow are not written",
                        policy.retries
                    ));
                }
            }
        }
        st.done += 1;
        shared.errors.store(!st.errors.is_empty(), Ordering::Release);
        drop(st);
        shared.changed.notify_all();
    }
}

/// The string flag `name` (`value` compiled in), or its override from the environment.
pub fn env_str(host: &Host, name: &str, value: &str) -> String {
    host.getenv(name).unwrap_or_else(|| value.to_owned())
}

/// The number flag `name` (`value` compiled in), or its override from the environment.
pub fn env_num<N: std::str::FromStr>(host: &Host, name: &str, value: N) -> Result<N, String> {
    match host.getenv(name) {
        None => Ok(value),
        Some(v) => v.trim().parse().map_err(|_| format!("Invalid value '{v}' for environment variable {name}")),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use plugin_api::Column;
    use plugin_api::record::Encoder;
    use plugin_api::testing::TestHost;

    use super::*;
    use crate::schema::Dialect;

    /// A database that takes `delay` per write and fails every write after `ok_writes`.
    struct Fake {
        delay: Duration,
        ok_writes: usize,
        batches: Arc<Mutex<Vec<usize>>>,
        connects: Arc<AtomicU32>,
    }

    impl Backend for Fake {
        fn connect(&mut self) -> Result<(), String> {
            self.connects.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
        fn write(&mut self, rows: &[Vec<Field>]) -> Result<(), String> {
            std::thread::sleep(self.delay);
            let mut b = self.batches.lock().unwrap();
            if b.len() >= self.ok_writes {
                return Err("gone".into());
            }
            b.push(rows.len());
            Ok(())
        }
    }

    fn policy(batch_flows: usize, interval: Option<Duration>, queue_batches: usize) -> Policy {
        Policy { batch_flows, interval, queue_batches, retries: 2, retry_wait: Duration::from_millis(1) }
    }

    /// A sink over a fake database, with what the fake records.
    fn sink(
        t: &TestHost,
        delay: Duration,
        ok_writes: usize,
        p: Policy,
    ) -> (Sink, Arc<Mutex<Vec<usize>>>, Arc<AtomicU32>) {
        let columns = [Column::parse("n", "", "U64").unwrap()];
        let rows = RowDecoder::new(&columns, Dialect::Postgres, true);
        let batches = Arc::new(Mutex::new(Vec::new()));
        let connects = Arc::new(AtomicU32::new(0));
        let fake = Fake { delay, ok_writes, batches: batches.clone(), connects: connects.clone() };
        (Sink::start(&t.host(), "the fake".into(), fake, rows, p), batches, connects)
    }

    fn record(n: u64) -> Vec<u8> {
        let mut e = Encoder::new(Vec::new());
        e.u64(n);
        e.into_inner()
    }

    fn lines(t: &TestHost) -> Vec<String> {
        t.recorded().lines.iter().map(|l| l.2.clone()).collect()
    }

    #[test]
    fn a_slow_database_fills_the_queue_and_the_report_says_so() {
        let t = TestHost::new();
        let (mut s, batches, _) = sink(&t, Duration::from_millis(20), usize::MAX, policy(1, None, 1));
        for i in 0..10 {
            s.push(&t.host(), &record(i));
        }
        s.report(&t.host(), &t.report());
        let c = s.finish(&t.host());
        assert_eq!((c.flows, c.delivered, c.lost), (10, 10, 0));
        assert!(c.queue_full > 0, "{c:?}");
        assert_eq!(batches.lock().unwrap().len(), 10);
        let l = lines(&t);
        assert!(l.iter().any(|l| l.starts_with("The queue to the fake was full ")), "{l:?}");
        assert!(t.failures().is_empty());
    }

    #[test]
    fn a_failing_database_loses_the_rest_after_bounded_retries() {
        let t = TestHost::new();
        let (mut s, batches, connects) = sink(&t, Duration::ZERO, 2, policy(1, None, 8));
        for i in 0..5 {
            s.push(&t.host(), &record(i));
        }
        s.report(&t.host(), &t.report());
        let c = s.finish(&t.host());
        assert_eq!((c.delivered, c.lost), (2, 3));
        assert_eq!(*batches.lock().unwrap(), [1, 1]);
        // the first connection, then one per retry of the first failing batch, none after
        assert_eq!(connects.load(Ordering::SeqCst), 3);
        let l = lines(&t);
        let errors: Vec<&String> = l.iter().filter(|l| l.starts_with("the fake: ")).collect();
        assert_eq!(errors, ["the fake: gone (after 2 retries); the flows that follow are not written"]);
        assert!(l.iter().any(|l| l.starts_with("Flows lost: 3 ")), "{l:?}");
        assert_eq!(t.failures(), ["3 of 5 flows were not written to the fake"]);
    }

    #[test]
    fn an_old_batch_goes_with_the_next_flow() {
        let t = TestHost::new();
        let (mut s, batches, _) = sink(&t, Duration::ZERO, usize::MAX, policy(100, Some(Duration::from_millis(20)), 8));
        s.push(&t.host(), &record(0));
        std::thread::sleep(Duration::from_millis(30));
        s.push(&t.host(), &record(1));
        s.push(&t.host(), &record(2));
        s.finish(&t.host());
        assert_eq!(*batches.lock().unwrap(), [2, 1]);
    }
}
