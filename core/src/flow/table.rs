//! The flow table: a dense array of flow records indexed by flow slot, a hash index from key
//! to slot, and T2's LRU list with timeout-handler sentinels (core.md §4.2-§4.4).
//!
//! Slots are handed out LIFO from a free stack as T2 does. The LRU list is intrusive, by slot
//! number: nodes `0..capacity` are flows, then the head, the tail and one sentinel per timeout
//! handler. The head side holds the most recently seen flows.

use core::hash::{BuildHasher, Hasher};

use hashbrown::HashTable;
use plugin_api::abi::{FlowKey, FlowRecord, Timestamp};

/// Hashes a key as four integers: the derived `Hash` feeds every field (and each array's
/// length) separately, which made hashing the single most expensive step per packet.
#[inline]
fn hash_key(hasher: &foldhash::fast::RandomState, key: &FlowKey) -> u64 {
    let mut h = hasher.build_hasher();
    h.write_u128(u128::from_ne_bytes(key.src_ip));
    h.write_u128(u128::from_ne_bytes(key.dst_ip));
    let m = &key.dst_mac;
    let s = &key.src_mac;
    h.write_u64(u64::from_ne_bytes([m[0], m[1], m[2], m[3], m[4], m[5], s[0], s[1]]));
    let [e0, e1] = key.eth_type.to_ne_bytes();
    h.write_u64(u64::from_ne_bytes([s[2], s[3], s[4], s[5], e0, e1, key.l4_proto, key.pad]));
    h.write_u64(u64::from(key.vlan_id) | u64::from(key.src_port) << 16 | u64::from(key.dst_port) << 32);
    h.finish()
}

/// No node.
const NIL: u32 = u32::MAX;

#[derive(Clone, Copy, Debug)]
struct Link {
    prev: u32,
    next: u32,
}

/// A timeout handler: its timeout and the LRU sentinel it walks from.
#[derive(Clone, Copy, Debug)]
pub struct Handler {
    /// Timeout in seconds.
    pub timeout: f32,
    sentinel: u32,
}

/// Flow records, key index and LRU list.
pub struct FlowTable {
    flows: Box<[FlowRecord]>,
    links: Vec<Link>,
    index: HashTable<u32>,
    hasher: foldhash::fast::RandomState,
    free: Vec<u32>,
    handlers: Vec<Handler>,
    head: u32,
    tail: u32,
}

impl core::fmt::Debug for FlowTable {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("FlowTable").field("capacity", &self.flows.len()).field("in_use", &self.len()).finish()
    }
}

/// T2's idle time of a flow: whole seconds converted to `float`, plus the fraction, in `float`.
#[inline]
pub fn idle(now: Timestamp, last: Timestamp) -> f32 {
    let secs = now.sec.wrapping_sub(last.sec) as f32;
    (f64::from(secs) + now.frac.wrapping_sub(last.frac) as f64 / 1e9) as f32
}

impl FlowTable {
    /// A table of `capacity` flow slots (T2: `262144 × hash factor`).
    pub fn new(capacity: usize) -> FlowTable {
        let capacity = capacity.clamp(1, (u32::MAX - 64) as usize);
        let flows: Box<[FlowRecord]> = (0..capacity as u64).map(FlowRecord::empty).collect();
        let head = capacity as u32;
        let tail = head + 1;
        let mut links = vec![Link { prev: NIL, next: NIL }; capacity + 2];
        links[head as usize].next = tail;
        links[tail as usize].prev = head;
        FlowTable {
            flows,
            links,
            index: HashTable::with_capacity(capacity),
            hasher: foldhash::fast::RandomState::default(),
            // popped from the end: slot 0 is handed out first
            free: (0..capacity as u32).rev().collect(),
            handlers: Vec::new(),
            head,
            tail,
        }
    }

    /// Number of slots.
    pub fn capacity(&self) -> usize {
        self.flows.len()
    }

