//! The ClickHouse server, the database and the flow table, over the HTTP interface.

use dbsink::schema::{TableColumn, quote};
use dbsink::{Backend, Dialect, Endpoint, Field};

/// Where the flows go and how the database and table are made.
pub struct Server {
    /// The server, database and table.
    pub at: Endpoint,
    /// Engine clause of the table the sink creates.
    pub engine: String,
    /// The table's columns after `sensorID` and `capture`.
    pub columns: Vec<TableColumn>,
    /// The run's sensor ID (`-x`).
    pub sensor: u32,
    /// The capture's name (the file name of the output prefix).
    pub capture: String,
    /// `CLICKHOUSE_OVERWRITE_DB`: 0 abort if it exists, 1 drop it, 2 reuse it.
    pub overwrite_db: u8,
    /// `CLICKHOUSE_OVERWRITE_TABLE`: 0 abort if it exists, 1 drop it, 2 append to it.
    pub overwrite_table: u8,
    /// The HTTP client (with the request timeout).
    pub agent: ureq::Agent,
    /// The database and table were made (or checked) by the first connection.
    pub created: bool,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server").field("target", &self.at.target("ClickHouse")).finish_non_exhaustive()
    }
}

impl Server {
    /// Runs `query` with `body` (rows of an insert); the answer's text.
    fn query(&self, query: &str, body: &str) -> Result<String, String> {
        let url = format!("http://{}:{}/", self.at.host, self.at.port);
        let res = self
            .agent
            .post(&url)
            .query("user", &self.at.user)
            .query("password", &self.at.password)
            .query("query", query)
            .send_string(body);
        match res {
            Ok(r) => r.into_string().map_err(|e| e.to_string()),
            // the server's exception text: `Code: 60, e.displayText() = DB::Exception: ...`
            Err(ureq::Error::Status(code, r)) => {
                let text = r.into_string().unwrap_or_default();
                Err(format!("HTTP {code}: {}", text.trim()))
            }
            Err(e) => Err(e.to_string()),
        }
    }

    /// The whole table: `sensorID`, `capture`, then the header's columns.
    fn all_columns(&self) -> Vec<(String, String)> {
        let fixed = [("sensorID", "UInt32"), ("capture", "String")].map(|(n, t)| (n.to_owned(), t.to_owned()));
        fixed.into_iter().chain(self.columns.iter().map(|c| (c.name.clone(), c.sql_type.clone()))).collect()
    }

    /// `db.table`, quoted.
    fn qualified(&self) -> String {
        format!("{}.{}", quote(&self.at.dbname), quote(&self.at.table))
    }

    /// `CREATE TABLE` of the flow table.
    pub fn create_sql(&self) -> String {
        let cols: Vec<String> = self.all_columns().iter().map(|(n, t)| format!("{} {t}", quote(n))).collect();
        format!("CREATE TABLE {} ({}) ENGINE = {}", self.qualified(), cols.join(", "), self.engine)
    }

    /// Makes the database and the table as the overwrite flags say.
    fn prepare(&self) -> Result<(), String> {
        let db = quote(&self.at.dbname);
        let lit = |s: &str| format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"));
        let exists =
            self.query(&format!("SELECT count() FROM system.databases WHERE name = {}", lit(&self.at.dbname)), "")?;
        match (exists.trim() != "0", self.overwrite_db) {
            (true, 0) => return Err(format!("Database '{}' already exists", self.at.dbname)),
            (true, 1) => {
                self.query(&format!("DROP DATABASE {db}"), "")?;
                self.query(&format!("CREATE DATABASE {db}"), "")?;
            }
            (true, _) => {}
            (false, _) => {
                self.query(&format!("CREATE DATABASE {db}"), "")?;
            }
        }
        let sql = format!(
            "SELECT name, type FROM system.columns WHERE database = {} AND table = {} FORMAT TabSeparated",
            lit(&self.at.dbname),
            lit(&self.at.table)
        );
        let have: Vec<(String, String)> = self
            .query(&sql, "")?
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .map(|(n, t)| (n.to_owned(), t.to_owned()))
            .collect();
        match (have.is_empty(), self.overwrite_table) {
            (true, _) => self.query(&self.create_sql(), "").map(drop),
            (false, 0) => Err(format!("Table '{}' already exists", self.at.table)),
            (false, 1) => {
                self.query(&format!("DROP TABLE {}", self.qualified()), "")?;
                self.query(&self.create_sql(), "").map(drop)
            }
            // ClickHouse spells Decimal128(9) Decimal(38, 9)
            (false, _)
                if have.len() == self.all_columns().len()
                    && have.iter().map(|c| &c.0).eq(self.all_columns().iter().map(|c| &c.0)) =>
            {
                Ok(())
            }
            (false, _) => Err(format!("Cannot append to existing table '{}': its columns differ", self.at.table)),
        }
    }
}

impl Backend for Server {
    fn connect(&mut self) -> Result<(), String> {
        if !self.created {
            self.prepare()?;
            self.created = true;
        } else {
            self.query("SELECT 1", "")?;
        }
        Ok(())
    }

    fn write(&mut self, rows: &[Vec<Field>]) -> Result<(), String> {
        let mut lead = format!("{}\t", self.sensor);
        dbsink::text::line(&mut lead, &[Field::Text(self.capture.clone())], Dialect::ClickHouse);
        lead.pop(); // the newline
        lead.push('\t');
        let mut body = String::new();
        for row in rows {
            body.push_str(&lead);
            dbsink::text::line(&mut body, row, Dialect::ClickHouse);
        }
        self.query(&format!("INSERT INTO {} FORMAT TabSeparated", self.qualified()), &body).map(drop)
    }
}
