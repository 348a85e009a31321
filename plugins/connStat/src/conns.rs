//! The run-wide connection counts: per source address, per destination address, per address
//! pair and per source address + destination port, with T2's rules for when they change.
//!
//! A flow is counted from its initiator's side: the B direction (and a flow T2 turned around by
//! its ports) swaps its addresses and takes its source port as the destination port, so both
//! directions of a connection count for the same pair and port. A new flow adds one to its
//! pair and port; the first flow of a pair also adds one to its source and its destination
//! address. With `CS_HSDRM` a flow's end takes that back. Every value written on a flow is
//! read at its end, so it counts the flows still alive then, this one included.

use std::hash::Hash;

use crate::table::Table;

/// An IP address and its version (T2's `ipHash_t`): 4 or 6, IPv4 in the first 4 bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Addr {
    /// 4 or 6 (0 for a flow of neither, as T2's `FLOW_IPVER`).
    pub ver: u8,
    /// The address bytes.
    pub ip: [u8; 16],
}

/// A flow as connStat counts it: from the side that started the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conn {
    /// The initiator's address.
    pub src: Addr,
    /// The responder's address.
    pub dst: Addr,
    /// The responder's port.
    pub dport: u16,
    /// True when the flow is the responder's direction (its own source is `dst`).
    pub is_b: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Pair {
    ver: u8,
    src: [u8; 16],
    dst: [u8; 16],
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct AddrPort {
    addr: Addr,
    port: u16,
}

impl Conn {
    fn pair(&self) -> Pair {
        Pair { ver: self.src.ver, src: self.src.ip, dst: self.dst.ip }
    }

    fn addr_port(&self) -> AddrPort {
        AddrPort { addr: self.src, port: self.dport }
    }
}

/// What a source address slot holds: its pairs and the packets and bytes sent from it.
#[derive(Clone, Copy, Debug, Default)]
struct Source {
    conns: u32,
    pkts: u64,
    bytes: u64,
}

/// The MAC address first seen for an address slot and how many others came after it
/// (`CS_MR_SPOOF`).
#[derive(Clone, Copy, Debug, Default)]
struct MacSeen {
    mac: [u8; 6],
    count: u16,
}

/// The address with the highest count so far (the first one reaching it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Top<N> {
    /// The count.
    pub count: N,
    /// Whose it is.
    pub addr: Addr,
}

impl<N: PartialOrd + Copy> Top<N> {
    fn offer(&mut self, count: N, addr: Addr) {
        if self.count < count {
            *self = Top { count, addr };
        }
    }
}

/// The run-wide figures of the end report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Source addresses counted (`numSIP`).
    pub sips: u64,
    /// Destination addresses counted (`numDIP`).
    pub dips: u64,
    /// Flows of the busiest pair (`CS_SDIPMAX`=1), or flows counted (`numSDIP`).
    pub sdips: u64,
    /// Flows of the busiest source address + destination port (`numPort`).
    pub ports: u64,
}

/// A table that had no room left: its T2 name (`ipP`, `ipS`, `ipD`, `port`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Full(pub &'static str);

/// Which of a flow's entries its end did not find (T2 warns about each).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Missing {
    /// The address pair.
    pub pair: bool,
    /// The source address + destination port.
    pub port: bool,
    /// The source address.
    pub src: bool,
    /// The destination address.
    pub dst: bool,
}

/// The values written on one flow.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct FlowCounts {
    /// `connSip`: pairs of the flow's own source address (as a source for an A flow, as a
    /// destination for a B flow).
    pub sip: u32,
    /// `connDip`: pairs of the flow's own destination address.
    pub dip: u32,
    /// `connSipDip`: flows of the pair.
    pub sip_dip: u32,
    /// `connSipDprt`: flows of the source address + destination port.
    pub sip_dprt: u32,
    /// `connMacSpf`: MAC addresses seen for the source address.
    pub mac_spoof: u32,
    /// `connNumPCnt`: packets sent from the flow's own source address.
    pub pkts: u64,
    /// `connNumBCnt`: bytes sent from it.
    pub bytes: u64,
    /// Entries not found.
    pub missing: Missing,
}

