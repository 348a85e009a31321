//! The plugin on built packets: records the shared captures lack (TXT, SRV, MX, SOA), name
//! compression, malformed and truncated messages, TCP messages over several segments and
//! NetBIOS names.

use super::*;
use plugin_api::testing::packet::{Ip, L4, Tcp, packet, ts};
use plugin_api::testing::{Harness, TestHost, columns};
use plugin_api::wire::tcp::flags::{ACK, PSH, SYN};

const CLIENT: [u8; 4] = [10, 0, 0, 1];
const SERVER: [u8; 4] = [10, 0, 0, 53];

/// A DNS header.
fn header(flags: u16, counts: [u16; 4]) -> Vec<u8> {
    let mut v = vec![0x12, 0x34];
    v.extend_from_slice(&flags.to_be_bytes());
    for c in counts {
        v.extend_from_slice(&c.to_be_bytes());
    }
    v
}

/// A name in labels, ending with the root label.
fn labels(name: &str) -> Vec<u8> {
    let mut v = Vec::new();
    for l in name.split('.') {
        v.push(l.len() as u8);
        v.extend_from_slice(l.as_bytes());
    }
    v.push(0);
    v
}

/// A question.
fn question(name: &str, qtype: u16) -> Vec<u8> {
    let mut v = labels(name);
    v.extend_from_slice(&qtype.to_be_bytes());
    v.extend_from_slice(&1u16.to_be_bytes());
    v
}

/// A resource record with owner `owner` (encoded), class IN.
fn record(owner: &[u8], rtype: u16, ttl: u32, rdata: &[u8]) -> Vec<u8> {
    let mut v = owner.to_vec();
    v.extend_from_slice(&rtype.to_be_bytes());
    v.extend_from_slice(&1u16.to_be_bytes());
    v.extend_from_slice(&ttl.to_be_bytes());
    v.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
    v.extend_from_slice(rdata);
    v
}

/// A pointer to offset 12, the first question's name.
const PTR_Q: [u8; 2] = [0xc0, 0x0c];

fn udp(h: &mut Harness<DnsDecode>, slot: usize, t: i64, msg: &[u8]) {
    let (src, dst, sp, dp) = if slot == 0 { (CLIENT, SERVER, 40000, 53) } else { (SERVER, CLIENT, 53, 40000) };
    h.packet(slot, ts(t, 0), &packet(Ip::V4(src, dst), L4::Udp(sp, dp, msg)).frame());
}

fn cells<const N: usize>(row: &plugin_api::testing::Row, names: [&str; N]) -> [String; N] {
    names.map(|n| row[n].clone())
}

#[test]
fn declares_t2s_columns() {
    let names: Vec<String> = columns(&DnsDecode::new(TestHost::new().host())).into_iter().map(|c| c.name).collect();
    assert_eq!(names.len(), 20);
    assert_eq!(names[0], "dnsStat");
    assert_eq!(names[19], "dnsOptStat");
    let cfg = Config { dns_hdrmd: 2, dns_hexon: true, ..Config::default() };
    let names: Vec<String> =
        columns(&DnsDecode::with_config(TestHost::new().host(), cfg)).into_iter().map(|c| c.name).collect();
    assert_eq!(names[2..6], ["dnsHFlg", "dnsOpN", "dnsRetN", "dnsCntQu_Asw_Aux_Add"]);
    assert_eq!(names[7], "dnsTypeBF3_BF2_BF1_BF0");
    let cfg = Config { dns_mode: 0, ..Config::default() };
    assert_eq!(columns(&DnsDecode::with_config(TestHost::new().host(), cfg)).len(), 5);
}

