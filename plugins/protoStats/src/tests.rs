//! protoStats driven through its callbacks by the testing kit's harness: port counting by
//! server port, the name tables from the plugin folder, runtime parameters and the file it
//! writes.

use plugin_api::Plugin;
use plugin_api::abi::{CoreConfig, level, stream};
use plugin_api::testing::packet::{Ip, L4, Tcp, packet, ts};
use plugin_api::testing::{Harness, TestHost, TestInit, core_config};
use portmap::PortMap;
use prototable::{EtherTypes, ProtoTable, Table};

use crate::ProtoStats;

const CLIENT: [u8; 4] = [192, 168, 1, 10];
const SERVER: [u8; 4] = [10, 0, 0, 1];

/// The plugin in a harness whose plugin folder holds `files` (name, content) and whose host
/// answers `env`.
struct Run {
    h: Harness<ProtoStats>,
    dir: tempfile::TempDir,
}

impl Run {
    fn new(files: &[(&str, &str)], env: &[(&str, &str)]) -> Run {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("plugins");
        std::fs::create_dir(&folder).unwrap();
        for (name, text) in files {
            std::fs::write(folder.join(name), text).unwrap();
        }
        let host = TestHost::new();
        for (k, v) in env {
            host.set_env(k, v);
        }
        let init = TestInit {
            prefix: dir.path().join("cap").into_os_string(),
            plugin_folder: format!("{}/", folder.display()),
            ..TestInit::default()
        };
        let h = Harness::with_host(host, ProtoStats::new, &init, CoreConfig { capacity: 16, ..core_config() });
        Run { h, dir }
    }

    /// The shipped tables in the plugin folder.
    fn shipped(env: &[(&str, &str)]) -> Run {
        Run::new(
            &[
                (EtherTypes::FILE, EtherTypes::SHIPPED),
                (ProtoTable::FILE, ProtoTable::SHIPPED),
                (portmap::FILE, portmap::SHIPPED),
            ],
            env,
        )
    }

    /// A TCP segment from `sport` to `dport` (client to server, or back when `back`) with
    /// `payload` bytes, to the flow in `slot`.
    fn tcp(&mut self, slot: usize, sport: u16, dport: u16, back: bool, payload: usize) {
        let data = vec![0u8; payload];
        let seg = Tcp { sport, dport, flags: 0x10, payload: &data, ..Tcp::default() };
        let ip = if back { Ip::V4(SERVER, CLIENT) } else { Ip::V4(CLIENT, SERVER) };
        self.h.packet(slot, ts(1, 0), &packet(ip, L4::Tcp(seg)).frame());
    }

    /// A UDP datagram from `sport` to `dport` with `payload` bytes, to the flow in `slot`.
    fn udp(&mut self, slot: usize, sport: u16, dport: u16, payload: usize) {
        let data = vec![0u8; payload];
        self.h.packet(slot, ts(1, 0), &packet(Ip::V4(CLIENT, SERVER), L4::Udp(sport, dport, &data)).frame());
    }

    /// Ends the run and reads the file written under `suffix`.
    fn finish(&mut self, suffix: &str) -> String {
        self.h.finalize();
        std::fs::read_to_string(self.dir.path().join(format!("cap{suffix}"))).unwrap()
    }

    fn warnings(&self) -> Vec<String> {
        let rec = self.h.host.recorded();
        rec.lines.iter().filter(|(s, l, _)| *s == stream::LOG && *l == level::WARN).map(|(_, _, m)| m.clone()).collect()
    }
}

