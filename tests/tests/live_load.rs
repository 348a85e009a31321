//! Live capture under load (core.md §3, §7.3, §9): a sender thread inside the test's namespace
//! floods the veth pair with UDP frames between the test's own addresses, as fast as it can,
//! for `RT2_LIVE_LOAD_SECS` seconds (20 by default; the long run is `RT2_LIVE_LOAD_SECS=300`),
//! while `tranalyzer -i` captures the root-namespace end with T2's default plugins and
//! monitoring reports every second in `PREFIX_monitoring.txt` (`-m -M 1`, periodic reports
//! toggled on with SIGUSR2 as `t2stat -USR2` does). It checks that
//! - no packet the kernel delivered is lost: rt2's count is libpcap's received minus dropped,
//!   and every packet sent is in rt2's count, libpcap's drops or the link's drop counter;
//! - kernel drops (forced by stopping rt2 for a while mid-run) appear in the monitoring
//!   reports and the end report;
//! - the flow table fills (many distinct 5-tuples), the hash autopilot flushes flows on the
//!   live link, and the resident memory stays flat from then on;
//! - a SIGUSR1 report comes while the traffic runs, and Ctrl-C at the end writes every flow
//!   and the end report with exit status 0.
//!
//! It prints the packets/s sent and processed, the drops and the RSS samples.
//! `RT2_LIVE_LOAD_SENDERS=N` floods from N threads (1 by default).
//!
//! Needs what `tests/tests/live.rs` needs (root, iproute2); the sender uses a packet socket.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use plugin_api::status::RMFLOW_HFULL;
use rt2_tests::LiveRun;
use rt2_tests::live::{Veth, can_run, capture, interrupt, report_number, ring_size};
use rt2_tests::{DEFAULT_FIVE, PluginDir};

/// Flows the table holds at `-f 1` (T2's `HASHCHAINTABLE_BASE_SIZE`).
const TABLE: u64 = 262_144;
/// The first packets each start a new flow: more than the table holds, so it fills at once.
const FILL: u64 = 300_000;
/// After that, one packet in this many starts a new flow (the autopilot keeps flushing)...
const NEW_EVERY: u64 = 256;
/// ...and the others go round a set of this many long-lived flows.
const HOT: u64 = 4096;
/// Frames per `sendmmsg` call.
const BATCH: usize = 64;
/// Ethernet + IPv4 + UDP + 18 bytes of payload: the minimum Ethernet frame.
const FRAME: usize = 60;

/// The frames' destination MAC: not the captured end's, so the root namespace's IP stack
/// discards them (`PACKET_OTHERHOST`) and answers nothing: the link carries only the sender's
/// frames, which the capture (promiscuous, as T2's) still sees.
const DST_MAC: [u8; 6] = [0x02, 0x72, 0x74, 0x32, 0x00, 0x01];
const SRC_MAC: [u8; 6] = [0x02, 0x72, 0x74, 0x32, 0x00, 0x02];

/// The 5-tuple of packet `k` as (source host, destination host, source port, destination
/// port) in the test's /24: FILL new flows, then a hot set with one new flow every NEW_EVERY.
fn tuple(k: u64) -> (u8, u8, u16, u16) {
    let new = |n: u64| (10 + (n % 16) as u8, 100 + (n / 1_024_000 % 100) as u8, 1024 + (n / 16 % 64_000) as u16, 5000);
    if k < FILL {
        new(k)
    } else if k.is_multiple_of(NEW_EVERY) {
        new(FILL + k / NEW_EVERY)
    } else {
        let h = k % HOT;
        (30 + (h % 16) as u8, 99, 1024 + (h / 16) as u16, 6000)
    }
}