#[test]
fn query_and_response_with_cname_a_and_aaaa() {
    let mut h = Harness::new(DnsDecode::new);
    let mut q = header(0x0100, [1, 0, 0, 0]);
    q.extend(question("www.example.com", 1));
    udp(&mut h, 0, 1, &q);
    let mut r = header(0x8180, [1, 3, 0, 0]);
    r.extend(question("www.example.com", 1));
    let cname = [3, b'w', b'e', b'b', 0xc0, 16]; // "web" + "example.com" of the question
    r.extend(record(&PTR_Q, rr::CNAME, 300, &cname));
    let target = [0xc0, 12 + 17 + 4 + 12]; // the CNAME's data
    r.extend(record(&target, rr::A, 70000, &[93, 184, 216, 34]));
    r.extend(record(&target, rr::AAAA, 60, &[0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]));
    udp(&mut h, 1, 2, &r);
    assert_eq!(h.plugin.flows.claimed(), 2);
    let a = h.end(0);
    assert_eq!(h.plugin.flows.claimed(), 1, "a flow's state is given back at its end");
    assert_eq!(
        cells(&a, ["dnsStat", "dnsHdrOPField", "dnsHFlg_OpC_RetC", "dnsCntQu_Asw_Aux_Add", "dnsQname", "dnsQType"]),
        ["0x0001", "0x0100", "0x10_0x0001_0x0001", "1_0_0_0", "\"www.example.com\"", "1"].map(String::from)
    );
    let b = h.end(1);
    assert_eq!(
        cells(&b, ["dnsStat", "dnsHFlg_OpC_RetC", "dnsCntQu_Asw_Aux_Add", "dnsQname", "dnsAname", "dnsAPname"]),
        [
            "0x0001",
            "0x98_0x0001_0x0001",
            "1_3_0_0",
            "\"www.example.com\"",
            "\"www.example.com\";\"web.example.com\";\"web.example.com\"",
            "\"web.example.com\";\"\";\"\"",
        ]
        .map(String::from)
    );
    // the A address in its record's place, 0.0.0.0 elsewhere; TTLs kept to 16 bits as T2 does
    assert_eq!(
        cells(&b, ["dns4Aaddress", "dns6Aaddress", "dnsAType", "dnsAClass", "dnsATTL"]),
        [
            "0.0.0.0;93.184.216.34;0.0.0.0",
            "::;::;2001:db8::1", // as many as IPv4 entries
            "5;1;28",
            "1;1;1",
            &format!("300;{};60", 70000 & 0xffff),
        ]
        .map(String::from)
    );
    // response bytes / (header + question bytes) of responses
    let want = r.len() as f32 / (12 + 17 + 4) as f32;
    assert_eq!(b["dnsAAAqF"].parse::<f32>().unwrap(), (want * 1e6).round() / 1e6);
    assert_eq!(
        h.report(),
        [
            "Aggregated dnsStat=0x0001",
            "Aggregated dnsHFlg=0x98",
            "Aggregated dnsOpC=0x0001",
            "Aggregated dnsRetC=0x0001",
            "Number of DNS packets: 2 [100.00%]",
            "Number of DNS Q packets: 1 [50.00%]",
            "Number of DNS R packets: 1 [50.00%]",
        ]
    );
}

#[test]
fn txt_srv_mx_soa_and_opt_records() {
    let mut h = Harness::new(DnsDecode::new);
    let mut r = header(0x8580, [1, 3, 1, 1]);
    r.extend(question("_sip._udp.example.org", 33));
    let mut srv = vec![0, 10, 0, 60, 0x13, 0xc4];
    srv.extend(labels("sip.example.org"));
    r.extend(record(&PTR_Q, rr::SRV, 3600, &srv));
    let mut txt = vec![11];
    txt.extend_from_slice(b"v=spf1 -all");
    r.extend(record(&PTR_Q, rr::TXT, 120, &txt));
    let mut mx = vec![0, 5];
    mx.extend(labels("mail.example.org"));
    r.extend(record(&PTR_Q, rr::MX, 30, &mx));
    let mut soa = labels("ns1.example.org");
    soa.extend(labels("hostmaster.example.org"));
    for v in [2024u32, 7200, 3600, 1209600, 86400] {
        soa.extend_from_slice(&v.to_be_bytes());
    }
    r.extend(record(&PTR_Q, rr::SOA, 900, &soa));
    // OPT: root owner, UDP size 4096 as class, extended rcode 0, version 0, DO set
    r.extend_from_slice(&[0, 0, 41, 0x10, 0, 0, 0, 0x80, 0, 0, 0]);
    udp(&mut h, 1, 1, &r);
    let b = h.end(1);
    assert_eq!(b["dnsStat"], "0x0001");
    assert_eq!(b["dnsCntQu_Asw_Aux_Add"], "1_3_1_1");
    assert_eq!(
        b["dnsAPname"],
        "\"sip.example.org\";\"v=spf1 -all\";\"mail.example.org\";\"ns1.example.org\";\"hostmaster.example.org\";\"\""
    );
    // the SOA takes two entries, the second with the minimum TTL; OPT has class and TTL 0
    assert_eq!(b["dnsAType"], "33;16;15;6;0;41");
    assert_eq!(b["dnsATTL"], "3600;120;30;900;86400;0");
    assert_eq!(b["dnsAClass"], "1;1;1;1;0;0");
    assert_eq!(b["dnsMXpref"], "0;0;5;0;0;0");
    assert_eq!(b["dnsSRVprio"], "10;0;0;0;0;0");
    assert_eq!(b["dnsSRVwgt"], "60;0;0;0;0;0");
    assert_eq!(b["dnsSRVprt"], "5060;0;0;0;0;0");
    assert_eq!(b["dnsOptStat"], "0x00000000;0x00000000;0x00000000;0x00000000;0x00000000;0x00008000");
    assert_eq!(b["dnsQType"], "33");
}

