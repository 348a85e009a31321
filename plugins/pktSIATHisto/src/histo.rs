//! One flow's packet-size × IAT-bin histogram (T2's packet-size tree of IAT trees).
//!
//! Kept sorted by (size, bin): the order T2 prints its trees in. Most flows hold few pairs
//! (in the benchmark capture 84 % of the flows have at most three packets), so the first
//! [`INLINE`] live in the flow's slot; a flow with more moves them into a vector of a
//! [`SparseSlots`] pool (its "spill"), given back at the flow's end and reused with its memory,
//! so a packet allocates only when its flow holds more pairs than any earlier spilled flow. A
//! run-wide budget (`PSIAT_NDPLF` × flow table size, T2's node pool) bounds the total.

use plugin_api::SparseSlots;
use plugin_api::abi::Timestamp;

/// Entries a flow keeps in its slot.
pub const INLINE: usize = 3;

/// Entries a spill keeps after its flow ends: one that held a huge flow gives the rest back.
const KEEP: usize = 256;

/// The spills of the flows with more than [`INLINE`] entries.
pub type Spills = SparseSlots<Vec<Entry>>;

/// Packets of one (packet size, IAT bin) pair.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Entry {
    /// Packet size (T2's signed 32-bit key, printed as 16 bits).
    pub size: i32,
    /// IAT bin.
    pub bin: u32,
    /// Packets.
    pub cnt: u32,
}

/// One flow's histogram: its first entries, or a mark that they are in its spill.
#[derive(Clone, Debug, Default)]
pub struct Histo {
    inline: [Entry; INLINE],
    /// Entries in `inline`, or [`SPILLED`].
    n: u8,
    /// Time of the previous packet (seconds 0: none yet, T2's marker).
    last: Timestamp,
}

/// [`Histo::n`] of a flow whose entries are in its spill.
const SPILLED: u8 = u8::MAX;

/// The run-wide limit on entries of all flows in memory.
#[derive(Clone, Copy, Debug, Default)]
pub struct Budget {
    /// Entries in use.
    pub used: u64,
    /// Entries allowed.
    pub limit: u64,
}

/// Finds `(size, bin)` in sorted entries.
fn search(entries: &[Entry], size: i32, bin: u32) -> Result<usize, usize> {
    entries.binary_search_by(|e| (e.size, e.bin).cmp(&(size, bin)))
}

impl Histo {
    /// Empties the histogram for a new flow (its spill, if any, was given back at its end).
    pub fn clear(&mut self) {
        self.n = 0;
        self.last = Timestamp::default();
    }

    /// Whether the entries are in the flow's spill.
    pub fn spilled(&self) -> bool {
        self.n == SPILLED
    }

    /// The entries, by size then bin (`spill`: the flow's, if [`Histo::spilled`]).
    pub fn entries<'a>(&'a self, spill: Option<&'a Vec<Entry>>) -> &'a [Entry] {
        if self.spilled() { spill.map_or(&[], |v| v.as_slice()) } else { &self.inline[..usize::from(self.n)] }
    }

    /// The IAT from the previous packet (0 for the first) of a packet at `ts`.
    pub fn iat(&mut self, ts: Timestamp) -> Timestamp {
        let iat = if self.last.sec != 0 { ts.timersub(self.last) } else { Timestamp::default() };
        self.last = ts;
        iat
    }

    /// Counts a packet of `size` in `bin`; false when the pair is new and the budget is spent
    /// (the packet is then not counted). `spill` gives the flow's spill, claimed (empty) if it
    /// had none; it is called only when the entries are or go there.
    pub fn count<'a>(
        &mut self,
        size: i32,
        bin: u32,
        budget: &mut Budget,
        spill: impl FnOnce() -> &'a mut Vec<Entry>,
    ) -> bool {
        if self.spilled() {
            let v = spill();
            return match search(v, size, bin) {
                Ok(i) => Self::add(&mut v[i]),
                Err(_) if budget.used >= budget.limit => false,
                Err(i) => {
                    budget.used += 1;
                    v.insert(i, Entry { size, bin, cnt: 1 });
                    true
                }
            };
        }
        let n = usize::from(self.n);
        match search(&self.inline[..n], size, bin) {
            Ok(i) => Self::add(&mut self.inline[i]),
            Err(_) if budget.used >= budget.limit => false,
            Err(i) => {
                budget.used += 1;
                let e = Entry { size, bin, cnt: 1 };
                if n < INLINE {
                    self.inline.copy_within(i..n, i + 1);
                    self.inline[i] = e;
                    self.n += 1;
                } else {
                    let v = spill();
                    v.clear();
                    v.extend_from_slice(&self.inline[..i]);
                    v.push(e);
                    v.extend_from_slice(&self.inline[i..]);
                    self.n = SPILLED;
                }
                true
            }
        }
    }

    /// One more packet of an entry.
    fn add(e: &mut Entry) -> bool {
        e.cnt = e.cnt.wrapping_add(1);
        true
    }

    /// The flow ended: returns its entries to the budget, and its spill's memory beyond
    /// [`KEEP`] entries (the caller then gives the spill back).
    pub fn release(&mut self, budget: &mut Budget, spill: Option<&mut Vec<Entry>>) {
        if self.spilled() {
            if let Some(v) = spill {
                budget.used -= v.len() as u64;
                v.clear();
                v.shrink_to(KEEP);
            }
        } else {
            budget.used -= u64::from(self.n);
        }
        self.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_by_size_then_bin_and_bounded() {
        let mut h = Histo::default();
        let mut spill = Vec::new();
        let mut budget = Budget { used: 0, limit: 10 };
        for (size, bin) in [(70, 17), (50, 0), (70, 16), (70, 17)] {
            assert!(h.count(size, bin, &mut budget, || unreachable!("three pairs fit in the slot")));
        }
        let got = |h: &Histo, spill: &Vec<Entry>| -> Vec<(i32, u32, u32)> {
            h.entries(Some(spill)).iter().map(|e| (e.size, e.bin, e.cnt)).collect()
        };
        assert_eq!(got(&h, &spill), [(50, 0, 1), (70, 16, 1), (70, 17, 2)]);
        // a fourth pair moves them all into the spill
        spill.push(Entry::default()); // a reused spill's old content
        assert!(h.count(-1, 3, &mut budget, || &mut spill));
        assert!(h.count(70, 16, &mut budget, || &mut spill));
        assert!(h.spilled());
        assert_eq!(got(&h, &spill), [(-1, 3, 1), (50, 0, 1), (70, 16, 2), (70, 17, 2)]);
        // the budget counts entries, not packets
        assert_eq!(budget.used, 4);
        h.release(&mut budget, Some(&mut spill));
        assert_eq!((budget.used, spill.len(), h.entries(None).len()), (0, 0, 0));
    }

    #[test]
    fn the_budget_stops_new_pairs_only() {
        let mut h = Histo::default();
        let mut budget = Budget { used: 0, limit: 1 };
        let no_spill = || -> &mut Vec<Entry> { unreachable!("one pair fits in the slot") };
        assert!(h.count(10, 0, &mut budget, no_spill));
        assert!(!h.count(10, 1, &mut budget, no_spill));
        assert!(h.count(10, 0, &mut budget, no_spill));
        assert_eq!(h.entries(None), [Entry { size: 10, bin: 0, cnt: 2 }]);
        h.release(&mut budget, None);
        assert_eq!(budget.used, 0);
        assert!(h.entries(None).is_empty());
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
