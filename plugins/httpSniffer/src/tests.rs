//! httpSniffer driven through its callbacks by the testing kit's harness, on built
//! Ethernet/IP/TCP/UDP frames: requests and responses, chunked bodies, messages split across
//! segments, malformed and oversized headers, the limits per flow, flags, the end report,
//! monitoring and packet mode.

use plugin_api::abi::CoreConfig;
use plugin_api::testing::packet::{Frame, Ip, L4, Tcp, packet, ts};
use plugin_api::testing::{Harness, Row, TestInit, columns, core_config};
use plugin_api::wire::tcp::flags::{ACK, PSH};
use plugin_api::{MonState, Plugin};

use crate::parse::Payload;
use crate::state::{FlowState, Who};
use crate::{Config, HttpSniffer};

const CLIENT: [u8; 4] = [10, 0, 0, 1];
const SERVER: [u8; 4] = [10, 0, 0, 2];

/// A TCP segment with `payload`, from the client (`to_server`) or from the server.
fn tcp(to_server: bool, seq: u32, payload: &[u8]) -> Frame {
    let (src, dst, sport, dport) = if to_server { (CLIENT, SERVER, 40000, 80) } else { (SERVER, CLIENT, 80, 40000) };
    let t = Tcp { sport, dport, seq, flags: ACK | PSH, payload, ..Tcp::default() };
    packet(Ip::V4(src, dst), L4::Tcp(t)).frame()
}

fn harness() -> Harness<HttpSniffer> {
    Harness::new(HttpSniffer::new)
}

/// Sends `req` from the client (slot 0, flow A) and `resp` from the server (slot 1, flow B),
/// each a list of segments, and ends the flows (B: an empty row when there was no response).
fn exchange(h: &mut Harness<HttpSniffer>, req: &[&[u8]], resp: &[&[u8]]) -> (Row, Row) {
    let mut t = 0;
    for seg in req {
        h.packet(0, ts(1, t), &tcp(true, 1, seg));
        t += 1000;
    }
    for seg in resp {
        h.packet(1, ts(1, t), &tcp(false, 1, seg));
        t += 1000;
    }
    let a = h.end(0);
    (a, if resp.is_empty() { Row::default() } else { h.end(1) })
}

const GET: &[u8] = b"GET /images/logo.png?v=2 HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: curl/8.0\r\n\
Cookie: a=1; b=2\r\nReferer: http://example.org/\r\nDNT: 1\r\n\r\n";
const OK_PNG: &[u8] = b"HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: image/png\r\nContent-Length: 4\r\n\
X-Powered-By: PHP/8\r\nVia: 1.1 proxy\r\nX-XSS-Protection: 1\r\n\r\n\x89PNG";

#[test]
fn declares_the_reference_columns() {
    let h = harness();
    let got: Vec<(&str, String)> = h.columns().iter().map(|c| (c.name.as_str(), c.header_type())).collect();
    let mut want = vec![
        ("httpStat", "H16"),
        ("httpAFlags", "H16"),
        ("httpMethods", "H8"),
        ("httpHeadMimes", "H16"),
        ("httpCFlags", "H16"),
        ("httpGet_Post", "U16_U16"),
        ("httpRSCnt", "U16"),
        ("httpRSCode", "U16:R"),
        ("httpURL_Via_Loc_Srv_Pwr_UAg_XFr_Ref_Cky_Mim", "U16_U16_U16_U16_U16_U16_U16_U16_U16_U16"),
        ("httpImg_Vid_Aud_Msg_Txt_App_Unk", "U16_U16_U16_U16_U16_U16_U16"),
    ];
    for s in [
        "httpHosts",
        "httpURL",
        "httpMimes",
        "httpCookies",
        "httpImages",
        "httpVideos",
        "httpAudios",
        "httpMsgs",
        "httpAppl",
        "httpText",
        "httpPunk",
        "httpBdyURL",
        "httpUsrAg",
        "httpXFor",
        "httpRefrr",
        "httpVia",
        "httpLoc",
        "httpServ",
        "httpPwr",
    ] {
        want.push((s, "S:R"));
    }
    let want: Vec<(&str, String)> = want.into_iter().map(|(n, t)| (n, t.to_owned())).collect();
    assert_eq!(got, want);
    // switched-off columns leave, the antivirus IDs come
    let cfg = Config {
        http_body: false,
        http_stat: false,
        http_host: false,
        http_avast_cid: true,
        http_eset_uid: true,
        ..Config::default()
    };
    let names: Vec<String> =
        columns(&HttpSniffer::with_config(h.host.host(), cfg)).into_iter().map(|c| c.name).collect();
    assert!(
        !names
            .iter()
            .any(|n| ["httpCFlags", "httpRSCnt", "httpRSCode", "httpHosts", "httpBdyURL"].contains(&n.as_str()))
    );
    assert_eq!(names[names.len() - 2..], ["httpAvastCid", "httpEsetUid"]);
}