#[test]
fn malformed_messages_set_the_error_bits() {
    // a pointer forward (to itself) is a pointer error
    let mut h = Harness::new(DnsDecode::new);
    let mut r = header(0x8180, [1, 1, 0, 0]);
    r.extend(question("a.example", 1));
    let at = r.len() as u8;
    r.extend(record(&[0xc0, at], rr::A, 1, &[1, 2, 3, 4]));
    udp(&mut h, 1, 1, &r);
    assert_eq!(h.end(1)["dnsStat"], "0x3001");

    // a name running past the message is a length error; the flow goes on
    let mut h = Harness::new(DnsDecode::new);
    let mut q = header(0x0100, [1, 0, 0, 0]);
    q.extend_from_slice(&[60, b'a', b'b', b'c', b'd', b'e']);
    udp(&mut h, 0, 1, &q);
    assert_eq!(h.end(0)["dnsStat"], "0x1001");

    // too short for a header: corrupt, later packets are not decoded
    let mut h = Harness::new(DnsDecode::new);
    udp(&mut h, 0, 1, &header(0x0100, [1, 0, 0, 0])[..10]);
    let mut q = header(0x0100, [1, 0, 0, 0]);
    q.extend(question("example.com", 1));
    udp(&mut h, 0, 2, &q);
    let a = h.end(0);
    assert_eq!(cells(&a, ["dnsStat", "dnsQname"]), ["0xc001", ""].map(String::from));

    // more records than the message can hold, or the reserved Z bit: corrupt header
    for (flags, counts) in [(0x0100, [1, 40, 0, 0]), (0x0140, [1, 0, 0, 0])] {
        let mut h = Harness::new(DnsDecode::new);
        let mut q = header(flags, counts);
        q.extend(question("example.com", 1));
        udp(&mut h, 0, 1, &q);
        assert_eq!(h.end(0)["dnsStat"], "0x8001", "{flags:#x} {counts:?}");
    }

    // a name pointing back into itself stops where its label reaches the pointer (T2's loop
    // check), without error
    let mut h = Harness::new(DnsDecode::new);
    let mut r = header(0x8180, [1, 1, 0, 0]);
    r.extend_from_slice(&[1, b'a', 0xc0, 12, 0, 1, 0, 1]);
    r.extend(record(&[0xc0, 14], rr::A, 1, &[1, 2, 3, 4]));
    udp(&mut h, 1, 1, &r);
    let b = h.end(1);
    assert_eq!(cells(&b, ["dnsStat", "dnsQname", "dnsAname"]), ["0x0001", "\"a.a\"", "\"a\""].map(String::from));
}

#[test]
fn more_records_than_kept() {
    let mut h = Harness::new(DnsDecode::new);
    let n = ARECMAX as u16 + 3;
    let mut r = header(0x8180, [1, n, 0, 0]);
    r.extend(question("many.example", 1));
    for i in 0..n {
        r.extend(record(&PTR_Q, rr::A, 1, &[10, 0, 0, i as u8]));
    }
    udp(&mut h, 1, 1, &r);
    let b = h.end(1);
    let addrs: Vec<&str> = b["dns4Aaddress"].split(';').collect();
    // the list is full at ARECMAX entries, the last overwritten by the later records
    assert_eq!(addrs.len(), ARECMAX);
    assert_eq!(addrs[ARECMAX - 2], format!("10.0.0.{}", ARECMAX - 2));
    assert_eq!(addrs[ARECMAX - 1], format!("10.0.0.{}", n - 1));
    // T2 warns at the section after the answers that filled the list
    assert_eq!(b["dnsStat"], "0x0801");
}

