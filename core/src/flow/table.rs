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

/// Flows the key index holds from the start, without growing. Growing rehashes every key, each
/// read from its record (a cache miss per flow), which cost ~5% of a run without plugins; this
/// much costs ~0.5 MB of control bytes up front (the buckets are only touched when used).
const INDEX_START: usize = 1 << 18;

/// Node numbers from here on are the list's own nodes (head, tail, one sentinel per timeout
/// handler), kept apart from flow slots so that the flow nodes can grow with the flows.
const SPECIAL: u32 = 0xFFFF_0000;
const HEAD: u32 = SPECIAL;
const TAIL: u32 = SPECIAL + 1;

#[derive(Clone, Copy, Debug)]
struct Link {
    prev: u32,
    next: u32,
}

const UNLINKED: Link = Link { prev: NIL, next: NIL };

/// A timeout handler: its timeout and the LRU sentinel it walks from.
#[derive(Clone, Copy, Debug)]
pub struct Handler {
    /// Timeout in seconds.
    pub timeout: f32,
    sentinel: u32,
}

/// Memory for more flows could not be allocated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutOfMemory {
    /// Flows the table held when it tried to grow.
    pub flows: usize,
}

impl core::fmt::Display for OutOfMemory {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Failed to allocate memory for more than {} flows", self.flows)
    }
}

/// Flow records, key index and LRU list.
///
/// Memory follows the flows: records, links and index grow as slots are first handed out (up
/// to `capacity`, T2's fixed table size, where the hash autopilot takes over), so a small
/// capture costs little even with a large `-f`.
pub struct FlowTable {
    /// Records of every slot handed out so far (`len()` is the peak number of flows).
    flows: Vec<FlowRecord>,
    /// LRU links of the flow slots, in step with `flows`.
    links: Vec<Link>,
    /// LRU links of the head, the tail and the sentinels (node `SPECIAL + i`).
    special: Vec<Link>,
    index: HashTable<u32>,
    hasher: foldhash::fast::RandomState,
    /// Slots freed by removed flows, reused last-in first-out.
    free: Vec<u32>,
    capacity: usize,
    handlers: Vec<Handler>,
}

impl core::fmt::Debug for FlowTable {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("FlowTable").field("capacity", &self.capacity).field("in_use", &self.len()).finish()
    }
}

/// T2's idle time of a flow: whole seconds converted to `float`, plus the fraction, in `float`.
#[inline]
pub fn idle(now: Timestamp, last: Timestamp) -> f32 {
    let secs = now.sec.wrapping_sub(last.sec) as f32;
    (f64::from(secs) + now.frac.wrapping_sub(last.frac) as f64 / 1e9) as f32
}

impl FlowTable {
    /// The most flow slots a table holds: its 32-bit slot index, less the special nodes.
    pub const MAX_CAPACITY: usize = SPECIAL as usize;

    /// A table of `capacity` flow slots (T2: `262144 × hash factor`); nothing is allocated
    /// for them until flows arrive.
    pub fn new(capacity: usize) -> FlowTable {
        let capacity = capacity.clamp(1, Self::MAX_CAPACITY);
        let mut special = vec![UNLINKED; 2];
        special[0].next = TAIL;
        special[1].prev = HEAD;
        FlowTable {
            flows: Vec::new(),
            links: Vec::new(),
            special,
            index: HashTable::with_capacity(capacity.min(INDEX_START)),
            hasher: foldhash::fast::RandomState::default(),
            free: Vec::new(),
            capacity,
            handlers: Vec::new(),
        }
    }

    /// Number of slots the table may hold.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Number of slots handed out so far (records that exist; the peak of [`FlowTable::len`]).
    pub fn slots(&self) -> usize {
        self.flows.len()
    }

    /// Flows in memory.
    pub fn len(&self) -> usize {
        self.flows.len() - self.free.len()
    }

    /// True when no flow is in memory.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True when every slot is taken.
    pub fn is_full(&self) -> bool {
        self.len() >= self.capacity
    }

    /// The records of every slot handed out so far (the slice handed to plugins).
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

    /// A free slot: the last one freed, else a new one. Growing reserves room for the index
    /// and the free list too, so that neither allocates (or fails) later.
    fn take_free(&mut self) -> Result<u32, OutOfMemory> {
        if let Some(slot) = self.free.pop() {
            return Ok(slot);
        }
        let n = self.flows.len();
        let oom = OutOfMemory { flows: n };
        if n == self.flows.capacity() {
            // doubling, but never past the table's size
            let more = n.max(64).min(self.capacity - n);
            self.flows.try_reserve_exact(more).map_err(|_| oom)?;
            let cap = self.flows.capacity();
            self.links.try_reserve_exact(cap - n).map_err(|_| oom)?;
            self.free.try_reserve_exact(cap).map_err(|_| oom)?;
            let (flows, hasher) = (&self.flows, &self.hasher);
            self.index.try_reserve(cap - n, |&s| hash_key(hasher, &flows[s as usize].key)).map_err(|_| oom)?;
        }
        self.flows.push(FlowRecord::empty(n as u64));
        self.links.push(UNLINKED);
        Ok(n as u32)
    }

    /// Takes a free slot for `key` and indexes it; the record is reset to a fresh flow with
    /// the default timeout. The caller must check [`FlowTable::is_full`] first.
    pub fn insert(&mut self, key: FlowKey, ts: Timestamp, timeout: f32) -> Result<u32, OutOfMemory> {
        debug_assert!(!self.is_full(), "caller checks is_full");
        let slot = self.take_free()?;
        let rec = &mut self.flows[slot as usize];
        *rec = FlowRecord::empty(u64::from(slot));
        rec.key = key;
        rec.first_seen = ts;
        rec.last_seen = ts;
        rec.timeout.set(timeout);
        let h = self.hash(&key);
        let (flows, hasher) = (&self.flows, &self.hasher);
        self.index.insert_unique(h, slot, |&s| hash_key(hasher, &flows[s as usize].key));
        Ok(slot)
    }

