//! The sender thread: batches of flow records come in through a bounded queue, go out as
//! messages, and are counted as delivered or lost.
//!
//! Sending runs off the packet thread, so a slow or absent collector (connect and write
//! timeouts, waits between attempts) costs packet processing nothing until the queue is full;
//! then the packet thread waits for room, which the end report mentions. Every wait is bounded:
//! a message gets at most `retries` attempts, each bounded by the transport's timeout.
//!
//! The thread never calls the host (its functions belong to the packet thread): what the user
//! must hear about comes back as [`Event`]s, the counts as shared atomics.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender, TrySendError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::flowrec::{Family, FlowRec};
use crate::message::{Encoder, ExportTime, Refresh};
use crate::transport::{Collector, Link, SendError, Transport};

/// Records of one family that go out as one message.
#[derive(Debug)]
pub struct Batch {
    /// Their family (template).
    pub family: Family,
    /// Export time of the message.
    pub at: ExportTime,
    /// The records.
    pub records: Vec<FlowRec>,
}

/// How the sender thread behaves.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Where to.
    pub collector: Collector,
    /// Attempts per message while the collector is up (at least 1).
    pub retries: u32,
    /// Bound of one TCP connect or write.
    pub timeout: Duration,
    /// Wait before a collector that is down gets another attempt (`None`: never).
    pub redial: Option<Duration>,
    /// UDP template refresh: every n-th message, every n seconds of export time.
    pub refresh_msgs: u32,
    /// See `refresh_msgs`.
    pub refresh_secs: u32,
    /// Batches waiting for the thread.
    pub queue: usize,
}

/// What the sender thread noticed, for the packet thread to report.
#[derive(Debug, PartialEq, Eq)]
pub enum Event {
    /// The collector cannot be reached: every attempt at a message failed.
    Down {
        /// Why the last attempt failed.
        cause: String,
        /// Attempts made.
        attempts: u32,
    },
    /// A message got through again after the collector was down.
    Up,
}

/// Records counted by the sender thread.
#[derive(Debug, Default)]
struct Counters {
    delivered: AtomicU64,
    lost: AtomicU64,
    messages: AtomicU64,
}

/// What happened to the records handed to the exporter.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Records in messages that were sent.
    pub delivered: u64,
    /// Records given up on.
    pub lost: u64,
    /// Messages sent.
    pub messages: u64,
    /// Times the packet thread waited for room in the queue.
    pub waits: u64,
}

/// The packet thread's side of the exporter.
#[derive(Debug)]
pub struct Exporter {
    queue: Option<SyncSender<Batch>>,
    /// Emptied record buffers coming back for reuse.
    spare: Receiver<Vec<FlowRec>>,
    events: Receiver<Event>,
    counters: Arc<Counters>,
    thread: Option<JoinHandle<()>>,
    /// Records handed to the thread.
    handed: u64,
    waits: u64,
}

impl Exporter {
    /// Starts the sender thread; it connects at once (TCP), so a collector that is not there
    /// is reported before the first flow ends.
    pub fn start(settings: Settings, encoder: Encoder) -> std::io::Result<Exporter> {
        let (queue, batches) = mpsc::sync_channel(settings.queue.max(1));
        let (spare_tx, spare) = mpsc::channel();
        let (events_tx, events) = mpsc::channel();
        let counters = Arc::new(Counters::default());
        let mut worker = Worker::new(settings, encoder, events_tx, counters.clone());
        let thread = std::thread::Builder::new().name("netflowSink".into()).spawn(move || {
            worker.connect_at_start();
            for mut b in batches {
                worker.deliver(&b);
                b.records.clear();
                // the packet thread may be gone already; the buffer is then simply dropped
                let _ = spare_tx.send(b.records);
            }
            worker.close();
        })?;
        Ok(Exporter { queue: Some(queue), spare, events, counters, thread: Some(thread), handed: 0, waits: 0 })
    }

