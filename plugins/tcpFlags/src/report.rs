//! End report (`t2PluginReport`) and monitoring (`t2Monitoring`) of tcpFlags.

use plugin_api::fmt::human;
use plugin_api::{MonState, Monitor, Report};

use crate::config::Config;
use crate::state::Totals;

/// The five aggregated fields, each only when non-zero.
fn aggregates(tot: &Totals, r: &Report) {
    r.aggr("ipFlags", u64::from(tot.ip_flags), 2);
    r.aggr("tcpFStat", u64::from(tot.stat), 2);
    r.aggr("tcpFlags", u64::from(tot.tcp_flags), 2);
    r.aggr("tcpAnomaly", u64::from(tot.anomaly), 2);
    r.aggr("ipToS", u64::from(tot.tos), 1);
}

fn scans_line(r: &Report, scans: u64, ok: u64) {
    // 0.9.3 prints `inf` when only successful scans were counted
    let pct = 100.0 * ok as f64 / scans as f64;
    r.line(&format!(
        "Number of TCP scans attempted, successful: {scans}{}, {ok}{} [{pct:.2}%]",
        human(scans),
        human(ok)
    ));
}

fn retries_line(r: &Report, syn: u64, seq: u64) {
    r.line(&format!("Number of TCP SYN retries, seq retries: {syn}{}, {seq}{}", human(syn), human(seq)));
}

/// The end-report lines.
pub fn end_report(cfg: &Config, tot: &Totals, num_packets: u64, r: &Report) {
    aggregates(tot, r);
    if tot.scans != 0 || tot.scans_ok != 0 {
        scans_line(r, tot.scans, tot.scans_ok);
    }
    if tot.seq_retries != 0 || tot.syn_retries != 0 {
        retries_line(r, tot.syn_retries, tot.seq_retries);
    }
    if tot.win_below_min != 0 && tot.tcp_pkts != 0 {
        let n = tot.win_below_min;
        let pct = 100.0 * n as f64 / tot.tcp_pkts as f64;
        r.line(&format!("Number WinSz below {}: {n}{} [{pct:.2}%]", cfg.winmin, human(n)));
    }
    if cfg.mptcp && tot.mptcp_opts != 0 {
        r.line(&format!("Aggregated MPTCP subtypes: tcpMPTBF=0x{:04x}", tot.mp_subtypes));
        r.line(&format!("Aggregated MPTCP flags: tcpMPF=0x{:02x}", tot.mp_flags));
        r.nump("Number of MPTCP packets", tot.mptcp_opts, num_packets);
    }
}

/// The monitoring columns: the four aggregated fields, then scans and retransmissions since
/// the previous report (or since the start without `DIFF_REPORT`).
pub fn monitoring(tot: &mut Totals, mon: &Monitor, state: MonState) {
    match state {
        MonState::Header => {
            for name in [
                "ipFlags",
                "tcpFStat",
                "tcpFlags",
                "tcpAnomaly",
                "tcpScan",
                "tcpSuccScan",
                "tcpSynRetries",
                "tcpSeqRetries",
            ] {
                mon.field(name);
            }
            return;
        }
        MonState::Values => {
            for v in [tot.ip_flags, tot.stat, tot.tcp_flags, tot.anomaly] {
                mon.field(format_args!("0x{v:x}"));
            }
            mon.field(tot.scans - tot.scans0);
            mon.field(tot.scans_ok - tot.scans_ok0);
            mon.field(tot.syn_retries - tot.syn_retries0);
            mon.field(tot.seq_retries - tot.seq_retries0);
        }
        MonState::Report => {
            let r = mon.report();
            aggregates(tot, &r);
            // 0.9.3 prints each line when its second (resp. first) figure changed
            if tot.scans_ok != tot.scans_ok0 {
                scans_line(&r, tot.scans - tot.scans0, tot.scans_ok - tot.scans_ok0);
            }
            if tot.syn_retries != tot.syn_retries0 {
                retries_line(&r, tot.syn_retries - tot.syn_retries0, tot.seq_retries - tot.seq_retries0);
            }
        }
    }
    if mon.diff() {
        tot.scans0 = tot.scans;
        tot.scans_ok0 = tot.scans_ok;
        tot.seq_retries0 = tot.seq_retries;
        tot.syn_retries0 = tot.syn_retries;
    }
}
