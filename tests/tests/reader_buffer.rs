//! Reads past a packet's captured bytes find what T2 finds in libpcap's reused read buffer: the
//! bytes earlier (longer) packets of the file left there. It shows in the header description
//! of a cut LWAPP frame, whose 802.11 header and SNAP Ethertype T2 reads unchecked.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use rt2_tests::{Flows, PluginDir, Run, run_t2, tranalyzer};
use tranalyzer::testing::{Ip, L4, PcapWriter, ethernet, ip_packet};

const A: [u8; 4] = [10, 0, 0, 1];
const B: [u8; 4] = [10, 0, 0, 2];

/// An Ethernet/IPv4/UDP frame of `len` bytes whose payload is `fill` repeated.
fn ping(len: usize, fill: u8) -> Vec<u8> {
    let payload = vec![fill; len - 42];
    ethernet([2; 6], [4; 6], &[], 0x0800, &ip_packet(&Ip::V4(A, B), 1, &L4::Udp(5000, 6000, &payload)))
}

/// An LWAPP data frame from port 12222 to `port`, cut in its 802.11 header: frame control of
/// a data frame (big-endian, as Cisco sends it) and the duration field, 52 bytes in all. The
/// rest of the 24-byte 802.11 header and the LLC/SNAP header after it lie past the end.
fn cut_lwapp(port: u16) -> Vec<u8> {
    let lwapp = [0, 0, 0, 0, 0, 0, 0x00, 0x08, 0, 0];
    ethernet([2; 6], [4; 6], &[], 0x0800, &ip_packet(&Ip::V4(A, B), 1, &L4::Udp(12222, port, &lwapp)))
}

fn pcap(frames: &[Vec<u8>]) -> Vec<u8> {
    let mut w = PcapWriter::new(Vec::new(), 1, 65535).unwrap();
    for (i, f) in frames.iter().enumerate() {
        w.packet(1_700_000_000, i as u32 * 1000, f).unwrap();
    }
    w.into_inner()
}

/// The same frames as a pcapng: SHB, IDB and one EPB per frame.
fn pcapng(frames: &[Vec<u8>]) -> Vec<u8> {
    fn block(out: &mut Vec<u8>, btype: u32, body: &[u8]) {
        let len = (12 + body.len().next_multiple_of(4)) as u32;
        out.extend_from_slice(&btype.to_le_bytes());
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(body);
        out.resize(out.len() + body.len().next_multiple_of(4) - body.len(), 0);
        out.extend_from_slice(&len.to_le_bytes());
    }
    let mut out = Vec::new();
    let shb = [0x1a2b_3c4du32.to_le_bytes(), [1, 0, 0, 0], [0xff; 4], [0xff; 4]].concat();
    block(&mut out, 0x0a0d_0d0a, &shb);
    block(&mut out, 1, &[1, 0, 0, 0, 0, 0, 1, 0]);
    for (i, f) in frames.iter().enumerate() {
        let ts = 1_700_000_000_000_000u64 + i as u64 * 1000;
        let mut epb = vec![0; 4];
        epb.extend_from_slice(&((ts >> 32) as u32).to_le_bytes());
        epb.extend_from_slice(&(ts as u32).to_le_bytes());
        epb.extend_from_slice(&(f.len() as u32).to_le_bytes());
        epb.extend_from_slice(&(f.len() as u32).to_le_bytes());
        epb.extend_from_slice(f);
        block(&mut out, 6, &epb);
    }
    out
}

fn plugins() -> PluginDir {
    PluginDir::with(&["basicFlow", "txtSink"])
}

/// `tranalyzer -r FILE` on `capture`.
fn from_file(plugins: &Path, capture: &[u8], name: &str) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, capture).unwrap();
    run_t2(plugins, &["-r", path.to_str().unwrap()])
}

/// `tranalyzer -r -` with `capture` on standard input.
fn from_stdin(plugins: &Path, capture: &[u8]) -> Run {
    let out = tempfile::tempdir().unwrap();
    let prefix = format!("{}/", out.path().display());
    let mut child = Command::new(tranalyzer())
        .arg("-p")
        .arg(plugins)
        .args(["-r", "-", "-w", &prefix])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(capture).unwrap();
    let output = child.wait_with_output().unwrap();
    Run { output, out }
}

/// hdrDesc of both directions of the flow with UDP port `port`.
fn hdr_desc(run: &Run, port: u16) -> Vec<String> {
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    let flows: Flows = run.flows();
    let col = |name: &str| flows.columns.iter().position(|c| c == name).unwrap();
    let (desc, sport, dport) = (col("hdrDesc"), col("srcPort"), col("dstPort"));
    let port = port.to_string();
    let found: Vec<String> =
        flows.rows.iter().filter(|r| r[sport] == port || r[dport] == port).map(|r| r[desc].clone()).collect();
    assert!(!found.is_empty(), "no flow with port {port}");
    found
}

#[test]
fn a_cut_lwapp_frame_reads_what_earlier_packets_left() {
    // 'x' up to byte 200, then 'y' up to byte 100 over it; the 60-byte packet of 'z' does not
    // reach the LWAPP frame's SNAP header (bytes 72-80), so the second frame finds 'y'
    let frames = [ping(200, b'x'), cut_lwapp(40001), ping(100, b'y'), ping(60, b'z'), cut_lwapp(40002)];
    let p = plugins();
    let pcap = pcap(&frames);
    let runs = [
        ("pcap file", from_file(p.path(), &pcap, "lwapp.pcap")),
        ("pcap on stdin", from_stdin(p.path(), &pcap)),
        ("pcapng file", from_file(p.path(), &pcapng(&frames), "lwapp.pcapng")),
    ];
    for (what, run) in &runs {
        assert_eq!(hdr_desc(run, 40001), ["eth:ipv4:udp:lwapp:wlan:llc:UNK(0x7878)"], "{what}");
        assert_eq!(hdr_desc(run, 40002), ["eth:ipv4:udp:lwapp:wlan:llc:UNK(0x7979)"], "{what}");
    }
}

#[test]
fn with_no_earlier_longer_packet_the_buffer_holds_zeros() {
    // zeros: an empty 2-byte OLPC field is skipped, and SNAP type 0 is Cisco's WLCCP
    let frames = [ping(60, b'z'), cut_lwapp(40001)];
    let p = plugins();
    let pcap = pcap(&frames);
    for run in [from_file(p.path(), &pcap, "lwapp.pcap"), from_stdin(p.path(), &pcap)] {
        assert_eq!(hdr_desc(&run, 40001), ["eth:ipv4:udp:lwapp:wlan:llc:wlccp"]);
    }
}
