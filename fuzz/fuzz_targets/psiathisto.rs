//! pktSIATHisto on arbitrary timestamps and packet lengths (see `l2drive`); the first byte
//! picks bin numbers or bounds, length modulo and exclusion with a tiny entry budget, and six
//! bin sections.
#![no_main]

mod l2drive;

use libfuzzer_sys::fuzz_target;
use pktSIATHisto::flags::Config;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, data)) = data.split_first() else { return };
    let mut cfg = Config { histo_print_bin: sel & 2 != 0, ..Config::default() };
    if sel & 4 != 0 {
        cfg.psi_mod = 7;
        cfg.psi_xcld = true;
        cfg.psiat_ndplf = 1;
    }
    if sel & 64 != 0 {
        cfg.iatsecmax = 6;
    }
    let mut h = l2drive::harness(sel, |h| pktSIATHisto::PktSIATHisto::with_config(h, cfg));
    l2drive::drive(&mut h, data);
});