impl FlowCounts {
    /// `connF`: `connSipDprt / connSip` in `f32`, 0 without source count.
    pub fn f(&self) -> f32 {
        ratio(self.sip_dprt, self.sip)
    }

    /// `connG`: `connSipDprt / connSipDip` in `f32`, 0 without pair count.
    pub fn g(&self) -> f32 {
        ratio(self.sip_dprt, self.sip_dip)
    }
}

fn ratio(n: u32, d: u32) -> f32 {
    if d == 0 { 0.0 } else { n as f32 / d as f32 }
}

/// Settings of the counting (the plugin's flags).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rules {
    /// `CS_HSDRM`: a flow's end takes its counts back.
    pub decrement: bool,
    /// `CS_SDIPMAX`: `sdips` is the busiest pair's count rather than the number of flows.
    pub sdip_max: bool,
    /// `CS_MR_SPOOF`: count MAC addresses per address.
    pub mac_spoof: bool,
}

/// All counts of a run.
#[derive(Debug)]
pub struct Conns {
    rules: Rules,
    pairs: Table<Pair, u32>,
    sources: Table<Addr, Source>,
    dests: Table<Addr, u32>,
    ports: Table<AddrPort, u32>,
    /// `CS_MR_SPOOF`: indexed by source *and* destination slots alike, as T2's `macSC`.
    macs: Vec<MacSeen>,
    /// `connNumPCnt`/`connNumBCnt` of a flow whose own source address is gone from the table.
    stray: (u64, u64),
    /// Run-wide figures.
    pub totals: Totals,
    /// Source address in the most pairs.
    pub top_src: Top<u32>,
    /// Destination address in the most pairs.
    pub top_dst: Top<u32>,
    /// Source address that sent the most packets (checked at each flow's end).
    pub top_pkts: Top<u64>,
    /// Source address that sent the most bytes.
    pub top_bytes: Top<u64>,
}

impl Conns {
    /// Empty counts; each table holds at most `capacity` keys (T2 sizes them as its flow
    /// table).
    pub fn new(rules: Rules, capacity: u32) -> Conns {
        Conns {
            rules,
            pairs: Table::new(capacity),
            sources: Table::new(capacity),
            dests: Table::new(capacity),
            ports: Table::new(capacity),
            macs: Vec::new(),
            stray: (0, stray_bytes(capacity)),
            totals: Totals::default(),
            top_src: Top::default(),
            top_dst: Top::default(),
            top_pkts: Top::default(),
            top_bytes: Top::default(),
        }
    }

    /// A new flow (`mac`: the initiator's MAC address, for `CS_MR_SPOOF`).
    pub fn new_flow(&mut self, c: &Conn, mac: [u8; 6]) -> Result<(), Full> {
        let (slot, first) = count_up(&mut self.pairs, c.pair(), itself, "ipP")?;
        let pair_conns = *self.pairs.value(slot);
        if first {
            self.first_of_pair(c, mac)?;
        }
        if self.rules.sdip_max {
            self.totals.sdips = self.totals.sdips.max(u64::from(pair_conns));
        } else {
            self.totals.sdips += 1;
        }
        let (slot, _) = count_up(&mut self.ports, c.addr_port(), itself, "port")?;
        self.totals.ports = self.totals.ports.max(u64::from(*self.ports.value(slot)));
        Ok(())
    }

    /// The pair's first flow: one more pair for its source and its destination address.
    fn first_of_pair(&mut self, c: &Conn, mac: [u8; 6]) -> Result<(), Full> {
        let (slot, first) = count_up(&mut self.sources, c.src, source_conns, "ipS")?;
        if first {
            self.totals.sips += 1;
        }
        self.mac_of(slot, mac, first);
        self.top_src.offer(self.sources.value(slot).conns, c.src);

        let (slot, first) = count_up(&mut self.dests, c.dst, itself, "ipD")?;
        if first {
            self.totals.dips += 1;
        }
        self.mac_of(slot, mac, first);
        self.top_dst.offer(*self.dests.value(slot), c.dst);
        Ok(())
    }