/// Writes packet `k` of the flood into `f` (whose constant bytes are already there).
fn fill(f: &mut [u8; FRAME], net: [u8; 3], k: u64) {
    let (src, dst, sport, dport) = tuple(k);
    f[18..20].copy_from_slice(&(k as u16).to_be_bytes());
    f[24..26].fill(0);
    f[26..30].copy_from_slice(&[net[0], net[1], net[2], src]);
    f[30..34].copy_from_slice(&[net[0], net[1], net[2], dst]);
    let sum = f[14..34].chunks(2).map(|w| u32::from(u16::from_be_bytes([w[0], w[1]]))).sum::<u32>();
    let sum = (sum & 0xffff) + (sum >> 16);
    let sum = !(((sum & 0xffff) + (sum >> 16)) as u16);
    f[24..26].copy_from_slice(&sum.to_be_bytes());
    f[34..36].copy_from_slice(&sport.to_be_bytes());
    f[36..38].copy_from_slice(&dport.to_be_bytes());
}

/// A frame with everything but the per-packet fields.
fn template() -> [u8; FRAME] {
    let mut f = [0u8; FRAME];
    f[0..6].copy_from_slice(&DST_MAC);
    f[6..12].copy_from_slice(&SRC_MAC);
    f[12..14].copy_from_slice(&0x0800u16.to_be_bytes());
    // IPv4, 20-byte header, total length 46, TTL 64, UDP
    f[14] = 0x45;
    f[16..18].copy_from_slice(&46u16.to_be_bytes());
    f[22] = 64;
    f[23] = 17;
    // UDP length 26, no checksum
    f[38..40].copy_from_slice(&26u16.to_be_bytes());
    f
}

/// Panics with the OS error when a libc call returned -1.
fn check(ret: i32, what: &str) {
    assert!(ret != -1, "{what}: {}", std::io::Error::last_os_error());
}

/// The flood of sender `lane` of `lanes`: enters namespace `ns` (this thread only), opens a
/// packet socket on `dev` and sends batches of frames (packets `k` ≡ `lane` mod `lanes`) until
/// `stop`, adding the frames the kernel took to `sent`. Frames are rewritten in place: nothing
/// is allocated per packet.
fn flood(ns: &str, dev: &str, net: [u8; 3], (lane, lanes): (u64, u64), stop: &AtomicBool, sent: &AtomicU64) {
    let nsfile = File::open(format!("/run/netns/{ns}")).expect("opening the namespace");
    // SAFETY: a valid namespace descriptor; CLONE_NEWNET moves only the calling thread
    check(unsafe { libc::setns(nsfile.as_raw_fd(), libc::CLONE_NEWNET) }, "setns");
    // protocol 0: the socket only sends, it receives nothing
    // SAFETY: plain socket creation
    let fd = unsafe { libc::socket(libc::AF_PACKET, libc::SOCK_RAW, 0) };
    check(fd, "socket(AF_PACKET)");
    // SAFETY: a descriptor we just opened and own from here
    let sock = unsafe { OwnedFd::from_raw_fd(fd) };
    let name = std::ffi::CString::new(dev).unwrap();
    // SAFETY: a NUL-terminated name
    let ifindex = unsafe { libc::if_nametoindex(name.as_ptr()) };
    assert_ne!(ifindex, 0, "no interface {dev} in {ns}");
    // SAFETY: sockaddr_ll is plain data, all zeros is valid
    let mut addr: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
    addr.sll_family = libc::AF_PACKET as u16;
    addr.sll_protocol = (libc::ETH_P_IP as u16).to_be();
    addr.sll_ifindex = ifindex as i32;
    let len = std::mem::size_of::<libc::sockaddr_ll>() as u32;
    // SAFETY: a valid address of the given length
    check(unsafe { libc::bind(sock.as_raw_fd(), (&raw const addr).cast(), len) }, "bind");
    // straight to the driver: the qdisc would only add a queue (and drops) of its own
    let one: i32 = 1;
    let olen = std::mem::size_of::<i32>() as u32;
    // SAFETY: an int option of the right size
    let bypass = unsafe {
        libc::setsockopt(sock.as_raw_fd(), libc::SOL_PACKET, libc::PACKET_QDISC_BYPASS, (&raw const one).cast(), olen)
    };
    check(bypass, "PACKET_QDISC_BYPASS");

    let mut frames = vec![template(); BATCH];
    // SAFETY: iovec and mmsghdr are plain data, all zeros is valid
    let mut iov: Vec<libc::iovec> = vec![unsafe { std::mem::zeroed() }; BATCH];
    let mut msgs: Vec<libc::mmsghdr> = vec![unsafe { std::mem::zeroed() }; BATCH];
    for ((f, v), m) in frames.iter_mut().zip(iov.iter_mut()).zip(msgs.iter_mut()) {
        *v = libc::iovec { iov_base: f.as_mut_ptr().cast(), iov_len: FRAME };
        m.msg_hdr.msg_iov = v;
        m.msg_hdr.msg_iovlen = 1;
    }
    let mut k = 0u64;
    while !stop.load(Ordering::Relaxed) {
        for (i, f) in frames.iter_mut().enumerate() {
            fill(f, net, (k + i as u64) * lanes + lane);
        }
        // SAFETY: BATCH messages, each pointing at one live frame of FRAME bytes
        let n = unsafe { libc::sendmmsg(sock.as_raw_fd(), msgs.as_mut_ptr(), BATCH as u32, 0) };
        if n < 0 {
            let e = std::io::Error::last_os_error();
            // a full transmit path: try the same frames again
            assert_eq!(e.raw_os_error(), Some(libc::ENOBUFS), "sendmmsg: {e}");
            std::thread::yield_now();
            continue;
        }
        k += n as u64;
        sent.fetch_add(n as u64, Ordering::Relaxed);
    }
}

