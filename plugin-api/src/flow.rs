//! Flows as a callback sees them, and the per-flow storage of a plugin.

use crate::abi::{FlowKey, FlowRecord, Globals, NO_FLOW, Timestamp};
use crate::status;

/// What a callback may look at besides its packet: core counters and the flow table.
#[derive(Clone, Copy, Debug)]
pub struct Ctx<'a> {
    globals: &'a Globals,
    flows: &'a [FlowRecord],
    ethertypes: EtherTypeCounts<'a>,
}

impl<'a> Ctx<'a> {
    /// Wraps the host's counters and flow table (no per-EtherType counts: see
    /// [`Ctx::with_ethertypes`]).
    pub fn new(globals: &'a Globals, flows: &'a [FlowRecord]) -> Ctx<'a> {
        Ctx { globals, flows, ethertypes: EtherTypeCounts::default() }
    }

    /// The same context with the core's per-EtherType counters.
    pub fn with_ethertypes(self, ethertypes: EtherTypeCounts<'a>) -> Ctx<'a> {
        Ctx { ethertypes, ..self }
    }

    /// Core counters (`numPackets`, `globalWarn`, ...).
    pub fn globals(&self) -> &'a Globals {
        self.globals
    }

    /// Packets and captured bytes per EtherType (T2's `numPacketsL2`/`numBytesL2`).
    pub fn ethertypes(&self) -> EtherTypeCounts<'a> {
        self.ethertypes
    }

    /// The flow in slot `index`, if the slot exists.
    pub fn flow(&self, index: u64) -> Option<Flow<'a>> {
        let rec = self.flows.get(usize::try_from(index).ok()?)?;
        Some(Flow { rec, ctx: *self })
    }

    /// ORs bits into `globalWarn`.
    pub fn add_global_warn(&self, bits: u64) {
        self.globals.global_warn.set(self.globals.global_warn.get() | bits);
    }
}

/// The core's packet and byte counters per EtherType ([`Globals::pkts_l2`], [`Globals::bytes_l2`]
/// as slices); an EtherType the tables do not cover counts 0.
#[derive(Clone, Copy, Debug, Default)]
pub struct EtherTypeCounts<'a> {
    pkts: &'a [u64],
    bytes: &'a [u64],
}

impl<'a> EtherTypeCounts<'a> {
    /// Wraps the two tables, indexed by EtherType.
    pub fn new(pkts: &'a [u64], bytes: &'a [u64]) -> EtherTypeCounts<'a> {
        EtherTypeCounts { pkts, bytes }
    }

    /// Packets of EtherType `et`.
    pub fn packets(&self, et: u16) -> u64 {
        self.pkts.get(usize::from(et)).copied().unwrap_or(0)
    }

    /// Captured bytes of EtherType `et`.
    pub fn bytes(&self, et: u16) -> u64 {
        self.bytes.get(usize::from(et)).copied().unwrap_or(0)
    }
}

/// One flow direction.
#[derive(Clone, Copy, Debug)]
pub struct Flow<'a> {
    rec: &'a FlowRecord,
    ctx: Ctx<'a>,
}

impl<'a> Flow<'a> {
    /// The record as the core keeps it.
    pub fn record(&self) -> &'a FlowRecord {
        self.rec
    }

    /// Slot of this flow (index for [`FlowSlots`]).
    pub fn index(&self) -> usize {
        self.rec.flow_index as usize
    }

    /// Flow index printed as `flowInd`.
    pub fn findex(&self) -> u64 {
        self.rec.findex
    }

    /// Status bits (`flowStat`).
    pub fn status(&self) -> u64 {
        self.rec.status.get()
    }

    /// ORs bits into the flow status and into `globalWarn` (T2's `T2_SET_STATUS`).
    pub fn add_status(&self, bits: u64) {
        self.rec.status.set(self.rec.status.get() | bits);
        self.ctx.add_global_warn(bits);
    }

    /// True for the B (responder) direction.
    pub fn is_b(&self) -> bool {
        self.status() & status::L3FLOWINVERT != 0
    }

    /// The flow key.
    pub fn key(&self) -> &'a FlowKey {
        &self.rec.key
    }

    /// IP version: 4, 6, or 0 for layer-2 flows.
    pub fn ip_ver(&self) -> u8 {
        self.rec.ip_ver
    }

    /// Time of the first packet.
    pub fn first_seen(&self) -> Timestamp {
        self.rec.first_seen
    }

    /// Time of the last packet.
    pub fn last_seen(&self) -> Timestamp {
        self.rec.last_seen
    }

    /// `last_seen - first_seen`, valid in `on_flow_terminate`.
    pub fn duration(&self) -> Timestamp {
        self.rec.duration
    }

    /// The opposite direction, if it exists.
    pub fn opposite(&self) -> Option<Flow<'a>> {
        if self.rec.opposite == NO_FLOW {
            return None;
        }
        self.ctx.flow(self.rec.opposite)
    }

    /// Current idle timeout in seconds.
    pub fn timeout(&self) -> f32 {
        self.rec.timeout.get()
    }

    /// Sets the idle timeout; the value must have been registered with
    /// [`crate::Host::timeout_add`] during `init`.
    pub fn set_timeout(&self, seconds: f32) {
        self.rec.timeout.set(seconds);
    }
}