#[test]
fn a_request_and_its_response() {
    let mut h = harness();
    let (a, b) = exchange(&mut h, &[GET], &[OK_PNG]);
    assert_eq!(a["httpStat"], "0x006c"); // header state, detected, HTTP, a pending file
    assert_eq!(a["httpAFlags"], "0x0400"); // DNT
    assert_eq!(a["httpMethods"], "0x02");
    assert_eq!(a["httpGet_Post"], "1_0");
    assert_eq!(a["httpHosts"], "\"www.example.com\"");
    assert_eq!(a["httpURL"], "\"/images/logo.png?v=2\"");
    assert_eq!(a["httpUsrAg"], "\"curl/8.0\"");
    assert_eq!(a["httpCookies"], "\"a=1; b=2\"");
    assert_eq!(a["httpRefrr"], "\"http://example.org/\"");
    assert_eq!(a["httpURL_Via_Loc_Srv_Pwr_UAg_XFr_Ref_Cky_Mim"], "1_0_0_0_0_1_0_1_1_0");
    assert_eq!(a["httpRSCnt"], "0");

    assert_eq!(b["httpStat"], "0x0068");
    assert_eq!(b["httpAFlags"], "0x0100"); // X-XSS-Protection
    assert_eq!(b["httpHeadMimes"], "0x0004");
    assert_eq!(b["httpCFlags"], "0x0010");
    assert_eq!(b["httpRSCnt"], "1");
    assert_eq!(b["httpRSCode"], "200");
    assert_eq!(b["httpMimes"], "\"image/png\"");
    assert_eq!(b["httpServ"], "\"nginx\"");
    assert_eq!(b["httpPwr"], "\"PHP/8\"");
    assert_eq!(b["httpVia"], "\"1.1 proxy\"");
    // the file the request named, '/' and '?' made '_', then flowInd, dir, packet, count
    assert_eq!(b["httpImages"], "\"_images_logo.png_v=2_1_B_1_0\"");
    assert_eq!(b["httpImg_Vid_Aud_Msg_Txt_App_Unk"], "1_0_0_0_0_0_0");
    assert_eq!(
        h.report(),
        [
            "Aggregated httpStat=0x002c",
            "Aggregated httpAFlags=0x0500",
            "Aggregated httpCFlags=0x0010",
            "Aggregated httpHeadMimes=0x0004",
            "Number of files img_vid_aud_msg_txt_app_unk: 1_0_0_0_0_0_0",
            "Number of HTTP packets: 2 [100.00%]",
            "Number of HTTP GET  requests: 1 [50.00%]",
        ]
    );
}

/// A chunked response: the chunk sizes are not parsed without carving, but the encoding is
/// flagged, and a text body's HTML Refresh gives its URL; a later segment of the body is read
/// line by line like any other packet (its "Cookie:" line counts, as in T2).
#[test]
fn chunked_body_with_refresh() {
    let mut h = harness();
    let head: &[u8] = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/html\r\n\r\n\
40\r\n<meta http-equiv=\"Refresh\" content=\"0; URL=http://next.example/\">\r\n";
    let more: &[u8] = b"1a\r\nCookie: from the body\r\n\r\n0\r\n\r\n";
    let (_, b) = exchange(&mut h, &[b"GET /page HTTP/1.1\r\nHost: h\r\n\r\n"], &[head, more]);
    assert_eq!(b["httpStat"], "0x0078"); // chunked
    assert_eq!(b["httpCFlags"], "0x0012"); // refresh
    assert_eq!(b["httpBdyURL"], "\"http://next.example/\"");
    assert_eq!(b["httpText"], "\"_page_1_B_1_0\"");
    assert_eq!(b["httpCookies"], "\"from the body\"");
}