/// The sender threads and their counters.
struct Sender {
    stop: Arc<AtomicBool>,
    sent: Arc<AtomicU64>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Sender {
    /// Starts `lanes` threads flooding the pair.
    fn start(veth: &Veth, lanes: u64) -> Sender {
        let stop = Arc::new(AtomicBool::new(false));
        let sent = Arc::new(AtomicU64::new(0));
        let net: Vec<u8> = veth.net.split('.').map(|b| b.parse().unwrap()).collect();
        let net = [net[0], net[1], net[2]];
        let threads = (0..lanes)
            .map(|lane| {
                let (ns, dev) = (veth.ns.clone(), veth.peer.clone());
                let (s, n) = (stop.clone(), sent.clone());
                std::thread::spawn(move || flood(&ns, &dev, net, (lane, lanes), &s, &n))
            })
            .collect();
        Sender { stop, sent, threads }
    }

    fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// Stops the flood; returns the frames sent.
    fn stop(self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads {
            t.join().expect("a sender failed");
        }
        self.sent.load(Ordering::Relaxed)
    }
}

/// One human-readable monitoring report: libpcap's counters and rt2's at that time.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Report {
    recv: u64,
    drop: u64,
    processed: u64,
    /// Flows the hash autopilot flushed so far.
    autopilot: u64,
    elapsed: f64,
}

/// The reports of a monitoring file so far (a report still being written is left out).
fn reports(run: &LiveRun) -> Vec<Report> {
    let text = run.file("_monitoring.txt").unwrap_or_default();
    let mut out = Vec::new();
    for block in text.split("USR1 A type report").skip(1) {
        let Some(end) = block.find(&"=".repeat(80)) else { continue };
        let block = &block[..end];
        let num = |label| report_number(block, label);
        let elapsed = block.lines().find_map(|l| l.strip_prefix("Elapsed time: ")).expect("an elapsed time line");
        out.push(Report {
            recv: num("Number of packets received").unwrap_or(0),
            drop: num("Number of packets dropped by the kernel").unwrap_or(0),
            processed: num("Number of processed packets").expect("a processed line"),
            autopilot: num("Number of flows terminated by autopilot").unwrap_or(0),
            elapsed: elapsed.split_whitespace().next().and_then(|s| s.parse().ok()).expect("elapsed seconds"),
        });
    }
    out
}

