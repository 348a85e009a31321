//! The text of `PREFIX_protocols.txt`, formatted as T2's protoStats writes it.

use core::fmt::{self, Write};

use plugin_api::EtherTypeCounts;
use plugin_api::fmt::human;
use portmap::{PortMap, Proto};
use prototable::{EtherTypes, ProtoTable};

use plugin_api::wire::ipproto::{SCTP, TCP, UDP, UDPLITE};

use crate::ports::{PortCounts, Ports};

/// A percentage printed as C's `printf("%W.2f")`, NaN and infinities included (glibc prints
/// the NaN of `0 × ∞` and `0 / 0` as `-nan` on x86, where T2's reference runs).
struct Pct(f64, usize);

impl fmt::Display for Pct {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Pct(x, width) = *self;
        if x.is_nan() {
            write!(f, "{:>width$}", "-nan")
        } else if x.is_infinite() {
            write!(f, "{:>width$}", if x < 0.0 { "-inf" } else { "inf" })
        } else {
            write!(f, "{x:>width$.2}")
        }
    }
}

/// What the run counted: the core's totals and per-protocol tables, protoStats' port tables.
#[derive(Clone, Copy, Debug)]
pub struct Counts<'a> {
    /// Packets read (`numPackets`).
    pub packets: u64,
    /// Captured bytes (`bytesProcessed`).
    pub bytes: u64,
    /// IPv4 packets.
    pub v4: u64,
    /// IPv6 packets.
    pub v6: u64,
    /// Packets and bytes per EtherType.
    pub l2: EtherTypeCounts<'a>,
    /// Packets per IP protocol.
    pub l3_pkts: &'a [u64; 256],
    /// Captured bytes per IP protocol.
    pub l3_bytes: &'a [u64; 256],
    /// Packets and bytes per server port.
    pub ports: &'a Ports,
}

/// The name tables the file prints.
#[derive(Clone, Copy, Debug)]
pub struct Names<'a> {
    /// EtherType names.
    pub ethertypes: &'a EtherTypes,
    /// IP protocol descriptions.
    pub protocols: &'a ProtoTable,
    /// Port descriptions.
    pub ports: &'a PortMap,
}

/// Which parts the file has.
#[derive(Clone, Copy, Debug)]
pub struct Parts {
    /// The EtherType table (`PST_ETH_STAT`).
    pub ethertypes: bool,
    /// The IPv4 total (`IPV6_ACTIVATE` 0 or 2).
    pub ipv4: bool,
    /// The IPv6 total (`IPV6_ACTIVATE` 1 or 2).
    pub ipv6: bool,
}

/// Packets and bytes with their percentages: `%20u [%6.2f%%]<TAB>%20u [%6.2f%%]`; each
/// percentage is the count times `100 / total`, as T2 multiplies.
fn counts(out: &mut String, pkts: u64, per_pkt: f64, bytes: u64, per_byte: f64) {
    let (pp, pb) = (Pct(pkts as f64 * per_pkt, 6), Pct(bytes as f64 * per_byte, 6));
    let _ = write!(out, "{pkts:>20} [{pp}%]\t{bytes:>20} [{pb}%]");
}