    fn mac_slot(&mut self, slot: u32) -> Option<&mut MacSeen> {
        if !self.rules.mac_spoof {
            return None;
        }
        let i = slot as usize;
        if self.macs.len() <= i {
            self.macs.resize(i + 1, MacSeen::default());
        }
        Some(&mut self.macs[i])
    }

    /// `CS_MR_SPOOF`: a slot's `first` address takes `mac`; a known one counts a MAC other than
    /// its first (T2 keeps one MAC array for source and destination slots alike).
    fn mac_of(&mut self, slot: u32, mac: [u8; 6], first: bool) {
        let Some(m) = self.mac_slot(slot) else { return };
        if first {
            *m = MacSeen { mac, count: 1 };
        } else if m.mac != mac {
            m.count = m.count.saturating_add(1);
        }
    }

    /// A packet of `len` bytes sent from `src` (the flow's own source address), which enters
    /// the source table if absent (without counting as a source: `numSIP` counts only
    /// initiators).
    #[inline]
    pub fn packet(&mut self, src: Addr, len: u64) -> Result<(), Full> {
        match self.sources.lookup(&src) {
            Some(slot) => {
                let s = self.sources.value_mut(slot);
                s.pkts = s.pkts.wrapping_add(1);
                s.bytes = s.bytes.wrapping_add(len);
            }
            None => {
                let slot = self.sources.insert(src).ok_or(Full("ipS"))?;
                let s = self.sources.value_mut(slot);
                (s.pkts, s.bytes) = (1, len);
            }
        }
        Ok(())
    }

    /// A flow ends: its values (`own_src`: the flow's own source address, whose packets and
    /// bytes `connNumPCnt`/`connNumBCnt` report; `talkers`: whether to track the biggest
    /// talkers), then, with `CS_HSDRM`, its counts are taken back.
    pub fn end_flow(&mut self, c: &Conn, own_src: Addr, talkers: bool) -> FlowCounts {
        let pair = c.pair();
        let key = c.addr_port();
        let pair_slot = self.pairs.lookup(&pair);
        let port_slot = self.ports.lookup(&key);
        let src_slot = self.sources.lookup(&c.src);
        let dst_slot = self.dests.lookup(&c.dst);
        let missing = Missing {
            pair: pair_slot.is_none(),
            port: port_slot.is_none(),
            src: src_slot.is_none(),
            dst: dst_slot.is_none(),
        };

        // the flow's own source is the responder for a B flow: its count comes from the
        // destination table, and the initiator's from the source table
        let (own_slot, sip, dip) = if c.is_b {
            (dst_slot, dst_slot.map(|s| *self.dests.value(s)), src_slot.map(|s| self.sources.value(s).conns))
        } else {
            (src_slot, src_slot.map(|s| self.sources.value(s).conns), dst_slot.map(|s| *self.dests.value(s)))
        };
        let mut out = FlowCounts {
            sip: sip.unwrap_or(0),
            dip: dip.unwrap_or(0),
            sip_dip: pair_slot.map_or(0, |s| *self.pairs.value(s)),
            sip_dprt: port_slot.map_or(0, |s| *self.ports.value(s)),
            missing,
            ..FlowCounts::default()
        };
        if self.rules.mac_spoof {
            out.mac_spoof = own_slot.and_then(|s| self.macs.get(s as usize)).map_or(0, |m| u32::from(m.count));
        }
        if talkers && own_slot.is_some() {
            (out.pkts, out.bytes) = match self.sources.lookup(&own_src) {
                Some(s) => {
                    let s = self.sources.value(s);
                    (s.pkts, s.bytes)
                }
                None => self.stray,
            };
            self.top_pkts.offer(out.pkts, own_src);
            self.top_bytes.offer(out.bytes, own_src);
        }
        if self.rules.decrement {
            self.take_back(c, port_slot, pair_slot, src_slot, dst_slot);
        }
        out
    }

