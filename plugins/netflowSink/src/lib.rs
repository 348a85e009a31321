//! netflowSink (904): exports every flow record to a NetFlow v9 (RFC 3954) or IPFIX (RFC 7011)
//! collector over UDP or TCP, as T2's netflowSink does: the A and B directions of a flow as
//! two records, IPv4 and IPv6 flows with their own templates, other flows not at all.
//!
//! * [`flags`]: the flags of `flags.toml`; [`config`]: the same with the environment's
//!   overrides;
//! * [`columns`]: reading a record through plugin-api's record decoder into a [`FlowRec`];
//! * [`template`], [`message`]: the encoding; [`transport`]: UDP and TCP;
//! * [`export`]: the sender thread behind a bounded queue, so a slow collector does not slow
//!   packet processing until the queue is full.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
// The crate is named after the T2 plugin, which is camelCase.
#![allow(non_snake_case)]

pub mod columns;
pub mod config;
pub mod export;
pub mod flags;
pub mod flowrec;
pub mod message;
pub mod template;
pub mod transport;

use plugin_api::abi::Globals;
use plugin_api::{Ctx, Host, Init, Plugin, Report};

use crate::columns::Columns;
use crate::config::Options;
use crate::export::{Batch, Event, Exporter, Stats};
use crate::flags::Config;
use crate::flowrec::{Family, FlowRec};
use crate::message::{Encoder, ExportTime, Protocol};

/// The netflowSink plugin.
#[derive(Debug)]
pub struct NetflowSink {
    host: Host,
    /// The flags (`flags.toml`).
    cfg: Config,
    /// Set while records are exported.
    active: Option<Active>,
    /// What happened to the records, once the sender thread is done.
    done: Option<Done>,
}

/// The export under way.
#[derive(Debug)]
struct Active {
    columns: Columns,
    exporter: Exporter,
    /// `127.0.0.1:9995 (UDP)`, for messages.
    collector: String,
    protocol: Protocol,
    /// Records per message, by family.
    limits: [usize; 2],
    /// Records waiting for their message, by family.
    pending: [Vec<FlowRec>; 2],
    /// Why the collector was last found down.
    cause: Option<String>,
    /// Records that are neither IPv4 nor IPv6 (T2 exports only those).
    not_ip: u64,
    /// Records the decoder rejected.
    undecodable: u64,
}

/// The end of an export.
#[derive(Debug)]
struct Done {
    stats: Stats,
    collector: String,
    protocol: Protocol,
    cause: Option<String>,
    not_ip: u64,
    undecodable: u64,
}

/// The export time of a message sent now: the capture's clock.
fn export_time(g: &Globals) -> ExportTime {
    let (now, start) = (g.act_time, g.start_time);
    let ms = (now.sec - start.sec).saturating_mul(1000) + (now.frac - start.frac) / 1_000_000;
    // the v9 header holds 32 bits of each: seconds as T2 truncates them, uptime clamped
    ExportTime { sec: now.sec as u32, uptime_ms: ms.clamp(0, i64::from(u32::MAX)) as u32 }
}

impl Active {
    /// Hands the pending records of `family` to the sender thread, taking a spare buffer.
    fn flush(&mut self, family: Family, at: ExportTime) {
        let i = family.index();
        if self.pending[i].is_empty() {
            return;
        }
        let fresh = self.exporter.buffer(self.limits[i]);
        let records = std::mem::replace(&mut self.pending[i], fresh);
        self.exporter.send(Batch { family, at, records });
    }

    /// Reports what the sender thread noticed since the last call.
    fn poll(&mut self, host: &Host) {
        for e in self.exporter.events() {
            match e {
                Event::Down { cause, attempts } => {
                    host.warn(&format!(
                        "collector {} is not reachable after {attempts} attempts: {cause}; flow records are lost until it answers again",
                        self.collector
                    ));
                    self.cause = Some(cause);
                }
                Event::Up => host.info(&format!("collector {} answers again", self.collector)),
            }
        }
    }
}

impl NetflowSink {
    /// A sink with flags `cfg` instead of the compiled ones.
    pub fn with_config(host: Host, cfg: Config) -> NetflowSink {
        NetflowSink { host, cfg, active: None, done: None }
    }

