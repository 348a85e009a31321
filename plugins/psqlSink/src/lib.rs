//! psqlSink (923): writes every flow into a table of a PostgreSQL database (T2's psqlSink):
//! the database and the table (`id bigserial` then one column per header column, typed as
//! [`dbsink::schema`] documents) are made when missing, rows go in with `COPY`, one
//! transaction every `PSQL_TRANSACTION_NFLOWS` flows, written by a thread of its own
//! ([`dbsink::writer`]).
//!
//! * [`flags`]: the flags of `flags.toml`; [`db`]: the server, the database and the table.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
// The crate is named after the T2 plugin, which is camelCase.
#![allow(non_snake_case)]

pub mod db;
pub mod flags;

use std::time::Duration;

use dbsink::{Dialect, Endpoint, Policy, Runner};
use plugin_api::{Host, Init, Plugin};

use crate::flags::Config;

/// The psqlSink plugin.
#[derive(Debug)]
pub struct PsqlSink {
    cfg: Config,
    run: Runner,
}

impl PsqlSink {
    /// A sink with flags `cfg` instead of the compiled ones.
    pub fn with_config(host: Host, cfg: Config) -> PsqlSink {
        PsqlSink { cfg, run: Runner::new(host) }
    }

    /// The server's settings, from the flags and the environment.
    fn server(&self, init: &Init<'_>) -> Result<db::Server, String> {
        let cfg = self.cfg;
        let flags = Endpoint {
            host: cfg.psql_host.into(),
            port: cfg.psql_port,
            user: cfg.psql_user.into(),
            password: cfg.psql_pass.into(),
            dbname: cfg.psql_dbname.into(),
            table: cfg.psql_table_name.into(),
        };
        Ok(db::Server {
            at: Endpoint::from_env(self.run.host(), "PSQL", "PSQL_PASS", &flags)?,
            columns: dbsink::schema::table(init.columns(), Dialect::Postgres, false),
            overwrite_db: cfg.psql_overwrite_db,
            overwrite_table: cfg.psql_overwrite_table,
            timeout: Duration::from_secs(cfg.psql_timeout.max(1).into()),
            client: None,
            created: false,
        })
    }
}

impl Plugin for PsqlSink {
    fn new(host: Host) -> Self {
        PsqlSink::with_config(host, Config::default())
    }

    fn init(&mut self, init: &Init<'_>) {
        if !self.run.records(init) {
            return;
        }
        let server = match self.server(init) {
            Ok(s) => s,
            Err(e) => return self.run.host().fail(&e),
        };
        let cfg = self.cfg;
        let policy = Policy::of_flags(cfg.psql_transaction_nflows, cfg.psql_queue, cfg.psql_retries, None);
        let target = server.at.target("PostgreSQL");
        self.run.start(init, Dialect::Postgres, target, server, policy);
    }

    dbsink::sink_callbacks!();
}

plugin_api::export_plugin!(PsqlSink);
