//! netflowSink in the release `tranalyzer` against nfdump's collector `nfcapd` (Debian
//! `nfdump`), started by the tests on 127.0.0.1 with its own folder: every shared capture is
//! exported over IPFIX and NetFlow v9, and `nfdump` reads back exactly the flows of our flow
//! file (addresses, ports, protocol, packets, bytes, first and last milliseconds, direction,
//! MAC addresses, VLAN, TCP flags, ToS). Then the
//! faults: no collector (UDP and TCP) and a TCP collector that goes away in the middle of a run.
//! Needs the release build (`cargo build --release --workspace`).

use std::collections::BTreeMap;
use std::io::Read;
use std::net::{IpAddr, TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use rt2_golden::{Flows, PluginDir, Run, shared_dir, tranalyzer};
use serde_json::Value;

/// One flow direction as both sides can tell it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Rec {
    first_ms: u64,
    last_ms: u64,
    src: IpAddr,
    dst: IpAddr,
    sport: u16,
    dport: u16,
    proto: u8,
    packets: u64,
    bytes: u64,
    /// T2's direction: 0 A, 1 B.
    dir: u8,
    src_mac: String,
    dst_mac: String,
    vlan: u16,
    /// None for ICMP, where nfdump has no flags.
    tcp_flags: Option<u8>,
    tos: u8,
}

fn plugins() -> PluginDir {
    PluginDir::with(&["basicFlow", "basicStats", "tcpFlags", "txtSink", "netflowSink"])
}

/// A free local port of `udp` or TCP, bound once and released.
fn free_port(udp: bool) -> u16 {
    if udp {
        UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
    } else {
        TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
    }
}

/// nfcapd listening on 127.0.0.1 with its own folder.
struct Nfcapd {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Nfcapd {
    fn start() -> Nfcapd {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port(true);
        let log = std::fs::File::create(dir.path().join("log")).unwrap();
        std::fs::create_dir(dir.path().join("flows")).unwrap();
        let child = Command::new("nfcapd")
            .args(["-b", "127.0.0.1", "-p", &port.to_string(), "-t", "3600", "-B", "4000000", "-w"])
            .arg(dir.path().join("flows"))
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("nfcapd (Debian package nfdump) must be installed: .ci/run installs it");
        let n = Nfcapd { child, port, dir };
        n.wait_log("Startup");
        n
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default()
    }

