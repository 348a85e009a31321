//! nFrstPkts on arbitrary timestamps and packet lengths (see `l2drive`); the first byte picks
//! the time mode, header lengths and pulse mode with its flags.
#![no_main]

mod l2drive;

use libfuzzer_sys::fuzz_target;
use nFrstPkts::flags::Config;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, data)) = data.split_first() else { return };
    let mut cfg = Config { nfrst_iat: sel >> 1 & 3, nfrst_hdrinfo: sel & 8 != 0, ..Config::default() };
    if sel & 16 != 0 {
        cfg.nfrst_miniatu = 10_000_000;
        cfg.nfrst_xmin = 10;
        cfg.nfrst_plave = sel & 32 != 0;
        cfg.nfrst_bcorr = sel & 64 != 0;
    }
    let mut h = l2drive::harness(sel, |h| nFrstPkts::NFrstPkts::with_config(h, cfg));
    l2drive::drive(&mut h, data);
});