    /// An empty record buffer: one the thread is done with, or a new one.
    pub fn buffer(&self, capacity: usize) -> Vec<FlowRec> {
        self.spare.try_recv().unwrap_or_else(|_| Vec::with_capacity(capacity))
    }

    /// Queues a batch; waits for room when the queue is full.
    pub fn send(&mut self, batch: Batch) {
        let Some(queue) = &self.queue else { return };
        let n = batch.records.len() as u64;
        self.handed += n;
        let res = match queue.try_send(batch) {
            Err(TrySendError::Full(b)) => {
                self.waits += 1;
                queue.send(b).map_err(|_| ())
            }
            Err(TrySendError::Disconnected(_)) => Err(()),
            Ok(()) => Ok(()),
        };
        if res.is_err() {
            // the thread is gone (it panicked): these records never left
            self.counters.lost.fetch_add(n, Ordering::Relaxed);
        }
    }

    /// Events since the last call.
    pub fn events(&self) -> impl Iterator<Item = Event> + '_ {
        self.events.try_iter()
    }

    /// Closes the queue, waits for the thread to send what is queued, and returns the counts.
    /// Records the thread never accounted for (it panicked) count as lost.
    pub fn finish(&mut self) -> Stats {
        self.queue = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        let c = &self.counters;
        let (delivered, mut lost) = (c.delivered.load(Ordering::Relaxed), c.lost.load(Ordering::Relaxed));
        lost = lost.max(self.handed.saturating_sub(delivered));
        Stats { delivered, lost, messages: c.messages.load(Ordering::Relaxed), waits: self.waits }
    }
}

/// The sender thread's state.
struct Worker {
    s: Settings,
    encoder: Encoder,
    refresh: Refresh,
    link: Option<Link>,
    /// When the collector was found down (and every attempt since failed).
    down_since: Option<Instant>,
    /// The message being sent, reused.
    buf: Vec<u8>,
    events: Sender<Event>,
    counters: Arc<Counters>,
}

impl Worker {
    fn new(s: Settings, encoder: Encoder, events: Sender<Event>, counters: Arc<Counters>) -> Worker {
        let refresh = match s.collector.transport {
            Transport::Udp => Refresh::new(s.refresh_msgs, s.refresh_secs),
            // once per connection
            Transport::Tcp => Refresh::new(0, 0),
        };
        Worker { s, encoder, refresh, link: None, down_since: None, buf: Vec::new(), events, counters }
    }

    /// Opens the connection before the first batch; a failure there counts as the collector
    /// being down from the start.
    fn connect_at_start(&mut self) {
        let mut last = None;
        for attempt in 0..self.s.retries.max(1) {
            self.pause(attempt);
            match Link::open(&self.s.collector, self.s.timeout) {
                Ok(l) => {
                    self.link = Some(l);
                    return;
                }
                Err(e) => last = Some(e),
            }
        }
        if let Some(e) = last {
            self.went_down(e, self.s.retries.max(1));
        }
    }

    /// Waits before attempt number `attempt` (none before the first): 100 ms, doubling, at most
    /// the transport timeout.
    fn pause(&self, attempt: u32) {
        if attempt > 0 {
            let wait = Duration::from_millis(100 << (attempt - 1).min(10)).min(self.s.timeout);
            std::thread::sleep(wait);
        }
    }

    /// Sends `b` or gives up on it.
    fn deliver(&mut self, b: &Batch) {
        let n = b.records.len() as u64;
        let attempts = match self.down_since {
            None => self.s.retries.max(1),
            // down: one attempt once the redial wait is over, none before
            Some(since) => match self.s.redial {
                Some(wait) if since.elapsed() >= wait => 1,
                _ => 0,
            },
        };
        let mut last = None;
        for attempt in 0..attempts {
            self.pause(attempt);
            match self.try_send(b) {
                Ok(()) => {
                    self.counters.delivered.fetch_add(n, Ordering::Relaxed);
                    self.counters.messages.fetch_add(1, Ordering::Relaxed);
                    if self.down_since.take().is_some() {
                        let _ = self.events.send(Event::Up);
                    }
                    return;
                }
                Err(e) => last = Some(e),
            }
        }
        self.counters.lost.fetch_add(n, Ordering::Relaxed);
        if let Some(e) = last {
            self.went_down(e, attempts);
        }
    }

