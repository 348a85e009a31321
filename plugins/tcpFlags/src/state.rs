//! What tcpFlags keeps per flow and over the whole run.

use plugin_api::abi::Timestamp;

use crate::config::JA4T_CAPACITY;

/// States of the handshake machine behind the round-trip estimate (`tcpRTTFlag`).
pub mod rtt {
    /// No SYN seen (also forced on the opposite flow without RTT estimation).
    pub const NO_SYN: u8 = 0x00;
    /// SYN sent.
    pub const SYN: u8 = 0x01;
    /// SYN-ACK sent.
    pub const SYN_ACK: u8 = 0x02;
    /// In the ACK phase.
    pub const ACK: u8 = 0x04;
    /// FIN, RST or an odd flag combination: no more trips measured from this side.
    pub const STOP: u8 = 0x80;
}

/// Per-flow state (T2's `tcpFlagsFlow_t`). Field names say what the columns say.
#[derive(Clone, Copy, Debug)]
pub struct FlowState {
    /// Time of the previous packet.
    pub last_pkt_time: Timestamp,
    /// Time of the first packet with a non-decreasing TCP timestamp.
    pub ts_first_time: Timestamp,
    /// Time of the last packet with a TCP timestamp.
    pub ts_last_time: Timestamp,

    /// `tcpSeqSntBytes`.
    pub seq_bytes: i64,
    /// `tcpFlwLssAckRcvdBytes`.
    pub ack_bytes: i64,
    /// Next expected sequence number.
    pub seq_next: u32,
    /// Sequence number of the previous packet.
    pub seq_last: u32,
    /// Acknowledgement number of the previous packet.
    pub ack_last: u32,
    /// `tcpISeqN`.
    pub seq_init: u32,
    /// Initial acknowledgement number: the opposite flow's initial sequence number (packet
    /// mode's relative `ack`).
    pub ack_init: u32,
    /// Payload bytes of the flow's TCP packets (packet mode's `tcpMLen`).
    pub m_len: i64,
    /// Highest expected sequence number.
    pub seq_max: u32,

    /// `ip6OptHH_D`: options of the hop-by-hop header.
    pub ip6_hh_opts: u32,
    /// `ip6OptHH_D`: options of the destination options header.
    pub ip6_d_opts: u32,
    /// `ipOptCpCl_Num`: IPv4 option numbers.
    pub ip_opts: u32,
    /// `tcpOptions`.
    pub tcp_opts: u32,

    /// `tcpTmS`.
    pub ts_val: u32,
    /// `tcpTmER`.
    pub ts_ecr: u32,
    /// First timestamp value.
    pub ts_val_init: u32,
    /// Highest timestamp value so far.
    pub ts_val_max: u32,

    /// `tcpSSASAATrip`.
    pub trip: f32,
    /// `tcpRTTAckTripMin`.
    pub ack_trip_min: f32,
    /// `tcpRTTAckTripMax`.
    pub ack_trip_max: f32,
    /// `tcpRTTAckTripAvg`.
    pub ack_trip_avg: f32,
    /// Running variance of the ACK trips.
    pub ack_trip_var: f32,
    /// Packets (as T2 counts them for the running averages: a float).
    pub pkts: f32,

    /// Effective window of the previous TCP packet.
    pub win_last: u32,
    /// Bytes in flight.
    pub in_flight: u32,
    /// `tcpBFlgtMx`.
    pub in_flight_max: u32,
    /// `tcpInitWinSz`.
    pub win_init: u32,
    /// `tcpAvgWinSz`.
    pub win_avg: f32,
    /// TCP packets with a window below `WINMIN`.
    pub win_below_min: u32,
    /// TCP packets.
    pub tcp_pkts: u32,
    /// `tcpMinWinSz`.
    pub win_min: u32,
    /// `tcpMaxWinSz`.
    pub win_max: u32,
    /// `tcpWinSzUpCnt`.
    pub win_up: u16,
    /// `tcpWinSzDwnCnt`.
    pub win_down: u16,
    /// `tcpWinSzChgDirCnt`.
    pub win_dir_changes: u16,

