//! Packets and bytes per server port of TCP, UDP, UDP-Lite and SCTP.

use plugin_api::wire::ipproto::{SCTP, TCP, UDP, UDPLITE};

/// Packets and captured bytes per port of one transport protocol (65536 counters each,
/// allocated once).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortCounts {
    counts: Vec<[u64; 2]>,
}

impl Default for PortCounts {
    fn default() -> PortCounts {
        PortCounts { counts: vec![[0; 2]; 1 << 16] }
    }
}

impl PortCounts {
    /// Counts one packet of `bytes` captured bytes on `port`.
    pub fn add(&mut self, port: u16, bytes: u64) {
        let c = &mut self.counts[usize::from(port)];
        c[0] += 1;
        c[1] += bytes;
    }

    /// The ports with packets, ascending: port, packets, bytes.
    pub fn used(&self) -> impl Iterator<Item = (u16, u64, u64)> + '_ {
        (0..=u16::MAX).zip(&self.counts).filter(|(_, c)| c[0] > 0).map(|(p, c)| (p, c[0], c[1]))
    }
}

/// The port tables of a run: TCP and UDP always, UDP-Lite and SCTP when configured.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ports {
    /// TCP.
    pub tcp: PortCounts,
    /// UDP.
    pub udp: PortCounts,
    /// UDP-Lite (`PST_UDPLITE_STAT`).
    pub udplite: Option<PortCounts>,
    /// SCTP (`PST_SCTP_STAT`).
    pub sctp: Option<PortCounts>,
}

impl Ports {
    /// Tables for TCP, UDP and, when asked for, UDP-Lite and SCTP.
    pub fn new(udplite: bool, sctp: bool) -> Ports {
        Ports {
            tcp: PortCounts::default(),
            udp: PortCounts::default(),
            udplite: udplite.then(PortCounts::default),
            sctp: sctp.then(PortCounts::default),
        }
    }

    /// Counts a packet of IP protocol `proto` on `port`; protocols without a table are ignored.
    pub fn count(&mut self, proto: u8, port: u16, bytes: u64) {
        let table = match proto {
            TCP => Some(&mut self.tcp),
            UDP => Some(&mut self.udp),
            UDPLITE => self.udplite.as_mut(),
            SCTP => self.sctp.as_mut(),
            _ => None,
        };
        if let Some(t) = table {
            t.add(port, bytes);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_protocol_and_port() {
        let mut p = Ports::new(false, true);
        p.count(TCP, 80, 60);
        p.count(TCP, 80, 1500);
        p.count(TCP, 65535, 1);
        p.count(UDP, 0, 42);
        p.count(UDPLITE, 5, 10);
        p.count(SCTP, 2905, 100);
        p.count(1, 0, 98);
        assert_eq!(p.tcp.used().collect::<Vec<_>>(), [(80, 2, 1560), (65535, 1, 1)]);
        assert_eq!(p.udp.used().collect::<Vec<_>>(), [(0, 1, 42)]);
        assert!(p.udplite.is_none());
        assert_eq!(p.sctp.unwrap().used().collect::<Vec<_>>(), [(2905, 1, 100)]);
    }
}
