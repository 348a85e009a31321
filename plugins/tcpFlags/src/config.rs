//! Views of tcpFlags' flags ([`Config`], generated from `flags.toml`).

use crate::flags;
pub use crate::flags::Config;

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

impl Config {
    /// `IPTOS`: the format of the type-of-service column.
    pub fn tos(&self) -> TosFormat {
        match self.iptos {
            1 => TosFormat::DscpEcn,
            2 => TosFormat::PrecEcn,
            _ => TosFormat::Hex,
        }
    }

    /// `RTRFAC`: how many average ACK trips (or seconds without RTT estimation) a
    /// retransmission waits at least.
    pub fn retry_factor(&self) -> f64 {
        if self.rtt_estimate { 1.5 } else { 1.0 }
    }
}
