//! The run's ICMP statistics as text: the file `PREFIX_icmpStats.txt` and the echo ratio of the
//! end report, formatted as T2's icmpDecode prints them.

use core::fmt::Write;

use plugin_api::fmt::{human, percent};

use crate::state::{Settings, Totals};

/// Codes of IPv4 destination unreachable, by code.
const V4_UNREACH: [&str; 16] = [
    "ICMP_NET_UNREACH",
    "ICMP_HOST_UNREACH",
    "ICMP_PROT_UNREACH",
    "ICMP_PORT_UNREACH",
    "ICMP_FRAG_NEEDED",
    "ICMP_SR_FAILED",
    "ICMP_NET_UNKNOWN",
    "ICMP_HOST_UNKNOWN",
    "ICMP_HOST_ISOLATED",
    "ICMP_NET_ANO",
    "ICMP_HOST_ANO",
    "ICMP_NET_UNR_TOS",
    "ICMP_HOST_UNR_TOS",
    "ICMP_PKT_FILTERED",
    "ICMP_PREC_VIOLATION",
    "ICMP_PREC_CUTOFF",
];
const V4_REDIRECT: [&str; 4] = ["ICMP_REDIR_NET", "ICMP_REDIR_HOST", "ICMP_REDIR_NETTOS", "ICMP_REDIR_HOSTTOS"];
const V4_TIME_EXCEEDED: [&str; 2] = ["ICMP_EXC_TTL", "ICMP_EXC_FRAGTIME"];
const V6_UNREACH: [&str; 8] = [
    "ICMP6_NO_ROUTE",
    "ICMP6_COMM_PROHIBIT",
    "ICMP6_BEYOND_SCOPE",
    "ICMP6_ADDR_UNREACH",
    "ICMP6_PORT_UNREACH",
    "ICMP6_SR_FAILED",
    "ICMP6_REJECT",
    "ICMP6_ERROR_HDR",
];
const V6_TIME_EXCEEDED: [&str; 2] = ["ICMP6_EXC_HOPS", "ICMP6_EXC_FRAGTIME"];
const V6_PARAM_PROBLEM: [&str; 3] = ["ICMP6_ERR_HDR", "ICMP6_UNRECO_NEXT_HDR", "ICMP6_UNRECO_IP6_OPT"];
/// Names of the ICMPv6 types 130 to 158 (T2 truncates the last one).
const V6_FIRST_NAMED: usize = 130;
const V6_NAMES: [&str; 29] = [
    "ICMP6_MCAST_QUERY",
    "ICMP6_MCAST_REP",
    "ICMP6_MCAST_DONE",
    "ICMP6_RTER_SOLICIT",
    "ICMP6_RTER_ADVERT",
    "ICMP6_NBOR_SOLICIT",
    "ICMP6_NBOR_ADVERT",
    "ICMP6_REDIRECT_MSG",
    "ICMP6_RTER_RENUM",
    "ICMP6_NODE_INFO_QUERY",
    "ICMP6_NODE_INFO_RESP",
    "ICMP6_INV_NBOR_DSM",
    "ICMP6_INV_NBOR_DAM",
    "ICMP6_MLD2",
    "ICMP6_ADDR_DISC_REQ",
    "ICMP6_ADDR_DISC_REP",
    "ICMP6_MOB_PREF_SOL",
    "ICMP6_MOB_PREF_ADV",
    "ICMP6_CERT_PATH_SOL",
    "ICMP6_CERT_PATH_ADV",
    "ICMP6_EXP_MOBI",
    "ICMP6_MRD_ADV",
    "ICMP6_MRD_SOL",
    "ICMP6_MRD_TERM",
    "ICMP6_FMIPV6",
    "ICMP6_RPL_CTRL",
    "ICMP6_ILNP_LOC_UP",
    "ICMP6_DUP_ADDR_REQ",
    "ICMP6_DUP_ADDR_CON",
];

