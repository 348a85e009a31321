//! sqliteSink in the release `tranalyzer`: every shared capture's flows land in the database
//! (rows and sums of packets and bytes equal the flow file's), appending works, and a database
//! that cannot be opened or holds a table of another schema costs one `[ERR]` line, exit
//! status 1, an end report counting the lost flows, and no other output. Needs the release
//! build (`cargo build --release --workspace`).

use std::path::Path;

use dbsink::testing::{Totals, assert_lost, captures, few_captures, plugins, report_line, run};
use rusqlite::Connection;

/// Rows and sums of the table `flow` in `db`.
fn db_totals(db: &Path) -> Totals {
    let conn = Connection::open(db).unwrap();
    conn.query_row("SELECT count(*), total(pktsSnt), total(l7BytesSnt) FROM flow", [], |r| {
        Ok(Totals {
            flows: r.get::<_, i64>(0)? as u64,
            packets: r.get::<_, f64>(1)? as u64,
            bytes: r.get::<_, f64>(2)? as u64,
        })
    })
    .unwrap()
}

#[test]
fn every_capture_lands_in_the_database() {
    let plugins = plugins("sqliteSink");
    let pcaps = captures();
    for pcap in &pcaps {
        let r = run(plugins.path(), pcap, &[], &[]);
        let name = pcap.file_name().unwrap().to_string_lossy();
        assert!(!r.stderr().contains("sqliteSink"), "{name}: {}", r.stderr());
        let want = Totals::of(&r.flows());
        let db = std::fs::read_dir(r.out.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == "db"));
        let db = db.unwrap_or_else(|| panic!("{name}: no database written"));
        assert_eq!(db_totals(&db), want, "{name}");
        if want.flows > 0 {
            let line =
                report_line(&r, "sqliteSink: Flows written to").unwrap_or_else(|| panic!("{name}: {}", r.stdout()));
            assert!(
                line.contains(&format!(": {} ", want.flows)) || line.ends_with(&format!(": {}", want.flows)),
                "{line}"
            );
        }
    }
    eprintln!("{} captures checked", pcaps.len());
}

#[test]
fn typed_columns_and_appending() {
    let plugins = plugins("sqliteSink");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("all.db");
    let env = [("SQLITE_DBNAME", db.display().to_string())];
    let pcap = &few_captures()[0];
    let first = run(plugins.path(), pcap, &[], &env);
    assert_eq!(first.code(), Some(0), "{}", first.stderr());
    let second = run(plugins.path(), pcap, &[], &env);
    assert_eq!(second.code(), Some(0), "{}", second.stderr());
    let one = Totals::of(&first.flows());
    assert_eq!(db_totals(&db), Totals { flows: 2 * one.flows, packets: 2 * one.packets, bytes: 2 * one.bytes });
    let conn = Connection::open(&db).unwrap();
    let (dir_, first_t, src): (String, String, String) = conn
        .query_row("SELECT dir, timeFirst, srcIP FROM flow WHERE flowInd = 1 AND dir = 'A'", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    let flows = first.flows();
    assert_eq!(dir_, "A");
    assert_eq!(src, flows.get("A", 1, "srcIP"));
    // timeFirst 1234567890.123456 is written 2009-02-13T23:31:30.123456+00:00
    let (secs, frac) = flows.get("A", 1, "timeFirst").split_once('.').unwrap();
    let secs: i64 = secs.parse().unwrap();
    let date = chrono::DateTime::from_timestamp(secs, 0).unwrap().format("%Y-%m-%dT%H:%M:%S").to_string();
    assert_eq!(first_t, format!("{date}.{frac}+00:00"));
}

/// The database as sqliteSink's messages name it.
fn target(db: &Path) -> String {
    format!("SQLite database '{}'", db.display())
}

#[test]
fn a_database_that_cannot_be_opened() {
    let plugins = plugins("sqliteSink");
    let db = Path::new("/nonexistent/folder/t2.db");
    let r = run(plugins.path(), &few_captures()[0], &[], &[("SQLITE_DBNAME", db.display().to_string())]);
    assert_lost(&r, "sqliteSink", &target(db), "unable to open database file");
}

#[test]
fn a_table_of_another_schema() {
    let plugins = plugins("sqliteSink");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("other.db");
    Connection::open(&db).unwrap().execute_batch("CREATE TABLE flow (a INT); INSERT INTO flow VALUES (1);").unwrap();
    let r = run(plugins.path(), &few_captures()[0], &[], &[("SQLITE_DBNAME", db.display().to_string())]);
    assert_lost(&r, "sqliteSink", &target(&db), "Cannot append to existing table 'flow': schemas differ");
    let n: i64 = Connection::open(&db).unwrap().query_row("SELECT count(*) FROM flow", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 1, "the other table is left alone");
}