    /// `CS_HSDRM`: one flow less for the port and the pair; the pair's last flow also takes
    /// one pair from its addresses. Counts reaching 0 leave their table.
    fn take_back(&mut self, c: &Conn, port: Option<u32>, pair: Option<u32>, src: Option<u32>, dst: Option<u32>) {
        if let Some(slot) = port {
            let n = self.ports.value_mut(slot);
            *n = n.wrapping_sub(1);
            if *n == 0 {
                self.ports.remove(&c.addr_port());
            }
        }
        let Some(slot) = pair else { return };
        let n = self.pairs.value_mut(slot);
        *n = n.wrapping_sub(1);
        if *n != 0 {
            return;
        }
        self.pairs.remove(&c.pair());
        if let Some(slot) = src {
            let s = self.sources.value_mut(slot);
            s.conns = s.conns.wrapping_sub(1);
            if s.conns == 0 {
                self.sources.remove(&c.src);
            }
        }
        if let Some(slot) = dst {
            let n = self.dests.value_mut(slot);
            *n = n.wrapping_sub(1);
            if *n == 0 {
                self.dests.remove(&c.dst);
            }
        }
    }
}

/// One more for `key` in `t` (the count `count` picks from its value), or `key` enters with
/// count 1; its slot, and whether it is new.
fn count_up<K: Hash + Eq, V: Default>(
    t: &mut Table<K, V>,
    key: K,
    count: fn(&mut V) -> &mut u32,
    table: &'static str,
) -> Result<(u32, bool), Full> {
    match t.lookup(&key) {
        Some(slot) => {
            let n = count(t.value_mut(slot));
            *n = n.wrapping_add(1);
            Ok((slot, false))
        }
        None => {
            let slot = t.insert(key).ok_or(Full(table))?;
            *count(t.value_mut(slot)) = 1;
            Ok((slot, true))
        }
    }
}

fn itself(n: &mut u32) -> &mut u32 {
    n
}

fn source_conns(s: &mut Source) -> &mut u32 {
    &mut s.conns
}

