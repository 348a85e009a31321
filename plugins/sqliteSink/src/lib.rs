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

use dbsink::{Dialect, Policy, Runner, env_str};
use plugin_api::{Host, Init, Plugin};

use crate::flags::Config;

/// The sqliteSink plugin.
#[derive(Debug)]
pub struct SqliteSink {
    cfg: Config,
    run: Runner,
}

impl SqliteSink {
    /// A sink with flags `cfg` instead of the compiled ones.
    pub fn with_config(host: Host, cfg: Config) -> SqliteSink {
        SqliteSink { cfg, run: Runner::new(host) }
    }
}

impl Plugin for SqliteSink {
    fn new(host: Host) -> Self {
        SqliteSink::with_config(host, Config::default())
    }

    fn init(&mut self, init: &Init<'_>) {
        if !self.run.records(init) {
            return;
        }
        let (cfg, host) = (self.cfg, self.run.host());
        let name = env_str(host, "SQLITE_DBNAME", cfg.sqlite_dbname);
        let suffix = env_str(host, "SQLITE_DB_SUFFIX", cfg.sqlite_db_suffix);
        let path = if name.is_empty() { init.side_file(&suffix) } else { name.into() };
        host.info(&format!("Saving database to '{}'", plugin_api::fmt::escaped(&path)));
        let db = db::Database {
            path: path.clone(),
            table: env_str(host, "SQLITE_TABLE_NAME", cfg.sqlite_table_name),
            columns: dbsink::schema::table(init.columns(), Dialect::Sqlite, cfg.sqlite_hex_as_int),
            overwrite: cfg.sqlite_overwrite,
            hex_as_int: cfg.sqlite_hex_as_int,
            ns_stamps: init.config().tstamp_prec != 0,
            busy: Duration::from_secs(cfg.sqlite_timeout.into()),
            conn: None,
            created: false,
        };
        let policy = Policy::of_flags(cfg.sqlite_transaction_nflows, cfg.sqlite_queue, cfg.sqlite_retries, None);
        let target = format!("SQLite database '{}'", plugin_api::fmt::escaped(&path));
        self.run.start(init, Dialect::Sqlite, target, db, policy);
    }

    dbsink::sink_callbacks!();
}

plugin_api::export_plugin!(SqliteSink);
