//! Per-flow state that only the flows a plugin decodes have.

use crate::flow::{Flow, FlowSlots};

/// Per-flow state for the flows a plugin claims, such as a decoder's own flows: a slot costs
/// a 4-byte handle, and the `T`s live in a pool sized by the peak number of claimed flows in
/// memory, not by the number of flows.
///
/// A flow has no state until the plugin claims it ([`SparseSlots::get_or_claim`], typically
/// when its first packets show it is the plugin's) and gives it back when the flow ends
/// ([`SparseSlots::release`], in `on_flow_terminate`). A given-back `T` keeps its buffers and
/// serves the next claimed flow after `init` resets it, so the pool allocates only while it
/// grows to the peak, never per packet. Use [`FlowSlots`] instead for state every flow has.
#[derive(Debug)]
pub struct SparseSlots<T> {
    /// Per slot: 0 without state, else 1 + the index of its `T` in `pool`.
    handles: FlowSlots<u32>,
    /// Every `T` ever claimed, in use or free.
    pool: Vec<T>,
    /// Indexes of the free `T`s in `pool`.
    free: Vec<u32>,
}

// Not derived: that would ask `T: Default`.
impl<T> Default for SparseSlots<T> {
    fn default() -> Self {
        SparseSlots::new(0)
    }
}

impl<T> SparseSlots<T> {
    /// Storage for a table of `capacity` slots (call from `init` with
    /// [`crate::Init::capacity`]); nothing is allocated before a flow is claimed.
    pub fn new(capacity: usize) -> SparseSlots<T> {
        SparseSlots { handles: FlowSlots::new(capacity), pool: Vec::new(), free: Vec::new() }
    }

    /// The pool index of slot `index`'s state, if it has one.
    #[inline]
    fn handle(&self, index: usize) -> Option<usize> {
        self.handles.at(index).and_then(|&h| (h as usize).checked_sub(1))
    }

    /// The state of `flow`, if it was claimed.
    #[inline]
    pub fn get(&self, flow: &Flow<'_>) -> Option<&T> {
        self.at(flow.index())
    }

    /// The state in slot `index` (e.g. the opposite flow's), if it was claimed.
    #[inline]
    pub fn at(&self, index: usize) -> Option<&T> {
        self.handle(index).map(|h| &self.pool[h])
    }

    /// The state of `flow`, mutable, if it was claimed.
    #[inline]
    pub fn get_mut(&mut self, flow: &Flow<'_>) -> Option<&mut T> {
        self.handle(flow.index()).map(|h| &mut self.pool[h])
    }

    /// The states of `flow` and, mutable at the same time, of slot `other` (typically the
    /// opposite flow), each `None` when not claimed (`other` also when it is `flow`'s slot).
    pub fn pair_mut(&mut self, flow: &Flow<'_>, other: Option<usize>) -> (Option<&mut T>, Option<&mut T>) {
        let own = self.handle(flow.index());
        let other = other.and_then(|o| self.handle(o)).filter(|&o| Some(o) != own);
        match (own, other) {
            (Some(a), Some(b)) => {
                let [a, b] = self.pool.get_disjoint_mut([a, b]).expect("two distinct pool entries");
                (Some(a), Some(b))
            }
            (Some(a), None) => (Some(&mut self.pool[a]), None),
            (None, Some(b)) => (None, Some(&mut self.pool[b])),
            (None, None) => (None, None),
        }
    }

    /// Gives `flow`'s state back to the pool; the flow has none afterwards.
    pub fn release(&mut self, flow: &Flow<'_>) {
        if let Some(h) = self.handle(flow.index()) {
            *self.handles.get_mut(flow) = 0;
            self.free.push(h as u32);
        }
    }

    /// [`SparseSlots::release`] for a plugin whose `on_flow_terminate` reads the opposite
    /// flow's state: gives back the states of `flow` and of its opposite once the host has
    /// written both. The host writes a pair's A flow, then at once its B flow, so that is at
    /// the B flow, or at a flow without opposite.
    pub fn release_pair(&mut self, flow: &Flow<'_>) {
        match flow.opposite() {
            None => self.release(flow),
            Some(o) if flow.is_b() => {
                self.release(flow);
                self.release(&o);
            }
            Some(_) => {}
        }
    }

    /// Number of flows with state.
    pub fn claimed(&self) -> usize {
        self.pool.len() - self.free.len()
    }

