//! netflowSink driven through the `Plugin` trait, exporting to a UDP socket of the test:
//! records per message (`NF_NUM4FLWS`/`NF_NUM6FLWS`), one template per family, flows that are
//! neither IPv4 nor IPv6, records that cannot be decoded, missing columns and bad overrides.

use std::net::UdpSocket;
use std::time::Duration;

use netflowSink::NetflowSink;
use netflowSink::flags::Config;
use plugin_api::abi::level;
use plugin_api::record::Encoder;
use plugin_api::testing::{TestHost, TestInit, core_config, globals};
use plugin_api::{Column, Ctx, Plugin};

fn columns() -> Vec<Column> {
    [
        ("dir", "DIR"),
        ("timeFirst", "TS"),
        ("timeLast", "TS"),
        ("srcIP", "IPX"),
        ("srcPort", "U16"),
        ("dstIP", "IPX"),
        ("dstPort", "U16"),
        ("l4Proto", "U8"),
        ("pktsSnt", "U64"),
        ("l7BytesSnt", "U64"),
    ]
    .iter()
    .map(|(n, s)| Column::parse(n, "", s).unwrap())
    .collect()
}

/// Flow direction `i` of IP version `ver` (0: none), `i` packets.
fn record(i: u8, ver: u8) -> Vec<u8> {
    let mut e = Encoder::new(Vec::new());
    let addr = |last: u8| {
        let mut a = [0u8; 16];
        if ver == 4 {
            a[..4].copy_from_slice(&[10, 0, 0, last]);
        } else {
            a[0] = 0x20;
            a[15] = last;
        }
        a
    };
    e.u8(i % 2);
    e.time(1_300_000_000 + u64::from(i), 5_000_000);
    e.time(1_300_000_001 + u64::from(i), 999_999_999);
    e.ipx(ver, &addr(1));
    e.u16(40_000 + u16::from(i));
    e.ipx(ver, &addr(2));
    e.u16(80);
    e.u8(6);
    e.u64(u64::from(i));
    e.u64(100 * u64::from(i));
    e.into_inner()
}

struct Run {
    host: TestHost,
    rx: UdpSocket,
    sink: NetflowSink,
}

impl Run {
    /// A sink exporting IPFIX to a socket of the test with `env` overrides.
    fn new(env: &[(&str, &str)]) -> Run {
        let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
        rx.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let host = TestHost::new();
        // the host answers with the first value set for a name
        for (k, v) in env {
            host.set_env(k, v);
        }
        host.set_env("NF_DPORT", &rx.local_addr().unwrap().port().to_string());
        host.set_env("NF_VER", "10");
        let sink = NetflowSink::with_config(host.host(), Config::default());
        Run { host, rx, sink }
    }

    fn init(&mut self, columns: Vec<Column>) {
        let init = TestInit { columns, ..TestInit::default() };
        let core = core_config();
        self.sink.init(&init.init(&core));
    }

    /// Sends `records`, reports and finalizes.
    fn send(&mut self, records: &[Vec<u8>]) {
        let g = globals();
        for r in records {
            self.sink.buffer_to_sink(Ctx::new(&g, &[]), r);
        }
        self.sink.report(Ctx::new(&g, &[]), &self.host.report());
        self.sink.finalize(Ctx::new(&g, &[]));
    }

    /// The next `n` messages: (set IDs, sequence number).
    fn messages(&self, n: usize) -> Vec<(Vec<u16>, u32)> {
        let mut buf = [0u8; 65_536];
        (0..n)
            .map(|_| {
                let len = self.rx.recv(&mut buf).unwrap();
                let msg = &buf[..len];
                assert_eq!(usize::from(u16::from_be_bytes([msg[2], msg[3]])), len);
                let (mut at, mut sets) = (16, Vec::new());
                while at < len {
                    sets.push(u16::from_be_bytes([msg[at], msg[at + 1]]));
                    at += usize::from(u16::from_be_bytes([msg[at + 2], msg[at + 3]]));
                }
                (sets, u32::from_be_bytes(msg[8..12].try_into().unwrap()))
            })
            .collect()
    }

    fn lines(&self, lvl: u32) -> Vec<String> {
        self.host.recorded().lines.iter().filter(|(_, l, _)| *l == lvl).map(|(_, _, t)| t.clone()).collect()
    }
}

