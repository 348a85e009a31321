//! The MAC address pairs of every flow: (destination, source) as the Ethernet header holds them,
//! with a packet count each, in order of appearance.
//!
//! Most flows see one pair, a few (load balancing, misconfigured routers) several. A flow slot
//! holds the head of a list whose nodes come from one pool shared by all flows, as in T2: the pool
//! is reserved at `init` (twice the flow capacity), and like the slots (8 bytes each, allocated
//! zeroed) only touched as flows use it: memory follows the flows actually live. Adding a pair
//! never allocates.

/// macStat bit: the flow had more than `MR_MAX_MAC` pairs (or the pool was exhausted); the
/// pairs beyond were not counted.
pub const MR_F_OVRN: u8 = 0x01;

/// No node (end of a list).
const NIL: u32 = u32::MAX;

/// One pair of a flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pair {
    /// Destination then source MAC, the first 12 bytes of the Ethernet header.
    pub dst_src: [u8; 12],
    /// Packets seen with this pair.
    pub pkts: u64,
}

impl Pair {
    /// The source MAC.
    pub fn src(&self) -> [u8; 6] {
        src_dst(self.dst_src).0
    }

    /// The destination MAC.
    pub fn dst(&self) -> [u8; 6] {
        src_dst(self.dst_src).1
    }
}

/// (source, destination) MAC of the first 12 bytes of an Ethernet header.
pub fn src_dst(dst_src: [u8; 12]) -> ([u8; 6], [u8; 6]) {
    let [a, b, c, d, e, f, g, h, i, j, k, l] = dst_src;
    ([g, h, i, j, k, l], [a, b, c, d, e, f])
}

#[derive(Clone, Copy, Debug)]
struct Node {
    pair: Pair,
    next: u32,
}

/// What a flow slot holds, packed in a `u64` so that the slot array is allocated zeroed (its
/// pages are only touched by the flows that use them): bits 0-31 the head node + 1 (0: no
/// pair), 32-47 the flow's Ethertype (of its first packet, for the labels), 48-62 the number of
/// pairs, 63 [`MR_F_OVRN`].
trait Slot: Copy {
    fn head(self) -> u32;
    fn set_head(&mut self, node: u32);
    fn ethertype(self) -> u16;
    fn count(self) -> u16;
    fn set_count(&mut self, n: u16);
    fn stat(self) -> u8;
    fn overflow(&mut self);
}

/// A slot of a new flow of Ethertype `ethertype`.
fn new_slot(ethertype: u16) -> u64 {
    u64::from(ethertype) << 32
}

impl Slot for u64 {
    fn head(self) -> u32 {
        (self as u32).wrapping_sub(1) // 0 (no pair) becomes NIL
    }

    fn set_head(&mut self, node: u32) {
        *self = *self & !0xFFFF_FFFF | u64::from(node.wrapping_add(1));
    }

    fn ethertype(self) -> u16 {
        (self >> 32) as u16
    }

    fn count(self) -> u16 {
        (self >> 48) as u16 & 0x7FFF
    }

    fn set_count(&mut self, n: u16) {
        *self = *self & !(0x7FFF << 48) | u64::from(n & 0x7FFF) << 48;
    }

    fn stat(self) -> u8 {
        (self >> 63) as u8 * MR_F_OVRN
    }

    fn overflow(&mut self) {
        *self |= 1 << 63;
    }
}

/// The pairs of all flow slots.
#[derive(Debug, Default)]
pub struct Pairs {
    slots: Vec<u64>,
    nodes: Vec<Node>,
    /// First free node (freed nodes are chained through `next`).
    free: u32,
    /// `MR_MAX_MAC`.
    max: u16,
}

impl Pairs {
    /// Room for `capacity` flow slots of at most `max` pairs each (`MR_MAX_MAC`, capped at
    /// 32767); the pool holds `2 × capacity` nodes.
    pub fn new(capacity: usize, max: u32) -> Pairs {
        Pairs {
            slots: vec![0; capacity], // zeroed: untouched pages cost nothing
            nodes: Vec::with_capacity(2 * capacity),
            free: NIL,
            max: u16::try_from(max).unwrap_or(u16::MAX).min(0x7FFF),
        }
    }

    /// Starts slot `slot` for a new flow of Ethertype `ethertype`: its old pairs return to
    /// the pool.
    pub fn reset(&mut self, slot: usize, ethertype: u16) {
        let Some(s) = self.slots.get_mut(slot) else { return };
        let mut n = s.head();
        *s = new_slot(ethertype);
        while let Some(node) = self.nodes.get_mut(n as usize) {
            let next = node.next;
            node.next = self.free;
            self.free = n;
            n = next;
        }
    }

    /// Counts a packet of slot `slot` with Ethernet addresses `dst_src`. A new pair beyond
    /// `MR_MAX_MAC`, or with the pool exhausted, sets [`MR_F_OVRN`] instead; once a flow has
    /// `MR_MAX_MAC` pairs, T2 counts no more packets of it, and neither does this.
    pub fn add(&mut self, slot: usize, dst_src: [u8; 12]) {
        let Some(s) = self.slots.get_mut(slot) else { return };
        if s.count() >= self.max {
            s.overflow();
            return;
        }
        let mut last = NIL;
        let mut n = s.head();
        while let Some(node) = self.nodes.get_mut(n as usize) {
            if node.pair.dst_src == dst_src {
                node.pair.pkts += 1;
                return;
            }
            last = n;
            n = node.next;
        }
        let node = Node { pair: Pair { dst_src, pkts: 1 }, next: NIL };
        let new = if self.free != NIL {
            let i = self.free;
            self.free = self.nodes[i as usize].next;
            self.nodes[i as usize] = node;
            i
        } else if self.nodes.len() < self.nodes.capacity() && self.nodes.len() < NIL as usize {
            self.nodes.push(node); // within the reserved capacity: no allocation
            (self.nodes.len() - 1) as u32
        } else {
            s.overflow();
            return;
        };
        match self.nodes.get_mut(last as usize) {
            Some(prev) => prev.next = new,
            None => s.set_head(new),
        }
        s.set_count(s.count() + 1);
    }

