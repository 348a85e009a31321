//! Packet mode (`-s`): `PREFIX_packets.txt` on the shipped sample (core.md §2.3, plugins.md §0.3).

use rt2_tests::{DEFAULT_FIVE, PluginDir, Run, run_t2, sample_pcap};

const BASIC_FLOW: [&str; 20] = [
    "flowStat",
    "time",
    "pktIAT",
    "pktTrip",
    "flowDuration",
    "numHdrs",
    "hdrDesc",
    "vlanID",
    "srcMac",
    "dstMac",
    "ethType",
    "srcIP",
    "srcIPCC",
    "srcIPOrg",
    "srcPort",
    "dstIP",
    "dstIPCC",
    "dstIPOrg",
    "dstPort",
    "l4Proto",
];
const BASIC_STATS: [&str; 8] = ["pktLen", "snapL3Len", "snapL4Len", "snapL7Len", "l3Len", "udpLen", "l7Len", "padLen"];

/// tcpFlags' packet columns with the default flags (dual stack, SEQ_ACK_NUM, NAT_BT_EST, MPTCP).
const TCP_FLAGS: [&str; 41] = [
    "ipToS",
    "ipID",
    "ipIDDiff",
    "ipFrag",
    "ipTTL",
    "ipHdrChkSum",
    "ipCalChkSum",
    "l4HdrChkSum",
    "l4CalChkSum",
    "ipFlags",
    "ip6HHOptLen",
    "ip6HHOpts",
    "ip6DOptLen",
    "ip6DOpts",
    "ipOptLen",
    "ipOpts",
    "seq",
    "ack",
    "seqMax",
    "seqDiff",
    "ackDiff",
    "seqLen",
    "ackLen",
    "seqFlowLen",
    "ackFlowLen",
    "tcpMLen",
    "tcpBFlgt",
    "tcpFStat",
    "tcpFlags",
    "tcpAnomaly",
    "tcpWin",
    "tcpWS",
    "tcpMSS",
    "tcpTmS",
    "tcpTmER",
    "tcpMPTyp",
    "tcpMPF",
    "tcpMPAID",
    "tcpMPDSSF",
    "tcpOptLen",
    "tcpOpts",
];

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
    let (run, header, rows) = packets(&DEFAULT_FIVE);
    let mut want = vec!["pktNo", "flowInd"];
    want.extend(BASIC_FLOW);
    want.extend(BASIC_STATS);
    want.extend(TCP_FLAGS);
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

/// tcpFlags' packet columns (plugins.md §4 "Packet columns"): the HTTP connection with window
/// scaling, the refused telnet connection, a DNS packet, fragments and the ARP request.
#[test]
fn tcp_flags_packet_columns() {
    let (run, header, rows) = packets(&["tcpFlags", "txtSink"]);
    check_rows(&run, &header, &rows);
    let get = |pkt: usize, name: &str| col(&header, &rows[pkt - 1], name).to_owned();
    let cols = |pkt: usize, names: &[&str]| names.iter().map(|n| get(pkt, n)).collect::<Vec<_>>();
    let syn_opts = "0x02;0x04;0x05;0xb4;0x04;0x02;0x01;0x03;0x03;0x07;0x01;0x01";
    // packet 7: the client's SYN (ISN 0x5f3a10c2, MSS 1460, SACK permitted, window scale 7)
    assert_eq!(
        cols(7, &["ipToS", "ipID", "ipIDDiff", "ipFrag", "ipTTL", "ipHdrChkSum", "ipCalChkSum", "ipFlags"]),
        ["0x00", "14850", "0", "0x4000", "64", "0x0935", "0x0935", "0x0040"]
    );
    assert_eq!(get(7, "l4HdrChkSum"), get(7, "l4CalChkSum"));
    assert_eq!(
        cols(7, &["ip6HHOptLen", "ip6HHOpts", "ip6DOptLen", "ip6DOpts", "ipOptLen", "ipOpts"]),
        ["0", "", "0", "", "0", ""]
    );
    assert_eq!(cols(7, &["seq", "ack", "seqMax", "seqDiff", "ackDiff"]), ["1597640898", "0", "1597640898", "0", "0"]);
    assert_eq!(
        cols(7, &["tcpFStat", "tcpFlags", "tcpAnomaly", "tcpWin", "tcpWS", "tcpMSS", "tcpOptLen", "tcpOpts"]),
        ["0x0010", "0x0002", "0x0000", "502", "0", "1460", "12", syn_opts]
    );
    assert_eq!(
        cols(7, &["tcpTmS", "tcpTmER", "tcpMPTyp", "tcpMPF", "tcpMPAID", "tcpMPDSSF"]),
        ["0", "0", "0", "0x00", "0", "0x00"]
    );
    // packet 8: the SYN-ACK (flags with the SYN-ACK combination bit), window scale 9
    assert_eq!(cols(8, &["seq", "ack", "tcpFlags", "tcpWin"]), ["2650896180", "1597640899", "0x0212", "1040"]);
    assert_eq!(get(8, "tcpOpts"), syn_opts.replace("0x03;0x07", "0x03;0x09"));
    // packet 9: the handshake's ACK, window scaled by 2^7 now that both sides sent the option
    assert_eq!(
        cols(9, &["ipIDDiff", "seqDiff", "tcpFStat", "tcpFlags", "tcpWin", "tcpWS", "tcpOptLen", "tcpOpts"]),
        ["1", "1", "0x0a11", "0x0010", "64256", "128", "0", ""]
    );
    // packet 10: the 78-byte request; packet 11 acknowledges it
    assert_eq!(cols(10, &["tcpFlags", "tcpMLen", "tcpBFlgt"]), ["0x0018", "78", "78"]);
    assert_eq!(cols(11, &["ackDiff", "ackLen", "ackFlowLen", "tcpWin", "tcpWS"]), ["78", "78", "78", "532480", "512"]);
    // packet 19: the RST-ACK refusing the telnet connection
    assert_eq!(cols(19, &["seq", "ack", "tcpFlags", "tcpOptLen"]), ["0", "16909061", "0x0414", "0"]);
    // packet 3: DNS over UDP, no TCP part
    let udp_tcp_part = cols(3, &["seq", "tcpFStat", "tcpFlags", "tcpWin", "tcpTmS", "tcpMPF", "tcpOptLen", "tcpOpts"]);
    assert_eq!(udp_tcp_part, ["", "0x0000", "", "", "", "", "0", ""]);
    assert_eq!(get(3, "l4HdrChkSum"), get(3, "l4CalChkSum"));
    // packets 28-30: the fragmented syslog datagram: only the last completes the checksum
    assert_eq!(
        cols(28, &["ipFrag", "l4HdrChkSum", "l4CalChkSum", "ipFlags"]),
        ["0x2000", "0x267a", "0x0000", "0x2020"]
    );
    assert_eq!(cols(29, &["ipFrag", "l4HdrChkSum", "l4CalChkSum"]), ["0x20b9", "0x0000", "0x0000"]);
    assert_eq!(cols(30, &["ipFrag", "l4HdrChkSum"]), ["0x0172", "0x267a"]);
    // packet 24: ICMPv6 echo: no IPv4 ID nor header checksum
    assert_eq!(cols(24, &["ipID", "ipHdrChkSum", "ipTTL", "ip6HHOptLen", "ipOptLen"]), ["0", "0x0000", "64", "0", "0"]);
    // packet 1: the ARP request, a layer-2 flow: every field empty
    let first = header.iter().position(|c| c == "ipToS").unwrap();
    assert!(rows[0][first..first + TCP_FLAGS.len()].iter().all(String::is_empty), "{:?}", rows[0]);
}

