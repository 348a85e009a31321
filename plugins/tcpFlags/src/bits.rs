//! The bit fields tcpFlags writes (plugins.md §4, "Bits").

/// `tcpFStat`: status of the plugin's own analysis.
pub mod fstat {
    /// Packet usable for inter-distance assessment (every packet but a flow's first).
    pub const INTDIS_OK: u16 = 0x0001;
    /// TCP timestamp option seen.
    pub const OPT_INIT: u16 = 0x0002;
    /// TCP timestamp decreasing.
    pub const OPT_TM_DEC: u16 = 0x0004;
    /// Layer 4 options corrupt or not captured.
    pub const L4_OPT_CORRUPT: u16 = 0x0008;
    /// Window tracking initialised.
    pub const WIN_INIT: u16 = 0x0010;
    /// Window update.
    pub const WIN_UPDATE: u16 = 0x0020;
    /// Zero-window probe.
    pub const WIN_0_PROBE: u16 = 0x0040;
    /// Zero-window probe ACK.
    pub const WIN_0_PROBE_ACK: u16 = 0x0080;
    /// Window below `WINMIN` seen.
    pub const WIN_MIN: u16 = 0x0100;
    /// Window scaling used.
    pub const WS_USED: u16 = 0x0200;
    /// Receiver window full.
    pub const WIN_FULL: u16 = 0x0400;
    /// Window trend up (clear: down).
    pub const WIN_UP: u16 = 0x0800;
    /// Layer 4 checksum being computed.
    pub const L4_CHKSUM: u16 = 0x1000;
    /// UDP-Lite checksum coverage error (0.9.3 ORs it into `ipFlags`, where it reads 0x2000).
    pub const L4_CHKCOV_ERR: u16 = 0x2000;
    /// SACK option seen.
    pub const SACK: u16 = 0x4000;
    /// MPTCP option seen.
    pub const MPTCP: u16 = 0x8000;
    /// The bits a packet inherits from the flow's previous packets; the rest are per packet.
    pub const KEPT: u16 = INTDIS_OK | OPT_INIT | WIN_INIT | WIN_UP | MPTCP | WS_USED;
}

/// `ipFlags`: IP header findings.
pub mod ip {
    /// IP options corrupt or not captured.
    pub const OPT_CORRUPT: u16 = 0x0001;
    /// IPv4 ID out of order (never set by 0.9.3: a lower ID always counts as a roll-over).
    pub const ID_OUT_OF_ORDER: u16 = 0x0002;
    /// IPv4 ID roll-over.
    pub const ID_ROLL_OVER: u16 = 0x0004;
    /// Fragment below the minimum size.
    pub const FRAG_BELOW_MIN: u16 = 0x0008;
    /// Fragment out of range (possible teardrop).
    pub const FRAG_OUT_OF_RANGE: u16 = 0x0010;
    /// More-fragments bit.
    pub const FRAG_MF: u16 = 0x0020;
    /// Don't-fragment bit (IPv4).
    pub const FRAG_DF: u16 = 0x0040;
    /// Reserved bit (IPv4).
    pub const FRAG_RES: u16 = 0x0080;
    /// Fragment not at the expected position.
    pub const FRAG_POS_ERR: u16 = 0x0100;
    /// Fragment sequence error.
    pub const FRAG_SEQ_ERR: u16 = 0x0200;
    /// IP header checksum error.
    pub const L3_CHKSUM_ERR: u16 = 0x0400;
    /// Layer 4 checksum error.
    pub const L4_CHKSUM_ERR: u16 = 0x0800;
    /// Layer 3/4 header length beyond the captured bytes.
    pub const SNAP_HDR_LEN: u16 = 0x1000;
    /// UDP length differs from the captured layer 4 length.
    pub const UDP_LEN: u16 = 0x2000;
    /// Packet inter-distance 0.
    pub const INTDIS_ZERO: u16 = 0x4000;
    /// Packet inter-distance negative.
    pub const INTDIS_NEG: u16 = 0x8000;
    /// The fragmentation flags copied from the header.
    pub const FRAG_BITS: u16 = FRAG_RES | FRAG_DF | FRAG_MF;
}

/// `tcpFlags`: the TCP flags of every packet, and combinations.
pub mod tcp {
    /// FIN.
    pub const FIN: u16 = 0x0001;
    /// SYN.
    pub const SYN: u16 = 0x0002;
    /// RST.
    pub const RST: u16 = 0x0004;
    /// PSH.
    pub const PSH: u16 = 0x0008;
    /// ACK.
    pub const ACK: u16 = 0x0010;
    /// URG.
    pub const URG: u16 = 0x0020;
    /// FIN-ACK.
    pub const FIN_ACK: u16 = 0x0100;
    /// SYN-ACK.
    pub const SYN_ACK: u16 = 0x0200;
    /// RST-ACK.
    pub const RST_ACK: u16 = 0x0400;
    /// NULL packet (no flag among FIN SYN RST PSH ACK URG).
    pub const NULL: u16 = 0x0800;
    /// SYN-FIN.
    pub const SYN_FIN: u16 = 0x1000;
    /// SYN-FIN-RST.
    pub const SYN_FIN_RST: u16 = 0x2000;
    /// FIN-RST.
    pub const RST_FIN: u16 = 0x4000;
    /// Xmas packet (FIN-PSH-URG).
    pub const XMAS: u16 = 0x8000;
    /// The combinations of a scan.
    pub const SCAN: u16 = 0xf800;
}

/// `tcpAnomaly`: TCP anomalies.
pub mod anomaly {
    /// SYN retransmission.
    pub const SYN_RETRY: u16 = 0x0001;
    /// Sequence (timeout) retransmission.
    pub const SEQ_RETRY: u16 = 0x0002;
    /// Sequence fast retransmission.
    pub const SEQ_FAST_RETRY: u16 = 0x0004;
    /// Duplicate ACK.
    pub const DUP_ACK: u16 = 0x0008;
    /// Keep-alive.
    pub const KEEP_ALIVE: u16 = 0x0010;
    /// Keep-alive ACK.
    pub const KEEP_ALIVE_ACK: u16 = 0x0020;
    /// Sequence number out of order.
    pub const SEQ_OUT_OF_ORDER: u16 = 0x0040;
    /// Sequence mess (capture loss, spurious retransmission).
    pub const SEQ_MESS: u16 = 0x0080;
    /// ACK for unseen data.
    pub const ACK_UNSEEN: u16 = 0x0100;
    /// Previous packet not captured.
    pub const PKT_NOT_CAPTURED: u16 = 0x0200;
    /// Scan detected.
    pub const SCAN: u16 = 0x1000;
    /// Successful scan detected.
    pub const SCAN_SUCCESS: u16 = 0x2000;
    /// SYN with payload.
    pub const SYN_PAYLOAD: u16 = 0x4000;
    /// The per-packet counters a scan packet does not report.
    pub const COUNTERS: u16 = 0x003f;
}