/// Per-flow state of a plugin, one `T` per flow slot.
///
/// Slots are reused after a flow ends, so reset yours in `on_new_flow` (see [`FlowSlots::reset`]).
/// Memory follows the flows: a slot is allocated when a flow first uses it (the host hands
/// slots out from 0 up and reuses freed ones first), so the storage grows to the peak number of
/// flows in memory, not to the table's capacity. A slot not allocated yet reads as
/// `T::default()`. No map, no lock: the host calls a plugin's flow callbacks from one thread.
#[derive(Debug, Default)]
pub struct FlowSlots<T> {
    slots: Vec<T>,
    /// Number of slots the host may hand out (the flow table's capacity).
    capacity: usize,
    /// What a slot not allocated yet reads as.
    blank: T,
}

impl<T: Default> FlowSlots<T> {
    /// Storage for `capacity` slots (call from `init` with [`crate::Init::capacity`]); nothing
    /// is allocated before flows arrive.
    pub fn new(capacity: usize) -> FlowSlots<T> {
        FlowSlots { slots: Vec::new(), capacity, blank: T::default() }
    }

    /// Resets the slot of `flow` to `T::default()` and returns it.
    pub fn reset(&mut self, flow: &Flow<'_>) -> &mut T {
        let s = self.slot_mut(flow.index());
        *s = T::default();
        s
    }

    /// The state in slot `index`, allocated (with the slots before it) if needed.
    #[inline]
    fn slot_mut(&mut self, index: usize) -> &mut T {
        if index >= self.slots.len() {
            self.grow(index);
        }
        &mut self.slots[index]
    }

    /// Allocates the slots up to `index`. Running out of memory panics with a message saying
    /// so, which the host reports as one error line before it ends the run.
    #[cold]
    fn grow(&mut self, index: usize) {
        let more = index + 1 - self.slots.len();
        if self.slots.try_reserve(more).is_err() {
            panic!("out of memory for {} flow slots of {} bytes", index + 1, size_of::<T>());
        }
        self.slots.resize_with(index + 1, T::default);
    }

    /// The state of `flow`, mutable.
    pub fn get_mut(&mut self, flow: &Flow<'_>) -> &mut T {
        self.slot_mut(flow.index())
    }

    /// The state of `flow` and, mutable at the same time, the state in slot `other` (typically
    /// the opposite flow's, whose state T2 plugins update from the other direction's packets).
    /// The second is `None` when `other` is `None`, beyond the table's capacity or `flow`'s own
    /// slot.
    pub fn pair_mut(&mut self, flow: &Flow<'_>, other: Option<usize>) -> (&mut T, Option<&mut T>) {
        let own = flow.index();
        match other {
            Some(o) if o != own && o < self.capacity => {
                self.slot_mut(own.max(o));
                let [a, b] = self.slots.get_disjoint_mut([own, o]).expect("two distinct allocated slots");
                (a, Some(b))
            }
            _ => (self.slot_mut(own), None),
        }
    }
}

impl<T> FlowSlots<T> {
    /// The state of `flow`.
    pub fn get(&self, flow: &Flow<'_>) -> &T {
        self.slots.get(flow.index()).unwrap_or(&self.blank)
    }

    /// The state in slot `index` (e.g. the opposite flow's), if the table has that slot.
    pub fn at(&self, index: usize) -> Option<&T> {
        if index >= self.capacity {
            return None;
        }
        Some(self.slots.get(index).unwrap_or(&self.blank))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::FlowRecord;

    #[test]
    fn slots_are_allocated_as_flows_use_them() {
        let g = crate::testing::globals();
        let recs: Vec<FlowRecord> = (0..8).map(|i| FlowRecord { opposite: 5, ..FlowRecord::empty(i) }).collect();
        let ctx = Ctx::new(&g, &recs);
        let flow = |i: u64| ctx.flow(i).unwrap();
        // a table of 2^40 slots costs nothing up front
        let mut s: FlowSlots<u64> = FlowSlots::new(1 << 40);
        assert_eq!(s.slots.capacity(), 0);
        assert_eq!((*s.get(&flow(3)), s.at(3), s.at(1 << 40)), (0, Some(&0), None));
        *s.reset(&flow(1)) = 7;
        assert_eq!(s.slots.len(), 2);
        *s.get_mut(&flow(2)) += 1;
        assert_eq!((*s.get(&flow(0)), *s.get(&flow(1)), *s.get(&flow(2))), (0, 7, 1));
        // the opposite slot is allocated too
        let (own, opp) = s.pair_mut(&flow(2), Some(5));
        *own += 1;
        *opp.unwrap() = 9;
        assert_eq!((*s.get(&flow(2)), s.at(5), s.slots.len()), (2, Some(&9), 6));
        assert!(s.pair_mut(&flow(2), Some(2)).1.is_none());
        // a slot is reset for its next flow
        assert_eq!(*s.reset(&flow(5)), 0);
    }
}
