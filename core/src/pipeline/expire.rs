//! Ending flows: timeouts in packet time, the hash autopilot, and the final flush; each ended
//! flow and its opposite are written A then B (core.md §4.3-§4.5).

use plugin_api::abi::NO_FLOW;
use plugin_api::status::*;

use super::{Pipeline, Stop};
use crate::flow::{frag_key, idle};
use crate::time;

impl Pipeline {
    /// Runs every timeout handler, largest timeout first (T2's `cycleLRULists`).
    pub(super) fn expire(&mut self) {
        let now = self.g.act_time;
        for i in 0..self.table.handlers().len() {
            let h = self.table.handlers()[i];
            let head = self.table.head();
            let mut n = self.table.walk_start(&h);
            while n != head {
                if !self.table.is_flow(n) {
                    n = self.table.prev(n);
                    continue;
                }
                let f = self.table.get(n);
                let age = idle(now, f.last_seen);
                if age < h.timeout {
                    break;
                }
                let mut next = self.table.prev(n);
                if age >= f.timeout.get() {
                    let expired = f.opposite == NO_FLOW || {
                        let o = self.table.get(f.opposite as u32);
                        idle(now, o.last_seen) >= o.timeout.get()
                    };
                    if expired {
                        self.output_pair(n);
                        next = self.remove_pair(n);
                    }
                }
                n = next;
            }
            self.table.place_sentinel(&h, n);
        }
        self.end_if_drained();
    }

    /// The first SIGINT: no flow is created any more, and the run ends when the last one is
    /// gone (at once if there is none).
    pub fn stop_flow_creation(&mut self) {
        self.no_new_flows = true;
        self.end_if_drained();
    }

    /// After the first SIGINT the run ends when the last flow is gone (T2's `lruRmLstFlow`).
    fn end_if_drained(&mut self) {
        if self.no_new_flows && self.table.is_empty() {
            self.stop = Some(Stop::Drained);
        }
    }

    /// Writes a flow and its opposite: the A direction first (T2's `lruPrintFlow`).
    pub(super) fn output_pair(&mut self, slot: u32) {
        let f = self.table.get(slot);
        let inverted = f.status.get() & L3FLOWINVERT != 0;
        let opp = f.opposite;
        if opp == NO_FLOW {
            if inverted {
                self.g.corr_repl_flows += 1;
            }
            self.output_flow(slot, 0);
        } else if inverted {
            self.output_flow(opp as u32, 0);
            self.output_flow(slot, 1);
        } else {
            self.output_flow(slot, 0);
            self.output_flow(opp as u32, 1);
        }
    }

    fn output_flow(&mut self, slot: u32, dir: u8) {
        let f = self.table.get_mut(slot);
        f.duration = time::sub(f.last_seen, f.first_seen);
        self.plugins.output_flow(&self.g, self.table.records(), slot, dir);
    }

    /// Removes a flow and its opposite; returns the LRU node to continue a walk from (T2's
    /// `removeFlow`, which must step over the opposite flow if it was the previous node).
    pub(super) fn remove_pair(&mut self, slot: u32) -> u32 {
        let opp = self.table.get(slot).opposite;
        let mut prev = self.table.prev(slot);
        self.remove_one(slot);
        if opp != NO_FLOW {
            let opp = opp as u32;
            let opp_prev = self.table.prev(opp);
            self.remove_one(opp);
            if prev == opp {
                prev = opp_prev;
            }
        }
        prev
    }

    fn remove_one(&mut self, slot: u32) {
        let f = self.table.get(slot);
        if f.status.get() & IPV4_FRAG_PENDING != 0 {
            self.frags.remove(&frag_key(&f.key, f.last_frag_ip_id));
            let gw = &self.g.global_warn;
            gw.set(gw.get() | IPV4_FRAG_PENDING);
        }
        self.table.remove(slot);
        self.g.max_num_flows -= 1;
    }