    fn wait_log(&self, what: &str) {
        let start = Instant::now();
        while !self.log().contains(what) {
            assert!(start.elapsed() < Duration::from_secs(10), "nfcapd did not log '{what}': {}", self.log());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops the collector (SIGTERM: it writes its file) and reads every record back, by
    /// exporter in the order the exporters first sent. nfcapd must have seen no gap in the
    /// sequence numbers.
    fn stop(mut self) -> BTreeMap<u64, Vec<Rec>> {
        // what is still queued at its socket would be lost with the signal
        let start = Instant::now();
        while udp_queued(self.port).expect("nfcapd's socket") > 0 {
            assert!(start.elapsed() < Duration::from_secs(10), "nfcapd does not read its socket");
            std::thread::sleep(Duration::from_millis(10));
        }
        let pid = self.child.id().to_string();
        let ok = Command::new("kill").args(["-TERM", &pid]).status().unwrap().success();
        assert!(ok, "could not stop nfcapd");
        self.child.wait().unwrap();
        let log = self.log();
        let gaps: Vec<&str> = log.split("Sequence Errors: ").skip(1).map(|r| r.split(',').next().unwrap()).collect();
        assert!(!gaps.is_empty() && gaps.iter().all(|n| *n == "0"), "nfcapd saw lost messages: {log}");
        let out = Command::new("nfdump")
            .env("TZ", "UTC")
            .arg("-R")
            .arg(self.dir.path().join("flows"))
            .args(["-o", "json"])
            .output()
            .unwrap();
        assert!(out.status.success(), "nfdump: {}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).unwrap();
        let json: Value =
            if text.trim().is_empty() { Value::Array(vec![]) } else { serde_json::from_str(&text).unwrap() };
        let mut by = BTreeMap::<u64, Vec<Rec>>::new();
        for v in json.as_array().unwrap() {
            by.entry(v["export_sysid"].as_u64().unwrap()).or_default().push(nfdump_rec(v));
        }
        by
    }
}

/// Bytes waiting at the local UDP socket bound to `port` (`rx_queue` of `/proc/net/udp`),
/// `None` when there is no such socket.
fn udp_queued(port: u16) -> Option<u64> {
    let table = std::fs::read_to_string("/proc/net/udp").unwrap();
    let local = format!(":{port:04X}");
    table.lines().skip(1).map(|l| l.split_whitespace().collect::<Vec<_>>()).find_map(|f| {
        let queues = f.get(4).filter(|_| f[1].ends_with(&local))?;
        Some(u64::from_str_radix(queues.split(':').nth(1)?, 16).unwrap())
    })
}

impl Drop for Nfcapd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A record as nfdump prints it in JSON; ICMP's type and code are its destination port.
fn nfdump_rec(v: &Value) -> Rec {
    let s = |k: &str| v[k].as_str().unwrap_or_else(|| panic!("no {k} in {v}"));
    let n = |k: &str| v[k].as_u64().unwrap_or_else(|| panic!("no {k} in {v}"));
    let addr = |k4: &str, k6: &str| v.get(k4).or_else(|| v.get(k6)).and_then(Value::as_str).unwrap().parse().unwrap();
    let proto = n("proto") as u8;
    let (sport, dport) = if v.get("icmp_type").is_some() {
        (0, (n("icmp_type") * 256 + n("icmp_code")) as u16)
    } else {
        (n("src_port") as u16, n("dst_port") as u16)
    };
    Rec {
        first_ms: parse_ms(s("first")),
        last_ms: parse_ms(s("last")),
        src: addr("src4_addr", "src6_addr"),
        dst: addr("dst4_addr", "dst6_addr"),
        sport,
        dport,
        proto,
        packets: n("in_packets"),
        bytes: n("in_bytes"),
        dir: n("direction") as u8,
        src_mac: s("in_src_mac").to_owned(),
        dst_mac: s("in_dst_mac").to_owned(),
        vlan: n("src_vlan") as u16,
        // `CEUAPRSF`, a dot where the flag is not set
        tcp_flags: v
            .get("tcp_flags")
            .and_then(Value::as_str)
            .map(|f| f.bytes().enumerate().filter(|(_, c)| *c != b'.').fold(0, |f, (i, _)| f | 0x80 >> i)),
        tos: n("src_tos") as u8,
    }
}

/// `2011-03-18T19:06:07.096` (UTC) as milliseconds since the epoch.
fn parse_ms(t: &str) -> u64 {
    let num = |r: std::ops::Range<usize>| t[r].parse::<i64>().unwrap_or_else(|_| panic!("time {t}"));
    let (y, m, d) = (num(0..4), num(5..7), num(8..10));
    // days from civil (H. Hinnant's algorithm)
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    let secs = days * 86_400 + num(11..13) * 3600 + num(14..16) * 60 + num(17..19);
    (secs * 1000 + num(20..23)) as u64
}

/// `1300475167.096535000` as milliseconds. The fraction is nanoseconds, printed as stored:
/// a capture's invalid microseconds (a million or more) make more than nine digits, which
/// count as the whole seconds they are.
fn flow_ms(t: &str) -> u64 {
    let (s, f) = t.split_once('.').unwrap();
    assert!(f.len() >= 9, "{t}: nanoseconds expected");
    s.parse::<u64>().unwrap() * 1000 + f.parse::<u64>().unwrap() / 1_000_000
}

/// The IPv4 and IPv6 flow directions of a flow file, as they are exported.
fn expected(flows: &Flows) -> Vec<Rec> {
    let col = |name: &str| flows.columns.iter().position(|c| c == name).unwrap_or_else(|| panic!("no column {name}"));
    let [first, last, src, dst, sport, dport, proto, pkts, bytes] =
        ["timeFirst", "timeLast", "srcIP", "dstIP", "srcPort", "dstPort", "l4Proto", "pktsSnt", "l7BytesSnt"].map(col);
    let [dir, src_mac, dst_mac, vlan, tcp_flags, tos] =
        ["dir", "srcMac", "dstMac", "vlanID", "tcpFlags", "ipToS"].map(col);
    // the first of a repeated value (`20;30`), none as nfdump's zero
    let first_of = |v: &str| v.split(';').next().filter(|v| !v.is_empty()).map(str::to_owned);
    let mac = |v: &str| first_of(v).unwrap_or_else(|| "00:00:00:00:00:00".to_owned());
    let hex = |v: &str| u16::from_str_radix(v.trim_start_matches("0x"), 16).unwrap();
    let mut out: Vec<Rec> = flows
        .rows
        .iter()
        .filter_map(|r| {
            Some(Rec {
                first_ms: flow_ms(&r[first]),
                last_ms: flow_ms(&r[last]),
                src: r[src].parse().ok()?,
                dst: r[dst].parse().ok()?,
                sport: r[sport].parse().unwrap(),
                dport: r[dport].parse().unwrap(),
                proto: r[proto].parse().unwrap(),
                packets: r[pkts].parse().unwrap(),
                bytes: r[bytes].parse().unwrap(),
                dir: u8::from(r[dir] == "B"),
                src_mac: mac(&r[src_mac]),
                dst_mac: mac(&r[dst_mac]),
                vlan: first_of(&r[vlan]).map_or(0, |v| v.parse().unwrap()),
                // tcpFlags' aggregate holds the TCP header's flags in its low byte
                tcp_flags: (!matches!(r[proto].as_str(), "1" | "58")).then(|| hex(&r[tcp_flags]) as u8),
                tos: hex(&r[tos]) as u8,
            })
        })
        .collect();
    out.sort();
    out
}

/// Runs `tranalyzer` on `pcap` with the plugins in `plugins` and the netflowSink overrides
/// `env`, sensor ID `sensor`.
fn run(plugins: &Path, pcap: &Path, sensor: u32, env: &[(&str, String)]) -> Run {
    let out = tempfile::tempdir().unwrap();
    let prefix = format!("{}/", out.path().display());
    let output: Output = Command::new(tranalyzer())
        .arg("-p")
        .arg(plugins)
        .arg("-r")
        .arg(pcap)
        .args(["-x", &sensor.to_string(), "-w", &prefix])
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    Run { output, out }
}

/// The captures of the shared set.
fn captures() -> Option<Vec<PathBuf>> {
    let dir = shared_dir()?.join("pcaps");
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "pcap" || e == "pcapng"))
        .collect();
    v.sort();
    Some(v)
}

/// The `netflowSink:` report line's count of records sent.
fn sent(run: &Run) -> u64 {
    let out = run.stdout();
    let line = out.lines().find(|l| l.contains("flow records sent to")).unwrap_or_else(|| panic!("no report: {out}"));
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Every capture through one collector; each run has its own sensor ID, which nfcapd tells
/// apart as exporters numbered in the order they first sent.
fn every_capture(ver: u8) {
    let Some(pcaps) = captures() else { return };
    let plugins = plugins();
    let nfcapd = Nfcapd::start();
    let env = [("NF_DPORT", nfcapd.port.to_string()), ("NF_VER", ver.to_string())];
    let mut want = Vec::new();
    for (i, pcap) in pcaps.iter().enumerate() {
        let r = run(plugins.path(), pcap, i as u32 + 1, &env);
        let name = pcap.file_name().unwrap().to_string_lossy().into_owned();
        assert_eq!(r.code(), Some(0), "{name}: {}", r.stderr());
        let recs = expected(&r.flows());
        assert_eq!(sent(&r), recs.len() as u64, "{name}: {}", r.stdout());
        if !recs.is_empty() {
            want.push((name, recs));
        }
    }
    let got = nfcapd.stop();
    assert_eq!(got.len(), want.len(), "exporters: {:?}", got.keys().collect::<Vec<_>>());
    for ((name, want), (sysid, mut got)) in want.into_iter().zip(got) {
        got.sort();
        assert_eq!(got.len(), want.len(), "{name} (exporter {sysid}): record count");
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(g, w, "{name} (exporter {sysid})");
        }
    }
}

#[test]
fn every_capture_over_ipfix() {
    every_capture(10);
}

#[test]
fn every_capture_over_netflow_v9() {
    every_capture(9);
}

/// The run's `[ERR]` lines.
fn errors(run: &Run) -> Vec<String> {
    run.stderr().lines().filter(|l| l.starts_with("[ERR]")).map(str::to_owned).collect()
}

fn pcap(name: &str) -> Option<PathBuf> {
    Some(shared_dir()?.join("pcaps").join(name))
}

/// A run whose collector is not there loses every record, says so once, and still writes
/// its flow file; `what` is the cause the error line names.
fn absent(tcp: bool, cause: &str) {
    let Some(pcap) = pcap("dns-http-wikipedia.pcap") else { return };
    let plugins = plugins();
    let port = free_port(!tcp);
    let env = [("NF_DPORT", port.to_string()), ("NF_SOCKTYPE", u8::from(tcp).to_string())];
    let start = Instant::now();
    let r = run(plugins.path(), &pcap, 1, &env);
    assert!(start.elapsed() < Duration::from_secs(10), "{:?}", start.elapsed());
    let total = expected(&r.flows()).len();
    assert!(total > 10);
    assert_eq!(r.code(), Some(1), "{}", r.stderr());
    let proto = if tcp { "TCP" } else { "UDP" };
    assert_eq!(
        errors(&r),
        [format!(
            "[ERR] netflowSink: {total} of {total} flow records lost: collector 127.0.0.1:{port} ({proto}): {cause}"
        )]
    );
    let out = r.stdout();
    assert!(
        out.contains(&format!("[WRN] netflowSink: collector 127.0.0.1:{port} ({proto}) is not reachable")),
        "{out}"
    );
    assert!(out.contains(&format!("netflowSink: 0 flow records sent to 127.0.0.1:{port} ({proto}) in 0 ")), "{out}");
    assert!(out.contains(&format!("[WRN] netflowSink: Flow records lost: {total} ")), "{out}");
}

#[test]
fn udp_collector_absent() {
    absent(false, "Connection refused");
}

#[test]
fn tcp_collector_refuses() {
    absent(true, "Connection refused");
}

/// A collector that relays the IPFIX messages it reads to nfcapd and goes away after `keep`
/// messages: nfdump holds what it relayed, all of it our flows; the run reports the rest lost
/// in one error line naming the collector and the cause, and fails. Over UDP the collector's
/// port answers with ICMP port unreachable once it is gone.
fn killed_mid_run(tcp: bool) {
    let Some(pcap) = pcap("tcp-synscan-2k-flows.pcapng") else { return };
    let plugins = plugins();
    let nfcapd = Nfcapd::start();
    let to = nfcapd.port;
    let keep = 5;
    let (port, relay) = if tcp {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let relay = std::thread::spawn(move || {
            let (mut conn, _) = listener.accept().unwrap();
            let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
            for _ in 0..keep {
                // an IPFIX message says its length in its header
                let mut msg = vec![0u8; 16];
                conn.read_exact(&mut msg).unwrap();
                let len = usize::from(u16::from_be_bytes([msg[2], msg[3]]));
                msg.resize(len, 0);
                conn.read_exact(&mut msg[16..]).unwrap();
                udp.send_to(&msg, ("127.0.0.1", to)).unwrap();
            }
            // the collector dies: connection and listener gone
            drop(conn);
            drop(listener);
        });
        (port, relay)
    } else {
        let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = rx.local_addr().unwrap().port();
        let relay = std::thread::spawn(move || {
            let mut buf = vec![0u8; 65_536];
            for _ in 0..keep {
                let len = rx.recv(&mut buf).unwrap();
                rx.send_to(&buf[..len], ("127.0.0.1", to)).unwrap();
            }
            drop(rx);
        });
        (port, relay)
    };
    let env = [
        ("NF_DPORT", port.to_string()),
        ("NF_SOCKTYPE", u8::from(tcp).to_string()),
        ("NF_VER", "10".to_owned()),
        ("NF_NUM4FLWS", "50".to_owned()),
    ];
    let start = Instant::now();
    let r = run(plugins.path(), &pcap, 1, &env);
    assert!(start.elapsed() < Duration::from_secs(15), "{:?}", start.elapsed());
    relay.join().unwrap();
    let want = expected(&r.flows());
    let total = want.len() as u64;
    assert!(total > 50 * (keep as u64 + 2), "{total} records: too few messages");
    assert_eq!(r.code(), Some(1), "{}", r.stderr());
    let got: Vec<Rec> = nfcapd.stop().into_values().flatten().collect();
    assert_eq!(got.len() as u64, 50 * keep as u64, "nfdump holds the relayed messages");
    for g in &got {
        assert!(want.binary_search(g).is_ok(), "not one of our flows: {g:?}");
    }
    // what reached the collector's socket but was never read counts as sent: neither
    // protocol acknowledges messages
    let delivered = sent(&r);
    let lost = total - delivered;
    assert!(delivered >= got.len() as u64 && lost > 0, "sent {delivered} of {total}");
    let proto = if tcp { "TCP" } else { "UDP" };
    let collector = format!("collector 127.0.0.1:{port} ({proto})");
    let errs = errors(&r);
    let head = format!("[ERR] netflowSink: {lost} of {total} flow records lost: {collector}: ");
    assert!(errs.len() == 1 && errs[0].starts_with(&head), "{errs:?}\nwant {head}");
    let out = r.stdout();
    assert!(out.contains(&format!("[WRN] netflowSink: {collector} is not reachable")), "{out}");
    assert!(out.contains(&format!("[WRN] netflowSink: Flow records lost: {lost} ")), "{out}");
    assert!(r.file("_flows.txt").is_some(), "the flow file is written");
}

#[test]
fn tcp_collector_killed_mid_run() {
    killed_mid_run(true);
}

#[test]
fn udp_collector_killed_mid_run() {
    killed_mid_run(false);
}
