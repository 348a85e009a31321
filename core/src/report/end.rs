//! The end-of-run report (core.md §7.3), line for line as T2 prints it.

use core::cell::RefCell;

use plugin_api::abi::{Globals, Timestamp, mon_state};
use plugin_api::fmt::{human, human_f64, human_unit, percent};
use plugin_api::status::*;
use plugin_api::wire::{ethertype, ipproto};

use super::sys;
use crate::log::Log;
use crate::pipeline::Pipeline;
use crate::time::{Span, sub};

/// What the report says about the input.
#[derive(Debug, Clone, Copy)]
pub enum InputStats {
    /// A file or a list of files: total size and number of files (percentage line).
    Files {
        /// Total size in bytes (0: unknown, no percentage).
        size: u64,
        /// Number of files.
        count: u64,
    },
    /// Standard input: no percentage, no pcap bytes.
    Stream,
    /// A live interface: libpcap's counters.
    Live {
        /// Packets received.
        recv: u64,
        /// Dropped by the kernel.
        drop: u64,
        /// Dropped by the interface.
        ifdrop: u64,
    },
}

/// Globals as the line "Aggregated flowStat" and the warning list need them.
pub fn global_warn_lines(log: &mut Log, gw: u64) {
    const WARN: &[(u64, &str)] = &[
        (L2SNAPLENGTH, "L2 header snapped"),
        (L3SNAPLENGTH, "L3 SnapLength < Length in IP header"),
        (L3HDRSHRTLEN, "L3 header snapped"),
        (L4HDRSHRTLEN, "L4 header snapped"),
        (LANDATTACK, "Land attack"),
        (TIMEJUMP, "Timestamp jump, probably due to multi-path packet delay or NTP operation"),
        (DUPIPID, "Consecutive duplicate IP ID"),
        (PCAPSNPD, "PCAP packet length > IO_BUFFER_MAX_MTU, caplen reduced"),
        (HDOVRN, "Header description overrun"),
        (L3_IPVX, "IPvX L3 header bogus packets"),
        (IPV4_HL_TOO_SHORT, "IPv4 header length < 20 bytes"),
        (IP_PL_MSMTCH, "IPv4/6 payload length > framing length"),
        (IPV4_FRAG_HDSEQ_ERR, "IPv4/6 fragmentation header packet missing"),
        (IPV4_FRAG_PENDING, "IPv4/6 packet fragmentation sequence not finished"),
    ];
    const INFO: &[(u64, &str)] = &[
        (STPDSCT, "Stop dissecting: Clipped packet, unhandled protocol or subsequent fragment"),
        (L2_FLOW, "Layer 2 flows"),
        (LAPD_FLOW, "LAPD flows"),
        (L2_IPV4 | FS_IPV4_PKT, "IPv4 flows"),
        (L2_IPV6 | FS_IPV6_PKT, "IPv6 flows"),
        (L4_SCTP, "SCTP"),
        (L2_NO_ETH, "No Ethernet header"),
        (L2_ARP, "ARP"),
        (L2_RARP, "RARP"),
        (L2_LLDP, "LLDP"),
        (L3_ETHIPF, "EtherIP"),
        (L2_VLAN, "VLAN encapsulation"),
        (FS_VLAN0, "VLAN ID 0 (priority tag)"),
        (IPV4_FRAG, "IPv4/6 fragmentation"),
        (L3_IPIP, "IPv4/6 in IPv4/6"),
        (L3_VXLAN, "VXLAN encapsulation"),
        (L3_GENEVE, "GENEVE encapsulation"),
        (L2_MPLS, "MPLS encapsulation"),
        (L2_L2TP, "L2TP encapsulation"),
        (L2_PPP, "PPP/HDLC encapsulation"),
        (L2_GRE, "GRE encapsulation"),
        (L2_ERSPAN, "ERSPAN encapsulation"),
        (L2_WCCP, "WCCP encapsulation"),
        (L3_AYIYA, "AYIYA tunnel"),
        (L3_GTP, "GTP tunnel"),
        (L3_TRDO, "Teredo tunnel"),
        (L3_CAPWAP, "CAPWAP/LWAPP tunnel"),
        (L3_IPSEC_AH, "IPsec AH"),
        (L3_IPSEC_ESP, "IPsec ESP"),
        (L4_UPNP, "SSDP/UPnP"),
        (L7_SIPRTP, "SIP/RTP"),
        (L7_DTLS, "DTLS"),
        (TORADD, "Tor addresses"),
        (FL_ALARM, "IPAlarm"),
    ];
    for (bit, text) in WARN {
        if gw & bit != 0 {
            log.warn(text);
        }
    }
    for (bit, text) in INFO {
        if gw & bit != 0 {
            log.info(text);
        }
    }
}