/// CPU time (user + system) process `pid` used so far, in seconds.
fn cpu_secs(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("reading the process stat");
    // the fields after the command name, which is in parentheses and may hold spaces
    let f: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..].split(' ').collect();
    // utime and stime (fields 14 and 15) in clock ticks
    // SAFETY: sysconf only reads a configuration value
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    (f[11].parse::<f64>().unwrap() + f[12].parse::<f64>().unwrap()) / hz
}

/// Asks for reports until one shows that rt2 has read all the kernel holds (at most 20 s);
/// returns it.
fn drained(run: &LiveRun) -> Report {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        run.signal("USR1");
        std::thread::sleep(Duration::from_millis(300));
        let r = *reports(run).last().unwrap();
        if r.processed == r.recv - r.drop || Instant::now() >= deadline {
            return r;
        }
    }
}

/// Resident memory of process `pid` in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("reading the process status");
    let line = status.lines().find_map(|l| l.strip_prefix("VmRSS:")).expect("a VmRSS line");
    line.split_whitespace().next().unwrap().parse().unwrap()
}

/// The flow file's totals, read line by line (a long run writes millions of flows).
struct FlowTotals {
    rows: u64,
    packets: u64,
    hfull: u64,
    /// Whether the flow indices are exactly 1..=rows, each once.
    indices_complete: bool,
}

fn flow_totals(run: &rt2_tests::Run) -> FlowTotals {
    let path = std::fs::read_dir(run.out.path())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().ends_with("_flows.txt"))
        .expect("no flow file written");
    let mut lines = BufReader::new(File::open(path).unwrap()).lines();
    let header = lines.next().expect("an empty flow file").unwrap();
    let cols: Vec<&str> = header.trim_start_matches('%').split('\t').collect();
    let col = |name: &str| cols.iter().position(|c| *c == name).unwrap_or_else(|| panic!("no column {name}"));
    let (ind, stat, pkts) = (col("flowInd"), col("flowStat"), col("pktsSnt"));
    let mut seen: Vec<bool> = Vec::new();
    let mut t = FlowTotals { rows: 0, packets: 0, hfull: 0, indices_complete: true };
    for line in lines {
        let line = line.unwrap();
        let f: Vec<&str> = line.split('\t').collect();
        let i: usize = f[ind].parse().unwrap();
        if i >= seen.len() {
            seen.resize(i + 1, false);
        }
        t.indices_complete &= !std::mem::replace(&mut seen[i], true);
        t.rows += 1;
        t.packets += f[pkts].parse::<u64>().unwrap();
        if u64::from_str_radix(f[stat].trim_start_matches("0x"), 16).unwrap() & RMFLOW_HFULL != 0 {
            t.hfull += 1;
        }
    }
    t.indices_complete &= seen.len() as u64 == t.rows + 1 && !seen[0];
    t
}