    /// The state of `flow`, claimed for it if it had none: a free `T` of the pool (as its last
    /// flow left it) or, when there is none, a new one from `make`, passed to `init` first,
    /// which must make it the state of a new flow.
    pub fn get_or_claim(&mut self, flow: &Flow<'_>, make: impl FnOnce() -> T, init: impl FnOnce(&mut T)) -> &mut T {
        let h = match self.handle(flow.index()) {
            Some(h) => h,
            None => {
                let h = self.take(make);
                init(&mut self.pool[h]);
                *self.handles.get_mut(flow) = h as u32 + 1;
                h
            }
        };
        &mut self.pool[h]
    }

    /// A free pool entry, the pool grown by one from `make` if there is none. Running out of memory (or
    /// of 2^32 - 1 handles, far beyond any flow table) panics with a message saying so, which
    /// the host reports as one error line before it ends the run.
    fn take(&mut self, make: impl FnOnce() -> T) -> usize {
        if let Some(h) = self.free.pop() {
            return h as usize;
        }
        let h = self.pool.len();
        if h >= u32::MAX as usize || self.pool.try_reserve(1).is_err() || self.free.try_reserve(h + 1).is_err() {
            panic!("out of memory for {} flow states of {} bytes", h + 1, size_of::<T>());
        }
        self.pool.push(make());
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::FlowRecord;
    use crate::flow::Ctx;

    #[test]
    fn only_claimed_flows_have_state_and_states_are_reused() {
        let g = crate::testing::globals();
        let recs: Vec<FlowRecord> = (0..8).map(FlowRecord::empty).collect();
        let ctx = Ctx::new(&g, &recs);
        let flow = |i: u64| ctx.flow(i).unwrap();
        let mut s: SparseSlots<Vec<u8>> = SparseSlots::new(1 << 40);
        assert_eq!((s.get(&flow(3)), s.at(3), s.at(1 << 40), s.claimed()), (None, None, None, 0));
        // claiming runs init once; the state stays the flow's
        s.get_or_claim(&flow(3), Vec::new, |v| v.push(1)).push(2);
        s.get_or_claim(&flow(3), Vec::new, |v| v.push(9)).push(3);
        s.get_or_claim(&flow(5), Vec::new, |v| v.push(5));
        assert_eq!((s.get(&flow(3)).unwrap().as_slice(), s.at(5).map(|v| v.len())), (&[1, 2, 3][..], Some(1)));
        assert_eq!((s.get(&flow(4)), s.claimed(), s.pool.len()), (None, 2, 2));
        // both directions at once, or either alone
        let (a, b) = s.pair_mut(&flow(3), Some(5));
        a.unwrap().push(4);
        b.unwrap().push(6);
        assert_eq!(s.at(5).unwrap().as_slice(), &[5, 6]);
        assert!(matches!(s.pair_mut(&flow(3), Some(3)), (Some(_), None)));
        assert!(matches!(s.pair_mut(&flow(4), Some(5)), (None, Some(_))));
        assert!(matches!(s.pair_mut(&flow(4), None), (None, None)));
        // a released state serves the next claimed flow, with its buffer, after init
        let cap = s.get(&flow(3)).unwrap().capacity();
        s.release(&flow(3));
        s.release(&flow(3));
        assert_eq!((s.get(&flow(3)), s.claimed()), (None, 1));
        let v = s.get_or_claim(&flow(6), || panic!("a free entry exists"), |v| v.clear());
        assert_eq!((v.len(), v.capacity(), s.pool.len()), (0, cap, 2));
        assert!(s.get_mut(&flow(6)).is_some() && s.get_mut(&flow(3)).is_none());
    }

    #[test]
    fn a_pair_is_released_at_its_b_flow() {
        let g = crate::testing::globals();
        // 0 and 1 a pair (1 the B flow), 2 alone
        let mut recs: Vec<FlowRecord> = (0..3).map(FlowRecord::empty).collect();
        (recs[0].opposite, recs[1].opposite) = (1, 0);
        recs[1].status.set(crate::status::L3FLOWINVERT);
        let ctx = Ctx::new(&g, &recs);
        let flow = |i: u64| ctx.flow(i).unwrap();
        let mut s: SparseSlots<u8> = SparseSlots::new(8);
        for i in 0..3 {
            s.get_or_claim(&flow(i), || 0, |v| *v = i as u8);
        }
        s.release_pair(&flow(0));
        assert_eq!((s.at(0), s.claimed()), (Some(&0), 3), "the B flow still reads the A flow's state");
        s.release_pair(&flow(1));
        assert_eq!((s.at(0), s.at(1), s.claimed()), (None, None, 1));
        s.release_pair(&flow(2));
        assert_eq!(s.claimed(), 0);
    }
}