/// `label: %.0f b/s<h>` with the bandwidth in bits per second.
fn speed(log: &mut Log, label: &str, bytes_per_s: f64) {
    let bits = bytes_per_s * 8.0;
    log.line(format_args!("{label}: {bits:.0} b/s{}", human_unit(bits, "b/s")));
}

/// `label: %.2f<h>` of a ratio.
fn ratio(log: &mut Log, label: &str, x: f64) {
    log.line(format_args!("{label}: {x:.2}{}", human_f64(x)));
}

/// `Percentage completed: p%` of `files` files of `size` bytes in all (T2_LOG_PERCENT).
pub fn percent_line(log: &mut Log, g: &Globals, files: u64, size: u64) {
    let done = 24 * files + g.bytes_processed + 16 * g.num_packets;
    let pct = f64::from(100.0f32 * done as f32) / size as f64;
    log.line(format_args!("Percentage completed: {pct:.2}%"));
}

/// Prints the end report (items 1-22) to the log; `elapsed` is the wall time since start.
pub fn print(p: &mut Pipeline, input: InputStats, elapsed: Timestamp, plugin_report: bool) {
    // as for every report: plugins compute their percentages of all flows from it
    p.g.total_flows = p.g.total_a_flows + p.g.total_b_flows;
    let streams = p.streams.clone();
    let mut log = streams.log.borrow_mut();
    log.line(format_args!("Finished unloading flow memory. Time: {}", Span(elapsed)));
    match input {
        InputStats::Files { size, count } if size > 0 => percent_line(&mut log, &p.g, count, size),
        InputStats::Live { recv, drop, ifdrop } => {
            let tot = recv + drop + ifdrop;
            log.nump("Number of packets received", recv, tot);
            log.nump("Number of packets dropped by the kernel", drop, tot);
            log.nump("Number of packets dropped by the interface", ifdrop, tot);
        }
        _ => {}
    }
    drop(log);
    let pcap_bytes = match input {
        InputStats::Files { size, .. } => Some(size),
        _ => None,
    };
    body(p, &streams.log, pcap_bytes, false, plugin_report);
}

