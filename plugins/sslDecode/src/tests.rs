//! sslDecode on packets the tests build: what the shared captures lack (alerts, DTLS,
//! heartbeats, records split across segments, cut and whole certificates, JA4S descriptions).

use md5::{Digest, Md5};
use plugin_api::abi::CoreConfig;
use plugin_api::testing::packet::{Ip, L4, Tcp, packet, ts};
use plugin_api::testing::{Harness, TestInit, core_config};

use crate::{Config, SslDecode};

const CLIENT: [u8; 4] = [10, 0, 0, 1];
const SERVER: [u8; 4] = [10, 0, 0, 2];

/// A harness whose plugin folder is this crate's, where the fingerprint tables are.
fn harness() -> Harness<SslDecode> {
    let init = TestInit { plugin_folder: env!("CARGO_MANIFEST_DIR").to_owned(), ..TestInit::default() };
    Harness::with(|h| SslDecode::with_config(h, Config::default()), &init, CoreConfig { capacity: 16, ..core_config() })
}

/// A TCP segment with `payload` from the client (slot 0) or the server (slot 1).
fn tcp(h: &mut Harness<SslDecode>, from_server: bool, payload: &[u8]) {
    let (ip, sport, dport, slot) =
        if from_server { (Ip::V4(SERVER, CLIENT), 443, 40000, 1) } else { (Ip::V4(CLIENT, SERVER), 40000, 443, 0) };
    let seg = Tcp { sport, dport, flags: 0x18, payload, ..Tcp::default() };
    h.packet(slot, ts(1_700_000_000, 0), &packet(ip, L4::Tcp(seg)).frame());
}

/// A UDP datagram from the client.
fn udp(h: &mut Harness<SslDecode>, payload: &[u8]) {
    h.packet(0, ts(1_700_000_000, 0), &packet(Ip::V4(CLIENT, SERVER), L4::Udp(40000, 4433, payload)).frame());
}

fn u16b(v: u16) -> [u8; 2] {
    v.to_be_bytes()
}

/// A TLS record.
fn record(typ: u8, version: u16, body: &[u8]) -> Vec<u8> {
    [&[typ][..], &u16b(version), &u16b(body.len() as u16), body].concat()
}

/// A DTLS record (epoch and sequence number zero).
fn dtls_record(typ: u8, version: u16, body: &[u8]) -> Vec<u8> {
    [&[typ][..], &u16b(version), &[0; 8], &u16b(body.len() as u16), body].concat()
}

/// A handshake message (DTLS: with sequence and fragment fields).
fn handshake(typ: u8, body: &[u8], dtls: bool) -> Vec<u8> {
    let len = (body.len() as u32).to_be_bytes();
    let frag: &[u8] = if dtls { &[0, 0, 0, 0, 0, len[1], len[2], len[3]] } else { &[] };
    [&[typ, len[1], len[2], len[3]][..], frag, body].concat()
}

/// An extension.
fn ext(typ: u16, data: &[u8]) -> Vec<u8> {
    [&u16b(typ)[..], &u16b(data.len() as u16), data].concat()
}

/// The server_name extension.
fn sni(name: &str) -> Vec<u8> {
    let entry = [&[0u8][..], &u16b(name.len() as u16), name.as_bytes()].concat();
    ext(0x0000, &[&u16b(entry.len() as u16)[..], &entry].concat())
}

/// The ALPN extension.
fn alpn(names: &[&str]) -> Vec<u8> {
    let list: Vec<u8> = names.iter().flat_map(|n| [&[n.len() as u8][..], n.as_bytes()].concat()).collect();
    ext(0x0010, &[&u16b(list.len() as u16)[..], &list].concat())
}

/// A hello body: version, random (time first), session ID, [cookie], ciphers, compression,
/// extensions.
fn hello(client: bool, version: u16, ciphers: &[u16], exts: &[Vec<u8>], dtls: bool) -> Vec<u8> {
    let mut b = u16b(version).to_vec();
    b.extend_from_slice(&1_690_000_000u32.to_be_bytes());
    b.extend((0..28).map(|i| i as u8 + 1));
    b.push(0); // session ID
    if client {
        if dtls {
            b.push(0); // cookie
        }
        b.extend_from_slice(&u16b(2 * ciphers.len() as u16));
    }
    ciphers.iter().for_each(|c| b.extend_from_slice(&u16b(*c)));
    if client {
        b.extend_from_slice(&[1, 0]);
    } else {
        b.push(0);
    }
    let exts = exts.concat();
    b.extend_from_slice(&u16b(exts.len() as u16));
    b.extend_from_slice(&exts);
    b
}

