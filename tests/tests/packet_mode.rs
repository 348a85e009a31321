//! Packet mode (`-s`): `PREFIX_packets.txt` on the shipped sample (core.md §2.3, plugins.md §0.3).

use rt2_tests::{PluginDir, Run, run_t2, sample_pcap};

const BASIC_STATS: [&str; 8] = ["pktLen", "snapL3Len", "snapL4Len", "snapL7Len", "l3Len", "udpLen", "l7Len", "padLen"];

/// Runs `-s` on the sample and returns the run and the packet file split into header and rows.
fn packets(plugins: &[&str]) -> (Run, Vec<String>, Vec<Vec<String>>) {
    let dir = PluginDir::with(plugins);
    let run = run_t2(dir.path(), &["-r", sample_pcap().to_str().unwrap(), "-s"]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    let text = run.file("_packets.txt").expect("no packet file");
    assert!(text.ends_with('\n'));
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    assert!(header.starts_with('%'), "{header}");
    let header: Vec<String> = header[1..].split('\t').map(str::to_owned).collect();
    let rows = lines.map(|l| l.split('\t').map(str::to_owned).collect()).collect();
    (run, header, rows)
}

fn check_rows(run: &Run, header: &[String], rows: &[Vec<String>]) {
    assert_eq!(rows.len(), 30, "one line per packet: every packet of the sample has a flow");
    let flows = run.flows();
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r.len(), header.len(), "packet {}: {r:?}", i + 1);
        assert_eq!(r[0], (i + 1).to_string());
        let findex: u64 = r[1].parse().unwrap();
        assert!(flows.rows.iter().any(|f| f[1] == r[1]), "flowInd {findex} is not a flow");
    }
}

fn col<'a>(header: &[String], row: &'a [String], name: &str) -> &'a str {
    &row[header.iter().position(|c| c == name).unwrap_or_else(|| panic!("no column {name}"))]
}

#[test]
fn default_plugins() {
    let (run, header, rows) = packets(&["basicFlow", "basicStats", "tcpFlags", "tcpStates", "txtSink"]);
    let mut want = vec!["pktNo", "flowInd"];
    want.extend(BASIC_STATS);
    want.extend(["tcpStatesAFlags", "l7Content"]);
    assert_eq!(header, want);
    check_rows(&run, &header, &rows);
    let flows = run.flows();
    // packet 7: the HTTP SYN, first packet of flow 5; packet 10: the request
    assert_eq!(rows[6][1], "5");
    assert_eq!(flows.get("A", 5, "dstPort"), "80");
    assert_eq!(col(&header, &rows[6], "pktLen"), "66");
    assert_eq!(col(&header, &rows[6], "l7Content"), "");
    assert_eq!(
        col(&header, &rows[9], "l7Content"),
        r"GET / HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: rt2-sample\r\nAccept: */*\r\n\r\n"
    );
    assert_eq!(col(&header, &rows[9], "l7Len"), "78");
    // the ARP request: a layer-2 flow, 18 padding bytes in a 60-byte frame
    assert_eq!(col(&header, &rows[0], "padLen"), "18");
    assert_eq!(col(&header, &rows[0], "tcpStatesAFlags"), "0x00");
    // the refused telnet connection: the RST comes from the sender of the answer
    assert_eq!(col(&header, &rows[18], "tcpStatesAFlags"), "0x40");
    // the DNS query over IPv4 and the first fragment of the syslog datagram
    assert_eq!(col(&header, &rows[2], "udpLen"), "41");
    assert_eq!(col(&header, &rows[27], "udpLen"), "3008");
    assert_eq!(col(&header, &rows[28], "udpLen"), "0");
}

#[test]
fn with_tcp_win() {
    let (run, header, rows) = packets(&["basicFlow", "basicStats", "tcpFlags", "tcpStates", "tcpWin", "txtSink"]);
    let n = header.len();
    assert_eq!(header[n - 4..], ["tcpStatesAFlags", "tcpWinStat", "tcpWinSz", "l7Content"]);
    check_rows(&run, &header, &rows);
    // the HTTP SYN and SYN-ACK; a DNS packet has no window
    assert_eq!((col(&header, &rows[6], "tcpWinStat"), col(&header, &rows[6], "tcpWinSz")), ("0x00", "502"));
    assert_eq!(col(&header, &rows[7], "tcpWinSz"), "1040");
    assert_eq!((col(&header, &rows[2], "tcpWinStat"), col(&header, &rows[2], "tcpWinSz")), ("0x00", ""));
}

#[test]
fn no_packet_file_without_s() {
    let dir = PluginDir::with(&["basicStats", "txtSink"]);
    let run = run_t2(dir.path(), &["-r", sample_pcap().to_str().unwrap()]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    assert!(run.file("_packets.txt").is_none());
}