/// What T2 writes as `connNumBCnt` when the flow's own source address is no longer in its
/// table (with `connNumPCnt` 0): it then reads element `ULONG_MAX` of its counter array, the
/// 16 bytes in front of it, which glibc fills with the header of the memory-mapped block
/// `calloc(capacity, 16)` returned: a zero, then the block's size (the request plus its 8-byte
/// header, rounded up to pages) with the `IS_MMAPPED` bit. The references hold these values
/// (4198402 at the default 262144 flows); blocks below glibc's mmap threshold (128 KiB, under
/// 8192 flows) would show other header bytes.
pub fn stray_bytes(capacity: u32) -> u64 {
    const PAGE: u64 = 4096;
    const IS_MMAPPED: u64 = 2;
    let request = u64::from(capacity) * 16;
    let chunk = (request + 8 + 15) & !15; // glibc's request2size
    ((chunk + 8 + PAGE - 1) & !(PAGE - 1)) | IS_MMAPPED
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: Rules = Rules { decrement: true, sdip_max: true, mac_spoof: false };

    fn v4(last: u8) -> Addr {
        let mut ip = [0; 16];
        ip[..4].copy_from_slice(&[10, 0, 0, last]);
        Addr { ver: 4, ip }
    }

    fn conn(src: u8, dst: u8, dport: u16, is_b: bool) -> Conn {
        Conn { src: v4(src), dst: v4(dst), dport, is_b }
    }

    #[test]
    fn stray_bytes_of_the_default_table_match_the_references() {
        assert_eq!(stray_bytes(262_144), 4_198_402);
        assert_eq!(stray_bytes(524_288), 0x801002);
    }

    #[test]
    fn both_directions_count_for_the_pair_and_the_port() {
        let mut c = Conns::new(RULES, 16);
        let a = conn(1, 2, 80, false);
        let b = conn(1, 2, 80, true);
        c.new_flow(&a, [0; 6]).unwrap();
        c.new_flow(&b, [0; 6]).unwrap();
        c.packet(v4(1), 100).unwrap();
        c.packet(v4(2), 40).unwrap();
        assert_eq!(c.totals, Totals { sips: 1, dips: 1, sdips: 2, ports: 2 });
        let ea = c.end_flow(&a, v4(1), true);
        assert_eq!((ea.sip, ea.dip, ea.sip_dip, ea.sip_dprt, ea.pkts, ea.bytes), (1, 1, 2, 2, 1, 100));
        assert_eq!((ea.f(), ea.g()), (2.0, 1.0));
        let eb = c.end_flow(&b, v4(2), true);
        assert_eq!((eb.sip, eb.dip, eb.sip_dip, eb.sip_dprt, eb.pkts, eb.bytes), (1, 1, 1, 1, 1, 40));
        assert_eq!(c.top_bytes, Top { count: 100, addr: v4(1) });
        // everything taken back except the responder's packet entry
        assert!(c.pairs.is_empty() && c.ports.is_empty() && c.dests.is_empty());
        assert_eq!(c.sources.len(), 1);
    }

    #[test]
    fn without_decrement_counts_only_grow() {
        let mut c = Conns::new(Rules { decrement: false, sdip_max: false, mac_spoof: false }, 16);
        let a = conn(1, 2, 80, false);
        for _ in 0..3 {
            c.new_flow(&a, [0; 6]).unwrap();
            c.end_flow(&a, v4(1), true);
        }
        assert_eq!(c.totals.sdips, 3, "CS_SDIPMAX=0 counts flows");
        assert_eq!(c.end_flow(&a, v4(1), true).sip_dip, 3);
    }

    #[test]
    fn a_recycled_source_slot_keeps_its_packet_counts() {
        let mut c = Conns::new(RULES, 16);
        // 10.0.0.9 sends as a responder first: its packets enter the source table
        let x = conn(1, 9, 53, true);
        c.new_flow(&x, [0; 6]).unwrap();
        c.packet(v4(1), 7).unwrap();
        c.packet(v4(9), 10).unwrap();
        // then starts a connection of its own, which ends: its source entry leaves
        let own = conn(9, 3, 80, false);
        c.new_flow(&own, [0; 6]).unwrap();
        assert_eq!(c.totals.sips, 1, "an address seen as a responder first is no new source");
        c.end_flow(&own, v4(9), true);
        // the responder's flow no longer finds its source: T2's stray read
        let e = c.end_flow(&x, v4(9), true);
        assert_eq!((e.pkts, e.bytes), (0, stray_bytes(16)));
        // a new source takes the slot freed last (10.0.0.1's) with the counts left in it
        let next = conn(7, 3, 80, false);
        c.new_flow(&next, [0; 6]).unwrap();
        c.packet(v4(7), 5).unwrap();
        assert_eq!(c.end_flow(&next, v4(7), true).bytes, 12);
    }

    #[test]
    fn mac_spoofing_counts_other_macs_of_an_address() {
        let mut c = Conns::new(Rules { mac_spoof: true, ..RULES }, 16);
        c.new_flow(&conn(1, 2, 80, false), [1; 6]).unwrap();
        c.new_flow(&conn(1, 3, 80, false), [2; 6]).unwrap();
        c.new_flow(&conn(1, 4, 80, false), [1; 6]).unwrap();
        assert_eq!(c.end_flow(&conn(1, 4, 80, false), v4(1), true).mac_spoof, 2);
    }

    #[test]
    fn full_tables_are_reported_and_ends_without_entries_write_zeros() {
        let mut c = Conns::new(RULES, 1);
        c.new_flow(&conn(1, 2, 80, false), [0; 6]).unwrap();
        assert_eq!(c.new_flow(&conn(3, 4, 80, false), [0; 6]), Err(Full("ipP")));
        assert_eq!(c.packet(v4(5), 1), Err(Full("ipS")));
        let e = c.end_flow(&conn(3, 4, 80, false), v4(3), true);
        assert_eq!(e.missing, Missing { pair: true, port: true, src: true, dst: true });
        assert_eq!((e.sip, e.dip, e.sip_dip, e.sip_dprt, e.pkts, e.bytes), (0, 0, 0, 0, 0, 0));
    }
}
