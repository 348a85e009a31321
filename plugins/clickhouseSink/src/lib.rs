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

use dbsink::{Dialect, Policy, RowDecoder, Sink, env_num, env_str};
use plugin_api::{Ctx, Host, Init, Plugin, Report};

use crate::flags::Config;

/// The clickhouseSink plugin.
#[derive(Debug)]
pub struct ClickhouseSink {
    host: Host,
    cfg: Config,
    sink: Option<Sink>,
}

impl ClickhouseSink {
    /// A sink with flags `cfg` instead of the compiled ones.
    pub fn with_config(host: Host, cfg: Config) -> ClickhouseSink {
        ClickhouseSink { host, cfg, sink: None }
    }

    /// The server's settings, from the flags and the environment.
    fn server(&self, init: &Init<'_>) -> Result<db::Server, String> {
        let (h, cfg) = (&self.host, self.cfg);
        let timeout = Duration::from_secs(cfg.clickhouse_timeout.max(1).into());
        let capture = std::path::Path::new(init.prefix_os()).file_name().map(|n| n.to_string_lossy().into_owned());
        Ok(db::Server {
            host: env_str(h, "CLICKHOUSE_HOST", cfg.clickhouse_host),
            port: env_num(h, "CLICKHOUSE_PORT", cfg.clickhouse_port)?,
            user: env_str(h, "CLICKHOUSE_USER", cfg.clickhouse_user),
            password: env_str(h, "CLICKHOUSE_PASSWORD", cfg.clickhouse_password),
            dbname: env_str(h, "CLICKHOUSE_DBNAME", cfg.clickhouse_dbname),
            table: env_str(h, "CLICKHOUSE_TABLE_NAME", cfg.clickhouse_table_name),
            engine: env_str(h, "CLICKHOUSE_ENGINE", cfg.clickhouse_engine),
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
        if init.config().block_buf != 0 {
            self.host.warn("BLOCK_BUF is set in 'tranalyzer.h', no output will be produced");
            return;
        }
        let server = match self.server(init) {
            Ok(s) => s,
            Err(e) => return self.host.fail(&e),
        };
        let cfg = self.cfg;
        let n = cfg.clickhouse_transaction_nflows;
        let policy = Policy {
            batch_flows: if n == 0 { 65536 } else { n as usize },
            interval: (cfg.clickhouse_interval > 0).then(|| Duration::from_secs(cfg.clickhouse_interval.into())),
            queue_batches: cfg.clickhouse_queue as usize,
            retries: cfg.clickhouse_retries,
            retry_wait: Duration::from_millis(200),
        };
        let target = server.target();
        let rows = RowDecoder::new(init.columns(), Dialect::ClickHouse, init.config().tstamp_prec != 0);
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

plugin_api::export_plugin!(ClickhouseSink);
