//! The plugin's settings: the compiled flags (`flags.toml`) as one value, so that tests can
//! run the plugin with other settings than the build's.

use crate::flags;

/// Capacity of the per-flow list of SYN option kinds behind `tcpJA4T`.
pub const JA4T_CAPACITY: usize = flags::JA4TOPTMX as usize;

/// How the type-of-service column is written (`IPTOS`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TosFormat {
    /// `ipToS`: the OR of all ToS bytes, hex.
    Hex,
    /// `ipToSDscp_ecn`: DSCP and ECN, decimal.
    DscpEcn,
    /// `ipToSPrec_ecn`: precedence (top three bits) and ECN, decimal.
    PrecEcn,
}

/// tcpFlags' settings; [`Config::default`] is what `flags.toml` says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// `IPTOS`.
    pub tos: TosFormat,
    /// `RTT_ESTIMATE`: round-trip time columns.
    pub rtt: bool,
    /// `IPCHECKSUM`: 0 none, 1 IP header, 2 IP header and layer 4.
    pub checksum: u8,
    /// `WINDOWSIZE`: window columns.
    pub window: bool,
    /// `WINMIN`: windows below it are counted (0: none).
    pub win_min: u16,
    /// `SEQ_ACK_NUM`: sequence/acknowledgement columns.
    pub seq_ack: bool,
    /// `FRAG_ANALYZE`: fragmentation checks.
    pub frag: bool,
    /// `NAT_BT_EST`: timestamp, up-time and boot-time columns.
    pub nat: bool,
    /// `SCAN_DETECTOR`: scan detection at flow end.
    pub scan: bool,
    /// `MPTCP`: MPTCP columns.
    pub mptcp: bool,
    /// `TCPJA4T`: the `tcpJA4T` column.
    pub ja4t: bool,
    /// `JA4TOPTMX`: SYN option kinds kept (at most [`JA4T_CAPACITY`]).
    pub ja4t_max: u8,
    /// `TCPFLGCNT`: the per-flag counters column.
    pub flag_counts: bool,
    /// `SPKTMD_SEQACKREL`: packet mode writes sequence and acknowledgement numbers relative to
    /// the flow's initial ones.
    pub spkt_rel: bool,
    /// `SPKTMD_SEQACKHEX`: packet mode writes sequence and acknowledgement numbers in hex.
    pub spkt_hex: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            tos: match flags::IPTOS {
                1 => TosFormat::DscpEcn,
                2 => TosFormat::PrecEcn,
                _ => TosFormat::Hex,
            },
            rtt: flags::RTT_ESTIMATE == 1,
            checksum: flags::IPCHECKSUM,
            window: flags::WINDOWSIZE == 1,
            win_min: flags::WINMIN,
            seq_ack: flags::SEQ_ACK_NUM == 1,
            frag: flags::FRAG_ANALYZE == 1,
            nat: flags::NAT_BT_EST == 1,
            scan: flags::SCAN_DETECTOR == 1,
            mptcp: flags::MPTCP == 1,
            ja4t: flags::TCPJA4T == 1,
            ja4t_max: flags::JA4TOPTMX,
            flag_counts: flags::TCPFLGCNT == 1,
            spkt_rel: flags::SPKTMD_SEQACKREL == 1,
            spkt_hex: flags::SPKTMD_SEQACKHEX == 1,
        }
    }
}

impl Config {
    /// `RTRFAC`: how many average ACK trips (or seconds without RTT estimation) a
    /// retransmission waits at least.
    pub fn retry_factor(&self) -> f64 {
        if self.rtt { 1.5 } else { 1.0 }
    }
}
