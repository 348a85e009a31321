//! What rt2's database sinks share (sqliteSink, psqlSink, clickhouseSink):
//!
//! * [`schema`]: the typed table a run's header makes in each database ([`Dialect`]), one
//!   documented type mapping per engine;
//! * [`row`]: a flow record decoded (plugin-api's record [`Decoder`](plugin_api::record::Decoder))
//!   into the [`Field`]s of one table row; [`text`]: rows in the text forms PostgreSQL's `COPY`
//!   and ClickHouse's `TabSeparated` read;
//! * [`plugin`]: what the sinks' plugin callbacks share ([`Runner`]) and where a server is
//!   ([`Endpoint`]);
//! * [`writer`]: the writer thread behind a bounded queue, with bounded retries, and the
//!   delivered/lost accounting each sink prints in the end report;
//! * `testing` (feature `testing`): what the sinks' end-to-end tests share.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod plugin;
pub mod row;
pub mod schema;
pub mod text;
pub mod writer;

#[cfg(feature = "testing")]
pub mod testing;

pub use plugin::{Endpoint, Runner};
pub use row::{Field, RowDecoder};
pub use schema::{Dialect, Shape, TableColumn};
pub use writer::{Backend, Policy, Sink, env_num, env_str};
