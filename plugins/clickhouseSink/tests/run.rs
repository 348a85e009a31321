//! clickhouseSink in the release `tranalyzer` against ClickHouse servers the test starts
//! (Debian's `clickhouse-server` 18.16, each with its own configuration, data folder and ports
//! on 127.0.0.1). Every shared capture's flows land in a table (rows and sums of packets and
//! bytes equal the flow file's); two sensors (`-x 1`, `-x 2`) each write into their own shard
//! server and one `Distributed` table over both answers for both sensors; a server that is
//! down, refuses the login, has a table of another schema or is killed during the run costs
//! one `[ERR]` line naming it and the cause, exit status 1 and an end report counting the
//! lost flows, and the flow file is still written in full. One test function, so that the
//! servers start once. Needs the release build.

use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use dbsink::testing::{
    BYTES, PACKETS, Totals, assert_lost, captures, few_captures, free_port, plugins, run, run_stdin_then,
};

const PASSWORD: &str = "rt2-test";

/// A ClickHouse server in a temporary folder, stopped when dropped.
struct Server {
    child: Child,
    http: u16,
    _dir: tempfile::TempDir,
}

impl Server {
    /// Starts a server on `http` and `tcp`; `cluster` names the native ports of the shards of
    /// the cluster `sensors` it knows.
    fn start(http: u16, tcp: u16, cluster: &[u16]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().display();
        let shards: String = cluster
            .iter()
            .map(|p| format!("<shard><replica><host>127.0.0.1</host><port>{p}</port><user>default</user><password>{PASSWORD}</password></replica></shard>"))
            .collect();
        let config = format!(
            r#"<?xml version="1.0"?>
<yandex>
    <logger><level>warning</level><console>1</console></logger>
    <http_port>{http}</http_port>
    <tcp_port>{tcp}</tcp_port>
    <listen_host>127.0.0.1</listen_host>
    <path>{d}/data/</path>
    <tmp_path>{d}/tmp/</tmp_path>
    <user_files_path>{d}/user_files/</user_files_path>
    <format_schema_path>{d}/format_schemas/</format_schema_path>
    <mark_cache_size>5368709</mark_cache_size>
    <timezone>UTC</timezone>
    <remote_servers><sensors>{shards}</sensors></remote_servers>
    <users><default><password>{PASSWORD}</password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
    <profiles><default></default></profiles>
    <quotas><default></default></quotas>
</yandex>
"#
        );
        let path = dir.path().join("config.xml");
        std::fs::write(&path, config).unwrap();
        // its console log (warnings and errors) goes to a file, shown if it does not come up
        let log_path = dir.path().join("server.log");
        let log = std::fs::File::create(&log_path).unwrap();
        let child = Command::new("clickhouse-server")
            .arg(format!("--config-file={}", path.display()))
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("starting clickhouse-server (Debian package clickhouse-server)");
        let mut s = Server { child, http, _dir: dir };
        let start = Instant::now();
        // a few seconds on an idle machine; far more on a busy CI machine
        while s.query("SELECT 1").is_err() {
            let exited = s.child.try_wait().unwrap();
            if exited.is_some() || start.elapsed() > Duration::from_secs(240) {
                let log = std::fs::read_to_string(&log_path).unwrap_or_default();
                panic!("clickhouse-server did not start ({exited:?}); its log:\n{log}");
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        s
    }

    fn query(&self, sql: &str) -> Result<String, String> {
        let r = ureq::post(&format!("http://127.0.0.1:{}/", self.http))
            .query("user", "default")
            .query("password", PASSWORD)
            .send_string(sql);
        match r {
            Ok(r) => Ok(r.into_string().unwrap()),
            Err(ureq::Error::Status(_, r)) => Err(r.into_string().unwrap()),
            Err(e) => Err(e.to_string()),
        }
    }

    fn totals(&self, table: &str) -> Totals {
        let sql = format!("SELECT count(), sum({PACKETS}), sum({BYTES}) FROM tranalyzer.{table} FORMAT TabSeparated");
        let text = self.query(&sql).unwrap();
        let n: Vec<u64> = text.trim().split('\t').map(|v| v.parse().unwrap()).collect();
        Totals { flows: n[0], packets: n[1], bytes: n[2] }
    }

    fn env(&self, table: &str) -> Vec<(&'static str, String)> {
        vec![
            ("CLICKHOUSE_HOST", "127.0.0.1".into()),
            ("CLICKHOUSE_PORT", self.http.to_string()),
            ("CLICKHOUSE_PASSWORD", PASSWORD.into()),
            ("CLICKHOUSE_TABLE_NAME", table.into()),
        ]
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The server as clickhouseSink's messages name it.
fn target(port: u16) -> String {
    format!("ClickHouse server 127.0.0.1:{port} (database 'tranalyzer')")
}

fn stem(p: &Path) -> String {
    p.file_stem().unwrap().to_string_lossy().into_owned()
}

#[test]
fn clickhouse() {
    let plugins = plugins("clickhouseSink");
    let (tcp1, tcp2) = (free_port(), free_port());
    let mut shard1 = Server::start(free_port(), tcp1, &[tcp1, tcp2]);
    let mut shard2 = Server::start(free_port(), tcp2, &[tcp1, tcp2]);

    // every capture, each into its own table
    let pcaps = captures();
    for (i, pcap) in pcaps.iter().enumerate() {
        let table = format!("flow{i}");
        let r = run(plugins.path(), pcap, &[], &shard1.env(&table));
        let name = pcap.file_name().unwrap().to_string_lossy();
        assert!(!r.stderr().contains("clickhouseSink"), "{name}: {}", r.stderr());
        assert_eq!(shard1.totals(&table), Totals::of(&r.flows()), "{name}");
    }
    eprintln!("{} captures checked", pcaps.len());

    // two sensors, one shard each, one Distributed table over both
    let few = few_captures();
    let (a, b) = (&few[0], few.last().unwrap());
    let r1 = run(plugins.path(), a, &["-x", "1"], &shard1.env("flows"));
    let r2 = run(plugins.path(), b, &["-x", "2"], &shard2.env("flows"));
    assert_eq!((r1.code(), r2.code()), (Some(0), Some(0)), "{}{}", r1.stderr(), r2.stderr());
    shard1
        .query("CREATE TABLE tranalyzer.flows_all AS tranalyzer.flows ENGINE = Distributed(sensors, tranalyzer, flows)")
        .unwrap();
    let sql = format!(
        "SELECT sensorID, capture, count(), sum({PACKETS}), sum({BYTES}) FROM tranalyzer.flows_all GROUP BY sensorID, capture ORDER BY sensorID FORMAT TabSeparated"
    );
    let got = shard1.query(&sql).unwrap();
    let line = |id: u32, pcap: &Path, r: &rt2_golden::Run| {
        let t = Totals::of(&r.flows());
        format!("{id}\t{}\t{}\t{}\t{}\n", stem(pcap), t.flows, t.packets, t.bytes)
    };
    assert_eq!(got, format!("{}{}", line(1, a, &r1), line(2, b, &r2)));
    // typed columns: times are seconds with nanoseconds
    let flows = r1.flows();
    let sql = "SELECT toString(timeFirst), srcIP, dir FROM tranalyzer.flows WHERE flowInd = 1 AND dir = 'A' FORMAT TabSeparated";
    let got = shard1.query(sql).unwrap();
    let want = format!("{}\t{}\tA\n", flows.get("A", 1, "timeFirst"), flows.get("A", 1, "srcIP"));
    assert_eq!(got, want);

    // a server that is not there
    let down = free_port();
    let mut env = shard1.env("down");
    env[1].1 = down.to_string();
    assert_lost(&run(plugins.path(), a, &[], &env), "clickhouseSink", &target(down), "Connection refused");

    // a login the server refuses
    let mut env = shard1.env("login");
    env[2].1 = "wrong".into();
    let r = run(plugins.path(), a, &[], &env);
    assert_lost(&r, "clickhouseSink", &target(shard1.http), "Wrong password for user default");

    // a table of another schema
    shard1.query("CREATE TABLE tranalyzer.other (a UInt8) ENGINE = Memory").unwrap();
    let r = run(plugins.path(), a, &[], &shard1.env("other"));
    assert_lost(
        &r,
        "clickhouseSink",
        &target(shard1.http),
        "Cannot append to existing table 'other': its columns differ",
    );

    // the server goes away during the run
    let env = shard2.env("killed");
    let port = shard2.http;
    let r = run_stdin_then(plugins.path(), a, &env, || shard2.kill());
    assert_lost(&r, "clickhouseSink", &target(port), "Connection refused");
    shard1.kill();
}
