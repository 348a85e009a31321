//! Subnet labels: basicFlow's `srcIPCC srcIPOrg dstIPCC dstIPOrg` (flows and packet mode) and
//! basicStats' talker country from the tables basicFlow installs, what a missing or corrupt
//! table does, and `t2whois`. Conformance with T2's labels is in `conformance.rs`.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use rt2_tests::{PluginDir, artifact, run_t2, sample_pcap};
use tranalyzer::testing::{Ip, L4, PcapWriter, ethernet, ip_packet};

const GOOGLE_DNS: [u8; 4] = [8, 8, 8, 8];
const CLIENT: [u8; 4] = [10, 0, 0, 1];

fn v6(text: &str) -> [u8; 16] {
    text.parse::<std::net::Ipv6Addr>().unwrap().octets()
}

/// Four answers from 8.8.8.8 to 10.0.0.1 (the biggest talker), one query back, and a TCP SYN
/// from a documentation address to Fastly's IPv6 block.
fn write_capture(path: &Path) {
    let mut w = PcapWriter::new(BufWriter::new(File::create(path).unwrap()), 1, 65535).unwrap();
    let frame = |ip: &Ip, l4: &L4<'_>, ethertype| {
        ethernet([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2], &[], ethertype, &ip_packet(ip, 1, l4))
    };
    for i in 0..4 {
        let f = frame(&Ip::V4(GOOGLE_DNS, CLIENT), &L4::Udp(53, 40000, b"answer answer answer"), 0x0800);
        w.packet(1_700_000_000, i * 1000, &f).unwrap();
    }
    w.packet(1_700_000_000, 5000, &frame(&Ip::V4(CLIENT, GOOGLE_DNS), &L4::Udp(40000, 53, b"q"), 0x0800)).unwrap();
    let syn = L4::Tcp(tranalyzer::testing::Tcp {
        sport: 50000,
        dport: 443,
        seq: 1,
        ack: 0,
        flags: tranalyzer::testing::tcp::SYN,
        win: 64240,
        opts: &[],
        payload: &[],
    });
    w.packet(1_700_000_001, 0, &frame(&Ip::V6(v6("2001:db8::1"), v6("2a04:4e42::1")), &syn, 0x86dd)).unwrap();
    w.into_inner().flush().unwrap();
}