#[test]
fn tcp_message_over_two_segments() {
    let mut h = Harness::new(DnsDecode::new);
    let mut msg = header(0x0100, [1, 0, 0, 0]);
    msg.extend(question("a-rather-long-name-to-split.example.com", 16));
    let mut framed = (msg.len() as u16).to_be_bytes().to_vec();
    framed.extend(&msg);
    let syn = Tcp { sport: 40001, dport: 53, seq: 100, flags: SYN, ..Tcp::default() };
    let pkt = |t: Tcp<'_>| packet(Ip::V4(CLIENT, SERVER), L4::Tcp(t)).frame();
    h.packet(0, ts(1, 0), &pkt(syn));
    h.packet(0, ts(1, 1), &pkt(Tcp { seq: 101, flags: ACK, ..syn }));
    let (one, two) = framed.split_at(30);
    h.packet(0, ts(1, 2), &pkt(Tcp { seq: 101, flags: ACK | PSH, payload: one, ..syn }));
    h.packet(0, ts(1, 3), &pkt(Tcp { seq: 131, flags: ACK | PSH, payload: two, ..syn }));
    let a = h.end(0);
    // FRAGA: the message spanned segments; its second part is read as T2 does, with the
    // header's counts from 4 bytes into the segment, where a pointer error stops it
    assert_eq!(a["dnsStat"], "0x3005");
    assert_eq!(a["dnsCntQu_Asw_Aux_Add"], "1_0_0_0");
    assert_eq!(h.report()[4..], ["Number of DNS packets: 1 [25.00%]", "Number of DNS Q packets: 2 [200.00%]"]);

    // a segment missing: corrupt
    let mut h = Harness::new(DnsDecode::new);
    h.packet(0, ts(1, 0), &pkt(syn));
    h.packet(0, ts(1, 2), &pkt(Tcp { seq: 150, flags: ACK | PSH, payload: &framed, ..syn }));
    assert_eq!(h.end(0)["dnsStat"], "0x8001");

    // a whole message in one segment: T2 expects the sequence number of the last segment
    // without payload (the handshake's ACK), so data right after the SYN counts as a gap
    let mut h = Harness::new(DnsDecode::new);
    h.packet(0, ts(1, 0), &pkt(syn));
    h.packet(0, ts(1, 1), &pkt(Tcp { seq: 101, flags: ACK, ..syn }));
    h.packet(0, ts(1, 2), &pkt(Tcp { seq: 101, flags: ACK | PSH, payload: &framed, ..syn }));
    let a = h.end(0);
    assert_eq!(
        cells(&a, ["dnsStat", "dnsQname", "dnsQType"]),
        ["0x0001", "\"a-rather-long-name-to-split.example.com\"", "16"].map(String::from)
    );
}

#[test]
fn netbios_names_are_decoded() {
    let mut h = Harness::new(DnsDecode::new);
    // "WORKGROUP" padded with spaces, suffix 0x1d, first-level encoded
    let mut raw = *b"WORKGROUP       ";
    raw[15] = 0x1d;
    let enc: String = raw.iter().flat_map(|&c| [(b'A' + (c >> 4)) as char, (b'A' + (c & 0xf)) as char]).collect();
    let mut q = header(0x0110, [1, 0, 0, 0]);
    q.extend(question(&enc, 32));
    h.packet(0, ts(1, 0), &packet(Ip::V4(CLIENT, [10, 0, 0, 255]), L4::Udp(137, 137, &q)).frame());
    let a = h.end(0);
    assert_eq!(cells(&a, ["dnsStat", "dnsQname"]), ["0x0003", "\"WORKGROUP<1d>\""].map(String::from));
}

#[test]
fn other_ports_are_left_alone() {
    let mut h = Harness::new(DnsDecode::new);
    let mut q = header(0x0100, [1, 0, 0, 0]);
    q.extend(question("example.com", 1));
    h.packet(0, ts(1, 0), &packet(Ip::V4(CLIENT, SERVER), L4::Udp(40000, 54, &q)).frame());
    assert_eq!(h.plugin.flows.claimed(), 0, "no state for a flow not decoded");
    let a = h.end(0);
    assert_eq!(cells(&a, ["dnsStat", "dnsQname", "dnsCntQu_Asw_Aux_Add"]), ["0x0000", "", "0_0_0_0"].map(String::from));
    assert!(h.report().is_empty());
}