#[test]
fn live_capture_under_load() {
    if !can_run() {
        return;
    }
    let secs: u64 = std::env::var("RT2_LIVE_LOAD_SECS").map_or(20, |s| s.parse().expect("RT2_LIVE_LOAD_SECS: seconds"));
    assert!(secs >= 10, "RT2_LIVE_LOAD_SECS: at least 10 s");
    // one sender thread loads one of CI's two cores; more compete with rt2 for the CPU
    let lanes: u64 =
        std::env::var("RT2_LIVE_LOAD_SENDERS").map_or(1, |s| s.parse().expect("RT2_LIVE_LOAD_SENDERS: threads"));
    let veth = Veth::new();
    let plugins = PluginDir::with(&DEFAULT_FIVE);
    let mut t2 = capture(&plugins, &veth.iface, &["-m", "-M", "1"]);
    let pid = t2.child.id();
    // the kernel's ring (`LIVEBUFSIZE`, the default of `-B`)
    let ring = ring_size(pid);
    let rss0 = rss_kib(pid);
    let start = Instant::now();
    let sender = Sender::start(&veth, lanes);

    // a SIGUSR1 report while the flood runs
    std::thread::sleep(Duration::from_secs(2));
    let usr1_at = start.elapsed().as_secs_f64();
    t2.signal("USR1");
    let sent_before = sender.sent();
    let deadline = Instant::now() + Duration::from_secs(10);
    while reports(&t2).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let usr1 = *reports(&t2).first().expect("no SIGUSR1 report under load");
    let cpu_usr1 = cpu_secs(pid);
    assert!(sender.sent() > sent_before && usr1.processed > 0, "the report did not come under load: {usr1:?}");
    // periodic reports from now on, every second (`t2stat -USR2`)
    t2.signal("USR2");

    // RSS every half second; half-way, rt2 stops long enough for the ring to overflow
    let mut rss = vec![(0.0, rss0)];
    let mut before_stall = None;
    let mut cont_at = f64::MAX;
    let mut stall_at = secs as f64 / 2.0;
    while start.elapsed().as_secs() < secs {
        std::thread::sleep(Duration::from_millis(500));
        let now = start.elapsed().as_secs_f64();
        rss.push((now, rss_kib(pid)));
        if before_stall.is_none() && now >= stall_at {
            before_stall = reports(&t2).last().copied().map(|r| (r, cpu_secs(pid)));
            // every frame takes more than FRAME bytes of the ring: this many cannot all fit
            let until = sender.sent() + ring / FRAME as u64 + 100_000;
            t2.signal("STOP");
            stall_at = start.elapsed().as_secs_f64();
            let deadline = Instant::now() + Duration::from_secs(30);
            while sender.sent() < until && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            t2.signal("CONT");
            cont_at = start.elapsed().as_secs_f64();
        }
    }
    let sent = sender.stop();
    let flood_end = start.elapsed().as_secs_f64();

    let last = drained(&t2);
    let code = interrupt(&mut t2, 120.0);
    let all_reports = reports(&t2);
    let run = t2.finish(10.0);
    let stdout = run.stdout();
    assert_eq!(code, Some(0), "{stdout}\n{}", run.stderr());
    assert!(stdout.contains("[INF] SIGINT: Remove all flows and exit"), "{stdout}");

    // figures for the record
    let recv = report_number(&stdout, "Number of packets received").expect("a received line");
    let drop = report_number(&stdout, "Number of packets dropped by the kernel").unwrap_or(0);
    let ifdrop = report_number(&stdout, "Number of packets dropped by the interface").unwrap_or(0);
    let processed = report_number(&stdout, "Number of processed packets").expect("a processed line");
    let flows = report_number(&stdout, "Number of processed      flows").expect("a flows line");
    let removed = report_number(&stdout, "Number of flows terminated by autopilot").unwrap_or(0);
    // the veth's own drop counter: frames it could not hand to the captured end (backlog full)
    let link_drop = veth.counter("rx_dropped");
    let stall_drop = before_stall.map_or(0, |(r, _)| r.drop);
    // a report's elapsed time counts from rt2's start, a little before ours: at most by this
    let offset = usr1.elapsed - usr1_at;
    // the first report after the autopilot's first flush: the table was full by then
    let full_at = all_reports.iter().find(|r| r.autopilot > 0).map(|r| r.elapsed - offset);
    eprintln!("live load: {secs} s, {lanes} sender(s), {sent} frames sent ({:.0}/s)", sent as f64 / flood_end);
    eprintln!(
        "live load: rt2 processed {processed} ({:.0}/s), kernel drops {drop} ({stall_drop} before the stall), \
         interface drops {ifdrop}, link drops {link_drop}",
        processed as f64 / flood_end
    );
    if let Some((b, cpu)) = before_stall {
        // what rt2 held between the SIGUSR1 report and the stall, both under full load
        let (pk, dt) = (b.processed - usr1.processed, b.elapsed - usr1.elapsed);
        eprintln!(
            "live load: rt2 held {:.0} packets/s for {dt:.1} s with {} kernel drops, using {:.0}% of a core",
            pk as f64 / dt,
            b.drop - usr1.drop,
            100.0 * (cpu - cpu_usr1) / dt
        );
    }
    eprintln!("live load: {flows} flows, {removed} flushed by the autopilot; table full at {full_at:?} s");
    let samples: Vec<String> = rss.iter().map(|(t, kib)| format!("{t:.1}s:{kib}")).collect();
    eprintln!("live load: RSS KiB {}", samples.join(" "));

    // No loss. The kernel counters: libpcap's received and dropped are the packet socket's
    // PACKET_STATISTICS, where tp_drops counts the frames that found rt2's ring full and
    // tp_packets every frame the socket saw, dropped or not (the kernel adds tp_drops into it):
    // rt2 must have read exactly the difference. Between the sender's socket and rt2's a frame
    // can only be dropped by the veth (the qdisc is bypassed), which still reports success to
    // the sender; it counts such a frame in the captured end's rx_dropped (the backlog it is
    // queued to was full), so that with libpcap's received makes up everything sent.
    assert_eq!(processed, recv - drop, "rt2 lost packets the kernel delivered:\n{stdout}");
    assert_eq!(sent, recv + link_drop, "sent = seen by the packet socket + dropped by the veth");
    assert_eq!(ifdrop, 0, "{stdout}");
    // the stall overflowed the ring: the kernel's drops are in the reports and the end report
    assert!(drop > 0, "no kernel drops after stopping rt2 for {} frames:\n{stdout}", ring / FRAME as u64);
    assert_eq!((last.recv, last.drop, last.processed), (recv, drop, processed), "last report {last:?}\n{stdout}");
    let after_stall: Vec<&Report> = all_reports.iter().filter(|r| r.elapsed - offset > cont_at).collect();
    assert!(!after_stall.is_empty(), "no report after the stall: {all_reports:?}");
    let missing = after_stall.iter().any(|r| r.drop <= stall_drop);
    assert!(!missing, "drops missing in a report after the stall: {all_reports:?}");
    // the periodic reports kept coming under load: one a second while rt2 ran (the machine
    // is shared: at least half of them); the stall skips those due while rt2 was stopped but
    // one, which comes at SIGCONT, and the timer keeps its cadence, so at most one a second
    let window = flood_end - usr1_at;
    let running = window - (cont_at - stall_at);
    let n =
        all_reports.iter().filter(|r| r.elapsed - offset > usr1_at && r.elapsed - offset < flood_end).count() as f64;
    assert!(
        n >= running / 2.0 && n <= window + 2.0,
        "{n} periodic reports in {window:.1} s ({running:.1} s running): {all_reports:?}"
    );
    assert!(all_reports.windows(2).all(|w| w[0].recv <= w[1].recv && w[0].drop <= w[1].drop), "{all_reports:?}");

    // every flow written once, every packet in a flow, the autopilot at work
    let totals = flow_totals(&run);
    assert_eq!(totals.rows, flows, "rows vs the end report's flows");
    assert!(totals.indices_complete, "flow indices not 1..={flows} once each");
    assert_eq!(totals.packets, processed, "packets in the flow file vs processed");
    assert!(removed > 0 && flows > TABLE, "the table never filled: {flows} flows");
    assert_eq!(totals.hfull, removed, "rows with RMFLOW_HFULL vs the autopilot counter");

    // flat memory once the table is full: from 2 s after a report saw the autopilot's flushes every
    // buffer of the run exists, and RSS stays within 2 MiB of that first sample (it moves by a
    // few KiB in practice; a leak of 200 KB/s fails the 20-second run)
    let full_at = full_at.expect("no report shows the autopilot at work");
    let after: Vec<u64> = rss.iter().filter(|(t, _)| *t >= full_at + 2.0).map(|(_, k)| *k).collect();
    assert!(after.len() >= 4, "too few samples after the table filled at {full_at} s: {samples:?}");
    let (base, max) = (after[0], *after.iter().max().unwrap());
    assert!(max <= base + 2048, "RSS grew from {base} to {max} KiB after the table filled: {samples:?}");
}