/// A request split across segments: T2 reads each packet on its own, so a header line cut in
/// two is lost, and a packet without a line end is not read at all; "HTTP/1." anywhere in a
/// later packet starts a message, whose method is only looked for at the packet's start.
#[test]
fn requests_split_across_segments() {
    let mut h = harness();
    let (a, _) = exchange(&mut h, &[b"GET /a HTTP/1.1\r\nHo", b"st: lost.example\r\nUser-Agent: ua\r\n\r\n"], &[]);
    assert_eq!(a["httpURL"], "\"/a\"");
    assert_eq!(a["httpHosts"], "");
    assert_eq!(a["httpUsrAg"], "\"ua\"");

    let mut h = harness();
    let (a, _) = exchange(&mut h, &[b"GET /very/long", b"/path HTTP/1.0\r\nHost: h.example\r\n\r\n"], &[]);
    assert_eq!(a["httpMethods"], "0x00");
    assert_eq!(a["httpURL"], "");
    assert_eq!(a["httpAFlags"], "0x4000"); // HTTP/1.0
    assert_eq!(a["httpHosts"], "\"h.example\"");
    assert_eq!(h.report()[..1], ["Aggregated httpStat=0x0028"]);
}

/// At most HTTP_DATA_C_MAX values per field: the 41st sets the overflow bit; repeated values
/// are kept once; User-Agents are cut at HTTP_MXUA_LEN bytes.
#[test]
fn limits_per_flow() {
    let mut h = harness();
    let ua = "U".repeat(1000);
    for i in 0..42 {
        let req = format!("GET /{i} HTTP/1.1\r\nHost: h{i}\r\nHost: h0\r\nUser-Agent: {ua}\r\n\r\n");
        h.packet(0, ts(1, i), &tcp(true, 1, req.as_bytes()));
    }
    let a = h.end(0);
    assert_eq!(a["httpStat"], "0x006d");
    assert_eq!(a["httpHosts"].split(';').count(), 40);
    assert_eq!(a["httpURL"].split(';').count(), 40);
    assert_eq!(a["httpGet_Post"], "42_0");
    assert_eq!(a["httpUsrAg"], format!("\"{}\"", &ua[..400]));
    assert_eq!(&a["httpURL_Via_Loc_Srv_Pwr_UAg_XFr_Ref_Cky_Mim"][..3], "40_");
}

/// Malformed and unusual headers never panic and give T2's values: an empty Content-Type,
/// an address as Host, POST with a query, a status code cut by the capture, a header line of
/// 5000 bytes, an octal-looking status code, a file name from Content-Disposition.
#[test]
fn malformed_and_oversized_headers() {
    let mut h = harness();
    let long = format!("X-Long: {}\r\n", "x".repeat(5000));
    let post = format!("POST /f?x=1 HTTP/1.1\r\nHost: 192.168.0.1\r\n{long}Content-Type:\r\n\r\n");
    let resp: &[&[u8]] = &[
        b"HTTP/1.1 010 odd\r\nContent-Disposition: attachment; filename=\"r.exe\"\r\nContent-Type: application/x\r\n\r\nMZ\x90",
        b"x\r\nHTTP/1.1 2",
    ];
    let (a, b) = exchange(&mut h, &[post.as_bytes()], resp);
    assert_eq!(a["httpAFlags"], "0x0043"); // POST with '?', numeric host, header without value
    assert_eq!(a["httpMimes"], "\"\"");
    assert_eq!(a["httpHeadMimes"], "0x0001"); // empty: T2 calls it application
    assert_eq!(a["httpGet_Post"], "0_1");
    // "010" is octal 8; "HTTP/1.1 2" at the end of the capture reads 2 and the zeros past it
    assert_eq!(b["httpRSCode"], "8;2");
    assert_eq!(b["httpAFlags"], "0x1000"); // MZ after the header
    // the body is named after the request's file, not the Content-Disposition
    assert_eq!(b["httpAppl"], "\"_f_x=1_1_B_1_0\"");
}

/// A Content-Disposition file name names the body when the other side asked for no file (an
/// upload): quotes dropped, slashes made '_'.
#[test]
fn content_disposition_names_an_upload() {
    let mut h = harness();
    let req: &[u8] = b"POST /up HTTP/1.1\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a/b.txt\"\r\n\
Content-Type: text/plain\r\n\r\nhello";
    let (a, _) = exchange(&mut h, &[req], &[]);
    assert_eq!(a["httpText"], "\"a_b.txt_1_A_1_0\"");
    assert_eq!(a["httpURL"], "\"/up\"");
}

