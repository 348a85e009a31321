//! txtSink's flags ([`Config`], generated from `flags.toml`: `txtSink.h` and the text rules of
//! `bin2txt.h`) and the core flags the text depends on ([`Stamps`]).

use plugin_api::abi::CoreConfig;

pub use crate::flags::Config;

/// The core's timestamp flags, which change how times are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamps {
    /// `TSTAMP_PREC`: fractions have 9 digits (nanoseconds) when true, else 6.
    pub ns: bool,
    /// `TSTAMP_UTC`: `B2T_TIMESTR` dates in UTC when true, else local time.
    pub utc: bool,
}

impl Stamps {
    /// The core's defaults: nanoseconds, UTC.
    pub const DEFAULT: Stamps = Stamps { ns: true, utc: true };

    /// The flags of the core that runs the sink.
    pub fn of(core: &CoreConfig) -> Stamps {
        Stamps { ns: core.tstamp_prec != 0, utc: core.tstamp_utc != 0 }
    }
}

impl Default for Stamps {
    fn default() -> Stamps {
        Stamps::DEFAULT
    }
}
