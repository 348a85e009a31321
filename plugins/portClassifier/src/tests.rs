use plugin_api::abi::{FlowRecord, level, stream};
use plugin_api::status::L3FLOWINVERT;
use plugin_api::testing::{TestHost, TestInit, columns, core_config, globals};
use plugin_api::{Ctx, Plugin};

use super::*;

/// A flow record of protocol `proto` from `sport` to `dport`, B direction when `b`.
fn record(proto: u8, sport: u16, dport: u16, b: bool) -> FlowRecord {
    let rec = FlowRecord::empty(0);
    let mut rec = FlowRecord { findex: 1, ..rec };
    rec.key.l4_proto = proto;
    rec.key.src_port = sport;
    rec.key.dst_port = dport;
    rec.status.set(if b { L3FLOWINVERT } else { 0 });
    rec
}

/// The record bytes `plugin` writes for a flow.
fn terminate(host: &TestHost, plugin: &mut PortClassifier, rec: FlowRecord) -> Vec<u8> {
    let g = globals();
    let flows = [rec];
    let ctx = Ctx::new(&g, &flows);
    let flow = ctx.flow(0).unwrap();
    host.record(|out| plugin.on_flow_terminate(ctx, flow, out))
}

/// `port` as U16 and `name` as SC, as a record holds them.
fn cells(port: u16, name: &str) -> Vec<u8> {
    [&port.to_ne_bytes()[..], name.as_bytes(), &[0]].concat()
}

/// A plugin initialised with `cfg` on the shipped table (or `folder`'s), and its host, whose
/// environment holds `env`.
fn plugin(cfg: Config, folder: &str, env: &[(&str, &str)]) -> (TestHost, PortClassifier) {
    let host = TestHost::new();
    env.iter().for_each(|(name, value)| host.set_env(name, value));
    let mut p = PortClassifier::with_config(host.host(), cfg);
    let folder =
        if folder.is_empty() { format!("{}/../../portmap/", env!("CARGO_MANIFEST_DIR")) } else { folder.into() };
    p.init(&TestInit { plugin_folder: folder, ..TestInit::default() }.init(&core_config()));
    (host, p)
}

#[test]
fn columns_follow_the_flags() {
    let names = |cfg: Config| {
        let p = PortClassifier::with_config(TestHost::new().host(), cfg);
        columns(&p).iter().map(|c| format!("{} {}", c.name, c.signature())).collect::<Vec<_>>()
    };
    assert_eq!(names(Config::default()), ["dstPortClassN U16", "dstPortClass SC"]);
    assert_eq!(names(Config { pbc_num: false, ..Config::default() }), ["dstPortClass SC"]);
    assert_eq!(names(Config { pbc_str: false, ..Config::default() }), ["dstPortClassN U16"]);
    assert!(names(Config { pbc_num: false, pbc_str: false, ..Config::default() }).is_empty());
}

#[test]
fn both_directions_are_named_by_the_a_flows_destination_port() {
    let (host, mut p) = plugin(Config::default(), "", &[]);
    assert_eq!(terminate(&host, &mut p, record(6, 59856, 80, false)), cells(80, "http"));
    assert_eq!(terminate(&host, &mut p, record(6, 80, 59856, true)), cells(80, "http"));
    assert_eq!(terminate(&host, &mut p, record(17, 37675, 53, false)), cells(53, "domain"));
    assert_eq!(terminate(&host, &mut p, record(17, 53, 37675, true)), cells(53, "domain"));
    // SCTP uses the TCP names, UDP-Lite the UDP names
    assert_eq!(terminate(&host, &mut p, record(132, 7, 7, false)), cells(7, "echo"));
    assert_eq!(terminate(&host, &mut p, record(136, 1, 1812, false)), cells(1812, "radius"));
    // no port names for other protocols, nor for ports the table does not list
    assert_eq!(terminate(&host, &mut p, record(1, 0, 0, false)), cells(0, "unknown"));
    assert_eq!(terminate(&host, &mut p, record(0, 0, 0, false)), cells(0, "unknown"));
    assert_eq!(terminate(&host, &mut p, record(17, 0, 0, false)), cells(0, "unknown"));
    assert_eq!(terminate(&host, &mut p, record(6, 1, 65535, false)), cells(65535, "unknown"));
    assert!(host.recorded().lines.is_empty(), "{:?}", host.recorded().lines);
}

#[test]
fn flags_and_environment_change_the_output() {
    let cfg = Config { pbc_num: false, pbc_unknown: "?", ..Config::default() };
    let (host, mut p) = plugin(cfg, "", &[]);
    assert_eq!(terminate(&host, &mut p, record(6, 1, 80, false)), b"http\0");
    assert_eq!(terminate(&host, &mut p, record(6, 1, 4, false)), b"?\0");

    let (host, mut p) = plugin(cfg, "", &[("PBC_UNKNOWN", "-")]);
    assert_eq!(terminate(&host, &mut p, record(6, 1, 4, false)), b"-\0");
    assert_eq!(terminate(&host, &mut p, record(6, 1, 80, false)), b"http\0", "the shipped table");

    let dir = std::env::temp_dir().join(format!("portClassifier-env-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("mine.txt"), "80\ttcp\tweb\tWeb\n").unwrap();
    let (host, mut p) = plugin(cfg, &format!("{}/", dir.display()), &[("PBC_CLASSFILE", "mine.txt")]);
    assert_eq!(terminate(&host, &mut p, record(6, 1, 80, false)), b"web\0");
    assert_eq!(terminate(&host, &mut p, record(6, 1, 4, false)), b"?\0");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_users_table_is_read_and_a_missing_one_is_reported() {
    let dir = std::env::temp_dir().join(format!("portClassifier-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("mine.txt"), "80\ttcp\tweb\tWeb\n80\ttcp\twww\n").unwrap();
    let folder = format!("{}/", dir.display());

    let (host, mut p) = plugin(Config { pbc_classfile: "mine.txt", ..Config::default() }, &folder, &[]);
    assert_eq!(terminate(&host, &mut p, record(6, 1, 80, false)), cells(80, "web"));
    assert_eq!(terminate(&host, &mut p, record(6, 1, 443, false)), cells(443, "unknown"));

    let (host, mut p) = plugin(Config::default(), &folder, &[]);
    let lines = host.recorded().lines.clone();
    let want = format!(
        "Failed to open file '{folder}portmap.txt' for reading: No such file or directory; using the built-in table"
    );
    assert_eq!(lines, [(stream::LOG, level::WARN, want)]);
    assert_eq!(terminate(&host, &mut p, record(6, 1, 443, false)), cells(443, "https"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn packet_mode_writes_the_header_names() {
    let host = TestHost::new();
    let mut p = PortClassifier::new(host.host());
    let init = TestInit { packet_mode: true, plugin_folder: "/nonexistent/".into(), ..TestInit::default() };
    p.init(&init.init(&core_config()));
    let written = host.recorded().written.clone();
    assert_eq!(written, [(stream::PACKETS, b"dstPortClassN\tdstPortClass\t".to_vec())]);
}
