//! One flow's packet-size × IAT-bin histogram (T2's packet-size tree of IAT trees).
//!
//! Kept as a vector sorted by (size, bin): the order T2 prints its trees in. The vector keeps
//! its memory from flow to flow in the same slot, so a packet allocates only when its flow
//! holds more distinct (size, bin) pairs than any earlier flow of the slot; a run-wide budget
//! (`PSIAT_NDPLF` × flow table size, T2's node pool) bounds the total.

use plugin_api::abi::Timestamp;

/// Entries kept in a slot's vector after its flow ends: a slot that held a huge flow gives
/// the rest back.
const KEEP: usize = 256;

/// Packets of one (packet size, IAT bin) pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Packet size (T2's signed 32-bit key, printed as 16 bits).
    pub size: i32,
    /// IAT bin.
    pub bin: u32,
    /// Packets.
    pub cnt: u32,
}

/// One flow's histogram.
#[derive(Clone, Debug, Default)]
pub struct Histo {
    entries: Vec<Entry>,
    /// Time of the previous packet (seconds 0: none yet, T2's marker).
    last: Timestamp,
}

/// The run-wide limit on entries of all flows in memory.
#[derive(Clone, Copy, Debug, Default)]
pub struct Budget {
    /// Entries in use.
    pub used: u64,
    /// Entries allowed.
    pub limit: u64,
}

impl Histo {
    /// Empties the histogram for a new flow, keeping its memory.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.last = Timestamp::default();
    }

    /// The entries, by size then bin.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The IAT from the previous packet (0 for the first) of a packet at `ts`.
    pub fn iat(&mut self, ts: Timestamp) -> Timestamp {
        let iat = if self.last.sec != 0 { ts.timersub(self.last) } else { Timestamp::default() };
        self.last = ts;
        iat
    }

    /// Counts a packet of `size` in `bin`; false when the pair is new and the budget is spent
    /// (the packet is then not counted).
    pub fn count(&mut self, size: i32, bin: u32, budget: &mut Budget) -> bool {
        match self.entries.binary_search_by(|e| (e.size, e.bin).cmp(&(size, bin))) {
            Ok(i) => {
                let e = &mut self.entries[i];
                e.cnt = e.cnt.wrapping_add(1);
                true
            }
            Err(_) if budget.used >= budget.limit => false,
            Err(i) => {
                budget.used += 1;
                self.entries.insert(i, Entry { size, bin, cnt: 1 });
                true
            }
        }
    }

    /// The flow ended: returns its entries to the budget, and memory beyond [`KEEP`] entries.
    pub fn release(&mut self, budget: &mut Budget) {
        budget.used -= self.entries.len() as u64;
        self.clear();
        self.entries.shrink_to(KEEP);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_by_size_then_bin_and_bounded() {
        let mut h = Histo::default();
        let mut budget = Budget { used: 0, limit: 10 };
        for (size, bin) in [(70, 17), (50, 0), (70, 16), (70, 17), (-1, 3)] {
            assert!(h.count(size, bin, &mut budget));
        }
        let got: Vec<(i32, u32, u32)> = h.entries().iter().map(|e| (e.size, e.bin, e.cnt)).collect();
        assert_eq!(got, [(-1, 3, 1), (50, 0, 1), (70, 16, 1), (70, 17, 2)]);
        // the budget counts entries, not packets
        assert_eq!(budget.used, 4);
    }

    #[test]
    fn the_budget_stops_new_pairs_only() {
        let mut h = Histo::default();
        let mut budget = Budget { used: 0, limit: 1 };
        assert!(h.count(10, 0, &mut budget));
        assert!(!h.count(10, 1, &mut budget));
        assert!(h.count(10, 0, &mut budget));
        assert_eq!(h.entries(), [Entry { size: 10, bin: 0, cnt: 2 }]);
        h.release(&mut budget);
        assert_eq!(budget.used, 0);
        assert!(h.entries().is_empty());
    }

    #[test]
    fn iat_from_the_previous_packet() {
        let mut h = Histo::default();
        assert_eq!(h.iat(Timestamp { sec: 5, frac: 900 }), Timestamp::default());
        assert_eq!(h.iat(Timestamp { sec: 6, frac: 100 }), Timestamp { sec: 0, frac: 999_999_200 });
        // T2 takes seconds 0 for "no packet yet"
        let mut h = Histo::default();
        h.iat(Timestamp { sec: 0, frac: 5 });
        assert_eq!(h.iat(Timestamp { sec: 0, frac: 9 }), Timestamp::default());
    }
}