/// The file's text.
pub fn render(c: &Counts<'_>, names: &Names<'_>, parts: Parts) -> String {
    let mut out = String::new();
    let per_pkt = 100.0 / c.packets as f64;
    let per_byte = 100.0 / c.bytes as f64;
    if parts.ethertypes {
        let _ = writeln!(out, "# Total packets: {}{}", c.packets, human(c.packets));
        let _ = writeln!(out, "# Total bytes: {}{}", c.bytes, human(c.bytes));
        let _ = writeln!(out, "# L2/3 Protocol\t{:>30}\t{:>30}\tDescription", "Packets", "Bytes");
        for et in 0..=u16::MAX {
            let pkts = c.l2.packets(et);
            if pkts > 0 {
                let _ = write!(out, "0x{et:04x}\t");
                counts(&mut out, pkts, per_pkt, c.l2.bytes(et), per_byte);
                let _ = writeln!(out, "\t{}", names.ethertypes.name(et));
            }
        }
        out.push_str("\n\n");
    }
    for (on, label, n) in [(parts.ipv4, "IPv4", c.v4), (parts.ipv6, "IPv6", c.v6)] {
        if on {
            let _ = writeln!(out, "# Total {label} packets: {n}{} [{}%]", human(n), Pct(n as f64 * per_pkt, 0));
        }
    }
    let _ = writeln!(out, "# L4 Protocol\t{:>30}\t{:>30}\tDescription", "Packets", "Bytes");
    for p in 0..=u8::MAX {
        let pkts = c.l3_pkts[usize::from(p)];
        if pkts > 0 {
            let _ = write!(out, "{p:>3}\t");
            counts(&mut out, pkts, per_pkt, c.l3_bytes[usize::from(p)], per_byte);
            let _ = writeln!(out, "\t{}", names.protocols.description(p));
        }
    }
    let tables = [
        ("TCP", TCP, Some(&c.ports.tcp)),
        ("UDP", UDP, Some(&c.ports.udp)),
        ("UDP-Lite", UDPLITE, c.ports.udplite.as_ref()),
        ("SCTP", SCTP, c.ports.sctp.as_ref()),
    ];
    for (label, proto, table) in tables {
        if let Some(t) = table {
            port_table(&mut out, c, names.ports, label, proto, t);
        }
    }
    out
}

