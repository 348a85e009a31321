//! The MAC/IP pairs of one flow and the run-wide table of the MAC each IP address was first
//! announced with (T2's arpDecode `arpTable`/`macTable`).

use std::collections::HashMap;

use crate::flags::ARP_MAX_IP;
use crate::{ARP_STAT_FULL, ARP_STAT_SPOOF};

/// Pairs listed per flow.
const MAX: usize = ARP_MAX_IP as usize;

/// One listed pair and how often the flow announced it (0: the pair was learnt from another
/// flow and is listed because this flow contradicts it).
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct Pair {
    /// Hardware address.
    pub mac: [u8; 6],
    /// IPv4 address.
    pub ip: [u8; 4],
    /// Times the flow announced the pair (wraps at 2^16 as T2's counter).
    pub cnt: u16,
}

/// The pairs of one flow: the first `ARP_MAX_IP` listed, all of them counted.
#[derive(Clone, Copy, Debug)]
pub struct Pairs {
    list: [Pair; MAX],
    /// Pairs appended, listed or not (T2's 16-bit `cnt`).
    count: u16,
}

impl Default for Pairs {
    fn default() -> Self {
        Pairs { list: [Pair::default(); MAX], count: 0 }
    }
}

/// The MAC each IP address was first announced with, over the whole run. Bounded by the flow
/// table's capacity, as T2 sizes its table: addresses beyond it are not remembered.
#[derive(Debug, Default)]
pub struct ArpTable {
    macs: HashMap<[u8; 4], [u8; 6]>,
    limit: usize,
}

impl ArpTable {
    /// A table remembering at most `limit` addresses.
    pub fn new(limit: usize) -> ArpTable {
        ArpTable { macs: HashMap::new(), limit }
    }
}

impl Pairs {
    /// Pairs appended to the flow (`arpIpMacCnt`), including those beyond the list.
    pub fn count(&self) -> u16 {
        self.count
    }

    /// The listed pairs (`arpMac_Ip_Cnt`).
    pub fn listed(&self) -> &[Pair] {
        &self.list[..usize::from(self.count).min(MAX)]
    }

    /// Appends a pair with count `cnt`; returns `ARP_STAT_FULL` when the list has no room.
    fn append(&mut self, mac: [u8; 6], ip: [u8; 4], cnt: u16) -> u8 {
        let i = usize::from(self.count);
        self.count = self.count.wrapping_add(1);
        match self.list.get_mut(i) {
            Some(p) => {
                *p = Pair { mac, ip, cnt };
                0
            }
            None => ARP_STAT_FULL,
        }
    }

    /// The flow announced `mac` for `ip`: counts the pair, learns the address on first sight
    /// and, when the table knows another MAC for it, lists that one too (count 0). Returns the
    /// status bits to add (`ARP_STAT_SPOOF` for a contradiction about a non-zero address,
    /// `ARP_STAT_FULL` when the list overflows).
    pub fn observe(&mut self, table: &mut ArpTable, mac: [u8; 6], ip: [u8; 4]) -> u8 {
        let prev = match table.macs.get(&ip) {
            Some(&prev) => prev,
            None => {
                if table.macs.len() < table.limit {
                    table.macs.insert(ip, mac);
                }
                return self.append(mac, ip, 1);
            }
        };
        let mut stat = 0;
        let mut add_prev = prev != mac;
        if add_prev && ip != [0; 4] {
            stat |= ARP_STAT_SPOOF;
        }
        let mut add_mac = true;
        let n = self.listed().len();
        for p in self.list[..n].iter_mut().filter(|p| p.ip == ip) {
            if p.mac == mac {
                p.cnt = p.cnt.wrapping_add(1);
                add_mac = false;
            } else if add_prev && p.mac == prev {
                add_prev = false;
            }
        }
        if add_mac {
            stat |= self.append(mac, ip, 1);
        }
        if add_prev {
            stat |= self.append(prev, ip, 0);
        }
        stat
    }
}
