//! The capture the project ships (`samples/sample.pcap`): a minute of a small office network,
//! built here so that it is reproducible and free of anyone's real traffic. It exercises the
//! common paths of the core and the plugins: ARP, DNS over IPv4 and IPv6, a complete HTTP
//! connection with window scaling, a refused TCP connection, ICMP and ICMPv6 echo, a VLAN
//! tagged NTP exchange and a fragmented UDP datagram.
//!
//! `cargo run -p rt2-tests --bin make-sample` rewrites the file; a test checks that the
//! committed file is what this module builds.

use super::{Ip, L4, Mac, PcapWriter, Tcp, arp, ethernet, ip_packet, ipv4_fragments, tcp};

/// 2026-01-15 10:00:00 UTC, the time of the first packet.
const START: u64 = 1_768_471_200;

const CLIENT_MAC: Mac = [0x02, 0, 0, 0, 0, 0x0a];
const ROUTER_MAC: Mac = [0x02, 0, 0, 0, 0, 0x01];
const NTP_MAC: Mac = [0x02, 0, 0, 0, 0, 0x7b];
const BROADCAST: Mac = [0xff; 6];
const CLIENT: [u8; 4] = [192, 168, 1, 10];
const ROUTER: [u8; 4] = [192, 168, 1, 1];
const WEB: [u8; 4] = [93, 184, 216, 34];
const CLIENT6: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a];
const DNS6: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53];

/// Writes timestamped frames; times are offsets from [`START`] in microseconds.
struct Capture {
    w: PcapWriter<Vec<u8>>,
}

impl Capture {
    fn frame(&mut self, at_us: u64, frame: &[u8]) {
        let t = START * 1_000_000 + at_us;
        let (sec, usec) = ((t / 1_000_000) as u32, (t % 1_000_000) as u32);
        self.w.packet(sec, usec, frame).expect("writing to memory cannot fail");
    }

    /// An IP packet between the client and the router, in the given direction.
    fn ip(&mut self, at_us: u64, outbound: bool, vlans: &[u16], ip: Ip, id: u16, l4: &L4<'_>) {
        let (dst, src) = if outbound { (ROUTER_MAC, CLIENT_MAC) } else { (CLIENT_MAC, ROUTER_MAC) };
        let ethertype = if matches!(ip, Ip::V4(..)) { 0x0800 } else { 0x86dd };
        self.frame(at_us, &ethernet(dst, src, vlans, ethertype, &ip_packet(&ip, id, l4)));
    }
}

/// One side of a TCP connection: its next sequence number and IP identification.
struct Side {
    seq: u32,
    ip_id: u16,
}

/// A TCP connection between the client and a server, tracking both sides' numbers.
struct Conn {
    client: ([u8; 4], u16),
    server: ([u8; 4], u16),
    c: Side,
    s: Side,
}

impl Conn {
    /// Sends a segment from the client (`outbound`) or the server; SYN and FIN use one number.
    fn send(&mut self, cap: &mut Capture, at_us: u64, outbound: bool, flags: u8, opts: &[u8], payload: &[u8]) {
        let (caddr, cport) = self.client;
        let (saddr, sport) = self.server;
        let (me, peer) = if outbound { (&mut self.c, &self.s) } else { (&mut self.s, &self.c) };
        let ack = if flags & tcp::ACK != 0 { peer.seq } else { 0 };
        let (ip, sp, dp) =
            if outbound { (Ip::V4(caddr, saddr), cport, sport) } else { (Ip::V4(saddr, caddr), sport, cport) };
        let win = if outbound { 502 } else { 1_040 };
        let seg = Tcp { sport: sp, dport: dp, seq: me.seq, ack, flags, win, opts, payload };
        let id = me.ip_id;
        me.ip_id = me.ip_id.wrapping_add(1);
        me.seq = me.seq.wrapping_add(payload.len() as u32 + u32::from(flags & (tcp::SYN | tcp::FIN) != 0));
        cap.ip(at_us, outbound, &[], ip, id, &L4::Tcp(seg));
    }
}

/// MSS 1460, SACK permitted, window scale 7 (client) as sent in a SYN.
const SYN_OPTS: [u8; 12] = [2, 4, 0x05, 0xb4, 4, 2, 1, 3, 3, 7, 1, 1];

