//! Run-wide maxima and biggest talkers, and the end-report lines built from them.

use plugin_api::Report;
use plugin_api::abi::Globals;
use plugin_api::fmt::{c_percent, human, human_unit};

/// The flow with the largest count so far and the address it came from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Talker<A> {
    /// Packets or bytes of that flow.
    pub count: u64,
    /// Its source address.
    pub addr: A,
}

impl<A: Copy> Talker<A> {
    /// Takes `count` from `addr` if it beats the current one (the first flow wins ties).
    #[inline]
    pub fn offer(&mut self, count: u64, addr: A) {
        if count > self.count {
            *self = Talker { count, addr };
        }
    }
}

/// A source IP address and its version (0 for a flow without one, printed empty).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IpSrc {
    /// 4, 6 or 0.
    pub ver: u8,
    /// The address (IPv4 in the first 4 bytes).
    pub ip: [u8; 16],
}

/// What the end report summarises over all terminated flows.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Totals {
    /// Largest bytes per second of a flow.
    pub max_bytps: f32,
    /// Packets of that flow.
    pub max_bytps_pkts: u64,
    /// Largest average packet length of a flow (truncated).
    pub max_avg_size: u64,
    /// Flow with the most packets, by source MAC (layer-2 flows).
    pub mac_pkts: Talker<[u8; 6]>,
    /// Flow with the most bytes, by source MAC.
    pub mac_bytes: Talker<[u8; 6]>,
    /// Flow with the most packets, by source IP.
    pub ip_pkts: Talker<IpSrc>,
    /// Flow with the most bytes, by source IP.
    pub ip_bytes: Talker<IpSrc>,
}

/// Which parts of the report the core's configuration allows (T2 compiles them in with
/// `ETH_ACTIVATE > 0` and `ANONYM_IP == 0`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sections {
    /// Maxima lines (`BS_STATS`).
    pub maxima: bool,
    /// Layer-2 talkers.
    pub l2: bool,
    /// Layer-3 talkers.
    pub l3: bool,
}

impl Totals {
    /// The report lines, without the `basicStats: ` prefix the host adds; `country` gives the
    /// country code of a talker's address (what the subnet tables say, `-` or a special-range
    /// code when they know no country).
    pub fn lines(&self, g: &Globals, sections: Sections, country: &dyn Fn(&IpSrc) -> Vec<u8>) -> Vec<String> {
        let mut lines = Vec::new();
        if !sections.l2 && !sections.l3 {
            return lines;
        }
        if sections.maxima {
            let m = self.max_avg_size;
            lines.push(format!("Flow max(pktload): {m}{}", human(m)));
            // bits per second, scaled in float and truncated as T2 does
            let bps = (self.max_bytps * 8.0) as u64;
            let p = self.max_bytps_pkts;
            lines.push(format!("Flow max(b/s), pkts: {bps}{}, {p}{}", human_unit(bps as f64, "b/s"), human(p)));
        }
        let bytes = g.num_a_bytes.wrapping_add(g.num_b_bytes);
        if sections.l2 && self.mac_pkts.count > 0 {
            lines.push(talker("L2", &mac_text(&self.mac_pkts.addr), self.mac_pkts.count, g.num_packets, "packets"));
            lines.push(talker("L2", &mac_text(&self.mac_bytes.addr), self.mac_bytes.count, bytes, "bytes"));
        }
        if sections.l3 && self.ip_pkts.count > 0 {
            let addr = |a: &IpSrc| ip_text(*a) + &located(&country(a));
            lines.push(talker("L3", &addr(&self.ip_pkts.addr), self.ip_pkts.count, g.num_packets, "packets"));
            lines.push(talker("L3", &addr(&self.ip_bytes.addr), self.ip_bytes.count, bytes, "bytes"));
        }
        lines
    }

    /// Writes [`Totals::lines`] to `report`.
    pub fn write(&self, report: &Report, g: &Globals, sections: Sections, country: &dyn Fn(&IpSrc) -> Vec<u8>) {
        for line in self.lines(g, sections, country) {
            report.line(&line);
        }
    }
}

/// `Biggest <layer> flow talker: <addr>: <n>[ (<h>)] [<p>%] <what>`.
fn talker(layer: &str, addr: &str, n: u64, total: u64, what: &str) -> String {
    format!("Biggest {layer} flow talker: {addr}: {n}{} [{}%] {what}", human(n), c_percent(n, total))
}

/// What follows a talker's address: ` (US)` for a country code, nothing for an unknown one
/// (`-`) or a special range's numeric code, as T2 prints.
fn located(cc: &[u8]) -> String {
    match cc {
        [a, b] if !a.is_ascii_digit() && *a != b'-' => {
            format!(" ({}{})", char::from(a.to_ascii_uppercase()), char::from(b.to_ascii_uppercase()))
        }
        _ => String::new(),
    }
}

/// `00:11:22:33:44:55`.
fn mac_text(m: &[u8; 6]) -> String {
    format!("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", m[0], m[1], m[2], m[3], m[4], m[5])
}

/// The address as glibc's `inet_ntop` writes it; empty for version 0.
fn ip_text(a: IpSrc) -> String {
    plugin_api::fmt::ip_text(a.ver, &a.ip)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_macs() {
        let mut v4 = IpSrc { ver: 4, ip: [0; 16] };
        v4.ip[..4].copy_from_slice(&[10, 0, 0, 1]);
        assert_eq!(ip_text(v4), "10.0.0.1");
        assert_eq!(ip_text(IpSrc::default()), "");
        assert_eq!(mac_text(&[0, 0x13, 0x7f, 0xbe, 0x8c, 0xff]), "00:13:7f:be:8c:ff");
    }

    #[test]
    fn only_country_codes_follow_the_talker() {
        assert_eq!(located(b"us"), " (US)");
        assert_eq!(located(b"ch"), " (CH)");
        assert_eq!(located(b"04"), "");
        assert_eq!(located(b"-"), "");
        assert_eq!(located(b""), "");
    }

    #[test]
    fn talker_lines() {
        assert_eq!(
            talker("L3", "1.2.3.4", 1178, 25283, "bytes"),
            "Biggest L3 flow talker: 1.2.3.4: 1178 (1.18 K) [4.66%] bytes"
        );
        assert_eq!(talker("L3", "", 0, 10, "bytes"), "Biggest L3 flow talker: : 0 [0.00%] bytes");
        assert_eq!(talker("L3", "", 0, 0, "bytes"), "Biggest L3 flow talker: : 0 [-nan%] bytes");
        assert_eq!(talker("L3", "", 1, 0, "bytes"), "Biggest L3 flow talker: : 1 [inf%] bytes");
    }

    #[test]
    fn first_flow_wins_ties() {
        let mut t = Talker::<u8>::default();
        t.offer(0, 1);
        assert_eq!(t, Talker { count: 0, addr: 0 });
        t.offer(5, 2);
        t.offer(5, 3);
        assert_eq!(t, Talker { count: 5, addr: 2 });
    }
}