#[test]
fn records_go_out_by_family_in_messages_of_the_flags_size() {
    let mut run = Run::new(&[("NF_NUM4FLWS", "2"), ("NF_NUM6FLWS", "3")]);
    run.init(columns());
    let mut recs: Vec<Vec<u8>> = (0..5).map(|i| record(i, 4)).collect();
    recs.extend((5..9).map(|i| record(i, 6)));
    recs.push(record(9, 0));
    run.send(&recs);
    // IPv4: 2 + 2 as they fill, IPv6: 3 when full, then what is left at the end (IPv4 first)
    let got = run.messages(5);
    assert_eq!(
        got,
        [(vec![2, 256], 0), (vec![256], 2), (vec![257], 4), (vec![256], 7), (vec![257], 8)],
        "templates with the first message, sequence numbers counting records"
    );
    assert!(run.host.failures().is_empty(), "{:?}", run.host.failures());
    let lines = run.lines(level::PLUGIN);
    let port = run.rx.local_addr().unwrap().port();
    assert!(lines.contains(&format!("9 flow records sent to 127.0.0.1:{port} (UDP) in 5 IPFIX messages")), "{lines:?}");
    assert!(lines.contains(&"Flow records not exported (neither IPv4 nor IPv6): 1".to_owned()), "{lines:?}");
}

#[test]
fn too_many_records_per_message_are_reduced() {
    let mut run = Run::new(&[("NF_NUM4FLWS", "65535")]);
    run.init(columns());
    let warns = run.lines(level::WARN);
    // IPFIX header 16, templates 4 + 2 × (4 + 4 × 11), data set header 4, three bytes padding
    let most = (65_507 - 16 - (4 + 2 * 48) - 4 - 3) / 47;
    assert_eq!(warns, [format!("Number of IPv4 flows per message too high: was reduced to {most}")]);
    run.send(&[]);
}

#[test]
fn undecodable_records_are_reported_once_and_counted() {
    let mut run = Run::new(&[]);
    run.init(columns());
    let good = record(1, 4);
    let cut = good[..good.len() - 3].to_vec();
    run.send(&[cut.clone(), good, cut]);
    let errors = run.lines(level::ERROR);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].ends_with("first occurrence after 0 flows: record not exported"), "{errors:?}");
    assert!(run.lines(level::PLUGIN).contains(&"Flow records not exported (undecodable): 2".to_owned()));
    assert_eq!(run.messages(1)[0].0, [2, 256]);
}

#[test]
fn a_missing_column_names_its_plugin() {
    let mut run = Run::new(&[]);
    let cols = columns().into_iter().filter(|c| c.name != "pktsSnt").collect();
    run.init(cols);
    assert_eq!(run.host.failures(), ["the flows have no column 'pktsSnt': load basicStats before netflowSink"]);
}

#[test]
fn a_bad_override_is_fatal() {
    let mut run = Run::new(&[("NF_VER", "5")]);
    run.init(columns());
    assert_eq!(run.host.failures(), ["NF_VER=5: the version must be 9 (NetFlow v9) or 10 (IPFIX)"]);
}

/// A TCP collector that takes the connection, never reads and takes no other: the sender's
/// writes time out, the queue fills, and the packet thread waits for it, which the end report
/// says; the records after the timeout are lost.
#[test]
fn a_stalled_collector_fills_the_queue() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    // the connection inherits a receive buffer of a few KB: loopback's default holds MBs
    rustix::net::sockopt::set_socket_recv_buffer_size(&listener, 4096).unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let host = TestHost::new();
    host.set_env("NF_DPORT", &port);
    let cfg = Config { nf_socktype: true, nf_queue: 1, nf_timeout: 0.2, nf_num4flws: 1000, ..Config::default() };
    let mut sink = NetflowSink::with_config(host.host(), cfg);
    let init = TestInit { columns: columns(), ..TestInit::default() };
    sink.init(&init.init(&core_config()));
    let (_peer, _) = listener.accept().unwrap();
    // no second connection either: the kernel would take one without `accept`
    drop(listener);
    let g = globals();
    let rec = record(1, 4);
    // 9.4 MB, more than the socket buffers hold
    let n = 200_000;
    for _ in 0..n {
        sink.buffer_to_sink(Ctx::new(&g, &[]), &rec);
    }
    sink.report(Ctx::new(&g, &[]), &host.report());
    sink.finalize(Ctx::new(&g, &[]));
    let lines: Vec<String> = host.recorded().lines.iter().map(|(_, _, t)| t.clone()).collect();
    let waited = lines.iter().any(|l| {
        l.starts_with("Packet processing waited ")
            && l.ends_with(" times for the collector: the sender's queue was full")
    });
    assert!(waited, "{lines:#?}");
    let failures = host.failures();
    assert_eq!(failures.len(), 1, "{failures:?} {lines:#?}");
    // the write timed out, the attempts after it found no collector to connect to
    let tail = format!(" of {n} flow records lost: collector 127.0.0.1:{port} (TCP): Connection refused");
    assert!(failures[0].ends_with(&tail), "{failures:?}");
}