#[test]
fn header_codes_as_lists_and_type_bit_fields() {
    let cfg = Config { dns_hdrmd: 2, dns_hexon: true, ..Config::default() };
    let mut h = Harness::new(|host| DnsDecode::with_config(host, cfg));
    let mut q = header(0x0100, [1, 0, 0, 0]);
    q.extend(question("example.com", 252));
    udp(&mut h, 0, 1, &q);
    let mut r = header(0x8183, [1, 0, 0, 0]);
    r.extend(question("example.com", 252));
    udp(&mut h, 0, 2, &r);
    let a = h.end(0);
    assert_eq!(
        cells(&a, ["dnsStat", "dnsHFlg", "dnsOpN", "dnsRetN", "dnsTypeBF3_BF2_BF1_BF0"]),
        ["0x0081", "0x98", "QUERY", "NOERR;NXDOMAIN", "0x00_0x0008_0x0000_0x0000000000000000"].map(String::from)
    );
}

#[test]
fn random_bytes_never_panic() {
    // a small xorshift generator: reproducible inputs of every shape
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut h = Harness::new(DnsDecode::new);
    for i in 0..3000 {
        let len = (next() % 300) as usize;
        let mut m: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        if len > 12 {
            // plausible counts and pointers into the message
            m[4..12].copy_from_slice(&[0, 1, 0, (next() % 4) as u8, 0, (next() % 3) as u8, 0, 1]);
            for _ in 0..4 {
                let at = 12 + (next() as usize % (len - 12));
                m[at] = 0xc0;
            }
        }
        udp(&mut h, i % 2, i as i64, &m);
    }
    h.end(0);
    h.end(1);
}

#[test]
fn aaaa_addresses_only_with_a_records() {
    // T2 writes as many IPv6 entries as IPv4 ones: an AAAA-only answer shows none
    let mut h = Harness::new(DnsDecode::new);
    let mut r = header(0x8180, [1, 1, 0, 0]);
    r.extend(question("v6.example", 28));
    r.extend(record(&PTR_Q, rr::AAAA, 60, &[0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]));
    udp(&mut h, 1, 1, &r);
    let b = h.end(1);
    assert_eq!(cells(&b, ["dns4Aaddress", "dns6Aaddress", "dnsAType"]), ["", "", "28"].map(String::from));
}

#[test]
fn packet_mode_and_monitoring() {
    use plugin_api::abi::stream;
    use plugin_api::testing::{TestInit, core_config};
    let host = TestHost::new();
    let init = TestInit { packet_mode: true, ..TestInit::default() };
    let mut h = Harness::with_host(host, DnsDecode::new, &init, core_config());
    let mut r = header(0x8180, [1, 2, 0, 0]);
    r.extend(question("two.example", 1));
    r.extend(record(&PTR_Q, rr::A, 60, &[192, 0, 2, 1]));
    r.extend(record(&PTR_Q, rr::AAAA, 60, &[0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]));
    udp(&mut h, 1, 1, &r);
    h.packet(0, ts(2, 0), &packet(Ip::V4(CLIENT, SERVER), L4::Udp(40000, 80, b"x")).frame());
    let written: Vec<String> = host
        .recorded()
        .written
        .iter()
        .filter(|(s, _)| *s == stream::PACKETS)
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .collect();
    assert_eq!(
        written,
        [
            "dnsIPs\tdnsStat\tdnsHdr\tdnsCntQu_Asw_Aux_Add\t",
            "192.0.2.1;2001:db8::2;\t0x0001\t0x8180\t1_2_0_0\t",
            "\t0x0000\t\t0_0_0_0\t",
        ]
    );
    assert_eq!(h.monitoring(true, MonState::Header), "dnsPkts\tdnsQPkts\tdnsRPkts\t");
    assert_eq!(h.monitoring(true, MonState::Values), "1\t0\t1\t");
    udp(&mut h, 1, 3, &r);
    assert_eq!(h.monitoring(true, MonState::Values), "1\t0\t1\t");
}