/// The counters of the end report and of the human monitoring report (items 3-22), from
/// "Number of processed packets" on. Every counter is printed as `x − x0`: the snapshots are
/// zero in absolute mode and at the end (see `monitor::reset_snapshots`). `monitoring` selects
/// the monitoring variant: duration since the last report, the plugins' monitoring callback
/// (state 2) instead of their report, and the hash map's fill size.
pub fn body(p: &mut Pipeline, out: &RefCell<Log>, pcap_bytes: Option<u64>, monitoring: bool, plugin_report: bool) {
    let g = &*p.g;
    let d = |x: u64, x0: u64| x.wrapping_sub(x0);
    let duration = sub(g.act_time, if monitoring { g.start_time0 } else { g.start_time });
    let mut log = out.borrow_mut();
    let pk = d(g.num_packets, g.num_packets0);
    let bytes = d(g.bytes_processed, g.bytes_processed0);
    log.num("Number of processed packets", pk);
    log.num("Number of processed bytes", bytes);
    log.num("Number of raw bytes", d(g.raw_bytes_on_wire, g.raw_bytes_on_wire0));
    log.num("Number of pad bytes", d(g.pad_bytes_on_wire, g.pad_bytes_on_wire0));
    if let Some(size) = pcap_bytes {
        log.num("Number of pcap bytes", size);
    }
    log.nump("Number of L2 packets", d(g.num_l2_packets, g.num_l2_packets0), pk);
    log.nump("Number of IPv4 packets", d(g.num_v4_packets, g.num_v4_packets0), pk);
    log.nump("Number of IPv6 packets", d(g.num_v6_packets, g.num_v6_packets0), pk);
    log.nump("Number of IPvX packets", d(g.num_vx_packets, g.num_vx_packets0), pk);
    let a_packets = d(g.num_a_packets, g.num_a_packets0);
    let b_packets = d(g.num_b_packets, g.num_b_packets0);
    let a_bytes = d(g.num_a_bytes, g.num_a_bytes0);
    let b_bytes = d(g.num_b_bytes, g.num_b_bytes0);
    let ab_packets = a_packets + b_packets;
    let ab_bytes = a_bytes + b_bytes;
    if pk != ab_packets && ab_packets > 0 {
        log.nump("Number of packets without flow", pk - ab_packets, pk);
    }
    log.nump("Number of A packets", a_packets, ab_packets);
    log.nump("Number of B packets", b_packets, ab_packets);
    log.nump("Number of A bytes", a_bytes, ab_bytes);
    log.nump("Number of B bytes", b_bytes, ab_bytes);
    let load = |bytes: u64, pkts: u64| if pkts > 0 { bytes as f64 / pkts as f64 } else { 0.0 };
    ratio(&mut log, "<A packet load>", load(a_bytes, a_packets));
    ratio(&mut log, "<B packet load>", load(b_bytes, b_packets));
    let dashes = "-".repeat(80);
    if plugin_report {
        log.line(&dashes);
        drop(log);
        if monitoring {
            p.plugins.monitoring(&p.g, p.table.records(), mon_state::REPORT);
        } else {
            p.plugins.report(&p.g, p.table.records());
        }
        log = out.borrow_mut();
    }
    let g = &*p.g;
    log.line(&dashes);
    log.line(format_args!("Headers count: min: {}, max: {}, avg: {:.2}", p.hdr.min, p.hdr.max, p.hdr.avg));
    let gw = g.global_warn.get();
    if gw & L2_VLAN != 0 {
        log.line(format_args!("Max VLAN header count: {}", p.dstats.vlan_max));
    }
    if gw & L2_MPLS != 0 {
        log.line(format_args!("Max MPLS header count: {}", p.dstats.mpls_max));
    }
    let l2 = |et: u16| d(p.l2.pkts[usize::from(et)], p.l2.pkts0[usize::from(et)]);
    log.nump("Number of LLC packets", d(g.num_llc_packets, g.num_llc_packets0), pk);
    log.nump("Number of ARP packets", l2(ethertype::ARP), pk);
    log.nump("Number of RARP packets", l2(ethertype::RARP), pk);
    log.nump("Number of GRE packets", d(g.num_gre_packets, g.num_gre_packets0), pk);
    log.nump("Number of LAPD packets", d(g.num_lapd_packets, g.num_lapd_packets0), pk);
    log.nump("Number of Teredo packets", d(g.num_teredo_packets, g.num_teredo_packets0), pk);
    log.nump("Number of AYIYA packets", d(g.num_ayiya_packets, g.num_ayiya_packets0), pk);
    let l3 = |p: u8| d(g.pkts_l3[usize::from(p)], g.pkts_l3_0[usize::from(p)]);
    let l3b = |p: u8| d(g.bytes_l3[usize::from(p)], g.bytes_l3_0[usize::from(p)]);
    log.nump("Number of IGMP packets", l3(ipproto::IGMP), pk);
    log.nump("Number of ICMP packets", l3(ipproto::ICMP), pk);
    log.nump("Number of ICMPv6 packets", l3(ipproto::ICMP6), pk);
    log.nump("Number of TCP packets", l3(ipproto::TCP), pk);
    log.nump("Number of TCP bytes", l3b(ipproto::TCP), bytes);
    log.nump("Number of UDP packets", l3(ipproto::UDP), pk);
    log.nump("Number of UDP bytes", l3b(ipproto::UDP), bytes);
    if gw & L4_SCTP != 0 {
        log.nump("Number of SCTP packets", l3(ipproto::SCTP), pk);
        log.nump("Number of SCTP bytes", l3b(ipproto::SCTP), bytes);
    }
    log.nump("Number of DTLS packets", d(g.num_dtls_packets, g.num_dtls_packets0), pk);
    let v4 = d(g.num_v4_packets, g.num_v4_packets0);
    let v6 = d(g.num_v6_packets, g.num_v6_packets0);
    log.nump("Number of IPv4 fragmented packets", d(g.num_frag_v4_packets, g.num_frag_v4_packets0), v4);
    log.nump("Number of IPv6 fragmented packets", d(g.num_frag_v6_packets, g.num_frag_v6_packets0), v6);
    let tildes = "~".repeat(80);
    log.line(&tildes);
    let a_flows = d(g.total_a_flows, g.total_a_flows0);
    let b_flows = d(g.total_b_flows, g.total_b_flows0);
    let flows = a_flows + b_flows;
    if flows > 0 {
        let f = flows as f64;
        let a = a_flows as f64;
        let b = b_flows as f64;
        let corr = d(g.corr_repl_flows, g.corr_repl_flows0) as f64;
        let req = a - corr;
        let rep = b + corr;
        log.num0("Number of processed      flows", flows);
        log.nump("Number of processed L2   flows", d(g.total_l2_flows, g.total_l2_flows0), flows);
        log.nump("Number of processed IPv4 flows", d(g.total_ipv4_flows, g.total_ipv4_flows0), flows);
        log.nump("Number of processed IPv6 flows", d(g.total_ipv6_flows, g.total_ipv6_flows0), flows);
        log.nump("Number of processed A    flows", a_flows, flows);
        log.nump("Number of processed B    flows", b_flows, flows);
        log.nump_f("Number of request        flows", req.max(0.0) as u64, f);
        log.nump_f("Number of reply          flows", rep as u64, f);
        log.line(format_args!("Total   A/B    flow asymmetry: {:.2}", (a - b) / f));
        log.line(format_args!("Total req/rply flow asymmetry: {:.2}", (req - rep) / f));
        if ab_packets > 0 {
            ratio(&mut log, "Number of processed A+B packets/A+B flows", ab_packets as f64 / f);
        }
        if a > 0.0 {
            ratio(&mut log, "Number of processed A   packets/A   flows", a_packets as f64 / a);
        }
        if b > 0.0 {
            ratio(&mut log, "Number of processed   B packets/  B flows", b_packets as f64 / b);
        }
    }
    let secs = duration.sec as f64 + duration.frac as f64 / 1e9;
    if secs > 0.0 {
        ratio(&mut log, "Number of processed total packets/s", pk as f64 / secs);
        if ab_packets > 0 {
            ratio(&mut log, "Number of processed A+B   packets/s", ab_packets as f64 / secs);
            if a_packets > 0 {
                ratio(&mut log, "Number of processed A     packets/s", a_packets as f64 / secs);
            }
            if b_packets > 0 {
                ratio(&mut log, "Number of processed   B   packets/s", b_packets as f64 / secs);
            }
        }
    }
    log.line(&tildes);
    if secs > 0.0 {
        ratio(&mut log, "<Number of processed flows/s>", flows as f64 / secs);
        speed(&mut log, "<Bandwidth>", d(g.bytes_on_wire, g.bytes_on_wire0) as f64 / secs);
        if gw & SNAPLENGTH != 0 {
            speed(&mut log, "<Snapped bandwidth>", bytes as f64 / secs);
        }
        speed(&mut log, "<Raw bandwidth>", d(g.raw_bytes_on_wire, g.raw_bytes_on_wire0) as f64 / secs);
    }
    let capacity = p.table.capacity() as u64;
    if monitoring {
        let fill = p.table.len() as u64;
        let pct = f64::from(100.0f32 * fill as f32) / capacity as f64;
        log.line(format_args!("Fill size of main hash map: {fill} [{pct:.2}%]"));
    }
    log.nump("Max number of flows in memory", g.max_num_flows_peak, capacity);
    log.nump("Number of flows terminated by autopilot", d(g.total_rm_flows, g.total_rm_flows0), flows);
    let rss = sys::peak_rss_kb() as f64;
    let total = sys::mem_total_bytes() as f64;
    log.line(format_args!(
        "Memory usage: {:.2} GB [{:.2}%]",
        rss / 1e6,
        if total > 0.0 { f64::from(100.0f32) * (rss * 1000.0) / total } else { 0.0 }
    ));
    log.line(format_args!("Aggregated flowStat=0x{gw:016x}"));
    if g.num_alarms > 0 {
        let alarms = d(g.num_alarms, g.num_alarms0);
        let alarm_flows = d(g.num_alarm_flows, g.num_alarm_flows0);
        log.warn(&format!(
            "{}{} alarms in {}{} flows [{:.2}%]",
            alarms,
            human(alarms),
            alarm_flows,
            human(alarm_flows),
            percent(alarm_flows as f64, flows as f64)
        ));
    }
    global_warn_lines(&mut log, gw);
    log.flush();
}