#[test]
fn ports_are_the_flows_server_ports() {
    let mut run = Run::shipped(&[]);
    // captured lengths 74, 66 and 1514 (Ethernet, IPv4, TCP: 54 bytes of headers), 80 and 98
    run.tcp(0, 40000, 80, false, 20);
    run.tcp(0, 40000, 80, false, 12);
    run.tcp(1, 80, 40000, true, 1460);
    run.udp(2, 5353, 53, 38);
    run.h.packet(4, ts(1, 0), &packet(Ip::V4(CLIENT, SERVER), L4::Icmp(8, 0, 1, 1, &[0; 56])).frame());
    assert!(run.warnings().is_empty(), "{:?}", run.warnings());
    let text = run.finish("_protocols.txt");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[..2], ["# Total packets: 5", "# Total bytes: 1832 (1.83 K)"]);
    assert_eq!(
        lines[3],
        "0x0800\t                   5 [100.00%]\t                1832 [100.00%]\tInternet Protocol version 4 (IPv4)"
    );
    assert_eq!(lines[6..8], ["# Total IPv4 packets: 5 [100.00%]", "# Total IPv6 packets: 0 [0.00%]"]);
    assert_eq!(
        lines[9],
        "  1\t                   1 [ 20.00%]\t                  98 [  5.35%]\tInternet Control Message Protocol (ICMP)"
    );
    let tcp = lines.iter().position(|l| l.starts_with("# TCP Port")).unwrap();
    assert_eq!(
        lines[tcp + 1],
        "   80\t                   3 [100.00%]\t                1654 [100.00%]\tWorld Wide Web HTTP"
    );
    let udp = lines.iter().position(|l| l.starts_with("# UDP Port")).unwrap();
    assert_eq!(
        lines[udp + 1],
        "   53\t                   1 [100.00%]\t                  80 [100.00%]\tDomain Name Server (DNS)"
    );
    assert_eq!(lines.len(), udp + 2);
}

#[test]
fn missing_tables_are_one_warning_each_and_the_shipped_names_stand_in() {
    let mut run = Run::new(&[], &[]);
    let warnings = run.warnings();
    assert_eq!(warnings.len(), 3, "{warnings:?}");
    for (w, file) in warnings.iter().zip(["ethertypes.txt", "proto.txt", "portmap.txt"]) {
        assert!(w.starts_with("Failed to open file '") && w.contains(file), "{w}");
        assert!(w.ends_with("No such file or directory; using the built-in table"), "{w}");
    }
    run.tcp(0, 40000, 443, false, 6);
    let text = run.finish("_protocols.txt");
    assert!(text.contains("\tInternet Protocol version 4 (IPv4)\n"), "{text}");
    assert!(text.contains("\tHTTP protocol over TLS/SSL\n"), "{text}");
}

#[test]
fn malformed_tables_are_reported_and_used() {
    let eth = "0x0800\tMy IPv4\nnot an ethertype\n";
    let proto = ProtoTable::SHIPPED.replace("6\tTCP\tTransmission Control Protocol (TCP)", "6\tTCP\tMy TCP");
    let run_files =
        [(EtherTypes::FILE, eth), (ProtoTable::FILE, proto.as_str()), (portmap::FILE, "80\ttcp\tweb\tMy web\n")];
    let mut run = Run::new(&run_files, &[]);
    let warnings = run.warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].ends_with("ethertypes.txt' line 2: failed to parse 'not an ethertype'"), "{}", warnings[0]);
    run.tcp(0, 1, 80, false, 6);
    let text = run.finish("_protocols.txt");
    for name in ["\tMy IPv4\n", "\tMy TCP\n", "\tMy web\n"] {
        assert!(text.contains(name), "{name:?} in {text}");
    }
    assert_eq!(PortMap::parse("80\ttcp\tweb\tMy web\n").1, []);
}

#[test]
fn runtime_parameters_from_the_environment() {
    let mut run =
        Run::new(&[("eth.txt", "0x0800\tFrom env\n")], &[("PST_SUFFIX", "_p.txt"), ("PST_L2ETHFILE", "eth.txt")]);
    run.udp(0, 1, 2, 18);
    let text = run.finish("_p.txt");
    assert!(text.contains("\tFrom env\n"), "{text}");
    assert_eq!(run.warnings().len(), 2, "proto.txt and portmap.txt are missing: {:?}", run.warnings());
}

#[test]
fn an_unwritable_file_fails_the_run() {
    let init = TestInit { prefix: "/nonexistent/dir/cap".into(), ..TestInit::default() };
    let mut h = Harness::with(ProtoStats::new, &init, CoreConfig { capacity: 16, ..core_config() });
    h.finalize();
    assert_eq!(
        h.host.failures(),
        ["Failed to open file '/nonexistent/dir/cap_protocols.txt': No such file or directory"]
    );
}