/// Only TCP flows and UDP flows with a port above 1024 are read.
#[test]
fn which_flows_are_read() {
    let mut h = harness();
    let msg: &[u8] = b"GET / HTTP/1.1\r\nHost: u\r\n\r\n";
    h.packet(0, ts(1, 0), &packet(Ip::V4(CLIENT, SERVER), L4::Udp(53, 80, msg)).frame());
    h.packet(2, ts(1, 1), &packet(Ip::V4(CLIENT, SERVER), L4::Udp(5353, 80, msg)).frame());
    let low = h.end(0);
    let high = h.end(2);
    assert_eq!(
        (low["httpStat"].as_str(), low["httpCFlags"].as_str(), low["httpHosts"].as_str()),
        ("0x0000", "0x0000", "")
    );
    assert_eq!((high["httpStat"].as_str(), high["httpHosts"].as_str()), ("0x006c", "\"u\""));
    // a TCP flow without HTTP writes no bits, and its packets leave the count
    h.packet(4, ts(1, 2), &tcp(true, 1, b"\x16\x03\x01 not http\r\n"));
    assert_eq!(h.end(4)["httpCFlags"], "0x0000");
    assert!(h.report().contains(&"Number of HTTP packets: 1 [33.33%]".to_owned()), "{:?}", h.report());
}

#[test]
fn flags_switch_columns_to_counts() {
    let cfg = Config { http_host: false, http_image: false, http_body: false, http_mcnt: false, ..Config::default() };
    let mut h = Harness::new(|host| HttpSniffer::with_config(host, cfg));
    let (a, b) = exchange(&mut h, &[GET], &[OK_PNG]);
    assert!(!a.contains("httpHosts") && !a.contains("httpCFlags") && !a.contains("httpGet_Post"));
    assert_eq!(b["httpImg_Vid_Aud_Msg_Txt_App_Unk"], "1_0_0_0_0_0_0");
    assert!(!b.contains("httpImages"));
    assert!(!h.report().iter().any(|l| l.contains("httpCFlags")));
}

#[test]
fn monitoring_counts_http_packets() {
    let mut h = harness();
    assert_eq!(h.monitoring(true, MonState::Header), "httpPkts\t");
    h.packet(0, ts(1, 0), &tcp(true, 1, GET));
    assert_eq!(h.monitoring(true, MonState::Values), "1\t");
    h.packet(0, ts(1, 1), &tcp(true, 1, GET));
    h.packet(0, ts(1, 2), &tcp(true, 1, GET));
    assert_eq!(h.monitoring(true, MonState::Values), "2\t");
}

#[test]
fn packet_mode_fields() {
    let init = TestInit { packet_mode: true, ..TestInit::default() };
    let mut h = Harness::with(HttpSniffer::new, &init, CoreConfig { capacity: 16, ..core_config() });
    h.packet(0, ts(1, 0), &tcp(true, 1, GET));
    h.packet(1, ts(1, 1), &tcp(false, 1, OK_PNG));
    let rec = h.host.recorded();
    let text: String = rec.written.iter().map(|(_, b)| String::from_utf8_lossy(b).into_owned()).collect();
    assert!(text.contains("httpStat\thttpAFlags\thttpMethods\thttpHeadMimes\thttpCFlags\t"), "{text}");
    assert!(text.contains("0x002c\t0x0400\t0x02\t0x0000\t0x0010\t"), "{text}");
    assert!(text.contains("0x0028\t0x0100\t0x00\t0x0004\t0x0010\t"), "{text}");
}

