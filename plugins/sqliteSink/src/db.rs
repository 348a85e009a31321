//! The SQLite database file and its flow table (rusqlite, SQLite bundled).

use std::path::PathBuf;
use std::time::Duration;

use dbsink::schema::{TableColumn, quote};
use dbsink::{Backend, Field};
use rusqlite::types::Value;
use rusqlite::{Connection, OpenFlags, params_from_iter};

/// The database and how its table is made.
#[derive(Debug)]
pub struct Database {
    /// The file.
    pub path: PathBuf,
    /// The flow table's name.
    pub table: String,
    /// Its columns.
    pub columns: Vec<TableColumn>,
    /// `SQLITE_OVERWRITE`: 0 abort if the table exists, 1 replace it, 2 append to it.
    pub overwrite: u8,
    /// `SQLITE_HEX_AS_INT`.
    pub hex_as_int: bool,
    /// Time fractions in nanoseconds (else microseconds).
    pub ns_stamps: bool,
    /// How long to wait for a lock held by another process.
    pub busy: Duration,
    /// The open connection.
    pub conn: Option<Connection>,
    /// The table was made (or checked) by the first connection: later ones only append.
    pub created: bool,
}

impl Database {
    /// `CREATE TABLE` of the flow table, as T2 writes it (also what `sqlite_master` keeps).
    pub fn create_sql(&self) -> String {
        let cols: Vec<String> = self.columns.iter().map(|c| format!("{} {}", quote(&c.name), c.sql_type)).collect();
        format!("CREATE TABLE {} ({})", quote(&self.table), cols.join(", "))
    }

    /// Creates, replaces or checks the table as `overwrite` says.
    fn prepare(&self, conn: &Connection) -> Result<(), String> {
        let existing: Option<String> = conn
            .query_row("SELECT sql FROM sqlite_master WHERE type='table' AND name=?1", [&self.table], |r| r.get(0))
            .map(Some)
            .or_else(|e| if e == rusqlite::Error::QueryReturnedNoRows { Ok(None) } else { Err(e.to_string()) })?;
        let create = self.create_sql();
        match (existing, self.overwrite) {
            (None, _) => conn.execute_batch(&create).map_err(|e| e.to_string()),
            (Some(_), 0) => Err(format!("Table '{}' already exists", self.table)),
            (Some(_), 1) => {
                let sql = format!("DROP TABLE {}; {create}", quote(&self.table));
                conn.execute_batch(&sql).map_err(|e| e.to_string())
            }
            (Some(old), _) if old == create => Ok(()),
            (Some(_), _) => Err(format!("Cannot append to existing table '{}': schemas differ", self.table)),
        }
    }
}

/// The value SQLite stores for `f` (numbers above `i64::MAX` become REAL, as T2's literals do).
fn value(hex_as_int: bool, ns_stamps: bool, f: &Field) -> Value {
    let big = |n: u64| i64::try_from(n).map_or(Value::Real(n as f64), Value::Integer);
    match *f {
        Field::Null | Field::Array(_) => Value::Null,
        Field::Int(n) => Value::Integer(n),
        Field::UInt(n) => big(n),
        Field::Hex(n, _) if hex_as_int => big(n),
        Field::Hex(n, digits) => Value::Text(format!("0x{n:0w$x}", w = usize::from(digits))),
        Field::Float(x) => Value::Real(x),
        Field::Text(ref t) => Value::Text(t.clone()),
        Field::Time(s, ns) => Value::Text(iso_time(s, ns, ns_stamps)),
        Field::Duration(s, ns) => Value::Real(s as f64 + f64::from(ns) / 1e9),
    }
}

/// T2's ISO 8601 time in UTC: `2023-11-14T22:13:20.123456+00:00`.
fn iso_time(s: u64, ns: u32, ns_stamps: bool) -> String {
    let t = i64::try_from(s).ok().and_then(|s| chrono::DateTime::from_timestamp(s, ns));
    match t {
        Some(t) if ns_stamps => t.format("%Y-%m-%dT%H:%M:%S%.9f+00:00").to_string(),
        Some(t) => t.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string(),
        None => format!("{s}.{ns:09}"),
    }
}

impl Backend for Database {
    fn connect(&mut self) -> Result<(), String> {
        self.conn = None;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE;
        let conn = Connection::open_with_flags(&self.path, flags).map_err(|e| e.to_string())?;
        conn.busy_timeout(self.busy).map_err(|e| e.to_string())?;
        if !self.created {
            self.prepare(&conn)?;
            self.created = true;
        }
        self.conn = Some(conn);
        Ok(())
    }

    fn write(&mut self, rows: &[Vec<Field>]) -> Result<(), String> {
        let sql = format!("INSERT INTO {} VALUES ({})", quote(&self.table), vec!["?"; self.columns.len()].join(","));
        let (hex, ns_stamps) = (self.hex_as_int, self.ns_stamps);
        let conn = self.conn.as_mut().ok_or("not connected")?;
        let tx = conn.transaction().map_err(|e| e.to_string())?;
        {
            let mut stmt = tx.prepare_cached(&sql).map_err(|e| e.to_string())?;
            for row in rows {
                let vals = row.iter().map(|f| value(hex, ns_stamps, f));
                stmt.execute(params_from_iter(vals)).map_err(|e| e.to_string())?;
            }
        }
        tx.commit().map_err(|e| e.to_string())
    }
}
