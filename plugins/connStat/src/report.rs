//! The end-report and monitoring lines built from the run-wide counts.

use plugin_api::Report;
use plugin_api::abi::Globals;
use plugin_api::fmt::{c_percent, human, ip_text};

use crate::conns::{Conns, Top, Totals};

impl Totals {
    /// `self - base`, each figure (T2's differential reports subtract the last report's).
    pub fn since(&self, base: &Totals) -> Totals {
        Totals {
            sips: self.sips.wrapping_sub(base.sips),
            dips: self.dips.wrapping_sub(base.dips),
            sdips: self.sdips.wrapping_sub(base.sdips),
            ports: self.ports.wrapping_sub(base.ports),
        }
    }

    /// `connF`: port connections per source address, in `f32`.
    pub fn f(&self) -> f32 {
        ratio(self.ports, self.sips)
    }

    /// `connG`: port connections per busiest pair (or per flow), in `f32`.
    pub fn g(&self) -> f32 {
        ratio(self.ports, self.sdips)
    }

    /// The count lines (only non-zero figures, as T2's `T2_FPLOG_NUM`).
    pub fn write(&self, r: &Report) {
        r.num("Number of unique source IPs", self.sips);
        r.num("Number of unique destination IPs", self.dips);
        r.num("Number of unique source/destination IPs connections", self.sdips);
        r.num("Max unique number of source IP / destination port connections", self.ports);
        // `%f` of the float promoted to double
        let f = self.f();
        if f != 0.0 {
            r.line(&format!("IP connF=connSipDprt/connSip: {:.6}", f64::from(f)));
        }
        let g = self.g();
        if g != 0.0 {
            r.line(&format!("IP connG=connSipDprt/connSipDip: {:.6}", f64::from(g)));
        }
    }
}

fn ratio(n: u64, d: u64) -> f32 {
    if d == 0 { 0.0 } else { n as f32 / d as f32 }
}

/// The lines naming addresses: the busiest source and destination, and with `talkers` the
/// biggest packet and byte senders. T2 appends a country code for alphabetic subnet labels
/// only; the references have none (their tables give numeric codes or `-`), so none is printed.
pub fn write_addresses(c: &Conns, r: &Report, g: &Globals, talkers: bool) {
    let most = |what: &str, t: &Top<u32>| {
        if t.count > 0 {
            let n = u64::from(t.count);
            r.line(&format!("{what} IP with max connections: {}: {n}{} connections", addr(t), human(n)));
        }
    };
    most("Source", &c.top_src);
    most("Destination", &c.top_dst);
    if !talkers {
        return;
    }
    let biggest = |t: &Top<u64>, total: u64, what: &str| {
        if t.count > 0 {
            let n = t.count;
            r.line(&format!("Biggest L3 talker: {}: {n}{} [{}%] {what}", addr(t), human(n), c_percent(n, total)));
        }
    };
    biggest(&c.top_pkts, g.num_packets, "packets");
    biggest(&c.top_bytes, g.num_a_bytes.wrapping_add(g.num_b_bytes), "bytes");
}

fn addr<N>(t: &Top<N>) -> String {
    ip_text(t.addr.ver, &t.addr.ip)
}