/// Replies per request as T2 computes it (in `float`), 0 without requests.
pub fn echo_ratio(echo: [u64; 2]) -> f32 {
    if echo[0] == 0 { 0.0 } else { echo[1] as f32 / echo[0] as f32 }
}

/// The core's packet counts the file and the report need.
#[derive(Clone, Copy, Debug)]
pub struct CoreCounts {
    /// All packets read.
    pub packets: u64,
    /// Packets of IP protocol 1 (the core's per-protocol counter).
    pub icmp4: u64,
    /// Packets of IP protocol 58.
    pub icmp6: u64,
}

/// `<label>: <n><human> [<pct>%]` with T2's `T2_FLOG_NUMP0` rounding (a double percentage).
fn nump(out: &mut String, label: &str, n: u64, total: u64) {
    let _ = writeln!(out, "{label}: {n}{} [{:.2}%]", human(n), percent(n as f64, total as f64));
}

/// One type/code row when its count is not zero; the percentage is computed in `float`, as
/// T2's `ICMP_PERCENT`.
fn row(out: &mut String, typ: &str, code: &str, n: u64, total: u64) {
    if n > 0 {
        let pct = 100.0f32 * n as f32 / total as f32;
        let _ = writeln!(out, "{typ}\t{code}\t{n:>30} [{pct:6.2}%]");
    }
}

/// Rows of one type with a name per code.
fn rows(out: &mut String, typ: &str, codes: &[&str], counts: &[u64], total: u64) {
    for (code, &n) in codes.iter().zip(counts) {
        row(out, typ, code, n, total);
    }
}

