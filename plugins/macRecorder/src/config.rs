//! Views of macRecorder's flags ([`Config`], generated from `flags.toml`): how addresses are
//! written, which labels, and how long a label may be.

pub use crate::flags::Config;

/// How MAC addresses are written (`MR_MAC_FMT`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MacFormat {
    /// 0: a hex number (`H64`).
    Hex,
    /// 1: `aa:bb:cc:dd:ee:ff` (`MAC`).
    Mac,
    /// 2: a decimal number (`U64`).
    Int,
}

/// Which labels are written (`MR_MACLBL`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Labels {
    /// 0: none.
    Off,
    /// 1: the block's number in the table (`U32`, 0: unknown).
    Index,
    /// 2: the short organisation name (`SC`).
    Short,
    /// 3: the full organisation name (`S`).
    Long,
}

impl Config {
    /// `MR_MAC_FMT`.
    pub fn mac_format(&self) -> MacFormat {
        match self.mr_mac_fmt {
            0 => MacFormat::Hex,
            1 => MacFormat::Mac,
            _ => MacFormat::Int,
        }
    }

    /// `MR_MACLBL`.
    pub fn labels(&self) -> Labels {
        match self.mr_maclbl {
            0 => Labels::Off,
            1 => Labels::Index,
            2 => Labels::Short,
            _ => Labels::Long,
        }
    }

    /// The length in bytes of the labels written: `MAC_ORGLEN` (at most 512, as T2 caps it)
    /// for full names, `MAC_SORGLEN` otherwise.
    pub fn label_len(&self) -> usize {
        let len = if self.labels() == Labels::Long { self.mac_orglen.min(512) } else { self.mac_sorglen };
        len as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_of_the_flags() {
        let c = Config::default();
        assert_eq!((c.mac_format(), c.labels(), c.label_len()), (MacFormat::Mac, Labels::Short, 12));
        let c = Config { mr_mac_fmt: 2, mr_maclbl: 3, mac_orglen: 600, ..Config::default() };
        assert_eq!((c.mac_format(), c.labels(), c.label_len()), (MacFormat::Int, Labels::Long, 512));
        let c = Config { mr_mac_fmt: 0, mr_maclbl: 1, ..Config::default() };
        assert_eq!((c.mac_format(), c.labels()), (MacFormat::Hex, Labels::Index));
    }
}
