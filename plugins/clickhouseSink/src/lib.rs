//! clickhouseSink (927, T2's number for its ClickHouse sink): writes every flow into a table
//! of a ClickHouse server over its HTTP interface: the database and the table (`sensorID`,
//! `capture`, then one column per header column, typed as [`dbsink::schema`] documents) are
//! made when missing, rows go in as `TabSeparated` inserts of `CLICKHOUSE_TRANSACTION_NFLOWS`
//! flows, or fewer after `CLICKHOUSE_INTERVAL` seconds, written by a thread of its own
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

use dbsink::{Dialect, Endpoint, Policy, Runner, env_str};
use plugin_api::{Host, Init, Plugin};

use crate::flags::Config;

/// The clickhouseSink plugin.
#[derive(Debug)]
pub struct ClickhouseSink {
    cfg: Config,
    run: Runner,
}

impl ClickhouseSink {
    /// A sink with flags `cfg` instead of the compiled ones.
    pub fn with_config(host: Host, cfg: Config) -> ClickhouseSink {
        ClickhouseSink { cfg, run: Runner::new(host) }
    }

    /// The server's settings, from the flags and the environment.
    fn server(&self, init: &Init<'_>) -> Result<db::Server, String> {
        let (cfg, host) = (self.cfg, self.run.host());
        let flags = Endpoint {
            host: cfg.clickhouse_host.into(),
            port: cfg.clickhouse_port,
            user: cfg.clickhouse_user.into(),
            password: cfg.clickhouse_password.into(),
            dbname: cfg.clickhouse_dbname.into(),
            table: cfg.clickhouse_table_name.into(),
        };
        let timeout = Duration::from_secs(cfg.clickhouse_timeout.max(1).into());
        let capture = std::path::Path::new(init.prefix_os()).file_name().map(|n| n.to_string_lossy().into_owned());
        Ok(db::Server {
            at: Endpoint::from_env(host, "CLICKHOUSE", "CLICKHOUSE_PASSWORD", &flags)?,
            engine: env_str(host, "CLICKHOUSE_ENGINE", cfg.clickhouse_engine),
            columns: dbsink::schema::table(init.columns(), Dialect::ClickHouse, false),
            sensor: init.config().sensor_id,
            capture: capture.unwrap_or_default(),
            overwrite_db: cfg.clickhouse_overwrite_db,
            overwrite_table: cfg.clickhouse_overwrite_table,
            agent: ureq::AgentBuilder::new().timeout(timeout).build(),
            created: false,
        })
    }
}

impl Plugin for ClickhouseSink {
    fn new(host: Host) -> Self {
        ClickhouseSink::with_config(host, Config::default())
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
        let interval = (cfg.clickhouse_interval > 0).then(|| Duration::from_secs(cfg.clickhouse_interval.into()));
        let policy =
            Policy::of_flags(cfg.clickhouse_transaction_nflows, cfg.clickhouse_queue, cfg.clickhouse_retries, interval);
        let target = server.at.target("ClickHouse");
        self.run.start(init, Dialect::ClickHouse, target, server, policy);
    }

    dbsink::sink_callbacks!();
}

plugin_api::export_plugin!(ClickhouseSink);