fn client_hello_record(exts: &[Vec<u8>]) -> Vec<u8> {
    record(0x16, 0x0301, &handshake(1, &hello(true, 0x0303, &[0x1a1a, 0x1301, 0xc02f, 0x002f], exts, false), false))
}

#[test]
fn a_client_hello_gives_versions_ciphers_extensions_sni_alpn_and_fingerprints() {
    let mut h = harness();
    let exts =
        [sni("example.org"), alpn(&["h2", "http/1.1"]), ext(0x000a, &[0, 4, 0, 0x1d, 0, 0x17]), ext(0x000b, &[1, 0])];
    tcp(&mut h, false, &client_hello_record(&exts));
    let r = h.end(0);
    assert_eq!(r["sslVersion"], "0x0303");
    assert_eq!(r["sslRecVer"], "0x0301");
    assert_eq!(r["sslHandVer"], "0x0303");
    assert_eq!(r["sslCipher"], "0x1a1a");
    assert_eq!((r["sslNumCipher"].as_str(), r["sslCipherList"].as_str()), ("4", "0x1a1a;0x1301;0xc02f;0x002f"));
    assert_eq!(r["sslExtList"], "0x0000;0x0010;0x000a;0x000b");
    assert_eq!(r["sslServerName"], "\"example.org\"");
    assert_eq!(r["sslALPNList"], "\"h2\";\"http/1.1\"");
    assert_eq!(r["sslECPt"], "0x001d;0x0017");
    assert_eq!(r["sslProto"], "0x00000003"); // HTTP and HTTP/2
    assert_eq!(r["sslGMTTime"], "1690000000.000000000");
    assert_eq!(r["sslNumCC_A_H_AD_HB"], "0_0_1_0_0");
    // TLS_AES_128_GCM_SHA256: recommended; ECDHE-RSA-AES128-GCM: secure; AES128-SHA: weak
    let stat = u32::from_str_radix(&r["sslStat"][2..], 16).unwrap();
    assert_eq!(stat & 0x0f00_0000, 0x0e00_0000);
    // JA3 leaves GREASE out; the string is T2's (and the JA3 reference's)
    let ja3 = format!("{:x}", Md5::digest(b"771,4865-49199-47,0-16-10-11,29-23,0"));
    assert_eq!(r["sslJA3Hash"], ja3);
    // JA4: TLS 1.2, SNI, 3 ciphers, 4 extensions, ALPN h2
    assert!(r["sslJA4"].starts_with("t12d0304h2_"), "{}", &r["sslJA4"]);
}

#[test]
fn a_server_hello_with_a_known_ja4s_gets_its_description() {
    let mut h = harness();
    let exts = [ext(0x002b, &u16b(0x0304)), ext(0x0033, &[0; 4])];
    let sh = record(0x16, 0x0303, &handshake(2, &hello(false, 0x0303, &[0x1301], &exts, false), false));
    tcp(&mut h, true, &sh);
    let r = h.end(1);
    assert_eq!(r["sslVersion"], "0x0304"); // the negotiated version
    assert_eq!(r["sslJA4"], "t130200_1301_a56c5b993250");
    assert_eq!(r["sslJA4Desc"], "\"Sliver Agent\"");
    assert_eq!(h.report().iter().filter(|l| l.contains("JA4S signatures matched: 1")).count(), 1, "{:?}", h.report());
}

#[test]
fn alerts_set_their_bits_and_fatal_ones_the_status() {
    let mut h = harness();
    let data =
        [record(0x15, 0x0303, &[2, 0x28]), record(0x15, 0x0303, &[1, 0x00]), record(0x15, 0x0303, &[2, 0x2d])].concat();
    tcp(&mut h, false, &data);
    let r = h.end(0);
    assert_eq!(r["sslAlert"], "0x8000000000000841"); // handshake failure (fatal), close notify, expired
    let stat = u32::from_str_radix(&r["sslStat"][2..], 16).unwrap();
    assert_eq!(stat & 0x18, 0x18); // fatal alert, certificate expired
    assert_eq!(r["sslNumCC_A_H_AD_HB"], "0_3_0_0_0");
}