    /// The pairs of slot `slot`, in order of appearance.
    pub fn iter(&self, slot: usize) -> impl Iterator<Item = &Pair> + '_ {
        let mut n = self.slots.get(slot).map_or(NIL, |s| s.head());
        core::iter::from_fn(move || {
            let node = self.nodes.get(n as usize)?;
            n = node.next;
            Some(&node.pair)
        })
    }

    /// Number of pairs of slot `slot`.
    pub fn count(&self, slot: usize) -> u32 {
        self.slots.get(slot).map_or(0, |s| u32::from(s.count()))
    }

    /// The macStat bits of slot `slot`.
    pub fn stat(&self, slot: usize) -> u8 {
        self.slots.get(slot).map_or(0, |s| s.stat())
    }

    /// The Ethertype slot `slot` was started with.
    pub fn ethertype(&self, slot: usize) -> u16 {
        self.slots.get(slot).map_or(0, |s| s.ethertype())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn macs(d: u8, s: u8) -> [u8; 12] {
        [0, 0, 0, 0, 0, d, 0, 0, 0, 0, 0, s]
    }

    fn list(p: &Pairs, slot: usize) -> Vec<(u8, u8, u64)> {
        p.iter(slot).map(|x| (x.dst()[5], x.src()[5], x.pkts)).collect()
    }

    #[test]
    fn pairs_are_counted_in_order_of_appearance() {
        let mut p = Pairs::new(4, 16);
        p.reset(1, 0x0800);
        for (d, s) in [(1, 2), (1, 2), (3, 2), (1, 2), (1, 4), (3, 2)] {
            p.add(1, macs(d, s));
        }
        assert_eq!(list(&p, 1), [(1, 2, 3), (3, 2, 2), (1, 4, 1)]);
        assert_eq!((p.count(1), p.stat(1), p.ethertype(1)), (3, 0, 0x0800));
        assert_eq!(list(&p, 0), []);
        assert_eq!(p.count(3), 0);
    }

    #[test]
    fn a_reused_slot_starts_empty_and_nodes_are_recycled() {
        let mut p = Pairs::new(2, 16);
        p.reset(0, 0x0800);
        p.reset(1, 0x86dd);
        p.add(0, macs(1, 2));
        p.add(0, macs(2, 1));
        p.add(1, macs(5, 6));
        assert_eq!(p.nodes.len(), 3);
        p.reset(0, 0x0806);
        assert_eq!((p.count(0), p.stat(0), p.ethertype(0), list(&p, 0)), (0, 0, 0x0806, vec![]));
        p.add(0, macs(7, 8));
        p.add(0, macs(7, 9));
        assert_eq!(p.nodes.len(), 3, "freed nodes are used again");
        assert_eq!(list(&p, 0), [(7, 8, 1), (7, 9, 1)]);
        assert_eq!(list(&p, 1), [(5, 6, 1)]);
    }

    #[test]
    fn more_pairs_than_the_maximum_stop_the_counting() {
        let mut p = Pairs::new(1, 2);
        p.reset(0, 0);
        p.add(0, macs(1, 1));
        p.add(0, macs(2, 2));
        assert_eq!(p.stat(0), 0);
        p.add(0, macs(1, 1)); // a known pair, but the list is full: not counted (T2)
        p.add(0, macs(3, 3));
        assert_eq!(list(&p, 0), [(1, 1, 1), (2, 2, 1)]);
        assert_eq!(p.stat(0), MR_F_OVRN);
    }

    #[test]
    fn an_exhausted_pool_flags_the_flow_instead_of_allocating() {
        let mut p = Pairs::new(1, 16); // a pool of 2 nodes
        p.reset(0, 0);
        let cap = p.nodes.capacity();
        for i in 0..cap as u8 + 3 {
            p.add(0, macs(i, i));
        }
        assert_eq!(p.count(0) as usize, cap);
        assert_eq!(p.stat(0), MR_F_OVRN);
        assert_eq!(p.nodes.capacity(), cap);
    }

    #[test]
    fn a_slot_packs_its_fields() {
        let mut s = new_slot(0x86dd);
        assert_eq!((s.head(), s.count(), s.stat(), s.ethertype()), (NIL, 0, 0, 0x86dd));
        s.set_head(0);
        s.set_count(0x7FFF);
        s.overflow();
        assert_eq!((s.head(), s.count(), s.stat(), s.ethertype()), (0, 0x7FFF, MR_F_OVRN, 0x86dd));
        s.set_head(NIL - 1);
        s.set_count(3);
        assert_eq!((s.head(), s.count(), s.stat(), s.ethertype()), (NIL - 1, 3, MR_F_OVRN, 0x86dd));
        assert_eq!(0.head(), NIL);
    }

    #[test]
    fn slots_out_of_range_are_ignored() {
        let mut p = Pairs::new(1, 16);
        p.reset(5, 0);
        p.add(5, macs(1, 1));
        assert_eq!((p.count(5), p.stat(5), p.ethertype(5), p.iter(5).count()), (0, 0, 0, 0));
    }
}