/// Every prefix of real messages and pseudo-random bytes, with and without an opposite flow:
/// no panic, and the kept strings stay within the limits.
#[test]
fn never_panics_on_any_bytes() {
    let cfg = Config::default();
    let who = Who { findex: 1, dir: b'A' };
    let mut inputs: Vec<Vec<u8>> = Vec::new();
    for msg in [GET, OK_PNG, b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n\"Refresh\" URL>\"x\"".as_slice()] {
        inputs.extend((0..=msg.len()).map(|n| msg[..n].to_vec()));
    }
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let alphabet = b"\r\n :;/?\"=>GETPOSHTP1.0xMZ#Refresh URL Content-type:Disposition:filename=Host:";
    for _ in 0..3000 {
        let len = (x % 300) as usize;
        let mut v = Vec::with_capacity(len);
        for _ in 0..len {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            v.push(if x & 1 == 0 { alphabet[(x >> 8) as usize % alphabet.len()] } else { (x >> 16) as u8 });
        }
        inputs.push(v);
    }
    let mut s = FlowState::default();
    let mut o = FlowState::default();
    s.start(true);
    o.start(true);
    for (i, buf) in inputs.iter().enumerate() {
        for len in [buf.len(), buf.len().saturating_sub(3)] {
            let p = Payload::new(buf, len);
            if i % 2 == 0 {
                s.packet(&cfg, p, Some(&mut o), who);
            } else {
                o.packet(&cfg, p, None, who);
            }
        }
    }
    for st in [&s, &o] {
        assert!(st.status_codes().len() <= 40);
        for f in [crate::store::Field::Host, crate::store::Field::Url, crate::store::Field::Text] {
            assert!(st.store.of(f).count() <= 40);
        }
    }
}

/// The antivirus switches: hosts and URLs of antivirus vendors set their bits, and the Avast
/// and ESET ID headers are kept (the first of each, at most HTTP_AVID_LEN - 1 bytes); a SIP
/// message sets the SIP/RTP warning and its status code is read one byte earlier.
#[test]
fn antivirus_ids_and_sip() {
    let cfg = Config { http_antvir: true, http_avast_cid: true, http_eset_uid: true, ..Config::default() };
    let mut h = Harness::new(|host| HttpSniffer::with_config(host, cfg));
    let id = "7".repeat(40);
    let req = format!(
        "GET /nis_engine_1 HTTP/1.1\r\nHost: update.avast.com\r\nX-AVAST-Client-Id-0: {id}\r\n\
X-ESET-UpdateID: e1\r\nX-ESET-UpdateID: e2\r\n\r\n"
    );
    let (a, _) = exchange(&mut h, &[req.as_bytes()], &[]);
    assert_eq!(a["httpCFlags"], "0x2210"); // Microsoft security URL, Avast host
    assert_eq!(a["httpAvastCid"], format!("\"{}\"", &id[..31]));
    assert_eq!(a["httpEsetUid"], "\"e1\"");

    let mut h = harness();
    h.packet(0, ts(1, 0), &packet(Ip::V4(CLIENT, SERVER), L4::Udp(5060, 5060, b"SIP/2.0 180 Ringing\r\n\r\n")).frame());
    assert_eq!(h.end(0)["httpRSCode"], "180");
    assert_ne!(h.globals.global_warn.get() & plugin_api::status::L7_SIPRTP, 0);
}

/// A flow costs a tag until a packet has a header line: binary payloads only count, and the
/// state is claimed at the first header line (or when the opposite flow's playlist marks the
/// flow) and given back at the flow's end.
#[test]
fn flows_get_state_at_their_first_header_line() {
    let mut h = harness();
    h.packet(0, ts(1, 0), &tcp(true, 1, b"\x16\x03\x01\x00\x05hello"));
    h.packet(0, ts(1, 1), &tcp(true, 1, b"\r\nafter an empty first line"));
    assert_eq!(h.plugin.flows.claimed(), 0);
    assert_eq!(h.monitoring(true, MonState::Values), "2\t");
    let playlist: &[u8] =
        b"HTTP/1.1 200 OK\r\nContent-Type: application/x-mpegurl\r\n\r\n#EXTM3U\n#EXT-X-STREAM-INF:X\n";
    h.packet(1, ts(1, 2), &tcp(false, 1, playlist));
    assert_eq!(h.plugin.flows.claimed(), 2, "the playlist marks the request flow too");
    h.packet(0, ts(1, 3), &tcp(true, 1, GET));
    let a = h.end(0);
    assert_eq!((a["httpStat"].as_str(), a["httpCFlags"].as_str()), ("0x006c", "0x0030"));
    h.end(1);
    assert_eq!(h.plugin.flows.claimed(), 0);
    assert!(h.report().contains(&"Number of HTTP packets: 4 [100.00%]".to_owned()), "{:?}", h.report());
}
