//! Live capture (`-i`, core.md §3, §7.3, §9) on a real interface: the test owns a network
//! namespace and a veth pair, captures on the end left in the root namespace and sends ICMP and
//! TCP to it from the other end, between its two addresses only.
//!
//! Needs root and `ip` (iproute2), `ping` (iputils-ping) and `bash`. Without them the test is
//! skipped with a message, or fails when `RT2_REQUIRE_LIVE` is set (as in CI).

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener};
use std::process::Command;
use std::time::Duration;

use rt2_tests::live::{Veth, can_run, capture, interrupt, report_number, ring_size};
use rt2_tests::{Flows, PluginDir, tranalyzer};

/// A server on `addr` for one connection: it reads what the client sends, answers `bye` and
/// returns what it read.
fn tcp_server(addr: &str) -> (u16, std::thread::JoinHandle<String>) {
    let listener = TcpListener::bind((addr.parse::<Ipv4Addr>().unwrap(), 0)).expect("listening on the captured end");
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().expect("accepting the test connection");
        let mut got = String::new();
        let _ = conn.read_to_string(&mut got);
        let _ = conn.write_all(b"bye\n");
        got
    });
    (port, server)
}

/// Whether `flows` has a flow (either direction) between `a` and `b` with IP protocol `proto`.
fn has_flow(flows: &Flows, a: &str, b: &str, proto: u8) -> bool {
    let col = |n: &str| flows.columns.iter().position(|c| c == n).unwrap_or_else(|| panic!("no column {n}"));
    let (src, dst, l4) = (col("srcIP"), col("dstIP"), col("l4Proto"));
    let proto = proto.to_string();
    flows.rows.iter().any(|r| r[l4] == proto && ((r[src] == a && r[dst] == b) || (r[src] == b && r[dst] == a)))
}

#[test]
fn captures_icmp_and_tcp_on_a_veth_and_stops_on_sigint() {
    if !can_run() {
        return;
    }
    let veth = Veth::new();
    let (here, there) = (veth.addr(1), veth.addr(2));
    let plugins = PluginDir::with(&["basicFlow", "txtSink"]);
    let (port, server) = tcp_server(&here);

    let mut t2 = capture(&plugins, &veth.iface, &[]);
    veth.in_ns("ping", &["-c", "3", "-i", "0.2", "-W", "2", &here]);
    // bash's /dev/tcp: a client inside the namespace without another tool
    let client = format!("exec 3<>/dev/tcp/{here}/{port}; echo hello >&3; exec 3>&-");
    veth.in_ns("bash", &["-c", &client]);
    assert_eq!(server.join().unwrap(), "hello\n");
    // the last packets (FIN/ACK) reach the capture within one read timeout
    std::thread::sleep(Duration::from_millis(500));
    // a SIGUSR1 report is served on an idle interface too, with the live input block
    t2.signal("USR1");
    t2.wait_stdout(10.0, |s| s.contains("USR1 A type report"));
    let code = interrupt(&mut t2, 10.0);
    let stdout = t2.stdout();
    assert_eq!(code, Some(0), "{stdout}");

    assert!(stdout.contains(&format!("Live capture on interface: {}\n", veth.iface)), "{stdout}");
    assert!(stdout.contains("Rx buffer length: "), "{stdout}");
    assert!(stdout.contains("USR1 A type report"), "{stdout}");
    assert_eq!(stdout.matches(&format!("Live capture on interface: {}\n", veth.iface)).count(), 2, "{stdout}");
    assert!(!stdout.contains("PCAP time:") && !stdout.contains("Remaining time:"), "{stdout}");
    assert!(stdout.contains("[INF] SIGINT: Remove all flows and exit"), "{stdout}");
    let received = report_number(&stdout, "Number of packets received").expect("a received line");
    let kernel = report_number(&stdout, "Number of packets dropped by the kernel").unwrap_or(0);
    let iface = report_number(&stdout, "Number of packets dropped by the interface").unwrap_or(0);
    let processed = report_number(&stdout, "Number of processed packets").expect("a processed line");
    // 3 echo requests and replies, and at least a handshake, the data and the FINs
    assert!(processed >= 6 + 6, "{stdout}");
    assert!(received >= processed, "{stdout}");
    assert_eq!((kernel, iface), (0, 0), "{stdout}");
    assert!(!stdout.contains("Number of pcap bytes"), "{stdout}");

    let flows = Flows::parse(&t2.file("_flows.txt").expect("no flow file written"));
    assert!(has_flow(&flows, &here, &there, 1), "no ICMP flow {here} <-> {there}: {:?}", flows.rows);
    assert!(has_flow(&flows, &here, &there, 6), "no TCP flow {here} <-> {there}: {:?}", flows.rows);
    let tcp = flows.rows.iter().find(|r| r.contains(&port.to_string())).expect("a flow with the listener's port");
    assert!(tcp.contains(&there) && tcp.contains(&here), "{tcp:?}");
}

