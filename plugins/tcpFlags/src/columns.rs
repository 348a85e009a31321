//! The flow columns: their declaration and the values of an ending flow (`t2OnFlowTerminate`).

use plugin_api::abi::Timestamp;
use plugin_api::status::IPV4_FRAG_ERR;
use plugin_api::{Flow, Output};

use crate::analyse::SCAN_MAX_PKTS;
use crate::bits::{anomaly, fstat, tcp};
use crate::config::{Config, TosFormat};
use crate::state::{FlowState, Totals};

/// One column: name, description, type signature.
pub type Spec = (&'static str, &'static str, &'static str);

/// The columns of the configuration `cfg`, in output order.
pub fn specs(cfg: &Config) -> Vec<Spec> {
    let mut c: Vec<Spec> = vec![
        ("tcpFStat", "tcpFlags status", "H16"),
        ("ipMindIPID", "IP minimum delta IP ID", "U16"),
        ("ipMaxdIPID", "IP maximum delta IP ID", "U16"),
        ("ipMinTTL", "IP minimum TTL", "U8"),
        ("ipMaxTTL", "IP maximum TTL", "U8"),
        ("ipTTLChg", "IP TTL change count", "U8"),
    ];
    c.push(match cfg.tos() {
        TosFormat::Hex => ("ipToS", "IP Type of Service hex", "H8"),
        TosFormat::DscpEcn => ("ipToSDscp_ecn", "IP Type of Service: DSCP and ECN decimal", "U8_U8"),
        TosFormat::PrecEcn => ("ipToSPrec_ecn", "IP Type of Service: Precedence and ECN", "U8_U8"),
    });
    c.extend([
        ("ipFlags", "IP aggregated flags", "H16"),
        ("ipOptCnt", "IP options count", "U16"),
        ("ipOptCpCl_Num", "IP aggregated options, copy-class and number", "H8_H32"),
        ("ip6OptCntHH_D", "IPv6 Hop-by-Hop destination option counts", "U16_U16"),
        ("ip6OptHH_D", "IPv6 aggregated Hop-by-Hop destination options", "H32_H32"),
    ]);
    if cfg.seq_ack_num {
        c.extend([
            ("tcpISeqN", "TCP initial sequence number", "U32"),
            ("tcpPSeqCnt", "TCP packet seq count", "U16"),
            ("tcpSeqSntBytes", "TCP sent seq diff bytes", "U64"),
            ("tcpSeqFaultCnt", "TCP sequence number fault count", "U16"),
            ("tcpPAckCnt", "TCP packet ACK count", "U16"),
            ("tcpFlwLssAckRcvdBytes", "TCP flawless ACK received bytes", "U64"),
            ("tcpAckFaultCnt", "TCP ACK number fault count", "U16"),
            ("tcpBFlgtMx", "TCP Bytes in Flight MAX", "U32"),
        ]);
    }
    if cfg.windowsize {
        c.extend([
            ("tcpInitWinSz", "TCP initial effective window size", "U32"),
            ("tcpAvgWinSz", "TCP average effective window size", "F"),
            ("tcpMinWinSz", "TCP minimum effective window size", "U32"),
            ("tcpMaxWinSz", "TCP maximum effective window size", "U32"),
            ("tcpWinSzDwnCnt", "TCP effective window size change down count", "U16"),
            ("tcpWinSzUpCnt", "TCP effective window size change up count", "U16"),
            ("tcpWinSzChgDirCnt", "TCP effective window size direction change count", "U16"),
            ("tcpWinSzThRt", "TCP packet count ratio below window size WINMIN threshold", "F"),
        ]);
    }
    c.extend([
        (
            "tcpFlags",
            "TCP aggregated protocol flags (FIN-ACK, SYN-ACK, RST-ACK, CWR, ECE, URG, ACK, PSH, RST, SYN, FIN)",
            "H16",
        ),
        ("tcpAnomaly", "TCP aggregated header anomaly flags", "H16"),
    ]);
    if cfg.tcpflgcnt {
        c.push((
            "tcpCntF_S_R_P_A_U_E_C_FA_SA_RA_N_SF_SFR_RF_X",
            "TCP flags counts",
            "U16_U16_U16_U16_U16_U16_U16_U16_U16_U16_U16_U16_U16_U16_U16_U16",
        ));
    }
    if cfg.tcpja4t {
        c.push(("tcpJA4T", "TCP JA4T/JA4TS fingerprint", "SC"));
    }
    c.extend([
        ("tcpOptPktCnt", "TCP options packet count", "U16"),
        ("tcpOptCnt", "TCP options count", "U16"),
        ("tcpOptions", "TCP aggregated options", "H32"),
        ("tcpMSS", "TCP maximum segment size", "U16"),
        ("tcpWS", "TCP window scale", "U16"),
    ]);
    if cfg.mptcp {
        c.extend([
            ("tcpMPTBF", "TCP MPTCP type bitfield", "H16"),
            ("tcpMPF", "TCP MPTCP flags", "H8"),
            ("tcpMPAID", "TCP MPTCP address ID", "U8"),
            ("tcpMPDSSF", "TCP MPTCP DSS flags", "H8"),
        ]);
    }
    if cfg.nat_bt_est {
        c.extend([
            ("tcpTmS", "TCP time stamp", "U32"),
            ("tcpTmER", "TCP time echo reply", "U32"),
            ("tcpEcI", "TCP estimated counter increment", "F"),
            ("tcpUtm", "TCP estimated up time", "D"),
            ("tcpBtm", "TCP estimated boot time", "TS"),
        ]);
    }
    if cfg.rtt_estimate {
        c.extend([
            ("tcpSSASAATrip", "TCP trip time (A: SYN, SYN-ACK, B: SYN-ACK, ACK)", "F"),
            ("tcpRTTAckTripMin", "TCP ACK trip min", "F"),
            ("tcpRTTAckTripMax", "TCP ACK trip max", "F"),
            ("tcpRTTAckTripAvg", "TCP ACK trip average", "F"),
            ("tcpRTTAckTripJitAvg", "TCP ACK trip jitter average", "F"),
            ("tcpRTTSseqAA", "TCP round trip time (A: SYN, SYN-ACK, ACK, B: ACK-ACK)", "F"),
            ("tcpRTTAckJitAvg", "TCP ACK round trip average jitter", "F"),
        ]);
    }
    c
}

/// Ends `flow`: aggregates it into `tot`, runs the scan detector, and writes its columns.
pub fn terminate(
    cfg: &Config,
    tsfac: f64,
    tot: &mut Totals,
    flow: &Flow<'_>,
    p: &mut FlowState,
    mut po: Option<&mut FlowState>,
    out: &mut Output<'_>,
) {
    tot.ip_flags |= p.ip_flags;
    tot.tos |= p.tos;
    tot.stat |= p.stat;
    tot.tcp_flags |= p.tcp_flags;
    tot.anomaly |= p.anomaly;

    if cfg.scan_detector {
        detect_scan(tot, p, po.as_deref_mut());
    }
    // after the aggregation: the run's ipFlags never show this bit from here
    if cfg.frag_analyze && flow.status() & IPV4_FRAG_ERR != 0 {
        p.ip_flags |= crate::bits::ip::FRAG_SEQ_ERR;
    }

    out.u16(p.stat);
    out.u16(p.ip_id_min_diff);
    out.u16(p.ip_id_max_diff);
    out.u8(p.ttl_min);
    out.u8(p.ttl_max);
    out.u8(p.ttl_changes);
    match cfg.tos() {
        TosFormat::Hex => out.u8(p.tos),
        TosFormat::DscpEcn => {
            out.u8(p.tos >> 2);
            out.u8(p.tos & 0x03);
        }
        TosFormat::PrecEcn => {
            out.u8(p.tos >> 5);
            out.u8(p.tos & 0x03);
        }
    }
    out.u16(p.ip_flags);
    out.u16(p.ip_opt_cnt);
    out.u8(p.ip_opt_cpcl);
    out.u32(p.ip_opts);
    out.u16(p.ip6_hh_cnt);
    out.u16(p.ip6_d_cnt);
    out.u32(p.ip6_hh_opts);
    out.u32(p.ip6_d_opts);

    if cfg.seq_ack_num {
        out.u32(p.seq_init);
        out.u16(p.seq_good);
        out.u64(p.seq_bytes as u64);
        out.u16(p.seq_faults);
        out.u16(p.ack_pkts);
        out.u64(p.ack_bytes as u64);
        out.u16(p.ack_faults);
        out.u32(p.in_flight_max);
    }
    if cfg.windowsize {
        out.u32(p.win_init);
        out.f32(p.win_avg);
        out.u32(p.win_min);
        out.u32(p.win_max);
        out.u16(p.win_down);
        out.u16(p.win_up);
        out.u16(p.win_dir_changes);
        out.f32(if p.tcp_pkts != 0 { p.win_below_min as f32 / p.tcp_pkts as f32 } else { 0.0 });
    }
    out.u16(p.tcp_flags);
    out.u16(p.anomaly);
    if cfg.tcpflgcnt {
        for c in p.flag_counts {
            out.u16(c);
        }
    }
    // 0.9.3 tests the run's aggregated status, not the flow's, for window scaling
    let scaled = tot.stat & fstat::WS_USED != 0;
    if cfg.tcpja4t {
        out.str(ja4t(p, scaled).as_bytes());
    }
    out.u16(p.opt_pkts);
    out.u16(p.opt_cnt);
    out.u32(p.tcp_opts);
    out.u16(p.mss);
    out.u16(if scaled { (1u32 << (p.ws_shift & 31)) as u16 } else { 0 });

    if cfg.mptcp {
        tot.mp_subtypes |= p.mp_subtypes;
        tot.mp_flags |= p.mp_flags;
        out.u16(p.mp_subtypes);
        out.u8(p.mp_flags);
        out.u8(p.mp_addr_id);
        out.u8(p.mp_dss_flags);
    }
    if cfg.nat_bt_est {
        out.u32(p.ts_val);
        out.u32(p.ts_ecr);
        let (tick, uptime) = uptime(p, tsfac);
        out.f32(tick);
        out.f64(uptime);
        let (sec, frac) = boot_time(p.ts_last_time, uptime, tsfac);
        out.time(sec, frac);
    }
    if cfg.rtt_estimate {
        out.f32(p.trip);
        out.f32(p.ack_trip_min);
        out.f32(p.ack_trip_max);
        out.f32(p.ack_trip_avg);
        out.f32(f64::from(p.ack_trip_var).sqrt() as f32);
        let po = po.as_deref();
        out.f32(match po {
            None => 0.0,
            Some(po) if flow.is_b() => p.ack_trip_avg + po.ack_trip_avg,
            Some(po) => p.trip + po.trip,
        });
        out.f32(match po {
            Some(po) if flow.is_b() => f64::from(p.ack_trip_var + po.ack_trip_var).sqrt() as f32,
            _ => 0.0,
        });
    }
}

/// Scan detection at flow end: few packets with SYN, FIN or a scan combination and no SYN
/// retransmission; a reply to a scan makes it successful (marked on both flows).
fn detect_scan(tot: &mut Totals, p: &mut FlowState, po: Option<&mut FlowState>) {
    if p.anomaly & anomaly::SYN_RETRY != 0 || p.tcp_flags & (tcp::SYN | tcp::FIN | tcp::SCAN) == 0 {
        return;
    }
    let marked = anomaly::SCAN | anomaly::SCAN_SUCCESS;
    if p.scan_pkts < SCAN_MAX_PKTS && p.anomaly & marked == 0 {
        p.anomaly |= anomaly::SCAN;
        tot.scans += 1;
    }
    let Some(po) = po else { return };
    let open = |s: &FlowState| s.anomaly & anomaly::SCAN != 0 && s.anomaly & anomaly::SCAN_SUCCESS == 0;
    if open(p) || (open(po) && p.scan_pkts < SCAN_MAX_PKTS && po.scan_pkts < SCAN_MAX_PKTS) {
        p.anomaly |= anomaly::SCAN_SUCCESS;
        po.anomaly |= anomaly::SCAN_SUCCESS;
        tot.scans_ok += 1;
    }
}

/// The estimated timestamp clock period (`tcpEcI`) and up time (`tcpUtm`).
fn uptime(p: &FlowState, tsfac: f64) -> (f32, f64) {
    if p.tcp_opts & (1 << 8) == 0 {
        return (0.0, 0.0);
    }
    let (sec, frac) = timersub(p.ts_last_time, p.ts_first_time.sec, p.ts_first_time.frac);
    let mut tick = (sec as f64 + frac as f64 / tsfac) as f32;
    let ticks = p.ts_val.wrapping_sub(p.ts_val_init);
    if ticks != 0 {
        tick /= ticks as f32;
        // snapped to the common clocks: Cisco/Windows, Linux, Linux, Solaris, OpenBSD, other
        tick = match f64::from(tick) {
            t if t < 0.002 => 0.001,
            t if t < 0.005 => 0.004,
            t if t < 0.02 => 0.01,
            t if t < 0.7 => 0.1,
            _ => 1.0,
        };
    } else {
        // no progress: guess the system from its TTL
        tick = match p.ttl_min {
            128.. => 0.1,
            64.. => 0.004,
            33.. => 0.01,
            _ => 0.001,
        };
    }
    (tick, f64::from(p.ts_val) * f64::from(tick))
}

/// Boot time = time of the last timestamped packet − up time, with the up time split into
/// seconds and a fraction.
fn boot_time(last: Timestamp, uptime: f64, tsfac: f64) -> (u64, u32) {
    let up_sec = uptime as u64;
    let up_frac = ((uptime - up_sec as f64) * tsfac) as u32;
    let (sec, frac) = timersub(last, up_sec as i64, i64::from(up_frac));
    // as T2 stores them: a still negative fraction wraps
    (sec as u64, frac as u32)
}

/// glibc's `timersub` on nanosecond fractions: a negative fraction borrows one second but gains
/// only 1 000 000 (it was written for microseconds).
fn timersub(a: Timestamp, b_sec: i64, b_frac: i64) -> (i64, i64) {
    let mut sec = a.sec.wrapping_sub(b_sec);
    let mut frac = a.frac - b_frac;
    if frac < 0 {
        sec -= 1;
        frac += 1_000_000;
    }
    (sec, frac)
}

/// The JA4T fingerprint: `<initial window>_<option kinds>_<MSS>_<window scale>`, where, as in
/// 0.9.3, the MSS overwrites the `_` after the kinds.
fn ja4t(p: &FlowState, scaled: bool) -> Ja4tText {
    let mut s = Ja4tText::default();
    s.num(p.win_init);
    s.push("_");
    let n = usize::from(p.syn_opts_cnt).min(p.syn_opts.len());
    if n == 0 {
        s.push("00_");
    } else {
        for &kind in &p.syn_opts[..n] {
            s.num(kind);
            s.push("-");
        }
        s.len -= 1;
    }
    // at least two digits
    if p.mss < 10 {
        s.push("0");
    }
    s.num(p.mss);
    s.push("_");
    if scaled {
        s.num(p.ws_shift);
    } else {
        s.push("00");
    }
    s
}

/// The text of a JA4T fingerprint, on the stack; as long as T2's buffer allows.
struct Ja4tText {
    buf: [u8; JA4T_TEXT_MAX],
    len: usize,
}

/// T2's buffer holds `JA4TOPTMX * 4` characters.
const JA4T_TEXT_MAX: usize = crate::config::JA4T_CAPACITY * 4;

impl Default for Ja4tText {
    fn default() -> Self {
        Ja4tText { buf: [0; JA4T_TEXT_MAX], len: 0 }
    }
}

impl Ja4tText {
    fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// Appends `s`, cut where the buffer ends (a literal that fits is a fixed-size copy).
    #[inline(always)]
    fn push(&mut self, s: &str) {
        let end = self.len + s.len();
        if end <= JA4T_TEXT_MAX {
            self.buf[self.len..end].copy_from_slice(s.as_bytes());
            self.len = end;
        } else {
            let n = JA4T_TEXT_MAX - self.len;
            self.buf[self.len..].copy_from_slice(&s.as_bytes()[..n]);
            self.len = JA4T_TEXT_MAX;
        }
    }

    /// Appends `v` in decimal (with itoa: `write!` cost more than all of a flow's other
    /// columns).
    fn num(&mut self, v: impl itoa::Integer) {
        self.push(itoa::Buffer::new().format(v));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::JA4T_CAPACITY;

    /// Text cut where T2's buffer ends, written through `core::fmt`.
    #[derive(Default)]
    struct Cut(String);

    impl core::fmt::Write for Cut {
        fn write_str(&mut self, s: &str) -> core::fmt::Result {
            let n = s.len().min(JA4T_TEXT_MAX - self.0.len());
            self.0.push_str(&s[..n]);
            Ok(())
        }
    }

    /// The fingerprint as `write!` wrote it before itoa did: the same pieces, each cut at the
    /// buffer's end, and the last option's '-' taken back (0.9.3 writes no '_' between the
    /// option kinds and the MSS).
    fn formatted(p: &FlowState, scaled: bool) -> String {
        use core::fmt::Write;
        let mut s = Cut::default();
        let _ = write!(s, "{}_", p.win_init);
        let n = usize::from(p.syn_opts_cnt).min(p.syn_opts.len());
        if n == 0 {
            let _ = s.write_str("00_");
        } else {
            for kind in &p.syn_opts[..n] {
                let _ = write!(s, "{kind}-");
            }
            s.0.pop();
        }
        let _ = write!(s, "{:02}_", p.mss);
        let _ = if scaled { write!(s, "{}", p.ws_shift) } else { s.write_str("00") };
        s.0
    }

    #[test]
    fn the_fingerprint_is_the_formatted_text_cut_to_the_buffer() {
        let full = [255u8; JA4T_CAPACITY];
        for (win, mss, kinds, ws) in [(0, 0, &[][..], 0), (64240, 1460, &[2, 4, 8, 1, 3][..], 7), (1, 5, &[0][..], 14)]
            .into_iter()
            .chain([(u32::MAX, u16::MAX, &full[..], 255)])
        {
            let mut p = FlowState::new(Timestamp::default());
            p.win_init = win;
            p.mss = mss;
            p.syn_opts[..kinds.len()].copy_from_slice(kinds);
            p.syn_opts_cnt = kinds.len() as u16;
            p.ws_shift = ws;
            for scaled in [false, true] {
                let got = ja4t(&p, scaled);
                assert_eq!(got.as_bytes(), formatted(&p, scaled).as_bytes(), "{win} {mss} {kinds:?} {ws}");
            }
        }
    }
}