    /// Flows in memory.
    pub fn len(&self) -> usize {
        self.flows.len() - self.free.len()
    }

    /// True when no flow is in memory.
    pub fn is_empty(&self) -> bool {
        self.free.len() == self.flows.len()
    }

    /// True when every slot is taken.
    pub fn is_full(&self) -> bool {
        self.free.is_empty()
    }

    /// All records (the slice handed to plugins).
    pub fn records(&self) -> &[FlowRecord] {
        &self.flows
    }

    /// The record in `slot`.
    pub fn get(&self, slot: u32) -> &FlowRecord {
        &self.flows[slot as usize]
    }

    /// The record in `slot`, mutable.
    pub fn get_mut(&mut self, slot: u32) -> &mut FlowRecord {
        &mut self.flows[slot as usize]
    }

    fn hash(&self, key: &FlowKey) -> u64 {
        hash_key(&self.hasher, key)
    }

    /// The slot of the flow with `key`.
    #[inline]
    pub fn lookup(&self, key: &FlowKey) -> Option<u32> {
        let flows = &self.flows;
        self.index.find(self.hash(key), |&s| flows[s as usize].key == *key).copied()
    }

    /// Takes a free slot for `key` and indexes it; the record is reset to a fresh flow with
    /// the default timeout. The caller must check [`FlowTable::is_full`] first.
    pub fn insert(&mut self, key: FlowKey, ts: Timestamp, timeout: f32) -> u32 {
        let slot = self.free.pop().expect("caller checks is_full");
        let rec = &mut self.flows[slot as usize];
        *rec = FlowRecord::empty(u64::from(slot));
        rec.key = key;
        rec.first_seen = ts;
        rec.last_seen = ts;
        rec.timeout.set(timeout);
        let h = self.hash(&key);
        let (flows, hasher) = (&self.flows, &self.hasher);
        self.index.insert_unique(h, slot, |&s| hash_key(hasher, &flows[s as usize].key));
        slot
    }

    /// Removes `slot` from the index and the LRU list and frees it.
    pub fn remove(&mut self, slot: u32) {
        let key = self.flows[slot as usize].key;
        if let Ok(entry) = self.index.find_entry(self.hash(&key), |&s| s == slot) {
            entry.remove();
        }
        self.unlink(slot);
        self.free.push(slot);
    }

    fn unlink(&mut self, n: u32) {
        let Link { prev, next } = self.links[n as usize];
        if prev != NIL {
            self.links[prev as usize].next = next;
        }
        if next != NIL {
            self.links[next as usize].prev = prev;
        }
        self.links[n as usize] = Link { prev: NIL, next: NIL };
    }

    fn link_after(&mut self, n: u32, at: u32) {
        let next = self.links[at as usize].next;
        self.links[n as usize] = Link { prev: at, next };
        self.links[next as usize].prev = n;
        self.links[at as usize].next = n;
    }

    /// Moves `slot` to the head of the LRU list (T2's `updateLRUList`).
    #[inline]
    pub fn touch(&mut self, slot: u32) {
        if self.links[self.head as usize].next != slot {
            self.unlink(slot);
            self.link_after(slot, self.head);
        }
    }

    /// The node before `n` (towards the head).
    pub fn prev(&self, n: u32) -> u32 {
        self.links[n as usize].prev
    }

    /// The head node (not a flow).
    pub fn head(&self) -> u32 {
        self.head
    }

    /// The tail node (not a flow).
    pub fn tail(&self) -> u32 {
        self.tail
    }

    /// True when `n` is a flow slot (not head, tail or a sentinel).
    pub fn is_flow(&self, n: u32) -> bool {
        (n as usize) < self.flows.len()
    }