#[test]
fn snaplen_buffer_size_and_kernel_filter() {
    if !can_run() {
        return;
    }
    let veth = Veth::new();
    let (here, there) = (veth.addr(1), veth.addr(2));
    let plugins = PluginDir::with(&["basicFlow", "txtSink"]);
    let (port, server) = tcp_server(&here);
    let mut t2 = capture(&plugins, &veth.iface, &["-S", "96", "-B", "0x100000", "icmp"]);
    // -B reached the kernel: libpcap maps a receive ring of exactly that size
    assert_eq!(ring_size(t2.child.id()), 0x100000);
    // 500-byte echo payloads: cut at 96 bytes by the snap length
    veth.in_ns("ping", &["-c", "3", "-i", "0.2", "-W", "2", "-s", "500", &here]);
    let client = format!("exec 3<>/dev/tcp/{here}/{port}; echo hello >&3; exec 3>&-");
    veth.in_ns("bash", &["-c", &client]);
    assert_eq!(server.join().unwrap(), "hello\n");
    std::thread::sleep(Duration::from_millis(500));
    let code = interrupt(&mut t2, 10.0);
    let stdout = t2.stdout();
    assert_eq!(code, Some(0), "{stdout}");

    assert!(stdout.contains("[INF] BPF: icmp\n"), "{stdout}");
    assert!(stdout.contains("Snapshot length: 96\n"), "{stdout}");
    assert!(stdout.contains("Rx buffer length: 1048576 (1.05 M)\n"), "{stdout}");
    // the kernel dropped the TCP packets before libpcap counted them: received = processed
    let received = report_number(&stdout, "Number of packets received").expect("a received line");
    let processed = report_number(&stdout, "Number of processed packets").expect("a processed line");
    assert_eq!((received, processed), (6, 6), "3 requests and 3 replies only:\n{stdout}");
    let flows = Flows::parse(&t2.file("_flows.txt").expect("no flow file written"));
    assert!(has_flow(&flows, &here, &there, 1), "no ICMP flow: {:?}", flows.rows);
    assert!(!has_flow(&flows, &here, &there, 6), "TCP passed the filter: {:?}", flows.rows);
    // every echo was cut: L3SNAPLENGTH (caplen < IP length) in both directions
    let stat = flows.columns.iter().position(|c| c == "flowStat").expect("flowStat column");
    for row in &flows.rows {
        let bits = u64::from_str_radix(row[stat].trim_start_matches("0x"), 16).expect("hex flowStat");
        assert_ne!(bits & 0x0000_0002_0000_0000, 0, "not snapped: {row:?}");
    }
}

#[test]
fn missing_interface_is_an_error() {
    if !can_run() {
        return;
    }
    let plugins = PluginDir::with(&["basicFlow", "txtSink"]);
    let out = tempfile::tempdir().unwrap();
    let run = Command::new(tranalyzer())
        .arg("-p")
        .arg(plugins.path())
        .args(["-i", "doesnotexist0", "-w", &format!("{}/", out.path().display())])
        .output()
        .expect("running tranalyzer");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    // pcap_create succeeds on Linux for any name; activation reports the missing device
    assert_eq!(stderr, "[ERR] Failed to activate capture interface 'doesnotexist0': No such device exists\n");
}