#[test]
fn no_packet_file_without_s() {
    let dir = PluginDir::with(&["basicStats", "txtSink"]);
    let run = run_t2(dir.path(), &["-r", sample_pcap().to_str().unwrap()]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    assert!(run.file("_packets.txt").is_none());
}

#[test]
fn basic_flow_packet_columns() {
    let (run, header, rows) = packets(&["basicFlow", "txtSink"]);
    let mut want = vec!["pktNo", "flowInd"];
    want.extend(BASIC_FLOW);
    want.push("l7Content");
    assert_eq!(header, want);
    check_rows(&run, &header, &rows);
    let get = |pkt: usize, names: &[&str]| -> Vec<String> {
        names.iter().map(|n| col(&header, &rows[pkt - 1], n).to_owned()).collect::<Vec<_>>()
    };
    let times = ["flowStat", "time", "pktIAT", "pktTrip", "flowDuration"];
    // the ARP request: a layer-2 flow, MACs and Ethertype but no address columns
    assert_eq!(
        get(1, &times),
        ["0x0000000000000044", "1768471200.000000000", "0.000000000", "0.000000000", "0.000000000"]
    );
    assert_eq!(
        get(1, &["numHdrs", "hdrDesc", "vlanID", "srcMac", "dstMac", "ethType"]),
        ["2", "eth:arp", "", "02:00:00:00:00:0a", "ff:ff:ff:ff:ff:ff", "0x0806"]
    );
    let ip_cols = ["srcIP", "srcIPCC", "srcIPOrg", "srcPort", "dstIP", "dstIPCC", "dstIPOrg", "dstPort", "l4Proto"];
    assert!(get(1, &ip_cols).iter().all(String::is_empty));
    // the IPv4 DNS answer: B flow, trip time to the query, the flow's addresses and ports
    assert_eq!(
        get(5, &times),
        ["0x0400000000004001", "1768471200.019870000", "0.000000000", "0.018620000", "0.000000000"]
    );
    assert_eq!(
        get(5, &ip_cols),
        ["192.168.1.1", "07", "Private network", "53", "192.168.1.10", "07", "Private network", "51515", "17"]
    );
    // IPv6 addresses as inet_ntop writes them
    assert_eq!(col(&header, &rows[3], "srcIP"), "2001:db8:1::a");
    assert_eq!(col(&header, &rows[3], "ethType"), "0x86dd");
    // the HTTP flow's third packet: inter-arrival, trip to the SYN-ACK, duration since the SYN
    assert_eq!(get(9, &times[2..]), ["0.088950000", "0.000150000", "0.088950000"]);
    assert_eq!(get(15, &times[2..]), ["5.000600000", "5.000750000", "5.178900000"]);
    // ICMP: no ports
    assert_eq!(get(20, &["srcPort", "dstPort", "l4Proto"]), ["", "", "1"]);
    // the VLAN-tagged NTP request
    assert_eq!(get(26, &["numHdrs", "hdrDesc", "vlanID", "ethType"]), ["4", "eth:vlan:ipv4:udp", "20", "0x0800"]);
    // a later fragment: fragmentation bits in flowStat
    assert_eq!(
        get(29, &times),
        ["0x0400089000004000", "1768471245.000020000", "0.000020000", "0.000000000", "0.000020000"]
    );
}
