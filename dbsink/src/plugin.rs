//! What the sinks' `Plugin` callbacks share: starting the writer at init, handing records
//! over, the end report and the last count at finalize.

use std::time::Duration;

use plugin_api::{Host, Init, Report};

use crate::row::RowDecoder;
use crate::schema::Dialect;
use crate::writer::{Backend, Policy, Sink, env_num, env_str};

/// A database sink's state in its plugin.
#[derive(Debug)]
pub struct Runner {
    host: Host,
    sink: Option<Sink>,
}

impl Runner {
    /// Nothing started yet.
    pub fn new(host: Host) -> Runner {
        Runner { host, sink: None }
    }

    /// The plugin's host.
    pub fn host(&self) -> &Host {
        &self.host
    }

    /// Whether the run writes flow records (T2's sinks write nothing with `BLOCK_BUF`).
    pub fn records(&self, init: &Init<'_>) -> bool {
        if init.config().block_buf != 0 {
            self.host.warn("BLOCK_BUF is set in 'tranalyzer.h', no output will be produced");
            return false;
        }
        true
    }

    /// Starts writing the run's records to `backend` (see [`Sink::start`]).
    pub fn start<B: Backend>(&mut self, init: &Init<'_>, dialect: Dialect, target: String, backend: B, policy: Policy) {
        let rows = RowDecoder::new(init.columns(), dialect, init.config().tstamp_prec != 0);
        self.sink = Some(Sink::start(&self.host, target, backend, rows, policy));
    }

    /// `buffer_to_sink`: hands `record` over.
    pub fn push(&mut self, record: &[u8]) {
        if let Some(s) = &mut self.sink {
            s.push(&self.host, record);
        }
    }

    /// `report`: the sink's end-report lines.
    pub fn report(&mut self, report: &Report) {
        if let Some(s) = &mut self.sink {
            s.report(&self.host, report);
        }
    }

    /// `finalize`: writes what is left, fails the run when flows were lost.
    pub fn finish(&mut self) {
        if let Some(s) = self.sink.take() {
            s.finish(&self.host);
        }
    }
}

impl Policy {
    /// The policy of T2's `*_TRANSACTION_NFLOWS` (0: 65536 per batch), `*_QUEUE` and
    /// `*_RETRIES` flags: retries after 0.2 s, then twice as long each time.
    pub fn of_flags(nflows: u32, queue: u32, retries: u32, interval: Option<Duration>) -> Policy {
        Policy {
            batch_flows: if nflows == 0 { 65536 } else { nflows as usize },
            interval,
            queue_batches: queue as usize,
            retries,
            retry_wait: Duration::from_millis(200),
        }
    }
}

/// A database server, where T2's flags and their environment overrides put it.
#[derive(Clone, Debug)]
pub struct Endpoint {
    /// Address.
    pub host: String,
    /// Port.
    pub port: u16,
    /// User.
    pub user: String,
    /// Password.
    pub password: String,
    /// Database.
    pub dbname: String,
    /// Flow table.
    pub table: String,
}

impl Endpoint {
    /// `PREFIX_HOST`, `PREFIX_PORT`, `PREFIX_USER`, `password_flag`, `PREFIX_DBNAME` and
    /// `PREFIX_TABLE_NAME` from the environment, else the compiled `flags`.
    pub fn from_env(host: &Host, prefix: &str, password_flag: &str, flags: &Endpoint) -> Result<Endpoint, String> {
        let s = |name: &str, v: &str| env_str(host, &format!("{prefix}_{name}"), v);
        Ok(Endpoint {
            host: s("HOST", &flags.host),
            port: env_num(host, &format!("{prefix}_PORT"), flags.port)?,
            user: s("USER", &flags.user),
            password: env_str(host, password_flag, &flags.password),
            dbname: s("DBNAME", &flags.dbname),
            table: s("TABLE_NAME", &flags.table),
        })
    }

    /// The server as messages name it: `ENGINE server HOST:PORT (database 'DB')`.
    pub fn target(&self, engine: &str) -> String {
        format!("{engine} server {}:{} (database '{}')", self.host, self.port, self.dbname)
    }
}

/// The `buffer_to_sink`, `report` and `finalize` callbacks of a database sink whose
/// [`Runner`] is its field `run`; used inside its `impl Plugin`.
#[macro_export]
macro_rules! sink_callbacks {
    () => {
        fn buffer_to_sink(&mut self, _ctx: ::plugin_api::Ctx<'_>, record: &[u8]) {
            self.run.push(record);
        }

        fn report(&mut self, _ctx: ::plugin_api::Ctx<'_>, report: &::plugin_api::Report) {
            self.run.report(report);
        }

        fn finalize(&mut self, _ctx: ::plugin_api::Ctx<'_>) {
            self.run.finish();
        }
    };
}