    /// One attempt: (re)connect if needed, build the message, send it.
    fn try_send(&mut self, b: &Batch) -> Result<(), SendError> {
        let link = match &mut self.link {
            Some(l) => l,
            None => {
                self.refresh.reset();
                self.link.insert(Link::open(&self.s.collector, self.s.timeout)?)
            }
        };
        let with_templates = self.refresh.due(b.at.sec);
        self.encoder.message(&mut self.buf, b.at, with_templates, b.family, &b.records);
        match link.send(&self.buf, self.s.timeout) {
            Ok(()) => {
                self.encoder.sent(b.records.len());
                self.refresh.sent(b.at.sec, with_templates);
                Ok(())
            }
            Err(e) => {
                // a new connection (TCP) or a collector that comes back (UDP) needs the templates
                self.link = None;
                self.refresh.reset();
                Err(e)
            }
        }
    }

    /// Every attempt failed: reports it the first time, restarts the redial wait.
    fn went_down(&mut self, e: SendError, attempts: u32) {
        if self.down_since.replace(Instant::now()).is_none() {
            let _ = self.events.send(Event::Down { cause: e.to_string(), attempts });
        }
    }

    fn close(&mut self) {
        if let Some(l) = self.link.take() {
            l.close();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::Protocol;
    use crate::template::Optional;
    use std::io::Read;
    use std::net::{TcpListener, UdpSocket};

    fn settings(port: u16, transport: Transport) -> Settings {
        Settings {
            collector: Collector { host: "127.0.0.1".into(), port, transport },
            retries: 3,
            timeout: Duration::from_millis(300),
            redial: None,
            refresh_msgs: 2,
            refresh_secs: 0,
            queue: 4,
        }
    }

    fn batch(ex: &Exporter, n: usize) -> Batch {
        let mut records = ex.buffer(n);
        let mut r = FlowRec { ip_ver: 4, proto: 17, ..FlowRec::default() };
        r.src[..4].copy_from_slice(&[10, 0, 0, 1]);
        records.resize(n, r);
        Batch { family: Family::V4, at: ExportTime { sec: 100, uptime_ms: 0 }, records }
    }

    fn encoder() -> Encoder {
        Encoder::new(Protocol::Ipfix, 1, Optional::default())
    }

    #[test]
    fn udp_messages_with_periodic_templates() {
        let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = rx.local_addr().unwrap().port();
        let mut ex = Exporter::start(settings(port, Transport::Udp), encoder()).unwrap();
        for n in [3, 1, 2] {
            let b = batch(&ex, n);
            ex.send(b);
        }
        let stats = ex.finish();
        assert_eq!(stats, Stats { delivered: 6, lost: 0, messages: 3, waits: stats.waits });
        assert!(ex.events().next().is_none());
        let mut buf = [0u8; 65_536];
        let mut sets = Vec::new();
        for _ in 0..3 {
            let len = rx.recv(&mut buf).unwrap();
            // IPFIX set ID after the 16-byte header: 2 for templates, 256 for IPv4 data
            sets.push((u16::from_be_bytes([buf[16], buf[17]]), u32::from_be_bytes(buf[8..12].try_into().unwrap())));
            assert_eq!(usize::from(u16::from_be_bytes([buf[2], buf[3]])), len);
        }
        // templates with the first and the third message; sequence numbers count records
        assert_eq!(sets, [(2, 0), (256, 3), (2, 4)]);
    }

    #[test]
    fn udp_collector_absent() {
        let port = UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut ex = Exporter::start(settings(port, Transport::Udp), encoder()).unwrap();
        for n in [3, 4] {
            let b = batch(&ex, n);
            ex.send(b);
        }
        let stats = ex.finish();
        assert_eq!((stats.delivered, stats.lost, stats.messages), (0, 7, 0));
        let events: Vec<Event> = ex.events().collect();
        assert_eq!(events, [Event::Down { cause: "Connection refused".into(), attempts: 3 }]);
    }

    #[test]
    fn tcp_refused_at_start_then_nothing_is_tried() {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let start = Instant::now();
        let mut ex = Exporter::start(settings(port, Transport::Tcp), encoder()).unwrap();
        for n in [5, 5, 5] {
            let b = batch(&ex, n);
            ex.send(b);
        }
        let stats = ex.finish();
        assert_eq!((stats.delivered, stats.lost), (0, 15));
        assert_eq!(ex.events().count(), 1);
        // three attempts at start (waits of 100 and 200 ms), none for the batches
        assert!(start.elapsed() < Duration::from_secs(2), "{:?}", start.elapsed());
    }

    #[test]
    fn tcp_collector_going_away_and_coming_back() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let mut s = settings(port, Transport::Tcp);
        s.redial = Some(Duration::ZERO);
        let mut ex = Exporter::start(s, encoder()).unwrap();
        let (mut peer, _) = l.accept().unwrap();
        let b = batch(&ex, 2);
        ex.send(b);
        // header (16) + templates set + data set: read the first message whole
        let mut head = [0u8; 16];
        peer.read_exact(&mut head).unwrap();
        let len = usize::from(u16::from_be_bytes([head[2], head[3]]));
        let mut rest = vec![0u8; len - 16];
        peer.read_exact(&mut rest).unwrap();
        drop(peer);
        drop(l);
        std::thread::sleep(Duration::from_millis(50));
        // the collector is gone: this one is lost after three attempts
        let b = batch(&ex, 3);
        ex.send(b);
        let stats_wait = Instant::now();
        while ex.counters.lost.load(Ordering::Relaxed) == 0 {
            assert!(stats_wait.elapsed() < Duration::from_secs(5), "no loss counted");
            std::thread::sleep(Duration::from_millis(10));
        }
        // back on the same port: the next message goes through a new connection, templates first
        let l = TcpListener::bind(("127.0.0.1", port)).unwrap();
        let b = batch(&ex, 4);
        ex.send(b);
        let (mut peer, _) = l.accept().unwrap();
        let stats = ex.finish();
        assert_eq!((stats.delivered, stats.lost, stats.messages), (6, 3, 2));
        let mut all = Vec::new();
        peer.read_to_end(&mut all).unwrap();
        assert_eq!(u16::from_be_bytes([all[16], all[17]]), 2, "templates first on a new connection");
        assert_eq!(u32::from_be_bytes(all[8..12].try_into().unwrap()), 2, "records sent before");
        let events: Vec<Event> = ex.events().collect();
        assert_eq!(events.len(), 2, "{events:?}");
        assert!(matches!(&events[0], Event::Down { attempts: 3, .. }), "{events:?}");
        assert_eq!(events[1], Event::Up);
    }

    #[test]
    fn full_queue_makes_the_packet_thread_wait() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let mut s = settings(port, Transport::Tcp);
        s.queue = 1;
        let mut ex = Exporter::start(s, encoder()).unwrap();
        let (peer, _) = l.accept().unwrap();
        // a collector that stops reading and takes no new connection: the sender blocks in
        // write until the timeout while the queue fills, then gives up
        drop(l);
        for _ in 0..200 {
            let b = batch(&ex, 1300);
            ex.send(b);
        }
        let stats = ex.finish();
        drop(peer);
        assert!(stats.waits > 0, "{stats:?}");
        assert_eq!(stats.delivered + stats.lost, 200 * 1300);
        assert!(stats.lost > 0, "a stalled collector loses messages after the write timeout");
    }
}