#[test]
fn encrypted_alerts_count_without_bits() {
    let mut h = harness();
    tcp(&mut h, false, &record(0x15, 0x0303, &[0x9c, 0x11, 0x22, 0x33]));
    let r = h.end(0);
    assert_eq!((r["sslAlert"].as_str(), r["sslNumCC_A_H_AD_HB"].as_str()), ("0x0000000000000000", "0_1_0_0_0"));
}

#[test]
fn dtls_client_hello_over_udp() {
    let mut h = harness();
    // T2 measures the extensions from the message start including DTLS's 8 extra header
    // bytes: it stops 8 bytes early, so the last extension is long enough to be reached
    let body = hello(true, 0xfefd, &[0xc02b], &[ext(0x000b, &[1, 0]), ext(0x0015, &[0; 16])], true);
    udp(&mut h, &dtls_record(0x16, 0xfeff, &handshake(1, &body, true)));
    let r = h.end(0);
    assert_eq!(r["sslVersion"], "0xfefd");
    assert_eq!((r["sslRecVer"].as_str(), r["sslHandVer"].as_str()), ("0xfeff", "0xfefd"));
    assert_eq!(r["sslCipherList"], "0xc02b");
    assert_eq!(r["sslExtList"], "0x000b;0x0015");
    let ja3 = format!("{:x}", Md5::digest(b"65277,49195,11-21,,0"));
    assert_eq!(r["sslJA3Hash"], ja3);
    // T2 has no JA4 for DTLS versions
    let stat = u32::from_str_radix(&r["sslStat"][2..], 16).unwrap();
    assert_eq!((stat & 0x0010_0000, r["sslJA4"].as_str()), (0x0010_0000, ""));
    assert!(h.report().iter().any(|l| l.starts_with("Number of DTLS 1.2 flows: 1")), "{:?}", h.report());
}

#[test]
fn a_record_split_across_segments_decodes_its_first_part_only() {
    let mut h = harness();
    let rec = client_hello_record(&[sni("split.example"), alpn(&["h2", "http/1.1"])]);
    let (first, second) = rec.split_at(rec.len() - 5);
    tcp(&mut h, false, first);
    tcp(&mut h, false, second);
    let r = h.end(0);
    // T2 does not reassemble: the first part ends in the second ALPN name (snapped), the
    // second is no record
    let stat = u32::from_str_radix(&r["sslStat"][2..], 16).unwrap();
    assert_eq!(stat & 0x0004_0000, 0x0004_0000, "{}", &r["sslStat"]);
    assert_eq!(r["sslALPNList"], "\"h2\"");
    assert_eq!(r["sslServerName"], "\"split.example\"");
    assert_eq!(r["sslCipherList"], "0x1a1a;0x1301;0xc02f;0x002f");
    assert_eq!(r["sslNumCC_A_H_AD_HB"], "0_0_1_0_0");
    // the hello never ended: no JA3, but T2 computes JA4 from what it read
    assert_eq!(r["sslJA3Hash"], "");
    assert!(r["sslJA4"].starts_with("t12d0302h2_"), "{}", &r["sslJA4"]);
}

#[test]
fn heartbeat_longer_than_its_record_is_heartbleed() {
    let mut h = harness();
    tcp(&mut h, false, &record(0x18, 0x0302, &[1, 0x40, 0x00, 0, 0]));
    let r = h.end(0);
    assert_eq!(r["sslVuln"], "0x20");
    assert_eq!(r["sslNumCC_A_H_AD_HB"], "0_0_0_0_1");
}

#[test]
fn a_flow_that_is_not_tls_writes_zeros() {
    let mut h = harness();
    tcp(&mut h, false, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    tcp(&mut h, false, &[0x16, 0x01, 0x00, 0x00, 0x05, 1, 2, 3]); // a record type, a bad version
    let r = h.end(0);
    for (col, v) in
        [("sslStat", "0x00000000"), ("sslVersion", "0x0000"), ("sslNumCC_A_H_AD_HB", "0_0_0_0_0"), ("sslJA3Hash", "")]
    {
        assert_eq!(r[col], *v, "{col}");
    }
}

#[test]
fn sslv2_hello_offering_tls_sets_the_version() {
    let mut h = harness();
    // SSLv2 record: 2-byte length with the high bit, CLIENT-HELLO, version 3.1, then lengths
    let body = [1u8, 3, 1, 0, 3, 0, 0, 0, 16, 0, 0, 4];
    let msg = [&u16b(0x8000 | (body.len() as u16 + 16))[..], &body, &[7u8; 16]].concat();
    tcp(&mut h, false, &msg);
    let r = h.end(0);
    assert_eq!(r["sslVersion"], "0x0301");
    assert_eq!(r["sslFlags"], "0x00");
}

/// DER: tag, length, content.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let n = content.len();
    let len: Vec<u8> = if n < 128 { vec![n as u8] } else { vec![0x82, (n >> 8) as u8, n as u8] };
    [&[tag][..], &len, content].concat()
}