/// The content of `PREFIX_icmpStats.txt`; `nocode` stands for "no code" (`ICMP_NOCODE`).
pub fn stats_file(tot: &Totals, set: &Settings, core: CoreCounts, nocode: &str) -> String {
    let mut out = String::new();
    let total = core.icmp4 + core.icmp6;
    nump(&mut out, "Total number of ICMP packets", total, core.packets);
    if total == 0 {
        return out;
    }
    out.push('\n');
    if core.icmp4 > 0 {
        nump(&mut out, "Number of ICMP packets", core.icmp4, core.packets);
    }
    if core.icmp6 > 0 {
        nump(&mut out, "Number of ICMPv6 packets", core.icmp6, core.packets);
    }
    out.push('\n');
    for (on, label, echo) in [(set.ipv4, "ICMP", tot.v4.echo), (set.ipv6, "ICMPv6", tot.v6.echo)] {
        let r = echo_ratio(echo);
        if on && r != 0.0 {
            let _ = writeln!(out, "{label} echo reply / request ratio: {r:5.3}");
        }
    }
    out.push('\n');
    if set.ipv4 && core.icmp4 > 0 {
        let (n, t) = (&tot.v4, core.icmp4);
        let _ = writeln!(out, "# ICMP Type\tCode\t{:>30}", "Packets");
        row(&mut out, "ICMP_ECHOREQUEST", nocode, n.echo[0], t);
        row(&mut out, "ICMP_ECHOREPLY", nocode, n.echo[1], t);
        row(&mut out, "ICMP_SOURCE_QUENCH", nocode, n.source_quench, t);
        row(&mut out, "ICMP_TRACEROUTE", nocode, n.traceroute, t);
        rows(&mut out, "ICMP_DEST_UNREACH", &V4_UNREACH, &n.dest_unreach, t);
        rows(&mut out, "ICMP_REDIRECT", &V4_REDIRECT, &n.redirect, t);
        rows(&mut out, "ICMP_TIME_EXCEEDED", &V4_TIME_EXCEEDED, &n.time_exceeded, t);
        if set.ipv6 {
            out.push('\n');
        }
    }
    if set.ipv6 && core.icmp6 > 0 {
        let (n, t) = (&tot.v6, core.icmp6);
        let _ = writeln!(out, "# ICMPv6 Type\tCode\t{:>30}", "Packets");
        row(&mut out, "ICMP6_ECHOREQUEST", nocode, n.echo[0], t);
        row(&mut out, "ICMP6_ECHOREPLY", nocode, n.echo[1], t);
        row(&mut out, "ICMP6_PKT_TOO_BIG", nocode, n.pkt_too_big, t);
        rows(&mut out, "ICMP6_DEST_UNREACH", &V6_UNREACH, &n.dest_unreach, t);
        rows(&mut out, "ICMP6_TIME_EXCEEDED", &V6_TIME_EXCEEDED, &n.time_exceeded, t);
        rows(&mut out, "ICMP6_PARAM_PROBLEM", &V6_PARAM_PROBLEM, &n.param_problem, t);
        for (typ, codes) in n.other.iter().enumerate() {
            for (code, &c) in codes.iter().enumerate().filter(|(_, c)| **c > 0) {
                match typ.checked_sub(V6_FIRST_NAMED).and_then(|i| V6_NAMES.get(i)) {
                    Some(name) => row(&mut out, name, nocode, c, t),
                    None => row(&mut out, &typ.to_string(), &code.to_string(), c, t),
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::TcMode;

    const DUAL: Settings =
        Settings { tc_mode: TcMode::BitField, tc_num: 10, fdcorr: true, parent: true, ipv4: true, ipv6: true };

    #[test]
    fn no_icmp_is_one_line() {
        let core = CoreCounts { packets: 0, icmp4: 0, icmp6: 0 };
        assert_eq!(stats_file(&Totals::default(), &DUAL, core, "-"), "Total number of ICMP packets: 0 [0.00%]\n");
    }

    #[test]
    fn traceroute_file() {
        // T2's file for ../shared/pcaps/icmp-traceroute.pcapng
        let mut tot = Totals::default();
        tot.v4.echo = [27, 3];
        tot.v4.time_exceeded[0] = 24;
        let core = CoreCounts { packets: 54, icmp4: 54, icmp6: 0 };
        let want = "Total number of ICMP packets: 54 [100.00%]\n\nNumber of ICMP packets: 54 [100.00%]\n\n\
                    ICMP echo reply / request ratio: 0.111\n\n\
                    # ICMP Type\tCode\t                       Packets\n\
                    ICMP_ECHOREQUEST\t-\t                            27 [ 50.00%]\n\
                    ICMP_ECHOREPLY\t-\t                             3 [  5.56%]\n\
                    ICMP_TIME_EXCEEDED\tICMP_EXC_TTL\t                            24 [ 44.44%]\n\n";
        assert_eq!(stats_file(&tot, &DUAL, core, "-"), want);
    }

    #[test]
    fn icmpv6_rows_named_and_numbered() {
        let mut tot = Totals::default();
        tot.v6.other[135][0] = 2;
        tot.v6.other[158][1] = 1;
        tot.v6.other[200][7] = 1;
        tot.v6.dest_unreach[4] = 1;
        let core = CoreCounts { packets: 2000, icmp4: 0, icmp6: 5 };
        let text = stats_file(&tot, &Settings { ipv4: false, ..DUAL }, core, "none");
        let tail: Vec<&str> = text.lines().skip(5).collect();
        assert_eq!(
            tail,
            [
                "# ICMPv6 Type\tCode\t                       Packets",
                "ICMP6_DEST_UNREACH\tICMP6_PORT_UNREACH\t                             1 [ 20.00%]",
                "ICMP6_NBOR_SOLICIT\tnone\t                             2 [ 40.00%]",
                "ICMP6_DUP_ADDR_CON\tnone\t                             1 [ 20.00%]",
                "200\t7\t                             1 [ 20.00%]",
            ]
        );
        assert!(
            text.starts_with("Total number of ICMP packets: 5 [0.25%]\n\nNumber of ICMPv6 packets: 5 [0.25%]\n\n\n")
        );
    }

    #[test]
    fn ratio_in_float() {
        assert_eq!(echo_ratio([0, 5]), 0.0);
        assert_eq!(format!("{:.2}", echo_ratio([27, 3])), "0.11");
        assert_eq!(echo_ratio([3, 3]), 1.0);
    }
}
