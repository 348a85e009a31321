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

use dbsink::{Dialect, Policy, RowDecoder, Sink, env_num, env_str};
use plugin_api::{Ctx, Host, Init, Plugin, Report};

use crate::flags::Config;

/// The psqlSink plugin.
#[derive(Debug)]
pub struct PsqlSink {
    host: Host,
    cfg: Config,
    sink: Option<Sink>,
}

impl PsqlSink {
    /// A sink with flags `cfg` instead of the compiled ones.
    pub fn with_config(host: Host, cfg: Config) -> PsqlSink {
        PsqlSink { host, cfg, sink: None }
    }

    /// The server's settings, from the flags and the environment.
    fn server(&self, init: &Init<'_>) -> Result<db::Server, String> {
        let (h, cfg) = (&self.host, self.cfg);
        Ok(db::Server {
            host: env_str(h, "PSQL_HOST", cfg.psql_host),
            port: env_num(h, "PSQL_PORT", cfg.psql_port)?,
            user: env_str(h, "PSQL_USER", cfg.psql_user),
            password: env_str(h, "PSQL_PASS", cfg.psql_pass),
            dbname: env_str(h, "PSQL_DBNAME", cfg.psql_dbname),
            table: env_str(h, "PSQL_TABLE_NAME", cfg.psql_table_name),
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
        if init.config().block_buf != 0 {
            self.host.warn("BLOCK_BUF is set in 'tranalyzer.h', no output will be produced");
            return;
        }
        let server = match self.server(init) {
            Ok(s) => s,
            Err(e) => return self.host.fail(&e),
        };
        let cfg = self.cfg;
        let policy = Policy {
            batch_flows: if cfg.psql_transaction_nflows == 0 { 65536 } else { cfg.psql_transaction_nflows as usize },
            interval: None,
            queue_batches: cfg.psql_queue as usize,
            retries: cfg.psql_retries,
            retry_wait: Duration::from_millis(200),
        };
        let target = server.target();
        let rows = RowDecoder::new(init.columns(), Dialect::Postgres, init.config().tstamp_prec != 0);
        self.sink = Some(Sink::start(&self.host, target, server, rows, policy));
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

plugin_api::export_plugin!(PsqlSink);
