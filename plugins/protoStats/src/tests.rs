//! protoStats driven through the `Plugin` trait in-process: port counting by server port, the
//! name tables from the plugin folder, runtime parameters and the file it writes.

use plugin_api::abi::{FlowKey, FlowRecord, Globals, level, stream};
use plugin_api::status::L3FLOWINVERT;
use plugin_api::testing::{self, TestHost, TestInit, core_config, globals};
use plugin_api::{Ctx, EtherTypeCounts, Packet, Plugin};
use portmap::PortMap;
use prototable::{EtherTypes, ProtoTable, Table};

use crate::ProtoStats;

/// The plugin with the counters and flow table the core would hold around it.
struct Run {
    host: TestHost,
    plugin: ProtoStats,
    g: Box<Globals>,
    flows: Vec<FlowRecord>,
    l2_pkts: Vec<u64>,
    l2_bytes: Vec<u64>,
    dir: tempfile::TempDir,
}

impl Run {
    /// A run whose plugin folder holds `files` (name, content) and whose host answers `env`.
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
        let mut plugin = ProtoStats::new(host.host());
        let config = core_config();
        let init = TestInit {
            prefix: dir.path().join("cap").to_str().unwrap().to_owned(),
            plugin_folder: format!("{}/", folder.display()),
            ..TestInit::default()
        };
        plugin.init(&init.init(&config));
        let flows = (0..4).map(FlowRecord::empty).collect();
        Run { host, plugin, g: globals(), flows, l2_pkts: vec![0; 1 << 16], l2_bytes: vec![0; 1 << 16], dir }
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

    /// Flow `slot` with protocol `proto` from port `sport` to `dport`; `b` for a B flow.
    fn flow(&mut self, slot: usize, proto: u8, sport: u16, dport: u16, b: bool) {
        let rec = &mut self.flows[slot];
        rec.key = FlowKey { eth_type: 0x0800, l4_proto: proto, src_port: sport, dst_port: dport, ..FlowKey::default() };
        rec.status.set(if b { L3FLOWINVERT } else { 0 });
    }

    /// A packet of `len` captured bytes of the flow in `slot`, counted as the core does.
    fn packet(&mut self, slot: usize, len: usize) {
        let data = vec![0u8; len];
        let proto = self.flows[slot].key.l4_proto;
        let pv = plugin_api::abi::PacketView { l4_proto: proto, eth_type: 0x0800, ..testing::view(&data) };
        self.g.num_packets += 1;
        self.g.num_v4_packets += 1;
        self.g.bytes_processed += len as u64;
        self.g.pkts_l3[usize::from(proto)] += 1;
        self.g.bytes_l3[usize::from(proto)] += len as u64;
        self.l2_pkts[0x0800] += 1;
        self.l2_bytes[0x0800] += len as u64;
        let ctx = Ctx::new(&self.g, &self.flows);
        self.plugin.on_layer4(ctx, &Packet::new(&pv, &data), ctx.flow(slot as u64).unwrap());
    }

    /// Ends the run and reads the file written under `suffix`.
    fn finish(&mut self, suffix: &str) -> String {
        let ctx = Ctx::new(&self.g, &self.flows).with_ethertypes(EtherTypeCounts::new(&self.l2_pkts, &self.l2_bytes));
        self.plugin.finalize(ctx);
        std::fs::read_to_string(self.dir.path().join(format!("cap{suffix}"))).unwrap()
    }

    fn warnings(&self) -> Vec<String> {
        let rec = self.host.recorded();
        rec.lines.iter().filter(|(s, l, _)| *s == stream::LOG && *l == level::WARN).map(|(_, _, m)| m.clone()).collect()
    }
}

#[test]
fn ports_are_the_flows_server_ports() {
    let mut run = Run::shipped(&[]);
    run.flow(0, 6, 40000, 80, false);
    run.flow(1, 6, 80, 40000, true);
    run.flow(2, 17, 5353, 53, false);
    run.flow(3, 1, 0, 0, false);
    run.packet(0, 74);
    run.packet(0, 66);
    run.packet(1, 1514);
    run.packet(2, 80);
    run.packet(3, 98);
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
    run.flow(0, 6, 40000, 443, false);
    run.packet(0, 60);
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
    run.flow(0, 6, 1, 80, false);
    run.packet(0, 60);
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
    run.flow(0, 17, 1, 2, false);
    run.packet(0, 60);
    let text = run.finish("_p.txt");
    assert!(text.contains("\tFrom env\n"), "{text}");
    assert_eq!(run.warnings().len(), 2, "proto.txt and portmap.txt are missing: {:?}", run.warnings());
}

#[test]
fn an_unwritable_file_fails_the_run() {
    let host = TestHost::new();
    let mut plugin = ProtoStats::new(host.host());
    let config = core_config();
    plugin.init(&TestInit { prefix: "/nonexistent/dir/cap".into(), ..TestInit::default() }.init(&config));
    let g = globals();
    plugin.finalize(Ctx::new(&g, &[]));
    assert_eq!(
        host.failures(),
        ["Failed to open file '/nonexistent/dir/cap_protocols.txt': No such file or directory"]
    );
}
