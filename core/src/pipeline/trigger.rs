//! When a monitoring report is due in capture time (`MONINTTMPCP` = 1): the pipeline asks
//! after every packet, the report itself is written a layer up.

/// The pcap-time trigger (`MONINTTMPCP` = 1, monitoring.md §3.1): a report is due when the whole
/// seconds since the first packet grew by at least the interval since the last report. As in T2
/// both differences are `f32` and the seconds are libpcap's signed 32-bit values, so a negative
/// difference never fires and beyond 2²⁴ s single-second steps are lost to rounding.
#[derive(Debug, Clone, Copy)]
pub struct PcapTrigger {
    interval: f64,
    last: f32,
}

impl PcapTrigger {
    /// A trigger firing every `interval` seconds of capture time.
    pub fn new(interval: f64) -> PcapTrigger {
        PcapTrigger { interval, last: 0.0 }
    }

    /// Whether the packet at `sec` (first packet at `start`) requests a report.
    #[inline]
    pub fn due(&mut self, start: i64, sec: i64) -> bool {
        let delta = (i64::from(sec as i32) - i64::from(start as i32)) as f32;
        if f64::from(delta - self.last) >= self.interval {
            self.last = delta;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::PcapTrigger;

    #[test]
    fn pcap_trigger_fires_on_whole_seconds() {
        let mut t = PcapTrigger::new(1.0);
        let start = 1000;
        let fired: Vec<i64> =
            [1000, 1000, 1001, 1001, 1004, 1005, 999, 1005, 1006].into_iter().filter(|&s| t.due(start, s)).collect();
        // one report per new second; a gap gives one report; going backwards gives none
        assert_eq!(fired, [1001, 1004, 1005, 1006]);
    }

    #[test]
    fn pcap_trigger_keeps_t2s_f32_and_i32_quirks() {
        // a record with sec >= 2^31 is negative for libpcap: never a report
        let mut t = PcapTrigger::new(1.0);
        assert!(!t.due(1_000, 0xffff_0000));
        // beyond 2^24 s a one-second step is lost to f32 rounding
        let mut t = PcapTrigger::new(1.0);
        assert!(t.due(0, 1 << 25));
        assert!(!t.due(0, (1 << 25) + 1));
        assert!(t.due(0, (1 << 25) + 4));
    }
}
