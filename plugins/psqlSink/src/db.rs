//! The PostgreSQL server, the database and the flow table (the `postgres` crate, no TLS).

use std::io::Write as _;
use std::time::Duration;

use dbsink::schema::{TableColumn, quote};
use dbsink::{Backend, Dialect, Endpoint, Field};
use postgres::{Client, NoTls};

/// Where the flows go and how the database and table are made.
pub struct Server {
    /// The server, database and table.
    pub at: Endpoint,
    /// The table's columns after `id`.
    pub columns: Vec<TableColumn>,
    /// `PSQL_OVERWRITE_DB`: 0 abort if it exists, 1 drop it, 2 reuse it.
    pub overwrite_db: u8,
    /// `PSQL_OVERWRITE_TABLE`: 0 abort if it exists, 1 drop it, 2 append to it.
    pub overwrite_table: u8,
    /// Connection and statement timeout.
    pub timeout: Duration,
    /// The open connection to `dbname`.
    pub client: Option<Client>,
    /// The database and table were made (or checked) by the first connection.
    pub created: bool,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server").field("target", &self.at.target("PostgreSQL")).finish_non_exhaustive()
    }
}

impl Server {
    /// A connection to `dbname`.
    fn connect_to(&self, dbname: &str) -> Result<Client, String> {
        let statement = format!("-c statement_timeout={}", self.timeout.as_millis());
        postgres::Config::new()
            .host(&self.at.host)
            .port(self.at.port)
            .user(&self.at.user)
            .password(&self.at.password)
            .dbname(dbname)
            .connect_timeout(self.timeout)
            .options(&statement)
            .connect(NoTls)
            .map_err(|e| cause(&e))
    }

    /// `CREATE TABLE` of the flow table, as T2 makes it.
    pub fn create_sql(&self) -> String {
        let cols: String = self.columns.iter().map(|c| format!(", {} {}", quote(&c.name), c.sql_type)).collect();
        format!("CREATE TABLE {} (id bigserial{cols})", quote(&self.at.table))
    }

    /// Makes the database and the table as the overwrite flags say.
    fn prepare(&self) -> Result<(), String> {
        let mut admin = self.connect_to("postgres")?;
        let exists = !admin
            .query("SELECT 1 FROM pg_database WHERE datname = $1", &[&self.at.dbname])
            .map_err(|e| cause(&e))?
            .is_empty();
        let create = format!("CREATE DATABASE {}", quote(&self.at.dbname));
        match (exists, self.overwrite_db) {
            (true, 0) => return Err(format!("Database '{}' already exists", self.at.dbname)),
            (true, 1) => {
                admin.batch_execute(&format!("DROP DATABASE {}", quote(&self.at.dbname))).map_err(|e| cause(&e))?;
                admin.batch_execute(&create).map_err(|e| cause(&e))?;
            }
            (true, _) => {}
            (false, _) => admin.batch_execute(&create).map_err(|e| cause(&e))?,
        }
        drop(admin);
        let mut c = self.connect_to(&self.at.dbname)?;
        let have: Vec<(String, String)> = c
            .query(
                "SELECT a.attname::text, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a \
                 WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
                &[&quote(&self.at.table)],
            )
            .map_err(|e| cause(&e))?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        match (have.is_empty(), self.overwrite_table) {
            (true, _) => c.batch_execute(&self.create_sql()).map_err(|e| cause(&e)),
            (false, 0) => Err(format!("Table '{}' already exists", self.at.table)),
            (false, 1) => {
                let sql = format!("DROP TABLE {}; {}", quote(&self.at.table), self.create_sql());
                c.batch_execute(&sql).map_err(|e| cause(&e))
            }
            (false, _) if self.same_columns(&have) => Ok(()),
            (false, _) => Err(format!("Cannot append to existing table '{}': its columns differ", self.at.table)),
        }
    }

    /// Whether the table's columns (name and type) are `id` and ours.
    fn same_columns(&self, have: &[(String, String)]) -> bool {
        // PostgreSQL spells `char` character(1)
        let ours = self.columns.iter().map(|c| (c.name.as_str(), c.sql_type.replace("char", "character(1)")));
        let want: Vec<(&str, String)> = std::iter::once(("id", "bigint".to_owned())).chain(ours).collect();
        want.len() == have.len() && want.iter().zip(have).all(|((n, t), (hn, ht))| n == hn && t == ht)
    }
}

/// The message of a driver error, with its cause (the server's text or the OS error).
fn cause(e: &postgres::Error) -> String {
    match (e.as_db_error(), std::error::Error::source(e)) {
        (Some(db), _) => db.message().to_owned(),
        (None, Some(src)) => format!("{e}: {src}"),
        (None, None) => e.to_string(),
    }
}

impl Backend for Server {
    fn connect(&mut self) -> Result<(), String> {
        self.client = None;
        if !self.created {
            self.prepare()?;
            self.created = true;
        }
        self.client = Some(self.connect_to(&self.at.dbname)?);
        Ok(())
    }

    fn write(&mut self, rows: &[Vec<Field>]) -> Result<(), String> {
        let names: Vec<String> = self.columns.iter().map(|c| quote(&c.name)).collect();
        let sql = format!("COPY {} ({}) FROM STDIN", quote(&self.at.table), names.join(", "));
        let mut text = String::new();
        for row in rows {
            dbsink::text::line(&mut text, row, Dialect::Postgres);
        }
        let client = self.client.as_mut().ok_or("not connected")?;
        let mut w = client.copy_in(&sql).map_err(|e| cause(&e))?;
        w.write_all(text.as_bytes()).map_err(|e| e.to_string())?;
        w.finish().map_err(|e| cause(&e)).map(|_| ())
    }
}
