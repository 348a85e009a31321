//! The IAT bin layout (T2's `IATBinBu`/`IATBinWu`/`IATBinNu`, `iat2bin`, `bin2iat`): up to six
//! sections of equal-width bins, in milliseconds; IATs beyond the last section share its last bin.

use plugin_api::abi::Timestamp;

use crate::flags::Config;

/// Sections at most.
const SECTIONS: usize = 6;

/// A bin layout.
#[derive(Clone, Copy, Debug)]
pub struct Bins {
    n: usize,
    /// Section boundaries in ms: section `i` is `[bound[i], bound[i + 1])`.
    bound: [u32; SECTIONS + 1],
    /// Bin width of section `i`.
    width: [u32; SECTIONS],
    /// First bin of section `i`; `first[n]` is the shared bin beyond the last section.
    first: [u32; SECTIONS + 1],
}

impl Bins {
    /// The layout of `cfg`; an error names a flag that makes no layout (a zero width, or
    /// boundaries that decrease).
    pub fn new(cfg: &Config) -> Result<Bins, String> {
        let bounds = [cfg.iatbinbu1, cfg.iatbinbu2, cfg.iatbinbu3, cfg.iatbinbu4, cfg.iatbinbu5, cfg.iatbinbu6];
        let widths = [cfg.iatbinwu1, cfg.iatbinwu2, cfg.iatbinwu3, cfg.iatbinwu4, cfg.iatbinwu5, cfg.iatbinwu6];
        // T2 falls back to three sections for a value out of range
        let n = match usize::from(cfg.iatsecmax) {
            n @ 1..=SECTIONS => n,
            _ => 3,
        };
        let mut b = Bins { n, bound: [0; SECTIONS + 1], width: [1; SECTIONS], first: [0; SECTIONS + 1] };
        for i in 0..n {
            if widths[i] == 0 {
                return Err(format!("IATBINWu{} must be > 0", i + 1));
            }
            if bounds[i] < b.bound[i] {
                return Err(format!("IATBINBu{} must not be below IATBINBu{}", i + 1, i));
            }
            b.bound[i + 1] = bounds[i];
            b.width[i] = widths[i];
            b.first[i + 1] = (bounds[i] - b.bound[i]) / widths[i] + b.first[i];
        }
        Ok(b)
    }

    /// Number of bins (the last holds every IAT beyond the sections).
    pub fn count(&self) -> usize {
        self.first[self.n] as usize + 1
    }

    /// The bin of `iat`. T2 (nanosecond timestamps) scales the seconds to millionths but the
    /// fraction to milliseconds in 32-bit arithmetic: any IAT of a second or more lands past
    /// the default sections, and we keep that arithmetic to write the same bins.
    pub fn bin(&self, iat: Timestamp) -> u32 {
        let k = (i64::from((iat.sec as u32).wrapping_mul(1_000_000)) + iat.frac / 1_000_000) as u32;
        for i in 0..self.n {
            if k < self.bound[i + 1] {
                return (k - self.bound[i]) / self.width[i] + self.first[i];
            }
        }
        self.first[self.n]
    }

    /// The lower bound in ms of `bin`'s IAT range.
    pub fn lower_bound(&self, bin: u32) -> u32 {
        for i in 0..self.n {
            if bin < self.first[i + 1] {
                return (bin - self.first[i]).wrapping_mul(self.width[i]).wrapping_add(self.bound[i]);
            }
        }
        self.bound[self.n]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(ms: i64) -> Timestamp {
        Timestamp { sec: ms / 1000, frac: ms % 1000 * 1_000_000 }
    }

    #[test]
    fn default_layout() {
        let b = Bins::new(&Config::default()).unwrap();
        assert_eq!(b.count(), 301);
        let cases = [(0, 0, 0), (199, 199, 199), (200, 200, 200), (206, 201, 205), (399, 239, 395), (400, 240, 400)];
        for (iat, bin, low) in cases {
            assert_eq!((b.bin(ms(iat)), b.lower_bound(b.bin(ms(iat)))), (bin, low), "{iat} ms");
        }
        assert_eq!(b.bin(ms(999)), 299);
        assert_eq!(b.bin(ms(1000)), 300);
        assert_eq!(b.lower_bound(300), 1000);
        // sub-millisecond parts are cut, whole seconds land beyond the sections
        assert_eq!(b.bin(Timestamp { sec: 0, frac: 999_999 }), 0);
        assert_eq!(b.bin(Timestamp { sec: 4_000, frac: 0 }), 300);
    }

    #[test]
    fn t2_wraps_the_seconds_in_32_bits() {
        let b = Bins::new(&Config::default()).unwrap();
        // 4295 s * 10^6 wraps to 32704; a negative IAT (time going backwards) wraps too
        assert_eq!(b.bin(Timestamp { sec: 4295, frac: 0 }), 300);
        assert_eq!(b.bin(Timestamp { sec: -1, frac: 999_000_000 }), 300);
    }

    #[test]
    fn custom_layouts_and_bad_flags() {
        let cfg = Config { iatsecmax: 1, iatbinbu1: 50, iatbinwu1: 10, ..Config::default() };
        let b = Bins::new(&cfg).unwrap();
        assert_eq!((b.count(), b.bin(ms(49)), b.bin(ms(50)), b.lower_bound(4), b.lower_bound(5)), (6, 4, 5, 40, 50));
        let six = Bins::new(&Config { iatsecmax: 6, ..Config::default() }).unwrap();
        assert_eq!(six.count(), 200 + 40 + 60 + 450 + 1800 + 9000 + 1);
        assert_eq!(six.lower_bound(six.bin(ms(999))), 990);
        // T2's scaling of the seconds: sections past one second are never reached
        assert_eq!(six.bin(ms(1000)) as usize, six.count() - 1);
        assert_eq!(six.lower_bound(six.bin(ms(123_456))), 1_000_000);
        assert_eq!(Bins::new(&Config { iatbinwu2: 0, ..Config::default() }).unwrap_err(), "IATBINWu2 must be > 0");
        assert!(Bins::new(&Config { iatbinbu2: 100, ..Config::default() }).is_err());
        assert_eq!(Bins::new(&Config { iatsecmax: 9, ..Config::default() }).unwrap().count(), 301);
    }
}