fn dns_query(id: u16, name: &str, qtype: u16) -> Vec<u8> {
    let mut m = Vec::new();
    m.extend_from_slice(&id.to_be_bytes());
    m.extend_from_slice(&[0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
    for label in name.split('.') {
        m.push(label.len() as u8);
        m.extend_from_slice(label.as_bytes());
    }
    m.push(0);
    m.extend_from_slice(&qtype.to_be_bytes());
    m.extend_from_slice(&[0, 1]);
    m
}

fn dns_answer(query: &[u8], rdata: &[u8]) -> Vec<u8> {
    let mut m = query.to_vec();
    m[2] = 0x81;
    m[3] = 0x80;
    m[7] = 1;
    let qtype = [query[query.len() - 4], query[query.len() - 3]];
    m.extend_from_slice(&[0xc0, 0x0c]);
    m.extend_from_slice(&qtype);
    m.extend_from_slice(&[0, 1, 0, 0, 0x0e, 0x10]);
    m.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
    m.extend_from_slice(rdata);
    m
}

/// The shipped sample capture, as the bytes of a classic pcap file.
pub fn sample_pcap() -> Vec<u8> {
    let mut cap = Capture { w: PcapWriter::new(Vec::new(), 1, 65_535).expect("writing to memory cannot fail") };

    // The client resolves its gateway.
    cap.frame(0, &ethernet(BROADCAST, CLIENT_MAC, &[], 0x0806, &arp(1, CLIENT_MAC, CLIENT, [0; 6], ROUTER)));
    cap.frame(412, &ethernet(CLIENT_MAC, ROUTER_MAC, &[], 0x0806, &arp(2, ROUTER_MAC, ROUTER, CLIENT_MAC, CLIENT)));

    // DNS over IPv4, then over IPv6.
    let q = dns_query(0x1d2c, "www.example.com", 1);
    let q6 = dns_query(0x77e1, "www.example.com", 28);
    let aaaa = [0x26, 0x06, 0x28, 0x00, 0x02, 0x20, 0, 1, 0x2, 0x48, 0x18, 0x93, 0x25, 0xc8, 0x19, 0x46];
    cap.ip(1_250, true, &[], Ip::V4(CLIENT, ROUTER), 0x3a01, &L4::Udp(51_515, 53, &q));
    cap.ip(1_400, true, &[], Ip::V6(CLIENT6, DNS6), 0, &L4::Udp(40_001, 53, &q6));
    cap.ip(19_870, false, &[], Ip::V4(ROUTER, CLIENT), 0x0001, &L4::Udp(53, 51_515, &dns_answer(&q, &WEB)));
    cap.ip(24_310, false, &[], Ip::V6(DNS6, CLIENT6), 0, &L4::Udp(53, 40_001, &dns_answer(&q6, &aaaa)));

    // An HTTP request with a two-segment answer, closed by the client.
    let mut http = Conn {
        client: (CLIENT, 49_822),
        server: (WEB, 80),
        c: Side { seq: 0x5f3a_10c2, ip_id: 0x3a02 },
        s: Side { seq: 0x9e01_7734, ip_id: 0x0000 },
    };
    let (syn, ack, psh, fin) = (tcp::SYN, tcp::ACK, tcp::PSH | tcp::ACK, tcp::FIN | tcp::ACK);
    let request = b"GET / HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: rt2-sample\r\nAccept: */*\r\n\r\n";
    let body = [b'x'; 1_200];
    let mut response = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 2115\r\n\r\n".to_vec();
    response.extend_from_slice(&body);
    http.send(&mut cap, 25_100, true, syn, &SYN_OPTS, b"");
    http.send(&mut cap, 113_900, false, syn | ack, &[2, 4, 0x05, 0xb4, 4, 2, 1, 3, 3, 9, 1, 1], b"");
    http.send(&mut cap, 114_050, true, ack, &[], b"");
    http.send(&mut cap, 114_300, true, psh, &[], request);
    http.send(&mut cap, 202_800, false, ack, &[], b"");
    http.send(&mut cap, 203_100, false, ack, &[], &response);
    http.send(&mut cap, 203_250, false, psh, &[], &body[..915]);
    http.send(&mut cap, 203_400, true, ack, &[], b"");
    http.send(&mut cap, 5_204_000, true, fin, &[], b"");
    http.send(&mut cap, 5_292_600, false, fin, &[], b"");
    http.send(&mut cap, 5_292_750, true, ack, &[], b"");

    // A refused telnet connection.
    let mut telnet = Conn {
        client: (CLIENT, 49_830),
        server: (ROUTER, 23),
        c: Side { seq: 0x0102_0304, ip_id: 0x3b00 },
        s: Side { seq: 0, ip_id: 0x0100 },
    };
    telnet.send(&mut cap, 7_000_000, true, syn, &SYN_OPTS, b"");
    telnet.send(&mut cap, 7_000_380, false, tcp::RST | ack, &[], b"");

    // Two pings to a public resolver and one ICMPv6 echo.
    let pattern: Vec<u8> = (0x10..0x38).collect();
    for (i, at) in [(1u16, 10_000_000u64), (2, 11_000_000)] {
        cap.ip(at, true, &[], Ip::V4(CLIENT, [8, 8, 8, 8]), 0x4000 + i, &L4::Icmp(8, 0, 0x0b0b, i, &pattern));
        cap.ip(at + 9_870, false, &[], Ip::V4([8, 8, 8, 8], CLIENT), 0x7000 + i, &L4::Icmp(0, 0, 0x0b0b, i, &pattern));
    }
    cap.ip(12_000_000, true, &[], Ip::V6(CLIENT6, DNS6), 0, &L4::Icmp(128, 0, 0x0c0c, 1, &pattern));
    cap.ip(12_000_950, false, &[], Ip::V6(DNS6, CLIENT6), 0, &L4::Icmp(129, 0, 0x0c0c, 1, &pattern));

    // NTP on the management VLAN.
    let ntp_server = [10, 20, 0, 123];
    let ntp_client = [10, 20, 0, 10];
    let mut ntp = [0u8; 48];
    ntp[0] = 0x23;
    let req = ip_packet(&Ip::V4(ntp_client, ntp_server), 0x0a00, &L4::Udp(123, 123, &ntp));
    cap.frame(30_000_000, &ethernet(NTP_MAC, CLIENT_MAC, &[20], 0x0800, &req));
    ntp[0] = 0x24;
    ntp[1] = 2;
    let resp = ip_packet(&Ip::V4(ntp_server, ntp_client), 0x0b00, &L4::Udp(123, 123, &ntp));
    cap.frame(30_000_640, &ethernet(CLIENT_MAC, NTP_MAC, &[20], 0x0800, &resp));

    // A syslog datagram too large for one frame, sent in three fragments.
    let log: Vec<u8> = b"<134>rt2-sample: ".iter().copied().cycle().take(3_000).collect();
    for (i, frag) in ipv4_fragments(CLIENT, ROUTER, 0x3c00, &L4::Udp(51_000, 514, &log), 1_480).iter().enumerate() {
        cap.frame(45_000_000 + 20 * i as u64, &ethernet(ROUTER_MAC, CLIENT_MAC, &[], 0x0800, frag));
    }

    cap.w.into_inner()
}
