//! sslDecode (315): TLS, SSL and DTLS (T2's sslDecode).
//!
//! Per flow: status, protocol (ALPN), flags, versions (record, handshake, supported),
//! vulnerabilities, alerts, the preferred or selected cipher and the cipher list, hello
//! extensions, signature algorithms, groups and point formats, ALPN/ALPS/NPN names, record
//! counts, session ID length, gmt_unix_time, server name, the first certificate (version,
//! serial, fingerprint, validity, algorithms, key, subject and issuer), JA3 and JA4 with their
//! descriptions. Over the run: the end-report lines.
//!
//! `parse` reads a packet's records (`cursor` is its bounded cursor, `alpn` and `ciphers` its
//! tables), `cert` the certificates, `ja` the fingerprints and their description tables,
//! `state` holds a flow's state; this file connects them to the plugin callbacks. Every packet
//! is decoded on its own, as T2 does; a flow gets its state (from a pool) at its first packet
//! that can be TLS, and a packet that cannot costs a length and two byte checks.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![allow(non_snake_case)] // the crate is named after the plugin: sslDecode

pub mod alpn;
pub mod cert;
pub mod ciphers;
pub mod cursor;
pub mod flags;
pub mod ja;
pub mod output;
pub mod parse;
pub mod state;
#[cfg(test)]
mod tests;

use plugin_api::status::L3_CAPWAP;
use plugin_api::wire::ipproto::{SCTP, TCP, UDP};
use plugin_api::{Columns, Ctx, Flow, Host, Init, Output, Packet, Plugin, Report, SparseSlots};

pub use flags::Config;
use ja::{Db, Fingerprints, Matched};
use parse::{Decoder, L4};
use state::{Tls, is_grease, version};

/// The description tables: file name, fingerprint length, what the end report calls them.
const TABLES: [(&str, usize, &str); 3] =
    [("ja3fingerprint.tsv", 32, "JA3"), ("ja4fingerprints.tsv", 36, "JA4"), ("ja4sfingerprints.tsv", 25, "JA4S")];

/// Flows per version over the run (T2's end report).
#[derive(Debug, Default)]
struct Totals {
    stat: u32,
    proto: u32,
    /// SSL 3.0, TLS 1.0 .. TLS 1.3.
    ssl3: [u64; 5],
    /// TLS 1.3 drafts 14 to 28.
    tls13_draft: [u64; 15],
    /// TLS 1.3 Facebook drafts 23 and 26.
    tls13_fb: [u64; 2],
    /// DTLS 1.0, 1.2, 1.3, 1.0 (OpenSSL pre 0.9.8f).
    dtls: [u64; 4],
}

impl Totals {
    fn count(&mut self, v: u16) {
        if version::is_tls13_fb(v) {
            self.tls13_fb[usize::from(v == version::TLS13_FBD26)] += 1;
        } else if version::is_tls13_draft(v) {
            self.tls13_draft[usize::from(v - version::TLS13_D14)] += 1;
        } else if version::is_ssl(v) {
            self.ssl3[usize::from(v & 0xff)] += 1;
        } else if version::is_dtls(v) {
            let i = match v {
                version::DTLS10 => 0,
                version::DTLS12 => 1,
                version::DTLS13 => 2,
                _ => 3,
            };
            self.dtls[i] += 1;
        }
    }
}

/// The sslDecode plugin.
pub struct SslDecode {
    host: Host,
    cfg: Config,
    /// The TLS state of flows that had a packet that may have been TLS and changed it.
    flows: SparseSlots<Tls>,
    /// The state of a flow without TLS, for its values.
    blank: Tls,
    db: Fingerprints,
    matched: Matched,
    tot: Totals,
}

impl SslDecode {
    /// An sslDecode with flags `cfg` instead of the compiled ones.
    pub fn with_config(host: Host, cfg: Config) -> SslDecode {
        SslDecode {
            host,
            cfg,
            flows: SparseSlots::default(),
            blank: Tls::new(&cfg),
            db: Fingerprints::default(),
            matched: Matched::default(),
            tot: Totals::default(),
        }
    }

    /// Loads the description tables T2 reads with the flags on (T2 stops when one is missing;
    /// here the run goes on without its descriptions, after one error line).
    fn load_tables(&mut self, init: &Init<'_>) {
        for (i, (file, key_len, what)) in TABLES.into_iter().enumerate() {
            let ja4 = i > 0;
            if (ja4 && !self.cfg.ssl_ja4) || (!ja4 && !self.cfg.ssl_ja3) {
                continue;
            }
            let dlen = usize::from(if ja4 { self.cfg.ssl_ja4_dlen } else { self.cfg.ssl_ja3_dlen });
            let path = init.data_file(file);
            let name = plugin_api::fmt::escaped(&path);
            let db = match std::fs::read(&path) {
                Err(e) => {
                    let err = plugin_api::fmt::strerror(&e);
                    self.host.error(&format!("Failed to open file '{name}': {err}; no {what} descriptions"));
                    continue;
                }
                Ok(text) => match Db::parse(&text, key_len, dlen) {
                    Err(e) => {
                        self.host.error(&format!("'{name}': {e}; no {what} descriptions"));
                        continue;
                    }
                    Ok((db, warnings)) => {
                        for w in warnings {
                            self.host.warn(&format!("'{name}': {w}"));
                        }
                        db
                    }
                },
            };
            self.host.info(&format!("{} {what} fingerprints loaded", db.len()));
            match i {
                0 => self.db.ja3 = db,
                1 => self.db.ja4 = db,
                _ => self.db.ja4s = db,
            }
        }
    }
}