    /// Starts the export; `Err` carries the fatal message.
    fn start(&mut self, init: &Init<'_>) -> Result<Active, String> {
        let mut opt = Options::new(&self.cfg);
        opt.apply_env(|name| self.host.getenv(name))?;
        let columns = Columns::new(init.columns(), init.config().tstamp_prec != 0)?;
        let protocol = opt.protocol();
        let encoder = Encoder::new(protocol, init.config().sensor_id, columns.optional());
        let mut limits = [0; 2];
        for (family, wanted) in [(Family::V4, opt.num4flws), (Family::V6, opt.num6flws)] {
            let most = encoder.max_records(family);
            let wanted = usize::from(wanted.max(1));
            if wanted > most {
                let name = family.name();
                self.host.warn(&format!("Number of {name} flows per message too high: was reduced to {most}"));
            }
            limits[family.index()] = wanted.min(most);
        }
        let collector = opt.collector().to_string();
        let exporter = Exporter::start(opt.settings(), encoder)
            .map_err(|e| format!("cannot start the sender thread: {}", plugin_api::fmt::strerror(&e)))?;
        let pending = [Vec::with_capacity(limits[0]), Vec::with_capacity(limits[1])];
        Ok(Active { columns, exporter, collector, protocol, limits, pending, cause: None, not_ip: 0, undecodable: 0 })
    }

    /// Sends what is pending, waits for the sender thread to finish (every wait of it is
    /// bounded) and keeps the counts.
    fn drain(&mut self, g: &Globals) {
        let Some(mut a) = self.active.take() else { return };
        let at = export_time(g);
        for family in Family::ALL {
            a.flush(family, at);
        }
        let stats = a.exporter.finish();
        a.poll(&self.host);
        self.done = Some(Done {
            stats,
            collector: a.collector,
            protocol: a.protocol,
            cause: a.cause,
            not_ip: a.not_ip,
            undecodable: a.undecodable,
        });
    }
}

impl Plugin for NetflowSink {
    fn new(host: Host) -> Self {
        NetflowSink::with_config(host, Config::default())
    }

    fn init(&mut self, init: &Init<'_>) {
        match self.start(init) {
            Ok(a) => self.active = Some(a),
            Err(msg) => self.host.fail(&msg),
        }
    }

    fn buffer_to_sink(&mut self, ctx: Ctx<'_>, record: &[u8]) {
        let Some(a) = &mut self.active else { return };
        let rec = match a.columns.read(record) {
            Ok(rec) => rec,
            Err(e) => {
                if a.undecodable == 0 {
                    let flows = ctx.globals().total_flows;
                    self.host.error(&format!("{e}, first occurrence after {flows} flows: record not exported"));
                }
                a.undecodable += 1;
                return;
            }
        };
        let Some(family) = rec.family() else {
            a.not_ip += 1;
            return;
        };
        let i = family.index();
        a.pending[i].push(rec);
        if a.pending[i].len() >= a.limits[i] {
            a.flush(family, export_time(ctx.globals()));
        }
        a.poll(&self.host);
    }

    fn report(&mut self, ctx: Ctx<'_>, report: &Report) {
        self.drain(ctx.globals());
        let Some(d) = &self.done else { return };
        let s = d.stats;
        let total = s.delivered + s.lost;
        let (collector, proto) = (&d.collector, d.protocol.name());
        report.line(&format!("{} flow records sent to {collector} in {} {proto} messages", s.delivered, s.messages));
        report.warn_nump("Flow records lost", s.lost, total);
        report.num("Flow records not exported (neither IPv4 nor IPv6)", d.not_ip);
        report.num("Flow records not exported (undecodable)", d.undecodable);
        if s.waits > 0 {
            report.warn(&format!(
                "Packet processing waited {} times for the collector: the sender's queue was full",
                s.waits
            ));
        }
    }

    fn finalize(&mut self, ctx: Ctx<'_>) {
        self.drain(ctx.globals());
        let Some(d) = &self.done else { return };
        if d.stats.lost > 0 {
            let cause = d.cause.as_deref().unwrap_or("the sender stopped");
            let total = d.stats.delivered + d.stats.lost;
            self.host
                .fail(&format!("{} of {total} flow records lost: collector {}: {cause}", d.stats.lost, d.collector));
        }
    }
}

plugin_api::export_plugin!(NetflowSink);