    /// `tcpCntF_S_R_P_A_U_E_C_FA_SA_RA_N_SF_SFR_RF_X`.
    pub flag_counts: [u16; 16],

    /// `tcpPSeqCnt`.
    pub seq_good: u16,
    /// `tcpSeqFaultCnt`.
    pub seq_faults: u16,
    /// `tcpPAckCnt`.
    pub ack_pkts: u16,
    /// `tcpAckFaultCnt`.
    pub ack_faults: u16,

    /// Layer 4 bytes of the datagram being reassembled (for the pseudo header).
    pub l4_total: u32,
    /// Checksum field of the datagram's layer 4 header.
    pub l4_hdr_chksum: u16,
    /// Running layer 4 checksum.
    pub l4_chksum: u16,

    /// `tcpFStat`.
    pub stat: u16,
    /// `tcpFStat` bits of the previous packet.
    pub stat_last: u16,
    /// `tcpAnomaly`.
    pub anomaly: u16,
    /// `tcpAnomaly` bits of the previous packet.
    pub anomaly_last: u16,
    /// `tcpMSS`.
    pub mss: u16,
    /// `tcpOptCnt`.
    pub opt_cnt: u16,
    /// `tcpOptPktCnt`.
    pub opt_pkts: u16,
    /// IPv4 ID of the previous packet (0 for IPv6).
    pub ip_id: u16,
    /// `ipMindIPID`.
    pub ip_id_min_diff: u16,
    /// `ipMaxdIPID`.
    pub ip_id_max_diff: u16,
    /// `ipFlags`.
    pub ip_flags: u16,
    /// Where the next fragment should start (8-byte units).
    pub frag_next: u16,
    /// `tcpFlags`.
    pub tcp_flags: u16,

    /// `tcpMPTBF`.
    pub mp_subtypes: u16,
    /// `ip6OptCntHH_D`: hop-by-hop options.
    pub ip6_hh_cnt: u16,
    /// `ip6OptCntHH_D`: destination options.
    pub ip6_d_cnt: u16,
    /// `ipOptCnt`.
    pub ip_opt_cnt: u16,
    /// `ipOptCpCl_Num`: copy and class bits.
    pub ip_opt_cpcl: u8,

    /// Window scale shift of the SYN.
    pub ws_shift: u8,
    /// `ipToS`.
    pub tos: u8,
    /// `ipMinTTL`.
    pub ttl_min: u8,
    /// `ipMaxTTL`.
    pub ttl_max: u8,
    /// `ipTTLChg`.
    pub ttl_changes: u8,
    /// TTL of the previous packet.
    pub ttl_last: u8,
    /// Handshake machine state (see [`rtt`]).
    pub rtt_state: u8,
    /// TCP flags byte of the previous TCP packet.
    pub flags_last: u8,

    /// `tcpMPF`.
    pub mp_flags: u8,
    /// `tcpMPAID`.
    pub mp_addr_id: u8,
    /// `tcpMPDSSF`.
    pub mp_dss_flags: u8,

    /// TCP packets, counted up to a little more than a scan may have.
    pub scan_pkts: u8,

    /// Option kinds of the SYN-flagged packets (`tcpJA4T`).
    pub syn_opts_cnt: u16,
    /// See [`FlowState::syn_opts_cnt`].
    pub syn_opts: [u8; JA4T_CAPACITY],
}

impl FlowState {
    /// The state of a flow whose first packet arrives at `first`.
    pub fn new(first: Timestamp) -> FlowState {
        FlowState { last_pkt_time: first, ip_id_min_diff: 0xffff, ack_trip_min: 65535.0, ..FlowState::default() }
    }
}

