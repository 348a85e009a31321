//! sqliteSink (924): writes every flow into a table of a SQLite database file,
//! `PREFIX.db` by default (T2's sqliteSink): one column per header column, typed as
//! [`dbsink::schema`] documents, one transaction every `SQLITE_TRANSACTION_NFLOWS` flows,
//! written by a thread of its own ([`dbsink::writer`]).
//!
//! * [`flags`]: the flags of `flags.toml`; [`db`]: the database file and its table.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
// The crate is named after the T2 plugin, which is camelCase.
#![allow(non_snake_case)]

pub mod db;
pub mod flags;

use std::time::Duration;

use dbsink::{Dialect, Policy, RowDecoder, Sink};
use plugin_api::{Ctx, Host, Init, Plugin, Report};

use crate::flags::Config;

/// The sqliteSink plugin.
#[derive(Debug)]
pub struct SqliteSink {
    host: Host,
    cfg: Config,
    sink: Option<Sink>,
}

impl SqliteSink {
    /// A sink with flags `cfg` instead of the compiled ones.
    pub fn with_config(host: Host, cfg: Config) -> SqliteSink {
        SqliteSink { host, cfg, sink: None }
    }

    fn env(&self, name: &str, value: &str) -> String {
        dbsink::env_str(&self.host, name, value)
    }
}

impl Plugin for SqliteSink {
    fn new(host: Host) -> Self {
        SqliteSink::with_config(host, Config::default())
    }

    fn init(&mut self, init: &Init<'_>) {
        if init.config().block_buf != 0 {
            self.host.warn("BLOCK_BUF is set in 'tranalyzer.h', no output will be produced");
            return;
        }
        let cfg = self.cfg;
        let name = self.env("SQLITE_DBNAME", cfg.sqlite_dbname);
        let path = if name.is_empty() {
            init.side_file(&self.env("SQLITE_DB_SUFFIX", cfg.sqlite_db_suffix))
        } else {
            name.into()
        };
        let table = self.env("SQLITE_TABLE_NAME", cfg.sqlite_table_name);
        self.host.info(&format!("Saving database to '{}'", plugin_api::fmt::escaped(&path)));
        let db = db::Database {
            path: path.clone(),
            table,
            columns: dbsink::schema::table(init.columns(), Dialect::Sqlite, cfg.sqlite_hex_as_int),
            overwrite: cfg.sqlite_overwrite,
            hex_as_int: cfg.sqlite_hex_as_int,
            ns_stamps: init.config().tstamp_prec != 0,
            busy: Duration::from_secs(cfg.sqlite_timeout.into()),
            conn: None,
            created: false,
        };
        let policy = Policy {
            batch_flows: if cfg.sqlite_transaction_nflows == 0 {
                65536
            } else {
                cfg.sqlite_transaction_nflows as usize
            },
            interval: None,
            queue_batches: cfg.sqlite_queue as usize,
            retries: cfg.sqlite_retries,
            retry_wait: Duration::from_millis(200),
        };
        let target = format!("SQLite database '{}'", plugin_api::fmt::escaped(&path));
        let rows = RowDecoder::new(init.columns(), Dialect::Sqlite, init.config().tstamp_prec != 0);
        self.sink = Some(Sink::start(&self.host, target, db, rows, policy));
    }

    fn buffer_to_sink(&mut self, _ctx: Ctx<'_>, record: &[u8]) {
        if let Some(s) = &mut self.sink {
            s.push(&self.host, record);
        }
    }

    fn report(&mut self, _ctx: Ctx<'_>, report: &Report) {
        if let Some(s) = &mut self.sink {
            s.report(&self.host, report);
        }
    }

    fn finalize(&mut self, _ctx: Ctx<'_>) {
        if let Some(s) = self.sink.take() {
            s.finish(&self.host);
        }
    }
}

plugin_api::export_plugin!(SqliteSink);