/// The totals of one transport protocol and, when it has packets, its port table.
fn port_table(out: &mut String, c: &Counts<'_>, ports: &PortMap, label: &str, proto: u8, t: &PortCounts) {
    let (pkts, bytes) = (c.l3_pkts[usize::from(proto)], c.l3_bytes[usize::from(proto)]);
    let pct = |n: u64, total: u64| Pct(100.0 * n as f64 / total as f64, 0);
    let _ = writeln!(out, "\n\n# Total {label} packets: {pkts}{} [{}%]", human(pkts), pct(pkts, c.packets));
    let _ = writeln!(out, "# Total {label} bytes: {bytes}{} [{}%]", human(bytes), pct(bytes, c.bytes));
    if pkts == 0 {
        return;
    }
    let (per_pkt, per_byte) = (100.0 / pkts as f64, 100.0 / bytes as f64);
    let names = Proto::of_ip_proto(proto);
    let _ = writeln!(out, "# {label} Port\t{:>30}\t{:>30}\tDescription", "Packets", "Bytes");
    for (port, n, b) in t.used() {
        let _ = write!(out, "{port:>5}\t");
        counts(out, n, per_pkt, b, per_byte);
        let desc = names.and_then(|p| ports.description(p, port)).unwrap_or("");
        let _ = writeln!(out, "\t{desc}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prototable::Table;

    fn tables() -> (EtherTypes, ProtoTable, PortMap) {
        (EtherTypes::shipped(), ProtoTable::shipped(), PortMap::shipped())
    }

    const ALL: Parts = Parts { ethertypes: true, ipv4: true, ipv6: true };

    #[test]
    fn an_empty_capture_prints_nans() {
        // T2's file for ../shared/pcaps/empty.pcap
        let (e, p, m) = tables();
        let zeros = [0u64; 256];
        let ports = Ports::new(false, false);
        let c = Counts {
            packets: 0,
            bytes: 0,
            v4: 0,
            v6: 0,
            l2: EtherTypeCounts::default(),
            l3_pkts: &zeros,
            l3_bytes: &zeros,
            ports: &ports,
        };
        let want = "# Total packets: 0\n# Total bytes: 0\n\
                    # L2/3 Protocol\t                       Packets\t                         Bytes\tDescription\n\n\n\
                    # Total IPv4 packets: 0 [-nan%]\n# Total IPv6 packets: 0 [-nan%]\n\
                    # L4 Protocol\t                       Packets\t                         Bytes\tDescription\n\n\n\
                    # Total TCP packets: 0 [-nan%]\n# Total TCP bytes: 0 [-nan%]\n\n\n\
                    # Total UDP packets: 0 [-nan%]\n# Total UDP bytes: 0 [-nan%]\n";
        let names = Names { ethertypes: &e, protocols: &p, ports: &m };
        assert_eq!(render(&c, &names, ALL), want);
    }

    #[test]
    fn tables_with_names() {
        let (e, p, m) = tables();
        let mut l2p = vec![0u64; 1 << 16];
        let mut l2b = vec![0u64; 1 << 16];
        (l2p[0x0800], l2b[0x0800]) = (3, 1200);
        (l2p[0x0806], l2b[0x0806]) = (1, 60);
        let (mut l3p, mut l3b) = ([0u64; 256], [0u64; 256]);
        (l3p[6], l3b[6]) = (2, 1140);
        (l3p[17], l3b[17]) = (1, 60);
        let mut ports = Ports::new(true, false);
        ports.count(TCP, 80, 1000);
        ports.count(TCP, 4, 140);
        ports.count(UDP, 53, 60);
        let c = Counts {
            packets: 4,
            bytes: 1260,
            v4: 3,
            v6: 0,
            l2: EtherTypeCounts::new(&l2p, &l2b),
            l3_pkts: &l3p,
            l3_bytes: &l3b,
            ports: &ports,
        };
        let names = Names { ethertypes: &e, protocols: &p, ports: &m };
        let text = render(&c, &names, Parts { ethertypes: true, ipv4: true, ipv6: false });
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "# Total packets: 4");
        assert_eq!(lines[1], "# Total bytes: 1260 (1.26 K)");
        assert_eq!(
            lines[3],
            "0x0800\t                   3 [ 75.00%]\t                1200 [ 95.24%]\tInternet Protocol version 4 (IPv4)"
        );
        assert_eq!(
            lines[4],
            "0x0806\t                   1 [ 25.00%]\t                  60 [  4.76%]\tAddress Resolution Protocol (ARP)"
        );
        assert_eq!(lines[7], "# Total IPv4 packets: 3 [75.00%]");
        assert_eq!(
            lines[9],
            "  6\t                   2 [ 50.00%]\t                1140 [ 90.48%]\tTransmission Control Protocol (TCP)"
        );
        assert_eq!(lines[13], "# Total TCP packets: 2 [50.00%]");
        assert_eq!(
            lines[15],
            "# TCP Port\t                       Packets\t                         Bytes\tDescription"
        );
        assert_eq!(lines[16], "    4\t                   1 [ 50.00%]\t                 140 [ 12.28%]\t");
        assert_eq!(
            lines[17],
            "   80\t                   1 [ 50.00%]\t                1000 [ 87.72%]\tWorld Wide Web HTTP"
        );
        assert_eq!(
            lines[23],
            "   53\t                   1 [100.00%]\t                  60 [100.00%]\tDomain Name Server (DNS)"
        );
        // UDP-Lite is on, without packets: totals only
        assert_eq!(&lines[26..], ["# Total UDP-Lite packets: 0 [0.00%]", "# Total UDP-Lite bytes: 0 [0.00%]"]);
    }

    #[test]
    fn c_percentages() {
        assert_eq!(Pct(f64::NAN, 6).to_string(), "  -nan");
        assert_eq!(Pct(0.0 * f64::INFINITY, 0).to_string(), "-nan");
        assert_eq!(Pct(1.0 / 0.0, 6).to_string(), "   inf");
        assert_eq!(Pct(12.3451, 6).to_string(), " 12.35");
        assert_eq!(Pct(100.0, 6).to_string(), "100.00");
        assert_eq!(Pct(0.125, 0).to_string(), "0.12");
    }
}