impl Plugin for SslDecode {
    fn new(host: Host) -> Self {
        SslDecode::with_config(host, Config::default())
    }

    fn columns(&self, c: &mut Columns) {
        output::columns(&self.cfg, c);
    }

    fn init(&mut self, init: &Init<'_>) {
        self.flows = SparseSlots::new(init.capacity());
        self.load_tables(init);
    }

    fn on_layer4(&mut self, _ctx: Ctx<'_>, pkt: &Packet<'_>, flow: Flow<'_>) {
        let l7 = pkt.l7();
        let mut l7 = &l7[..l7.len().min(usize::from(pkt.view().snap_l7_len))];
        let l4 = match pkt.l4_proto() {
            TCP => L4::Tcp,
            UDP => L4::Udp,
            SCTP => L4::Other,
            _ => return,
        };
        if l7.is_empty() || !pkt.is_first_fragment() {
            return;
        }
        if pkt.status() & L3_CAPWAP != 0 {
            // CAPWAP data (type 1 in the low bits of its first byte) carries DTLS after 4 bytes
            if l7[0] & 0x0f != 1 {
                return;
            }
            l7 = l7.get(4..).unwrap_or_default();
        }
        let claimed = self.flows.get(&flow).is_some();
        if !claimed && !parse::might_be_tls(l7) {
            return;
        }
        let cfg = &self.cfg;
        let s = self.flows.get_or_claim(&flow, || Tls::new(cfg), Tls::clear);
        let p = parse::Packet { l7, ts_sec: pkt.ts().sec, l4 };
        Decoder { cfg: &self.cfg, db: &self.db, matched: &mut self.matched }.packet(s, &p);
        // most payloads might_be_tls lets through change nothing: no state for them
        if !claimed && s.is_clear() {
            self.flows.release(&flow);
        }
    }

    fn on_flow_terminate(&mut self, _ctx: Ctx<'_>, flow: Flow<'_>, out: &mut Output<'_>) {
        let opposite = flow.opposite().map(|o| o.index());
        let (own, other) = self.flows.pair_mut(&flow, opposite);
        let Some(s) = own else {
            output::flow(&self.cfg, &self.blank, &[], out);
            self.flows.release_pair(&flow);
            return;
        };
        let other = other.map(|o| &*o);
        if s.version != 0 {
            // The negotiated version: the server's supported_versions (read by the A flow)
            // or the first non-GREASE one the flow offered.
            let from_b =
                other.filter(|_| !flow.is_b()).and_then(|b| b.supp_ver.shown().iter().find(|&&v| !is_grease(v)));
            if let Some(&v) = from_b.or_else(|| s.supp_ver.shown().iter().find(|&&v| !is_grease(v))) {
                s.version = v;
            }
            self.tot.count(s.version);
        } else {
            // not TLS after all: T2 forgets what an early guess counted
            if s.proto == 0 {
                s.stat = 0;
            }
            s.vuln = 0;
            (s.num_cc, s.num_alert, s.num_hs, s.num_app, s.num_hb) = (0, 0, 0, 0, 0);
        }
        self.tot.stat |= s.stat;
        self.tot.proto |= s.proto;
        let sni = if s.server_name().is_empty() { other.map_or(&[][..], |o| o.server_name()) } else { s.server_name() };
        output::flow(&self.cfg, s, sni, out);
        // the B flow reads the A flow's state
        self.flows.release_pair(&flow);
    }

    fn report(&mut self, ctx: Ctx<'_>, r: &Report) {
        let t = &self.tot;
        // T2's totalFlows (the core fills `total_flows` only for monitoring reports)
        let g = ctx.globals();
        let total = g.total_a_flows + g.total_b_flows;
        r.aggr("sslStat", u64::from(t.stat), 4);
        // T2 never counts SSL 2.0 flows (an SSLv2 hello sets the version it offers)
        let mut lines: Vec<(String, u64)> = vec![("SSL 2.0".into(), 0), ("SSL 3.0".into(), t.ssl3[0])];
        for (i, n) in t.ssl3[1..].iter().enumerate() {
            lines.push((format!("TLS 1.{i}"), *n));
        }
        for (i, n) in t.tls13_draft.iter().enumerate() {
            lines.push((format!("TLS 1.3 (draft {})", 14 + i), *n));
        }
        lines.push(("TLS 1.3 (Facebook draft 23)".into(), t.tls13_fb[0]));
        lines.push(("TLS 1.3 (Facebook draft 26)".into(), t.tls13_fb[1]));
        lines.push(("DTLS 1.0 (OpenSSL pre 0.9.8f)".into(), t.dtls[3]));
        lines.push(("DTLS 1.0".into(), t.dtls[0]));
        lines.push(("DTLS 1.2".into(), t.dtls[1]));
        lines.push(("DTLS 1.3".into(), t.dtls[2]));
        for (what, n) in lines {
            r.nump(&format!("Number of {what} flows"), n, total);
        }
        r.aggr("sslProto", u64::from(t.proto), 4);
        if self.cfg.ssl_ja3 {
            r.num("Number of JA3 signatures matched", self.matched.ja3);
        }
        if self.cfg.ssl_ja4 {
            r.num("Number of JA4 signatures matched", self.matched.ja4);
            r.num("Number of JA4S signatures matched", self.matched.ja4s);
        }
    }
}

plugin_api::export_plugin!(SslDecode);