#[test]
fn flows_and_the_biggest_talker_carry_the_labels() {
    let tmp = tempfile::tempdir().unwrap();
    let pcap = tmp.path().join("public.pcap");
    write_capture(&pcap);
    let plugins = PluginDir::with(&["basicFlow", "basicStats", "txtSink"]);
    let run = run_t2(plugins.path(), &["-r", pcap.to_str().unwrap()]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    let flows = run.flows();
    let labels = |dir, i| ["srcIPCC", "srcIPOrg", "dstIPCC", "dstIPOrg"].map(|c| flows.get(dir, i, c).to_owned());
    // port 53 is the server's: the client's side is flow A
    assert_eq!(labels("A", 1), ["04", "\"Private network\"", "us", "\"Google LLC\""]);
    assert_eq!(labels("B", 1), ["us", "\"Google LLC\"", "04", "\"Private network\""]);
    // T2's IPv6 table: the documentation block and Fastly's label as T2 writes it
    assert_eq!(labels("A", 2), ["27", "\"doc and example source\"", "nl", "\"US-FASTLY-20130718\""]);
    let out = run.stdout();
    assert!(out.contains("basicStats: Biggest L3 flow talker: 8.8.8.8 (US): 4 [66.67%] packets\n"), "{out}");
    assert!(out.contains("basicStats: Biggest L3 flow talker: 8.8.8.8 (US): 80 [20.94%] bytes\n"), "{out}");
    assert!(!out.contains("[WRN] basicFlow"), "{out}");
}

#[test]
fn packet_mode_prints_the_flows_labels() {
    let plugins = PluginDir::with(&["basicFlow", "txtSink"]);
    let run = run_t2(plugins.path(), &["-r", sample_pcap().to_str().unwrap(), "-s"]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    let text = run.file("_packets.txt").unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap()[1..].split('\t').collect();
    let at = |name| header.iter().position(|c| *c == name).unwrap();
    let flows = run.flows();
    let mut labelled = 0;
    for line in lines {
        let row: Vec<&str> = line.split('\t').collect();
        let index: u64 = row[1].parse().unwrap();
        // the packet's flow is A or B; its addresses say which
        let dir =
            if flows.get("A", index, "srcIP") == row[at("srcIP")] || row[at("srcIP")].is_empty() { "A" } else { "B" };
        for col in ["srcIPCC", "srcIPOrg", "dstIPCC", "dstIPOrg"] {
            let flow_cell = flows.get(dir, index, col).trim_matches('"');
            let cell = row[at(col)];
            // layer-2 packets leave the address columns empty
            assert!(cell == flow_cell || (cell.is_empty() && row[at("srcIP")].is_empty()), "{col} of {line}");
        }
        labelled += usize::from(row[at("srcIPCC")] == "07");
    }
    assert!(labelled > 10, "the sample's private addresses are labelled 07: {labelled}");
}

#[test]
fn a_missing_or_corrupt_table_is_one_warning_and_no_labels() {
    let plugins = PluginDir::with(&["basicFlow", "basicStats", "txtSink"]);
    let (v4, v6) = (plugins.path().join("subnets4.bin"), plugins.path().join("subnets6.bin"));
    std::fs::remove_file(&v4).unwrap();
    let full = std::fs::metadata(&v6).unwrap().len();
    let mut truncated = std::fs::read(&v6).unwrap();
    truncated.truncate(1000);
    std::fs::write(&v6, &truncated).unwrap();
    let run = run_t2(plugins.path(), &["-r", sample_pcap().to_str().unwrap()]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    let out = run.stdout();
    let warnings: Vec<&str> = out.lines().filter(|l| l.contains("subnet file")).collect();
    assert_eq!(
        warnings,
        [
            format!(
                "[WRN] basicFlow: Failed to open subnet file '{}': No such file or directory: run 't2build -f basicFlow' to install it",
                v4.display()
            ),
            format!(
                "[WRN] basicFlow: Invalid subnet file '{}': 1000 bytes, its header announces {}: run 't2build -f basicFlow' to install it",
                v6.display(),
                full
            ),
        ]
    );
    let flows = run.flows();
    for col in ["srcIPCC", "dstIPCC"] {
        let i = flows.columns.iter().position(|c| c == col).unwrap();
        assert!(flows.rows.iter().all(|r| r[i] == "-" && r[i + 1] == "\"-\""), "{col}");
    }
    // the biggest talker (192.168.1.10) would be 07: no country either way, and no crash
    assert!(out.contains("Biggest L3 flow talker: 192.168.1.10: "), "{out}");
}

/// `t2whois ARGS` with the tables of a fresh plugin folder, `stdin` as its input.
fn t2whois_with(args: &[&str], stdin: &str) -> (Option<i32>, String, String) {
    let plugins = PluginDir::with(&["basicFlow"]);
    let (v4, v6) = (plugins.path().join("subnets4.bin"), plugins.path().join("subnets6.bin"));
    let mut child = Command::new(artifact("t2whois"))
        .arg("-d")
        .arg(v4)
        .arg("-e")
        .arg(v6)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("running t2whois");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

fn t2whois(args: &[&str]) -> (Option<i32>, String, String) {
    t2whois_with(args, "")
}

#[test]
fn t2whois_prints_code_name_and_range() {
    let (code, out, err) = t2whois(&["8.8.8.8", "10.1.2.3", "2001:db8::1"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        out,
        "IP        \t8.8.8.8\n\
         Network/Mask\t8.8.8.0/24\n\
         Range     \t8.8.8.0 - 8.8.8.255\n\
         Organization\tGoogle LLC\n\
         Country   \tus\n\
         ASN       \t15169\n\
         \n\
         IP        \t10.1.2.3\n\
         Network/Mask\t10.0.0.0/8\n\
         Range     \t10.0.0.0 - 10.255.255.255\n\
         Organization\tPrivate network\n\
         Country   \t04\n\
         ASN       \t0\n\
         \n\
         IP        \t2001:db8::1\n\
         Network/Mask\t2001:db8::/32\n\
         Range     \t2001:db8:: - 2001:db8:ffff:ffff:ffff:ffff:ffff:ffff\n\
         Organization\tdoc and example source\n\
         Country   \t27\n\
         ASN       \t0\n\
         \n"
    );
}

#[test]
fn t2whois_one_line_per_address_from_stdin_and_options() {
    let (code, out, err) =
        t2whois(&["-l", "-o", "ip,country", "-o", "asn", "2001:618:1:8000::5", "0x08080808", "fe80::1/64"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out, "%IP\tCountry\tASN\n2001:618:1:8000::5\tch\t15716\n8.8.8.8\tus\t15169\nfe80::1\t02\t0\n");
    let (code, out, _) = t2whois(&["-lH", "-s", ",", "-o", "ip,org,range", "224.0.0.251"]);
    assert_eq!(code, Some(0));
    assert_eq!(out, "224.0.0.251,\"mDNS\",\"224.0.0.251 - 224.0.0.251\"\n");
    let (code, out, err) = t2whois_with(&["-l", "-H", "-o", "ip,org"], "# addresses\n\n130.59.31.80\n::1\n");
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out, "130.59.31.80\t\"SWITCH\"\n::1\t\"Loopback\"\n");
    let (code, out, _) = t2whois(&["-L"]);
    assert_eq!(code, Some(0));
    assert!(out.contains("\tnetmask    \tNetwork/Mask\n"), "{out}");
}

#[test]
fn t2whois_reports_bad_input_and_goes_on() {
    let (code, out, err) = t2whois(&["-l", "-H", "-o", "ip,country", "not-an-ip", "0.0.0.0", "8.8.4.4"]);
    assert_eq!(code, Some(1), "an address that cannot be read fails the run");
    assert_eq!(err, "[ERR] Failed to convert IP 'not-an-ip'\n");
    // an address no table knows is no error: an empty line in -l mode
    assert_eq!(out, "0.0.0.0\t\n8.8.4.4\tus\n");
    let (code, _, err) = t2whois(&["-o", "lat", "8.8.8.8"]);
    assert_eq!(code, Some(1));
    assert!(err.starts_with("[ERR] Field 'lat' is not in rt2's subnet tables\n"), "{err}");
    let out = Command::new(artifact("t2whois"))
        .args(["-d", "/nonexistent/subnets4.bin", "-e", "/nonexistent/subnets6.bin", "8.8.8.8"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "[ERR] Failed to open subnet file '/nonexistent/subnets4.bin': No such file or directory\n\
         [ERR] Failed to open subnet file '/nonexistent/subnets6.bin': No such file or directory\n\
         [INF] Run 't2build basicFlow' to install the subnet tables\n"
    );
}