fn oid(bytes: &[u8]) -> Vec<u8> {
    tlv(0x06, bytes)
}

/// A name with one attribute per (OID's last byte under 2.5.4, value).
fn name(attrs: &[(u8, &str)]) -> Vec<u8> {
    let rdns: Vec<u8> = attrs
        .iter()
        .flat_map(|(a, v)| tlv(0x31, &tlv(0x30, &[oid(&[0x55, 0x04, *a]), tlv(0x0c, v.as_bytes())].concat())))
        .collect();
    tlv(0x30, &rdns)
}

/// A v3 certificate signed (not validly) with sha256WithRSAEncryption, RSA key of 1024 bits.
fn certificate() -> Vec<u8> {
    let sha256_rsa = tlv(0x30, &[oid(&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b]), vec![5, 0]].concat());
    let rsa = tlv(0x30, &[oid(&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]), vec![5, 0]].concat());
    let modulus = [&[0u8, 0xc1][..], &[0x55; 127]].concat();
    let key = tlv(0x30, &[tlv(0x02, &modulus), tlv(0x02, &[1, 0, 1])].concat());
    let spki = tlv(0x30, &[rsa, tlv(0x03, &[&[0u8][..], &key].concat())].concat());
    let validity = tlv(0x30, &[tlv(0x17, b"230101000000Z"), tlv(0x17, b"240101000000Z")].concat());
    let tbs = tlv(
        0x30,
        &[
            tlv(0xa0, &tlv(0x02, &[2])),
            tlv(0x02, &[0x0a, 0x01, 0xff]),
            sha256_rsa.clone(),
            name(&[(6, "US"), (10, "Test CA"), (3, "Test Root")]),
            validity,
            name(&[(3, "www.example.org"), (7, "Bern"), (6, "CH")]),
            spki,
        ]
        .concat(),
    );
    tlv(0x30, &[tbs, sha256_rsa, tlv(0x03, &[0, 1, 2, 3])].concat())
}

/// A Certificate record holding `cert`, announced whole but with only `keep` of its bytes.
fn certificate_record(cert: &[u8], keep: usize) -> Vec<u8> {
    let len = (cert.len() as u32).to_be_bytes();
    let total = (cert.len() as u32 + 3).to_be_bytes();
    let body = [&total[1..], &len[1..], cert].concat();
    let rec = record(0x16, 0x0303, &handshake(0x0b, &body, false));
    rec[..rec.len() - (cert.len() - keep)].to_vec()
}

#[test]
fn a_cut_certificate_is_skipped_and_the_next_whole_one_decoded() {
    let mut h = harness();
    let cert = certificate();
    let sh = record(0x16, 0x0303, &handshake(2, &hello(false, 0x0303, &[0xc02f], &[], false), false));
    tcp(&mut h, true, &[sh.clone(), certificate_record(&cert, 100)].concat());
    assert_eq!(h.end(1)["sslCertVersion"], "");

    let mut h = harness();
    tcp(&mut h, true, &[sh, certificate_record(&cert, 100)].concat());
    tcp(&mut h, true, &certificate_record(&cert, cert.len()));
    let r = h.end(1);
    assert_eq!(r["sslCertVersion"], "3");
    assert_eq!(r["sslCertSerial"], "0A01FF");
    let sha1 = sha1::Sha1::digest(&cert).iter().map(|b| format!("{b:02x}")).collect::<String>();
    assert_eq!(r["sslCertSha1FP"], sha1);
    assert_eq!(r["sslCNotValidBefore_after_lifetime"], "1672531200.000000000_1704067200.000000000_31536000");
    assert_eq!((r["sslCSigAlg"].as_str(), r["sslCKeyAlg"].as_str()), ("\"RSA-SHA256\"", "\"rsaEncryption\""));
    assert_eq!(r["sslCPKeyType_Size"], "RSA_1024");
    assert_eq!(r["sslCSubjectCommonName"], "\"www.example.org\"");
    assert_eq!((r["sslCSubjectLocality"].as_str(), r["sslCSubjectCountry"].as_str()), ("\"Bern\"", "CH"));
    assert_eq!((r["sslCIssuerCommonName"].as_str(), r["sslCIssuerOrgName"].as_str()), ("\"Test Root\"", "\"Test CA\""));
    assert_eq!(r["sslCIssuerCountry"], "US");
}

