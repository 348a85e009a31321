//! Pending fragments: (addresses, protocol, VLAN, fragment ID) → flow slot of the first
//! fragment, so later fragments reach the flow of their first one (core.md §5.4).

use hashbrown::HashMap;
use plugin_api::abi::FlowKey;

/// The fragment table; same capacity as the flow table, as in T2.
#[derive(Debug)]
pub struct FragTable {
    map: HashMap<FlowKey, u32, foldhash::fast::RandomState>,
    capacity: usize,
}

/// The fragment table is full (T2 terminates: `frag HashMap full`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Full;

/// The key of a fragment: the flow key with the fragment ID in place of the ports.
pub fn frag_key(flow_key: &FlowKey, frag_id: u32) -> FlowKey {
    FlowKey { src_port: (frag_id >> 16) as u16, dst_port: frag_id as u16, ..*flow_key }
}

impl FragTable {
    /// An empty table holding at most `capacity` entries.
    pub fn new(capacity: usize) -> FragTable {
        FragTable { map: HashMap::with_hasher(foldhash::fast::RandomState::default()), capacity }
    }

    /// The flow slot registered for `key`.
    pub fn lookup(&self, key: &FlowKey) -> Option<u32> {
        self.map.get(key).copied()
    }

    /// Registers (or re-points) `key` to `slot`.
    pub fn insert(&mut self, key: FlowKey, slot: u32) -> Result<(), Full> {
        if let Some(s) = self.map.get_mut(&key) {
            *s = slot;
            return Ok(());
        }
        if self.map.len() >= self.capacity {
            return Err(Full);
        }
        self.map.insert(key, slot);
        Ok(())
    }

    /// Forgets `key`; returns whether it was present.
    pub fn remove(&mut self, key: &FlowKey) -> bool {
        self.map.remove(key).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragment_ids_replace_ports() {
        let k = FlowKey { src_port: 80, dst_port: 1234, l4_proto: 6, ..FlowKey::default() };
        let f = frag_key(&k, 0x1234_5678);
        assert_eq!((f.src_port, f.dst_port, f.l4_proto), (0x1234, 0x5678, 6));
        let mut t = FragTable::new(1);
        t.insert(f, 3).unwrap();
        assert_eq!(t.lookup(&f), Some(3));
        assert_eq!(t.insert(frag_key(&k, 1), 4), Err(Full));
        assert!(t.remove(&f));
        assert!(!t.remove(&f));
    }
}