    /// Removes `slot` from the index and the LRU list and frees it.
    pub fn remove(&mut self, slot: u32) {
        let key = self.flows[slot as usize].key;
        if let Ok(entry) = self.index.find_entry(self.hash(&key), |&s| s == slot) {
            entry.remove();
        }
        self.unlink(slot);
        // never allocates: room for every slot was reserved when it was created
        self.free.push(slot);
    }

    #[inline]
    fn link(&self, n: u32) -> Link {
        if n < SPECIAL { self.links[n as usize] } else { self.special[(n - SPECIAL) as usize] }
    }

    #[inline]
    fn link_mut(&mut self, n: u32) -> &mut Link {
        if n < SPECIAL { &mut self.links[n as usize] } else { &mut self.special[(n - SPECIAL) as usize] }
    }

    fn unlink(&mut self, n: u32) {
        let Link { prev, next } = self.link(n);
        if prev != NIL {
            self.link_mut(prev).next = next;
        }
        if next != NIL {
            self.link_mut(next).prev = prev;
        }
        *self.link_mut(n) = UNLINKED;
    }

    fn link_after(&mut self, n: u32, at: u32) {
        let next = self.link(at).next;
        *self.link_mut(n) = Link { prev: at, next };
        self.link_mut(next).prev = n;
        self.link_mut(at).next = n;
    }

    /// Moves `slot` to the head of the LRU list (T2's `updateLRUList`).
    #[inline]
    pub fn touch(&mut self, slot: u32) {
        if self.link(HEAD).next != slot {
            self.unlink(slot);
            self.link_after(slot, HEAD);
        }
    }

    /// The node before `n` (towards the head).
    pub fn prev(&self, n: u32) -> u32 {
        self.link(n).prev
    }

    /// The head node (not a flow).
    pub fn head(&self) -> u32 {
        HEAD
    }

    /// The tail node (not a flow).
    pub fn tail(&self) -> u32 {
        TAIL
    }

    /// True when `n` is a flow slot (not head, tail or a sentinel).
    pub fn is_flow(&self, n: u32) -> bool {
        n < SPECIAL
    }

    /// Registers a timeout value (T2's `timeout_handler_add`): a sentinel before the tail,
    /// handlers kept sorted by timeout, largest first. Duplicates are ignored.
    pub fn add_handler(&mut self, timeout: f32) {
        if self.handlers.iter().any(|h| h.timeout == timeout) {
            return;
        }
        let sentinel = SPECIAL + self.special.len() as u32;
        self.special.push(UNLINKED);
        let before_tail = self.link(TAIL).prev;
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
        self.link(h.sentinel).prev
    }

    /// Moves the handler's sentinel to just tail-side of `after`.
    pub fn place_sentinel(&mut self, h: &Handler, after: u32) {
        if self.link(h.sentinel).prev == after {
            return;
        }
        self.unlink(h.sentinel);
        self.link_after(h.sentinel, after);
    }

    /// The least recently seen flow (skipping sentinels), if any.
    pub fn oldest(&self) -> Option<u32> {
        let mut n = self.link(TAIL).prev;
        while n != HEAD {
            if self.is_flow(n) {
                return Some(n);
            }
            n = self.link(n).prev;
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
        let a = t.insert(key(1), Timestamp::default(), 182.0).unwrap();
        let b = t.insert(key(2), Timestamp::default(), 182.0).unwrap();
        assert_eq!((a, b), (0, 1));
        assert_eq!(t.lookup(&key(1)), Some(a));
        assert_eq!(t.lookup(&key(3)), None);
        t.remove(a);
        assert_eq!(t.lookup(&key(1)), None);
        assert_eq!(t.lookup(&key(2)), Some(b));
        assert_eq!(t.insert(key(3), Timestamp::default(), 182.0), Ok(a));
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
        let a = t.insert(key(1), Timestamp::default(), 182.0).unwrap();
        t.touch(a);
        let b = t.insert(key(2), Timestamp::default(), 182.0).unwrap();
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
        t.insert(key(1), Timestamp::default(), 1.0).unwrap();
        t.insert(key(2), Timestamp::default(), 1.0).unwrap();
        assert!(t.is_full());
    }

    #[test]
    fn memory_follows_the_flows() {
        // T2's table for `-f 1000`: nothing is allocated for its slots up front, and the key
        // index starts at the same fixed size as for any table at least that large
        let mut t = FlowTable::new(262_144_000);
        assert_eq!((t.slots(), t.flows.capacity()), (0, 0));
        let index = t.index.capacity();
        assert!((INDEX_START..2 * INDEX_START).contains(&index), "{index}");
        assert!(FlowTable::new(100).index.capacity() < 256);
        for n in 0..100 {
            t.insert(key(n), Timestamp::default(), 1.0).unwrap();
        }
        assert_eq!(t.slots(), 100);
        assert!(t.flows.capacity() <= 128 && t.index.capacity() == index, "{t:?}");
        // freed slots are reused before the table grows
        t.remove(7);
        assert_eq!(t.insert(key(200), Timestamp::default(), 1.0), Ok(7));
        assert_eq!(t.slots(), 100);
        // never past the table's size
        let mut small = FlowTable::new(70);
        for n in 0..70 {
            small.insert(key(n), Timestamp::default(), 1.0).unwrap();
        }
        assert!(small.is_full());
        assert_eq!(small.flows.capacity(), 70);
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