impl Default for FlowState {
    fn default() -> Self {
        FlowState {
            last_pkt_time: Timestamp::default(),
            ts_first_time: Timestamp::default(),
            ts_last_time: Timestamp::default(),
            seq_bytes: 0,
            ack_bytes: 0,
            seq_next: 0,
            seq_last: 0,
            ack_last: 0,
            seq_init: 0,
            ack_init: 0,
            m_len: 0,
            seq_max: 0,
            ip6_hh_opts: 0,
            ip6_d_opts: 0,
            ip_opts: 0,
            tcp_opts: 0,
            ts_val: 0,
            ts_ecr: 0,
            ts_val_init: 0,
            ts_val_max: 0,
            trip: 0.0,
            ack_trip_min: 0.0,
            ack_trip_max: 0.0,
            ack_trip_avg: 0.0,
            ack_trip_var: 0.0,
            pkts: 0.0,
            win_last: 0,
            in_flight: 0,
            in_flight_max: 0,
            win_init: 0,
            win_avg: 0.0,
            win_below_min: 0,
            tcp_pkts: 0,
            win_min: 0,
            win_max: 0,
            win_up: 0,
            win_down: 0,
            win_dir_changes: 0,
            flag_counts: [0; 16],
            seq_good: 0,
            seq_faults: 0,
            ack_pkts: 0,
            ack_faults: 0,
            l4_total: 0,
            l4_hdr_chksum: 0,
            l4_chksum: 0,
            stat: 0,
            stat_last: 0,
            anomaly: 0,
            anomaly_last: 0,
            mss: 0,
            opt_cnt: 0,
            opt_pkts: 0,
            ip_id: 0,
            ip_id_min_diff: 0,
            ip_id_max_diff: 0,
            ip_flags: 0,
            frag_next: 0,
            tcp_flags: 0,
            mp_subtypes: 0,
            ip6_hh_cnt: 0,
            ip6_d_cnt: 0,
            ip_opt_cnt: 0,
            ip_opt_cpcl: 0,
            ws_shift: 0,
            tos: 0,
            ttl_min: 0,
            ttl_max: 0,
            ttl_changes: 0,
            ttl_last: 0,
            rtt_state: rtt::NO_SYN,
            flags_last: 0,
            mp_flags: 0,
            mp_addr_id: 0,
            mp_dss_flags: 0,
            scan_pkts: 0,
            syn_opts_cnt: 0,
            syn_opts: [0; JA4T_CAPACITY],
        }
    }
}

/// Run-wide counters and aggregates, with the snapshots of the differential monitoring report.
#[derive(Clone, Copy, Debug, Default)]
pub struct Totals {
    /// OR of the ended flows' `ipFlags`.
    pub ip_flags: u16,
    /// OR of the ended flows' `tcpFStat`.
    pub stat: u16,
    /// OR of the ended flows' `tcpFlags`.
    pub tcp_flags: u16,
    /// OR of the ended flows' `tcpAnomaly`.
    pub anomaly: u16,
    /// OR of the ended flows' `ipToS`.
    pub tos: u8,
    /// OR of the ended flows' `tcpMPTBF`.
    pub mp_subtypes: u16,
    /// OR of the ended flows' `tcpMPF`.
    pub mp_flags: u8,
    /// MPTCP options seen.
    pub mptcp_opts: u64,
    /// TCP packets with a window below `WINMIN`.
    pub win_below_min: u64,
    /// TCP packets.
    pub tcp_pkts: u64,
    /// Scans detected, and the snapshot.
    pub scans: u64,
    /// See [`Totals::scans`].
    pub scans0: u64,
    /// Successful scans, and the snapshot.
    pub scans_ok: u64,
    /// See [`Totals::scans_ok`].
    pub scans_ok0: u64,
    /// Sequence retransmissions, and the snapshot.
    pub seq_retries: u64,
    /// See [`Totals::seq_retries`].
    pub seq_retries0: u64,
    /// SYN retransmissions, and the snapshot.
    pub syn_retries: u64,
    /// See [`Totals::syn_retries`].
    pub syn_retries0: u64,
}