    /// The flow table is full: flush the oldest flows (autopilot) or stop (T2's
    /// `hashTable_insert` overflow branch).
    pub(super) fn table_full(&mut self) {
        if self.g.global_warn.get() & RMFLOW_HFULL == 0 {
            let f = advised_factor(
                self.capture_size,
                self.g.bytes_processed,
                self.g.num_packets,
                self.settings.hash_factor,
                self.settings.autopilot,
            );
            let mut log = self.streams.log.borrow_mut();
            if self.settings.autopilot {
                let n = self.settings.autopilot_flows;
                log.plugin(
                    "Hash Autopilot",
                    plugin_api::abi::level::WARN,
                    &format!("main HashMap full: flushing {n} oldest flow(s)"),
                );
                log.plugin(
                    "Hash Autopilot",
                    plugin_api::abi::level::INFO,
                    &format!("Fix: Invoke Tranalyzer with '-f {f}'"),
                );
            } else {
                drop(log);
                crate::log::error("main HashMap full");
                let mut log = self.streams.log.borrow_mut();
                log.info(&format!("Fix: Invoke Tranalyzer with '-f {f}'"));
            }
        }
        if !self.settings.autopilot {
            self.stop = Some(Stop::TableFull);
            return;
        }
        let mut n = self.table.prev(self.table.tail());
        let mut left = self.settings.autopilot_flows;
        self.g.total_rm_flows += u64::from(left);
        let head = self.table.head();
        while n != head && left > 0 {
            if !self.table.is_flow(n) {
                n = self.table.prev(n);
                continue;
            }
            let f = self.table.get(n);
            f.status.set(f.status.get() | RMFLOW_HFULL);
            let gw = &self.g.global_warn;
            gw.set(gw.get() | RMFLOW_HFULL);
            self.output_pair(n);
            n = self.remove_pair(n);
            left -= 1;
        }
    }

    /// Writes and removes every flow, least recently seen first (end of input).
    pub fn flush_all(&mut self) {
        self.flush_until(|| false);
    }

    /// [`Pipeline::flush_all`] that stops as soon as `abort` says so (T2's third SIGINT).
    pub fn flush_until(&mut self, abort: impl Fn() -> bool) {
        let head = self.table.head();
        let mut n = self.table.prev(self.table.tail());
        while n != head && !abort() {
            if !self.table.is_flow(n) {
                n = self.table.prev(n);
                continue;
            }
            self.output_pair(n);
            n = self.remove_pair(n);
        }
    }
}

/// The hash factor advised when the flow table first fills (T2's `hashTable_insert`, core.md
/// §4.5): the capture's size over what was read so far, clamped to 2..=16, times the factor in
/// effect. Without the autopilot, a ratio above 16 gives a quarter of that (T2's `f / 4`).
fn advised_factor(capture_size: u64, bytes_processed: u64, num_packets: u64, hash_factor: u32, autopilot: bool) -> u32 {
    let per_packet = 24u64.saturating_add(bytes_processed).saturating_add(num_packets.saturating_mul(16));
    // T2 keeps the ratio in a uint32_t
    let ratio = (capture_size / per_packet) as u32;
    if ratio > 16 && !autopilot {
        return hash_factor.wrapping_mul(16) / 4;
    }
    ratio.clamp(2, 16).wrapping_mul(hash_factor)
}

#[cfg(test)]
mod tests {
    use super::advised_factor;

    #[test]
    fn advised_factor_as_t2() {
        // a live capture or a pipe: no size, the least advice
        assert_eq!(advised_factor(0, 1000, 10, 1, true), 2);
        // 300 000 flows of 76 bytes each, full after 262 145 packets
        let size = 24 + 300_000 * 76;
        assert_eq!(advised_factor(size, 262_145 * 60, 262_145, 1, true), 2);
        assert_eq!(advised_factor(size, 262_145 * 60, 262_145, 3, true), 6);
        // 5 times the bytes read so far
        let read = 24 + 1000 * 60 + 1000 * 16;
        assert_eq!(advised_factor(5 * read, 1000 * 60, 1000, 1, true), 5);
        assert_eq!(advised_factor(5 * read, 1000 * 60, 1000, 2, false), 10);
        // beyond 16: at most 16 with the autopilot, a quarter of it without (T2's `f / 4`)
        assert_eq!(advised_factor(40 * read, 1000 * 60, 1000, 1, true), 16);
        assert_eq!(advised_factor(40 * read, 1000 * 60, 1000, 2, true), 32);
        assert_eq!(advised_factor(40 * read, 1000 * 60, 1000, 1, false), 4);
        assert_eq!(advised_factor(40 * read, 1000 * 60, 1000, 2, false), 8);
        assert_eq!(advised_factor(16 * read, 1000 * 60, 1000, 1, false), 16);
    }
}
