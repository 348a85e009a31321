//! A bounded map from keys to numbered slots, handing out slot numbers the way T2's
//! `hashTable` does, with one value per slot.
//!
//! T2's connStat keeps its counters in arrays indexed by the slot number its hash tables give
//! each key, and never clears a slot when its key is removed: a key inserted later into a
//! recycled slot starts from what the old key left there (the packet and byte counts of
//! `connNumPCnt`/`connNumBCnt` do). To write the same numbers, [`Table`] recycles slots in
//! T2's order: its free list starts as 0, 1, 2, ... and a removed slot goes back to its front.

use std::collections::HashMap;
use std::hash::Hash;

/// Keys mapped to slot numbers below a fixed capacity, each slot holding a `V`.
///
/// Memory grows with the keys present (slots are allocated as they are first handed out), up to
/// `capacity` slots; no operation allocates once the map has held its peak number of keys.
#[derive(Debug)]
pub struct Table<K, V> {
    slots: HashMap<K, u32, foldhash::fast::RandomState>,
    /// Removed slots, the most recent last: the next insertion takes it.
    free: Vec<u32>,
    /// One value per slot ever handed out; recycled slots keep their value.
    values: Vec<V>,
    capacity: u32,
}

impl<K: Hash + Eq, V: Default> Table<K, V> {
    /// An empty table of at most `capacity` keys.
    pub fn new(capacity: u32) -> Table<K, V> {
        Table { slots: HashMap::default(), free: Vec::new(), values: Vec::new(), capacity }
    }

    /// The slot of `key`, if present.
    #[inline]
    pub fn lookup(&self, key: &K) -> Option<u32> {
        self.slots.get(key).copied()
    }

    /// Puts `key` (which must be absent) into the most recently freed slot, else the lowest
    /// never used one. The slot keeps the value it held. `None` when the table is full.
    pub fn insert(&mut self, key: K) -> Option<u32> {
        let slot = match self.free.pop() {
            Some(s) => s,
            None if (self.values.len() as u64) < u64::from(self.capacity) => {
                self.values.push(V::default());
                self.values.len() as u32 - 1
            }
            None => return None,
        };
        self.slots.insert(key, slot);
        Some(slot)
    }

    /// Removes `key`; its slot goes to the front of the free list, its value stays.
    pub fn remove(&mut self, key: &K) {
        if let Some(slot) = self.slots.remove(key) {
            self.free.push(slot);
        }
    }

    /// The value in `slot` (a slot [`Table::insert`] handed out).
    #[inline]
    pub fn value(&self, slot: u32) -> &V {
        &self.values[slot as usize]
    }

    /// The value in `slot`, mutable.
    #[inline]
    pub fn value_mut(&mut self, slot: u32) -> &mut V {
        &mut self.values[slot as usize]
    }

    /// Number of keys present.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// True when no key is present.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_recycled_most_recent_first_and_keep_their_value() {
        let mut t: Table<u8, u32> = Table::new(4);
        assert_eq!([t.insert(10), t.insert(11), t.insert(12)], [Some(0), Some(1), Some(2)]);
        *t.value_mut(1) = 7;
        t.remove(&11);
        t.remove(&10);
        assert_eq!(t.lookup(&11), None);
        assert_eq!(t.insert(13), Some(0));
        assert_eq!(t.insert(14), Some(1));
        assert_eq!(*t.value(1), 7, "a recycled slot keeps what its last key left");
        assert_eq!(t.insert(15), Some(3));
        assert_eq!(t.len(), 4);
    }

    #[test]
    fn a_full_table_refuses_new_keys() {
        let mut t: Table<u8, u32> = Table::new(2);
        assert!(t.insert(1).is_some() && t.insert(2).is_some());
        assert_eq!(t.insert(3), None);
        t.remove(&1);
        t.remove(&9); // absent: nothing freed
        assert_eq!(t.insert(3), Some(0));
        assert_eq!(t.insert(4), None);
        assert!(!t.is_empty());
    }
}