/// Decodes `data` as one packet into a fresh state (no harness: thousands of runs).
fn decode(data: &[u8]) -> crate::state::Tls {
    let cfg = Config::default();
    let db = crate::ja::Fingerprints::default();
    let mut matched = crate::ja::Matched::default();
    let mut s = crate::state::Tls::new(&cfg);
    let p = crate::parse::Packet { l7: data, ts_sec: 0, l4: crate::parse::L4::Tcp };
    crate::parse::Decoder { cfg: &cfg, db: &db, matched: &mut matched }.packet(&mut s, &p);
    s
}

#[test]
fn garbage_never_panics() {
    // every cut of a hello and a certificate record, and copies with bytes changed
    let cert = certificate();
    let data = [client_hello_record(&[sni("a.b"), alpn(&["h2"])]), certificate_record(&cert, cert.len())].concat();
    assert!(decode(&data).cert.is_some());
    for cut in 0..data.len() {
        decode(&data[..cut]);
        decode(&data[cut..]);
    }
    let mut seed = 0x1234_5678u32;
    for _ in 0..5000 {
        let mut d = data.clone();
        for _ in 0..8 {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let i = seed as usize % d.len();
            d[i] = (seed >> 24) as u8;
        }
        decode(&d);
    }
}

/// Only flows with a packet that may be TLS get a state; a pair's states are given back after
/// its B flow, which reads the A flow's server name.
#[test]
fn states_live_from_the_first_tls_packet_to_the_pairs_end() {
    let mut h = harness();
    tcp(&mut h, false, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(h.plugin.flows.claimed(), 0);
    tcp(&mut h, false, &client_hello_record(&[sni("example.org")]));
    let sh = record(0x16, 0x0303, &handshake(2, &hello(false, 0x0303, &[0x1301], &[], false), false));
    tcp(&mut h, true, &sh);
    assert_eq!(h.plugin.flows.claimed(), 2);
    assert_eq!(h.end(0)["sslServerName"], "\"example.org\"");
    assert_eq!(h.plugin.flows.claimed(), 2, "the B flow still reads the A flow's state");
    assert_eq!(h.end(1)["sslServerName"], "\"example.org\"");
    assert_eq!(h.plugin.flows.claimed(), 0);
}

/// `is_clear` agrees with `clear` on a state that a full handshake filled, and a payload that
/// only looks like a record leaves no state.
#[test]
fn is_clear_mirrors_clear() {
    let cfg = Config::default();
    assert!(crate::state::Tls::new(&cfg).is_clear());
    let mut h = harness();
    // a third byte of at most 8 may be an SSLv2 message type, a first of 0x16 a handshake
    // record: only the one with a bad version changes the state (a status bit)
    for (p, claimed) in [(&b"\x00\x00\x05binary"[..], 0), (b"\x16\x01\x00\x00\x05abc", 1)] {
        tcp(&mut h, false, p);
        assert_eq!(h.plugin.flows.claimed(), claimed, "{p:?}");
    }
    h.end(0);
    let exts = [sni("example.org"), alpn(&["h2"]), ext(0x000a, &[0, 2, 0, 0x1d]), ext(0x000b, &[1, 0])];
    tcp(&mut h, false, &client_hello_record(&exts));
    let sh = record(0x16, 0x0303, &handshake(2, &hello(false, 0x0303, &[0x1301], &[], false), false));
    tcp(&mut h, true, &sh);
    for slot in [0, 1] {
        let s = h.plugin.flows.at(slot).expect("a TLS flow's state");
        assert!(!s.is_clear());
        let mut s = s.clone();
        s.clear();
        assert!(s.is_clear());
    }
}