    /// Registers a timeout value (T2's `timeout_handler_add`): a sentinel before the tail,
    /// handlers kept sorted by timeout, largest first. Duplicates are ignored.
    pub fn add_handler(&mut self, timeout: f32) {
        if self.handlers.iter().any(|h| h.timeout == timeout) {
            return;
        }
        let sentinel = self.links.len() as u32;
        self.links.push(Link { prev: NIL, next: NIL });
        let before_tail = self.links[self.tail as usize].prev;
        self.link_after(sentinel, before_tail);
        let pos = self.handlers.iter().position(|h| timeout > h.timeout).unwrap_or(self.handlers.len());
        self.handlers.insert(pos, Handler { timeout, sentinel });
    }

    /// Registered handlers, largest timeout first.
    pub fn handlers(&self) -> &[Handler] {
        &self.handlers
    }

    /// The node T2 starts a handler's walk from: just head-side of its sentinel.
    pub fn walk_start(&self, h: &Handler) -> u32 {
        self.links[h.sentinel as usize].prev
    }

    /// Moves the handler's sentinel to just tail-side of `after`.
    pub fn place_sentinel(&mut self, h: &Handler, after: u32) {
        if self.links[h.sentinel as usize].prev == after {
            return;
        }
        self.unlink(h.sentinel);
        self.link_after(h.sentinel, after);
    }

    /// The least recently seen flow (skipping sentinels), if any.
    pub fn oldest(&self) -> Option<u32> {
        let mut n = self.links[self.tail as usize].prev;
        while n != self.head {
            if self.is_flow(n) {
                return Some(n);
            }
            n = self.links[n as usize].prev;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8) -> FlowKey {
        FlowKey { src_ip: [n; 16], l4_proto: 6, ..FlowKey::default() }
    }

    #[test]
    fn insert_lookup_remove_reuses_slots_lifo() {
        let mut t = FlowTable::new(4);
        let a = t.insert(key(1), Timestamp::default(), 182.0);
        let b = t.insert(key(2), Timestamp::default(), 182.0);
        assert_eq!((a, b), (0, 1));
        assert_eq!(t.lookup(&key(1)), Some(a));
        assert_eq!(t.lookup(&key(3)), None);
        t.remove(a);
        assert_eq!(t.lookup(&key(1)), None);
        assert_eq!(t.lookup(&key(2)), Some(b));
        assert_eq!(t.insert(key(3), Timestamp::default(), 182.0), a);
        assert_eq!(t.len(), 2);
    }

    #[test]
    fn lru_order_and_sentinels() {
        let mut t = FlowTable::new(8);
        t.add_handler(182.0);
        t.add_handler(10.0);
        t.add_handler(610.0);
        t.add_handler(10.0);
        let tos: Vec<f32> = t.handlers().iter().map(|h| h.timeout).collect();
        assert_eq!(tos, vec![610.0, 182.0, 10.0]);
        let a = t.insert(key(1), Timestamp::default(), 182.0);
        t.touch(a);
        let b = t.insert(key(2), Timestamp::default(), 182.0);
        t.touch(b);
        assert_eq!(t.oldest(), Some(a));
        t.touch(a);
        assert_eq!(t.oldest(), Some(b));
        t.remove(b);
        assert_eq!(t.oldest(), Some(a));
        t.remove(a);
        assert_eq!(t.oldest(), None);
        assert!(t.is_empty());
    }

    #[test]
    fn full_table_reports_full() {
        let mut t = FlowTable::new(2);
        t.insert(key(1), Timestamp::default(), 1.0);
        t.insert(key(2), Timestamp::default(), 1.0);
        assert!(t.is_full());
    }

    #[test]
    fn idle_time_is_float_like_t2() {
        let now = Timestamp { sec: 200, frac: 100 };
        let last = Timestamp { sec: 18, frac: 500_000_000 };
        assert!(idle(now, last) < 182.0);
        // 182 s minus 100 ns rounds to 182 in a float, so the flow counts as idle (as in T2)
        assert!(idle(now, Timestamp { sec: 18, frac: 200 }) >= 182.0);
        assert!(idle(Timestamp { sec: 200, frac: 0 }, Timestamp { sec: 18, frac: 0 }) >= 182.0);
    }
}
