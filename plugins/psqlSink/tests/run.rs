//! psqlSink in the release `tranalyzer` against a PostgreSQL 15 server the test starts
//! (Debian's `postgresql`: `initdb` into a temporary folder, its own port on 127.0.0.1 and its
//! own socket folder; as root, the server runs as `nobody`, which `initdb` and `postgres`
//! require). Every shared capture's flows land in a table (rows and sums of packets and bytes
//! equal the flow file's); a server that is down, refuses the login, has a table of another
//! schema or is killed during the run costs one `[ERR]` line naming it and the cause, exit
//! status 1 and an end report counting the lost flows, and the flow file is still written in
//! full. One test function, so that the server starts once. Needs the release build.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use dbsink::testing::{Totals, assert_lost, captures, few_captures, free_port, plugins, run, run_stdin_then};
use postgres::{Client, NoTls};

const BIN: &str = "/usr/lib/postgresql/15/bin";
const PASSWORD: &str = "rt2-test";

/// A PostgreSQL server in a temporary folder, stopped when dropped.
struct Server {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

/// Runs `cmd` as `nobody` when we are root (PostgreSQL refuses to run as root).
fn as_server_user(program: &str) -> Command {
    let root = std::fs::metadata("/proc/self").map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0).unwrap_or(false);
    if root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=nobody", "--regid=nogroup", "--clear-groups", program]);
        c
    } else {
        Command::new(program)
    }
}

impl Server {
    fn start() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let pw = dir.path().join("pw");
        std::fs::write(&pw, PASSWORD).unwrap();
        let chown = Command::new("chown").args(["-R", "nobody:nogroup"]).arg(dir.path()).status();
        let _ = chown; // only needed (and only possible) as root
        let data = dir.path().join("data");
        let out = as_server_user(&format!("{BIN}/initdb"))
            .arg("-D")
            .arg(&data)
            .args(["-U", "postgres", "--auth=md5", "-E", "UTF8", "--no-sync"])
            .arg(format!("--pwfile={}", pw.display()))
            .output()
            .expect("running initdb (Debian package postgresql)");
        assert!(out.status.success(), "initdb: {}", String::from_utf8_lossy(&out.stderr));
        let port = free_port();
        let child = as_server_user(&format!("{BIN}/postgres"))
            .arg("-D")
            .arg(&data)
            .args(["-p", &port.to_string(), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"])
            .arg("-k")
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting postgres");
        let s = Server { child, port, _dir: dir };
        let start = Instant::now();
        while s.client("postgres").is_err() {
            assert!(start.elapsed() < Duration::from_secs(30), "postgres did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        s
    }

    fn client(&self, db: &str) -> Result<Client, postgres::Error> {
        let cfg = format!("host=127.0.0.1 port={} user=postgres password={PASSWORD} dbname={db}", self.port);
        Client::connect(&cfg, NoTls)
    }

    /// The settings of a run against this server.
    fn env(&self, db: &str, table: &str) -> Vec<(&'static str, String)> {
        vec![
            ("PSQL_HOST", "127.0.0.1".into()),
            ("PSQL_PORT", self.port.to_string()),
            ("PSQL_PASS", PASSWORD.into()),
            ("PSQL_DBNAME", db.into()),
            ("PSQL_TABLE_NAME", table.into()),
        ]
    }

    fn totals(&self, db: &str, table: &str) -> Totals {
        let sql = format!(
            "SELECT count(*), coalesce(sum(\"pktsSnt\"), 0)::bigint, coalesce(sum(\"l7BytesSnt\"), 0)::bigint FROM \"{table}\""
        );
        let r = self.client(db).unwrap().query_one(&sql, &[]).unwrap();
        let n = |i: usize| r.get::<_, i64>(i) as u64;
        Totals { flows: n(0), packets: n(1), bytes: n(2) }
    }

    fn totals_rows(&self, db: &str) -> i64 {
        self.client(db).unwrap().query_one("SELECT count(*) FROM flow", &[]).unwrap().get(0)
    }

    fn target(&self, db: &str) -> String {
        target(self.port, db)
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The server as psqlSink's messages name it.
fn target(port: u16, db: &str) -> String {
    format!("PostgreSQL server 127.0.0.1:{port} (database '{db}')")
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

#[test]
fn postgresql() {
    let plugins = plugins("psqlSink");
    let mut server = Server::start();

    // every capture, each into its own table
    let pcaps = captures();
    for (i, pcap) in pcaps.iter().enumerate() {
        let table = format!("flow{i}");
        let r = run(plugins.path(), pcap, &[], &server.env("tranalyzer", &table));
        let name = pcap.file_name().unwrap().to_string_lossy();
        assert!(!r.stderr().contains("psqlSink"), "{name}: {}", r.stderr());
        assert_eq!(server.totals("tranalyzer", &table), Totals::of(&r.flows()), "{name}");
    }
    eprintln!("{} captures checked", pcaps.len());

    // typed columns, and a second run appends
    let pcap = &few_captures()[0];
    let first = run(plugins.path(), pcap, &[], &server.env("typed", "flow"));
    assert_eq!(first.code(), Some(0), "{}", first.stderr());
    let again = run(plugins.path(), pcap, &[], &server.env("typed", "flow"));
    assert_eq!(again.code(), Some(0), "{}", again.stderr());
    let one = Totals::of(&first.flows());
    assert_eq!(server.totals("typed", "flow").flows, 2 * one.flows);
    let flows = first.flows();
    let row = server
        .client("typed")
        .unwrap()
        .query_one(
            "SELECT host(\"srcIP\"), extract(epoch from \"timeFirst\")::text, \"dir\"::text FROM flow WHERE \"flowInd\" = 1 AND \"dir\" = 'A' LIMIT 1",
            &[],
        )
        .unwrap();
    assert_eq!(row.get::<_, String>(0), flows.get("A", 1, "srcIP"));
    let t = flows.get("A", 1, "timeFirst").trim_end_matches('0').trim_end_matches('.').to_owned();
    assert_eq!(row.get::<_, String>(1), t);
    assert_eq!(row.get::<_, String>(2), "A");

    // a server that is not there
    let pcap = &few_captures()[0];
    let down = free_port();
    let mut env = server.env("tranalyzer", "down");
    env[1].1 = down.to_string();
    assert_lost(&run(plugins.path(), pcap, &[], &env), "psqlSink", &target(down, "tranalyzer"), "Connection refused");

    // a login the server refuses
    let mut env = server.env("tranalyzer", "login");
    env[2].1 = "wrong".into();
    let r = run(plugins.path(), pcap, &[], &env);
    assert_lost(&r, "psqlSink", &server.target("tranalyzer"), "password authentication failed for user \"postgres\"");

    // a table of another schema
    server.client("postgres").unwrap().batch_execute("CREATE DATABASE other").unwrap();
    server.client("other").unwrap().batch_execute("CREATE TABLE flow (a int); INSERT INTO flow VALUES (1)").unwrap();
    let r = run(plugins.path(), pcap, &[], &server.env("other", "flow"));
    assert_lost(&r, "psqlSink", &server.target("other"), "Cannot append to existing table 'flow': its columns differ");
    assert_eq!(server.totals_rows("other"), 1, "the other table is left alone");

    // the server goes away during the run
    let port = server.port;
    let env = server.env("tranalyzer", "killed");
    let r = run_stdin_then(plugins.path(), pcap, &env, || server.kill());
    assert_lost(&r, "psqlSink", &target(port, "tranalyzer"), "Connection refused (os error 111) (after 3 retries)");
}
